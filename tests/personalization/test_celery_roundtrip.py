"""A task sent through a real Redis broker to a real Celery worker process, which changes the database."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from celery import Celery
from django.conf import settings
from django.utils import timezone

from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.write import batches_write
from personalization.models import Session

from .test_pipeline_redis import database_url

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def celery_worker_process(redis_mode):
    url = settings.REDIS_URL
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    client = Celery("attune-test-client", broker=url, set_as_current=False)  # the project's app stays current
    yield client
    client.close()
    worker.terminate()
    output = worker.communicate(timeout=20)[0].decode()
    assert "succeeded" in output, output[-3000:]


@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_the_redis_broker_and_a_worker(site, celery_worker_process):
    long_ago = timezone.now() - timedelta(hours=2)
    add = CollectedEvent(str(uuid.uuid4()), "track", "add_to_cart", int(long_ago.timestamp() * 1000), 0, "", "", "", "",
                         "", {"quantity": 2, "price": 10}, {}, "analytics")
    batches_write([CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=add.ts_ms,
                                  visitor_id="visitor-celery", consent="analytics,necessary", events=[add])])
    session = Session.objects.get(site=site)
    celery_worker_process.send_task("personalization.tasks.sessions_close_idle")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        session.refresh_from_db()
        if session.closed_at:
            break
        time.sleep(0.2)
    assert session.closed_at is not None, "the worker never ran the task"
    assert session.abandoned, "a session that ended with items in the cart is abandoned"
