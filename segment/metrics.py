"""Cluster validity: the exact silhouette (any of its metrics, dense or
sparse) and the Calinski-Harabasz and Davies-Bouldin scores.

The arithmetic runs in the C core (csrc/seg_silhouette.c, seg_validity.c,
seg_sparse.c) with the GIL released; this module validates input and
labels (a labels Series is aligned on a DataFrame's index) and shapes the
results (pandas in, pandas out).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segment import _core, _sparse
from segment._progress import progress_bar
from segment._validation import (
    align_labels,
    as_matrix,
    as_vector,
    check_float_dtype,
    check_int,
    check_n_threads,
    check_random_state,
)

__all__ = [
    "calinski_harabasz_score",
    "davies_bouldin_score",
    "silhouette_samples",
    "silhouette_score",
    "silhouette_scores",
]

# ---------------------------------------------------------------------------
# Silhouette
# ---------------------------------------------------------------------------


def _encode_labels(labels, n: int) -> tuple[np.ndarray, int]:
    lab = as_vector(labels, "labels", n, dtype=None)  # 1-D, length n, any sortable values
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


def silhouette_samples(X, labels, *, metric="euclidean", n_threads: int | None = None,
                       dtype=None):
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
        rows are read as given (the kernel makes nothing n by n).
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
    dtype : None, numpy.float32 or numpy.float64
        The precision of the distances. None (default) follows X: float32 X
        stays float32 (no copy in float64), anything else is float64;
        ``numpy.float32`` lets float64 X opt in. In float32 the distances
        take twice the vector lanes and every row's sums over the blocks are
        float64: the silhouettes are within about 1e-6 of float64's. For
        euclidean, sqeuclidean and manhattan up to 256 features; cosine
        (``1 - x.y`` of nearby rows loses its digits in float32), wider data,
        ``"precomputed"``, a callable and sparse X run in float64.

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
    s = _silhouette(m, align_labels(labels, m.index), metric, n_threads, dtype)
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


def unit_range(data: np.ndarray) -> np.ndarray:
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


# float32 distances only where they keep a silhouette within 1e-6 of float64:
# not for cosine (1 - x.y of nearby unit rows loses most of its digits in
# float32: rows off by 1e-4 in a review's test), and not past 256 features (a
# distance's feature sum is float32: rows off by 1.3e-6 at 5,000 features).
# Elsewhere float64 runs instead: more precise, never less.
FLOAT32_METRICS = ("euclidean", "sqeuclidean", "manhattan")
FLOAT32_MAX_FEATURES = 256


def float32_wanted(dtype, values, metric="euclidean", name="dtype") -> bool:
    """Whether the silhouette runs in float32: dtype None follows X (float32
    stays float32, anything else is float64); numpy.float32 or float64 (or
    their names) choose. Cosine and data wider than FLOAT32_MAX_FEATURES
    always run in float64 (see FLOAT32_METRICS)."""
    dt = check_float_dtype(dtype, name)
    want = getattr(values, "dtype", None) == np.float32 if dt is None else dt == np.float32
    shape = getattr(values, "shape", ())
    wide = len(shape) == 2 and shape[1] > FLOAT32_MAX_FEATURES
    return bool(want) and metric in FLOAT32_METRICS and not wide


def float32_range(data: np.ndarray) -> np.ndarray:
    """data as a float32 C array, times a power of two when its largest
    |value| is outside [0.5, 2] (exact; float32's squares overflow near 1e19
    and underflow near 1e-19, where float64's only do at 1e154)."""
    top = max(float(np.max(data)), -float(np.min(data))) if data.size else 0.0
    if np.isfinite(top) and top > 0.0 and not 0.5 <= top <= 2.0:
        _, exponent = np.frexp(top)
        data = np.ldexp(np.asarray(data, dtype=np.float64), -int(exponent))
    return np.ascontiguousarray(data, dtype=np.float32)


def _silhouette(m, labels, metric, n_threads, dtype=None) -> np.ndarray:
    """The silhouettes of a validated matrix m (labels in its row order,
    metric as _silhouette_metric gives it)."""
    n_threads = check_n_threads(n_threads)
    single = float32_wanted(dtype, m.values, metric)
    if metric == "precomputed":
        _check_square(m)
    codes, k = _encode_labels(labels, m.values.shape[0])
    if isinstance(m.values, _sparse.CSR):
        return _sparse.silhouette_samples(m.values, codes, k, n_threads=n_threads)
    data = None if single and isinstance(metric, str) and metric != "precomputed" else (
        np.ascontiguousarray(m.values, dtype=np.float64))
    if metric == "precomputed":
        return _silhouette_precomputed(m, data, codes, k, n_threads)
    if callable(metric):
        return _silhouette_callable(data, metric, codes, k, n_threads)
    if single:
        return _core.silhouette_scores(float32_range(m.values), codes[None, :], [k],
                                       n_threads=n_threads, metric=metric, single=True)[0]
    return _core.silhouette_samples(unit_range(data), codes, k, n_threads=n_threads,
                                    metric=metric)


def silhouette_score(
    X,
    labels,
    *,
    metric="euclidean",
    sample_size: int | None = None,
    random_state=None,
    n_threads: int | None = None,
    dtype=None,
) -> float:
    """Mean silhouette coefficient over all rows (exact), or over a sample.

    ``metric`` is any of :func:`silhouette_samples`'s (default
    ``"euclidean"``; ``"precomputed"`` for a distance matrix X). With
    ``sample_size``, the silhouette of a random subset of rows computed
    within that subset (with ``"precomputed"``, those rows and the same
    columns), drawn exactly as scikit-learn draws it: the same integer
    ``random_state`` gives scikit-learn's value. A labels Series with a
    DataFrame X is aligned on X's index, as in :func:`silhouette_samples`;
    ``dtype`` as there (float32 X is scored in float32).

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
    return float(np.mean(_silhouette(m, labels, metric, n_threads, dtype)))


def _labelings(labelings, m) -> list:
    """Every labeling of `labelings` (a 2-D array, one labeling per row, or a
    sequence of label vectors) in X's row order; errors name the labeling."""
    if isinstance(labelings, pd.DataFrame):
        raise TypeError(
            "labelings must be a 2-D array (one labeling per row) or a list of label vectors, "
            "not a DataFrame; pass a list of its columns: [df[c] for c in df]"
        )
    if isinstance(labelings, np.ndarray) and labelings.ndim == 2:
        rows = list(labelings)
    elif isinstance(labelings, (str, bytes)) or not hasattr(labelings, "__len__"):
        raise TypeError(
            "labelings must be a 2-D array (one labeling per row) or a list of label vectors, "
            f"got {type(labelings).__name__}"
        )
    else:
        rows = list(labelings)
        if rows and np.ndim(rows[0]) == 0:
            raise ValueError(
                "labelings must be a 2-D array (one labeling per row) or a list of label "
                "vectors; got one vector of labels: pass [labels] (or use silhouette_score)"
            )
    if not rows:
        raise ValueError("labelings is empty: pass at least one labeling")
    return [align_labels(lab, m.index, name=f"labelings[{i}]") for i, lab in enumerate(rows)]


def _encode_labeling(labels, n: int, i: int) -> tuple[np.ndarray, int]:
    """_encode_labels naming the labeling at fault."""
    try:
        return _encode_labels(labels, n)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"labelings[{i}]: {exc}") from None


