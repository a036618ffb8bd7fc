"""segment vs scikit-learn on issue 13's new inputs: sparse k-means and the
silhouette's metrics, same process, same data.

    python benchmarks/bench_parity.py            # the run recorded in BENCHMARKS.md
    python benchmarks/bench_parity.py --quick    # smaller, for a smoke run

Sparse data: one-hot-like customers, n rows x 200 columns at density 0.05,
every stored value 1 (scipy CSR), K = 8, n_init = 3; timings are medians over
random_state 0, 1, 2 and inertias are compared as medians. Silhouette: Paper
B's eight min-max scaled features at n rows, labels from k-means K = 6, each
metric timed by both libraries (scikit-learn once: it is the slow side);
``precomputed`` gets scikit-learn's own euclidean distance matrix.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from _machine import machine as shared_machine
from bench_cluster import bench_kmeans, median_time, paper_b_features

import segment as sg

HERE = Path(__file__).resolve().parent


def one_hot_like(n: int, d: int = 200, density: float = 0.05, seed: int = 0):
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    nnz_per_row = max(1, int(d * density))
    cols = np.concatenate([rng.choice(d, nnz_per_row, replace=False) for _ in range(n)])
    rows = np.repeat(np.arange(n), nnz_per_row)
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, d))


def bench_sparse_kmeans(n: int, k: int = 8, n_init: int = 3, seeds: int = 3) -> dict:
    """bench_cluster's k-means comparison, on one-hot-like CSR rows."""
    X = one_hot_like(n)
    print(f"sparse: {n:,} x {X.shape[1]} CSR, {X.nnz:,} stored values", flush=True)
    row = bench_kmeans(X, [k], seeds, n_init=n_init)[0]
    return {"n": n, "d": X.shape[1], "nnz": int(X.nnz), "n_init": n_init, **row}


def bench_metrics(n: int, repeats: int) -> list[dict]:
    from sklearn.metrics import pairwise_distances
    from sklearn.metrics import silhouette_score as sk_score

    X = paper_b_features(88_390)[:n]
    labels = sg.kmeans(X, 6, n_init=1, random_state=0).labels
    rows = []
    for metric in ("euclidean", "sqeuclidean", "manhattan", "cosine", "precomputed"):
        data = pairwise_distances(X) if metric == "precomputed" else X
        ours_t, ours = median_time(
            lambda data=data, metric=metric: sg.silhouette_score(data, labels, metric=metric),
            repeats)
        theirs_t, theirs = median_time(
            lambda data=data, metric=metric: sk_score(data, labels, metric=metric), 1)
        row = {"metric": metric, "n": n, "segment_s": ours_t, "sklearn_s": theirs_t,
               "ratio": theirs_t / ours_t, "abs_diff": abs(ours - theirs)}
        rows.append(row)
        print(f"silhouette metric={metric} n={n:,}: segment {ours_t:.3f}s, sklearn "
              f"{theirs_t:.2f}s, ratio {row['ratio']:.1f}x, |diff| {row['abs_diff']:.1e}",
              flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_sparse, n_metric, repeats = (20_000, 5_000, 1) if args.quick else (100_000, 20_000, 3)
    result = {
        "machine": shared_machine("scikit-learn", "scipy"),
        "sparse_kmeans": [bench_sparse_kmeans(n_sparse)],
        "silhouette_metrics": bench_metrics(n_metric, repeats),
    }
    if not args.quick:
        out = HERE / "results" / "parity.json"
        out.write_text(json.dumps(result, indent=1))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
