"""A stream entry: one checked batch, as the collector queues it and drain workers read it.

One JSON array, written and read by msgspec (in C), in one of two forms:
- [head, events, failures, drops]: the batch's events finished by the collector;
- [head, [], failures, drops, skew_ms, body]: a clean tracker batch forwarded as the tracker sent it, its body
  embedded as it came, not re-encoded. The drain finishes its events with the collector's own code
  (fast.events_complete), from the same body and the same receipt time and clock skew, so they come out as the
  collector would have made them. Only a batch that finishing cannot change in substance is forwarded so
  (fast.batch_forwardable); the collector's own work on a batch of 20 went from 70 to 59 µs in one thread.
"""

import msgspec
import orjson
from django.conf import settings

from .batch import CollectedBatch, CollectedEvent, Failure
from .fast import batch_decode, events_complete
from .limits import collect_limits
from .schema import BatchContext, EventInvalid, event_validate

BATCH_FIELDS = ("site_id", "site_key", "received_ms", "visitor_id", "source", "consent", "device_type", "country",
                "client_address", "is_bot", "consent_record")  # an entry queued without the last one reads it as 0


class StreamEntry(msgspec.Struct, array_like=True):
    head: list
    events: list[CollectedEvent]
    failures: list[Failure]
    drops: dict[str, int]
    skew_ms: int = 0
    body: msgspec.Raw = msgspec.Raw()  # empty unless the batch was forwarded as sent


ENCODER = msgspec.json.Encoder()
DECODER = msgspec.json.Decoder(StreamEntry)


def entry_encode(batch: CollectedBatch) -> bytes:
    """A stream entry for a batch whose events the collector finished."""
    return ENCODER.encode(([getattr(batch, name) for name in BATCH_FIELDS], batch.events, batch.failures, batch.drops))


def entry_encode_forwarded(batch: CollectedBatch, *, body: bytes, skew_ms: int) -> bytes:
    """A stream entry for a batch forwarded as the tracker sent it (`body`, which fast.batch_forwardable passed)."""
    return ENCODER.encode(([getattr(batch, name) for name in BATCH_FIELDS], [], batch.failures, batch.drops, skew_ms,
                           msgspec.Raw(body)))


def entry_decode(data: bytes) -> CollectedBatch:
    """The batch a stream entry holds, its events finished when it was forwarded as sent."""
    entry = DECODER.decode(data)
    batch = CollectedBatch(*entry.head, events=entry.events, failures=entry.failures, drops=entry.drops)
    if entry.body:
        forwarded_finish(batch, bytes(entry.body), BatchContext(received_ms=batch.received_ms, skew_ms=entry.skew_ms))
    return batch


def forwarded_finish(batch: CollectedBatch, body: bytes, context: BatchContext) -> None:
    """Add the finished events of a forwarded body to `batch`. Should the limits have changed since the collector
    checked it (settings differ between processes during a deploy), each event is judged again on its own and one
    now refused is kept as a failure saying why, never dropped silently."""
    attune, limits = settings.ATTUNE, collect_limits()
    typed = batch_decode(body, limits=limits, max_events=attune["COLLECT_MAX_EVENTS"],
                         max_depth=attune["COLLECT_MAX_BODY_DEPTH"])
    if typed is not None:
        try:
            batch.events.extend(events_complete(typed.events, context, limits, body))
            return
        except EventInvalid:
            pass
    for index, raw in enumerate(orjson.loads(body)["events"]):
        try:
            batch.events.append(event_validate(raw, context, limits))
        except EventInvalid as error:
            batch.reject(index=index, raw=raw, detail=str(error))
