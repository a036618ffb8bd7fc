"""Input validation shared by the public API: one path for every data argument.

Every public function turns what a user passes (ndarray, DataFrame, nested
list, scipy sparse matrix, dask array) into a float matrix through
`read_numeric` (directly, or through `as_matrix`, `as_decision_matrix` and
`segment.dask`'s `as_data`, which add their own value checks), so that bad
input gets the same exception and the same clear message everywhere: it
names the argument, the column or the rows at fault and says what to do. The
C glue re-checks what its kernels rely on, with the same rule; this layer is
where the friendly messages live.

Which exception for which fault
-------------------------------
TypeError: the *kind* of input is wrong, so no array of real numbers can be
read from it. ValueError: the kind is right (real numbers) but the *shape or
the values* are wrong. When both are wrong the kind is reported.

=========================================================  ==========
fault                                                      exception
=========================================================  ==========
None, a string, bytes or a bare number (not array-like)    TypeError
strings, or objects that are not numbers (dtype object)    TypeError
datetime64 / timedelta64 (dates, durations)                TypeError
a DataFrame with a text, categorical, date or complex      TypeError
column (the columns are named); an Arrow table with a
text, dictionary, date, time or nested column
an object offering Arrow data (__arrow_c_stream__ /        TypeError
__arrow_c_array__) whose export fails or is not Arrow
Arrow data without pyarrow installed                       ImportError
scipy sparse input where sparse is not supported           TypeError
complex numbers (even with a zero imaginary part; also     ValueError
a DataFrame whose only non-numeric columns are complex)
a ragged nested list (rows of different lengths)           ValueError
wrong number of dimensions (1-D, 3-D, a pandas or polars  ValueError
Series, a 1-D Arrow array)
no columns, or fewer rows than the function needs          ValueError
NaN or infinity where values must be finite (rows named)   ValueError
values outside the domain (negative scores for entropy)    ValueError
values so large that sums of squares overflow float64      ValueError
a bad option value (nan_policy="drop", ...)                ValueError
=========================================================  ==========

Accepted as numbers: float64 and float32 (kept without a copy where the
function allows it), other floats, integers, booleans (0/1), object arrays
whose items are numbers (None becomes NaN), and DataFrames of such columns.

Arrow data -- polars DataFrames, pyarrow Tables and RecordBatches, DuckDB
relations, anything exporting the Arrow PyCapsule protocol
(``__arrow_c_stream__`` / ``__arrow_c_array__``) -- is read by pyarrow (the
``arrow`` extra, imported only when such an object comes) column by column
into one float array, without a pandas round trip; it is then treated as a
DataFrame with a RangeIndex and its column names (results come back as
pandas objects, equal to those of ``pandas_frame = table.to_pandas()``).
Integer, float, boolean and decimal columns are numbers; a null is NaN
(for every numeric type, booleans included); text, dictionary (categorical),
date, time, duration, nested and null-typed columns are refused like a
DataFrame's, naming them (TypeError). An object that claims the protocol but
whose export raises or returns something that is not Arrow data is a
TypeError naming the argument; pyarrow missing is an ImportError naming the
extra.

Complex numbers are the one exception to "kind -> TypeError": they are
numbers, of the wrong domain, and raise ValueError("... Complex data not
supported ..."), as scikit-learn's check_array does and as its estimator
checks (check_estimator's check_complex_data) require of KMeans. A ragged
list is a ValueError, as in NumPy and scikit-learn. The C glue's conversion
(segment/_coremodule.c, as_array) follows the same rule.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

NAN_POLICIES = ("raise", "omit")


class Layout(NamedTuple):
    """What the rows and the columns of a data argument are, for messages."""

    rows: str
    cols: str
    row: str
    col: str
    advice: str = "encode or drop them"  # for non-numeric columns


FEATURES = Layout("samples", "features", "sample", "feature")
CRITERIA = Layout("alternatives", "criteria", "alternative", "criterion")
ITEMS = Layout(
    "respondents", "items", "respondent", "item", "convert verbal answers with load_likert first"
)
COLUMNS = Layout("rows", "columns", "row", "column")


def listed(items, limit=10, fmt=str) -> str:
    """The first `limit` items as "[a, b, ...]", for error messages."""
    items = list(items)
    shown = ", ".join(fmt(i) for i in items[:limit])
    return f"[{shown}{', ...' if len(items) > limit else ''}]"


@dataclass(frozen=True)
class Matrix:
    """A validated 2-D input: the float array and the labels it came with."""

    values: np.ndarray  # (n, d) float64 or float32, any memory order, never modified
    index: pd.Index | None  # the DataFrame's index, or None for array input
    columns: pd.Index | None  # the DataFrame's columns, or None for array input
    finite: np.ndarray | None  # bool (n,) rows kept under nan_policy="omit"; None if all

    @property
    def is_frame(self) -> bool:
        return self.index is not None


def sparse_refused(name: str) -> TypeError:
    """The error of a function that takes no sparse input."""
    return TypeError(
        f"{name} is a sparse matrix: sparse input is supported by kmeans, KMeans, "
        f"silhouette_samples and silhouette_score, not here; pass {name}.toarray()"
    )


def series_refused(name: str, layout: Layout = FEATURES, kind="a pandas Series") -> ValueError:
    """The error of a function that needs 2-D data and got a Series."""
    return ValueError(
        f"{name} must be 2-dimensional ({layout.rows} x {layout.cols}); got {kind}. "
        f"Use {name}.to_frame() for one {layout.col}."
    )


def check_nan_policy(nan_policy: str) -> str:
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {NAN_POLICIES}, got {nan_policy!r}")
    return nan_policy


def non_numeric_columns(dtypes: pd.Series) -> list:
    """The columns (of a pandas or dask DataFrame's dtypes) that hold no real numbers."""
    return [
        c
        for c, dt in dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))
        or pd.api.types.is_complex_dtype(dt)
    ]


