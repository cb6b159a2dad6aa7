"""The tracker's payload, declared once: a batch's envelope, an event's fields, their types, limits and purposes.

Every limit is written here, as a number or as the ATTUNE setting it comes from. The slow path
(schema.event_validate), the fast path's decoder and checks (fast.py), the OpenAPI document (openapi.py) and
docs/tracker-payload.md are derived from PAYLOAD; limits.collect_limits resolves it against the settings.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from consent.state import VISITOR_ID_MAX_LENGTH, VISITOR_ID_MIN_LENGTH, VISITOR_ID_PATTERN

DAY_MS = 86_400_000


class EventInvalid(Exception):
    """One event breaks the schema; the message says which field and what is allowed."""


@dataclass(frozen=True)
class Setting:
    """A limit read from ATTUNE[name], times `scale` (86_400_000 turns days into milliseconds)."""

    name: str
    scale: int = 1
    unit: str = ""

    def value(self, attune: Mapping) -> int:
        """The limit under these settings."""
        return attune[self.name] * self.scale


Limit = int | Setting


def limit_value(limit: Limit, attune: Mapping) -> int:
    """A limit as a number: fixed, or read from the settings."""
    return limit.value(attune) if isinstance(limit, Setting) else limit


@dataclass(frozen=True)
class Text:
    """A text field of an event, at most `max_length` characters; `required_for` names the event type needing it."""

    name: str
    max_length: Limit
    description: str
    required_for: str = ""


@dataclass(frozen=True)
class Whole:
    """A whole number from `low` to `high`; sent as a float with nothing after the point, it is kept as an integer."""

    name: str
    low: int
    high: int
    required: bool = True


@dataclass(frozen=True)
class Choice:
    """A string property that must be one of `choices`."""

    name: str
    choices: tuple[str, ...]

    def allowed(self) -> str:
        """The choices as a message names them."""
        if len(self.choices) == 2:
            return " or ".join(f"`{choice}`" for choice in self.choices)
        return "one of: " + ", ".join(sorted(self.choices))


@dataclass(frozen=True)
class Amount:
    """An optional amount of money, a number from `low` up to (not including) `below`."""

    name: str
    low: int
    below: int


PropertyRule = Whole | Choice | Amount


@dataclass(frozen=True)
class EventType:
    """An event type, the consent category it needs and the properties it must carry well-formed."""

    name: str
    category: str
    properties: tuple[PropertyRule, ...] = ()


@dataclass(frozen=True)
class EnvelopeField:
    """A field of the batch around the events, as OpenAPI describes it (JSON Schema keywords in `schema`)."""

    name: str
    schema: tuple[tuple[str, object], ...]
    description: str
    required: bool = False


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so caches keyed by a declaration stay cheap
class EventPayload:
    """The whole declaration: one instance, PAYLOAD, holds every rule; tests derive variants with replace()."""

    types: tuple[EventType, ...]
    texts: tuple[Text, ...]  # in the order schema.event_complete takes them
    seq: Whole
    max_keys: Limit  # of `props`, and of `dims`
    max_key_length: Limit
    max_props_bytes: Limit  # `props` and `dims` together, as stored (JSON)
    dimension_text: int  # the longest string a dimension may hold
    max_url_length: Limit  # a URL is cut to this length when stored (never refused for it)
    max_age_ms: Limit
    max_future_ms: Limit
    url_denylist: Setting
    envelope: tuple[EnvelopeField, ...]
    max_events: Limit
    max_body_bytes: Limit  # checked before the body is read
    max_body_depth: Limit  # nesting, checked before the body is parsed

    def text(self, name: str) -> Text:
        """The text field called `name`."""
        return next(text for text in self.texts if text.name == name)

    def with_text(self, name: str, *, max_length: Limit) -> "EventPayload":
        """This declaration with one text field's length limit changed."""
        texts = tuple(replace(text, max_length=max_length) if text.name == name else text for text in self.texts)
        return replace(self, texts=texts)


