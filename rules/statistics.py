"""Experiment statistics: conversion-rate intervals, lift over control, probability to beat control, sample-ratio
mismatch, minimum sample size and a verdict that refuses to call a result early. Pure: no ORM.

Conventions: an arm is counted as visitors (assigned) and conversions (visitors who reached the goal); a variant is
compared with the control; intervals are two-sided at `confidence`; Beta posteriors use a Beta(1, 1) prior."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from math import exp, log, sqrt

import numpy as np
from scipy import stats
from scipy.special import betaln, logsumexp

# Past this many terms the exact sum gives way to quadrature (the sum stays correct, it only grows slow).
EXACT_TERMS_MAX = 20_000
QUADRATURE_POINTS = 20_001
SRM_P_VALUE = 0.001


@dataclass(frozen=True)
class Arm:
    """What one arm of an experiment has seen: visitors assigned and visitors who converted."""

    visitors: int
    conversions: int

    def __post_init__(self) -> None:
        if self.visitors < 0 or self.conversions < 0:
            raise ValueError(f"Counts cannot be negative (visitors={self.visitors}, conversions={self.conversions}).")
        if self.conversions > self.visitors:
            raise ValueError(
                f"An arm cannot have more conversions ({self.conversions}) than visitors ({self.visitors}): "
                "count each converting visitor once."
            )

    @property
    def failures(self) -> int:
        return self.visitors - self.conversions

    @property
    def rate(self) -> float:
        return self.conversions / self.visitors if self.visitors else 0.0


def _tail(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), not {confidence}; 0.95 is usual.")
    return (1 - confidence) / 2


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(1 - _tail(confidence)))


def wilson_interval(*, arm: Arm, confidence: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval (Wilson 1927; Newcombe 1998 method 3) of the arm's conversion rate."""
    z = _z(confidence)
    n, p = arm.visitors, arm.rate
    if n == 0:
        return 0.0, 1.0
    centre = (2 * n * p + z * z) / (2 * (n + z * z))
    half = z * sqrt(z * z + 4 * n * p * (1 - p)) / (2 * (n + z * z))
    return max(0.0, centre - half), min(1.0, centre + half)


def beta_interval(*, arm: Arm, confidence: float = 0.95) -> tuple[float, float]:
    """Return the equal-tailed credible interval of the rate under the Beta(1 + conversions, 1 + failures) posterior."""
    tail = _tail(confidence)
    posterior = stats.beta(1 + arm.conversions, 1 + arm.failures)
    return float(posterior.ppf(tail)), float(posterior.ppf(1 - tail))


def difference_interval(*, control: Arm, variant: Arm, confidence: float = 0.95) -> tuple[float, float]:
    """Return Newcombe's hybrid score interval (1998, method 10) for variant rate minus control rate."""
    lv, uv = wilson_interval(arm=variant, confidence=confidence)
    lc, uc = wilson_interval(arm=control, confidence=confidence)
    pv, pc = variant.rate, control.rate
    d = pv - pc
    return d - sqrt((pv - lv) ** 2 + (uc - pc) ** 2), d + sqrt((uv - pv) ** 2 + (pc - lc) ** 2)


def lift_interval(*, control: Arm, variant: Arm, confidence: float = 0.95) -> tuple[float, float, float]:
    """Return (lift, low, high): the relative lift variant/control - 1 and its interval by the delta method on the log
    rate ratio (Katz et al. 1978). A zero or full count adds 0.5 to every cell (Haldane) so the figures stay finite."""
    if not (control.visitors and variant.visitors):
        raise ValueError("Lift needs visitors in both the control and the variant; wait for traffic in both arms.")
    xv, nv, xc, nc = (
        float(variant.conversions),
        float(variant.visitors),
        float(control.conversions),
        float(control.visitors),
    )
    if 0 in (xv, xc) or xv == nv or xc == nc:
        xv, nv, xc, nc = xv + 0.5, nv + 1, xc + 0.5, nc + 1
    log_ratio = log((xv / nv) / (xc / nc))
    half = _z(confidence) * sqrt(1 / xv - 1 / nv + 1 / xc - 1 / nc)
    return exp(log_ratio) - 1, exp(log_ratio - half) - 1, exp(log_ratio + half) - 1


def _p_greater_exact(a_x: float, b_x: float, a_y: float, b_y: float) -> float:
    """P(X > Y) for X ~ Beta(a_x, b_x) with integer a_x and Y ~ Beta(a_y, b_y) (Evan Miller's closed form)."""
    i = np.arange(int(a_x), dtype=float)
    log_terms = betaln(a_y + i, b_x + b_y) - np.log(b_x + i) - betaln(1 + i, b_x) - betaln(a_y, b_y)
    return float(np.exp(logsumexp(log_terms)))


