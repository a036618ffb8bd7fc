"""silhouette_scores: several labelings of the same rows in one pass over the
distances, against scikit-learn's silhouette_score per labeling (the
independent reference) and segment's own single-labeling kernel."""

import textwrap

import numpy as np
import pandas as pd
import pytest

import segment as sg
from segment import _core
from tests._interrupt import interrupt_child

sk_metrics = pytest.importorskip("sklearn.metrics")
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402

KERNEL_METRICS = ["euclidean", "sqeuclidean", "manhattan", "cosine"]
TOL = 1e-12


def sweep_labelings(n=1101, d=5, ks=range(2, 8), seed=0):
    """k-means solutions for several K of one data set (odd n, several
    256-row blocks): labelings that share most boundaries, as in k_sweep."""
    X, _ = make_blobs(n_samples=n, n_features=d, centers=6, cluster_std=2.0, random_state=seed)
    labs = [KMeans(k, n_init=2, random_state=seed).fit(X).labels_ for k in ks]
    return X, np.array(labs)


def sklearn_scores(X, labelings, metric):
    return np.array([sk_metrics.silhouette_score(X, lab, metric=metric) for lab in labelings])


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_sweep_labelings_match_sklearn_and_silhouette_score(metric):
    X, labs = sweep_labelings()
    got = sg.silhouette_scores(X, labs, metric=metric)
    np.testing.assert_allclose(got, sklearn_scores(X, labs, metric), rtol=0, atol=TOL)
    one_by_one = [sg.silhouette_score(X, lab, metric=metric) for lab in labs]
    np.testing.assert_allclose(got, one_by_one, rtol=0, atol=TOL)


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_random_labelings_many_tuples_match_sklearn(metric):
    # unrelated random labels: nearly every row its own tuple (the slow path)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((613, 4))
    labs = [rng.integers(0, k, 613) for k in (2, 3, 5, 7, 11, 40)]
    got = sg.silhouette_scores(X, labs, metric=metric)
    np.testing.assert_allclose(got, sklearn_scores(X, labs, metric), rtol=0, atol=TOL)


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_samples_per_labeling_match_sklearn(metric):
    X, labs = sweep_labelings(n=517, ks=(2, 4, 9))
    codes = labs.astype(np.int32)
    s = _core.silhouette_scores(X, codes, np.array([2, 4, 9]), metric=metric)
    for lab, row in zip(labs, s, strict=True):
        want = sk_metrics.silhouette_samples(X, lab, metric=metric)
        np.testing.assert_allclose(row, want, rtol=0, atol=TOL)


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_one_labeling_is_the_single_kernel_bit_for_bit(metric):
    X, labs = sweep_labelings(n=777)
    for lab in labs[:3]:
        got = sg.silhouette_scores(X, [lab], metric=metric)
        assert got.shape == (1,)
        assert got[0] == sg.silhouette_score(X, lab, metric=metric)
        codes = lab.astype(np.int32)[None, :]
        s = _core.silhouette_scores(X, codes, [lab.max() + 1], metric=metric)
        assert (
            s[0].tobytes()
            == _core.silhouette_samples(X, codes[0], lab.max() + 1, metric=metric).tobytes()
        )


def test_empty_label_values_are_ignored():
    # codes with gaps (values never used) reach the kernel through _core
    X, labs = sweep_labelings(n=301, ks=(2, 3))
    codes = np.stack([labs[0] * 3, labs[1] + 5]).astype(np.int32)
    s = _core.silhouette_scores(X, codes, [7, 9])
    for lab, row in zip(labs, s, strict=True):
        np.testing.assert_allclose(row, sk_metrics.silhouette_samples(X, lab), rtol=0, atol=TOL)


def test_many_labelings_and_label_types():
    rng = np.random.default_rng(5)
    X = rng.random((257, 3))
    labs = [rng.integers(0, 2 + i % 6, 257) for i in range(40)]
    labs[1] = np.where(labs[1] == 0, "a", "b")  # strings, as silhouette_score takes them
    got = sg.silhouette_scores(X, labs)
    np.testing.assert_allclose(got, sklearn_scores(X, labs, "euclidean"), rtol=0, atol=TOL)


