"""Counting what every rule's arms did, from the events the tracker already sends: an attune_impression or
attune_click carries the rule and arm (ref "rule:ID" or "rule:ID:ARM"), and a conversion is a goal event of an
exposed visitor within the rule's attribution window.

The count is incremental: each run reads only the events stored since the last (by id, through
personalization.selectors), keeps one RuleExposure per visitor and rule (the arm of the first impression, the first
click on that arm's content, the first conversion: the statistics count visitors) and the RuleDay counters that
dashboards read. A day's counters describe the visitors first exposed that day: their clicks and conversions count
on that day too, whenever they happen, so a rate over any range compares the same visitors.

Ids are read once they are SETTLE_SECONDS old: concurrent writers commit out of id order, never that late. Each
chunk commits with the cursor's advance, so every event counts exactly once and a backlog never holds a long
transaction (the embedded SQLite database has one writer at a time)."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consent.services.rights import erased_digests
from personalization.models import Site
from personalization.selectors import ActionEvent, action_events_between, event_goal, event_id_last, site_goal_names

from .flicker import SWAP_MS_MAX, histogram_add
from .models import CONTROL, MAIN, FeedbackCursor, Rule, RuleArm, RuleDay, RuleExposure

SETTLE_SECONDS = 10
CHUNK = 20_000  # action events per committed chunk
IMPRESSION, CLICK = "attune_impression", "attune_click"
REFERENCE = re.compile(r"^rule:(\d{1,18})(?::(control|a\d{1,18}))?$")
CURSOR = "rule_feedback"
DayKey = tuple[int, str, date]


@dataclass(frozen=True)
class RuleFacts:
    site_id: int
    attribution: timedelta
    extra_goals: frozenset[str]
    arms: frozenset[str]  # the arm keys a ref may name: control, main and the rule's variants


def reference_read(ref: object) -> tuple[int, str] | None:
    """(rule id, arm key) of an impression's or click's ref; None when it names no rule arm."""
    match = REFERENCE.match(ref) if isinstance(ref, str) else None
    return None if match is None else (int(match[1]), match[2] or MAIN)


def rule_feedback_count(*, settle_seconds: float = SETTLE_SECONDS, now: datetime | None = None) -> int:
    """Count the events stored since the last run into exposures and daily counters; return how many were read."""
    upper = feedback_upper(settle_seconds=settle_seconds, now=now or timezone.now())
    counter, read = FeedbackCounter(), 0
    while True:
        with transaction.atomic():
            cursor = FeedbackCursor.objects.select_for_update().get(name=CURSOR)  # a second run waits, then goes on
            if cursor.done_id >= upper:
                return read
            events = next(action_events_between(after_id=cursor.done_id, upto_id=upper, chunk=CHUNK), [])
            counter.count(events)
            read += len(events)
            cursor.done_id = events[-1].id if events else upper
            cursor.save(update_fields=["done_id"])


def feedback_upper(*, settle_seconds: float, now: datetime) -> int:
    """The highest id this run may read: the last id seen at least settle_seconds ago (every id now with 0)."""
    with transaction.atomic():
        cursor, _ = FeedbackCursor.objects.select_for_update().get_or_create(name=CURSOR)
        last = event_id_last()
        settled = cursor.seen_at is not None and (now - cursor.seen_at).total_seconds() >= settle_seconds
        upper = last if settle_seconds <= 0 else (cursor.seen_id if settled else cursor.done_id)
        if settle_seconds <= 0 or settled or cursor.seen_at is None:
            cursor.seen_id, cursor.seen_at = last, now
            cursor.save(update_fields=["seen_id", "seen_at"])
    return upper


class FeedbackCounter:
    """Applies chunks of events, in time order, to exposures and day counters (one run's rule and goal facts)."""

    def __init__(self) -> None:
        self.rules: dict[int, RuleFacts | None] = {}
        self.goals: dict[int, frozenset[str]] = {}

    def count(self, events: list[ActionEvent]) -> None:
        events = sorted(events, key=lambda event: (event.ts, event.id))
        refs = {event.id: reference_read(event.props.get("ref")) for event in events
                if event.type == "track" and event.name in (IMPRESSION, CLICK) and isinstance(event.props, dict)}
        exposures = {(e.rule_id, e.visitor_id): e for e in RuleExposure.objects.filter(
            visitor_id__in={event.visitor_id for event in events})}
        self.rules_read({ref[0] for ref in refs.values() if ref} | {rule_id for rule_id, _ in exposures})
        self.created: dict[tuple[int, str], RuleExposure] = {}
        self.changed: dict[tuple[int, str], RuleExposure] = {}
        self.days: dict[DayKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.swaps: dict[DayKey, list[float]] = defaultdict(list)
        by_visitor: dict[str, list[RuleExposure]] = defaultdict(list)
        for exposure in exposures.values():
            by_visitor[exposure.visitor_id].append(exposure)
        for event in events:
            if event.id in refs:
                self.shown_or_clicked(event, refs[event.id], exposures, by_visitor)
            else:
                self.converted(event, by_visitor.get(event.visitor_id, ()))
        self.write()

    def shown_or_clicked(self, event: ActionEvent, ref: tuple[int, str] | None, exposures: dict,
                         by_visitor: dict) -> None:
        facts = self.rules.get(ref[0]) if ref else None
        if facts is None or facts.site_id != event.site_id or ref[1] not in facts.arms:
            return  # a ref to a rule (or an arm) that is gone, or of another site: nothing to count
        key = (ref[0], event.visitor_id)
        exposure = exposures.get(key)
        if exposure is None:
            exposure = exposures[key] = self.created[key] = RuleExposure(
                rule_id=ref[0], visitor_id=event.visitor_id, arm=ref[1], first_at=event.ts, last_at=event.ts,
                impressions=0)
            by_visitor[event.visitor_id].append(exposure)
            self.days[day_key(exposure)]["visitors"] += 1
        self.changed[key] = exposure
        if event.name == IMPRESSION:
            exposure.impressions += 1
            exposure.last_at = max(exposure.last_at, event.ts)
            self.days[(exposure.rule_id, exposure.arm, event.ts.date())]["impressions"] += 1
            swap = event.props.get("swap_ms")
            if isinstance(swap, int | float) and not isinstance(swap, bool) and 0 <= swap <= SWAP_MS_MAX:
                self.swaps[(exposure.rule_id, exposure.arm, event.ts.date())].append(swap)
        elif exposure.clicked_at is None and ref[1] == exposure.arm:  # a click on the content they were assigned
            exposure.clicked_at = event.ts
            self.days[day_key(exposure)]["clicks"] += 1

    def converted(self, event: ActionEvent, exposures) -> None:
        """Mark each of the visitor's exposures that `event` is the first goal of, within its window."""
        for exposure in exposures:
            facts = self.rules.get(exposure.rule_id)
            if exposure.converted_at is not None or facts is None or facts.site_id != event.site_id:
                continue
            if not exposure.first_at <= event.ts <= exposure.first_at + facts.attribution:
                continue
            goal = event_goal(event, goals=self.site_goals(event.site_id) | facts.extra_goals)
            if goal:
                exposure.converted_at, exposure.goal = event.ts, goal[:100]
                self.changed[(exposure.rule_id, exposure.visitor_id)] = exposure
                self.days[day_key(exposure)]["conversions"] += 1

    def write(self) -> None:
        RuleExposure.objects.bulk_create(self.not_erased(list(self.created.values())))
        updated = [exposure for key, exposure in self.changed.items() if key not in self.created]
        RuleExposure.objects.bulk_update(updated, ["impressions", "last_at", "clicked_at", "converted_at", "goal"],
                                         batch_size=1000)
        rule_days_add(self.days, self.swaps)

    def not_erased(self, exposures: list[RuleExposure]) -> list[RuleExposure]:
        """Leave out the visitors erased while their events were being counted (their counters stay: no one's)."""
        by_site: dict[int, set[str]] = defaultdict(set)
        for exposure in exposures:
            by_site[self.rules[exposure.rule_id].site_id].add(exposure.visitor_id)
        keys = dict(Site.objects.filter(pk__in=by_site).values_list("pk", "public_key"))
        erased = {visitor for site_id, visitors in by_site.items()
                  for visitor in erased_digests(site_key=keys[site_id], visitor_ids=sorted(visitors))}
        return [exposure for exposure in exposures if exposure.visitor_id not in erased]

    def rules_read(self, rule_ids: set[int]) -> None:
        missing = rule_ids - self.rules.keys()
        self.rules.update(dict.fromkeys(missing))
        arms: dict[int, set[str]] = defaultdict(lambda: {CONTROL, MAIN})
        for arm in RuleArm.objects.filter(rule_id__in=missing).only("pk", "rule_id"):
            arms[arm.rule_id].add(arm.key)
        for pk, site_id, days, goals in Rule.objects.filter(pk__in=missing).values_list(
                "pk", "site_id", "attribution_days", "extra_goals"):
            self.rules[pk] = RuleFacts(site_id, timedelta(days=days), goal_names(goals), frozenset(arms[pk]))

    def site_goals(self, site_id: int) -> frozenset[str]:
        if site_id not in self.goals:
            self.goals[site_id] = site_goal_names(site_id=site_id)
        return self.goals[site_id]


def goal_names(goals: object) -> frozenset[str]:
    """A rule's extra goals as names (a single name, or a list of them)."""
    if isinstance(goals, str):
        return frozenset({goals})
    return frozenset(goal for goal in goals or () if isinstance(goal, str)) if isinstance(goals, list) else frozenset()


def day_key(exposure: RuleExposure) -> DayKey:
    """The counters of the exposure's cohort: its rule and arm on the day the visitor first saw it."""
    return exposure.rule_id, exposure.arm, exposure.first_at.date()


def rule_days_add(days: dict, swaps: dict) -> None:
    """Add counts and swap delays to the (rule, arm, day) counters, creating the rows that do not exist yet."""
    keys = set(days) | set(swaps)
    if not keys:
        return
    RuleDay.objects.bulk_create([RuleDay(rule_id=rule_id, arm=arm, day=day) for rule_id, arm, day in keys],
                                ignore_conflicts=True)
    for (rule_id, arm, day), counts in days.items():
        RuleDay.objects.filter(rule_id=rule_id, arm=arm, day=day).update(
            **{name: F(name) + value for name, value in counts.items()})
    for (rule_id, arm, day), values in swaps.items():  # a histogram: read and written under the cursor's lock
        row = RuleDay.objects.filter(rule_id=rule_id, arm=arm, day=day)
        row.update(swap_ms=histogram_add(row.values_list("swap_ms", flat=True).get(), values))
