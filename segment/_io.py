"""Read a table from a file, a DataFrame or a SQL query (private helper of the loaders).

`read_table` turns whatever a user has -- a CSV/TSV, Excel, Parquet or Feather
file, a DataFrame, Arrow data (a polars DataFrame, a pyarrow Table or
RecordBatch, a DuckDB relation: converted to pandas once, by pyarrow), or a
query through a DB-API/SQLAlchemy connection -- into a DataFrame, and turns
the usual ways a file can be broken (wrong encoding, empty file, ragged rows,
unknown extension, missing optional reader) into a ValueError that says what
is wrong and what to do. Rows with more fields than the header
are not lost: they are kept (cut to the header's width) and listed in
`Table.ragged`, so that the caller can account for them.

A CSV is read by pandas' C parser, always with ``index_col=False``: pandas would
otherwise take the leading fields of a first data row longer than the header as
an index and shift every row. pandas accepts (and silently cuts) such a first
row even with ``index_col=False``, so `_peek` reads the header and the first
data row again (two records) to count their fields; it also finds repeated
header names, which pandas renames (``x``, ``x.1``). Files with long rows take
`_read_ragged_csv`, which counts the fields of every row. An unterminated quote
is an error naming the line where the quote opened, and so are two stray
quotes that merge the lines between them into one field (`_check_merged_rows`:
a legitimately quoted field with line breaks and separators still loads); corrupt compressed, Excel,
Parquet and Feather files are errors naming the file and the format.
"""

from __future__ import annotations

import lzma
import os
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segment._validation import arrow_kind, is_arrow, read_arrow

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
_RAGGED_MARK = "\u241fsegment-ragged-row"
# read_options that decide where records and fields begin: the probes that count
# fields (`_peek`, `_read_ragged_csv`) must tokenise the file as the main read does.
_TOKEN_OPTIONS = frozenset({
    "sep", "delimiter", "encoding", "encoding_errors", "quotechar", "quoting", "doublequote",
    "escapechar", "skipinitialspace", "comment", "skiprows", "skip_blank_lines", "compression",
    "dialect", "storage_options",
})
# read_options with which the user lays out the columns: then pandas' own rules apply
# and segment does not probe the header or the first row.
_LAYOUT_OPTIONS = frozenset({"header", "names", "index_col", "usecols", "lineterminator"})
_FORMAT_TEXT = {
    "excel": "an Excel workbook",
    "parquet": "a Parquet file",
    "feather": "a Feather (Arrow IPC) file",
}
_COMPRESSED_TEXT = {
    "gz": "gzip-compressed text", "bz2": "bzip2-compressed text", "zip": "a zip archive",
    "xz": "xz-compressed text", "zst": "zstd-compressed text",
}
# Raised by readers of damaged files: gzip (BadGzipFile is an OSError, a truncated
# stream EOFError, bad deflate data zlib.error), bz2 (OSError), xz (LZMAError), zip.
_STREAM_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile)
# Not damage: the file is there but cannot be opened, or the call itself is wrong.
_NOT_CORRUPTION = (PermissionError, FileNotFoundError, IsADirectoryError, ImportError,
                   MemoryError, TypeError)


@dataclass
class Table:
    """A table as read, with where it came from and the ragged rows found."""

    frame: pd.DataFrame
    label: str  # "contracts.csv", "DataFrame", "SQL query"
    kind: str  # csv, tsv, excel, parquet, feather, frame, sql
    ragged: dict = field(default_factory=dict)  # row position -> number of fields seen
    # read_options' on_bad_lines ("skip"/"warn"): segment keeps such rows to account for them
    bad_lines: str | None = None


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
    # pandas names the reader it needs ("Missing optional dependency 'xlrd'"): an
    # .xls workbook needs xlrd, an .xlsx openpyxl, whatever the extension says
    named = re.search(r"optional dependency '([^']+)'", str(exc))
    package = named.group(1) if named else package
    return ValueError(
        f"reading {label} needs the optional package {package} ({exc}); "
        f"install it with `pip install {package}` or `pip install segment-kit[io]`"
    )


