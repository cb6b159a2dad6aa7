"""The benchmark's baselines, mounted only when ATTUNE_BENCH_VIEWS=1 (never part of the product):
a bare Django view that only parses the JSON batch and answers 204, through the whole middleware
stack; the same work mounted the way the collector is (config/wsgi.py, before the middleware),
which is the fair baseline for the collector's own cost; and an endpoint that only hands the raw
body to the stream the way the collector does, checking nothing (what the Redis hand-off alone costs)."""

import orjson
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare_collect(request):
    orjson.loads(request.body)
    return HttpResponse(status=204)


def bare_lean(environ, start_response):
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
