"""Visits stored through the real write path on chosen days, for the dashboards' tests."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.write import batches_write

from ..conftest import now_ms

CONSENT = "analytics,necessary,personalization"


def day_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def at_ms(day: date, hour: int) -> int:
    return int(datetime.combine(day, time(hour), tzinfo=UTC).timestamp() * 1000)


def event(kind: str, ts_ms: int, page_view: str, *, name: str = "", props: dict | None = None) -> CollectedEvent:
    return CollectedEvent(str(uuid.uuid4()), kind, name, ts_ms, 0, "https://shop.example/", "/", "", page_view,
                          "shoes", props or {}, {}, "analytics")


def visit(site, visitor: str, day: date, *, hour: int = 10, engaged_ms: int = 60_000, revenue: float | None = None,
          bot: bool = False) -> None:
    """One session of `visitor` on `day` at `hour`: a page view with its engaged time, and a purchase when
    `revenue` is given (a conversion)."""
    start, page_view = at_ms(day, hour), f"pv-{uuid.uuid4().hex[:8]}"
    events = [event("page_view", start, page_view),
              event("engagement", start + 1000, page_view, props={"engaged_ms": engaged_ms, "final": True})]
    if revenue is not None:
        events.append(event("track", start + 2000, page_view, name="purchase", props={"revenue": revenue}))
    batches_write([CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=now_ms(), visitor_id=visitor,
                                  consent=CONSENT, is_bot=bot, events=events)])
