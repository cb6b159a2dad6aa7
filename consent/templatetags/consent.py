"""{% consent_banner %}: the consent dialog, rendered on the server so it works (through the settings page)
even without JavaScript; attune-consent.js gives it its behaviour."""

from django import template
from django.conf import settings
from django.templatetags.static import static

from ..categories import categories
from ..registry import default_site_key
from ..selectors import policy_current, policy_material_version

register = template.Library()


@register.inclusion_tag("consent/banner.html", takes_context=True)
def consent_banner(context, site_key: str = ""):
    request = context.get("request")
    return {
        "site_key": site_key or default_site_key(),
        "categories": categories(),
        "policy": policy_current(),
        "material_version": policy_material_version(),
        "script": static("attune-consent.js"),
        "stylesheet": static("consent/banner.css"),
        "endpoint": settings.ATTUNE.get("CONSENT_ENDPOINT", "/consent"),
        "gpc": "on" if settings.ATTUNE["HONOR_GPC"] else "off",
        "csp_nonce": getattr(request, "csp_nonce", "") if request is not None else "",
        "request": request,
    }
