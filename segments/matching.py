"""Matching a new run's clusters to the previous run's, so that names editors gave survive a re-clustering.

Both sets of centroids must be in the same space: the new run's standardised (clustering) space, with the old
run's clusters carried into it (for example the old clusters' members transformed by the new run's
`FrozenTransform` and averaged).
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

# Centroids further apart than this (in standard deviations of the clustering space) are different clusters.
MAX_DISTANCE = 1.0


@dataclass(frozen=True)
class ClusterMatch:
    """A new cluster and the old cluster it continues (old_id None: it is new)."""

    new_index: int
    old_id: Hashable | None
    distance: float | None

    @property
    def status(self) -> str:
        """Return "matched" or "new"."""
        return "new" if self.old_id is None else "matched"


@dataclass(frozen=True)
class ClusterMatching:
    """For each new cluster its match, and the old clusters no new cluster continues."""

    matches: tuple[ClusterMatch, ...]
    retired: tuple[Hashable, ...]

    def as_dict(self) -> dict:
        """Return the matching as JSON-serialisable values (old ids must themselves be serialisable)."""
        return {
            "matches": [{"new_index": m.new_index, "old_id": m.old_id, "distance": m.distance, "status": m.status}
                        for m in self.matches],
            "retired": list(self.retired),
        }


def match_clusters(
    *,
    new_centroids: np.ndarray,
    old_centroids: np.ndarray,
    old_ids: Sequence[Hashable],
    max_distance: float = MAX_DISTANCE,
) -> ClusterMatching:
    """Return the one-to-one matching of new to old centroids with the least total distance, none above max_distance."""
    new = np.asarray(new_centroids, dtype=float).reshape(len(new_centroids), -1)
    old = np.asarray(old_centroids, dtype=float).reshape(len(old_centroids), -1) if len(old_centroids) else None
    if len(old_ids) != len(old_centroids):
        raise ValueError(f"Got {len(old_ids)} old ids for {len(old_centroids)} old centroids.")
    if old is None or len(new) == 0:
        return ClusterMatching(tuple(ClusterMatch(i, None, None) for i in range(len(new))), tuple(old_ids))
    if old.shape[1] != new.shape[1]:
        raise ValueError(f"Old centroids have {old.shape[1]} dimensions and new ones {new.shape[1]}: put both in "
                         "the new run's clustering space first.")
    distances = np.linalg.norm(new[:, None, :] - old[None, :, :], axis=2)
    # Pairs over the threshold cost more than any admissible pairing, so they are only used when nothing else is
    # left, and are then dropped: the assignment never trades an admissible pair for a forbidden one.
    penalty = max_distance * min(len(new), len(old)) + 1.0
    rows, columns = linear_sum_assignment(np.where(distances <= max_distance, distances, penalty))
    matched = {int(r): int(c) for r, c in zip(rows, columns, strict=True) if distances[r, c] <= max_distance}
    matches = tuple(
        ClusterMatch(i, old_ids[matched[i]], float(distances[i, matched[i]])) if i in matched
        else ClusterMatch(i, None, None)
        for i in range(len(new))
    )
    kept = set(matched.values())
    return ClusterMatching(matches, tuple(old_ids[j] for j in range(len(old_ids)) if j not in kept))
