"""Survey data: Likert questionnaires, reliability, expert scores and votes.

* `load_likert` reads questionnaire answers given as numbers or verbal labels
  ("I totally agree" ... "I absolutely disagree", Paper A; the common English
  agreement and accuracy scales; or your own labels), flips reverse-coded items
  and returns one float column per item.
* `cronbach_alpha` measures a scale's reliability (Paper A reports 0.86), with a
  confidence interval and item statistics.
* `expert_matrix` averages several experts' scores into a decision matrix
  (Paper A, Table 2).
* `tally_votes` counts stakeholder votes and selects variables (Paper B,
  Tables 5 -> 6).
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
import warnings
from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType

import numpy as np
import pandas as pd

from segment._io import read_table

__all__ = [
    "LIKERT_SCALES",
    "AlphaResult",
    "LikertScaleWarning",
    "VoteTally",
    "load_likert",
    "cronbach_alpha",
    "expert_matrix",
    "tally_votes",
]


class LikertScaleWarning(UserWarning):
    """The answers do not fill the scale they were coded on: a detected verbal scale or
    an inferred numeric one skips points (wrong scale, or a "no answer" code taken as an
    answer). The message names the columns and what to pass (``scale=``, ``missing=``)."""


def _first(items, limit=10) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return f"[{shown}{', ...' if len(items) > limit else ''}]"


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
            f"answers have labels that match no built-in scale, e.g. {_first(unknown, 5)} "
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
    source : str, path-like or DataFrame
        A CSV/TSV, Excel, Parquet or Feather file, or a DataFrame; one row per
        respondent, one column per item.
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
    >>> from segment.survey import load_likert
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
    if table.ragged:
        rows = sorted(table.ragged)
        raise ValueError(
            f"{table.label} has rows with more fields than the header at rows {_first(rows)} "
            "(0-based data rows); fix the file (often an unquoted comma in a free-text answer)"
        )
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()].unique().tolist()
        raise ValueError(f"{table.label} has duplicate column names {dup}; rename them")
    if index_col is not None:
        if index_col not in frame.columns:
            raise ValueError(
                f"index_col={index_col!r} is not a column of the answers; columns are "
                f"{_first(frame.columns, 30)}"
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
                f"{_first(frame.columns, 30)}"
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


# ---------------------------------------------------------------- Cronbach's alpha


def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a, b, x, xc):
    """Regularised incomplete beta I_x(a, b); xc = 1 - x, passed exactly."""
    if x <= 0.0:
        return 0.0
    if xc <= 0.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log(xc))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, xc) / b


def _f_ppf(q, d1, d2):
    """Quantile of the F(d1, d2) distribution.

    Bisection on t = log(d1 x / d2), where the beta variable is y = 1 / (1 + e^-t)
    and 1 - y = 1 / (1 + e^t): both tails keep full relative precision.
    """
    a, b = d1 / 2.0, d2 / 2.0
    lo, hi = -745.0, 709.0
    while hi - lo > 1e-13 * max(1.0, abs(lo), abs(hi)):
        t = 0.5 * (lo + hi)
        if t >= 0:
            e = math.exp(-t)
            y, yc = 1.0 / (1.0 + e), e / (1.0 + e)
        else:
            e = math.exp(t)
            y, yc = e / (1.0 + e), 1.0 / (1.0 + e)
        if _betainc(a, b, y, yc) < q:
            lo = t
        else:
            hi = t
    return d2 / d1 * math.exp(0.5 * (lo + hi))


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha of a scale, with its confidence interval and item statistics.

    Attributes
    ----------
    alpha : float
        Raw (covariance) alpha: k / (k - 1) * (1 - trace(C) / sum(C)).
    std_alpha : float
        Standardised alpha from the mean inter-item correlation r:
        k r / (1 + (k - 1) r); NaN if an item has no variance.
    ci_low, ci_high : float
        Confidence interval (NaN when ci=None).
    ci : float or None
        Confidence level.
    ci_method : str
        "feldt" or "duhachek".
    ase : float
        Asymptotic standard error (Duhachek & Iacobucci 2004).
    n_obs : int
        Respondents used (with at least one answer; complete rows for
        nan_policy="listwise").
    n_items : int
    nan_policy : str
    item_stats : DataFrame, shape (n_items, 5)
        Per item: ``n`` (answers), ``mean``, ``sd``, ``r_drop`` (correlation with
        the sum of the other items) and ``alpha_if_deleted``.
    """

    alpha: float
    std_alpha: float
    ci_low: float
    ci_high: float
    ci: float | None
    ci_method: str
    ase: float
    n_obs: int
    n_items: int
    nan_policy: str
    item_stats: pd.DataFrame

    def __float__(self) -> float:
        return float(self.alpha)

    def to_frame(self) -> pd.DataFrame:
        """One row: alpha, std_alpha, ci_low, ci_high, ase, n_obs, n_items."""
        return pd.DataFrame(
            [{
                "alpha": self.alpha,
                "std_alpha": self.std_alpha,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "ase": self.ase,
                "n_obs": self.n_obs,
                "n_items": self.n_items,
            }],
            index=pd.Index(["scale"]),
        )

    def __repr__(self) -> str:
        ci = (f", {self.ci:.0%} CI [{self.ci_low:.3f}, {self.ci_high:.3f}] ({self.ci_method})"
              if self.ci is not None else "")
        return (f"AlphaResult(alpha={self.alpha:.4f}{ci}, std_alpha={self.std_alpha:.4f}, "
                f"n_obs={self.n_obs}, n_items={self.n_items}, nan_policy={self.nan_policy!r})")


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    total = c.sum()
    if not total > 0:
        return np.nan
    return k / (k - 1) * (1.0 - np.trace(c) / total)


