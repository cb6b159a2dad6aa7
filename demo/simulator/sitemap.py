"""What the simulator can visit: the demo site's pages, read once from the database."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    path: str
    page_type: str
    category: str = ""
    product: str = ""
    price: float = 0.0
    has_video: bool = False
    sections: int = 0


@dataclass
class SiteMap:
    origin: str
    home: Page
    sale: Page
    cart: Page
    checkout: Page
    articles: dict[str, list[Page]] = field(default_factory=dict)
    news_lists: dict[str, Page] = field(default_factory=dict)
    products: dict[str, list[Page]] = field(default_factory=dict)
    shop_lists: dict[str, Page] = field(default_factory=dict)


def sitemap_from_database(origin: str) -> SiteMap:
    from django.urls import reverse

    from demo.models import Article, Category, Product

    site = SiteMap(
        origin=origin,
        home=Page(reverse("demo:home"), "home"),
        sale=Page(reverse("demo:sale"), "sale"),
        cart=Page(reverse("demo:cart"), "cart"),
        checkout=Page(reverse("demo:checkout"), "checkout"),
    )
    for category in Category.objects.all():
        if category.kind == Category.Kind.NEWS:
            site.news_lists[category.slug] = Page(reverse("demo:news_category", args=[category.slug]), "article_list",
                                                  category.slug)
        else:
            site.shop_lists[category.slug] = Page(reverse("demo:shop_category", args=[category.slug]), "product_list",
                                                  category.slug)
    for article in Article.objects.select_related("category").order_by("slug"):
        site.articles.setdefault(article.category.slug, []).append(Page(
            article.get_absolute_url(), "article", article.category.slug, has_video=article.has_video,
            sections=len(article.body)))
    for product in Product.objects.select_related("category").order_by("slug"):
        site.products.setdefault(product.category.slug, []).append(Page(
            product.get_absolute_url(), "product", product.category.slug, product=product.slug,
            price=float(product.current_price)))
    return site
