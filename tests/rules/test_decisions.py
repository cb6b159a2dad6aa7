"""The rules' decision provider: which content each slot shows for a profile and a page, and why not otherwise."""

from datetime import UTC, datetime, timedelta

import pytest

from personalization.decisions import DecisionRequest, PageContext, decisions_for
from rules.models import Rule
from rules.services import offer_redeem

from .factories import offer_make, profile_make, rule_make

pytestmark = pytest.mark.django_db
SATURDAY_EVENING = datetime(2026, 6, 6, 20, 30, tzinfo=UTC)
TUESDAY_MORNING = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
SLOTS = ("home_hero", "product_sidebar", "popup", "offer_banner", "weekend", "evening")


def row(field, op, value=None, **extra):
    return {"field": field, "op": op, **({} if value is None else {"value": value}), **extra}


@pytest.fixture
def rules(site):
    profile_make(site, visitor_id="seed", segments=("loyal",))  # makes the segment, so rules may name it
    rule_make(site, {"all": [row("segments", "includes", "loyal")]}, html="<p>loyal</p>", priority=10)
    rule_make(site, {"all": [row("purchases", "gte", 1), row("page_type", "eq", "home")]}, html="<p>buyer</p>",
              priority=5)
    rule_make(site, {"all": [row("page_path", "matches", "/product/*"), row("engaged_on_page", "gt", 180)]},
              slot="product_sidebar", html="<p>engaged</p>")
    rule_make(site, {"all": [row("cart_abandoned", "eq", True)]}, slot="popup", html="<p>come back</p>")
    rule_make(site, {"any": [row("utm_campaign", "eq", "spring"), row("referrer", "contains", "newsletter")]},
              slot="offer_banner", html="<p>spring</p>")
    rule_make(site, {"all": [row("weekday", "in", ["saturday", "sunday"])]}, slot="weekend", html="<p>weekend</p>")
    rule_make(site, {"all": [row("hour", "between", [18, 23]), row("page_device", "eq", "mobile")]}, slot="evening",
              html="<p>evening</p>")


def shown(site, profile, page: PageContext) -> dict[str, str]:
    decisions = decisions_for(DecisionRequest(site.pk, SLOTS, page, profile.origin_visitor_id if profile else "",
                                              lambda: profile))
    return {slot: d.html if d.client_condition is None else f"when {d.client_condition}"
            for slot, d in decisions.items()}


CASES = [
    # (what the visitor is, their figures and segments, the page, what the slots show)
    ("a newcomer on the home page", {}, (), PageContext(path="/", page_type="home", now=TUESDAY_MORNING), {}),
    ("a loyal customer", {}, ("loyal",),
     PageContext(path="/", page_type="home", now=TUESDAY_MORNING), {"home_hero": "<p>loyal</p>"}),
    ("a loyal buyer gets the higher priority", {"goal_counts": {"purchase": 3}}, ("loyal",),
     PageContext(path="/", page_type="home", now=TUESDAY_MORNING), {"home_hero": "<p>loyal</p>"}),
    ("a one-time buyer on the home page", {"goal_counts": {"purchase": 1}}, (),
     PageContext(path="/", page_type="home", now=TUESDAY_MORNING), {"home_hero": "<p>buyer</p>"}),
    ("a one-time buyer elsewhere", {"goal_counts": {"purchase": 1}}, (),
     PageContext(path="/news/", page_type="article_list", now=TUESDAY_MORNING), {}),
    ("a product page waits for 3 minutes in the page", {}, (),
     PageContext(path="/product/lamp/", page_type="product", now=TUESDAY_MORNING),
     {"product_sidebar": "when {'f': 'engaged_on_page', 'o': 'gt', 'v': 180}"}),
    ("a cart left in an earlier session", {"cart_items": 2, "abandoned_sessions": 1}, (),
     PageContext(now=TUESDAY_MORNING), {"popup": "<p>come back</p>"}),
    ("a cart emptied since", {"cart_items": 0, "abandoned_sessions": 1}, (), PageContext(now=TUESDAY_MORNING), {}),
    ("a spring campaign visitor", {}, (), PageContext(query={"utm_campaign": "spring"}, now=TUESDAY_MORNING),
     {"offer_banner": "<p>spring</p>"}),
    ("a newsletter reader", {}, (), PageContext(referrer="https://mail.example/Newsletter/1", now=TUESDAY_MORNING),
     {"offer_banner": "<p>spring</p>"}),
    ("a Saturday evening on a phone", {}, (), PageContext(device_type="mobile", now=SATURDAY_EVENING),
     {"weekend": "<p>weekend</p>", "evening": "<p>evening</p>"}),
    ("a Saturday evening on a desktop", {}, (), PageContext(device_type="desktop", now=SATURDAY_EVENING),
     {"weekend": "<p>weekend</p>"}),
]


