"""Tests for segment.contracts (load_contracts, CleaningReport), segment.features
(customer_features) and segment.preprocessing (minmax_scale).

Every feature rule of SPEC.md ("Paper B features") is checked on a small frame
whose expected values were computed by hand (day counts in the comments), and
against a slow per-customer reference on synthetic data.
"""

import copy
import sqlite3
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segment.contracts import CONTRACT_COLUMNS, CleaningReport, ContractDataError, load_contracts
from segment.datasets import make_contracts
from segment.features import PAPER_B_FEATURES, PORTUGAL_REGIONS, RFM_FEATURES, customer_features
from segment.preprocessing import minmax_scale
from tests import reference

AS_OF = "2022-07-12"
DPM = 30.4375


def contract(**kw):
    """One valid contract row in the canonical schema, overridden by kw."""
    row = dict(
        contract_id="k",
        customer_id="c",
        date_installed="2020-01-01",
        location="Lisboa",
        contract_type="private",
        local_description="house",
        payment_type="ATM reference",
        invoice_type="email",
        monthly_fee=30.0,
        installation_fee=100.0,
        extensions_amount=0,
        extensions_fee=0.0,
        first_extension_date=None,
        last_extension_date=None,
        debt_amount=0,
        time_in_debt=0.0,
        mvc=20.0,
        debt="no",
    )
    row.update(kw)
    return row


def frame(*rows):
    return pd.DataFrame(list(rows), columns=list(CONTRACT_COLUMNS))


@pytest.fixture
def hand():
    """Four customers; features computed by hand below (as_of 2022-07-12)."""
    return frame(
        # A: two contracts, several extensions, debt history, private + business, north
        contract(contract_id="A1", customer_id="A", date_installed="2020-01-01",
                 location="Porto", payment_type="direct debit", monthly_fee=30.0,
                 installation_fee=100.0, extensions_amount=2, extensions_fee=10.0,
                 first_extension_date="2020-06-01", last_extension_date="2021-12-01",
                 debt_amount=1, time_in_debt=20.0, mvc=25.0),
        contract(contract_id="A2", customer_id="A", date_installed="2021-07-12",
                 location="Lisboa", contract_type="business", local_description="pharmacy",
                 monthly_fee=50.0, installation_fee=0.0, extensions_amount=1,
                 extensions_fee=5.0, first_extension_date="2022-01-10",
                 last_extension_date="2022-01-10", debt_amount=2, time_in_debt=3.0, mvc=40.0),
        # B: one contract, no extension, south
        contract(contract_id="B1", customer_id="B", date_installed="2022-01-12",
                 location="Faro", payment_type="bank transfer", monthly_fee=20.0,
                 installation_fee=50.0, mvc=15.0),
        # C: outstanding debt on one contract: both contracts excluded
        contract(contract_id="C1", customer_id="C", debt="yes", debt_amount=4),
        contract(contract_id="C2", customer_id="C", date_installed="2021-01-01"),
        # D: two contracts without extensions, one in Braga (north), direct debit
        # spelled differently
        contract(contract_id="D1", customer_id="D", date_installed="2010-03-15",
                 location="Braga", monthly_fee=10.0, installation_fee=0.0, mvc=5.0),
        contract(contract_id="D2", customer_id="D", date_installed="2015-09-30",
                 payment_type="  Direct Debit ", monthly_fee=12.0, installation_fee=0.0,
                 mvc=6.0),
    )


# days from installation to 2022-07-12: A1 923, A2 365, B1 181, D1 4502, D2 2477
# A's last extension 2022-01-10 -> 183 days; A's first extension 2020-06-01 is
# 152 days after its first installation 2020-01-01.
EXPECTED = pd.DataFrame(
    {
        "gross_revenue": [25 * 923 / DPM + 40 * 365 / DPM, 15 * 181 / DPM,
                          5 * 4502 / DPM + 6 * 2477 / DPM],
        "frequency": [3, 0, 0],
        "recency": [183, 181, 4502],
        "business": [1, 0, 0],
        "direct_debit": [1, 0, 1],
        "time_to_first_extension": [152, 181, 4502],
        "quantity_of_debt": [3, 0, 0],
        "north_region": [1, 0, 1],
        "rfm_recency": [183, 181, 4502],
        "rfm_frequency": [3, 0, 0],
        "rfm_monetary": [
            100 + (30 + 10) * 923 / DPM + 0 + (50 + 5) * 365 / DPM,
            50 + 20 * 181 / DPM,
            0 + 10 * 4502 / DPM + 0 + 12 * 2477 / DPM,
        ],
        "n_contracts": [2, 1, 2],
    },
    index=pd.Index(["A", "B", "D"], name="customer_id"),
)


# ---------------------------------------------------------------- customer_features


def test_features_hand_computed(hand):
    contracts, report = load_contracts(hand, return_report=True)
    assert report.counts.to_dict() == {
        "kept": 5, "outstanding_debt": 1, "customer_outstanding_debt": 1,
    }
    got = customer_features(contracts, as_of=AS_OF)
    pd.testing.assert_frame_equal(got, EXPECTED, check_dtype=False, rtol=1e-12)
    assert list(got.columns) == PAPER_B_FEATURES + RFM_FEATURES + ["n_contracts"]
    for c in got.columns:
        assert got[c].dtype == (np.float64 if c in ("gross_revenue", "rfm_monetary")
                                else np.int64), c


