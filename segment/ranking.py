"""VIKOR ranking: order alternatives by group utility and individual regret, and test
how the ranking holds when v or the weights change.

VIKOR runs in the C core (csrc/seg_mcdm.c) with the GIL released; this
module validates input (messages name the cell or the criterion at fault),
parses weights (numbers, or the name of an objective weighting of
segment.weights), ideals and v, and shapes results: pandas in, pandas out.

The conventions for ``matrix``, ``types`` and constant criteria are those
stated in segment.decision.

The formulas are those of SPEC.md: VIKOR with its compromise solution
(Opricovic & Tzeng 2004; Paper A, Tables 4-5).
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segment import _core
from segment._decision_matrix import DecisionMatrix, as_decision_matrix, by_criterion, parse_types
from segment._validation import check_int, check_n_threads, check_random_state
from segment.weights import critic_weights, entropy_weights, equal_weights, std_weights

__all__ = [
    "VikorBatch",
    "VikorResult",
    "VikorSensitivity",
    "VikorWarning",
    "vikor",
    "vikor_batch",
    "vikor_sensitivity",
    "vikor_weight_sensitivity",
]

# Ties on the [0, 1] scale of S, R and Q (the C core's).
VIKOR_TOL: float = _core.mcdm_tolerances()["vikor_tol"]

#: Paper A's grid of the strategy weight v (Table 4).
DEFAULT_V = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)

# The objective weightings that `weights="..."` names (segment.weights).
_WEIGHTINGS = ("entropy", "critic", "std", "equal")


class VikorWarning(UserWarning):
    """A VIKOR input that is legal but degenerate (a constant criterion, or S
    or R equal for every alternative); the result is defined and documented."""


def _parse_real(value, crit, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} for criterion {crit!r} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} for criterion {crit!r} is {value}; it must be finite")
    return value


def _parse_weights(weights, mat: DecisionMatrix, types: np.ndarray) -> np.ndarray:
    """Raw (unnormalised) weights per criterion: finite, >= 0, positive sum."""
    if isinstance(weights, str):
        method = weights.lower()
        if method not in _WEIGHTINGS:
            raise ValueError(
                f"weights must be numbers or one of {_WEIGHTINGS} (an objective weighting), "
                f"got {weights!r}"
            )
        values, idx, cols = mat.values, mat.index, mat.columns
        frame = pd.DataFrame(values, index=idx, columns=cols) if mat.is_frame else values
        if method == "entropy":
            w = entropy_weights(frame)
        elif method == "critic":
            w = critic_weights(frame, types=types)
        elif method == "std":
            w = std_weights(frame)
        else:
            w = equal_weights(frame)
        return np.asarray(w, dtype=np.float64)
    if isinstance(weights, pd.DataFrame) or np.ndim(weights) > 1:
        raise ValueError(
            "weights must be one weight per criterion (1-D); to evaluate many weight vectors "
            "at once use vikor_batch"
        )
    w = np.array(
        by_criterion(weights, mat, "weights", lambda v, c: _parse_real(v, c, "weights")),
        dtype=np.float64,
    )
    neg = np.flatnonzero(w < 0)
    if neg.size:
        raise ValueError(
            f"weights must be >= 0; criteria {[mat.crit(j) for j in neg[:10]]} have negative "
            "weights"
        )
    if not w.sum() > 0:
        raise ValueError("weights must have a positive sum; every weight is 0")
    if not np.isfinite(w.sum()):
        raise ValueError("weights are too large: their sum overflows; rescale them")
    return w


def _parse_reference(value, mat: DecisionMatrix, types: np.ndarray, name: str) -> np.ndarray | None:
    """An optional ideal / anti-ideal per criterion, checked against the data."""
    if value is None:
        return None
    ref = np.array(
        by_criterion(value, mat, name, lambda v, c: _parse_real(v, c, name)), dtype=np.float64
    )
    # "Better" is larger for benefit and smaller for cost criteria.
    gap = (mat.values - ref) * types
    bad = gap > 0 if name == "ideal" else gap < 0
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        kind = "benefit" if types[j] > 0 else "cost"
        if name == "ideal":
            why = "better than the ideal; the ideal must be at least as good as every alternative"
        else:
            why = "worse than the anti-ideal; it must be at least as bad as every alternative"
        raise ValueError(
            f"{name} for criterion {mat.crit(j)!r} ({kind}) is {float(ref[j])!r} but "
            f"alternative {mat.alt(i)!r} scores {float(mat.values[i, j])!r}, {why}"
        )
    return ref


def _parse_v(v, name="v") -> float:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1], got {v!r}")
    v = float(v)
    if not 0.0 <= v <= 1.0:
        raise ValueError(
            f"{name} must lie in [0, 1] (the weight of group utility S against individual "
            f"regret R), got {v}"
        )
    return v


def _parse_v_grid(v) -> np.ndarray:
    values = np.atleast_1d(np.asarray(v, dtype=object))
    if values.ndim != 1 or values.size == 0:
        raise ValueError("v must be a number or a non-empty 1-D sequence of numbers in [0, 1]")
    return np.array([_parse_v(x, f"v[{k}]") for k, x in enumerate(values)], dtype=np.float64)


def _v_label(v: float) -> float:
    """Column label for a value of v: 0.7000000000000001 prints as 0.7."""
    return float(round(v, 12))


def _tie_order(values: np.ndarray) -> np.ndarray:
    """Positions by value ascending, with the C core's tie rule (seg_mcdm.h).

    Values within VIKOR_TOL are ties, grouped from the smallest value up: the
    smallest value opens a group that takes every value at most VIKOR_TOL
    above it; the smallest value left opens the next group. Groups are ranked
    by their smallest value, members of a group by position. Unlike a bare
    ``|a - b| <= tol`` this is an equivalence, and it depends only on the
    values (0, 0.6 tol, 1.2 tol give {0, 0.6 tol}, {1.2 tol}).
    """
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    lead = np.empty_like(values)
    low = None
    for i, x in zip(order.tolist(), values[order].tolist(), strict=True):
        if low is None or x - low > VIKOR_TOL:
            low = x
        lead[i] = low
    return np.argsort(lead, kind="stable")


def _order_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks ascending, ties (as :func:`_tie_order`) in input order."""
    order = _tie_order(values)
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(1, len(values) + 1)
    return ranks


