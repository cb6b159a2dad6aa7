"""What the collector, the consent endpoint and /v1 answer to requests an attacker or a broken client sends:
bytes that are not UTF-8, bodies too large for Django, preflights from foreign origins."""

import base64

import orjson
import pytest
from django.test import Client

from consent.registry import Subject
from consent.services.rights import personal_data_erase
from personalization.models import DropCounter
from personalization.services.sites import site_create

from ..conftest import ORIGIN, consent_token, make_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
VISITOR = "visitor-0001"


@pytest.fixture
def write_key(db) -> str:
    keys = site_create(name="Backend shop", origins=[ORIGIN])
    return "Basic " + base64.b64encode(f"{keys.write_key}:".encode()).decode()


def unreadable_drops() -> int:
    return sum(DropCounter.objects.filter(site_key="(unreadable)").values_list("count", flat=True))


def latin1_batch(site) -> bytes:
    """A batch whose page address carries one Latin-1 byte (é as 0xE9), as a hand-rolled client might send."""
    body = orjson.dumps({"site": site.public_key, "vid": VISITOR, "sent": now_ms(),
                         "consent": consent_token(VISITOR, "analytics"),
                         "events": [make_event(url=ORIGIN + "/caf\u00e9")]})
    return body.replace("\u00e9".encode(), b"\xe9")


def test_a_batch_with_a_latin1_byte_is_refused_as_not_utf8_and_counted(client, site):
    response = client.post("/collect", latin1_batch(site), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                           HTTP_USER_AGENT=CHROME)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_encoding"
    assert "UTF-8" in response.json()["message"]
    assert unreadable_drops() == 1


def test_a_lone_surrogate_escape_is_refused_as_an_encoding_error(client, site):
    body = latin1_batch(site).replace(b"\xe9", b"\\ud800")
    response = client.post("/collect", body, content_type="text/plain", HTTP_ORIGIN=ORIGIN, HTTP_USER_AGENT=CHROME)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_encoding")


def test_a_choice_that_is_not_utf8_is_refused_and_counted(client, site):
    body = orjson.dumps({"site": site.public_key, "granted": ["analytics"], "lang": "fr\u00e9"})
    response = client.post("/consent", body.replace("\u00e9".encode(), b"\xe9"), content_type="text/plain",
                           HTTP_ORIGIN=ORIGIN)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_encoding")
    assert unreadable_drops() == 1


@pytest.mark.parametrize("path", ["/v1/batch", "/v1/track"])
def test_a_server_batch_that_is_not_utf8_is_refused_and_counted(client, write_key, path):
    message = {"messageId": "m-1", "anonymousId": "a-1", "event": "Caf\u00e9 visited"}
    body = orjson.dumps({"batch": [message]} if path == "/v1/batch" else message)
    response = client.post(path, body.replace("\u00e9".encode(), b"\xe9"), content_type="application/json",
                           HTTP_AUTHORIZATION=write_key)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_encoding")
    assert sum(DropCounter.objects.values_list("count", flat=True)) == 1


def test_a_server_batch_over_djangos_upload_limit_is_a_413_in_json(client, write_key):
    body = orjson.dumps({"batch": [{"messageId": "m", "anonymousId": "a", "event": "x" * 3_000_000}]})
    response = client.post("/v1/batch", body, content_type="application/json", HTTP_AUTHORIZATION=write_key)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "body_too_large"


