"""Rows of one `all` group that can never all be true together (visits > 5 and visits < 3)."""

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import combinations

from .describe import operator_phrase
from .fields import NUMERIC_TYPES, FieldType
from .operators import MISSING, leaf_matches
from .tree import SEPARATOR, AllOf, AnyOf, Condition, Leaf

_NOW = datetime(2000, 1, 1, tzinfo=UTC)  # never read: no candidate value is a datetime


def contradictions(children: Sequence[Condition], names: Sequence[str]) -> list[str]:
    """Return one message per field whose rows, the conjuncts of one `all` group (its rows and the rows of `all`
    groups, and of one-row `any` groups, nested directly in it), cannot hold together."""
    rows_by_field: dict[tuple, list[tuple[Leaf, str]]] = defaultdict(list)
    for leaf, name in _conjuncts(children, names):
        rows_by_field[(leaf.field.name, leaf.key)].append((leaf, name))
    messages = []
    for rows in rows_by_field.values():
        if len(rows) > 1 and not _feasible([leaf for leaf, _ in rows]):
            pair = next((p for p in combinations(rows, 2) if not _feasible([p[0][0], p[1][0]])), None)
            messages.append(_message(list(pair) if pair else rows))
    return messages


def _conjuncts(children: Sequence[Condition], names: Sequence[str]) -> list[tuple[Leaf, str]]:
    rows = []
    for child, name in zip(children, names, strict=True):
        if isinstance(child, Leaf):
            rows.append((child, name))
        elif isinstance(child, AllOf) or (isinstance(child, AnyOf) and len(child.children) == 1):
            # an `any` of one row is that row: simplified (a residual, the browser's copy), it would clash all the same
            inner = [f"{name}{SEPARATOR}row {n}" for n in range(1, len(child.children) + 1)]
            rows += _conjuncts(child.children, inner)
    return rows


def _message(rows: list[tuple[Leaf, str]]) -> str:
    leaf = rows[0][0]
    label = f"{leaf.field.label} for {leaf.key}" if leaf.key is not None else leaf.field.label
    parts = " and ".join(f"'{operator_phrase(row)}' ({name})" for row, name in rows)
    return f"{label}: {parts} can never all be true at once; remove a row or change a value."


def _feasible(rows: list[Leaf]) -> bool:
    """Return whether some value of the field satisfies every row (False only when certainly impossible)."""
    field_type = rows[0].field.type
    empty = frozenset() if field_type == FieldType.TEXT_SET else MISSING
    if any(r.op == "is_not_set" for r in rows) and not all(leaf_matches(r, empty, _NOW) for r in rows):
        return False
    if field_type == FieldType.TEXT_SET:
        return _set_feasible(rows)
    bounds = _bounds(rows)
    if bounds is None:
        return False
    candidates = _candidates(rows, bounds)
    if candidates is None:
        return True
    return any(all(leaf_matches(r, value, _NOW) for r in rows) for value in candidates)


def _bounds(rows: list[Leaf]) -> tuple | None:
    """Return the (low, low_open, high, high_open) every interval row allows, or None when there is none."""
    low, low_open, high, high_open = -math.inf, False, math.inf, False
    if rows[0].field.type not in NUMERIC_TYPES and rows[0].field.type != FieldType.DATETIME:
        return low, low_open, high, high_open
    for r in rows:
        lows = {"gt": (r.value, True), "gte": (r.value, False), "eq": (r.value, False), "not_within_last": (r.value, True)}
        highs = {"lt": (r.value, True), "lte": (r.value, False), "eq": (r.value, False), "within_last": (r.value, False)}
        if r.op == "between":
            lows["between"], highs["between"] = (r.value[0], False), (r.value[1], False)
        if r.op in lows and lows[r.op] > (low, low_open):  # a higher low, or the same one left open, is tighter
            low, low_open = lows[r.op]
        if r.op in highs and (highs[r.op][0], not highs[r.op][1]) < (high, not high_open):
            high, high_open = highs[r.op]
    if rows[0].field.type == FieldType.INTEGER:
        low, high = _whole(low, low_open, up=True), _whole(high, high_open, up=False)
        low_open = high_open = False
    if low > high or (low == high and (low_open or high_open)):
        return None
    return low, low_open, high, high_open


def _whole(bound: float, is_open: bool, *, up: bool) -> float:
    """Return the nearest whole number inside an integer field's bound (gt 5 → 6, lt 5.5 → 5)."""
    if not math.isfinite(bound):
        return bound
    if up:
        return math.floor(bound) + 1 if is_open else math.ceil(bound)
    return math.ceil(bound) - 1 if is_open else math.floor(bound)


def _candidates(rows: list[Leaf], bounds: tuple) -> set | None:
    """Return the finite set of values the rows leave possible, or None when it is not finite."""
    field = rows[0].field
    if field.type == FieldType.BOOLEAN:
        return {True, False}
    if field.type == FieldType.CHOICE:
        return set(field.choice_values)
    if field.type in NUMERIC_TYPES and bounds[0] == bounds[2]:
        return {bounds[0]}
    listed = [{r.value} if r.op == "eq" else set(r.value) for r in rows if r.op in ("eq", "in")]
    return set.intersection(*listed) if listed else None


def _set_feasible(rows: list[Leaf]) -> bool:
    required = {r.value for r in rows if r.op == "includes"}.union(*(r.value for r in rows if r.op == "includes_all"))
    forbidden = {r.value for r in rows if r.op == "not_includes"}
    if required & forbidden:
        return False
    return all(not set(r.value) <= forbidden for r in rows if r.op == "includes_any")
