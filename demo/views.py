"""Demo pages. Each page declares its type, category and product in <meta name="attune:..."> tags."""

import secrets

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import cart
from .forms import CheckoutForm
from .models import Article, Category, Order, Product
from .tracking import server_track

SORTS = {"price": "price", "-price": "-price", "name": "name"}


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/home.html", {
        "page_type": "home",
        "articles": Article.objects.select_related("category")[:6],
        "products": Product.objects.select_related("category").order_by("sale_price", "name")[:4],
    })


def news(request: HttpRequest, category: str | None = None) -> HttpResponse:
    articles = Article.objects.select_related("category")
    chosen = None
    if category:
        chosen = get_object_or_404(Category, slug=category, kind=Category.Kind.NEWS)
        articles = articles.filter(category=chosen)
    return render(request, "demo/news.html", {
        "page_type": "article_list", "category": chosen, "articles": articles,
        "categories": Category.objects.filter(kind=Category.Kind.NEWS),
    })


def article(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(Article.objects.select_related("category"), slug=slug)
    related = Article.objects.filter(category=item.category).exclude(pk=item.pk)[:3]
    return render(request, "demo/article.html", {
        "page_type": "article", "category": item.category, "article": item, "related": related,
    })


def shop(request: HttpRequest, category: str | None = None, sale: bool = False) -> HttpResponse:
    products = Product.objects.select_related("category")
    chosen = None
    if category:
        chosen = get_object_or_404(Category, slug=category, kind=Category.Kind.SHOP)
        products = products.filter(category=chosen)
    if sale:
        products = products.filter(~Q(sale_price=None))
    sort = request.GET.get("sort", "name")
    products = sorted(products, key=lambda p: p.current_price) if sort in {"price", "-price"} else products
    if sort == "-price":
        products = list(reversed(products))
    return render(request, "demo/shop.html", {
        "page_type": "sale" if sale else "product_list", "category": chosen, "products": products, "sort": sort,
        "sale": sale, "categories": Category.objects.filter(kind=Category.Kind.SHOP),
    })


def product(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(Product.objects.select_related("category"), slug=slug)
    related = Product.objects.filter(category=item.category).exclude(pk=item.pk)[:4]
    return render(request, "demo/product.html", {
        "page_type": "product", "category": item.category, "product": item, "related": related,
    })


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    item = get_object_or_404(Product, pk=request.POST.get("product", "0") or "0")
    try:
        quantity = max(1, min(10, int(request.POST.get("quantity", "1"))))
    except ValueError:
        quantity = 1
    cart.cart_add(request, product=item, quantity=quantity)
    return redirect("demo:cart")


@require_POST
def cart_remove(request: HttpRequest) -> HttpResponse:
    item = get_object_or_404(Product, pk=request.POST.get("product", "0") or "0")
    cart.cart_remove(request, product=item)
    return redirect("demo:cart")


def cart_view(request: HttpRequest) -> HttpResponse:
    items = cart.cart_items(request)
    return render(request, "demo/cart.html", {"page_type": "cart", "items": items, "total": cart.cart_total(items)})


def checkout(request: HttpRequest) -> HttpResponse:
    items = cart.cart_items(request)
    if not items:
        return redirect("demo:cart")
    form = CheckoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        total = cart.cart_total(items)
        order = Order.objects.create(
            number=secrets.token_hex(4).upper(), email=form.cleaned_data["email"], total=total,
            items=[{"product": i["product"].slug, "name": i["product"].name, "quantity": i["quantity"],
                    "price": str(i["product"].current_price)} for i in items],
        )
        cart.cart_clear(request)
        server_track(request, "purchase", {"order": order.number, "revenue": float(total),
                                           "items": sum(i["quantity"] for i in items),
                                           "products": [i["product"].slug for i in items]})
        return redirect("demo:order", number=order.number)
    return render(request, "demo/checkout.html", {
        "page_type": "checkout", "items": items, "total": cart.cart_total(items), "form": form,
    })


def order(request: HttpRequest, number: str) -> HttpResponse:
    placed = Order.objects.filter(number=number).first()
    if placed is None:
        raise Http404("No such order.")
    return render(request, "demo/order.html", {"page_type": "order_confirmation", "order": placed})
