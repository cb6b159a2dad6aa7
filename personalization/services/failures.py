"""Housekeeping of what the collector could not store."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..collect.entry import entry_decode
from ..ingest.drain import drops_flush
from ..ingest.redis_client import redis_enabled
from ..ingest.write import batches_write
from ..models import DropReason, FailedEvent

logger = logging.getLogger(__name__)


def failed_events_purge(*, now=None) -> int:
    """Delete failed events older than ATTUNE["FAILED_EVENT_RETENTION_DAYS"], in batches; returns how many. Batches
    accepted but not stored yet (dead letters, waiting to be replayed) are kept as long as events are."""
    now, attune = now or timezone.now(), settings.ATTUNE
    rejected = FailedEvent.objects.exclude(reason=DropReason.UNSTORED).filter(
        received_at__lt=now - timedelta(days=attune["FAILED_EVENT_RETENTION_DAYS"]))
    unstored = FailedEvent.objects.filter(reason=DropReason.UNSTORED,
                                          received_at__lt=now - timedelta(days=attune["EVENT_RETENTION_DAYS"]))
    deleted = 0
    for expired in (rejected, unstored):
        while ids := list(expired.values_list("pk", flat=True)[:attune["PURGE_BATCH_SIZE"]]):
            deleted += FailedEvent.objects.filter(pk__in=ids).delete()[0]
    return deleted


def dead_letters_replay() -> tuple[int, int]:
    """Store the batches the drain could not store (once what stopped them is mended); each one stored leaves the
    failed events. Returns (batches stored, batches that still fail, which stay for another try)."""
    stored, failing = 0, 0
    for letter in FailedEvent.objects.filter(reason=DropReason.UNSTORED).order_by("pk").iterator(chunk_size=100):
        try:
            with transaction.atomic():
                batches_write([entry_decode(letter.payload.encode())])
                letter.delete()
            stored += 1
        except Exception:  # noted and left for the next try, as the drain left it
            logger.warning("Dead letter %s still cannot be stored", letter.pk, exc_info=True)
            failing += 1
    return stored, failing


def drop_counters_flush() -> int:
    """Move drop counters held in Redis to the database (nothing to do in embedded mode)."""
    return drops_flush() if redis_enabled() else 0
