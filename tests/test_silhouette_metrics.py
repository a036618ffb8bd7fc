"""silhouette_samples / silhouette_score with metric=: every metric against
scikit-learn and the NumPy reference, the precomputed matrix's checks,
callables, sampling, threads."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import segment as sg
from segment import metrics
from tests import reference

sk_metrics = pytest.importorskip("sklearn.metrics")
from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.metrics import pairwise_distances  # noqa: E402

KERNEL_METRICS = ["euclidean", "sqeuclidean", "manhattan", "cosine"]
# every name accepted, with scikit-learn's name for the same distances
ALL_NAMES = KERNEL_METRICS + ["l2", "l1", "cityblock"]
TOL = 1e-12


def blobs(n=300, d=4, k=3, seed=0):
    X, y = make_blobs(n_samples=n, n_features=d, centers=k, random_state=seed)
    return X, y


def grid(n=240, d=2, k=3, seed=1):
    """Small integers: ties, duplicate rows, zero rows (cosine's special case)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 3, (n, d)).astype(float), rng.integers(0, k, n)


def assert_sklearn(X, y, metric, **kw):
    got = sg.silhouette_samples(X, y, metric=metric, **kw)
    want = sk_metrics.silhouette_samples(np.asarray(X, dtype=np.float64), y, metric=metric)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    return got


@pytest.mark.parametrize("metric", ALL_NAMES)
@pytest.mark.parametrize("data", [blobs, grid, lambda: blobs(n=260, d=1, k=4),
                                  lambda: grid(d=1, k=2)],
                         ids=["blobs", "ties", "one_feature", "ties_one_feature"])
def test_matches_sklearn(metric, data):
    X, y = data()
    s = assert_sklearn(X, y, metric)
    assert np.all(np.abs(s) <= 1)
    assert sg.silhouette_score(X, y, metric=metric) == pytest.approx(
        sk_metrics.silhouette_score(X, y, metric=metric), abs=TOL)


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_matches_reference(metric):
    X, y = grid(n=90, d=3, k=4, seed=5)
    np.testing.assert_allclose(sg.silhouette_samples(X, y, metric=metric),
                               reference.silhouette(X, y, metric), rtol=0, atol=TOL)


# Block widths the kernel picks from n and d (csrc/seg_silhouette.c,
# block_width): 8-row blocks for 4 rows or 200,000 features, 40 rows at
# d = 3,000, 184 rows at d = 700, n rounded up to 8 rows for small n, and
# 256 rows with a ragged last block.
WIDE_SHAPES = [(4, 200_000), (37, 3_000), (300, 700), (5, 3), (13, 50), (600, 9)]


@pytest.mark.parametrize("metric", KERNEL_METRICS)
@pytest.mark.parametrize("shape", WIDE_SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_block_widths_by_n_and_d_match_sklearn(metric, shape):
    n, d = shape
    rng = np.random.default_rng(n + d)
    X = rng.standard_normal((n, d))
    y = np.arange(n) % (2 if n < 10 else 3)
    s1 = assert_sklearn(X, y, metric, n_threads=1)
    np.testing.assert_array_equal(sg.silhouette_samples(X, y, metric=metric, n_threads=2), s1)


def test_aliases_give_the_same_bits():
    X, y = blobs()
    for a, b in [("l2", "euclidean"), ("l1", "manhattan"), ("cityblock", "manhattan")]:
        np.testing.assert_array_equal(sg.silhouette_samples(X, y, metric=a),
                                      sg.silhouette_samples(X, y, metric=b))
    np.testing.assert_array_equal(sg.silhouette_samples(X, y),
                                  sg.silhouette_samples(X, y, metric="euclidean"))


@pytest.mark.parametrize("metric", KERNEL_METRICS + ["precomputed"])
def test_singletons_score_zero(metric):
    X, y = blobs(n=40, d=2)
    y = y.copy()
    y[[0, 7]] = [10, 11]  # two clusters of one row
    Xm = pairwise_distances(X) if metric == "precomputed" else X
    s = assert_sklearn(Xm, y, metric)
    assert s[0] == 0.0 and s[7] == 0.0


def test_cosine_zero_rows_match_sklearn():
    X, y = blobs(n=50, d=3)
    X = X.copy()
    X[[0, 1, 20]] = 0.0  # zero rows: at distance 1 from every other row
    X[5] = 1e-17  # a norm under 10 eps: not divided by it, as in normalize()
    assert_sklearn(X, y, "cosine")


@pytest.mark.parametrize("metric", ALL_NAMES)
def test_float32_in_float64_with_dtype(metric):
    # float32 X is scored in float32 by default (tests/test_silhouette_float32.py);
    # dtype=np.float64 gives the float64 kernel on the same values
    X, y = blobs(n=200)
    X32 = X.astype(np.float32)
    got = sg.silhouette_samples(X32, y, metric=metric, dtype=np.float64)
    np.testing.assert_array_equal(got, sg.silhouette_samples(X32.astype(np.float64), y,
                                                             metric=metric))
    np.testing.assert_allclose(
        got, sk_metrics.silhouette_samples(X32.astype(np.float64), y, metric=metric),
        rtol=0, atol=TOL)


@pytest.mark.parametrize("metric", ALL_NAMES)
def test_precomputed_matches_sklearn_and_the_metric(metric):
    X, y = blobs(n=250)
    D = pairwise_distances(X, metric=metric)
    s = assert_sklearn(D, y, "precomputed")
    np.testing.assert_allclose(s, sg.silhouette_samples(X, y, metric=metric), rtol=0, atol=TOL)
    # float32 and Fortran-ordered matrices work too
    np.testing.assert_array_equal(sg.silhouette_samples(np.asfortranarray(D), y,
                                                        metric="precomputed"), s)


def test_precomputed_tolerates_scikit_learns_diagonal():
    X, y = blobs(n=60)
    D = pairwise_distances(X)
    np.fill_diagonal(D, 1e-14)  # under 100 eps: accepted, and summed as scikit-learn does
    assert_sklearn(D, y, "precomputed")
    D32 = D.astype(np.float32)
    np.fill_diagonal(D32, 1e-6)  # under 100 float32 eps
    assert sg.silhouette_score(D32, y, metric="precomputed") == pytest.approx(
        sk_metrics.silhouette_score(D32, y, metric="precomputed"), abs=1e-6)


@pytest.mark.parametrize("frame", [False, True])
def test_precomputed_refusals_name_rows(frame):
    X, y = blobs(n=12, d=2)
    D = pairwise_distances(X)
    index = [f"c{i}" for i in range(12)]

    def call(M):
        M = pd.DataFrame(M, index=index) if frame else M
        return sg.silhouette_samples(M, y, metric="precomputed")

    def rows(*r):
        return ", ".join(index[i] if frame else str(i) for i in r)

    bad = D.copy()
    bad[3, 3], bad[9, 9] = 0.5, 1e-9
    with pytest.raises(ValueError, match=r"^The precomputed distance matrix contains non-zero "
                       r"elements on the diagonal \(rows \[" + rows(3, 9) + r"\]\)\. "
                       r"Use np\.fill_diagonal\(X, 0\)\.$"):
        call(bad)
    bad = D.copy()
    bad[4, 1] = -0.5
    with pytest.raises(ValueError, match=r"negative values in rows \[" + rows(4) + r"\]"):
        call(bad)
    for v in (np.nan, np.inf):
        bad = D.copy()
        bad[6, 2] = v
        with pytest.raises(ValueError, match=r"NaN or infinite values in rows \[" + rows(6)):
            call(bad)
    with pytest.raises(ValueError, match=r"square distance matrix .*\(12, 11\)"):
        sg.silhouette_samples(D[:, :11], y, metric="precomputed")
    with pytest.raises(ValueError, match="square distance matrix"):
        sg.silhouette_score(D[:, :11], y, metric="precomputed", sample_size=5, random_state=0)


def test_precomputed_integer_matrix():
    D = np.array([[0, 1, 5, 6], [1, 0, 4, 5], [5, 4, 0, 1], [6, 5, 1, 0]])
    assert_sklearn(D, [0, 0, 1, 1], "precomputed")
    D[2, 2] = 1  # integers: the diagonal must be exactly 0
    with pytest.raises(ValueError, match=r"diagonal \(rows \[2\]\)"):
        sg.silhouette_samples(D, [0, 0, 1, 1], metric="precomputed")


@pytest.mark.parametrize("metric", ALL_NAMES + ["precomputed"])
def test_sample_size_matches_sklearn(metric):
    X, y = blobs(n=400)
    Xm = pairwise_distances(X, metric="manhattan") if metric == "precomputed" else X
    for seed in (0, 7):
        got = sg.silhouette_score(Xm, y, metric=metric, sample_size=120, random_state=seed)
        want = sk_metrics.silhouette_score(Xm, y, metric=metric, sample_size=120,
                                           random_state=seed)
        assert got == pytest.approx(want, abs=TOL)


@pytest.mark.parametrize("metric", KERNEL_METRICS + ["precomputed"])
def test_bit_identical_on_one_and_two_threads(metric):
    X, y = blobs(n=1100, d=5, k=5)  # several blocks of 256 rows
    Xm = pairwise_distances(X, metric="cosine") if metric == "precomputed" else X
    one = sg.silhouette_samples(Xm, y, metric=metric, n_threads=1)
    two = sg.silhouette_samples(Xm, y, metric=metric, n_threads=2)
    assert one.tobytes() == two.tobytes()


@pytest.mark.parametrize("metric", ["cosine", "precomputed"])
def test_series_labels_align_on_the_frame_index(metric):
    X, y = blobs(n=80)
    Xm = pairwise_distances(X) if metric == "precomputed" else X
    idx = [f"r{i}" for i in range(80)]
    df = pd.DataFrame(Xm, index=idx)
    labels = pd.Series(y, index=idx)
    want = sg.silhouette_samples(Xm, y, metric=metric)
    order = np.random.default_rng(0).permutation(80)
    shuffled = df.iloc[order, order] if metric == "precomputed" else df.iloc[order]
    got = sg.silhouette_samples(shuffled, labels, metric=metric)
    assert isinstance(got, pd.Series) and list(got.index) == [idx[i] for i in order]
    np.testing.assert_allclose(got.to_numpy(), want[order], rtol=0, atol=TOL)


def _chebyshev(a, b):
    return float(np.abs(a - b).max())


def test_callable_matches_sklearn(monkeypatch):
    X, y = blobs(n=60, d=3)
    s = assert_sklearn(X, y, _chebyshev)
    monkeypatch.setattr(metrics, "_CALLABLE_CHUNK", 200)  # 3 rows a chunk: 20 chunks
    np.testing.assert_array_equal(sg.silhouette_samples(X, y, metric=_chebyshev), s)
    assert sg.silhouette_score(X, y, metric=_chebyshev, sample_size=30, random_state=2) == (
        pytest.approx(sk_metrics.silhouette_score(X, y, metric=_chebyshev, sample_size=30,
                                                  random_state=2), abs=TOL))


@pytest.mark.parametrize("value", [-1.0, np.nan, np.inf])
def test_callable_bad_distances_refused(value):
    X, y = blobs(n=8, d=2)
    with pytest.raises(ValueError, match=r"metric callable returned .* for rows 0 and 0"):
        sg.silhouette_samples(X, y, metric=lambda a, b: value)


@pytest.mark.parametrize("metric", ["minkowski", "chebyshev", "Euclidean", "", None, 3,
                                    b"cosine", ["cosine"]])
def test_other_metrics_refused_listing_the_supported(metric):
    X, y = blobs(n=20)
    for fn in (sg.silhouette_samples, sg.silhouette_score):
        with pytest.raises(ValueError, match=r"metric must be one of 'euclidean', 'l2', "
                           r"'sqeuclidean', 'manhattan', 'cityblock', 'l1', 'cosine', "
                           r"'precomputed' or a callable"):
            fn(X, y, metric=metric)


def test_cosine_huge_rows_refused():
    X, y = blobs(n=20, d=2)
    with pytest.raises(ValueError, match="too large"):
        sg.silhouette_samples(X * 1e160, y, metric="cosine")
    from segment import _core
    with pytest.raises(ValueError, match="overflow"):  # x.x overflows in the kernel
        _core.silhouette_samples(X * 1e160, y.astype(np.int32), 3, metric="cosine")


def test_inputs_not_modified():
    X, y = blobs(n=50)
    D = pairwise_distances(X)
    X0, D0, y0 = X.copy(), D.copy(), y.copy()
    for metric in KERNEL_METRICS:
        sg.silhouette_samples(X, y, metric=metric)
    sg.silhouette_samples(D, y, metric="precomputed")
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(D, D0)
    np.testing.assert_array_equal(y, y0)


def _rows_defined(D, y):
    """Rows whose a(i) or b(i) is clear of round-off (cosine of rows on one
    ray is 0 plus noise in any implementation)."""
    keep = np.ones(len(y), bool)
    for i in range(len(y)):
        means = [D[i, y == c].mean() for c in np.unique(y)]
        keep[i] = max(means) > 1e-6
    return keep


@given(
    X=arrays(np.float64, st.tuples(st.integers(4, 40), st.integers(1, 4)),
             elements=st.integers(-6, 6).map(lambda v: v / 2)),
    k=st.integers(2, 4),
    seed=st.integers(0, 2**16),
    metric=st.sampled_from(ALL_NAMES),
)
def test_property_bounded_and_precomputed_equals_metric(X, k, seed, metric):
    n = X.shape[0]
    y = np.random.default_rng(seed).integers(0, k, n)
    y[:2] = [0, 1]
    s = sg.silhouette_samples(X, y, metric=metric)
    assert np.all((s >= -1) & (s <= 1))
    D = pairwise_distances(X, metric=metric)
    pre = sg.silhouette_samples(D, y, metric="precomputed")
    assert np.all((pre >= -1) & (pre <= 1))
    keep = _rows_defined(D, y) if metric == "cosine" else slice(None)
    np.testing.assert_allclose(pre[keep], s[keep], rtol=0, atol=TOL)
