"""Tests of segment.cfa (confirmatory factor analysis) and the distributions
it uses from segment._stats.

Oracles, each independent of segment's code:
* lavaan's printed output for the Holzinger-Swineford three-factor model
  (the lavaan tutorial's example), cited at each figure;
* semopy on the same data, for the CFA, a cross-loading and a latent
  regression model (its conventions noted where they differ);
* plain-NumPy formulas of the fit indices (GFI, NFI, IFI) evaluated on
  lavaan's printed estimates and statistics;
* the population model itself, for data whose covariance is exactly its
  Sigma (hypothesis), and exact-covariance samples built for Heywood cases;
* SciPy's chi-square and noncentral chi-square distributions.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import segment as sg
from segment._estimator import ConvergenceWarning
from segment._stats import chi2_sf, gammainc, ncx2_cdf, ncx2_ncp
from segment.cfa import HeywoodWarning, cfa

HS_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "HolzingerSwineford1939.csv"
HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
ITEMS = [f"x{i}" for i in range(1, 10)]

# lavaan 0.6-20, `summary(fit, fit.measures = TRUE)` of
# cfa(HS.model, data = HolzingerSwineford1939), as printed in the repository
# rempsyc/lavaanExtra, file reference/write_lavaan.md, commit
# 0ec0c54af2d57572664a72000e6f319f4068d86c ("Examples" section).
LAVAAN_FIT = {
    "chi2": 85.306,  # "Test statistic"
    "df": 24,  # "Degrees of freedom"
    "p_value": 0.000,  # "P-value (Chi-square)"
    "baseline_chi2": 918.852,  # "Model Test Baseline Model: Test statistic"
    "baseline_df": 36,
    "cfi": 0.931,  # "Comparative Fit Index (CFI)"
    "tli": 0.896,  # "Tucker-Lewis Index (TLI)"
    "loglik": -3737.745,  # "Loglikelihood user model (H0)"
    "aic": 7517.490,  # "Akaike (AIC)"
    "bic": 7595.339,  # "Bayesian (BIC)"
    "rmsea": 0.092,  # "RMSEA"
    "rmsea_ci_low": 0.071,  # "90 Percent confidence interval - lower"
    "rmsea_ci_high": 0.114,  # "90 Percent confidence interval - upper"
    "rmsea_pclose": 0.001,  # "P-value H_0: RMSEA <= 0.050"
    "srmr": 0.065,  # "SRMR"
}
# Same file: "Latent Variables", "Covariances" and "Variances" blocks
# (lhs, op, rhs): (Estimate, Std.Err, z-value); the markers are fixed at 1.
LAVAAN_EST = {
    ("visual", "=~", "x2"): (0.554, 0.100, 5.554),
    ("visual", "=~", "x3"): (0.729, 0.109, 6.685),
    ("textual", "=~", "x5"): (1.113, 0.065, 17.014),
    ("textual", "=~", "x6"): (0.926, 0.055, 16.703),
    ("speed", "=~", "x8"): (1.180, 0.165, 7.152),
    ("speed", "=~", "x9"): (1.082, 0.151, 7.155),
    ("visual", "~~", "textual"): (0.408, 0.074, 5.552),
    ("visual", "~~", "speed"): (0.262, 0.056, 4.660),
    ("textual", "~~", "speed"): (0.173, 0.049, 3.518),
    ("x1", "~~", "x1"): (0.549, 0.114, 4.833),
    ("x2", "~~", "x2"): (1.134, 0.102, 11.146),
    ("x3", "~~", "x3"): (0.844, 0.091, 9.317),
    ("x4", "~~", "x4"): (0.371, 0.048, 7.779),
    ("x5", "~~", "x5"): (0.446, 0.058, 7.642),
    ("x6", "~~", "x6"): (0.356, 0.043, 8.277),
    ("x7", "~~", "x7"): (0.799, 0.081, 9.823),
    ("x8", "~~", "x8"): (0.488, 0.074, 6.573),
    ("x9", "~~", "x9"): (0.566, 0.071, 8.003),
    ("visual", "~~", "visual"): (0.809, 0.145, 5.564),
    ("textual", "~~", "textual"): (0.979, 0.112, 8.737),
    ("speed", "~~", "speed"): (0.384, 0.086, 4.451),
}
# lavaan 0.6-19, `Std.all` column and "R-Square" block of the same model, as
# printed in rempsyc/lavaanExtra, README.md, commit
# 5724a5317956165f14c3c3b1eab32c2dda5161e8 (its cfa_fit_plot example; that run
# uses robust standard errors, so only the estimates and their standardisation
# are taken from it, which are the ML ones: Estimate 0.554, 0.729, ... as above).
LAVAAN_STD_ALL = {
    ("visual", "=~", "x1"): 0.772,
    ("visual", "=~", "x2"): 0.424,
    ("visual", "=~", "x3"): 0.581,
    ("textual", "=~", "x4"): 0.852,
    ("textual", "=~", "x5"): 0.855,
    ("textual", "=~", "x6"): 0.838,
    ("speed", "=~", "x7"): 0.570,
    ("speed", "=~", "x8"): 0.723,
    ("speed", "=~", "x9"): 0.665,
    ("visual", "~~", "textual"): 0.459,
    ("visual", "~~", "speed"): 0.471,
    ("textual", "~~", "speed"): 0.283,
    ("x1", "~~", "x1"): 0.404,
    ("x2", "~~", "x2"): 0.821,
    ("x3", "~~", "x3"): 0.662,
    ("x4", "~~", "x4"): 0.275,
    ("x5", "~~", "x5"): 0.269,
    ("x6", "~~", "x6"): 0.298,
    ("x7", "~~", "x7"): 0.676,
    ("x8", "~~", "x8"): 0.477,
    ("x9", "~~", "x9"): 0.558,
}
LAVAAN_R2 = [0.596, 0.179, 0.338, 0.725, 0.731, 0.702, 0.324, 0.523, 0.442]

PRINTED = 0.0005 + 1e-9  # a figure printed to 3 decimals


@pytest.fixture(scope="module")
def hs():
    if not HS_CSV.exists():
        pytest.skip("shared/data/HolzingerSwineford1939.csv is not beside the checkout")
    return pd.read_csv(HS_CSV)


@pytest.fixture(scope="module")
def hs_fit(hs):
    return cfa(hs, HS_MODEL)


def _row(res, lhs, op, rhs):
    est = res.estimates
    hit = est[(est["lhs"] == lhs) & (est["op"] == op) & (est["rhs"] == rhs)]
    assert len(hit) == 1, (lhs, op, rhs)
    return hit.iloc[0]


def _plain_factor_data(n=400, seed=1, loadings=(1.0, 0.8, 0.7, 1.0, 0.9, 0.6), rho=0.4):
    rng = np.random.default_rng(seed)
    f = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    x = np.repeat(f, 3, axis=1) * np.asarray(loadings) + rng.normal(size=(n, 6))
    return pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])


TWO = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}


# --------------------------------------------------------------------------
# lavaan's printed figures
# --------------------------------------------------------------------------


def test_fit_indices_equal_lavaans_printed_figures(hs_fit):
    fi = hs_fit.fit_indices
    assert hs_fit.converged and hs_fit.n_obs == 301 and hs_fit.n_omitted == 0
    assert fi["df"] == LAVAAN_FIT["df"] and fi["baseline_df"] == LAVAAN_FIT["baseline_df"]
    for key, printed in LAVAAN_FIT.items():
        assert abs(fi[key] - printed) <= PRINTED, (key, fi[key], printed)
    assert fi["nnfi"] == fi["tli"]


def test_estimates_and_standard_errors_equal_lavaans(hs_fit):
    for key, (est, se, z) in LAVAAN_EST.items():
        row = _row(hs_fit, *key)
        assert abs(row["estimate"] - est) <= PRINTED, (key, row["estimate"], est)
        assert abs(row["se"] - se) <= PRINTED, (key, row["se"], se)
        assert abs(row["z"] - z) <= PRINTED, (key, row["z"], z)
        assert row["p_value"] < 0.0005  # lavaan prints 0.000 for every one
    for factor, items in HS_MODEL.items():  # the markers: fixed, not estimated
        row = _row(hs_fit, factor, "=~", items[0])
        assert row["estimate"] == 1.0 and not row["free"] and np.isnan(row["se"])


def test_attributes_equal_lavaans(hs_fit):
    lam = hs_fit.loadings
    assert lam.loc["x2", "visual"] == pytest.approx(0.554, abs=PRINTED)
    assert lam.loc["x2", "textual"] == 0.0 and lam.loc["x4", "textual"] == 1.0
    assert hs_fit.factor_cov.loc["textual", "speed"] == pytest.approx(0.173, abs=PRINTED)
    assert hs_fit.factor_cov.loc["speed", "speed"] == pytest.approx(0.384, abs=PRINTED)
    for i, item in enumerate(ITEMS):
        theta = LAVAAN_EST[(item, "~~", item)][0]
        assert abs(hs_fit.residual_var[item] - theta) <= PRINTED
        assert abs(hs_fit.r_squared[item] - LAVAAN_R2[i]) <= PRINTED
    for (lhs, op, rhs), std in LAVAAN_STD_ALL.items():
        row = _row(hs_fit, lhs, op, rhs)
        assert abs(row["std_all"] - std) <= PRINTED, (lhs, op, rhs, row["std_all"], std)
        if op == "=~":
            assert hs_fit.std_loadings.loc[rhs, lhs] == row["std_all"]
    assert hs_fit.paths.empty


def test_gfi_nfi_ifi_equal_their_formulas_on_lavaans_figures(hs, hs_fit):
    """lavaan's summary prints no GFI, NFI or IFI: evaluate their textbook
    formulas on its printed estimates (GFI, Joreskog and Sorbom) and its
    printed chi-squares (NFI, Bentler and Bonett 1980; IFI, Bollen 1989)."""
    lam = np.zeros((9, 3))
    lam[[0, 1, 2], 0] = [1.0, 0.554, 0.729]
    lam[[3, 4, 5], 1] = [1.0, 1.113, 0.926]
    lam[[6, 7, 8], 2] = [1.0, 1.180, 1.082]
    phi = np.array([[0.809, 0.408, 0.262], [0.408, 0.979, 0.173], [0.262, 0.173, 0.384]])
    theta = np.diag([LAVAAN_EST[(i, "~~", i)][0] for i in ITEMS])
    sigma = lam @ phi @ lam.T + theta
    s = np.cov(hs[ITEMS].to_numpy().T, bias=True)
    m = np.linalg.solve(sigma, s)
    gfi = 1 - np.trace((m - np.eye(9)) @ (m - np.eye(9))) / np.trace(m @ m)
    agfi = 1 - 9 * 10 / (2 * 24) * (1 - gfi)
    fi = hs_fit.fit_indices
    assert fi["gfi"] == pytest.approx(gfi, abs=1e-4)
    assert fi["agfi"] == pytest.approx(agfi, abs=2e-4)
    c, cb, df = LAVAAN_FIT["chi2"], LAVAAN_FIT["baseline_chi2"], LAVAAN_FIT["df"]
    assert fi["nfi"] == pytest.approx((cb - c) / cb, abs=1e-5)
    assert fi["ifi"] == pytest.approx((cb - c) / (cb - df), abs=1e-5)
    np.testing.assert_allclose(hs_fit.implied_cov.to_numpy(), sigma, atol=2e-3)
    np.testing.assert_allclose(hs_fit.sample_cov.to_numpy(), s, rtol=1e-12)


def test_fit_table_mirrors_paper_a_table_7(hs_fit):
    t = hs_fit.fit_table()
    assert list(t.columns) == ["criterion", "threshold", "value", "verdict"]
    assert list(t["criterion"]) == [
        "chi2/df", "RMSEA", "GFI", "AGFI", "CFI", "IFI", "NFI", "NNFI", "R²",
    ]  # fmt: skip
    assert list(t["threshold"]) == ["< 3", "< 0.08"] + ["> 0.9"] * 6 + ["> 0.67"]
    v = dict(zip(t["criterion"], t["verdict"], strict=True))
    # chi2/df = 85.306 / 24 = 3.55, RMSEA 0.092, AGFI 0.894, NNFI 0.896: poor;
    # GFI 0.943, CFI 0.931, IFI 0.931, NFI 0.907: good
    assert [v[k] for k in ("chi2/df", "RMSEA", "AGFI", "NNFI")] == ["poor fit"] * 4
    assert [v[k] for k in ("GFI", "CFI", "IFI", "NFI")] == ["good fit"] * 4
    assert v["R²"].startswith("n/a") and np.isnan(t["value"].iloc[-1])
    assert t["value"].iloc[0] == pytest.approx(85.306 / 24, abs=1e-4)


# --------------------------------------------------------------------------
# semopy on the same data
# --------------------------------------------------------------------------


def _semopy(data, desc):
    import semopy

    model = semopy.Model(desc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # L-BFGS-B gets closer to the optimum than semopy's default SLSQP
        model.fit(data, solver="L-BFGS-B")
        stats = semopy.calc_stats(model).T["Value"]
    return model, model.inspect(), stats


def _semopy_estimate(table, lval, op, rval):
    hit = table[(table["lval"] == lval) & (table["op"] == op) & (table["rval"] == rval)]
    if hit.empty and op == "~~":
        hit = table[(table["lval"] == rval) & (table["op"] == op) & (table["rval"] == lval)]
    assert len(hit) == 1, (lval, op, rval)
    return float(hit["Estimate"].iloc[0])


def _compare_with_semopy(res, table, stats, n):
    """semopy writes a loading as `item ~ factor` and a regression as
    `to ~ from`; its chi2 is N F as lavaan's, its RMSEA uses N - 1, and its
    "GFI" is 1 - chi2 / chi2_baseline (semopy/stats.py, calc_gfi), which is
    Bentler and Bonett's NFI; its AGFI adjusts that. Estimates agree to the
    optimiser's tolerance, and our minimum is never above semopy's."""
    for row in res.estimates.itertuples():
        if row.op == "=~":
            theirs = _semopy_estimate(table, row.rhs, "~", row.lhs)
        elif row.op == "~":
            theirs = _semopy_estimate(table, row.lhs, "~", row.rhs)
        else:
            theirs = _semopy_estimate(table, row.lhs, "~~", row.rhs)
        assert row.estimate == pytest.approx(theirs, abs=2e-3), (row.lhs, row.op, row.rhs)
    fi = res.fit_indices
    assert fi["df"] == stats["DoF"] and fi["baseline_df"] == stats["DoF Baseline"]
    assert fi["chi2"] <= stats["chi2"] + 1e-9
    assert fi["chi2"] == pytest.approx(stats["chi2"], rel=1e-5)
    # semopy fits its baseline numerically too
    assert fi["baseline_chi2"] == pytest.approx(stats["chi2 Baseline"], rel=1e-6)
    for ours, theirs in (("cfi", "CFI"), ("tli", "TLI"), ("nfi", "NFI"), ("nfi", "GFI")):
        assert fi[ours] == pytest.approx(stats[theirs], abs=1e-5), ours
    rmsea_n1 = math.sqrt(max(fi["chi2"] - fi["df"], 0) / (fi["df"] * (n - 1)))
    assert rmsea_n1 == pytest.approx(stats["RMSEA"], abs=1e-5)
    assert fi["p_value"] == pytest.approx(stats["chi2 p-value"], rel=1e-4)


def test_three_factor_model_equals_semopy(hs, hs_fit):
    desc = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    _, table, stats = _semopy(hs, desc)
    _compare_with_semopy(hs_fit, table, stats, 301)


def test_cross_loading_equals_semopy(hs):
    """An item on two factors (x9 on visual and speed, the tutorial's usual
    modification) is a free loading on both."""
    model = dict(HS_MODEL, visual=["x1", "x2", "x3", "x9"])
    res = cfa(hs, model)
    assert res.loadings.loc["x9", "visual"] != 0 and res.loadings.loc["x9", "speed"] != 0
    desc = "visual =~ x1 + x2 + x3 + x9\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    _, table, stats = _semopy(hs, desc)
    _compare_with_semopy(res, table, stats, 301)
    assert res.fit_indices["df"] == 23


def test_latent_regressions_equal_semopy(hs):
    structural = [("visual", "textual"), ("visual", "speed")]
    res = cfa(hs, HS_MODEL, structural=structural)
    desc = (
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
        "textual ~ visual\nspeed ~ visual"
    )
    _, table, stats = _semopy(hs, desc)
    _compare_with_semopy(res, table, stats, 301)
    assert list(res.paths["from"]) == ["visual", "visual"]
    assert list(res.paths["to"]) == ["textual", "speed"]
    # R^2 of an endogenous factor: 1 - disturbance variance / implied variance
    b = res.paths.set_index("to")["estimate"]
    phi_v = res.factor_cov.loc["visual", "visual"]
    for f in ("textual", "speed"):
        expl = b[f] ** 2 * phi_v
        assert res.r_squared[f] == pytest.approx(expl / res.factor_cov.loc[f, f], rel=1e-10)
    t = res.fit_table()
    assert list(t["criterion"])[-2:] == ["R² (textual)", "R² (speed)"]
    assert list(t["verdict"])[-2:] == ["poor fit", "poor fit"]  # 0.22 and 0.24 < 0.67


def test_saturated_structural_part_reproduces_the_cfa(hs, hs_fit):
    """Regressions that use up every factor covariance are the same model as
    the CFA: same chi2, same implied factor covariances."""
    structural = [("visual", "textual"), ("visual", "speed"), ("textual", "speed")]
    res = cfa(hs, HS_MODEL, structural=structural)
    assert res.fit_indices["chi2"] == pytest.approx(hs_fit.fit_indices["chi2"], rel=1e-8)
    assert res.fit_indices["df"] == hs_fit.fit_indices["df"]
    np.testing.assert_allclose(res.factor_cov, hs_fit.factor_cov, rtol=1e-6)


# --------------------------------------------------------------------------
# chi-square distributions (segment._stats) against SciPy
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, df, nc",
    [(85.306, 24, 0.0), (85.306, 24, 30.0), (85.306, 24, 61.3), (10.0, 3, 0.5),
     (1000.0, 24, 900.0), (0.5, 1, 0.01), (3.0, 50, 100.0), (1e-3, 24, 0.5), (200.0, 2, 1e-8)],
)  # fmt: skip
def test_noncentral_chi2_equals_scipy(x, df, nc):
    from scipy import stats

    ref = stats.ncx2.cdf(x, df, nc) if nc > 0 else stats.chi2.cdf(x, df)
    assert ncx2_cdf(x, df, nc) == pytest.approx(ref, rel=1e-9, abs=1e-15)
    assert chi2_sf(x, df) == pytest.approx(stats.chi2.sf(x, df), rel=1e-10, abs=1e-300)
    p, q = gammainc(df / 2, x / 2)
    assert p == pytest.approx(stats.gamma.cdf(x / 2, df / 2), rel=1e-10, abs=1e-300)
    assert p + q == pytest.approx(1.0, abs=1e-15)


def test_noncentrality_root_equals_scipy():
    from scipy import optimize, stats

    for q in (0.95, 0.05, 0.5):
        ours = ncx2_ncp(85.306, 24, q)
        ref = optimize.brentq(lambda nc, q=q: stats.ncx2.cdf(85.306, 24, nc) - q, 1e-9, 500)
        assert ours == pytest.approx(ref, rel=1e-8)
    assert ncx2_ncp(10.0, 24, 0.95) == 0.0  # the cdf at nc = 0 is already below 0.95


# --------------------------------------------------------------------------
# behaviour on simulated data
# --------------------------------------------------------------------------


def test_recovers_the_population_model_and_leaves_data_alone():
    data = _plain_factor_data(n=20_000, seed=3)
    before = data.copy()
    res = cfa(data, TWO)
    pd.testing.assert_frame_equal(data, before)
    np.testing.assert_allclose(
        res.loadings.to_numpy()[[1, 2, 4, 5], [0, 0, 1, 1]], [0.8, 0.7, 0.9, 0.6], atol=0.05
    )
    assert res.factor_cov.loc["A", "B"] == pytest.approx(0.4, abs=0.05)
    np.testing.assert_allclose(res.residual_var, 1.0, atol=0.08)
    assert res.fit_indices["rmsea"] < 0.02 and res.fit_indices["cfi"] > 0.99


@pytest.mark.parametrize("scale", [1e-6, 1e-3, 7.0, 1e4, 1e8])
def test_units_of_an_item_change_only_its_unstandardised_parameters(scale):
    """ML is scale-free: a marker (a1) or another item (b2) in other units
    leaves F, the fit indices and the standardised solution as they were, and
    rescales the loadings and variances as x' = c x implies."""
    data = _plain_factor_data()
    ref = cfa(data, TWO)
    res = cfa(data.assign(a1=data["a1"] * scale, b2=data["b2"] * scale), TWO)
    assert res.converged
    keys = ["chi2", "cfi", "tli", "rmsea", "gfi", "srmr", "rmsea_ci_high"]
    pd.testing.assert_series_equal(res.fit_indices[keys], ref.fit_indices[keys], rtol=1e-7)
    pd.testing.assert_frame_equal(res.std_loadings, ref.std_loadings, rtol=1e-7)
    assert res.fit_indices["loglik"] == pytest.approx(
        ref.fit_indices["loglik"] - 2 * 400 * math.log(scale), rel=1e-9
    )
    lam, lam0 = res.loadings, ref.loadings
    assert lam.loc["a2", "A"] == pytest.approx(lam0.loc["a2", "A"] / scale, rel=1e-6)
    assert lam.loc["b2", "B"] == pytest.approx(lam0.loc["b2", "B"] * scale, rel=1e-6)
    assert res.factor_cov.loc["A", "A"] == pytest.approx(
        ref.factor_cov.loc["A", "A"] * scale**2, rel=1e-6
    )
    assert res.residual_var["b2"] == pytest.approx(ref.residual_var["b2"] * scale**2, rel=1e-6)
    z = res.estimates["z"].to_numpy()
    np.testing.assert_allclose(np.abs(z), np.abs(ref.estimates["z"].to_numpy()), rtol=1e-6)


