"""The payload's declaration (collect/payload.py) is the only place a limit is written: a limit changed there, or in
the setting it names, is followed by the slow path, the fast path and the OpenAPI document alike."""

import json
import uuid
from dataclasses import replace

import hypothesis
import orjson
import pytest
from hypothesis import strategies as st

from config.settings.attune import DEFAULTS
from personalization.collect import payload
from personalization.collect.fast import batch_decode, events_complete
from personalization.collect.limits import collect_limits
from personalization.collect.payload import PAYLOAD, Whole
from personalization.collect.payload_doc import DOCUMENT, generated
from personalization.collect.resolved import limits_resolve
from personalization.collect.schema import EventInvalid, event_validate
from personalization.openapi import collector_schema

from ..conftest import ORIGIN, consent_token, now_ms
from .test_fast_path import EVENTS
from .test_schema import CONTEXT, LIMITS, NOW, PURPOSES, SETTINGS

CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"


def event(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "type": "page_view", "ts": NOW - 1000, **fields}


def body(*events) -> bytes:
    return orjson.dumps({"site": "s", "vid": "visitor-1", "events": list(events)})


def slow_refusal(raw: dict) -> str | None:
    """What the slow path says of `raw` under the current limits, or None when it takes it."""
    try:
        event_validate(raw, CONTEXT, collect_limits())
    except EventInvalid as error:
        return str(error)
    return None


def fast_takes(raw: dict) -> bool:
    """Whether the fast path takes a batch of `raw` whole under the current limits (else the slow path judges it)."""
    sent = body(raw)
    typed = batch_decode(sent, limits=collect_limits(), max_events=100, max_depth=8)
    if typed is None:
        return False
    try:
        events_complete(typed.events, CONTEXT, collect_limits(), sent)
    except EventInvalid:
        return False
    return True


def openapi_event() -> dict:
    batch = collector_schema()["post"]["requestBody"]["content"]["text/plain"]["schema"]
    return batch["properties"]["events"]["items"]["properties"]


def test_a_fixed_limit_changed_in_the_declaration_is_followed_by_both_paths_and_the_openapi_document(monkeypatch):
    long_category = event(cat="c" * 11)
    assert slow_refusal(long_category) is None and fast_takes(long_category)
    assert openapi_event()["cat"]["maxLength"] == 100

    monkeypatch.setattr(payload, "PAYLOAD", PAYLOAD.with_text("cat", max_length=10))

    assert slow_refusal(long_category) == "`cat` is 11 characters long; at most 10 are allowed."
    assert not fast_takes(long_category)
    assert openapi_event()["cat"]["maxLength"] == 10
    assert slow_refusal(event(cat="c" * 10)) is None and fast_takes(event(cat="c" * 10))


def test_a_property_bound_changed_in_the_declaration_is_followed_by_both_paths_and_the_openapi_document(monkeypatch):
    deep = event(type="scroll", props={"depth": 80})
    assert slow_refusal(deep) is None and fast_takes(deep)
    types = tuple(replace(kind, properties=(Whole("depth", 0, 50),)) if kind.name == "scroll" else kind
                  for kind in PAYLOAD.types)

    monkeypatch.setattr(payload, "PAYLOAD", replace(PAYLOAD, types=types))

    assert slow_refusal(deep) == "`props.depth` must be between 0 and 50."
    assert not fast_takes(deep)
    assert "scroll: `depth` 0 to 50." in openapi_event()["props"]["description"]


def test_a_limit_from_the_settings_is_followed_by_both_paths_and_the_openapi_document(attune_settings):
    named = event(type="track", name="n" * 21)
    assert slow_refusal(named) is None and fast_takes(named)

    attune_settings(COLLECT_MAX_NAME_LENGTH=20, COLLECT_MAX_PROPS=2)

    assert slow_refusal(named) == "`name` is 21 characters long; at most 20 are allowed."
    assert not fast_takes(named)
    assert openapi_event()["name"]["maxLength"] == 20
    many = event(props={"a": 1, "b": 2, "c": 3})
    assert slow_refusal(many) == "`props` has 3 keys; at most 2 are allowed."
    assert not fast_takes(many)
    assert openapi_event()["props"]["maxProperties"] == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("embedded_mode")
