"""Offer redemptions as personal data: exported and erased with the rest of a visitor's data."""

from consent.registry import Subject
from personalization.selectors import site_for_public_key
from personalization.services.redis_shared import redis_enabled

from .models import OfferRedemption
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
