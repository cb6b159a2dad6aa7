"""The dashboards in a real browser: the overview's and the segment sizes' charts draw under the strict
Content-Security-Policy, with no script errors."""

from pathlib import Path

import pytest

from personalization.models import Visitor
from segments.models import Segment
from segments.services.memberships import memberships_apply

from ..rules.overview_factories import day_ago, visit
from .helpers import wait_until
from .test_segments_admin import INKED

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = Path("var/screenshots")
OVERVIEW_CANVASES = ("chart-visitors", "chart-sessions", "chart-engaged", "chart-conversions", "chart-consent")


def test_the_overview_and_segment_sizes_draw_their_charts(live_server, staff_page, site):
    for days in range(1, 8):
        for n in range(days + 2):
            visit(site, f"visitor-{days}-{n}", day_ago(days), revenue=15 if n == 0 else None)
    readers = Segment.objects.create(site=site, name="Readers", slug="readers", kind=Segment.Kind.RULE)
    memberships_apply(wanted={profile: {readers.pk} for profile in Visitor.objects.values_list("profile_id", flat=True)},
                      segment_ids={readers.pk}, reason="test")
    staff_page.goto(f"{live_server.url}/admin/rules/overview/")
    wait_until(staff_page, f"() => document.body.getAttribute('data-charts-drawn') === '{len(OVERVIEW_CANVASES)}'")
    for canvas in OVERVIEW_CANVASES:
        assert staff_page.evaluate(INKED, canvas) > 1000, f"{canvas} is blank"
    assert staff_page.errors == [] and staff_page.network_errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff_page.screenshot(path=str(SCREENSHOTS / "overview_admin.png"), full_page=True)
    staff_page.click("text=Segment sizes over time")
    wait_until(staff_page, "() => document.body.getAttribute('data-charts-drawn') === '1'")
    assert staff_page.evaluate(INKED, "chart-segments") > 1000
    assert staff_page.errors == [] and staff_page.network_errors == []
    staff_page.screenshot(path=str(SCREENSHOTS / "overview_segments_admin.png"), full_page=True)
