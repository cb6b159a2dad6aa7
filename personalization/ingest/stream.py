"""The Redis stream between the collector and the drain workers.

The collector appends one entry per batch, in the same round trip as its rate-limit
counters (a Lua script), and answers 202 only once Redis has the entry. Drain workers read
in large batches through a consumer group, store, commit and only then acknowledge and
delete; entries of a worker that died are claimed again after DRAIN_CLAIM_IDLE_MS, and the
events table's uniqueness makes the replay harmless.
"""

from dataclasses import dataclass

from django.conf import settings

from .redis_client import redis_client

DROPS_KEY = "attune:drops"

# KEYS: address counter, site counter, stream.
# ARGV: address limit, site limit, entry ("" for none: a batch that only counts against the limits).
ENQUEUE_SCRIPT = """
local by_address = redis.call('INCR', KEYS[1])
if by_address == 1 then redis.call('EXPIRE', KEYS[1], 61) end
local by_site = redis.call('INCR', KEYS[2])
if by_site == 1 then redis.call('EXPIRE', KEYS[2], 61) end
if by_address > tonumber(ARGV[1]) or by_site > tonumber(ARGV[2]) then return 0 end
if ARGV[3] ~= '' then redis.call('XADD', KEYS[3], '*', 'b', ARGV[3]) end
return 1
"""


@dataclass(frozen=True)
class RateKeys:
    address: str
    site: str


def rate_keys(*, site_id: int, address: str, minute: int) -> RateKeys:
    """The counters of one minute's batches, per client address and per site: the one rate limit, counted by
    ENQUEUE_SCRIPT in Redis (in the round trip that appends the batch) or, embedded, in the local cache
    (services/handover.rate_allowed)."""
    return RateKeys(address=f"attune:rl:a:{address}:{minute}", site=f"attune:rl:s:{site_id}:{minute}")


def rate_limits() -> tuple[int, int]:
    """(batches per address, batches per site) in a minute."""
    attune = settings.ATTUNE
    return attune["RATE_LIMIT_ADDRESS_PER_MINUTE"], attune["RATE_LIMIT_SITE_PER_MINUTE"]


_enqueue_sha: str | None = None


def enqueue_sha() -> str:
    global _enqueue_sha
    if _enqueue_sha is None:
        _enqueue_sha = redis_client().script_load(ENQUEUE_SCRIPT)
    return _enqueue_sha


def drop_field(site_id: int | None, site_key: str, reason: str, day: str) -> str:
    return f"{site_id or ''}|{site_key}|{reason}|{day}"


def script_forget() -> None:
    global _enqueue_sha
    _enqueue_sha = None


def bulk(data: bytes) -> bytes:
    """One argument in Redis's wire protocol (RESP)."""
    return b"$%d\r\n%b\r\n" % (len(data), data)


_enqueue_parts: dict[tuple, tuple[bytes, bytes]] = {}


def enqueue_command(sha: str, entry: bytes, keys: RateKeys) -> bytes:
    """EVALSHA of ENQUEUE_SCRIPT for one entry, in RESP: key count, the three keys, then ARGV (the two limits and
    the entry). What never changes between batches is packed once; this runs for every batch accepted."""
    attune = settings.ATTUNE
    fixed = (sha, attune["STREAM_KEY"], *rate_limits())
    parts = _enqueue_parts.get(fixed)
    if parts is None:
        sha, stream_key, address_limit, site_limit = (str(value).encode() for value in fixed)
        parts = _enqueue_parts[fixed] = (
            b"*9\r\n" + bulk(b"EVALSHA") + bulk(sha) + bulk(b"3"),
            bulk(stream_key) + bulk(address_limit) + bulk(site_limit),
        )
    head, middle = parts
    return b"".join((head, bulk(keys.address.encode()), bulk(keys.site.encode()), middle, bulk(entry)))


def drops_enqueue(drops: dict[str, int]) -> None:
    """Count drops of requests that carry nothing to store (unknown site, bad origin, rate limited...)."""
    if drops:
        pipe = redis_client().pipeline(transaction=False)
        for field, n in drops.items():
            pipe.hincrby(DROPS_KEY, field, n)
        pipe.execute()
