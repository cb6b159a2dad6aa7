"""Where a visit came from and when it happened, as profile figures count them (pure).

The acquisition channel of a page view is read from its UTM parameters first (what the site's own campaigns
say), then from ad click ids, then from the referrer's host; no referrer is a direct visit. Parts of the day and
week are in UTC, the time events are stored in.
"""

from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

CHANNELS = ("search", "social", "email", "ads", "direct", "referral")
AD_MEDIUMS = frozenset({"cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "display", "cpm", "banner",
                        "ads", "ad", "paid_social", "paidsocial", "retargeting", "affiliate"})
EMAIL_MEDIUMS = frozenset({"email", "e-mail", "newsletter", "mail"})
SOCIAL_MEDIUMS = frozenset({"social", "social-network", "social_network", "sm", "organic_social"})
SEARCH_MEDIUMS = frozenset({"organic", "search"})
AD_CLICK_IDS = ("gclid", "gbraid", "wbraid", "msclkid", "fbclid", "ttclid", "dclid", "li_fat_id")
SEARCH_HOSTS = ("google.", "bing.", "duckduckgo.", "yahoo.", "baidu.", "yandex.", "ecosia.", "qwant.", "startpage.",
                "search.brave.", "naver.", "seznam.")
SOCIAL_HOSTS = ("facebook.", "fb.", "instagram.", "twitter.", "t.co", "x.com", "linkedin.", "lnkd.in", "reddit.",
                "pinterest.", "youtube.", "tiktok.", "threads.", "mastodon.", "bsky.", "whatsapp.", "telegram.",
                "vk.com", "snapchat.")
EMAIL_HOSTS = ("mail.", "outlook.", "webmail.", "gmx.", "proton.me")
DAYPARTS = ("night", "morning", "afternoon", "evening")  # 0-6 h, 6-12 h, 12-18 h, 18-24 h


def host_matches(host: str, patterns: tuple[str, ...]) -> bool:
    """Whether `host` is one of the named hosts: each pattern starts the host or one of its labels."""
    return any(host.startswith(pattern) or f".{pattern}" in host for pattern in patterns)


def source_matches(source: str, patterns: tuple[str, ...]) -> bool:
    """Whether a campaign source (`facebook`, `google.com`) names one of the hosts."""
    return bool(source) and (source in {pattern.rstrip(".") for pattern in patterns} or host_matches(source, patterns))


def campaign_channel(query: str) -> str:
    """The channel the page address's UTM parameters or ad click ids name ("" when they name none)."""
    params = {key.lower(): value.lower() for key, value in parse_qsl(query)}
    medium, source = params.get("utm_medium", ""), params.get("utm_source", "")
    if medium in AD_MEDIUMS or any(key in params for key in AD_CLICK_IDS):
        return "ads"
    if medium in EMAIL_MEDIUMS or source in EMAIL_MEDIUMS:
        return "email"
    if medium in SOCIAL_MEDIUMS or source_matches(source, SOCIAL_HOSTS):
        return "social"
    if medium in SEARCH_MEDIUMS or source_matches(source, SEARCH_HOSTS):
        return "search"
    return "referral" if medium or source else ""


@lru_cache(maxsize=4096)
def channel_of(url: str, referrer: str) -> str:
    """The acquisition channel of a page view at `url` reached from `referrer` (one of CHANNELS). A referrer on the
    page's own host is a visitor coming back from an earlier stay: direct."""
    parts = urlsplit(url)
    if parts.query:
        campaign = campaign_channel(parts.query)
        if campaign:
            return campaign
    if not referrer:
        return "direct"
    host = (urlsplit(referrer).hostname or "").lower()
    if not host or host == (parts.hostname or "").lower():
        return "direct"
    if host_matches(host, EMAIL_HOSTS):  # before search: mail.google.com is mail
        return "email"
    if host_matches(host, SEARCH_HOSTS):
        return "search"
    if host_matches(host, SOCIAL_HOSTS):
        return "social"
    return "referral"


def daypart(ts_ms: int) -> str:
    return DAYPARTS[datetime.fromtimestamp(ts_ms / 1000, UTC).hour // 6]


def weekpart(ts_ms: int) -> str:
    return "weekend" if datetime.fromtimestamp(ts_ms / 1000, UTC).weekday() >= 5 else "weekday"
