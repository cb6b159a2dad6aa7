"""POST /collect, the tracker's endpoint: reads the request, calls the collector, writes CORS headers.

The exchange is written against the WSGI environ so that it can be served two ways: as a Django
view (runserver, the test client) and, in production, straight from config/wsgi.py in front of
Django's middleware, which the collector does not need (no session, CSRF, auth, locale or
templates) and which would otherwise cost more than the collector's own work."""

import time

import orjson
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from consent.addresses import client_address

from ..models import DropReason
from ..selectors import origin_of_some_site
from ..services.collect_types import ClientInfo, refusal
from ..services.collector import batch_collect
from ..services.handover import drops_record

PREFLIGHT_MAX_AGE = "86400"
REASONS = {200: "OK", 202: "Accepted", 204: "No Content", 400: "Bad Request", 403: "Forbidden",
           405: "Method Not Allowed", 408: "Request Timeout", 413: "Content Too Large", 422: "Unprocessable Content",
           429: "Too Many Requests", 503: "Service Unavailable"}


def request_origin(environ: dict) -> str:
    origin = environ.get("HTTP_ORIGIN", "")
    if origin and origin != "null":
        return origin
    referer = environ.get("HTTP_REFERER", "")
    if referer.count("/") >= 3:
        return "/".join(referer.split("/", 3)[:3])
    return ""


def geo_header() -> str:
    header = settings.ATTUNE["GEO_COUNTRY_HEADER"]
    return "HTTP_" + header.upper().replace("-", "_") if header else ""


def collect_exchange(environ: dict, read_body) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) for one request to /collect; `read_body(n)` reads the request body."""
    origin = environ.get("HTTP_ORIGIN", "")
    cors = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if origin else []
    method = environ.get("REQUEST_METHOD", "")
    if method == "OPTIONS":
        if not origin or not origin_of_some_site(origin):
            return 204, [("Vary", "Origin")], b""  # no grant: the browser will not send the batch
        cors += [("Access-Control-Allow-Methods", "POST, OPTIONS"), ("Access-Control-Allow-Headers", "Content-Type"),
                 ("Access-Control-Max-Age", PREFLIGHT_MAX_AGE)]
        return 204, cors, b""
    if method != "POST":
        outcome = refusal(405, "method_not_allowed", "Send batches with POST.", Allow="POST, OPTIONS")
        return outcome.status, list(outcome.headers.items()), orjson.dumps(outcome.body)
    limit = settings.ATTUNE["COLLECT_MAX_BODY_BYTES"]
    declared = environ.get("CONTENT_LENGTH") or "0"
    if not (declared.isascii() and declared.isdigit()) or int(declared) > limit:  # "²" is a digit to isdigit()
        drops_record({(None, "(unreadable)", DropReason.INVALID.value): 1}, int(time.time() * 1000))
        outcome = refusal(413, "body_too_large", f"The body is {declared} bytes; send at most {limit} bytes per request.")
        return outcome.status, cors, orjson.dumps(outcome.body)
    header = geo_header()
    client = ClientInfo(
        origin=request_origin(environ),
        address=client_address(environ),
        user_agent=environ.get("HTTP_USER_AGENT", ""),
        country=environ.get(header, "")[:2].upper() if header else "",
    )
    try:
        body = read_body(int(declared))
    except OSError:  # the server's body timeout (config/gunicorn.py) or a client gone; Django says UnreadablePostError
        drops_record({(None, "(unreadable)", DropReason.INVALID.value): 1}, int(time.time() * 1000))
        outcome = refusal(408, "body_timeout", "The body did not arrive in time; send it again.")
        return outcome.status, cors, orjson.dumps(outcome.body)  # gunicorn closes a connection left mid-body
    outcome = batch_collect(body=body, client=client)
    if outcome.site is None or not origin or not outcome.site.origin_allowed(origin):
        cors = []
    return outcome.status, cors + list(outcome.headers.items()), orjson.dumps(outcome.body)


@csrf_exempt
def collect(request: HttpRequest) -> HttpResponse:
    """The Django view (runserver, tests); production serves collector_wsgi instead, see config/wsgi.py."""
    status, headers, body = collect_exchange(request.META, lambda _: request.body)
    response = HttpResponse(body, status=status, content_type="application/json")
    for name, value in headers:
        response[name] = value
    return response


def collector_wsgi(environ: dict, start_response):
    """The same exchange as a bare WSGI application."""
    try:
        status, headers, body = collect_exchange(environ, environ["wsgi.input"].read)
    finally:
        close_old_connections()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
               ("X-Content-Type-Options", "nosniff"), *headers]
    start_response(f"{status} {REASONS.get(status, '')}", headers)
    return [body]
