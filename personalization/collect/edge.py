"""Minimisation at the edge: strip sensitive query parameters, truncate addresses, classify clients.

Pure functions: the collector calls them before anything is stored or queued.
"""

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from consent.addresses import address_minimise

__all__ = ["address_minimise", "device_type", "is_bot_agent", "url_path", "url_strip"]

BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|headless|phantomjs|puppeteer|playwright|selenium|webdriver|"
    r"lighthouse|pagespeed|gtmetrix|pingdom|uptime|monitor|preview|facebookexternalhit|embedly|"
    r"python-requests|python-urllib|aiohttp|httpx|curl/|wget/|libwww|go-http-client|java/|okhttp|axios/|node-fetch|"
    r"^mozilla/5\.0$|^$",
    re.IGNORECASE,
)
TABLET_PATTERN = re.compile(r"ipad|tablet|kindle|silk/|playbook|(android(?!.*mobile))", re.IGNORECASE)
MOBILE_PATTERN = re.compile(r"mobi|iphone|ipod|android.*mobile|windows phone|blackberry|opera mini", re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_bot_agent(user_agent: str) -> bool:
    """True for crawlers, monitors, HTTP libraries and headless browsers that say so."""
    return bool(BOT_PATTERN.search(user_agent.strip()))


@lru_cache(maxsize=4096)
def device_type(user_agent: str) -> str:
    """A coarse device class: mobile, tablet or desktop."""
    if TABLET_PATTERN.search(user_agent):
        return "tablet"
    if MOBILE_PATTERN.search(user_agent):
        return "mobile"
    return "desktop"


def url_strip(url: str, *, denylist: frozenset[str], max_length: int) -> str:
    """`url` without denied query parameters and without its fragment's query-like parts, cut to max_length."""
    if "?" not in url and "#" not in url:
        return url[:max_length]
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    query = parts.query
    if query:
        kept = [(key, value) for key, value in parse_qsl(query, keep_blank_values=True) if key.lower() not in denylist]
        query = urlencode(kept)
    # A fragment can carry tokens too (OAuth implicit flows put access_token there).
    fragment = "" if "=" in parts.fragment else parts.fragment
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, fragment))[:max_length]


def url_path(url: str) -> str:
    """The path of a URL ("/" when it has none)."""
    if url.startswith("/"):
        return url.split("?", 1)[0].split("#", 1)[0]
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "/"
