"""Profiles with a device and rules built the way editors build them, for the rules tests."""

import uuid

from personalization.models import Profile, Visitor
from rules.models import ContentVariant, Offer, Rule, RuleArm
from rules.services import rule_save
from segments.models import Membership, Segment


def profile_make(site, *, visitor_id: str = "", segments: tuple[str, ...] = (), **figures) -> Profile:
    """A profile with the given figures, seen on one device, in the given segments (made as rule segments)."""
    visitor_id = visitor_id or f"v-{uuid.uuid4().hex[:16]}"
    profile = Profile.objects.create(site=site, origin_visitor_id=visitor_id, **figures)
    Visitor.objects.create(site=site, visitor_id=visitor_id, profile=profile)
    for slug in segments:
        segment, _ = Segment.objects.get_or_create(site=site, slug=slug, defaults={
            "name": slug.replace("-", " ").title(), "kind": Segment.Kind.RULE})
        Membership.objects.create(segment=segment, profile=profile)
    return profile


def variant_make(site, html: str, name: str = "") -> ContentVariant:
    return ContentVariant.objects.create(site=site, name=name or html[:40], html=html)


def rule_make(site, conditions: dict, *, slot: str = "home_hero", html: str = "", name: str = "", **fields) -> Rule:
    """A rule showing `html` (a new variant) in `slot` when `conditions` hold; other Rule fields as keywords. It holds
    back no control group unless control_share is given: a test of conditions expects every visitor to see it."""
    variant = fields.pop("variant", None) or variant_make(site, html or f"<p>{name or slot}</p>")
    fields.setdefault("control_share", 0.0)
    rule = Rule(site=site, name=name or f"rule {uuid.uuid4().hex[:6]}", slot=slot, variant=variant, **fields)
    return rule_save(rule=rule, conditions=conditions)


def offer_make(site, **fields) -> Offer:
    return Offer.objects.create(site=site, name=fields.pop("name", "Offer"), code=fields.pop("code", "SAVE10"),
                                text=fields.pop("text", "10% off"), **fields)


def rules_shown_to_everyone() -> None:
    """No control group and no variants under test: tests of what rules show expect each rule's own content for
    every visitor (the demo's rules run experiments)."""
    Rule.objects.update(control_share=0, split=Rule.Split.FIXED)
    RuleArm.objects.all().delete()
