"""Aggregate exports: visitors and page views per page and per content category, optionally with
differential privacy (Laplace noise, ATTUNE["AGGREGATE_EPSILON"]).

What one visitor can change is bounded first, so the noise can be calibrated: a visitor counts in at most
AGGREGATE_MAX_ROWS_PER_VISITOR rows per table (their most viewed ones) and with at most
AGGREGATE_MAX_VIEWS_PER_ROW page views per row. The budget ε is split evenly over the four released
vectors (visitors and views, per page and per category)."""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from consent.noise import noisy_count

from ..models import Event, Site, Visitor


@dataclass(frozen=True)
class AggregateRow:
    table: str  # "page" or "category"
    key: str
    visitors: int
    pageviews: int


def bounded_totals(views: dict[str, Counter], *, max_rows: int, max_views: int) -> tuple[Counter, Counter]:
    """(visitors per key, page views per key) with each visitor's contribution bounded."""
    visitors, pageviews = Counter(), Counter()
    for per_key in views.values():
        for key, n in sorted(per_key.items(), key=lambda item: (-item[1], item[0]))[:max_rows]:
            visitors[key] += 1
            pageviews[key] += min(n, max_views)
    return visitors, pageviews


def aggregates_compute(*, site: Site, since: datetime, until: datetime, epsilon: float | None = None,
                       seed: int | None = None) -> list[AggregateRow]:
    """Visitors and page views per page path and per category between `since` and `until`, bots left out."""
    attune = settings.ATTUNE
    max_rows, max_views = attune["AGGREGATE_MAX_ROWS_PER_VISITOR"], attune["AGGREGATE_MAX_VIEWS_PER_ROW"]
    epsilon = attune["AGGREGATE_EPSILON"] if epsilon is None else epsilon
    by_page: dict[str, Counter] = defaultdict(Counter)
    by_category: dict[str, Counter] = defaultdict(Counter)
    bots = Visitor.objects.filter(site=site, is_bot=True).values("visitor_id")  # flagged, not counted
    views = Event.objects.filter(site=site, type="page_view", ts__gte=since, ts__lt=until).exclude(visitor_id__in=bots)
    for visitor_id, path, category in views.values_list("visitor_id", "path", "category").iterator(chunk_size=5000):
        by_page[visitor_id][path] += 1
        if category:
            by_category[visitor_id][category] += 1
    rng = random.SystemRandom() if seed is None else random.Random(seed)
    rows = []
    for table, per_visitor in (("page", by_page), ("category", by_category)):
        visitors, pageviews = bounded_totals(per_visitor, max_rows=max_rows, max_views=max_views)
        for key in sorted(visitors):
            v, p = visitors[key], pageviews[key]
            if epsilon:
                share = epsilon / 4
                v = noisy_count(v, epsilon=share, sensitivity=max_rows, rng=rng)
                p = noisy_count(p, epsilon=share, sensitivity=max_rows * max_views, rng=rng)
            rows.append(AggregateRow(table=table, key=key, visitors=v, pageviews=p))
    return rows
