"""k-means in float32: dtype= on kmeans and KMeans (None follows X, float32
opts a float64 user in), against float64 on the same data and against
scikit-learn, which keeps float32 input in float32 too.

float32 data runs the _f32 C kernels: distances in float32 (x - c with the
centre rounded to float32, squares summed over the features in float32),
every sum over rows in float64, centres float64 inside the fit and returned
as float32. The tolerances below follow from that (each test says how).
"""

import textwrap

import numpy as np
import pandas as pd
import pytest

import segment as sg
from segment import _core
from tests._interrupt import interrupt_child

EPS32 = 2.0**-24  # float32's unit roundoff


def blobs(n=3000, d=5, k=4, seed=0):
    """k well separated Gaussian blobs (centres 20 apart, unit spread): no
    row is near a tie between two centres."""
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=20.0, size=(k, d))
    lab = rng.integers(0, k, size=n)
    return means[lab] + rng.normal(size=(n, d)), means


def margins(X, centers):
    """Second-nearest minus nearest squared distance, per row (plain NumPy)."""
    d2 = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    d2.sort(axis=1)
    return d2[:, 1] - d2[:, 0]


def paper_b_like(n_contracts=20000, seed=0):
    """Min-max scaled Paper B features of segment's synthetic contracts (about
    three quarters of n_contracts customers x 8), as bench_cluster builds them."""
    contracts = sg.load_contracts(sg.datasets.make_contracts(n_contracts, random_state=seed))
    X = sg.minmax_scale(sg.customer_features(contracts)[sg.PAPER_B_FEATURES])
    return np.ascontiguousarray(X.to_numpy(dtype=np.float64))


def sqdist(X, C):
    """Squared distances (n, k) in float64, plain NumPy."""
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)


def float32_error(X, C):
    """A bound on |float32 kernel's squared distance - exact|, per (row, centre).

    t_f = fl(x_f - fl(c_f)) is x_f - c_f up to |c_f| u + |t_f| u (u = 2^-24),
    so t_f^2 moves by at most 2 |t_f| (|c_f| + |t_f|) u + u t_f^2; summing d
    squares in float32 adds at most d u sum t_f^2 (first order). Hence
    (d + 3) u D + 2 u sqrt(D) ||c||, D the exact squared distance
    (Cauchy-Schwarz on sum |t_f| |c_f|), doubled for the second-order terms."""
    d = X.shape[1]
    D = sqdist(X, C)
    return 2 * ((d + 3) * EPS32 * D + 2 * EPS32 * np.sqrt(D) * np.linalg.norm(C, axis=1))


@pytest.mark.parametrize("data", ["blobs", "paper_b"])
def test_float32_kernels_against_float64_at_the_same_centres(data):
    """predict / transform / fit of the float32 kernels against the float64
    ones on the same values (X rounded to float32 once, held both ways)."""
    X = blobs(n=6000, d=8, k=6, seed=11)[0] if data == "blobs" else paper_b_like()
    X32 = X.astype(np.float32)
    X64 = X32.astype(np.float64)
    rng = np.random.default_rng(12)
    sw = rng.random(len(X64)) + 0.5
    for k in (4, 6, 10):
        C = X64[rng.choice(len(X64), k, replace=False)] + 0.01
        p32 = _core.kmeans_predict(X32, C, sample_weight=sw, n_threads=1)
        p64 = _core.kmeans_predict(X64, C, sample_weight=sw, n_threads=1)
        err = float32_error(X64, C)
        D = sqdist(X64, C)
        order = np.sort(D, axis=1)
        near = np.argsort(D, axis=1)
        # the label is certain when the gap beats both distances' error bounds
        rows = np.arange(len(D))
        sure = order[:, 1] - order[:, 0] > err[rows, near[:, 0]] + err[rows, near[:, 1]]
        assert sure.mean() > 0.99
        np.testing.assert_array_equal(p32.labels[sure], p64.labels[sure])
        # inertia: sum_i w_i * (error of its own distance); the float64 sums add ~1e-16
        own = err[rows, p64.labels]
        assert abs(p32.inertia - p64.inertia) <= (sw * own).sum() + 1e-12 * p64.inertia
        # transform: sqrt halves the relative error; float32 output rounds once more
        t32 = _core.kmeans_transform(X32, C, n_threads=1)
        assert t32.dtype == np.float32
        bound = err / (2 * np.sqrt(np.maximum(D, 1e-300))) + EPS32 * np.sqrt(D)
        assert (np.abs(t32.astype(np.float64) - np.sqrt(D)) <= bound + 1e-30).all()
        # a fit from the same centres: the same labels at every iteration (no
        # near-tie here) give the same float64 sums in the same order, hence the
        # same centres bit for bit; the inertia within the bound above
        f32 = sg.kmeans(X32, k, init=C, n_threads=1, tol=0, algorithm="lloyd")
        f64 = sg.kmeans(X64, k, init=C, n_threads=1, tol=0, algorithm="lloyd")
        assert f32.centers.dtype == np.float32
        # (checked here: no row of these data sets flips on the way)
        np.testing.assert_array_equal(f32.labels, f64.labels)
        assert f32.n_iter == f64.n_iter
        np.testing.assert_array_equal(f32.centers, f64.centers.astype(np.float32))
        own = float32_error(X64, f64.centers)[rows, f64.labels].sum()
        assert abs(f32.inertia - f64.inertia) <= own + 1e-12 * f64.inertia


