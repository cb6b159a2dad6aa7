"""The demo's catalogue as a source of related items for the rules' recommendations: products in the product page's
category (on sale first), articles in the article's category, the latest articles elsewhere."""

from rules.recommendations import Item, ItemsWanted

from .models import Article, Product


def demo_items(wanted: ItemsWanted) -> list[Item]:
    """Same-category items for product and article pages; the latest articles on other pages."""
    page = wanted.page
    if page.page_type == "product":
        products = Product.objects.select_related("category").order_by("sale_price", "name")
        if page.category:
            products = products.filter(category__slug=page.category)
        return [Item(p.name, p.get_absolute_url(), note=f"€{p.current_price}") for p in products[:wanted.limit + 1]]
    articles = Article.objects.select_related("category").order_by("-published_at")
    if page.page_type == "article" and page.category:
        articles = articles.filter(category__slug=page.category)
    return [Item(a.title, a.get_absolute_url(), note=a.category.name) for a in articles[:wanted.limit + 1]]
