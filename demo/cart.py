"""The demo shop's cart, kept in the Django session (a necessary cookie)."""

from decimal import Decimal

from django.http import HttpRequest

from .models import Product

SESSION_KEY = "demo_cart"


def cart_items(request: HttpRequest) -> list[dict]:
    """[{product, quantity, line_total}] for what is in the cart now."""
    cart = request.session.get(SESSION_KEY, {})
    products = Product.objects.in_bulk([int(pk) for pk in cart])
    return [
        {"product": products[int(pk)], "quantity": quantity, "line_total": products[int(pk)].current_price * quantity}
        for pk, quantity in cart.items()
        if int(pk) in products
    ]


def cart_total(items: list[dict]) -> Decimal:
    return sum((item["line_total"] for item in items), Decimal("0"))


def cart_count(request: HttpRequest) -> int:
    return sum(request.session.get(SESSION_KEY, {}).values())


def cart_add(request: HttpRequest, *, product: Product, quantity: int) -> None:
    cart = request.session.get(SESSION_KEY, {})
    cart[str(product.pk)] = min(99, cart.get(str(product.pk), 0) + quantity)
    request.session[SESSION_KEY] = cart


def cart_remove(request: HttpRequest, *, product: Product) -> int:
    """Remove a product; returns how many were in the cart."""
    cart = request.session.get(SESSION_KEY, {})
    removed = cart.pop(str(product.pk), 0)
    request.session[SESSION_KEY] = cart
    return removed


def cart_clear(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = {}
