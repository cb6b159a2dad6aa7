"""A controlled experiment on simulated traffic through the whole product: day after day, new visitors meet a rule,
get the arm the product assigns them (its hashed split, or the bandit's allocation of the day before), and click at
the rate their arm truly has; each day's events go through the collector's checks and write path, the counting job
and the experiment update, as in production. What the product then reports can be held against the true rates."""

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson

from consent.selectors import policy_current
from consent.state import consent_token_sign
from personalization.models import Site
from personalization.services.collect_types import ClientInfo
from personalization.services.collector import batch_prepare
from personalization.services.handover import batches_store
from rules.compiled import rules_forget, site_rules
from rules.decisions import arm_reference
from rules.experiments import rule_experiments_update
from rules.feedback import rule_feedback_count
from rules.models import CONTROL, Rule

from .archetypes import USER_AGENTS

GRANTED = frozenset({"necessary", "analytics", "personalization"})


@dataclass
class ExperimentSimulation:
    shown: dict[str, list[int]] = field(default_factory=dict)  # per arm key: visitors assigned each day


def experiment_simulate(*, rule: Rule, true_rates: dict[str, float], days: int, visitors_per_day: int, seed: int,
                        end: datetime) -> ExperimentSimulation:
    """Run `days` days of `visitors_per_day` new visitors through `rule`; true_rates maps an arm key (control, main,
    a<id>) to its true click rate. Returns who was shown what, day by day."""
    site = Site.objects.get(pk=rule.site_id)
    client = ClientInfo(origin=site.allowed_origins[0], address="198.51.100.7", user_agent=USER_AGENTS["desktop"][0])
    policy = policy_current()
    simulation = ExperimentSimulation()
    for day in range(days):
        start = end - timedelta(days=days - day)
        rules_forget()  # the allocation the last update made
        [compiled] = [r for r in site_rules(site.pk).by_slot[rule.slot] if r.id == rule.id]
        rng = random.Random(f"{seed}:{day}")
        batches = []
        for n in range(visitors_per_day):
            visitor_id = f"lab-{seed}-{day:03d}-{n:05d}"
            arm = compiled.arm_for(visitor_id)
            key = CONTROL if arm is None else arm.key
            simulation.shown.setdefault(key, [0] * days)[day] += 1
            at = int(start.timestamp() * 1000) + rng.randint(0, 80_000_000)
            ref = f"rule:{rule.id}:{CONTROL}" if arm is None else arm_reference(rule.id, arm.key)
            events = [_event(rng, at, "attune_impression", rule.slot, ref, site)]
            if rng.random() < true_rates[key]:
                events.append(_event(rng, at + 5_000, "attune_click", rule.slot, ref, site))
            token = consent_token_sign(site_key=site.public_key, visitor_id=visitor_id, granted=GRANTED,
                                       policy_version=policy.version if policy else 0, given_at=at // 1000 - 5)
            body = {"site": site.public_key, "vid": visitor_id, "sent": at + 6_000, "consent": token,
                    "events": events}
            prepared = batch_prepare(body=orjson.dumps(body), client=client, received_ms=at + 6_100)
            if prepared.refusal is not None:
                raise RuntimeError(f"The collector refused a simulated batch: {prepared.refusal}")
            batches.append(prepared.batch)
        batches_store(batches)
        rule_feedback_count(settle_seconds=0)  # nothing else writes here: every stored id is settled
        rule_experiments_update(seed=seed + day, today=start.date())
    rules_forget()
    return simulation


def _event(rng: random.Random, at: int, name: str, slot: str, ref: str, site: Site) -> dict:
    return {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "type": "track", "ts": at, "name": name,
            "props": {"slot": slot, "ref": ref}, "url": f"{site.allowed_origins[0]}/"}
