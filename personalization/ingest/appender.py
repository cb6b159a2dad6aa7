"""Pipelined appends to the Redis stream, shared by a process's collector threads.

A round trip to Redis costs about 100 µs of CPU on this kind of machine, more than the rest of
the collector's work on a batch. Requests hand their entries over and wait; one of them, the
leader (grouping.LeaderGrouping), sends everything waiting at that moment as one pipeline (one
write, one read) on the appender's own connection, and wakes each request with its own answer.
A request is still answered 202 only after Redis has its entry, and 503 when Redis could not be
reached.

The pipeline is written in Redis's protocol directly: on this path redis-py's pipeline
bookkeeping cost more than Redis's own work."""

import logging

import redis

from . import stream
from .grouping import LeaderGrouping
from .redis_client import redis_client

logger = logging.getLogger(__name__)


class AppendTimeout(redis.RedisError):
    """Redis did not answer in time; the entry may or may not be in the stream, so the client must retry."""


class StreamAppender(LeaderGrouping):
    name = "attune-stream-appender"
    max_group = 256
    timeout_error = AppendTimeout

    def __init__(self) -> None:
        super().__init__()
        self.connection: redis.Connection | None = None  # used by the leader only
        self.connection_pool: redis.ConnectionPool | None = None  # the pool it was made from

    def append(self, *, entry: bytes, keys: stream.RateKeys) -> bool:
        """Append `entry` unless a rate limit is exceeded (then False); raises when Redis is unreachable."""
        return bool(self.submit((entry, keys)))

    def handle(self, items: list) -> list:
        try:
            results = self.pipeline(items)
        except redis.ConnectionError:
            # A connection that Redis closed (a restart, an idle timeout) fails on first use: reconnect once.
            # Entries Redis took before the failure are appended again; the drain's dedup makes that harmless.
            results = self.pipeline(items)
        if any(isinstance(result, redis.exceptions.NoScriptError) for result in results):
            stream.script_forget()  # Redis restarted and forgot the script: load it again, once
            results = self.pipeline(items)
        return results

    def failed(self, group, error) -> None:
        logger.warning("Appending %d batches to the stream failed: %r", len(group), error)

    def pipeline(self, items: list) -> list:
        sha = stream.enqueue_sha()
        pool = redis_client().connection_pool
        if self.connection is None or self.connection_pool is not pool:  # first use, or REDIS_URL changed
            if self.connection is not None:
                self.connection.disconnect()
            self.connection, self.connection_pool = pool.make_connection(), pool
        connection = self.connection
        try:
            connection.send_packed_command(
                [b"".join(stream.enqueue_command(sha, entry, keys) for entry, keys in items)],
                check_health=False)
            results = []
            for _ in items:
                try:
                    results.append(connection.read_response())
                except redis.ResponseError as error:  # this entry's answer; the others are still to be read
                    results.append(error)
            return results
        except BaseException:
            connection.disconnect()  # answers may be left unread: never reuse the connection
            raise


appender = StreamAppender()
