"""Celery tasks of rules: thin, they call the services."""

from celery import shared_task

from .neighbours import neighbours_compute_all


@shared_task(ignore_result=True)
def item_neighbours_refresh() -> int:
    """The hourly rebuild of every site's item neighbours (related and next items) for recommendations."""
    return neighbours_compute_all()


@shared_task(ignore_result=True)
def rule_feedback_refresh() -> int:
    """Every minute: count the impressions, clicks and conversions stored since the last run, then move bandits'
    traffic and pause clearly losing variants where rules allow it. Returns the events read."""
    from .experiments import rule_experiments_update
    from .feedback import rule_feedback_count

    read = rule_feedback_count()
    rule_experiments_update()
    return read


@shared_task(ignore_result=True)
def recommendations_concentration_check() -> int:
    """Hourly: how concentrated on few categories recent visitors' recommendations are, per site."""
    from .recommendation_checks import recommendation_concentration_measure_all

    return recommendation_concentration_measure_all()


from .tasks_insight import (  # noqa: E402, F401 - kept in their own module, registered here where Celery looks
    insight_findings_detect,
    insight_peaking_refresh,
    insight_report_build_task,
)
