"""Who is in which segment: replaced by a full clustering run, refreshed for the people whose figures changed."""

import time
from collections import defaultdict, namedtuple

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from personalization.selectors import profile_rows

from ..conditions import evaluate, parse
from ..features import FEATURES, Columns, FeatureContext, feature_matrix, figures_read
from ..models import Cluster, ClusteringConfig, ClusteringRun, Membership, MembershipChange, Segment
from ..placement import FrozenTransform, nearest_centroids
from ..selectors import site_has_segments
from ..signals import memberships_changed
from ..vocabulary import profile_values, profile_vocabulary

WRITE_BATCH = 5000
FEATURE_NAMES = tuple(feature.name for feature in FEATURES)
FEATURE_POSITION = {name: i for i, name in enumerate(FEATURE_NAMES)}


def feature_context() -> FeatureContext:
    return FeatureContext(now_ms=int(time.time() * 1000),
                          half_life_ms=settings.ATTUNE["PROFILE_DECAY_HALF_LIFE_DAYS"] * 86_400_000)


def memberships_apply(*, wanted: dict[int, set[int]], segment_ids: set[int], profile_ids=None, reason: str) -> int:
    """Make the memberships of `profile_ids` (None: everyone in `segment_ids` or in `wanted`) in `segment_ids` what
    `wanted` says ({profile id: segment ids}), keeping history and announcing who entered and left each segment
    once committed; returns the changes made."""
    current: dict[int, set[int]] = defaultdict(set)
    members = Membership.objects.filter(segment_id__in=segment_ids)
    if profile_ids is not None:
        members = members.filter(profile_id__in=profile_ids)
    for segment_id, profile_id in members.values_list("segment_id", "profile_id").iterator(chunk_size=20_000):
        current[profile_id].add(segment_id)
    if profile_ids is None:
        profile_ids = set(current) | set(wanted)
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


@transaction.atomic  # the memberships, their history and (on PostgreSQL) the staging table, together
def memberships_write(*, entered: dict[int, list[int]], left: dict[int, list[int]], reason: str) -> None:
    now = timezone.now()
    for segment_id, profile_ids in left.items():
        for start in range(0, len(profile_ids), WRITE_BATCH):
            Membership.objects.filter(segment_id=segment_id, profile_id__in=profile_ids[start:start + WRITE_BATCH]).delete()
    joined = [(s, p, now) for s, ids in entered.items() for p in ids]
    changes = ([(s, p, True, now, reason) for s, ids in entered.items() for p in ids]
               + [(s, p, False, now, reason) for s, ids in left.items() for p in ids])
    if connection.vendor == "postgresql":  # a full run writes a row per person: COPY, not INSERTs
        rows_copy(Membership, ("segment_id", "profile_id", "since"), joined, on_conflict_skip=True)
        rows_copy(MembershipChange, ("segment_id", "profile_id", "entered", "at", "reason"), changes)
    else:
        Membership.objects.bulk_create((Membership(segment_id=s, profile_id=p, since=at) for s, p, at in joined),
                                       batch_size=WRITE_BATCH, ignore_conflicts=True)
        MembershipChange.objects.bulk_create(
            (MembershipChange(segment_id=s, profile_id=p, entered=e, at=at, reason=r) for s, p, e, at, r in changes),
            batch_size=WRITE_BATCH)
    for segment_id in set(entered) | set(left):
        transaction.on_commit(lambda s=segment_id: memberships_changed.send(
            sender=Segment, segment_id=s, entered=entered.get(s, []), left=left.get(s, []), reason=reason))


def rows_copy(model, columns: tuple[str, ...], rows: list[tuple], *, on_conflict_skip: bool = False) -> None:
    """COPY rows into a model's table (PostgreSQL); through a temporary table when existing rows are to be kept."""
    if not rows:
        return
    table, names = model._meta.db_table, ", ".join(columns)
    with connection.cursor() as cursor:
        if not on_conflict_skip:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS staging_{table} ON COMMIT DROP AS "
                       f"SELECT {names} FROM {table} WITH NO DATA")
        with cursor.copy(f"COPY staging_{table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM staging_{table} ON CONFLICT DO NOTHING")
        cursor.execute(f"TRUNCATE staging_{table}")


