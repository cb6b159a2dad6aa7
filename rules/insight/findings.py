"""Findings: a site's complete days judged by rules.anomalies (peaks per page, funnel steps losing visitors, event
types that stop, falls in all events, rises in refused events) and its clusterings compared run to run, stored one
per site, kind, key and day so that detecting again updates rather than repeats."""

import logging
from dataclasses import dataclass
from datetime import UTC, date

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from personalization.models import DropCounter, Event, Site
from segments.models import ClusteringConfig, ClusteringRun

from .. import anomalies
from ..models import Finding, Funnel
from .drift import RunClusters, drift_between
from .paths import FunnelCounts, funnel_steps_read
from .series import (
    days_before,
    deep_reads_by_page,
    events_by_type,
    funnel_days,
    page_views_by_page,
    refused_by_reason,
)

logger = logging.getLogger(__name__)
DAYS = 35
JUDGED_KEY = "attune:insight:judged:{site_id}:{day}"
JUDGED_SECONDS = 2 * 86_400
KEY_LENGTH = Finding._meta.get_field("key").max_length


@dataclass(frozen=True)
class Found:
    """A finding before it is stored."""

    kind: str
    key: str
    day: date
    value: float
    baseline: float
    score: float
    description: str


def traffic_found(*, site_id: int, days: list[date]) -> list[Found]:
    """Pages whose views, or whose reads to 75% and deeper, peak on a day against their own trailing days."""
    found = []
    for item in anomalies.spikes(series_by_key=page_views_by_page(site_id=site_id, days=days)):
        day = days[item.index]
        found.append(Found("spike", item.key, day, item.value, item.baseline, item.score,
                           f"{item.key} had {item.value:.0f} page views on {day}, against a usual {item.baseline:.0f}."))
    for item in anomalies.spikes(series_by_key=deep_reads_by_page(site_id=site_id, days=days)):
        day = days[item.index]
        found.append(Found("spike", f"deep reads: {item.key}", day, item.value, item.baseline, item.score,
                           f"{item.key} was read to 75% or deeper {item.value:.0f} times on {day}, against a usual "
                           f"{item.baseline:.0f}."))
    return found


def funnels_found(*, site_id: int, days: list[date]) -> list[Found]:
    """Funnel steps whose share of visitors going on to the next step falls on a day against its own history."""
    funnels = []
    for funnel in Funnel.objects.filter(site_id=site_id):
        try:
            funnels.append((funnel, FunnelCounts(funnel_steps_read(funnel.steps))))
        except ValueError as error:
            logger.warning("funnel %s is not judged until its steps are fixed: %s", funnel.pk, error)
    if not funnels:
        return []
    funnel_days(site_id=site_id, days=days, funnels=[counts for _, counts in funnels])
    found = []
    for funnel, counts in funnels:
        series = counts.step_series(range(len(days)))
        for item in anomalies.funnel_dropoffs(steps=series):
            day, (reached, _) = days[item.index], series[item.key][item.index]
            step, following = item.key.split(" → ", 1)
            found.append(Found(
                "dropoff", f"{funnel.name}: {item.key}", day, item.value, item.baseline, item.score,
                f"{funnel.name}: of the {reached} sessions that reached '{step}' on {day}, {item.value:.0%} went "
                f"on to '{following}', against a usual {item.baseline:.0%}."))
    return found


REFUSAL_ADVICE = {
    "Invalid": "the failed events list says what was wrong with them",
    "No consent": "check that the tracker waits for the banner's answer",
    "Unknown origin": "add the site's new address to its allowed origins",
}


def tracking_found(*, site_id: int, days: list[date]) -> list[Found]:
    """Event types that stop arriving, a fall in all events, and rises in events refused for one reason."""
    by_type = events_by_type(site_id=site_id, days=days)
    found = []
    for item in anomalies.stopped_event_types(counts_by_type=by_type):
        day = days[item.index]
        found.append(Found("stopped", item.key, day, 0.0, item.baseline, item.score,
                           f"No '{item.key}' events arrived on {day} after a steady {item.baseline:.0f} a day: "
                           "check its tracking."))
    totals = [sum(counts[n] for key, counts in by_type.items() if not key.startswith("track: "))
              for n in range(len(days))]
    for item in anomalies.volume_drops(series=totals):
        day = days[item.index]
        found.append(Found("drop", "all events", day, item.value, item.baseline, item.score,
                           f"Only {item.value:.0f} events were stored on {day}, against a usual "
                           f"{item.baseline:.0f}: is tracking broken on some pages?"))
    for item in anomalies.refusal_rises(refused_by_reason=refused_by_reason(site_id=site_id, days=days)):
        day, advice = days[item.index], REFUSAL_ADVICE.get(item.key, "the failed events list shows examples")
        found.append(Found("refusals", item.key, day, item.value, item.baseline, item.score,
                           f"{item.value:.0f} events were refused as '{item.key}' on {day}, against a usual "
                           f"{item.baseline:.0f}: {advice}."))
    return found


