"""The segments admin: a run's page with its charts and metrics, configurations that run in the background,
segments whose conditions are checked row by row, names that stay inert, and who may see individual visitors."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from segments.models import ClusteringConfig, ClusteringRun, Membership, Segment

from .finished_run import finished_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
XSS = '<script>alert("segment")</script>'


@pytest.fixture
def run():
    return finished_run(k=None)


def member(role: str):
    user = get_user_model().objects.create_user(role.replace(" ", "-").lower(), password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def scripts_of(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


def test_a_finished_runs_page_shows_its_metrics_charts_heat_map_and_transitions(admin_client, run):
    html = admin_client.get(f"/admin/segments/clusteringrun/{run.pk}/change/").content.decode()
    for canvas in ("chart-elbow", "chart-dendrogram", "chart-scatter", "chart-sizes"):
        assert f'id="{canvas}"' in html
    assert run.k_reason in html and "Time per stage" in html and "choose_k" in html
    assert f"{run.silhouette:.3f}"[:4] in html and "Davies" in html and "Calinski" in html
    data = json.loads(re.search(r'<script id="segments-chart-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))
    assert data["curves"]["chosen"] == run.k and data["curves"]["ks"] == run.curves["ks"]
    assert len(data["scatter"]["names"]) == run.k and data["dendrogram"]["icoord"]
    assert len(re.findall(r'<td class="z[mp]\d"', html)) == run.k * len(run.feature_names)
    assert "Transitions" in html and "(not clustered before)" in html  # the first run: everyone is new
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts_of(html)), "no inline script"
    assert "/static/segments/vendor/chart.umd.min.js" in html and "/static/segments/charts.js" in html


def test_every_segments_admin_page_renders_for_a_superuser(admin_client, run):
    segment, rule = Segment.objects.filter(kind="cluster").first(), Segment.objects.filter(kind="rule").first()
    pages = ["/admin/segments/", "/admin/segments/clusteringconfig/", "/admin/segments/clusteringconfig/add/",
             f"/admin/segments/clusteringconfig/{run.config_id}/change/", "/admin/segments/clusteringrun/",
             "/admin/segments/segment/", "/admin/segments/segment/add/", f"/admin/segments/segment/{segment.pk}/change/",
             f"/admin/segments/segment/{rule.pk}/change/", "/admin/segments/membership/",
             "/admin/segments/membershipchange/", f"/admin/segments/clusteringrun/{run.pk}/labels/"]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page


def test_the_segment_list_shows_kind_size_and_the_rule_in_words(admin_client, run):
    html = admin_client.get("/admin/segments/segment/?kind__exact=rule").content.decode()
    assert "Rule-based" in html and "purchases at least 2" in html
    biggest = run.clusters.order_by("-size").first()
    cluster_list = admin_client.get("/admin/segments/segment/?kind__exact=cluster&o=3.1").content.decode()
    assert f'<td class="field-size">{biggest.size}</td>' in cluster_list


def test_a_segment_named_like_a_script_stays_text_everywhere(admin_client, run):
    segment = run.clusters.first().segment
    segment.name = XSS
    segment.save()
    profile_id = Membership.objects.filter(segment=segment).values_list("profile_id", flat=True).first()
    pages = [f"/admin/segments/clusteringrun/{run.pk}/change/", "/admin/segments/segment/",
             f"/admin/segments/segment/{segment.pk}/change/", "/admin/segments/membership/",
             f"/admin/segments/segment/{segment.pk}/why/{profile_id}/"]
    for page in pages:
        html = admin_client.get(page).content.decode()
        assert XSS not in html, page
        assert "&lt;script&gt;" in html or "\\u003Cscript\\u003E" in html, page


def test_the_progress_json_says_status_stage_and_percent_to_staff_only(client, admin_client, run):
    queued = ClusteringRun.objects.create(config=run.config)
    ClusteringRun.objects.filter(pk=queued.pk).update(status="running", stage="choosing k", progress=40)
    url = f"/admin/segments/clusteringrun/{queued.pk}/progress/"
    assert admin_client.get(url).json() == {"status": "running", "stage": "choosing k", "progress": 40,
                                            "error": "", "finished": False}
    page = admin_client.get(f"/admin/segments/clusteringrun/{queued.pk}/change/").content.decode()
    assert f'data-url="{url}"' in page and 'id="chart-elbow"' not in page
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(member("Editor"))  # editors see runs too (segments: view)
    assert client.get(url).json()["progress"] == 40


def test_run_now_queues_a_run_for_after_the_request_and_shows_it(admin_client, run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(f"/admin/segments/clusteringconfig/{run.config_id}/run/")
    queued = ClusteringRun.objects.exclude(pk=run.pk).get()
    assert response.status_code == 302 and response.url == f"/admin/segments/clusteringrun/{queued.pk}/change/"
    assert queued.status == ClusteringRun.Status.QUEUED and len(callbacks) == 1  # started only once committed
    assert admin_client.get(f"/admin/segments/clusteringconfig/{run.config_id}/run/").status_code == 302
    assert ClusteringRun.objects.count() == 2  # a GET runs nothing


def test_the_configuration_form_lists_features_with_their_descriptions_and_saves_the_choice(admin_client, site):
    html = admin_client.get("/admin/segments/clusteringconfig/add/").content.decode()
    assert "<b>recency_days</b> — Days since the latest event." in html
    response = admin_client.post("/admin/segments/clusteringconfig/add/", {
        "site": site.pk, "name": "Shoppers", "enabled": "on", "features": ["sessions", "purchases"],
        "min_pageviews": 2, "window_days": 90, "k_min": 2, "k_max": 8, "sample_size": 1000})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ClusteringConfig.objects.get(name="Shoppers").features == ["sessions", "purchases"]


def test_a_rule_segment_with_a_bad_row_is_refused_with_the_row_named(admin_client, site):
    conditions = {"all": [{"field": "purchases", "op": "gte", "value": 2}, {"field": "purchasez", "op": "gte",
                                                                           "value": 1}]}
    response = admin_client.post("/admin/segments/segment/add/", {
        "site": site.pk, "name": "Buyers", "slug": "buyers", "description": "", "conditions": json.dumps(conditions)})
    html = response.content.decode()
    assert response.status_code == 200 and "row 2" in html and "purchasez" in html
    assert not Segment.objects.filter(slug="buyers").exists()
    conditions["all"].pop()
    admin_client.post("/admin/segments/segment/add/", {
        "site": site.pk, "name": "Buyers", "slug": "buyers", "description": "", "conditions": json.dumps(conditions)})
    assert Segment.objects.get(slug="buyers").kind == Segment.Kind.RULE


def test_editors_rename_clusters_but_cannot_rewrite_them(client, run):
    segment = run.clusters.first().segment
    client.force_login(member("Editor"))
    response = client.post(f"/admin/segments/segment/{segment.pk}/change/", {
        "name": "Night owls", "slug": segment.slug, "description": "", "conditions": '{"all": []}'})
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Night owls" and segment.kind == Segment.Kind.CLUSTER and segment.conditions == {}


def test_only_staff_with_the_privacy_role_see_individual_visitors(client, run):
    segment = run.clusters.first().segment
    profile_id = Membership.objects.filter(segment=segment).values_list("profile_id", flat=True).first()
    visitor_pages = ["/admin/segments/membership/", "/admin/segments/membershipchange/",
                     f"/admin/segments/segment/{segment.pk}/why/{profile_id}/"]
    for role in ("Analyst", "Editor"):
        client.force_login(member(role))
        assert client.get(f"/admin/segments/clusteringrun/{run.pk}/change/").status_code == 200
        assert all(client.get(page).status_code == 403 for page in visitor_pages), role
    client.force_login(member("Privacy officer"))
    assert all(client.get(page).status_code == 200 for page in visitor_pages)


def test_a_segments_page_charts_its_size_from_the_membership_history(admin_client, run):
    segment = run.clusters.order_by("-size").first().segment
    html = admin_client.get(f"/admin/segments/segment/{segment.pk}/change/").content.decode()
    data = json.loads(re.search(r'<script id="segments-chart-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))
    assert 'id="chart-segment-size"' in html
    assert data["segment_size"]["sizes"][-1] == Membership.objects.filter(segment=segment).count() > 0


def test_only_those_who_may_change_a_configuration_see_and_use_run_now(client, admin_client, run):
    button = f'action="/admin/segments/clusteringconfig/{run.config_id}/run/"'
    assert button in admin_client.get(f"/admin/segments/clusteringconfig/{run.config_id}/change/").content.decode()
    client.force_login(member("Analyst"))
    assert button not in client.get(f"/admin/segments/clusteringconfig/{run.config_id}/change/").content.decode()
    client.post(f"/admin/segments/clusteringconfig/{run.config_id}/run/")
    assert ClusteringRun.objects.count() == 1
