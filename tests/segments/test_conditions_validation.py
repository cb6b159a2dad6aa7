"""Checking conditions: errors that say where, why and what to do, and rows that can never hold together."""

import math

import pytest
from hypothesis import HealthCheck, given, settings

from segments.conditions import (
    MAX_DEPTH,
    MAX_ROWS,
    MAX_TEXT_LENGTH,
    ConditionInvalid,
    describe,
    explain,
    leaves,
    parse,
    to_json,
    validate,
)

from .strategies import conditions
from .vocabulary import NOW, VOCAB, at, row

# --- validation: errors say where, why and what to do --------------------------------------------

def _deep(levels):
    node = row("visits", "gt", 1)
    for _ in range(levels):
        node = {"all": [node]}
    return node


INVALID = [
    # data, code, where, words in the message
    (row("visitz", "gt", 1), "unknown_field", "row 1", "did you mean 'visits'"),
    (row("profile__user__password", "eq", "x"), "unknown_field", "row 1", "pick a field"),
    ({"all": [row("visits", "gt", 1), {"any": [row("path", "gt", 1)]}]}, "operator", at("all > any (item 2) > row 1"), "is more than"),
    (row("path", "regex", "^a"), "operator", "row 1", "use one of"),
    (row("visits", "gt", "5"), "value", "row 1", "number"),
    (row("visits", "gt", 5.5), "value", "row 1", "whole number"),
    (row("visits", "gt", True), "value", "row 1", "number"),
    (row("score", "gt", math.nan), "value", "row 1", "number"),
    (row("score", "gt", math.inf), "value", "row 1", "number"),
    (row("returning", "eq", 1), "value", "row 1", "yes or no"),
    (row("path", "eq", ""), "value", "row 1", "is not set"),
    (row("path", "eq", "x" * (MAX_TEXT_LENGTH + 1)), "value", "row 1", "at most"),
    (row("path", "matches", "*" * 20), "value", "row 1", "fewer wildcards"),
    (row("page_type", "eq", "Product"), "value", "row 1", "pick one of product, cat, article"),
    (row("visits", "between", [10, 3]), "value", "row 1", "write 3 and 10"),
    (row("visits", "between", [3]), "value", "row 1", "two values"),
    (row("visits", "in", []), "value", "row 1", "list"),
    (row("visits", "is_set", 5), "value", "row 1", "takes no value"),
    (row("visits", "gt"), "value", "row 1", "needs a value"),
    (row("engaged", "gt", -1), "value", "row 1", "0 seconds or more"),
    (row("last_purchase", "within_last", 0), "value", "row 1", "days"),
    (row("affinity", "gt", 0.5), "key", "row 1", "needs a key"),
    (row("visits", "gt", 1, key="x"), "key", "row 1", "takes no key"),
    ({"field": "visits", "op": "gt", "value": 1, "lookup": "x"}, "shape", "row 1", "Unexpected 'lookup'"),
    ({"all": []}, "empty_group", "all", "add a row"),
    ({"any": [{"all": []}]}, "empty_group", at("any > all (item 1)"), "empty"),
    ({"all": [row("visits", "gt", 1)], "any": []}, "shape", "row 1", "group"),
    ([row("visits", "gt", 1)], "shape", "row 1", "group"),
    ({"not": {"not": row("visits", "gt", 1)}}, "shape", "not", "cancels out"),
    (_deep(MAX_DEPTH + 1), "too_deep", at("all > all (item 1) > all (item 1) > all (item 1) > all (item 1)"), "flatten"),
    ({"all": [row("visits", "gt", i) for i in range(MAX_ROWS + 1)]}, "too_many_rows", "all", "at most"),
]


@pytest.mark.parametrize(("data", "code", "where", "words"), INVALID)
def test_an_invalid_condition_names_the_row_the_problem_and_the_fix(data, code, where, words):
    errors = validate(data, VOCAB)
    assert [(e.code, e.where) for e in errors if e.code == code] == [(code, where)], errors
    assert words in next(e.message for e in errors if e.code == code)
    with pytest.raises(ConditionInvalid) as raised:
        parse(data, VOCAB)
    assert str(raised.value).startswith(f"{where}: ") or where == ""


def test_every_problem_of_a_condition_is_reported_at_once():
    data = {"all": [row("visitz", "gt", 1), row("visits", "gt", "x"), row("visits", "gt", 5), row("visits", "lt", 3)]}
    assert [e.code for e in validate(data, VOCAB)] == ["unknown_field", "value", "contradiction"]


def test_the_deepest_allowed_nesting_is_accepted():
    assert validate(_deep(MAX_DEPTH), VOCAB) == []


def test_a_negated_row_keeps_its_row_name():
    errors = validate({"all": [row("visits", "gt", 1), {"not": row("visits", "gt", "x")}]}, VOCAB)
    assert [e.where for e in errors] == [at("all > row 2")]


def test_stored_json_reads_back_into_the_same_condition():
    data = {
        "all": [
            row("visits", "between", [3, 10]),
            {"any": [row("path", "matches", "/p/*"), {"not": row("segments", "includes", "vip")}]},
            row("affinity", "gt", 0.5, key="shoes"),
            row("path", "is_set"),
        ]
    }
    assert to_json(parse(data, VOCAB)) == data


def test_a_list_value_drops_repeated_items():
    assert parse(row("visits", "in", [1, 2, 1]), VOCAB).value == (1, 2)


# --- contradictions within one `all` group -------------------------------------------------------