@pytest.mark.parametrize("metric", KERNEL_METRICS)
def test_bit_identical_on_one_and_two_threads(metric):
    X, labs = sweep_labelings(n=1300)
    rng = np.random.default_rng(0)
    labs = np.vstack([labs, rng.integers(0, 9, (2, 1300))])  # mixed tiles too
    one = sg.silhouette_scores(X, labs, metric=metric, n_threads=1)
    two = sg.silhouette_scores(X, labs, metric=metric, n_threads=2)
    assert one.tobytes() == two.tobytes()


# block widths the kernel picks from n and d (as in test_silhouette_metrics)
WIDE_SHAPES = [(4, 200_000), (37, 3_000), (300, 700), (5, 3), (13, 50), (600, 9)]


@pytest.mark.parametrize("shape", WIDE_SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_block_widths_match_sklearn(shape):
    n, d = shape
    rng = np.random.default_rng(n + d)
    X = rng.standard_normal((n, d))
    labs = [np.arange(n) % 2, (np.arange(n) // 2) % 2, np.arange(n) % min(3, n - 1)]
    got = sg.silhouette_scores(X, labs, n_threads=1)
    np.testing.assert_allclose(got, sklearn_scores(X, labs, "euclidean"), rtol=0, atol=TOL)
    assert sg.silhouette_scores(X, labs, n_threads=2).tobytes() == got.tobytes()


def test_other_metrics_and_sparse_go_one_labeling_at_a_time():
    X, labs = sweep_labelings(n=201, ks=(2, 3))
    D = sk_metrics.pairwise_distances(X)
    np.testing.assert_allclose(
        sg.silhouette_scores(D, labs, metric="precomputed"),
        sklearn_scores(X, labs, "euclidean"),
        rtol=0,
        atol=TOL,
    )
    sparse = pytest.importorskip("scipy.sparse")
    np.testing.assert_allclose(
        sg.silhouette_scores(sparse.csr_matrix(X), labs),
        sklearn_scores(X, labs, "euclidean"),
        rtol=0,
        atol=TOL,
    )


def test_series_labelings_align_on_the_frame_index():
    X, labs = sweep_labelings(n=120, ks=(2, 3))
    df = pd.DataFrame(X, index=[f"c{i}" for i in range(120)])
    series = [pd.Series(lab, index=df.index)[::-1] for lab in labs]  # another order
    np.testing.assert_allclose(
        sg.silhouette_scores(df, series), sklearn_scores(X, labs, "euclidean"), rtol=0, atol=TOL
    )


def test_bad_input_names_the_labeling_and_row():
    X = np.arange(10.0)[:, None]
    good = np.arange(10) % 2
    with pytest.raises(ValueError, match=r"labelings\[1\]: .*NaN at rows \[3\]"):
        sg.silhouette_scores(X, [good, np.where(np.arange(10) == 3, np.nan, 1.0 * good)])
    with pytest.raises(ValueError, match=r"labelings\[2\]: Number of labels is 1"):
        sg.silhouette_scores(X, [good, good, np.zeros(10)])
    with pytest.raises(ValueError, match=r"labelings\[1\]: .*length 9"):
        sg.silhouette_scores(X, [good, good[:9]])
    with pytest.raises(ValueError, match="labelings is empty"):
        sg.silhouette_scores(X, [])
    with pytest.raises(ValueError, match="one vector of labels"):
        sg.silhouette_scores(X, good)
    with pytest.raises(TypeError, match="progress must be"):
        sg.silhouette_scores(X, [good], progress="yes")
    # the kernel's own checks, through _core: the labeling and the row
    codes = np.stack([good, good]).astype(np.int32)
    codes[1, 7] = 2
    with pytest.raises(ValueError, match=r"labeling \* n \+ row 17"):
        _core.silhouette_scores(X, codes, [2, 2])
    with pytest.raises(ValueError, match="not so for labeling 1"):
        _core.silhouette_scores(X, np.stack([good, 0 * good]).astype(np.int32), [2, 2])


class Counter:
    def __init__(self):
        self.n, self.calls = 0, 0

    def update(self, n):
        self.n += n
        self.calls += 1


def test_progress_reports_every_pair_once():
    rng = np.random.default_rng(2)
    n = 3001
    X = rng.random((n, 3))
    bar = Counter()
    got = sg.silhouette_scores(X, [np.arange(n) % 3, np.arange(n) % 5], progress=bar)
    assert bar.n == n * (n - 1) // 2 and bar.calls >= 1
    assert (
        got.tobytes()
        == sg.silhouette_scores(X, [np.arange(n) % 3, np.arange(n) % 5], progress=False).tobytes()
    )


def test_progress_exception_stops_the_kernel_and_propagates():
    class Boom:
        def update(self, n):
            raise RuntimeError("stop here")

    X = np.random.default_rng(1).random((600, 2))
    with pytest.raises(RuntimeError, match="stop here"):
        sg.silhouette_scores(X, [np.arange(600) % 2], progress=Boom())
    assert sg.silhouette_scores([[0.0], [1.0], [10.0], [11.0]], [[0, 0, 1, 1]])[0] == pytest.approx(
        0.8997, abs=1e-4
    )


CHILD = textwrap.dedent(
    """
    import sys, time, numpy as np, segment as sg
    rng = np.random.default_rng(0)
    X = rng.random((200_000, 8)).astype(sys.argv[1])
    # unrelated labelings (many tuples) or a sweep's (few: one tuple per block)
    labs = [rng.integers(0, k, len(X)) if sys.argv[2] == "random" else
            np.sort(rng.integers(0, k, len(X))) for k in range(2, 11)]
    print("ready", flush=True)
    t0 = time.perf_counter()
    try:
        sg.silhouette_scores(X, labs)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - t0:.3f}", flush=True)
    s = sg.silhouette_scores(np.array([[0.0], [1.0], [10.0], [11.0]]), [[0, 0, 1, 1]])[0]
    print(f"next {s:.4f}", flush=True)
    """
)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("labels", ["random", "sorted"])
def test_ctrl_c_stops_within_a_second(dtype, labels):
    line, latency, rest, err, returncode = interrupt_child(CHILD, dtype, labels)
    assert line.startswith("interrupted"), (line, err)
    assert latency < 1.0, latency
    assert rest.strip() == "next 0.8997", (rest, err)
    assert returncode == 0


def test_k_sweep_table_matches_sklearn_per_k():
    X, _ = make_blobs(n_samples=901, n_features=4, centers=5, random_state=2)
    sweep = sg.k_sweep(X, k=range(2, 9), random_state=0)
    for k in range(2, 9):
        want = sk_metrics.silhouette_score(X, sweep.models[k].labels)
        assert sweep.table.loc[k, "silhouette"] == pytest.approx(want, abs=TOL)
    idx = np.random.RandomState(4).permutation(901)[:300]
    sampled = sg.k_sweep(X, k=[3, 5], random_state=4, sample_size=300)
    for k in (3, 5):
        want = sk_metrics.silhouette_score(X[idx], sampled.models[k].labels[idx])
        assert sampled.table.loc[k, "silhouette"] == pytest.approx(want, abs=TOL)


def test_time_estimate_is_the_right_order():
    from segment.metrics import silhouette_seconds

    one = silhouette_seconds(10_000, 8, n_threads=1)
    assert 0.01 < one < 1.0  # ~0.06 s measured on the reference machine
    assert silhouette_seconds(20_000, 8, n_threads=1) == pytest.approx(4 * one, rel=1e-3)
    assert silhouette_seconds(10_000, 8, n_labelings=9, n_threads=1) > one


def test_k_sweep_keeps_the_best_ks_samples():
    X, _ = make_blobs(n_samples=400, n_features=3, centers=4, random_state=5)
    sweep = sg.k_sweep(X, k=range(2, 6), random_state=0)
    want = sk_metrics.silhouette_samples(X, sweep.models[sweep.best_k].labels)
    np.testing.assert_allclose(sweep.best_samples, want, rtol=0, atol=TOL)
    assert sg.k_sweep(X, k=[2, 3], random_state=0, sample_size=100).best_samples is None


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_super_blocks_of_large_n_bit_identical_and_exact(dtype):
    # n >= 16,384 rows: several labelings and float32 play 8-block super-blocks
    X, labs = sweep_labelings(n=20_011, d=3, ks=(2, 3, 4))
    X = X.astype(dtype)
    one = sg.silhouette_scores(X, labs, n_threads=1)
    assert sg.silhouette_scores(X, labs, n_threads=2).tobytes() == one.tobytes()
    want = sk_metrics.silhouette_score(X.astype(np.float64), labs[1])
    assert one[1] == pytest.approx(want, abs=TOL if dtype == np.float64 else 1e-6)
