"""Recomputing sessions and profiles from stored events (the check on the incremental path)."""

from collections import defaultdict

from django.db import transaction

from ..ingest.aggregate import profile_from_scratch
from ..ingest.apply import activities_stored, gap_ms, half_life_ms, site_goals
from ..ingest.profile_rows import profiles_lock, profiles_write
from ..ingest.session_rows import session_row, sessions_write
from ..ingest.sessionize import sessions_from_activities
from ..models import Event, Profile, Session, Site, Visitor
from ..signals import events_stored
from .sessions import sessions_close_past


def profiles_rebuild(*, site: Site | None = None, chunk_size: int = 200) -> int:
    """Recompute every profile (of `site`, or of all sites) and its sessions from stored events; returns how many."""
    sites = [site] if site else list(Site.objects.all())
    rebuilt = 0
    for one_site in sites:
        goals = site_goals(one_site.goals)
        profile_ids = list(Profile.objects.filter(site=one_site).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(profile_ids), chunk_size):
            rebuilt += profiles_chunk_rebuild(site=one_site, goals=goals, profile_ids=profile_ids[start:start + chunk_size])
    return rebuilt


@transaction.atomic
def profiles_chunk_rebuild(*, site: Site, goals: frozenset[str], profile_ids: list[int]) -> int:
    # Locked before any event is read, as ingestion locks profiles before it updates them: a drain storing events of
    # these people meanwhile waits for this commit and then adds to what was rebuilt, instead of being overwritten.
    profile_ids = sorted(profiles_lock(set(profile_ids)))  # those merged away since they were listed are gone
    visitors = defaultdict(list)
    for visitor_id, profile_id in Visitor.objects.filter(profile_id__in=profile_ids).values_list("visitor_id", "profile_id"):
        visitors[profile_id].append(visitor_id)
    Session.objects.filter(profile_id__in=profile_ids).delete()
    states, session_rows = {}, []
    gap = gap_ms()
    for profile_id in profile_ids:
        activities, sessions = [], []
        for visitor_id in sorted(visitors[profile_id]):
            mine = activities_stored(site_id=site.pk, visitor_ids=[visitor_id])
            visitor_sessions = sessions_from_activities(mine, gap_ms=gap, goals=goals)
            session_rows.extend(session_row(site.pk, visitor_id, profile_id, s) for s in visitor_sessions)
            activities.extend(mine)
            sessions.extend(visitor_sessions)
        states[profile_id] = profile_from_scratch(activities, sessions, goals, half_life_ms=half_life_ms())
    sessions_write(inserts=session_rows, updates=[], deletes=[])
    for profile_id in sessions_close_past(Session.objects.filter(profile_id__in=profile_ids)):
        states[profile_id].abandoned_sessions += 1
    profiles_write(states)
    transaction.on_commit(lambda: events_stored.send(sender=Event, site_id=site.pk, profile_ids=frozenset(states)))
    return len(profile_ids)
