"""Sparse (CSR) input for k-means and the silhouette, without scipy.

A scipy sparse matrix or array (CSR, CSC, COO...; ``*_matrix`` or
``*_array``) is recognised by duck typing (a ``format`` attribute and a
``tocsr()`` method) and converted with its own ``tocsr()``; its ``indptr``,
``indices`` and ``data`` arrays then go to the C kernels of
csrc/seg_sparse.c. X is never densified: only k centres, and blocks of rows
inside the silhouette kernel. scipy is not imported here.

:class:`CSR` holds the validated arrays. The ``kmeans_*`` and
``silhouette_samples`` functions below take the place of the ``_core``
functions of the same names in segment.cluster: a :class:`CSR` goes to the
sparse kernel, anything else to the dense one.
"""

from __future__ import annotations

import numpy as np

from segment import _core


def is_sparse(X) -> bool:
    """A scipy.sparse matrix or array, or a :class:`CSR` (duck typing)."""
    return (
        isinstance(X, CSR)
        or (isinstance(getattr(X, "format", None), str) and callable(getattr(X, "tocsr", None)))
    )


class CSR:
    """A validated n x d CSR matrix: indptr (int64, n + 1), indices (int32 or
    int64, no duplicate column within a row), data (float64), never modified.

    It quacks enough like a scipy CSR matrix for segment's own use (shape,
    ``format``, ``tocsr()``); ``X[rows]`` with an integer or boolean array
    selects rows.
    """

    format = "csr"
    has_canonical_format = True
    ndim = 2
    source_dtype = np.dtype(np.float64)  # the caller's data dtype (float32 stays float32)

    def __init__(self, indptr, indices, data, shape):
        self.indptr, self.indices, self.data = indptr, indices, data
        self.shape = (int(shape[0]), int(shape[1]))

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    def tocsr(self):
        return self

    @property
    def args(self) -> tuple:
        """The tuple the ``_core.sparse_*`` functions take as X."""
        return (self.indptr, self.indices, self.data, self.shape[0], self.shape[1])

    def row_of_values(self) -> np.ndarray:
        """The row of every stored value."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def __getitem__(self, rows):
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        if rows.ndim != 1 or rows.dtype.kind not in "iu":
            raise TypeError("a CSR selects rows with a 1-D integer or boolean array only")
        lengths = np.diff(self.indptr)[rows]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        starts = np.repeat(self.indptr[rows] - indptr[:-1], lengths)
        take = starts + np.arange(indptr[-1])
        return CSR(indptr, self.indices[take], self.data[take], (len(rows), self.shape[1]))

    def dense_rows(self, rows) -> np.ndarray:
        """Rows ``rows`` as a dense (len(rows), d) float64 array."""
        sub = self[np.asarray(rows)]
        out = np.zeros(sub.shape, dtype=np.float64)
        out[sub.row_of_values(), sub.indices] = sub.data
        return out


def as_csr(X, name: str = "X", *, nan_policy: str = "raise", min_rows: int = 1):
    """Validate a sparse X into (CSR, finite rows or None), as as_matrix does
    for dense input: same messages for a wrong dtype, too few rows, NaN/inf
    (naming the rows; "omit" flags them) and values too large to square."""
    from segment._validation import check_kind, check_ndim, check_size, listed, magnitude_limit

    shape = getattr(X, "shape", None)
    if shape is None:
        raise TypeError(f"{name} is sparse but has no shape; pass a scipy sparse matrix")
    check_ndim(tuple(shape), name)
    if isinstance(X, CSR):
        csr = X
    else:
        try:
            S = X.tocsr()
        except Exception as exc:  # noqa: BLE001 - whatever the object raises
            raise TypeError(f"{name} is sparse but its tocsr() failed: {exc}") from None
        check_kind(np.dtype(S.dtype), name)
        if not S.has_canonical_format:
            # Duplicate entries (and unsorted indices): summed on a copy, as
            # scipy's own arithmetic would; the caller's matrix is untouched.
            S = S.copy()
            S.sum_duplicates()
        indptr = np.asarray(S.indptr, dtype=np.int64)
        nnz = int(indptr[-1])
        indices = np.asarray(S.indices)[:nnz]
        if indices.dtype not in (np.int32, np.int64):
            indices = indices.astype(np.int64)
        data = np.asarray(S.data)[:nnz].astype(np.float64, copy=False)
        csr = CSR(indptr, indices, data, S.shape)
        if np.dtype(S.dtype) == np.float32:
            csr.source_dtype = np.dtype(np.float32)
    n, d = csr.shape
    check_size(csr.shape, name, min_rows=min_rows)
    finite = None
    data = csr.data
    if not np.isfinite(data.sum()) and not (ok := np.isfinite(data)).all():
        bad_rows = np.zeros(n, dtype=bool)
        bad_rows[csr.row_of_values()[~ok]] = True
        if nan_policy == "raise":
            raise ValueError(
                f"{name} has NaN or infinite values in rows {listed(np.flatnonzero(bad_rows))}; "
                "drop them or pass nan_policy='omit'"
            )
        finite = ~bad_rows
        if finite.sum() < min_rows:
            raise ValueError(
                f"{name} has {int(finite.sum())} finite rows after omitting NaN/inf rows; "
                f"at least {min_rows} required"
            )
        data = np.where(finite[csr.row_of_values()], data, 0.0)
    kept = n if finite is None else int(finite.sum())
    big = float(np.abs(data).max()) if data.size else 0.0
    limit = magnitude_limit(kept, d)
    if big > limit:
        p = int(np.argmax(np.abs(data)))
        row = int(np.searchsorted(csr.indptr, p, side="right") - 1)
        raise ValueError(
            f"{name} has values too large for squared distances: |x| = {big:.3g} at row "
            f"{row!r}, column {int(csr.indices[p])} (the limit for {kept} rows and {d} columns "
            f"is {limit:.3g}, beyond which float64 sums overflow); rescale it"
        )
    return csr, finite


def as_float64(values):
    """A float64 C array for the dense kernels; a CSR as it is."""
    return values if isinstance(values, CSR) else np.ascontiguousarray(values, dtype=np.float64)


def in_precision(values, dtype, name: str = "X"):
    """values for the dense kernels: float64 (as :func:`as_float64`), or when
    dtype is float32 a float32 C array (the _f32 kernels: float32 X stays
    float32) and, for a CSR, its values rounded to float32 but held in
    float64 (the sparse kernels are float64). ValueError naming X when a
    finite value is beyond float32's range."""
    if dtype != np.float32:
        return as_float64(values)
    if isinstance(values, CSR):
        data = _rounded(values.data, name).astype(np.float64)
        csr = CSR(values.indptr, values.indices, data, values.shape)
        csr.source_dtype = np.dtype(np.float32)
        return csr
    return _rounded(values, name)


