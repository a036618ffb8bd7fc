"""polars, pyarrow and DuckDB input (issue 14, "Inputs people have").

Every entry point is run on the same data as a pandas DataFrame and as a
polars DataFrame, a pyarrow Table, a pyarrow RecordBatch and a DuckDB
relation: the results must equal the pandas results (the reference: the
pandas path, which the rest of the suite checks against scikit-learn,
pymcdm and the papers). Nulls must behave as NaN does in a pandas frame;
text columns, empty tables and objects that only claim the Arrow protocol
must give clear errors.
"""

from __future__ import annotations

import ctypes
import sys

import numpy as np
import pandas as pd
import pytest

import segment
from segment._validation import read_numeric
from segment.datasets import make_contracts

pa = pytest.importorskip("pyarrow", reason="pyarrow (the 'arrow' extra) reads Arrow data")
pl = pytest.importorskip("polars", reason="polars is in the test extra")
duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra")


def _arrow(df: pd.DataFrame):
    return pa.Table.from_pandas(df, preserve_index=False)


def _batch(table):
    table = table.combine_chunks()
    return pa.RecordBatch.from_arrays(
        [c.chunk(0) if c.num_chunks else pa.array([], c.type) for c in table.columns],
        schema=table.schema,
    )


CONVERTERS = {
    "polars": lambda df: pl.from_pandas(df),
    "pyarrow_table": _arrow,
    "pyarrow_batch": lambda df: _batch(_arrow(df)),
    "duckdb": lambda df: duckdb.from_arrow(_arrow(df)),
}


@pytest.fixture(params=list(CONVERTERS))
def to_arrow(request):
    return CONVERTERS[request.param]


@pytest.fixture
def blobs() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 1.0, -2.0], [1.0, 7.0, 3.0]])
    x = np.concatenate([c + rng.normal(size=(60, 3)) for c in centres])
    return pd.DataFrame(x, columns=["recency", "frequency", "monetary"])


@pytest.fixture
def decision() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cost": [250.0, 200.0, 300.0, 275.0, 225.0],
            "storage": [16, 16, 32, 32, 16],
            "camera": [12.0, 8.0, 16.0, 8.0, 16.0],
            "looks": [5.0, 3.0, 4.0, 4.0, 2.0],
        }
    )


# ---------------------------------------------------------------- clustering


def test_kmeans_equals_pandas(blobs, to_arrow):
    expected = segment.kmeans(blobs, 3, random_state=0, n_init=3)
    got = segment.kmeans(to_arrow(blobs), 3, random_state=0, n_init=3)
    pd.testing.assert_series_equal(got.labels, expected.labels)
    pd.testing.assert_frame_equal(got.centers, expected.centers)
    assert got.inertia == expected.inertia
    assert got.n_iter == expected.n_iter


def test_kmeans_estimator_equals_pandas(blobs, to_arrow):
    X = to_arrow(blobs)
    ref = segment.KMeans(3, random_state=0, n_init=3).fit(blobs)
    est = segment.KMeans(3, random_state=0, n_init=3).fit(X)
    np.testing.assert_array_equal(est.labels_, ref.labels_)
    np.testing.assert_array_equal(est.cluster_centers_, ref.cluster_centers_)
    np.testing.assert_array_equal(est.feature_names_in_, ref.feature_names_in_)
    assert list(est.feature_names_in_) == ["recency", "frequency", "monetary"]
    np.testing.assert_array_equal(est.predict(X), ref.predict(blobs))
    np.testing.assert_array_equal(est.transform(X), ref.transform(blobs))
    assert est.score(X) == ref.score(blobs)
    np.testing.assert_array_equal(
        segment.KMeans(3, random_state=0, n_init=3).fit_predict(X), ref.labels_
    )
    # an Arrow X at predict time after a pandas fit is checked by name too
    np.testing.assert_array_equal(ref.predict(X), ref.predict(blobs))


