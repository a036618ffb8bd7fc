"""Contract tests of the raw decision kernels in segment._core.

A direct call with bad arguments must raise, never crash; any memory layout
and numeric dtype must work; inputs are never modified; failing calls leak
no references.
"""

from __future__ import annotations

import gc
import re
import sys
import threading
import time
import tracemalloc

import numpy as np
import pytest

from segment import _core
from tests import reference
from tests._interrupt import interrupt_child

X = np.array(
    [
        [5.311, 5.689, 3.878, 4.933, 5.089],
        [7.044, 6.833, 7.333, 5.656, 5.933],
        [4.956, 5.589, 3.378, 5.622, 5.178],
        [7.333, 6.900, 7.100, 6.400, 6.822],
        [5.333, 5.444, 4.067, 4.900, 4.778],
        [7.078, 7.422, 7.956, 6.344, 6.611],
        [4.967, 5.667, 5.489, 5.144, 5.222],
        [5.233, 6.100, 3.767, 4.700, 4.889],
        [7.033, 6.489, 7.267, 6.744, 6.867],
    ]
)
W = np.array([[0.155, 0.065, 0.574, 0.091, 0.115]])
V = np.array([0.9, 0.5, 0.1])
ALPHA = 100 * W[0]


def _vikor(x=X, w=W, v=V, **kw):
    return _core.vikor(x, w, v, **kw)


def _sens(x=X, alpha=ALPHA, n=200, seed=1, v=V, **kw):
    return _core.vikor_weight_sensitivity(x, alpha, n, seed, v, **kw)


# --------------------------------------------------------------------------
# Shapes and results
# --------------------------------------------------------------------------


def test_shapes_and_dtypes():
    w, e, d = _core.entropy_weights(X)
    assert w.shape == e.shape == d.shape == (5,) and w.dtype == np.float64
    out = _vikor(w=np.vstack([W, W * 2, np.ones((1, 5))]))
    assert out["S"].shape == out["R"].shape == (3, 9)
    assert out["Q"].shape == out["ranking"].shape == out["compromise"].shape == (3, 3, 9)
    assert out["advantage"].shape == out["stability"].shape == (3, 3)
    assert out["ranking"].dtype == np.intp and out["compromise"].dtype == np.bool_
    assert out["f_star"].shape == out["f_minus"].shape == out["constant"].shape == (5,)
    np.testing.assert_array_equal(out["Q"][0], out["Q"][1])  # weights are normalised
    s = _sens(return_weights=True)
    assert s["rank_counts"].shape == (3, 9, 9) and s["rank_counts"].dtype == np.int64
    assert s["compromise_counts"].shape == (3, 9)
    assert s["weights"].shape == (200, 5)
    assert _sens()["weights"] is None
    tol = _core.mcdm_tolerances()
    assert tol == {"const_rtol": 1e-12, "vikor_tol": 1e-10}
    assert tol["const_rtol"] == reference.CONST_RTOL and tol["vikor_tol"] == reference.VIKOR_TOL


def test_results_match_reference():
    types = np.array([1, -1, 1, 1, -1])
    out = _vikor(types=types)
    for k, v in enumerate(V):
        ref = reference.vikor(X, W[0], v, types)
        np.testing.assert_allclose(out["Q"][0, k], ref["Q"], atol=1e-12)
        np.testing.assert_array_equal(out["ranking"][0, k], ref["ranking"])
        assert np.flatnonzero(out["compromise"][0, k]).tolist() == sorted(ref["compromise"])
    w, e, d = _core.entropy_weights(X)
    rw, re, rd = reference.entropy_weights(X)
    np.testing.assert_allclose(w, rw, rtol=1e-11)
    np.testing.assert_allclose(e, re, atol=1e-14)


def test_ties_keep_input_order():
    """Issue 13: Q equal within vikor_tol rank in input order, not by round-off,
    in both kernels and on any number of threads."""
    x = np.array([[0.2, 0.3, 0.1], [0.1, 0.2, 0.3], [0.3, 0.1, 0.2], [0, 0, 0], [1, 1, 1]])
    want = [4, 0, 1, 2, 3]
    for nt in (1, 2):
        out = _vikor(x, np.ones((1500, 3)), V, n_threads=nt)
        assert (out["ranking"] == want).all()
        q = out["Q"][0, 0]
        assert q[1] != q[0] and abs(q[1] - q[0]) <= reference.VIKOR_TOL  # a round-off tie
        np.testing.assert_array_equal(out["ranking"][0, 0], reference.tie_order(q))
        sens = _sens(x, np.full(3, 1e32), 100, 3, V, n_threads=nt)
        for k in range(len(V)):
            assert (sens["rank_counts"][k][want, range(5)] == 100).all()


