"""POST /collect in the embedded default: validated, consent-filtered, deduplicated, stored in the request."""

import orjson
import pytest

from personalization.models import DropCounter, Event, FailedEvent, Profile, Session

from ..conftest import ORIGIN, consent_token, make_event, make_signed_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
VISITOR = "visitor-0001"


def post(client, body, *, origin=ORIGIN, user_agent=CHROME, raw=False):
    data = body if raw else orjson.dumps(body)
    return client.post("/collect", data, content_type="text/plain", HTTP_ORIGIN=origin, HTTP_USER_AGENT=user_agent)


def batch(site, events, *, visitor=VISITOR, consent=("analytics",), **extra):
    return {"site": site.public_key, "vid": visitor, "sent": now_ms(),
            "consent": consent_token(visitor, *consent, site_key=site.public_key),
            "events": events, **extra}


def drops(site) -> dict[str, int]:
    return dict(DropCounter.objects.filter(site=site).values_list("reason", "count"))


def test_a_valid_batch_is_stored_and_builds_a_session_and_profile(client, site):
    events = [make_event("page_view", url=ORIGIN + "/shop/p/boot", pv="p1", cat="shoes"),
              make_event("click", pv="p1", props={"tag": "a"})]
    response = post(client, batch(site, events))
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "duplicates": 0}
    assert Event.objects.filter(site=site).count() == 2
    profile = Profile.objects.get(site=site)
    assert (profile.pageviews, profile.clicks, profile.category_views) == (1, 1, {"shoes": 1})
    assert Session.objects.get(site=site).entry_path == "/shop/p/boot"
    assert response["Access-Control-Allow-Origin"] == ORIGIN


def test_a_retried_batch_stores_nothing_twice(client, site):
    body = batch(site, [make_event() for _ in range(5)])
    assert post(client, body).json()["accepted"] == 5
    assert post(client, body).json() == {"accepted": 0, "duplicates": 5}
    assert Event.objects.filter(site=site).count() == 5
    assert Profile.objects.get(site=site).pageviews == 5
    assert drops(site) == {"duplicate": 5}


def test_events_without_consent_are_not_stored_and_are_counted(client, site):
    response = post(client, batch(site, [make_event(), make_event()], consent=()))
    assert response.status_code == 200
    assert response.json()["dropped"] == {"no_consent": 2}
    assert not Event.objects.exists()
    assert drops(site) == {"no_consent": 2}


def test_a_forged_consent_token_counts_as_no_consent(client, site):
    token = consent_token(VISITOR, "analytics")
    payload, rest = token.split(":", 1)
    forged = batch(site, [make_event()], consent=())
    forged["consent"] = payload[:-2] + "xx:" + rest
    assert post(client, forged).json()["dropped"] == {"no_consent": 1}
    assert not Event.objects.exists()


def test_a_consent_token_made_for_another_visitor_does_not_count(client, site):
    body = batch(site, [make_event()])
    body["consent"] = consent_token("someone-else-1", "analytics")
    assert post(client, body).json()["dropped"] == {"no_consent": 1}


def test_marketing_events_need_marketing_consent(client, site):
    events = [make_event(), make_event("track", name="retarget", purpose="marketing")]
    assert post(client, batch(site, events)).json()["dropped"] == {"no_consent": 1}
    assert list(Event.objects.values_list("type", flat=True)) == ["page_view"]


def test_a_purpose_never_stands_in_for_the_category_of_the_event_type(client, site):
    """Every event type needs analytics; a purpose the visitor granted (necessary always is) adds to that."""
    events = [make_event(purpose="necessary"), make_event("track", name="x", purpose="personalization")]
    response = post(client, batch(site, events, consent=("personalization",)))
    assert response.json()["dropped"] == {"no_consent": 2}
    assert not Event.objects.exists()


def test_a_user_id_on_any_event_is_kept_only_as_the_keyed_hash_identify_uses(client, site):
    post(client, batch(site, [make_signed_event("page_view", site_key=site.public_key, user_id="alice@example.com")], visitor="visitor-0001"))
    post(client, batch(site, [make_signed_event(site_key=site.public_key, user_id="alice@example.com")], visitor="visitor-0002"))
    profile = Profile.objects.get()  # the two visitors are one user
    assert profile.user_key and "alice" not in profile.user_key
    assert profile.visitors.count() == 2


def test_invalid_events_are_explained_and_the_valid_ones_in_the_batch_are_kept(client, site):
    events = [make_event(), make_event("teleport"), make_event("scroll", props={"depth": 500})]
    response = post(client, batch(site, events))
    assert response.status_code == 422
    body = response.json()
    assert body["accepted"] == 1
    assert [(r["index"], r["error"][:14]) for r in body["rejected"]] == [(1, "`type` 'telepo"), (2, "`props.depth` ")]
    assert FailedEvent.objects.filter(site=site).count() == 2
    assert '"teleport"' in FailedEvent.objects.get(event_index=1).payload
    assert drops(site) == {"invalid": 2}


