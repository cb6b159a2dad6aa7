"""The insight admin: funnels checked step by step, findings listed read-only, a report's page showing its progress
while it builds and its charts and tables once done, and the Build button that queues a report which the (eager)
Celery task builds in the background."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from rules.insight.build import insight_report_build
from rules.models import Finding, Funnel, InsightReport

from .insight_traffic import Traffic, at, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
SHOP = [{"label": "Product", "page_type": "product"}, {"label": "Cart", "page_type": "cart"},
        {"label": "Purchase", "event": "purchase"}]
YESTERDAY = today() - timedelta(days=1)


def shop_traffic(site) -> None:
    Funnel.objects.create(site=site, name="Shop", steps=SHOP)
    traffic = Traffic(site)
    for n in range(6):
        steps = [("page", "home", "/"), ("page", "product", "/product/lamp/"), ("scroll", 50)]
        if n < 4:
            steps.append(("page", "cart", "/cart/"))
        if n < 1:
            steps.append(("track", "purchase"))
        traffic.visit(at(YESTERDAY, 9 + n), *steps)
    traffic.store()


@pytest.fixture
def report(site):
    shop_traffic(site)
    made = InsightReport.objects.create(site=site, params={"since": str(YESTERDAY - timedelta(days=6)),
                                                           "until": str(YESTERDAY), "segment": ""})
    return insight_report_build(report_id=made.pk)


def member(role: str):
    user = get_user_model().objects.create_user(role.replace(" ", "-").lower(), password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def chart_data(html: str) -> dict:
    found = re.search(r'<script id="insight-chart-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_every_insight_admin_page_renders_for_staff(admin_client, report):
    finding = Finding.objects.create(site=report.site, kind="spike", key="/news/a/", day=YESTERDAY, value=90,
                                     baseline=20, score=9, description="/news/a/ had 90 page views")
    funnel = Funnel.objects.get()
    pages = ["/admin/rules/funnel/", "/admin/rules/funnel/add/", f"/admin/rules/funnel/{funnel.pk}/change/",
             "/admin/rules/finding/", "/admin/rules/finding/?kind__exact=spike", f"/admin/rules/finding/{finding.pk}/change/",
             "/admin/rules/insightreport/", "/admin/rules/insightreport/add/",
             f"/admin/rules/insightreport/{report.pk}/change/"]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page


def test_a_finished_reports_page_draws_funnels_scroll_and_exits_and_tabulates_the_rest(admin_client, report):
    html = admin_client.get(f"/admin/rules/insightreport/{report.pk}/change/").content.decode()
    data = chart_data(html)
    assert data["funnels"][0]["title"] == "Shop"
    assert data["funnels"][0]["labels"] == ["Product (then 33% left)", "Cart (then 75% left)", "Purchase"]
    assert data["funnels"][0]["datasets"] == [{"label": "All visitors", "data": [6, 4, 1]}]
    assert data["scroll"]["labels"][:3] == ["under 25%", "25%", "50%"] and data["scroll"]["shares"][2] > 0
    assert data["exits"] == {"labels": ["/cart/", "/product/lamp/"], "data": [4, 2]}
    for canvas in ("chart-funnel-0", "chart-scroll", "chart-exits"):
        assert f'id="{canvas}"' in html
    assert "6 visitors, 6 sessions" in html
    assert 'class="heat-5" title="6 sessions">100%' in html  # every session entered on the home page
    assert "home → product → cart" in html and "2" in html
    assert re.search(r"<th scope=\"row\">\d{4}-W\d\d</th><td>6</td>", html)  # the cohort of the week
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), "no inline script"
    assert "/static/segments/vendor/chart.umd.min.js" in html and "/static/rules/insight.js" in html
    assert 'action="/admin/rules/insightreport/' in html and "Build again" in html


def test_a_running_reports_page_shows_its_progress_which_staff_can_poll(client, admin_client, site):
    running = InsightReport.objects.create(site=site, status="running", stage="reading visits", progress=40,
                                           params={"since": "2024-01-01", "until": "2024-01-31"})
    url = f"/admin/rules/insightreport/{running.pk}/progress/"
    page = admin_client.get(f"/admin/rules/insightreport/{running.pk}/change/").content.decode()
    assert f'data-url="{url}"' in page and 'value="40"' in page and "insight-chart-data" not in page
    assert admin_client.get(url).json() == {"status": "running", "stage": "reading visits", "progress": 40,
                                            "error": "", "finished": False}
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(member("Analyst"))  # analysts read reports
    assert client.get(url).json()["progress"] == 40


@pytest.mark.django_db(transaction=True)
def test_the_build_button_queues_a_report_that_is_built_in_the_background(admin_client, site):
    shop_traffic(site)
    html = admin_client.get("/admin/rules/insightreport/").content.decode()
    assert 'href="/admin/rules/insightreport/add/"' in html and "Build a report" in html
    response = admin_client.post("/admin/rules/insightreport/add/", {
        "site": site.pk, "since": str(YESTERDAY - timedelta(days=3)), "until": str(YESTERDAY), "segment": ""})
    report = InsightReport.objects.get()
    assert response.status_code == 302 and response.url == f"/admin/rules/insightreport/{report.pk}/change/"
    deadline = time.monotonic() + 30
    while report.status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        report.refresh_from_db()
    assert (report.status, report.progress, report.error) == ("done", 100, "")
    assert report.result["funnels"][0]["by_segment"]["all"]["reached"] == [6, 4, 1]


def test_build_again_queues_a_new_report_with_the_same_days_after_the_request(admin_client, report,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(f"/admin/rules/insightreport/{report.pk}/rebuild/")
    again = InsightReport.objects.exclude(pk=report.pk).get()
    assert response.url == f"/admin/rules/insightreport/{again.pk}/change/"
    assert again.status == "queued" and again.params == report.params and len(callbacks) == 1
    admin_client.get(f"/admin/rules/insightreport/{report.pk}/rebuild/")
    assert InsightReport.objects.count() == 2  # a GET builds nothing


def test_a_report_range_that_ends_before_it_starts_is_refused_saying_what_to_do(admin_client, site):
    response = admin_client.post("/admin/rules/insightreport/add/", {
        "site": site.pk, "since": "2024-02-01", "until": "2024-01-01", "segment": ""})
    assert "is after the end (2024-01-01): swap them." in response.content.decode()
    assert not InsightReport.objects.exists()


def test_a_funnel_with_a_badly_written_step_is_refused_naming_the_step(admin_client, site):
    response = admin_client.post("/admin/rules/funnel/add/", {
        "name": "Shop", "site": site.pk, "steps": json.dumps([{"label": "Product", "page_type": "product"},
                                                              {"label": "Cart"}])})
    assert "Step 2 (&#x27;Cart&#x27;) needs exactly one of page_type, path or event" in response.content.decode()
    assert not Funnel.objects.exists()
    admin_client.post("/admin/rules/funnel/add/", {"name": "Shop", "site": site.pk, "steps": json.dumps(SHOP)})
    assert "Product → Cart → Purchase" in admin_client.get("/admin/rules/funnel/").content.decode()


def test_findings_are_listed_read_only_and_filtered_by_kind(admin_client, site):
    Finding.objects.create(site=site, kind="stopped", key="scroll", day=YESTERDAY, value=0, baseline=40, score=-6,
                           description="No 'scroll' events arrived")
    Finding.objects.create(site=site, kind="spike", key="/news/a/", day=YESTERDAY, value=90, baseline=20, score=9,
                           description="/news/a/ had 90 page views")
    html = admin_client.get("/admin/rules/finding/?kind__exact=stopped").content.decode()
    assert "No &#x27;scroll&#x27; events arrived" in html and "/news/a/ had 90" not in html
    assert "/admin/rules/finding/add/" not in html
    assert admin_client.get("/admin/rules/finding/add/").status_code == 403
