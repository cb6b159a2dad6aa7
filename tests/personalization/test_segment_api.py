"""The Segment-compatible HTTP API: write-key auth, gzip, semantic events, consent, identity, dedup."""

import base64
import gzip
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.conf import settings

from consent.services.choices import consent_record_create
from personalization.models import DropCounter, Event, Profile
from personalization.selectors import site_cache_clear
from personalization.services.sites import site_create

from ..conftest import ORIGIN, consent_token, make_event, make_signed_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]


@pytest.fixture
def keys(db):
    keys = site_create(name="Backend shop", origins=[ORIGIN])
    keys.site.server_default_categories = []
    keys.site.save()
    return keys


def auth(write_key: str) -> str:
    return "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()


def send(client, keys, path, body, *, compress=False, write_key=None):
    data = orjson.dumps(body)
    extra = {"HTTP_AUTHORIZATION": auth(write_key or keys.write_key)}
    if compress:
        data, extra["HTTP_CONTENT_ENCODING"] = gzip.compress(data), "gzip"
    return client.post(path, data, content_type="application/json", **extra)


def iso(delta_seconds: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=delta_seconds)).isoformat().replace("+00:00", "Z")


def consented(keys, visitor_id, *categories):
    consent_record_create(site_key=keys.site.public_key, visitor_id=visitor_id, granted=set(categories),
                          source="banner", policy_version=0)


def server_default(keys, *categories):
    """What the site stores of server events that come with no consent information."""
    keys.site.server_default_categories = list(categories)
    keys.site.save()
    site_cache_clear()


def purchase_by_user(user_id, revenue):
    return {"type": "track", "messageId": str(uuid.uuid4()), "userId": user_id, "event": "Order Completed",
            "properties": {"revenue": revenue}, "timestamp": iso(-2)}


def track(visitor, event, **props):
    return {"type": "track", "messageId": str(uuid.uuid4()), "anonymousId": visitor, "event": event,
            "properties": props, "timestamp": iso(-1)}


def test_a_gzipped_batch_with_a_write_key_is_stored_and_semantic_events_become_goals(client, keys):
    consented(keys, "anon-visitor-1", "analytics")
    body = {"batch": [track("anon-visitor-1", "Product Added", price=19.5, quantity=2),
                      track("anon-visitor-1", "Order Completed", total=39.0)], "sentAt": iso()}
    response = send(client, keys, "/v1/batch", body, compress=True)
    assert response.status_code == 200, response.content
    assert response.json() == {"success": True, "accepted": 2}
    assert sorted(Event.objects.values_list("name", "source")) == [("add_to_cart", "server"), ("purchase", "server")]
    profile = Profile.objects.get()
    assert profile.goal_counts == {"add_to_cart": 1, "purchase": 1}
    assert profile.revenue_cents == 3900


def test_a_retried_message_is_stored_once_even_when_its_id_is_not_a_uuid(client, keys):
    consented(keys, "anon-visitor-1", "analytics")
    message = {**track("anon-visitor-1", "Signed Up"), "messageId": "ajs-next-1732519999-abc"}
    for _ in range(3):
        assert send(client, keys, "/v1/track", message).status_code == 200
    assert Event.objects.count() == 1


def test_without_recorded_consent_segment_consent_preferences_decide(client, keys):
    allowed = {**track("anon-visitor-2", "Viewed"), "context": {"consent": {"categoryPreferences": {"Analytics": True}}}}
    refused = {**track("anon-visitor-3", "Viewed"), "context": {"consent": {"categoryPreferences": {"Analytics": False}}}}
    response = send(client, keys, "/v1/batch", {"batch": [allowed, refused]})
    assert response.json() == {"success": True, "accepted": 1, "dropped": {"no_consent": 1}}
    assert list(Event.objects.values_list("visitor_id", flat=True)) == ["anon-visitor-2"]


def test_recorded_consent_wins_over_what_the_sender_claims(client, keys):
    consented(keys, "anon-visitor-4")  # refused everything in the banner
    claim = {**track("anon-visitor-4", "Viewed"), "context": {"consent": {"categoryPreferences": {"Analytics": True}}}}
    assert send(client, keys, "/v1/track", claim).json()["dropped"] == {"no_consent": 1}
    assert not Event.objects.exists()


def test_with_no_consent_information_the_site_default_applies_and_it_stores_nothing(client, keys):
    assert send(client, keys, "/v1/track", track("anon-visitor-5", "Viewed")).json()["dropped"] == {"no_consent": 1}
    server_default(keys, "analytics")
    assert send(client, keys, "/v1/track", track("anon-visitor-5", "Viewed")).json()["accepted"] == 1


