"""gunicorn settings for Attune: `gunicorn -c config/gunicorn.py config.wsgi`.

The defaults depend on where the collector puts batches (measured with `make bench` on 2 cores):
- with REDIS_URL, gevent workers, two per core. A request's work is a little CPU and one wait for
  Redis; with threads, every such wait costs thread switches and a fight for Python's GIL, which cost
  more than the collector's own work (two bench runs the same hour: the collector 3,181 batches/s
  under gthread, 4,951 under gevent; a bare Django view 5,257 and 6,056). Django's database connections belong to a thread, here to a greenlet, so each
  worker takes them from a pool of DATABASE_POOL_SIZE (8) for the length of a request;
- embedded (SQLite), threads: concurrent requests wait on a shared commit, and the more of them wait,
  the more one commit groups: 2 processes with 64 threads, and a short GIL switch interval so that
  the writer thread, which holds the database's write lock, is not kept waiting 5 ms for the GIL.
WEB_WORKER_CLASS, WEB_WORKERS, WEB_THREADS, WEB_CONNECTIONS, WEB_SWITCH_INTERVAL (seconds) and
DATABASE_POOL_SIZE override them."""

import os
import sys

QUEUED = bool(os.environ.get("REDIS_URL"))

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("WEB_WORKER_CLASS") or ("gevent" if QUEUED else "gthread")
workers = int(os.environ.get("WEB_WORKERS") or (2 * (os.cpu_count() or 1) if QUEUED else 2))
threads = int(os.environ.get("WEB_THREADS") or 64)  # gthread workers only
worker_connections = int(os.environ.get("WEB_CONNECTIONS") or 1000)  # gevent workers only: requests at once
keepalive = 30
backlog = 2048
accesslog = None

if worker_class == "gevent":
    os.environ.setdefault("DATABASE_POOL_SIZE", "8")  # read by config/settings/database.py in each worker


def post_fork(server, worker):
    default = sys.getswitchinterval() if QUEUED else 0.0005
    sys.setswitchinterval(float(os.environ.get("WEB_SWITCH_INTERVAL") or default))
