"""A Lloyd pass of segment.kmeans on float32 data against float64, same data, interleaved.

    python benchmarks/bench_kmeans_float32.py              # Paper B (66,551 x 8), K = 5, 10, 20
    python benchmarks/bench_kmeans_float32.py --big        # and 1,000,000 x 8
    python benchmarks/bench_kmeans_float32.py --sklearn    # scikit-learn's passes beside
    BENCH_THREADS=1 python benchmarks/bench_kmeans_float32.py   # on one thread

The same rows are clustered as float64 and as their float32 copy (dtype None:
float32 runs segment's float32 kernels, float64 the float64 ones), from the
same start, algorithm="lloyd", tol=0, n_init=1. The start is K distinct rows
drawn at random (seed 0; exact in float32): from k-means++ seeds Paper B
converges in 5-6 passes, too few to time, and a start that leaves clusters
empty would time their re-seeding (a serial scan) rather than the pass.
segment is timed at its C kernel (_core.kmeans_fit, the call segment.kmeans
makes for these settings, minus the Python checks). A call with
max_iter=1 + P minus a call with max_iter=1
leaves P Lloyd passes (the set-up, the final labelling and the checks cancel
out), P = min(--passes, the passes to convergence - 2): per pass, (median
time of the long call - median of the short one) / P, in wall time and in
the process's CPU time (all threads; the steadier figure on a loaded
machine). float32 and float64 calls alternate (A B A B ...), each after a
0.3 s pause; the last column is the inertia of the long calls.
The target of issue 12 is float64 / float32 >= 1.6 per pass.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

N_THREADS = int(os.environ.get("BENCH_THREADS", "2"))  # BENCH_THREADS=1: one thread
os.environ.setdefault("OMP_NUM_THREADS", str(N_THREADS))

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402
from bench_cluster import paper_b_features, settle  # noqa: E402

import segment as sg  # noqa: E402
from segment import _core  # noqa: E402


def timed(fn, *args):
    """(wall seconds, process CPU seconds of all threads, fn's result)."""
    settle()
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - w0, time.process_time() - c0, out


def segment_fit(X, init, max_iter):
    """The C kernel the Lloyd fit of segment.kmeans(X, K, init=init, n_init=1,
    tol=0, algorithm="lloyd") runs, without the Python layer's checks and
    copies (their milliseconds of jitter per call at a million rows would
    swamp a pass): float32 X runs seg_kmeans_fit_f32, float64 X seg_kmeans_fit."""
    res = _core.kmeans_fit(X, init, max_iter=max_iter, tol=0.0, algorithm=0, n_threads=N_THREADS)
    return res.n_iter, res.inertia


def sklearn_fit(X, init, max_iter):
    from sklearn.cluster import KMeans

    km = KMeans(len(init), init=init, n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd")
    km.fit(X)
    return km.n_iter_, float(km.inertia_)


def per_pass(times, t, p):
    """(median of the calls with 1 + p passes - median with 1) / p."""
    return (np.median(times[t, 1 + p]) - np.median(times[t, 1])) / p


def bench(X64, ks, repeats, passes, libs, label):
    X32 = X64.astype(np.float32)
    X64 = X32.astype(np.float64)  # the same values in both precisions
    data = {"float64": X64, "float32": X32}
    for k in ks:
        distinct = np.unique(X64, axis=0)
        init = distinct[np.random.default_rng(0).choice(len(distinct), k, replace=False)]
        full = sg.kmeans(X64, k, init=init, n_init=1, max_iter=300, tol=0, algorithm="lloyd")
        p = max(1, min(passes, full.n_iter - 2))
        for lib, fit in libs.items():
            wall = {(t, m): [] for t in data for m in (1, 1 + p)}
            cpu = {key: [] for key in wall}
            inert = {}
            for r in range(repeats):
                order = ("float64", "float32") if r % 2 == 0 else ("float32", "float64")
                for m in (1, 1 + p):
                    for t in order:
                        X = data[t]
                        w, c, (ran, inertia) = timed(fit, X, init.astype(X.dtype), m)
                        assert ran == m, (lib, t, m, ran)  # every pass timed ran in full
                        wall[t, m].append(w)
                        cpu[t, m].append(c)
                        inert[t] = inertia

            w64, w32 = per_pass(wall, "float64", p), per_pass(wall, "float32", p)
            c64, c32 = per_pass(cpu, "float64", p), per_pass(cpu, "float32", p)
            print(
                f"| {label} | {k} | {lib} | {p} | {w64 * 1e3:.2f} / {c64 * 1e3:.2f} | "
                f"{w32 * 1e3:.2f} / {c32 * 1e3:.2f} | {w64 / w32:.2f}x / {c64 / c32:.2f}x | "
                f"{inert['float64']:.4f} / {inert['float32']:.4f} |",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--big", action="store_true", help="also 1,000,000 rows x 8")
    ap.add_argument("--sklearn", action="store_true", help="scikit-learn's passes beside")
    ap.add_argument("--repeats", type=int, default=7, help="per dtype (default 7)")
    ap.add_argument("--passes", type=int, default=20, help="Lloyd passes timed (default 20)")
    ap.add_argument("-k", type=int, nargs="+", default=[5, 10, 20])
    args = ap.parse_args()
    libs = {"segment": segment_fit}
    if args.sklearn:
        libs["scikit-learn"] = sklearn_fit
    print(machine("scikit-learn", load=os.getloadavg(), n_threads=N_THREADS), flush=True)
    print(
        "| data | K | library | passes | float64 ms/pass (wall / CPU) | float32 ms/pass "
        "(wall / CPU) | float64 / float32 (wall / CPU) | "
        "inertia float64 / float32 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    X = paper_b_features(88_390)
    bench(X, args.k, args.repeats, args.passes, libs, f"Paper B {X.shape[0]:,} x {X.shape[1]}")
    if args.big:
        big = paper_b_features(1_330_000)
        bench(
            big,
            args.k,
            max(3, args.repeats // 2),
            args.passes,
            libs,
            f"{big.shape[0]:,} x {big.shape[1]}",
        )
    print(f"load average after: {os.getloadavg()}")
    print("uptime:", os.popen("uptime").read().strip())


# Should a start leave a cluster empty (the libraries re-seed it;
# scikit-learn warns about it), the warning is not printed.
warnings.filterwarnings("ignore", message="Number of distinct clusters")


if __name__ == "__main__":
    main()
