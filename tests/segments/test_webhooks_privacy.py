"""Consent and privacy rights reach segment webhooks: only people who allow marketing are sent, a withdrawal stops
and erases what waits, and erasure, export and retention walk the delivery log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consent.models import ErasureLog
from consent.registry import Subject, personal_data_handlers
from consent.services.choices import consent_record_create
from consent.services.retention import retention_purge
from consent.services.rights import personal_data_erase, withdrawal_erase
from segments.models import Membership, WebhookDelivery
from segments.services.webhooks_send import webhook_deliveries_send_due

from .conftest import VISITOR, webhook_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_embedded")]


def test_people_who_did_not_allow_marketing_are_never_sent(site, loyal_segment, webhook_receiver, becomes_loyal):
    consent_record_create(site_key=site.public_key, visitor_id=VISITOR, source="banner", policy_version=0,
                          granted={"analytics", "personalization"})
    crm = webhook_receiver()
    webhook_to(site, crm.url)
    becomes_loyal()
    assert Membership.objects.count() == 1
    assert not WebhookDelivery.objects.exists()


def test_erasure_walks_the_delivery_log_and_removes_the_persons_deliveries(
        site, marketing_allowed, webhook_receiver, becomes_loyal):
    crm = webhook_receiver()
    webhook_to(site, crm.url)
    becomes_loyal()
    webhook_deliveries_send_due()
    subject = Subject(site_key=site.public_key, visitor_ids=(VISITOR,))
    log = personal_data_erase(subject=subject, channel=ErasureLog.Channel.STAFF)
    assert "segment_webhooks" in log.erased, "the erasure walks the delivery log's handler"
    assert not WebhookDelivery.objects.exists()


def test_export_includes_what_was_sent_and_withdrawing_marketing_erases_pending_deliveries(
        site, marketing_allowed, webhook_receiver, becomes_loyal):
    crm = webhook_receiver()
    webhook_to(site, crm.url)
    becomes_loyal()
    handler = next(h for h in personal_data_handlers() if h.name == "segment_webhooks")
    exported = handler.export(Subject(site_key=site.public_key, visitor_ids=(VISITOR,)))["segment_webhooks"]
    assert [(d["webhook__name"], d["segment__name"], d["event"]) for d in exported] == [
        ("CRM", "Loyal", "segment.entered")]
    assert withdrawal_erase(site_key=site.public_key, visitor_id=VISITOR, categories=frozenset({"marketing"})) == {
        "segment_webhooks": 1}
    assert webhook_deliveries_send_due() == 0 and crm.received == [], "a withdrawn person is not sent"
    assert Membership.objects.count() == 1, "personalization was not withdrawn"


def test_a_person_who_withdrew_marketing_before_the_send_is_not_sent_even_if_nothing_was_erased(
        site, marketing_allowed, webhook_receiver, becomes_loyal, attune_settings):
    attune_settings(ERASE_ON_WITHDRAWAL=False)
    crm = webhook_receiver()
    webhook_to(site, crm.url)
    becomes_loyal()
    consent_record_create(site_key=site.public_key, visitor_id=VISITOR, source="settings_page", policy_version=0,
                          granted={"analytics", "personalization"})
    webhook_deliveries_send_due()
    delivery = WebhookDelivery.objects.get()
    assert crm.received == []
    assert (delivery.status, delivery.last_error) == ("failed", "not sent: the person no longer allows marketing")



def test_deliveries_older_than_the_event_retention_are_purged(site, marketing_allowed, webhook_receiver, becomes_loyal):
    webhook_to(site, webhook_receiver().url)
    becomes_loyal()
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(days=400))
    assert retention_purge()["segment_webhooks"] == 1
    assert not WebhookDelivery.objects.exists()
