"""The collector's limits, from the ATTUNE settings: read by the collector, and by drain workers that finish
the events of batches the collector forwarded as sent (collect/entry.py)."""

from django.conf import settings

from consent.categories import category_keys

from .schema import Limits

_limits: tuple[dict, Limits] | None = None  # (the ATTUNE settings they were read from, the limits)


def collect_limits() -> Limits:
    """The collector's limits, read again whenever the ATTUNE settings are replaced (tests do)."""
    global _limits
    attune = settings.ATTUNE
    cached = _limits
    if cached is None or cached[0] is not attune:
        cached = _limits = (attune, Limits(
            max_name_length=attune["COLLECT_MAX_NAME_LENGTH"],
            max_props=attune["COLLECT_MAX_PROPS"],
            max_props_bytes=attune["COLLECT_MAX_PROPS_BYTES"],
            max_url_length=attune["COLLECT_MAX_URL_LENGTH"],
            max_age_ms=attune["EVENT_MAX_AGE_DAYS"] * 86_400_000,
            max_future_ms=attune["EVENT_MAX_FUTURE_SECONDS"] * 1000,
            url_denylist=frozenset(key.lower() for key in attune["URL_QUERY_DENYLIST"]),
            purposes=category_keys(),
        ))
    return cached[1]