def test_failed_events_of_a_visitor_without_consent_keep_the_reason_but_not_the_payload(client, site):
    post(client, batch(site, [make_event("teleport", props={"email": "a@b.example"})], consent=()))
    failure = FailedEvent.objects.get()
    assert failure.payload == ""
    assert "teleport" in failure.detail


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b"[" * 5000 + b"]" * 5000, 400, "too_deep"),
        (b'{"site": 1}', 400, "invalid_batch"),
        (b"", 400, "empty_body"),
    ],
)
def test_unreadable_bodies_get_a_4xx_that_says_why(client, site, raw, status, code):
    response = post(client, raw, raw=True)
    assert (response.status_code, response.json()["error"]) == (status, code)
    assert response.json()["message"]


def test_an_oversize_body_is_refused_before_it_is_read(client, site):
    response = post(client, batch(site, [make_event(props={"x": "y" * 3000}) for _ in range(30)]))
    assert response.status_code == 413
    assert "at most 65536 bytes" in response.json()["message"]
    assert dict(DropCounter.objects.filter(site_key="(unreadable)").values_list("reason", "count")) == {"invalid": 1}


def test_too_many_events_in_one_batch_are_refused(client, site, attune_settings):
    attune_settings(COLLECT_MAX_EVENTS=3)
    response = post(client, batch(site, [make_event() for _ in range(4)]))
    assert (response.status_code, response.json()["error"]) == (413, "too_many_events")
    assert drops(site) == {"invalid": 4}


def test_an_unknown_site_key_is_refused_and_counted(client, site):
    response = post(client, {**batch(site, [make_event()]), "site": "pk_nobody"})
    assert (response.status_code, response.json()["error"]) == (403, "unknown_site")
    assert DropCounter.objects.get(site_key="(unknown)").reason == "unknown_site"


def test_an_origin_the_site_does_not_allow_is_refused_without_cors_headers(client, site):
    response = post(client, batch(site, [make_event()]), origin="https://evil.example")
    assert (response.status_code, response.json()["error"]) == (403, "unknown_origin")
    assert "Access-Control-Allow-Origin" not in response
    assert drops(site) == {"unknown_origin": 1}


def test_bots_are_counted_and_dropped(client, site):
    response = post(client, batch(site, [make_event()]), user_agent="Googlebot/2.1 (+http://www.google.com/bot.html)")
    assert response.json() == {"accepted": 0, "dropped": {"bot": 1}}
    assert not Event.objects.exists()
    response = post(client, batch(site, [make_event()], wd=True))  # navigator.webdriver
    assert response.json()["dropped"] == {"bot": 1}


def test_bots_can_be_kept_apart_instead(client, site, attune_settings):
    attune_settings(BOT_POLICY="flag")
    post(client, batch(site, [make_event()]), user_agent="HeadlessChrome/130")
    assert Event.objects.count() == 1
    assert Profile.objects.get().visitors.get().is_bot


