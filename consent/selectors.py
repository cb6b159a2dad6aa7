"""Reads of consent policy and consent records."""

import time
from collections.abc import Collection

from django.conf import settings
from django.db.models import Q

from .models import ConsentPolicy, ConsentRecord
from .registry import default_site_key
from .remembered import Remembered
from .state import ConsentState, consent_cookie_token, consent_state_from_token, no_consent

POLICY_CACHE_SECONDS = 10
_policy_cache = Remembered(seconds=POLICY_CACHE_SECONDS)
WITHDRAWAL_CACHE_SECONDS = 1  # how soon another process's withdrawal counts against older tokens
_withdrawal_cache = Remembered(seconds=WITHDRAWAL_CACHE_SECONDS)


def policy_remembered(key: str, load):
    """`load()`'s answer, kept in memory for a few seconds: policies are read on every batch and every page."""
    return _policy_cache.get(key, load)


def policy_current() -> ConsentPolicy | None:
    """The newest published policy version."""
    return policy_remembered("current", lambda: ConsentPolicy.objects.order_by("-version").first())


def policy_material_version() -> int:
    """The newest material policy version (0 when none): consent given under an older one no longer counts."""
    return policy_remembered("material", lambda: ConsentPolicy.objects.filter(material=True).order_by("-version")
                             .values_list("version", flat=True).first() or 0)


def request_consent(request, *, site_key: str | None = None) -> ConsentState:
    """The consent a request's cookie proves on the site (the default site's key unless given) under the current
    policy (no consent without one)."""
    return consent_state_from_token(consent_cookie_token(request), site_key=default_site_key() if site_key is None
                                    else site_key, current_material_version=policy_material_version())


def policy_cache_clear() -> None:
    _policy_cache.clear()


def consent_record_latest(*, site_key: str, visitor_id: str = "", user_key: str = "",
                          visitor_ids: Collection[str] = ()) -> ConsentRecord | None:
    """The most recent consent choice on a site of the visitor, else of the user: recorded under the user's key or on
    any of `visitor_ids` (the devices the user was identified on), whichever came last."""
    records = ConsentRecord.objects.filter(site_key=site_key)
    if visitor_id:
        records = records.filter(visitor_id=visitor_id)
    elif user_key or visitor_ids:
        person = Q(visitor_id__in=list(visitor_ids))
        if user_key:
            person |= Q(user_key=user_key)
        records = records.filter(person)
    else:
        return None
    return records.order_by("-created_at", "-id").first()


def consent_state_recorded(*, site_key: str, visitor_id: str = "", user_key: str = "",
                           user_visitor_ids: Collection[str] = ()) -> ConsentState | None:
    """The consent the visitor last recorded, else the user's latest choice (recorded as such, or on any of
    `user_visitor_ids`, the devices the user was identified on), as it stands now: None when there is no record;
    no consent when it has expired or predates a material policy change."""
    record = consent_record_latest(site_key=site_key, visitor_id=visitor_id)
    if record is None and (user_key or user_visitor_ids):
        record = consent_record_latest(site_key=site_key, user_key=user_key, visitor_ids=user_visitor_ids)
    if record is None:
        return None
    given_at = int(record.created_at.timestamp())
    if time.time() - given_at > settings.ATTUNE["CONSENT_MAX_AGE_DAYS"] * 86400:
        return no_consent()
    if record.policy_version < policy_material_version():
        return no_consent()
    return ConsentState(granted=frozenset(record.granted), visitor_id=record.visitor_id,
                        policy_version=record.policy_version, given_at=given_at, explicit=True)


def withdrawal_latest_id(*, site_key: str) -> int:
    """The consent record id of the site's latest withdrawal (0 for none), kept in memory for a second: a token
    issued after it cannot be worth more than a later choice, so its batches need no further look."""
    return _withdrawal_cache.get(site_key, lambda: ConsentRecord.objects.filter(
        site_key=site_key, source=ConsentRecord.Source.WITHDRAWAL).order_by("-pk").values_list("pk", flat=True)
        .first() or 0)


def withdrawal_cache_clear() -> None:
    """Forget the remembered latest withdrawals (this process has just recorded one)."""
    _withdrawal_cache.clear()


def choices_latest_after(*, site_key: str, visitor_ids: Collection[str],
                         after_record_id: int) -> dict[str, tuple[int, frozenset[str]]]:
    """{visitor id: (record id, what it grants)} of the latest choice on the site of those of the visitors who chose
    after the consent record `after_record_id` (a token older than the latest choice is worth no more than it)."""
    if not visitor_ids:
        return {}
    records = (ConsentRecord.objects.filter(site_key=site_key, visitor_id__in=list(visitor_ids), pk__gt=after_record_id)
               .order_by("pk").values_list("visitor_id", "pk", "granted"))
    return {visitor_id: (pk, frozenset(granted)) for visitor_id, pk, granted in records}


def visitor_site_key(*, visitor_id: str) -> str:
    """The site a visitor made their latest recorded choice on ("" when none): where their data is, on a server of
    several sites whose pages name none."""
    if not visitor_id:
        return ""
    latest = ConsentRecord.objects.filter(visitor_id=visitor_id).order_by("-pk").values_list("site_key", flat=True)
    return latest.first() or ""
