"""Ward clustering on a sample: a dendrogram a chart can draw and groups nested at two levels."""

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from segments.clustering import ClusteringError
from segments.hierarchy import ward_hierarchy
from segments.placement import assign_chunks, nearest_centroids


def pairs_of_blobs(n: int = 400, seed: int = 0):
    """Return (X, fine truth, coarse truth): 4 blobs in 2 far-apart pairs; each pair's blobs are closer together."""
    rng = np.random.default_rng(seed)
    fine = rng.integers(0, 4, size=n)
    centres = np.array([[0, 0, 0], [6, 0, 0], [40, 0, 0], [46, 0, 0]], dtype=float)
    return centres[fine] + rng.standard_normal((n, 3)) * 0.7, fine, fine // 2


def test_fine_and_coarse_cuts_recover_the_blobs_and_their_pairs():
    X, fine, coarse = pairs_of_blobs()
    tree = ward_hierarchy(X, fine_k=4, coarse_k=2)
    assert adjusted_rand_score(fine, tree.fine_labels) == pytest.approx(1.0)
    assert adjusted_rand_score(coarse, tree.coarse_labels) == pytest.approx(1.0)


def test_every_fine_group_lies_inside_exactly_one_coarse_group():
    X, _, _ = pairs_of_blobs(seed=1)
    tree = ward_hierarchy(X, fine_k=4, coarse_k=2)
    fine, coarse = np.array(tree.fine_labels), np.array(tree.coarse_labels)
    for group, parent in enumerate(tree.parent_of):
        assert set(coarse[fine == group]) == {parent}
    assert sorted(set(tree.parent_of)) == [0, 1]
    assert sorted(tree.parent_of).count(0) == 2  # each pair of blobs shares a parent


def test_dendrogram_is_truncated_to_the_last_merges_and_stored_as_json():
    X, _, _ = pairs_of_blobs(n=600, seed=2)
    tree = ward_hierarchy(X, fine_k=4, coarse_k=2, max_leaves=12)
    assert len(tree.leaf_labels) == 12
    assert len(tree.icoord) == len(tree.dcoord) == 11  # a binary tree over 12 leaves merges 11 times
    assert len(tree.merges) == 11
    heights = [row[2] for row in tree.merges]
    assert heights == sorted(heights) and heights[-1] == max(max(d) for d in tree.dcoord)
    stored = json.loads(json.dumps(tree.as_dict()))
    assert stored["parent_of"] == list(tree.parent_of)


def test_a_sample_bounds_the_work_and_its_group_centroids_label_the_rest_of_the_population():
    X, fine, coarse = pairs_of_blobs(n=5000, seed=3)
    tree = ward_hierarchy(X, fine_k=4, coarse_k=2, sample_size=500)
    assert tree.sample_size == 500 and len(tree.fine_labels) == 500
    everyone_fine = np.concatenate(list(assign_chunks(np.array_split(X, 5), np.array(tree.fine_centroids))))
    everyone_coarse = nearest_centroids(X, np.array(tree.coarse_centroids))
    assert adjusted_rand_score(fine, everyone_fine) == pytest.approx(1.0)
    assert adjusted_rand_score(coarse, everyone_coarse) == pytest.approx(1.0)


def test_a_coarse_level_finer_than_the_fine_level_is_refused_with_what_to_give():
    X, _, _ = pairs_of_blobs()
    with pytest.raises(ClusteringError, match="coarse_k < fine_k"):
        ward_hierarchy(X, fine_k=3, coarse_k=3)
