"""segment.efa against factor_analyzer on the bfi items, and its bad-input errors.

factor_analyzer 0.5.1 calls scikit-learn's check_array with ``force_all_finite``,
which scikit-learn 1.8 removed (renamed ``ensure_all_finite`` in 1.6); the
``fa`` fixture renames the keyword (the smallest fix, local to these tests).
factor_analyzer's rotations stop at tol=1e-5, so the rotated references run
with ``rotation_kwargs={"tol": 1e-12}``; its minres/ML optimiser is SciPy's
L-BFGS-B, whose default stopping leaves about 1e-6 in the loadings: the
tolerances below (1e-5) say so. Oblimin stops, as GPArotation does, on the
projected gradient (1e-6 here, GPArotation's default 1e-5), which leaves about
2e-6 in the quartimin loadings.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segment import ConvergenceWarning, EfaResult, HeywoodWarning, bartlett_sphericity, efa, kmo

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "psych_bfi.csv"
ITEMS = [f"{t}{i}" for t in "ACENO" for i in range(1, 6)]


@pytest.fixture(scope="module")
def bfi():
    if not DATA.exists():
        pytest.skip("shared/data/psych_bfi.csv is not beside the checkout")
    return pd.read_csv(DATA, index_col=0)[ITEMS].dropna()


@pytest.fixture(scope="module")
def fa():
    pytest.importorskip("sklearn")
    fam = pytest.importorskip("factor_analyzer.factor_analyzer")
    from sklearn.utils import check_array

    def patched(X, force_all_finite=True, **kw):
        return check_array(X, ensure_all_finite=force_all_finite, **kw)

    with pytest.MonkeyPatch.context() as mp:  # undone after this module
        mp.setattr(fam, "check_array", patched)
        yield fam


def matched(ours, ref):
    """ref's columns reordered and signed to match ours (by correlation of loadings)."""
    k = ours.shape[1]
    c = np.corrcoef(ours.T, ref.T)[:k, k:]
    idx = np.argmax(np.abs(c), axis=1)
    assert sorted(idx) == list(range(k)), "factors do not pair one to one"
    signs = np.sign(c[np.arange(k), idx])
    return ref[:, idx] * signs, idx, signs


def reference(fa, x, method, rotation, **kw):
    model = fa.FactorAnalyzer(
        5,
        method=method,
        rotation=rotation,
        svd_method="lapack",
        rotation_kwargs={"tol": 1e-12, "max_iter": 3000} if rotation else {},
        **kw,
    )
    model.fit(x.to_numpy())
    return model


@pytest.mark.parametrize(
    "method, rotation",
    [
        ("minres", None),
        ("minres", "varimax"),
        ("minres", "promax"),
        ("minres", "oblimin"),
        ("ml", None),
        ("ml", "varimax"),
        ("ml", "promax"),
    ],
)
def test_loadings_equal_factor_analyzer(bfi, fa, method, rotation):
    ref = reference(fa, bfi, method, rotation)
    res = efa(bfi, 5, method=method, rotation=rotation)
    assert isinstance(res, EfaResult) and res.converged
    assert list(res.loadings.index) == ITEMS
    lam, idx, signs = matched(res.loadings.to_numpy(), ref.loadings_)
    np.testing.assert_allclose(res.loadings.to_numpy(), lam, atol=1e-5)
    if rotation in (None, "varimax"):  # factor_analyzer's h2 are of the pattern otherwise
        np.testing.assert_allclose(res.communalities, ref.get_communalities(), atol=1e-5)
        np.testing.assert_allclose(res.uniquenesses, ref.get_uniquenesses(), atol=1e-5)
    if rotation in ("promax", "oblimin"):
        # factor_analyzer sorts the loadings' and the structure's columns, not
        # phi's: compare the structure matrix L phi, which pins phi down.
        structure = res.loadings.to_numpy() @ res.phi.to_numpy()
        np.testing.assert_allclose(structure, ref.structure_[:, idx] * signs, atol=1e-5)
        np.testing.assert_allclose(np.diag(res.phi), 1.0, atol=1e-12)
    else:
        assert res.phi is None
    ss = np.sum(lam**2, axis=0)
    np.testing.assert_allclose(res.variance.loc["SS loadings"], ss, atol=1e-4)
    np.testing.assert_allclose(res.variance.loc["cumulative"].iloc[-1], ss.sum() / 25, atol=1e-5)


