"""Who is in which segment: replaced by a full clustering run, refreshed for the people whose figures changed."""

import time
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from personalization.models import Profile

from ..conditions import evaluate, parse
from ..features import FeatureContext, feature_row, features_named
from ..models import Cluster, ClusteringConfig, ClusteringRun, Membership, MembershipChange, Segment
from ..preprocessing import FrozenTransform
from ..signals import memberships_changed
from ..vocabulary import profile_values, profile_vocabulary

WRITE_BATCH = 5000


def feature_context() -> FeatureContext:
    return FeatureContext(now_ms=int(time.time() * 1000),
                          half_life_ms=settings.ATTUNE["PROFILE_DECAY_HALF_LIFE_DAYS"] * 86_400_000)


def memberships_apply(*, wanted: dict[int, set[int]], segment_ids: set[int], profile_ids, reason: str) -> int:
    """Make the memberships of `profile_ids` in `segment_ids` what `wanted` says ({profile id: segment ids}),
    keeping history and announcing who entered and left each segment once committed; returns the changes made."""
    current: dict[int, set[int]] = defaultdict(set)
    for segment_id, profile_id in (Membership.objects.filter(segment_id__in=segment_ids, profile_id__in=profile_ids)
                                   .values_list("segment_id", "profile_id")):
        current[profile_id].add(segment_id)
    entered: dict[int, list[int]] = defaultdict(list)
    left: dict[int, list[int]] = defaultdict(list)
    for profile_id in profile_ids:
        now_in, then_in = wanted.get(profile_id, set()), current.get(profile_id, set())
        for segment_id in now_in - then_in:
            entered[segment_id].append(profile_id)
        for segment_id in then_in - now_in:
            left[segment_id].append(profile_id)
    memberships_write(entered=entered, left=left, reason=reason)
    return sum(map(len, entered.values())) + sum(map(len, left.values()))


def memberships_write(*, entered: dict[int, list[int]], left: dict[int, list[int]], reason: str) -> None:
    now = timezone.now()
    for segment_id, profile_ids in left.items():
        for start in range(0, len(profile_ids), WRITE_BATCH):
            Membership.objects.filter(segment_id=segment_id, profile_id__in=profile_ids[start:start + WRITE_BATCH]).delete()
    Membership.objects.bulk_create(
        (Membership(segment_id=s, profile_id=p, since=now) for s, ids in entered.items() for p in ids),
        batch_size=WRITE_BATCH, ignore_conflicts=True)
    MembershipChange.objects.bulk_create(
        [MembershipChange(segment_id=s, profile_id=p, entered=True, at=now, reason=reason)
         for s, ids in entered.items() for p in ids]
        + [MembershipChange(segment_id=s, profile_id=p, entered=False, at=now, reason=reason)
           for s, ids in left.items() for p in ids], batch_size=WRITE_BATCH)
    for segment_id in set(entered) | set(left):
        transaction.on_commit(lambda s=segment_id: memberships_changed.send(
            sender=Segment, segment_id=s, entered=entered.get(s, []), left=left.get(s, []), reason=reason))


def cluster_memberships_replace(*, config: ClusteringConfig, profile_ids: np.ndarray, labels: np.ndarray,
                                segment_of: dict[int, Segment], reason: str) -> None:
    """After a full run: each clustered person is in their cluster's segment only; people no longer in the
    population leave the configuration's segments."""
    segment_ids = set(Segment.objects.filter(config=config).values_list("pk", flat=True))
    wanted = {int(p): {segment_of[int(label)].pk} for p, label in zip(profile_ids, labels, strict=True)}
    members = set(Membership.objects.filter(segment_id__in=segment_ids).values_list("profile_id", flat=True))
    memberships_apply(wanted=wanted, segment_ids=segment_ids, profile_ids=sorted(members | set(wanted)), reason=reason)


def latest_runs(site_id: int) -> list[ClusteringRun]:
    """The latest finished run of each enabled configuration of a site."""
    runs = []
    for config in ClusteringConfig.objects.filter(site_id=site_id, enabled=True):
        run = config.runs.filter(status=ClusteringRun.Status.DONE).order_by("-finished_at", "-pk").first()
        if run is not None and run.centroids:
            runs.append(run)
    return runs


def segments_for_values(*, values: dict, row_for, runs: list, rule_segments: list, frozen: dict,
                        clusters: dict) -> tuple[set[int], set[int]]:
    """(rule segment ids whose conditions hold, cluster segment ids nearest to the person) for one profile."""
    matched = {segment.pk for segment, condition in rule_segments if evaluate(condition, values)}
    nearest = set()
    for run in runs:
        index = frozen[run.pk].nearest(row_for(run), np.asarray(run.centroids))
        segment_id = clusters[run.pk].get(index)
        if segment_id is not None:
            nearest.add(segment_id)
    return matched, nearest


def memberships_refresh(*, site_id: int, profile_ids: list[int]) -> int:
    """Re-decide rule segments and nearest clusters for people whose figures changed; returns changes made."""
    profiles = list(Profile.objects.filter(site_id=site_id, pk__in=profile_ids))
    rule_segments = [(s, parse(s.conditions, profile_vocabulary()))
                     for s in Segment.objects.filter(site_id=site_id, kind=Segment.Kind.RULE, retired=False)
                     if s.conditions]
    runs = latest_runs(site_id)
    frozen = {run.pk: FrozenTransform.from_dict(run.transform) for run in runs}
    clusters = {run.pk: dict(Cluster.objects.filter(run=run).values_list("index", "segment_id")) for run in runs}
    features = {run.pk: features_named(run.feature_names) for run in runs}
    context = feature_context()
    wanted, segment_ids = {}, {s.pk for s, _ in rule_segments}
    for run in runs:
        segment_ids |= {s for s in clusters[run.pk].values() if s}
    for profile in profiles:
        values = profile_values(profile, context)
        matched, nearest = segments_for_values(
            values=values, row_for=lambda run, p=profile: feature_row(p, features[run.pk], context), runs=runs,
            rule_segments=rule_segments, frozen=frozen, clusters=clusters)
        wanted[profile.pk] = matched | nearest
    return memberships_apply(wanted=wanted, segment_ids=segment_ids, profile_ids=[p.pk for p in profiles],
                             reason="figures changed")
