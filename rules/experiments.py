"""Every rule as an experiment: its arms' totals from the daily counters, their results against the control group
(rules.statistics), the bandit's allocation and the automatic pause of a clearly losing variant (rules.bandits),
and an editor's undo of that pause."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from personalization.models import Visitor
from segments.models import Membership, Segment

from .bandits import allocation, pause_decision
from .compiled import arm_weights, rules_forget
from .models import CONTROL, MAIN, Rule, RuleArm, RuleAutomation, RuleDay, RuleExposure
from .statistics import Arm, ExperimentResult, experiment_result

COUNTED = ("impressions", "visitors", "clicks", "conversions")


@dataclass(frozen=True)
class ArmTotals:
    key: str
    name: str
    impressions: int
    visitors: int
    clicks: int
    conversions: int
    paused: bool = False

    def arm(self, metric: str) -> Arm:
        """The visitors and the visitors who reached the rule's metric (a click, or a conversion)."""
        return Arm(visitors=self.visitors, conversions=self.clicks if metric == Rule.Metric.CLICK else self.conversions)


@dataclass(frozen=True)
class RuleResults:
    rule: Rule
    arms: tuple[ArmTotals, ...]  # control first, then the rule's own content, then its variants
    result: ExperimentResult | None  # None until the control group and an arm have been seen
    planned: dict[str, float]  # each arm's planned share now


def rule_arm_names(rule: Rule) -> dict[str, str]:
    names = {CONTROL: "control (default content)", MAIN: str(rule.variant or rule.get_action_display())}
    names.update((arm.key, str(arm.variant)) for arm in rule.arms.all())
    return names


def rule_totals(rule: Rule, *, since: date | None = None, until: date | None = None,
                segment: Segment | None = None) -> tuple[ArmTotals, ...]:
    """Each arm's totals over the days in [since, until] (all days when not given), control first; with a segment,
    only its members now, counted from their exposures (first seen in the range)."""
    sums = _segment_sums(rule, since, until, segment) if segment is not None else _day_sums(rule, since, until)
    paused = {arm.key for arm in rule.arms.all() if arm.paused}
    totals = []
    for key, name in rule_arm_names(rule).items():
        row = sums.get(key, {})
        totals.append(ArmTotals(key=key, name=name, paused=key in paused,
                                **{field: row.get(field) or 0 for field in COUNTED}))
    return tuple(totals)


def rule_days(rule: Rule, *, since: date | None = None, until: date | None = None):
    """The rule's daily counters in [since, until] (open-ended where not given)."""
    days = RuleDay.objects.filter(rule=rule)
    if since:
        days = days.filter(day__gte=since)
    if until:
        days = days.filter(day__lte=until)
    return days


def _day_sums(rule: Rule, since: date | None, until: date | None) -> dict[str, dict]:
    days = rule_days(rule, since=since, until=until)
    return {row["arm"]: row for row in days.values("arm").annotate(**{field: Sum(field) for field in COUNTED})}


def _segment_sums(rule: Rule, since: date | None, until: date | None, segment: Segment) -> dict[str, dict]:
    members = Visitor.objects.filter(site_id=rule.site_id, profile_id__in=Membership.objects.filter(
        segment=segment).values("profile_id")).values("visitor_id")
    exposures = RuleExposure.objects.filter(rule=rule, visitor_id__in=members)
    if since:
        exposures = exposures.filter(first_at__date__gte=since)
    if until:
        exposures = exposures.filter(first_at__date__lte=until)
    return {row["arm"]: row for row in exposures.values("arm").annotate(
        impressions=Sum("impressions"), visitors=Count("pk"), clicks=Count("clicked_at"),
        conversions=Count("converted_at"))}


def rule_planned_shares(rule: Rule) -> dict[str, float]:
    """Each arm's share of all traffic now: the control's, and the rest as decisions split it (arm_weights)."""
    keys = [MAIN] + [arm.key for arm in rule.arms.all() if not arm.paused]
    weights = arm_weights(rule, keys)
    rest, total = 1 - rule.control_share, sum(weights)
    return {CONTROL: rule.control_share, **{key: rest * weight / total for key, weight in zip(keys, weights,
                                                                                           strict=True)}}


