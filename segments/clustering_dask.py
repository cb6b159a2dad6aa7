"""K-Means on a Dask cluster, for populations one machine cannot cluster in time or memory (pure: no ORM).

The same pipeline as in-process (preprocessing fitted on a sample, k chosen on a sample) hands the fit and the
labelling of the whole population to dask-ml's KMeans on `dask.distributed` workers, started from the centres of an
in-process fit on a sample.
ATTUNE["SEGMENTS_DASK_SCHEDULER"] names the scheduler: "tcp://host:8786" for a running cluster, "local" for a
LocalCluster of this machine's cores (two worker processes), "" for no Dask at all.
"""

from contextlib import contextmanager

import numpy as np

from .clustering import fit_kmeans

CHUNK_ROWS = 100_000
SAMPLE_ROWS = 20_000  # the in-process fit that gives the Dask fit its start
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
    """(centroids, labels) of K-Means computed on the Dask cluster at `address`, started from the centres of an
    in-process fit (N_INIT starts) on up to SAMPLE_ROWS rows: Dask then refines them over every row. Restarting
    k-means‖ on the cluster instead could leave every start in a poorer optimum than the in-process fit finds."""
    import dask.array as da
    from dask_ml.cluster import KMeans

    rng = np.random.default_rng(seed)
    sample = X if len(X) <= SAMPLE_ROWS else X[rng.choice(len(X), SAMPLE_ROWS, replace=False)]
    start, _ = fit_kmeans(sample, k=k, seed=seed)
    with dask_client(address):
        chunks = da.from_array(np.ascontiguousarray(X), chunks=(CHUNK_ROWS, X.shape[1])).persist()
        model = KMeans(n_clusters=k, init=np.asarray(start), random_state=seed).fit(chunks)
        return np.asarray(model.cluster_centers_), np.asarray(model.labels_.compute()).astype(np.int32)
