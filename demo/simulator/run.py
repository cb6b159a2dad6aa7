"""Running the simulator: visitors' batches go through the collector's own checks and write path."""

import csv
import random
import time
from dataclasses import dataclass
from datetime import datetime

import orjson
from tqdm import tqdm

from consent.selectors import policy_current
from consent.services.choices import consent_record_create
from personalization.models import Site
from personalization.services.collect_types import ClientInfo
from personalization.services.collector import batch_prepare
from personalization.services.handover import batches_store

from ..models import SimulatedVisitor
from .archetypes import ARCHETYPES
from .sitemap import sitemap_from_database
from .visitor import DAY, simulate_visitor

CONSENT_CHOICES = {  # what simulated visitors click in the banner
    ("analytics", "personalization", "marketing"): 0.62,
    ("analytics", "personalization"): 0.18,
    ("analytics",): 0.1,
    (): 0.1,  # reject all: the tracker sends nothing at all
}
WRITE_EVERY = 400  # batches per write transaction


@dataclass
class SimulationResult:
    visitors: int
    skipped: int
    batches: int
    events: int
    refused: int
    archetypes: dict


def traffic_simulate(*, site: Site, visitors: int, days: int, seed: int, end: datetime, progress: bool = True,
                     labels_path: str = "") -> SimulationResult:
    """Simulate `visitors` over the `days` before `end`; the same seed and end give the same events."""
    origin = site.allowed_origins[0] if site.allowed_origins and site.allowed_origins[0] != "*" else "http://127.0.0.1:8000"
    sitemap = sitemap_from_database(origin)
    policy = policy_current()
    policy_version = policy.version if policy else 0
    end_ms = int(end.timestamp() * 1000)
    now_ms = int(time.time() * 1000)
    existing = set(SimulatedVisitor.objects.filter(site_key=site.public_key).values_list("visitor_id", flat=True))
    result = SimulationResult(visitors=0, skipped=0, batches=0, events=0, refused=0, archetypes={})
    pending: list = []  # checked batches (what batch_prepare makes), written every WRITE_EVERY
    labels = []
    for index in tqdm(range(visitors), desc="Simulating visitors", unit="visitor", disable=not progress):
        rng = random.Random(f"{seed}:{index}")
        archetype = rng.choices(ARCHETYPES, weights=[a.weight for a in ARCHETYPES])[0]
        traffic = simulate_visitor(rng=rng, archetype=archetype, site=sitemap, site_key=site.public_key,
                                   start_ms=end_ms - days * DAY, end_ms=end_ms)
        choice = rng.choices(list(CONSENT_CHOICES), weights=list(CONSENT_CHOICES.values()))[0]
        labels.append((traffic.visitor_id, archetype.name))
        if traffic.visitor_id in existing:
            result.skipped += 1
            continue
        SimulatedVisitor.objects.create(site_key=site.public_key, visitor_id=traffic.visitor_id,
                                        archetype=archetype.name, seed=seed, consented=",".join(choice))
        result.visitors += 1
        result.archetypes[archetype.name] = result.archetypes.get(archetype.name, 0) + 1
        if not choice or not traffic.batches:
            continue
        first = traffic.batches[0]
        _, token = consent_record_create(
            site_key=site.public_key, visitor_id=traffic.visitor_id, granted=set(choice), source="banner",
            policy_version=policy_version, language="en",
            at=datetime.fromtimestamp((first.received_ms - 2000) / 1000).astimezone(),
        )
        client = ClientInfo(origin=origin, address=traffic.address, user_agent=traffic.user_agent)
        for outgoing in traffic.batches:
            if outgoing.received_ms > now_ms:
                break  # has not happened yet
            outgoing.body["consent"] = token
            prepared = batch_prepare(body=orjson.dumps(outgoing.body), client=client, received_ms=outgoing.received_ms)
            if prepared.refusal is not None:
                result.refused += 1
                continue
            pending.append(prepared.batch)
            result.batches += 1
        if len(pending) >= WRITE_EVERY:
            result.events += batches_store(pending)
            pending = []
    result.events += batches_store(pending)
    if labels_path:
        labels_write(labels_path, labels)
    return result


def labels_write(path: str, labels: list[tuple[str, str]]) -> None:
    """The ground truth as CSV (visitor_id, archetype), for evaluating segments outside the product."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["visitor_id", "archetype"])
        writer.writerows(labels)
