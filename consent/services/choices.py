"""Recording consent choices: the append-only proof and the signed token for the cookie."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..addresses import address_minimise
from ..categories import category_keys, consent_mode_signals, required_keys
from ..models import ConsentRecord
from ..registry import visitor_user_key
from ..selectors import consent_record_latest, policy_current, withdrawal_cache_clear
from ..state import consent_token_sign, visitor_id_valid
from .rights import erased_digests, withdrawal_erase_queue

CHOICE_SOURCES = {ConsentRecord.Source.BANNER, ConsentRecord.Source.SETTINGS_PAGE, ConsentRecord.Source.GPC}


class ConsentChoiceInvalid(ValueError):
    """A consent choice the server cannot record; the message says what to send."""


@dataclass(frozen=True)
class RecordedChoice:
    record: ConsentRecord
    token: str
    max_age: int
    signals: dict[str, str]


def visitor_id_new() -> str:
    return secrets.token_urlsafe(18)


@transaction.atomic  # the proof and the erasure's tombstone together; the erasure queued once both are committed
def consent_choice_record(*, site_key: str, visitor_id: str, granted: object, source: str, language: str = "",
                          client_address: str = "") -> RecordedChoice:
    """Record a visitor's choice (a list of category keys) on a site: the proof and the signed token for the
    cookie. A visitor without an id gets one. Withdrawing a category is recorded as a withdrawal and, when
    ATTUNE["ERASE_ON_WITHDRAWAL"], queues the erasure of what was collected under it (a Celery task)."""
    if not isinstance(granted, list) or not all(isinstance(key, str) for key in granted):
        raise ConsentChoiceInvalid("`granted` must be a list of category names.")
    if source not in CHOICE_SOURCES:
        raise ConsentChoiceInvalid("`source` must be banner, settings_page or gpc.")
    if not visitor_id_valid(visitor_id):
        visitor_id = visitor_id_new()
    elif erased_digests(site_key=site_key, visitor_ids=[visitor_id]):
        visitor_id = visitor_id_new()  # an erased visitor who chooses again starts afresh: the old id's events are dropped
    chosen = set(granted) | required_keys()
    previous = consent_record_latest(site_key=site_key, visitor_id=visitor_id)
    withdrawn = set(previous.granted) - chosen if previous else set()
    policy = policy_current()
    record, token = consent_record_create(
        site_key=site_key, visitor_id=visitor_id, granted=chosen, user_key=visitor_user_key(site_key, visitor_id),
        source=ConsentRecord.Source.WITHDRAWAL if withdrawn else source, policy_version=policy.version if policy else 0,
        language=language[:16],
        client_address=address_minimise(client_address, storage=settings.ATTUNE["CLIENT_ADDRESS_STORAGE"]),
    )
    if withdrawn:  # this process's batches see it at once; others' within a second
        withdrawal_cache_clear()
    if withdrawn and settings.ATTUNE["ERASE_ON_WITHDRAWAL"]:
        withdrawal_erase_queue(site_key=site_key, visitor_id=visitor_id, categories=frozenset(withdrawn))
    return RecordedChoice(record=record, token=token, max_age=settings.ATTUNE["CONSENT_MAX_AGE_DAYS"] * 86400,
                          signals=consent_mode_signals(frozenset(chosen)))


def consent_record_create(
    *, site_key: str, visitor_id: str, granted: set[str], source: str, policy_version: int, language: str = "",
    user_key: str = "", client_address: str = "", at=None,
) -> tuple[ConsentRecord, str]:
    """Append the proof of one consent choice and return it with the signed token for the visitor's cookie."""
    unknown = set(granted) - category_keys()
    if unknown:
        raise ConsentChoiceInvalid(f"Unknown consent categories: {', '.join(sorted(unknown))}; "
                                   f"use {', '.join(sorted(category_keys()))}.")
    at = at or timezone.now()
    granted = set(granted) | required_keys()
    record = ConsentRecord.objects.create(
        site_key=site_key, visitor_id=visitor_id, user_key=user_key, granted=sorted(granted),
        denied=sorted(category_keys() - granted), policy_version=policy_version, source=source,
        language=language[:16], client_address=client_address, created_at=at,
    )
    token = consent_token_sign(site_key=site_key, visitor_id=visitor_id, granted=frozenset(granted),
                               policy_version=policy_version, given_at=int(at.timestamp()), record_id=record.pk)
    return record, token
