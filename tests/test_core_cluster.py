"""Contract tests of the raw segment._core clustering entry points.

A direct call with bad arguments raises; it never crashes. Inputs are never
modified, and refcounts stay flat across failing calls.
"""

import sys

import numpy as np
import pytest

from segment import _core

X = np.random.default_rng(0).normal(size=(40, 3))
C = X[:4].copy()
L = np.repeat(np.arange(4, dtype=np.int32), 10)


BAD_CALLS = [
    (lambda: _core.kmeans_fit(X[:, 0], C), ValueError, "X must be 2-dimensional"),
    (lambda: _core.kmeans_fit(X[None], C), ValueError, "X must be 2-dimensional"),
    (lambda: _core.kmeans_fit(np.zeros((0, 3)), C), ValueError, "at least one row"),
    (lambda: _core.kmeans_fit(X, C[:, :2]), ValueError, "centers must have shape"),
    (lambda: _core.kmeans_fit(X[:3], C), ValueError, "must not exceed"),
    (lambda: _core.kmeans_fit(X, C, max_iter=0), ValueError, "max_iter"),
    (lambda: _core.kmeans_fit(X, C, tol=float("nan")), ValueError, "tol"),
    (lambda: _core.kmeans_fit(X, C, algorithm=7), ValueError, "algorithm"),
    (lambda: _core.kmeans_fit(X, C, sample_weight=np.ones(3)), ValueError, "sample_weight has"),
    (lambda: _core.kmeans_fit(X, C, sample_weight=-np.ones(40)), ValueError, "sample_weight"),
    (lambda: _core.kmeans_fit(np.where(X > 1, np.nan, X), C), ValueError, "NaN"),
    (lambda: _core.kmeans_fit(X, np.full((4, 3), np.inf)), ValueError, "NaN or infinity"),
    (lambda: _core.kmeans_fit("x", C), TypeError, "X"),
    (lambda: _core.kmeans_fit(X.astype(complex), C), ValueError, "real numeric"),
    (lambda: _core.kmeans_fit(None, C), TypeError, "not None"),
    (lambda: _core.kmeans_plusplus(X, 0), ValueError, "n_clusters"),
    (lambda: _core.kmeans_plusplus(X, 41), ValueError, "n_clusters"),
    (lambda: _core.kmeans_plusplus(X, -5), ValueError, "n_clusters"),
    (lambda: _core.kmeans_plusplus(X, 2, n_trials=1000), ValueError, "n_trials"),
    (lambda: _core.kmeans_predict(X, C[:, :1]), ValueError, "centers"),
    (lambda: _core.kmeans_fit_runs(X, 4), ValueError, "exactly one of seeds"),
    (lambda: _core.kmeans_mean_variance(X[:, 0]), ValueError, "X must be 2-dimensional"),
    (lambda: _core.kmeans_mean_variance(np.zeros((0, 3))), ValueError, "at least one row"),
    (lambda: _core.kmeans_mean_variance(np.where(X > 1, np.inf, X)), ValueError, "NaN"),
    (lambda: _core.kmeans_mean_variance(np.array([[1e300], [-1e300]])), ValueError,
     "overflow|finite"),
    (lambda: _core.kmeans_fit_runs(X, 4, seeds=[1], init_centers=C[None]), ValueError,
     "exactly one"),
    (lambda: _core.kmeans_fit_runs(X, 4, init_centers=C), ValueError, "3-dimensional"),
    (lambda: _core.kmeans_fit_runs(X, 4, init_centers=C[None, :3]), ValueError,
     r"shape \(n_init, 4, 3\)"),
    (lambda: _core.kmeans_fit_runs(X, 4, seeds=np.zeros(0, np.uint64)), ValueError, "n_init"),
    (lambda: _core.kmeans_fit_runs(X, 41, seeds=[1]), ValueError, "n_clusters"),
    (lambda: _core.kmeans_fit_runs(X, 4, seeds=[1], max_iter=0), ValueError, "max_iter"),
    (lambda: _core.kmeans_transform(X, np.zeros((0, 3))), ValueError, "centers"),
    (lambda: _core.silhouette_samples(X, L[:5], 4), ValueError, "labels has length"),
    (lambda: _core.silhouette_samples(X, L, 3), ValueError, r"in \[0, 2\]; row 30 has 3"),
    (lambda: _core.silhouette_samples(X, L - 1, 4), ValueError, "row 0 has -1"),
    (lambda: _core.silhouette_samples(X, L + 0.5, 5), TypeError, "must hold integers"),
    (lambda: _core.silhouette_samples(X, L.astype(np.int64) + 2**32, 4), ValueError,
     "has 4294967296"),
    (lambda: _core.cluster_validity(X, L / 1.0, 4), TypeError, "must hold integers"),
    (lambda: _core.kmeans_fit_runs(X, 4, seeds=[1.5]), TypeError, "must hold integers"),
    (lambda: _core.kmeans_fit_runs(X, 4, seeds=[-1]), ValueError, "row 0 has -1"),
    (lambda: _core.kmeans_fit_runs(np.array([[1e200], [-1e200], [1e200], [0.0]]), 2,
                                   seeds=[1]), ValueError, "overflow"),
    (lambda: _core.silhouette_samples(np.array([[1e200], [-1e200], [1e200], [0.0]]),
                                      [0, 1, 0, 1], 2), ValueError, "overflow"),
    (lambda: _core.cluster_validity(np.array([[1e200], [-1e200], [1e200], [0.0]]),
                                    [0, 1, 0, 1], 2), ValueError, "overflow"),
    (lambda: _core.silhouette_samples(X, np.zeros(40, np.int32), 1), ValueError, "2 distinct"),
    (lambda: _core.silhouette_samples(X, L, 0), ValueError, "n_clusters"),
    (lambda: _core.silhouette_samples(X, L.reshape(4, 10), 4), ValueError, "1-dimensional"),
    (lambda: _core.silhouette_samples(X, L, 2**31 - 1), MemoryError, "GiB"),
    (lambda: _core.silhouette_samples(X, L, 2**40), ValueError, "n_clusters must be between"),
    (lambda: _core.kmeans_transform(np.zeros((2**20, 1)), np.zeros((2**20, 1))),
     MemoryError, "GiB"),
]


