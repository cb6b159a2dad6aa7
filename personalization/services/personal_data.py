"""Personalization's personal data, registered with consent's registry: export and erasure of a visitor's
(or a user's) events, sessions, profile, visitor rows, failed events and stream entries."""

import orjson
from django.conf import settings
from django.db import transaction

from consent.registry import Subject

from ..collect.entry import entry_decode
from ..ingest.redis_client import redis_client, redis_enabled
from ..models import Event, FailedEvent, Profile, Session, Site, Visitor
from .profiles import profiles_chunk_rebuild


def subject_with_devices(subject: Subject) -> Subject:
    """Add every visitor of the subject's profiles (a user's other devices) to the subject."""
    site = Site.objects.filter(public_key=subject.site_key).first()
    if site is None:
        return subject
    profiles = Profile.objects.filter(site=site, visitors__visitor_id__in=subject.visitor_ids)
    if subject.user_key:
        profiles = profiles | Profile.objects.filter(site=site, user_key=subject.user_key)
    visitor_ids = set(subject.visitor_ids) | set(
        Visitor.objects.filter(profile__in=profiles.distinct()).values_list("visitor_id", flat=True))
    return Subject(site_key=subject.site_key, visitor_ids=tuple(sorted(visitor_ids)), user_key=subject.user_key)


def visitor_user_key(site_key: str, visitor_id: str) -> str:
    """The stored user key of an identified visitor ("" for an anonymous one)."""
    key = Profile.objects.filter(site__public_key=site_key, visitors__visitor_id=visitor_id).values_list(
        "user_key", flat=True).first()
    return key or ""


def site_and_visitors(subject: Subject):
    return Site.objects.filter(public_key=subject.site_key).first(), list(subject.visitor_ids)


def events_export(subject: Subject) -> list[dict]:
    site, visitor_ids = site_and_visitors(subject)
    events = Event.objects.filter(site=site, visitor_id__in=visitor_ids).order_by("ts")
    return [
        {"id": str(e.event_id), "visitor": e.visitor_id, "type": e.type, "name": e.name, "at": e.ts.isoformat(),
         "url": e.url, "referrer": e.referrer, "category": e.category, "props": e.props, "dimensions": e.dimensions,
         "source": e.source, "consent": e.consent, "purpose": e.purpose, "device": e.device_type}
        for e in events.iterator()
    ]


def sessions_export(subject: Subject) -> list[dict]:
    site, visitor_ids = site_and_visitors(subject)
    return [
        {"visitor": s.visitor_id, "started": s.started_at.isoformat(), "ended": s.ended_at.isoformat(),
         "pageviews": s.pageviews, "engaged_ms": s.engaged_ms, "entry": s.entry_path, "exit": s.exit_path,
         "conversions": s.conversions, "abandoned": s.abandoned}
        for s in Session.objects.filter(site=site, visitor_id__in=visitor_ids).order_by("started_at")
    ]


def profiles_export(subject: Subject) -> list[dict]:
    site, visitor_ids = site_and_visitors(subject)
    fields = [f.name for f in Profile._meta.fields if f.name not in {"id", "site", "origin_visitor_id"}]
    profiles = Profile.objects.filter(site=site, visitors__visitor_id__in=visitor_ids).distinct()
    return [
        {**{name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in row.items()},
         "visitors": sorted(Visitor.objects.filter(profile_id=row["pk"]).values_list("visitor_id", flat=True))}
        for row in profiles.values("pk", *fields)
    ]


def failed_events_export(subject: Subject) -> list[dict]:
    site, visitor_ids = site_and_visitors(subject)
    return list(FailedEvent.objects.filter(site=site, visitor_id__in=visitor_ids)
                .values("reason", "detail", "payload", "received_at"))


def stored_export(subject: Subject) -> dict:
    return {"events": events_export(subject), "sessions": sessions_export(subject),
            "profiles": profiles_export(subject), "failed_events": failed_events_export(subject)}


@transaction.atomic
def stored_erase(subject: Subject) -> int:
    """Events, sessions, failed events and visitor rows; profiles go too, or are rebuilt from the visitors
    that remain when they were shared with someone else's device (never, for a user's own devices)."""
    site, visitor_ids = site_and_visitors(subject)
    if site is None:
        return 0
    touched = list(Profile.objects.filter(site=site, visitors__visitor_id__in=visitor_ids).values_list("pk", flat=True)
                   .distinct())
    erased = Event.objects.filter(site=site, visitor_id__in=visitor_ids).delete()[0]
    erased += Session.objects.filter(site=site, visitor_id__in=visitor_ids).delete()[0]
    erased += FailedEvent.objects.filter(site=site, visitor_id__in=visitor_ids).delete()[0]
    erased += Visitor.objects.filter(site=site, visitor_id__in=visitor_ids).delete()[0]
    emptied = [pk for pk in touched if not Visitor.objects.filter(profile_id=pk).exists()]
    erased += Profile.objects.filter(pk__in=emptied).delete()[0]
    remaining = [pk for pk in touched if pk not in emptied]
    if remaining:
        from ..ingest.apply import site_goals

        profiles_chunk_rebuild(site=site, goals=site_goals(site.goals), profile_ids=remaining)
    return erased


@transaction.atomic
def purposes_erase(subject: Subject, purposes: frozenset[str]) -> int:
    """The subject's events collected for one of `purposes` alone (a withdrawn marketing, say); the profiles they
    counted in are rebuilt from what remains."""
    site, visitor_ids = site_and_visitors(subject)
    if site is None:
        return 0
    events = Event.objects.filter(site=site, visitor_id__in=visitor_ids, purpose__in=sorted(purposes))
    if not events.exists():
        return 0
    erased = events.delete()[0]
    touched = list(Profile.objects.filter(site=site, visitors__visitor_id__in=visitor_ids).values_list("pk", flat=True)
                   .distinct())
    from ..ingest.apply import site_goals

    profiles_chunk_rebuild(site=site, goals=site_goals(site.goals), profile_ids=touched)
    return erased


def stream_export(subject: Subject) -> list[dict]:
    return [{"entry": entry_id, "events": len(batch.events)} for entry_id, batch in stream_entries_of(subject)]


def stream_erase(subject: Subject) -> int:
    """Entries still waiting in the Redis stream (an entry holds one visitor's batch)."""
    entries = [entry_id for entry_id, _ in stream_entries_of(subject)]
    if entries:
        redis_client().xdel(settings.ATTUNE["STREAM_KEY"], *entries)
    return len(entries)


def stream_entries_of(subject: Subject):
    if not redis_enabled():
        return
    client, key, wanted = redis_client(), settings.ATTUNE["STREAM_KEY"], set(subject.visitor_ids)
    start = "-"
    while True:
        chunk = client.xrange(key, min=start, count=1000)
        for entry_id, fields in chunk:
            try:
                batch = entry_decode(fields[b"b"])
            except (KeyError, ValueError, TypeError, orjson.JSONDecodeError):
                continue
            if batch.site_key == subject.site_key and batch.visitor_id in wanted:
                yield entry_id.decode(), batch
        if len(chunk) < 1000:
            return
        start = "(" + chunk[-1][0].decode()
