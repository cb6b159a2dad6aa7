"""python manage.py segments_run --site NAME [--config NAME] [--k auto|N] [--json]: one clustering run, here and now."""

import json

from django.core.management.base import BaseCommand, CommandError

from personalization.models import Site

from ...models import ClusteringConfig, ClusteringRun
from ...services.runs import segment_run_execute


def k_argument(value: str) -> int | None:
    if value == "auto":
        return None
    if not value.isdigit() or not 2 <= int(value) <= 30:
        raise CommandError(f"--k must be auto or a number of clusters from 2 to 30, not {value!r}.", returncode=2)
    return int(value)


class Command(BaseCommand):
    help = "Cluster a site's visitors now (in this process) and print the run: k, silhouette, clusters."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="The site's name or public key.")
        parser.add_argument("--config", default="", help="The clustering configuration's name (default: the site's "
                            "only one, made with the default features when there is none).")
        parser.add_argument("--k", default="auto", help="auto (the elbow method) or a number of clusters.")
        parser.add_argument("--json", action="store_true", help="Print the run as JSON.")

    def handle(self, *args, site: str, config: str, k: str, json: bool, **options):
        requested_k = k_argument(k)
        found = Site.objects.filter(name=site).first() or Site.objects.filter(public_key=site).first()
        if found is None:
            names = ", ".join(Site.objects.values_list("name", flat=True)) or "none yet (manage.py site_create)"
            raise CommandError(f"No site is named {site!r}; sites: {names}.", returncode=2)
        run = segment_run_execute(run=ClusteringRun.objects.create(
            config=config_for(found, config), requested_k=requested_k))
        if run.status != ClusteringRun.Status.DONE:
            raise CommandError(f"The run failed: {run.error}")
        self.stdout.write(run_json(run) if json else run_text(run))


def config_for(site: Site, name: str) -> ClusteringConfig:
    configs = ClusteringConfig.objects.filter(site=site)
    if name:
        config = configs.filter(name=name).first()
        if config is None:
            known = ", ".join(configs.values_list("name", flat=True)) or "none"
            raise CommandError(f"Site {site.name!r} has no clustering configuration {name!r}; it has: {known}.",
                               returncode=2)
        return config
    if configs.count() > 1:
        raise CommandError(f"Site {site.name!r} has several configurations; name one with --config: "
                           f"{', '.join(configs.values_list('name', flat=True))}.", returncode=2)
    return configs.first() or ClusteringConfig.objects.create(site=site, name="Behavior")


def run_summary(run: ClusteringRun) -> dict:
    return {"id": run.pk, "k": run.k, "silhouette": run.silhouette, "population": run.population,
            "stability_ari": run.stability_ari, "seconds": run.timings.get("total"),
            "clusters": [{"index": c.index, "size": c.size, "name": c.segment.name if c.segment else c.suggested_name,
                          "new": c.is_new} for c in run.clusters.select_related("segment")]}


def run_json(run: ClusteringRun) -> str:
    return json.dumps(run_summary(run))


def run_text(run: ClusteringRun) -> str:
    summary = run_summary(run)
    lines = [f"run {run.pk}: {summary['population']} visitors, k={run.k} ({run.k_reason}), "
             f"silhouette {run.silhouette:.3f}"]
    lines += [f"  {c['index']}: {c['size']:>7}  {c['name']}{' (new)' if c['new'] else ''}" for c in summary["clusters"]]
    return "\n".join(lines)
