"""K-means fitting, chunked assignment, stability and quality of a clustering (pure: numpy and scikit-learn).

X is always the preprocessed float array (n_visitors x n_features) from `segments.preprocessing`.

Threads: scikit-learn runs k-means on an OpenMP pool as wide as the machine. On a machine shared with web and
drain processes its threads spin waiting for each other; measured on a busy 2-core box, choosing k over 2..12 on
20,000 rows took 20 s with the default pool and 3.5 s with one thread. Callers running in a shared worker cap it:
`with threadpoolctl.threadpool_limits(limits=1): ...` (threadpoolctl comes with scikit-learn).
"""

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score

# Up to this many rows KMeans (Lloyd, full data each step) is fast enough and exact; above it MiniBatchKMeans
# keeps a 1,000,000 x 16 fit to seconds and its memory to the data plus a batch.
LARGE_THRESHOLD = 100_000
BATCH_SIZE = 4096
N_INIT = 10  # starts kept best of: three found a poorer optimum on simulator traffic (inertia 4,979 against 3,988)


class ClusteringError(ValueError):
    """The data cannot be clustered as asked; the message says what to change."""


def checked_matrix(X: np.ndarray) -> np.ndarray:
    """Return X as a 2-D float array, or raise ClusteringError when it is empty or has NaN/inf (preprocess first)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ClusteringError(f"Expected a non-empty 2-D array (visitors x features), got shape {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ClusteringError("The features contain NaN or infinite values: run them through the preprocessing "
                              "pipeline (it imputes missing values) before clustering.")
    return X


def sample_rows(X: np.ndarray, *, size: int, seed: int) -> np.ndarray:
    """Return `size` rows of X drawn without replacement (all of X, in order, when it has no more rows)."""
    if X.shape[0] <= size:
        return X
    rng = np.random.default_rng(seed)
    return X[np.sort(rng.choice(X.shape[0], size=size, replace=False))]


def fit_kmeans(
    X: np.ndarray, *, k: int, seed: int, large_threshold: int = LARGE_THRESHOLD
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (centroids k x n_features, labels) for X; labels are None above `large_threshold` rows.

    Up to `large_threshold` rows this is KMeans; above it MiniBatchKMeans, and the caller labels the
    population with `assign_chunks` instead of holding every label from the fit.
    """
    X = checked_matrix(X)
    distinct = len(np.unique(X, axis=0)) if X.shape[0] <= large_threshold else X.shape[0]
    if not 1 <= k <= distinct:
        raise ClusteringError(f"Cannot make {k} clusters from {distinct} distinct visitors: choose k between 1 and "
                              f"{distinct}, or collect more data.")
    if X.shape[0] <= large_threshold:
        model = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(X)
        return model.cluster_centers_, model.labels_.astype(np.int32)
    model = MiniBatchKMeans(
        n_clusters=k, n_init=N_INIT, random_state=seed, batch_size=BATCH_SIZE, compute_labels=False
    ).fit(X)
    return model.cluster_centers_, None


def stability_ari(
    X: np.ndarray, *, k: int, seeds: Sequence[int] = (0, 1, 2, 3, 4), sample_size: int = 20_000
) -> float:
    """Return the mean adjusted Rand index between the clusterings of one sample of X fitted with each seed.

    1.0 means every seed finds the same grouping; values under about 0.8 mean the clusters are not reproducible.
    """
    if len(seeds) < 2:
        raise ClusteringError("Stability needs at least two seeds to compare.")
    sample = sample_rows(checked_matrix(X), size=sample_size, seed=seeds[0])
    labelings = [fit_kmeans(sample, k=k, seed=seed, large_threshold=len(sample))[1] for seed in seeds]
    return float(np.mean([adjusted_rand_score(a, b) for a, b in itertools.combinations(labelings, 2)]))


@dataclass(frozen=True)
class ClusterQuality:
    """Internal quality of a clustering measured on a sample of its visitors."""

    silhouette: float  # -1..1, higher is better
    davies_bouldin: float  # ≥ 0, lower is better
    calinski_harabasz: float  # ≥ 0, higher is better
    sample_size: int

    def as_dict(self) -> dict:
        """Return the figures as JSON-serialisable values."""
        return asdict(self)


def cluster_quality(X: np.ndarray, labels: np.ndarray, *, sample_size: int = 5_000, seed: int = 0) -> ClusterQuality:
    """Return silhouette, Davies-Bouldin and Calinski-Harabasz for `labels` on a sample of X's rows."""
    X, labels = checked_matrix(X), np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ClusteringError(f"Expected one label per row ({X.shape[0]}), got shape {labels.shape}.")
    rng = np.random.default_rng(seed)
    rows = np.arange(X.shape[0]) if X.shape[0] <= sample_size else rng.choice(X.shape[0], sample_size, replace=False)
    sample, sample_labels = X[rows], labels[rows]
    found = len(np.unique(sample_labels))
    if not 2 <= found < len(sample):
        raise ClusteringError(f"Quality needs between 2 and {len(sample) - 1} clusters in the sample, found {found}: "
                              "use a larger sample or a clustering with more than one cluster.")
    return ClusterQuality(
        silhouette=float(silhouette_score(sample, sample_labels)),
        davies_bouldin=float(davies_bouldin_score(sample, sample_labels)),
        calinski_harabasz=float(calinski_harabasz_score(sample, sample_labels)),
        sample_size=len(sample),
    )
