"""Deciding that sessions have ended, and whether they ended with an abandoned cart."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone

from ..models import Session
from ..signals import sessions_ended

# Items were added after the session's last purchase and not bought.
ABANDONED = Case(When(cart_net__gt=0, then=Value(True)), default=Value(False))


def session_timeout() -> timedelta:
    return timedelta(minutes=settings.ATTUNE["SESSION_TIMEOUT_MINUTES"])


def sessions_close_idle(*, now=None, batch_size: int = 5000) -> int:
    """Close sessions whose last event is older than the session timeout; returns how many were closed.
    A closed session with items added after its last purchase is marked abandoned."""
    now = now or timezone.now()
    closed = 0
    while True:
        with transaction.atomic():
            ids = list(Session.objects.filter(closed_at__isnull=True, ended_at__lt=now - session_timeout())
                       .order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            Session.objects.filter(pk__in=ids).update(closed_at=now, abandoned=ABANDONED)
            abandoned = list(Session.objects.filter(pk__in=ids, abandoned=True).values_list("pk", flat=True))
            transaction.on_commit(
                lambda ids=ids, abandoned=abandoned: sessions_ended.send(
                    sender=Session, session_ids=ids, abandoned_ids=abandoned)
            )
        closed += len(ids)
    return closed


def sessions_close_past(sessions: QuerySet, *, now=None) -> None:
    """Close sessions recomputed from stored events (profiles_rebuild) that ended more than the timeout ago, as
    sessions_close_idle once did: a timeout after their last event, abandoned by the same rule. They are not
    announced again: sessions_ended went out when they first closed."""
    timeout = session_timeout()
    sessions.filter(ended_at__lt=(now or timezone.now()) - timeout).update(
        closed_at=F("ended_at") + timeout, abandoned=ABANDONED)
