"""Drain workers: Redis stream → database, acknowledged only after commit."""

import contextlib
import gc
import logging
import os
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from ..collect.batch import CollectedBatch, Failure
from ..collect.entry import entry_decode, entry_encode
from ..models import DropReason
from .redis_client import redis_client
from .store import drops_add
from .stream import DROPS_KEY
from .write import batches_write

logger = logging.getLogger(__name__)
TRANSIENT_ERRORS = (OperationalError, InterfaceError, redis.ConnectionError, redis.TimeoutError)


@dataclass
class DrainStats:
    entries: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    errors: list[str] = field(default_factory=list)
    # (ms from the collector's receipt to commit, events) per batch, when asked for (the benchmark does)
    latencies: list[tuple[int, int]] | None = None


def garbage_collector_for_bulk_work() -> None:
    """Tune Python's garbage collector for a process that drains in bulk: a drained chunk makes tens of thousands
    of short-lived objects, and the default thresholds start a collection every 700 allocations, rescanning
    everything Django loaded each time a full one runs (measured: about a seventh of a drain worker's time). What
    is loaded so far is frozen out of collections, and young objects are collected every 50,000 allocations."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def group_ensure() -> None:
    try:
        redis_client().xgroup_create(settings.ATTUNE["STREAM_KEY"], settings.ATTUNE["STREAM_GROUP"], id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def entries_next(consumer: str, *, block_ms: int, claim: bool) -> list[tuple[bytes, dict]]:
    """This worker's own unacknowledged entries first, then entries of dead workers, then new ones."""
    client, key, group = redis_client(), settings.ATTUNE["STREAM_KEY"], settings.ATTUNE["STREAM_GROUP"]
    count = settings.ATTUNE["DRAIN_READ_COUNT"]
    own = client.xreadgroup(group, consumer, {key: "0"}, count=count)
    if own and own[0][1]:
        return own[0][1]
    if claim:
        claimed = client.xautoclaim(key, group, consumer, settings.ATTUNE["DRAIN_CLAIM_IDLE_MS"], "0-0", count=count)
        if claimed[1]:
            return claimed[1]
    fresh = client.xreadgroup(group, consumer, {key: ">"}, count=count, block=block_ms)
    return fresh[0][1] if fresh else []


def entries_store(entries: list[tuple[bytes, dict]], stats: DrainStats) -> list[CollectedBatch]:
    """Write entries in one transaction; an entry that cannot be stored on its own is dead-lettered
    into the failed-events table with its payload, never dropped. Any error but a transient one counts:
    a batch the database refuses, or one that trips a bug, must not stop the worker, nor come back to
    stop every worker that claims the chunk after it."""
    decoded, broken = [], []
    for entry_id, fields in entries:
        try:
            decoded.append(entry_decode(fields[b"b"]))
        except Exception as error:  # whatever it is, the entry is kept as a failure saying why
            broken.append((entry_id, fields, error))
    try:
        result = batches_write(decoded)
    except TRANSIENT_ERRORS:
        raise
    except Exception:  # each batch is tried alone below, and the one at fault dead-lettered
        logger.warning("A chunk of %d batches failed; storing them one by one", len(decoded), exc_info=True)
        result = None
        for batch in decoded:
            try:
                one = batches_write([batch])
                stats.stored += one.stored
                stats.duplicates += one.duplicates
            except TRANSIENT_ERRORS:
                raise
            except Exception as error:
                logger.exception("Dead-lettering a batch that cannot be stored")
                batches_write([dead_letter(repr(error), batch=batch)])
                stats.dead_lettered += 1
    if result is not None:
        stats.stored += result.stored
        stats.duplicates += result.duplicates
    for entry_id, fields, error in broken:
        batches_write([dead_letter(f"undecodable stream entry {entry_id!r}: {error}", entry=fields.get(b"b", b""))])
        stats.dead_lettered += 1
    return decoded


