"""Counting what every rule's arms did, from the events the tracker already sends: an attune_impression or
attune_click carries the rule and arm (ref "rule:ID" or "rule:ID:ARM"), and a conversion is a goal event of an
exposed visitor within the rule's attribution window.

The count is incremental: each run reads only the events stored since the last (by id, through
personalization.selectors), updates one RuleExposure per visitor and rule (first exposure, first click, first
conversion: the statistics count visitors) and the per-day RuleDay counters that dashboards read. Ids are read
once they are SETTLE_SECONDS old: concurrent writers commit out of id order, never that late. A run and its
cursor commit together, so every event is counted exactly once."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from personalization.selectors import ActionEvent, action_events_between, event_goal, event_id_last, site_goal_names

from .flicker import SWAP_MS_MAX, histogram_add
from .models import MAIN, FeedbackCursor, Rule, RuleDay, RuleExposure

SETTLE_SECONDS = 10
IMPRESSION, CLICK = "attune_impression", "attune_click"
REFERENCE = re.compile(r"^rule:(\d{1,18})(?::(control|a\d{1,18}))?$")
CURSOR = "rule_feedback"


@dataclass(frozen=True)
class RuleFacts:
    site_id: int
    attribution: timedelta
    extra_goals: frozenset[str]


def reference_read(ref: object) -> tuple[int, str] | None:
    """(rule id, arm key) of an impression's or click's ref; None when it names no rule arm."""
    match = REFERENCE.match(ref) if isinstance(ref, str) else None
    return None if match is None else (int(match[1]), match[2] or MAIN)


def rule_feedback_count(*, settle_seconds: float = SETTLE_SECONDS, now: datetime | None = None) -> int:
    """Count the events stored since the last run into exposures and daily counters; return how many were read."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor, _ = FeedbackCursor.objects.select_for_update().get_or_create(name=CURSOR)
        last = event_id_last()
        settled = cursor.seen_at is not None and (now - cursor.seen_at).total_seconds() >= settle_seconds
        upper = last if settle_seconds <= 0 else (cursor.seen_id if settled else cursor.done_id)
        read = 0
        counter = FeedbackCounter()
        for events in action_events_between(after_id=cursor.done_id, upto_id=upper):
            counter.count(events)
            read += len(events)
        cursor.done_id = max(cursor.done_id, upper)
        if settle_seconds <= 0 or settled or cursor.seen_at is None:
            cursor.seen_id, cursor.seen_at = last, now
        cursor.save()
    return read


