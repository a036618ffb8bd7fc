"""k-means clustering: the function, the scikit-learn style estimator and
k-means++ seeding.

The arithmetic runs in the C core (csrc/seg_kmeans.c, csrc/seg_sparse.c)
with the GIL released; this module validates input, draws seeds and shapes
results (pandas in, pandas out). The validity scores are in segment.metrics,
the K sweep in segment.sweep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segment import _sparse
from segment._estimator import ConvergenceWarning, EstimatorBase, NotFittedError
from segment._kmeans_fit import (
    check_k,
    check_weights,
    draw_seed,
    fit_arrays,
    in_input_terms,
    initial_centers,
    resolve_n_init,
)
from segment._validation import (
    as_matrix,
    check_feature_names,
    check_float_dtype,
    check_int,
    check_n_threads,
    check_random_state,
    feature_names,
    input_columns,
    is_arrow,
)

# The validity scores moved to segment.metrics and k_sweep to segment.sweep
# (one topic per module); their old names here keep working.
from segment.metrics import calinski_harabasz_score as calinski_harabasz_score  # noqa: E402
from segment.metrics import davies_bouldin_score as davies_bouldin_score  # noqa: E402
from segment.metrics import silhouette_samples as silhouette_samples  # noqa: E402
from segment.metrics import silhouette_score as silhouette_score  # noqa: E402

__all__ = [
    "ConvergenceWarning",
    "KMeans",
    "KMeansResult",
    "NotFittedError",
    "kmeans",
    "kmeans_plusplus",
]

_MOVED_TO_SWEEP = ("SweepResult", "k_sweep")


def __getattr__(name):  # segment.cluster.k_sweep: imported late (sweep imports cluster)
    if name in _MOVED_TO_SWEEP:
        from segment import sweep

        return getattr(sweep, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    dtype=None,
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
        Hamerly for n_clusters >= 20 (>= 8 beyond 16 features; >= 40 when X
        holds more than 16 MiB, where Lloyd's runs share their passes over
        the rows) and at most 64 features; Lloyd always for float32 data
        (Hamerly is float64 only: "hamerly" on float32 data runs on a
        float64 copy of it).
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
    dtype : None, numpy.float32 or numpy.float64 (or their names)
        The precision of the data and centres. None follows X: float32 X
        gives float32 centres, anything else float64. float32 clusters X
        rounded to float32 (a float64 user's opt-in; ValueError if a value
        is beyond float32's range) and returns float32 centres; float64
        clusters float32 X as float64. float32 data stays float32 in the C
        kernels (Lloyd, k-means++, predict, transform): distances in float32
        (x - c with the centre rounded to float32; 16 rows per vector pass
        instead of 8: a Lloyd pass 1.7-1.9x faster at a million rows of 8
        features, 1.1-1.7x on data that fits in the cache, BENCHMARKS.md),
        every sum over rows in float64 (centre sums, weights, inertia, k-means++
        potentials). A squared distance then carries a relative error of
        about (n_features + 2) * 6e-8 of ||x||^2 + ||c||^2, so labels differ
        from float64's only for rows that near-tie two centres; the inertia
        is within that relative error. Memory: the kernels' blocked copy of X
        is float32 too (half of float64's).

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
    precision = check_float_dtype(dtype)
    m = as_matrix(X, nan_policy=nan_policy, allow_sparse=True)
    values = m.values if m.finite is None else m.values[m.finite]
    precision = precision or _sparse.float_dtype(m.values)
    data = _sparse.in_precision(values, precision)  # a sparse X stays sparse
    n = data.shape[0]
    k = check_k(n_clusters, n)
    sw = check_weights(sample_weight, m.values.shape[0])
    if sw is not None and m.finite is not None:
        sw = np.ascontiguousarray(sw[m.finite])
        if not sw.sum() > 0:
            raise ValueError("sample_weight of the finite rows must have a positive sum")
    fit, _ = fit_arrays(
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
    centers = fit.centers.astype(precision, copy=False)  # float32 stays
    return _result(m, fit.labels, centers, fit.inertia, fit.n_iter, fit.converged)


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
    # float32 X stays float32 (the _f32 kernel); a sparse X stays sparse
    data = _sparse.in_precision(m.values, _sparse.float_dtype(m.values))
    n = data.shape[0]
    k = check_k(n_clusters, n)
    sw = check_weights(sample_weight, n)
    if x_squared_norms is not None and len(x_squared_norms) != n:
        raise ValueError(
            f"The length of x_squared_norms {len(x_squared_norms)} should be equal to the "
            f"length of n_samples {n}"
        )
    trials = 0 if n_local_trials is None else check_int(n_local_trials, "n_local_trials", low=1,
                                                         high=64)
    centers, indices = _sparse.kmeans_plusplus(
        data, k, sample_weight=sw, n_trials=trials,
        seed=draw_seed(check_random_state(random_state)),
        n_threads=check_n_threads(n_threads),
    )
    centers = centers.astype(_sparse.float_dtype(m.values), copy=False)
    if m.is_frame:
        centers = pd.DataFrame(centers, columns=m.columns)
    return centers, indices


def _result(m, labels, centers, inertia, n_iter, converged) -> KMeansResult:
    """A KMeansResult in the input's terms (see in_input_terms)."""
    labels, centers = in_input_terms(m, labels, centers)
    return KMeansResult(labels, centers, float(inertia), int(n_iter), bool(converged))


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


