"""The site overview: visitors, sessions, engaged time, conversions and consent rates per day, and each segment's size
per day. Aggregated in the database by a few GROUP BY queries over sessions, devices, consent records and membership
history; the events table is never read (sessions already sum it), so a year of a busy site stays quick."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from consent.categories import categories
from consent.models import ConsentRecord
from personalization.models import Session, Visitor
from personalization.selectors import site_for_id
from segments.models import Cluster, ClusteringRun, Membership, Segment
from segments.selectors import segment_sizes_by_day

from .dashboard_filters import day_window, days_between, range_problem


class OverviewInvalid(ValueError):
    """A range, site or segment the overview cannot be drawn for; the message says what to change."""


@dataclass(frozen=True)
class Figures:
    """One day's figures, or the whole period's (day None). Visitors are devices (visitor ids), bots left out."""

    day: date | None
    visitors: int = 0
    new_visitors: int = 0  # first seen that day (in the period, for the totals)
    sessions: int = 0
    engaged_ms: int = 0
    conversions: int = 0
    revenue_cents: int = 0
    consent_choices: int = 0
    granted: dict[str, int] = field(default_factory=dict)  # category key -> choices that granted it

    @property
    def returning_visitors(self) -> int:
        return max(0, self.visitors - self.new_visitors)

    @property
    def revenue(self) -> float:
        return self.revenue_cents / 100

    @property
    def engaged_minutes(self) -> float:
        return self.engaged_ms / 60_000

    @property
    def minutes_per_session(self) -> float:
        return self.engaged_minutes / self.sessions if self.sessions else 0.0

    def consent_rate(self, key: str) -> float | None:
        """The share of the consent choices that granted category `key` (None without choices)."""
        return min(1.0, self.granted.get(key, 0) / self.consent_choices) if self.consent_choices else None


@dataclass(frozen=True)
class Overview:
    site_id: int
    since: date
    until: date
    segment_slug: str
    categories: tuple[tuple[str, str], ...]  # (key, label) in banner order
    days: tuple[Figures, ...]
    totals: Figures


def people_of(*, site_id: int, segment_slug: str) -> QuerySet:
    """The site's devices counted in the overview: not bots, and of the segment's members when a segment is named."""
    devices = Visitor.objects.filter(site_id=site_id, is_bot=False)
    if segment_slug:
        segment = Segment.objects.filter(site_id=site_id, slug=segment_slug).first()
        if segment is None:
            raise OverviewInvalid(f"This site has no segment “{segment_slug}”: pick one of its segments, or none.")
        devices = devices.filter(profile_id__in=Membership.objects.filter(segment=segment).values("profile_id"))
    return devices


def of_people(rows: QuerySet, *, site_id: int, devices: QuerySet, segment_slug: str) -> QuerySet:
    """Rows (carrying a visitor_id) of the overview's people: the segment's devices, or everyone but bots."""
    if segment_slug:
        return rows.filter(visitor_id__in=devices.values("visitor_id"))
    # Bots are few: leaving them out is cheaper than naming everyone else.
    return rows.exclude(visitor_id__in=Visitor.objects.filter(site_id=site_id, is_bot=True).values("visitor_id"))


def session_days(sessions: QuerySet) -> dict[date, dict]:
    """Per day a session started: sessions, distinct visitors, engaged time, conversions and revenue."""
    rows = (sessions.annotate(day=TruncDate("started_at")).values("day")
            .annotate(sessions=Count("pk"), visitors=Count("visitor_id", distinct=True),
                      engaged_ms=Sum("engaged_ms"), conversions=Sum("conversions"), revenue_cents=Sum("revenue_cents"))
            .order_by("day"))
    return {row.pop("day"): row for row in rows}


def new_visitor_days(devices: QuerySet, window: tuple[datetime, datetime]) -> dict[date, int]:
    """Devices first seen, per day."""
    rows = (devices.filter(first_seen__gte=window[0], first_seen__lt=window[1]).annotate(day=TruncDate("first_seen"))
            .values("day").annotate(n=Count("pk")).order_by("day"))
    return {row["day"]: row["n"] for row in rows}


def consent_days(records: QuerySet) -> dict[date, dict]:
    """Per day: consent choices made, and how many granted each category. Grouped by the granted list itself (a few
    distinct combinations a day), which reads the same on SQLite and PostgreSQL."""
    days: dict[date, dict] = defaultdict(lambda: {"choices": 0, "granted": defaultdict(int)})
    rows = (records.annotate(day=TruncDate("created_at")).values("day", "granted").annotate(n=Count("pk"))
            .order_by("day"))
    for row in rows:
        figures = days[row["day"]]
        figures["choices"] += row["n"]
        for key in row["granted"] or ():
            figures["granted"][key] += row["n"]
    return days


def site_overview(*, site_id: int, since: date, until: date, segment_slug: str = "") -> Overview:
    """A site's figures for each day from `since` to `until` (both included) and for the whole period, for everyone
    or for the members of one segment (its people's devices); bots left out. Raises OverviewInvalid."""
    problem = range_problem(since=since, until=until)
    site = site_for_id(site_id)
    if problem or site is None:
        raise OverviewInvalid(problem or "No such site: pick one of the sites.")
    start, end = window = day_window(since, until)
    devices = people_of(site_id=site_id, segment_slug=segment_slug)
    people = {"site_id": site_id, "devices": devices, "segment_slug": segment_slug}
    sessions = of_people(Session.objects.filter(site_id=site_id, started_at__gte=start, started_at__lt=end), **people)
    records = ConsentRecord.objects.filter(site_key=site.public_key, created_at__gte=start, created_at__lt=end)
    per_day, new = session_days(sessions), new_visitor_days(devices, window)
    consent = consent_days(of_people(records, **people))
    days = tuple(day_figures(day, per_day.get(day, {}), new.get(day, 0), consent.get(day))
                 for day in days_between(since, until))
    visitors = sessions.aggregate(n=Count("visitor_id", distinct=True))["n"]
    return Overview(site_id=site_id, since=since, until=until, segment_slug=segment_slug,
                    categories=tuple((c.key, str(c.label)) for c in categories()), days=days,
                    totals=figures_total(days, visitors=visitors))


def day_figures(day: date, sessions: dict, new: int, consent: dict | None) -> Figures:
    consent = consent or {"choices": 0, "granted": {}}
    return Figures(day=day, visitors=sessions.get("visitors", 0), new_visitors=new,
                   sessions=sessions.get("sessions", 0), engaged_ms=sessions.get("engaged_ms") or 0,
                   conversions=sessions.get("conversions") or 0, revenue_cents=sessions.get("revenue_cents") or 0,
                   consent_choices=consent["choices"], granted=dict(consent["granted"]))


def figures_total(days: tuple[Figures, ...], *, visitors: int) -> Figures:
    """The period's figures: sums of the days, but distinct visitors over the whole period."""
    granted: dict[str, int] = defaultdict(int)
    for figures in days:
        for key, n in figures.granted.items():
            granted[key] += n
    return Figures(day=None, visitors=visitors, new_visitors=sum(d.new_visitors for d in days),
                   sessions=sum(d.sessions for d in days), engaged_ms=sum(d.engaged_ms for d in days),
                   conversions=sum(d.conversions for d in days), revenue_cents=sum(d.revenue_cents for d in days),
                   consent_choices=sum(d.consent_choices for d in days), granted=dict(granted))


# --- Segment sizes ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SegmentSizes:
    slug: str
    name: str
    kind: str
    retired: bool
    sizes: tuple[int, ...]  # members at the end of each day


@dataclass(frozen=True)
class RunMarker:
    """A finished clustering run: when, its configuration, its k, and the segments it created."""

    day: date
    finished_at: datetime
    config: str
    k: int | None
    new_segments: tuple[str, ...]


@dataclass(frozen=True)
class SegmentEvolution:
    site_id: int
    days: tuple[date, ...]
    segments: tuple[SegmentSizes, ...]
    runs: tuple[RunMarker, ...]


def segment_evolution(*, site_id: int, since: date, until: date) -> SegmentEvolution:
    """Each of a site's segments' size at the end of each day from `since` to `until`: today's membership count
    walked back through the entered/left history; and the clustering runs finished meanwhile. Raises OverviewInvalid."""
    problem = range_problem(since=since, until=until)
    if problem:
        raise OverviewInvalid(problem)
    window, days = day_window(since, until), days_between(since, until)
    segments = list(Segment.objects.filter(site_id=site_id).order_by("kind", "name"))
    by_day = segment_sizes_by_day(segment_ids=[segment.pk for segment in segments], days=days)
    series = [SegmentSizes(slug=segment.slug, name=segment.name, kind=segment.kind, retired=segment.retired,
                           sizes=by_day[segment.pk])
              for segment in segments if any(by_day[segment.pk]) or not segment.retired]
    return SegmentEvolution(site_id=site_id, days=tuple(days), segments=tuple(series),
                            runs=run_markers(site_id=site_id, window=window))


def run_markers(*, site_id: int, window: tuple[datetime, datetime]) -> tuple[RunMarker, ...]:
    runs = list(ClusteringRun.objects.filter(config__site_id=site_id, status=ClusteringRun.Status.DONE,
                                             finished_at__gte=window[0], finished_at__lt=window[1])
                .select_related("config").order_by("finished_at"))
    created: dict[int, list[str]] = defaultdict(list)
    for run_id, name in (Cluster.objects.filter(run__in=runs, is_new=True, segment__isnull=False)
                         .order_by("index").values_list("run_id", "segment__name")):
        created[run_id].append(name)
    return tuple(RunMarker(day=timezone.localdate(run.finished_at), finished_at=run.finished_at,
                           config=run.config.name, k=run.k, new_segments=tuple(created[run.pk])) for run in runs)
