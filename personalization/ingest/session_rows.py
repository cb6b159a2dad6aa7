"""Loading a visitor's sessions as SessionSummary and writing changed ones back."""

from collections import defaultdict

from ..models import Session
from .sessionize import SessionSummary
from .sql import execute_many, fetch, insert_many, json_param, json_value, one_of, time_ms, time_param, update_many

TABLE = Session._meta.db_table
LOAD_COLUMNS = (
    "id", "visitor_id", "started_at", "ended_at", "events", "pageviews", "conversions", "revenue_cents", "purchased",
    "cart_changes", "entry_at", "entry_channel", "entry_page_type", "entry_path", "referrer", "exit_at", "exit_path",
    "device_type", "pages", "abandoned",
)
WRITE_COLUMNS = (
    "site_id", "visitor_id", "profile_id", "started_at", "ended_at", "events", "pageviews", "engaged_ms", "scroll_max",
    "entry_path", "entry_at", "entry_channel", "entry_page_type", "exit_path", "exit_at", "referrer", "device_type",
    "conversions", "revenue_cents", "purchased", "cart_changes", "pages", "closed_at", "abandoned",
)


def sessions_load(*, site_id: int, windows: dict[str, tuple[int, int]], gap_ms: int) -> dict[str, list[SessionSummary]]:
    """Each visitor's sessions that a new event in [low, high] could join: {visitor_id: summaries by start}."""
    if not windows:
        return {}
    visitors = list(windows)
    low = min(window[0] for window in windows.values()) - gap_ms
    high = max(window[1] for window in windows.values()) + gap_ms
    where, params = one_of("visitor_id", visitors)
    rows = fetch(
        f"SELECT {', '.join(LOAD_COLUMNS)} FROM {TABLE} WHERE site_id = %s AND {where} "
        "AND ended_at >= %s AND started_at <= %s",
        [site_id, *params, time_param(low), time_param(high)],
    )
    found: dict[str, list[SessionSummary]] = defaultdict(list)
    for (pk, visitor_id, started_at, ended_at, events, pageviews, conversions, revenue_cents, purchased, cart_changes,
         entry_at, entry_channel, entry_page_type, entry_path, referrer, exit_at, exit_path, device_type, pages,
         abandoned) in rows:
        started_ms, ended_ms = time_ms(started_at), time_ms(ended_at)
        window_low, window_high = windows[visitor_id]
        if ended_ms < window_low - gap_ms or started_ms > window_high + gap_ms:
            continue
        found[visitor_id].append(
            SessionSummary(
                started_ms=started_ms, ended_ms=ended_ms, id=pk, events=events, pageviews=pageviews,
                conversions=conversions, revenue_cents=revenue_cents, purchased=bool(purchased),
                cart_changes=cart_changes,
                entry=(time_ms(entry_at), entry_channel, entry_page_type, entry_path, referrer) if entry_at else (),
                exit=(time_ms(exit_at), exit_path) if exit_at else (),
                device_type=device_type, device_ms=started_ms, pages=pages_current(json_value(pages)),
                abandoned=bool(abandoned),
            )
        )
    for summaries in found.values():
        summaries.sort(key=lambda s: s.started_ms)
    return found


def pages_current(pages: dict) -> dict:
    """Pages as sessionize.page_of makes them; rows written before migration 0005 hold the first three figures."""
    return {key: page if len(page) == 5 else [*page, None, 1] for key, page in pages.items()}


def session_row(site_id: int, visitor_id: str, profile_id: int, summary: SessionSummary) -> tuple:
    entry = summary.entry or (None, "", "", "", "")
    exit_ = summary.exit or (None, "")
    return (
        site_id, visitor_id, profile_id, time_param(summary.started_ms), time_param(summary.ended_ms), summary.events,
        summary.pageviews, summary.engaged_ms, summary.scroll_max, entry[3][:2000], time_param(entry[0]), entry[1],
        entry[2][:20], exit_[1][:2000], time_param(exit_[0]), entry[4][:2000], summary.device_type, summary.conversions,
        summary.revenue_cents, summary.purchased, summary.cart_changes, json_param(summary.pages), None, False,
    )


def sessions_write(*, inserts: list[tuple], updates: list[tuple[int, tuple]], deletes: list[int]) -> None:
    """Insert new session rows, rewrite changed ones (reopening them) and delete merged-away ones."""
    if deletes:
        condition, params = one_of("id", deletes)
        execute_many(f"DELETE FROM {TABLE} WHERE {condition}", [params])
    update_many(TABLE, WRITE_COLUMNS, [(*row, pk) for pk, row in sorted(updates)])
    insert_many(TABLE, WRITE_COLUMNS, inserts)
