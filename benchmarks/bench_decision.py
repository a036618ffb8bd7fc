"""segment vs pymcdm: VIKOR once, and VIKOR for 100,000 weight vectors.

    python benchmarks/bench_decision.py            # the full run recorded in BENCHMARKS.md
    python benchmarks/bench_decision.py --quick    # 10,000 weight vectors, fewer repeats

Data: Paper A's Table 2 (9 factors x 5 benefit criteria) with its entropy
weights, as in the paper. Both libraries run in this process on the same
float64 arrays.

1. One VIKOR evaluation at v = 0.5: segment's public ``vikor`` (DataFrame in,
   frozen result with the compromise set out; and ndarray in), the raw kernel
   ``segment._core.vikor``, and pymcdm's ``VIKOR()(matrix, weights, types)``
   (Q only, no compromise set).
2. Weight sensitivity over 100,000 weight vectors drawn from a Dirichlet
   around the entropy weights (concentration 100):
   * pymcdm: a Python loop calling ``VIKOR`` per vector and counting the rank
     of every alternative (the draws are made beforehand, outside the timing);
   * NumPy: the same computation vectorised over all vectors at once, as a
     user without a C kernel would write it (no compromise set);
   * segment ``vikor_batch`` on the same 100,000 vectors (S, R, Q, ranking,
     compromise set, C1, C2 for each);
   * segment ``vikor_weight_sensitivity`` (draws in C, rank and compromise
     shares), on all cores and on one thread.
   The ratio is pymcdm's time over segment's. Timings are medians.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _machine import machine as shared_machine  # noqa: E402

import segment as sg

HERE = Path(__file__).resolve().parent


def median_time(fn, repeats: int, inner: int = 1) -> tuple[float, object]:
    """Median over `repeats` of the mean time of `inner` calls."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            out = fn()
        times.append((time.perf_counter() - t0) / inner)
    return float(np.median(times)), out


def machine() -> dict:
    return shared_machine("pymcdm")


def numpy_batch_ranks(X: np.ndarray, W: np.ndarray, v: float) -> np.ndarray:
    """Vectorised NumPy VIKOR over B weight vectors: rank counts (m, m)."""
    fs, fm = X.max(axis=0), X.min(axis=0)
    D = (fs - X) / (fs - fm)  # (m, n)
    Wn = W / W.sum(axis=1, keepdims=True)
    T = Wn[:, None, :] * D[None, :, :]  # (B, m, n)
    S, R = T.sum(axis=2), T.max(axis=2)
    smin, smax = S.min(axis=1, keepdims=True), S.max(axis=1, keepdims=True)
    rmin, rmax = R.min(axis=1, keepdims=True), R.max(axis=1, keepdims=True)
    Q = v * (S - smin) / (smax - smin) + (1 - v) * (R - rmin) / (rmax - rmin)
    order = np.argsort(Q, axis=1, kind="stable")
    m = X.shape[0]
    counts = np.zeros((m, m), dtype=np.int64)
    np.add.at(counts, (order, np.broadcast_to(np.arange(m), order.shape)), 1)
    return counts


def pymcdm_loop_ranks(X: np.ndarray, W: np.ndarray, v: float) -> np.ndarray:
    from pymcdm.methods import VIKOR

    body = VIKOR(v=v)
    types = np.ones(X.shape[1])
    m = X.shape[0]
    counts = np.zeros((m, m), dtype=np.int64)
    positions = np.arange(m)
    for w in W:
        q = body(X, w, types)
        counts[np.argsort(q, kind="stable"), positions] += 1
    return counts


def bench_single(frame, X, w, repeats: int) -> dict:
    from pymcdm.methods import VIKOR

    body = VIKOR(v=0.5)
    types = np.ones(X.shape[1])
    w_arr = np.asarray(w)
    inner = 2000
    rows = {}
    rows["segment_vikor_dataframe_us"], res = median_time(
        lambda: sg.vikor(frame, w, v=0.5), repeats, inner
    )
    rows["segment_vikor_ndarray_us"], _ = median_time(
        lambda: sg.vikor(X, w_arr, v=0.5), repeats, inner
    )
    W1, V1 = w_arr[None, :], np.array([0.5])
    rows["segment_core_vikor_us"], _ = median_time(
        lambda: sg._core.vikor(X, W1, V1), repeats, inner
    )
    rows["pymcdm_vikor_us"], q = median_time(lambda: body(X, w_arr, types), repeats, inner)
    for key in list(rows):
        rows[key] *= 1e6
    rows["ratio_pymcdm_over_segment_vikor"] = (
        rows["pymcdm_vikor_us"] / rows["segment_vikor_ndarray_us"]
    )
    rows["ratio_pymcdm_over_core"] = rows["pymcdm_vikor_us"] / rows["segment_core_vikor_us"]
    rows["max_abs_q_diff"] = float(np.abs(np.asarray(res.Q) - q).max())
    print(
        "single VIKOR 9x5: "
        f"segment.vikor {rows['segment_vikor_dataframe_us']:.1f} us (DataFrame), "
        f"{rows['segment_vikor_ndarray_us']:.1f} us (ndarray); "
        f"_core.vikor {rows['segment_core_vikor_us']:.1f} us; "
        f"pymcdm {rows['pymcdm_vikor_us']:.1f} us; "
        f"|Q diff| {rows['max_abs_q_diff']:.1e}",
        flush=True,
    )
    return rows