def test_median_imputation_equals_factor_analyzer_default(fa):
    # factor_analyzer fills missing answers with the item median by default.
    if not DATA.exists():
        pytest.skip("shared/data/psych_bfi.csv is not beside the checkout")
    raw = pd.read_csv(DATA, index_col=0)[ITEMS]
    ref = fa.FactorAnalyzer(5, rotation=None, svd_method="lapack").fit(raw.to_numpy())
    res = efa(raw, 5, rotation=None, missing="median")
    assert res.n_obs == 2800 and res.n_incomplete == 364
    lam, _, _ = matched(res.loadings.to_numpy(), ref.loadings_)
    np.testing.assert_allclose(res.loadings.to_numpy(), lam, atol=1e-5)


def test_one_factor_is_not_rotated(bfi, fa):
    ref = fa.FactorAnalyzer(1, rotation=None, svd_method="lapack").fit(bfi[ITEMS[15:20]].to_numpy())
    res = efa(bfi[ITEMS[15:20]], 1, rotation="promax")
    assert res.rotation is None and res.phi is None
    np.testing.assert_allclose(res.loadings["F1"], np.abs(ref.loadings_[:, 0]), atol=1e-5)


def test_principal_equals_factor_analyzer(bfi, fa):
    # With svd_method="lapack" factor_analyzer keeps all 25 components
    # (its n_factors is ignored there): its first five are the reference.
    ref = reference(fa, bfi, "principal", None).loadings_[:, :5]
    res = efa(bfi, 5, method="principal", rotation=None)
    lam, _, _ = matched(res.loadings.to_numpy(), ref)
    np.testing.assert_allclose(res.loadings.to_numpy(), lam, atol=1e-10)


def test_varimax_equals_scikit_learn_on_normalized_rows(bfi):
    # An independent reference: scikit-learn's varimax (no Kaiser normalisation)
    # applied to rows scaled to unit length, scaled back.
    from sklearn.decomposition._factor_analysis import _ortho_rotation

    unrot = efa(bfi, 5, rotation=None).loadings.to_numpy()
    h = np.sqrt(np.sum(unrot**2, axis=1))[:, None]
    ref = _ortho_rotation(unrot / h, method="varimax", tol=1e-12, max_iter=10000).T * h
    ours = efa(bfi, 5, rotation="varimax").loadings.to_numpy()
    lam, _, _ = matched(ours, ref)
    np.testing.assert_allclose(ours, lam, atol=1e-6)


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_oblimin_equals_statsmodels(bfi, gamma):
    # An independent reference: statsmodels' port of GPArotation's oblimin
    # (factor_analyzer's gamma != 0 branch is not the oblimin criterion).
    rotate_factors = pytest.importorskip("statsmodels.multivariate.factor_rotation").rotate_factors
    unrot = efa(bfi, 5, rotation=None).loadings.to_numpy()
    ref, t = rotate_factors(unrot, "oblimin", gamma, "oblique", max_tries=3000, tol=1e-9)
    res = efa(bfi, 5, rotation="oblimin", gamma=gamma)
    lam, idx, signs = matched(res.loadings.to_numpy(), ref)
    np.testing.assert_allclose(res.loadings.to_numpy(), lam, atol=1e-5)
    phi = (t.T @ t)[np.ix_(idx, idx)] * np.outer(signs, signs)
    np.testing.assert_allclose(res.phi.to_numpy(), phi, atol=1e-5)


def test_kmo_and_bartlett_equal_factor_analyzer(bfi, fa):
    per_item, overall = fa.calculate_kmo(bfi.to_numpy())
    ours, ours_items = kmo(bfi)
    assert ours == pytest.approx(overall, abs=1e-12)
    np.testing.assert_allclose(ours_items.to_numpy(), per_item, atol=1e-12)
    assert list(ours_items.index) == ITEMS
    chi2, p = fa.calculate_bartlett_sphericity(bfi.to_numpy())
    res = bartlett_sphericity(bfi)
    assert res.chi2 == pytest.approx(chi2, rel=1e-12)
    assert res.df == 300 and res.p_value == pytest.approx(p, abs=1e-300)
    r = efa(bfi, 5)
    assert r.kmo == pytest.approx(overall, abs=1e-12) and r.bartlett == res