def test_the_collector_refuses_what_a_changed_declaration_refuses_and_says_why(client, site, monkeypatch):
    monkeypatch.setattr(payload, "PAYLOAD", PAYLOAD.with_text("cat", max_length=10))
    events = [event(ts=now_ms(), cat="shoes"), event(ts=now_ms(), cat="c" * 11)]
    sent = {"site": site.public_key, "vid": "visitor-1", "consent": consent_token("visitor-1", "analytics"),
            "events": events}

    response = client.post("/collect", orjson.dumps(sent), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                           HTTP_USER_AGENT=CHROME)

    assert response.status_code == 422
    assert response.json()["rejected"] == [
        {"index": 1, "id": events[1]["id"], "error": "`cat` is 11 characters long; at most 10 are allowed."}]


def test_every_text_field_lands_where_the_declaration_says():
    texts = {"name": "goal", "purpose": "marketing", "url": "https://a.example/p", "ref": "https://b.example/",
             "pv": "pv-1", "cat": "shoes", "user_id": "u-1", "user_sig": "0" * 64}
    assert [text.name for text in PAYLOAD.texts] == list(texts)
    collected = event_validate(event(type="track", **texts), CONTEXT, LIMITS)
    assert (collected.name, collected.purpose, collected.url, collected.referrer, collected.page_view_id,
            collected.category, collected.user_id, collected.user_sig) == tuple(texts.values())


def test_the_openapi_document_describes_the_envelope_the_fast_path_reads():
    batch = collector_schema()["post"]["requestBody"]["content"]["text/plain"]["schema"]
    assert set(batch["properties"]) == {"site", "vid", "sid", "sent", "consent", "wd", "lost", "events"}
    declared = orjson.dumps({"site": "s", "vid": "visitor-1", "sid": "s-1", "lost": 0, "events": [event()]})
    assert batch_decode(declared, limits=LIMITS, max_events=100, max_depth=8) is not None
    unknown = orjson.dumps({"site": "s", "vid": "visitor-1", "extra": 1, "events": [event()]})
    assert batch_decode(unknown, limits=LIMITS, max_events=100, max_depth=8) is None
    assert batch["properties"]["events"]["maxItems"] == 100


def test_the_payload_document_states_the_declared_fields_and_limits():
    """docs/tracker-payload.md is written from the declaration: rerun payload_doc when this fails."""
    document = DOCUMENT.read_text()
    assert generated(PAYLOAD, DEFAULTS) in document
    assert "| `cat` | no | The page's content category (`<meta name=\"attune:category\">`). At most 100 characters. |" in document
    assert generated(PAYLOAD.with_text("cat", max_length=10), DEFAULTS) not in document


TIGHT = limits_resolve(  # every kind of limit lowered, so that random events meet them often
    replace(PAYLOAD.with_text("cat", max_length=3).with_text("pv", max_length=2),
            types=tuple(replace(kind, properties=(Whole("depth", 0, 5),)) if kind.name == "scroll" else kind
                        for kind in PAYLOAD.types)),
    {**SETTINGS, "COLLECT_MAX_NAME_LENGTH": 4, "COLLECT_MAX_PROPS": 2, "COLLECT_MAX_PROPS_BYTES": 60},
    purposes=PURPOSES)


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(st.lists(EVENTS, min_size=1, max_size=4))
def test_under_a_changed_declaration_the_fast_path_still_accepts_only_what_the_slow_path_accepts_identically(events):
    sent = json.dumps({"site": "s", "vid": "visitor-1", "events": events}, ensure_ascii=False).encode()
    typed = batch_decode(sent, limits=TIGHT, max_events=100, max_depth=8)
    if typed is None:
        return
    try:
        fast = events_complete(typed.events, CONTEXT, TIGHT, sent)
    except EventInvalid:
        return
    assert fast == [event_validate(raw, CONTEXT, TIGHT) for raw in orjson.loads(sent)["events"]]
