"""The tracker in a real browser against the demo site: what it sends, when, and that it never breaks the page."""

import json

import pytest

from personalization.models import Event

from .helpers import collect_requests, events_where, grant, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_nothing_is_sent_or_stored_before_consent(demo, live_server, page):
    sent = collect_requests(page)
    page.goto(live_server.url + "/news/")
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(1500)
    page.evaluate("attune('track', 'newsletter_signup')")
    page.wait_for_timeout(6000)  # past the 5 s batching delay
    assert sent == []
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('attune'))") == []
    assert not [c for c in page.context.cookies() if c["name"].startswith("attune")]
    assert not Event.objects.exists()
    assert page.errors == []


def test_after_consent_the_page_view_arrives_with_the_page_metadata(demo, live_server, page):
    page.goto(live_server.url + "/shop/p/trail-runner/")
    grant(page, "analytics")
    [view] = events_where(type="page_view")
    assert view.path == "/shop/p/trail-runner/"
    assert view.category == "shoes"
    assert view.props["page_type"] == "product"
    assert view.props["product"] == "trail-runner"
    assert view.props["price"] > 0
    assert view.props["visit"] == 1 and view.props["returning"] is False
    assert view.consent == "analytics,necessary"
    assert page.errors == []


def test_automatic_capture_sends_every_kind_of_event(demo, live_server, page):
    page.clock.install()
    page.goto(live_server.url + "/news/technology-solar-batteries/")
    grant(page, "analytics")
    page.mouse.move(200, 200)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    page.clock.run_for(500)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.clock.run_for(16_000)  # 15 s of engaged time: a heartbeat
    page.evaluate("""() => {
        const out = document.createElement('a'); out.href = 'https://example.org/elsewhere'; out.id = 'out';
        out.textContent = 'Elsewhere'; out.dataset.attuneCampaign = 'spring';
        out.addEventListener('click', e => e.preventDefault()); document.body.append(out);
        const file = document.createElement('a'); file.href = '/media/report.pdf'; file.id = 'file';
        file.textContent = 'Report'; file.addEventListener('click', e => e.preventDefault()); document.body.append(file);
    }""")
    page.click("#out")
    page.click("#file")
    video = page.locator("#feature-video")
    video.scroll_into_view_if_needed()
    page.evaluate("""async () => { const v = document.getElementById('feature-video'); v.muted = true;
        await v.play(); v.pause(); v.currentTime = v.duration * 0.8; v.dispatchEvent(new Event('timeupdate'));
        v.currentTime = v.duration; await v.play(); }""")
    wait_until(page, "() => document.getElementById('feature-video').ended", timeout=15)
    page.clock.run_for(6_000)
    types = {event.type for event in events_where(at_least=30, timeout=15)}
    assert {"page_view", "scroll", "engagement", "click", "outbound", "download", "video", "section"} <= types
    scrolls = events_where(type="scroll", at_least=5)
    assert {e.props["depth"] for e in scrolls} >= {25, 50, 75, 90, 100}
    beat = events_where(type="engagement")[0]
    assert beat.props["engaged_ms"] >= 15_000 and beat.props["final"] is False
    click = events_where(type="click", props__id="out")[0]
    assert click.props["text"] == "Elsewhere" and click.props["campaign"] == "spring" and click.props["tag"] == "a"
    assert events_where(type="outbound")[0].props["href"] == "https://example.org/elsewhere"
    assert events_where(type="download")[0].props["href"].endswith("/media/report.pdf")
    video_actions = {e.props["action"] for e in events_where(type="video", at_least=4)}
    assert {"play", "pause", "progress", "complete"} <= video_actions
    sections = events_where(type="section", at_least=2)
    assert {"enter", "exit"} <= {e.props["action"] for e in sections}
    assert page.errors == []


def test_hover_dwell_and_form_submits_never_include_typed_values(demo, live_server, page):
    page.clock.install()
    page.goto(live_server.url + "/shop/")
    grant(page, "analytics")
    card = page.locator("[data-attune-hover]").first
    card.hover()
    page.clock.run_for(1_500)
    page.mouse.move(5, 5)
    page.goto(live_server.url + "/news/technology-solar-batteries/")
    page.fill("#newsletter-email", "secret@example.com")
    page.click("#newsletter button")
    page.wait_for_load_state()
    hover = events_where(type="hover")[0]
    assert hover.props["target"] == "product-card" and hover.props["dwell_ms"] > 1000
    signup = events_where(type="track", name="newsletter_signup")
    assert signup, "the form's data-attune-track sends a custom event"
    assert not Event.objects.filter(type="form_submit").exists(), "and its submit is not counted again"
    assert not Event.objects.filter(props__icontains="secret@example.com").exists()
    assert "secret" not in json.dumps(list(Event.objects.values_list("props", flat=True)))