def test_float32_against_float64_on_the_same_data():
    X, means = blobs()
    init = X[
        [
            np.flatnonzero(np.argmin(((X[:, None] - means) ** 2).sum(2), 1) == j)[0]
            for j in range(len(means))
        ]
    ]
    r64 = sg.kmeans(X, 4, init=init, n_threads=1)
    r32 = sg.kmeans(X, 4, init=init, n_threads=1, dtype=np.float32)
    assert r32.centers.dtype == np.float32 and r64.centers.dtype == np.float64
    assert isinstance(r32.inertia, float)
    # no near-ties: rounding X (at most |x| * 2^-24 a value) cannot move a label
    assert margins(X, r64.centers).min() > 1.0
    np.testing.assert_array_equal(r32.labels, r64.labels)
    # Same labels, so each centre is the mean of the same rows: rounding moves
    # it by at most max|x| * 2^-24 (mean of the rows' perturbations), and
    # returning it in float32 by |c| * 2^-24 more.
    big = np.abs(X).max()
    np.testing.assert_allclose(r32.centers, r64.centers, rtol=0, atol=2 * big * EPS32)
    # inertia = ||X - C[labels]||_F^2; a perturbation D of the residuals with
    # ||D||_F <= 2 sqrt(n d) max|x| 2^-24 (rows and their means) changes it by
    # at most 2 sqrt(inertia) ||D||_F + ||D||_F^2.
    n, d = X.shape
    dn = 2 * np.sqrt(n * d) * big * EPS32
    assert abs(r32.inertia - r64.inertia) <= 2 * np.sqrt(r64.inertia) * dn + dn**2


def test_float32_input_matches_scikit_learn_float32():
    cluster = pytest.importorskip("sklearn.cluster")
    X, _ = blobs(n=4000, d=8, k=5, seed=1)
    X32 = X.astype(np.float32)
    init = X32[:5].copy()
    ours = sg.KMeans(5, init=init, n_init=1, algorithm="lloyd", n_threads=1).fit(X32)
    ref = cluster.KMeans(5, init=init, n_init=1, algorithm="lloyd").fit(X32)
    assert ours.cluster_centers_.dtype == ref.cluster_centers_.dtype == np.float32
    assert ours.transform(X32).dtype == ref.transform(X32).dtype == np.float32
    # scikit-learn accumulates the centre sums in float32 (relative error up to
    # about n * 2^-24 of the sum, here < 3e-4 of max|x|); segment in float64.
    away = margins(X32.astype(np.float64), ref.cluster_centers_.astype(np.float64)) > 1e-2
    assert away.mean() > 0.99
    np.testing.assert_array_equal(ours.labels_[away], ref.labels_[away])
    tol = 4000 * EPS32 * np.abs(X32).max()
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=tol)
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-4)
    np.testing.assert_allclose(ours.transform(X32), ref.transform(X32), rtol=1e-4, atol=tol)


def test_float32_paper_b_matches_scikit_learn_float32_from_the_same_centres():
    cluster = pytest.importorskip("sklearn.cluster")
    X32 = paper_b_like(seed=1).astype(np.float32)
    init = X32[np.random.default_rng(13).choice(len(X32), 6, replace=False)]
    ours = sg.KMeans(6, init=init, n_init=1, algorithm="lloyd", tol=0, n_threads=1).fit(X32)
    ref = cluster.KMeans(6, init=init, n_init=1, algorithm="lloyd", tol=0).fit(X32)
    # Both in float32 distances; scikit-learn also sums the centres in float32
    # (relative error up to about n u = 15,000 x 2^-24 ~ 1e-3 of the sum's
    # scale; features in [0, 1]) where segment sums in float64. Same local
    # optimum: the inertia within 1e-4, the centres within n u.
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-4)
    np.testing.assert_allclose(
        ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=len(X32) * EPS32
    )
    assert (ours.labels_ == ref.labels_).mean() > 0.999


