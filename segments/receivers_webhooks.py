"""Webhooks listen to segments' own signal: entering or leaving a segment queues deliveries. Receivers only queue
work; sending happens in workers or the scheduled run."""

import logging

from django.dispatch import receiver

from .services.webhooks_queue import webhook_deliveries_queue
from .signals import memberships_changed

logger = logging.getLogger(__name__)


@receiver(memberships_changed, dispatch_uid="segments-webhooks-queue")
def deliveries_queue(sender, segment_id: int, entered, left, reason: str = "", **kwargs) -> None:
    try:
        webhook_deliveries_queue(segment_id=segment_id, entered=list(entered), left=list(left), reason=reason)
    except Exception:  # the memberships are committed already; this must not stop the signal's other receivers
        logger.exception("webhook deliveries for segment %s could not be queued", segment_id)
