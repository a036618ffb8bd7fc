"""segment.efa vs factor_analyzer on the bfi items (2,436 complete rows x 25 items, 5 factors).

    python benchmarks/bench_efa.py

Both run in this process on the same float64 array: minres with varimax,
promax and oblimin, principal with varimax, ML with varimax. factor_analyzer
runs with its defaults (rotation tol 1e-5; principal by randomized SVD), and
segment with ``n_factors=5`` given (parallel analysis is not timed; its 100
random data sets are timed in a separate line). Timings are medians of 7.
factor_analyzer 0.5.1 needs its scikit-learn keyword renamed on scikit-learn
1.8+ (see tests/test_efa.py); this script does the same.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import machine

import segment as sg

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "psych_bfi.csv"


def median_time(fn, repeats=7):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main():
    import factor_analyzer.factor_analyzer as fam
    from sklearn.utils import check_array

    fam.check_array = lambda X, force_all_finite=True, **kw: check_array(
        X, ensure_all_finite=force_all_finite, **kw
    )
    print(machine("factor_analyzer", "scikit-learn", "scipy"))
    x = pd.read_csv(DATA, index_col=0).loc[:, "A1":"O5"].dropna()
    arr = x.to_numpy()
    print(f"bfi: {arr.shape[0]} x {arr.shape[1]}, 5 factors")
    print(f"{'method':<10}{'rotation':<10}{'segment ms':>12}{'factor_analyzer ms':>20}{'ratio':>8}")
    for method, rotation in [
        ("minres", "varimax"),
        ("minres", "promax"),
        ("minres", "oblimin"),
        ("principal", "varimax"),
        ("ml", "varimax"),
    ]:
        ours = median_time(lambda m=method, r=rotation: sg.efa(x, 5, method=m, rotation=r, n_sim=1))
        ref = median_time(
            lambda m=method, r=rotation: fam.FactorAnalyzer(5, method=m, rotation=r).fit(arr)
        )
        print(f"{method:<10}{rotation:<10}{ours * 1e3:>12.1f}{ref * 1e3:>20.1f}{ref / ours:>8.1f}")
    par = median_time(lambda: sg.efa(x, 5, n_sim=100)) - median_time(lambda: sg.efa(x, 5, n_sim=1))
    print(f"parallel analysis, 100 random data sets: {par * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
