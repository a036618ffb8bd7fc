"""Choosing K: validity scores and k_sweep against scikit-learn."""

import re
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import calinski_harabasz_score as sk_ch
from sklearn.metrics import davies_bouldin_score as sk_db
from sklearn.metrics import silhouette_score as sk_sil

import segment as sg
from tests import reference as ref
from tests.test_cluster import datasets, paper_like


@given(datasets(), st.integers(2, 6))
def test_validity_scores_match_sklearn(data, k):
    X, rng = data
    labels = rng.integers(0, k, size=len(X))
    if not 2 <= np.unique(labels).size <= len(X) - 1:
        return
    assert sg.calinski_harabasz_score(X, labels) == pytest.approx(sk_ch(X, labels), rel=1e-10)
    db = sg.davies_bouldin_score(X, labels)
    C = np.array([X[labels == c].mean(axis=0) for c in np.unique(labels)])
    if len(np.unique(C, axis=0)) == len(C):  # the reference needs distinct centroids
        assert db == pytest.approx(ref.davies_bouldin(X, labels), rel=1e-10, abs=1e-12)
    # scikit-learn takes distances as |x|^2 - 2x.y + |y|^2: a row at its own
    # centroid (a singleton cluster) comes out about sqrt(eps) * |x| away
    # instead of 0 (hypothesis found 2.6e-7 relative at |x| = 36, where the
    # exact reference above agreed to 1e-10): compare at that scale.
    scale = float(np.sqrt(np.finfo(float).eps) * max(1.0, np.abs(X).max()))
    assert db == pytest.approx(sk_db(X, labels), rel=1e-7, abs=scale)


def test_validity_degenerate_conventions():
    X = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [2.0, 2.0]])
    labels = [0, 0, 1, 1]
    assert sg.calinski_harabasz_score(X, labels) == sk_ch(X, labels) == 1.0
    assert sg.davies_bouldin_score(X, labels) == sk_db(X, labels) == 0.0
    with pytest.raises(ValueError, match="Number of labels is 1"):
        sg.davies_bouldin_score(X, [0, 0, 0, 0])


def test_validity_threads_bit_identical():
    X = paper_like(20000, seed=1)
    labels = sg.kmeans(X, 5, random_state=0).labels
    a = [sg.calinski_harabasz_score(X, labels, n_threads=t) for t in (1, 2)]
    b = [sg.davies_bouldin_score(X, labels, n_threads=t) for t in (1, 2)]
    assert a[0] == a[1] and b[0] == b[1]


def test_k_sweep_table_matches_independent_scores():
    X = paper_like(1500, seed=2)
    sweep = sg.k_sweep(X, k=range(2, 7), random_state=0)
    assert list(sweep.table.index) == [2, 3, 4, 5, 6]
    for k, row in sweep.table.iterrows():
        labels = sweep.models[k].labels
        assert row["silhouette"] == pytest.approx(sk_sil(X, labels), abs=1e-10)
        assert row["calinski_harabasz"] == pytest.approx(sk_ch(X, labels), rel=1e-10)
        assert row["davies_bouldin"] == pytest.approx(sk_db(X, labels), rel=1e-10)
        # the same clustering as a direct call with the same seed
        direct = sg.kmeans(X, k, random_state=0)
        np.testing.assert_array_equal(labels, direct.labels)
        assert row["inertia"] == direct.inertia
    assert sweep.best_k == int(sweep.table["silhouette"].idxmax())
    km = sweep.best_model()
    assert km.n_clusters == sweep.best_k
    np.testing.assert_array_equal(km.predict(X), km.labels_)


def test_k_sweep_finds_planted_clusters_and_elbow():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.2, size=(100, 2)) for c in ((0, 0), (4, 0), (0, 4), (4, 4))])
    sweep = sg.k_sweep(X, k=range(2, 9), random_state=0)
    assert sweep.best_k == 4
    assert sweep.elbow_k == 4


def test_k_sweep_sample_size_uses_the_same_rows_for_every_k():
    X = paper_like(3000, seed=3)
    sweep = sg.k_sweep(X, k=[3, 4], random_state=5, sample_size=800)
    idx = np.random.RandomState(5).permutation(len(X))[:800]
    for k in (3, 4):
        labels = sweep.models[k].labels
        assert sweep.table.loc[k, "silhouette"] == pytest.approx(
            sk_sil(X[idx], labels[idx]), abs=1e-10
        )


def test_k_sweep_dataframe_and_omit():
    X = pd.DataFrame(paper_like(400, seed=4), columns=list("abcdefgh"))
    X.iloc[7, 2] = np.nan
    sweep = sg.k_sweep(X, k=[2, 3], random_state=0, nan_policy="omit")
    labels = sweep.models[3].labels
    assert isinstance(labels, pd.Series) and labels.iloc[7] == -1
    assert list(sweep.models[3].centers.columns) == list("abcdefgh")
    km = sweep.best_model(3)
    assert list(km.feature_names_in_) == list("abcdefgh")


