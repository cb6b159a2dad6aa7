"""Agreement of clusters with labels from outside: contingency table, adjusted Rand index, NMI."""

import json
from collections import Counter

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from segments.validation import Contingency, contingency_table, external_validation

# Three clusters against three outside personas, with some mixing.
TABLE = [[40, 5, 0], [3, 30, 7], [0, 10, 25]]


def pairs_of(table):
    return [(c, f"persona {o}") for c, row in enumerate(table) for o, n in enumerate(row) for _ in range(n)]


def test_contingency_table_counts_visitors_by_cluster_and_outside_label():
    table = contingency_table(pairs_of(TABLE))
    assert table.clusters == (0, 1, 2)
    assert table.outside == ("persona 0", "persona 1", "persona 2")
    assert table.counts == tuple(tuple(row) for row in TABLE)


def test_scores_equal_scikit_learns_on_a_known_table():
    pairs = pairs_of(TABLE)
    clusters, outside = zip(*pairs, strict=True)
    result = external_validation(contingency_table(pairs))
    assert result.adjusted_rand == pytest.approx(adjusted_rand_score(outside, clusters))
    assert result.normalized_mutual_information == pytest.approx(normalized_mutual_info_score(outside, clusters))
    assert 0.3 < result.adjusted_rand < 0.7


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_equal_scikit_learns_on_random_labellings(seed):
    rng = np.random.default_rng(seed)
    clusters, outside = rng.integers(0, 5, 300), rng.integers(0, 3, 300)
    result = external_validation(contingency_table(zip(clusters.tolist(), outside.tolist(), strict=True)))
    assert result.adjusted_rand == pytest.approx(adjusted_rand_score(outside, clusters), abs=1e-12)
    assert result.normalized_mutual_information == pytest.approx(normalized_mutual_info_score(outside, clusters))
    assert abs(result.adjusted_rand) < 0.05  # chance agreement scores about zero


def test_the_same_grouping_under_other_names_scores_one():
    pairs = [(c, "abc"[c]) for c in [0, 0, 1, 1, 1, 2]]
    result = external_validation(contingency_table(pairs))
    assert result.adjusted_rand == 1.0 and result.normalized_mutual_information == pytest.approx(1.0)


def test_everyone_in_one_cluster_and_one_label_agrees_and_an_empty_table_is_refused():
    single = external_validation(contingency_table([("a", "x")] * 5))
    assert single.adjusted_rand == 1.0 and single.normalized_mutual_information == 1.0
    with pytest.raises(ValueError, match="outside label"):
        external_validation(contingency_table([]))


def test_a_table_from_grouped_counts_equals_the_table_from_pairs_and_is_stored_as_json():
    pairs = pairs_of(TABLE)
    from_counts = Contingency.from_counts(Counter(pairs))
    assert from_counts == contingency_table(pairs)
    stored = json.loads(json.dumps(external_validation(from_counts).as_dict()))
    assert stored["counts"] == TABLE
