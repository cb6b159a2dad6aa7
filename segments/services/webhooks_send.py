"""Sending queued webhook deliveries: each claimed before it is sent, so that two workers never send one at the same
time and a delivered one is never sent again; failures are tried again with exponential backoff, then marked failed."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from personalization.selectors import consented_visitors

from ..models_webhooks import WebhookDelivery
from ..webhook_http import PostResult, json_post
from ..webhook_signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header
from .webhooks_queue import WEBHOOK_CONSENT

PENDING = WebhookDelivery.Status.PENDING
DUE_BATCH = 100
DUE_BUDGET_SECONDS = 45  # one scheduled run hands over to the next, a minute later
USER_AGENT = "Attune-Webhooks/1"


def retry_delay(*, attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: the base, doubled after each failure, capped."""
    config = settings.ATTUNE
    return min(config["WEBHOOK_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0), config["WEBHOOK_RETRY_MAX_SECONDS"])


def deliveries_claim(*, delivery_ids: list[int], now: datetime) -> list[WebhookDelivery]:
    """The due, pending deliveries among `delivery_ids` that this caller now owns: each counts an attempt and is
    hidden from other senders until the attempt could have timed out (a crashed sender's are sent again then)."""
    lease = now + timedelta(seconds=settings.ATTUNE["WEBHOOK_TIMEOUT_SECONDS"] * 2 + 30)
    owned = [pk for pk in delivery_ids
             if WebhookDelivery.objects.filter(pk=pk, status=PENDING, next_attempt_at__lte=now, webhook__enabled=True)
             .update(attempts=F("attempts") + 1, next_attempt_at=lease)]
    return list(WebhookDelivery.objects.filter(pk__in=owned).select_related("webhook").order_by("pk"))


def deliveries_still_allowed(*, deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    """Those of `deliveries` whose person still allows marketing; the others end failed, unsent (a withdrawal
    usually erases them first, but not when ERASE_ON_WITHDRAWAL is off)."""
    by_site: dict[str, set[str]] = {}
    for delivery in deliveries:
        by_site.setdefault(delivery.payload["site"], set()).update(delivery.payload["person"]["visitor_ids"])
    allowed = {(site_key, visitor_id) for site_key, visitor_ids in by_site.items()
               for visitor_id in consented_visitors(site_key=site_key, visitor_ids=sorted(visitor_ids),
                                                    category=WEBHOOK_CONSENT)}
    kept = [d for d in deliveries if any((d.payload["site"], v) in allowed for v in d.payload["person"]["visitor_ids"])]
    withdrawn = {d.pk for d in deliveries} - {d.pk for d in kept}
    WebhookDelivery.objects.filter(pk__in=withdrawn).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None,
        last_error="not sent: the person no longer allows marketing")
    return kept


def delivery_post(delivery: WebhookDelivery) -> PostResult:
    """One signed POST of the delivery's payload (no database: runs in a sending thread)."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        SIGNATURE_HEADER: signature_header(secret=delivery.webhook.secret, body=body, timestamp=int(time.time())),
        DELIVERY_HEADER: str(delivery.uid), EVENT_HEADER: delivery.event, "User-Agent": USER_AGENT,
    }
    return json_post(url=delivery.webhook.url, body=body, headers=headers,
                     timeout=settings.ATTUNE["WEBHOOK_TIMEOUT_SECONDS"])


def delivery_record(*, delivery: WebhookDelivery, result: PostResult, now: datetime) -> float | None:
    """Log an attempt's outcome; returns the seconds until the next attempt, None when there is none."""
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, status=PENDING)
    if result.ok:
        mine.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now, response_code=result.code,
                    last_error="", next_attempt_at=None)
        return None
    if delivery.attempts >= settings.ATTUNE["WEBHOOK_MAX_ATTEMPTS"]:
        mine.update(status=WebhookDelivery.Status.FAILED, response_code=result.code, last_error=result.error,
                    next_attempt_at=None)
        return None
    delay = retry_delay(attempts=delivery.attempts)
    mine.update(response_code=result.code, last_error=result.error, next_attempt_at=now + timedelta(seconds=delay))
    return delay


def webhook_deliveries_send(*, delivery_ids: list[int], now: datetime | None = None) -> dict[int, float]:
    """Attempt those of `delivery_ids` that are pending and due, several at a time; returns the ones to try again:
    {delivery id: seconds to wait}."""
    now = now or timezone.now()
    claimed = deliveries_still_allowed(deliveries=deliveries_claim(delivery_ids=delivery_ids, now=now))
    if len(claimed) > 1:
        with ThreadPoolExecutor(max_workers=settings.ATTUNE["WEBHOOK_CONCURRENCY"]) as pool:
            results = list(pool.map(delivery_post, claimed))
    else:
        results = [delivery_post(delivery) for delivery in claimed]
    retries = {}
    for delivery, result in zip(claimed, results, strict=True):
        delay = delivery_record(delivery=delivery, result=result, now=now)
        if delay is not None:
            retries[delivery.pk] = delay
    return retries


def webhook_deliveries_send_due(*, now: datetime | None = None) -> int:
    """Attempt every pending delivery whose time has come, oldest first, for at most DUE_BUDGET_SECONDS; returns
    how many were attempted. What is left waits for the next scheduled run."""
    now, started, attempted = now or timezone.now(), time.monotonic(), 0
    while time.monotonic() - started < DUE_BUDGET_SECONDS:
        due = list(WebhookDelivery.objects.filter(status=PENDING, next_attempt_at__lte=now, webhook__enabled=True)
                   .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:DUE_BATCH])
        if not due:
            break
        webhook_deliveries_send(delivery_ids=due, now=now)
        attempted += len(due)
    return attempted
