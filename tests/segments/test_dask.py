"""The same clustering on a Dask cluster: a LocalCluster of two worker processes agrees with the in-process fit."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from demo.services import demo_content_load, demo_segments_ensure, demo_site_ensure
from demo.simulator.run import traffic_simulate
from segments.clustering import fit_kmeans
from segments.clustering_dask import fit_kmeans_dask
from segments.features import FeatureContext, features_named
from segments.models import ClusteringConfig, ClusteringRun
from segments.preprocessing import fit_preprocessing
from segments.services.runs import population_read, segment_run_execute

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.usefixtures("embedded_mode")]


@pytest.fixture
def simulated_features():
    demo_content_load()
    site = demo_site_ensure()[0]
    demo_segments_ensure(site)
    traffic_simulate(site=site, visitors=1000, days=21, seed=3, end=datetime.now(UTC) - timedelta(hours=1),
                     progress=False)
    config = ClusteringConfig.objects.get(site=site)
    names = list(config.features)
    features = features_named(names)
    population = population_read(config, names, FeatureContext(now_ms=int(datetime.now(UTC).timestamp() * 1000)))
    pipeline = fit_preprocessing(population.features, skewed=[f.skewed for f in features])
    return config, pipeline.transform(population.features)


def test_a_local_dask_cluster_of_two_workers_finds_the_clusters_the_in_process_fit_finds(simulated_features,
                                                                                            attune_settings):
    config, X = simulated_features
    centres, in_process = fit_kmeans(X, k=4, seed=0)
    dask_centres, on_dask = fit_kmeans_dask(X, k=4, seed=0, address="local")
    assert len(np.unique(on_dask)) == 4
    inertias = [float(((X - c[labels]) ** 2).sum()) for c, labels in ((centres, in_process), (dask_centres, on_dask))]
    assert adjusted_rand_score(in_process, on_dask) >= 0.95, f"inertia in process, on Dask: {inertias}"
    # A whole run with the setting fits there too, and stores the same kind of run.
    attune_settings(SEGMENTS_DASK_SCHEDULER="local")
    run = segment_run_execute(run=ClusteringRun.objects.create(config=config, requested_k=4))
    assert run.status == ClusteringRun.Status.DONE, run.error
    assert run.k == 4 and sum(c.size for c in run.clusters.all()) == run.population