def test_browser_and_server_events_of_one_user_meet_on_one_profile(client, keys):
    consented(keys, "browser-visitor", "analytics")
    browser = {"site": keys.site.public_key, "vid": "browser-visitor", "sent": now_ms(),
               "consent": consent_token("browser-visitor", "analytics"),
               "events": [make_event("page_view", url=ORIGIN + "/"), make_signed_event(site_key=keys.site.public_key, user_id="user-42")]}
    client.post("/collect", orjson.dumps(browser), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
    # No site default: the consent the user gave in the browser, before logging in, is what lets it be stored.
    assert send(client, keys, "/v1/track", purchase_by_user("user-42", 12.5)).json() == {"success": True, "accepted": 1}
    assert Profile.objects.count() == 1
    profile = Profile.objects.get()
    assert (profile.pageviews, profile.goal_counts, profile.revenue_cents) == (1, {"purchase": 1}, 1250)
    # Sent with the userId alone, the purchase lands with the user's browser visitor, in the session it browsed in.
    assert list(profile.visitors.values_list("visitor_id", flat=True)) == ["browser-visitor"]
    assert Event.objects.get(name="purchase").visitor_id == "browser-visitor"
    session = profile.session_rows.get()
    assert (session.pageviews, session.purchased, profile.sessions) == (1, True, 1)


def test_a_user_who_refused_in_the_browser_is_not_tracked_by_user_id_whatever_the_site_default(client, keys):
    consented(keys, "browser-visitor", "analytics")
    browser = {"site": keys.site.public_key, "vid": "browser-visitor", "sent": now_ms(),
               "consent": consent_token("browser-visitor", "analytics"), "events": [make_signed_event(site_key=keys.site.public_key, user_id="u-9")]}
    client.post("/collect", orjson.dumps(browser), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
    consented(keys, "browser-visitor")  # later, analytics withdrawn in the banner
    server_default(keys, "analytics")
    answer = send(client, keys, "/v1/track", purchase_by_user("u-9", 5)).json()
    assert (answer["accepted"], answer["dropped"]) == (0, {"no_consent": 1})


def test_the_users_latest_choice_counts_even_when_an_older_one_was_recorded_under_their_user_key(client, keys):
    """Accepted on the laptop while logged in (recorded under the user key), later withdrawn on the phone the user
    also logged in on: events sent by user id follow the withdrawal, the later choice."""
    from personalization.services.users import user_key_for

    consent_record_create(site_key=keys.site.public_key, visitor_id="laptop-visitor", granted={"analytics"},
                          source="banner", policy_version=0, user_key=user_key_for(keys.site.id, "u-7"))
    consented(keys, "phone-visitor", "analytics")
    phone = {"site": keys.site.public_key, "vid": "phone-visitor", "sent": now_ms(),
             "consent": consent_token("phone-visitor", "analytics"), "events": [make_signed_event(site_key=keys.site.public_key, user_id="u-7")]}
    client.post("/collect", orjson.dumps(phone), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
    consented(keys, "phone-visitor")  # withdrawn on the phone
    answer = send(client, keys, "/v1/track", purchase_by_user("u-7", 5)).json()
    assert (answer["accepted"], answer["dropped"]) == (0, {"no_consent": 1})


def test_alias_links_the_anonymous_visitor_to_the_user_and_later_events_by_user_id_join_it(client, keys):
    consented(keys, "anon-visitor-7", "analytics")
    assert send(client, keys, "/v1/page", {"messageId": str(uuid.uuid4()), "anonymousId": "anon-visitor-7",
                                           "properties": {"url": ORIGIN + "/pricing"}, "timestamp": iso(-60)}
                ).status_code == 200
    alias = {"messageId": str(uuid.uuid4()), "previousId": "anon-visitor-7", "userId": "user-77", "timestamp": iso(-30)}
    assert send(client, keys, "/v1/alias", alias).json() == {"success": True, "accepted": 1}
    server_default(keys, "analytics")
    assert send(client, keys, "/v1/track", purchase_by_user("user-77", 20)).status_code == 200
    profile = Profile.objects.get()
    assert profile.user_key and "user-77" not in profile.user_key
    assert (profile.pageviews, profile.goal_counts, profile.sessions) == (1, {"purchase": 1}, 1)
    assert list(profile.visitors.values_list("visitor_id", flat=True)) == ["anon-visitor-7"]


def test_a_user_never_seen_in_a_browser_keeps_a_visitor_made_from_the_user_id(client, keys):
    server_default(keys, "analytics")
    assert send(client, keys, "/v1/track", purchase_by_user("user-43", 3)).status_code == 200
    assert Event.objects.get().visitor_id.startswith("u_")


def test_historical_events_are_sessionised_in_event_time(client, keys):
    consented(keys, "importer-visitor", "analytics")
    day = datetime.now(UTC) - timedelta(days=3)
    messages = [{"type": "page", "messageId": str(uuid.uuid4()), "anonymousId": "importer-visitor",
                 "properties": {"url": ORIGIN + f"/p/{i}"}, "timestamp": (day + timedelta(minutes=m)).isoformat()}
                for i, m in enumerate([0, 5, 10, 120, 125])]
    send(client, keys, "/v1/batch", {"batch": messages[::-1]})
    assert sorted(Profile.objects.get().session_rows.values_list("pageviews", flat=True)) == [2, 3]


def test_requests_without_or_with_a_wrong_write_key_are_refused(client, keys):
    response = client.post("/v1/track", orjson.dumps(track("anon-visitor-1", "x")), content_type="application/json")
    assert response.status_code in (401, 403)
    response = send(client, keys, "/v1/track", track("anon-visitor-1", "x"), write_key="wk_wrong")
    assert response.status_code == 401
    assert "Unknown write key" in response.json()["detail"]


def test_bad_messages_are_explained_and_the_good_ones_kept(client, keys):
    consented(keys, "anon-visitor-1", "analytics")
    body = {"batch": [track("anon-visitor-1", "Fine"), {"type": "alias", "messageId": "m1"},
                      {"type": "track", "messageId": "m2", "anonymousId": "anon-visitor-1"},
                      {**track("anon-visitor-1", "Late"), "timestamp": "yesterday"}]}
    response = send(client, keys, "/v1/batch", body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["accepted"] == 1
    assert [r["index"] for r in answer["rejected"]] == [1, 2, 3]
    assert "needs `previousId`" in answer["rejected"][0]["error"]
    assert "needs `event`" in answer["rejected"][1]["error"]
    assert "ISO 8601" in answer["rejected"][2]["error"]
    assert DropCounter.objects.get(reason="invalid").count == 3


def test_a_gzip_bomb_is_refused(client, keys):
    bomb = gzip.compress(b'{"batch": [' + b" " * 5_000_000 + b"]}")
    response = client.post("/v1/batch", bomb, content_type="application/json", HTTP_CONTENT_ENCODING="gzip",
                           HTTP_AUTHORIZATION=auth(keys.write_key))
    assert response.status_code == 413


def test_clock_skew_of_the_sender_is_corrected_with_sent_at(client, keys):
    consented(keys, "anon-visitor-1", "analytics")
    skewed = datetime.now(UTC) - timedelta(hours=5)  # the sender's clock is five hours behind
    message = {**track("anon-visitor-1", "x"), "timestamp": (skewed - timedelta(seconds=10)).isoformat(),
               "sentAt": skewed.isoformat()}
    send(client, keys, "/v1/track", message)
    stored = Event.objects.get().ts.timestamp()
    assert abs(stored - (time.time() - 10)) < 5


def test_a_message_without_a_timestamp_happened_when_it_was_received(client, keys):
    consented(keys, "anon-visitor-1", "analytics")
    message = {**track("anon-visitor-1", "x"), "sentAt": iso(600)}  # the sender's clock runs 10 minutes ahead
    del message["timestamp"]
    assert send(client, keys, "/v1/track", message).status_code == 200
    assert abs(Event.objects.get().ts.timestamp() - time.time()) < 5


def test_an_identify_without_a_user_id_names_the_segment_field(client, keys):
    response = send(client, keys, "/v1/identify", {"messageId": "m1", "anonymousId": "anon-visitor-1"})
    assert response.status_code == 422
    assert "needs `userId`" in response.json()["rejected"][0]["error"]


def test_requests_refused_whole_are_counted_as_drops(client, keys, attune_settings):
    attune_settings(RATE_LIMIT_SERVER_PER_MINUTE=1, SERVER_MAX_MESSAGES=2)
    consented(keys, "anon-visitor-1", "analytics")
    statuses = [
        send(client, keys, "/v1/batch", {"batch": [track("anon-visitor-1", "x") for _ in range(3)]}).status_code,
        send(client, keys, "/v1/track", track("anon-visitor-1", "x")).status_code,
        send(client, keys, "/v1/track", track("anon-visitor-1", "x")).status_code,
        client.post("/v1/batch", b"{not json", content_type="application/json",
                    HTTP_AUTHORIZATION=auth(keys.write_key)).status_code,
    ]
    assert statuses == [413, 200, 429, 400]
    counted = dict(DropCounter.objects.filter(site_id=keys.site.id).values_list("reason", "count"))
    assert counted == {"invalid": 4, "rate_limited": 1}  # 3 messages too many, 1 rate limited, 1 unreadable body


@pytest.mark.django_db(transaction=True)
def test_when_the_database_cannot_be_reached_the_api_answers_503(client, keys, database_unreachable):
    response = send(client, keys, "/v1/track", track("anon-visitor-1", "x"))
    assert (response.status_code, response.json()["error"], response["Retry-After"]) == (503, "unavailable", "5")


def test_the_openapi_document_describes_every_http_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/collect", "/v1/batch", "/v1/track", "/v1/identify", "/v1/alias", "/v1/page"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["writeKey"]["scheme"] == "basic"


def test_concurrent_first_requests_for_the_openapi_document_all_succeed():
    """drf-spectacular loads its extensions lazily and not thread-safely (tfranzel/drf-spectacular#1122): in a
    fresh process, without the lock in views/schema.py, 7 of 8 simultaneous first requests answered 500."""
    script = """
import threading, django
django.setup()
from django.test import Client
codes, barrier = [], threading.Barrier(8)
def get():
    barrier.wait()
    codes.append(Client(raise_request_exception=False).get("/api/schema/").status_code)
threads = [threading.Thread(target=get) for _ in range(8)]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
print(sorted(codes))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.strip().splitlines()[-1] == str([200] * 8)


def test_the_openapi_document_is_valid_and_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
