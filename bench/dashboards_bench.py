"""Dashboards over 1,000,000 events (part `dashboards` of `make bench`), run by `manage.py shell` against a fresh
PostgreSQL database; prints one JSON object.

1. BENCH_DASHBOARD_EVENTS (1,000,000) events of 20,000 visitors over 30 days go through the real write path
   (sessions and profiles kept up to date as in production): page views with their engagement and scroll, rules'
   impressions and clicks in the arm the product assigns, add-to-carts and purchases.
2. feedback_1m_s: the counting job reads them all (the first run after a backlog; later runs read only what is new).
3. findings_1m_s and insight_report_1m_s: the hourly findings over 35 days, and an insight report (paths, funnels,
   cohorts, engagement) over the 30 days, each read from the events.
4. dashboard_1m_ms: the slowest of the admin dashboards (median of 3 answers after a warm-up), each listed alone.
"""

import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.write import batches_write
from personalization.services.sites import site_create
from rules.compiled import site_rules
from rules.decisions import arm_reference
from rules.experiments import rule_experiments_update
from rules.feedback import rule_feedback_count
from rules.insight.build import insight_report_build
from rules.insight.findings import findings_detect
from rules.models import CONTROL, ContentVariant, Funnel, InsightReport, Rule, RuleArm
from rules.services import rule_save

EVENTS = int(os.environ.get("BENCH_DASHBOARD_EVENTS", "1000000"))
VISITORS = 20_000
DAYS = 30
WRITE_EVENTS = 20_000  # per batches_write call: one committed chunk, as the drain writes them
PAGE_TYPES = (("home", "/", 0.15), ("article", "/news/story-{n}/", 0.4), ("product", "/shop/item-{n}/", 0.3),
              ("cart", "/cart/", 0.1), ("checkout", "/checkout/", 0.05))
CONSENT = "analytics,necessary,personalization"


def log(message: str) -> None:
    print(f"[dashboards] {message}", file=sys.stderr, flush=True)


def rules_make(site) -> list:
    """Five rules on five slots, one a bandit between two variants and one an A/B test."""
    made = []
    for n, slot in enumerate(("home_hero", "product_sidebar", "offer_banner", "popup", "article_recommendations")):
        variant = ContentVariant.objects.create(site=site, name=f"Variant {n}", html=f"<p>Variant {n}</p>")
        rule = Rule(site=site, name=f"Rule {n}", slot=slot, variant=variant,
                    split=Rule.Split.BANDIT if n == 0 else Rule.Split.FIXED)
        made.append(rule_save(rule=rule, conditions={"all": [{"field": "sessions", "op": "gte", "value": 1}]}))
        if n < 2:
            other = ContentVariant.objects.create(site=site, name=f"Variant {n}b", html=f"<p>Variant {n}b</p>")
            RuleArm.objects.create(rule=rule, variant=other)
    return [r for rules in site_rules(site.pk).by_slot.values() for r in rules]


def visitor_events(rng: random.Random, visitor: str, rules: list, start_ms: int, budget: int) -> list:
    """About `budget` events of one visitor: sessions of page views, engagement and scroll, rules met, goals."""
    events = []
    at = start_ms + rng.randint(0, DAYS * 86_400_000 - 3_600_000)
    while len(events) < budget:
        for _ in range(rng.randint(2, 8)):
            events.extend(page_events(rng, visitor, rules, at, seq=len(events)))
            at += rng.randint(20_000, 200_000)
        at += rng.randint(3_600_000, 5 * 86_400_000)  # the next session
    return events


def page_events(rng: random.Random, visitor: str, rules: list, at: int, *, seq: int) -> list:
    """One page view with its scroll and engagement, perhaps a rule's impression and click, perhaps a goal."""
    kind, path, _ = rng.choices(PAGE_TYPES, weights=[w for *_, w in PAGE_TYPES])[0]
    path, pv = path.format(n=rng.randint(1, 400)), uuid.UUID(int=rng.getrandbits(128), version=4).hex[:16]
    wanted = [("page_view", "", {"page_type": kind}, 0), ("scroll", "", {"depth": rng.choice((25, 50, 75, 100))}, 4_000),
              ("engagement", "", {"engaged_ms": rng.randint(2_000, 120_000)}, 15_000)]
    if rng.random() < 0.3:
        rule = rng.choice(rules)
        arm = rule.arm_for(visitor)
        ref = f"rule:{rule.id}:{CONTROL}" if arm is None else arm_reference(rule.id, arm.key)
        wanted.append(("track", "attune_impression", {"slot": rule.slot, "ref": ref}, 1_000))
        if rng.random() < (0.04 if arm is None else 0.08):
            wanted.append(("track", "attune_click", {"slot": rule.slot, "ref": ref}, 9_000))
    if kind == "product" and rng.random() < 0.1:
        wanted.append(("track", "add_to_cart", {"product_id": path, "price": 20, "quantity": 1}, 20_000))
    if kind == "checkout" and rng.random() < 0.3:
        wanted.append(("track", "purchase", {"revenue": rng.randint(20, 200)}, 30_000))
    return [CollectedEvent(str(uuid.UUID(int=rng.getrandbits(128), version=4)), type_, name, at + after, seq + n,
                           "https://bench.example" + path, path, "", pv, "", props, {}, "analytics")
            for n, (type_, name, props, after) in enumerate(wanted, start=1)]


