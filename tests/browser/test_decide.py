"""Personalized slots in a real browser on the demo, with a clock the test controls: in-page conditions, the sixth
click, the come-back popup once, and only defaults without personalization consent."""

from urllib.parse import urlparse

import pytest

from demo.models import Product
from demo.rules_seed import demo_rules_ensure
from demo.services import demo_segments_ensure
from tests.conftest import consent_token
from tests.rules.factories import profile_make, rules_shown_to_everyone

from .helpers import events_where, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]
RELATED, OFFER, POPUP = "Picked for you", "Looking for something?", "You left something in your cart"


@pytest.fixture
def shop(demo):
    demo_segments_ensure(demo)
    demo_rules_ensure(demo)
    rules_shown_to_everyone()
    return demo


def visitor_as(page, live_server, profile, *categories: str) -> None:
    """The browser carries the consent cookie of `profile`'s visitor (as the banner would have set it)."""
    token = consent_token(profile.origin_visitor_id, "necessary", *categories, site_key=profile.site.public_key)
    page.context.add_cookies([{"name": "attune_consent", "value": token, "domain": urlparse(live_server.url).hostname,
                               "path": "/"}])


def product_url(live_server) -> str:
    return live_server.url + Product.objects.first().get_absolute_url()


def slot_text(page, slot: str) -> str:
    return page.evaluate(f"document.querySelector('[data-attune-slot=\"{slot}\"]').innerText")


def stay(page, seconds: int) -> None:
    """Spend `seconds` on the page, moving the pointer now and then (engaged time needs input within 30 s)."""
    for _ in range(seconds // 10):
        page.mouse.move(300, 300)
        page.mouse.move(310, 320)
        page.clock.run_for(10_000)


def test_after_three_minutes_on_a_product_page_the_related_products_appear(shop, live_server, page):
    visitor_as(page, live_server, profile_make(shop), "analytics", "personalization")
    page.clock.install()
    page.goto(product_url(live_server))
    wait_until(page, "() => attune.x && attune.x.decide !== attune.x.impression")  # attune-decide.js has loaded
    stay(page, 170)
    assert RELATED not in slot_text(page, "product_sidebar")
    stay(page, 20)
    assert RELATED in slot_text(page, "product_sidebar")
    page.clock.run_for(6_000)
    [impression] = events_where(type="track", name="attune_impression")
    assert impression.props["slot"] == "product_sidebar" and impression.props["ref"]
    assert page.errors == []


def test_the_sixth_click_shows_the_offer(shop, live_server, page):
    visitor_as(page, live_server, profile_make(shop), "analytics", "personalization")
    page.clock.install()
    page.goto(product_url(live_server))
    wait_until(page, "() => attune.x && attune.x.decide !== attune.x.impression")
    for _ in range(5):
        page.mouse.click(5, 400)
    assert OFFER not in slot_text(page, "offer_banner")
    page.mouse.click(5, 400)
    assert OFFER in slot_text(page, "offer_banner")
    assert page.errors == []


def test_a_visitor_who_abandoned_a_cart_sees_the_popup_on_the_next_visit_and_not_twice(shop, live_server, page):
    visitor_as(page, live_server, profile_make(shop, cart_items=2, abandoned_sessions=1), "analytics",
               "personalization")
    page.goto(live_server.url + "/")
    assert POPUP in slot_text(page, "popup")
    page.goto(live_server.url + "/news/")
    assert POPUP not in slot_text(page, "popup")
    assert page.errors == []


def test_with_personalization_refused_only_defaults_are_ever_shown(shop, live_server, page):
    visitor_as(page, live_server, profile_make(shop, cart_items=2, abandoned_sessions=1), "analytics")
    answers = []
    page.on("response", lambda response: "/decide" in response.url and answers.append(response.json()))
    page.clock.install()
    page.goto(product_url(live_server))
    wait_until(page, "() => attune.x && attune.x.decide !== attune.x.impression")
    stay(page, 190)
    for _ in range(6):
        page.mouse.click(5, 400)
    page.clock.run_for(7_000)
    page.wait_for_timeout(500)
    assert RELATED not in slot_text(page, "product_sidebar")
    assert OFFER not in slot_text(page, "offer_banner") and POPUP not in slot_text(page, "popup")
    assert page.evaluate("document.querySelectorAll('[data-attune-ref]').length") == 0
    assert all(answer == {} for answer in answers)
    assert page.errors == []
