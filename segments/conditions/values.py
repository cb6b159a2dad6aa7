"""Values of a leaf: checking stored JSON values, and reading the text an editor types into a form row."""

import math
import re

from .fields import Field, FieldType
from .limits import MAX_DAYS, MAX_LIST_ITEMS, MAX_NUMBER, MAX_PATTERN_STARS, MAX_TEXT_LENGTH
from .operators import OPERATORS, Shape


class ValueProblem(ValueError):
    """A value an editor can fix; its message says how."""


def check_value(field: Field, op: str, raw: object) -> object:
    """Return `raw` as the typed value of (`field`, `op`), or raise ValueProblem saying what to write instead."""
    shape = OPERATORS[op].shape
    if shape == Shape.NONE:
        if raw is not None:
            raise ValueProblem(f"'{OPERATORS[op].label}' takes no value; leave the value empty.")
        return None
    if raw is None:
        raise ValueProblem(f"'{OPERATORS[op].label}' needs a value; {_hint(field, op)}.")
    if shape == Shape.DAYS:
        return _days(raw)
    if shape == Shape.PAIR:
        return _pair(field, op, raw)
    if shape == Shape.LIST:
        if not isinstance(raw, list | tuple) or not raw:
            raise ValueProblem(f"'{OPERATORS[op].label}' needs a list of values; {_hint(field, op)}.")
        if len(raw) > MAX_LIST_ITEMS:
            raise ValueProblem(f"A list holds at most {MAX_LIST_ITEMS} values; split it or use a broader condition.")
        return tuple(dict.fromkeys(_scalar(field, op, item) for item in raw))
    return _scalar(field, op, raw)


def _hint(field: Field, op: str) -> str:
    if OPERATORS[op].shape == Shape.DAYS:
        return "write a number of days, like 7"
    example = {
        FieldType.NUMBER: "5",
        FieldType.KEY_NUMBER: "0.5",
        FieldType.INTEGER: "5",
        FieldType.DURATION: "3m or 90s",
        FieldType.BOOLEAN: "yes or no",
    }.get(field.type, "some text")
    if field.choices:
        example = ", ".join(field.choice_values[:5])
    if OPERATORS[op].shape == Shape.PAIR:
        return f"write two values, the lower first, like '{example} and …'"
    return f"pick one of {example}" if field.choices else f"write a value like {example}"


def _pair(field: Field, op: str, raw: object) -> tuple:
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise ValueProblem(f"'is between' needs two values; {_hint(field, op)}.")
    low, high = (_scalar(field, op, item) for item in raw)
    if low > high:
        raise ValueProblem(f"'is between' needs the lower value first: write {high} and {low}, not {low} and {high}.")
    return (low, high)


def _days(raw: object) -> float | int:
    if not _is_number(raw) or not 0 < raw <= MAX_DAYS:
        raise ValueProblem(f"Write a number of days above 0 and at most {MAX_DAYS}, like 7.")
    return raw


def _is_number(raw: object) -> bool:
    if not isinstance(raw, int | float) or isinstance(raw, bool):
        return False
    return math.isfinite(raw) and abs(raw) <= MAX_NUMBER if isinstance(raw, float) else abs(raw) <= MAX_NUMBER


def _scalar(field: Field, op: str, raw: object) -> object:
    kind = field.type
    if kind in (FieldType.NUMBER, FieldType.KEY_NUMBER, FieldType.DURATION):
        if not _is_number(raw):
            raise ValueProblem(f"{field.label} takes a number of at most {MAX_NUMBER:,.0f}; {_hint(field, op)}.")
        if kind == FieldType.DURATION and raw < 0:
            raise ValueProblem(f"{field.label} takes a duration of 0 seconds or more; {_hint(field, op)}.")
        return raw
    if kind == FieldType.INTEGER:
        if not _is_number(raw) or raw != int(raw):
            raise ValueProblem(f"{field.label} takes a whole number; {_hint(field, op)}.")
        return int(raw)
    if kind == FieldType.BOOLEAN:
        if not isinstance(raw, bool):
            raise ValueProblem(f"{field.label} takes yes or no.")
        return raw
    return _text(field, op, raw)