def _p_greater_quadrature(a_x: float, b_x: float, a_y: float, b_y: float) -> float:
    """P(X > Y) = ∫ f_X(t) F_Y(t) dt on a fine grid spanning both posteriors' mass."""
    x, y = stats.beta(a_x, b_x), stats.beta(a_y, b_y)
    low = min(x.ppf(1e-12), y.ppf(1e-12))
    high = max(x.ppf(1 - 1e-12), y.ppf(1 - 1e-12))
    t = np.linspace(low, high, QUADRATURE_POINTS)
    return float(np.clip(np.trapezoid(x.pdf(t) * y.cdf(t), t), 0.0, 1.0))


def p_beat_control(*, control: Arm, variant: Arm) -> float:
    """Return P(p_variant > p_control) under Beta(1, 1)-prior posteriors: exact when either arm has at most
    EXACT_TERMS_MAX conversions, by quadrature otherwise."""
    v = (1.0 + variant.conversions, 1.0 + variant.failures)
    c = (1.0 + control.conversions, 1.0 + control.failures)
    if min(v[0], c[0]) > EXACT_TERMS_MAX:
        return _p_greater_quadrature(*v, *c)
    # The sum has one term per success of X, so it runs over the arm with fewer; P(X > Y) = 1 - P(Y > X) (continuous).
    if v[0] <= c[0]:
        return _p_greater_exact(*v, *c)
    return 1.0 - _p_greater_exact(*c, *v)


@dataclass(frozen=True)
class SampleRatioCheck:
    """The chi-square goodness-of-fit of assignment counts against the planned split; flagged means: distrust it."""

    chi_square: float
    p_value: float
    flagged: bool


def sample_ratio_mismatch(
    *, observed: Sequence[int], planned_shares: Sequence[float], p_threshold: float = SRM_P_VALUE
) -> SampleRatioCheck:
    """Test observed visitors per arm against the planned shares; flag when the p-value is below p_threshold."""
    if len(observed) != len(planned_shares) or len(observed) < 2:
        raise ValueError("Give one planned share per arm, for at least two arms, in the same order as the counts.")
    shares = np.asarray(planned_shares, dtype=float)
    if (shares <= 0).any():
        raise ValueError(f"Planned shares must all be positive, not {list(planned_shares)}.")
    counts = np.asarray(observed, dtype=float)
    total = counts.sum()
    if total == 0:
        return SampleRatioCheck(chi_square=0.0, p_value=1.0, flagged=False)
    result = stats.chisquare(counts, f_exp=total * shares / shares.sum())
    p_value = float(result.pvalue)
    return SampleRatioCheck(chi_square=float(result.statistic), p_value=p_value, flagged=p_value < p_threshold)


