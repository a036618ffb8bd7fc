"""Contract data: load and clean contract exports, build per-customer features.

Paper B (Tables 1 and 7; SPEC.md "Paper B features") starts from one row per
contract with 18 attributes and ends with one row per customer and the features
the managers voted for. This module does both steps with vectorised pandas:

* `load_contracts` reads a CSV, Excel, Parquet or Feather file, a DataFrame or
  a SQL query; maps the user's column names onto the canonical schema
  (`CONTRACT_COLUMNS`); parses and checks every value; drops invalid rows and
  the customers with outstanding debt; and accounts for every input row in a
  `CleaningReport`.
* `customer_features` aggregates the contracts to one row per customer: the
  Table 7 features (`PAPER_B_FEATURES`) and the RFM baseline (`RFM_FEATURES`).
* `minmax_scale` scales features to [0, 1] for k-means, keeping labels.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segment._io import read_table
from segment._validation import span_without_overflow

__all__ = [
    "CONTRACT_COLUMNS",
    "REQUIRED_COLUMNS",
    "PAPER_B_FEATURES",
    "RFM_FEATURES",
    "PORTUGAL_REGIONS",
    "CleaningReport",
    "ContractDataError",
    "load_contracts",
    "customer_features",
    "minmax_scale",
]

#: The canonical schema of Paper B's Table 1, in order.
CONTRACT_COLUMNS = (
    "contract_id",
    "customer_id",
    "date_installed",
    "location",
    "contract_type",
    "local_description",
    "payment_type",
    "invoice_type",
    "monthly_fee",
    "installation_fee",
    "extensions_amount",
    "extensions_fee",
    "first_extension_date",
    "last_extension_date",
    "debt_amount",
    "time_in_debt",
    "mvc",
    "debt",
)
#: Columns a source must have; every other canonical column is optional.
REQUIRED_COLUMNS = ("contract_id", "customer_id", "date_installed")

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

_ID_COLUMNS = ("contract_id", "customer_id")
_DATE_COLUMNS = ("date_installed", "first_extension_date", "last_extension_date")
_EXTENSION_DATES = ("first_extension_date", "last_extension_date")
_TEXT_COLUMNS = ("location", "local_description", "payment_type", "invoice_type")
_FEE_COLUMNS = ("monthly_fee", "installation_fee", "extensions_fee")
_COUNT_COLUMNS = ("extensions_amount", "debt_amount")
_MIN_DATE = pd.Timestamp("1900-01-01")
_MAX_DATE = pd.Timestamp("2100-12-31")
DAYS_PER_MONTH = 30.4375  # 365.25 / 12

_CONTRACT_TYPES = {
    "private": "private",
    "residential": "private",
    "particular": "private",
    "business": "business",
    "commercial": "business",
    "empresa": "business",
}
_TRUE = ("true", "t", "yes", "y", "1", "1.0", "sim", "s", "x")
_FALSE = ("false", "f", "no", "n", "0", "0.0", "nao", "não")
_BOOLEAN = {**{k: True for k in _TRUE}, **{k: False for k in _FALSE}}

# Normalised spellings recognised without `columns=` (beyond the canonical names).
_ALIASES = {
    "contract_id": (
        "contract_no",
        "contract_number",
        "contract_nr",
        "id_contract",
        "contract_code",
    ),
    "customer_id": (
        "customer",
        "customer_no",
        "customer_number",
        "customer_nr",
        "client_id",
        "client",
        "id_customer",
        "customer_code",
    ),
    "date_installed": (
        "installation_date",
        "install_date",
        "installed_date",
        "date_of_installation",
        "installed_on",
        "date_install",
    ),
    "location": ("district", "installation_location", "site_location"),
    "contract_type": ("contract_kind", "type_of_contract"),
    "local_description": ("local_type", "premises", "premises_type", "site_description"),
    "payment_type": ("payment_method", "payment_mode"),
    "invoice_type": ("invoice_method", "billing_type", "billing_method"),
    "monthly_fee": ("monthly_charge", "monthly_charges", "monthly_price"),
    "installation_fee": ("install_fee", "installation_charge", "setup_fee"),
    "extensions_amount": (
        "extension_amount",
        "n_extensions",
        "number_of_extensions",
        "extensions_count",
        "num_extensions",
    ),
    "extensions_fee": ("extension_fee", "extensions_fees", "extension_fees"),
    "first_extension_date": ("first_extension", "date_first_extension"),
    "last_extension_date": ("last_extension", "date_last_extension"),
    "debt_amount": ("debts_amount", "times_in_debt", "number_of_times_in_debt", "debt_count"),
    "time_in_debt": ("days_in_debt", "time_in_debt_days"),
    "mvc": ("monthly_value_after_costs",),
    "debt": ("has_debt", "outstanding_debt", "in_debt"),
}

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

# ---- reasons a row is dropped, in the order they are checked ----
RAGGED = "ragged_row"
MISSING = "missing_value"
UNPARSEABLE_DATE = "unparseable_date"
DATE_OUT_OF_RANGE = "date_out_of_range"
NON_NUMERIC = "non_numeric"
NON_FINITE = "non_finite"
INVALID_CATEGORY = "invalid_category"
NEGATIVE = "negative_value"
NOT_INTEGER = "not_an_integer"
EXTENSION_BEFORE_INSTALLATION = "extension_before_installation"
LAST_BEFORE_FIRST = "last_extension_before_first"
EXTENSIONS_WITHOUT_DATES = "extensions_without_dates"
DATES_WITHOUT_EXTENSIONS = "extension_dates_without_extensions"
DUPLICATE_ROW = "duplicate_row"
DUPLICATE_CONTRACT_ID = "duplicate_contract_id"
OUTSTANDING_DEBT = "outstanding_debt"
CUSTOMER_OUTSTANDING_DEBT = "customer_outstanding_debt"

#: Every reason a row can be dropped for, in the order the checks are applied.
REASONS = (
    RAGGED, MISSING, UNPARSEABLE_DATE, DATE_OUT_OF_RANGE, NON_NUMERIC, NON_FINITE,
    INVALID_CATEGORY, NEGATIVE, NOT_INTEGER, EXTENSION_BEFORE_INSTALLATION, LAST_BEFORE_FIRST,
    EXTENSIONS_WITHOUT_DATES, DATES_WITHOUT_EXTENSIONS, DUPLICATE_ROW, DUPLICATE_CONTRACT_ID,
    OUTSTANDING_DEBT, CUSTOMER_OUTSTANDING_DEBT,
)

_REASON_TEXT = {
    RAGGED: "rows with more fields than the header",
    MISSING: "missing values in column {col}",
    UNPARSEABLE_DATE: "unparseable dates in column {col}",
    DATE_OUT_OF_RANGE: "dates outside 1900-2100 in column {col}",
    NON_NUMERIC: "non-numeric values in column {col}",
    NON_FINITE: "infinite values in column {col}",
    INVALID_CATEGORY: "unrecognised values in column {col}",
    NEGATIVE: "negative values in column {col}",
    NOT_INTEGER: "non-integer counts in column {col}",
    EXTENSION_BEFORE_INSTALLATION: "{col} before date_installed",
    LAST_BEFORE_FIRST: "last_extension_date before first_extension_date",
    EXTENSIONS_WITHOUT_DATES: "extensions_amount > 0 but no {col}",
    DATES_WITHOUT_EXTENSIONS: "{col} given although extensions_amount is 0",
    DUPLICATE_ROW: "exact copies of an earlier row",
    DUPLICATE_CONTRACT_ID: "different rows sharing one contract_id",
}


def _first(items, limit=10) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return f"[{shown}{', ...' if len(items) > limit else ''}]"


class ContractDataError(ValueError):
    """Invalid contract rows under ``errors="raise"``; ``.issues`` lists them all."""

    def __init__(self, message: str, issues: pd.DataFrame):
        super().__init__(message)
        self.issues = issues


@dataclass(frozen=True, repr=False, eq=False)
class CleaningReport:
    """What `load_contracts` did with every input row.

    Every row read is either kept or dropped for exactly one named reason (the
    first problem found, in the order of `reasons`), so
    ``n_kept + n_dropped == n_read`` and the kept frame's index together with
    ``dropped.index`` is exactly ``range(n_read)``. Rows are 0-based positions
    in the source table (in a CSV with a header, row r is on line r + 2).

    Attributes
    ----------
    source : str
        Where the data came from ("contracts.csv", "DataFrame", "SQL query").
    n_read, n_kept : int
        Rows read and rows kept.
    dropped : DataFrame, shape (n_dropped, 5)
        One row per dropped input row, indexed by row position: ``reason``,
        ``column`` (the column at fault, or None), ``value`` (the raw value),
        ``contract_id``, ``customer_id``.
    issues : DataFrame, shape (n_issues, 3)
        Every data problem found (a row can have several), indexed by row
        position: ``reason``, ``column``, ``value``. Excludes debt exclusions.
    column_map : dict
        Source column name -> canonical name used.
    absent_columns : tuple of str
        Optional canonical columns the source did not have (all-NA in the result).
    reasons : tuple of str
        The reasons in the order they are checked.

    Examples
    --------
    >>> from segment.contracts import load_contracts
    >>> from segment.datasets import make_contracts
    >>> contracts, report = load_contracts(make_contracts(2000, random_state=0),
    ...                                    return_report=True)
    >>> report.n_kept + report.n_dropped == report.n_read == 2000
    True
    >>> report.to_frame().loc[["kept", "outstanding_debt", "total"], "rows"].tolist()
    [1879, 106, 2000]
    """

    source: str
    n_read: int
    n_kept: int
    dropped: pd.DataFrame
    issues: pd.DataFrame
    column_map: dict = field(default_factory=dict)
    absent_columns: tuple = ()
    reasons: tuple = ()

    @property
    def n_dropped(self) -> int:
        return len(self.dropped)

    @property
    def counts(self) -> pd.Series:
        """Rows per outcome: ``kept`` first, then every reason that occurred."""
        by = self.dropped["reason"].value_counts()
        order = [r for r in self.reasons if r in by.index]
        out = pd.concat([pd.Series({"kept": self.n_kept}), by.reindex(order)])
        out.name = "rows"
        out.index.name = "outcome"
        return out.astype("int64")

    def to_frame(self) -> pd.DataFrame:
        """Rows and share of the input per outcome, plus a ``total`` row.

        Returns
        -------
        DataFrame, index outcome, columns ``rows`` and ``share`` (0-1).
        """
        counts = self.counts
        frame = counts.to_frame()
        frame["share"] = counts / self.n_read if self.n_read else np.nan
        frame.loc["total"] = [self.n_read, 1.0 if self.n_read else np.nan]
        frame["rows"] = frame["rows"].astype("int64")
        return frame

    def rows(self, reason: str) -> np.ndarray:
        """Positions of the rows dropped for `reason`."""
        return self.dropped.index[self.dropped["reason"] == reason].to_numpy()

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={v}" for k, v in self.counts.items())
        return f"CleaningReport(source={self.source!r}, read={self.n_read}, {parts})"

    def __str__(self) -> str:
        lines = [f"{self.source}: {self.n_read} rows read, {self.n_kept} kept, "
                 f"{self.n_dropped} dropped"]
        counts = self.counts
        for reason, n in counts.iloc[1:].items():
            cols = self.dropped.loc[self.dropped["reason"] == reason, "column"].dropna().unique()
            where = f" ({', '.join(map(str, cols))})" if len(cols) else ""
            lines.append(f"  {reason}{where}: {n}")
        if self.absent_columns:
            lines.append(f"  columns not in the source: {', '.join(self.absent_columns)}")
        return "\n".join(lines)

    def __deepcopy__(self, memo):
        # pandas deep-copies DataFrame.attrs on most operations; the report is
        # immutable, so sharing it is safe and keeps those operations cheap.
        return self


# ---------------------------------------------------------------- column names


def _normalize_name(name) -> str:
    s = unicodedata.normalize("NFKD", str(name).strip())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", s)  # camelCase -> camel_Case
    return re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()


_LOOKUP = {c: c for c in CONTRACT_COLUMNS}
_LOOKUP.update({alias: canon for canon, aliases in _ALIASES.items() for alias in aliases})


def _resolve_columns(source_columns, columns, required) -> dict:
    """Map source column names onto canonical names; return {source: canonical}."""
    src = [c for c in source_columns]
    mapping: dict = {}
    taken: dict = {}
    if columns is not None:
        if not isinstance(columns, dict):
            raise TypeError(
                "columns must be a dict {your column name: canonical name}, "
                f"got {type(columns).__name__}"
            )
        for user, target in columns.items():
            if user not in src:
                hint = ""
                if user in CONTRACT_COLUMNS and target in src:
                    hint = f"; the dict goes {{your name: canonical}}: use {{{target!r}: {user!r}}}"
                else:
                    close = difflib.get_close_matches(str(user), [str(c) for c in src], n=3)
                    if close:
                        hint = f"; did you mean {close}?"
                raise ValueError(
                    f"columns= maps {user!r}, which is not a column of contracts{hint}. "
                    f"The source has columns {_first(src, 30)}"
                )
            targets = target if isinstance(target, (list, tuple)) else [target]
            for t in targets:
                if t is None:
                    continue
                if t not in CONTRACT_COLUMNS:
                    close = difflib.get_close_matches(str(t), CONTRACT_COLUMNS, n=3)
                    raise ValueError(
                        f"columns= maps {user!r} to {t!r}, which is not a canonical contract "
                        f"column{f' (did you mean {close}?)' if close else ''}; canonical "
                        f"columns are {list(CONTRACT_COLUMNS)}"
                    )
                if t in taken:
                    raise ValueError(
                        f"columns= maps both {taken[t]!r} and {user!r} to {t!r}; map one of them"
                    )
                taken[t] = user
            mapping[user] = [t for t in targets if t is not None]
    auto: dict = {}
    for col in src:
        if col in mapping:
            continue
        canon = _LOOKUP.get(_normalize_name(col))
        if canon is None or canon in taken:
            continue
        auto.setdefault(canon, []).append(col)
    for canon, cols in auto.items():
        if len(cols) > 1:
            raise ValueError(
                f"contracts has several columns that look like {canon!r}: {cols}; choose one "
                f"with columns={{{cols[0]!r}: {canon!r}, {cols[1]!r}: None}}"
            )
        taken[canon] = cols[0]
        mapping[cols[0]] = [canon]
    missing = [c for c in required if c not in taken]
    if missing:
        unmapped = [c for c in src if c not in mapping]
        sugg = {}
        for m in missing:
            close = difflib.get_close_matches(
                m, [_normalize_name(c) for c in unmapped], n=1, cutoff=0.5
            )
            if close:
                sugg[next(c for c in unmapped if _normalize_name(c) == close[0])] = m
        example = sugg or {"<your column>": missing[0]}
        raise ValueError(
            f"contracts is missing required columns {missing}; it has columns "
            f"{_first(src, 30)}. Map yours with columns=, e.g. columns={example!r}, or "
            "pass required= to make a column optional"
        )
    return {user: targets for user, targets in mapping.items() if targets}


# ---------------------------------------------------------------- value parsing


def _text(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Stripped text with empty strings as NaN; returns (text, missing mask)."""
    notna = raw.notna().to_numpy()
    if pd.api.types.is_float_dtype(raw.dtype):
        vals = raw.to_numpy()
        integral = notna & (np.floor(np.where(notna, vals, 0)) == vals)
        as_int = raw.where(integral).astype("Int64").astype("str")
        txt = as_int.where(integral, raw.astype("str"))
    else:
        txt = raw.astype("str")
    txt = txt.where(notna).str.strip()
    missing = ~notna | (txt == "").fillna(True).to_numpy(bool)
    return txt.where(~missing), missing


