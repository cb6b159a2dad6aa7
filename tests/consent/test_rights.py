"""The right to a copy and the right to erasure, across every table (and the Redis stream)."""

import json

import orjson
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from consent.models import ConsentRecord, ErasedSubject, ErasureLog
from consent.registry import Subject, personal_data_handlers
from consent.services.choices import consent_record_create
from consent.services.rights import personal_data_erase, personal_data_export
from demo.models import SimulatedVisitor
from personalization.collect.batch import CollectedBatch, CollectedEvent, Failure
from personalization.ingest.write import batches_write
from personalization.models import DropCounter, Event, FailedEvent, Profile, Session, Visitor

from ..conftest import ORIGIN, make_event, make_signed_event, now_ms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
VISITOR = "visitor-erase-1"
OTHER = "visitor-keeps-1"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"


def send(client, site, visitor, events):
    _, token = consent_record_create(site_key=site.public_key, visitor_id=visitor, granted={"analytics"},
                                     source="banner", policy_version=0)
    body = {"site": site.public_key, "vid": visitor, "sent": now_ms(), "consent": token, "events": events}
    client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN, HTTP_USER_AGENT=CHROME)
    return token


@pytest.fixture
def everywhere(client, site):
    """A visitor with data in every table, and another visitor whose data must stay."""
    send(client, site, VISITOR, [make_event("page_view", url=ORIGIN + "/a", pv="p1"), make_event("click", pv="p1"),
                                 make_event("teleport", name="bad")])
    send(client, site, OTHER, [make_event("page_view", url=ORIGIN + "/b")])
    SimulatedVisitor.objects.create(site_key=site.public_key, visitor_id=VISITOR, archetype="news_reader", seed=1,
                                    consented="analytics")
    assert Event.objects.filter(visitor_id=VISITOR).count() == 2
    assert FailedEvent.objects.filter(visitor_id=VISITOR).exists()
    assert Session.objects.filter(visitor_id=VISITOR).exists()
    return site


def test_the_export_holds_everything_about_the_visitor_and_nothing_about_others(everywhere):
    export = personal_data_export(subject=Subject(site_key=everywhere.public_key, visitor_ids=(VISITOR,)))
    data = export["data"]
    assert len(data["tracking"]["events"]) == 2
    assert {e["type"] for e in data["tracking"]["events"]} == {"page_view", "click"}
    assert len(data["tracking"]["sessions"]) == 1
    assert data["tracking"]["profiles"][0]["visitors"] == [VISITOR]
    assert len(data["tracking"]["failed_events"]) == 1
    assert [r["source"] for r in data["consent_records"]] == ["banner"]
    assert data["simulation_labels"] == [{"visitor_id": VISITOR, "archetype": "news_reader"}]
    assert OTHER not in json.dumps(export, default=str)


def test_erasure_removes_the_visitor_from_every_table_and_keeps_everyone_else(everywhere):
    log = personal_data_erase(subject=Subject(site_key=everywhere.public_key, visitor_ids=(VISITOR,)),
                              channel=ErasureLog.Channel.PRIVACY_CENTER)
    for model in (Event, Session, FailedEvent, Visitor):
        assert not model.objects.filter(visitor_id=VISITOR).exists(), model
    assert not Profile.objects.filter(origin_visitor_id=VISITOR).exists()
    assert not SimulatedVisitor.objects.filter(visitor_id=VISITOR).exists()
    assert not ConsentRecord.objects.filter(visitor_id=VISITOR).exists()
    assert ConsentRecord.objects.filter(visitor_id="erased").count() == 1, "the proof stays, anonymised"
    assert Event.objects.filter(visitor_id=OTHER).count() == 1
    assert log.erased["tracking"] > 0 and VISITOR not in json.dumps(log.erased)
    assert ErasedSubject.objects.count() == 1 and VISITOR not in ErasedSubject.objects.get().digest


def test_events_in_flight_when_the_visitor_was_erased_are_dropped(everywhere):
    personal_data_erase(subject=Subject(site_key=everywhere.public_key, visitor_ids=(VISITOR,)),
                        channel=ErasureLog.Channel.PRIVACY_CENTER)
    late = CollectedBatch(site_id=everywhere.pk, site_key=everywhere.public_key, received_ms=now_ms(),
                          visitor_id=VISITOR, consent="analytics,necessary", events=[CollectedEvent(
                              "0193a1b2-c3d4-7e5f-a000-000000000009", "click", "", now_ms(), 1, "", "", "", "", "", {},
                              {}, "analytics")],
                          failures=[Failure("invalid", "`type` 'teleport' is unknown", 1, "", '{"type": "teleport"}')])
    batches_write([late])
    assert not Event.objects.filter(visitor_id=VISITOR).exists()
    assert not FailedEvent.objects.filter(visitor_id=VISITOR).exists(), "nor its rejected events' payloads"
    assert DropCounter.objects.get(reason="erased").count == 1


