"""Likert questionnaires: read answers given as numbers or verbal labels.

`load_likert` reads questionnaire answers given as numbers or verbal labels
("I totally agree" ... "I absolutely disagree", Paper A; the common English
agreement and accuracy scales, `LIKERT_SCALES`; or your own labels), flips
reverse-coded items and returns one float column per item. What is done with
the answers (reliability, expert scores, votes) is in segment.survey.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
import warnings
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from segment._io import read_table
from segment._validation import listed

__all__ = [
    "LIKERT_SCALES",
    "LikertScaleWarning",
    "load_likert",
]


class LikertScaleWarning(UserWarning):
    """The answers do not fill the scale they were coded on: a detected verbal scale or
    an inferred numeric one skips points (wrong scale, or a "no answer" code taken as an
    answer). The message names the columns and what to pass (``scale=``, ``missing=``)."""


# ---------------------------------------------------------------- scales


def _scale(*levels):
    """levels: one tuple of synonyms per point, lowest first -> {label: code}."""
    return MappingProxyType(
        {label: code for code, names in enumerate(levels, start=1) for label in names}
    )


#: Built-in verbal scales, name -> {label: number}. Labels are matched ignoring
#: case, accents, spaces and punctuation ("StronglyAgree" == "strongly agree").
LIKERT_SCALES = MappingProxyType({
    # Paper A (section "Quantitative section"): 5-point agreement
    "paper_a": _scale(
        ("I absolutely disagree",),
        ("I disagree",),
        ("I have no opinion",),
        ("I agree",),
        ("I totally agree",),
    ),
    "agree4": _scale(
        ("Strongly disagree",), ("Disagree",), ("Agree",), ("Strongly agree",)
    ),
    "agree5": _scale(
        ("Strongly disagree",),
        ("Disagree",),
        ("Neither agree nor disagree", "Neither disagree nor agree", "Neutral", "Undecided"),
        ("Agree",),
        ("Strongly agree",),
    ),
    # Qualtrics' 5-point agreement scale ("Somewhat" where agree5 has plain
    # Disagree/Agree); "Slightly" belongs to 6- and 7-point scales (agree6, agree7)
    "agree5_somewhat": _scale(
        ("Strongly disagree",),
        ("Somewhat disagree",),
        ("Neither agree nor disagree", "Neither disagree nor agree", "Neutral", "Undecided"),
        ("Somewhat agree",),
        ("Strongly agree",),
    ),
    "agree6": _scale(
        ("Strongly disagree",),
        ("Disagree", "Moderately disagree"),
        ("Slightly disagree", "Somewhat disagree"),
        ("Slightly agree", "Somewhat agree"),
        ("Agree", "Moderately agree"),
        ("Strongly agree",),
    ),
    "agree7": _scale(
        ("Strongly disagree",),
        ("Disagree", "Moderately disagree"),
        ("Somewhat disagree", "Slightly disagree"),
        ("Neither agree nor disagree", "Neither disagree nor agree", "Neutral", "Undecided"),
        ("Somewhat agree", "Slightly agree"),
        ("Agree", "Moderately agree"),
        ("Strongly agree",),
    ),
    "accuracy4": _scale(
        ("Very inaccurate",),
        ("Moderately inaccurate", "Inaccurate"),
        ("Moderately accurate", "Accurate"),
        ("Very accurate",),
    ),
    "accuracy5": _scale(
        ("Very inaccurate",),
        ("Moderately inaccurate", "Inaccurate"),
        ("Neither accurate nor inaccurate", "Neither inaccurate nor accurate", "Neutral"),
        ("Moderately accurate", "Accurate"),
        ("Very accurate",),
    ),
    "accuracy6": _scale(
        ("Very inaccurate",),
        ("Moderately inaccurate",),
        ("Slightly inaccurate",),
        ("Slightly accurate",),
        ("Moderately accurate",),
        ("Very accurate",),
    ),
    "accuracy7": _scale(
        ("Very inaccurate",),
        ("Moderately inaccurate",),
        ("Slightly inaccurate",),
        ("Neither accurate nor inaccurate", "Neither inaccurate nor accurate", "Neutral"),
        ("Slightly accurate",),
        ("Moderately accurate",),
        ("Very accurate",),
    ),
})


def _norm(text) -> str:
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", s.casefold())


def _norm_index(values) -> pd.Index:
    """Vectorised `_norm` over distinct values."""
    idx = pd.Index(values, dtype="object").astype(str)
    idx = idx.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return idx.str.casefold().str.replace(r"[^0-9a-z]+", "", regex=True)


@dataclass(frozen=True)
class _Scale:
    name: str
    labels: dict  # normalised label -> code
    codes: np.ndarray  # allowed numeric values, sorted
    inferred: bool = False

    @property
    def low(self) -> float:
        return float(self.codes[0])

    @property
    def high(self) -> float:
        return float(self.codes[-1])


def _numeric_scale(values, name) -> _Scale:
    try:
        codes = np.asarray(sorted({float(v) for v in values}), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"scale={values!r} is neither a scale name, a {{label: number}} dict nor numbers"
        ) from None
    if len(codes) < 2 or not np.isfinite(codes).all():
        raise ValueError(f"scale must have at least two finite values, got {values!r}")
    return _Scale(name, {}, codes)


def _label_scale(mapping, name) -> _Scale:
    labels = {}
    for label, code in mapping.items():
        if isinstance(code, bool) or not isinstance(code, numbers.Real):
            raise TypeError(f"scale maps {label!r} to {code!r}; values must be numbers")
        key = _norm(label)
        if key in labels and labels[key] != code:
            raise ValueError(
                f"scale has labels that match the same text with different numbers: {label!r}"
            )
        labels[key] = float(code)
    return _Scale(name, labels, np.asarray(sorted(set(labels.values())), dtype=np.float64))


def _builtin(name) -> _Scale:
    if name not in LIKERT_SCALES:
        raise ValueError(f"unknown scale {name!r}; built-in scales are {list(LIKERT_SCALES)}")
    return _label_scale(LIKERT_SCALES[name], name)


def _detect_scale(observed: set) -> _Scale:
    """The smallest built-in scale whose labels cover every observed label."""
    fits = [name for name in LIKERT_SCALES
            if observed <= set(_builtin(name).labels)]
    if not fits:
        best = max(LIKERT_SCALES, key=lambda nm: len(observed & set(_builtin(nm).labels)))
        unknown = sorted(observed - set(_builtin(best).labels))
        raise ValueError(
            f"answers have labels that match no built-in scale, e.g. {listed(unknown, 5)} "
            f"(closest: {best!r}); pass scale={{'your label': number, ...}} or missing=[...]"
        )
    fits.sort(key=lambda nm: (len(set(LIKERT_SCALES[nm].values())), nm))
    chosen = fits[0]
    size = len(set(LIKERT_SCALES[chosen].values()))
    others = [nm for nm in fits[1:] if len(set(LIKERT_SCALES[nm].values())) != size]
    if others:
        warnings.warn(
            f"the answers fit several scales {[chosen, *others]}; using {chosen!r}, the "
            f"smallest. Pass scale={chosen!r} (or the one your questionnaire used) to be explicit",
            UserWarning,
            stacklevel=3,
        )
    return _builtin(chosen)


# ---------------------------------------------------------------- load_likert


def load_likert(
    source,
    *,
    items=None,
    scale=None,
    reverse=None,
    missing=None,
    index_col=None,
    sheet_name=0,
    encoding=None,
    read_options=None,
):
    """Read Likert answers (numbers or verbal labels) into one float column per item.

    Parameters
    ----------
    source : str, path-like, DataFrame or Arrow data
        A CSV/TSV, Excel, Parquet or Feather file, or a DataFrame; one row per
        respondent, one column per item. A polars DataFrame, pyarrow Table or
        RecordBatch or DuckDB relation is converted to pandas once, by pyarrow
        (the ``arrow`` extra), as verbal answers need pandas' text handling.
    items : list of str, optional
        The item columns, in the order wanted; default every column except
        `index_col`.
    scale : str, dict, range or sequence of numbers, optional
        * a built-in name: ``"paper_a"`` (Paper A: "I totally agree" = 5,
          "I agree" = 4, "I have no opinion" = 3, "I disagree" = 2,
          "I absolutely disagree" = 1), ``"agree4"`` ... ``"agree7"``
          (Strongly disagree ... Strongly agree; agree5 is the SurveyMonkey /
          Google Forms wording with plain Disagree/Agree and Neither agree nor
          disagree or Neutral), ``"agree5_somewhat"`` (Qualtrics' 5-point
          wording: Somewhat disagree/agree), ``"accuracy4"`` ...
          ``"accuracy7"`` (Very inaccurate ... Very accurate); see
          `LIKERT_SCALES`;
        * a dict ``{label: number}`` for your own labels;
        * numbers allowed for numeric answers, e.g. ``range(1, 7)`` for 1..6.

        Verbal scales also accept their numbers (a cell "4" or 4 is 4). By
        default, verbal answers pick the smallest built-in scale covering
        every label (warning when a larger one fits too, and with a
        `LikertScaleWarning` when the labels found skip points of it, as 1, 3,
        4, 5, 7 would), and numeric answers allow every integer between the
        smallest and largest answer given (pass the scale when reversing
        items: nobody may have answered an extreme). An inferred numeric
        scale that skips values warns (`LikertScaleWarning`); one that an
        outlying code would widen (99 beside 1..5, farther from the other
        answers than their whole range) is refused: pass ``missing=[99]``.
    reverse : list of str, optional
        Reverse-coded items, flipped as ``low + high - x`` (e.g. 7 - x on a 1..6
        scale).
    missing : list, optional
        Labels or numbers that mean "no answer" (e.g. ``["Don't know", 9]`` or
        ``[99]``): they become NaN, and are counted per item in
        ``.attrs["likert"]["n_missing_code"]``; empty cells and NaN are
        always missing.
    index_col : str, optional
        Column with respondent ids to use as the index.
    sheet_name, encoding, read_options
        As in `segment.load_contracts`.

    Returns
    -------
    DataFrame, shape (n_respondents, n_items), float64
        NaN for missing answers. ``.attrs["likert"]`` records the scale name,
        its low and high values, the reversed items, the `missing` values and
        ``n_missing_code`` (item -> cells that were one of them). NaN is what
        `cronbach_alpha` reads as no answer (``nan_policy``).

    Raises
    ------
    ValueError
        For an answer outside the scale, naming row, column and value; for
        unknown items or an unknown scale; for a likely "no answer" code in
        numeric answers without `scale` (naming the columns and the value).

    Warns
    -----
    LikertScaleWarning
        A detected or inferred scale whose answers skip points (names the
        columns and the codes skipped).

    Examples
    --------
    >>> import pandas as pd
    >>> from segment.likert import load_likert
    >>> answers = pd.DataFrame({
    ...     "q1": ["I totally agree", "i agree ", "I have no opinion"],
    ...     "q2": ["I absolutely disagree", None, "I agree"],
    ... })
    >>> load_likert(answers, scale="paper_a", reverse=["q2"])
        q1   q2
    0  5.0  5.0
    1  4.0  NaN
    2  3.0  2.0
    """
    table = read_table(
        source, name="answers", sheet_name=sheet_name, encoding=encoding,
        read_options=read_options,
    )
    frame = table.frame
    if table.ragged and table.bad_lines in ("skip", "warn"):
        # what the user asked pandas for, said out loud: the long rows are left out
        rows = sorted(table.ragged)
        warnings.warn(
            f"{table.label}: left out {len(rows)} rows with more fields than the header "
            f"(read_options on_bad_lines={table.bad_lines!r}) at rows {listed(rows)} "
            "(0-based data rows)",
            UserWarning, stacklevel=2,
        )
        frame = frame.drop(index=frame.index[rows]).reset_index(drop=True)
    elif table.ragged:
        rows = sorted(table.ragged)
        raise ValueError(
            f"{table.label} has rows with more fields than the header at rows {listed(rows)} "
            "(0-based data rows); fix the file (often an unquoted comma in a free-text answer)"
        )
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()].unique().tolist()
        raise ValueError(f"{table.label} has duplicate column names {dup}; rename them")
    if index_col is not None:
        if index_col not in frame.columns:
            raise ValueError(
                f"index_col={index_col!r} is not a column of the answers; columns are "
                f"{listed(frame.columns, 30)}"
            )
        frame = frame.set_index(index_col)
    if items is None:
        items = list(frame.columns)
    else:
        if isinstance(items, str):
            items = [items]
        items = list(items)
        unknown = [c for c in items if c not in frame.columns]
        if unknown:
            raise ValueError(
                f"items {unknown} are not columns of the answers; columns are "
                f"{listed(frame.columns, 30)}"
            )
    if not items:
        raise ValueError("the answers have no item columns")
    if len(set(items)) != len(items):
        raise ValueError("items lists a column twice")
    if reverse is None:
        reverse = []
    elif isinstance(reverse, str):
        reverse = [reverse]
    reverse = list(reverse)
    bad_rev = [c for c in reverse if c not in items]
    if bad_rev:
        raise ValueError(f"reverse names {bad_rev}, which are not among the items {items}")

    data = frame[items]
    missing = [] if missing is None else ([missing] if isinstance(missing, str) else list(missing))
    missing_text = {_norm(m) for m in missing if isinstance(m, str)}
    missing_nums = {float(m) for m in missing if isinstance(m, numbers.Real)}

    numeric_cols = [c for c in items if pd.api.types.is_numeric_dtype(data[c].dtype)
                    and not pd.api.types.is_bool_dtype(data[c].dtype)]
    text_cols = [c for c in items if c not in numeric_cols]

    # distinct cell texts per text column (factorised: no loop over rows)
    coded = {}
    for c in text_cols:
        codes_, uniques = pd.factorize(data[c], use_na_sentinel=True)
        coded[c] = (codes_, uniques, _norm_index(uniques))

    if scale is None:
        labels_in = {}  # column -> its labels (distinct values only: no loop over rows)
        for c in text_cols:
            labels_in[c] = {u for u in coded[c][2]
                            if u and u not in missing_text and not _is_number(u)}
        observed = set().union(*labels_in.values())
        if observed:
            sc = _detect_scale(observed)
            _warn_label_gaps(sc, labels_in)
        else:
            vals = pd.concat({c: pd.to_numeric(data[c].astype("object"), errors="coerce")
                              for c in items})  # index (column, row)
            vals = vals[~vals.isin(list(missing_nums))].dropna()
            if vals.empty:
                raise ValueError("the answers are all missing; there is nothing to load")
            lo, hi = math.floor(vals.min()), math.ceil(vals.max())
            _refuse_missing_code(vals, items, lo, hi)
            sc = _Scale(f"{lo}..{hi} (inferred)", {}, np.arange(lo, hi + 1, dtype=np.float64),
                        inferred=True)
            _warn_value_gaps(vals, items, lo, hi)
            if reverse and hi - lo >= 1:
                warnings.warn(
                    f"reversing {reverse} on a scale inferred from the answers ({lo}..{hi}); "
                    f"pass scale=range(low, high + 1) if some extreme was never chosen",
                    UserWarning,
                    stacklevel=2,
                )
    elif isinstance(scale, str):
        sc = _builtin(scale)
    elif hasattr(scale, "items"):
        sc = _label_scale(scale, "custom")
    elif isinstance(scale, range):
        sc = _numeric_scale(list(scale), f"range({scale.start}, {scale.stop})")
    else:
        sc = _numeric_scale(list(scale), "custom numbers")

    allowed = set(sc.codes.tolist())
    out = {}
    n_coded_missing = {}  # item -> cells that were a missing= value
    problems = []  # (row label, column, value)
    for c in items:
        s = data[c]
        if c in numeric_cols:
            vals = s.to_numpy(dtype=np.float64, na_value=np.nan)
            coded_missing = np.isin(vals, list(missing_nums))
            is_missing = np.isnan(vals) | coded_missing
            valid = np.isin(vals, list(allowed))
            bad = ~is_missing & ~valid
            res = np.where(is_missing | bad, np.nan, vals)
        else:
            codes_, uniques, norm_u = coded[c]
            u_num = pd.to_numeric(pd.Series(uniques, dtype="object").astype(str).str.strip(),
                                  errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            u_val = np.array([sc.labels.get(u, np.nan) for u in norm_u], dtype=np.float64)
            u_val = np.where(np.isnan(u_val) & np.isin(u_num, list(allowed)), u_num, u_val)
            u_code = np.array([u != "" and u in missing_text for u in norm_u], dtype=bool
                              ) | np.isin(u_num, list(missing_nums))
            u_missing = u_code | np.array([u == "" for u in norm_u], dtype=bool)
            u_bad = ~u_missing & np.isnan(u_val)
            safe = np.maximum(codes_, 0)
            is_missing = (codes_ < 0) | (u_missing[safe] if len(uniques) else True)
            bad = (codes_ >= 0) & (u_bad[safe] if len(uniques) else False)
            res = np.where(is_missing | bad, np.nan,
                           u_val[safe] if len(uniques) else np.nan)
            coded_missing = (codes_ >= 0) & (u_code[safe] if len(uniques) else False)
        n_coded_missing[c] = int(np.count_nonzero(coded_missing))
        if bad.any():
            for pos in np.flatnonzero(bad)[:10]:
                value = s.iloc[pos]
                problems.append((data.index[pos], c, value.item()
                                 if isinstance(value, np.generic) else value))
            if len(problems) >= 10:
                n_bad = int(bad.sum())
                problems.append((None, c, f"... {n_bad} in this column"))
                break
        out[c] = res
    if problems:
        where = "; ".join(
            f"row {r!r}, column {c!r}: {v!r}" if r is not None else f"{v}"
            for r, c, v in problems[:10]
        )
        allowed_txt = (
            f"labels of the {sc.name!r} scale {list(LIKERT_SCALES[sc.name])}"
            if sc.name in LIKERT_SCALES
            else f"values {[_num(v) for v in sorted(allowed)]}" if not sc.labels
            else f"labels {sorted(sc.labels)}"
        )
        raise ValueError(
            f"answers have values outside the scale: {where}. Allowed are the {allowed_txt} "
            "(matching ignores case and spaces); pass missing=[...] for non-answers or scale= "
            "for another scale"
        )
    result = pd.DataFrame(out, index=data.index, columns=items, dtype=np.float64)
    if reverse:
        result[reverse] = sc.low + sc.high - result[reverse]
    result.attrs["likert"] = {
        "scale": sc.name,
        "low": sc.low,
        "high": sc.high,
        "reversed": list(reverse),
        "missing": list(missing),
        "n_missing_code": n_coded_missing,
    }
    return result


def _num(v: float):
    return int(v) if float(v).is_integer() else v


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _skipped(present, lo: int, hi: int) -> list:
    """Integers in lo..hi that are not in `present`."""
    return sorted(set(range(lo, hi + 1)) - {int(v) for v in present if float(v).is_integer()})


def _warn_label_gaps(sc: _Scale, labels_in: dict) -> None:
    """Warn when the labels found cover points of the detected scale with holes between."""
    used = {c: {sc.labels[u] for u in labels} for c, labels in labels_in.items() if labels}
    codes = set().union(*used.values())
    skipped = _skipped(codes, int(min(codes)), int(max(codes)))
    if not skipped:
        return
    name_of = {}
    for label, code in LIKERT_SCALES[sc.name].items():
        name_of.setdefault(code, label)
    holes = ", ".join(f"{k} ({name_of[k]!r})" for k in skipped)
    warnings.warn(
        f"the answers in columns {list(used)} were coded on the detected scale {sc.name!r}, "
        f"but skip its points {holes}: their labels may come from another scale (e.g. a "
        "5-point export read as 7-point). Check the labels and pass scale= (a built-in "
        "name or {'your label': number, ...})",
        LikertScaleWarning,
        stacklevel=3,
    )


def _largest_gap(values: np.ndarray) -> tuple[int, float]:
    """(index i, width) of the widest gap values[i + 1] - values[i] of sorted values."""
    widths = np.diff(values)
    i = int(np.argmax(widths))
    return i, float(widths[i])


def _columns_with(vals: pd.Series, items, which) -> list:
    """Items (in order) that hold one of the values `which`; vals indexed (column, row)."""
    cols = set(vals.index.get_level_values(0)[vals.isin(list(which)).to_numpy()])
    return [c for c in items if c in cols]


def _refuse_missing_code(vals: pd.Series, items, lo: int, hi: int) -> None:
    """Refuse an inferred numeric scale that an outlying "no answer" code would widen.

    An extreme value farther (by 3 or more) from the other answers than their whole
    range, like 99 beside 1..5 or -9 beside 1..5, is a code, not an answer.
    """
    v = np.unique(vals.to_numpy(dtype=np.float64))
    if len(v) < 3:
        return
    for code, gap, rest in ((v[-1], v[-1] - v[-2], (v[0], v[-2])),
                            (v[0], v[1] - v[0], (v[1], v[-1]))):
        if gap >= 3 and gap > rest[1] - rest[0]:
            cols = _columns_with(vals, items, [code])
            n = int((vals == code).sum())
            raise ValueError(
                f"answers in columns {cols} have the value {_num(code)} ({n} cells), far from "
                f"the other answers ({_num(rest[0])}..{_num(rest[1])}): it looks like a 'no "
                f"answer' code, and would widen the inferred scale to {lo}..{hi}. Pass "
                f"missing=[{_num(code)}] if it means no answer, or scale=range({lo}, {hi + 1}) "
                "if it is a real answer"
            )


def _warn_value_gaps(vals: pd.Series, items, lo: int, hi: int) -> None:
    """Warn when an inferred numeric scale has values nobody answered between lo and hi."""
    v = np.unique(vals.to_numpy(dtype=np.float64))
    skipped = _skipped(v, lo, hi)
    if not skipped or len(v) < 2:
        return
    i, _ = _largest_gap(v)
    lower, upper = v[: i + 1], v[i + 1:]
    side = upper if len(upper) <= len(lower) else lower  # the few values beyond the gap
    odd = [_num(x) for x in side]
    shown = ", ".join(str(k) for k in skipped[:10]) + (", ..." if len(skipped) > 10 else "")
    warnings.warn(
        f"the inferred scale {lo}..{hi} skips {shown}: no answer has those values. "
        f"{odd} in columns {_columns_with(vals, items, side)} may be a 'no answer' code: pass "
        f"missing={odd} if so, or scale= with the questionnaire's scale "
        f"(e.g. scale=range({lo}, {hi + 1}))",
        LikertScaleWarning,
        stacklevel=3,
    )

