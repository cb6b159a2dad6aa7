"""Webhooks in admin: the signing secret is shown once, segments stay within the site, the delivery log reads and
sends failed deliveries again."""

import pytest

from personalization.models import Profile
from personalization.services.sites import site_create
from segments.models import Segment, Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db
ADD = "/admin/segments/webhook/add/"


def form(site, **fields) -> dict:
    return {"site": site.pk, "name": "CRM", "url": "https://crm.example/hooks/attune", "on_enter": "on",
            "on_leave": "on", "enabled": "on", **fields}


def test_the_signing_secret_is_shown_once_when_the_webhook_is_made_and_never_again(admin_client, site):
    response = admin_client.post(ADD, form(site), follow=True)
    webhook = Webhook.objects.get()
    assert webhook.secret.startswith("whsec_") and webhook.secret in response.content.decode()
    for page in (f"/admin/segments/webhook/{webhook.pk}/change/", "/admin/segments/webhook/"):
        assert webhook.secret not in admin_client.get(page).content.decode(), page


def test_replacing_the_secret_shows_the_new_one_once_and_the_old_one_stops(admin_client, site):
    webhook = Webhook.objects.create(site=site, name="CRM", url="https://crm.example/hooks")
    old = webhook.secret
    response = admin_client.post("/admin/segments/webhook/", {"action": "rotate_secret", "_selected_action": [
        webhook.pk]}, follow=True)
    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.secret in response.content.decode()


def test_a_segment_of_another_site_is_refused_with_what_to_do(admin_client, site):
    other = site_create(name="Other shop", origins=["http://other.example"]).site
    foreign = Segment.objects.create(site=other, name="Their loyal", slug="loyal", kind=Segment.Kind.RULE)
    response = admin_client.post(ADD, form(site, segments=[foreign.pk]))
    assert "Their loyal: not a segment of" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_url_that_is_not_http_is_refused(admin_client, site):
    response = admin_client.post(ADD, form(site, url="ftp://crm.example/x"))
    assert response.status_code == 200 and not Webhook.objects.exists()


def test_the_delivery_log_lists_failures_with_their_error_and_sends_them_again(admin_client, site):
    webhook = Webhook.objects.create(site=site, name="CRM", url="https://crm.example/hooks")
    segment = Segment.objects.create(site=site, name="Loyal", slug="loyal", kind=Segment.Kind.RULE)
    profile = Profile.objects.create(site=site, origin_visitor_id="visitor-0001")
    failed = WebhookDelivery.objects.create(webhook=webhook, segment=segment, profile=profile, payload={"id": "x"},
                                            event="segment.entered", status="failed", attempts=8, response_code=502,
                                            last_error="HTTP 502: bad gateway", next_attempt_at=None)
    page = admin_client.get("/admin/segments/webhookdelivery/").content.decode()
    assert "HTTP 502: bad gateway" in page and "Failed" in page
    assert admin_client.get(f"/admin/segments/webhookdelivery/{failed.pk}/change/").status_code == 200
    admin_client.post("/admin/segments/webhookdelivery/", {"action": "send_again", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.next_attempt_at is not None
