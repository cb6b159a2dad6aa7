"""Bulk writes of events, failed events and drop counters, on SQLite and PostgreSQL.

Events are inserted with ON CONFLICT DO NOTHING on (site, event_id) and the statement
returns the ids it really inserted: only those go on to sessions and profiles, which is
what makes a replayed batch harmless. PostgreSQL loads rows with COPY into a temporary
staging table first (several times faster than INSERT for large drains).
"""

from collections.abc import Iterable

import orjson
from django.db import connection

from ..collect.schema import EVENT_TYPES
from ..models import DropCounter, Event, FailedEvent
from .sql import raw_cursor, sqlite_time

EVENT_COLUMNS = (
    "site_id", "event_id", "visitor_id", "type", "name", "ts", "received_at", "seq", "url", "path", "referrer",
    "page_view_id", "category", "props", "dimensions", "source", "consent", "device_type", "country", "client_address",
    "purpose",
)
EVENT_TABLE = Event._meta.db_table
STAGING_TABLE = "attune_event_staging_purpose"  # a new name whenever its columns change
MS_COLUMNS = ("ts", "received_at")
SQLITE_ROWS_PER_STATEMENT = 1000  # 20 columns each, well under SQLite's 32,766 variables


def event_row(site_id: int, batch, event) -> tuple:
    """One events-table row, columns in EVENT_COLUMNS order (times in ms), from a CollectedBatch and an event."""
    return (
        site_id, event.event_id, batch.visitor_id, event.type, event.name, event.ts_ms, batch.received_ms, event.seq, event.url, event.path, event.referrer, event.page_view_id,
        event.category, orjson.dumps(event.props).decode(), orjson.dumps(event.dimensions).decode(), batch.source,
        batch.consent, batch.device_type, batch.country, batch.client_address,
        event.purpose if event.purpose != EVENT_TYPES.get(event.type) else "",  # only a purpose of its own
    )


def events_insert(rows: list[tuple]) -> set[tuple[int, str]]:
    """Insert rows, skipping (site, event_id) pairs already stored; return the pairs inserted."""
    if not rows:
        return set()
    if connection.vendor == "postgresql":
        return events_insert_postgresql(rows)
    return events_insert_sqlite(rows)


def events_insert_postgresql(rows: list[tuple]) -> set[tuple[int, str]]:
    """COPY into a staging table whose times are the rows' milliseconds (PostgreSQL turns them into timestamps
    faster than Python formats them), then insert what is new; ids come back as text, not UUID objects."""
    columns = ", ".join(EVENT_COLUMNS)
    staged = ", ".join(f"0::bigint AS {name}" if name in MS_COLUMNS else name for name in EVENT_COLUMNS)
    selected = ", ".join(f"TIMESTAMPTZ 'epoch' + {name} * INTERVAL '1 millisecond'" if name in MS_COLUMNS else name
                         for name in EVENT_COLUMNS)
    with raw_cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGING_TABLE} ON COMMIT DELETE ROWS AS "
                       f"SELECT {staged} FROM {EVENT_TABLE} WITH NO DATA")
        with cursor.copy(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # In the order of the unique key: drain workers storing overlapping chunks (a claimed entry replayed, a
        # batch sent twice) then take its locks in the same order, and wait for each other instead of deadlocking.
        cursor.execute(
            f"INSERT INTO {EVENT_TABLE} ({columns}) SELECT {selected} FROM {STAGING_TABLE} "
            "ORDER BY site_id, event_id ON CONFLICT (site_id, event_id) DO NOTHING RETURNING site_id, event_id::text"
        )
        inserted = set(cursor.fetchall())
        cursor.execute(f"TRUNCATE {STAGING_TABLE}")
    return inserted


def events_insert_sqlite(rows: list[tuple]) -> set[tuple[int, str]]:
    placeholders = "(" + ", ".join(["?"] * len(EVENT_COLUMNS)) + ")"
    inserted: set[tuple[int, str]] = set()
    with raw_cursor() as cursor:
        for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
            chunk = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
            params: list = []
            for row in chunk:
                params.extend(row[:1])
                params.append(row[1].replace("-", ""))  # Django keeps UUIDs as 32 hex digits in SQLite
                params.extend(row[2:5])
                params.append(sqlite_time(row[5]))
                params.append(sqlite_time(row[6]))
                params.extend(row[7:])
            cursor.execute(
                f"INSERT INTO {EVENT_TABLE} ({', '.join(EVENT_COLUMNS)}) VALUES "
                + ", ".join([placeholders] * len(chunk))
                + " ON CONFLICT (site_id, event_id) DO NOTHING RETURNING site_id, event_id",
                params,
            )
            inserted.update((site_id, dashed(hex_id)) for site_id, hex_id in cursor.fetchall())
    return inserted


def dashed(hex_id: str) -> str:
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


def failures_insert(rows: Iterable[FailedEvent]) -> None:
    FailedEvent.objects.bulk_create(list(rows), batch_size=500)


def drops_add(counts: dict[tuple[int | None, str, str, object], int]) -> None:
    """Add to the per-site, per-reason, per-day drop counters: {(site_id, site_key, reason, day): n}."""
    if not counts:
        return
    table = DropCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (site_id, site_key, reason, day, count) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (site_key, reason, day) DO UPDATE SET count = "
            f"{table}.count + excluded.count",
            [(site_id, site_key, reason, day, n) for (site_id, site_key, reason, day), n in sorted(counts.items(), key=str)],
        )
