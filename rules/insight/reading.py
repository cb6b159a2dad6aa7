"""Reading stored visits for insight, in bounded chunks: each visitor's page views and actions in time order, who
the visitors are (bot or not, first visit, segments) and their sessions' per-page figures."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from personalization.models import Event, Session, Visitor
from segments.models import Membership

from .paths import Hit

PAGE_VIEW = "page_view"
HIT_TYPES = (PAGE_VIEW, "track", "form_submit")  # what paths and funnels are made of
CHUNK = 5000  # events per query
MAX_VISITOR_HITS = 50_000  # a visitor with more in the range (a robot, surely) is read only this far
HIT_FIELDS = ("visitor_id", "ts", "type", "name", "path", "page_view_id", "props__page_type")


def session_gap_ms() -> int:
    """The inactivity that ends a session, as sessions are cut when stored."""
    return settings.ATTUNE["SESSION_TIMEOUT_MINUTES"] * 60_000


def hit_of(row: tuple) -> Hit:
    _, ts, type_, name, path, page_view_id, page_type = row
    ts_ms = int(ts.timestamp() * 1000)
    if type_ == PAGE_VIEW:
        return Hit(ts_ms, path, page_type if isinstance(page_type, str) else "", "", page_view_id)
    return Hit(ts_ms, path, "", name or type_, page_view_id)


def hits_grouped(rows: list[tuple]) -> list[tuple[str, list[Hit]]]:
    grouped: dict[str, list[Hit]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(hit_of(row))
    return list(grouped.items())


def visitor_hits(*, site_id: int, since: datetime, until: datetime,
                 chunk_size: int = CHUNK) -> Iterator[list[tuple[str, list[Hit]]]]:
    """Chunks of (visitor id, their page views and actions in [since, until) in time order), each visitor whole
    within one chunk. Keyset-paged on the (site, visitor, time) index: memory stays at one chunk."""
    events = (Event.objects.filter(site_id=site_id, ts__gte=since, ts__lt=until, type__in=HIT_TYPES)
              .order_by("visitor_id", "ts", "id"))
    after = None
    while True:
        page = events if after is None else events.filter(visitor_id__gt=after)
        rows = list(page.values_list(*HIT_FIELDS)[:chunk_size])
        if not rows:
            return
        after = rows[-1][0]
        if len(rows) == chunk_size:  # the last visitor may go on in the next page: read them whole then
            whole = [row for row in rows if row[0] != after]
            if whole:
                rows, after = whole, whole[-1][0]
            else:
                rows = list(events.filter(visitor_id=after).values_list(*HIT_FIELDS)[:MAX_VISITOR_HITS])
        yield hits_grouped(rows)


def hit_count(*, site_id: int, since: datetime, until: datetime) -> int:
    """How many events visitor_hits will read (for progress)."""
    return Event.objects.filter(site_id=site_id, ts__gte=since, ts__lt=until, type__in=HIT_TYPES).count()


@dataclass(frozen=True, slots=True)
class Person:
    """What insight needs to know of a visitor: bot or not, the day of their first visit and their segments."""

    is_bot: bool
    first_visit: date
    segments: frozenset[str]


def people(*, site_id: int, visitor_ids: list[str]) -> dict[str, Person]:
    """The visitors among visitor_ids that are stored, with the (not retired) segments their profile is in."""
    devices = list(Visitor.objects.filter(site_id=site_id, visitor_id__in=visitor_ids)
                   .values_list("visitor_id", "profile_id", "first_seen", "is_bot"))
    slugs: dict[int, set[str]] = defaultdict(set)
    memberships = Membership.objects.filter(profile_id__in={row[1] for row in devices}, segment__site_id=site_id,
                                            segment__retired=False).values_list("profile_id", "segment__slug")
    for profile_id, slug in memberships:
        slugs[profile_id].add(slug)
    return {visitor_id: Person(is_bot, first_seen.date(), frozenset(slugs[profile_id]))
            for visitor_id, profile_id, first_seen, is_bot in devices}


@dataclass(frozen=True, slots=True)
class SessionPages:
    """One stored session of a visitor: its per-page-view figures (Session.pages) and where it ended."""

    pages: dict
    exit_path: str
    exit_at: datetime | None


def sessions_pages(*, site_id: int, visitor_ids: list[str], since: datetime,
                   until: datetime) -> dict[str, list[SessionPages]]:
    """The visitors' stored sessions overlapping [since, until), by visitor."""
    rows = (Session.objects.filter(site_id=site_id, visitor_id__in=visitor_ids, started_at__lt=until,
                                   ended_at__gte=since)
            .values_list("visitor_id", "pages", "exit_path", "exit_at"))
    found: dict[str, list[SessionPages]] = defaultdict(list)
    for visitor_id, pages, exit_path, exit_at in rows:
        found[visitor_id].append(SessionPages(pages or {}, exit_path, exit_at))
    return found
