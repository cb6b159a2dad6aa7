"""Features: named numbers derived from a profile's figures, what clustering and rule segments read (pure).

Each feature is a small documented function of a profile row: any object whose attributes are the figures of
personalization/figures.py (a Profile, or a row read for clustering). `skewed` features are counts with a long
tail, which preprocessing takes the logarithm of; `phrases` name a cluster high or low on the feature.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

DAY_MS = 86_400_000
ACQUISITION_CHANNELS = ("search", "social", "email", "ads", "direct", "referral")
DAYPARTS = ("night", "morning", "afternoon", "evening")


@dataclass(frozen=True)
class FeatureContext:
    """What features need besides the profile: the time they are computed at, and the decay half-life."""

    now_ms: int
    half_life_ms: int = 14 * DAY_MS


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    of: Callable[[object, FeatureContext], float]
    skewed: bool = False
    phrases: tuple[str, str] = ("", "")  # (a cluster high on it, a cluster low on it)
    figures: tuple[str, ...] = ()  # the profile figures it reads


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def share(counts: dict, key: str) -> float:
    return ratio(counts.get(key, 0), sum(counts.values()))


def top_share(counts: dict) -> float:
    return ratio(max(counts.values(), default=0), sum(counts.values()))


def ms(value) -> int | None:
    """Milliseconds since 1970 from a figure's time (a datetime from the database, or milliseconds already)."""
    if value is None or isinstance(value, int):
        return value
    return int(value.timestamp() * 1000)


def recency_days(p, c: FeatureContext) -> float:
    last = ms(p.last_seen)
    return max(0.0, (c.now_ms - last) / DAY_MS) if last is not None else math.nan


def visits_per_week(p, c: FeatureContext) -> float:
    first, last = ms(p.first_seen), ms(p.last_seen)
    if first is None or last is None:
        return 0.0
    return p.sessions / max(1.0, (last - first) / (7 * DAY_MS))


def decayed(log_sum: float | None, c: FeatureContext) -> float:
    return 0.0 if log_sum is None else 2.0 ** (log_sum - c.now_ms / c.half_life_ms)