def test_a_one_shot_record_batch_reader_is_read_once(blobs):
    def reader():
        return pa.RecordBatchReader.from_batches(
            _arrow(blobs).schema, _arrow(blobs).to_batches(max_chunksize=50)
        )

    ref = segment.KMeans(3, random_state=0, n_init=2).fit(blobs)
    est = segment.KMeans(3, random_state=0, n_init=2).fit(reader())
    np.testing.assert_array_equal(est.cluster_centers_, ref.cluster_centers_)
    assert list(est.feature_names_in_) == list(blobs.columns)
    # the names are read from the schema, so predict still gets every row
    np.testing.assert_array_equal(est.predict(reader()), ref.predict(blobs))


def test_set_output_polars_on_arrow_input(blobs, to_arrow):
    est = segment.KMeans(3, random_state=0, n_init=2).fit(blobs)
    expected = est.transform(blobs)
    got = est.set_output(transform="polars").transform(to_arrow(blobs))
    assert isinstance(got, pl.DataFrame)
    assert got.columns == ["kmeans0", "kmeans1", "kmeans2"]
    np.testing.assert_array_equal(got.to_numpy(), expected)


def test_kmeans_estimator_refuses_reordered_arrow_columns(blobs, to_arrow):
    est = segment.KMeans(3, random_state=0, n_init=1).fit(to_arrow(blobs))
    with pytest.raises(ValueError, match="same order"):
        est.predict(to_arrow(blobs[["monetary", "recency", "frequency"]]))


def test_float32_table_stays_float32_as_numpy_does(blobs, to_arrow):
    x32 = blobs.astype(np.float32)
    expected = segment.kmeans(x32.to_numpy(), 3, random_state=0, n_init=2)
    got = segment.kmeans(to_arrow(x32), 3, random_state=0, n_init=2)
    assert got.centers.dtypes.unique().tolist() == [np.dtype(np.float32)]
    np.testing.assert_array_equal(got.centers.to_numpy(), expected.centers)
    np.testing.assert_array_equal(got.labels.to_numpy(), expected.labels)
    # one float64 column among float32 ones: float64, as for a numpy array of both
    mixed = x32.assign(monetary=blobs["monetary"])
    assert read_numeric(to_arrow(mixed)).values.dtype == np.float64


def test_metrics_equal_pandas(blobs, to_arrow):
    labels = segment.kmeans(blobs, 3, random_state=0, n_init=2).labels
    X = to_arrow(blobs)
    for score in (
        segment.silhouette_score,
        segment.calinski_harabasz_score,
        segment.davies_bouldin_score,
    ):
        assert score(X, labels) == score(blobs, labels), score.__name__
        assert score(X, labels.to_numpy()) == score(blobs, labels.to_numpy())
    pd.testing.assert_series_equal(
        segment.silhouette_samples(X, labels), segment.silhouette_samples(blobs, labels)
    )


def test_integer_boolean_and_decimal_columns_read_as_numbers(to_arrow):
    df = pd.DataFrame(
        {
            "n": [1, 5, 2, 8, 3, 9],
            "flag": [True, False, True, True, False, False],
            "x": [0.5, 2.5, 1.0, 4.0, 1.5, 4.5],
        }
    )
    ref = read_numeric(df)
    got = read_numeric(to_arrow(df))
    np.testing.assert_array_equal(got.values, ref.values)
    assert got.values.dtype == np.float64
    assert list(got.columns) == ["n", "flag", "x"]
    pd.testing.assert_index_equal(got.index, pd.RangeIndex(6))
    # DuckDB gives 1.5 as DECIMAL(2,1): a number, read as the float 1.5
    rel = duckdb.sql("select 1.5 as a, 2 as b union all select 3.25, 4 order by a")
    np.testing.assert_array_equal(read_numeric(rel).values, [[1.5, 2.0], [3.25, 4.0]])


def test_columns_of_several_chunks_with_nulls_across_them():
    table = pa.table(
        {
            "a": pa.chunked_array([[1.0, 2.0], [None, 4.0, 5.0], [6.0]]),
            "b": pa.chunked_array([[1, None, 3, 4], [5, 6]], pa.int32()),
            "c": pa.chunked_array([[True], [False, None, True, False, True]]),
        }
    )
    expected = [[1, 1, 1], [2, np.nan, 0], [np.nan, 3, np.nan], [4, 4, 1], [5, 5, 0], [6, 6, 1]]
    np.testing.assert_array_equal(read_numeric(table).values, expected)
    np.testing.assert_array_equal(read_numeric(table.combine_chunks()).values, expected)


