"""The consent banner in a real browser: keyboard, small screens, Global Privacy Control, reopening, no JavaScript,
and a choice made in the banner followed through a purchase to the privacy center."""

import json
from pathlib import Path

import pytest

from consent.models import ConsentRecord
from demo.models import Product
from personalization.models import Event

from .helpers import collect_requests, events_where, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]
BANNER_OPEN = "() => !document.getElementById('attune-consent').hidden"
BANNER_CLOSED = "() => document.getElementById('attune-consent').hidden"


def test_accepting_analytics_only_sends_analytics_events(demo, live_server, page):
    page.goto(live_server.url + "/news/")
    wait_until(page, BANNER_OPEN)
    page.check("#attune-consent input[value=analytics]")
    page.click("[data-consent-action=save]")
    wait_until(page, BANNER_CLOSED)
    page.evaluate("() => { attune('track', 'retargeting_audience', {}, {purpose: 'marketing'}); "
                  "attune('track', 'read_more'); }")
    events_where(type="track", name="read_more", timeout=10)
    assert not Event.objects.filter(name="retargeting_audience").exists()
    assert ConsentRecord.objects.get().granted == ["analytics", "necessary"]


def test_with_global_privacy_control_nothing_is_collected_and_the_banner_stays_away(demo, live_server, context):
    context.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})")
    page = context.new_page()
    sent = collect_requests(page)
    page.goto(live_server.url + "/shop/")
    wait_until(page, "() => document.cookie.includes('attune_consent=')")
    assert page.evaluate(BANNER_CLOSED)
    record = ConsentRecord.objects.get()
    assert (record.source, record.granted) == ("gpc", ["necessary"])
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(6000)
    assert sent == [] and not Event.objects.exists()
    # An explicit choice wins over the signal.
    page.click("footer [data-attune-consent-open]")
    wait_until(page, BANNER_OPEN)
    page.click("[data-consent-action=accept]")
    assert events_where(type="page_view", timeout=10)


def test_the_banner_is_operable_by_keyboard_alone_with_focus_kept_inside(demo, live_server, page):
    page.goto(live_server.url + "/")
    wait_until(page, BANNER_OPEN)
    focused = "() => document.activeElement.closest('#attune-consent') !== null"
    assert page.evaluate("() => document.activeElement.dataset.consentAction") == "reject"
    for _ in range(12):  # more Tabs than there are controls: focus wraps around inside the dialog
        page.keyboard.press("Tab")
        assert page.evaluate(focused)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(focused)
    while page.evaluate("() => document.activeElement.value") != "analytics":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    while page.evaluate("() => document.activeElement.dataset.consentAction") != "save":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_until(page, BANNER_CLOSED)
    assert ConsentRecord.objects.get().granted == ["analytics", "necessary"]
    assert not page.evaluate(focused), "focus goes back to the page"


def test_the_privacy_settings_link_reopens_the_banner_with_the_current_choice(demo, live_server, page):
    page.goto(live_server.url + "/")
    wait_until(page, BANNER_OPEN)
    page.click("[data-consent-action=accept]")
    wait_until(page, BANNER_CLOSED)
    page.click("footer [data-attune-consent-open]")
    wait_until(page, BANNER_OPEN)
    assert page.is_checked("#attune-consent input[value=marketing]")
    page.keyboard.press("Escape")
    wait_until(page, BANNER_CLOSED)
    page.click("footer [data-attune-consent-open]")
    page.click("[data-consent-action=reject]")
    wait_until(page, BANNER_CLOSED)
    assert ConsentRecord.objects.latest("id").source == "withdrawal"


def test_without_javascript_the_settings_page_records_the_choice(demo, live_server, browser):
    from .conftest import USER_AGENT

    context = browser.new_context(java_script_enabled=False, user_agent=USER_AGENT)
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.is_hidden("#attune-consent"), "without JavaScript the banner stays out of the way"
    page.click("footer >> text=Privacy settings")
    page.check("main input[value=analytics]")
    page.click("main button[value=save]")
    assert "saved=1" in page.url
    assert [c["name"] for c in context.cookies() if c["name"] == "attune_consent"]
    assert ConsentRecord.objects.get().source == "settings_page"
    context.close()


