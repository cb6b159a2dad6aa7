"""Loading the demo content and the demo site."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from personalization.models import Site
from personalization.services.sites import site_create

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
