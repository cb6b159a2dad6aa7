"""Placing visitors with a fitted model (pure: numpy only, no scikit-learn): the preprocessing as plain arrays,
and the nearest centroid. This is what runs as events are stored and pages are served, so processes that never
fit a model never import scikit-learn (about 1.5 s and 150 MB per process)."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class FrozenTransform:
    """A fitted preprocessing pipeline as plain arrays: same output, a few microseconds per visitor."""

    medians: np.ndarray
    log_mask: np.ndarray
    means: np.ndarray
    scales: np.ndarray
    components: np.ndarray | None = None
    pca_mean: np.ndarray | None = None

    @classmethod
    def from_pipeline(cls, pipeline) -> "FrozenTransform":
        """Return the frozen form of a pipeline fitted by `segments.preprocessing.preprocessing_pipeline` (arrays
        laid out as `from_dict` lays them, so a stored transform gives the same floats to the last bit)."""
        steps = pipeline.named_steps
        pca = steps.get("pca")
        return cls(
            medians=np.ascontiguousarray(steps["impute"].statistics_, dtype=float),
            log_mask=np.ascontiguousarray(steps["log"].kw_args["mask"], dtype=bool),
            means=np.ascontiguousarray(steps["scale"].mean_, dtype=float),
            scales=np.ascontiguousarray(steps["scale"].scale_, dtype=float),
            components=None if pca is None else np.ascontiguousarray(pca.components_, dtype=float),
            pca_mean=None if pca is None else np.ascontiguousarray(pca.mean_, dtype=float),
        )

    @classmethod
    def from_dict(cls, data: dict) -> "FrozenTransform":
        """Return the transform stored by `as_dict`."""
        optional = {key: None if data.get(key) is None else np.asarray(data[key], dtype=float)
                    for key in ("components", "pca_mean")}
        return cls(
            medians=np.asarray(data["medians"], dtype=float),
            log_mask=np.asarray(data["log_mask"], dtype=bool),
            means=np.asarray(data["means"], dtype=float),
            scales=np.asarray(data["scales"], dtype=float),
            **optional,
        )

    def as_dict(self) -> dict:
        """Return the transform as JSON-serialisable lists."""
        return {
            "medians": self.medians.tolist(),
            "log_mask": self.log_mask.tolist(),
            "means": self.means.tolist(),
            "scales": self.scales.tolist(),
            "components": None if self.components is None else self.components.tolist(),
            "pca_mean": None if self.pca_mean is None else self.pca_mean.tolist(),
        }

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return the rows of X (n x n_features, NaN for missing) in the clustering space."""
        X = np.asarray(X, dtype=float)
        X = np.where(np.isnan(X), self.medians, X)
        logged = np.sign(X) * np.log1p(np.abs(X))
        X = np.where(self.log_mask, logged, X)
        X = (X - self.means) / self.scales
        if self.components is not None:
            X = (X - self.pca_mean) @ self.components.T
        return X

    def transform_row(self, values: Sequence[float]) -> np.ndarray:
        """Return one visitor's feature values in the clustering space."""
        return self.transform(np.asarray(values, dtype=float).reshape(1, -1))[0]

    def nearest(self, values: Sequence[float], centroids: np.ndarray) -> int:
        """Return the index of the centroid nearest to one visitor's transformed values."""
        offsets = centroids - self.transform_row(values)
        return int(np.argmin(np.einsum("ij,ij->i", offsets, offsets)))


def nearest_centroids(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Return, for each row of X, the index of its nearest centroid (Euclidean; ties go to the lower index)."""
    X = np.asarray(X, dtype=float)
    # |x - c|² = |x|² - 2x·c + |c|²; |x|² is the same for every centroid, so it does not change the argmin.
    scores = (centroids * centroids).sum(axis=1) - 2.0 * (X @ centroids.T)
    return np.argmin(scores, axis=1).astype(np.int32)


def assign_chunks(chunks: Iterable[np.ndarray], centroids: np.ndarray) -> Iterator[np.ndarray]:
    """Yield the nearest-centroid labels of each chunk of rows, one array per chunk, in order."""
    centroids = np.asarray(centroids, dtype=float)
    for chunk in chunks:
        yield nearest_centroids(chunk, centroids)
