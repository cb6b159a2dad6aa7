from celery import shared_task

from .services.retention import retention_purge as retention_purge_service


@shared_task(name="consent.tasks.retention_purge")
def retention_purge() -> dict[str, int]:
    return retention_purge_service()
