"""Segment webhooks end to end: events stored, a person enters a segment, a real local receiver gets one signed POST;
failures are retried with backoff, then marked failed; only the segments and changes a webhook covers are sent."""

import json
import re
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from segments.models import Membership, Segment, WebhookDelivery
from segments.services.memberships import memberships_refresh
from segments.services.webhooks_queue import webhook_deliveries_queue, webhook_deliveries_retry
from segments.services.webhooks_send import webhook_deliveries_send, webhook_deliveries_send_due

from .conftest import VISITOR, webhook_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_embedded")]


def docs_verifier():
    """The verification example of docs/webhooks.md, run as a receiver would run it."""
    text = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    namespace: dict = {}
    exec(re.search(r"```python\n(.*?)```", text, re.S).group(1), namespace)  # noqa: S102 - our own docs
    return namespace["attune_signature_valid"]


def test_entering_a_segment_reaches_the_receiver_once_signed_as_the_docs_verify(
        site, marketing_allowed, webhook_receiver, becomes_loyal):
    crm = webhook_receiver()
    hook = webhook_to(site, crm.url)
    becomes_loyal()
    delivery = WebhookDelivery.objects.get()
    assert crm.received == [], "storing events never waits for the receiver"
    assert webhook_deliveries_send_due() == 1
    [got] = crm.received
    assert docs_verifier()(hook.secret, got.body, got.headers["X-Attune-Signature"])
    assert not docs_verifier()("whsec_other", got.body, got.headers["X-Attune-Signature"])
    body = json.loads(got.body)
    assert body["type"] == got.headers["X-Attune-Event"] == "segment.entered"
    assert body["id"] == got.headers["X-Attune-Delivery"] == str(delivery.uid)
    assert body["segment"]["slug"] == "loyal" and body["reason"] == "figures changed"
    assert body["person"] == {"visitor_ids": [VISITOR], "user_key": None}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    later = timezone.now() + timedelta(days=1)
    assert webhook_deliveries_send_due(now=later) == 0
    webhook_deliveries_send(delivery_ids=[delivery.pk], now=later)
    assert len(crm.received) == 1, "a delivered delivery is never sent again"


def test_a_receiver_failing_twice_gets_it_once_on_the_third_attempt_after_backoff(
        site, marketing_allowed, webhook_receiver, becomes_loyal):
    crm = webhook_receiver(500, 500, 200)
    webhook_to(site, crm.url)
    becomes_loyal()
    now = timezone.now()
    webhook_deliveries_send_due(now=now)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.last_error) == ("pending", 500, "HTTP 500: no")
    assert delivery.next_attempt_at == now + timedelta(seconds=30)
    assert webhook_deliveries_send_due(now=now + timedelta(seconds=29)) == 0, "not before its backoff"
    webhook_deliveries_send_due(now=now + timedelta(seconds=30))
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + timedelta(seconds=30 + 60), "the wait doubles"
    webhook_deliveries_send_due(now=now + timedelta(seconds=90))
    webhook_deliveries_send_due(now=now + timedelta(days=1))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 3, 200)
    assert [r.answered for r in crm.received] == [500, 500, 200]
    assert {r.headers["X-Attune-Delivery"] for r in crm.received} == {str(delivery.uid)}


def test_a_receiver_that_always_fails_ends_failed_after_the_attempt_limit_and_can_be_sent_again(
        site, marketing_allowed, webhook_receiver, becomes_loyal, attune_settings):
    attune_settings(WEBHOOK_MAX_ATTEMPTS=3)
    crm = webhook_receiver(503)
    webhook_to(site, crm.url)
    becomes_loyal()
    for day in range(5):
        webhook_deliveries_send_due(now=timezone.now() + timedelta(days=day))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert len(crm.received) == 3
    assert webhook_deliveries_retry(delivery_ids=[delivery.pk]) == 1
    webhook_deliveries_send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(crm.received)) == ("failed", 4, 4), "one more attempt"


def test_a_refused_connection_is_logged_with_the_error_and_tried_again(site, marketing_allowed, becomes_loyal):
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook_to(site, f"http://127.0.0.1:{port}/hook")
    becomes_loyal()
    webhook_deliveries_send_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.response_code is None
    assert "refused" in delivery.last_error.lower() and f"127.0.0.1:{port}" in delivery.last_error


def test_leaving_is_sent_only_to_webhooks_that_cover_the_segment_and_want_exits(
        site, loyal_segment, marketing_allowed, webhook_receiver, becomes_loyal, django_capture_on_commit_callbacks):
    crm, ads, other = webhook_receiver(), webhook_receiver(), webhook_receiver()
    webhook_to(site, crm.url, name="CRM")
    webhook_to(site, ads.url, name="Ads", on_leave=False)
    elsewhere = Segment.objects.create(site=site, name="Other", slug="other", kind=Segment.Kind.RULE,
                                       conditions={"all": [{"field": "purchases", "op": "gte", "value": 99}]})
    webhook_to(site, other.url, name="Other").segments.add(elsewhere)
    becomes_loyal()
    with django_capture_on_commit_callbacks(execute=True):
        loyal_segment.conditions = {"all": [{"field": "purchases", "op": "gte", "value": 3}]}
        loyal_segment.save()
        memberships_refresh(site_id=site.pk, profile_ids=list(Membership.objects.values_list("profile_id", flat=True)))
    webhook_deliveries_send_due()
    assert [json.loads(r.body)["type"] for r in crm.received] == ["segment.entered", "segment.left"]
    assert [json.loads(r.body)["type"] for r in ads.received] == ["segment.entered"]
    assert other.received == []


def test_the_scheduled_deliver_webhooks_job_sends_what_is_due_every_minute(
        site, marketing_allowed, webhook_receiver, becomes_loyal):
    from config.celery import app

    crm = webhook_receiver()
    webhook_to(site, crm.url)
    becomes_loyal()
    job = settings.CELERY_BEAT_SCHEDULE["deliver-webhooks"]
    assert job["schedule"] == timedelta(minutes=1)
    app.loader.import_default_modules()  # as the embedded schedule and beat do
    app.tasks[job["task"]].apply().get()
    assert len(crm.received) == 1 and WebhookDelivery.objects.get().status == "delivered"


def test_with_workers_a_task_sends_at_commit_and_an_early_retry_task_sends_nothing(
        site, marketing_allowed, webhook_receiver, becomes_loyal, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with Redis; the tasks still run here, in place of a worker
    crm = webhook_receiver(500, 200)
    webhook_to(site, crm.url)
    becomes_loyal()
    # the first attempt went out at commit; its retry task ran at once (eagerly, countdown ignored) and found the
    # delivery not yet due, so the receiver was not hit again before the backoff
    assert [r.answered for r in crm.received] == [500]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)


def test_a_site_without_webhooks_costs_a_membership_change_one_query(site, loyal_segment, django_assert_num_queries):
    with django_assert_num_queries(1):
        queued = webhook_deliveries_queue(segment_id=loyal_segment.pk, entered=[1, 2], left=[3], reason="x")
    assert queued == 0
