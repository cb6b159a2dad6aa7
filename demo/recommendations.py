"""The demo's catalogue as a source of related items for the rules' recommendations: the item keys rules computed
from visitors' paths (product slugs, article paths) turned into products and articles; until the hourly job has
run, products in the product page's category (on sale first) that the visitor has not bought, articles in the
article's category, the latest articles elsewhere."""

from django.urls import Resolver404, resolve

from personalization.selectors import profile_for_visitor
from rules.recommendations import Item, ItemsWanted, item_keys_recommended, items_bought

from .models import Article, Product


def demo_items(wanted: ItemsWanted) -> list[Item]:
    """The computed recommendations for the page and visitor; same-category items when none are computed yet."""
    keys = item_keys_recommended(site_id=wanted.site_id, page=wanted.page, visitor_id=wanted.visitor_id,
                                 limit=wanted.limit)
    return items_of_keys(keys) if keys else catalogue_items(wanted)


def items_of_keys(keys: list[str]) -> list[Item]:
    """The products (by slug) and articles (by path) the keys name, in the keys' order; unknown keys left out."""
    slugs = {key: article_slug(key) if key.startswith("/") else None for key in keys}
    products = Product.objects.select_related("category").in_bulk([k for k, s in slugs.items() if s is None],
                                                                   field_name="slug")
    articles = Article.objects.select_related("category").in_bulk([s for s in slugs.values() if s],
                                                                   field_name="slug")
    items = []
    for key, slug in slugs.items():
        if slug is None and key in products:
            items.append(Item(products[key].name, products[key].get_absolute_url(),
                              note=f"€{products[key].current_price}"))
        elif slug in articles:
            article = articles[slug]
            items.append(Item(article.title, article.get_absolute_url(), note=article.category.name))
    return items


def article_slug(path: str) -> str:
    """The slug of the article at `path` ("" when the path is no article's)."""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return match.kwargs.get("slug", "") if match.view_name == "demo:article" else ""


def catalogue_items(wanted: ItemsWanted) -> list[Item]:
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
    return items_bought(profile=profile)