def test_features_as_of_defaults_to_latest_date(hand):
    contracts = load_contracts(hand).drop(index=[0, 1])  # B and D only: latest 2022-01-12
    got = customer_features(contracts, features=["recency", "n_contracts"])
    # latest date is B's installation 2022-01-12: B 0 days; D1 2010-03-15 -> 4321 days
    assert got.loc["B", "recency"] == 0
    assert got.loc["D", "recency"] == 4321


def test_features_subset_and_order(hand):
    got = customer_features(load_contracts(hand), as_of=AS_OF,
                            features=["north_region", "frequency"])
    assert list(got.columns) == ["north_region", "frequency"]
    assert got["frequency"].tolist() == [3, 0, 0]


def test_features_region_map_and_north(hand):
    contracts = load_contracts(hand)
    got = customer_features(contracts, as_of=AS_OF, features=["north_region"],
                            region_map={"Porto": "N", "Lisboa": "S", "Faro": "S", "Braga": "S"},
                            north=["n"])
    assert got["north_region"].tolist() == [1, 0, 0]
    # matching ignores case and accents; the region names themselves are recognised
    c2 = contracts.assign(location=["PORTO", "evora", " Setúbal ", "BRAGANÇA", "south"])
    got = customer_features(c2, as_of=AS_OF, features=["north_region"])
    assert got["north_region"].tolist() == [1, 0, 1]


def test_features_unknown_location_is_named(hand):
    c2 = load_contracts(hand).assign(location=["Porto", "Lisboa", "Atlantis", "Faro", "Braga"])
    with pytest.raises(ValueError, match=r"locations not in region_map: \[Atlantis\]"):
        customer_features(c2, as_of=AS_OF)


def test_features_custom_direct_debit_and_business(hand):
    contracts = load_contracts(hand)
    got = customer_features(contracts, as_of=AS_OF, features=["direct_debit", "business"],
                            direct_debit=["bank transfer"], business=["private"])
    assert got["direct_debit"].tolist() == [0, 1, 0]
    assert got["business"].tolist() == [1, 1, 1]


def test_features_days_per_month(hand):
    got = customer_features(load_contracts(hand), as_of=AS_OF, features=["gross_revenue"],
                            days_per_month=30.0)
    assert got.loc["B", "gross_revenue"] == pytest.approx(15 * 181 / 30.0)


def test_features_errors(hand):
    contracts = load_contracts(hand)
    with pytest.raises(ValueError, match=r"dates after as_of=2022-01-01 in column date_installed"):
        customer_features(contracts, as_of="2022-01-01")
    with pytest.raises(ValueError, match="unknown names"):
        customer_features(contracts, features=["loyalty"])
    with pytest.raises(ValueError, match=r"missing values in column mvc at rows \[2\]"):
        customer_features(contracts.assign(mvc=[1.0, 2.0, np.nan, 3.0, 4.0]), as_of=AS_OF)
    with pytest.raises(ValueError, match="first_extension_date before date_installed"):
        bad = contracts.copy()
        bad.loc[0, "first_extension_date"] = pd.Timestamp("2019-01-01")
        customer_features(bad, as_of=AS_OF)
    with pytest.raises(TypeError, match="DataFrame"):
        customer_features(contracts.to_numpy())
    with pytest.raises(ValueError, match="as_of must be a date"):
        customer_features(contracts, as_of="yesterday-ish")


def test_features_missing_columns_list_computable(hand):
    contracts = load_contracts(hand.drop(columns=["mvc", "location"]))
    with pytest.raises(ValueError) as err:
        customer_features(contracts, as_of=AS_OF)
    msg = str(err.value)
    assert "gross_revenue needs ['mvc']" in msg and "north_region needs ['location']" in msg
    assert "features=['frequency', 'recency'" in msg
    # a column the user fills after loading is usable again
    got = customer_features(contracts.assign(mvc=1.0), as_of=AS_OF, features=["gross_revenue"])
    assert got.loc["B", "gross_revenue"] == pytest.approx(181 / DPM)


def test_features_absent_extension_columns_do_not_mean_no_extensions(hand):
    # without extension dates and counts, recency must not silently become "no extension"
    contracts = load_contracts(hand.drop(columns=["extensions_amount", "first_extension_date",
                                                  "last_extension_date"]))
    with pytest.raises(ValueError, match=r"recency needs \['last_extension_date'\]"):
        customer_features(contracts, as_of=AS_OF, features=["recency"])


def test_features_accepts_plain_frame_with_string_dates():
    df = pd.DataFrame({"customer_id": [2, 1, 2], "date_installed": ["2022-01-01"] * 3,
                       "extensions_amount": [0, 0, 1],
                       "last_extension_date": [None, None, "2022-02-01"]})
    got = customer_features(df, as_of="2022-03-01", features=["recency", "frequency"])
    assert got.index.tolist() == [1, 2]  # sorted customer ids
    assert got["recency"].tolist() == [59, 28]


# ---------------------------------------------------------------- day/month order (issue 14)