def test_a_choice_over_djangos_upload_limit_is_a_413_in_json(client, site):
    response = client.post("/consent", b" " * 3_000_000, content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    assert (response.status_code, response.json()["error"]) == (413, "body_too_large")


@pytest.mark.parametrize("path", ["/collect", "/consent"])
def test_a_preflight_from_an_origin_no_site_allows_gets_no_grant(client, site, path):
    response = client.options(path, HTTP_ORIGIN="https://evil.example",
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("path", ["/collect", "/consent"])
def test_a_preflight_from_a_sites_origin_is_granted(site, path):
    response = Client().options(path, HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response["Access-Control-Allow-Methods"]


def collect(client, body: dict, *, origin: str = ORIGIN):
    return client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=origin,
                       HTTP_USER_AGENT=CHROME)


def a_batch(site, key: str = "", **extra) -> dict:
    return {"site": key or site.public_key, "vid": VISITOR, "sent": now_ms(), "consent": consent_token(VISITOR, "analytics"),
            "events": [make_event()], **extra}


def test_made_up_site_keys_are_counted_in_one_bucket(client, site):
    for n in range(30):
        assert collect(client, a_batch(site, f"pk_madeup{n}")).status_code == 403
    assert list(DropCounter.objects.values_list("site_key", "reason", "count")) == [("(unknown)", "unknown_site", 30)]


@pytest.mark.parametrize("refused", ["unknown_site", "unknown_origin"])
def test_refused_batches_count_against_the_address_rate_limit(client, site, attune_settings, refused):
    attune_settings(RATE_LIMIT_ADDRESS_PER_MINUTE=3)
    body = a_batch(site, "pk_nobody") if refused == "unknown_site" else a_batch(site)
    origin = "https://evil.example" if refused == "unknown_origin" else ORIGIN
    statuses = [collect(client, body, origin=origin).status_code for _ in range(5)]
    assert statuses == [403, 403, 403, 429, 429]
    counts = dict(DropCounter.objects.values_list("reason", "count"))
    assert counts == {refused: 3, "rate_limited": 2}
    assert collect(client, a_batch(site)).status_code == 429, "the address's budget is spent for valid batches too"


def test_a_batch_of_an_erased_visitor_is_answered_410_erased_and_counted(client, site):
    assert collect(client, a_batch(site)).status_code == 200
    personal_data_erase(subject=Subject(site_key=site.public_key, visitor_ids=(VISITOR,)), channel="test")
    response = collect(client, a_batch(site))
    assert response.status_code == 410
    assert response.json()["error"] == "erased" and response.json()["dropped"] == {"erased": 1}
    assert DropCounter.objects.get(reason="erased").count == 1


def test_a_choice_made_with_an_erased_visitors_token_starts_over_with_a_new_visitor_id(client, site):
    personal_data_erase(subject=Subject(site_key=site.public_key, visitor_ids=(VISITOR,)), channel="test")
    body = {"site": site.public_key, "token": consent_token(VISITOR, "analytics"), "granted": ["analytics"]}
    answer = client.post("/consent", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN).json()
    assert answer["vid"] and answer["vid"] != VISITOR
    assert collect(client, {**a_batch(site), "vid": answer["vid"], "consent": answer["token"]}).status_code == 200


def test_embedded_each_web_process_allows_its_share_of_the_rate_limit(client, site, attune_settings):
    attune_settings(RATE_LIMIT_ADDRESS_PER_MINUTE=5, RATE_LIMIT_PROCESSES=2)  # as config/gunicorn.py sets it
    statuses = [collect(client, a_batch(site)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429], "3 of 5 here, at most 3 in the other process: never more than 6"


def test_refused_choices_count_against_the_address_rate_limit(client, site, attune_settings):
    attune_settings(RATE_LIMIT_ADDRESS_PER_MINUTE=2)
    body = orjson.dumps({"site": site.public_key, "granted": ["analytics"]})
    statuses = [client.post("/consent", body, content_type="text/plain", HTTP_ORIGIN="https://evil.example").status_code
                for _ in range(3)]
    assert statuses == [403, 403, 429]


@pytest.mark.parametrize("path", ["/collect", "/consent", "/v1/batch"])
def test_a_content_length_of_non_ascii_digits_is_refused_not_a_server_error(client, site, write_key, path):
    response = client.post(path, b"{}", content_type="text/plain", HTTP_ORIGIN=ORIGIN, HTTP_AUTHORIZATION=write_key,
                           CONTENT_LENGTH="\u00b2")  # SUPERSCRIPT TWO, which str.isdigit() takes for a digit
    assert 400 <= response.status_code < 500
    assert response.json()["error"]