@dataclass(frozen=True, eq=False)
class VikorResult:
    """The outcome of :func:`vikor`.

    Attributes
    ----------
    S, R, Q : Series (by alternative) or ndarray, shape (m,)
        Group utility, individual regret and the VIKOR index (all in
        [0, 1]; lower is better).
    ranking : Index of alternatives or ndarray of row positions, shape (m,)
        Alternatives by Q ascending; ties (Q within 1e-10, see :func:`vikor`)
        keep the input order.
    compromise : Index or ndarray
        The compromise set, in ranking order (SPEC.md): the best alone when
        C1 and C2 hold, the best and the second (with anything tied with it)
        when only C2 fails, otherwise every alternative whose Q is within DQ
        of the best, tied alternatives in or out together.
    advantage : bool
        C1, acceptable advantage: Q(a'') - Q(a') >= DQ, with a' not tied.
    stability : bool
        C2, acceptable stability: a' is also best (or tied best) by S or by R.
    dq : float
        DQ = 1 / (m - 1).
    v : float
        The weight of group utility S in Q.
    weights : Series or ndarray, shape (n,)
        The weights used, normalised to sum 1.
    ideal, anti_ideal : Series or ndarray, shape (n,)
        f*_j and f-_j used (from the data unless given).
    constant : list
        Criteria (labels, or positions for array input) that were constant
        and contributed 0.
    """

    S: pd.Series | np.ndarray
    R: pd.Series | np.ndarray
    Q: pd.Series | np.ndarray
    ranking: pd.Index | np.ndarray
    compromise: pd.Index | np.ndarray
    advantage: bool
    stability: bool
    dq: float
    v: float
    weights: pd.Series | np.ndarray
    ideal: pd.Series | np.ndarray
    anti_ideal: pd.Series | np.ndarray
    constant: list

    @property
    def best(self):
        """The alternative ranked first by Q."""
        return self.ranking[0]

    def to_frame(self) -> pd.DataFrame:
        """One row per alternative (input order): S, R, Q, their 1-based
        ranks (ties within 1e-10 in input order, the rule of :func:`vikor`)
        and membership of the compromise set.

        Examples
        --------
        >>> from segment import vikor
        >>> res = vikor([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]], [0.5, 0.5],
        ...             types=["cost", "benefit"])
        >>> res.to_frame()["rank_Q"].tolist()
        [2, 1, 3]
        """
        S, R, Q = (np.asarray(a) for a in (self.S, self.R, self.Q))
        index = self.S.index if isinstance(self.S, pd.Series) else pd.RangeIndex(len(S))
        member = np.zeros(len(S), dtype=bool)
        pos = index.get_indexer(self.compromise) if isinstance(self.S, pd.Series) else None
        member[pos if pos is not None else np.asarray(self.compromise, dtype=np.intp)] = True
        return pd.DataFrame(
            {
                "S": S,
                "R": R,
                "Q": Q,
                "rank_S": _order_ranks(S),
                "rank_R": _order_ranks(R),
                "rank_Q": _order_ranks(Q),
                "compromise": member,
            },
            index=index,
        )

    def __repr__(self) -> str:
        comp = list(self.compromise)
        return (
            f"VikorResult(v={self.v:g}, best={self.best!r}, compromise={comp!r}, "
            f"advantage={self.advantage}, stability={self.stability}, dq={self.dq:.4g})\n"
            f"{self.to_frame().to_string()}"
        )


