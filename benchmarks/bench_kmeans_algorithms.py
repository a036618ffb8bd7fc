"""Lloyd vs Hamerly inside segment: when do Hamerly's bounds pay?

    python benchmarks/bench_kmeans_algorithms.py

Both run from the same seeds (n_init=3, medians of 3 interleaved runs) on
Paper B's features (66,667 x 8, from segment's synthetic contracts), uniform
data (66,651 x 16) and Gaussian blobs (66,660 x 32). The answer is the same
(checked); only the time differs. This sets algorithm="auto" in cluster.py.
"""

import sys
import time
from pathlib import Path

import numpy as np

import segment as sg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cluster import paper_b_features  # noqa: E402


def main() -> None:
    rng = np.random.default_rng(0)
    blobs = np.vstack([rng.normal(c, 1, (6666, 32)) for c in rng.normal(0, 3, (10, 32))])
    data = {
        "paper_b": paper_b_features(88_390),
        "uniform16": rng.random((66651, 16)),
        "blobs32": blobs,
    }
    print("| data | K | Lloyd ms | Hamerly ms | Lloyd / Hamerly |")
    print("|---|---|---|---|---|")
    for name, X in data.items():
        for k in (2, 3, 4, 5, 6, 8, 10, 20):
            ta, tb = [], []
            for rep in range(3):
                t = time.perf_counter()
                a = sg.kmeans(X, k, n_init=3, random_state=rep, algorithm="lloyd")
                ta.append(time.perf_counter() - t)
                t = time.perf_counter()
                b = sg.kmeans(X, k, n_init=3, random_state=rep, algorithm="hamerly")
                tb.append(time.perf_counter() - t)
                if not np.isclose(a.inertia, b.inertia, rtol=1e-9):
                    raise AssertionError(f"{name} K={k}: Lloyd and Hamerly disagree")
            la, hb = np.median(ta) * 1000, np.median(tb) * 1000
            print(f"| {name} | {k} | {la:.0f} | {hb:.0f} | {la / hb:.2f} |", flush=True)


if __name__ == "__main__":
    main()
