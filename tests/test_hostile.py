"""Hostile input: every public function and every segment._core entry point.

Given empty arrays, 0-d/3-d arrays, NaN/inf, object or string dtypes, complex
and datetime data, negative or huge n_clusters, mismatched lengths, values so
large that their squares overflow, and non-contiguous or read-only views, a
call raises a clear ValueError/TypeError/MemoryError that names the argument,
or returns a documented result whose numbers are all finite. It never crashes
the interpreter, hangs, returns NaN, or modifies its input.

Direct calls of segment._core with bad arguments run in a subprocess: a crash
there shows up as a failed test instead of killing pytest.

Known bugs are pinned by ``xfail(strict=True)`` tests named in RELIABILITY.md:
when a fix lands they start passing, fail as XPASS, and the marker goes.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import textwrap
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

import segment as sg
from segment import _core
from tests import reference

RNG = np.random.default_rng(2024)
X0 = RNG.random((12, 3))
LAB0 = np.repeat([0, 1, 2], 4)
M0 = RNG.random((5, 3)) + 0.1


def run_python(code: str, timeout: float = 120, env=None) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter (faulthandler on), capturing output."""
    return subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def numeric_outputs(result) -> list[np.ndarray]:
    """Every float-valued piece of a result, as float arrays."""
    out = []

    def visit(obj, depth=0):
        if depth > 3:
            return
        if isinstance(obj, (bool, np.bool_, str)) or obj is None:
            return
        if isinstance(obj, (float, np.floating, int, np.integer)):
            out.append(np.array([float(obj)]))
        elif isinstance(obj, pd.DataFrame):
            num = obj.select_dtypes(include=[np.number])
            if num.size:
                out.append(num.to_numpy(dtype=np.float64))
        elif isinstance(obj, pd.Series):
            if pd.api.types.is_numeric_dtype(obj.dtype) and not pd.api.types.is_bool_dtype(
                obj.dtype
            ):
                out.append(obj.to_numpy(dtype=np.float64))
        elif isinstance(obj, np.ndarray):
            if obj.dtype.kind in "fiu":
                out.append(obj.astype(np.float64))
        elif isinstance(obj, dict):
            for v in obj.values():
                visit(v, depth + 1)
        elif isinstance(obj, (list, tuple)):
            for v in obj:
                visit(v, depth + 1)
        elif dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                visit(getattr(obj, f.name), depth + 1)
        elif hasattr(obj, "cluster_centers_"):  # KMeans, segment.dask.KMeans
            visit([obj.cluster_centers_, obj.inertia_], depth + 1)

    visit(result)
    return out


def assert_all_finite(result, what):
    parts = numeric_outputs(result)
    assert parts, f"{what}: no numeric output found in {type(result).__name__}"
    for p in parts:
        assert np.isfinite(p).all(), f"{what}: non-finite output {p}"


def snapshot(obj):
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return obj.copy(deep=True)
    if isinstance(obj, np.ndarray):
        return obj.copy()
    return None


def assert_unchanged(before, after, what):
    if before is None:
        return
    if isinstance(before, (pd.DataFrame, pd.Series)):
        assert before.equals(after), f"{what}: input was modified"
    else:
        assert before.dtype == after.dtype and before.shape == after.shape
        if before.dtype.kind in "fc":
            np.testing.assert_array_equal(before, after, err_msg=f"{what}: input modified")
        elif before.dtype.kind != "O":
            assert np.array_equal(before, after), f"{what}: input was modified"


# ---------------------------------------------------------------------------
# The public API's data argument
# ---------------------------------------------------------------------------


def _labels_for(a):
    n = len(a) if hasattr(a, "__len__") and not isinstance(a, (str, dict)) else 2
    return np.arange(max(n, 0)) % 2


def _n_criteria(a):
    """Columns of a for vikor_batch's weights; 3 for a ragged list, which
    np.shape refuses (the call must then fail on matrix, not in this harness)."""
    try:
        return np.shape(a)[-1] if np.ndim(a) else 1
    except ValueError:
        return 3


_FITTED = sg.KMeans(2, random_state=0).fit(X0)

# name -> (call, pattern the message must contain: the argument's name)
PUBLIC = {
    "kmeans": (lambda a: sg.kmeans(a, 2, random_state=0), r"\bX\b"),
    "KMeans.fit": (lambda a: sg.KMeans(2, random_state=0).fit(a), r"\bX\b"),
    "KMeans.predict": (lambda a: _FITTED.predict(a), r"\bX\b"),
    "KMeans.transform": (lambda a: _FITTED.transform(a), r"\bX\b"),
    "KMeans.score": (lambda a: _FITTED.score(a), r"\bX\b"),
    "silhouette_samples": (lambda a: sg.silhouette_samples(a, _labels_for(a)), r"\bX\b"),
    "silhouette_score": (lambda a: sg.silhouette_score(a, _labels_for(a)), r"\bX\b"),
    "calinski_harabasz_score": (
        lambda a: sg.calinski_harabasz_score(a, _labels_for(a)),
        r"\bX\b",
    ),
    "davies_bouldin_score": (lambda a: sg.davies_bouldin_score(a, _labels_for(a)), r"\bX\b"),
    "k_sweep": (lambda a: sg.k_sweep(a, k=[2], random_state=0, progress=False), r"\bX\b"),
    "entropy_weights": (sg.entropy_weights, r"\bmatrix\b"),
    "critic_weights": (sg.critic_weights, r"\bmatrix\b"),
    "std_weights": (sg.std_weights, r"\bmatrix\b"),
    "equal_weights": (sg.equal_weights, r"\bmatrix\b"),
    "vikor": (lambda a: sg.vikor(a, "equal"), r"\bmatrix\b"),
    "vikor_sensitivity": (lambda a: sg.vikor_sensitivity(a, "equal"), r"\bmatrix\b"),
    "vikor_batch": (lambda a: sg.vikor_batch(a, np.ones((2, _n_criteria(a)))), r"\bmatrix\b"),
    "vikor_weight_sensitivity": (
        lambda a: sg.vikor_weight_sensitivity(a, "equal", n_samples=20, random_state=0),
        r"\bmatrix\b",
    ),
    "minmax_scale": (sg.minmax_scale, r"\bframe_or_array\b"),
    "cronbach_alpha": (sg.cronbach_alpha, r"\bitems\b"),
    "dask.KMeans.fit": (lambda a: _dask_kmeans().fit(a), r"\bX\b"),
}
CLUSTER = [k for k, (_, pat) in PUBLIC.items() if pat == r"\bX\b"]
DECISION = [k for k, (_, pat) in PUBLIC.items() if pat == r"\bmatrix\b"]

_nan = X0.copy()
_nan[3, 1] = np.nan
_inf = X0.copy()
_inf[5, 2] = -np.inf
_huge = X0.copy()
_huge[:, 0] = [1.7e308, -1.7e308] * 6

_none_cell = X0.tolist()
_none_cell[2][1] = None


def _dask_kmeans():
    sgd = pytest.importorskip("segment.dask")
    return sgd.KMeans(2, random_state=0)


