"""Server-side events: Segment-compatible messages and the Python API, through the collector's own schema,
consent rules and write path.

Consent for a server event comes from the visitor's (or user's) recorded consent when there is one,
else from Segment's consent object when the sender includes it, else from the site's
`server_default_categories` (empty by default: such events are not stored)."""

import time
from dataclasses import dataclass, field

from consent.selectors import consent_state_recorded
from consent.state import ConsentState

from ..collect.batch import CollectedBatch
from ..collect.edge import device_type
from ..collect.limits import collect_limits
from ..collect.schema import BatchContext, EventInvalid, event_allowed, event_validate
from ..collect.segment import MessageInvalid, consent_preferences, message_to_event, message_visitor_id
from ..models import DropReason
from ..selectors import SiteInfo, visitors_of_user
from .handover import batches_store
from .users import user_key_for


@dataclass
class ServerIngestResult:
    accepted: int = 0
    rejected: list[dict] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)


class ConsentResolver:
    """Consent per visitor for one request, looked up once per visitor."""

    def __init__(self, site: SiteInfo, proven: ConsentState | None = None):
        self.site = site
        self.proven = proven  # consent carried by the visitor's own request (its signed cookie)
        self.recorded: dict[tuple[str, str], ConsentState | None] = {}

    def granted(self, *, visitor_id: str, user_key: str, message: dict | None) -> frozenset[str]:
        if self.proven is not None and self.proven.visitor_id == visitor_id:
            return self.proven.granted
        key = (visitor_id, user_key)
        if key not in self.recorded:
            # A user's choice was usually recorded in a browser before they logged in there: on that visitor.
            devices = visitors_of_user(site_id=self.site.id, user_key=user_key) if user_key else []
            self.recorded[key] = consent_state_recorded(site_key=self.site.public_key, visitor_id=visitor_id,
                                                        user_key=user_key, user_visitor_ids=devices)
        state = self.recorded[key]
        if state is not None:
            return state.granted
        preferences = consent_preferences(message) if message else None
        if preferences is not None:
            return preferences | {"necessary"}
        return self.site.server_default_categories | {"necessary"}


def server_messages_ingest(*, site: SiteInfo, messages: list, received_ms: int | None = None,
                           sent_ms: int | None = None, proven: ConsentState | None = None) -> ServerIngestResult:
    """Validate, consent-filter and store (or queue) Segment-style messages."""
    received_ms = received_ms or int(time.time() * 1000)
    result = ServerIngestResult()
    resolver = ConsentResolver(site, proven)
    batches: dict[tuple, CollectedBatch] = {}
    problems = CollectedBatch(site_id=site.id, site_key=site.public_key, received_ms=received_ms, source="server")
    for index, message in enumerate(messages):
        try:
            raw, skew = message_to_event(message, site_key=site.public_key, default_sent_ms=sent_ms,
                                         received_ms=received_ms)
            user_id = message.get("userId")
            if user_id is not None and not isinstance(user_id, str | int):
                raise MessageInvalid("`userId` must be a string.")
            user_key = user_key_for(site.id, str(user_id)) if user_id not in (None, "") else ""
            if raw["type"] == "identify":
                if not user_key:
                    raise MessageInvalid(f"An {message['type']} message needs `userId`, the user's id in your system.")
                raw["user_id"] = str(user_id)
            visitor_id = message_visitor_id(message, user_key)
            event = event_validate(raw, BatchContext(received_ms=received_ms, skew_ms=skew), collect_limits())
        except (MessageInvalid, EventInvalid) as error:
            message_id = message.get("messageId") if isinstance(message, dict) else None
            result.rejected.append({"index": index, "messageId": str(message_id or "")[:200], "error": str(error)})
            problems.reject(index=index, raw=message, detail=str(error), event_id=str(message_id or ""),
                            keep_payload=False)
            continue
        event.user_key, event.user_id = user_key, ""
        if event.type == "identify":
            event.props = {}  # traits are personal data the product has no use for
        granted = resolver.granted(visitor_id=visitor_id, user_key=user_key, message=message)
        if not event_allowed(event, granted):
            problems.count_drop(DropReason.NO_CONSENT.value)
            result.dropped[DropReason.NO_CONSENT.value] = result.dropped.get(DropReason.NO_CONSENT.value, 0) + 1
            continue
        context = message.get("context") if isinstance(message.get("context"), dict) else {}
        agent = context.get("userAgent") if isinstance(context.get("userAgent"), str) else ""
        key = (visitor_id, ",".join(sorted(granted)), agent)
        batch = batches.get(key)
        if batch is None:
            batch = batches[key] = CollectedBatch(
                site_id=site.id, site_key=site.public_key, received_ms=received_ms, visitor_id=visitor_id,
                source="server", consent=key[1], device_type=device_type(agent) if agent else "",
            )
        batch.events.append(event)
    result.accepted = batches_store([*batches.values(), problems])
    return result