@given(
    lam=st.lists(st.floats(0.3, 1.6), min_size=4, max_size=4),
    theta=st.lists(st.floats(0.2, 1.5), min_size=6, max_size=6),
    var_a=st.floats(0.3, 3.0),
    var_b=st.floats(0.3, 3.0),
    path=st.floats(-1.0, 1.0),
)
def test_exact_population_covariance_gives_the_population_parameters(
    lam, theta, var_a, var_b, path
):
    """Data whose covariance is exactly a model's Sigma (a regression B on A)
    give back that model's parameters, chi2 = 0 and a perfect fit."""
    lam_m = np.zeros((6, 2))
    lam_m[:3, 0] = [1.0, lam[0], lam[1]]
    lam_m[3:, 1] = [1.0, lam[2], lam[3]]
    phi = np.array([[var_a, path * var_a], [path * var_a, path**2 * var_a + var_b]])
    sigma = lam_m @ phi @ lam_m.T + np.diag(theta)
    data = _exact_sample(sigma, ["a1", "a2", "a3", "b1", "b2", "b3"])
    res = cfa(data, TWO, structural=[("A", "B")])
    assert res.converged
    np.testing.assert_allclose(res.loadings.to_numpy(), lam_m, atol=1e-6)
    np.testing.assert_allclose(res.residual_var.to_numpy(), theta, atol=1e-6)
    np.testing.assert_allclose(res.factor_cov.to_numpy(), phi, atol=1e-6)
    assert res.paths["estimate"].iloc[0] == pytest.approx(path, abs=1e-6)
    fi = res.fit_indices
    assert fi["chi2"] == pytest.approx(0, abs=1e-6) and fi["rmsea"] == 0 and fi["cfi"] == 1
    assert res.r_squared["B"] == pytest.approx(path**2 * var_a / phi[1, 1], abs=1e-6)