def cronbach_alpha(items, *, nan_policy="pairwise", ci=0.95, ci_method="feldt"):
    """Cronbach's alpha with a confidence interval.

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the total),
    computed from the item covariance matrix C as k / (k - 1) * (1 - tr C / sum C),
    as R's psych::alpha and pingouin do.

    Parameters
    ----------
    items : DataFrame or array, shape (n_respondents, n_items)
        Numeric answers, reverse-coded items already flipped (see
        `load_likert`); NaN = no answer.
    nan_policy : {"pairwise", "listwise", "median", "raise"}, default "pairwise"
        "pairwise": each covariance from the respondents who answered both
        items (psych::alpha's default); "listwise": only complete rows;
        "median": missing answers replaced by the item median (psych::scoreItems'
        default); "raise": NaN is an error. Rows with no answer at all are
        ignored.
    ci : float or None, default 0.95
        Confidence level of the interval; None skips it.
    ci_method : {"feldt", "duhachek"}, default "feldt"
        "feldt": Feldt, Woodruff & Salih (1987), from the F distribution with
        n - 1 and (n - 1)(k - 1) degrees of freedom (as pingouin and
        psych::alpha.ci); "duhachek": alpha +- z * ase (Duhachek & Iacobucci 2004).

    Returns
    -------
    AlphaResult
        ``float(result)`` is alpha; ``result.to_frame()`` a one-row table.

    Raises
    ------
    ValueError
        Fewer than 2 items or 2 respondents, infinite values, NaN under
        nan_policy="raise", two items without 2 common respondents, a total
        score without variance (alpha undefined), or answers float64 cannot
        hold together (an item whose spread is so small next to the largest
        answer, below ~1e-146 of it, that its variance underflows; or an item
        whose standard deviation exceeds DBL_MAX). Answers beyond
        2**+-400 are otherwise scaled by one power of two first, which leaves
        alpha unchanged.

    Examples
    --------
    Items Q1-Q10 of pingouin's ``cronbach_alpha`` example data set (15
    respondents); pingouin documents alpha 0.591719 and 95% CI [0.195, 0.84]:

    >>> import numpy as np
    >>> from segment.survey import cronbach_alpha
    >>> x = np.array([
    ...     [3, 2, 4, 1, 4, 5, 1, 4, 3, 2], [5, 4, 6, 3, 5, 1, 2, 5, 5, 5],
    ...     [7, 3, 5, 5, 6, 4, 3, 3, 6, 5], [2, 4, 3, 3, 2, 2, 2, 6, 6, 3],
    ...     [6, 5, 6, 5, 4, 4, 4, 6, 7, 5], [1, 2, 3, 4, 2, 5, 2, 3, 5, 2],
    ...     [4, 3, 5, 3, 5, 2, 1, 2, 4, 3], [2, 4, 4, 3, 7, 2, 2, 4, 6, 5],
    ...     [6, 5, 5, 5, 1, 6, 5, 2, 3, 2], [5, 4, 6, 4, 3, 5, 3, 1, 7, 2],
    ...     [4, 3, 5, 2, 5, 3, 2, 3, 4, 1], [4, 2, 3, 2, 5, 3, 4, 2, 3, 4],
    ...     [5, 5, 6, 2, 3, 3, 2, 4, 4, 5], [6, 5, 5, 4, 2, 2, 1, 4, 6, 5],
    ...     [4, 3, 5, 5, 3, 1, 3, 2, 3, 4]])
    >>> res = cronbach_alpha(x)
    >>> round(res.alpha, 6), round(res.ci_low, 3), round(res.ci_high, 3)
    (0.591719, 0.195, 0.84)
    """
    if nan_policy not in ("pairwise", "listwise", "median", "raise"):
        raise ValueError(
            "nan_policy must be 'pairwise', 'listwise', 'median' or 'raise', "
            f"got {nan_policy!r}"
        )
    if ci_method not in ("feldt", "duhachek"):
        raise ValueError(f"ci_method must be 'feldt' or 'duhachek', got {ci_method!r}")
    if ci is not None and not (isinstance(ci, numbers.Real) and 0 < ci < 1):
        raise ValueError(f"ci must be a confidence level in (0, 1) or None, got {ci!r}")
    if isinstance(items, pd.DataFrame):
        bad = [c for c, dt in items.dtypes.items()
               if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))]
        if bad:
            raise TypeError(
                f"items has non-numeric columns {_first(bad)}; convert verbal answers with "
                "load_likert first"
            )
        names = list(items.columns)
        labels = items.index
        x = items.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        try:
            x = np.asarray(items)
        except (TypeError, ValueError) as exc:  # e.g. a ragged list
            raise ValueError(
                f"items could not be read as an array ({exc}); pass a DataFrame or an array "
                "with one row per respondent and one column per item (NaN for no answer)"
            ) from None
        if x.dtype.kind not in "biuf":
            raise TypeError(f"items must be numeric, got dtype {x.dtype}")
        x = x.astype(np.float64)
        if x.ndim != 2:
            raise ValueError(
                f"items must be 2-D (respondents x items), got shape {x.shape}"
            )
        names = list(range(x.shape[1]))
        labels = pd.RangeIndex(x.shape[0])
    n_rows, k = x.shape
    if k < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items, got {k}")
    if np.isinf(x).any():
        rows = labels[np.isinf(x).any(axis=1)]
        raise ValueError(f"items has infinite values in rows {_first(rows)}")
    nan = np.isnan(x)
    if nan.any() and nan_policy == "raise":
        raise ValueError(
            f"items has missing answers in rows {_first(labels[nan.any(axis=1)])}; pass "
            "nan_policy='pairwise', 'listwise' or 'median'"
        )
    x = x[~nan.all(axis=1)]
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    elif nan_policy == "median" and np.isnan(x).any():
        med = np.nanmedian(x, axis=0)
        x = np.where(np.isnan(x), med, x)
    n = x.shape[0]
    if n < 2:
        raise ValueError(
            f"Cronbach's alpha needs at least 2 respondents with answers, got {n}"
            + (" after listwise deletion" if nan_policy == "listwise" else "")
        )
    # Every statistic below but the items' means and sds is unchanged when all items
    # are multiplied by one factor; a power of two is exact. Answers beyond 2**+-400
    # are scaled so that the squares in the covariance neither overflow nor underflow.
    answers = x
    big = float(np.nanmax(np.abs(x)))
    shift = -math.frexp(big)[1] if big > 0 and not 2.0**-400 <= big < 2.0**400 else 0
    if shift:
        x = np.ldexp(x, shift)
    if np.isnan(x).any():
        cov = pd.DataFrame(x).cov(min_periods=2).to_numpy()
        if np.isnan(cov).any():
            i, j = np.argwhere(np.isnan(cov))[0]
            raise ValueError(
                f"items {names[i]!r} and {names[j]!r} have fewer than 2 respondents in common; "
                "drop one of them or use nan_policy='median'"
            )
    else:
        cov = np.cov(x, rowvar=False)
    var = np.diag(cov)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an item without answers
        varies = np.nanmax(answers, axis=0) > np.nanmin(answers, axis=0)
    # Below this, squared deviations are subnormal: the variance has lost its digits.
    lost = varies & ~(var >= np.finfo(np.float64).tiny / np.finfo(np.float64).eps)
    if lost.any() or not np.isfinite(cov).all():
        j = int(np.argmax(np.nanmax(np.abs(answers), axis=0)))
        bad = [names[i] for i in np.flatnonzero(lost)]
        raise ValueError(
            f"items has values too far apart in magnitude for float64: item {names[j]!r} "
            f"reaches |x| = {big:.3g}, and on a scale where its variance does not overflow, "
            f"the variances of items {_first(bad)} underflow, so alpha cannot be computed. "
            f"Check item {names[j]!r} for mis-coded answers"
            if bad else
            f"items have values so large (|x| up to {big:.3g}) that their covariance "
            "overflows float64; rescale the items (alpha does not change when every item "
            "is multiplied by the same factor)"
        )
    total = cov.sum()
    if not total > 0:
        raise ValueError(
            "the total score has no variance (every respondent has the same total); "
            "alpha is undefined"
        )
    alpha = _alpha_from_cov(cov)
    if (var > 0).all():
        sd = np.sqrt(var)  # outer(sd, sd), not sqrt(outer(var, var)), which can underflow
        corr = cov / np.outer(sd, sd)
        rbar = (corr.sum() - k) / (k * (k - 1))
        std_alpha = k * rbar / (1 + (k - 1) * rbar)
    else:
        std_alpha = np.nan
    c2 = cov @ cov
    trc = np.trace(cov)
    q = (2 * k**2 / ((k - 1) ** 2 * total**3)) * (
        total * (np.trace(c2) + trc**2) - 2 * trc * c2.sum()
    )
    ase = math.sqrt(q / n) if q >= 0 else np.nan
    lo = hi = np.nan
    if ci is not None:
        g = 1.0 - ci
        if ci_method == "feldt":
            df1, df2 = n - 1, (n - 1) * (k - 1)
            lo = 1 - (1 - alpha) * _f_ppf(1 - g / 2, df1, df2)
            hi = 1 - (1 - alpha) * _f_ppf(g / 2, df1, df2)
        else:
            z = NormalDist().inv_cdf(1 - g / 2)
            lo, hi = alpha - z * ase, alpha + z * ase
    means = np.ldexp(np.nanmean(x, axis=0), -shift)
    with np.errstate(over="ignore"):
        sds = np.ldexp(np.sqrt(var), -shift)
    if not np.isfinite(sds).all():
        wide = [names[i] for i in np.flatnonzero(~np.isfinite(sds))]
        raise ValueError(
            f"items {_first(wide)} have a standard deviation beyond float64's range "
            f"(|x| up to {big:.3g}); rescale the items (alpha does not change when every "
            "item is multiplied by the same factor)"
        )
    stats = []
    for j in range(k):  # loop over items, not respondents
        rest = [i for i in range(k) if i != j]
        sub = cov[np.ix_(rest, rest)]
        var_rest = sub.sum()
        cov_jr = cov[j, rest].sum()
        denom = math.sqrt(var[j]) * math.sqrt(var_rest) if var[j] > 0 and var_rest > 0 else np.nan
        stats.append({
            "n": int(np.count_nonzero(~np.isnan(x[:, j]))),
            "mean": float(means[j]),
            "sd": float(sds[j]),
            "r_drop": cov_jr / denom if denom == denom else np.nan,
            "alpha_if_deleted": _alpha_from_cov(sub) if len(rest) >= 2 else np.nan,
        })
    item_stats = pd.DataFrame(stats, index=pd.Index(names, name="item"))
    return AlphaResult(
        alpha=float(alpha),
        std_alpha=float(std_alpha),
        ci_low=float(lo),
        ci_high=float(hi),
        ci=ci,
        ci_method=ci_method,
        ase=float(ase),
        n_obs=int(n),
        n_items=int(k),
        nan_policy=nan_policy,
        item_stats=item_stats,
    )


