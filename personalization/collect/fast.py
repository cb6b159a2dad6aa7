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
    UUID_PATTERN,
    BatchContext,
    EventInvalid,
    Limits,
    canonical_uuid,
    event_complete,
    link_is_web,
    link_minimal,
    link_minimise,
    url_clean,
)

# Numbers beyond 64 bits are left to the slow path, which reads them as the floats they can be stored as.
Integer = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
Scalar = str | Integer | float | bool | None
# Properties one level deep at most (a list or an object of scalars): the typed schema bounds the body's nesting
# at FAST_PATH_DEPTH, so a batch it takes needs no separate depth check. Deeper ones go the slow way.
PropertyValue = Scalar | list[Scalar] | dict[str, Scalar]
FAST_PATH_DEPTH = 5  # the batch, its events list, an event, its props, a list or an object in them
HEX_DIGITS = "0123456789abcdefABCDEF"
LOWER_HEX_DIGITS = "0123456789abcdef"


@lru_cache(maxsize=8)
def batch_decoder(limits: Limits, max_events: int) -> msgspec.json.Decoder:
    """A decoder for batches under these limits, its types derived from their declaration (built once per limits;
    a Limits is hashed by identity, and collect_limits keeps one while the settings stay)."""
    key = Annotated[str, msgspec.Meta(max_length=limits.max_key_length)]
    seq = limits.payload.seq
    dimension = Annotated[str, msgspec.Meta(max_length=limits.payload.dimension_text)] | Integer | float | bool
    event = msgspec.defstruct("FastEvent", [
        ("id", Annotated[str, msgspec.Meta(min_length=32, max_length=36)]),  # the form: in uuid_canonical
        ("type", Literal[tuple(limits.categories)]),
        ("ts", int),
        (seq.name, Annotated[int, msgspec.Meta(ge=seq.low, le=seq.high)], 0),
        *((field, Annotated[str, msgspec.Meta(max_length=length)], "") for field, length in limits.texts),
        ("props", Annotated[dict[key, PropertyValue], msgspec.Meta(max_length=limits.max_props)], {}),
        ("dims", Annotated[dict[key, dimension], msgspec.Meta(max_length=limits.max_props)], {}),
    ], forbid_unknown_fields=True)
    # The envelope's fields are read loosely (the collector judges them, with its own messages), but only those
    # declared: an unknown field could nest deeper than allowed, and the slow path measures it.
    envelope = [(field.name, Scalar, None) for field in limits.payload.envelope if field.name != "site"]
    batch = msgspec.defstruct("FastBatch", [
        ("site", str),
        ("events", Annotated[list[event], msgspec.Meta(max_length=max_events)]),
        *envelope,
    ], forbid_unknown_fields=True)
    return msgspec.json.Decoder(batch)


def batch_decode(raw: bytes, *, limits: Limits, max_events: int, max_depth: int):
    """The typed batch, or None when the fast path cannot take it (the slow path will say why)."""
    if max_depth < FAST_PATH_DEPTH:
        return None  # the schema would let through nesting deeper than allowed
    try:
        return batch_decoder(limits, max_events).decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return None  # bytes that are not UTF-8 among them: the slow path names the encoding


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
                          e.user_sig, e.props, e.dims, context, limits)


def ids_canonical(ids: list[str]) -> bool:
    """Whether every id is a lower-case, dashed UUID, the form trackers send: checked for the whole batch at once,
    in a few C calls. (Each id is 32 to 36 characters long, so 36 per id in all means 36 each.)"""
    joined, dashes = "".join(ids), "-" * len(ids)
    return (len(joined) == 36 * len(ids) and joined[8::36] == joined[13::36] == joined[18::36] == joined[23::36] == dashes
            and len(digits := joined.replace("-", "")) == 32 * len(ids) and not digits.strip(LOWER_HEX_DIGITS))


