"""The issue's checks run through the whole product on simulated traffic: collector, counting job, experiment
update and results. Where one arm truly converts better the bandit moves most traffic to it, and a fixed split finds
the true lift with the right sign inside its interval."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demo.simulator.experiment_traffic import experiment_simulate
from rules.experiments import rule_results
from rules.models import Rule, RuleArm

from ..rules.factories import rule_make, variant_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode"), pytest.mark.slow]
EVERYONE = {"all": [{"field": "page_type", "op": "eq", "value": "home"}]}


def test_the_bandit_sends_most_traffic_to_the_arm_that_truly_converts_better(site):
    rule = rule_make(site, EVERYONE, html="<p>A</p>", control_share=0.1, split=Rule.Split.BANDIT)
    better = RuleArm.objects.create(rule=rule, variant=variant_make(site, "<p>B</p>"))
    rates = {"control": 0.04, "main": 0.04, better.key: 0.12}
    shown = experiment_simulate(rule=rule, true_rates=rates, days=8, visitors_per_day=250, seed=5,
                                end=timezone.now() - timedelta(hours=1)).shown
    last_days = {key: sum(days[-3:]) for key, days in shown.items()}
    assert last_days[better.key] > 0.7 * sum(last_days.values())
    assert 0.06 < last_days["control"] / sum(last_days.values()) < 0.14  # the control keeps its share
    rule.refresh_from_db()
    assert rule.allocation[better.key] > 0.8
    result = rule_results(rule).result
    assert result.arms[2].lift > 0 and result.arms[2].rate > result.arms[1].rate  # the better arm shows as better


def test_a_fixed_split_finds_the_true_lift_with_the_right_sign_inside_its_interval(site):
    rule = rule_make(site, EVERYONE, html="<p>A</p>", control_share=0.5, min_sample=500)
    shown = experiment_simulate(rule=rule, true_rates={"control": 0.10, "main": 0.15}, days=6, visitors_per_day=500,
                                seed=11, end=timezone.now() - timedelta(hours=1)).shown
    assert sum(map(sum, shown.values())) == 3000
    main = rule_results(rule).result.arms[1]
    assert main.lift > 0 and main.lift_low <= 0.5 <= main.lift_high  # the true lift: 0.15 / 0.10 - 1
    assert main.decision == "winner"
    assert not rule_results(rule).result.srm_flagged
