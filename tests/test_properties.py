"""Property tests (hypothesis) of the public API against plain-NumPy oracles.

Random shapes, dtypes (float64/float32/int/bool), duplicate rows, ties and
constant columns. Every result is checked against tests/reference.py, never
against the code's own output; "internal" consistency checks (Lloyd equals
Hamerly, any dtype equals float64) come on top.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import segment as sg
from tests import reference

# Small integers and halves: exactly representable in float32, plenty of ties
# and duplicate rows, and sums without rounding surprises.
VALUES = st.integers(-6, 6).map(lambda v: v / 2.0)


@st.composite
def data_matrix(draw, min_rows=3, max_rows=24, max_cols=4, values=VALUES):
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(1, max_cols))
    X = draw(hnp.arrays(np.float64, (n, d), elements=values))
    if draw(st.booleans()):  # duplicate some rows
        src = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n))
        X[: len(src)] = X[src]
    if d > 1 and draw(st.booleans()):  # a constant column
        X[:, draw(st.integers(0, d - 1))] = draw(values)
    return X


@st.composite
def data_and_labels(draw, min_rows=3):
    X = draw(data_matrix(min_rows=min_rows))
    n = len(X)
    k = draw(st.integers(2, n - 1))
    labels = draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))
    assume(2 <= np.unique(labels).size <= n - 1)
    kind = draw(st.sampled_from(["int", "str", "float", "spread"]))
    if kind == "str":
        labels = np.array([f"c{v}" for v in labels])
    elif kind == "float":
        labels = labels * 0.5
    elif kind == "spread":
        labels = labels * 1_000_003 - 10**9
    return X, labels


def as_dtype(X, kind):
    if kind == "float32":
        return X.astype(np.float32)
    if kind == "int":
        return (X * 2).astype(np.int32)
    if kind == "fortran":
        return np.asfortranarray(X)
    return X


def scale_for(X, kind):
    return X * 2 if kind == "int" else X


# ---------------------------------------------------------------------------
# Clustering
# ---------------------------------------------------------------------------


@given(data_and_labels(), st.sampled_from(["float64", "float32", "int", "fortran"]))
def test_silhouette_matches_reference(xl, kind):
    X, labels = xl
    Xk = as_dtype(X, kind)
    s = sg.silhouette_samples(Xk, labels)
    ref = reference.silhouette(
        Xk.astype(np.float64) if kind == "float32" else scale_for(X, kind), labels
    )
    # float32 X is scored in float32 distances (float64 sums): within 1e-6
    rtol, atol = (0, 1e-6) if kind == "float32" else (1e-10, 1e-12)
    np.testing.assert_allclose(s, ref, rtol=rtol, atol=atol)
    assert np.all((s >= -1) & (s <= 1))
    assert sg.silhouette_score(Xk, labels) == pytest.approx(ref.mean(), rel=rtol, abs=atol)


@given(data_and_labels(), st.sampled_from(["float64", "int"]))
def test_validity_indices_match_reference(xl, kind):
    X, labels = xl
    Xk, Xr = as_dtype(X, kind), scale_for(X, kind)
    ch = sg.calinski_harabasz_score(Xk, labels)
    db = sg.davies_bouldin_score(Xk, labels)
    assert ch == pytest.approx(reference.calinski_harabasz(Xr, labels), rel=1e-9, abs=1e-12)
    assert db == pytest.approx(reference.davies_bouldin_conventions(Xr, labels), rel=1e-9,
                               abs=1e-12)
    assert np.isfinite(ch) and np.isfinite(db) and ch >= 0 and db >= 0


@st.composite
def data_and_init(draw):
    X = draw(data_matrix(min_rows=4))
    distinct = np.unique(X, axis=0)
    assume(len(distinct) >= 2)
    k = draw(st.integers(1, min(5, len(distinct))))
    rows = draw(st.permutations(range(len(distinct))))[:k]
    return X, distinct[list(rows)]


@given(data_and_init(), st.sampled_from(["lloyd", "hamerly"]),
       st.sampled_from(["float64", "float32", "int"]), st.booleans())
def test_kmeans_fixed_point_matches_reference(xc, algorithm, kind, weighted):
    X, C0 = xc
    k = len(C0)
    Xk, Xr = as_dtype(X, kind), scale_for(X, kind)
    w = np.linspace(0.5, 2.0, len(X)) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sg.kmeans(Xk, k, init=scale_for(C0, kind), tol=0, max_iter=500,
                        algorithm=algorithm, sample_weight=w)
    labels, C = res.labels, res.centers
    # float32 input gets its centres rounded to float32 (computed in float64,
    # as scikit-learn returns them): compare at float32's precision, and the
    # labels (fixed by the float64 centres) only where rounding cannot matter
    tol = 1e-6 if kind == "float32" else 1e-12
    assert C.dtype == (np.float32 if kind == "float32" else np.float64)
    ref_labels, d2 = reference.assign(Xr, C.astype(np.float64))
    if kind != "float32":  # every label is the nearest final centre (lowest index on ties)
        np.testing.assert_array_equal(labels, ref_labels)
    ww = np.ones(len(X)) if w is None else w
    assert res.inertia == pytest.approx(float((ww * d2).sum()), rel=tol, abs=tol)
    if res.converged and np.unique(labels).size == k:
        # a Lloyd fixed point: every centre is the (weighted) mean of its rows
        np.testing.assert_allclose(C, reference.centroids(Xr, labels, k, w), rtol=tol,
                                   atol=tol)
    # Lloyd never ends worse than the assignment to the initial centres
    _, d0 = reference.assign(Xr, scale_for(C0, kind))
    assert res.inertia <= (ww * d0).sum() * (1 + 1e-12) + 1e-12


@st.composite
def continuous_data_and_init(draw):
    # Gaussian data from a drawn seed: no two distances tie (hypothesis' own
    # floats favour 0, 0.5, 1, ... and would make ties common).
    n, d = draw(st.integers(4, 40)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.normal(size=(n, d)) * draw(st.sampled_from([1e-3, 1.0, 1e3]))
    if draw(st.booleans()):  # duplicate rows are fine: they tie no centres
        X[: n // 2] = X[n - n // 2:][: n // 2]
    k = draw(st.integers(1, min(8, len(np.unique(X, axis=0)))))
    return X, X[rng.permutation(n)[:k]] + rng.normal(size=(k, d)) * 1e-3


@given(continuous_data_and_init(), st.booleans())
def test_hamerly_equals_lloyd_without_ties(xc, weighted):
    X, C0 = xc
    w = np.linspace(0.5, 2.0, len(X)) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = sg.kmeans(X, len(C0), init=C0, tol=0, algorithm="lloyd", sample_weight=w)
        b = sg.kmeans(X, len(C0), init=C0, tol=0, algorithm="hamerly", sample_weight=w)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(a.centers, b.centers, rtol=1e-12, atol=1e-12)
    labels, _ = reference.assign(X, b.centers)
    np.testing.assert_array_equal(b.labels, labels)


def test_hamerly_breaks_exact_ties_like_lloyd():
    # BUG-14 (found by hypothesis, fixed in 2d9a02e): hamerly_chunk skipped a
    # point whose upper bound equalled the bound, so an exact tie kept the
    # higher-index centre and Hamerly stopped off a Lloyd fixed point.
    X = np.array([[2.0], [0.5], [-0.5], [-0.5], [2.0], [-1.0]])
    C0 = np.array([[-1.0], [-0.5], [0.5]])
    ref_labels, ref_C, ref_inertia, _ = reference.kmeans_from(X, C0)
    res = sg.kmeans(X, 3, init=C0, tol=0, algorithm="hamerly")
    np.testing.assert_array_equal(res.labels, ref_labels)
    np.testing.assert_allclose(res.centers, ref_C, rtol=1e-12)
    assert res.inertia == pytest.approx(ref_inertia)


@given(data_and_init(), st.booleans())
def test_kmeans_equals_reference_lloyd_when_no_cluster_empties(xc, weighted):
    X, C0 = xc
    w = np.linspace(0.5, 2.0, len(X)) if weighted else None
    ref_labels, ref_C, ref_inertia, _ = reference.kmeans_from(X, C0, tol=0.0, sample_weight=w)
    # the reference keeps an empty cluster's centre, the C core re-seeds it:
    # compare only runs where no cluster ever empties
    C, old = C0.copy(), None
    for _ in range(500):
        lab, C_new = reference.lloyd_step(X, C, w)
        assume(np.unique(lab).size == len(C0))
        if old is not None and np.array_equal(lab, old):
            break
        C, old = C_new, lab
    for algorithm in ("lloyd", "hamerly"):
        res = sg.kmeans(X, len(C0), init=C0, tol=0, algorithm=algorithm, sample_weight=w)
        np.testing.assert_array_equal(res.labels, ref_labels)
        np.testing.assert_allclose(res.centers, ref_C, rtol=1e-12, atol=1e-12)
        assert res.inertia == pytest.approx(ref_inertia, rel=1e-12, abs=1e-12)


@given(data_matrix(min_rows=4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_estimator_predict_transform_match_reference(X, k, seed):
    assume(len(np.unique(X, axis=0)) >= k)
    km = sg.KMeans(k, random_state=seed).fit(X)
    Y = X[::-1] + 0.25
    labels, _ = reference.assign(Y, km.cluster_centers_)
    np.testing.assert_array_equal(km.predict(Y), labels)
    np.testing.assert_allclose(km.transform(Y),
                               np.sqrt(reference.sq_distances(Y, km.cluster_centers_)),
                               rtol=1e-12, atol=1e-12)
    d2 = reference.assign(Y, km.cluster_centers_)[1].sum()
    assert km.score(Y) == pytest.approx(-d2, rel=1e-12, abs=1e-12)
    # same seed, same answer, bit for bit
    again = sg.KMeans(k, random_state=seed).fit(X)
    np.testing.assert_array_equal(again.cluster_centers_, km.cluster_centers_)


@given(data_matrix(min_rows=4), st.sampled_from(["float32", "int", "bool", "frame"]),
       st.integers(0, 1000))
def test_any_numeric_dtype_equals_its_float64_values(X, kind, seed):
    if kind == "bool":
        X = (X > 0).astype(np.float64)
    k = min(3, len(np.unique(X, axis=0)))
    assume(k >= 1)
    Xk = {"float32": X.astype(np.float32), "int": (X * 2).astype(np.int64),
          "bool": X.astype(bool), "frame": pd.DataFrame(X)}[kind]
    X64 = X * 2 if kind == "int" else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = sg.kmeans(Xk, k, random_state=seed, tol=0)
        b = sg.kmeans(X64, k, random_state=seed, tol=0)
    if kind == "float32":
        # float32 runs the float32 kernels (float32 distances): a.labels may
        # part from b's at near-ties, so check a against plain NumPy instead:
        # nearest centres, their means and the inertia, to float32 rounding
        assert a.centers.dtype == np.float32
        x = Xk.astype(np.float64)
        c = a.centers.astype(np.float64)
        d2 = ((x[:, None, :] - c[None]) ** 2).sum(axis=2)
        scale = (x**2).sum(axis=1)[:, None] + (c**2).sum(axis=1)[None]
        slack = 64 * (x.shape[1] + 3) * 2.0**-24 * scale.max(axis=1) + 1e-300
        own = d2[np.arange(len(x)), a.labels]
        assert (own <= d2.min(axis=1) + slack).all()
        assert abs(a.inertia - own.sum()) <= slack.sum()
        # converged with tol=0: no label changed, so each centre is its rows' mean
        for j in np.unique(a.labels) if a.converged else ():
            mean = x[a.labels == j].mean(axis=0)
            np.testing.assert_allclose(c[j], mean, rtol=2**-22, atol=2**-22 * np.abs(x).max())
        return
    np.testing.assert_array_equal(np.asarray(a.labels), b.labels)
    np.testing.assert_array_equal(np.asarray(a.centers), b.centers)
    assert np.asarray(a.centers).dtype == b.centers.dtype
    assert a.inertia == b.inertia


@given(data_matrix(min_rows=2), st.sampled_from([(0, 1), (-1, 1), (10, 20)]))
def test_minmax_matches_reference(X, feature_range):
    got = sg.minmax_scale(X, feature_range=feature_range)
    np.testing.assert_allclose(got, reference.minmax(X, *feature_range), rtol=1e-13, atol=0)
    assert got.min() >= feature_range[0] and got.max() <= feature_range[1]
    frame = pd.DataFrame(X, index=[f"r{i}" for i in range(len(X))])
    out = sg.minmax_scale(frame, feature_range=feature_range)
    assert out.index.equals(frame.index)
    np.testing.assert_array_equal(out.to_numpy(), got)


# ---------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------


@st.composite
def decision_matrix(draw, nonneg=False, min_rows=2):
    m = draw(st.integers(min_rows, 9))
    n = draw(st.integers(1, 5))
    low = 0 if nonneg else -5
    x = draw(hnp.arrays(np.float64, (m, n), elements=st.integers(low, 9).map(float)))
    if draw(st.booleans()):  # tie two alternatives
        i, j = draw(st.integers(0, m - 1)), draw(st.integers(0, m - 1))
        x[i] = x[j]
    if n > 1 and draw(st.booleans()):
        x[:, draw(st.integers(0, n - 1))] = draw(st.integers(max(low, 0), 9))
    return x


@given(decision_matrix(nonneg=True), st.floats(0.01, 1e6))
def test_entropy_weights_match_reference(x, unit):
    assume(not all(reference._is_constant(x[:, j]) for j in range(x.shape[1])))
    w = sg.entropy_weights(x * unit)
    rw, re, rd = reference.entropy_weights(x)
    np.testing.assert_allclose(w, rw, rtol=1e-9, atol=1e-12)
    assert w.sum() == pytest.approx(1.0, abs=1e-12) and (w >= 0).all()
    details = sg.entropy_weights(x * unit, details=True)
    np.testing.assert_allclose(details.loc["E"], re, atol=1e-12)


@given(decision_matrix(min_rows=3))
def test_std_and_critic_weights_match_reference(x):
    const = [reference._is_constant(x[:, j]) for j in range(x.shape[1])]
    assume(not all(const))
    np.testing.assert_allclose(sg.std_weights(x), reference.std_weights(x), rtol=1e-10,
                               atol=1e-14)
    np.testing.assert_allclose(sg.std_weights(x, scale=False),
                               reference.std_weights(x, scale=False), rtol=1e-10, atol=1e-14)
    try:
        got = sg.critic_weights(x)
    except ValueError as exc:  # documented: perfectly correlated varying criteria
        assert "CRITIC weights are undefined" in str(exc)
        return
    np.testing.assert_allclose(got, reference.critic_weights(x), rtol=1e-9, atol=1e-12)


def _check_vikor_against_reference(res_Q, res_rank, res_comp, adv, stab, ref, gap=1e-9):
    np.testing.assert_allclose(res_Q, ref["Q"], atol=1e-12)
    # the ranking sorts the reference Q (ties may fall either way within round-off)
    q = ref["Q"][res_rank]
    assert np.all(np.diff(q) >= -gap), (res_rank, ref["Q"])
    Q = np.sort(ref["Q"])
    m = len(Q)
    dq = 1.0 / (m - 1)
    # decisions far from their thresholds must agree exactly
    if abs((Q[1] - Q[0]) - (dq - reference.VIKOR_TOL)) > gap and (
        m < 3 or abs(Q[1] - Q[0]) > gap
    ):
        assert adv == ref["advantage"]
    if np.all(np.abs(ref["Q"] - Q[0] - (dq - reference.VIKOR_TOL)) > gap) and abs(
        Q[1] - Q[0]) > gap:
        if stab == ref["stability"]:
            assert sorted(res_comp) == sorted(ref["compromise"])


@given(decision_matrix(min_rows=2), st.floats(0.0, 1.0),
       st.lists(st.sampled_from([1, -1]), min_size=5, max_size=5),
       st.lists(st.integers(0, 5), min_size=5, max_size=5))
def test_vikor_matches_reference(x, v, types, weights):
    n = x.shape[1]
    types, w = np.array(types[:n]), np.array(weights[:n], dtype=float)
    assume(w.sum() > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sg.vikor(x, w, v=v, types=types)
    ref = reference.vikor(x, w, v=v, types=types)
    np.testing.assert_allclose(res.S, ref["S"], atol=1e-12)
    np.testing.assert_allclose(res.R, ref["R"], atol=1e-12)
    _check_vikor_against_reference(res.Q, res.ranking, res.compromise, res.advantage,
                                   res.stability, ref)
    assert np.all((res.Q >= 0) & (res.Q <= 1)) and len(res.compromise) >= 1
    assert sorted(res.ranking.tolist()) == list(range(len(x)))


@given(decision_matrix(min_rows=3), st.floats(0.1, 100.0), st.floats(-50.0, 50.0),
       st.integers(0, 4))
def test_vikor_ignores_positive_affine_changes_of_a_criterion(x, a, b, j):
    n = x.shape[1]
    j = j % n
    y = x.copy()
    y[:, j] = a * y[:, j] + b
    w = np.arange(1.0, n + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q1 = sg.vikor(x, w).Q
        q2 = sg.vikor(y, w).Q
    np.testing.assert_allclose(q1, q2, atol=1e-9)


@given(decision_matrix(min_rows=3), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4))
def test_vikor_sensitivity_and_batch_equal_single_calls(x, grid):
    n = x.shape[1]
    w = np.arange(1.0, n + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = sg.vikor_sensitivity(x, w, v=grid)
        batch = sg.vikor_batch(x, np.vstack([w, w[::-1]]), v=grid[0])
        for pos, v in enumerate(grid):
            ref = reference.vikor(x, w, v=v)
            np.testing.assert_allclose(table.Q.iloc[:, pos].to_numpy(), ref["Q"], atol=1e-12)
        for row, ww in enumerate((w, w[::-1])):
            ref = reference.vikor(x, ww, v=grid[0])
            np.testing.assert_allclose(batch.Q.iloc[row].to_numpy(), ref["Q"], atol=1e-12)


@given(decision_matrix(min_rows=3), st.integers(0, 2**31), st.sampled_from([None, 5.0, 100.0]))
def test_weight_sensitivity_shares_are_distributions(x, seed, concentration):
    n = x.shape[1]
    w = np.arange(1.0, n + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shares = sg.vikor_weight_sensitivity(x, w, n_samples=64, random_state=seed,
                                             concentration=concentration)
    m = len(x)
    ranks = shares[[f"rank_{r}" for r in range(1, m + 1)]].to_numpy()
    # each draw ranks every alternative once: rows and columns sum to 1
    np.testing.assert_allclose(ranks.sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(ranks.sum(axis=1), 1.0, atol=1e-12)
    assert np.all((shares["compromise"] >= 0) & (shares["compromise"] <= 1))
    assert shares["compromise"].sum() >= 1.0 - 1e-12  # at least one member per draw
    np.testing.assert_allclose(shares["mean_rank"], ranks @ np.arange(1, m + 1), rtol=1e-12)


# ---------------------------------------------------------------------------
# Surveys and votes
# ---------------------------------------------------------------------------


@given(hnp.arrays(np.int64, st.tuples(st.integers(3, 30), st.integers(2, 6)),
                  elements=st.integers(1, 5)))
def test_cronbach_alpha_matches_reference(x):
    assume(np.var(x.sum(axis=1)) > 0)
    res = sg.cronbach_alpha(x)
    assert res.alpha == pytest.approx(reference.cronbach_alpha(x), rel=1e-10, abs=1e-12)
    assert res.ci_low <= res.alpha <= res.ci_high
    # listwise on complete data is the same thing
    assert sg.cronbach_alpha(x, nan_policy="listwise").alpha == res.alpha


@given(st.lists(st.lists(st.sampled_from(["x", "X ", "", None, 1, 0, True, False, "1"]),
                         min_size=4, max_size=4), min_size=1, max_size=8))
def test_tally_votes_matches_reference(rows):
    votes = pd.DataFrame(rows, index=[f"v{i}" for i in range(len(rows))], dtype=object)
    t = sg.tally_votes(votes)
    want = reference.tally(votes.to_numpy())
    np.testing.assert_array_equal(t.total.to_numpy(), want)
    np.testing.assert_allclose(t.average.to_numpy(), want / 4)
    assert t.selected == [v for v, c in zip(votes.index, want, strict=True) if c >= 3]
