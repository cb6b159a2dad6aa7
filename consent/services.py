"""Consent writes: recording choices, and purging data past its retention period."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .categories import category_keys, required_keys
from .models import ConsentRecord
from .registry import retention_handlers
from .state import consent_token_sign


class ConsentChoiceInvalid(ValueError):
    """A consent choice that names unknown categories."""


def consent_record_create(
    *, site_key: str, visitor_id: str, granted: set[str], source: str, policy_version: int, language: str = "",
    user_key: str = "", client_address: str = "", at=None,
) -> tuple[ConsentRecord, str]:
    """Append the proof of one consent choice and return it with the signed token for the visitor's cookie."""
    unknown = set(granted) - category_keys()
    if unknown:
        raise ConsentChoiceInvalid(f"Unknown consent categories: {', '.join(sorted(unknown))}.")
    at = at or timezone.now()
    granted = set(granted) | required_keys()
    record = ConsentRecord.objects.create(
        site_key=site_key, visitor_id=visitor_id, user_key=user_key, granted=sorted(granted),
        denied=sorted(category_keys() - granted), policy_version=policy_version, source=source,
        language=language[:16], client_address=client_address, created_at=at,
    )
    token = consent_token_sign(visitor_id=visitor_id, granted=frozenset(granted), policy_version=policy_version,
                               given_at=int(at.timestamp()))
    return record, token


def retention_purge(*, now=None) -> dict[str, int]:
    """Delete data older than its retention period, in batches; returns rows deleted per handler."""
    now = now or timezone.now()
    batch = settings.ATTUNE["PURGE_BATCH_SIZE"]
    deleted = {}
    for handler in retention_handlers():
        cutoff = now - timedelta(days=settings.ATTUNE["EVENT_RETENTION_DAYS"])
        deleted[handler.name] = handler.purge(cutoff, batch)
    cutoff = now - timedelta(days=settings.ATTUNE["CONSENT_RECORD_RETENTION_DAYS"])
    deleted["consent_records"] = 0
    while ids := list(ConsentRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch]):
        deleted["consent_records"] += ConsentRecord.objects.filter(pk__in=ids).delete()[0]
    return deleted
