"""segment.dask: k-means, silhouette and customer features on Dask.

Oracles: segment.KMeans on the same data in memory from the same initial
centres (to 1e-10), scikit-learn (KMeans, silhouette), plain-NumPy re-derivations
of the per-chunk kernels, and pandas segment.customer_features. Runs on Dask's
threaded scheduler and on a 2-worker LocalCluster (processes) started here.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import segment as sg  # noqa: E402
import segment.dask as sgd  # noqa: E402
from segment import _core  # noqa: E402


def blobs(n, d, k, sd, seed):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, size=(k, d))
    return centres[rng.integers(0, k, n)] + rng.normal(0, sd, size=(n, d))


@pytest.fixture(scope="module")
def cluster():
    """A 2-worker LocalCluster of processes, for this module only."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=40,
    ) as lc:
        yield lc


@pytest.fixture(scope="module")
def data():
    X = blobs(6000, 5, 4, 1.2, seed=1)
    w = np.random.default_rng(2).uniform(0.0, 3.0, len(X))
    w[::11] = 0.0
    return X, w


# ---------------------------------------------------------------------------
# The optional import
# ---------------------------------------------------------------------------


def test_import_segment_does_not_import_dask():
    code = "import sys, segment; assert 'dask' not in sys.modules, 'dask imported'; " \
           "assert 'segment.dask' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_dask_says_how_to_install():
    code = (
        "import sys; sys.modules['dask'] = None\n"
        "try:\n    import segment.dask\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "segment-kit[dask]"' in out.stdout


# ---------------------------------------------------------------------------
# Per-chunk kernels against NumPy
# ---------------------------------------------------------------------------


def np_step(X, C, w, n_far, offset):
    d2 = ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
    lab = d2.argmin(axis=1)  # first minimum: ties to the lower index
    dist = d2[np.arange(len(X)), lab]
    w = np.ones(len(X)) if w is None else w
    sums = np.zeros_like(C)
    np.add.at(sums, lab, w[:, None] * X)
    weights = np.bincount(lab, weights=w, minlength=len(C))
    order = np.lexsort((np.arange(len(X)), -dist))[:n_far]  # farthest, then lower row
    return lab, sums, weights, float(w @ dist), order + offset, dist[order]


@pytest.mark.parametrize("weighted", [False, True])
def test_step_matches_numpy(weighted):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(403, 3))
    X[[7, 70, 170]] = 9.0  # equally far rows: lower row first
    C = X[[0, 1, 1, 2]].copy()  # a duplicate centre: ties go to the lower index
    w = rng.uniform(0, 2, len(X)) if weighted else None
    Xc, Cc = X.copy(), C.copy()
    res = _core.kmeans_step(X, C, sample_weight=w, offset=50, n_far=6, return_labels=True)
    sums, weights, sse, fi, fd, fl, fw, fr, labels = res
    lab, rs, rw, rsse, ri, rd = np_step(X, C, w, 6, 50)
    np.testing.assert_array_equal(labels, lab)
    assert not (labels == 2).any()
    np.testing.assert_allclose(sums, rs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weights, rw, rtol=1e-12)
    assert sse == pytest.approx(rsse, rel=1e-12)
    np.testing.assert_array_equal(fi, ri)
    np.testing.assert_array_equal(fi[:3], [57, 120, 220])
    np.testing.assert_allclose(fd, rd, rtol=1e-14)
    np.testing.assert_array_equal(fl, lab[ri - 50])
    np.testing.assert_array_equal(fr, X[ri - 50])
    np.testing.assert_array_equal(fw, np.ones(6) if w is None else w[ri - 50])
    np.testing.assert_array_equal(X, Xc)  # inputs untouched
    np.testing.assert_array_equal(C, Cc)