# A date written with day and month as numbers and no year first: 12/07/2022,
# 12.07.22, 3-4-2023 10:30. Groups: first field, separator, second field, year, rest.
_DAY_MONTH = r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)(.*)"
_DAY_MONTH_RE = re.compile(_DAY_MONTH, re.S)


def _full_year(year: pd.Series) -> pd.Series:
    """Four-digit years as text; two-digit years as strptime's %y does (69-99 -> 19xx)."""
    short = year.str.len() == 2
    num = pd.to_numeric(year, errors="coerce")
    century = np.where(num <= 68, 2000, 1900)
    return year.where(~short, (num + century).astype("Int64").astype("str"))


def _day_month_to_iso(parts: pd.DataFrame, dayfirst: bool) -> pd.Series:
    """ISO text (yyyy-mm-dd + the rest) from the groups of `_DAY_MONTH`, vectorised."""
    day, month = (parts[0], parts[2]) if dayfirst else (parts[2], parts[0])
    return (_full_year(parts[3]) + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
            + parts[4])


def _date_value(value, dayfirst=None, *, name="as_of", flags=("dayfirst=True",
                                                              "dayfirst=False")):
    """A Timestamp (time-zone-naive) from a user's date, refusing a day/month order guess.

    A string such as "12/07/2022" (both fields <= 12, not ISO) is an error unless
    `dayfirst` says which field is the day; "25/07/2022" and "07/25/2022" have one
    reading, and ISO dates, Timestamps and datetimes are taken as they are.
    `flags` name the two ways to say the order (day first, month first) in the
    message; None when the caller has no such option.
    """
    text = value
    if isinstance(value, str) and (m := _DAY_MONTH_RE.fullmatch(value.strip())):
        a, b = int(m.group(1)), int(m.group(3))
        parts = pd.DataFrame([m.groups()], dtype=object).astype(str)
        how = f", or pass {flags[0]} (day first) or {flags[1]} (month first)" if flags else ""
        if dayfirst is None:
            if a <= 12 and b <= 12 and a != b:
                first, second = (_day_month_to_iso(parts, f).iloc[0].strip() for f in (True, False))
                raise ValueError(
                    f"{name}={value!r} is ambiguous: it reads as {first!r} (day first) or "
                    f"{second!r} (month first); write it as an ISO date (yyyy-mm-dd){how}"
                )
            dayfirst = a > 12
        month = b if dayfirst else a
        if month > 12:
            order = "day first" if dayfirst else "month first"
            other = flags[1] if dayfirst else flags[0] if flags else None
            raise ValueError(
                f"{name}={value!r} has no month {month} when read {order}; write it as an ISO "
                f"date (yyyy-mm-dd){f' or pass {other}' if other else ''}"
            )
        text = _day_month_to_iso(parts, dayfirst).iloc[0]
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a date, got {value!r}") from None
    if ts is pd.NaT:
        raise ValueError(f"{name} must be a date, got NaT")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts


def _to_naive_datetime(txt: pd.Series, fmt: str) -> pd.Series:
    """pd.to_datetime of text (NaT where unparseable), wall time without time zone."""
    try:
        parsed = pd.to_datetime(txt, errors="coerce", format=fmt)
    except ValueError:  # mixed time zones
        parsed = pd.to_datetime(txt, errors="coerce", format=fmt, utc=True)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _parse_dates(raw: pd.Series, date_format, dayfirst):
    """Return (datetime64[ns] series, missing, unparseable, out_of_range) masks.

    Text is read with `date_format`, or else as ISO 8601; with `dayfirst` True or
    False (and no `date_format`), text that is not ISO is read as day/month/year
    or month/day/year (separators / . -, two- or four-digit years).
    """
    n = len(raw)
    notna = raw.notna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        parsed = _naive_datetimes(raw)
        missing = ~notna
        bad = np.zeros(n, bool)
    elif pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype):
        parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        missing = ~notna
        bad = notna.copy()
    else:
        txt, missing = _text(raw)
        parsed = _to_naive_datetime(txt, date_format or "ISO8601")
        bad = ~missing & parsed.isna().to_numpy()
        if date_format is None and dayfirst is not None and bad.any():
            parts = txt[bad].str.extract(_DAY_MONTH)
            retry = _to_naive_datetime(_day_month_to_iso(parts, bool(dayfirst)), "ISO8601")
            parsed = parsed.astype("datetime64[ns]")
            parsed[bad] = retry.astype("datetime64[ns]").to_numpy()
            bad = ~missing & parsed.isna().to_numpy()
    ok = parsed.notna().to_numpy(dtype=bool)
    out_of_range = np.zeros(n, bool)
    if ok.any():
        outside = (parsed < _MIN_DATE) | (parsed > _MAX_DATE)
        out_of_range = ok & outside.to_numpy(dtype=bool, na_value=False)
    parsed = parsed.where(~out_of_range).astype("datetime64[ns]")
    return parsed, missing, bad, out_of_range