def _compression_of(path: str):
    lower = path.lower()
    return next((c[1:] for c in _COMPRESSION if lower.endswith(c)), None)


def _corrupt(label: str, what: str, exc: BaseException) -> ValueError:
    return ValueError(
        f"{label} could not be read as {what} ({type(exc).__name__}: {exc}); the file is "
        "damaged, truncated or not in that format: export it again, or give it the "
        "extension of its real format"
    )


def _call_csv(path, label, kwargs) -> pd.DataFrame:
    """pd.read_csv with the file's usual failures as ValueErrors naming it.

    pandas' ParserError is passed on: the caller decides what it means.
    """
    try:
        with warnings.catch_warnings():
            # index_col=False: pandas warns that it cuts a long first row; _peek finds it
            warnings.filterwarnings("ignore", "Length of header", pd.errors.ParserWarning)
            return pd.read_csv(path, **kwargs)
    except pd.errors.ParserError:
        raise
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
    except _NOT_CORRUPTION:
        raise
    except _STREAM_ERRORS as exc:
        comp = _compression_of(os.fspath(path))
        raise _corrupt(label, _COMPRESSED_TEXT.get(comp, "text"), exc) from exc
    except Exception as exc:
        if type(exc).__name__ == "ZstdError":  # zstandard is optional: no import here
            raise _corrupt(label, _COMPRESSED_TEXT["zst"], exc) from exc
        raise


def _is_quote_error(exc) -> bool:
    # C parser: "EOF inside string starting at row 3"; python parser (csv module):
    # "unexpected end of data"
    text = str(exc)
    return "EOF inside string" in text or "unexpected end of data" in text


def _quoted_fields(path, kwargs):
    """(text, quoted fields) of a CSV, or None where they cannot be found.

    One pass over the text (only on error paths): each match is one quoted
    field, from its opening quote to its closing quote (group 1), or to the end
    of the file for an unterminated one (group 1 empty).
    """
    sep = kwargs.get("sep", ",")
    quote = kwargs.get("quotechar", '"')
    opener = {"gz": "gzip", "bz2": "bz2", "xz": "lzma", None: None}
    comp = _compression_of(os.fspath(path))
    if not (isinstance(sep, str) and len(sep) == 1 and isinstance(quote, str)
            and len(quote) == 1 and comp in opener):
        return None
    import importlib

    open_ = importlib.import_module(opener[comp]).open if comp else open
    try:
        with open_(path, "rt", encoding=kwargs.get("encoding") or "utf-8",
                   errors="replace", newline="") as f:
            text = f.read()
    except (OSError, EOFError, lzma.LZMAError, zlib.error):
        return None
    q, s = re.escape(quote), re.escape(sep)
    field_ = re.compile(rf"(?:^|(?<={s})|(?<=[\r\n])){q}[^{q}]*(?:{q}{q}[^{q}]*)*({q}?)")
    return text, field_.finditer(text)


def _line_of(text: str, at: int) -> int:
    """1-based line of position `at` (lines end in \\n, \\r\\n or a lone \\r)."""
    eol = "\n" if "\n" in text else "\r"
    return text.count(eol, 0, at) + 1


def _quote_line(path, kwargs):
    """1-based line where the unterminated quote opens, or None if not found."""
    found = _quoted_fields(path, kwargs)
    if found is None:
        return None
    text, fields = found
    open_at = next((m.start() for m in fields if not m.group(1)), None)
    return None if open_at is None else _line_of(text, open_at)


