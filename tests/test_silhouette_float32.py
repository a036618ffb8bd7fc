"""float32 silhouettes: float32 distances with float64 sums, against
scikit-learn on the same values in float64 and against segment's float64
kernel (the score within 1e-6)."""

import numpy as np
import pytest

import segment as sg
from segment.metrics import FLOAT32_METRICS

sk_metrics = pytest.importorskip("sklearn.metrics")
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402

KERNEL_METRICS = ["euclidean", "sqeuclidean", "manhattan", "cosine"]
SCORE_TOL = 1e-6  # the brief's bound for the mean silhouette
ROW_TOL = 2e-5  # one row's silhouette: its sums carry float32 distances


def blobs32(n=1301, d=6, k=5, seed=0):
    X, y = make_blobs(n_samples=n, n_features=d, centers=k, cluster_std=2.5, random_state=seed)
    return X.astype(np.float32), y


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_float32_input_stays_float32_and_matches_sklearn(metric):
    X32, y = blobs32()
    X64 = X32.astype(np.float64)  # the same values, exactly
    got = sg.silhouette_score(X32, y, metric=metric)
    assert got == pytest.approx(sk_metrics.silhouette_score(X64, y, metric=metric), abs=SCORE_TOL)
    f64 = sg.silhouette_score(X32, y, metric=metric, dtype=np.float64)
    assert got == pytest.approx(f64, abs=SCORE_TOL)
    if metric in FLOAT32_METRICS:
        assert got != f64  # computed in float32, not silently in float64
    else:
        assert got == f64  # cosine runs in float64 (test_cosine_float32_runs_in_float64)
    np.testing.assert_allclose(
        sg.silhouette_samples(X32, y, metric=metric),
        sk_metrics.silhouette_samples(X64, y, metric=metric),
        rtol=0,
        atol=ROW_TOL,
    )


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_float64_opts_in_with_dtype(metric):
    X32, y = blobs32(n=777, seed=3)
    X = X32.astype(np.float64) + 1e-3  # values float32 cannot hold exactly
    got = sg.silhouette_score(X, y, metric=metric, dtype=np.float32)
    assert got == pytest.approx(sk_metrics.silhouette_score(X, y, metric=metric), abs=SCORE_TOL)
    assert sg.silhouette_score(X, y, metric=metric, dtype="float32") == got
    assert sg.silhouette_score(X, y, metric=metric) == pytest.approx(
        sk_metrics.silhouette_score(X, y, metric=metric), abs=1e-12
    )


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_scores_of_a_sweep_in_float32(metric):
    X32, _ = blobs32(n=1500, d=8, seed=1)
    labs = [KMeans(k, n_init=2, random_state=0).fit(X32).labels_ for k in range(2, 8)]
    got = sg.silhouette_scores(X32, labs, metric=metric)
    want = [sk_metrics.silhouette_score(X32.astype(np.float64), lab, metric=metric) for lab in labs]
    np.testing.assert_allclose(got, want, rtol=0, atol=SCORE_TOL)
    one = sg.silhouette_scores(X32, labs, metric=metric, n_threads=1)
    assert one.tobytes() == sg.silhouette_scores(X32, labs, metric=metric, n_threads=2).tobytes()


# block widths from n and d (16-row vectors for float32: n rounded up to 16)
WIDE_SHAPES = [(4, 200_000), (37, 3_000), (300, 700), (5, 3), (13, 50), (600, 9), (17, 2)]


@pytest.mark.parametrize("shape", WIDE_SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_block_widths_match_sklearn(shape):
    n, d = shape
    rng = np.random.default_rng(n + d)
    X32 = rng.standard_normal((n, d)).astype(np.float32)
    y = np.arange(n) % (2 if n < 10 else 3)
    got = sg.silhouette_samples(X32, y, n_threads=1)
    want = sk_metrics.silhouette_samples(X32.astype(np.float64), y)
    np.testing.assert_allclose(got, want, rtol=0, atol=ROW_TOL)
    assert sg.silhouette_samples(X32, y, n_threads=2).tobytes() == got.tobytes()


def test_paper_b_features_k_2_to_6():
    contracts = sg.load_contracts(sg.datasets.make_contracts(6000, random_state=0))
    X = sg.minmax_scale(sg.customer_features(contracts)[sg.PAPER_B_FEATURES]).to_numpy()
    labs = [sg.kmeans(X, k, random_state=0).labels for k in range(2, 7)]
    got = sg.silhouette_scores(X, labs, dtype=np.float32)
    X32 = X.astype(np.float32).astype(np.float64)
    want = [sk_metrics.silhouette_score(X32, lab) for lab in labs]
    np.testing.assert_allclose(got, want, rtol=0, atol=SCORE_TOL)
    np.testing.assert_allclose(got, sg.silhouette_scores(X, labs), rtol=0, atol=1e-5)


def test_scale_outside_float32s_comfort_is_handled():
    X32, y = blobs32(n=300, seed=4)
    X = X32.astype(np.float64)
    want = sk_metrics.silhouette_score(X, y)
    for scale in (1e30, 1e-30, 2.0**-140):
        got = sg.silhouette_score(X * scale, y, dtype=np.float32)
        assert got == pytest.approx(want, abs=SCORE_TOL), scale


def test_bad_dtype_refused():
    X32, y = blobs32(n=50)
    for bad in (np.int32, "float16", np.float16, object):
        with pytest.raises(ValueError, match="dtype must be None, numpy.float32 or numpy.float64"):
            sg.silhouette_score(X32, y, dtype=bad)


def test_precomputed_and_sparse_stay_float64():
    X32, y = blobs32(n=200)
    D = sk_metrics.pairwise_distances(X32.astype(np.float64)).astype(np.float32)
    np.fill_diagonal(D, 0)
    want = sk_metrics.silhouette_score(D.astype(np.float64), y, metric="precomputed")
    assert sg.silhouette_score(D, y, metric="precomputed") == pytest.approx(want, abs=1e-12)


def test_cosine_float32_runs_in_float64():
    # Rows at small angles: 1 - x.y in float32 lost up to 1e-4 per row (review
    # of issue 12). float32 X with cosine is scored in float64 on its values.
    rng = np.random.default_rng(0)
    X32 = (100 + rng.uniform(-2, 2, (300, 5))).astype(np.float32)
    y = rng.integers(0, 3, 300)
    want = sk_metrics.silhouette_samples(X32.astype(np.float64), y, metric="cosine")
    for dtype in (None, np.float32):
        got = sg.silhouette_samples(X32, y, metric="cosine", dtype=dtype)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_wide_float32_runs_in_float64():
    # Past FLOAT32_MAX_FEATURES a distance's float32 feature sum drifts past 1e-6.
    from segment.metrics import FLOAT32_MAX_FEATURES

    rng = np.random.default_rng(1)
    for d in (FLOAT32_MAX_FEATURES, FLOAT32_MAX_FEATURES + 1, 5000):
        X32 = rng.normal(size=(40, d)).astype(np.float32)
        y = np.arange(40) % 2
        want = sk_metrics.silhouette_samples(X32.astype(np.float64), y)
        got = sg.silhouette_samples(X32, y)
        tol = 1e-6 if d <= FLOAT32_MAX_FEATURES else 1e-12
        np.testing.assert_allclose(got, want, rtol=0, atol=tol)


def test_bad_silhouette_dtype_names_the_argument():
    X32, _ = blobs32(n=50)
    with pytest.raises(ValueError, match="silhouette_dtype must be None"):
        sg.k_sweep(X32, k=[2, 3], silhouette_dtype="float16")
