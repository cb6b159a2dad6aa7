"""Admin of segments: clustering configurations ("run now"), runs with their charts, segments, and who is in them.

Who sees what: the roles' model permissions (consent/roles.py) govern configurations, runs and segments;
individual people (memberships, their history, "why") are shown only to staff with the privacy role."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from .admin_forms import ClusteringConfigForm, SegmentForm
from .admin_views import run_labels_view, run_progress_view, sees_visitors, why_lookup_view, why_view
from .conditions import ConditionInvalid, describe
from .models import ClusteringConfig, ClusteringRun, Membership, MembershipChange, Segment
from .selectors import heat_map, run_chart_data, run_transitions, segment_size_history
from .services.scheduling import segment_run_queue
from .vocabulary import profile_vocabulary


@admin.register(ClusteringConfig)
class ClusteringConfigAdmin(admin.ModelAdmin):
    form = ClusteringConfigForm
    list_display = ["name", "site", "enabled", "feature_count", "latest_run"]
    list_filter = ["site", "enabled"]
    actions = ["run_now"]
    change_form_template = "admin/segments/clusteringconfig/change_form.html"

    @admin.display(description="Features")
    def feature_count(self, config: ClusteringConfig) -> int:
        return len(config.features)

    @admin.display(description="Latest run")
    def latest_run(self, config: ClusteringConfig) -> str:
        run = config.runs.order_by("-created_at", "-pk").first()
        if run is None:
            return "-"
        url = reverse("admin:segments_clusteringrun_change", args=[run.pk])
        return format_html('<a href="{}">{} ({})</a>', url, run, run.get_status_display())

    def get_urls(self):
        view = self.admin_site.admin_view(self.run_now_view)
        return [path("<int:config_id>/run/", view, name="segments_clusteringconfig_run"), *super().get_urls()]

    def run_now_view(self, request, config_id: int):
        """POST only: queue a run (a worker or a background thread runs it) and show its page."""
        config = get_object_or_404(ClusteringConfig, pk=config_id)
        if request.method != "POST" or not self.has_change_permission(request, config):
            return HttpResponseRedirect(reverse("admin:segments_clusteringconfig_change", args=[config_id]))
        run = segment_run_queue(config=config)
        self.message_user(request, f"Run {run.pk} is queued; this page shows its progress.")
        return HttpResponseRedirect(reverse("admin:segments_clusteringrun_change", args=[run.pk]))

    @admin.action(description="Run now (in the background)", permissions=["change"])
    def run_now(self, request, queryset):
        runs = [segment_run_queue(config=config) for config in queryset]
        if len(runs) == 1:
            return HttpResponseRedirect(reverse("admin:segments_clusteringrun_change", args=[runs[0].pk]))
        self.message_user(request, f"Queued {len(runs)} runs.", messages.SUCCESS)
        return None


def rounded(field: str, label: str):
    """A read-only admin field showing a run's metric to three decimals."""

    @admin.display(description=label)
    def shown(self, run: ClusteringRun) -> str:
        value = getattr(run, field)
        return "-" if value is None else f"{value:.3f}"

    return shown


@admin.register(ClusteringRun)
class ClusteringRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "config", "status", "k", "silhouette", "population", "created_at", "finished_at"]
    list_filter = ["status", "config"]
    change_form_template = "admin/segments/clusteringrun/change_form.html"
    fieldsets = [
        (None, {"fields": ["config", "status", "stage", "progress", "error", "created_at", "started_at",
                           "finished_at"]}),
        ("Result", {"fields": ["k", "k_reason", "silhouette_shown", "davies_bouldin_shown", "calinski_harabasz_shown",
                               "stability_shown", "population", "sample_size", "pca_variance_kept", "stage_times",
                               "feature_names"]}),
    ]

    silhouette_shown = rounded("silhouette", "Silhouette (-1 to 1, higher: better separated)")
    davies_bouldin_shown = rounded("davies_bouldin", "Davies-Bouldin (lower: better separated)")
    calinski_harabasz_shown = rounded("calinski_harabasz", "Calinski-Harabasz (higher: better separated)")
    stability_shown = rounded("stability_ari", "Stability (adjusted Rand index between reruns with other seeds)")

    def get_readonly_fields(self, request, obj=None):
        return [name for _, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Time per stage")
    def stage_times(self, run: ClusteringRun) -> str:
        return ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in run.timings.items()) or "-"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:run_id>/progress/", wrap(run_progress_view), name="segments_clusteringrun_progress"),
            path("<int:run_id>/labels/", wrap(run_labels_view), name="segments_clusteringrun_labels"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra = {}
        if run is not None:
            extra = {"run": run, "finished": run.status == ClusteringRun.Status.DONE, "charts": run_chart_data(run=run),
                     "heat_rows": heat_map(run=run)}
            transitions = run_transitions(run=run)
            extra.update(transitions=transitions,
                         transition_rows=list(zip(transitions.sources, transitions.counts, strict=True)))
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


def condition_text(segment: Segment) -> str:
    if segment.kind != Segment.Kind.RULE or not segment.conditions:
        return "-"
    try:
        return describe(segment.conditions, profile_vocabulary())
    except ConditionInvalid as error:
        return f"(cannot be read: {error})"


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentForm
    list_display = ["name", "kind", "size", "retired", "conditions_described", "site"]
    list_filter = ["site", "kind", "retired"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    change_form_template = "admin/segments/segment/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="Size", ordering="member_count")
    def size(self, segment: Segment) -> int:
        return segment.member_count

    @admin.display(description="Conditions")
    def conditions_described(self, segment: Segment) -> str:
        return condition_text(segment)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "suggested_name", "retired", "config"]
        if obj.kind == Segment.Kind.CLUSTER:
            return ["site", "kind", "config", "conditions", "suggested_name", "retired", "created_at"]
        return ["site", "kind", "config", "suggested_name", "retired", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.kind = Segment.Kind.RULE  # cluster segments come from runs only
        super().save_model(request, obj, form, change)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("<int:segment_id>/why/<int:profile_id>/", wrap(why_view), name="segments_segment_why"),
                path("<int:segment_id>/why/", wrap(why_lookup_view), name="segments_segment_why_lookup"),
                *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        segment = self.get_object(request, object_id)
        history = segment_size_history(segment=segment) if segment is not None else {}
        context = {"sees_visitors": sees_visitors(request.user), "charts": {"segment_size": history},
                   **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)


class VisitorLevelAdmin(admin.ModelAdmin):
    """Read-only, and only for staff with the privacy role."""

    def has_module_permission(self, request) -> bool:
        return sees_visitors(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return sees_visitors(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Why")
    def why(self, row) -> str:
        url = reverse("admin:segments_segment_why", args=[row.segment_id, row.profile_id])
        return format_html('<a href="{}">why?</a>', url)


@admin.register(Membership)
class MembershipAdmin(VisitorLevelAdmin):
    list_display = ["profile", "segment", "since", "why"]
    list_filter = ["segment__kind", "segment"]
    search_fields = ["=profile__visitors__visitor_id", "=profile__user_key"]
    list_select_related = ["segment"]
    show_full_result_count = False


@admin.register(MembershipChange)
class MembershipChangeAdmin(VisitorLevelAdmin):
    list_display = ["at", "profile", "segment", "entered", "reason", "why"]
    list_filter = ["entered", "segment"]
    search_fields = ["=profile__visitors__visitor_id", "=profile__user_key", "reason"]
    list_select_related = ["segment"]
    date_hierarchy = "at"
    show_full_result_count = False
