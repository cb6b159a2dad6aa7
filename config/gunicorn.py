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
DATABASE_POOL_SIZE override them.

A request's body must arrive within WEB_BODY_TIMEOUT seconds (10) of its headers, in every worker class: a client
that announces a body and sends it slowly or never would otherwise hold a thread (gthread) or one of a worker's
connections (gevent) for as long as it likes, and a few hundred such clients stop the server. The reverse proxy
in front should buffer bodies and time out slow clients too (docs/deployment.md); this bound holds without it."""

import os
import socket
import sys
import threading
import time

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
if not QUEUED:  # each process counts rate limits in its own memory: each allows its share (services/handover.py)
    os.environ.setdefault("ATTUNE_RATE_LIMIT_PROCESSES", str(workers))


def post_fork(server, worker):
    default = sys.getswitchinterval() if QUEUED else 0.0005
    sys.setswitchinterval(float(os.environ.get("WEB_SWITCH_INTERVAL") or default))
    if worker_class == "gthread":
        from gunicorn import util

        util.close_graceful = close_without_lingering


BODY_TIMEOUT = float(os.environ.get("WEB_BODY_TIMEOUT") or 10)
# Once half of a worker's threads (gevent: connections) wait for bodies, a body may take this long at most: the
# other half stay free for everyone else, and a client on a slow network retries its 408 later.
BODY_WAIT_CROWDED = 0.1
body_waiting = {"now": 0}  # this worker's requests blocked on reading a body, now
body_waiting_guard = threading.Lock()


def body_done(req) -> bool:
    """Whether the request's body has been read to its end (a length's last byte, or a chunked body's last chunk)."""
    reader = getattr(req.body, "reader", None)
    return getattr(reader, "length", None) == 0 or (hasattr(reader, "parser") and reader.parser is None)


def pre_request(worker, req):
    """Make every read of this request's body from the socket give up at BODY_TIMEOUT after its headers (a
    socket timeout alone would restart at every byte a slow client drips); the application sees an OSError."""
    unreader = req.unreader
    sock = getattr(unreader, "sock", None)
    if sock is None:
        return  # HTTP/2 streams are read by their connection, not by this request
    vars(unreader).pop("chunk", None)  # a previous request's deadline, on a kept-alive connection
    deadline, chunk = time.monotonic() + BODY_TIMEOUT, unreader.chunk
    crowded = max(1, (worker.cfg.threads if worker_class == "gthread" else worker.cfg.worker_connections) // 2)

    def chunk_in_time(size_hint=None):
        if body_done(req):  # drained; what follows is the next request's headers
            vars(unreader).pop("chunk", None)
            return chunk(size_hint)
        with body_waiting_guard:
            body_waiting["now"] += 1
            remaining = deadline - time.monotonic()
            if body_waiting["now"] > crowded:
                remaining = min(remaining, BODY_WAIT_CROWDED)
        previous = sock.gettimeout()
        try:
            if remaining <= 0:
                raise TimeoutError(f"the request body did not arrive within {BODY_TIMEOUT:g} s")
            sock.settimeout(remaining)
            return chunk(size_hint)
        finally:
            sock.settimeout(previous)
            with body_waiting_guard:
                body_waiting["now"] -= 1

    unreader.chunk = chunk_in_time


def post_request(worker, req, environ, resp):
    """A request whose body was read whole leaves the connection without its deadline; one whose body was not
    keeps it, so that the server's drain of the rest is bounded by it too."""
    if body_done(req):
        vars(req.unreader).pop("chunk", None)


def close_without_lingering(sock, timeout=None, max_drain=65536):
    """gunicorn's close_graceful without its wait of up to 2 s for the client to close, which the gthread worker
    spends in the thread that accepts every connection: a client that never closed stopped the whole worker."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.setblocking(False)
        drained = 0
        while drained < max_drain:
            data = sock.recv(4096)  # only what has arrived: the kernel then closes without a reset
            if not data:
                break
            drained += len(data)
    except OSError:
        pass
    finally:
        sock.close()
