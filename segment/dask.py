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

This module needs Dask: ``pip install "segment-kit[dask]"``; ``import
segment`` never imports it.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

try:
    import dask
    import dask.array as da
    import dask.dataframe as dd
except ImportError as exc:  # pragma: no cover - exercised only without dask
    raise ImportError(
        'segment.dask needs Dask (dask.array, dask.dataframe); install it with: '
        'pip install "segment-kit[dask]"'
    ) from exc

from segment import _core, features
from segment._parsing import date_value
from segment._validation import (
    align_labels,
    as_matrix,
    check_feature_names,
    check_int,
    check_random_state,
    feature_names,
)
from segment.cluster import NotFittedError
from segment.contracts import DATE_COLUMNS

__all__ = [
    "KMeans",
    "SilhouetteEstimate",
    "customer_features",
    "silhouette_samples",
    "silhouette_score",
]

# Rows per chunk when an in-memory array is handed in.
_DEFAULT_CHUNK_ROWS = 100_000
# k-means|| rounds when init_max_iter is None: Bahmani et al. (2012) prove
# O(log psi) rounds suffice and report that in practice a constant number
# does; their experiments use r = 5.
_DEFAULT_ROUNDS = 5
# Weighted k-means++ starts when reclustering the k-means|| candidates.
_RECLUSTER_STARTS = 10
# Extra k-means|| rounds allowed when fewer than n_clusters candidates came out.
_MAX_EXTRA_ROUNDS = 20
# Above this many rows the exact silhouette (n^2 / 2 distances) warns.
_EXACT_SILHOUETTE_WARN = 500_000


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


@dataclass
class _Data:
    """A validated (n, d) float dask array cut into row chunks only."""

    array: da.Array  # one column chunk; rows as the user chunked them
    n: int
    d: int
    columns: pd.Index | None  # a DataFrame's columns
    index: pd.Index | None = None  # an in-memory DataFrame's index (labels align on it)

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.array.chunks[0])[:-1]]).astype(np.int64)

    @property
    def n_chunks(self) -> int:
        return len(self.array.chunks[0])


def _is_dask(obj) -> bool:
    return isinstance(obj, (da.Array, dd.DataFrame, dd.Series))


def _as_data(X, name: str = "X") -> _Data:
    """A dask array / DataFrame (or an in-memory array, cut into chunks of
    100,000 rows) as float64-able row chunks, with clear messages."""
    columns = index = None
    if isinstance(X, dd.Series):
        raise ValueError(
            f"{name} must be 2-dimensional; got a dask Series. Use {name}.to_frame() for one "
            "feature."
        )
    if isinstance(X, dd.DataFrame):
        bad = [
            c
            for c, dt in X.dtypes.items()
            if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))
            or pd.api.types.is_complex_dtype(dt)
        ]
        if bad:
            raise TypeError(
                f"{name} has non-numeric columns {bad[:10]}; encode or drop them before "
                "clustering"
            )
        columns = X.columns
        arr = X.to_dask_array(lengths=True)
    elif isinstance(X, da.Array):
        arr = X
    else:
        m = as_matrix(X, name)
        arr = da.from_array(np.asarray(m.values), chunks=(_DEFAULT_CHUNK_ROWS, -1))
        columns, index = m.columns, m.index
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-dimensional (samples x features), got {arr.ndim} dimension(s) "
            f"with shape {arr.shape}"
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    if any(math.isnan(c) for c in arr.chunks[0]):
        arr = arr.compute_chunk_sizes()
    if len(arr.chunks[1]) > 1:
        arr = arr.rechunk({1: -1})
    n, d = (int(s) for s in arr.shape)
    if d == 0:
        raise ValueError(f"{name} has 0 features (shape={arr.shape}); at least 1 is required")
    if n == 0:
        raise ValueError(f"{name} has 0 samples (rows); at least 1 is required")
    return _Data(arr, n, d, columns, index)


def _as_weights(sample_weight, data: _Data) -> da.Array | None:
    """Sample weights as a 1-D dask array chunked like X's rows."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, dd.Series):
        w = sample_weight.to_dask_array(lengths=True)
    elif isinstance(sample_weight, da.Array):
        w = sample_weight
    else:
        if isinstance(sample_weight, (pd.Series, pd.Index)):
            sample_weight = sample_weight.to_numpy()
        w = da.from_array(np.asarray(sample_weight), chunks=-1)
    if w.ndim != 1:
        raise ValueError(f"sample_weight must be 1-dimensional, got shape {w.shape}")
    if any(math.isnan(c) for c in w.chunks[0]):
        w = w.compute_chunk_sizes()
    if w.shape[0] != data.n:
        raise ValueError(f"sample_weight has length {w.shape[0]} but X has {data.n} samples")
    if w.dtype.kind not in "biuf":
        raise TypeError(f"sample_weight must be numeric, got dtype {w.dtype}")
    if w.chunks[0] != data.array.chunks[0]:
        w = w.rechunk((data.array.chunks[0],))
    return w


def _check_weight_values(w: da.Array) -> None:
    """One pass over the weights: finite, >= 0, positive sum (rows named)."""
    w = w.astype(np.float64)
    bad = ~da.isfinite(w) | (w < 0)
    n_bad, total = dask.compute(bad.sum(), da.where(bad, 0.0, w).sum())
    if n_bad:
        rows = da.flatnonzero(bad).compute()[:10].tolist()
        raise ValueError(f"sample_weight must be finite and >= 0; not so at rows {rows}")
    if not total > 0:
        raise ValueError("sample_weight is all zero: at least one weight must be positive")


def _blocks(arr: da.Array | None, n_chunks: int) -> list:
    """One Delayed per row chunk (None for every chunk without an array)."""
    if arr is None:
        return [None] * n_chunks
    return list(arr.to_delayed().ravel())


def _first_rows(bad: np.ndarray, offset: int) -> list:
    return (np.flatnonzero(bad)[:10] + offset).tolist()


def _chunk_error(exc: Exception, x, w, offset: int) -> Exception:
    """The core's terse ValueError for a chunk, reworded with global rows."""
    x = np.asarray(x)
    bad = ~np.isfinite(x).all(axis=1) if x.ndim == 2 else np.zeros(0, bool)
    if bad.any():
        return ValueError(
            f"X has NaN or infinite values in rows {_first_rows(bad, offset)}; drop them "
            "first, e.g. X[da.isfinite(X).all(axis=1)]"
        )
    if w is not None:
        w = np.asarray(w, dtype=np.float64)
        wbad = ~np.isfinite(w) | (w < 0)
        if wbad.any():
            return ValueError(
                f"sample_weight must be finite and >= 0; not so at rows "
                f"{_first_rows(wbad, offset)}"
            )
    if "NaN or infinity" in str(exc):
        return ValueError(
            f"X has values so large that squared distances overflow (rows {offset}..."
            f"{offset + len(x) - 1}); rescale the features"
        )
    return exc


