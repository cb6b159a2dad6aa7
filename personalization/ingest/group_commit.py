"""Group commit for the embedded (no Redis) mode.

Each collector request hands its validated batch to this process's writer thread and waits; the
thread writes every batch waiting at that moment in one transaction and then wakes each request
with its own result. A request still answers only after its events are committed (or with 503),
but a commit, its page writes and the session and profile statements are shared by all the
requests that arrived together. With SQLite this is what lets a couple of web processes store
well over ten thousand events a second; it needs a threaded server (gunicorn gthread, runserver).
"""

import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from django.db import close_old_connections, connection

from ..collect.batch import CollectedBatch
from .write import WriteResult, batches_write

logger = logging.getLogger(__name__)
MAX_GROUP = 64
WAIT_SECONDS = 10
CHECKPOINT_SECONDS = 0.5


class WriteTimeout(Exception):
    """The writer did not finish in time; the batch may or may not be stored, so the client must retry."""


@dataclass
class Pending:
    batch: CollectedBatch | None  # None asks the writer to close its database connection
    done: threading.Event = field(default_factory=threading.Event)
    result: WriteResult | None = None
    error: BaseException | None = None


class GroupCommitWriter:
    def __init__(self) -> None:
        self.waiting: queue.SimpleQueue[Pending] = queue.SimpleQueue()
        self.started = False
        self.lock = threading.Lock()
        self.written = threading.Event()  # set by each write; the checkpoint thread waits for it
        self.idle = False  # set when the writer let go of its connection: no checkpoint until it writes again

    def write(self, batch: CollectedBatch) -> WriteResult:
        """Store one batch, sharing the transaction with whatever else is waiting; raises what the write raised."""
        if connection.in_atomic_block:
            return batches_write([batch])  # the caller holds a transaction: join it instead of waiting beside it
        self.start()
        pending = Pending(batch)
        self.waiting.put(pending)
        if not pending.done.wait(WAIT_SECONDS):
            raise WriteTimeout("the embedded writer did not finish in time")
        if pending.error is not None:
            raise pending.error
        return pending.result

    def connection_close(self) -> None:
        """Have the writer thread close its database connection (before a database is dropped, say)."""
        if self.started:
            self.idle = True
            pending = Pending(None)
            self.waiting.put(pending)
            pending.done.wait(WAIT_SECONDS)

    def start(self) -> None:
        with self.lock:
            if not self.started:
                threading.Thread(target=self.run, name="attune-group-commit", daemon=True).start()
                if connection.vendor == "sqlite":
                    threading.Thread(target=checkpoints_run, args=(self,), name="attune-checkpoint",
                                     daemon=True).start()
                self.started = True

    def run(self) -> None:
        while True:
            group = [self.waiting.get()]
            while len(group) < MAX_GROUP:
                try:
                    group.append(self.waiting.get_nowait())
                except queue.Empty:
                    break
            self.write_group(group)

    def write_group(self, group: list[Pending]) -> None:
        if any(pending.batch is None for pending in group):
            for closing in [pending for pending in group if pending.batch is None]:
                group.remove(closing)
                connection.close()
                closing.done.set()
            if not group:
                return
        close_old_connections()
        try:
            if connection.vendor == "sqlite":
                # Checkpoints copy the WAL into the database file and sync it: a thread of their own does
                # that, so that no request waits for it.
                connection.cursor().execute("PRAGMA wal_autocheckpoint=0")
            result = batches_write([pending.batch for pending in group])
        except BaseException as error:  # every waiting request must hear about it, whatever it was
            logger.warning("Embedded write of %d batches failed: %r", len(group), error)
            connection.close()
            for pending in group:
                pending.error = error
                pending.done.set()
            return
        self.idle = False
        self.written.set()
        for pending, (stored, duplicates) in zip(group, result.per_batch, strict=True):
            pending.result = WriteResult(stored=stored, duplicates=duplicates)
            pending.done.set()


writer = GroupCommitWriter()


def checkpoints_run(writer: GroupCommitWriter) -> None:
    """Checkpoint SQLite's WAL in the background (PASSIVE: writers carry on meanwhile), after writes only."""
    while True:
        writer.written.wait()
        writer.written.clear()
        time.sleep(CHECKPOINT_SECONDS)
        if writer.idle:
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception as error:  # keep checkpointing; a locked or closed database is retried next time
            logger.warning("WAL checkpoint failed: %r", error)
            connection.close()
