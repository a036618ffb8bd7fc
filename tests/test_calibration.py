"""The bundled synthetic contracts against Paper B's published figures (issue 17).

Every figure the tests compare with is in ``PAPER_B``, with the table it comes
from; nothing in it is fitted or computed by segment. The pipeline is the one
of ``segment run``: make_contracts -> load_contracts -> customer_features ->
minmax_scale -> k_sweep (exact silhouette, K = 3..6) -> profile_clusters /
most_valuable, computed once per seed by a module-scoped fixture.

Every tolerance of issue 17 is asserted for random_state 0..4 (the pipeline
of one seed takes about 20 s; SEGMENT_CALIBRATION_SEEDS=0 runs seed 0 alone).
A tolerance not met is marked xfail(strict=True) with the measured value in
the reason (``MISSED``), so that a better generator shows as XPASS.
"""

import importlib.resources
import json
import os

import numpy as np
import pandas as pd
import pytest

import segment as sg

# ---- Paper B's published figures, each with its table: segment/datasets/paper_b_results.json
# (the one place they are written; the Paper B notebook shows them too). Nothing there is fitted.
_FIGURES = json.loads(
    (importlib.resources.files("segment.datasets") / "paper_b_results.json").read_text("utf-8")
)
PAPER_B = {
    "raw_contracts": _FIGURES["raw_contracts"]["value"],
    "kept_contracts": _FIGURES["kept_contracts"]["value"],
    "customers": _FIGURES["customers"]["value"],
    "multi_contract_share": _FIGURES["multi_contract_share"]["value"],
    "best_k": _FIGURES["best_k"]["value"],
    "silhouette": {int(k): v for k, v in _FIGURES["silhouette"]["by_k"].items()},
    "silhouette_rfm": {int(k): v for k, v in _FIGURES["silhouette_rfm"]["by_k"].items()},
    "clusters": {int(k): [tuple(r) for r in v] for k, v in _FIGURES["clusters"]["by_k"].items()},
    "top_profile": {int(k): v for k, v in _FIGURES["top_profile"]["by_k"].items()},
    "programs": {a: tuple(v) for a, v in _FIGURES["programs"]["by_alias"].items()},
}
MISPRINTS = _FIGURES["misprints"]

# the tolerances of issue 17
TOL_COUNT = 0.005  # relative, kept contracts and customers
TOL_MULTI = 0.01  # absolute, multi-contract share
TOL_SIL = 0.03  # absolute
TOL_SHARE = 0.02  # absolute, cluster size shares and profile shares
TOL_MEAN = 0.05  # relative, mean gross revenue per cluster
TOL_PROFILE_MEAN = 0.10  # relative, profile means

SEEDS = [int(s) for s in os.environ.get("SEGMENT_CALIBRATION_SEEDS", "0,1,2,3,4").split(",")]
K = [3, 4, 5, 6]
N_INIT = 10  # segment run's and the notebook's default

# (test, seed) -> the value measured where a tolerance is not met (see the docstring);
# empty: every tolerance of issue 17 holds for random_state 0..4
MISSED = {}


def _check(request, seed, name, ok, measured):
    """Assert ok, or xfail(strict) when (name, seed) is a known miss."""
    reason = MISSED.get((name, seed))
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=f"measured {reason}", strict=True))
    assert ok, f"{name}, random_state={seed}: measured {measured}"


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def run(request):
    seed = request.param
    raw = sg.datasets.make_contracts(PAPER_B["raw_contracts"], random_state=seed)
    contracts = sg.load_contracts(raw)
    customers = sg.customer_features(contracts)
    X = sg.minmax_scale(customers[sg.PAPER_B_FEATURES])
    sweep = sg.k_sweep(X, k=K, n_init=N_INIT, random_state=seed, n_threads=1, progress=False)
    rfm = sg.k_sweep(
        sg.minmax_scale(customers[sg.RFM_FEATURES]),
        k=K,
        n_init=N_INIT,
        random_state=seed,
        n_threads=1,
        progress=False,
    )
    per_customer = contracts.groupby("customer_id").size()
    return {
        "seed": seed,
        "contracts": contracts,
        "customers": customers,
        "sweep": sweep,
        "rfm": rfm,
        "multi_share": float((per_customer > 1).mean()),
    }


def test_paper_figures_are_consistent():
    """The published figures agree with each other (a typo in PAPER_B shows here)."""
    for k, rows in PAPER_B["clusters"].items():
        sizes = np.array([r[0] for r in rows])
        assert sizes.sum() == PAPER_B["customers"], k
        np.testing.assert_allclose([r[1] for r in rows], sizes / sizes.sum(), atol=6e-5)
    for k, size, revenue in PAPER_B["programs"].values():
        assert PAPER_B["clusters"][k][0][0] == size and PAPER_B["clusters"][k][0][2] == revenue
    assert sum(PAPER_B["silhouette"].values()) == pytest.approx(2.772)  # Table 23's total
    assert sum(PAPER_B["silhouette_rfm"].values()) == pytest.approx(2.183)


