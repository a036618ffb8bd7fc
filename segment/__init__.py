"""segment: customer segmentation and multi-criteria decisions with a C core.

Cluster customers with k-means and choose K by the exact silhouette; weigh
criteria by Shannon entropy and rank alternatives with VIKOR.
"""

from segment._version import __version__
from segment.cluster import (
    KMeans,
    KMeansResult,
    NotFittedError,
    kmeans,
    silhouette_samples,
    silhouette_score,
)

__all__ = [
    "__version__",
    # clustering
    "KMeans",
    "KMeansResult",
    "NotFittedError",
    "kmeans",
    "silhouette_samples",
    "silhouette_score",
]
