"""Sparse input (scipy CSR/CSC, matrix or array) for k-means and the silhouette.

Oracles: scikit-learn on the same sparse input (from the same initial
centres: identical labels, centres to 1e-10 relative, inertia to 1e-6), and
segment's own dense path on X.toarray() with the same random_state.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import KMeans as SKKMeans
from sklearn.metrics import silhouette_samples as sk_silhouette_samples

import segment as sg
from segment import _core
from segment._sparse import CSR, as_csr

FORMATS = [sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.csc_array]


def blobs_sparse(n=600, d=12, k=4, density=0.3, seed=0):
    """Clustered data with about `density` of the values stored."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, size=(k, d))
    X = centres[rng.integers(k, size=n)] + rng.normal(size=(n, d))
    X[rng.random((n, d)) > density] = 0.0
    return X


def onehot(n=400, cards=(3, 4, 2, 5), seed=0):
    """One-hot encoded categories: many duplicate rows, values 0/1."""
    rng = np.random.default_rng(seed)
    blocks = [np.eye(c)[rng.integers(c, size=n)] for c in cards]
    return np.hstack(blocks)


def make(fmt, dense, index_dtype=np.int32, dtype=np.float64):
    X = fmt(dense.astype(dtype))
    X.indices = X.indices.astype(index_dtype)
    X.indptr = X.indptr.astype(index_dtype)
    return X


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-300)


# ---------------------------------------------------------------------------
# k-means against scikit-learn and against the dense path
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_as_sklearn_from_the_same_centres(fmt, index_dtype, dtype):
    dense = blobs_sparse(seed=1).astype(dtype).astype(np.float64)
    X = make(fmt, dense, index_dtype, dtype)
    init = dense[[0, 50, 100, 150]]
    # scikit-learn computes float32 input in float32: compare in float64
    sk = SKKMeans(4, init=init, n_init=1, algorithm="lloyd").fit(sp.csr_matrix(dense))
    km = sg.KMeans(4, init=init, n_init=1).fit(X)
    assert (km.labels_ == sk.labels_).all()
    # float32 input keeps float32 centres (computed in float64, then rounded), as scikit-learn
    assert km.cluster_centers_.dtype == dtype
    assert rel(km.cluster_centers_, sk.cluster_centers_) < (1e-10 if dtype == np.float64 else 1e-7)
    assert abs(km.inertia_ - sk.inertia_) <= 1e-6 * sk.inertia_
    assert km.n_iter_ == sk.n_iter_
    assert (km.predict(X) == sk.predict(sp.csr_matrix(dense))).all()


def test_kmeans_plusplus_median_inertia_as_sklearn():
    X = sp.csr_matrix(blobs_sparse(n=800, d=20, k=6, density=0.2, seed=2))
    ours = [sg.kmeans(X, 6, random_state=s).inertia for s in range(15)]
    theirs = [SKKMeans(6, n_init=1, random_state=s).fit(X).inertia_ for s in range(15)]
    assert abs(np.median(ours) - np.median(theirs)) <= 0.005 * np.median(theirs)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_same_as_dense_path(fmt, init):
    dense = blobs_sparse(n=700, d=15, k=5, seed=3)
    X = make(fmt, dense)
    a = sg.kmeans(X, 5, init=init, n_init=3, random_state=7)
    b = sg.kmeans(dense, 5, init=init, n_init=3, random_state=7)
    assert (a.labels == b.labels).all()
    assert rel(a.centers, b.centers) < 1e-10
    assert abs(a.inertia - b.inertia) <= 1e-10 * b.inertia
    assert a.n_iter == b.n_iter


def test_plusplus_picks_the_dense_rows():
    dense = blobs_sparse(n=900, d=10, k=6, seed=4)
    X = as_csr(sp.csr_matrix(dense))[0]
    for seed in range(5):
        cs, ins = _core.sparse_kmeans_plusplus(X.args, 6, seed=seed, n_threads=1)
        cd, ind = _core.kmeans_plusplus(dense, 6, seed=seed, n_threads=1)
        assert (ins == ind).all()
        assert (cs == cd).all()


