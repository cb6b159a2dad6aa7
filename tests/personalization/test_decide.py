"""GET /decide: the slots' content for the visitor whose consent token comes with it, only to the site's origins."""

import json

import pytest

from tests.conftest import ORIGIN, consent_token
from tests.rules.factories import profile_make, rule_make

pytestmark = pytest.mark.django_db
VISITOR = "v-decide-0001"


def row(field, op, value=None):
    return {"field": field, "op": op, **({} if value is None else {"value": value})}


@pytest.fixture
def rules(site):
    profile_make(site, visitor_id=VISITOR, goal_counts={"purchase": 7})
    rule_make(site, {"all": [row("purchases", "gte", 5)]}, slot="home_hero", html="<p>welcome back</p>")
    rule_make(site, {"all": [row("page_type", "eq", "product"), row("engaged_on_page", "gt", 180)]},
              slot="product_sidebar", html="<p>related</p>")
    return site


def ask(client, site, *, slots="home_hero,product_sidebar", token=None, origin=ORIGIN, header=False, **page):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    if token and header:
        headers["HTTP_X_ATTUNE_CONSENT"] = token
    elif token:
        client.cookies["attune_consent"] = token
    return client.get("/decide", {"site": site.public_key, "slots": slots, "page_type": "product", **page}, **headers)


def test_a_consenting_visitor_gets_the_content_and_the_in_page_condition(client, rules):
    answer = ask(client, rules, token=consent_token(VISITOR, "analytics", "personalization"))
    body = answer.json()
    assert answer.status_code == 200
    assert body["home_hero"]["html"] == "<p>welcome back</p>"
    assert "when" not in body["home_hero"]
    assert body["product_sidebar"]["when"] == {"f": "engaged_on_page", "o": "gt", "v": 180}
    assert answer["Access-Control-Allow-Origin"] == ORIGIN
    assert "private" in answer["Cache-Control"]


def test_the_token_may_come_in_a_header_from_another_origin(client, rules):
    answer = ask(client, rules, token=consent_token(VISITOR, "analytics", "personalization"), header=True)
    assert answer.json()["home_hero"]["html"] == "<p>welcome back</p>"


def test_without_personalization_consent_every_slot_keeps_its_default(client, rules):
    assert ask(client, rules, token=consent_token(VISITOR, "analytics")).json() == {}
    assert ask(client, rules).json() == {}


def test_a_forged_token_gets_only_defaults(client, rules):
    token = consent_token(VISITOR, "analytics", "personalization")
    assert ask(client, rules, token=token[:-3] + "AAA").json() == {}


def test_a_token_given_on_another_site_gets_only_defaults(client, rules):
    token = consent_token(VISITOR, "analytics", "personalization", site_key="another-site-key")
    assert ask(client, rules, token=token).json() == {}


def test_answers_carry_content_and_references_only_never_profile_figures(client, rules):
    body = ask(client, rules, token=consent_token(VISITOR, "analytics", "personalization")).json()
    assert {key for slot in body.values() for key in slot} <= {"html", "ref", "when"}
    assert "purchase" not in json.dumps(body) and VISITOR not in json.dumps(body)


def test_another_origin_is_refused_and_told_what_to_do(client, rules):
    answer = ask(client, rules, token=consent_token(VISITOR, "analytics", "personalization"), origin="http://evil.example")
    assert answer.status_code == 403
    assert "allowed origins" in answer.json()["message"]
    assert "Access-Control-Allow-Origin" not in answer
    assert "welcome" not in answer.content.decode()


def test_a_preflight_is_answered_only_for_an_allowed_origin(client, rules):
    query = f"/decide?site={rules.public_key}&slots=home_hero"
    allowed = client.options(query, HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-attune-consent")
    refused = client.options(query, HTTP_ORIGIN="http://evil.example")
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Attune-Consent" in allowed["Access-Control-Allow-Headers"]
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused


def test_an_unknown_site_is_a_clear_400(client, db):
    answer = client.get("/decide", {"site": "nope", "slots": "home_hero"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unknown_site" and "site=" in answer.json()["message"]


@pytest.mark.parametrize("slots", ["", "Home-Hero", "a,<script>", ",".join(f"s{n}" for n in range(21))])
def test_bad_slot_names_are_a_clear_400(client, site, slots):
    answer = client.get("/decide", {"site": site.public_key, "slots": slots}, HTTP_ORIGIN=ORIGIN)
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_slots"
    assert "<script>" not in answer.content.decode()


def test_content_with_markup_is_inert_in_the_answer_bytes(client, site):
    profile_make(site, visitor_id=VISITOR, goal_counts={"purchase": 7})
    rule_make(site, {"all": [row("purchases", "gte", 5)]}, slot="home_hero",
              html='<p>hi<img src=x onerror="alert(1)"><script>alert(2)</script></p>')
    answer = ask(client, site, slots="home_hero", token=consent_token(VISITOR, "analytics", "personalization"))
    raw = answer.content.decode()
    assert "<" not in raw and "onerror" not in raw and "alert(2)" not in raw
    assert answer["Content-Type"] == "application/json" and answer["X-Content-Type-Options"] == "nosniff"
    assert answer.json()["home_hero"]["html"].startswith("<p>hi<img")


def test_the_openapi_document_describes_decide(client, db):
    document = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = document["paths"]["/decide"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"site", "slots", "path"}
    assert {"200", "400", "403"} <= set(operation["responses"])


def test_the_lean_wsgi_path_answers_as_the_view_does(rules):
    from io import BytesIO

    from personalization.views.decide import decide_wsgi

    token = consent_token(VISITOR, "analytics", "personalization")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/decide", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "QUERY_STRING": f"site={rules.public_key}&slots=home_hero", "HTTP_ORIGIN": ORIGIN,
               "HTTP_X_ATTUNE_CONSENT": token, "wsgi.input": BytesIO(), "wsgi.url_scheme": "http"}
    started = {}
    body = b"".join(decide_wsgi(environ, lambda status, headers: started.update(status=status, headers=dict(headers))))
    assert started["status"] == "200 OK"
    assert started["headers"]["Access-Control-Allow-Origin"] == ORIGIN
    assert json.loads(body)["home_hero"]["html"] == "<p>welcome back</p>"


def test_a_profile_condition_that_becomes_true_shows_at_the_next_ask(client, site):
    from django.utils import timezone

    from personalization.models import Profile
    from personalization.signals import events_stored

    profile = profile_make(site, visitor_id=VISITOR, goal_counts={"purchase": 4})
    rule_make(site, {"all": [row("purchases", "gte", 5)]}, slot="home_hero", html="<p>welcome back</p>")
    token = consent_token(VISITOR, "analytics", "personalization")
    assert ask(client, site, slots="home_hero", token=token).json() == {}
    # what storing the fifth purchase writes to the profile, and says once it is committed
    Profile.objects.filter(pk=profile.pk).update(goal_counts={"purchase": 5}, updated_at=timezone.now())
    events_stored.send(sender=None, site_id=site.pk, profile_ids=[profile.pk])
    assert ask(client, site, slots="home_hero", token=token).json()["home_hero"]["html"] == "<p>welcome back</p>"
