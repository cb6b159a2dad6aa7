"""A stored-XSS corpus in event names, properties and URLs is rendered escaped in admin."""

import orjson
import pytest

from personalization.models import Event, FailedEvent, Profile, Session, Visitor

from ..conftest import ORIGIN, consent_token, make_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg/onload=alert(3)>",
    "javascript:alert(4)//<b>",
    "'';!--\"<XSS>=&{()}",
]
VISITOR = "visitor-xss-1"


@pytest.fixture
def poisoned(client, site):
    events = []
    for index, payload in enumerate(CORPUS):
        events.append(make_event("track", name=payload[:100], cat=payload, pv=f"pv{index}",
                                 url=f"{ORIGIN}/{payload}?q={payload}", props={"label": payload, payload[:20]: 1}))
        events.append(make_event("page_view", url=f"{ORIGIN}/p/{payload}", pv=f"pv{index}", cat=payload))
    events.append(make_event("teleport", name=CORPUS[0]))  # lands in failed events, payload and all
    body = {"site": site.public_key, "vid": VISITOR, "sent": now_ms(), "consent": consent_token(VISITOR, "analytics"),
            "events": events}
    client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
    assert Event.objects.count() == 10
    return site


def test_admin_pages_show_the_corpus_escaped(admin_client, poisoned):
    visitor = Visitor.objects.get()
    pages = [
        "/admin/personalization/event/", f"/admin/personalization/event/{Event.objects.get(type='track', name=CORPUS[0][:100]).pk}/change/",
        "/admin/personalization/visitor/", f"/admin/personalization/visitor/{visitor.pk}/change/",
        "/admin/personalization/session/", f"/admin/personalization/session/{Session.objects.first().pk}/change/",
        "/admin/personalization/profile/", f"/admin/personalization/profile/{Profile.objects.first().pk}/change/",
        "/admin/personalization/failedevent/", f"/admin/personalization/failedevent/{FailedEvent.objects.first().pk}/change/",
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        for payload in CORPUS:
            assert payload not in html, f"{payload!r} unescaped on {page}"
    shown = [pages[0], pages[1], pages[3], pages[9]]  # where the corpus itself is displayed
    for page in shown:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in admin_client.get(page).content.decode(), page
