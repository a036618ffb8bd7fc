"""Tests of segment.weights and segment.ranking: entropy / CRITIC / std / equal weights and VIKOR.

Oracles, each independent of the C kernel:
* Paper A's printed Tables 3, 4 and 5 (from its Table 2 matrix);
* the plain-NumPy reference in tests/reference.py;
* published worked examples (cited at each test);
* pymcdm, where it is right (and where it is not, documented);
* hypothesis properties.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import segment as sg
from segment.datasets import load_iot_experts
from segment.ranking import VikorWarning, _order_ranks, _tie_order
from tests import reference

TABLES = Path(__file__).resolve().parents[2] / "shared" / "papers" / "paper_a_tables.json"


@pytest.fixture(scope="module")
def experts():
    return load_iot_experts()


# --------------------------------------------------------------------------
# Paper A, reproduced
# --------------------------------------------------------------------------


def test_dataset_matches_the_shared_tables(experts):
    """The shipped copy of Table 2 is the project's reference copy."""
    if not TABLES.exists():
        pytest.skip("shared/papers/paper_a_tables.json is not beside the checkout")
    ref = json.loads(TABLES.read_text())
    expected = np.array([ref["table2_decision_matrix"][a] for a in ref["alternatives"]])
    np.testing.assert_array_equal(experts.matrix.to_numpy(), expected)
    assert experts.reconstructed == tuple(ref["reconstructed"])
    for k, v in enumerate(ref["table4_v"]):
        assert experts.table5[v] == tuple(ref["table5_compromise_sets"][str(v)]), k


def test_load_iot_experts(experts):
    x = experts.matrix
    assert x.shape == (9, 5)
    assert list(x.index) == [f"A{i}" for i in range(1, 10)]
    assert list(x.columns) == [f"C{j}" for j in range(1, 6)]
    assert x.index.name == "alternative" and x.columns.name == "criterion"
    assert x.loc["A6", "C3"] == 7.956
    assert experts.reconstructed == ("A1",)
    assert experts.alternative_names["A2"] == "Communication factors"
    assert (experts.types == "benefit").all()
    frame = experts.to_frame()
    assert frame["reconstructed"].tolist() == [True] + [False] * 8
    assert frame.loc["A6", "name"] == "Economic Factors"
    named = load_iot_experts(labels="name")
    assert named.matrix.index[5] == "Economic Factors"
    assert named.reconstructed == ("Customer Loyalty",)
    assert named.table5[0.1] == (
        "Economic Factors",
        "Communication factors",
        "Individual factors",
    )
    np.testing.assert_array_equal(named.matrix.to_numpy(), x.to_numpy())
    with pytest.raises(ValueError, match="labels"):
        load_iot_experts(labels="short")


def test_entropy_weights_reproduce_table3(experts):
    """Paper A, Table 3: W within 5e-4, E_j and d_j within 1e-3."""
    w = sg.entropy_weights(experts.matrix)
    assert isinstance(w, pd.Series) and list(w.index) == list(experts.matrix.columns)
    printed = experts.table3
    assert np.abs(w - printed.loc["w"]).max() <= 5e-4  # measured: 3.6e-4 (C1)
    detail = sg.entropy_weights(experts.matrix, details=True)
    assert np.abs(detail.loc["E"] - printed.loc["E"]).max() <= 1e-3
    assert np.abs(detail.loc["d"] - printed.loc["d"]).max() <= 1e-3
    np.testing.assert_allclose(detail.loc["w"], w, rtol=0, atol=0)
    assert w.idxmax() == "C3"  # "the highest weight ... benefits of the value of the life"


