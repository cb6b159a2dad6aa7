"""The dashboards in a real browser: the overview's and the segment sizes' charts draw under the strict
Content-Security-Policy, with no script errors."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from personalization.models import Visitor
from segments.models import Segment
from segments.services.memberships import memberships_apply

from ..rules.overview_factories import day_ago, visit
from .helpers import wait_until
from .test_segments_admin import INKED

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = Path("var/screenshots")
OVERVIEW_CANVASES = ("chart-visitors", "chart-sessions", "chart-engaged", "chart-conversions", "chart-consent")


@pytest.fixture
def analyst_page(live_server, transactional_db, embedded_mode, page):
    get_user_model().objects.create_superuser("analyst", "analyst@example.com", "a-long-password-1")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return page


def test_the_overview_and_segment_sizes_draw_their_charts(live_server, analyst_page, site):
    for days in range(1, 8):
        for n in range(days + 2):
            visit(site, f"visitor-{days}-{n}", day_ago(days), revenue=15 if n == 0 else None)
    readers = Segment.objects.create(site=site, name="Readers", slug="readers", kind=Segment.Kind.RULE)
    memberships_apply(wanted={profile: {readers.pk} for profile in Visitor.objects.values_list("profile_id", flat=True)},
                      segment_ids={readers.pk}, reason="test")
    analyst_page.goto(f"{live_server.url}/admin/rules/overview/")
    wait_until(analyst_page, f"() => document.body.getAttribute('data-charts-drawn') === '{len(OVERVIEW_CANVASES)}'")
    for canvas in OVERVIEW_CANVASES:
        assert analyst_page.evaluate(INKED, canvas) > 1000, f"{canvas} is blank"
    assert analyst_page.errors == [] and analyst_page.network_errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    analyst_page.screenshot(path=str(SCREENSHOTS / "overview_admin.png"), full_page=True)
    analyst_page.click("text=Segment sizes over time")
    wait_until(analyst_page, "() => document.body.getAttribute('data-charts-drawn') === '1'")
    assert analyst_page.evaluate(INKED, "chart-segments") > 1000
    assert analyst_page.errors == [] and analyst_page.network_errors == []
    analyst_page.screenshot(path=str(SCREENSHOTS / "overview_segments_admin.png"), full_page=True)
