"""k-means clustering and the exact silhouette coefficient.

The arithmetic runs in the C core (csrc/seg_kmeans.c, csrc/seg_silhouette.c)
with the GIL released; this module validates input, draws seeds and shapes
results (pandas in, pandas out).
"""

from __future__ import annotations

import math
import numbers
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segment import _core, _sparse
from segment._estimator import (
    ConvergenceWarning,
    NotFittedError,
    _convergence_warning,
    _EstimatorBase,
)
from segment._progress import progress_bar
from segment._validation import (
    align_labels,
    as_matrix,
    as_vector,
    check_feature_names,
    check_int,
    check_n_threads,
    check_random_state,
    feature_names,
)

__all__ = [
    "ConvergenceWarning",
    "KMeans",
    "KMeansResult",
    "NotFittedError",
    "SweepResult",
    "calinski_harabasz_score",
    "davies_bouldin_score",
    "k_sweep",
    "kmeans",
    "kmeans_plusplus",
    "silhouette_samples",
    "silhouette_score",
]

_ALGORITHMS = {"lloyd": 0, "hamerly": 1, "elkan": 1}
# Hamerly's bounds pay once there are enough centres to skip; measured in
# benchmarks/bench_kmeans_algorithms.py (see BENCHMARKS.md): since Lloyd
# computes 8 rows' distances per vector pass (with the common numbers of
# features unrolled), from K = 20, or K = 8 beyond 16 features.
_HAMERLY_MIN_K = 20
_HAMERLY_MIN_K_WIDE = 8
_HAMERLY_WIDE_D = 16
_HAMERLY_MAX_D = 64


@dataclass(frozen=True)
class KMeansResult:
    """The outcome of :func:`kmeans`.

    Attributes
    ----------
    labels : ndarray of int32, shape (n_samples,), or Series
        Cluster of every row, in [0, n_clusters); -1 for rows left out by
        ``nan_policy="omit"``. A Series on the input's index for DataFrame input.
    centers : ndarray, shape (n_clusters, n_features), or DataFrame
        The centres; a DataFrame with the input's columns for DataFrame input.
    inertia : float
        Sum of (weighted) squared distances of the rows to their centres.
    n_iter : int
        Lloyd iterations of the best run.
    converged : bool
        False when the best run stopped at ``max_iter``.
    """

    labels: np.ndarray | pd.Series
    centers: np.ndarray | pd.DataFrame
    inertia: float
    n_iter: int
    converged: bool

    @property
    def n_clusters(self) -> int:
        return len(self.centers)

    def sizes(self) -> pd.Series:
        """Rows per cluster (omitted rows not counted)."""
        labels = np.asarray(self.labels)
        counts = np.bincount(labels[labels >= 0], minlength=self.n_clusters)
        return pd.Series(counts, index=pd.RangeIndex(self.n_clusters, name="cluster"), name="size")

    def to_frame(self) -> pd.DataFrame:
        """One row per cluster: its size and centre coordinates."""
        centers = pd.DataFrame(self.centers)
        centers.index = pd.RangeIndex(self.n_clusters, name="cluster")
        return pd.concat([self.sizes(), centers], axis=1)


def _seed(rng: np.random.RandomState) -> int:
    return int(rng.randint(np.iinfo(np.int64).max, dtype=np.int64))


def _resolve_algorithm(algorithm: str, k: int, d: int) -> int:
    if algorithm == "auto":
        wide = d > _HAMERLY_WIDE_D
        return 1 if (k >= (_HAMERLY_MIN_K_WIDE if wide else _HAMERLY_MIN_K)
                     and d <= _HAMERLY_MAX_D) else 0
    if algorithm not in _ALGORITHMS:
        raise ValueError(
            f"algorithm must be 'auto', 'lloyd', 'hamerly' or 'elkan', got {algorithm!r}"
        )
    return _ALGORITHMS[algorithm]


def _resolve_n_init(n_init, init) -> int:
    if isinstance(n_init, str):
        if n_init != "auto":
            raise ValueError(f"n_init must be 'auto' or a positive integer, got {n_init!r}")
        # scikit-learn's rule: random draws (a string "random" or a callable,
        # which may draw) get 10 runs; k-means++ and given centres one.
        return 10 if (callable(init) or (isinstance(init, str) and init == "random")) else 1
    return check_int(n_init, "n_init", low=1)


def _initial_centers(init, data, k, sw, rng, n_threads):
    """Centres to start a run from: k-means++, random rows, given or callable."""
    n, d = data.shape
    if isinstance(init, str):
        if init == "k-means++":
            centers, _ = _sparse.kmeans_plusplus(
                data, k, sample_weight=sw, seed=_seed(rng), n_threads=n_threads
            )
            return centers
        if init == "random":
            if sw is None:
                return _sparse.take_rows_dense(data, rng.permutation(n)[:k])
            # rows drawn in proportion to their weight (scikit-learn's rule)
            positive = int(np.count_nonzero(sw))
            if positive < k:
                raise ValueError(
                    f"init='random' draws rows in proportion to sample_weight, but only "
                    f"{positive} rows have a positive weight, fewer than n_clusters={k}"
                )
            return _sparse.take_rows_dense(data, rng.choice(n, size=k, replace=False,
                                                            p=sw / sw.sum()))
        raise ValueError(
            f"init must be 'k-means++', 'random', an array or a callable; got {init!r}"
        )
    if callable(init):
        centers = init(data, k, random_state=rng)
    else:
        centers = init
    centers = np.asarray(centers.to_numpy() if isinstance(centers, pd.DataFrame) else centers)
    if centers.dtype.kind not in "biuf":
        raise TypeError(f"init centres must be numeric, got dtype {centers.dtype}")
    centers = np.ascontiguousarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[0] != k:
        raise ValueError(
            f"The shape of the initial centers {centers.shape} does not match the number of "
            f"clusters {k}: init must have shape (n_clusters, n_features) = ({k}, {d})"
        )
    if centers.shape[1] != d:
        raise ValueError(
            f"The shape of the initial centers {centers.shape} does not match the number of "
            f"features of the data {d}: init must have shape (n_clusters, n_features) = "
            f"({k}, {d})"
        )
    if not np.isfinite(centers).all():
        raise ValueError("init centres contain NaN or infinity")
    return centers


def _check_k(k, n: int) -> int:
    k = check_int(k, "n_clusters", low=1)
    if k > n:
        raise ValueError(
            f"n_samples={n} should be >= n_clusters={k}: X has {n} "
            f"sample{'s' if n != 1 else ''} (rows), fewer than n_clusters={k}; "
            f"choose n_clusters <= {n}"
        )
    return k