def test_sampled_weights_are_dirichlet():
    s = _sens(n=20000, v=np.array([0.5]), return_weights=True, n_threads=2)
    draws = s["weights"]
    np.testing.assert_allclose(draws.sum(axis=1), 1.0, atol=1e-14)
    mean = ALPHA / ALPHA.sum()
    var = mean * (1 - mean) / (ALPHA.sum() + 1)
    assert np.all(np.abs(draws.mean(axis=0) - mean) < 5 * np.sqrt(var / 20000))
    np.testing.assert_allclose(draws.var(axis=0, ddof=1) / var, 1.0, atol=0.06)
    # Same seed, any thread count: the same draws and counts.
    one = _sens(n=5000, return_weights=True, n_threads=1, seed=9)
    two = _sens(n=5000, return_weights=True, n_threads=2, seed=9)
    for key in ("rank_counts", "compromise_counts", "weights"):
        np.testing.assert_array_equal(one[key], two[key])
    # A zero alpha keeps its weight at exactly 0; tiny alpha never gives NaN.
    alpha = np.array([0.0, 1e-3, 1e-3, 0.0, 2e-3])
    z = _sens(alpha=alpha, n=2000, return_weights=True)["weights"]
    assert np.all(z[:, [0, 3]] == 0.0) and np.isfinite(z).all()
    # The counts are what per-draw VIKOR calls give.
    small = _sens(n=50, seed=4, return_weights=True)
    per_draw = _vikor(w=small["weights"])
    counts = np.zeros((3, 9, 9), dtype=np.int64)
    for b in range(50):
        for k in range(3):
            counts[k, per_draw["ranking"][b, k], np.arange(9)] += 1
    np.testing.assert_array_equal(counts, small["rank_counts"])
    np.testing.assert_array_equal(per_draw["compromise"].sum(axis=0), small["compromise_counts"])


def test_seed_range():
    _sens(seed=0)
    _sens(seed=2**64 - 1)
    with pytest.raises(OverflowError):
        _sens(seed=-1)
    with pytest.raises(OverflowError):
        _sens(seed=2**64)
    with pytest.raises(TypeError):
        _sens(seed=1.5)


# --------------------------------------------------------------------------
# Layouts and dtypes
# --------------------------------------------------------------------------


def test_non_contiguous_and_integer_input():
    ints = np.array([[3, 1, 4], [1, 5, 9], [2, 6, 5], [3, 5, 8]])
    flt = ints.astype(np.float64)
    w = np.array([[1.0, 2.0, 3.0]])
    base = _vikor(flt, w, V)
    for x in (
        ints,
        np.asfortranarray(flt),
        np.repeat(flt, 2, axis=1)[:, ::2],
        flt.astype(np.float32),
    ):
        out = _vikor(x, w, V)
        np.testing.assert_array_equal(out["Q"], base["Q"])
    np.testing.assert_array_equal(_vikor(flt, w.astype(int), V)["Q"], base["Q"])
    np.testing.assert_array_equal(
        _vikor(flt, np.repeat(w, 2, axis=1)[:, ::2], V[::-1][::-1])["Q"], base["Q"]
    )
    np.testing.assert_array_equal(_vikor(flt, w, V, types=[1, 1, 1])["Q"], base["Q"])
    np.testing.assert_array_equal(_vikor(flt, w, V, types=(1.0, 1.0, 1.0))["Q"], base["Q"])
    np.testing.assert_array_equal(
        _core.entropy_weights(ints)[0], _core.entropy_weights(np.asfortranarray(flt))[0]
    )
    flags = np.array([[True, False], [True, True], [False, True]])
    np.testing.assert_array_equal(
        _core.entropy_weights(flags)[0], _core.entropy_weights(flags.astype(float))[0]
    )
    assert _vikor([[1, 2], [3, 4]], [[1, 1]], [0.5])["Q"].shape == (1, 1, 2)


def test_inputs_never_modified():
    x, w, v, a = X.copy(), W.copy(), V.copy(), ALPHA.copy()
    types, hi, lo = np.array([1, -1, 1, 1, 1]), np.full(5, 9.0), np.full(5, 1.0)
    hi[1], lo[1] = 1.0, 9.0
    saved = [t.copy() for t in (x, w, v, a, types, hi, lo)]
    _core.entropy_weights(x)
    _core.vikor(x, w, v, types=types, ideal=hi, anti_ideal=lo)
    _core.vikor_weight_sensitivity(x, a, 100, 3, v, types=types, ideal=hi, anti_ideal=lo)
    for before, after in zip(saved, (x, w, v, a, types, hi, lo), strict=True):
        np.testing.assert_array_equal(before, after)


# --------------------------------------------------------------------------
# Bad arguments raise
# --------------------------------------------------------------------------

