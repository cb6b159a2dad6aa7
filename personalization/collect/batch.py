"""What the collector hands to storage: validated events, failures and drop counts of one batch.

These are plain data (no ORM) so the same structure travels through a Redis stream entry
or straight into the database in embedded mode. Events and failures are msgspec structures encoded
by position: a stream entry is written and read in C, not field by field in Python.
"""

from dataclasses import dataclass, field

import msgspec


class CollectedEvent(msgspec.Struct, array_like=True):
    event_id: str  # canonical lower-case UUID with dashes
    type: str
    name: str
    ts_ms: int  # event time, corrected for the client's clock skew
    seq: int
    url: str
    path: str
    referrer: str
    page_view_id: str
    category: str  # content category of the page
    props: dict
    dimensions: dict
    purpose: str  # the category the event names, else its type's; storing it needs both (schema.event_allowed)
    user_key: str = ""  # the user id of an identify (or of any event sent with one), hashed unless configured otherwise


class Failure(msgspec.Struct, array_like=True):
    reason: str
    detail: str
    index: int | None = None
    event_id: str = ""
    payload: str = ""


@dataclass(slots=True)
class CollectedBatch:
    site_id: int | None
    site_key: str
    received_ms: int
    visitor_id: str = ""
    source: str = "browser"
    consent: str = ""  # comma-separated categories granted when collected
    device_type: str = ""
    country: str = ""
    client_address: str = ""
    is_bot: bool = False
    events: list[CollectedEvent] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    drops: dict[str, int] = field(default_factory=dict)

    def count_drop(self, reason: str, n: int = 1) -> None:
        if n:
            self.drops[reason] = self.drops.get(reason, 0) + n


BATCH_FIELDS = ("site_id", "site_key", "received_ms", "visitor_id", "source", "consent", "device_type", "country",
                "client_address", "is_bot")
ENTRY_ENCODER = msgspec.json.Encoder()
ENTRY_DECODER = msgspec.json.Decoder(tuple[list, list[CollectedEvent], list[Failure], dict[str, int]])


def batch_to_bytes(batch: CollectedBatch) -> bytes:
    """Compact JSON for a stream entry: fields by position, not by name."""
    return ENTRY_ENCODER.encode(
        ([getattr(batch, name) for name in BATCH_FIELDS], batch.events, batch.failures, batch.drops))


def batch_from_bytes(data: bytes) -> CollectedBatch:
    head, events, failures, drops = ENTRY_DECODER.decode(data)
    batch = CollectedBatch(*head, events=events, failures=failures, drops=drops)
    return batch
