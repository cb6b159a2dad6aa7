"""The Redis client from REDIS_URL, one pool per process (the collector's appender makes its own
connection from it)."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    if not settings.REDIS_URL:
        raise RuntimeError("REDIS_URL is not set; the Redis pipeline is off in the embedded default.")
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)


def redis_enabled() -> bool:
    return bool(settings.REDIS_URL)
