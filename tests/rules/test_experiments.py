"""A rule's arms judged against its control group: results with intervals, the sample-ratio check, a bandit moving
traffic to the better arm, and a clearly losing variant paused by automation until an editor says otherwise."""

from datetime import date

import pytest

from rules.compiled import site_rules
from rules.experiments import rule_experiments_update, rule_planned_shares, rule_results
from rules.models import Rule, RuleArm, RuleAutomation, RuleDay
from rules.services import rule_arm_resume

from .factories import rule_make, variant_make

pytestmark = pytest.mark.django_db
EVERYONE = {"all": [{"field": "page_type", "op": "eq", "value": "home"}]}
DAY = date(2026, 11, 2)


def counted(rule, arm: str, visitors: int, clicks: int, conversions: int = 0) -> None:
    RuleDay.objects.create(rule=rule, arm=arm, day=DAY, impressions=visitors * 2, visitors=visitors, clicks=clicks,
                           conversions=conversions)


@pytest.fixture
def experiment(site):
    rule = rule_make(site, EVERYONE, html="<p>A</p>", control_share=0.2, min_sample=500)
    arm = RuleArm.objects.create(rule=rule, variant=variant_make(site, "<p>B</p>", name="Version B"))
    return rule, arm


def test_results_compare_each_arm_with_the_control_and_call_a_clear_winner(experiment):
    rule, arm = experiment
    counted(rule, "control", 2000, 100)
    counted(rule, "main", 4000, 320)
    counted(rule, arm.key, 4000, 196)
    results = rule_results(rule)
    control, main, other = results.result.arms
    assert (control.name, control.visitors, control.conversions) == ("control (default content)", 2000, 100)
    assert main.decision == "winner" and main.lift_low > 0
    assert other.decision == "inconclusive" and other.lift_low < 0 < other.lift_high
    assert results.planned == pytest.approx({"control": 0.2, "main": 0.4, arm.key: 0.4})
    assert not results.result.srm_flagged


def test_a_split_that_strays_from_the_plan_is_not_trusted(experiment):
    rule, arm = experiment
    counted(rule, "control", 2000, 100)
    counted(rule, "main", 4000, 320)
    counted(rule, arm.key, 3000, 150)
    results = rule_results(rule)
    assert results.result.srm_flagged
    assert {a.decision for a in results.result.arms[1:]} == {"sample_ratio_mismatch"}


def test_no_lift_is_called_below_the_minimum_sample_and_the_interval_is_still_shown(experiment):
    rule, arm = experiment
    counted(rule, "control", 100, 2)
    counted(rule, "main", 200, 30)
    counted(rule, arm.key, 200, 5)
    main = rule_results(rule).result.arms[1]
    assert main.decision == "collecting" and "500" in main.reason
    assert main.lift_low is not None and main.lift_low < main.lift < main.lift_high


def test_a_rule_judged_on_conversions_reads_conversions(experiment):
    rule, _ = experiment
    Rule.objects.filter(pk=rule.pk).update(metric=Rule.Metric.CONVERSION)
    rule.refresh_from_db()
    counted(rule, "control", 1000, 900, conversions=10)
    assert rule_results(rule).result.arms[0].conversions == 10


def test_automation_pauses_a_clearly_losing_variant_and_an_editor_can_undo_it(experiment):
    rule, arm = experiment
    Rule.objects.filter(pk=rule.pk).update(auto_pause=True)
    counted(rule, "control", 2000, 200)
    counted(rule, "main", 4000, 400)
    counted(rule, arm.key, 4000, 200)
    rule_experiments_update(seed=1)
    arm.refresh_from_db()
    assert arm.paused and "chance of beating the control" in arm.paused_reason
    automation = RuleAutomation.objects.get(arm=arm)
    assert automation.undone_at is None
    assert [a.key for a in site_rules(rule.site_id).by_slot["home_hero"][0].arms] == ["main"]
    rule_arm_resume(arm=arm)
    rule_experiments_update(seed=1)
    arm.refresh_from_db()
    automation.refresh_from_db()
    assert not arm.paused and arm.resumed_by_editor and automation.undone_at is not None
    assert RuleAutomation.objects.count() == 1


def test_a_bandit_moves_traffic_to_the_better_arm_and_keeps_the_control_share(experiment):
    rule, arm = experiment
    Rule.objects.filter(pk=rule.pk).update(split=Rule.Split.BANDIT)
    counted(rule, "control", 500, 25)
    counted(rule, "main", 1000, 50)
    counted(rule, arm.key, 1000, 90)
    rule_experiments_update(seed=7)
    rule.refresh_from_db()
    assert rule.allocation["control"] == pytest.approx(0.2)
    assert rule.allocation[arm.key] > 0.7
    shares = rule_planned_shares(rule)
    assert shares[arm.key] == pytest.approx(rule.allocation[arm.key])
    today = RuleDay.objects.exclude(day=DAY).get(rule=rule, arm=arm.key)
    assert today.share == pytest.approx(shares[arm.key])
    compiled = site_rules(rule.site_id).by_slot["home_hero"][0]
    seen = [compiled.arm_for(f"visitor-{n:04d}") for n in range(2000)]
    assert sum(a is not None and a.key == arm.key for a in seen) > 0.6 * 2000


def test_a_split_changed_within_the_range_is_no_sample_ratio_mismatch(experiment):
    rule, arm = experiment
    for day, shares, visitors in ((date(2026, 11, 2), (0.2, 0.4, 0.4), (400, 800, 800)),
                                  (date(2026, 11, 3), (0.2, 0.7, 0.1), (400, 1400, 200))):
        for key, share, count in zip(("control", "main", arm.key), shares, visitors, strict=True):
            RuleDay.objects.create(rule=rule, arm=key, day=day, visitors=count, clicks=count // 10, share=share)
    assert not rule_results(rule).result.srm_flagged  # 800 / 2200 / 1000 is what the two days planned
    RuleDay.objects.filter(rule=rule, day=date(2026, 11, 3), arm="main").update(visitors=900)
    assert rule_results(rule).result.srm_flagged  # 500 visitors of the main arm went missing


def test_automation_judges_a_variant_once_a_day(experiment):
    rule, arm = experiment
    Rule.objects.filter(pk=rule.pk).update(auto_pause=True)
    counted(rule, "control", 2000, 200)
    counted(rule, "main", 4000, 400)
    counted(rule, arm.key, 4000, 390)
    rule_experiments_update(seed=1, today=date(2026, 11, 20))
    RuleDay.objects.filter(rule=rule, arm=arm.key, day=DAY).update(clicks=200)  # now clearly losing
    rule_experiments_update(seed=1, today=date(2026, 11, 20))
    arm.refresh_from_db()
    assert not arm.paused  # judged already today
    rule_experiments_update(seed=1, today=date(2026, 11, 21))
    arm.refresh_from_db()
    assert arm.paused
