"""The hourly check for too much of the same: recent visitors' recommendations replayed and their concentration on
few categories measured, shown on the rule board."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from personalization.models import Event
from rules.models import RecommendationConcentration, Rule, RuleExposure
from rules.neighbours import neighbours_compute
from rules.recommendation_checks import recommendation_concentration_measure
from rules.tasks import recommendations_concentration_check

from .factories import profile_make, rule_make
from .test_neighbours import product_view, sessions_store

pytestmark = pytest.mark.django_db
EVERYONE = {"all": [{"field": "sessions", "op": "gte", "value": 0}]}


@pytest.fixture
def shoppers(site):
    """Shoes viewed together often, a scarf popular on its own; twenty visitors who last looked at boots saw the
    'related products' rule."""
    sessions_store(site, [["boots", "laces"]] * 6 + [["boots", "sandals"]] * 4 + [["scarf"]] * 9)
    neighbours_compute(site_id=site.pk)
    rule = rule_make(site, EVERYONE, slot="product_sidebar", action=Rule.Action.RECOMMENDATIONS, recommendations=2)
    now = timezone.now()
    for n in range(20):
        visitor = f"shopper-{n:03d}"
        profile_make(site, visitor_id=visitor, category_views={"shoes": 5})
        Event.objects.bulk_create([product_view(site, visitor, "boots", now - timedelta(minutes=5))])
        RuleExposure.objects.create(rule=rule, visitor_id=visitor, arm="main", first_at=now, last_at=now)
    return rule


def test_lists_of_one_category_show_as_fully_concentrated_and_exploring_lists_as_less(site, shoppers, attune_settings):
    attune_settings(EXPLORATION_SHARE=0.0)
    measured = recommendation_concentration_measure(site_id=site.pk)
    assert (measured.visitors, measured.mean, measured.single_category_share, measured.explored_share) == (
        20, 1.0, 1.0, 0.0)  # laces and sandals: shoes only
    attune_settings(EXPLORATION_SHARE=1.0)
    explored = recommendation_concentration_measure(site_id=site.pk)
    assert (explored.mean, explored.single_category_share, explored.explored_share) == (0.5, 0.0, 1.0)


def test_the_hourly_job_measures_each_site_and_the_board_shows_it(client, site, shoppers):
    assert recommendations_concentration_check.apply().get() == 1
    assert RecommendationConcentration.objects.filter(site=site).count() == 1
    client.force_login(get_user_model().objects.create_superuser("editor", "e@example.com", "x" * 12))
    page = client.get("/admin/rules/rule/performance/").content.decode()
    assert "Recommendation concentration" in page and "<td>20</td>" in page


def test_a_site_whose_recommendations_nobody_saw_is_not_measured(site):
    assert recommendation_concentration_measure(site_id=site.pk) is None
