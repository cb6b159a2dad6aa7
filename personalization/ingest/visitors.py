"""Visitors and the profiles they belong to: created on first sight, stitched on identify.

Creation is race-free without locks: a profile is created for its first visitor with
INSERT ... ON CONFLICT DO NOTHING on (site, origin_visitor_id), so two workers that see
the same new visitor at once create one profile and one visitor row between them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ..collect.batch import CollectedBatch
from ..collect.segment import USER_VISITOR_PREFIX
from ..models import Profile, Session, Visitor
from .activity import datetime_to_ms
from .profile_rows import PROFILE_DEFAULTS
from .sql import execute_many, fetch, in_list, one_of, time_param

VISITOR_TABLE = Visitor._meta.db_table
PROFILE_TABLE = Profile._meta.db_table
SESSION_TABLE = Session._meta.db_table


@dataclass(slots=True)
class VisitorLink:
    profile_id: int
    is_bot: bool


def visitor_links(site_id: int, visitor_ids: list[str]) -> dict[str, VisitorLink]:
    where, params = one_of("visitor_id", visitor_ids)
    rows = fetch(f"SELECT visitor_id, profile_id, is_bot FROM {VISITOR_TABLE} WHERE site_id = %s AND {where}",
                 [site_id, *params])
    return {visitor_id: VisitorLink(profile_id, bool(is_bot)) for visitor_id, profile_id, is_bot in rows}


def visitors_resolve(*, site_id: int, first_seen: dict[str, tuple[datetime, bool]]) -> dict[str, VisitorLink]:
    """The profile of each visitor id in `first_seen` ({visitor_id: (first seen, is bot)}), creating what is missing."""
    ids = list(first_seen)
    links = visitor_links(site_id, ids)
    missing = sorted(visitor_id for visitor_id in ids if visitor_id not in links)
    if missing:
        profiles_create(site_id=site_id, visitor_ids=missing)
        where, params = one_of("origin_visitor_id", missing)
        profile_ids = dict(fetch(f"SELECT origin_visitor_id, id FROM {PROFILE_TABLE} WHERE site_id = %s AND {where}",
                                 [site_id, *params]))
        execute_many(
            f"INSERT INTO {VISITOR_TABLE} (site_id, visitor_id, profile_id, is_bot, first_seen) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (site_id, visitor_id) DO NOTHING",
            [(site_id, vid, profile_ids[vid], first_seen[vid][1], time_param(datetime_to_ms(first_seen[vid][0])))
             for vid in missing],
        )
        links.update(visitor_links(site_id, missing))
    return links


def profiles_create(*, site_id: int, visitor_ids: list[str]) -> None:
    columns = ["site_id", "origin_visitor_id", "updated_at", *PROFILE_DEFAULTS]
    now = time_param(datetime_to_ms(timezone.now()))
    execute_many(
        f"INSERT INTO {PROFILE_TABLE} ({', '.join(columns)}) VALUES ({in_list(columns)}) "
        "ON CONFLICT (site_id, origin_visitor_id) DO NOTHING",
        [(site_id, visitor_id, now, *PROFILE_DEFAULTS.values()) for visitor_id in visitor_ids],
    )


def profile_reassign(*, from_profile_id: int, to_profile_id: int) -> None:
    """Point every visitor and session of one profile at another (the first is then deleted by the caller)."""
    Visitor.objects.filter(profile_id=from_profile_id).update(profile_id=to_profile_id)
    Session.objects.filter(profile_id=from_profile_id).update(profile_id=to_profile_id)


def visitors_of_profile(profile_id: int) -> list[str]:
    return list(Visitor.objects.filter(profile_id=profile_id).values_list("visitor_id", flat=True))


def profile_user_lookup(*, site_id: int, user_keys: list[str]) -> dict[str, int]:
    if not user_keys:
        return {}
    return dict(Profile.objects.filter(site_id=site_id, user_key__in=user_keys).values_list("user_key", "id"))


def user_visitors_place(batches: list[CollectedBatch]) -> None:
    """Server events sent with a userId and no anonymousId come with a visitor made from the user ("u_…"). When that
    user's profile already has a browser visitor, they are placed with it instead: the one whose latest session
    started at or before the events (else the latest), so that a purchase a backend confirms lands in the session
    the visitor browsed in, converting it, rather than in a session of its own that leaves the browsing session
    counted as abandoned. A user never identified in a browser keeps the visitor made from the user id."""
    for batch in batches:
        if batch.source != "server" or not batch.visitor_id.startswith(USER_VISITOR_PREFIX) or not batch.events:
            continue
        user_key = next((event.user_key for event in batch.events if event.user_key), "")
        if not user_key:
            continue
        rows = fetch(
            f"SELECT s.visitor_id FROM {SESSION_TABLE} s JOIN {PROFILE_TABLE} p ON p.id = s.profile_id "
            f"WHERE p.site_id = %s AND p.user_key = %s "
            f"AND substr(s.visitor_id, 1, {len(USER_VISITOR_PREFIX)}) <> '{USER_VISITOR_PREFIX}' "
            "ORDER BY CASE WHEN s.started_at <= %s THEN 0 ELSE 1 END, s.started_at DESC LIMIT 1",
            [batch.site_id, user_key, time_param(min(event.ts_ms for event in batch.events))],
        )
        if rows:
            batch.visitor_id = rows[0][0]
