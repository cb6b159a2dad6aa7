"""Creating sites and rotating their keys."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from ..models import Site, new_write_key


@dataclass(frozen=True)
class SiteKeys:
    site: Site
    write_key: str  # shown once: only its digest is stored


def origin_normalize(origin: str) -> str:
    """An origin as browsers send it (scheme://host[:port]), or a ValidationError saying what is wrong."""
    origin = origin.strip().rstrip("/")
    if origin == "*":
        return origin
    try:
        URLValidator(schemes=["http", "https"])(origin)
    except ValidationError:
        raise ValidationError(f"{origin!r} is not an origin: write it as https://www.example.com") from None
    scheme, _, rest = origin.partition("://")
    if "/" in rest:
        raise ValidationError(f"{origin!r} has a path; an origin is only scheme://host[:port].")
    return f"{scheme.lower()}://{rest.lower()}"


@transaction.atomic
def site_create(*, name: str, origins: list[str], goals: list[str] | None = None) -> SiteKeys:
    """Create a site with fresh keys; the write key is returned once and stored only as a digest."""
    name = name.strip()
    if not name:
        raise ValidationError("A site needs a name.")
    if Site.objects.filter(name=name).exists():
        raise ValidationError(f"A site named {name!r} already exists; choose another name.")
    write_key = new_write_key()
    site = Site(name=name, allowed_origins=[origin_normalize(o) for o in origins], goals=list(goals or []))
    site.set_write_key(write_key)
    site.full_clean()
    site.save()
    return SiteKeys(site=site, write_key=write_key)


def site_write_key_rotate(*, site: Site) -> str:
    """Give `site` a new write key (the old one stops working at once) and return it."""
    write_key = new_write_key()
    site.set_write_key(write_key)
    site.save(update_fields=["write_key_digest", "write_key_prefix"])
    return write_key