def _rounded(a: np.ndarray, name: str) -> np.ndarray:
    """a as a float32 C array; ValueError naming the first finite value
    beyond float32's range."""
    if a.dtype == np.float32:
        return np.ascontiguousarray(a)
    with np.errstate(over="ignore"):
        single = np.asarray(a, dtype=np.float32)
    over = np.isinf(single) & np.isfinite(a)
    if over.any():
        where = tuple(int(i) for i in np.argwhere(over)[0])
        raise ValueError(
            f"{name} holds {float(a[where]):.6g} at position {where}, beyond float32's range "
            f"({float(np.finfo(np.float32).max):.6g}): use dtype=numpy.float64"
        )
    return np.ascontiguousarray(single)


def float_dtype(values) -> np.dtype:
    """The dtype results keep: float32 for float32 input (dense or sparse),
    float64 otherwise, as scikit-learn's estimators keep it."""
    kind = values.source_dtype if isinstance(values, CSR) else values.dtype
    return np.dtype(np.float32) if kind == np.float32 else np.dtype(np.float64)


def take_rows_dense(data, rows) -> np.ndarray:
    """data[rows] as a dense array, for either kind of data."""
    return data.dense_rows(rows) if isinstance(data, CSR) else data[rows]


# -- the _core functions, routed by the kind of data -------------------------


def kmeans_mean_variance(data, *, n_threads=0):
    if isinstance(data, CSR):
        return _core.sparse_mean_variance(data.args, n_threads=n_threads)
    return _core.kmeans_mean_variance(data, n_threads=n_threads)


def kmeans_plusplus(data, k, **kwargs):
    if isinstance(data, CSR):
        return _core.sparse_kmeans_plusplus(data.args, k, **kwargs)
    return _core.kmeans_plusplus(data, k, **kwargs)


def kmeans_fit_runs(data, k, *, algorithm=0, **kwargs):
    """Lloyd for a CSR (Hamerly gives the same answer; it is dense only)."""
    if isinstance(data, CSR):
        return _core.sparse_kmeans_fit_runs(data.args, k, **kwargs)
    return _core.kmeans_fit_runs(data, k, algorithm=algorithm, **kwargs)


def kmeans_predict(data, centers, **kwargs):
    if isinstance(data, CSR):
        return _core.sparse_kmeans_predict(data.args, centers, **kwargs)
    return _core.kmeans_predict(data, centers, **kwargs)


def kmeans_transform(data, centers, **kwargs):
    if isinstance(data, CSR):
        return _core.sparse_kmeans_transform(data.args, centers, **kwargs)
    return _core.kmeans_transform(data, centers, **kwargs)


def silhouette_samples(data, codes, k, **kwargs):
    if isinstance(data, CSR):
        return _core.sparse_silhouette_samples(data.args, codes, k, **kwargs)
    return _core.silhouette_samples(data, codes, k, **kwargs)