def np_merge(sums, weights, C, far_dist, far_label, far_weight, far_rows):
    """segment.KMeans' centre update, re-derived: merged sums, empty clusters
    re-seeded from the farthest rows (first maximum), rows leaving their cluster."""
    s = sums.sum(axis=0)
    wsum = weights.sum(axis=0)
    dist = far_dist.copy()
    for c in range(len(C)):
        if wsum[c] > 0:
            continue
        e = int(np.argmax(dist))
        if dist[e] < 0:
            break
        dist[e] = -2
        old = far_label[e]
        if old != c and wsum[old] > 0:
            s[old] -= far_weight[e] * far_rows[e]
            wsum[old] = max(wsum[old] - far_weight[e], 0.0)
        s[c] = far_rows[e]
        wsum[c] = -1
    new = C.copy()
    for c in range(len(C)):
        if wsum[c] > 0:
            new[c] = s[c] / wsum[c]
        elif wsum[c] < 0:
            new[c] = s[c]
    return new, float(((new - C) ** 2).sum())


def test_merge_matches_numpy_with_empty_clusters():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(900, 3))
    C = np.vstack([X[:3], [[50, 50, 50]], [[-60, 0, 0]]])  # two clusters empty
    chunks = [(0, 250), (250, 600), (600, 900)]
    parts = [_core.kmeans_step(X[a:b], C, offset=a, n_far=5) for a, b in chunks]
    args = [np.stack([p[0] for p in parts]), np.stack([p[1] for p in parts]), C]
    far = [np.concatenate([p[i] for p in parts]) for i in (4, 5, 6, 7)]
    new, shift, moved = _core.kmeans_step_merge(*args, *far)
    ref, ref_shift = np_merge(*args, *far)
    assert moved == 2
    np.testing.assert_allclose(new, ref, rtol=1e-12, atol=1e-12)
    assert shift == pytest.approx(ref_shift, rel=1e-12)
    # The two farthest rows of all 900 took the empty clusters.
    d2 = ((X[:, None] - C[None]) ** 2).sum(2).min(1)
    top = np.argsort(-d2, kind="stable")[:2]
    np.testing.assert_array_equal(new[3:], X[top])


def test_nearest_and_sample_match_numpy():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 4))
    w = rng.uniform(0, 2, len(X))
    cands = X[[5, 9, 40, 41, 300]].copy()
    cl, ne, cost, cw = _core.kmeans_step_nearest(X, cands[:2], 0, 2, sample_weight=w)
    cl, ne, cost, cw = _core.kmeans_step_nearest(X, cands[2:], 2, 5, cl, ne, sample_weight=w)
    d2 = ((X[:, None] - cands[None]) ** 2).sum(2)
    np.testing.assert_array_equal(ne, d2.argmin(1))
    np.testing.assert_allclose(cl, d2.min(1), rtol=1e-14)
    assert cost == pytest.approx(w @ d2.min(1), rel=1e-12)
    np.testing.assert_allclose(cw, np.bincount(d2.argmin(1), weights=w, minlength=5), rtol=1e-12)
    # Sampling: probability min(1, ell w d2 / phi) per row, independently.
    ell, phi = 30.0, float(w @ cl)
    p = np.minimum(1.0, ell * w * cl / phi)
    counts = np.zeros(len(X))
    for seed in range(400):
        picked = _core.kmeans_step_sample(cl, ell, phi, seed, sample_weight=w)
        assert np.all(np.diff(picked) > 0)
        counts[picked] += 1
    assert counts[cl == 0].sum() == 0  # candidates never again
    assert abs(counts.sum() / 400 - p.sum()) < 4 * np.sqrt(p.sum() / 400) + 0.05
    hi = p > 0.2
    np.testing.assert_allclose(counts[hi] / 400, p[hi], atol=0.1)