def _naive_datetimes(s: pd.Series) -> pd.Series:
    """Time-zone-naive (local wall time) datetimes with a NumPy dtype."""
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    if not isinstance(s.dtype, np.dtype):  # e.g. pyarrow timestamps
        try:
            s = s.astype("datetime64[ns]")
        except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
            s = pd.to_datetime(s.astype("object"), errors="coerce")
    return s


# Spaces that French (and other) exports put between groups of thousands.
_SPACES = (" ", "\u00a0", "\u202f")


def _number_marks(read_options) -> tuple[str, str | None]:
    """(decimal, thousands) marks from the user's read_options."""
    options = read_options or {}
    decimal = options.get("decimal") or "."
    thousands = options.get("thousands") or None
    for name, mark in (("decimal", decimal), ("thousands", thousands)):
        if mark is not None and (not isinstance(mark, str) or len(mark) != 1):
            raise ValueError(
                f"read_options[{name!r}] must be one character, got {mark!r}"
            )
    if decimal == thousands:
        raise ValueError(
            f"read_options has the same decimal and thousands mark {decimal!r}; pass the "
            "marks your file uses, e.g. {'decimal': ',', 'thousands': '.'}"
        )
    return decimal, thousands


def _localized_numbers(txt: pd.Series, decimal: str, thousands) -> np.ndarray:
    """Numbers written with the user's marks; NaN where a cell does not follow them.

    A thousands mark must separate groups of exactly three digits after a first
    group of one to three ("1.234.567,5"; "1.5" under thousands="." is neither 1.5
    nor 15, so it is NaN); a space as thousands mark also matches the no-break
    spaces U+00A0 and U+202F. Infinity spelled out ("inf") is kept, as before.
    Vectorised: one regular-expression match and one replace per column.
    """
    t = "|".join(map(re.escape, _SPACES if thousands in _SPACES else (thousands or "",)))
    grouped = rf"\d{{1,3}}(?:(?:{t})\d{{3}})+|" if thousands else ""
    d = re.escape(decimal)
    pattern = (rf"[+-]?(?:(?:{grouped}\d+)(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?"
               r"|[+-]?(?i:inf|infinity)")
    valid = txt.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    plain = txt.where(valid)
    if thousands:
        plain = plain.str.replace(f"(?:{t})", "", regex=True)
    if decimal != ".":
        plain = plain.str.replace(decimal, ".", regex=False)
    return pd.to_numeric(plain, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _text_cells(raw: pd.Series) -> np.ndarray:
    """True where a cell is a string (an object column may mix strings and numbers)."""
    if raw.dtype != object:
        return raw.notna().to_numpy(dtype=bool)
    try:
        return raw.str.len().notna().to_numpy(dtype=bool)
    except AttributeError:  # no string at all
        return np.zeros(len(raw), bool)


def _parse_numbers(raw: pd.Series, decimal=".", thousands=None):
    """Return (float64 array, missing, non_numeric, non_finite).

    Text cells are read with the user's `decimal` and `thousands` marks (see
    `_localized_numbers`); cells that are numbers already (a column pandas read as
    numbers, or the numeric chunks of a column it read in chunks of mixed type)
    keep their value.
    """
    if pd.api.types.is_bool_dtype(raw.dtype) or pd.api.types.is_numeric_dtype(raw.dtype):
        vals = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(vals)
        non_numeric = np.zeros(len(vals), bool)
    elif decimal == "." and thousands is None:
        txt, missing = _text(raw)
        vals = pd.to_numeric(txt, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        non_numeric = ~missing & np.isnan(vals)
    else:
        # per cell: text with the user's marks, numbers as they are (pandas reads a
        # large CSV in chunks; a chunk without a text cell arrives as numbers)
        is_text = _text_cells(raw)
        txt, missing = _text(raw.where(is_text))
        vals = _localized_numbers(txt, decimal, thousands)
        if not is_text.all():
            numbers = pd.to_numeric(raw.where(~is_text), errors="coerce")
            vals = np.where(is_text, vals, numbers.to_numpy(dtype=np.float64, na_value=np.nan))
            missing = np.where(is_text, missing, raw.isna().to_numpy(dtype=bool))
        non_numeric = ~missing & np.isnan(vals)
    non_finite = np.isinf(vals)
    return vals, missing, non_numeric, non_finite


def _parse_booleans(raw: pd.Series):
    """Return (object array of True/False/None, missing, invalid)."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        notna = raw.notna().to_numpy()
        vals = raw.to_numpy(dtype=object, na_value=None)
        return vals, ~notna, np.zeros(len(raw), bool)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        num = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(num)
        invalid = ~missing & (num != 0) & (num != 1)
        vals = np.where(missing | invalid, None, num == 1).astype(object)
        return vals, missing, invalid
    txt, missing = _text(raw)
    mapped = txt.str.casefold().map(_BOOLEAN)
    invalid = ~missing & mapped.isna().to_numpy()
    return mapped.to_numpy(dtype=object, na_value=None), missing, invalid


def _as_str(values: pd.Series) -> pd.Series:
    s = values.astype("str")
    return s if s.dtype == values.dtype and not values.hasnans else s.where(values.notna())


# ---------------------------------------------------------------- load_contracts


def load_contracts(
    source=None,
    *,
    columns=None,
    sheet_name=0,
    query=None,
    con=None,
    errors="report",
    exclude_debtors=True,
    required=REQUIRED_COLUMNS,
    date_format=None,
    dayfirst=None,
    encoding=None,
    keep_extra=False,
    read_options=None,
    return_report=False,
):
    """Read contract rows, map them onto Paper B's Table 1 schema and clean them.

    Parameters
    ----------
    source : str, path-like, DataFrame or None
        A ``.csv``/``.txt``/``.tsv`` (optionally compressed), ``.xlsx``/``.xls``,
        ``.parquet`` or ``.feather`` file, or a DataFrame (a named index is
        treated as a column). None when reading from a database. A frame
        returned by `load_contracts` loads again with the same rows: the
        optional columns its own source lacked (all-NA, listed in
        ``.attrs["absent_columns"]``) stay absent.
    columns : dict, optional
        ``{your column name: canonical name}`` for columns whose names are not
        recognised. A value may be a list (one source column feeding several
        canonical columns, e.g. ``{"customerID": ["contract_id", "customer_id"]}``
        when each customer has one contract) or None (ignore that column).
        Without it, canonical names and common spellings are recognised,
        ignoring case, spaces, punctuation and camelCase: "Contract ID",
        "contract id", "customerID", "MVC", "Installation Date",
        "Payment Method", "Monthly Charges", ...
    sheet_name : str or int, default 0
        Excel sheet to read.
    query, con : str and connection, optional
        A SELECT statement and a DB-API (e.g. ``sqlite3``) or SQLAlchemy
        connection, read with `pandas.read_sql`.
    errors : {"report", "raise"}, default "report"
        "report" drops invalid rows and records why; "raise" raises
        `ContractDataError` (a ValueError) naming the rows and columns at fault.
        Customers with outstanding debt are excluded under both.
    exclude_debtors : bool, default True
        Drop every contract of a customer with outstanding debt (any row whose
        ``debt`` is true), as Paper B does.
    required : sequence of str, default ("contract_id", "customer_id", "date_installed")
        Canonical columns the source must have. The other canonical columns
        are optional: when absent they are all-NA in the result and listed in
        ``report.absent_columns``; the checks that need them are skipped.
    date_format : str, optional
        strftime format of date strings (e.g. ``"%d/%m/%Y"``); default ISO 8601
        (``2022-07-12``, with or without a time). Native dates (Excel, Parquet,
        DataFrame) need no format. Time zones are dropped, keeping local wall
        time (strings with mixed UTC offsets are converted to UTC first).
    dayfirst : bool, optional
        Without `date_format`, read dates that are not ISO as day/month/year
        (True: ``12/07/2022`` is 12 July) or month/day/year (False: 7
        December); separators ``/``, ``.`` or ``-``, years of two or four
        digits, ISO dates still ISO. Default None: only ISO dates, so that a
        day/month order is never guessed (other dates are ``unparseable_date``).
        Ignored with `date_format`, which says the order itself.
    encoding : str, optional
        Text encoding of a CSV (default UTF-8; Windows exports are often
        ``"cp1252"``).
    keep_extra : bool, default False
        Keep the source's other columns after the canonical ones.
    read_options : dict, optional
        Extra keyword arguments for the pandas reader (e.g. ``{"sep": ";",
        "decimal": ",", "thousands": "."}`` for a European CSV). Its
        ``decimal`` and ``thousands`` marks also read every number that
        arrives as text (a column pandas left as text because of one bad cell,
        or a DataFrame of strings), cell by cell: with the marks above
        ``"1.500,00"`` is 1500 and ``"99,90"`` is 99.9, while a cell that
        breaks them (``"1.5"``, ``"n/d"``) is ``non_numeric``. A thousands mark
        separates groups of three digits; ``"thousands": " "`` also accepts
        the no-break spaces of French exports (U+00A0, U+202F).
    return_report : bool, default False
        Return ``(contracts, report)`` instead of ``contracts``.

    Returns
    -------
    contracts : DataFrame, shape (n_kept, 18)
        The kept rows, in input order, indexed by their 0-based row position in
        the source (index name ``row``), with the columns of
        `CONTRACT_COLUMNS` and dtypes: ids and text ``str``; dates
        ``datetime64[ns]`` (extension dates NaT when the contract has no
        extension); fees, ``time_in_debt`` and ``mvc`` float64;
        ``extensions_amount`` and ``debt_amount`` Int64; ``debt`` boolean.
        ``contract_type`` is normalised to "private"/"business". The
        `CleaningReport` is in ``contracts.attrs["cleaning_report"]``.
    report : CleaningReport
        Only with ``return_report=True``.

    Notes
    -----
    A row is dropped (Paper B, section 3.1.1) for the first of these reasons:

    ``ragged_row`` (more fields than the header), ``missing_value`` (empty in
    any present column except the extension dates, which are empty when a
    contract has no extension), ``unparseable_date``, ``date_out_of_range``
    (before 1900 or after 2100), ``non_numeric``, ``non_finite``,
    ``invalid_category`` (``contract_type`` not private/business -- "residential",
    "particular", "commercial", "empresa" are accepted -- or ``debt`` not a
    yes/no value), ``negative_value`` (fees, counts, ``time_in_debt``; ``mvc``
    may be negative), ``not_an_integer`` (counts), ``extension_before_installation``,
    ``last_extension_before_first``, ``extensions_without_dates``
    (``extensions_amount`` > 0 but no first/last extension date),
    ``extension_dates_without_extensions``, ``duplicate_row`` (an exact copy of
    an earlier row: the first copy is kept), ``duplicate_contract_id``
    (different rows with one contract id: all are dropped, as none can be
    trusted), ``outstanding_debt`` and ``customer_outstanding_debt`` (the other
    contracts of a customer with outstanding debt).

    Malformed files raise a ValueError that says what to do: unknown file
    type, empty file, wrong encoding, missing sheet, missing required columns,
    repeated header names, an unterminated quote in a CSV (naming the line it
    opens on), a damaged Excel/Parquet/Feather or compressed file. A row with
    more fields than the header (trailing empty fields included) is dropped as
    ``ragged_row``, also when it is the first data row.

    Examples
    --------
    >>> import pandas as pd
    >>> from segment.contracts import load_contracts
    >>> raw = pd.DataFrame({
    ...     "Contract ID": ["c1", "c2", "c3", "c4"],
    ...     "Customer ID": ["u1", "u1", "u2", "u3"],
    ...     "Date Installed": ["2020-01-15", "2021-03-01", "not a date", "2019-06-30"],
    ...     "Monthly Fee": [30.0, 25.5, 40.0, -5.0],
    ...     "Debt": ["no", "no", "no", "no"],
    ... })
    >>> contracts, report = load_contracts(raw, return_report=True)
    >>> cols = ["contract_id", "customer_id", "date_installed", "monthly_fee"]
    >>> contracts[cols]  # doctest: +NORMALIZE_WHITESPACE
        contract_id customer_id date_installed  monthly_fee
    row
    0            c1          u1     2020-01-15         30.0
    1            c2          u1     2021-03-01         25.5
    >>> report.dropped[["reason", "column", "value"]]  # doctest: +NORMALIZE_WHITESPACE
                   reason          column       value
    row
    2    unparseable_date  date_installed  not a date
    3      negative_value     monthly_fee        -5.0
    """
    if errors not in ("report", "raise"):
        raise ValueError(f"errors must be 'report' or 'raise', got {errors!r}")
    required = tuple(required)
    bad_req = [c for c in required if c not in CONTRACT_COLUMNS]
    if bad_req:
        raise ValueError(f"required has unknown columns {bad_req}; use names of CONTRACT_COLUMNS")

    marks = _number_marks(read_options)

    def csv_dtype(header):
        mapping = _resolve_columns(header, columns, ())
        return {
            user: "str"
            for user, targets in mapping.items()
            if any(t in _ID_COLUMNS or t in _DATE_COLUMNS for t in targets)
        }

    table = read_table(
        source,
        name="contracts",
        sheet_name=sheet_name,
        query=query,
        con=con,
        encoding=encoding,
        read_options=read_options,
        csv_dtype=csv_dtype,
    )
    raw = table.frame
    if isinstance(source, pd.DataFrame) and source.attrs.get("absent_columns"):
        # A frame load_contracts returned: the columns its source lacked are all-NA
        # placeholders, not empty values; they stay absent (else every row would be
        # dropped as missing_value). A column filled in since then is data again.
        named = columns if isinstance(columns, dict) else {}
        placeholder = [c for c in source.attrs["absent_columns"]
                       if c in raw.columns and c not in named]
        if placeholder:
            all_na = raw[placeholder].isna().all(axis=0)
            raw = raw.drop(columns=all_na.index[all_na.to_numpy(dtype=bool)])
    if raw.columns.duplicated().any():
        dup = raw.columns[raw.columns.duplicated()].unique().tolist()
        raise ValueError(f"{table.label} has duplicate column names {dup}; rename them")
    mapping = _resolve_columns(list(raw.columns), columns, required)
    source_of = {t: user for user, targets in mapping.items() for t in targets}
    present = [c for c in CONTRACT_COLUMNS if c in source_of]
    absent = tuple(c for c in CONTRACT_COLUMNS if c not in source_of)
    n = len(raw)
    index = pd.RangeIndex(n, name="row")
    col_raw = {c: raw[source_of[c]].reset_index(drop=True) for c in present}

    out, checks = _parse_columns(col_raw, date_format, dayfirst, marks)
    if table.ragged:
        mask = np.zeros(n, bool)
        mask[list(table.ragged)] = True
        checks.insert(0, (RAGGED, None, mask))
    checks += _consistency_checks(out)
    checks += _duplicate_checks(out, raw[[source_of[c] for c in present]])
    problem_checks = list(checks)
    if errors == "raise" and problem_checks:
        issues = _issues_frame(problem_checks, col_raw)
        raise ContractDataError(_raise_message(problem_checks, table.label), issues)
    if exclude_debtors:
        checks += _debt_checks(out)

    # each row's primary reason is the first check that flags it
    primary = np.full(n, -1, dtype=np.int32)
    for i, (_, _, mask) in enumerate(checks):
        primary[(primary < 0) & mask] = i
    kept = primary < 0
    dropped = _dropped_frame(checks, primary, col_raw, table.ragged)
    issues = _issues_frame(problem_checks, col_raw)

    result = _build_frame(out, present, kept, index)
    if keep_extra:
        extra = [c for c in raw.columns if c not in mapping]
        for c in extra:
            result[c] = raw[c].to_numpy()[kept]
    report = CleaningReport(
        source=table.label,
        n_read=n,
        n_kept=int(kept.sum()),
        dropped=dropped,
        issues=issues,
        column_map={user: (t[0] if len(t) == 1 else list(t)) for user, t in mapping.items()},
        absent_columns=absent,
        reasons=REASONS,
    )
    result.attrs["cleaning_report"] = report
    result.attrs["absent_columns"] = absent
    if return_report:
        return result, report
    return result


def _parse_columns(col_raw: dict, date_format, dayfirst, marks=(".", None)):
    """Parse every present column; return (parsed values, checks in reason order)."""
    out: dict = {}
    missing_checks, parse_checks, value_checks = [], [], []
    for c, s in col_raw.items():
        if c in _ID_COLUMNS or c in _TEXT_COLUMNS:
            txt, miss = _text(s)
            out[c] = txt
            missing_checks.append((MISSING, c, miss))
        elif c == "contract_type":
            txt, miss = _text(s)
            norm = txt.str.casefold().map(_CONTRACT_TYPES)
            out[c] = norm
            missing_checks.append((MISSING, c, miss))
            parse_checks.append((INVALID_CATEGORY, c, ~miss & norm.isna().to_numpy()))
        elif c in _DATE_COLUMNS:
            parsed, miss, bad, oor = _parse_dates(s, date_format, dayfirst)
            out[c] = parsed
            if c in _EXTENSION_DATES:
                out[c + "__missing"] = miss  # empty = no extension, not a missing value
            else:
                missing_checks.append((MISSING, c, miss))
            parse_checks.append((UNPARSEABLE_DATE, c, bad))
            parse_checks.append((DATE_OUT_OF_RANGE, c, oor))
        elif c == "debt":
            vals, miss, invalid = _parse_booleans(s)
            out[c] = vals
            missing_checks.append((MISSING, c, miss))
            parse_checks.append((INVALID_CATEGORY, c, invalid))
        else:  # numbers
            vals, miss, non_num, non_fin = _parse_numbers(s, *marks)
            out[c] = vals
            missing_checks.append((MISSING, c, miss))
            parse_checks.append((NON_NUMERIC, c, non_num))
            parse_checks.append((NON_FINITE, c, non_fin))
            finite = np.isfinite(vals)
            if c != "mvc":  # MVC is a margin after costs: it may be negative
                value_checks.append((NEGATIVE, c, finite & (vals < 0)))
            if c in _COUNT_COLUMNS:
                fractional = np.floor(np.where(finite, vals, 0)) != vals
                value_checks.append((NOT_INTEGER, c, finite & (vals >= 0) & fractional))
    checks = [(r, c, np.asarray(m, dtype=bool))
              for r, c, m in missing_checks + parse_checks + value_checks]
    return out, [ch for ch in checks if ch[2].any()]


def _consistency_checks(out: dict) -> list:
    """Extension dates against the installation date, each other and the counts."""
    checks = []
    inst = out.get("date_installed")
    for c in _EXTENSION_DATES:
        if c in out and inst is not None:
            checks.append((EXTENSION_BEFORE_INSTALLATION, c, (out[c] < inst).to_numpy()))
    if "first_extension_date" in out and "last_extension_date" in out:
        later = out["last_extension_date"] < out["first_extension_date"]
        checks.append((LAST_BEFORE_FIRST, "last_extension_date", later.to_numpy()))
    if "extensions_amount" in out:
        amount = out["extensions_amount"]
        for c in _EXTENSION_DATES:
            if c in out:
                checks.append((EXTENSIONS_WITHOUT_DATES, c, (amount > 0) & out[c + "__missing"]))
        for c in _EXTENSION_DATES:
            if c in out:
                checks.append(
                    (DATES_WITHOUT_EXTENSIONS, c, (amount == 0) & out[c].notna().to_numpy())
                )
    return [ch for ch in checks if ch[2].any()]


def _duplicate_checks(out: dict, raw_present: pd.DataFrame) -> list:
    """Exact copies of an earlier row (drop the copies) and conflicting rows sharing a
    contract id (drop them all: none can be trusted)."""
    ids = out.get("contract_id")
    if ids is None:
        return []
    dup_any = ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
    if not dup_any.any():
        return []
    n = len(ids)
    pos = np.flatnonzero(dup_any)
    sub = raw_present.iloc[pos].astype("object")
    exact_later = sub.duplicated(keep="first").to_numpy()
    remaining = ids.iloc[pos[~exact_later]]
    conflicted = remaining[remaining.duplicated(keep=False)].unique()
    conflict = ids.isin(conflicted).to_numpy() & dup_any
    copies = np.zeros(n, bool)
    copies[pos[exact_later]] = True
    checks = [(DUPLICATE_ROW, None, copies & ~conflict),
              (DUPLICATE_CONTRACT_ID, "contract_id", conflict)]
    return [ch for ch in checks if ch[2].any()]


def _debt_checks(out: dict) -> list:
    """Contracts with outstanding debt, then the other contracts of those customers."""
    if "debt" not in out or "customer_id" not in out:
        return []
    debt_true = np.asarray(out["debt"] == True, dtype=bool)  # noqa: E712  (object array)
    cust = out["customer_id"]
    debtors = cust[debt_true & cust.notna().to_numpy()].unique()
    checks = [(OUTSTANDING_DEBT, "debt", debt_true)]
    if len(debtors):
        checks.append((CUSTOMER_OUTSTANDING_DEBT, "customer_id", cust.isin(debtors).to_numpy()))
    return [ch for ch in checks if ch[2].any()]


def _dropped_frame(checks, primary, col_raw, ragged) -> pd.DataFrame:
    """One row per dropped input row: its primary reason, column, raw value and ids."""
    parts = []
    for i, (reason, c, _) in enumerate(checks):
        pos = np.flatnonzero(primary == i)
        if not len(pos):
            continue
        value = col_raw[c].iloc[pos].to_numpy(dtype=object) if c in col_raw else None
        if reason == RAGGED:
            value = np.array([f"{ragged[int(p)]} fields" for p in pos], dtype=object)
        parts.append(pd.DataFrame({"reason": reason, "column": c, "value": value}, index=pos))
    dropped = _concat_rows(parts, ["reason", "column", "value"])
    rows = dropped.index.to_numpy()
    for c in _ID_COLUMNS:
        dropped[c] = col_raw[c].iloc[rows].to_numpy(dtype=object) if c in col_raw else None
    return dropped


def _concat_rows(parts, columns) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns},
                            index=pd.Index([], dtype="int64", name="row"))
    frame = pd.concat(parts).sort_index(kind="stable")
    frame.index = frame.index.astype("int64")
    frame.index.name = "row"
    return frame


def _issues_frame(checks, col_raw) -> pd.DataFrame:
    parts = []
    for reason, c, mask in checks:
        pos = np.flatnonzero(mask)
        value = col_raw[c].iloc[pos].to_numpy(dtype=object) if c in col_raw else None
        parts.append(pd.DataFrame({"reason": reason, "column": c, "value": value}, index=pos))
    return _concat_rows(parts, ["reason", "column", "value"])


def _raise_message(checks, label) -> str:
    rows = set()
    lines = []
    for reason, c, mask in checks:
        pos = np.flatnonzero(mask)
        rows.update(pos.tolist())
        text = _REASON_TEXT[reason].format(col=c)
        lines.append(f"{text} at rows {_first(pos)}")
    shown = "; ".join(lines[:6])
    more = f"; and {len(lines) - 6} more kinds of problem" if len(lines) > 6 else ""
    return (
        f"contracts ({label}) has {len(rows)} invalid rows: {shown}{more}. Fix them, or pass "
        "errors='report' to drop them and get a CleaningReport (rows are 0-based positions "
        "in the source; .issues lists every problem)"
    )


def _build_frame(out, present, kept, index) -> pd.DataFrame:
    """The kept rows in the canonical schema and dtypes (absent columns all-NA).

    Consumes `out` column by column, so that each parsed column is freed as soon
    as its kept rows are copied (this bounds the peak memory of load_contracts).
    """
    n_kept = int(kept.sum())
    cols = {}
    for c in CONTRACT_COLUMNS:
        has = c in present
        parsed = out.pop(c, None)
        out.pop(c + "__missing", None)
        if c in _ID_COLUMNS or c in _TEXT_COLUMNS or c == "contract_type":
            s = _as_str(parsed[kept]) if has else pd.Series([None] * n_kept, dtype="str")
        elif c in _DATE_COLUMNS:
            s = parsed[kept] if has else pd.Series(pd.NaT, index=range(n_kept))
            s = s.astype("datetime64[ns]")
        elif c == "debt":
            if has:
                vals = parsed[kept]
                known = vals != None  # noqa: E711  (object array of True/False/None)
                arr = pd.arrays.BooleanArray(np.asarray(vals == True, dtype=bool),  # noqa: E712
                                             ~np.asarray(known, dtype=bool))
                s = pd.Series(arr)
            else:
                s = pd.Series([pd.NA] * n_kept, dtype="boolean")
        elif c in _COUNT_COLUMNS:
            vals = parsed[kept] if has else np.full(n_kept, np.nan)
            s = pd.Series(vals).astype("Int64")
        else:
            s = pd.Series(parsed[kept] if has else np.full(n_kept, np.nan), dtype=np.float64)
        del parsed
        cols[c] = s.reset_index(drop=True)
    frame = pd.DataFrame(cols, copy=False)
    frame.index = index[kept]
    return frame


# ---------------------------------------------------------------- customer_features

_FEATURE_INPUTS = {
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
            f"contracts has locations not in region_map: {_first(unknown)}; pass "
            "region_map={**segment.contracts.PORTUGAL_REGIONS, 'Your place': 'north'} "
            "(or your own map) to place them"
        )
    hit = np.asarray(region.isin(north_set), dtype=bool)
    return np.where(codes >= 0, hit[np.maximum(codes, 0)], False)


def _feature_dates(frame, c, dayfirst) -> pd.Series:
    s = frame[c]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return _naive_datetimes(s)
    parsed, miss, bad, oor = _parse_dates(s, None, dayfirst)
    if (bad | oor).any():
        rows = frame.index[bad | oor]
        hint = "" if dayfirst is not None else " (for day/month dates pass dayfirst=)"
        raise ValueError(
            f"contracts has unparseable dates in column {c} at rows {_first(rows)}; "
            "convert them with pandas.to_datetime or load the data with load_contracts"
            f"{hint}"
        )
    return parsed


def _day_numbers(dates: pd.Series) -> np.ndarray:
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
    >>> from segment.contracts import customer_features
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
        unknown = [f for f in features if f not in _FEATURE_INPUTS]
        if unknown:
            raise ValueError(
                f"features has unknown names {unknown}; choose from {list(_ALL_FEATURES)}"
            )
    if not (np.isfinite(days_per_month) and days_per_month > 0):
        raise ValueError(f"days_per_month must be a positive number, got {days_per_month!r}")
    as_of_ts = None if as_of is None else _date_value(as_of, dayfirst)
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
        return c in _EXTENSION_DATES and has_ext_amount

    lacking = {}
    for f in features:
        miss = [c for c in _FEATURE_INPUTS[f] if not available(c)]
        if miss:
            lacking[f] = miss
    if lacking:
        can = [f for f in features if f not in lacking]
        detail = "; ".join(f"{f} needs {cols}" for f, cols in lacking.items())
        raise ValueError(
            f"contracts lacks the columns for some features: {detail}. Map those columns in "
            f"load_contracts(columns=...), or pass features={can}"
        )
    needed = sorted({c for f in features for c in _FEATURE_INPUTS[f]} | {"customer_id"},
                    key=CONTRACT_COLUMNS.index)

    # no missing values in the inputs (extension dates may be empty)
    for c in needed:
        if c in _EXTENSION_DATES:
            continue
        na = contracts[c].isna().to_numpy()
        if na.any():
            raise ValueError(
                f"contracts has missing values in column {c} at rows "
                f"{_first(contracts.index[na])}; clean the data first (load_contracts drops "
                "such rows) or fill them"
            )

    dates = {c: _feature_dates(contracts, c, dayfirst) for c in needed if c in _DATE_COLUMNS}
    numbers = {}
    for c in needed:
        if c in _FEE_COLUMNS or c in _COUNT_COLUMNS or c in ("mvc",):
            vals, miss, non_num, non_fin = _parse_numbers(contracts[c])
            if (non_num | non_fin).any():
                raise ValueError(
                    f"contracts has non-numeric or infinite values in column {c} at rows "
                    f"{_first(contracts.index[non_num | non_fin])}"
                )
            numbers[c] = vals

    day = {c: _day_numbers(s) for c, s in dates.items()}
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
                f"{_first(contracts.index[late])}; pass a later as_of or drop those rows"
            )
    if "date_installed" in day:
        inst = day["date_installed"]
        for c in _EXTENSION_DATES:
            if c in day:
                early = day[c] < inst
                if early.any():
                    raise ValueError(
                        f"contracts has {c} before date_installed at rows "
                        f"{_first(contracts.index[early])}; load_contracts drops such rows"
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


# ---------------------------------------------------------------- minmax_scale


def minmax_scale(frame_or_array, *, feature_range=(0, 1)):
    """Scale each column linearly to `feature_range`, keeping labels.

    x' = lo + (x - min) / (max - min) * (hi - lo), per column. A constant column
    (max == min) becomes `lo` (0 with the default range): it carries no
    information for clustering, and this keeps it finite.

    Parameters
    ----------
    frame_or_array : DataFrame, Series, or array of shape (n,) or (n, d)
        Numeric (or boolean) data without NaN or infinity.
    feature_range : (float, float), default (0, 1)
        Target range (lo, hi) with lo < hi.

    Returns
    -------
    Same type and shape as the input, float64: a DataFrame/Series keeps its
    index and columns/name.

    Raises
    ------
    ValueError
        On NaN or infinite values (naming the columns and rows), an empty
        input, or a bad `feature_range`.
    TypeError
        On non-numeric columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from segment.contracts import minmax_scale
    >>> minmax_scale(pd.DataFrame({"a": [1.0, 2.0, 5.0], "b": [3, 3, 3]}, index=["x", "y", "z"]))
          a    b
    x  0.00  0.0
    y  0.25  0.0
    z  1.00  0.0
    """
    try:
        lo, hi = (float(v) for v in feature_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"feature_range must be two numbers (lo, hi), got {feature_range!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"feature_range must satisfy lo < hi (finite), got {feature_range!r}")
    if not np.isfinite(hi - lo):
        raise ValueError(
            f"feature_range {feature_range!r} is wider than float64 can hold (hi - lo "
            "overflows); use a narrower range such as (0, 1)"
        )
    x = frame_or_array
    if isinstance(x, pd.Series):
        return pd.Series(
            minmax_scale(x.to_frame(), feature_range=(lo, hi)).iloc[:, 0].to_numpy(),
            index=x.index,
            name=x.name,
        )
    if isinstance(x, pd.DataFrame):
        bad = [
            c
            for c, dt in x.dtypes.items()
            if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))
            or pd.api.types.is_complex_dtype(dt)
        ]
        if bad:
            raise TypeError(
                f"minmax_scale got non-numeric columns {_first(bad)}; encode or drop them"
            )
        values = x.to_numpy(dtype=np.float64, na_value=np.nan)
        labels, cols = x.index, list(x.columns)
    else:
        try:
            values = np.asarray(x)
        except (TypeError, ValueError) as exc:  # e.g. a ragged list
            raise ValueError(
                f"minmax_scale could not read frame_or_array as an array ({exc}); pass a "
                "DataFrame, a Series or an array whose rows all have the same length"
            ) from None
        if values.dtype.kind not in "biuf":
            raise TypeError(f"minmax_scale needs numeric data, got dtype {values.dtype}")
        values = values.astype(np.float64)
        labels, cols = None, None
    one_d = values.ndim == 1
    if one_d:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(f"minmax_scale needs 1-D or 2-D data, got shape {values.shape}")
    if values.shape[0] == 0:
        raise ValueError("minmax_scale got no rows; there is nothing to scale")
    finite = np.isfinite(values)
    if not finite.all():
        bad_cols = np.flatnonzero(~finite.all(axis=0))
        bad_rows = np.flatnonzero(~finite.all(axis=1))
        cname = [cols[i] for i in bad_cols] if cols is not None else bad_cols.tolist()
        rname = labels[bad_rows] if labels is not None else bad_rows
        raise ValueError(
            f"minmax_scale got NaN or infinite values in columns {_first(cname)} at rows "
            f"{_first(rname)}; drop or impute them first"
        )
    values, vmin, span = span_without_overflow(values, values.min(axis=0), values.max(axis=0))
    const = span == 0
    scaled = (values - vmin) / np.where(const, 1.0, span) * (hi - lo) + lo
    scaled[:, const] = lo
    if one_d:
        scaled = scaled[:, 0]
    if cols is not None:
        return pd.DataFrame(scaled, index=labels, columns=x.columns)
    return scaled
