"""Fuzzed payloads against /collect and /v1/batch: never a 5xx, every rejection explained."""

import base64
import uuid

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personalization.services.sites import site_create

from ..conftest import ORIGIN, consent_token, make_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"
FUZZ = settings(max_examples=700, deadline=None, suppress_health_check=list(HealthCheck))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(allow_nan=False),
                    st.text(max_size=30))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                           max_leaves=12)
# Bytes no UTF-8 text holds (a Latin-1 letter, a lone continuation byte, an overlong form, a surrogate's encoding,
# a truncated sequence) and escapes of lone UTF-16 surrogates: a broken client's encodings, spliced into bodies.
bad_encodings = st.sampled_from([b"\xe9", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf0\x9f", b"\xff\xfe",
                                 b"\\ud800", b"\\udfff\\ud800"])
field_names = st.sampled_from(["id", "type", "name", "ts", "seq", "url", "ref", "pv", "cat", "purpose", "props",
                               "dims", "user_id"])


@st.composite
def mutated_events(draw):
    event = make_event(draw(st.sampled_from(["page_view", "click", "scroll", "engagement", "track", "video",
                                              "section", "identify"])), name="x", props={})
    for _ in range(draw(st.integers(0, 3))):
        event[draw(field_names)] = draw(json_values)
    return event


def misencoded(draw, body: bytes) -> bytes:
    """`body` with a bad encoding spliced in, inside a string when it has one."""
    quotes = [i for i, byte in enumerate(body) if byte == ord('"')]
    at = draw(st.sampled_from(quotes)) + 1 if quotes else draw(st.integers(0, len(body)))
    return body[:at] + draw(bad_encodings) + body[at:]


@st.composite
def collect_bodies(draw, site_key: str):
    kind = draw(st.sampled_from(["batch", "batch", "batch", "json", "bytes", "encoding"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "json":
        return orjson.dumps(draw(json_values))
    if kind == "encoding":
        return misencoded(draw, draw(collect_bodies(site_key)))
    body = {"site": site_key, "vid": "fuzz-visitor-1", "sent": draw(st.one_of(st.integers(0, 2**45), json_values)),
            "consent": consent_token("fuzz-visitor-1", "analytics"),
            "events": draw(st.lists(mutated_events(), max_size=5))}
    for _ in range(draw(st.integers(0, 2))):
        body[draw(st.sampled_from(["site", "vid", "sent", "consent", "events", "wd"]))] = draw(json_values)
    return orjson.dumps(body)


def explained(response) -> bool:
    body = response.json()
    if response.status_code >= 400 and response.status_code != 422:
        return bool(body.get("error")) and bool(body.get("message") or body.get("detail"))
    return all(item.get("error") for item in body.get("rejected", []))


def test_fuzzed_collector_bodies_never_cause_a_server_error(client, site):
    statuses = []

    @FUZZ
    @given(body=collect_bodies(site.public_key))
    def check(body):
        response = client.post("/collect", body, content_type="text/plain", HTTP_ORIGIN=ORIGIN, HTTP_USER_AGENT=CHROME)
        statuses.append(response.status_code)
        assert response.status_code < 500, response.content
        assert explained(response), response.content
        errors.add(response.json().get("error"))

    errors = set()
    check()
    assert len(statuses) >= 700
    assert {200, 400, 422} <= set(statuses), "the fuzzer should reach stored, unreadable and partly rejected bodies"
    assert "invalid_encoding" in errors, "the fuzzer should reach bodies that are not UTF-8"


@st.composite
def segment_messages(draw):
    message = {"type": draw(st.sampled_from(["track", "page", "identify", "screen", "group", "bogus"])),
               "messageId": str(uuid.uuid4()), "anonymousId": "fuzz-anonymous", "event": "Fuzzed",
               "userId": "u1", "timestamp": "2026-11-20T10:00:00Z"}
    for _ in range(draw(st.integers(0, 3))):
        message[draw(st.sampled_from(["type", "messageId", "anonymousId", "userId", "event", "name", "properties",
                                      "context", "timestamp", "sentAt"]))] = draw(json_values)
    return message


def test_fuzzed_segment_batches_never_cause_a_server_error(client, db):
    keys = site_create(name="Fuzzed backend", origins=[ORIGIN])
    keys.site.server_default_categories = ["analytics"]
    keys.site.save()
    authorization = "Basic " + base64.b64encode(f"{keys.write_key}:".encode()).decode()
    statuses = []

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=st.one_of(st.builds(lambda m, s: {"batch": m, "sentAt": s}, st.lists(segment_messages(), max_size=4),
                                    st.one_of(st.none(), json_values)), json_values), data=st.data())
    def check(body, data):
        raw = orjson.dumps(body)
        if data.draw(st.booleans()):
            raw = misencoded(data.draw, raw)
        response = client.post("/v1/batch", raw, content_type="application/json", HTTP_AUTHORIZATION=authorization)
        statuses.append(response.status_code)
        assert response.status_code < 500, response.content
        assert explained(response), response.content

    check()
    assert len(statuses) >= 400
