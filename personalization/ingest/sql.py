"""Raw SQL on the ingestion hot path, for SQLite and PostgreSQL alike.

The ORM costs a quarter of a millisecond just to compile a query; the write path runs a handful
of queries per batch, so it uses the driver's cursor with statements written once. Statements use
%s placeholders; SQLite's driver wants ?."""

import contextlib
import fcntl
import os
from datetime import UTC, datetime, timedelta

import orjson
from django.db import connection

from .activity import datetime_to_ms, ms_to_datetime

NAIVE_EPOCH = datetime(1970, 1, 1)


@contextlib.contextmanager
def raw_cursor():
    """The driver's own cursor, closed after use; the driver's errors come out as Django's (DataError,
    OperationalError...), so that callers tell a bad batch from a database that went away."""
    connection.ensure_connection()
    with connection.wrap_database_errors, contextlib.closing(connection.connection.cursor()) as cursor:
        yield cursor


def placeholders(sql: str) -> str:
    return sql.replace("%s", "?") if connection.vendor == "sqlite" else sql


def fetch(sql: str, params: list | tuple = ()) -> list[tuple]:
    with raw_cursor() as cursor:
        cursor.execute(placeholders(sql), params)
        return cursor.fetchall()


def execute_many(sql: str, rows: list) -> None:
    if rows:
        with raw_cursor() as cursor:
            cursor.executemany(placeholders(sql), rows)


def in_list(values: list) -> str:
    """Placeholders for a VALUES row or an IN list of len(values) parameters."""
    return ", ".join(["%s"] * len(values))


def one_of(column: str, values: list) -> tuple[str, list]:
    """(SQL, parameters) for `column` being one of `values`: one array parameter on PostgreSQL (a single
    parameter to send and parse, however long the list), an IN list on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({in_list(values)})", list(values)


def time_ms(value: datetime | str | None) -> int | None:
    """Milliseconds from a timestamp column: PostgreSQL gives aware datetimes; Django's SQLite connection gives
    naive UTC datetimes (or text, for columns it does not convert)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return datetime_to_ms(value)


_second_text: dict[int, str] = {}


def sqlite_time(ms: int) -> str:
    """A UTC time as Django writes it to SQLite ("YYYY-MM-DD HH:MM:SS[.ffffff]"); the text of each second is
    remembered, because one batch's events share a few seconds."""
    seconds, millis = divmod(ms, 1000)
    text = _second_text.get(seconds)
    if text is None:
        if len(_second_text) > 100_000:
            _second_text.clear()
        text = _second_text[seconds] = str(NAIVE_EPOCH + timedelta(seconds=seconds))
    return f"{text}.{millis:03d}000" if millis else text


def time_param(ms: int | None):
    """A timestamp parameter in the form the database stores."""
    if ms is None:
        return None
    return sqlite_time(ms) if connection.vendor == "sqlite" else ms_to_datetime(ms)


def json_value(value):
    """A JSON column's value: PostgreSQL decodes it already, SQLite gives text."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def json_param(value) -> str:
    return orjson.dumps(value).decode()


_lock_files: dict[str, int] = {}


@contextlib.contextmanager
def writer_turn():
    """On SQLite, wait for this process's turn to write with a kernel file lock. SQLite's own busy handler
    polls with sleeps of milliseconds; with several web workers writing small batches those sleeps,
    not the writes, would set the pace. A no-op on PostgreSQL, whose row locks queue writers properly."""
    if connection.vendor != "sqlite":
        yield
        return
    path = f"{connection.settings_dict['NAME']}.writer-lock"
    descriptor = _lock_files.get(path)
    if descriptor is None:
        descriptor = _lock_files[path] = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


def copy_rows(cursor, table: str, columns: list[str] | tuple[str, ...], rows: list[tuple]) -> None:
    """COPY rows into a PostgreSQL table (times as text, JSON as text)."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def update_many(table: str, columns: list[str] | tuple[str, ...], rows: list[tuple]) -> None:
    """UPDATE table SET columns = ... WHERE id = ..., for rows of (*values, id).

    On PostgreSQL the rows are COPYed into a temporary table and applied by one UPDATE ... FROM: a few
    thousand single-row UPDATEs would cost a statement each."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        assignments = ", ".join(f"{column} = %s" for column in columns)
        execute_many(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)
        return
    staging = f"attune_staging_{table}"
    with raw_cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "
                       f"SELECT id, {', '.join(columns)} FROM {table} WITH NO DATA")
        copy_rows(cursor, staging, (*columns, "id"), rows)
        assignments = ", ".join(f"{column} = staged.{column}" for column in columns)
        cursor.execute(f"UPDATE {table} SET {assignments} FROM {staging} AS staged WHERE {table}.id = staged.id")
        cursor.execute(f"TRUNCATE {staging}")


def insert_many(table: str, columns: list[str] | tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT rows (COPY on PostgreSQL)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        execute_many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({in_list(columns)})", rows)
        return
    with raw_cursor() as cursor:
        copy_rows(cursor, table, columns, rows)