def _check_merged_rows(table: Table, path, label: str, kwargs) -> None:
    """ValueError naming the line of a stray quote that merged rows into one field.

    A field that opens with a quote runs to the next quote, across line
    breaks: a stray quote at the start of a field (``"Sao Paulo``) and the
    next one further down read the lines between them into that one cell.
    A legitimately quoted field may hold line breaks and separators too; what
    tells them apart is the shape: for a cell in column p (0-based) of a
    table of w columns, merged rows put the rest of the first record (w - 1 - p
    separators) before its first line break and the start of the closing
    record (p separators, unless that row turned out ragged) after its last,
    and every whole record in between (w - 1 separators) on a line of its
    own. A cell with a line break and that shape is refused, naming the line
    the quote opens on and the line it closes on. With two columns the shape
    says nothing (one separator in a quoted answer fits it), so files of
    fewer than three columns are not checked.
    """
    sep = kwargs.get("sep", ",")
    frame = table.frame
    if (kwargs.get("quoting", 0) == 3 or not isinstance(sep, str) or len(sep) != 1
            or frame.shape[1] < 3):
        return
    lines, eol = _count_lines(path)
    if lines is not None and lines <= len(frame) + 1:
        return  # one line per record and the header: no cell holds a line break
    width = frame.shape[1]
    multiline = []  # (row, column position, text) of every cell with a line break
    for p, col in enumerate(frame.columns):
        values = frame[col]
        if not pd.api.types.is_string_dtype(values.dtype):
            continue
        if eol is not None:
            broken = values.str.contains(eol, regex=False, na=False)
        else:  # not counted (a compressed file): either line end
            broken = values.str.contains("\n", regex=False, na=False) | values.str.contains(
                "\r", regex=False, na=False)
        rows = np.flatnonzero(broken.to_numpy(dtype=bool))
        multiline += [(int(r), p, values.iat[r]) for r in rows]
    if not multiline:
        return
    multiline.sort()
    for k, (row, p, cell) in enumerate(multiline):
        lines = re.split(r"\r\n|\r|\n", cell)
        counts = [line.count(sep) for line in lines]
        closing = counts[-1] >= p or row in table.ragged
        merged = (counts[0] >= width - 1 - p and closing) or any(
            c >= width - 1 for c in counts[1:-1])
        if merged:
            raise _merged_rows(path, label, kwargs, frame.columns[p], row, k, cell)


def _count_lines(path, chunk: int = 1 << 24):
    """(lines, line end) of an uncompressed file, read as bytes: lines end in
    \\n (also \\r\\n), or in \\r where the file has no \\n. (None, None) for
    a compressed file. An over-count (UTF-16 bytes that look like a line end)
    only costs the slower look at the cells."""
    if _compression_of(os.fspath(path)) is not None:
        return None, None
    for eol in (b"\n", b"\r"):  # \r only for a file without any \n
        n, last = 0, b""
        with open(path, "rb") as f:
            while block := f.read(chunk):
                n += block.count(eol)
                last = block[-1:]
        if n:
            return n + (last != eol), eol.decode()
    return 1, "\n"


def _merged_rows(path, label, kwargs, column, row, k, cell) -> ValueError:
    quote = kwargs.get("quotechar", '"')
    where = f"in data row {row} (0-based)"
    found = _quoted_fields(path, kwargs)
    if found is not None:  # the k-th quoted field with a line break is the cell's
        text, fields = found
        spans = [m for m in fields if re.search(r"[\r\n]", m.group(0))]
        if k < len(spans):
            start = _line_of(text, spans[k].start())
            end = _line_of(text, spans[k].end() - 1)
            where = f"on line {start} and closed only on line {end}"
    shown = cell if len(cell) <= 60 else cell[:57] + "..."
    return ValueError(
        f"{label} has a quote ({quote}) opening column {column!r} {where}, so the lines "
        f"between were read as one row (that cell holds {shown!r}): a stray quote; remove "
        f"it (a {quote} inside a quoted field is written twice: {quote}{quote}), or pass "
        "read_options={'quoting': 3} (csv.QUOTE_NONE) to read quotes as ordinary text"
    )


def _unterminated_quote(path, label, kwargs, exc) -> ValueError:
    line = _quote_line(path, kwargs)
    record = re.search(r"starting at row (\d+)", str(exc))
    if line is not None:
        where = f" opened on line {line}"
    elif record:
        where = f" opened in row {int(record.group(1)) + 1} of the file (header = row 1)"
    else:
        where = ""
    quote = kwargs.get("quotechar", '"')
    return ValueError(
        f"{label} has a quote ({quote}){where} that is never closed, so every row after it "
        f"would be read into one field and lost; close or remove that quote (a {quote} inside "
        f"a quoted field is written twice: {quote}{quote}), or pass "
        "read_options={'quoting': 3} (csv.QUOTE_NONE) to read quotes as ordinary text"
    )


