"""The condition language: deciding conditions for a visitor, explaining why, and declaring fields (no database)."""

import math
from datetime import timedelta

import pytest

from segments.conditions import (
    OPERATORS,
    Field,
    describe,
    evaluate,
    explain,
    operator_choices,
    parse,
    parse_rows,
    validate,
)

from .vocabulary import NOW, VOCAB, row


def decide(condition, values):
    return evaluate(parse(condition, VOCAB), values, now=NOW)


# --- every operator of every type ------------------------------------------------------------------

EVALUATIONS = [
    # field, op, value, actual, expected
    ("visits", "eq", 5, 5, True),
    ("visits", "eq", 5, 5.0, True),
    ("visits", "eq", 5, 6, False),
    ("visits", "ne", 5, 6, True),
    ("visits", "ne", 5, 5, False),
    ("visits", "gt", 5, 6, True),
    ("visits", "gt", 5, 5, False),
    ("visits", "gte", 5, 5, True),
    ("visits", "gte", 5, 4, False),
    ("visits", "lt", 5, 4, True),
    ("visits", "lt", 5, 5, False),
    ("visits", "lte", 5, 5, True),
    ("visits", "lte", 5, 6, False),
    ("visits", "between", [3, 10], 3, True),
    ("visits", "between", [3, 10], 10, True),
    ("visits", "between", [3, 10], 11, False),
    ("visits", "in", [1, 2, 3], 2, True),
    ("visits", "in", [1, 2, 3], 4, False),
    ("visits", "not_in", [1, 2, 3], 4, True),
    ("visits", "not_in", [1, 2, 3], 3, False),
    ("visits", "is_set", None, 0, True),
    ("visits", "is_not_set", None, 0, False),
    ("score", "gt", 0.5, 0.51, True),
    ("score", "lte", -1.5, -1.5, True),
    ("score", "between", [0.1, 0.2], 0.15, True),
    ("score", "gt", 1, math.inf, True),
    ("engaged", "gt", 180, 181, True),
    ("engaged", "gt", 180, 180, False),
    ("engaged", "between", [60, 120], 90.5, True),
    ("path", "eq", "/cart", "/cart", True),
    ("path", "eq", "/cart", "/Cart", False),  # eq is case-sensitive
    ("path", "ne", "/cart", "/Cart", True),
    ("path", "in", ["/a", "/b"], "/b", True),
    ("path", "not_in", ["/a", "/b"], "/c", True),
    ("path", "contains", "SALE", "/summer-sale", True),  # contains ignores case
    ("path", "contains", "sale", "/summer", False),
    ("path", "not_contains", "sale", "/summer", True),
    ("path", "not_contains", "Sale", "/sale", False),
    ("path", "starts_with", "/Blog", "/blog/post", True),
    ("path", "starts_with", "/blog", "/about/blog", False),
    ("path", "matches", "/product/*", "/product/shoes", True),
    ("path", "matches", "/product/*", "/product/shoes/red", True),
    ("path", "matches", "/product/*", "/product", False),
    ("path", "matches", "/product/*", "/Product/shoes", False),  # matches is case-sensitive
    ("path", "matches", "/*/reviews", "/shoes/reviews", True),
    ("path", "matches", "/*/reviews", "/shoes/reviews/2", False),
    ("path", "matches", "*sale*", "/big-sale-now", True),
    ("path", "matches", "/a*a", "/a", False),
    ("path", "matches", "/cart", "/cart", True),
    ("path", "matches", "/cart", "/cart/x", False),
    ("path", "matches", "/p.*", "/products", False),  # no regular expressions: '.' is a dot
    ("path", "is_set", None, "/x", True),
    ("path", "is_set", None, "", False),  # an empty text counts as not set
    ("path", "is_not_set", None, "", True),
    ("page_type", "eq", "product", "product", True),
    ("page_type", "ne", "product", "cat", True),
    ("page_type", "in", ["product", "cat"], "cat", True),
    ("page_type", "not_in", ["product", "cat"], "article", True),
    ("returning", "eq", True, True, True),
    ("returning", "eq", True, False, False),
    ("returning", "eq", False, False, True),
    ("returning", "ne", True, False, True),
    ("returning", "eq", True, 1, False),  # 1 is not True
    ("visits", "eq", 1, True, False),  # True is not 1
    ("visits", "is_set", None, True, False),
    ("segments", "includes", "vip", {"vip", "new"}, True),
    ("segments", "includes", "vip", ["new"], False),
    ("segments", "not_includes", "vip", ["new"], True),
    ("segments", "not_includes", "vip", [], True),  # an empty set is known, and lacks vip
    ("segments", "includes_any", ["a", "b"], ["b"], True),
    ("segments", "includes_any", ["a", "b"], ["c"], False),
    ("segments", "includes_all", ["a", "b"], ["a", "b", "c"], True),
    ("segments", "includes_all", ["a", "b"], ["a"], False),
    ("segments", "includes", "Vip", ["vip"], False),  # set members are case-sensitive
    ("segments", "is_set", None, ["a"], True),
    ("segments", "is_set", None, [], False),
    ("segments", "is_not_set", None, [], True),
    ("segments", "includes", "a", "abc", False),  # a text is not a set of texts
    ("last_purchase", "within_last", 7, NOW - timedelta(days=6), True),
    ("last_purchase", "within_last", 7, NOW - timedelta(days=7), True),
    ("last_purchase", "within_last", 7, NOW - timedelta(days=8), False),
    ("last_purchase", "within_last", 0.5, NOW - timedelta(hours=11), True),
    ("last_purchase", "within_last", 7, (NOW - timedelta(days=1)).replace(tzinfo=None), True),  # naive is UTC
    ("last_purchase", "not_within_last", 30, NOW - timedelta(days=31), True),
    ("last_purchase", "not_within_last", 30, NOW - timedelta(days=2), False),
    ("last_purchase", "is_set", None, NOW, True),
    ("last_purchase", "within_last", 7, "2026-05-30T00:00:00Z", False),  # a text is not a time
    ("affinity", "gt", 0.5, {"shoes": 0.7}, True),
    ("affinity", "gt", 0.5, {"hats": 0.9}, False),
    ("affinity", "lt", 0.2, {"hats": 0.9}, True),  # a key never seen counts as 0
    ("affinity", "between", [0.2, 0.8], {"shoes": 0.2}, True),
    ("affinity", "lt", 0.2, None, False),  # a missing map is missing
    ("affinity", "eq", 0, {"shoes": None}, False),
]


