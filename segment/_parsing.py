"""Cell parsers of the loaders and the feature rules: dates, numbers, booleans, text.

Each takes a pandas Series of raw cells (text, numbers or datetimes, as a
file or a DataFrame holds them) and returns the parsed values with masks of
the cells that were missing or could not be read, so that the caller can
name the rows at fault (segment.contracts) or refuse them (segment.features).
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd

__all__ = [
    "as_str",
    "as_text",
    "date_value",
    "naive_datetimes",
    "number_marks",
    "parse_booleans",
    "parse_dates",
    "parse_numbers",
]


_MIN_DATE = pd.Timestamp("1900-01-01")


_MAX_DATE = pd.Timestamp("2100-12-31")


_TRUE = ("true", "t", "yes", "y", "1", "1.0", "sim", "s", "x")


_FALSE = ("false", "f", "no", "n", "0", "0.0", "nao", "não")


_BOOLEAN = {**{k: True for k in _TRUE}, **{k: False for k in _FALSE}}


def as_text(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Stripped text with empty strings as NaN; returns (text, missing mask)."""
    notna = raw.notna().to_numpy()
    if pd.api.types.is_float_dtype(raw.dtype):
        vals = raw.to_numpy()
        # whole numbers print without ".0"; inf and values beyond int64 keep their float text
        with np.errstate(invalid="ignore"):
            integral = (notna & (np.floor(np.where(notna, vals, 0)) == vals)
                        & (np.abs(np.where(notna, vals, 0)) < 2.0**63))
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


def date_value(value, dayfirst=None, *, name="as_of", flags=("dayfirst=True",
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


def parse_dates(raw: pd.Series, date_format, dayfirst):
    """Return (datetime64[ns] series, missing, unparseable, out_of_range) masks.

    Text is read with `date_format`, or else as ISO 8601; with `dayfirst` True or
    False (and no `date_format`), text that is not ISO is read as day/month/year
    or month/day/year (separators / . -, two- or four-digit years).
    """
    n = len(raw)
    notna = raw.notna().to_numpy()
    native = None
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        parsed = naive_datetimes(raw)
        missing = ~notna
        bad = np.zeros(n, bool)
    elif pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype):
        parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        missing = ~notna
        bad = notna.copy()
    elif (native := _native_date_cells(raw)) is not None:
        # a column mixing real dates (Excel date cells) with text (12/07/2022 typed as
        # text): the dates as they are, the text with the format / dayfirst
        text_part = parse_dates(raw.where(~native), date_format, dayfirst)
        dates = naive_datetimes(pd.to_datetime(raw.where(native, None), errors="coerce",
                                               utc=_has_tz(raw[native])))
        parsed = text_part[0].where(~native, dates.astype("datetime64[ns]"))
        missing = text_part[1] & ~native
        bad = text_part[2] | (native & parsed.isna().to_numpy())
        text_out_of_range = text_part[3]  # already NaT in parsed: carried over
    else:
        txt, missing = as_text(raw)
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
    if native is not None:
        out_of_range |= text_out_of_range
    parsed = parsed.where(~out_of_range).astype("datetime64[ns]")
    return parsed, missing, bad, out_of_range


def _native_date_cells(raw: pd.Series):
    """Mask of date/datetime cells in an object column that also holds other
    cells (text), or None when the column is not such a mix."""
    if raw.dtype != object:
        return None
    kind = pd.api.types.infer_dtype(raw, skipna=True)
    if kind not in ("mixed", "mixed-integer"):
        return None
    mask = raw.map(lambda v: isinstance(v, (datetime.date, np.datetime64)),
                   na_action="ignore")
    mask = mask.fillna(False).to_numpy(dtype=bool)
    return mask if mask.any() else None


def _has_tz(cells: pd.Series) -> bool:
    return any(getattr(v, "tzinfo", None) is not None for v in cells)


def naive_datetimes(s: pd.Series) -> pd.Series:
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


def number_marks(read_options) -> tuple[str, str | None]:
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


def parse_numbers(raw: pd.Series, decimal=".", thousands=None):
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
        txt, missing = as_text(raw)
        vals = pd.to_numeric(txt, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        non_numeric = ~missing & np.isnan(vals)
    else:
        # per cell: text with the user's marks, numbers as they are (pandas reads a
        # large CSV in chunks; a chunk without a text cell arrives as numbers)
        is_text = _text_cells(raw)
        txt, missing = as_text(raw.where(is_text))
        vals = _localized_numbers(txt, decimal, thousands)
        if not is_text.all():
            numbers = pd.to_numeric(raw.where(~is_text), errors="coerce")
            vals = np.where(is_text, vals, numbers.to_numpy(dtype=np.float64, na_value=np.nan))
            missing = np.where(is_text, missing, raw.isna().to_numpy(dtype=bool))
        non_numeric = ~missing & np.isnan(vals)
    non_finite = np.isinf(vals)
    return vals, missing, non_numeric, non_finite


def parse_booleans(raw: pd.Series):
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
    txt, missing = as_text(raw)
    mapped = txt.str.casefold().map(_BOOLEAN)
    invalid = ~missing & mapped.isna().to_numpy()
    return mapped.to_numpy(dtype=object, na_value=None), missing, invalid


def as_str(values: pd.Series) -> pd.Series:
    s = values.astype("str")
    return s if s.dtype == values.dtype and not values.hasnans else s.where(values.notna())

