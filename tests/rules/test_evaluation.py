"""Compiled conditions (the request path) give the same verdicts as segments' partial evaluation (pure)."""

from hypothesis import given, settings

from rules.evaluation import condition_compile, values_read
from segments.conditions import ConditionInvalid, parse, partially_evaluate

from ..segments.strategies import conditions, visitor_values
from ..segments.vocabulary import NOW, VOCAB


@settings(max_examples=400, deadline=None)
@given(data=conditions(), values=visitor_values())
def test_a_compiled_condition_decides_as_partial_evaluation_does(data, values):
    try:
        condition = parse(data, VOCAB)
    except ConditionInvalid:
        return
    expected = partially_evaluate(condition, values, now=NOW)
    verdict = condition_compile(condition)(values_read(values, VOCAB), NOW)
    assert verdict == (expected if isinstance(expected, bool) else None)


def test_a_row_over_an_in_page_signal_waits_for_the_page_unless_the_rest_decides():
    waits = parse({"all": [{"field": "visits", "op": "gte", "value": 2}, {"field": "clicks", "op": "gt", "value": 5}]},
                  VOCAB)
    assert condition_compile(waits)(values_read({"visits": 3}, VOCAB), NOW) is None
    assert condition_compile(waits)(values_read({"visits": 1}, VOCAB), NOW) is False


