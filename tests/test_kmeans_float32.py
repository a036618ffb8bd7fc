"""k-means in float32: dtype= on kmeans and KMeans (None follows X, float32
opts a float64 user in), against float64 on the same data and against
scikit-learn, which keeps float32 input in float32 too.

segment clusters X rounded to float32 with float64 arithmetic (distances and
sums) and hands float32 centres back; the tolerances below follow from that.
"""

import textwrap

import numpy as np
import pandas as pd
import pytest

import segment as sg
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
