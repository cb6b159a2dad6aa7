"""Deciding conditions for a visitor: evaluate, explain why, and decide what the server knows (partial evaluation)."""

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from .describe import leaf_sentence, operator_phrase
from .fields import Known
from .operators import MISSING, actual_value, aware, leaf_matches
from .tree import AllOf, AnyOf, Condition, Leaf, Not


def evaluate(condition: Condition, values: Mapping[str, object], *, now: datetime | None = None) -> bool:
    """Return whether `values` (field name → actual value) satisfy `condition`; see the package doc for missing values."""
    now = aware(now)
    if isinstance(condition, Leaf):
        return _leaf(condition, values, now)
    if isinstance(condition, Not):
        return not evaluate(condition.child, values, now=now)
    test = all if isinstance(condition, AllOf) else any
    return test(evaluate(child, values, now=now) for child in condition.children)


def _leaf(leaf: Leaf, values: Mapping[str, object], now: datetime) -> bool:
    return leaf_matches(leaf, actual_value(leaf.field, values.get(leaf.field.name), leaf.key), now)


@dataclass(frozen=True)
class LeafResult:
    """One row's verdict for one visitor, for 'why is this visitor in this segment / why did this rule not match'."""

    field: str  # the field's name
    label: str  # the field's human label (with the key for a per-key number)
    op: str
    value: object  # the row's value as stored (a tuple for between and lists, None for is_set / is_not_set)
    expected: str  # the operator and value in words, e.g. 'at least 5'
    actual: object  # the visitor's value as read (None when missing or unusable)
    matched: bool
    sentence: str  # the whole row in words, e.g. 'visits at least 5'
    negated: bool = False  # the row sits under an odd number of 'not': the condition needs it NOT to match


def explain(condition: Condition, values: Mapping[str, object], *, now: datetime | None = None) -> list[LeafResult]:
    """Return every row of `condition` (depth first) with the visitor's actual value and whether the row matched."""
    now = aware(now)
    return list(_explain(condition, values, now, negated=False))


def _explain(condition: Condition, values: Mapping[str, object], now: datetime, *, negated: bool):
    if isinstance(condition, Not):
        yield from _explain(condition.child, values, now, negated=not negated)
    elif isinstance(condition, AllOf | AnyOf):
        for child in condition.children:
            yield from _explain(child, values, now, negated=negated)
    else:
        field = condition.field
        actual = actual_value(field, values.get(field.name), condition.key)
        label = f"{field.label} for {condition.key}" if condition.key is not None else field.label
        yield LeafResult(
            field=field.name,
            label=label,
            op=condition.op,
            value=condition.value,
            expected=operator_phrase(condition),
            actual=None if actual is MISSING else actual,
            matched=leaf_matches(condition, actual, now),
            sentence=leaf_sentence(condition),
            negated=negated,
        )


def partially_evaluate(
    condition: Condition,
    values: Mapping[str, object],
    *,
    unknown: Collection[str] | None = None,
    now: datetime | None = None,
) -> bool | Condition:
    """Return True or False when `values` decide `condition`, else the simplified residual over `unknown` fields.

    `unknown` names the fields not known yet (default: every field known only in the page). The residual keeps
    only leaves over unknown fields; it is decided later, in the browser, from `residual_json`.
    """
    now = aware(now)
    return _partial(condition, values, unknown, now)


def _partial(condition: Condition, values: Mapping[str, object], unknown: Collection[str] | None, now: datetime):
    if isinstance(condition, Leaf):
        is_unknown = condition.field.known == Known.PAGE if unknown is None else condition.field.name in unknown
        return condition if is_unknown else _leaf(condition, values, now)
    if isinstance(condition, Not):
        inner = _partial(condition.child, values, unknown, now)
        if isinstance(inner, bool):
            return not inner
        return inner.child if isinstance(inner, Not) else Not(inner)
    deciding = isinstance(condition, AnyOf)  # True decides an 'any', False decides an 'all'
    residuals = []
    for child in condition.children:
        result = _partial(child, values, unknown, now)
        if result is deciding:
            return deciding
        if not isinstance(result, bool):
            residuals.append(result)
    if not residuals:
        return not deciding
    return residuals[0] if len(residuals) == 1 else type(condition)(tuple(residuals))


def residual_json(result: bool | Condition) -> str:
    """Return a partial evaluation's result as the compact JSON the tracker evaluates (see the package doc)."""
    return json.dumps(residual_compact(result), separators=(",", ":"), ensure_ascii=False)


def residual_compact(result: bool | Condition) -> object:
    """Return a partial evaluation's result as the JSON value residual_json writes (to embed it in an answer)."""
    if isinstance(result, bool):
        return result
    if isinstance(result, Not):
        return {"not": residual_compact(result.child)}
    if isinstance(result, AllOf | AnyOf):
        return {"all" if isinstance(result, AllOf) else "any": [residual_compact(c) for c in result.children]}
    leaf: dict = {"f": result.field.name, "o": result.op}
    if result.key is not None:
        leaf["k"] = result.key
    if result.value is not None:
        leaf["v"] = list(result.value) if isinstance(result.value, tuple) else result.value
    return leaf

