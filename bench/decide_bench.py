"""Benchmark helper, run inside Django after setup_site.py: 200 active rules over the 5 slots of a product page on
the bench site, a profile for each bench visitor, and the server's decision time for that page (the profile read
once, as in one request); prints JSON."""

import json
import os
import statistics
import time
from pathlib import Path

from personalization.decisions import DecisionRequest, PageContext, decisions_for
from personalization.models import Profile, Site, Visitor
from personalization.selectors import profile_for_visitor
from rules.models import ContentVariant, Rule
from rules.services import rule_save

SLOTS = ("home_hero", "product_sidebar", "offer_banner", "popup", "article_recommendations")
RULES = 200
FRESHNESS_SLOT = "second_purchase"
ROUNDS = 5000


def condition(index: int) -> dict:
    """Rules of the kinds editors write, most of them not matching this visitor, so every slot tries many."""
    kinds = (
        [{"field": "page_type", "op": "eq", "value": "article"}, {"field": "purchases", "op": "gte", "value": index}],
        [{"field": "page_path", "op": "matches", "value": f"/sale/{index}/*"}],
        [{"field": "sessions", "op": "gte", "value": 50 + index}, {"field": "utm_campaign", "op": "eq", "value": "x"}],
        [{"field": "page_type", "op": "eq", "value": "product"}, {"field": "engaged_on_page", "op": "gt", "value": 180}],
    )
    return {"all": kinds[index % len(kinds)]}


def rules_ensure(site: Site) -> None:
    if Rule.objects.filter(site=site).count() >= RULES:
        return
    # decide_freshness: the bench visitors bought once; a second purchase must show this within a second
    variant = ContentVariant.objects.create(site=site, name="second purchase", html="<p>thanks again</p>")
    rule_save(rule=Rule(site=site, name="second purchase", slot=FRESHNESS_SLOT, variant=variant),
              conditions={"all": [{"field": "purchases", "op": "gte", "value": 2}]})
    for index in range(RULES):
        slot = SLOTS[index % len(SLOTS)]
        variant = ContentVariant.objects.create(site=site, name=f"bench {index}", html=f"<p>variant {index}</p>")
        rule_save(rule=Rule(site=site, name=f"bench rule {index}", slot=slot, variant=variant, priority=-index),
                  conditions=condition(index))


def profiles_ensure(site: Site, visitor_ids: list[str]) -> None:
    """A profile holding one purchase for each bench visitor (earlier parts of the bench may have made their
    profiles from other events)."""
    known = set(Visitor.objects.filter(site=site, visitor_id__in=visitor_ids).values_list("visitor_id", flat=True))
    for visitor_id in visitor_ids:
        if visitor_id not in known:
            profile = Profile.objects.create(site=site, origin_visitor_id=visitor_id)
            Visitor.objects.create(site=site, visitor_id=visitor_id, profile=profile)
    for profile in Profile.objects.filter(site=site, visitors__visitor_id__in=visitor_ids).distinct():
        profile.goal_counts = {**profile.goal_counts, "purchase": 1}
        profile.save(update_fields=["goal_counts"])


def decide_server_p99_ms(site: Site, visitor_id: str) -> dict:
    profile = profile_for_visitor(site_id=site.id, visitor_id=visitor_id)
    page = PageContext(path="/shop/p/trail-runner/", page_type="product", category="shoes")
    request = DecisionRequest(site_id=site.id, slots=SLOTS, page=page, visitor_id=visitor_id,
                              profile_read=lambda: profile)
    for _ in range(200):  # rules compiled, profile values read: what a request after the first pays
        decisions_for(request)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        decisions_for(request)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"decide_server_p50_ms": round(statistics.median(times), 4),
            "decide_server_p99_ms": round(times[int(len(times) * 0.99)], 4)}


def main() -> None:
    data = json.loads(Path(os.environ["ATTUNE_BENCH_VISITORS"]).read_text())
    site = Site.objects.get(public_key=data["site"])
    visitor_ids = [visitor_id for visitor_id, _ in data["visitors"]]
    rules_ensure(site)
    profiles_ensure(site, visitor_ids)
    print(json.dumps(decide_server_p99_ms(site, visitor_ids[0])))


main()
