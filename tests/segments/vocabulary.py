"""A vocabulary with one field of every type, shared by the condition tests."""

from datetime import UTC, datetime

from segments.conditions import SEPARATOR, Field, Vocabulary

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

PROFILE = Vocabulary(
    [
        Field("visits", "integer", "visits", description="Sessions so far."),
        Field("score", "number", "engagement score"),
        Field("cart_value", "number", "cart value", unit="€"),
        Field("path", "text", "page path"),
        Field("page_type", "choice", "page type", choices=[("product", "product"), ("cat", "category"), "article"]),
        Field("returning", "boolean", "returning visitor"),
        Field("segments", "text_set", "segment", phrases={"includes": "in segment {value}", "not_includes": "not in segment {value}"}),
        Field("last_purchase", "datetime", "last purchase"),
        Field("affinity", "key_number", "category affinity"),
    ]
)
VOCAB = PROFILE.extend(
    [
        Field("engaged", "duration_seconds", "engaged time", known="page", phrases={"compare": "spent {op} engaged on this page"}),
        Field("clicks", "integer", "clicks", known="page", phrases={"compare": "{op} clicks on this page"}),
        Field("sections", "text_set", "sections seen", known="page"),
    ]
)
COLUMNS = {
    "visits": "sessions",
    "score": "score",
    "cart_value": "cart_value_cents",
    "path": "path",
    "page_type": "page_type",
    "returning": "is_returning",
    "last_purchase": "last_purchase_at",
    "affinity": "category_views",
    "segments": "segment_slugs",
}


def row(field, op, value=None, **extra):
    """A stored row; `value` is left out when None."""
    data = {"field": field, "op": op, **extra}
    if value is not None:
        data["value"] = value
    return data


def at(path):
    """A row's path as shown to editors, written here with '>' for the separator."""
    return path.replace(" > ", SEPARATOR)
