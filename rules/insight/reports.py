"""Queueing insight reports: built by a Celery worker, or (embedded, where tasks run eagerly) in a background
thread, once the request that asked for one has committed, never inside it."""

import threading
from datetime import date

from celery import current_app
from django.db import connections, transaction

from ..models import InsightReport
from .build import report_range


def insight_report_queue(*, site_id: int, since: date, until: date, segment: str = "") -> InsightReport:
    """A queued report of the site's visits from `since` to `until` (inclusive), of one segment's visitors when
    `segment` (a slug) is given; raises ValueError when the range cannot be built."""
    params = {"since": since.isoformat(), "until": until.isoformat(), "segment": segment}
    report_range(params)
    report = InsightReport.objects.create(site_id=site_id, params=params)
    insight_report_start_on_commit(report_id=report.pk)
    return report


def insight_report_start_on_commit(*, report_id: int) -> None:
    """Start building the stored report once the current transaction commits."""
    transaction.on_commit(lambda: report_start(report_id))


def report_start(report_id: int) -> None:
    from ..tasks_insight import insight_report_build_task

    if not current_app.conf.task_always_eager:
        insight_report_build_task.delay(report_id)
        return
    threading.Thread(target=report_in_thread, args=(report_id,), name=f"insight-report-{report_id}",
                     daemon=True).start()


def report_in_thread(report_id: int) -> None:
    from ..tasks_insight import insight_report_build_task

    try:
        insight_report_build_task.apply(args=(report_id,))
    finally:
        connections.close_all()  # this thread's own connections: it ends here