# name -> (value, expected): an exception class, or "finite" for a documented
# result that must come back with finite numbers. One class per fault, the rule
# in segment/_validation.py's docstring: TypeError when the kind of input is
# wrong (no real numbers can be read from it), ValueError when the kind is
# right but the shape or the values are wrong; complex numbers, numbers of the
# wrong domain, are a ValueError as in scikit-learn.
CASES = {
    # the kind: TypeError
    "none": (None, TypeError),
    "string": ("abc", TypeError),
    "scalar_0d": (np.float64(3.0), TypeError),
    "dict": ({"a": [1, 2]}, TypeError),
    "object_strings": (np.array([["a", "b", "c"]] * 4, dtype=object), TypeError),
    "unicode": (np.array([["a", "b", "c"]] * 4), TypeError),
    "complex": (X0 + 1j, ValueError),
    "complex_zero_imag": (X0 + 0j, ValueError),
    "datetime": (np.arange(12).reshape(4, 3).astype("datetime64[D]"), TypeError),
    "timedelta": (np.arange(12).reshape(4, 3).astype("timedelta64[s]"), TypeError),
    "frame_text": (pd.DataFrame({"a": [1.0, 2, 3, 4], "b": list("wxyz")}), TypeError),
    "frame_categorical": (pd.DataFrame({"a": pd.Categorical([1, 2, 3, 4])}), TypeError),
    "frame_datetime": (pd.DataFrame({"a": [1.0, 2, 3, 4],
                                     "b": pd.date_range("2024-01-01", periods=4)}), TypeError),
    "frame_complex": (pd.DataFrame({"a": [1.0, 2, 3, 4], "b": np.arange(4) + 1j}), ValueError),
    # the shape or the values: ValueError
    "ragged_list": ([[1.0, 2.0, 3.0], [1.0]], ValueError),
    "empty_rows": (np.empty((0, 3)), ValueError),
    "no_columns": (np.empty((5, 0)), ValueError),
    "three_d": (np.ones((4, 3, 2)), ValueError),
    "one_d": (np.arange(6.0), ValueError),
    "series": (pd.Series([1.0, 2.0, 3.0, 4.0]), ValueError),
    "nan": (_nan, ValueError),
    "inf": (_inf, ValueError),
    "none_in_list": (_none_cell, ValueError),  # an object cell None reads as NaN
    "huge_magnitude": (_huge, ValueError),
    # numbers of other types are numbers
    "bool": (X0 > 0.5, "finite"),
    "object_numbers": (X0.astype(object), "finite"),
    "int_frame": (pd.DataFrame((X0 * 10).astype(int), columns=list("abc")), "finite"),
}

# Documented results that differ from the defaults above: a function that
# accepts more (never one that raises the other exception class).
OVERRIDES = {
    # equal weights only look at the number of columns
    **{("equal_weights", c): "finite" for c in
       ("empty_rows", "nan", "inf", "none_in_list", "complex", "complex_zero_imag",
        "datetime", "timedelta", "huge_magnitude")},
    # minmax_scale takes 1-D data and Series, and scales the huge column
    ("minmax_scale", "one_d"): "finite",
    ("minmax_scale", "series"): "finite",
    ("minmax_scale", "no_columns"): "any",  # same type and shape as the input
    ("minmax_scale", "huge_magnitude"): "finite",
    # Cronbach's alpha uses pairwise-complete answers by default (NaN = no answer)
    ("cronbach_alpha", "nan"): "finite_alpha",
    ("cronbach_alpha", "bool"): "any",  # alpha of 0/1 answers, whatever it is
    ("cronbach_alpha", "object_numbers"): "finite_alpha",
    ("cronbach_alpha", "int_frame"): "any",
    # a few cells of None leave some pairs of items with too few respondents
    ("cronbach_alpha", "none_in_list"): "finite_alpha",
    # critic / std weights of a column spanning +-1.7e308: finite weights or an error
    ("critic_weights", "huge_magnitude"): "finite_or_raise",
    ("std_weights", "huge_magnitude"): "finite_or_raise",
    # vikor: a documented result for huge values must still be finite
    **{(f, "huge_magnitude"): "finite" for f in
       ("vikor", "vikor_sensitivity", "vikor_batch", "vikor_weight_sensitivity")},
}

KNOWN = {
    # (function, case): "BUG-N reason" pins a known bug as a strict xfail; none is open.
}


def _public_params():
    for fname in PUBLIC:
        for cname in CASES:
            marks = []
            if (fname, cname) in KNOWN:
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN[(fname, cname)])]
            yield pytest.param(fname, cname, id=f"{fname}-{cname}", marks=marks)


