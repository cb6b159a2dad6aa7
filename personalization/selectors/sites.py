"""Sites by key, kept in memory for a short time: read on the hot path and by views."""

import re
from dataclasses import dataclass

from django.conf import settings

from consent.remembered import Remembered

from ..models import Site, Visitor, write_key_digest

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
