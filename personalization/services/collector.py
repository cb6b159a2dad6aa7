"""The collector: a tracker batch in, a stored (or queued) batch and an explained answer out.

It only validates, applies consent, minimises and hands over; sessions and profiles are
updated by the write path (in the request in embedded mode, by drain workers with Redis).
"""

import time

import orjson
import redis
from django.conf import settings
from django.db import DatabaseError

from consent.selectors import policy_material_version
from consent.state import ConsentState, consent_state_from_token, no_consent, visitor_id_valid

from ..collect.batch import CollectedBatch
from ..collect.body import BodyError, body_check, json_error
from ..collect.edge import address_minimise, device_type, is_bot_agent
from ..collect.fast import batch_decode, batch_forwardable, events_complete
from ..collect.limits import collect_limits
from ..collect.schema import BatchContext, EventInvalid, event_allowed, event_validate
from ..ingest.redis_client import redis_enabled
from ..models import DropReason
from ..selectors import SiteInfo, site_for_public_key
from .collect_types import ClientInfo, CollectOutcome, Forwarded, PreparedBatch, refusal
from .handover import batch_dropped, batch_hand_over, drops_record, refusal_limited, storage_unavailable
from .users import user_key_for, user_signature_valid


def batch_collect(*, body: bytes, client: ClientInfo, received_ms: int | None = None) -> CollectOutcome:
    """Validate a tracker batch, keep what consent allows and store or queue it."""
    try:
        prepared = batch_prepare(body=body, client=client, received_ms=received_ms or int(time.time() * 1000))
    except (DatabaseError, redis.RedisError):  # the site or the consent policy could not be read
        return storage_unavailable()
    if prepared.refusal is not None:
        return prepared.refusal
    return batch_hand_over(prepared, client)


def batch_read(body: bytes, received_ms: int) -> tuple[dict | None, list | None, CollectOutcome | None]:
    """(the batch's fields, its typed events when the fast path could take it, or the refusal to answer with)."""
    attune = settings.ATTUNE
    max_bytes, max_depth = attune["COLLECT_MAX_BODY_BYTES"], attune["COLLECT_MAX_BODY_DEPTH"]
    # The fast path's typed schema bounds nesting itself (collect/fast.py); anything else is measured first.
    fast = batch_decode(body, limits=collect_limits(), max_events=attune["COLLECT_MAX_EVENTS"],
                        max_depth=max_depth) if len(body) <= max_bytes else None
    if fast is not None:
        fields = {"site": fast.site, "events": fast.events, "vid": fast.vid, "sent": fast.sent,
                  "consent": fast.consent, "wd": fast.wd, "lost": fast.lost}
        return fields, fast.events, None
    try:
        body_check(body, max_bytes=max_bytes, max_depth=max_depth)
    except BodyError as error:
        drops_record({(None, "(unreadable)", DropReason.INVALID.value): 1}, received_ms)
        return None, None, refusal(error.status, error.code, error.message)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        drops_record({(None, "(unreadable)", DropReason.INVALID.value): 1}, received_ms)
        problem = json_error(body, error)
        return None, None, refusal(problem.status, problem.code, problem.message)
    if not isinstance(data, dict) or not isinstance(data.get("site"), str) or not isinstance(data.get("events"), list):
        drops_record({(None, "(unreadable)", DropReason.INVALID.value): 1}, received_ms)
        return None, None, refusal(
            400, "invalid_batch", "Send a JSON object with `site` (the site's public key) and an `events` list.")
    return data, None, None


def batch_prepare(*, body: bytes, client: ClientInfo, received_ms: int) -> PreparedBatch:
    """Everything the collector checks before storage: body, site, origin, visitor, bots, consent, schema."""
    attune = settings.ATTUNE
    data, typed, refused = batch_read(body, received_ms)
    if refused is not None:
        return PreparedBatch(refusal=refused)
    events = data["events"]
    site = site_for_public_key(data["site"][:64])
    if site is None:
        return PreparedBatch(refusal=refusal_limited(
            site=None, address=client.address, received_ms=received_ms, reason=DropReason.UNKNOWN_SITE.value,
            events=len(events), answer=refusal(
                403, "unknown_site", "No site has this public key; copy the tracker tag from the site's admin page.")))
    refused = batch_envelope_check(site, data, client, received_ms)
    if refused is not None:
        return PreparedBatch(refusal=refused)
    is_bot = is_bot_agent(client.user_agent) or data.get("wd") is True
    if is_bot and attune["BOT_POLICY"] == "drop":
        return PreparedBatch(refusal=batch_dropped(site, received_ms, {DropReason.BOT.value: len(events)}))
    consent = consent_for_batch(data.get("consent"), data["vid"], site.public_key)
    batch = CollectedBatch(
        site_id=site.id, site_key=site.public_key, received_ms=received_ms, visitor_id=data["vid"],
        consent=",".join(sorted(consent.granted)), device_type=device_type(client.user_agent), country=client.country,
        client_address=address_minimise(client.address, storage=attune["CLIENT_ADDRESS_STORAGE"]), is_bot=is_bot,
        consent_record=consent.record_id,
    )
    lost = data.get("lost")
    if type(lost) is int and 0 < lost <= 1_000_000:  # the tracker's outbox overflowed: counted, never silent
        batch.count_drop(DropReason.LOST_ON_DEVICE.value, lost)
    sent_ms = data.get("sent")
    skew = received_ms - sent_ms if type(sent_ms) is int else 0
    context = BatchContext(received_ms=received_ms, skew_ms=skew)
    if typed is not None:
        limits = collect_limits()
        if redis_enabled() and batch_forwardable(typed, context, limits, body, consent.granted):
            return PreparedBatch(batch=batch, site=site, forwarded=Forwarded(body, skew, len(typed)))
        try:
            rejected = events_keep(batch, events_complete(typed, context, limits, body), consent)
            return PreparedBatch(batch=batch, rejected=rejected, site=site)
        except EventInvalid:  # raised before any event was kept: the batch holds only the `lost` count so far
            events = orjson.loads(body)["events"]  # the slow path says which events are wrong, and why
    rejected = events_validate(batch, events, consent, context)
    return PreparedBatch(batch=batch, rejected=rejected, site=site)