@pytest.mark.parametrize("call, exc, match", BAD_CALLS)
def test_bad_calls_raise(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_refcounts_stable_across_failing_calls():
    before = [sys.getrefcount(a) for a in (X, C, L)]
    for _ in range(200):
        for call, exc, _match in BAD_CALLS:
            with pytest.raises(exc):
                call()
    after = [sys.getrefcount(a) for a in (X, C, L)]
    assert before == after


def test_inputs_never_modified():
    Xc, Cc, Lc = X.copy(), C.copy(), L.copy()
    w = np.linspace(1, 2, 40)
    wc = w.copy()
    _core.kmeans_fit(X, C, sample_weight=w)
    _core.kmeans_plusplus(X, 4, sample_weight=w, seed=3)
    _core.kmeans_predict(X, C, sample_weight=w)
    _core.kmeans_transform(X, C)
    _core.silhouette_samples(X, L, 4)
    for a, b in ((X, Xc), (C, Cc), (L, Lc), (w, wc)):
        np.testing.assert_array_equal(a, b)


def test_non_contiguous_integer_and_readonly_input_work():
    base = _core.kmeans_fit(X, C)
    Xf = np.asfortranarray(X)
    Xs = np.repeat(X, 2, axis=1)[:, ::2]
    Xr = X.copy()
    Xr.flags.writeable = False
    for Y in (Xf, Xs, Xr):
        np.testing.assert_array_equal(_core.kmeans_fit(Y, C)[0], base[0])
    Xi = (X * 100).astype(np.int32)
    labels, centers, inertia, n_iter, conv = _core.kmeans_fit(Xi, C * 100)
    assert labels.dtype == np.int32 and centers.dtype == np.float64
    s = _core.silhouette_samples(Xs, L.astype(np.int64), 4)
    np.testing.assert_array_equal(s, _core.silhouette_samples(X, L, 4))


def test_plusplus_is_deterministic_and_picks_rows():
    a, ia = _core.kmeans_plusplus(X, 5, seed=123)
    b, ib = _core.kmeans_plusplus(X, 5, seed=123, n_threads=1)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, X[ia])
    assert len(set(ia.tolist())) == 5
    c, _ = _core.kmeans_plusplus(X, 5, seed=124)
    assert not np.array_equal(a, c)