def test_erasing_one_device_of_an_identified_user_erases_the_users_shared_profile(client, site):
    for visitor in ("laptop-visitor", "phone-visitor"):
        send(client, site, visitor, [make_event("page_view", url=ORIGIN + "/x"), make_signed_event(site_key=site.public_key, user_id="u-1")])
    profile = Profile.objects.get()
    assert profile.pageviews == 2
    personal_data_erase(subject=Subject(site_key=site.public_key, visitor_ids=("phone-visitor",)),
                        channel=ErasureLog.Channel.STAFF)
    # the user's devices go together: erasing one device of an identified user erases the user's profile
    assert not Profile.objects.exists()


def test_every_model_with_visitor_or_user_data_is_covered_by_an_erase_handler():
    covered = {model for handler in personal_data_handlers() for model in handler.models}
    personal = set()
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        related = {getattr(field, "related_model", None) for field in model._meta.get_fields()}
        if names & {"visitor_id", "user_key"} or related & {Visitor, Profile}:
            personal.add(model)
    assert personal, "the walk must find the personal-data models"
    missing = personal - covered
    assert not missing, f"no erase handler covers {sorted(m.__name__ for m in missing)}"


def test_the_privacy_center_exports_and_erases_for_the_visitor_of_the_cookie(client, everywhere):
    token = send(client, everywhere, VISITOR, [make_event("scroll", props={"depth": 50})])
    client.cookies["attune_consent"] = token
    page = client.get("/privacy/")
    assert b"Download my data" in page.content
    export = client.get("/privacy/export/")
    assert export["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert len(json.loads(export.content)["data"]["tracking"]["events"]) == 3
    assert client.post("/privacy/erase/").status_code == 302  # without the confirmation: nothing happens
    assert Event.objects.filter(visitor_id=VISITOR).exists()
    response = client.post("/privacy/erase/", {"confirm": "yes"})
    assert response.status_code == 302 and response.cookies["attune_consent"].value == ""
    assert not Event.objects.filter(visitor_id=VISITOR).exists()
    assert ErasureLog.objects.get().channel == "privacy_center"


def test_a_logged_in_user_gets_the_data_of_all_their_devices(client, site):
    user = get_user_model().objects.create_user("reader", password="x" * 12)
    for visitor in ("laptop-visitor", "phone-visitor"):
        send(client, site, visitor, [make_event("page_view", url=ORIGIN + "/x"), make_signed_event(
            site_key=site.public_key, user_id=str(user.pk))])
    client.force_login(user)
    export = json.loads(client.get("/privacy/export/").content)
    assert sorted(export["visitor_ids"]) == ["laptop-visitor", "phone-visitor"]


def test_staff_act_on_requests_received_elsewhere_through_a_command(everywhere, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "data.json"
    call_command("privacy_request", site_key=everywhere.public_key, visitor=VISITOR, export=str(out))
    assert len(json.loads(out.read_text())["data"]["tracking"]["events"]) == 2
    call_command("privacy_request", site_key=everywhere.public_key, visitor=VISITOR, erase=True,
                 requested_by="dpo@example.com")
    assert not Event.objects.filter(visitor_id=VISITOR).exists()
    assert ErasureLog.objects.get().requested_by == "dpo@example.com"


@pytest.mark.redis
def test_erasure_reaches_events_still_waiting_in_the_redis_stream(client, site, redis_mode):
    from django.conf import settings

    from personalization.ingest.drain import stream_drain

    send(client, site, VISITOR, [make_event(), make_event("click")])
    send(client, site, OTHER, [make_event()])
    assert redis_mode.xlen(settings.ATTUNE["STREAM_KEY"]) == 2
    log = personal_data_erase(subject=Subject(site_key=site.public_key, visitor_ids=(VISITOR,)),
                              channel=ErasureLog.Channel.PRIVACY_CENTER)
    assert log.erased["stream"] == 1
    stream_drain(consumer="test", max_seconds=5, until_empty=True)
    assert list(Event.objects.values_list("visitor_id", flat=True)) == [OTHER]
