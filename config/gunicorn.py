"""gunicorn settings for Attune: `gunicorn -c config/gunicorn.py config.wsgi`.

Threads let the embedded (SQLite) mode group the commits of concurrent requests; with Redis they
cost nothing. Workers and threads come from the environment (WEB_WORKERS, WEB_THREADS)."""

import os
import sys

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "64"))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
keepalive = 30
backlog = 2048
accesslog = None


def post_fork(server, worker):
    # Python hands the GIL over every 5 ms by default; the embedded writer thread, which holds the
    # database's write lock, would wait that long behind request threads each time it needs the GIL back.
    sys.setswitchinterval(float(os.environ.get("WEB_SWITCH_INTERVAL", "0.0005")))
