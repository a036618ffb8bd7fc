"""segment.dask's input: X as a dask array cut into row chunks, with clear
messages, and the checks of scalar arguments."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd

from segment._validation import (
    as_matrix,
    check_columns,
    check_kind,
    check_ndim,
    check_size,
    series_refused,
)

__all__ = ["Data", "as_data", "check_real", "row_blocks"]


# Rows per chunk when an in-memory array is handed in.
_DEFAULT_CHUNK_ROWS = 100_000


@dataclass
class Data:
    """A validated (n, d) float dask array cut into row chunks only."""

    array: da.Array  # one column chunk; rows as the user chunked them
    n: int
    d: int
    columns: pd.Index | None  # a DataFrame's columns
    index: pd.Index | None = None  # an in-memory DataFrame's index (labels align on it)

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.array.chunks[0])[:-1]]).astype(np.int64)

    @property
    def n_chunks(self) -> int:
        return len(self.array.chunks[0])


def as_data(X, name: str = "X") -> Data:
    """A dask array / DataFrame (or an in-memory array, cut into chunks of
    100,000 rows) as float64-able row chunks. In-memory input goes through
    segment._validation.as_matrix; a dask array or DataFrame through the same
    kind, column and shape checks, lazily (its values are looked at by the
    kernels, chunk by chunk)."""
    columns = index = None
    if isinstance(X, dd.Series):
        raise series_refused(name, kind="a dask Series")
    if isinstance(X, dd.DataFrame):
        check_columns(X.dtypes, name)
        columns = X.columns
        arr = X.to_dask_array(lengths=True)
    elif isinstance(X, da.Array):
        arr = X
        check_kind(arr.dtype, name)
    else:
        m = as_matrix(X, name)
        arr = da.from_array(np.asarray(m.values), chunks=(_DEFAULT_CHUNK_ROWS, -1))
        columns, index = m.columns, m.index
    check_ndim(arr.shape, name)
    if any(math.isnan(c) for c in arr.chunks[0]):
        arr = arr.compute_chunk_sizes()
    if len(arr.chunks[1]) > 1:
        arr = arr.rechunk({1: -1})
    n, d = (int(s) for s in arr.shape)
    check_size((n, d), name)
    return Data(arr, n, d, columns, index)


def row_blocks(arr: da.Array | None, n_chunks: int) -> list:
    """One Delayed per row chunk (None for every chunk without an array)."""
    if arr is None:
        return [None] * n_chunks
    return list(arr.to_delayed().ravel())


def check_real(value, name, low=None, strict=False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if low is not None and (value <= low if strict else value < low):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low}, got {value!r}")
    return float(value)