def test_sample_weight_same_as_dense():
    dense = blobs_sparse(n=500, d=8, k=3, seed=5)
    sw = np.random.default_rng(0).random(500) * 3
    sw[:20] = 0.0
    X = sp.csr_array(dense)
    a = sg.kmeans(X, 3, sample_weight=sw, random_state=0, n_init=2)
    b = sg.kmeans(dense, 3, sample_weight=sw, random_state=0, n_init=2)
    assert (a.labels == b.labels).all() and rel(a.centers, b.centers) < 1e-10
    assert abs(a.inertia - b.inertia) <= 1e-10 * b.inertia
    km = sg.KMeans(3, random_state=0).fit(X, sample_weight=sw)
    assert km.score(X, sample_weight=sw) == pytest.approx(
        sg.KMeans(3, random_state=0).fit(dense, sample_weight=sw).score(dense, sample_weight=sw),
        rel=1e-10)


def test_estimator_methods_match_dense():
    dense = blobs_sparse(n=400, d=9, k=3, seed=6)
    X = sp.csc_matrix(dense)
    ks, kd = sg.KMeans(3, random_state=1), sg.KMeans(3, random_state=1)
    assert (ks.fit_predict(X) == kd.fit_predict(dense)).all()
    assert rel(ks.fit_transform(X), kd.fit_transform(dense)) < 1e-10
    assert rel(ks.transform(X), kd.transform(dense)) < 1e-10
    assert (ks.predict(X) == kd.predict(dense)).all()
    assert ks.score(X) == pytest.approx(kd.score(dense), rel=1e-10)
    # a sparse-fitted model predicts dense rows and the other way round
    assert (ks.predict(dense) == kd.predict(X)).all()
    with pytest.raises(ValueError, match="features"):
        ks.predict(sp.csr_matrix(dense[:, :4]))


def test_edge_structures():
    rng = np.random.default_rng(8)
    dense = blobs_sparse(n=300, d=10, k=3, seed=8)
    dense[:, 7] = 0.0  # a column never stored
    dense[10:20] = 0.0  # empty rows
    X = sp.csr_matrix(dense)
    ref = sg.kmeans(dense, 3, random_state=0)
    # explicit zeros
    Z = X.copy()
    Z.data[rng.random(Z.nnz) < 0.2] = 0.0
    dz = Z.toarray()
    assert (sg.kmeans(Z, 3, random_state=0).labels == sg.kmeans(dz, 3, random_state=0).labels).all()
    # unsorted indices within rows
    U = X.copy()
    for i in range(U.shape[0]):
        s, e = U.indptr[i], U.indptr[i + 1]
        U.indices[s:e] = U.indices[s:e][::-1].copy()
        U.data[s:e] = U.data[s:e][::-1].copy()
    U.has_sorted_indices = False
    before = (U.indices.copy(), U.data.copy())
    res = sg.kmeans(U, 3, random_state=0)
    assert (res.labels == ref.labels).all() and rel(res.centers, ref.centers) < 1e-10
    assert (U.indices == before[0]).all() and (U.data == before[1]).all()  # not modified
    # duplicate entries are summed (on a copy), as scipy's toarray() does
    coo = X.tocoo()
    half = coo.data / 2
    D = sp.coo_matrix((np.r_[half, half], (np.r_[coo.row, coo.row], np.r_[coo.col, coo.col])),
                      shape=X.shape)
    Dc = sp.csr_matrix((D.data, (D.row, D.col)), shape=D.shape)
    res = sg.kmeans(D, 3, random_state=0)
    assert (res.labels == ref.labels).all()
    assert rel(res.centers, ref.centers) < 1e-10
    assert (sg.kmeans(Dc, 3, random_state=0).labels == ref.labels).all()