# ---------------------------------------------------------------- expert_matrix


def expert_matrix(
    responses,
    *,
    alternative="alternative",
    criterion="criterion",
    score="score",
    expert="expert",
    nan_policy="raise",
    agg="mean",
):
    """Average several experts' scores into one decision matrix (Paper A, Table 2).

    Parameters
    ----------
    responses : DataFrame, list/dict of DataFrames, or array
        * long: one score per row, columns `alternative`, `criterion`, `score`
          and optionally `expert`;
        * wide: one row per expert and alternative, a column `alternative`
          (or the index), optionally `expert`, and one numeric column per
          criterion;
        * a list or dict (expert -> matrix) of alternatives x criteria
          DataFrames with the same labels;
        * an array of shape (n_experts, n_alternatives, n_criteria).
    alternative, criterion, score, expert : str
        Column names in long or wide data.
    nan_policy : {"raise", "omit"}, default "raise"
        A missing score (an expert who did not score a cell) is an error under
        "raise"; "omit" averages the experts who did. A cell nobody scored is
        always an error.
    agg : {"mean", "median"}, default "mean"

    Returns
    -------
    DataFrame, shape (n_alternatives, n_criteria)
        Alternatives and criteria in order of first appearance (index
        ``alternative``, columns ``criterion``); an ndarray for array input.

    Examples
    --------
    >>> import pandas as pd
    >>> from segment.survey import expert_matrix
    >>> long = pd.DataFrame({
    ...     "expert": ["e1", "e1", "e2", "e2"],
    ...     "alternative": ["A1", "A1", "A1", "A1"],
    ...     "criterion": ["C1", "C2", "C1", "C2"],
    ...     "score": [5, 7, 6, 8],
    ... })
    >>> expert_matrix(long)  # doctest: +NORMALIZE_WHITESPACE
    criterion     C1   C2
    alternative
    A1           5.5  7.5
    """
    if nan_policy not in ("raise", "omit"):
        raise ValueError(f"nan_policy must be 'raise' or 'omit', got {nan_policy!r}")
    if agg not in ("mean", "median"):
        raise ValueError(f"agg must be 'mean' or 'median', got {agg!r}")
    if isinstance(responses, np.ndarray) or (
        isinstance(responses, (list, tuple)) and responses
        and not isinstance(responses[0], pd.DataFrame)
    ):
        arr = np.asarray(responses, dtype=np.float64)
        if arr.ndim != 3:
            raise ValueError(
                "an array of expert scores must have shape (n_experts, n_alternatives, "
                f"n_criteria), got {arr.shape}"
            )
        if np.isinf(arr).any():
            raise ValueError("expert scores contain infinite values")
        nan = np.isnan(arr)
        if nan.any():
            if nan_policy == "raise":
                e, a, c = np.argwhere(nan)[0]
                raise ValueError(
                    f"expert {e} has no score for alternative {a}, criterion {c}; pass "
                    "nan_policy='omit' to average the others"
                )
            if nan.all(axis=0).any():
                a, c = np.argwhere(nan.all(axis=0))[0]
                raise ValueError(f"no expert scored alternative {a}, criterion {c}")
        return np.nanmean(arr, axis=0) if agg == "mean" else np.nanmedian(arr, axis=0)
    if isinstance(responses, dict) or isinstance(responses, (list, tuple)):
        parts = responses.items() if isinstance(responses, dict) else enumerate(responses)
        frames = []
        for e, m in parts:
            if not isinstance(m, pd.DataFrame):
                raise TypeError(f"expert {e!r}: expected a DataFrame, got {type(m).__name__}")
            long = m.rename_axis(index=alternative, columns=criterion).stack(
                future_stack=True
            ).rename(score).reset_index()
            long[expert] = e
            frames.append(long)
        if not frames:
            raise ValueError("responses is empty")
        responses = pd.concat(frames, ignore_index=True)
    if not isinstance(responses, pd.DataFrame):
        raise TypeError(
            "responses must be a DataFrame (long or wide), a list/dict of DataFrames or a 3-D "
            f"array, got {type(responses).__name__}"
        )
    df = responses
    if alternative not in df.columns:
        if df.index.name == alternative or (df.index.name is None and criterion not in df.columns):
            df = df.rename_axis(alternative).reset_index()
        else:
            raise ValueError(
                f"responses has no column {alternative!r}; columns are {_first(df.columns, 30)}; "
                "pass alternative='your column'"
            )
    has_expert = expert in df.columns
    if criterion in df.columns:  # long
        if score not in df.columns:
            raise ValueError(
                f"long responses need a score column {score!r}; columns are "
                f"{_first(df.columns, 30)}; pass score='your column'"
            )
        long = df[[c for c in (expert, alternative, criterion, score) if c in df.columns]]
    else:  # wide
        crits = [c for c in df.columns if c not in (alternative, expert)]
        if not crits:
            raise ValueError("wide responses have no criterion columns")
        long = df.melt(
            id_vars=[c for c in (expert, alternative) if c in df.columns],
            value_vars=crits, var_name=criterion, value_name=score,
        )
    vals = pd.to_numeric(long[score], errors="coerce")
    bad = vals.isna() & long[score].notna()
    if bad.any():
        rows = long.index[bad.to_numpy()]
        raise ValueError(
            f"responses has non-numeric scores {_first(map(repr, long.loc[rows, score]), 5)} "
            f"(alternative {long.loc[rows[0], alternative]!r}, criterion "
            f"{long.loc[rows[0], criterion]!r})"
        )
    if np.isinf(vals).any():
        raise ValueError("responses has infinite scores")
    long = long.assign(**{score: vals})
    alts = pd.unique(long[alternative])
    crits = pd.unique(long[criterion])
    if has_expert:
        dup = long.duplicated([expert, alternative, criterion], keep=False)
        if dup.any():
            r = long[dup].iloc[0]
            raise ValueError(
                f"expert {r[expert]!r} scored alternative {r[alternative]!r}, criterion "
                f"{r[criterion]!r} more than once; keep one score per expert and cell"
            )
        experts = pd.unique(long[expert])
        full = pd.MultiIndex.from_product([experts, alts, crits],
                                          names=[expert, alternative, criterion])
        cube = long.set_index([expert, alternative, criterion])[score].reindex(full)
        if cube.isna().any() and nan_policy == "raise":
            e, a, c = cube.index[cube.isna().to_numpy()][0]
            n_miss = int(cube.isna().sum())
            raise ValueError(
                f"responses lack {n_miss} scores, e.g. expert {e!r} for alternative {a!r}, "
                f"criterion {c!r}; pass nan_policy='omit' to average the experts who scored"
            )
        long = cube.reset_index()
    elif long[score].isna().any() and nan_policy == "raise":
        r = long[long[score].isna()].iloc[0]
        raise ValueError(
            f"responses have missing scores, e.g. alternative {r[alternative]!r}, criterion "
            f"{r[criterion]!r}; pass nan_policy='omit' to average the others"
        )
    table = long.groupby([alternative, criterion], sort=False)[score].agg(agg).unstack(criterion)
    table = table.reindex(index=alts, columns=crits)
    if table.isna().any().any():
        a, c = np.argwhere(table.isna().to_numpy())[0]
        raise ValueError(f"no expert scored alternative {alts[a]!r}, criterion {crits[c]!r}")
    table.index.name = alternative
    table.columns.name = criterion
    return table.astype(np.float64)


