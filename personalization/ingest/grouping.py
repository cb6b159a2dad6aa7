"""One worker thread per process that serves requests in groups: each request hands over its item and
waits; the thread takes everything waiting at that moment, does the group's work once, and wakes each
request with its own answer. Group commit (embedded mode) and pipelined stream appends (Redis) both
work this way."""

import queue
import threading


class GroupTimeout(Exception):
    """The worker did not answer in time: the item may or may not have been handled, so the client retries."""


class Waiting:
    """One request's item and, once handled, its result. `done` is held until the worker releases it:
    a bare lock is the cheapest way for a thread to sleep until another one wakes it."""

    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: object) -> None:
        self.item = item
        self.done = threading.Lock()
        self.done.acquire()
        self.result: object = None
        self.error: BaseException | None = None


class GroupingWorker:
    name = "attune-group"
    max_group = 64
    wait_seconds = 10.0
    timeout_error: type[Exception] = GroupTimeout

    def __init__(self) -> None:
        self.waiting: queue.SimpleQueue[Waiting] = queue.SimpleQueue()
        self.started = False
        self.lock = threading.Lock()

    def submit(self, item: object) -> object:
        """Hand `item` over and wait for its result; raises what handling it raised."""
        self.start()
        waiting = Waiting(item)
        self.waiting.put(waiting)
        if not waiting.done.acquire(timeout=self.wait_seconds):
            raise self.timeout_error(f"{self.name} did not answer within {self.wait_seconds} s")
        if waiting.error is not None:
            raise waiting.error
        return waiting.result

    def start(self) -> None:
        with self.lock:
            if not self.started:
                threading.Thread(target=self.run, name=self.name, daemon=True).start()
                self.on_start()
                self.started = True

    def on_start(self) -> None:
        """Anything else to start with the worker thread."""

    def run(self) -> None:
        while True:
            group = [self.waiting.get()]
            while len(group) < self.max_group:
                try:
                    group.append(self.waiting.get_nowait())
                except queue.Empty:
                    break
            try:
                results = self.handle([waiting.item for waiting in group])
            except BaseException as error:  # every waiting request must hear about it, whatever it was
                self.failed(group, error)
                for waiting in group:
                    waiting.error = error
            else:
                for waiting, result in zip(group, results, strict=True):
                    if isinstance(result, BaseException):
                        waiting.error = result
                    else:
                        waiting.result = result
            for waiting in group:
                waiting.done.release()

    def handle(self, items: list) -> list:
        """The group's work: one result (or exception) per item, in order."""
        raise NotImplementedError

    def failed(self, group: list[Waiting], error: BaseException) -> None:
        """Called when handle() raised, before every waiting request hears about it."""
