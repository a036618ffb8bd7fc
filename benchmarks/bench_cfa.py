"""segment's cfa vs semopy: maximum-likelihood CFA on two public data sets.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_cfa.py   # the run in BENCHMARKS.md
    python benchmarks/bench_cfa.py --quick                  # one repeat each

Data (../shared/data, beside the checkout; see its README.md):
* Holzinger and Swineford (1939), 301 x 9, the lavaan tutorial's three
  factors (visual, textual, speed);
* the Big Five items of R's psych::bfi, 2,800 x 25 (2,436 complete rows),
  five factors of five items.

Both libraries run in this process on the same DataFrame: segment's public
``cfa`` (fit, standard errors, every fit index and the RMSEA interval) and
semopy's ``Model.fit`` with its default solver (SLSQP) and with L-BFGS-B,
followed by ``calc_stats`` (semopy's fit indices) and ``inspect`` (its
standard errors), so both give the user the same things. The times are medians;
the ratio is semopy's time over segment's. chi2 is printed for both, to show
they reach the same minimum (semopy's is N F as lavaan's and segment's).
Run it with OPENBLAS_NUM_THREADS=1: on a busy 2-core machine OpenBLAS's
threads make both libraries' small matrix products 10x slower and the times
a lottery.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import machine

import segment as sg

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"

MODELS = {
    "HolzingerSwineford1939": (
        "HolzingerSwineford1939.csv",
        {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]},
    ),
    "bfi": (
        "psych_bfi.csv",
        {f: [f"{f[0]}{i}" for i in range(1, 6)] for f in ("Agree", "Conscientious",
                                                            "Extraversion", "Neuroticism",
                                                            "Openness")},
    ),
}  # fmt: skip


def median_time(fn, repeats):
    """Median of `repeats` timed calls after one untimed warm-up call."""
    fn()
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def run_semopy(data, model, solver):
    import semopy

    desc = "\n".join(f"{f} =~ " + " + ".join(items) for f, items in model.items())
    m = semopy.Model(desc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(data, solver=solver)
        stats = semopy.calc_stats(m).T["Value"]
        m.inspect()
    return float(stats["chi2"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if not DATA.exists():
        raise SystemExit(f"{DATA} is not beside the checkout: the benchmark reads its data")
    reps_seg, reps_sem = (1, 1) if args.quick else (7, 3)
    rows = []
    for name, (file, model) in MODELS.items():
        items = [i for v in model.values() for i in v]
        data = pd.read_csv(DATA / file)[items]
        complete = data.dropna()  # semopy gets the complete rows segment keeps
        t_seg, res = median_time(lambda d=data, m=model: sg.cfa(d, m), reps_seg)
        row = {
            "data": name,
            "n": res.n_obs,
            "items": len(items),
            "factors": len(model),
            "segment_s": t_seg,
            "segment_chi2": float(res.fit_indices["chi2"]),
            "segment_iterations": res.iterations,
        }
        for solver in ("SLSQP", "L-BFGS-B"):
            t, chi2 = median_time(
                lambda d=complete, m=model, s=solver: run_semopy(d, m, s), reps_sem
            )
            row[f"semopy_{solver}_s"] = t
            row[f"semopy_{solver}_chi2"] = chi2
            row[f"ratio_{solver}"] = t / t_seg
        rows.append(row)
        print(
            f"{name}: n={row['n']} p={row['items']} m={row['factors']}  segment "
            f"{t_seg * 1e3:.1f} ms (chi2 {row['segment_chi2']:.4f}, {res.iterations} it)  "
            + "  ".join(
                f"semopy {s} {row[f'semopy_{s}_s'] * 1e3:.0f} ms (chi2 "
                f"{row[f'semopy_{s}_chi2']:.4f}, {row[f'ratio_{s}']:.0f}x)"
                for s in ("SLSQP", "L-BFGS-B")
            )
        )
    out = {
        "machine": machine("semopy", "scipy"),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "quick": args.quick,
        "rows": rows,
    }
    if not args.quick:
        (HERE / "results" / "cfa.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
