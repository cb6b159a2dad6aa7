"""The rule performance board in admin: every rule's arms against its control group over a date range (and a
segment), a rule's daily series and bandit allocation over time, swap delays, automation with its undo, and CSV."""

import csv
import random

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from consent.noise import noisy_count

from .dashboard_filters import DashboardFilterForm
from .models import Rule, RuleArm, RuleAutomation
from .overview_noise import noise_epsilon
from .services import rule_arm_resume

NOISY = {"visitors", "clicks", "conversions"}  # each visitor adds at most 1 to each of these per rule
# The views import the board (its statistics need scipy) when first asked: every web process loads the admin's
# modules, few ever draw a board, and scipy costs each of them tens of megabytes.


def filters(request, *, site=None) -> tuple[DashboardFilterForm, dict | None]:
    """The page's filters (bound even when empty: empty fields take their defaults; `site` fixes the site, as a
    rule's page does) and their values if valid."""
    data = request.GET.copy()
    if site is not None:
        data["site"] = str(site.pk)
    form = DashboardFilterForm(data)
    return form, (form.cleaned_data if form.is_valid() else None)


def board_view(request, model_admin):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    from .board import board_rules, concentration_measured, site_flicker

    form, data = filters(request)
    context = {**model_admin.admin_site.each_context(request), "title": "Rule performance", "form": form,
               "opts": Rule._meta, "exploration_share": settings.ATTUNE["EXPLORATION_SHARE"]}
    if data is not None and data["site"] is not None:
        results = board_rules(site_id=data["site"].pk, since=data["since"], until=data["until"],
                              segment=data["segment"])
        if request.GET.get("format") == "csv":
            return board_csv(results, noisy=bool(request.GET.get("noise")))
        context.update(results=results, data=data, query=request.GET.urlencode(),
                       flicker=site_flicker(site_id=data["site"].pk, since=data["since"], until=data["until"]),
                       concentration=concentration_measured(site_id=data["site"].pk, since=data["since"],
                                                            until=data["until"]))
    return render(request, "admin/rules/board.html", context)


def rule_board_view(request, model_admin, rule_id: int):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    from .board import rule_flicker, rule_series
    from .experiments import rule_results

    rule = get_object_or_404(Rule.objects.select_related("variant", "site").prefetch_related("arms__variant"),
                             pk=rule_id)
    form, data = filters(request, site=rule.site)
    context = {**model_admin.admin_site.each_context(request), "title": f"Performance of {rule.name}", "form": form,
               "opts": Rule._meta, "rule": rule, "can_change": model_admin.has_change_permission(request, rule),
               "automations": RuleAutomation.objects.filter(rule=rule).select_related("arm__variant")[:50]}
    if data is not None:
        since, until = data["since"], data["until"]
        context.update(results=rule_results(rule, since=since, until=until, segment=data["segment"]),
                       flicker=rule_flicker(rule, since=since, until=until),
                       series=rule_series(rule, since=since, until=until))
    return render(request, "admin/rules/rule_board.html", context)


@require_POST
def arm_resume_view(request, model_admin, arm_id: int):
    arm = get_object_or_404(RuleArm, pk=arm_id)
    if not model_admin.has_change_permission(request, arm.rule):
        raise PermissionDenied
    rule_arm_resume(arm=arm)
    messages.success(request, f"{arm} runs again; automation will not pause it again.")
    return redirect("admin:rules_rule_board", arm.rule_id)


def board_csv(results, *, noisy: bool) -> HttpResponse:
    """The board as CSV; with noise, the visitor counts carry Laplace noise and the figures derived from them are
    left out. The whole file spends noise_epsilon(): split over the rules and the counted columns, as each visitor
    adds at most 1 to each count of each rule."""
    from .board import CSV_HEADER, board_csv_rows

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rule-performance.csv"'
    writer = csv.writer(response)
    rows = board_csv_rows(results)
    if not noisy:
        writer.writerow(CSV_HEADER)
        writer.writerows(rows)
        return response
    epsilon = noise_epsilon()
    share = epsilon / (len(NOISY) * max(1, len(results)))  # a visitor may be counted once per rule and column
    rng = random.SystemRandom()
    header = CSV_HEADER[:3] + [name for name in CSV_HEADER[3:7] if name in NOISY]
    response.write(f"# counts with Laplace noise, epsilon {epsilon} in total, {share:.4g} per count\n")
    writer.writerow(header)
    for row in rows:
        counts = dict(zip(CSV_HEADER[3:7], row[3:7], strict=True))
        writer.writerow(row[:3] + [noisy_count(counts[name], epsilon=share, sensitivity=1, rng=rng)
                                   for name in header[3:]])
    return response
