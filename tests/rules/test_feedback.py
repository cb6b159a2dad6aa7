"""Every rule measures itself: what /decide shows is reported by the page as impressions and clicks, goals reached
afterwards count as its conversions, the control group is counted like everyone else, and each event counts once."""

from datetime import timedelta

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from consent.services.choices import consent_record_create
from rules.feedback import reference_read, rule_feedback_count
from rules.flicker import histogram_percentile
from rules.models import FeedbackCursor, RuleArm, RuleDay, RuleExposure

from ..conftest import ORIGIN, make_event, now_ms
from .factories import rule_make, variant_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
EVERYONE = {"all": [{"field": "page_type", "op": "eq", "value": "home"}]}


def consented(site, visitor: str) -> str:
    """The visitor's consent token, after a first page view (a visitor with no profile gets no rule)."""
    _, token = consent_record_create(site_key=site.public_key, visitor_id=visitor, source="banner", policy_version=0,
                                     granted={"analytics", "personalization"})
    send(Client(), site, visitor, token, make_event("page_view", url="https://shop.example/", path="/"))
    return token


def decide(client, site, visitor: str, token: str) -> dict:
    answer = client.get("/decide", {"site": site.public_key, "slots": "home_hero", "page_type": "home", "path": "/"},
                        HTTP_X_ATTUNE_CONSENT=token, HTTP_ORIGIN=ORIGIN)
    return answer.json().get("home_hero", {})


def send(client, site, visitor: str, token: str, *events) -> None:
    body = {"site": site.public_key, "vid": visitor, "sent": now_ms(), "consent": token, "events": list(events)}
    answer = client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                         HTTP_USER_AGENT=CHROME)
    assert answer.status_code in (200, 202), answer.content


def shown_and_seen(client, site, visitor: str, *, click=False, buy=False, ts=None) -> dict:
    """The visitor asks for the slot, the page reports the impression (and a click, and a purchase)."""
    token = consented(site, visitor)
    decision = decide(client, site, visitor, token)
    ts = ts or now_ms()
    events = [make_event("track", name="attune_impression", props={"slot": "home_hero", "ref": decision["ref"]},
                         ts=ts)]
    if click:
        events.append(make_event("track", name="attune_click", props={"slot": "home_hero", "ref": decision["ref"]},
                                 ts=ts + 1000))
    if buy:
        events.append(make_event("track", name="purchase", props={"revenue": 20}, ts=ts + 2000))
    send(client, site, visitor, token, *events)
    return decision


def counts(rule) -> dict[str, tuple[int, int, int, int]]:
    totals = {}
    for day in RuleDay.objects.filter(rule=rule):
        before = totals.get(day.arm, (0, 0, 0, 0))
        totals[day.arm] = tuple(a + b for a, b in zip(before, (day.impressions, day.visitors, day.clicks,
                                                                day.conversions), strict=True))
    return totals


def test_references_name_a_rule_and_its_arm_or_nothing():
    assert reference_read("rule:12") == (12, "main")
    assert reference_read("rule:12:control") == (12, "control")
    assert reference_read("rule:12:a7") == (12, "a7")
    assert [reference_read(bad) for bad in ("rule:x", "segment:1", "rule:1:b2", None, 12, "rule:1:a7;drop")] == [
        None] * 6


def test_an_impression_a_click_and_a_purchase_count_once_for_the_arm_the_visitor_saw(client, site):
    rule = rule_make(site, EVERYONE, html="<p>hello</p>")
    decision = shown_and_seen(client, site, "visitor-buyer", click=True, buy=True)
    assert decision["ref"] == f"rule:{rule.pk}"
    assert rule_feedback_count(settle_seconds=0) == 3
    assert counts(rule) == {"main": (1, 1, 1, 1)}
    exposure = RuleExposure.objects.get(rule=rule, visitor_id="visitor-buyer")
    assert (exposure.arm, exposure.impressions, exposure.goal) == ("main", 1, "purchase")
    assert rule_feedback_count(settle_seconds=0) == 0  # read once: a second run finds nothing new
    assert counts(rule) == {"main": (1, 1, 1, 1)}


