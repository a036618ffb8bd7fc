"""Ctrl-C beyond tests/test_interrupt_threads.py: the public
vikor_weight_sensitivity and k_sweep, and the memory a long call held.

Each case runs in a child interpreter: SIGINT one second into the call must
raise KeyboardInterrupt within a second, give back every byte the call had
allocated (tracemalloc traces the glue's PyMem_RawMalloc scratch and NumPy's
buffers), and leave the module working: the next call returns the right
answer.
"""

from __future__ import annotations

import textwrap

import pytest

from tests._interrupt import interrupt_child

CHILD = textwrap.dedent(
    """
    import gc, sys, time, tracemalloc, warnings, numpy as np, segment as sg
    warnings.simplefilter("ignore")
    kind = sys.argv[1]
    rng = np.random.default_rng(0)
    if kind == "weight_sensitivity":
        M = sg.datasets.load_iot_experts().matrix
        w = sg.entropy_weights(M)
        call = lambda: sg.vikor_weight_sensitivity(M, w, n_samples=10**9, random_state=0,
                                                   v=np.linspace(0, 1, 11))
    elif kind == "k_sweep":
        X = rng.random((150_000, 6))
        call = lambda: sg.k_sweep(X, k=range(2, 12), random_state=0, progress=False)
    else:  # silhouette: about 200,000 * 8 * 8 bytes of scratch held by the call
        X = rng.random((200_000, 8)); labels = rng.integers(0, 8, len(X))
        call = lambda: sg.silhouette_samples(X, labels)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    print("ready", flush=True)
    t0 = time.perf_counter()
    try:
        call()
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - t0:.3f}", flush=True)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    # the next calls work and give the right answers
    s = sg.silhouette_score(np.array([[0.0], [1.0], [10.0], [11.0]]), [0, 0, 1, 1])
    q = sg.vikor([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]], [0.5, 0.5],
                 types=["cost", "benefit"]).Q.tolist()
    print(f"held {held}", flush=True)
    print(f"next {s:.4f} {q}", flush=True)
    """
)


@pytest.mark.parametrize("kind", ["weight_sensitivity", "k_sweep", "silhouette"])
def test_ctrl_c_stops_frees_and_recovers(kind):
    line, latency, rest, err, returncode = interrupt_child(CHILD, kind, timeout=120)
    assert line.startswith("interrupted"), (line, err)
    assert latency < 1.0, latency
    held = int(rest.split("held ")[1].split()[0])
    assert held < 256 * 1024, f"{held} bytes still held after the interrupt"
    assert "next 0.8997 [1.0, 0.0, 1.0]" in rest, (rest, err)
    assert returncode == 0
