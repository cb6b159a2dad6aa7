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


_cache: dict[int, list[Category]] = {}


def categories() -> list[Category]:
    """The configured categories, in banner order (built once per settings value; read on every batch)."""
    configured = settings.ATTUNE["CONSENT_CATEGORIES"]
    cached = _cache.get(id(configured))
    if cached is None:
        cached = _cache[id(configured)] = categories_build(configured)
    return cached


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


_required: dict[int, frozenset[str]] = {}


def required_keys() -> frozenset[str]:
    key = id(settings.ATTUNE["CONSENT_CATEGORIES"])
    if key not in _required:
        _required[key] = frozenset(category.key for category in categories() if category.required)
    return _required[key]


def consent_mode_signals(granted: frozenset[str]) -> dict[str, str]:
    """Google Consent Mode v2 signals ("granted"/"denied") for a set of granted categories."""
    signals: dict[str, str] = {}
    for category in categories():
        for signal in category.consent_mode:
            allowed = category.required or category.key in granted
            if signals.get(signal) != "granted":
                signals[signal] = "granted" if allowed else "denied"
    return signals
