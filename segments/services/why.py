"""Why is this person in this segment: the rows of a rule segment's condition with their values, or the cluster
that is nearest and the features that put them there."""

from dataclasses import dataclass

import numpy as np

from personalization.models import Profile

from ..conditions import ConditionInvalid, LeafResult, describe, evaluate, explain, parse
from ..features import FEATURES_BY_NAME, Columns, feature_matrix, features_named, figures_read
from ..models import Cluster, ClusteringRun, Membership, MembershipChange, Segment
from ..placement import FrozenTransform
from ..vocabulary import profile_values, profile_vocabulary
from .memberships import feature_context


@dataclass(frozen=True)
class FeaturePlacement:
    """One feature: the person's value, their cluster's mean and the population's, and whether it pulls the
    person towards the cluster (closer to the cluster's mean than to the population's)."""

    name: str
    description: str
    value: float | None
    cluster_mean: float | None
    population_mean: float | None
    cluster_z: float
    pulls: bool


@dataclass(frozen=True)
class ClusterDistance:
    name: str
    distance: float
    own: bool


@dataclass(frozen=True)
class WhyAnswer:
    """Whether the person is in the segment (since when, last change), and the evidence for its kind."""

    segment: Segment
    member: bool
    since: object
    last_change: MembershipChange | None
    matches: bool | None = None  # rule segment: the condition holds now
    sentence: str = ""
    rows: tuple[LeafResult, ...] = ()
    run: ClusteringRun | None = None
    cluster: Cluster | None = None
    placements: tuple[FeaturePlacement, ...] = ()
    distances: tuple[ClusterDistance, ...] = ()
    problem: str = ""  # why the evidence cannot be shown (no run yet, a condition that no longer reads)


def why_in_segment(*, profile: Profile, segment: Segment) -> WhyAnswer:
    """Return the evidence for `profile` being (or not being) in `segment`."""
    membership = Membership.objects.filter(segment=segment, profile=profile).first()
    base = {"segment": segment, "member": membership is not None, "since": membership and membership.since,
            "last_change": MembershipChange.objects.filter(segment=segment, profile=profile).order_by("-at").first()}
    if segment.kind == Segment.Kind.RULE:
        return _rule_answer(profile, segment, base)
    return _cluster_answer(profile, segment, base)


def _rule_answer(profile: Profile, segment: Segment, base: dict) -> WhyAnswer:
    try:
        condition = parse(segment.conditions, profile_vocabulary())
    except ConditionInvalid as error:
        return WhyAnswer(**base, problem=f"The segment's condition cannot be read: {error}")
    values = profile_values(profile, feature_context())
    return WhyAnswer(**base, matches=evaluate(condition, values), sentence=describe(condition),
                     rows=tuple(explain(condition, values)))


def population_means(clusters: list[Cluster], names: list[str]) -> dict[str, float | None]:
    """The population's mean of each feature, from the clusters' means weighted by their sizes."""
    means = {}
    for name in names:
        known = [(c.size, c.means.get(name)) for c in clusters if c.means.get(name) is not None]
        total = sum(size for size, _ in known)
        means[name] = sum(size * mean for size, mean in known) / total if total else None
    return means


def _known(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def _cluster_answer(profile: Profile, segment: Segment, base: dict) -> WhyAnswer:
    cluster = (Cluster.objects.filter(segment=segment, run__status=ClusteringRun.Status.DONE)
               .select_related("run").order_by("-run__finished_at", "-run__pk").first())
    if cluster is None or not cluster.run.centroids:
        return WhyAnswer(**base, problem="No finished clustering run has this cluster yet.")
    run = cluster.run
    names = list(run.feature_names)
    features = features_named(names)
    row = feature_matrix(Columns.from_objects(figures_read(features), [profile]), features, feature_context())[0]
    clusters = list(run.clusters.select_related("segment"))
    population = population_means(clusters, names)
    placements = []
    for name, value in zip(names, row, strict=True):
        value, mean, overall = _known(value), cluster.means.get(name), population[name]
        pulls = None not in (value, mean, overall) and abs(value - mean) < abs(value - overall)
        placements.append(FeaturePlacement(name, FEATURES_BY_NAME[name].description, value, mean, overall,
                                           float(cluster.z_scores.get(name, 0.0)), pulls))
    placements.sort(key=lambda p: (not p.pulls, -abs(p.cluster_z)))
    point = FrozenTransform.from_dict(run.transform).transform(row[None, :])[0]
    centroids = np.asarray(run.centroids)
    distances = sorted((ClusterDistance(c.segment.name if c.segment else f"cluster {c.index}",
                                        float(np.linalg.norm(point - centroids[c.index])), c.pk == cluster.pk)
                        for c in clusters), key=lambda d: d.distance)
    return WhyAnswer(**base, run=run, cluster=cluster, placements=tuple(placements), distances=tuple(distances))
