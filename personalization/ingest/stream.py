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

# KEYS: address counter, site counter, stream, drops hash.
# ARGV: address limit, site limit, entry ("" for none), then drop-field / count pairs.
ENQUEUE_SCRIPT = """
local by_address = redis.call('INCR', KEYS[1])
if by_address == 1 then redis.call('EXPIRE', KEYS[1], 61) end
local by_site = redis.call('INCR', KEYS[2])
if by_site == 1 then redis.call('EXPIRE', KEYS[2], 61) end
if by_address > tonumber(ARGV[1]) or by_site > tonumber(ARGV[2]) then return 0 end
if ARGV[3] ~= '' then redis.call('XADD', KEYS[3], '*', 'b', ARGV[3]) end
for i = 4, #ARGV, 2 do redis.call('HINCRBY', KEYS[4], ARGV[i], ARGV[i + 1]) end
return 1
"""


@dataclass(frozen=True)
class RateKeys:
    address: str
    site: str


def rate_keys(*, site_id: int, address: str, minute: int) -> RateKeys:
    return RateKeys(address=f"attune:rl:a:{address}:{minute}", site=f"attune:rl:s:{site_id}:{minute}")


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


def enqueue_arguments(entry: bytes, keys: RateKeys, drops: dict[str, int] | None = None) -> list:
    """EVALSHA's arguments after the script: key count, keys, then the script's ARGV."""
    limits = settings.ATTUNE
    args = [4, keys.address, keys.site, limits["STREAM_KEY"], DROPS_KEY,
            limits["RATE_LIMIT_ADDRESS_PER_MINUTE"], limits["RATE_LIMIT_SITE_PER_MINUTE"], entry]
    for field, n in (drops or {}).items():
        args.extend((field, n))
    return args


def drops_enqueue(drops: dict[str, int]) -> None:
    """Count drops of requests that carry nothing to store (unknown site, bad origin, rate limited...)."""
    if drops:
        pipe = redis_client().pipeline(transaction=False)
        for field, n in drops.items():
            pipe.hincrby(DROPS_KEY, field, n)
        pipe.execute()
