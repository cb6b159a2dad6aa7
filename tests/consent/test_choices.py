"""Recording choices: the consent endpoint (banner), the settings page (no JavaScript), withdrawal."""

import orjson
import pytest

from consent.models import ConsentPolicy, ConsentRecord, ErasureLog
from consent.selectors import policy_cache_clear
from consent.state import consent_state_from_token
from personalization.models import Event

from ..conftest import ORIGIN, consent_token, make_event, make_signed_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]


def choose(client, site, granted, *, token="", origin=ORIGIN, source="banner", **extra):
    """Post a choice as the consent script does: with the visitor's token, if any (the test client also sends the
    cookie an earlier answer set)."""
    body = {"site": site.public_key, "token": token, "granted": granted, "source": source, "lang": "de", **extra}
    return client.post("/consent", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=origin)


def test_a_choice_is_recorded_and_the_signed_cookie_set(client, site):
    response = choose(client, site, ["analytics"])
    assert response.status_code == 200
    answer = response.json()
    record = ConsentRecord.objects.get()
    assert (record.visitor_id, record.granted, record.source, record.language) == (
        answer["vid"], ["analytics", "necessary"], "banner", "de")
    assert set(record.denied) == {"personalization", "marketing"}
    assert record.client_address == ""  # dropped by default
    cookie = response.cookies["attune_consent"]
    assert cookie.value == answer["token"] and cookie["samesite"] == "Lax" and not cookie["httponly"]
    assert consent_state_from_token(answer["token"], site_key=site.public_key, current_material_version=0).granted == {"analytics", "necessary"}
    assert answer["consent_mode"]["analytics_storage"] == "granted"
    assert answer["consent_mode"]["ad_storage"] == "denied"


def test_a_choice_speaks_for_the_visitor_its_token_proves_never_for_a_bare_visitor_id(client, site):
    victim = choose(client, site, ["analytics", "personalization"]).json()
    client.cookies.clear()
    # Someone who read the victim's id (it travels in every batch) cannot withdraw, and so erase, for them...
    attempt = choose(client, site, [], vid=victim["vid"])
    assert attempt.status_code == 200 and attempt.json()["vid"] != victim["vid"]
    forged = victim["token"][:-2] + ("AA" if not victim["token"].endswith("AA") else "BB")
    assert choose(client, site, [], token=forged).json()["vid"] != victim["vid"]
    assert ConsentRecord.objects.filter(visitor_id=victim["vid"]).count() == 1
    # ...while the victim's own token, in the body as the consent script sends it, does.
    update = choose(client, site, ["analytics"], token=victim["token"])
    assert update.json()["vid"] == victim["vid"]
    assert ConsentRecord.objects.filter(visitor_id=victim["vid"]).count() == 2


def test_only_the_sites_own_origins_may_record_a_choice(client, site):
    response = choose(client, site, ["analytics", "marketing"], origin="https://evil.example")
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_unknown_categories_are_refused_with_the_list_of_known_ones(client, site):
    response = choose(client, site, ["analytics", "telepathy"])
    assert response.status_code == 400
    assert "telepathy" in response.json()["message"] and "marketing" in response.json()["message"]


def test_withdrawing_analytics_stops_collection_and_erases_what_was_collected(client, site,
                                                                            django_capture_on_commit_callbacks):
    vid = choose(client, site, ["analytics", "personalization"]).json()["vid"]
    token = consent_token(vid, "analytics", "personalization")
    client.post("/collect", orjson.dumps({"site": site.public_key, "vid": vid, "sent": now_ms(), "consent": token,
                                          "events": [make_event(), make_event("click")]}),
                content_type="text/plain", HTTP_ORIGIN=ORIGIN, HTTP_USER_AGENT="Mozilla/5.0 (X11) Chrome/130.0")
    assert Event.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):  # the erasure, queued once the choice is committed
        withdrawal = choose(client, site, [])
    assert ConsentRecord.objects.latest("id").source == "withdrawal"
    assert not Event.objects.exists()
    new_token = withdrawal.json()["token"]
    response = client.post("/collect", orjson.dumps({"site": site.public_key, "vid": vid, "sent": now_ms(),
                                                     "consent": new_token, "events": [make_event()]}),
                           content_type="text/plain", HTTP_ORIGIN=ORIGIN, HTTP_USER_AGENT="Mozilla/5.0 (X11) Chrome/130.0")
    assert response.json()["dropped"] == {"no_consent": 1}
    # Choosing again later starts afresh under a new id (the erased one stays dropped), and is collected.
    again = choose(client, site, ["analytics"]).json()
    assert again["vid"] != vid
    response = client.post("/collect", orjson.dumps({"site": site.public_key, "vid": again["vid"], "sent": now_ms(),
                                                     "consent": again["token"], "events": [make_event()]}),
                           content_type="text/plain", HTTP_ORIGIN=ORIGIN, HTTP_USER_AGENT="Mozilla/5.0 (X11) Chrome/130.0")
    assert response.json()["accepted"] == 1


def collect(client, site, vid: str, token: str, *events: dict) -> dict:
    body = {"site": site.public_key, "vid": vid, "sent": now_ms(), "consent": token, "events": list(events)}
    return client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                        HTTP_USER_AGENT="Mozilla/5.0 (X11) Chrome/130.0").json()


@pytest.mark.django_db(transaction=True)
def test_with_eager_celery_the_withdrawal_has_erased_the_data_when_its_answer_arrives(client, site):
    vid = choose(client, site, ["analytics"]).json()["vid"]
    assert collect(client, site, vid, consent_token(vid, "analytics"), make_event(), make_event("click"))["accepted"] == 2
    assert choose(client, site, []).status_code == 200
    assert not Event.objects.exists()
    assert ErasureLog.objects.get().channel == "withdrawal"


