"""Assignment of visitors to arms: the hashed split, Thompson sampling and the pause rule. No database."""

import numpy as np
import pytest

from rules.bandits import (
    allocation,
    assign_fixed,
    bucket,
    pause_decision,
    simulate_thompson,
    thompson_choose,
)
from rules.statistics import Arm

IDS = [f"visitor-{n}" for n in range(100_000)]


def test_a_visitors_bucket_never_changes_between_releases():
    # Pinned: a changed hash would silently move every running experiment's visitors to other arms.
    assert bucket(visitor_id="visitor-1", salt="homepage-hero") == pytest.approx(0.0867945396777481, abs=1e-15)
    assert all(0 <= bucket(visitor_id=visitor, salt="s") < 1 for visitor in IDS[:1000])


def test_a_fixed_split_of_100000_visitors_matches_the_plan():
    arms = [assign_fixed(visitor_id=visitor, salt="exp-1", weights=[1, 1, 2]) for visitor in IDS]
    shares = {arm: arms.count(arm) / len(arms) for arm in (None, 0, 1, 2)}
    # Planned: 10% control, then 90% split 1:1:2. The binomial standard error is under 0.0016 for each share.
    assert shares == pytest.approx({None: 0.10, 0: 0.225, 1: 0.225, 2: 0.45}, abs=0.006), shares


def test_the_control_share_is_configurable_and_can_be_zero():
    arms = [
        assign_fixed(visitor_id=visitor, salt="exp-2", weights=[1, 1], control_share=0.3) for visitor in IDS[:20_000]
    ]
    assert arms.count(None) / len(arms) == pytest.approx(0.3, abs=0.015)
    assert None not in {assign_fixed(visitor_id=v, salt="exp-2", weights=[1], control_share=0) for v in IDS[:2000]}


def test_the_same_visitor_always_gets_the_same_arm():
    first = [assign_fixed(visitor_id=visitor, salt="exp-3", weights=[1, 1]) for visitor in IDS[:5000]]
    again = [assign_fixed(visitor_id=visitor, salt="exp-3", weights=[1, 1]) for visitor in IDS[:5000]]
    assert first == again


def test_another_salt_reshuffles_visitors_independently():
    one = [assign_fixed(visitor_id=v, salt="exp-a", weights=[1, 1], control_share=0) for v in IDS[:20_000]]
    two = [assign_fixed(visitor_id=v, salt="exp-b", weights=[1, 1], control_share=0) for v in IDS[:20_000]]
    kept = sum(a == b for a, b in zip(one, two, strict=True)) / len(one)
    assert kept == pytest.approx(0.5, abs=0.02)  # independent 50/50 splits agree half the time


def test_a_variant_weighted_zero_gets_nobody():
    arms = {assign_fixed(visitor_id=v, salt="exp-4", weights=[0, 1, 1]) for v in IDS[:5000]}
    assert arms == {None, 1, 2}


def test_a_split_without_weights_is_refused_with_advice():
    with pytest.raises(ValueError, match="at least one above 0"):
        assign_fixed(visitor_id="v", salt="s", weights=[0, 0])


def test_thompson_choose_prefers_the_arm_with_clearly_better_results():
    rng = np.random.default_rng(1)
    arms = [Arm(visitors=2000, conversions=100), Arm(visitors=2000, conversions=160)]
    picks = [thompson_choose(arms=arms, rng=rng) for _ in range(2000)]
    assert picks.count(1) / len(picks) > 0.95


def test_allocation_keeps_the_control_share_and_favours_the_better_variant():
    variants = [Arm(visitors=1000, conversions=50), Arm(visitors=1000, conversions=70)]
    shares = allocation(variants=variants, rng=np.random.default_rng(3), control_share=0.2)
    assert shares[0] == 0.2
    assert sum(shares) == pytest.approx(1.0)
    assert shares[2] > 0.6 > shares[1]


def test_thompson_sends_most_traffic_to_the_variant_that_truly_converts_better():
    run = simulate_thompson(true_rates=[0.05, 0.07], visitors=20_000, rng=np.random.default_rng(11))
    assert run.shares[1] > 0.7, f"the better variant got {run.shares[1]:.1%} of the traffic"


def test_thompson_stays_roughly_balanced_when_the_variants_do_not_differ():
    runs = [
        simulate_thompson(true_rates=[0.05, 0.05], visitors=20_000, rng=np.random.default_rng(100 + i))
        for i in range(20)
    ]
    first_share = np.mean([run.shares[0] for run in runs])
    leader = np.median([max(run.shares) for run in runs])
    # With no difference the bandit drifts in single runs but favours neither arm on average, and its typical leader
    # holds far less than the better arm does when there is a real difference.
    assert 0.35 < first_share < 0.65, f"first arm's mean share {first_share:.2f}"
    assert leader < 0.85, f"median leading share {leader:.2f}"


def test_a_clearly_losing_variant_is_paused_with_a_reason():
    said = pause_decision(
        control=Arm(visitors=5000, conversions=300), variant=Arm(visitors=5000, conversions=200), min_sample=3000
    )
    assert said.pause
    assert said.p_beat_control < 0.01
    assert said.reason.startswith("Paused: clearly losing") and "4.00%" in said.reason and "6.00%" in said.reason


def test_a_losing_variant_is_not_paused_before_the_minimum_sample():
    said = pause_decision(
        control=Arm(visitors=800, conversions=60), variant=Arm(visitors=800, conversions=30), min_sample=3000
    )
    assert not said.pause
    assert "800 of 3000" in said.reason


def test_a_variant_that_may_still_win_keeps_running():
    said = pause_decision(
        control=Arm(visitors=5000, conversions=300), variant=Arm(visitors=5000, conversions=285), min_sample=3000
    )
    assert not said.pause
    assert said.reason.startswith("Keep running")
