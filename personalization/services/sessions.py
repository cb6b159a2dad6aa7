"""Deciding that sessions have ended, and whether they ended with an abandoned cart."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Session
from ..signals import sessions_ended


def sessions_close_idle(*, now=None, batch_size: int = 5000) -> int:
    """Close sessions whose last event is older than the session timeout; returns how many were closed.
    A closed session with items added after its last purchase is marked abandoned."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.ATTUNE["SESSION_TIMEOUT_MINUTES"])
    closed = 0
    while True:
        with transaction.atomic():
            rows = list(
                Session.objects.filter(closed_at__isnull=True, ended_at__lt=cutoff)
                .order_by("pk").values_list("pk", "cart_net")[:batch_size]
            )
            if not rows:
                break
            ids = [pk for pk, _ in rows]
            abandoned = [pk for pk, cart_net in rows if cart_net > 0]
            Session.objects.filter(pk__in=ids).update(closed_at=now, abandoned=False)
            Session.objects.filter(pk__in=abandoned).update(abandoned=True)
            transaction.on_commit(
                lambda ids=ids, abandoned=abandoned: sessions_ended.send(
                    sender=Session, session_ids=ids, abandoned_ids=abandoned)
            )
        closed += len(ids)
    return closed
