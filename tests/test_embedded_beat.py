"""The embedded default runs the beat schedule in the web server: sessions close and carts are decided without
Redis, Celery beat or a worker."""

import time
import uuid
from datetime import timedelta

import pytest

from config.embedded_beat import embedded_beat_start
from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.write import batches_write
from personalization.models import Session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def beat_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.CELERY_BEAT_SCHEDULE = {"close-idle-sessions": {"task": "personalization.tasks.sessions_close_idle",
                                                             "schedule": timedelta(seconds=0.2)}}
    return settings


def test_the_server_closes_idle_sessions_and_decides_their_carts_by_itself(site, beat_settings):
    two_hours_ago = int(time.time() * 1000) - 2 * 3600 * 1000
    add = CollectedEvent(str(uuid.uuid4()), "track", "add_to_cart", two_hours_ago, 0, "", "", "", "", "",
                         {"quantity": 1, "price": 10}, {}, "analytics")
    batches_write([CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=two_hours_ago,
                                  visitor_id="visitor-beat", consent="analytics,necessary", events=[add])])
    stop = embedded_beat_start(first_run_seconds=0)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Session.objects.get().closed_at is None:
            time.sleep(0.1)
    finally:
        stop()
    session = Session.objects.get()
    assert session.closed_at is not None and session.abandoned


def test_one_process_of_the_server_runs_the_schedule(beat_settings):
    first = embedded_beat_start(first_run_seconds=3600)
    try:
        assert first is not None
        assert embedded_beat_start(first_run_seconds=3600) is None  # another worker of the same server
    finally:
        first()
