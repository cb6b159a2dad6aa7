"""A withdrawal counts at once, whatever token a client goes on sending: a token from before the visitor's latest
choice is worth no more than that choice."""

import orjson
import pytest

from personalization.ingest.drain import stream_drain
from personalization.models import Event

from ..conftest import ORIGIN, make_event, now_ms

pytestmark = pytest.mark.django_db
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"


def choose(client, site, granted, token=""):
    body = {"site": site.public_key, "token": token, "granted": granted, "source": "banner"}
    return client.post("/consent", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN).json()


def collect(client, site, vid, token, events, *, redis_on):
    body = {"site": site.public_key, "vid": vid, "sent": now_ms(), "consent": token, "events": events}
    answer = client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                         HTTP_USER_AGENT=CHROME).json()
    if redis_on:
        stream_drain(consumer="test", max_seconds=5, until_empty=True)
    return answer


@pytest.mark.parametrize("mode", ["embedded_mode", "redis_mode"])
def test_a_token_from_before_a_withdrawal_no_longer_stores_what_was_withdrawn(client, site, mode, request,
                                                                            django_capture_on_commit_callbacks):
    request.getfixturevalue(mode)
    redis_on = mode == "redis_mode"
    first = choose(client, site, ["analytics", "marketing"])
    vid, old_token = first["vid"], first["token"]
    retarget = lambda: make_event("track", name="retarget", purpose="marketing")  # noqa: E731
    collect(client, site, vid, old_token, [retarget()], redis_on=redis_on)
    assert Event.objects.filter(name="retarget").count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # the withdrawal's erasure runs once it is committed
        choose(client, site, ["analytics"], token=old_token)  # marketing withdrawn: a new token
    answer = collect(client, site, vid, old_token, [retarget(), make_event("page_view", url=ORIGIN + "/")],
                     redis_on=redis_on)
    if not redis_on:
        assert (answer["accepted"], answer["dropped"]) == (1, {"no_consent": 1})
    assert not Event.objects.filter(name="retarget").exists(), "erased on withdrawal, and not stored again"
    assert Event.objects.filter(type="page_view").count() == 1, "what the latest choice still grants is stored"


@pytest.mark.usefixtures("embedded_mode")
def test_choosing_again_to_grant_more_leaves_an_older_token_worth_what_it_said(client, site):
    first = choose(client, site, ["analytics"])
    choose(client, site, ["analytics", "marketing"], token=first["token"])
    answer = collect(client, site, first["vid"], first["token"],
                     [make_event("page_view", url=ORIGIN + "/"), make_event("track", name="x", purpose="marketing")],
                     redis_on=False)
    assert (answer["accepted"], answer["dropped"]) == (1, {"no_consent": 1})  # the old token never granted marketing


@pytest.mark.usefixtures("embedded_mode")
@pytest.mark.parametrize("withdrawn", ["marketing", "personalization"])
def test_withdrawing_any_category_erases_what_was_collected_for_it_and_keeps_the_rest(
        client, site, withdrawn, django_capture_on_commit_callbacks):
    from consent.models import ErasureLog
    from personalization.models import Profile

    granted = ["analytics", "personalization", "marketing"]
    first = choose(client, site, granted)
    collect(client, site, first["vid"], first["token"], [
        make_event("page_view", url=ORIGIN + "/"), make_event("track", name="for-marketing", purpose="marketing"),
        make_event("track", name="for-personalization", purpose="personalization")], redis_on=False)
    assert Profile.objects.get().events == 3
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, site, [key for key in granted if key != withdrawn], token=first["token"])
    assert sorted(Event.objects.values_list("name", flat=True)) == sorted(
        {"", "for-marketing", "for-personalization"} - {f"for-{withdrawn}"})
    assert Profile.objects.get().events == 2, "the profile no longer counts what was erased"
    assert ErasureLog.objects.get().channel == "withdrawal"
