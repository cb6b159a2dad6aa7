"""events_stored: once per committed chunk and site, with every profile whose figures changed, in both modes."""

import pytest
from django.db import transaction

from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.drain import stream_drain
from personalization.ingest.write import batches_write
from personalization.models import Profile
from personalization.signals import events_stored

from ..conftest import make_event, now_ms
from .test_pipeline_redis import post


@pytest.fixture
def announced():
    calls = []

    def receiver(sender, site_id, profile_ids, **kwargs):
        calls.append((site_id, profile_ids))

    events_stored.connect(receiver)
    yield calls
    events_stored.disconnect(receiver)


@pytest.mark.django_db(transaction=True)
def test_the_embedded_collector_announces_the_profile_of_each_batch_it_stores(client, site, embedded_mode, announced):
    for visitor in ("visitor-0001", "visitor-0002"):
        assert post(client, site, [make_event(), make_event("click")], visitor=visitor).status_code == 200
    profiles = dict(Profile.objects.values_list("origin_visitor_id", "pk"))
    assert announced == [(site.pk, frozenset({profiles["visitor-0001"]})),
                         (site.pk, frozenset({profiles["visitor-0002"]}))]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_drain_announces_each_changed_profile_once_per_chunk(client, site, redis_mode, announced):
    for visitor in ("visitor-0001", "visitor-0002", "visitor-0001"):
        assert post(client, site, [make_event(), make_event("click")], visitor=visitor).status_code == 202
    stats = stream_drain(consumer="test", max_seconds=5, until_empty=True)
    assert stats.stored == 6
    assert announced == [(site.pk, frozenset(Profile.objects.values_list("pk", flat=True)))]
    assert Profile.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_chunk_rolled_back_announces_nothing(site, announced):
    event = CollectedEvent("0193a1b2-c3d4-7e5f-a000-000000000001", "page_view", "", now_ms(), 0, "https://s.example/",
                           "/", "", "pv-1", "", {}, {}, "analytics")
    batch = CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=now_ms(), visitor_id="visitor-0003",
                           consent="analytics,necessary", events=[event])
    with pytest.raises(RuntimeError), transaction.atomic():
        batches_write([batch])
        raise RuntimeError("the chunk fails after the write")
    assert announced == []
    assert not Profile.objects.exists()
    batches_write([batch])
    assert announced == [(site.pk, frozenset(Profile.objects.values_list("pk", flat=True)))]
