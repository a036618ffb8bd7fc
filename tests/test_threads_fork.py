"""Threads, OpenMP and fork.

* Kernels run concurrently from several Python threads (the GIL is released)
  and give bit-for-bit the results of serial calls.
* Results do not depend on the number of OpenMP threads, bit for bit.
* n_threads and OMP_NUM_THREADS are respected: a process started with
  OMP_NUM_THREADS=1 never starts a worker thread, n_threads=k starts at most
  k - 1, and Python threads calling kernels add at most their own teams.
  Thread counts are read from /proc/self/status in a fresh interpreter with
  the BLAS pools pinned to one thread, so only segment's OpenMP can add some.
* A fork after a kernel ran: the child must not hang (GNU libgomp does not
  rebuild its thread pool in a forked child: BUG-3, pinned below with the
  workarounds that do work).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pytest

import segment as sg
from segment import _core

LINUX = os.path.exists("/proc/self/status")
needs_proc = pytest.mark.skipif(not LINUX, reason="thread counts come from /proc/self/status")

RNG = np.random.default_rng(11)
DATA = [RNG.random((1500 + 300 * i, 5)) for i in range(4)]
LABELS = [(np.arange(len(X)) * 7919 % 4) for X in DATA]
MATS = [RNG.random((9, 5)) + 0.1 for _ in range(4)]


def workload(i, n_threads=None):
    """A mix of every kernel; returns plain arrays for bitwise comparison."""
    X, lab, M = DATA[i], LABELS[i], MATS[i]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lloyd = sg.kmeans(X, 5, random_state=i, algorithm="lloyd", n_threads=n_threads)
        ham = sg.kmeans(X, 7, random_state=i, algorithm="hamerly", n_threads=n_threads,
                        n_init=2)
        sens = sg.vikor_weight_sensitivity(M, sg.entropy_weights(M), n_samples=3000,
                                           random_state=i, n_threads=n_threads)
        batch = sg.vikor_batch(M, RNG_W[i], n_threads=n_threads)
    return {
        "lloyd_labels": lloyd.labels, "lloyd_centers": lloyd.centers,
        "lloyd_inertia": np.array([lloyd.inertia]),
        "ham_labels": ham.labels, "ham_centers": ham.centers,
        "ham_inertia": np.array([ham.inertia]),
        "silhouette": sg.silhouette_samples(X, lab, n_threads=n_threads),
        "validity": np.array([sg.calinski_harabasz_score(X, lab, n_threads=n_threads),
                              sg.davies_bouldin_score(X, lab, n_threads=n_threads)]),
        "predict": _core.kmeans_predict(X, lloyd.centers, n_threads=n_threads or 0)[0],
        "transform": _core.kmeans_transform(X, lloyd.centers, n_threads=n_threads or 0),
        "sens": sens.to_numpy(),
        "batch_Q": batch.Q.to_numpy(),
    }


RNG_W = [np.random.default_rng(100 + i).random((400, 5)) for i in range(4)]


def assert_same(a, b, what):
    assert a.keys() == b.keys()
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        assert x.dtype == y.dtype and x.shape == y.shape, (what, key)
        assert x.tobytes() == y.tobytes(), f"{what}: {key} differs"


def test_concurrent_python_threads_equal_serial():
    serial = [workload(i) for i in range(4)]
    results = [None] * 4
    errors = []

    def run(i):
        try:
            for _ in range(2):
                results[i] = workload(i)
        except BaseException as exc:  # re-raised below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    for i in range(4):
        assert_same(results[i], serial[i], f"thread {i}")


@pytest.mark.parametrize("n_threads", [1, 2, 3, 5])
def test_results_bit_identical_for_any_thread_count(n_threads):
    ref = workload(0, n_threads=1)
    again = workload(0, n_threads=n_threads)
    assert_same(again, ref, f"n_threads={n_threads}")


def test_same_random_state_same_bits_across_runs():
    a, b = workload(1), workload(1)
    assert_same(a, b, "second run")


# ---------------------------------------------------------------------------
# Thread counts, in a fresh interpreter
# ---------------------------------------------------------------------------

PIN_BLAS = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OMP_PROC_BIND": "false",
            "BLIS_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}

PROBE = """
import json, os, sys, threading, time, hashlib, warnings
import numpy as np, segment as sg
from segment import _core
warnings.simplefilter("ignore")

def threads():
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("Threads:")).split()[1])

rng = np.random.default_rng(3)
X = rng.random((6000, 6)); lab = np.arange(6000) % 5; M = rng.random((9, 5)) + 0.1
def run(nt):
    r = sg.kmeans(X, 6, random_state=0, n_threads=nt, algorithm="lloyd")
    s = sg.silhouette_samples(X[:3000], lab[:3000], n_threads=nt)
    c = sg.calinski_harabasz_score(X, lab, n_threads=nt)
    v = sg.vikor_weight_sensitivity(M, "entropy", n_samples=20000, random_state=0,
                                    n_threads=nt)
    h = hashlib.sha256()
    for a in (r.labels, r.centers, np.array([r.inertia, c]), s, v.to_numpy()):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()

peak = [0]
stop = threading.Event()
def sample():
    while not stop.is_set():
        peak[0] = max(peak[0], threads()); time.sleep(0.0005)

mode = sys.argv[1]
base = threads()
sampler = threading.Thread(target=sample); sampler.start()
time.sleep(0.01)
base_with_sampler = threads()
out = {"max_threads": _core.max_threads(), "base": base_with_sampler}
if mode == "serial":
    out["digest"] = run(None if sys.argv[2] == "None" else int(sys.argv[2]))
