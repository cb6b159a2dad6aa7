"""python manage.py privacy_request --site-key KEY (--visitor ID | --user ID) (--export FILE | --erase):
act on a data request received by another channel (mail, phone)."""

import json

from django.core.management.base import BaseCommand, CommandError

from consent.models import ErasureLog
from consent.registry import Subject, user_key_for
from consent.services.rights import personal_data_erase, personal_data_export


class Command(BaseCommand):
    help = "Export (to a JSON file) or erase everything held about a visitor or a site's user."

    def add_arguments(self, parser):
        parser.add_argument("--site-key", required=True, help="The site's public key.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--visitor", help="A visitor id (from the privacy center or the consent cookie).")
        who.add_argument("--user", help="The site's own user id (as passed to identify).")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--export", metavar="FILE", help="Write the data to this JSON file.")
        what.add_argument("--erase", action="store_true", help="Erase the data (logged, without the data).")
        parser.add_argument("--requested-by", default="", help="Who asked (kept in the erasure log).")

    def handle(self, *args, site_key, visitor, user, export, erase, requested_by, **options):
        user_key = user_key_for(site_key, user) if user else ""
        if user and not user_key:
            raise CommandError(f"No site has the public key {site_key!r}.")
        subject = Subject(site_key=site_key, visitor_ids=(visitor,) if visitor else (), user_key=user_key)
        if export:
            with open(export, "w") as handle:
                json.dump(personal_data_export(subject=subject), handle, indent=2, default=str)
            self.stdout.write(f"Wrote {export}.")
        else:
            log = personal_data_erase(subject=subject, channel=ErasureLog.Channel.COMMAND, requested_by=requested_by)
            self.stdout.write(f"Erased: {log.erased}")
