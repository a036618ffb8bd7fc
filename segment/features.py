"""Paper B's customer features: contracts in, one row per customer out.

Paper B (Table 7; SPEC.md "Paper B features") describes every customer by the
features the managers voted for. `customer_features` aggregates clean
contract rows (the output of segment.contracts.load_contracts) with
vectorised pandas into the Table 7 features (`PAPER_B_FEATURES`) and the RFM
baseline of Table 23 (`RFM_FEATURES`).

`FEATURE_INPUTS`, `feature_dates` and `day_numbers` are the rules' building
blocks that segment.dask shares: which contract columns a feature reads, and
a date column as calendar day numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segment._parsing import date_value, naive_datetimes, parse_dates, parse_numbers
from segment._validation import listed
from segment.contracts import (
    CONTRACT_COLUMNS,
    COUNT_COLUMNS,
    DATE_COLUMNS,
    EXTENSION_DATE_COLUMNS,
    FEE_COLUMNS,
)

__all__ = [
    "DAYS_PER_MONTH",
    "FEATURE_INPUTS",
    "PAPER_B_FEATURES",
    "PORTUGAL_REGIONS",
    "RFM_FEATURES",
    "customer_features",
    "day_numbers",
    "feature_dates",
]


#: Paper B's Table 7 features, in the paper's order (a list, so `frame[PAPER_B_FEATURES]` works).
PAPER_B_FEATURES = [
    "gross_revenue",
    "frequency",
    "recency",
    "business",
    "direct_debit",
    "time_to_first_extension",
    "quantity_of_debt",
    "north_region",
]


#: The RFM-only baseline of Paper B's Table 23.
RFM_FEATURES = ["rfm_recency", "rfm_frequency", "rfm_monetary"]


_ALL_FEATURES = PAPER_B_FEATURES + RFM_FEATURES + ["n_contracts"]


DAYS_PER_MONTH = 30.4375  # 365.25 / 12


#: Portugal's 18 districts and 2 autonomous regions -> "north" / "south" (keys
#: are matched ignoring case, accents, spaces and hyphens). North = the five
#: districts lying mainly in NUTS II Norte (Viana do Castelo, Braga, Porto,
#: Vila Real, Braganca); every other district, the Azores and Madeira count as
#: south. The NUTS II names and "north"/"south" themselves are recognised too.
PORTUGAL_REGIONS = {
    "Viana do Castelo": "north",
    "Braga": "north",
    "Porto": "north",
    "Vila Real": "north",
    "Bragança": "north",
    "Aveiro": "south",
    "Viseu": "south",
    "Guarda": "south",
    "Coimbra": "south",
    "Castelo Branco": "south",
    "Leiria": "south",
    "Santarém": "south",
    "Lisboa": "south",
    "Lisbon": "south",
    "Portalegre": "south",
    "Setúbal": "south",
    "Évora": "south",
    "Beja": "south",
    "Faro": "south",
    "Açores": "south",
    "Azores": "south",
    "Madeira": "south",
    "Norte": "north",
    "Centro": "south",
    "Área Metropolitana de Lisboa": "south",
    "Alentejo": "south",
    "Algarve": "south",
    "North": "north",
    "South": "south",
}


FEATURE_INPUTS = {
    "gross_revenue": ("date_installed", "mvc"),
    "frequency": ("extensions_amount",),
    "recency": ("date_installed", "last_extension_date"),
    "business": ("contract_type",),
    "direct_debit": ("payment_type",),
    "time_to_first_extension": ("date_installed", "first_extension_date"),
    "quantity_of_debt": ("debt_amount",),
    "north_region": ("location",),
    "rfm_recency": ("date_installed", "last_extension_date"),
    "rfm_frequency": ("extensions_amount",),
    "rfm_monetary": ("date_installed", "installation_fee", "monthly_fee", "extensions_fee"),
    "n_contracts": (),
}


def _norm_label(values) -> pd.Index:
    """casefold, strip accents, collapse spaces/hyphens/underscores."""
    idx = pd.Index(values, dtype="object").astype(str)
    idx = idx.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return idx.str.casefold().str.replace(r"[\s_\-]+", " ", regex=True).str.strip()


def _any_label(values: pd.Series, labels) -> np.ndarray:
    """1 where the normalised value is one of `labels` (factorised: no loop over rows)."""
    if isinstance(labels, str):
        labels = (labels,)
    wanted = set(_norm_label(list(labels)))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hit = np.asarray(_norm_label(uniques).isin(wanted), dtype=bool)
    return np.where(codes >= 0, hit[np.maximum(codes, 0)], False)


def _north(location: pd.Series, region_map, north) -> np.ndarray:
    region_map = PORTUGAL_REGIONS if region_map is None else region_map
    if not hasattr(region_map, "items"):
        raise TypeError("region_map must be a dict {location: region}")
    if isinstance(north, str):
        north = (north,)
    keys = _norm_label(list(region_map.keys()))
    regions = _norm_label([str(v) for v in region_map.values()])
    lookup = dict(zip(keys, regions, strict=True))
    north_set = set(_norm_label(list(north)))
    codes, uniques = pd.factorize(location, use_na_sentinel=True)
    norm = _norm_label(uniques)
    region = pd.Index([lookup.get(u, u if u in north_set or u in regions else None)
                       for u in norm], dtype="object")  # loop over distinct locations only
    unknown = [uniques[i] for i in np.flatnonzero(region.isna())]
    if unknown:
        raise ValueError(
            f"contracts has locations not in region_map: {listed(unknown)}; pass "
            "region_map={**segment.features.PORTUGAL_REGIONS, 'Your place': 'north'} "
            "(or your own map) to place them"
        )
    hit = np.asarray(region.isin(north_set), dtype=bool)
    return np.where(codes >= 0, hit[np.maximum(codes, 0)], False)


def feature_dates(frame, c, dayfirst) -> pd.Series:
    s = frame[c]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return naive_datetimes(s)
    parsed, miss, bad, oor = parse_dates(s, None, dayfirst)
    if (bad | oor).any():
        rows = frame.index[bad | oor]
        hint = "" if dayfirst is not None else " (for day/month dates pass dayfirst=)"
        raise ValueError(
            f"contracts has unparseable dates in column {c} at rows {listed(rows)}; "
            "convert them with pandas.to_datetime or load the data with load_contracts"
            f"{hint}"
        )
    return parsed


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Calendar day numbers (days since 1970-01-01) as float64, NaN for NaT."""
    arr = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    days = arr.astype(np.int64).astype(np.float64)
    days[np.isnat(arr)] = np.nan
    return days