BAD_X = [
    (np.ones(5), "2-dimensional"),
    (np.ones((2, 2, 2)), "2-dimensional"),
    (np.ones((1, 5)), "at least 2 rows"),
    (np.ones((3, 0)), "at least 2 rows"),
    (np.array([[1.0, np.nan], [2.0, 3.0]]), r"x\[0, 1\] is nan"),
    (np.array([[1.0, 2.0], [np.inf, 3.0]]), r"x\[1, 0\] is inf"),
]


@pytest.mark.parametrize("x,match", BAD_X)
def test_bad_matrix(x, match):
    with pytest.raises(ValueError, match=match):
        _core.entropy_weights(x)
    with pytest.raises(ValueError, match=match):
        _core.vikor(x, np.ones((1, x.shape[-1] if x.ndim == 2 else 5)), V)
    with pytest.raises(ValueError, match=match):
        _core.vikor_weight_sensitivity(x, np.ones(x.shape[-1] if x.ndim == 2 else 5), 10, 1, V)


def test_bad_types_of_arguments():
    for bad in (None, "abc", [["a", "b"], ["c", "d"]]):
        with pytest.raises(TypeError):
            _core.entropy_weights(bad)
    with pytest.raises(ValueError, match="Complex data not supported"):  # as scikit-learn
        _core.entropy_weights(np.array([[1 + 2j, 1], [1, 1]]))
    with pytest.raises(TypeError):
        _core.vikor(X, None, V)
    with pytest.raises(TypeError):
        _core.vikor(X, W, None)
    with pytest.raises(TypeError):
        _core.vikor(X)


def test_entropy_specific_errors():
    with pytest.raises(ValueError, match=r"x\[1, 0\] is -1.0; x must be finite and >= 0"):
        _core.entropy_weights(np.array([[1.0, 2.0], [-1.0, 3.0]]))
    with pytest.raises(ValueError, match="every column of x is constant"):
        _core.entropy_weights(np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]))


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"w": np.ones(5)}, ValueError, "2-dimensional"),
        ({"w": np.ones((1, 4))}, ValueError, "must have 5 columns"),
        ({"w": np.ones((0, 5))}, ValueError, "at least one row"),
        ({"w": -W}, ValueError, r"row 0, column 0 is -0.155"),
        ({"w": np.zeros((1, 5))}, ValueError, "row 0 must have a positive"),
        ({"w": np.array([[1, np.nan, 1, 1, 1]])}, ValueError, "column 1 is nan"),
        ({"w": np.full((1, 5), 1e308)}, ValueError, "finite sum"),
        ({"v": np.array([[0.5]])}, ValueError, "v must be 1-dimensional"),
        ({"v": np.array([])}, ValueError, "at least one value"),
        ({"v": np.array([0.5, 1.5])}, ValueError, r"v\[1\] is 1.5"),
        ({"v": np.array([np.nan])}, ValueError, "v must lie in"),
        ({"types": [1, 1, 0, 1, 1]}, ValueError, r"types\[2\] must be 1"),
        ({"types": [1, 1, 1.5, 1, 1]}, ValueError, r"types\[2\]"),
        ({"types": [1, 1, 1]}, ValueError, "types has length 3"),
        ({"types": [[1, 1, 1, 1, 1]]}, ValueError, "1-dimensional"),
        ({"ideal": np.ones(4)}, ValueError, "ideal has length 4"),
        ({"ideal": np.full(5, np.nan)}, ValueError, "ideal contains NaN"),
        ({"ideal": np.full(5, 7.5)}, ValueError, r"ideal\[2\] is 7.5 but x\[5, 2\] is better"),
        ({"anti_ideal": np.full(5, 5.0)}, ValueError, r"anti_ideal\[2\] is 5.0 but x\[0, 2\] is w"),
    ],
)
def test_bad_vikor_arguments(kwargs, exc, match):
    w, v = kwargs.pop("w", W), kwargs.pop("v", V)
    with pytest.raises(exc, match=match):
        _core.vikor(X, w, v, **kwargs)
    if w is W:  # the same validation guards the sampler
        with pytest.raises(exc, match=match):
            _core.vikor_weight_sensitivity(X, ALPHA, 10, 1, v, **kwargs)


def test_bad_sampler_arguments():
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        _sens(n=0)
    with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
        _sens(alpha=-ALPHA)
    with pytest.raises(ValueError, match="positive, finite sum"):
        _sens(alpha=np.zeros(5))
    with pytest.raises(ValueError, match="2-dimensional|1-dimensional"):
        _sens(alpha=ALPHA[None, :])
    with pytest.raises((MemoryError, ValueError)):
        _sens(n=2**62, return_weights=True)


