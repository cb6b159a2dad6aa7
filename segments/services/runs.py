"""Clustering runs: read features in chunks, preprocess, choose k, fit, describe, name, match and store."""

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

from personalization.selectors import profile_rows_for_site

from ..cluster_profiles import cluster_moments, cluster_profiles
from ..clustering import ClusteringError, cluster_quality, fit_kmeans, sample_rows, stability_ari
from ..clustering_dask import fit_kmeans_dask
from ..features import Columns, FeatureContext, feature_matrix, features_named, figures_read
from ..hierarchy import ward_hierarchy
from ..k_selection import choose_k
from ..models import Cluster, ClusteringConfig, ClusteringRun
from ..placement import FrozenTransform, assign_chunks
from ..preprocessing import fit_preprocessing, pca_variance_kept
from .memberships import cluster_memberships_replace
from .naming import clusters_to_segments

logger = logging.getLogger(__name__)
SEED = 0
SCATTER_POINTS = 1500
CHUNK = 10_000


@dataclass
class Population:
    profile_ids: np.ndarray
    features: np.ndarray
    seconds: dict[str, float] = field(default_factory=dict)


def run_progress(run: ClusteringRun, stage: str, progress: int) -> None:
    """Say what the run is doing; admin polls it."""
    ClusteringRun.objects.filter(pk=run.pk).update(stage=stage, progress=progress)


def population_read(config: ClusteringConfig, names: list[str], context: FeatureContext) -> Population:
    """The configuration's visitors (consented to personalization, active enough and recently) and their features,
    read chunk by chunk as rows of the figures the features read."""
    features = features_named(names)
    since = timezone.now() - timedelta(days=config.window_days) if config.window_days else None
    columns = tuple(dict.fromkeys(("pageviews", *figures_read(features))))
    ids, blocks = [], []
    for chunk in profile_rows_for_site(site_id=config.site_id, columns=columns, since=since, chunk_size=CHUNK):
        table = Columns.from_rows(("pk", *columns), chunk)
        kept = table.pageviews >= config.min_pageviews
        ids.append(table.pk.astype(np.int64)[kept])
        blocks.append(feature_matrix(table, features, context)[kept])
    if not ids:
        return Population(np.empty(0, dtype=np.int64), np.empty((0, len(features))))
    return Population(np.concatenate(ids), np.vstack(blocks))


def segment_run_execute(*, run: ClusteringRun) -> ClusteringRun:
    """Run a queued clustering run to the end (or to a failure saying why); returns it as stored."""
    ClusteringRun.objects.filter(pk=run.pk).update(status=ClusteringRun.Status.RUNNING, started_at=timezone.now(),
                                                   stage="reading features", progress=5)
    try:
        with threadpool_limits(limits=1):  # two cores: BLAS threads fight the worker for them
            run_stages(run)
    except (ClusteringError, ValueError) as error:
        ClusteringRun.objects.filter(pk=run.pk).update(status=ClusteringRun.Status.FAILED, error=str(error),
                                                       finished_at=timezone.now(), stage="failed")
        logger.warning("clustering run %s failed: %s", run.pk, error)
    run.refresh_from_db()
    return run


