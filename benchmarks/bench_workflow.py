"""`segment run` end to end vs the same pipeline with pandas + scikit-learn.

    python benchmarks/bench_workflow.py                 # full scikit-learn side (minutes)
    python benchmarks/bench_workflow.py --sklearn-n 20000   # reduced, extrapolated

segment: the `segment run` command in a subprocess, timed from start to exit
(88,390 synthetic contracts -> cleaning -> features -> k-means with n_init=10
and the exact silhouette for K = 2..10 -> profiles -> report.html with plots).
scikit-learn: the same data preparation (segment's loader and features, timed),
then for every K `sklearn.cluster.KMeans(n_init=10)` and
`sklearn.metrics.silhouette_score` on the same scaled features. With
--sklearn-n the scikit-learn side runs on a random subset and is extrapolated:
k-means linearly and the silhouette quadratically in n (said in the output).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import segment as sg

HERE = Path(__file__).resolve().parent


def time_segment_run(repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "segment", "run", "--out", out], check=True,
                           capture_output=True)
            times.append(time.perf_counter() - t0)
        print(f"segment run: {times[-1]:.1f} s", flush=True)
    return times


def sklearn_pipeline(n_sub: int | None) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    t0 = time.perf_counter()
    contracts = sg.load_contracts(sg.datasets.make_contracts(88_390, random_state=0))
    customers = sg.customer_features(contracts)
    X = sg.minmax_scale(customers[sg.PAPER_B_FEATURES]).to_numpy()
    prep = time.perf_counter() - t0
    n = len(X)
    if n_sub:
        X = X[np.random.default_rng(0).permutation(n)[:n_sub]]
    km_t = sil_t = 0.0
    for k in range(2, 11):
        t = time.perf_counter()
        labels = KMeans(k, n_init=10, random_state=0).fit(X).labels_
        km_t += time.perf_counter() - t
        t = time.perf_counter()
        silhouette_score(X, labels)
        sil_t += time.perf_counter() - t
        print(f"  sklearn K={k}: kmeans {km_t:.1f} s, silhouette {sil_t:.1f} s so far "
              f"(n = {len(X):,})", flush=True)
    scale = n / len(X)
    total = prep + km_t * scale + sil_t * scale**2
    return {"n": n, "n_measured": len(X), "prep_s": prep, "kmeans_s": km_t,
            "silhouette_s": sil_t, "extrapolated": bool(n_sub), "total_s": total}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sklearn-n", type=int, default=None)
    ap.add_argument("--out", default=str(HERE / "results" / "workflow.json"))
    args = ap.parse_args()
    ours = time_segment_run(args.repeats)
    theirs = sklearn_pipeline(args.sklearn_n)
    result = {"segment_run_s": ours, "segment_run_median_s": float(np.median(ours)),
              "sklearn": theirs, "ratio": theirs["total_s"] / float(np.median(ours))}
    print(f"segment run median {np.median(ours):.1f} s; pandas + scikit-learn "
          f"{theirs['total_s']:.0f} s{' (extrapolated)' if theirs['extrapolated'] else ''}; "
          f"ratio {result['ratio']:.0f}x", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
