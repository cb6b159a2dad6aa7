"""Values read from the database and kept in this process's memory for a few seconds.

The collector reads its site and the consent policy for every batch. When a remembered value
expires, one caller reads it again while the others go on with the value they had. Without that,
every request in flight at that moment went to the database at once: under gevent a web worker
serves hundreds of requests together, and each of them opened a connection of its own (measured:
PostgreSQL refused connections and the collector answered 503 every 30 seconds under load).
Keys are read one caller at a time each, not one at a time overall, so that reads for keys nobody
knows (a flood of made-up site keys) never hold up the sites that exist."""

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
        self.readers: dict[Hashable, threading.Lock] = {}  # one per key: held by whoever reads it from the database
        self.guard = threading.Lock()  # made at import, after gevent's patching when served by gevent workers

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value remembered for `key`, read with `load()` when there is none or it expired."""
        hit = self.values.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.seconds:
            return hit[1]
        reader = self.reader_for(key)
        if hit is not None and not reader.acquire(blocking=False):
            return hit[1]  # another caller is reading it again: the previous value serves meanwhile
        if hit is None:
            reader.acquire()  # nothing to go on with: wait for any reader of this key, then look again
        try:
            hit = self.values.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.seconds:
                return hit[1]
            value = load()
            self.room_make()
            self.values[key] = (time.monotonic(), value)
            return value
        finally:
            reader.release()

    def reader_for(self, key: Hashable) -> threading.Lock:
        with self.guard:
            reader = self.readers.get(key)
            if reader is None:
                reader = self.readers[key] = threading.Lock()
            return reader

    def room_make(self) -> None:
        """Keep memory bounded: keys that found nothing (made-up ones, in a flood) go first, known values last."""
        if len(self.values) < self.max_keys:
            return
        with self.guard:
            self.values = {key: hit for key, hit in self.values.items() if hit[1] is not None}
            if len(self.values) >= self.max_keys:
                self.values = {}
            self.readers = {key: self.readers[key] for key in self.values if key in self.readers}

    def clear(self) -> None:
        with self.guard:
            self.values, self.readers = {}, {}
