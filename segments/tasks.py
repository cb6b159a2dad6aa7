"""Celery tasks of segments: thin, they call the services. Clustering runs import scikit-learn when one runs, so
processes that only store events and refresh memberships never load it."""

from celery import shared_task

from .services.memberships import memberships_refresh
from .services.scheduling import runs_execute_due


@shared_task(ignore_result=True)
def memberships_refresh_task(site_id: int, profile_ids: list[int]) -> int:
    return memberships_refresh(site_id=site_id, profile_ids=profile_ids)


@shared_task(ignore_result=True, acks_late=True)
def segment_run_task(run_id: int) -> str:
    from .models import ClusteringRun
    from .services.runs import segment_run_execute

    run = ClusteringRun.objects.filter(pk=run_id).first()
    return segment_run_execute(run=run).status if run else "gone"


@shared_task(ignore_result=True)
def segment_runs_scheduled() -> int:
    """The hourly re-clustering: a run of each enabled configuration."""
    return runs_execute_due()


@shared_task(ignore_result=True, acks_late=True)
def webhook_deliveries_send_task(delivery_ids: list[int]) -> int:
    """Send a batch of webhook deliveries; those to try again are queued again with their backoff as countdown."""
    from .services.webhooks_queue import webhook_retries_dispatch
    from .services.webhooks_send import webhook_deliveries_send

    retries = webhook_deliveries_send(delivery_ids=delivery_ids)
    webhook_retries_dispatch(retries=retries)
    return len(delivery_ids) - len(retries)


@shared_task(ignore_result=True)
def webhook_deliveries_due() -> int:
    """Every minute: send the webhook deliveries whose time has come (embedded, the only sender; with workers, a
    safety net for tasks a broker lost)."""
    from .services.webhooks_send import webhook_deliveries_send_due

    return webhook_deliveries_send_due()
