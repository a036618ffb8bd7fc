"""segment vs scikit-learn: exact silhouette and KMeans, same process, same data.

    python benchmarks/bench_cluster.py                 # the full run recorded in BENCHMARKS.md
    python benchmarks/bench_cluster.py --quick         # a smaller, faster smoke run

Data: Paper B's customer features (Table 7: eight skewed numeric and binary
columns, min-max scaled) computed by segment from its synthetic contracts at
the paper's scale (88,390 contracts -> about 66,651 customers). For one million
rows the same generator runs at 1,330,000 contracts. Both libraries get the
same float64 C-contiguous array and use every core (OpenMP). Timings are
medians (k-means: over random_state 0, 1, 2, whose inertias are compared as
medians); ratios are scikit-learn's time over segment's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _machine import machine as shared_machine  # noqa: E402

import segment as sg

HERE = Path(__file__).resolve().parent


def paper_b_features(n_contracts: int, seed: int = 0) -> np.ndarray:
    """Min-max scaled Paper B features from segment's synthetic contracts."""
    contracts = sg.datasets.make_contracts(n_contracts, random_state=seed)
    contracts = sg.load_contracts(contracts)
    customers = sg.customer_features(contracts)
    X = sg.minmax_scale(customers[sg.PAPER_B_FEATURES])
    return np.ascontiguousarray(X.to_numpy(dtype=np.float64))


# Idle OpenMP and OpenBLAS worker threads keep spinning on the cores for a
# while after a call returns (scikit-learn's vendored libgomp, numpy's
# OpenBLAS: up to ~0.1 s). Timed right after the other library, a call would
# share the cores with them, so every timed call, of either library, starts
# after this pause.
SETTLE_S = 0.3


def settle() -> None:
    time.sleep(SETTLE_S)


def median_time(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        settle()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def machine() -> dict:
    return shared_machine("scikit-learn")


def bench_silhouette(X, ks, repeats, sk_ks):
    from sklearn.metrics import silhouette_score as sk_score

    rows = []
    for k in ks:
        labels = sg.kmeans(X, k, n_init=1, random_state=0).labels
        ours_t, ours = median_time(lambda labels=labels: sg.silhouette_score(X, labels), repeats)
        row = {"k": k, "segment_s": ours_t, "segment": ours}
        if k in sk_ks:
            sk_t, theirs = median_time(lambda labels=labels: sk_score(X, labels), 1)
            row.update(sklearn_s=sk_t, sklearn=theirs, ratio=sk_t / ours_t,
                       abs_diff=abs(ours - theirs))
        rows.append(row)
        print(f"silhouette K={k}: segment {ours_t:.3f}s"
              + (f", sklearn {row['sklearn_s']:.1f}s, ratio {row['ratio']:.0f}x, "
                 f"|diff| {row['abs_diff']:.1e}" if "ratio" in row else ""), flush=True)
    return rows


def bench_kmeans(X, ks, repeats, n_init=10):
    """Each K with random_state 0 .. repeats-1 (the two libraries draw different
    seeds from the same random_state, so inertia is compared as a median)."""
    from sklearn.cluster import KMeans as SKKMeans

    rows = []
    for k in ks:
        ours_t, theirs_t, ours_i, theirs_i = [], [], [], []
        for seed in range(repeats):
            settle()
            t0 = time.perf_counter()
            ours_i.append(sg.kmeans(X, k, n_init=n_init, random_state=seed).inertia)
            ours_t.append(time.perf_counter() - t0)
            settle()
            t0 = time.perf_counter()
            theirs_i.append(float(SKKMeans(k, n_init=n_init, random_state=seed).fit(X).inertia_))
            theirs_t.append(time.perf_counter() - t0)
        r = {
            "k": k, "segment_s": float(np.median(ours_t)), "sklearn_s": float(np.median(theirs_t)),
            "segment_inertia": float(np.median(ours_i)),
            "sklearn_inertia": float(np.median(theirs_i)),
        }
        r["ratio"] = r["sklearn_s"] / r["segment_s"]
        r["inertia_rel"] = r["segment_inertia"] / r["sklearn_inertia"] - 1.0
        rows.append(r)
        print(f"kmeans K={k} n={X.shape[0]:,}: segment {r['segment_s']:.3f}s, sklearn "
              f"{r['sklearn_s']:.3f}s, ratio {r['ratio']:.1f}x, median inertia segment/sklearn"
              f" - 1 = {r['inertia_rel']:+.2e}", flush=True)
    return rows


MEMORY_CHILD = r"""
import sys, tracemalloc, resource, numpy as np, segment as sg
n = int(sys.argv[1])
rng = np.random.default_rng(0)
X = rng.random((n, 8)); labels = rng.integers(0, 10, n)
sg.silhouette_score(X[:1000], labels[:1000])          # load everything first
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
sg.silhouette_score(X, labels)
_, peak = tracemalloc.get_traced_memory()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak / 2**20, (rss - base) / 2**10, X.nbytes / 2**20)
"""


def bench_memory(n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(n)], check=True,
                         capture_output=True, text=True).stdout.split()
    traced, rss, input_mb = map(float, out)
    print(f"silhouette memory n={n:,}: traced peak {traced:.1f} MiB, RSS growth {rss:.1f} MiB "
          f"(input {input_mb:.1f} MiB)", flush=True)
    return {"n": n, "traced_peak_mib": traced, "rss_growth_mib": rss, "input_mib": input_mb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, one sklearn silhouette")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "results" / "cluster.json"))
    args = ap.parse_args()

    ks = list(range(2, 11))
    n_contracts = 8_839 if args.quick else 88_390
    X = paper_b_features(n_contracts)
    print(f"data: {X.shape[0]:,} customers x {X.shape[1]} features", flush=True)
    info = {"machine": machine(), "n": X.shape[0], "d": X.shape[1]}
    print(info["machine"], flush=True)
    info["silhouette"] = bench_silhouette(X, ks, args.repeats, sk_ks=ks[:1] if args.quick else ks)
    info["kmeans"] = bench_kmeans(X, ks, args.repeats)
    if not args.quick:
        big = paper_b_features(1_330_000, seed=1)
        print(f"data: {big.shape[0]:,} customers x {big.shape[1]} features", flush=True)
        info["n_big"] = big.shape[0]
        info["kmeans_big"] = bench_kmeans(big, [2, 5, 10], args.repeats)
    info["memory"] = bench_memory(20_000 if args.quick else 200_000)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(info, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
