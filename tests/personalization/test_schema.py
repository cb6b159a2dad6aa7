import uuid

import pytest

from personalization.collect.payload import PAYLOAD
from personalization.collect.resolved import limits_resolve
from personalization.collect.schema import BatchContext, EventInvalid, event_validate

SETTINGS = {"COLLECT_MAX_NAME_LENGTH": 100, "COLLECT_MAX_PROPS": 64, "COLLECT_MAX_PROPS_BYTES": 4096,
            "COLLECT_MAX_URL_LENGTH": 2000, "EVENT_MAX_AGE_DAYS": 400, "EVENT_MAX_FUTURE_SECONDS": 300,
            "URL_QUERY_DENYLIST": ["email"], "COLLECT_MAX_EVENTS": 100,
            "COLLECT_MAX_BODY_BYTES": 65536, "COLLECT_MAX_BODY_DEPTH": 8}
PURPOSES = frozenset({"necessary", "analytics", "personalization", "marketing"})
LIMITS = limits_resolve(PAYLOAD, SETTINGS, purposes=PURPOSES)
NOW = 1_780_000_000_000
CONTEXT = BatchContext(received_ms=NOW, skew_ms=0)


def event(**fields):
    return {"id": str(uuid.uuid4()), "type": "page_view", "ts": NOW - 1000, **fields}


def invalid(raw, context=CONTEXT) -> str:
    with pytest.raises(EventInvalid) as error:
        event_validate(raw, context, LIMITS)
    return str(error.value)


def test_a_page_view_is_normalised():
    collected = event_validate(event(url="https://a.example/x?email=a&b=1", pv="p1", cat="news"), CONTEXT, LIMITS)
    assert (collected.type, collected.url, collected.path, collected.category) == (
        "page_view", "https://a.example/x?b=1", "/x", "news")
    assert collected.purpose == "analytics"


def test_clock_skew_is_corrected_with_the_batch_send_time():
    # The client's clock is an hour behind: it sent at NOW - 1h by its clock, we received at NOW.
    context = BatchContext(received_ms=NOW, skew_ms=3_600_000)
    collected = event_validate(event(ts=NOW - 3_600_000 - 500), context, LIMITS)
    assert collected.ts_ms == NOW - 500


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "must be a JSON object"),
        ({"type": "page_view", "ts": NOW}, "`id` must be a UUID"),
        (event(type="teleport"), "`type` 'teleport' is unknown"),
        (event(type="track"), "`name` is required"),
        (event(type="track", name="x" * 101), "at most 100 are allowed"),
        (event(ts="yesterday"), "`ts` must be the event's time"),
        (event(ts=NOW - 500 * 86_400_000), "more than 400 days old"),
        (event(ts=NOW + 3_600_000), "in the future"),
        (event(props=[1, 2]), "`props` must be an object"),
        (event(props={f"k{i}": i for i in range(65)}), "at most 64 are allowed"),
        (event(props={"blob": "x" * 5000}), "exceed 4096 bytes"),
        (event(dims={"plan": {"nested": 1}}), "Dimension `plan` must be"),
        (event(type="engagement", props={"engaged_ms": -1}), "props.engaged_ms"),
        (event(type="scroll", props={"depth": 150}), "props.depth"),
        (event(type="video", props={"action": "rewind"}), "props.action"),
        (event(type="track", name="purchase", props={"revenue": "lots"}), "props.revenue"),
        (event(type="identify"), "`user_id` is required"),
        (event(purpose="telepathy"), "not a consent category"),
        (event(name="bad\x00name"), "control characters"),
    ],
)
def test_invalid_events_are_rejected_with_a_message_saying_what_to_fix(raw, message):
    assert message in invalid(raw)


def test_a_track_event_may_need_marketing_consent():
    assert event_validate(event(type="track", name="retarget", purpose="marketing"), CONTEXT, LIMITS).purpose == "marketing"


def test_uuids_are_made_canonical_so_dedup_cannot_be_dodged_by_case():
    raw_id = "A1B2C3D4E5F64A7B8C9D0E1F2A3B4C5D"
    assert event_validate(event(id=raw_id), CONTEXT, LIMITS).event_id == "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


def test_nul_characters_in_properties_are_rejected_because_postgresql_json_cannot_hold_them():
    assert "NUL character" in invalid(event(props={"a\x00": 1}))
    assert "NUL character" in invalid(event(dims={"plan": "x\x00y"}))
