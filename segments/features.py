"""Features: named numbers derived from profiles' figures, what clustering and rule segments read (pure).

Each feature is a small documented function of profile figures, computed a column at a time (`Columns`: the figures
of many profiles, numbers as float arrays), so that a million profiles take numpy operations, not a million calls.
`skewed` features are counts with a long tail, which preprocessing takes the logarithm of; `phrases` name a cluster
high or low on the feature.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

DAY_MS = 86_400_000
ACQUISITION_CHANNELS = ("search", "social", "email", "ads", "direct", "referral")
DAYPARTS = ("night", "morning", "afternoon", "evening")
COUNTERS = frozenset({"goal_counts", "event_counts", "category_views", "channel_sessions", "daypart_views",
                      "weekpart_views", "category_engaged_ms"})
TEXTS = frozenset({"device_type", "first_channel"})


def time_ms(value) -> float:
    """Milliseconds since 1970 of a figure's time (a datetime from the database, or milliseconds), NaN if unknown."""
    if value is None:
        return np.nan
    return value.timestamp() * 1000 if isinstance(value, datetime) else float(value)


class Columns:
    """The figures of several profiles, a column at a time: numbers and times as float arrays (NaN when unknown),
    per-key counts as lists of dicts, labels as lists of strings."""

    def __init__(self, raw: dict[str, Sequence], size: int):
        self.raw, self.size, self._built = raw, size, {}

    @classmethod
    def from_rows(cls, names: Sequence[str], rows: Sequence[Sequence]) -> "Columns":
        """From rows holding the figures `names`, in that order."""
        values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return cls(dict(zip(names, values, strict=True)), len(rows))

    @classmethod
    def from_objects(cls, names: Sequence[str], profiles: Sequence) -> "Columns":
        """From objects (Profile instances) with the figures as attributes."""
        return cls({name: [getattr(p, name) for p in profiles] for name in names}, len(profiles))

    def __getattr__(self, name: str) -> np.ndarray:
        if name in ("raw", "size", "_built"):
            raise AttributeError(name)
        built = self._built.get(name)
        if built is None:
            column = self.raw[name]
            if name in ("first_seen", "last_seen"):
                built = np.array([time_ms(v) for v in column], dtype=float)
            else:
                built = np.array(column, dtype=float).reshape(self.size)
            self._built[name] = built
        return built

    def key(self, name: str, key: str) -> np.ndarray:
        """One key's count in a per-key figure, for every profile."""
        return np.array([counts.get(key, 0) for counts in self.raw[name]], dtype=float).reshape(self.size)

    def total(self, name: str) -> np.ndarray:
        return np.array([sum(counts.values()) for counts in self.raw[name]], dtype=float).reshape(self.size)

    def top(self, name: str) -> np.ndarray:
        return np.array([max(counts.values(), default=0) for counts in self.raw[name]], dtype=float).reshape(self.size)

    def text(self, name: str) -> list[str]:
        return list(self.raw[name])