def findings_store(*, site_id: int, found: list[Found]) -> list[Finding]:
    """Store each finding, updating the one of the same site, kind, key and day (its hour is kept)."""
    stored = []
    with transaction.atomic():
        for item in found:
            finding, _ = Finding.objects.update_or_create(
                site_id=site_id, kind=item.kind, key=item.key[:KEY_LENGTH], day=item.day,
                defaults={"value": item.value, "baseline": item.baseline, "score": item.score,
                          "description": item.description[:500]})
            stored.append(finding)
    return stored


def findings_detect(*, site_id: int, days: int = DAYS, today: date | None = None) -> list[Finding]:
    """Judge the `days` complete days before today (UTC), from the site's first event on, and the site's latest
    clusterings; store and return what is unusual."""
    judged = days_since_first_event(site_id=site_id, days=days_before(today or timezone.now().date(), days))
    found = drifts_found(site_id=site_id)
    if judged:  # a site without events has no days to judge
        found += [*traffic_found(site_id=site_id, days=judged), *funnels_found(site_id=site_id, days=judged),
                  *tracking_found(site_id=site_id, days=judged)]
    return findings_store(site_id=site_id, found=found)


def days_since_first_event(*, site_id: int, days: list[date]) -> list[date]:
    """`days` from the site's first event, stored or refused, on: days before it would be a history of zeros,
    against which every page's first traffic looks like a peak."""
    stored = Event.objects.filter(site_id=site_id).order_by("ts").values_list("ts", flat=True).first()
    refused = DropCounter.objects.filter(site_id=site_id).order_by("day").values_list("day", flat=True).first()
    firsts = [first for first in (stored and stored.astimezone(UTC).date(), refused) if first is not None]
    return [day for day in days if firsts and day >= min(firsts)]


def run_clusters(run: ClusteringRun) -> RunClusters:
    clusters = list(run.clusters.select_related("segment").order_by("index"))
    names = [cluster.segment.name if cluster.segment else f"Cluster {cluster.index + 1}" for cluster in clusters]
    return RunClusters(names, [cluster.size for cluster in clusters], run.centroids)


def drifts_found(*, site_id: int) -> list[Found]:
    """Each clustering whose latest run moved its clusters far from the run before (matched by nearest centroid)."""
    found = []
    for config in ClusteringConfig.objects.filter(site_id=site_id):
        runs = list(config.runs.filter(status=ClusteringRun.Status.DONE).order_by("-finished_at", "-pk")[:2])
        if len(runs) < 2 or runs[0].feature_names != runs[1].feature_names:
            continue  # nothing to compare, or other features: their centroids lie in different spaces
        new, old = runs
        try:
            drift = drift_between(run_clusters(old), run_clusters(new))
        except ValueError as error:  # e.g. PCA kept another number of dimensions
            logger.info("runs %s and %s of %s cannot be compared: %s", old.pk, new.pk, config, error)
            continue
        if drift.flagged:
            day = timezone.localdate(new.finished_at or new.created_at, timezone=UTC)
            found.append(Found("drift", config.name, day, drift.value, drift.threshold,
                               drift.value / max(drift.threshold, 1e-9),
                               f"{config.name}, run {old.pk} to run {new.pk}: {drift.description}"))
    return found


def findings_detect_due() -> int:
    """The hourly job: every site's clusterings compared at each run (they are re-run hourly), its days judged
    once a day (a day's counts are final once it has ended; a failed run is retried the next hour). Returns the
    findings stored."""
    today, stored = timezone.now().date(), 0
    for site_id in Site.objects.order_by("pk").values_list("pk", flat=True):
        marker = JUDGED_KEY.format(site_id=site_id, day=today)
        try:
            if cache.get(marker):
                stored += len(findings_store(site_id=site_id, found=drifts_found(site_id=site_id)))
                continue
            stored += len(findings_detect(site_id=site_id, today=today))
            cache.set(marker, True, JUDGED_SECONDS)
        except Exception:  # one site's failure must not keep the others' findings back
            logger.exception("findings of site %s could not be detected; the next hourly run tries again", site_id)
    return stored
