"""The `segment` command."""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

import segment as sg


def _demo_data(n: int, seed: int) -> pd.DataFrame:
    """Rows shaped like Paper B's customers: skewed numeric and binary
    features, min-max scaled."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "gross_revenue": rng.lognormal(7.0, 1.1, n),
            "frequency": rng.poisson(rng.gamma(1.2, 1.5, n)),
            "recency": rng.gamma(2.0, 500.0, n),
            "time_to_first_extension": rng.gamma(1.5, 700.0, n),
            "quantity_of_debt": rng.poisson(0.3, n),
            "business": rng.random(n) < 0.18,
            "direct_debit": rng.random(n) < 0.55,
            "north_region": rng.random(n) < 0.45,
        }
    ).astype(float)
    return (frame - frame.min()) / (frame.max() - frame.min())


def _sweep(args: argparse.Namespace) -> int:
    X = _demo_data(args.n, args.seed)
    print(f"k-means + exact silhouette on {len(X):,} rows x {X.shape[1]} features", flush=True)
    rows = []
    for k in range(args.k_min, args.k_max + 1):
        t0 = time.perf_counter()
        res = sg.kmeans(X, k, n_init=10, random_state=args.seed)
        t1 = time.perf_counter()
        sil = sg.silhouette_score(X, res.labels)
        t2 = time.perf_counter()
        rows.append((k, sil, res.inertia, res.n_iter, t1 - t0, t2 - t1))
        print(f"  K={k:2d}  silhouette={sil:.4f}  inertia={res.inertia:10.2f}  "
              f"kmeans {t1 - t0:5.2f}s  silhouette {t2 - t1:5.2f}s", flush=True)
    best = max(rows, key=lambda r: r[1])
    print(f"best K by silhouette: {best[0]} ({best[1]:.4f})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="segment", description="Customer segmentation with a fast C core."
    )
    sub = parser.add_subparsers(dest="command")
    sweep = sub.add_parser("sweep", help="k-means + exact silhouette for a range of K")
    sweep.add_argument("--n", type=int, default=100_000, help="rows of demo data")
    sweep.add_argument("--k-min", type=int, default=2)
    sweep.add_argument("--k-max", type=int, default=10)
    sweep.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["sweep", *(argv or sys.argv[1:])])
    if args.k_min < 2 or args.k_max < args.k_min or args.n < args.k_max + 1:
        print("segment: need 2 <= k-min <= k-max < n", file=sys.stderr)
        return 2
    return _sweep(args)
