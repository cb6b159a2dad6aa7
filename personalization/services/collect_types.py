"""What the collector answers with, and what it knows of the client and of a batch it has checked."""

from dataclasses import dataclass, field
from typing import NamedTuple

from ..collect.batch import CollectedBatch
from ..selectors import SiteInfo


@dataclass
class CollectOutcome:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)
    site: SiteInfo | None = None


@dataclass(frozen=True)
class ClientInfo:
    origin: str
    address: str
    user_agent: str
    country: str = ""


class Forwarded(NamedTuple):
    """A clean batch to queue as the tracker sent it, its events finished by the drain (collect/entry.py)."""

    body: bytes
    skew_ms: int
    events: int


@dataclass
class PreparedBatch:
    """A batch checked and filtered, ready to store; or the refusal to answer with."""

    refusal: CollectOutcome | None = None
    batch: CollectedBatch | None = None
    rejected: list = field(default_factory=list)
    site: SiteInfo | None = None
    forwarded: Forwarded | None = None  # set instead of batch.events when the whole batch goes to the stream as sent


def refusal(status: int, code: str, message: str, **headers: str) -> CollectOutcome:
    return CollectOutcome(status=status, body={"error": code, "message": message}, headers=headers)
