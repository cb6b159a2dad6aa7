"""GET /decide, the in-page script's (and single-page apps') endpoint: the content of a page's slots for the visitor
whose consent token comes with the request, asked of the decision-provider registry as {% personalize %} asks it.

It tells one origin nothing about a visitor of another: it answers only the site's allowed origins (preflights
included), reads a profile only with personalization consent proven by the token (the consent cookie, or the
X-Attune-Consent header from another origin), and answers only content: {slot: {html, ref, when?, keep?}}, never figures.

Like /collect, production serves it before Django's middleware (decide_wsgi, mounted in config/wsgi.py): it needs
no session, CSRF, auth, locale or templates, and the stack would cost more than the decision itself."""

import re

import orjson
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse

from consent.selectors import policy_material_version
from consent.state import consent_cookie_token, consent_state_from_token

from ..decisions import DecisionRequest, PageContext, decisions_for
from ..selectors import PERSONALIZATION, SiteInfo, profile_for_visitor, site_for_public_key

MAX_SLOTS = 20
SLOT = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CONSENT_HEADER = "HTTP_X_ATTUNE_CONSENT"
PAGE_TEXTS = {"path": 2000, "page_type": 64, "category": 200, "referrer": 2000}
QUERY_PARAMETERS = ("utm_source", "utm_medium", "utm_campaign")
PREFLIGHT_MAX_AGE = "86400"
# <, > and & are escaped inside the JSON strings: an answer pasted into a page's HTML stays inert there too.
HTML_SAFE = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"))


def json_answer(body: dict, *, status: int = 200, origin: str = "") -> HttpResponse:
    data = orjson.dumps(body)
    for raw, escaped in HTML_SAFE:
        data = data.replace(raw, escaped)
    response = HttpResponse(data, status=status, content_type="application/json")
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Origin, Cookie, X-Attune-Consent"
    response["X-Content-Type-Options"] = "nosniff"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
    return response


def refusal(status: int, error: str, message: str, *, origin: str = "") -> HttpResponse:
    return json_answer({"error": error, "message": message}, status=status, origin=origin)


def slots_read(value: str) -> tuple[str, ...] | str:
    """The slot names asked for, or the message saying what is wrong with them."""
    slots = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    if not slots:
        return "Name the page's slots: slots=home_hero,product_sidebar."
    if len(slots) > MAX_SLOTS:
        return f"Ask for at most {MAX_SLOTS} slots at once; this asked for {len(slots)}."
    wrong = [name for name in slots if not SLOT.match(name)]
    if wrong:
        return (f"Slot names are lowercase letters, digits and _ (home_hero); fix {', '.join(wrong[:5])[:200]}.")
    return slots


def page_read(query) -> PageContext:
    texts = {name: query.get(name, "")[:length] for name, length in PAGE_TEXTS.items()}
    return PageContext(path=texts["path"] or "/", page_type=texts["page_type"], category=texts["category"],
                       referrer=texts["referrer"],
                       query={name: query[name][:200] for name in QUERY_PARAMETERS if query.get(name)})


def decisions_answer(*, site: SiteInfo, slots: tuple[str, ...], page: PageContext, token: str | None) -> dict:
    """{slot: {html, ref, when?, keep?}} for the slots a provider decides; without personalization consent, nothing (every
    slot keeps its default) and no profile is read. With it, the profile is read only if a provider asks."""
    state = consent_state_from_token(token, site_key=site.public_key, current_material_version=policy_material_version())
    if not state.visitor_id or not state.allows(PERSONALIZATION):
        return {}
    decided = decisions_for(DecisionRequest(
        site_id=site.id, slots=slots, page=page, visitor_id=state.visitor_id,
        profile_read=lambda: profile_for_visitor(site_id=site.id, visitor_id=state.visitor_id)))
    answer = {}
    for slot, decision in decided.items():
        answer[slot] = {"html": decision.html, "ref": decision.reference}
        if decision.keep_default:
            answer[slot]["keep"] = True
        if decision.client_condition is not None:
            answer[slot]["when"] = decision.client_condition
    return answer


def decide(request: HttpRequest) -> HttpResponse:
    """GET (and its CORS preflight) /decide?site=KEY&slots=a,b&path=...&page_type=...&category=..."""
    site = site_for_public_key(request.GET.get("site", ""))
    if site is None:
        return refusal(400, "unknown_site", "Send the site's public key as site= (the tracker's data-site).")
    origin = request.META.get("HTTP_ORIGIN", "")  # not request.headers, which reads every header
    if origin and origin != "null" and not site.origin_allowed(origin):
        return refusal(403, "origin_not_allowed", f"Add {origin[:200]} to the site's allowed origins in admin.")
    allowed = origin if origin and origin != "null" else ""
    if request.method == "OPTIONS":
        if not allowed:
            return refusal(403, "origin_missing", "Preflights come from browsers with an Origin header.")
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = allowed
        response["Access-Control-Allow-Credentials"] = "true"
        response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response["Access-Control-Allow-Headers"] = "X-Attune-Consent"
        response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        response["Vary"] = "Origin"
        return response
    if request.method != "GET":
        response = refusal(405, "method_not_allowed", "Ask with GET.", origin=allowed)
        response["Allow"] = "GET, OPTIONS"
        return response
    slots = slots_read(request.GET.get("slots", ""))
    if isinstance(slots, str):
        return refusal(400, "bad_slots", slots, origin=allowed)
    token = request.META.get(CONSENT_HEADER) or consent_cookie_token(request)
    return json_answer(decisions_answer(site=site, slots=slots, page=page_read(request.GET), token=token),
                       origin=allowed)


def decide_wsgi(environ: dict, start_response):
    """The same view as a bare WSGI application."""
    try:
        response = decide(WSGIRequest(environ))
    finally:
        close_old_connections()
    start_response(f"{response.status_code} {response.reason_phrase}",
                   [*response.items(), ("Content-Length", str(len(response.content)))])
    return [response.content]
