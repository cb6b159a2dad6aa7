"""The site overview's figures per day: visitors, sessions, engaged time, conversions, consent rates, and segment
sizes over time, from visits stored through the real write path."""

from datetime import UTC, datetime, time, timedelta

import pytest

from consent.services.choices import consent_record_create
from personalization.models import Session, Visitor
from personalization.services.sites import site_create
from rules.dashboard_filters import MAX_DAYS
from rules.overview import OverviewInvalid, segment_evolution, site_overview
from segments.models import Cluster, ClusteringConfig, ClusteringRun, Membership, MembershipChange, Segment

from ..conftest import ORIGIN
from .factories import profile_make
from .overview_factories import day_ago, visit

pytestmark = pytest.mark.django_db
LOYAL = {"all": [{"field": "purchases", "op": "gte", "value": 2}]}


@pytest.fixture
def traffic(site, django_capture_on_commit_callbacks):
    """Three days: alice comes on the first, and twice on the second buying each time; bob comes once on the second;
    a crawler (a bot) comes and buys on the second. Alice, having bought twice, is in the "loyal" segment."""
    Segment.objects.create(site=site, name="Loyal", slug="loyal", kind=Segment.Kind.RULE, conditions=LOYAL)
    with django_capture_on_commit_callbacks(execute=True):
        visit(site, "alice", day_ago(3), engaged_ms=30_000)
        visit(site, "alice", day_ago(2), hour=9, engaged_ms=60_000, revenue=10)
        visit(site, "alice", day_ago(2), hour=15, engaged_ms=60_000, revenue=5)
        visit(site, "bob", day_ago(2), engaged_ms=120_000)
        visit(site, "crawler", day_ago(2), revenue=99, bot=True)
    return site


def overview_of(site, segment_slug: str = ""):
    return site_overview(site_id=site.pk, since=day_ago(3), until=day_ago(1), segment_slug=segment_slug)


def test_each_day_counts_distinct_visitors_their_sessions_and_their_conversions(traffic):
    days = {figures.day: figures for figures in overview_of(traffic).days}
    assert list(days) == [day_ago(3), day_ago(2), day_ago(1)]
    busy = days[day_ago(2)]
    assert (busy.visitors, busy.sessions, busy.conversions, busy.revenue_cents) == (2, 3, 2, 1500)
    assert (busy.new_visitors, busy.returning_visitors) == (1, 1)  # bob is new; alice came the day before
    assert busy.engaged_minutes == 4.0 and busy.minutes_per_session == pytest.approx(4 / 3)
    assert (days[day_ago(3)].visitors, days[day_ago(3)].new_visitors, days[day_ago(3)].sessions) == (1, 1, 1)
    assert (days[day_ago(1)].visitors, days[day_ago(1)].sessions) == (0, 0)


def test_bots_are_stored_but_left_out_of_every_figure(traffic):
    assert Visitor.objects.get(site=traffic, visitor_id="crawler").is_bot
    assert Session.objects.filter(site=traffic, visitor_id="crawler").exists()
    totals = overview_of(traffic).totals
    assert (totals.visitors, totals.sessions, totals.conversions, totals.revenue_cents) == (2, 4, 2, 1500)


def test_the_period_counts_each_visitor_once_and_those_first_seen_in_it_as_new(traffic):
    totals = overview_of(traffic).totals
    assert (totals.visitors, totals.new_visitors, totals.returning_visitors) == (2, 2, 0)
    later = site_overview(site_id=traffic.pk, since=day_ago(2), until=day_ago(1)).totals
    assert (later.visitors, later.new_visitors, later.returning_visitors) == (2, 1, 1)


def test_a_segment_narrows_every_figure_to_its_members(traffic):
    assert Membership.objects.filter(segment__slug="loyal").count() == 1  # alice, placed at ingest
    loyal = {figures.day: figures for figures in overview_of(traffic, "loyal").days}
    assert (loyal[day_ago(2)].visitors, loyal[day_ago(2)].sessions, loyal[day_ago(2)].conversions) == (1, 2, 2)
    assert loyal[day_ago(3)].visitors == 1


def test_an_unknown_segment_is_refused_in_words(traffic):
    with pytest.raises(OverviewInvalid, match="no segment “nobody”"):
        overview_of(traffic, "nobody")


