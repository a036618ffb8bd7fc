"""Choosing K: k-means and every validity score for a range of K.

One k-means fit per K (segment.cluster) and its exact silhouette,
Calinski-Harabasz and Davies-Bouldin scores (segment.metrics), with an
optional progress bar (segment._progress).
"""

from __future__ import annotations

import numbers
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segment import _core
from segment._kmeans_fit import check_weights, fit_arrays, in_input_terms
from segment._progress import progress_bar
from segment._validation import as_matrix, check_int, check_n_threads, check_random_state
from segment.cluster import KMeans, KMeansResult
from segment.metrics import float32_range, float32_wanted, silhouette_pass, unit_range

__all__ = ["SweepResult", "k_sweep"]

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
        davies_bouldin, n_iter, converged, seconds (the silhouettes of all
        K are computed in one pass: each K's seconds hold an equal share).
    models : dict of int to KMeansResult
        The clustering for every K.
    best_k : int
        The K with the highest silhouette (the lowest K on ties).
    elbow_k : int
        The knee of the inertia curve: the K farthest below the chord from
        the first to the last point of the min-max normalised curve.
    sample_size : int or None
        Rows the silhouette was computed on (None: all, exact).
    best_samples : ndarray or None
        Every row's silhouette for ``best_k`` (from the sweep's one pass; None
        when ``sample_size`` is set), e.g. for
        :func:`segment.plotting.plot_silhouette`'s ``samples``.
    """

    table: pd.DataFrame
    models: dict
    best_k: int
    elbow_k: int
    sample_size: int | None = None
    best_samples: np.ndarray | None = field(default=None, repr=False, compare=False)

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


def _silhouettes(X, codes, rows, threads, show) -> dict:
    """Fills rows[i]["silhouette"] for every K whose codes[i] is not None,
    all in one pass over the distances (silhouette_scores' kernel), and adds
    an equal share of that pass's time to each of those rows' seconds;
    returns every row's silhouettes by index into codes."""
    scored = [i for i, c in enumerate(codes) if c is not None]
    if not scored:
        return {}
    t0 = time.perf_counter()
    # a bar of its own when asked for and long enough to watch (about 0.1 s
    # at 20,000 rows of 8 features)
    s = silhouette_pass(
        X, np.stack([codes[i][0] for i in scored]), [codes[i][1] for i in scored],
        metric="euclidean", n_threads=threads, single=X.dtype == np.float32,
        progress=show and X.shape[0] >= 20_000,
    )
    share = (time.perf_counter() - t0) / len(scored)
    for i, mean in zip(scored, s.mean(axis=1), strict=True):
        rows[i]["silhouette"] = float(mean)
        rows[i]["seconds"] += share
    return dict(zip(scored, s, strict=True))


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
    silhouette_dtype=None,
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
    silhouette_dtype : None, numpy.float32 or numpy.float64
        The precision of the silhouettes' distances (as ``dtype`` of
        :func:`silhouette_scores`): None follows X (float32 X: float32
        distances with float64 sums, within 1e-6 of float64 and about twice
        as fast); ``numpy.float32`` opts float64 X in.
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
    sw = check_weights(params.pop("sample_weight"), m.values.shape[0])
    if sw is not None and m.finite is not None:
        sw = np.ascontiguousarray(sw[m.finite])
    threads = check_n_threads(n_threads)
    # a bad silhouette_dtype is refused before any fit
    single = float32_wanted(silhouette_dtype, m.values, name="silhouette_dtype")
    scored = unit_range(data)  # the scores ignore X's scale; the kernels' tolerances do not
    bar = _progress_bar(progress, len(ks), n)
    rows, models, codes = [], {}, []
    try:
        for kk in ks:
            t0 = time.perf_counter()
            fit, _ = fit_arrays(
                data, kk, n_init=n_init, sw=sw, random_state=random_state, n_threads=n_threads,
                **params,
            )
            labels = fit.labels
            codes.append(_score(lambda x, c, u: (c, u), None,
                                labels if sample is None else labels[sample], default=None))
            ch, db = _score(lambda x, c, u: _core.cluster_validity(x, c, u, n_threads=threads),
                            scored, labels, default=(np.nan, np.nan))
            rows.append(
                {
                    "k": kk,
                    "silhouette": np.nan,  # below, every K in one pass
                    "inertia": float(fit.inertia),
                    "calinski_harabasz": float(ch),
                    "davies_bouldin": float(db),
                    "n_iter": int(fit.n_iter),
                    "converged": bool(fit.converged),
                    "seconds": time.perf_counter() - t0,
                }
            )
            models[kk] = KMeansResult(*in_input_terms(m, labels, fit.centers), float(fit.inertia),
                                      int(fit.n_iter), bool(fit.converged))
            if bar is not None:
                bar.update(1)
        sub = scored if sample is None else scored[sample]
        samples = _silhouettes(float32_range(sub) if single else sub, codes, rows, threads,
                     progress is True)
    finally:
        if bar is not None and bar is not progress:
            bar.close()
    table = pd.DataFrame(rows).set_index("k")
    best_k = int(table["silhouette"].idxmax()) if table["silhouette"].notna().any() else ks[0]
    elbow = _elbow(np.asarray(ks, float), table["inertia"].to_numpy())
    best = samples.get(ks.index(best_k)) if sample is None else None
    return SweepResult(table, models, best_k, elbow, sample_size, best)

