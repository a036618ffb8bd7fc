"""Ctrl-C stops long kernels; the GIL is released while they run."""

import textwrap
import threading
import time

import numpy as np
import pytest

import segment as sg
from tests._interrupt import interrupt_child

CHILD = textwrap.dedent(
    """
    import sys, time, numpy as np, segment as sg
    kind = sys.argv[1]
    rng = np.random.default_rng(0)
    # wide: the work between two checks must allow for the feature count
    # batched: Lloyd runs sharing their passes (row blocks past 16 MiB)
    # big: one chunk of 1,000 rows (k x d sums past the accumulators' cap),
    # 5e9 distance terms a pass, which once ran on one thread without a poll
    shape = {"wide": (30_000, 1_000), "4rows": (4, 5_000_000), "big": (1_000, 50_000),
             "batched": (1_500_000, 8)}.get(kind.split("-")[-1])
    if kind == "silhouette":
        X = rng.random((200_000, 8)); labels = rng.integers(0, 5, len(X))
        call = lambda: sg.silhouette_samples(X, labels)
    elif kind.startswith("silhouette-"):
        X = rng.random(shape); labels = np.arange(len(X)) % 2
        call = lambda: [sg.silhouette_samples(X, labels) for _ in range(1000)]
    elif kind.endswith("-big"):
        X = rng.random(shape); C = X[:100].copy()
        km = sg.KMeans(100, init=C, n_init=1, max_iter=1).fit(X[:100])
        call = {
            "hamerly-big": lambda: [sg.kmeans(X, 100, init=C, algorithm="hamerly", max_iter=1000,
                                              tol=0) for _ in range(100)],
            "predict-big": lambda: [km.predict(X) for _ in range(100)],
            "transform-big": lambda: [km.transform(X) for _ in range(100)],
        }[kind]
    elif kind.startswith("kmeans-"):
        X = rng.random(shape)
        call = lambda: [sg.kmeans(X, min(8, len(X) - 1), n_init=4, max_iter=1000, tol=0,
                                  random_state=seed) for seed in range(1000)]
    else:
        X = rng.random((400_000, 16))
        call = lambda: sg.kmeans(X, 200, n_init=50, max_iter=1000, tol=0, random_state=0)
    print("ready", flush=True)
    t0 = time.perf_counter()
    try:
        call()
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - t0:.3f}", flush=True)
    # the next call works and gives the right answer
    s = sg.silhouette_score(np.array([[0.0], [1.0], [10.0], [11.0]]), [0, 0, 1, 1])
    print(f"next {s:.4f}", flush=True)
    """
)


@pytest.mark.parametrize(
    "kind",
    [
        "silhouette",
        "kmeans",
        "silhouette-wide",
        "silhouette-4rows",
        "kmeans-wide",
        "kmeans-4rows",
        "kmeans-batched",
        "hamerly-big",
        "predict-big",
        "transform-big",
    ],
)
def test_ctrl_c_stops_within_a_second(kind):
    line, latency, rest, err, returncode = interrupt_child(CHILD, kind)
    assert line.startswith("interrupted"), (line, err)
    assert latency < 1.0, latency
    assert rest.strip() == "next 0.8997", (rest, err)
    assert returncode == 0


def test_gil_is_released_during_kernels():
    rng = np.random.default_rng(1)
    X = rng.random((30_000, 8))
    labels = rng.integers(0, 4, len(X))
    done = threading.Event()
    ticks = 0

    def work():
        sg.silhouette_samples(X, labels, n_threads=1)
        done.set()

    t = threading.Thread(target=work)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    elapsed = time.perf_counter() - start
    # with the GIL held the loop would not run at all until the call ended
    assert elapsed > 0.05
    assert ticks > 0.3 * elapsed / 0.0015


def test_concurrent_calls_from_threads_equal_serial():
    rng = np.random.default_rng(2)
    data = [rng.random((3000, 5)) for _ in range(4)]
    serial = [sg.kmeans(X, 4, n_init=2, random_state=i) for i, X in enumerate(data)]
    sil_serial = [sg.silhouette_score(X, r.labels) for X, r in zip(data, serial, strict=True)]
    results = [None] * 4

    def run(i):
        r = sg.kmeans(data[i], 4, n_init=2, random_state=i)
        results[i] = (r, sg.silhouette_score(data[i], r.labels))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (r, s), ref, sref in zip(results, serial, sil_serial, strict=True):
        np.testing.assert_array_equal(r.labels, ref.labels)
        assert r.inertia == ref.inertia and s == sref