@pytest.mark.parametrize(("who", "figures", "segments", "page", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_visitor_and_page_sees_the_content_their_rules_choose(site, rules, who, figures, segments, page, expected):
    profile = profile_make(site, segments=segments, **figures)
    assert shown(site, profile, page) == expected


def test_without_personalization_consent_every_slot_keeps_its_default(site, rules):
    page = PageContext(query={"utm_campaign": "spring"}, device_type="mobile", now=SATURDAY_EVENING)
    assert shown(site, None, page) == {}


def test_a_rule_before_its_start_or_after_its_end_shows_nothing(site):
    now = datetime.now(UTC)
    rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>later</p>", starts_at=now + timedelta(days=1))
    rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>over</p>", ends_at=now - timedelta(hours=1))
    rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>now</p>", priority=-1,
              starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))
    assert shown(site, profile_make(site), PageContext(page_type="home")) == {"home_hero": "<p>now</p>"}


def test_a_disabled_rule_shows_nothing(site):
    rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>off</p>", enabled=False)
    assert shown(site, profile_make(site), PageContext(page_type="home")) == {}


def test_a_rule_capped_once_per_session_shows_once_then_the_next_rule(site):
    rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>once</p>", priority=2, cap_count=1)
    rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>always</p>", priority=1)
    profile, page = profile_make(site), PageContext(page_type="home")
    assert shown(site, profile, page) == {"home_hero": "<p>once</p>"}
    assert shown(site, profile, page) == {"home_hero": "<p>always</p>"}
    assert shown(site, profile_make(site), page) == {"home_hero": "<p>once</p>"}  # another visitor has their own


def test_a_weekly_cap_counts_each_showing_until_the_cap(site):
    rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>twice</p>", cap_count=2,
              cap_period=Rule.CapPeriod.WEEK)
    profile, page = profile_make(site), PageContext(page_type="home")
    assert [shown(site, profile, page) for _ in range(3)] == [{"home_hero": "<p>twice</p>"}] * 2 + [{}]


def test_an_offer_is_not_shown_once_expired_used_up_or_used_by_the_visitor(site):
    home = {"all": [row("page_type", "eq", "home")]}
    expired = offer_make(site, code="OLD", expires_at=datetime.now(UTC) - timedelta(minutes=1))
    used_up = offer_make(site, code="GONE", total_limit=1)
    mine = offer_make(site, code="MINE")
    for priority, offer in enumerate((mine, used_up, expired)):
        rule_make(site, home, action=Rule.Action.OFFER, offer=offer, priority=priority, html="<p>deal</p>")
    someone, profile = profile_make(site), profile_make(site)
    assert offer_redeem(offer=used_up, visitor_id=someone.origin_visitor_id)
    assert "MINE" in shown(site, profile, PageContext(page_type="home"))["home_hero"]
    assert offer_redeem(offer=mine, visitor_id=profile.origin_visitor_id)
    assert shown(site, profile, PageContext(page_type="home")) == {}
    assert not offer_redeem(offer=mine, visitor_id=profile.origin_visitor_id)


def test_an_edited_rule_takes_effect_on_the_next_decision(site):
    rule = rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>before</p>")
    profile = profile_make(site)
    assert shown(site, profile, PageContext(page_type="home")) == {"home_hero": "<p>before</p>"}
    rule.slot = "popup"
    rule.save()
    assert shown(site, profile, PageContext(page_type="home")) == {"popup": "<p>before</p>"}


def test_a_rule_naming_a_deleted_segment_is_skipped_and_the_others_still_decide(site):
    profile_make(site, visitor_id="seed", segments=("gone",))
    rule_make(site, {"all": [row("segments", "includes", "gone")]}, html="<p>gone</p>", priority=5)
    rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>fine</p>")
    from segments.models import Segment

    Segment.objects.filter(slug="gone").delete()
    assert shown(site, profile_make(site), PageContext(page_type="home")) == {"home_hero": "<p>fine</p>"}


def test_a_decision_in_the_page_carries_only_the_in_page_rows(site):
    profile_make(site, visitor_id="seed", segments=("loyal",))
    rule_make(site, {"all": [row("segments", "includes", "loyal"), row("clicks_on_page", "gt", 5),
                             row("revenue", "gte", 100)]}, slot="offer_banner", html="<p>deal</p>")
    profile = profile_make(site, segments=("loyal",), revenue_cents=20_000)
    decision = decisions_for(DecisionRequest(site.pk, ("offer_banner",), PageContext(), "v", lambda: profile))["offer_banner"]
    assert decision.client_condition == {"f": "clicks_on_page", "o": "gt", "v": 5}
    assert "loyal" not in str(decision.client_condition) and "revenue" not in str(decision.client_condition)


def test_a_failing_catalogue_leaves_the_slot_to_the_next_rule_or_its_default(site):
    from rules import recommendations

    def broken(wanted):
        raise RuntimeError("catalogue down")

    saved = dict(recommendations._sources)
    recommendations._sources.clear()
    recommendations.item_source_register("broken", broken)
    try:
        rule_make(site, {"all": [row("page_type", "eq", "home")]}, action=Rule.Action.RECOMMENDATIONS, priority=5)
        profile = profile_make(site)
        assert shown(site, profile, PageContext(page_type="home")) == {}
        rule_make(site, {"all": [row("page_type", "eq", "home")]}, html="<p>fallback</p>")
        assert shown(site, profile, PageContext(page_type="home")) == {"home_hero": "<p>fallback</p>"}
    finally:
        recommendations._sources.clear()
        recommendations._sources.update(saved)
