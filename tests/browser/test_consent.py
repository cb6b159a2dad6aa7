"""The consent banner in a real browser: keyboard, Global Privacy Control, reopening, and no JavaScript."""

import pytest

from consent.models import ConsentRecord
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
