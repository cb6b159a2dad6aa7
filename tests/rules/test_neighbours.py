"""The hourly item-neighbours job on a small stored event set, and the recommendations read from what it stores."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from personalization.decisions import PageContext
from personalization.models import Event, Profile, Visitor
from rules.models import ItemNeighbours
from rules.neighbours import neighbours_compute
from rules.recommendations import item_keys_recommended
from rules.tasks import item_neighbours_refresh

from .factories import profile_make

pytestmark = pytest.mark.django_db
CATEGORY = {"boots": "shoes", "laces": "shoes", "sandals": "shoes", "clogs": "shoes", "scarf": "winter"}


def product_view(site, visitor: str, product: str, at) -> Event:
    return Event(site=site, event_id=uuid.uuid4(), visitor_id=visitor, type="page_view", ts=at, received_at=at,
                 path=f"/shop/p/{product}/", category=CATEGORY[product], consent="analytics",
                 props={"page_type": "product", "product": product})


def page_view(site, visitor: str, page_type: str, path: str, at) -> Event:
    return Event(site=site, event_id=uuid.uuid4(), visitor_id=visitor, type="page_view", ts=at, received_at=at,
                 path=path, consent="analytics", props={"page_type": page_type})


def sessions_store(site, paths: list[list[str]], *, start=None) -> None:
    """One visitor per path, each viewing the path's products a minute apart (or page types: 'type:home')."""
    start = start or timezone.now() - timedelta(days=1)
    events = []
    for n, products in enumerate(paths):
        for i, product in enumerate(products):
            at = start + timedelta(minutes=5 * n + i)
            if product.startswith("type:"):
                events.append(page_view(site, f"v{n}", product[5:], "/" if product == "type:home" else "/x/", at))
            else:
                events.append(product_view(site, f"v{n}", product, at))
    Event.objects.bulk_create(events)


def product_page(product: str) -> PageContext:
    return PageContext(path=f"/shop/p/{product}/", page_type="product", category=CATEGORY[product])


def test_a_product_viewed_with_another_in_many_sessions_becomes_its_first_neighbour(site):
    sessions_store(site, [["boots", "laces"]] * 6 + [["boots", "sandals"]] + [["scarf"]])
    assert item_neighbours_refresh.apply().get() > 0
    boots = ItemNeighbours.objects.get(site=site, item="boots")
    assert boots.related[0][0] == "laces"
    assert boots.sessions == 7
    assert item_keys_recommended(site_id=site.pk, page=product_page("boots"), visitor_id="", limit=2) == [
        "laces", "sandals"]


def test_running_the_job_again_gives_the_same_rows(site):
    sessions_store(site, [["boots", "laces"]] * 3 + [["boots", "sandals", "laces"]])
    neighbours_compute(site_id=site.pk)
    first = sorted(ItemNeighbours.objects.values_list("item", "sessions", "related", "following"))
    neighbours_compute(site_id=site.pk)
    assert sorted(ItemNeighbours.objects.values_list("item", "sessions", "related", "following")) == first


def test_reading_in_small_chunks_finds_the_same_sessions_as_reading_at_once(site):
    sessions_store(site, [["boots", "laces", "sandals"], ["laces", "clogs"], ["boots", "clogs"]] * 3)
    neighbours_compute(site_id=site.pk, chunk_size=2)
    small = sorted(ItemNeighbours.objects.values_list("item", "sessions", "related", "following"))
    neighbours_compute(site_id=site.pk, chunk_size=5000)
    assert sorted(ItemNeighbours.objects.values_list("item", "sessions", "related", "following")) == small


def test_items_the_visitor_bought_are_left_out(site):
    sessions_store(site, [["boots", "laces"]] * 5 + [["boots", "sandals"]] * 2)
    neighbours_compute(site_id=site.pk)
    profile_make(site, visitor_id="buyer")
    Event.objects.create(site=site, event_id=uuid.uuid4(), visitor_id="buyer", type="track", name="purchase",
                         ts=timezone.now(), received_at=timezone.now(), consent="analytics",
                         props={"revenue": 20, "products": ["laces"]})
    keys = item_keys_recommended(site_id=site.pk, page=product_page("boots"), visitor_id="buyer", limit=4)
    assert "laces" not in keys
    assert keys[0] == "sandals"


