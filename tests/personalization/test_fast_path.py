"""The collector's fast path (collect/fast.py) must never accept what the slow path, event by event, would not,
nor accept it differently: it only skips rules that cannot fail for the batch at hand."""

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalization.collect.fast import batch_decode, batch_forwardable, events_complete
from personalization.collect.schema import EVENT_TYPES, EventInvalid, event_validate

from .test_schema import CONTEXT, LIMITS, NOW

# Each strategy leans to valid values, so that many whole batches get through the fast path.
UUIDS = st.one_of(
    st.uuids().map(str), st.uuids().map(str), st.uuids().map(str), st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: str(u)[:-1] + "g"),
    st.uuids().map(lambda u: str(u).replace("-", "")[:8] + "-" + u.hex[8:] + "-"),
    st.text(max_size=40),
)
TEXT = st.one_of(st.sampled_from(["", "x", "purchase", "https://a.example/p?email=a@b.c&q=1#t=1", "/rel"]),
                 st.sampled_from(["", "x", "purchase", "https://a.example/p?email=a@b.c&q=1#t=1", "/rel"]),
                 st.text(max_size=12), st.text(alphabet="a\x00\x1f\x7f\n\\\"é", max_size=6))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.sampled_from(["a", "b"]), st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False), TEXT, st.just("y" * 2100))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.text(max_size=3), SCALARS, max_size=3),
                   st.just([[1]]), st.just({"a": {"b": 1}}))
PROPS = st.one_of(
    st.dictionaries(st.sampled_from(["depth", "engaged_ms", "action", "quantity", "revenue", "k", "a\x00"]), VALUES,
                    max_size=4),
    st.fixed_dictionaries({"depth": st.integers(-5, 120)}),
    st.fixed_dictionaries({"engaged_ms": st.integers(-5, 10**9)}),
    st.fixed_dictionaries({"action": st.sampled_from(["play", "enter", "rewind"])}),
)
EVENTS = st.fixed_dictionaries(
    {"id": UUIDS,
     "type": st.sampled_from(["page_view", "page_view", "click", "click", "scroll", "engagement", "video", "section",
                              "track", "identify", "teleport"]),
     "ts": st.one_of(st.integers(NOW - 500 * 86_400_000, NOW + 600_000), st.just(NOW - 1000), st.just(NOW - 1000))},
    optional={"name": TEXT, "purpose": st.sampled_from(["", "", "analytics", "marketing", "telepathy"]), "url": TEXT,
              "ref": TEXT, "pv": TEXT, "cat": TEXT, "user_id": TEXT, "props": PROPS,
              "dims": st.dictionaries(st.sampled_from(["plan", "tier"]), SCALARS, max_size=2),
              "seq": st.integers(-1, 2**31)},
)


def slow(events: list) -> list | None:
    try:
        return [event_validate(raw, CONTEXT, LIMITS) for raw in events]
    except EventInvalid:
        return None


@settings(max_examples=600, deadline=None)
@given(st.lists(EVENTS, min_size=1, max_size=6))
def test_what_the_fast_path_accepts_the_slow_path_accepts_identically(events):
    raw = json.dumps({"site": "s", "vid": "visitor-1", "events": events}, ensure_ascii=False).encode()  # big ints too
    typed = batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8)
    if typed is None:
        return
    try:
        fast = events_complete(typed.events, CONTEXT, LIMITS, raw)
    except EventInvalid:
        return
    assert fast == slow(orjson.loads(raw)["events"])


CLEAN = ["", "https://a.example/p", "https://a.example/p?q=1", "/rel"]
ADDRESSES = st.sampled_from(CLEAN * 20 + ["https://a.example/p?email=a@b.c", "https://a.example/cb#access_token=x",
                                         "https://a.example/" + "x" * 2100, "mailto:a@b.c"])