def test_ambiguous_as_of_is_refused_with_how_to_fix(hand):
    contracts = load_contracts(hand)
    # "12/07/2022" was read month-first (2022-12-07) without a word
    for text in ["12/07/2022", "12.07.2022", "12-07-2022", "3/4/2023", "12/07/22"]:
        with pytest.raises(ValueError, match=rf"as_of={text!r} is ambiguous") as err:
            customer_features(contracts, as_of=text)
        assert "ISO date" in str(err.value) and "dayfirst=True" in str(err.value)
    with pytest.raises(ValueError, match=r"'2022-07-12' \(day first\) or '2022-12-07'"):
        customer_features(contracts, as_of="12/07/2022")


def test_as_of_day_or_month_first_when_told(hand):
    contracts = load_contracts(hand)
    expected = customer_features(contracts, as_of="2022-07-12")
    for text in ["12/07/2022", "12.07.2022", "12-07-2022", "12/07/22", " 12/7/2022 "]:
        pd.testing.assert_frame_equal(
            customer_features(contracts, as_of=text, dayfirst=True), expected)
    pd.testing.assert_frame_equal(
        customer_features(contracts, as_of="07/12/2022", dayfirst=False), expected)
    december = customer_features(contracts, as_of="12/07/2022", dayfirst=False)
    pd.testing.assert_frame_equal(december, customer_features(contracts, as_of="2022-12-07"))
    with pytest.raises(ValueError, match=r"as_of='07/25/2022' has no month 25.*dayfirst=False"):
        customer_features(contracts, as_of="07/25/2022", dayfirst=True)


def test_unambiguous_as_of_strings_keep_working(hand):
    contracts = load_contracts(hand)
    late = customer_features(contracts, as_of="2022-07-25")
    for text in ["25/07/2022", "07/25/2022", "2022-07-25", "2022-07-25T10:30",
                 "25.07.2022", "2022/07/25", pd.Timestamp("2022-07-25"), np.datetime64(
                     "2022-07-25")]:
        pd.testing.assert_frame_equal(customer_features(contracts, as_of=text), late)
    # same day and month: either order gives the same date
    pd.testing.assert_frame_equal(customer_features(contracts, as_of="07/07/2022"),
                                  customer_features(contracts, as_of="2022-07-07"))


def test_dayfirst_date_columns_without_date_format():
    raw = frame(contract(contract_id="k0", date_installed="12/07/2020"),
                contract(contract_id="k1", date_installed="01/02/2021",
                         extensions_amount=1, first_extension_date="25/12/2021",
                         last_extension_date="25/12/2021"),
                contract(contract_id="k2", date_installed="2020-03-04"),  # ISO is ISO
                contract(contract_id="k3", date_installed="13/13/2020"))
    contracts, report = load_contracts(raw, dayfirst=True, return_report=True)
    # before: every row dropped as unparseable_date
    assert contracts["date_installed"].tolist() == [
        pd.Timestamp("2020-07-12"), pd.Timestamp("2021-02-01"), pd.Timestamp("2020-03-04")]
    assert contracts["last_extension_date"].iloc[1] == pd.Timestamp("2021-12-25")
    assert report.dropped["reason"].to_dict() == {3: "unparseable_date"}
    month_first = load_contracts(raw.iloc[[0, 2]], dayfirst=False)
    assert month_first["date_installed"].tolist() == [pd.Timestamp("2020-12-07"),
                                                      pd.Timestamp("2020-03-04")]
    # without dayfirst, day/month dates are not guessed: they are reported
    _, report = load_contracts(raw, return_report=True)
    assert report.dropped["reason"].to_dict() == {0: "unparseable_date", 1: "unparseable_date",
                                                  3: "unparseable_date"}


def test_dayfirst_string_date_columns_in_customer_features():
    df = pd.DataFrame({"customer_id": [1, 2], "date_installed": ["12/01/2022", "01/02/2022"],
                       "extensions_amount": [0, 0], "last_extension_date": [None, None]})
    got = customer_features(df, as_of="2022-03-01", dayfirst=True, features=["recency"])
    assert got["recency"].tolist() == [48, 28]
    with pytest.raises(ValueError, match="unparseable dates in column date_installed"):
        customer_features(df, as_of="2022-03-01", features=["recency"])


def test_make_contracts_refuses_an_ambiguous_as_of():
    with pytest.raises(ValueError, match=r"as_of='12/07/2022' is ambiguous.*ISO date"):
        make_contracts(100, as_of="12/07/2022")
    assert make_contracts(100, as_of="25/07/2022").equals(make_contracts(100, as_of="2022-07-25"))


