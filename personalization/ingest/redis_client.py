"""Redis clients from REDIS_URL: a shared pool for workers and tasks, and one dedicated connection per
collector thread (no pool checkout and no readiness probe per command on the hot path)."""

import threading
from functools import lru_cache

import redis
from django.conf import settings

_local = threading.local()


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    if not settings.REDIS_URL:
        raise RuntimeError("REDIS_URL is not set; the Redis pipeline is off in the embedded default.")
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)


def redis_thread_client() -> redis.Redis:
    """This thread's own connection to REDIS_URL (reconnected by redis-py after an error)."""
    client = getattr(_local, "client", None)
    if client is None or getattr(_local, "url", None) != settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2,
                                      single_connection_client=True)
        _local.client, _local.url = client, settings.REDIS_URL
    return client


def redis_enabled() -> bool:
    return bool(settings.REDIS_URL)
