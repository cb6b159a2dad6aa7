"""Simulated visitors meeting the demo's rules: for each simulated visitor who allowed personalization, each rule
shows in one of their sessions in the arm the product assigns them (its real hashed split, control group included),
and they click and buy at the rate that arm truly has here. The events go through the collector's checks and write
path like the rest of the simulation, so the rule performance board reads figures the counting job made.

The true rates are what the board should find: each rule's own content beats its control, and on the home page the
second wording truly converts better, so its bandit moves traffic there."""

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

import orjson
from django.utils import timezone

from consent.models import ConsentRecord
from consent.state import consent_token_sign
from personalization.decisions import PageContext
from personalization.models import Session, Site
from personalization.selectors import profile_for_visitor
from personalization.services.collect_types import ClientInfo
from personalization.services.collector import batch_prepare
from personalization.services.handover import batches_store
from rules.compiled import site_rules
from rules.decisions import arm_reference, profile_values_cached
from rules.evaluation import values_read
from rules.models import MAIN, RuleArm
from rules.vocabulary import page_values, rule_vocabulary

from ..models import SimulatedVisitor
from .archetypes import USER_AGENTS

SHOWN_SHARE = 0.6  # of the visitors a rule applies to, those who reached a page with its slot
TRIGGER_SHARE = 0.5  # of those, the share whose in-page trigger fired (three engaged minutes, a sixth click)
SLOT_PAGES = {"home_hero": ("/", "home"), "product_sidebar": ("/shop/", "product"),
              "article_recommendations": ("/news/", "article")}  # other slots are on every page: a product page
USER_AGENT = USER_AGENTS["desktop"][0]


@dataclass(frozen=True)
class TrueRates:
    click: dict[str, float]  # per arm: "control", "main", or a variant's name
    purchase: float  # extra chance to buy after a click


TRUE_RATES = {
    "Loyal customers: loyalty offer": TrueRates({"control": 0.04, "main": 0.09, "Loyalty welcome, warmer": 0.16}, 0.3),
    "Many clicks: a discount": TrueRates({"control": 0.05, "main": 0.12, "Click offer, shorter": 0.06}, 0.25),
}
DEFAULT_RATES = TrueRates({"control": 0.04, "main": 0.08}, 0.2)


def rule_traffic_simulate(*, site: Site, seed: int) -> int:
    """Send the impressions, clicks and purchases of simulated visitors on the site's rules; returns the events."""
    compiled = [rule for rules in site_rules(site.pk).by_slot.values() for rule in rules]
    if not compiled:
        return 0
    arm_names = {rule.id: {MAIN: "main"} for rule in compiled}
    for arm in RuleArm.objects.filter(rule_id__in=arm_names).select_related("variant"):
        arm_names[arm.rule_id][arm.key] = arm.variant.name
    visitors = list(SimulatedVisitor.objects.filter(site_key=site.public_key, consented__contains="personalization")
                    .order_by("visitor_id").values_list("visitor_id", flat=True))
    origin = site.allowed_origins[0] if site.allowed_origins and site.allowed_origins[0] != "*" else "http://127.0.0.1:8000"
    client = ClientInfo(origin=origin, address="203.0.113.9", user_agent=USER_AGENT)
    batches, events = [], 0
    for visitor_id in visitors:
        rng = random.Random(f"{seed}:rules:{visitor_id}")
        starts = list(Session.objects.filter(site=site, visitor_id=visitor_id).order_by("started_at")
                      .values_list("started_at", flat=True)[:20])
        record = ConsentRecord.objects.filter(site_key=site.public_key, visitor_id=visitor_id).order_by("-pk").first()
        if not starts or record is None:
            continue
        token = consent_token_sign(site_key=site.public_key, visitor_id=visitor_id, granted=frozenset(record.granted),
                                   policy_version=record.policy_version, given_at=int(record.created_at.timestamp()),
                                   record_id=record.pk)
        profile = profile_for_visitor(site_id=site.pk, visitor_id=visitor_id)
        values = {} if profile is None else profile_values_cached(profile, now=timezone.now())
        sent = [_rule_events(rng, rule, visitor_id, rng.choice(starts), arm_names[rule.id], origin)
                for rule in compiled if rule_applies(rng, rule, values)]
        body = {"site": site.public_key, "vid": visitor_id, "consent": token,
                "events": [event for group in sent for event in group]}
        if not body["events"]:
            continue
        received = max(event["ts"] for event in body["events"]) + 500
        body["sent"] = received
        prepared = batch_prepare(body=orjson.dumps(body), client=client, received_ms=received)
        if prepared.refusal is None:
            batches.append(prepared.batch)
            events += len(body["events"])
    batches_store(batches)
    return events


def rule_applies(rng: random.Random, rule, profile_values: dict) -> bool:
    """Whether the rule would show to a visitor with these values on a page with its slot (the product's own
    verdict; an in-page trigger fires for TRIGGER_SHARE of them), and they reached such a page."""
    path, page_type = SLOT_PAGES.get(rule.slot, ("/shop/", "product"))
    page = values_read(page_values(PageContext(path=path, page_type=page_type)), rule_vocabulary())
    verdict = rule.decide({**profile_values, **page}, timezone.now())
    if verdict is False or (verdict is None and rng.random() >= TRIGGER_SHARE):
        return False
    return rng.random() < SHOWN_SHARE


def _rule_events(rng: random.Random, rule, visitor_id: str, started, arm_names: dict, origin: str) -> list[dict]:
    """One showing of the rule to the visitor in the session that started at `started`, and what they did."""
    arm = rule.arm_for(visitor_id)
    key = "control" if arm is None else arm.key
    ref = f"rule:{rule.id}:control" if arm is None else arm_reference(rule.id, arm.key)
    rates = TRUE_RATES.get(rule.name, DEFAULT_RATES)
    rate = rates.click.get(arm_names.get(key, key), rates.click["main"])
    at = int((min(started, timezone.now() - timedelta(minutes=5))).timestamp() * 1000) + rng.randint(2_000, 20_000)
    page = {"url": f"{origin}/"}
    events = [{"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "type": "track", "ts": at,
               "name": "attune_impression", "props": {"slot": rule.slot, "ref": ref}, **page}]
    if rng.random() < rate:
        events.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "type": "track", "ts": at + 8_000,
                       "name": "attune_click", "props": {"slot": rule.slot, "ref": ref}, **page})
        if rng.random() < rates.purchase:
            events.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "type": "track",
                           "ts": at + 90_000, "name": "purchase", "props": {"revenue": rng.randint(20, 120)}, **page})
    return events