F = Feature
FEATURES: tuple[Feature, ...] = (
    F("sessions", "Sessions (visits) so far.", lambda p, c: p.sessions, True, ("frequent visitors", "one-off visits"),
      ("sessions",)),
    F("visits_per_week", "Sessions per week between the first visit and the latest.", visits_per_week, True,
      ("weekly regulars", "rare visitors"), ("sessions", "first_seen", "last_seen")),
    F("recency_days", "Days since the latest event.", recency_days, True, ("lapsed", "recently active"),
      ("last_seen",)),
    F("activity_decayed", "Page views, each counting half as much every half-life (14 days) since it happened.",
      lambda p, c: decayed(p.pageviews_decayed, c), True, ("active lately", "quiet lately"), ("pageviews_decayed",)),
    F("pages_per_session", "Page views per session.", lambda p, c: ratio(p.pageviews, p.sessions), True,
      ("deep browsing", "short visits"), ("pageviews", "sessions")),
    F("session_minutes", "Mean session length, first event to last, in minutes.",
      lambda p, c: ratio(p.session_ms, p.sessions) / 60_000, True, ("long sessions", "short sessions"),
      ("session_ms", "sessions")),
    F("engaged_seconds_per_page", "Engaged time per page view, in seconds.",
      lambda p, c: ratio(p.engaged_ms, p.pageviews) / 1000, True, ("attentive readers", "skimmers"),
      ("engaged_ms", "pageviews")),
    F("bounce_share", "Share of sessions of one page view engaged for less than 10 s.",
      lambda p, c: ratio(p.bounced_sessions, p.sessions), False, ("bouncers", "stickers"),
      ("bounced_sessions", "sessions")),
    F("scroll_depth", "Deepest scroll per page view, on average, in %.",
      lambda p, c: ratio(p.scroll_sum, p.scrolled_pages), False, ("read to the end", "shallow scrolling"),
      ("scroll_sum", "scrolled_pages")),
    F("clicks_per_page", "Clicks per page view.", lambda p, c: ratio(p.clicks, p.pageviews), True,
      ("many clicks", "few clicks"), ("clicks", "pageviews")),
    F("hovers_per_page", "Hovers on marked elements per page view.", lambda p, c: ratio(p.hovers, p.pageviews), True,
      ("comparing items", "no comparing"), ("hovers", "pageviews")),
    F("purchases", "Purchases so far.", lambda p, c: p.goal_counts.get("purchase", 0), True,
      ("frequent buyers", "no purchases"), ("goal_counts",)),
    F("conversion_rate", "Conversions per session (any of the site's goals).",
      lambda p, c: ratio(p.conversions, p.sessions), True, ("converting", "not converting"),
      ("conversions", "sessions")),
    F("add_to_cart_rate", "Items added to the cart per page view.",
      lambda p, c: ratio(p.event_counts.get("add_to_cart", 0), p.pageviews), True, ("cart fillers", "no carts"),
      ("event_counts", "pageviews")),
    F("cart_abandonment", "Share of sessions that ended with items left in the cart.",
      lambda p, c: ratio(p.abandoned_sessions, p.sessions), False, ("cart abandoners", "carts completed"),
      ("abandoned_sessions", "sessions")),
    F("revenue", "Revenue so far, in the site's currency.", lambda p, c: p.revenue_cents / 100, True,
      ("big spenders", "no spending"), ("revenue_cents",)),
    F("video_completion", "Share of videos started that were watched to the end.",
      lambda p, c: ratio(p.video_completions, max(p.video_starts, p.video_completions)), False,
      ("video watchers", "no videos"), ("video_completions", "video_starts")),
    F("form_submits", "Forms submitted.", lambda p, c: p.form_submits, True, ("form fillers", "no forms"),
      ("form_submits",)),
    F("promo_share", "Share of page views on sale or promotion pages.",
      lambda p, c: ratio(p.promo_pageviews, p.pageviews), False, ("sale pages", "full price"),
      ("promo_pageviews", "pageviews")),
    F("product_entries", "Share of sessions that started on a product page.",
      lambda p, c: ratio(p.product_entries, p.sessions), False, ("direct product entries", "enter elsewhere"),
      ("product_entries", "sessions")),
    F("top_category_share", "Share of page views in the visitor's most viewed content category.",
      lambda p, c: top_share(p.category_views), False, ("one favourite category", "many categories"),
      ("category_views",)),
    *(F(f"{channel}_share", f"Share of sessions that came from {channel}.",
        lambda p, c, channel=channel: share(p.channel_sessions, channel), False,
        (f"{channel} visits", f"no {channel} visits"), ("channel_sessions",)) for channel in ACQUISITION_CHANNELS),
    F("mobile", "1 when the latest device was a phone.", lambda p, c: 1.0 if p.device_type == "mobile" else 0.0,
      False, ("on mobile", "on desktop"), ("device_type",)),
    *(F(f"{part}_share", f"Share of page views in the {part} (UTC).",
        lambda p, c, part=part: share(p.daypart_views, part), False, (f"{part} visits", f"no {part} visits"),
        ("daypart_views",)) for part in DAYPARTS),
    F("weekend_share", "Share of page views at weekends (UTC).", lambda p, c: share(p.weekpart_views, "weekend"),
      False, ("weekend visits", "weekday visits"), ("weekpart_views",)),
)
FEATURES_BY_NAME = {feature.name: feature for feature in FEATURES}
DEFAULT_CLUSTERING_FEATURES = (
    "sessions", "visits_per_week", "pages_per_session", "engaged_seconds_per_page", "scroll_depth", "clicks_per_page",
    "hovers_per_page", "purchases", "add_to_cart_rate", "promo_share", "top_category_share", "video_completion",
    "direct_share", "email_share", "mobile", "bounce_share",
)


class UnknownFeature(ValueError):
    """A feature name that the registry does not have; the message lists the ones it has."""


def features_named(names: Sequence[str]) -> tuple[Feature, ...]:
    unknown = [name for name in names if name not in FEATURES_BY_NAME]
    if unknown:
        raise UnknownFeature(f"Unknown feature {', '.join(map(repr, unknown))}; choose from: "
                             f"{', '.join(FEATURES_BY_NAME)}.")
    return tuple(FEATURES_BY_NAME[name] for name in names)


def figures_read(features: Sequence[Feature]) -> tuple[str, ...]:
    """The profile figures a set of features reads, each once, in a stable order."""
    return tuple(dict.fromkeys(figure for feature in features for figure in feature.figures))


def feature_row(profile, features: Sequence[Feature], context: FeatureContext) -> list[float]:
    return [float(feature.of(profile, context)) for feature in features]


def feature_matrix(profiles: Sequence, features: Sequence[Feature], context: FeatureContext) -> np.ndarray:
    """One row per profile, one column per feature (float64; NaN where a feature is unknown, e.g. recency)."""
    matrix = np.empty((len(profiles), len(features)), dtype=np.float64)
    for i, profile in enumerate(profiles):
        matrix[i] = feature_row(profile, features, context)
    return matrix


def feature_values(profile, context: FeatureContext) -> dict[str, float]:
    """Every feature of one profile, by name (rule segments and "why" read these)."""
    return {feature.name: float(feature.of(profile, context)) for feature in FEATURES}