@pytest.mark.parametrize("fname, cname", list(_public_params()))
def test_public_function_on_hostile_data(fname, cname):
    call, pattern = PUBLIC[fname]
    value, expected = CASES[cname]
    expected = OVERRIDES.get((fname, cname), expected)
    before = snapshot(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if expected == "finite_or_raise":
            try:
                result = call(value)
            except ValueError as exc:
                assert re.search(pattern, str(exc)) or "criteri" in str(exc), exc
            else:
                assert_all_finite(result, f"{fname}({cname})")
        elif expected == "any":
            call(value)
        elif isinstance(expected, str):
            result = call(value)
            if expected == "finite_alpha":
                assert np.isfinite(result.alpha)
            else:
                assert_all_finite(result, f"{fname}({cname})")
        else:
            with pytest.raises(Exception) as info:  # noqa: PT011 - the class is checked below
                call(value)
            assert type(info.value) is expected, (
                f"{fname}({cname}) raised {type(info.value).__name__}, the rule says "
                f"{expected.__name__}: {info.value}"
            )
            assert re.search(pattern, str(info.value)), (
                f"{fname}({cname}) raised {type(info.value).__name__} not naming "
                f"the argument ({pattern}): {info.value}"
            )
    assert_unchanged(before, value, f"{fname}({cname})")


# ---------------------------------------------------------------------------
# Labels, n_clusters and the other arguments of the clustering API
# ---------------------------------------------------------------------------

BAD_LABELS = [
    ("short", LAB0[:5], ValueError),
    ("two_d", LAB0.reshape(3, 4), ValueError),
    ("nan", np.where(LAB0 == 1, np.nan, LAB0), ValueError),
    ("one_label", np.zeros(12), ValueError),
    ("all_distinct", np.arange(12), ValueError),
    ("none", None, (TypeError, ValueError)),
    ("mixed_types", np.array([1, "a"] * 6, dtype=object), TypeError),
]


@pytest.mark.parametrize("fn", [sg.silhouette_samples, sg.silhouette_score,
                                sg.calinski_harabasz_score, sg.davies_bouldin_score])
@pytest.mark.parametrize("name, labels, exc", BAD_LABELS, ids=[b[0] for b in BAD_LABELS])
def test_bad_labels_name_labels(fn, name, labels, exc):
    with pytest.raises(exc, match=r"labels|distinct"):
        fn(X0, labels)


def test_string_and_huge_integer_labels_are_codes():
    # Any sortable labels work, as codes: the result equals the 0..k-1 version.
    want = sg.silhouette_samples(X0, LAB0)
    for labels in (np.array(["c", "a", "b"])[LAB0], LAB0.astype(np.int64) * 2**40 - 7,
                   LAB0.astype(np.uint8), LAB0.astype(float) + 0.5, pd.Categorical(LAB0)):
        np.testing.assert_array_equal(sg.silhouette_samples(X0, np.asarray(labels)), want)
    np.testing.assert_allclose(want, reference.silhouette(X0, LAB0), rtol=1e-12)


BAD_K = [
    ("zero", 0, ValueError), ("negative", -1, ValueError), ("more_than_rows", 13, ValueError),
    ("int64_max", 2**63 - 1, ValueError), ("beyond_int64", 10**30, ValueError),
    ("float", 2.0, TypeError), ("string", "2", TypeError), ("none", None, TypeError),
    ("bool", True, TypeError), ("numpy_negative", np.int64(-3), ValueError),
]


@pytest.mark.parametrize("name, k, exc", BAD_K, ids=[b[0] for b in BAD_K])
def test_bad_n_clusters(name, k, exc):
    with pytest.raises(exc, match="n_clusters"):
        sg.kmeans(X0, k)
    with pytest.raises(exc, match="n_clusters"):
        sg.KMeans(k).fit(X0)
    with pytest.raises((ValueError, TypeError), match=r"\bk\b|K must"):
        sg.k_sweep(X0, k=[k], progress=False)


BAD_KMEANS_ARGS = [
    ({"sample_weight": np.ones(5)}, ValueError, "sample_weight"),
    ({"sample_weight": np.ones((12, 1))}, ValueError, "sample_weight"),
    ({"sample_weight": np.full(12, np.nan)}, ValueError, "sample_weight"),
    ({"sample_weight": -np.ones(12)}, ValueError, "sample_weight"),
    ({"sample_weight": np.zeros(12)}, ValueError, "sample_weight"),
    ({"sample_weight": np.array(["a"] * 12)}, TypeError, "sample_weight"),
    ({"random_state": -1}, ValueError, "random_state"),
    ({"random_state": 2**32}, ValueError, "random_state"),
    ({"random_state": "seed"}, TypeError, "random_state"),
    ({"random_state": 1.5}, TypeError, "random_state"),
    ({"max_iter": 0}, ValueError, "max_iter"),
    ({"max_iter": 2**31}, ValueError, "max_iter"),
    ({"max_iter": 1.5}, TypeError, "max_iter"),
    ({"tol": -1.0}, ValueError, "tol"),
    ({"tol": float("nan")}, ValueError, "tol"),
    ({"tol": float("inf")}, ValueError, "tol"),
    ({"tol": "0"}, ValueError, "tol"),
    ({"n_init": 0}, ValueError, "n_init"),
    ({"n_init": "many"}, ValueError, "n_init"),
    ({"algorithm": "fast"}, ValueError, "algorithm"),
    ({"init": "kmeans++"}, ValueError, "init"),
    ({"init": np.full((2, 3), np.nan)}, ValueError, "init"),
    ({"init": np.ones((3, 3))}, ValueError, "init"),
    ({"init": np.array([["a"] * 3] * 2)}, TypeError, "init"),
    ({"init": lambda X, k, random_state: np.ones((k, 5))}, ValueError, "init"),
    ({"n_threads": 0}, ValueError, "n_threads"),
    ({"n_threads": -2}, ValueError, "n_threads"),
    ({"n_threads": 1.5}, TypeError, "n_threads"),
    ({"n_threads": "2"}, TypeError, "n_threads"),
    ({"nan_policy": "drop"}, ValueError, "nan_policy"),
]


@pytest.mark.parametrize("kwargs, exc, match", BAD_KMEANS_ARGS,
                         ids=[f"{next(iter(a))}-{i}" for i, (a, _, _) in
                              enumerate(BAD_KMEANS_ARGS)])
def test_bad_kmeans_arguments(kwargs, exc, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=match):
            sg.kmeans(X0, 2, **kwargs)


@pytest.mark.parametrize("fn", [
    lambda nt: sg.silhouette_samples(X0, LAB0, n_threads=nt),
    lambda nt: sg.calinski_harabasz_score(X0, LAB0, n_threads=nt),
    lambda nt: sg.k_sweep(X0, k=[2], n_threads=nt, progress=False, random_state=0)
    .table.drop(columns="seconds"),
    lambda nt: sg.KMeans(2, n_threads=nt, random_state=0).fit(X0),
    lambda nt: sg.vikor_batch(M0, np.ones((2, 3)), n_threads=nt),
    lambda nt: sg.vikor_weight_sensitivity(M0, "equal", n_samples=5, n_threads=nt,
                                           random_state=0),
], ids=["silhouette", "calinski", "k_sweep", "KMeans", "vikor_batch", "weight_sensitivity"])
def test_absurd_thread_counts_are_capped_not_fatal(fn):
    # 100,000 threads made GNU libgomp segfault and 2**31 - 1 abort (BUG-1,
    # fixed in 2d9a02e: the core caps at 4 per CPU); 2**70 overflowed C's int
    # with an OverflowError naming nothing (_validation clamps it). Same answer.
    want = fn(1)
    for nt in (10**5, 2**31 - 1, 2**70):
        got = fn(nt)
        for a, b in zip(numeric_outputs(got), numeric_outputs(want), strict=True):
            np.testing.assert_array_equal(a, b)


def test_huge_values_are_refused_by_the_clustering_api():
    # |x| near the float64 limit: squared distances overflow. silhouette gave
    # NaN, the validity indices 0.0 / inf and kmeans an error about `tol`
    # (BUG-4); the API now names X and the cell.
    X = X0.copy()
    X[7, 1] = -1e200
    for fn in (lambda: sg.kmeans(X, 2), lambda: sg.silhouette_samples(X, LAB0),
               lambda: sg.calinski_harabasz_score(X, LAB0),
               lambda: sg.davies_bouldin_score(X, LAB0),
               lambda: sg.k_sweep(X, k=[2], progress=False)):
        with pytest.raises(ValueError, match=r"X has values too large.*row 7, column 1"):
            fn()
    frame = pd.DataFrame(X, index=[f"r{i}" for i in range(12)])
    with pytest.raises(ValueError, match="row 'r7'"):
        sg.kmeans(frame, 2)
    # with nan_policy="omit" the row is still named by its position in X
    X[2, 0] = np.nan
    with pytest.raises(ValueError, match="row 7, column 1"):
        sg.kmeans(X, 2, nan_policy="omit")
    # large but safe values work, and equal the scaled result
    big = X0 * 1e140
    np.testing.assert_allclose(sg.silhouette_samples(big, LAB0),
                               sg.silhouette_samples(X0, LAB0), rtol=1e-12)


# ---------------------------------------------------------------------------
# The decision API's other arguments
# ---------------------------------------------------------------------------

BAD_DECISION_ARGS = [
    (lambda: sg.vikor(M0, [1, 1]), ValueError, "weights"),
    (lambda: sg.vikor(M0, [1, -1, 1]), ValueError, "weights"),
    (lambda: sg.vikor(M0, [0, 0, 0]), ValueError, "weights"),
    (lambda: sg.vikor(M0, [1, np.nan, 1]), ValueError, "weights"),
    (lambda: sg.vikor(M0, [1e308, 1e308, 1e308]), ValueError, "weights"),
    (lambda: sg.vikor(M0, ["a", "b", "c"]), TypeError, "weights"),
    (lambda: sg.vikor(M0, "magic"), ValueError, "weights"),
    (lambda: sg.vikor(M0, np.ones((2, 3))), ValueError, "weights"),
    (lambda: sg.vikor(M0, "equal", v=1.5), ValueError, r"\bv\b"),
    (lambda: sg.vikor(M0, "equal", v=float("nan")), ValueError, r"\bv\b"),
    (lambda: sg.vikor(M0, "equal", v="0.5"), TypeError, r"\bv\b"),
    (lambda: sg.vikor_sensitivity(M0, "equal", v=[]), ValueError, r"\bv\b"),
    (lambda: sg.vikor_sensitivity(M0, "equal", v=[[0.5]]), ValueError, r"\bv\b"),
    (lambda: sg.vikor(M0, "equal", types=["benefit"]), ValueError, "types"),
    (lambda: sg.vikor(M0, "equal", types="sideways"), ValueError, "types"),
    (lambda: sg.vikor(M0, "equal", types=[1, 0, 1]), ValueError, "types"),
    (lambda: sg.vikor(M0, "equal", ideal=[0, 0, 0]), ValueError, "ideal"),
    (lambda: sg.vikor(M0, "equal", ideal=[np.inf] * 3), ValueError, "ideal"),
    (lambda: sg.vikor(M0, "equal", anti_ideal=[9, 9, 9]), ValueError, "anti_ideal"),
    (lambda: sg.vikor(M0, "equal", ideal=[1, 2]), ValueError, "ideal"),
    (lambda: sg.vikor_batch(M0, np.ones((0, 3))), ValueError, "weights"),
    (lambda: sg.vikor_batch(M0, np.ones((2, 2))), ValueError, "weights"),
    (lambda: sg.vikor_batch(M0, -np.ones((2, 3))), ValueError, "weights"),
    (lambda: sg.vikor_batch(M0, np.zeros((2, 3))), ValueError, "weights"),
    (lambda: sg.vikor_weight_sensitivity(M0, "equal", n_samples=0), ValueError, "n_samples"),
    (lambda: sg.vikor_weight_sensitivity(M0, "equal", n_samples=1.5), TypeError, "n_samples"),
    (lambda: sg.vikor_weight_sensitivity(M0, "equal", concentration=-1), ValueError,
     "concentration"),
    (lambda: sg.vikor_weight_sensitivity(M0, "equal", concentration=np.inf), ValueError,
     "concentration"),
    (lambda: sg.vikor_weight_sensitivity(M0, "equal", concentration="x"), TypeError,
     "concentration"),
    (lambda: sg.vikor_weight_sensitivity(M0, "equal", random_state=-5), ValueError,
     "random_state"),
    (lambda: sg.entropy_weights(np.zeros((3, 2))), ValueError, "constant"),
    (lambda: sg.entropy_weights(-M0), ValueError, "negative"),
]


@pytest.mark.parametrize("call, exc, match", BAD_DECISION_ARGS,
                         ids=[f"case{i}-{m}" for i, (_, _, m) in enumerate(BAD_DECISION_ARGS)])
def test_bad_decision_arguments(call, exc, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=match):
            call()


def test_degenerate_decisions_are_documented_and_finite():
    # constant matrices, duplicate alternatives, a single criterion: defined, never NaN
    for x in (np.ones((4, 3)), np.repeat(M0[:1], 5, axis=0), M0[:, :1],
              np.array([[0.0, 1.0], [0.0, 1.0], [1e-300, 1.0]])):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for res in (sg.vikor(x, np.ones(x.shape[1])),
                        sg.vikor_sensitivity(x, np.ones(x.shape[1])),
                        sg.vikor_weight_sensitivity(x, np.ones(x.shape[1]), n_samples=10,
                                                    random_state=0)):
                assert_all_finite(res, "degenerate vikor")
    assert sg.equal_weights(np.ones((1, 4))).tolist() == [0.25] * 4


# ---------------------------------------------------------------------------
# Other public functions
# ---------------------------------------------------------------------------


def test_loaders_and_tables_refuse_wrong_types():
    with pytest.raises(TypeError, match="votes"):
        sg.tally_votes(np.ones((2, 2)))
    with pytest.raises(TypeError, match="contracts"):
        sg.customer_features(np.ones((2, 2)))
    with pytest.raises(TypeError, match="customers"):
        sg.profile_clusters(np.ones((2, 2)), [0, 1])
    with pytest.raises(ValueError, match="labels"):
        sg.profile_clusters(pd.DataFrame({"a": [1.0, 2.0]}), [0, 1, 2])
    with pytest.raises(TypeError, match="contracts|path"):
        sg.load_contracts(12345)
    with pytest.raises(TypeError, match="answers|path"):
        sg.load_likert(3.5)
    with pytest.raises(ValueError, match="shape"):
        sg.expert_matrix(np.ones((2, 3)))
    with pytest.raises(ValueError, match="infinite"):
        sg.expert_matrix(np.full((2, 2, 2), np.inf))
    with pytest.raises(ValueError, match="expert 0"):
        sg.expert_matrix(np.where(np.eye(2)[None] > 0, np.nan, 1.0).repeat(2, axis=0))
    with pytest.raises(ValueError, match="not a vote"):
        sg.tally_votes(pd.DataFrame({"v1": ["x", "maybe"]}, index=["a", "b"]))
    with pytest.raises(ValueError, match="feature_range"):
        sg.minmax_scale(X0, feature_range=(1, np.nan))


# ---------------------------------------------------------------------------
# Memory layouts: non-contiguous, Fortran, read-only, big-endian, unaligned
# ---------------------------------------------------------------------------


def _views(a: np.ndarray):
    wide = np.repeat(a, 2, axis=1)[:, ::2]  # strided columns
    ro = a.copy()
    ro.flags.writeable = False
    rev = a[::-1][::-1]
    unaligned = np.frombuffer(b"\0" + a.tobytes(), dtype=a.dtype, offset=1).reshape(a.shape)
    return {
        "strided": wide,
        "fortran": np.asfortranarray(a),
        "readonly": ro,
        "reversed_twice": rev,
        "big_endian": a.astype(a.dtype.newbyteorder(">")),
        "unaligned": unaligned,
        "float32_exact": a.astype(np.float32).astype(np.float64),
    }


LAYOUT_CALLS = {
    "kmeans": lambda a: sg.kmeans(a, 3, random_state=1).labels,
    "kmeans_inertia": lambda a: sg.kmeans(a, 3, random_state=1).inertia,
    "silhouette": lambda a: sg.silhouette_samples(a, LAB0),
    "validity": lambda a: (sg.calinski_harabasz_score(a, LAB0), sg.davies_bouldin_score(a, LAB0)),
    "predict": lambda a: _FITTED.predict(a),
    "transform": lambda a: _FITTED.transform(a),
    "entropy": lambda a: sg.entropy_weights(a),
    "vikor_Q": lambda a: sg.vikor(a, [1, 2, 3]).Q,
    "vikor_batch": lambda a: sg.vikor_batch(a, np.ones((2, 3))).Q.to_numpy(),
    "minmax": lambda a: sg.minmax_scale(a),
    "cronbach": lambda a: sg.cronbach_alpha(a).alpha,
}


@pytest.mark.parametrize("name", list(LAYOUT_CALLS))
def test_any_memory_layout_gives_the_same_result_and_is_not_modified(name):
    base = np.round(X0, 3)  # float32-exact values: the float32 view is the same data
    base = np.round(base * 1024) / 1024
    want = LAYOUT_CALLS[name](np.ascontiguousarray(base))
    for vname, view in _views(base).items():
        before = view.copy()
        got = LAYOUT_CALLS[name](view)
        if isinstance(want, tuple):
            assert got == want, vname
        else:
            np.testing.assert_array_equal(np.asarray(got), np.asarray(want), err_msg=vname)
        np.testing.assert_array_equal(view, before, err_msg=f"{vname} modified")


def test_readonly_inputs_everywhere():
    X = X0.copy()
    X.flags.writeable = False
    w = np.ones(12)
    w.flags.writeable = False
    lab = LAB0.copy()
    lab.flags.writeable = False
    sg.kmeans(X, 2, sample_weight=w, random_state=0)
    sg.KMeans(2, random_state=0).fit(X, sample_weight=w).score(X, sample_weight=w)
    sg.silhouette_score(X, lab, sample_size=6, random_state=0)
    sg.k_sweep(X, k=[2, 3], sample_weight=w, random_state=0, progress=False)
    M = M0.copy()
    M.flags.writeable = False
    sg.vikor_weight_sensitivity(M, sg.entropy_weights(M), n_samples=10, random_state=0)
    frame = pd.DataFrame(X0.copy())
    before = frame.copy()
    sg.kmeans(frame, 2, random_state=0)
    sg.minmax_scale(frame)
    pd.testing.assert_frame_equal(frame, before)


# ---------------------------------------------------------------------------
# Memory: a request that cannot fit fails before allocating, naming the size
# ---------------------------------------------------------------------------


def test_oversized_scratch_fails_before_allocating():
    X = np.random.default_rng(0).random((64, 2))
    L = (np.arange(64) % 2).astype(np.int32)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        for k in (2**30, 2**31 - 1):  # 0.5 and 1 TiB of per-cluster sums
            with pytest.raises(MemoryError, match="silhouette"):
                _core.silhouette_samples(X, L, k)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, peak  # nothing of the ~100 GiB request was allocated
    with pytest.raises(MemoryError, match="kmeans_transform"):
        _core.kmeans_transform(np.zeros((2**18, 1)), np.zeros((2**18, 1)))


def test_memory_error_states_the_size_it_needed():
    """BUG-2, fixed: the message used %f, which PyErr_Format does not know."""
    X = np.random.default_rng(0).random((64, 2))
    L = (np.arange(64) % 2).astype(np.int32)
    with pytest.raises(MemoryError, match=r"needs [0-9]+(\.[0-9])? GiB"):
        _core.silhouette_samples(X, L, 2**30)


# ---------------------------------------------------------------------------
# Never a hang: pathological but legal input finishes
# ---------------------------------------------------------------------------


def test_pathological_inputs_finish_quickly():
    t0 = time.perf_counter()
    dup = np.repeat(X0[:2], 50, axis=0)  # 2 distinct points, 100 rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sg.kmeans(dup, 5, random_state=0)  # more clusters than distinct points
        assert set(np.unique(res.labels)) <= set(range(5)) and res.inertia < 1e-25
        res = sg.kmeans(np.zeros((30, 2)), 30, random_state=0, algorithm="hamerly")
        assert res.inertia == 0.0
        s = sg.silhouette_samples(np.zeros((20, 2)), np.arange(20) % 2)
        assert (s == 0).all()
        ties = np.array([[0.0], [1.0], [2.0], [3.0]] * 25)
        res = sg.kmeans(ties, 2, init=np.array([[1.5], [1.5]]), tol=0, max_iter=10**6)
        assert res.converged
    assert time.perf_counter() - t0 < 30


def test_kmeans_with_fewer_distinct_points_than_clusters_converges():
    """BUG-11: the empty clusters were re-seeded from rows sitting on their
    centres on every iteration, so with tol=0 it never converged."""
    proc = run_python(
        """
        import time, warnings, numpy as np, segment as sg
        warnings.simplefilter("ignore")
        dup = np.repeat(np.random.default_rng(0).random((2, 3)), 50, axis=0)
        t0 = time.perf_counter()
        res = sg.kmeans(dup, 5, tol=0, max_iter=20_000, random_state=0)
        print(res.converged, res.n_iter, round(time.perf_counter() - t0, 2))
        """,
        timeout=20,
    )
    converged, n_iter, _seconds = proc.stdout.split()
    assert converged == "True" and int(n_iter) < 100, proc.stdout


def test_k_sweep_refuses_a_huge_k_range_at_once():
    # BUG-8 (fixed): the range was materialised and sorted before validation
    # (range(2, 10**9): minutes and tens of GiB) and every bad K was listed.
    proc = run_python(
        """
        import time, numpy as np, segment as sg
        X = np.random.default_rng(0).random((50, 2))
        t0 = time.perf_counter()
        try:  # range(2, 10**9) would take minutes and tens of GiB
            sg.k_sweep(X, k=range(2, 2 * 10**6), progress=False)
        except Exception as e:
            print(type(e).__name__, len(str(e)), round(time.perf_counter() - t0, 2))
        """,
        timeout=60,
    )
    kind, length, seconds = proc.stdout.split()
    assert kind == "ValueError" and int(length) < 1000 and float(seconds) < 0.2, proc.stdout


# ---------------------------------------------------------------------------
# segment._core, called directly: in a subprocess, every entry point
# ---------------------------------------------------------------------------

CORE_SCRIPT = """
import json, sys, numpy as np, warnings
from segment import _core
warnings.simplefilter("ignore")
rng = np.random.default_rng(0)
X = rng.random((40, 3)); C = X[:4].copy(); L = (np.arange(40) % 4).astype(np.int32)
M = rng.random((5, 3)) + 0.1; W = np.ones((1, 3)); V = np.array([0.5])
N = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0]])
P = np.sqrt(((X[:, None] - X[None]) ** 2).sum(axis=2)); PN = P.copy(); PN[7, 3] = np.nan
cases = json.loads(sys.argv[1])
for name, expr in cases:
    print("START", name, flush=True)
    before = [a.copy() for a in (X, C, L, M, W, V, P)]
    try:
        r = eval(expr)
        print("RESULT", json.dumps([name, "OK", ""]), flush=True)
    except BaseException as e:
        print("RESULT", json.dumps([name, type(e).__name__, str(e)]), flush=True)
    for a, b in zip((X, C, L, M, W, V, P), before):
        assert np.array_equal(a, b), name + " modified its input"
print("DONE", flush=True)
"""

# (name, expression, accepted exception types, pattern naming the argument)
CORE_CASES = {
    "kmeans_plusplus": [
        ("X_none", "_core.kmeans_plusplus(None, 2)", "TypeError", "X"),
        ("X_1d", "_core.kmeans_plusplus(X[:, 0], 2)", "ValueError", "X"),
        ("X_3d", "_core.kmeans_plusplus(X[None], 2)", "ValueError", "X"),
        ("X_0d", "_core.kmeans_plusplus(np.float64(1), 1)", "ValueError", "X"),
        ("X_empty", "_core.kmeans_plusplus(np.zeros((0, 3)), 1)", "ValueError", "X"),
        ("X_no_cols", "_core.kmeans_plusplus(np.zeros((3, 0)), 1)", "ValueError", "X"),
        ("X_nan", "_core.kmeans_plusplus(N, 2)", "ValueError", "X"),
        ("X_str", "_core.kmeans_plusplus(np.array([['a']] * 3), 2)", "TypeError", "X"),
        ("X_obj", "_core.kmeans_plusplus(np.array([[object()]] * 3), 2)", "TypeError", "X"),
        ("X_complex", "_core.kmeans_plusplus(X + 1j, 2)", "ValueError", "X"),
        ("X_datetime", "_core.kmeans_plusplus(np.zeros((3, 1), 'M8[D]'), 2)", "TypeError", "X"),
        ("X_ragged", "_core.kmeans_plusplus([[1.0], [1.0, 2.0]], 1)", "ValueError", "X"),
        ("X_strings", "_core.kmeans_plusplus([['a'], ['b']], 1)", "TypeError", "X"),
        ("k_zero", "_core.kmeans_plusplus(X, 0)", "ValueError", "n_clusters"),
        ("k_negative", "_core.kmeans_plusplus(X, -7)", "ValueError", "n_clusters"),
        ("k_too_big", "_core.kmeans_plusplus(X, 41)", "ValueError", "n_clusters"),
        ("k_huge", "_core.kmeans_plusplus(X, 2**62)", "ValueError", "n_clusters"),
        ("k_beyond_ssize", "_core.kmeans_plusplus(X, 2**63)", "OverflowError", ""),
        ("k_float", "_core.kmeans_plusplus(X, 2.0)", "TypeError", ""),
        ("trials", "_core.kmeans_plusplus(X, 2, n_trials=65)", "ValueError", "n_trials"),
        ("sw_len", "_core.kmeans_plusplus(X, 2, sample_weight=np.ones(3))", "ValueError",
         "sample_weight"),
        ("sw_neg", "_core.kmeans_plusplus(X, 2, sample_weight=-np.ones(40))", "ValueError",
         "sample_weight"),
        ("sw_nan", "_core.kmeans_plusplus(X, 2, sample_weight=np.full(40, np.nan))",
         "ValueError", "sample_weight"),
        ("sw_zero", "_core.kmeans_plusplus(X, 2, sample_weight=np.zeros(40))", "ValueError",
         "sample_weight"),
        ("sw_2d", "_core.kmeans_plusplus(X, 2, sample_weight=np.ones((40, 1)))", "ValueError",
         "sample_weight"),
        ("sw_str", "_core.kmeans_plusplus(X, 2, sample_weight=np.array(['a'] * 40))",
         "TypeError", "sample_weight"),
        ("nt_overflow", "_core.kmeans_plusplus(X, 2, n_threads=2**31)", "OverflowError", ""),
        ("no_args", "_core.kmeans_plusplus()", "TypeError", "X"),
        ("bad_kw", "_core.kmeans_plusplus(X, 2, nope=1)", "TypeError", "nope"),
        ("views_ok", "_core.kmeans_plusplus(np.asfortranarray(X)[::2], 2)", "OK", ""),
        ("broadcast_ok", "_core.kmeans_plusplus(np.broadcast_to(X[:1], (40, 3)), 2)", "OK",
         ""),
    ],
    "kmeans_fit": [
        ("X_3d", "_core.kmeans_fit(X[None], C)", "ValueError", "X"),
        ("X_inf", "_core.kmeans_fit(np.where(X > 0.9, np.inf, X), C)", "ValueError", "X"),
        ("C_none", "_core.kmeans_fit(X, None)", "TypeError", "centers"),
        ("C_1d", "_core.kmeans_fit(X, C[0])", "ValueError", "centers"),
        ("C_cols", "_core.kmeans_fit(X, C[:, :2])", "ValueError", "centers"),
        ("C_empty", "_core.kmeans_fit(X, C[:0])", "ValueError", "centers"),
        ("C_nan", "_core.kmeans_fit(X, np.full((4, 3), np.nan))", "ValueError", "centers"),
        ("C_more_than_n", "_core.kmeans_fit(X[:3], C)", "ValueError", "n_clusters"),
        ("C_str", "_core.kmeans_fit(X, np.array([['a'] * 3] * 4))", "TypeError", "centers"),
        ("max_iter", "_core.kmeans_fit(X, C, max_iter=0)", "ValueError", "max_iter"),
        ("max_iter_neg", "_core.kmeans_fit(X, C, max_iter=-2**31)", "ValueError", "max_iter"),
        ("tol_nan", "_core.kmeans_fit(X, C, tol=float('nan'))", "ValueError", "tol"),
        ("tol_neg", "_core.kmeans_fit(X, C, tol=-1.0)", "ValueError", "tol"),
        ("tol_inf", "_core.kmeans_fit(X, C, tol=float('inf'))", "ValueError", "tol"),
        ("algorithm", "_core.kmeans_fit(X, C, algorithm=2)", "ValueError", "algorithm"),
        ("sw_len", "_core.kmeans_fit(X, C, sample_weight=np.ones(41))", "ValueError",
         "sample_weight"),
        ("ok_int", "_core.kmeans_fit((X * 9).astype(np.int16), (C * 9).astype(np.int8))", "OK",
         ""),
    ],
    "kmeans_predict": [
        ("X_3d", "_core.kmeans_predict(X[None], C)", "ValueError", "X"),
        ("C_cols", "_core.kmeans_predict(X, C[:, :1])", "ValueError", "centers"),
        ("C_inf", "_core.kmeans_predict(X, np.full((4, 3), np.inf))", "ValueError", "centers"),
        ("sw_neg", "_core.kmeans_predict(X, C, sample_weight=-np.ones(40))", "ValueError",
         "sample_weight"),
        ("sw_len", "_core.kmeans_predict(X, C, sample_weight=np.ones(2))", "ValueError",
         "sample_weight"),
        ("ok_readonly", "_core.kmeans_predict(np.lib.stride_tricks.as_strided(X, writeable="
         "False), C)", "OK", ""),
    ],
    "kmeans_mean_variance": [
        ("X_none", "_core.kmeans_mean_variance(None)", "TypeError", "X"),
        ("X_0d", "_core.kmeans_mean_variance(np.float64(1.0))", "ValueError", "X"),
        ("X_3d", "_core.kmeans_mean_variance(X[None])", "ValueError", "X"),
        ("X_empty", "_core.kmeans_mean_variance(np.zeros((0, 3)))", "ValueError", "X"),
        ("X_nan", "_core.kmeans_mean_variance(N)", "ValueError", "X"),
        ("X_str", "_core.kmeans_mean_variance(np.array([['a', 'b']]))", "TypeError", "X"),
        ("overflow", "_core.kmeans_mean_variance(np.array([[1e300], [-1e300]]))", "ValueError",
         "overflow"),
        ("nt_overflow", "_core.kmeans_mean_variance(X, n_threads=2**31)", "OverflowError", ""),
        ("nt_huge", "_core.kmeans_mean_variance(X, n_threads=10**5)", "OK", ""),
        ("views_ok", "_core.kmeans_mean_variance(np.asfortranarray(X)[::3, ::-1])", "OK", ""),
    ],
    "kmeans_transform": [
        ("X_none", "_core.kmeans_transform(None, C)", "TypeError", "X"),
        ("C_empty", "_core.kmeans_transform(X, np.zeros((0, 3)))", "ValueError", "centers"),
        ("C_nan", "_core.kmeans_transform(X, np.full((2, 3), np.nan))", "ValueError",
         "centers"),
        ("too_big", "_core.kmeans_transform(np.zeros((2**20, 1)), np.zeros((2**20, 1)))",
         "MemoryError", "kmeans_transform"),
    ],
    "silhouette_samples": [
        ("X_nan", "_core.silhouette_samples(N, np.array([0, 1, 1], np.int32), 2)",
         "ValueError", "X"),
        ("labels_none", "_core.silhouette_samples(X, None, 4)", "TypeError", "labels"),
        ("labels_len", "_core.silhouette_samples(X, L[:3], 4)", "ValueError", "labels"),
        ("labels_2d", "_core.silhouette_samples(X, L[None], 4)", "ValueError", "labels"),
        ("labels_range", "_core.silhouette_samples(X, L, 3)", "ValueError", "labels"),
        ("labels_neg", "_core.silhouette_samples(X, L - 1, 4)", "ValueError", "labels"),
        ("labels_str", "_core.silhouette_samples(X, np.array(['a'] * 40), 4)", "TypeError",
         "labels"),
        ("one_label", "_core.silhouette_samples(X, np.zeros(40, np.int32), 4)", "ValueError",
         "labels"),
        ("k_zero", "_core.silhouette_samples(X, L, 0)", "ValueError", "n_clusters"),
        ("k_neg", "_core.silhouette_samples(X, L, -1)", "ValueError", "n_clusters"),
        ("k_huge", "_core.silhouette_samples(X, L, 2**30)", "MemoryError", "silhouette"),
        ("k_beyond_int32", "_core.silhouette_samples(X, L, 2**40)", "ValueError", "n_clusters"),
        ("k_overflow", "_core.silhouette_samples(X, L, 2**62)", "ValueError", "n_clusters"),
        ("labels_float", "_core.silhouette_samples(X, L + 0.5, 4)", "TypeError", "labels"),
        ("labels_wrap", "_core.silhouette_samples(X, L.astype(np.int64) + 2**32, 4)",
         "ValueError", "labels"),
        ("metric_unknown", "_core.silhouette_samples(X, L, 4, metric='minkowski')",
         "ValueError", "metric"),
        ("metric_alias", "_core.silhouette_samples(X, L, 4, metric='l1')", "ValueError",
         "metric"),
        ("metric_none", "_core.silhouette_samples(X, L, 4, metric=None)", "ValueError",
         "metric"),
        ("metric_int", "_core.silhouette_samples(X, L, 4, metric=2)", "ValueError", "metric"),
        ("metric_bytes", "_core.silhouette_samples(X, L, 4, metric=b'cosine')", "ValueError",
         "metric"),
        ("metric_nul", "_core.silhouette_samples(X, L, 4, metric='cosine\\0')", "ValueError",
         "metric"),
        ("metric_surrogate", "_core.silhouette_samples(X, L, 4, metric='\\ud800')",
         "ValueError", "metric"),
        ("cosine_overflow", "_core.silhouette_samples(X * 1e160, L, 4, metric='cosine')",
         "ValueError", "overflow"),
        ("ok_cosine_zero", "_core.silhouette_samples(0 * X, L, 4, metric='cosine')", "OK", ""),
        ("ok_metrics", "[_core.silhouette_samples(X, L, 4, metric=m) for m in "
         "('euclidean', 'sqeuclidean', 'manhattan', 'cosine')]", "OK", ""),
    ],
    "silhouette_precomputed": [
        ("D_none", "_core.silhouette_precomputed(None, L, 4)", "TypeError", r"\bD\b"),
        ("D_1d", "_core.silhouette_precomputed(P[0], L, 4)", "ValueError", r"\bD\b"),
        ("D_3d", "_core.silhouette_precomputed(P[None], L, 4)", "ValueError", r"\bD\b"),
        ("D_empty", "_core.silhouette_precomputed(P[:0], L, 4)", "ValueError", r"\bD\b"),
        ("D_str", "_core.silhouette_precomputed(np.array([['a']]), L[:1], 1)", "TypeError",
         r"\bD\b"),
        ("D_complex", "_core.silhouette_precomputed(P + 1j, L, 4)", "ValueError", r"\bD\b"),
        ("D_wide", "_core.silhouette_precomputed(np.zeros((41, 40)), L, 4)", "ValueError",
         "row0"),
        ("D_nan", "_core.silhouette_precomputed(PN, L, 4)", "ValueError", r"rows \[7\]"),
        ("D_inf_diag", "_core.silhouette_precomputed(P + np.diag(np.r_[np.inf, np.zeros(39)]),"
         " L, 4)", "ValueError", r"NaN or infinite values in rows \[0\]"),
        ("D_neg", "_core.silhouette_precomputed(-P, L, 4)", "ValueError", "negative"),
        ("D_diag", "_core.silhouette_precomputed(P + np.eye(40), L, 4)", "ValueError",
         r"diagonal \(rows \[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, \.\.\.\]\)"),
        ("D_overflow", "_core.silhouette_precomputed(np.full((40, 40), 1e308) * (1 - "
         "np.eye(40)), L, 4)", "ValueError", "silhouette"),
        ("labels_len", "_core.silhouette_precomputed(P, L[:39], 4)", "ValueError", "labels"),
        ("labels_range", "_core.silhouette_precomputed(P, L, 3)", "ValueError", "labels"),
        ("labels_none", "_core.silhouette_precomputed(P, None, 4)", "TypeError", "labels"),
        ("one_label", "_core.silhouette_precomputed(P, 0 * L, 4)", "ValueError", "labels"),
        ("k_zero", "_core.silhouette_precomputed(P, L, 0)", "ValueError", "n_clusters"),
        ("k_huge", "_core.silhouette_precomputed(P, L, 2**30)", "MemoryError", "silhouette"),
        ("k_beyond_int32", "_core.silhouette_precomputed(P, L, 2**40)", "ValueError",
         "n_clusters"),
        ("row0_neg", "_core.silhouette_precomputed(P[:5], L, 4, row0=-1)", "ValueError",
         "row0"),
        ("row0_past", "_core.silhouette_precomputed(P[:5], L, 4, row0=36)", "ValueError",
         "row0"),
        ("row0_huge", "_core.silhouette_precomputed(P[:5], L, 4, row0=2**62)", "ValueError",
         "row0"),
        ("row0_overflow", "_core.silhouette_precomputed(P[:5], L, 4, row0=2**64)",
         "OverflowError", ""),
        ("row0_float", "_core.silhouette_precomputed(P[:5], L, 4, row0=1.5)", "TypeError", ""),
        ("diag_tol_nan", "_core.silhouette_precomputed(P, L, 4, diag_tol=float('nan'))",
         "ValueError", "diag_tol"),
        ("diag_tol_neg", "_core.silhouette_precomputed(P, L, 4, diag_tol=-1.0)", "ValueError",
         "diag_tol"),
        ("diag_tol_str", "_core.silhouette_precomputed(P, L, 4, diag_tol='x')", "TypeError", ""),
        ("nt_overflow", "_core.silhouette_precomputed(P, L, 4, n_threads=2**31)",
         "OverflowError", ""),
        ("ok_diag_inf", "_core.silhouette_precomputed(P + np.eye(40), L, 4, "
         "diag_tol=float('inf'))", "OK", ""),
        ("ok_chunk", "_core.silhouette_precomputed(P[35:], L, 4, row0=35)", "OK", ""),
        ("ok_views", "_core.silhouette_precomputed(np.asfortranarray(P).astype(np.float32), "
         "L.astype(np.uint8), 4, n_threads=10**5)", "OK", ""),
    ],
    "cluster_validity": [
        ("X_3d", "_core.cluster_validity(X[None], L, 4)", "ValueError", "X"),
        ("labels_len", "_core.cluster_validity(X, L[:9], 4)", "ValueError", "labels"),
        ("labels_range", "_core.cluster_validity(X, L, 3)", "ValueError", "labels"),
        ("unused_label", "_core.cluster_validity(X, L, 5)", "ValueError", "label"),
        ("k_one", "_core.cluster_validity(X, L, 1)", "ValueError", "n_clusters"),
        ("k_n", "_core.cluster_validity(X, L, 40)", "ValueError", "n_clusters"),
        ("k_huge", "_core.cluster_validity(X, L, 2**62)", "ValueError", "n_clusters"),
        ("two_rows", "_core.cluster_validity(X[:2], L[:2], 2)", "ValueError", "n_clusters"),
    ],
    "entropy_weights": [
        ("x_none", "_core.entropy_weights(None)", "TypeError", "x"),
        ("x_1d", "_core.entropy_weights(M[0])", "ValueError", "x"),
        ("x_one_row", "_core.entropy_weights(M[:1])", "ValueError", "x"),
        ("x_no_cols", "_core.entropy_weights(M[:, :0])", "ValueError", "x"),
        ("x_neg", "_core.entropy_weights(-M)", "ValueError", "x"),
        ("x_nan", "_core.entropy_weights(np.abs(N))", "ValueError", "x"),
        ("x_constant", "_core.entropy_weights(np.ones((3, 2)))", "ValueError", "constant"),
        ("x_complex", "_core.entropy_weights(M + 1j)", "ValueError", "x"),
        ("x_obj", "_core.entropy_weights(M.astype(object))", "TypeError", "x"),
        ("ok_bool", "_core.entropy_weights(np.eye(3, dtype=bool))", "OK", ""),
    ],
    "vikor": [
        ("x_nan", "_core.vikor(N, np.ones((1, 2)), V)", "ValueError", "x"),
        ("w_none", "_core.vikor(M, None, V)", "TypeError", "weights"),
        ("w_1d", "_core.vikor(M, W[0], V)", "ValueError", "weights"),
        ("w_cols", "_core.vikor(M, W[:, :2], V)", "ValueError", "weights"),
        ("w_neg", "_core.vikor(M, -W, V)", "ValueError", "weights"),
        ("w_zero", "_core.vikor(M, 0 * W, V)", "ValueError", "weights"),
        ("w_overflow", "_core.vikor(M, np.full((1, 3), 1e308), V)", "ValueError", "weights"),
        ("v_none", "_core.vikor(M, W, None)", "TypeError", r"\bv\b"),
        ("v_empty", "_core.vikor(M, W, V[:0])", "ValueError", r"\bv\b"),
        ("v_range", "_core.vikor(M, W, V + 1)", "ValueError", r"\bv\b"),
        ("v_nan", "_core.vikor(M, W, V * np.nan)", "ValueError", r"\bv\b"),
        ("types_len", "_core.vikor(M, W, V, types=[1, 1])", "ValueError", "types"),
        ("types_val", "_core.vikor(M, W, V, types=[1, 2, 1])", "ValueError", "types"),
        ("types_str", "_core.vikor(M, W, V, types=['cost'] * 3)", "TypeError", "types"),
        ("ideal_len", "_core.vikor(M, W, V, ideal=np.ones(2))", "ValueError", "ideal"),
        ("ideal_bad", "_core.vikor(M, W, V, ideal=np.zeros(3))", "ValueError", "ideal"),
        ("anti_nan", "_core.vikor(M, W, V, anti_ideal=np.full(3, np.nan))", "ValueError",
         "anti_ideal"),
        ("nt_overflow", "_core.vikor(M, W, V, n_threads=2**31)", "OverflowError", ""),
    ],
    "vikor_weight_sensitivity": [
        ("alpha_2d", "_core.vikor_weight_sensitivity(M, W, 5, 0, V)", "ValueError", "alpha"),
        ("alpha_neg", "_core.vikor_weight_sensitivity(M, -W[0], 5, 0, V)", "ValueError",
         "alpha"),
        ("alpha_zero", "_core.vikor_weight_sensitivity(M, 0 * W[0], 5, 0, V)", "ValueError",
         "alpha"),
        ("n_zero", "_core.vikor_weight_sensitivity(M, W[0], 0, 0, V)", "ValueError",
         "n_samples"),
        ("n_neg", "_core.vikor_weight_sensitivity(M, W[0], -5, 0, V)", "ValueError",
         "n_samples"),
        ("n_huge_weights", "_core.vikor_weight_sensitivity(M, W[0], 2**62, 0, V, "
         "return_weights=True)", "(MemoryError|ValueError)", ""),
        ("seed_neg", "_core.vikor_weight_sensitivity(M, W[0], 5, -1, V)", "OverflowError",
         "seed"),
        ("seed_float", "_core.vikor_weight_sensitivity(M, W[0], 5, 1.5, V)", "TypeError",
         "seed"),
        ("v_range", "_core.vikor_weight_sensitivity(M, W[0], 5, 0, V - 1)", "ValueError",
         r"\bv\b"),
    ],
}


@pytest.mark.parametrize("entry", list(CORE_CASES))
def test_core_entry_point_never_crashes(entry):
    cases = CORE_CASES[entry]
    payload = json.dumps([[name, expr] for name, expr, _, _ in cases])
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", CORE_SCRIPT, payload],
        capture_output=True, text=True, timeout=120,
    )
    started = [line.split(" ", 2)[1] for line in proc.stdout.splitlines()
               if line.startswith("START")]
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("DONE"), (
        f"_core.{entry} crashed (exit {proc.returncode}) during case "
        f"{started[-1] if started else '?'}:\n{proc.stderr[-3000:]}"
    )
    got = {}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            name, kind, msg = json.loads(line[7:])
            got[name] = (kind, msg)
    for name, _expr, kinds, pattern in cases:
        kind, msg = got[name]
        assert re.fullmatch(kinds, kind), f"{entry}/{name}: {kind}: {msg}"
        if pattern:
            assert re.search(pattern, msg), f"{entry}/{name}: message does not name it: {msg}"