def _pairs_bar(progress, n: int):
    """The bar for `progress` (silhouette_scores' rules; total n (n - 1) / 2
    distance pairs), or None."""
    if progress is False:
        return None
    if progress is None:
        if not ("ipykernel" in __import__("sys").modules and n >= 20_000):
            return None
    elif progress is not True:
        if not callable(getattr(progress, "update", None)):
            raise TypeError(
                "progress must be True, False, None or an object with an update(n) method, "
                f"got {type(progress).__name__}"
            )
        return progress
    return progress_bar(n * (n - 1) // 2, desc="silhouette", unit="pairs")


def silhouette_scores(
    X,
    labelings,
    *,
    metric="euclidean",
    n_threads: int | None = None,
    progress=None,
    dtype=None,
) -> np.ndarray:
    """Mean silhouette coefficient of several labelings of the same rows,
    every pair's distance computed once.

    The score of each labeling equals :func:`silhouette_score` (exact, all
    rows; to round-off, about 1e-15), but the n^2 / 2 distances are computed
    once for all of them: each row's tuple of labels (one per labeling)
    plays the part of the label in the silhouette kernel, and each distance
    sum is added to the row's sums of every labeling. The K = 2..10
    solutions of a k-means sweep share most of their boundaries, so their
    nine silhouettes cost little more than one. Labelings that are
    unrelated to each other (many small tuples of labels) cost more, up to
    about one silhouette per labeling. Memory is O(n * sum of the numbers of
    clusters + n * n_features), never n by n.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n_samples, n_features)
        The rows (as in :func:`silhouette_samples`).
    labelings : 2-D array of shape (n_labelings, n_samples), or a sequence of label vectors
        One labeling per row (or item): each as ``labels`` of
        :func:`silhouette_samples` (any sortable values, 2 to n_samples - 1
        distinct; a Series with a DataFrame X is aligned on X's index).
    metric : str or callable, default "euclidean"
        Any of :func:`silhouette_samples`'s. ``"euclidean"``,
        ``"sqeuclidean"``, ``"manhattan"`` and ``"cosine"`` (and their
        aliases) take the one pass; ``"precomputed"``, a callable and sparse
        X are scored one labeling at a time.
    n_threads : int, optional
        OpenMP threads; the result is bit-identical for any count.
    progress : bool, None or object with ``update(n)``
        True shows a bar of the distance pairs done (tqdm when installed,
        else a line on stderr); False none; None (default) a bar in a
        notebook for 20,000 rows or more; an object with ``update(n)`` gets
        the pairs done since its last call (from the calling thread).
    dtype : None, numpy.float32 or numpy.float64
        As in :func:`silhouette_samples`: float32 X is scored in float32
        distances with float64 sums (within about 1e-6 of float64), which
        is faster; ``numpy.float32`` opts float64 X in.

    Returns
    -------
    ndarray of float64, shape (n_labelings,)
        The mean silhouette of each labeling, in the order given.

    Examples
    --------
    >>> import segment as sg
    >>> X = [[0.0], [1.0], [10.0], [11.0], [20.0]]
    >>> sg.silhouette_scores(X, [[0, 0, 1, 1, 1], [0, 0, 1, 1, 2]]).round(4).tolist()
    [0.6611, 0.7166]
    """
    metric = _silhouette_metric(metric)
    m = _silhouette_input(X, metric)
    n = m.values.shape[0]
    rows = _labelings(labelings, m)
    if callable(metric) or metric == "precomputed" or isinstance(m.values, _sparse.CSR):
        scores = []
        for i, lab in enumerate(rows):
            _encode_labeling(lab, n, i)  # names the labeling at fault
            scores.append(np.mean(_silhouette(m, lab, metric, n_threads, dtype)))
        return np.array(scores)
    n_threads = check_n_threads(n_threads)
    coded = [_encode_labeling(lab, n, i) for i, lab in enumerate(rows)]
    codes = np.ascontiguousarray(np.stack([c for c, _ in coded]), dtype=np.int32)
    ks = np.array([k for _, k in coded], dtype=np.int64)
    single = float32_wanted(dtype, m.values, metric)
    data = (float32_range(m.values) if single
            else unit_range(np.ascontiguousarray(m.values, dtype=np.float64)))
    s = silhouette_pass(data, codes, ks, metric=metric, n_threads=n_threads, single=single,
                        progress=progress)
    return s.mean(axis=1)


def silhouette_pass(data, codes, ks, *, metric, n_threads, single, progress) -> np.ndarray:
    """Every labeling's per-row silhouettes (n_labelings x n) from one pass
    of the kernel over prepared data (unit_range or float32_range) and
    encoded labelings, with the pairs bar `progress` asks for (_pairs_bar's
    rules), closed afterwards when it is ours. silhouette_scores and k_sweep
    call it."""
    bar = _pairs_bar(progress, data.shape[0])
    try:
        return _core.silhouette_scores(data, codes, ks, n_threads=n_threads, metric=metric,
                                       progress=None if bar is None else bar.update,
                                       single=single)
    finally:
        if bar is not None and bar is not progress:
            bar.close()


# Nanoseconds per pair of rows and thread of the silhouette kernel, by metric:
# max(floor, intercept + slope * n_features), fitted to one thread at 2, 8 and
# 32 features (30,000 rows, x86-64-v4, December 2026; benchmarks/
# bench_silhouette_sweep.py checks the estimate against the measured time).
_NS_PER_PAIR = {
    "euclidean": (1.08, 0.056, 0.1434),
    "sqeuclidean": (0.235, -0.32, 0.132),
    "manhattan": (0.414, -0.554, 0.1387),
    "cosine": (0.538, 0.206, 0.0917),
}
# Extra cost of each further labeling in one pass (K = 2..10 k-means
# solutions of Paper B's features: nine labelings take about 1.2 times one).
_PER_LABELING = 0.025
# float32's time over float64's (Paper B's 8 features, euclidean).
_FLOAT32_FACTOR = 0.4


def silhouette_seconds(n: int, d: int, *, n_labelings: int = 1, metric: str = "euclidean",
                        dtype="float64", n_threads: int | None = None) -> float:
    """The time silhouette_scores should take on this kind of machine: a
    throughput model of n (n + 1) / 2 pairs at the kernel's measured cost per
    pair for d features, the metric and the dtype, shared by the threads
    (segment run prints it before it starts)."""
    floor, intercept, slope = _NS_PER_PAIR[_SILHOUETTE_METRICS.get(metric, "euclidean")]
    ns = max(floor, intercept + slope * d) * (1 + _PER_LABELING * (n_labelings - 1))
    if np.dtype(dtype) == np.float32:
        ns *= _FLOAT32_FACTOR
    threads = min(check_n_threads(n_threads) or _core.max_threads(), _core.max_threads())
    return n * (n + 1) / 2 * ns * 1e-9 / max(1, threads)


def _validity(X, labels, n_threads):
    m = as_matrix(X, min_rows=3)
    data = np.ascontiguousarray(m.values, dtype=np.float64)
    codes, k = _encode_labels(align_labels(labels, m.index), data.shape[0])
    return _core.cluster_validity(unit_range(data), codes, k,
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
    return float(_validity(X, labels, n_threads).calinski_harabasz)


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
    return float(_validity(X, labels, n_threads).davies_bouldin)


