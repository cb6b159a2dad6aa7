"""Loading profiles into ProfileState (locked for the transaction) and writing them back."""

from django.db import connection
from django.utils import timezone

from ..models import Profile
from .activity import datetime_to_ms
from .aggregate import PROFILE_FIELDS, ProfileState
from .sql import fetch, json_param, json_value, one_of, time_ms, time_param, update_many

TABLE = Profile._meta.db_table
# ProfileState field -> model column, where the names differ (times are datetimes in the table).
TIME_COLUMNS = {
    "first_seen_ms": "first_seen",
    "last_seen_ms": "last_seen",
    "device_ms": "device_seen_at",
    "last_purchase_ms": "last_purchase_at",
    "cart_updated_ms": "cart_updated_at",
}
JSON_FIELDS = frozenset({"event_counts", "goal_counts", "category_views", "category_engaged_ms"})
COLUMNS = [TIME_COLUMNS.get(name, name) for name in PROFILE_FIELDS]


def profiles_lock(profile_ids: set[int]) -> dict[int, tuple[ProfileState, str | None]]:
    """{profile id: (state, user key)}, rows locked until commit on PostgreSQL (SQLite holds the write lock).
    Rows are locked in id order, so concurrent drain workers cannot deadlock on them."""
    if not profile_ids:
        return {}
    ids = sorted(profile_ids)
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    where, params = one_of("id", ids)
    rows = fetch(f"SELECT id, user_key, {', '.join(COLUMNS)} FROM {TABLE} WHERE {where} ORDER BY id{lock}", params)
    states = {}
    for pk, user_key, *values in rows:
        state = ProfileState()
        for name, value in zip(PROFILE_FIELDS, values, strict=True):
            if name in TIME_COLUMNS:
                value = time_ms(value)
            elif name in JSON_FIELDS:
                value = json_value(value)
            setattr(state, name, value)
        states[pk] = (state, user_key)
    return states


def profiles_write(states: dict[int, ProfileState]) -> None:
    if not states:
        return
    now = time_param(datetime_to_ms(timezone.now()))
    params = []
    for pk in sorted(states):
        state = states[pk]
        row = []
        for name in PROFILE_FIELDS:
            value = getattr(state, name)
            if name in TIME_COLUMNS:
                value = time_param(value)
            elif name in JSON_FIELDS:
                value = json_param(value)
            row.append(value)
        params.append((*row, now, pk))
    update_many(TABLE, [*COLUMNS, "updated_at"], params)
