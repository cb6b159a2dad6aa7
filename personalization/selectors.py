"""What personalization lets others read: sites by key (kept in memory for a short time, read on the hot path),
the current visitor's profile, a site's profiles in chunks, and people's sessions and events. segments, rules and
demo read through here, never through collect/ or ingest/."""

import re
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from consent.models import ConsentRecord
from consent.remembered import Remembered
from consent.selectors import request_consent

from .figures import STATE_FIELDS as FIGURE_COLUMNS
from .figures import figure_columns
from .models import Event, Profile, Session, Site, Visitor, write_key_digest

SITE_CACHE_SECONDS = 30
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class SiteInfo:
    id: int
    public_key: str
    allowed_origins: frozenset[str]
    goals: tuple[str, ...]
    server_default_categories: frozenset[str]

    def origin_allowed(self, origin: str) -> bool:
        return "*" in self.allowed_origins or origin.rstrip("/").lower() in self.allowed_origins


# One cache per way of naming a site, each keyed by that name. Site changes reach every process within 30 s.
_by_public_key = Remembered(seconds=SITE_CACHE_SECONDS)
_by_id = Remembered(seconds=SITE_CACHE_SECONDS)
_by_write_key = Remembered(seconds=SITE_CACHE_SECONDS)
_default = Remembered(seconds=SITE_CACHE_SECONDS)
_origins = Remembered(seconds=SITE_CACHE_SECONDS)


def site_info(site: Site) -> SiteInfo:
    return SiteInfo(
        id=site.pk,
        public_key=site.public_key,
        allowed_origins=frozenset(origin.rstrip("/").lower() for origin in site.allowed_origins),
        goals=tuple(site.goals),
        server_default_categories=frozenset(site.server_default_categories),
    )


def _cached(cache: Remembered, key: str, load) -> SiteInfo | None:
    def info() -> SiteInfo | None:
        site = load()
        return site_info(site) if site else None

    return cache.get(key, info)


def site_for_public_key(public_key: str) -> SiteInfo | None:
    """The site a tracker key belongs to (None for an unknown key); cached for a few seconds."""
    if not KEY_PATTERN.match(public_key):
        return None  # not a key we could have made: no need to ask the database
    return _cached(_by_public_key, public_key, lambda: Site.objects.filter(public_key=public_key).first())


def site_for_write_key(write_key: str) -> SiteInfo | None:
    """The site a server write key belongs to (None for an unknown key)."""
    digest = write_key_digest(write_key)
    return _cached(_by_write_key, digest, lambda: Site.objects.filter(write_key_digest=digest).first())


def site_for_id(site_id: int) -> SiteInfo | None:
    return _cached(_by_id, str(site_id), lambda: Site.objects.filter(pk=site_id).first())


def site_default() -> SiteInfo | None:
    """The site pages belong to when they name none: ATTUNE["DEFAULT_SITE_KEY"]'s, else the only site there is
    (None when there is not exactly one). Cached like the others: every page render asks."""
    key = settings.ATTUNE["DEFAULT_SITE_KEY"]
    if key:
        return site_for_public_key(key)
    return _cached(_default, "", only_site)


def origin_of_some_site(origin: str) -> bool:
    """Whether any site allows `origin` (a preflight names no site); cached like the sites."""
    origins = _origins.get("", lambda: frozenset(
        allowed.rstrip("/").lower() for allowed_list in Site.objects.values_list("allowed_origins", flat=True)
        for allowed in allowed_list or ()))
    return "*" in origins or origin.rstrip("/").lower() in origins


def only_site() -> Site | None:
    sites = list(Site.objects.all()[:2])
    return sites[0] if len(sites) == 1 else None


def visitors_of_user(*, site_id: int, user_key: str) -> list[str]:
    """The visitors (devices) a site's user has been identified on."""
    return list(Visitor.objects.filter(site_id=site_id, profile__user_key=user_key).values_list("visitor_id", flat=True))


def site_cache_clear() -> None:
    _default.clear()
    _origins.clear()
    _by_id.clear()
    _by_public_key.clear()
    _by_write_key.clear()


# --- What other apps read (segments, rules, demo): the current visitor, a site's profiles, sessions and events ---

PERSONALIZATION = "personalization"  # the consent category that lets a profile be read to personalize
PROFILE_CHUNK_SIZE = 2000
FIGURE_STORAGE = {name: storage for name, storage, _ in figure_columns()}
_REQUEST_PROFILE = "_attune_profile"


def profile_for_visitor(*, site_id: int, visitor_id: str) -> Profile | None:
    """The profile of a site's visitor (None when the visitor has none, or is a bot)."""
    visitor = (Visitor.objects.select_related("profile").filter(site_id=site_id, visitor_id=visitor_id, is_bot=False)
               .first())
    return visitor.profile if visitor else None


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


