"""Filters of the rule performance board: percentages, and each arm's totals beside its judged figures."""

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:.1%}"


@register.filter
def signed_percent(value) -> str:
    return "—" if value is None else f"{value:+.1%}"


@register.filter
def arm_rows(result) -> list[tuple]:
    """(totals, judged figures or None) per arm, control first."""
    judged = result.result.arms if result.result else [None] * len(result.arms)
    return list(zip(result.arms, judged, strict=True))  # experiment_result keeps the arms' order
