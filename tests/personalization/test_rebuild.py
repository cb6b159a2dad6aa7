"""profiles_rebuild must give the numbers ingestion gave, whatever order and batching events came in."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personalization.collect.batch import CollectedBatch, CollectedEvent
from personalization.ingest.write import batches_write
from personalization.models import Event, Profile, Session, Visitor
from personalization.services.profiles import profiles_rebuild
from personalization.services.sessions import sessions_close_idle

from .activities import BASE_MS, activity_lists

VISITORS = ["visitor-aaaa", "visitor-bbbb", "visitor-cccc"]
PROFILE_FIELDS = [f.name for f in Profile._meta.fields if f.name not in {"id", "updated_at", "origin_visitor_id"}]
SESSION_FIELDS = [f.name for f in Session._meta.fields if f.name not in {"id", "closed_at"}]


def collected(activity, user_key=""):
    return CollectedEvent(
        event_id=activity.event_id, type="identify" if user_key else activity.type, name=activity.name,
        ts_ms=activity.ts_ms, seq=0, url="https://shop.example" + activity.path, path=activity.path,
        referrer=activity.referrer, page_view_id=activity.page_view_id, category=activity.category,
        props=activity.props, dimensions={}, purpose="analytics", user_key=user_key,
    )


def rounded(value):
    """Decayed counts are sums of floats, added in another order by the rebuild."""
    return round(value, 9) if isinstance(value, float) else value


def snapshot(site):
    profiles = (
        tuple(sorted(Visitor.objects.filter(profile_id=row["id"]).values_list("visitor_id", flat=True)))
        + tuple(rounded(row[f]) for f in PROFILE_FIELDS)
        for row in Profile.objects.filter(site=site).values("id", *PROFILE_FIELDS)
    )
    sessions = sorted((tuple(row.values()) for row in Session.objects.filter(site=site).values(*SESSION_FIELDS)), key=str)
    return sorted(profiles, key=str), sessions


@pytest.mark.django_db
@settings(max_examples=int(os.environ.get("REBUILD_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(streams=st.lists(activity_lists(max_size=15), min_size=1, max_size=3), data=st.data())
def test_rebuild_gives_identical_profiles_and_sessions_for_random_event_streams(site, streams, data):
    Event.objects.all().delete()
    Visitor.objects.all().delete()
    Profile.objects.all().delete()
    items = []
    for visitor_id, activities in zip(VISITORS, streams, strict=False):
        for activity in activities:
            items.append((visitor_id, collected(activity), activity.device_type))
        if data.draw(st.booleans()):  # this visitor logs in as the shared user at some point
            login = activities[0]._replace(event_id=f"{activities[0].event_id[:-4]}ffff", ts_ms=BASE_MS + 60_000)
            items.append((visitor_id, collected(login, user_key="user-1"), "desktop"))
    order = data.draw(st.permutations(items))
    batch_size = data.draw(st.integers(1, 10))
    for start in range(0, len(order), batch_size):
        batches = []
        for visitor_id, event, device in order[start:start + batch_size]:
            batches.append(CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=BASE_MS + 86_400_000,
                                          visitor_id=visitor_id, consent="analytics,necessary", device_type=device,
                                          events=[event]))
        batches_write(batches)
    sessions_close_idle()  # the rebuild closes the sessions past their timeout too, and decides abandonment again
    incremental = snapshot(site)
    profiles_rebuild(site=site)
    assert snapshot(site) == incremental


@pytest.mark.django_db
def test_rebuild_keeps_what_closing_sessions_decided_and_announces_nothing_again(site):
    from personalization.services.sessions import sessions_close_idle

    events = [CollectedEvent(f"0193a1b2-c3d4-7e5f-a000-00000000000{i}", kind, name, BASE_MS + i * 1000, 0,
                             "https://shop.example/p", "/p", "", "pv-1", "", props, {}, "analytics")
              for i, (kind, name, props) in enumerate([("page_view", "", {}),
                                                       ("track", "add_to_cart", {"quantity": 1, "price": 5})])]
    batches_write([CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=BASE_MS + 2000,
                                  visitor_id="visitor-aaaa", consent="analytics,necessary", events=events)])
    assert sessions_close_idle() == 1
    profiles_rebuild(site=site)
    session = Session.objects.get()
    assert (session.closed_at is not None, session.abandoned) == (True, True)
    assert sessions_close_idle() == 0  # nothing reopened, so nothing closed (and announced) a second time



@pytest.mark.django_db(transaction=True)
def test_events_stored_while_a_rebuild_runs_are_added_to_the_rebuilt_profile_not_overwritten(site, monkeypatch):
    import threading

    from django.db import connection

    import personalization.services.profiles as profiles

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time by itself")

    def page_view(number, minute):
        return CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=BASE_MS, visitor_id="visitor-aaaa",
                              consent="analytics,necessary", events=[CollectedEvent(
                                  f"0193a1b2-c3d4-7e5f-a000-00000000000{number}", "page_view", "", BASE_MS + minute * 60_000,
                                  0, "https://shop.example/", "/", "", f"pv-{number}", "", {}, {}, "analytics")])

    def ingest_second_page_view():
        try:
            batches_write([page_view(2, 90)])
        finally:
            connection.close()

    batches_write([page_view(1, 0)])
    drain = threading.Thread(target=ingest_second_page_view)
    computed = profiles.profile_from_scratch

    def drain_commits_meanwhile(*args, **kwargs):  # the rebuild has read the events it rebuilds from
        drain.start()
        drain.join(timeout=2)  # with the rebuild holding the profile, the drain waits for it to commit
        return computed(*args, **kwargs)

    monkeypatch.setattr(profiles, "profile_from_scratch", drain_commits_meanwhile)
    profiles.profiles_rebuild(site=site)
    drain.join()
    profile = Profile.objects.get()
    assert (profile.pageviews, profile.sessions, Event.objects.count()) == (2, 2, 2)
