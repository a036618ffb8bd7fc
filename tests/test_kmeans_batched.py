"""k-means runs that share their passes over the data (seg_kmeans.c,
fit_runs_batched): Lloyd with n_init >= 2 on row blocks over 16 MiB.

Every run must give what it gives alone (bit for bit, on 1 or 2 threads),
and the runs must agree with scikit-learn's Lloyd from the same starting
centres; the empty-cluster re-seeding (which shares one distance buffer among
the runs) and memory are checked on the batched path too (Ctrl-C:
tests/test_interrupt_threads.py, "kmeans-batched").
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import segment as sg
from segment import _core

# 300,000 x 8 float64 row blocks are 19.2 MB, past the 16 MiB threshold.
N, D = 300_000, 8


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(5)
    centres = rng.normal(0, 3, (6, D))
    X = centres[rng.integers(0, 6, N)] + rng.normal(0, 1, (N, D))
    return np.ascontiguousarray(X)


def one_at_a_time(X, k, threads, **starts):
    """The best of the runs made one call each (n_init=1: never batched),
    the first on ties, as fit_runs keeps it."""
    key, values = next(iter(starts.items()))
    runs = [
        _core.kmeans_fit_runs(
            X, k, **{key: values[r : r + 1]}, max_iter=300, tol=1e-5, n_threads=threads
        )
        for r in range(len(values))
    ]
    best = min(range(len(runs)), key=lambda r: (runs[r].inertia, r))
    return runs[best], best


@pytest.mark.parametrize("k", [3, 7])
def test_batched_runs_equal_the_runs_made_alone(blobs, k):
    seeds = np.array([11, 5, 8, 2], dtype=np.uint64)
    results = []
    for threads in (1, 2):
        got = _core.kmeans_fit_runs(
            blobs, k, seeds=seeds, max_iter=300, tol=1e-5, n_threads=threads
        )
        alone, best = one_at_a_time(blobs, k, threads, seeds=seeds)
        assert got.best_run == best
        assert got.inertia == alone.inertia
        assert np.array_equal(got.centers, alone.centers)
        assert np.array_equal(got.labels, alone.labels)
        assert (got.n_iter, got.converged) == (alone.n_iter, alone.converged)
        results.append(got)
    # 1 and 2 threads: the same bits
    assert results[0].inertia == results[1].inertia
    assert np.array_equal(results[0].centers, results[1].centers)
    assert np.array_equal(results[0].labels, results[1].labels)


def test_batched_runs_match_scikit_learn_from_the_same_centres(blobs):
    from sklearn.cluster import KMeans

    k = 5
    rng = np.random.default_rng(3)
    starts = np.stack([blobs[rng.choice(N, k, replace=False)] for _ in range(3)])
    got = _core.kmeans_fit_runs(blobs, k, init_centers=starts, max_iter=300, tol=0.0, n_threads=2)
    theirs = [
        KMeans(k, init=s, n_init=1, max_iter=300, tol=0.0, algorithm="lloyd").fit(blobs)
        for s in starts
    ]
    ref = theirs[got.best_run]
    assert got.inertia == pytest.approx(min(t.inertia_ for t in theirs), rel=1e-10)
    assert got.inertia == pytest.approx(ref.inertia_, rel=1e-10)
    np.testing.assert_allclose(got.centers, ref.cluster_centers_, rtol=0, atol=1e-10)
    assert np.array_equal(got.labels, ref.labels_)


def test_batched_empty_cluster_reseeding_equals_the_runs_alone(blobs):
    # each start has a centre far from every row: its cluster is empty after
    # the first pass and is re-seeded with the farthest row
    k = 4
    rng = np.random.default_rng(9)
    starts = np.stack([blobs[rng.choice(N, k, replace=False)] for _ in range(3)])
    starts[:, -1] = 1e3 + np.arange(3)[:, None]
    got = _core.kmeans_fit_runs(blobs, k, init_centers=starts, max_iter=300, tol=1e-5, n_threads=2)
    alone, best = one_at_a_time(blobs, k, 2, init_centers=starts)
    assert got.best_run == best
    assert got.inertia == alone.inertia
    assert np.array_equal(got.centers, alone.centers)
    assert np.array_equal(got.labels, alone.labels)
    assert np.bincount(got.labels, minlength=k).min() > 0


def test_kmeans_through_the_batched_path_matches_scikit_learn_inertia(blobs):
    """The public function (n_init=4 on 300,000 rows: batched) against
    scikit-learn's best of 4 k-means++ runs: the same well-separated optimum."""
    from sklearn.cluster import KMeans

    ours = sg.kmeans(blobs, 6, n_init=4, random_state=0)
    theirs = KMeans(6, n_init=4, random_state=0).fit(blobs)
    assert ours.inertia == pytest.approx(theirs.inertia_, rel=1e-6)


def test_batched_calls_do_not_grow_memory(blobs):
    seeds = np.arange(1, 4, dtype=np.uint64)
    call = lambda: _core.kmeans_fit_runs(blobs, 3, seeds=seeds, max_iter=5, n_threads=2)  # noqa: E731
    call()
    tracemalloc.start()
    try:
        call()
        base, _ = tracemalloc.get_traced_memory()
        for _ in range(5):
            call()
        grown, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert grown - base < 64 * 1024, grown - base  # a leaked scratch would be > 10 MB a call


def test_auto_keeps_lloyd_to_k_40_on_data_past_16_mib():
    """Lloyd's batched runs beat Hamerly at a million rows, K = 20
    (BENCHMARKS.md, issue 12); small data keeps Hamerly from K = 20."""
    from segment._kmeans_fit import resolve_algorithm

    assert resolve_algorithm("auto", 20, 8, 66_551) == 1
    assert resolve_algorithm("auto", 20, 8, 1_000_000) == 0
    assert resolve_algorithm("auto", 39, 8, 1_000_000) == 0
    assert resolve_algorithm("auto", 40, 8, 1_000_000) == 1
    assert resolve_algorithm("auto", 8, 32, 1_000_000) == 1  # wide: Hamerly from K = 8


def test_auto_on_big_data_gives_hamerlys_answer(blobs):
    auto = sg.kmeans(blobs, 20, n_init=2, random_state=1, max_iter=30)
    hamerly = sg.kmeans(blobs, 20, n_init=2, random_state=1, max_iter=30, algorithm="hamerly")
    assert auto.inertia == pytest.approx(hamerly.inertia, rel=1e-12)
    assert np.array_equal(auto.labels, hamerly.labels)
