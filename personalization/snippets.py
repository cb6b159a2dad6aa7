"""What a site owner pastes into their pages: the template tags in a Django project, or the plain script tag on
another stack. Text, not HTML: the admin escapes it where it shows it."""

from urllib.parse import urljoin

from django.conf import settings


def tracker_script_tag(*, public_key: str, base_url: str = "") -> str:
    """The tracker's <script> tag for the site with `public_key`; its URLs are absolute when `base_url` is given.
    It names the file without its content hash, so the tag stays valid from one deploy to the next."""
    src = urljoin(base_url, f"{settings.STATIC_URL}attune.js")
    endpoint = urljoin(base_url, settings.ATTUNE["TRACKER_ENDPOINT"])
    return f'<script defer src="{src}" data-site="{public_key}" data-endpoint="{endpoint}"></script>'


def django_template_tags(*, public_key: str) -> str:
    """The tags for a Django template: the tracker (with its queue stub) in <head>, the consent banner before
    </body>."""
    return (f'{{% load attune consent %}}\n'
            f'<head>… {{% attune_tracker "{public_key}" %}} …</head>\n'
            f'<body>… {{% consent_banner "{public_key}" %}}</body>')
