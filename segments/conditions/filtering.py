"""Filter plans: a checked condition turned into (column, lookup, value) trees built only from allow-lists.

Nothing an editor types becomes a column or a lookup: columns come from the caller's field → column map, lookups
from the fixed operator → lookup map below; editors' text only ever lands in `value` (and `key`, which the Django
adapter must pass to a KeyTransform, never splice into a lookup path).

The adapter maps Lookup to Q(**{column + "__" + lookup: value}) (KeyTransform(key, column) when `key` is set),
PlanAll / PlanAny to & / |, and PlanNot to ~ (Django's ~Q counts a NULL as not matching the negated lookup, as
`evaluate` does a missing value). Per-key number columns are assumed NOT NULL (a map, maybe empty). On SQLite
`startswith` ignores ASCII case (its LIKE does), so there a plan for `matches '/product/*'` also selects
'/Product/…', which `evaluate` does not; PostgreSQL agrees with `evaluate`.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .fields import FieldType
from .operators import aware, leaf_matches
from .tree import AllOf, AnyOf, Condition, Leaf, Not

LOOKUPS = frozenset({"exact", "gt", "gte", "lt", "lte", "range", "in", "icontains", "istartswith", "startswith", "isnull"})
_DIRECT = {"eq": "exact", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte", "between": "range", "in": "in",
           "contains": "icontains", "starts_with": "istartswith"}  # fmt: skip
_NEGATED = {"ne": "exact", "not_in": "in", "not_contains": "icontains"}


@dataclass(frozen=True)
class Lookup:
    column: str  # always a value of the caller's column map
    lookup: str  # always one of LOOKUPS
    value: object
    key: str | None = None  # a JSON key under `column` (per-key numbers)


@dataclass(frozen=True)
class PlanAll:
    children: tuple["FilterPlan", ...]


@dataclass(frozen=True)
class PlanAny:
    children: tuple["FilterPlan", ...]


@dataclass(frozen=True)
class PlanNot:
    child: "FilterPlan"


FilterPlan = Lookup | PlanAll | PlanAny | PlanNot


class FilterUnsupported(ValueError):
    """A condition the database cannot filter on; the message names the row's field and what to do."""


def filter_plan(condition: Condition, column_map: Mapping[str, str], *, now: datetime | None = None) -> FilterPlan:
    """Return the plan that selects, in the database, the rows `evaluate` would accept (NULL counts as missing)."""
    now = aware(now)
    if isinstance(condition, Not):
        return PlanNot(filter_plan(condition.child, column_map, now=now))
    if isinstance(condition, AllOf | AnyOf):
        children = tuple(filter_plan(child, column_map, now=now) for child in condition.children)
        return PlanAll(children) if isinstance(condition, AllOf) else PlanAny(children)
    column = column_map.get(condition.field.name)
    if column is None:
        raise FilterUnsupported(
            f"'{condition.field.label}' is not stored where segments can be counted; it is decided only when the "
            "visitor is seen. Remove that row, or use it in a rule instead of a segment."
        )
    return _leaf_plan(condition, column, now)


def _leaf_plan(leaf: Leaf, column: str, now: datetime) -> FilterPlan:
    plan = _typed_plan(leaf, column, now)
    if leaf.field.type == FieldType.KEY_NUMBER and leaf_matches(leaf, 0, now):  # a key never seen counts as 0
        return PlanAny((plan, Lookup(column, "isnull", True, leaf.key)))
    return plan


def _typed_plan(leaf: Leaf, column: str, now: datetime) -> FilterPlan:
    field, op, value = leaf.field, leaf.op, leaf.value
    if field.type == FieldType.TEXT_SET:
        raise FilterUnsupported(f"'{field.label}' is a set of values the database cannot filter; use it in a rule.")
    present = _present(leaf, column)
    if op == "is_set":
        return present
    if op == "is_not_set":
        return PlanNot(present)
    if op in _NEGATED:  # a missing value fails 'is not' as it fails every other operator
        return PlanAll((present, PlanNot(Lookup(column, _NEGATED[op], _listed(value), leaf.key))))
    if op in ("within_last", "not_within_last"):
        return Lookup(column, "gte" if op == "within_last" else "lt", now - timedelta(days=value))
    if op == "matches":
        return _pattern(leaf, column, present)
    return Lookup(column, _DIRECT[op], _listed(value), leaf.key)


def _present(leaf: Leaf, column: str) -> FilterPlan:
    """Return the plan for 'has a usable value': not NULL, and for text not empty."""
    not_null = Lookup(column, "isnull", False, leaf.key)
    if leaf.field.type in (FieldType.TEXT, FieldType.CHOICE):
        return PlanAll((not_null, PlanNot(Lookup(column, "exact", ""))))
    return not_null


def _pattern(leaf: Leaf, column: str, present: FilterPlan) -> FilterPlan:
    pattern = leaf.value
    if "*" not in pattern:
        return Lookup(column, "exact", pattern)
    prefix = pattern[:-1]
    if pattern.endswith("*") and "*" not in prefix:
        return PlanAll((present, Lookup(column, "startswith", prefix))) if prefix else present
    raise FilterUnsupported(
        f"'{leaf.field.label}' matches {pattern!r}: the database can filter only a pattern with one * at its end "
        "(like /product/*); rewrite the pattern or use it in a rule."
    )


def _listed(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def plan_lookups(plan: FilterPlan) -> Iterator[Lookup]:
    """Yield every lookup of `plan`, depth first."""
    if isinstance(plan, Lookup):
        yield plan
    elif isinstance(plan, PlanNot):
        yield from plan_lookups(plan.child)
    else:
        for child in plan.children:
            yield from plan_lookups(child)
