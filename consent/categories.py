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


# (the configured value, what was built from it): compared by identity, and holding the value so that its id can
# never be reused by another one while cached.
_built: tuple[object, list[Category], frozenset[str]] | None = None


def categories() -> list[Category]:
    """The configured categories, in banner order (built once per settings value; read on every batch)."""
    return categories_current()[1]


def categories_current() -> tuple[object, list[Category], frozenset[str]]:
    global _built
    configured = settings.ATTUNE["CONSENT_CATEGORIES"]
    built = _built
    if built is None or built[0] is not configured:
        listed = categories_build(configured)
        built = _built = (configured, listed, frozenset(category.key for category in listed if category.required))
    return built


def categories_build(configured: list[dict]) -> list[Category]:
    return [
        Category(
            key=item["key"],
            required=bool(item.get("required", False)),
            label=item.get("label", item["key"]),
            description=item.get("description", ""),
            consent_mode=tuple(item.get("consent_mode", ())),
        )
        for item in configured
    ]


def category_keys() -> frozenset[str]:
    return frozenset(category.key for category in categories())


def required_keys() -> frozenset[str]:
    return categories_current()[2]


def consent_mode_signals(granted: frozenset[str]) -> dict[str, str]:
    """Google Consent Mode v2 signals ("granted"/"denied") for a set of granted categories."""
    signals: dict[str, str] = {}
    for category in categories():
        for signal in category.consent_mode:
            allowed = category.required or category.key in granted
            if signals.get(signal) != "granted":
                signals[signal] = "granted" if allowed else "denied"
    return signals
