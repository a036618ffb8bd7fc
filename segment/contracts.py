"""Contract data: load and clean contract exports.

Paper B (Table 1) starts from one row per contract with 18 attributes. This
module reads them with vectorised pandas:

* `load_contracts` reads a CSV, Excel, Parquet or Feather file, a DataFrame or
  a SQL query; maps the user's column names onto the canonical schema
  (`CONTRACT_COLUMNS`); parses and checks every value; drops invalid rows and
  the customers with outstanding debt; and accounts for every input row in a
  `CleaningReport`.

The next steps are segment.features (one row per customer: Paper B's Table 7
and RFM features) and segment.preprocessing (scaling for k-means).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segment._io import read_table
from segment._parsing import (
    as_str,
    as_text,
    number_marks,
    parse_booleans,
    parse_dates,
    parse_numbers,
)
from segment._validation import listed

__all__ = [
    "CONTRACT_COLUMNS",
    "REQUIRED_COLUMNS",
    "CleaningReport",
    "ContractDataError",
    "load_contracts",
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

_ID_COLUMNS = ("contract_id", "customer_id")
#: The kinds of the canonical columns (segment.features reads them too).
DATE_COLUMNS = ("date_installed", "first_extension_date", "last_extension_date")
EXTENSION_DATE_COLUMNS = ("first_extension_date", "last_extension_date")
_TEXT_COLUMNS = ("location", "local_description", "payment_type", "invoice_type")
FEE_COLUMNS = ("monthly_fee", "installation_fee", "extensions_fee")
COUNT_COLUMNS = ("extensions_amount", "debt_amount")

_CONTRACT_TYPES = {
    "private": "private",
    "residential": "private",
    "particular": "private",
    "business": "business",
    "commercial": "business",
    "empresa": "business",
}
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


class ContractDataError(ValueError):
    """Invalid contract rows under ``errors="raise"``; ``.issues`` lists them all.

    Raised by `load_contracts` with ``errors="raise"`` instead of dropping the
    invalid rows (a ValueError, so ``except ValueError`` catches it too). The
    message names the first problems; ``.issues`` is a DataFrame of every
    problem found, one row each, like `CleaningReport`'s list of dropped rows.
    """

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
        Where the data came from ("contracts.csv", "DataFrame", "polars
        DataFrame", "SQL query on postgresql+psycopg://user:***@host/db": never
        a password).
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
    [1869, 100, 2000]
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
                    f"The source has columns {listed(src, 30)}"
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
            f"{listed(src, 30)}. Map yours with columns=, e.g. columns={example!r}, or "
            "pass required= to make a column optional"
        )
    return {user: targets for user, targets in mapping.items() if targets}

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
    progress=None,
    return_report=False,
):
    """Read contract rows, map them onto Paper B's Table 1 schema and clean them.

    Parameters
    ----------
    source : str, path-like, DataFrame or None
        A ``.csv``/``.txt``/``.tsv`` (optionally compressed), ``.xlsx``/``.xls``,
        ``.parquet`` or ``.feather`` file, or a DataFrame (a named index is
        treated as a column), or a polars DataFrame, pyarrow Table or
        RecordBatch or DuckDB relation (any Arrow PyCapsule exporter): these are
        converted to pandas once, by pyarrow (the ``arrow`` extra), since the
        text columns need pandas' parsing; the report's ``source`` names the
        kind ("polars DataFrame"). None when reading from a database. A frame
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
    sheet_name : str, int, list or None, default 0
        Excel sheet to read; None reads every sheet, a list those sheets: the
        sheets must share one header and are read one under the other, with
        a column ``sheet`` naming each row's sheet (after the canonical
        columns; row positions count on across sheets). With the default, a
        workbook whose other sheets have the first sheet's columns (one sheet
        per year) warns, naming them.
    query, con : str and connection, optional
        A SELECT statement and where to run it: a SQLAlchemy engine or
        connection, a connection URL (``"postgresql+psycopg://user:pw@host/db"``;
        needs ``pip install segment-kit[sql]``), or a DB-API connection (e.g.
        ``sqlite3``). Read with `pandas.read_sql` in chunks of 50,000 rows
        (``read_options={"chunksize": n}``), through a server-side cursor for an
        engine or URL, so a large table is never held twice by the driver. A
        password in the URL never appears in an error, a warning or the
        report's ``source`` (shown as ``***``, as SQLAlchemy shows it).
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
    progress : bool or None
        Progress of a database read, in rows: True always, False never, None
        (default) once the read runs past one chunk. tqdm's bar when installed,
        else a line on stderr.
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
    opens on), two stray quotes that would read the lines between them into
    one field (naming both lines; quoted fields with line breaks and
    separators still load), a damaged Excel/Parquet/Feather or compressed file. A row with
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

    marks = number_marks(read_options)

    def csv_dtype(header):
        mapping = _resolve_columns(header, columns, ())
        return {
            user: "str"
            for user, targets in mapping.items()
            if any(t in _ID_COLUMNS or t in DATE_COLUMNS for t in targets)
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
        progress=progress,
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
    if table.kind == "excel" and isinstance(sheet_name, (list, type(None))):
        result["sheet"] = raw["sheet"].to_numpy()[kept]  # several sheets: whose row
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
        if c in _ID_COLUMNS:
            _check_float_ids(c, s)
        if c in _ID_COLUMNS or c in _TEXT_COLUMNS:
            txt, miss = as_text(s)
            out[c] = txt
            missing_checks.append((MISSING, c, miss))
        elif c == "contract_type":
            txt, miss = as_text(s)
            norm = txt.str.casefold().map(_CONTRACT_TYPES)
            out[c] = norm
            missing_checks.append((MISSING, c, miss))
            parse_checks.append((INVALID_CATEGORY, c, ~miss & norm.isna().to_numpy()))
        elif c in DATE_COLUMNS:
            parsed, miss, bad, oor = parse_dates(s, date_format, dayfirst)
            out[c] = parsed
            if c in EXTENSION_DATE_COLUMNS:
                out[c + "__missing"] = miss  # empty = no extension, not a missing value
            else:
                missing_checks.append((MISSING, c, miss))
            parse_checks.append((UNPARSEABLE_DATE, c, bad))
            parse_checks.append((DATE_OUT_OF_RANGE, c, oor))
        elif c == "debt":
            vals, miss, invalid = parse_booleans(s)
            out[c] = vals
            missing_checks.append((MISSING, c, miss))
            parse_checks.append((INVALID_CATEGORY, c, invalid))
        else:  # numbers
            vals, miss, non_num, non_fin = parse_numbers(s, *marks)
            out[c] = vals
            missing_checks.append((MISSING, c, miss))
            parse_checks.append((NON_NUMERIC, c, non_num))
            parse_checks.append((NON_FINITE, c, non_fin))
            finite = np.isfinite(vals)
            if c != "mvc":  # MVC is a margin after costs: it may be negative
                value_checks.append((NEGATIVE, c, finite & (vals < 0)))
            if c in COUNT_COLUMNS:
                fractional = np.floor(np.where(finite, vals, 0)) != vals
                value_checks.append((NOT_INTEGER, c, finite & (vals >= 0) & fractional))
    checks = [(r, c, np.asarray(m, dtype=bool))
              for r, c, m in missing_checks + parse_checks + value_checks]
    return out, [ch for ch in checks if ch[2].any()]


def _check_float_ids(name, raw: pd.Series) -> None:
    """Refuse ids read as floats that no integer id can be: inf, or beyond int64."""
    if not pd.api.types.is_float_dtype(raw.dtype):
        return
    vals = raw.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = np.isinf(vals) | (np.abs(vals) >= 2.0**63)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(
            f"column {name} holds ids as floats, and {len(rows)} of them are not whole "
            f"numbers an id can be ({listed(vals[rows].tolist())} at rows {listed(rows)}): "
            "inf, or beyond int64. Floats keep integers exactly only up to 2**53: keep the "
            "ids as text in the source (a text column in the workbook or table, a str "
            "column in a DataFrame) and check the export"
        )


def _consistency_checks(out: dict) -> list:
    """Extension dates against the installation date, each other and the counts."""
    checks = []
    inst = out.get("date_installed")
    for c in EXTENSION_DATE_COLUMNS:
        if c in out and inst is not None:
            checks.append((EXTENSION_BEFORE_INSTALLATION, c, (out[c] < inst).to_numpy()))
    if "first_extension_date" in out and "last_extension_date" in out:
        later = out["last_extension_date"] < out["first_extension_date"]
        checks.append((LAST_BEFORE_FIRST, "last_extension_date", later.to_numpy()))
    if "extensions_amount" in out:
        amount = out["extensions_amount"]
        for c in EXTENSION_DATE_COLUMNS:
            if c in out:
                checks.append((EXTENSIONS_WITHOUT_DATES, c, (amount > 0) & out[c + "__missing"]))
        for c in EXTENSION_DATE_COLUMNS:
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
        lines.append(f"{text} at rows {listed(pos)}")
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
            s = as_str(parsed[kept]) if has else pd.Series([None] * n_kept, dtype="str")
        elif c in DATE_COLUMNS:
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
        elif c in COUNT_COLUMNS:
            vals = parsed[kept] if has else np.full(n_kept, np.nan)
            s = pd.Series(vals).astype("Int64")
        else:
            s = pd.Series(parsed[kept] if has else np.full(n_kept, np.nan), dtype=np.float64)
        del parsed
        cols[c] = s.reset_index(drop=True)
    frame = pd.DataFrame(cols, copy=False)
    frame.index = index[kept]
    return frame