# ---------------------------------------------------------------------------
# Per-chunk tasks: one C call each (module-level, so that workers unpickle them)
# ---------------------------------------------------------------------------


def _chunk_step(x, w, centers, offset, n_far):
    try:
        return _core.kmeans_step(x, centers, sample_weight=w, offset=offset, n_far=n_far)
    except ValueError as exc:
        raise _chunk_error(exc, x, w, offset) from None


def _chunk_nearest(x, w, state, candidates, first, n_candidates, offset):
    closest, nearest = (None, None) if state is None else (state[0], state[1])
    try:
        return _core.kmeans_step_nearest(
            x, candidates, first, n_candidates, closest=closest, nearest=nearest,
            sample_weight=w,
        )
    except ValueError as exc:
        raise _chunk_error(exc, x, w, offset) from None


def _chunk_sample(x, w, state, ell, phi, seed, offset):
    picked = _core.kmeans_step_sample(state[0], ell, phi, seed, sample_weight=w)
    return np.ascontiguousarray(np.asarray(x)[picked], dtype=np.float64), picked + offset


def _chunk_rows(x, local):
    return np.ascontiguousarray(np.asarray(x)[np.asarray(local, dtype=np.intp)], dtype=np.float64)


def _chunk_weight_sum(w):
    return float(np.sum(np.asarray(w, dtype=np.float64)))


def _chunk_weight_search(w, value):
    cum = np.cumsum(np.asarray(w, dtype=np.float64))
    return min(int(np.searchsorted(cum, value, side="left")), len(cum) - 1)


def _chunk_predict(x, centers, block_info=None):
    x = np.asarray(x)
    if x.shape[0] == 0:
        return np.zeros(0, dtype=np.int32)
    try:
        return _core.kmeans_predict(x, centers, n_threads=1)[0]
    except ValueError as exc:
        offset = block_info[0]["array-location"][0][0] if block_info else 0
        raise _chunk_error(exc, x, None, offset) from None


def _chunk_transform(x, centers, block_info=None):
    x = np.asarray(x)
    if x.shape[0] == 0:
        return np.zeros((0, centers.shape[0]))
    try:
        return _core.kmeans_transform(x, centers, n_threads=1)
    except ValueError as exc:
        offset = block_info[0]["array-location"][0][0] if block_info else 0
        raise _chunk_error(exc, x, None, offset) from None


# ---------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------


def _mix(base: int, *keys: int) -> int:
    """A 64-bit seed from a run's base seed and a position (round, chunk):
    independent streams that depend on nothing else."""
    ss = np.random.SeedSequence([base, *keys])
    return int(ss.generate_state(1, dtype=np.uint64)[0])


# ---------------------------------------------------------------------------
# k-means|| and Lloyd over chunks
# ---------------------------------------------------------------------------


def _fetch_rows(xb, offsets, rows) -> np.ndarray:
    """The given global rows, in the given order."""
    rows = np.asarray(rows, dtype=np.int64)
    chunk = np.searchsorted(offsets, rows, side="right") - 1
    tasks = []
    for c in np.unique(chunk):
        sel = np.flatnonzero(chunk == c)
        tasks.append((sel, dask.delayed(_chunk_rows, pure=True)(xb[c], rows[sel] - offsets[c])))
    got = dask.compute(*[t for _, t in tasks])
    out = None
    for (sel, _), block in zip(tasks, got, strict=True):
        if out is None:
            out = np.empty((len(rows), block.shape[1]))
        out[sel] = block
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():  # a seed row: name it here rather than as "centers contain NaN"
        raise ValueError(
            f"X has NaN or infinite values in rows {rows[bad][:10].tolist()}; drop them "
            "first, e.g. X[da.isfinite(X).all(axis=1)]"
        )
    return out


def _first_centre(data: _Data, xb, wb, base: int) -> np.ndarray:
    """Bahmani et al.'s step 1: one row at random (in proportion to its
    weight with sample weights)."""
    u = np.random.default_rng(_mix(base, 0)).random()
    offsets = data.offsets
    if wb[0] is None:
        row = min(int(u * data.n), data.n - 1)
        return _fetch_rows(xb, offsets, [row])
    totals = dask.compute(*[dask.delayed(_chunk_weight_sum, pure=True)(w) for w in wb])
    cum = np.cumsum(totals)
    value = u * cum[-1]
    c = min(int(np.searchsorted(cum, value, side="left")), len(cum) - 1)
    while totals[c] <= 0 and c + 1 < len(cum):  # never a chunk without weight
        c += 1
    before = cum[c - 1] if c > 0 else 0.0
    (local,) = dask.compute(
        dask.delayed(_chunk_weight_search, pure=True)(wb[c], value - before)
    )
    return _fetch_rows(xb, offsets, [offsets[c] + local])


