"""A site's active rules read once and kept in memory for a few seconds: conditions parsed, content cleaned and
built, grouped by slot in priority order. Saving a rule, variant, offer or segment forgets them in this process."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from consent.remembered import Remembered
from segments.conditions import Condition, ConditionInvalid, Known, Vocabulary, describe, leaves, parse
from segments.models import Segment

from .evaluation import Compiled, condition_compile
from .models import Rule
from .rendering import action_body
from .vocabulary import rule_vocabulary

logger = logging.getLogger(__name__)
RULES_CACHE_SECONDS = 10


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: int
    name: str
    slot: str
    priority: int
    condition: Condition
    decide: Compiled  # True, False, or None when in-page rows decide (rules.evaluation)
    in_page: bool  # some row is an in-page signal: decided partly in the browser
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


@dataclass(frozen=True)
class SiteRules:
    by_slot: dict[str, tuple[CompiledRule, ...]]
    vocabulary: Vocabulary
    skipped: dict[int, str]  # rules whose stored conditions cannot be used, and why


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
             .select_related("variant", "offer").order_by("slot", "-priority", "pk"))
    by_slot: dict[str, list[CompiledRule]] = {}
    skipped: dict[int, str] = {}
    now = timezone.now()
    for rule in rules:
        try:
            by_slot.setdefault(rule.slot, []).append(rule_compile(rule, vocabulary, now=now))
        except ConditionInvalid as error:
            skipped[rule.pk] = str(error)
            logger.warning("rule %s is skipped until its conditions are fixed: %s", rule.pk, error)
    return SiteRules({slot: tuple(rules) for slot, rules in by_slot.items()}, vocabulary, skipped)


def rule_compile(rule: Rule, vocabulary: Vocabulary, *, now: datetime) -> CompiledRule:
    """One rule ready to decide; raises ConditionInvalid when its stored conditions no longer fit the vocabulary."""
    condition = parse(rule.conditions, vocabulary)
    offer = rule.offer
    return CompiledRule(
        id=rule.pk, name=rule.name, slot=rule.slot, priority=rule.priority, condition=condition,
        decide=condition_compile(condition),
        in_page=any(leaf.field.known == Known.PAGE for leaf in leaves(condition)),
        starts_at=rule.starts_at, ends_at=rule.ends_at, cap=rule.cap_count, cap_period=rule.cap_period,
        action=rule.action, html=action_body(action=rule.action, variant=rule.variant, offer=offer),
        offer_id=offer.pk if offer else None, offer_single_use=bool(offer and offer.single_use_per_visitor),
        offer_available=offer.available(now=now) if offer else True, limit=rule.recommendations,
        description=describe(condition),
    )