def _check_weights(sample_weight, n: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    sw = as_vector(sample_weight, "sample_weight", n)
    if not np.isfinite(sw).all():
        raise ValueError(
            f"sample_weight has NaN or infinity at rows {np.flatnonzero(~np.isfinite(sw))[:10]}"
        )
    if (sw < 0).any():
        raise ValueError(
            f"sample_weight must be >= 0; negative at rows {np.flatnonzero(sw < 0)[:10]}"
        )
    with np.errstate(over="ignore"):
        total = sw.sum()
    if not total > 0:
        raise ValueError("sample_weight is all zero: at least one weight must be positive")
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight sums to more than float64 holds (largest weight {sw.max():.3g}); "
            "only their ratios matter: divide them by their maximum"
        )
    return np.ascontiguousarray(sw)


def _lloyd_verbose(data, k, centers, sw, max_iter, tol, threads, run):
    """One run, one C iteration at a time, printing as scikit-learn's
    ``verbose=1`` does. A C iteration is a pure function of the centres, and
    the stopping rules are the one-call fit's (no label changed and no
    cluster empty: strict; else the squared centre shift within tol), so the
    run takes the same path and ends with the same result."""
    print(f"Initialization complete (run {run})")
    labels, inertia = _sparse.kmeans_predict(data, centers, sample_weight=sw, n_threads=threads)
    weights = np.ones(data.shape[0]) if sw is None else sw
    previous, converged = None, False
    for it in range(max_iter):
        print(f"Iteration {it}, inertia {inertia}.")
        if (previous is not None and np.array_equal(labels, previous)
                and (np.bincount(labels, weights, minlength=k) > 0).all()):
            print(f"Converged at iteration {it}: strict convergence.")
            converged = True
            break
        new_labels, new_centers, inertia, _, _, _ = _sparse.kmeans_fit_runs(
            data, k, init_centers=centers[None], sample_weight=sw, max_iter=1, tol=0.0,
            n_threads=threads,
        )
        shift = float(np.sum((new_centers - centers) ** 2))
        previous, labels, centers = labels, new_labels, new_centers
        if shift <= tol:
            print(f"Converged at iteration {it}: center shift {shift} within tolerance {tol}.")
            converged = True
            break
    return labels, centers, inertia, it + 1, converged


def _fit_arrays(
    data, k, *, init, n_init, max_iter, tol, algorithm, sw, random_state, n_threads, verbose=0
):
    """k-means on a validated float64 C array; returns the best run's tuple
    and the number of runs made."""
    n, d = data.shape
    max_iter = check_int(max_iter, "max_iter", low=1, high=2**31 - 1)
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    if not math.isfinite(tol):
        raise ValueError(f"tol must be finite, got {tol!r}")
    n_init = _resolve_n_init(n_init, init)
    if not isinstance(init, str) and not callable(init) and n_init != 1:
        warnings.warn(
            f"Explicit initial center position passed: performing only one init in "
            f"k-means instead of n_init={n_init} (the runs would all be the same)",
            RuntimeWarning,
            stacklevel=3,
        )
        n_init = 1
    if algorithm == "elkan" and k == 1:
        warnings.warn(
            "algorithm='elkan' doesn't make sense for a single cluster. Using 'lloyd' instead.",
            RuntimeWarning,
            stacklevel=3,
        )
        algorithm = "lloyd"
    alg = _resolve_algorithm(algorithm, k, d)
    threads = check_n_threads(n_threads)
    rng = check_random_state(random_state)
    # scikit-learn's convention: tol is relative to the mean feature variance.
    abs_tol = _sparse.kmeans_mean_variance(data, n_threads=threads) * tol if tol > 0 else 0.0
    if isinstance(init, str) and init == "k-means++":
        seeds = np.array([_seed(rng) for _ in range(n_init)], dtype=np.uint64)
        starts = {"seeds": seeds}
    else:
        starts = {"init_centers": np.stack(
            [_initial_centers(init, data, k, sw, rng, threads) for _ in range(n_init)])}
    if verbose:
        best = None
        for r in range(n_init):
            init_r = (
                _sparse.kmeans_plusplus(data, k, sample_weight=sw, seed=int(starts["seeds"][r]),
                                        n_threads=threads)[0]
                if "seeds" in starts else starts["init_centers"][r]
            )
            run = _lloyd_verbose(data, k, init_r, sw, max_iter, abs_tol, threads, r)
            if best is None or run[2] < best[2]:
                best = run
    else:
        # All runs in one C call: in parallel over runs when there are enough
        # of them, keeping the lowest inertia (the first run on ties).
        best = _sparse.kmeans_fit_runs(
            data, k, **starts, sample_weight=sw, max_iter=max_iter, tol=abs_tol, algorithm=alg,
            n_threads=threads,
        )[:5]
    labels = best[0]
    used = np.count_nonzero(np.bincount(labels, minlength=k))
    if used < k:
        # scikit-learn's wording first, so message filters written for it match
        warnings.warn(
            f"Number of distinct clusters ({used}) found smaller than n_clusters ({k}). "
            "Possibly due to duplicate points in X: X has fewer distinct points than "
            "clusters",
            _convergence_warning(),
            stacklevel=3,
        )
    return best, n_init


