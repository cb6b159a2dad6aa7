"""Experiment statistics against published figures, hand computation and simulation. No database."""

import numpy as np
import pytest

from rules.statistics import (
    Arm,
    beta_interval,
    difference_interval,
    experiment_result,
    lift_interval,
    min_sample_per_arm,
    p_beat_control,
    sample_ratio_mismatch,
    verdict,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("conversions", "visitors", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_interval_matches_newcombes_published_examples(conversions, visitors, low, high):
    got = wilson_interval(arm=Arm(visitors=visitors, conversions=conversions))
    assert got == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(
    ("variant", "control", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score).
        ((56, 70), (48, 80), 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.1705, 0.8090),
        ((5, 56), (0, 29), -0.0381, 0.1926),
    ],
)
def test_difference_interval_matches_newcombes_hybrid_score_examples(variant, control, low, high):
    got = difference_interval(
        control=Arm(conversions=control[0], visitors=control[1]),
        variant=Arm(conversions=variant[0], visitors=variant[1]),
    )
    assert got == pytest.approx((low, high), abs=5e-5)


def test_beta_interval_is_the_uniform_prior_posterior_and_narrows_with_traffic():
    # 0 of 1: the posterior is Beta(1, 2), whose CDF is 1 - (1 - p)^2, so the 2.5% quantile is 1 - sqrt(0.975).
    low, high = beta_interval(arm=Arm(visitors=1, conversions=0))
    assert low == pytest.approx(1 - 0.975**0.5)
    assert high == pytest.approx(1 - 0.025**0.5)
    small = beta_interval(arm=Arm(visitors=100, conversions=10))
    large = beta_interval(arm=Arm(visitors=10_000, conversions=1_000))
    assert small[0] < large[0] < 0.1 < large[1] < small[1]


def test_lift_interval_matches_the_katz_log_interval_of_a_published_example():
    # SciPy's relative_risk documentation: 27 of 122 against 44 of 487, risk ratio 2.4495, 95% CI 1.5837 to 3.7887.
    lift, low, high = lift_interval(
        control=Arm(visitors=487, conversions=44), variant=Arm(visitors=122, conversions=27)
    )
    assert (lift + 1, low + 1, high + 1) == pytest.approx((2.4495, 1.5837, 3.7887), abs=1e-4)


def test_lift_stays_finite_when_the_control_has_no_conversions_yet():
    lift, low, high = lift_interval(control=Arm(visitors=50, conversions=0), variant=Arm(visitors=50, conversions=3))
    assert np.isfinite([lift, low, high]).all()
    assert low < lift < high


def test_probability_to_beat_control_matches_hand_computed_values():
    nothing = Arm(visitors=0, conversions=0)
    # Beta(2, 1) against Beta(1, 1): the integral of 2x * x over [0, 1] is 2/3.
    assert p_beat_control(control=nothing, variant=Arm(visitors=1, conversions=1)) == pytest.approx(2 / 3)
    assert p_beat_control(control=Arm(visitors=1, conversions=1), variant=nothing) == pytest.approx(1 / 3)
    same = Arm(visitors=500, conversions=37)
    assert p_beat_control(control=same, variant=same) == pytest.approx(0.5)


def test_probability_to_beat_control_agrees_with_monte_carlo():
    control, variant = Arm(visitors=1_000, conversions=50), Arm(visitors=1_000, conversions=65)
    rng = np.random.default_rng(7)
    draws = 400_000
    wins = rng.beta(66, 936, draws) > rng.beta(51, 951, draws)
    exact = p_beat_control(control=control, variant=variant)
    assert exact == pytest.approx(wins.mean(), abs=0.003), f"exact {exact:.4f}, simulated {wins.mean():.4f}"
    assert 0.85 < exact < 0.95


def test_probability_to_beat_control_for_large_counts_agrees_with_the_normal_approximation():
    control, variant = Arm(visitors=2_000_000, conversions=100_000), Arm(visitors=2_000_000, conversions=100_600)
    p = p_beat_control(control=control, variant=variant)
    mean_gap = 100_601 / 2_000_002 - 100_001 / 2_000_002
    sd = (2 * 0.05 * 0.95 / 2_000_000) ** 0.5
    from scipy.stats import norm

    assert p == pytest.approx(norm.cdf(mean_gap / sd), abs=0.002)


def test_sample_ratio_mismatch_matches_hand_computed_chi_square():
    # Planned 50/50 over 10,200 visitors: 5,100 expected each; (100^2 / 5100) * 2 = 3.9216, p = 0.0477.
    mild = sample_ratio_mismatch(observed=[5_000, 5_200], planned_shares=[0.5, 0.5])
    assert mild.chi_square == pytest.approx(3.9216, abs=1e-4)
    assert mild.p_value == pytest.approx(0.0477, abs=1e-4)
    assert not mild.flagged
    # 1,000 against 1,200: (100^2 / 1100) * 2 = 18.18, p = 2.0e-5, well under 0.001.
    broken = sample_ratio_mismatch(observed=[1_000, 1_200], planned_shares=[0.5, 0.5])
    assert broken.chi_square == pytest.approx(18.1818, abs=1e-4)
    assert broken.flagged


def test_sample_ratio_mismatch_reads_an_uneven_plan():
    # Planned 10/45/45 and observed exactly so: no mismatch.
    check = sample_ratio_mismatch(observed=[1_000, 4_500, 4_500], planned_shares=[0.1, 0.45, 0.45])
    assert check.chi_square == pytest.approx(0.0)
    assert not check.flagged


@pytest.mark.parametrize(
    ("baseline", "lift", "expected"),
    [
        # JMP 13.2 "Two Sample Proportions": 0.06 against 0.08, alpha 0.05 two-sided, power 0.8 -> 2554 per group.
        (0.06, 1 / 3, 2554),
        # Fleiss, Levin & Paik (2003), no continuity correction: 0.05 against 0.10 -> 435 per group.
        (0.05, 1.0, 435),
    ],
)
def test_minimum_sample_per_arm_matches_published_calculators(baseline, lift, expected):
    assert min_sample_per_arm(baseline_rate=baseline, min_relative_lift=lift) == expected


def test_minimum_sample_refuses_rates_outside_zero_and_one():
    with pytest.raises(ValueError, match="between 0 and 1"):
        min_sample_per_arm(baseline_rate=0.6, min_relative_lift=1.0)


def test_verdict_refuses_to_call_a_winner_below_the_minimum_sample_but_shows_the_interval():
    said = verdict(
        control=Arm(visitors=300, conversions=15), variant=Arm(visitors=300, conversions=45), min_sample=1_000
    )
    assert said.decision == "collecting"
    assert said.lift_low > 0  # the interval already excludes zero, yet the sample is too small to call it
    assert "300 of 1000" in said.reason


def test_verdict_calls_winner_loser_and_inconclusive_once_the_sample_is_reached():
    control = Arm(visitors=10_000, conversions=500)
    assert (
        verdict(control=control, variant=Arm(visitors=10_000, conversions=650), min_sample=5_000).decision == "winner"
    )
    assert verdict(control=control, variant=Arm(visitors=10_000, conversions=380), min_sample=5_000).decision == "loser"
    even = verdict(control=control, variant=Arm(visitors=10_000, conversions=510), min_sample=5_000)
    assert even.decision == "inconclusive"
    assert even.lift_low < 0 < even.lift_high


def test_aa_experiments_are_declared_significant_about_as_often_as_alpha():
    rng = np.random.default_rng(2026)
    experiments, visitors, rate = 500, 4_000, 0.08
    conversions = rng.binomial(visitors, rate, size=(experiments, 2))
    called = sum(
        verdict(
            control=Arm(visitors=visitors, conversions=int(c)),
            variant=Arm(visitors=visitors, conversions=int(v)),
            min_sample=visitors,
        ).decision
        in ("winner", "loser")
        for c, v in conversions
    )
    measured = called / experiments
    # The binomial standard error at 500 experiments is about 0.01; allow three of them either side.
    assert 0.02 <= measured <= 0.08, f"false-positive rate {measured:.3f} at alpha 0.05"


def test_experiment_result_gives_every_arm_plain_figures_with_the_control_first():
    result = experiment_result(
        arms=[("control", Arm(visitors=5_000, conversions=250)), ("blue", Arm(visitors=5_050, conversions=330))],
        min_sample=4_000,
        planned_shares=[0.5, 0.5],
    )
    control, blue = result.arms
    assert control.is_control and control.lift is None
    assert blue.decision == "winner"
    assert blue.difference_low > 0 and blue.p_beat_control > 0.99
    assert not result.srm_flagged
    assert all(isinstance(value, (int, float, str, bool, type(None))) for value in vars(blue).values())


def test_experiment_result_distrusts_every_variant_when_assignment_mismatches_the_plan():
    result = experiment_result(
        arms=[("control", Arm(visitors=5_000, conversions=250)), ("blue", Arm(visitors=5_600, conversions=400))],
        min_sample=4_000,
        planned_shares=[0.5, 0.5],
    )
    assert result.srm_flagged
    assert result.arms[1].decision == "sample_ratio_mismatch"
    assert "planned split" in result.arms[1].reason


def test_an_arm_with_more_conversions_than_visitors_is_refused_with_advice():
    with pytest.raises(ValueError, match="count each converting visitor once"):
        Arm(visitors=3, conversions=4)
