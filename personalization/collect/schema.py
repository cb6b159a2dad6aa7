"""Validation of one tracker event against the documented schema (docs/tracker-payload.md).

Pure: takes the parsed JSON of an event and the batch's context, returns a CollectedEvent
or raises EventInvalid with a message that says what to fix.
"""

import re
from dataclasses import dataclass

import orjson

from .batch import CollectedEvent
from .edge import url_path, url_strip

# The consent category each event type needs; `track` events may name another one.
EVENT_TYPES = {
    "page_view": "analytics",
    "engagement": "analytics",
    "scroll": "analytics",
    "click": "analytics",
    "hover": "analytics",
    "form_submit": "analytics",
    "video": "analytics",
    "outbound": "analytics",
    "download": "analytics",
    "section": "analytics",
    "track": "analytics",
    "identify": "analytics",
}
VIDEO_ACTIONS = {"play", "pause", "progress", "complete"}
SECTION_ACTIONS = {"enter", "exit"}
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
DAY_MS = 86_400_000


class EventInvalid(Exception):
    """One event breaks the schema; the message says which field and what is allowed."""


@dataclass(frozen=True)
class Limits:
    max_name_length: int
    max_props: int
    max_props_bytes: int
    max_url_length: int
    max_age_ms: int
    max_future_ms: int
    url_denylist: frozenset[str]
    purposes: frozenset[str]


@dataclass(frozen=True)
class BatchContext:
    received_ms: int
    skew_ms: int  # add to client times: server receive time minus the client's send time


def text(value: object, field: str, *, max_length: int, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise EventInvalid(f"`{field}` is required.")
        return ""
    if not isinstance(value, str):
        raise EventInvalid(f"`{field}` must be a string.")
    if len(value) > max_length:
        raise EventInvalid(f"`{field}` is {len(value)} characters long; at most {max_length} are allowed.")
    if CONTROL_CHARACTERS.search(value):
        raise EventInvalid(f"`{field}` contains control characters.")
    return value


def whole_number(value: object, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise EventInvalid(f"`{field}` must be a number.")
    if not low <= value <= high:
        raise EventInvalid(f"`{field}` must be between {low} and {high}.")
    return int(value)


def mapping(value: object, field: str, limits: Limits) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EventInvalid(f"`{field}` must be an object.")
    if len(value) > limits.max_props:
        raise EventInvalid(f"`{field}` has {len(value)} keys; at most {limits.max_props} are allowed.")
    for key in value:
        if len(key) > limits.max_name_length:
            raise EventInvalid(f"`{field}` has a key longer than {limits.max_name_length} characters.")
    return value


def event_time(raw: dict, context: BatchContext, limits: Limits) -> int:
    client_ms = raw.get("ts")
    if isinstance(client_ms, bool) or not isinstance(client_ms, int):
        raise EventInvalid("`ts` must be the event's time in milliseconds since 1970 (an integer).")
    ts_ms = client_ms + context.skew_ms
    if ts_ms < context.received_ms - limits.max_age_ms:
        raise EventInvalid(f"`ts` is more than {limits.max_age_ms // DAY_MS} days old.")
    if ts_ms > context.received_ms + limits.max_future_ms:
        raise EventInvalid("`ts` is in the future, even after correcting the sender's clock.")
    return ts_ms


def event_validate(raw: object, context: BatchContext, limits: Limits) -> CollectedEvent:
    """A CollectedEvent from one raw event, or EventInvalid saying what is wrong."""
    if not isinstance(raw, dict):
        raise EventInvalid("An event must be a JSON object.")
    event_id = raw.get("id")
    if not isinstance(event_id, str) or not UUID_PATTERN.match(event_id):
        raise EventInvalid("`id` must be a UUID (made once per event, reused when the event is sent again).")
    event_type = raw.get("type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise EventInvalid(f"`type` {str(event_type)[:40]!r} is unknown; use one of: {', '.join(sorted(EVENT_TYPES))}.")
    props = mapping(raw.get("props"), "props", limits)
    dimensions = mapping(raw.get("dims"), "dims", limits)
    if len(orjson.dumps(props)) + len(orjson.dumps(dimensions)) > limits.max_props_bytes:
        raise EventInvalid(f"`props` and `dims` together exceed {limits.max_props_bytes} bytes.")
    for key, value in dimensions.items():
        if not isinstance(value, str | int | float | bool) or (isinstance(value, str) and len(value) > 200):
            raise EventInvalid(f"Dimension `{key}` must be a string of at most 200 characters, a number or a boolean.")
    name = text(raw.get("name"), "name", max_length=limits.max_name_length, required=event_type == "track")
    purpose = text(raw.get("purpose"), "purpose", max_length=40) or EVENT_TYPES[event_type]
    if purpose not in limits.purposes:
        raise EventInvalid(f"`purpose` {purpose!r} is not a consent category; use one of: {', '.join(sorted(limits.purposes))}.")
    type_props_check(event_type, name, props)
    url = url_strip(text(raw.get("url"), "url", max_length=8192), denylist=limits.url_denylist, max_length=limits.max_url_length)
    referrer = url_strip(text(raw.get("ref"), "ref", max_length=8192), denylist=limits.url_denylist, max_length=limits.max_url_length)
    return CollectedEvent(
        event_id=canonical_uuid(event_id),
        type=event_type,
        name=name,
        ts_ms=event_time(raw, context, limits),
        seq=whole_number(raw.get("seq", 0), "seq", low=0, high=2**31 - 1),
        url=url,
        path=url_path(url) if url else "",
        referrer=referrer,
        page_view_id=text(raw.get("pv"), "pv", max_length=40),
        category=text(raw.get("cat"), "cat", max_length=100),
        props=props,
        dimensions=dimensions,
        purpose=purpose,
        user_key=text(raw.get("user_id"), "user_id", max_length=200, required=event_type == "identify"),
    )


def canonical_uuid(value: str) -> str:
    value = value.replace("-", "").lower()
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def type_props_check(event_type: str, name: str, props: dict) -> None:
    """The properties each event type depends on, checked so that profiles never read garbage."""
    if event_type == "engagement":
        whole_number(props.get("engaged_ms"), "props.engaged_ms", low=0, high=DAY_MS)
    elif event_type == "scroll":
        whole_number(props.get("depth"), "props.depth", low=0, high=100)
    elif event_type == "video" and not (isinstance(props.get("action"), str) and props["action"] in VIDEO_ACTIONS):
        raise EventInvalid(f"`props.action` of a video event must be one of: {', '.join(sorted(VIDEO_ACTIONS))}.")
    elif event_type == "section" and not (isinstance(props.get("action"), str) and props["action"] in SECTION_ACTIONS):
        raise EventInvalid("`props.action` of a section event must be `enter` or `exit`.")
    elif event_type == "track":
        if "quantity" in props:
            whole_number(props["quantity"], "props.quantity", low=1, high=10_000)
        for money in ("price", "revenue", "value"):
            if money in props:
                amount = props[money]
                if isinstance(amount, bool) or not isinstance(amount, int | float) or not 0 <= amount < 10**9:
                    raise EventInvalid(f"`props.{money}` must be a number from 0 to 999,999,999.")
