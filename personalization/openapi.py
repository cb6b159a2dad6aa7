"""The OpenAPI description of POST /collect, added to drf-spectacular's schema.

/collect is a plain Django view (the collector's hot path skips DRF), so its contract is
written here, from the same limits the collector enforces."""

from django.conf import settings

from .collect.schema import EVENT_TYPES


def collector_schema() -> dict:
    limits = settings.ATTUNE
    event = {
        "type": "object",
        "required": ["id", "type", "ts"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "Made once per event; resending it is harmless."},
            "type": {"type": "string", "enum": sorted(EVENT_TYPES)},
            "name": {"type": "string", "maxLength": limits["COLLECT_MAX_NAME_LENGTH"],
                     "description": "Required for `track`: the custom event or goal name."},
            "ts": {"type": "integer", "description": "Client time in ms since 1970; corrected with `sent`."},
            "seq": {"type": "integer", "minimum": 0},
            "url": {"type": "string"},
            "ref": {"type": "string"},
            "pv": {"type": "string", "maxLength": 40, "description": "Page view id."},
            "cat": {"type": "string", "maxLength": 100, "description": "Content category of the page."},
            "purpose": {"type": "string", "description": "A consent category the event needs besides analytics, e.g. marketing."},
            "user_id": {"type": "string", "description": "identify only; stored as a keyed hash."},
            "props": {"type": "object", "maxProperties": limits["COLLECT_MAX_PROPS"]},
            "dims": {"type": "object", "maxProperties": limits["COLLECT_MAX_PROPS"]},
        },
    }
    batch = {
        "type": "object",
        "required": ["site", "vid", "events"],
        "properties": {
            "site": {"type": "string", "description": "The site's public key."},
            "vid": {"type": "string", "minLength": 8, "maxLength": 64, "pattern": "^[A-Za-z0-9_-]+$"},
            "sent": {"type": "integer", "description": "Client time of sending, in ms (for clock-skew correction)."},
            "consent": {"type": "string", "description": "The signed attune_consent cookie."},
            "wd": {"type": "boolean", "description": "navigator.webdriver"},
            "events": {"type": "array", "maxItems": limits["COLLECT_MAX_EVENTS"], "items": event},
        },
    }
    answer = {"type": "object", "properties": {
        "accepted": {"type": "integer"}, "queued": {"type": "integer"}, "duplicates": {"type": "integer"},
        "dropped": {"type": "object", "additionalProperties": {"type": "integer"}},
        "rejected": {"type": "array", "items": {"type": "object"}},
        "error": {"type": "string"}, "message": {"type": "string"},
    }}
    responses = {
        str(status): {"description": text, "content": {"application/json": {"schema": answer}}}
        for status, text in [
            (200, "Stored (embedded mode)"), (202, "Queued (with Redis)"),
            (422, "Some events rejected; the others accepted"), (400, "Unreadable body"),
            (403, "Unknown site key or origin"), (413, "Body or batch too large"), (429, "Rate limited"),
            (503, "Storage unavailable: keep the batch and retry"),
        ]
    }
    return {"post": {
        "operationId": "collect",
        "summary": "The tracker's batch endpoint",
        "description": f"Body at most {limits['COLLECT_MAX_BODY_BYTES']} bytes, sent as text/plain JSON (no CORS "
                       "preflight). See docs/tracker-payload.md.",
        "tags": ["collect"],
        "requestBody": {"required": True, "content": {"text/plain": {"schema": batch}, "application/json": {"schema": batch}}},
        "responses": responses,
    }}


def collector_path_add(result, generator, request, public):
    result.setdefault("paths", {})["/collect"] = collector_schema()
    return result
