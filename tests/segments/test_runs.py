"""Clustering runs on simulated traffic, rule segments that follow the figures, and the commands."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from sklearn.metrics import adjusted_rand_score

from demo.models import SimulatedVisitor
from demo.services import demo_content_load, demo_segments_ensure, demo_site_ensure
from demo.simulator.run import traffic_simulate
from personalization.models import Visitor
from segments.models import Cluster, ClusteringConfig, ClusteringRun, Membership, MembershipChange, Segment
from segments.services.runs import segment_run_execute

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]


@pytest.fixture
def simulated():
    demo_content_load()
    site = demo_site_ensure()[0]
    demo_segments_ensure(site)
    end = datetime.now(UTC) - timedelta(hours=1)
    traffic_simulate(site=site, visitors=300, days=21, seed=11, end=end, progress=False)
    return site


def run_now(site, **fields) -> ClusteringRun:
    config = ClusteringConfig.objects.get(site=site, name="Behavior")
    return segment_run_execute(run=ClusteringRun.objects.create(config=config, **fields))


def archetype_agreement(run: ClusteringRun) -> float:
    cluster_of = dict(Membership.objects.filter(segment__config=run.config).values_list("profile_id", "segment_id"))
    truth = dict(SimulatedVisitor.objects.values_list("visitor_id", "archetype"))
    pairs = [(truth[v], cluster_of[p]) for v, p in Visitor.objects.values_list("visitor_id", "profile_id")
             if p in cluster_of and v in truth]
    return adjusted_rand_score([t for t, _ in pairs], [c for _, c in pairs])


def test_a_run_clusters_consented_visitors_into_named_segments_close_to_their_archetypes(simulated):
    run = run_now(simulated)
    assert run.status == ClusteringRun.Status.DONE, run.error
    assert 2 <= run.k <= 12 and run.population > 100
    assert run.curves["ks"] and len(run.curves["inertias"]) == len(run.curves["ks"])
    assert run.dendrogram["icoord"] and len(run.scatter["x"]) == len(run.scatter["cluster"])
    clusters = list(run.clusters.select_related("segment"))
    assert sum(c.size for c in clusters) == run.population == Membership.objects.count()
    assert all(c.segment.kind == Segment.Kind.CLUSTER and c.segment.name for c in clusters)
    assert len({c.segment.name for c in clusters}) == len(clusters)
    assert archetype_agreement(run) > 0.5


def test_only_visitors_who_consented_to_personalization_are_clustered(simulated):
    run = run_now(simulated)
    consented = set(SimulatedVisitor.objects.filter(consented__contains="personalization")
                    .values_list("visitor_id", flat=True))
    clustered = set(Visitor.objects.filter(profile_id__in=Membership.objects.filter(segment__config=run.config)
                                           .values("profile_id")).values_list("visitor_id", flat=True))
    assert clustered and clustered <= consented


def test_an_editors_names_survive_a_rerun_and_nothing_moves_needlessly(simulated):
    first = run_now(simulated)
    segment = Cluster.objects.filter(run=first).order_by("-size").first().segment
    segment.name = "Our best readers"
    segment.save()
    second = run_now(simulated, requested_k=first.k)
    assert Cluster.objects.filter(run=second, segment=segment).exists()
    assert not Cluster.objects.filter(run=second, is_new=True).exists()
    assert MembershipChange.objects.filter(reason=f"clustering run {second.pk}").count() == 0


def test_too_few_visitors_fail_the_run_with_what_to_do(site):
    config = ClusteringConfig.objects.create(site=site, name="Behavior")
    run = segment_run_execute(run=ClusteringRun.objects.create(config=config))
    assert run.status == ClusteringRun.Status.FAILED
    assert "lower the minimum or wait for traffic" in run.error


def test_segments_run_prints_the_run_as_json_and_segments_members_its_visitors(simulated, capsys):
    call_command("segments_run", site=simulated.name, k="4", json=True)
    import json

    summary = json.loads(capsys.readouterr().out)
    assert summary["k"] == 4 and len(summary["clusters"]) == 4
    call_command("segments_members", run=str(summary["id"]))
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["visitor_id", "user_key", "cluster"]
    assert len(rows) - 1 == sum(c["size"] for c in summary["clusters"])
    assert {row[2] for row in rows[1:]} == {"0", "1", "2", "3"}


@pytest.mark.parametrize(("arguments", "message"), [
    ({"site": "nowhere"}, "No site is named 'nowhere'"),
    ({"site": "Attune demo", "k": "many"}, "--k must be auto or a number"),
    ({"site": "Attune demo", "config": "Other"}, "has no clustering configuration 'Other'"),
])
def test_bad_arguments_say_what_to_do_and_exit_with_status_2(arguments, message):
    demo_segments_ensure(demo_site_ensure()[0])
    with pytest.raises(CommandError, match=message) as raised:
        call_command("segments_run", **arguments)
    assert raised.value.returncode == 2
