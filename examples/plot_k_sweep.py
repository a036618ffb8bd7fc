"""
Choosing K: the silhouette and the elbow
========================================

:func:`segment.k_sweep` fits k-means for K = 2..8 and scores each K by the exact
silhouette; :func:`segment.plotting.plot_k_sweep` draws the silhouette and the
inertia (the elbow) side by side.
"""

import numpy as np

import segment as sg

rng = np.random.default_rng(0)
centres = rng.uniform(-8, 8, size=(4, 2))
X = np.vstack([c + rng.normal(size=(150, 2)) for c in centres])

sweep = sg.k_sweep(X, k=range(2, 9), random_state=0)
print("best K by silhouette:", sweep.best_k)
ax = sg.plotting.plot_k_sweep(sweep)
