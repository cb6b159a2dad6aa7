"""The payload's declaration (payload.py) resolved against the settings: every limit a number, and the per-type
property checks built once from it. Pure: the settings arrive as a mapping."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .payload import Amount, Choice, EventInvalid, EventPayload, EventType, PropertyRule, Whole, limit_value

PropertyCheck = Callable[[dict], None]


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so the fast path's decoder cache stays cheap
class Limits:
    """What the collector enforces under one set of settings, derived from one declaration."""

    payload: EventPayload
    categories: dict[str, str]  # event type → the consent category it needs
    texts: tuple[tuple[str, int], ...]  # (field, maximum length), in the declaration's order
    required: dict[str, tuple[int, str]]  # event type → (index in texts, field) of the text it must carry
    max_key_length: int
    max_props: int
    max_props_bytes: int
    max_url_length: int
    max_age_ms: int
    max_future_ms: int
    url_denylist: frozenset[str]
    purposes: frozenset[str]
    max_events: int
    max_body_bytes: int
    max_body_depth: int
    property_checks: dict[str, PropertyCheck] = field(default_factory=dict)  # event type → its check, if any


def limits_resolve(payload: EventPayload, attune: Mapping, *, purposes: frozenset[str]) -> Limits:
    """The limits `payload` declares, read from `attune` where it names a setting; `purposes` are the consent
    categories an event may name."""
    texts = tuple((text.name, limit_value(text.max_length, attune)) for text in payload.texts)
    names = [name for name, _ in texts]
    return Limits(
        payload=payload,
        categories={kind.name: kind.category for kind in payload.types},
        texts=texts,
        required={text.required_for: (names.index(text.name), text.name) for text in payload.texts
                  if text.required_for},
        max_key_length=limit_value(payload.max_key_length, attune),
        max_props=limit_value(payload.max_keys, attune),
        max_props_bytes=limit_value(payload.max_props_bytes, attune),
        max_url_length=limit_value(payload.max_url_length, attune),
        max_age_ms=limit_value(payload.max_age_ms, attune),
        max_future_ms=limit_value(payload.max_future_ms, attune),
        url_denylist=frozenset(key.lower() for key in attune[payload.url_denylist.name]),
        purposes=purposes,
        max_events=limit_value(payload.max_events, attune),
        max_body_bytes=limit_value(payload.max_body_bytes, attune),
        max_body_depth=limit_value(payload.max_body_depth, attune),
        property_checks={kind.name: check for kind in payload.types if (check := type_check(kind)) is not None},
    )


def whole_number(value: object, field: str, *, low: int, high: int) -> int:
    """`value` as an integer from `low` to `high`, or EventInvalid naming `field`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise EventInvalid(f"`{field}` must be a number.")
    if isinstance(value, float) and not value.is_integer():
        raise EventInvalid(f"`{field}` must be a whole number, such as {int(value)}.")
    if not low <= value <= high:
        raise EventInvalid(f"`{field}` must be between {low} and {high}.")
    return int(value)


def type_check(kind: EventType) -> PropertyCheck | None:
    """One function checking (and normalising) the properties `kind` declares, or None when it declares none."""
    checks = [rule_check(rule, kind.name) for rule in kind.properties]
    if len(checks) <= 1:
        return checks[0] if checks else None

    def check_all(props: dict) -> None:
        for check in checks:
            check(props)

    return check_all


def rule_check(rule: PropertyRule, event_type: str) -> PropertyCheck:
    """A check for one declared property, its limits bound in (this runs for most events the collector takes)."""
    name, label = rule.name, f"props.{rule.name}"
    if isinstance(rule, Whole):
        low, high = rule.low, rule.high
        if rule.required:
            def whole(props: dict) -> None:
                props[name] = whole_number(props.get(name), label, low=low, high=high)
        else:
            def whole(props: dict) -> None:
                if name in props:
                    props[name] = whole_number(props[name], label, low=low, high=high)
        return whole
    if isinstance(rule, Choice):
        choices, message = frozenset(rule.choices), f"`{label}` of a {event_type} event must be {rule.allowed()}."

        def choice(props: dict) -> None:
            value = props.get(name)
            if not (isinstance(value, str) and value in choices):
                raise EventInvalid(message)
        return choice
    assert isinstance(rule, Amount)
    low, below, message = rule.low, rule.below, f"`{label}` must be a number from {rule.low:,} to {rule.below - 1:,}."

    def amount(props: dict) -> None:
        if name in props:
            value = props[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value < below:
                raise EventInvalid(message)
    return amount
