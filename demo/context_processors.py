from .cart import cart_count
from .services import demo_site


def demo(request):
    site = demo_site()
    return {
        "cart_count": cart_count(request) if hasattr(request, "session") else 0,
        "attune_site_key": site.public_key if site else "",
    }
