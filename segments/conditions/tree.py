"""The condition tree: groups (all, any, not) over leaves (field, operator, value), and its stored JSON."""

from collections.abc import Iterator
from dataclasses import dataclass

from .fields import Field

SEPARATOR = " \u203a "  # a right-pointing angle quote between the parts of a path in messages


@dataclass(frozen=True)
class Leaf:
    """One row: `field` compared by operator `op` with `value` (and, for a per-key number, its `key`)."""

    field: Field
    op: str
    value: object = None  # typed by the field: a tuple for between and lists, None for is_set / is_not_set
    key: str | None = None


@dataclass(frozen=True)
class AllOf:
    """True when every child is true."""

    children: tuple["Condition", ...]


@dataclass(frozen=True)
class AnyOf:
    """True when at least one child is true."""

    children: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    """True when its child is false."""

    child: "Condition"


Condition = Leaf | AllOf | AnyOf | Not


def to_json(condition: Condition) -> dict:
    """Return the JSON-able data `parse` reads back into the same condition."""
    if isinstance(condition, AllOf):
        return {"all": [to_json(c) for c in condition.children]}
    if isinstance(condition, AnyOf):
        return {"any": [to_json(c) for c in condition.children]}
    if isinstance(condition, Not):
        return {"not": to_json(condition.child)}
    data: dict = {"field": condition.field.name, "op": condition.op}
    if condition.key is not None:
        data["key"] = condition.key
    if condition.value is not None:
        data["value"] = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return data


def leaves(condition: Condition) -> Iterator[Leaf]:
    """Yield every leaf of `condition`, depth first, left to right."""
    if isinstance(condition, Leaf):
        yield condition
    elif isinstance(condition, Not):
        yield from leaves(condition.child)
    else:
        for child in condition.children:
            yield from leaves(child)