def check_columns(dtypes: pd.Series, name: str, layout: Layout = FEATURES) -> None:
    """TypeError naming the non-numeric columns of a (pandas or dask) DataFrame
    (ValueError when they are all complex)."""
    fast = all(isinstance(dt, np.dtype) and dt.kind in "biuf" for dt in dtypes)
    bad = [] if fast else non_numeric_columns(dtypes)
    complex_cols = [c for c in bad if pd.api.types.is_complex_dtype(dtypes[c])]
    if complex_cols and len(complex_cols) == len(bad):
        raise complex_refused(name, f"complex columns {listed(complex_cols, fmt=repr)}")
    if bad:
        raise non_numeric_refused(name, bad, layout)


def non_numeric_refused(name: str, bad: list, layout: Layout = FEATURES) -> TypeError:
    """The error for columns (of a DataFrame or Arrow table) that hold no numbers."""
    return TypeError(
        f"{name} has non-numeric columns {listed(bad, fmt=repr)}; every {layout.col} "
        f"must hold numbers (or booleans): {layout.advice}"
    )


def complex_refused(name: str, what: str) -> ValueError:
    """Complex numbers are numbers of the wrong domain: ValueError, with
    scikit-learn's words (its check_array and estimator checks want both)."""
    return ValueError(
        f"{name} has {what}: Complex data not supported (casting would drop the imaginary "
        f"part); pass real numbers, e.g. {name}.real if the imaginary part is zero"
    )


def check_kind(dtype: np.dtype, name: str) -> None:
    """TypeError for an array dtype that holds no numbers, ValueError for complex."""
    if dtype.kind in "biuf":
        return
    if dtype.kind == "c":
        raise complex_refused(name, f"complex dtype {dtype}")
    if dtype.kind in "mM":
        raise TypeError(
            f"{name} has dtype {dtype} (dates or durations), not numbers; convert them "
            "first, e.g. to days since a reference date"
        )
    raise TypeError(f"{name} must be numeric, got dtype {dtype}; encode the values as numbers")


