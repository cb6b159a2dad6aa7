"""Simulated traffic through the experiment machinery, shared by its checks (tests/rules/test_experiment_simulations.py)
and its bench figures (bench/experiment_checks.py): a bandit facing variants of known rates, A/B tests with a known
lift, A/A tests with none, and assignment counts with and without a share of one arm lost. Pure: numpy and the real
functions of rules.statistics and rules.bandits, no ORM; every run takes a seeded Generator, so its figures repeat."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .bandits import CONTROL_SHARE, Simulation, allocation, assign_fixed, simulate_thompson
from .statistics import Arm, experiment_result, lift_interval, sample_ratio_mismatch

CALLED = ("winner", "loser")  # the decisions that claim a difference from the control


@dataclass(frozen=True)
class BanditRun:
    """A Thompson-sampling run: what each variant received, which variant truly converts best and its share of the
    traffic, and the allocation [control, variant 0, ...] the arms it ended with would get next."""

    simulation: Simulation
    best: int
    best_share: float
    allocation: tuple[float, ...]


def bandit_run(
    *, true_rates: Sequence[float], visitors: int, rng: np.random.Generator, control_share: float = CONTROL_SHARE
) -> BanditRun:
    """Send `visitors` through Thompson sampling over variants truly converting at `true_rates`, then allocate."""
    simulation = simulate_thompson(true_rates=true_rates, visitors=visitors, rng=rng)
    arms = [
        Arm(visitors=seen, conversions=won)
        for seen, won in zip(simulation.visitors, simulation.conversions, strict=True)
    ]
    best = int(np.argmax(true_rates))
    shares = allocation(variants=arms, rng=rng, control_share=control_share)
    return BanditRun(simulation=simulation, best=best, best_share=simulation.shares[best], allocation=tuple(shares))


def fixed_split_arms(
    *,
    visitor_ids: Sequence[str],
    salt: str,
    true_rates: Sequence[float],
    rng: np.random.Generator,
    control_share: float = 0.5,
) -> list[Arm]:
    """Assign every visitor with the real hashed split (control first, then variants weighted equally), then let each
    visitor convert with their arm's true rate (true_rates: control first). Returns [control, variant 0, ...]."""
    weights = [1] * (len(true_rates) - 1)
    indexes = (
        assign_fixed(visitor_id=visitor, salt=salt, weights=weights, control_share=control_share)
        for visitor in visitor_ids
    )
    placed = np.array([0 if index is None else index + 1 for index in indexes])
    converted = rng.random(len(placed)) < np.asarray(true_rates, dtype=float)[placed]
    return [
        Arm(visitors=int((placed == arm).sum()), conversions=int(converted[placed == arm].sum()))
        for arm in range(len(true_rates))
    ]


def _split_counts(*, visitors: int, shares: Sequence[float], experiments: int, rng: np.random.Generator) -> np.ndarray:
    """Visitors per arm in each experiment, as independent visitors placed by the planned split: (experiments, arms)."""
    planned = np.asarray(shares, dtype=float)
    return rng.multinomial(visitors, planned / planned.sum(), size=experiments)


@dataclass(frozen=True)
class Coverage:
    """Over repeated A/B tests: the share whose lift interval covers the true lift, and whose lift has its sign."""

    experiments: int
    covered: float
    right_sign: float


def lift_coverage(
    *,
    control_rate: float,
    variant_rate: float,
    visitors: int,
    experiments: int,
    rng: np.random.Generator,
    confidence: float = 0.95,
) -> Coverage:
    """Run `experiments` 50/50 A/B tests of `visitors` each (counts drawn in one go) through lift_interval."""
    seen = _split_counts(visitors=visitors, shares=[1, 1], experiments=experiments, rng=rng)
    won = rng.binomial(seen, [control_rate, variant_rate])
    truth = variant_rate / control_rate - 1
    covered = right_sign = 0
    for (nc, nv), (xc, xv) in zip(seen.tolist(), won.tolist(), strict=True):
        lift, low, high = lift_interval(
            control=Arm(visitors=nc, conversions=xc), variant=Arm(visitors=nv, conversions=xv), confidence=confidence
        )
        covered += low <= truth <= high
        right_sign += (lift > 0) == (truth > 0)
    return Coverage(experiments=experiments, covered=covered / experiments, right_sign=right_sign / experiments)


@dataclass(frozen=True)
class Decisions:
    """The variants' decisions over repeated experiments, as shares of all variant comparisons, and the share of
    experiments in which at least one variant was called (with several variants, more than any one comparison's)."""

    experiments: int
    shares: dict[str, float]
    any_called: float

    @property
    def called(self) -> float:
        """The share of variant comparisons in which the variant was called a winner or a loser."""
        return sum(self.shares.get(decision, 0.0) for decision in CALLED)


def aa_decisions(
    *,
    rate: float,
    visitors: int,
    experiments: int,
    rng: np.random.Generator,
    min_sample: int,
    planned_shares: Sequence[float] = (0.5, 0.5),
    confidence: float = 0.95,
) -> Decisions:
    """Run `experiments` A/A tests (every arm converting at `rate`) of `visitors` each, placed by the planned split,
    through experiment_result with that plan, once at the end; count the variants' decisions."""
    seen = _split_counts(visitors=visitors, shares=planned_shares, experiments=experiments, rng=rng)
    won = rng.binomial(seen, rate)
    counts: dict[str, int] = {}
    any_called = 0
    for row_seen, row_won in zip(seen.tolist(), won.tolist(), strict=True):
        arms = [
            (f"arm {i}", Arm(visitors=n, conversions=x)) for i, (n, x) in enumerate(zip(row_seen, row_won, strict=True))
        ]
        result = experiment_result(
            arms=arms, min_sample=min_sample, planned_shares=planned_shares, confidence=confidence
        )
        for variant in result.arms[1:]:
            counts[variant.decision] = counts.get(variant.decision, 0) + 1
        any_called += any(variant.decision in CALLED for variant in result.arms[1:])
    judged = experiments * (len(planned_shares) - 1)
    shares = {decision: n / judged for decision, n in sorted(counts.items())}
    return Decisions(experiments=experiments, shares=shares, any_called=any_called / experiments)


def srm_flag_rate(
    *,
    visitors: int,
    planned_shares: Sequence[float],
    experiments: int,
    rng: np.random.Generator,
    kept: Sequence[float] | None = None,
) -> float:
    """The share of `experiments` in which sample_ratio_mismatch flags counts placed by the planned split, after each
    arm keeps only its `kept` share of its visitors (None: all of them; [1, 0.9]: the second arm loses 10%)."""
    counts = _split_counts(visitors=visitors, shares=planned_shares, experiments=experiments, rng=rng)
    if kept is not None:
        counts = rng.binomial(counts, kept)
    flagged = sum(sample_ratio_mismatch(observed=row, planned_shares=planned_shares).flagged for row in counts.tolist())
    return flagged / experiments
