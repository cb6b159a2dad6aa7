"""Pipelined appends to the Redis stream, shared by a process's collector threads.

A round trip to Redis costs about 100 µs on this kind of machine, more than the rest of the
collector's work on a batch. Each request hands its entry to this process's appender thread and
waits; the thread sends everything waiting at that moment as one pipeline (one write, one read)
and wakes each request with its own answer. A request is still answered 202 only after Redis
has its entry, and 503 when Redis could not be reached."""

import logging

import redis

from . import stream
from .grouping import GroupingWorker
from .redis_client import redis_client

logger = logging.getLogger(__name__)


class AppendTimeout(redis.RedisError):
    """Redis did not answer in time; the entry may or may not be in the stream, so the client must retry."""


class StreamAppender(GroupingWorker):
    name = "attune-stream-appender"
    max_group = 256
    timeout_error = AppendTimeout

    def append(self, *, entry: bytes, keys: stream.RateKeys) -> bool:
        """Append `entry` unless a rate limit is exceeded (then False); raises when Redis is unreachable."""
        return bool(self.submit((entry, keys)))

    def handle(self, items: list) -> list:
        results = self.pipeline(items)
        if any(isinstance(result, redis.exceptions.NoScriptError) for result in results):
            stream.script_forget()  # Redis restarted and forgot the script: load it again, once
            results = self.pipeline(items)
        return results

    def failed(self, group, error) -> None:
        logger.warning("Appending %d batches to the stream failed: %r", len(group), error)

    def pipeline(self, items: list) -> list:
        sha = stream.enqueue_sha()
        pipe = redis_client().pipeline(transaction=False)
        for entry, keys in items:
            pipe.evalsha(sha, *stream.enqueue_arguments(entry, keys))
        return pipe.execute(raise_on_error=False)


appender = StreamAppender()
