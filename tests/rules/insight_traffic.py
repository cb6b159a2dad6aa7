"""Traffic for the insight tests, stored through the real write path (sessions, visitors and profiles as the
collector makes them): visitors' page views and actions on chosen days, seeded, with what a test injects."""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.write import batches_write

from ..conftest import now_ms

CONSENT = "analytics,necessary,personalization"
ORIGIN = "https://shop.example"
WRITE_EVERY = 400


def today() -> date:
    return datetime.now(UTC).date()


def at(day: date, hour: int = 12, minute: int = 0) -> int:
    """Milliseconds of a time on a day (UTC)."""
    return int(datetime.combine(day, time(hour, minute), tzinfo=UTC).timestamp() * 1000)


@dataclass
class Traffic:
    """Visits collected for one site, written when stored."""

    site: object
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    batches: list[CollectedBatch] = field(default_factory=list)
    events: int = 0

    def visit(self, start_ms: int, *steps: tuple, visitor: str = "") -> str:
        """One visitor's events a minute apart from start_ms. A step is ("page", page_type, path), ("scroll", depth),
        ("track", name) or (type, props) for any other event type; scrolls and actions happen on the page before."""
        visitor = visitor or uuid.UUID(int=self.rng.getrandbits(128), version=4).hex[:24]
        events, page_view_id, path = [], "", "/"
        for n, step in enumerate(steps):
            ts = start_ms + n * 60_000
            if step[0] == "page":
                page_view_id, path = uuid.uuid4().hex[:16], step[2]
                events.append(self.event(ts, "page_view", "", path, page_view_id, {"page_type": step[1]}))
            elif step[0] == "scroll":
                events.append(self.event(ts, "scroll", "", path, page_view_id, {"depth": step[1], "max": step[1]}))
            elif step[0] == "track":
                events.append(self.event(ts, "track", step[1], path, page_view_id, {}))
            else:
                events.append(self.event(ts, step[0], "", path, page_view_id, step[1] if len(step) > 1 else {}))
        self.batches.append(CollectedBatch(site_id=self.site.pk, site_key=self.site.public_key, received_ms=now_ms(),
                                           visitor_id=visitor, consent=CONSENT, device_type="desktop", events=events))
        self.events += len(events)
        return visitor

    def event(self, ts: int, type_: str, name: str, path: str, page_view_id: str, props: dict) -> CollectedEvent:
        category = path.strip("/").split("/")[0] if path.count("/") > 2 else ""
        return CollectedEvent(str(uuid.uuid4()), type_, name, ts, 0, ORIGIN + path, path, "", page_view_id, category,
                              props, {}, "analytics")

    def store(self) -> None:
        for start in range(0, len(self.batches), WRITE_EVERY):
            batches_write(self.batches[start:start + WRITE_EVERY])
        self.batches = []

    def around(self, mean: float) -> int:
        """A count near `mean` (Poisson noise), so clean days look like real ones."""
        return max(0, round(self.rng.gauss(mean, mean ** 0.5)))


def days_back(count: int) -> list[date]:
    """The `count` complete days before today, oldest first (the days findings judge)."""
    return [today() - timedelta(days=n) for n in range(count, 0, -1)]