def kmeans(
    X,
    n_clusters: int,
    *,
    init="k-means++",
    n_init="auto",
    max_iter: int = 300,
    tol: float = 1e-4,
    algorithm: str = "auto",
    sample_weight=None,
    random_state=None,
    n_threads: int | None = None,
    nan_policy: str = "raise",
    verbose: int = 0,
) -> KMeansResult:
    """Cluster the rows of X into n_clusters groups with k-means.

    Lloyd iterations on Euclidean distance, from greedy k-means++ seeds (as
    scikit-learn), keeping the best of ``n_init`` runs by inertia. The same
    ``random_state`` gives the same result on any number of threads.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n_samples, n_features)
        Numeric data: float64, float32 (accumulated in float64), integers or
        bools, in C or Fortran order; a DataFrame of numeric columns.
    n_clusters : int
        Number of clusters, 1 <= n_clusters <= n_samples.
    init : {"k-means++", "random"}, array of shape (n_clusters, n_features) or callable
        Seeding: greedy k-means++, ``n_clusters`` distinct random rows (drawn
        in proportion to ``sample_weight`` when given), the given centres, or
        ``init(X, n_clusters, random_state=...)``.
    n_init : "auto" or int
        Runs from different seeds; "auto" is 1 for k-means++ or given
        centres, and 10 for "random" or a callable init (scikit-learn's
        rule: a callable may draw at random).
    max_iter : int
        Maximum Lloyd iterations per run.
    tol : float
        A run converges when the summed squared centre shift is at most
        ``tol`` times the mean feature variance, or when no label changes.
    algorithm : {"auto", "lloyd", "hamerly", "elkan"}
        "hamerly" skips rows whose distance bounds prove their label (same
        answer as "lloyd", fewer distance computations); "elkan" is accepted
        as an alias for it (Elkan's k x k bounds are not implemented: Hamerly's
        single bound gives the same labels with less memory). "auto" picks
        Hamerly for n_clusters >= 20 (>= 8 beyond 16 features) and at most 64
        features.
    sample_weight : array-like, shape (n_samples,), optional
        Non-negative weights with a positive sum.
    random_state : None, int, numpy RandomState or Generator
        Seeds the initialisation.
    n_threads : int, optional
        OpenMP threads; None or -1 uses all (honouring OMP_NUM_THREADS).
    nan_policy : {"raise", "omit"}
        "omit" clusters the rows without NaN/inf and labels the others -1.
    verbose : int
        With 1 or more, print every iteration's inertia and why each run
        stopped, as scikit-learn does (the runs then go one after another,
        one C iteration per call: same result, slower).

    Returns
    -------
    KMeansResult
        labels (n_samples,), centers (n_clusters, n_features), inertia,
        n_iter, converged; pandas objects for DataFrame input.

    Examples
    --------
    >>> import numpy as np, segment as sg
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> res = sg.kmeans(X, 2, random_state=0)
    >>> sorted(np.bincount(res.labels).tolist())
    [2, 2]
    >>> round(res.inertia, 3)
    0.01
    """
    m = as_matrix(X, nan_policy=nan_policy, allow_sparse=True)
    values = m.values if m.finite is None else m.values[m.finite]
    data = _sparse.as_float64(values)  # a sparse X stays sparse
    n = data.shape[0]
    k = _check_k(n_clusters, n)
    sw = _check_weights(sample_weight, m.values.shape[0])
    if sw is not None and m.finite is not None:
        sw = np.ascontiguousarray(sw[m.finite])
        if not sw.sum() > 0:
            raise ValueError("sample_weight of the finite rows must have a positive sum")
    (labels, centers, inertia, n_iter, converged), _ = _fit_arrays(
        data,
        k,
        init=init,
        n_init=n_init,
        max_iter=max_iter,
        tol=tol,
        algorithm=algorithm,
        sw=sw,
        random_state=random_state,
        n_threads=n_threads,
        verbose=verbose,
    )
    centers = centers.astype(_sparse.float_dtype(m.values), copy=False)  # float32 stays
    return _result(m, labels, centers, inertia, n_iter, converged)


def kmeans_plusplus(
    X,
    n_clusters: int,
    *,
    sample_weight=None,
    x_squared_norms=None,
    random_state=None,
    n_local_trials: int | None = None,
    n_threads: int | None = None,
):
    """Greedy k-means++ seeds, as ``sklearn.cluster.kmeans_plusplus``.

    The first centre is a row drawn with probability proportional to its
    weight; each next one is the best (lowest resulting potential) of
    ``n_local_trials`` rows drawn with probability proportional to weight
    times squared distance to the nearest centre chosen so far (Arthur &
    Vassilvitskii 2007, greedy variant). The seeding :func:`kmeans` runs, in
    C; the same ``random_state`` gives the same seeds on any thread count.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n_samples, n_features)
    n_clusters : int
        Number of seeds, 1 <= n_clusters <= n_samples.
    sample_weight : array-like, shape (n_samples,), optional
    x_squared_norms : array-like, shape (n_samples,), optional
        Accepted for scikit-learn compatibility (its length is checked); segment
        computes distances from the coordinates and does not need it.
    random_state : None, int, numpy RandomState or Generator
    n_local_trials : int, optional
        Candidates per step; default ``2 + int(log(n_clusters))``.
    n_threads : int, optional

    Returns
    -------
    centers : ndarray (or DataFrame with X's columns), shape (n_clusters, n_features)
        Rows of X, in X's float dtype.
    indices : ndarray of intp, shape (n_clusters,)
        Their row positions: ``X[indices]`` equals ``centers``.

    Examples
    --------
    >>> import numpy as np, segment as sg
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> centers, indices = sg.kmeans_plusplus(X, 2, random_state=0)
    >>> bool((X[indices] == centers).all()), sorted((indices // 2).tolist())
    (True, [0, 1])
    """
    m = as_matrix(X, allow_sparse=True)
    data = _sparse.as_float64(m.values)  # a sparse X stays sparse
    n = data.shape[0]
    k = _check_k(n_clusters, n)
    sw = _check_weights(sample_weight, n)
    if x_squared_norms is not None and len(x_squared_norms) != n:
        raise ValueError(
            f"The length of x_squared_norms {len(x_squared_norms)} should be equal to the "
            f"length of n_samples {n}"
        )
    trials = 0 if n_local_trials is None else check_int(n_local_trials, "n_local_trials", low=1,
                                                         high=64)
    centers, indices = _sparse.kmeans_plusplus(
        data, k, sample_weight=sw, n_trials=trials, seed=_seed(check_random_state(random_state)),
        n_threads=check_n_threads(n_threads),
    )
    centers = centers.astype(_sparse.float_dtype(m.values), copy=False)
    if m.is_frame:
        centers = pd.DataFrame(centers, columns=m.columns)
    return centers, indices


def _result(m, labels, centers, inertia, n_iter, converged) -> KMeansResult:
    """A KMeansResult in the input's terms: -1 for omitted rows, pandas
    objects on the DataFrame's index and columns."""
    if m.finite is not None:
        full = np.full(m.values.shape[0], -1, dtype=np.int32)
        full[m.finite] = labels
        labels = full
    if m.is_frame:
        labels = pd.Series(labels, index=m.index, name="cluster")
        centers = pd.DataFrame(centers, columns=m.columns)
        centers.index.name = "cluster"
    return KMeansResult(labels, centers, float(inertia), int(n_iter), bool(converged))


# ---------------------------------------------------------------------------
# Silhouette
# ---------------------------------------------------------------------------


