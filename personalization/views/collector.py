"""POST /collect: the tracker's endpoint. Thin: reads the request, calls the collector, writes CORS headers."""

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..services.collector import ClientInfo, batch_collect, refusal

PREFLIGHT_MAX_AGE = "86400"


def client_address(request: HttpRequest) -> str:
    proxies = settings.ATTUNE["TRUSTED_PROXY_COUNT"]
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def request_origin(request: HttpRequest) -> str:
    origin = request.META.get("HTTP_ORIGIN", "")
    if origin and origin != "null":
        return origin
    referer = request.META.get("HTTP_REFERER", "")
    if referer.count("/") >= 3:
        return "/".join(referer.split("/", 3)[:3])
    return ""


def json_response(status: int, body: dict, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    for name, value in headers.items():
        response[name] = value
    return response


@csrf_exempt
def collect(request: HttpRequest) -> HttpResponse:
    origin = request.META.get("HTTP_ORIGIN", "")
    cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin else {}
    if request.method == "OPTIONS":
        cors.update({
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        })
        response = HttpResponse(status=204)
        for name, value in cors.items():
            response[name] = value
        return response
    if request.method != "POST":
        outcome = refusal(405, "method_not_allowed", "Send batches with POST.", Allow="POST, OPTIONS")
        return json_response(outcome.status, outcome.body, outcome.headers)
    limit = settings.ATTUNE["COLLECT_MAX_BODY_BYTES"]
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        outcome = refusal(413, "body_too_large", f"The body is {declared} bytes; send at most {limit} bytes per request.")
        return json_response(outcome.status, outcome.body, {**cors, **outcome.headers})
    client = ClientInfo(
        origin=request_origin(request),
        address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        country=request.META.get(geo_header(), "")[:2].upper() if geo_header() else "",
    )
    outcome = batch_collect(body=request.body, client=client)
    if outcome.site is None or not origin or not outcome.site.origin_allowed(origin):
        cors = {}
    return json_response(outcome.status, outcome.body, {**cors, **outcome.headers})


def geo_header() -> str:
    header = settings.ATTUNE["GEO_COUNTRY_HEADER"]
    return "HTTP_" + header.upper().replace("-", "_") if header else ""
