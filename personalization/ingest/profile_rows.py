"""Loading profiles into ProfileState (locked for the transaction) and writing them back."""

from django.db import connection
from django.utils import timezone

from ..models import Profile
from .activity import datetime_to_ms, ms_to_datetime
from .aggregate import PROFILE_FIELDS, ProfileState

# ProfileState field -> model column, where the names differ (times are datetimes in the table).
TIME_COLUMNS = {
    "first_seen_ms": "first_seen",
    "last_seen_ms": "last_seen",
    "device_ms": "device_seen_at",
    "last_purchase_ms": "last_purchase_at",
    "cart_updated_ms": "cart_updated_at",
}
COLUMNS = [TIME_COLUMNS.get(name, name) for name in PROFILE_FIELDS]


def profiles_lock(profile_ids: set[int]) -> dict[int, tuple[ProfileState, str | None]]:
    """{profile id: (state, user key)}, rows locked until commit on PostgreSQL (SQLite holds the write lock)."""
    if not profile_ids:
        return {}
    rows = Profile.objects.filter(pk__in=profile_ids).order_by("pk").values_list("pk", "user_key", *COLUMNS)
    if connection.vendor == "postgresql":
        rows = rows.select_for_update()
    states = {}
    for pk, user_key, *values in rows:
        state = ProfileState()
        for name, value in zip(PROFILE_FIELDS, values, strict=True):
            if name in TIME_COLUMNS and value is not None:
                value = datetime_to_ms(value)
            setattr(state, name, value)
        states[pk] = (state, user_key)
    return states


def profiles_write(states: dict[int, ProfileState]) -> None:
    if not states:
        return
    assignments = ", ".join(f"{column} = %s" for column in COLUMNS)
    adapt_time = connection.ops.adapt_datetimefield_value
    adapt_json = connection.ops.adapt_json_value
    json_fields = {"event_counts", "goal_counts", "category_views", "category_engaged_ms"}
    now = adapt_time(timezone.now())
    params = []
    for pk in sorted(states):
        state = states[pk]
        row = []
        for name in PROFILE_FIELDS:
            value = getattr(state, name)
            if name in TIME_COLUMNS:
                value = adapt_time(ms_to_datetime(value)) if value is not None else None
            elif name in json_fields:
                value = adapt_json(value, None)
            row.append(value)
        params.append((*row, now, pk))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Profile._meta.db_table} SET {assignments}, updated_at = %s WHERE id = %s", params
        )
