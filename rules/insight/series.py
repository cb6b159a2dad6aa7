"""Daily series for findings, counted by the database over complete UTC days: events per type, page views and deep
reads per page, refused events per reason, and funnel steps per day (read visitor by visitor)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from personalization.models import DropCounter, DropReason, Event
from personalization.selectors import NOT_REFUSED

from ..dashboard_filters import day_window
from .engagement import DEEP_SCROLL
from .paths import FunnelCounts, sessions_split
from .reading import PAGE_VIEW, people, session_gap_ms, visitor_hits

MIN_DAILY_VOLUME = 20  # pages with fewer views than this on every day cannot peak (rules.anomalies.spikes)
PATHS_PER_QUERY = 500


def days_before(today: date, days: int) -> list[date]:
    """The `days` complete days before `today`, oldest first."""
    return [today - timedelta(days=n) for n in range(days, 0, -1)]


def day_start(day: date) -> datetime:
    return day_window(day, day)[0]


def series_of(rows: Iterable[tuple[str, date, int]], days: list[date]) -> dict[str, list[int]]:
    """{key: [count per day]} from (key, day, count) rows; days without a row count 0."""
    index = {day: n for n, day in enumerate(days)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for key, day, count in rows:
        if day in index:
            series[key][index[day]] += count
    return dict(series)


def events_in(site_id: int, days: list[date]):
    return Event.objects.filter(site_id=site_id, ts__gte=day_start(days[0]), ts__lt=day_start(days[-1]) + timedelta(1))


def daily(queryset, key: str):
    return (queryset.annotate(day=TruncDate("ts", tzinfo=UTC)).order_by().values(key, "day")
            .annotate(n=Count("id")))


def events_by_type(*, site_id: int, days: list[date]) -> dict[str, list[int]]:
    """Events stored per type and day; track events also per name, as "track: add_to_cart"."""
    rows = (events_in(site_id, days).annotate(day=TruncDate("ts", tzinfo=UTC)).order_by()
            .values_list("type", "name", "day").annotate(n=Count("id")))
    flat = []
    for type_, name, day, n in rows:
        flat.append((type_, day, n))
        if type_ == "track" and name:
            flat.append((f"track: {name}", day, n))
    return series_of(flat, days)


def per_page(*, site_id: int, days: list[date], condition: Q) -> dict[str, list[int]]:
    """Events matching `condition` per page and day, for the pages that had MIN_DAILY_VOLUME on some day."""
    counted = daily(events_in(site_id, days).filter(condition), "path")
    busy = sorted(set(counted.filter(n__gte=MIN_DAILY_VOLUME).values_list("path", flat=True)))
    rows = []
    for start in range(0, len(busy), PATHS_PER_QUERY):
        rows += counted.filter(path__in=busy[start:start + PATHS_PER_QUERY]).values_list("path", "day", "n")
    return series_of(rows, days)


def page_views_by_page(*, site_id: int, days: list[date]) -> dict[str, list[int]]:
    return per_page(site_id=site_id, days=days, condition=Q(type=PAGE_VIEW))


def deep_reads_by_page(*, site_id: int, days: list[date]) -> dict[str, list[int]]:
    return per_page(site_id=site_id, days=days, condition=Q(type="scroll", props__depth__gte=DEEP_SCROLL))


def refused_by_reason(*, site_id: int, days: list[date]) -> dict[str, list[int]]:
    """Events refused per reason (its label) and day, from the drop counters; duplicates are no refusal (their first
    copy was stored: a retry storm is no broken tracking)."""
    rows = (DropCounter.objects.filter(site_id=site_id, day__gte=days[0], day__lte=days[-1])
            .exclude(reason__in=NOT_REFUSED).order_by()
            .values_list("reason", "day").annotate(n=Sum("count")))
    labels = dict(DropReason.choices)
    return series_of(((labels.get(reason, reason), day, n) for reason, day, n in rows), days)


def funnel_days(*, site_id: int, days: list[date], funnels: list[FunnelCounts]) -> None:
    """Count the days' sessions into each funnel, keyed by the day (index in `days`) a session began; bots left
    out."""
    gap_ms, first_ms = session_gap_ms(), int(day_start(days[0]).timestamp() * 1000)
    for chunk in visitor_hits(site_id=site_id, since=day_start(days[0]), until=day_start(days[-1]) + timedelta(1)):
        known = people(site_id=site_id, visitor_ids=[visitor_id for visitor_id, _ in chunk])
        for visitor_id, hits in chunk:
            person = known.get(visitor_id)
            if person is None or person.is_bot:
                continue
            for session in sessions_split(hits, gap_ms=gap_ms):
                day = (session[0].ts_ms - first_ms) // 86_400_000
                for counts in funnels:
                    counts.add(session, keys=(day,))
