"""The collector with REDIS_URL: 202 only once the stream has the batch; drain workers store it exactly once."""

import os
import signal
import subprocess
import sys
import time

import orjson
import pytest
from django.conf import settings
from django.db import connection

from personalization.ingest.drain import stream_drain
from personalization.ingest.redis_client import redis_client
from personalization.models import DropCounter, Event, Profile
from personalization.services.failures import drop_counters_flush

from ..conftest import ORIGIN, consent_token, make_event, now_ms

pytestmark = pytest.mark.redis
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"


def post(client, site, events, *, visitor="visitor-0001", consent=("analytics",)):
    body = {"site": site.public_key, "vid": visitor, "sent": now_ms(),
            "consent": consent_token(visitor, *consent, site_key=site.public_key),
            "events": events}
    return client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                       HTTP_USER_AGENT=CHROME)


def stream_length() -> int:
    return redis_client().xlen(settings.ATTUNE["STREAM_KEY"])


@pytest.mark.django_db
def test_a_batch_is_queued_with_202_and_stored_by_the_drain(client, site, redis_mode):
    response = post(client, site, [make_event(), make_event("click")])
    assert response.status_code == 202
    assert response.json() == {"queued": 2}
    assert not Event.objects.exists()
    assert stream_length() == 1
    stats = stream_drain(consumer="test", max_seconds=5, until_empty=True)
    assert (stats.entries, stats.stored) == (1, 2)
    assert Event.objects.count() == 2
    assert Profile.objects.get().events == 2
    assert stream_length() == 0  # acknowledged entries are deleted, so the stream does not grow


def stream_entries() -> list[bytes]:
    return [fields[b"b"] for _, fields in redis_client().xrange(settings.ATTUNE["STREAM_KEY"])]


@pytest.mark.django_db
def test_a_clean_batch_is_queued_as_sent_and_the_drain_stores_it_as_the_collector_would_have(client, site, redis_mode):
    from personalization.collect.entry import DECODER

    sent = now_ms() - 60_000  # the device's clock is a minute slow
    events = [make_event(url=ORIGIN + "/shop/p/boot?q=1", pv="p1", cat="shoes", ts=sent - 500),
              make_event("click", url=ORIGIN + "/shop/p/boot?q=1", pv="p1", ts=sent - 100,
                         props={"tag": "a", "href": ORIGIN + "/shop/cart/"})]
    body = orjson.dumps({"site": site.public_key, "vid": "visitor-0001", "sent": sent,
                         "consent": consent_token("visitor-0001", "analytics"), "events": events})
    assert client.post("/collect", body, content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                       HTTP_USER_AGENT=CHROME).json() == {"queued": 2}
    [entry] = stream_entries()
    assert bytes(DECODER.decode(entry).body) == body  # forwarded as sent, not re-encoded
    stream_drain(consumer="test", max_seconds=5, until_empty=True)
    stored = {e.type: e for e in Event.objects.all()}
    assert (stored["page_view"].path, stored["page_view"].category, stored["click"].props["href"]) == (
        "/shop/p/boot", "shoes", ORIGIN + "/shop/cart/")
    assert abs((stored["click"].ts - stored["click"].received_at).total_seconds()) < 5  # clock skew corrected
    assert Profile.objects.get().clicks == 1


@pytest.mark.django_db
def test_what_minimisation_removes_never_reaches_the_stream(client, site, redis_mode):
    post(client, site, [make_event(url=ORIGIN + "/reset?email=a%40b.c&step=2"),
                        make_event("click", props={"href": "mailto:alice@example.com"})])
    [entry] = stream_entries()
    assert b"a%40b.c" not in entry and b"alice" not in entry
    stream_drain(consumer="test", max_seconds=5, until_empty=True)
    assert set(Event.objects.values_list("url", flat=True)) >= {ORIGIN + "/reset?step=2"}


