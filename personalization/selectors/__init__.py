"""What personalization lets others read: sites by key (kept in memory for a short time, read on the hot path),
the current visitor's profile, a site's profiles in chunks or as rows of figures, and people's sessions and events.
segments, rules and demo read through here, never through collect/ or ingest/."""

from .people import (
    PERSONALIZATION,
    PROFILE_CHUNK_SIZE,
    consented_visitors,
    events_for_profile,
    events_for_site,
    profile_for_request,
    profile_for_visitor,
    profile_ids_consented,
    profile_ids_of_visitors,
    profiles_consented,
    profiles_for_site,
    sessions_for_profile,
    visitors_of_profiles,
)
from .rows import FIGURE_STORAGE, profile_rows, profile_rows_for_site
from .sites import (
    KEY_PATTERN,
    SITE_CACHE_SECONDS,
    SiteInfo,
    only_site,
    origin_of_some_site,
    site_cache_clear,
    site_default,
    site_for_id,
    site_for_public_key,
    site_for_write_key,
    site_info,
    visitors_of_user,
)

__all__ = [
    "FIGURE_STORAGE", "KEY_PATTERN", "PERSONALIZATION", "PROFILE_CHUNK_SIZE", "SITE_CACHE_SECONDS", "SiteInfo",
    "consented_visitors", "events_for_profile", "events_for_site", "only_site", "origin_of_some_site",
    "profile_for_request", "profile_for_visitor", "profile_ids_consented", "profile_ids_of_visitors", "profile_rows",
    "profile_rows_for_site", "profiles_consented", "profiles_for_site", "sessions_for_profile", "site_cache_clear",
    "site_default", "site_for_id", "site_for_public_key", "site_for_write_key", "site_info", "visitors_of_profiles",
    "visitors_of_user",
]
