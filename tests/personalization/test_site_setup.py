"""A site's setup page in admin: the snippet to paste, a live check that events arrive, and the latest events,
stored and refused, with pseudonymous visitor ids only."""

import uuid

import orjson
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from personalization.models import Event, FailedEvent, Profile
from personalization.services.sites import site_create

from ..conftest import ORIGIN, consent_token, make_event, make_signed_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
VISITOR = "visitor-setup-0001"


def send(client, site, events, *, origin=ORIGIN):
    """A batch from the visitor's browser, with analytics allowed in the banner."""
    body = {"site": site.public_key, "vid": VISITOR, "sent": now_ms(),
            "consent": consent_token(VISITOR, "analytics", site_key=site.public_key), "events": events}
    return client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=origin,
                       HTTP_USER_AGENT=CHROME)


def setup_url(site) -> str:
    return reverse("admin:personalization_site_setup", args=[site.pk])


def live_url(site) -> str:
    return reverse("admin:personalization_site_setup_live", args=[site.pk])


def live(admin_client, site) -> dict:
    response = admin_client.get(live_url(site))
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="editor", password="secret-pass-1", is_staff=True)


def test_the_setup_page_needs_a_staff_login(client, site, django_user_model):
    for url in (setup_url(site), live_url(site)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    visitor = django_user_model.objects.create_user(username="visitor", password="secret-pass-1")
    client.force_login(visitor)
    for url in (setup_url(site), live_url(site)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_who_may_not_view_sites_are_refused(client, site, staff):
    client.force_login(staff)
    assert client.get(setup_url(site)).status_code == 403
    assert client.get(live_url(site)).status_code == 403


def test_staff_who_may_view_sites_see_the_snippet_to_paste(client, site, staff):
    staff.user_permissions.add(Permission.objects.get(codename="view_site", content_type__app_label="personalization"))
    client.force_login(staff)
    response = client.get(setup_url(site))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{{% attune_tracker &quot;{site.public_key}&quot; %}}" in html
    assert f"{{% consent_banner &quot;{site.public_key}&quot; %}}" in html
    assert (f"&lt;script defer src=&quot;http://testserver/static/attune.js&quot; data-site=&quot;{site.public_key}"
            "&quot; data-endpoint=&quot;http://testserver/collect&quot;&gt;&lt;/script&gt;") in html
    assert "personalization/site_setup.js" in html and "<script>" not in html  # no inline script under the CSP
    assert ORIGIN in html  # the allowed origins


def test_a_stored_event_shows_as_accepted_with_its_pseudonymous_visitor_id_only(client, admin_client, site):
    identify = make_signed_event(site_key=site.public_key, user_id="user-4242")
    response = send(client, site, [make_event("page_view", url=ORIGIN + "/shop/p/boot?ref=mail", pv="p1"), identify])
    assert response.json()["accepted"] == 2
    data = live(admin_client, site)
    page_view = next(event for event in data["events"] if event["type"] == "page_view")
    assert page_view["accepted"] is True and page_view["reason"] == ""
    assert (page_view["visitor_id"], page_view["path"]) == (VISITOR, "/shop/p/boot")
    assert "analytics" in page_view["consent"]
    text = admin_client.get(live_url(site)).content.decode() + admin_client.get(setup_url(site)).content.decode()
    user_key = Profile.objects.get(site=site).user_key
    addresses = set(Event.objects.exclude(client_address="").values_list("client_address", flat=True))
    assert user_key and user_key not in text and "user-4242" not in text
    assert not any(address in text for address in addresses)
    assert all("client_address" not in event and "user_key" not in event for event in data["events"])
    assert VISITOR in text


def test_a_refused_event_shows_with_its_reason(client, admin_client, site):
    send(client, site, [make_event("teleport")])
    failure = FailedEvent.objects.get(site=site)
    [event] = live(admin_client, site)["events"]
    assert (event["accepted"], event["reason"], event["detail"], event["visitor_id"]) == (
        False, "invalid", failure.detail, VISITOR)
    html = admin_client.get(setup_url(site)).content.decode()
    assert "Events are refused: Invalid" in html and "refused" in html


def test_the_check_says_no_events_yet_for_a_fresh_site_then_that_they_arrive(client, admin_client, site):
    check = live(admin_client, site)["check"]
    assert check["verdict"].startswith("No events yet: paste the snippet")
    assert (check["status"], check["arrived_ever"], check["last_event_time"]) == ("waiting", False, "never")
    send(client, site, [make_event("page_view", url=ORIGIN + "/")])
    check = live(admin_client, site)["check"]
    assert check["verdict"] == "Events are arriving."
    assert (check["arrived_recently"], check["accepted_last_hour"], check["allowed_origins"]) == (True, 1, [ORIGIN])


def test_a_site_without_allowed_origins_is_told_to_add_one(admin_client):
    site = site_create(name="No origins yet", origins=[]).site
    check = live(admin_client, site)["check"]
    assert "add the origin of your pages" in check["verdict"] and check["allowed_origins"] == []


def test_events_from_an_origin_not_allowed_are_refused_and_the_check_says_what_to_do(client, admin_client, site):
    assert send(client, site, [make_event()], origin="https://elsewhere.example").status_code == 403
    check = live(admin_client, site)["check"]
    assert check["status"] == "refused" and check["refused_today"] == {"unknown_origin": 1}
    assert check["verdict"].startswith("Events are refused: Unknown origin — add the origin of your pages")


def test_the_live_events_can_be_asked_for_after_a_time_and_a_wrong_time_is_explained(client, admin_client, site):
    send(client, site, [make_event("page_view", url=ORIGIN + "/")])
    assert admin_client.get(live_url(site), {"since": "2999-01-01T00:00:00Z"}).json()["events"] == []
    answer = admin_client.get(live_url(site), {"since": "yesterday"})
    assert answer.status_code == 400 and "ISO 8601" in answer.json()["message"]


def test_the_site_list_and_form_link_to_the_setup_page(admin_client, site):
    for page in ("/admin/personalization/site/", f"/admin/personalization/site/{site.pk}/change/"):
        assert f'href="{setup_url(site)}"' in admin_client.get(page).content.decode(), page
    assert "Save the site first" in admin_client.get("/admin/personalization/site/add/").content.decode()


def test_an_editor_sees_whether_events_arrive_but_no_visitors_events_and_an_analyst_no_refused_ones(client, site):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    now = timezone.now()
    Event.objects.create(site=site, event_id=uuid.uuid4(), visitor_id="visitor-seen-01", type="page_view", ts=now,
                         received_at=now, path="/", consent="analytics")
    FailedEvent.objects.create(site=site, site_key=site.public_key, reason="invalid", detail="ts: not a number",
                               visitor_id="visitor-refused-01", received_at=now)
    for role, shown in (("Editor", set()), ("Analyst", {"visitor-seen-01"})):
        user = get_user_model().objects.create_user(role.lower(), password="x" * 12, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        live = client.get(f"/admin/personalization/site/{site.pk}/setup/live.json").json()
        assert live["check"]["arrived_recently"]
        assert {row["visitor_id"] for row in live["events"]} == shown