def run_stages(run: ClusteringRun) -> None:
    config, timings, started = run.config, {}, time.monotonic()
    names = list(config.features)
    half_life = settings.ATTUNE["PROFILE_DECAY_HALF_LIFE_DAYS"] * 86_400_000
    context = FeatureContext(now_ms=int(time.time() * 1000), half_life_ms=half_life)
    population = population_read(config, names, context)
    timings["read"] = time.monotonic() - started
    if len(population.profile_ids) < max(config.k_min * 5, 10):
        raise ClusteringError(f"Only {len(population.profile_ids)} visitors qualify (consented to personalization, "
                              f"at least {config.min_pageviews} page views): lower the minimum or wait for traffic.")
    run_progress(run, "preprocessing", 25)
    step = time.monotonic()
    features = features_named(names)
    pipeline = fit_preprocessing(population.features, skewed=[f.skewed for f in features],
                                 pca_components=config.pca_components, seed=SEED)
    X = pipeline.transform(population.features)
    timings["preprocess"] = time.monotonic() - step
    run_progress(run, "choosing k", 40)
    step = time.monotonic()
    k_fixed = run.requested_k or config.k_fixed
    selection = None
    if k_fixed is None:
        selection = choose_k(X, k_range=range(config.k_min, config.k_max + 1), sample_size=config.sample_size,
                             seed=SEED)
    k = k_fixed or selection.k
    timings["choose_k"] = time.monotonic() - step
    run_progress(run, f"fitting {k} clusters", 60)
    step = time.monotonic()
    scheduler = settings.ATTUNE["SEGMENTS_DASK_SCHEDULER"]
    if scheduler:
        centroids, labels = fit_kmeans_dask(X, k=k, seed=SEED, address=scheduler)
    else:
        centroids, labels = fit_kmeans(X, k=k, seed=SEED)
    if labels is None:
        labels = np.concatenate(list(assign_chunks((X[i:i + 50_000] for i in range(0, len(X), 50_000)), centroids)))
    timings["fit"] = time.monotonic() - step
    run_progress(run, "describing clusters", 75)
    step = time.monotonic()
    quality = cluster_quality(X, labels, seed=SEED)
    stability = stability_ari(X, k=k, seeds=(0, 1, 2), sample_size=min(5000, len(X)))
    profiles = cluster_profiles(cluster_moments(population.features, labels, k=k), feature_names=names,
                                phrases={f.name: f.phrases for f in features if f.phrases[0]})
    hierarchy = hierarchy_of(X, k)
    timings["describe"] = time.monotonic() - step
    run_progress(run, "writing memberships", 85)
    step = time.monotonic()
    frozen = FrozenTransform.from_pipeline(pipeline)
    with transaction.atomic():
        ClusteringRun.objects.filter(pk=run.pk).update(
            feature_names=names, population=len(X), sample_size=selection.sample_size if selection else 0, k=k,
            k_reason=selection.reason if selection else "fixed by the configuration or the request",
            silhouette=quality.silhouette, davies_bouldin=quality.davies_bouldin,
            calinski_harabasz=quality.calinski_harabasz, stability_ari=stability,
            pca_variance_kept=pca_variance_kept(pipeline),
            curves=selection.as_dict() if selection else {}, dendrogram=hierarchy, scatter=scatter_of(X, labels),
            transform=frozen.as_dict(), centroids=np.asarray(centroids).tolist(),
        )
        clusters = [Cluster.objects.create(
            run=run, index=p.cluster, size=p.size, share=p.share,
            means=dict(zip(names, p.means, strict=True)), z_scores=dict(zip(names, p.z_scores, strict=True)),
            top_features=list(p.top_features), suggested_name=p.name) for p in profiles]
        segment_of = clusters_to_segments(run=run, clusters=clusters, frozen=frozen, centroids=np.asarray(centroids))
        cluster_memberships_replace(config=config, profile_ids=population.profile_ids, labels=labels,
                                    segment_of=segment_of, reason=f"clustering run {run.pk}")
        timings["write"] = time.monotonic() - step
        timings["total"] = time.monotonic() - started
        ClusteringRun.objects.filter(pk=run.pk).update(status=ClusteringRun.Status.DONE, stage="done", progress=100,
                                                       timings=timings, finished_at=timezone.now())


def hierarchy_of(X: np.ndarray, k: int) -> dict:
    """The Ward dendrogram of a sample, cut at k and at about half of it (nested groups); {} when too few."""
    try:
        return ward_hierarchy(X, fine_k=k, coarse_k=max(1, k // 2), seed=SEED).as_dict()
    except ClusteringError:
        return {}


def scatter_of(X: np.ndarray, labels: np.ndarray) -> dict:
    """A sample of visitors in the first two principal components, with their clusters, for the admin's chart."""
    rows = sample_rows(np.column_stack([X, labels]), size=SCATTER_POINTS, seed=SEED)
    points = rows[:, :-1]
    if points.shape[1] >= 2:
        projected = PCA(n_components=2, random_state=SEED).fit_transform(points)
    else:
        projected = np.column_stack([points[:, 0], np.zeros(len(points))])
    return {"x": np.round(projected[:, 0], 3).tolist(), "y": np.round(projected[:, 1], 3).tolist(),
            "cluster": rows[:, -1].astype(int).tolist()}
