"""Writing rules (with their condition rows), an editor's resuming of a paused variant, and redeeming offers."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from segments.conditions import parse, to_json

from .compiled import rules_forget, site_vocabulary
from .models import ConditionRow, Offer, OfferRedemption, Rule, RuleArm, RuleAutomation
from .rows import rows_from_condition


@transaction.atomic
def rule_save(*, rule: Rule, conditions: dict) -> Rule:
    """Save `rule` with `conditions` (stored JSON, checked against the site's vocabulary) and the rows editors see.

    Raises ConditionInvalid when the conditions cannot be used; rows are written only for a flat all / any."""
    condition = parse(conditions, site_vocabulary(rule.site_id))
    combine, rows = rows_from_condition(condition)
    rule.conditions, rule.combine = to_json(condition), combine
    rule.save()
    rule.rows.all().delete()
    ConditionRow.objects.bulk_create(ConditionRow(rule=rule, position=n, **row) for n, row in enumerate(rows))
    return rule


def offer_redeem(*, offer: Offer, visitor_id: str) -> bool:
    """Record that the visitor used the offer's code; False when it is expired, used up, or already used by them."""
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        if not locked.available(now=timezone.now()):
            return False
        try:
            with transaction.atomic():
                OfferRedemption.objects.create(offer=locked, visitor_id=visitor_id)
        except IntegrityError:
            if locked.single_use_per_visitor:
                return False
        Offer.objects.filter(pk=offer.pk).update(redeemed=F("redeemed") + 1)
    return True


def rule_arm_resume(*, arm: RuleArm) -> None:
    """An editor's undo of a pause: the arm runs again and automation leaves it be from now on."""
    with transaction.atomic():
        RuleArm.objects.filter(pk=arm.pk).update(paused=False, resumed_by_editor=True)
        RuleAutomation.objects.filter(arm=arm, undone_at__isnull=True).update(undone_at=timezone.now())
    rules_forget()
