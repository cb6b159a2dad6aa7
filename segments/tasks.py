"""Celery tasks of segments: thin, they call the services."""

from celery import shared_task

from .services.memberships import memberships_refresh
from .services.runs import segment_run_execute
from .services.scheduling import runs_execute_due


@shared_task(ignore_result=True)
def memberships_refresh_task(site_id: int, profile_ids: list[int]) -> int:
    return memberships_refresh(site_id=site_id, profile_ids=profile_ids)


@shared_task(ignore_result=True, acks_late=True)
def segment_run_task(run_id: int) -> str:
    from .models import ClusteringRun

    run = ClusteringRun.objects.filter(pk=run_id).first()
    return segment_run_execute(run=run).status if run else "gone"


@shared_task(ignore_result=True)
def segment_runs_scheduled() -> int:
    """The hourly re-clustering: a run of each enabled configuration."""
    return runs_execute_due()
