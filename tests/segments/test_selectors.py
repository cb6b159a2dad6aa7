"""Segment sizes per day, as the segment's page and the overview chart them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from personalization.models import Profile
from segments.models import Membership, MembershipChange, Segment
from segments.selectors import segment_size_history, segment_sizes_by_day

pytestmark = pytest.mark.django_db


def test_sizes_are_walked_back_from_todays_count_so_purged_history_does_not_shift_them(site):
    segment = Segment.objects.create(site=site, name="Loyal", slug="loyal", kind=Segment.Kind.RULE)
    profiles = [Profile.objects.create(site=site, origin_visitor_id=f"visitor-{n:04d}") for n in range(5)]
    Membership.objects.bulk_create(Membership(segment=segment, profile=p) for p in profiles[:4])  # 4 members now
    now = timezone.now()
    MembershipChange.objects.bulk_create([  # two came yesterday, one left today; older history was purged
        MembershipChange(segment=segment, profile=profiles[0], entered=True, at=now - timedelta(days=1), reason="x"),
        MembershipChange(segment=segment, profile=profiles[1], entered=True, at=now - timedelta(days=1), reason="x"),
        MembershipChange(segment=segment, profile=profiles[4], entered=False, at=now, reason="x")])
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in (3, 2, 1, 0)]
    assert segment_sizes_by_day(segment_ids=[segment.pk], days=days)[segment.pk] == (3, 3, 5, 4)
    history = segment_size_history(segment=segment)
    assert history["sizes"][-1] == 4 and history["days"][-1] == today.isoformat()
