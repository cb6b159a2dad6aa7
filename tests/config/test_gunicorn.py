"""config/gunicorn.py as deployed: a request's body must arrive in time, so slow clients cannot hold every worker."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
SLOW_CLIENTS = 40  # five times the server's threads or connections below: without a bound they hold them all
BODY_TIMEOUT = 3


def page_status(port: int) -> int:
    """GET a plain Django page (the favicon's 204) on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/favicon.ico")
        return connection.getresponse().status
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["gthread", "gevent"])
def server(request, tmp_path):
    """gunicorn -c config/gunicorn.py config.wsgi on 127.0.0.1, with one worker of 8 threads (or 8 connections)."""
    port = free_port()
    env = {**os.environ, "DEBUG": "1", "WEB_BIND": f"127.0.0.1:{port}", "WEB_WORKER_CLASS": request.param,
           "WEB_WORKERS": "1", "WEB_THREADS": "8", "WEB_CONNECTIONS": "8", "WEB_BODY_TIMEOUT": str(BODY_TIMEOUT),
           "ATTUNE_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "LOG_LEVEL": "ERROR"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py",
                                "config.wsgi", "--log-level", "critical"], cwd=ROOT, env=env)
    try:
        for _ in range(150):
            try:
                page_status(port)
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def slow_client(port: int, path: str) -> socket.socket:
    """A connection that announces a body of 1,000 bytes and sends 10 of them."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                 "Origin: http://shop.example\r\nContent-Length: 1000\r\n\r\n{\"site\": \"".encode())
    return sock


def test_clients_that_never_send_their_body_do_not_stop_the_server(server):
    slow = [slow_client(server, "/collect" if n % 2 else "/v1/batch") for n in range(SLOW_CLIENTS)]
    try:
        time.sleep(1)  # the server has taken them all, and none has reached the body timeout yet
        started = time.monotonic()
        assert page_status(server) == 204
        assert time.monotonic() - started < 1
        for sock in slow:
            sock.settimeout(BODY_TIMEOUT + 2)
            sock.recv(4096)  # an answer (408, or 401 for /v1 without a write key) or the end: raises if still held
    finally:
        for sock in slow:
            sock.close()


def test_a_kept_alive_connection_serves_requests_after_the_body_timeout(server):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    try:
        connection.request("POST", "/collect", body=b'{"site": "pk_x", "events": []}',
                           headers={"Content-Type": "text/plain", "Origin": "http://shop.example"})
        first = connection.getresponse()
        first.read()
        assert first.getheader("Content-Type") == "application/json"  # the collector's answer, whatever it says
        time.sleep(BODY_TIMEOUT + 0.5)  # the first request's deadline has passed
        connection.request("GET", "/favicon.ico")
        assert connection.getresponse().status == 204
    finally:
        connection.close()