class KMeans(EstimatorBase):
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
    instead of k). ``dtype`` is :func:`kmeans`'s: float32 data (or
    ``dtype=numpy.float32``) fits, predicts and transforms in segment's
    float32 kernels (float32 distances, float64 sums; about 1.2-1.6x faster
    a Lloyd pass, half the kernels' copy of X), and ``algorithm="hamerly"``
    then runs on a float64 copy.

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
        dtype=None,
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
        self.dtype = dtype

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
        # rounded to the centres' precision, as scikit-learn casts X to it
        return _sparse.in_precision(m.values, self.cluster_centers_.dtype)

    def fit(self, X, y=None, sample_weight=None):
        """Compute the clustering. y is ignored. Returns self."""
        self._n_init = resolve_n_init(self.n_init, self.init)  # runs made, as scikit-learn's
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
            dtype=self.dtype,
        )
        centers = np.asarray(result.centers)  # float32 for float32 input, as scikit-learn
        self.cluster_centers_ = centers
        self.labels_ = np.asarray(result.labels, dtype=np.int32)
        self.inertia_ = result.inertia
        self.n_iter_ = result.n_iter
        self.n_features_in_ = centers.shape[1]
        self.result_ = result
        arrow_or_frame = isinstance(X, pd.DataFrame) or is_arrow(X)
        names = feature_names(input_columns(X)) if arrow_or_frame else None
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
        return _sparse.kmeans_predict(
            data, self.cluster_centers_, n_threads=check_n_threads(self.n_threads)
        ).labels

    def transform(self, X):
        """Euclidean distance of every row to every centre, shape (n, n_clusters).

        float32 for float32 centres; a DataFrame (columns
        ``get_feature_names_out()``, X's index) after
        ``set_output(transform="pandas")``."""
        data = self._validate_predict_X(X)
        out = _sparse.kmeans_transform(  # float32 data: float32 distances (the _f32 kernel)
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
        k = check_k(self.n_clusters if n_centroids is None else n_centroids, data.shape[0])
        sw = check_weights(sample_weight, data.shape[0])
        return initial_centers(self.init if init is None else init, data, k, sw,
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
        sw = check_weights(sample_weight, data.shape[0])
        inertia = _sparse.kmeans_predict(
            data, self.cluster_centers_, sample_weight=sw,
            n_threads=check_n_threads(self.n_threads),
        ).inertia
        return -float(inertia)

    @classmethod
    def from_result(cls, result: KMeansResult, X=None, **params) -> KMeans:
        """A fitted estimator from a :func:`kmeans` result, without refitting.

        ``params`` set the estimator's parameters (n_clusters is taken from
        the result); X, if given, sets ``feature_names_in_`` like fit does.
        """
        est = cls(n_clusters=result.n_clusters, **params)
        centers = np.asarray(result.centers)
        centers = centers.astype(_sparse.float_dtype(centers), copy=False)  # float32 stays
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


