"""segment.dask's silhouette: exact over chunk pairs, or estimated from a
stratified sample measured against all rows, with a confidence interval."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from statistics import NormalDist

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd

from segment import _core
from segment._validation import align_labels, check_int, check_random_state
from segment.dask._data import Data, as_data, check_real, row_blocks

__all__ = ["SilhouetteEstimate", "silhouette_samples", "silhouette_score"]


# Above this many rows the exact silhouette (n^2 / 2 distances) warns.
_EXACT_SILHOUETTE_WARN = 500_000


def _as_labels(labels, data: Data) -> da.Array:
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


def _encode(labels, data: Data, persist: bool):
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
    cb = row_blocks(codes, data.n_chunks)
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
    data = as_data(X)
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
    xb = row_blocks(data.array, data.n_chunks)
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
    xb = row_blocks(held, data.n_chunks)
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
    data = as_data(X)
    labels = align_labels(labels, data.index)  # X goes on as a bare array
    confidence = check_real(confidence, "confidence", low=0, strict=True)
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

