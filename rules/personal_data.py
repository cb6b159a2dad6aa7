"""Offer redemptions as personal data: exported and erased with the rest of a visitor's data."""

from consent.registry import Subject

from .models import OfferRedemption


def redemptions_of(subject: Subject):
    return OfferRedemption.objects.filter(offer__site__public_key=subject.site_key,
                                          visitor_id__in=list(subject.visitor_ids))


def redemptions_export(subject: Subject) -> dict:
    return {"offer_redemptions": list(redemptions_of(subject).values("offer__name", "offer__code", "at"))}


def redemptions_erase(subject: Subject) -> int:
    return redemptions_of(subject).delete()[0]
