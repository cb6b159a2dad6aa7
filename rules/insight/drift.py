"""Cluster drift between two runs (pure): clusters matched by nearest centroid, then rules.anomalies.cluster_drift."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..anomalies import DriftReport, cluster_drift


@dataclass(frozen=True)
class RunClusters:
    """A finished run's clusters: their names (segments), sizes and centroids, in the run's own order."""

    names: Sequence[str]
    sizes: Sequence[float]
    centroids: Sequence[Sequence[float]]


def clusters_matched(old: Sequence[Sequence[float]], new: Sequence[Sequence[float]]) -> list[int]:
    """For each old centroid, the new centroid matched to it, one to one, with the least total distance."""
    old_points, new_points = np.asarray(old, dtype=float), np.asarray(new, dtype=float)
    if old_points.shape != new_points.shape:
        raise ValueError("Both runs need the same number of clusters over the same features to be matched.")
    cost = np.linalg.norm(old_points[:, None, :] - new_points[None, :, :], axis=2)
    old_index, new_index = linear_sum_assignment(cost)
    return [int(n) for _, n in sorted(zip(old_index, new_index, strict=True))]


@dataclass(frozen=True)
class Drift:
    """How far the clusters moved between two runs, in words an editor reads, and whether it is news."""

    flagged: bool
    value: float  # the worst centroid shift, or the size shift when sizes moved most
    threshold: float
    description: str


def drift_between(old: RunClusters, new: RunClusters, *, centroid_threshold: float = 0.25,
                  size_threshold: float = 0.1) -> Drift:
    """Compare two runs' clusters matched by nearest centroid; a change in their number is drift in itself."""
    if len(old.centroids) != len(new.centroids):
        return Drift(True, float(len(new.centroids)), float(len(old.centroids)),
                     f"The number of clusters changed from {len(old.centroids)} to {len(new.centroids)}.")
    order = clusters_matched(old.centroids, new.centroids)
    report: DriftReport = cluster_drift(
        old_sizes=old.sizes, new_sizes=[new.sizes[n] for n in order], old_centroids=old.centroids,
        new_centroids=[new.centroids[n] for n in order], centroid_threshold=centroid_threshold,
        size_threshold=size_threshold)
    worst = max(report.clusters, key=lambda shift: shift.centroid_shift)
    if worst.centroid_shift > centroid_threshold:
        text = (f"{old.names[worst.cluster]} moved {worst.centroid_shift:.0%} of the way towards its nearest "
                "neighbouring cluster.")
        return Drift(True, worst.centroid_shift, centroid_threshold, text)
    if report.size_shift > size_threshold:
        grown = max(report.clusters, key=lambda shift: abs(shift.share_after - shift.share_before))
        text = (f"{report.size_shift:.0%} of visitors changed cluster; {old.names[grown.cluster]} went from "
                f"{grown.share_before:.0%} to {grown.share_after:.0%} of visitors.")
        return Drift(True, report.size_shift, size_threshold, text)
    return Drift(False, worst.centroid_shift, centroid_threshold, "Clusters are stable.")
