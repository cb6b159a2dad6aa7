"""Purging data past its retention period, in batches."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import ConsentRecord
from ..registry import retention_handlers


def retention_purge(*, now=None) -> dict[str, int]:
    """Delete data older than its retention period, in batches; returns rows deleted per handler."""
    now = now or timezone.now()
    batch = settings.ATTUNE["PURGE_BATCH_SIZE"]
    deleted = {}
    for handler in retention_handlers():
        cutoff = now - timedelta(days=settings.ATTUNE["EVENT_RETENTION_DAYS"])
        deleted[handler.name] = handler.purge(cutoff, batch)
    cutoff = now - timedelta(days=settings.ATTUNE["CONSENT_RECORD_RETENTION_DAYS"])
    from .rights import tombstones_purge

    deleted["erasure_tombstones"] = tombstones_purge(now=now)
    deleted["consent_records"] = 0
    while ids := list(ConsentRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch]):
        deleted["consent_records"] += ConsentRecord.objects.filter(pk__in=ids).delete()[0]
    return deleted
