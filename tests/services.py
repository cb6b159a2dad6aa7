"""Access to the real services tests need. In CI (ATTUNE_REQUIRE_SERVICES=1) a missing service
fails the test; on a developer machine without it the test is skipped, saying why."""

import os

import pytest

REQUIRE = os.environ.get("ATTUNE_REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def service_missing(what: str) -> None:
    message = f"{what} is not reachable"
    if REQUIRE:
        pytest.fail(f"{message}, and ATTUNE_REQUIRE_SERVICES=1 says it must be.")
    pytest.skip(message)


def redis_url() -> str:
    """A Redis database for tests: REDIS_URL's server, database 15, emptied by the caller."""
    import redis

    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    url = base.rsplit("/", 1)[0] + "/15" if base.count("/") >= 3 else base + "/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        service_missing(f"Redis at {url}")
    return url
