"""The dashboards in admin: the site overview (/admin/rules/overview/) and segment sizes over time
(/admin/rules/overview/segments/), each filterable by site and dates (the overview also by segment) and exportable as
CSV (?format=csv), optionally with privacy noise. For staff who may view rules."""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from .models import Rule
from .overview import OverviewInvalid, segment_evolution, site_overview
from .overview_forms import OverviewForm, overview_form
from .overview_noise import noise_epsilon
from .overview_tables import (
    overview_chart_data,
    overview_csv,
    overview_header,
    overview_row,
    segments_chart_data,
    segments_csv,
    segments_header,
    segments_rows,
)


def viewer_required(request: HttpRequest) -> None:
    """admin_view has required active staff; the dashboards also need permission to view rules."""
    if not request.user.has_perm("rules.view_rule"):
        raise PermissionDenied("Viewing the dashboards needs permission to view rules.")


def page_context(request: HttpRequest, form: OverviewForm, title: str) -> dict:
    return {**admin.site.each_context(request), "title": title, "form": form, "opts": Rule._meta}


def csv_address(request: HttpRequest, form: OverviewForm) -> str:
    """This page's address with the form's values (defaults included) and format=csv."""
    values = {name: form.data.get(name, "") for name in form.fields if form.data.get(name)}
    return f"{request.path}?{urlencode({**values, 'format': 'csv'})}"


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filter_title(form: OverviewForm, what: str) -> str:
    data = form.cleaned_data
    who = f", segment {data['segment']}" if data.get("segment") else ""
    return f"{what} of {form.site_names[data['site']]}, {data['since']:%Y-%m-%d} to {data['until']:%Y-%m-%d}{who}"


def overview_view(request: HttpRequest) -> HttpResponse:
    """Visitors, sessions, engaged time, conversions and consent rates per day, with totals; or the table as CSV."""
    viewer_required(request)
    form = overview_form(request.GET)
    context = page_context(request, form, "Site overview")
    if form.is_valid():
        data = form.cleaned_data
        try:
            overview = site_overview(site_id=data["site"], since=data["since"], until=data["until"],
                                     segment_slug=data["segment"])
        except OverviewInvalid as invalid:
            form.add_error(None, str(invalid))
        else:
            if request.GET.get("format") == "csv":
                text = overview_csv(overview, title=filter_title(form, "Site overview"),
                                    epsilon=noise_epsilon() if data["noise"] else None)
                return csv_response(text, f"overview-{data['since']}-{data['until']}.csv")
            context.update(overview=overview, charts=overview_chart_data(overview), header=overview_header(overview),
                           rows=[overview_row(day, overview) for day in overview.days],
                           total=overview_row(overview.totals, overview), csv_url=csv_address(request, form))
    return TemplateResponse(request, "admin/rules/overview/site.html", context)


def segments_view(request: HttpRequest) -> HttpResponse:
    """Each segment's size per day, with the clustering runs marked; or the sizes as CSV."""
    viewer_required(request)
    form = overview_form(request.GET, with_segment=False)
    context = page_context(request, form, "Segment sizes over time")
    if form.is_valid():
        data = form.cleaned_data
        evolution = segment_evolution(site_id=data["site"], since=data["since"], until=data["until"])
        if request.GET.get("format") == "csv":
            text = segments_csv(evolution, title=filter_title(form, "Segment sizes"),
                                epsilon=noise_epsilon() if data["noise"] else None)
            return csv_response(text, f"segment-sizes-{data['since']}-{data['until']}.csv")
        context.update(evolution=evolution, charts=segments_chart_data(evolution), header=segments_header(evolution),
                       rows=segments_rows(evolution), csv_url=csv_address(request, form))
    return TemplateResponse(request, "admin/rules/overview/segments.html", context)


def overview_urls_add(site: admin.AdminSite) -> None:
    """Put the dashboards' pages in front of the admin site's own, at /admin/rules/overview/...; wrapping get_urls
    (rather than a ModelAdmin's) gives them addresses of their own and leaves the other pages as they are."""
    site_urls = site.get_urls

    def get_urls():
        wrap = site.admin_view
        return [path("rules/overview/", wrap(overview_view), name="rules_overview"),
                path("rules/overview/segments/", wrap(segments_view), name="rules_overview_segments"),
                *site_urls()]

    site.get_urls = get_urls


overview_urls_add(admin.site)
