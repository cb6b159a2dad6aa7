"""Kneedle knee/elbow detection (Satopää, Albrecht, Irwin and Raghavan, 2011, "Finding a 'Kneedle' in a Haystack").

The curve is scaled to the unit square and turned into a concave increasing one; the difference curve
D = y - x then has a local maximum at each candidate knee. A candidate becomes a knee when D falls below
D(max) - S · (mean x step) before the next local maximum. Offline mode returns the first knee; online mode keeps
going and returns the last, so later, sharper knees replace early ones. No smoothing is applied: inertia curves
over k are short and already monotone.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CURVES = ("convex", "concave")
DIRECTIONS = ("increasing", "decreasing")


@dataclass(frozen=True)
class Knee:
    """A detected knee: its x and y, and every knee found on the way (online mode may find several)."""

    x: float
    y: float
    all_x: tuple[float, ...]


def _unit(values: np.ndarray) -> np.ndarray:
    span = values.max() - values.min()
    return (values - values.min()) / span


def _as_concave_increasing(x: np.ndarray, y: np.ndarray, curve: str, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the unit-square curve mirrored so that its knee is a concave increasing one (x order unchanged)."""
    x_unit, y_unit = _unit(x), _unit(y)
    if curve == "convex":
        y_unit = 1 - y_unit
    if (curve == "convex") == (direction == "increasing"):
        # Mirror left-right: x runs from the far end, so the curve is increasing again.
        x_unit = 1 - x_unit
    return x_unit, y_unit


def _local_extrema(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return boolean masks of local maxima and minima (plateaus count; an end compares with its one neighbour)."""
    left = np.concatenate(([d[0]], d[:-1]))
    right = np.concatenate((d[1:], [d[-1]]))
    return (d >= left) & (d >= right), (d <= left) & (d <= right)


def _knee_indices(d: np.ndarray, steps: Sequence[int], sensitivity: float, step_size: float) -> list[int]:
    """Return the indices (in traversal order) of the local maxima of `d` that Kneedle declares knees."""
    ordered = d[list(steps)]
    maxima, minima = _local_extrema(ordered)
    knees: list[int] = []
    threshold, candidate = None, None
    for position in range(len(ordered) - 1):
        if maxima[position]:
            threshold, candidate = ordered[position] - sensitivity * step_size, position
        if minima[position]:
            # After a local minimum, wait for the next local maximum before declaring anything.
            threshold = None
        if threshold is not None and ordered[position + 1] < threshold and candidate not in knees:
            knees.append(candidate)
    return [steps[position] for position in knees]


def kneedle(
    x: Sequence[float],
    y: Sequence[float],
    *,
    sensitivity: float = 1.0,
    curve: str = "convex",
    direction: str = "decreasing",
    online: bool = False,
) -> Knee | None:
    """Return the knee (elbow) of the curve y(x), or None when the curve has none; x must be sorted increasing."""
    if curve not in CURVES or direction not in DIRECTIONS:
        raise ValueError(f"curve must be one of {CURVES} and direction one of {DIRECTIONS}.")
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError("x and y must be one-dimensional and of the same length.")
    if len(xs) < 3 or np.ptp(xs) == 0 or np.ptp(ys) == 0 or not np.all(np.isfinite(ys)):
        return None  # too short, flat or broken: no knee to find
    if np.any(np.diff(xs) <= 0):
        raise ValueError("x must be strictly increasing (sort the points by x first).")
    x_unit, y_unit = _as_concave_increasing(xs, ys, curve, direction)
    difference = y_unit - x_unit
    # Traverse from the mirrored curve's origin: left to right unless x was mirrored.
    steps = list(range(len(xs))) if x_unit[0] < x_unit[-1] else list(range(len(xs) - 1, -1, -1))
    found = _knee_indices(difference, steps, sensitivity, float(np.mean(np.abs(np.diff(x_unit)))))
    if not found:
        return None
    chosen = found[-1] if online else found[0]
    return Knee(x=float(xs[chosen]), y=float(ys[chosen]), all_x=tuple(sorted(float(xs[i]) for i in found)))
