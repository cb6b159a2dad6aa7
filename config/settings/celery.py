"""Celery: eager in the embedded default, Redis broker and database-held schedules with REDIS_URL."""

from datetime import timedelta

from .database import REDIS_URL

CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Written into django-celery-beat's tables when beat starts; edit them in admin afterwards.
CELERY_BEAT_SCHEDULE = {
    "drain-event-stream": {
        "task": "personalization.tasks.event_stream_drain",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 50},
    },
    "close-idle-sessions": {
        "task": "personalization.tasks.sessions_close_idle",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "flush-drop-counters": {
        "task": "personalization.tasks.drop_counters_flush",
        "schedule": timedelta(seconds=30),
        "options": {"expires": 25},
    },
    "purge-failed-events": {
        "task": "personalization.tasks.failed_events_purge",
        "schedule": timedelta(hours=6),
    },
    "recluster-segments": {
        "task": "segments.tasks.segment_runs_scheduled",
        "schedule": timedelta(hours=1),
    },
    "refresh-item-neighbours": {
        "task": "rules.tasks.item_neighbours_refresh",
        "schedule": timedelta(hours=1),
    },
    "count-rule-feedback": {
        "task": "rules.tasks.rule_feedback_refresh",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "deliver-webhooks": {
        "task": "segments.tasks.webhook_deliveries_due",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "check-recommendation-concentration": {
        "task": "rules.tasks.recommendations_concentration_check",
        "schedule": timedelta(hours=1),
    },
    "detect-insight-findings": {
        "task": "rules.tasks_insight.insight_findings_detect",
        "schedule": timedelta(hours=1),
    },
    "refresh-peaking-pages": {
        "task": "rules.tasks_insight.insight_peaking_refresh",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "purge-expired-data": {
        "task": "consent.tasks.retention_purge",
        "schedule": timedelta(days=1),
    },
}
