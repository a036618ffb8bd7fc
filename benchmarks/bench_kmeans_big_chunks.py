"""k-means on data whose chunks are big (k x d above about 32,768): segment vs
scikit-learn, same process, same data.

    python benchmarks/bench_kmeans_big_chunks.py            # the run in BENCHMARKS.md
    python benchmarks/bench_kmeans_big_chunks.py --quick    # smaller, for a smoke run
    PYTHONPATH=OLD_CHECKOUT python benchmarks/bench_kmeans_big_chunks.py   # another build

segment's passes go over fixed chunks of rows (the results do not depend on
the thread count); a chunk holds at least 256 rows, more when the per-chunk
sums (k x (d + 1) doubles each) would pass 32 MB in all. Such chunks hold
more than the 2^24 distance terms of a parallel region, and until December 7
a region of one chunk ran on one thread without a Ctrl-C poll inside: 50
clusters of 768-feature embeddings used one core of two. The rows here are
standard normal around k well-separated centres (embedding-like), or uniform.

scikit-learn computes distances from dot products (BLAS GEMM), segment from
coordinate differences (exact to the last bits). Each figure is the median of
`repeats` calls after a 0.3 s pause; inertia is each library's own.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
from _machine import machine

import segment as sg

HERE = Path(__file__).resolve().parent


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        time.sleep(0.3)
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def clustered(n, d, k, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k, d)) * 2.0
    return rng.standard_normal((n, d)) + centres[np.arange(n) % k]


def fits(n, d, k, n_init, repeats):
    from sklearn.cluster import KMeans as SK

    X = clustered(n, d, k)
    t_seg, r = timed(lambda: sg.kmeans(X, k, n_init=n_init, random_state=0), repeats)
    t_sk, s = timed(lambda: SK(k, n_init=n_init, random_state=0).fit(X), repeats)
    return {
        "case": f"fit {n:,} x {d:,}, K = {k}, n_init = {n_init}",
        "segment_s": t_seg,
        "sklearn_s": t_sk,
        "ratio": t_sk / t_seg,
        "segment_inertia": float(r.inertia),
        "sklearn_inertia": float(s.inertia_),
    }


def predicts(n, d, k, repeats):
    from sklearn.cluster import KMeans as SK

    X = np.random.default_rng(1).random((n, d))
    C = X[:k].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = sg.KMeans(k, init=C, n_init=1, max_iter=1).fit(X[:k])
        theirs = SK(k, init=C, n_init=1, max_iter=1).fit(X[:k])
    rows = []
    for what in ("predict", "transform"):
        ours_call, theirs_call = getattr(ours, what), getattr(theirs, what)
        t_seg, a = timed(lambda f=ours_call: f(X), repeats)
        t_sk, b = timed(lambda f=theirs_call: f(X), repeats)
        # labels equal; distances to within scikit-learn's rounding (its
        # dot-product distances lose the small ones: rows that are centres)
        same = (
            bool(np.array_equal(a, b))
            if what == "predict"
            else float(np.max(np.abs(a - b)) / np.max(b))
        )
        rows.append({
            "case": f"{what} {n:,} x {d:,}, K = {k}",
            "segment_s": t_seg,
            "sklearn_s": t_sk,
            "ratio": t_sk / t_seg,
            "same_labels" if what == "predict" else "max_abs_diff_over_max": same,
        })
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows = []
    if args.quick:
        cases = [("fit", 5_000, 768, 50, 1), ("predict", 500, 20_000, 50)]
    else:
        cases = [
            ("fit", 50_000, 768, 50, 3),
            ("fit", 5_000, 3_000, 40, 1),
            ("predict", 1_000, 50_000, 100),
        ]
    for case in cases:
        out = fits(*case[1:], args.repeats) if case[0] == "fit" else predicts(*case[1:],
                                                                              args.repeats)
        for row in out if isinstance(out, list) else [out]:
            rows.append(row)
            extra = {k: v for k, v in row.items() if k not in ("case", "segment_s", "sklearn_s")}
            print(f"{row['case']:<40} segment {row['segment_s']:7.3f} s  scikit-learn "
                  f"{row['sklearn_s']:7.3f} s  {extra}", flush=True)
    result = {"machine": machine("scikit-learn"), "rows": rows, "module": sg.__file__}
    if not args.quick:
        out = HERE / "results" / "kmeans_big_chunks.json"
        out.write_text(json.dumps(result, indent=1))
        print("written", out)


if __name__ == "__main__":
    main()
