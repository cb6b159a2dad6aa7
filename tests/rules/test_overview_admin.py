"""The dashboards in admin: analysts see the overview and segment sizes with their charts, filter them, are told
what is wrong with a range, and download the per-day table as CSV, exact or with privacy noise."""

import csv
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from personalization.models import Visitor
from personalization.services.sites import site_create
from segments.models import Segment
from segments.services.memberships import memberships_apply

from ..conftest import ORIGIN
from .factories import profile_make
from .overview_factories import day_ago, visit

pytestmark = pytest.mark.django_db
OVERVIEW = "/admin/rules/overview/"
SEGMENTS = "/admin/rules/overview/segments/"


def staff(client, role: str | None = "Analyst"):
    user = get_user_model().objects.create_user(f"staff-{role}".lower().replace(" ", "-"), password="x" * 12,
                                                is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


@pytest.fixture
def analyst(client):
    return staff(client)


@pytest.fixture
def visits(site):
    """Ten visitors on each of the last three days, four of them buying."""
    for days in (1, 2, 3):
        for n in range(10):
            visit(site, f"visitor-{days}-{n}", day_ago(days), revenue=20 if n < 4 else None)
    return site


def chart_data(page: str) -> dict:
    found = re.search(r'<script id="overview-chart-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the page carries no chart data"
    return json.loads(found.group(1))


def query(site, since: int = 3, until: int = 1, **extra) -> dict:
    return {"site": site.pk, "since": day_ago(since).isoformat(), "until": day_ago(until).isoformat(), **extra}


def csv_rows(response) -> tuple[str, list[list[str]]]:
    assert response["Content-Type"].startswith("text/csv")
    first, rest = response.content.decode().split("\n", 1)
    return first, list(csv.reader(io.StringIO(rest)))


def test_an_analyst_sees_the_overview_with_its_charts_and_totals(analyst, visits):
    response = analyst.get(OVERVIEW, query(visits))
    assert response.status_code == 200
    page = response.content.decode()
    data = chart_data(page)
    assert data["days"] == [day_ago(n).isoformat() for n in (3, 2, 1)]
    assert (data["visitors"], data["conversions"], data["revenue"]) == ([10, 10, 10], [4, 4, 4], [80.0, 80.0, 80.0])
    assert [line["label"] for line in data["consent"]] == ["Necessary", "Analytics", "Personalization", "Marketing"]
    assert 'id="chart-visitors"' in page and "segments/vendor/chart.umd.min.js" in page and "rules/overview.js" in page
    assert '<span class="figure">30</span> visitors' in page


def test_the_overview_shows_the_last_30_days_of_the_only_site_when_nothing_is_chosen(analyst, visits):
    data = chart_data(analyst.get(OVERVIEW).content.decode())
    assert len(data["days"]) == 30 and data["days"][-1] == day_ago(0).isoformat()
    assert sum(data["visitors"]) == 30


def test_choosing_a_segment_narrows_the_charts_to_its_members(analyst, visits):
    chosen = Segment.objects.create(site=visits, name="Chosen", slug="chosen", kind=Segment.Kind.RULE)
    profile = Visitor.objects.get(site=visits, visitor_id="visitor-2-0").profile_id
    memberships_apply(wanted={profile: {chosen.pk}}, segment_ids={chosen.pk}, reason="test")
    data = chart_data(analyst.get(OVERVIEW, query(visits, segment="chosen")).content.decode())
    assert (data["visitors"], data["conversions"]) == ([0, 1, 0], [0, 1, 0])


def test_a_segment_of_another_site_is_refused_with_a_clear_message(analyst, visits):
    other = site_create(name="Other shop", origins=[ORIGIN]).site
    Segment.objects.create(site=other, name="Elsewhere", slug="elsewhere", kind=Segment.Kind.RULE)
    page = analyst.get(OVERVIEW, query(visits, segment="elsewhere")).content.decode()
    assert "is a segment of another site: pick one of" in page and "overview-chart-data" not in page


@pytest.mark.parametrize(("since", "until", "message"), [
    (1, 3, "is after the end"),
    (400, 1, "Pick at most 366 days; this range has 400."),
])
def test_a_backwards_or_too_long_range_is_refused_with_a_clear_message(analyst, site, since, until, message):
    response = analyst.get(OVERVIEW, query(site, since, until))
    page = response.content.decode()
    assert response.status_code == 200 and message in page and "overview-chart-data" not in page


def test_the_csv_has_one_row_per_day_with_the_pages_figures(analyst, visits):
    first, rows = csv_rows(analyst.get(OVERVIEW, query(visits, format="csv")))
    assert first.startswith("# Site overview of Shop") and first.endswith("exact counts")
    header, body = rows[0], rows[1:]
    assert header[:5] == ["day", "visitors", "new visitors", "returning visitors", "sessions"]
    assert header[-4:] == ["granted Necessary %", "granted Analytics %", "granted Personalization %",
                           "granted Marketing %"]
    assert [row[0] for row in body] == [day_ago(n).isoformat() for n in (3, 2, 1)]
    assert [[*row[1:5], row[7], row[8]] for row in body] == [["10", "10", "0", "10", "4", "80.00"]] * 3


def test_the_csv_with_privacy_noise_changes_the_counts_but_keeps_them_whole_and_not_negative(
        analyst, visits, attune_settings):
    attune_settings(AGGREGATE_EPSILON=0.05)
    _, exact = csv_rows(analyst.get(OVERVIEW, query(visits, format="csv")))
    first, noisy = csv_rows(analyst.get(OVERVIEW, query(visits, format="csv", noise="on")))
    assert "epsilon = 0.05 per day" in first
    counts = [[row[i] for i in (1, 2, 4, 7, 9)] for row in noisy[1:]]
    assert all(cell.isdigit() for row in counts for cell in row)  # whole and not negative
    assert counts != [[row[i] for i in (1, 2, 4, 7, 9)] for row in exact[1:]]
    assert [row[0] for row in noisy[1:]] == [row[0] for row in exact[1:]]


def test_the_segment_page_draws_each_segments_size_per_day(analyst, site):
    readers = Segment.objects.create(site=site, name="Readers", slug="readers", kind=Segment.Kind.RULE)
    memberships_apply(wanted={profile_make(site).pk: {readers.pk}}, segment_ids={readers.pk}, reason="test")
    response = analyst.get(SEGMENTS, query(site, 2, 0))
    assert response.status_code == 200
    data = chart_data(response.content.decode())
    assert data["segments"] == [{"label": "Readers", "sizes": [0, 0, 1]}]
    first, rows = csv_rows(analyst.get(SEGMENTS, query(site, 2, 0, format="csv")))
    assert "exact sizes" in first and rows == [["day", "Readers"], [day_ago(2).isoformat(), "0"],
                                               [day_ago(1).isoformat(), "0"], [day_ago(0).isoformat(), "1"]]


@pytest.mark.parametrize("page", [OVERVIEW, SEGMENTS])
def test_anonymous_visitors_are_sent_to_log_in(client, site, page):
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("page", [OVERVIEW, SEGMENTS])
def test_staff_who_may_not_view_rules_are_refused(client, site, page):
    assert staff(client, role=None).get(page).status_code == 403


def test_a_segment_name_that_looks_like_a_formula_stays_text_in_the_csv(analyst, site):
    Segment.objects.create(site=site, name="=HYPERLINK(1)", slug="tricky", kind=Segment.Kind.RULE)
    _, rows = csv_rows(analyst.get(SEGMENTS, query(site, 2, 0, format="csv")))
    assert rows[0] == ["day", "'=HYPERLINK(1)"]