@pytest.mark.parametrize("what", ["kept_contracts", "customers"])
def test_cleaning_counts(run, what, request):
    got = len(run["contracts"]) if what == "kept_contracts" else len(run["customers"])
    ok = abs(got / PAPER_B[what] - 1) <= TOL_COUNT
    _check(request, run["seed"], what, ok, got)


def test_multi_contract_share(run, request):
    got = run["multi_share"]
    ok = abs(got - PAPER_B["multi_contract_share"]) <= TOL_MULTI
    _check(request, run["seed"], "multi_contract_share", ok, round(got, 4))


def test_best_k_is_4(run, request):
    got = run["sweep"].best_k
    _check(request, run["seed"], "best_k", got == PAPER_B["best_k"], got)


@pytest.mark.parametrize("k", K)
@pytest.mark.parametrize("features", ["silhouette", "silhouette_rfm"])
def test_silhouettes(run, features, k, request):
    sweep = run["sweep"] if features == "silhouette" else run["rfm"]
    got = float(sweep.table.loc[k, "silhouette"])
    ok = abs(got - PAPER_B[features][k]) <= TOL_SIL
    _check(request, run["seed"], f"{features}[{k}]", ok, round(got, 3))


@pytest.mark.parametrize("k", [4, 5, 6])
def test_cluster_sizes_and_revenue(run, k, request):
    prof = sg.profile_clusters(
        run["customers"], run["sweep"].models[k].labels, features=["gross_revenue"]
    )  # sorted by revenue, as the tables
    paper = np.array(PAPER_B["clusters"][k])
    share, revenue = prof["share"].to_numpy(), prof["gross_revenue"].to_numpy()
    ok = (
        np.abs(share - paper[:, 1]).max() <= TOL_SHARE
        and np.abs(revenue / paper[:, 2] - 1).max() <= TOL_MEAN
    )
    _check(
        request,
        run["seed"],
        f"clusters[{k}]",
        ok,
        list(zip(share.round(4).tolist(), revenue.round(2).tolist(), strict=True)),
    )


@pytest.mark.parametrize("k", [4, 5, 6])
def test_most_valuable_profile(run, k, request):
    features = list(sg.PAPER_B_FEATURES)
    prof = sg.profile_clusters(
        run["customers"][features], run["sweep"].models[k].labels, shares="of_total"
    )
    top = prof.iloc[0]
    misses = {}
    for name, want in PAPER_B["top_profile"][k].items():
        if want is None:  # a misprint (MISPRINTS), not compared
            continue
        if name in ("business", "direct_debit", "north_region"):
            got = float(top[f"{name}_of_total"])
            if abs(got - want) > TOL_SHARE:
                misses[name] = round(got, 4)
        else:
            got = float(top[name])
            if abs(got / want - 1) > TOL_PROFILE_MEAN:
                misses[name] = round(got, 3)
    _check(request, run["seed"], f"profile[{k}]", not misses, misses)


def test_programs_of_table_16(run, request):
    table = sg.most_valuable(run["sweep"], run["customers"], k=[4, 5, 6])
    misses = {}
    for alias, (k, size, revenue) in PAPER_B["programs"].items():
        row = table.loc[alias]
        share_ok = abs(row["share"] - size / PAPER_B["customers"]) <= TOL_SHARE
        if row["k"] != k or not share_ok or abs(row["gross_revenue"] / revenue - 1) > TOL_MEAN:
            misses[alias] = (int(row["k"]), int(row["customers"]), round(row["gross_revenue"], 2))
    _check(request, run["seed"], "programs", not misses, misses)


def test_profile_of_total_is_the_text_reading():
    """shares="of_total": a cluster's share of all customers with the attribute,
    against a plain pandas crosstab; "within" stays the cluster's own share."""
    rng = np.random.default_rng(3)
    customers = pd.DataFrame(
        {
            "gross_revenue": rng.lognormal(8, 1, 500),
            "business": rng.random(500) < 0.3,
            "north_region": (rng.random(500) < 0.1).astype(int),
            "direct_debit": np.zeros(500, int),
        }
    )
    labels = rng.integers(0, 4, 500)
    both = sg.profile_clusters(customers, labels, shares="both", sort_by=None)
    for col in ("business", "north_region"):
        counts = pd.crosstab(labels, customers[col].astype(int))[1]
        np.testing.assert_allclose(both[f"{col}_of_total"], counts / counts.sum())
        np.testing.assert_allclose(
            both[f"{col}_share"], counts / pd.Series(labels).value_counts().sort_index()
        )
    assert (both["direct_debit_of_total"] == 0).all()  # nobody has it
    within = sg.profile_clusters(customers, labels, sort_by=None)
    assert list(within.columns) == [
        "customers",
        "share",
        "gross_revenue",
        "business_share",
        "north_region_share",
        "direct_debit_share",
    ]
    with pytest.raises(ValueError, match="shares"):
        sg.profile_clusters(customers, labels, shares="total")
