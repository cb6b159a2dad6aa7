"""Embedded mode under concurrency: requests share commits, each hears its own result, nothing is lost."""

import threading
import uuid

import orjson
import pytest
from django.db import connection
from django.test import Client

from personalization.models import Event, Profile

from ..conftest import ORIGIN, consent_token, make_event, now_ms

pytestmark = pytest.mark.usefixtures("embedded_mode")


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_with_retries_store_every_accepted_event_exactly_once(site):
    sent, answers, lock = {}, [], threading.Lock()

    def sender(worker: int) -> None:
        try:
            send_rounds(worker)
        finally:
            connection.close()

    def send_rounds(worker: int) -> None:
        client = Client()
        for round_ in range(15):
            visitor = f"visitor-{worker:02d}-{round_ % 3}"
            events = [make_event("click") for _ in range(10)]
            body = orjson.dumps({"site": site.public_key, "vid": visitor, "sent": now_ms(),
                                 "consent": consent_token(visitor, "analytics"), "events": events})
            for _attempt in range(2 if round_ % 4 == 0 else 1):  # some batches are sent twice, as retries are
                response = client.post("/collect", body, content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                                       HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
                with lock:
                    answers.append((response.status_code, response.json()))
                    if response.status_code == 200:
                        sent.update({event["id"]: visitor for event in events})

    threads = [threading.Thread(target=sender, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in answers} == {200}
    stored = [str(event_id) for event_id in Event.objects.values_list("event_id", flat=True)]
    assert len(stored) == len(set(stored)) == len(sent) == 8 * 15 * 10
    assert sum(body["accepted"] for _, body in answers) == len(sent)
    assert sum(body["duplicates"] for _, body in answers) == 8 * 4 * 10  # every retry is counted as duplicates
    assert sum(Profile.objects.values_list("clicks", flat=True)) == len(sent)


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_database_refuses_does_not_fail_the_batches_committed_beside_it(site):
    from personalization.collect.batch import CollectedBatch, CollectedEvent
    from personalization.ingest.group_commit import writer

    def batch(site_id: int, visitor: str) -> CollectedBatch:
        return CollectedBatch(site_id=site_id, site_key=site.public_key, received_ms=now_ms(), visitor_id=visitor,
                              consent="analytics,necessary", events=[CollectedEvent(
                                  str(uuid.uuid4()), "click", "", now_ms(), 1, "", "", "", "", "", {}, {}, "analytics")])

    unknown_site = site.pk + 1000  # the events' foreign key fails when the group's transaction commits
    results = writer.handle([batch(site.pk, "visitor-a"), batch(unknown_site, "visitor-b"), batch(site.pk, "visitor-c")])
    assert [type(result).__name__ for result in results] == ["WriteResult", "IntegrityError", "WriteResult"]
    assert sorted(Event.objects.values_list("visitor_id", flat=True)) == ["visitor-a", "visitor-c"]
