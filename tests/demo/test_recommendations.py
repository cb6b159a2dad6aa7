"""The demo's related products come from visitors' paths, ranked for each visitor by what they read and bought."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from demo.models import Product
from demo.rules_seed import demo_rules_ensure
from demo.services import demo_content_load, demo_site_ensure
from personalization.models import Event
from rules.tasks import item_neighbours_refresh

from ..conftest import consent_token
from ..rules.factories import profile_make, rules_shown_to_everyone

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    demo_content_load()
    site = demo_site_ensure()[0]
    demo_rules_ensure(site)
    rules_shown_to_everyone()
    return site


@pytest.fixture
def trio(demo):
    """A product often viewed with one of its own category and, as often, with one of another category."""
    product = Product.objects.select_related("category").order_by("slug").first()
    same = Product.objects.filter(category=product.category).exclude(pk=product.pk).order_by("slug").last()
    other = Product.objects.select_related("category").exclude(category=product.category).order_by("slug").first()
    start = timezone.now() - timedelta(days=2)
    events = []
    for n, companion in enumerate([same, other] * 5):
        for i, item in enumerate([product, companion]):
            at = start + timedelta(hours=n, minutes=i)
            events.append(Event(site=demo, event_id=uuid.uuid4(), visitor_id=f"sim-{n}", type="page_view", ts=at,
                                received_at=at, path=item.get_absolute_url(), category=item.category.slug,
                                consent="analytics", props={"page_type": "product", "product": item.slug}))
    Event.objects.bulk_create(events)
    item_neighbours_refresh.apply()
    return product, same, other


def related_shown(product, profile) -> list[Product]:
    """The products the sidebar holds for the visitor of `profile` on `product`'s page, in the order shown."""
    client = Client()
    client.cookies["attune_consent"] = consent_token(profile.origin_visitor_id, "necessary", "personalization")
    page = client.get(product.get_absolute_url()).content.decode()
    held = page.split('data-attune-slot="product_sidebar"')[1].split("<template")[1].split("</template>")[0]
    shown = [p for p in Product.objects.all() if p.get_absolute_url() in held]
    return sorted(shown, key=lambda p: held.index(p.get_absolute_url()))


def test_visitors_who_read_different_categories_see_the_co_viewed_products_in_a_different_order(demo, trio):
    product, same, other = trio
    of_its_kind = related_shown(product, profile_make(demo, category_views={product.category.slug: 30}))
    of_the_other = related_shown(product, profile_make(demo, category_views={other.category.slug: 30}))
    assert of_its_kind[:2] == [same, other]
    assert of_the_other[:2] == [other, same]
    assert product not in of_its_kind + of_the_other


def test_a_visitor_who_bought_the_co_viewed_product_is_shown_the_others(demo, trio):
    product, same, other = trio
    buyer = profile_make(demo, category_views={product.category.slug: 30})
    now = timezone.now()
    Event.objects.create(site=demo, event_id=uuid.uuid4(), visitor_id=buyer.origin_visitor_id, type="track",
                         name="purchase", ts=now, received_at=now, props={"products": [same.slug]})
    shown = related_shown(product, buyer)
    assert same not in shown
    assert shown[0] == other
