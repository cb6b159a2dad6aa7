"""python manage.py drain_events: a dedicated drain worker (the Celery task runs the same loop)."""

import json
import signal

from django.core.management.base import BaseCommand, CommandError

from personalization.ingest.drain import consumer_name, consumer_retire, garbage_collector_for_bulk_work, stream_drain
from personalization.ingest.redis_client import redis_enabled


class Command(BaseCommand):
    help = "Drain the Redis event stream into the database until stopped (or for --seconds, or --until-empty)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=10**9, help="Stop after this long.")
        parser.add_argument("--until-empty", action="store_true", help="Stop as soon as the stream is empty.")
        parser.add_argument("--consumer", default="", help="Consumer name (default: host-pid-random).")
        parser.add_argument("--latency-file", default="", help="Write per-batch receipt-to-commit latencies here "
                            "(JSON: [[ms, events], ...]) on exit; used by the benchmark.")

    def handle(self, *args, seconds: float, until_empty: bool, consumer: str, latency_file: str, **options):
        if not redis_enabled():
            raise CommandError("REDIS_URL is not set: in the embedded default, events are stored in the request.")
        garbage_collector_for_bulk_work()
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        name = consumer or consumer_name()
        total, latencies = 0, []
        while not stop["now"]:
            stats = stream_drain(consumer=name, max_seconds=min(seconds, 1.0), until_empty=until_empty,
                                 record_latency=bool(latency_file))
            total += stats.stored
            latencies.extend(stats.latencies or [])
            seconds -= 1.0
            if (until_empty and stats.entries == 0) or seconds <= 0:
                break
        consumer_retire(name)  # a clean stop holds no entry: the group forgets this worker's name
        if latency_file:
            with open(latency_file, "w") as handle:
                json.dump(latencies, handle)
        self.stdout.write(f"Stored {total} events.")