def test_column_order_and_extra_columns_do_not_matter():
    data = _plain_factor_data()
    ref = cfa(data, TWO)
    shuffled = data[["b3", "a2", "b1", "a1", "a3", "b2"]].assign(note="text", id=range(400))
    res = cfa(shuffled, TWO)
    pd.testing.assert_frame_equal(res.estimates, ref.estimates, rtol=1e-8)


def test_missing_answers_are_dropped_listwise_and_counted():
    data = _plain_factor_data()
    holed = data.copy()
    holed.iloc[[3, 17, 17], [0, 1, 4]] = np.nan
    res = cfa(holed, TWO)
    assert res.n_omitted == 2 and res.n_obs == 398
    ref = cfa(data.drop(index=[3, 17]), TWO)
    pd.testing.assert_frame_equal(res.estimates, ref.estimates)
    with pytest.raises(ValueError, match=r"missing answers in 2 rows \[3, 17\]"):
        cfa(holed, TWO, missing="raise")


def test_saturated_model_reports_lavaans_conventions():
    res = cfa(_plain_factor_data(), {"A": ["a1", "a2", "a3"]})
    fi = res.fit_indices
    assert fi["df"] == 0 and fi["chi2"] == pytest.approx(0, abs=1e-8)
    assert fi["rmsea"] == 0 and fi["cfi"] == 1 and fi["tli"] == 1
    assert np.isnan(fi["chi2_df"]) and np.isnan(fi["agfi"])
    assert res.fit_table().set_index("criterion").loc["AGFI", "verdict"] == "n/a"


