"""python manage.py profiles_rebuild [--site NAME]: recompute sessions and profiles from stored events."""

from django.core.management.base import BaseCommand, CommandError

from personalization.models import Site
from personalization.services.profiles import profiles_rebuild


class Command(BaseCommand):
    help = "Recompute every visitor profile and session from stored events (gives the same numbers as ingestion)."

    def add_arguments(self, parser):
        parser.add_argument("--site", help="Only this site (by name).")

    def handle(self, *args, site: str | None, **options):
        chosen = None
        if site:
            chosen = Site.objects.filter(name=site).first()
            if chosen is None:
                raise CommandError(f"No site is named {site!r}; see the Sites page in admin for names.")
        count = profiles_rebuild(site=chosen)
        self.stdout.write(f"Rebuilt {count} profiles.")
