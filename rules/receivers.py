"""Compiled rules are forgotten when a rule, a variant, an offer or a segment changes (this process at once, the
others within RULES_CACHE_SECONDS)."""

from django.db.models.signals import post_delete, post_save

from segments.models import Segment

from .compiled import rules_forget
from .models import ConditionRow, ContentVariant, Offer, Rule


def compiled_rules_forget(sender, **kwargs) -> None:
    rules_forget()


for _model in (Rule, ConditionRow, ContentVariant, Offer, Segment):
    for _signal in (post_save, post_delete):
        _signal.connect(compiled_rules_forget, sender=_model, dispatch_uid=f"rules_forget_{_model.__name__}")
