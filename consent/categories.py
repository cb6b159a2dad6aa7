"""Consent categories as configured in ATTUNE["CONSENT_CATEGORIES"], and their Consent Mode v2 signals."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Category:
    key: str
    required: bool
    label: str
    description: str
    consent_mode: tuple[str, ...]


def categories() -> list[Category]:
    """The configured categories, in banner order."""
    return [
        Category(
            key=item["key"],
            required=bool(item.get("required", False)),
            label=item.get("label", item["key"]),
            description=item.get("description", ""),
            consent_mode=tuple(item.get("consent_mode", ())),
        )
        for item in settings.ATTUNE["CONSENT_CATEGORIES"]
    ]


def category_keys() -> frozenset[str]:
    return frozenset(category.key for category in categories())


def required_keys() -> frozenset[str]:
    return frozenset(category.key for category in categories() if category.required)


def consent_mode_signals(granted: frozenset[str]) -> dict[str, str]:
    """Google Consent Mode v2 signals ("granted"/"denied") for a set of granted categories."""
    signals: dict[str, str] = {}
    for category in categories():
        for signal in category.consent_mode:
            allowed = category.required or category.key in granted
            if signals.get(signal) != "granted":
                signals[signal] = "granted" if allowed else "denied"
    return signals
