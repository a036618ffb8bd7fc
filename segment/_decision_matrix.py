"""The decision matrix of segment.weights and segment.ranking: validated input,
criterion types, and the cells named in messages.

The conventions it enforces are stated in segment.decision.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segment._validation import CRITERIA, read_numeric

__all__ = ["DecisionMatrix", "as_decision_matrix", "by_criterion", "parse_types"]


_TYPE_WORDS = {"benefit": 1, "max": 1, "cost": -1, "min": -1}


@dataclass(frozen=True)
class DecisionMatrix:
    values: np.ndarray  # (m, n) float64, never modified
    index: pd.Index | None  # alternatives (DataFrame input) or None
    columns: pd.Index | None  # criteria (DataFrame input) or None

    @property
    def is_frame(self) -> bool:
        return self.index is not None

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def alt(self, i: int):
        return _plain(self.index[i]) if self.is_frame else int(i)

    def crit(self, j: int):
        return _plain(self.columns[j]) if self.is_frame else int(j)

    def cell(self, i: int, j: int) -> str:
        if self.is_frame:
            return f"({_plain(self.index[i])!r}, {_plain(self.columns[j])!r})"
        return f"[{i}, {j}]"


def _plain(label):
    """A numpy scalar label as the Python value, so messages read 3, not np.int64(3)."""
    return label.item() if isinstance(label, np.generic) else label


def _cells(mat: DecisionMatrix, mask: np.ndarray, limit: int = 5) -> str:
    rows, cols = np.nonzero(mask)
    shown = ", ".join(mat.cell(i, j) for i, j in zip(rows[:limit], cols[:limit], strict=True))
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return shown + more


def as_decision_matrix(
    matrix, name="matrix", *, nonneg=False, min_rows=2, finite=True, shape_only=False
) -> DecisionMatrix:
    """A validated decision matrix; the input is never copied unless needed.

    Read by segment._validation.read_numeric, the path every data argument
    takes (same rule for which fault raises TypeError and which ValueError);
    the cells at fault are named here. Complex, datetime and timedelta arrays
    are refused (a cast would drop the imaginary part or turn dates into day
    numbers) unless ``shape_only``: the caller then reads nothing but the
    shape (equal_weights)."""
    m = read_numeric(
        matrix, name, layout=CRITERIA, min_rows=min_rows, allow_float32=False,
        shape_only=shape_only,
    )
    values, index, columns = m.values, m.index, m.columns
    mat = DecisionMatrix(values, index, columns)
    if finite:
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(
                f"{name} has NaN or infinite values at {_cells(mat, bad)}; fill or drop them "
                "(every alternative needs a score on every criterion)"
            )
    if nonneg:
        neg = values < 0
        if neg.any():
            raise ValueError(
                f"{name} has negative values at {_cells(mat, neg)}; entropy weights need "
                "scores >= 0 (shares of each column). Shift the criterion, e.g. "
                "x - x.min(), or use critic_weights / std_weights"
            )
    return mat


def by_criterion(obj, mat: DecisionMatrix, name: str, parse):
    """A per-criterion argument as a list in column order. Accepts a scalar
    (broadcast), a sequence in column order, or a dict / Series keyed by the
    criteria (DataFrame input) or by position (array input)."""
    n = mat.shape[1]
    if isinstance(obj, pd.Series) and mat.is_frame and obj.index.equals(mat.columns):
        return [parse(x, k) for k, x in zip(mat.columns, obj.tolist(), strict=True)]
    if isinstance(obj, (dict, pd.Series)):
        mapping = dict(obj.items())
        keys = list(mat.columns) if mat.is_frame else list(range(n))
        missing = [k for k in keys if k not in mapping]
        extra = [k for k in mapping if k not in keys]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"no value for criteria {missing[:10]}")
            if extra:
                parts.append(f"values for unknown criteria {extra[:10]}")
            raise ValueError(
                f"{name} must give one value per criterion of the matrix: " + " and ".join(parts)
            )
        return [parse(mapping[k], k) for k in keys]
    if isinstance(obj, (str, numbers.Number)):
        return [parse(obj, mat.crit(j)) for j in range(n)]
    items = list(np.asarray(obj, dtype=object).ravel()) if np.ndim(obj) == 1 else None
    if items is None:
        raise ValueError(f"{name} must be one value or a 1-D sequence with one per criterion")
    if len(items) != n:
        raise ValueError(f"{name} has {len(items)} values but the matrix has {n} criteria")
    return [parse(v, mat.crit(j)) for j, v in enumerate(items)]


def parse_types(types, mat: DecisionMatrix) -> np.ndarray:
    """+1 (benefit) / -1 (cost) per criterion."""
    if types is None:
        return np.ones(mat.shape[1], dtype=np.int32)

    def parse(value, crit):
        if isinstance(value, str) and value.lower() in _TYPE_WORDS:
            return _TYPE_WORDS[value.lower()]
        if (
            isinstance(value, numbers.Real)
            and not isinstance(value, (bool, np.bool_))
            and value in (1, -1)
        ):
            return int(value)
        raise ValueError(
            f"types for criterion {crit!r} is {value!r}; use 'benefit' (or 'max', 1) when more "
            "is better and 'cost' (or 'min', -1) when less is better"
        )

    return np.array(by_criterion(types, mat, "types", parse), dtype=np.int32)

