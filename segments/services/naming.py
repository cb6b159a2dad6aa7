"""A run's clusters become segments: matched to the previous run's clusters so that editors' names survive."""

import numpy as np
from django.utils.text import slugify

from ..matching import match_clusters
from ..models import Cluster, ClusteringRun, Segment
from ..placement import FrozenTransform


def previous_clusters(run: ClusteringRun) -> list[Cluster]:
    """The clusters of the configuration's latest finished run before `run` whose segments still exist."""
    previous = (ClusteringRun.objects.filter(config=run.config, status=ClusteringRun.Status.DONE)
                .exclude(pk=run.pk).order_by("-finished_at", "-pk").first())
    if previous is None:
        return []
    return list(previous.clusters.filter(segment__isnull=False).select_related("segment"))


def slug_free(*, site_id: int, name: str) -> str:
    base = slugify(name)[:90] or "segment"
    slug, n = base, 2
    while Segment.objects.filter(site_id=site_id, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def clusters_to_segments(*, run: ClusteringRun, clusters: list[Cluster], frozen: FrozenTransform,
                         centroids: np.ndarray) -> dict[int, Segment]:
    """{cluster index: its segment}: a cluster close to one of the previous run's keeps that segment (and its
    name); one with no match gets a new segment named as suggested; previous segments no cluster continues are
    retired."""
    old = previous_clusters(run)
    names = run.feature_names or list(run.config.features)
    old_centroids = (frozen.transform(np.array([[c.means.get(n) if c.means.get(n) is not None else np.nan
                                                  for n in names] for c in old], dtype=float))
                     if old else np.empty((0, centroids.shape[1])))
    matching = match_clusters(new_centroids=centroids, old_centroids=old_centroids,
                              old_ids=[c.segment_id for c in old])
    segment_of = {}
    for match, cluster in zip(matching.matches, clusters, strict=True):
        if match.old_id is not None:
            segment = Segment.objects.get(pk=match.old_id)
            segment.suggested_name, segment.retired = cluster.suggested_name, False
            segment.save(update_fields=["suggested_name", "retired"])
        else:
            name = cluster.suggested_name or f"Cluster {cluster.index + 1}"
            segment = Segment.objects.create(
                site_id=run.config.site_id, name=name, slug=slug_free(site_id=run.config.site_id, name=name),
                kind=Segment.Kind.CLUSTER, config=run.config, suggested_name=cluster.suggested_name)
        cluster.segment, cluster.is_new = segment, match.old_id is None
        cluster.save(update_fields=["segment", "is_new"])
        segment_of[cluster.index] = segment
    Segment.objects.filter(pk__in=list(matching.retired)).update(retired=True)
    return segment_of
