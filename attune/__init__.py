"""Attune's Python API for Django code.

    import attune
    attune.track(request, "purchase", {"revenue": 59.90, "order": "A-1001"})
    attune.identify(request, user.pk)
    attune.user_signature(user.pk)   # the proof a browser identify carries (`{% attune_tracker %}` prints it)

`request_or_visitor` is a Django request (its visitor and consent come from the signed consent
cookie) or a visitor id. Events go through the same validation, consent rules and write path as
the tracker's; an invalid event raises attune.TrackingError saying what to change.
"""

from datetime import datetime


def track(request_or_visitor, name: str, props: dict | None = None, *, site=None, timestamp: datetime | None = None,
          user_id: str | None = None):
    """Record event `name` with `props` for the visitor; returns what was accepted or dropped."""
    from personalization.services.tracking import server_event_send

    message = {"type": "track", "event": name, "properties": props or {}}
    if user_id is not None:
        message["userId"] = str(user_id)
    return server_event_send(request_or_visitor, message, site=site, timestamp=timestamp)


def identify(request_or_visitor, user_id, *, site=None):
    """Link the visitor to the site's user `user_id` (stored as a keyed hash); profiles of that user merge."""
    from personalization.services.tracking import server_event_send

    return server_event_send(request_or_visitor, {"type": "identify", "userId": str(user_id)}, site=site)


def user_signature(user_id, *, site=None) -> str:
    """The proof a browser identify carries for `user_id` (`attune('identify', user_id, signature)` in a page):
    {% attune_tracker %} prints it for the logged-in user; call this only for pages that identify in JavaScript."""
    from personalization.services.tracking import site_resolve
    from personalization.services.users import user_signature as signature

    return signature(site_key=site_resolve(site).public_key, user_id=str(user_id))


def __getattr__(name: str):
    if name == "TrackingError":
        from personalization.services.tracking import TrackingError

        return TrackingError
    raise AttributeError(name)
