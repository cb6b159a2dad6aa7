"""The Celery application. Settings come from Django's CELERY_* settings."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("attune")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def worker_garbage_collector_tune(**_) -> None:
    """Drain tasks run here too: the same garbage-collector tuning as a dedicated drain worker."""
    from personalization.ingest.drain import garbage_collector_for_bulk_work

    garbage_collector_for_bulk_work()
