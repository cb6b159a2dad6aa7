from celery import shared_task

from .services.retention import retention_purge as retention_purge_service
from .services.rights import withdrawal_erase as withdrawal_erase_service


@shared_task(name="consent.tasks.retention_purge")
def retention_purge() -> dict[str, int]:
    return retention_purge_service()


@shared_task(name="consent.tasks.withdrawal_erase")
def withdrawal_erase(*, site_key: str, visitor_id: str, categories: list[str]) -> dict[str, int]:
    return withdrawal_erase_service(site_key=site_key, visitor_id=visitor_id, categories=frozenset(categories))
