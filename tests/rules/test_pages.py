"""The demo's pages show each visitor the content their behaviour earns, and never another visitor's."""

import uuid

import pytest
from django.test import Client

from demo.models import Article, Product
from demo.rules_seed import demo_rules_ensure
from demo.services import demo_content_load, demo_segments_ensure, demo_site_ensure
from rules.models import Rule

from ..conftest import consent_token
from .factories import profile_make, rules_shown_to_everyone

pytestmark = pytest.mark.django_db
LOYALTY, POPUP, DEFAULT_HERO = "Welcome back, valued customer", "You left something in your cart", "News worth your"


@pytest.fixture
def demo():
    demo_content_load()
    site = demo_site_ensure()[0]
    demo_segments_ensure(site)
    demo_rules_ensure(site)
    rules_shown_to_everyone()
    return site


def visitor(profile, *categories: str) -> Client:
    client = Client()
    client.cookies["attune_consent"] = consent_token(profile.origin_visitor_id, "necessary", *categories)
    return client


@pytest.fixture
def loyal(demo):
    return visitor(profile_make(demo, segments=("loyal-customers",), goal_counts={"purchase": 3}), "personalization")


@pytest.fixture
def abandoner(demo):
    return visitor(profile_make(demo, cart_items=2, cart_value_cents=5_000, abandoned_sessions=1), "personalization")


def test_a_loyal_customer_and_a_cart_abandoner_see_different_home_pages(loyal, abandoner):
    mine = loyal.get("/").content.decode()
    theirs = abandoner.get("/").content.decode()
    assert LOYALTY in mine and "LOYAL15" in mine and POPUP not in mine
    assert POPUP in theirs and "COMEBACK5" in theirs and LOYALTY not in theirs and DEFAULT_HERO in theirs


def test_the_come_back_popup_shows_on_the_next_visit_and_not_twice(abandoner):
    assert POPUP in abandoner.get("/").content.decode()
    assert POPUP not in abandoner.get("/news/").content.decode()


def test_without_personalization_consent_every_slot_shows_its_default(demo):
    refused = visitor(profile_make(demo, segments=("loyal-customers",), cart_items=2, abandoned_sessions=1),
                      "analytics")
    page = refused.get("/").content.decode()
    assert DEFAULT_HERO in page and LOYALTY not in page and POPUP not in page and "data-attune-ref" not in page


def test_a_product_page_holds_related_products_until_three_minutes_of_attention(demo, loyal):
    product = Product.objects.select_related("category").first()
    page = loyal.get(product.get_absolute_url()).content.decode()
    waiting = page.split('data-attune-slot="product_sidebar"')[1].split("</aside>")[0]
    assert "You might also like" in waiting.split("<template")[0]  # the default shows meanwhile
    assert "engaged_on_page" in waiting and "Picked for you" in waiting.split("<template")[1]
    assert "revenue" not in waiting and "purchase" not in waiting  # nothing of the profile reaches the page


def test_a_news_reader_gets_articles_picked_for_readers(demo):
    reader = visitor(profile_make(demo, segments=("news-readers",)), "personalization")
    article = Article.objects.select_related("category").first()
    page = reader.get(article.get_absolute_url()).content.decode()
    assert "Picked for readers like you" in page
    others = Article.objects.filter(category=article.category).exclude(pk=article.pk)
    assert any(other.get_absolute_url() in page for other in others)


CACHED = {"CACHE_MIDDLEWARE_SECONDS": 300, "CACHE_MIDDLEWARE_KEY_PREFIX": "pages"}


def cache_middleware(settings) -> None:
    settings.MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    for name, value in CACHED.items():
        setattr(settings, name, value)


def test_behind_the_page_cache_two_visitors_never_get_each_others_content(settings, loyal, abandoner):
    cache_middleware(settings)
    first = loyal.get("/")
    assert "private" in first["Cache-Control"] and LOYALTY in first.content.decode()
    second = abandoner.get("/").content.decode()
    assert LOYALTY not in second and POPUP in second
    assert LOYALTY in loyal.get("/").content.decode()


def test_pages_with_slots_tell_shared_caches_to_keep_out_and_other_pages_do_not(loyal):
    assert "private" in loyal.get("/").get("Cache-Control", "")  # a CDN ignoring Vary: Cookie stores it not
    assert "private" not in loyal.get("/privacy/").get("Cache-Control", "")


def held_products(client, product) -> str:
    page = client.get(product.get_absolute_url()).content.decode()
    return page.split('data-attune-slot="product_sidebar"')[1].split("<template")[1].split("</template>")[0]


def test_related_products_leave_out_what_the_visitor_bought(demo):
    from django.utils import timezone

    from personalization.models import Event

    product = Product.objects.select_related("category").first()
    profile = profile_make(demo)
    client = visitor(profile, "personalization")
    before = held_products(client, product)
    shown = [p for p in Product.objects.filter(category=product.category) if p.get_absolute_url() in before]
    now = timezone.now()
    Event.objects.create(site=demo, event_id=uuid.uuid4(), visitor_id=profile.origin_visitor_id, type="track",
                         name="purchase", ts=now, received_at=now, props={"products": [shown[0].slug]})
    after = held_products(client, product)
    assert shown[0].get_absolute_url() not in after
    assert all(p.get_absolute_url() in after for p in shown[1:])


def test_the_demo_rules_are_seeded_once_and_all_usable(demo):
    from rules.compiled import site_rules

    demo_rules_ensure(demo)
    compiled = site_rules(demo.pk)
    assert Rule.objects.filter(site=demo).count() == 5 and not compiled.skipped
    assert sorted(compiled.by_slot) == ["article_recommendations", "home_hero", "offer_banner", "popup",
                                        "product_sidebar"]


def test_a_loyal_customer_in_the_rules_control_group_sees_the_default_hero_reported_under_the_rule(demo):
    from rules.assignment import bucket

    rule = Rule.objects.get(site=demo, slot="home_hero")
    Rule.objects.filter(pk=rule.pk).update(control_share=0.5)
    held_back = next(f"visitor-held-{n:04d}" for n in range(1000)
                     if bucket(visitor_id=f"visitor-held-{n:04d}", salt=f"rule:{rule.pk}") < 0.5)
    page = visitor(profile_make(demo, visitor_id=held_back, segments=("loyal-customers",),
                                goal_counts={"purchase": 3}), "personalization").get("/").content.decode()
    assert DEFAULT_HERO in page and LOYALTY not in page
    assert f'data-attune-slot="home_hero" data-attune-ref="rule:{rule.pk}:control"' in page
