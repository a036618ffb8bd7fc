"""Objective criteria weights: Shannon entropy, CRITIC, standard deviation, equal.

Entropy weights run in the C core (csrc/seg_mcdm.c) with the GIL released;
this module validates input (messages name the cell or the criterion at
fault) and shapes results: pandas in, pandas out. The weights feed VIKOR
(segment.ranking), or any other weighted method.

The conventions for ``matrix``, ``types`` and constant criteria are those
stated in segment.decision.

The formulas are those of SPEC.md: Shannon entropy weights (Paper A, Table 3).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from segment import _core
from segment._decision_matrix import DecisionMatrix, as_decision_matrix, parse_types
from segment._validation import span_without_overflow

__all__ = ["critic_weights", "entropy_weights", "equal_weights", "std_weights"]

# The relative spread below which a criterion is constant (the C core's).
CONST_RTOL: float = _core.mcdm_tolerances()["const_rtol"]


def _weights_out(w: np.ndarray, mat: DecisionMatrix):
    if mat.is_frame:
        return pd.Series(w, index=mat.columns, name="weight")
    return w


def _constant_columns(values: np.ndarray) -> np.ndarray:
    hi, lo = values.max(axis=0), values.min(axis=0)
    with np.errstate(over="ignore"):  # a span beyond DBL_MAX is inf: not constant
        return np.abs(hi - lo) <= CONST_RTOL * np.maximum(np.abs(hi), np.abs(lo))


def entropy_weights(matrix, *, details: bool = False):
    """Shannon-entropy weights of the criteria (Paper A, Table 3).

    With p_ij = x_ij / sum_i x_ij, E_j = -(1 / ln m) sum_i p_ij ln p_ij
    (0 ln 0 = 0), d_j = 1 - E_j and w_j = d_j / sum_j d_j: criteria whose
    scores vary more across the alternatives weigh more. The C kernel computes
    d_j as a sum of non-negative terms, so it stays accurate for nearly
    constant columns where 1 - E_j would be round-off.

    Parameters
    ----------
    matrix : DataFrame or array-like, shape (m, n)
        m >= 2 alternatives by n criteria; finite and >= 0.
    details : bool, default False
        Return a DataFrame with rows ``E``, ``d`` and ``w`` (the last rows of
        Paper A's Table 3) instead of the weights alone.

    Returns
    -------
    Series (named by the criteria) or ndarray, shape (n,)
        Weights summing to 1. A constant criterion gets weight 0.

    Raises
    ------
    ValueError
        Fewer than 2 alternatives, NaN / infinite or negative values (the
        message names the cells), or every criterion constant (no weights
        exist: nothing distinguishes the alternatives).

    Examples
    --------
    >>> import pandas as pd
    >>> from segment import entropy_weights
    >>> x = pd.DataFrame({"price": [1.0, 2.0, 4.0], "quality": [5.0, 5.0, 6.0]})
    >>> entropy_weights(x).round(3)
    price      0.974
    quality    0.026
    Name: weight, dtype: float64
    >>> entropy_weights(x, details=True).round(4).loc["E"].tolist()
    [0.8699, 0.9965]
    """
    mat = as_decision_matrix(matrix, nonneg=True)
    try:
        w, e, d = _core.entropy_weights(mat.values)
    except ValueError:
        raise ValueError(
            "every criterion (column) of matrix is constant, so none distinguishes the "
            "alternatives and entropy weights are undefined; use equal_weights, or give "
            "weights yourself"
        ) from None
    if details:
        cols = mat.columns if mat.is_frame else pd.RangeIndex(mat.shape[1])
        return pd.DataFrame([e, d, w], index=pd.Index(["E", "d", "w"]), columns=cols)
    return _weights_out(w, mat)


def _scaled(values: np.ndarray, types: np.ndarray | None, const: np.ndarray) -> np.ndarray:
    """Min-max scaling to [0, 1] (1 = best when types are given); constant
    columns become 0."""
    values, lo, span = span_without_overflow(values, values.min(axis=0), values.max(axis=0))
    span = np.where(const, 1.0, span)
    out = (values - lo) / span
    if types is not None:
        out = np.where(types > 0, out, 1.0 - out)
    out[:, const] = 0.0
    return out


def critic_weights(matrix, *, types=None):
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995).

    Each criterion is min-max scaled to [0, 1] (best = 1 when ``types`` is
    given); C_j = sigma_j * sum_k (1 - r_jk) with sigma_j the standard
    deviation of the scaled column and r the Pearson correlation between
    scaled columns; w_j = C_j / sum_k C_k. Criteria that vary and conflict
    with the others weigh more.

    Parameters
    ----------
    matrix : DataFrame or array-like, shape (m, n)
        m >= 2 alternatives by n criteria, finite.
    types : str, sequence or dict, optional
        Criterion directions (see the module docstring). They change the
        sign of the correlations with cost criteria. ``None`` (the default)
        scales every criterion as a benefit, as pymcdm and most published
        applications do.

    Returns
    -------
    Series (named by the criteria) or ndarray, shape (n,)
        Weights summing to 1. Constant criteria get 0 and are left out of
        the correlation sums, so adding one does not change the others.

    Raises
    ------
    ValueError
        Bad input (as for `entropy_weights`, negatives allowed), every
        criterion constant, or the varying criteria perfectly correlated
        (then every C_j is 0 and CRITIC has no answer).

    Examples
    --------
    >>> from segment import critic_weights
    >>> x = [[61, 1.08, 4.33], [20.7, 0.26, 4.34], [16.3, 1.98, 2.53], [9.0, 3.29, 1.65],
    ...      [5.4, 2.77, 2.33], [4.0, 4.12, 1.21], [-6.1, 3.52, 2.10], [-34.6, 3.31, 0.98]]
    >>> critic_weights(x).round(4).tolist()  # Diakoulaki et al. (1995), Table 1
    [0.2022, 0.4809, 0.3169]
    """
    mat = as_decision_matrix(matrix)
    t = None if types is None else parse_types(types, mat)
    const = _constant_columns(mat.values)
    if const.all():
        raise ValueError(
            "every criterion (column) of matrix is constant; CRITIC weights are undefined"
        )
    z = _scaled(mat.values, t, const)
    keep = ~const
    sigma = np.zeros(mat.shape[1])
    sigma[keep] = z[:, keep].std(axis=0, ddof=1)
    c = np.zeros(mat.shape[1])
    if keep.sum() > 1:
        r = np.corrcoef(z[:, keep], rowvar=False)
        c[keep] = sigma[keep] * (1.0 - r).sum(axis=0)
    total = c.sum()
    if not total > 1e-12 * sigma.sum() * max(1, int(keep.sum())):
        raise ValueError(
            "CRITIC weights are undefined here: the criteria that vary are perfectly "
            "correlated (or only one varies), so every C_j = sigma_j * sum_k (1 - r_jk) is 0; "
            "use std_weights or entropy_weights"
        )
    return _weights_out(c / total, mat)


def std_weights(matrix, *, scale: bool = True):
    """Standard-deviation weights: w_j proportional to the spread of criterion j.

    Parameters
    ----------
    matrix : DataFrame or array-like, shape (m, n)
        m >= 2 alternatives by n criteria, finite.
    scale : bool, default True
        Measure the spread of each criterion after min-max scaling to [0, 1]
        (unit-free: the weights do not change when a criterion changes
        units). ``scale=False`` uses the raw columns, as pymcdm's
        ``standard_deviation_weights`` and Sałabun et al. (2020) do; the
        weights then depend on the units.

    Returns
    -------
    Series (named by the criteria) or ndarray, shape (n,)
        Weights summing to 1; constant criteria get 0.

    Examples
    --------
    >>> from segment import std_weights
    >>> x = [[0.619, 0.449, 0.447], [0.862, 0.466, 0.006], [0.458, 0.698, 0.771],
    ...      [0.777, 0.631, 0.491], [0.567, 0.992, 0.968]]
    >>> std_weights(x, scale=False).round(3).tolist()  # Sałabun et al. (2020)
    [0.217, 0.294, 0.488]
    """
    mat = as_decision_matrix(matrix)
    const = _constant_columns(mat.values)
    if const.all():
        raise ValueError(
            "every criterion (column) of matrix is constant; standard-deviation weights are "
            "undefined"
        )
    if scale:
        z = _scaled(mat.values, None, const)
    else:
        z = mat.values
        big = float(np.abs(z).max())
        e = math.frexp(big)[1]
        if big > 0 and not -400 <= e <= 400:
            # Squares of |x| > ~1e154 overflow and of |x| < ~1e-154 underflow in the
            # standard deviation; one power of two for every column is exact and
            # leaves the ratios sigma_j / sum(sigma), the weights, unchanged.
            z = np.ldexp(z, -e)
    sigma = np.where(const, 0.0, z.std(axis=0, ddof=1))
    return _weights_out(sigma / sigma.sum(), mat)


def equal_weights(matrix):
    """Equal weights, 1 / n per criterion: the baseline of any comparison.

    Parameters
    ----------
    matrix : DataFrame or array-like, shape (m, n)
        Only its criteria (columns) are used.

    Returns
    -------
    Series (named by the criteria) or ndarray, shape (n,)

    Examples
    --------
    >>> from segment import equal_weights
    >>> equal_weights([[1, 2, 3, 4]]).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    mat = as_decision_matrix(matrix, min_rows=0, finite=False, shape_only=True)
    n = mat.shape[1]
    return _weights_out(np.full(n, 1.0 / n), mat)

