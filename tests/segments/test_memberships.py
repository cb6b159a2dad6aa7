"""Rule segments follow a person's figures as events are stored; consent and privacy rights reach memberships."""

import threading
import time

import pytest

from consent.registry import Subject, personal_data_handlers
from personalization.models import Profile
from segments.models import Membership, MembershipChange, Segment
from segments.receivers import refresh_pending_flush, refresh_thread_stop
from segments.signals import memberships_changed

from .conftest import purchase

pytestmark = pytest.mark.django_db
LOYAL = {"all": [{"field": "purchases", "op": "gte", "value": 2}]}


@pytest.fixture
def loyal(site):
    return Segment.objects.create(site=site, name="Loyal", slug="loyal", kind=Segment.Kind.RULE, conditions=LOYAL)


@pytest.fixture
def announced():
    calls = []

    def receiver(sender, segment_id, entered, left, **kwargs):
        calls.append((segment_id, list(entered), list(left)))

    memberships_changed.connect(receiver)
    yield calls
    memberships_changed.disconnect(receiver)


def test_the_second_purchase_moves_the_buyer_into_the_segment_as_it_is_stored(site, loyal, announced,
                                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purchase(site, 1)
    assert not Membership.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        purchase(site, 2)
    profile = Profile.objects.get()
    assert Membership.objects.get().profile == profile
    change = MembershipChange.objects.get()
    assert (change.entered, change.reason) == (True, "figures changed")
    assert announced == [(loyal.pk, [profile.pk], [])]


def test_embedded_refreshes_gathered_in_the_background_are_the_same(site, loyal, attune_settings,
                                                                    django_capture_on_commit_callbacks):
    attune_settings(SEGMENTS_REFRESH_SECONDS=3600)  # the flusher thread would wait an hour: flush by hand
    with django_capture_on_commit_callbacks(execute=True):
        purchase(site, 1)
        purchase(site, 2)
    assert not Membership.objects.exists()
    assert refresh_pending_flush() == 1
    assert Membership.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_refreshes_within_its_period_and_stops_on_request(site, loyal, attune_settings):
    attune_settings(SEGMENTS_REFRESH_SECONDS=0.05)
    purchase(site, 1)
    purchase(site, 2)
    deadline = time.monotonic() + 10
    while not Membership.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert Membership.objects.count() == 1
    refresh_thread_stop(flush=False)
    assert not any(t.name == "segments-refresh" for t in threading.enumerate())


def test_stopping_the_background_thread_at_exit_refreshes_everyone_it_gathered(site, loyal, attune_settings,
                                                                             django_capture_on_commit_callbacks):
    attune_settings(SEGMENTS_REFRESH_SECONDS=3600)
    with django_capture_on_commit_callbacks(execute=True):
        purchase(site, 1)
        purchase(site, 2)
    started = time.monotonic()
    refresh_thread_stop(flush=True)
    assert time.monotonic() - started < 5  # the hour's wait is cut short
    assert Membership.objects.count() == 1


def test_a_person_who_no_longer_matches_leaves_with_the_reason_kept(site, loyal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purchase(site, 1)
        purchase(site, 2)
    loyal.conditions = {"all": [{"field": "purchases", "op": "gte", "value": 3}]}
    loyal.save()
    from segments.services.memberships import memberships_refresh

    assert memberships_refresh(site_id=site.pk, profile_ids=[Profile.objects.get().pk]) == 1
    assert not Membership.objects.exists()
    assert list(MembershipChange.objects.order_by("at", "pk").values_list("entered", flat=True)) == [True, False]


def test_memberships_are_exported_and_erased_with_the_persons_data(site, loyal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purchase(site, 1)
        purchase(site, 2)
    handler = next(h for h in personal_data_handlers() if h.name == "segments")
    subject = Subject(site_key=site.public_key, visitor_ids=("visitor-0001",))
    exported = handler.export(subject)
    assert [m["segment__name"] for m in exported["segments"]] == ["Loyal"]
    assert handler.category == "personalization"
    assert handler.erase(subject) == 2
    assert not Membership.objects.exists() and not MembershipChange.objects.exists()


def test_events_are_stamped_with_the_segments_their_visitor_is_in_when_stored(site, loyal,
                                                                             django_capture_on_commit_callbacks):
    from personalization.models import Event

    for n in (1, 2, 3):  # the second purchase is stored before the refresh places the buyer in Loyal
        with django_capture_on_commit_callbacks(execute=True):
            purchase(site, n)
    dims = [d for _, d in sorted(Event.objects.values_list("ts", "dimensions"))]
    assert dims == [{}, {}, {"segments": "loyal"}]