def _unique_alternatives(mat: DecisionMatrix) -> DecisionMatrix:
    """Refuse a frame that names an alternative twice: its S, R, Q, ranking and
    compromise set are keyed by name, so two rows would share one label."""
    if mat.is_frame and mat.index.has_duplicates:
        dup = mat.index[mat.index.duplicated()].unique().tolist()
        raise ValueError(
            f"the decision matrix names alternatives more than once: {dup[:10]}; give each "
            "row its own name (e.g. matrix.index = ...), or pass matrix.to_numpy() to rank "
            "by position"
        )
    return mat


def _prepare(matrix, weights, types, ideal, anti_ideal):
    mat = _unique_alternatives(as_decision_matrix(matrix))
    t = parse_types(types, mat)
    w = _parse_weights(weights, mat, t)
    hi = _parse_reference(ideal, mat, t, "ideal")
    lo = _parse_reference(anti_ideal, mat, t, "anti_ideal")
    return mat, t, w, hi, lo


def _warn_constant(mat: DecisionMatrix, constant: np.ndarray, stacklevel: int) -> list:
    labels = [mat.crit(j) for j in np.flatnonzero(constant)]
    if labels:
        warnings.warn(
            f"criteria {labels} have the same value for every alternative (or an ideal equal "
            "to the anti-ideal): they contribute 0 to S and R",
            VikorWarning,
            stacklevel=stacklevel + 1,
        )
    return labels


def _warn_flat(S: np.ndarray, R: np.ndarray, stacklevel: int) -> None:
    for name, values, part in (("S", S, "group-utility"), ("R", R, "individual-regret")):
        if values.max() - values.min() <= VIKOR_TOL:
            warnings.warn(
                f"{name} is the same for every alternative ({name}- = {name}*), so the "
                f"{part} part of Q is 0 for all of them",
                VikorWarning,
                stacklevel=stacklevel + 1,
            )


def _per_alt(values: np.ndarray, mat: DecisionMatrix, name: str):
    return pd.Series(values, index=mat.index, name=name) if mat.is_frame else values