def at(day, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def test_consent_rates_are_the_share_of_each_days_choices_granting_each_category(site):
    other = site_create(name="Other shop", origins=[ORIGIN]).site
    choose = lambda visitor, day, granted, key=site.public_key: consent_record_create(  # noqa: E731
        site_key=key, visitor_id=visitor, granted=granted, source="banner", policy_version=0, at=at(day))
    choose("alice", day_ago(2), {"analytics", "personalization"})
    choose("bob", day_ago(2), {"analytics"})
    choose("alice", day_ago(1), set())
    choose("carol", day_ago(2), set(), key=other.public_key)  # another site's choice
    overview = overview_of(site)
    assert [key for key, _ in overview.categories] == ["necessary", "analytics", "personalization", "marketing"]
    busy, quiet, empty = overview.days[1], overview.days[2], overview.days[0]
    assert busy.consent_choices == 2
    assert [busy.consent_rate(key) for key in ("necessary", "analytics", "personalization", "marketing")] == [
        1.0, 1.0, 0.5, 0.0]
    assert (quiet.consent_rate("necessary"), quiet.consent_rate("analytics")) == (1.0, 0.0)
    assert empty.consent_rate("analytics") is None  # no choice that day: no rate, rather than 0 %
    assert overview.totals.consent_choices == 3 and overview.totals.consent_rate("analytics") == pytest.approx(2 / 3)


def test_a_segments_consent_rates_count_only_its_members_choices(traffic):
    for visitor, granted in (("alice", {"marketing"}), ("bob", set())):
        consent_record_create(site_key=traffic.public_key, visitor_id=visitor, granted=granted, source="banner",
                              policy_version=0, at=at(day_ago(2)))
    busy = overview_of(traffic, "loyal").days[1]
    assert (busy.consent_choices, busy.consent_rate("marketing")) == (1, 1.0)


@pytest.mark.parametrize(("since", "until", "message"), [
    (1, 3, "is after the end"),
    (MAX_DAYS + 1, 1, f"at most {MAX_DAYS} days"),
])
def test_a_range_backwards_or_too_long_is_refused_with_what_to_change(site, since, until, message):
    with pytest.raises(OverviewInvalid, match=message):
        site_overview(site_id=site.pk, since=day_ago(since), until=day_ago(until))


def test_segment_sizes_are_walked_back_from_today_through_who_entered_and_left(site):
    readers = Segment.objects.create(site=site, name="Readers", slug="readers", kind=Segment.Kind.RULE)
    p1, p2, p3 = (profile_make(site) for _ in range(3))
    Membership.objects.bulk_create([Membership(segment=readers, profile=p) for p in (p1, p2)])
    for profile, entered, day in ((p1, True, 3), (p3, True, 3), (p2, True, 2), (p3, False, 1)):
        MembershipChange.objects.create(segment=readers, profile=profile, entered=entered, at=at(day_ago(day)),
                                        reason="test")
    evolution = segment_evolution(site_id=site.pk, since=day_ago(4), until=day_ago(0))
    assert [segment.slug for segment in evolution.segments] == ["readers"]
    assert evolution.segments[0].sizes == (0, 2, 3, 2, 2)


def test_clustering_runs_are_marked_with_their_k_and_the_segments_they_created(site):
    config = ClusteringConfig.objects.create(site=site, name="Behavior")
    run = ClusteringRun.objects.create(config=config, status=ClusteringRun.Status.DONE, k=3,
                                       finished_at=at(day_ago(2)))
    ClusteringRun.objects.create(config=config, status=ClusteringRun.Status.FAILED, finished_at=at(day_ago(2)))
    browsers = Segment.objects.create(site=site, name="Browsers", slug="browsers", kind=Segment.Kind.CLUSTER,
                                      config=config)
    Cluster.objects.create(run=run, index=0, segment=browsers, is_new=True)
    evolution = segment_evolution(site_id=site.pk, since=day_ago(3), until=day_ago(1))
    assert [(marker.day, marker.k, marker.config, marker.new_segments) for marker in evolution.runs] == [
        (day_ago(2), 3, "Behavior", ("Browsers",))]
    assert evolution.segments[0].sizes == (0, 0, 0)


def test_a_retired_segment_without_members_in_the_period_is_left_out(site):
    Segment.objects.create(site=site, name="Gone", slug="gone", kind=Segment.Kind.CLUSTER, retired=True)
    evolution = segment_evolution(site_id=site.pk, since=day_ago(3) - timedelta(days=1), until=day_ago(1))
    assert evolution.segments == ()
