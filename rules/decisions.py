"""The rules' decision provider: for each requested slot, the first of the site's rules (highest priority first) that
the visitor's profile and the page satisfy, within its dates and frequency cap.

Consent: without a profile (no personalization consent) no rule applies and every slot keeps its default, so the
page alone never personalizes and nothing is counted for a visitor who refused.

Experiments: a visitor who meets a rule sees one of its arms (rules.assignment), or, in its control group, the
slot's default content reported under the rule. A rule with in-page rows whose server part holds is decided with
those rows left as the decision's client_condition (the residual's JSON, nothing of the profile); it takes the slot,
so rules below it wait for the browser's verdict.
"""

from consent.remembered import Remembered
from personalization.decisions import Decision, DecisionRequest
from personalization.services.redis_shared import redis_enabled
from segments.conditions import partially_evaluate, residual_compact
from segments.models import Membership

from . import visitor_values
from .caps import cap_count, cap_reached
from .compiled import CompiledRule, rules_version, site_rules
from .evaluation import values_read
from .insight.peaking import page_peaking
from .models import CONTROL, MAIN, OfferRedemption
from .recommendations import ItemsWanted, items_related
from .rendering import items_html
from .vocabulary import PEAKING_FIELD, page_values, profile_rule_values, rule_vocabulary

SOURCE = "rules"
_VALUES = "_attune_rule_values"  # kept on the profile instance, which lives for one request


# A profile's rule values are also kept in this process for a few seconds under its id and last change: an event
# that changes the profile changes updated_at, and so the key, at once (the same page view's re-ask sees it); a
# segment run's new memberships show within PROFILE_VALUES_SECONDS. /decide is asked on every page view, and reading
# memberships and deriving features cost more than the decision itself.
PROFILE_VALUES_SECONDS = 10
_profile_values = Remembered(seconds=PROFILE_VALUES_SECONDS, max_keys=50_000)


def profile_values_read(profile, *, now) -> dict[str, object]:
    """What rules see of a profile (raw: values_read gives them their fields' types)."""
    slugs = Membership.objects.filter(profile_id=profile.pk, segment__retired=False).values_list(
        "segment__slug", flat=True)
    return profile_rule_values(profile, segment_slugs=list(slugs), now=now)


def profile_values_cached(profile, *, now) -> dict[str, object]:
    """The profile's rule values as their fields' types: read once per profile instance (one request), and kept
    for PROFILE_VALUES_SECONDS per process while the profile and the site's rules and segments stay unchanged."""
    cached = profile.__dict__.get(_VALUES)
    if cached is None:
        key = (profile.pk, profile.updated_at, rules_version())
        cached = profile.__dict__[_VALUES] = _profile_values.get(
            key, lambda: values_read(profile_values_read(profile, now=now), rule_vocabulary()))
    return cached


def visitor_rule_values(request: DecisionRequest) -> dict[str, object] | None:
    """The consenting visitor's rule values as their fields' types, None without consent or profile: with Redis
    from the visitor's values kept there (visitor_values.py), without from their profile."""
    if not request.visitor_id:
        return None
    now = request.page.now
    if not redis_enabled():
        profile = request.profile
        return None if profile is None else profile_values_cached(profile, now=now)

    def read() -> dict | None:
        profile = request.profile
        return None if profile is None else profile_values_read(profile, now=now)

    return visitor_values.visitor_values(
        site_id=request.site_id, visitor_id=request.visitor_id, read=read,
        prepare=lambda raw: None if raw is None else values_read(raw, rule_vocabulary()))


def rules_decide(request: DecisionRequest) -> dict[str, Decision]:
    """{slot: Decision} for the requested slots some rule fills; see the module's doc for consent."""
    if not request.visitor_id:
        return {}
    compiled = site_rules(request.site_id)
    slots = [slot for slot in request.slots if slot in compiled.by_slot]
    if not slots:
        return {}
    profile_values = visitor_rule_values(request)
    if profile_values is None:
        return {}
    peaking = page_peaking(site_id=request.site_id, path=request.page.path,
                           wanted=compiled.tests_field(slots, PEAKING_FIELD))
    values = {**profile_values, **values_read(page_values(request.page, peaking=peaking), rule_vocabulary())}
    decided = {}
    for slot in slots:
        decision = slot_decide(compiled.by_slot[slot], values, request)
        if decision is not None:
            decided[slot] = decision
    return decided


def slot_decide(rules: tuple[CompiledRule, ...], values: dict, request: DecisionRequest) -> Decision | None:
    now = request.page.now
    for rule in rules:
        if (rule.starts_at and rule.starts_at > now) or (rule.ends_at and rule.ends_at <= now):
            continue
        verdict = rule.decide(values, now)
        if verdict is False or not rule_may_show(rule, request):
            continue
        arm = rule.arm_for(request.visitor_id)
        html = rule_html(rule, arm.html if arm else rule.html, request)
        if not html:
            continue
        residual = None if verdict is True else residual_compact(partially_evaluate(rule.condition, values, now=now))
        if verdict is True:
            cap_count(rule_id=rule.id, cap=rule.cap, period=rule.cap_period, visitor_id=request.visitor_id, now=now)
        if arm is None:  # the control group: the default content, reported under the rule so lift can be measured
            return Decision(slot=rule.slot, html="", source=SOURCE, reference=f"rule:{rule.id}:{CONTROL}",
                            reason=f"{rule.name}: in its control group ({rule.control_share:.0%} of visitors see the "
                                   "default content, to measure the rule's lift)", client_condition=residual,
                            keep_default=True)
        return Decision(slot=rule.slot, html=html, source=SOURCE, reference=arm_reference(rule.id, arm.key),
                        reason=f"{rule.name}: {rule.description}", client_condition=residual)
    return None


def arm_reference(rule_id: int, arm_key: str) -> str:
    """What impressions and clicks report: rule:ID for the rule's own content, rule:ID:ARM for another arm."""
    return f"rule:{rule_id}" if arm_key == MAIN else f"rule:{rule_id}:{arm_key}"


def rule_may_show(rule: CompiledRule, request: DecisionRequest) -> bool:
    """Not capped for this visitor, and its offer (if any) still open to them."""
    if cap_reached(rule_id=rule.id, cap=rule.cap, period=rule.cap_period, visitor_id=request.visitor_id,
                   now=request.page.now):
        return False
    if rule.offer_id is None:
        return True
    if not rule.offer_available:
        return False
    return not (rule.offer_single_use and OfferRedemption.objects.filter(
        offer_id=rule.offer_id, visitor_id=request.visitor_id).exists())


def rule_html(rule: CompiledRule, html: str, request: DecisionRequest) -> str:
    """The arm's markup; a recommendation with no related items shows nothing (the slot keeps its default)."""
    if rule.action != "recommendations":
        return html
    items = items_related(ItemsWanted(site_id=request.site_id, page=request.page, visitor_id=request.visitor_id,
                                      limit=rule.limit))
    return items_html(items, heading=html) if items else ""