def _per_crit(values: np.ndarray, mat: DecisionMatrix, name: str):
    return pd.Series(values, index=mat.columns, name=name) if mat.is_frame else values


def _alts(positions: np.ndarray, mat: DecisionMatrix):
    return mat.index[positions] if mat.is_frame else np.asarray(positions, dtype=np.intp)


def vikor(matrix, weights, *, v=0.5, types=None, ideal=None, anti_ideal=None) -> VikorResult:
    """Rank alternatives with VIKOR and find the compromise solution.

    With f*_j, f-_j the best and worst value of criterion j, and
    D_ij = (f*_j - x_ij) / (f*_j - f-_j):
    S_i = sum_j w_j D_ij (group utility), R_i = max_j w_j D_ij (individual
    regret) and Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*),
    ranked ascending (Opricovic & Tzeng 2004; SPEC.md).

    Degenerate input is defined, never NaN: a constant criterion contributes 0
    (and warns); when S- = S* (or R- = R*), that part of Q is 0 for every
    alternative (and warns). Differences below 1e-10 on the [0, 1] scale of
    S, R and Q count as ties.

    Ties are grouped from the smallest value up: the smallest Q opens a group
    that takes every Q at most 1e-10 above it, the smallest Q left opens the
    next group, and so on. Groups are ranked by their smallest Q, tied
    alternatives by input order (so 0, 0.6e-10, 1.2e-10 give the groups
    {0, 0.6e-10} and {1.2e-10}). The same groups decide C1 (the best must be
    alone in its group and the next group at least DQ away) and the
    compromise set (tied alternatives are in or out together); ``to_frame()``
    ranks S, R and Q by the same rule. Round-off never breaks a tie, and no
    result depends on the number of threads.

    Parameters
    ----------
    matrix : DataFrame or array-like, shape (m, n)
        m >= 2 alternatives by n criteria, finite.
    weights : Series, dict, array-like of shape (n,), or str
        Finite, >= 0, with a positive sum; normalised to sum 1. A Series or
        dict is matched to the criteria by label. A string computes objective
        weights from the matrix: ``"entropy"``, ``"critic"``, ``"std"`` or
        ``"equal"``.
    v : float, default 0.5
        Weight of the strategy of maximum group utility, in [0, 1].
    types : str, sequence or dict, optional
        ``"benefit"`` / ``"cost"`` per criterion (or +1 / -1); default all
        benefit.
    ideal, anti_ideal : sequence, dict or Series of shape (n,), optional
        f*_j and f-_j to use instead of the data's best and worst (for
        example the ends of a rating scale). The ideal must be at least as
        good as every alternative, the anti-ideal at least as bad.

    Returns
    -------
    VikorResult
        S, R, Q, ranking, compromise set, conditions C1 / C2; ``to_frame()``
        gives one row per alternative.

    Examples
    --------
    >>> from segment import vikor
    >>> # Opricovic & Tzeng (2004): f1 is a cost, f2 a benefit, equal weights.
    >>> res = vikor([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]], [0.5, 0.5],
    ...             types=["cost", "benefit"])
    >>> res.Q.tolist(), res.compromise.tolist(), res.advantage, res.stability
    ([1.0, 0.0, 1.0], [1], True, True)

    Alternatives 0, 1 and 2 tie (their Q differ by round-off only), so they
    keep their input order:

    >>> vikor([[.2, .3, .1], [.1, .2, .3], [.3, .1, .2], [0, 0, 0], [1, 1, 1]],
    ...       [1, 1, 1]).ranking.tolist()
    [4, 0, 1, 2, 3]
    """
    v = _parse_v(v)
    mat, t, w, hi, lo = _prepare(matrix, weights, types, ideal, anti_ideal)
    out = _core.vikor(mat.values, w[None, :], np.array([v]), types=t, ideal=hi, anti_ideal=lo)
    constant = _warn_constant(mat, out["constant"], stacklevel=2)
    S, R, Q = out["S"][0], out["R"][0], out["Q"][0, 0]
    _warn_flat(S, R, stacklevel=2)
    ranking = out["ranking"][0, 0]
    member = out["compromise"][0, 0]
    comp = ranking[member[ranking]]
    return VikorResult(
        S=_per_alt(S, mat, "S"),
        R=_per_alt(R, mat, "R"),
        Q=_per_alt(Q, mat, "Q"),
        ranking=_alts(ranking, mat),
        compromise=_alts(comp, mat),
        advantage=bool(out["advantage"][0, 0]),
        stability=bool(out["stability"][0, 0]),
        dq=1.0 / (mat.shape[0] - 1),
        v=v,
        weights=_per_crit(w / w.sum(), mat, "weight"),
        ideal=_per_crit(out["f_star"], mat, "ideal"),
        anti_ideal=_per_crit(out["f_minus"], mat, "anti_ideal"),
        constant=constant,
    )


