"""Read a table from a file, a DataFrame or a SQL query (private helper of the loaders).

`read_table` turns whatever a user has -- a CSV/TSV, Excel, Parquet or Feather
file, a DataFrame, or a query through a DB-API/SQLAlchemy connection -- into a
DataFrame, and turns the usual ways a file can be broken (wrong encoding, empty
file, ragged rows, unknown extension, missing optional reader) into a ValueError
that says what is wrong and what to do. Rows with more fields than the header
are not lost: they are kept (cut to the header's width) and listed in
`Table.ragged`, so that the caller can account for them.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field

import pandas as pd

_READERS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".feather": "feather",
}
_COMPRESSION = (".gz", ".bz2", ".zip", ".xz", ".zst")
_RAGGED_MARK = "\u241fsegment-ragged-row-"


@dataclass
class Table:
    """A table as read, with where it came from and the ragged rows found."""

    frame: pd.DataFrame
    label: str  # "contracts.csv", "DataFrame", "SQL query"
    kind: str  # csv, tsv, excel, parquet, feather, frame, sql
    ragged: dict = field(default_factory=dict)  # row position -> number of fields seen


def _kind_of(path: str) -> str:
    lower = path.lower()
    for comp in _COMPRESSION:
        if lower.endswith(comp):
            lower = lower[: -len(comp)]
            break
    ext = os.path.splitext(lower)[1]
    if ext not in _READERS:
        raise ValueError(
            f"cannot read {os.path.basename(path)!r}: unknown file type {ext or '(none)'!r}; "
            f"supported are {sorted(_READERS)} (optionally compressed), a DataFrame, "
            "or query= with con="
        )
    return _READERS[ext]


def _missing_reader(label: str, exc: ImportError, package: str) -> ValueError:
    return ValueError(
        f"reading {label} needs the optional package {package} ({exc}); "
        f"install it with `pip install {package}` or `pip install segment-kit[io]`"
    )


def _read_csv(path, label, sep, encoding, dtype, options) -> Table:
    kwargs = dict(sep=sep, encoding=encoding or "utf-8", dtype=dtype)
    kwargs.update(options)
    try:
        return Table(pd.read_csv(path, **kwargs), label, "csv")
    except pd.errors.EmptyDataError:
        raise ValueError(
            f"{label} is empty: it has no header row and no data; check the file "
            "(an export that failed often leaves an empty file)"
        ) from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{label} is not valid {kwargs['encoding']} text (byte {exc.object[exc.start]:#04x} "
            f"at position {exc.start}); pass encoding='cp1252' (Excel on Windows) or "
            "encoding='latin-1' to read it"
        ) from None
    except pd.errors.ParserError:
        pass
    # Rows with more fields than the header: keep them, cut to the header's width,
    # and remember them so the caller can report them instead of losing them.
    bad = []

    def keep_bad(fields):
        bad.append(len(fields))
        return [f"{_RAGGED_MARK}{len(bad) - 1}"] + list(fields[1:])

    kwargs.update(engine="python", on_bad_lines=keep_bad)
    kwargs.pop("low_memory", None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(path, **kwargs)
    except pd.errors.ParserError as exc:
        raise ValueError(f"{label} could not be parsed as a table: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{label} is not valid {kwargs['encoding']} text (position {exc.start}); pass "
            "encoding='cp1252' or encoding='latin-1'"
        ) from None
    ragged = {}
    if bad and frame.shape[1]:
        first = frame.columns[0]
        col = frame[first].astype("object")
        marked = col.astype(str).str.startswith(_RAGGED_MARK).fillna(False).to_numpy(bool)
        for pos in marked.nonzero()[0]:
            k = int(str(col.iloc[pos])[len(_RAGGED_MARK) :])
            ragged[int(pos)] = bad[k]
        frame[first] = col.where(~marked, None)
    return Table(frame, label, "csv", ragged)


def read_table(
    source,
    *,
    name: str,
    sheet_name=0,
    query=None,
    con=None,
    encoding=None,
    read_options=None,
    csv_dtype=None,
) -> Table:
    """Read `source` (path, DataFrame) or `query` through `con` into a Table.

    csv_dtype, if given, is called with the CSV header (list of column names) and
    returns the `dtype=` mapping for read_csv (used to read ids as text so that
    leading zeros survive).
    """
    options = dict(read_options or {})
    if query is not None or con is not None:
        if source is not None:
            raise ValueError(
                f"pass either a {name} source or query= with con=, not both"
            )
        if query is None or con is None:
            raise ValueError(
                f"reading {name} from a database needs both query= (a SELECT statement) "
                "and con= (a DB-API or SQLAlchemy connection)"
            )
        return Table(pd.read_sql(query, con, **options), "SQL query", "sql")
    if source is None:
        raise ValueError(f"{name} source is None; pass a file path, a DataFrame or query=/con=")
    if isinstance(source, pd.DataFrame):
        frame = source
        if frame.index.name is not None or any(n is not None for n in frame.index.names):
            # a named index (e.g. contract_id set as index) is data: make it a column
            frame = frame.reset_index()
        return Table(frame, "DataFrame", "frame")
    if isinstance(source, pd.Series):
        raise TypeError(f"{name} must be a DataFrame or a file path, got a Series")
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be a file path, a DataFrame or None with query=/con=; "
            f"got {type(source).__name__}"
        )
    path = os.fspath(source)
    label = os.path.basename(path) or path
    kind = _kind_of(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{name} file {path!r} does not exist")
    if os.path.getsize(path) == 0:
        raise ValueError(f"{label} is empty (0 bytes); check the export")
    if kind in ("csv", "tsv"):
        dtype = None
        if csv_dtype is not None:
            header = _read_csv(
                path, label, "\t" if kind == "tsv" else ",", encoding, None,
                {**options, "nrows": 0},
            ).frame.columns
            dtype = csv_dtype([str(c) for c in header]) or None
        sep = options.pop("sep", "\t" if kind == "tsv" else ",")
        return _read_csv(path, label, sep, encoding, dtype, options)
    if kind == "excel":
        try:
            frame = pd.read_excel(path, sheet_name=sheet_name, **options)
        except ImportError as exc:
            raise _missing_reader(label, exc, "openpyxl") from None
        except ValueError as exc:
            if "not found" in str(exc).lower() or "worksheet" in str(exc).lower():
                sheets = pd.ExcelFile(path).sheet_names
                raise ValueError(
                    f"{label} has no sheet {sheet_name!r}; its sheets are {sheets}; "
                    "pass sheet_name="
                ) from None
            raise
        if isinstance(frame, dict):
            raise ValueError(
                f"sheet_name={sheet_name!r} read several sheets of {label}; pass one sheet "
                "name or position"
            )
        return Table(frame, label, "excel")
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path, **options)
        else:
            frame = pd.read_feather(path, **options)
    except ImportError as exc:
        raise _missing_reader(label, exc, "pyarrow") from None
    return Table(frame, label, kind)