def test_bartlett_equals_psych_published_example():
    # psych's reference page for cortest.bartlett
    # (https://personality-project.github.io/psych/reference/cortest.bartlett.html)
    # prints, for cortest.bartlett(bfi[1:200, 1:10]) (pairwise correlations,
    # n = 200 rows): chisq 457.457, p.value 1.136106e-69, df 45.
    if not DATA.exists():
        pytest.skip("shared/data/psych_bfi.csv is not beside the checkout")
    x = pd.read_csv(DATA, index_col=0).iloc[:200, :10]
    res = bartlett_sphericity(x, missing="pairwise")
    assert res.chi2 == pytest.approx(457.457, abs=5e-4)
    assert res.p_value == pytest.approx(1.136106e-69, rel=1e-6)
    assert res.df == 45


def test_bartlett_p_value_equals_scipy():
    from scipy.stats import chi2

    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 4)) + 0.3 * rng.normal(size=(60, 1))
    res = bartlett_sphericity(x)
    assert res.p_value == pytest.approx(chi2.sf(res.chi2, res.df), rel=1e-10)


def test_parallel_analysis_and_kaiser_count(bfi):
    res = efa(bfi)  # the five-factor design of the bfi
    corr = np.corrcoef(bfi.to_numpy(), rowvar=False)
    eig = np.sort(np.linalg.eigvalsh(corr))[::-1]
    assert res.n_factors_rule == "parallel" and res.n_factors == res.n_factors_parallel
    np.testing.assert_allclose(res.eigenvalues, eig, atol=1e-12)
    assert res.n_factors_kaiser == int(np.sum(eig > 1))
    # Plain-NumPy reference: 100 random normal data sets, 95th percentile.
    rng = np.random.RandomState(0)
    sims = [
        np.sort(np.linalg.eigvalsh(np.corrcoef(rng.standard_normal(bfi.shape), rowvar=False)))[::-1]
        for _ in range(100)
    ]
    threshold = np.quantile(sims, 0.95, axis=0)
    np.testing.assert_allclose(res.parallel_threshold, threshold, atol=1e-12)
    assert res.n_factors_parallel == int(np.argmin(eig > threshold)) == 5
    assert efa(bfi, random_state=0).parallel_threshold.equals(res.parallel_threshold)


def test_table6_shape(bfi):
    from segment.survey import cronbach_alpha

    table = efa(bfi, 5).to_frame()
    assert list(table.columns) == ["loading", "alpha", "composite_reliability", "ave"]
    assert table.index.names == ["factor", "item"] and len(table) == 25
    # each bfi scale is one factor; neuroticism's items, all positive
    for _, group in table.groupby(level="factor"):
        items = list(group.index.get_level_values("item"))
        assert len({i[0] for i in items}) == 1
        lam = np.abs(group["loading"].to_numpy())
        assert group["ave"].iloc[0] == pytest.approx(np.mean(lam**2))
        assert group["composite_reliability"].iloc[0] == pytest.approx(
            lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2))
        )
    n = table.xs("F1", level="factor")
    assert sorted(n.index) == ["N1", "N2", "N3", "N4", "N5"]
    alpha = cronbach_alpha(bfi[["N1", "N2", "N3", "N4", "N5"]], ci=None).alpha
    assert n["alpha"].iloc[0] == pytest.approx(alpha)
    assert "KMO=0.849" in repr(efa(bfi, 5))


@pytest.mark.parametrize("method", ["minres", "ml", "principal"])
def test_item_order_and_scale_do_not_matter(bfi, method):
    res = efa(bfi, 5, method=method, rotation="promax")
    perm = list(np.random.default_rng(0).permutation(ITEMS))
    scaled = bfi[perm] * np.linspace(0.5, 3.0, 25) + 7.0
    other = efa(scaled, 5, method=method, rotation="promax")
    lam, _, _ = matched(res.loadings.to_numpy(), other.loadings.loc[ITEMS].to_numpy())
    np.testing.assert_allclose(res.loadings.to_numpy(), lam, atol=1e-6)
    np.testing.assert_allclose(res.communalities, other.communalities.loc[ITEMS], atol=1e-6)
    assert res.kmo == pytest.approx(other.kmo, abs=1e-12)


