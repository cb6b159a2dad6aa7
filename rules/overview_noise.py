"""The overview's per-day counts released with Laplace noise (differential privacy, consent.noise).

ε (ATTUNE["AGGREGATE_EPSILON"], else DEFAULT_EPSILON) is spent on each day's row, split evenly over the row's counted
columns; each column's noise is calibrated to what one visitor (device) is taken to add to it in a day (DAY_BOUNDS).
Visitor counts are bounded by construction; the other bounds are assumptions, not enforced by clipping, so a visitor
beyond them (hundreds of sessions a day, say) is protected less. A visitor active on several days spends ε on each.
Derived figures (returning visitors, time per session, consent rates) are computed from the noisy counts."""

import random
from dataclasses import replace

from django.conf import settings

from consent.noise import noisy_count

from .overview import Figures, Overview, SegmentEvolution

DEFAULT_EPSILON = 1.0
DAY_BOUNDS = {  # Figures field -> the most one visitor is taken to add to it in one day
    "visitors": 1,
    "new_visitors": 1,
    "sessions": 10,
    "engaged_ms": 4 * 3_600_000,
    "conversions": 10,
    "revenue_cents": 100_000,
    "consent_choices": 3,
}
GRANTED_BOUND = 3  # choices granting one category, per visitor and day


def noise_epsilon() -> float:
    """The ε a noisy export spends per day: the aggregate exports' setting, else DEFAULT_EPSILON."""
    return settings.ATTUNE.get("AGGREGATE_EPSILON") or DEFAULT_EPSILON


def noise_rng(seed: int | None = None) -> random.Random:
    return random.SystemRandom() if seed is None else random.Random(seed)


def days_noisy(overview: Overview, *, epsilon: float, rng: random.Random) -> tuple[Figures, ...]:
    """The overview's days with every count noised; ε per day, split over the counted columns."""
    keys = [key for key, _ in overview.categories]
    share = epsilon / (len(DAY_BOUNDS) + len(keys))

    def noised(figures: Figures) -> Figures:
        counts = {name: noisy_count(getattr(figures, name), epsilon=share, sensitivity=bound, rng=rng)
                  for name, bound in DAY_BOUNDS.items()}
        granted = {key: noisy_count(figures.granted.get(key, 0), epsilon=share, sensitivity=GRANTED_BOUND, rng=rng)
                   for key in keys}
        return replace(figures, **counts, granted=granted)

    return tuple(noised(figures) for figures in overview.days)


def overview_noise_note(overview: Overview, *, epsilon: float) -> str:
    counted = len(DAY_BOUNDS) + len(overview.categories)
    return (f"counts carry Laplace noise (differential privacy): epsilon = {epsilon:g} per day, split over "
            f"{counted} counted columns; one visitor is taken to add at most 1 visitor, "
            f"{DAY_BOUNDS['sessions']} sessions, {DAY_BOUNDS['engaged_ms'] // 60_000} engaged minutes, "
            f"{DAY_BOUNDS['conversions']} conversions, {DAY_BOUNDS['revenue_cents'] // 100} of revenue and "
            f"{DAY_BOUNDS['consent_choices']} consent choices a day; rates are computed from the noisy counts")


def sizes_noisy(evolution: SegmentEvolution, *, epsilon: float, rng: random.Random) -> list[tuple[int, ...]]:
    """Each segment's sizes, noised: ε per day split over the segments; one person adds at most 1 to a size."""
    share = epsilon / max(1, len(evolution.segments))
    return [tuple(noisy_count(n, epsilon=share, sensitivity=1, rng=rng) for n in segment.sizes)
            for segment in evolution.segments]


def sizes_noise_note(evolution: SegmentEvolution, *, epsilon: float) -> str:
    return (f"sizes carry Laplace noise (differential privacy): epsilon = {epsilon:g} per day, split over "
            f"{len(evolution.segments)} segments; one person changes a segment's size by at most 1")
