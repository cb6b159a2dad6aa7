"""The visitor's rights: a download of everything held about them, and its erasure.

Apps register their personal data with consent's registry; these services walk the registry, so a new
app's data is covered by registering it (a test fails for a model with visitor or user references that
no handler covers)."""

import functools
import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from ..models import ConsentRecord, ErasedSubject, ErasureLog
from ..registry import Subject, personal_data_handlers

logger = logging.getLogger(__name__)


def visitor_digest(site_key: str, visitor_id: str) -> str:
    """A keyed, one-way digest of a visitor id: recognisable later, never readable."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{site_key}:{visitor_id}".encode(), hashlib.sha256).hexdigest()


def erased_digests(*, site_key: str, visitor_ids: list[str]) -> set[str]:
    """The visitor ids among `visitor_ids` that were erased recently (their late events must be dropped)."""
    if not visitor_ids or not ErasedSubject.objects.exists():
        return set()
    digests = {visitor_digest(site_key, vid): vid for vid in visitor_ids}
    found = ErasedSubject.objects.filter(site_key=site_key, digest__in=list(digests)).values_list("digest", flat=True)
    return {digests[digest] for digest in found}


def subject_expand(subject: Subject) -> Subject:
    """The subject with every visitor id the registered resolvers know for it (a user's devices)."""
    from ..registry import subject_resolvers

    for resolver in subject_resolvers():
        subject = resolver(subject)
    return subject


def personal_data_export(*, subject: Subject) -> dict:
    """Everything held about the subject, by kind, as JSON-ready data."""
    subject = subject_expand(subject)
    return {
        "site": subject.site_key,
        "exported_at": timezone.now().isoformat(),
        "visitor_ids": list(subject.visitor_ids),
        "data": {handler.name: handler.export(subject) for handler in personal_data_handlers()},
    }


def personal_data_erase(*, subject: Subject, channel: str, requested_by: str = "") -> ErasureLog:
    """Erase everything held about the subject, in every registered store; log that it happened."""
    subject = subject_expand(subject)
    # The tombstones first: events stored while the handlers erase are dropped rather than left behind.
    ErasedSubject.objects.bulk_create(
        ErasedSubject(site_key=subject.site_key, digest=visitor_digest(subject.site_key, vid))
        for vid in subject.visitor_ids
    )
    erased = {handler.name: handler.erase(subject) for handler in personal_data_handlers()}
    return ErasureLog.objects.create(site_key=subject.site_key, channel=channel, requested_by=requested_by,
                                     erased=erased)


def withdrawal_erase(*, site_key: str, visitor_id: str, categories: frozenset[str]) -> dict[str, int]:
    """Erase what was collected under withdrawn categories: everything about the visitor when analytics is
    withdrawn (nothing may stay without it), else what the handlers keep for the withdrawn purposes: their data of
    that category, and what was collected for that purpose alone."""
    subject = subject_expand(Subject(site_key=site_key, visitor_ids=(visitor_id,)))
    if "analytics" in categories:
        return personal_data_erase(subject=subject, channel=ErasureLog.Channel.WITHDRAWAL).erased
    erased = {handler.name: handler.erase(subject) for handler in personal_data_handlers()
              if handler.category in categories}
    for handler in personal_data_handlers():
        purposed = (handler.erase_purposes(subject, categories)
                    if handler.erase_purposes is not None and handler.category not in categories else 0)
        if purposed:
            erased[handler.name] = purposed
    if erased:
        ErasureLog.objects.create(site_key=site_key, channel=ErasureLog.Channel.WITHDRAWAL, erased=erased)
    return erased


def withdrawal_erase_queue(*, site_key: str, visitor_id: str, categories: frozenset[str]) -> None:
    """Queue withdrawal_erase for once the choice is committed. When analytics is withdrawn the visitor is marked
    erased at once, so that their events still on their way are dropped while the erasure waits for a worker."""
    if "analytics" in categories:
        ErasedSubject.objects.create(site_key=site_key, digest=visitor_digest(site_key, visitor_id))
    # robust: the choice stays recorded and its token issued even when the erasure fails (run eagerly); Django
    # logs the error.
    transaction.on_commit(functools.partial(withdrawal_erase_send, site_key=site_key, visitor_id=visitor_id,
                                            categories=categories), robust=True)


def withdrawal_erase_send(*, site_key: str, visitor_id: str, categories: frozenset[str]) -> None:
    """Hand withdrawal_erase to Celery; when the broker cannot take it, erase here rather than never."""
    from ..tasks import withdrawal_erase as withdrawal_erase_task  # here: consent.tasks imports this module

    try:
        withdrawal_erase_task.delay(site_key=site_key, visitor_id=visitor_id, categories=sorted(categories))
    except OperationalError:
        logger.warning("The Celery broker did not take a withdrawal's erasure; erasing in the request instead.",
                       exc_info=True)
        withdrawal_erase(site_key=site_key, visitor_id=visitor_id, categories=categories)


def consent_records_export(subject: Subject) -> list[dict]:
    records = ConsentRecord.objects.filter(site_key=subject.site_key, visitor_id__in=subject.visitor_ids)
    if subject.user_key:
        records = records | ConsentRecord.objects.filter(site_key=subject.site_key, user_key=subject.user_key)
    return [
        {"at": r.created_at.isoformat(), "granted": r.granted, "denied": r.denied, "policy_version": r.policy_version,
         "source": r.source, "language": r.language}
        for r in records.order_by("created_at")
    ]


def consent_records_anonymise(subject: Subject) -> int:
    """Consent records stay as proof that consent was asked for and given, but no longer say by whom."""
    records = ConsentRecord.objects.filter(site_key=subject.site_key, visitor_id__in=subject.visitor_ids)
    ids = list(records.values_list("pk", flat=True))
    if subject.user_key:
        ids += list(ConsentRecord.objects.filter(site_key=subject.site_key, user_key=subject.user_key)
                    .values_list("pk", flat=True))
    # An update, once, of a proof row: the only change consent records ever get, and it removes identity.
    return ConsentRecord.objects.filter(pk__in=ids).update(visitor_id="erased", user_key="", client_address="")


def tombstones_purge(*, now=None) -> int:
    """Tombstones last as long as a consent token does: a token given before the erasure still names the visitor,
    and a tracker holding one would otherwise start collecting under the erased id again."""
    cutoff = (now or timezone.now()) - timezone.timedelta(days=settings.ATTUNE["CONSENT_MAX_AGE_DAYS"])
    return ErasedSubject.objects.filter(erased_at__lt=cutoff).delete()[0]