def test_a_product_nobody_viewed_with_others_falls_back_to_the_popular_ones_of_its_category(site):
    sessions_store(site, [["sandals"]] * 4 + [["laces"]] * 2 + [["clogs"]] + [["scarf"]] * 9)
    neighbours_compute(site_id=site.pk)
    keys = item_keys_recommended(site_id=site.pk, page=product_page("clogs"), visitor_id="", limit=3)
    assert keys == ["sandals", "laces"]  # the page's own product and the other category's scarf left out


def test_the_home_page_recommends_what_visitors_open_next_from_it(site):
    sessions_store(site, [["type:home", "scarf"]] * 3 + [["type:home", "boots"]] + [["boots", "laces"]] * 5)
    neighbours_compute(site_id=site.pk)
    keys = item_keys_recommended(site_id=site.pk, page=PageContext(path="/", page_type="home"), visitor_id="",
                                 limit=2)
    assert keys == ["scarf", "boots"]


def test_views_older_than_the_history_window_are_not_counted(site):
    sessions_store(site, [["boots", "laces"]] * 3, start=timezone.now() - timedelta(days=200))
    sessions_store(site, [["boots", "sandals"]])
    neighbours_compute(site_id=site.pk, days=90)
    assert ItemNeighbours.objects.get(site=site, item="boots").related == [["sandals", 1.0]]


def test_a_bots_page_views_make_no_neighbours(site):
    sessions_store(site, [["boots", "laces"], ["boots", "sandals"], ["boots", "sandals"], ["boots", "sandals"]])
    profile = Profile.objects.create(site=site, origin_visitor_id="v0")
    Visitor.objects.create(site=site, visitor_id="v0", profile=profile, is_bot=True)
    neighbours_compute(site_id=site.pk)
    assert ItemNeighbours.objects.get(site=site, item="boots").related == [["sandals", 1.0]]
    assert not ItemNeighbours.objects.filter(site=site, item="laces").exists()


def test_the_beat_schedule_refreshes_item_neighbours_every_hour(site, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-item-neighbours"]
    assert entry["schedule"] == timedelta(hours=1)
    sessions_store(site, [["boots", "laces"]] * 2)
    settings.CELERY_BEAT_SCHEDULE = {"refresh-item-neighbours": entry}
    call_command("run_scheduled_jobs")  # what demo_setup runs after simulating traffic
    assert ItemNeighbours.objects.get(site=site, item="laces").related == [["boots", 1.0]]


def test_an_exploring_list_gives_its_last_place_to_a_popular_item_of_another_category(site, attune_settings):
    sessions_store(site, [["boots", "laces"]] * 5 + [["boots", "sandals"]] * 3 + [["scarf"]] * 9)
    neighbours_compute(site_id=site.pk)
    profile_make(site, visitor_id="shoe-lover", category_views={"shoes": 9})
    attune_settings(EXPLORATION_SHARE=0.0)
    assert item_keys_recommended(site_id=site.pk, page=product_page("boots"), visitor_id="shoe-lover",
                                 limit=2) == ["laces", "sandals"]
    attune_settings(EXPLORATION_SHARE=1.0)
    assert item_keys_recommended(site_id=site.pk, page=product_page("boots"), visitor_id="shoe-lover",
                                 limit=2) == ["laces", "scarf"]


def test_about_the_configured_share_of_visitors_explore_and_each_always_the_same_way(attune_settings):
    from rules.recommendations import exploring

    attune_settings(EXPLORATION_SHARE=0.1)
    page = product_page("boots")
    explorers = [exploring(visitor_id=f"visitor-{n:05d}", page=page) for n in range(5000)]
    assert 0.08 < sum(explorers) / 5000 < 0.12
    assert explorers == [exploring(visitor_id=f"visitor-{n:05d}", page=page) for n in range(5000)]
    assert not exploring(visitor_id="", page=page)  # no visitor, no personalization to balance
