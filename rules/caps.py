"""Frequency caps: how often a visitor was shown a rule's content this session or this week (Django's cache)."""

from datetime import datetime

from django.core.cache import cache

SESSION_SECONDS = 30 * 60  # a session ends after 30 minutes without a showing, as the tracker's sessions do
WEEK_SECONDS = 8 * 86_400


def _key(rule_id: int, period: str, visitor_id: str, now: datetime) -> tuple[str, int]:
    if period == "week":
        year, week, _ = now.isocalendar()
        return f"rules:cap:{rule_id}:{visitor_id}:{year}w{week}", WEEK_SECONDS
    return f"rules:cap:{rule_id}:{visitor_id}:s", SESSION_SECONDS


def cap_reached(*, rule_id: int, cap: int | None, period: str, visitor_id: str, now: datetime) -> bool:
    """Whether the visitor was already shown the rule's content `cap` times in the period (never without a cap)."""
    if not cap:
        return False
    key, _ = _key(rule_id, period, visitor_id, now)
    return (cache.get(key) or 0) >= cap


def cap_count(*, rule_id: int, cap: int | None, period: str, visitor_id: str, now: datetime) -> None:
    """Count one showing of a capped rule's content to the visitor (the session's count lives 30 minutes on)."""
    if not cap:
        return
    key, seconds = _key(rule_id, period, visitor_id, now)
    cache.set(key, (cache.get(key) or 0) + 1, seconds)
