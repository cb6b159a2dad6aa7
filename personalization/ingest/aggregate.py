"""Visitor profile aggregates, updated incrementally and rebuilt from scratch alike (pure).

Every field is a sum, a count, a min or a max over events and sessions, except the cart,
which follows cart events in time order; a cart event older than the last one applied
asks the caller to recompute the cart from stored events.
"""

from dataclasses import dataclass, field, fields

from .activity import CART_ADD, CART_REMOVE, PURCHASE, Activity, cents, event_key, goal_of, quantity
from .sessionize import SessionSummary, page_engaged


@dataclass(slots=True)
class ProfileState:
    first_seen_ms: int | None = None
    last_seen_ms: int | None = None
    events: int = 0
    sessions: int = 0
    pageviews: int = 0
    engaged_ms: int = 0
    scroll_sum: int = 0
    scrolled_pages: int = 0
    scroll_max: int = 0
    clicks: int = 0
    hovers: int = 0
    conversions: int = 0
    revenue_cents: int = 0
    event_counts: dict = field(default_factory=dict)
    goal_counts: dict = field(default_factory=dict)
    category_views: dict = field(default_factory=dict)
    category_engaged_ms: dict = field(default_factory=dict)
    device_type: str = ""
    device_ms: int | None = None
    cart_items: int = 0
    cart_value_cents: int = 0
    last_purchase_ms: int | None = None
    cart_updated_ms: int | None = None


PROFILE_FIELDS = tuple(f.name for f in fields(ProfileState))


def count_into(counts: dict, key: str, n: int) -> None:
    if key:
        total = counts.get(key, 0) + n
        if total:
            counts[key] = total
        else:
            counts.pop(key, None)


def profile_add_activities(state: ProfileState, activities: list[Activity], goals: frozenset[str]) -> bool:
    """Add newly stored events (sorted by time) to `state`; False when the cart must be recomputed."""
    cart_in_order = True
    for activity in activities:
        ts = activity.ts_ms
        state.first_seen_ms = ts if state.first_seen_ms is None else min(state.first_seen_ms, ts)
        state.last_seen_ms = ts if state.last_seen_ms is None else max(state.last_seen_ms, ts)
        state.events += 1
        count_into(state.event_counts, event_key(activity), 1)
        if activity.type == "page_view":
            state.pageviews += 1
            count_into(state.category_views, activity.category, 1)
        elif activity.type == "click":
            state.clicks += 1
        elif activity.type == "hover":
            state.hovers += 1
        goal = goal_of(activity, goals)
        if goal:
            state.conversions += 1
            count_into(state.goal_counts, goal, 1)
        if activity.type == "track" and activity.name == PURCHASE:
            state.revenue_cents += cents(activity.props.get("revenue", activity.props.get("value")))
        if activity.device_type and (state.device_ms is None or (ts, activity.device_type) > (state.device_ms, state.device_type)):
            state.device_ms, state.device_type = ts, activity.device_type
        if activity.is_cart_event:
            if state.cart_updated_ms is not None and ts <= state.cart_updated_ms:
                cart_in_order = False
            else:
                cart_apply(state, activity)
    return cart_in_order


def cart_apply(state: ProfileState, activity: Activity) -> None:
    """One cart event, applied after every earlier one."""
    props = activity.props
    if activity.name == PURCHASE:
        state.cart_items, state.cart_value_cents, state.last_purchase_ms = 0, 0, activity.ts_ms
    else:
        sign = 1 if activity.name == CART_ADD else -1 if activity.name == CART_REMOVE else 0
        n = quantity(props)
        state.cart_items = max(0, state.cart_items + sign * n)
        state.cart_value_cents = max(0, state.cart_value_cents + sign * n * cents(props.get("price", 0)))
        if state.cart_items == 0:
            state.cart_value_cents = 0
    state.cart_updated_ms = activity.ts_ms


def cart_recompute(state: ProfileState, cart_activities: list[Activity]) -> None:
    """Set the cart from all of a profile's cart events, whatever order they arrived in."""
    state.cart_items = state.cart_value_cents = 0
    state.last_purchase_ms = state.cart_updated_ms = None
    for activity in sorted(cart_activities, key=lambda a: (a.ts_ms, a.event_id)):
        cart_apply(state, activity)


def cart_items_at(cart_activities: list[Activity], until_ms: int) -> int:
    """How many items the cart held just after `until_ms`, from a person's cart events (any order)."""
    state = ProfileState()
    cart_recompute(state, [activity for activity in cart_activities if activity.ts_ms <= until_ms])
    return state.cart_items


def profile_add_sessions(state: ProfileState, *, before: list[SessionSummary], after: list[SessionSummary]) -> None:
    """Replace the contribution of sessions `before` with that of sessions `after`."""
    for sign, summaries in ((-1, before), (1, after)):
        for summary in summaries:
            state.sessions += sign
            state.engaged_ms += sign * summary.engaged_ms
            state.scroll_sum += sign * summary.scroll_sum
            state.scrolled_pages += sign * len(summary.pages)
            for page in summary.pages.values():
                count_into(state.category_engaged_ms, page[2], sign * page_engaged(page))
    # The deepest scroll never goes down as sessions merge; only erasure lowers it.
    state.scroll_max = max([state.scroll_max] + [summary.scroll_max for summary in after])


def profile_merge(into: ProfileState, other: ProfileState) -> None:
    """Fold another person's profile into `into` (identity stitching). The cart is left to a recompute."""
    for name in ("events", "sessions", "pageviews", "engaged_ms", "scroll_sum", "scrolled_pages", "clicks", "hovers",
                 "conversions", "revenue_cents"):
        setattr(into, name, getattr(into, name) + getattr(other, name))
    for name in ("event_counts", "goal_counts", "category_views", "category_engaged_ms"):
        counts = getattr(into, name)
        for key, n in getattr(other, name).items():
            count_into(counts, key, n)
    into.scroll_max = max(into.scroll_max, other.scroll_max)
    seen_first = [ms for ms in (into.first_seen_ms, other.first_seen_ms) if ms is not None]
    seen_last = [ms for ms in (into.last_seen_ms, other.last_seen_ms) if ms is not None]
    into.first_seen_ms = min(seen_first) if seen_first else None
    into.last_seen_ms = max(seen_last) if seen_last else None
    if other.device_ms is not None and (into.device_ms is None or (other.device_ms, other.device_type) > (into.device_ms, into.device_type)):
        into.device_ms, into.device_type = other.device_ms, other.device_type


def profile_from_scratch(
    activities: list[Activity], sessions: list[SessionSummary], goals: frozenset[str]
) -> ProfileState:
    """A profile computed from all of a person's events and sessions."""
    state = ProfileState()
    ordered = sorted(activities, key=lambda a: (a.ts_ms, a.event_id))
    profile_add_activities(state, ordered, goals)
    cart_recompute(state, [activity for activity in ordered if activity.is_cart_event])
    profile_add_sessions(state, before=[], after=sessions)
    return state
