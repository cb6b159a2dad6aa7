"""What the collector hands to storage: validated events, failures and drop counts of one batch.

These are plain data (no ORM) so the same structure travels through a Redis stream entry
or straight into the database in embedded mode.
"""

from dataclasses import dataclass, field

import orjson


@dataclass(slots=True)
class CollectedEvent:
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
    purpose: str  # the consent category this event needs
    user_key: str = ""  # identify events only: the user id, hashed unless configured otherwise


@dataclass(slots=True)
class Failure:
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


EVENT_FIELDS = CollectedEvent.__slots__
BATCH_FIELDS = ("site_id", "site_key", "received_ms", "visitor_id", "source", "consent", "device_type", "country",
                "client_address", "is_bot")


def batch_to_bytes(batch: CollectedBatch) -> bytes:
    """Compact JSON for a stream entry: fields by position, not by name."""
    return orjson.dumps(
        [
            [getattr(batch, name) for name in BATCH_FIELDS],
            [[getattr(event, name) for name in EVENT_FIELDS] for event in batch.events],
            [[f.reason, f.detail, f.index, f.event_id, f.payload] for f in batch.failures],
            batch.drops,
        ]
    )


def batch_from_bytes(data: bytes) -> CollectedBatch:
    head, events, failures, drops = orjson.loads(data)
    batch = CollectedBatch(**dict(zip(BATCH_FIELDS, head, strict=True)))
    batch.events = [CollectedEvent(*values) for values in events]
    batch.failures = [Failure(*values) for values in failures]
    batch.drops = drops
    return batch
