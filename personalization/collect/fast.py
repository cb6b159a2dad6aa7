"""The collector's fast path: one C pass (msgspec) parses a batch and checks every event's shape.

Almost every batch a tracker sends is valid. For those, msgspec decodes the body straight into
typed structures, checking types, lengths and counts as it goes, and the shared rules of
schema.event_complete finish each event. When anything at all is off, the caller falls back to the
slow path (orjson and schema.event_validate event by event), which names every problem; so the fast
path only has to be right about what it accepts."""

from functools import lru_cache
from typing import Annotated, Any, Literal

import msgspec

from .schema import EVENT_TYPES, UUID_PATTERN, BatchContext, Limits, event_complete

EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]


@lru_cache(maxsize=8)
def batch_decoder(max_name_length: int, max_props: int, max_events: int) -> msgspec.json.Decoder:
    """A decoder for batches under these limits (built once per set of limits)."""
    key = Annotated[str, msgspec.Meta(max_length=max_name_length)]
    mapping = Annotated[dict[key, Any], msgspec.Meta(max_length=max_props)]

    def text(length: int):
        return Annotated[str, msgspec.Meta(max_length=length)]

    event = msgspec.defstruct("FastEvent", [
        ("id", Annotated[str, msgspec.Meta(pattern=UUID_PATTERN.pattern)]),
        ("type", EventType),
        ("ts", int),
        ("seq", Annotated[int, msgspec.Meta(ge=0, lt=2**31)], 0),
        ("name", text(max_name_length), ""),
        ("purpose", text(40), ""),
        ("url", text(8192), ""),
        ("ref", text(8192), ""),
        ("pv", text(40), ""),
        ("cat", text(100), ""),
        ("user_id", text(200), ""),
        ("props", mapping, {}),
        ("dims", mapping, {}),
    ])
    batch = msgspec.defstruct("FastBatch", [
        ("site", str),
        ("events", Annotated[list[event], msgspec.Meta(max_length=max_events)]),
        ("vid", Any, None),
        ("sent", Any, None),
        ("consent", Any, None),
        ("wd", Any, None),
        ("lost", Any, None),
    ])
    return msgspec.json.Decoder(batch)


def batch_decode(raw: bytes, *, limits: Limits, max_events: int):
    """The typed batch, or None when the fast path cannot take it (the slow path will say why)."""
    try:
        return batch_decoder(limits.max_name_length, limits.max_props, max_events).decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None


def events_complete(events: list, context: BatchContext, limits: Limits) -> list:
    """CollectedEvents for the typed events; raises EventInvalid (and the caller takes the slow path)."""
    return [
        event_complete(e.id, e.type, e.ts, e.seq, e.name, e.purpose, e.url, e.ref, e.pv, e.cat, e.user_id,
                       e.props, e.dims, context, limits)
        for e in events
    ]