@dataclass(frozen=True, eq=False)
class VikorSensitivity:
    """The outcome of :func:`vikor_sensitivity`: VIKOR over a grid of v.

    Attributes
    ----------
    Q : DataFrame, shape (m, V)
        Q per alternative (rows) and value of v (columns), as Paper A's
        Table 4.
    S, R : Series, shape (m,)
        Group utility and individual regret (they do not depend on v).
    compromise : Series of tuples, indexed by v
        The compromise set per v, in ranking order (Paper A's Table 5).
    advantage, stability : Series of bool, indexed by v
        Conditions C1 and C2 per v.
    dq : float
        DQ = 1 / (m - 1).

    Array input gets a RangeIndex of row positions for the alternatives.
    """

    Q: pd.DataFrame
    S: pd.Series
    R: pd.Series
    compromise: pd.Series
    advantage: pd.Series
    stability: pd.Series
    dq: float

    def to_frame(self) -> pd.DataFrame:
        """Paper A's Table 4: Q per v, its mean over v, and the rank by mean
        (1 = best; means within 1e-10 in input order, the tie rule of
        :func:`vikor`).

        Examples
        --------
        >>> from segment import vikor_sensitivity
        >>> x = [[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]]
        >>> t = vikor_sensitivity(x, [0.5, 0.5], v=[0.9, 0.5], types=["cost", "benefit"])
        >>> t.to_frame()["rank"].tolist()
        [2, 1, 3]
        """
        table = self.Q.copy()
        mean = self.Q.mean(axis=1)
        table["mean"] = mean
        table["rank"] = _order_ranks(mean.to_numpy())
        return table

    def membership(self) -> pd.DataFrame:
        """Table 5 as a grid: True where an alternative (row) is in the
        compromise set for a value of v (column)."""
        grid = pd.DataFrame(False, index=self.Q.index, columns=self.Q.columns)
        for v, members in self.compromise.items():
            grid.loc[list(members), v] = True
        return grid

    def __repr__(self) -> str:
        sets = ", ".join(f"{v:g}: {list(c)}" for v, c in self.compromise.items())
        return f"VikorSensitivity(dq={self.dq:.4g}, compromise={{{sets}}})\n{self.to_frame()}"


