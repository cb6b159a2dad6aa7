"""Choosing k: the Kneedle elbow of the inertia curve, with the silhouette as a second opinion."""

import json

import numpy as np
import pytest

from segments.clustering import ClusteringError
from segments.k_selection import _decide, choose_k

from .blobs import blobs


@pytest.mark.parametrize("dims", [8, 16])
def test_four_well_separated_blobs_give_k_4(dims):
    X, _ = blobs(n=1200, dims=dims, seed=dims)
    selection = choose_k(X, k_range=range(2, 10), seed=0)
    assert selection.k == 4
    assert selection.knee_k == 4
    assert selection.silhouette_k == 4
    assert "elbow" in selection.reason


def test_curves_cover_the_range_asked_and_inertia_falls_as_k_grows():
    X, _ = blobs(n=600, seed=1)
    selection = choose_k(X, k_range=range(2, 8), seed=0)
    assert selection.ks == (2, 3, 4, 5, 6, 7)
    assert len(selection.inertias) == len(selection.silhouettes) == 6
    assert all(a > b for a, b in zip(selection.inertias, selection.inertias[1:], strict=False))


def test_the_same_seed_gives_the_same_selection_and_it_is_stored_as_json():
    X, _ = blobs(n=600, seed=2)
    first, second = choose_k(X, k_range=range(2, 7), seed=5), choose_k(X, k_range=range(2, 7), seed=5)
    assert first == second
    assert json.loads(json.dumps(first.as_dict()))["k"] == first.k


def test_a_sample_is_used_when_the_population_is_larger_than_the_sample_size():
    X, _ = blobs(n=3000, seed=3)
    selection = choose_k(X, k_range=range(2, 7), sample_size=800, seed=0)
    assert selection.sample_size == 800
    assert selection.k == 4


def test_silhouette_settles_an_elbow_that_is_one_step_off():
    ks = [2, 3, 4, 5, 6]
    inertias = [500.0, 200.0, 150.0, 140.0, 135.0]  # elbow at 3
    silhouettes = [0.3, 0.4, 0.6, 0.35, 0.3]
    knee_k, silhouette_k, k, reason = _decide(ks, inertias, silhouettes)
    assert (knee_k, silhouette_k, k) == (3, 4, 4)
    assert "better silhouette" in reason


def test_silhouette_far_from_the_elbow_does_not_override_it():
    ks, inertias = [2, 3, 4, 5, 6, 7], [900.0, 600.0, 300.0, 280.0, 270.0, 265.0]  # elbow at 4
    knee_k, silhouette_k, k, _ = _decide(ks, inertias, [0.9, 0.4, 0.5, 0.3, 0.3, 0.3])
    assert (knee_k, silhouette_k, k) == (4, 2, 4)


def test_without_an_elbow_the_best_silhouette_decides():
    knee_k, silhouette_k, k, reason = _decide([2, 3, 4, 5], [400.0, 300.0, 200.0, 100.0], [0.2, 0.5, 0.3, 0.1])
    assert (knee_k, silhouette_k, k) == (None, 3, 3)
    assert "no elbow" in reason


def test_identical_visitors_are_refused_with_what_to_do():
    with pytest.raises(ClusteringError, match="identical"):
        choose_k(np.ones((50, 4)), seed=0)


def test_fewer_visitors_than_k_restricts_the_range_to_what_the_data_supports():
    X, _ = blobs(n=6, dims=4, seed=0)
    selection = choose_k(X, k_range=range(2, 13), seed=0)
    assert selection.ks == (2, 3, 4, 5)


def test_too_few_visitors_for_any_k_are_refused_with_what_to_do():
    with pytest.raises(ClusteringError, match="collect more visitors"):
        choose_k(np.array([[0.0, 1.0], [1.0, 0.0]]), seed=0)


def test_missing_values_are_refused_with_a_pointer_to_preprocessing():
    X, _ = blobs(n=100, seed=0)
    X[3, 2] = np.nan
    with pytest.raises(ClusteringError, match="preprocessing"):
        choose_k(X, seed=0)
