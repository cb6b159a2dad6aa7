"""python manage.py drain_events: a dedicated drain worker (the Celery task runs the same loop)."""

import signal

from django.core.management.base import BaseCommand, CommandError

from personalization.ingest.drain import consumer_name, stream_drain
from personalization.ingest.redis_client import redis_enabled


class Command(BaseCommand):
    help = "Drain the Redis event stream into the database until stopped (or for --seconds, or --until-empty)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=10**9, help="Stop after this long.")
        parser.add_argument("--until-empty", action="store_true", help="Stop as soon as the stream is empty.")
        parser.add_argument("--consumer", default="", help="Consumer name (default: host-pid-random).")

    def handle(self, *args, seconds: float, until_empty: bool, consumer: str, **options):
        if not redis_enabled():
            raise CommandError("REDIS_URL is not set: in the embedded default, events are stored in the request.")
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        name = consumer or consumer_name()
        total = 0
        while not stop["now"]:
            stats = stream_drain(consumer=name, max_seconds=min(seconds, 5.0), until_empty=until_empty)
            total += stats.stored
            seconds -= 5.0
            if (until_empty and stats.entries == 0) or seconds <= 0:
                break
        self.stdout.write(f"Stored {total} events.")
