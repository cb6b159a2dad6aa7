"""A consent token names the site it was given on, and counts on that site only: on /collect, /consent, the privacy
center and the Python API alike."""

import orjson
import pytest

import attune
from personalization.models import Event
from personalization.services.sites import site_create

from ..conftest import ORIGIN, consent_token, make_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"


@pytest.fixture
def two_sites(site):
    """Site A (the fixture's) and site B, both served from ORIGIN (as two shops on one domain would be)."""
    return site, site_create(name="Shop B", origins=[ORIGIN]).site


def collect(client, site, token, visitor="visitor-a-0001"):
    body = {"site": site.public_key, "vid": visitor, "sent": now_ms(), "consent": token,
            "events": [make_event("page_view", url=ORIGIN + "/")]}
    return client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                       HTTP_USER_AGENT=CHROME).json()


def test_a_token_given_on_one_site_stores_nothing_on_another(client, two_sites):
    site_a, site_b = two_sites
    token = consent_token("visitor-a-0001", "analytics", site_key=site_a.public_key)
    assert collect(client, site_b, token)["dropped"] == {"no_consent": 1}
    assert collect(client, site_a, token)["accepted"] == 1
    assert list(Event.objects.values_list("site_id", flat=True)) == [site_a.id]


def test_a_token_from_before_tokens_named_their_site_stores_nothing_and_choosing_again_keeps_the_visitor(client, site):
    old = consent_token("visitor-old-0001", "analytics", site_key="")
    assert collect(client, site, old, visitor="visitor-old-0001")["dropped"] == {"no_consent": 1}
    answer = client.post("/consent", orjson.dumps({"site": site.public_key, "token": old, "granted": ["analytics"],
                                                    "source": "banner"}), content_type="text/plain",
                         HTTP_ORIGIN=ORIGIN).json()
    assert answer["vid"] == "visitor-old-0001"
    assert collect(client, site, answer["token"], visitor="visitor-old-0001")["accepted"] == 1


def test_another_sites_token_does_not_prove_the_visitor_when_choosing(client, two_sites):
    site_a, site_b = two_sites
    token = consent_token("visitor-a-0001", "analytics", site_key=site_a.public_key)
    answer = client.post("/consent", orjson.dumps({"site": site_b.public_key, "token": token, "granted": [],
                                                    "source": "banner"}), content_type="text/plain",
                         HTTP_ORIGIN=ORIGIN).json()
    assert answer["vid"] != "visitor-a-0001"  # a withdrawal on B cannot speak for (and erase) A's visitor


def test_the_privacy_center_of_one_site_does_not_read_another_sites_cookie(client, two_sites, attune_settings):
    site_a, site_b = two_sites
    token = consent_token("visitor-a-0001", "analytics", site_key=site_a.public_key)
    collect(client, site_a, token)
    client.cookies["attune_consent"] = token
    attune_settings(DEFAULT_SITE_KEY=site_b.public_key)
    assert client.get("/privacy/export/").status_code == 404
    attune_settings(DEFAULT_SITE_KEY=site_a.public_key)
    assert client.get("/privacy/export/").status_code == 200


def test_the_python_api_reads_the_cookie_for_the_site_it_sends_to(rf, two_sites):
    site_a, site_b = two_sites
    request = rf.get("/")
    request.COOKIES["attune_consent"] = consent_token("visitor-a-0001", "analytics", site_key=site_a.public_key)
    assert attune.track(request, "signup", site=site_b).dropped == {"no_visitor": 1}
    assert attune.track(request, "signup", site=site_a).accepted == 1
