"""Admin views of a site beyond its model page: the setup page (the snippet to paste, a live check that events
arrive, the latest events stored and refused) and the JSON it polls."""

from dataclasses import asdict
from datetime import UTC, datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache

from .models import Site
from .selectors import site_live_events, site_setup_check
from .snippets import django_template_tags, tracker_script_tag

POLL_SECONDS = 2


def site_viewable(request: HttpRequest, site_id: int) -> Site:
    """The site, for staff allowed to view or change sites (admin_view has already required staff)."""
    if not (request.user.has_perm("personalization.view_site") or request.user.has_perm("personalization.change_site")):
        raise PermissionDenied
    return get_object_or_404(Site, pk=site_id)


def live_rows(request: HttpRequest, site: Site, since: datetime | None = None) -> list[dict]:
    """The latest events the viewer may see (stored ones with the right to view events, refused ones with the right
    to view failed events), with their time as the page shows it (in the admin's time zone)."""
    user = request.user
    rows = site_live_events(site_id=site.pk, since=since, stored=user.has_perm("personalization.view_event"),
                            refused=user.has_perm("personalization.view_failedevent"))
    return [{**row, "time": f"{timezone.localtime(row['at']):%Y-%m-%d %H:%M:%S}"} for row in rows]


def check_shown(site: Site) -> dict:
    """The site's check, with the last event's time as the page shows it ("never" before the first)."""
    check = asdict(site_setup_check(site_id=site.pk))
    last = check["last_event_at"]
    return {**check, "last_event_time": f"{timezone.localtime(last):%Y-%m-%d %H:%M:%S}" if last else "never"}


def site_setup_view(request: HttpRequest, site_id: int) -> TemplateResponse:
    """The site's setup page: what to paste, whether events arrive, the latest events (refreshed by site_setup.js)."""
    site = site_viewable(request, site_id)
    base_url = request.build_absolute_uri("/")
    context = {
        **admin.site.each_context(request), "title": f"Setup and live events: {site.name}", "site": site,
        "opts": Site._meta, "django_snippet": django_template_tags(public_key=site.public_key),
        "html_snippet": tracker_script_tag(public_key=site.public_key, base_url=base_url),
        "check": check_shown(site), "events": live_rows(request, site), "poll_seconds": POLL_SECONDS,
        "sees_events": request.user.has_perm("personalization.view_event"),
        "sees_refused": request.user.has_perm("personalization.view_failedevent"),
        "poll_ms": POLL_SECONDS * 1000,
    }
    return TemplateResponse(request, "admin/personalization/site/setup.html", context)


@never_cache
def site_live_view(request: HttpRequest, site_id: int) -> JsonResponse:
    """The check and the latest events as JSON, which the setup page polls; `?since=` (ISO time) keeps only newer
    events."""
    site = site_viewable(request, site_id)
    since = None
    if request.GET.get("since"):
        since = since_parsed(request.GET["since"])
        if since is None:
            return JsonResponse({"error": "invalid_since", "message": "`since` must be an ISO 8601 time, as "
                                 "2025-01-31T12:00:00Z."}, status=400)
    return JsonResponse({"check": check_shown(site), "events": live_rows(request, site, since)})


def since_parsed(text: str) -> datetime | None:
    """An ISO 8601 time (UTC when it names no zone), or None when `text` is not one."""
    try:
        since = parse_datetime(text)
    except ValueError:  # well formed, but no such time (month 13)
        return None
    if since is not None and timezone.is_naive(since):
        since = since.replace(tzinfo=UTC)
    return since
