"""The rules' preview page: pick a visitor (privacy officers and administrators) or type values and a page."""

from urllib.parse import parse_qsl

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from personalization.decisions import PageContext
from personalization.models import Site
from personalization.selectors import profile_for_visitor

from .compiled import site_rules
from .decisions import profile_values_cached
from .forms import PreviewForm
from .preview import rules_preview, values_from_text

PRIVACY_ROLES = ("Privacy officer", "Administrator")


def sees_visitors(user) -> bool:
    """Only staff with the privacy role (or administrators) may look at an individual visitor."""
    return user.is_superuser or user.groups.filter(name__in=PRIVACY_ROLES).exists()


def preview_view(request, model_admin):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = PreviewForm(request.GET or None, sites=Site.objects.order_by("name"))
    context = {**model_admin.admin_site.each_context(request), "title": "Preview rules", "form": form,
               "opts": model_admin.model._meta, "sees_visitors": sees_visitors(request.user)}
    if form.is_bound and form.is_valid():
        context.update(preview_result(request, form.cleaned_data))
    return render(request, "admin/rules/preview.html", context)


def preview_result(request, data: dict) -> dict:
    vocabulary = site_rules(data["site"]).vocabulary
    values, problems = values_from_text(data["profile"], vocabulary)
    signals, signal_problems = values_from_text(data["signals"], vocabulary)
    problems += [f"signals, {problem}" for problem in signal_problems]
    now = timezone.now()
    if data["visitor_id"]:
        if not sees_visitors(request.user):
            raise PermissionDenied("Only privacy officers and administrators may preview a real visitor.")
        profile = profile_for_visitor(site_id=data["site"], visitor_id=data["visitor_id"])
        if profile is None:
            problems.append("No such visitor on this site: check the id, or type values instead.")
        else:
            values = {**profile_values_cached(profile, now=now), **values}
    page = PageContext(path=data["path"], page_type=data["page_type"], category=data["category"],
                       referrer=data["referrer"], query=dict(parse_qsl(data["query"])),
                       device_type=data["device_type"], now=now)
    return {"problems": problems, "slots": rules_preview(site_id=data["site"], values={**values, **signals}, page=page),
            "skipped": site_rules(data["site"]).skipped}
