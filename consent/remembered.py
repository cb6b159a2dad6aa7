"""Values read from the database and kept in this process's memory for a few seconds.

The collector reads its site and the consent policy for every batch. When a remembered value
expires, one caller reads it again while the others go on with the value they had. Without that,
every request in flight at that moment went to the database at once: under gevent a web worker
serves hundreds of requests together, and each of them opened a connection of its own (measured:
PostgreSQL refused connections and the collector answered 503 every 30 seconds under load)."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class Remembered:
    """A small in-memory cache of values that expire `seconds` after they were read."""

    def __init__(self, *, seconds: float, max_keys: int = 10_000) -> None:
        self.seconds = seconds
        self.max_keys = max_keys
        self.values: dict[Hashable, tuple[float, Any]] = {}
        self.loading = threading.Lock()  # created at import, after gevent's patching when served by gevent workers

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value remembered for `key`, read with `load()` when there is none or it expired."""
        hit = self.values.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.seconds:
            return hit[1]
        if hit is not None and not self.loading.acquire(blocking=False):
            return hit[1]  # another caller is reading it again: the previous value serves meanwhile
        if hit is None:
            self.loading.acquire()  # nothing to go on with: wait for any reader, then look again
        try:
            hit = self.values.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.seconds:
                return hit[1]
            value = load()
            if len(self.values) >= self.max_keys:
                self.values.clear()  # unknown keys sent by a flood must not grow memory without bound
            self.values[key] = (time.monotonic(), value)
            return value
        finally:
            self.loading.release()

    def clear(self) -> None:
        self.values.clear()