@pytest.mark.django_db
def test_events_of_a_forwarded_batch_that_the_drain_now_refuses_are_kept_as_failures(client, site, redis_mode,
                                                                                      attune_settings):
    """Settings can differ between web and drain processes during a deploy: nothing is dropped silently."""
    from personalization.models import FailedEvent

    post(client, site, [make_event(), make_event("click", props={"a": 1, "b": 2, "c": 3})])
    attune_settings(COLLECT_MAX_PROPS=2)
    stats = stream_drain(consumer="test", max_seconds=5, until_empty=True)
    assert stats.stored == 1
    failure = FailedEvent.objects.get()
    assert (failure.event_index, failure.detail) == (1, "`props` has 3 keys; at most 2 are allowed.")
    assert '"b":2' in failure.payload
    drop_counters_flush()
    assert DropCounter.objects.get(reason="invalid").count == 1


@pytest.mark.django_db
def test_consent_and_validation_run_before_queueing(client, site, redis_mode):
    response = post(client, site, [make_event(), make_event("teleport")], consent=())
    assert response.status_code == 422
    assert response.json()["dropped"] == {"no_consent": 1}
    stream_drain(consumer="test", max_seconds=5, until_empty=True)
    assert not Event.objects.exists()
    assert dict(DropCounter.objects.values_list("reason", "count")) == {"no_consent": 1, "invalid": 1}


@pytest.mark.django_db
def test_when_redis_is_unreachable_the_collector_answers_503_never_a_false_success(client, site, redis_mode, settings):
    import personalization.ingest.stream as stream

    working_url = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    redis_client.cache_clear()
    stream._enqueue_sha = None
    try:
        response = post(client, site, [make_event()])
    finally:
        settings.REDIS_URL = working_url
        redis_client.cache_clear()
        stream._enqueue_sha = None
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


@pytest.mark.django_db
def test_rate_limits_are_counted_in_redis_and_flushed_to_the_database(client, site, redis_mode, attune_settings):
    attune_settings(RATE_LIMIT_ADDRESS_PER_MINUTE=1)
    assert [post(client, site, [make_event()]).status_code for _ in range(3)] == [202, 429, 429]
    drop_counters_flush()
    assert DropCounter.objects.get(reason="rate_limited").count == 2


@pytest.mark.django_db
def test_a_batch_stored_but_not_acknowledged_is_replayed_harmlessly(client, site, redis_mode):
    from personalization.collect.entry import entry_decode
    from personalization.ingest.drain import group_ensure
    from personalization.ingest.write import batches_write

    post(client, site, [make_event() for _ in range(3)])
    group_ensure()
    # A worker reads and commits, then dies before XACK: the entry stays pending.
    entries = redis_client().xreadgroup(settings.ATTUNE["STREAM_GROUP"], "doomed", {settings.ATTUNE["STREAM_KEY"]: ">"})
    batches_write([entry_decode(fields[b"b"]) for _, fields in entries[0][1]])
    time.sleep(0.05)
    settings.ATTUNE = {**settings.ATTUNE, "DRAIN_CLAIM_IDLE_MS": 10}
    stats = stream_drain(consumer="rescuer", max_seconds=5, until_empty=True)
    assert (stats.entries, stats.stored, stats.duplicates) == (1, 0, 3)
    assert Event.objects.count() == 3
    assert Profile.objects.get().events == 3


@pytest.mark.django_db
def test_a_batch_the_database_refuses_is_dead_lettered_and_the_rest_of_the_chunk_stored(client, site, redis_mode):
    """A batch queued before a validation rule existed (here a fractional engaged time, which a bigint column
    refuses) must not block the stream: it goes to the failed events with its payload; the others are stored."""
    from personalization.collect.batch import CollectedBatch, CollectedEvent
    from personalization.models import FailedEvent
    from personalization.services.handover import batches_store

    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores 1500.5 in an integer column")
    post(client, site, [make_event("click")])
    poison = CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=now_ms(), visitor_id="visitor-0002",
                            consent="analytics,necessary")
    poison.events.append(CollectedEvent("0193a1b2-c3d4-7e5f-a000-000000000001", "engagement", "", now_ms(), 0, "", "",
                                        "", "pv-1", "", {"engaged_ms": 1500.5}, {}, "analytics"))
    batches_store([poison])
    post(client, site, [make_event("click")])
    stats = stream_drain(consumer="worker", max_seconds=10, until_empty=True)
    assert (stats.entries, stats.stored, stats.dead_lettered) == (3, 2, 1)
    assert "could not be stored" in FailedEvent.objects.get().detail
    assert stream_length() == 0


