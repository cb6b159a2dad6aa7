"""The markup a rule's action shows: a variant's cleaned HTML, an offer, a popup around either, related items.

Everything editors wrote passes html_clean (markup) or escaping (offer text, names): the result is safe to insert.
"""

from django.utils.html import format_html, format_html_join

from .images import image_source
from .recommendations import Item
from .sanitize import html_clean


def variant_html(variant) -> str:
    """A content variant's markup, cleaned again (whatever the database holds), its image first."""
    if variant is None:
        return ""
    image = image_source(variant.image_data or variant.image_url)
    picture = format_html('<img src="{}" alt="" class="attune-image">', image) if image else ""
    return picture + html_clean(variant.html)


def offer_html(offer) -> str:
    """An offer's text and code, as text."""
    return format_html('<div class="attune-offer"><p>{}</p><p>Your code: <strong class="attune-code">{}</strong>'
                       "</p></div>", offer.text, offer.code)


def popup_html(body: str, *, title: str) -> str:
    """`body` (already safe) in a dialog the page shows at once; a checkbox closes it without any script."""
    return format_html(
        '<div class="attune-popup" role="dialog" aria-modal="true" aria-label="{}" data-attune-popup>'
        '<input type="checkbox" id="attune-popup-close" class="attune-popup-toggle">'
        '<div class="attune-popup-body">{}<label for="attune-popup-close" class="attune-popup-close">Close</label>'
        "</div></div>", title, _safe(body))


def items_html(items: list[Item], *, heading: str) -> str:
    """A list of related items under `heading` (already safe markup, may be empty)."""
    rows = format_html_join("", '<li><a href="{}">{}</a>{}</li>', (
        (item.url, item.title, format_html(' <small>{}</small>', item.note) if item.note else "") for item in items))
    return format_html('<div class="attune-recommendations">{}<ul>{}</ul></div>', _safe(heading), rows)


def action_body(*, action: str, variant, offer) -> str:
    """The fixed part of an action's markup (all but a recommendation's items), built when rules are compiled."""
    body = variant_html(variant)
    if offer is not None and action in ("offer", "popup"):
        body += offer_html(offer)
    if action == "popup":
        return popup_html(body, title=variant.name if variant else offer.name if offer else "")
    return body


def _safe(html: str):
    from django.utils.safestring import mark_safe

    return mark_safe(html)  # noqa: S308 - callers pass markup built here from cleaned or escaped parts
