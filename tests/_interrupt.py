"""Run a child Python that prints "ready", starts a long call, and on Ctrl-C
prints "interrupted ..." then the result of a follow-up call: the one
harness of the Ctrl-C tests (test_interrupt_threads, test_interrupt_frees_and_
recovers, test_core_mcdm, test_pls)."""

import os
import signal
import subprocess
import sys
import time


def interrupt_child(code, *args, wait=1.0, timeout=60):
    """SIGINT `wait` seconds after the child says "ready"; returns the line
    that followed, the seconds it took, the rest of stdout, stderr and the
    return code. The child is killed if it outlives the test."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "2"},
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(wait)  # well inside the long call
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        line = proc.stdout.readline().strip()
        latency = time.perf_counter() - sent
        # not communicate(): with two pipes it reads the raw descriptors and
        # would lose what readline() already buffered
        rest = proc.stdout.read()
        err = proc.stderr.read()
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return line, latency, rest, err, proc.returncode
