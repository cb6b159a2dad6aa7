"""python manage.py simulate_traffic --visitors N --days D --seed S: simulated visitors through the collector."""

from datetime import UTC, datetime, time

from django.core.management.base import BaseCommand, CommandError

from demo.services import demo_site
from demo.simulator.run import traffic_simulate
from personalization.models import Site


class Command(BaseCommand):
    help = ("Simulate visitors with behavior archetypes (bargain hunters, loyal customers, browse-only visitors, "
            "news readers) and feed their events through the collector. The same seed gives the same events.")

    def add_arguments(self, parser):
        parser.add_argument("--visitors", type=int, default=1000)
        parser.add_argument("--days", type=int, default=30, help="Days of history, at most 365.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--site", default="", help="Site name (default: the demo site).")
        parser.add_argument("--end", default="", help="Last day simulated, YYYY-MM-DD (default: today, UTC).")
        parser.add_argument("--labels", default="", help="Also write the ground-truth archetypes to this CSV file.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, visitors, days, seed, site, end, labels, no_progress, **options):
        if not 1 <= days <= 365:
            raise CommandError("--days must be between 1 and 365 (consent older than a year has expired).")
        if visitors < 0:
            raise CommandError("--visitors must be 0 or more.")
        chosen = Site.objects.filter(name=site).first() if site else demo_site()
        if chosen is None:
            raise CommandError(f"No site named {site!r}." if site else "No demo site yet: run `manage.py demo_setup`.")
        try:
            day = datetime.fromisoformat(end).date() if end else datetime.now(UTC).date()
        except ValueError:
            raise CommandError("--end must be a date written YYYY-MM-DD.") from None
        result = traffic_simulate(site=chosen, visitors=visitors, days=days, seed=seed,
                                  end=datetime.combine(day, time.min, tzinfo=UTC), progress=not no_progress,
                                  labels_path=labels)
        self.stdout.write(
            f"Simulated {result.visitors} new visitors ({result.skipped} already there): {result.batches} batches, "
            f"{result.events} events handed over, {result.refused} batches refused. Archetypes: {result.archetypes}"
        )