def dead_letter(reason: str, *, batch: CollectedBatch | None = None, entry: bytes = b"") -> CollectedBatch:
    """A batch that holds one failure: a stream entry that could not be stored, kept whole (the entry as queued, or
    the batch as decoded) under its visitor, so that `manage.py dead_letters_replay` can store it once the cause is
    mended and an erasure finds it meanwhile."""
    payload = entry_encode(batch).decode() if batch else entry.decode("utf-8", errors="replace")
    return CollectedBatch(
        site_id=batch.site_id if batch else None, site_key=batch.site_key if batch else "",
        visitor_id=batch.visitor_id if batch else "", received_ms=int(time.time() * 1000),
        failures=[Failure(reason=DropReason.UNSTORED.value, detail=f"could not be stored: {reason}"[:500],
                          payload=payload)],
    )


def stream_drain(*, consumer: str, max_seconds: float, block_ms: int = 200, until_empty: bool = False,
                 record_latency: bool = False) -> DrainStats:
    """Drain the stream for up to `max_seconds` (or until it is empty). Transient failures are retried."""
    client, key, group = redis_client(), settings.ATTUNE["STREAM_KEY"], settings.ATTUNE["STREAM_GROUP"]
    stats = DrainStats(latencies=[] if record_latency else None)
    deadline = time.monotonic() + max_seconds
    next_claim = 0.0
    backoff = 0.1
    grouped = False
    while time.monotonic() < deadline:
        try:
            if not grouped:
                group_ensure()  # here, not before the loop: Redis may be down (or have restarted) right now
                grouped = True
            claim = time.monotonic() >= next_claim
            if claim:
                next_claim = time.monotonic() + 1.0
            entries = entries_next(consumer, block_ms=block_ms, claim=claim)
            if not entries:
                if until_empty:
                    break
                continue
            stored = entries_store(entries, stats)
            if stats.latencies is not None:
                committed_ms = int(time.time() * 1000)
                stats.latencies.extend((committed_ms - b.received_ms, len(b.events)) for b in stored if b.events)
            ids = [entry_id for entry_id, _ in entries]
            pipe = client.pipeline(transaction=False)
            pipe.xack(key, group, *ids)
            pipe.xdel(key, *ids)
            pipe.execute()
            stats.entries += len(entries)
            backoff = 0.1
        except redis.ResponseError as error:
            if not group_lost(error):
                raise
            # The stream or its group is gone: Redis restarted without persistence, or the key was deleted (while
            # this worker waited on it, Redis answers "UNBLOCKED ... no longer exists"). Make them again.
            logger.warning("The event stream's consumer group is gone (%s); creating it again", error)
            grouped = False
        except TRANSIENT_ERRORS as error:
            stats.errors.append(repr(error))
            logger.warning("Drain paused after a transient error, retrying: %r", error)
            close_old_connections()
            time.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
    return stats


def group_lost(error: redis.ResponseError) -> bool:
    text = str(error)
    return "NOGROUP" in text or "no longer exists" in text


def consumer_retire(consumer: str) -> None:
    """Remove a consumer that holds no entry from the group: each Celery drain task reads as a consumer of its own,
    and the group would otherwise keep one more name every minute."""
    client, key, group = redis_client(), settings.ATTUNE["STREAM_KEY"], settings.ATTUNE["STREAM_GROUP"]
    if not client.xpending_range(key, group, min="-", max="+", count=1, consumername=consumer):
        client.xgroup_delconsumer(key, group, consumer)


def drops_flush() -> int:
    """Move drop counters held in Redis into the database; returns how many counters moved."""
    client = redis_client()
    flushing = f"{DROPS_KEY}:flushing:{uuid.uuid4().hex}"
    with contextlib.suppress(redis.ResponseError):  # raised when nothing was counted since the last flush
        client.rename(DROPS_KEY, flushing)
    moved = 0
    for leftover in client.scan_iter(match=f"{DROPS_KEY}:flushing:*"):
        counts: Counter = Counter()
        for raw_field, raw_count in client.hgetall(leftover).items():
            site_id, site_key, reason, day = raw_field.decode().split("|")
            counts[(int(site_id) if site_id else None, site_key, reason, date.fromisoformat(day))] += int(raw_count)
        drops_add(dict(counts))
        client.delete(leftover)
        moved += len(counts)
    return moved
