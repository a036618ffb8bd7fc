"""Hypothesis properties of segment.pls_sem, against tests/reference.py.

* pls_sem equals the plain-NumPy reference (itself equal to seminr's fixtures,
  tests/test_pls_seminr.py) on random small models: 2-4 constructs of 1-4
  items, Mode A and Mode B, random acyclic paths, three inner schemes;
* the order of the items within a block, of the blocks, and of the data's
  columns does not change any result;
* a positive rescaling and a shift of an item do not change any result (the
  model is computed on standardized items);
* a bootstrap resample that is the identity (every respondent once, in order)
  gives the estimate. The public ``PlsResult.bootstrap`` draws its own
  resamples and needs n_boot >= 2; explicit resamples go through the kernel's
  ``rows`` argument (``segment._core.pls_bootstrap``), which the BCa jackknife
  also uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import segment as sg
from segment import _core
from tests import reference
from tests.test_pls_seminr import as_reference, assert_matches_reference, close

SCHEMES = ["path", "factorial", "centroid"]


@st.composite
def models(draw, max_constructs=4, max_items=4):
    """(data, measurement, structural): a random DAG over 2-4 constructs, every
    construct on a path, items generated from correlated latent scores."""
    m = draw(st.integers(2, max_constructs))
    sizes = [draw(st.integers(1, max_items)) for _ in range(m)]
    modes = [draw(st.sampled_from("AB")) for _ in range(m)]
    # a spanning chain in a random topological order, plus random forward paths
    order = draw(st.permutations(range(m)))
    paths = {(order[i], order[i + 1]) for i in range(m - 1)}
    for i in range(m):
        for j in range(i + 2, m):
            if draw(st.booleans()):
                paths.add((order[i], order[j]))
    n = draw(st.integers(40, 200))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    latent = np.zeros((n, m))
    for c in order:  # each construct: its predecessors' effect plus noise
        preds = [a for a, b in paths if b == c]
        latent[:, c] = latent[:, preds] @ rng.uniform(0.2, 0.7, len(preds)) + rng.normal(size=n)
    names = [f"C{j}" for j in range(m)]
    columns, measurement = {}, {}
    for j in range(m):
        items = [f"C{j}_x{k}" for k in range(sizes[j])]
        for it in items:
            loading = rng.uniform(0.5, 1.5)
            columns[it] = rng.uniform(-3, 3) + loading * latent[:, j] + rng.normal(size=n)
        measurement[names[j]] = {"items": items, "mode": modes[j]} if modes[j] == "B" else items
    data = pd.DataFrame(columns)
    structural = [(names[a], names[b]) for a, b in sorted(paths)]
    return data, measurement, structural


def item_lists(measurement):
    return {c: (v["items"] if isinstance(v, dict) else v) for c, v in measurement.items()}


def with_items(measurement, items_of):
    return {
        c: ({"items": items_of[c], "mode": v["mode"]} if isinstance(v, dict) else items_of[c])
        for c, v in measurement.items()
    }


def fitted(data, measurement, structural, scheme):
    fit = sg.pls_sem(data, measurement, structural, inner_weighting=scheme)
    assume(fit.converged)
    return fit


def same_results(a, b, tol=1e-9):
    """Every labelled quantity of two PlsResults, aligned by labels."""
    names = list(a.path_coef.index)
    items = list(a.outer_weights.index)
    for attr in ("path_coef", "fornell_larcker", "total_effects", "htmt", "f_squared"):
        close_frames(getattr(a, attr), getattr(b, attr).loc[names, names], attr, tol)
    for attr in ("outer_weights", "outer_loadings", "cross_loadings"):
        close_frames(getattr(a, attr), getattr(b, attr).loc[items, names], attr, tol)
    close_frames(a.construct_scores, b.construct_scores[names], "construct_scores", tol)
    close_frames(a.reliability, b.reliability.loc[names], "reliability", tol)
    close_frames(a.r_squared, b.r_squared.loc[a.r_squared.index], "r_squared", tol)
    close_frames(a.vif_items, b.vif_items[items], "vif_items", tol)
    close_frames(a.redundancy, b.redundancy[a.redundancy.index], "redundancy", tol)
    for c, v in a.vif_antecedents.items():
        close_frames(v, b.vif_antecedents[c][v.index], f"vif_antecedents[{c}]", tol)
    close_frames([a.gof], [b.gof], "gof", tol)


def close_frames(x, y, what, tol):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    assert np.array_equal(np.isnan(x), np.isnan(y)), f"{what}: NaNs differ"
    ok = ~np.isnan(x)
    err = np.abs(x[ok] - y[ok]).max() if ok.any() else 0.0
    assert err <= tol, f"{what}: max |difference| {err:.2e} > {tol}"


def fit_and_reference(model, scheme):
    """pls_sem and the reference (fit and derived quantities) on one model."""
    data, measurement, structural = model
    items = item_lists(measurement)
    modes = [v["mode"] if isinstance(v, dict) else "A" for v in measurement.values()]
    names, flat, blocks, paths = as_reference(items, structural)
    x = data[flat].to_numpy(np.float64)
    ref = reference.pls_reference(x, blocks, paths, modes=modes, scheme=scheme)
    assume(ref["converged"])
    fit = fitted(data, measurement, structural, scheme)
    q = reference.pls_quality(x, blocks, paths, ref, modes=modes, scheme=scheme)
    return fit, names, flat, ref, q


@given(models(), st.sampled_from(SCHEMES))
def test_equals_the_reference_on_random_models(model, scheme):
    fit, names, flat, ref, q = fit_and_reference(model, scheme)
    assert_matches_reference(fit, names, flat, ref, q, f"random model/{scheme}", gof=False)


@given(models(), st.sampled_from(SCHEMES))
def test_gof_on_random_models(model, scheme):
    """GoF = sqrt(mean communality x mean R²), the communality averaged over
    the items of every multi-item block (Tenenhaus et al. 2005 as plspm
    computes it, plspm/inner_summary.py), Mode B blocks included; NaN when
    every construct has one item."""
    fit, names, flat, ref, q = fit_and_reference(model, scheme)
    close(fit.gof, q["gof"], f"random model/{scheme}: GoF")


@given(models(), st.sampled_from(SCHEMES), st.randoms(use_true_random=False))
def test_item_and_block_order_do_not_matter(model, scheme, rnd):
    data, measurement, structural = model
    base = fitted(data, measurement, structural, scheme)
    items = item_lists(measurement)
    shuffled = {c: rnd.sample(v, len(v)) for c, v in items.items()}  # within blocks
    constructs = rnd.sample(list(measurement), len(measurement))  # between blocks
    permuted = {c: with_items(measurement, shuffled)[c] for c in constructs}
    columns = rnd.sample(list(data.columns), data.shape[1])  # the data's columns
    other = sg.pls_sem(
        data[columns], permuted, rnd.sample(structural, len(structural)), inner_weighting=scheme
    )
    same_results(base, other)


@given(
    models(),
    st.sampled_from(SCHEMES),
    st.data(),
    st.floats(1e-3, 1e3),
    st.floats(-1e3, 1e3),
)
def test_rescaling_an_item_changes_nothing(model, scheme, data_, factor, shift):
    data, measurement, structural = model
    base = fitted(data, measurement, structural, scheme)
    item = data_.draw(st.sampled_from(list(data.columns)))
    scaled = data.copy()
    scaled[item] = factor * scaled[item] + shift
    same_results(base, sg.pls_sem(scaled, measurement, structural, inner_weighting=scheme), 1e-7)


def kernel_draws(fit, rows):
    """The bootstrap kernel on explicit resamples (rows: resamples x n)."""
    model = fit._model
    block, mode_b, frm, to = model.kernel_args()
    return _core.pls_bootstrap(
        fit._X, block, mode_b, frm, to, scheme=model.scheme, max_iter=model.max_iter,
        tol=model.tol, rows=np.asarray(rows, np.int64),
    )  # fmt: skip


@given(models(), st.sampled_from(SCHEMES))
def test_the_identity_resample_gives_the_estimate(model, scheme):
    data, measurement, structural = model
    fit = fitted(data, measurement, structural, scheme)
    n = fit._X.shape[0]
    draws = kernel_draws(fit, np.arange(n)[None, :])  # n_boot = 1, the identity resample
    assert draws["status"][0] == 0
    names = list(fit.path_coef.index)
    items = list(fit.outer_weights.index)
    owner = np.argmax(fit.outer_weights.to_numpy() != 0, axis=1)
    rows = np.arange(len(items))
    close_frames(draws["paths"][0], fit.path_coef.loc[names, names], "paths", 1e-9)
    close_frames(draws["total"][0], fit.total_effects.loc[names, names], "total effects", 1e-9)
    close_frames(draws["weights"][0], fit.outer_weights.to_numpy()[rows, owner], "weights", 1e-9)
    load = fit.outer_loadings.to_numpy()[rows, owner]
    close_frames(draws["loadings"][0], load, "loadings", 1e-9)
    iu = np.triu_indices(len(names), 1)
    close_frames(draws["htmt"][0][iu], fit.htmt.to_numpy()[iu], "HTMT", 1e-9)


@given(models(max_constructs=3, max_items=3), st.integers(0, 2**31 - 1))
def test_a_resample_equals_the_reference_on_those_rows(model, seed):
    """Any explicit resample: the kernel's estimate on X[rows] equals the
    reference on the same rows (a resample with repeated respondents)."""
    data, measurement, structural = model
    fit = fitted(data, measurement, structural, "path")
    n = fit._X.shape[0]
    rows = np.random.default_rng(seed).integers(0, n, n)
    draws = kernel_draws(fit, rows[None, :])
    assume(draws["status"][0] == 0)
    items = item_lists(measurement)
    modes = [v["mode"] if isinstance(v, dict) else "A" for v in measurement.values()]
    names, flat, blocks, paths = as_reference(items, structural)
    ref = reference.pls_reference(data[flat].to_numpy(np.float64)[rows], blocks, paths, modes=modes)
    assume(ref["converged"])
    close_frames(draws["paths"][0], ref["path_coef"], "resample paths", 1e-6)
    owner = np.repeat(np.arange(len(blocks)), [len(b) for b in blocks])
    close_frames(draws["weights"][0], ref["weights"][np.arange(len(flat)), owner], "weights", 1e-6)


def test_public_bootstrap_reports_the_estimate(tmp_path):
    """PlsBootstrap's estimate column is the fit's own value (mobi-free data)."""
    rng = np.random.default_rng(3)
    f = rng.normal(size=(150, 1))
    g = 0.6 * f + 0.8 * rng.normal(size=(150, 1))
    data = pd.DataFrame(
        np.hstack([f + 0.6 * rng.normal(size=(150, 3)), g + 0.6 * rng.normal(size=(150, 2))]),
        columns=["x1", "x2", "x3", "y1", "y2"],
    )
    fit = sg.pls_sem(data, {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2"]}, [("X", "Y")])
    boot = fit.bootstrap(50, random_state=0)
    close(boot.paths.loc[("X", "Y"), "estimate"], fit.path_coef.loc["X", "Y"], "estimate")
    with pytest.raises(ValueError, match="n_boot"):
        fit.bootstrap(1)
