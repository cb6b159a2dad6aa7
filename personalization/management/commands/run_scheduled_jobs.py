"""python manage.py run_scheduled_jobs: run every scheduled (Celery beat) job once, here and now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from config.celery import app


class Command(BaseCommand):
    help = "Run each job of the beat schedule once in this process (what `make demo` does instead of running beat)."

    def handle(self, *args, **options):
        app.loader.import_default_modules()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            result = app.tasks[entry["task"]].apply(kwargs=entry.get("kwargs", {}))
            self.stdout.write(f"{name}: {result.get()}")
