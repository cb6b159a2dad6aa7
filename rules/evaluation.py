"""Conditions compiled into closures for the request path: the same verdicts as segments.conditions' partial
evaluation (its own value reading and operators), without walking the tree or reading each value again per rule.

A compiled condition takes values read once with `values_read` and answers True, False, or None when the verdict
waits for in-page signals (then segments' partially_evaluate gives the residual for the browser).
"""

from collections.abc import Callable, Mapping
from datetime import datetime

from segments.conditions import AnyOf, Condition, FieldType, Known, Leaf, Not, Vocabulary
from segments.conditions.operators import MISSING, actual_value, leaf_matches

Verdict = bool | None
Compiled = Callable[[Mapping[str, object], datetime], Verdict]


def values_read(values: Mapping[str, object], vocabulary: Vocabulary) -> dict[str, object]:
    """Each value as its field's type once (MISSING when unusable); per-key maps stay maps, read per key."""
    read = {}
    for name, raw in values.items():
        field = vocabulary.get(name)
        if field is not None:
            read[name] = raw if field.type == FieldType.KEY_NUMBER else actual_value(field, raw)
    return read


def condition_compile(condition: Condition) -> Compiled:
    """A closure deciding `condition` over values_read() output: True, False, or None (waits for the page)."""
    if isinstance(condition, Leaf):
        return _leaf(condition)
    if isinstance(condition, Not):
        child = condition_compile(condition.child)

        def negated(values, now):
            verdict = child(values, now)
            return None if verdict is None else not verdict

        return negated
    children = tuple(condition_compile(child) for child in condition.children)
    return _any(children) if isinstance(condition, AnyOf) else _all(children)


def _leaf(leaf: Leaf) -> Compiled:
    field, name, key = leaf.field, leaf.field.name, leaf.key
    if field.known == Known.PAGE:
        return lambda values, now: None
    if field.type == FieldType.KEY_NUMBER:
        return lambda values, now: leaf_matches(leaf, actual_value(field, values.get(name), key), now)
    return lambda values, now: leaf_matches(leaf, values.get(name, MISSING), now)


def _all(children: tuple[Compiled, ...]) -> Compiled:
    def all_of(values, now):
        waiting = False
        for child in children:
            verdict = child(values, now)
            if verdict is False:
                return False
            waiting = waiting or verdict is None
        return None if waiting else True

    return all_of


def _any(children: tuple[Compiled, ...]) -> Compiled:
    def any_of(values, now):
        waiting = False
        for child in children:
            verdict = child(values, now)
            if verdict is True:
                return True
            waiting = waiting or verdict is None
        return None if waiting else False

    return any_of