def test_plusplus_never_picks_zero_weight_rows():
    w = np.zeros(40)
    w[[3, 7, 11, 20, 33]] = 1.0
    for seed in range(20):
        _, idx = _core.kmeans_plusplus(X, 3, sample_weight=w, seed=seed)
        assert set(idx.tolist()) <= {3, 7, 11, 20, 33}


def test_fit_runs_equals_separate_runs_keeping_the_first_best():
    seeds = np.array([11, 22, 33, 44, 55], dtype=np.uint64)
    tol = 1e-6
    runs = []
    for seed in seeds:
        c0, _ = _core.kmeans_plusplus(X, 4, seed=int(seed))
        runs.append(_core.kmeans_fit(X, c0, tol=tol))
    best = min(range(len(runs)), key=lambda r: (runs[r][2], r))
    for nt in (1, 2):
        labels, centers, inertia, n_iter, conv, which = _core.kmeans_fit_runs(
            X, 4, seeds=seeds, tol=tol, n_threads=nt)
        assert which == best
        np.testing.assert_array_equal(centers, runs[best][1])
        np.testing.assert_array_equal(labels, runs[best][0])
        assert inertia == pytest.approx(runs[best][2], rel=1e-14)
        assert n_iter == runs[best][3]
    starts = np.stack([X[:4], X[4:8], X[8:12]])
    out = _core.kmeans_fit_runs(X, 4, init_centers=starts)
    direct = [_core.kmeans_fit(X, s0) for s0 in starts]
    assert out[2] == pytest.approx(min(r[2] for r in direct), rel=1e-14)


def test_huge_n_threads_is_capped_not_fatal():
    labels, _ = _core.kmeans_predict(X, C, n_threads=100_000)
    np.testing.assert_array_equal(labels, _core.kmeans_predict(X, C, n_threads=1)[0])
    s = _core.silhouette_samples(X, L, 4, n_threads=100_000)
    np.testing.assert_array_equal(s, _core.silhouette_samples(X, L, 4, n_threads=1))


def test_zero_weight_rows_never_fill_an_empty_cluster():
    Xw = np.array([[0.0], [10.0], [20.0], [21.0], [30.0]])
    w = np.array([0.0, 0.0, 1.0, 1.0, 0.0])
    labels, centers, inertia, n_iter, conv, _ = _core.kmeans_fit_runs(
        Xw, 2, init_centers=np.array([[[20.0], [100.0]]]), sample_weight=w)
    assert conv and n_iter < 300
    assert sorted(centers[:, 0].tolist()) == [20.0, 21.0]


@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (257, 8), (5000, 9), (70_001, 2)])
def test_mean_variance_is_numpys(shape):
    """The scale of k-means' tol: numpy's var(X, axis=0).mean(), on any threads."""
    rng = np.random.default_rng(shape[0])
    A = rng.lognormal(size=shape) * 10.0 ** rng.integers(-3, 4, shape[1]) + 5.0
    ref = np.var(A, axis=0).mean()
    one = _core.kmeans_mean_variance(A, n_threads=1)
    assert one == pytest.approx(ref, rel=1e-12, abs=1e-300)
    assert _core.kmeans_mean_variance(np.asfortranarray(A), n_threads=2) == one
    assert _core.kmeans_mean_variance(A[::-1].copy(), n_threads=3) == pytest.approx(one, rel=1e-13)


# ---- kmeans_step_merge says which input is wrong (issue 15.5) ----

_MERGE_BAD = {
    "negative weight": (
        dict(weights=np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 1.0]])),
        r"weights must be >= 0; negative at flat index \(chunk \* k \+ cluster\) 4$",
    ),
    "negative far_weight": (
        dict(far_weight=np.array([1.0, -1.0])),
        r"far_weight must be >= 0; negative at entry 1$",
    ),
    "NaN far_dist": (
        dict(far_dist=np.array([1.0, np.nan])),
        r"far_dist is NaN or infinite at entry 1$",
    ),
    "inf far_rows": (
        dict(far_rows=np.array([[1.0], [np.inf]])),
        r"far_rows has NaN or infinity in row 1$",
    ),
    "NaN sums": (dict(sums=np.full((2, 3, 1), np.nan)), r"sums has NaN or infinity$"),
    "inf weights": (dict(weights=np.full((2, 3), np.inf)), r"weights has NaN or infinity$"),
    "zero total weight": (dict(weights=np.zeros((2, 3))), r"total weight is zero"),
    "far_label out of range": (dict(far_label=np.array([0, 3])), r"far_label must be in \[0, 2\]"),
}


