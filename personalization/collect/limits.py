"""The collector's limits: the payload's declaration (payload.PAYLOAD) resolved against the ATTUNE settings. Read by
the collector, and by drain workers that finish the events of batches the collector forwarded as sent
(collect/entry.py)."""

from django.conf import settings

from consent.categories import category_keys

from . import payload
from .resolved import Limits, limits_resolve

_limits: tuple[dict, payload.EventPayload, Limits] | None = None  # (the settings and declaration read, the limits)


def collect_limits() -> Limits:
    """The collector's limits, resolved again whenever the ATTUNE settings or the declaration are replaced (tests
    do both)."""
    global _limits
    attune, declared = settings.ATTUNE, payload.PAYLOAD
    cached = _limits
    if cached is None or cached[0] is not attune or cached[1] is not declared:
        cached = _limits = (attune, declared, limits_resolve(declared, attune, purposes=category_keys()))
    return cached[2]
