"""The collector's fast path: one C pass (msgspec) parses a batch and checks every event's shape.

Almost every batch a tracker sends is valid. For those, msgspec decodes the body straight into
typed structures, checking types, lengths, counts and nesting as it goes, and a short loop
finishes each event with the rules C cannot check. When anything at all is off, the caller falls
back to the slow path (orjson and schema.event_validate event by event), which names every
problem; so the fast path only has to be right about what it accepts.

One fact about the raw body lets the loop skip rules for a whole batch at once: JSON must escape
every control character but DEL, so a text with neither a backslash nor a DEL byte has no string
holding a control character or a NUL. Every other rule runs on every event, here or in schema.event_complete. (The size of an
event's properties is measured as stored, never bounded by the body's: `1e15` takes 4 bytes in
a body and 18 once encoded.)"""

from functools import lru_cache
from typing import Annotated, Literal

import msgspec
from orjson import dumps

from .batch import CollectedEvent
from .schema import (
    EVENT_TYPES,
    PROPS_CHECKED,
    TEXT_FIELDS,
    UUID_PATTERN,
    BatchContext,
    EventInvalid,
    Limits,
    canonical_uuid,
    event_complete,
    type_props_check,
    url_clean,
)

EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]
# Numbers beyond 64 bits are left to the slow path, which reads them as the floats they can be stored as.
Integer = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
Scalar = str | Integer | float | bool | None
# Properties one level deep at most (a list or an object of scalars): the typed schema bounds the body's nesting
# at FAST_PATH_DEPTH, so a batch it takes needs no separate depth check. Deeper ones go the slow way.
PropertyValue = Scalar | list[Scalar] | dict[str, Scalar]
DimensionValue = Annotated[str, msgspec.Meta(max_length=200)] | Integer | float | bool
FAST_PATH_DEPTH = 5  # the batch, its events list, an event, its props, a list or an object in them
REQUIRED_TEXT = frozenset({"track", "identify"})  # need a name, a user_id: checked in schema.event_complete
HEX_DIGITS = "0123456789abcdefABCDEF"


@lru_cache(maxsize=8)
def batch_decoder(max_name_length: int, max_props: int, max_events: int) -> msgspec.json.Decoder:
    """A decoder for batches under these limits (built once per set of limits)."""
    key = Annotated[str, msgspec.Meta(max_length=max_name_length)]

    def text(length: int):
        return Annotated[str, msgspec.Meta(max_length=length)]

    event = msgspec.defstruct("FastEvent", [
        ("id", Annotated[str, msgspec.Meta(min_length=32, max_length=36)]),  # the form: in uuid_canonical
        ("type", EventType),
        ("ts", int),
        ("seq", Annotated[int, msgspec.Meta(ge=0, lt=2**31)], 0),
        *((field, text(max_name_length if limit is None else limit), "") for field, limit in TEXT_FIELDS),
        ("props", Annotated[dict[key, PropertyValue], msgspec.Meta(max_length=max_props)], {}),
        ("dims", Annotated[dict[key, DimensionValue], msgspec.Meta(max_length=max_props)], {}),
    ], forbid_unknown_fields=True)
    batch = msgspec.defstruct("FastBatch", [
        ("site", str),
        ("events", Annotated[list[event], msgspec.Meta(max_length=max_events)]),
        ("vid", Scalar, None),
        ("sent", Scalar, None),
        ("consent", Scalar, None),
        ("wd", Scalar, None),
        ("lost", Scalar, None),
        ("sid", Scalar, None),
    ], forbid_unknown_fields=True)  # an unknown field could nest deeper than allowed: the slow path measures it
    return msgspec.json.Decoder(batch)


def batch_decode(raw: bytes, *, limits: Limits, max_events: int, max_depth: int):
    """The typed batch, or None when the fast path cannot take it (the slow path will say why)."""
    if max_depth < FAST_PATH_DEPTH:
        return None  # the schema would let through nesting deeper than allowed
    try:
        return batch_decoder(limits.max_name_length, limits.max_props, max_events).decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None


def uuid_canonical(value: str) -> str | None:
    """The lower-case, dashed form of a UUID, or None when `value` is not one. (msgspec's `pattern` runs a
    regular expression per event, which cost more than all of this path's other checks together.)"""
    digits = value.replace("-", "")
    if len(digits) != 32 or digits.strip(HEX_DIGITS):
        return None
    if len(value) == 36 and value[8] == value[13] == value[18] == value[23] == "-":
        return value.lower()
    return canonical_uuid(value) if UUID_PATTERN.match(value) else None


def event_complete_typed(e, context: BatchContext, limits: Limits) -> CollectedEvent:
    """schema.event_complete for a typed event: every rule, one at a time."""
    if uuid_canonical(e.id) is None:
        raise EventInvalid("`id` must be a UUID.")
    return event_complete(e.id, e.type, e.ts, e.seq, e.name, e.purpose, e.url, e.ref, e.pv, e.cat, e.user_id,
                          e.props, e.dims, context, limits)


def events_complete(events: list, context: BatchContext, limits: Limits, raw: bytes) -> list[CollectedEvent]:
    """CollectedEvents for the typed events of the body `raw`; raises EventInvalid (and the caller takes the slow
    path). Events that need no rule beyond shape, id, time, purpose, size and their type's properties are
    finished here; the others, and every event of a body that may hold control characters, go through
    schema.event_complete."""
    if b"\\" in raw or b"\x7f" in raw:
        return [event_complete_typed(e, context, limits) for e in events]
    skew, purposes, max_bytes = context.skew_ms, limits.purposes, limits.max_props_bytes
    earliest = context.received_ms - limits.max_age_ms - skew  # the allowed range of `ts` as the client sent it
    latest = context.received_ms + limits.max_future_ms - skew
    collected = []
    for e in events:
        kind, purpose, event_id = e.type, e.purpose or EVENT_TYPES[e.type], uuid_canonical(e.id)
        if (event_id is None or kind in REQUIRED_TEXT or purpose not in purposes or not earliest <= e.ts <= latest
                or ((e.props or e.dims) and len(dumps(e.props)) + len(dumps(e.dims)) > max_bytes)):
            collected.append(event_complete_typed(e, context, limits))
            continue
        if kind in PROPS_CHECKED:
            type_props_check(kind, e.name, e.props)
        url, path = url_clean(e.url, limits) if e.url else ("", "")
        collected.append(CollectedEvent(
            event_id, kind, e.name, e.ts + skew, e.seq, url, path, url_clean(e.ref, limits)[0] if e.ref else "", e.pv,
            e.cat, e.props, e.dims, purpose, e.user_id))
    return collected
