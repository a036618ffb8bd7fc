"""Leaks: every public function and segment._core entry point, called many
times on its success and its error paths, leaves memory and refcounts flat.

Each case runs a warm-up, then two equal rounds of calls. A leak grows memory
linearly, so the *second* round must not grow tracemalloc's traced memory
(Python objects, NumPy buffers and the glue's PyMem_RawMalloc scratch are all
traced) by more than a few bytes per call, nor the resident set size (which
also sees plain malloc in the C core or libgomp) by more than a page budget.
The inputs are sized so that one leaked scratch buffer per call would blow
either budget by orders of magnitude. Refcounts of the inputs, of None/True/
False and of the dtypes the glue converts to must not move at all.
"""

from __future__ import annotations

import gc
import os
import sys
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

import segment as sg
from segment import _core
from segment.datasets import load_iot_experts, load_paper_b_votes, make_contracts

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/statm"),
    reason="RSS is read from /proc/self/statm (Linux only)",
)

RNG = np.random.default_rng(7)
X = RNG.random((2000, 4))  # silhouette scratch ~ 2000 * (k + d) doubles: ~100 kB a call
LAB = (np.arange(2000) % 3).astype(np.int32)
C = X[:3].copy()
XN = X.copy()
XN[5, 1] = np.nan
M = load_iot_experts().matrix
MV = M.to_numpy()
W = np.ones((1, 5))
V = np.array([0.9, 0.5, 0.1])
RAW = make_contracts(12, random_state=3)
RAW_BAD = RAW.assign(date_installed=["not a date"] * 12)
CONTRACTS = sg.load_contracts(RAW)
CUSTOMERS = sg.customer_features(CONTRACTS, as_of="2022-07-12")
VOTES = load_paper_b_votes()
LIKERT = pd.DataFrame({"q1": ["I agree", "I disagree", "I totally agree"] * 4,
                       "q2": ["I agree"] * 11 + ["I disagree"]})
KM = sg.KMeans(3, random_state=0, n_threads=1).fit(X[:300])
X32 = X.astype(np.float32)
X_BIG = X * 1e39  # beyond float32's range: dtype=float32 refuses it
SWEEP = sg.k_sweep(X[:200], k=[2, 3], random_state=0, n_threads=1, progress=False)
CANDIDATES = sg.most_valuable(SWEEP, pd.DataFrame({"gross_revenue": X[:200, 0]}))
PROFILE_LABELS = np.arange(len(CUSTOMERS)) % 2


# Arguments are built once: building them inside the loop would show NumPy's
# own reference drift on the builtin float64 dtype (np.ones/np.zeros add one
# per call; harmless, those dtypes are never freed), not the glue's.
ONES40 = np.ones(2000)
NEG_SW = -ONES40
ZERO_LAB = np.zeros(2000, np.int32)
BIG = np.zeros((2**20, 1))
ONES32 = np.ones((3, 2))
X32N = XN.astype(np.float32)
C_BEYOND_F32 = C * 1e39
ALPHA = np.ones(5)
NEG_ALPHA = -ALPHA
DIST = np.sqrt(((X[:300, None] - X[None, :300]) ** 2).sum(axis=2))  # 300 x 300
DIST_DIAG = DIST + np.eye(300)
DIST_NEG = -DIST
COSINE = "cosine"


def _chebyshev(a, b):  # a callable metric
    return float(np.abs(a - b).max())
ZEROS5 = np.zeros(5)
V_BAD = V + 1
W4 = np.ones((4, 5))
MM = np.stack([MV, MV + 1])


def frozen(frame):
    """The parts of a frame, to rebuild it anew for every call (see fresh)."""
    cols = {c: frame[c].to_numpy(copy=True) for c in frame.columns}
    return cols, frame.index.to_numpy(copy=True), frame.index.name, frame.dtypes.to_dict(), \
        dict(frame.attrs)


def fresh(parts):
    """A new frame per call, sharing nothing with any long-lived frame. pandas
    (copy-on-write) records a weak reference on a frame, and on its index, each
    time a view is taken from them, and prunes the dead ones only every ~500
    views: a bounded sawtooth, not a leak, but it would hide one."""
    cols, index, name, dtypes, attrs = parts
    out = pd.DataFrame({c: v.copy() for c, v in cols.items()},
                       index=pd.Index(index.copy(), name=name)).astype(dtypes)
    out.attrs = dict(attrs)
    return out