def test_float32_batched_and_parallel_runs_bit_identical():
    """600,000 x 8 float32 is 19 MB of row blocks, past the 16 MiB at which
    Lloyd runs share their passes (batched); n_init=3 on 1 thread also runs
    the parallel-runs path (n_init >= 2 threads), on 2 threads the runs go one
    after another, each parallel inside. Every path and thread count gives the
    same bits, and the best run equals that seed run alone (not batched)."""
    X = blobs(n=600_000, d=8, k=5, seed=14)[0].astype(np.float32)
    seeds = np.array([21, 22, 23], dtype=np.uint64)
    kw = dict(max_iter=15, tol=0.0)
    one = _core.kmeans_fit_runs(X, 5, seeds=seeds, n_threads=1, **kw)
    two = _core.kmeans_fit_runs(X, 5, seeds=seeds, n_threads=2, **kw)
    alone = _core.kmeans_fit_runs(X, 5, seeds=seeds[[one.best_run]], n_threads=2, **kw)
    for other in (two, alone):
        np.testing.assert_array_equal(one.labels, other.labels)
        assert one.centers.tobytes() == other.centers.tobytes()
        assert one.inertia == other.inertia and one.n_iter == other.n_iter
    p1 = _core.kmeans_predict(X, one.centers, n_threads=1)
    p2 = _core.kmeans_predict(X, one.centers, n_threads=2)
    np.testing.assert_array_equal(p1.labels, one.labels)
    assert p1.inertia == p2.inertia == one.inertia
    t1 = _core.kmeans_transform(X[:50_000], one.centers, n_threads=1)
    t2 = _core.kmeans_transform(X[:50_000], one.centers, n_threads=2)
    assert t1.tobytes() == t2.tobytes()


def test_float32_hamerly_runs_on_a_float64_copy():
    X, _ = blobs(n=2000, d=4, k=5, seed=15)
    X32 = X.astype(np.float32)
    a = sg.kmeans(X32, 5, random_state=1, algorithm="hamerly")
    b = sg.kmeans(X32.astype(np.float64), 5, random_state=1, algorithm="hamerly", dtype="float32")
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.centers, b.centers)
    with pytest.raises(ValueError, match="float32 X runs Lloyd only"):
        _core.kmeans_fit(X32, X[:5], algorithm=1)


def test_float32_kmeans_plusplus_keeps_float32():
    X, _ = blobs(n=3000, d=6, k=5, seed=16)
    X32 = X.astype(np.float32)
    centers, idx = sg.kmeans_plusplus(X32, 5, random_state=2)
    assert centers.dtype == np.float32
    np.testing.assert_array_equal(X32[idx], centers)
    # well separated blobs: float32 and float64 distances draw the same rows
    _, idx64 = sg.kmeans_plusplus(X32.astype(np.float64), 5, random_state=2)
    np.testing.assert_array_equal(idx, idx64)
    one, two = (_core.kmeans_plusplus(X32, 5, seed=3, n_threads=nt).indices for nt in (1, 2))
    np.testing.assert_array_equal(one, two)


def test_float32_centres_beyond_float32_range_are_refused():
    X32 = np.ones((10, 2), dtype=np.float32)
    with pytest.raises(ValueError, match="beyond float32's range"):
        _core.kmeans_predict(X32, np.array([[1e39, 0.0]]))
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        bad = X32.copy()
        bad[3, 1] = np.nan
        _core.kmeans_fit_runs(bad, 2, seeds=np.array([1], dtype=np.uint64))


def test_float32_opt_in_equals_float32_input():
    """dtype=float32 on float64 X clusters exactly the float32 copy of X."""
    X, _ = blobs(n=1500, seed=2)
    a = sg.kmeans(X, 4, random_state=3, dtype="float32")
    b = sg.kmeans(X.astype(np.float32), 4, random_state=3)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.centers, b.centers)
    assert a.inertia == b.inertia


@pytest.mark.parametrize("algorithm", ["lloyd", "hamerly"])
def test_one_and_two_threads_bit_identical(algorithm):
    X, _ = blobs(n=20000, d=6, k=6, seed=4)
    X32 = X.astype(np.float32)
    one = sg.kmeans(X32, 6, n_init=3, random_state=5, algorithm=algorithm, n_threads=1)
    two = sg.kmeans(X32, 6, n_init=3, random_state=5, algorithm=algorithm, n_threads=2)
    np.testing.assert_array_equal(one.labels, two.labels)
    assert one.centers.tobytes() == two.centers.tobytes()
    assert one.inertia == two.inertia
    km1 = sg.KMeans(6, random_state=5, n_threads=1, dtype=np.float32).fit(X)
    km2 = sg.KMeans(6, random_state=5, n_threads=2, dtype=np.float32).fit(X)
    assert km1.transform(X).tobytes() == km2.transform(X).tobytes()


