"""Choosing the number of clusters: Kneedle's elbow of the inertia curve, silhouette as a second opinion.

Rule: take Kneedle's k on the inertia curve; an elbow is only known to about ±1 step, so among the elbow and its
two neighbours keep the one with the best silhouette (ties keep the elbow, then the smaller k). When the inertia curve has no elbow,
take the k with the best silhouette over the whole range. With a single candidate k, take it.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from .clustering import N_INIT, ClusteringError, checked_matrix, sample_rows
from .elbow import kneedle

SAMPLE_SIZE = 20_000
SILHOUETTE_SAMPLE_SIZE = 3_000  # silhouette is quadratic in rows; this keeps it to ~0.1 s per k


@dataclass(frozen=True)
class KSelection:
    """The curves over k and the k chosen from them, with the reason in words."""

    ks: tuple[int, ...]
    inertias: tuple[float, ...]
    silhouettes: tuple[float, ...]
    knee_k: int | None
    silhouette_k: int
    k: int
    reason: str
    sample_size: int

    def as_dict(self) -> dict:
        """Return the selection as JSON-serialisable values (tuples become lists)."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def _candidate_ks(k_range: Iterable[int], sample: np.ndarray) -> list[int]:
    """Return the ks of `k_range` the sample can support (2 ≤ k ≤ distinct rows and k < rows)."""
    distinct = len(np.unique(sample, axis=0))
    if distinct < 2:
        raise ClusteringError("All visitors have identical features, so there is nothing to cluster: add features "
                              "that differ between visitors or wait for more varied traffic.")
    ks = sorted({k for k in k_range if 2 <= k <= distinct and k < len(sample)})
    if not ks:
        raise ClusteringError(f"Only {len(sample)} visitors ({distinct} distinct) for k in {sorted(set(k_range))}: "
                              "collect more visitors or ask for fewer clusters.")
    return ks


def _curves(sample: np.ndarray, ks: list[int], *, seed: int) -> tuple[list[float], list[float]]:
    """Return the inertia and silhouette of a KMeans fit on `sample` for each k, each the best of as many starts as
    the final fit: with two, k=4 on simulator traffic settled in a poor optimum (inertia 97,787 where ten starts
    found the archetypes at 76,494), which made a false elbow at k=5."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(sample), size=min(len(sample), SILHOUETTE_SAMPLE_SIZE), replace=False)
    inertias, silhouettes = [], []
    for k in ks:
        model = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(sample)
        inertias.append(float(model.inertia_))
        labels = model.labels_[rows]
        found = len(np.unique(labels))
        silhouettes.append(float(silhouette_score(sample[rows], labels)) if 2 <= found < len(rows) else -1.0)
    return inertias, silhouettes


def _decide(ks: list[int], inertias: list[float], silhouettes: list[float]) -> tuple[int | None, int, int, str]:
    """Return (knee k, silhouette-best k, chosen k, reason) by the module's rule."""
    best = ks[int(np.argmax(silhouettes))]
    if len(ks) == 1:
        return None, best, best, f"only k={best} is possible with this data"
    knee = kneedle(ks, inertias, curve="convex", direction="decreasing")
    if knee is None:
        return None, best, best, f"the inertia curve has no elbow; k={best} has the best silhouette"
    knee_k = int(knee.x)
    index = ks.index(knee_k)
    near = range(max(0, index - 1), min(len(ks), index + 2))
    chosen_index = max(near, key=lambda i: (silhouettes[i], i == index))
    chosen = ks[chosen_index]
    if chosen == knee_k:
        return knee_k, best, chosen, f"k={knee_k} is the elbow of the inertia curve (Kneedle)"
    return knee_k, best, chosen, (f"the elbow is at k={knee_k}; its neighbour k={chosen} has a better silhouette "
                                  f"({silhouettes[chosen_index]:.3f} against {silhouettes[index]:.3f})")


def choose_k(
    X: np.ndarray, *, k_range: Iterable[int] = range(2, 13), sample_size: int = SAMPLE_SIZE, seed: int = 0
) -> KSelection:
    """Return the inertia and silhouette curves of KMeans over `k_range` on a sample of X, and the k chosen.

    Raises ClusteringError when X cannot be clustered (identical rows, too few rows for any k in the range).
    """
    k_range = list(k_range)
    sample = sample_rows(checked_matrix(X), size=sample_size, seed=seed)
    ks = _candidate_ks(k_range, sample)
    inertias, silhouettes = _curves(sample, ks, seed=seed)
    knee_k, silhouette_k, k, reason = _decide(ks, inertias, silhouettes)
    return KSelection(
        ks=tuple(ks),
        inertias=tuple(inertias),
        silhouettes=tuple(silhouettes),
        knee_k=knee_k,
        silhouette_k=silhouette_k,
        k=k,
        reason=reason,
        sample_size=len(sample),
    )