def vikor_sensitivity(
    matrix, weights, v=DEFAULT_V, *, types=None, ideal=None, anti_ideal=None
) -> VikorSensitivity:
    """VIKOR for a grid of the strategy weight v, in one C call.

    Reproduces Paper A's Table 4 (Q per alternative per v, mean, rank) and
    Table 5 (the compromise set per v).

    Parameters
    ----------
    matrix, weights, types, ideal, anti_ideal
        As for :func:`vikor`.
    v : sequence of float, default (1.0, 0.9, ..., 0.1)
        Values in [0, 1], in the order wanted for the columns.

    Returns
    -------
    VikorSensitivity
        ``to_frame()`` is Table 4; ``compromise`` (and ``membership()``) is
        Table 5. Labels of v are rounded to 12 decimals (0.7, not
        0.7000000000000001); the computation uses the values given.

    Examples
    --------
    >>> from segment import entropy_weights, vikor_sensitivity
    >>> from segment.datasets import load_iot_experts
    >>> x = load_iot_experts().matrix
    >>> table = vikor_sensitivity(x, entropy_weights(x))
    >>> table.to_frame()["rank"].tolist()
    [7, 4, 9, 3, 6, 1, 5, 8, 2]
    >>> table.compromise[0.1]
    ('A6', 'A2', 'A9')
    """
    grid = _parse_v_grid(v)
    mat, t, w, hi, lo = _prepare(matrix, weights, types, ideal, anti_ideal)
    out = _core.vikor(mat.values, w[None, :], grid, types=t, ideal=hi, anti_ideal=lo)
    _warn_constant(mat, out["constant"], stacklevel=2)
    S, R = out["S"][0], out["R"][0]
    _warn_flat(S, R, stacklevel=2)
    index = mat.index if mat.is_frame else pd.RangeIndex(mat.shape[0])
    labels = [_v_label(x) for x in grid]
    vindex = pd.Index(labels, name="v")
    Q = pd.DataFrame(out["Q"][0].T, index=index, columns=vindex)
    sets = []
    for k in range(len(grid)):
        ranking = out["ranking"][0, k]
        members = ranking[out["compromise"][0, k][ranking]]
        sets.append(tuple(index[members]))
    return VikorSensitivity(
        Q=Q,
        S=pd.Series(S, index=index, name="S"),
        R=pd.Series(R, index=index, name="R"),
        compromise=pd.Series(sets, index=vindex, name="compromise", dtype=object),
        advantage=pd.Series(out["advantage"][0], index=vindex, name="advantage"),
        stability=pd.Series(out["stability"][0], index=vindex, name="stability"),
        dq=1.0 / (mat.shape[0] - 1),
    )


@dataclass(frozen=True, eq=False)
class VikorBatch:
    """The outcome of :func:`vikor_batch`: VIKOR for B weight vectors.

    Attributes
    ----------
    S, R, Q : DataFrame, shape (B, m)
        One row per weight vector, one column per alternative.
    ranking : DataFrame, shape (B, m)
        Alternatives by Q ascending (column k = position k + 1); ties as in
        :func:`vikor` keep the input order.
    compromise : DataFrame of bool, shape (B, m)
        Membership of the compromise set.
    advantage, stability : Series of bool, shape (B,)
        Conditions C1 and C2.
    """

    S: pd.DataFrame
    R: pd.DataFrame
    Q: pd.DataFrame
    ranking: pd.DataFrame
    compromise: pd.DataFrame
    advantage: pd.Series
    stability: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """One row per weight vector: the best alternative, C1, C2 and the
        compromise set (a tuple in ranking order)."""
        order = self.ranking.to_numpy()
        pos = pd.Index(self.compromise.columns).get_indexer(order.ravel()).reshape(order.shape)
        member = np.take_along_axis(self.compromise.to_numpy(dtype=bool), pos, axis=1)
        comp = [tuple(row[flags]) for row, flags in zip(order, member, strict=True)]
        return pd.DataFrame(
            {
                "best": self.ranking.iloc[:, 0],
                "advantage": self.advantage,
                "stability": self.stability,
                "compromise": comp,
            },
            index=self.S.index,
        )