def test_dtype_none_follows_the_input():
    X, _ = blobs(n=300, seed=6)
    assert sg.kmeans(X.astype(np.float32), 4, random_state=0).centers.dtype == np.float32
    assert sg.kmeans(X, 4, random_state=0).centers.dtype == np.float64
    assert sg.kmeans(X.round().astype(np.int64), 4, random_state=0).centers.dtype == np.float64
    frame = pd.DataFrame(X.astype(np.float32), columns=list("abcde"))
    res = sg.kmeans(frame, 4, random_state=0)
    assert (res.centers.dtypes == np.float32).all()
    # float64 opts a float32 input out: centres in float64
    out = sg.kmeans(X.astype(np.float32), 4, random_state=0, dtype="float64")
    assert out.centers.dtype == np.float64


def test_estimator_keeps_float32_through_predict_transform_score():
    X, _ = blobs(n=600, seed=7)
    km = sg.KMeans(4, random_state=0, dtype=np.float32).fit(X)
    assert km.get_params()["dtype"] is np.float32
    assert km.cluster_centers_.dtype == np.float32
    t = km.transform(X)
    assert t.dtype == np.float32
    # X is rounded to the centres' precision, as scikit-learn casts it
    X32 = X.astype(np.float32).astype(np.float64)
    ref = np.sqrt(((X32[:, None, :] - km.cluster_centers_[None].astype(np.float64)) ** 2).sum(2))
    np.testing.assert_allclose(t, ref, rtol=1e-6)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    np.testing.assert_array_equal(km.predict(X), ref.argmin(axis=1))
    np.testing.assert_allclose(-km.score(X), (ref.min(axis=1) ** 2).sum(), rtol=1e-6)
    back = sg.KMeans.from_result(km.result_)
    assert back.cluster_centers_.dtype == np.float32


@pytest.mark.parametrize("bad", ["float16", np.int32, "bogus", 3, True, object])
def test_bad_dtype_is_refused_naming_it(bad):
    X, _ = blobs(n=100, seed=8)
    with pytest.raises(ValueError, match="dtype must be None, numpy.float32 or numpy.float64"):
        sg.kmeans(X, 2, dtype=bad)
    with pytest.raises(ValueError, match="dtype"):
        sg.KMeans(2, dtype=bad).fit(X)


def test_value_beyond_float32_range_is_refused_naming_x():
    X, _ = blobs(n=100, seed=9)
    X[7, 2] = 1e39
    with pytest.raises(ValueError, match=r"X holds 1e\+39 at position \(7, 2\)"):
        sg.kmeans(X, 2, dtype=np.float32)
    assert sg.kmeans(X, 2, random_state=0).centers.dtype == np.float64  # float64 holds it


def test_sparse_float32_opt_in():
    sparse = pytest.importorskip("scipy.sparse")
    X, _ = blobs(n=500, seed=10)
    X[np.abs(X) < 5] = 0.0
    a = sg.kmeans(sparse.csr_matrix(X), 4, random_state=0, dtype=np.float32)
    b = sg.kmeans(X.astype(np.float32), 4, random_state=0)
    assert a.centers.dtype == np.float32
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(a.centers, b.centers, rtol=1e-6, atol=1e-5)


CHILD = textwrap.dedent(
    """
    import time, numpy as np, segment as sg
    X = np.random.default_rng(0).random((400_000, 16))
    print("ready", flush=True)
    t0 = time.perf_counter()
    try:
        sg.kmeans(X, 200, n_init=50, max_iter=1000, tol=0, random_state=0, dtype="float32")
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - t0:.3f}", flush=True)
    r = sg.kmeans(np.array([[0.0], [1.0], [10.0], [11.0]]), 2, random_state=0, dtype="float32")
    print(f"next {r.inertia:.4f} {r.centers.dtype}", flush=True)
    """
)


def test_ctrl_c_stops_a_float32_fit_within_a_second():
    line, latency, rest, err, returncode = interrupt_child(CHILD)
    assert line.startswith("interrupted"), (line, err)
    assert latency < 1.0, latency
    assert rest.strip() == "next 1.0000 float32", (rest, err)
    assert returncode == 0
