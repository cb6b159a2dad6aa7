"""Admin views of segments beyond the model pages: a run's progress, outside labels against a run, and "why"."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from personalization.models import Profile, Visitor

from .admin_forms import LabelFileForm
from .label_files import LabelFileInvalid, size_check
from .models import ClusteringRun, Segment
from .services.outside_labels import run_labels_validate
from .services.why import why_in_segment


def sees_visitors(user) -> bool:
    """Staff with the privacy role (the right to export personal data) see individual visitors."""
    return user.is_active and user.is_staff and user.has_perm("consent.export_personal_data")


def run_viewable(request, run_id: int) -> ClusteringRun:
    run = get_object_or_404(ClusteringRun.objects.select_related("config"), pk=run_id)
    if not request.user.has_perm("segments.view_clusteringrun"):
        raise PermissionDenied
    return run


@never_cache
def run_progress_view(request, run_id: int) -> JsonResponse:
    """The run's status, stage and percent done, which its admin page polls while it is queued or running."""
    run = run_viewable(request, run_id)
    return JsonResponse({"status": run.status, "stage": run.stage, "progress": run.progress, "error": run.error,
                         "finished": run.status in (ClusteringRun.Status.DONE, ClusteringRun.Status.FAILED)})


def run_labels_view(request, run_id: int) -> TemplateResponse:
    """Upload a CSV of outside labels and see how the run's clusters agree with them (nothing is stored)."""
    run = run_viewable(request, run_id)
    form, result, problem = LabelFileForm(), None, ""
    if request.method == "POST":
        form = LabelFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                size_check(upload.size)  # before reading a byte of a file that is too big
                result = run_labels_validate(run=run, data=upload.read())
            except LabelFileInvalid as error:
                problem = str(error)
    context = {**admin.site.each_context(request), "title": f"Outside labels against {run}", "run": run,
               "opts": ClusteringRun._meta, "form": form, "result": result, "problem": problem,
               "rows": result and list(zip(result.validation.table.clusters, result.validation.table.counts,
                                           strict=True))}
    return TemplateResponse(request, "admin/segments/clusteringrun/labels.html", context)


def why_view(request, segment_id: int, profile_id: int) -> TemplateResponse:
    """Why a person is (or is not) in a segment; for staff with the privacy role only."""
    if not sees_visitors(request.user):
        raise PermissionDenied
    segment = get_object_or_404(Segment, pk=segment_id)
    profile = get_object_or_404(Profile, pk=profile_id, site_id=segment.site_id)
    answer = why_in_segment(profile=profile, segment=segment)
    visitors = list(profile.visitors.values_list("visitor_id", flat=True)[:5])
    context = {**admin.site.each_context(request), "title": f"Why is this visitor in {segment.name}?",
               "answer": answer, "segment": segment, "profile": profile, "visitors": visitors,
               "opts": Segment._meta}
    return TemplateResponse(request, "admin/segments/segment/why.html", context)


def why_lookup_view(request, segment_id: int) -> HttpResponseRedirect:
    """Find the visitor id typed on a segment's page and show why they are (or are not) in it."""
    if not sees_visitors(request.user):
        raise PermissionDenied
    segment = get_object_or_404(Segment, pk=segment_id)
    visitor_id = request.GET.get("visitor", "").strip()
    visitor = Visitor.objects.filter(site_id=segment.site_id, visitor_id=visitor_id).first()
    if visitor is None:
        messages.error(request, f"No visitor '{visitor_id}' on this segment's site: copy the id from the visitors list.")
        return HttpResponseRedirect(reverse("admin:segments_segment_change", args=[segment_id]))
    return HttpResponseRedirect(reverse("admin:segments_segment_why", args=[segment_id, visitor.profile_id]))