def profile_rows_for_site(*, site_id: int, columns: tuple[str, ...], since=None,
                          consented_to: str | None = PERSONALIZATION, chunk_size: int = 10_000):
    """profiles_for_site's people as rows: chunks of (profile id, *figures named by `columns`) tuples (times in
    milliseconds since 1970, per-key counts as dicts), for reading millions of profiles without a model instance for
    each. On PostgreSQL one query streams them through a server-side cursor, consent checked in it."""
    site = site_for_id(site_id)
    if site is None:
        return
    unknown = [name for name in columns if name not in FIGURE_COLUMNS]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} are not profile figures (personalization/figures.py).")
    if connection.vendor == "postgresql":
        yield from profile_rows_postgresql(site=site, columns=columns, since=since, consented_to=consented_to,
                                           chunk_size=chunk_size)
        return
    last_id = 0
    while True:
        rows = Profile.objects.filter(site_id=site.id, pk__gt=last_id).exclude(visitors__is_bot=True).order_by("pk")
        if since is not None:
            rows = rows.filter(last_seen__gte=since)
        chunk = list(rows.values_list("pk", *columns)[:chunk_size])
        if not chunk:
            return
        last_id = chunk[-1][0]
        times = [i + 1 for i, name in enumerate(columns) if FIGURE_STORAGE[name] == "time"]
        if times:
            chunk = [tuple(v.timestamp() * 1000 if i in times and v is not None else v for i, v in enumerate(row))
                     for row in chunk]
        if consented_to is not None:
            kept = profile_ids_consented(site=site, profile_ids=[row[0] for row in chunk], category=consented_to)
            chunk = [row for row in chunk if row[0] in kept]
        if chunk:
            yield chunk


def profile_rows(*, site_id: int, profile_ids, columns: tuple[str, ...]) -> list[tuple]:
    """(profile id, *figures named by `columns`) of some of a site's people, as profile_rows_for_site gives them."""
    if connection.vendor != "postgresql":
        rows = Profile.objects.filter(site_id=site_id, pk__in=list(profile_ids)).order_by("pk")
        times = [i + 1 for i, name in enumerate(columns) if FIGURE_STORAGE[name] == "time"]
        return [tuple(v.timestamp() * 1000 if i in times and v is not None else v for i, v in enumerate(row))
                for row in rows.values_list("pk", *columns)]
    selected = ", ".join(f"(extract(epoch from {name}) * 1000)::float8" if FIGURE_STORAGE[name] == "time" else name
                         for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {selected} FROM personalization_profile WHERE site_id = %s AND id = ANY(%s) "
                       "ORDER BY id", [site_id, list(profile_ids)])
        rows = cursor.fetchall()
    json_at = [i + 1 for i, name in enumerate(columns) if FIGURE_STORAGE[name] == "json"]
    if json_at and rows and isinstance(rows[0][json_at[0]], str):
        rows = [json_decoded(row, json_at) for row in rows]
    return rows


def profile_rows_postgresql(*, site: SiteInfo, columns, since, consented_to, chunk_size: int):
    """The site's profiles with no bot among their devices (and, with `consented_to`, of whom a device's latest
    choice grants it), in id order, fetched `chunk_size` rows at a time from one server-side cursor."""
    params: list = []
    consented = ""
    if consented_to is not None:
        consented = (
            " AND p.id IN (SELECT v.profile_id FROM personalization_visitor v JOIN (SELECT DISTINCT ON (visitor_id) "
            "visitor_id, granted FROM consent_consentrecord WHERE site_key = %s ORDER BY visitor_id, created_at DESC, "
            "id DESC) latest ON latest.visitor_id = v.visitor_id WHERE v.site_id = %s AND latest.granted @> %s::jsonb)")
        params += [site.public_key, site.id, orjson.dumps([consented_to]).decode()]
    if since is not None:
        consented += " AND p.last_seen >= %s"
        params.append(since)
    selected = ", ".join(f"(extract(epoch from p.{name}) * 1000)::float8" if FIGURE_STORAGE[name] == "time" else f"p.{name}"
                         for name in columns)  # milliseconds: far cheaper to read than datetimes
    sql = (f"SELECT p.id, {selected} FROM personalization_profile p "
           "WHERE p.site_id = %s AND p.id NOT IN (SELECT profile_id FROM personalization_visitor WHERE site_id = %s "
           f"AND is_bot){consented} ORDER BY p.id")
    json_at = [i + 1 for i, name in enumerate(columns) if FIGURE_STORAGE[name] == "json"]
    with transaction.atomic(), connection.cursor() as outer:  # a named cursor lives in a transaction
        outer.execute("SELECT 1")
        with connection.connection.cursor(name="attune_profile_rows") as cursor:
            cursor.itersize = chunk_size
            cursor.execute(sql, [site.id, site.id, *params])
            while rows := cursor.fetchmany(chunk_size):
                if json_at and isinstance(rows[0][json_at[0]], str):
                    rows = [json_decoded(row, json_at) for row in rows]
                yield rows


def json_decoded(row: tuple, positions: list[int]) -> list:
    """A row whose JSON columns (at `positions`) came back as text, with them decoded."""
    row = list(row)
    for i in positions:
        row[i] = orjson.loads(row[i])
    return row


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
