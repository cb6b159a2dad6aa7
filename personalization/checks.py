"""System checks (`manage.py check`) for how sites are set up."""

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError

from .models import Site


@register("attune")  # not Tags.database, which only `check --database` runs: a plain `manage.py check` says it
def default_site_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    """A warning when several sites exist and ATTUNE_DEFAULT_SITE_KEY names none of them."""
    key = settings.ATTUNE["DEFAULT_SITE_KEY"]
    try:
        keys = set(Site.objects.values_list("public_key", flat=True)[:1000])
    except DatabaseError:
        return []  # no tables yet (before migrate): nothing to say
    if len(keys) < 2 or key in keys:
        return []
    problem = (f"ATTUNE_DEFAULT_SITE_KEY ({key!r}) names no site" if key
               else "There are several sites and ATTUNE_DEFAULT_SITE_KEY is not set")
    return [Warning(
        f"{problem}: pages that name no site (the consent banner, {{% attune_tracker %}} without a key, the privacy "
        "center) cannot tell which site they belong to, and the privacy center finds a visitor's data only "
        "through their recorded choices.",
        hint="Set ATTUNE_DEFAULT_SITE_KEY to the public key of the site this server's pages belong to.",
        obj="ATTUNE_DEFAULT_SITE_KEY", id="attune.W001")]
