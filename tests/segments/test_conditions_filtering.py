"""Filter plans: conditions reach the database only as allow-listed columns and lookups (issue 14)."""

import math
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from segments.conditions import (
    LOOKUPS,
    OPERATORS,
    ConditionInvalid,
    FilterUnsupported,
    Lookup,
    PlanAll,
    PlanAny,
    PlanNot,
    evaluate,
    filter_plan,
    parse,
    plan_lookups,
)

from .strategies import conditions, stored_value
from .vocabulary import COLUMNS, NOW, VOCAB


def shown(plan):
    """A plan written the way a Q object reads: all(a, not(b)), with column__lookup=value."""
    if isinstance(plan, Lookup):
        key = f"[{plan.key}]" if plan.key else ""
        return f"{plan.column}{key}__{plan.lookup}={plan.value!r}"
    if isinstance(plan, PlanNot):
        return f"not({shown(plan.child)})"
    kind = "all" if isinstance(plan, PlanAll) else "any"
    return f"{kind}({', '.join(shown(c) for c in plan.children)})"


def plan_of(data):
    return shown(filter_plan(parse(data, VOCAB), COLUMNS, now=NOW))


PRESENT_PATH = "all(path__isnull=False, not(path__exact=''))"
PLANS = [
    ({"field": "visits", "op": "gte", "value": 5}, "sessions__gte=5"),
    ({"field": "visits", "op": "eq", "value": 5}, "sessions__exact=5"),
    ({"field": "visits", "op": "ne", "value": 5}, "all(sessions__isnull=False, not(sessions__exact=5))"),
    ({"field": "visits", "op": "between", "value": [3, 10]}, "sessions__range=[3, 10]"),
    ({"field": "visits", "op": "in", "value": [1, 2]}, "sessions__in=[1, 2]"),
    ({"field": "visits", "op": "not_in", "value": [1, 2]}, "all(sessions__isnull=False, not(sessions__in=[1, 2]))"),
    ({"field": "visits", "op": "is_set"}, "sessions__isnull=False"),
    ({"field": "visits", "op": "is_not_set"}, "not(sessions__isnull=False)"),
    ({"field": "path", "op": "contains", "value": "sale"}, "path__icontains='sale'"),
    ({"field": "path", "op": "not_contains", "value": "sale"}, f"all({PRESENT_PATH}, not(path__icontains='sale'))"),
    ({"field": "path", "op": "starts_with", "value": "/blog"}, "path__istartswith='/blog'"),
    ({"field": "path", "op": "matches", "value": "/product/*"}, f"all({PRESENT_PATH}, path__startswith='/product/')"),
    ({"field": "path", "op": "matches", "value": "/cart"}, "path__exact='/cart'"),
    ({"field": "path", "op": "matches", "value": "*"}, PRESENT_PATH),
    ({"field": "path", "op": "is_not_set"}, f"not({PRESENT_PATH})"),
    ({"field": "returning", "op": "eq", "value": True}, "is_returning__exact=True"),
    ({"field": "last_purchase", "op": "within_last", "value": 7}, f"last_purchase_at__gte={NOW - timedelta(days=7)!r}"),
    ({"field": "last_purchase", "op": "not_within_last", "value": 7}, f"last_purchase_at__lt={NOW - timedelta(days=7)!r}"),
    ({"field": "affinity", "op": "gt", "value": 0.5, "key": "shoes"}, "category_views[shoes]__gt=0.5"),
    (
        {"field": "affinity", "op": "lt", "value": 0.5, "key": "shoes"},
        "any(category_views[shoes]__lt=0.5, category_views[shoes]__isnull=True)",  # a key never seen counts as 0
    ),
    (
        {"any": [{"field": "visits", "op": "gt", "value": 1}, {"not": {"field": "score", "op": "lt", "value": 2}}]},
        "any(sessions__gt=1, not(score__lt=2))",
    ),
]


@pytest.mark.parametrize(("data", "plan"), PLANS)
def test_a_condition_becomes_a_plan_of_allow_listed_columns_and_lookups(data, plan):
    assert plan_of(data) == plan


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"field": "engaged", "op": "gt", "value": 5}, "'engaged time' is not stored where segments can be counted"),
        ({"all": [{"field": "visits", "op": "gt", "value": 1}, {"field": "clicks", "op": "gt", "value": 5}]}, "'clicks'"),
        ({"field": "path", "op": "matches", "value": "/*/reviews"}, "one * at its end"),
        ({"field": "segments", "op": "includes", "value": "vip"}, "cannot filter"),
    ],
)
def test_a_condition_the_database_cannot_filter_says_so_and_what_to_do(data, words):
    with pytest.raises(FilterUnsupported, match="use it in a rule"):
        plan_of(data)
    with pytest.raises(FilterUnsupported) as raised:
        plan_of(data)
    assert words in str(raised.value)


