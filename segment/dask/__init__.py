"""k-means, the silhouette and Paper B's customer features on Dask.

For customer bases that outgrow one machine: the data stays where Dask keeps
it (row chunks of a dask array, partitions of a dask DataFrame, in the
threads of this process or on the workers of a ``dask.distributed`` cluster);
every chunk is handled by ONE call into segment's C core per pass, and only
small arrays travel: centres, per-cluster sums, a few rows.

* :class:`KMeans`: Lloyd's k-means seeded with k-means|| (Bahmani et al.
  2012), with segment's estimator conventions (``cluster_centers_`` and
  ``inertia_`` as NumPy, ``labels_`` as a lazy dask array aligned with X).
* :func:`silhouette_samples` and :func:`silhouette_score`: the exact
  silhouette over chunk pairs, or, with ``sample_size``, the exact silhouette
  of a stratified sample measured against all n rows, with a confidence
  interval.
* :func:`customer_features`: Paper B's feature rules
  (:func:`segment.customer_features`) on a dask DataFrame of contracts.

Determinism: per-chunk partial results are merged on the client in chunk
order, and every random draw comes from ``random_state`` and the chunk
number; so the same data, chunking and ``random_state`` give bit-identical
results with the threaded scheduler, a ``LocalCluster`` or a real cluster,
whichever worker runs which chunk.

Running on a cluster: create a client before calling these functions and
Dask uses it::

    from dask.distributed import Client
    client = Client("scheduler-address:8786")   # or LocalCluster() for one machine
    X = dask.array.from_zarr(...)                # or a dask DataFrame from parquet
    X = X.persist()                              # keep the data in the workers' memory
    km = segment.dask.KMeans(5, random_state=0).fit(X)

The workers must have the same version of segment installed (they run its
C kernels). Without a client, Dask's threaded scheduler runs the chunks in
this process, in parallel (the kernels release the GIL).

This package needs Dask: ``pip install "segment-kit[dask]"``; ``import
segment`` never imports it.

Files: _kmeans.py (KMeans), _silhouette.py (silhouette_samples,
silhouette_score, SilhouetteEstimate), _features.py (customer_features),
_data.py (the input as row chunks).
"""

try:  # imported here first, so that the message below is what a user without Dask sees
    import dask  # noqa: F401
    import dask.array  # noqa: F401
    import dask.dataframe  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without dask
    raise ImportError(
        'segment.dask needs Dask (dask.array, dask.dataframe); install it with: '
        'pip install "segment-kit[dask]"'
    ) from exc

from segment.dask._features import customer_features
from segment.dask._kmeans import KMeans
from segment.dask._silhouette import SilhouetteEstimate, silhouette_samples, silhouette_score

__all__ = [
    "KMeans",
    "SilhouetteEstimate",
    "customer_features",
    "silhouette_samples",
    "silhouette_score",
]
