"""Every profile figure, declared once: its name, how it aggregates, what it is computed from and how it is stored.

The Profile model's columns, ProfileState, new profiles' defaults, the incremental updates (ingest/aggregate.py),
merging two people's profiles, loading and writing rows and the rebuild from scratch all derive from FIGURES:
adding a figure is one entry here plus a migration. Pure: no Django.

Each figure aggregates one way, so that events and sessions can be folded in in any order and profiles merged:
a sum, a min, a max, the latest value (with its time), the first session's value (with its time), per-key counts,
or an exponentially decayed count. The cart alone follows its events in time order (aggregate.cart_apply).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from .ingest.activity import PURCHASE, Activity, cents, event_key, goal_of
from .ingest.channels import daypart, weekpart
from .ingest.sessionize import CATEGORY, SessionSummary, page_engaged


class Kind(StrEnum):
    SUM = "sum"  # a count or total; a session's share is replaced when the session changes
    MIN = "min"
    MAX = "max"
    LATEST = "latest"  # the value of the latest event; its time is kept in the figure named by `at`
    FIRST = "first"  # the value of the earliest session; its time is kept in the figure named by `at`
    COUNTER = "counter"  # counts per key, {key: n}
    DECAYED = "decayed"  # log2 of Σ 2^(t / half-life) over the events it counts: order-free, read at any time
    CART = "cart"  # follows cart events in time order; recomputed when one arrives late


class Source(StrEnum):
    EVENT = "event"
    SESSION = "session"


class Storage(StrEnum):
    COUNT = "count"  # a non-negative integer
    SMALL = "small"  # a small non-negative integer
    SIGNED = "signed"  # an integer that may go below zero while it is computed
    BIG = "big"  # a 64-bit integer (milliseconds, cents)
    TIME = "time"  # milliseconds since 1970 in ProfileState, a timestamp in the table; None until known
    TEXT = "text"  # a short label
    JSON = "json"  # {key: n}
    FLOAT = "float"  # None until known


@dataclass(frozen=True)
class Figure:
    """One profile figure. `of` gives what one event or session contributes (see Kind), `types` the event types it
    reads (none: every event), `at` the figure holding a LATEST or FIRST value's time."""

    name: str
    kind: Kind
    source: Source
    storage: Storage
    description: str
    of: Callable | None = None
    types: frozenset[str] = frozenset()
    at: str = ""


PROMO_PAGE_TYPES = frozenset({"sale", "promo"})
BOUNCE_ENGAGED_MS = 10_000  # a session of one page view engaged for less than this bounced


def purchase_revenue(activity: Activity, goals: frozenset[str]) -> int:
    if activity.name != PURCHASE:
        return 0
    return cents(activity.props.get("revenue", activity.props.get("value")))


def promo_page(activity: Activity, goals: frozenset[str]) -> int:
    props = activity.props
    return 1 if props.get("page_type") in PROMO_PAGE_TYPES or props.get("discount") else 0


def video_start(activity: Activity, goals: frozenset[str]) -> int:
    """A play from the start (a resume after a pause plays from further on)."""
    props = activity.props
    percent = props.get("percent", 0)
    return 1 if props.get("action") == "play" and isinstance(percent, int | float) and percent <= 1 else 0


def page_engaged_by_category(summary: SessionSummary, goals: frozenset[str]) -> Iterable[tuple[str, int]]:
    return ((page[CATEGORY], page_engaged(page)) for page in summary.pages.values())


def one(item, goals: frozenset[str]) -> int:
    return 1


def E(name, kind, storage, description, of=None, *types, at=""):
    return Figure(name, kind, Source.EVENT, storage, description, of, frozenset(types), at)


def S(name, kind, storage, description, of=None, at=""):
    return Figure(name, kind, Source.SESSION, storage, description, of, frozenset(), at)


