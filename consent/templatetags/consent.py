"""{% consent_banner %}: the consent dialog, rendered on the server so it works (through the settings page)
even without JavaScript; attune-consent.js gives it its behaviour."""

from django import template
from django.conf import settings
from django.templatetags.static import static

from ..categories import categories, consent_mode_signals
from ..registry import default_site_key
from ..selectors import policy_current, policy_material_version, request_consent

register = template.Library()


def consent_mode_defaults(request) -> dict[str, str]:
    """Google Consent Mode v2 defaults for this visitor, so Google tags start in step with the cookie."""
    return consent_mode_signals(request_consent(request).granted)


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
        "dnt": "on" if settings.ATTUNE["HONOR_DNT"] else "off",
        "consent_mode": consent_mode_defaults(request) if settings.ATTUNE["GOOGLE_CONSENT_MODE"] else None,
        "csp_nonce": getattr(request, "csp_nonce", "") if request is not None else "",
        "request": request,
    }


@register.filter
def json_script_safe(value) -> str:
    """JSON for inside a <script>: the characters that could end the script are escaped."""
    import json

    from django.utils.safestring import mark_safe

    text = json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped just above, the way django.utils.html.json_script does
