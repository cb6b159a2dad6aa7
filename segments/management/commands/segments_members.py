"""python manage.py segments_members --run ID: CSV visitor_id,user_key,cluster for every visitor a run assigned."""

import csv

from django.core.management.base import BaseCommand, CommandError

from personalization.models import Visitor

from ...models import ClusteringRun, Membership


class Command(BaseCommand):
    help = "Print the visitors of a clustering run's segments as CSV: visitor_id,user_key,cluster."

    def add_arguments(self, parser):
        parser.add_argument("--run", required=True, help="The run's id (segments_run prints it).")

    def handle(self, *args, run: str, **options):
        if not run.isdigit():
            raise CommandError(f"--run must be a run id (a number), not {run!r}.", returncode=2)
        found = ClusteringRun.objects.filter(pk=int(run)).first()
        if found is None or found.status != ClusteringRun.Status.DONE:
            raise CommandError(f"No finished clustering run has id {run}.", returncode=2)
        cluster_of = dict(found.clusters.exclude(segment=None).values_list("segment_id", "index"))
        people = dict(Membership.objects.filter(segment_id__in=cluster_of).values_list("profile_id", "segment_id"))
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["visitor_id", "user_key", "cluster"])
        rows = (Visitor.objects.filter(profile_id__in=people).order_by("visitor_id")
                .values_list("visitor_id", "profile__user_key", "profile_id"))
        for visitor_id, user_key, profile_id in rows.iterator(chunk_size=5000):
            writer.writerow([visitor_id, user_key or "", cluster_of[people[profile_id]]])
