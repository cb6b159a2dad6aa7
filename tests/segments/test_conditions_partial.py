"""Partial evaluation: the server decides what it knows and hands the browser only the in-page rows."""

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings

from segments.conditions import ConditionInvalid, Leaf, evaluate, leaves, parse, partially_evaluate, residual_json

from .strategies import conditions, visitor_values
from .vocabulary import NOW, VOCAB

VISITS_5 = {"field": "visits", "op": "gte", "value": 5}
CLICKS_5 = {"field": "clicks", "op": "gt", "value": 5}
ENGAGED_60 = {"field": "engaged", "op": "gt", "value": 60}
PRODUCT = {"field": "page_type", "op": "eq", "value": "product"}
CLICKS_JSON = '{"f":"clicks","o":"gt","v":5}'

PARTIALS = [
    # condition, server values, result as the tracker receives it
    ({"all": [VISITS_5, CLICKS_5]}, {"visits": 6}, CLICKS_JSON),
    ({"all": [VISITS_5, CLICKS_5]}, {"visits": 3}, "false"),
    ({"all": [VISITS_5, CLICKS_5]}, {}, "false"),  # a missing visits figure fails
    ({"any": [VISITS_5, CLICKS_5]}, {"visits": 6}, "true"),
    ({"any": [VISITS_5, CLICKS_5]}, {"visits": 3}, CLICKS_JSON),
    ({"not": CLICKS_5}, {}, '{"not":' + CLICKS_JSON + "}"),
    ({"not": {"all": [VISITS_5, CLICKS_5]}}, {"visits": 3}, "true"),
    ({"not": {"all": [VISITS_5, {"not": CLICKS_5}]}}, {"visits": 6}, CLICKS_JSON),  # not not x is x
    ({"all": [VISITS_5, PRODUCT]}, {"visits": 6, "page_type": "product"}, "true"),
    (
        {"all": [{"any": [VISITS_5, ENGAGED_60]}, {"any": [PRODUCT, CLICKS_5]}]},
        {"visits": 1, "page_type": "product"},
        '{"f":"engaged","o":"gt","v":60}',
    ),
    (
        {"all": [{"any": [VISITS_5, ENGAGED_60]}, {"any": [PRODUCT, CLICKS_5]}]},
        {"visits": 1, "page_type": "cat"},
        '{"all":[{"f":"engaged","o":"gt","v":60},' + CLICKS_JSON + "]}",
    ),
    (
        {"all": [{"field": "sections", "op": "includes_any", "value": ["faq", "pricing"]}, {"field": "engaged", "op": "between", "value": [10, 20]}]},
        {},
        '{"all":[{"f":"sections","o":"includes_any","v":["faq","pricing"]},{"f":"engaged","o":"between","v":[10,20]}]}',
    ),
    ({"field": "engaged", "op": "is_set"}, {}, '{"f":"engaged","o":"is_set"}'),
]  # fmt: skip


@pytest.mark.parametrize(("data", "values", "sent"), PARTIALS)
def test_the_server_sends_the_browser_only_what_it_cannot_decide(data, values, sent):
    result = partially_evaluate(parse(data, VOCAB), {**values, "clicks": 99, "engaged": 999}, now=NOW)
    assert residual_json(result) == sent


def test_in_page_values_the_server_happens_to_hold_are_not_used():
    result = partially_evaluate(parse(CLICKS_5, VOCAB), {"clicks": 1}, now=NOW)
    assert isinstance(result, Leaf)


def test_the_caller_may_name_the_unknown_fields():
    condition = parse({"all": [VISITS_5, CLICKS_5]}, VOCAB)
    assert residual_json(partially_evaluate(condition, {"clicks": 9}, unknown={"visits"}, now=NOW)) == (
        '{"f":"visits","o":"gte","v":5}'
    )
    assert partially_evaluate(condition, {"clicks": 9, "visits": 5}, unknown=set(), now=NOW) is True


def test_a_per_key_rows_key_reaches_the_browser():
    vocabulary = VOCAB.extend([])
    condition = parse({"field": "affinity", "op": "gt", "value": 0.5, "key": "shoes"}, vocabulary)
    assert residual_json(partially_evaluate(condition, {}, unknown={"affinity"}, now=NOW)) == (
        '{"f":"affinity","o":"gt","k":"shoes","v":0.5}'
    )


def _from_residual_json(node):
    """The residual JSON rewritten as a stored condition, to check it reads back as the same condition."""
    if isinstance(node, dict) and "f" in node:
        names = {"f": "field", "o": "op", "v": "value", "k": "key"}
        return {names[k]: v for k, v in node.items()}
    if isinstance(node, dict) and "not" in node:
        return {"not": _from_residual_json(node["not"])}
    (kind, items), = node.items()
    return {kind: [_from_residual_json(item) for item in items]}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=conditions(), values=visitor_values())
def test_the_server_and_browser_halves_decide_as_the_whole_condition_does(data, values):
    try:
        condition = parse(data, VOCAB)
    except ConditionInvalid:
        assume(False)
    whole = evaluate(condition, values, now=NOW)
    server_values = {k: v for k, v in values.items() if k not in ("engaged", "clicks", "sections")}
    result = partially_evaluate(condition, server_values, now=NOW)
    if isinstance(result, bool):
        assert result is whole
        return
    assert {leaf.field.name for leaf in leaves(result)} <= {"engaged", "clicks", "sections"}
    assert evaluate(result, values, now=NOW) is whole
    try:
        assert parse(_from_residual_json(json.loads(residual_json(result))), VOCAB) == result
    except ConditionInvalid as invalid:  # rows decided on the server can leave clashing rows side by side
        assert {e.code for e in invalid.errors} == {"contradiction"}
        assert whole is False
