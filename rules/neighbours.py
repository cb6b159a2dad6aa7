"""The scheduled rebuild of a site's item neighbours from its page views: read in time order in chunks through
personalization's selectors, cut into sessions, counted (rules/recommend_math.py), stored in ItemNeighbours."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from personalization.models import Event, Site, Visitor
from personalization.selectors import events_for_site

from .models import ItemNeighbours
from .recommend_math import TYPE_PREFIX, SessionSplitter, Tallies, View, is_item, next_items, related_items

logger = logging.getLogger(__name__)

HISTORY_DAYS = 90
NEIGHBOURS_KEPT = 20
CHUNK_SIZE = 5000
PROGRESS_EVERY = 100_000  # page views between two progress lines in the log
ARTICLE = "article"  # an article is an item named by its path: the tracker sends no id for it


def view_item(event: Event) -> tuple[str, str]:
    """The page view's state (its product id, an article's path, else TYPE_PREFIX + its page type) and page type."""
    props = event.props if isinstance(event.props, dict) else {}
    page_type = str(props.get("page_type") or "")[:20]
    product = props.get("product")
    if isinstance(product, str) and product:
        return product[:200], page_type or "product"
    if page_type == ARTICLE and event.path:
        return event.path[:200], page_type
    return f"{TYPE_PREFIX}{page_type or 'page'}", page_type


def neighbours_compute(*, site_id: int, days: int = HISTORY_DAYS, now: datetime | None = None,
                       chunk_size: int = CHUNK_SIZE) -> int:
    """Rebuild the site's ItemNeighbours from its page views of the last `days` days (replacing what was there, so
    running it twice gives the same rows); return how many items and page types it stored."""
    now = now or timezone.now()
    splitter, tallies = SessionSplitter(), Tallies()
    seen: dict[str, tuple[str, str, str]] = {}  # item -> (path, page type, category), as last seen
    read = 0
    for chunk in events_for_site(site_id=site_id, since=now - timedelta(days=days), until=now, types=["page_view"],
                                 chunk_size=chunk_size):
        views = []
        bots = bot_visitors(site_id=site_id, visitor_ids={event.visitor_id for event in chunk})
        for event in chunk:
            if event.visitor_id in bots:  # a crawler "views" everything: no sign of what goes together
                continue
            state, page_type = view_item(event)
            seen[state] = (event.path[:500] if is_item(state) else "", page_type, event.category)
            views.append(View(event.visitor_id, int(event.ts.timestamp() * 1000), state))
        tallies.add_sessions(splitter.add(views))
        read += len(chunk)
        if read // PROGRESS_EVERY > (read - len(chunk)) // PROGRESS_EVERY:
            logger.info("item neighbours of site %s: %d page views read, %d items so far", site_id, read, len(seen))
    tallies.add_sessions(splitter.finish())
    rows = neighbour_rows(site_id=site_id, tallies=tallies, seen=seen, now=now)
    with transaction.atomic():
        ItemNeighbours.objects.filter(site_id=site_id).delete()
        ItemNeighbours.objects.bulk_create(rows, batch_size=1000)
    logger.info("item neighbours of site %s: %d page views, %d rows stored", site_id, read, len(rows))
    return len(rows)


def bot_visitors(*, site_id: int, visitor_ids: set[str]) -> set[str]:
    return set(Visitor.objects.filter(site_id=site_id, visitor_id__in=list(visitor_ids), is_bot=True)
               .values_list("visitor_id", flat=True))


def neighbour_rows(*, site_id: int, tallies: Tallies, seen: dict, now: datetime) -> list[ItemNeighbours]:
    related = related_items(tallies, n=NEIGHBOURS_KEPT)
    following = next_items(tallies, n=NEIGHBOURS_KEPT)
    states = [state for state in seen if state in tallies.sessions_with or state in following]
    return [
        ItemNeighbours(site_id=site_id, item=state, path=seen[state][0], page_type=seen[state][1],
                       category=seen[state][2][:100], sessions=tallies.sessions_with.get(state, 0),
                       related=[[key, round(score, 6)] for key, score in related.get(state, [])],
                       following=[[key, round(p, 6)] for key, p in following.get(state, [])], computed_at=now)
        for state in states
    ]


def neighbours_compute_all(*, days: int = HISTORY_DAYS) -> int:
    """Rebuild every site's item neighbours; return the rows stored."""
    return sum(neighbours_compute(site_id=site_id, days=days)
               for site_id in Site.objects.order_by("pk").values_list("pk", flat=True))