else:  # several Python threads call kernels at once
    nt = None if sys.argv[2] == "None" else int(sys.argv[2])
    digests = [None] * 4
    def work(i):
        digests[i] = run(nt)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts: t.start()
    for t in ts: t.join()
    out["digest"] = digests[0]
    out["all_equal"] = len(set(digests)) == 1
out["after"] = threads()
stop.set(); sampler.join()
out["peak"] = peak[0]
print(json.dumps(out))
"""


def probe(mode, n_threads, omp):
    env = {**os.environ, **PIN_BLAS}
    env.pop("OMP_NUM_THREADS", None)
    if omp is not None:
        env["OMP_NUM_THREADS"] = str(omp)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(PROBE), mode, str(n_threads)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@needs_proc
def test_omp_num_threads_1_runs_on_one_thread_with_the_same_result():
    one = probe("serial", None, omp=1)
    assert one["max_threads"] == 1
    # not a single OpenMP worker was started: the sampler saw no new thread
    assert one["peak"] == one["base"] and one["after"] == one["base"], one
    two = probe("serial", None, omp=2)
    assert two["max_threads"] == 2
    assert two["peak"] <= two["base"] + 1, two  # one worker for a team of two
    assert one["digest"] == two["digest"]  # same bits on one or two threads


@needs_proc
@pytest.mark.parametrize("n_threads, workers", [(1, 0), (3, 2)])
def test_n_threads_caps_the_team(n_threads, workers):
    got = probe("serial", n_threads, omp=None)
    assert got["peak"] <= got["base"] + workers, got
    if _core.has_openmp() and workers:
        assert got["peak"] == got["base"] + workers, got  # and it is used
    assert got["digest"] == probe("serial", 1, omp=1)["digest"]


@needs_proc
@pytest.mark.parametrize("omp, n_threads, max_workers", [(2, None, 4), (1, None, 0),
                                                         (None, 1, 0)])
def test_python_threads_with_openmp_do_not_oversubscribe(omp, n_threads, max_workers):
    # 4 Python threads each run kernels: at most one team of OMP_NUM_THREADS
    # (or n_threads) per calling thread, i.e. max_workers OpenMP workers.
    got = probe("threads", n_threads, omp=omp)
    assert got["all_equal"], got
    assert got["peak"] <= got["base"] + 4 + max_workers, got
    assert got["digest"] == probe("serial", 1, omp=1)["digest"]


# ---------------------------------------------------------------------------
# fork
# ---------------------------------------------------------------------------

FORK = """
import multiprocessing as mp, os, sys, time, warnings, numpy as np, segment as sg
warnings.simplefilter("ignore")
X = np.random.default_rng(0).random((20000, 4))
def child(q, nt):
    r = sg.kmeans(X, 3, random_state=0, n_threads=nt)
    s = sg.silhouette_score(X[:2000], np.arange(2000) % 3, n_threads=nt)
    q.put((r.inertia, s))
if __name__ == "__main__":
    method, parent_nt, child_nt = sys.argv[1], sys.argv[2], sys.argv[3]
    parent_nt = None if parent_nt == "None" else int(parent_nt)
    child_nt = None if child_nt == "None" else int(child_nt)
    if parent_nt != -1:
        want = sg.kmeans(X, 3, random_state=0, n_threads=parent_nt).inertia
    else:
        want = None
    ctx = mp.get_context(method)
    q = ctx.Queue()
    p = ctx.Process(target=child, args=(q, child_nt))
    p.start(); p.join(float(sys.argv[4]))
    if p.is_alive():
        p.kill(); p.join()
        print("HUNG", flush=True)
    else:
        inertia, s = q.get(timeout=5)
        same = want is None or inertia == want
        print("OK" if p.exitcode == 0 and same else f"BAD {p.exitcode} {inertia} {want}",
              flush=True)
"""


def fork_probe(tmp_path, method, parent_nt, child_nt, wait=6.0):
    script = tmp_path / "fork_probe.py"  # a file: spawn and forkserver re-import it
    script.write_text(textwrap.dedent(FORK))
    env = {**os.environ, **PIN_BLAS, "OMP_NUM_THREADS": "2"}
    proc = subprocess.run(
        [sys.executable, str(script), method, str(parent_nt), str(child_nt), str(wait)],
        capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1]


needs_fork = pytest.mark.skipif("fork" not in mp.get_all_start_methods(),
                                reason="no fork start method on this platform")


@needs_fork
def test_fork_after_use_does_not_hang_the_child(tmp_path):
    """BUG-3, fixed: GNU libgomp's pool does not survive fork(); a
    pthread_atfork handler in seg_common.c makes a forked child run every
    kernel on one thread."""
    assert fork_probe(tmp_path, "fork", "None", "None") == "OK"


@needs_fork
@pytest.mark.parametrize("method, parent_nt, child_nt", [
    ("fork", -1, "None"),      # the parent never started a team
    ("fork", 1, "None"),       # ... or only ever used one thread
    ("fork", "None", 1),       # the workaround: n_threads=1 in the child
    ("forkserver", "None", "None"),
    ("spawn", "None", "None"),
])
def test_fork_workarounds_finish(tmp_path, method, parent_nt, child_nt):
    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} start method on this platform")
    assert fork_probe(tmp_path, method, parent_nt, child_nt, wait=60.0) == "OK"
