"""Pages peaking now: a page whose views in the last 60 minutes spike against its own hourly history (the 7 days
before, rules.anomalies.spikes). A scheduled job finds them every few minutes and keeps them in the cache; deciding a
page only reads that cache, and only when one of the rules being decided tests the field."""

import hashlib
import logging
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from personalization.models import Event, Site

from ..models import Finding
from .reading import PAGE_VIEW

logger = logging.getLogger(__name__)
PEAKING_KEY = "attune:insight:peaking:{site_id}"
# A little longer than the five minutes between refreshes, so a refresh that starts late leaves no gap.
PEAKING_SECONDS = 6 * 60
HISTORY_KEY = "attune:insight:hours:{site_id}:{hour}:{path}"
HISTORY_HOURS = 7 * 24
MIN_VIEWS = 20  # views in the last hour below which a page is never peaking, however quiet it usually is


def peaking_paths(*, site_id: int) -> frozenset[str]:
    """The site's pages peaking now, as the latest refresh found them; empty before any. One cache read, no query."""
    return cache.get(PEAKING_KEY.format(site_id=site_id)) or frozenset()


def page_peaking(*, site_id: int, path: str, wanted: bool) -> bool:
    """Whether the page is peaking, read from the cache only when `wanted` (a rule being decided tests the field)."""
    return wanted and path in peaking_paths(site_id=site_id)


def views_last_hour(*, site_id: int, now: datetime) -> dict[str, int]:
    """Page views per page in the 60 minutes before `now`, for pages with at least MIN_VIEWS."""
    rows = (Event.objects.filter(site_id=site_id, type=PAGE_VIEW, ts__gte=now - timedelta(hours=1), ts__lt=now)
            .order_by().values("path").annotate(n=Count("id")).filter(n__gte=MIN_VIEWS).values_list("path", "n"))
    return dict(rows)


def history_key(site_id: int, hour: datetime, path: str) -> str:
    digest = hashlib.blake2b(path.encode(), digest_size=10).hexdigest()  # any address makes a valid cache key
    return HISTORY_KEY.format(site_id=site_id, hour=hour.strftime("%Y%m%d%H"), path=digest)


def hourly_history(*, site_id: int, paths: list[str], hour: datetime) -> dict[str, list[int]]:
    """Each page's views per clock hour in the HISTORY_HOURS before `hour`; kept in the cache until that hour ends,
    so each refresh queries only the pages that started to look busy since the last."""
    keys = {path: history_key(site_id, hour, path) for path in paths}
    cached = cache.get_many(list(keys.values()))
    history = {path: cached[key] for path, key in keys.items() if key in cached}
    missing = [path for path in paths if path not in history]
    if missing:
        first = hour - timedelta(hours=HISTORY_HOURS)
        history.update({path: [0] * HISTORY_HOURS for path in missing})
        rows = (Event.objects.filter(site_id=site_id, type=PAGE_VIEW, path__in=missing, ts__gte=first, ts__lt=hour)
                .annotate(hour=TruncHour("ts", tzinfo=UTC)).order_by().values_list("path", "hour")
                .annotate(n=Count("id")))
        for path, at, n in rows:
            history[path][int((at - first).total_seconds() // 3600)] += n
        cache.set_many({keys[path]: history[path] for path in missing}, 3600)
    return history


def peaks_now(*, site_id: int, now: datetime) -> list:
    """The pages whose views in the last hour spike against their hourly history (rules.anomalies Findings)."""
    from .. import anomalies  # numpy and scipy: loaded by the job that needs them, never by the decisions' import
    recent = views_last_hour(site_id=site_id, now=now)
    hour = now.replace(minute=0, second=0, microsecond=0)
    history = hourly_history(site_id=site_id, paths=sorted(recent), hour=hour)
    series = {path: [*history[path], n] for path, n in recent.items()}
    return [found for found in anomalies.spikes(series_by_key=series, window=HISTORY_HOURS, min_volume=MIN_VIEWS)
            if found.index == HISTORY_HOURS]


def peaking_paths_refresh(*, site_id: int, now: datetime | None = None) -> frozenset[str]:
    """Find the site's pages peaking now, keep them in the cache for the decisions, and list each as a finding of
    the day (once: the hour it was first seen is kept)."""
    now = now or timezone.now()
    peaks = peaks_now(site_id=site_id, now=now)
    paths = frozenset(found.key for found in peaks)
    cache.set(PEAKING_KEY.format(site_id=site_id), paths, PEAKING_SECONDS)
    for found in peaks:
        Finding.objects.get_or_create(
            site_id=site_id, kind=Finding.Kind.SPIKE, key=found.key[:500], day=now.astimezone(UTC).date(),
            defaults={"hour": now.astimezone(UTC).hour, "value": found.value, "baseline": found.baseline,
                      "score": found.score,
                      "description": (f"{found.key} is peaking: {found.value:.0f} page views in the hour to "
                                      f"{now.astimezone(UTC):%H:%M} UTC, against a usual {found.baseline:.0f} an "
                                      "hour.")[:500]})
    return paths


def peaking_refresh_all() -> int:
    """Refresh every site's peaking pages; returns how many pages peak now."""
    peaking = 0
    for site_id in Site.objects.order_by("pk").values_list("pk", flat=True):
        try:
            peaking += len(peaking_paths_refresh(site_id=site_id))
        except Exception:  # one site's failure must not leave the others' pages stale
            logger.exception("peaking pages of site %s could not be found; the next run, in five minutes, tries again",
                             site_id)
    return peaking
