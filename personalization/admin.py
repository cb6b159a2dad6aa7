"""Admin for sites, events, visitors (with profile and timeline), sessions and what was dropped.

Everything user-supplied is rendered through format_html / the admin's own escaping."""

import json

from django.contrib import admin, messages
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from consent.models import ErasureLog
from consent.registry import Subject
from consent.services.rights import personal_data_erase, personal_data_export

from .admin_views import site_live_view, site_setup_view
from .models import DropCounter, Event, FailedEvent, Profile, Session, Site, Visitor
from .services.sites import site_write_key_rotate
from .snippets import tracker_script_tag


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "public_key", "write_key_prefix", "created_at", "setup_link"]
    readonly_fields = ["public_key", "write_key_prefix", "tracker_tag", "setup_link", "created_at"]
    fields = ["name", "allowed_origins", "goals", "server_default_categories", "public_key", "write_key_prefix",
              "tracker_tag", "setup_link", "created_at"]
    actions = ["rotate_write_key"]

    @admin.display(description="Tracker tag")
    def tracker_tag(self, site: Site) -> str:
        return format_html("<code>{}</code>", tracker_script_tag(public_key=site.public_key))

    @admin.display(description="Setup and live events")
    def setup_link(self, site: Site) -> str:
        if site.pk is None:
            return "Save the site first: its setup page shows the snippet to paste and the events that arrive."
        return format_html('<a href="{}">Open setup</a>', reverse("admin:personalization_site_setup", args=[site.pk]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:site_id>/setup/", wrap(site_setup_view), name="personalization_site_setup"),
            path("<int:site_id>/setup/live.json", wrap(site_live_view), name="personalization_site_setup_live"),
            *super().get_urls(),
        ]

    @admin.action(description="Rotate the write key (shows the new key once)")
    def rotate_write_key(self, request, queryset):
        for site in queryset:
            key = site_write_key_rotate(site=site)
            self.message_user(request, f"New write key for {site.name}: {key}", messages.WARNING)

    def save_model(self, request, obj, form, change):
        if not change:
            from .models import new_write_key

            key = new_write_key()
            obj.set_write_key(key)
            self.message_user(request, f"Write key for {obj.name} (shown once): {key}", messages.WARNING)
        super().save_model(request, obj, form, change)


def subject_of(visitor: Visitor) -> Subject:
    return Subject(site_key=visitor.site.public_key, visitor_ids=(visitor.visitor_id,))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["ts", "type", "name", "visitor_id", "path", "category", "source", "site"]
    list_filter = ["site", "type", "source", ("ts", admin.DateFieldListFilter)]
    search_fields = ["visitor_id", "=event_id", "name", "path"]
    date_hierarchy = "ts"
    show_full_result_count = False
    list_select_related = ["site"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "visitor_id", "pageviews", "engaged_ms", "scroll_max", "entry_path", "exit_path",
                    "conversions", "abandoned", "site"]
    list_filter = ["site", "abandoned", "purchased", "device_type"]
    search_fields = ["visitor_id"]
    date_hierarchy = "started_at"
    show_full_result_count = False


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ["pk", "site", "user_key", "sessions", "pageviews", "engaged_ms", "conversions", "revenue_cents",
                    "last_seen"]
    list_filter = ["site", "device_type"]
    search_fields = ["=user_key", "visitors__visitor_id"]
    show_full_result_count = False


@admin.register(Visitor)
class VisitorAdmin(ReadOnlyAdmin):
    list_display = ["visitor_id", "site", "first_seen", "is_bot"]
    list_filter = ["site", "is_bot"]
    search_fields = ["=visitor_id"]
    readonly_fields = ["visitor_id", "site", "first_seen", "is_bot", "profile_summary", "timeline"]
    fields = readonly_fields
    show_full_result_count = False
    actions = ["export_personal_data", "erase_personal_data"]

    @admin.action(description="Export personal data (JSON)", permissions=["export"])
    def export_personal_data(self, request, queryset):
        """For data requests received by mail or phone: everything held about the selected visitors."""
        exports = [personal_data_export(subject=subject_of(visitor)) for visitor in queryset.select_related("site")]
        response = HttpResponse(json.dumps(exports, indent=2, default=str), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response

    @admin.action(description="Erase personal data", permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        count = 0
        for visitor in list(queryset.select_related("site")):
            personal_data_erase(subject=subject_of(visitor), channel=ErasureLog.Channel.STAFF,
                                requested_by=request.user.get_username())
            count += 1
        self.message_user(request, f"Erased the data of {count} visitor(s); the erasure log records it.")

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("consent.export_personal_data")

    def has_erase_permission(self, request) -> bool:
        return request.user.has_perm("consent.erase_personal_data")

    @admin.display(description="Profile")
    def profile_summary(self, visitor: Visitor) -> str:
        p = visitor.profile
        recency = p.recency_days()
        rows = [
            ("Sessions", f"{p.sessions} ({p.visits_per_week:.1f} a week)"),
            ("Page views", f"{p.pageviews} ({p.pages_per_session:.1f} a session)"),
            ("Engaged time", f"{p.engaged_ms / 1000:.0f} s ({p.mean_engaged_ms / 1000:.0f} s a session)"),
            ("Scroll depth", f"{p.mean_scroll_depth:.0f} % on average, {p.scroll_max} % at most"),
            ("Clicks", f"{p.clicks} ({p.clicks_per_page:.1f} a page)"), ("Hovers", p.hovers),
            ("Conversions", p.goal_counts), ("Revenue", f"{p.revenue_cents / 100:.2f}"),
            ("Category affinities", {k: f"{v:.0%}" for k, v in p.category_affinities.items()}),
            ("Cart", f"{p.cart_items} items, {p.cart_value_cents / 100:.2f}"), ("Device", p.device_type),
            ("First / last seen", f"{p.first_seen:%Y-%m-%d %H:%M} / {p.last_seen:%Y-%m-%d %H:%M}" if p.first_seen else "-"),
            ("Recency", f"{recency:.1f} days" if recency is not None else "-"),
            ("Events by name", p.event_counts),
        ]
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))

    @admin.display(description="Latest events")
    def timeline(self, visitor: Visitor) -> str:
        events = Event.objects.filter(site_id=visitor.site_id, visitor_id=visitor.visitor_id).order_by("-ts")[:100]
        return format_html(
            "<table>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                             ((e.ts.strftime("%Y-%m-%d %H:%M:%S"), e.type, e.name, e.path) for e in events)),
        )


@admin.register(DropCounter)
class DropCounterAdmin(ReadOnlyAdmin):
    list_display = ["day", "site_key", "site", "reason", "count"]
    list_filter = ["reason", "site"]
    date_hierarchy = "day"


@admin.register(FailedEvent)
class FailedEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "site_key", "reason", "detail", "event_index"]
    list_filter = ["reason", "site"]
    readonly_fields = ["received_at", "site", "site_key", "reason", "detail", "event_index", "event_id", "visitor_id",
                       "payload"]