TRACKER_EVENTS = st.fixed_dictionaries(  # as trackers send them, now and then with something to minimise or refuse
    {"id": st.uuids().map(str),
     "type": st.sampled_from(["page_view", "click", "scroll", "engagement", "hover", "track"] * 4 + ["identify"]),
     "ts": st.integers(NOW - 1000, NOW) | st.integers(NOW - 401 * 86_400_000, NOW + 301_000), "url": ADDRESSES,
     "name": st.just("n")},
    optional={"ref": ADDRESSES, "purpose": st.sampled_from(["analytics"] * 4 + ["marketing", "telepathy"]),
              "user_id": st.just("u1"), "pv": st.just("pv-1"),
              "props": st.one_of(st.fixed_dictionaries({"depth": st.integers(0, 101)}),
                                 st.fixed_dictionaries({"engaged_ms": st.integers(0, 1000)}),
                                 st.fixed_dictionaries({"href": ADDRESSES}))},
).filter(lambda event: "user_id" not in event or event["id"] < "3")  # user ids now and then, not in half the events
GRANTED = st.sampled_from([{"analytics"}] * 3 + [{"analytics", "marketing"}, {"personalization"}, set()]).map(
    lambda granted: frozenset(granted | {"necessary"}))


@settings(max_examples=600, deadline=None)
@given(st.lists(TRACKER_EVENTS, min_size=1, max_size=6) | st.lists(EVENTS, min_size=1, max_size=6), GRANTED)
def test_a_batch_forwarded_as_sent_is_one_the_slow_path_takes_whole_and_stores_as_sent(events, granted):
    """Forwarded batches are finished by the drain: forwarding must be for batches every rule accepts, that consent
    allows whole, and whose addresses and user ids minimisation would leave as they are (nothing more in Redis)."""
    raw = json.dumps({"site": "s", "vid": "visitor-1", "events": events}, ensure_ascii=False).encode()
    typed = batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8)
    if typed is None or not batch_forwardable(typed.events, CONTEXT, LIMITS, raw, granted):
        return
    finished = events_complete(batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8).events, CONTEXT, LIMITS, raw)
    assert finished == slow(orjson.loads(raw)["events"])
    for sent, event in zip(orjson.loads(raw)["events"], finished, strict=True):
        assert event.purpose in granted and EVENT_TYPES[event.type] in granted
        assert not event.user_id and event.type != "identify"
        assert (event.url, event.referrer) == (sent.get("url", ""), sent.get("ref", ""))
        assert event.props.get("href") == sent.get("props", {}).get("href")


def test_a_batch_with_anything_to_minimise_or_leave_out_is_not_forwarded():
    def one(**fields):
        event = {"id": "0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "type": "click", "ts": NOW - 1000,
                 "url": "https://a.example/p", **fields}
        raw = orjson.dumps({"site": "s", "vid": "visitor-1", "events": [event]})
        typed = batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8).events
        return batch_forwardable(typed, CONTEXT, LIMITS, raw, frozenset({"necessary", "analytics"}))

    assert one()
    assert not one(url="https://a.example/p?email=a@b.c")
    assert not one(ref="https://a.example/p#access_token=x")
    assert not one(props={"href": "mailto:a@b.c"})
    assert not one(props={"href": "mailto:", "text": "a@b.c"})
    assert not one(props={"href": "/reset?email=a@b.c"})
    assert not one(user_id="u1")
    assert not one(type="identify", user_id="u1")
    assert not one(purpose="marketing")
    assert not one(type="scroll", props={"depth": 101})


URL_TEXT = st.text(alphabet="abcXYZ019-_/?#=&.:é", max_size=20)
VALID_EVENTS = st.tuples(
    st.one_of(st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()), st.uuids().map(lambda u: u.hex)),
    st.sampled_from([("page_view", {}), ("click", {"tag": "a"}), ("scroll", {"depth": 50}), ("track", {"revenue": 5}),
                     ("engagement", {"engaged_ms": 1200}), ("video", {"action": "play"}), ("identify", {})]),
    st.integers(NOW - 399 * 86_400_000, NOW + 299_000),
    st.sampled_from(["", "analytics", "marketing"]),
    URL_TEXT, st.sampled_from(["n", "n", 'a "quoted" name', "back\\slash"]),
    st.one_of(st.just(""), st.just(""), st.integers(3900, 4100).map(lambda n: "x" * n)),
).map(lambda f: {"id": f[0], "type": f[1][0], "ts": f[2], "purpose": f[3], "url": "https://a.example/" + f[4],
                 "name": f[5] or "n", "user_id": "u1", "props": {**f[1][1], "note": f[6]}})