@pytest.mark.parametrize(("field", "op", "value", "actual", "expected"), EVALUATIONS)
def test_each_operator_compares_a_visitors_value_as_documented(field, op, value, actual, expected):
    extra = {"key": "shoes"} if field == "affinity" else {}
    assert decide(row(field, op, value, **extra), {field: actual}) is expected


def _sample(field, op):
    """A valid value for (field, op), to reach every operator of every type."""
    shape = OPERATORS[op].shape
    one = {
        "integer": 3, "number": 1.5, "duration_seconds": 60, "key_number": 0.5, "boolean": True,
        "choice": field.choice_values[0] if field.choices else None,
    }.get(field.type.value, "x")  # fmt: skip
    return {"none": None, "one": one, "pair": [one, one], "list": [one], "days": 7}[shape.value]


ALL_PAIRS = [(f.name, op) for f in VOCAB for op in f.operators]


@pytest.mark.parametrize(("field", "op"), ALL_PAIRS)
@pytest.mark.parametrize("actual", [None, "absent", math.nan])
def test_a_missing_value_fails_every_operator_but_is_not_set(field, op, actual):
    declared = VOCAB.get(field)
    values = {} if actual == "absent" else {field: actual}
    extra = {"key": "shoes"} if field == "affinity" else {}
    expected = op == "is_not_set"
    assert decide(row(field, op, _sample(declared, op), **extra), values) is expected


def test_not_includes_visitors_without_a_value_while_the_opposite_operator_does_not():
    assert decide({"not": row("visits", "gt", 5)}, {}) is True
    assert decide(row("visits", "lte", 5), {}) is False


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ({"all": [row("visits", "gte", 5), row("returning", "eq", True)]}, {"visits": 5, "returning": True}, True),
        ({"all": [row("visits", "gte", 5), row("returning", "eq", True)]}, {"visits": 5, "returning": False}, False),
        ({"any": [row("visits", "gte", 5), row("returning", "eq", True)]}, {"visits": 1, "returning": True}, True),
        ({"any": [row("visits", "gte", 5), row("returning", "eq", True)]}, {}, False),
        ({"not": {"any": [row("visits", "gte", 5)]}}, {"visits": 1}, True),
    ],
)
def test_groups_combine_their_rows(condition, values, expected):
    assert decide(condition, values) is expected


# --- explain -------------------------------------------------------------------------------------

