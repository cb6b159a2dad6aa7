from datetime import timedelta

import pytest
from django.utils import timezone

from consent.models import ConsentRecord, ErasedSubject
from consent.services.retention import retention_purge
from personalization.models import Event, FailedEvent, Profile, Session
from personalization.services.failures import failed_events_purge

pytestmark = pytest.mark.django_db


def test_raw_events_and_sessions_past_their_retention_are_purged_in_batches(site, attune_settings):
    attune_settings(EVENT_RETENTION_DAYS=30, PURGE_BATCH_SIZE=2)
    now = timezone.now()
    profile = Profile.objects.create(site=site, origin_visitor_id="visitor-old-1")
    for days in (40, 35, 31, 5):
        Event.objects.create(site=site, event_id=f"0193a1b2-c3d4-7e5f-a000-0000000000{days:02d}",
                             visitor_id="visitor-old-1", type="click", ts=now - timedelta(days=days),
                             received_at=now, consent="analytics")
        Session.objects.create(site=site, visitor_id="visitor-old-1", profile=profile, pages={},
                               started_at=now - timedelta(days=days), ended_at=now - timedelta(days=days))
    deleted = retention_purge(now=now)
    assert deleted["events"] == 6
    assert Event.objects.count() == 1 and Session.objects.count() == 1


def test_consent_records_and_erasure_tombstones_have_their_own_periods(site, attune_settings):
    attune_settings(CONSENT_RECORD_RETENTION_DAYS=365, CONSENT_MAX_AGE_DAYS=30)
    now = timezone.now()
    ConsentRecord.objects.create(site_key="k", visitor_id="old", granted=[], policy_version=0, source="banner",
                                 created_at=now - timedelta(days=400))
    ConsentRecord.objects.create(site_key="k", visitor_id="new", granted=[], policy_version=0, source="banner")
    ErasedSubject.objects.create(site_key="k", digest="a" * 64, erased_at=now - timedelta(days=40))
    ErasedSubject.objects.create(site_key="k", digest="b" * 64, erased_at=now - timedelta(days=20))  # tokens live on
    deleted = retention_purge(now=now)
    assert deleted["consent_records"] == 1 and deleted["erasure_tombstones"] == 1
    assert list(ConsentRecord.objects.values_list("visitor_id", flat=True)) == ["new"]


def test_failed_events_are_kept_only_a_few_days(site, attune_settings):
    attune_settings(FAILED_EVENT_RETENTION_DAYS=7)
    FailedEvent.objects.create(site=site, reason="invalid", detail="x", received_at=timezone.now() - timedelta(days=8))
    FailedEvent.objects.create(site=site, reason="invalid", detail="y")
    assert failed_events_purge() == 1
