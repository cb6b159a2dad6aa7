"""Reads for admin: a run's charts, its clusters as a heat map, sizes across runs, moves between segments."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from consent.remembered import Remembered

from .models import Cluster, ClusteringConfig, ClusteringRun, Membership, MembershipChange, Segment

SIZE_RUNS = 30  # runs shown in "sizes over time"
NEW, GONE = "(not clustered before)", "(no longer clustered)"


def run_chart_data(*, run: ClusteringRun) -> dict:
    """What charts.js draws for a run: curves, dendrogram, scatter and sizes across runs, as JSON values."""
    clusters = list(run.clusters.select_related("segment"))
    return {
        "curves": {**run.curves, "chosen": run.k},
        "dendrogram": {key: run.dendrogram.get(key, []) for key in ("icoord", "dcoord", "leaf_labels")},
        "scatter": {**run.scatter, "names": {c.index: cluster_label(c) for c in clusters}},
        "sizes": segment_sizes_by_run(config=run.config),
    }


def cluster_label(cluster: Cluster) -> str:
    return cluster.segment.name if cluster.segment_id else f"cluster {cluster.index + 1}"


def segment_sizes_by_run(*, config: ClusteringConfig, limit: int = SIZE_RUNS) -> dict:
    """{"runs": run labels oldest first, "series": {segment name: sizes (None where absent)}} for the
    configuration's latest finished runs."""
    runs = list(config.runs.filter(status=ClusteringRun.Status.DONE).order_by("-finished_at", "-pk")[:limit])[::-1]
    position = {run.pk: i for i, run in enumerate(runs)}
    series: dict[str, list] = {}
    for cluster in Cluster.objects.filter(run__in=runs).select_related("segment").order_by("run_id", "index"):
        sizes = series.setdefault(cluster_label(cluster), [None] * len(runs))
        sizes[position[cluster.run_id]] = cluster.size
    labels = [f"#{run.pk} {run.finished_at:%m-%d %H:%M}" if run.finished_at else f"#{run.pk}" for run in runs]
    return {"runs": labels, "series": series}


@dataclass(frozen=True)
class HeatRow:
    cluster: Cluster
    name: str
    cells: tuple[tuple[float | None, float, str], ...]  # (mean, z, css class) per feature


def z_class(z: float) -> str:
    """A CSS class for a z-score, in steps of half a standard deviation, capped at ±2."""
    step = max(-4, min(4, round(z * 2)))
    return f"z{'m' if step < 0 else 'p'}{abs(step)}"


def heat_map(*, run: ClusteringRun) -> list[HeatRow]:
    """The run's clusters by feature: mean and z-score against the population."""
    rows = []
    for cluster in run.clusters.select_related("segment"):
        cells = tuple((cluster.means.get(name), float(cluster.z_scores.get(name, 0.0)),
                       z_class(float(cluster.z_scores.get(name, 0.0)))) for name in run.feature_names)
        rows.append(HeatRow(cluster, cluster_label(cluster), cells))
    return rows


@dataclass(frozen=True)
class Transitions:
    """People moved by a run, from the segment they were in (rows) to the one they are in now (columns)."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    moved: int


def run_transitions(*, run: ClusteringRun) -> Transitions:
    """Who stayed and who moved between the configuration's segments when `run` replaced the memberships."""
    changes = MembershipChange.objects.filter(reason=f"clustering run {run.pk}").values_list(
        "profile_id", "segment__name", "entered")
    came_from, went_to = {}, {}
    for profile_id, name, entered in changes:
        (went_to if entered else came_from)[profile_id] = name
    moves = Counter((came_from.get(p, NEW), went_to.get(p, GONE)) for p in set(came_from) | set(went_to))
    entered_count = Counter(went_to.values())
    for cluster in run.clusters.select_related("segment"):
        name = cluster_label(cluster)
        stayed = cluster.size - entered_count.get(name, 0)
        if stayed > 0:
            moves[(name, name)] += stayed
    sources = sorted({s for s, _ in moves}, key=lambda s: (s == NEW, s))
    targets = sorted({t for _, t in moves}, key=lambda t: (t == GONE, t))
    counts = tuple(tuple(moves.get((s, t), 0) for t in targets) for s in sources)
    return Transitions(tuple(sources), tuple(targets), counts, moved=sum(n for (s, t), n in moves.items() if s != t))



def segment_size_history(*, segment: Segment) -> dict:
    """{"days": ISO dates from the first change to today, "sizes": members at the end of each}."""
    first = MembershipChange.objects.filter(segment=segment).order_by("at").values_list("at", flat=True).first()
    today = timezone.localdate()
    since = timezone.localdate(first) if first else today
    days = [since + timedelta(days=n) for n in range((today - since).days + 1)]
    sizes = segment_sizes_by_day(segment_ids=[segment.pk], days=days)[segment.pk]
    return {"days": [day.isoformat() for day in days], "sizes": list(sizes)}


def segment_sizes_by_day(*, segment_ids: list[int], days: list[date]) -> dict[int, tuple[int, ...]]:
    """Each segment's members at the end of each of `days` (consecutive days of the current time zone): today's
    count walked back through the entered and left history, so history purged before the first day does not
    matter."""
    start = datetime.combine(days[0], time.min, tzinfo=timezone.get_current_timezone())
    current = dict(Membership.objects.filter(segment_id__in=segment_ids).values("segment_id").annotate(n=Count("pk"))
                   .values_list("segment_id", "n"))
    net: dict[int, dict[date, int]] = {pk: {} for pk in segment_ids}
    for row in (MembershipChange.objects.filter(segment_id__in=segment_ids, at__gte=start).annotate(day=TruncDate("at"))
                .values("segment_id", "day").order_by()
                .annotate(came=Count("pk", filter=Q(entered=True)), went=Count("pk", filter=Q(entered=False)))):
        net[row["segment_id"]][row["day"]] = row["came"] - row["went"]
    sizes = {}
    for pk in segment_ids:
        size = current.get(pk, 0) - sum(n for day, n in net[pk].items() if day > days[-1])
        walked = []
        for day in reversed(days):
            walked.append(size)
            size -= net[pk].get(day, 0)
        sizes[pk] = tuple(reversed(walked))
    return sizes


_has_segments = Remembered(seconds=10)


def site_has_segments(site_id: int) -> bool:
    """Whether a site has any segment (remembered for a few seconds: asked at every write; forgotten when a segment
    is saved or deleted in this process)."""
    return _has_segments.get(str(site_id), lambda: Segment.objects.filter(site_id=site_id, retired=False).exists())


def segments_cache_clear() -> None:
    _has_segments.clear()


def segment_stamps(site_id: int, visitor_ids: list[str]) -> dict[str, dict[str, object]]:
    """The segments (slugs, comma-separated) each visitor is in now, stamped on the events being stored."""
    if not site_has_segments(site_id):
        return {}
    found: dict[str, list[str]] = {}
    wanted = set(visitor_ids)
    rows = (Membership.objects.filter(segment__site_id=site_id, segment__retired=False,
                                      profile__visitors__visitor_id__in=visitor_ids)
            .values_list("profile__visitors__visitor_id", "segment__slug").order_by("segment__slug"))
    for visitor_id, slug in rows:
        if visitor_id in wanted:
            found.setdefault(visitor_id, []).append(slug)
    return {visitor_id: {"segments": ",".join(slugs)[:200]} for visitor_id, slugs in found.items()}