def customer_features(
    contracts,
    *,
    as_of=None,
    region_map=None,
    north=("north",),
    direct_debit=("direct debit",),
    business=("business",),
    days_per_month=DAYS_PER_MONTH,
    features=None,
    dayfirst=None,
):
    """Aggregate contracts to one row per customer: Paper B's Table 7 and RFM features.

    Parameters
    ----------
    contracts : DataFrame, shape (n_contracts, >= 1)
        Clean contract rows in the canonical schema (the output of
        `load_contracts`); only the columns the requested features need are
        used. Missing values in them are an error (clean first).
    as_of : date-like, optional
        The data extraction date (Paper B: 2022-07-12). Defaults to the latest
        date in the data (installation or extension). No date may be after it.
        A string whose day and month could be swapped ("12/07/2022") is an
        error unless `dayfirst` is given; ISO dates ("2022-07-12") and strings
        with one reading ("25/07/2022") need nothing.
    region_map : dict, optional
        ``{location: region}``; default `PORTUGAL_REGIONS` (districts of
        Portugal -> "north"/"south"). Matching ignores case, accents, spaces and
        hyphens. It replaces the default; to extend it use
        ``{**PORTUGAL_REGIONS, "Vigo": "north"}``. A location that is neither
        in the map nor itself a region name is an error.
    north : sequence of str, default ("north",)
        Regions (after mapping) that count as the northern region.
    direct_debit : sequence of str, default ("direct debit",)
        ``payment_type`` values that mean direct debit (matched like regions;
        e.g. add "Bank transfer (automatic)" for the Telco data).
    business : sequence of str, default ("business",)
        ``contract_type`` values that mean a business contract.
    days_per_month : float, default 30.4375
        Days per month (365.25 / 12) for the revenue rules.
    features : list of str, optional
        Features to compute; default all of `PAPER_B_FEATURES`, `RFM_FEATURES`
        and ``n_contracts``. Ask for a subset when the data lacks the columns of
        some features (the error says which ones can be computed).
    dayfirst : bool, optional
        How to read day/month dates in `as_of` and in date columns given as
        text (True: ``12/07/2022`` is 12 July; False: 7 December); see
        `load_contracts`. Default None: never guessed.

    Returns
    -------
    DataFrame, shape (n_customers, n_features)
        Indexed by ``customer_id`` (sorted), one column per feature. All day
        counts are whole calendar days; "months" are days / `days_per_month`.

        * ``gross_revenue`` (float): sum over the customer's contracts of
          ``mvc`` x months from installation to `as_of`.
        * ``frequency`` (int): total ``extensions_amount``.
        * ``recency`` (int): days from the customer's last extension (latest
          ``last_extension_date`` over all contracts) to `as_of`; with no
          extension, days since the customer's first installation.
        * ``business`` (0/1): any contract of type business.
        * ``direct_debit`` (0/1): any contract paid by direct debit.
        * ``time_to_first_extension`` (int): days from the first installation
          to the first extension (earliest ``first_extension_date``); with no
          extension, days from the first installation to `as_of`.
        * ``quantity_of_debt`` (int): total ``debt_amount`` (times managed by the
          debt department).
        * ``north_region`` (0/1): any installation in the northern region.
        * ``rfm_recency``, ``rfm_frequency`` (int): as recency and frequency.
        * ``rfm_monetary`` (float): sum over contracts of ``installation_fee`` +
          (``monthly_fee`` + ``extensions_fee``) x months from installation to
          `as_of`.
        * ``n_contracts`` (int): number of contracts.

        A contract without extension has empty (NaT) extension dates.

    Examples
    --------
    >>> import pandas as pd
    >>> from segment.features import customer_features
    >>> contracts = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "date_installed": pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01"]),
    ...     "extensions_amount": [2, 0, 0],
    ...     "first_extension_date": pd.to_datetime(["2020-03-01", None, None]),
    ...     "last_extension_date": pd.to_datetime(["2021-06-30", None, None]),
    ... })
    >>> customer_features(contracts, as_of="2022-07-01",  # doctest: +NORMALIZE_WHITESPACE
    ...                   features=["frequency", "recency", "time_to_first_extension"])
                 frequency  recency  time_to_first_extension
    customer_id
    a                    2      366                       60
    b                    0      181                      181
    """
    if not isinstance(contracts, pd.DataFrame):
        raise TypeError(
            f"contracts must be a DataFrame (see load_contracts), got {type(contracts).__name__}"
        )
    if features is None:
        features = list(_ALL_FEATURES)
    else:
        if isinstance(features, str):
            features = [features]
        features = list(dict.fromkeys(features))
        unknown = [f for f in features if f not in FEATURE_INPUTS]
        if unknown:
            raise ValueError(
                f"features has unknown names {unknown}; choose from {list(_ALL_FEATURES)}"
            )
    if not (np.isfinite(days_per_month) and days_per_month > 0):
        raise ValueError(f"days_per_month must be a positive number, got {days_per_month!r}")
    as_of_ts = None if as_of is None else date_value(as_of, dayfirst)
    if "customer_id" not in contracts.columns:
        raise ValueError(
            "contracts has no column customer_id; load it with load_contracts(..., columns=...)"
        )

    absent = set(contracts.attrs.get("absent_columns", ()))
    has_ext_amount = "extensions_amount" in contracts.columns and (
        bool(contracts["extensions_amount"].notna().any())
        or (len(contracts) == 0 and "extensions_amount" not in absent)
    )

    def available(c):
        # A column is usable when it has values; load_contracts' attrs["absent_columns"]
        # only decides for all-empty columns (the user may have filled one since).
        if c not in contracts.columns:
            return False
        if contracts[c].notna().any():
            return True
        if c in absent:
            return False
        if len(contracts) == 0:
            return True
        # all-empty extension dates mean "no extensions" only when the counts are known
        return c in EXTENSION_DATE_COLUMNS and has_ext_amount

    lacking = {}
    for f in features:
        miss = [c for c in FEATURE_INPUTS[f] if not available(c)]
        if miss:
            lacking[f] = miss
    if lacking:
        can = [f for f in features if f not in lacking]
        detail = "; ".join(f"{f} needs {cols}" for f, cols in lacking.items())
        raise ValueError(
            f"contracts lacks the columns for some features: {detail}. Map those columns in "
            f"load_contracts(columns=...), or pass features={can}"
        )
    needed = sorted({c for f in features for c in FEATURE_INPUTS[f]} | {"customer_id"},
                    key=CONTRACT_COLUMNS.index)

    # no missing values in the inputs (extension dates may be empty)
    for c in needed:
        if c in EXTENSION_DATE_COLUMNS:
            continue
        na = contracts[c].isna().to_numpy()
        if na.any():
            raise ValueError(
                f"contracts has missing values in column {c} at rows "
                f"{listed(contracts.index[na])}; clean the data first (load_contracts drops "
                "such rows) or fill them"
            )

    dates = {c: feature_dates(contracts, c, dayfirst) for c in needed if c in DATE_COLUMNS}
    numbers = {}
    for c in needed:
        if c in FEE_COLUMNS or c in COUNT_COLUMNS or c in ("mvc",):
            vals, miss, non_num, non_fin = parse_numbers(contracts[c])
            if (non_num | non_fin).any():
                raise ValueError(
                    f"contracts has non-numeric or infinite values in column {c} at rows "
                    f"{listed(contracts.index[non_num | non_fin])}"
                )
            numbers[c] = vals

    day = {c: day_numbers(s) for c, s in dates.items()}
    if as_of is None:
        candidates = [np.nanmax(v) for v in day.values() if len(v) and np.isfinite(v).any()]
        as_of_day = max(candidates) if candidates else np.nan
        if not np.isfinite(as_of_day) and len(contracts) and day:
            raise ValueError("contracts has no dates to take as_of from; pass as_of=")
    else:
        as_of_day = float(np.datetime64(as_of_ts.normalize().to_datetime64(), "D")
                          .astype(np.int64))
    for c, v in day.items():
        late = v > as_of_day
        if late.any():
            as_of_txt = np.datetime64(int(as_of_day), "D")
            raise ValueError(
                f"contracts has dates after as_of={as_of_txt} in column {c} at rows "
                f"{listed(contracts.index[late])}; pass a later as_of or drop those rows"
            )
    if "date_installed" in day:
        inst = day["date_installed"]
        for c in EXTENSION_DATE_COLUMNS:
            if c in day:
                early = day[c] < inst
                if early.any():
                    raise ValueError(
                        f"contracts has {c} before date_installed at rows "
                        f"{listed(contracts.index[early])}; load_contracts drops such rows"
                    )

    codes, uniques = pd.factorize(contracts["customer_id"], sort=True)
    m = len(uniques)
    result = {}

    def total(x):
        return np.bincount(codes, weights=x, minlength=m)

    def any_(flag):
        return (np.bincount(codes, weights=flag.astype(np.float64), minlength=m) > 0).astype(
            np.int64
        )

    def group_min(x):
        out = np.full(m, np.inf)
        np.fmin.at(out, codes, x)
        return out

    def group_max(x):
        out = np.full(m, -np.inf)
        np.fmax.at(out, codes, x)
        return out

    months = None
    first_inst = None
    if "date_installed" in day:
        months = (as_of_day - day["date_installed"]) / days_per_month
        first_inst = group_min(day["date_installed"])
    for f in features:
        if f == "gross_revenue":
            result[f] = total(numbers["mvc"] * months)
        elif f in ("frequency", "rfm_frequency"):
            result[f] = np.rint(total(numbers["extensions_amount"])).astype(np.int64)
        elif f in ("recency", "rfm_recency"):
            last_ext = group_max(day["last_extension_date"])
            ref = np.where(np.isfinite(last_ext), last_ext, first_inst)
            result[f] = (as_of_day - ref).astype(np.int64)
        elif f == "business":
            result[f] = any_(_any_label(contracts["contract_type"], business))
        elif f == "direct_debit":
            result[f] = any_(_any_label(contracts["payment_type"], direct_debit))
        elif f == "time_to_first_extension":
            first_ext = group_min(day["first_extension_date"])
            end = np.where(np.isfinite(first_ext), first_ext, as_of_day)
            result[f] = (end - first_inst).astype(np.int64)
        elif f == "quantity_of_debt":
            result[f] = np.rint(total(numbers["debt_amount"])).astype(np.int64)
        elif f == "north_region":
            result[f] = any_(_north(contracts["location"], region_map, north))
        elif f == "rfm_monetary":
            per_contract = numbers["installation_fee"] + (
                numbers["monthly_fee"] + numbers["extensions_fee"]
            ) * months
            result[f] = total(per_contract)
        elif f == "n_contracts":
            result[f] = np.bincount(codes, minlength=m).astype(np.int64)
    index = pd.Index(uniques, name="customer_id")
    return pd.DataFrame(result, index=index, columns=features)

