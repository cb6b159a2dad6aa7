"""Deciding that sessions have ended, and whether they ended with an abandoned cart."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ..ingest.activity import datetime_to_ms
from ..ingest.aggregate import cart_items_at
from ..ingest.apply import activities_stored
from ..ingest.profile_rows import profiles_lock
from ..models import Profile, Session, Visitor
from ..signals import sessions_ended


def session_timeout() -> timedelta:
    return timedelta(minutes=settings.ATTUNE["SESSION_TIMEOUT_MINUTES"])


def sessions_close_idle(*, now=None, batch_size: int = 5000) -> int:
    """Close sessions whose last event is older than the session timeout; returns how many were closed.
    A closed session that changed the cart and ended with items in it is marked abandoned, and counted in its
    profile's abandoned_sessions."""
    now = now or timezone.now()
    closed = 0
    while True:
        with transaction.atomic():
            idle = Session.objects.filter(closed_at__isnull=True, ended_at__lt=now - session_timeout())
            profile_ids = set(idle.order_by("pk").values_list("profile_id", flat=True)[:batch_size])
            if not profile_ids:
                break
            # Profiles first, in id order, as ingestion takes them before it touches their sessions: a drain
            # reopening one of these sessions meanwhile waits, or has committed and left it out of `idle` below.
            profiles_lock(profile_ids)
            ids = list(idle.filter(profile_id__in=profile_ids).order_by("pk").values_list("pk", flat=True))
            abandoned = sessions_abandoned(ids)
            Session.objects.filter(pk__in=ids).update(closed_at=now, abandoned=False)
            Session.objects.filter(pk__in=abandoned).update(abandoned=True)
            profiles_count_abandoned(abandoned)
            transaction.on_commit(
                lambda ids=ids, abandoned=abandoned: sessions_ended.send(
                    sender=Session, session_ids=ids, abandoned_ids=abandoned)
            )
        closed += len(ids)
    return closed


def profiles_count_abandoned(session_ids: list[int]) -> None:
    """Add the sessions just decided abandoned to their profiles' abandoned_sessions."""
    per_profile = Counter(Session.objects.filter(pk__in=session_ids).values_list("profile_id", flat=True))
    for profile_id, n in per_profile.items():
        Profile.objects.filter(pk=profile_id).update(abandoned_sessions=F("abandoned_sessions") + n)


def sessions_close_past(sessions: QuerySet, *, now=None) -> list[int]:
    """Close sessions recomputed from stored events (profiles_rebuild) that ended more than the timeout ago, as
    sessions_close_idle once did: a timeout after their last event, abandoned by the same rule, from every cart
    event stored by now (one that arrived after a session closed, from another device say, can change what was
    decided then). They are not announced again: sessions_ended went out when they first closed. Returns the
    profile id of each session found abandoned, for the caller's figures."""
    timeout = session_timeout()
    past = sessions.filter(ended_at__lt=(now or timezone.now()) - timeout)
    abandoned = sessions_abandoned(list(past.values_list("pk", flat=True)))
    past.update(closed_at=F("ended_at") + timeout, abandoned=False)
    Session.objects.filter(pk__in=abandoned).update(abandoned=True)
    return list(Session.objects.filter(pk__in=abandoned).values_list("profile_id", flat=True))


def sessions_abandoned(session_ids: list[int]) -> list[int]:
    """Those of the sessions that added to or removed from the cart and ended with items in it: the cart of the
    session's person (every device of theirs), as it stood at the session's last event. A session that only
    browsed while an old cart waited does not count again; one that bought what it added does not count."""
    candidates = list(Session.objects.filter(pk__in=session_ids, cart_changes__gt=0)
                      .values_list("pk", "site_id", "profile_id", "ended_at"))
    latest: dict[tuple[int, int], int] = {}  # (site, profile): the last of its sessions' ends
    for _, site_id, profile_id, ended_at in candidates:
        latest[(site_id, profile_id)] = max(latest.get((site_id, profile_id), 0), datetime_to_ms(ended_at))
    visitors: dict[tuple[int, int], list[str]] = defaultdict(list)
    for site_id, visitor_id, profile_id in (Visitor.objects.filter(profile_id__in={c[2] for c in candidates})
                                            .values_list("site_id", "visitor_id", "profile_id")):
        visitors[(site_id, profile_id)].append(visitor_id)
    carts = {person: activities_stored(site_id=person[0], visitor_ids=visitors[person], cart_only=True, until_ms=until)
             for person, until in latest.items()}
    return [pk for pk, site_id, profile_id, ended_at in candidates
            if cart_items_at(carts.get((site_id, profile_id), []), datetime_to_ms(ended_at)) > 0]
