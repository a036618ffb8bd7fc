"""segment.dask.KMeans: Lloyd's k-means seeded with k-means|| over row chunks,
one C call per chunk per pass, partial results merged in chunk order."""

from __future__ import annotations

import math
import warnings

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd

from segment import _core
from segment._estimator import EstimatorBase
from segment._validation import check_feature_names, check_int, check_random_state, feature_names
from segment.dask._data import Data, as_data, check_real, row_blocks

__all__ = ["KMeans"]


# k-means|| rounds when init_max_iter is None: Bahmani et al. (2012) prove
# O(log psi) rounds suffice and report that in practice a constant number
# does; their experiments use r = 5.
_DEFAULT_ROUNDS = 5


# Weighted k-means++ starts when reclustering the k-means|| candidates.
_RECLUSTER_STARTS = 10


# Extra k-means|| rounds allowed when fewer than n_clusters candidates came out.
_MAX_EXTRA_ROUNDS = 20


def _as_weights(sample_weight, data: Data) -> da.Array | None:
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
    closest, nearest = (None, None) if state is None else (state.closest, state.nearest)
    try:
        return _core.kmeans_step_nearest(
            x, candidates, first, n_candidates, closest=closest, nearest=nearest,
            sample_weight=w,
        )
    except ValueError as exc:
        raise _chunk_error(exc, x, w, offset) from None


def _chunk_sample(x, w, state, ell, phi, seed, offset):
    picked = _core.kmeans_step_sample(state.closest, ell, phi, seed, sample_weight=w)
    return np.ascontiguousarray(np.asarray(x)[picked], dtype=np.float64), picked + offset


def _chunk_rows(x, local):
    return np.ascontiguousarray(np.asarray(x)[np.asarray(local, dtype=np.intp)], dtype=np.float64)


def _chunk_weight_sum(w):
    return float(np.sum(np.asarray(w, dtype=np.float64)))


def _chunk_weight_search(w, value):
    cum = np.cumsum(np.asarray(w, dtype=np.float64))
    return min(int(np.searchsorted(cum, value, side="left")), len(cum) - 1)


def _chunk_predict(x, centers, block_info=None):
    x = np.asarray(x, dtype=np.float64)  # the float64 kernel, as the fit (not the _f32 one)
    if x.shape[0] == 0:
        return np.zeros(0, dtype=np.int32)
    try:
        return _core.kmeans_predict(x, centers, n_threads=1).labels
    except ValueError as exc:
        offset = block_info[0]["array-location"][0][0] if block_info else 0
        raise _chunk_error(exc, x, None, offset) from None


def _chunk_transform(x, centers, block_info=None):
    x = np.asarray(x, dtype=np.float64)  # float64 out, as map_blocks declares
    if x.shape[0] == 0:
        return np.zeros((0, centers.shape[0]))
    try:
        return _core.kmeans_transform(x, centers, n_threads=1)
    except ValueError as exc:
        offset = block_info[0]["array-location"][0][0] if block_info else 0
        raise _chunk_error(exc, x, None, offset) from None


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


def _first_centre(data: Data, xb, wb, base: int) -> np.ndarray:
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


def _kmeans_parallel(data: Data, xb, wb, k: int, ell: float, rounds: int, base: int):
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
        parts = dask.compute(*[(s.cost, s.candidate_weights) for s in states])
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
        start = _core.kmeans_plusplus(
            cand, k, sample_weight=weights, seed=_mix(base, 2, t), n_threads=1
        ).centers
        fit = _core.kmeans_fit(
            cand, start, sample_weight=weights, max_iter=300, tol=0.0, algorithm=0, n_threads=1
        )
        if best is None or fit.inertia < best.inertia:
            best = fit
    return best.centers, n_cand


def _random_rows(data: Data, xb, k: int, base: int) -> np.ndarray:
    rows = np.random.default_rng(_mix(base, 3)).choice(data.n, size=k, replace=False)
    return _fetch_rows(xb, data.offsets, rows)


def _lloyd(data: Data, xb, wb, centers: np.ndarray, max_iter: int, abs_tol: float):
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
        sums = np.stack([p.sums for p in parts])
        weights = np.stack([p.weights for p in parts])
        merged = _core.kmeans_step_merge(
            sums,
            weights,
            centers,
            far_dist=np.concatenate([p.far_dist for p in parts]),
            far_label=np.concatenate([p.far_label for p in parts]),
            far_weight=np.concatenate([p.far_weight for p in parts]),
            far_rows=np.concatenate([p.far_rows for p in parts]),
        )
        new, shift = merged.centers, merged.shift
        if np.array_equal(new, centers):
            # Labels did not change: the pass just made was already against
            # the final centres, so its sums are final.
            sse = 0.0
            for p in parts:
                sse += p.sse
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
            sse += p.sse
        exact = (sse, np.stack([p.weights for p in parts]).sum(axis=0))
    return centers, float(exact[0]), n_iter, converged, exact[1]


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


class KMeans(EstimatorBase):
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

    Notes
    -----
    There is no ``copy_x``: X is never modified, nor copied into memory
    (``copy_x`` of :class:`segment.KMeans` is accepted only for scikit-learn
    compatibility and has no effect, for the same reason).
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

    # -- fitting -----------------------------------------------------------

    def _check_params(self, data: Data):
        k = check_int(self.n_clusters, "n_clusters", low=1)
        if k > data.n:
            raise ValueError(
                f"X has {data.n} sample{'s' if data.n != 1 else ''} (rows), fewer than "
                f"n_clusters={k}; choose n_clusters <= {data.n}"
            )
        n_init = check_int(self.n_init, "n_init", low=1)
        max_iter = check_int(self.max_iter, "max_iter", low=1)
        tol = check_real(self.tol, "tol", low=0)
        ell = check_real(self.oversampling_factor, "oversampling_factor", low=0, strict=True)
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
        data = as_data(X)
        k, init, n_init, max_iter, tol, ell, rounds = self._check_params(data)
        w = _as_weights(sample_weight, data)
        rng = check_random_state(self.random_state)

        held = data.array.persist()
        wheld = None
        if w is not None:
            wheld = w.persist()
            _check_weight_values(wheld)
        xb = row_blocks(held, data.n_chunks)
        wb = row_blocks(wheld, data.n_chunks)
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

    def _validate_predict_X(self, X) -> Data:
        self._check_fitted()
        check_feature_names(self, X)
        data = as_data(X)
        if data.d != self.n_features_in_:
            raise ValueError(
                f"X has {data.d} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input"
            )
        return data

    def _labels(self, data: Data) -> da.Array:
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
        xb = row_blocks(data.array, data.n_chunks)
        wb = row_blocks(w, data.n_chunks)
        step = dask.delayed(_chunk_step, pure=True)
        parts = dask.compute(
            *[
                step(x, ww, self.cluster_centers_, int(o), 0)
                for x, ww, o in zip(xb, wb, data.offsets, strict=True)
            ]
        )
        total = 0.0
        for p in parts:
            total += p.sse
        return -float(total)