def test_a_client_sending_too_fast_gets_429_with_retry_after(client, site, attune_settings):
    attune_settings(RATE_LIMIT_ADDRESS_PER_MINUTE=2)
    statuses = [post(client, batch(site, [make_event()])).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = post(client, batch(site, [make_event()]))
    assert response["Retry-After"] == "60"
    assert drops(site)["rate_limited"] == 2


def test_cors_preflight_is_answered(client, site):
    response = client.options("/collect", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"


def test_sensitive_query_parameters_are_stripped_before_storage(client, site):
    post(client, batch(site, [make_event(url=ORIGIN + "/reset?token=s3cr3t&email=a%40b.c&step=2")]))
    assert Event.objects.get().url == ORIGIN + "/reset?step=2"


@pytest.mark.parametrize("slow_path", [False, True])
def test_link_addresses_in_click_properties_are_minimised_like_page_urls(client, site, slow_path):
    reset = ORIGIN + "/reset?token=s3cr3t&email=a%40b.c&step=2"
    events = [make_event("click", pv="p1", props={"tag": "a", "href": reset}),
              make_event("outbound", pv="p1", props={"href": "https://other.example/?Email=a@b.c#access_token=x"}),
              make_event("click", pv="p1", props={"tag": "a", "href": "mailto:alice@example.com?subject=Hi",
                                                  "text": "alice@example.com"}),
              make_event("click", pv="p1", props={"tag": "a", "href": "TEL:+15551234567", "text": "+1 555 123 4567"}),
              make_event("click", pv="p1", props={"tag": "a", "href": "whatsapp://send?phone=15551234567"})]
    if slow_path:  # one event the fast path cannot take sends the whole batch the slow way
        events.append(make_event("click", props={"deep": {"a": {"b": 1}}}))
    post(client, batch(site, events))
    stored = set(Event.objects.values_list("props__href", flat=True))
    assert stored >= {ORIGIN + "/reset?step=2", "https://other.example/", "mailto:", "tel:", "whatsapp:"}
    kept = str(list(Event.objects.values_list("props", flat=True)))
    assert not any(secret in kept for secret in ("s3cr3t", "alice", "5551234567", "555 123"))


def test_identify_stores_a_keyed_hash_of_the_user_id_not_the_id(client, site):
    post(client, batch(site, [make_signed_event(site_key=site.public_key, user_id="alice@example.com",
                                                    props={"email": "alice@example.com"})]))
    profile = Profile.objects.get()
    assert profile.user_key and "alice" not in profile.user_key
    assert Event.objects.get().props == {}


def test_when_the_database_is_down_the_collector_answers_503_not_success(client, site, monkeypatch):
    from django.db import OperationalError

    import personalization.ingest.group_commit as group_commit

    def down(batches):
        raise OperationalError("connection refused")

    monkeypatch.setattr(group_commit, "batches_write", down)
    response = post(client, batch(site, [make_event()]))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


@pytest.mark.django_db(transaction=True)
def test_when_the_database_cannot_be_reached_the_collector_answers_503_not_500(client, site, database_unreachable):
    """Before anything is stored the site and the consent policy are read: that failing is no server error."""
    response = post(client, batch(site, [make_event()]))
    assert (response.status_code, response.json()["error"], response["Retry-After"]) == (503, "unavailable", "5")


def test_counts_the_profile_stores_as_integers_must_be_whole_numbers(client, site):
    events = [make_event("engagement", pv="p1", props={"engaged_ms": 1500.5}),
              make_event("page_view", pv="p1"),
              make_event("engagement", pv="p1", props={"engaged_ms": 1500.0}),
              make_event("track", name="add_to_cart", props={"quantity": 2.0, "price": 5})]
    response = post(client, batch(site, events))
    assert response.status_code == 422
    assert [(r["index"], r["error"]) for r in response.json()["rejected"]] == [
        (0, "`props.engaged_ms` must be a whole number, such as 1500.")]
    profile = Profile.objects.get()
    assert (profile.engaged_ms, profile.cart_items) == (1500, 2)
    assert Event.objects.get(type="engagement").props == {"engaged_ms": 1500}


def test_rejected_input_with_nul_characters_is_still_recorded(client, site):
    body = batch(site, [{"id": "bad\x00id", "type": "click", "ts": now_ms()}])
    response = post(client, body)
    assert response.status_code == 422
    assert FailedEvent.objects.get().event_id == "bad\ufffdid"
    response = post(client, {**body, "site": "pk_\x00nobody"})
    assert response.status_code == 403
    assert DropCounter.objects.filter(site_key="(unknown)", reason="unknown_site").exists()


def test_events_the_tracker_lost_on_the_device_are_counted(client, site):
    post(client, {**batch(site, [make_event()]), "lost": 15})
    assert drops(site) == {"lost_on_device": 15}


def test_the_profile_reports_the_derived_figures_a_rule_needs(client, site):
    events = [make_event("page_view", url=ORIGIN + "/a", pv="p1", cat="shoes"),
              make_event("page_view", url=ORIGIN + "/b", pv="p2", cat="news"),
              make_event("page_view", url=ORIGIN + "/c", pv="p3", cat="shoes"),
              make_event("scroll", pv="p1", props={"depth": 90}), make_event("scroll", pv="p2", props={"depth": 30}),
              make_event("engagement", pv="p1", props={"engaged_ms": 60_000}),
              make_event("click", pv="p1"), make_event("click", pv="p2"), make_event("click", pv="p3")]
    post(client, batch(site, events))
    profile = Profile.objects.get()
    assert (profile.sessions, profile.pages_per_session, profile.clicks_per_page) == (1, 3.0, 1.0)
    assert profile.mean_engaged_ms == 60_000
    assert profile.mean_scroll_depth == 40  # (90 + 30 + 0) / 3 page views
    assert profile.category_affinities == {"news": 1 / 3, "shoes": 2 / 3}
    assert profile.visits_per_week == 1.0
    assert profile.recency_days() < 0.01


def test_an_integer_beyond_64_bits_in_props_is_no_server_error(client, site):
    body = orjson.dumps(batch(site, [make_event("click", props={"n": "BIG"})])).replace(b'"BIG"', b"1" + b"0" * 30)
    response = post(client, body, raw=True)
    assert response.status_code == 200
    assert float(Event.objects.get(site=site).props["n"]) == 1e30  # stored as the JSON number it is


def test_lost_events_are_still_counted_when_a_bad_event_sends_the_batch_down_the_slow_path(client, site):
    response = post(client, batch(site, [make_event("click"), make_event("scroll", props={})], lost=7))
    assert response.status_code == 422
    assert drops(site)["lost_on_device"] == 7


def test_an_event_id_with_a_trailing_newline_is_rejected_not_left_to_the_database(client, site):
    event = make_event("click")
    event["id"] += "\n"
    response = post(client, batch(site, [event, make_event("click")]))
    assert response.status_code == 422
    assert [r["index"] for r in response.json()["rejected"]] == [0]
    assert Event.objects.filter(site=site).count() == 1