def test_duplicate_entries_uncanonical_csr():
    # a CSR with a column stored twice in a row (as built from raw arrays)
    indptr = np.array([0, 2, 3, 4, 5])
    indices = np.array([1, 1, 0, 1, 0])
    data = np.array([1.0, 2.0, 5.0, 3.0, 5.0])
    X = sp.csr_matrix((data, indices, indptr), shape=(4, 2))
    assert not X.has_canonical_format
    res = sg.kmeans(X, 2, random_state=0)
    ref = sg.kmeans(X.toarray(), 2, random_state=0)
    assert (res.labels == ref.labels).all() and rel(res.centers, ref.centers) < 1e-12
    assert X.nnz == 5  # the caller's matrix keeps its duplicates
    # through _core the duplicate is refused, naming the row
    with pytest.raises(ValueError, match="row 0.*sum_duplicates"):
        _core.sparse_kmeans_predict((indptr, indices, data, 4, 2), np.zeros((1, 2)))


def test_nan_policy():
    dense = blobs_sparse(n=200, d=6, k=2, seed=9)
    dense[[3, 77], 2] = [np.nan, np.inf]
    X = sp.csr_matrix(dense)
    with pytest.raises(ValueError, match=r"rows \[3, 77\].*nan_policy='omit'"):
        sg.kmeans(X, 2, random_state=0)
    a = sg.kmeans(X, 2, random_state=0, nan_policy="omit")
    b = sg.kmeans(dense, 2, random_state=0, nan_policy="omit")
    assert a.labels[3] == a.labels[77] == -1
    assert (a.labels == b.labels).all() and rel(a.centers, b.centers) < 1e-10
    km = sg.KMeans(2, random_state=0, nan_policy="omit").fit(X)
    assert km.labels_[3] == -1
    with pytest.raises(ValueError, match="NaN"):
        km.predict(X)


def test_tol_scale_is_sklearn_mean_variance():
    from sklearn.utils.sparsefuncs import mean_variance_axis

    X = sp.csr_matrix(blobs_sparse(n=1000, d=30, seed=10))
    ours = _core.sparse_mean_variance(as_csr(X)[0].args)
    assert ours == pytest.approx(mean_variance_axis(X, axis=0)[1].mean(), rel=1e-12)
    assert ours == pytest.approx(np.var(X.toarray(), axis=0).mean(), rel=1e-12)


def test_array_init_and_callable_init():
    dense = blobs_sparse(n=300, d=5, k=3, seed=11)
    X = sp.csr_matrix(dense)
    init = dense[:3]
    a = sg.kmeans(X, 3, init=init)
    b = sg.kmeans(dense, 3, init=init)
    assert (a.labels == b.labels).all()
    c = sg.kmeans(X, 3, init=lambda data, k, random_state: init, random_state=0)
    assert (c.labels == a.labels).all()
    with pytest.raises(ValueError, match="shape"):
        sg.kmeans(X, 3, init=dense[:2])


@pytest.mark.parametrize("threads", [2])
def test_threads_bit_identical(threads):
    X = sp.csr_matrix(blobs_sparse(n=3000, d=20, k=5, seed=12))
    a = sg.kmeans(X, 5, n_init=2, random_state=3, n_threads=1)
    b = sg.kmeans(X, 5, n_init=2, random_state=3, n_threads=threads)
    assert (a.labels == b.labels).all() and (a.centers == b.centers).all()
    assert a.inertia == b.inertia
    sa = sg.silhouette_samples(X[:1200], a.labels[:1200], n_threads=1)
    sb = sg.silhouette_samples(X[:1200], a.labels[:1200], n_threads=threads)
    assert (sa == sb).all()


# ---------------------------------------------------------------------------
# Silhouette
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_silhouette_as_sklearn(fmt):
    dense = blobs_sparse(n=500, d=12, k=4, seed=13)
    labels = sg.kmeans(dense, 4, random_state=0).labels
    X = fmt(dense)
    ours = sg.silhouette_samples(X, labels)
    theirs = sk_silhouette_samples(sp.csr_matrix(dense), labels)
    assert np.abs(ours - theirs).max() < 1e-10
    assert np.abs(ours - sg.silhouette_samples(dense, labels)).max() < 1e-12
    assert sg.silhouette_score(X, labels) == pytest.approx(theirs.mean(), abs=1e-12)
    assert sg.silhouette_score(X, labels, sample_size=200, random_state=1) == pytest.approx(
        sg.silhouette_score(dense, labels, sample_size=200, random_state=1), abs=1e-12)