HUGE_SPAN = np.array([[1e300], [-1e300]])
F_RAW, F_RAW_BAD, F_CONTRACTS, F_CUSTOMERS, F_CANDIDATES, F_VOTES, F_LIKERT = (
    frozen(f) for f in (RAW, RAW_BAD, CONTRACTS, CUSTOMERS, CANDIDATES, VOTES, LIKERT))


def expect(exc, fn, *args, **kwargs):
    """Call fn expecting exc (the error path)."""
    try:
        fn(*args, **kwargs)
    except exc:
        return
    raise AssertionError(f"{fn} did not raise {exc}")


# A sparse X for the sparse kernels: (indptr, indices, data, n, d) arrays
# of a CSR matrix with 2000 x 6 entries about a third stored, no scipy.
_SP_DENSE = np.where(RNG.random((2000, 6)) < 0.35, RNG.random((2000, 6)), 0.0)
_SP_ROWS, _SP_COLS = np.nonzero(_SP_DENSE)
XS = (np.concatenate([[0], np.cumsum(np.bincount(_SP_ROWS, minlength=2000))]).astype(np.int64),
      _SP_COLS.astype(np.int32), _SP_DENSE[_SP_ROWS, _SP_COLS], 2000, 6)
XS_BAD = (XS[0][::-1].copy(), *XS[1:])  # decreasing indptr
XS_DUP = (XS[0], np.zeros_like(XS[1]), *XS[2:])  # column 0 stored many times per row
CS = _SP_DENSE[:3].copy()
SEEDS = np.array([1, 2], dtype=np.uint64)

