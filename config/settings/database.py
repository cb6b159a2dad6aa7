"""Database and cache: SQLite (WAL) and local memory by default, PostgreSQL and Redis from the environment."""

import dj_database_url

from .base import VAR_DIR
from .environment import env_int, env_str

DATABASE_URL = env_str("DATABASE_URL", "")
REDIS_URL = env_str("REDIS_URL", "")
# Connections per process taken from a pool (PostgreSQL) and given back after each request, instead of one kept
# per thread: set by config/gunicorn.py for gevent workers, whose requests are greenlets, hundreds at once.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)

SQLITE_OPTIONS = {
    # WAL lets readers run beside the one writer; NORMAL syncs at checkpoints, which is
    # safe in WAL mode (a power cut may lose the last commits, never corrupt the file).
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=10000;"
        "PRAGMA cache_size=-65536;"
        "PRAGMA temp_store=MEMORY;"
    ),
    # Take the write lock at BEGIN, so two writers queue instead of failing with
    # "database is locked" when a reader upgrades to a writer.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if DATABASE_POOL_SIZE else 600)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    elif DATABASE_POOL_SIZE:
        # A request waits up to `timeout` seconds for a free connection, then fails with a database error.
        DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": DATABASE_POOL_SIZE, "timeout": 10}}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "attune.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
            # A file, not memory, so worker processes started by tests see the test data.
            "TEST": {"NAME": VAR_DIR / "test-attune.sqlite3"},
        }
    }

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
