"""python manage.py site_create --name NAME --origin URL [--origin URL ...]: prints the site's keys as JSON."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from personalization.services.sites import site_create


class Command(BaseCommand):
    help = "Create a site and print its public key and write key as JSON (the write key is shown only here)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="A unique name for the site.")
        parser.add_argument(
            "--origin", action="append", default=[], help="An origin the tracker may send from; repeat for several."
        )
        parser.add_argument("--goal", action="append", default=[], help="An extra conversion goal (event name).")

    def handle(self, *args, name: str, origin: list[str], goal: list[str], **options):
        try:
            keys = site_create(name=name, origins=origin, goals=goal)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        site = keys.site
        self.stdout.write(
            json.dumps(
                {
                    "id": site.pk,
                    "name": site.name,
                    "public_key": site.public_key,
                    "write_key": keys.write_key,
                    "allowed_origins": site.allowed_origins,
                }
            )
        )