def _kmeans_parallel(data: _Data, xb, wb, k: int, ell: float, rounds: int, base: int):
    """k-means|| (Bahmani et al. 2012, Algorithm 2; steps 1-8 with the
    candidates' weights): returns (k initial centres, number of candidates).
    Each pass over the data is one C call per chunk; the per-row state
    (distance to and number of the nearest candidate) stays on the workers
    between rounds."""
    offsets = data.offsets
    nearest = dask.delayed(_chunk_nearest, pure=True)
    sample = dask.delayed(_chunk_sample, pure=True)

    cand = _first_centre(data, xb, wb, base)
    states = dask.persist(
        *[nearest(x, w, None, cand, 0, 1, int(o)) for x, w, o in zip(xb, wb, offsets, strict=True)]
    )

    def cost_and_weights(states):
        parts = dask.compute(*[(s[2], s[3]) for s in states])
        phi = 0.0
        for p in parts:  # chunk order
            phi += p[0]
        return phi, parts

    phi, parts = cost_and_weights(states)
    if not phi >= 0 or not math.isfinite(phi):
        raise ValueError("X has values so large that squared distances overflow; rescale it")
    r = 0
    while r < rounds or (len(cand) < k and r < rounds + _MAX_EXTRA_ROUNDS):
        if phi <= 0.0:
            break  # every row sits on a candidate
        picks = dask.compute(
            *[
                sample(x, w, s, float(ell), phi, _mix(base, 1, r, c), int(o))
                for c, (x, w, s, o) in enumerate(zip(xb, wb, states, offsets, strict=True))
            ]
        )
        r += 1
        new = [p[0] for p in picks if len(p[0])]
        if not new:
            continue
        new = np.concatenate(new)  # chunk order, row order within a chunk
        first = len(cand)
        cand = np.concatenate([cand, new])
        states = dask.persist(
            *[
                nearest(x, w, s, new, first, len(cand), int(o))
                for x, w, s, o in zip(xb, wb, states, offsets, strict=True)
            ]
        )
        phi, parts = cost_and_weights(states)
    weights = np.zeros(len(cand))
    for p in parts:  # chunk order
        weights += p[1]
    n_cand = len(cand)
    if n_cand < k:
        # Fewer distinct rows than clusters (phi reached 0): repeat candidates
        # with weight 0; Lloyd's empty-cluster rule takes it from there.
        extra = np.resize(np.arange(n_cand), k - n_cand)
        cand = np.concatenate([cand, cand[extra]])
        weights = np.concatenate([weights, np.zeros(k - n_cand)])
    # Step 8: recluster the weighted candidates into k: weighted greedy
    # k-means++ (segment.KMeans' seeding, weights as multiplicities), each
    # start refined by weighted Lloyd on the candidates; the start with the
    # lowest weighted inertia wins. A few hundred points: microseconds, and it
    # keeps one unlucky k-means++ draw from deciding the local minimum.
    best = None
    for t in range(_RECLUSTER_STARTS):
        start, _ = _core.kmeans_plusplus(
            cand, k, sample_weight=weights, seed=_mix(base, 2, t), n_threads=1
        )
        _, centers, inertia, _, _ = _core.kmeans_fit(
            cand, start, sample_weight=weights, max_iter=300, tol=0.0, algorithm=0, n_threads=1
        )
        if best is None or inertia < best[0]:
            best = (inertia, centers)
    return best[1], n_cand


def _random_rows(data: _Data, xb, k: int, base: int) -> np.ndarray:
    rows = np.random.default_rng(_mix(base, 3)).choice(data.n, size=k, replace=False)
    return _fetch_rows(xb, data.offsets, rows)


def _lloyd(data: _Data, xb, wb, centers: np.ndarray, max_iter: int, abs_tol: float):
    """Lloyd iterations, one C call per chunk per iteration, merged in chunk
    order: (centres, inertia, n_iter, converged, cluster weights)."""
    k = centers.shape[0]
    step = dask.delayed(_chunk_step, pure=True)
    offsets = data.offsets

    def one_pass(c, n_far):
        return dask.compute(
            *[step(x, w, c, int(o), n_far) for x, w, o in zip(xb, wb, offsets, strict=True)]
        )

    converged = False
    exact = None
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        parts = one_pass(centers, k)
        sums = np.stack([p[0] for p in parts])
        weights = np.stack([p[1] for p in parts])
        new, shift, _ = _core.kmeans_step_merge(
            sums,
            weights,
            centers,
            far_dist=np.concatenate([p[4] for p in parts]),
            far_label=np.concatenate([p[5] for p in parts]),
            far_weight=np.concatenate([p[6] for p in parts]),
            far_rows=np.concatenate([p[7] for p in parts]),
        )
        if np.array_equal(new, centers):
            # Labels did not change: the pass just made was already against
            # the final centres, so its sums are final.
            sse = 0.0
            for p in parts:
                sse += p[2]
            exact = (sse, weights.sum(axis=0))
            converged = True
            break
        centers = new
        if shift <= abs_tol:
            converged = True
            break
    if exact is None:
        parts = one_pass(centers, 0)
        sse = 0.0
        for p in parts:
            sse += p[2]
        exact = (sse, np.stack([p[1] for p in parts]).sum(axis=0))
    return centers, float(exact[0]), n_iter, converged, exact[1]


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


