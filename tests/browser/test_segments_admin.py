"""A clustering run's admin page in a real browser: the charts draw under the strict Content-Security-Policy, and a
queued run's page follows its progress until it is done."""

from pathlib import Path

import pytest

from personalization.models import Visitor
from segments.models import ClusteringRun, Membership
from segments.services.runs import segment_run_execute

from ..segments.finished_run import finished_run
from .helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = Path("var/screenshots")
CANVASES = ("chart-elbow", "chart-dendrogram", "chart-scatter", "chart-sizes")
# Pixels that are not fully transparent: a canvas Chart.js drew on has thousands, a blank one none.
INKED = """(id) => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) inked++; }
  return inked;
}"""


def test_a_runs_charts_draw_without_errors_or_policy_violations(live_server, staff_page):
    run = finished_run(k=None)
    staff_page.goto(f"{live_server.url}/admin/segments/clusteringrun/{run.pk}/change/")
    wait_until(staff_page, "() => document.body.getAttribute('data-charts-drawn') === '4'")
    for canvas in CANVASES:
        assert staff_page.evaluate(INKED, canvas) > 1000, f"{canvas} is blank"
    assert staff_page.locator("table.heat-map tbody tr").count() == run.k
    assert staff_page.errors == [] and staff_page.network_errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff_page.screenshot(path=str(SCREENSHOTS / "segments_run_admin.png"), full_page=True)
    segment = run.clusters.order_by("-size").first().segment
    staff_page.goto(f"{live_server.url}/admin/segments/segment/{segment.pk}/change/")
    wait_until(staff_page, "() => document.body.getAttribute('data-charts-drawn') === '1'")
    assert staff_page.evaluate(INKED, "chart-segment-size") > 1000
    staff_page.fill("#why-visitor", Visitor.objects.filter(profile__in=Membership.objects.filter(segment=segment)
                                                           .values("profile_id")).values_list("visitor_id", flat=True)[0])
    staff_page.click("button[form=why-lookup]")
    staff_page.wait_for_selector("#why-features")
    assert staff_page.errors == [] and staff_page.network_errors == []
    staff_page.screenshot(path=str(SCREENSHOTS / "segments_why.png"), full_page=True)


def test_a_queued_runs_page_follows_its_progress_and_shows_the_charts_when_done(live_server, staff_page):
    run = finished_run(k=4)
    queued = ClusteringRun.objects.create(config=run.config)  # k chosen: all four charts
    staff_page.goto(f"{live_server.url}/admin/segments/clusteringrun/{queued.pk}/change/")
    assert staff_page.locator("#run-progress .run-stage").text_content() == "waiting to start"
    ClusteringRun.objects.filter(pk=queued.pk).update(status="running", stage="choosing k", progress=40)
    wait_until(staff_page, "() => document.querySelector('#run-progress progress').value === 40")
    assert staff_page.locator("#run-progress .run-stage").text_content() == "choosing k"
    with staff_page.expect_navigation(timeout=15_000):  # the page reloads itself once the run is done
        segment_run_execute(run=queued)
    wait_until(staff_page, "() => document.body.getAttribute('data-charts-drawn') === '4'", timeout=15)
    assert staff_page.errors == []