def test_silhouette_onehot_duplicates_exact():
    dense = onehot()
    X = sp.csr_matrix(dense)
    labels = sg.kmeans(X, 4, random_state=0).labels
    ours = sg.silhouette_samples(X, labels)
    assert np.abs(ours - sk_silhouette_samples(X, labels)).max() < 1e-12
    assert np.abs(ours - sg.silhouette_samples(dense, labels)).max() < 1e-12


def test_silhouette_near_duplicate_rows_recomputed():
    # pairs much closer than their norms: |x|^2 + |y|^2 - 2 x.y cancels and
    # would be wrong far beyond 1e-10; the kernel recomputes them exactly
    rng = np.random.default_rng(14)
    base = blobs_sparse(n=60, d=8, k=3, seed=14) + 1e3 * (blobs_sparse(n=60, d=8, seed=15) != 0)
    dense = np.repeat(base, 3, axis=0)
    dense[dense != 0] += rng.normal(scale=1e-7, size=(dense != 0).sum())
    labels = np.repeat(np.arange(60) % 3, 3)
    ours = sg.silhouette_samples(sp.csr_matrix(dense), labels)
    exact = sg.silhouette_samples(dense, labels)  # from coordinate differences
    assert np.abs(ours - exact).max() < 1e-10


def test_silhouette_labels_checks():
    X = sp.csr_matrix(blobs_sparse(n=50, d=4, seed=16))
    with pytest.raises(ValueError, match="distinct labels"):
        sg.silhouette_samples(X, np.zeros(50))
    with pytest.raises(ValueError, match="length"):
        sg.silhouette_samples(X, np.zeros(49))


# ---------------------------------------------------------------------------
# What stays dense-only, and no scipy at run time
# ---------------------------------------------------------------------------


def test_unsupported_functions_refuse_sparse_clearly():
    X = sp.csr_matrix(np.abs(blobs_sparse(n=30, d=4, seed=17)) + 0.0)
    with pytest.raises(TypeError, match="sparse input is supported by kmeans"):
        sg.entropy_weights(X)
    with pytest.raises(TypeError, match=r"toarray\(\)"):
        sg.k_sweep(X, k=[2, 3])
    with pytest.raises(TypeError, match="sparse"):
        sg.calinski_harabasz_score(X, np.arange(30) % 2)


