"""Queueing clustering runs: "run now" from admin and the command, and the hourly schedule."""

import threading

from celery import current_app
from django.db import close_old_connections, transaction

from ..models import ClusteringConfig, ClusteringRun


def segment_run_queue(*, config: ClusteringConfig, k: int | None = None) -> ClusteringRun:
    """A queued run of `config`, started once committed: by a Celery worker, or (embedded, where tasks run eagerly)
    in a background thread, never inside the request that asked for it."""
    run = ClusteringRun.objects.create(config=config, requested_k=k)
    transaction.on_commit(lambda: run_start(run.pk))
    return run


def run_start(run_id: int) -> None:
    from ..tasks import segment_run_task

    if not current_app.conf.task_always_eager:
        segment_run_task.delay(run_id)
        return
    threading.Thread(target=run_in_thread, args=(run_id,), name=f"clustering-run-{run_id}", daemon=True).start()


def run_in_thread(run_id: int) -> None:
    from ..tasks import segment_run_task

    try:
        segment_run_task.apply(args=(run_id,))
    finally:
        close_old_connections()


def runs_execute_due() -> int:
    """Run (here, one after the other) every enabled configuration that has no run queued or running: the hourly
    job, in a Celery worker or in the embedded server's scheduler thread. Returns how many runs finished."""
    from .runs import segment_run_execute

    busy = set(ClusteringRun.objects.filter(status__in=[ClusteringRun.Status.QUEUED, ClusteringRun.Status.RUNNING])
               .values_list("config_id", flat=True))
    finished = 0
    for config in ClusteringConfig.objects.filter(enabled=True).exclude(pk__in=busy):
        run = segment_run_execute(run=ClusteringRun.objects.create(config=config))
        finished += run.status == ClusteringRun.Status.DONE
    return finished