def check_ndim(shape: tuple, name: str, layout: Layout = FEATURES, ndims=(2,)) -> None:
    """ValueError unless len(shape) is one of ndims ((2,) or (1, 2))."""
    ndim = len(shape)
    if ndim in ndims:
        return
    if ndims == (2,):
        raise ValueError(
            f"{name} must be 2-dimensional ({layout.rows} x {layout.cols}), got {ndim} "
            f"dimension{'s' if ndim != 1 else ''} with shape {shape}"
            + (
                f". Reshape your data with {name}.reshape(-1, 1) for one {layout.col} "
                f"or {name}.reshape(1, -1) for one {layout.row}"
                if ndim == 1
                else ""
            )
        )
    raise ValueError(f"{name} must be 1- or 2-dimensional, got shape {shape}")


def check_size(
    shape: tuple, name: str, layout: Layout = FEATURES, *, min_rows: int = 1, min_cols: int = 1
) -> None:
    """ValueError for fewer than min_cols columns or min_rows rows."""
    n, d = shape[0], (shape[1] if len(shape) > 1 else 1)
    if d < min_cols:
        raise ValueError(  # scikit-learn's words
            f"{name} has {d} {layout.col}(s) (shape={shape}) while a minimum of {min_cols} "
            "is required."
        )
    if n < min_rows:
        what = layout.row if n == 1 else layout.rows
        raise ValueError(
            f"{name} has {n} {what}{'' if layout is COLUMNS else ' (rows)'}; "
            f"at least {min_rows} required"
        )


# ---------------------------------------------------------------- Arrow data


def is_arrow(X) -> bool:
    """True for data exported through the Arrow PyCapsule protocol (polars,
    pyarrow, DuckDB, ...), pandas and NumPy objects excepted (pandas 3 frames
    export it too, but are read as DataFrames)."""
    t = type(X)
    return (hasattr(t, "__arrow_c_stream__") or hasattr(t, "__arrow_c_array__")) and not (
        isinstance(X, (np.ndarray, pd.DataFrame, pd.Series, pd.Index))
    )


def arrow_kind(X) -> str:
    """'polars DataFrame', 'pyarrow Table', ...: the object named in messages."""
    return f"{type(X).__module__.split('.')[0]} {type(X).__name__}"


def read_arrow(X, name: str = "X"):
    """A pyarrow Table (2-D data) or ChunkedArray (1-D data) from an Arrow exporter.

    pyarrow is imported here, only for such objects. An export that raises or
    gives something that is not Arrow data is a TypeError naming `name`.
    """
    try:
        import pyarrow as pa
    except ImportError:
        raise ImportError(
            f"{name} is a {arrow_kind(X)} (Arrow data): reading it needs pyarrow, "
            "the 'arrow' extra: pip install 'segment-kit[arrow]'"
        ) from None
    if isinstance(X, (pa.Table, pa.ChunkedArray)):
        return X
    if isinstance(X, pa.RecordBatch):
        return pa.Table.from_batches([X])
    if isinstance(X, pa.Array):
        return pa.chunked_array([X])
    stream = hasattr(type(X), "__arrow_c_stream__")
    try:
        return pa.table(X) if stream else pa.Table.from_batches([pa.record_batch(X)])
    except Exception as exc:  # anything the exporter raised, or pyarrow's refusal
        first = exc
    try:  # a 1-D exporter (polars Series, an Arrow array): a non-struct type
        return pa.chunked_array(X) if stream else pa.chunked_array([pa.array(X)])
    except Exception:
        pass
    raise TypeError(
        f"{name} is a {arrow_kind(X)} that offers Arrow data (__arrow_c_"
        f"{'stream' if stream else 'array'}__) but could not be read "
        f"({type(first).__name__}: {first}); pass a DataFrame or an array"
    ) from None


def arrow_names(X, name: str = "X") -> list:
    """The column names of Arrow data, read from its schema without its rows
    where the object tells them (pyarrow, polars, DuckDB): a one-shot stream
    such as a pyarrow RecordBatchReader is then not consumed."""
    names = getattr(getattr(X, "schema", None), "names", None)  # pyarrow (a list)
    if not isinstance(names, list):
        names = getattr(X, "columns", None)  # polars DataFrame, DuckDB relation
    if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
        return list(names)
    data = read_arrow(X, name)
    return list(getattr(data, "column_names", []))