def vikor_batch(
    matrix, weights, *, v=0.5, types=None, ideal=None, anti_ideal=None, n_threads=None
) -> VikorBatch:
    """VIKOR for many weight vectors over one matrix, in one C call.

    Parameters
    ----------
    matrix, types, ideal, anti_ideal
        As for :func:`vikor`.
    weights : DataFrame or array-like, shape (B, n)
        One weight vector per row (finite, >= 0, positive sum; each row is
        normalised). DataFrame columns are matched to the criteria by label;
        its index labels the rows of the result.
    v : float, default 0.5
    n_threads : int, optional
        Threads for the C kernel (default: all). Results do not depend on it.

    Returns
    -------
    VikorBatch

    Examples
    --------
    >>> from segment import vikor_batch
    >>> x = [[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]]
    >>> b = vikor_batch(x, [[0.5, 0.5], [0.9, 0.1], [0.1, 0.9]], types=["cost", "benefit"])
    >>> b.ranking[0].tolist()
    [1, 0, 2]
    """
    v = _parse_v(v)
    mat = _unique_alternatives(as_decision_matrix(matrix))
    t = parse_types(types, mat)
    rows = None
    if isinstance(weights, pd.DataFrame):
        rows = weights.index
        if mat.is_frame:
            missing = [c for c in mat.columns if c not in weights.columns]
            if missing:
                raise ValueError(f"weights has no column for criteria {missing[:10]}")
            weights = weights[list(mat.columns)]
        weights = weights.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        W = np.asarray(weights)
    except (TypeError, ValueError) as exc:  # e.g. a ragged list
        raise ValueError(
            f"weights could not be read as an array ({exc}); pass one row per weight vector, "
            f"each with one weight per criterion ({mat.shape[1]})"
        ) from None
    if W.dtype.kind not in "biuf":
        try:
            if W.dtype.kind in "cmM":
                raise TypeError
            W = W.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"weights must be real numbers, got dtype {W.dtype}; pass one row per weight "
                "vector, each with one number per criterion"
            ) from None
    W = W.astype(np.float64, copy=False)
    if W.ndim != 2 or W.shape[1] != mat.shape[1] or W.shape[0] < 1:
        raise ValueError(
            f"weights must have shape (B >= 1, {mat.shape[1]}): one weight vector per row, "
            f"one weight per criterion; got shape {W.shape}"
        )
    bad = ~np.isfinite(W) | (W < 0)
    if bad.any():
        b, j = (int(k[0]) for k in np.nonzero(bad))
        raise ValueError(
            f"weights must be finite and >= 0; row {b}, criterion {mat.crit(j)!r} is "
            f"{float(W[b, j])!r}"
        )
    zero = np.flatnonzero(~(W.sum(axis=1) > 0))
    if zero.size:
        raise ValueError(f"weights rows {zero[:10].tolist()} sum to 0; each needs a positive sum")
    hi = _parse_reference(ideal, mat, t, "ideal")
    lo = _parse_reference(anti_ideal, mat, t, "anti_ideal")
    out = _core.vikor(
        mat.values,
        W,
        np.array([v]),
        types=t,
        ideal=hi,
        anti_ideal=lo,
        n_threads=check_n_threads(n_threads),
    )
    _warn_constant(mat, out["constant"], stacklevel=2)
    alts = mat.index if mat.is_frame else pd.RangeIndex(mat.shape[0])
    rows = rows if rows is not None else pd.RangeIndex(W.shape[0])

    def frame(a):
        return pd.DataFrame(a, index=rows, columns=alts)

    ranking = out["ranking"][:, 0, :]
    return VikorBatch(
        S=frame(out["S"]),
        R=frame(out["R"]),
        Q=frame(out["Q"][:, 0, :]),
        ranking=pd.DataFrame(np.asarray(alts)[ranking], index=rows),
        compromise=frame(out["compromise"][:, 0, :]),
        advantage=pd.Series(out["advantage"][:, 0], index=rows, name="advantage"),
        stability=pd.Series(out["stability"][:, 0], index=rows, name="stability"),
    )


