import time
import uuid

import pytest

from consent.selectors import policy_cache_clear, withdrawal_cache_clear
from consent.state import consent_token_sign
from personalization.ingest.redis_client import redis_client
from personalization.selectors import site_cache_clear
from personalization.services.sites import site_create

from .services import redis_url

ORIGIN = "http://shop.example"


def visitor_values_clear() -> None:
    """Rule values kept in Redis by site id: SQLite gives the next test's site the same id."""
    from django.conf import settings

    if settings.REDIS_URL:
        client = redis_client()
        for key in client.scan_iter(match="attune:rv:*", count=1000):
            client.delete(key)


@pytest.fixture(autouse=True)
def fresh_caches():
    from django.core.cache import cache

    cache.clear()
    visitor_values_clear()
    site_cache_clear()
    policy_cache_clear()
    withdrawal_cache_clear()
    yield
    site_cache_clear()
    policy_cache_clear()
    withdrawal_cache_clear()


@pytest.fixture(scope="session", autouse=True)
def static_root_empty(tmp_path_factory):
    """Pages link plain static names unless a test collects the files itself: a manifest left in var/static by
    `make demo` would make them link hashed names, which the live server's handler (Django's finders) lacks."""
    from django.test import override_settings

    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static")):
        yield


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run in the test's process, as in the embedded default, even when REDIS_URL names a broker (CI's):
    no test leaves a task in a broker that no worker reads. (The broker's own test sends through its own client.)"""
    from config.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def segments_refresh_at_once(settings):
    """Segment memberships are refreshed in the storing thread, not by the embedded background thread, so no
    test's refresh runs while a later test empties the database; a test that starts the thread has it stopped."""
    from segments.receivers import refresh_thread_stop

    settings.ATTUNE = {**settings.ATTUNE, "SEGMENTS_REFRESH_SECONDS": 0}
    yield
    refresh_thread_stop(flush=False)


@pytest.fixture
def attune_settings(settings):
    """Change ATTUNE keys for one test: attune_settings(COLLECT_MAX_EVENTS=5)."""

    def change(**values):
        settings.ATTUNE = {**settings.ATTUNE, **values}

    return change


@pytest.fixture
def database_unreachable():
    """PostgreSQL made unreachable for real until the test ends: the connection is pointed at a port nothing listens
    on. (An in-memory SQLite test database cannot be: closing it would destroy it, so Django never does.)"""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite test database cannot be made unreachable")
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = "1"
    yield
    connection.close()
    connection.settings_dict.update(saved)


@pytest.fixture
def embedded_mode(settings):
    """The embedded default: no Redis, events written in the request."""
    from personalization.ingest.group_commit import writer

    settings.REDIS_URL = ""
    redis_client.cache_clear()
    yield
    writer.connection_close()
    redis_client.cache_clear()


@pytest.fixture
def redis_mode(settings):
    """The collector queues to a real Redis stream (database 15, emptied before and after)."""
    import personalization.ingest.stream as stream

    settings.REDIS_URL = redis_url()
    redis_client.cache_clear()
    stream._enqueue_sha = None
    redis_client().flushdb()
    yield redis_client()
    redis_client().flushdb()
    redis_client.cache_clear()
    stream._enqueue_sha = None


@pytest.fixture
def site(db):
    return site_create(name=f"Shop {uuid.uuid4().hex[:6]}", origins=[ORIGIN]).site


def consent_token(visitor_id: str, *categories: str, policy_version: int = 0, given_at: int | None = None,
                  site_key: str | None = None) -> str:
    """A consent token as the banner gives it, on `site_key` (by default the only site there is)."""
    if site_key is None:
        from personalization.models import Site

        site_key = Site.objects.get().public_key
    return consent_token_sign(
        site_key=site_key,
        visitor_id=visitor_id,
        granted=frozenset(categories),
        policy_version=policy_version,
        given_at=int(time.time()) if given_at is None else given_at,
    )


def now_ms() -> int:
    return int(time.time() * 1000)


def make_event(type_: str = "page_view", *, ts: int | None = None, **fields) -> dict:
    event = {"id": str(uuid.uuid4()), "type": type_, "ts": now_ms() if ts is None else ts}
    event.update(fields)
    return event



def make_signed_event(type_: str = "identify", *, site_key: str, user_id: str, **fields) -> dict:
    """An event naming a user with the site backend's proof of it, as a logged-in user's page sends it."""
    from personalization.services.users import user_signature

    return make_event(type_, user_id=user_id, user_sig=user_signature(site_key=site_key, user_id=user_id), **fields)