def test_until_a_worker_erases_the_data_the_withdrawal_has_already_stopped_collection(
        client, site, django_capture_on_commit_callbacks):
    vid = choose(client, site, ["analytics", "personalization"]).json()["vid"]
    old_token = consent_token(vid, "analytics", "personalization")
    assert collect(client, site, vid, old_token, make_event(), make_event("click"))["accepted"] == 2
    with django_capture_on_commit_callbacks(execute=False) as queued:  # committed, but no worker runs the task
        withdrawal = choose(client, site, [])
    assert withdrawal.status_code == 200 and len(queued) == 1
    assert Event.objects.count() == 2 and not ErasureLog.objects.exists(), "the erasure is not done in the request"
    assert collect(client, site, vid, withdrawal.json()["token"], make_event())["dropped"] == {"no_consent": 1}
    late = collect(client, site, vid, old_token, make_event())  # a tab that has not read the new cookie yet
    assert late.get("accepted", 0) == 0 and Event.objects.count() == 2
    queued[0]()  # the worker gets to it
    assert not Event.objects.exists()
    assert ErasureLog.objects.get().channel == "withdrawal"


@pytest.fixture
def broker_unreachable():
    """Celery not eager, its broker a port nothing listens on: sending a task fails as with Redis down."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "broker_write_url")}
    app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/15", broker_write_url=None)
    app._after_fork()  # forget the connection pools made for the old broker
    yield
    app.conf.update(saved)
    app._after_fork()


def test_when_the_broker_cannot_take_the_erasure_the_request_erases(client, site, broker_unreachable,
                                                                    django_capture_on_commit_callbacks):
    vid = choose(client, site, ["analytics"]).json()["vid"]
    assert collect(client, site, vid, consent_token(vid, "analytics"), make_event())["accepted"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert choose(client, site, []).status_code == 200
    assert not Event.objects.exists()


def test_the_settings_page_works_without_javascript(client, site):
    page = client.get("/privacy/settings/")
    assert page.status_code == 200
    assert b'name="category" value="analytics"' in page.content
    response = client.post("/privacy/settings/", {"choice": "save", "category": ["analytics"], "next": "/shop/"})
    assert response.status_code == 302 and response["Location"] == "/shop/"
    record = ConsentRecord.objects.get()
    assert (record.source, record.granted) == ("settings_page", ["analytics", "necessary"])
    assert consent_state_from_token(response.cookies["attune_consent"].value, site_key=site.public_key, current_material_version=0).allows("analytics")


@pytest.mark.parametrize("path", ["/privacy/settings/", "/consent"])
def test_both_ways_of_choosing_keep_the_address_the_trusted_proxy_saw(client, site, attune_settings, path):
    attune_settings(TRUSTED_PROXY_COUNT=1, CLIENT_ADDRESS_STORAGE="truncate")
    forwarded = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    if path == "/consent":
        body = {"site": site.public_key, "granted": ["analytics"], "source": "banner"}
        client.post(path, orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN, **forwarded)
    else:
        client.post(path, {"choice": "save", "category": ["analytics"]}, **forwarded)
    assert ConsentRecord.objects.get().client_address == "203.0.113.0"


def test_the_settings_page_never_redirects_off_site(client, site):
    response = client.post("/privacy/settings/", {"choice": "reject", "next": "https://evil.example/"})
    assert response["Location"] == "/privacy/settings/?saved=1"


def test_the_banner_offers_reject_as_prominently_as_accept_and_necessary_read_only(client, site):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    reject = html[html.index('data-consent-action="reject"') - 40: html.index("Reject all")]
    accept = html[html.index('data-consent-action="accept"') - 40: html.index("Accept all")]
    assert "secondary" not in reject and "secondary" not in accept
    assert 'value="necessary" checked disabled' in html
    assert 'role="dialog"' in html and 'aria-modal="true"' in html and 'aria-labelledby="attune-consent-title"' in html


def test_the_banner_speaks_german_to_a_german_browser_and_lays_out_right_to_left_in_arabic(client, site):
    german = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Alle ablehnen" in german and "Ihre Datenschutzeinstellungen" in german
    arabic = client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in arabic and "رفض الكل" in arabic


def test_a_material_policy_version_asks_everyone_again(client, site):
    token = choose(client, site, ["analytics"]).json()["token"]
    ConsentPolicy.objects.create(version=2, material=False, summary="Typo fixed")
    policy_cache_clear()
    assert consent_state_from_token(token, site_key=site.public_key, current_material_version=0).allows("analytics")
    ConsentPolicy.objects.create(version=3, material=True, summary="New partner")
    policy_cache_clear()
    from consent.selectors import policy_material_version

    assert consent_state_from_token(token, site_key=site.public_key, current_material_version=policy_material_version()).granted == {"necessary"}


def test_the_record_of_an_identified_visitor_names_the_user_by_the_stored_key(client, site):
    vid = choose(client, site, ["analytics"]).json()["vid"]
    client.post("/collect", orjson.dumps({"site": site.public_key, "vid": vid, "sent": now_ms(),
                                          "consent": consent_token(vid, "analytics"),
                                          "events": [make_signed_event(site_key=site.public_key, user_id="customer-9")]}),
                content_type="text/plain", HTTP_ORIGIN=ORIGIN, HTTP_USER_AGENT="Mozilla/5.0 (X11) Chrome/130.0")
    choose(client, site, ["analytics", "marketing"])
    record = ConsentRecord.objects.latest("id")
    assert record.user_key and record.user_key != "customer-9"
