"""With Redis: a real Celery worker process sends a delivery, and sends it again after its backoff as a countdown
task when the receiver failed."""

import os
import subprocess
import sys
import time

import pytest
from celery import Celery
from django.conf import settings

from consent.services.choices import consent_record_create
from personalization.models import Profile, Visitor
from segments.models import Segment, Webhook, WebhookDelivery
from segments.services.webhooks_queue import webhook_deliveries_queue

from ..personalization.test_pipeline_redis import database_url
from .webhook_receiver import receiver_start

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def worker(redis_mode):
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL,
           "ATTUNE_WEBHOOK_RETRY_SECONDS": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    client = Celery("attune-webhooks-test-client", broker=settings.REDIS_URL, set_as_current=False)
    yield client
    client.close()
    process.terminate()
    process.communicate(timeout=20)


@pytest.fixture
def crm():
    state, server = receiver_start([500, 200])
    yield state
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_after_one_failure_by_a_countdown_task(site, worker, crm, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # queued rows only: the test hands the batch to the real worker itself
    profile = Profile.objects.create(site=site, origin_visitor_id="visitor-0001")
    Visitor.objects.create(site=site, visitor_id="visitor-0001", profile=profile)
    consent_record_create(site_key=site.public_key, visitor_id="visitor-0001", source="banner", policy_version=0,
                          granted={"analytics", "marketing"})
    segment = Segment.objects.create(site=site, name="Loyal", slug="loyal", kind=Segment.Kind.RULE)
    Webhook.objects.create(site=site, name="CRM", url=crm.url)
    assert webhook_deliveries_queue(segment_id=segment.pk, entered=[profile.pk], left=[], reason="test") == 1
    delivery = WebhookDelivery.objects.get()
    worker.send_task("segments.tasks.webhook_deliveries_send_task", args=[[delivery.pk]])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and delivery.status != "delivered":
        time.sleep(0.2)
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2), delivery.last_error
    assert [r.answered for r in crm.received] == [500, 200]
    assert crm.received[1].at - crm.received[0].at >= 1.9, "the retry waited for its countdown"
