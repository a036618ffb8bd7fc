"""What the stray-quote check costs a CSV read (issue 14, case 4).

    python benchmarks/bench_csv_quote_check.py            # 1,000,000 contracts
    python benchmarks/bench_csv_quote_check.py --quick    # 100,000 contracts

Synthetic contracts (segment.datasets.make_contracts) written to one CSV; the
time of pandas' read as segment calls it (segment._io._read_csv) and of the
check that follows it (segment._io._check_merged_rows: a byte count of the
file's line ends, and a look at the text cells only when there are more lines
than records), median of --repeats runs each; then the same with one quoted
multi-line `location` cell, where every text column is looked at.
"""

from __future__ import annotations

import argparse
import os
import tempfile

from _machine import machine
from bench_cluster import median_time  # pauses 0.3 s before each timed call

from segment import _io
from segment.datasets import make_contracts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    n = 100_000 if args.quick else 1_000_000
    print(machine("pandas"))
    df = make_contracts(n, random_state=0)
    folder = tempfile.mkdtemp()
    for case in ("one line per record", "one quoted multi-line cell"):
        if case != "one line per record":
            df.loc[n // 2, "location"] = "Rua A, 10\nPorto"
        path = os.path.join(folder, "contracts.csv")
        df.to_csv(path, index=False)
        opts = {"sep": ",", "encoding": "utf-8"}
        table = _io._read_csv(path, "contracts.csv", ",", "utf-8", None, {})
        read = median_time(
            lambda p=path: _io._read_csv(p, "contracts.csv", ",", "utf-8", None, {}), args.repeats
        )[0]
        check = median_time(
            lambda t=table, p=path, o=opts: _io._check_merged_rows(t, p, "contracts.csv", o),
            args.repeats,
        )[0]
        size = os.path.getsize(path) / 2**20
        print(
            f"{n:,} rows, {size:.0f} MiB, {case}: read {read:.2f} s, check {check:.3f} s "
            f"({100 * check / read:.0f}% of the read)"
        )


if __name__ == "__main__":
    main()
