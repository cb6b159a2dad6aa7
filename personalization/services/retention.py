"""Purging raw events and sessions past their retention period (registered with consent's registry)."""

from datetime import datetime

from ..models import Event, Session


def events_purge_expired(cutoff: datetime, batch_size: int) -> int:
    """Delete events and sessions older than `cutoff`, `batch_size` rows per statement.
    Profiles keep their aggregates: they are personal data, erased on request, not by age."""
    deleted = 0
    for model, field in ((Event, "ts"), (Session, "ended_at")):
        while ids := list(model.objects.filter(**{f"{field}__lt": cutoff}).values_list("pk", flat=True)[:batch_size]):
            deleted += model.objects.filter(pk__in=ids).delete()[0]
    return deleted