@dataclass(frozen=True)
class FeatureContext:
    """What features need besides the profiles: the time they are computed at, and the decay half-life."""

    now_ms: int
    half_life_ms: int = 14 * DAY_MS


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    of: Callable[[Columns, FeatureContext], np.ndarray]
    figures: tuple[str, ...]  # the profile figures it reads
    skewed: bool = False
    phrases: tuple[str, str] = ("", "")  # (a cluster high on it, a cluster low on it)


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0."""
    return np.divide(numerator, denominator, out=np.zeros(len(numerator)), where=denominator != 0)


def recency_days(c: Columns, x: FeatureContext) -> np.ndarray:
    return np.maximum(0.0, (x.now_ms - c.last_seen) / DAY_MS)


def visits_per_week(c: Columns, x: FeatureContext) -> np.ndarray:
    weeks = np.maximum(1.0, np.nan_to_num((c.last_seen - c.first_seen) / (7 * DAY_MS)))
    return c.sessions / weeks


def decayed(c: Columns, x: FeatureContext) -> np.ndarray:
    return np.nan_to_num(np.exp2(c.pageviews_decayed - x.now_ms / x.half_life_ms))


def channel_share(channel: str) -> Callable:
    return lambda c, x: ratio(c.key("channel_sessions", channel), c.total("channel_sessions"))


def daypart_share(part: str) -> Callable:
    return lambda c, x: ratio(c.key("daypart_views", part), c.total("daypart_views"))


def F(name, description, of, figures, skewed=False, phrases=("", "")):
    return Feature(name, description, of, tuple(figures.split()), skewed, phrases)


FEATURES: tuple[Feature, ...] = (
    F("sessions", "Sessions (visits) so far.", lambda c, x: c.sessions, "sessions", True,
      ("frequent visitors", "one-off visits")),
    F("visits_per_week", "Sessions per week between the first visit and the latest.", visits_per_week,
      "sessions first_seen last_seen", True, ("weekly regulars", "rare visitors")),
    F("recency_days", "Days since the latest event.", recency_days, "last_seen", True,
      ("lapsed", "recently active")),
    F("activity_decayed", "Page views, each counting half as much every half-life (14 days) since it happened.",
      decayed, "pageviews_decayed", True, ("active lately", "quiet lately")),
    F("pages_per_session", "Page views per session.", lambda c, x: ratio(c.pageviews, c.sessions),
      "pageviews sessions", True, ("deep browsing", "short visits")),
    F("session_minutes", "Mean session length, first event to last, in minutes.",
      lambda c, x: ratio(c.session_ms, c.sessions) / 60_000, "session_ms sessions", True,
      ("long sessions", "short sessions")),
    F("engaged_seconds_per_page", "Engaged time per page view, in seconds.",
      lambda c, x: ratio(c.engaged_ms, c.pageviews) / 1000, "engaged_ms pageviews", True,
      ("attentive readers", "skimmers")),
    F("bounce_share", "Share of sessions of one page view engaged for less than 10 s.",
      lambda c, x: ratio(c.bounced_sessions, c.sessions), "bounced_sessions sessions", False, ("bouncers", "stickers")),
    F("scroll_depth", "Deepest scroll per page view, on average, in %.",
      lambda c, x: ratio(c.scroll_sum, c.scrolled_pages), "scroll_sum scrolled_pages", False,
      ("read to the end", "shallow scrolling")),
    F("clicks_per_page", "Clicks per page view.", lambda c, x: ratio(c.clicks, c.pageviews), "clicks pageviews", True,
      ("many clicks", "few clicks")),
    F("hovers_per_page", "Hovers on marked elements per page view.", lambda c, x: ratio(c.hovers, c.pageviews),
      "hovers pageviews", True, ("comparing items", "no comparing")),
    F("purchases", "Purchases so far.", lambda c, x: c.key("goal_counts", "purchase"), "goal_counts", True,
      ("frequent buyers", "no purchases")),
    F("conversion_rate", "Conversions per session (any of the site's goals).",
      lambda c, x: ratio(c.conversions, c.sessions), "conversions sessions", True, ("converting", "not converting")),
    F("add_to_cart_rate", "Items added to the cart per page view.",
      lambda c, x: ratio(c.key("event_counts", "add_to_cart"), c.pageviews), "event_counts pageviews", True,
      ("cart fillers", "no carts")),
    F("cart_abandonment", "Share of sessions that ended with items left in the cart.",
      lambda c, x: ratio(c.abandoned_sessions, c.sessions), "abandoned_sessions sessions", False,
      ("cart abandoners", "carts completed")),
    F("revenue", "Revenue so far, in the site's currency.", lambda c, x: c.revenue_cents / 100, "revenue_cents", True,
      ("big spenders", "no spending")),
    F("video_completion", "Share of videos started that were watched to the end.",
      lambda c, x: ratio(c.video_completions, np.maximum(c.video_starts, c.video_completions)),
      "video_completions video_starts", False, ("video watchers", "no videos")),
    F("form_submits", "Forms submitted.", lambda c, x: c.form_submits, "form_submits", True, ("form fillers", "no forms")),
    F("promo_share", "Share of page views on sale or promotion pages.",
      lambda c, x: ratio(c.promo_pageviews, c.pageviews), "promo_pageviews pageviews", False,
      ("sale pages", "full price")),
    F("product_entries", "Share of sessions that started on a product page.",
      lambda c, x: ratio(c.product_entries, c.sessions), "product_entries sessions", False,
      ("direct product entries", "enter elsewhere")),
    F("top_category_share", "Share of page views in the visitor's most viewed content category.",
      lambda c, x: ratio(c.top("category_views"), c.total("category_views")), "category_views", False,
      ("one favourite category", "many categories")),
    *(F(f"{channel}_share", f"Share of sessions that came from {channel}.", channel_share(channel), "channel_sessions",
        False, (f"{channel} visits", f"no {channel} visits")) for channel in ACQUISITION_CHANNELS),
    F("mobile", "1 when the latest device was a phone.",
      lambda c, x: np.array([1.0 if d == "mobile" else 0.0 for d in c.text("device_type")]), "device_type", False,
      ("on mobile", "on desktop")),
    *(F(f"{part}_share", f"Share of page views in the {part} (UTC).", daypart_share(part), "daypart_views", False,
        (f"{part} visits", f"no {part} visits")) for part in DAYPARTS),
    F("weekend_share", "Share of page views at weekends (UTC).",
      lambda c, x: ratio(c.key("weekpart_views", "weekend"), c.total("weekpart_views")), "weekpart_views", False,
      ("weekend visits", "weekday visits")),
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


def feature_matrix(columns: Columns, features: Sequence[Feature], context: FeatureContext) -> np.ndarray:
    """One row per profile, one column per feature (float64; NaN where a feature is unknown, e.g. recency)."""
    if not columns.size:
        return np.empty((0, len(features)))
    return np.column_stack([np.asarray(f.of(columns, context), dtype=float).reshape(columns.size) for f in features])


def feature_table(profiles: Sequence, context: FeatureContext) -> list[dict[str, float]]:
    """Every feature of each profile (objects with the figures as attributes), by name."""
    columns = Columns.from_objects(figures_read(FEATURES), profiles)
    matrix = feature_matrix(columns, FEATURES, context)
    return [dict(zip(FEATURES_BY_NAME, map(float, row), strict=True)) for row in matrix]
