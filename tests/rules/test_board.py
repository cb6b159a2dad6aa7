"""The rule performance board in admin: every rule's arms against its control group, filtered by dates and
segment, a rule's charts' data, CSV with or without privacy noise, and automation an editor can undo."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from rules.experiments import rule_experiments_update
from rules.models import Rule, RuleArm, RuleAutomation, RuleDay

from .factories import rule_make, variant_make

pytestmark = pytest.mark.django_db
EVERYONE = {"all": [{"field": "page_type", "op": "eq", "value": "home"}]}


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "x" * 12)
    client.force_login(user)
    return client


@pytest.fixture
def measured(site):
    rule = rule_make(site, EVERYONE, name="Welcome back", html="<p>A</p>", control_share=0.2, min_sample=100,
                     auto_pause=True)
    arm = RuleArm.objects.create(rule=rule, variant=variant_make(site, "<p>B</p>", name="Version B"))
    today = timezone.now().date()
    for arm_key, visitors, clicks in (("control", 400, 20), ("main", 800, 80), (arm.key, 800, 8)):
        RuleDay.objects.create(rule=rule, arm=arm_key, day=today - timedelta(days=1), impressions=visitors * 3,
                               visitors=visitors, clicks=clicks, conversions=clicks // 2, swap_ms=[0, 5, 3])
    return rule, arm


@pytest.mark.usefixtures("measured")
def test_the_board_shows_each_rules_lift_over_its_control_with_the_verdict(staff):
    page = staff.get("/admin/rules/rule/performance/").content.decode()
    assert "Welcome back" in page and "control (default content)" in page
    assert "Beats the control" in page and "Worse than the control" in page
    assert "Flicker: content swapped in by the page showed" in page


def test_a_rules_page_gives_its_charts_their_daily_series_and_its_swap_delays(staff, measured):
    rule, _ = measured
    answer = staff.get(f"/admin/rules/rule/{rule.pk}/performance/")
    assert answer.status_code == 200
    series = answer.context["series"]
    assert [a["name"] for a in series["arms"]] == ["control (default content)", str(rule.variant), "Version B"]
    yesterday = series["days"].index((timezone.now().date() - timedelta(days=1)).isoformat())
    assert series["arms"][1]["visitors"][yesterday] == 800 and series["arms"][1]["rate"][yesterday] == 0.1
    assert answer.context["flicker"].swaps == 24
    assert b'id="board-series"' in answer.content and b"chart.umd.min.js" in answer.content


@pytest.mark.usefixtures("measured")
def test_dates_outside_the_range_are_left_out_and_a_reversed_range_says_what_to_do(staff):
    long_ago = date(2020, 1, 1)
    answer = staff.get("/admin/rules/rule/performance/", {"since": long_ago, "until": long_ago + timedelta(days=3)})
    assert all(totals.visitors == 0 for totals in answer.context["results"][0].arms)
    answer = staff.get("/admin/rules/rule/performance/", {"since": "2026-03-02", "until": "2026-03-01"})
    assert "swap them" in answer.content.decode()


@pytest.mark.usefixtures("measured")
def test_the_csv_has_one_row_per_arm_and_with_noise_only_noisy_visitor_counts(staff, attune_settings):
    rows = staff.get("/admin/rules/rule/performance/", {"format": "csv"}).content.decode().splitlines()
    assert rows[0].startswith("rule,slot,arm,impressions") and len(rows) == 4
    assert rows[2].startswith("Welcome back,home_hero,") and ",800,80,40," in rows[2]
    attune_settings(AGGREGATE_EPSILON=1.0)
    noisy = staff.get("/admin/rules/rule/performance/", {"format": "csv", "noise": "1"}).content.decode()
    lines = noisy.splitlines()
    assert lines[0].startswith("# counts with Laplace noise, epsilon 1.0")
    assert lines[1] == "rule,slot,arm,visitors,clicks,conversions"
    assert all(int(value) >= 0 for line in lines[2:] for value in line.split(",")[3:])


def test_an_editor_undoes_an_automatic_pause_from_the_rules_page(staff, measured):
    rule, arm = measured
    rule_experiments_update(seed=3)
    arm.refresh_from_db()
    assert arm.paused
    page = staff.get(f"/admin/rules/rule/{rule.pk}/performance/").content.decode()
    assert "Undo: run it again" in page and "chance of beating the control" in page
    answer = staff.post(f"/admin/rules/rule/arms/{arm.pk}/resume/")
    assert answer.status_code == 302
    arm.refresh_from_db()
    assert not arm.paused and RuleAutomation.objects.get().undone_at is not None


def test_people_without_staff_rights_do_not_see_the_board(client, measured):
    assert client.get("/admin/rules/rule/performance/").status_code == 302
    assert client.post(f"/admin/rules/rule/arms/{measured[1].pk}/resume/").status_code == 302
    assert not Rule.objects.filter(arms__resumed_by_editor=True).exists()


def test_a_rule_named_like_a_formula_is_plain_text_in_the_csv(staff, site):
    rule_make(site, EVERYONE, name="=HYPERLINK(\"http://evil.example\")")
    rows = staff.get("/admin/rules/rule/performance/", {"format": "csv"}).content.decode().splitlines()
    assert rows[1].startswith('"\'=HYPERLINK(')


def test_a_rules_page_filters_by_a_segment_of_the_rules_own_site(staff, site):
    from personalization.services.sites import site_create
    from segments.models import Segment

    other = site_create(name="Another shop", origins=["https://another.example"]).site
    rule = rule_make(other, EVERYONE, name="Elsewhere")
    segment = Segment.objects.create(site=other, name="Loyal", slug="loyal", kind=Segment.Kind.RULE)
    answer = staff.get(f"/admin/rules/rule/{rule.pk}/performance/", {"segment": segment.pk})
    assert answer.status_code == 200 and answer.context["results"] is not None