def test_vikor_reproduces_table4(experts):
    """Paper A, Table 4: all 90 Q values within 3e-4, the means, the ranks."""
    w = sg.entropy_weights(experts.matrix)
    sens = sg.vikor_sensitivity(experts.matrix, w)
    table = sens.to_frame()
    printed = experts.table4
    q_cols = [c for c in printed.columns if c not in ("mean", "rank")]
    assert list(sens.Q.columns) == q_cols == [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    dev = np.abs(sens.Q.to_numpy() - printed[q_cols].to_numpy())
    assert dev.shape == (9, 10)
    assert dev.max() <= 3e-4  # measured: 1.95e-4
    assert np.abs(table["mean"] - printed["mean"]).max() <= 3e-4
    assert table["rank"].tolist() == printed["rank"].tolist()


def test_compromise_sets_equal_table5(experts):
    """Paper A, Table 5: the compromise set for every v, in Q order."""
    w = sg.entropy_weights(experts.matrix)
    sens = sg.vikor_sensitivity(experts.matrix, w)
    for v, printed in experts.table5.items():
        assert sens.compromise[v] == printed, v
        assert not sens.advantage[v] and sens.stability[v]
    grid = sens.membership()
    assert grid.sum().tolist() == [3, 3, 3, 3, 2, 2, 2, 2, 3, 3]
    assert set(grid.index[grid.any(axis=1)]) == {"A2", "A4", "A6", "A9"}  # the 4 final factors


def test_single_vikor_calls_match_the_grid(experts):
    w = sg.entropy_weights(experts.matrix)
    sens = sg.vikor_sensitivity(experts.matrix, w)
    for v in (1.0, 0.5, 0.1):
        res = sg.vikor(experts.matrix, w, v=v)
        pd.testing.assert_series_equal(res.Q, sens.Q[v], check_names=False)
        assert tuple(res.compromise) == sens.compromise[v]
        assert res.best == "A6"
    assert sg.vikor(experts.matrix, w, v=0.1).ranking[1] == "A2"
    assert sg.vikor(experts.matrix, w, v=0.5).ranking[1] == "A9"


# --------------------------------------------------------------------------
# The plain-NumPy reference
# --------------------------------------------------------------------------


def _random_problem(rng, m, n, *, integers):
    if integers:
        x = rng.integers(0, 5, size=(m, n)).astype(float)
    else:
        x = rng.gamma(2.0, 3.0, size=(m, n))
    w = rng.random(n)
    w[rng.random(n) < 0.2] = 0.0
    if w.sum() == 0:
        w[0] = 1.0
    types = rng.choice([1, -1], size=n)
    return x, w, types


@pytest.mark.parametrize("seed", range(40))
def test_vikor_matches_reference(seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 15)), int(rng.integers(1, 7))
    x, w, types = _random_problem(rng, m, n, integers=seed % 2 == 0)
    grid = [0.0, 0.25, 0.5, 0.9, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VikorWarning)
        sens = sg.vikor_sensitivity(x, w, grid, types=types)
        for v in grid:
            ref = reference.vikor(x, w, v, types)
            res = sg.vikor(x, w, v=v, types=types)
            np.testing.assert_allclose(res.S, ref["S"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(res.R, ref["R"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(res.Q, ref["Q"], rtol=0, atol=1e-12)
            np.testing.assert_array_equal(res.ranking, ref["ranking"])
            assert list(res.compromise) == ref["compromise"]
            assert (res.advantage, res.stability) == (ref["advantage"], ref["stability"])
            assert list(sens.compromise[v]) == ref["compromise"]


@pytest.mark.parametrize("seed", range(20))
def test_entropy_matches_reference(seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 30)), int(rng.integers(1, 8))
    x = rng.gamma(1.0, 2.0, size=(m, n))
    x[rng.random((m, n)) < 0.1] = 0.0  # zeros follow 0 ln 0 = 0
    assume_ok = not all(reference._is_constant(x[:, j]) for j in range(n))
    if not assume_ok:
        return
    w_ref, e_ref, d_ref = reference.entropy_weights(x)
    w = sg.entropy_weights(x)
    detail = sg.entropy_weights(x, details=True)
    np.testing.assert_allclose(w, w_ref, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(detail.loc["E"], e_ref, rtol=0, atol=1e-13)


# --------------------------------------------------------------------------
# Published worked examples
# --------------------------------------------------------------------------


def test_opricovic_tzeng_2004_example():
    """Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM
    methods: a comparative analysis of VIKOR and TOPSIS. EJOR 156(2):445-455,
    Section 5: three alternatives, f1 (cost) and f2 (benefit), equal weights,
    v = 0.5. Printed: S = (0.5, 0.375, 0.5), R = (0.5, 0.25, 0.5),
    Q = (1, 0, 1); A2 is the compromise solution, with both C1 and C2."""
    x = pd.DataFrame(
        {"f1": [1.0, 2.0, 5.0], "f2": [3000.0, 3750.0, 4500.0]}, index=["A1", "A2", "A3"]
    )
    res = sg.vikor(x, [0.5, 0.5], types={"f1": "cost", "f2": "benefit"})
    assert res.S.tolist() == [0.5, 0.375, 0.5]
    assert res.R.tolist() == [0.5, 0.25, 0.5]
    assert res.Q.tolist() == [1.0, 0.0, 1.0]
    assert list(res.compromise) == ["A2"]
    assert res.advantage and res.stability and res.dq == 0.5
    assert res.ideal.tolist() == [1.0, 4500.0] and res.anti_ideal.tolist() == [5.0, 3000.0]


# Opricovic, S. & Tzeng, G.-H. (2007). Extended VIKOR method in comparison
# with outranking methods. EJOR 178(2):514-529, numerical example (reservoir
# system on the Mlava river): 6 alternatives, 8 criteria, four weight sets.
# S, R, Q as printed (3 decimals); transcription cross-checked with the test
# data of scikit-criteria (tests/agg/test_vikor.py).
MLAVA = np.array(
    [
        [4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41],
        [5211.9, 3630.0, 501.7, 308.3, 282, 346, 21, 1.41],
        [5021.3, 3920.5, 504.0, 278.6, 12, 56, 3, 4.42],
        [5566.1, 3957.9, 559.5, 335.3, 167, 268, 16, 3.36],
        [5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04],
        [4317.9, 2925.9, 432.8, 239.3, 12, 55, 3, 4.36],
    ]
)
MLAVA_TYPES = ["max", "min", "max", "max", "min", "min", "min", "max"]
MLAVA_CASES = {
    "W1": (
        [1] * 8,
        [0.692, 0.7, 0.29, 0.423, 0.28, 0.346],
        [0.125, 0.125, 0.121, 0.125, 0.067, 0.125],
        [0.991, 1.0, 0.473, 0.670, 0.0, 0.578],
        [4],
        True,
    ),
    "W2": (
        [2, 2, 2, 2, 1, 1, 1, 1],
        [0.701, 0.6, 0.386, 0.365, 0.317, 0.459],
        [0.167, 0.114, 0.161, 0.167, 0.089, 0.167],
        [1.0, 0.533, 0.552, 0.563, 0.0, 0.686],
        [4],
        True,
    ),
    "W3": (
        [1, 1, 1, 1, 2, 2, 2, 2],
        [0.683, 0.8, 0.193, 0.48, 0.243, 0.232],
        [0.113, 0.167, 0.08, 0.122, 0.044, 0.083],
        [0.684, 1.0, 0.147, 0.554, 0.041, 0.191],
        [4, 2, 5],
        False,
    ),
    "W4": (
        [1, 1, 1, 1, 3.2, 3.2, 3.2, 3.2],
        [0.678, 0.857, 0.138, 0.513, 0.222, 0.167],
        [0.129, 0.190, 0.057, 0.139, 0.042, 0.060],
        [0.668, 1.0, 0.051, 0.588, 0.058, 0.078],
        [2, 4, 5],
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(MLAVA_CASES))
def test_opricovic_tzeng_2007_example(case):
    weights, S, R, Q, compromise, advantage = MLAVA_CASES[case]
    res = sg.vikor(MLAVA, weights, v=0.5, types=MLAVA_TYPES)
    assert np.abs(res.S - S).max() <= 5e-4
    assert np.abs(res.R - R).max() <= 5e-4
    assert np.abs(res.Q - Q).max() <= 5e-4
    assert res.compromise.tolist() == compromise
    assert res.advantage is advantage and res.stability is True


def test_entropy_literature_examples():
    """Printed entropy weights from three papers."""
    # Xu, X. (2004). A note on the subjective and objective integrated approach
    # to determine attribute weights. EJOR 156(2):530-532. The fourth attribute
    # is nearly constant: a tiny, not a round-off, weight.
    xu = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
    w = sg.entropy_weights(xu)
    np.testing.assert_allclose(w, [0.4630, 0.3992, 0.1378, 0.0000], atol=5e-5)
    assert 0 < w[3] < 1e-4
    # Zavadskas, E. K. & Podvezko, V. (2016). Integrated determination of
    # objective criteria weights in MCDM. IJITDM 15(2):267-283.
    zp = [[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]]
    np.testing.assert_allclose(sg.entropy_weights(zp), [0.1146, 0.1981, 0.4185, 0.2689], atol=5e-5)
    # Lee, H. C. & Chang, C. T. (2018). Comparative analysis of MCDM methods
    # for ranking renewable energy sources in Taiwan. RSER 92:883-896.
    lc = [
        [4550, 30, 6.74, 20, 15, 5, 85, 150, 0.87, 4.76],
        [3005, 60.86, 2.4, 35, 27, 4, 26, 200, 0.17, 4.51],
        [2040, 14.85, 1.7, 90, 25, 5, 26, 500, 0.27, 4.19],
        [3370, 99.4, 3.25, 25.3, 54, 3, 45, 222, 0.21, 3.78],
        [3920, 112.6, 4.93, 11.4, 71.7, 2, 50, 100, 0.25, 4.11],
    ]
    printed = [0.026, 0.154, 0.089, 0.199, 0.115, 0.04, 0.08, 0.123, 0.172, 0.002]
    np.testing.assert_allclose(sg.entropy_weights(lc), printed, atol=5e-4)


def test_critic_and_std_literature_examples():
    # Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining
    # objective weights in multiple criteria problems: the CRITIC method.
    # Computers & Operations Research 22(7):763-770.
    x = [
        [61, 1.08, 4.33],
        [20.7, 0.26, 4.34],
        [16.3, 1.98, 2.53],
        [9.0, 3.29, 1.65],
        [5.4, 2.77, 2.33],
        [4.0, 4.12, 1.21],
        [-6.1, 3.52, 2.10],
        [-34.6, 3.31, 0.98],
    ]
    np.testing.assert_allclose(sg.critic_weights(x), [0.2022, 0.4809, 0.3169], atol=5e-5)
    # Sałabun, W., Wątróbski, J. & Shekhovtsov, A. (2020). Are MCDA methods
    # benchmarkable? Symmetry 12(9):1549 (raw standard deviations).
    s = [
        [0.619, 0.449, 0.447],
        [0.862, 0.466, 0.006],
        [0.458, 0.698, 0.771],
        [0.777, 0.631, 0.491],
        [0.567, 0.992, 0.968],
    ]
    np.testing.assert_allclose(sg.std_weights(s, scale=False), [0.217, 0.294, 0.488], atol=5e-4)


# --------------------------------------------------------------------------
# pymcdm: agrees where it is right, and where it is not
# --------------------------------------------------------------------------


def test_pymcdm_agrees_on_regular_input(experts):
    pymcdm = pytest.importorskip("pymcdm")
    from pymcdm.methods import VIKOR

    x = experts.matrix.to_numpy()
    w = sg.entropy_weights(x)
    np.testing.assert_allclose(w, pymcdm.weights.entropy_weights(x), rtol=1e-12)
    np.testing.assert_allclose(sg.critic_weights(x), pymcdm.weights.critic_weights(x), rtol=1e-12)
    np.testing.assert_allclose(
        sg.std_weights(x, scale=False),
        pymcdm.weights.standard_deviation_weights(x),
        rtol=1e-12,
    )
    rng = np.random.default_rng(3)
    for _ in range(20):
        xr = rng.gamma(2.0, 2.0, size=(7, 4))
        wr = rng.dirichlet(np.ones(4))
        types = rng.choice([1, -1], size=4)
        for v in (0.2, 0.5, 0.8):
            ours = sg.vikor(xr, wr, v=v, types=types).Q
            np.testing.assert_allclose(ours, VIKOR(v=v)(xr, wr, types), rtol=0, atol=1e-12)


def test_pymcdm_where_it_is_wrong():
    """Documented differences: pymcdm's entropy cannot take a 0 score (1.4
    raises; older versions set E_j = 0 for such a column, giving it the
    largest weight) where 0 ln 0 = 0 is the definition; its VIKOR raises on a
    constant criterion and returns NaN when S- = S* and R- = R*; it has no
    compromise solution at all."""
    pymcdm = pytest.importorskip("pymcdm")
    from pymcdm.methods import VIKOR

    x = np.array([[0.0, 1.0], [5.0, 2.0], [5.0, 3.0], [5.0, 4.0]])
    ours = sg.entropy_weights(x)
    np.testing.assert_allclose(ours, reference.entropy_weights(x)[0], rtol=1e-12)
    try:  # pymcdm 1.4 refuses any zero score; earlier versions set E_j = 0
        theirs = pymcdm.weights.entropy_weights(x)
    except ValueError:
        theirs = None
    assert theirs is None or abs(theirs[0] - ours[0]) > 0.3

    flat = np.array([[1.0, 0.0, 5.0], [0.0, 1.0, 5.0]])
    with pytest.raises(ValueError):
        VIKOR()(flat, np.ones(3) / 3, np.ones(3))
    with pytest.warns(VikorWarning):
        res = sg.vikor(flat, np.ones(3) / 3)
    assert np.isfinite(res.Q).all()

    tied = np.array([[1.0, 0.0], [0.0, 1.0]])  # S- = S* and R- = R*
    with np.errstate(all="ignore"):
        assert np.isnan(VIKOR()(tied, np.array([0.5, 0.5]), np.ones(2))).all()
    with pytest.warns(VikorWarning):
        res = sg.vikor(tied, [0.5, 0.5])
    assert res.Q.tolist() == [0.0, 0.0] and res.compromise.tolist() == [0, 1]


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

GRID = st.integers(0, 40).map(lambda k: k / 4)  # scores on a grid: no accidental near-ties


@st.composite
def problems(draw, min_rows=2, max_rows=8, max_cols=5):
    m = draw(st.integers(min_rows, max_rows))
    n = draw(st.integers(1, max_cols))
    x = draw(hnp.arrays(np.float64, (m, n), elements=GRID))
    w = draw(hnp.arrays(np.float64, (n,), elements=st.integers(0, 10).map(float)))
    assume(w.sum() > 0)
    types = draw(hnp.arrays(np.int64, (n,), elements=st.sampled_from([1, -1])))
    v = draw(st.sampled_from([0.0, 0.1, 0.5, 0.75, 1.0]))
    return x, w, types, v


def _quiet_vikor(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VikorWarning)
        return sg.vikor(*args, **kwargs)


@given(hnp.arrays(np.float64, st.tuples(st.integers(2, 10), st.integers(1, 6)), elements=GRID))
def test_entropy_weights_sum_to_one(x):
    assume(not all(reference._is_constant(x[:, j]) for j in range(x.shape[1])))
    w = sg.entropy_weights(x)
    assert np.all(w >= 0)
    assert abs(w.sum() - 1.0) <= 1e-12
    scaled = sg.entropy_weights(x * np.arange(1, x.shape[1] + 1) * 7.5)  # per-column scale
    np.testing.assert_allclose(scaled, w, rtol=1e-9, atol=1e-12)


@given(problems(), st.floats(0.1, 10), st.floats(-100, 100), st.data())
def test_q_ignores_positive_affine_changes(problem, a, b, data):
    x, w, types, v = problem
    j = data.draw(st.integers(0, x.shape[1] - 1))
    base = _quiet_vikor(x, w, v=v, types=types)
    y = x.copy()
    y[:, j] = a * y[:, j] + b
    moved = _quiet_vikor(y, w, v=v, types=types)
    np.testing.assert_allclose(moved.Q, base.Q, rtol=0, atol=1e-9)
    np.testing.assert_allclose(moved.S, base.S, rtol=0, atol=1e-9)
    assert set(moved.compromise) == set(base.compromise)


@given(problems(), st.data())
def test_cost_on_negated_column_is_benefit(problem, data):
    x, w, types, v = problem
    j = data.draw(st.integers(0, x.shape[1] - 1))
    base = _quiet_vikor(x, w, v=v, types=types)
    y, flipped = x.copy(), types.copy()
    y[:, j] = -y[:, j]
    flipped[j] = -flipped[j]
    swapped = _quiet_vikor(y, w, v=v, types=flipped)
    np.testing.assert_array_equal(swapped.Q, base.Q)  # bit-identical
    np.testing.assert_array_equal(swapped.compromise, base.compromise)


@given(problems(), st.floats(0.001, 1000))
def test_vikor_invariants(problem, c):
    x, w, types, v = problem
    res = _quiet_vikor(x, w, v=v, types=types)
    q = np.asarray(res.Q)
    assert np.isfinite(q).all() and (q >= 0).all() and (q <= 1 + 1e-12).all()
    assert abs(res.weights.sum() - 1) <= 1e-12
    comp = list(res.compromise)
    assert comp and comp == list(res.ranking[: len(comp)])  # a prefix of the ranking
    assert np.all(np.diff(q[res.ranking]) >= -reference.VIKOR_TOL)  # ties keep input order
    scaled = _quiet_vikor(x, w * c, v=v, types=types)  # weights are normalised
    np.testing.assert_allclose(scaled.Q, res.Q, rtol=0, atol=1e-12)
    ref = reference.vikor(x, w, v, types)
    np.testing.assert_allclose(res.Q, ref["Q"], rtol=0, atol=1e-12)
    assert comp == ref["compromise"]


# --------------------------------------------------------------------------
# Ties (issue 13): Q within VIKOR_TOL keep input order, everywhere
# --------------------------------------------------------------------------

# Rows 0-2 are permutations of each other: with equal weights their S, R and Q
# are equal up to round-off (S = 0.8 and 0.7999999999999999).
TIED = np.array([[0.2, 0.3, 0.1], [0.1, 0.2, 0.3], [0.3, 0.1, 0.2], [0, 0, 0], [1, 1, 1]])
TIED_RANKING = [4, 0, 1, 2, 3]


def test_issue_13_ties_keep_input_order_in_vikor():
    res = sg.vikor(TIED, [1, 1, 1])
    assert res.ranking.tolist() == TIED_RANKING
    frame = res.to_frame()
    assert frame["rank_Q"].tolist() == [2, 3, 4, 5, 1]
    assert frame["rank_S"].tolist() == [2, 3, 4, 5, 1]
    assert frame["rank_R"].tolist() == [2, 3, 4, 5, 1]
    assert res.compromise.tolist() == [4] and res.advantage and res.stability
    labelled = sg.vikor(pd.DataFrame(TIED, index=list("abcde")), [1, 1, 1])
    assert list(labelled.ranking) == ["e", "a", "b", "c", "d"]
    assert labelled.to_frame()["rank_Q"].tolist() == [2, 3, 4, 5, 1]


@pytest.mark.parametrize("n_threads", [1, 2])
def test_issue_13_ties_keep_input_order_in_the_batched_kernels(n_threads):
    # 2000 rows: enough work for the kernel to use both threads
    batch = sg.vikor_batch(TIED, np.ones((2000, 3)), n_threads=n_threads)
    assert (batch.ranking.to_numpy() == TIED_RANKING).all()
    sens = sg.vikor_sensitivity(TIED, [1, 1, 1])
    assert sens.to_frame()["rank"].tolist() == [2, 3, 4, 5, 1]
    assert set(sens.compromise) == {(4,)}
    # A Dirichlet this tight draws weights equal to a few ulps: rows 0-2 tie
    # in every draw and must land at ranks 2, 3, 4 in input order.
    shares = sg.vikor_weight_sensitivity(
        TIED, [1, 1, 1], n_samples=300, concentration=1e32, random_state=0, v=[0.5, 0.9],
        n_threads=n_threads,
    )
    for v in (0.5, 0.9):
        for pos, alt in enumerate(TIED_RANKING, start=1):
            assert shares.loc[(v, alt), f"rank_{pos}"] == 1.0


def test_tie_rule_groups_from_the_smallest_value():
    tol = reference.VIKOR_TOL
    # not transitive: 0.6 tol is tied with 0 and with 1.2 tol, but 1.2 tol is
    # more than tol above 0, the group's smallest value
    chain = np.array([1.2 * tol, 0.6 * tol, 0.0, 0.5])
    assert _tie_order(chain).tolist() == [1, 2, 0, 3]
    assert reference.tie_groups(chain) == [[1, 2], [0], [3]]
    assert _order_ranks(chain).tolist() == [3, 1, 2, 4]
    assert _tie_order(np.array([0.3, 0.3 - 0.9 * tol, 0.3 + 0.9 * tol])).tolist() == [0, 1, 2]
    assert _tie_order(np.array([0.3, 0.3 - 0.9 * tol, 0.3 + 1.1 * tol])).tolist() == [0, 1, 2]
    assert _tie_order(np.array([0.3 + 1.1 * tol, 0.3, 0.3 - 0.9 * tol])).tolist() == [1, 2, 0]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5)), min_size=1, max_size=30))
def test_tie_rule_matches_reference(parts):
    # clusters of values 0.37 tol apart: chains longer than tol, in any order
    values = np.array([0.25 * a + 0.37 * reference.VIKOR_TOL * b for a, b in parts])
    np.testing.assert_array_equal(_tie_order(values), reference.tie_order(values))
    np.testing.assert_array_equal(_order_ranks(values), reference.tie_ranks(values))


@st.composite
def tied_problems(draw):
    """Decision problems whose rows repeat (exact ties), and a permutation."""
    k, n = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    rows = draw(hnp.arrays(np.float64, (k, n), elements=GRID))
    picks = draw(st.lists(st.integers(0, k - 1), min_size=2, max_size=9))
    x = rows[picks]
    w = draw(hnp.arrays(np.float64, (n,), elements=st.integers(0, 10).map(float)))
    assume(w.sum() > 0)
    types = draw(hnp.arrays(np.int64, (n,), elements=st.sampled_from([1, -1])))
    v = draw(st.sampled_from([0.0, 0.1, 0.5, 0.75, 1.0]))
    perm = np.array(draw(st.permutations(range(len(x)))))
    return x, w, types, v, perm


@given(tied_problems())
def test_permuting_alternatives_only_reorders_ties(problem):
    x, w, types, v, p = problem
    base = _quiet_vikor(x, w, v=v, types=types)
    moved = _quiet_vikor(x[p], w, v=v, types=types)
    # A row's S, R and Q do not depend on where the row is (bit for bit).
    np.testing.assert_array_equal(moved.Q, base.Q[p])
    for res, y in ((base, x), (moved, x[p])):
        # The ranking is the reference's tie rule on the same Q, and the
        # whole result is the plain-NumPy reference's.
        np.testing.assert_array_equal(res.ranking, reference.tie_order(res.Q))
        np.testing.assert_array_equal(res.to_frame()["rank_Q"], reference.tie_ranks(res.Q))
        np.testing.assert_array_equal(res.to_frame()["rank_S"], reference.tie_ranks(res.S))
        ref = reference.vikor(y, w, v, types)
        np.testing.assert_array_equal(res.ranking, ref["ranking"])
        assert list(res.compromise) == ref["compromise"]
        assert (res.advantage, res.stability) == (ref["advantage"], ref["stability"])
    # The same groups in the same order: only the order inside a group moved,
    # and there it is input order (ranking == tie_order above).
    groups = reference.tie_groups(base.Q)
    assert [sorted(p[g]) for g in reference.tie_groups(moved.Q)] == [sorted(g) for g in groups]
    assert sorted(p[moved.compromise]) == sorted(base.compromise)
    assert moved.advantage == base.advantage
    if all((x[g] == x[g[0]]).all() for g in groups):  # every tie is a repeated row
        np.testing.assert_array_equal(x[p][moved.ranking], x[base.ranking])
        assert moved.stability == base.stability


def test_alternatives_tied_for_second_are_both_in_the_compromise_set():
    # Only C2 fails; rows 3 and 6 are identical and tie for second place.
    x = np.array([[1, 1, 3], [1, 3, 3], [3, 2, 3], [1, 5, 5], [5, 4, 1], [4, 2, 0], [1, 5, 5]])
    res = sg.vikor(x, [1, 1, 1], v=0.7)
    assert res.ranking.tolist() == [4, 3, 6, 2, 1, 5, 0]
    assert (res.advantage, res.stability) == (True, False)
    assert res.compromise.tolist() == [4, 3, 6]
    assert reference.vikor(x, [1, 1, 1], 0.7)["compromise"] == [4, 3, 6]


@pytest.mark.parametrize("kind", ["benefit", "cost"])
def test_a_criterion_spanning_more_than_dbl_max_is_a_scaled_copy(kind):
    # BUG-5 (fixed): f*_j - f-_j overflowed for a criterion spanning more than
    # DBL_MAX and S, R, Q came back NaN. (x - 6) * 2**1023 is exact for x in
    # [3, 12] and spans 2.7e308 here, so every VIKOR function must give the
    # same results, bit for bit, as on the unscaled matrix.
    x = np.random.default_rng(5).uniform(4.5, 7.5, size=(8, 3))
    x[0, 0], x[1, 0] = 4.5, 7.5
    huge = x.copy()
    huge[:, 0] = np.ldexp(x[:, 0] - 6.0, 1023)
    with np.errstate(over="ignore"):
        assert np.isfinite(huge).all() and not np.isfinite(huge[:, 0].max() - huge[:, 0].min())
    w = np.array([0.5, 0.2, 0.3])
    types = [kind, "benefit", "cost"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        for f in (
            lambda a: sg.vikor(a, w, v=0.3, types=types),
            lambda a: sg.vikor_sensitivity(a, w, types=types),
            lambda a: sg.vikor_batch(a, np.array([w, [1.0, 1.0, 1.0], [0.9, 0.0, 0.1]]),
                                     types=types),
        ):
            base, moved = f(x), f(huge)
            for field in ("S", "R", "Q", "compromise", "ranking"):
                if hasattr(base, field):
                    a, b = getattr(base, field), getattr(moved, field)
                    if isinstance(a, (pd.DataFrame, pd.Series)):
                        assert a.equals(b), field
                    else:
                        np.testing.assert_array_equal(np.asarray(b), np.asarray(a), field)
        shares = [
            sg.vikor_weight_sensitivity(a, w, n_samples=300, random_state=2, types=types)
            for a in (x, huge)
        ]
    pd.testing.assert_frame_equal(shares[1], shares[0])


# --------------------------------------------------------------------------
# API: pandas in / pandas out, parsing, messages, degenerate input
# --------------------------------------------------------------------------


def test_pandas_in_pandas_out_and_arrays_out(experts):
    x = experts.matrix
    res = sg.vikor(x, sg.entropy_weights(x))
    for s in (res.S, res.R, res.Q):
        assert isinstance(s, pd.Series) and list(s.index) == list(x.index)
    assert isinstance(res.ranking, pd.Index) and isinstance(res.weights, pd.Series)
    assert list(res.to_frame().columns) == [
        "S", "R", "Q", "rank_S", "rank_R", "rank_Q", "compromise",
    ]  # fmt: skip
    arr = sg.vikor(x.to_numpy(), sg.entropy_weights(x.to_numpy()))
    assert isinstance(arr.Q, np.ndarray) and arr.ranking.dtype.kind == "i"
    np.testing.assert_array_equal(arr.Q, res.Q.to_numpy())
    assert arr.compromise.tolist() == [5, 8]  # positions of A6, A9
    assert "VikorResult(v=0.5" in repr(res)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.v = 0.1


def test_weights_are_matched_by_label(experts):
    x = experts.matrix
    w = sg.entropy_weights(x)
    base = sg.vikor(x, w)
    shuffled = w[["C5", "C3", "C1", "C4", "C2"]]
    pd.testing.assert_series_equal(sg.vikor(x, shuffled).Q, base.Q)
    pd.testing.assert_series_equal(sg.vikor(x, dict(shuffled)).Q, base.Q)
    pd.testing.assert_series_equal(sg.vikor(x, "entropy").Q, base.Q)
    with pytest.raises(ValueError, match=r"no value for criteria \['C2'\]"):
        sg.vikor(x, w.drop("C2"))
    with pytest.raises(ValueError, match="unknown criteria"):
        sg.vikor(x, {**dict(w), "C9": 0.1})
    with pytest.raises(ValueError, match="one of"):
        sg.vikor(x, "magic")
    for method in ("critic", "std", "equal"):
        assert np.isfinite(sg.vikor(x, method).Q).all()


def test_types_parsing():
    x = pd.DataFrame({"price": [3.0, 1.0, 2.0], "speed": [1.0, 2.0, 3.0]}, index=list("abc"))
    expected = sg.vikor(x, [1, 1], types=[-1, 1]).Q
    for types in (["cost", "benefit"], ["min", "max"], {"speed": "max", "price": "cost"}):
        pd.testing.assert_series_equal(sg.vikor(x, [1, 1], types=types).Q, expected)
    all_cost = sg.vikor(x, [1, 1], types="cost")
    pd.testing.assert_series_equal(all_cost.Q, sg.vikor(x, [1, 1], types=[-1, -1]).Q)
    with pytest.raises(ValueError, match=r"criterion 'speed' is 'maximum'"):
        sg.vikor(x, [1, 1], types=["cost", "maximum"])
    with pytest.raises(ValueError, match="has 3 values but the matrix has 2 criteria"):
        sg.vikor(x, [1, 1], types=[1, 1, 1])
    with pytest.raises(ValueError):
        sg.vikor(x, [1, 1], types=[True, 1])


def test_messages_name_cells_and_arguments(experts):
    x = experts.matrix.copy()
    x.loc["A3", "C2"] = -1.0
    with pytest.raises(ValueError, match=r"negative values at \('A3', 'C2'\)"):
        sg.entropy_weights(x)
    x.loc["A3", "C2"] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values at \('A3', 'C2'\)"):
        sg.vikor(x, [1] * 5)
    with pytest.raises(ValueError, match=r"NaN or infinite values at \[0, 1\]"):
        sg.entropy_weights(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(ValueError, match="1 alternative"):
        sg.entropy_weights([[1.0, 2.0]])
    with pytest.raises(ValueError, match="1 alternative"):
        sg.vikor([[1.0, 2.0]], [1, 1])
    with pytest.raises(ValueError, match="2-dimensional"):
        sg.vikor([1.0, 2.0], [1])
    with pytest.raises(TypeError, match="non-numeric"):
        sg.entropy_weights(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))
    good = experts.matrix
    with pytest.raises(ValueError, match=r"criteria \['C2'\] have negative weights"):
        sg.vikor(good, [1, -1, 1, 1, 1])
    with pytest.raises(ValueError, match="positive sum"):
        sg.vikor(good, [0] * 5)
    with pytest.raises(ValueError, match="must be finite"):
        sg.vikor(good, [1, np.inf, 1, 1, 1])
    with pytest.raises(ValueError, match=r"v must lie in \[0, 1\]"):
        sg.vikor(good, [1] * 5, v=1.5)
    with pytest.raises(TypeError, match="v must be a number"):
        sg.vikor(good, [1] * 5, v="half")
    with pytest.raises(ValueError, match=r"ideal for criterion 'C3' \(benefit\) is 7.5 but "):
        sg.vikor(good, [1] * 5, ideal=[9, 9, 7.5, 9, 9])
    with pytest.raises(ValueError, match="'A1' scores 3.878, worse than the anti-ideal"):
        sg.vikor(good, [1] * 5, anti_ideal=[1, 1, 4, 1, 1])


@pytest.mark.parametrize("fn", [
    sg.entropy_weights, sg.critic_weights, sg.std_weights,
    lambda m: sg.vikor(m, "equal"), lambda m: sg.vikor_sensitivity(m, "equal"),
    lambda m: sg.vikor_batch(m, np.ones((2, 2))),
    lambda m: sg.vikor_weight_sensitivity(m, "equal", n_samples=5, random_state=0),
])
def test_complex_and_time_data_are_refused(fn):
    # BUG-7: complex data lost its imaginary part and dates became day numbers.
    real = np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 1.0]])
    cases = [
        (real + 0j, r"matrix has complex dtype complex128"),  # even with zero imaginary part
        (real + 1j, r"matrix has complex dtype complex128"),
        (real.astype(np.complex64), r"matrix has complex dtype complex64"),
        (real.astype("datetime64[D]"), r"matrix has dtype datetime64\[D\]"),
        (real.astype("timedelta64[s]"), r"matrix has dtype timedelta64\[s\]"),
        ([[1 + 2j, 2.0], [3.0, 5.0], [4.0, 1.0]], r"matrix has complex dtype"),  # nested list
    ]
    for value, pattern in cases:
        # complex: numbers of the wrong domain (ValueError); dates: not numbers (TypeError)
        with pytest.raises(ValueError if "complex" in pattern else TypeError, match=pattern):
            fn(value)