def test_a_choice_made_in_the_banner_reaches_the_checkout_and_the_privacy_center(demo, live_server, page, context):
    page.goto(live_server.url + "/shop/")
    wait_until(page, BANNER_OPEN)
    page.click("[data-consent-action=accept]")
    wait_until(page, BANNER_CLOSED)
    cookie = next(c["value"] for c in context.cookies() if c["name"] == "attune_consent")
    assert ":" in cookie and "%" not in cookie, "the script writes the token as the server does"
    visitor = ConsentRecord.objects.get().visitor_id

    page.goto(live_server.url + Product.objects.first().get_absolute_url())
    page.click("#add-to-cart button")
    page.click("text=Go to checkout")
    page.fill("input[name=email]", "buyer@example.com")
    page.fill("input[name=name]", "A Buyer")
    page.fill("textarea[name=address]", "1 Road")
    page.click("#checkout button")
    page.wait_for_selector("text=Thank you!")
    assert events_where(type="track", name="purchase", visitor_id=visitor, source="server"), "the server-side purchase"
    assert len(events_where(type="track", name="add_to_cart", visitor_id=visitor)) == 1
    assert not events_where(type="form_submit", visitor_id=visitor), \
        "forms that report their own event (add to cart, checkout) send no form_submit: a purchase counts once"
    assert len(events_where(type="track", name="checkout", visitor_id=visitor)) == 1

    page.goto(live_server.url + "/privacy/settings/")
    assert page.is_checked("main input[value=marketing]") and page.is_checked("main input[value=analytics]")
    page.click("footer >> text=Privacy center")
    assert page.is_visible("text=Marketing: allowed")
    with page.expect_download() as download:
        page.click("text=Download my data")
    exported = json.loads(Path(download.value.path()).read_text())
    assert "purchase" in [e["name"] for e in exported["data"]["tracking"]["events"]]
    page.check("main input[name=confirm]")
    page.click("text=Erase my data")
    page.wait_for_selector("text=Everything we held about you has been erased.")
    assert not Event.objects.filter(visitor_id=visitor).exists()


@pytest.mark.parametrize("width, height", [(320, 568), (360, 640), (375, 667)])
def test_every_control_of_the_banner_is_reachable_on_a_small_phone(demo, live_server, browser, width, height):
    from .conftest import USER_AGENT

    context = browser.new_context(user_agent=USER_AGENT, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(live_server.url + "/")
    wait_until(page, BANNER_OPEN)
    controls = page.locator("#attune-consent input[name=category]:not([disabled]), #attune-consent button")
    assert controls.count() >= 5
    for index in range(controls.count()):
        controls.nth(index).click(trial=True, timeout=3000)  # scrolled into view, visible and not covered
    box = page.locator(".attune-consent__box").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, "nothing is cut off at the sides"
    page.check("#attune-consent input[value=analytics]")
    page.click("[data-consent-action=save]")
    wait_until(page, BANNER_CLOSED)
    assert ConsentRecord.objects.get().granted == ["analytics", "necessary"]
    context.close()


def test_while_the_banner_is_open_the_page_behind_is_out_of_reach(demo, live_server, page):
    page.goto(live_server.url + "/news/")
    wait_until(page, BANNER_OPEN)
    focus_page_link = "() => { const a = document.querySelector('footer a'); a.focus(); return document.activeElement === a }"
    assert page.evaluate("() => document.querySelector('main').closest('[inert]') !== null")
    assert not page.evaluate(focus_page_link), "the keyboard cannot reach the page"
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.closest('#attune-consent') !== null")
    page.click("[data-consent-action=reject]")
    wait_until(page, BANNER_CLOSED)
    assert page.evaluate("() => document.querySelector('[inert]') === null")
    assert page.evaluate(focus_page_link)