@settings(max_examples=300, deadline=None)
@given(st.lists(VALID_EVENTS, min_size=1, max_size=4))
def test_well_formed_batches_come_out_of_the_fast_path_as_the_slow_path_makes_them(events):
    """Well formed but for properties that may be too large: the two paths agree on every event or refuse both."""
    raw = orjson.dumps({"site": "s", "vid": "visitor-1", "events": events})
    try:
        fast = events_complete(batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8).events, CONTEXT, LIMITS, raw)
    except EventInvalid:
        fast = None
    assert fast == slow(events)


def test_a_plain_batch_takes_the_fast_path():
    events = [{"id": "0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "type": "scroll", "ts": NOW - 1000, "url": "/a?email=x",
               "props": {"depth": 50}}]
    raw = orjson.dumps({"site": "s", "vid": "visitor-1", "events": events})
    fast = events_complete(batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8).events, CONTEXT, LIMITS, raw)
    assert [(e.event_id, e.url, e.path, e.props) for e in fast] == [
        ("0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "/a", "/a", {"depth": 50})]
    assert fast == slow(events)


def test_nesting_deeper_than_allowed_never_takes_the_fast_path():
    raw = orjson.dumps({"site": "s", "vid": "visitor-1", "events": [
        {"id": "0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "type": "click", "ts": NOW, "props": {"a": [1]}}]})
    assert batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8) is not None
    assert batch_decode(raw, limits=LIMITS, max_events=100, max_depth=4) is None


def test_properties_that_grow_when_encoded_are_measured_as_encoded():
    """600 numbers written `1e15` take 3 KB in the body but 11 KB as stored: over the limit on both paths."""
    props = "[" + ",".join(["1e15"] * 600) + "]"
    raw = ('{"site":"s","vid":"visitor-1","events":[{"id":"0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b","type":"click",'
           f'"ts":{NOW},"props":{{"n":{props}}}}}]}}').encode()
    assert len(raw) < LIMITS.max_props_bytes
    assert slow(orjson.loads(raw)["events"]) is None
    typed = batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8)
    try:
        fast = events_complete(typed.events, CONTEXT, LIMITS, raw)
    except EventInvalid:
        fast = None
    assert fast is None


def test_a_delete_character_needs_no_escape_in_json_and_is_still_refused():
    raw = orjson.dumps({"site": "s", "vid": "visitor-1", "events": [
        {"id": "0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "type": "click", "ts": NOW, "name": "a\x7fb"}]})
    assert b"\\" not in raw and slow(orjson.loads(raw)["events"]) is None
    with pytest.raises(EventInvalid):
        events_complete(batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8).events, CONTEXT, LIMITS, raw)


def test_nesting_in_fields_the_fast_path_does_not_know_is_measured_by_the_slow_path():
    deep = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {}}}}}}}}
    raw = orjson.dumps({"site": "s", "vid": "visitor-1", "extra": deep, "events": []})
    assert batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8) is None
    tracker = orjson.dumps({"site": "s", "vid": "visitor-1", "sid": "s1", "sent": NOW, "consent": "t", "wd": False,
                            "lost": 0, "events": []})
    assert batch_decode(tracker, limits=LIMITS, max_events=100, max_depth=8) is not None


def test_properties_over_the_limit_together_but_not_one_by_one_are_measured_event_by_event():
    """The batch's properties together are 6 KB, each event's 1.5 KB: all four are accepted; a fifth of 4.1 KB
    is refused on both paths."""
    events = [{"id": f"0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6{n}", "type": "click", "ts": NOW - 1000,
               "props": {"note": "x" * 1500}} for n in range(4)]
    raw = orjson.dumps({"site": "s", "vid": "visitor-1", "events": events})
    fast = events_complete(batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8).events, CONTEXT, LIMITS, raw)
    assert len(fast) == 4 and fast == slow(events)
    events.append({**events[0], "id": "0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6f", "props": {"note": "x" * 4100}})
    raw = orjson.dumps({"site": "s", "vid": "visitor-1", "events": events})
    with pytest.raises(EventInvalid):
        events_complete(batch_decode(raw, limits=LIMITS, max_events=100, max_depth=8).events, CONTEXT, LIMITS, raw)
    assert slow(events) is None
