"""Insight's pure counting on hand-computable visits: sessions, top paths, the transition matrix, funnels per
segment and per day, cohort retention, scroll depth, exits, unusual sections and cluster matching. No database."""

from datetime import date

import pytest

from rules.insight.cohorts import RetentionCounter, week_label, week_start
from rules.insight.drift import RunClusters, clusters_matched, drift_between
from rules.insight.engagement import EngagementCounter, PageView, Sample, robust_z, session_page_figures
from rules.insight.paths import (
    ALL,
    ENTRY,
    EXIT,
    FunnelCounts,
    Hit,
    PathCounter,
    funnel_reach,
    funnel_steps_read,
    sessions_split,
)

MINUTE = 60_000
GAP = 30 * MINUTE
SHOP = [{"label": "Product", "page_type": "product"}, {"label": "Cart", "page_type": "cart"},
        {"label": "Checkout", "path": "/checkout/*"}, {"label": "Purchase", "event": "purchase"}]


def page(minute: int, page_type: str, path: str = "") -> Hit:
    return Hit(minute * MINUTE, path or f"/{page_type}/", page_type)


def action(minute: int, name: str) -> Hit:
    return Hit(minute * MINUTE, "/checkout/pay/", "", name)


def test_a_visitors_hits_are_cut_into_sessions_after_thirty_quiet_minutes():
    hits = [page(0, "home"), page(10, "article"), page(40, "article"), page(71, "home"), page(100, "cart")]
    assert [[hit.ts_ms // MINUTE for hit in session] for session in sessions_split(hits, gap_ms=GAP)] == [
        [0, 10, 40], [71, 100]]


def test_top_paths_and_transitions_count_sessions_by_page_type():
    counter = PathCounter()
    counter.add([page(0, "home"), page(1, "article"), page(2, "article")])
    counter.add([page(0, "home"), page(1, "article"), page(2, "article")])
    counter.add([page(0, "article"), action(1, "newsletter_signup")])
    counter.add([action(0, "purchase")])  # no page view: no path
    top = counter.top()
    assert counter.sessions == 3
    assert top["page_types"][0] == {"path": "home → article → article", "sessions": 2, "share": pytest.approx(2 / 3)}
    assert top["page_types"][1]["path"] == "article"
    matrix = counter.matrix()
    assert matrix["rows"] == [ENTRY, "article", "home"] and matrix["columns"] == ["article", "home", EXIT]
    assert matrix["counts"] == [[1, 2, 0], [2, 0, 3], [2, 0, 0]]
    assert matrix["shares"][1] == pytest.approx([0.4, 0.0, 0.6])


def test_a_long_path_is_shown_to_four_steps_and_marked_as_going_on():
    counter = PathCounter()
    counter.add([page(n, "article", f"/a{n}/") for n in range(6)])
    assert counter.top()["pages"][0]["path"] == "/a0/ → /a1/ → /a2/ → /a3/ → …"


def test_a_funnel_step_counts_only_after_the_step_before_it():
    steps = funnel_steps_read(SHOP)
    assert funnel_reach(steps, [page(0, "cart"), page(1, "product"), page(2, "checkout", "/checkout/pay/")]) == 1
    assert funnel_reach(steps, [page(0, "product"), page(1, "cart"), page(2, "checkout", "/checkout/pay/"),
                                action(3, "purchase")]) == 4
    assert funnel_reach(steps, [page(0, "home")]) == 0


def test_funnel_counts_give_reached_and_dropoff_per_step_per_segment():
    counts = FunnelCounts(funnel_steps_read(SHOP))
    full = [page(0, "product"), page(1, "cart"), page(2, "checkout", "/checkout/"), action(3, "purchase")]
    to_cart = [page(0, "product"), page(1, "cart")]
    for session, keys in [(full, (ALL, "loyal")), (to_cart, (ALL, "loyal")), (to_cart, (ALL,)),
                          ([page(0, "product")], (ALL,))]:
        counts.add(session, keys=keys)
    assert counts.summary(ALL) == {"reached": [4, 3, 1, 1], "dropoff": [pytest.approx(0.25), pytest.approx(2 / 3),
                                                                        0.0, None]}
    assert counts.summary("loyal")["reached"] == [2, 2, 1, 1]
    assert counts.summary("nobody") == {"reached": [0, 0, 0, 0], "dropoff": [None, None, None, None]}


def test_funnel_step_series_pair_reached_with_went_on_per_day():
    counts = FunnelCounts(funnel_steps_read(SHOP[:3]))
    counts.add([page(0, "product"), page(1, "cart")], keys=(0,))
    counts.add([page(0, "product")], keys=(0,))
    counts.add([page(0, "product"), page(1, "cart"), page(2, "checkout", "/checkout/")], keys=(2,))
    assert counts.step_series(range(3)) == {"Product → Cart": [(2, 1), (0, 0), (1, 1)],
                                            "Cart → Checkout": [(1, 0), (0, 0), (1, 1)]}


@pytest.mark.parametrize(("steps", "message"), [
    ("product, cart", "A funnel is a list of 2 to 10 steps"),
    ([{"label": "Product", "page_type": "product"}], "A funnel is a list of 2 to 10 steps"),
    ([{"label": "Product", "page_type": "product"}, {"page_type": "cart"}], "Step 2 needs a label"),
    ([{"label": "A", "page_type": "product"}, {"label": "B"}], "Step 2 ('B') needs exactly one of page_type"),
    ([{"label": "A", "page_type": "product", "event": "x"}, {"label": "B", "event": "y"}], "Step 1 ('A') needs"),
    ([{"label": "A", "page_type": "product"}, {"label": "B", "path": "cart"}], "a path starts with /"),
    ([{"label": "A", "page_type": "product"}, {"label": "B", "url": "/cart/"}], "unknown key 'url'"),
    ([{"label": "A", "page_type": "product"}, {"label": "A", "event": "purchase"}], "its own label"),
])
def test_badly_written_funnel_steps_are_refused_saying_which_step_and_how(steps, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        funnel_steps_read(steps)


def test_retention_counts_each_cohort_by_the_weeks_its_visitors_came_back():
    counter = RetentionCounter()
    monday = date(2024, 1, 1)  # 2024-W01
    counter.add(first_visit=monday, visit_days=[monday, date(2024, 1, 9), date(2024, 1, 17)])  # weeks 0, 1, 2
    counter.add(first_visit=date(2024, 1, 3), visit_days=[date(2024, 1, 3), date(2024, 1, 18)])  # weeks 0, 2
    counter.add(first_visit=date(2024, 1, 10), visit_days=[date(2024, 1, 11)])  # W02, week 0 only
    matrix = counter.matrix(last_day=date(2024, 1, 19))
    assert matrix["weeks"] == ["2024-W01", "2024-W02"] and matrix["sizes"] == [2, 1]
    assert matrix["counts"] == [[2, 1, 2], [1, 0, None]]  # W02 has no week 2 yet
    assert matrix["shares"][0] == [1.0, 0.5, 1.0]


def test_iso_weeks_start_on_monday_and_are_named_by_iso_year():
    assert week_start(date(2024, 12, 31)) == date(2024, 12, 30)
    assert week_label(date(2024, 12, 31)) == "2025-W01"


def test_scroll_depth_is_counted_at_the_deepest_milestone_reached():
    counter = EngagementCounter()
    for scroll in (0, 10, 25, 60, 75, 100, 100, 95):
        counter.add_view(PageView("/a/", "news", 1000, scroll))
    distribution = counter.scroll_distribution()
    assert distribution["milestones"] == [0, 25, 50, 75, 90, 100]
    assert distribution["counts"] == [2, 1, 1, 1, 1, 2]
    assert distribution["shares"][-1] == 0.25


def test_exit_pages_have_their_exit_rate_against_their_views():
    counter = EngagementCounter()
    for path in ("/a/", "/a/", "/a/", "/a/", "/b/"):
        counter.add_view(PageView(path, "", 0, 0))
    counter.add_exit("/a/")
    counter.add_exit("/b/")
    counter.add_exit("/b/")
    assert counter.exit_pages() == [{"path": "/b/", "exits": 2, "views": 1, "exit_rate": 2.0},
                                    {"path": "/a/", "exits": 1, "views": 4, "exit_rate": 0.25}]


def test_a_section_read_three_times_longer_than_the_others_is_flagged_high():
    counter = EngagementCounter()
    for section, seconds in [("news", 30), ("sport", 32), ("weather", 28), ("tech", 31), ("longreads", 90)]:
        for _ in range(20):
            counter.add_view(PageView(f"/{section}/", section, seconds * 1000, 50))
    counter.add_view(PageView("/x/", "rare", 1_000_000, 50))  # one view: shown, not judged
    rows = {row["section"]: row for row in counter.sections()}
    assert rows["longreads"]["flag"] == "high" and rows["longreads"]["median_seconds"] == 90
    assert [name for name, row in rows.items() if row["flag"]] == ["longreads"]
    assert rows["rare"]["z"] is None


def test_robust_z_is_measured_in_scaled_median_deviations_floored_at_a_tenth():
    assert robust_z([10, 10, 10, 10, 20]) == pytest.approx([0, 0, 0, 0, 10.0])  # spread floored at 1
    assert robust_z([1, 2, 3, 4, 100])[2] == 0


def test_a_sample_keeps_at_most_its_size_and_its_median_stays_near_the_true_one():
    sample = Sample(1000)
    for value in range(100_000):
        sample.add(value)
    assert len(sample.values) == 1000 and sample.seen == 100_000
    assert sample.median() == pytest.approx(50_000, rel=0.1)


def test_a_page_view_left_open_into_a_later_session_adds_only_what_it_gained_there():
    assert session_page_figures([90_000, 75, "news", 15_000, 1]) == (90_000, 75, "news")
    assert session_page_figures([90_000, 75, "news", 60_000, 0]) == (30_000, 75, "news")
    assert session_page_figures([5000, 50, "news"]) == (5000, 50, "news")  # an older row of three figures


def test_clusters_are_matched_to_the_nearest_centroid_one_to_one():
    assert clusters_matched([[0, 0], [5, 5], [9, 0]], [[9.1, 0], [0.2, 0], [5, 5.3]]) == [1, 2, 0]


def test_drift_names_the_segment_whose_centroid_moved_after_matching():
    old = RunClusters(["Readers", "Shoppers", "Browsers"], [100, 100, 100], [[0, 0], [3, 0], [0, 3]])
    reordered = RunClusters(["c0", "c1", "c2"], [100, 100, 100], [[0, 4.5], [0.05, 0], [3, 0.05]])
    drift = drift_between(old, reordered)
    assert drift.flagged and drift.description.startswith("Browsers moved 50%")
    steady = RunClusters(["c0", "c1", "c2"], [101, 99, 100], [[3, 0.02], [0, 3], [0.01, 0]])
    assert not drift_between(old, steady).flagged


def test_a_change_in_the_number_of_clusters_is_drift():
    old = RunClusters(["A", "B"], [10, 10], [[0], [1]])
    drift = drift_between(old, RunClusters(["A", "B", "C"], [5, 5, 10], [[0], [1], [2]]))
    assert drift.flagged and "from 2 to 3" in drift.description