def bench_batch(frame, X, w, n: int, repeats: int, pymcdm_repeats: int) -> dict:
    w_arr = np.asarray(w)
    W = np.random.default_rng(0).dirichlet(100 * w_arr, size=n)
    rows = {"n_weight_vectors": n}

    t, py_counts = median_time(lambda: pymcdm_loop_ranks(X, W, 0.5), pymcdm_repeats)
    rows["pymcdm_loop_s"] = t
    print(f"pymcdm loop, {n:,} vectors: {t:.2f} s", flush=True)

    t, np_counts = median_time(lambda: numpy_batch_ranks(X, W, 0.5), repeats)
    rows["numpy_vectorised_s"] = t

    t, batch = median_time(lambda: sg.vikor_batch(X, W, v=0.5), repeats)
    rows["segment_vikor_batch_s"] = t
    order = batch.ranking.to_numpy()
    seg_counts = np.zeros_like(py_counts)
    np.add.at(seg_counts, (order, np.broadcast_to(np.arange(X.shape[0]), order.shape)), 1)

    t, shares = median_time(
        lambda: sg.vikor_weight_sensitivity(frame, w, n_samples=n, random_state=0), repeats
    )
    rows["segment_weight_sensitivity_s"] = t
    t, _ = median_time(
        lambda: sg.vikor_weight_sensitivity(frame, w, n_samples=n, random_state=0, n_threads=1),
        repeats,
    )
    rows["segment_weight_sensitivity_1thread_s"] = t

    rows["ratio_pymcdm_over_vikor_batch"] = rows["pymcdm_loop_s"] / rows["segment_vikor_batch_s"]
    rows["ratio_pymcdm_over_weight_sensitivity"] = (
        rows["pymcdm_loop_s"] / rows["segment_weight_sensitivity_s"]
    )
    rows["ratio_pymcdm_over_weight_sensitivity_1thread"] = (
        rows["pymcdm_loop_s"] / rows["segment_weight_sensitivity_1thread_s"]
    )
    rows["ratio_numpy_over_vikor_batch"] = (
        rows["numpy_vectorised_s"] / rows["segment_vikor_batch_s"]
    )
    rows["rank_counts_equal_pymcdm_segment"] = bool((py_counts == seg_counts).all())
    rows["rank_counts_equal_numpy_segment"] = bool((np_counts == seg_counts).all())
    rows["a6_first_share"] = float(shares.loc["A6", "rank_1"])
    rows["a9_compromise_share"] = float(shares.loc["A9", "compromise"])
    print(
        f"{n:,} weight vectors: pymcdm loop {rows['pymcdm_loop_s']:.2f} s; "
        f"NumPy vectorised {rows['numpy_vectorised_s'] * 1e3:.1f} ms; "
        f"segment vikor_batch {rows['segment_vikor_batch_s'] * 1e3:.1f} ms "
        f"({rows['ratio_pymcdm_over_vikor_batch']:.0f}x); "
        f"vikor_weight_sensitivity {rows['segment_weight_sensitivity_s'] * 1e3:.1f} ms "
        f"({rows['ratio_pymcdm_over_weight_sensitivity']:.0f}x), one thread "
        f"{rows['segment_weight_sensitivity_1thread_s'] * 1e3:.1f} ms "
        f"({rows['ratio_pymcdm_over_weight_sensitivity_1thread']:.0f}x); "
        f"same rank counts as pymcdm: {rows['rank_counts_equal_pymcdm_segment']}",
        flush=True,
    )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10,000 weight vectors, 3 repeats")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--pymcdm-repeats", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "results" / "decision.json"))
    args = ap.parse_args()

    experts = sg.datasets.load_iot_experts()
    frame = experts.matrix
    X = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    w = sg.entropy_weights(frame)
    n = 10_000 if args.quick else 100_000
    repeats = 3 if args.quick else args.repeats
    info = {"machine": machine(), "matrix": list(X.shape)}
    print(info["machine"], flush=True)
    info["single"] = bench_single(frame, X, w, repeats)
    info["batch"] = bench_batch(frame, X, w, n, repeats, 1 if args.quick else args.pymcdm_repeats)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(info, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
