"""What the collector hands to storage: validated events, failures and drop counts of one batch.

These are plain data (no ORM) so the same structure travels through a Redis stream entry
(collect/entry.py) or straight into the database in embedded mode. Events and failures are msgspec
structures encoded by position: a stream entry is written and read in C, not field by field in Python.
"""

from dataclasses import dataclass, field

import msgspec
import orjson


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
    user_key: str = ""  # the stored key of the site's user id (services/users.py), on an identify or any event sent with one
    user_id: str = ""  # the site's user id as sent: the collector turns it into user_key and empties it before storing
    user_sig: str = ""  # the site backend's proof of user_id (services/users.py), checked and emptied by the collector


INVALID = "invalid"  # models.DropReason.INVALID: this module reads no models
FAILURE_PAYLOAD_CHARS = 8192  # what is kept of an invalid event's payload


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
    consent_record: int = 0  # the consent record of the token the collector checked (0: no token, or server events)
    events: list[CollectedEvent] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    drops: dict[str, int] = field(default_factory=dict)

    def count_drop(self, reason: str, n: int = 1) -> None:
        if n:
            self.drops[reason] = self.drops.get(reason, 0) + n

    def reject(self, *, index: int, raw: object, detail: str, event_id: str = "", keep_payload: bool = True) -> None:
        """Keep an event that breaks the rules as a failure saying why (its payload cut to FAILURE_PAYLOAD_CHARS,
        none without consent to keep it), and count it as invalid: the one way an invalid event is recorded."""
        if not event_id and isinstance(raw, dict) and isinstance(raw.get("id"), str):
            event_id = raw["id"]
        payload = orjson.dumps(raw, default=str).decode()[:FAILURE_PAYLOAD_CHARS] if keep_payload else ""
        self.failures.append(Failure(INVALID, detail, index, event_id[:64], payload))
        self.count_drop(INVALID)
