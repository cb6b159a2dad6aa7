"""The OpenAPI description of POST /collect (and GET /decide), added to drf-spectacular's schema.

/collect is a plain Django view (the collector's hot path skips DRF), so its contract is derived here from the
payload's declaration (collect/payload.py) as the collector resolves it (collect/limits.py): the same limits, read
from the same place."""

from .collect.limits import collect_limits
from .collect.payload import Amount, Choice, Whole
from .collect.resolved import Limits
from .views.decide import MAX_SLOTS, PAGE_TEXTS


def property_rules_text(limits: Limits) -> str:
    """The type-specific properties each event type must carry well-formed, as one sentence per type."""
    sentences = []
    for kind in limits.payload.types:
        rules = []
        for rule in kind.properties:
            if isinstance(rule, Whole):
                rules.append(f"`{rule.name}` {rule.low} to {rule.high}" + ("" if rule.required else " (optional)"))
            elif isinstance(rule, Choice):
                rules.append(f"`{rule.name}` {rule.allowed()}")
            elif isinstance(rule, Amount):
                rules.append(f"`{rule.name}` {rule.low} to {rule.below - 1} (optional)")
        if rules:
            sentences.append(f"{kind.name}: {', '.join(rules)}.")
    return " ".join(sentences)


def event_schema(limits: Limits) -> dict:
    """The JSON Schema of one event."""
    payload, days = limits.payload, limits.max_age_ms // 86_400_000
    texts = {}
    for name, length in limits.texts:
        text = payload.text(name)
        required = f" Required for `{text.required_for}`." if text.required_for else ""
        texts[name] = {"type": "string", "maxLength": length, "description": text.description + required}
    objects = {"type": "object", "maxProperties": limits.max_props}
    keys = f"At most {limits.max_props} keys of at most {limits.max_key_length} characters"
    size = f"`props` and `dims` together at most {limits.max_props_bytes} bytes as JSON"
    return {
        "type": "object",
        "required": ["id", "type", "ts"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "Made once per event; resending it is harmless."},
            "type": {"type": "string", "enum": sorted(limits.categories)},
            "ts": {"type": "integer", "description": f"Client time in ms since 1970; corrected with `sent`, then at "
                                                     f"most {days} days old and {limits.max_future_ms // 1000} s ahead."},
            payload.seq.name: {"type": "integer", "minimum": payload.seq.low, "maximum": payload.seq.high},
            **texts,
            "props": {**objects, "description": f"{keys}; {size}. {property_rules_text(limits)}"},
            "dims": {**objects, "description": f"{keys}.", "additionalProperties": {"oneOf": [
                {"type": "string", "maxLength": payload.dimension_text}, {"type": "number"}, {"type": "boolean"}]}},
        },
    }


def batch_schema(limits: Limits) -> dict:
    """The JSON Schema of a batch: its envelope and its events."""
    payload = limits.payload
    envelope = {field.name: {**dict(field.schema), "description": field.description} for field in payload.envelope}
    return {
        "type": "object",
        "required": [field.name for field in payload.envelope if field.required] + ["events"],
        "properties": {**envelope, "events": {"type": "array", "maxItems": limits.max_events, "items": event_schema(limits)}},
    }


def responses_schema() -> dict:
    """What /collect answers, per status."""
    answer = {"type": "object", "properties": {
        "accepted": {"type": "integer"}, "queued": {"type": "integer"}, "duplicates": {"type": "integer"},
        "dropped": {"type": "object", "additionalProperties": {"type": "integer"}},
        "rejected": {"type": "array", "items": {"type": "object"}},
        "error": {"type": "string"}, "message": {"type": "string"},
    }}
    return {
        str(status): {"description": text, "content": {"application/json": {"schema": answer}}}
        for status, text in [
            (200, "Stored (embedded mode)"), (202, "Queued (with Redis)"),
            (422, "Some events rejected; the others accepted"), (400, "Unreadable body"),
            (403, "Unknown site key or origin"), (413, "Body or batch too large"), (429, "Rate limited"),
            (503, "Storage unavailable: keep the batch and retry"),
        ]
    }


def collector_schema() -> dict:
    """The OpenAPI operation of POST /collect, under the current settings and declaration."""
    limits = collect_limits()
    batch = batch_schema(limits)
    return {"post": {
        "operationId": "collect",
        "summary": "The tracker's batch endpoint",
        "description": f"Body at most {limits.max_body_bytes} bytes, sent as text/plain JSON (no CORS preflight). See "
                       "docs/tracker-payload.md.",
        "tags": ["collect"],
        "requestBody": {"required": True, "content": {"text/plain": {"schema": batch}, "application/json": {"schema": batch}}},
        "responses": responses_schema(),
    }}


def collector_path_add(result, generator, request, public):
    """drf-spectacular's postprocessing hook: adds /collect to the generated document."""
    result.setdefault("paths", {})["/collect"] = collector_schema()
    return result


def decide_schema() -> dict:
    """The OpenAPI operation of GET /decide (personalization/views/decide.py)."""
    def parameter(name: str, description: str, *, required: bool = False) -> dict:
        return {"name": name, "in": "query", "required": required, "description": description,
                "schema": {"type": "string", "maxLength": PAGE_TEXTS.get(name, 200)}}

    slot = {"type": "object", "required": ["html", "ref"], "properties": {
        "html": {"type": "string", "description": "Sanitised HTML to show in the slot."},
        "ref": {"type": "string", "description": "The rule and variant; report it with impressions and clicks."},
        "when": {"description": "An in-page condition (docs/conditions.md) to wait for before showing the content."},
        "keep": {"type": "boolean", "description": "A control group: keep the slot's default content (html is "
                                                   "empty), but mark it with ref and report its impression."},
    }}
    error = {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
    return {"get": {
        "operationId": "decide",
        "summary": "The content of a page's slots for the current visitor",
        "description": "Answers only the site's allowed origins. The visitor is the one whose consent token comes in "
                       "the attune_consent cookie or the X-Attune-Consent header; without personalization consent "
                       "the answer is {} (every slot keeps its default). Slots not in the answer keep their default.",
        "tags": ["decide"],
        "parameters": [
            parameter("site", "The site's public key (the tracker's data-site).", required=True),
            parameter("slots", f"Comma-separated slot names, at most {MAX_SLOTS}.", required=True),
            parameter("path", "The page's path."), parameter("page_type", "The page's type."),
            parameter("category", "The page's content category."), parameter("referrer", "The referring address."),
        ],
        "responses": {
            "200": {"description": "{slot: {html, ref, when?, keep?}}", "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": slot}}}},
            "400": {"description": "Unknown site or bad slot names", "content": {"application/json": {"schema": error}}},
            "403": {"description": "Origin not allowed", "content": {"application/json": {"schema": error}}},
        },
    }}


def decide_path_add(result, generator, request, public):
    """drf-spectacular's postprocessing hook: adds /decide to the generated document."""
    result.setdefault("paths", {})["/decide"] = decide_schema()
    return result
