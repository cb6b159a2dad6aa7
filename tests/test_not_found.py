"""An unknown address on the public site, with DEBUG on as on a demo or development server."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True


def test_an_unknown_public_address_answers_a_plain_404_without_listing_url_patterns(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "Privacy center" in page
    assert "URLconf" not in page and "shop/checkout/" not in page and "admin/" not in page


def test_a_missing_demo_object_answers_the_same_plain_404(client):
    response = client.get("/shop/order/NO-SUCH-ORDER/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and "Raised by" not in response.content.decode()


def test_a_missing_trailing_slash_is_still_redirected(client):
    assert client.get("/shop").status_code == 301


def test_the_apis_keep_djangos_own_answers(client):
    assert "URLconf" in client.get("/v1/no-such-endpoint").content.decode()
