"""Findings on traffic stored through the real write path: a funnel step that suddenly loses visitors on a chosen day,
a traffic spike on one article, an event type switched off, clusters that drift between runs, pages peaking now for
the rule field page_peaking, and a report built end to end with its progress and funnel numbers."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from personalization.decisions import DecisionRequest, PageContext, decisions_for
from personalization.models import DropCounter, Event, Visitor
from rules.insight.build import insight_report_build
from rules.insight.findings import findings_detect
from rules.insight.peaking import peaking_paths, peaking_paths_refresh
from rules.models import Finding, Funnel, InsightReport
from segments.models import Cluster, ClusteringConfig, ClusteringRun, Membership, Segment

from .factories import profile_make, rule_make
from .insight_traffic import Traffic, at, days_back, today

pytestmark = pytest.mark.django_db
DAYS = 14
INJECTED = 10  # the day (index in the judged days) each test injects its change on
SHOP = [{"label": "Product", "page_type": "product"}, {"label": "Cart", "page_type": "cart"},
        {"label": "Checkout", "page_type": "checkout"}, {"label": "Purchase", "event": "purchase"}]


def shop_day(traffic: Traffic, day, *, to_checkout: float) -> None:
    """A day of shoppers: about 170 look at a product, 130 of them go on to the cart, `to_checkout` of those to the
    checkout and 70% of those buy."""
    for n in range(traffic.around(170)):
        start = at(day, 7 + n % 14, n % 60)
        steps = [("page", "product", f"/product/p{n % 12}/")]
        if n % 17 < 13:
            steps.append(("page", "cart", "/cart/"))
            if traffic.rng.random() < to_checkout:
                steps.append(("page", "checkout", "/checkout/"))
                if traffic.rng.random() < 0.7:
                    steps.append(("track", "purchase"))
        traffic.visit(start, *steps)


def test_a_checkout_step_losing_visitors_on_one_day_is_found_with_that_day_and_step(site):
    Funnel.objects.create(site=site, name="Shop", steps=SHOP)
    traffic, days = Traffic(site), days_back(DAYS)
    for index, day in enumerate(days):
        shop_day(traffic, day, to_checkout=0.25 if index == INJECTED else 0.6)
    traffic.store()
    findings = [f for f in findings_detect(site_id=site.pk, days=DAYS) if f.kind == Finding.Kind.DROPOFF]
    assert [(f.key, f.day) for f in findings] == [("Shop: Cart → Checkout", days[INJECTED])]
    assert findings[0].value == pytest.approx(0.25, abs=0.1) and findings[0].baseline == pytest.approx(0.6, abs=0.05)
    assert f"reached 'Cart' on {days[INJECTED]}" in findings[0].description
    assert "went on to 'Checkout'" in findings[0].description


def news_day(traffic: Traffic, day, views: dict[str, float]) -> None:
    """Readers of a few articles; half of them scroll to 75%."""
    for path, mean in views.items():
        for n in range(traffic.around(mean)):
            steps = [("page", "article", path)]
            if n % 2:
                steps.append(("scroll", 75))
            traffic.visit(at(day, 6 + n % 16, n % 60), *steps)


ARTICLES = {"/news/tech/a/": 30, "/news/tech/b/": 30, "/news/world/c/": 30, "/news/world/d/": 30}


def test_a_traffic_spike_on_one_article_is_found_as_a_peak_on_that_day(site):
    traffic, days = Traffic(site), days_back(DAYS)
    for index, day in enumerate(days):
        news_day(traffic, day, {**ARTICLES, "/news/tech/b/": 180} if index == INJECTED else ARTICLES)
    traffic.store()
    found = findings_detect(site_id=site.pk, days=DAYS)
    peaks = sorted((f.key, f.day) for f in found if f.kind == Finding.Kind.SPIKE)
    assert peaks == [("/news/tech/b/", days[INJECTED]), ("deep reads: /news/tech/b/", days[INJECTED])]
    views = Finding.objects.get(key="/news/tech/b/")
    assert views.value == pytest.approx(180, rel=0.25) and views.baseline == pytest.approx(30, rel=0.3)
    assert f"on {days[INJECTED]}" in views.description
    assert not [f for f in found if f.kind != Finding.Kind.SPIKE]


def test_an_event_type_switched_off_is_found_as_broken_tracking_on_its_first_silent_day(site):
    traffic, days = Traffic(site), days_back(DAYS)
    for index, day in enumerate(days):
        for n in range(traffic.around(40)):
            steps = [("page", "product", f"/product/p{n % 5}/")]
            if index < INJECTED:  # from the injected day on, the tracker stops sending scroll events
                steps.append(("scroll", 50))
            if n % 2:
                steps.append(("track", "add_to_cart"))
            traffic.visit(at(day, 6 + n % 16, n % 60), *steps)
    traffic.store()
    stopped = [f for f in findings_detect(site_id=site.pk, days=DAYS) if f.kind == Finding.Kind.STOPPED]
    assert [(f.key, f.day) for f in stopped] == [("scroll", days[INJECTED])]
    assert "No 'scroll' events arrived" in stopped[0].description and "check its tracking" in stopped[0].description


def test_a_rise_in_one_refusal_reason_is_found_with_the_reason(site):
    days = days_back(DAYS)
    for index, day in enumerate(days):
        DropCounter.objects.create(site=site, site_key=site.public_key, reason="invalid", day=day,
                                   count=150 if index == INJECTED else 5 + index % 3)
    found = [f for f in findings_detect(site_id=site.pk, days=DAYS) if f.kind == Finding.Kind.REFUSALS]
    assert [(f.key, f.day) for f in found] == [("Invalid", days[INJECTED])]
    assert "refused as 'Invalid'" in found[0].description and "failed events" in found[0].description


def test_detecting_again_updates_findings_rather_than_repeating_them(site):
    days = days_back(DAYS)
    for index, day in enumerate(days):
        DropCounter.objects.create(site=site, site_key=site.public_key, reason="bot", day=day,
                                   count=300 if index == INJECTED else 10)
    findings_detect(site_id=site.pk, days=DAYS)
    findings_detect(site_id=site.pk, days=DAYS)
    assert Finding.objects.filter(site=site).count() == 1


def finished_run(config: ClusteringConfig, centroids: list, sizes: list, names: list[str]) -> ClusteringRun:
    run = ClusteringRun.objects.create(config=config, status=ClusteringRun.Status.DONE, k=len(sizes),
                                       feature_names=["sessions", "purchases"], centroids=centroids,
                                       finished_at=datetime.now(UTC))
    for index, (size, name) in enumerate(zip(sizes, names, strict=True)):
        segment, _ = Segment.objects.get_or_create(site=config.site, slug=name.lower(),
                                                   defaults={"name": name, "kind": Segment.Kind.CLUSTER})
        Cluster.objects.create(run=run, index=index, size=size, segment=segment)
    return run


def test_clusters_that_move_far_between_two_runs_are_found_as_drift_naming_the_segment(site):
    config = ClusteringConfig.objects.create(site=site, name="Visitors")
    old = finished_run(config, [[0, 0], [3, 0], [0, 3]], [100, 100, 100], ["Readers", "Shoppers", "Browsers"])
    new = finished_run(config, [[3, 0.1], [0, 4.5], [0.05, 0]], [100, 100, 100], ["Shoppers", "Browsers", "Readers"])
    drift = [f for f in findings_detect(site_id=site.pk, days=DAYS) if f.kind == Finding.Kind.DRIFT]
    assert [(f.key, f.day) for f in drift] == [("Visitors", today())]
    assert drift[0].description == (f"Visitors, run {old.pk} to run {new.pk}: Browsers moved 50% of the way towards "
                                    "its nearest neighbouring cluster.")


def test_clusters_that_stay_put_between_runs_are_no_finding(site):
    config = ClusteringConfig.objects.create(site=site, name="Visitors")
    finished_run(config, [[0, 0], [3, 0]], [100, 100], ["Readers", "Shoppers"])
    finished_run(config, [[3.02, 0], [0, 0.01]], [99, 101], ["Shoppers", "Readers"])
    assert not findings_detect(site_id=site.pk, days=DAYS)


# --- Pages peaking now, and the rule field page_peaking ---

def hourly_reads(traffic: Traffic, now: datetime, views: dict[str, int], *, hours: int = 7 * 24) -> None:
    """`views` page views an hour on each page over the past week, the last hour included."""
    for back in range(hours, 0, -1):
        hour_start = int((now - timedelta(hours=back)).timestamp() * 1000)
        for path, count in views.items():
            for n in range(count):
                traffic.visit(hour_start + 60_000 * (n * 7 % 60), ("page", "article", path))


@pytest.fixture
def peaking_site(site):
    """Two articles read 3 times an hour all week; in the last hour one of them 40 times."""
    now = datetime.now(UTC)
    traffic = Traffic(site)
    hourly_reads(traffic, now, {"/news/hot/": 3, "/news/quiet/": 3})
    for n in range(40):
        traffic.visit(int((now - timedelta(minutes=55)).timestamp() * 1000) + n * 1000, ("page", "article", "/news/hot/"))
    traffic.store()
    return site, now


def test_a_page_whose_views_spike_in_the_last_hour_is_peaking_and_listed_as_a_finding(peaking_site):
    site, now = peaking_site
    assert peaking_paths(site_id=site.pk) == frozenset()  # nothing computed yet: nothing peaks, nothing is queried
    assert peaking_paths_refresh(site_id=site.pk, now=now) == {"/news/hot/"}
    assert peaking_paths(site_id=site.pk) == {"/news/hot/"}
    finding = Finding.objects.get(site=site, kind=Finding.Kind.SPIKE)
    assert (finding.key, finding.day, finding.hour) == ("/news/hot/", now.date(), now.hour)
    assert "/news/hot/ is peaking: 4" in finding.description and "against a usual 3 an hour" in finding.description


def shown(site, visitor: str, profile, path: str) -> dict[str, str]:
    page = PageContext(path=path, page_type="article")
    return {slot: decision.html for slot, decision in
            decisions_for(DecisionRequest(site.pk, ("related",), page, visitor, lambda: profile)).items()}


def test_a_rule_on_page_peaking_shows_related_articles_on_the_peaking_page_only(peaking_site):
    site, now = peaking_site
    profile = profile_make(site)
    rule_make(site, {"all": [{"field": "page_peaking", "op": "eq", "value": True}]}, slot="related",
              html="<p>Related articles</p>")
    assert shown(site, profile.origin_visitor_id, profile, "/news/hot/") == {}  # not computed yet
    peaking_paths_refresh(site_id=site.pk, now=now)
    assert shown(site, profile.origin_visitor_id, profile, "/news/hot/") == {"related": "<p>Related articles</p>"}
    assert shown(site, profile.origin_visitor_id, profile, "/news/quiet/") == {}


def test_deciding_a_page_never_counts_page_views(site):
    profile = profile_make(site)
    rule_make(site, {"all": [{"field": "page_peaking", "op": "eq", "value": True}]}, slot="related")
    with CaptureQueriesContext(connection) as queries:
        assert shown(site, profile.origin_visitor_id, profile, "/news/hot/") == {}
    assert not [query for query in queries.captured_queries if Event._meta.db_table in query["sql"]]


def test_rules_that_do_not_test_page_peaking_do_not_read_it(site, monkeypatch):
    profile = profile_make(site)
    rule_make(site, {"all": [{"field": "page_type", "op": "eq", "value": "article"}]}, slot="related", html="<p>x</p>")

    def unexpected(**_):
        raise AssertionError("the peaking pages were read for rules that do not need them")

    monkeypatch.setattr("rules.insight.peaking.peaking_paths", unexpected)
    assert shown(site, profile.origin_visitor_id, profile, "/news/hot/") == {"related": "<p>x</p>"}


# --- A report built end to end ---

def test_a_report_is_built_to_the_end_with_funnels_per_segment_paths_cohorts_and_engagement(site):
    Funnel.objects.create(site=site, name="Shop", steps=SHOP)
    day = today() - timedelta(days=1)
    traffic = Traffic(site)
    buyer = traffic.visit(at(day, 9), ("page", "home", "/"), ("page", "product", "/product/lamp/"),
                          ("page", "cart", "/cart/"), ("page", "checkout", "/checkout/"), ("track", "purchase"))
    traffic.visit(at(day, 10), ("page", "product", "/product/lamp/"), ("page", "cart", "/cart/"))
    traffic.visit(at(day, 11), ("page", "product", "/product/desk/"))
    traffic.visit(at(day, 12), ("page", "article", "/news/tech/a/"), ("scroll", 75), ("scroll", 100))
    traffic.store()
    loyal = Segment.objects.create(site=site, name="Loyal", slug="loyal", kind=Segment.Kind.RULE)
    Membership.objects.create(segment=loyal, profile=Visitor.objects.get(visitor_id=buyer).profile)
    report = InsightReport.objects.create(site=site, params={"since": str(day - timedelta(days=6)), "until": str(day)})
    report = insight_report_build(report_id=report.pk)
    assert (report.status, report.progress, report.stage, report.error) == ("done", 100, "done", "")
    result = report.result
    assert result["totals"] == {"visitors": 4, "sessions": 4, "page_views": 8}
    shop = result["funnels"][0]
    assert shop["steps"] == ["Product", "Cart", "Checkout", "Purchase"]
    assert shop["by_segment"]["all"] == {"reached": [3, 2, 1, 1], "dropoff": [pytest.approx(1 / 3), 0.5, 0.0, None]}
    assert shop["by_segment"]["loyal"]["reached"] == [1, 1, 1, 1]
    assert sorted((row["path"], row["sessions"]) for row in result["top_paths"]["page_types"]) == [
        ("article", 1), ("home → product → cart → checkout", 1), ("product", 1), ("product → cart", 1)]
    transitions = result["transitions"]
    assert transitions["counts"][transitions["rows"].index("product")][transitions["columns"].index("cart")] == 2
    assert result["cohorts"]["sizes"] == [4]
    assert result["engagement"]["scroll"]["counts"][-1] == 1  # the article, read to the end
    assert {row["path"]: row["exits"] for row in result["engagement"]["exits"]} == {
        "/checkout/": 1, "/cart/": 1, "/product/desk/": 1, "/news/tech/a/": 1}


def test_a_report_of_a_segment_the_site_does_not_have_fails_saying_what_to_do(site):
    report = InsightReport.objects.create(site=site, params={"since": "2024-01-01", "until": "2024-01-31",
                                                             "segment": "nope"})
    report = insight_report_build(report_id=report.pk)
    assert report.status == "failed" and "no segment 'nope'" in report.error


# --- The scheduled jobs ---

def test_the_scheduled_jobs_are_registered_under_the_names_beat_uses_and_judge_each_day_once(site, settings):
    from config.celery import app

    app.loader.import_default_modules()
    for name in ("detect-insight-findings", "refresh-peaking-pages"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks, name
    days = days_back(DAYS)
    for index, day in enumerate(days):
        DropCounter.objects.create(site=site, site_key=site.public_key, reason="invalid", day=day,
                                   count=150 if index == INJECTED else 6)
    findings = app.tasks["rules.tasks_insight.insight_findings_detect"]
    assert findings.apply().get() == 1
    assert findings.apply().get() == 0  # the day is judged already: only the clusterings are compared again
    assert app.tasks["rules.tasks_insight.insight_peaking_refresh"].apply().get() == 0


def test_a_site_whose_traffic_starts_within_the_window_has_no_peaks_against_the_empty_days_before(site):
    traffic, days = Traffic(site), days_back(DAYS)
    for day in days[5:]:  # the site went live five days into the window
        news_day(traffic, day, ARTICLES)
    traffic.store()
    assert [f for f in findings_detect(site_id=site.pk, days=DAYS) if f.kind == Finding.Kind.SPIKE] == []
