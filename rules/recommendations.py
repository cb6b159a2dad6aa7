"""Related items for a 'show recommendations' rule, from the sources a site's catalogue registers (the demo's shop and
news register theirs in its AppConfig.ready); rules never read a catalogue's tables itself."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from personalization.decisions import PageContext

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
