"""Validation of one tracker event against the declared payload (payload.py, documented in docs/tracker-payload.md).

Pure: takes the parsed JSON of an event and the batch's context, returns a CollectedEvent
or raises EventInvalid with a message that says what to fix. Every limit it applies comes from
the Limits resolved from the declaration (resolved.py).
"""

import re
from dataclasses import dataclass

import orjson

from .batch import CollectedEvent
from .edge import url_path, url_strip
from .payload import DAY_MS, PAYLOAD, EventInvalid
from .resolved import Limits, whole_number

# The consent category each event type needs; an event may name one more (`purpose`), which it needs as well.
EVENT_TYPES = {kind.name: kind.category for kind in PAYLOAD.types}
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\Z")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def event_allowed(event, granted: frozenset[str]) -> bool:
    """Whether consent to `granted` allows storing a CollectedEvent: its type's category and its purpose, both
    (as the tracker itself checks; a purpose never stands in for the type's category)."""
    return event.purpose in granted and EVENT_TYPES[event.type] in granted


@dataclass(frozen=True)
class BatchContext:
    received_ms: int
    skew_ms: int  # add to client times: server receive time minus the client's send time


def event_time(client_ms: int, context: BatchContext, limits: Limits) -> int:
    ts_ms = client_ms + context.skew_ms
    if ts_ms < context.received_ms - limits.max_age_ms:
        raise EventInvalid(f"`ts` is more than {limits.max_age_ms // DAY_MS} days old.")
    if ts_ms > context.received_ms + limits.max_future_ms:
        raise EventInvalid("`ts` is in the future, even after correcting the sender's clock.")
    return ts_ms


def texts(raw: dict, limits: Limits) -> list[str]:
    """The event's text fields in the declaration's order, checked for type and length ("" when absent)."""
    values = []
    for field, limit in limits.texts:
        value = raw.get(field)
        if value is None or value == "":
            values.append("")
            continue
        if type(value) is not str:
            raise EventInvalid(f"`{field}` must be a string.")
        if len(value) > limit:
            raise EventInvalid(f"`{field}` is {len(value)} characters long; at most {limit} are allowed.")
        values.append(value)
    return values


def properties(raw: dict, limits: Limits) -> tuple[dict, dict]:
    """`props` and `dims`, checked for shape: objects, key count and key length."""
    props, dimensions = raw.get("props"), raw.get("dims")
    props = {} if props is None else props
    dimensions = {} if dimensions is None else dimensions
    for field, value in (("props", props), ("dims", dimensions)):
        if type(value) is not dict:
            raise EventInvalid(f"`{field}` must be an object.")
        if len(value) > limits.max_props:
            raise EventInvalid(f"`{field}` has {len(value)} keys; at most {limits.max_props} are allowed.")
        if value and max(map(len, value)) > limits.max_key_length:
            raise EventInvalid(f"`{field}` has a key longer than {limits.max_key_length} characters.")
    return props, dimensions


def event_validate(raw: object, context: BatchContext, limits: Limits) -> CollectedEvent:
    """A CollectedEvent from one raw event, or EventInvalid saying what is wrong. Checks the shape here,
    then the rules shared with the collector's fast path (collect/fast.py) in event_complete."""
    if type(raw) is not dict:
        raise EventInvalid("An event must be a JSON object.")
    event_id = raw.get("id")
    if type(event_id) is not str or not UUID_PATTERN.match(event_id):
        raise EventInvalid("`id` must be a UUID (made once per event, reused when the event is sent again).")
    event_type = raw.get("type")
    if type(event_type) is not str or event_type not in limits.categories:
        raise EventInvalid(f"`type` {str(event_type)[:40]!r} is unknown; use one of: "
                           f"{', '.join(sorted(limits.categories))}.")
    props, dimensions = properties(raw, limits)
    name, purpose, url, referrer, page_view_id, category, user_id, user_sig = texts(raw, limits)
    client_ms = raw.get("ts")
    if type(client_ms) is not int:
        raise EventInvalid("`ts` must be the event's time in milliseconds since 1970 (an integer).")
    seq_rule = limits.payload.seq
    seq = whole_number(raw.get("seq", 0), seq_rule.name, low=seq_rule.low, high=seq_rule.high)
    return event_complete(event_id, event_type, client_ms, seq, name, purpose, url, referrer, page_view_id, category,
                          user_id, user_sig, props, dimensions, context, limits)