def test_vikor_batch_names_matrix_and_weights_it_cannot_read():
    # BUG-12: ragged, complex or text weights gave NumPy's message, naming nothing.
    m = [[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]]
    with pytest.raises(ValueError, match=r"^matrix could not be read .* one column per criterion"):
        sg.vikor_batch([[1.0, 2.0, 3.0], [1.0]], np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^weights could not be read as an array .*\(2\)$"):
        sg.vikor_batch(m, [[1.0, 2.0], [1.0]])
    for w in ([[1j, 1.0], [1.0, 1.0]], [["a", "b"]], np.ones((2, 2), "datetime64[D]")):
        with pytest.raises(TypeError, match=r"^weights must be real numbers, got dtype"):
            sg.vikor_batch(m, w)
    # numbers held in an object array are still numbers
    got = sg.vikor_batch(m, np.ones((2, 2), dtype=object))
    want = sg.vikor(m, [0.5, 0.5])
    np.testing.assert_allclose(got.Q.to_numpy()[0], want.Q, rtol=1e-15)


def test_ideal_and_anti_ideal(experts):
    x = experts.matrix
    res = sg.vikor(x, [1] * 5, ideal=[9] * 5, anti_ideal=[1] * 5)
    expected = ((9 - x) / 8).mean(axis=1)
    np.testing.assert_allclose(res.S, expected, rtol=1e-14)
    assert res.ideal.tolist() == [9.0] * 5
    ref = reference.vikor(x.to_numpy(), np.ones(5), 0.5, None, [9.0] * 5, [1.0] * 5)
    np.testing.assert_allclose(res.Q, ref["Q"], atol=1e-12)
    assert list(res.compromise) == [x.index[i] for i in ref["compromise"]]


def test_constant_criterion_contributes_zero_and_warns():
    x = pd.DataFrame({"a": [1.0, 2.0, 3.0], "same": [4.0, 4.0, 4.0]})
    with pytest.warns(VikorWarning, match=r"criteria \['same'\]"):
        res = sg.vikor(x, [0.5, 0.5])
    assert res.constant == ["same"]
    assert res.S.tolist() == [0.5, 0.25, 0.0]  # the constant half contributes nothing
    w = sg.entropy_weights(x)
    assert w["same"] == 0.0 and w["a"] == 1.0
    with pytest.raises(ValueError, match="every criterion .* is constant"):
        sg.entropy_weights(pd.DataFrame({"a": [0.1] * 3, "b": [0.1 + 0.2, 0.3, 0.3]}))


def test_all_constant_matrix_gives_ties_not_nan():
    x = np.full((4, 3), 2.5)
    with pytest.warns(VikorWarning):
        res = sg.vikor(x, [1, 2, 3])
    assert res.Q.tolist() == [0.0] * 4
    assert res.compromise.tolist() == [0, 1, 2, 3] and not res.advantage and res.stability
    with pytest.raises(ValueError, match="constant"):
        sg.std_weights(x)
    with pytest.raises(ValueError, match="constant"):
        sg.critic_weights(x)


def test_inputs_are_not_modified(experts):
    x = experts.matrix.copy()
    w = sg.entropy_weights(x)
    arr, warr = x.to_numpy().copy(), w.to_numpy().copy()
    before = (x.copy(), w.copy(), arr.copy(), warr.copy())
    sg.vikor(x, w, types=["cost", 1, 1, 1, 1])
    sg.vikor_sensitivity(arr, warr)
    sg.vikor_weight_sensitivity(x, w, n_samples=50, random_state=0)
    sg.vikor_batch(arr, np.tile(warr, (3, 1)))
    sg.critic_weights(arr, types="cost")
    sg.std_weights(x)
    pd.testing.assert_frame_equal(x, before[0])
    pd.testing.assert_series_equal(w, before[1])
    np.testing.assert_array_equal(arr, before[2])
    np.testing.assert_array_equal(warr, before[3])


def test_vikor_sensitivity_labels_and_tables():
    x = [[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]]
    sens = sg.vikor_sensitivity(x, [0.5, 0.5], np.arange(0.9, 0.0, -0.2), types=[-1, 1])
    assert list(sens.Q.columns) == [0.9, 0.7, 0.5, 0.3, 0.1]
    assert isinstance(sens.Q.index, pd.RangeIndex)
    table = sens.to_frame()
    assert list(table.columns[-2:]) == ["mean", "rank"]
    assert sens.membership().loc[1].all()
    assert "VikorSensitivity" in repr(sens)
    with pytest.raises(ValueError, match=r"v\[1\] must lie in"):
        sg.vikor_sensitivity(x, [0.5, 0.5], [0.5, 2.0])


def test_vikor_batch_equals_single_calls(experts):
    x = experts.matrix
    rng = np.random.default_rng(0)
    W = pd.DataFrame(rng.dirichlet(np.ones(5), size=30), columns=list(x.columns))
    batch = sg.vikor_batch(x, W[list(reversed(x.columns))], v=0.3)  # matched by label
    assert batch.Q.shape == (30, 9) and list(batch.Q.columns) == list(x.index)
    for b in (0, 7, 29):
        res = sg.vikor(x, W.iloc[b], v=0.3)
        np.testing.assert_array_equal(batch.Q.iloc[b].to_numpy(), res.Q.to_numpy())
        assert batch.ranking.iloc[b].tolist() == list(res.ranking)
        assert batch.to_frame()["compromise"].iloc[b] == tuple(res.compromise)
        assert batch.advantage.iloc[b] == res.advantage
    one = sg.vikor_batch(x, W, v=0.3, n_threads=1)
    two = sg.vikor_batch(x, W, v=0.3, n_threads=2)
    pd.testing.assert_frame_equal(one.Q, two.Q)
    with pytest.raises(ValueError, match="shape"):
        sg.vikor_batch(x, W.to_numpy()[:, :3])
    with pytest.raises(ValueError, match="row 2"):
        bad = W.to_numpy().copy()
        bad[2, 1] = -0.1
        sg.vikor_batch(x, bad)


def test_vikor_weight_sensitivity(experts):
    x = experts.matrix
    w = sg.entropy_weights(x)
    shares = sg.vikor_weight_sensitivity(x, w, n_samples=3000, random_state=1, n_threads=1)
    assert list(shares.index) == list(x.index)
    ranks = shares[[f"rank_{r}" for r in range(1, 10)]]
    np.testing.assert_allclose(ranks.sum(axis=1), 1.0)
    np.testing.assert_allclose(ranks.sum(axis=0), 1.0)
    assert shares.loc["A6", "rank_1"] == 1.0  # A6 is best under every draw
    assert shares.loc["A9", "compromise"] > 0.9
    assert shares["mean_rank"].idxmin() == "A6"
    assert shares.attrs["n_samples"] == 3000
    again = sg.vikor_weight_sensitivity(x, w, n_samples=3000, random_state=1, n_threads=2)
    pd.testing.assert_frame_equal(shares, again)
    other = sg.vikor_weight_sensitivity(x, w, n_samples=3000, random_state=2)
    assert not shares.equals(other)
    # A very tight Dirichlet reproduces the ranking at the given weights.
    tight = sg.vikor_weight_sensitivity(x, w, n_samples=200, concentration=1e9, random_state=0)
    base = sg.vikor(x, w)
    for pos, alt in enumerate(base.ranking, start=1):
        assert tight.loc[alt, f"rank_{pos}"] == 1.0
    assert (tight.loc[list(base.compromise), "compromise"] == 1.0).all()
    # Uniform draws (SMAA-2) and several v at once.
    multi = sg.vikor_weight_sensitivity(
        x, w, n_samples=500, concentration=None, v=[0.9, 0.1], random_state=0
    )
    assert multi.index.names == ["v", "alternative"] and multi.shape == (18, 11)
    with pytest.raises(ValueError, match="concentration"):
        sg.vikor_weight_sensitivity(x, w, concentration=0)
    with pytest.raises(ValueError, match="n_samples"):
        sg.vikor_weight_sensitivity(x, w, n_samples=0)


def test_critic_and_std_behaviour():
    rng = np.random.default_rng(5)
    x = rng.gamma(2.0, 2.0, size=(12, 4))
    w = sg.critic_weights(x)
    assert abs(w.sum() - 1) < 1e-12
    # A constant criterion gets 0 and does not change the others.
    with_const = np.column_stack([x, np.full(12, 3.0)])
    w2 = sg.critic_weights(with_const)
    assert w2[-1] == 0.0
    np.testing.assert_allclose(w2[:-1], w, rtol=1e-12)
    # types flip correlations with cost criteria.
    assert not np.allclose(sg.critic_weights(x, types=[1, -1, 1, 1]), w)
    # Perfectly correlated criteria: no conflict, no CRITIC weights.
    with pytest.raises(ValueError, match="perfectly correlated"):
        sg.critic_weights(np.column_stack([x[:, 0], 2 * x[:, 0] + 1]))
    # std weights: unit-free by default, unit-dependent with scale=False.
    y = x * np.array([1.0, 1000.0, 1.0, 1.0])
    np.testing.assert_allclose(sg.std_weights(y), sg.std_weights(x), rtol=1e-12)
    assert sg.std_weights(y, scale=False)[1] > 0.99
    e = sg.equal_weights(pd.DataFrame(x, columns=list("abcd")))
    assert e.tolist() == [0.25] * 4 and list(e.index) == list("abcd")


def test_std_and_critic_weights_of_a_column_spanning_more_than_dbl_max():
    # BUG-13: max - min of a column spanning +-1.7e308 overflowed: NaN weights.
    rng = np.random.default_rng(13)
    x = rng.random((12, 3))
    x[:, 0] = [1.7e308, -1.7e308] * 6
    image = x.copy()
    image[:, 0] = [1.0, 0.0] * 6  # the exact min-max image of the huge column
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning either
        w_std = sg.std_weights(x)
        w_critic = sg.critic_weights(x)
        w_raw = sg.std_weights(x, scale=False)
    np.testing.assert_allclose(w_std, reference.std_weights(image), rtol=1e-13)
    np.testing.assert_allclose(w_critic, reference.critic_weights(image), rtol=1e-13)
    # Unscaled, the huge column holds all but ~1e-309 of the spread.
    assert w_raw[0] == 1.0 and np.all((w_raw[1:] >= 0) & (w_raw[1:] < 1e-300))


@pytest.mark.parametrize("factor", [2.0**1000, 1e300, 2.0**-1000, 1e-250])
def test_std_weights_unscaled_survive_huge_and_tiny_units(factor):
    # The squares in the standard deviation overflow (underflow) for these
    # values; w_j = sigma_j / sum(sigma) does not change with a common factor.
    y = np.random.default_rng(14).gamma(2.0, 2.0, size=(9, 4))
    got = sg.std_weights(y * factor, scale=False)
    np.testing.assert_allclose(got, reference.std_weights(y, scale=False), rtol=1e-13)
    np.testing.assert_array_equal(sg.std_weights(y, scale=False),
                                  sg.std_weights(y * 2.0**10, scale=False))


@pytest.mark.parametrize("call", [
    lambda m: sg.vikor(m, [0.5, 0.5]).to_frame(),
    lambda m: sg.vikor_sensitivity(m, [0.5, 0.5], v=[0.2, 0.8]).to_frame(),
    lambda m: sg.vikor_batch(m, [[0.5, 0.5], [0.3, 0.7]]).to_frame(),
])
def test_duplicate_alternative_names_are_refused_by_name(call):  # issue 14, case 5
    m = pd.DataFrame([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]], index=["A", "A", "B"],
                     columns=["c1", "c2"])
    with pytest.raises(ValueError, match=r"names alternatives more than once: \['A'\]"):
        call(m)
    call(m.reset_index(drop=True))  # unique names (positions) rank as before