def test_core_contract_bad_input_raises_and_keeps_refcounts():
    X = np.random.default_rng(0).normal(size=(20, 3))
    C = X[:2].copy()
    before = sys.getrefcount(X), sys.getrefcount(C)
    with pytest.raises(ValueError, match="must have 3 columns|shape"):
        _core.kmeans_step(X, C[:, :2])
    with pytest.raises(ValueError, match="2-dimensional"):
        _core.kmeans_step(X[0], C)
    with pytest.raises(ValueError, match="NaN"):
        _core.kmeans_step(X, np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match="sample_weight"):
        _core.kmeans_step(X, C, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="length"):
        _core.kmeans_step(X, C, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="shape"):
        _core.kmeans_step_merge(np.zeros((2, 2, 3)), np.zeros((2, 3)), C)
    with pytest.raises(ValueError, match="total weight"):
        _core.kmeans_step_merge(np.zeros((1, 2, 3)), np.zeros((1, 2)), C)
    with pytest.raises(ValueError, match="first"):
        _core.kmeans_step_nearest(X, C, 1, 2)
    with pytest.raises(ValueError, match="nearest"):
        _core.kmeans_step_nearest(X, C, 1, 3, np.ones(20), np.full(20, 5, np.int32))
    with pytest.raises(ValueError, match="finite and > 0"):
        _core.kmeans_step_sample(np.ones(20), 2.0, 0.0, 1)
    with pytest.raises(ValueError, match="labels_b must be in"):
        _core.kmeans_step_silhouette(X, np.zeros(20, np.int32), X, np.full(20, 7, np.int32), 2)
    # Labels and counts that a cast would wrap or truncate are refused.
    lab = np.zeros(20, np.int64)
    with pytest.raises(ValueError, match="labels_b"):
        _core.kmeans_step_silhouette(X, lab, X, lab + 2**32, 2)
    with pytest.raises(TypeError, match="integers"):
        _core.kmeans_step_silhouette(X, lab + 0.7, X, lab, 2)
    with pytest.raises(TypeError, match="counts"):
        _core.kmeans_step_silhouette_scores(np.ones((20, 2)), lab, np.array([10.5, 9.5]))
    with pytest.raises(ValueError, match="nearest"):
        _core.kmeans_step_nearest(X, C, 1, 3, np.ones(20), np.full(20, 2**32, np.int64))
    bad = X.copy()
    bad[4, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        _core.kmeans_step(bad, C)
    huge = np.array([[1e200, 0.0], [-1e200, 0.0], [0.0, 1.0]])  # squares overflow
    with pytest.raises(ValueError, match="NaN or infinity"):
        _core.kmeans_step(huge, huge[:2])
    with pytest.raises(ValueError, match="NaN or infinity"):
        _core.kmeans_step_silhouette(huge, np.zeros(3, np.int32), huge, np.zeros(3, np.int32), 1)
    assert (sys.getrefcount(X), sys.getrefcount(C)) == before
    # Non-contiguous and integer input work.
    a = _core.kmeans_step(np.asfortranarray(X), C)[2]
    b = _core.kmeans_step(X, C)[2]
    assert a == b
    assert _core.kmeans_step(np.arange(12).reshape(6, 2), np.array([[0, 0], [5, 5]]))[2] > 0
    assert _core.kmeans_step(np.zeros((0, 3)), C, n_far=3)[2] == 0.0  # empty chunk


# ---------------------------------------------------------------------------
# KMeans: equal to segment.KMeans in memory, deterministic, on any scheduler
# ---------------------------------------------------------------------------


def assert_same_fit(dk, mk, labels_dask=None):
    scale = np.abs(mk.cluster_centers_).max()
    np.testing.assert_allclose(dk.cluster_centers_, mk.cluster_centers_, rtol=0,
                               atol=1e-10 * scale)
    assert dk.inertia_ == pytest.approx(mk.inertia_, rel=1e-10)
    assert dk.n_iter_ == mk.n_iter_
    labels = dk.labels_.compute() if labels_dask is None else labels_dask
    np.testing.assert_array_equal(labels, mk.labels_)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("empty", [False, True])
def test_equals_in_memory_kmeans_from_same_centres(data, weighted, empty):
    X, w = data
    C0 = X[[3, 500, 1000, 2000]].copy()
    if empty:  # two centres far from all rows: re-seeded with the farthest rows
        C0[1] = 100.0
        C0[3] = -100.0
    sw = w if weighted else None
    Xd = da.from_array(X, chunks=((1000, 1500, 2000, 1, 1499), (5,)))  # uneven, a 1-row chunk
    dk = sgd.KMeans(4, init=C0, tol=1e-6).fit(Xd, sample_weight=sw)
    mk = sg.KMeans(4, init=C0, n_init=1, tol=1e-6).fit(X, sample_weight=sw)
    assert_same_fit(dk, mk)
    assert dk.converged_


def test_equals_scikit_learn_lloyd(data):
    from sklearn.cluster import KMeans as SKKMeans

    X, _ = data
    C0 = X[[10, 20, 30, 40]]
    dk = sgd.KMeans(4, init=C0, tol=0.0).fit(da.from_array(X, chunks=900))
    sk = SKKMeans(4, init=C0, n_init=1, tol=0.0, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(dk.cluster_centers_, sk.cluster_centers_, atol=1e-9)
    assert dk.inertia_ == pytest.approx(sk.inertia_, rel=1e-9)
    np.testing.assert_array_equal(dk.labels_.compute(), sk.labels_)


def test_kmeans_parallel_inertia_within_one_percent_of_kmeans_plusplus():
    """k-means|| + Lloyd against in-memory greedy k-means++ + Lloyd, median over seeds."""
    uniform = np.random.default_rng(6).random((8000, 9))
    for X, k in [(blobs(8000, 9, 5, 3.0, seed=4), 5), (uniform, 8)]:
        Xd = da.from_array(X, chunks=1000)
        par = [sgd.KMeans(k, random_state=s).fit(Xd).inertia_ for s in range(11)]
        pp = [sg.KMeans(k, random_state=s).fit(X).inertia_ for s in range(11)]
        assert np.median(par) <= 1.01 * np.median(pp)


def test_kmeans_parallel_follows_bahmani(data):
    """About 1 + rounds * oversampling_factor * k candidates; with sample weights
    the seeding is as good as in-memory weighted k-means++ (median over seeds)."""
    X, w = data
    Xd = da.from_array(X, chunks=1000)
    km = sgd.KMeans(4, random_state=0, init_max_iter=5, max_iter=1).fit(Xd)
    assert 5 * 8 / 3 < km.n_candidates_ < 5 * 8 * 3
    km0 = sgd.KMeans(4, random_state=0, init_max_iter=0, max_iter=1).fit(Xd)
    assert km0.n_candidates_ >= 4  # extra rounds until there are k candidates
    par = [sgd.KMeans(4, random_state=s).fit(Xd, sample_weight=w).inertia_ for s in range(7)]
    pp = [sg.KMeans(4, random_state=s).fit(X, sample_weight=w).inertia_ for s in range(7)]
    assert np.median(par) <= 1.01 * np.median(pp)


def test_deterministic_and_chunking(data):
    X, w = data
    Xd = da.from_array(X, chunks=700)
    a = sgd.KMeans(4, random_state=7).fit(Xd, sample_weight=w)
    b = sgd.KMeans(4, random_state=7).fit(Xd, sample_weight=w)
    assert np.array_equal(a.cluster_centers_, b.cluster_centers_) and a.inertia_ == b.inertia_
    c = sgd.KMeans(4, random_state=7, n_init=3).fit(Xd, sample_weight=w)
    assert c.inertia_ <= a.inertia_  # its first run is a's
    # Another chunking, the same initial centres: equal to round-off.
    C0 = X[[1, 2, 3, 4]]
    e = sgd.KMeans(4, init=C0).fit(da.from_array(X, chunks=1300), sample_weight=w)
    f = sgd.KMeans(4, init=C0).fit(Xd, sample_weight=w)
    np.testing.assert_allclose(e.cluster_centers_, f.cluster_centers_, atol=1e-10)
    assert e.n_iter_ == f.n_iter_


def test_distributed_is_bit_identical_to_threads(cluster, data):
    X, w = data
    Xd = da.from_array(X, chunks=1200)
    C0 = X[[3, 500, 1000, 2000]].copy()
    C0[2] = 80.0
    threads = sgd.KMeans(4, random_state=3).fit(Xd, sample_weight=w)
    given = sgd.KMeans(4, init=C0).fit(Xd)
    with distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        dist = sgd.KMeans(4, random_state=3).fit(Xd, sample_weight=w)
        dist_given = sgd.KMeans(4, init=C0).fit(Xd)
        labels = dist_given.labels_.compute()
        sil = sgd.silhouette_score(Xd, dist_given.labels_)
    assert np.array_equal(threads.cluster_centers_, dist.cluster_centers_)
    assert threads.inertia_ == dist.inertia_ and threads.n_iter_ == dist.n_iter_
    assert np.array_equal(given.cluster_centers_, dist_given.cluster_centers_)
    mk = sg.KMeans(4, init=C0, n_init=1).fit(X)
    assert_same_fit(dist_given, mk, labels_dask=labels)
    from sklearn.metrics import silhouette_score as sk_sil

    assert sil == pytest.approx(sk_sil(X, labels), abs=1e-10)


def test_dataframe_in_lazy_labels_aligned(data):
    X, _ = data
    pdf = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    ddf = dd.from_pandas(pdf, npartitions=4)
    km = sgd.KMeans(4, random_state=0).fit(ddf)
    assert isinstance(km.labels_, da.Array)
    assert km.labels_.chunks[0] == tuple(ddf.map_partitions(len).compute())
    assert list(km.feature_names_in_) == list(pdf.columns)
    assert isinstance(km.cluster_centers_, np.ndarray) and isinstance(km.inertia_, float)
    labels = km.labels_.compute()
    d2 = ((X[:, None] - km.cluster_centers_[None]) ** 2).sum(2)
    np.testing.assert_array_equal(labels, d2.argmin(1))  # every label is the nearest centre
    assert km.inertia_ == pytest.approx(d2.min(1).sum(), rel=1e-12)
    np.testing.assert_array_equal(km.predict(ddf).compute(), labels)
    np.testing.assert_allclose(km.transform(ddf).compute(), np.sqrt(d2), rtol=1e-12)
    assert km.score(ddf) == pytest.approx(-km.inertia_, rel=1e-12)
    np.testing.assert_array_equal(km.fit_predict(ddf).compute(), labels)
    # float32 and an in-memory array are accepted.
    k32 = sgd.KMeans(4, init=km.cluster_centers_).fit(da.from_array(X.astype(np.float32), 2000))
    m32 = sg.KMeans(4, init=km.cluster_centers_, n_init=1).fit(X.astype(np.float32))
    np.testing.assert_allclose(k32.cluster_centers_, m32.cluster_centers_, atol=1e-10)
    assert np.array_equal(sgd.KMeans(4, random_state=0).fit(X).cluster_centers_,
                          sgd.KMeans(4, random_state=0).fit(da.from_array(X, 100_000))
                          .cluster_centers_)


def test_estimator_conventions():
    from sklearn.base import clone

    km = sgd.KMeans(5, random_state=1, oversampling_factor=3)
    assert repr(km) == "KMeans(n_clusters=5, oversampling_factor=3, random_state=1)"
    assert clone(km).get_params() == km.get_params()
    assert km.set_params(n_init=2) is km and km.n_init == 2
    with pytest.raises(ValueError, match="Invalid parameter"):
        km.set_params(n_jobs=2)
    with pytest.raises(sg.NotFittedError):
        km.predict(da.zeros((3, 2), chunks=2))


def test_bad_input_messages(data):
    X, w = data
    Xd = da.from_array(X, chunks=1000)
    bad = X.copy()
    bad[[1234, 4321], 2] = np.nan
    with pytest.raises(ValueError, match=r"rows \[(1234|4321)"):
        sgd.KMeans(3, random_state=0).fit(da.from_array(bad, chunks=1000))
    neg = w.copy()
    neg[2500] = -1.0
    with pytest.raises(ValueError, match=r"sample_weight.*2500"):
        sgd.KMeans(3, random_state=0).fit(Xd, sample_weight=neg)
    with pytest.raises(ValueError, match="all zero"):
        sgd.KMeans(3, init=X[:3]).fit(Xd, sample_weight=np.zeros(len(X)))
    with pytest.raises(ValueError, match="sample_weight has length"):
        sgd.KMeans(3).fit(Xd, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="n_clusters"):
        sgd.KMeans(7000).fit(Xd)
    with pytest.raises(ValueError, match="init has shape"):
        sgd.KMeans(3, init=X[:2]).fit(Xd)
    with pytest.raises(ValueError, match="init must be"):
        sgd.KMeans(3, init="k-means++").fit(Xd)
    with pytest.raises(ValueError, match="oversampling_factor"):
        sgd.KMeans(3, oversampling_factor=0).fit(Xd)
    with pytest.raises(TypeError, match="non-numeric columns"):
        sgd.KMeans(2).fit(dd.from_pandas(pd.DataFrame({"a": [1.0, 2, 3], "b": list("xyz")}), 1))
    with pytest.raises(ValueError, match="2-dimensional"):
        sgd.KMeans(2).fit(da.zeros(10, chunks=5))
    km = sgd.KMeans(3, random_state=0).fit(Xd)
    with pytest.raises(ValueError, match="expecting 5 features"):
        km.predict(da.zeros((4, 3), chunks=2))
    with pytest.raises(ValueError, match=r"rows \[(1234|4321)"):
        km.predict(da.from_array(bad, chunks=1000)).compute()


def test_fewer_distinct_points_than_clusters_warns():
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]]), 50, axis=0)
    with pytest.warns(RuntimeWarning, match="distinct"):
        km = sgd.KMeans(5, random_state=0).fit(da.from_array(X, chunks=40))
    assert km.inertia_ == 0.0


