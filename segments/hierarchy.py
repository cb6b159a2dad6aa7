"""Ward hierarchical clustering on a sample, with a dendrogram a chart can draw and a nested grouping.

Ward's merges are nested by construction, so cutting the tree at `fine_k` and at a smaller `coarse_k` puts
every fine group inside exactly one coarse group; `Hierarchy.parent_of` records which.
"""

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import dendrogram, fcluster, linkage

from .clustering import ClusteringError, checked_matrix, sample_rows

SAMPLE_SIZE = 2_000  # Ward needs the n² pairwise distances: 2,000 rows is 16 MB and well under a second
MAX_LEAVES = 30


@dataclass(frozen=True)
class Hierarchy:
    """A Ward tree on a sample: the drawable dendrogram of its last merges and labels at two cut levels.

    `icoord`/`dcoord` are scipy's dendrogram segments (one 4-point U per merge: x positions and heights), drawn
    as lines from (icoord[i][j], dcoord[i][j]); `leaf_labels` name the leaves left to right ("(123)" is a
    collapsed branch of 123 visitors). `merges` are the last rows of scipy's linkage matrix: node ids below
    `sample_size` are visitors, id `sample_size + i` is the node made by merge i. `fine_labels`/`coarse_labels`
    are 0-based and follow the sample's rows; the groups' centroids (in the clustering space) label the rest of
    the population with `clustering.assign_chunks`.
    """

    icoord: tuple[tuple[float, ...], ...]
    dcoord: tuple[tuple[float, ...], ...]
    leaf_labels: tuple[str, ...]
    merges: tuple[tuple[float, float, float, float], ...]  # the last linkage rows: (a, b, distance, size)
    fine_k: int
    coarse_k: int
    fine_labels: tuple[int, ...]
    coarse_labels: tuple[int, ...]
    parent_of: tuple[int, ...]  # parent_of[fine group] is the coarse group holding it
    fine_centroids: tuple[tuple[float, ...], ...]
    coarse_centroids: tuple[tuple[float, ...], ...]
    sample_size: int

    def as_dict(self) -> dict:
        """Return the hierarchy as JSON-serialisable lists."""
        return {
            "icoord": [list(segment) for segment in self.icoord],
            "dcoord": [list(segment) for segment in self.dcoord],
            "leaf_labels": list(self.leaf_labels),
            "merges": [list(row) for row in self.merges],
            "fine_k": self.fine_k,
            "coarse_k": self.coarse_k,
            "fine_labels": list(self.fine_labels),
            "coarse_labels": list(self.coarse_labels),
            "parent_of": list(self.parent_of),
            "fine_centroids": [list(row) for row in self.fine_centroids],
            "coarse_centroids": [list(row) for row in self.coarse_centroids],
            "sample_size": self.sample_size,
        }


def _cut(tree: np.ndarray, k: int) -> np.ndarray:
    """Return 0-based labels for the tree cut into k groups, numbered by first appearance."""
    raw = fcluster(tree, t=k, criterion="maxclust")
    _, first, inverse = np.unique(raw, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))  # rank of each group by the row where it first appears
    return order[inverse].astype(int)


def _centroids(sample: np.ndarray, labels: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """Return the mean row of each group, in label order."""
    return tuple(tuple(float(v) for v in sample[labels == group].mean(axis=0)) for group in range(labels.max() + 1))


def _parents(fine: np.ndarray, coarse: np.ndarray) -> tuple[int, ...]:
    """Return the coarse group of each fine group, checking each fine group lies in exactly one."""
    parents = []
    for group in range(int(fine.max()) + 1):
        holders = np.unique(coarse[fine == group])
        if len(holders) != 1:
            raise AssertionError(f"fine group {group} spans coarse groups {holders.tolist()}: the cuts are not nested")
        parents.append(int(holders[0]))
    return tuple(parents)


def ward_hierarchy(
    X: np.ndarray,
    *,
    fine_k: int,
    coarse_k: int,
    sample_size: int = SAMPLE_SIZE,
    max_leaves: int = MAX_LEAVES,
    seed: int = 0,
) -> Hierarchy:
    """Return the Ward tree of a sample of X, cut at `fine_k` and at the coarser `coarse_k` groups."""
    sample = sample_rows(checked_matrix(X), size=sample_size, seed=seed)
    distinct = len(np.unique(sample, axis=0))
    if not 1 <= coarse_k < fine_k <= distinct:
        raise ClusteringError(f"Need 1 ≤ coarse_k < fine_k ≤ {distinct} (distinct visitors in the sample); got "
                              f"coarse_k={coarse_k}, fine_k={fine_k}.")
    tree = linkage(sample, method="ward")
    drawn = dendrogram(tree, truncate_mode="lastp", p=max(max_leaves, fine_k), no_plot=True)
    fine, coarse = _cut(tree, fine_k), _cut(tree, coarse_k)
    return Hierarchy(
        icoord=tuple(tuple(float(v) for v in segment) for segment in drawn["icoord"]),
        dcoord=tuple(tuple(float(v) for v in segment) for segment in drawn["dcoord"]),
        leaf_labels=tuple(str(label) for label in drawn["ivl"]),
        merges=tuple(tuple(float(v) for v in row) for row in tree[-(max(max_leaves, fine_k) - 1):]),
        fine_k=int(fine.max()) + 1,
        coarse_k=int(coarse.max()) + 1,
        fine_labels=tuple(int(v) for v in fine),
        coarse_labels=tuple(int(v) for v in coarse),
        parent_of=_parents(fine, coarse),
        fine_centroids=_centroids(sample, fine),
        coarse_centroids=_centroids(sample, coarse),
        sample_size=len(sample),
    )
