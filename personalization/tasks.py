"""Celery tasks: each only calls a service."""

from celery import shared_task

from .ingest.drain import consumer_name, consumer_retire, stream_drain
from .ingest.redis_client import redis_enabled
from .services.failures import drop_counters_flush as drop_counters_flush_service
from .services.failures import failed_events_purge as failed_events_purge_service
from .services.sessions import sessions_close_idle as sessions_close_idle_service


@shared_task(name="personalization.tasks.event_stream_drain")
def event_stream_drain(max_seconds: float | None = None) -> dict:
    """Drain the Redis event stream for up to a minute (nothing to do in embedded mode)."""
    if not redis_enabled():
        return {"entries": 0}
    from django.conf import settings

    consumer = consumer_name()
    stats = stream_drain(consumer=consumer, max_seconds=max_seconds or settings.ATTUNE["DRAIN_TASK_SECONDS"])
    consumer_retire(consumer)
    return {"entries": stats.entries, "stored": stats.stored, "duplicates": stats.duplicates}


@shared_task(name="personalization.tasks.sessions_close_idle")
def sessions_close_idle() -> int:
    return sessions_close_idle_service()


@shared_task(name="personalization.tasks.drop_counters_flush")
def drop_counters_flush() -> int:
    return drop_counters_flush_service()


@shared_task(name="personalization.tasks.failed_events_purge")
def failed_events_purge() -> int:
    return failed_events_purge_service()
