"""Plain-language descriptions of conditions, in human units, for the admin and for explanations."""

from collections.abc import Mapping

from .fields import Field, FieldType, Vocabulary
from .tree import AllOf, Condition, Leaf, Not

_COMPARE_OPS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "between"})
_NUMERIC_WORDS = {"eq": "exactly", "ne": "other than", "gt": "more than", "gte": "at least", "lt": "less than", "lte": "at most"}
_PHRASES = {
    "eq": "is {value}",
    "ne": "is not {value}",
    "in": "is one of {value}",
    "not_in": "is none of {value}",
    "contains": 'contains "{value}"',
    "not_contains": 'does not contain "{value}"',
    "starts_with": 'starts with "{value}"',
    "matches": "matches {value}",
    "is_set": "is set",
    "is_not_set": "is not set",
    "includes": "includes {value}",
    "not_includes": "does not include {value}",
    "includes_any": "includes any of {value}",
    "includes_all": "includes all of {value}",
    "within_last": "within the last {value}",
    "not_within_last": "not within the last {value}",
}
_SET_PRESENCE = {"is_set": "is not empty", "is_not_set": "is empty"}


def describe(condition: Condition | Mapping, vocabulary: Vocabulary | None = None) -> str:
    """Return `condition` (parsed, or stored JSON read with `vocabulary`) as one plain-language sentence."""
    if isinstance(condition, Mapping):
        from .parsing import parse  # parsing describes rows in its own messages

        if vocabulary is None:
            raise TypeError("describe() needs the vocabulary to read a stored condition.")
        condition = parse(condition, vocabulary)
    return _text(condition)


def _text(condition: Condition) -> str:
    if isinstance(condition, Leaf):
        return leaf_sentence(condition)
    if isinstance(condition, Not):
        return f"not ({_text(condition.child)})"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    children = condition.children
    wrap = any(not isinstance(child, Leaf) for child in children) and len(children) > 1
    return joiner.join(f"({_text(c)})" if wrap and not isinstance(c, Not) else _text(c) for c in children)


def leaf_sentence(leaf: Leaf) -> str:
    """Return one row as a phrase, e.g. 'visits at least 5' or 'more than 5 clicks on this page'."""
    field = leaf.field
    template = field.phrases.get(leaf.op) or (field.phrases.get("compare") if leaf.op in _COMPARE_OPS else None)
    label = f"{field.label} for {leaf.key}" if leaf.key is not None else field.label
    return (template or "{label} {op}").format(label=label, op=operator_phrase(leaf), value=value_text(field, leaf))


def operator_phrase(leaf: Leaf) -> str:
    """Return the operator with its value in words, e.g. 'more than 3 minutes' or 'is one of product, category'."""
    field, op = leaf.field, leaf.op
    numeric = field.type in (FieldType.NUMBER, FieldType.INTEGER, FieldType.DURATION, FieldType.KEY_NUMBER)
    if field.type == FieldType.TEXT_SET and op in _SET_PRESENCE:
        return _SET_PRESENCE[op]
    if op == "between":
        low, high = leaf.value
        return f"between {_one(field, low)} and {_one(field, high)}"
    if numeric and op in _NUMERIC_WORDS:
        return f"{_NUMERIC_WORDS[op]} {_one(field, leaf.value)}"
    return _PHRASES[op].format(value=value_text(field, leaf))


def value_text(field: Field, leaf: Leaf) -> str:
    """Return the leaf's value in human units ('3 minutes', '7 days', 'yes', a choice's label)."""
    value = leaf.value
    if value is None:
        return ""
    if leaf.op in ("within_last", "not_within_last"):
        return _plural(value, "day")
    if isinstance(value, tuple):
        joiner = " and " if leaf.op == "between" else ", "
        return joiner.join(_one(field, item) for item in value)
    return _one(field, value)


def _one(field: Field, value: object) -> str:
    if field.type == FieldType.DURATION:
        return duration_text(value)
    if field.type == FieldType.BOOLEAN:
        return "yes" if value else "no"
    if field.choices:
        return field.choice_label(value)
    if isinstance(value, int | float):
        text = _number(value)
        return f"{text}{field.unit}" if field.unit == "%" else f"{text} {field.unit}".rstrip()
    return str(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _plural(count: float, unit: str) -> str:
    return f"{_number(count)} {unit}" + ("" if count == 1 else "s")


def duration_text(seconds: float) -> str:
    """Return a number of seconds in words: 90 → '1 minute 30 seconds', 180 → '3 minutes'."""
    if seconds < 60:
        return _plural(seconds, "second")
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "hour"), (minutes, "minute"), (secs, "second")]
    return " ".join(_plural(amount, unit) for amount, unit in parts if amount)
