"""Drain workers against a real Redis: a stream key that disappears, a clean stop, concurrent chunks."""

import io
import threading
import time
import uuid

import orjson
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from personalization.ingest.drain import stream_drain
from personalization.ingest.redis_client import redis_client
from personalization.ingest.store import EVENT_COLUMNS, events_insert
from personalization.models import Event

from ..conftest import ORIGIN, make_event
from .test_pipeline_redis import CHROME, post

pytestmark = pytest.mark.redis


@pytest.mark.django_db(transaction=True)
def test_a_worker_waiting_on_a_stream_that_is_deleted_makes_it_again_and_goes_on(client, site, redis_mode):
    stream_drain(consumer="early", max_seconds=0.3, block_ms=50)  # the group exists, the stream is empty
    outcome = {}

    def drain() -> None:
        try:
            outcome["stats"] = stream_drain(consumer="waiting", max_seconds=4, block_ms=3000)
        except Exception as error:  # the test reports it below
            outcome["error"] = error
        finally:
            connection.close()

    worker = threading.Thread(target=drain)
    worker.start()
    time.sleep(0.5)  # the worker blocks in XREADGROUP
    redis_client().delete(settings.ATTUNE["STREAM_KEY"])
    time.sleep(0.5)
    assert post(client, site, [make_event()]).status_code == 202
    worker.join(timeout=10)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["stats"].stored == 1
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_a_drain_worker_that_stops_cleanly_leaves_no_consumer_in_the_group(client, site, redis_mode):
    post(client, site, [make_event()])
    call_command("drain_events", "--until-empty", "--consumer", "worker-1", stdout=io.StringIO())
    assert Event.objects.count() == 1
    assert redis_client().xinfo_consumers(settings.ATTUNE["STREAM_KEY"], settings.ATTUNE["STREAM_GROUP"]) == []


def event_rows(site_id: int, ids: list[str]) -> list[tuple]:
    """Events-table rows (store.EVENT_COLUMNS) for these event ids, as a drain chunk holds them."""
    now = int(time.time() * 1000)
    values = {"visitor_id": "visitor-0001", "type": "click", "ts": now, "received_at": now, "seq": 0, "props": "{}",
              "dimensions": "{}", "source": "browser", "consent": "analytics", "device_type": "desktop",
              "purpose": "analytics"}
    return [tuple({**values, "site_id": site_id, "event_id": event_id}.get(column, "") for column in EVENT_COLUMNS)
            for event_id in ids]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_storing_the_same_events_in_opposite_orders_do_not_deadlock(site):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing to deadlock")
    errors = []

    def store(rows: list[tuple], start: threading.Barrier) -> None:
        try:
            start.wait()
            with transaction.atomic():
                events_insert(rows)
        except Exception as error:  # the test reports it below
            errors.append(error)
        finally:
            connection.close()

    for _ in range(3):
        ids, start = sorted(str(uuid.uuid4()) for _ in range(4000)), threading.Barrier(2)
        workers = [threading.Thread(target=store, args=(event_rows(site.pk, order), start)) for order in (ids, ids[::-1])]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert errors == []
    assert Event.objects.count() == 12_000


@pytest.mark.django_db
def test_with_redis_refused_batches_count_against_the_address_rate_limit_too(client, site, redis_mode,
                                                                             attune_settings):
    attune_settings(RATE_LIMIT_ADDRESS_PER_MINUTE=2)
    body = {"site": "pk_nobody", "vid": "visitor-0001", "events": [make_event()]}
    statuses = [client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                            HTTP_USER_AGENT=CHROME).status_code for _ in range(3)]
    assert statuses == [403, 403, 429]
    assert post(client, site, [make_event()]).status_code == 429