def _duplicate_names(label: str, names) -> None:
    idx = pd.Index([str(n) for n in names], dtype=object)
    dup = idx[idx.duplicated() & (idx != "")].unique().tolist()
    if dup:
        raise ValueError(
            f"{label} has duplicate column names {dup} in its header row; rename them so "
            "that every column name appears once"
        )


def _token_options(kwargs) -> dict:
    return {k: v for k, v in kwargs.items() if k in _TOKEN_OPTIONS}


def _peek(path, label, kwargs):
    """(raw header names, number of fields of the first data row if longer, else None).

    Reads two records as text with the python parser, header=None: the header then
    sets the expected width, so a longer first data row goes to the callback.
    """
    long = []

    def count(fields):
        long.append(len(fields))
        return list(fields[:1])

    head = _call_csv(path, label, {
        **_token_options(kwargs), "header": None, "nrows": 2, "dtype": str,
        "keep_default_na": False, "na_filter": False, "engine": "python",
        "on_bad_lines": count,
    })
    names = head.iloc[0].tolist() if len(head) else []
    return names, (long[0] if long else None)


def _read_ragged_csv(path, label, kwargs, n_header) -> Table:
    """Read a CSV with rows longer than its header, listing every such row.

    The typed frame comes from pandas' usual reader with ``usecols`` cut to the
    header's width (long rows are cut, never shifted); which rows were long, and
    how long, comes from a second read as text in which the header line sets the
    expected width (so a long first data row is caught too).
    """
    typed = dict(kwargs)
    typed["usecols"] = list(range(n_header))
    try:
        frame = _call_csv(path, label, typed)
    except pd.errors.ParserError as exc:
        if _is_quote_error(exc):
            raise _unterminated_quote(path, label, kwargs, exc) from None
        raise ValueError(f"{label} could not be parsed as a table: {exc}") from None
    long = []

    def mark(fields):
        long.append(len(fields))
        return [_RAGGED_MARK]

    text_kwargs = {
        **_token_options(kwargs), "header": None, "dtype": str, "keep_default_na": False,
        "na_filter": False, "engine": "python", "on_bad_lines": mark,
    }
    if kwargs.get("nrows") is not None:
        text_kwargs["nrows"] = kwargs["nrows"] + 1  # + the header
    if kwargs.get("skipfooter"):
        text_kwargs["skipfooter"] = kwargs["skipfooter"]
    try:
        text = _call_csv(path, label, text_kwargs)
    except pd.errors.ParserError as exc:
        if _is_quote_error(exc):
            raise _unterminated_quote(path, label, kwargs, exc) from None
        raise ValueError(f"{label} could not be parsed as a table: {exc}") from None
    marked = (text.iloc[1:, 0] == _RAGGED_MARK).to_numpy(dtype=bool)
    if len(text) - 1 != len(frame) or int(marked.sum()) != len(long):
        # the two reads disagree: often a stray quote that merged a long row (every row
        # is then a suspect ragged row for the check)
        suspects = dict.fromkeys(range(len(frame)), 0)
        _check_merged_rows(Table(frame, label, "csv", suspects), path, label, kwargs)
        raise ValueError(
            f"{label} has rows with more fields than the header, and its rows could not be "
            f"matched between two reads ({len(frame)} vs {max(len(text) - 1, 0)} rows); fix "
            "the long rows (often an unquoted separator inside a field)"
        )
    pos = marked.nonzero()[0]
    ragged = dict(zip(pos.tolist(), long, strict=True))
    if len(pos) and frame.shape[1]:
        # as before: the first field of a long row is not trusted as an id
        first = frame.columns[0]
        frame[first] = frame[first].astype("object").where(~marked, None)
    return Table(frame, label, "csv", ragged)


