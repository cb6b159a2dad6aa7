"""Loading the demo content and the demo site."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from personalization.models import Site
from personalization.services.sites import site_create
from segments.models import ClusteringConfig, Segment

from . import content
from .models import Article, Category, Product

DEMO_SITE_NAME = "Attune demo"


@transaction.atomic
def demo_content_load() -> tuple[int, int]:
    """Create (or refresh) the demo categories, articles and products; returns their counts."""
    categories = {}
    for kind, names in ((Category.Kind.NEWS, content.NEWS_CATEGORIES), (Category.Kind.SHOP, content.SHOP_CATEGORIES)):
        for slug, name in names.items():
            categories[slug], _ = Category.objects.update_or_create(slug=slug, defaults={"name": name, "kind": kind})
    now = timezone.now()
    for item in content.articles():
        Article.objects.update_or_create(slug=item["slug"], defaults={
            "title": item["title"], "category": categories[item["category"]], "summary": item["summary"],
            "body": item["body"], "has_video": item["has_video"],
            "published_at": now - timedelta(hours=item["age_hours"]),
        })
    for item in content.products():
        Product.objects.update_or_create(slug=item["slug"], defaults={
            "name": item["name"], "category": categories[item["category"]], "description": item["description"],
            "price": item["price"], "sale_price": item["sale_price"],
        })
    return Article.objects.count(), Product.objects.count()


def demo_site_ensure() -> tuple[Site, str | None]:
    """The demo's site, created once; the write key is returned only when it was just created."""
    site = Site.objects.filter(name=DEMO_SITE_NAME).first()
    if site:
        return site, None
    keys = site_create(name=DEMO_SITE_NAME, origins=settings.ATTUNE["DEMO_ORIGINS"], goals=["newsletter_signup"])
    return keys.site, keys.write_key


def demo_site() -> Site | None:
    return Site.objects.filter(name=DEMO_SITE_NAME).first()


DEMO_RULE_SEGMENTS = (
    ("Loyal customers", "Bought at least twice.", {"all": [{"field": "purchases", "op": "gte", "value": 2}]}),
    ("News readers", "Mostly read articles, and read them through.",
     {"all": [{"field": "engaged_seconds_per_page", "op": "gte", "value": 45},
              {"field": "scroll_depth", "op": "gte", "value": 70}]}),
    ("Cart abandoners", "Left items in the cart at least once and have not bought since.",
     {"all": [{"field": "cart_abandonment", "op": "gt", "value": 0}, {"field": "cart_items", "op": "gt", "value": 0}]}),
)


def demo_segments_ensure(site: Site) -> None:
    """The demo's clustering configuration (clustered hourly and by demo_setup) and its rule segments."""
    ClusteringConfig.objects.get_or_create(site=site, name="Behavior")
    for name, description, conditions in DEMO_RULE_SEGMENTS:
        Segment.objects.get_or_create(site=site, slug=slugify(name), defaults={
            "name": name, "kind": Segment.Kind.RULE, "description": description, "conditions": conditions})
