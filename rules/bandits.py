"""Assigning visitors to experiment arms: a deterministic hashed split with a control group held back, Thompson
sampling over the variants, and the rule that pauses a variant that is clearly losing. Pure: no ORM.

The control group is always chosen by the hash, never by the bandit, so its share stays what was planned and it
remains a fair baseline for lift; the bandit shares out only the rest of the traffic among the variants."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .assignment import CONTROL_SHARE, assign_fixed, bucket, split_check
from .statistics import Arm, p_beat_control

# The hashed split lives in assignment.py, which the request path imports without numpy and scipy.
__all__ = ["CONTROL_SHARE", "assign_fixed", "bucket"]

PAUSE_BELOW = 0.01
ALLOCATION_DRAWS = 10_000


def thompson_choose(*, arms: Sequence[Arm], rng: np.random.Generator) -> int:
    """Return the index of the arm whose draw from its Beta(1 + conversions, 1 + failures) posterior is highest."""
    if not arms:
        raise ValueError("Thompson sampling needs at least one variant to choose from.")
    draws = rng.beta([1 + arm.conversions for arm in arms], [1 + arm.failures for arm in arms])
    return int(np.argmax(draws))


def allocation(
    *,
    variants: Sequence[Arm],
    rng: np.random.Generator,
    control_share: float = CONTROL_SHARE,
    draws: int = ALLOCATION_DRAWS,
) -> list[float]:
    """Return traffic shares [control, variant 0, variant 1, ...] summing to 1: control keeps control_share and each
    variant gets the rest in proportion to the Monte Carlo probability that it is the best (Thompson sampling)."""
    split_check(weights=[1.0] * len(variants), control_share=control_share)
    alpha = np.array([1 + arm.conversions for arm in variants], dtype=float)
    beta = np.array([1 + arm.failures for arm in variants], dtype=float)
    best = np.argmax(rng.beta(alpha, beta, size=(draws, len(variants))), axis=1)
    p_best = np.bincount(best, minlength=len(variants)) / draws
    return [control_share, *((1 - control_share) * p_best).tolist()]


@dataclass(frozen=True)
class Simulation:
    """Visitors and conversions each variant received in a simulated run."""

    visitors: tuple[int, ...]
    conversions: tuple[int, ...]

    @property
    def shares(self) -> tuple[float, ...]:
        total = sum(self.visitors)
        return tuple(count / total for count in self.visitors)


def simulate_thompson(
    *, true_rates: Sequence[float], visitors: int, rng: np.random.Generator, batch: int = 100
) -> Simulation:
    """Send `visitors` through Thompson sampling over variants that truly convert at `true_rates`, updating the
    posteriors after every `batch` visitors as a periodically refreshed allocation would."""
    rates = np.asarray(true_rates, dtype=float)
    seen = np.zeros(len(rates), dtype=np.int64)
    won = np.zeros(len(rates), dtype=np.int64)
    for start in range(0, visitors, batch):
        size = min(batch, visitors - start)
        draws = rng.beta(1 + won, 1 + seen - won, size=(size, len(rates)))
        sent = np.bincount(np.argmax(draws, axis=1), minlength=len(rates))
        seen += sent
        won += rng.binomial(sent, rates)
    return Simulation(visitors=tuple(seen.tolist()), conversions=tuple(won.tolist()))


@dataclass(frozen=True)
class PauseDecision:
    """Whether to pause a variant, why (in words an editor reads), and the probability it beats the control."""

    pause: bool
    reason: str
    p_beat_control: float


def pause_decision(*, control: Arm, variant: Arm, min_sample: int, threshold: float = PAUSE_BELOW) -> PauseDecision:
    """Pause a variant once both arms have min_sample visitors and its probability of beating the control is below
    `threshold`. A small threshold keeps repeated daily checks from pausing a variant that is merely unlucky."""
    p_beat = p_beat_control(control=control, variant=variant)
    rates = f"converts at {variant.rate:.2%} against the control's {control.rate:.2%}"
    fewest = min(control.visitors, variant.visitors)
    if fewest < min_sample:
        reason = f"Keep running: {fewest} of {min_sample} visitors needed in each arm before judging ({rates})."
        return PauseDecision(pause=False, reason=reason, p_beat_control=p_beat)
    if p_beat < threshold:
        reason = f"Paused: clearly losing, {p_beat:.1%} chance of beating the control; it {rates}."
        return PauseDecision(pause=True, reason=reason, p_beat_control=p_beat)
    reason = f"Keep running: {p_beat:.1%} chance of beating the control; it {rates}."
    return PauseDecision(pause=False, reason=reason, p_beat_control=p_beat)
