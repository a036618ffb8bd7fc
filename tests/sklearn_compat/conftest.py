"""scikit-learn's own k-means and clustering-metric tests, run against segment.

The two test files beside this one are scikit-learn's, with only their
imports changed (see their headers). This file gives them the two fixtures
they take from scikit-learn's conftest and lists, in EXCEPTIONS, every test
that is not expected to pass against segment, with the reason: each becomes
a strict xfail (so a test that starts passing is noticed) or, where the test
exercises scikit-learn's own private code or MiniBatchKMeans and nothing of
segment's, a skip that says so in the report (-rs).
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest


@pytest.fixture(params=[np.float32, np.float64])
def global_dtype(request):
    # scikit-learn skips float32 unless SKLEARN_RUN_FLOAT32_TESTS=1: segment runs both.
    yield request.param


def pytest_generate_tests(metafunc):
    if "global_random_seed" in metafunc.fixturenames:
        spec = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", "42")
        if spec == "all":
            seeds = list(range(100))
        elif "-" in spec:
            lo, hi = spec.split("-")
            seeds = list(range(int(lo), int(hi) + 1))
        else:
            seeds = [int(spec)]
        metafunc.parametrize("global_random_seed", seeds)


_MINIBATCH = "MiniBatchKMeans is scikit-learn's own estimator, out of scope (issue 13)"
_PRIVATE = "tests scikit-learn's private helper {}; no segment code runs in it"

# (regular expression searched in the test id, "skip" or "xfail", reason).
# The one place that says which of scikit-learn's tests do not run, or are
# expected to fail, against segment, and why.
EXCEPTIONS: list[tuple[str, str, str]] = [
    (r"^test_minibatch_", "skip", _MINIBATCH),
    (r"\[.*MiniBatchKMeans.*\]$", "skip", _MINIBATCH),
    (r"^test_relocate_empty_clusters\[", "skip", _PRIVATE.format("_relocate_empty_clusters_*")),
    (r"^test_euclidean_distance\[", "skip", _PRIVATE.format("_euclidean_*_dense_wrapper")),
    (r"^test_inertia\[", "skip", _PRIVATE.format("_inertia_dense / _inertia_sparse")),
    (r"^test_is_same_clustering$", "skip", _PRIVATE.format("_is_same_clustering")),
    (r"^test_silhouette_reduce\[", "skip", _PRIVATE.format("_silhouette_reduce")),
    (r"^test_silhouette_samples_euclidean_sparse\[", "xfail",
     "float32 dense X is scored in float32 distances (issue 12) and sparse X in float64: "
     "they agree to about 1e-8 here, not to this test's rtol 1e-7 on a silhouette near 0"),
]


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if not str(item.fspath).startswith(here):
            continue
        name = item.nodeid.split("::", 1)[1]
        for pattern, kind, reason in EXCEPTIONS:
            if re.search(pattern, name):
                if kind == "skip":
                    item.add_marker(pytest.mark.skip(reason=reason))
                else:
                    item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
                break