@pytest.mark.parametrize("n_threads", [10**5, 2**31 - 1])
@pytest.mark.parametrize("entry", ["kmeans_fit", "silhouette_samples", "silhouette_cosine",
                                   "silhouette_precomputed", "vikor"])
def test_core_survives_absurd_thread_counts(entry, n_threads):
    # BUG-1 (fixed in 2d9a02e, seg_resolve_threads caps at 4 per CPU): GNU
    # libgomp segfaulted at 100,000 threads and aborted at 2**31 - 1.
    call = {
        "kmeans_fit": f"_core.kmeans_fit(X, X[:4].copy(), n_threads={n_threads})",
        "silhouette_samples": "_core.silhouette_samples(X, (np.arange(600) % 4)"
                              f".astype(np.int32), 4, n_threads={n_threads})",
        "silhouette_cosine": "_core.silhouette_samples(X, (np.arange(600) % 4)"
                             f".astype(np.int32), 4, n_threads={n_threads}, metric='cosine')",
        "silhouette_precomputed": "_core.silhouette_precomputed(np.abs(X[:, :1] - X[:, 0]), "
                                  f"np.arange(600) % 4, 4, n_threads={n_threads})",
        "vikor": f"_core.vikor(X[:9], np.ones((4000, 3)), np.array([0.5]), "
                 f"n_threads={n_threads})",
    }[entry]
    proc = run_python(
        f"""
        import numpy as np
        from segment import _core
        X = np.random.default_rng(0).random((600, 3))
        try:
            {call}
            print("returned")
        except (ValueError, MemoryError) as e:
            print("raised", type(e).__name__, e)
        """,
        timeout=120,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr[-500:])
    assert proc.stdout.startswith("returned") or "n_threads" in proc.stdout, proc.stdout