def test_missing_answers_policy():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(300, 2))
    x = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(size=(300, 6)), columns=list("abcdef"))
    x.iloc[[3, 7, 11], [0, 4, 5]] = np.nan
    res = efa(x, 2)
    assert res.n_incomplete == 3 and res.n_obs == 297
    ref = efa(x.dropna(), 2)
    pd.testing.assert_frame_equal(res.loadings, ref.loadings)
    pair = efa(x, 2, missing="pairwise")
    assert pair.n_obs == 300
    np.testing.assert_allclose(
        pair.eigenvalues, np.sort(np.linalg.eigvalsh(x.corr().to_numpy()))[::-1], atol=1e-12
    )
    med = efa(x, 2, missing="median")
    np.testing.assert_allclose(
        med.eigenvalues,
        np.sort(np.linalg.eigvalsh(x.fillna(x.median()).corr().to_numpy()))[::-1],
        atol=1e-12,
    )


# ---------------------------------------------------------------- bad input


def two_factor(n=200, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    return pd.DataFrame(
        np.repeat(f, 3, axis=1) + rng.normal(size=(n, 6)), columns=[f"q{i}" for i in range(1, 7)]
    )


def test_non_numeric_item_is_named():
    x = two_factor()
    x["q3"] = x["q3"].map(lambda v: "agree" if v > 0 else "disagree")
    with pytest.raises(TypeError, match="q3"):
        efa(x)


def test_constant_item_is_named():
    x = two_factor()
    x["q5"] = 3.0
    with pytest.raises(ValueError, match=r"constant items \[q5\]"):
        efa(x, 2)
    x["q5"] = np.nan
    with pytest.raises(ValueError, match=r"unanswered items \[q5\]"):
        efa(x, 2, missing="pairwise")


def test_singular_correlation_names_the_items():
    x = two_factor()
    x["q6"] = x["q1"] + x["q2"]
    with pytest.raises(ValueError, match=r"singular correlation matrix.*q1.*q2.*q6"):
        efa(x, 2)


def test_pairwise_correlations_not_positive_definite():
    # Three items answered by disjoint pairs of halves: r(a,b) = r(b,c) = 0.99,
    # r(a,c) = -0.99 cannot come from one data set.
    rng = np.random.default_rng(2)
    z = rng.normal(size=(300, 1))
    e = 0.1 * rng.normal(size=(300, 3))
    x = pd.DataFrame(np.hstack([z, z, z]) + e, columns=["a", "b", "c"])
    x.loc[:99, "c"] = np.nan
    x.loc[100:199, "a"] = np.nan
    x.loc[200:, "b"] = np.nan
    x.loc[200:, "c"] = -x.loc[200:, "c"]
    with pytest.raises(ValueError, match="not positive definite.*missing='listwise'"):
        efa(x, 1, missing="pairwise")


def test_too_many_factors():
    x = two_factor()
    with pytest.raises(ValueError, match=r"n_factors=4 is more than 6 items allow.*at most 3"):
        efa(x, 4)
    with pytest.raises(ValueError, match=r"n_factors=7 .*at most 6"):
        efa(x, 7, method="principal")


def test_fewer_respondents_than_items():
    with pytest.raises(ValueError, match="5 respondents for 6 items"):
        efa(two_factor().iloc[:5], 1)


def test_heywood_case_names_the_item():
    x = two_factor(n=500)
    x["q7"] = x["q1"] + 0.01 * np.random.default_rng(1).normal(size=500)
    with pytest.warns(HeywoodWarning, match=r"items \[q(1|7)"):
        efa(x, 2, method="ml")


def test_non_convergence_warns_with_iterations():
    x = two_factor()
    with pytest.warns(ConvergenceWarning, match="did not converge in 2 iterations"):
        res = efa(x, 2, max_iter=2)
    assert not res.converged and res.iterations == 2


def test_bad_options():
    x = two_factor()
    with pytest.raises(ValueError, match="method"):
        efa(x, method="pca")
    with pytest.raises(ValueError, match="rotation"):
        efa(x, rotation="quartimax")
    with pytest.raises(ValueError, match="missing"):
        efa(x, missing="drop")
    with pytest.raises(TypeError, match="n_factors"):
        efa(x, 1.5)


def test_array_input_names_items():
    x = two_factor().to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = efa(x, 2)
    assert list(res.loadings.index) == [f"item{i}" for i in range(1, 7)]
    assert list(res.loadings.columns) == ["F1", "F2"]