CONTRADICTIONS = [
    ([row("visits", "gt", 5), row("visits", "lt", 3)], True),
    ([row("visits", "gt", 5), row("visits", "lt", 7)], False),
    ([row("visits", "gt", 5), row("visits", "lt", 6)], True),  # no whole number lies between 5 and 6
    ([row("score", "gt", 5), row("score", "lt", 6)], False),
    ([row("score", "gte", 5), row("score", "lte", 5)], False),
    ([row("score", "gt", 5), row("score", "lte", 5)], True),
    ([row("score", "eq", 5), row("score", "ne", 5)], True),
    ([row("score", "between", [1, 4]), row("score", "gt", 4)], True),
    ([row("visits", "in", [1, 2]), row("visits", "gt", 2)], True),
    ([row("visits", "in", [1, 2]), row("visits", "in", [3])], True),
    ([row("visits", "in", [1, 2]), row("visits", "in", [2, 3])], False),
    ([row("visits", "in", [1, 2]), row("visits", "not_in", [1, 2])], True),
    ([row("path", "eq", "/a"), row("path", "eq", "/b")], True),
    ([row("path", "eq", "/a"), row("path", "eq", "/a")], False),
    ([row("path", "eq", "/a"), row("path", "starts_with", "/b")], True),
    ([row("path", "in", ["/a", "/b"]), row("path", "ne", "/a")], False),
    ([row("path", "contains", "a"), row("path", "contains", "b")], False),
    ([row("page_type", "eq", "product"), row("page_type", "eq", "cat")], True),
    ([row("page_type", "ne", "product"), row("page_type", "not_in", ["cat", "article"])], True),  # no choice left
    ([row("returning", "eq", True), row("returning", "eq", False)], True),
    ([row("returning", "eq", True), row("returning", "ne", False)], False),
    ([row("visits", "is_set"), row("visits", "is_not_set")], True),
    ([row("visits", "gt", 1), row("visits", "is_not_set")], True),  # a missing value fails gt
    ([row("path", "is_not_set"), row("path", "is_not_set")], False),
    ([row("segments", "includes", "a"), row("segments", "not_includes", "a")], True),
    ([row("segments", "includes_any", ["a", "b"]), row("segments", "not_includes", "a"), row("segments", "not_includes", "b")], True),
    ([row("segments", "includes", "a"), row("segments", "not_includes", "b")], False),
    ([row("segments", "not_includes", "a"), row("segments", "is_not_set")], False),  # an empty set lacks a
    ([row("segments", "includes", "a"), row("segments", "is_not_set")], True),
    ([row("last_purchase", "within_last", 7), row("last_purchase", "not_within_last", 30)], True),
    ([row("last_purchase", "within_last", 30), row("last_purchase", "not_within_last", 7)], False),
    ([row("affinity", "gt", 0.5, key="shoes"), row("affinity", "lt", 0.2, key="shoes")], True),
    ([row("affinity", "gt", 0.5, key="shoes"), row("affinity", "lt", 0.2, key="hats")], False),  # other keys
    ([row("visits", "gt", 5), row("score", "lt", 3)], False),  # other fields
    ([row("visits", "gt", 5), {"not": row("visits", "gt", 3)}], False),  # only plain rows are compared
]


@pytest.mark.parametrize(("rows", "contradictory"), CONTRADICTIONS)
def test_rows_of_one_all_group_that_can_never_hold_together_are_refused(rows, contradictory):
    codes = [e.code for e in validate({"all": rows}, VOCAB)]
    assert codes == (["contradiction"] if contradictory else [])


def test_the_same_rows_in_an_any_group_are_no_contradiction():
    assert validate({"any": [row("visits", "gt", 5), row("visits", "lt", 3)]}, VOCAB) == []


def test_a_contradiction_names_the_two_rows_that_clash():
    rows = [row("visits", "gt", 5), row("path", "eq", "/a"), row("visits", "ne", 4), row("visits", "lt", 3)]
    (error,) = validate({"any": [row("score", "gt", 1), {"all": rows}]}, VOCAB)
    assert error.where == at("any > all (item 2)")
    assert error.message.startswith("visits: 'more than 5' (row 1) and 'less than 3' (row 4) can never all be true")


def test_a_nested_all_group_is_checked_for_contradictions_too():
    errors = validate({"any": [{"all": [row("returning", "eq", True), row("returning", "eq", False)]}]}, VOCAB)
    assert [(e.code, e.where) for e in errors] == [("contradiction", at("any > all (item 1)"))]


def test_rows_of_an_all_group_inside_an_all_group_are_checked_with_their_parents_rows():
    data = {"all": [row("sections", "is_not_set"), {"all": [row("sections", "includes", "a")]}]}
    (error,) = validate(data, VOCAB)
    assert (error.code, error.where) == ("contradiction", at("all"))
    assert "'is empty' (row 1) and 'includes a' (all (item 2) > row 1)".replace(" > ", " \u203a ") in error.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=conditions())
def test_every_usable_condition_reads_back_describes_and_explains_itself(data):
    try:
        condition = parse(data, VOCAB)
    except ConditionInvalid as invalid:
        assert {e.code for e in invalid.errors} <= {"contradiction", "shape"}  # the rows themselves are valid
        return
    assert parse(to_json(condition), VOCAB) == condition
    assert describe(condition)
    assert len(explain(condition, {}, now=NOW)) == len(list(leaves(condition)))


def test_a_one_row_any_group_that_clashes_with_its_all_group_is_a_contradiction():
    data = {"not": {"all": [{"all": [{"field": "engaged", "op": "eq", "value": 30}]},
                            {"any": [{"field": "engaged", "op": "eq", "value": 0}]}]}}
    with pytest.raises(ConditionInvalid, match="can never all be true at once"):
        parse(data, VOCAB)
