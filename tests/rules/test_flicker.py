"""Swap delays kept as a histogram give percentiles close to the exact ones."""

import numpy as np
import pytest

from rules.flicker import EDGES_MS, histogram_add, histogram_merge, histogram_percentile


def test_percentiles_from_the_histogram_stay_within_their_bucket_of_the_exact_ones():
    values = np.random.default_rng(3).lognormal(mean=5.5, sigma=0.6, size=5000)  # about 250 ms typical
    histogram = histogram_merge([histogram_add([], values[:2000]), histogram_add(None, values[2000:])])
    assert sum(histogram) == 5000
    for share in (0.5, 0.95):
        exact = float(np.quantile(values, share))
        above = next(edge for edge in EDGES_MS if edge > exact)
        below = max([0, *(edge for edge in EDGES_MS if edge <= exact)])
        assert below <= histogram_percentile(histogram, share) <= above


def test_an_empty_histogram_has_no_percentile_and_the_slowest_bucket_reads_as_its_edge():
    assert histogram_percentile(histogram_add([], []), 0.5) is None
    assert histogram_percentile(histogram_add([], [60_000]), 0.95) == pytest.approx(EDGES_MS[-1])