def test_core_refuses_labels_it_would_have_to_truncate():
    # BUG-9 (fixed in 2d9a02e): int64 labels were wrapped to int32 and float
    # labels truncated by a forced cast, silently.
    X = X0
    labels = LAB0.astype(np.int64) + 2**32  # wraps to the valid codes 0, 1, 2
    with pytest.raises((ValueError, TypeError), match="labels"):
        _core.silhouette_samples(X, labels, 3)
    with pytest.raises((ValueError, TypeError), match="labels"):
        _core.cluster_validity(X, LAB0 + 0.7, 3)


def test_core_clustering_never_returns_nan_for_finite_input():
    # BUG-4 (fixed in 2d9a02e): silhouette gave NaN and the validity indices
    # inf for finite X whose squares overflow.
    X = np.array([[1e200, 0.0], [-1e200, 0.0], [0.0, 1.0], [1.0, 1.0]])
    labels = np.array([0, 0, 1, 1], np.int32)
    for call in (lambda: _core.silhouette_samples(X, labels, 2),
                 lambda: _core.cluster_validity(X, labels, 2),
                 lambda: _core.kmeans_fit(X, X[:2].copy())[1:3],
                 lambda: _core.kmeans_transform(X, X[:2].copy())):
        try:
            out = call()
        except ValueError as exc:  # a clear error is the expected answer
            assert "overflow" in str(exc) or "NaN" in str(exc)
        else:
            for o in (out if isinstance(out, tuple) else (out,)):
                assert np.isfinite(np.asarray(o, dtype=float)).all(), out


