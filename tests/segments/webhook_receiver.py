"""A real HTTP receiver for webhook tests: http.server in a thread on 127.0.0.1, a random port, answering each POST
with the next scripted status (the last one repeats) and keeping what it received."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int
    at: float  # time.monotonic() on arrival


@dataclass
class Receiver:
    url: str
    answers: list[int]
    received: list[Received] = field(default_factory=list)

    def answer(self) -> int:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def receiver_start(answers: list[int]) -> tuple[Receiver, ThreadingHTTPServer]:
    state = Receiver(url="", answers=list(answers))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                status = state.answer()
                state.received.append(Received(dict(self.headers.items()), body, status, time.monotonic()))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"no")

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/attune"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return state, server