def event_complete(event_id: str, event_type: str, client_ms: int, seq: int, name: str, purpose: str, url: str,
                   referrer: str, page_view_id: str, category: str, user_id: str, user_sig: str, props: dict,
                   dimensions: dict, context: BatchContext, limits: Limits) -> CollectedEvent:
    """The rules beyond shape, for events whose fields have the right types and lengths: required fields,
    control characters, sizes, purpose, type-specific properties and time; then the normalised event."""
    values = (name, purpose, url, referrer, page_view_id, category, user_id, user_sig)  # in the declaration's order
    required = limits.required.get(event_type)
    if required is not None and not values[required[0]]:
        raise EventInvalid(f"`{required[1]}` is required.")
    if CONTROL_CHARACTERS.search("".join(values)):
        for (field, _), value in zip(limits.texts, values, strict=True):
            if CONTROL_CHARACTERS.search(value):
                raise EventInvalid(f"`{field}` contains control characters.")
    if props or dimensions:
        try:
            encoded = orjson.dumps(props) + orjson.dumps(dimensions)
        except orjson.JSONEncodeError as error:  # from Python code (attune.track): JSON bodies are always encodable
            raise EventInvalid(f"`props` or `dims` cannot be stored as JSON ({error}); use strings, booleans, "
                               "lists, objects and numbers (integers of at most 64 bits, or floats).") from None
        if len(encoded) > limits.max_props_bytes:
            raise EventInvalid(f"`props` and `dims` together exceed {limits.max_props_bytes} bytes.")
        if b"\\u0000" in encoded:  # PostgreSQL's JSON cannot hold it, and no property needs it
            raise EventInvalid("`props` or `dims` contain a NUL character (\\u0000); remove it.")
    dimension_text = limits.payload.dimension_text
    for key, value in dimensions.items():
        if not isinstance(value, str | int | float | bool) or (isinstance(value, str) and len(value) > dimension_text):
            raise EventInvalid(f"Dimension `{key}` must be a string of at most {dimension_text} characters, a number "
                               "or a boolean.")
    purpose = purpose or limits.categories[event_type]
    if purpose not in limits.purposes:
        raise EventInvalid(f"`purpose` {purpose!r} is not a consent category; use one of: {', '.join(sorted(limits.purposes))}.")
    check = limits.property_checks.get(event_type)
    if check is not None:
        check(props)
    if "href" in props:
        link_minimise(props, limits)
    url, path = url_clean(url, limits) if url else ("", "")
    return CollectedEvent(  # positional: this runs for every event the collector takes
        event_id.lower() if len(event_id) == 36 else canonical_uuid(event_id), event_type, name,
        event_time(client_ms, context, limits), seq, url, path,
        url_clean(referrer, limits)[0] if referrer else "", page_view_id, category, props, dimensions, purpose,
        "", user_id, user_sig,
    )


_clean_urls: dict[tuple[frozenset[str], int, str], tuple[str, str]] = {}


def url_clean(url: str, limits: Limits) -> tuple[str, str]:
    """(stripped URL, its path), remembered: a page's events all carry the same URL."""
    key = (limits.url_denylist, limits.max_url_length, url)
    cleaned = _clean_urls.get(key)
    if cleaned is None:
        if len(_clean_urls) > 20_000:
            _clean_urls.clear()
        stripped = url_strip(url, denylist=limits.url_denylist, max_length=limits.max_url_length)
        cleaned = _clean_urls[key] = (stripped, url_path(stripped) if stripped else "")
    return cleaned


LINK_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
WEB_SCHEMES = frozenset({"", "http", "https"})  # "": an address relative to the page


def link_minimise(props: dict, limits: Limits) -> None:
    """A link's address (`props.href` of clicks, outbound links and downloads) minimised as page URLs are: query
    parameters on the deny-list stripped. A link to anything but a web page (mailto:, tel:, sms:, whatsapp:...) keeps
    only its scheme, and the click loses its text, which for such links is mostly the address again."""
    href = props["href"]
    if type(href) is str:
        props["href"] = link_minimal(href, limits)
        if not link_is_web(href):
            props.pop("text", None)


def link_scheme(href: str) -> str:
    """The scheme a link names, lower-cased ("" for an address relative to the page)."""
    scheme = LINK_SCHEME.match(href)
    return scheme.group(1).lower() if scheme else ""


def link_is_web(href: str) -> bool:
    """Whether a link leads to a web page: http(s), or an address relative to the page."""
    return link_scheme(href) in WEB_SCHEMES


def link_minimal(href: str, limits: Limits) -> str:
    """What link_minimise keeps of a link's address."""
    scheme = link_scheme(href)
    return url_clean(href, limits)[0] if scheme in WEB_SCHEMES else scheme + ":"


def canonical_uuid(value: str) -> str:
    value = value.replace("-", "").lower()
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
