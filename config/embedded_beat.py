"""The beat schedule run inside the web server, for the embedded default (no Redis, so no Celery beat or worker).

One thread in one process of the server (a lock file in ATTUNE_VAR_DIR elects it) runs each job of
CELERY_BEAT_SCHEDULE whenever its interval has passed, as beat would: idle sessions are closed and their carts
decided, failed events and expired data purged. It reads the schedule from the settings: edits made in admin
apply to Celery beat, which runs them instead once REDIS_URL is set."""

import fcntl
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)
FIRST_RUN_SECONDS = 60.0  # after the server starts: `make demo` has just run every job once


def embedded_beat_start(*, first_run_seconds: float = FIRST_RUN_SECONDS) -> Callable[[], None] | None:
    """Run the beat schedule in a thread of this process, unless another process of the server already does;
    returns what stops it, once the job it may be running has ended (None when another process runs it)."""
    lock = Path(settings.VAR_DIR) / "embedded-beat.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = lock.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when this process ends
    except BlockingIOError:
        handle.close()
        return None
    stop = threading.Event()
    thread = threading.Thread(target=beat_run, kwargs={"stop": stop, "lock": handle, "first_run_seconds": first_run_seconds},
                              name="attune-embedded-beat", daemon=True)
    thread.start()

    def stopped() -> None:
        stop.set()
        thread.join()

    return stopped


def beat_run(*, stop: threading.Event, lock, first_run_seconds: float) -> None:
    from config.celery import app

    try:
        app.loader.import_default_modules()
    except Exception:
        logger.exception("The embedded schedule cannot start: no scheduled job will run in this server")
        lock.close()
        raise
    schedule = settings.CELERY_BEAT_SCHEDULE
    due = dict.fromkeys(schedule, time.monotonic() + first_run_seconds)
    try:
        while not stop.wait(max(0.0, min(due.values()) - time.monotonic())):
            for name, entry in schedule.items():
                if time.monotonic() < due[name]:
                    continue
                try:
                    app.tasks[entry["task"]].apply(kwargs=entry.get("kwargs", {})).get()
                except Exception:  # a failed run is logged and tried again at its next time, as beat would
                    logger.exception("Scheduled job %s failed", name)
                finally:
                    connection.close()  # this thread's own; a job that failed may have left it unusable
                due[name] = time.monotonic() + entry["schedule"].total_seconds()
    finally:
        lock.close()
