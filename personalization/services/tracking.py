"""The Python API behind `attune.track()` and `attune.identify()`: Django code sends server-side events
for the visitor of a request (or a visitor id) through the same pipeline as Segment messages."""

import logging
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import orjson
import redis
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest

from consent.selectors import request_consent
from consent.state import ConsentState

from ..models import Site
from ..selectors import SiteInfo, site_default, site_for_public_key, site_info
from .server_events import ServerIngestResult, server_messages_ingest

logger = logging.getLogger(__name__)


class TrackingError(ValueError):
    """An event the Python API was asked to send is not valid; the message says what to change."""


def default_site() -> SiteInfo:
    found = site_default()
    if found is None:
        key = settings.ATTUNE["DEFAULT_SITE_KEY"]
        raise TrackingError(f"ATTUNE['DEFAULT_SITE_KEY'] {key!r} matches no site." if key else
                            "Pass site= (a Site or its public key): there is not exactly one site to default to.")
    return found


def site_resolve(site: Site | SiteInfo | str | None) -> SiteInfo:
    if site is None:
        return default_site()
    if isinstance(site, SiteInfo):
        return site
    if isinstance(site, Site):
        return site_info(site)
    found = site_for_public_key(site)
    if found is None:
        raise TrackingError(f"No site has the public key {site!r}.")
    return found


def request_visitor(request: HttpRequest, *, site_key: str) -> tuple[str, ConsentState | None]:
    """The visitor of a request and the consent its signed cookie proves on the site; ("", None) without a genuine,
    current consent cookie of that site, the only place a visitor id is kept."""
    state = request_consent(request, site_key=site_key)
    if state.visitor_id:
        return state.visitor_id, state
    return "", None


def json_ready(message: dict) -> dict:
    """The message as JSON would carry it: Decimals (money in Django models) become floats, dates and times ISO
    8601 text, UUIDs text; anything else JSON cannot hold is a TrackingError that names its type."""
    def number(value):
        if isinstance(value, Decimal):
            return float(value)
        raise TypeError  # orjson names the type

    try:
        return orjson.loads(orjson.dumps(message, default=number))
    except orjson.JSONEncodeError as error:
        raise TrackingError(f"The event cannot be sent as JSON ({error}); use strings, numbers, booleans, dates, "
                            "lists and dicts.") from None


def server_event_send(request_or_visitor: HttpRequest | str, message: dict, *, site=None,
                      timestamp: datetime | None = None) -> ServerIngestResult:
    """Send one Segment-style message for a request's visitor (or a visitor id)."""
    info = site_resolve(site)
    proven = None
    if isinstance(request_or_visitor, HttpRequest):
        visitor_id, proven = request_visitor(request_or_visitor, site_key=info.public_key)
    else:
        visitor_id = str(request_or_visitor)
    if not visitor_id and not message.get("userId"):
        return ServerIngestResult(dropped={"no_visitor": 1})  # no consent cookie and no id: nothing to attach to
    when = timestamp or datetime.now(UTC)
    message = json_ready({"messageId": str(uuid.uuid4()), "timestamp": when.isoformat(), **message})
    if visitor_id:
        message["anonymousId"] = visitor_id
    try:
        result = server_messages_ingest(site=info, messages=[message], received_ms=int(time.time() * 1000),
                                        proven=proven)
    except (DatabaseError, redis.RedisError) as error:
        logger.warning("Server-side event not stored, storage unavailable: %r", error)
        return ServerIngestResult(dropped={"unavailable": 1})
    if result.rejected:
        raise TrackingError(result.rejected[0]["error"])
    return result
