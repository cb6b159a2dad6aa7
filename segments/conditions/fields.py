"""Fields a condition may test: their types, the operators each type allows, and the registry that holds them."""

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    NUMBER = "number"
    INTEGER = "integer"
    DURATION = "duration_seconds"  # a number of seconds, written and shown in human units
    TEXT = "text"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    TEXT_SET = "text_set"  # e.g. sections seen, segments a visitor is in
    DATETIME = "datetime"  # compared by age: within / not within the last N days
    KEY_NUMBER = "key_number"  # a number per key, e.g. category affinity for "shoes"


class Known(StrEnum):
    SERVER = "server"  # the profile or the page request: known when the server decides
    PAGE = "page"  # an in-page signal: known only in the browser, after the page is shown


_COMPARE = ("eq", "ne", "gt", "gte", "lt", "lte", "between")
_PRESENCE = ("is_set", "is_not_set")

TYPE_OPERATORS: Mapping[FieldType, tuple[str, ...]] = {
    FieldType.NUMBER: (*_COMPARE, *_PRESENCE),
    FieldType.INTEGER: (*_COMPARE, "in", "not_in", *_PRESENCE),
    FieldType.DURATION: (*_COMPARE, *_PRESENCE),
    FieldType.KEY_NUMBER: _COMPARE,  # a key never seen counts as 0, so it is always set
    FieldType.TEXT: (
        "eq", "ne", "in", "not_in", "contains", "not_contains", "starts_with", "matches", *_PRESENCE,
    ),
    FieldType.CHOICE: ("eq", "ne", "in", "not_in", *_PRESENCE),
    FieldType.BOOLEAN: ("eq", "ne", *_PRESENCE),
    FieldType.TEXT_SET: ("includes", "not_includes", "includes_any", "includes_all", *_PRESENCE),
    FieldType.DATETIME: ("within_last", "not_within_last", *_PRESENCE),
}  # fmt: skip

_WITH_CHOICES = frozenset({FieldType.CHOICE, FieldType.TEXT_SET})  # a text set may list its members (segments)
NUMERIC_TYPES = frozenset({FieldType.NUMBER, FieldType.INTEGER, FieldType.DURATION, FieldType.KEY_NUMBER})

# Field names are plain identifiers without "__", so a name can never spell an ORM lookup path.
_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@dataclass(frozen=True)
class Field:
    """A value a condition can test: its name, type, how it is shown and where it is known."""

    name: str
    type: FieldType
    label: str
    description: str = ""
    unit: str = ""
    known: Known = Known.SERVER
    choices: Sequence[str | tuple[str, str]] = ()  # values, or (value, label) pairs; a text set's are optional
    operators: Sequence[str] = ()  # a subset of the type's operators; empty means all of them
    # Sentence templates per operator name, or "compare" for eq…between: "{op}" is the operator
    # phrase with its value ("more than 5"), "{value}" the value alone. Default: "{label} {op}".
    phrases: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"Field name {self.name!r} must be lowercase letters, digits and single underscores.")
        object.__setattr__(self, "type", FieldType(self.type))
        object.__setattr__(self, "known", Known(self.known))
        pairs = tuple((c, c) if isinstance(c, str) else (c[0], c[1]) for c in self.choices)
        object.__setattr__(self, "choices", pairs)
        if (self.type == FieldType.CHOICE and not pairs) or (pairs and self.type not in _WITH_CHOICES):
            raise ValueError(f"Field {self.name!r}: choices are required for a choice field, optional for a text set.")
        allowed = TYPE_OPERATORS[self.type]
        unknown = [op for op in self.operators if op not in allowed]
        if unknown:
            raise ValueError(f"Field {self.name!r}: operators {unknown} do not apply to type {self.type.value}.")
        object.__setattr__(self, "operators", tuple(self.operators) or allowed)
        for key, template in self.phrases.items():
            try:
                template.format(label="", op="", value="")
            except (KeyError, IndexError, ValueError):
                raise ValueError(f"Field {self.name!r}: phrase {key!r} may use only {{label}}, {{op}} and {{value}}.") from None

    @property
    def choice_values(self) -> tuple[str, ...]:
        """The allowed values of a choice field, in declaration order."""
        return tuple(value for value, _ in self.choices)

    def choice_label(self, value: str) -> str:
        """The label shown for one choice value (the value itself when it has none)."""
        return dict(self.choices).get(value, value)


class Vocabulary:
    """An immutable registry of fields by name; `extend` returns a larger copy."""

    def __init__(self, fields: Iterable[Field] = ()) -> None:
        by_name: dict[str, Field] = {}
        for item in fields:
            if item.name in by_name:
                raise ValueError(f"Field {item.name!r} is declared twice; give each field its own name.")
            by_name[item.name] = item
        self._fields = by_name

    def extend(self, fields: Iterable[Field]) -> "Vocabulary":
        """Return a new vocabulary with `fields` added; a name already declared raises ValueError."""
        return Vocabulary([*self._fields.values(), *fields])

    def get(self, name: str) -> Field | None:
        """Return the field called `name`, or None."""
        return self._fields.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)

    @property
    def names(self) -> tuple[str, ...]:
        """Field names in declaration order."""
        return tuple(self._fields)

    def picker(self) -> list[tuple[str, str]]:
        """(name, label) pairs for an admin field picker, in declaration order."""
        return [(f.name, f.label) for f in self._fields.values()]
