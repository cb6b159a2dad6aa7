"""{% attune_tracker %}: the tracker's script tag (and the inline queue stub) for a site; {% personalize %}: a slot
filled by the registered decision providers (personalization/decisions.py)."""

import json

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from consent.selectors import policy_material_version, request_consent

from ..decisions import DecisionRequest, PageContext, decisions_for
from ..middleware import personalized_page_mark
from ..selectors import PERSONALIZATION, profile_for_request, site_default
from ..services.users import user_signature

register = template.Library()

PAGE_OPTIONS = frozenset({"page_type", "category", "device_type"})
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
        ' data-consent-script="{}"{}{}></script>',
        nonce, STUB, static("attune.js"), site_key, settings.ATTUNE["TRACKER_ENDPOINT"], policy_material_version(),
        static("attune-consent.js"), format_html(' data-disable="{}"', disable) if disable else "",
        user_attributes(request, site_key),
    )


def user_attributes(request, site_key: str) -> str:
    """`data-user` and `data-user-sig` for a logged-in user: the user id and the backend's proof of it, which the
    tracker sends with its identify ("" for an anonymous visitor)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    user_id = str(user.pk)
    return format_html(' data-user="{}" data-user-sig="{}"', user_id,
                       user_signature(site_key=site_key, user_id=user_id))


class PersonalizeNode(template.Node):
    def __init__(self, slot, options: dict, nodelist):
        self.slot, self.options, self.nodelist = slot, options, nodelist

    def render(self, context) -> str:
        default = self.nodelist.render(context)
        request = context.get("request")
        site = site_default()
        if request is None or site is None:
            return default
        personalized_page_mark(request)
        slot = self.slot.resolve(context)
        options = {name: value.resolve(context) for name, value in self.options.items()}
        consent = request_consent(request, site_key=site.public_key)
        decision = decisions_for(DecisionRequest(
            site_id=site.id, slots=(slot,), page=PageContext(path=request.path, **options),
            visitor_id=consent.visitor_id if consent.allows(PERSONALIZATION) else "",
            profile_read=lambda: profile_for_request(request, site=site),
        )).get(slot)
        if decision is None:  # marked all the same: the in-page script may fill it later in the page view
            return format_html('<div data-attune-slot="{}">{}</div>', slot, default)
        if decision.client_condition is not None:  # decided in the page: the default shows until the trigger fires
            keep = " data-attune-keep" if decision.keep_default else ""  # the control group: the default stays
            return format_html('<div data-attune-slot="{}" data-attune-ref="{}">{}<template data-attune-when="{}"'
                               + keep + ">{}</template></div>", slot, decision.reference, default,
                               json.dumps(decision.client_condition, separators=(",", ":")),
                               mark_safe(decision.html))  # noqa: S308 - providers return sanitised HTML
        shown = default if decision.keep_default else mark_safe(decision.html)  # noqa: S308 - sanitised (decisions.py)
        return format_html('<div data-attune-slot="{}" data-attune-ref="{}">{}</div>', slot, decision.reference, shown)


@register.tag
def personalize(parser, token):
    """{% personalize "slot" page_type="product" category="shoes" %}default markup{% endpersonalize %}: the slot's
    content as the registered decision providers choose it for this visitor and page, else the default markup."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% personalize %} needs a slot name: {% personalize "home_hero" %}')
    options = {}
    for bit in bits[2:]:
        name, _, value = bit.partition("=")
        if name not in PAGE_OPTIONS or not value:
            raise template.TemplateSyntaxError(
                f"{{% personalize %}} takes {', '.join(sorted(PAGE_OPTIONS))} as name=value, not {bit!r}.")
        options[name] = parser.compile_filter(value)
    nodelist = parser.parse(("endpersonalize",))
    parser.delete_first_token()
    return PersonalizeNode(parser.compile_filter(bits[1]), options, nodelist)