K, T = Kind, Storage
FIGURES: tuple[Figure, ...] = (
    E("first_seen", K.MIN, T.TIME, "Time of the first event.", lambda a, g: a.ts_ms),
    E("last_seen", K.MAX, T.TIME, "Time of the latest event.", lambda a, g: a.ts_ms),
    E("events", K.SUM, T.COUNT, "Events stored.", one),
    E("pageviews", K.SUM, T.COUNT, "Page views.", one, "page_view"),
    E("clicks", K.SUM, T.COUNT, "Clicks.", one, "click"),
    E("hovers", K.SUM, T.COUNT, "Hovers on marked elements.", one, "hover"),
    E("conversions", K.SUM, T.COUNT, "Events that reached one of the site's goals.",
      lambda a, g: 1 if goal_of(a, g) else 0),
    E("revenue_cents", K.SUM, T.BIG, "Revenue of purchases, in cents.", purchase_revenue, "track"),
    E("form_submits", K.SUM, T.COUNT, "Forms submitted.", one, "form_submit"),
    E("video_starts", K.SUM, T.COUNT, "Videos played from the start.", video_start, "video"),
    E("video_completions", K.SUM, T.COUNT, "Videos watched to the end.",
      lambda a, g: 1 if a.props.get("action") == "complete" else 0, "video"),
    E("promo_pageviews", K.SUM, T.COUNT, "Page views of sale or promotion pages (page type sale or promo, or a "
      "discount on the page).", promo_page, "page_view"),
    E("event_counts", K.COUNTER, T.JSON, "Events per type (per name for custom events).", lambda a, g: event_key(a)),
    E("goal_counts", K.COUNTER, T.JSON, "Conversions per goal.", lambda a, g: goal_of(a, g)),
    E("category_views", K.COUNTER, T.JSON, "Page views per content category.", lambda a, g: a.category, "page_view"),
    E("daypart_views", K.COUNTER, T.JSON, "Page views per part of the day (night 0-6 h, morning 6-12 h, afternoon "
      "12-18 h, evening 18-24 h, UTC).", lambda a, g: daypart(a.ts_ms), "page_view"),
    E("weekpart_views", K.COUNTER, T.JSON, "Page views on weekdays and at weekends (UTC).",
      lambda a, g: weekpart(a.ts_ms), "page_view"),
    E("pageviews_decayed", K.DECAYED, T.FLOAT, "Page views, each weighing half as much every half-life "
      "(ATTUNE PROFILE_DECAY_HALF_LIFE_DAYS) since it happened: log2 of the sum at time zero.", one, "page_view"),
    E("conversions_decayed", K.DECAYED, T.FLOAT, "Conversions, decayed like pageviews_decayed.",
      lambda a, g: 1 if goal_of(a, g) else 0),
    E("device_type", K.LATEST, T.TEXT, "Device of the latest event.", lambda a, g: a.device_type,
      at="device_seen_at"),
    E("cart_items", K.CART, T.SIGNED, "Items added minus removed since the last purchase."),
    E("cart_value_cents", K.CART, T.BIG, "Value of the items in the cart, in cents."),
    E("last_purchase_at", K.CART, T.TIME, "Time of the latest purchase."),
    E("cart_updated_at", K.CART, T.TIME, "Time of the last cart event applied."),
    S("sessions", K.SUM, T.COUNT, "Sessions.", one),
    S("engaged_ms", K.SUM, T.BIG, "Engaged time on pages, in ms.", lambda s, g: s.engaged_ms),
    S("session_ms", K.SUM, T.BIG, "Time from each session's first event to its last, in ms, summed.",
      lambda s, g: s.ended_ms - s.started_ms),
    S("scroll_sum", K.SUM, T.COUNT, "Sum over page views of the deepest scroll, in %.", lambda s, g: s.scroll_sum),
    S("scrolled_pages", K.SUM, T.COUNT, "Page views whose scroll depth is known.", lambda s, g: len(s.pages)),
    S("scroll_max", K.MAX, T.SMALL, "Deepest scroll of any page view, in %.", lambda s, g: s.scroll_max),
    S("bounced_sessions", K.SUM, T.COUNT, "Sessions of one page view engaged for less than 10 s.",
      lambda s, g: 1 if s.pageviews == 1 and s.engaged_ms < BOUNCE_ENGAGED_MS else 0),
    S("abandoned_sessions", K.SUM, T.COUNT, "Sessions that changed the cart and ended with items in it.",
      lambda s, g: 1 if s.abandoned else 0),
    S("product_entries", K.SUM, T.COUNT, "Sessions whose first page is a product page (direct product entries).",
      lambda s, g: 1 if s.entry_page_type == "product" else 0),
    S("channel_sessions", K.COUNTER, T.JSON, "Sessions per acquisition channel of their first page view (search, "
      "social, email, ads, direct, referral).", lambda s, g: ((s.entry_channel, 1),)),
    S("first_channel", K.FIRST, T.TEXT, "Acquisition channel of the first session.",
      lambda s, g: s.entry_channel, at="first_channel_at"),
    S("category_engaged_ms", K.COUNTER, T.JSON, "Engaged time per content category, in ms.", page_engaged_by_category),
)
FIGURES_BY_NAME = {figure.name: figure for figure in FIGURES}


def figure_columns() -> list[tuple[str, Storage, str]]:
    """(column, storage, description) of every column figures are kept in: the figures and their times."""
    columns = []
    for figure in FIGURES:
        columns.append((figure.name, figure.storage, figure.description))
        if figure.at:
            columns.append((figure.at, Storage.TIME, f"Time of the event or session {figure.name} was taken from."))
    return columns


STATE_FIELDS: tuple[str, ...] = tuple(name for name, _, _ in figure_columns())
