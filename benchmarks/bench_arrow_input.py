"""Reading polars / pyarrow / DuckDB data: the Arrow path against a pandas round trip.

    python benchmarks/bench_arrow_input.py            # 2,000,000 rows x 8 columns
    python benchmarks/bench_arrow_input.py --quick    # 200,000 rows, one repeat

The same float64 matrix (one int64 column among them, 1% nulls in another) as
a pandas DataFrame, a polars DataFrame, a pyarrow Table and a DuckDB relation.
For each, the time segment takes to read it into the float matrix every
public function works on (``segment._validation.read_numeric``, the one path:
column by column through the Arrow PyCapsule protocol for the last three),
against converting it to pandas first (``to_pandas()`` / ``.df()``, what a
user had to do before). Medians of --repeats runs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from _machine import machine
from bench_cluster import median_time  # pauses 0.3 s before each timed call

from segment._validation import read_numeric

HERE = Path(__file__).resolve().parent


def _frame(n: int, d: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(n, d)), columns=[f"x{j}" for j in range(d)])
    df["x0"] = rng.integers(0, 1000, size=n)  # int64
    df.loc[rng.random(n) < 0.01, "x1"] = np.nan  # nulls once in Arrow
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n = 200_000 if args.quick else 2_000_000
    repeats = 1 if args.quick else args.repeats
    df = _frame(n)
    table = pa.Table.from_pandas(df, preserve_index=False)
    sources = {
        "polars DataFrame": (pl.from_arrow(table), lambda x: x.to_pandas()),
        "pyarrow Table": (table, lambda x: x.to_pandas()),
        "DuckDB relation": (duckdb.from_arrow(table), lambda x: x.df()),
    }
    expected = read_numeric(df).values
    rows = []
    t = median_time(lambda: read_numeric(df), repeats)[0]
    rows.append({"input": "pandas DataFrame", "arrow_s": None, "via_pandas_s": t})
    for name, (obj, to_pandas) in sources.items():
        np.testing.assert_array_equal(read_numeric(obj).values, expected)
        arrow_t = median_time(lambda obj=obj: read_numeric(obj), repeats)[0]
        pandas_t = median_time(lambda obj=obj, f=to_pandas: read_numeric(f(obj)), repeats)[0]
        rows.append({"input": name, "arrow_s": arrow_t, "via_pandas_s": pandas_t})
    out = {
        "machine": machine("pyarrow", "polars", "duckdb", "pandas"),
        "rows": n,
        "columns": df.shape[1],
        "matrix_mib": expected.nbytes / 2**20,
        "results": rows,
    }
    print(f"{n:,} rows x {df.shape[1]} columns ({expected.nbytes / 2**20:.0f} MiB as float64)")
    print(f"{'input':18} {'Arrow path (s)':>15} {'via pandas (s)':>15}")
    for r in rows:
        a = "-" if r["arrow_s"] is None else f"{r['arrow_s']:.3f}"
        print(f"{r['input']:18} {a:>15} {r['via_pandas_s']:>15.3f}")
    if not args.quick:
        (HERE / "results" / "arrow_input.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
