"""The one way a site's user id becomes the key profiles are linked by, and the proof a browser carries of it."""

import hashlib
import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

from ..selectors import site_for_public_key


def user_key_for(site: int | str, user_id: str) -> str:
    """How a site's user id is stored: a keyed hash, or as sent when ATTUNE["USER_ID_STORAGE"] is "plain". `site` is
    the site's id or its public key ("" for a key no site has)."""
    if isinstance(site, str):
        info = site_for_public_key(site)
        if info is None:
            return ""
        site = info.id
    if settings.ATTUNE["USER_ID_STORAGE"] == "plain":
        return user_id
    return salted_hmac("attune.user-id", f"{site}:{user_id}", algorithm="sha256").hexdigest()[:40]


def site_identity_secret(*, site_key: str) -> str:
    """The site's identity-verification secret: derived from SECRET_KEY and the site's public key, so there is nothing
    to store, and it changes with SECRET_KEY. A backend on another stack signs user ids with it."""
    return salted_hmac("attune.identity-secret", site_key, algorithm="sha256").hexdigest()


def user_signature(*, site_key: str, user_id: str) -> str:
    """The proof that the site's backend vouches for `user_id`: HMAC-SHA256 of the user id under the site's identity
    secret, in hex (what `data-user-sig` and an identify's `user_sig` carry)."""
    secret = site_identity_secret(site_key=site_key).encode()
    return hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()


def user_signature_valid(*, site_key: str, user_id: str, signature: str) -> bool:
    """Whether `signature` is the site backend's proof for `user_id` (compared in constant time)."""
    return bool(signature) and hmac.compare_digest(user_signature(site_key=site_key, user_id=user_id), signature)