def _text(field: Field, op: str, raw: object) -> str:
    if not isinstance(raw, str) or not raw:
        raise ValueProblem(f"{field.label} takes a non-empty text; {_hint(field, op)} (to match no value, use 'is not set').")
    if len(raw) > MAX_TEXT_LENGTH:
        raise ValueProblem(f"A text value holds at most {MAX_TEXT_LENGTH} characters; shorten it.")
    if field.choices and raw not in field.choice_values:
        raise ValueProblem(f"{raw!r} is not a choice of {field.label}; pick one of {', '.join(field.choice_values)}.")
    if op == "matches" and raw.count("*") > MAX_PATTERN_STARS:
        raise ValueProblem(f"A pattern holds at most {MAX_PATTERN_STARS} '*'; use fewer wildcards.")
    return raw


# --- text typed into an admin form row -------------------------------------------------------------

_BETWEEN = re.compile(r"\s*(?:,|\.\.|\band\b|\bto\b|\u2013|\u2014)\s*", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)?(?![a-z])", re.IGNORECASE)
_DAY_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "week": 7, "weeks": 7, "h": 1 / 24, "hour": 1 / 24, "hours": 1 / 24}
_BOOLEANS = {"yes": True, "true": True, "1": True, "on": True, "no": False, "false": False, "0": False, "off": False}


def value_from_text(field: Field, op: str, text: str) -> object:
    """Return the typed value an editor's `text` stands for, or raise ValueProblem naming what to write."""
    text = text.strip()
    shape = OPERATORS[op].shape
    if shape == Shape.NONE or not text:
        return check_value(field, op, text or None)
    if shape == Shape.DAYS:
        return check_value(field, op, _days_from_text(text))
    if shape == Shape.PAIR:
        parts = _BETWEEN.split(text)
        if len(parts) != 2:
            raise ValueProblem(f"'is between' needs two values; {_hint(field, op)}.")
        return check_value(field, op, [_scalar_from_text(field, op, part) for part in parts])
    if shape == Shape.LIST:
        items = [part.strip() for part in text.split(",") if part.strip()]
        return check_value(field, op, [_scalar_from_text(field, op, item) for item in items])
    return check_value(field, op, _scalar_from_text(field, op, text))


def _scalar_from_text(field: Field, op: str, text: str) -> object:
    kind = field.type
    if field.unit and text.endswith(field.unit):
        text = text.removesuffix(field.unit).strip()
    if kind == FieldType.DURATION:
        return _seconds_from_text(field, op, text)
    if kind in (FieldType.NUMBER, FieldType.KEY_NUMBER, FieldType.INTEGER):
        try:
            number = float(text.replace(" ", ""))
        except ValueError:
            raise ValueProblem(f"{field.label} takes a number, not {text!r}; {_hint(field, op)}.") from None
        return int(number) if number.is_integer() and "." not in text else number
    if kind == FieldType.BOOLEAN:
        if text.casefold() not in _BOOLEANS:
            raise ValueProblem(f"{field.label} takes yes or no, not {text!r}.")
        return _BOOLEANS[text.casefold()]
    if field.choices:  # an editor may type the label shown instead of the stored value
        by_label = {label.casefold(): value for value, label in field.choices}
        return text if text in field.choice_values else by_label.get(text.casefold(), text)
    return text


def _seconds_from_text(field: Field, op: str, text: str) -> float | int:
    clock = re.fullmatch(r"(\d+):([0-5]\d)", text)
    if clock:
        return int(clock[1]) * 60 + int(clock[2])
    parts = list(_DURATION_PART.finditer(text))
    if not parts or re.sub(r"\s+", "", _DURATION_PART.sub("", text)):
        raise ValueProblem(f"{field.label} takes a duration, not {text!r}; write like 3m, 90s, 1h 30m or 2:30.")
    seconds = 0.0
    for part in parts:
        unit = (part[2] or "s")[0].lower()
        seconds += float(part[1]) * {"h": 3600, "m": 60, "s": 1}[unit]
    return int(seconds) if seconds.is_integer() else seconds


def _days_from_text(text: str) -> float | int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", text.casefold())
    if not match or match[2] not in {"", *_DAY_UNITS}:
        raise ValueProblem(f"Write a number of days, like 7, 2 weeks or 12 hours, not {text!r}.")
    days = float(match[1]) * _DAY_UNITS.get(match[2], 1)
    return int(days) if days.is_integer() else days