def min_sample_per_arm(
    *, baseline_rate: float, min_relative_lift: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Return the visitors each arm needs for a two-sided two-proportion z-test at `alpha` to detect the rate
    baseline * (1 + min_relative_lift) with probability `power` (pooled variance under H0, no continuity correction)."""
    p1, p2 = baseline_rate, baseline_rate * (1 + min_relative_lift)
    if not (0 < p1 < 1 and 0 < p2 < 1 and p1 != p2):
        raise ValueError(
            f"Baseline rate {baseline_rate} and lift {min_relative_lift} must give two different rates between 0 and 1."
        )
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError(f"alpha ({alpha}) and power ({power}) must lie between 0 and 1; 0.05 and 0.8 are usual.")
    z_alpha, z_beta = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    pooled = (p1 + p2) / 2
    root = z_alpha * sqrt(2 * pooled * (1 - pooled)) + z_beta * sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return int(np.ceil(root**2 / (p2 - p1) ** 2 - 1e-9))


@dataclass(frozen=True)
class Verdict:
    """A variant against the control: decision is collecting, winner, loser or inconclusive; the lift interval is
    given whatever the decision (None only while an arm has no visitors)."""

    decision: str
    reason: str
    lift: float | None
    lift_low: float | None
    lift_high: float | None
    p_beat_control: float


def verdict(*, control: Arm, variant: Arm, min_sample: int, confidence: float = 0.95) -> Verdict:
    """Call the variant a winner or loser only when both arms have min_sample visitors and the lift interval at
    `confidence` excludes zero; otherwise say what is missing."""
    p_beat = p_beat_control(control=control, variant=variant)
    if not (control.visitors and variant.visitors):
        reason = f"Collecting: no visitors yet in {'the control' if not control.visitors else 'this variant'}."
        return Verdict(
            decision="collecting", reason=reason, lift=None, lift_low=None, lift_high=None, p_beat_control=p_beat
        )
    lift, low, high = lift_interval(control=control, variant=variant, confidence=confidence)
    span = f"lift {lift:+.1%} ({confidence:.0%} interval {low:+.1%} to {high:+.1%})"
    fewest = min(control.visitors, variant.visitors)
    if fewest < min_sample:
        decision, reason = "collecting", f"Collecting: {fewest} of {min_sample} visitors needed in each arm; {span}."
    elif low > 0:
        decision, reason = "winner", f"Beats the control: {span}."
    elif high < 0:
        decision, reason = "loser", f"Worse than the control: {span}."
    else:
        decision, reason = "inconclusive", f"No clear difference from the control: {span}."
    return Verdict(decision=decision, reason=reason, lift=lift, lift_low=low, lift_high=high, p_beat_control=p_beat)


@dataclass(frozen=True)
class VariantResult:
    """One arm's figures as a dashboard shows them; comparison fields are None for the control."""

    name: str
    is_control: bool
    visitors: int
    conversions: int
    rate: float
    rate_low: float
    rate_high: float
    decision: str
    reason: str
    lift: float | None = None
    lift_low: float | None = None
    lift_high: float | None = None
    difference_low: float | None = None
    difference_high: float | None = None
    p_beat_control: float | None = None


@dataclass(frozen=True)
class ExperimentResult:
    """Every arm (control first), the sample each arm needs, and the sample-ratio check (None without a fixed plan)."""

    arms: tuple[VariantResult, ...]
    min_sample_per_arm: int
    confidence: float
    srm_p_value: float | None
    srm_flagged: bool


def _variant_result(*, name: str, arm: Arm, control: Arm, min_sample: int, confidence: float) -> VariantResult:
    low, high = wilson_interval(arm=arm, confidence=confidence)
    said = verdict(control=control, variant=arm, min_sample=min_sample, confidence=confidence)
    d_low, d_high = (
        difference_interval(control=control, variant=arm, confidence=confidence)
        if arm.visitors and control.visitors
        else (None, None)
    )
    return VariantResult(
        name=name,
        is_control=False,
        visitors=arm.visitors,
        conversions=arm.conversions,
        rate=arm.rate,
        rate_low=low,
        rate_high=high,
        decision=said.decision,
        reason=said.reason,
        lift=said.lift,
        lift_low=said.lift_low,
        lift_high=said.lift_high,
        difference_low=d_low,
        difference_high=d_high,
        p_beat_control=said.p_beat_control,
    )


def experiment_result(
    *,
    arms: Sequence[tuple[str, Arm]],
    min_sample: int,
    planned_shares: Sequence[float] | None = None,
    confidence: float = 0.95,
) -> ExperimentResult:
    """Compare every arm after the first (the control) with it; with planned_shares (a fixed split), check the
    assignment counts first and, when they mismatch, mark every variant untrustworthy instead of calling it."""
    if len(arms) < 2:
        raise ValueError("An experiment needs a control and at least one variant.")
    (control_name, control), variants = arms[0], arms[1:]
    srm = None
    if planned_shares is not None:
        srm = sample_ratio_mismatch(observed=[arm.visitors for _, arm in arms], planned_shares=planned_shares)
    low, high = wilson_interval(arm=control, confidence=confidence)
    results = [
        VariantResult(
            name=control_name,
            is_control=True,
            visitors=control.visitors,
            conversions=control.conversions,
            rate=control.rate,
            rate_low=low,
            rate_high=high,
            decision="control",
            reason="The control.",
        )
    ]
    for name, arm in variants:
        result = _variant_result(name=name, arm=arm, control=control, min_sample=min_sample, confidence=confidence)
        if srm is not None and srm.flagged:
            reason = (
                f"Not trustworthy: visitors per arm do not match the planned split (p = {srm.p_value:.1g}); "
                "find why assignment or tracking differs between arms before reading results."
            )
            result = replace(result, decision="sample_ratio_mismatch", reason=reason)
        results.append(result)
    return ExperimentResult(
        arms=tuple(results),
        min_sample_per_arm=min_sample,
        confidence=confidence,
        srm_p_value=None if srm is None else srm.p_value,
        srm_flagged=bool(srm and srm.flagged),
    )
