"""Deliveries queued when people enter or leave segments: a row per webhook, person and change, sent by workers
(with Redis) or by the scheduled deliver-webhooks run (embedded)."""

import functools
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from personalization.models import Profile, Visitor
from personalization.selectors import consented_visitors

from ..models import Segment
from ..models_webhooks import Webhook, WebhookDelivery

# Telling a CRM or an ad platform who is in a segment shares the person with a partner: the marketing purpose.
WEBHOOK_CONSENT = "marketing"
PEOPLE_CHUNK = 1000
SEND_BATCH = 100


def webhooks_covering(*, segment_id: int) -> list[Webhook]:
    """The enabled webhooks of the segment's site that cover it (listing it, or listing no segment): one query,
    the only one when a site has none."""
    site = Segment.objects.filter(pk=segment_id).values("site_id")
    return list(Webhook.objects.filter(site_id__in=site, enabled=True)
                .filter(Q(segments=None) | Q(segments=segment_id)).distinct().order_by("pk"))


def people_shareable(*, site_key: str, profile_ids: list[int]) -> dict[int, dict]:
    """{profile id: {"visitor_ids", "user_key"}} for the people a device of whom last granted marketing on the
    site, with only those devices' ids: pseudonymous ids, never what the person did."""
    devices = list(Visitor.objects.filter(profile_id__in=profile_ids, is_bot=False)
                   .values_list("visitor_id", "profile_id"))
    allowed = consented_visitors(site_key=site_key, visitor_ids=[v for v, _ in devices], category=WEBHOOK_CONSENT)
    user_keys = dict(Profile.objects.filter(pk__in=profile_ids).values_list("pk", "user_key"))
    people: dict[int, dict] = {}
    for visitor_id, profile_id in sorted(devices):
        if visitor_id in allowed and profile_id in user_keys:
            person = people.setdefault(profile_id, {"visitor_ids": [], "user_key": user_keys[profile_id]})
            person["visitor_ids"].append(visitor_id)
    return people


def delivery_new(*, webhook: Webhook, segment: Segment, site_key: str, profile_id: int, person: dict, event: str,
                 reason: str, at: datetime) -> WebhookDelivery:
    delivery = WebhookDelivery(webhook=webhook, segment=segment, profile_id=profile_id, event=event, created_at=at,
                               next_attempt_at=at)
    delivery.payload = {
        "id": str(delivery.uid), "type": event, "created_at": at.isoformat(), "site": site_key,
        "segment": {"id": segment.pk, "slug": segment.slug, "name": segment.name, "kind": segment.kind},
        "person": person, "reason": reason,
    }
    return delivery


def webhook_deliveries_queue(*, segment_id: int, entered: list[int], left: list[int], reason: str) -> int:
    """Queue a delivery to each enabled webhook covering the segment and the change, for each person who entered or
    left it and allows marketing; the rows commit together, then go to workers. Returns how many were queued."""
    webhooks = webhooks_covering(segment_id=segment_id)
    if not webhooks:
        return 0
    segment = Segment.objects.select_related("site").get(pk=segment_id)
    changes = ((WebhookDelivery.Event.ENTERED, entered, [w for w in webhooks if w.on_enter]),
               (WebhookDelivery.Event.LEFT, left, [w for w in webhooks if w.on_leave]))
    site_key, at, queued = segment.site.public_key, timezone.now(), []
    with transaction.atomic():
        for event, profile_ids, wanted in changes:
            for start in range(0, len(profile_ids) if wanted else 0, PEOPLE_CHUNK):
                people = people_shareable(site_key=site_key, profile_ids=profile_ids[start:start + PEOPLE_CHUNK])
                rows = [delivery_new(webhook=webhook, segment=segment, site_key=site_key, profile_id=profile_id,
                                     person=person, event=event, reason=reason, at=at)
                        for profile_id, person in people.items() for webhook in wanted]
                queued += [row.pk for row in WebhookDelivery.objects.bulk_create(rows)]
        transaction.on_commit(functools.partial(webhook_deliveries_dispatch, delivery_ids=queued))
    return len(queued)


def webhook_deliveries_dispatch(*, delivery_ids: list[int], countdown: float = 0) -> None:
    """With workers: a send task per batch, after `countdown` seconds. Embedded (tasks would run eagerly in the
    thread that stored the events, and a retry would sleep there) nothing: the scheduled deliver-webhooks run sends
    whatever is due."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from ..tasks import webhook_deliveries_send_task  # here: tasks import the services

    for start in range(0, len(delivery_ids), SEND_BATCH):
        webhook_deliveries_send_task.apply_async(args=[delivery_ids[start:start + SEND_BATCH]],
                                                 countdown=countdown or None)


def webhook_retries_dispatch(*, retries: dict[int, float]) -> None:
    """Queue the deliveries that failed and may be tried again, each batch after its backoff (with workers)."""
    by_delay: dict[float, list[int]] = defaultdict(list)
    for delivery_id, delay in retries.items():
        by_delay[delay].append(delivery_id)
    for delay, delivery_ids in sorted(by_delay.items()):
        webhook_deliveries_dispatch(delivery_ids=sorted(delivery_ids), countdown=delay)


def webhook_deliveries_retry(*, delivery_ids: list[int]) -> int:
    """Send failed deliveries once more, now (from the delivery log); returns how many were queued again."""
    with transaction.atomic():
        ids = list(WebhookDelivery.objects.filter(pk__in=delivery_ids, status=WebhookDelivery.Status.FAILED)
                   .values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=ids).update(status=WebhookDelivery.Status.PENDING,
                                                          next_attempt_at=timezone.now())
        transaction.on_commit(functools.partial(webhook_deliveries_dispatch, delivery_ids=ids))
    return len(ids)