# name -> (call, calls per round). Cheap kernels run thousands of times; the
# pandas-heavy functions (milliseconds each) hundreds, enough to see a linear
# growth of a few bytes per call.
CASES = {
    # ---- segment._core, success and error paths (errors after allocation too)
    "_core.kmeans_plusplus": (lambda: (_core.kmeans_plusplus(X, 3, seed=1, n_threads=1),
                                       expect(ValueError, _core.kmeans_plusplus, XN, 3,
                                              n_threads=1)), 2000),
    "_core.kmeans_fit": (lambda: (_core.kmeans_fit(X[:500], C, max_iter=3, n_threads=1),
                                  expect(ValueError, _core.kmeans_fit, X, C, max_iter=0),
                                  expect(ValueError, _core.kmeans_fit, X, C,
                                         sample_weight=NEG_SW)), 2000),
    "_core.kmeans_predict": (lambda: (_core.kmeans_predict(X, C, n_threads=1),
                                      expect(ValueError, _core.kmeans_predict, X, C[:, :2])),
                             3000),
    "_core.kmeans_mean_variance": (lambda: (
        _core.kmeans_mean_variance(X, n_threads=1),
        # overflow is found after the scratch is allocated: the done: label must free it
        expect(ValueError, _core.kmeans_mean_variance, HUGE_SPAN)), 3000),
    "_core.kmeans_transform": (lambda: (_core.kmeans_transform(X, C, n_threads=1),
                                        expect(MemoryError, _core.kmeans_transform, BIG, BIG)),
                               3000),
    # the float32 kernels (a float32 X): success, the glue's NaN check, and C
    # errors after the scratch is allocated (Hamerly refused, a centre beyond
    # float32's range)
    "_core.kmeans_f32": (lambda: (
        _core.kmeans_fit_runs(X32, 3, seeds=SEEDS, max_iter=3, n_threads=1),
        _core.kmeans_plusplus(X32, 3, seed=1, n_threads=1),
        _core.kmeans_predict(X32, C, n_threads=1),
        _core.kmeans_transform(X32, C, n_threads=1),
        _core.kmeans_mean_variance(X32, n_threads=1),
        expect(ValueError, _core.kmeans_fit_runs, X32N, 3, seeds=SEEDS),
        expect(ValueError, _core.kmeans_fit, X32, C, algorithm=1),
        expect(ValueError, _core.kmeans_predict, X32, C_BEYOND_F32)), 500),
    "_core.sparse_kmeans_fit_runs": (lambda: (
        _core.sparse_kmeans_fit_runs(XS, 3, seeds=SEEDS, max_iter=3, n_threads=1),
        expect(ValueError, _core.sparse_kmeans_fit_runs, XS_BAD, 3, seeds=SEEDS),
        expect(ValueError, _core.sparse_kmeans_fit_runs, XS, 3, seeds=SEEDS,
               sample_weight=NEG_SW)), 1000),
    "_core.sparse_kmeans_plusplus": (lambda: (
        _core.sparse_kmeans_plusplus(XS, 3, seed=1, n_threads=1),
        expect(ValueError, _core.sparse_kmeans_plusplus, XS_DUP, 3)), 2000),
    "_core.sparse_kmeans_predict": (lambda: (
        _core.sparse_kmeans_predict(XS, CS, n_threads=1),
        expect(ValueError, _core.sparse_kmeans_predict, XS, CS[:, :2])), 3000),
    "_core.sparse_kmeans_transform": (lambda: (
        _core.sparse_kmeans_transform(XS, CS, n_threads=1),
        expect(ValueError, _core.sparse_kmeans_transform, XS_BAD, CS)), 3000),
    "_core.sparse_mean_variance": (lambda: (
        _core.sparse_mean_variance(XS, n_threads=1),
        expect(ValueError, _core.sparse_mean_variance, XS_DUP)), 3000),
    "_core.sparse_silhouette_samples": (lambda: (
        _core.sparse_silhouette_samples(XS, LAB, 3, n_threads=1),
        # degenerate after the scratch is allocated: the done: label must free it
        expect(ValueError, _core.sparse_silhouette_samples, XS, ZERO_LAB, 3, n_threads=1)),
        200),
    "_core.silhouette_samples": (lambda: (
        _core.silhouette_samples(X[:300], LAB[:300], 3, n_threads=1),
        # degenerate after the scratch is allocated: the done: label must free it
        expect(ValueError, _core.silhouette_samples, X, ZERO_LAB, 3, n_threads=1),
        expect(MemoryError, _core.silhouette_samples, X, LAB, 2**30),
        expect(ValueError, _core.silhouette_samples, X, LAB, 2)), 2000),
    "_core.silhouette_samples(metric=)": (lambda: (
        _core.silhouette_samples(X[:300], LAB[:300], 3, n_threads=1, metric=COSINE),
        _core.silhouette_samples(X[:300], LAB[:300], 3, n_threads=1, metric="manhattan"),
        expect(ValueError, _core.silhouette_samples, X, LAB, 3, metric="minkowski"),
        expect(ValueError, _core.silhouette_samples, X, LAB, 3, metric=ALPHA)), 2000),
    "_core.silhouette_scores": (lambda: (
        _core.silhouette_scores(X[:300], np.stack([LAB[:300], LAB[:300] % 2]), [3, 2],
                                n_threads=1, progress=abs),
        # degenerate after the scratch is allocated: the glue must free it
        expect(ValueError, _core.silhouette_scores, X, np.stack([LAB, ZERO_LAB]), [3, 3],
               n_threads=1),
        expect(MemoryError, _core.silhouette_scores, X, np.stack([LAB]), [2**30]),
        expect(ValueError, _core.silhouette_scores, X, LAB, [3])), 2000),
    "_core.silhouette_precomputed": (lambda: (
        _core.silhouette_precomputed(DIST, LAB[:300], 3, n_threads=1),
        _core.silhouette_precomputed(DIST[100:], LAB[:300], 3, row0=100, n_threads=1),
        # found by the kernel after the scratch is allocated: the done: label frees it
        expect(ValueError, _core.silhouette_precomputed, DIST_NEG, LAB[:300], 3, n_threads=1),
        expect(ValueError, _core.silhouette_precomputed, DIST_DIAG, LAB[:300], 3),
        expect(ValueError, _core.silhouette_precomputed, DIST, ZERO_LAB[:300], 3, n_threads=1),
        expect(MemoryError, _core.silhouette_precomputed, DIST, LAB[:300], 2**30)), 1000),
    "_core.cluster_validity": (lambda: (_core.cluster_validity(X, LAB, 3, n_threads=1),
                                        expect(ValueError, _core.cluster_validity, X, LAB, 4,
                                               n_threads=1)),
                               3000),
    "_core.entropy_weights": (lambda: (_core.entropy_weights(MV),
                                       expect(ValueError, _core.entropy_weights, ONES32)), 4000),
    "_core.vikor": (lambda: (_core.vikor(MV, W, V, n_threads=1),
                             expect(ValueError, _core.vikor, MV, W, V, ideal=ZEROS5),
                             expect(ValueError, _core.vikor, MV, W, V_BAD)), 3000),
    "_core.vikor_weight_sensitivity": (lambda: (
        _core.vikor_weight_sensitivity(MV, ALPHA, 20, 1, V, n_threads=1,
                                       return_weights=True),
        expect(ValueError, _core.vikor_weight_sensitivity, MV, NEG_ALPHA, 20, 1, V)), 2000),
    # ---- public API
    "kmeans": (lambda: (sg.kmeans(X[:200], 3, random_state=0, n_threads=1),
                        expect(ValueError, sg.kmeans, XN, 3)), 1000),
    "kmeans(dtype=float32)": (lambda: (
        sg.kmeans(X[:200], 3, random_state=0, n_threads=1, dtype="float32"),
        sg.kmeans(X32[:200], 3, random_state=0, n_threads=1),
        expect(ValueError, sg.kmeans, X[:200], 3, dtype="float16"),
        expect(ValueError, sg.kmeans, X_BIG[:200], 3, dtype=np.float32)), 1000),
    "KMeans": (lambda: (KM.predict(X[:100]), KM.transform(X[:100]), KM.score(X[:100]),
                        expect(ValueError, KM.predict, X[:, :2])), 1000),
    "silhouette": (lambda: (sg.silhouette_samples(X[:200], LAB[:200], n_threads=1),
                            sg.silhouette_score(X[:200], LAB[:200], sample_size=50,
                                                random_state=0, n_threads=1),
                            expect(ValueError, sg.silhouette_samples, X, LAB[:9])), 1000),
    "silhouette_scores": (lambda: (
        sg.silhouette_scores(X[:200], [LAB[:200], LAB[:200] % 2], n_threads=1),
        sg.silhouette_scores(X[:200].astype(np.float32), [LAB[:200]], n_threads=1),
        expect(ValueError, sg.silhouette_scores, X, [LAB, LAB[:9]])), 1000),
    "silhouette(metric=)": (lambda: (
        sg.silhouette_samples(X[:200], LAB[:200], metric=COSINE, n_threads=1),
        sg.silhouette_score(DIST, LAB[:300], metric="precomputed", sample_size=50,
                            random_state=0, n_threads=1),
        sg.silhouette_samples(X[:12], LAB[:12], metric=_chebyshev),
        expect(ValueError, sg.silhouette_samples, DIST_DIAG, LAB[:300], metric="precomputed"),
        expect(ValueError, sg.silhouette_samples, X, LAB, metric="minkowski")), 300),
    "validity": (lambda: (sg.calinski_harabasz_score(X, LAB, n_threads=1),
                          sg.davies_bouldin_score(X, LAB, n_threads=1),
                          expect(ValueError, sg.davies_bouldin_score, XN, LAB)), 1000),
    "k_sweep": (lambda: (sg.k_sweep(X[:60], k=[2, 3], random_state=0, n_threads=1,
                                    progress=False),
                         expect(ValueError, sg.k_sweep, X[:60], k=[1])), 200),
    "weights": (lambda: (sg.entropy_weights(M), sg.critic_weights(M), sg.std_weights(M),
                         sg.equal_weights(M),
                         expect(ValueError, sg.entropy_weights, -MV)), 1000),
    "vikor": (lambda: (sg.vikor(M, "entropy"), sg.vikor_sensitivity(M, "entropy"),
                       sg.vikor_batch(M, W4, n_threads=1),
                       expect(ValueError, sg.vikor, M, [1, 1])), 500),
    "vikor_weight_sensitivity": (lambda: (
        sg.vikor_weight_sensitivity(M, "entropy", n_samples=50, random_state=0, n_threads=1),
        expect(ValueError, sg.vikor_weight_sensitivity, M, "entropy", n_samples=0)), 500),
    "minmax_and_alpha": (lambda: (sg.minmax_scale(X[:100]), sg.cronbach_alpha(X[:20]),
                                  expect(ValueError, sg.minmax_scale, XN)), 300),
    "survey": (lambda: (sg.expert_matrix(MM), sg.tally_votes(fresh(F_VOTES)),
                        sg.load_likert(fresh(F_LIKERT)),
                        expect(ValueError, sg.load_likert, fresh(F_LIKERT), scale="agree4")),
               300),
    "contracts": (lambda: (sg.load_contracts(fresh(F_RAW)),
                           sg.customer_features(fresh(F_CONTRACTS), as_of="2022-07-12"),
                           expect(ValueError, sg.load_contracts, fresh(F_RAW_BAD), errors="raise")),
                  100),
    "profiles": (lambda: (sg.profile_clusters(fresh(F_CUSTOMERS), PROFILE_LABELS),
                          sg.rank_segments(fresh(F_CANDIDATES)),
                          expect(ValueError, sg.profile_clusters, CUSTOMERS, [0, 1])), 300),
}