def events_write(site, rules: list) -> int:
    rng = random.Random(7)
    start_ms = int((datetime.now(UTC) - timedelta(days=DAYS)).timestamp() * 1000)
    now_ms = int(time.time() * 1000)
    per_visitor = max(5, EVENTS // VISITORS)
    pending, pending_events, written = [], 0, 0
    for n in range(VISITORS):
        visitor = f"bench-visitor-{n:06d}"
        events = [e for e in visitor_events(rng, visitor, rules, start_ms, per_visitor) if e.ts_ms < now_ms]
        events = events[: EVENTS - written - pending_events]
        pending.append(CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=now_ms, visitor_id=visitor,
                                      consent=CONSENT, device_type="desktop", events=events))
        pending_events += len(events)
        if pending_events >= WRITE_EVENTS or n == VISITORS - 1:
            written += batches_write(pending).stored
            pending, pending_events = [], 0
            if n % 2000 < 10:
                log(f"{written:,} events written")
    return written


def answer_ms(client: Client, path: str) -> float:
    client.get(path)  # warm-up: caches and the database's buffers
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return statistics.median(timings)


def insight_timed(site) -> tuple[dict, InsightReport]:
    Funnel.objects.create(site=site, name="Shop", steps=[
        {"label": "Product", "page_type": "product"}, {"label": "Cart", "page_type": "cart"},
        {"label": "Checkout", "page_type": "checkout"}, {"label": "Purchase", "event": "purchase"}])
    started = time.perf_counter()
    findings = findings_detect(site_id=site.pk)
    findings_s = time.perf_counter() - started
    today = datetime.now(UTC).date()
    report = InsightReport.objects.create(site=site, params={
        "since": (today - timedelta(days=DAYS)).isoformat(), "until": today.isoformat(), "segment": ""})
    started = time.perf_counter()
    insight_report_build(report_id=report.pk)
    return {"findings_1m_s": round(findings_s, 2), "findings_found": len(findings),
            "insight_report_1m_s": round(time.perf_counter() - started, 1)}, report


def dashboards_timed(site, rules: list, report: InsightReport) -> dict:
    setup_test_environment()  # the test client's settings; nothing else of the test framework
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password-1")
    client = Client()
    client.force_login(user)
    year_ago = (datetime.now(UTC).date() - timedelta(days=365)).isoformat()
    pages = {"rule_board": "/admin/rules/rule/performance/", "rule_page": f"/admin/rules/rule/{rules[0].id}/performance/",
             "overview": "/admin/rules/overview/", "overview_year": f"/admin/rules/overview/?since={year_ago}",
             "segment_sizes": "/admin/rules/overview/segments/",
             "insight_report": f"/admin/rules/insightreport/{report.pk}/change/", "findings": "/admin/rules/finding/"}
    return {name: round(answer_ms(client, path), 1) for name, path in pages.items()}


def main() -> None:
    site = site_create(name="Dashboards bench", origins=["https://bench.example"]).site
    rules = rules_make(site)
    started = time.perf_counter()
    written = events_write(site, rules)
    write_s = time.perf_counter() - started
    with connection.cursor() as cursor:  # as autovacuum does after a bulk load: the planner needs the statistics
        cursor.execute("ANALYZE")
    log(f"{written:,} events in {write_s:.0f} s; counting")
    started = time.perf_counter()
    read = rule_feedback_count(settle_seconds=0)
    feedback_s = time.perf_counter() - started
    rule_experiments_update(seed=1)
    log("findings and an insight report")
    insight, report = insight_timed(site)
    timed = dashboards_timed(site, rules, report)
    print(json.dumps({"dashboard_events": written, "dashboard_write_s": round(write_s, 1),
                      "feedback_events_read": read, "feedback_1m_s": round(feedback_s, 2), **insight,
                      **{f"dashboard_{name}_ms": ms for name, ms in timed.items()},
                      "dashboard_1m_ms": max(timed.values())}))


main()
