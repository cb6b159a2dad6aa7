"""The benchmark's baselines, mounted only when ATTUNE_BENCH_VIEWS=1 (never part of the product). Each only
parses the JSON batch and answers 204, or hands it over without checking it:

- bare_json (/bench/django-json, through the same bare handler): a bare Django view answering a small JSON
  object to a GET, the baseline of GET /decide;
- bare_django_view: a bare Django view, the issue's baseline: Django's WSGI handler, URL routing, request and
  response objects, and no middleware (a project of one view);
- bare_wsgi: the same work as a plain WSGI callable mounted the way the collector is (config/wsgi.py), no
  Django at all: a stricter baseline than the issue's;
- bare_collect through this project's whole middleware stack (/bench/django-stack): shown for reference;
- append_only: hands the raw body to the stream the way the collector does, checking nothing (what the Redis
  hand-off alone costs)."""

import orjson
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare_collect(request):
    orjson.loads(request.body)
    return HttpResponse(status=204)


def bare_json(request):
    return JsonResponse({"home_hero": {"html": "<p>variant</p>", "ref": "rule-1"}})


class BareUrls:
    """The URL configuration of a project of one view (two: the POST and the GET baselines)."""

    urlpatterns = [path("bench/django-view", bare_collect), path("bench/django-json", bare_json)]


class BareDjangoHandler(WSGIHandler):
    """Django's WSGI handler with no middleware, routing with BareUrls."""

    def load_middleware(self, is_async=False):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        self._middleware_chain = convert_exception_to_response(self._get_response)

    def get_response(self, request):
        request.urlconf = BareUrls
        return super().get_response(request)


bare_django_view = BareDjangoHandler()


def bare_wsgi(environ, start_response):
    orjson.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    start_response("204 No Content", [])
    return [b""]


def append_only(environ, start_response):
    from personalization.ingest import stream
    from personalization.ingest.appender import appender

    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    appender.append(entry=body, keys=stream.rate_keys(site_id=0, address="bench", minute=0))
    start_response("202 Accepted", [])
    return [b""]
