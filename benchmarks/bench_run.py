"""`segment run` end to end and stage by stage (issue 12: under 6 s).

    python benchmarks/bench_run.py                        # 3 runs, 88,390 contracts
    python benchmarks/bench_run.py --repeats 5
    python benchmarks/bench_run.py --baseline ../main     # before/after, interleaved

Each run is a fresh process (`python benchmarks/bench_run.py --child OUT`)
that imports segment, wraps the functions `segment run` calls with timers and
runs the command's own ``main(["run", ...])``, so the stages add up to the
command as users run it:

- start-up: a bare interpreter (``python -c pass``, timed on its own);
- import: ``import segment.cli`` (numpy, pandas, segment);
- generate, load + clean, features, scale: make_contracts, load_contracts,
  customer_features, minmax_scale;
- k-means (k_sweep's k-means fits) and silhouettes + scores (the rest of
  k_sweep: the silhouettes of every K, Calinski-Harabasz, Davies-Bouldin);
- profiles, most valuable, VIKOR (rank_segments), CSV files (to_csv);
- silhouette for the plot: the knife plot's ``silhouette_samples`` of the
  chosen K (the sweep computed the same values and kept only their mean);
- plots: the rest of the three figures (matplotlib import, drawing, PNG);
- HTML report; other: what the command does outside those (arguments,
  printing the tables).

The plain command (``python -m segment run``) is timed too, right after each
staged run, so the stage table can be checked against it. With --baseline
DIR [DIR ...] the segment in each DIR (a source tree with its extension
built in place, put first on PYTHONPATH; named by its folder) takes turns
with this tree, run by run, and each gets its ratio to this tree, run by
run. Prints a table of medians (min-max), the load average and the machine.
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

HERE = Path(__file__).resolve().parent
STAGES = [
    "import",
    "generate",
    "load + clean",
    "features",
    "scale",
    "k-means",
    "silhouettes + scores",
    "profiles",
    "most valuable",
    "VIKOR",
    "CSV files",
    "silhouette for the plot",
    "plots",
    "HTML report",
    "other",
]


def _child(out: str, n_contracts: int) -> None:
    """One timed `segment run`, stage times as JSON on the last stdout line."""
    t0 = time.perf_counter()
    import segment.cli as cli  # noqa: PLC0415 - the import is a stage

    times = dict.fromkeys(STAGES, 0.0)
    times["import"] = time.perf_counter() - t0
    import pandas as pd  # noqa: PLC0415 - already imported by segment.cli

    import segment as sg  # noqa: PLC0415
    import segment.metrics  # noqa: PLC0415
    import segment.sweep  # noqa: PLC0415

    untimed = []  # functions a later segment no longer has: their time stays in "other"

    def timed(owner, name, stage):
        fn = getattr(owner, name, None)
        if fn is None:
            untimed.append(f"{getattr(owner, '__name__', owner)}.{name} ({stage})")
            return

        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                times[stage] += time.perf_counter() - t

        setattr(owner, name, wrapper)

    timed(sg.datasets, "make_contracts", "generate")
    for name, stage in [
        ("load_contracts", "load + clean"),
        ("customer_features", "features"),
        ("minmax_scale", "scale"),
        ("profile_clusters", "profiles"),
        ("most_valuable", "most valuable"),
        ("rank_segments", "VIKOR"),
    ]:
        timed(sg, name, stage)
    timed(sg, "k_sweep", "silhouettes + scores")
    timed(segment.sweep, "fit_arrays", "k-means")
    timed(pd.DataFrame, "to_csv", "CSV files")
    timed(cli, "_plots", "plots")
    timed(segment.metrics, "silhouette_samples", "silhouette for the plot")
    timed(cli, "html_report", "HTML report")
    t_run = time.perf_counter()
    code = cli.main(["run", "--out", out, "--n-contracts", str(n_contracts)])
    total = time.perf_counter() - t_run
    if code != 0:
        raise SystemExit(f"segment run exited with {code}")
    times["silhouettes + scores"] -= times["k-means"]  # k_sweep's own share
    times["plots"] -= times["silhouette for the plot"]  # plot_silhouette computes it
    times["other"] = total - sum(v for k, v in times.items() if k not in ("import", "other"))
    print(json.dumps({**times, "untimed": untimed}))


def _wall(argv: list[str], env=None, cwd=None) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(argv, check=True, capture_output=True, text=True, env=env, cwd=cwd)
    return time.perf_counter() - t0, done.stdout


def _env(tree: str) -> dict:
    """The environment of a run of the segment in `tree`: first on the path."""
    return {**os.environ, "PYTHONPATH": str(Path(tree).resolve())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-contracts", type=int, default=88_390)
    ap.add_argument(
        "--baseline",
        nargs="+",
        default=[],
        metavar="DIR",
        help="also time the segment in each DIR (a source tree with its extension built "
        "in place, e.g. another checkout), interleaved with this one: before/after",
    )
    ap.add_argument(
        "--staged-only",
        action="store_true",
        help="skip the plain command after each staged run (half the time)",
    )
    ap.add_argument("--json", default=str(HERE / "results" / "run.json"))
    ap.add_argument("--child", metavar="OUT", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.n_contracts)
        return

    import numpy as np  # noqa: PLC0415
    from _machine import machine  # noqa: PLC0415

    py = sys.executable
    variants = {Path(d).resolve().name: d for d in args.baseline}
    variants["this tree"] = str(HERE.parent)
    rows = {v: {k: [] for k in ["start-up", *STAGES]} for v in variants}
    whole = {v: [] for v in variants}
    staged = {v: [] for v in variants}
    n = str(args.n_contracts)
    notes = set()
    for i in range(args.repeats):
        for v, tree in variants.items():  # A B, A B, ...: the trees take turns
            with tempfile.TemporaryDirectory() as out:
                t_py, _ = _wall([py, "-c", "pass"], cwd=out)
                rows[v]["start-up"].append(t_py)
                argv = [py, __file__, "--child", out, "--n-contracts", n]
                t_staged, text = _wall(argv, env=_env(tree), cwd=out)
                stages = json.loads(text.strip().splitlines()[-1])
                notes.update(stages["untimed"])
                for k in STAGES:
                    rows[v][k].append(stages[k])
                staged[v].append(t_staged)
                line = f"run {i + 1}/{args.repeats}, {v}: staged {t_staged:.2f} s"
                if not args.staged_only:
                    argv = [py, "-m", "segment", "run", "--out", out + "/cmd", "--n-contracts", n]
                    t_cmd, _ = _wall(argv, env=_env(tree), cwd=out)
                    whole[v].append(t_cmd)
                    line += f", `segment run` {t_cmd:.2f} s"
            print(line, flush=True)

    def fmt(values):
        return f"{np.median(values):6.3f} ({min(values):.3f}-{max(values):.3f})"

    names = list(variants)
    print(
        f"\n`segment run` on {args.n_contracts:,} contracts, {args.repeats} runs each, "
        f"median s (min-max); load average {os.getloadavg()[0]:.2f} (1 min) at the end"
    )
    print(f"{'stage':<24}" + "".join(f"{v:<26}" for v in names))
    for k in ["start-up", *STAGES]:
        print(f"{k:<24}" + "".join(f"{fmt(rows[v][k]):<26}" for v in names))
    walls = [("staged run, wall", staged)]
    if not args.staged_only:
        walls.append(("`segment run`, wall", whole))
    for label, data in walls:
        print(f"{label:<24}" + "".join(f"{fmt(data[v]):<26}" for v in names))
    label, data = walls[-1]
    for name in names[:-1]:
        pairs = np.array(data[name]) / np.array(data[names[-1]])
        print(
            f"{label[:-6]} {name} / this tree, run by run: median {np.median(pairs):.2f}x "
            f"({pairs.min():.2f}-{pairs.max():.2f})"
        )
    if notes:
        print("not timed on their own (in the row of their caller or other):", sorted(notes))
    info = machine()
    print("machine:", ", ".join(f"{k} {v}" for k, v in info.items()))
    result = {
        "n_contracts": args.n_contracts,
        "variants": variants,
        "stages_s": rows,
        "segment_run_s": whole,
        "staged_run_s": staged,
        "loadavg": os.getloadavg(),
        "machine": info,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