def _encode_labels(labels, n: int) -> tuple[np.ndarray, int]:
    if isinstance(labels, (pd.Series, pd.Index)):
        labels = labels.to_numpy()
    lab = np.asarray(labels)
    if lab.ndim != 1:
        raise ValueError(f"labels must be 1-dimensional, got shape {lab.shape}")
    if lab.shape[0] != n:
        raise ValueError(f"labels has length {lab.shape[0]} but X has {n} samples")
    if lab.dtype.kind == "f" and not np.isfinite(lab).all():
        raise ValueError(
            f"labels contain NaN at rows {np.flatnonzero(~np.isfinite(lab))[:10].tolist()}"
        )
    try:
        uniques, codes = np.unique(lab, return_inverse=True)
    except TypeError:
        raise TypeError("labels must be sortable values of one type (ints or strings)") from None
    k = uniques.size
    if not 2 <= k <= n - 1:
        raise ValueError(
            f"Number of labels is {k}. Valid values are 2 to n_samples - 1 (inclusive): "
            f"this score needs between 2 and n_samples - 1 = {n - 1} distinct labels"
        )
    return np.ascontiguousarray(codes.reshape(-1), dtype=np.int32), k


# scikit-learn's names for the metrics the C kernel computes (its
# PAIRWISE_DISTANCE_FUNCTIONS aliases: l2, l1, cityblock), by kernel name.
_SILHOUETTE_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "sqeuclidean": "sqeuclidean",
    "manhattan": "manhattan",
    "cityblock": "manhattan",
    "l1": "manhattan",
    "cosine": "cosine",
    "precomputed": "precomputed",
}
# Distances a callable metric fills per call of the precomputed kernel.
_CALLABLE_CHUNK = 1 << 20


def _silhouette_metric(metric):
    """The kernel's name for a metric string, or the callable itself."""
    if isinstance(metric, str) and metric in _SILHOUETTE_METRICS:
        return _SILHOUETTE_METRICS[metric]
    if callable(metric) and not isinstance(metric, str):
        return metric
    raise ValueError(
        f"metric must be one of {_first_names(_SILHOUETTE_METRICS)} or a callable "
        f"metric(x, y) -> float; got {metric!r}"
    )


def _first_names(names) -> str:
    return ", ".join(repr(n) for n in names)


def _row_names(m, rows) -> str:
    """Up to 10 of `rows` (positions), by X's index when X is a DataFrame."""
    rows = np.asarray(rows)
    shown = (m.index[rows[:10]] if m.is_frame else rows[:10]).tolist()
    return f"[{', '.join(map(str, shown))}{', ...' if rows.size > 10 else ''}]"


def _check_square(m) -> None:
    if m.values.shape[0] != m.values.shape[1]:
        raise ValueError(
            "with metric='precomputed', X must be a square distance matrix "
            f"(n_samples, n_samples), got shape {m.values.shape}"
        )


def _precomputed_diag_tol(m) -> float:
    """Checks the distance matrix's shape and diagonal as scikit-learn does
    (square; a diagonal within 100 machine epsilons of 0 in X's float type,
    exactly 0 for integers) and returns that tolerance. NaN and infinity
    were refused by as_matrix; negative values are found by the kernel as it
    reads the rows (see _silhouette_precomputed)."""
    tol = float(100 * np.finfo(m.values.dtype).eps)
    bad = np.flatnonzero(np.abs(np.diagonal(m.values)) > tol)
    if bad.size:
        raise ValueError(
            "The precomputed distance matrix contains non-zero elements on the diagonal "
            f"(rows {_row_names(m, bad)}). Use np.fill_diagonal(X, 0)."
        )
    return tol


def _silhouette_precomputed(m, data, codes, k, n_threads) -> np.ndarray:
    diag_tol = _precomputed_diag_tol(m)
    try:
        return _core.silhouette_precomputed(data, codes, k, n_threads=n_threads,
                                            diag_tol=diag_tol)
    except ValueError:
        # the kernel refused a value (a pass of its own here would cost as
        # much as the silhouette): name the rows by X's index
        if data.min() < 0:
            rows = np.flatnonzero((data < 0).any(axis=1))
            raise ValueError(
                "the precomputed distance matrix X has negative values in rows "
                f"{_row_names(m, rows)}; distances must be >= 0"
            ) from None
        raise


