"""The one way a site's user id becomes the key profiles are linked by."""

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