def _reference_features(c: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Slow per-customer loop following SPEC.md line by line."""
    rows = {}
    for cust, g in c.groupby("customer_id"):
        days = [(as_of - d).days for d in g["date_installed"]]
        first = g["date_installed"].min()
        last_ext = g["last_extension_date"].max()
        first_ext = g["first_extension_date"].min()
        north = {k.casefold() for k, v in PORTUGAL_REGIONS.items() if v == "north"}
        rows[cust] = {
            "gross_revenue": sum(m * d / DPM for m, d in zip(g["mvc"], days, strict=True)),
            "frequency": int(g["extensions_amount"].sum()),
            "recency": (as_of - (last_ext if pd.notna(last_ext) else first)).days,
            "business": int((g["contract_type"] == "business").any()),
            "direct_debit": int((g["payment_type"] == "direct debit").any()),
            "time_to_first_extension": ((first_ext if pd.notna(first_ext) else as_of)
                                        - first).days,
            "quantity_of_debt": int(g["debt_amount"].sum()),
            "north_region": int(any(loc.casefold() in north for loc in g["location"])),
            "rfm_monetary": sum(
                i + (m + e) * d / DPM
                for i, m, e, d in zip(g["installation_fee"], g["monthly_fee"],
                                      g["extensions_fee"], days, strict=True)
            ),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def test_features_match_slow_reference():
    contracts = load_contracts(make_contracts(600, random_state=7))
    got = customer_features(contracts, as_of=AS_OF)
    ref = _reference_features(contracts, pd.Timestamp(AS_OF))
    assert got.index.tolist() == sorted(ref.index)
    for c in ref.columns:
        np.testing.assert_allclose(got[c].to_numpy(float), ref.loc[got.index, c].to_numpy(float),
                                   rtol=1e-12, err_msg=c)


# ---------------------------------------------------------------- load_contracts: schema


def test_load_canonical_schema_and_dtypes(hand):
    contracts = load_contracts(hand, exclude_debtors=False)
    assert list(contracts.columns) == list(CONTRACT_COLUMNS)
    assert contracts.index.name == "row" and contracts.index.tolist() == list(range(7))
    dt = contracts.dtypes
    assert str(dt["date_installed"]) == "datetime64[ns]"
    assert str(dt["first_extension_date"]) == "datetime64[ns]"
    assert dt["monthly_fee"] == np.float64 and dt["mvc"] == np.float64
    assert str(dt["extensions_amount"]) == "Int64" and str(dt["debt"]) == "boolean"
    assert contracts["debt"].tolist() == [False, False, False, True, False, False, False]
    assert pd.isna(contracts.loc[2, "first_extension_date"])  # no extension: empty, kept


def test_load_recognises_common_spellings():
    raw = pd.DataFrame({
        "Contract ID": ["1"], "customerID": ["u"], "Installation Date": ["2020-01-01"],
        "MVC": [3.5], "Payment Method": ["cash"], "Monthly Charges": [9.0],
        "Extension Fee": [0.0], "DEBT": [False],
    })
    contracts, report = load_contracts(raw, return_report=True)
    assert report.column_map == {
        "Contract ID": "contract_id", "customerID": "customer_id",
        "Installation Date": "date_installed", "MVC": "mvc", "Payment Method": "payment_type",
        "Monthly Charges": "monthly_fee", "Extension Fee": "extensions_fee", "DEBT": "debt",
    }
    assert contracts.loc[0, "mvc"] == 3.5
    assert "location" in report.absent_columns and len(report.absent_columns) == 10
    assert contracts["location"].isna().all()


def test_load_columns_mapping():
    raw = pd.DataFrame({"cid": ["a", "b"], "start": ["2020-01-01", "2020-02-01"],
                        "Contract ID": ["x", "y"], "noise": [1, 2]})
    contracts = load_contracts(
        raw, columns={"cid": ["contract_id", "customer_id"], "start": "date_installed",
                      "Contract ID": None},
        keep_extra=True,
    )
    assert contracts["contract_id"].tolist() == ["a", "b"]
    assert contracts["customer_id"].tolist() == ["a", "b"]
    assert contracts["noise"].tolist() == [1, 2] and "Contract ID" in contracts.columns


def test_load_columns_mapping_errors():
    raw = pd.DataFrame({"cid": ["a"], "customer": ["u"], "start": ["2020-01-01"]})
    with pytest.raises(ValueError, match=r"maps 'cidd', which is not a column.*did you mean"):
        load_contracts(raw, columns={"cidd": "contract_id"})
    with pytest.raises(ValueError, match=r"use \{'cid': 'contract_id'\}"):
        load_contracts(raw, columns={"contract_id": "cid"})
    with pytest.raises(ValueError, match=r"'contract_idd', which is not a canonical.*contract_id"):
        load_contracts(raw, columns={"cid": "contract_idd"})
    with pytest.raises(ValueError, match="maps both"):
        load_contracts(raw, columns={"cid": "contract_id", "customer": "contract_id"})
    with pytest.raises(TypeError, match="columns must be a dict"):
        load_contracts(raw, columns=[("cid", "contract_id")])


def test_load_missing_required_column_lists_everything():
    raw = pd.DataFrame({"Contract No": ["a"], "Client": ["u"], "Install": ["2020-01-01"],
                        "fee": [1.0]})
    with pytest.raises(ValueError) as err:
        load_contracts(raw)
    msg = str(err.value)
    assert "missing required columns ['date_installed']" in msg
    assert "[Contract No, Client, Install, fee]" in msg
    assert "columns=" in msg and "'Install': 'date_installed'" in msg


def test_load_ambiguous_columns():
    raw = pd.DataFrame({"Contract ID": ["a"], "contract_id": ["b"], "customer_id": ["u"],
                        "date_installed": ["2020-01-01"]})
    with pytest.raises(ValueError, match="several columns that look like 'contract_id'"):
        load_contracts(raw)


def test_load_required_can_be_relaxed():
    raw = pd.DataFrame({"customerID": ["a", "b"], "MonthlyCharges": [1.0, 2.0]})
    contracts, report = load_contracts(raw, columns={"customerID": ["contract_id", "customer_id"]},
                                       required=("contract_id",), return_report=True)
    assert len(contracts) == 2 and "date_installed" in report.absent_columns
    with pytest.raises(ValueError, match="unknown columns"):
        load_contracts(raw, required=("contract",))


# ---------------------------------------------------------------- load_contracts: cleaning


BAD_CASES = [
    # (overrides for row 1, reason, column)
    (dict(monthly_fee=None), "missing_value", "monthly_fee"),
    (dict(location="  "), "missing_value", "location"),
    (dict(date_installed="2020-13-45"), "unparseable_date", "date_installed"),
    (dict(date_installed="12/07/2020"), "unparseable_date", "date_installed"),
    (dict(date_installed="1850-01-01"), "date_out_of_range", "date_installed"),
    (dict(monthly_fee="abc"), "non_numeric", "monthly_fee"),
    (dict(mvc="12,5"), "non_numeric", "mvc"),
    (dict(installation_fee="inf"), "non_finite", "installation_fee"),
    (dict(contract_type="government"), "invalid_category", "contract_type"),
    (dict(debt="maybe"), "invalid_category", "debt"),
    (dict(installation_fee=-1.0), "negative_value", "installation_fee"),
    (dict(extensions_fee=-0.5), "negative_value", "extensions_fee"),
    (dict(debt_amount=-2), "negative_value", "debt_amount"),
    (dict(extensions_amount=1.5, first_extension_date="2020-02-01",
          last_extension_date="2020-02-01"), "not_an_integer", "extensions_amount"),
    (dict(extensions_amount=1, first_extension_date="2019-12-31",
          last_extension_date="2020-03-01"), "extension_before_installation",
     "first_extension_date"),
    (dict(extensions_amount=2, first_extension_date="2020-05-01",
          last_extension_date="2020-04-01"), "last_extension_before_first",
     "last_extension_date"),
    (dict(extensions_amount=2), "extensions_without_dates", "first_extension_date"),
    (dict(extensions_amount=0, first_extension_date="2020-05-01",
          last_extension_date="2020-05-01"), "extension_dates_without_extensions",
     "first_extension_date"),
]


@pytest.mark.parametrize(("override", "reason", "column"), BAD_CASES,
                         ids=[f"{r}-{c}" for _, r, c in BAD_CASES])
def test_each_bad_value_gets_its_reason(override, reason, column):
    raw = frame(contract(contract_id="k0", customer_id="u0"),
                contract(contract_id="k1", customer_id="u1", **override),
                contract(contract_id="k2", customer_id="u2"))
    contracts, report = load_contracts(raw, return_report=True)
    assert contracts.index.tolist() == [0, 2]
    assert report.dropped.index.tolist() == [1]
    assert report.dropped.loc[1, "reason"] == reason
    assert report.dropped.loc[1, "column"] == column
    assert report.dropped.loc[1, "contract_id"] == "k1"
    with pytest.raises(ContractDataError) as err:
        load_contracts(raw, errors="raise")
    assert "at rows [1]" in str(err.value) and column in str(err.value)
    assert set(err.value.issues.index) == {1}


def test_first_reason_wins_and_issues_list_all():
    raw = frame(contract(contract_id="k0", monthly_fee=-3.0, date_installed="bad"),
                contract(contract_id="k1"))
    contracts, report = load_contracts(raw, return_report=True)
    assert report.dropped.loc[0, "reason"] == "unparseable_date"
    assert sorted(report.issues["reason"]) == ["negative_value", "unparseable_date"]
    assert report.n_dropped == 1 and report.n_kept == 1


def test_duplicates_exact_copy_kept_once_conflicts_all_dropped():
    a = contract(contract_id="k1", customer_id="u1")
    raw = frame(a, contract(contract_id="k2", customer_id="u2"), a,  # exact copy of row 0
                contract(contract_id="k3", monthly_fee=10.0),
                contract(contract_id="k3", monthly_fee=11.0))  # conflicting
    contracts, report = load_contracts(raw, return_report=True)
    assert contracts["contract_id"].tolist() == ["k1", "k2"]
    assert report.dropped["reason"].to_dict() == {
        2: "duplicate_row", 3: "duplicate_contract_id", 4: "duplicate_contract_id",
    }
    with pytest.raises(ValueError, match=r"exact copies of an earlier row at rows \[2\]"):
        load_contracts(raw, errors="raise")


def test_outstanding_debt_drops_the_whole_customer():
    raw = frame(contract(contract_id="k1", customer_id="u1", debt=True),
                contract(contract_id="k2", customer_id="u1", debt=False),
                contract(contract_id="k3", customer_id="u2", debt=0),
                contract(contract_id="k4", customer_id="u3", debt="Sim"))
    contracts, report = load_contracts(raw, return_report=True)
    assert contracts["contract_id"].tolist() == ["k3"]
    assert report.dropped["reason"].tolist() == [
        "outstanding_debt", "customer_outstanding_debt", "outstanding_debt"]
    # not an error under errors="raise"; can be switched off
    assert len(load_contracts(raw, errors="raise")) == 1
    assert len(load_contracts(raw, exclude_debtors=False)) == 4


def test_every_row_accounted_for_on_dirty_synthetic_data():
    raw = make_contracts(3000, random_state=11)
    contracts, report = load_contracts(raw, return_report=True)
    assert report.n_read == 3000 == len(contracts) + len(report.dropped)
    assert sorted(contracts.index.tolist() + report.dropped.index.tolist()) == list(range(3000))
    table = report.to_frame()
    assert table.loc["total", "rows"] == 3000
    assert table["rows"].iloc[:-1].sum() == 3000
    assert table["share"].iloc[:-1].sum() == pytest.approx(1.0)
    assert set(report.counts.index) >= {"kept", "missing_value", "negative_value",
                                        "duplicate_row", "duplicate_contract_id",
                                        "outstanding_debt", "invalid_category",
                                        "extension_before_installation"}
    assert contracts.attrs["cleaning_report"] is report
    assert copy.deepcopy(report) is report  # cheap for pandas' attrs propagation
    assert "rows read" in str(report) and "CleaningReport(" in repr(report)
    assert report.rows("duplicate_row").tolist() == report.dropped.index[
        report.dropped["reason"] == "duplicate_row"].tolist()
    assert isinstance(report, CleaningReport)


JUNK = [None, "", "  ", "abc", -1, -0.5, 2.5, "2020-13-01", "1899-12-31", float("inf"),
        "x", True, 0, "business", "2030-01-01"]
_BASE = make_contracts(40, random_state=12, dirty=False).astype("object")


@given(st.lists(st.tuples(st.integers(0, 39), st.sampled_from(CONTRACT_COLUMNS),
                          st.sampled_from(JUNK)), max_size=25))
def test_property_every_row_accounted_for_and_kept_rows_are_clean(edits):
    raw = _BASE.copy()
    for row, col, value in edits:
        raw.iat[row, raw.columns.get_loc(col)] = value
    contracts, report = load_contracts(raw, return_report=True)
    assert sorted(contracts.index.tolist() + report.dropped.index.tolist()) == list(range(40))
    assert report.counts.sum() == 40
    # what was kept is clean: loading it again keeps everything
    again, report2 = load_contracts(contracts, return_report=True)
    assert report2.n_dropped == 0
    pd.testing.assert_frame_equal(again.reset_index(drop=True),
                                  contracts.reset_index(drop=True))
    if len(contracts):
        wanted = [f for f in PAPER_B_FEATURES + RFM_FEATURES if f != "north_region"]
        features = customer_features(contracts, features=wanted)  # junk places: no region
        assert len(features) == contracts["customer_id"].nunique()
        assert (features[["frequency", "recency", "time_to_first_extension"]] >= 0).all().all()


def test_errors_raise_names_rows_and_columns():
    raw = frame(contract(contract_id="k0"), contract(contract_id="k1", date_installed="x"),
                contract(contract_id="k2", monthly_fee=-1.0),
                contract(contract_id="k3", date_installed="y"))
    with pytest.raises(ContractDataError) as err:
        load_contracts(raw, errors="raise")
    msg = str(err.value)
    assert "has 3 invalid rows" in msg
    assert "unparseable dates in column date_installed at rows [1, 3]" in msg
    assert "negative values in column monthly_fee at rows [2]" in msg
    assert "errors='report'" in msg
    with pytest.raises(ValueError, match="errors must be"):
        load_contracts(raw, errors="ignore")


def test_date_format_and_native_dates():
    raw = frame(contract(contract_id="k0", date_installed="12/07/2020"),
                contract(contract_id="k1", date_installed="01/02/2021"))
    contracts = load_contracts(raw, date_format="%d/%m/%Y")
    assert contracts["date_installed"].tolist() == [pd.Timestamp("2020-07-12"),
                                                    pd.Timestamp("2021-02-01")]
    native = raw.assign(date_installed=pd.to_datetime(["2020-07-12", "2021-02-01"]).tz_localize(
        "Europe/Lisbon"))
    assert load_contracts(native)["date_installed"].tolist() == contracts[
        "date_installed"].tolist()


def test_empty_and_header_only_frames():
    contracts, report = load_contracts(frame(), return_report=True)
    assert contracts.shape == (0, 18) and report.n_read == 0
    assert customer_features(contracts, as_of=AS_OF).shape == (0, 12)


# ---------------------------------------------------------------- files and round trips


@pytest.fixture
def sample():
    return make_contracts(150, random_state=5)  # includes dirty rows and debtors


def _round_trip(path, kind, sample):
    if kind == "csv":
        sample.to_csv(path, index=False)
        return load_contracts(path, return_report=True)
    if kind == "xlsx":
        sample.to_excel(path, index=False, sheet_name="contracts")
        return load_contracts(path, sheet_name="contracts", return_report=True)
    if kind == "parquet":
        sample.to_parquet(path)
        return load_contracts(path, return_report=True)
    con = sqlite3.connect(path)
    try:
        sample.to_sql("contracts", con, index=False)
        return load_contracts(query="SELECT * FROM contracts", con=con, return_report=True)
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet", "sqlite"])
def test_round_trip_gives_the_same_frame(tmp_path, sample, kind):
    expected, expected_report = load_contracts(sample, return_report=True)
    got, report = _round_trip(tmp_path / f"contracts.{kind}", kind, sample)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_series_equal(report.counts, expected_report.counts)
    assert report.n_read == len(sample)


def test_csv_keeps_leading_zeros_and_european_format(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text(
        "Contract ID;Customer ID;Date Installed;Monthly Fee\n"
        "007;0042;12/07/2020;12,50\n"
    )
    contracts = load_contracts(path, read_options={"sep": ";", "decimal": ","},
                               date_format="%d/%m/%Y")
    assert contracts.loc[0, "contract_id"] == "007" and contracts.loc[0, "customer_id"] == "0042"
    assert contracts.loc[0, "monthly_fee"] == 12.5


def test_wrong_encoding_is_named(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("contract_id,customer_id,date_installed,location\n"
                     "1,u,2020-01-01,Setúbal\n".encode("cp1252"))
    with pytest.raises(ValueError, match="not valid utf-8.*encoding='cp1252'"):
        load_contracts(path)
    assert load_contracts(path, encoding="cp1252").loc[0, "location"] == "Setúbal"


def test_ragged_rows_are_reported_not_lost(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(
        "contract_id,customer_id,date_installed\n"
        "1,u1,2020-01-01\n"
        "2,u2,2020-01-02,surprise\n"
        "3,u3\n"
        "4,u4,2020-01-04\n"
    )
    contracts, report = load_contracts(path, return_report=True)
    assert contracts["contract_id"].tolist() == ["1", "4"]
    assert report.dropped["reason"].to_dict() == {1: "ragged_row", 2: "missing_value"}
    assert report.dropped.loc[1, "value"] == "4 fields"
    assert report.dropped.loc[1, "contract_id"] is None or pd.isna(
        report.dropped.loc[1, "contract_id"])
    assert report.n_read == 4


def test_malformed_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty"):
        load_contracts(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    with pytest.raises(ValueError, match="empty"):
        load_contracts(blank)
    header = tmp_path / "header.csv"
    header.write_text("contract_id,customer_id,date_installed\n")
    contracts, report = load_contracts(header, return_report=True)
    assert len(contracts) == 0 and report.n_read == 0
    with pytest.raises(ValueError, match="unknown file type '.json'"):
        load_contracts(tmp_path / "contracts.json")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_contracts(tmp_path / "nope.csv")
    with pytest.raises(TypeError, match="file path, a DataFrame"):
        load_contracts(42)
    with pytest.raises(ValueError, match="needs both query"):
        load_contracts(query="SELECT 1")
    with pytest.raises(ValueError, match="not both"):
        load_contracts(frame(), query="SELECT 1", con=object())
    dup = tmp_path / "dupcols.csv"
    dup.write_text("contract_id,customer_id,date_installed\n1,u,2020-01-01\n")
    raw = pd.read_csv(dup)
    raw.columns = ["contract_id", "contract_id", "date_installed"]
    with pytest.raises(ValueError, match="duplicate column names"):
        load_contracts(raw)


def test_missing_excel_sheet_is_named(tmp_path, sample):
    path = tmp_path / "book.xlsx"
    sample.head(3).to_excel(path, index=False, sheet_name="data")
    with pytest.raises(ValueError, match=r"no sheet 'contracts'; its sheets are \['data'\]"):
        load_contracts(path, sheet_name="contracts")


def test_named_index_is_a_column(hand):
    contracts = load_contracts(hand.set_index("contract_id"))
    assert contracts["contract_id"].tolist() == ["A1", "A2", "B1", "D1", "D2"]


# ---------------------------------------------------------------- minmax_scale


def test_minmax_frame_keeps_labels_and_constant_is_low():
    df = pd.DataFrame({"a": [1.0, 3.0, 5.0], "b": [7, 7, 7], "c": [True, False, True]},
                      index=["x", "y", "z"])
    got = minmax_scale(df)
    expected = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [0.0, 0.0, 0.0], "c": [1.0, 0.0, 1.0]},
                            index=["x", "y", "z"])
    pd.testing.assert_frame_equal(got, expected)
    got = minmax_scale(df, feature_range=(-1, 1))
    assert got["a"].tolist() == [-1.0, 0.0, 1.0] and got["b"].tolist() == [-1.0] * 3


def test_minmax_arrays_and_series():
    arr = np.array([[0, 10], [5, 20], [10, 30]])
    np.testing.assert_array_equal(minmax_scale(arr), [[0, 0], [0.5, 0.5], [1, 1]])
    np.testing.assert_array_equal(minmax_scale(np.array([2.0, 4.0])), [0.0, 1.0])
    s = pd.Series([2.0, 6.0, 4.0], index=list("abc"), name="f")
    got = minmax_scale(s)
    assert got.name == "f" and got.tolist() == [0.0, 1.0, 0.5] and list(got.index) == list("abc")


def test_minmax_errors_name_the_problem():
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, 2.0, np.inf]}, index=[10, 11, 12])
    with pytest.raises(ValueError, match=r"columns \[a, b\] at rows \[11, 12\]"):
        minmax_scale(df)
    with pytest.raises(TypeError, match=r"frame_or_array has non-numeric columns \['s'\]"):
        minmax_scale(pd.DataFrame({"s": ["a", "b"]}))
    with pytest.raises(ValueError, match="lo < hi"):
        minmax_scale(np.ones((2, 2)), feature_range=(1, 0))
    with pytest.raises(ValueError, match="frame_or_array has 0 rows"):
        minmax_scale(np.empty((0, 2)))
    # BUG-12: a ragged list gave NumPy's message, naming neither function nor argument.
    with pytest.raises(ValueError, match=r"^frame_or_array could not be read as an array .* same "
                                         r"length"):
        minmax_scale([[1.0, 2.0, 3.0], [1.0]])


def _exact_minmax(col, lo=0.0, hi=1.0):
    """Min-max scaling of one column in exact rational arithmetic, rounded once."""
    q = [Fraction(float(v)) for v in col]
    mn, mx = min(q), max(q)
    return [float(Fraction(lo) + (v - mn) / (mx - mn) * (Fraction(hi) - Fraction(lo)))
            for v in q]


def test_minmax_column_spanning_more_than_dbl_max():
    # BUG-6: max - min overflowed to inf and the column came back NaN.
    rng = np.random.default_rng(6)
    x = rng.random((12, 3))
    x[:, 0] = [1.7e308, -1.7e308] * 6
    got = minmax_scale(x)
    np.testing.assert_array_equal(got[:, 0], [1.0, 0.0] * 6)
    np.testing.assert_array_equal(got[:, 1:], reference.minmax(x[:, 1:]))
    wide = np.array([-1.7e308, 1e308, 1.7e308, 0.0, -1e-300, 5e307, np.finfo(float).max])
    for fr in ((0.0, 1.0), (-1.0, 1.0), (10.0, 20.0)):
        got = minmax_scale(wide, feature_range=fr)
        # lo + t * (hi - lo) rounds to about 1 ulp of max(|lo|, |hi|), as the plain formula does
        np.testing.assert_allclose(got, _exact_minmax(wide, *fr), rtol=0,
                                   atol=2 * np.spacing(max(abs(fr[0]), abs(fr[1]))))
        assert got.min() == fr[0] and got.max() == fr[1]
    df = pd.DataFrame({"w": wide, "n": np.arange(7.0)}, index=list("abcdefg"))
    got = minmax_scale(df)
    assert np.isfinite(got.to_numpy()).all() and got.index.equals(df.index)
    np.testing.assert_array_equal(got["n"], np.arange(7.0) / 6.0)
    with pytest.raises(ValueError, match="feature_range .* wider than float64"):
        minmax_scale(x, feature_range=(-1.7e308, 1.7e308))


def test_minmax_ordinary_data_is_the_plain_formula_bit_for_bit():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(200, 5)) * [1.0, 1e-3, 1e6, 1e300, 1e-300]
    np.testing.assert_array_equal(minmax_scale(x), reference.minmax(x))
    np.testing.assert_array_equal(minmax_scale(x, feature_range=(-2.0, 3.0)),
                                  reference.minmax(x, -2.0, 3.0))


def test_pipeline_features_scaled(hand):
    customers = customer_features(load_contracts(hand), as_of=AS_OF)
    x = minmax_scale(customers[PAPER_B_FEATURES])
    assert x.shape == (3, 8) and x.min().min() == 0.0 and x.max().max() == 1.0
    assert x.index.equals(customers.index)


def test_loading_a_loaded_frame_keeps_every_row():
    # The source lacks 13 optional columns: the loaded frame has them all-NA. Loading
    # that frame again used to drop every row as missing_value in those columns.
    raw = pd.DataFrame({
        "Contract ID": ["c1", "c2", "c3", "c4", "c5"],
        "Customer ID": ["u1", "u1", "u2", "u3", "u4"],
        "Date Installed": ["2020-01-15", "2021-03-01", "not a date", "2019-06-30",
                           "2018-02-01"],
        "Monthly Fee": [30.0, 25.5, 40.0, -5.0, 12.0],
        "Debt": ["no", "no", "no", "no", "no"],
    })
    once = load_contracts(raw)
    twice, report = load_contracts(once, return_report=True)
    # expected by hand: c3 (bad date) and c4 (negative fee) go, the other three stay
    assert twice["contract_id"].tolist() == ["c1", "c2", "c5"]
    assert report.n_read == report.n_kept == 3 and report.n_dropped == 0
    assert twice["monthly_fee"].tolist() == [30.0, 25.5, 12.0]
    assert twice["date_installed"].tolist() == [pd.Timestamp("2020-01-15"),
                                                pd.Timestamp("2021-03-01"),
                                                pd.Timestamp("2018-02-01")]
    assert set(report.absent_columns) == set(once.attrs["absent_columns"])
    assert len(report.absent_columns) == 13
    # a filtered copy keeps attrs; a column filled in since then is data again
    part = once[once["monthly_fee"] > 20].copy()
    part["location"] = ["Porto", None]
    again, report = load_contracts(part, return_report=True)
    assert report.dropped["reason"].to_dict() == {1: "missing_value"}
    assert report.dropped.loc[1, "column"] == "location"
    assert again["location"].tolist() == ["Porto"]


def test_loading_a_full_loaded_frame_is_the_identity():
    once = load_contracts(make_contracts(300, random_state=0))
    twice, report = load_contracts(once, return_report=True)
    assert report.n_dropped == 0 and report.absent_columns == ()
    pd.testing.assert_frame_equal(twice.reset_index(drop=True), once.reset_index(drop=True))