def _read_csv(path, label, sep, encoding, dtype, options, *, probe=True) -> Table:
    kwargs = dict(sep=sep, encoding=encoding or "utf-8", dtype=dtype)
    kwargs.update(options)
    own_layout = not (_LAYOUT_OPTIONS & options.keys())
    if own_layout:
        kwargs["index_col"] = False  # never take leading fields as an index (shift)
    try:
        frame = _call_csv(path, label, kwargs)
        failure = None
    except pd.errors.ParserError as exc:
        if _is_quote_error(exc):
            raise _unterminated_quote(path, label, kwargs, exc) from None
        frame, failure = None, exc
    if not own_layout:
        if failure is not None:
            raise ValueError(
                f"{label} could not be parsed as a table: {failure}; fix those rows, or leave "
                f"{sorted(_LAYOUT_OPTIONS & options.keys())} out of read_options so that "
                "long rows are reported instead"
            ) from None
        return Table(frame, label, "csv")
    if not probe and failure is None:
        return Table(frame, label, "csv")
    try:
        names, first_long = _peek(path, label, kwargs)
    except pd.errors.ParserError as exc:
        if _is_quote_error(exc):
            raise _unterminated_quote(path, label, kwargs, exc) from None
        raise ValueError(f"{label} could not be parsed as a table: {exc}") from None
    _duplicate_names(label, names)
    if failure is None and first_long is None:
        return Table(frame, label, "csv")
    return _read_ragged_csv(path, label, kwargs, len(names))


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
    progress=None,
) -> Table:
    """Read `source` (path, DataFrame) or `query` through `con` into a Table.

    csv_dtype, if given, is called with the CSV header (list of column names) and
    returns the `dtype=` mapping for read_csv (used to read ids as text so that
    leading zeros survive).
    """
    options = dict(read_options or {})
    if "delimiter" in options:
        # pandas' alias of sep: segment passes sep itself, so pandas would refuse both
        if "sep" in options:
            raise ValueError(
                "read_options has both 'sep' and 'delimiter', which pandas takes as the same "
                "option; pass one of them"
            )
        options["sep"] = options.pop("delimiter")
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
        return _read_sql(query, con, name, options, progress)
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
    if is_arrow(source):
        # polars, pyarrow, DuckDB: to pandas once, here (the loaders parse text columns)
        data = read_arrow(source, name)
        if not hasattr(data, "column_names"):
            raise TypeError(
                f"{name} must be a table (a DataFrame, an Arrow table, a polars DataFrame, "
                f"a DuckDB relation) or a file path, got a 1-D {arrow_kind(source)}"
            )
        return Table(data.to_pandas(date_as_object=False), arrow_kind(source), "frame")
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
        # pandas' on_bad_lines="skip"/"warn" would drop long rows before segment
        # counts them: they are read and listed in Table.ragged like any long row,
        # and the caller drops them in the open (load_contracts as ragged_row).
        bad_lines = options.get("on_bad_lines")
        if isinstance(bad_lines, str) and bad_lines in ("skip", "warn", "error"):
            del options["on_bad_lines"]
        else:
            bad_lines = None
        dtype = None
        if csv_dtype is not None:
            header = _read_csv(
                path, label, "\t" if kind == "tsv" else ",", encoding, None,
                {**options, "nrows": 0}, probe=False,
            ).frame.columns
            dtype = csv_dtype([str(c) for c in header]) or None
        sep = options.pop("sep", "\t" if kind == "tsv" else ",")
        table = _read_csv(path, label, sep, encoding, dtype, options)
        _check_merged_rows(
            table, path, label, {"sep": sep, "encoding": encoding or "utf-8", **options}
        )
        table.bad_lines = bad_lines
        return table
    if kind == "excel":
        try:
            frame = pd.read_excel(path, sheet_name=sheet_name, **options)
        except ImportError as exc:
            raise _missing_reader(label, exc, "xlrd" if path.lower().endswith(".xls")
                                  else "openpyxl") from None
        except ValueError as exc:
            if "not found" in str(exc).lower() or "worksheet" in str(exc).lower():
                sheets = pd.ExcelFile(path).sheet_names
                raise ValueError(
                    f"{label} has no sheet {sheet_name!r}; its sheets are {sheets}; "
                    "pass sheet_name="
                ) from None
            raise _corrupt(label, _FORMAT_TEXT[kind], exc) from exc
        except _NOT_CORRUPTION:
            raise
        except Exception as exc:  # BadZipFile, KeyError, XML and xlrd errors, ...
            raise _corrupt(label, _FORMAT_TEXT[kind], exc) from exc
        if isinstance(frame, dict):
            return Table(_stack_sheets(frame, label), label, "excel")
        if _looks_renamed(frame.columns) and "header" not in options:
            # pandas renames a repeated header (x, x.1): read the raw header row
            names = pd.read_excel(path, sheet_name=sheet_name, header=None, nrows=1)
            _duplicate_names(label, names.iloc[0].dropna().tolist() if len(names) else [])
        if isinstance(sheet_name, int) and sheet_name == 0 and "header" not in options:
            _warn_other_sheets(path, label, frame.columns)
        return Table(frame, label, "excel")
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path, **options)
        else:
            frame = pd.read_feather(path, **options)
    except ImportError as exc:
        raise _missing_reader(label, exc, "pyarrow") from None
    except _NOT_CORRUPTION:
        raise
    except Exception as exc:  # ArrowInvalid, ArrowIOError, ...
        raise _corrupt(label, _FORMAT_TEXT[kind], exc) from exc
    return Table(frame, label, kind)


