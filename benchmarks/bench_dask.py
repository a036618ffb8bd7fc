"""segment.dask vs dask-ml: k-means on the same LocalCluster and the same data.

    python benchmarks/bench_dask.py              # 10,000,000 x 9 float64, K = 5 (BENCHMARKS.md)
    python benchmarks/bench_dask.py --quick      # 1,000,000 rows, 2 repeats: a smoke run

Cluster: one ``distributed.LocalCluster`` of 2 worker processes x 1 thread,
shared by both libraries (a client connected to it is the default scheduler).

Data: generated on the workers, chunk by chunk (chunks of --chunk-rows rows x
9 columns), and persisted before any timing: K = 5 Gaussian blobs in 9
dimensions, centres drawn once from N(0, 2^2) per coordinate
(numpy default_rng(seed)), each row a uniformly drawn centre plus N(0, 1)
noise per coordinate from default_rng([seed, chunk number]). Both libraries
read the same persisted float64 dask array.

Timed: ``fit`` with each library's defaults (init "k-means||",
oversampling_factor 2, max_iter 300, tol 1e-4: relative to the mean feature
variance in segment, absolute in dask-ml) for seeds 0 .. repeats-1,
interleaved (segment, dask-ml, segment, ...) so that load from other jobs on
the machine hits both alike. Medians are reported, the ratio is dask-ml's
median over segment's.

Inertia: every fitted model's centres are scored by the same plain NumPy
evaluation on the cluster (sum over rows of the squared distance to the
nearest centre); dask-ml's own ``inertia_`` is recorded too (it is the sum
of unsquared distances when its last iteration moved the centres).

Lloyd only: both libraries from the same initial centres (rows 0..K-1) for
--lloyd-iters iterations with tol = 0: seconds per Lloyd iteration.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _machine import machine as shared_machine  # noqa: E402

HERE = Path(__file__).resolve().parent


def machine() -> dict:
    import segment

    return shared_machine("scikit-learn", "dask", "distributed", "dask-ml",
                          segment_openmp=bool(segment._core.has_openmp()))


def make_blocks(centres, seed, rows, block_id=None):
    rng = np.random.default_rng([seed, block_id[0]])
    labels = rng.integers(0, len(centres), rows)
    return centres[labels] + rng.normal(0.0, 1.0, size=(rows, centres.shape[1]))


def make_data(n: int, d: int, k: int, chunk_rows: int, seed: int):
    import dask
    import dask.array as da

    centres = np.random.default_rng(seed).normal(0.0, 2.0, size=(k, d))
    sizes = [chunk_rows] * (n // chunk_rows) + ([n % chunk_rows] if n % chunk_rows else [])
    chunks = tuple(sizes)
    blocks = [
        da.from_delayed(
            dask.delayed(make_blocks)(centres, seed, m, block_id=(i,)),
            shape=(m, d),
            dtype=np.float64,
        )
        for i, m in enumerate(chunks)
    ]
    return da.concatenate(blocks, axis=0), centres


def inertia_of(X, centres) -> float:
    """Sum of squared distances to the nearest centre: plain NumPy per chunk."""

    def block(x):
        d2 = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        return np.array([d2.min(axis=1).sum()])

    return float(X.map_blocks(block, drop_axis=1, chunks=(1,), dtype=np.float64).sum().compute())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--features", type=int, default=9)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lloyd-iters", type=int, default=10)
    parser.add_argument("--data-seed", type=int, default=2024)
    parser.add_argument("--quick", action="store_true", help="1,000,000 rows, 2 repeats")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "dask.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.repeats = 1_000_000, 2

    from dask.distributed import Client, LocalCluster, wait
    from dask_ml.cluster import KMeans as DaskMLKMeans

    import segment.dask as sgd

    report = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
    print(json.dumps(report["machine"], indent=1))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        t0 = time.perf_counter()
        X, centres = make_data(args.rows, args.features, args.k, args.chunk_rows, args.data_seed)
        X = X.persist()
        wait(X)
        report["data_seconds"] = time.perf_counter() - t0
        report["data"] = {
            "shape": list(X.shape),
            "chunks": len(X.chunks[0]),
            "bytes": int(X.nbytes),
            "true_centres_inertia": inertia_of(X, centres),
        }
        print(f"data {X.shape} in {len(X.chunks[0])} chunks, {report['data_seconds']:.1f} s; "
              f"workers: {len(client.scheduler_info()['workers'])}")

        runs = []
        for seed in range(args.repeats):
            for name in ("segment.dask", "dask-ml"):
                cls = sgd.KMeans if name == "segment.dask" else DaskMLKMeans
                model = cls(n_clusters=args.k, random_state=seed)
                t = time.perf_counter()
                model.fit(X)
                seconds = time.perf_counter() - t
                run = {
                    "library": name,
                    "seed": seed,
                    "seconds": seconds,
                    "n_iter": int(model.n_iter_),
                    "inertia": inertia_of(X, np.asarray(model.cluster_centers_)),
                    "own_inertia": float(model.inertia_),
                }
                runs.append(run)
                print(f"{name:13s} seed {seed}: {seconds:7.2f} s, {run['n_iter']:3d} iterations, "
                      f"inertia {run['inertia']:.8e} (own {run['own_inertia']:.8e})")
        report["runs"] = runs

        init = X[: args.k].compute()
        lloyd = []
        for name in ("segment.dask", "dask-ml"):
            if name == "segment.dask":
                model = sgd.KMeans(args.k, init=init, max_iter=args.lloyd_iters, tol=0.0)
            else:
                model = DaskMLKMeans(args.k, init=init, max_iter=args.lloyd_iters, tol=0.0)
            t = time.perf_counter()
            model.fit(X)
            seconds = time.perf_counter() - t
            lloyd.append({"library": name, "seconds": seconds, "n_iter": int(model.n_iter_),
                          "seconds_per_iter": seconds / int(model.n_iter_)})
            print(f"{name:13s} Lloyd from given centres: {seconds:.2f} s for "
                  f"{model.n_iter_} iterations")
        report["lloyd_only"] = lloyd

    summary = {}
    for name in ("segment.dask", "dask-ml"):
        mine = [r for r in runs if r["library"] == name]
        summary[name] = {
            "median_seconds": float(np.median([r["seconds"] for r in mine])),
            "median_inertia": float(np.median([r["inertia"] for r in mine])),
            "median_n_iter": float(np.median([r["n_iter"] for r in mine])),
        }
    summary["ratio_dask_ml_over_segment"] = (
        summary["dask-ml"]["median_seconds"] / summary["segment.dask"]["median_seconds"]
    )
    summary["inertia_ratio_segment_over_dask_ml"] = (
        summary["segment.dask"]["median_inertia"] / summary["dask-ml"]["median_inertia"]
    )
    report["summary"] = summary
    print(json.dumps(summary, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
