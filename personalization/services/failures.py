"""Housekeeping of what the collector could not store."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..ingest.drain import drops_flush
from ..ingest.redis_client import redis_enabled
from ..models import FailedEvent


def failed_events_purge(*, now=None) -> int:
    """Delete failed events older than ATTUNE["FAILED_EVENT_RETENTION_DAYS"], in batches; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ATTUNE["FAILED_EVENT_RETENTION_DAYS"])
    batch = settings.ATTUNE["PURGE_BATCH_SIZE"]
    deleted = 0
    while ids := list(FailedEvent.objects.filter(received_at__lt=cutoff).values_list("pk", flat=True)[:batch]):
        deleted += FailedEvent.objects.filter(pk__in=ids).delete()[0]
    return deleted


def drop_counters_flush() -> int:
    """Move drop counters held in Redis to the database (nothing to do in embedded mode)."""
    return drops_flush() if redis_enabled() else 0
