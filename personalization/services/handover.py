"""Handing checked batches over: queued in the Redis stream (202) or stored now (200), rate limits, and
the counting of what is dropped; 503 with Retry-After whenever storage cannot take a batch."""

import logging

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from ..collect.batch import CollectedBatch
from ..collect.entry import entry_encode, entry_encode_forwarded
from ..ingest import group_commit, stream
from ..ingest.appender import appender
from ..ingest.redis_client import redis_enabled
from ..ingest.write import batches_write, printable
from ..models import DropReason
from ..selectors import SiteInfo
from .collect_types import ClientInfo, CollectOutcome, PreparedBatch, refusal

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
UNKNOWN_SITE_KEY = "(unknown)"  # the one drop-counter bucket of every key that matches no site
UNKNOWN_SITE_ID = 0  # the rate limit's "site" for them: site ids start at 1


def batch_hand_over(prepared: PreparedBatch, client: ClientInfo) -> CollectOutcome:
    """Queue the batch (Redis) or store it now (embedded); 503 when neither is possible."""
    batch, rejected, forwarded = prepared.batch, prepared.rejected, prepared.forwarded
    outcome = CollectOutcome(status=200, body={}, site=prepared.site)
    try:
        if redis_enabled():
            keys = stream.rate_keys(site_id=batch.site_id, address=client.address, minute=batch.received_ms // 60_000)
            if forwarded is not None:
                entry, queued = entry_encode_forwarded(batch, body=forwarded.body, skew_ms=forwarded.skew_ms), forwarded.events
            else:
                entry = entry_encode(batch) if (batch.events or batch.failures or batch.drops) else b""
                queued = len(batch.events)
            if not appender.append(entry=entry, keys=keys):
                return rate_limited(batch, client, queued)
            outcome.status = 202
            outcome.body = {"queued": queued}
        else:
            if not rate_allowed(batch.site_id, client.address, batch.received_ms):
                return rate_limited(batch, client, len(batch.events))
            result = group_commit.writer.write(batch)
            if result.erased:
                return visitor_erased(prepared)
            outcome.body = {"accepted": result.stored, "duplicates": result.duplicates}
    except (redis.RedisError, DatabaseError, group_commit.WriteTimeout):
        return storage_unavailable()
    if batch.drops:
        outcome.body["dropped"] = {k: v for k, v in batch.drops.items() if k != DropReason.INVALID.value}
    if rejected:
        outcome.status = 422
        outcome.body["rejected"] = rejected
        outcome.body["message"] = "Some events were rejected (see `rejected`); the others were accepted."
    return outcome


def visitor_erased(prepared: PreparedBatch) -> CollectOutcome:
    """410 for a batch of a visitor whose data was erased: the browser still holds their cookie. The tracker asks
    for consent again, and the choice starts over with a new visitor id (consent.services.choices)."""
    outcome = refusal(410, "erased", "This visitor's data was erased, so nothing sent under their id is kept; ask "
                      "for consent again: the new choice starts over with a new visitor id.")
    outcome.body["dropped"] = {DropReason.ERASED.value: len(prepared.batch.events)}
    outcome.site = prepared.site
    return outcome


def storage_unavailable() -> CollectOutcome:
    return refusal(503, "unavailable", "Storage is unavailable; keep the batch and send it again later.",
                   **{"Retry-After": str(RETRY_AFTER_SECONDS)})


def rate_allowed(site_id: int, address: str, received_ms: int) -> bool:
    """The rate limit of stream.rate_keys, counted in the local cache (embedded mode, where there is no Redis): each of
    RATE_LIMIT_PROCESSES web processes counts on its own and allows its share, so that together they allow no more."""
    keys = stream.rate_keys(site_id=site_id, address=address, minute=received_ms // 60_000)
    processes = settings.ATTUNE["RATE_LIMIT_PROCESSES"]
    for key, limit in zip((keys.address, keys.site), stream.rate_limits(), strict=True):
        cache.add(key, 0, 61)
        if cache.incr(key) > -(-limit // processes):  # rounded up: a limit never becomes 0
            return False
    return True


def refusal_limited(*, site: SiteInfo | None, address: str, received_ms: int, reason: str, events: int,
                    answer: CollectOutcome) -> CollectOutcome:
    """`answer` to a refused batch, its events counted as dropped for `reason` (a key that matches no site under
    UNKNOWN_SITE_KEY); 429 instead once the address has sent more batches this minute than the rate limit allows,
    refused ones included, so that a flood of refusals costs no more than a flood of batches."""
    site_id, site_key = (site.id, site.public_key) if site is not None else (None, UNKNOWN_SITE_KEY)
    try:
        if redis_enabled():
            keys = stream.rate_keys(site_id=site_id or UNKNOWN_SITE_ID, address=address, minute=received_ms // 60_000)
            allowed = appender.append(entry=b"", keys=keys)  # counts, appends nothing
        else:
            allowed = rate_allowed(site_id or UNKNOWN_SITE_ID, address, received_ms)
    except redis.RedisError:
        allowed = True  # the answer is a refusal either way
    if not allowed:
        reason, answer = DropReason.RATE_LIMITED.value, rate_limit_refusal()
    drops_record({(site_id, site_key, reason): events}, received_ms)
    return answer


def rate_limit_refusal() -> CollectOutcome:
    return refusal(429, "rate_limited", "Too many batches from this address or site; wait and send again.",
                   **{"Retry-After": "60"})


def rate_limited(batch: CollectedBatch, client: ClientInfo, events: int) -> CollectOutcome:
    drops_record({(batch.site_id, batch.site_key, DropReason.RATE_LIMITED.value): events}, batch.received_ms)
    return rate_limit_refusal()


def batch_dropped(site: SiteInfo, received_ms: int, drops: dict[str, int]) -> CollectOutcome:
    drops_record({(site.id, site.public_key, reason): n for reason, n in drops.items()}, received_ms)
    return CollectOutcome(status=200, body={"accepted": 0, "dropped": drops}, site=site)


def drops_record(drops: dict[tuple[int | None, str, str], int], received_ms: int) -> None:
    """Count events not stored, for requests that carry nothing else to store. Never fails the request."""
    from ..ingest.activity import ms_to_datetime
    from ..ingest.store import drops_add

    day = ms_to_datetime(received_ms).date()
    drops = {(site_id, printable(site_key)[:64], reason): n for (site_id, site_key, reason), n in drops.items()}
    try:
        if redis_enabled():
            stream.drops_enqueue({stream.drop_field(s, k, r, day.isoformat()): n for (s, k, r), n in drops.items() if n})
        else:
            drops_add({(s, k, r, day): n for (s, k, r), n in drops.items() if n})
    except (redis.RedisError, DatabaseError):
        # The request is refused anyway; a counter lost while storage is down must not turn a 4xx into a 5xx.
        logger.warning("Could not count dropped events %r while storage is unavailable", drops)


def batches_store(batches: list[CollectedBatch]) -> int:
    """Store (embedded) or queue (Redis) prepared batches without rate limiting: for trusted backfills such as
    the traffic simulator and imports. Returns how many events were handed over."""
    if not batches:
        return 0
    if redis_enabled():
        from ..ingest.redis_client import redis_client

        pipe = redis_client().pipeline(transaction=False)
        for batch in batches:
            pipe.xadd(settings.ATTUNE["STREAM_KEY"], {"b": entry_encode(batch)})
        pipe.execute()
    else:
        batches_write(batches)
    return sum(len(batch.events) for batch in batches)
