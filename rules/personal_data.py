"""Offer redemptions and rule exposures as personal data: exported and erased with the rest of a visitor's data."""

from datetime import datetime

from consent.registry import Subject
from personalization.selectors import site_for_public_key
from personalization.services.redis_shared import redis_enabled

from .models import OfferRedemption, RuleExposure
from .visitor_values import visitors_forget


def redemptions_of(subject: Subject):
    return OfferRedemption.objects.filter(offer__site__public_key=subject.site_key,
                                          visitor_id__in=list(subject.visitor_ids))


def redemptions_export(subject: Subject) -> dict:
    return {"offer_redemptions": list(redemptions_of(subject).values("offer__name", "offer__code", "at"))}


def redemptions_erase(subject: Subject) -> int:
    return redemptions_of(subject).delete()[0]


def visitor_values_erase(subject: Subject) -> int:
    """The rule values kept in Redis for the subject's visitors (derived from the profile, which is exported)."""
    site = site_for_public_key(subject.site_key)
    if not redis_enabled() or site is None:
        return 0
    return visitors_forget(site_id=site.id, visitor_ids=subject.visitor_ids)


def exposures_of(subject: Subject):
    return RuleExposure.objects.filter(rule__site__public_key=subject.site_key, visitor_id__in=list(subject.visitor_ids))


def exposures_export(subject: Subject) -> dict:
    return {"rule_exposures": list(exposures_of(subject).values(
        "rule__name", "arm", "first_at", "last_at", "impressions", "clicked_at", "converted_at", "goal"))}


def exposures_erase(subject: Subject) -> int:
    return exposures_of(subject).delete()[0]


def exposures_purge(cutoff: datetime, batch: int) -> int:
    """Delete exposures last seen before `cutoff`, `batch` rows per statement (the daily counters hold no one)."""
    deleted = 0
    while ids := list(RuleExposure.objects.filter(last_at__lt=cutoff).values_list("pk", flat=True)[:batch]):
        deleted += RuleExposure.objects.filter(pk__in=ids).delete()[0]
    return deleted