def _silhouette_callable(x, metric, codes, k, n_threads) -> np.ndarray:
    """scikit-learn's callable metric: metric(x_i, x_j) for every pair of rows
    (n^2 Python calls, self pairs included), in chunks of rows fed to the
    precomputed kernel, so that memory stays O(n) rows of distances."""
    n = x.shape[0]
    step = max(1, _CALLABLE_CHUNK // n)
    s = np.empty(n)
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        D = np.array([[metric(x[i], x[j]) for j in range(n)] for i in range(r0, r1)], dtype=float)
        bad = ~(np.isfinite(D) & (D >= 0))
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise ValueError(
                f"the metric callable returned {float(D[i, j])!r} for rows {r0 + i} and {j}; "
                "distances must be finite and >= 0"
            )
        s[r0:r1] = _core.silhouette_precomputed(
            D, codes, k, row0=r0, n_threads=n_threads, diag_tol=np.inf
        )
    return s


def silhouette_samples(X, labels, *, metric="euclidean", n_threads: int | None = None):
    """Exact silhouette coefficient of every row (Rousseeuw 1987).

    For row i in cluster A, a(i) is the mean distance to the other rows of A,
    b(i) the smallest mean distance to the rows of another cluster, and
    s(i) = (b - a) / max(a, b); s(i) = 0 for a row alone in its cluster.
    All n^2 / 2 distances are computed in C in blocks: memory is
    O(n * n_clusters + n * n_features), never n by n. Equal to
    ``sklearn.metrics.silhouette_samples(X, labels, metric=metric)`` (to
    about 1e-14: scikit-learn's round-off).

    Parameters
    ----------
    X : array-like or DataFrame, shape (n_samples, n_features), or (n_samples, n_samples)
        The rows to cluster, or with ``metric="precomputed"`` their distance
        matrix: square, finite, >= 0, with a zero diagonal (within 100
        machine epsilons of X's float type, as scikit-learn allows); its
        rows are read as given (the kernel makes nothing n by n). float32
        input is computed in float64.
    labels : array-like, shape (n_samples,)
        Cluster of every row (any sortable values), 2 to n_samples - 1 distinct.
        A Series given with a DataFrame X is aligned on X's index (X sorted
        another way keeps every row's own label); an index that does not
        cover X's rows is refused. Anything else is taken by position.
    metric : str or callable, default "euclidean"
        ``"euclidean"`` (alias ``"l2"``), ``"sqeuclidean"``, ``"manhattan"``
        (aliases ``"cityblock"``, ``"l1"``), ``"cosine"`` (1 - cosine
        similarity, clipped to [0, 2]; a row of zero norm is at distance 1
        from every other row, as in scikit-learn), all computed in C from
        the coordinates, or ``"precomputed"``. A callable ``metric(x, y)``
        of two rows is called for every ordered pair of rows, as
        scikit-learn does (n^2 Python calls: slow; for small data). Other
        names raise ValueError.
    n_threads : int, optional
        OpenMP threads; the result is bit-identical for any count.

    Returns
    -------
    ndarray of float64, shape (n_samples,), or a Series on X's index.

    Examples
    --------
    >>> import numpy as np, segment as sg
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> sg.silhouette_samples(X, [0, 0, 1, 1]).round(3).tolist()
    [0.905, 0.895, 0.895, 0.905]
    >>> sg.silhouette_samples(X, [0, 0, 1, 1], metric="sqeuclidean").round(3).tolist()
    [0.991, 0.989, 0.989, 0.991]
    >>> D = np.abs(X - X.T)  # the distance matrix of X
    >>> sg.silhouette_samples(D, [0, 0, 1, 1], metric="precomputed").round(3).tolist()
    [0.905, 0.895, 0.895, 0.905]
    """
    metric = _silhouette_metric(metric)
    m = _silhouette_input(X, metric)
    s = _silhouette(m, align_labels(labels, m.index), metric, n_threads)
    if m.is_frame:
        return pd.Series(s, index=m.index, name="silhouette")
    return s


def _silhouette_input(X, metric):
    """X validated for the silhouette: a sparse X stays sparse for the
    euclidean kernel; a sparse distance matrix is made dense (it is n by n
    already: the user's matrix, not one segment makes)."""
    m = as_matrix(X, min_rows=2, allow_sparse=True)
    if isinstance(m.values, _sparse.CSR):
        if metric == "precomputed":
            n = m.values.shape[0]
            return type(m)(m.values.dense_rows(np.arange(n)), m.index, m.columns, None)
        if metric != "euclidean":
            raise ValueError(
                f"sparse X works with metric='euclidean' or 'precomputed'; for "
                f"metric={metric!r} pass X.toarray()"
            )
    return m


def _unit_range(data: np.ndarray) -> np.ndarray:
    """data times a power of two when its largest |value| is below 0.5 or above
    2**500, else data itself (no copy).

    The silhouette, Calinski-Harabasz and Davies-Bouldin ignore the scale of X,
    but the kernels do not at the extremes: Davies-Bouldin calls a cluster
    spread or a centroid distance "zero" below an absolute 1e-8 (scikit-learn's
    np.allclose), so data scaled by 1e-8 scored 0.0, and squared distances
    underflow to 0 below about 1e-160 (silhouette 0.0) or overflow above
    1e154. Multiplying by a power of two is exact, so the scores of data inside
    the range are bit for bit unchanged, and those outside it equal them.
    """
    if data.size == 0 or data.dtype.kind != "f":
        return data
    top = max(float(np.max(data)), -float(np.min(data)))
    if not (np.isfinite(top) and top > 0.0) or 0.5 <= top <= 2.0**500:
        return data
    _, exponent = np.frexp(top)  # top = mantissa * 2**exponent, mantissa in [0.5, 1)
    return np.ldexp(data, -int(exponent)).astype(data.dtype, copy=False)


def _silhouette(m, labels, metric, n_threads) -> np.ndarray:
    """The silhouettes of a validated matrix m (labels in its row order,
    metric as _silhouette_metric gives it)."""
    n_threads = check_n_threads(n_threads)
    if metric == "precomputed":
        _check_square(m)
    codes, k = _encode_labels(labels, m.values.shape[0])
    if isinstance(m.values, _sparse.CSR):
        return _sparse.silhouette_samples(m.values, codes, k, n_threads=n_threads)
    data = np.ascontiguousarray(m.values, dtype=np.float64)
    if metric == "precomputed":
        return _silhouette_precomputed(m, data, codes, k, n_threads)
    if callable(metric):
        return _silhouette_callable(data, metric, codes, k, n_threads)
    return _core.silhouette_samples(_unit_range(data), codes, k, n_threads=n_threads,
                                    metric=metric)


def silhouette_score(
    X,
    labels,
    *,
    metric="euclidean",
    sample_size: int | None = None,
    random_state=None,
    n_threads: int | None = None,
) -> float:
    """Mean silhouette coefficient over all rows (exact), or over a sample.

    ``metric`` is any of :func:`silhouette_samples`'s (default
    ``"euclidean"``; ``"precomputed"`` for a distance matrix X). With
    ``sample_size``, the silhouette of a random subset of rows computed
    within that subset (with ``"precomputed"``, those rows and the same
    columns), drawn exactly as scikit-learn draws it: the same integer
    ``random_state`` gives scikit-learn's value. A labels Series with a
    DataFrame X is aligned on X's index, as in :func:`silhouette_samples`.

    Examples
    --------
    >>> import segment as sg
    >>> round(sg.silhouette_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 4)
    0.8997
    >>> X = [[1.0, 0.0], [2.0, 0.1], [0.0, 1.0], [0.1, 3.0]]
    >>> round(sg.silhouette_score(X, [0, 0, 1, 1], metric="cosine"), 4)
    0.9991
    """
    metric = _silhouette_metric(metric)
    m = _silhouette_input(X, metric)
    n = m.values.shape[0]
    labels = np.asarray(align_labels(labels, m.index))
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(f"labels has shape {labels.shape} but X has {n} samples")
    if sample_size is not None:
        sample_size = check_int(sample_size, "sample_size", low=2, high=n)
        idx = check_random_state(random_state).permutation(n)[:sample_size]
        if metric == "precomputed":
            _check_square(m)
            values = m.values[np.ix_(idx, idx)]
        else:
            values = m.values[idx]
        # rows of a validated matrix: no second look at the values
        m = type(m)(values, None if m.index is None else m.index[idx], None, None)
        labels = labels[idx]
    return float(np.mean(_silhouette(m, labels, metric, n_threads)))


def _validity(X, labels, n_threads):
    m = as_matrix(X, min_rows=3)
    data = np.ascontiguousarray(m.values, dtype=np.float64)
    codes, k = _encode_labels(align_labels(labels, m.index), data.shape[0])
    return _core.cluster_validity(_unit_range(data), codes, k,
                                  n_threads=check_n_threads(n_threads))


def calinski_harabasz_score(X, labels, *, n_threads: int | None = None) -> float:
    """Calinski-Harabasz score: between- over within-cluster dispersion.

    ``[sum_c n_c |m_c - m|^2 / (k - 1)] / [sum_i |x_i - m_c(i)|^2 / (n - k)]``
    (Calinski & Harabasz 1974); higher is better; 1.0 when every cluster is a
    single point repeated. A labels Series with a DataFrame X is aligned on X's
    index. Two passes over X in C; equal to
    ``sklearn.metrics.calinski_harabasz_score`` to about 1e-13 relative.

    Examples
    --------
    >>> import segment as sg
    >>> round(sg.calinski_harabasz_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 1)
    200.0
    """
    return float(_validity(X, labels, n_threads)[0])


def davies_bouldin_score(X, labels, *, n_threads: int | None = None) -> float:
    """Davies-Bouldin index: mean over clusters of the worst similarity ratio.

    ``mean_c max_{c' != c} (s_c + s_c') / |m_c - m_c'|`` with s_c the mean
    distance of cluster c's rows to its centroid (Davies & Bouldin 1979);
    lower is better, 0 is the minimum. A labels Series with a DataFrame X is aligned on X's
    index. Two passes over X in C; equal to
    ``sklearn.metrics.davies_bouldin_score`` to about 1e-13 relative.

    Examples
    --------
    >>> import segment as sg
    >>> round(sg.davies_bouldin_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 3)
    0.1
    """
    return float(_validity(X, labels, n_threads)[1])


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


class KMeans(_EstimatorBase):
    """k-means as a scikit-learn style estimator, without scikit-learn.

    Same parameters and fitted attributes as ``sklearn.cluster.KMeans``
    (``cluster_centers_``, ``labels_``, ``inertia_``, ``n_iter_``,
    ``n_features_in_``, ``feature_names_in_``), with ``fit``, ``predict``,
    ``fit_predict``, ``transform``, ``fit_transform``, ``score``,
    ``get_params`` and ``set_params``; it pickles, clones and works in a
    ``sklearn.pipeline.Pipeline``. The fitted attributes are ndarrays, as in
    scikit-learn; ``result_`` holds the :class:`KMeansResult`, labelled with
    the DataFrame's index and columns when fitted on one. See :func:`kmeans`
    for the parameters; ``copy_x`` is accepted for scikit-learn compatibility
    and has no effect (segment never modifies X: scikit-learn's in-place
    centring, which copy_x guards, does not exist here). ``algorithm="elkan"``
    runs Hamerly's bounds (the same labels as Elkan's, with one bound per row
    instead of k).

    Examples
    --------
    >>> import numpy as np, segment as sg
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> km = sg.KMeans(2, random_state=0).fit(X)
    >>> km.predict([[0.05, 0.0], [5.0, 4.9]]).tolist() == km.labels_[[0, 2]].tolist()
    True
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        verbose=0,
        random_state=None,
        copy_x=True,
        algorithm="auto",
        n_threads=None,
        nan_policy="raise",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.copy_x = copy_x
        self.algorithm = algorithm
        self.n_threads = n_threads
        self.nan_policy = nan_policy

    def __sklearn_tags__(self):
        # Called only by scikit-learn (already imported then): segment itself
        # never imports it.
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(
            estimator_type="clusterer",
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(preserves_dtype=["float64", "float32"]),
            input_tags=InputTags(allow_nan=self.nan_policy == "omit", sparse=True),
        )

    # -- fitting -----------------------------------------------------------

    def _validate_predict_X(self, X):
        self._check_fitted()
        check_feature_names(self, X)
        m = as_matrix(X, nan_policy="raise", allow_sparse=True)
        if m.values.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {m.values.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input"
            )
        return _sparse.as_float64(m.values)

    def fit(self, X, y=None, sample_weight=None):
        """Compute the clustering. y is ignored. Returns self."""
        self._n_init = _resolve_n_init(self.n_init, self.init)  # runs made, as scikit-learn's
        if not isinstance(self.init, str) and not callable(self.init):
            self._n_init = 1
        result = kmeans(
            X,
            self.n_clusters,
            init=self.init,
            n_init=self.n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            algorithm=self.algorithm,
            sample_weight=sample_weight,
            random_state=self.random_state,
            n_threads=self.n_threads,
            nan_policy=self.nan_policy,
            verbose=self.verbose,
        )
        centers = np.asarray(result.centers)  # float32 for float32 input, as scikit-learn
        self.cluster_centers_ = centers
        self.labels_ = np.asarray(result.labels, dtype=np.int32)
        self.inertia_ = result.inertia
        self.n_iter_ = result.n_iter
        self.n_features_in_ = centers.shape[1]
        self.result_ = result
        names = feature_names(X.columns) if isinstance(X, pd.DataFrame) else None
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return labels_."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def predict(self, X, sample_weight=None):
        """Index of the nearest centre of every row.

        A DataFrame must have the columns seen in fit, in the same order
        (ValueError naming them otherwise, as scikit-learn); names given on
        one side only warn."""
        data = self._validate_predict_X(X)
        labels, _ = _sparse.kmeans_predict(
            data, self.cluster_centers_, n_threads=check_n_threads(self.n_threads)
        )
        return labels

    def transform(self, X):
        """Euclidean distance of every row to every centre, shape (n, n_clusters).

        float32 for float32 centres; a DataFrame (columns
        ``get_feature_names_out()``, X's index) after
        ``set_output(transform="pandas")``."""
        data = self._validate_predict_X(X)
        out = _sparse.kmeans_transform(
            data, np.asarray(self.cluster_centers_, dtype=np.float64),
            n_threads=check_n_threads(self.n_threads),
        )
        out = out.astype(self.cluster_centers_.dtype, copy=False)
        return self._wrap_output(out, X)

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then transform X."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def _init_centroids(self, X, x_squared_norms=None, init=None, random_state=None,
                        sample_weight=None, init_size=None, n_centroids=None):
        """Initial centres as the fit draws them (the name and signature of
        scikit-learn's private method, so its seeding tests run against
        segment's seeding). x_squared_norms and init_size are ignored."""
        data = _sparse.as_float64(as_matrix(X, allow_sparse=True).values)
        k = _check_k(self.n_clusters if n_centroids is None else n_centroids, data.shape[0])
        sw = _check_weights(sample_weight, data.shape[0])
        return _initial_centers(self.init if init is None else init, data, k, sw,
                                check_random_state(random_state),
                                check_n_threads(self.n_threads))

    # -- output names and containers (scikit-learn's set_output API) --------

    def get_feature_names_out(self, input_features=None):
        """Names of the transform's columns: ``kmeans0``, ``kmeans1``, ...

        ``input_features``, if given, must be the names seen in fit (or any
        names of the right length when fit saw none), as in scikit-learn."""
        self._check_fitted()
        if input_features is not None:
            given = np.asarray(input_features, dtype=object)
            fitted = getattr(self, "feature_names_in_", None)
            if fitted is not None and not np.array_equal(given, fitted):
                raise ValueError("input_features is not equal to feature_names_in_")
            if fitted is None and len(given) != self.n_features_in_:
                raise ValueError(
                    f"input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {len(given)}"
                )
        prefix = type(self).__name__.lower()
        return np.asarray(
            [f"{prefix}{i}" for i in range(self.cluster_centers_.shape[0])], dtype=object
        )

    def set_output(self, *, transform=None):
        """Choose the container ``transform`` returns: "default" (ndarray),
        "pandas" or "polars" (a DataFrame with ``get_feature_names_out()`` as
        columns); None leaves it unchanged. Returns self."""
        if transform is None:
            return self
        if transform not in ("default", "pandas", "polars"):
            raise ValueError(
                f"set_output's transform must be 'default', 'pandas', 'polars' or None, "
                f"got {transform!r}"
            )
        self._sklearn_output_config = {"transform": transform}
        return self

    def _wrap_output(self, out, X):
        kind = getattr(self, "_sklearn_output_config", {}).get("transform", "default")
        if kind == "default":
            return out
        columns = self.get_feature_names_out()
        if kind == "polars":
            import polars as pl  # optional: only for set_output(transform="polars")

            return pl.DataFrame(out, schema=list(columns), orient="row")
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(out, index=index, columns=columns)

    def _repr_html_(self):
        """The estimator in a Jupyter cell: its changed parameters and, once
        fitted, inertia, iterations and cluster sizes."""
        import html

        fitted = hasattr(self, "cluster_centers_")
        params = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{html.escape(repr(v))}</td></tr>"
            for k, v in self.get_params().items()
        )
        body = f"<table><tr><th>parameter</th><th>value</th></tr>{params}</table>"
        if fitted:
            sizes = np.bincount(self.labels_[self.labels_ >= 0],
                                minlength=self.cluster_centers_.shape[0])
            body += (
                f"<p>fitted on {self.labels_.shape[0]:,} rows x {self.n_features_in_} features: "
                f"inertia {self.inertia_:.6g}, {self.n_iter_} iterations; cluster sizes "
                f"{html.escape(', '.join(f'{c:,}' for c in sizes))}</p>"
            )
        state = "fitted" if fitted else "not fitted"
        return (
            '<div class="segment-estimator" style="border:1px solid #999;border-radius:4px;'
            'padding:4px 8px;display:inline-block;font-family:monospace">'
            f"<details><summary><b>{html.escape(repr(self))}</b> "
            f"<i>({state})</i></summary>{body}</details></div>"
        )

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the (weighted) inertia of X against the centres."""
        data = self._validate_predict_X(X)
        sw = _check_weights(sample_weight, data.shape[0])
        _, inertia = _sparse.kmeans_predict(
            data, self.cluster_centers_, sample_weight=sw,
            n_threads=check_n_threads(self.n_threads),
        )
        return -float(inertia)

    @classmethod
    def from_result(cls, result: KMeansResult, X=None, **params) -> KMeans:
        """A fitted estimator from a :func:`kmeans` result, without refitting.

        ``params`` set the estimator's parameters (n_clusters is taken from
        the result); X, if given, sets ``feature_names_in_`` like fit does.
        """
        est = cls(n_clusters=result.n_clusters, **params)
        centers = np.asarray(result.centers, dtype=np.float64)
        est.cluster_centers_ = centers
        est.labels_ = np.asarray(result.labels, dtype=np.int32)
        est.inertia_ = result.inertia
        est.n_iter_ = result.n_iter
        est.n_features_in_ = centers.shape[1]
        est.result_ = result
        names = feature_names(
            getattr(X if isinstance(X, pd.DataFrame) else result.centers, "columns", None)
        )
        if names is not None:
            est.feature_names_in_ = names
        return est


# ---------------------------------------------------------------------------
# Choosing K
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    """The outcome of :func:`k_sweep`.

    Attributes
    ----------
    table : DataFrame
        One row per K (index ``k``): silhouette, inertia, calinski_harabasz,
        davies_bouldin, n_iter, converged, seconds.
    models : dict of int to KMeansResult
        The clustering for every K.
    best_k : int
        The K with the highest silhouette (the lowest K on ties).
    elbow_k : int
        The knee of the inertia curve: the K farthest below the chord from
        the first to the last point of the min-max normalised curve.
    sample_size : int or None
        Rows the silhouette was computed on (None: all, exact).
    """

    table: pd.DataFrame
    models: dict
    best_k: int
    elbow_k: int
    sample_size: int | None = None

    def best_model(self, k: int | None = None) -> KMeans:
        """A fitted :class:`KMeans` for K = k (default: best_k), without refitting."""
        k = self.best_k if k is None else k
        if k not in self.models:
            raise ValueError(f"k={k} was not part of the sweep; choose one of {list(self.models)}")
        return KMeans.from_result(self.models[k])

    def to_frame(self) -> pd.DataFrame:
        """The per-K table (a copy)."""
        return self.table.copy()


def _score(fn, X, labels, default=np.nan):
    """fn(X, codes, n_labels), or default when the labels number fewer than 2
    or as many as the rows (a K whose clustering came out degenerate)."""
    uniques, codes = np.unique(labels, return_inverse=True)
    if not 2 <= uniques.size <= len(labels) - 1:
        return default
    return fn(X, np.ascontiguousarray(codes, dtype=np.int32), uniques.size)


def _elbow(ks: np.ndarray, inertia: np.ndarray) -> int:
    if len(ks) < 3 or inertia.max() == inertia.min():
        return int(ks[0])
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (inertia - inertia.min()) / (inertia.max() - inertia.min())
    chord = y[0] + (y[-1] - y[0]) * x
    return int(ks[np.argmax(chord - y)])


def _progress_bar(progress, total: int, n_rows: int):
    """A bar when asked for (or, with progress=None, in a notebook on a sweep
    that takes a while), else None: tqdm's when installed, a line on stderr
    otherwise (segment._progress)."""
    if progress is False:
        return None
    if progress is None:
        in_notebook = "ipykernel" in sys.modules
        if not (in_notebook and n_rows * total >= 200_000):
            return None
    if progress is not None and progress is not True:
        return progress  # a user-made bar-like object with update()/close()
    return progress_bar(total, desc="k_sweep", unit="K")


def k_sweep(
    X,
    k=range(2, 11),
    *,
    n_init="auto",
    random_state=None,
    sample_size: int | None = None,
    progress=None,
    n_threads: int | None = None,
    nan_policy: str = "raise",
    **kmeans_params,
) -> SweepResult:
    """k-means for every K in ``k``, scored by the exact silhouette and more.

    Paper B's method for choosing K: cluster for each candidate K and keep
    the one with the highest silhouette coefficient. Each K also gets the
    inertia (for the elbow), the Calinski-Harabasz score and the
    Davies-Bouldin index, all computed in C.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n_samples, n_features)
    k : iterable of int
        Candidate numbers of clusters, each in [2, n_samples - 1].
    n_init, random_state, n_threads, nan_policy, **kmeans_params
        Passed to :func:`kmeans` for every K (an int random_state gives each
        K the same seed stream, so results do not depend on which Ks are swept).
    sample_size : int, optional
        Compute the silhouette on this many rows drawn once (the same rows for
        every K) instead of exactly on all.
    progress : bool or None
        True shows a progress bar (tqdm's when installed: a widget in Jupyter
        with ipywidgets; else a line on stderr), False never; None shows one in
        a notebook when the sweep is long. An object with ``update(n)`` is
        used as the bar.

    Returns
    -------
    SweepResult
        ``table``, ``models``, ``best_k``, ``elbow_k``; ``best_model()``.

    Examples
    --------
    >>> import numpy as np, segment as sg
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(c, 0.1, size=(50, 2)) for c in (0, 3, 6)])
    >>> sweep = sg.k_sweep(X, k=range(2, 6), random_state=0)
    >>> sweep.best_k
    3
    >>> list(sweep.table.columns)[:4]
    ['silhouette', 'inertia', 'calinski_harabasz', 'davies_bouldin']
    """
    def some(values, count):  # a few values and how many there are: messages stay short
        shown = ", ".join(str(v) for v in list(values)[:5])
        return f"[{shown}]" if count <= 5 else f"{count} values, [{shown}, ...]"

    # A range is checked arithmetically, never materialised: range(2, 10**9) fails at once.
    kr = k[::-1] if isinstance(k, range) and k.step < 0 else k  # ascending, O(1)
    if isinstance(kr, range):
        if not kr:
            raise ValueError("k is empty; pass e.g. range(2, 11)")
        ks = None
    else:
        ks = sorted(check_int(kk, "k") for kk in ([k] if isinstance(k, numbers.Integral) else k))
        if not ks:
            raise ValueError("k is empty; pass e.g. range(2, 11)")
        if len(set(ks)) != len(ks):
            dup = sorted({a for a, b in zip(ks, ks[1:], strict=False) if a == b})
            raise ValueError(f"k has repeated values: {some(dup, len(dup))}")
    m = as_matrix(X, nan_policy=nan_policy)
    data = m.values if m.finite is None else m.values[m.finite]
    data = np.ascontiguousarray(data, dtype=np.float64)
    n = data.shape[0]
    if ks is None:
        first, step, last = kr.start, kr.step, kr[-1]
        length = (last - first) // step + 1
        # kr[i] for i in [i0, i1) lies in [2, n - 1]; -(-a // b) is ceil(a / b)
        i0 = min(length, max(0, -(-(2 - first) // step)))
        i1 = max(i0, min(length, (n - 1 - first) // step + 1))
        n_bad = length - (i1 - i0)
        bad = some(list(kr[: min(i0, 5)]) + list(kr[i1 : i1 + 5]), n_bad)
        ks = [] if n_bad else list(kr)
    else:
        bad_ks = [kk for kk in ks if not 2 <= kk <= n - 1]
        n_bad, bad = len(bad_ks), some(bad_ks, len(bad_ks))
    if n_bad:
        raise ValueError(
            f"every K must be between 2 and n_samples - 1 = {n - 1} for the silhouette; "
            f"got {bad}"
        )
    sample = None
    if sample_size is not None:
        sample_size = check_int(sample_size, "sample_size", low=2, high=n)
        seed = random_state if isinstance(random_state, numbers.Integral) else None
        sample = check_random_state(seed).permutation(n)[:sample_size]
    params = {"init": "k-means++", "max_iter": 300, "tol": 1e-4, "algorithm": "auto",
              "sample_weight": None}
    unknown = sorted(set(kmeans_params) - set(params))
    if unknown:
        raise TypeError(f"k_sweep got unexpected keyword arguments {unknown}")
    params.update(kmeans_params)
    sw = _check_weights(params.pop("sample_weight"), m.values.shape[0])
    if sw is not None and m.finite is not None:
        sw = np.ascontiguousarray(sw[m.finite])
    threads = check_n_threads(n_threads)
    scored = _unit_range(data)  # the scores ignore X's scale; the kernels' tolerances do not
    bar = _progress_bar(progress, len(ks), n)
    rows, models = [], {}
    try:
        for kk in ks:
            t0 = time.perf_counter()
            (labels, centers, inertia, n_iter, converged), _ = _fit_arrays(
                data, kk, n_init=n_init, sw=sw, random_state=random_state, n_threads=n_threads,
                **params,
            )
            sub_x = scored if sample is None else scored[sample]
            sub_l = labels if sample is None else labels[sample]
            sil = _score(lambda x, c, u: float(np.mean(
                _core.silhouette_samples(x, c, u, n_threads=threads))), sub_x, sub_l)
            ch, db = _score(lambda x, c, u: _core.cluster_validity(x, c, u, n_threads=threads),
                            scored, labels, default=(np.nan, np.nan))
            rows.append(
                {
                    "k": kk,
                    "silhouette": sil,
                    "inertia": float(inertia),
                    "calinski_harabasz": float(ch),
                    "davies_bouldin": float(db),
                    "n_iter": int(n_iter),
                    "converged": bool(converged),
                    "seconds": time.perf_counter() - t0,
                }
            )
            models[kk] = _result(m, labels, centers, inertia, n_iter, converged)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None and bar is not progress:
            bar.close()
    table = pd.DataFrame(rows).set_index("k")
    best_k = int(table["silhouette"].idxmax()) if table["silhouette"].notna().any() else ks[0]
    elbow = _elbow(np.asarray(ks, float), table["inertia"].to_numpy())
    return SweepResult(table, models, best_k, elbow, sample_size)
