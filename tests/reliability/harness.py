"""Send events through the real web server, Redis and drain workers while services restart, then
classify every event: stored (once), lost (accepted with 202 but not stored), duplicated (stored more
than once) or unexpected (stored but never sent)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent.parent
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A Redis server of our own (append-only file, fsync always) that the test may kill and restart."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="attune-redis-")
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.directory, "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--logfile", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private Redis did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Ledger:
    """What the senders know: every event sent, and every event a 200/202 answer covered."""

    sent: set = field(default_factory=set)
    accepted: set = field(default_factory=set)
    answers: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def sender(*, url: str, site_key: str, origin: str, tokens: list, batches: int, ledger: Ledger, thread: int,
           pace: float = 0.1) -> None:
    """Like the tracker: batches of 20 fresh events, each batch retried with the same ids until it is
    accepted (503 and connection errors are retried; a timeout of unknown fate is retried too)."""
    for number in range(batches):
        time.sleep(pace)  # a steady stream, so that restarts land in the middle of it
        visitor, token = tokens[(thread * 7 + number) % len(tokens)]
        events = [{"id": str(uuid.uuid4()), "type": "click", "ts": int(time.time() * 1000), "seq": i,
                   "props": {"thread": thread, "batch": number}} for i in range(20)]
        ids = {event["id"] for event in events}
        with ledger.lock:
            ledger.sent |= ids
        for attempt in range(200):
            body = orjson.dumps({"site": site_key, "vid": visitor, "sent": int(time.time() * 1000),
                                 "consent": token, "events": events})
            request = urllib.request.Request(f"{url}/collect", data=body, method="POST", headers={
                "Content-Type": "text/plain", "Origin": origin, "User-Agent": CHROME})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = "error"
            with ledger.lock:
                ledger.answers[status] += 1
                if status in (200, 202):
                    ledger.accepted |= ids
            if status in (200, 202):
                break
            time.sleep(min(0.05 * (attempt + 1), 0.5))


def classify(ledger: Ledger, stored_ids: list[str]) -> dict[str, int]:
    counts = Counter(stored_ids)
    return {
        "stored": sum(1 for event_id in ledger.sent if counts.get(event_id) == 1),
        "lost": sum(1 for event_id in ledger.accepted if event_id not in counts),
        "duplicated": sum(1 for n in counts.values() if n > 1),
        "unexpected": sum(1 for event_id in counts if event_id not in ledger.sent),
        "sent": len(ledger.sent),
        "accepted": len(ledger.accepted),
        "refused_answers": ledger.answers.get(503, 0) + ledger.answers.get("error", 0),
    }


def web_server(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi",
         "--log-level", "warning"], cwd=ROOT, env={**env, "WEB_BIND": f"127.0.0.1:{port}", "WEB_THREADS": "8"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/schema/", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def drain_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "drain_events"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def child_env(database_url: str, redis_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "DEBUG": "1",
            "ATTUNE_RATE_LIMIT_ADDRESS_PER_MINUTE": "10000000", "ATTUNE_RATE_LIMIT_SITE_PER_MINUTE": "10000000",
            "ATTUNE_DRAIN_CLAIM_IDLE_MS": "1000", "LOG_LEVEL": "ERROR"}
