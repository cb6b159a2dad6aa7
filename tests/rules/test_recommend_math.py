"""The recommendation maths on small known examples, without a database."""

from math import sqrt

import pytest

from rules.recommend_math import (
    NEXT_WEIGHT,
    SESSION_GAP_MS,
    SessionSplitter,
    Tallies,
    View,
    concentration,
    diversified,
    next_items,
    ranked,
    related_items,
)

MINUTE = 60_000


def test_a_pause_longer_than_thirty_minutes_starts_a_new_session():
    splitter = SessionSplitter()
    finished = splitter.add([View("a", 0, "boots"), View("a", MINUTE, "socks"),
                             View("a", MINUTE + SESSION_GAP_MS + 1, "hats")])
    assert finished == [["boots", "socks"]]
    assert splitter.finish() == [["hats"]]


def test_sessions_of_visitors_gone_quiet_are_closed_as_time_passes_so_memory_holds_only_open_ones():
    splitter = SessionSplitter()
    splitter.add([View("a", 0, "boots"), View("b", MINUTE, "socks")])
    finished = splitter.add([View("b", SESSION_GAP_MS, "hats"), View("c", SESSION_GAP_MS + 2 * MINUTE, "coats")])
    assert finished == [["boots"]]
    assert sorted(splitter.open) == ["b", "c"]


def test_items_viewed_in_the_same_sessions_are_neighbours_scored_by_cosine():
    tallies = Tallies()
    tallies.add_sessions([["boots", "socks"], ["boots", "socks"], ["boots", "hats"], ["socks"]])
    related = related_items(tallies)
    # boots in 3 sessions, socks in 3, together in 2; hats in 1, with boots in 1
    assert related["boots"] == [("socks", pytest.approx(2 / 3)), ("hats", pytest.approx(1 / sqrt(3)))]
    assert related["socks"] == [("boots", pytest.approx(2 / 3))]


def test_an_item_everybody_views_ranks_below_a_rarer_item_viewed_with_the_same_one():
    tallies = Tallies()
    tallies.add_sessions([["boots", "laces"]] * 3 + [["boots", "bestseller"]] * 3 + [["bestseller"]] * 30)
    assert [key for key, _ in related_items(tallies)["boots"]] == ["laces", "bestseller"]


def test_a_page_type_is_no_item_and_a_reload_is_no_step():
    tallies = Tallies()
    tallies.add_session(["type:home", "boots", "boots", "type:cart"])
    assert tallies.sessions_with == {"boots": 1}
    assert tallies.steps["boots"] == {"type:cart": 1}
    assert "boots" not in tallies.steps["boots"]


def test_next_items_are_markov_probabilities_over_every_step_out_of_the_page():
    tallies = Tallies()
    tallies.add_sessions([["type:home", "boots"], ["type:home", "boots"], ["type:home", "socks"],
                          ["type:home", "type:cart"]])
    assert next_items(tallies)["type:home"] == [("boots", 0.5), ("socks", 0.25)]
    assert "boots" not in next_items(tallies)  # nothing opened after boots


def test_ranking_puts_co_visited_items_first_and_fills_up_with_popular_ones():
    keys = ranked(related=[("socks", 0.6), ("hats", 0.2)], following=[("hats", 0.2), ("coats", 0.1)], affinity={},
                  category_of={}, popular=["scarf", "socks", "gloves"], exclude=set(), limit=5)
    assert keys == ["socks", "hats", "coats", "scarf", "gloves"]


def test_next_page_probability_adds_to_co_visitation_with_its_weight():
    keys = ranked(related=[("socks", 0.3), ("hats", 0.2)], following=[("hats", 0.3)], affinity={}, category_of={},
                  popular=[], exclude=set(), limit=2)
    assert 0.2 + NEXT_WEIGHT * 0.3 > 0.3
    assert keys == ["hats", "socks"]


def test_the_visitors_category_affinity_lifts_items_of_that_category():
    keys = ranked(related=[("socks", 0.5), ("novel", 0.4)], following=[], affinity={"books": 0.9, "shoes": 0.1},
                  category_of={"socks": "shoes", "novel": "books"}, popular=[], exclude=set(), limit=2)
    assert keys == ["novel", "socks"]


def test_excluded_items_never_appear_even_as_popular_fallback():
    keys = ranked(related=[("socks", 0.5)], following=[], affinity={}, category_of={}, popular=["socks", "boots"],
                  exclude={"socks", "boots"}, limit=4)
    assert keys == []


def test_cold_start_with_nothing_computed_gives_the_popular_items_in_order():
    keys = ranked(related=[], following=[], affinity={"shoes": 1.0}, category_of={}, popular=["a", "b", "c"],
                  exclude={"b"}, limit=2)
    assert keys == ["a", "c"]


def test_a_diversified_list_replaces_its_last_item_with_the_first_of_another_category():
    category_of = {"a": "shoes", "b": "shoes", "c": "shoes", "d": "winter", "e": "winter"}
    assert diversified(["a", "b"], candidates=["c", "d", "e"], category_of=category_of, favourite="shoes",
                       exclude=set(), limit=2) == ["a", "d"]
    assert diversified(["a"], candidates=["d"], category_of=category_of, favourite="shoes", exclude=set(),
                       limit=3) == ["a", "d"]  # a short list gets the explored item added
    assert diversified(["a", "b"], candidates=["c", "d"], category_of=category_of, favourite="shoes",
                       exclude={"d"}, limit=2) == ["a", "b"]  # nothing else qualifies: unchanged


def test_concentration_is_one_for_a_single_category_and_one_over_n_for_all_different():
    category_of = {"a": "shoes", "b": "shoes", "c": "winter", "d": "bags"}
    assert concentration(["a", "b"], category_of) == 1.0
    assert concentration(["a", "c", "d"], category_of) == pytest.approx(1 / 3)
    assert concentration(["a", "b", "c", "d"], category_of) == pytest.approx(0.375)
    assert concentration([], category_of) is None