def batch_envelope_check(site: SiteInfo, data: dict, client: ClientInfo, received_ms: int) -> CollectOutcome | None:
    """The refusal for a batch from a wrong origin, with too many events or without a usable visitor id."""
    events, limit = data["events"], settings.ATTUNE["COLLECT_MAX_EVENTS"]
    if not client.origin or not site.origin_allowed(client.origin):
        return refusal_limited(
            site=site, address=client.address, received_ms=received_ms, reason=DropReason.UNKNOWN_ORIGIN.value,
            events=len(events), answer=refusal(
                403, "unknown_origin", f"Origin {client.origin or '(none)'!r} is not allowed for this site; add it "
                "to the site's allowed origins, or send server-side events to /v1 with the write key."))
    if len(events) > limit:
        drops_record({(site.id, site.public_key, DropReason.INVALID.value): len(events)}, received_ms)
        return refusal(413, "too_many_events", f"The batch has {len(events)} events; send at most {limit} per request.")
    visitor_id = data.get("vid")
    if not visitor_id_valid(visitor_id):
        drops_record({(site.id, site.public_key, DropReason.INVALID.value): len(events)}, received_ms)
        return refusal(400, "invalid_visitor", "`vid` must be the visitor id: 8 to 64 letters, digits, '-' or '_'.")
    return None


def consent_for_batch(token: object, visitor_id: str, site_key: str) -> ConsentState:
    state = consent_state_from_token(token if isinstance(token, str) else None, site_key=site_key,
                                     current_material_version=policy_material_version())
    if state.visitor_id and state.visitor_id != visitor_id:
        return no_consent()  # a token proves consent for the visitor it was made for, no other
    return state


def events_validate(batch: CollectedBatch, events: list, consent: ConsentState, context: BatchContext) -> list[dict]:
    """Fill `batch` with the valid events consent allows, event by event; return the rejections to report."""
    limits = collect_limits()
    keep_payloads = consent.allows("analytics")
    rejected = []
    for index, raw in enumerate(events):
        try:
            event = event_validate(raw, context, limits)
        except EventInvalid as error:
            # Without consent the payload is not kept, not even as a failure: only why it failed.
            batch.reject(index=index, raw=raw, detail=str(error), keep_payload=keep_payloads)
            rejected.append({"index": index, "id": batch.failures[-1].event_id, "error": str(error)})
            continue
        refused = event_keep(batch, event, consent)
        if refused:
            rejected.append({"index": index, "id": event.event_id, "error": refused})
    return rejected


def events_keep(batch: CollectedBatch, events: list, consent: ConsentState) -> list[dict]:
    """event_keep for each of a batch's valid events, in one loop for the common case; returns the rejections."""
    granted, kept, rejected = consent.granted, batch.events, []
    for index, event in enumerate(events):
        if not event.user_id and event.type != "identify" and event_allowed(event, granted):
            kept.append(event)
        elif refused := event_keep(batch, event, consent):
            rejected.append({"index": index, "id": event.event_id, "error": refused})
    return rejected


UNVERIFIED_USER = ("`user_id` is not proven: a browser event naming a user must carry `user_sig`, the site backend's "
                   "signature of that user id ({% attune_tracker %} prints it as data-user-sig for the logged-in "
                   "user). Or identify from the server: attune.identify(request, user_id), or /v1 with the write key.")


def event_keep(batch: CollectedBatch, event, consent: ConsentState) -> str:
    """Add a valid event to the batch if consent allows it (else count it); return why it was refused ("" when it
    was not, or only for want of consent). A user id is taken only with the site backend's proof, and kept only as
    a hash (or as sent, when so configured); identify events keep no traits."""
    if not event_allowed(event, consent.granted):
        batch.count_drop(DropReason.NO_CONSENT.value)
        return ""
    if event.user_id:
        if not user_signature_valid(site_key=batch.site_key, user_id=event.user_id, signature=event.user_sig):
            batch.count_drop(DropReason.UNVERIFIED_USER.value)
            return UNVERIFIED_USER
        event.user_key, event.user_id, event.user_sig = user_key_for(batch.site_id, event.user_id), "", ""
    if event.type == "identify":
        event.props = {}  # traits are personal data the product has no use for
    batch.events.append(event)
    return ""
