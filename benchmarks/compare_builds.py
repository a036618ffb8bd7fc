"""Two builds of segment on the same data, interleaved: did a change move
results or speed? (BENCHMARKS.md, "Before and after the architecture round".)

    python benchmarks/compare_builds.py OLD_VENV/bin/python NEW_VENV/bin/python [--rounds 2]
    python benchmarks/compare_builds.py OLD NEW --big   # k-means at a million rows

With --big the children instead run kmeans(n_init=10, random_state=0) on
Paper B's features of 1,330,000 contracts (about 1,000,000 rows; computed
once and kept in the temporary directory) at K = 5 and 10, on 1 and 2
threads, and report the wall time and the process's CPU time (the CPU time
moves less than the wall time on a busy machine).

Each interpreter runs this file with --child: Paper B's features from the
synthetic contracts at the paper's scale, kmeans(n_init=10, random_state=0)
at K = 4 and 10 (median of 5) and the exact silhouette at K = 6 (median of
3). The values must match to the last digit; the times are compared.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def child() -> dict:
    import numpy as np

    import segment as sg

    contracts = sg.load_contracts(sg.datasets.make_contracts(88_390, random_state=0))
    X = sg.minmax_scale(sg.customer_features(contracts)[sg.PAPER_B_FEATURES])
    X = np.ascontiguousarray(X.to_numpy())
    out = {}
    for k in (4, 10):
        times = []
        for _ in range(5):
            time.sleep(0.3)  # idle OpenMP threads of the previous call settle
            t0 = time.perf_counter()
            res = sg.kmeans(X, k, n_init=10, random_state=0)
            times.append(time.perf_counter() - t0)
        out[f"kmeans_k{k}"] = [float(np.median(times)), res.inertia]
    labels = sg.kmeans(X, 6, n_init=1, random_state=0).labels
    times = []
    for _ in range(3):
        time.sleep(0.3)
        t0 = time.perf_counter()
        score = sg.silhouette_score(X, labels)
        times.append(time.perf_counter() - t0)
    out["silhouette_k6"] = [float(np.median(times)), score]
    return out


def child_big() -> dict:
    import os
    import tempfile

    import numpy as np

    import segment as sg

    path = os.path.join(tempfile.gettempdir(), "segment_compare_builds_1330000.npy")
    if not os.path.exists(path):
        contracts = sg.load_contracts(sg.datasets.make_contracts(1_330_000, random_state=0))
        X = sg.minmax_scale(sg.customer_features(contracts)[sg.PAPER_B_FEATURES])
        np.save(path, np.ascontiguousarray(X.to_numpy()))
    X = np.load(path)
    out = {}
    for k in (5, 10):
        for threads in (1, 2):
            time.sleep(0.3)
            t0, c0 = time.perf_counter(), time.process_time()
            res = sg.kmeans(X, k, n_init=10, random_state=0, n_threads=threads)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            out[f"kmeans_1M_k{k}_{threads}thr_wall"] = [wall, res.inertia]
            out[f"kmeans_1M_k{k}_{threads}thr_cpu"] = [cpu, res.inertia]
    return out


def main() -> None:
    if "--child" in sys.argv:
        print(json.dumps(child_big() if "--big" in sys.argv else child()))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--big", action="store_true", help="k-means at a million rows")
    args = ap.parse_args()
    extra = ["--big"] if args.big else []
    runs = {"old": [], "new": []}
    for _ in range(args.rounds):
        for name in ("old", "new"):
            done = subprocess.run(
                [getattr(args, name), __file__, "--child", *extra],
                check=True,
                capture_output=True,
                text=True,
            )
            runs[name].append(json.loads(done.stdout))
            print(name, runs[name][-1], flush=True)
    for key in runs["old"][0]:
        values = {r[key][1] for name in runs for r in runs[name]}
        print(
            f"{key}: old {[round(r[key][0], 3) for r in runs['old']]} s, new "
            f"{[round(r[key][0], 3) for r in runs['new']]} s, "
            f"{'same value' if len(values) == 1 else 'VALUES DIFFER: ' + str(values)}"
        )


if __name__ == "__main__":
    main()