NAME_LENGTH = Setting("COLLECT_MAX_NAME_LENGTH")
PAYLOAD = EventPayload(
    types=(
        EventType("page_view", "analytics"),
        EventType("engagement", "analytics", (Whole("engaged_ms", 0, DAY_MS),)),
        EventType("scroll", "analytics", (Whole("depth", 0, 100),)),
        EventType("click", "analytics"),
        EventType("hover", "analytics"),
        EventType("form_submit", "analytics"),
        EventType("video", "analytics", (Choice("action", ("play", "pause", "progress", "complete")),)),
        EventType("outbound", "analytics"),
        EventType("download", "analytics"),
        EventType("section", "analytics", (Choice("action", ("enter", "exit")),)),
        EventType("track", "analytics", (Whole("quantity", 1, 10_000, required=False), Amount("price", 0, 10**9),
                                          Amount("revenue", 0, 10**9), Amount("value", 0, 10**9))),
        EventType("identify", "analytics"),
    ),
    texts=(
        Text("name", NAME_LENGTH, "The custom event or goal name.", required_for="track"),
        Text("purpose", 40, "A consent category the event needs besides its type's, e.g. `marketing`: stored "
                            "only when the visitor granted both."),
        Text("url", 8192, "The page's URL; denied query parameters (`email`, `token`, ...) and fragments "
                          "with parameters are removed before storage."),
        Text("ref", 8192, "The referrer, minimised as `url` is."),
        Text("pv", 40, "Page view id (groups a page view's engagement and scroll)."),
        Text("cat", 100, "The page's content category (`<meta name=\"attune:category\">`)."),
        Text("user_id", 200, "The site's user id; stored as a keyed hash (on any event type it links the visitor "
                             "to that user, as `identify` does); from a browser only with `user_sig`.",
             required_for="identify"),
        Text("user_sig", 64, "The site backend's proof of `user_id` (HMAC-SHA256 of the user id under the site's "
                             "identity secret, hex; `{% attune_tracker %}` prints it as `data-user-sig`). A browser "
                             "event with `user_id` and no valid `user_sig` is refused (`unverified_user`)."),
    ),
    seq=Whole("seq", 0, 2**31 - 1),
    max_keys=Setting("COLLECT_MAX_PROPS"),
    max_key_length=NAME_LENGTH,
    max_props_bytes=Setting("COLLECT_MAX_PROPS_BYTES", unit="bytes"),
    dimension_text=200,
    max_url_length=Setting("COLLECT_MAX_URL_LENGTH"),
    max_age_ms=Setting("EVENT_MAX_AGE_DAYS", DAY_MS, "days"),
    max_future_ms=Setting("EVENT_MAX_FUTURE_SECONDS", 1000, "seconds"),
    url_denylist=Setting("URL_QUERY_DENYLIST"),
    envelope=(
        EnvelopeField("site", (("type", "string"),), "The site's public key (`data-site`).", required=True),
        EnvelopeField("vid", (("type", "string"), ("minLength", VISITOR_ID_MIN_LENGTH),
                              ("maxLength", VISITOR_ID_MAX_LENGTH), ("pattern", VISITOR_ID_PATTERN)), "The visitor id; it comes from the consent cookie.",
                      required=True),
        EnvelopeField("sid", (("type", "string"),), "The tracker's session id (informational: sessions are "
                                                     "computed on the server, in event time)."),
        EnvelopeField("sent", (("type", "integer"),), "The client's clock when sending, in ms; with the receive "
                                                       "time it corrects every event's `ts` for clock skew."),
        EnvelopeField("consent", (("type", "string"),), "The signed `attune_consent` cookie; without a valid "
                                                        "one nothing but `necessary` is granted."),
        EnvelopeField("wd", (("type", "boolean"),), "`navigator.webdriver`; `true` marks automation (bot "
                                                    "policy applies)."),
        EnvelopeField("lost", (("type", "integer"), ("minimum", 0), ("maximum", 1_000_000)),
                      "Events the tracker had to drop from its bounded on-device outbox (counted as `lost_on_device`)."),
    ),
    max_events=Setting("COLLECT_MAX_EVENTS"),
    max_body_bytes=Setting("COLLECT_MAX_BODY_BYTES", unit="bytes"),
    max_body_depth=Setting("COLLECT_MAX_BODY_DEPTH", unit="levels"),
)
