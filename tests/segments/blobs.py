"""Synthetic visitors for the clustering tests: well-separated blobs with known labels."""

import numpy as np


def blobs(*, n: int = 1200, dims: int = 12, k: int = 4, separation: float = 5.0, seed: int = 0):
    """Return (X, labels): k unit-variance blobs whose centres sit `separation` apart on different axes."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, size=n)
    centres = np.zeros((k, dims))
    centres[np.arange(k), np.arange(k)] = separation
    return centres[labels] + rng.standard_normal((n, dims)), labels
