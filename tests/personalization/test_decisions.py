"""The decision-provider registry and {% personalize %}: providers above personalization fill slots."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from personalization.decisions import (
    Decision,
    DecisionProvider,
    decision_provider_register,
    decision_provider_unregister,
    decisions_for,
)

from ..conftest import consent_token

TEMPLATE = Template('{% load attune %}{% personalize "hero" page_type="product" %}<p>Default</p>{% endpersonalize %}')


@pytest.fixture
def provider():
    seen = []

    def decide(request):
        seen.append(request)
        return {"hero": Decision(slot="hero", html="<b>For you</b>", source="test", reference="rule-1")}

    decision_provider_register(DecisionProvider(name="test", decide=decide))
    yield seen
    decision_provider_unregister("test")


def render(visitor_categories=()):
    request = RequestFactory().get("/shop/shoe")
    if visitor_categories:
        request.COOKIES["attune_consent"] = consent_token("visitor-0001", *visitor_categories)
    return TEMPLATE.render(Context({"request": request}))


@pytest.mark.django_db
def test_a_slot_no_provider_decides_shows_its_default(site):
    assert render() == '<div data-attune-slot="hero"><p>Default</p></div>'


@pytest.mark.django_db
def test_a_registered_provider_fills_the_slot_and_sees_the_page(site, provider):
    html = render(("analytics", "personalization"))
    assert html == '<div data-attune-slot="hero" data-attune-ref="rule-1"><b>For you</b></div>'
    assert provider[0].page.path == "/shop/shoe" and provider[0].page.page_type == "product"
    assert provider[0].visitor_id == "visitor-0001"


@pytest.mark.django_db
def test_without_personalization_consent_no_profile_is_read(site, provider):
    render(("analytics",))
    assert provider[0].visitor_id == "" and provider[0].profile is None


def test_the_profile_is_read_only_when_a_provider_asks_and_once_whoever_asks():
    from personalization.decisions import DecisionRequest, PageContext

    reads, seen = [], []

    def read():
        reads.append(1)
        return "the profile"

    def asking(name):
        def decide(request):
            seen.append(request.profile)
            return {}
        return DecisionProvider(name, decide)

    decision_provider_register(DecisionProvider("silent", lambda r: {}))
    try:
        decisions_for(DecisionRequest(site_id=1, slots=("s",), page=PageContext(), visitor_id="v", profile_read=read))
        assert reads == []
        decision_provider_register(asking("a"))
        decision_provider_register(asking("b"))
        decisions_for(DecisionRequest(site_id=1, slots=("s",), page=PageContext(), visitor_id="v", profile_read=read))
        assert seen == ["the profile", "the profile"] and reads == [1]
    finally:
        for name in ("silent", "a", "b"):
            decision_provider_unregister(name)


@pytest.mark.django_db
def test_a_failing_provider_leaves_the_default_and_the_next_provider_decides(site, provider):
    def broken(request):
        raise RuntimeError("bug")

    decision_provider_register(DecisionProvider(name="broken", decide=broken))
    try:
        decision_provider_unregister("test")
        assert render() == '<div data-attune-slot="hero"><p>Default</p></div>'
    finally:
        decision_provider_unregister("broken")


def test_the_first_provider_to_decide_a_slot_wins():
    first = DecisionProvider("a", lambda r: {"s": Decision("s", "A", "a")})
    second = DecisionProvider("b", lambda r: {"s": Decision("s", "B", "b"), "t": Decision("t", "T", "b")})
    decision_provider_register(first)
    decision_provider_register(second)
    try:
        from personalization.decisions import DecisionRequest, PageContext

        decided = decisions_for(DecisionRequest(site_id=1, slots=("s", "t"), page=PageContext()))
        assert {slot: d.html for slot, d in decided.items()} == {"s": "A", "t": "T"}
    finally:
        decision_provider_unregister("a")
        decision_provider_unregister("b")
