"""Insight detection on seeded synthetic traffic: what is injected is found at its exact point, and clean data
reports nothing. No database."""

import numpy as np
import pytest

from rules.anomalies import (
    cluster_drift,
    funnel_dropoffs,
    refusal_rises,
    spikes,
    stopped_event_types,
    volume_drops,
)

DAYS = 60
WEEKEND = np.array([0.8 if day % 7 in (5, 6) else 1.0 for day in range(DAYS)])


def daily(rng: np.random.Generator, mean: float) -> np.ndarray:
    """Poisson counts with a quieter weekend, as real sites have."""
    return rng.poisson(mean * WEEKEND)


def page_views(seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    means = {"home": 3000, "pricing": 400, "blog/launch": 150, "docs": 900, "careers": 40, "legal": 3}
    return {page: daily(rng, mean) for page, mean in means.items()}


def funnel(seed: int = 2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    steps = {"product viewed": (2000, 0.30), "added to cart": (600, 0.50), "checkout started": (300, 0.60)}
    result = {}
    for step, (mean, rate) in steps.items():
        reached = daily(rng, mean)
        result[step] = np.column_stack([reached, rng.binomial(reached, rate)])
    return result


def event_types(seed: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    means = {"page_view": 3000, "click": 800, "add_to_cart": 60, "purchase": 15, "video_play": 2}
    return {kind: daily(rng, mean) for kind, mean in means.items()}


def refusals(seed: int = 4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"no consent": daily(rng, 40), "invalid payload": daily(rng, 5), "rate limited": daily(rng, 2)}


def found(findings) -> list[tuple[str, int]]:
    return [(finding.key, finding.index) for finding in findings]


def test_clean_traffic_reports_nothing():
    assert found(spikes(series_by_key=page_views())) == []
    assert found(funnel_dropoffs(steps=funnel())) == []
    assert found(stopped_event_types(counts_by_type=event_types())) == []
    assert found(volume_drops(series=sum(event_types().values()))) == []
    assert found(refusal_rises(refused_by_reason=refusals())) == []


def test_a_spike_is_found_on_its_page_and_day_only():
    pages = page_views()
    pages["blog/launch"][45] *= 3
    findings = spikes(series_by_key=pages)
    assert found(findings) == [("blog/launch", 45)]
    assert findings[0].value == pages["blog/launch"][45]
    assert findings[0].baseline == pytest.approx(150, rel=0.15)
    assert "blog/launch" in findings[0].description


def test_a_jump_on_a_page_with_almost_no_traffic_is_not_news():
    pages = page_views()
    pages["legal"][45] = 15  # five times the usual 3, but too few views to matter
    assert found(spikes(series_by_key=pages)) == []


def test_a_dropoff_is_found_at_its_step_and_day_only():
    steps = funnel()
    reached = steps["added to cart"][40, 0]
    steps["added to cart"][40, 1] = round(reached * 0.30)  # half the usual 50% go on to checkout that day
    findings = funnel_dropoffs(steps=steps)
    assert found(findings) == [("added to cart", 40)]
    assert findings[0].value == pytest.approx(0.30, abs=0.01)
    assert findings[0].baseline == pytest.approx(0.50, abs=0.02)
    assert type(findings[0].value) is float  # plain figures a dashboard can serialise


def test_a_slight_dip_in_step_conversion_is_not_reported():
    steps = funnel()
    reached = steps["product viewed"][40, 0]
    steps["product viewed"][40, 1] = round(reached * 0.25)  # a sixth below usual: significant on 2000, not news
    assert found(funnel_dropoffs(steps=steps)) == []


def test_an_event_type_that_stops_arriving_is_found_on_its_first_silent_day():
    kinds = event_types()
    kinds["add_to_cart"][50:] = 0
    findings = stopped_event_types(counts_by_type=kinds)
    assert found(findings) == [("add_to_cart", 50)]
    assert "add_to_cart" in findings[0].description
    assert findings[0].score < 0 and np.isfinite(findings[0].score)  # serialisable, unlike -inf


def test_a_sudden_fall_in_all_events_is_found_but_weekends_are_not():
    total = sum(event_types().values()).astype(float)
    total[55] *= 0.3
    assert found(volume_drops(series=total)) == [("all events", 55)]


def test_a_rise_in_one_refusal_reason_is_found():
    reasons = refusals()
    reasons["invalid payload"][52] = 80
    assert found(refusal_rises(refused_by_reason=reasons)) == [("invalid payload", 52)]


OLD_CENTROIDS = [[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]]


def test_a_cluster_whose_centroid_moves_far_is_flagged_by_name():
    new = [[0.05, 0.0], [3.0, 0.05], [0.0, 4.5]]  # cluster 2 moves 1.5, half its distance (3) to a neighbour
    report = cluster_drift(
        old_sizes=[100, 100, 100], new_sizes=[100, 100, 100], old_centroids=OLD_CENTROIDS, new_centroids=new
    )
    assert report.flagged
    assert report.clusters[2].centroid_shift == pytest.approx(0.5)
    assert report.reason.startswith("Cluster 2 moved 50%")


def test_small_jitter_in_centroids_and_sizes_is_not_drift():
    new = [[0.05, 0.0], [3.0, 0.05], [-0.05, 3.0]]
    report = cluster_drift(
        old_sizes=[100, 100, 100], new_sizes=[104, 98, 98], old_centroids=OLD_CENTROIDS, new_centroids=new
    )
    assert not report.flagged
    assert report.reason == "Clusters are stable."


def test_a_large_change_in_cluster_sizes_is_flagged():
    report = cluster_drift(
        old_sizes=[100, 100, 100], new_sizes=[200, 50, 50], old_centroids=OLD_CENTROIDS, new_centroids=OLD_CENTROIDS
    )
    assert report.flagged
    assert report.size_shift == pytest.approx(1 / 3)
    assert report.clusters[0].share_after == pytest.approx(2 / 3)


def test_mismatched_clusters_are_refused_with_advice():
    with pytest.raises(ValueError, match="same matched order"):
        cluster_drift(old_sizes=[1, 2], new_sizes=[1, 2, 3], old_centroids=[[0], [1]], new_centroids=[[0], [1]])
