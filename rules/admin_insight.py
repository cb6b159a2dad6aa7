"""Admin of behavioural insight: funnels editors define, findings (read-only), and reports built in the background
whose page shows their progress, then their funnels, paths, transitions, cohorts and engagement as charts and tables."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from segments.models import Segment

from .dashboard_filters import DEFAULT_DAYS
from .insight.build import report_range
from .insight.charts import chart_data, cohort_rows, funnel_tables, transition_rows
from .insight.paths import funnel_steps_read
from .insight.reports import insight_report_queue, insight_report_start_on_commit
from .models import Finding, Funnel, InsightReport


@admin.register(Funnel)
class FunnelAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "steps_in_words"]
    list_filter = ["site"]
    search_fields = ["name"]
    fields = ["name", "site", "steps"]

    @admin.display(description="steps")
    def steps_in_words(self, funnel: Funnel) -> str:
        try:
            return " → ".join(step.label for step in funnel_steps_read(funnel.steps))
        except ValueError as error:
            return f"Cannot be counted until fixed: {error}"


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["day", "hour", "kind", "key", "description", "site"]
    list_filter = ["kind", "site", "day"]
    search_fields = ["key", "description"]
    date_hierarchy = "day"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def segment_choices() -> list[tuple[str, str]]:
    segments = Segment.objects.filter(retired=False).select_related("site").order_by("site__name", "name")
    return [("", "Every visitor"), *((str(s.pk), f"{s.name} ({s.site.name})") for s in segments)]


class InsightReportForm(forms.ModelForm):
    """The site, the days to cover and, optionally, one segment whose visitors alone are counted."""

    since = forms.DateField(label="First day", help_text="YYYY-MM-DD (UTC).")
    until = forms.DateField(label="Last day", help_text="YYYY-MM-DD (UTC), included.")
    segment = forms.ChoiceField(required=False, help_text="Count only this segment's visitors. Funnels are split "
                                                          "by every segment of the site either way.")

    class Meta:
        model = InsightReport
        fields = ["site"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        yesterday = timezone.now().date() - timedelta(days=1)  # a report's default: complete days only
        self.fields["since"].initial = yesterday - timedelta(days=DEFAULT_DAYS - 1)
        self.fields["until"].initial = yesterday
        self.fields["segment"].choices = segment_choices()

    def clean(self) -> dict:
        data = super().clean()
        segment = Segment.objects.filter(pk=data.get("segment") or None).first()
        if segment is not None and data.get("site") and segment.site_id != data["site"].pk:
            self.add_error("segment", f"{segment.name} is a segment of another site: pick one of this site's.")
        data["segment_slug"] = segment.slug if segment else ""
        if data.get("since") and data.get("until"):
            try:
                report_range({"since": data["since"].isoformat(), "until": data["until"].isoformat()})
            except ValueError as error:
                self.add_error("until", str(error))
        return data


@never_cache
def report_progress_view(request, report_id: int) -> JsonResponse:
    """The report's status, stage and percent done, which its page polls while it is queued or building."""
    if not request.user.has_perm("rules.view_insightreport"):
        raise PermissionDenied
    report = get_object_or_404(InsightReport, pk=report_id)
    return JsonResponse({"status": report.status, "stage": report.stage, "progress": report.progress,
                         "error": report.error,
                         "finished": report.status in (InsightReport.Status.DONE, InsightReport.Status.FAILED)})


@admin.register(InsightReport)
class InsightReportAdmin(admin.ModelAdmin):
    form = InsightReportForm
    list_display = ["__str__", "site", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "site"]
    actions = ["build_again"]
    change_form_template = "admin/rules/insightreport/change_form.html"
    change_list_template = "admin/rules/insightreport/change_list.html"
    shown = ["site", "covers", "status", "stage", "progress", "error", "created_at", "finished_at"]

    def get_fields(self, request, obj=None):
        return self.shown if obj else ["site", "since", "until", "segment"]

    def get_readonly_fields(self, request, obj=None):
        return self.shown if obj else []

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="days and visitors")
    def covers(self, report: InsightReport) -> str:
        params = report.params
        who = f"the segment {params['segment']}" if params.get("segment") else "every visitor"
        return f"{params.get('since', '?')} to {params.get('until', '?')} (UTC, inclusive), {who}"

    def save_model(self, request, obj, form, change) -> None:
        """Store the report queued, and start building it once the request has committed."""
        data = form.cleaned_data
        obj.params = {"since": data["since"].isoformat(), "until": data["until"].isoformat(),
                      "segment": data["segment_slug"]}
        super().save_model(request, obj, form, change)
        insight_report_start_on_commit(report_id=obj.pk)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, f"Report {obj.pk} is queued; this page shows its progress.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:rules_insightreport_change", args=[obj.pk]))

    def report_again(self, report: InsightReport) -> InsightReport:
        span = report_range(report.params)
        return insight_report_queue(site_id=report.site_id, since=span.since, until=span.until, segment=span.segment)

    @admin.action(description="Build again (same site, days and segment)", permissions=["add"])
    def build_again(self, request, queryset):
        reports = [self.report_again(report) for report in queryset]
        if len(reports) == 1:
            return HttpResponseRedirect(reverse("admin:rules_insightreport_change", args=[reports[0].pk]))
        self.message_user(request, f"Queued {len(reports)} reports.", messages.SUCCESS)
        return None

    def rebuild_view(self, request, report_id: int):
        """POST only: queue a new report like this one and show its page."""
        report = get_object_or_404(InsightReport, pk=report_id)
        if request.method != "POST" or not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:rules_insightreport_change", args=[report_id]))
        again = self.report_again(report)
        self.message_user(request, f"Report {again.pk} is queued; this page shows its progress.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:rules_insightreport_change", args=[again.pk]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("<int:report_id>/progress/", wrap(report_progress_view), name="rules_insightreport_progress"),
                path("<int:report_id>/rebuild/", wrap(self.rebuild_view), name="rules_insightreport_rebuild"),
                *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra = {}
        if report is not None:
            result = report.result if report.status == InsightReport.Status.DONE else {}
            extra = {"report": report, "finished": bool(result), "result": result, "charts": chart_data(result),
                     "funnel_tables": funnel_tables(result),
                     "transition_rows": transition_rows(result.get("transitions", {})),
                     "cohort_rows": cohort_rows(result.get("cohorts", {})),
                     "may_build_again": self.has_add_permission(request) and report.status in (
                         InsightReport.Status.DONE, InsightReport.Status.FAILED)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})
