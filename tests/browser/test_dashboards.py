"""The dashboards in a real browser with demo data: they draw their charts under the strict Content-Security-Policy,
with no script errors, and are kept as screenshots (var/screenshots) for review."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from demo.rules_seed import demo_funnels_ensure, demo_rules_ensure
from demo.services import demo_segments_ensure
from demo.simulator.experiment_traffic import experiment_simulate
from demo.simulator.rule_traffic import rule_traffic_simulate
from demo.simulator.run import traffic_simulate
from rules.feedback import rule_feedback_count
from rules.insight.build import insight_report_build
from rules.insight.findings import findings_detect
from rules.models import Finding, InsightReport, Rule

from .helpers import wait_until
from .test_segments_admin import INKED

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = Path("var/screenshots")


@pytest.fixture
def demo_data(demo):
    """The demo site with simulated traffic, its rules met by simulated visitors, and a bandit's two weeks."""
    demo_segments_ensure(demo)
    demo_rules_ensure(demo)
    traffic_simulate(site=demo, visitors=120, days=14, seed=3, end=datetime.now(UTC) - timedelta(hours=1),
                     progress=False)
    rule_traffic_simulate(site=demo, seed=3)
    rule_feedback_count(settle_seconds=0)
    bandit = Rule.objects.get(site=demo, split=Rule.Split.BANDIT)
    [arm] = bandit.arms.all()
    experiment_simulate(rule=bandit, true_rates={"control": 0.04, "main": 0.06, arm.key: 0.12}, days=14,
                        visitors_per_day=80, seed=3, end=timezone.now() - timedelta(hours=1))
    return demo


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_rule_board_and_a_bandits_page_draw_with_demo_data(live_server, demo_data, staff_page):
    staff_page.goto(f"{live_server.url}/admin/rules/rule/performance/")
    assert staff_page.locator(".rule-result").count() == Rule.objects.filter(site=demo_data).count()
    assert staff_page.locator("text=control (default content)").count() >= 5
    shot(staff_page, "rule_board")
    bandit = Rule.objects.get(site=demo_data, split=Rule.Split.BANDIT)
    staff_page.goto(f"{live_server.url}/admin/rules/rule/{bandit.pk}/performance/")
    wait_until(staff_page, "() => document.body.getAttribute('data-charts-drawn') === '3'")
    for canvas in ("chart-visitors", "chart-rate", "chart-share"):
        assert staff_page.evaluate(INKED, canvas) > 1000, f"{canvas} is blank"
    assert staff_page.errors == [] and staff_page.network_errors == []
    shot(staff_page, "rule_bandit")


def test_the_insight_report_findings_and_overview_draw_with_demo_data(live_server, demo_data, staff_page):
    demo_funnels_ensure(demo_data)
    findings_detect(site_id=demo_data.pk)
    today = timezone.now().date()
    report = InsightReport.objects.create(site=demo_data, params={
        "since": (today - timedelta(days=14)).isoformat(), "until": today.isoformat(), "segment": ""})
    insight_report_build(report_id=report.pk)
    staff_page.goto(f"{live_server.url}/admin/rules/insightreport/{report.pk}/change/")
    wait_until(staff_page, "() => Number(document.body.getAttribute('data-charts-drawn')) >= 3")
    for canvas in ("chart-funnel-0", "chart-scroll", "chart-exits"):
        assert staff_page.evaluate(INKED, canvas) > 1000, f"{canvas} is blank"
    shot(staff_page, "insight_report")
    staff_page.goto(f"{live_server.url}/admin/rules/finding/")
    assert staff_page.locator("#result_list tbody tr").count() == Finding.objects.filter(site=demo_data).count()
    shot(staff_page, "findings")
    staff_page.goto(f"{live_server.url}/admin/rules/overview/")
    wait_until(staff_page, "() => Number(document.body.getAttribute('data-charts-drawn')) >= 4")
    assert staff_page.evaluate(INKED, "chart-visitors") > 1000
    shot(staff_page, "site_overview")
    assert staff_page.errors == [] and staff_page.network_errors == []
