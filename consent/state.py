"""A visitor's consent state and the signed token that carries it in a first-party cookie.

The token is Django's signed, timestamped JSON. Its payload is plain base64 so the tracker
can read the granted categories without a network round trip; only the server can make
one, and a forged, tampered or expired token reads as no consent at all. A token names the
site it was given on and counts on that site only (one made before tokens named their site
counts nowhere: the consent script asks again).
"""

import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from django.conf import settings
from django.core import signing

from .categories import required_keys

# A visitor id, as the consent script makes it (secrets.token_urlsafe) and every path checks it.
VISITOR_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
VISITOR_ID_PATTERN = "^[A-Za-z0-9_-]+$"
VISITOR_ID_MIN_LENGTH, VISITOR_ID_MAX_LENGTH = 8, 64


def visitor_id_valid(value: object) -> bool:
    """Whether `value` could be a visitor id: 8 to 64 letters, digits, '-' or '_'."""
    return (isinstance(value, str) and VISITOR_ID_MIN_LENGTH <= len(value) <= VISITOR_ID_MAX_LENGTH
            and set(value) <= VISITOR_ID_CHARACTERS)

TOKEN_SALT = "attune.consent.v1"  # noqa: S105 - a namespace, not a secret


@dataclass(frozen=True)
class ConsentState:
    granted: frozenset[str]
    visitor_id: str = ""
    policy_version: int = 0
    given_at: int = 0  # unix seconds of the recorded choice; 0 when there is none
    record_id: int = 0  # the consent record of that choice; a later record of the visitor's is a later choice
    explicit: bool = False  # True when the visitor made a recorded choice

    def allows(self, category: str) -> bool:
        return category in self.granted


def no_consent() -> ConsentState:
    """The strict default: only the categories that cannot be refused."""
    return ConsentState(granted=required_keys())


def consent_token_sign(*, site_key: str, visitor_id: str, granted: frozenset[str], policy_version: int,
                       given_at: int, record_id: int = 0) -> str:
    """A signed token for the cookie, valid on the site `site_key` only; `given_at` is the unix time of the choice,
    `record_id` its consent record."""
    payload = {"s": site_key, "v": visitor_id, "g": sorted(granted), "p": policy_version, "t": given_at, "r": record_id}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=False)


@lru_cache(maxsize=65536)
def _token_payload(token: str) -> tuple[str, frozenset[str], int, int, str, int] | None:
    # Verifying the signature is the costly part; tokens repeat for every batch a visitor
    # sends, so verified payloads are remembered (the expiry is checked on every read).
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
        return (str(payload["v"]), frozenset(str(key) for key in payload["g"]), int(payload["p"]), int(payload["t"]),
                str(payload.get("s", "")), int(payload.get("r", 0)))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def consent_cookie_token(request) -> str | None:
    """The signed token in a request's consent cookie (None without a request or a cookie): the only place the server
    reads that cookie. The token is written raw (its characters are all valid in a cookie); one written
    percent-encoded (`%3A` for `:`, as consent scripts once did) reads as the same token."""
    if request is None:
        return None
    token = request.COOKIES.get(settings.ATTUNE["CONSENT_COOKIE_NAME"])
    return unquote(token) if token and "%" in token else token


def token_visitor_id(token: object, *, site_key: str) -> str:
    """The visitor id a genuine token was issued for on the site, expired or not ("" for none, a forged or a tampered
    one, or one of another site): what proves that a request speaks for that visitor. A token made before tokens
    named their site still proves its visitor, so that choosing again keeps the visitor's history."""
    if not isinstance(token, str) or not token or len(token) > 2048:
        return ""
    parsed = _token_payload(token)
    return parsed[0] if parsed and parsed[4] in (site_key, "") else ""


def consent_state_from_token(token: str | None, *, site_key: str, current_material_version: int,
                             now: float | None = None) -> ConsentState:
    """The state a token proves on the site `site_key`, or no consent when it is missing, forged, expired, made for
    another site (or before tokens named their site) or predates a material policy change."""
    if not token or len(token) > 2048:
        return no_consent()
    parsed = _token_payload(token)
    if parsed is None or parsed[4] != site_key or not site_key:
        return no_consent()
    visitor_id, granted, policy_version, given_at, _, record_id = parsed
    max_age = settings.ATTUNE["CONSENT_MAX_AGE_DAYS"] * 86400
    if (now or time.time()) - given_at > max_age or policy_version < current_material_version:
        return no_consent()
    return ConsentState(
        granted=granted | required_keys(),
        visitor_id=visitor_id,
        policy_version=policy_version,
        given_at=given_at,
        record_id=record_id,
        explicit=True,
    )
