"""Contract tests of the raw Dask step kernels in segment._core (kmeans_step,
kmeans_step_merge, kmeans_step_nearest, kmeans_step_sample, the step
silhouette): each against a plain-NumPy re-derivation, and bad arguments
raise without crashing. segment.dask builds on these; they need no dask, so
they run without the `dask` extra (tests/test_dask.py covers segment.dask).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from segment import _core


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
    re-seeded from the farthest rows (first maximum), rows leaving their cluster
    (which counts as emptied when less than 2^-13 of its weight is left)."""
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
            left = wsum[old] - far_weight[e]
            # Less than 2^-13 of its weight left: emptied (seg_kmeans.h).
            wsum[old] = left if left > wsum[old] * 2.0**-13 else 0.0
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


def test_merge_never_divides_rounding_when_relocation_empties_a_cluster():
    """The fuzzer's find (a CI run; csrc/fuzz/corpus/267bac04...): a cluster whose only
    two rows (weights 6/7 and 150/7, not exact in binary) both re-seed empty
    clusters was left with a weight of rounding, and dividing its summed
    rounding by that put its centre at x = 6.4 when the data lie in
    [-8, 0.86]. It is empty: it keeps its centre."""
    X = np.array([[6 / 7, 0.0], [-8.0, 6 / 7], [6 / 7, 6 / 7]])
    w = np.array([6 / 7, 150 / 7, 1.0])
    C = np.array([[0.0, 0.0], [40.0, 0.0], [6 / 7, 6 / 7], [0.0, 40.0]])
    p = _core.kmeans_step(X, C, n_far=4, sample_weight=w)
    args = [p.sums[None], p.weights[None], C, p.far_dist, p.far_label, p.far_weight, p.far_rows]
    new, shift, moved = _core.kmeans_step_merge(*args)
    assert moved == 2
    # Exact arithmetic: cluster 0 lost both its rows, cluster 2 kept its row,
    # clusters 1 and 3 took rows 1 and 0 (farthest first).
    np.testing.assert_array_equal(new, [C[0], X[1], X[2], X[0]])
    ref, ref_shift = np_merge(*args)
    np.testing.assert_array_equal(new, ref)
    assert shift == pytest.approx(((new - C) ** 2).sum(), rel=1e-15)


@pytest.mark.parametrize("small", [1e-3, 2.0**-12])
def test_merge_keeps_a_small_remaining_weight(small):
    """Above 2^-13 of the weight what is left is a real mean: a cluster that
    gives its heavy far row away moves onto its light row."""
    X = np.array([[-8.0], [0.25], [0.5]])
    w = np.array([1.0, small, 1.0])
    C = np.array([[0.0], [0.5], [40.0]])
    s, wt, _, _, fd, fl, fw, fr, _ = _core.kmeans_step(X, C, n_far=3, sample_weight=w)
    new, shift, moved = _core.kmeans_step_merge(s[None], wt[None], C, fd, fl, fw, fr)
    assert moved == 1
    np.testing.assert_allclose(new[:, 0], [0.25, 0.5, -8.0], rtol=1e-9)


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