@pytest.mark.parametrize("case", sorted(_MERGE_BAD))
def test_kmeans_step_merge_names_the_bad_input(case):
    kw, match = _MERGE_BAD[case]
    args = dict(
        sums=np.ones((2, 3, 1)),
        weights=np.ones((2, 3)),
        centers=np.zeros((3, 1)),
        far_dist=np.ones(2),
        far_label=np.array([0, 1]),
        far_weight=np.ones(2),
        far_rows=np.ones((2, 1)),
    )
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        _core.kmeans_step_merge(**args)


def test_kmeans_step_kernels_name_the_bad_row():
    msg = r"kmeans_step_sample: closest must be >= 0; negative in row 2$"
    with pytest.raises(ValueError, match=msg):
        _core.kmeans_step_sample(np.array([1.0, 0.0, -1.0]), 2.0, 1.0, 0)
    with pytest.raises(ValueError, match=r"kmeans_step_nearest: closest is NaN in row 0$"):
        _core.kmeans_step_nearest(
            np.zeros((2, 1)),
            np.zeros((1, 1)),
            1,
            2,
            closest=np.array([np.nan, 1.0]),
            nearest=np.array([0, 0]),
        )
    msg = r"counts must be >= 1 for every cluster a row is labelled with; not so for row 1$"
    with pytest.raises(ValueError, match=msg):
        _core.kmeans_step_silhouette_scores(np.ones((2, 3)), np.array([0, 2]), np.array([2, 1, 0]))


# -- the kernels' own reasons (seg_detail) reach the message -------------------


@pytest.mark.parametrize("call, pattern", [
    # finite input whose squares overflow: only the kernel can tell
    (lambda: _core.kmeans_fit_runs(np.array([[1e200], [-1e200], [1e200], [0.0]]), 2,
                                   seeds=[1]),
     r"^kmeans: NaN or infinity in the result: values so large \(\|x\| > 1e154\) that their "
     r"squares overflow; rescale the data"),
    (lambda: _core.kmeans_fit(np.array([[1e200], [-1e200], [1e200], [0.0]]),
                              np.array([[1e200], [-1e200]])),
     r"^kmeans: NaN or infinity in the result: .* squares overflow"),
    (lambda: _core.kmeans_predict(np.array([[1e200], [-1e200]]), np.array([[-1e200]])),
     r"^kmeans_predict: NaN or infinity in the result: .* squares overflow"),
    (lambda: _core.kmeans_transform(np.array([[1e200], [-1e200]]), np.array([[-1e200]])),
     r"^kmeans_transform: NaN or infinity in the result: .* squares overflow"),
    (lambda: _core.kmeans_mean_variance(np.array([[1e300], [-1e300]])),
     r"^kmeans_mean_variance: the variance is not finite"),
    (lambda: _core.silhouette_samples(np.array([[0.0], [1.0], [2.0]]), [1, 1, 1], 2),
     r"^silhouette: needs at least 2 distinct labels; all rows have the same one$"),
    (lambda: _core.silhouette_samples(np.array([[1e200], [-1e200], [1e200], [0.0]]),
                                      [0, 1, 0, 1], 2),
     r"^silhouette: NaN or infinity in the result: .* squares overflow"),
    (lambda: _core.cluster_validity(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 2, 2], 3),
     r"^cluster_validity: every label code in \[0, k\) must be used; unused label 1$"),
    (lambda: _core.entropy_weights(np.array([[1.0, 2.0], [1.0, 2.0]])),
     r"^entropy_weights: every column of x is constant"),
    (lambda: _core.sparse_kmeans_fit_runs(
        (np.array([0, 1, 2, 3, 3]), np.zeros(3, np.int32), np.array([1e200, -1e200, 1e200]), 4, 1),
        2, seeds=[1]),
     r"^kmeans: NaN or infinity in the result: .* squares overflow"),
])
def test_kernel_reason_is_the_message(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