# ---------------------------------------------------------------------------
# Silhouette
# ---------------------------------------------------------------------------


def test_silhouette_exact_equals_scikit_learn():
    from sklearn.metrics import silhouette_samples as sk_samples
    from sklearn.metrics import silhouette_score as sk_score

    X = blobs(2500, 4, 4, 2.0, seed=8)
    labels = np.array(list("abcd"))[sg.KMeans(4, random_state=0).fit(X).labels_]
    labels[17] = "z"  # a cluster of one: s = 0
    Xd = da.from_array(X, chunks=600)
    s = sgd.silhouette_samples(Xd, da.from_array(labels, chunks=1000))
    assert isinstance(s, da.Array) and s.chunks == Xd.chunks[:1]
    np.testing.assert_allclose(s.compute(), sk_samples(X, labels), rtol=0, atol=1e-10)
    assert s.compute()[17] == 0.0
    score = sgd.silhouette_score(dd.from_pandas(pd.DataFrame(X), npartitions=3), labels)
    assert score == pytest.approx(sk_score(X, labels), abs=1e-10)
    with pytest.raises(ValueError, match="distinct labels"):
        sgd.silhouette_score(Xd, np.zeros(len(X)))
    with pytest.raises(ValueError, match="labels has length"):
        sgd.silhouette_score(Xd, labels[:-1])


