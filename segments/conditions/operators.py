"""Operators: what value each one takes, and how a leaf compares a visitor's actual value."""

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from .fields import NUMERIC_TYPES, Field, FieldType
from .tree import Leaf


class Shape(StrEnum):
    NONE = "none"  # no value: is_set, is_not_set
    ONE = "one"  # one value of the field's type (a text for text sets)
    PAIR = "pair"  # [low, high], both included
    LIST = "list"  # a non-empty list of values of the field's type
    DAYS = "days"  # a positive number of days


@dataclass(frozen=True)
class Operator:
    name: str
    label: str  # shown in the admin's operator picker
    shape: Shape


OPERATORS: Mapping[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", "is", Shape.ONE),
        Operator("ne", "is not", Shape.ONE),
        Operator("gt", "is more than", Shape.ONE),
        Operator("gte", "is at least", Shape.ONE),
        Operator("lt", "is less than", Shape.ONE),
        Operator("lte", "is at most", Shape.ONE),
        Operator("between", "is between (both included)", Shape.PAIR),
        Operator("in", "is one of", Shape.LIST),
        Operator("not_in", "is none of", Shape.LIST),
        Operator("contains", "contains (any case)", Shape.ONE),
        Operator("not_contains", "does not contain (any case)", Shape.ONE),
        Operator("starts_with", "starts with (any case)", Shape.ONE),
        Operator("matches", "matches the pattern (* for any characters)", Shape.ONE),
        Operator("is_set", "is set", Shape.NONE),
        Operator("is_not_set", "is not set", Shape.NONE),
        Operator("includes", "includes", Shape.ONE),
        Operator("not_includes", "does not include", Shape.ONE),
        Operator("includes_any", "includes any of", Shape.LIST),
        Operator("includes_all", "includes all of", Shape.LIST),
        Operator("within_last", "is within the last (days)", Shape.DAYS),
        Operator("not_within_last", "is not within the last (days)", Shape.DAYS),
    )
}


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # no usable value: absent, None, NaN, empty text, or of the wrong type


def actual_value(field: Field, raw: object, key: str | None = None) -> object:
    """Return `raw` as the field's type, or MISSING when it has no usable value (True is not a number)."""
    kind = field.type
    if kind == FieldType.KEY_NUMBER:
        if not isinstance(raw, Mapping):
            return MISSING
        raw = raw.get(key, 0)  # a per-key counter that never saw a key holds zero for it
    if kind in NUMERIC_TYPES:
        if isinstance(raw, Decimal):  # from a DecimalField
            raw = math.nan if raw.is_nan() else float(raw)
        # numbers.Real admits numpy's numbers (features are computed with numpy); bool is a number only in Python
        if not isinstance(raw, numbers.Real) or isinstance(raw, bool):
            return MISSING
        if isinstance(raw, numbers.Integral):
            return int(raw)
        return MISSING if math.isnan(number := float(raw)) else number
    if kind in (FieldType.TEXT, FieldType.CHOICE):
        return raw if isinstance(raw, str) and raw else MISSING
    if kind == FieldType.BOOLEAN:
        return raw if isinstance(raw, bool) else MISSING
    if kind == FieldType.TEXT_SET:
        if isinstance(raw, str | bytes | Mapping) or not hasattr(raw, "__iter__"):
            return MISSING
        return frozenset(item for item in raw if isinstance(item, str))
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    return MISSING


def operator_choices(field: Field) -> list[tuple[str, str]]:
    """(operator, label) pairs for the admin's operator picker of `field`, in declaration order."""
    return [(op, OPERATORS[op].label) for op in field.operators]


def aware(now: datetime | None) -> datetime:
    """Return `now` (the current time when None) as an aware datetime; a naive one is taken as UTC."""
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def is_present(actual: object) -> bool:
    """Return whether an actual value counts as set (an empty set does not)."""
    return actual is not MISSING and actual != frozenset()


def glob_match(pattern: str, text: str) -> bool:
    """Return whether `text` matches `pattern` whole, where * stands for any run of characters (case-sensitive)."""
    if "*" not in pattern:
        return text == pattern
    first, *middle, last = pattern.split("*")
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    position = len(first)
    for part in middle:
        found = text.find(part, position, end)  # leftmost is always safe with * as the only wildcard
        if found < 0:
            return False
        position = found + len(part)
    return True


def _age(actual: datetime, now: datetime) -> timedelta:
    return now - actual


_COMPARISONS = {
    "eq": lambda a, v, now: a == v,
    "ne": lambda a, v, now: a != v,
    "gt": lambda a, v, now: a > v,
    "gte": lambda a, v, now: a >= v,
    "lt": lambda a, v, now: a < v,
    "lte": lambda a, v, now: a <= v,
    "between": lambda a, v, now: v[0] <= a <= v[1],
    "in": lambda a, v, now: a in v,
    "not_in": lambda a, v, now: a not in v,
    "contains": lambda a, v, now: v.casefold() in a.casefold(),
    "not_contains": lambda a, v, now: v.casefold() not in a.casefold(),
    "starts_with": lambda a, v, now: a.casefold().startswith(v.casefold()),
    "matches": lambda a, v, now: glob_match(v, a),
    "includes": lambda a, v, now: v in a,
    "not_includes": lambda a, v, now: v not in a,
    "includes_any": lambda a, v, now: any(item in a for item in v),
    "includes_all": lambda a, v, now: all(item in a for item in v),
    "within_last": lambda a, v, now: _age(a, now) <= timedelta(days=v),
    "not_within_last": lambda a, v, now: _age(a, now) > timedelta(days=v),
}


def leaf_matches(leaf: Leaf, actual: object, now: datetime) -> bool:
    """Return whether the normalised `actual` value satisfies `leaf`; every operator but is_not_set fails on MISSING."""
    if leaf.op == "is_set":
        return is_present(actual)
    if leaf.op == "is_not_set":
        return not is_present(actual)
    if actual is MISSING:
        return False
    return bool(_COMPARISONS[leaf.op](actual, leaf.value, now))
