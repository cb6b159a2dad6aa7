"""Conditions as editors meet them: form rows typed as text, and plain-language descriptions."""

import pytest

from segments.conditions import AllOf, AnyOf, ConditionInvalid, Leaf, Not, describe, duration_text, parse, parse_rows

from .vocabulary import VOCAB


def form(field, op, value="", **extra):
    return {"field": field, "op": op, "value": value, **extra}


FORM_VALUES = [
    # field, op, text, value kept
    ("visits", "gte", "5", 5),
    ("visits", "gte", " 5 ", 5),
    ("visits", "gte", "5.0", 5),
    ("score", "gt", "0.5", 0.5),
    ("score", "gt", "-2", -2),
    ("cart_value", "gt", "50 €", 50),
    ("engaged", "gt", "90", 90),
    ("engaged", "gt", "90s", 90),
    ("engaged", "gt", "3m", 180),
    ("engaged", "gt", "3 min", 180),
    ("engaged", "gt", "1.5 minutes", 90),
    ("engaged", "gt", "1h 30m", 5400),
    ("engaged", "gt", "1h30m", 5400),
    ("engaged", "gt", "2 hours", 7200),
    ("engaged", "gt", "2:30", 150),
    ("engaged", "between", "1m to 3m", (60, 180)),
    ("visits", "between", "3 and 10", (3, 10)),
    ("visits", "between", "3..10", (3, 10)),
    ("visits", "between", "3, 10", (3, 10)),
    ("score", "between", "-5 to -1", (-5, -1)),
    ("visits", "in", "1, 2, 3", (1, 2, 3)),
    ("path", "in", "/a, /b,", ("/a", "/b")),
    ("path", "matches", "/product/*", "/product/*"),
    ("path", "is_set", "", None),
    ("page_type", "eq", "product", "product"),
    ("page_type", "eq", "Category", "cat"),  # the label an editor sees is accepted
    ("returning", "eq", "yes", True),
    ("returning", "eq", "No", False),
    ("returning", "eq", "true", True),
    ("segments", "includes_all", "vip, new", ("vip", "new")),
    ("last_purchase", "within_last", "7", 7),
    ("last_purchase", "within_last", "7 days", 7),
    ("last_purchase", "within_last", "2 weeks", 14),
    ("last_purchase", "within_last", "12 hours", 0.5),
]


@pytest.mark.parametrize(("field", "op", "text", "value"), FORM_VALUES)
def test_a_form_rows_text_is_read_as_the_fields_type(field, op, text, value):
    (leaf,) = parse_rows([form(field, op, text)], VOCAB).children
    assert leaf.value == value
    assert type(leaf.value) is type(value)


FORM_ERRORS = [
    # rows, (where, words) of each error
    ([form("visits", "gte", "five")], [("row 1", "takes a number, not 'five'")]),
    ([form("visits", "gte", "5.5")], [("row 1", "whole number")]),
    ([form("score", "gt", "nan")], [("row 1", "number")]),
    ([{}, form("", "", ""), form("visits", "gte", "")], [("row 3", "needs a value")]),
    ([form("visits", "gte", "5"), form("engaged", "gt", "3 parsecs")], [("row 2", "write like 3m, 90s")]),
    ([form("returning", "eq", "maybe")], [("row 1", "yes or no")]),
    ([form("visits", "between", "10 and 3")], [("row 1", "write 3 and 10")]),
    ([form("visits", "between", "10")], [("row 1", "two values")]),
    ([form("visits", "is_set", "5")], [("row 1", "takes no value")]),
    ([form("page_type", "eq", "shoe")], [("row 1", "pick one of product, cat, article")]),
    ([form("last_purchase", "within_last", "a week")], [("row 1", "number of days")]),
    ([form("visitz", "gt", "1")], [("row 1", "did you mean 'visits'")]),
    ([form("", "gt", "1")], [("row 1", "pick a field")]),
    ([form("affinity", "gt", "0.5")], [("row 1", "needs a key")]),
    ([form("visits", "gt", "5"), form("score", "gt", "1"), form("visits", "lt", "3")],
     [("", "'more than 5' (row 1) and 'less than 3' (row 3) can never all be true")]),
    ([{}, {"field": "", "op": "", "value": ""}], [("", "Add at least one row")]),
    ([form("visitz", "gt", "1"), form("visits", "gt", "x")], [("row 1", "visits"), ("row 2", "number")]),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "expected"), FORM_ERRORS)