def test_a_second_impression_and_a_second_purchase_add_an_impression_but_not_a_visitor(client, site):
    rule = rule_make(site, EVERYONE)
    shown_and_seen(client, site, "visitor-again", buy=True)
    rule_feedback_count(settle_seconds=0)
    shown_and_seen(client, site, "visitor-again", click=True, buy=True)
    rule_feedback_count(settle_seconds=0)
    assert counts(rule) == {"main": (2, 1, 1, 1)}


def test_the_control_group_sees_the_default_and_is_counted_under_the_rule(client, site):
    rule = rule_make(site, EVERYONE, html="<p>hello</p>", control_share=0.5)
    decisions = {f"visitor-{n:03d}": shown_and_seen(client, site, f"visitor-{n:03d}", buy=n % 2 == 0) for n in range(40)}
    held_back = [d for d in decisions.values() if d.get("keep")]
    assert 8 <= len(held_back) <= 32  # about half, deterministic per visitor
    assert all(d["ref"] == f"rule:{rule.pk}:control" for d in held_back)
    assert all(d["html"] == "<p>hello</p>" for d in decisions.values() if not d.get("keep"))
    assert [decide(client, site, v, consented(site, v)).get("keep") for v in decisions] == [
        d.get("keep") for d in decisions.values()]  # the same visitor stays in the same group
    rule_feedback_count(settle_seconds=0)
    totals = counts(rule)
    assert totals["control"][1] == len(held_back)
    assert totals["control"][1] + totals["main"][1] == 40
    assert totals["control"][3] + totals["main"][3] == 20


def test_variants_split_the_traffic_by_weight(client, site):
    rule = rule_make(site, EVERYONE, html="<p>A</p>", control_share=0.1)
    arm = RuleArm.objects.create(rule=rule, variant=variant_make(site, "<p>B</p>"), weight=3)
    shown = [shown_and_seen(client, site, f"weighted-{n:03d}") for n in range(200)]
    by_ref = {ref: sum(d["ref"] == ref for d in shown) for ref in {d["ref"] for d in shown}}
    assert set(by_ref) == {f"rule:{rule.pk}", f"rule:{rule.pk}:{arm.key}", f"rule:{rule.pk}:control"}
    assert by_ref[f"rule:{rule.pk}:{arm.key}"] > 2 * by_ref[f"rule:{rule.pk}"]
    assert all(d["html"] == "<p>B</p>" for d in shown if d["ref"].endswith(arm.key))
    rule_feedback_count(settle_seconds=0)
    assert sum(visitors for _, visitors, _, _ in counts(rule).values()) == 200


def test_a_purchase_after_the_attribution_window_is_not_the_rules_conversion(client, site):
    rule = rule_make(site, EVERYONE, attribution_days=1)
    token = consented(site, "visitor-late")
    ref = decide(client, site, "visitor-late", token)["ref"]
    two_days_ago = now_ms() - 2 * 86_400_000
    send(client, site, "visitor-late", token,
         make_event("track", name="attune_impression", props={"slot": "home_hero", "ref": ref}, ts=two_days_ago))
    send(client, site, "visitor-late", token, make_event("track", name="purchase", props={"revenue": 5}))
    rule_feedback_count(settle_seconds=0)
    assert sum(row[3] for row in counts(rule).values()) == 0


def test_a_reference_to_another_sites_rule_counts_nothing(client, site, other_site):
    foreign = rule_make(other_site, EVERYONE)
    token = consented(site, "visitor-forger")
    send(client, site, "visitor-forger", token, make_event("track", name="attune_impression",
                                                    props={"slot": "home_hero", "ref": f"rule:{foreign.pk}"}))
    assert rule_feedback_count(settle_seconds=0) == 1
    assert not RuleExposure.objects.exists()


def test_events_are_read_only_once_they_have_settled(client, site):
    rule = rule_make(site, EVERYONE)
    shown_and_seen(client, site, "visitor-settle")
    start = timezone.now()
    assert rule_feedback_count(now=start) == 0  # first sight: the newest ids may still be committing
    assert rule_feedback_count(now=start + timedelta(seconds=5)) == 0
    assert rule_feedback_count(now=start + timedelta(seconds=11)) == 1
    assert FeedbackCursor.objects.get().done_id > 0
    assert counts(rule) == {"main": (1, 1, 0, 0)}