# ---------------------------------------------------------------- SQL

_SQL_CHUNK = 50_000  # rows per fetch from a database (read_options={"chunksize": ...})
# scheme://user:password@host: the password part (SQLAlchemy's URL shows it as ***)
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<at>@)")


def mask_url(text: str) -> str:
    """Every ``scheme://user:password@`` in text with the password as ``***``, as
    SQLAlchemy's ``URL.render_as_string(hide_password=True)`` shows it."""
    return _URL_PASSWORD.sub(r"\g<head>***\g<at>", text)


def _is_sqlalchemy(con) -> bool:
    return type(con).__module__.split(".")[0] == "sqlalchemy"


def _connection(con):
    """(what to read from, label without a password, secrets to scrub, engine we made).

    A URL (str or sqlalchemy URL) becomes an engine, which needs SQLAlchemy; a
    SQLAlchemy engine or connection and a DB-API connection are used as given.
    """
    from urllib.parse import unquote

    if isinstance(con, str) or type(con).__name__ == "URL" and _is_sqlalchemy(con):
        text = con if isinstance(con, str) else con.render_as_string(hide_password=False)
        match = _URL_PASSWORD.search(text)
        secrets = {match.group("pw"), unquote(match.group("pw"))} if match else set()
        label = mask_url(text)
        try:
            import sqlalchemy
        except ImportError:
            raise ValueError(
                f"reading contracts from a connection URL ({label}) needs SQLAlchemy and a "
                "driver: pip install segment-kit[sql] (SQLAlchemy and psycopg for "
                "PostgreSQL), or pass con= a DB-API connection"
            ) from None
        try:
            engine = sqlalchemy.create_engine(con)
        except Exception as exc:
            raise ValueError(
                f"con={label!r} is not a usable database URL "
                f"({type(exc).__name__}: {_scrub(str(exc), secrets)}); write it as "
                "dialect+driver://user:password@host:port/database, e.g. "
                "postgresql+psycopg://user:***@localhost:5432/sales"
            ) from None
        return engine, label, secrets, engine
    if _is_sqlalchemy(con) and hasattr(con, "engine"):  # Engine or Connection
        url = con.engine.url
        secrets = {url.password} if url.password else set()
        return con, url.render_as_string(hide_password=True), secrets, None
    return con, type(con).__module__.split(".")[0] + " connection", set(), None


