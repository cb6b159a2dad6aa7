"""What each cluster looks like in original units, and a plain-language name for it.

Profiles come from per-cluster moments (counts, sums, sums of squares per feature, NaN left out), which add up
across chunks: the caller can stream the population chunk by chunk, call `cluster_moments` on each and `merged`
them, then `cluster_profiles` once.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

MIN_Z = 0.5  # a feature this many population standard deviations off the mean is worth naming the cluster by
NAME_PHRASES = 2
TYPICAL = "typical visitors"


@dataclass(frozen=True, eq=False)
class ClusterMoments:
    """Per cluster and feature: number of known values, their sum and sum of squares (k x n_features each)."""

    counts: np.ndarray
    sums: np.ndarray
    squares: np.ndarray
    sizes: np.ndarray  # visitors per cluster, known values or not

    def merged(self, other: "ClusterMoments") -> "ClusterMoments":
        """Return the moments of both chunks together."""
        return ClusterMoments(self.counts + other.counts, self.sums + other.sums, self.squares + other.squares,
                              self.sizes + other.sizes)


def cluster_moments(X: np.ndarray, labels: np.ndarray, *, k: int) -> ClusterMoments:
    """Return the moments of the rows of X (original units, NaN for missing) grouped by their label in 0..k-1."""
    X, labels = np.asarray(X, dtype=float), np.asarray(labels, dtype=int)
    known = ~np.isnan(X)
    values = np.where(known, X, 0.0)
    one_hot = np.zeros((k, len(labels)))
    one_hot[labels, np.arange(len(labels))] = 1.0
    return ClusterMoments(one_hot @ known, one_hot @ values, one_hot @ (values * values), one_hot.sum(axis=1))


@dataclass(frozen=True)
class ClusterProfile:
    """One cluster: its size, feature means in original units, z-scores against the population, and a name."""

    cluster: int
    size: int
    share: float
    means: tuple[float | None, ...]  # None where the cluster has no known value
    z_scores: tuple[float, ...]
    top_features: tuple[str, ...]  # largest |z| first
    name: str

    def as_dict(self) -> dict:
        """Return the profile as JSON-serialisable values."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def _phrase(feature: str, z: float, phrases: Mapping[str, tuple[str, str]]) -> str:
    high, low = phrases.get(feature, (f"high {feature}", f"low {feature}"))
    return high if z > 0 else low


def _unique_names(candidates: list[list[str]]) -> list[str]:
    """Return one name per cluster from its ranked phrases: two phrases, more where names clash, then a number.

    Names clash when they use the same phrases, in any order ("direct visits, frequent buyers" and "frequent
    buyers, direct visits" describe the same visitors).
    """
    used = [min(NAME_PHRASES, len(phrases)) for phrases in candidates]
    while True:
        keys = [frozenset(phrases[:n]) for phrases, n in zip(candidates, used, strict=True)]
        clashing = [i for i, key in enumerate(keys) if keys.count(key) > 1 and used[i] < len(candidates[i])]
        if not clashing:
            break
        for i in clashing:
            used[i] += 1
    seen: dict[frozenset, int] = {}
    names = []
    for phrases, n, key in zip(candidates, used, keys, strict=True):
        seen[key] = seen.get(key, 0) + 1
        name = ", ".join(phrases[:n]) or TYPICAL
        names.append(name if seen[key] == 1 else f"{name} ({seen[key]})")
    return names


def cluster_profiles(
    moments: ClusterMoments,
    *,
    feature_names: Sequence[str],
    phrases: Mapping[str, tuple[str, str]] | None = None,
    top: int = 3,
) -> tuple[ClusterProfile, ...]:
    """Return the profile of each cluster; names join the (high, low) `phrases` of its most distinctive features.

    A feature without a phrase reads "high <feature>" / "low <feature>"; a cluster with no feature at least
    MIN_Z standard deviations off the population mean is named "typical visitors". Names are unique in the run.
    """
    if moments.sums.shape[1] != len(feature_names):
        raise ValueError(f"Got {len(feature_names)} feature names for {moments.sums.shape[1]} features.")
    with np.errstate(invalid="ignore", divide="ignore"):
        means = moments.sums / moments.counts
        total = moments.counts.sum(axis=0)
        population_mean = moments.sums.sum(axis=0) / total
        variance = np.maximum(moments.squares.sum(axis=0) / total - population_mean**2, 0.0)
        std = np.sqrt(variance)
        z = np.where(std > 0, (means - population_mean) / std, 0.0)
    z = np.nan_to_num(z)
    names = list(feature_names)
    ranked = [np.argsort(-np.abs(row), kind="stable") for row in z]
    candidates = [[_phrase(names[f], row[f], phrases or {}) for f in order[:top] if abs(row[f]) >= MIN_Z]
                  for row, order in zip(z, ranked, strict=True)]
    population = max(float(moments.sizes.sum()), 1.0)
    return tuple(
        ClusterProfile(
            cluster=c,
            size=int(moments.sizes[c]),
            share=float(moments.sizes[c]) / population,
            means=tuple(None if np.isnan(m) else float(m) for m in means[c]),
            z_scores=tuple(float(v) for v in z[c]),
            top_features=tuple(names[f] for f in ranked[c][:top]),
            name=name,
        )
        for c, name in enumerate(_unique_names(candidates))
    )
