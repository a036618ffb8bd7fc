"""Preprocessing of features before clustering: scaling.

`minmax_scale` scales features to [0, 1] for k-means, keeping labels
(Paper B scales its customer features so; segment.features builds them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segment._validation import COLUMNS, listed, read_numeric, span_without_overflow

__all__ = ["minmax_scale"]


def minmax_scale(frame_or_array, *, feature_range=(0, 1)):
    """Scale each column linearly to `feature_range`, keeping labels.

    x' = lo + (x - min) / (max - min) * (hi - lo), per column. A constant column
    (max == min) becomes `lo` (0 with the default range): it carries no
    information for clustering, and this keeps it finite.

    Parameters
    ----------
    frame_or_array : DataFrame, Series, or array of shape (n,) or (n, d)
        Numeric (or boolean) data without NaN or infinity.
    feature_range : (float, float), default (0, 1)
        Target range (lo, hi) with lo < hi.

    Returns
    -------
    Same type and shape as the input, float64: a DataFrame/Series keeps its
    index and columns/name.

    Raises
    ------
    TypeError
        On data that are not real numbers: text, dates, complex numbers, a
        DataFrame's non-numeric columns (named), None or a bare number.
    ValueError
        On a ragged list, 3-D data, no rows, NaN or infinite values (naming
        the columns and rows), or a bad `feature_range`.

    Examples
    --------
    >>> import pandas as pd
    >>> from segment.preprocessing import minmax_scale
    >>> minmax_scale(pd.DataFrame({"a": [1.0, 2.0, 5.0], "b": [3, 3, 3]}, index=["x", "y", "z"]))
          a    b
    x  0.00  0.0
    y  0.25  0.0
    z  1.00  0.0
    """
    try:
        lo, hi = (float(v) for v in feature_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"feature_range must be two numbers (lo, hi), got {feature_range!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"feature_range must satisfy lo < hi (finite), got {feature_range!r}")
    if not np.isfinite(hi - lo):
        raise ValueError(
            f"feature_range {feature_range!r} is wider than float64 can hold (hi - lo "
            "overflows); use a narrower range such as (0, 1)"
        )
    x = frame_or_array
    if isinstance(x, pd.Series):
        return pd.Series(
            minmax_scale(x.to_frame(), feature_range=(lo, hi)).iloc[:, 0].to_numpy(),
            index=x.index,
            name=x.name,
        )
    m = read_numeric(
        x, "frame_or_array", layout=COLUMNS, ndims=(1, 2), min_cols=0, allow_float32=False
    )
    values, labels = m.values, m.index
    cols = None if m.columns is None else list(m.columns)
    one_d = values.ndim == 1
    if one_d:
        values = values[:, None]
    finite = np.isfinite(values)
    if not finite.all():
        bad_cols = np.flatnonzero(~finite.all(axis=0))
        bad_rows = np.flatnonzero(~finite.all(axis=1))
        cname = [cols[i] for i in bad_cols] if cols is not None else bad_cols.tolist()
        rname = labels[bad_rows] if labels is not None else bad_rows
        raise ValueError(
            f"frame_or_array has NaN or infinite values in columns {listed(cname)} at rows "
            f"{listed(rname)}; drop or impute them first"
        )
    values, vmin, span = span_without_overflow(values, values.min(axis=0), values.max(axis=0))
    const = span == 0
    scaled = (values - vmin) / np.where(const, 1.0, span) * (hi - lo) + lo
    scaled[:, const] = lo
    if one_d:
        scaled = scaled[:, 0]
    if cols is not None:
        return pd.DataFrame(scaled, index=labels, columns=x.columns)
    return scaled

