"""Tests for the bundled and generated data sets: make_contracts, load_paper_b_votes,
list_datasets."""

import numpy as np
import pandas as pd
import pytest

from segment.contracts import CONTRACT_COLUMNS, load_contracts
from segment.datasets import list_datasets, load_paper_b_votes, make_contracts
from segment.datasets.paper_b import PAPER_B_VOTE_COLUMNS
from segment.features import customer_features


def test_make_contracts_schema_matches_loader():
    raw = make_contracts(500, random_state=2, dirty=False)
    assert list(raw.columns) == list(CONTRACT_COLUMNS) and len(raw) == 500
    loaded = load_contracts(raw, exclude_debtors=False)
    # clean synthetic rows pass the loader unchanged (same values, same dtypes)
    pd.testing.assert_frame_equal(loaded.reset_index(drop=True), raw)


def test_make_contracts_is_deterministic():
    a = make_contracts(2000, random_state=3)
    pd.testing.assert_frame_equal(a, make_contracts(2000, random_state=3))
    assert not a.equals(make_contracts(2000, random_state=4))
    rng = np.random.default_rng(3)
    assert make_contracts(50, random_state=rng).shape == (50, 18)


def test_make_contracts_values_are_plausible():
    raw = make_contracts(5000, as_of="2020-12-31", random_state=8, dirty=False)
    inst = raw["date_installed"]
    assert inst.min() >= pd.Timestamp("1995-01-01") and inst.max() <= pd.Timestamp("2020-12-31")
    has = raw["extensions_amount"] > 0
    assert raw.loc[has, "first_extension_date"].notna().all()
    assert raw.loc[~has, ["first_extension_date", "last_extension_date"]].isna().all().all()
    assert (raw.loc[has, "first_extension_date"] >= inst[has]).all()
    assert (raw.loc[has, "last_extension_date"] >= raw.loc[has, "first_extension_date"]).all()
    assert raw.loc[has, "last_extension_date"].max() <= pd.Timestamp("2020-12-31")
    assert (raw[["monthly_fee", "installation_fee", "extensions_fee", "time_in_debt"]] >= 0
            ).all().all()
    assert set(raw["contract_type"]) == {"private", "business"}
    assert raw["contract_id"].is_unique
    assert raw["monthly_fee"].skew() > 0.5  # right-skewed fees
    assert raw["date_installed"].is_monotonic_increasing
    # every debtor customer has at least one contract flagged with outstanding debt
    assert raw.loc[raw["debt"], "debt_amount"].min() >= 1


def test_make_contracts_dirty_rows_are_caught():
    raw = make_contracts(4000, random_state=9)
    contracts, report = load_contracts(raw, return_report=True)
    counts = report.counts
    for reason in ("missing_value", "negative_value", "invalid_category",
                   "extension_before_installation", "duplicate_row", "duplicate_contract_id"):
        assert counts.get(reason, 0) >= 1, reason
    clean = make_contracts(4000, random_state=9, dirty=False)
    _, clean_report = load_contracts(clean, return_report=True)
    assert set(clean_report.counts.index) <= {"kept", "outstanding_debt",
                                              "customer_outstanding_debt"}


def test_make_contracts_arguments():
    with pytest.raises(ValueError, match=">= 1"):
        make_contracts(0)
    with pytest.raises(TypeError, match="integer"):
        make_contracts(10.5)
    with pytest.raises(ValueError, match="as_of must be a date"):
        make_contracts(10, as_of="someday")
    with pytest.raises(TypeError, match="random_state"):
        make_contracts(10, random_state="seed")
    one = make_contracts(1, random_state=0)
    assert one.shape == (1, 18)


def test_make_contracts_paper_scale():
    """Paper B: 88,390 contracts -> about 83,234 after cleaning, about 66,651 customers,
    15.5% of customers with several contracts, about 5.8% of contracts dropped."""
    raw = make_contracts()
    assert raw.shape == (88_390, 18)
    per_customer = raw.groupby("customer_id").size()
    assert (per_customer > 1).mean() == pytest.approx(0.155, abs=0.005)
    contracts, report = load_contracts(raw, return_report=True)
    assert report.n_kept == pytest.approx(83_234, rel=0.01)
    assert 1 - report.n_kept / report.n_read == pytest.approx(0.058, abs=0.003)
    debt = report.counts[["outstanding_debt", "customer_outstanding_debt"]].sum()
    assert debt / report.n_read == pytest.approx(0.056, abs=0.004)
    customers = customer_features(contracts, as_of="2022-07-12", features=["n_contracts"])
    assert len(customers) == pytest.approx(66_651, rel=0.01)
    assert raw["date_installed"].min().year == 1995


def test_paper_b_votes_table5():
    votes = load_paper_b_votes()
    assert votes.shape == (15, 4)
    assert votes.columns.tolist() == [1, 2, 3, 4] and votes.columns.name == "interviewee"
    assert votes.index[0] == "date installed" and votes.index[-1] == "MVC"
    assert votes.loc["time in debt"].tolist() == ["", "", "", "x"]
    assert (votes == "x").to_numpy().sum() == 39  # sum of Table 5's "Total of Votes"
    canon = load_paper_b_votes(canonical_names=True)
    assert canon.index.tolist() == list(PAPER_B_VOTE_COLUMNS.values())
    assert set(canon.index) <= set(CONTRACT_COLUMNS)


def test_list_datasets():
    names = list_datasets()
    assert names == ["contracts", "iot_experts", "paper_b_votes", "survey"]
    details = list_datasets(details=True)
    assert details.loc["paper_b_votes", "function"] == "load_paper_b_votes"
    assert details.loc["iot_experts", "function"] == "load_iot_experts"
