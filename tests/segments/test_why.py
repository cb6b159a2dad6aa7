"""Why is this visitor in this segment: a rule's rows with the visitor's values, or the cluster that is nearest."""

import pytest

from personalization.models import Profile, Visitor
from segments.models import Membership, Segment
from segments.services.why import why_in_segment

from .finished_run import finished_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CART_ON_MOBILE = {"all": [{"field": "cart_items", "op": "gte", "value": 2},
                          {"field": "device", "op": "eq", "value": "mobile"}]}


@pytest.fixture
def rule_segment(site):
    return Segment.objects.create(site=site, name="Mobile carts", slug="mobile-carts", kind=Segment.Kind.RULE,
                                  conditions=CART_ON_MOBILE)


def test_a_rule_segment_shows_each_row_with_the_visitors_value_and_whether_it_matched(rule_segment, site):
    profile = Profile.objects.create(site=site, origin_visitor_id="v-why-1", cart_items=3, device_type="desktop")
    answer = why_in_segment(profile=profile, segment=rule_segment)
    assert not answer.member and answer.matches is False
    assert [(row.field, row.actual, row.matched) for row in answer.rows] == [
        ("cart_items", 3, True), ("device", "desktop", False)]
    assert answer.sentence == describe_of(rule_segment)


def describe_of(segment: Segment) -> str:
    from segments.conditions import describe
    from segments.vocabulary import profile_vocabulary

    return describe(segment.conditions, profile_vocabulary())


def test_the_why_page_shows_a_matching_visitors_values(admin_client, rule_segment, site):
    profile = Profile.objects.create(site=site, origin_visitor_id="v-why-2", cart_items=4, device_type="mobile")
    Visitor.objects.create(site=site, visitor_id="v-why-2", profile=profile)
    lookup = admin_client.get(f"/admin/segments/segment/{rule_segment.pk}/why/?visitor=v-why-2")
    assert lookup.url == f"/admin/segments/segment/{rule_segment.pk}/why/{profile.pk}/"
    html = admin_client.get(lookup.url).content.decode()
    assert "v-why-2" in html and "condition holds" in html
    assert "<td>items in the cart at least 2</td><td>4</td><td>yes</td>" in html
    assert "<td>device is mobile</td><td>mobile</td><td>yes</td>" in html
    missing = admin_client.get(f"/admin/segments/segment/{rule_segment.pk}/why/?visitor=nobody", follow=True)
    assert "No visitor &#x27;nobody&#x27; on this segment&#x27;s site" in missing.content.decode()


def test_a_cluster_member_is_nearest_their_clusters_centre_and_sees_the_features_that_put_them_there(
        admin_client):
    run = finished_run(k=4)
    cluster = run.clusters.order_by("-size").first()
    members = Membership.objects.filter(segment=cluster.segment).values_list("profile_id", flat=True)[:10]
    for profile in Profile.objects.filter(pk__in=list(members)):
        answer = why_in_segment(profile=profile, segment=cluster.segment)
        assert answer.member and answer.cluster == cluster and answer.run == run
        assert answer.distances[0].own, "the visitor's own cluster is the nearest"
        assert {p.name for p in answer.placements} == set(run.feature_names)
        pulling = [p for p in answer.placements if p.pulls]
        assert pulling and answer.placements[:len(pulling)] == tuple(pulling)  # the reasons come first
        assert all(abs(p.value - p.cluster_mean) < abs(p.value - p.population_mean) for p in pulling)
    html = admin_client.get(f"/admin/segments/segment/{cluster.segment_id}/why/{members[0]}/").content.decode()
    assert f"Distance to each cluster of run {run.pk}" in html and "Pulls towards this cluster" in html
