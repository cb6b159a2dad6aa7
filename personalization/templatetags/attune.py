"""{% attune_tracker %}: the tracker's script tag (and the inline queue stub) for a site."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

from consent.selectors import policy_material_version

from ..selectors import site_default

register = template.Library()

STUB = "window.attune=window.attune||function(){(attune.q=attune.q||[]).push(arguments)};"


def default_site_key() -> str:
    """ATTUNE["DEFAULT_SITE_KEY"]'s site's key, or the only site's ("" when there is no such site)."""
    site = site_default()
    return site.public_key if site else ""


@register.simple_tag(takes_context=True)
def attune_tracker(context, site_key: str = "", disable: str = ""):
    """The inline stub (so pages may call attune(...) before the script loads) and the deferred script.
    A site on another stack can paste the printed <script> tag alone."""
    site_key = site_key or default_site_key()
    if not site_key:
        return ""
    request = context.get("request")
    nonce = getattr(request, "csp_nonce", "") if request is not None else ""
    return format_html(
        '<script nonce="{}">{}</script>\n<script defer src="{}" data-site="{}" data-endpoint="{}" data-policy="{}"'
        ' data-consent-script="{}"{}></script>',
        nonce, STUB, static("attune.js"), site_key, settings.ATTUNE["TRACKER_ENDPOINT"], policy_material_version(),
        static("attune-consent.js"), format_html(' data-disable="{}"', disable) if disable else "",
    )
