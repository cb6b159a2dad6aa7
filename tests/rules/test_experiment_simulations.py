"""The experiment machinery on simulated traffic: a bandit facing a truly better variant, A/B tests with a known lift,
A/A tests with none, and assignment counts with and without a share of one arm lost. The real functions throughout
(rules.simulation_checks only drives them), numpy Generators with fixed seeds, no mocks, no database.
`pytest -s` prints the measured figures; bench/experiment_checks.py prints the same ones as JSON."""

import numpy as np
import pytest
from scipy import stats

from rules.bandits import CONTROL_SHARE
from rules.simulation_checks import aa_decisions, bandit_run, fixed_split_arms, lift_coverage, srm_flag_rate
from rules.statistics import (
    SRM_P_VALUE,
    Arm,
    experiment_result,
    lift_interval,
    min_sample_per_arm,
    sample_ratio_mismatch,
)

EXPERIMENTS = 2000
NOMINAL = 0.05  # the verdict's 95% lift interval excludes zero: two-sided 5%
CONTROL_RATE, VARIANT_RATE = 0.10, 0.12
TRUE_LIFT = VARIANT_RATE / CONTROL_RATE - 1  # +20%
MIN_SAMPLE = min_sample_per_arm(baseline_rate=CONTROL_RATE, min_relative_lift=TRUE_LIFT)  # 3,841 per arm
VISITOR_IDS = [f"v{i}" for i in range(40_000)]


def band(share: float, trials: int) -> tuple[float, float]:
    """Where a binomial share of `trials` at `share` falls with probability 0.999: outside it the method is off, not
    the seed unlucky."""
    low, high = stats.binom.interval(0.999, trials, share)
    return low / trials, high / trials


def report(name: str, figure) -> None:
    print(f"\n[experiment simulations] {name}: {figure}")


@pytest.mark.parametrize("true_rates", [(0.05, 0.08), (0.05, 0.08, 0.06)])
def test_the_bandit_sends_most_of_20000_visitors_to_the_variant_that_truly_converts_better(true_rates):
    run = bandit_run(true_rates=true_rates, visitors=20_000, rng=np.random.default_rng(1))
    report(f"bandit share of the best of {true_rates}", f"{run.best_share:.1%} ({run.simulation.visitors})")
    assert run.best == 1
    assert run.best_share > 0.7


def test_the_bandit_finds_the_better_variant_on_every_one_of_20_seeded_runs():
    shares = [
        bandit_run(true_rates=(0.05, 0.08), visitors=20_000, rng=np.random.default_rng(seed)).best_share
        for seed in range(20)
    ]
    report("bandit share of the best over 20 seeds (min, mean)", f"{min(shares):.1%}, {np.mean(shares):.1%}")
    assert min(shares) > 0.7


@pytest.mark.parametrize("control_share", [CONTROL_SHARE, 0.25])
def test_after_the_run_the_allocation_gives_the_better_variant_most_traffic_and_the_control_exactly_its_share(
    control_share,
):
    run = bandit_run(
        true_rates=(0.05, 0.08), visitors=20_000, rng=np.random.default_rng(2), control_share=control_share
    )
    control, worse, better = run.allocation
    report(f"allocation with a {control_share:.0%} control", [round(share, 4) for share in run.allocation])
    assert control == control_share  # exactly: the bandit never takes the control's traffic
    assert better > (1 - control_share) / 2 > worse
    assert sum(run.allocation) == pytest.approx(1.0)


def test_an_ab_test_on_40000_hashed_visitors_finds_the_lift_with_the_right_sign_and_covers_the_true_lift():
    control, variant = fixed_split_arms(
        visitor_ids=VISITOR_IDS, salt="sim-ab", true_rates=(CONTROL_RATE, VARIANT_RATE), rng=np.random.default_rng(3)
    )
    result = experiment_result(
        arms=[("control", control), ("variant", variant)], min_sample=MIN_SAMPLE, planned_shares=(0.5, 0.5)
    )
    said = result.arms[1]
    report("A/B on hashed traffic", f"{control}, {variant}: {said.reason}")
    assert not result.srm_flagged
    assert said.decision == "winner"
    assert said.lift > 0
    assert said.lift_low <= TRUE_LIFT <= said.lift_high
    assert (said.lift, said.lift_low, said.lift_high) == lift_interval(control=control, variant=variant)


