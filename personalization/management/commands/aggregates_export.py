"""python manage.py aggregates_export --site NAME [--days 30] [--epsilon 1.0] --out FILE.csv"""

import csv
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from personalization.models import Site
from personalization.services.aggregates import aggregates_compute


class Command(BaseCommand):
    help = ("Export visitors and page views per page and per content category as CSV; with --epsilon (or "
            'ATTUNE["AGGREGATE_EPSILON"]) the counts carry calibrated Laplace noise (see docs/privacy.md).')

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="Site name.")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--epsilon", type=float, default=None, help="Privacy budget; leave out for exact counts.")
        parser.add_argument("--out", required=True)

    def handle(self, *args, site, days, epsilon, out, **options):
        chosen = Site.objects.filter(name=site).first()
        if chosen is None:
            raise CommandError(f"No site is named {site!r}.")
        if epsilon is not None and epsilon <= 0:
            raise CommandError("--epsilon must be greater than 0 (smaller is more private and noisier).")
        until = timezone.now()
        rows = aggregates_compute(site=chosen, since=until - timedelta(days=days), until=until, epsilon=epsilon)
        with open(out, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["table", "key", "visitors", "pageviews"])
            writer.writerows((row.table, row.key, row.visitors, row.pageviews) for row in rows)
        self.stdout.write(f"Wrote {len(rows)} rows to {out}{' with noise' if epsilon else ''}.")
