"""Group commit for the embedded (no Redis) mode.

Each collector request hands its validated batch to this process's writer thread and waits; the
thread writes every batch waiting at that moment in one transaction and then wakes each request
with its own result. A request still answers only after its events are committed (or with 503),
but a commit, its page writes and the session and profile statements are shared by all the
requests that arrived together. With SQLite this is what lets a couple of web processes store
well over ten thousand events a second; it needs a threaded server (gunicorn gthread, runserver).
"""

import logging
import threading
import time

from django.db import DatabaseError, close_old_connections, connection

from ..collect.batch import CollectedBatch
from .grouping import GroupingWorker, GroupTimeout
from .write import WriteResult, batches_write

logger = logging.getLogger(__name__)
CHECKPOINT_SECONDS = 0.5
CLOSE = object()  # asks the writer to close its database connection


class WriteTimeout(GroupTimeout):
    """The writer did not finish in time; the batch may or may not be stored, so the client must retry."""


class GroupCommitWriter(GroupingWorker):
    name = "attune-group-commit"
    timeout_error = WriteTimeout

    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()  # set by each write; the checkpoint thread waits for it
        self.idle = False  # set when the writer let go of its connection: no checkpoint until it writes again

    def write(self, batch: CollectedBatch) -> WriteResult:
        """Store one batch, sharing the transaction with whatever else is waiting; raises what the write raised."""
        if connection.in_atomic_block:
            return batches_write([batch])  # the caller holds a transaction: join it instead of waiting beside it
        return self.submit(batch)

    def connection_close(self) -> None:
        """Have the writer thread close its database connection (before a database is dropped, say)."""
        if self.started:
            self.idle = True
            self.submit(CLOSE)

    def on_start(self) -> None:
        if connection.vendor == "sqlite":
            threading.Thread(target=checkpoints_run, args=(self,), name="attune-checkpoint", daemon=True).start()

    def handle(self, items: list) -> list:
        if CLOSE in items:
            connection.close()
            batches = [item for item in items if item is not CLOSE]
            results = self.handle(batches) if batches else []
            answers = iter(results)
            return [None if item is CLOSE else next(answers) for item in items]
        close_old_connections()
        if connection.vendor == "sqlite":
            # Checkpoints copy the WAL into the database file and sync it: a thread of their own does
            # that, so that no request waits for it.
            connection.cursor().execute("PRAGMA wal_autocheckpoint=0")
        try:
            result = batches_write(items)
        except DatabaseError:
            if len(items) == 1:
                raise
            # One batch the database refuses must not fail the requests that waited beside it: each on its own.
            return [self.write_alone(batch) for batch in items]
        self.idle = False
        self.written.set()
        return [WriteResult(stored=stored, duplicates=duplicates, erased=erased)
                for stored, duplicates, erased in result.per_batch]

    def write_alone(self, batch: CollectedBatch) -> WriteResult | DatabaseError:
        try:
            (result,) = self.handle([batch])
        except DatabaseError as error:
            logger.warning("Embedded write of a batch failed: %r", error)
            return error
        return result

    def failed(self, group, error) -> None:
        logger.warning("Embedded write of %d batches failed: %r", len(group), error)
        connection.close()


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
                cursor.execute("PRAGMA wal_autocheckpoint=0")
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception as error:  # keep checkpointing; a locked or closed database is retried next time
            logger.warning("WAL checkpoint failed: %r", error)
            connection.close()


writer = GroupCommitWriter()
