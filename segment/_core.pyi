"""Types of segment._core, the CPython/NumPy glue (segment/_coremodule.c).

The contract between Python and C in one place. Every array argument is
converted with ``PyArray_FROM_OTF(obj, NPY_FLOAT64, NPY_ARRAY_IN_ARRAY)``
(labels: int32, seeds: uint64), re-checked (ndim, shapes, finiteness, label
range) and never modified; a bad argument raises ValueError or TypeError,
never crashes. Every call releases the GIL around its kernel, polls Ctrl-C
(KeyboardInterrupt) and raises MemoryError, with the size, before allocating
more than the machine has. ``n_threads=0`` means all threads (OMP_NUM_THREADS
honoured); results are bit-identical on any thread count.

tests/test_core_pyi.py checks that this file names every entry point with the
parameters the C functions declare.
"""

from collections.abc import Callable
from typing import Any, NamedTuple, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]
I32 = NDArray[np.int32]
IntP = NDArray[np.intp]

# ---- named results ------------------------------------------------------
# Several values come back as a PyStructSequence: a tuple subclass with named
# fields, made in the module's exec (segment/_coremodule.c, RESULT_TYPES).
# Typed here as NamedTuples; tests/test_core_pyi.py checks the field names.

class KMeansSeeds(NamedTuple):
    centers: F64  # (k, d): the chosen rows
    indices: IntP  # (k,): their row numbers

class KMeansFit(NamedTuple):
    labels: I32  # (n,): nearest final centre of every row
    centers: F64  # (k, d)
    inertia: float
    n_iter: int
    converged: bool

class KMeansRuns(NamedTuple):
    labels: I32  # (n,): nearest final centre of every row (best run)
    centers: F64  # (k, d)
    inertia: float  # the lowest over the runs
    n_iter: int
    converged: bool
    best_run: int  # the first on ties

class KMeansPrediction(NamedTuple):
    labels: I32  # (n,)
    inertia: float

class ClusterValidity(NamedTuple):
    calinski_harabasz: float
    davies_bouldin: float

class StepPartials(NamedTuple):
    sums: F64  # (k, d): sum of w_i x_i per cluster
    weights: F64  # (k,)
    sse: float
    far_index: IntP  # (f,): global row numbers, farthest first
    far_dist: F64  # (f,)
    far_label: I32  # (f,)
    far_weight: F64  # (f,)
    far_rows: F64  # (f, d)
    labels: I32 | None  # (m,) with return_labels

class StepMerge(NamedTuple):
    centers: F64  # (k, d)
    shift: float  # sum of squared centre moves
    n_relocated: int

class StepNearest(NamedTuple):
    closest: F64  # (m,)
    nearest: I32  # (m,)
    cost: float
    candidate_weights: F64  # (n_candidates,)

class ChunkSilhouetteSums(NamedTuple):
    sa: F64  # (len(A), k)
    sb: F64 | None  # (len(B), k) with both

class EntropyWeights(NamedTuple):
    weights: F64  # (n,), summing to 1
    entropy: F64  # (n,): E_j
    diversity: F64  # (n,): 1 - E_j

# ---- build facts --------------------------------------------------------

def max_threads() -> int:
    """Threads an OpenMP region may use."""

def has_openmp() -> bool:
    """True when the extension was built with OpenMP."""

# ---- k-means (csrc/seg_kmeans.h) ----------------------------------------
# A float32 ndarray X runs the _f32 kernels (float32 distances, float64
# sums; Lloyd only: algorithm=1 raises ValueError); centres stay float64,
# kmeans_transform then returns float32. Anything else runs as float64.

def kmeans_plusplus(
    X: ArrayLike,
    n_clusters: int,
    sample_weight: ArrayLike | None = None,
    n_trials: int = 0,
    seed: int = 0,
    n_threads: int = 0,
) -> KMeansSeeds:
    """Greedy k-means++: (centers (k, d), row indices (k,)); n_trials=0 is 2 + ln k."""

def kmeans_fit(
    X: ArrayLike,
    centers: ArrayLike,
    sample_weight: ArrayLike | None = None,
    max_iter: int = 300,
    tol: float = 0.0,
    algorithm: int = 0,
    n_threads: int = 0,
) -> KMeansFit:
    """Lloyd (0) or Hamerly (1) from the given centres (copied, not modified):
    (labels, centers, inertia, n_iter, converged); tol is absolute."""

def kmeans_fit_runs(
    X: ArrayLike,
    n_clusters: int,
    seeds: ArrayLike | None = None,
    init_centers: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    n_trials: int = 0,
    max_iter: int = 300,
    tol: float = 0.0,
    algorithm: int = 0,
    n_threads: int = 0,
) -> KMeansRuns:
    """n_init runs, one per uint64 seed (k-means++) or per (k, d) slice of
    init_centers (n_init, k, d): the best run's (labels, centers, inertia,
    n_iter, converged, best_run)."""