def _holds(plan, row):
    """The plan as the database decides it: NULL fails every lookup but isnull, and `not` is Django's ~Q."""
    if isinstance(plan, PlanNot):
        return not _holds(plan.child, row)
    if isinstance(plan, PlanAll | PlanAny):
        test = all if isinstance(plan, PlanAll) else any
        return test(_holds(child, row) for child in plan.children)
    value = row.get(plan.column)
    if plan.key is not None:
        value = value.get(plan.key)
    if plan.lookup == "isnull":
        return (value is None) is plan.value
    if value is None:
        return False
    compare = {
        "exact": lambda v, x: v == x, "gt": lambda v, x: v > x, "gte": lambda v, x: v >= x, "lt": lambda v, x: v < x,
        "lte": lambda v, x: v <= x, "range": lambda v, x: x[0] <= v <= x[1], "in": lambda v, x: v in x,
        "icontains": lambda v, x: x.casefold() in v.casefold(), "startswith": lambda v, x: v.startswith(x),
        "istartswith": lambda v, x: v.casefold().startswith(x.casefold()),
    }  # fmt: skip
    return compare[plan.lookup](value, plan.value)


FILTERABLE = [f for f in VOCAB if f.name in COLUMNS and f.name != "segments"]
ROWS = st.fixed_dictionaries({f.name: stored_value(f, nullable=f.type.value != "key_number") for f in FILTERABLE})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=conditions(FILTERABLE, max_leaves=4), values=ROWS)
def test_the_database_selects_exactly_the_visitors_evaluate_accepts(data, values):
    try:
        plan = filter_plan(parse(data, VOCAB), COLUMNS, now=NOW)
    except (ConditionInvalid, FilterUnsupported):
        assume(False)
    row = {COLUMNS[name]: value for name, value in values.items()}
    assert _holds(plan, row) is evaluate(parse(data, VOCAB), values, now=NOW)


# --- 10,000 made-up conditions: each is refused, or becomes an allow-listed plan -------------------

HOSTILE = ["profile__user__password", "visits__gt", "user__password", "__class__", "pk", "", "sessions", "1 OR 1=1", "%"]
_names = st.sampled_from([*VOCAB.names, *HOSTILE])
_ops = st.sampled_from([*OPERATORS, "exact", "regex", "__gt", "extra", "isnull", "gt__lt"])
_scalars = st.sampled_from(
    [None, True, False, 0, 1, 5, -3, 2.5, math.nan, math.inf, -math.inf, 1e308, "product", "/product/*", "*", "/*/b",
     "shoes", "a", "x" * 300, *HOSTILE]
)  # fmt: skip
_values = st.one_of(_scalars, st.lists(_scalars, max_size=3), st.dictionaries(_scalars.filter(bool).map(str), _scalars, max_size=1))
_rows = st.fixed_dictionaries(
    {"field": _names, "op": _ops}, optional={"value": _values, "key": _scalars, "lookup": _scalars}
)
_junk = st.one_of(_scalars, st.dictionaries(st.sampled_from(["all", "any", "not", "field", "op", *HOSTILE]), _scalars, max_size=2))
BLOBS = st.recursive(
    st.one_of(_rows, _rows, _junk),
    lambda kids: st.one_of(
        st.lists(kids, max_size=3).map(lambda items: {"all": items}),
        st.lists(kids, max_size=3).map(lambda items: {"any": items}),
        kids.map(lambda item: {"not": item}),
        st.dictionaries(st.sampled_from(["all", "any", "not", "field"]), st.one_of(kids, st.lists(kids, max_size=2)), max_size=2),
    ),
    max_leaves=6,
)


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(blob=BLOBS)
def test_any_made_up_condition_is_refused_or_becomes_an_allow_listed_query(blob):
    try:
        condition = parse(blob, VOCAB)
    except ConditionInvalid as invalid:
        assert invalid.errors and all(e.message for e in invalid.errors)
        return
    try:
        plan = filter_plan(condition, COLUMNS, now=NOW)
    except FilterUnsupported as unsupported:
        assert str(unsupported)
        return
    for lookup in plan_lookups(plan):
        assert lookup.column in COLUMNS.values()
        assert lookup.lookup in LOOKUPS
        assert lookup.key is None or (lookup.column == "category_views" and isinstance(lookup.key, str))