def test_oversized_requests_fail_before_allocating():
    # BUG-10 (fixed): the outputs of vikor (B weight vectors x V values of v x
    # m alternatives) and of the sensitivity were allocated without a check
    # against physical memory; a broadcast view of 10**12 weight vectors costs
    # nothing to pass, but its conversion would copy it. Now MemoryError names
    # the size before anything is allocated or copied.
    big_x = np.zeros((10**6, 2)) + np.arange(2.0)  # 16 MB: 10**6 alternatives
    w_view = np.broadcast_to(W, (10**12, 5))
    v_view = np.broadcast_to(0.5, (10**12,))
    calls = [
        (lambda: _vikor(w=w_view), r"10+ weight vectors x 3 values of v x 9 alternatives"),
        (lambda: _vikor(w=w_view.T.T[:, ::-1]), r"10+ weight vectors"),  # a strided view too
        (lambda: _vikor(v=v_view), r"1 weight vectors x 10+ values of v"),
        (lambda: _sens(n=10**12, return_weights=True), r"returning 10+ weight vectors"),
        (lambda: _sens(v=v_view), r"9 alternatives x 10+ values of v"),
        (lambda: _sens(x=big_x, alpha=np.ones(2)), r"1000000 alternatives x 3 values of v"),
    ]
    tracemalloc.start()
    try:
        for call, what in calls:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            t0 = time.perf_counter()
            with pytest.raises(MemoryError, match=r"needs [0-9]+(\.[0-9])? GiB") as info:
                call()
            elapsed = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1] - base
            assert re.search(what, str(info.value)), str(info.value)
            assert peak < 1 << 20, (str(info.value), peak)  # nothing of it was allocated
            assert elapsed < 2.0, (str(info.value), elapsed)
    finally:
        tracemalloc.stop()
    with pytest.raises(MemoryError, match="overflows"):
        _vikor(w=np.broadcast_to(W, (2**57, 5)))
    # sizes that fit still work, from views as from arrays
    out = _vikor(w=np.broadcast_to(W, (4, 5)), v=np.broadcast_to(0.5, (2,)))
    np.testing.assert_array_equal(out["Q"], _vikor(w=np.repeat(W, 4, axis=0), v=[0.5, 0.5])["Q"])


def test_refcounts_stable_across_failing_calls():
    x, w, v, a = X.copy(), W.copy(), V.copy(), ALPHA.copy()
    bad_w = -w
    objs = (x, w, v, a, bad_w)
    before = [sys.getrefcount(o) for o in objs]
    for _ in range(200):
        with pytest.raises(ValueError):
            _core.vikor(x, bad_w, v)
        with pytest.raises(ValueError):
            _core.vikor(x, w, v, ideal=np.zeros(5))
        with pytest.raises(ValueError):
            _core.vikor_weight_sensitivity(x, -a, 10, 1, v)
        with pytest.raises(ValueError):
            _core.entropy_weights(-x)
    gc.collect()
    assert [sys.getrefcount(o) for o in objs] == before


def test_no_leak_over_many_calls():
    def run():
        _core.vikor(X, W, V)
        _core.vikor_weight_sensitivity(X, ALPHA, 20, 1, V, return_weights=True)
        _core.entropy_weights(X)
        try:
            _core.vikor(X, -W, V)
        except ValueError:
            pass

    for _ in range(50):
        run()
    tracemalloc.start()
    gc.collect()
    start = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):
        run()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    assert grown < 16 * 1024, grown  # a leaked float per call would be 24 kB


# --------------------------------------------------------------------------
# Ctrl-C and the GIL
# --------------------------------------------------------------------------

CHILD = """
import sys, time, numpy as np
from segment import _core
x = np.random.default_rng(0).random((50, 8))
print("ready", flush=True)
t0 = time.perf_counter()
try:
    _core.vikor_weight_sensitivity(x, np.ones(8), 10**9, 1, np.array([0.5]))
    print("finished", flush=True)
except KeyboardInterrupt:
    print(f"interrupted {time.perf_counter() - t0:.3f}", flush=True)
print("next", _core.vikor(x[:3, :2], np.ones((1, 2)), np.array([0.5]))["Q"].shape, flush=True)
"""


def test_ctrl_c_stops_the_sampler():
    line, latency, rest, err, _ = interrupt_child(CHILD, wait=0.5)
    assert line.startswith("interrupted"), (line, err)
    assert latency < 1.0, latency
    assert rest.strip() == "next (1, 1, 3)", (rest, err)


def test_gil_is_released_while_sampling():
    x = np.random.default_rng(0).random((40, 6))
    ticks = []
    done = threading.Event()

    def work():
        _core.vikor_weight_sensitivity(x, np.ones(6), 200_000, 1, np.array([0.5]), n_threads=1)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks.append(1)
        done.wait(0.005)
    t.join()
    assert len(ticks) >= 5  # the main thread ran while the kernel worked
