"""Client addresses: which one a request came from, and what of it may be kept. Pure: no ORM, no models."""

import ipaddress

from django.conf import settings


def client_address(meta: dict, *, trusted_proxies: int | None = None) -> str:
    """The client's address from a WSGI environ (or request.META): the one the nearest of `trusted_proxies`
    (ATTUNE["TRUSTED_PROXY_COUNT"] by default) proxies saw, else the connection's."""
    proxies = settings.ATTUNE["TRUSTED_PROXY_COUNT"] if trusted_proxies is None else trusted_proxies
    if proxies:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return meta.get("REMOTE_ADDR", "")


def address_minimise(address: str, *, storage: str) -> str:
    """What is kept of a client address: nothing ("drop") or its network ("truncate": /24 or /48)."""
    if storage != "truncate" or not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