def kmeans_predict(
    X: ArrayLike,
    centers: ArrayLike,
    sample_weight: ArrayLike | None = None,
    n_threads: int = 0,
) -> KMeansPrediction:
    """Nearest centre of every row and the (weighted) inertia."""

def kmeans_transform(X: ArrayLike, centers: ArrayLike, n_threads: int = 0) -> NDArray[Any]:
    """Euclidean distances (n, k) to the centres (float32 for float32 X)."""

def kmeans_mean_variance(X: ArrayLike, n_threads: int = 0) -> float:
    """Mean over the columns of each column's population variance."""

# ---- silhouette and validity (csrc/seg_silhouette.h, seg_validity.h) ----

def silhouette_samples(
    X: ArrayLike,
    labels: ArrayLike,
    n_clusters: int,
    n_threads: int = 0,
    metric: str = "euclidean",
) -> F64:
    """Exact silhouette of every row; labels are int32 codes in [0, n_clusters);
    metric "euclidean", "sqeuclidean", "manhattan" or "cosine" (no aliases)."""

def silhouette_scores(
    X: ArrayLike,
    labelings: ArrayLike,
    n_clusters: ArrayLike,
    n_threads: int = 0,
    metric: str = "euclidean",
    progress: Callable[[int], object] | None = None,
    single: bool = False,
) -> F64:
    """Silhouettes (n_labelings, n) of several labelings, every distance
    computed once; labelings int32 (n_labelings, n), labeling l's codes in
    [0, n_clusters[l]); progress(m) gets the distance pairs done since its
    last call; single: X as float32 (float32 distances, float64 sums)."""

def silhouette_precomputed(
    D: ArrayLike,
    labels: ArrayLike,
    n_clusters: int,
    row0: int = 0,
    n_threads: int = 0,
    diag_tol: float = 2.2e-14,
) -> F64:
    """Silhouettes of rows row0 .. row0 + m - 1 from those m rows (m, n) of
    the distance matrix (finite, >= 0, |D[i, row0 + i]| <= diag_tol; inf: no
    diagonal check); labels (n,). Chunks of rows give one call's values."""

def cluster_validity(
    X: ArrayLike, labels: ArrayLike, n_clusters: int, n_threads: int = 0
) -> ClusterValidity:
    """(Calinski-Harabasz, Davies-Bouldin); every label in [0, n_clusters) used."""

# ---- Dask chunk kernels (csrc/seg_kmeans_step.h) ------------------------

def kmeans_step(
    X: ArrayLike,
    centers: ArrayLike,
    sample_weight: ArrayLike | None = None,
    offset: int = 0,
    n_far: int = 0,
    return_labels: bool = False,
) -> StepPartials:
    """One Lloyd pass over a row chunk (labels None unless return_labels)."""

def kmeans_step_merge(
    sums: ArrayLike,
    weights: ArrayLike,
    centers: ArrayLike,
    far_dist: ArrayLike | None = None,
    far_label: ArrayLike | None = None,
    far_weight: ArrayLike | None = None,
    far_rows: ArrayLike | None = None,
) -> StepMerge:
    """Chunks' partials merged in chunk order: (new centers, squared shift, n_relocated)."""

def kmeans_step_nearest(
    X: ArrayLike,
    candidates: ArrayLike,
    first: int,
    n_candidates: int,
    closest: ArrayLike | None = None,
    nearest: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
) -> StepNearest:
    """k-means||: (closest, nearest, cost, candidate weights (n_candidates,))."""

def kmeans_step_sample(
    closest: ArrayLike,
    ell: float,
    phi: float,
    seed: int,
    sample_weight: ArrayLike | None = None,
) -> IntP:
    """k-means|| oversampling: the local rows picked, ascending."""

def kmeans_step_silhouette(
    A: ArrayLike,
    labels_a: ArrayLike,
    B: ArrayLike,
    labels_b: ArrayLike,
    n_clusters: int,
    both: bool = False,
) -> ChunkSilhouetteSums:
    """Per-cluster distance sums between two chunks: (sa (len(A), k), sb or None)."""

def kmeans_step_silhouette_scores(
    sums: ArrayLike, labels: ArrayLike, counts: ArrayLike
) -> F64:
    """Silhouette of rows from their per-cluster distance sums (m, k)."""

# ---- decisions (csrc/seg_mcdm.h) ----------------------------------------

def entropy_weights(x: ArrayLike) -> EntropyWeights:
    """Shannon-entropy weights of the columns: (w, E, d), each (n,)."""

class VikorOut(TypedDict):
    S: F64  # (B, m)
    R: F64  # (B, m)
    Q: F64  # (B, V, m)
    ranking: NDArray[np.int64]  # (B, V, m), ties (within vikor_tol) in input order
    compromise: NDArray[np.bool_]  # (B, V, m)
    advantage: NDArray[np.bool_]  # (B, V): condition C1
    stability: NDArray[np.bool_]  # (B, V): condition C2
    f_star: F64  # (n,)
    f_minus: F64  # (n,)
    constant: NDArray[np.bool_]  # (n,)