def vikor_weight_sensitivity(
    matrix,
    weights,
    *,
    n_samples: int = 10000,
    concentration: float | None = 100.0,
    random_state=None,
    v=0.5,
    types=None,
    ideal=None,
    anti_ideal=None,
    n_threads=None,
) -> pd.DataFrame:
    """How robust is the VIKOR ranking to the criteria weights?

    Draws ``n_samples`` weight vectors from a Dirichlet distribution centred
    on ``weights`` (alpha = concentration * w, so the mean is w and
    Var(w_j) = w_j (1 - w_j) / (concentration + 1)), runs VIKOR for each,
    and reports per alternative the share of draws in which it ranks 1st,
    2nd, ... and the share in which it is in the compromise set. Everything
    runs in the C kernel, batched, with the GIL released. A criterion with
    weight 0 keeps weight 0 in every draw.

    Parameters
    ----------
    matrix, weights, types, ideal, anti_ideal
        As for :func:`vikor`.
    n_samples : int, default 10000
    concentration : float or None, default 100.0
        Larger is tighter around ``weights``: with 100 a weight of 0.5 has a
        standard deviation of about 0.05. ``None`` draws uniformly from the
        simplex (alpha = 1 for every criterion, ignoring ``weights``): the
        rank acceptability indices of SMAA-2 (Lahdelma & Salminen 2001).
    random_state : None, int, RandomState or Generator
        Seeds the C generator; the same value gives the same result on any
        number of threads.
    v : float or sequence of float, default 0.5
    n_threads : int, optional
        Threads for the C kernel (default: all).

    Returns
    -------
    DataFrame
        Index: the alternatives (or, for a sequence of v, a MultiIndex
        (v, alternative)). Columns ``rank_1`` ... ``rank_m`` (shares in
        [0, 1]; Q within 1e-10 are ties in input order, as in ``vikor``),
        ``compromise`` (share in the compromise set) and ``mean_rank``.
        ``attrs`` records n_samples, concentration and the seed.

    Examples
    --------
    >>> from segment import entropy_weights, vikor_weight_sensitivity
    >>> from segment.datasets import load_iot_experts
    >>> x = load_iot_experts().matrix
    >>> shares = vikor_weight_sensitivity(x, entropy_weights(x), n_samples=2000,
    ...                                   random_state=0)
    >>> float(shares.loc["A6", "rank_1"])
    1.0
    >>> bool(shares.loc["A9", "compromise"] > 0.9)
    True
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    scalar_v = np.ndim(v) == 0
    grid = _parse_v_grid(v)
    mat, t, w, hi, lo = _prepare(matrix, weights, types, ideal, anti_ideal)
    if concentration is None:
        alpha = np.ones(mat.shape[1])
    else:
        if isinstance(concentration, (bool, np.bool_)) or not isinstance(
            concentration, numbers.Real
        ):
            raise TypeError(
                f"concentration must be a positive number or None, got {concentration!r}"
            )
        if not (np.isfinite(concentration) and concentration > 0):
            raise ValueError(
                f"concentration must be a positive, finite number (or None), got {concentration}"
            )
        alpha = float(concentration) * w / w.sum()
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int64).max, dtype=np.int64))
    out = _core.vikor_weight_sensitivity(
        mat.values,
        alpha,
        n_samples,
        seed,
        grid,
        types=t,
        ideal=hi,
        anti_ideal=lo,
        n_threads=check_n_threads(n_threads),
    )
    probe = _core.vikor(mat.values, w[None, :], grid[:1], types=t, ideal=hi, anti_ideal=lo)
    _warn_constant(mat, probe["constant"], stacklevel=2)
    m = mat.shape[0]
    alts = mat.index if mat.is_frame else pd.RangeIndex(m)
    columns = [f"rank_{r}" for r in range(1, m + 1)]
    frames = []
    for k in range(len(grid)):
        shares = out["rank_counts"][k] / n_samples
        frame = pd.DataFrame(shares, index=alts, columns=columns)
        frame["compromise"] = out["compromise_counts"][k] / n_samples
        frame["mean_rank"] = shares @ np.arange(1, m + 1)
        frames.append(frame)
    if scalar_v:
        result = frames[0]
    else:
        result = pd.concat(frames, keys=[_v_label(x) for x in grid], names=["v", alts.name])
    result.attrs.update({"n_samples": n_samples, "concentration": concentration, "seed": seed})
    return result

