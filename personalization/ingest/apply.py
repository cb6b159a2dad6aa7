"""Sessions and profiles brought up to date with newly stored events, in the same transaction.

Only events that were really inserted arrive here, so a replayed batch changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from ..models import Event, Profile
from .activity import CART_EVENTS, Activity, datetime_to_ms, ms_to_datetime
from .aggregate import ProfileState, cart_recompute, profile_add_activities, profile_add_sessions, profile_merge
from .channels import channel_of
from .devices import device_move, device_past_keep, user_profile_new
from .profile_rows import profiles_lock, profiles_write
from .session_rows import session_row, sessions_load, sessions_write
from .sessionize import sessions_apply
from .visitors import VisitorLink, profile_reassign, profile_user_lookup, visitors_of_profile, visitors_resolve

ACTIVITY_COLUMNS = ("ts", "event_id", "type", "name", "path", "referrer", "page_view_id", "category", "props", "device_type",
                    "url")


@dataclass(frozen=True)
class Identify:
    ts_ms: int
    event_id: str
    visitor_id: str
    user_key: str


def gap_ms() -> int:
    return settings.ATTUNE["SESSION_TIMEOUT_MINUTES"] * 60_000


def half_life_ms() -> int:
    return settings.ATTUNE["PROFILE_DECAY_HALF_LIFE_DAYS"] * 86_400_000


def activity_of(ts_ms: int, event_id: str, type_: str, name: str, url: str, path: str, referrer: str,
                page_view_id: str, category: str, props: dict, device_type: str) -> Activity:
    """The Activity of one stored event; a page view's acquisition channel is read from its address and referrer."""
    channel = channel_of(url, referrer) if type_ == "page_view" else ""
    return Activity(ts_ms, event_id, type_, name, path, referrer, page_view_id, category, props, device_type, channel)


def site_goals(site_goals) -> frozenset[str]:
    return frozenset(settings.ATTUNE["GOALS"]) | frozenset(site_goals)


def activities_from_rows(rows) -> list[Activity]:
    return [
        activity_of(datetime_to_ms(ts), str(event_id), type_, name, url, path, referrer, pv, category, props, device)
        for ts, event_id, type_, name, path, referrer, pv, category, props, device, url in rows
    ]


def activities_stored(*, site_id: int, visitor_ids: list[str], until_ms: int | None = None,
                      cart_only: bool = False) -> list[Activity]:
    """The stored events of these visitors (up to `until_ms`, only cart events when `cart_only`)."""
    events = Event.objects.filter(site_id=site_id, visitor_id__in=visitor_ids)
    if until_ms is not None:
        events = events.filter(ts__lte=ms_to_datetime(until_ms))
    if cart_only:
        events = events.filter(type="track", name__in=CART_EVENTS)
    return activities_from_rows(events.values_list(*ACTIVITY_COLUMNS))


def activities_apply(
    *, site_id: int, goals: frozenset[str], by_visitor: dict[str, list[Activity]], identifies: list[Identify],
    first_seen: dict,
) -> frozenset[int]:
    """Update sessions and profiles of one site for new events ({visitor_id: activities sorted by time}); returns
    the profiles whose figures changed (a profile merged away by an identify is gone, not changed)."""
    links = visitors_resolve(site_id=site_id, first_seen=first_seen)
    user_profiles = profile_user_lookup(site_id=site_id, user_keys=sorted({i.user_key for i in identifies}))
    locked = profiles_lock({link.profile_id for link in links.values()} | set(user_profiles.values()))
    states = {pk: state for pk, (state, _) in locked.items()}
    user_keys = {pk: user_key for pk, (_, user_key) in locked.items()}
    cart_stale: set[int] = set()
    identities_apply(site_id=site_id, identifies=identifies, links=links, states=states, user_keys=user_keys,
                     cart_stale=cart_stale, by_visitor=by_visitor)
    sessions_update(site_id=site_id, goals=goals, by_visitor=by_visitor, links=links, states=states)
    for visitor_id, activities in by_visitor.items():
        profile_id = links[visitor_id].profile_id
        if not profile_add_activities(states[profile_id], activities, goals, half_life_ms=half_life_ms()):
            cart_stale.add(profile_id)
    for profile_id in cart_stale:
        cart_recompute(states[profile_id], activities_stored(
            site_id=site_id, visitor_ids=visitors_of_profile(profile_id), cart_only=True))
    profiles_write(states)
    return frozenset(states)


