"""Closing sessions: a session that changed the cart and ended with items in it is abandoned."""

import uuid
from datetime import timedelta

import pytest

from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.write import batches_write
from personalization.models import Session
from personalization.services.sessions import sessions_close_idle

from .activities import BASE_MS, MINUTE

pytestmark = pytest.mark.django_db
HOUR = 60 * MINUTE


def store(site, visitor_id, *events):
    """Store events (minute, name, quantity) of one visitor through the write path, as the collector does."""
    collected = []
    for minute, name, quantity in events:
        if name == "page_view":
            collected.append(CollectedEvent(str(uuid.uuid4()), "page_view", "", BASE_MS + minute * MINUTE, 0,
                                            "https://shop.example/", "/", "", f"pv-{minute}", "", {}, {}, "analytics"))
        else:
            collected.append(CollectedEvent(str(uuid.uuid4()), "track", name, BASE_MS + minute * MINUTE, 0, "", "", "",
                                            "", "", {"quantity": quantity, "price": 10}, {}, "analytics"))
    batches_write([CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=BASE_MS, visitor_id=visitor_id,
                                  consent="analytics,necessary", events=collected)])


def abandoned_by_start(site) -> list[bool]:
    """Close every session, then say which were abandoned, in the order they started."""
    from personalization.ingest.activity import ms_to_datetime

    sessions_close_idle(now=ms_to_datetime(BASE_MS) + timedelta(days=30))
    return list(Session.objects.filter(site=site).order_by("started_at").values_list("abandoned", flat=True))


def test_a_session_that_added_items_and_left_without_buying_is_abandoned(site):
    store(site, "visitor-aaaa", (0, "page_view", 0), (1, "add_to_cart", 2))
    assert abandoned_by_start(site) == [True]


def test_a_session_that_bought_what_it_added_is_not_abandoned(site):
    store(site, "visitor-aaaa", (0, "add_to_cart", 2), (5, "purchase", 1))
    assert abandoned_by_start(site) == [False]


def test_a_session_that_swapped_one_item_for_another_with_the_cart_still_full_is_abandoned(site):
    store(site, "visitor-aaaa", (0, "add_to_cart", 2), (3 * 60, "remove_from_cart", 1), (3 * 60 + 1, "add_to_cart", 1))
    assert abandoned_by_start(site) == [True, True]


def test_a_later_session_that_only_browses_does_not_abandon_the_old_cart_again(site):
    store(site, "visitor-aaaa", (0, "add_to_cart", 2), (3 * 60, "page_view", 0))
    assert abandoned_by_start(site) == [True, False]


def test_a_session_that_emptied_the_cart_is_not_abandoned(site):
    store(site, "visitor-aaaa", (0, "add_to_cart", 1), (3 * 60, "remove_from_cart", 1))
    assert abandoned_by_start(site) == [True, False]


def test_the_cart_is_the_persons_across_devices_as_it_stood_when_the_session_ended(site):
    """Bought on the phone after the laptop session ended: the laptop session was still abandoned when it ended."""
    store(site, "laptop-visitor", (0, "add_to_cart", 1))
    store(site, "phone-visitor", (3 * 60, "add_to_cart", 1), (3 * 60 + 2, "purchase", 1))
    batches_write([identify_batch(site, "laptop-visitor", minute=0), identify_batch(site, "phone-visitor", minute=3 * 60)])
    assert abandoned_by_start(site) == [True, False]


def identify_batch(site, visitor_id, *, minute):
    """The visitor logs in as user-1 (the write path stores user keys as the collector hands them over)."""
    login = CollectedEvent(str(uuid.uuid4()), "identify", "", BASE_MS + minute * MINUTE, 0, "", "", "", "", "", {}, {},
                           "analytics", user_key="user-1")
    return CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=BASE_MS, visitor_id=visitor_id,
                          consent="analytics,necessary", events=[login])
