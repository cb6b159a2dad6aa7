"""Cluster profiles in original units, their distinguishing features and plain-language names."""

import json

import numpy as np
import pytest

from segments.cluster_profiles import cluster_moments, cluster_profiles

FEATURES = ("purchases", "page_views", "direct_share")
PHRASES = {
    "purchases": ("frequent buyers", "rare purchases"),
    "page_views": ("heavy readers", "light readers"),
    "direct_share": ("direct visits", "arrive via links"),
}


def population(seed: int = 0):
    """Return (X, labels): buyers who come direct, heavy readers who arrive via links, and everyone else."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1, 2], [200, 300, 500])
    centres = np.array([[8.0, 20.0, 0.9], [0.2, 90.0, 0.1], [0.5, 20.0, 0.5]])
    X = centres[labels] + rng.standard_normal((1000, 3)) * [0.5, 5.0, 0.05]
    return X, labels


def test_profile_has_size_share_and_means_in_original_units():
    X, labels = population()
    profiles = cluster_profiles(cluster_moments(X, labels, k=3), feature_names=FEATURES, phrases=PHRASES)
    assert [p.size for p in profiles] == [200, 300, 500]
    assert [p.share for p in profiles] == [0.2, 0.3, 0.5]
    np.testing.assert_allclose(profiles[1].means, X[labels == 1].mean(axis=0))


def test_z_scores_compare_the_cluster_mean_with_the_population():
    X, labels = population()
    profile = cluster_profiles(cluster_moments(X, labels, k=3), feature_names=FEATURES)[0]
    expected = (X[labels == 0].mean(axis=0) - X.mean(axis=0)) / X.std(axis=0)
    np.testing.assert_allclose(profile.z_scores, expected)


def test_names_come_from_the_most_distinguishing_features():
    X, labels = population()
    profiles = cluster_profiles(cluster_moments(X, labels, k=3), feature_names=FEATURES, phrases=PHRASES)
    assert profiles[0].top_features[:2] == ("purchases", "direct_share")
    assert profiles[0].name == "frequent buyers, direct visits"
    assert profiles[1].name == "heavy readers, arrive via links"


def test_names_are_unique_within_a_run():
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1, 2, 3], 100)
    # Clusters 0 and 1 both buy often and come direct; only their page views tell them apart.
    # Clusters 2 and 3 are the same visitors twice, so nothing tells them apart.
    centres = np.array([[9.0, 40.0, 0.9], [9.0, 20.0, 0.9], [0.5, 30.0, 0.2]])
    X = centres[labels.clip(max=2)] + rng.standard_normal((400, 3)) * [0.3, 10.0, 0.03]
    X[300:] = X[200:300]
    profiles = cluster_profiles(cluster_moments(X, labels, k=4), feature_names=FEATURES, phrases=PHRASES)
    names = [p.name for p in profiles]
    assert len(set(names)) == 4
    assert names[0].endswith(", heavy readers") and names[1].endswith(", light readers")
    assert names[0].startswith("frequent buyers, direct visits") or names[0].startswith("direct visits, frequent")
    assert names[3] == names[2] + " (2)"


def test_features_without_a_phrase_are_named_after_the_feature_and_an_average_cluster_is_typical():
    X, labels = population()
    X = np.column_stack([X, np.zeros(1000)])
    labels = np.where(np.arange(1000) % 10 == 0, 3, labels)  # a random tenth of everyone: average on every feature
    profiles = cluster_profiles(cluster_moments(X, labels, k=4), feature_names=(*FEATURES, "flat"))
    assert profiles[0].name == "high purchases, high direct_share"
    assert profiles[3].name == "typical visitors"


def test_moments_of_chunks_add_up_to_the_moments_of_the_whole_and_missing_values_are_left_out():
    X, labels = population()
    X[::7, 1] = np.nan
    whole = cluster_profiles(cluster_moments(X, labels, k=3), feature_names=FEATURES)
    parts = [cluster_moments(X[i : i + 300], labels[i : i + 300], k=3) for i in range(0, 1000, 300)]
    merged = parts[0].merged(parts[1]).merged(parts[2]).merged(parts[3])
    chunked = cluster_profiles(merged, feature_names=FEATURES)
    for part, entire in zip(chunked, whole, strict=True):
        assert (part.size, part.name, part.top_features) == (entire.size, entire.name, entire.top_features)
        assert part.means == pytest.approx(entire.means) and part.z_scores == pytest.approx(entire.z_scores)
    assert whole[0].means[1] == pytest.approx(np.nanmean(X[labels == 0, 1]))
    assert json.loads(json.dumps(whole[0].as_dict()))["name"] == whole[0].name


def test_an_empty_cluster_has_no_means_rather_than_made_up_ones():
    X, labels = population()
    profiles = cluster_profiles(cluster_moments(X, labels, k=4), feature_names=FEATURES)
    assert profiles[3].size == 0 and profiles[3].means == (None, None, None)


def test_feature_names_must_match_the_columns():
    X, labels = population()
    with pytest.raises(ValueError, match="2 feature names for 3 features"):
        cluster_profiles(cluster_moments(X, labels, k=3), feature_names=FEATURES[:2])
