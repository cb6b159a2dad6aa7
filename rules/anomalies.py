"""Behavioural insight found in daily (or hourly) series: traffic peaks, funnel drop-off jumps, broken tracking and
cluster drift. Pure: series in, findings out; a finding's `index` is the position in the series (the caller knows
which day or hour that is). Each point is judged against its own trailing window only, never against the future."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from math import sqrt

import numpy as np
from scipy import stats

WINDOW = 28
MIN_HISTORY = 7
THRESHOLD = 5.0
MAD_TO_SD = 1.4826  # makes the median absolute deviation estimate a normal standard deviation


@dataclass(frozen=True)
class Finding:
    """Something unusual at one point of one series, with what was expected there and how unusual it is."""

    kind: str  # spike, drop, dropoff, stopped or refusals
    key: str  # the page, funnel step, event type or refusal reason
    index: int
    value: float
    baseline: float
    score: float
    description: str


def _robust_points(
    series: Sequence[float], *, window: int, min_history: int
) -> Iterator[tuple[int, float, float, float]]:
    """Yield (index, value, trailing median, robust z) for every point with at least min_history points before it.
    The spread is floored at the Poisson noise of the median so a flat history does not make every wobble news."""
    values = np.asarray(series, dtype=float)
    for index in range(min_history, len(values)):
        history = values[max(0, index - window) : index]
        median = float(np.median(history))
        spread = max(MAD_TO_SD * float(np.median(np.abs(history - median))), sqrt(max(median, 1.0)))
        yield index, float(values[index]), median, (float(values[index]) - median) / spread


def _peaks(
    *, kind: str, series_by_key: Mapping[str, Sequence[float]], window: int, threshold: float, min_volume: float
) -> list[Finding]:
    findings = []
    for key, series in series_by_key.items():
        for index, value, median, z in _robust_points(series, window=window, min_history=MIN_HISTORY):
            if z >= threshold and value >= min_volume:
                text = f"{key}: {value:.0f} at point {index}, against a usual {median:.0f} (robust z {z:.1f})."
                findings.append(
                    Finding(kind=kind, key=key, index=index, value=value, baseline=median, score=z, description=text)
                )
    return findings


def spikes(
    *,
    series_by_key: Mapping[str, Sequence[float]],
    window: int = WINDOW,
    threshold: float = THRESHOLD,
    min_volume: float = 20,
) -> list[Finding]:
    """Return the points (per page, say) at least `threshold` robust z-scores above the trailing window's median and
    at least min_volume, so quiet pages do not report noise."""
    return _peaks(kind="spike", series_by_key=series_by_key, window=window, threshold=threshold, min_volume=min_volume)


def refusal_rises(
    *,
    refused_by_reason: Mapping[str, Sequence[float]],
    window: int = WINDOW,
    threshold: float = THRESHOLD,
    min_volume: float = 20,
) -> list[Finding]:
    """Return the points where refused events of one reason rise sharply above their trailing median."""
    return _peaks(
        kind="refusals", series_by_key=refused_by_reason, window=window, threshold=threshold, min_volume=min_volume
    )


def volume_drops(
    *,
    series: Sequence[float],
    key: str = "all events",
    window: int = WINDOW,
    threshold: float = THRESHOLD,
    min_baseline: float = 100,
    min_relative_drop: float = 0.5,
) -> list[Finding]:
    """Return the points where the total falls `threshold` robust z-scores and at least min_relative_drop below the
    trailing median; the relative floor keeps a quiet weekend from reading as broken tracking."""
    findings = []
    for index, value, median, z in _robust_points(series, window=window, min_history=MIN_HISTORY):
        if z <= -threshold and median >= min_baseline and value <= (1 - min_relative_drop) * median:
            text = f"{key}: {value:.0f} at point {index}, against a usual {median:.0f}; is tracking broken?"
            findings.append(
                Finding(kind="drop", key=key, index=index, value=value, baseline=median, score=z, description=text)
            )
    return findings


def stopped_event_types(
    *, counts_by_type: Mapping[str, Sequence[int]], min_history: int = MIN_HISTORY, min_daily: float = 5
) -> list[Finding]:
    """Return the first point of silence for each event type that arrived at every one of the min_history points
    before it (with a median of at least min_daily) and then not at all."""
    findings = []
    for key, series in counts_by_type.items():
        values = np.asarray(series, dtype=float)
        for index in range(min_history, len(values)):
            history = values[index - min_history : index]
            if values[index] == 0 and (history > 0).all() and np.median(history) >= min_daily:
                median = float(np.median(history))
                text = f"{key}: none arrived at point {index} after a steady {median:.0f} a point; check its tracking."
                # Scored as the Poisson z of seeing nothing where `median` was usual.
                score = -sqrt(median)
                findings.append(
                    Finding(
                        kind="stopped", key=key, index=index, value=0.0, baseline=median, score=score, description=text
                    )
                )
    return findings


def funnel_dropoffs(
    *,
    steps: Mapping[str, Sequence[tuple[int, int]]],
    window: int = 14,
    alpha: float = 1e-4,
    min_count: int = 100,
    min_relative_drop: float = 0.2,
) -> list[Finding]:
    """Return the (step, point) pairs whose step conversion (advanced / reached) falls below the step's pooled
    trailing-window rate by a one-sided two-proportion z-test at `alpha`, with at least min_count visitors reaching
    the step that day and a fall of at least min_relative_drop (large days make tiny falls significant)."""
    findings = []
    for key, days in steps.items():
        counts = np.asarray(days, dtype=float).reshape(-1, 2)
        for index in range(MIN_HISTORY, len(counts)):
            reached, advanced = counts[index]
            history = counts[max(0, index - window) : index].sum(axis=0)
            if reached < min_count or history[0] == 0:
                continue
            rate, usual = advanced / reached, history[1] / history[0]
            pooled = (advanced + history[1]) / (reached + history[0])
            se = sqrt(pooled * (1 - pooled) * (1 / reached + 1 / history[0]))
            z = (rate - usual) / se if se else 0.0
            if stats.norm.cdf(z) < alpha and rate <= (1 - min_relative_drop) * usual:
                text = f"{key}: {rate:.1%} went on at point {index}, against a usual {usual:.1%} (z {z:.1f})."
                findings.append(
                    Finding(
                        kind="dropoff",
                        key=key,
                        index=index,
                        value=float(rate),
                        baseline=float(usual),
                        score=float(z),
                        description=text,
                    )
                )
    return findings


@dataclass(frozen=True)
class ClusterShift:
    """How one matched cluster moved: its centroid's shift relative to its distance from the nearest other old
    centroid (0.5 = halfway towards its neighbour), and its share of visitors before and after."""

    cluster: int
    centroid_shift: float
    share_before: float
    share_after: float


@dataclass(frozen=True)
class DriftReport:
    """Per-cluster shifts, the total variation distance between the size shares, and whether to flag the change."""

    clusters: tuple[ClusterShift, ...]
    size_shift: float
    flagged: bool
    reason: str


def _shares(sizes: Sequence[float]) -> np.ndarray:
    values = np.asarray(sizes, dtype=float)
    if values.sum() <= 0:
        raise ValueError("Cluster sizes must add up to more than zero; was the clustering run on any visitors?")
    return values / values.sum()


def cluster_drift(
    *,
    old_sizes: Sequence[float],
    new_sizes: Sequence[float],
    old_centroids: Sequence[Sequence[float]],
    new_centroids: Sequence[Sequence[float]],
    centroid_threshold: float = 0.25,
    size_threshold: float = 0.1,
) -> DriftReport:
    """Compare matched clusters (row k of new is cluster k of old) and flag when any centroid moves more than
    centroid_threshold or the size shares move more than size_threshold in total variation distance."""
    old, new = np.asarray(old_centroids, dtype=float), np.asarray(new_centroids, dtype=float)
    if old.shape != new.shape or len(old_sizes) != len(old) or len(new_sizes) != len(new):
        raise ValueError("Give the same clusters, in the same matched order, for sizes and centroids old and new.")
    gaps = np.linalg.norm(old[:, None, :] - old[None, :, :], axis=2)
    np.fill_diagonal(gaps, np.inf)
    # A lone cluster has no neighbour: its shift stays in feature units (standard deviations once scaled).
    nearest = gaps.min(axis=1) if len(old) > 1 else np.ones(1)
    moved = np.linalg.norm(new - old, axis=1) / np.maximum(nearest, 1e-12)
    before, after = _shares(old_sizes), _shares(new_sizes)
    size_shift = float(0.5 * np.abs(after - before).sum())
    shifts = tuple(
        ClusterShift(
            cluster=k, centroid_shift=float(moved[k]), share_before=float(before[k]), share_after=float(after[k])
        )
        for k in range(len(old))
    )
    worst = int(np.argmax(moved))
    flagged = bool(moved[worst] > centroid_threshold or size_shift > size_threshold)
    if moved[worst] > centroid_threshold:
        reason = f"Cluster {worst} moved {moved[worst]:.0%} of the way towards its nearest neighbour."
    elif size_shift > size_threshold:
        reason = f"{size_shift:.0%} of visitors changed cluster share."
    else:
        reason = "Clusters are stable."
    return DriftReport(clusters=shifts, size_shift=size_shift, flagged=flagged, reason=reason)
