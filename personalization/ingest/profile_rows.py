"""Loading profiles into ProfileState (locked for the transaction) and writing them back."""

from django.db import connection
from django.utils import timezone

from ..figures import Storage, figure_columns
from ..models import Profile
from .activity import datetime_to_ms
from .aggregate import ProfileState
from .sql import fetch, json_param, json_value, one_of, time_ms, time_param, update_many

TABLE = Profile._meta.db_table
COLUMNS = [name for name, _, _ in figure_columns()]
STORAGE = [storage for _, storage, _ in figure_columns()]
# What a new profile's row holds, by the figures' storage (times and decayed counts stay NULL).
NEW_VALUES = {Storage.JSON: "{}", Storage.TEXT: ""}
PROFILE_DEFAULTS = {name: NEW_VALUES.get(storage, 0) for name, storage, _ in figure_columns()
                    if storage not in (Storage.TIME, Storage.FLOAT)}


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
        for name, storage, value in zip(COLUMNS, STORAGE, values, strict=True):
            if storage == Storage.TIME:
                value = time_ms(value)
            elif storage == Storage.JSON:
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
        for name, storage in zip(COLUMNS, STORAGE, strict=True):
            value = getattr(state, name)
            if storage == Storage.TIME:
                value = time_param(value)
            elif storage == Storage.JSON:
                value = json_param(value)
            row.append(value)
        params.append((*row, now, pk))
    update_many(TABLE, [*COLUMNS, "updated_at"], params)
