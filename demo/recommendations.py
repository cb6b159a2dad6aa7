"""The demo's catalogue as a source of related items for the rules' recommendations: products in the product page's
category (on sale first) that the visitor has not bought, articles in the article's category, the latest articles
elsewhere."""

from personalization.selectors import events_for_profile, profile_for_visitor
from rules.recommendations import Item, ItemsWanted

from .models import Article, Product


def demo_items(wanted: ItemsWanted) -> list[Item]:
    """Same-category items for product and article pages; the latest articles on other pages."""
    page = wanted.page
    if page.page_type == "product":
        products = Product.objects.select_related("category").order_by("sale_price", "name")
        if page.category:
            products = products.filter(category__slug=page.category)
        products = products.exclude(slug__in=bought(site_id=wanted.site_id, visitor_id=wanted.visitor_id))
        return [Item(p.name, p.get_absolute_url(), note=f"€{p.current_price}") for p in products[:wanted.limit + 1]]
    articles = Article.objects.select_related("category").order_by("-published_at")
    if page.page_type == "article" and page.category:
        articles = articles.filter(category__slug=page.category)
    return [Item(a.title, a.get_absolute_url(), note=a.category.name) for a in articles[:wanted.limit + 1]]


def bought(*, site_id: int, visitor_id: str) -> set[str]:
    """The products the visitor's purchases named (checkout sends their slugs), on any of their devices."""
    profile = profile_for_visitor(site_id=site_id, visitor_id=visitor_id) if visitor_id else None
    if profile is None:
        return set()
    tracked = events_for_profile(profile_id=profile.pk, types=["track"], limit=200)
    return {slug for event in tracked if event.name == "purchase"
            for slug in event.props.get("products", []) if isinstance(slug, str)}
