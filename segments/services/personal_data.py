"""Segment memberships and their history as personal data: exported and erased with the rest of a person's data,
and erased when personalization consent is withdrawn."""

from consent.registry import Subject
from personalization.selectors import profile_ids_of_visitors

from ..models import Membership, MembershipChange


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
