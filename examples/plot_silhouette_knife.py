"""
The silhouette knife plot
=========================

One bar per row, s(i) = (b - a) / max(a, b), grouped by cluster and sorted:
long bars are rows well inside their cluster, negative ones are rows closer to
another cluster (Rousseeuw 1987).
"""

import numpy as np

import segment as sg

rng = np.random.default_rng(1)
X = np.vstack([rng.normal(c, 1.2, size=(120, 2)) for c in ([0, 0], [5, 0], [2.5, 4])])
labels = sg.kmeans(X, 3, random_state=0).labels
ax = sg.plotting.plot_silhouette(X, labels)
