"""Editors' HTML made safe with nh3's allow-list: cleaned when saved and again when shown."""

import nh3

TAGS = frozenset({
    "a", "b", "blockquote", "br", "div", "em", "figure", "figcaption", "h2", "h3", "h4", "i", "img", "li", "ol",
    "p", "small", "span", "strong", "u", "ul",
})
ATTRIBUTES = {"*": {"class"}, "a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def html_clean(html: str) -> str:
    """`html` with every tag, attribute and URL scheme outside the allow-list removed."""
    return nh3.clean(html or "", tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer")