def _arrow_numeric(type_) -> bool:
    import pyarrow.types as pt

    kinds = (pt.is_integer, pt.is_floating, pt.is_boolean, pt.is_decimal)
    return any(is_kind(type_) for is_kind in kinds)


def _arrow_column(col, dtype, out: np.ndarray | None = None) -> np.ndarray:
    """One Arrow column (a ChunkedArray) as a 1-D float array, nulls as NaN.

    Without `out`: zero-copy when the column is already of that type, in one
    chunk, without nulls. With `out` (a column of the matrix): written chunk
    by chunk, so a column of many chunks (DuckDB's batches) is not first
    joined into a temporary array."""
    import pyarrow as pa

    target = pa.float32() if dtype == np.float32 else pa.float64()
    if col.type != target:
        import pyarrow.compute as pc

        col = pc.cast(col, target, safe=False)  # ints beyond 2**53 round, as in pandas
    if out is None:
        return col.to_numpy(zero_copy_only=False)
    start = 0
    for chunk in col.chunks:
        out[start : start + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
        start += len(chunk)
    return out


def _read_arrow_matrix(X, name, layout, ndims, allow_float32):
    """(array, index, columns) of Arrow data, checked for kind as a DataFrame is."""
    data = read_arrow(X, name)
    if not hasattr(data, "column_names"):  # 1-D
        if 1 not in ndims:
            raise series_refused(name, layout, kind=f"a 1-D {arrow_kind(X)}")
        if not _arrow_numeric(data.type):
            raise TypeError(f"{name} must be numeric, got Arrow type {data.type}")
        return _arrow_column(data, np.float64), None, None
    names = data.column_names
    types = data.schema.types
    bad = [c for c, t in zip(names, types, strict=True) if not _arrow_numeric(t)]
    if bad:
        raise non_numeric_refused(name, bad, layout)
    import pyarrow as pa

    single = bool(types) and all(t == pa.float32() for t in types) and allow_float32
    dtype = np.float32 if single else np.float64
    if len(names) == 1:
        arr = _arrow_column(data.column(0), dtype).reshape(-1, 1)  # no copy if it can
    else:
        arr = np.empty((data.num_rows, len(names)), dtype=dtype, order="F")
        for j in range(len(names)):
            _arrow_column(data.column(j), dtype, out=arr[:, j])
    return arr, pd.RangeIndex(data.num_rows), pd.Index(names)


def read_numeric(
    X,
    name: str = "X",
    *,
    layout: Layout = FEATURES,
    ndims=(2,),
    min_rows: int = 1,
    min_cols: int = 1,
    allow_float32: bool = True,
    shape_only: bool = False,
) -> Matrix:
    """The one reading of a data argument: its kind, its shape, a float array.

    Accepts an ndarray, a pandas DataFrame, Arrow data (polars, pyarrow,
    DuckDB: read column by column, as a DataFrame with a RangeIndex) or a
    nested sequence of real numbers (see the module's rule for what raises
    what). Returns a Matrix
    (finite=None) whose values are float64, or float32 when X is float32 and
    allow_float32; no copy when X is already such an array. ndims=(1, 2)
    also takes 1-D arrays. Values are not looked at: finiteness, signs and
    magnitudes are the caller's to check. With shape_only (a caller that
    reads nothing but the shape) complex and date arrays pass, uncast.
    """
    index = columns = None
    if isinstance(X, pd.Series) and 1 not in ndims:
        raise series_refused(name, layout)
    if hasattr(X, "tocsr") or type(X).__module__.startswith("scipy.sparse"):
        raise sparse_refused(name)
    if isinstance(X, pd.DataFrame):
        check_columns(X.dtypes, name, layout)
        index, columns = X.index, X.columns
        dtypes = set(X.dtypes)
        if len(dtypes) == 1 and next(iter(dtypes)) in (np.float64, np.float32):
            arr = X.to_numpy(copy=False)
        else:
            arr = X.to_numpy(dtype=np.float64, na_value=np.nan)
    elif is_arrow(X):
        arr, index, columns = _read_arrow_matrix(X, name, layout, ndims, allow_float32)
    else:
        if isinstance(X, (str, bytes)) or X is None or isinstance(X, numbers.Number):
            dims = "1-D or 2-D" if 1 in ndims else "2-D"
            raise TypeError(f"{name} must be a {dims} array or DataFrame, got {type(X).__name__}")
        try:
            arr = np.asarray(X)
        except ValueError as exc:  # NumPy's words for a ragged list
            raise ValueError(
                f"{name} could not be read as an array ({exc}); pass a DataFrame or an array "
                f"whose rows all have the same length: one row per {layout.row} and one "
                f"column per {layout.col}"
            ) from None
        except TypeError as exc:
            raise TypeError(f"{name} could not be read as a numeric array: {exc}") from None
        if arr.dtype.kind == "O":
            try:
                arr = arr.astype(np.float64)
            except (ValueError, TypeError) as exc:
                raise TypeError(
                    f"{name} has dtype object with non-numeric values ({exc}); pass numbers"
                ) from None
        elif not (shape_only and arr.dtype.kind in "cmM"):
            check_kind(arr.dtype, name)
    check_ndim(arr.shape, name, layout, ndims)
    if shape_only:
        check_size(arr.shape, name, layout, min_rows=min_rows, min_cols=min_cols)
        return Matrix(arr, index, columns, None)
    if arr.dtype.kind != "f" or (arr.dtype == np.float32 and not allow_float32):
        arr = arr.astype(np.float64)
    elif arr.dtype not in (np.float64, np.float32):  # float16, longdouble
        arr = arr.astype(np.float64)
    check_size(arr.shape, name, layout, min_rows=min_rows, min_cols=min_cols)
    return Matrix(arr, index, columns, None)


def as_matrix(
    X,
    name: str = "X",
    *,
    nan_policy: str = "raise",
    allow_float32: bool = True,
    min_rows: int = 1,
    allow_sparse: bool = False,
) -> Matrix:
    """Validate a 2-D numeric input of the clustering API without copying it
    when it is already fine.

    `read_numeric` reads X (TypeError for the wrong kind, ValueError for the
    wrong shape or too few rows); then values must be finite (ValueError
    naming the rows), unless nan_policy="omit", where those rows are
    flagged, and small enough that squared distances do not overflow.
    With allow_sparse, a scipy sparse X gives a Matrix whose values are a
    segment._sparse.CSR (never densified); otherwise it is refused.
    """
    check_nan_policy(nan_policy)
    if allow_sparse and (hasattr(X, "tocsr") or type(X).__module__.startswith("scipy.sparse")):
        from segment._sparse import as_csr

        csr, finite = as_csr(X, name, nan_policy=nan_policy, min_rows=min_rows)
        return Matrix(csr, None, None, finite)
    m = read_numeric(X, name, min_rows=min_rows, allow_float32=allow_float32)
    arr, index, columns = m.values, m.index, m.columns
    finite = None
    # A NaN or inf anywhere makes the total non-finite; an overflowing total
    # of finite values only costs the slower row-by-row look.
    if not np.isfinite(arr.sum()) and not (finite_rows := np.isfinite(arr).all(axis=1)).all():
        bad_rows = np.flatnonzero(~finite_rows)
        labels = index[bad_rows] if index is not None else bad_rows
        if nan_policy == "raise":
            raise ValueError(
                f"{name} has NaN or infinite values in rows {listed(labels)}; "
                "drop them or pass nan_policy='omit'"
            )
        finite = finite_rows
        if finite.sum() < min_rows:
            raise ValueError(
                f"{name} has {int(finite.sum())} finite rows after omitting NaN/inf rows; "
                f"at least {min_rows} required"
            )
    kept = None if finite is None else np.flatnonzero(finite)
    _check_magnitude(arr if kept is None else arr[kept], name, index, kept)
    return Matrix(arr, index, columns, finite)


def _check_magnitude(arr: np.ndarray, name: str, index, kept=None) -> None:
    """Values so large that sums of squared distances overflow float64 would
    come back as NaN or inf from the kernels: refuse them, naming the cell.

    The bound keeps n * (n - k) * d * (2 max|x|)^2 finite, the largest sum
    any clustering kernel forms (the Calinski-Harabasz numerator)."""
    n, d = arr.shape
    if n == 0:
        return
    big = max(float(arr.max()), -float(arr.min()))
    limit = magnitude_limit(n, d)
    if big > limit:
        r, c = np.unravel_index(int(np.argmax(np.abs(arr))), arr.shape)
        r = int(kept[r]) if kept is not None else int(r)
        row = index[r] if index is not None else r
        raise ValueError(
            f"{name} has values too large for squared distances: |x| = {big:.3g} at row "
            f"{row!r}, column {c} (the limit for {n} rows and {d} columns is {limit:.3g}, "
            "beyond which float64 sums overflow); rescale it, e.g. with segment.minmax_scale"
        )


def magnitude_limit(n: int, d: int) -> float:
    """The largest |x| _check_magnitude lets through for n rows, d columns."""
    return float(np.sqrt(np.finfo(np.float64).max / (4.0 * d))) / max(n, 1)


def span_without_overflow(values: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """(values, lo, span) for min-max scaling by columns, span = hi - lo
    without overflow: the columns whose span passes DBL_MAX (finite values
    such as +-1.7e308) are halved first, exact for normal numbers, so
    (values - lo) / span is still the plain formula; the other columns are
    multiplied by 1 and keep it bit for bit."""
    with np.errstate(over="ignore"):
        span = hi - lo
    wide = np.isinf(span)
    if wide.any():
        half = np.where(wide, 0.5, 1.0)
        values, lo = values * half, lo * half
        span = hi * half - lo
    return values, lo, span


def as_vector(
    x,
    name: str,
    n: int,
    *,
    dtype=np.float64,
) -> np.ndarray:
    """A 1-D numeric array of length n (a Series is taken by position)."""
    if isinstance(x, (pd.Series, pd.Index)):
        x = x.to_numpy()
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"{name} has length {arr.shape[0]} but X has {n} samples")
    if dtype is not None:
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
        arr = arr.astype(dtype, copy=False)
    return arr


def check_int(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer argument within [low, high], with a message naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_float_dtype(dtype, name: str = "dtype") -> np.dtype | None:
    """None (follow the input), or float32 / float64 as a numpy dtype, from
    a dtype, its type or its name; ValueError naming the argument otherwise."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        dt = np.dtype(object)  # not a dtype at all: refused below
    if isinstance(dtype, bool) or dt.name not in ("float32", "float64"):
        raise ValueError(f"{name} must be None, numpy.float32 or numpy.float64, got {dtype!r}")
    return dt


def check_n_threads(n_threads) -> int:
    """0 means 'all' for the C core; None maps to 0. A count beyond C's int
    is clamped (the core caps every request at 4 threads per CPU anyway)
    instead of failing with an OverflowError that names no argument."""
    if n_threads is None:
        return 0
    n = check_int(n_threads, "n_threads")
    if n == 0 or n < -1:
        raise ValueError(f"n_threads must be None, -1 (all) or a positive integer, got {n}")
    return 0 if n == -1 else min(n, 2**31 - 1)


def check_random_state(random_state) -> np.random.RandomState:
    """Like sklearn.utils.check_random_state, without scikit-learn."""
    if random_state is None or random_state is np.random:
        return np.random.mtrand._rand
    if isinstance(random_state, (numbers.Integral, np.integer)) and not isinstance(
        random_state, bool
    ):
        if not 0 <= int(random_state) < 2**32:
            raise ValueError(
                f"random_state must be an integer in [0, 2**32), got {random_state}"
            )
        return np.random.RandomState(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(random_state.integers(0, 2**32))
    raise TypeError(
        f"random_state must be None, an int, a numpy RandomState or Generator; "
        f"got {random_state!r}"
    )


def feature_names(columns) -> np.ndarray | None:
    """The column names a fit records as ``feature_names_in_``: an object
    array when every name is a string, else None (scikit-learn's rule).
    Names of mixed types raise TypeError, as scikit-learn does."""
    if columns is None or len(columns) == 0:
        return None
    names = np.asarray(list(columns), dtype=object)
    is_str = np.array([isinstance(c, str) for c in names])
    if is_str.all():
        return names
    if is_str.any():
        kinds = sorted({type(c).__name__ for c in names})
        raise TypeError(
            f"Feature names are only supported if all input features have string names, "
            f"but your input has {kinds} as feature name / column name types. Convert all "
            "of them to str, e.g. X.columns = X.columns.astype(str)"
        )
    return None


def input_columns(X):
    """The column names of a (pandas or dask) DataFrame or of Arrow data
    (polars, pyarrow, DuckDB), else None: what a fit records as feature names."""
    if is_arrow(X):
        return arrow_names(X)
    return getattr(X, "columns", None)


def check_feature_names(estimator, X) -> None:
    """Refuse a frame whose columns differ from those seen in fit, in names
    or in order, and warn when names are given on one side only: a matrix
    with its columns reordered would otherwise get other labels without a
    word. Same rule and warnings as scikit-learn's estimators."""
    fitted = getattr(estimator, "feature_names_in_", None)
    given = feature_names(input_columns(X))
    cls = type(estimator).__name__
    if fitted is None and given is None:
        return
    if fitted is None:
        warnings.warn(
            f"X has feature names, but {cls} was fitted without feature names",
            UserWarning,
            stacklevel=3,
        )
        return
    if given is None:
        warnings.warn(
            f"X does not have valid feature names, but {cls} was fitted with feature names",
            UserWarning,
            stacklevel=3,
        )
        return
    if len(fitted) == len(given) and (fitted == given).all():
        return
    fitted_set, given_set = set(fitted), set(given)
    unseen = [c for c in given if c not in fitted_set]
    missing = [c for c in fitted if c not in given_set]
    lines = ["The feature names should match those that were passed during fit."]
    if unseen:
        lines.append(f"Feature names unseen at fit time: {listed(unseen, fmt=repr)}")
    if missing:
        lines.append(
            f"Feature names seen at fit time, yet now missing: {listed(missing, fmt=repr)}"
        )
    if not unseen and not missing:
        lines.append(
            "Feature names must be in the same order as they were in fit: pass "
            "X[estimator.feature_names_in_]"
        )
    raise ValueError("\n".join(lines))


def align_labels(labels, index: pd.Index | None, name: str = "labels"):
    """Labels in the row order of X. A Series given with a DataFrame X is
    aligned on X's index (as profile_clusters aligns), so X sorted another
    way still pairs every row with its own label; an index that cannot be
    aligned is refused, naming rows. Anything else is taken by position."""
    if not isinstance(labels, pd.Series):
        if isinstance(labels, pd.Index):
            return labels.to_numpy()
        return labels
    if index is None or labels.index.equals(index):
        return labels.to_numpy()
    if not labels.index.is_unique:
        dup = labels.index[labels.index.duplicated()].unique()
        raise ValueError(
            f"{name} is a Series whose index differs from X's and has repeated labels "
            f"{listed(dup, fmt=repr)}, so it cannot be aligned on X's index; pass "
            f"{name}.to_numpy() to pair labels with rows by position"
        )
    if not index.is_unique:
        raise ValueError(
            f"{name} is a Series whose index differs from X's, and X's index has repeated "
            f"labels, so they cannot be aligned; pass {name}.to_numpy() to pair labels "
            "with rows by position"
        )
    missing = index.difference(labels.index, sort=False)
    if len(missing):
        raise ValueError(
            f"{name} is a Series without a label for {len(missing)} of X's rows "
            f"(index {listed(missing, fmt=repr)}); labels are aligned on X's index: give "
            f"every row a label, or pass {name}.to_numpy() to pair them by position"
        )
    return labels.reindex(index).to_numpy()
