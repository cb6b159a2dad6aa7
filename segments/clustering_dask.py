"""K-Means on a Dask cluster, for populations one machine cannot cluster in time or memory (pure: no ORM).

The same pipeline as in-process (preprocessing fitted on a sample, k chosen on a sample) hands the fit and the
labelling of the whole population to dask-ml's KMeans (k-means‖ initialisation) on `dask.distributed` workers.
ATTUNE["SEGMENTS_DASK_SCHEDULER"] names the scheduler: "tcp://host:8786" for a running cluster, "local" for a
LocalCluster of this machine's cores (two worker processes), "" for no Dask at all.
"""

from contextlib import contextmanager

import numpy as np

from .clustering import N_INIT

CHUNK_ROWS = 100_000
LOCAL_WORKERS = 2


@contextmanager
def dask_client(address: str):
    """A client of the scheduler at `address`, or of a LocalCluster started for the run ("local")."""
    from dask.distributed import Client, LocalCluster

    if address == "local":
        with LocalCluster(n_workers=LOCAL_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None) as \
                cluster, Client(cluster) as client:
            yield client
    else:
        with Client(address) as client:
            yield client


def fit_kmeans_dask(X: np.ndarray, *, k: int, seed: int, address: str) -> tuple[np.ndarray, np.ndarray]:
    """(centroids, labels) of K-Means with k-means‖ initialisation, computed on the Dask cluster at `address`: the
    best (least inertia) of N_INIT fits, as scikit-learn's KMeans keeps the best of its initialisations (one
    k-means‖ start can settle in a poorer optimum)."""
    import dask.array as da
    from dask_ml.cluster import KMeans

    with dask_client(address):
        chunks = da.from_array(np.ascontiguousarray(X), chunks=(CHUNK_ROWS, X.shape[1])).persist()
        fits = [KMeans(n_clusters=k, init="k-means||", random_state=seed + n).fit(chunks)
                for n in range(N_INIT)]
        best = min(fits, key=lambda model: model.inertia_)
        return np.asarray(best.cluster_centers_), np.asarray(best.labels_.compute()).astype(np.int32)
