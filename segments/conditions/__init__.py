"""The condition language of segments and rules: pure data, no ORM.

A condition is JSON: ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}`` or a row
``{"field": "visits", "op": "gte", "value": 5}`` (``"key": "shoes"`` for a per-key number). Fields are declared in a
``Vocabulary`` that segments builds and rules extends (``vocabulary.extend(fields)``); limits live in ``limits``.

How values compare (``evaluate``, and the same in the tracker):

- A missing value (absent, None, NaN, an empty text, or a value of the wrong type, e.g. True for a number: True is
  not 1) fails every operator except ``is_not_set``; ``ne``, ``not_in``, ``not_contains``, ``not_includes`` and
  ``not_within_last`` fail too. Wrap a row in ``not`` to include visitors without a value: ``not (visits > 5)`` holds
  for a visitor with no visits figure, ``visits at most 5`` does not.
- A per-key number (``key_number``) counts a key its map has never seen as 0; a missing map is missing.
- An empty set is a known value: ``is_set`` on a set means "not empty", and ``not_includes`` holds for it.
- Text: ``eq``, ``ne``, ``in``, ``not_in`` and ``matches`` are case-sensitive; ``contains``, ``not_contains`` and
  ``starts_with`` ignore case. ``matches`` takes a whole-value pattern where ``*`` stands for any run of characters
  (``/product/*``); no regular expressions are ever taken from editors.
- ``between`` includes both ends; ``within_last`` N days holds for an age of at most N days (future times count).

The residual of ``partially_evaluate``, as the tracker receives it from ``residual_json``: ``true``, ``false``, or a
tree of ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": node}`` and rows ``{"f": field, "o": op, "v": value,
"k": key}`` ("v" absent for is_set / is_not_set, a two-item array for between, an array for lists; durations in
seconds, days as numbers), to be compared with the rules above.
"""

from .describe import describe, duration_text
from .evaluation import LeafResult, evaluate, explain, partially_evaluate, residual_compact, residual_json
from .fields import Field, FieldType, Known, Vocabulary
from .filtering import (
    LOOKUPS,
    FilterPlan,
    FilterUnsupported,
    Lookup,
    PlanAll,
    PlanAny,
    PlanNot,
    filter_plan,
    plan_lookups,
)
from .limits import MAX_DAYS, MAX_DEPTH, MAX_LIST_ITEMS, MAX_NUMBER, MAX_ROWS, MAX_TEXT_LENGTH
from .operators import OPERATORS, operator_choices
from .parsing import SEPARATOR, ConditionError, ConditionInvalid, parse, parse_rows, validate
from .tree import AllOf, AnyOf, Condition, Leaf, Not, leaves, to_json

__all__ = [
    "LOOKUPS",
    "MAX_DAYS",
    "MAX_DEPTH",
    "MAX_LIST_ITEMS",
    "MAX_NUMBER",
    "MAX_ROWS",
    "MAX_TEXT_LENGTH",
    "OPERATORS",
    "SEPARATOR",
    "AllOf",
    "AnyOf",
    "Condition",
    "ConditionError",
    "ConditionInvalid",
    "Field",
    "FieldType",
    "FilterPlan",
    "FilterUnsupported",
    "Known",
    "Leaf",
    "LeafResult",
    "Lookup",
    "Not",
    "PlanAll",
    "PlanAny",
    "PlanNot",
    "Vocabulary",
    "describe",
    "duration_text",
    "evaluate",
    "explain",
    "filter_plan",
    "leaves",
    "operator_choices",
    "parse",
    "parse_rows",
    "partially_evaluate",
    "plan_lookups",
    "residual_compact",
    "residual_json",
    "to_json",
    "validate",
]  # fmt: skip
