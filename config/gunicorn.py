"""gunicorn settings for Attune: `gunicorn -c config/gunicorn.py config.wsgi`.

The defaults depend on where the collector puts batches (measured with `make bench` on 2 cores):
- with REDIS_URL, a request's work is all CPU (checking, one pipelined append), so threads of one
  process only contend for the GIL: two processes per core with 8 threads each serve about a quarter
  more batches than 2 processes of 64 threads;
- embedded (SQLite), concurrent requests wait on a shared commit, and the more of them wait, the more
  one commit groups: 2 processes with 64 threads, and a short GIL switch interval so that the
  writer thread, which holds the database's write lock, is not kept waiting 5 ms for the GIL.
WEB_WORKERS, WEB_THREADS and WEB_SWITCH_INTERVAL (seconds) override them."""

import os
import sys

QUEUED = bool(os.environ.get("REDIS_URL"))

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS") or (2 * (os.cpu_count() or 1) if QUEUED else 2))
threads = int(os.environ.get("WEB_THREADS") or (8 if QUEUED else 64))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
keepalive = 30
backlog = 2048
accesslog = None


def post_fork(server, worker):
    default = sys.getswitchinterval() if QUEUED else 0.0005
    sys.setswitchinterval(float(os.environ.get("WEB_SWITCH_INTERVAL") or default))