def test_one_float64_column_is_read_without_a_copy():
    x = np.linspace(0.0, 1.0, 1000)
    m = read_numeric(pa.table({"x": x}))
    assert m.values.shape == (1000, 1)
    assert np.shares_memory(m.values, x)


# ---------------------------------------------------------------- decisions


def test_vikor_and_weights_equal_pandas(decision, to_arrow):
    X = to_arrow(decision)
    types = {"cost": -1, "storage": 1, "camera": 1, "looks": 1}
    for weigh in (
        segment.entropy_weights,
        segment.critic_weights,
        segment.std_weights,
        segment.equal_weights,
    ):
        pd.testing.assert_series_equal(
            weigh(X) if weigh is not segment.critic_weights else weigh(X, types=types),
            weigh(decision)
            if weigh is not segment.critic_weights
            else weigh(decision, types=types),
        )
    w = segment.entropy_weights(decision)
    expected = segment.vikor(decision, w, types=types)
    got = segment.vikor(X, w, types=types)
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame())
    pd.testing.assert_index_equal(got.ranking, expected.ranking)
    pd.testing.assert_series_equal(got.Q, expected.Q)


# ---------------------------------------------------------------- nulls


def test_nulls_are_nan(blobs, to_arrow):
    holed = blobs.copy()
    holed.iloc[[4, 70], 1] = np.nan
    X = to_arrow(holed)
    with pytest.raises(ValueError) as pandas_error:
        segment.kmeans(holed, 3, random_state=0)
    with pytest.raises(ValueError) as arrow_error:
        segment.kmeans(X, 3, random_state=0)
    assert str(arrow_error.value) == str(pandas_error.value)
    assert "[4, 70]" in str(arrow_error.value)
    expected = segment.kmeans(holed, 3, random_state=0, nan_policy="omit")
    got = segment.kmeans(X, 3, random_state=0, nan_policy="omit")
    pd.testing.assert_series_equal(got.labels, expected.labels)
    assert got.labels.iloc[4] == got.labels.iloc[70] == -1


def test_null_in_an_integer_column_is_nan_not_zero():
    table = pa.table({"a": pa.array([1, None, 3], pa.int64()), "b": [1.0, 2.0, 3.0]})
    values = read_numeric(table).values
    assert np.isnan(values[1, 0]) and values[2, 0] == 3.0
    with pytest.raises(ValueError, match=r"rows \[1\]"):
        segment.kmeans(pl.from_arrow(table), 2)


def test_null_in_a_decision_matrix_names_the_cell(decision, to_arrow):
    holed = decision.astype(float)
    holed.loc[2, "camera"] = np.nan
    with pytest.raises(ValueError) as pandas_error:
        segment.entropy_weights(holed)
    with pytest.raises(ValueError) as arrow_error:
        segment.entropy_weights(to_arrow(holed))
    assert str(arrow_error.value) == str(pandas_error.value)
    assert "camera" in str(arrow_error.value)


# ---------------------------------------------------------------- refusals


def test_text_column_is_refused_naming_it(blobs, to_arrow):
    named = blobs.assign(segment_name=["a", "b", "c"] * 60)
    with pytest.raises(TypeError, match="non-numeric columns.*'segment_name'"):
        segment.kmeans(to_arrow(named), 3)
    with pytest.raises(TypeError, match="'segment_name'"):
        segment.silhouette_score(to_arrow(named), np.arange(180) % 3)


def test_date_column_is_refused_naming_it(decision):
    table = _arrow(decision).append_column(
        "launched", pa.array(pd.date_range("2020-01-01", periods=5).date)
    )
    with pytest.raises(TypeError, match="'launched'"):
        segment.vikor(table, [0.25] * 5)


def test_empty_tables_are_refused(to_arrow, blobs):
    with pytest.raises(ValueError, match="0 samples"):
        segment.kmeans(to_arrow(blobs.iloc[:0]), 2)
    with pytest.raises(ValueError, match="0 feature"):
        segment.kmeans(pa.table({}), 2)
    with pytest.raises(ValueError, match="0 feature"):
        segment.kmeans(pl.DataFrame(), 2)