def test_silhouette_sampled_is_exact_per_row_and_covers():
    from sklearn.metrics import silhouette_samples as sk_samples

    X = blobs(3000, 3, 3, 2.5, seed=12)
    labels = sg.KMeans(3, random_state=0).fit(X).labels_
    exact = sk_samples(X, labels)
    Xd = da.from_array(X, chunks=700)
    est = sgd.silhouette_score(Xd, labels, sample_size=300, random_state=4)
    # Every sampled row's silhouette is the exact one, against all n rows.
    np.testing.assert_allclose(est.samples, exact[est.indices], atol=1e-10)
    np.testing.assert_array_equal(est.sample_labels, labels[est.indices])
    sizes = np.bincount(labels)
    np.testing.assert_array_equal(est.strata["size"], sizes)
    np.testing.assert_array_equal(est.strata["sampled"], np.bincount(labels[est.indices]))
    assert abs(est.sample_size - 300) <= 3 and len(np.unique(est.indices)) == est.sample_size
    assert est.ci_low < est.score < est.ci_high and float(est) == est.score
    assert list(est.to_frame().columns)[:3] == ["score", "ci_low", "ci_high"]
    # The whole population: the exact score, an interval of width 0.
    full = sgd.silhouette_score(Xd, labels, sample_size=len(X), random_state=0)
    assert full.score == pytest.approx(exact.mean(), abs=1e-10)
    assert full.ci_high - full.ci_low == pytest.approx(0.0, abs=1e-12)
    # 95% intervals cover the exact score in most of 40 draws.
    small = da.from_array(X[:1500], chunks=500)
    truth = sk_samples(X[:1500], labels[:1500]).mean()
    hits = 0
    for seed in range(40):
        e = sgd.silhouette_score(small, labels[:1500], sample_size=120, random_state=seed)
        hits += e.ci_low <= truth <= e.ci_high
    assert hits >= 33


