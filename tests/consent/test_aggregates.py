import random
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from consent.noise import laplace, noisy_count
from personalization.models import Event, Profile, Visitor
from personalization.services.aggregates import aggregates_compute, bounded_totals


def test_one_visitors_contribution_is_bounded_before_noise_is_calibrated():
    views = {"heavy": Counter({f"/p{i}": 50 for i in range(30)}), "light": Counter({"/p0": 1})}
    visitors, pageviews = bounded_totals(views, max_rows=20, max_views=10)
    assert sum(visitors.values()) == 21  # the heavy visitor counts in 20 rows, the light one in 1
    assert pageviews["/p0"] == 11  # 10 (capped) + 1


def test_laplace_noise_has_the_calibrated_spread():
    rng = random.Random(7)
    draws = [laplace(2.0, rng) for _ in range(40_000)]
    assert abs(statistics.mean(draws)) < 0.05
    assert statistics.mean(abs(d) for d in draws) == pytest.approx(2.0, rel=0.03)  # E|X| = scale


def test_a_noisy_count_refuses_a_meaningless_budget():
    with pytest.raises(ValueError, match="greater than 0"):
        noisy_count(10, epsilon=0, sensitivity=1, rng=random.Random(1))


@pytest.mark.django_db
def test_exports_are_exact_without_epsilon_and_noisy_with_it(site):
    now = timezone.now()
    for i in range(60):
        Event.objects.create(site=site, event_id=f"0193a1b2-c3d4-7e5f-a000-{i:012d}", visitor_id=f"visitor-{i % 12:04d}",
                             type="page_view", path=f"/p{i % 3}", category="news", ts=now - timedelta(hours=1),
                             received_at=now, consent="analytics")
    exact = aggregates_compute(site=site, since=now - timedelta(days=1), until=now)
    assert [(r.table, r.key, r.visitors, r.pageviews) for r in exact] == [
        ("page", "/p0", 4, 20), ("page", "/p1", 4, 20), ("page", "/p2", 4, 20), ("category", "news", 12, 60)]
    noisy = aggregates_compute(site=site, since=now - timedelta(days=1), until=now, epsilon=1.0, seed=3)
    assert [r.key for r in noisy] == [r.key for r in exact]
    assert any(n.visitors != e.visitors for n, e in zip(noisy, exact, strict=True))


@pytest.mark.django_db
def test_visitors_flagged_as_bots_are_left_out_of_exports(site):
    now = timezone.now()
    profile = Profile.objects.create(site=site, origin_visitor_id="crawler-0001", updated_at=now)
    Visitor.objects.create(site=site, visitor_id="crawler-0001", profile=profile, is_bot=True, first_seen=now)
    for i, visitor_id in enumerate(["crawler-0001", "crawler-0001", "person-0001"]):
        Event.objects.create(site=site, event_id=f"0193a1b2-c3d4-7e5f-a000-{i:012d}", visitor_id=visitor_id,
                             type="page_view", path="/p", ts=now - timedelta(hours=1), received_at=now,
                             consent="analytics")
    rows = aggregates_compute(site=site, since=now - timedelta(days=1), until=now, epsilon=0)
    assert [(r.key, r.visitors, r.pageviews) for r in rows] == [("/p", 1, 1)]
