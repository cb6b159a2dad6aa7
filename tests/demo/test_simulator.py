"""The traffic simulator: reproducible for a seed, through the collector's checks, labels kept apart."""

from collections import defaultdict
from datetime import UTC, datetime
from statistics import mean

import pytest

from consent.models import ConsentRecord
from demo.models import SimulatedVisitor
from demo.services import demo_content_load, demo_site_ensure
from demo.simulator.run import traffic_simulate
from personalization.models import Event, Profile, Session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
END = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture
def demo_site():
    demo_content_load()
    return demo_site_ensure()[0]


def simulate(site, *, visitors=40, seed=5):
    return traffic_simulate(site=site, visitors=visitors, days=14, seed=seed, end=END, progress=False)


def event_snapshot():
    return sorted(Event.objects.values_list("event_id", "visitor_id", "type", "name", "ts", "path", "props"), key=str)


def test_the_same_seed_gives_the_same_events(demo_site):
    simulate(demo_site)
    first = event_snapshot()
    assert len(first) > 1000
    for model in (Event, Session, Profile, SimulatedVisitor, ConsentRecord):
        model.objects.all().delete()
    simulate(demo_site)
    assert event_snapshot() == first


def test_a_different_seed_gives_different_visitors(demo_site):
    simulate(demo_site, visitors=10, seed=1)
    first = set(SimulatedVisitor.objects.values_list("visitor_id", flat=True))
    simulate(demo_site, visitors=10, seed=2)
    assert first.isdisjoint(set(SimulatedVisitor.objects.values_list("visitor_id", flat=True)) - first)


def test_running_it_twice_adds_nothing(demo_site):
    simulate(demo_site, visitors=15)
    counts = (Event.objects.count(), Session.objects.count(), ConsentRecord.objects.count())
    result = simulate(demo_site, visitors=15)
    assert result.skipped == 15
    assert (Event.objects.count(), Session.objects.count(), ConsentRecord.objects.count()) == counts


def test_visitors_who_refuse_consent_send_nothing_and_the_rest_have_consent_records(demo_site):
    simulate(demo_site, visitors=60)
    refused = set(SimulatedVisitor.objects.filter(consented="").values_list("visitor_id", flat=True))
    assert refused, "the seed should include some visitors who refuse"
    assert not Event.objects.filter(visitor_id__in=refused).exists()
    tracked = set(Event.objects.values_list("visitor_id", flat=True))
    assert tracked <= set(ConsentRecord.objects.values_list("visitor_id", flat=True))


def test_archetypes_behave_as_their_names_say(demo_site):
    simulate(demo_site, visitors=160, seed=9)
    label = dict(SimulatedVisitor.objects.values_list("visitor_id", "archetype"))
    by_archetype = defaultdict(list)
    for profile in Profile.objects.prefetch_related("visitors"):
        by_archetype[label[profile.visitors.all()[0].visitor_id]].append(profile)

    def average(archetype, value):
        return mean(value(p) for p in by_archetype[archetype])

    engaged_per_view = lambda p: p.engaged_ms / max(1, p.pageviews)  # noqa: E731
    assert average("news_reader", engaged_per_view) > 3 * average("browse_only", engaged_per_view)
    assert average("news_reader", lambda p: p.scroll_sum / max(1, p.scrolled_pages)) > 80
    assert average("browse_only", lambda p: p.scroll_sum / max(1, p.scrolled_pages)) < 50
    assert average("loyal_customer", lambda p: p.sessions) > average("browse_only", lambda p: p.sessions) * 3
    assert average("loyal_customer", lambda p: p.goal_counts.get("purchase", 0)) > 1
    assert average("browse_only", lambda p: p.conversions) == 0
    assert average("bargain_hunter", lambda p: p.event_counts.get("add_to_cart", 0)) > 1
    sale_views = Event.objects.filter(type="page_view", path="/shop/sale/").values_list("visitor_id", flat=True)
    assert sum(label[v] == "bargain_hunter" for v in sale_views) > len(sale_views) / 2


def test_ground_truth_labels_are_written_to_a_file_when_asked(demo_site, tmp_path):
    path = tmp_path / "labels.csv"
    traffic_simulate(site=demo_site, visitors=5, days=7, seed=3, end=END, progress=False, labels_path=str(path))
    lines = path.read_text().splitlines()
    assert lines[0] == "visitor_id,archetype"
    assert len(lines) == 6