def test_no_scipy_at_run_time():
    code = (
        "import sys, numpy as np, segment as sg\n"
        "from segment._sparse import CSR\n"
        "X = CSR(np.array([0, 1, 2, 3, 4]), np.array([0, 1, 0, 1], np.int32),"
        " np.array([1.0, 1.0, 5.0, 5.0]), (4, 2))\n"
        "r = sg.kmeans(X, 2, random_state=0)\n"
        "assert r.labels.tolist() == [0, 0, 1, 0] and r.centers[1].tolist() == [5.0, 0.0]\n"
        "assert 'scipy' not in sys.modules, 'scipy was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_csr_row_selection():
    dense = blobs_sparse(n=40, d=5, seed=18)
    X = as_csr(sp.csr_matrix(dense))[0]
    rows = np.array([5, 0, 39, 5])
    assert (X.dense_rows(rows) == dense[rows]).all()
    mask = np.arange(40) % 3 == 0
    sub = X[mask]
    assert isinstance(sub, CSR) and sub.shape == (mask.sum(), 5)
    assert (sub.dense_rows(np.arange(sub.shape[0])) == dense[mask]).all()


# ---------------------------------------------------------------------------
# Hostile input through _core: a clear error, never a crash
# ---------------------------------------------------------------------------

GOOD = (np.array([0, 2, 3, 3, 5]), np.array([0, 2, 1, 0, 2], np.int32),
        np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 4, 3)
C2 = np.zeros((2, 3))


def with_(i, value):
    t = list(GOOD)
    t[i] = value
    return tuple(t)


HOSTILE = {
    "indptr not from 0": (with_(0, np.array([1, 2, 3, 3, 5])), ValueError, "start at 0"),
    "indptr decreasing": (with_(0, np.array([0, 3, 2, 3, 5])), ValueError, "never decrease"),
    "indptr past nnz": (with_(0, np.array([0, 2, 3, 3, 9])), ValueError, "number of stored"),
    "indptr short of nnz": (with_(0, np.array([0, 2, 3, 3, 4])), ValueError, "number of stored"),
    "indptr wrong length": (with_(0, np.array([0, 2, 5])), ValueError, "n \\+ 1"),
    "indptr huge": (with_(0, np.array([0, 2, 3, 3, 2**62])), ValueError, "number of stored"),
    "indptr negative": (with_(0, np.array([0, -2, 3, 3, 5])), ValueError, "never decrease"),
    "index too big": (with_(1, np.array([0, 2, 1, 0, 3], np.int32)), ValueError, "outside"),
    "index negative": (with_(1, np.array([0, 2, 1, -1, 2])), ValueError, "outside"),
    "index int64 huge": (with_(1, np.array([0, 2, 1, 0, 2**40])), ValueError, "outside"),
    "index uint64 huge": (with_(1, np.array([0, 2, 1, 0, 2**63], np.uint64)), ValueError,
                          "out of range"),
    "duplicate": (with_(1, np.array([0, 0, 1, 0, 2], np.int32)), ValueError, "twice"),
    "float indices": (with_(1, np.array([0.0, 2, 1, 0, 2])), TypeError, "integers"),
    "data short": (with_(2, np.array([1.0, 2.0])), ValueError, "values"),
    "data NaN": (with_(2, np.array([1.0, np.nan, 3, 4, 5])), ValueError, "row 0"),
    "data complex": (with_(2, np.ones(5, complex)), TypeError, "real"),
    "data strings": (with_(2, np.array(list("abcde"))), TypeError, "real"),
    "n zero": (with_(3, 0), ValueError, "at least one row"),
    "d zero": (with_(4, 0), ValueError, "at least one row"),
    "2-D indptr": (with_(0, np.zeros((5, 1), int)), TypeError, "1-D"),
    "not a tuple": ([*GOOD], TypeError, "tuple"),
    "short tuple": (GOOD[:3], TypeError, "tuple"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_csr_raises_clearly(case):
    X, exc, msg = HOSTILE[case]
    calls = [
        lambda: _core.sparse_kmeans_fit_runs(X, 2, seeds=np.array([1], np.uint64)),
        lambda: _core.sparse_kmeans_plusplus(X, 2),
        lambda: _core.sparse_kmeans_predict(X, C2),
        lambda: _core.sparse_kmeans_transform(X, C2),
        lambda: _core.sparse_mean_variance(X),
        lambda: _core.sparse_silhouette_samples(X, np.array([0, 1, 0, 1]), 2),
    ]
    for call in calls:
        with pytest.raises(exc, match=msg):
            call()


def test_hostile_arguments_besides_x():
    with pytest.raises(ValueError, match="n_clusters"):
        _core.sparse_kmeans_fit_runs(GOOD, 5, seeds=np.array([1], np.uint64))
    with pytest.raises(ValueError, match="exactly one"):
        _core.sparse_kmeans_fit_runs(GOOD, 2)
    with pytest.raises(ValueError, match="init_centers"):
        _core.sparse_kmeans_fit_runs(GOOD, 2, init_centers=np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match="centers"):
        _core.sparse_kmeans_predict(GOOD, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="sample_weight"):
        _core.sparse_kmeans_predict(GOOD, C2, sample_weight=-np.ones(4))
    with pytest.raises(ValueError, match="labels"):
        _core.sparse_silhouette_samples(GOOD, np.array([0, 1, 0, 5]), 2)
    with pytest.raises(ValueError, match="n_trials"):
        _core.sparse_kmeans_plusplus(GOOD, 2, n_trials=65)
    # inputs are not modified by a successful call
    before = [np.array(a, copy=True) for a in GOOD[:3]]
    _core.sparse_kmeans_fit_runs(GOOD, 2, seeds=np.array([1, 2], np.uint64))
    assert all((a == b).all() for a, b in zip(GOOD[:3], before, strict=True))
