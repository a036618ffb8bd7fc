"""The silhouettes of a K sweep (issue 12): one pass for K = 2..10 against
nine separate silhouettes and one, float32 against float64, and the exact
silhouette of a million customers, all in one process, interleaved.

    python benchmarks/bench_silhouette_sweep.py              # Paper B's 66,551 customers
    python benchmarks/bench_silhouette_sweep.py --million    # + 1,001,927 customers (minutes)

Data: Paper B's eight features of `segment run` (make_contracts(88_390),
seed 0 -> load_contracts -> customer_features -> minmax_scale): 66,551 x 8;
with --million, make_contracts(1_330_000): 1,001,927 x 8. Labelings: segment's
k-means for K = 2..10 (n_init=10; n_init=1 at a million rows: the labels only
decide the tuples). Each round times, in this order, one silhouette (K = 5),
the nine silhouettes one by one, the one pass over all nine (float64), the
same in float32 and one float32 silhouette; the table gives the median of the
rounds and the ratios of medians. scikit-learn's silhouette_score is timed
once on a random subset and extrapolated quadratically to n (said in the
table). The estimate is the throughput model `segment run` prints
(segment.metrics.silhouette_seconds). The machine line and `uptime` go
with the figures: on a shared machine the ratios, taken within one round,
are the figures to read.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
from _machine import machine as shared_machine

import segment as sg
from segment.metrics import silhouette_seconds

HERE = Path(__file__).resolve().parent
KS = list(range(2, 11))


def paper_b(n_contracts: int, n_init: int) -> tuple[np.ndarray, list[np.ndarray]]:
    contracts = sg.load_contracts(sg.datasets.make_contracts(n_contracts, random_state=0))
    X = sg.minmax_scale(sg.customer_features(contracts)[sg.PAPER_B_FEATURES]).to_numpy()
    labs = [sg.kmeans(X, k, n_init=n_init, random_state=0).labels for k in KS]
    return X, labs


def timed(fn) -> tuple[float, object]:
    time.sleep(0.3)  # idle OpenMP threads spin ~0.1 s after a call (bench_cluster.py)
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def sklearn_extrapolated(X, labels, n_sub: int) -> float:
    from sklearn.metrics import silhouette_score

    idx = np.random.default_rng(0).permutation(len(X))[:n_sub]
    t, _ = timed(lambda: silhouette_score(X[idx], labels[idx]))
    return t * (len(X) / n_sub) ** 2


def sweep_rounds(X, labs, cases: dict, repeats: int) -> dict:
    """cases: name -> callable; each round runs every case once, in order."""
    times = {name: [] for name in cases}
    results = {}
    for r in range(repeats):
        for name, fn in cases.items():
            t, results[name] = timed(fn)
            times[name].append(t)
        print(
            f"  round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
            flush=True,
        )
    return {name: statistics.median(v) for name, v in times.items()}, results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--million", action="store_true", help="also 1,001,927 customers")
    ap.add_argument(
        "--million-f64",
        action="store_true",
        help="with --million, also one float64 silhouette (about 4 minutes)",
    )
    ap.add_argument("--sklearn-n", type=int, default=20_000)
    ap.add_argument("--out", default=str(HERE / "results" / "silhouette_sweep.json"))
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"machine: {shared_machine('scikit-learn')}")
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    X, labs = paper_b(88_390, 10)
    X32 = X.astype(np.float32)
    n = len(X)
    print(f"Paper B's features: {n:,} x {X.shape[1]}; K = 2..10", flush=True)
    cases = {
        "one_f64": lambda: sg.silhouette_score(X, labs[3]),
        "nine_separate_f64": lambda: [sg.silhouette_score(X, lab) for lab in labs],
        "one_pass_f64": lambda: sg.silhouette_scores(X, labs),
        "one_pass_f32": lambda: sg.silhouette_scores(X32, labs),
        "one_f32": lambda: sg.silhouette_score(X32, labs[3]),
    }
    med, res = sweep_rounds(X, labs, cases, args.repeats)
    sep = np.array(res["nine_separate_f64"])
    diff64 = float(np.abs(res["one_pass_f64"] - sep).max())
    diff32 = float(np.abs(res["one_pass_f32"] - sep).max())
    sk = sklearn_extrapolated(X, labs[3], min(args.sklearn_n, n))
    est = {
        name: silhouette_seconds(
            n,
            X.shape[1],
            n_labelings=9 if "pass" in name or "nine" in name else 1,
            dtype="float32" if "f32" in name else "float64",
        )
        for name in cases
    }
    est["nine_separate_f64"] *= 9 / (1 + 8 * 0.025)  # nine passes of one labeling
    print()
    print(f"{'case':<20}{'median s':>10}{'vs one f64':>12}{'estimate s':>12}")
    for name in cases:
        print(f"{name:<20}{med[name]:>10.3f}{med[name] / med['one_f64']:>12.2f}{est[name]:>12.3f}")
    print(f"one pass f64 / one f64: {med['one_pass_f64'] / med['one_f64']:.2f} (target <= 1.5)")
    print(f"one f64 / one f32: {med['one_f64'] / med['one_f32']:.2f} (target >= 1.6)")
    print(f"nine separate / one pass f64: {med['nine_separate_f64'] / med['one_pass_f64']:.2f}")
    print(f"max |one pass - separate|: float64 {diff64:.1e}, float32 {diff32:.1e}")
    print(
        f"scikit-learn silhouette_score, one K: {sk:.1f} s (extrapolated from "
        f"{min(args.sklearn_n, n):,} rows)"
    )
    out = {
        "machine": shared_machine("scikit-learn"),
        "load_at_start": load,
        "paper_b": {
            "n": n,
            "median_s": med,
            "estimate_s": est,
            "max_abs_diff_f64": diff64,
            "max_abs_diff_f32": diff32,
            "sklearn_one_k_extrapolated_s": sk,
        },
    }

    if args.million:
        X, labs = paper_b(1_330_000, 1)
        X32 = X.astype(np.float32)
        n = len(X)
        print(f"\na million: {n:,} x {X.shape[1]}", flush=True)
        seen = []
        t1, s1 = timed(lambda: sg.silhouette_score(X32, labs[3]))
        print(f"  one f32: {t1:.1f} s", flush=True)
        t9, s9 = timed(lambda: sg.silhouette_scores(X32, labs, progress=_Seen(seen)))
        print(f"  one pass f32 (9 K): {t9:.1f} s; {len(seen)} progress calls", flush=True)
        row = {
            "n": n,
            "one_f32_s": t1,
            "one_pass_f32_s": t9,
            "estimate_one_f32_s": silhouette_seconds(n, 8, dtype="float32"),
            "estimate_one_pass_f32_s": silhouette_seconds(n, 8, n_labelings=9, dtype="float32"),
            "progress_calls": len(seen),
            "score_k5_f32": s1,
        }
        if args.million_f64:
            t64, s64 = timed(lambda: sg.silhouette_score(X, labs[3]))
            row.update(one_f64_s=t64, score_k5_f64=s64)
            print(f"  one f64: {t64:.1f} s; |f32 - f64| = {abs(s1 - s64):.1e}", flush=True)
        row["sklearn_one_k_extrapolated_s"] = sklearn_extrapolated(X, labs[3], args.sklearn_n)
        print(
            f"  scikit-learn, one K: {row['sklearn_one_k_extrapolated_s'] / 3600:.1f} h "
            f"(extrapolated from {args.sklearn_n:,} rows)"
        )
        print(
            f"  estimates: one f32 {row['estimate_one_f32_s']:.0f} s, one pass f32 "
            f"{row['estimate_one_pass_f32_s']:.0f} s"
        )
        out["million"] = row
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    out["load_at_end"] = load
    Path(args.out).write_text(json.dumps(out, indent=1, default=float))


class _Seen:
    def __init__(self, seen):
        self.seen = seen

    def update(self, n):
        self.seen.append(n)


if __name__ == "__main__":
    main()
