"""Visitors' rule values kept in Redis: /decide reads one key, and a change to the profile or its segments shows
from the next decision on."""

import pytest

from consent.registry import Subject, personal_data_handlers
from personalization.decisions import DecisionRequest, PageContext, decisions_for
from personalization.models import Profile
from personalization.selectors import profile_for_visitor
from personalization.signals import events_stored
from rules import visitor_values
from rules.receivers import SITE_WIDE_CHANGE
from segments.models import Membership, Segment
from segments.signals import memberships_changed

from .factories import profile_make, rule_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_mode")]
TWO_PURCHASES = {"all": [{"field": "purchases", "op": "gte", "value": 2}]}


def shown(site, visitor_id: str) -> str | None:
    request = DecisionRequest(site.pk, ("home_hero",), PageContext(), visitor_id,
                              lambda: profile_for_visitor(site_id=site.pk, visitor_id=visitor_id))
    decision = decisions_for(request).get("home_hero")
    return decision.html if decision else None


@pytest.fixture
def buyer(site):
    rule_make(site, TWO_PURCHASES, html="<p>loyal offer</p>")
    return profile_make(site, visitor_id="buyer-0001", goal_counts={"purchase": 1})


def test_a_visitors_second_decision_reads_no_profile(site, buyer, django_assert_num_queries):
    assert shown(site, "buyer-0001") is None
    with django_assert_num_queries(0):
        assert shown(site, "buyer-0001") is None


def test_stored_events_make_the_next_decision_read_the_new_figures(site, buyer):
    assert shown(site, "buyer-0001") is None
    Profile.objects.filter(pk=buyer.pk).update(goal_counts={"purchase": 2})
    assert shown(site, "buyer-0001") is None  # kept: nothing said the profile changed
    events_stored.send(sender=None, site_id=site.pk, profile_ids=[buyer.pk])
    assert shown(site, "buyer-0001") == "<p>loyal offer</p>"


def test_new_segment_memberships_make_the_next_decision_read_them_again(site):
    rule_make(site, {"all": [{"field": "segments", "op": "includes", "value": "fans"}]}, html="<p>fans</p>")
    profile_make(site, visitor_id="seed", segments=("fans",))
    person = profile_make(site, visitor_id="person-0001")
    assert shown(site, "person-0001") is None
    Membership.objects.create(segment=Segment.objects.get(slug="fans"), profile=person)
    memberships_changed.send(sender=Segment, segment_id=Segment.objects.get(slug="fans").pk, entered=[person.pk],
                             left=[], reason="test")
    assert shown(site, "person-0001") == "<p>fans</p>"


def test_a_clustering_run_moving_many_people_marks_the_whole_site_in_one_write(site, redis_mode):
    rule_make(site, {"all": [{"field": "segments", "op": "includes", "value": "fans"}]}, html="<p>fans</p>")
    profile_make(site, visitor_id="seed", segments=("fans",))
    person = profile_make(site, visitor_id="person-0001")
    assert shown(site, "person-0001") is None
    fans = Segment.objects.get(slug="fans")
    Membership.objects.create(segment=fans, profile=person)
    many = [person.pk, *range(10**9, 10**9 + SITE_WIDE_CHANGE)]
    memberships_changed.send(sender=Segment, segment_id=fans.pk, entered=many, left=[], reason="clustering run")
    assert redis_mode.get(visitor_values.site_key(site.pk)) == b"1"
    assert not list(redis_mode.scan_iter(match="*:v:*:gen"))
    assert shown(site, "person-0001") == "<p>fans</p>"


def test_values_read_while_the_profile_changed_are_never_used(site, buyer):
    def read_during_a_change():
        values = {"purchases": 1}
        visitor_values.visitors_changed([(site.pk, "racer")])  # the drain stores events while we read
        return values

    assert visitor_values.visitor_values(site_id=site.pk, visitor_id="racer", read=read_during_a_change)
    reads = []
    visitor_values.visitor_values(site_id=site.pk, visitor_id="racer", read=lambda: reads.append(1) or {})
    assert reads == [1]


def test_values_survive_the_trip_through_redis_as_rules_read_them(site):
    from datetime import UTC, datetime

    values = {"purchases": 2, "last_seen": datetime(2026, 11, 1, 12, 30, tzinfo=UTC), "segments": frozenset({"a"}),
              "category_share": {"t": 0.5}, "device": None, "cart_abandoned": True, "revenue": 12.5}
    visitor_values.visitor_values(site_id=site.pk, visitor_id="trip", read=lambda: values)
    visitor_values._prepared.items.clear()  # as another process reads them
    kept = visitor_values.visitor_values(site_id=site.pk, visitor_id="trip", read=lambda: pytest.fail("read again"))
    assert kept == {**values, "segments": ["a"]}


def test_erasure_and_withdrawal_remove_what_is_kept_of_the_visitor(site, buyer, redis_mode):
    shown(site, "buyer-0001")
    key = visitor_values.visitor_key(site.pk, "buyer-0001", "values")
    assert redis_mode.exists(key)
    (handler,) = [h for h in personal_data_handlers() if h.name == "rule_visitor_values"]
    assert handler.category == "personalization"
    assert handler.erase(Subject(site_key=site.public_key, visitor_ids=("buyer-0001",))) == 1
    assert not redis_mode.exists(key)
    racer = visitor_values.visitor_key(site.pk, "racer", "values")

    def read_during_erasure():
        handler.erase(Subject(site_key=site.public_key, visitor_ids=("racer",)))
        return {"purchases": 3}

    visitor_values.visitor_values(site_id=site.pk, visitor_id="racer", read=read_during_erasure)
    assert redis_mode.exists(racer)  # stored after the erasure, but at a count it no longer holds:
    reads = []
    visitor_values.visitor_values(site_id=site.pk, visitor_id="racer", read=lambda: reads.append(1))
    assert reads == [1]


def test_visitors_read_at_the_same_moment_each_get_their_own_values(site):
    import threading

    for n in range(40):
        visitor_values.visitor_values(site_id=site.pk, visitor_id=f"v{n}", read=lambda n=n: {"purchases": n})
    visitor_values._prepared.items.clear()  # as another process reads them
    got, start = {}, threading.Barrier(40)

    def ask(n):
        start.wait()
        got[n] = visitor_values.visitor_values(site_id=site.pk, visitor_id=f"v{n}", read=lambda: pytest.fail("read"))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == {n: {"purchases": n} for n in range(40)}


def test_a_stored_second_purchase_moves_the_visitor_into_a_segment_and_its_rule_shows_next(
        site, django_capture_on_commit_callbacks):
    """The whole path: event stored → rule segment refreshed → the visitor's values marked stale → the slot."""
    from tests.segments.conftest import purchase

    Segment.objects.create(site=site, name="Loyal", slug="loyal", kind=Segment.Kind.RULE,
                           conditions={"all": [{"field": "purchases", "op": "gte", "value": 2}]})
    rule_make(site, {"all": [{"field": "segments", "op": "includes", "value": "loyal"}]}, html="<p>loyal</p>")
    with django_capture_on_commit_callbacks(execute=True):
        purchase(site, 1, visitor="shopper-0001")
    assert shown(site, "shopper-0001") is None  # now kept in Redis
    with django_capture_on_commit_callbacks(execute=True):
        purchase(site, 2, visitor="shopper-0001")
    assert shown(site, "shopper-0001") == "<p>loyal</p>"