def test_api_track_identify_and_custom_dimensions(demo, live_server, page):
    from personalization.services.users import user_signature

    page.goto(live_server.url + "/")
    grant(page, "analytics")
    signature = user_signature(site_key=demo.public_key, user_id="user-77")  # attune.user_signature() in a view
    page.evaluate("""(signature) => { attune('set', 'plan', 'gold'); attune('track', 'signup', {step: 2});
        attune('identify', 'user-77', signature); }""", signature)
    track = events_where(type="track", name="signup", timeout=8)[0]
    assert track.props == {"step": 2}
    assert track.dimensions == {"plan": "gold"}
    identify = events_where(type="identify")[0]
    assert identify.props == {}
    from personalization.models import Profile

    assert Profile.objects.get().user_key not in ("", None, "user-77")


def test_thirty_events_then_a_navigation_400_ms_later_at_least_29_arrive(demo, live_server, page):
    page.goto(live_server.url + "/")
    grant(page, "analytics")
    page.evaluate("""() => { for (let i = 0; i < 30; i++) attune('track', 'burst', {i});
        setTimeout(() => { location.href = '/news/'; }, 400); }""")
    page.wait_for_url("**/news/")
    burst = events_where(type="track", name="burst", at_least=30, timeout=10)
    assert len(burst) >= 29
    assert len({e.props["i"] for e in burst}) == len(burst)


def test_a_70_kb_backlog_is_split_and_delivered(demo, live_server, page):
    page.goto(live_server.url + "/")
    grant(page, "analytics")
    page.evaluate("""() => {
        const events = [];
        for (let i = 0; i < 140; i++) events.push({id: crypto.randomUUID(), type: 'track', name: 'backlog',
            ts: Date.now() - 60000, seq: i, url: location.href, purpose: 'analytics', props: {i, blob: 'x'.repeat(480)}});
        localStorage.setItem('attune_q', JSON.stringify({e: events, lost: 0}));
    }""")
    assert len(page.evaluate("localStorage.getItem('attune_q')")) > 70_000
    sent = collect_requests(page)
    page.goto(live_server.url + "/news/")
    backlog = events_where(type="track", name="backlog", at_least=140, timeout=15)
    assert len(backlog) == 140
    page.wait_for_timeout(300)  # let Playwright deliver the request events it holds
    bodies = [request.post_data_buffer or b"" for request in sent]
    assert max(len(body) for body in bodies) <= 64 * 1024
    assert len([body for body in bodies if b"backlog" in body]) >= 2, "the backlog went out in several batches"


def test_closing_the_tab_delivers_the_final_engaged_time(demo, live_server, context):
    page = context.new_page()
    page.goto(live_server.url + "/news/")
    grant(page, "analytics")
    page.mouse.move(100, 100)
    page.wait_for_timeout(2_500)
    page.close(run_before_unload=True)
    final = events_where(type="engagement", props__final=True, timeout=10)
    assert final and final[-1].props["engaged_ms"] >= 1000


def test_events_of_a_failed_request_arrive_on_the_next_page_view_without_page_errors(demo, live_server, page):
    page.goto(live_server.url + "/")
    grant(page, "analytics")
    events_where(type="page_view")
    page.route("**/collect", lambda route: route.abort())
    page.evaluate("() => { for (let i = 0; i < 20; i++) attune('track', 'offline', {i}); }")
    page.wait_for_timeout(1_500)
    assert not Event.objects.filter(name="offline").exists()
    stored = page.evaluate("JSON.parse(localStorage.getItem('attune_q') || '{\"e\": []}').e.length")
    assert stored >= 20
    page.unroute("**/collect")
    page.goto(live_server.url + "/shop/")
    assert len(events_where(type="track", name="offline", at_least=20)) == 20
    # No exception and no console error from any script; Chromium itself logs the refused request.
    assert page.errors == []
    assert page.network_errors, "the collector really was unreachable"


def test_spa_navigation_and_a_back_forward_cache_restore_each_count_one_page_view(demo, live_server, page):
    page.goto(live_server.url + "/")
    grant(page, "analytics")
    events_where(type="page_view")
    page.evaluate("history.pushState({}, '', '/spa/one')")
    page.evaluate("history.replaceState({}, '', '/spa/two')")
    page.evaluate("history.replaceState({}, '', '/spa/two')")  # same URL: not a new page view
    page.evaluate("location.hash = 'section-3'")
    page.evaluate("history.back()")  # to /spa/two from the hash: a same-document navigation
    wait_until(page, "() => location.hash === ''")
    paths = [(e.path, e.url.split("#")[-1] if "#" in e.url else "") for e in
             events_where(type="page_view", at_least=5, timeout=10)]
    assert paths == [("/", ""), ("/spa/one", ""), ("/spa/two", ""), ("/spa/two", "section-3"), ("/spa/two", "")]
    page.evaluate("window.stillTheSameDocument = true")
    page.goto(live_server.url + "/news/")
    page.go_back(wait_until="commit")  # a page restored from the cache fires pageshow, not load
    wait_until(page, "() => window.stillTheSameDocument === true", timeout=5)  # restored, not reloaded
    views = events_where(type="page_view", at_least=7, timeout=10)
    assert [e.path for e in views[5:]] == ["/news/", "/spa/two"]
    assert page.errors == []