def rule_results(rule: Rule, *, since: date | None = None, until: date | None = None,
                 segment: Segment | None = None) -> RuleResults:
    """The rule's arms with their figures and verdicts; the sample-ratio check runs for a fixed split whose arms
    all still run (a bandit's or a paused arm's planned share changed over time)."""
    totals = rule_totals(rule, since=since, until=until, segment=segment)
    planned = rule_planned_shares(rule)
    control, *others = totals
    if not control.visitors and not any(arm.visitors for arm in others):
        return RuleResults(rule=rule, arms=totals, result=None, planned=planned)
    fixed = rule.split == Rule.Split.FIXED and not any(arm.paused for arm in others) and rule.control_share > 0
    shares = planned_over_range(rule, [arm.key for arm in totals], planned, since=since, until=until) if fixed else None
    result = experiment_result(
        arms=[(arm.name, arm.arm(rule.metric)) for arm in totals], min_sample=rule.min_sample,
        planned_shares=shares if shares and all(share > 0 for share in shares) else None)
    return RuleResults(rule=rule, arms=totals, result=result, planned=planned)


def planned_over_range(rule: Rule, keys: list[str], planned: dict[str, float], *, since: date | None,
                       until: date | None) -> list[float]:
    """Each arm's planned share over the range: the shares noted each day, weighted by that day's visitors (an edit
    of the split within the range is no mismatch); today's plan for days without a note."""
    days = rule_days(rule, since=since, until=until)
    visitors: dict[date, int] = defaultdict(int)
    shares: dict[date, dict[str, float]] = defaultdict(dict)
    for day, arm, count, share in days.values_list("day", "arm", "visitors", "share"):
        visitors[day] += count
        if share is not None:
            shares[day][arm] = share
    expected = dict.fromkeys(keys, 0.0)
    for day, count in visitors.items():
        plan = shares.get(day) or planned
        for key in keys:
            expected[key] += count * plan.get(key, 0.0)
    total = sum(expected.values())
    return [expected[key] / total for key in keys] if total else [planned.get(key, 0.0) for key in keys]


def rule_experiments_update(*, seed: int | None = None, today: date | None = None) -> int:
    """Move bandits' traffic, note each arm's share of the day (`today`, by default the current UTC day) and, at the
    day's first update, pause clearly losing variants of rules that allow it; returns how many rules were looked
    at."""
    rng = np.random.default_rng(seed)
    rules = Rule.objects.filter(enabled=True).prefetch_related("arms__variant").select_related("variant")
    today = today or timezone.now().date()
    for rule in rules:
        totals = {arm.key: arm for arm in rule_totals(rule)}
        judged_today = RuleDay.objects.filter(rule=rule, day=today, share__isnull=False).exists()
        if rule.auto_pause and not judged_today:  # once a day: each look is another chance of a false pause
            arms_pause_losing(rule, totals)
        if rule.split == Rule.Split.BANDIT:
            active = [MAIN] + [arm.key for arm in rule.arms.all() if not arm.paused]
            shares = allocation(variants=[totals[key].arm(rule.metric) for key in active], rng=rng,
                                control_share=rule.control_share)
            rule.allocation = {CONTROL: shares[0], **dict(zip(active, shares[1:], strict=True))}
            Rule.objects.filter(pk=rule.pk).update(allocation=rule.allocation)
        for key, share in rule_planned_shares(rule).items():
            RuleDay.objects.update_or_create(rule=rule, arm=key, day=today, defaults={"share": share})
    rules_forget()
    return len(rules)


def arms_pause_losing(rule: Rule, totals: dict[str, ArmTotals]) -> None:
    control = totals[CONTROL].arm(rule.metric)
    for arm in rule.arms.all():
        if arm.paused or arm.resumed_by_editor:
            continue
        decision = pause_decision(control=control, variant=totals[arm.key].arm(rule.metric),
                                  min_sample=rule.min_sample)
        if decision.pause:
            with transaction.atomic():
                RuleArm.objects.filter(pk=arm.pk).update(paused=True, paused_reason=decision.reason[:300],
                                                         paused_at=timezone.now())
                RuleAutomation.objects.create(rule=rule, arm=arm, reason=decision.reason[:300])
            arm.paused = True
