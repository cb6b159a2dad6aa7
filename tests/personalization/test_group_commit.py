"""Embedded mode under concurrency: requests share commits, each hears its own result, nothing is lost."""

import threading

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