def test_k_sweep_progress_bar_runs():
    X = paper_like(300, seed=5)
    sweep = sg.k_sweep(X, k=[2, 3], random_state=0, progress=True)
    assert len(sweep.table) == 2


@pytest.mark.parametrize(
    "k, exc, match",
    [
        ([], ValueError, "k is empty"),
        ([1, 2], ValueError, r"between 2 and n_samples - 1 = 9.*\[1\]"),
        ([2, 10], ValueError, r"\[10\]"),
        ([2, 2], ValueError, "repeated"),
        ([2.5], TypeError, "k must be an integer"),
    ],
)
def test_k_sweep_bad_k(k, exc, match):
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(exc, match=match):
        sg.k_sweep(X, k=k)


def test_k_sweep_range_validation_matches_brute_force():
    # BUG-8: a range is now validated from start/stop/step; check that against
    # the materialised list for small ranges of every sign and step.
    X = np.random.default_rng(0).normal(size=(10, 2))
    tried_valid = 0
    for start in range(-3, 14, 2):
        for stop in range(-2, 15, 3):
            for step in (1, 2, 5, -1, -3):
                r = range(start, stop, step)
                values = sorted(r)
                bad = [v for v in values if not 2 <= v <= 9]
                if not values:
                    match = "k is empty"
                elif bad:
                    shown = ", ".join(map(str, bad[:5]))
                    match = (re.escape(f"= 9 for the silhouette; got [{shown}]") if len(bad) <= 5
                             else re.escape(f"got {len(bad)} values, [{shown}, ...]"))
                else:
                    if tried_valid < 3:  # each valid sweep runs k-means: only a few
                        tried_valid += 1
                        got = sg.k_sweep(X, k=r, random_state=0, progress=False)
                        assert got.table.index.tolist() == values
                    continue
                with pytest.raises(ValueError, match=match):
                    sg.k_sweep(X, k=r, progress=False)
    assert tried_valid == 3


@pytest.mark.parametrize("k, count, shown", [
    (range(2, 10**9), 999_999_990, "[10, 11, 12, 13, 14, ...]"),
    (range(10**30), 10**30 - 8, "[0, 1, 10, 11, 12, ...]"),
    (range(10**30, 0, -7), 142857142857142857142857142857, "[1, 15, 22, 29, 36, ...]"),
    (list(range(100)), 92, "[0, 1, 10, 11, 12, ...]"),
])
def test_k_sweep_huge_k_fails_fast_with_a_short_message(k, count, shown):
    X = np.random.default_rng(0).normal(size=(10, 2))
    t0 = time.perf_counter()
    with pytest.raises(ValueError) as info:
        sg.k_sweep(X, k=k, progress=False)
    assert time.perf_counter() - t0 < 0.5
    assert str(info.value).endswith(f"got {count} values, {shown}") and len(str(info.value)) < 200
    with pytest.raises(ValueError, match=re.escape("k has repeated values: 98 values, [2, 3,")):
        sg.k_sweep(X, k=list(range(2, 100)) * 2, progress=False)


def test_k_sweep_unknown_keyword():
    with pytest.raises(TypeError, match="unexpected keyword arguments"):
        sg.k_sweep(np.eye(5), k=[2], n_clusters=3)


def test_k_sweep_progress_without_tqdm_is_a_plain_line(monkeypatch, capsys):  # issue 14
    # before: progress=True without tqdm warned "needs tqdm" and showed nothing
    import sys

    for name in ("tqdm", "tqdm.std", "tqdm.auto"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    X = paper_like(300, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sweep = sg.k_sweep(X, k=[2, 3, 4], random_state=0, progress=True)
    err = capsys.readouterr().err
    assert list(sweep.table.index) == [2, 3, 4]
    assert err.endswith("\rk_sweep: 3/3 K\n"), repr(err)
    assert "k_sweep: 1/3 K" in err


def test_k_sweep_progress_uses_tqdm_auto_when_it_can_render(monkeypatch):
    import ipywidgets  # noqa: F401  (both in the test extra: this test never skips)
    import tqdm.auto

    made = []

    class Bar(tqdm.auto.tqdm):
        def __init__(self, *a, **kw):
            made.append(kw)
            super().__init__(*a, **kw)

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    sg.k_sweep(paper_like(200, seed=5), k=[2, 3], random_state=0, progress=True)
    assert made == [{"total": 2, "desc": "k_sweep", "unit": "K"}]
