"""Survey data: reliability, expert scores and votes.

* `cronbach_alpha` measures a scale's reliability (Paper A reports 0.86), with a
  confidence interval and item statistics.
* `expert_matrix` averages several experts' scores into a decision matrix
  (Paper A, Table 2).
* `tally_votes` counts stakeholder votes and selects variables (Paper B,
  Tables 5 -> 6).
* `sample_size` gives the number of respondents a survey needs (Krejcie and
  Morgan 1970, Paper A's "Morgan's table": 384).

Reading the questionnaires (`load_likert`, `LIKERT_SCALES`) is segment.likert's;
those names are importable from here too.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from segment._stats import f_ppf
from segment._validation import ITEMS, _first, read_numeric
from segment.likert import LIKERT_SCALES, LikertScaleWarning, load_likert

__all__ = [
    "LIKERT_SCALES",
    "AlphaResult",
    "LikertScaleWarning",
    "VoteTally",
    "load_likert",
    "cronbach_alpha",
    "expert_matrix",
    "sample_size",
    "tally_votes",
]


# ---------------------------------------------------------------- Cronbach's alpha


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
    TypeError
        Answers that are not real numbers: text (convert verbal answers with
        `load_likert`), dates, complex numbers, a DataFrame's non-numeric
        columns (named), None or a bare number.
    ValueError
        A ragged list, data that is not 2-D, fewer than 2 items or 2
        respondents, infinite values, NaN under nan_policy="raise", two
        items without 2 common respondents, a total score without variance
        (alpha undefined), or answers float64 cannot hold together (an item
        whose spread is so small next to the largest answer, below ~1e-146
        of it, that its variance underflows; or an item whose standard
        deviation exceeds DBL_MAX). Answers beyond 2**+-400 are otherwise
        scaled by one power of two first, which leaves
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
    m = read_numeric(items, "items", layout=ITEMS, min_rows=0, min_cols=0, allow_float32=False)
    x = m.values
    names = list(m.columns) if m.is_frame else list(range(x.shape[1]))
    labels = m.index if m.is_frame else pd.RangeIndex(x.shape[0])
    n_rows, k = x.shape
    if k < 2:
        raise ValueError(
            f"items has {k} item{'s' if k != 1 else ''} (columns); Cronbach's alpha needs at "
            "least 2 items"
        )
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
            f"items has {n} respondent{'s' if n != 1 else ''} with answers"
            + (" after listwise deletion" if nan_policy == "listwise" else "")
            + "; Cronbach's alpha needs at least 2 respondents"
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
            lo = 1 - (1 - alpha) * f_ppf(1 - g / 2, df1, df2)
            hi = 1 - (1 - alpha) * f_ppf(g / 2, df1, df2)
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


# ---------------------------------------------------------------- sample_size


def _open_unit(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    return float(value)


def sample_size(population=None, *, margin=0.05, confidence=0.95, proportion=0.5):
    """Respondents a survey needs, by Krejcie and Morgan's (1970) formula and table.

    s = X^2 N P (1 - P) / (d^2 (N - 1) + X^2 P (1 - P)), and for an unlimited
    population s = X^2 P (1 - P) / d^2; s is rounded to the nearest integer, as
    Krejcie and Morgan round their table (not up, as some calculators do): with
    the defaults this is their table exactly (N = 100 -> 80, 1000 -> 278,
    unlimited -> 384, Paper A's "Morgan's table").

    Parameters
    ----------
    population : int, optional
        Size N of the population sampled (a positive integer). None, or
        ``math.inf``, for an unlimited population.
    margin : float, default 0.05
        Degree of accuracy d: the margin of error of a proportion, in (0, 1).
    confidence : float, default 0.95
        Confidence level, in (0, 1). X^2 is the chi-square value with one degree
        of freedom at this level (the squared normal quantile z^2), rounded to
        three decimals as read from a chi-square table: 3.841 at 0.95 (Krejcie
        and Morgan's value), 6.635 at 0.99.
    proportion : float, default 0.5
        Population proportion P, in (0, 1); 0.5 gives the largest size.

    Returns
    -------
    int
        The sample size, at most ``population``.

    Raises
    ------
    TypeError
        population is not an integer (or None / inf).
    ValueError
        population < 1, or margin, confidence or proportion outside (0, 1).

    Examples
    --------
    >>> from segment.survey import sample_size
    >>> sample_size()
    384
    >>> sample_size(1000)
    278
    >>> sample_size(1000, margin=0.03, confidence=0.99)
    648
    """
    d = _open_unit("margin", margin)
    c = _open_unit("confidence", confidence)
    p = _open_unit("proportion", proportion)
    chi2 = round(NormalDist().inv_cdf(0.5 + c / 2) ** 2, 3)
    pq = chi2 * p * (1 - p)

    def half_up(x: float) -> int:
        # Exact decimal halves (6.635 * 0.25 / 0.05^2 = 663.5) land just below .5 in
        # binary; the tolerance rounds them up, as the hand computation does.
        return int(math.floor(x + 0.5 + 1e-9 * x))

    if population is None or (isinstance(population, float) and population == math.inf):
        return half_up(pq / d**2)
    if isinstance(population, bool) or not (
        isinstance(population, numbers.Integral)
        or (isinstance(population, numbers.Real) and float(population).is_integer())
    ):
        raise TypeError(
            f"population must be a whole number of people (or None for an unlimited "
            f"population), got {population!r}"
        )
    n = int(population)
    if n < 1:
        raise ValueError(f"population must be at least 1, got {population!r}")
    s = pq * n / (d**2 * (n - 1) + pq)
    return min(n, half_up(s))
