"""Identity is proven, never taken on the browser's word: a browser names a user only with the site backend's
signature, the privacy center reaches only what such proof links, and a shared device changes hands cleanly."""

import json
import re

import orjson
import pytest
from django.contrib.auth import get_user_model

from consent.services.choices import consent_record_create
from demo.services import demo_site_ensure
from personalization.ingest.drain import stream_drain
from personalization.models import DropCounter, Event, Profile
from personalization.services.failures import drop_counters_flush
from personalization.services.users import user_key_for, user_signature

from ..conftest import ORIGIN, make_event, make_signed_event, now_ms

pytestmark = pytest.mark.django_db
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"


def send(client, site, visitor, events, *, origin=ORIGIN):
    """A batch from the visitor's browser, with the consent cookie the banner gave it; returns (answer, token)."""
    _, token = consent_record_create(site_key=site.public_key, visitor_id=visitor, granted={"analytics"},
                                     source="banner", policy_version=0)
    body = {"site": site.public_key, "vid": visitor, "sent": now_ms(), "consent": token, "events": events}
    answer = client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=origin,
                         HTTP_USER_AGENT=CHROME)
    return answer, token


def stored(redis_mode_on: bool) -> None:
    """What the collector accepted is stored (drained, with Redis)."""
    if redis_mode_on:
        stream_drain(consumer="test", max_seconds=5, until_empty=True)


def unverified_count() -> int:
    drop_counters_flush()
    return sum(DropCounter.objects.filter(reason="unverified_user").values_list("count", flat=True))


@pytest.mark.usefixtures("embedded_mode")
@pytest.mark.parametrize("proof", ["none", "forged", "another user's", "another site's"])
def test_a_browser_identify_without_the_sites_proof_is_refused_explained_and_counted(client, site, proof):
    from personalization.services.sites import site_create

    other_site = site_create(name="Elsewhere", origins=["https://elsewhere.example"]).site
    signature = {"none": None, "forged": "0" * 64,
                 "another user's": user_signature(site_key=site.public_key, user_id="user-1"),
                 "another site's": user_signature(site_key=other_site.public_key, user_id="user-42")}[proof]
    identify = make_event("identify", user_id="user-42", **({"user_sig": signature} if signature else {}))
    answer, _ = send(client, site, "visitor-attacker", [make_event("page_view", url=ORIGIN + "/"), identify])
    assert answer.status_code == 422
    [rejected] = answer.json()["rejected"]
    assert rejected["index"] == 1 and "user_sig" in rejected["error"] and "attune.identify" in rejected["error"]
    assert Event.objects.get().type == "page_view"  # the rest of the batch is stored
    assert not Profile.objects.exclude(user_key=None).exists()
    assert unverified_count() == 1


@pytest.mark.usefixtures("embedded_mode")
def test_a_user_id_on_any_browser_event_needs_the_proof_too(client, site):
    answer, _ = send(client, site, "visitor-attacker", [make_event("track", name="purchase", user_id="user-42")])
    assert "user_sig" in answer.json()["rejected"][0]["error"]
    assert not Event.objects.exists()
    signed = make_signed_event("track", site_key=site.public_key, user_id="user-42", name="purchase")
    send(client, site, "visitor-owner", [signed])
    assert Profile.objects.get().user_key == user_key_for(site.id, "user-42")


@pytest.mark.parametrize("mode", ["embedded_mode", "redis_mode"])
def test_knowing_a_user_id_is_not_enough_to_read_or_erase_that_users_data(client, site, mode, request):
    redis_on = mode == "redis_mode"
    request.getfixturevalue(mode)
    for device in ("victim-laptop", "victim-phone"):
        send(client, site, device, [make_event("page_view", url=ORIGIN + "/orders"),
                                    make_signed_event(site_key=site.public_key, user_id="user-42")])
    stored(redis_on)
    forged = make_event("identify", user_id="user-42", user_sig="f" * 64)
    _, token = send(client, site, "visitor-attacker", [make_event("page_view", url=ORIGIN + "/"),
                                                        make_event("identify", user_id="user-42"), forged])
    stored(redis_on)
    client.cookies["attune_consent"] = token
    export = json.loads(client.get("/privacy/export/").content)
    assert export["visitor_ids"] == ["visitor-attacker"]
    assert {e["visitor"] for e in export["data"]["tracking"]["events"]} == {"visitor-attacker"}
    client.post("/privacy/erase/", {"confirm": "yes"})
    assert set(Event.objects.values_list("visitor_id", flat=True)) == {"victim-laptop", "victim-phone"}
    assert Profile.objects.get().user_key == user_key_for(site.id, "user-42")


