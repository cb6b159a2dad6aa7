"""POST /consent: the consent script records a visitor's choice and receives the signed cookie.

Only the site's allowed origins may record choices (a foreign page must not grant consent on a
visitor's behalf); the answer sets the cookie on this server's domain, and the script sets the same
token as a first-party cookie on the site's own domain.

A choice is recorded for the visitor its request proves with a token of ours (in the body, from the
site's cookie, or in this server's cookie). A bare visitor id proves nothing, since it travels in every
tracker batch: whoever knew one could otherwise withdraw (and so erase) or export that visitor's data."""

import time

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from consent.addresses import client_address
from consent.services.choices import ConsentChoiceInvalid, consent_choice_record
from consent.state import consent_cookie_token, token_visitor_id

from ..collect.body import BodyError, body_received, json_error
from ..models import DropReason
from ..selectors import origin_of_some_site, site_for_public_key
from ..services.collect_types import refusal
from ..services.handover import drops_record, refusal_limited
from .collector import request_origin

MAX_BODY_BYTES = 4096


def answer(status: int, body: dict, origin: str = "") -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
        response["Vary"] = "Origin"
    return response


def proven_visitor_id(request: HttpRequest, data: dict, site_key: str) -> str:
    """The visitor a genuine token of the site in the body or in this server's cookie names; "" makes a new
    visitor."""
    return (token_visitor_id(data.get("token"), site_key=site_key)
            or token_visitor_id(consent_cookie_token(request), site_key=site_key))


def preflight(origin: str) -> HttpResponse:
    """A grant to send choices with credentials, only to an origin some site allows (a preflight names no site)."""
    if not origin or not origin_of_some_site(origin):
        response = answer(200, {})
        response["Vary"] = "Origin"
        return response
    response = answer(200, {}, origin)
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    return response


def choice_body(request: HttpRequest) -> object:
    """The parsed body of a choice, or a BodyError (counted as a drop: nothing in it is recorded)."""
    try:
        raw = body_received(request, max_bytes=MAX_BODY_BYTES)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise json_error(raw, error) from None
    except BodyError:
        drops_record({(None, "(unreadable)", DropReason.INVALID.value): 1}, int(time.time() * 1000))
        raise


@csrf_exempt
def consent_record(request: HttpRequest) -> HttpResponse:
    origin = request.META.get("HTTP_ORIGIN", "")
    if request.method == "OPTIONS":
        return preflight(origin)
    if request.method != "POST":
        return answer(405, {"error": "method_not_allowed", "message": "Send the choice with POST."})
    try:
        data = choice_body(request)
    except BodyError as problem:
        return answer(problem.status, {"error": problem.code, "message": problem.message})
    if not isinstance(data, dict) or not isinstance(data.get("site"), str):
        return answer(400, {"error": "invalid_choice", "message": "Send {site, token, granted: [...], source}."})
    site = site_for_public_key(data["site"][:64])
    sender = request_origin(request.META)
    if site is None or not sender or not site.origin_allowed(sender):
        refused = refusal_limited(  # counted against the address's rate limit, as the collector's refusals are
            site=site, address=client_address(request.META), received_ms=int(time.time() * 1000), events=0,
            reason=DropReason.UNKNOWN_SITE.value if site is None else DropReason.UNKNOWN_ORIGIN.value,
            answer=refusal(403, "unknown_site_or_origin",
                           "Record choices from one of the site's allowed origins, with its public key."))
        return answer(refused.status, refused.body)
    try:
        choice = consent_choice_record(
            site_key=site.public_key, visitor_id=proven_visitor_id(request, data, site.public_key), granted=data.get("granted"),
            source=data.get("source") or "banner", language=str(data.get("lang") or "")[:16],
            client_address=client_address(request.META),
        )
    except ConsentChoiceInvalid as error:
        return answer(400, {"error": "invalid_choice", "message": str(error)}, origin)
    response = answer(200, {"token": choice.token, "max_age": choice.max_age, "vid": choice.record.visitor_id,
                            "granted": choice.record.granted, "consent_mode": choice.signals}, origin)
    response.set_cookie(settings.ATTUNE["CONSENT_COOKIE_NAME"], choice.token, max_age=choice.max_age,
                        samesite="Lax", secure=request.is_secure(), httponly=False)
    return response
