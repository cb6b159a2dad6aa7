"""Related items for a 'show recommendations' rule, from the sources a site's catalogue registers (the demo's shop and
news register theirs in its AppConfig.ready); rules never read a catalogue's tables itself."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from personalization.decisions import PageContext
from personalization.selectors import events_for_profile, profile_for_visitor

from .assignment import bucket
from .models import ItemNeighbours
from .recommend_math import TYPE_PREFIX, diversified, ranked

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    image_url: str = ""
    note: str = ""  # a price, a category


@dataclass(frozen=True)
class ItemsWanted:
    """What to recommend for: the site, the page being shown (its type and category), the visitor, how many."""

    site_id: int
    page: PageContext
    visitor_id: str
    limit: int


ItemSource = Callable[[ItemsWanted], list[Item]]
_sources: dict[str, ItemSource] = {}


def item_source_register(name: str, source: ItemSource) -> None:
    """Add (or replace, by name) a source of related items; sources are asked in the order they were registered."""
    _sources[name] = source


def items_related(wanted: ItemsWanted) -> list[Item]:
    """Up to `wanted.limit` items the sources suggest for the page, the page itself left out; [] when none do."""
    found: list[Item] = []
    for name, source in list(_sources.items()):
        try:
            items = source(wanted)
        except Exception:  # a catalogue's bug leaves the slot's default in place, never a broken page
            logger.exception("item source %s failed", name)
            continue
        found.extend(item for item in items if item.url != wanted.page.path and item not in found)
        if len(found) >= wanted.limit:
            break
    return found[: wanted.limit]


ITEM_PAGE_TYPES = frozenset({"product", "article"})  # pages that are items; on others any item may be recommended


def item_keys_recommended(*, site_id: int, page: PageContext, visitor_id: str, limit: int) -> list[str]:
    """Up to `limit` item keys (product ids, article paths) for the page and visitor, from the computed neighbours:
    co-visited items, then those opened next, ranked by the visitor's category affinity, filled up with the
    popular items of the page's category; never the page's own item nor what the visitor bought. [] until the
    hourly job has run for the site."""
    here = page_neighbours(site_id=site_id, page=page)
    profile = profile_for_visitor(site_id=site_id, visitor_id=visitor_id) if visitor_id else None
    exclude = items_bought(profile=profile) | ({here.item} if here else set())
    kind = page.page_type if page.page_type in ITEM_PAGE_TYPES else ""
    related = [tuple(pair) for pair in here.related] if here else []
    following = [tuple(pair) for pair in here.following] if here else []
    candidates = ItemNeighbours.objects.filter(site_id=site_id, item__in=[key for key, _ in related + following])
    if kind:
        candidates = candidates.filter(page_type=kind)
    category_of = dict(candidates.values_list("item", "category"))
    affinity = profile.category_affinities if profile else {}
    keys = ranked(related=[pair for pair in related if pair[0] in category_of],
                  following=[pair for pair in following if pair[0] in category_of],
                  affinity=affinity, category_of=category_of,
                  popular=items_popular(site_id=site_id, page_type=kind, category=page.category,
                                        count=limit + len(exclude)),
                  exclude=exclude, limit=limit)
    if not exploring(visitor_id=visitor_id, page=page):
        return keys
    candidates = items_popular(site_id=site_id, page_type=kind, category="", count=3 * limit + len(exclude))
    favourite = max(affinity, key=affinity.get) if affinity else page.category
    return diversified(keys, candidates=candidates, category_of=items_categories(site_id=site_id, keys=candidates),
                       favourite=favourite, exclude=exclude, limit=limit)


def exploring(*, visitor_id: str, page: PageContext) -> bool:
    """Whether this visitor's list on this page explores (ATTUNE["EXPLORATION_SHARE"] of visitor and page pairs,
    the same on every reload): its last place goes to a popular item outside their favourite category."""
    share = settings.ATTUNE["EXPLORATION_SHARE"]
    return bool(visitor_id) and share > 0 and bucket(visitor_id=visitor_id, salt=f"explore:{page.path}") < share


def items_categories(*, site_id: int, keys: list[str]) -> dict[str, str]:
    return dict(ItemNeighbours.objects.filter(site_id=site_id, item__in=keys).values_list("item", "category"))


def page_neighbours(*, site_id: int, page: PageContext) -> ItemNeighbours | None:
    """The computed row of the page's item (found by its path), else that of its page type."""
    rows = ItemNeighbours.objects.filter(site_id=site_id)
    found = rows.filter(path=page.path[:500]).exclude(path="").first()
    if found is None and page.page_type and page.page_type not in ITEM_PAGE_TYPES:
        found = rows.filter(item=f"{TYPE_PREFIX}{page.page_type}").first()
    return found


def items_popular(*, site_id: int, page_type: str, category: str, count: int) -> list[str]:
    """The `count` items viewed in most sessions, of `category` and `page_type` when given."""
    rows = ItemNeighbours.objects.filter(site_id=site_id, sessions__gt=0).exclude(item__startswith=TYPE_PREFIX)
    if page_type:
        rows = rows.filter(page_type=page_type)
    if category:
        rows = rows.filter(category=category)
    return list(rows.order_by("-sessions", "item").values_list("item", flat=True)[:count])


def items_bought(*, profile) -> set[str]:
    """The items the person's purchases named (a purchase event's `products`), on any of their devices."""
    if profile is None:
        return set()
    tracked = events_for_profile(profile_id=profile.pk, types=["track"], limit=200)
    return {key for event in tracked if event.name == "purchase" and isinstance(event.props, dict)
            for key in event.props.get("products", []) if isinstance(key, str)}
