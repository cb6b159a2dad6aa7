"""Sessions from events in event time, merged incrementally (pure).

A session summary is built so that two summaries of adjacent stretches of time merge into
the summary of their union: every fact is a sum, a count, a min or a max, so folding events in
any order or merging summaries gives the same result. The cart, which does depend on order (a
purchase empties it), is the profile's (aggregate.py); a session only counts its cart changes,
and whether it ended with items in the cart is decided when it closes (services/sessions.py).
"""

from dataclasses import dataclass, field, replace

from .activity import CART_ADD, CART_REMOVE, PURCHASE, Activity, cents, goal_of

# A page view's figures in a session, stored as a compact list (Session.pages) and read by these names.
ENGAGED, SCROLL, CATEGORY, LOWEST_ENGAGED, BEGAN_HERE = range(5)

@dataclass(slots=True)
class SessionSummary:
    started_ms: int
    ended_ms: int
    id: int | None = None
    events: int = 0
    pageviews: int = 0
    conversions: int = 0
    revenue_cents: int = 0
    purchased: bool = False
    cart_changes: int = 0  # items added to or removed from the cart: events, not quantities
    entry: tuple = ()  # (ts_ms, channel, page type, path, referrer) of the first page view
    exit: tuple = ()  # (ts_ms, path) of the last page view
    device_type: str = ""
    device_ms: int = 0  # time of the event the device type was taken from (the first one)
    pages: dict = field(default_factory=dict)  # page view id -> its figures in this session (page_of)
    abandoned: bool = False  # decided when the session closes (services/sessions.py); a new event reopens it

    @property
    def entry_channel(self) -> str:
        return self.entry[1] if self.entry else ""

    @property
    def entry_page_type(self) -> str:
        return self.entry[2] if self.entry else ""

    @property
    def engaged_ms(self) -> int:
        return sum(page_engaged(page) for page in self.pages.values())

    @property
    def scroll_max(self) -> int:
        return max((page[SCROLL] for page in self.pages.values()), default=0)

    @property
    def scroll_sum(self) -> int:
        return sum(page[SCROLL] for page in self.pages.values())


def summary_of(activity: Activity, goals: frozenset[str]) -> SessionSummary:
    """The summary of a session made of one event."""
    summary = SessionSummary(started_ms=activity.ts_ms, ended_ms=activity.ts_ms, events=1)
    summary.device_type, summary.device_ms = activity.device_type, activity.ts_ms
    if activity.type == "page_view":
        summary.pageviews = 1
        summary.entry = entry_of(activity)
        summary.exit = (activity.ts_ms, activity.path)
    if goal_of(activity, goals):
        summary.conversions = 1
    if activity.type == "track":
        if activity.name == PURCHASE:
            summary.purchased = True
            summary.revenue_cents = cents(activity.props.get("revenue", activity.props.get("value")))
        elif activity.name in (CART_ADD, CART_REMOVE):
            summary.cart_changes = 1
    if activity.page_view_id:
        summary.pages[activity.page_view_id] = page_of(activity)
    return summary


def entry_of(page_view: Activity) -> tuple:
    """A page view as a session's entry. Ordered by time, then channel: the profile's first channel (figures.py)
    is the least (time, channel) of its sessions' entries, so that sessions and profiles agree on ties."""
    page_type = page_view.props.get("page_type")
    return (page_view.ts_ms, page_view.channel, page_type if isinstance(page_type, str) else "", page_view.path,
            page_view.referrer)


def page_of(activity: Activity) -> list:
    """A page view's figures in a session from one of its events: [the highest cumulative engaged time reported,
    the deepest scroll %, the category, the lowest cumulative engaged time reported (None before any), 1 when the
    page view began in this session (its page_view event is here)]."""
    engaged = activity.props.get("engaged_ms", 0) if activity.type == "engagement" else 0
    scroll = activity.props.get("depth", 0) if activity.type == "scroll" else 0
    return [engaged, scroll, activity.category, engaged if activity.type == "engagement" else None,
            1 if activity.type == "page_view" else 0]


def page_fold(page: list, other: list) -> None:
    """Fold another part of the same page view's figures in one session into `page`, in place."""
    if other[ENGAGED] > page[ENGAGED]:
        page[ENGAGED] = other[ENGAGED]
    if other[SCROLL] > page[SCROLL]:
        page[SCROLL] = other[SCROLL]
    if other[CATEGORY] > page[CATEGORY]:
        page[CATEGORY] = other[CATEGORY]
    lowest = other[LOWEST_ENGAGED]
    if lowest is not None and (page[LOWEST_ENGAGED] is None or lowest < page[LOWEST_ENGAGED]):
        page[LOWEST_ENGAGED] = lowest
    page[BEGAN_HERE] = page[BEGAN_HERE] or other[BEGAN_HERE]


def page_engaged(page: list) -> int:
    """The engaged time a page view adds to a session. The tracker reports it as a running total per page view; a
    page left open through a session's end (a tab the visitor comes back to hours later) goes on from its earlier
    total, which the earlier session has counted already: here it adds only what it was seen to gain, from its
    first report in this session to its last. What it gained before that first report is not seen (reports come
    at 15 s, 30 s, then every minute of engaged time, and when the page is hidden): up to a minute, or all of a
    short return that sent a single report."""
    engaged, _, _, lowest, began_here = page
    if began_here:
        return engaged
    return engaged - lowest if lowest is not None else 0