@pytest.mark.usefixtures("embedded_mode")
def test_a_logged_in_demo_user_exports_and_erases_their_data_across_two_devices(client, settings):
    site = demo_site_ensure()[0]
    origin = settings.ATTUNE["DEMO_ORIGINS"][0]
    assert "data-user" not in client.get("/").content.decode()  # nobody logged in: nothing to vouch for
    user = get_user_model().objects.create_user("reader", password="x" * 12)
    client.force_login(user)
    page = client.get("/").content.decode()
    user_id = re.search(r'data-user="([^"]+)"', page).group(1)
    signature = re.search(r'data-user-sig="([^"]+)"', page).group(1)
    assert user_id == str(user.pk)
    for device in ("reader-laptop", "reader-phone"):  # what the tracker sends on each device the user logs in on
        send(client, site, device, [make_event("page_view", url=origin + "/news/"),
                                    make_event("identify", user_id=user_id, user_sig=signature)], origin=origin)
    send(client, site, "someone-else", [make_event("page_view", url=origin + "/shop/")], origin=origin)
    export = json.loads(client.get("/privacy/export/").content)
    assert sorted(export["visitor_ids"]) == ["reader-laptop", "reader-phone"]
    assert len([e for e in export["data"]["tracking"]["events"] if e["type"] == "page_view"]) == 2
    client.post("/privacy/erase/", {"confirm": "yes"})
    assert list(Event.objects.values_list("visitor_id", flat=True)) == ["someone-else"]
    assert not Profile.objects.exclude(user_key=None).exists()


@pytest.mark.usefixtures("embedded_mode")
def test_two_users_on_one_shared_device_keep_separate_profiles(client, site):
    alice, bob = (user_key_for(site.id, user) for user in ("alice", "bob"))
    start = now_ms() - 60_000
    send(client, site, "shared-tablet", [make_event("page_view", url=ORIGIN + "/alice-reads", ts=start),
                                         make_signed_event(site_key=site.public_key, user_id="alice", ts=start + 1)])
    send(client, site, "shared-tablet", [make_signed_event(site_key=site.public_key, user_id="bob", ts=start + 10_000),
                                         make_event("page_view", url=ORIGIN + "/bob-reads", ts=start + 10_001),
                                         make_event("page_view", url=ORIGIN + "/bob-again", ts=start + 20_000)])
    profiles = {profile.user_key: profile for profile in Profile.objects.all()}
    assert set(profiles) == {alice, bob}
    assert (profiles[alice].pageviews, profiles[bob].pageviews) == (1, 2)
    paths = {key: set(Event.objects.filter(type="page_view", visitor_id__in=profile.visitors.values("visitor_id"))
                      .values_list("path", flat=True)) for key, profile in profiles.items()}
    assert paths == {alice: {"/alice-reads"}, bob: {"/bob-reads", "/bob-again"}}
    assert list(profiles[bob].visitors.values_list("visitor_id", flat=True)) == ["shared-tablet"]


def test_the_tracker_tag_vouches_for_the_logged_in_user_only(rf, site):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    template = Template("{% load attune %}{% attune_tracker site_key %}")
    request = rf.get("/")
    request.user = AnonymousUser()
    assert "data-user" not in template.render(Context({"request": request, "site_key": site.public_key}))
    request.user = get_user_model().objects.create_user("reader", password="x" * 12)
    html = template.render(Context({"request": request, "site_key": site.public_key}))
    expected = user_signature(site_key=site.public_key, user_id=str(request.user.pk))
    assert f'data-user="{request.user.pk}" data-user-sig="{expected}"' in html
