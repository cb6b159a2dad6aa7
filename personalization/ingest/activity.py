"""The facts sessions and profiles are computed from, one per stored event (pure)."""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

CART_ADD = "add_to_cart"
CART_REMOVE = "remove_from_cart"
PURCHASE = "purchase"
CART_EVENTS = frozenset({CART_ADD, CART_REMOVE, PURCHASE})


class Activity(NamedTuple):
    ts_ms: int
    event_id: str
    type: str
    name: str
    path: str
    referrer: str
    page_view_id: str
    category: str
    props: dict
    device_type: str
    channel: str = ""  # a page view's acquisition channel (channels.channel_of); "" for other events

    @property
    def is_cart_event(self) -> bool:
        return self.type == "track" and self.name in CART_EVENTS


def cents(amount: object) -> int:
    """Money as whole cents, so sums never depend on the order they were added in."""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return 0
    return round(amount * 100)


def quantity(props: dict) -> int:
    value = props.get("quantity", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1


def goal_of(activity: Activity, goals: frozenset[str]) -> str:
    """The goal an event achieves, or "" when it is not a conversion."""
    if activity.type == "track":
        name = activity.name
    elif activity.type == "form_submit":
        name = "form_submit"
    elif activity.type == "video" and activity.props.get("action") == "complete":
        name = "video_complete"
    else:
        return ""
    return name if name in goals else ""


def event_key(activity: Activity) -> str:
    """The name counted in a profile's per-event counts: the custom name of a track event, else the type."""
    return activity.name if activity.type == "track" else activity.type


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)


def ms_to_datetime(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def datetime_to_ms(value: datetime) -> int:
    """Whole milliseconds, computed exactly (no float rounding)."""
    return (value - EPOCH) // ONE_MS
