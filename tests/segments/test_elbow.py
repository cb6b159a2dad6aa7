"""Kneedle against the answers published with the paper and the kneed package (arvkevi/kneed, tests/test_sample.py)."""

import numpy as np
import pytest

from segments.elbow import kneedle

# kneed's DataGenerator.bumpy(): a noisy convex decreasing curve over x = 0..89.
BUMPY = [
    7305.0, 6979.0, 6666.6, 6463.2, 6326.5, 6048.8, 6032.8, 5762.0, 5742.8, 5398.2, 5256.8, 5227.0, 5001.7, 4942.0,
    4854.2, 4734.6, 4558.7, 4491.1, 4411.6, 4333.0, 4234.6, 4139.1, 4056.8, 4022.5, 3868.0, 3808.3, 3745.3, 3692.3,
    3645.6, 3618.3, 3574.3, 3504.3, 3452.4, 3401.2, 3382.4, 3340.7, 3301.1, 3247.6, 3190.3, 3180.0, 3154.2, 3089.5,
    3045.6, 2989.0, 2993.6, 2941.3, 2875.6, 2866.3, 2834.1, 2785.1, 2759.7, 2763.2, 2720.1, 2660.1, 2690.2, 2635.7,
    2632.9, 2574.6, 2556.0, 2545.7, 2513.4, 2491.6, 2496.0, 2466.5, 2442.7, 2420.5, 2381.5, 2388.1, 2340.6, 2335.0,
    2318.9, 2319.0, 2308.2, 2262.2, 2235.8, 2259.3, 2221.0, 2202.7, 2184.3, 2170.1, 2160.0, 2127.7, 2134.7, 2102.0,
    2101.4, 2066.4, 2074.3, 2063.7, 2048.1, 2031.9,
]  # fmt: skip

# A convex decreasing curve whose difference curve has a flat global maximum (kneed's test_flat_maxima).
FLAT_MAXIMUM = [
    1, 0.787701317715959, 0.7437774524158126, 0.6559297218155198, 0.5065885797950219, 0.36749633967789164,
    0.2547584187408492, 0.16251830161054173, 0.10395314787701318, 0.06734992679355783, 0.043923865300146414,
    0.027818448023426062, 0.01903367496339678, 0.013177159590043924, 0.010248901903367497, 0.007320644216691069,
    0.005856515373352855, 0.004392386530014641,
]  # fmt: skip


def test_knee_of_the_papers_figure_2_curve_is_at_x_0_22():
    x = np.linspace(0.0, 1.0, 10)
    knee = kneedle(x, -1 / (x + 0.1) + 5, curve="concave", direction="increasing")
    assert knee is not None and knee.x == pytest.approx(0.2222, abs=1e-3)
    assert knee.y == pytest.approx(1.897, abs=1e-3)


@pytest.mark.parametrize(
    ("y", "curve", "direction", "expected"),
    [
        ([100, 40, 20, 15, 10, 5, 4, 3, 2, 1], "convex", "decreasing", 2),
        ([1, 2, 3, 4, 5, 10, 15, 20, 40, 100], "convex", "increasing", 7),
        ([0, 60, 80, 85, 90, 95, 96, 97, 98, 99], "concave", "increasing", 2),
        ([99, 98, 97, 96, 95, 90, 85, 80, 60, 0], "concave", "decreasing", 7),
    ],
)
def test_knee_of_kneeds_four_sample_curves_matches_the_published_answer(y, curve, direction, expected):
    assert kneedle(range(10), y, curve=curve, direction=direction).x == expected


def test_knee_does_not_depend_on_the_scale_of_the_axes():
    y = np.array([100, 40, 20, 15, 10, 5, 4, 3])
    assert kneedle(np.arange(8) / 10, y / 10).x == pytest.approx(0.2)


def test_offline_returns_the_first_elbow_of_a_bumpy_curve_and_online_the_last():
    assert kneedle(range(90), BUMPY).x == 26
    online = kneedle(range(90), BUMPY, online=True)
    assert online.x == 53
    assert online.all_x == (26, 31, 41, 46, 53)


def test_sensitivity_zero_takes_the_first_local_maximum_and_one_the_global_plateau():
    assert kneedle(range(18), FLAT_MAXIMUM, sensitivity=0.0).x == 1
    assert kneedle(range(18), FLAT_MAXIMUM, sensitivity=1.0).x == 8


def test_online_and_offline_knees_of_a_sorted_gamma_sample_match_kneed():
    np.random.seed(23)  # kneed's test draws with the legacy global generator
    y = sorted(np.random.gamma(0.5, 1.0, 1000), reverse=True)
    x = range(1, 1001)
    assert kneedle(x, y).x == 22
    assert kneedle(x, y, online=True).x == 482
    assert [kneedle(x, y, sensitivity=s).x for s in (3, 5, 10, 100, 200)] == [137, 178, 258, 305, 482]


@pytest.mark.parametrize("true_k", [3, 4, 6])
def test_elbow_of_an_inertia_like_curve_is_where_the_steep_drop_ends(true_k):
    ks = np.arange(2, 13)
    # Each missing cluster merges two blobs and costs a lot; each extra cluster splits a blob and saves little.
    inertia = np.where(ks < true_k, 100.0 + 80.0 * (true_k - ks), 100.0 * (1 - 0.03 * (ks - true_k)))
    assert kneedle(ks, inertia).x == true_k


def test_straight_line_and_flat_curve_have_no_knee():
    assert kneedle(range(10), np.arange(10.0)[::-1]) is None
    assert kneedle(range(10), np.ones(10)) is None
    assert kneedle([1, 2], [5, 1]) is None


def test_unsorted_x_or_unknown_curve_shape_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="strictly increasing"):
        kneedle([1, 3, 2, 4], [4, 3, 2, 1])
    with pytest.raises(ValueError, match="curve must be one of"):
        kneedle([1, 2, 3], [3, 2, 1], curve="wavy")
