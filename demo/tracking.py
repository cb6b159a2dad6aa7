"""Server-side conversion tracking from the demo's views (the Python API issue fills this in)."""

from django.http import HttpRequest


def server_track(request: HttpRequest, name: str, props: dict) -> None:
    """Record a conversion the server knows about; a no-op until the server-side tracking API exists."""