def test_a_form_row_that_cannot_be_read_is_named_with_what_to_write(rows, expected):
    with pytest.raises(ConditionInvalid) as raised:
        parse_rows(rows, VOCAB)
    errors = raised.value.errors
    assert [e.where for e in errors] == [where for where, _ in expected]
    for error, (_, words) in zip(errors, expected, strict=True):
        assert words in error.message


def test_form_rows_join_by_any_negate_and_keep_a_key():
    condition = parse_rows(
        [form("visits", "gte", "5"), form("segments", "includes", "vip", negate=True), form("affinity", "gt", "0.5", key=" shoes ")],
        VOCAB,
        combine="any",
    )
    assert isinstance(condition, AnyOf)
    first, second, third = condition.children
    assert isinstance(first, Leaf) and isinstance(second, Not) and second.child.value == "vip"
    assert third.key == "shoes"


def test_form_rows_ignore_formset_bookkeeping_columns():
    condition = parse_rows([{**form("visits", "gte", "5"), "id": "3", "DELETE": ""}], VOCAB)
    assert isinstance(condition, AllOf)


DESCRIPTIONS = [
    ({"field": "visits", "op": "gte", "value": 5}, "visits at least 5"),
    ({"field": "visits", "op": "eq", "value": 5}, "visits exactly 5"),
    ({"field": "visits", "op": "ne", "value": 5}, "visits other than 5"),
    ({"field": "visits", "op": "between", "value": [3, 10]}, "visits between 3 and 10"),
    ({"field": "visits", "op": "in", "value": [1, 2]}, "visits is one of 1, 2"),
    ({"field": "visits", "op": "is_not_set"}, "visits is not set"),
    ({"field": "score", "op": "lt", "value": 0.25}, "engagement score less than 0.25"),
    ({"field": "cart_value", "op": "gt", "value": 50}, "cart value more than 50 €"),
    ({"field": "engaged", "op": "gt", "value": 180}, "spent more than 3 minutes engaged on this page"),
    ({"field": "engaged", "op": "gte", "value": 90}, "spent at least 1 minute 30 seconds engaged on this page"),
    ({"field": "engaged", "op": "lt", "value": 45}, "spent less than 45 seconds engaged on this page"),
    ({"field": "engaged", "op": "between", "value": [60, 3600]}, "spent between 1 minute and 1 hour engaged on this page"),
    ({"field": "engaged", "op": "is_set"}, "engaged time is set"),
    ({"field": "clicks", "op": "gt", "value": 5}, "more than 5 clicks on this page"),
    ({"field": "path", "op": "contains", "value": "sale"}, 'page path contains "sale"'),
    ({"field": "path", "op": "starts_with", "value": "/blog"}, 'page path starts with "/blog"'),
    ({"field": "path", "op": "matches", "value": "/product/*"}, "page path matches /product/*"),
    ({"field": "page_type", "op": "eq", "value": "cat"}, "page type is category"),
    ({"field": "page_type", "op": "not_in", "value": ["product", "cat"]}, "page type is none of product, category"),
    ({"field": "returning", "op": "eq", "value": True}, "returning visitor is yes"),
    ({"field": "segments", "op": "includes", "value": "Bargain hunters"}, "in segment Bargain hunters"),
    ({"field": "segments", "op": "not_includes", "value": "Bargain hunters"}, "not in segment Bargain hunters"),
    ({"field": "segments", "op": "is_set"}, "segment is not empty"),
    ({"field": "sections", "op": "includes_any", "value": ["pricing", "faq"]}, "sections seen includes any of pricing, faq"),
    ({"field": "last_purchase", "op": "within_last", "value": 7}, "last purchase within the last 7 days"),
    ({"field": "last_purchase", "op": "not_within_last", "value": 1}, "last purchase not within the last 1 day"),
    ({"field": "affinity", "op": "gt", "value": 0.5, "key": "shoes"}, "category affinity for shoes more than 0.5"),
    (
        {"all": [{"field": "visits", "op": "gte", "value": 5}, {"not": {"field": "segments", "op": "includes", "value": "Bargain hunters"}}]},
        "(visits at least 5) and not (in segment Bargain hunters)",
    ),
    (
        {"all": [{"field": "engaged", "op": "gt", "value": 180}, {"field": "page_type", "op": "eq", "value": "product"}]},
        "spent more than 3 minutes engaged on this page and page type is product",
    ),
    (
        {"any": [{"all": [{"field": "visits", "op": "gte", "value": 5}, {"field": "returning", "op": "eq", "value": True}]},
                 {"field": "clicks", "op": "gt", "value": 5}]},
        "(visits at least 5 and returning visitor is yes) or (more than 5 clicks on this page)",
    ),
    ({"not": {"any": [{"field": "visits", "op": "gt", "value": 1}, {"field": "clicks", "op": "gt", "value": 2}]}},
     "not (visits more than 1 or more than 2 clicks on this page)"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "sentence"), DESCRIPTIONS)