class FeedbackCounter:
    """Applies chunks of events, in time order, to exposures and day counters (one run's rule and goal facts)."""

    def __init__(self) -> None:
        self.rules: dict[int, RuleFacts | None] = {}
        self.goals: dict[int, frozenset[str]] = {}

    def count(self, events: list[ActionEvent]) -> None:
        events = sorted(events, key=lambda event: (event.ts, event.id))
        refs = {event.id: reference_read(event.props.get("ref")) for event in events
                if event.type == "track" and event.name in (IMPRESSION, CLICK) and isinstance(event.props, dict)}
        visitors = {event.visitor_id for event in events}
        exposures = {(e.rule_id, e.visitor_id): e for e in RuleExposure.objects.filter(visitor_id__in=visitors)}
        self.rules_read({ref[0] for ref in refs.values() if ref} | {rule_id for rule_id, _ in exposures})
        by_visitor: dict[str, list[RuleExposure]] = defaultdict(list)
        for exposure in exposures.values():
            by_visitor[exposure.visitor_id].append(exposure)
        created, changed = {}, {}
        days: dict[tuple[int, str, object], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        swaps: dict[tuple[int, str, object], list[float]] = defaultdict(list)
        for event in events:
            ref = refs.get(event.id)
            if ref is not None:
                facts = self.rules.get(ref[0])
                if facts is None or facts.site_id != event.site_id:
                    continue  # a ref to a rule that is gone, or of another site: nothing to count
                key = (ref[0], event.visitor_id)
                exposure = exposures.get(key)
                if exposure is None:
                    exposure = exposures[key] = created[key] = RuleExposure(
                        rule_id=ref[0], visitor_id=event.visitor_id, arm=ref[1], first_at=event.ts,
                        last_at=event.ts, impressions=0)
                    by_visitor[event.visitor_id].append(exposure)
                    days[(ref[0], exposure.arm, event.ts.date())]["visitors"] += 1
                changed[key] = exposure
                if event.name == IMPRESSION:
                    exposure.impressions += 1
                    exposure.last_at = max(exposure.last_at, event.ts)
                    days[(ref[0], exposure.arm, event.ts.date())]["impressions"] += 1
                    swap = event.props.get("swap_ms")
                    if isinstance(swap, int | float) and not isinstance(swap, bool) and 0 <= swap <= SWAP_MS_MAX:
                        swaps[(ref[0], exposure.arm, event.ts.date())].append(swap)
                elif exposure.clicked_at is None:
                    exposure.clicked_at = event.ts
                    days[(ref[0], exposure.arm, event.ts.date())]["clicks"] += 1
                continue
            for exposure in by_visitor.get(event.visitor_id, ()):
                if self.converts(exposure, event):
                    changed[(exposure.rule_id, exposure.visitor_id)] = exposure
                    days[(exposure.rule_id, exposure.arm, event.ts.date())]["conversions"] += 1
        RuleExposure.objects.bulk_create(created.values())
        updated = [exposure for key, exposure in changed.items() if key not in created]
        RuleExposure.objects.bulk_update(updated, ["impressions", "last_at", "clicked_at", "converted_at", "goal"],
                                         batch_size=1000)
        rule_days_add(days, swaps)

    def converts(self, exposure: RuleExposure, event: ActionEvent) -> bool:
        """Mark the exposure converted by `event` when it is the first goal reached within the window."""
        facts = self.rules.get(exposure.rule_id)
        if exposure.converted_at is not None or facts is None or facts.site_id != event.site_id:
            return False
        if not exposure.first_at <= event.ts <= exposure.first_at + facts.attribution:
            return False
        goal = event_goal(event, goals=self.site_goals(event.site_id) | facts.extra_goals)
        if not goal:
            return False
        exposure.converted_at, exposure.goal = event.ts, goal[:100]
        return True

    def rules_read(self, rule_ids: set[int]) -> None:
        missing = rule_ids - self.rules.keys()
        self.rules.update(dict.fromkeys(missing))
        for pk, site_id, days, goals in Rule.objects.filter(pk__in=missing).values_list(
                "pk", "site_id", "attribution_days", "extra_goals"):
            extra = frozenset(goal for goal in goals or () if isinstance(goal, str))
            self.rules[pk] = RuleFacts(site_id, timedelta(days=days), extra)

    def site_goals(self, site_id: int) -> frozenset[str]:
        if site_id not in self.goals:
            self.goals[site_id] = site_goal_names(site_id=site_id)
        return self.goals[site_id]


def rule_days_add(days: dict, swaps: dict) -> None:
    """Add counts and swap delays to the (rule, arm, day) counters, creating the rows that do not exist yet."""
    if not days:
        return
    RuleDay.objects.bulk_create([RuleDay(rule_id=rule_id, arm=arm, day=day) for rule_id, arm, day in days],
                                ignore_conflicts=True)
    for (rule_id, arm, day), counts in days.items():
        RuleDay.objects.filter(rule_id=rule_id, arm=arm, day=day).update(
            **{name: F(name) + value for name, value in counts.items()})
    for (rule_id, arm, day), values in swaps.items():  # a histogram: read and written under the cursor's lock
        row = RuleDay.objects.filter(rule_id=rule_id, arm=arm, day=day)
        row.update(swap_ms=histogram_add(row.values_list("swap_ms", flat=True).get(), values))
