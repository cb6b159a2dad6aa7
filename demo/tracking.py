"""Server-side conversion tracking from the demo's views, with Attune's Python API."""

from django.http import HttpRequest

import attune
from demo.services import demo_site


def server_track(request: HttpRequest, name: str, props: dict) -> None:
    """Record a conversion the server knows about for the request's visitor (if they consented)."""
    site = demo_site()
    if site is not None:
        attune.track(request, name, props, site=site)
