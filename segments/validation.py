"""Agreement between clusters and labels from outside (a CRM tier, a survey answer, the demo's personas).

Everything is computed from the contingency table, so the caller can build it with a GROUP BY over the
population and never hold the pairs: `Contingency.from_counts` takes {(cluster, outside label): count}.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Contingency:
    """Visitors counted by cluster (rows) and outside label (columns), labels in sorted order."""

    clusters: tuple[Hashable, ...]
    outside: tuple[Hashable, ...]
    counts: tuple[tuple[int, ...], ...]

    @classmethod
    def from_counts(cls, counts: Mapping[tuple[Hashable, Hashable], int]) -> "Contingency":
        """Return the table of {(cluster, outside label): number of visitors}."""
        clusters = tuple(sorted({c for c, _ in counts}, key=repr))
        outside = tuple(sorted({o for _, o in counts}, key=repr))
        return cls(clusters, outside, tuple(tuple(int(counts.get((c, o), 0)) for o in outside) for c in clusters))

    def as_array(self) -> np.ndarray:
        """Return the counts as an integer array (clusters x outside labels)."""
        return np.array(self.counts, dtype=np.int64).reshape(len(self.clusters), len(self.outside))


def _pairs(counts):
    """Return n choose 2 for each count: the pairs among n people."""
    counts = np.asarray(counts, dtype=float)
    return counts * (counts - 1) / 2


def contingency_table(pairs: Iterable[tuple[Hashable, Hashable]]) -> Contingency:
    """Return the contingency table of (cluster label, outside label) pairs."""
    return Contingency.from_counts(Counter(pairs))


def adjusted_rand_index(table: np.ndarray) -> float:
    """Return the adjusted Rand index of a contingency table (1 identical partitions, about 0 chance)."""
    table = np.asarray(table, dtype=np.int64)
    n = table.sum()
    pairs_within = _pairs(table).sum()
    pairs_rows, pairs_columns = _pairs(table.sum(axis=1)).sum(), _pairs(table.sum(axis=0)).sum()
    expected = pairs_rows * pairs_columns / _pairs(n) if n > 1 else 0.0
    maximum = (pairs_rows + pairs_columns) / 2
    if maximum == expected:
        return 1.0  # both partitions trivial (one group, or all singletons): they agree perfectly
    return float((pairs_within - expected) / (maximum - expected))


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def normalized_mutual_information(table: np.ndarray) -> float:
    """Return the mutual information of a contingency table over the mean of the two entropies (0..1)."""
    table = np.asarray(table, dtype=float)
    n = table.sum()
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    if (rows > 0).sum() <= 1 and (columns > 0).sum() <= 1:
        return 1.0  # one group on both sides: identical partitions
    nonzero = table > 0
    joint = table[nonzero] / n
    independent = np.outer(rows, columns)[nonzero] / (n * n)
    mutual = float((joint * np.log(joint / independent)).sum())
    normaliser = (_entropy(rows) + _entropy(columns)) / 2
    return max(mutual, 0.0) / max(normaliser, np.finfo(float).eps)


@dataclass(frozen=True)
class ExternalValidation:
    """The contingency table of clusters against outside labels, and the two agreement scores."""

    table: Contingency
    adjusted_rand: float
    normalized_mutual_information: float

    def as_dict(self) -> dict:
        """Return the validation as JSON-serialisable values (labels must themselves be serialisable)."""
        return {
            "clusters": list(self.table.clusters),
            "outside": list(self.table.outside),
            "counts": [list(row) for row in self.table.counts],
            "adjusted_rand": self.adjusted_rand,
            "normalized_mutual_information": self.normalized_mutual_information,
        }


def external_validation(table: Contingency) -> ExternalValidation:
    """Return the adjusted Rand index and normalised mutual information of a contingency table."""
    counts = table.as_array()
    if counts.sum() == 0:
        raise ValueError("The contingency table is empty: validation needs visitors with an outside label.")
    return ExternalValidation(table, adjusted_rand_index(counts), normalized_mutual_information(counts))