def _check_real(value, name, low=None, strict=False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if low is not None and (value <= low if strict else value < low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low}, got {value!r}")
    return float(value)


class KMeans:
    """k-means on a dask array or DataFrame, with the C kernel on every chunk.

    The same estimator conventions as :class:`segment.KMeans`
    (``get_params``/``set_params``, ``fit``, ``predict``, ``fit_predict``,
    ``transform``, ``fit_transform``, ``score``, trailing-underscore
    attributes), for data too large for one machine: every Lloyd iteration is
    one pass in which each chunk makes one C call (labels, per-cluster
    weighted sums and weights, squared error, the chunk's farthest rows for
    re-seeding empty clusters) and ships back only those small arrays; the
    client merges them in chunk order. From the same initial centres the
    result equals :class:`segment.KMeans` on the data in memory (to round-off
    in the merged sums).

    Parameters
    ----------
    n_clusters : int
        Number of clusters, 1 <= n_clusters <= n_samples.
    init : {"k-means||", "random"} or array of shape (n_clusters, n_features)
        "k-means||" (Bahmani et al. 2012): a first centre drawn at random
        (in proportion to sample weight), then ``init_max_iter`` rounds that
        each pick every row independently with probability
        ``min(1, oversampling_factor * n_clusters * w * d^2 / phi)`` (d the
        distance to the nearest candidate, phi the weighted sum of d^2),
        then the candidates, weighted by the (sample) weight of the rows
        nearest to them, are reclustered into n_clusters centres: weighted
        greedy k-means++, refined by weighted Lloyd on the candidates, best
        of 10 starts (a few hundred points: no pass over X). "random":
        n_clusters distinct rows drawn uniformly. An array: these centres.
    n_init : int
        Runs from different seeds; the lowest inertia wins.
    max_iter : int
        Maximum Lloyd iterations per run.
    tol : float
        A run converges when the summed squared centre shift is at most
        ``tol`` times the mean feature variance (segment.KMeans' and
        scikit-learn's convention), or when no label changes.
    random_state : None, int, numpy RandomState or Generator
        Seeds the initialisation. With a fixed chunking the same value gives
        a bit-identical result on any scheduler and number of workers.
    oversampling_factor : float
        Bahmani et al.'s l / k: each k-means|| round draws about
        ``oversampling_factor * n_clusters`` candidates.
    init_max_iter : int, optional
        k-means|| rounds; None means 5 (Bahmani et al.'s experiments). More
        rounds run, up to 20, while fewer than n_clusters candidates exist.

    Attributes
    ----------
    cluster_centers_ : ndarray, shape (n_clusters, n_features)
    labels_ : dask array of int32, shape (n_samples,)
        Lazy: the nearest centre of every row of the X given to fit, chunked
        like X's rows (a dask DataFrame's partitions).
    inertia_ : float
        Sum of (weighted) squared distances of the rows to their centres.
    n_iter_ : int
        Lloyd iterations of the best run.
    converged_ : bool
    n_candidates_ : int or None
        k-means|| candidates of the best run (None for other inits).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> import segment.dask as sgd
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(c, 0.1, size=(500, 2)) for c in (0, 3, 6)])
    >>> X = da.from_array(X, chunks=(250, 2))
    >>> km = sgd.KMeans(3, random_state=0).fit(X)
    >>> np.sort(km.cluster_centers_[:, 0]).round().astype(int).tolist()
    [0, 3, 6]
    >>> np.bincount(km.labels_.compute()).tolist()
    [500, 500, 500]
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means||",
        n_init=1,
        max_iter=300,
        tol=1e-4,
        random_state=None,
        oversampling_factor=2,
        init_max_iter=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.oversampling_factor = oversampling_factor
        self.init_max_iter = init_max_iter

    # -- scikit-learn conventions ------------------------------------------

    _PARAMS = (
        "init",
        "init_max_iter",
        "max_iter",
        "n_clusters",
        "n_init",
        "oversampling_factor",
        "random_state",
        "tol",
    )

    def get_params(self, deep=True):
        """Parameters of this estimator, as a dict."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params):
        """Set parameters; unknown names raise ValueError. Returns self."""
        for key, value in params.items():
            if key not in self._PARAMS:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}; "
                    f"valid parameters are {list(self._PARAMS)}"
                )
            setattr(self, key, value)
        return self

    def __repr__(self):
        defaults = type(self)().get_params()
        changed = []
        for key, value in self.get_params().items():
            default = defaults[key]
            same = value is default or (
                type(value) is type(default)
                and not isinstance(value, np.ndarray)
                and value == default
            )
            if not same:
                changed.append(f"{key}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    # -- fitting -----------------------------------------------------------

    def _check_params(self, data: _Data):
        k = check_int(self.n_clusters, "n_clusters", low=1)
        if k > data.n:
            raise ValueError(
                f"X has {data.n} sample{'s' if data.n != 1 else ''} (rows), fewer than "
                f"n_clusters={k}; choose n_clusters <= {data.n}"
            )
        n_init = check_int(self.n_init, "n_init", low=1)
        max_iter = check_int(self.max_iter, "max_iter", low=1)
        tol = _check_real(self.tol, "tol", low=0)
        ell = _check_real(self.oversampling_factor, "oversampling_factor", low=0, strict=True)
        rounds = (
            _DEFAULT_ROUNDS
            if self.init_max_iter is None
            else check_int(self.init_max_iter, "init_max_iter", low=0)
        )
        init = self.init
        if isinstance(init, str):
            if init not in ("k-means||", "random"):
                raise ValueError(
                    f"init must be 'k-means||', 'random' or an array of shape (n_clusters, "
                    f"n_features); got {init!r}"
                )
        else:
            if isinstance(init, pd.DataFrame):
                init = init.to_numpy()
            init = np.asarray(init)
            if init.dtype.kind not in "biuf":
                raise TypeError(f"init centres must be numeric, got dtype {init.dtype}")
            init = np.ascontiguousarray(init, dtype=np.float64)
            if init.shape != (k, data.d):
                raise ValueError(
                    f"init has shape {init.shape}; it must be (n_clusters, n_features) = "
                    f"({k}, {data.d})"
                )
            if not np.isfinite(init).all():
                raise ValueError("init centres contain NaN or infinity")
            if n_init != 1:
                warnings.warn(
                    f"explicit initial centres given: n_init={n_init} runs would all be the "
                    "same; running once",
                    RuntimeWarning,
                    stacklevel=3,
                )
                n_init = 1
        return k, init, n_init, max_iter, tol, ell * k, rounds

    def fit(self, X, y=None, sample_weight=None):
        """Compute the clustering. y is ignored. Returns self.

        X is a dask array or DataFrame (an in-memory array is cut into chunks
        of 100,000 rows); it is persisted (kept in the cluster's memory) for
        the duration of the fit. sample_weight: array-like or dask array of
        n non-negative weights with a positive sum.
        """
        data = _as_data(X)
        k, init, n_init, max_iter, tol, ell, rounds = self._check_params(data)
        w = _as_weights(sample_weight, data)
        rng = check_random_state(self.random_state)

        held = data.array.persist()
        wheld = None
        if w is not None:
            wheld = w.persist()
            _check_weight_values(wheld)
        xb = _blocks(held, data.n_chunks)
        wb = _blocks(wheld, data.n_chunks)
        abs_tol = 0.0
        if tol > 0:
            # segment.KMeans' convention: tol relative to the mean feature variance.
            abs_tol = float(held.astype(np.float64).var(axis=0).mean().compute()) * tol

        best = None
        for _ in range(n_init):
            base = int(rng.randint(np.iinfo(np.int64).max, dtype=np.int64))
            n_cand = None
            if isinstance(init, str) and init == "k-means||":
                centers0, n_cand = _kmeans_parallel(data, xb, wb, k, ell, rounds, base)
            elif isinstance(init, str):
                centers0 = _random_rows(data, xb, k, base)
            else:
                centers0 = init.copy()
            run = _lloyd(data, xb, wb, centers0, max_iter, abs_tol)
            if best is None or run[1] < best[0][1]:
                best = (run, n_cand)
        (centers, inertia, n_iter, converged, cluster_weight), n_cand = best
        empty = int(np.sum(~(cluster_weight > 0)))
        if empty:
            warnings.warn(
                f"{empty} of n_clusters={k} clusters ended with no (weighted) rows: X has fewer "
                "distinct points than clusters",
                RuntimeWarning,
                stacklevel=2,
            )
        self.cluster_centers_ = centers
        self.inertia_ = inertia
        self.n_iter_ = int(n_iter)
        self.converged_ = bool(converged)
        self.n_candidates_ = n_cand
        self.n_features_in_ = data.d
        names = feature_names(data.columns)
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.labels_ = self._labels(data)
        return self

    def _check_fitted(self):
        if not hasattr(self, "cluster_centers_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call fit first"
            )

    def _validate_predict_X(self, X) -> _Data:
        self._check_fitted()
        check_feature_names(self, X)
        data = _as_data(X)
        if data.d != self.n_features_in_:
            raise ValueError(
                f"X has {data.d} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input"
            )
        return data

    def _labels(self, data: _Data) -> da.Array:
        return data.array.map_blocks(
            _chunk_predict, self.cluster_centers_, dtype=np.int32, drop_axis=1
        )

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return labels_ (a lazy dask array)."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def predict(self, X, sample_weight=None):
        """Index of the nearest centre of every row: a lazy int32 dask array
        chunked like X's rows."""
        return self._labels(self._validate_predict_X(X))

    def transform(self, X):
        """Euclidean distance of every row to every centre: a lazy dask
        array of shape (n, n_clusters)."""
        data = self._validate_predict_X(X)
        k = self.cluster_centers_.shape[0]
        return data.array.map_blocks(
            _chunk_transform,
            self.cluster_centers_,
            dtype=np.float64,
            chunks=(data.array.chunks[0], (k,)),
        )

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then transform X."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the (weighted) inertia of X against the centres (computed)."""
        data = self._validate_predict_X(X)
        w = _as_weights(sample_weight, data)
        xb = _blocks(data.array, data.n_chunks)
        wb = _blocks(w, data.n_chunks)
        step = dask.delayed(_chunk_step, pure=True)
        parts = dask.compute(
            *[
                step(x, ww, self.cluster_centers_, int(o), 0)
                for x, ww, o in zip(xb, wb, data.offsets, strict=True)
            ]
        )
        total = 0.0
        for p in parts:
            total += p[2]
        return -float(total)


# ---------------------------------------------------------------------------
# Silhouette
# ---------------------------------------------------------------------------


def _as_labels(labels, data: _Data) -> da.Array:
    if isinstance(labels, dd.Series):
        lab = labels.to_dask_array(lengths=True)
    elif isinstance(labels, da.Array):
        lab = labels
    else:
        lab = da.from_array(np.asarray(align_labels(labels, data.index)), chunks=-1)
    if lab.ndim != 1:
        raise ValueError(f"labels must be 1-dimensional, got shape {lab.shape}")
    if any(math.isnan(c) for c in lab.chunks[0]):
        lab = lab.compute_chunk_sizes()
    if lab.shape[0] != data.n:
        raise ValueError(f"labels has length {lab.shape[0]} but X has {data.n} samples")
    if lab.chunks[0] != data.array.chunks[0]:
        lab = lab.rechunk((data.array.chunks[0],))
    return lab


def _chunk_codes(lab, uniques):
    lab = np.asarray(lab)
    codes = np.searchsorted(uniques, lab)
    return np.ascontiguousarray(codes, dtype=np.int32)


def _chunk_counts(codes, k):
    return np.bincount(codes, minlength=k).astype(np.int64)


def _encode(labels, data: _Data, persist: bool):
    """Labels as int32 codes (dask array, chunked like X; persisted if asked:
    the caller then keeps it referenced while using its blocks), the
    per-chunk cluster sizes (n_chunks, k) and the label values."""
    lab = _as_labels(labels, data)
    if lab.dtype.kind == "f":
        if not bool(da.isfinite(lab).all().compute()):
            raise ValueError("labels contain NaN or infinity")
    try:
        uniques = np.unique(da.unique(lab).compute())
    except TypeError:
        raise TypeError("labels must be sortable values of one type (ints or strings)") from None
    k = uniques.size
    if not 2 <= k <= data.n - 1:
        raise ValueError(
            f"the silhouette needs between 2 and n_samples - 1 = {data.n - 1} distinct labels, "
            f"got {k}"
        )
    codes = lab.map_blocks(_chunk_codes, uniques, dtype=np.int32)
    if persist:
        codes = codes.persist()
    cb = _blocks(codes, data.n_chunks)
    counts = np.stack(
        dask.compute(*[dask.delayed(_chunk_counts, pure=True)(c, k) for c in cb])
    )
    return codes, cb, counts, uniques


def _tile(xa, la, xb, lb, k, both):
    return _core.kmeans_step_silhouette(xa, la, xb, lb, k, both=both)


def _sum_in_order(*parts):
    total = np.array(parts[0], dtype=np.float64, copy=True)
    for p in parts[1:]:
        total += p
    return total


def _chunk_scores(sums, codes, counts):
    return _core.kmeans_step_silhouette_scores(sums, codes, counts)


def silhouette_samples(X, labels) -> da.Array:
    """Exact silhouette coefficient of every row, as a lazy dask array.

    Every pair of row chunks (a, b), a <= b, is one task and one C call that
    adds the pair's distances to both chunks' per-cluster sums; each chunk's
    sums are then added in chunk order and turned into s(i) (Rousseeuw 1987;
    the rules of :func:`segment.silhouette_samples`). n^2 / 2 distances in
    all: for moderate n; see :func:`silhouette_score` with ``sample_size``
    beyond that.

    Parameters
    ----------
    X : dask array or DataFrame, shape (n_samples, n_features)
    labels : dask array, Series or array-like, shape (n_samples,)
        Any sortable values, 2 to n_samples - 1 distinct (rechunked like X).

    Returns
    -------
    dask array of float64, shape (n_samples,), chunked like X's rows.
    """
    data = _as_data(X)
    if data.n < 2:
        raise ValueError("X has 1 sample (row); the silhouette needs at least 2")
    if data.n > _EXACT_SILHOUETTE_WARN:
        warnings.warn(
            f"the exact silhouette of {data.n:,} rows computes {data.n * (data.n - 1) / 2:.2g} "
            "distances; pass sample_size to silhouette_score for an estimate with a confidence "
            "interval",
            RuntimeWarning,
            stacklevel=2,
        )
    # Lazy all the way: the result's graph holds X's and the labels' own tasks
    # (a persisted copy released on return would leave it dangling).
    _, cb, counts, uniques = _encode(labels, data, persist=False)
    k = uniques.size
    total_counts = counts.sum(axis=0)
    xb = _blocks(data.array, data.n_chunks)
    nc = data.n_chunks
    tile = dask.delayed(_tile, pure=True, nout=2)
    parts = [[None] * nc for _ in range(nc)]  # parts[a][b]: a's sums against chunk b
    for a in range(nc):
        for b in range(a, nc):
            sa, sb = tile(xb[a], cb[a], xb[b], cb[b], k, a != b)
            parts[a][b] = sa
            if a != b:
                parts[b][a] = sb
    add = dask.delayed(_sum_in_order, pure=True)
    scores = dask.delayed(_chunk_scores, pure=True)
    blocks = []
    for a in range(nc):
        s = scores(add(*parts[a]), cb[a], total_counts)
        blocks.append(da.from_delayed(s, shape=(data.array.chunks[0][a],), dtype=np.float64))
    return da.concatenate(blocks)


@dataclass(frozen=True)
class SilhouetteEstimate:
    """The silhouette estimated from a stratified sample (see :func:`silhouette_score`).

    Attributes
    ----------
    score : float
        Stratified estimate of the mean silhouette: sum over clusters h of
        N_h / N times the sample mean of s(i) in h.
    ci_low, ci_high : float
        Normal-approximation confidence interval, clipped to [-1, 1].
    std_error : float
        sqrt(sum_h (N_h / N)^2 (1 - n_h / N_h) var_h / n_h), var_h the sample
        variance of s(i) in cluster h (0 when n_h = N_h).
    confidence : float
    sample_size : int
        Rows sampled (proportional allocation, at least 2 per cluster).
    n_samples : int
        Rows of X.
    indices : ndarray of int64
        The sampled rows (global row numbers, ascending).
    samples : ndarray of float64
        Their exact silhouette, measured against all n rows.
    sample_labels : ndarray
        Their labels.
    strata : DataFrame
        Per cluster: size N_h, sampled n_h, mean and standard deviation of s(i).
    """

    score: float
    ci_low: float
    ci_high: float
    std_error: float
    confidence: float
    sample_size: int
    n_samples: int
    indices: np.ndarray
    samples: np.ndarray
    sample_labels: np.ndarray
    strata: pd.DataFrame

    def __float__(self) -> float:
        return float(self.score)

    def to_frame(self) -> pd.DataFrame:
        """One row: score, ci_low, ci_high, std_error, confidence, sample_size, n_samples."""
        return pd.DataFrame(
            [
                {
                    "score": self.score,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "std_error": self.std_error,
                    "confidence": self.confidence,
                    "sample_size": self.sample_size,
                    "n_samples": self.n_samples,
                }
            ]
        )


def _allocate(sizes: np.ndarray, total: int) -> np.ndarray:
    """Proportional allocation by largest remainders, then at least 2 per
    cluster (all of a smaller cluster)."""
    quota = sizes * (total / sizes.sum())
    alloc = np.floor(quota).astype(np.int64)
    rest = total - int(alloc.sum())
    if rest > 0:
        order = np.lexsort((np.arange(len(sizes)), -(quota - alloc)))
        alloc[order[:rest]] += 1
    return np.minimum(sizes, np.maximum(alloc, 2))


def _chunk_pick(x, codes, picks, offset):
    """Rows of this chunk at the given within-cluster ranks: {code: ranks}."""
    codes = np.asarray(codes)
    pos = np.concatenate(
        [np.flatnonzero(codes == h)[ranks] for h, ranks in picks.items()]
        or [np.zeros(0, np.intp)]
    )
    pos.sort()
    return (
        np.ascontiguousarray(np.asarray(x)[pos], dtype=np.float64),
        np.ascontiguousarray(codes[pos], dtype=np.int32),
        pos.astype(np.int64) + offset,
    )


def _sampled_silhouette(data, labels, sample_size, random_state, confidence):
    codes, cb, counts, uniques = _encode(labels, data, persist=True)
    k = uniques.size
    sizes = counts.sum(axis=0)
    n_h = _allocate(sizes, sample_size)
    rng = check_random_state(random_state)
    gen = np.random.default_rng(int(rng.randint(np.iinfo(np.int64).max, dtype=np.int64)))
    held = data.array.persist()
    xb = _blocks(held, data.n_chunks)
    before = np.cumsum(counts, axis=0) - counts  # rows of cluster h in earlier chunks
    picks = [dict() for _ in range(data.n_chunks)]
    for h in range(k):
        ranks = np.sort(gen.choice(sizes[h], size=n_h[h], replace=False))
        chunk = np.searchsorted(np.cumsum(counts[:, h]), ranks, side="right")
        for c in np.unique(chunk):
            picks[c][h] = ranks[chunk == c] - before[c, h]
    pick = dask.delayed(_chunk_pick, pure=True)
    got = dask.compute(
        *[
            pick(xb[c], cb[c], picks[c], int(data.offsets[c]))
            for c in range(data.n_chunks)
            if picks[c]
        ]
    )
    S = np.concatenate([g[0] for g in got])
    Ls = np.concatenate([g[1] for g in got])
    idx = np.concatenate([g[2] for g in got])
    # The sample against every chunk, one C call each; sums in chunk order.
    tile = dask.delayed(_tile, pure=True, nout=2)
    parts = dask.compute(*[tile(S, Ls, x, c, k, False)[0] for x, c in zip(xb, cb, strict=True)])
    sums = _sum_in_order(*parts)
    s = _core.kmeans_step_silhouette_scores(sums, Ls, sizes)

    weight = sizes / sizes.sum()
    mean_h = np.array([s[Ls == h].mean() for h in range(k)])
    var_h = np.array([s[Ls == h].var(ddof=1) if n_h[h] > 1 else 0.0 for h in range(k)])
    fpc = 1.0 - n_h / sizes
    estimate = float(np.sum(weight * mean_h))
    se = float(math.sqrt(np.sum(weight**2 * fpc * var_h / n_h)))
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    strata = pd.DataFrame(
        {"size": sizes, "sampled": n_h, "mean": mean_h, "std": np.sqrt(var_h)},
        index=pd.Index(uniques, name="cluster"),
    )
    return SilhouetteEstimate(
        score=estimate,
        ci_low=max(-1.0, estimate - z * se),
        ci_high=min(1.0, estimate + z * se),
        std_error=se,
        confidence=confidence,
        sample_size=int(len(idx)),
        n_samples=data.n,
        indices=idx,
        samples=s,
        sample_labels=uniques[Ls],
        strata=strata,
    )


def silhouette_score(X, labels, *, sample_size=None, random_state=None, confidence=0.95):
    """Mean silhouette coefficient of a dask array or DataFrame.

    Without ``sample_size``: exact, from :func:`silhouette_samples` (n^2 / 2
    distances over chunk pairs; for moderate n), a float equal to
    ``sklearn.metrics.silhouette_score`` to round-off.

    With ``sample_size``: about that many rows are drawn without replacement
    within each cluster (stratified, in proportion to the cluster sizes, at
    least 2 per cluster); the silhouette of each sampled row is computed
    exactly against all n rows (one pass: sample_size x n distances); the
    stratified mean estimates the score, with a normal-approximation
    confidence interval (finite-population corrected). Returns a
    :class:`SilhouetteEstimate` (``float()`` of it is the estimate).

    Parameters
    ----------
    X : dask array or DataFrame, shape (n_samples, n_features)
    labels : dask array, Series or array-like, shape (n_samples,)
    sample_size : int, optional
        2 <= sample_size <= n_samples.
    random_state : None, int, numpy RandomState or Generator
        Seeds the sample.
    confidence : float
        Level of the interval, in (0, 1).

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> import segment.dask as sgd
    >>> X = da.from_array(np.array([[0.0], [1.0], [10.0], [11.0]]), chunks=2)
    >>> round(sgd.silhouette_score(X, [0, 0, 1, 1]), 4)
    0.8997
    """
    data = _as_data(X)
    labels = align_labels(labels, data.index)  # X goes on as a bare array
    confidence = _check_real(confidence, "confidence", low=0, strict=True)
    if not confidence < 1:
        raise ValueError(f"confidence must be < 1, got {confidence!r}")
    if sample_size is None:
        s = silhouette_samples(data.array, labels)
        parts = dask.compute(*[dask.delayed(np.sum)(b) for b in s.to_delayed().ravel()])
        total = 0.0
        for p in parts:  # chunk order
            total += float(p)
        return total / data.n
    sample_size = check_int(sample_size, "sample_size", low=2, high=data.n)
    return _sampled_silhouette(data, labels, sample_size, random_state, confidence)


# ---------------------------------------------------------------------------
# Customer features
# ---------------------------------------------------------------------------


def _customer_rows(frame, reset: bool):
    return frame.reset_index() if reset else frame


def _partition_latest_day(frame, reset, columns, dayfirst=None):
    frame = _customer_rows(frame, reset)
    best = -np.inf
    for c in columns:
        if c in frame.columns and len(frame):
            days = features.day_numbers(features.feature_dates(frame, c, dayfirst))
            if np.isfinite(days).any():
                best = max(best, float(np.nanmax(days)))
    return pd.Series([best])


def _partition_customers(frame, reset):
    return pd.unique(_customer_rows(frame, reset)["customer_id"].to_numpy())


def _partition_features(frame, reset, as_of, options):
    return features.customer_features(_customer_rows(frame, reset), as_of=as_of, **options)


def customer_features(contracts, *, as_of=None, check_partitions=True, **options):
    """Paper B's per-customer features from a dask DataFrame of contracts.

    The rules of :func:`segment.customer_features` (Table 7 and the RFM
    baseline) run on every partition; that is exact when every customer's
    contracts lie in one partition: a dask DataFrame indexed by
    ``customer_id`` with known divisions (``contracts.set_index("customer_id")``)
    is; otherwise ``check_partitions`` verifies it (one pass over the
    ``customer_id`` column) and raises if a customer spans partitions
    (``contracts.shuffle(on="customer_id")`` fixes that).

    Parameters
    ----------
    contracts : dask DataFrame
        Clean contract rows in the canonical schema, with a ``customer_id``
        column or index.
    as_of : date-like, optional
        The extraction date; default the latest date in the data, taken over
        all partitions first (one pass), so every partition uses the same.
    check_partitions : bool
        Verify that no customer spans two partitions (skipped when the index
        is ``customer_id`` with known divisions).
    **options
        region_map, north, direct_debit, business, days_per_month, features,
        dayfirst: as for :func:`segment.customer_features`.

    Returns
    -------
    dask DataFrame
        Indexed by ``customer_id`` (sorted within each partition), one column
        per feature; partitions follow the input's.
    """
    if isinstance(contracts, pd.DataFrame):
        return features.customer_features(contracts, as_of=as_of, **options)
    if not isinstance(contracts, dd.DataFrame):
        raise TypeError(
            f"contracts must be a dask DataFrame, got {type(contracts).__name__}"
        )
    allowed = {"region_map", "north", "direct_debit", "business", "days_per_month", "features",
               "dayfirst"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise TypeError(f"customer_features got unexpected keyword arguments {unknown}")
    reset = contracts.index.name == "customer_id" and "customer_id" not in contracts.columns
    if not reset and "customer_id" not in contracts.columns:
        raise ValueError(
            "contracts has no column or index customer_id; load it with "
            "load_contracts(..., columns=...) or rename the customer column"
        )
    # Each customer in one partition for sure: indexed by customer with divisions.
    guaranteed = reset and contracts.known_divisions
    if as_of is not None:  # refused here, not in every partition (never guessed: 12/07/2022)
        as_of = date_value(as_of, options.get("dayfirst"))
    # Validate the options and columns on the (empty) meta: bad names fail here.
    meta = _customer_rows(contracts._meta, reset)
    out_meta = features.customer_features(meta, as_of="2000-01-01", **options)
    if as_of is None:
        names = options.get("features")
        names = list(out_meta.columns) if names is None else names
        names = [names] if isinstance(names, str) else list(names)
        needed = {c for f in names for c in features.FEATURE_INPUTS.get(f, ())}
        date_cols = [c for c in DATE_COLUMNS if c in needed]
        latest = (
            contracts.map_partitions(
                _partition_latest_day, reset, date_cols, options.get("dayfirst"),
                meta=pd.Series(dtype=np.float64),
            )
            .max()
            .compute()
        )
        if not np.isfinite(latest):
            raise ValueError("contracts has no dates to take as_of from; pass as_of=")
        as_of = str(np.datetime64(int(latest), "D"))
    if check_partitions and not guaranteed and contracts.npartitions > 1:
        ids = dask.compute(
            *[dask.delayed(_partition_customers)(p, reset) for p in contracts.to_delayed()]
        )
        seen = pd.Series(np.concatenate(ids)).value_counts()
        spans = seen[seen > 1]
        if len(spans):
            raise ValueError(
                f"customers {spans.index[:10].tolist()} have contracts in more than one "
                "partition, so their features would be split; repartition by customer first: "
                'contracts.set_index("customer_id") or contracts.shuffle(on="customer_id")'
            )
    # Indexed by customer with divisions: the output keeps them (same customers
    # per partition); otherwise the output's divisions are unknown.
    return contracts.map_partitions(
        _partition_features,
        reset,
        as_of,
        options,
        meta=out_meta,
        clear_divisions=not guaranteed,
    )