# ---------------------------------------------------------------------------
# Customer features
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contracts():
    from segment.datasets import make_contracts

    c = make_contracts(4000, dirty=False, random_state=3)
    return c[~c["debt"].astype(bool)].reset_index(drop=True)


def test_customer_features_equal_pandas(contracts):
    expected = sg.customer_features(contracts)
    by_index = dd.from_pandas(contracts.set_index("customer_id").sort_index(), npartitions=5)
    assert by_index.known_divisions
    got = sgd.customer_features(by_index)
    assert got.known_divisions
    pd.testing.assert_frame_equal(got.compute(), expected, check_index_type=False)
    shuffled = dd.from_pandas(contracts, npartitions=4).shuffle(on="customer_id")
    got2 = sgd.customer_features(shuffled, features=["recency", "frequency"]).compute()
    pd.testing.assert_frame_equal(got2.sort_index(), expected[["recency", "frequency"]],
                                  check_index_type=False)
    fixed = sgd.customer_features(by_index, as_of="2023-01-01").compute()
    pd.testing.assert_frame_equal(fixed, sg.customer_features(contracts, as_of="2023-01-01"),
                                  check_index_type=False)


def test_customer_features_day_month_as_of(contracts):
    by_index = dd.from_pandas(contracts.set_index("customer_id").sort_index(), npartitions=3)
    with pytest.raises(ValueError, match=r"as_of='01/02/2023' is ambiguous"):
        sgd.customer_features(by_index, as_of="01/02/2023")  # refused before any compute
    got = sgd.customer_features(by_index, as_of="01/02/2023", dayfirst=True).compute()
    pd.testing.assert_frame_equal(got, sg.customer_features(contracts, as_of="2023-02-01"),
                                  check_index_type=False)


def test_customer_features_refuses_split_customers(contracts):
    many = contracts["customer_id"].value_counts()
    cid = many.index[0]
    assert many.iloc[0] > 1
    # The customer's contracts last, the partition boundary before its last one.
    rows = pd.concat([contracts[contracts["customer_id"] != cid],
                      contracts[contracts["customer_id"] == cid]], ignore_index=True)
    split = dd.from_pandas(rows, chunksize=len(rows) - 1, sort=False)
    assert split.npartitions == 2
    with pytest.raises(ValueError, match=f"{cid}.*more than one partition"):
        sgd.customer_features(split)
    with pytest.raises(TypeError, match="dask DataFrame"):
        sgd.customer_features(np.zeros(3))
    with pytest.raises(TypeError, match="unexpected keyword"):
        sgd.customer_features(split, as_off="2020-01-01")


def test_no_warnings_on_clean_fit(data):
    X, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sgd.KMeans(4, random_state=0).fit(da.from_array(X, chunks=2000))
