"""Segment memberships and their history, and the webhook deliveries about a person, as personal data: exported and
erased with the rest of a person's data, and erased when the consent they rest on is withdrawn."""

from datetime import datetime

from consent.registry import Subject
from personalization.selectors import profile_ids_of_visitors

from ..models import Membership, MembershipChange, WebhookDelivery


def memberships_export(subject: Subject) -> dict:
    people = profile_ids_of_visitors(site_key=subject.site_key, visitor_ids=subject.visitor_ids)
    return {
        "segments": list(Membership.objects.filter(profile_id__in=people)
                         .values("segment__name", "segment__kind", "since")),
        "segment_history": list(MembershipChange.objects.filter(profile_id__in=people)
                                .values("segment__name", "entered", "at", "reason")),
    }


def memberships_erase(subject: Subject) -> int:
    people = profile_ids_of_visitors(site_key=subject.site_key, visitor_ids=subject.visitor_ids)
    erased = Membership.objects.filter(profile_id__in=people).delete()[0]
    return erased + MembershipChange.objects.filter(profile_id__in=people).delete()[0]


def webhook_deliveries_export(subject: Subject) -> dict:
    people = profile_ids_of_visitors(site_key=subject.site_key, visitor_ids=subject.visitor_ids)
    return {"segment_webhooks": list(
        WebhookDelivery.objects.filter(profile_id__in=people).order_by("created_at", "pk")
        .values("webhook__name", "segment__name", "event", "status", "created_at", "delivered_at", "payload"))}


def webhook_deliveries_erase(subject: Subject) -> int:
    """Erase the log of what was sent about the person, and what is still waiting to be sent."""
    people = profile_ids_of_visitors(site_key=subject.site_key, visitor_ids=subject.visitor_ids)
    return WebhookDelivery.objects.filter(profile_id__in=people).delete()[0]


def webhook_deliveries_purge(cutoff: datetime, batch: int) -> int:
    """Delete deliveries made before `cutoff`, `batch` rows per statement."""
    deleted = 0
    while ids := list(WebhookDelivery.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch]):
        deleted += WebhookDelivery.objects.filter(pk__in=ids).delete()[0]
    return deleted
