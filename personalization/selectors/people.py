"""People: the current visitor's profile, a site's profiles in chunks, a person's sessions and events."""

import functools

from django.db.models import Q

from consent.models import ConsentRecord
from consent.selectors import request_consent

from ..models import Event, Profile, Session, Visitor
from .sites import SiteInfo, site_default, site_for_id

PERSONALIZATION = "personalization"  # the consent category that lets a profile be read to personalize
PROFILE_CHUNK_SIZE = 2000
_REQUEST_PROFILE = "_attune_profile"


@functools.cache
def _profile_of_visitor_sql() -> str:
    profiles, visitors = Profile._meta.db_table, Visitor._meta.db_table
    return (f"SELECT p.* FROM {profiles} p JOIN {visitors} v ON v.profile_id = p.id "
            "WHERE v.site_id = %s AND v.visitor_id = %s AND NOT v.is_bot")


def profile_for_visitor(*, site_id: int, visitor_id: str) -> Profile | None:
    """The profile of a site's visitor (None when the visitor has none, or is a bot). One plain query, as /decide
    asks on every page view: the ORM's compiling of the same join over a profile's hundred columns cost 0.5 ms more
    than running it."""
    return next(iter(Profile.objects.raw(_profile_of_visitor_sql(), [site_id, visitor_id])), None)


def profile_for_request(request, *, site: SiteInfo | None = None) -> Profile | None:
    """The current visitor's profile on `site` (the default site when None): None without personalization consent
    or without a profile. Read once per request and kept on it."""
    if hasattr(request, _REQUEST_PROFILE):
        return getattr(request, _REQUEST_PROFILE)
    profile = None
    site = site or site_default()
    state = request_consent(request, site_key=site.public_key) if site is not None else None
    if state is not None and state.visitor_id and state.allows(PERSONALIZATION):
        profile = profile_for_visitor(site_id=site.id, visitor_id=state.visitor_id)
    setattr(request, _REQUEST_PROFILE, profile)
    return profile


def consented_visitors(*, site_key: str, visitor_ids: list[str], category: str) -> set[str]:
    """Those of the visitors whose latest recorded choice on the site grants `category`."""
    latest: dict[str, tuple] = {}
    rows = (ConsentRecord.objects.filter(site_key=site_key, visitor_id__in=visitor_ids)
            .values_list("visitor_id", "created_at", "id", "granted"))
    for visitor_id, created_at, pk, granted in rows:
        if visitor_id not in latest or (created_at, pk) > latest[visitor_id][:2]:
            latest[visitor_id] = (created_at, pk, granted)
    return {visitor_id for visitor_id, (_, _, granted) in latest.items() if category in granted}


def profiles_for_site(*, site_id: int, since=None, consented_to: str | None = PERSONALIZATION,
                      chunk_size: int = PROFILE_CHUNK_SIZE):
    """A site's profiles in chunks (lists, in id order), bots left out: those active since `since` (a datetime)
    and, unless `consented_to` is None, of a person one of whose devices last chose to grant that category. Memory
    stays at one chunk, however many profiles there are."""
    site = site_for_id(site_id)
    if site is None:
        return
    profiles = Profile.objects.filter(site_id=site_id).exclude(visitors__is_bot=True).order_by("pk")
    if since is not None:
        profiles = profiles.filter(last_seen__gte=since)
    last_id = 0
    while True:
        chunk = list(profiles.filter(pk__gt=last_id)[:chunk_size])
        if not chunk:
            return
        last_id = chunk[-1].pk
        if consented_to is not None:
            chunk = profiles_consented(site=site, profiles=chunk, category=consented_to)
        if chunk:
            yield chunk


def profiles_consented(*, site: SiteInfo, profiles: list[Profile], category: str) -> list[Profile]:
    kept = profile_ids_consented(site=site, profile_ids=[profile.pk for profile in profiles], category=category)
    return [profile for profile in profiles if profile.pk in kept]


def profile_ids_consented(*, site: SiteInfo, profile_ids: list[int], category: str) -> set[int]:
    """Those of the people one of whose devices last chose to grant `category` on the site."""
    devices: dict[str, int] = dict(Visitor.objects.filter(profile_id__in=profile_ids)
                                   .values_list("visitor_id", "profile_id"))
    allowed = consented_visitors(site_key=site.public_key, visitor_ids=list(devices), category=category)
    return {devices[visitor_id] for visitor_id in allowed}


def sessions_for_profile(*, profile_id: int, since=None, limit: int = 100) -> list[Session]:
    """A person's latest sessions, newest first."""
    sessions = Session.objects.filter(profile_id=profile_id)
    if since is not None:
        sessions = sessions.filter(started_at__gte=since)
    return list(sessions.order_by("-started_at")[:limit])


def events_for_profile(*, profile_id: int, since=None, types: list[str] | None = None, limit: int = 500) -> list[Event]:
    """A person's latest events on every device, newest first."""
    profile = Profile.objects.filter(pk=profile_id).values_list("site_id", flat=True).first()
    if profile is None:
        return []
    visitor_ids = list(Visitor.objects.filter(profile_id=profile_id).values_list("visitor_id", flat=True))
    events = Event.objects.filter(site_id=profile, visitor_id__in=visitor_ids)
    if since is not None:
        events = events.filter(ts__gte=since)
    if types:
        events = events.filter(type__in=types)
    return list(events.order_by("-ts")[:limit])


def events_for_site(*, site_id: int, since=None, until=None, types: list[str] | None = None, chunk_size: int = 5000):
    """A site's events in time order, in chunks (lists of Event), for scheduled jobs that read them all."""
    events = Event.objects.filter(site_id=site_id)
    if since is not None:
        events = events.filter(ts__gte=since)
    if until is not None:
        events = events.filter(ts__lt=until)
    if types:
        events = events.filter(type__in=types)
    last = None
    while True:
        page = events.order_by("ts", "pk")
        if last is not None:
            page = page.filter(Q(ts__gt=last[0]) | Q(ts=last[0], pk__gt=last[1]))
        chunk = list(page[:chunk_size])
        if not chunk:
            return
        last = (chunk[-1].ts, chunk[-1].pk)
        yield chunk


def profile_ids_of_visitors(*, site_key: str, visitor_ids) -> list[int]:
    """The profiles (people) a site's visitors belong to."""
    return list(Visitor.objects.filter(site__public_key=site_key, visitor_id__in=list(visitor_ids))
                .values_list("profile_id", flat=True).distinct())


def visitors_of_profiles(profile_ids) -> list[tuple[int, str]]:
    """The (site id, visitor id) of every device of these profiles (people)."""
    return list(Visitor.objects.filter(profile_id__in=list(profile_ids)).values_list("site_id", "visitor_id"))
