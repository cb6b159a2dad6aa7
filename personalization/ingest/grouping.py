"""Serving requests in groups: each request hands over its item and waits; everything waiting at that moment
is handled as one group, and each request is woken with its own answer. Two ways to run the groups:

- GroupingWorker: one worker thread per process handles them. Group commit (embedded mode) works this way,
  because its writes must all go through the one database connection that thread owns.
- LeaderGrouping: no thread of its own; the request that finds nobody handling items becomes the leader and
  handles everything waiting, its own item included, while the others wait. Pipelined stream appends work
  this way: no thread switch is needed to start a group, and on the collector's path thread switches cost
  more than the work (measured side by side: about a tenth more batches a second)."""

import queue
import threading
import time


class GroupTimeout(Exception):
    """The group was not handled in time: the item may or may not have been handled, so the client retries."""


class Waiting:
    """One request's item and, once handled, its result. `done` is held until the group is handled:
    a bare lock is the cheapest way for a thread to sleep until another one wakes it."""

    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: object) -> None:
        self.item = item
        self.done = threading.Lock()
        self.done.acquire()
        self.result: object = None
        self.error: BaseException | None = None


class Grouping:
    name = "attune-group"
    max_group = 64
    wait_seconds = 10.0
    timeout_error: type[Exception] = GroupTimeout

    def __init__(self) -> None:
        self.waiting: queue.SimpleQueue[Waiting] = queue.SimpleQueue()

    def group_take(self, first: Waiting | None = None) -> list[Waiting]:
        """Everything waiting now, up to max_group (after `first`, when given)."""
        group = [] if first is None else [first]
        while len(group) < self.max_group:
            try:
                group.append(self.waiting.get_nowait())
            except queue.Empty:
                break
        return group

    def group_answer(self, group: list[Waiting]) -> None:
        """Handle a group and wake each of its requests with its own result or error."""
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

    @staticmethod
    def answer(waiting: Waiting) -> object:
        if waiting.error is not None:
            raise waiting.error
        return waiting.result


class GroupingWorker(Grouping):
    def __init__(self) -> None:
        super().__init__()
        self.started = False
        self.lock = threading.Lock()

    def submit(self, item: object) -> object:
        """Hand `item` over and wait for its result; raises what handling it raised."""
        self.start()
        waiting = Waiting(item)
        self.waiting.put(waiting)
        if not waiting.done.acquire(timeout=self.wait_seconds):
            raise self.timeout_error(f"{self.name} did not answer within {self.wait_seconds} s")
        return self.answer(waiting)

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
            self.group_answer(self.group_take(self.waiting.get()))


class LeaderGrouping(Grouping):
    def __init__(self) -> None:
        super().__init__()
        self.leading = threading.Lock()

    def submit(self, item: object) -> object:
        """Hand `item` over and wait for its result; raises what handling it raised."""
        waiting = Waiting(item)
        self.waiting.put(waiting)
        deadline = time.monotonic() + self.wait_seconds
        while not waiting.done.acquire(blocking=False):
            if self.lead_while_needed():
                continue  # our item was in a group just handled: it is done
            # Someone else leads, and handles our item: a leader lets go only with nothing queued, and whoever
            # queues after that finds nobody leading. The timeout is a safety net, not the way items get handled.
            if waiting.done.acquire(timeout=0.05):
                break
            if time.monotonic() > deadline:
                raise self.timeout_error(f"{self.name} did not answer within {self.wait_seconds} s")
        return self.answer(waiting)

    def lead_while_needed(self) -> bool:
        """Lead if nobody does, until nothing is queued; False when another request leads."""
        led = False
        while self.leading.acquire(blocking=False):
            led = True
            try:
                while group := self.group_take():
                    self.group_answer(group)
            finally:
                self.leading.release()
            if self.waiting.empty():  # an item queued while we let go would find nobody leading
                break
        return led
