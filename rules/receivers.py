"""Compiled rules are forgotten when a rule, its rows or arms, a variant, an offer or a segment changes (this process
at once, the others within RULES_CACHE_SECONDS); visitors' rule values kept in Redis are marked stale when their
events are stored or their segments change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from personalization.selectors import visitors_of_profiles
from personalization.services.redis_shared import redis_enabled
from personalization.signals import events_stored
from segments.models import Segment
from segments.signals import memberships_changed

from .compiled import rules_forget, site_rules
from .models import ConditionRow, ContentVariant, Offer, Rule, RuleArm
from .visitor_values import site_changed, visitors_changed

SITE_WIDE_CHANGE = 1000  # more people than this entering or leaving a segment at once mark the whole site stale


@receiver(events_stored, dispatch_uid="rules-visitor-values-stored")
def values_stale_after_events(sender, site_id: int, profile_ids, **kwargs) -> None:
    if redis_enabled() and profile_ids and site_rules(site_id).by_slot:  # nothing is kept for a site without rules
        visitors_changed(visitors_of_profiles(profile_ids))


@receiver(memberships_changed, dispatch_uid="rules-visitor-values-memberships")
def values_stale_after_memberships(sender, segment_id: int, entered, left, **kwargs) -> None:
    if not redis_enabled() or not (entered or left):
        return
    if len(entered) + len(left) > SITE_WIDE_CHANGE:  # a clustering run: one write instead of one per person
        site_changed(Segment.objects.filter(pk=segment_id).values_list("site_id", flat=True).get())
    else:
        visitors_changed(visitors_of_profiles([*entered, *left]))


def compiled_rules_forget(sender, **kwargs) -> None:
    rules_forget()


for _model in (Rule, ConditionRow, RuleArm, ContentVariant, Offer, Segment):
    for _signal in (post_save, post_delete):
        _signal.connect(compiled_rules_forget, sender=_model, dispatch_uid=f"rules_forget_{_model.__name__}")