def test_a_condition_reads_as_plain_language(data, sentence):
    assert describe(data, VOCAB) == sentence
    assert describe(parse(data, VOCAB)) == sentence


def test_describing_a_stored_condition_that_is_invalid_says_why():
    with pytest.raises(ConditionInvalid, match="did you mean 'visits'"):
        describe({"field": "visitz", "op": "gt", "value": 1}, VOCAB)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 seconds"), (1, "1 second"), (0.5, "0.5 seconds"), (59, "59 seconds"), (60, "1 minute"), (90, "1 minute 30 seconds"),
     (180, "3 minutes"), (3600, "1 hour"), (5400, "1 hour 30 minutes"), (7322, "2 hours 2 minutes 2 seconds"), (90.4, "1 minute 30 seconds")],
)  # fmt: skip
def test_durations_read_in_human_units(seconds, words):
    assert duration_text(seconds) == words


def test_form_rows_join_only_by_all_or_any():
    with pytest.raises(ValueError, match="'all' or 'any'"):
        parse_rows([form("visits", "gte", "5")], VOCAB, combine="xor")


def test_a_form_value_of_zero_is_a_value_not_a_blank():
    (leaf,) = parse_rows([{"field": "visits", "op": "gt", "value": 0}], VOCAB).children
    assert leaf.value == 0


def test_the_documentation_states_the_limits_and_operators_the_code_has():
    from pathlib import Path

    from segments.conditions import MAX_DEPTH, MAX_LIST_ITEMS, MAX_ROWS, MAX_TEXT_LENGTH, OPERATORS
    from segments.conditions.limits import MAX_DAYS, MAX_PATTERN_STARS

    text = (Path(__file__).parents[2] / "docs" / "conditions.md").read_text()
    limits = (f"at most {MAX_DEPTH} deep", f"at most {MAX_ROWS} rows", f"at most {MAX_TEXT_LENGTH} characters",
              f"at most {MAX_LIST_ITEMS} values", f"at most {MAX_PATTERN_STARS} `*`", f"at most {MAX_DAYS} days")  # fmt: skip
    assert [limit for limit in limits if limit not in text] == []
    assert [op for op in OPERATORS if f"`{op}`" not in text] == []
