"""The fields rules test: segments' profile fields, plus the page, in-page signals, the cart and segment membership.

Pure apart from the profile object it reads: no ORM. Page fields are known on the server; in-page signals are known
only in the browser (Known.PAGE) and reach it as a decision's client_condition.
"""

from collections.abc import Sequence
from functools import lru_cache

from django.utils import timezone

from personalization.decisions import PageContext
from segments.conditions import Field, FieldType, Known, Vocabulary
from segments.features import FeatureContext
from segments.vocabulary import profile_values, profile_vocabulary

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEVICES = ("desktop", "mobile", "tablet")
UTM_PARAMETERS = ("utm_source", "utm_medium", "utm_campaign")
SEGMENTS_FIELD = "segments"
PEAKING_FIELD = "page_peaking"

PAGE_FIELDS = (
    Field("page_path", FieldType.TEXT, "page address", "The page's path; match a pattern like /product/*."),
    Field("page_type", FieldType.TEXT, "page type", "The page's type: home, product, article, cart..."),
    Field("page_category", FieldType.TEXT, "page category", "The content category of the page."),
    Field("referrer", FieldType.TEXT, "referrer", "The address the visitor came from."),
    *(Field(name, FieldType.TEXT, name.replace("_", " "), f"The page address's {name} parameter.")
      for name in UTM_PARAMETERS),
    Field("page_device", FieldType.CHOICE, "device now", "The device the page is shown on.", choices=DEVICES),
    Field("hour", FieldType.INTEGER, "hour of the day", "The hour (0-23) in the site's time zone."),
    Field("weekday", FieldType.CHOICE, "weekday", "The day of the week in the site's time zone.", choices=WEEKDAYS),
    Field(PEAKING_FIELD, FieldType.BOOLEAN, "page is peaking",
          "The page is peaking: its views in the last hour spike against its usual.", operators=("eq",)),
)

SIGNAL_FIELDS = (
    Field("engaged_on_page", FieldType.DURATION, "time on this page", "Engaged time on the current page.",
          known=Known.PAGE, operators=("gt", "gte", "lt", "lte", "between"),
          phrases={"compare": "spent {op} on this page"}),
    Field("clicks_on_page", FieldType.INTEGER, "clicks on this page", "Clicks on the current page.",
          known=Known.PAGE, operators=("eq", "gt", "gte", "lt", "lte", "between"),
          phrases={"compare": "clicked {op} times on this page"}),
    Field("scroll_on_page", FieldType.NUMBER, "scroll depth on this page", "Deepest scroll on this page, in %.",
          known=Known.PAGE, operators=("gt", "gte", "lt", "lte", "between")),
    Field("sections_seen", FieldType.TEXT_SET, "sections seen", "Marked sections of this page the visitor saw.",
          known=Known.PAGE),
    Field("idle_on_page", FieldType.DURATION, "idle on this page", "Time since the visitor last did anything.",
          known=Known.PAGE, operators=("gt", "gte", "lt", "lte", "between")),
    Field("exit_intent", FieldType.BOOLEAN, "about to leave", "The pointer left the page towards the tabs.",
          known=Known.PAGE, operators=("eq",)),
    Field("hovered", FieldType.TEXT_SET, "hovered elements", "Marked elements the pointer rested on.",
          known=Known.PAGE),
)

CART_FIELDS = (
    Field("abandoned_sessions", FieldType.INTEGER, "carts abandoned before",
          "Earlier sessions that ended with items left in the cart."),
    Field("cart_abandoned", FieldType.BOOLEAN, "cart abandoned in an earlier session",
          "Items are still in the cart from an earlier session that ended without a purchase.", operators=("eq",)),
)


@lru_cache(maxsize=64)
def rule_vocabulary(segments: tuple[tuple[str, str], ...] = ()) -> Vocabulary:
    """Every field a rule may test; `segments` are the site's (slug, name) pairs, offered as the membership's choices."""
    membership = Field(SEGMENTS_FIELD, FieldType.TEXT_SET, "segments", "Segments the visitor is in.",
                       choices=segments, operators=("includes", "not_includes", "includes_any", "includes_all"),
                       phrases={"includes": "in segment {value}", "not_includes": "not in segment {value}",
                                "includes_any": "in any of the segments {value}",
                                "includes_all": "in all of the segments {value}"})
    return profile_vocabulary().extend((*PAGE_FIELDS, *SIGNAL_FIELDS, *CART_FIELDS, membership))


def profile_rule_values(profile, *, segment_slugs: Sequence[str], now) -> dict[str, object]:
    """What rules see of a profile: its profile fields, the cart's history and the segments it is in."""
    values = profile_values(profile, FeatureContext(now_ms=int(now.timestamp() * 1000)))
    abandoned = profile.abandoned_sessions
    values["abandoned_sessions"] = abandoned
    values["cart_abandoned"] = bool(abandoned and profile.cart_items > 0)
    values[SEGMENTS_FIELD] = frozenset(segment_slugs)
    return values


def page_values(page: PageContext, *, peaking: bool | None = None) -> dict[str, object]:
    """What rules see of the page being rendered (all known on the server); `peaking` (rules.insight.peaking) is
    left out when not given."""
    local = timezone.localtime(page.now)
    values: dict[str, object] = {
        "page_path": page.path, "page_type": page.page_type or None, "page_category": page.category or None,
        "referrer": page.referrer or None, "page_device": page.device_type or None,
        "hour": local.hour, "weekday": WEEKDAYS[local.weekday()],
    }
    for name in UTM_PARAMETERS:
        values[name] = page.query.get(name) or None
    if peaking is not None:
        values[PEAKING_FIELD] = peaking
    return values
