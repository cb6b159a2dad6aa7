"""Reading conditions, from stored JSON or from admin form rows, into checked trees with errors that name the row."""

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .contradictions import contradictions
from .fields import Field, FieldType, Vocabulary
from .limits import MAX_DEPTH, MAX_GROUP_ITEMS, MAX_ROWS, MAX_TEXT_LENGTH
from .operators import OPERATORS
from .tree import SEPARATOR, AllOf, AnyOf, Condition, Leaf, Not
from .values import ValueProblem, check_value, value_from_text

_GROUPS = frozenset({"all", "any", "not"})
_LEAF_KEYS = frozenset({"field", "op", "value", "key"})


@dataclass(frozen=True)
class ConditionError:
    """One problem: where it is ('all > any (item 2) > row 1' or 'row 3' for form rows), what and what to do."""

    where: str
    message: str
    code: str  # shape, unknown_field, operator, key, value, empty_group, too_deep, too_many_rows, contradiction

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ConditionInvalid(ValueError):
    """A condition that cannot be used; `errors` lists every problem found."""

    def __init__(self, errors: Sequence[ConditionError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def validate(data: object, vocabulary: Vocabulary) -> list[ConditionError]:
    """Return every problem of the stored condition `data` (empty when it can be used)."""
    return _Reader(vocabulary).read(data)[1]


def parse(data: object, vocabulary: Vocabulary) -> Condition:
    """Return the stored condition `data` as a tree, or raise ConditionInvalid listing every problem."""
    condition, errors = _Reader(vocabulary).read(data)
    if errors:
        raise ConditionInvalid(errors)
    return condition


def parse_rows(rows: Sequence[Mapping[str, object]], vocabulary: Vocabulary, *, combine: str = "all") -> Condition:
    """Return admin form rows ({field, op, value as text, key?, negate?}) joined by `combine` ('all' or 'any').

    Blank rows (no field, operator or value) are skipped but keep their number in messages.
    Raises ConditionInvalid naming each row at fault ('row 3').
    """
    if combine not in ("all", "any"):
        raise ValueError(f"combine is 'all' or 'any', not {combine!r}.")
    reader = _Reader(vocabulary)
    children, names = [], []
    for number, row in enumerate(rows, start=1):
        cells = {k: "" if row.get(k) is None else str(row.get(k)).strip() for k in ("field", "op", "value", "key")}
        if not (cells["field"] or cells["op"] or cells["value"]):
            continue
        cells["key"] = cells["key"] or None
        leaf = reader.leaf(cells, f"row {number}", value_from_text)
        if leaf is not None:
            children.append(Not(leaf) if row.get("negate") else leaf)
            names.append(f"row {number}")
    if not children and not reader.errors:
        reader.error("", "Add at least one row.", "empty_group")
    if not reader.errors:
        group = AllOf(tuple(children)) if combine == "all" else AnyOf(tuple(children))
        reader.check_group(group, names, "")
    if reader.errors:
        raise ConditionInvalid(reader.errors)
    return group


class _Reader:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.errors: list[ConditionError] = []
        self.rows = 0

    def error(self, where: str, message: str, code: str) -> None:
        self.errors.append(ConditionError(where, message, code))

    def read(self, data: object) -> tuple[Condition | None, list[ConditionError]]:
        root = _group_kind(data) or "row 1"
        condition = self.node(data, root, depth=1)
        return (condition if not self.errors else None), self.errors

    def node(self, data: object, where: str, depth: int, *, in_all: bool = False) -> Condition | None:
        kind = _group_kind(data)
        if kind is None:
            if isinstance(data, Mapping) and not set(data) & _GROUPS and data:
                return self.leaf(data, where, check_value)
            self.error(where, 'Each item is a group ({"all": […]}, {"any": […]} or {"not": {…}}) or a row '
                       '({"field", "op", "value"}); rewrite this one as either.', "shape")  # fmt: skip
            return None
        if kind == "not":
            return self.negation(data["not"], where, depth)
        if depth > MAX_DEPTH:
            self.error(where, f"Groups nest at most {MAX_DEPTH} deep; flatten this group into its parent.", "too_deep")
            return None
        return self.group(kind, data[kind], where, depth, in_all=in_all)

    def negation(self, inner: object, where: str, depth: int) -> Condition | None:
        if _group_kind(inner) == "not":
            self.error(where, "'not' inside 'not' cancels out; remove both.", "shape")
            return None
        child = self.node(inner, where, depth)  # a 'not' takes its child's place and name
        return Not(child) if child is not None else None

    def group(self, kind: str, items: object, where: str, depth: int, *, in_all: bool = False) -> Condition | None:
        """Read an `all` or `any` group; an `all` directly inside an `all` is checked for contradictions with its
        parent's rows, as one conjunction, rather than on its own."""
        if not isinstance(items, list | tuple) or not items:
            self.error(where, f"This '{kind}' group is empty; add a row to it or remove it.", "empty_group")
            return None
        if len(items) > MAX_GROUP_ITEMS:
            self.error(where, f"A group holds at most {MAX_GROUP_ITEMS} items; split it up.", "too_many_rows")
            return None
        names = [_child_name(item, n) for n, item in enumerate(items, start=1)]
        children = [
            self.node(item, f"{where}{SEPARATOR}{name}", depth + 1, in_all=kind == "all")
            for item, name in zip(items, names, strict=True)
        ]
        if kind == "all" and not in_all:  # contradictions among the rows that are fine, even when a sibling is not
            usable = [(child, name) for child, name in zip(children, names, strict=True) if child is not None]
            self.check_group(AllOf(tuple(c for c, _ in usable)), [n for _, n in usable], where)
        if any(child is None for child in children):
            return None
        return AllOf(tuple(children)) if kind == "all" else AnyOf(tuple(children))

    def check_group(self, group: AllOf | AnyOf, names: list[str], where: str) -> None:
        if isinstance(group, AllOf):
            for message in contradictions(group.children, names):
                self.error(where, message, "contradiction")

    def leaf(self, data: Mapping, where: str, read_value: Callable[[Field, str, object], object]) -> Leaf | None:
        self.rows += 1
        if self.rows == MAX_ROWS + 1:
            self.error(where, f"A condition holds at most {MAX_ROWS} rows; split it or use a segment.", "too_many_rows")
        if self.rows > MAX_ROWS:
            return None
        extra = sorted(str(k) for k in data if k not in _LEAF_KEYS)
        if extra:
            self.error(where, f"Unexpected {', '.join(map(repr, extra))} in a row; a row has field, op and value.", "shape")
            return None
        field = self.field(data.get("field"), where)
        if field is None or not self.operator(field, data.get("op"), where):
            return None
        key = self.key(field, data.get("key"), where)
        try:
            value = read_value(field, data["op"], data.get("value"))
        except ValueProblem as problem:
            self.error(where, str(problem), "value")
            return None
        return Leaf(field, data["op"], value, key) if key is not False else None

    def field(self, name: object, where: str) -> Field | None:
        field = self.vocabulary.get(name) if isinstance(name, str) else None
        if field is None:
            named = isinstance(name, str) and len(name) <= MAX_TEXT_LENGTH
            close = difflib.get_close_matches(name, self.vocabulary.names, n=1) if named else []
            hint = f"did you mean '{close[0]}'? Or " if close else ""
            shown = repr(name) if named else "this field"
            self.error(where, f"Unknown field {shown}; {hint}pick a field from the list.", "unknown_field")
        return field

    def operator(self, field: Field, op: object, where: str) -> bool:
        if isinstance(op, str) and op in field.operators:
            return True
        allowed = ", ".join(f"'{OPERATORS[o].label}'" for o in field.operators)
        shown = f"'{OPERATORS[op].label}'" if isinstance(op, str) and op in OPERATORS else "this operator"
        self.error(where, f"{field.label} cannot use {shown}; use one of {allowed}.", "operator")
        return False

    def key(self, field: Field, key: object, where: str) -> str | bool | None:
        if field.type != FieldType.KEY_NUMBER:
            if key in (None, ""):
                return None
            self.error(where, f"{field.label} takes no key; remove it.", "key")
            return False
        if isinstance(key, str) and key.strip() and len(key) <= MAX_TEXT_LENGTH:
            return key.strip()
        self.error(where, f"{field.label} needs a key (which one, e.g. a category) of at most {MAX_TEXT_LENGTH} "
                   "characters.", "key")  # fmt: skip
        return False


def _group_kind(data: object) -> str | None:
    if isinstance(data, Mapping) and len(data) == 1:
        kind = next(iter(data))
        return kind if kind in _GROUPS else None
    return None


def _child_name(item: object, number: int) -> str:
    kind = _group_kind(item)
    if kind == "not":
        kind = _group_kind(item["not"])  # a 'not' over a row reads as that row
        return f"not (item {number})" if kind else f"row {number}"
    return f"{kind} (item {number})" if kind else f"row {number}"
