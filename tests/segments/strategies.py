"""Hypothesis strategies for conditions over the test vocabulary and for visitors' values."""

from datetime import timedelta

from hypothesis import strategies as st

from segments.conditions import OPERATORS, Field, FieldType

from .vocabulary import NOW, VOCAB

_ONE = {
    FieldType.INTEGER: st.integers(-3, 12),
    FieldType.NUMBER: st.sampled_from([-1, 0, 0.5, 1, 2.5, 10]),
    FieldType.KEY_NUMBER: st.sampled_from([-1, 0, 0.5, 1, 2.5]),
    FieldType.DURATION: st.sampled_from([0, 30, 60, 180]),
    FieldType.TEXT: st.sampled_from(["/a", "/a/b", "/product/shoes", "sale", "/B", "a"]),
    FieldType.BOOLEAN: st.booleans(),
    FieldType.TEXT_SET: st.sampled_from(["a", "b", "c"]),
}
_PATTERNS = st.sampled_from(["/a*", "/product/*", "*sale*", "/a", "*", "/*/b"])


def _value(field: Field, op: str):
    shape = OPERATORS[op].shape.value
    one = st.sampled_from(field.choice_values) if field.type == FieldType.CHOICE else _ONE.get(field.type)
    if op == "matches":
        one = _PATTERNS
    return {
        "none": st.none(),
        "one": one,
        "pair": st.lists(one, min_size=2, max_size=2).map(sorted),
        "list": st.lists(one, min_size=1, max_size=3),
        "days": st.sampled_from([0.5, 1, 7, 30]),
    }[shape]


@st.composite
def leaves(draw, fields=None):
    """Valid rows over `fields` (default: the whole test vocabulary)."""
    field = draw(st.sampled_from(list(fields or VOCAB)))
    op = draw(st.sampled_from(field.operators))
    data = {"field": field.name, "op": op}
    value = draw(_value(field, op))
    if value is not None:
        data["value"] = value
    if field.type == FieldType.KEY_NUMBER:
        data["key"] = "shoes"
    return data


def conditions(fields=None, max_leaves=6):
    """Condition JSON, mostly valid (contradictions and double negations aside), over `fields`."""
    return st.recursive(
        leaves(fields),
        lambda kids: st.one_of(
            st.lists(kids, min_size=1, max_size=3).map(lambda items: {"all": items}),
            st.lists(kids, min_size=1, max_size=3).map(lambda items: {"any": items}),
            kids.map(lambda item: {"not": item}),
        ),
        max_leaves=max_leaves,
    )


_STORED = {
    FieldType.INTEGER: st.integers(-3, 12),
    FieldType.NUMBER: st.sampled_from([-1, 0, 0.5, 1, 2.5, 10]),
    FieldType.DURATION: st.sampled_from([0, 29.5, 30, 60, 180, 200]),
    FieldType.KEY_NUMBER: st.dictionaries(st.sampled_from(["shoes", "hats"]), st.sampled_from([0, 0.5, 1, 3])),
    FieldType.TEXT: st.sampled_from(["", "/a", "/a/b", "/A/b", "/product/shoes", "/big-sale", "/x/b", "a"]),
    FieldType.BOOLEAN: st.booleans(),
    FieldType.TEXT_SET: st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=3),
    FieldType.DATETIME: st.sampled_from([0.25, 1, 6.9, 7, 20, 45]).map(lambda days: NOW - timedelta(days=days)),
}


def stored_value(field: Field, *, nullable: bool = True):
    """A value of the field's type as a database would hold it (None for NULL when `nullable`)."""
    typed = st.sampled_from((*field.choice_values, "")) if field.type == FieldType.CHOICE else _STORED[field.type]
    return st.one_of(st.none(), typed) if nullable else typed


_WRONG = st.sampled_from([True, False, "5", 5, 1.5, float("nan"), [], {}, "", b"a"])


def visitor_values(fields=None):
    """Field name → value, with some values absent, NULL or of the wrong type."""
    fields = list(fields or VOCAB)
    return st.fixed_dictionaries({}, optional={f.name: st.one_of(stored_value(f), _WRONG) for f in fields})