@pytest.mark.django_db
def test_a_batch_that_trips_an_unexpected_error_is_dead_lettered_and_the_worker_goes_on(client, site, redis_mode,
                                                                                       monkeypatch):
    """Not only database errors: a batch that trips a bug must not stop the worker (nor every worker that claims
    the chunk after it)."""
    from datetime import timedelta

    from django.utils import timezone

    import personalization.ingest.drain as drain
    from personalization.models import FailedEvent
    from personalization.services.failures import dead_letters_replay, failed_events_purge

    stored_by = drain.batches_write

    def trips_on_the_poison(batches):
        if any(batch.visitor_id == "visitor-poison" and batch.events for batch in batches):
            raise KeyError("a profile merged away meanwhile")
        return stored_by(batches)

    monkeypatch.setattr(drain, "batches_write", trips_on_the_poison)
    post(client, site, [make_event("click")])
    poison = [make_event("click", props={"text": "x" * 400}) for _ in range(30)]  # 12 KB and more: kept whole
    post(client, site, poison, visitor="visitor-poison")
    post(client, site, [make_event("click")], visitor="visitor-0003")
    stats = stream_drain(consumer="worker", max_seconds=10, until_empty=True)
    assert (stats.entries, stats.stored, stats.dead_lettered) == (3, 2, 1)
    monkeypatch.setattr(drain, "batches_write", stored_by)
    letter = FailedEvent.objects.get()
    assert (letter.reason, letter.visitor_id) == ("unstored", "visitor-poison") and "KeyError" in letter.detail
    assert len(letter.payload) > 12_000
    assert stream_length() == 0
    failed_events_purge(now=timezone.now() + timedelta(days=30))  # rejected input goes after 7 days; this stays
    assert dead_letters_replay() == (1, 0)  # the cause mended: stored once, and gone from the failed events
    assert (Event.objects.filter(visitor_id="visitor-poison").count(), FailedEvent.objects.count()) == (30, 0)
    assert dead_letters_replay() == (0, 0)


@pytest.mark.django_db
def test_a_drain_task_leaves_no_consumer_behind_in_the_group(client, site, redis_mode):
    from personalization.tasks import event_stream_drain

    post(client, site, [make_event()])
    assert event_stream_drain(max_seconds=1)["stored"] == 1
    assert redis_client().xinfo_consumers(settings.ATTUNE["STREAM_KEY"], settings.ATTUNE["STREAM_GROUP"]) == []


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def drain_process(extra_env: dict) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, **extra_env}
    return subprocess.Popen([sys.executable, "manage.py", "drain_events", "--until-empty"], env=env,
                            cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_drain_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(client, site, redis_mode):
    sent = set()
    for index in range(200):
        events = [make_event("click") for _ in range(20)]
        sent.update(event["id"] for event in events)
        assert post(client, site, events, visitor=f"visitor-{index % 40:04d}").status_code == 202
    worker = drain_process({"ATTUNE_DRAIN_READ_COUNT": "10"})
    deadline = time.monotonic() + 60
    while Event.objects.count() < 400 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    stored_before_restart = Event.objects.count()
    assert 0 < stored_before_restart < len(sent), "the worker must die mid-run for this test to mean anything"
    restarted = drain_process({"ATTUNE_DRAIN_CLAIM_IDLE_MS": "200"})
    time.sleep(0.3)
    output = restarted.communicate(timeout=120)[0].decode()
    assert restarted.returncode == 0, output
    stored = [str(event_id) for event_id in Event.objects.values_list("event_id", flat=True)]
    assert len(stored) == len(set(stored)), "an event was stored twice"
    assert set(stored) == sent, f"{len(sent - set(stored))} events were lost"
    assert sum(Profile.objects.values_list("clicks", flat=True)) == len(sent)
