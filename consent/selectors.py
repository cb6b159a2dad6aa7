"""Reads of consent policy and consent records."""

import time
from collections.abc import Collection

from django.conf import settings
from django.db.models import Q

from .models import ConsentPolicy, ConsentRecord
from .remembered import Remembered
from .state import ConsentState, consent_cookie_token, consent_state_from_token, no_consent

POLICY_CACHE_SECONDS = 10
_policy_cache = Remembered(seconds=POLICY_CACHE_SECONDS)


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


def request_consent(request) -> ConsentState:
    """The consent a request's cookie proves under the current policy (no consent without one)."""
    return consent_state_from_token(consent_cookie_token(request), current_material_version=policy_material_version())


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


def visitor_site_key(*, visitor_id: str) -> str:
    """The site a visitor made their latest recorded choice on ("" when none): where their data is, on a server of
    several sites whose pages name none."""
    if not visitor_id:
        return ""
    latest = ConsentRecord.objects.filter(visitor_id=visitor_id).order_by("-pk").values_list("site_key", flat=True)
    return latest.first() or ""
