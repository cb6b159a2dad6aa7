from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalization.ingest.activity import Activity
from personalization.ingest.aggregate import (
    ProfileState,
    cart_recompute,
    decayed_count,
    profile_add_activities,
    profile_add_sessions,
    profile_from_scratch,
)
from personalization.ingest.sessionize import sessions_apply, sessions_from_activities

from .activities import BASE_MS, MINUTE, activity_lists

GAP = 30 * MINUTE
GOALS = frozenset({"add_to_cart", "purchase", "form_submit", "video_complete", "signup"})


def comparable(summary) -> dict:
    fields = asdict(summary)
    fields.pop("id")
    return fields


def figures(profile) -> dict:
    """A profile's figures, decayed counts rounded: they are sums of floats, added in another order."""
    return {name: round(value, 9) if isinstance(value, float) else value for name, value in asdict(profile).items()}


def ingest_in_batches(batches):
    """What the write path does, in memory: sessions and a profile updated batch by batch."""
    stored, sessions, next_id, profile = [], {}, 1, ProfileState()
    for batch in batches:
        batch = sorted(batch, key=lambda a: (a.ts_ms, a.event_id))
        stored.extend(batch)
        low, high = batch[0].ts_ms, batch[-1].ts_ms
        existing = sorted((s for s in sessions.values() if s.ended_ms >= low - GAP and s.started_ms <= high + GAP),
                          key=lambda s: s.started_ms)
        change = sessions_apply(existing, batch, gap_ms=GAP, goals=GOALS)
        for pk in change.deletes:
            del sessions[pk]
        after, before = change.upserts, change.before
        for summary in after:
            if summary.id is None:
                summary.id, next_id = next_id, next_id + 1
            sessions[summary.id] = summary
        profile_add_sessions(profile, before=before, after=after)
        if not profile_add_activities(profile, batch, GOALS):
            cart_recompute(profile, [a for a in stored if a.is_cart_event])
    return sorted(sessions.values(), key=lambda s: s.started_ms), profile


@settings(max_examples=300, deadline=None)
@given(activities=activity_lists(), data=st.data())
def test_sessions_and_profile_are_the_same_whatever_the_arrival_order_and_batching(activities, data):
    shuffled = data.draw(st.permutations(activities))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(shuffled) - 1)), max_size=6)))
    batches = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(shuffled)], strict=True) if shuffled[a:b]]
    incremental_sessions, incremental_profile = ingest_in_batches(batches)
    expected_sessions = sessions_from_activities(activities, gap_ms=GAP, goals=GOALS)
    assert [comparable(s) for s in incremental_sessions] == [comparable(s) for s in expected_sessions]
    assert figures(incremental_profile) == figures(profile_from_scratch(activities, expected_sessions, GOALS))


def test_thirty_minutes_of_inactivity_end_a_session(make_activity=None):
    from .activities import Activity

    def at(minute, event_id):
        return Activity(BASE_MS + minute * MINUTE, event_id, "page_view", "", "/", "", event_id, "", {}, "desktop")

    sessions = sessions_from_activities([at(0, "a"), at(29, "b"), at(60, "c")], gap_ms=GAP, goals=GOALS)
    assert [(s.events, s.pageviews) for s in sessions] == [(2, 2), (1, 1)]


def test_a_late_event_that_bridges_two_sessions_merges_them():
    from .activities import Activity

    def at(minute, event_id):
        return Activity(BASE_MS + minute * MINUTE, event_id, "click", "", "/", "", "", "", {}, "desktop")

    first = sessions_from_activities([at(0, "a")], gap_ms=GAP, goals=GOALS)[0]
    second = sessions_from_activities([at(50, "b")], gap_ms=GAP, goals=GOALS)[0]
    first.id, second.id = 1, 2
    change = sessions_apply([first, second], [at(25, "late")], gap_ms=GAP, goals=GOALS)
    assert [s.id for s in change.upserts] == [1]
    assert change.deletes == [2]
    assert change.upserts[0].events == 3


def test_the_cart_is_what_was_added_after_the_last_purchase():
    from .activities import Activity

    def cart(minute, name, quantity=1):
        return Activity(BASE_MS + minute * MINUTE, f"e{minute}", "track", name, "/", "", "", "",
                        {"quantity": quantity, "price": 10}, "desktop")

    profile = profile_from_scratch([cart(0, "add_to_cart", 2), cart(1, "purchase"), cart(2, "add_to_cart", 3),
                                    cart(3, "remove_from_cart")], [], GOALS)
    assert (profile.cart_items, profile.cart_value_cents) == (2, 2000)
    assert profile.last_purchase_at == BASE_MS + MINUTE