def summary_add(summary: SessionSummary, activity: Activity, goals: frozenset[str]) -> None:
    """Add one event to `summary` in place: the cheap equivalent of merging with the event's own summary."""
    ts = activity.ts_ms
    if ts < summary.started_ms:
        summary.started_ms = ts
    if ts > summary.ended_ms:
        summary.ended_ms = ts
    summary.events += 1
    if (ts, activity.device_type) < (summary.device_ms, summary.device_type):
        summary.device_ms, summary.device_type = ts, activity.device_type
    if activity.type == "page_view":
        summary.pageviews += 1
        entry = entry_of(activity)
        summary.entry = min(summary.entry, entry) if summary.entry else entry
        summary.exit = max(summary.exit, (ts, activity.path)) if summary.exit else (ts, activity.path)
    if goal_of(activity, goals):
        summary.conversions += 1
    if activity.type == "track":
        if activity.name == PURCHASE:
            summary.purchased = True
            summary.revenue_cents += cents(activity.props.get("revenue", activity.props.get("value")))
        elif activity.name in (CART_ADD, CART_REMOVE):
            summary.cart_changes += 1
    if activity.page_view_id:
        page = summary.pages.get(activity.page_view_id)
        if page is None:
            summary.pages[activity.page_view_id] = page_of(activity)
        else:
            page_fold(page, page_of(activity))


def summary_merge(earlier: SessionSummary, later: SessionSummary) -> SessionSummary:
    """The summary of two stretches of one session."""
    merged = SessionSummary(
        started_ms=min(earlier.started_ms, later.started_ms),
        ended_ms=max(earlier.ended_ms, later.ended_ms),
        id=earlier.id if earlier.id is not None else later.id,
        events=earlier.events + later.events,
        pageviews=earlier.pageviews + later.pageviews,
        conversions=earlier.conversions + later.conversions,
        revenue_cents=earlier.revenue_cents + later.revenue_cents,
        purchased=earlier.purchased or later.purchased,
        cart_changes=earlier.cart_changes + later.cart_changes,
        entry=min(part for part in (earlier.entry, later.entry) if part) if earlier.entry or later.entry else (),
        exit=max(part for part in (earlier.exit, later.exit) if part) if earlier.exit or later.exit else (),
    )
    merged.device_ms, merged.device_type = min(
        (earlier.device_ms, earlier.device_type), (later.device_ms, later.device_type)
    )
    merged.pages = {key: list(value) for key, value in earlier.pages.items()}
    for key, value in later.pages.items():
        page = merged.pages.get(key)
        if page is None:
            merged.pages[key] = list(value)
        else:
            page_fold(page, value)
    return merged


@dataclass
class SessionChange:
    """What a set of new events does to one visitor's sessions."""

    upserts: list[SessionSummary]
    deletes: list[int]
    before: list[SessionSummary]  # the existing sessions the change replaces


def sessions_apply(
    existing: list[SessionSummary], activities: list[Activity], *, gap_ms: int, goals: frozenset[str]
) -> SessionChange:
    """Fold new events into a visitor's sessions. `existing` must hold every session that ends
    after the earliest new event minus the gap and starts before the latest plus the gap."""
    parts = sorted(
        [(s.started_ms, 0, s.ended_ms, "", s) for s in existing]
        + [(a.ts_ms, 1, a.ts_ms, a.event_id, a) for a in activities],
        key=lambda part: part[:4],
    )
    groups: list[list] = []
    group_end = None
    for started_ms, _kind, ended_ms, _, part in parts:
        if group_end is None or started_ms - group_end > gap_ms:
            groups.append([])
            group_end = ended_ms
        groups[-1].append(part)
        group_end = max(group_end, ended_ms)
    change = SessionChange(upserts=[], deletes=[], before=[])
    for group in groups:
        old_parts = [part for part in group if isinstance(part, SessionSummary)]
        if len(old_parts) == len(group):
            continue  # an existing session no new event touches
        merged = None
        for part in group:
            if isinstance(part, SessionSummary):
                merged = summary_copy(part) if merged is None else summary_merge(merged, part)
            elif merged is None:
                merged = summary_of(part, goals)
            else:
                summary_add(merged, part, goals)
        merged.id = old_parts[0].id if old_parts else None
        merged.abandoned = False  # written back open: closing decides again
        change.upserts.append(merged)
        change.before.extend(old_parts)
        change.deletes.extend(summary.id for summary in old_parts[1:])
    return change


def sessions_from_activities(activities: list[Activity], *, gap_ms: int, goals: frozenset[str]) -> list[SessionSummary]:
    """Sessions computed from scratch from all of a visitor's events, in time order."""
    ordered = sorted(activities, key=lambda a: (a.ts_ms, a.event_id))
    summaries: list[SessionSummary] = []
    for activity in ordered:
        if summaries and activity.ts_ms - summaries[-1].ended_ms <= gap_ms:
            summary_add(summaries[-1], activity, goals)
        else:
            summaries.append(summary_of(activity, goals))
    return summaries


def summary_copy(summary: SessionSummary) -> SessionSummary:
    """A copy that can change without changing `summary` (which the caller still needs as it was)."""
    copied = replace(summary)
    copied.pages = {key: list(value) for key, value in summary.pages.items()}
    return copied
