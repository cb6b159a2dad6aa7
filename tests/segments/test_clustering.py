"""Fitting k-means, labelling a population chunk by chunk, stability and quality."""

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score

from segments.clustering import ClusteringError, cluster_quality, fit_kmeans, stability_ari
from segments.placement import assign_chunks, nearest_centroids

from .blobs import blobs


def test_kmeans_recovers_four_blobs_labels():
    X, truth = blobs(n=2000, seed=0)
    centroids, labels = fit_kmeans(X, k=4, seed=0)
    assert centroids.shape == (4, 12)
    assert adjusted_rand_score(truth, labels) >= 0.95


def test_minibatch_above_the_threshold_recovers_the_blobs_and_leaves_labelling_to_chunks():
    X, truth = blobs(n=20_000, seed=1)
    centroids, labels = fit_kmeans(X, k=4, seed=0, large_threshold=5_000)
    assert labels is None
    chunked = np.concatenate(list(assign_chunks(np.array_split(X, 7), centroids)))
    assert adjusted_rand_score(truth, chunked) >= 0.95


def test_the_same_seed_gives_the_same_centroids():
    X, _ = blobs(n=1000, seed=2)
    np.testing.assert_array_equal(fit_kmeans(X, k=4, seed=3)[0], fit_kmeans(X, k=4, seed=3)[0])


def test_chunked_assignment_equals_assigning_everyone_at_once_and_the_fit_labels():
    X, _ = blobs(n=1500, seed=3)
    centroids, labels = fit_kmeans(X, k=4, seed=0)
    chunks = list(assign_chunks((X[i : i + 400] for i in range(0, len(X), 400)), centroids))
    assert [len(chunk) for chunk in chunks] == [400, 400, 400, 300]
    np.testing.assert_array_equal(np.concatenate(chunks), labels)
    brute = np.argmin(((X[:, None, :] - centroids[None]) ** 2).sum(axis=2), axis=1)
    np.testing.assert_array_equal(nearest_centroids(X, centroids), brute)


def test_k_larger_than_the_distinct_visitors_is_refused_with_what_to_do():
    with pytest.raises(ClusteringError, match="choose k between 1 and 3"):
        fit_kmeans(np.array([[0.0, 0], [1, 1], [2, 2], [2, 2]]), k=4, seed=0)


def test_well_separated_blobs_are_stable_across_seeds_and_noise_is_not():
    X, _ = blobs(n=1000, seed=4)
    assert stability_ari(X, k=4, seeds=(0, 1, 2)) >= 0.95
    noise = np.random.default_rng(0).uniform(size=(1000, 12))
    assert stability_ari(noise, k=7, seeds=(0, 1, 2)) < 0.9


def test_quality_figures_equal_scikit_learns_on_the_whole_data_when_it_fits_in_the_sample():
    X, _ = blobs(n=800, seed=5)
    _, labels = fit_kmeans(X, k=4, seed=0)
    quality = cluster_quality(X, labels, sample_size=1000)
    assert quality.silhouette == pytest.approx(silhouette_score(X, labels))
    assert quality.davies_bouldin == pytest.approx(davies_bouldin_score(X, labels))
    assert quality.calinski_harabasz == pytest.approx(calinski_harabasz_score(X, labels))
    assert json.loads(json.dumps(quality.as_dict()))["sample_size"] == 800


def test_quality_of_a_single_cluster_is_refused_with_what_to_do():
    X, _ = blobs(n=100, seed=6)
    with pytest.raises(ClusteringError, match="more than one cluster"):
        cluster_quality(X, np.zeros(100, dtype=int))
