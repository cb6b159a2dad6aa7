"""The fields rule segments can test: every feature, and a few profile figures as they are (pure).

rules extends this vocabulary with the page, in-page signals and the cart (`profile_vocabulary().extend(...)`).
"""

from datetime import UTC, datetime
from functools import lru_cache

from .conditions import Field, FieldType, Vocabulary
from .features import ACQUISITION_CHANNELS, FEATURES, FeatureContext, feature_table

INTEGER_FEATURES = frozenset({"sessions", "purchases", "form_submits"})
EXTRA_FIELDS = (
    Field("category_share", FieldType.KEY_NUMBER, "share of page views in category",
          "A content category's share of the visitor's page views (0-1); the key is the category."),
    Field("device", FieldType.CHOICE, "device", "Device of the latest event.", choices=("desktop", "mobile", "tablet")),
    Field("first_channel", FieldType.CHOICE, "first acquisition channel", "How the visitor first came.",
          choices=ACQUISITION_CHANNELS),
    Field("last_seen", FieldType.DATETIME, "last seen", "Time of the latest event."),
    Field("cart_items", FieldType.INTEGER, "items in the cart", "Items in the cart now."),
    Field("cart_value", FieldType.NUMBER, "cart value", "Value of the cart now, in the site's currency."),
)


def time_of(value) -> datetime | None:
    """A figure's time as a datetime (rows read for many profiles carry milliseconds)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(value / 1000, UTC)


@lru_cache(maxsize=1)
def profile_vocabulary() -> Vocabulary:
    """Features as numbers (whole numbers where they count), then the extra profile fields."""
    features = tuple(
        Field(feature.name, FieldType.INTEGER if feature.name in INTEGER_FEATURES else FieldType.NUMBER,
              feature.name.replace("_", " "), feature.description)
        for feature in FEATURES
    )
    return Vocabulary((*features, *EXTRA_FIELDS))


def profile_values(profile, context: FeatureContext, *, features: dict[str, float] | None = None) -> dict[str, object]:
    """What a rule segment's condition sees of a profile: every field of profile_vocabulary(). `features`, when the
    caller has computed them for many profiles at once (features.feature_table), saves computing them again."""
    features = features if features is not None else feature_table([profile], context)[0]
    total = sum(profile.category_views.values())
    return {
        **features,
        "category_share": {key: n / total for key, n in profile.category_views.items()} if total else {},
        "device": profile.device_type or None,
        "first_channel": profile.first_channel or None,
        "last_seen": time_of(profile.last_seen),
        "cart_items": profile.cart_items,
        "cart_value": profile.cart_value_cents / 100,
    }
