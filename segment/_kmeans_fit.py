"""k-means on validated arrays: the part segment.cluster and segment.sweep share.

Seeding (k-means++, random rows, given or callable centres), the checks of
n_clusters and sample_weight, and :func:`fit_arrays`, which runs the C
kernels (through segment._sparse, dense or CSR) and returns the best run as a
:class:`Fit`. :func:`in_input_terms` puts labels and centres back in the
input's terms. Nothing here is public API: the names have no underscore only
so that both modules can import them.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from segment import _sparse
from segment._estimator import convergence_warning
from segment._validation import as_vector, check_int, check_n_threads, check_random_state

_ALGORITHMS = {"lloyd": 0, "hamerly": 1, "elkan": 1}
# Hamerly's bounds pay once there are enough centres to skip; measured in
# benchmarks/bench_kmeans_algorithms.py (see BENCHMARKS.md): since Lloyd
# computes 8 rows' distances per vector pass (with the common numbers of
# features unrolled), from K = 20, or K = 8 beyond 16 features.
_HAMERLY_MIN_K = 20
_HAMERLY_MIN_K_WIDE = 8
_HAMERLY_WIDE_D = 16
_HAMERLY_MAX_D = 64
# Past 16 MiB of data (BATCH_MIN_BYTES in csrc/seg_kmeans.c) Lloyd's runs
# share their passes; at a million rows x 8, K = 20, Lloyd took 5.3 s of CPU
# against Hamerly's 8.5-9.3 s (same answer; BENCHMARKS.md, issue 12). Hamerly
# then from K = 40, where it won on Paper B's features.
_BATCH_MIN_BYTES = 2**24
_HAMERLY_MIN_K_BIG = 40


class Fit(NamedTuple):
    """The best run of :func:`fit_arrays`."""

    labels: np.ndarray
    centers: np.ndarray
    inertia: float
    n_iter: int
    converged: bool


def draw_seed(rng: np.random.RandomState) -> int:
    return int(rng.randint(np.iinfo(np.int64).max, dtype=np.int64))


def resolve_algorithm(algorithm: str, k: int, d: int, n: int = 0, single: bool = False) -> int:
    if algorithm == "auto":
        if single:  # float32: Lloyd's 16 rows a pass (Hamerly would need a float64 copy)
            return 0
        wide = d > _HAMERLY_WIDE_D
        if wide:
            min_k = _HAMERLY_MIN_K_WIDE
        elif n * d * 8 > _BATCH_MIN_BYTES:
            min_k = _HAMERLY_MIN_K_BIG
        else:
            min_k = _HAMERLY_MIN_K
        return 1 if (k >= min_k and d <= _HAMERLY_MAX_D) else 0
    if algorithm not in _ALGORITHMS:
        raise ValueError(
            f"algorithm must be 'auto', 'lloyd', 'hamerly' or 'elkan', got {algorithm!r}"
        )
    return _ALGORITHMS[algorithm]


def resolve_n_init(n_init, init) -> int:
    if isinstance(n_init, str):
        if n_init != "auto":
            raise ValueError(f"n_init must be 'auto' or a positive integer, got {n_init!r}")
        # scikit-learn's rule: random draws (a string "random" or a callable,
        # which may draw) get 10 runs; k-means++ and given centres one.
        return 10 if (callable(init) or (isinstance(init, str) and init == "random")) else 1
    return check_int(n_init, "n_init", low=1)


def initial_centers(init, data, k, sw, rng, n_threads):
    """Centres to start a run from: k-means++, random rows, given or callable."""
    n, d = data.shape
    if isinstance(init, str):
        if init == "k-means++":
            return _sparse.kmeans_plusplus(
                data, k, sample_weight=sw, seed=draw_seed(rng), n_threads=n_threads
            ).centers
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
            return _sparse.take_rows_dense(
                data, rng.choice(n, size=k, replace=False, p=sw / sw.sum())
            )
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


def check_k(k, n: int) -> int:
    k = check_int(k, "n_clusters", low=1)
    if k > n:
        raise ValueError(
            f"n_samples={n} should be >= n_clusters={k}: X has {n} "
            f"sample{'s' if n != 1 else ''} (rows), fewer than n_clusters={k}; "
            f"choose n_clusters <= {n}"
        )
    return k


def check_weights(sample_weight, n: int) -> np.ndarray | None:
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


def lloyd_verbose(data, k, centers, sw, max_iter, tol, threads, run):
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
        if (
            previous is not None
            and np.array_equal(labels, previous)
            and (np.bincount(labels, weights, minlength=k) > 0).all()
        ):
            print(f"Converged at iteration {it}: strict convergence.")
            converged = True
            break
        step = _sparse.kmeans_fit_runs(
            data,
            k,
            init_centers=centers[None],
            sample_weight=sw,
            max_iter=1,
            tol=0.0,
            n_threads=threads,
        )
        inertia = step.inertia
        shift = float(np.sum((step.centers - centers) ** 2))
        previous, labels, centers = labels, step.labels, step.centers
        if shift <= tol:
            print(f"Converged at iteration {it}: center shift {shift} within tolerance {tol}.")
            converged = True
            break
    return Fit(labels, centers, inertia, it + 1, converged)


def fit_arrays(
    data, k, *, init, n_init, max_iter, tol, algorithm, sw, random_state, n_threads, verbose=0
):
    """k-means on a validated float64 or float32 C array (or CSR); returns the best run
    (a :class:`Fit`) and the number of runs made."""
    n, d = data.shape
    max_iter = check_int(max_iter, "max_iter", low=1, high=2**31 - 1)
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    if not math.isfinite(tol):
        raise ValueError(f"tol must be finite, got {tol!r}")
    n_init = resolve_n_init(n_init, init)
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
    single = isinstance(data, np.ndarray) and data.dtype == np.float32
    alg = resolve_algorithm(algorithm, k, d, n, single)
    if single and alg == 1:
        data = data.astype(np.float64)  # Hamerly's kernel is float64 only
    threads = check_n_threads(n_threads)
    rng = check_random_state(random_state)
    # scikit-learn's convention: tol is relative to the mean feature variance.
    abs_tol = _sparse.kmeans_mean_variance(data, n_threads=threads) * tol if tol > 0 else 0.0
    if isinstance(init, str) and init == "k-means++":
        seeds = np.array([draw_seed(rng) for _ in range(n_init)], dtype=np.uint64)
        starts = {"seeds": seeds}
    else:
        starts = {
            "init_centers": np.stack(
                [initial_centers(init, data, k, sw, rng, threads) for _ in range(n_init)]
            )
        }
    if verbose:
        best = None
        for r in range(n_init):
            init_r = (
                _sparse.kmeans_plusplus(
                    data, k, sample_weight=sw, seed=int(starts["seeds"][r]), n_threads=threads
                ).centers
                if "seeds" in starts
                else starts["init_centers"][r]
            )
            run = lloyd_verbose(data, k, init_r, sw, max_iter, abs_tol, threads, r)
            if best is None or run.inertia < best.inertia:
                best = run
    else:
        # All runs in one C call: in parallel over runs when there are enough
        # of them, keeping the lowest inertia (the first run on ties).
        runs = _sparse.kmeans_fit_runs(
            data,
            k,
            **starts,
            sample_weight=sw,
            max_iter=max_iter,
            tol=abs_tol,
            algorithm=alg,
            n_threads=threads,
        )
        best = Fit(runs.labels, runs.centers, runs.inertia, runs.n_iter, runs.converged)
    used = np.count_nonzero(np.bincount(best.labels, minlength=k))
    if used < k:
        # scikit-learn's wording first, so message filters written for it match
        warnings.warn(
            f"Number of distinct clusters ({used}) found smaller than n_clusters ({k}). "
            "Possibly due to duplicate points in X: X has fewer distinct points than "
            "clusters",
            convergence_warning(),
            stacklevel=3,
        )
    return best, n_init


def in_input_terms(m, labels, centers):
    """labels and centres in the input's terms: -1 for omitted rows, pandas
    objects on the DataFrame's index and columns."""
    if m.finite is not None:
        full = np.full(m.values.shape[0], -1, dtype=np.int32)
        full[m.finite] = labels
        labels = full
    if m.is_frame:
        labels = pd.Series(labels, index=m.index, name="cluster")
        centers = pd.DataFrame(centers, columns=m.columns)
        centers.index.name = "cluster"
    return labels, centers