def test_a_page_left_open_through_the_session_gap_adds_only_what_it_gained_to_the_next_session():
    """Read for 10 s, the tab left open, back two hours later: the later session counts the 5 s it saw the page gain
    (reports of 15 s, then 20 s), not the page's whole 20 s, which counted the first 10 s twice."""
    from .activities import Activity

    def engaged(minute, total, event_id):
        return Activity(BASE_MS + minute * MINUTE, event_id, "engagement", "", "/", "", "pv1", "news",
                        {"engaged_ms": total}, "desktop")

    view = Activity(BASE_MS, "a", "page_view", "", "/", "", "pv1", "news", {}, "desktop")
    activities = [view, engaged(0, 10_000, "b"), engaged(120, 15_000, "c"), engaged(121, 20_000, "d")]
    sessions = sessions_from_activities(activities, gap_ms=GAP, goals=GOALS)
    assert [s.engaged_ms for s in sessions] == [10_000, 5_000]
    profile = profile_from_scratch(activities, sessions, GOALS)
    assert (profile.engaged_ms, profile.category_engaged_ms) == (15_000, {"news": 15_000})


def naive_sessions(activities):
    """An independent, obviously-correct reference: group by gaps, then compute each field directly."""
    ordered = sorted(activities, key=lambda a: (a.ts_ms, a.event_id))
    groups = []
    for activity in ordered:
        if groups and activity.ts_ms - groups[-1][-1].ts_ms <= GAP:
            groups[-1].append(activity)
        else:
            groups.append([activity])
    result = []
    for group in groups:
        purchased = any(a.type == "track" and a.name == "purchase" for a in group)
        cart_changes = sum(1 for a in group if a.type == "track" and a.name in ("add_to_cart", "remove_from_cart"))
        engaged_ms = 0
        for pv in {a.page_view_id for a in group if a.page_view_id}:
            reported = [a.props["engaged_ms"] for a in group if a.page_view_id == pv and a.type == "engagement"]
            began_here = any(a.page_view_id == pv and a.type == "page_view" for a in group)
            engaged_ms += max(reported, default=0) - (0 if began_here else min(reported, default=0))
        views = [a for a in group if a.type == "page_view"]
        result.append({
            "events": len(group), "pageviews": len(views), "cart_changes": cart_changes, "purchased": purchased,
            "engaged_ms": engaged_ms,
            "entry": min(((a.ts_ms, a.channel, a.props.get("page_type", ""), a.path, a.referrer) for a in views),
                         default=()),
            "exit": max(((a.ts_ms, a.path) for a in views), default=()),
            "conversions": sum(1 for a in group if (a.type == "track" and a.name in GOALS) or a.type == "form_submit"
                               or (a.type == "video" and a.props.get("action") == "complete")),
        })
    return result


@settings(max_examples=200, deadline=None)
@given(activities=activity_lists())
def test_sessions_match_an_independent_reference_computation(activities):
    computed = [
        {"events": s.events, "pageviews": s.pageviews, "cart_changes": s.cart_changes, "purchased": s.purchased,
         "engaged_ms": s.engaged_ms, "entry": s.entry, "exit": s.exit, "conversions": s.conversions}
        for s in sessions_from_activities(activities, gap_ms=GAP, goals=GOALS)
    ]
    assert computed == naive_sessions(activities)


@settings(max_examples=200, deadline=None)
@given(activities=activity_lists())
def test_session_figures_of_profiles_match_an_independent_reference(activities):
    reference = naive_sessions(activities)
    sessions = sessions_from_activities(activities, gap_ms=GAP, goals=GOALS)
    profile = profile_from_scratch(activities, sessions, GOALS)
    entries = [s["entry"] for s in reference if s["entry"]]
    channels = {}
    for entry in entries:
        channels[entry[1]] = channels.get(entry[1], 0) + 1
    assert profile.bounced_sessions == sum(1 for s in reference if s["pageviews"] == 1 and s["engaged_ms"] < 10_000)
    assert profile.product_entries == sum(1 for entry in entries if entry[2] == "product")
    assert profile.channel_sessions == channels
    assert profile.first_channel == (min(entries)[1] if entries else "")
    views = [a for a in activities if a.type == "page_view"]
    assert profile.promo_pageviews == sum(1 for a in views if a.props.get("page_type") == "sale" or "discount" in a.props)
    assert profile.video_starts == sum(1 for a in activities if a.type == "video" and a.props == {"action": "play", "percent": 0})
    assert profile.session_ms == sum(s.ended_ms - s.started_ms for s in sessions)


def test_decayed_page_views_halve_with_every_half_life():
    half_life = 14 * 86_400_000
    views = [Activity(BASE_MS + i, f"id-{i}", "page_view", "", "/", "", "pv", "", {}, "desktop") for i in range(4)]
    profile = profile_from_scratch(views, [], GOALS, half_life_ms=half_life)
    assert decayed_count(profile.pageviews_decayed, now_ms=BASE_MS, half_life_ms=half_life) == pytest.approx(4)
    assert decayed_count(profile.pageviews_decayed, now_ms=BASE_MS + 2 * half_life, half_life_ms=half_life) == (
        pytest.approx(1))
    assert decayed_count(profile.conversions_decayed, now_ms=BASE_MS, half_life_ms=half_life) == 0