# Allowed growth of the second round. Traced memory: a leaked float, tuple
# or array header per call is >= 24 bytes a call, so 1000 calls leaking one
# float (24 kB) fail the 8 kB + 2 bytes/call budget of the cheap cases. The
# pandas-heavy cases (fewer than 1000 calls) get 32 kB: pyarrow and pandas
# keep small caches that move by a few kB. RSS: a leaked silhouette or
# k-means scratch buffer would be >= 16 kB a call.
TRACED_PER_CALL = 2


def traced_slack(n_calls: int) -> int:
    return (8 if n_calls >= 1000 else 32) * 1024


RSS_SLACK = 4 << 20


def _round(fn, n):
    for _ in range(n):
        fn()


@pytest.mark.parametrize("name", list(CASES))
def test_memory_flat_over_many_calls(name):
    fn, n = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _round(fn, max(20, n // 10))  # warm caches, pools and libgomp's threads
        gc.collect()
        tracemalloc.start()
        try:
            _round(fn, n // 2)
            gc.collect()
            traced_1 = tracemalloc.get_traced_memory()[0]
            rss_1 = rss_bytes()
            _round(fn, n // 2)
            gc.collect()
            traced_2 = tracemalloc.get_traced_memory()[0]
            rss_2 = rss_bytes()
        finally:
            tracemalloc.stop()
    grown = traced_2 - traced_1
    print(f"{name}: second round of {n // 2} calls: traced {grown:+d} B, "
          f"RSS {(rss_2 - rss_1) >> 10:+d} kB")
    assert grown < traced_slack(n) + TRACED_PER_CALL * n, (
        f"{name}: traced memory grew {grown} bytes over {n // 2} calls")
    if rss_2 - rss_1 >= RSS_SLACK:
        # A leak grows RSS in every round; a one-time step (malloc taking a
        # new arena, a background thread of an earlier test's Dask cluster
        # allocating meanwhile) does not. One more round tells them apart.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _round(fn, n // 2)
        gc.collect()
        rss_3 = rss_bytes()
        print(f"{name}: third round: RSS {(rss_3 - rss_2) >> 10:+d} kB")
        assert rss_3 - rss_2 < RSS_SLACK, (
            f"{name}: RSS grew {(rss_2 - rss_1) >> 10} kB, then {(rss_3 - rss_2) >> 10} kB "
            f"over two rounds of {n // 2} calls")


def test_refcounts_flat_on_success_and_error_paths():
    objs = [X, LAB, C, XN, MV, W, V, BIG, ZERO_LAB, ALPHA, XS[0], XS[1], XS[2], CS, DIST,
            DIST_NEG, COSINE, X32, X32N, C_BEYOND_F32, None, True,
            False,
            np.dtype(np.float64), np.dtype(np.float32),
            np.dtype(np.int32), np.dtype(np.intp), np.dtype(np.int64), np.dtype(np.bool_)]
    calls = [CASES[k][0] for k in CASES if k.startswith("_core.")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn in calls:
            fn()
        gc.collect()
        before = [sys.getrefcount(o) for o in objs]
        for _ in range(300):
            for fn in calls:
                fn()
        gc.collect()
        after = [sys.getrefcount(o) for o in objs]
    assert after == before, [(repr(o)[:20], b, a) for o, b, a in zip(objs, before, after,
                                                                     strict=True) if a != b]


def test_results_own_their_memory():
    # Results must not keep the (possibly huge) inputs or scratch alive.
    import weakref

    class Tracked(np.ndarray):
        pass

    Xt = np.ascontiguousarray(X[:300]).view(Tracked)
    ref = weakref.ref(Xt)
    res = _core.kmeans_fit(Xt, C, n_threads=1)
    sil = _core.silhouette_samples(Xt, LAB[:300], 3, n_threads=1)
    Dt = np.ascontiguousarray(DIST).view(Tracked)
    dref = weakref.ref(Dt)
    pre = _core.silhouette_precomputed(Dt, LAB[:300], 3, n_threads=1)
    del Xt, Dt
    gc.collect()
    assert ref() is None and dref() is None, "a result keeps its input alive"
    assert res[0].base is None and sil.base is None and pre.base is None