def batch_plain(events: list, context: BatchContext, limits: Limits) -> bool:
    """Whether the rules on ids, required fields, purposes and times hold for every event of the batch, checked
    across the batch at once. When they do not, each event goes through every rule on its own."""
    kinds, explicit = {e.type for e in events}, {e.purpose for e in events}
    for kind, (_, field) in limits.required.items():
        if kind in kinds and not all(getattr(e, field) for e in events if e.type == kind):
            return False
    purposes, categories = limits.purposes, limits.categories
    if not (explicit - {""} <= purposes and all(categories[kind] in purposes for kind in kinds)):
        return False
    times = [e.ts for e in events]
    earliest = context.received_ms - limits.max_age_ms - context.skew_ms  # the allowed range of `ts` as sent
    latest = context.received_ms + limits.max_future_ms - context.skew_ms
    return earliest <= min(times) and max(times) <= latest and ids_canonical([e.id for e in events])


def events_complete(events: list, context: BatchContext, limits: Limits, raw: bytes) -> list[CollectedEvent]:
    """CollectedEvents for the typed events of the body `raw`; raises EventInvalid (and the caller takes the slow
    path). A plain batch (batch_plain) of a body that cannot hold control characters is finished here: sizes
    (measured per event only when the batch's properties together exceed one event's limit) and type-specific
    properties are checked per event. Any other batch goes through schema.event_complete event by event."""
    if not events:
        return []
    if b"\\" in raw or b"\x7f" in raw or not batch_plain(events, context, limits):
        return [event_complete_typed(e, context, limits) for e in events]
    max_bytes = limits.max_props_bytes
    sizes_checked = len(dumps([e.props for e in events])) + len(dumps([e.dims for e in events])) <= max_bytes
    skew, cleaned, collected = context.skew_ms, {"": ("", "")}, []
    checks, categories = limits.property_checks, limits.categories
    for e in events:
        kind = e.type
        if not sizes_checked and len(dumps(e.props)) + len(dumps(e.dims)) > max_bytes:
            raise EventInvalid(f"`props` and `dims` together exceed {max_bytes} bytes.")
        if kind in checks:
            checks[kind](e.props)
        if "href" in e.props:
            link_minimise(e.props, limits)
        url, ref = e.url, e.ref
        if url not in cleaned:
            cleaned[url] = url_clean(url, limits)
        if ref not in cleaned:
            cleaned[ref] = url_clean(ref, limits)
        collected.append(CollectedEvent(
            e.id, kind, e.name, e.ts + skew, e.seq, *cleaned[url], cleaned[ref][0], e.pv, e.cat, e.props, e.dims,
            e.purpose or categories[kind], "", e.user_id, e.user_sig))
    return collected


def batch_forwardable(events: list, context: BatchContext, limits: Limits, raw: bytes, granted: frozenset[str]) -> bool:
    """Whether the typed events of the body `raw` can be queued as the tracker sent them, for the drain to finish
    (collect/entry.py): events_complete would take them whole on its quick way and change nothing of substance, as
    every rule that could refuse one holds, consent allows each (its type's category and its purpose), none carries
    a user id (stored only as a keyed hash) or identifies, and minimisation leaves every address as it is. The
    stream then holds no event data beyond what will be stored (the body's envelope adds the consent token the
    collector checked and the device's send time). False sends the batch the usual way, which judges it."""
    # The cheap reasons first (a login, consent, an address to minimise): a batch turned away here goes through
    # events_complete next, which would repeat the rest.
    kinds, explicit = {e.type for e in events}, {e.purpose for e in events} - {""}
    if not events or "identify" in kinds or not explicit <= granted or any(e.user_id for e in events):
        return False
    if not all(limits.categories[kind] in granted for kind in kinds):
        return False
    if not all(not url or url_clean(url, limits)[0] == url for url in {e.url for e in events} | {e.ref for e in events}):
        return False
    if b"\\" in raw or b"\x7f" in raw or not batch_plain(events, context, limits):
        return False
    if len(dumps([e.props for e in events])) + len(dumps([e.dims for e in events])) > limits.max_props_bytes:
        return False  # together over one event's limit: events_complete measures them one by one
    checks = limits.property_checks
    try:
        for e in events:
            props = e.props
            if e.type in checks:
                checks[e.type](props)  # whole numbers sent as 2.0 become 2, here and in the drain
            href = props.get("href")
            if type(href) is str and (not link_is_web(href) or link_minimal(href, limits) != href):
                return False
    except EventInvalid:
        return False
    return True