def vikor(
    x: ArrayLike,
    weights: ArrayLike,
    v: ArrayLike,
    types: ArrayLike | None = None,
    ideal: ArrayLike | None = None,
    anti_ideal: ArrayLike | None = None,
    n_threads: int = 0,
) -> VikorOut:
    """VIKOR for B weight vectors (B, n) and V values of v; types +1/-1 per criterion."""

class SensitivityOut(TypedDict):
    rank_counts: NDArray[np.int64]  # (V, m, m): [v, alternative, position]
    compromise_counts: NDArray[np.int64]  # (V, m)
    weights: F64 | None  # (n_samples, n) with return_weights

def vikor_weight_sensitivity(
    x: ArrayLike,
    alpha: ArrayLike,
    n_samples: int,
    seed: int,
    v: ArrayLike,
    types: ArrayLike | None = None,
    ideal: ArrayLike | None = None,
    anti_ideal: ArrayLike | None = None,
    n_threads: int = 0,
    return_weights: bool = False,
) -> SensitivityOut:
    """VIKOR over n_samples Dirichlet(alpha) weight draws."""

class Tolerances(TypedDict):
    const_rtol: float
    vikor_tol: float

def mcdm_tolerances() -> Tolerances:
    """The decision kernels' tolerances."""

# ---- sparse input (csrc/seg_sparse.h; glue in segment/_sparse_glue.c) ---
# X is a CSR tuple (indptr (n + 1,) int64, indices (nnz,) int32 or int64,
# data (nnz,) float64, n, d), checked in full by the glue (monotonic indptr,
# indices in range and unique per row, finite data) since the core trusts it.

CSR = tuple[ArrayLike, ArrayLike, ArrayLike, int, int]

def sparse_kmeans_plusplus(
    X: CSR,
    n_clusters: int,
    sample_weight: ArrayLike | None = None,
    n_trials: int = 0,
    seed: int = 0,
    n_threads: int = 0,
) -> KMeansSeeds:
    """As kmeans_plusplus, over CSR rows: the same draws as the dense path."""

def sparse_kmeans_fit_runs(
    X: CSR,
    n_clusters: int,
    seeds: ArrayLike | None = None,
    init_centers: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    n_trials: int = 0,
    max_iter: int = 300,
    tol: float = 0.0,
    n_threads: int = 0,
) -> KMeansRuns:
    """As kmeans_fit_runs (Lloyd only), distances as |x|^2 - 2 x.c + |c|^2."""

def sparse_kmeans_predict(
    X: CSR, centers: ArrayLike, sample_weight: ArrayLike | None = None, n_threads: int = 0
) -> KMeansPrediction:
    """Nearest centre of every row and the (weighted) inertia."""

def sparse_kmeans_transform(X: CSR, centers: ArrayLike, n_threads: int = 0) -> F64:
    """Euclidean distances (n, k) to the centres."""

def sparse_mean_variance(X: CSR, n_threads: int = 0) -> float:
    """Mean over the columns of each column's population variance, zeros included."""

def sparse_silhouette_samples(
    X: CSR, labels: ArrayLike, n_clusters: int, n_threads: int = 0
) -> F64:
    """Exact silhouette of every row, rows densified a block at a time."""

# ---- PLS path models (csrc/seg_pls.h; glue in segment/_pls_glue.c) ----

def pls_estimate(
    R: ArrayLike,
    block: ArrayLike,
    mode_b: ArrayLike,
    path_from: ArrayLike,
    path_to: ArrayLike,
    scheme: int = 0,
    max_iter: int = 300,
    tol: float = 1e-7,
) -> dict[str, Any]:
    """PLS path model on the item correlation matrix R (p, p): weights, loadings (p,),
    cor, paths (m, m), r2 (m,), iterations, converged, weight_diff; or error, index
    (the construct) for degenerate data."""

def pls_htmt(R: ArrayLike, block: ArrayLike) -> F64:
    """HTMT (m, m) of the item blocks from the correlation matrix R."""

def pls_bootstrap(
    X: ArrayLike,
    block: ArrayLike,
    mode_b: ArrayLike,
    path_from: ArrayLike,
    path_to: ArrayLike,
    scheme: int = 0,
    max_iter: int = 300,
    tol: float = 1e-7,
    seed: int = 0,
    first: int = 0,
    count: int = 0,
    rows: ArrayLike | None = None,
    n_threads: int = 0,
    missing_mean: bool = False,
) -> dict[str, NDArray[Any]]:
    """count resamples (numbered first.., seeded by (seed, number)) of the rows of X, or one
    per row of rows: paths, htmt, total (count, m, m), loadings, weights (count, p), status
    (int8: 0 ok, 1 not converged, 2 degenerate), iterations (int32). missing_mean: NaN in X
    is a missing answer, replaced in every resample by the item's mean there."""