def test_explain_lists_every_row_with_the_visitors_value_and_verdict():
    condition = parse({"all": [row("visits", "gte", 5), {"not": row("segments", "includes", "vip")}, row("engaged", "gt", 180)]}, VOCAB)
    results = explain(condition, {"visits": 3, "segments": ["vip"]}, now=NOW)
    assert [(r.label, r.expected, r.actual, r.matched, r.negated) for r in results] == [
        ("visits", "at least 5", 3, False, False),
        ("segment", "includes vip", frozenset({"vip"}), True, True),
        ("engaged time", "more than 3 minutes", None, False, False),
    ]
    assert results[1].sentence == "in segment vip"


def test_explain_shows_an_unusable_value_as_missing():
    (result,) = explain(parse(row("visits", "eq", 1), VOCAB), {"visits": True}, now=NOW)
    assert (result.actual, result.matched) == (None, False)


def test_a_field_can_be_declared_only_with_a_safe_name_and_a_known_type():
    with pytest.raises(ValueError, match="lowercase"):
        Field("profile__user", "text", "x")
    with pytest.raises(ValueError):
        Field("x", "regex", "x")
    with pytest.raises(ValueError, match="choices"):
        Field("kind", "choice", "kind")
    with pytest.raises(ValueError, match="do not apply"):
        Field("x", "boolean", "x", operators=["gt"])
    with pytest.raises(ValueError, match="may use only"):
        Field("x", "integer", "x", phrases={"compare": "{count} clicks"})


def test_a_vocabulary_grows_by_extension_and_refuses_a_name_twice():
    extended = VOCAB.extend([Field("weekday", "choice", "weekday", choices=["mon", "tue"])])
    assert "weekday" in extended and "weekday" not in VOCAB
    with pytest.raises(ValueError, match="declared twice"):
        VOCAB.extend([Field("visits", "number", "visits again")])


def test_a_field_restricted_to_some_operators_refuses_the_others():
    vocabulary = VOCAB.extend([Field("hour", "integer", "hour of day", operators=["between"])])
    assert [e.code for e in validate(row("hour", "gt", 3), vocabulary)] == ["operator"]
    assert validate(row("hour", "between", [9, 17]), vocabulary) == []


def test_numbers_from_numpy_and_decimal_columns_compare_as_numbers():
    numpy = pytest.importorskip("numpy")
    from decimal import Decimal

    assert decide(row("visits", "gte", 5), {"visits": numpy.int64(5)}) is True
    assert decide(row("score", "lt", 1), {"score": numpy.float64(0.5)}) is True
    assert decide(row("score", "lt", 1), {"score": Decimal("0.5")}) is True
    assert decide(row("score", "is_set"), {"score": Decimal("NaN")}) is False
    assert decide(row("score", "is_set"), {"score": Decimal("sNaN")}) is False


def test_a_naive_now_is_taken_as_utc():
    condition = parse(row("last_purchase", "within_last", 1), VOCAB)
    assert evaluate(condition, {"last_purchase": NOW - timedelta(hours=23)}, now=NOW.replace(tzinfo=None)) is True


SEGMENTS = VOCAB.extend(
    [Field("member_of", "text_set", "segment", choices=[("bargain", "Bargain hunters"), ("vip", "VIPs")],
           phrases={"includes": "in segment {value}"})]
)  # fmt: skip


def test_a_text_set_with_choices_accepts_only_its_members_and_shows_their_labels():
    (error,) = validate(row("member_of", "includes", "bargains"), SEGMENTS)
    assert "pick one of bargain, vip" in error.message
    condition = parse({"all": [row("visits", "gte", 5), {"not": row("member_of", "includes", "bargain")}]}, SEGMENTS)
    assert describe(condition) == "(visits at least 5) and not (in segment Bargain hunters)"
    assert evaluate(condition, {"visits": 5, "member_of": {"vip"}}, now=NOW) is True
    assert parse_rows([{"field": "member_of", "op": "includes", "value": "vips"}], SEGMENTS).children[0].value == "vip"


def test_the_admin_offers_each_field_only_the_operators_of_its_type():
    assert operator_choices(VOCAB.get("returning")) == [("eq", "is"), ("ne", "is not"), ("is_set", "is set"), ("is_not_set", "is not set")]
    assert [name for name, _ in operator_choices(VOCAB.get("last_purchase"))] == ["within_last", "not_within_last", "is_set", "is_not_set"]
    assert VOCAB.picker()[0] == ("visits", "visits")


@pytest.mark.parametrize("number", [10**400, -(10**400), 10**16, 1e300])
def test_a_number_too_large_for_a_database_is_refused_in_a_condition_and_compares_in_a_value(number):
    (error,) = validate(row("score", "gt", number), VOCAB)
    assert "at most 1,000,000,000,000,000" in error.message
    assert decide(row("score", "gt", 1), {"score": number}) is (number > 1)