# ---------------------------------------------------------------- tally_votes


@dataclass(frozen=True)
class VoteTally:
    """Votes per variable and the variables selected (Paper B, Tables 5-6).

    Attributes
    ----------
    total : Series
        Votes per variable.
    average : Series
        Votes / number of voters.
    selected : list
        Variables with average >= threshold (or total >= min_votes), in input order.
    n_voters : int
    threshold : float
    min_votes : int or None
    """

    total: pd.Series
    average: pd.Series
    selected: list
    n_voters: int
    threshold: float
    min_votes: int | None

    def to_frame(self) -> pd.DataFrame:
        """Columns ``total``, ``average``, ``selected`` (bool), one row per variable."""
        return pd.DataFrame({
            "total": self.total,
            "average": self.average,
            "selected": self.total.index.isin(self.selected),
        })


_VOTE_YES = {"x", "1", "1.0", "true"}
_VOTE_NO = {"", "0", "0.0", "false", "nan", "none"}


def tally_votes(votes, *, threshold=0.75, min_votes=None, variable=None):
    """Count stakeholder votes and select the variables most voted for.

    Parameters
    ----------
    votes : DataFrame, shape (n_variables, n_voters)
        One row per variable (the index names them, or the column `variable`),
        one column per voter. A vote is 'x' (any case, spaces ignored), 1 or
        True; no vote is empty, NaN, 0 or False. Anything else is an error.
    threshold : float, default 0.75
        Select variables whose average vote (votes / voters) is at least this.
    min_votes : int, optional
        Also select variables with at least this many votes. Paper B selects
        "average >= 0.75 or >= 3 votes", which with its 4 voters is the same.
    variable : str, optional
        Column holding the variable names, if they are not the index.

    Returns
    -------
    VoteTally
        ``total``, ``average`` and ``selected``; ``to_frame()`` gives the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from segment.survey import tally_votes
    >>> votes = pd.DataFrame({1: ["x", "x", ""], 2: ["x", "", ""], 3: ["x", "x", "x"],
    ...                       4: [1, True, None]}, index=["mvc", "location", "invoice type"])
    >>> tally = tally_votes(votes)
    >>> tally.to_frame()
                  total  average  selected
    mvc               4     1.00      True
    location          3     0.75      True
    invoice type      1     0.25     False
    """
    if not isinstance(votes, pd.DataFrame):
        raise TypeError(
            f"votes must be a DataFrame (variables x voters), got {type(votes).__name__}"
        )
    if variable is not None:
        if variable not in votes.columns:
            raise ValueError(f"variable={variable!r} is not a column of votes")
        votes = votes.set_index(variable)
    if votes.shape[1] == 0:
        raise ValueError("votes has no voter columns")
    if not (isinstance(threshold, numbers.Real) and 0 <= threshold <= 1):
        raise ValueError(f"threshold must be an average vote in [0, 1], got {threshold!r}")
    if min_votes is not None and (isinstance(min_votes, bool)
                                  or not isinstance(min_votes, numbers.Integral)):
        raise TypeError(f"min_votes must be an integer or None, got {min_votes!r}")
    if votes.index.duplicated().any():
        raise ValueError(
            f"votes lists variables twice: {_first(votes.index[votes.index.duplicated()])}"
        )
    cells = votes.astype("object")
    codes, uniques = pd.factorize(cells.to_numpy().ravel(), use_na_sentinel=True)
    norm = pd.Index(uniques, dtype="object").astype(str).str.strip().str.casefold()
    u_yes = np.asarray(norm.isin(_VOTE_YES), dtype=bool)
    u_no = np.asarray(norm.isin(_VOTE_NO), dtype=bool)
    safe = np.maximum(codes, 0)
    yes = (codes >= 0) & (u_yes[safe] if len(uniques) else False)
    bad = (codes >= 0) & ~(u_yes[safe] | u_no[safe]) if len(uniques) else np.zeros_like(yes)
    shape = cells.shape
    if np.any(bad):
        r, c = np.unravel_index(np.flatnonzero(bad)[0], shape)
        hint = ""
        if variable is None and c == 0:
            hint = (f"; if column {votes.columns[0]!r} holds the variable names, pass "
                    f"variable={votes.columns[0]!r}")
        raise ValueError(
            f"votes has a value that is not a vote: {cells.iat[r, c]!r} for variable "
            f"{votes.index[r]!r}, voter {votes.columns[c]!r} ({int(np.sum(bad))} such cells); "
            f"a vote is 'x', 1 or True, no vote is empty, 0 or False{hint}"
        )
    yes = np.asarray(yes).reshape(shape)
    n_voters = shape[1]
    total = pd.Series(yes.sum(axis=1).astype(np.int64), index=votes.index, name="total")
    average = (total / n_voters).rename("average")
    sel = total.to_numpy() >= threshold * n_voters - 1e-9
    if min_votes is not None:
        sel |= total.to_numpy() >= min_votes
    selected = list(votes.index[sel])
    return VoteTally(total, average, selected, n_voters, float(threshold), min_votes)
