"""Loading a visitor's sessions as SessionSummary and writing changed ones back."""

from collections import defaultdict

from django.db import connection

from ..models import Session
from .activity import datetime_to_ms, ms_to_datetime
from .sessionize import SessionSummary

LOAD_COLUMNS = (
    "id", "visitor_id", "started_at", "ended_at", "events", "pageviews", "conversions", "revenue_cents", "purchased",
    "cart_net", "entry_at", "entry_path", "referrer", "exit_at", "exit_path", "device_type", "pages",
)
WRITE_COLUMNS = (
    "site_id", "visitor_id", "profile_id", "started_at", "ended_at", "events", "pageviews", "engaged_ms", "scroll_max",
    "entry_path", "entry_at", "exit_path", "exit_at", "referrer", "device_type", "conversions", "revenue_cents",
    "purchased", "cart_net", "pages", "closed_at", "abandoned",
)


def sessions_load(*, site_id: int, windows: dict[str, tuple[int, int]], gap_ms: int) -> dict[str, list[SessionSummary]]:
    """Each visitor's sessions that a new event in [low, high] could join: {visitor_id: summaries by start}."""
    if not windows:
        return {}
    low = min(window[0] for window in windows.values()) - gap_ms
    high = max(window[1] for window in windows.values()) + gap_ms
    rows = Session.objects.filter(
        site_id=site_id, visitor_id__in=list(windows), ended_at__gte=ms_to_datetime(low), started_at__lte=ms_to_datetime(high)
    ).values_list(*LOAD_COLUMNS)
    found: dict[str, list[SessionSummary]] = defaultdict(list)
    for (pk, visitor_id, started_at, ended_at, events, pageviews, conversions, revenue_cents, purchased, cart_net,
         entry_at, entry_path, referrer, exit_at, exit_path, device_type, pages) in rows:
        started_ms, ended_ms = datetime_to_ms(started_at), datetime_to_ms(ended_at)
        window_low, window_high = windows[visitor_id]
        if ended_ms < window_low - gap_ms or started_ms > window_high + gap_ms:
            continue
        found[visitor_id].append(
            SessionSummary(
                started_ms=started_ms, ended_ms=ended_ms, id=pk, events=events, pageviews=pageviews,
                conversions=conversions, revenue_cents=revenue_cents, purchased=purchased, cart_net=cart_net,
                entry=(datetime_to_ms(entry_at), entry_path, referrer) if entry_at else (),
                exit=(datetime_to_ms(exit_at), exit_path) if exit_at else (),
                device_type=device_type, device_ms=started_ms, pages=pages,
            )
        )
    for summaries in found.values():
        summaries.sort(key=lambda s: s.started_ms)
    return found


def session_row(site_id: int, visitor_id: str, profile_id: int, summary: SessionSummary) -> tuple:
    adapt_time = connection.ops.adapt_datetimefield_value
    entry = summary.entry or (None, "", "")
    exit_ = summary.exit or (None, "")
    return (
        site_id, visitor_id, profile_id, adapt_time(ms_to_datetime(summary.started_ms)),
        adapt_time(ms_to_datetime(summary.ended_ms)), summary.events, summary.pageviews, summary.engaged_ms,
        summary.scroll_max, entry[1][:2000], adapt_time(ms_to_datetime(entry[0])) if entry[0] is not None else None,
        exit_[1][:2000], adapt_time(ms_to_datetime(exit_[0])) if exit_[0] is not None else None, entry[2][:2000],
        summary.device_type, summary.conversions, summary.revenue_cents, summary.purchased, summary.cart_net,
        connection.ops.adapt_json_value(summary.pages, None), None, False,
    )


def sessions_write(*, inserts: list[tuple], updates: list[tuple[int, tuple]], deletes: list[int]) -> None:
    """Insert new session rows, rewrite changed ones (reopening them) and delete merged-away ones."""
    table = Session._meta.db_table
    with connection.cursor() as cursor:
        if deletes:
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(deletes))})", deletes)
        if updates:
            assignments = ", ".join(f"{column} = %s" for column in WRITE_COLUMNS)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s", [(*row, pk) for pk, row in sorted(updates)]
            )
        if inserts:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(WRITE_COLUMNS)}) VALUES ({', '.join(['%s'] * len(WRITE_COLUMNS))})",
                inserts,
            )
