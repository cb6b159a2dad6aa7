"""A site's setup page in a real browser: while a visitor browses the demo after accepting the banner, the page
turns from "no events yet" to "arriving" and lists the page view, under the strict Content-Security-Policy."""

from pathlib import Path

import pytest

from .conftest import USER_AGENT
from .helpers import grant, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = Path("var/screenshots")


def test_the_setup_page_shows_a_visitors_page_view_as_it_arrives(demo, live_server, browser, staff_page):
    page = staff_page
    page.goto(f"{live_server.url}/admin/personalization/site/{demo.pk}/setup/")
    assert page.text_content("#setup-verdict").startswith("No events yet")

    visitor = browser.new_context(user_agent=USER_AGENT)
    try:
        shop = visitor.new_page()
        shop.goto(live_server.url + "/shop/p/trail-runner/")
        grant(shop, "analytics")
        wait_until(page, "() => document.getElementById('setup-verdict').dataset.status === 'arriving'")
        wait_until(page, "() => [...document.querySelectorAll('#live-events tbody tr.accepted td:nth-child(5)')]"
                         ".some(td => td.textContent === '/shop/p/trail-runner/')")
    finally:
        visitor.close()
    assert "Updated" in page.text_content("#live-status")
    assert page.errors == [] and page.network_errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "site_setup.png"), full_page=True)
