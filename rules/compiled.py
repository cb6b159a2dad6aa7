"""A site's active rules read once and kept in memory for a few seconds: conditions parsed, content cleaned and
built, grouped by slot in priority order. Saving a rule, variant, offer or segment forgets them in this process."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from consent.remembered import Remembered
from segments.conditions import Condition, Known, Vocabulary, describe, leaves, parse
from segments.models import Segment

from .assignment import arm_index, bucket, split_check, split_edges
from .evaluation import Compiled, condition_compile
from .models import MAIN, Rule
from .rendering import action_body
from .vocabulary import rule_vocabulary

logger = logging.getLogger(__name__)
RULES_CACHE_SECONDS = 10


@dataclass(frozen=True, slots=True)
class CompiledArm:
    key: str  # MAIN for the rule's own content, else its RuleArm's key
    html: str  # safe


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: int
    name: str
    slot: str
    priority: int
    condition: Condition
    decide: Compiled  # True, False, or None when in-page rows decide (rules.evaluation)
    in_page: bool  # some row is an in-page signal: decided partly in the browser
    fields: frozenset[str]  # the fields its rows test
    starts_at: datetime | None
    ends_at: datetime | None
    cap: int | None
    cap_period: str
    action: str
    html: str  # the action's markup (a recommendation's heading): safe
    offer_id: int | None
    offer_single_use: bool
    offer_available: bool
    limit: int
    description: str
    control_share: float = 0.0
    arms: tuple[CompiledArm, ...] = ()  # the arms shown now (paused ones left out), the rule's own content first
    weights: tuple[float, ...] = ()  # each arm's share of the traffic left after the control group
    edges: tuple[float, ...] = ()  # the weights' cumulative shares (assignment.split_edges), checked when compiled

    def arm_for(self, visitor_id: str) -> CompiledArm | None:
        """The arm this visitor sees; None for the control group (the slot's default content)."""
        index = arm_index(bucket(visitor_id=visitor_id, salt=f"rule:{self.id}"), control_share=self.control_share,
                          edges=self.edges)
        return None if index is None else self.arms[index]


@dataclass(frozen=True)
class SiteRules:
    by_slot: dict[str, tuple[CompiledRule, ...]]
    vocabulary: Vocabulary
    skipped: dict[int, str]  # rules whose stored conditions cannot be used, and why
    field_slots: dict[str, frozenset[str]] = field(default_factory=dict)  # field name -> slots whose rules test it

    def tests_field(self, slots, name: str) -> bool:
        """Whether a rule of one of `slots` tests the field `name` (read when compiled: no walk per decision)."""
        return not self.field_slots.get(name, frozenset()).isdisjoint(slots)


_remembered = Remembered(seconds=RULES_CACHE_SECONDS)
_version = 0


def rules_forget() -> None:
    """Forget every site's compiled rules in this process (other processes within RULES_CACHE_SECONDS)."""
    global _version
    _version += 1
    _remembered.values.clear()


def rules_version() -> int:
    """Changes whenever rules_forget() runs: a rule, variant, offer or segment changed in this process."""
    return _version


def site_rules(site_id: int) -> SiteRules:
    """The site's enabled, not yet ended rules, compiled; kept for RULES_CACHE_SECONDS."""
    return _remembered.get((site_id, _version), lambda: rules_compile(site_id=site_id))


def site_vocabulary(site_id: int) -> Vocabulary:
    """The rule vocabulary with the site's segments (not retired) as the membership field's choices."""
    segments = Segment.objects.filter(site_id=site_id, retired=False).order_by("name").values_list("slug", "name")
    return rule_vocabulary(tuple(segments))


def rules_compile(*, site_id: int) -> SiteRules:
    vocabulary = site_vocabulary(site_id)
    rules = (Rule.objects.filter(site_id=site_id, enabled=True).exclude(ends_at__lte=timezone.now())
             .select_related("variant", "offer").prefetch_related("arms__variant").order_by("slot", "-priority", "pk"))
    by_slot: dict[str, list[CompiledRule]] = {}
    skipped: dict[int, str] = {}
    now = timezone.now()
    for rule in rules:
        try:
            by_slot.setdefault(rule.slot, []).append(rule_compile(rule, vocabulary, now=now))
        except ValueError as error:  # ConditionInvalid, or a split that cannot be used
            skipped[rule.pk] = str(error)
            logger.warning("rule %s is skipped until its conditions are fixed: %s", rule.pk, error)
    field_slots: dict[str, set[str]] = {}
    for slot, compiled in by_slot.items():
        for name in set().union(*(rule.fields for rule in compiled)):
            field_slots.setdefault(name, set()).add(slot)
    return SiteRules({slot: tuple(rules) for slot, rules in by_slot.items()}, vocabulary, skipped,
                     {name: frozenset(slots) for name, slots in field_slots.items()})


def rule_compile(rule: Rule, vocabulary: Vocabulary, *, now: datetime) -> CompiledRule:
    """One rule ready to decide; raises ConditionInvalid when its stored conditions no longer fit the vocabulary,
    ValueError when its split cannot be used."""
    condition = parse(rule.conditions, vocabulary)
    offer = rule.offer
    html = action_body(action=rule.action, variant=rule.variant, offer=offer)
    arms = [CompiledArm(MAIN, html)] + [
        CompiledArm(arm.key, action_body(action=rule.action, variant=arm.variant, offer=offer))
        for arm in rule.arms.all() if not arm.paused]
    weights = arm_weights(rule, [arm.key for arm in arms])
    split_check(weights=weights, control_share=rule.control_share)  # raises ValueError: the rule is skipped
    return CompiledRule(
        id=rule.pk, name=rule.name, slot=rule.slot, priority=rule.priority, condition=condition,
        decide=condition_compile(condition),
        in_page=any(leaf.field.known == Known.PAGE for leaf in leaves(condition)),
        fields=frozenset(leaf.field.name for leaf in leaves(condition)),
        starts_at=rule.starts_at, ends_at=rule.ends_at, cap=rule.cap_count, cap_period=rule.cap_period,
        action=rule.action, html=html,
        offer_id=offer.pk if offer else None, offer_single_use=bool(offer and offer.single_use_per_visitor),
        offer_available=offer.available(now=now) if offer else True, limit=rule.recommendations,
        description=describe(condition), control_share=rule.control_share, arms=tuple(arms), weights=weights,
        edges=split_edges(weights),
    )


def arm_weights(rule: Rule, keys: list[str]) -> tuple[float, ...]:
    """A bandit's current allocation, else the fixed split's weights; equal shares when neither gives any."""
    if rule.split == Rule.Split.BANDIT and rule.allocation:
        weights = [float(rule.allocation.get(key, 0.0)) for key in keys]
    else:
        fixed = {arm.key: arm.weight for arm in rule.arms.all()}
        weights = [rule.weight if key == MAIN else fixed[key] for key in keys]
    weights = [max(0.0, weight) for weight in weights]  # the admin refuses negative weights; old rows are read as 0
    return tuple(weights) if sum(weights) > 0 else (1.0,) * len(keys)
