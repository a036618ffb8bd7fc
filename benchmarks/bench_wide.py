"""Exact silhouette on wide data (issue 14): segment vs scikit-learn, same
process, same data.

    python benchmarks/bench_wide.py            # the run recorded in BENCHMARKS.md
    python benchmarks/bench_wide.py --quick    # smaller, for a smoke run

Rows are standard normal, labels alternate over 2 clusters. The silhouette's
blocks are sized by n and d (csrc/seg_silhouette.c, block_width): before,
every block was 256 rows (4 rows of 10^7 features were padded to 256 rows:
20 GB of scratch and 71 s), and a 256-row block of thousands of features fell
out of the cache. scikit-learn computes euclidean distances from dot
products (BLAS), segment from coordinate differences (exact to the last
bits); scikit-learn's figure is one call, segment's the median of three.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from _machine import machine as shared_machine
from bench_cluster import median_time

import segment as sg

HERE = Path(__file__).resolve().parent
SHAPES = [
    (4, 10_000_000),
    (100, 100_000),
    (2_000, 20_000),
    (3_000, 5_000),
    (10_000, 1_000),
    (20_000, 8),
]
QUICK = [(4, 1_000_000), (500, 5_000), (2_000, 8)]


def bench(n: int, d: int, repeats: int) -> dict:
    from sklearn.metrics import silhouette_score as sk_score

    X = np.random.default_rng(0).standard_normal((n, d))
    labels = np.arange(n) % 2
    t_seg, s_seg = median_time(lambda: sg.silhouette_score(X, labels), repeats)
    t_sk, s_sk = median_time(lambda: sk_score(X, labels), 1)
    row = {
        "n": n,
        "d": d,
        "segment_s": t_seg,
        "sklearn_s": t_sk,
        "ratio": t_sk / t_seg,
        "abs_diff": abs(s_seg - s_sk),
    }
    print(
        f"{n:>7,} x {d:>10,}: segment {t_seg:8.3f} s, scikit-learn {t_sk:8.3f} s, "
        f"ratio {t_sk / t_seg:5.2f}, |diff| {row['abs_diff']:.1e}",
        flush=True,
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rows = [bench(n, d, 1 if args.quick else 3) for n, d in (QUICK if args.quick else SHAPES)]
    if not args.quick:
        out = {"machine": shared_machine("scikit-learn"), "silhouette_wide": rows}
        (HERE / "results" / "wide.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
