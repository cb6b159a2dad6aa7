"""Celery tasks of rules: thin, they call the services."""

from celery import shared_task

from .neighbours import neighbours_compute_all


@shared_task(ignore_result=True)
def item_neighbours_refresh() -> int:
    """The hourly rebuild of every site's item neighbours (related and next items) for recommendations."""
    return neighbours_compute_all()