def _scrub(text: str, secrets) -> str:
    text = mask_url(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _read_sql(query, con, name, options, progress) -> Table:
    """A query read in chunks (a server-side cursor on SQLAlchemy connections),
    with a progress bar once it runs past one chunk; no password in any
    message, warning or label."""
    from segment._progress import progress_bar

    chunksize = options.pop("chunksize", None) or _SQL_CHUNK
    if not (isinstance(chunksize, int) and chunksize > 0):
        raise ValueError(f"read_options['chunksize'] must be a positive int, got {chunksize!r}")
    source, where, secrets, owned = _connection(con)
    label = f"SQL query on {where}"
    bar = None
    chunks = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if _is_sqlalchemy(source) and hasattr(source, "connect"):  # an Engine
                from contextlib import ExitStack

                stack = ExitStack()
                conn = stack.enter_context(source.connect())
                # stream_results: a server-side cursor where the driver has one
                # (psycopg, psycopg2, mysqlclient...), else fetches in chunks anyway
                conn = conn.execution_options(stream_results=True, max_row_buffer=chunksize)
            else:
                stack, conn = None, source
            try:
                for chunk in pd.read_sql(query, conn, chunksize=chunksize, **options):
                    chunks.append(chunk)
                    if bar is None and (progress is True or progress is None and len(chunks) > 1):
                        bar = progress_bar(None, desc=f"reading {name}", unit="rows")
                        bar.update(sum(len(c) for c in chunks))
                    elif bar is not None:
                        bar.update(len(chunk))
            finally:
                if stack is not None:
                    stack.close()
        for w in caught:  # pass the driver's warnings on, without a password
            warnings.warn_explicit(_scrub(str(w.message), secrets), w.category,
                                   w.filename, w.lineno)
    except ValueError as exc:
        raise ValueError(f"reading {name} from {where}: {_scrub(str(exc), secrets)}") from None
    except (TypeError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # the driver's and SQLAlchemy's errors
        raise ValueError(
            f"reading {name} from {where} failed ({type(exc).__name__}): "
            f"{_scrub(str(exc), secrets)}"
        ) from None
    finally:
        if bar is not None:
            bar.close()
        if owned is not None:
            owned.dispose()
    if not chunks:  # pandas yields nothing for a statement without rows
        raise ValueError(f"{label}: the query returned no result set; pass a SELECT statement")
    frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
    return Table(frame, label, "sql")


def _stack_sheets(frames: dict, label: str) -> pd.DataFrame:
    """Sheets with one header, one under the other, with a ``sheet`` column."""
    frames = {name: f for name, f in frames.items() if f.shape[1]}  # empty sheets
    if not frames:
        raise ValueError(f"every sheet of {label} is empty")
    first_name, first = next(iter(frames.items()))
    for name, f in frames.items():
        if list(f.columns) != list(first.columns):
            raise ValueError(
                f"the sheets of {label} have different columns: {first_name!r} has "
                f"{[str(c) for c in first.columns]}, {name!r} has "
                f"{[str(c) for c in f.columns]}; pass sheet_name= the list of sheets "
                "that hold the same table"
            )
    if "sheet" in first.columns:
        raise ValueError(
            f"{label} already has a column 'sheet': segment adds one naming the sheet of "
            "each row when it reads several sheets; rename it"
        )
    frame = pd.concat(frames.values(), ignore_index=True)
    frame["sheet"] = np.repeat([str(n) for n in frames], [len(f) for f in frames.values()])
    return frame


def _warn_other_sheets(path, label, columns) -> None:
    """Warn when other sheets have the header of the first: one table split by
    sheet (one per year is common), of which sheet_name=0 reads a part."""
    try:
        book = pd.ExcelFile(path)
        names = book.sheet_names
        if len(names) < 2:
            return
        same = [n for n in names[1:]
                if list(pd.read_excel(book, sheet_name=n, nrows=0).columns) == list(columns)]
    except Exception:  # the first sheet was read: a damaged other sheet is not this call's
        return
    if same:
        warnings.warn(
            f"{label} has {len(names)} sheets and only the first ({names[0]!r}) was read; "
            f"{_first_names(same)} have the same columns. Pass sheet_name=None to read every "
            "sheet (a column 'sheet' names each row's), or a sheet's name to read only it",
            UserWarning, stacklevel=4,
        )


def _first_names(names, limit=5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return f"[{shown}{', ...' if len(names) > limit else ''}]"


def _looks_renamed(columns) -> bool:
    """True if a column is named like pandas' rename of a repeated name (`x.1`)."""
    names = pd.Index([str(c) for c in columns], dtype=object)
    base = names.str.replace(r"\.\d+$", "", regex=True)
    return bool(((base != names) & base.isin(names)).any())