@pytest.mark.parametrize(
    ("control_rate", "variant_rate", "visitors"),
    [(CONTROL_RATE, VARIANT_RATE, 20_000), (0.02, 0.03, 10_000)],  # the second: about 100 conversions per arm
)
def test_the_lift_interval_covers_the_true_lift_in_about_95_percent_of_simulated_experiments(
    control_rate, variant_rate, visitors
):
    coverage = lift_coverage(
        control_rate=control_rate,
        variant_rate=variant_rate,
        visitors=visitors,
        experiments=EXPERIMENTS,
        rng=np.random.default_rng(4),
    )
    low, high = band(0.95, EXPERIMENTS)
    report(
        f"lift interval coverage at {control_rate} vs {variant_rate}, {visitors} visitors",
        f"{coverage.covered:.2%} of {EXPERIMENTS} (band {low:.2%} to {high:.2%}), right sign {coverage.right_sign:.2%}",
    )
    assert low <= coverage.covered <= high
    assert coverage.right_sign > 0.99


def test_with_no_true_difference_the_false_positive_rate_stays_near_the_nominal_5_percent():
    decisions = aa_decisions(
        rate=CONTROL_RATE, visitors=10_000, experiments=EXPERIMENTS, rng=np.random.default_rng(5), min_sample=MIN_SAMPLE
    )
    report(f"A/A false-positive rate over {EXPERIMENTS} experiments at nominal {NOMINAL:.0%}", decisions)
    assert "collecting" not in decisions.shares  # every experiment reached the minimum sample and was judged
    assert decisions.called <= band(NOMINAL, EXPERIMENTS)[1]


def test_with_two_variants_and_the_default_control_share_each_comparison_stays_near_the_nominal_level():
    min_sample = min_sample_per_arm(baseline_rate=0.05, min_relative_lift=0.2)
    decisions = aa_decisions(
        rate=0.05,
        visitors=int(min_sample / CONTROL_SHARE * 1.1),
        experiments=EXPERIMENTS,
        rng=np.random.default_rng(6),
        min_sample=min_sample,
        planned_shares=(CONTROL_SHARE, 0.45, 0.45),
    )
    report("A/A/A with a 10% control (per comparison; any_called: at least one of the two)", decisions)
    assert "collecting" not in decisions.shares
    assert decisions.called <= band(NOMINAL, EXPERIMENTS)[1]


def test_before_the_minimum_sample_an_aa_test_is_never_called():
    decisions = aa_decisions(
        rate=CONTROL_RATE, visitors=6_000, experiments=500, rng=np.random.default_rng(7), min_sample=MIN_SAMPLE
    )
    assert decisions.called == 0
    assert decisions.shares.get("collecting", 0) > 0.99


@pytest.mark.parametrize("planned_shares", [(0.5, 0.5), (CONTROL_SHARE, 0.45, 0.45)])
def test_counts_drawn_from_the_planned_split_rarely_trip_the_sample_ratio_check(planned_shares):
    rate = srm_flag_rate(
        visitors=20_000, planned_shares=planned_shares, experiments=5_000, rng=np.random.default_rng(8)
    )
    report(f"SRM false-flag rate, split {planned_shares}, p < {SRM_P_VALUE}", f"{rate:.2%} of 5000")
    assert rate <= 0.005


def test_a_10_percent_deficit_in_one_arm_at_20000_hashed_visitors_trips_the_sample_ratio_check():
    rng = np.random.default_rng(9)
    control, variant = fixed_split_arms(
        visitor_ids=VISITOR_IDS[:20_000], salt="sim-srm", true_rates=(CONTROL_RATE, CONTROL_RATE), rng=rng
    )
    kept = int(rng.binomial(variant.visitors, 0.9))  # the variant's page loses a tenth of its visitors' tracking
    lossy = Arm(visitors=kept, conversions=int(rng.binomial(kept, CONTROL_RATE)))
    check = sample_ratio_mismatch(observed=[control.visitors, lossy.visitors], planned_shares=(0.5, 0.5))
    result = experiment_result(arms=[("control", control), ("variant", lossy)], min_sample=1, planned_shares=(0.5, 0.5))
    report("SRM with a 10% deficit", f"{control.visitors} vs {lossy.visitors}: p = {check.p_value:.1g}")
    assert (
        sample_ratio_mismatch(observed=[control.visitors, variant.visitors], planned_shares=(0.5, 0.5)).flagged is False
    )
    assert check.flagged
    assert result.arms[1].decision == "sample_ratio_mismatch"


def test_a_10_percent_deficit_in_one_arm_trips_the_sample_ratio_check_in_nearly_every_simulated_experiment():
    rate = srm_flag_rate(
        visitors=20_000, planned_shares=(0.5, 0.5), experiments=1_000, rng=np.random.default_rng(10), kept=(1, 0.9)
    )
    report("SRM flag rate with a 10% deficit at 20,000 visitors", f"{rate:.2%} of 1000")
    assert rate > 0.99
