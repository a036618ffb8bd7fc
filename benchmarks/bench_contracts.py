"""Data layer at scale: load + clean + customer_features on synthetic contracts.

    python benchmarks/bench_contracts.py                  # 1,000,000 contracts (BENCHMARKS.md)
    python benchmarks/bench_contracts.py --quick          # 100,000 contracts, one repeat

The contracts come from segment.datasets.make_contracts (Paper B's schema, with
its dirty rows and debtors, so the cleaning has work to do). They are written
once to Parquet and CSV in a temporary folder; then, for each source (an
in-memory DataFrame, the Parquet file, the CSV file), a fresh Python process
times load_contracts (read + clean), customer_features (all 12 features) and
minmax_scale of the Paper B features, and records its peak resident memory
during those steps (VmHWM, reset after the input is prepared; Linux) and the
whole process peak. The target of issue 4 is load + clean + features in under
10 s for one million contracts on 2 cores. Timings are medians of --repeats runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine as shared_machine  # noqa: E402

HERE = Path(__file__).resolve().parent


def _rss_mib(field: str) -> float:
    """VmRSS / VmHWM of this process in MiB (Linux), or ru_maxrss elsewhere."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def child(source: str, path: str, repeats: int) -> dict:
    """Run in a fresh process: time the pipeline on one source."""
    import numpy as np
    import pandas as pd

    import segment as sg

    data = pd.read_parquet(path) if source == "DataFrame" else path
    rss_before = _rss_mib("VmRSS")
    peak_reset = _reset_peak()
    times = {"load_contracts": [], "customer_features": [], "minmax_scale": [], "total": []}
    n_kept = n_customers = 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        contracts = sg.load_contracts(data)
        t1 = time.perf_counter()
        customers = sg.customer_features(contracts, as_of="2022-07-12")
        t2 = time.perf_counter()
        sg.minmax_scale(customers[sg.PAPER_B_FEATURES])
        t3 = time.perf_counter()
        times["load_contracts"].append(t1 - t0)
        times["customer_features"].append(t2 - t1)
        times["minmax_scale"].append(t3 - t2)
        times["total"].append(t3 - t0)
        n_kept, n_customers = len(contracts), len(customers)
        del contracts, customers
    return {
        "source": source,
        **{k: float(np.median(v)) for k, v in times.items()},
        "rows_kept": n_kept,
        "customers": n_customers,
        "rss_before_mib": rss_before,
        "peak_during_mib": _rss_mib("VmHWM") if peak_reset else None,
        "peak_process_mib": _rss_mib("VmHWM") if not peak_reset else None,
    }


def machine() -> dict:
    return shared_machine("pandas")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="contracts (default 1,000,000)")
    ap.add_argument("--quick", action="store_true", help="100,000 contracts, one repeat")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sources", default="DataFrame,parquet,csv")
    ap.add_argument("--out", default=str(HERE / "results" / "contracts.json"))
    ap.add_argument("--child", nargs=3, metavar=("SOURCE", "PATH", "REPEATS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        source, path, repeats = args.child
        print(json.dumps(child(source, path, int(repeats))))
        return
    if args.quick:
        args.n, args.repeats = 100_000, 1

    import segment as sg

    info = {"machine": machine(), "n_contracts": args.n, "repeats": args.repeats, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        raw = sg.datasets.make_contracts(args.n, random_state=0)
        info["make_contracts_s"] = time.perf_counter() - t0
        paths = {"parquet": os.path.join(tmp, "contracts.parquet"),
                 "csv": os.path.join(tmp, "contracts.csv")}
        raw.to_parquet(paths["parquet"])
        raw.to_csv(paths["csv"], index=False)
        info["csv_mib"] = os.path.getsize(paths["csv"]) / 2**20
        info["parquet_mib"] = os.path.getsize(paths["parquet"]) / 2**20
        del raw
        print(f"{args.n:,} contracts; make_contracts {info['make_contracts_s']:.2f} s; "
              f"CSV {info['csv_mib']:.0f} MiB, Parquet {info['parquet_mib']:.0f} MiB")
        print(f"{'source':<10} {'load+clean':>11} {'features':>9} {'scale':>7} {'total':>7} "
              f"{'kept':>9} {'customers':>9} {'RSS before':>11} {'peak':>6} {'added':>6}")
        for source in args.sources.split(","):
            path = paths["parquet"] if source == "DataFrame" else paths[source]
            out = subprocess.run(
                [sys.executable, __file__, "--child", source, path, str(args.repeats)],
                capture_output=True, text=True, check=True,
            )
            run = json.loads(out.stdout.strip().splitlines()[-1])
            info["runs"].append(run)
            peak = run["peak_during_mib"] or run["peak_process_mib"]
            print(f"{source:<10} {run['load_contracts']:>10.2f}s {run['customer_features']:>8.2f}s "
                  f"{run['minmax_scale']:>6.3f}s {run['total']:>6.2f}s {run['rows_kept']:>9,} "
                  f"{run['customers']:>9,} {run['rss_before_mib']:>11.0f} {peak:>6.0f} "
                  f"{peak - run['rss_before_mib']:>6.0f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(info, indent=2))
    print("memory in MiB: RSS before = resident set after imports (and, for DataFrame, the "
          "input frame);\npeak = highest RSS during the timed steps; added = peak - before. "
          f"Written to {args.out}")


if __name__ == "__main__":
    main()
