"""python manage.py run_scheduled_jobs: run every scheduled (Celery beat) job once, here and now."""

from celery import current_app as app  # the project's app (config/celery.py), loaded with the settings
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run each job of the beat schedule once in this process (what `make demo` does instead of running beat)."

    def handle(self, *args, **options):
        app.loader.import_default_modules()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            result = app.tasks[entry["task"]].apply(kwargs=entry.get("kwargs", {}))
            self.stdout.write(f"{name}: {result.get()}")