# --------------------------------------------------------------------------
# bad input: clear errors and warnings
# --------------------------------------------------------------------------


def test_unknown_indicator_is_named():
    with pytest.raises(ValueError, match=r"factor 'B' names indicator 'b9'.*not a column"):
        cfa(_plain_factor_data(), {"A": ["a1", "a2", "a3"], "B": ["b1", "b9"]})


def test_factor_with_one_indicator_is_not_identified():
    with pytest.raises(ValueError, match=r"factor 'B' has one indicator \('b1'\).*not identified"):
        cfa(_plain_factor_data(), {"A": ["a1", "a2", "a3"], "B": ["b1"]})


def test_factor_without_indicators_and_repeated_indicator():
    with pytest.raises(ValueError, match="factor 'B' has no indicators"):
        cfa(_plain_factor_data(), {"A": ["a1", "a2", "a3"], "B": []})
    with pytest.raises(ValueError, match="factor 'A' lists indicator 'a2' twice"):
        cfa(_plain_factor_data(), {"A": ["a1", "a2", "a2"]})
    with pytest.raises(ValueError, match="factor 'a1' has the name of an indicator"):
        cfa(_plain_factor_data(), {"a1": ["a1", "a2", "a3"]})
    doubled = pd.concat([_plain_factor_data(), _plain_factor_data()[["a2"]]], axis=1)
    with pytest.raises(ValueError, match="several columns named 'a2'"):
        cfa(doubled, TWO)


