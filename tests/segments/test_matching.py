"""Matching a new run's clusters to the previous run's, so that editors' names carry over."""

import json

import numpy as np
import pytest

from segments.matching import match_clusters

OLD = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0], [3.0, 3.0]])
OLD_IDS = ("loyal", "browsers", "bargain hunters", "newcomers")


def test_a_reordered_rerun_keeps_every_clusters_identity():
    order = [2, 0, 3, 1]
    new = OLD[order] + 0.05
    matching = match_clusters(new_centroids=new, old_centroids=OLD, old_ids=OLD_IDS)
    assert [m.old_id for m in matching.matches] == [OLD_IDS[i] for i in order]
    assert all(m.status == "matched" for m in matching.matches)
    assert matching.retired == ()


def test_a_cluster_far_from_every_old_one_is_new_and_an_old_one_left_unmatched_is_retired():
    new = np.array([[3.1, 0.0], [0.0, 0.1], [10.0, 10.0], [0.1, 3.0]])  # "newcomers" gone, one far-off cluster
    matching = match_clusters(new_centroids=new, old_centroids=OLD, old_ids=OLD_IDS, max_distance=1.0)
    assert [m.old_id for m in matching.matches] == ["browsers", "loyal", None, "bargain hunters"]
    assert matching.matches[2].status == "new"
    assert matching.retired == ("newcomers",)


def test_more_new_clusters_than_old_ones_leaves_the_extra_ones_new():
    new = np.vstack([OLD, [[1.5, 1.5]]])
    matching = match_clusters(new_centroids=new, old_centroids=OLD, old_ids=OLD_IDS, max_distance=1.0)
    assert [m.status for m in matching.matches] == ["matched"] * 4 + ["new"]


def test_the_total_distance_is_least_rather_than_each_new_cluster_taking_its_nearest():
    # Nearest-first would give new 0 old "b" (0.45), leaving new 1 nothing within reach (old "a" is 1.5 away);
    # the assignment pairs new 0 with "a" (0.55) and new 1 with "b" (0.5), so both keep an identity.
    old = np.array([[0.0], [1.0]])
    new = np.array([[0.45], [-0.5]])
    matching = match_clusters(new_centroids=new, old_centroids=old, old_ids=("b", "a"), max_distance=0.7)
    assert [m.old_id for m in matching.matches] == ["a", "b"]


def test_a_first_run_has_only_new_clusters():
    matching = match_clusters(new_centroids=OLD, old_centroids=np.empty((0, 2)), old_ids=())
    assert [m.status for m in matching.matches] == ["new"] * 4 and matching.retired == ()


def test_matching_is_stored_as_json():
    matching = match_clusters(new_centroids=OLD[:3], old_centroids=OLD, old_ids=OLD_IDS)
    stored = json.loads(json.dumps(matching.as_dict()))
    assert stored["retired"] == ["newcomers"]
    assert stored["matches"][0] == {"new_index": 0, "old_id": "loyal", "distance": 0.0, "status": "matched"}


def test_centroids_of_different_spaces_are_refused_with_what_to_do():
    with pytest.raises(ValueError, match="clustering space"):
        match_clusters(new_centroids=np.zeros((2, 3)), old_centroids=OLD, old_ids=OLD_IDS)
