"""Real-browser tests: Debian's Chromium driven by Playwright against a live Django server."""

import os
import shutil
import threading
import time

import pytest
from django.core.signals import request_finished, request_started

from demo.services import demo_content_load
from personalization.services.sites import site_create

from ..services import REQUIRE

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
# A headless browser says so in its user agent (and beacons sent while a page unloads carry the browser's
# own agent, not a context's override); the collector rightly drops bots, so the tests browse as a person.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-blink-features=AutomationControlled", "--autoplay-policy=no-user-gesture-required",
                 f"--user-agent={USER_AGENT}"]

# Playwright's sync API keeps an event loop in this thread; the tests read the database between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if REQUIRE:
            pytest.fail("Chromium is missing; `make test` installs Debian's chromium.")
        pytest.skip("Chromium is not installed (make test installs it)")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as playwright:
        # Playwright turns the back/forward cache off by default; the tracker's restore handling needs it.
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS,
                                              ignore_default_args=["--disable-back-forward-cache"])
        yield launched
        launched.close()


class RequestsInFlight:
    """Requests the live server is answering, counted by Django's request signals."""

    def __init__(self):
        self.count, self.last_change, self.lock = 0, time.monotonic(), threading.Lock()
        request_started.connect(self.started, weak=False)
        request_finished.connect(self.finished, weak=False)

    def started(self, **kwargs):
        with self.lock:
            self.count += 1
            self.last_change = time.monotonic()

    def finished(self, **kwargs):
        with self.lock:
            self.count -= 1
            self.last_change = time.monotonic()

    def quiet_wait(self, *, quiet_for: float = 0.5, timeout: float = 10) -> None:
        """Return once no request has been open for `quiet_for` seconds (beacons of closed pages included)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.count <= 0 and time.monotonic() - self.last_change >= quiet_for:
                    return
            time.sleep(0.05)


IN_FLIGHT = RequestsInFlight()


@pytest.fixture(autouse=True)
def live_server_quiet_before_flush(live_server, transactional_db):
    """Set up before any page or demo data and torn down after them, just before the database is emptied: a
    request still being stored then (a closing page's beacon) would deadlock with the emptying TRUNCATE."""
    yield
    IN_FLIGHT.quiet_wait()


@pytest.fixture
def demo(live_server, transactional_db, embedded_mode):
    """The demo shop and news site, with a site whose allowed origin is the live server."""
    demo_content_load()
    site = site_create(name="Attune demo", origins=[live_server.url]).site
    return site


@pytest.fixture
def context(browser):
    context = browser.new_context(user_agent=USER_AGENT, viewport={"width": 1200, "height": 800})
    yield context
    context.close()  # pages send their last beacons as they close: live_server_quiet_before_flush waits for them


@pytest.fixture
def page(context):
    page = context.new_page()
    page.errors = []  # uncaught exceptions, console errors from scripts, and 404s
    page.network_errors = []  # what Chromium itself logs about failed requests
    page.on("pageerror", lambda error: page.errors.append(str(error)))

    def console(message):
        if message.type == "error":
            failed_request = message.text.startswith("Failed to load resource")
            (page.network_errors if failed_request else page.errors).append(message.text)

    page.on("console", console)
    page.on("response", lambda response: response.status == 404 and page.errors.append(f"404 {response.url}"))
    return page


@pytest.fixture
def staff_page(live_server, transactional_db, embedded_mode, page):
    """The page, logged in to admin as a superuser."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("staff", "staff@example.com", "a-long-password-1")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return page