def test_more_parameters_than_moments_is_not_identified():
    with pytest.raises(ValueError, match=r"not identified: 4 free parameters but only 3"):
        cfa(_plain_factor_data(), {"A": ["a1", "a2"]})


def test_non_numeric_column_is_named():
    data = _plain_factor_data().assign(a2=lambda d: d["a2"].map("{:.2f}".format))
    with pytest.raises(TypeError, match=r"non-numeric columns \['a2'\]"):
        cfa(data, TWO)


def test_constant_column_is_named():
    data = _plain_factor_data().assign(b2=3.0)
    with pytest.raises(ValueError, match=r"items \['b2'\] are constant"):
        cfa(data, TWO)


def test_fewer_respondents_than_parameters():
    data = _plain_factor_data().iloc[:12]  # 13 free parameters
    with pytest.raises(ValueError, match="12 respondents.*13 free parameters"):
        cfa(data, TWO)


def test_extreme_magnitudes():
    """Answers near 1e-150 or 1e150 fit as the data itself; variances beyond
    float64 (answers near 1e-300 or 1e300) are refused, naming the items."""
    data = _plain_factor_data()
    ref = cfa(data, TWO)
    for scale in (1e-150, 1e150):
        res = cfa(data * scale, TWO)
        pd.testing.assert_frame_equal(res.std_loadings, ref.std_loadings, rtol=1e-8)
        assert res.fit_indices["chi2"] == pytest.approx(ref.fit_indices["chi2"], rel=1e-8)
    for scale in (1e-300, 1e300):
        with pytest.raises(ValueError, match=r"variances of items \['a1', .*beyond float64"):
            cfa(data * scale, TWO)
    edge = data.assign(a1=np.where(data["a1"] > 0, 1.7e308, -1.7e308))
    with pytest.raises(ValueError, match=r"items \['a1'\] have values too large"):
        cfa(edge, TWO)
    with pytest.raises(ValueError, match=r"items \['b2'\] have no answers"):
        cfa(data.assign(b2=np.nan), TWO)


