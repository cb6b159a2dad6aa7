"""Shared steps of the browser tests."""

import time

from personalization.models import Event


def events_where(timeout: float = 10.0, at_least: int = 1, **filters) -> list[Event]:
    """Events matching `filters`, waiting until at least `at_least` have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        found = list(Event.objects.filter(**filters).order_by("ts", "seq"))
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def wait_until(page, function: str, timeout: float = 10.0):
    """Poll `function` in the page until it returns something truthy (wait_for_function would need eval,
    which the site's Content-Security-Policy rightly forbids)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(function)
        if value or time.monotonic() > deadline:
            assert value, f"{function} stayed false for {timeout} s"
            return value
        page.wait_for_timeout(100)


def grant(page, *categories: str) -> None:
    """Give consent through the tracker's API, as the banner does, and wait until the tracker allows every
    category. (Not just until the cookie is there: the server's answer sets the cookie before the consent script
    announces the choice, and a track call in between was dropped, which made two tests fail now and then.)"""
    choice = ", ".join(f"{category}: true" for category in categories)
    page.evaluate(f"attune('consent', 'update', {{{choice}}})")
    wait_until(page, "() => document.cookie.includes('attune_consent=')")
    for category in categories:
        wait_until(page, f"() => attune('consent', 'has', '{category}')")


def collect_requests(page) -> list:
    sent = []
    page.on("request", lambda request: "/collect" in request.url and sent.append(request))
    return sent