@pytest.fixture
def other_site(db):
    from personalization.services.sites import site_create

    return site_create(name="Other shop", origins=["https://other.example"]).site


def test_the_delay_of_swapped_content_is_kept_for_its_percentiles(client, site):
    rule = rule_make(site, EVERYONE)
    token = consented(site, "visitor-swapped")
    ref = decide(client, site, "visitor-swapped", token)["ref"]
    send(client, site, "visitor-swapped", token, *(
        make_event("track", name="attune_impression", props={"slot": f"s{n}", "ref": ref, "swap_ms": ms})
        for n, ms in enumerate((120, 180, 250, 900_000, "fast"))))
    rule_feedback_count(settle_seconds=0)
    day = RuleDay.objects.get(rule=rule)
    assert (day.impressions, sum(day.swap_ms)) == (5, 3)  # a page left open and a word are no delays
    assert 100 <= histogram_percentile(day.swap_ms, 0.5) <= 200


def test_a_ref_to_an_arm_the_rule_does_not_have_counts_nothing(client, site):
    rule = rule_make(site, EVERYONE)
    token = consented(site, "visitor-made-up-arm")
    send(client, site, "visitor-made-up-arm", token, make_event("track", name="attune_impression",
                                                               props={"slot": "home_hero", "ref": f"rule:{rule.pk}:a999"}))
    rule_feedback_count(settle_seconds=0)
    assert not RuleExposure.objects.exists()


def test_clicks_and_conversions_count_on_the_day_the_visitor_was_first_shown_the_rule(client, site):
    rule = rule_make(site, EVERYONE)
    token = consented(site, "visitor-two-days")
    ref = decide(client, site, "visitor-two-days", token)["ref"]
    yesterday = now_ms() - 86_400_000
    send(client, site, "visitor-two-days", token,
         make_event("track", name="attune_impression", props={"slot": "home_hero", "ref": ref}, ts=yesterday),
         make_event("track", name="attune_click", props={"slot": "home_hero", "ref": ref}),
         make_event("track", name="purchase", props={"revenue": 5}))
    rule_feedback_count(settle_seconds=0)
    days = {day.day: (day.visitors, day.clicks, day.conversions) for day in RuleDay.objects.filter(rule=rule)}
    first = RuleExposure.objects.get().first_at.date()
    assert days[first] == (1, 1, 1)  # the cohort's day: its rate stays a share of its own visitors
    assert sum(v for v, _, _ in days.values()) == 1


def test_a_click_on_another_arms_content_is_not_the_first_arms_click(client, site):
    rule = rule_make(site, EVERYONE, html="<p>A</p>")
    arm = RuleArm.objects.create(rule=rule, variant=variant_make(site, "<p>B</p>"))
    token = consented(site, "visitor-moved-arm")
    send(client, site, "visitor-moved-arm", token,
         make_event("track", name="attune_impression", props={"slot": "home_hero", "ref": f"rule:{rule.pk}"}),
         make_event("track", name="attune_click", props={"slot": "home_hero", "ref": f"rule:{rule.pk}:{arm.key}"},
                    ts=now_ms() + 1000))
    rule_feedback_count(settle_seconds=0)
    assert RuleExposure.objects.get().clicked_at is None


def test_a_backlog_is_counted_in_chunks_each_committed_with_the_cursor(client, site, monkeypatch):
    import rules.feedback

    monkeypatch.setattr(rules.feedback, "CHUNK", 2)
    rule = rule_make(site, EVERYONE)
    for n in range(3):
        shown_and_seen(client, site, f"visitor-chunk-{n}", click=True)
    assert rule_feedback_count(settle_seconds=0) == 6
    assert counts(rule) == {"main": (3, 3, 3, 0)}


def test_a_visitor_erased_while_their_events_are_counted_gets_no_exposure(client, site):
    from consent.models import ErasedSubject
    from consent.services.rights import visitor_digest

    rule = rule_make(site, EVERYONE)
    shown_and_seen(client, site, "visitor-erased-now", click=True)
    ErasedSubject.objects.create(site_key=site.public_key, digest=visitor_digest(site.public_key, "visitor-erased-now"))
    rule_feedback_count(settle_seconds=0)
    assert not RuleExposure.objects.exists()
    assert counts(rule) == {"main": (1, 1, 1, 0)}  # the counters hold no one