def test_singular_covariance_names_the_dependent_items():
    data = _plain_factor_data().assign(b3=lambda d: d["a1"] + d["b1"])
    with pytest.raises(ValueError, match=r"singular: items \['a1', 'b1', 'b3'\]"):
        cfa(data, TWO)


def test_non_convergence_warns_with_the_iteration_count():
    with pytest.warns(ConvergenceWarning, match="did not converge after 2 iterations"):
        res = cfa(_plain_factor_data(), TWO, max_iter=2)
    assert not res.converged and res.iterations == 2


def _exact_sample(r, columns, n=500, seed=5):
    """n rows whose covariance (divisor n) is exactly r."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(columns)))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True))).T
    return pd.DataFrame(z @ np.linalg.cholesky(r).T, columns=columns)


def test_heywood_case_warns_naming_the_item():
    """Correlations r12 = r13 = 0.8, r23 = 0.5 give x1 a communality of
    r12 r13 / r23 = 1.28 in a one-factor model: residual variance -0.28."""
    r = np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1]])
    data = _exact_sample(r, ["q1", "q2", "q3"])
    with pytest.warns(HeywoodWarning, match=r"negative residual variance of items \['q1'\]"):
        res = cfa(data, {"F": ["q1", "q2", "q3"]})
    assert res.residual_var["q1"] == pytest.approx(1 - 1.28, abs=1e-8)
    assert res.loadings.loc["q2", "F"] == pytest.approx(0.8 / 1.28, abs=1e-8)


def test_negative_factor_variance_warns_naming_the_factor():
    """r12 = r13 = 0.5, r23 = -0.3: the one-factor solution has factor
    variance r12 r13 / r23 = -0.833."""
    r = np.array([[1, 0.5, 0.5], [0.5, 1, -0.3], [0.5, -0.3, 1]])
    with pytest.warns(HeywoodWarning, match=r"negative \(residual\) variance of factors \['F'\]"):
        res = cfa(_exact_sample(r, ["q1", "q2", "q3"]), {"F": ["q1", "q2", "q3"]})
    assert res.factor_cov.loc["F", "F"] == pytest.approx(-0.5 * 0.5 / 0.3, abs=1e-8)


def test_empirical_underidentification_warns_and_gives_nan_standard_errors():
    """Two factors of two items each, uncorrelated in the sample: each
    factor's loading and variance cannot be told apart."""
    r = np.array([[1, 0.5, 0, 0], [0.5, 1, 0, 0], [0, 0, 1, 0.4], [0, 0, 0.4, 1]])
    data = _exact_sample(r, ["a1", "a2", "b1", "b2"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = cfa(data, {"A": ["a1", "a2"], "B": ["b1", "b2"]})
    # the estimates are one of many equivalent ones (some with a Heywood case)
    singular = [w for w in caught if "information matrix is singular" in str(w.message)]
    assert len(singular) == 1 and singular[0].category is HeywoodWarning
    assert res.estimates.loc[res.estimates["free"], "se"].isna().all()


def test_factor_and_item_order_do_not_change_the_fit(hs, hs_fit):
    """The same model written in another order (factors reversed, the
    non-marker items swapped) is the same model."""
    model = {
        "speed": ["x7", "x9", "x8"],
        "textual": ["x4", "x6", "x5"],
        "visual": ["x1", "x3", "x2"],
    }
    res = cfa(hs, model)
    assert res.fit_indices["chi2"] == pytest.approx(hs_fit.fit_indices["chi2"], rel=1e-10)

    def table(est):  # a covariance may be written either way round
        pair = est[["lhs", "rhs"]].to_numpy()
        cov = (est["op"] == "~~").to_numpy()
        est = est.assign(
            lhs=np.where(cov, pair.min(axis=1), pair[:, 0]),
            rhs=np.where(cov, pair.max(axis=1), pair[:, 1]),
        )
        return est.set_index(["lhs", "op", "rhs"]).sort_index()

    pd.testing.assert_frame_equal(table(res.estimates), table(hs_fit.estimates), rtol=1e-6)


def test_bad_structural_paths():
    data = _plain_factor_data()
    with pytest.raises(ValueError, match="names 'C', which is not a factor"):
        cfa(data, TWO, structural=[("A", "C")])
    with pytest.raises(ValueError, match="regresses a factor on itself"):
        cfa(data, TWO, structural=[("A", "A")])
    with pytest.raises(ValueError, match=r"cycle among factors \['A', 'B'\]"):
        cfa(data, TWO, structural=[("A", "B"), ("B", "A")])
    with pytest.raises(ValueError, match="listed twice"):
        cfa(data, TWO, structural=[("A", "B"), ("A", "B")])
    with pytest.raises(TypeError, match=r"\(from, to\) pair"):
        cfa(data, TWO, structural=[("A", "B", "C")])


def test_bad_arguments():
    data = _plain_factor_data()
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        cfa(data.to_numpy(), TWO)
    with pytest.raises(TypeError, match="model must be a non-empty dict"):
        cfa(data, [("A", ["a1", "a2", "a3"])])
    with pytest.raises(TypeError, match=r"model\['A'\] must be a list"):
        cfa(data, {"A": "a1 a2 a3"})
    with pytest.raises(ValueError, match="estimator must be 'ml'"):
        cfa(data, TWO, estimator="gls")
    with pytest.raises(ValueError, match="missing must be"):
        cfa(data, TWO, missing="pairwise")
    with pytest.raises(ValueError, match="max_iter must be a positive integer"):
        cfa(data, TWO, max_iter=0)
    with pytest.raises(ValueError, match="infinite values in rows \\[4\\]"):
        cfa(data.assign(a1=lambda d: d["a1"].where(d.index != 4, np.inf)), TWO)


def test_exported():
    assert sg.cfa is cfa and sg.CfaResult is type(cfa(_plain_factor_data(), TWO))
    assert "cfa" in sg.__all__ and "CfaResult" in sg.__all__ and "HeywoodWarning" in sg.__all__
