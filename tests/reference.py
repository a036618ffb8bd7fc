"""Slow, plain-NumPy reference implementations of every kernel.

They follow the formulas of SPEC.md line by line, favouring clarity over
speed, and are the independent oracles the C kernels are tested against
(together with scikit-learn and the papers' published tables).
"""

from __future__ import annotations

import numpy as np

# ---- clustering references ----


def sq_distances(X, C):
    """Squared Euclidean distances (n, k) from the coordinate differences."""
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)


def assign(X, C):
    """Nearest centre of every row (lowest index on ties) and its squared distance."""
    D = sq_distances(X, C)
    labels = D.argmin(axis=1)
    return labels, D[np.arange(len(X)), labels]


def lloyd_step(X, C, sample_weight=None):
    """One Lloyd step: labels for centres C, then the weighted means.

    A cluster that gets no weight keeps its centre (the C core re-seeds it
    instead; tests use data where no cluster empties).
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, float)
    labels, _ = assign(X, C)
    new = np.array(C, dtype=np.float64, copy=True)
    for c in range(len(C)):
        mask = labels == c
        if w[mask].sum() > 0:
            new[c] = (w[mask, None] * X[mask]).sum(axis=0) / w[mask].sum()
    return labels, new


def kmeans_from(X, C, *, max_iter=300, tol=0.0, sample_weight=None):
    """Lloyd iterations from centres C with scikit-learn's stopping rules.

    tol is absolute (on the summed squared centre shift). Returns labels,
    centres, inertia, n_iter.
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, float)
    C = np.array(C, dtype=np.float64, copy=True)
    old = None
    strict = False
    it = 0
    for it in range(max_iter):  # noqa: B007 (it is the iteration count returned)
        labels, new = lloyd_step(X, C, w)
        shift = ((new - C) ** 2).sum()
        C = new
        if old is not None and np.array_equal(labels, old):
            strict = True
            break
        if shift <= tol:
            break
        old = labels
    if not strict:
        labels, _ = assign(X, C)
    _, d2 = assign(X, C)
    return labels, C, float((w * d2).sum()), it + 1


def silhouette(X, labels):
    """Silhouette of every row from the full distance matrix (SPEC.md)."""
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    D = np.sqrt(sq_distances(X, X))
    s = np.zeros(len(X))
    clusters = np.unique(labels)
    for i in range(len(X)):
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = D[i, own].sum() / (own.sum() - 1)
        b = min(D[i, labels == c].mean() for c in clusters if c != labels[i])
        s[i] = 0.0 if max(a, b) == 0 else (b - a) / max(a, b)
    return s


# ---- decision references ----
