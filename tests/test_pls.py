"""pls_sem and PlsResult.bootstrap: bad input named, the bootstrap's
contract (bits across threads and chunks, statistics against NumPy and
SciPy, flagged resamples), Ctrl-C, the C glue's own checks, leaks.

Exactness against seminr lives in tests/test_pls_seminr.py and the
properties in tests/test_pls_properties.py."""

import gc
import os
import textwrap
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import segment as sg
from segment import _core
from segment._estimator import ConvergenceWarning
from tests._interrupt import interrupt_child

ITEMS = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"], "C": ["c1", "c2", "c3"]}
PATHS = [("A", "B"), ("A", "C"), ("B", "C")]


def survey(n=150, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.5 * a + 0.8 * rng.normal(size=n)
    c = 0.3 * a + 0.4 * b + 0.7 * rng.normal(size=n)
    cols = {}
    for name, lat in (("a", a), ("b", b), ("c", c)):
        for k in range(1, 4 if name != "b" else 3):
            cols[f"{name}{k}"] = np.clip(np.round(3 + lat + 0.7 * rng.normal(size=n)), 1, 5)
    return pd.DataFrame(cols, index=[f"r{i}" for i in range(n)])


@pytest.fixture(scope="module")
def data():
    return survey()


@pytest.fixture(scope="module")
def fit(data):
    return sg.pls_sem(data, ITEMS, PATHS)


# --------------------------------------------------------------------------
# bad input: each message names the construct, item or row
# --------------------------------------------------------------------------


def test_non_numeric_item_is_named(data):
    bad = data.assign(b2=["x"] * len(data))
    with pytest.raises(TypeError, match="b2"):
        sg.pls_sem(bad, ITEMS, PATHS)


def test_item_in_two_constructs(data):
    with pytest.raises(ValueError, match=r"item 'a1' is listed in 'A' and in construct 'B'"):
        sg.pls_sem(data, {**ITEMS, "B": ["b1", "a1"]}, PATHS)
    with pytest.raises(ValueError, match="'a1' is listed twice in construct 'A'"):
        sg.pls_sem(data, {**ITEMS, "A": ["a1", "a1"]}, PATHS)


def test_construct_without_items(data):
    with pytest.raises(ValueError, match="construct 'B' has no items"):
        sg.pls_sem(data, {**ITEMS, "B": []}, PATHS)


def test_unknown_construct_in_a_path(data):
    with pytest.raises(ValueError, match="unknown construct 'D'"):
        sg.pls_sem(data, ITEMS, [*PATHS, ("C", "D")])


def test_cycle_names_its_constructs(data):
    with pytest.raises(ValueError, match=r"cycle through the constructs \['A', 'B', 'C'\]"):
        sg.pls_sem(data, ITEMS, [*PATHS, ("C", "A")])


def test_other_structural_faults(data):
    with pytest.raises(ValueError, match="'A' -> 'A' goes to itself"):
        sg.pls_sem(data, ITEMS, [*PATHS, ("A", "A")])
    with pytest.raises(ValueError, match="listed twice"):
        sg.pls_sem(data, ITEMS, [*PATHS, ("A", "B")])
    with pytest.raises(ValueError, match=r"constructs \['C'\] have no structural path"):
        sg.pls_sem(data, ITEMS, [("A", "B")])
    with pytest.raises(TypeError, match="structural"):
        sg.pls_sem(data, ITEMS, 3)


def test_constant_item_is_named(data):
    with pytest.raises(ValueError, match=r"items \['c2'\] are constant .* constructs \['C'\]"):
        sg.pls_sem(data.assign(c2=4.0), ITEMS, PATHS)


def test_singular_mode_b_block_names_the_construct(data):
    twin = data.assign(b2=data["b1"] * 2 + 1)
    spec = {**ITEMS, "B": {"items": ["b1", "b2"], "mode": "B"}}
    with pytest.raises(ValueError, match="Mode B construct 'B'.*singular"):
        sg.pls_sem(twin, spec, PATHS)


def test_collinear_mode_a_items_name_the_construct(data):
    with pytest.raises(ValueError, match="of construct 'A' are perfectly collinear"):
        sg.pls_sem(data.assign(a3=data["a1"]), ITEMS, PATHS)


def test_collinear_predecessors_name_the_construct(data):
    twin = data.assign(d1=data["a1"], d2=data["a2"], d3=data["a3"])
    spec = {**ITEMS, "D": ["d1", "d2", "d3"]}
    with pytest.raises(ValueError, match="predecessors are collinear for construct 'C'"):
        sg.pls_sem(twin, spec, [*PATHS, ("D", "C")])


def test_fewer_respondents_than_parameters(data):
    with pytest.raises(ValueError, match="11 respondents .* 11 parameters"):
        sg.pls_sem(data.iloc[:11], ITEMS, PATHS)


def test_missing_answers_are_counted_and_reported(data):
    holes = data.copy()
    holes.loc["r3", "a1"] = np.nan
    holes.loc["r7", ["a1", "c3"]] = np.nan
    with pytest.warns(UserWarning, match=r"3 missing answers in 2 rows .*'r3', 'r7'.*a1 \(2\)"):
        res = sg.pls_sem(holes, ITEMS, PATHS)
    assert res.missing["a1"] == 2 and res.missing["c3"] == 1 and res.missing.sum() == 3
    assert len(res.construct_scores) == len(data)
    # mean replacement: the same as filling the holes by hand
    filled = holes.fillna(holes.mean())
    by_hand = sg.pls_sem(filled, ITEMS, PATHS)
    np.testing.assert_allclose(res.path_coef, by_hand.path_coef, atol=1e-12)
    with pytest.warns(UserWarning, match="2 rows dropped"):
        lw = sg.pls_sem(holes, ITEMS, PATHS, missing="listwise")
    assert "r3" not in lw.construct_scores.index and len(lw.construct_scores) == len(data) - 2


def test_bootstrap_reimputes_missing_answers_in_every_resample(data):
    holes = data.copy()
    rng = np.random.default_rng(4)
    holes = holes.mask(rng.random(holes.shape) < 0.05)  # 5% missing, spread over items
    with pytest.warns(UserWarning, match="missing answers"):
        fit = sg.pls_sem(holes, ITEMS, PATHS)
    rows = rng.integers(0, len(holes), size=(3, len(holes)))
    out = _core.pls_bootstrap(fit._X, *fit._model.kernel_args(), rows=rows, missing_mean=True)
    for r in range(3):  # each resample = pls_sem on those rows, mean-replaced there
        with pytest.warns(UserWarning, match="missing answers"):
            again = sg.pls_sem(holes.iloc[rows[r]].reset_index(drop=True), ITEMS, PATHS)
        np.testing.assert_allclose(out["paths"][r], again.path_coef, atol=1e-10)
        np.testing.assert_allclose(out["htmt"][r], again.htmt, atol=1e-10)
    boot = fit.bootstrap(100, random_state=0)  # runs on the NaNs, all usable
    assert boot.n_valid == 100
    with pytest.raises(ValueError, match="NaN or infinity"):
        _core.pls_bootstrap(fit._X, *fit._model.kernel_args(), count=1)


def test_infinite_answers_name_the_row(data):
    with pytest.raises(ValueError, match="rows \\['r5'\\]"):
        sg.pls_sem(data.assign(a2=data["a2"].where(data.index != "r5", np.inf)), ITEMS, PATHS)


def test_undefined_htmt_is_named_not_a_silent_nan():
    n = 40
    a = np.random.default_rng(0).normal(size=(n, 3))
    data = pd.DataFrame({"x1": a[:, 0] + a[:, 1], "x2": a[:, 0] + a[:, 2]})
    data["u1"] = np.tile([1.0, -1, 1, -1], n // 4)  # exactly uncorrelated with u2
    data["u2"] = np.tile([1.0, 1, -1, -1], n // 4)
    with pytest.warns(UserWarning, match=r"constructs \['U'\] are all uncorrelated"):
        fit = sg.pls_sem(data, {"X": ["x1", "x2"], "U": ["u1", "u2"]}, [("X", "U")])
    assert np.isnan(fit.htmt.loc["X", "U"]) and fit.htmt.loc["U", "U"] == 1.0
    with pytest.warns(UserWarning, match=r"HTMT is undefined .* \[\('X', 'U'\)\]"):
        boot = fit.bootstrap(30, random_state=0)
    assert boot.htmt[["estimate", "t", "p"]].isna().all(axis=None)
    assert boot.paths.notna().all(axis=None)


def test_non_convergence_warns_with_the_iteration_count(data):
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 iterations"):
        res = sg.pls_sem(data, ITEMS, PATHS, max_iter=1)
    assert not res.converged and res.iterations == 1


def test_bad_arguments(data, fit):
    with pytest.raises(TypeError, match="DataFrame"):
        sg.pls_sem(data.to_numpy(), ITEMS, PATHS)
    with pytest.raises(ValueError, match=r"items \['zz'\] are not columns"):
        sg.pls_sem(data, {**ITEMS, "C": ["c1", "zz"]}, PATHS)
    with pytest.raises(ValueError, match=r"items \['a1'\] name more than one column"):
        sg.pls_sem(pd.concat([data, data[["a1"]]], axis=1), ITEMS, PATHS)
    with pytest.raises(ValueError, match=r"items \['b1'\] have no answers"):
        sg.pls_sem(data.assign(b1=np.nan), ITEMS, PATHS)
    with pytest.raises(ValueError, match="inner_weighting"):
        sg.pls_sem(data, ITEMS, PATHS, inner_weighting="pathh")
    with pytest.raises(ValueError, match="missing"):
        sg.pls_sem(data, ITEMS, PATHS, missing="drop")
    with pytest.raises(ValueError, match="tol"):
        sg.pls_sem(data, ITEMS, PATHS, tol=0)
    with pytest.raises(ValueError, match="mode must be 'A' or 'B'"):
        sg.pls_sem(data, {**ITEMS, "B": {"items": ["b1"], "mode": "C"}}, PATHS)
    with pytest.raises(ValueError, match="n_boot must be >= 2"):
        fit.bootstrap(1)
    with pytest.raises(ValueError, match="ci"):
        fit.bootstrap(10, ci=1.5)
    with pytest.raises(ValueError, match="method"):
        fit.bootstrap(10, method="bc")


# --------------------------------------------------------------------------
# results against plain NumPy on the returned scores and weights
# --------------------------------------------------------------------------


def test_paths_are_ols_on_the_scores_and_scores_standardized(data, fit):
    S = fit.construct_scores
    np.testing.assert_allclose(S.std(ddof=1), 1.0, atol=1e-12)
    Xs = (data - data.mean()) / data.std(ddof=1)
    np.testing.assert_allclose(S, Xs[fit.outer_weights.index] @ fit.outer_weights, atol=1e-12)
    beta, *_ = np.linalg.lstsq(S[["A", "B"]], S["C"], rcond=None)
    np.testing.assert_allclose(fit.path_coef.loc[["A", "B"], "C"], beta, atol=1e-10)
    r2 = 1 - np.sum((S["C"] - S[["A", "B"]] @ beta) ** 2) / np.sum((S["C"] - S["C"].mean()) ** 2)
    assert fit.r_squared.loc["C", "r2"] == pytest.approx(r2, abs=1e-10)
    cross = np.corrcoef(np.hstack([Xs[fit.outer_weights.index], S]), rowvar=False)[:8, 8:]
    np.testing.assert_allclose(fit.cross_loadings, cross, atol=1e-10)
    a = fit.path_coef.loc["A", "B"] * fit.path_coef.loc["B", "C"] + fit.path_coef.loc["A", "C"]
    assert fit.total_effects.loc["A", "C"] == pytest.approx(a, abs=1e-14)
    assert "Path coefficients" in fit.summary()


# --------------------------------------------------------------------------
# the bootstrap
# --------------------------------------------------------------------------


def test_bootstrap_bits_do_not_depend_on_threads_or_chunks(fit):
    one = fit.bootstrap(300, random_state=5, n_threads=1)
    two = fit.bootstrap(300, random_state=5, n_threads=2)
    bar = fit.bootstrap(300, random_state=5, n_threads=2, progress=True)
    for other in (two, bar):
        for key, arr in one.draws.items():
            assert np.array_equal(arr, other.draws[key], equal_nan=True), key
        pd.testing.assert_frame_equal(one.paths, other.paths, check_exact=True)
    again = fit.bootstrap(300, random_state=6, n_threads=2)
    assert not np.array_equal(one.draws["paths"], again.draws["paths"])


def test_progress_bar_moves_in_chunks(fit, monkeypatch):
    seen = []

    class Bar:
        def __init__(self, total, desc, unit):
            seen.append(("open", total))

        def update(self, k):
            seen.append(("update", k))

        def close(self):
            seen.append(("close", None))

    monkeypatch.setattr("segment.pls.progress_bar", Bar)
    fit.bootstrap(1000, random_state=0, progress=True)
    steps = [k for what, k in seen if what == "update"]
    assert seen[0] == ("open", 1000) and seen[-1] == ("close", None)
    assert len(steps) >= 10 and sum(steps) == 1000


def test_bootstrap_tables_against_numpy_and_scipy(fit):
    boot = fit.bootstrap(400, random_state=1, ci=0.9)
    assert boot.n_valid == 400 and boot.not_converged == 0 and boot.degenerate == 0
    draws = boot.draws["paths"][:, 0, 2]  # A -> C
    row = boot.paths.loc[("A", "C")]
    assert row["estimate"] == fit.path_coef.loc["A", "C"]
    assert row["boot_mean"] == pytest.approx(draws.mean(), rel=1e-12)
    assert row["sd"] == pytest.approx(draws.std(ddof=1), rel=1e-12)
    assert row["t"] == pytest.approx(row["estimate"] / draws.std(ddof=1), rel=1e-12)
    assert row["p"] == pytest.approx(2 * stats.t.sf(abs(row["t"]), 399), rel=1e-9, abs=1e-300)
    lo, hi = np.quantile(draws, [0.05, 0.95])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-12)
    # every table's parameters
    assert list(boot.loadings.index.get_level_values("item")) == [
        i for b in ITEMS.values() for i in b
    ]
    assert len(boot.htmt) == 3 and len(boot.total_effects) == 3
    assert boot.total_effects.loc[("A", "C"), "estimate"] == fit.total_effects.loc["A", "C"]
    assert boot.to_frame().shape[0] == 3 + 8 + 8 + 3 + 3


def test_sign_flips_are_counted_not_corrected():
    shaky = survey(60, seed=3)  # B's two items pull against each other
    noise = np.random.default_rng(0).normal(size=60)
    shaky["b1"], shaky["b2"] = noise, -noise + 0.5 * np.random.default_rng(1).normal(size=60)
    fit = sg.pls_sem(shaky, ITEMS, PATHS)
    boot = fit.bootstrap(500, random_state=0)
    L = boot.draws["loadings"]
    for name, cols in (("A", [0, 1, 2]), ("B", [3, 4]), ("C", [5, 6, 7])):
        est = fit.outer_loadings.loc[ITEMS[name], name].sum()
        by_hand = np.sum(np.sign(L[:, cols].sum(axis=1)) != np.sign(est))
        assert boot.sign_flips[name] == by_hand, name
    assert boot.sign_flips["B"] > 5


def test_bca_interval_uses_the_jackknife(fit):
    boot = fit.bootstrap(400, random_state=1, method="bca")
    d = boot.draws["paths"][:, 0, 1]  # A -> B
    est = fit.path_coef.loc["A", "B"]
    X, m = fit._X, fit._model
    n = X.shape[0]
    rows = np.array([np.delete(np.arange(n), i) for i in range(n)])
    jk = _core.pls_bootstrap(X, *m.kernel_args(), rows=rows)["paths"][:, 0, 1]
    # the textbook BCa (Efron & Tibshirani 1993, 14.3) in plain NumPy / SciPy
    z0 = stats.norm.ppf(np.mean(d < est))
    u = jk.mean() - jk
    acc = np.sum(u**3) / (6 * np.sum(u**2) ** 1.5)
    z = stats.norm.ppf([0.025, 0.975])
    q = stats.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
    row = boot.paths.loc[("A", "B")]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(np.quantile(d, q), rel=1e-9)


def test_identity_row_set_equals_the_estimate(fit):
    n = fit._X.shape[0]
    out = _core.pls_bootstrap(fit._X, *fit._model.kernel_args(), rows=np.arange(n)[None])
    np.testing.assert_allclose(out["paths"][0], fit.path_coef, atol=1e-12)
    np.testing.assert_allclose(out["htmt"][0], fit.htmt, atol=1e-12)
    np.testing.assert_allclose(out["total"][0], fit.total_effects, atol=1e-12)


def test_degenerate_resamples_are_counted_and_warned(data):
    rare = data.assign(c3=np.where(np.arange(len(data)) == 0, 5.0, 3.0))  # one answer differs
    res = sg.pls_sem(rare, ITEMS, PATHS)
    with pytest.warns(UserWarning, match=r"0 of 200 resamples did not converge .* and (\d+) "):
        boot = res.bootstrap(200, random_state=0)
    # P(row 0 not drawn) = (1 - 1/n)^n, about 37%
    assert 40 < boot.degenerate < 110 and boot.n_valid == 200 - boot.degenerate
    assert np.isnan(boot.draws["paths"][boot.draws["status"] == 2]).all()


# --------------------------------------------------------------------------
# the C glue re-checks everything (a direct call raises, never crashes)
# --------------------------------------------------------------------------


def test_core_rejects_bad_models_and_matrices(fit):
    m = fit._model
    block, mode_b, frm, to = m.kernel_args()
    R = np.corrcoef(fit._X, rowvar=False)
    with pytest.raises(ValueError, match="cycle through construct"):
        _core.pls_estimate(R, block, mode_b, np.r_[frm, 2], np.r_[to, 0])
    with pytest.raises(ValueError, match="shape"):
        _core.pls_estimate(R[:-1], block, mode_b, frm, to)
    with pytest.raises(ValueError, match="NaN"):
        _core.pls_estimate(np.where(R == 1, np.nan, R), block, mode_b, frm, to)
    with pytest.raises(ValueError, match="path_from"):
        _core.pls_estimate(R, block, mode_b, np.r_[frm, 7], np.r_[to, 0])
    with pytest.raises(TypeError, match="integers"):
        _core.pls_estimate(R, block.astype(float), mode_b, frm, to)
    with pytest.raises(ValueError, match="no items"):
        _core.pls_estimate(R, np.array([0, 3, 3, 8]), mode_b, frm, to)
    with pytest.raises(ValueError, match="scheme"):
        _core.pls_estimate(R, block, mode_b, frm, to, scheme=5)
    with pytest.raises(ValueError, match="row number is outside"):
        _core.pls_bootstrap(fit._X, block, mode_b, frm, to, rows=np.full((1, 10), 10**6))
    with pytest.raises(ValueError, match="at least 2 rows"):
        _core.pls_bootstrap(fit._X[:1], block, mode_b, frm, to, count=1)
    twin = R.copy()  # item 1 a copy of item 0, in Mode B construct 0
    twin[1, :], twin[:, 1] = R[0, :], R[:, 0]
    twin[0, 1] = twin[1, 0] = twin[1, 1] = 1.0
    degenerate = _core.pls_estimate(twin, block, np.array([1, 0, 0]), frm, to)
    assert degenerate["index"] == 0 and "Mode B" in degenerate["error"]


def test_core_takes_integer_and_strided_input_and_leaves_it_alone(fit):
    args = fit._model.kernel_args()
    X = fit._X.astype(np.int64)  # the survey's answers are whole numbers
    wide = np.zeros((X.shape[0], 2 * X.shape[1]))
    wide[:, ::2] = X
    before = wide.copy()
    a = _core.pls_bootstrap(X, *args, seed=3, count=5)
    b = _core.pls_bootstrap(wide[:, ::2], *args, seed=3, count=5)
    assert np.array_equal(wide, before)
    for key in a:
        assert np.array_equal(a[key], b[key], equal_nan=True), key
    R = np.corrcoef(fit._X, rowvar=False)
    R_before = R.copy()
    out = _core.pls_estimate(np.asfortranarray(R), *args)
    assert np.array_equal(R, R_before)
    np.testing.assert_array_equal(out["paths"], fit.path_coef.to_numpy())


def test_no_leaks_over_many_calls(fit):
    args = (fit._X, *fit._model.kernel_args())
    R = np.corrcoef(fit._X, rowvar=False)

    def calls():
        _core.pls_bootstrap(*args, count=4, seed=1)
        _core.pls_estimate(R, *fit._model.kernel_args())
        with pytest.raises(ValueError):
            _core.pls_bootstrap(*args, rows=np.full((1, 3), -1))

    for _ in range(30):
        calls()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(100):
            calls()
        gc.collect()
        first = tracemalloc.get_traced_memory()[0]
        for _ in range(100):
            calls()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - first
    finally:
        tracemalloc.stop()
    assert grown < 20_000, grown


# --------------------------------------------------------------------------
# Ctrl-C
# --------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import time, numpy as np, pandas as pd, segment as sg
    rng = np.random.default_rng(0)
    f = rng.normal(size=(4000, 1))
    X = np.hstack([f + rng.normal(size=(4000, 20)), 0.5 * f + rng.normal(size=(4000, 20))])
    data = pd.DataFrame(X, columns=[f"x{i}" for i in range(40)])
    fit = sg.pls_sem(data, {"F": list(data.columns[:20]), "G": list(data.columns[20:])},
                     [("F", "G")])
    print("ready", flush=True)
    t0 = time.perf_counter()
    try:
        fit.bootstrap(10**5, random_state=0)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - t0:.3f}", flush=True)
    boot = fit.bootstrap(20, random_state=0)
    print(f"next {boot.n_valid}", flush=True)
    """
)


def test_ctrl_c_stops_the_bootstrap_within_a_second():
    line, latency, rest, err, _ = interrupt_child(CHILD)
    assert line.startswith("interrupted"), (line, err)
    assert latency < 1.0, latency
    assert rest.strip() == "next 20", (rest, err)


def test_mobi_bootstrap_runs_clean():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mobi.csv")
    if not os.path.exists(path):
        pytest.skip(
            "../shared/data/mobi.csv is absent (the shared data sets sit beside CI's checkout only)"
        )
    mobi = pd.read_csv(path)
    mm = {
        "Image": [f"IMAG{i}" for i in range(1, 6)],
        "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
        "Quality": [f"PERQ{i}" for i in range(1, 8)],
        "Value": ["PERV1", "PERV2"],
        "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
        "Complaints": ["CUSCO"],
        "Loyalty": ["CUSL1", "CUSL2", "CUSL3"],
    }
    sm = [
        ("Image", "Expectation"),
        ("Image", "Satisfaction"),
        ("Image", "Loyalty"),
        ("Expectation", "Quality"),
        ("Expectation", "Value"),
        ("Expectation", "Satisfaction"),
        ("Quality", "Value"),
        ("Quality", "Satisfaction"),
        ("Value", "Satisfaction"),
        ("Satisfaction", "Complaints"),
        ("Satisfaction", "Loyalty"),
        ("Complaints", "Loyalty"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = sg.pls_sem(mobi, mm, sm)
        boot = res.bootstrap(500, random_state=0)
    assert boot.n_valid == 500 and len(boot.paths) == 12 and len(boot.htmt) == 21
    # single-item construct: loading and weight 1 in every resample
    cusco = res._model.items.index("CUSCO")
    np.testing.assert_allclose(boot.draws["loadings"][:, cusco], 1.0, atol=1e-14)
