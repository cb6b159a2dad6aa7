"""segments listens to personalization: people whose figures changed are placed in segments again, within
seconds. Receivers only queue work."""

import atexit
import logging
import threading
from collections import defaultdict

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from personalization.signals import events_stored

from .models import Segment
from .selectors import segments_cache_clear
from .services.memberships import memberships_refresh

logger = logging.getLogger(__name__)
_pending: dict[int, set[int]] = defaultdict(set)
_lock = threading.Lock()
_flusher: tuple[threading.Thread, threading.Event] | None = None


@receiver([post_save, post_delete], sender=Segment, dispatch_uid="segments-cache-clear")
def segment_changed(sender, **kwargs) -> None:
    segments_cache_clear()


@receiver(events_stored, dispatch_uid="segments-memberships-refresh")
def profiles_changed(sender, site_id: int, profile_ids, **kwargs) -> None:
    refresh_queue(site_id=site_id, profile_ids=profile_ids)


def refresh_queue(*, site_id: int, profile_ids) -> None:
    """With workers: one task per stored chunk. Embedded (tasks run eagerly, in the storing thread): gathered and
    refreshed by a background thread every SEGMENTS_REFRESH_SECONDS, so storing never waits for it (0: at once)."""
    if not profile_ids:
        return
    if not current_app.conf.task_always_eager:
        from .tasks import memberships_refresh_task

        memberships_refresh_task.delay(site_id, sorted(profile_ids))
        return
    if settings.ATTUNE["SEGMENTS_REFRESH_SECONDS"] <= 0:
        memberships_refresh(site_id=site_id, profile_ids=sorted(profile_ids))
        return
    global _flusher
    with _lock:
        _pending[site_id] |= set(profile_ids)
        if _flusher is None or not _flusher[0].is_alive():
            stop = threading.Event()
            _flusher = (threading.Thread(target=flush_forever, args=(stop,), name="segments-refresh", daemon=True), stop)
            _flusher[0].start()


def refresh_pending_flush() -> int:
    """Refresh everyone gathered so far; returns the membership changes made."""
    with _lock:
        pending = {site_id: sorted(ids) for site_id, ids in _pending.items()}
        _pending.clear()
    return sum(memberships_refresh(site_id=site_id, profile_ids=ids) for site_id, ids in pending.items())


def flush_forever(stop: threading.Event) -> None:
    while not stop.wait(settings.ATTUNE["SEGMENTS_REFRESH_SECONDS"]):
        try:
            refresh_pending_flush()
        except Exception:  # a failed refresh must not stop later ones; the next change of these people retries
            logger.exception("segment memberships could not be refreshed")
        finally:
            close_old_connections()
    connections.close_all()


def refresh_thread_stop(*, flush: bool) -> None:
    """Stop the background refresher and wait for it. At exit everyone gathered is refreshed first (flush);
    tests drop them instead, as their database is about to be emptied."""
    global _flusher
    with _lock:
        flusher, _flusher = _flusher, None
        if not flush:
            _pending.clear()
    if flusher is not None:
        flusher[1].set()
        flusher[0].join()
    if flush:
        try:
            refresh_pending_flush()
        except Exception:
            logger.exception("segment memberships gathered before exit could not be refreshed")


atexit.register(refresh_thread_stop, flush=True)  # nothing gathered is left unrefreshed when the process ends
