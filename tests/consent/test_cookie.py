"""The consent cookie as browsers hold it: raw as the server writes it, or percent-encoded as older scripts wrote it."""

from urllib.parse import quote

import pytest

from consent.services.choices import consent_record_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
VISITOR = "visitor-cookie-1"


@pytest.fixture
def token(site):
    _, token = consent_record_create(site_key=site.public_key, visitor_id=VISITOR, granted={"analytics", "marketing"},
                                     source="banner", policy_version=0)
    return token


@pytest.mark.parametrize("written", [lambda token: token, lambda token: quote(token, safe="")],
                         ids=["raw", "percent-encoded"])
def test_the_privacy_pages_know_the_visitor_whichever_way_the_cookie_was_written(client, token, written):
    client.cookies["attune_consent"] = written(token)
    center = client.get("/privacy/").content.decode()
    assert "Download my data" in center and "This browser is not linked" not in center
    assert "Marketing: allowed" in center
    settings_page = client.get("/privacy/settings/").content.decode()
    assert 'value="marketing" checked' in settings_page
    assert client.get("/privacy/export/").status_code == 200
