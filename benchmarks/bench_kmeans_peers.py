"""segment.kmeans against its k-means peers, one process, same data, interleaved.

    python benchmarks/bench_kmeans_peers.py            # Paper B K = 2..10 and 1M rows K = 5, 10, 20
    python benchmarks/bench_kmeans_peers.py --quick    # Paper B only, 3 seeds
    python benchmarks/bench_kmeans_peers.py --only big --big-seeds 2
    python benchmarks/bench_kmeans_peers.py --dtype float32   # every library on float32 data

Peers: scikit-learn ``KMeans``, scikit-learn-intelex ``sklearnex.cluster.KMeans``
(Intel's oneDAL), ``faiss.Kmeans`` (the ``bench`` extra installs them). All get
n_init = 10 (faiss: ``nredo=10``) and 2 threads, and the same C-contiguous
array (faiss: a float32 copy, the only dtype it takes; the copy is made
outside the timing). For every seed the four run one after another, in a
rotating order (A B C D, B C D A, ...), each after a 0.3 s pause for the
previous library's idle worker threads; the table gives the median time and
the median inertia over the seeds.

Inertia is recomputed for everyone the same way, in float64 with numpy, from
the returned centres (every row to its nearest centre): a library's own
figure may differ in its last digits (faiss reports a float32 sum).

faiss has no tolerance: it runs exactly ``niter`` iterations, and seeds with
random rows, not k-means++. Its niter is chosen per K before timing: the
smallest of 10, 20, 40, 80, 160, 300 whose median inertia over three seeds
(nredo=1) is within 1e-6 relative of niter=300's, i.e. converged as far as
the inertia shows. ``max_points_per_centroid`` is raised to n (its default,
256, trains on a subsample of 256 K rows). faiss's labels come from a search
of the trained index, inside the timing: every library returns labels.

Data: Paper B's features (min-max scaled Table 7 features of segment's
synthetic contracts, 88,390 contracts -> about 66,700 rows x 8), and the same
features of 1,330,000 contracts (about 1,000,000 rows).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

N_THREADS = 2
os.environ.setdefault("OMP_NUM_THREADS", str(N_THREADS))

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402
from bench_cluster import paper_b_features, settle  # noqa: E402

import segment as sg  # noqa: E402

HERE = Path(__file__).resolve().parent
N_INIT = 10
NITER_STEPS = (10, 20, 40, 80, 160, 300)


def inertia(X: np.ndarray, centers: np.ndarray) -> float:
    """Sum over rows of the squared distance to the nearest centre, float64."""
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(centers, dtype=np.float64)
    total = 0.0
    for i0 in range(0, X.shape[0], 65536):
        x = X[i0 : i0 + 65536]
        d2 = ((x[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
        total += float(d2.min(axis=1).sum())
    return total


def run_segment(X, k, seed, _):
    res = sg.kmeans(X, k, n_init=N_INIT, random_state=seed, n_threads=N_THREADS)
    return res.centers


def run_sklearn(X, k, seed, _):
    from sklearn.cluster import KMeans

    return KMeans(k, n_init=N_INIT, random_state=seed).fit(X).cluster_centers_


def run_sklearnex(X, k, seed, _):
    from sklearnex.cluster import KMeans

    return KMeans(k, n_init=N_INIT, random_state=seed).fit(X).cluster_centers_


def faiss_fit(X32, k, seed, niter, nredo=N_INIT):
    import faiss

    km = faiss.Kmeans(
        X32.shape[1],
        k,
        niter=niter,
        nredo=nredo,
        seed=seed,
        max_points_per_centroid=X32.shape[0],
        verbose=False,
    )
    km.train(X32)
    km.index.search(X32, 1)  # the labels
    return km.centroids


def run_faiss(X, k, seed, ctx):
    return faiss_fit(ctx["X32"], k, seed + 1, ctx["niter"][k])  # faiss wants seed > 0


PEERS = {
    "segment": run_segment,
    "sklearnex": run_sklearnex,
    "sklearn": run_sklearn,
    "faiss": run_faiss,
}


def faiss_niter(X, X32, k) -> int:
    """The smallest niter of NITER_STEPS converged as far as the inertia shows."""
    by = {}
    for niter in NITER_STEPS:
        by[niter] = np.median([inertia(X, faiss_fit(X32, k, s + 1, niter, 1)) for s in range(3)])
    final = by[NITER_STEPS[-1]]
    return next(n for n in NITER_STEPS if by[n] <= final * (1 + 1e-6))


def ratio(row) -> str:
    if "sklearnex_s" not in row or "segment_s" not in row:
        return "-"
    return f"{row['sklearnex_s'] / row['segment_s']:.2f}x"


def bench(X, ks, seeds, names, label):
    import faiss

    faiss.omp_set_num_threads(N_THREADS)
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    ctx = {"X32": X32, "niter": {}}
    rows = []
    for k in ks:
        if "faiss" in names:
            ctx["niter"][k] = faiss_niter(X, X32, k)
        times = {name: [] for name in names}
        inert = {name: [] for name in names}
        for s in range(seeds):
            order = names[s % len(names) :] + names[: s % len(names)]
            for name in order:
                settle()
                t0 = time.perf_counter()
                centers = PEERS[name](X, k, s, ctx)
                times[name].append(time.perf_counter() - t0)
                inert[name].append(inertia(X, centers))
        row = {"data": label, "n": X.shape[0], "k": k, "faiss_niter": ctx["niter"].get(k)}
        for name in names:
            row[f"{name}_s"] = float(np.median(times[name]))
            row[f"{name}_inertia"] = float(np.median(inert[name]))
        rows.append(row)
        print(
            f"| {label} | {k} | "
            + " | ".join(f"{row[f'{n}_s']:.3f} / {row[f'{n}_inertia']:.2f}" for n in names)
            + f" | {row['faiss_niter']} | {ratio(row)} |",
            flush=True,
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="Paper B only, 3 seeds")
    ap.add_argument("--seeds", type=int, default=5, help="seeds per K on Paper B (default 5)")
    ap.add_argument("--big-seeds", type=int, default=3, help="seeds per K at 1M rows")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset")
    ap.add_argument("--only", choices=("paper_b", "big"), help="one of the two data sets")
    ap.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    ap.add_argument("--out", default=str(HERE / "results" / "kmeans_peers.json"))
    args = ap.parse_args()
    names = args.peers.split(",")
    info = {
        "machine": machine(
            "scikit-learn",
            "scikit-learn-intelex",
            "faiss-cpu",
            load=os.getloadavg(),
            n_threads=N_THREADS,
            dtype=args.dtype,
        )
    }
    print(info["machine"], flush=True)
    print(
        "| data | K | "
        + " | ".join(f"{n} s / inertia" for n in names)
        + " | faiss niter | sklearnex / segment |"
    )
    print("|---|---|" + "---|" * len(names) + "---|---|")
    if args.only != "big":
        X = paper_b_features(88_390).astype(args.dtype)
        info["paper_b"] = bench(
            X, list(range(2, 11)), 3 if args.quick else args.seeds, names, f"Paper B {X.shape[0]:,}"
        )
    if not args.quick and args.only != "paper_b":
        big = paper_b_features(1_330_000).astype(args.dtype)
        info["big"] = bench(big, [5, 10, 20], args.big_seeds, names, f"{big.shape[0]:,} rows")
    info["load_after"] = os.getloadavg()
    print(f"load average before / after: {info['machine']['load']} / {info['load_after']}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(info, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