def identities_apply(*, site_id, identifies, links, states, user_keys, cart_stale, by_visitor) -> None:
    """Link visitors to users; a visitor's anonymous profile merges into the user's existing one. Two known people
    never merge: a device identified as one user and then as another (a shared device) moves to the second from
    this batch on, and what it did before stays the first's."""
    for identify in sorted(identifies, key=lambda i: (i.ts_ms, i.event_id)):
        profile_id = links[identify.visitor_id].profile_id
        owner = next((pk for pk, key in user_keys.items() if key == identify.user_key), None)
        if owner == profile_id:
            continue
        if user_keys.get(profile_id) is not None:
            device_hand_over(site_id=site_id, identify=identify, links=links, states=states, user_keys=user_keys,
                             owner=owner, since_ms=min(identify.ts_ms, by_visitor[identify.visitor_id][0].ts_ms))
            continue
        if owner is None:
            user_keys[profile_id] = identify.user_key
            Profile.objects.filter(pk=profile_id).update(user_key=identify.user_key)
            continue
        profile_merge(states[owner], states.pop(profile_id))
        user_keys.pop(profile_id, None)
        profile_reassign(from_profile_id=profile_id, to_profile_id=owner)
        Profile.objects.filter(pk=profile_id).delete()
        for link in links.values():
            if link.profile_id == profile_id:
                link.profile_id = owner
        cart_stale.discard(profile_id)
        cart_stale.add(owner)


def device_hand_over(*, site_id, identify: Identify, links, states, user_keys, owner: int | None, since_ms: int) -> None:
    """Move a device identified as another user to `identify`'s user (their profile `owner`, else a new one): its
    events before `since_ms` stay with the profile it leaves, under a visitor id of their own."""
    link = links[identify.visitor_id]
    device_past_keep(site_id=site_id, visitor_id=identify.visitor_id, before_ms=since_ms, profile_id=link.profile_id)
    if owner is None:
        owner, states[owner] = user_profile_new(site_id=site_id, user_key=identify.user_key)
        user_keys[owner] = identify.user_key
    device_move(site_id=site_id, visitor_id=identify.visitor_id, to_profile_id=owner)
    link.profile_id = owner


def sessions_update(*, site_id: int, goals, by_visitor: dict[str, list[Activity]], links: dict[str, VisitorLink],
                    states: dict[int, ProfileState]) -> None:
    gap = gap_ms()
    windows = {vid: (acts[0].ts_ms, acts[-1].ts_ms) for vid, acts in by_visitor.items()}
    existing = sessions_load(site_id=site_id, windows=windows, gap_ms=gap)
    inserts, updates, deletes = [], [], []
    for visitor_id, activities in by_visitor.items():
        profile_id = links[visitor_id].profile_id
        change = sessions_apply(existing.get(visitor_id, []), activities, gap_ms=gap, goals=goals)
        deletes.extend(change.deletes)
        for summary in change.upserts:
            row = session_row(site_id, visitor_id, profile_id, summary)
            (updates.append((summary.id, row)) if summary.id is not None else inserts.append(row))
        profile_add_sessions(states[profile_id], before=change.before, after=change.upserts)
    sessions_write(inserts=inserts, updates=updates, deletes=deletes)


def activities_group(activities: list[tuple[str, Activity]]) -> dict[str, list[Activity]]:
    """{visitor_id: activities in time order} from (visitor_id, activity) pairs."""
    grouped: dict[str, list[Activity]] = defaultdict(list)
    for visitor_id, activity in activities:
        grouped[visitor_id].append(activity)
    for group in grouped.values():
        group.sort(key=lambda a: (a.ts_ms, a.event_id))
    return grouped
