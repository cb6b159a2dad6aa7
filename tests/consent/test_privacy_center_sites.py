"""The privacy center on a server of several sites, none of them the default."""

import json

import orjson
import pytest
from django.core.checks import run_checks

from consent.models import ConsentRecord
from consent.services.choices import consent_record_create
from personalization.models import Event
from personalization.services.sites import site_create

from ..conftest import ORIGIN, make_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"


@pytest.fixture
def two_sites(attune_settings):
    attune_settings(DEFAULT_SITE_KEY="")
    return site_create(name="News", origins=["http://news.example"]).site, site_create(name="Shop", origins=[ORIGIN]).site


def visit(client, site, visitor: str) -> None:
    """A visitor who chose on `site` and browsed it: their token becomes this browser's cookie."""
    _, token = consent_record_create(site_key=site.public_key, visitor_id=visitor, granted={"analytics"},
                                     source="banner", policy_version=0)
    body = {"site": site.public_key, "vid": visitor, "sent": now_ms(), "consent": token, "events": [make_event()]}
    assert client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                       HTTP_USER_AGENT=CHROME).status_code == 200
    client.cookies["attune_consent"] = token


def test_with_several_sites_the_privacy_center_finds_the_visitors_site_and_exports_and_erases(client, two_sites):
    _, shop = two_sites
    visit(client, shop, "visitor-shop-1")
    export = json.loads(client.get("/privacy/export/").content)
    assert export["site"] == shop.public_key
    assert len(export["data"]["tracking"]["events"]) == 1
    assert client.post("/privacy/erase/", {"confirm": "yes"}).status_code == 302
    assert not Event.objects.exists()


def test_a_browser_whose_site_cannot_be_found_is_told_so_and_nothing_reports_success(client, two_sites):
    _, shop = two_sites
    visit(client, shop, "visitor-shop-1")
    ConsentRecord.objects.all().delete()  # the cookie's choice is no longer on record: nothing names its site
    center = client.get("/privacy/")
    assert "several sites" in center.content.decode()
    assert client.get("/privacy/export/").status_code == 404
    response = client.post("/privacy/erase/", {"confirm": "yes"})
    assert "erased=1" not in response["Location"]


def test_manage_py_check_warns_about_several_sites_without_a_default(two_sites, attune_settings):
    assert "attune.W001" in {message.id for message in run_checks()}
    attune_settings(DEFAULT_SITE_KEY=two_sites[1].public_key)
    assert "attune.W001" not in {message.id for message in run_checks()}
