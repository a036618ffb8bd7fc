"""
k-means on Dask (a LocalCluster)
================================

:class:`segment.dask.KMeans` seeds with k-means|| (Bahmani et al. 2012) and runs
Lloyd's iterations per partition in segment's C kernel. Here on a tiny
in-process cluster (``processes=False``); on a real one, give ``Client`` the
scheduler's address.
"""

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster

import segment.dask as sgd

cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
client = Client(cluster)

rng = np.random.default_rng(0)
data = np.vstack([rng.normal(c, 1.0, size=(2000, 2)) for c in ([0, 0], [6, 1], [2, 6])])
X = da.from_array(data, chunks=1500)
km = sgd.KMeans(3, random_state=0).fit(X)
labels = np.asarray(km.labels_.compute() if hasattr(km.labels_, "compute") else km.labels_)
print("centres:\n", km.cluster_centers_)

fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(data[:, 0], data[:, 1], c=labels, s=3, cmap="viridis")
ax.scatter(*np.asarray(km.cluster_centers_).T, c="red", marker="x", s=120, label="centres")
ax.set_title("segment.dask.KMeans on 4 partitions")
ax.legend()

client.close()
cluster.close()
