"""The machine and versions every benchmark records next to its figures."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version

import numpy as np

import segment


def _first_line_value(path: str, key: str) -> str | None:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine(*packages: str, **extra) -> dict:
    """CPU, cores, memory, Python, numpy and segment, the versions of the
    named distributions (e.g. "scikit-learn"), then ``extra``."""
    mem = _first_line_value("/proc/meminfo", "MemTotal")
    info = {
        "cpu": _first_line_value("/proc/cpuinfo", "model name") or "unknown",
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem.split()[0]) / 2**20, 1) if mem else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    for name in packages:
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            info[name] = "not installed"
    info["segment"] = segment.__version__
    info["openmp_threads"] = segment._core.max_threads()
    info.update(extra)
    return info
