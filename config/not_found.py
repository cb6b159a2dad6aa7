"""The public site's "page not found": a plain page, even with DEBUG on, whose debug page would list every URL
pattern to any visitor of a demo or development server. The admin and the APIs keep Django's own answers."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

NOT_PUBLIC = ("/admin/", "/api/", "/v1/", "/collect", "/consent", "/static/")


def not_found_page(request: HttpRequest) -> HttpResponse:
    """The site's 404 page, as visitors see it when DEBUG is off."""
    return render(request, "404.html", {"page_type": "not_found"}, status=404)


class PlainNotFoundMiddleware:
    """Answers a public page's 404 with the site's 404 page when DEBUG is on: an address no URL pattern matches,
    or a view's Http404. A view that renders its own 404 page keeps it. Last in MIDDLEWARE, so that a missing
    trailing slash is still redirected and the page gets its Content-Security-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and request.resolver_match is None and self.replaces(request):
            return not_found_page(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return not_found_page(request) if isinstance(exception, Http404) and self.replaces(request) else None

    @staticmethod
    def replaces(request: HttpRequest) -> bool:
        return settings.DEBUG and not request.path_info.startswith(NOT_PUBLIC)