def cluster_memberships_replace(*, config: ClusteringConfig, profile_ids: np.ndarray, labels: np.ndarray,
                                segment_of: dict[int, Segment], reason: str) -> None:
    """After a full run: each clustered person is in their cluster's segment only; people no longer in the
    population leave the configuration's segments."""
    segment_ids = set(Segment.objects.filter(config=config).values_list("pk", flat=True))
    segment_id_of = {index: segment.pk for index, segment in segment_of.items()}
    wanted = {p: {segment_id_of[label]} for p, label in zip(profile_ids.tolist(), labels.tolist(), strict=True)}
    memberships_apply(wanted=wanted, segment_ids=segment_ids, reason=reason)


def latest_runs(site_id: int) -> list[ClusteringRun]:
    """The latest finished run of each enabled configuration of a site."""
    runs = []
    for config in ClusteringConfig.objects.filter(site_id=site_id, enabled=True):
        run = config.runs.filter(status=ClusteringRun.Status.DONE).order_by("-finished_at", "-pk").first()
        if run is not None and run.centroids:
            runs.append(run)
    return runs


RULE_FIGURES = ("category_views", "device_type", "first_channel", "last_seen", "cart_items", "cart_value_cents")


def memberships_refresh(*, site_id: int, profile_ids: list[int]) -> int:
    """Re-decide rule segments and nearest clusters for people whose figures changed; returns changes made. The
    people are taken together: one query for their figures, features and nearest centroids a matrix at a time."""
    if not site_has_segments(site_id):
        return 0  # nothing to be placed in: the figures are not even read
    columns = tuple(dict.fromkeys((*figures_read(FEATURES), *RULE_FIGURES)))
    rows = profile_rows(site_id=site_id, profile_ids=profile_ids, columns=columns)
    if not rows:
        return 0
    table = Columns.from_rows(("pk", *columns), rows)
    matrix = feature_matrix(table, FEATURES, feature_context())
    people = [int(pk) for pk in table.pk]
    wanted: dict[int, set[int]] = {pk: set() for pk in people}
    segment_ids = rule_segments_decide(site_id=site_id, rows=rows, columns=columns, matrix=matrix, wanted=wanted)
    for run in latest_runs(site_id):
        cluster_segments = dict(Cluster.objects.filter(run=run).values_list("index", "segment_id"))
        segment_ids |= {s for s in cluster_segments.values() if s}
        positions = [FEATURE_POSITION[name] for name in run.feature_names]
        transformed = FrozenTransform.from_dict(run.transform).transform(matrix[:, positions])
        for pk, index in zip(people, nearest_centroids(transformed, np.asarray(run.centroids)).tolist(), strict=True):
            if cluster_segments.get(index):
                wanted[pk].add(cluster_segments[index])
    return memberships_apply(wanted=wanted, segment_ids=segment_ids, profile_ids=people, reason="figures changed")


def rule_segments_decide(*, site_id: int, rows, columns, matrix: np.ndarray, wanted: dict[int, set[int]]) -> set[int]:
    """Add to `wanted` the rule segments each person's values satisfy; returns the site's rule segment ids."""
    rule_segments = [(s.pk, parse(s.conditions, profile_vocabulary()))
                     for s in Segment.objects.filter(site_id=site_id, kind=Segment.Kind.RULE, retired=False)
                     if s.conditions]
    if rule_segments:
        row_type = namedtuple("ProfileRow", ("pk", *columns))
        context = feature_context()
        for row, features in zip(rows, matrix.tolist(), strict=True):
            person = row_type._make(row)
            values = profile_values(person, context, features=dict(zip(FEATURE_NAMES, features, strict=True)))
            wanted[person.pk] |= {pk for pk, condition in rule_segments if evaluate(condition, values)}
    return {pk for pk, _ in rule_segments}