def test_a_polars_series_is_refused_like_a_pandas_series(blobs):
    with pytest.raises(ValueError, match="2-dimensional.*polars Series"):
        segment.kmeans(pl.Series("x", blobs["recency"].to_numpy()), 2)
    with pytest.raises(ValueError, match="2-dimensional"):
        segment.kmeans(pa.chunked_array([blobs["recency"].to_numpy()]), 2)


def _capsule(name: bytes):
    new = ctypes.pythonapi.PyCapsule_New
    new.restype = ctypes.py_object
    new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    return new(1, name, None)


class _Raises:
    def __arrow_c_stream__(self, requested_schema=None):
        raise RuntimeError("the producer broke")


class _Garbage:
    def __arrow_c_stream__(self, requested_schema=None):
        return 42


class _WrongCapsule:
    def __arrow_c_stream__(self, requested_schema=None):
        return _capsule(b"not_an_arrow_stream")


class _ArrayGarbage:
    def __arrow_c_array__(self, requested_schema=None):
        return ("schema", "array")


@pytest.mark.parametrize("odd", [_Raises, _Garbage, _WrongCapsule, _ArrayGarbage])
def test_objects_that_only_claim_the_protocol_give_a_clear_error(odd):
    with pytest.raises(TypeError, match=r"X is a .* that offers Arrow data .*could not be read"):
        segment.kmeans(odd(), 2)
    with pytest.raises(TypeError, match="could not be read"):
        segment.vikor(odd(), [0.5, 0.5])
    with pytest.raises(TypeError, match="contracts is a .*could not be read"):
        segment.load_contracts(odd())
    # the interpreter is still fine afterwards
    assert segment.kmeans(np.eye(3), 2, random_state=0).inertia >= 0


def test_without_pyarrow_the_error_names_the_extra(blobs, monkeypatch):
    X = pl.from_pandas(blobs)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"X is a polars DataFrame.*segment-kit\[arrow\]"):
        segment.kmeans(X, 3)


# ---------------------------------------------------------------- loaders


@pytest.fixture
def contracts() -> pd.DataFrame:
    df = make_contracts(400, random_state=3)
    # a few faults the cleaning must report the same way: a null fee, a negative one,
    # a null date, a duplicated row
    df.loc[5, "monthly_fee"] = np.nan
    df.loc[9, "monthly_fee"] = -3.0
    df.loc[12, "date_installed"] = pd.NaT
    return pd.concat([df, df.iloc[[20]]], ignore_index=True)


def test_load_contracts_equals_pandas(contracts, to_arrow):
    expected, expected_report = segment.load_contracts(contracts, return_report=True)
    source = to_arrow(contracts)
    got, report = segment.load_contracts(source, return_report=True)
    pd.testing.assert_frame_equal(got, expected)
    assert (report.n_read, report.n_kept) == (expected_report.n_read, expected_report.n_kept)
    pd.testing.assert_frame_equal(report.dropped, expected_report.dropped)
    pd.testing.assert_frame_equal(report.issues, expected_report.issues)
    pd.testing.assert_frame_equal(report.to_frame(), expected_report.to_frame())
    assert report.column_map == expected_report.column_map
    assert report.absent_columns == expected_report.absent_columns
    assert {"missing_value", "negative_value", "duplicate_row"} <= set(report.counts.index)
    assert report.source == f"{type(source).__module__.split('.')[0]} {type(source).__name__}"


def test_load_likert_equals_pandas(to_arrow):
    answers = pd.DataFrame(
        {
            "respondent": ["r1", "r2", "r3", "r4"],
            "q1": ["I totally agree", "i agree ", "I have no opinion", None],
            "q2": ["I absolutely disagree", None, "I agree", "I disagree"],
            "q3": [1.0, 5.0, None, 3.0],
        }
    )
    kwargs = {
        "scale": "paper_a",
        "reverse": ["q2"],
        "index_col": "respondent",
        "items": ["q1", "q2"],
    }
    expected = segment.load_likert(answers, **kwargs)
    got = segment.load_likert(to_arrow(answers), **kwargs)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.columns) == ["q1", "q2"]
    numeric = segment.load_likert(to_arrow(answers[["q3"]]), scale=range(1, 6))
    pd.testing.assert_frame_equal(numeric, segment.load_likert(answers[["q3"]], scale=range(1, 6)))
