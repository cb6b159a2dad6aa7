"""Segment Tracking API messages mapped onto the tracker's event schema (pure).

Segment's semantic e-commerce events become Attune's goals, so a backend using any Segment
SDK gets conversions counted without renaming anything.
"""

import hashlib
import uuid
from datetime import datetime

from consent.state import visitor_id_valid

SEMANTIC_EVENTS = {
    "Product Added": "add_to_cart",
    "Product Removed": "remove_from_cart",
    "Order Completed": "purchase",
    "Signed Up": "signup",
}
CONSENT_ALIASES = {
    "analytics": "analytics", "performance": "analytics", "statistics": "analytics",
    "personalization": "personalization", "personalisation": "personalization", "functional": "personalization",
    "marketing": "marketing", "advertising": "marketing", "targeting": "marketing",
}
MESSAGE_ID_NAMESPACE = uuid.UUID("8a4c2f3e-6d1b-4e57-9a0f-3c2b1d4e5f60")
USER_VISITOR_PREFIX = "u_"  # a visitor made from a user id, for messages without anonymousId


class MessageInvalid(Exception):
    """A Segment message Attune cannot take; the text says what to change."""


def iso_ms(value: object, field: str) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise MessageInvalid(f"`{field}` must be an ISO 8601 time such as 2026-11-25T10:00:00Z.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MessageInvalid(f"`{field}` {value[:40]!r} is not an ISO 8601 time such as 2026-11-25T10:00:00Z.") from None
    if parsed.tzinfo is None:
        raise MessageInvalid(f"`{field}` needs a time zone (end it with Z for UTC).")
    return int(parsed.timestamp() * 1000)


def message_event_id(message_id: object, site_key: str) -> str:
    """The event UUID for a messageId: itself when it is a UUID, else a stable UUID made from it, so that a
    retried message is recognised as the same event."""
    if not isinstance(message_id, str) or not message_id or len(message_id) > 200:
        raise MessageInvalid("`messageId` is required (a unique string per message, reused on retries).")
    try:
        return str(uuid.UUID(message_id))
    except ValueError:
        return str(uuid.uuid5(MESSAGE_ID_NAMESPACE, f"{site_key}:{message_id}"))


def message_visitor_id(message: dict, user_key: str) -> str:
    """The visitor id: anonymousId (previousId for an alias; hashed when it is not in Attune's alphabet), else one
    made from the user."""
    anonymous_id = message.get("previousId" if message.get("type") == "alias" else "anonymousId")
    if isinstance(anonymous_id, str) and anonymous_id:
        if visitor_id_valid(anonymous_id):
            return anonymous_id
        return "a_" + hashlib.sha256(anonymous_id.encode()).hexdigest()[:40]
    if user_key:
        return USER_VISITOR_PREFIX + hashlib.sha256(user_key.encode()).hexdigest()[:40]
    raise MessageInvalid("Each message needs an `anonymousId` or a `userId`.")


def consent_preferences(message: dict) -> frozenset[str] | None:
    """Categories granted in Segment's consent object (context.consent.categoryPreferences), or None."""
    context = message.get("context")
    consent = context.get("consent") if isinstance(context, dict) else None
    preferences = consent.get("categoryPreferences") if isinstance(consent, dict) else None
    if not isinstance(preferences, dict):
        return None
    return frozenset(CONSENT_ALIASES[name.lower()] for name, allowed in preferences.items()
                     if allowed is True and isinstance(name, str) and name.lower() in CONSENT_ALIASES)


def message_to_event(message: object, *, site_key: str, default_sent_ms: int | None, received_ms: int) -> tuple[dict, int]:
    """(a tracker-schema event, the skew to add to its time) for one Segment message."""
    if not isinstance(message, dict):
        raise MessageInvalid("Each message must be a JSON object.")
    kind = message.get("type")
    properties = message.get("properties") or {}
    if not isinstance(properties, dict):
        raise MessageInvalid("`properties` must be an object.")
    context = message.get("context") if isinstance(message.get("context"), dict) else {}
    page = context.get("page") if isinstance(context.get("page"), dict) else {}
    event = {"id": message_event_id(message.get("messageId"), site_key)}
    if kind == "track":
        name = message.get("event")
        if not isinstance(name, str) or not name:
            raise MessageInvalid("A track message needs `event`, the event's name.")
        props = dict(properties)
        if name == "Order Completed" and "revenue" not in props and "total" in props:
            props["revenue"] = props["total"]
        event.update(type="track", name=SEMANTIC_EVENTS.get(name, name), props=props)
    elif kind in ("page", "screen"):
        event.update(type="page_view", name=message.get("name") or "", props={"page_type": kind},
                     url=properties.get("url") or page.get("url") or "",
                     ref=properties.get("referrer") or page.get("referrer") or "")
        if isinstance(properties.get("category"), str):
            event["cat"] = properties["category"]
    elif kind == "identify":
        event.update(type="identify", props={})
    elif kind == "alias":  # the visitor known by previousId is the user: an identify of that visitor
        if not isinstance(message.get("previousId"), str) or not message["previousId"]:
            raise MessageInvalid("An alias message needs `previousId`, the anonymous id the user had, and `userId`.")
        event.update(type="identify", props={})
    elif kind == "group":
        raise MessageInvalid("`group` messages are not supported; send the account as a property of your events.")
    else:
        raise MessageInvalid(f"`type` {str(kind)[:20]!r} is unknown; use track, page, screen, identify or alias.")
    timestamp = iso_ms(message.get("timestamp"), "timestamp") or iso_ms(message.get("originalTimestamp"), "originalTimestamp")
    sent_ms = iso_ms(message.get("sentAt"), "sentAt") or default_sent_ms
    if timestamp is None:  # as Segment does: a message without a time happened when it was received
        return {**event, "ts": received_ms}, 0
    return {**event, "ts": timestamp}, received_ms - sent_ms if sent_ms else 0
