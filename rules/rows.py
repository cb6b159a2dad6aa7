"""Between a rule's stored condition JSON and the rows editors edit: a flat all / any of rows, each maybe negated."""

from segments.conditions import AllOf, AnyOf, Condition, FieldType, Leaf, Not


class NotFlat(ValueError):
    """A condition nested deeper than one all / any of rows: it cannot be edited as rows."""


def rows_from_condition(condition: Condition) -> tuple[str, list[dict[str, object]]]:
    """('all' or 'any', rows as form data {field, op, value as text, key, negate}) for a flat condition."""
    combine = "any" if isinstance(condition, AnyOf) else "all"
    children = condition.children if isinstance(condition, AllOf | AnyOf) else (condition,)
    rows = []
    for child in children:
        negate = isinstance(child, Not)
        leaf = child.child if negate else child
        if not isinstance(leaf, Leaf):
            raise NotFlat("Only an all / any of rows (each maybe negated) can be edited as rows.")
        rows.append({"field": leaf.field.name, "op": leaf.op, "key": leaf.key or "", "negate": negate,
                     "value": value_as_text(leaf.field.type, leaf.value)})
    return combine, rows


def value_as_text(kind: FieldType, value: object) -> str:
    """A stored value written as an editor would type it (value_from_text reads it back)."""
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        joiner = " and " if len(value) == 2 and kind != FieldType.TEXT_SET else ", "
        return joiner.join(value_as_text(kind, item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == FieldType.DURATION:
        return f"{value}s"
    return str(value)
