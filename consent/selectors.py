"""Reads of consent policy and consent records."""

import time

from .models import ConsentPolicy, ConsentRecord

POLICY_CACHE_SECONDS = 10
_policy_cache: dict[str, tuple[float, int]] = {}


def policy_current() -> ConsentPolicy | None:
    """The newest published policy version."""
    return ConsentPolicy.objects.order_by("-version").first()


def policy_material_version() -> int:
    """The newest material policy version (0 when none): consent given under an older one no longer counts.
    Read on every collected batch, so kept in memory for a few seconds."""
    cached = _policy_cache.get("material")
    now = time.monotonic()
    if cached and now - cached[0] < POLICY_CACHE_SECONDS:
        return cached[1]
    version = (
        ConsentPolicy.objects.filter(material=True).order_by("-version").values_list("version", flat=True).first() or 0
    )
    _policy_cache["material"] = (now, version)
    return version


def policy_cache_clear() -> None:
    _policy_cache.clear()


def consent_record_latest(*, site_key: str, visitor_id: str = "", user_key: str = "") -> ConsentRecord | None:
    """The visitor's (or user's) most recent consent choice on a site."""
    records = ConsentRecord.objects.filter(site_key=site_key)
    if visitor_id:
        records = records.filter(visitor_id=visitor_id)
    elif user_key:
        records = records.filter(user_key=user_key)
    else:
        return None
    return records.order_by("-created_at", "-id").first()