def test_core_vikor_never_returns_nan_for_finite_input():
    # BUG-5 (fixed): f*_j - f-_j overflowed for a criterion spanning
    # +-1.7e308, D = inf/inf = NaN, and Q came back NaN with SEG_OK.
    x = np.column_stack([[1.7e308, -1.7e308, 0.0, 1.0], [1.0, 2.0, 3.0, 4.0]])
    try:
        out = _core.vikor(x, np.ones((1, 2)), np.array([0.5]))
    except ValueError as exc:
        assert "x" in str(exc)
        return
    for key in ("S", "R", "Q"):
        assert np.isfinite(out[key]).all(), (key, out[key])


def test_weight_sensitivity_tiny_alpha_gives_finite_draws():
    # BUG-15 (fixed, found by the fuzz harness): with every positive alpha
    # below ~1e-306, log(U) / alpha overflowed to -inf for every criterion,
    # the draw was NaN and the counts came from NaN Q.
    for alpha in (np.full(3, 5e-324), np.array([2.2250738585072014e-308, 0.0, 0.0])):
        out = _core.vikor_weight_sensitivity(M0, alpha, 50, 0, np.array([0.5]),
                                             return_weights=True)
        w = out["weights"]
        assert np.isfinite(w).all(), w[:3]
        np.testing.assert_allclose(w.sum(axis=1), 1.0)
    # the public API gets there with a tiny concentration
    shares = sg.vikor_weight_sensitivity(M0, [1.0, 1e-320, 1e-320], n_samples=50,
                                         random_state=0, concentration=1e-310)
    assert shares["rank_1"].iloc[int(np.argmax(M0[:, 0]))] == 1.0  # all weight on criterion 0


def _as_dask(value):
    """The case as a dask collection, or None where dask has no such one."""
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")
    if isinstance(value, pd.DataFrame):
        return dd.from_pandas(value, npartitions=2)
    if isinstance(value, np.ndarray) and value.dtype.kind != "O" and value.ndim:
        return da.from_array(value, chunks=5)
    return None


@pytest.mark.parametrize("cname", list(CASES))
def test_dask_collections_follow_the_same_rule(cname):
    # segment.dask reads a dask array or DataFrame lazily, with the checks of
    # segment._validation: the same exception class as the in-memory case.
    value, expected = CASES[cname]
    lazy = _as_dask(value)
    if lazy is None:
        pytest.skip("no dask collection holds this case")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(expected, str):
            assert_all_finite(_dask_kmeans().fit(lazy), f"dask.KMeans.fit({cname})")
            return
        with pytest.raises(Exception) as info:  # noqa: PT011 - the class is checked below
            _dask_kmeans().fit(lazy)
    assert type(info.value) is expected, f"{cname}: {type(info.value).__name__}: {info.value}"
    assert re.search(r"\bX\b", str(info.value)), f"{cname}: {info.value}"
