"""segment.dask: k-means, silhouette and customer features on Dask.

Oracles: segment.KMeans on the same data in memory from the same initial
centres (to 1e-10), scikit-learn (KMeans, silhouette), and pandas
segment.customer_features. The per-chunk kernels' glue is tested against NumPy
in tests/test_core_kmeans_step.py, which needs no dask. Runs on Dask's
threaded scheduler and on a 2-worker LocalCluster (processes) started here.
"""

from __future__ import annotations

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
