/* seg_kmeans.h: k-means clustering (Lloyd 1982, with Hamerly 2010 bounds),
 * greedy k-means++ seeding (Arthur & Vassilvitskii 2007, the greedy variant
 * scikit-learn uses), prediction and distances to centres.
 *
 * Data: X is n rows by d columns, row-major, finite float64. Optional sample
 * weights sw (n, finite, >= 0; NULL means all 1). Centres are k by d,
 * row-major. Labels are int32 in [0, k).
 *
 * Memory: the caller passes `work`, a scratch buffer of doubles sized by the
 * matching *_work_size() function; the kernels never allocate. Scratch is
 * O(n*d + k*d*(n / chunk)) doubles: a copy of X in blocks of 8 rows
 * (feature-major inside a block, so 8 rows' distances to a centre are one
 * vector pass; seg_kmeans_fit_runs shares one copy among its runs), plus
 * O(n) per run; never n by n, never n by k. seg_kmeans_fit_runs keeps that
 * O(n) (labels, chunk sums) for up to 16 runs at once when their Lloyd
 * passes are batched (see there).
 *
 * Determinism: rows are cut into fixed chunks whose size depends only on n,
 * k and d. Each chunk accumulates its own partial sums, merged serially in
 * chunk order. So the result (labels, centres, inertia) depends only on the
 * data, the initial centres and the seed, bit for bit, whatever the number of
 * threads.
 *
 * Ties: a point equally near two centres goes to the lower index. Empty
 * clusters (zero total weight) are re-seeded with the points farthest from
 * their centres, farthest first, lower index first on ties; only points away
 * from their centre qualify, so with fewer distinct points than clusters the
 * extra clusters keep their centres (and stay empty) and the run converges.
 * A point's weight leaves its old cluster; a cluster that keeps less than
 * 2^-13 of its weight by such a move counts as emptied and keeps its centre
 * (its weight is then rounding, and the mean could land anywhere).
 *
 * Interrupts: long loops call seg_interrupted(intr) from the calling thread
 * between groups of chunks (every few milliseconds) and return
 * SEG_EINTERRUPTED when asked to stop; outputs are then unspecified.
 *
 * float32 X: every entry point but seg_kmeans_params_default has a _f32
 * twin (declared at the end) taking `const float *X`; centres, weights,
 * inertia and scratch stay double. Distances are float: x - c with the
 * centre rounded to float, squares summed over the d features in float, 16
 * rows per vector pass (twice float64's 8). Everything summed over rows is
 * float64: the centre sums (of (double)x), weights, inertia and k-means++
 * potentials; the centres are float64 inside a fit (division, shift, tol)
 * and rounded to float (k x d) for each pass. Each distance then carries a
 * relative error of about (d + 2) * 2^-24 of the squared norms of x and c
 * involved (d + 2 roundings; cancellation makes it relative to
 * ||x||^2 + ||c||^2, not to the distance), so labels may differ from
 * float64's only for rows nearly equidistant from two centres, and the
 * inertia within the same relative error. Memory: the row-block copy of X
 * is float (half of float64's: pad16(n) * d floats, counted in doubles by
 * the *_work_size_f32 functions), the rest as float64. The chunks are cut in
 * whole blocks of 16 rows, so the float32 results too depend only on the
 * data, centres and seeds, bit for bit, whatever the number of threads.
 * Hamerly is float64 only (the _f32 fits return SEG_EINVAL for it; callers
 * wanting Hamerly run the float64 kernel on a float64 copy).
 *
 * Errors: every kernel takes an optional seg_detail (seg_common.h; NULL
 * allowed) and fills it with the reason (and the row or flat index) of any
 * failure but an interrupt.
 */
#ifndef SEG_KMEANS_H
#define SEG_KMEANS_H

#include "seg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum seg_kmeans_algorithm {
    SEG_KMEANS_LLOYD = 0,   /* every point to every centre each iteration */
    SEG_KMEANS_HAMERLY = 1  /* same answer, skips points whose bounds prove the label */
} seg_kmeans_algorithm;

/* Scratch doubles needed by seg_kmeans_plusplus; -1 if the sizes overflow. */
seg_idx seg_kmeans_plusplus_work_size(seg_idx n, seg_idx d, seg_idx k, seg_idx n_trials);

/* Greedy k-means++: the first centre is a row drawn with probability
 * proportional to its weight; each next centre is the best (lowest resulting
 * potential) of n_trials rows drawn with probability proportional to
 * weight * squared distance to the nearest chosen centre. Writes k rows of X
 * into centers (k x d) and their row numbers into indices (may be NULL).
 * Needs 1 <= k <= n, n_trials >= 1. The same seed gives the same centres. */
seg_status seg_kmeans_plusplus(const double *X, seg_idx n, seg_idx d, const double *sw, seg_idx k,
                               seg_idx n_trials, uint64_t seed, int n_threads,
                               const seg_interrupt *intr, double *centers, seg_idx *indices,
                               double *work, seg_detail *detail);

/* Scratch doubles needed by seg_kmeans_fit; -1 if the sizes overflow. */
seg_idx seg_kmeans_fit_work_size(seg_idx n, seg_idx d, seg_idx k, seg_kmeans_algorithm algorithm);

/* Lloyd iterations from the k x d centres given in `centers` (overwritten by
 * the final centres). Stops when the labels stop changing, when the sum over
 * centres of the squared centre shift is <= tol (an absolute tolerance: the
 * caller scales it, e.g. by the mean feature variance as scikit-learn does),
 * or after max_iter iterations (>= 1). On return labels (n) are the nearest
 * final centre of every row, *inertia = sum_i w_i ||x_i - c_label(i)||^2,
 * *n_iter the iterations run, *converged 1 unless max_iter was reached.
 * Needs 1 <= k <= n, finite X and centres, at least one positive weight. */
seg_status seg_kmeans_fit(const double *X, seg_idx n, seg_idx d, const double *sw, seg_idx k,
                          double *centers, int max_iter, double tol,
                          seg_kmeans_algorithm algorithm, int n_threads,
                          const seg_interrupt *intr, int32_t *labels, double *inertia,
                          int *n_iter, int *converged, double *work, seg_detail *detail);

/* The settings of seg_kmeans_fit_runs and seg_sparse_kmeans_fit_runs. Start
 * from seg_kmeans_params_default(k), then set seeds or init_centers (exactly
 * one) and n_init to match:
 *
 *   seg_kmeans_params p = seg_kmeans_params_default(8);
 *   p.n_init = 4;
 *   p.seeds = seeds;  (4 seeds)
 *   seg_kmeans_fit_runs(X, n, d, NULL, &p, NULL, &out, work, NULL);
 *
 * The arrays are the caller's and only read. */
typedef struct seg_kmeans_params {
    seg_idx k;                      /* clusters, 1 <= k <= n */
    int n_init;                     /* runs, >= 1 (default 1) */
    const uint64_t *seeds;          /* n_init k-means++ seeds, or NULL (default) */
    const double *init_centers;     /* n_init x k x d starting centres, or NULL (default) */
    seg_idx n_trials;               /* k-means++ candidates per step, 1..64 (default 2 + ln k,
                                     * scikit-learn's) */
    int max_iter;                   /* Lloyd iterations per run, >= 1 (default 300) */
    double tol;                     /* absolute squared-shift tolerance, >= 0 (default 0) */
    seg_kmeans_algorithm algorithm; /* default Lloyd; the sparse kernel runs Lloyd always */
    int n_threads;                  /* <= 0: seg_max_threads() (default 0) */
} seg_kmeans_params;

/* The defaults above for k clusters (no seeds, no init_centers: set one). */
seg_kmeans_params seg_kmeans_params_default(seg_idx k);

/* What seg_kmeans_fit_runs writes: the best run. centers (k x d) and labels
 * (n) are the caller's arrays; the rest are filled in. */
typedef struct seg_kmeans_runs_out {
    double *centers;  /* k x d: the best run's final centres */
    int32_t *labels;  /* n: the nearest of them for every row */
    double inertia;   /* the best (lowest) inertia, the first run on ties */
    int n_iter;       /* its Lloyd iterations */
    int converged;    /* 0 when it reached max_iter */
    int best_run;     /* its index */
} seg_kmeans_runs_out;

/* Scratch doubles needed by seg_kmeans_fit_runs with these params (n_threads
 * included: the scratch depends on it); -1 if the sizes overflow or a
 * parameter is out of range. */
seg_idx seg_kmeans_runs_work_size(seg_idx n, seg_idx d, const seg_kmeans_params *params);

/* params->n_init independent k-means runs; keeps the one with the lowest
 * inertia (the first run on ties). Run r starts from init_centers + r*k*d
 * when init_centers is not NULL, else from greedy k-means++ seeded with
 * seeds[r] (n_trials candidates per step). Each run is seg_kmeans_plusplus +
 * seg_kmeans_fit; on return *out describes the best run (see
 * seg_kmeans_runs_out).
 *
 * With n_init >= 2 * threads, whole runs execute in parallel, one per thread
 * (one synchronisation per call instead of several per Lloyd iteration: it
 * scales better, and far better on a busy machine); otherwise the runs go one
 * after another, each parallel inside. Lloyd runs (n_init >= 2) on row blocks
 * of more than 16 MiB are moreover batched: a thread's runs (or all of them,
 * when they go one after another), up to 16 at a time, seed one after
 * another, then iterate in lockstep, each pass over a chunk of rows doing
 * every unfinished run's work while the chunk is in the cache (one read of X
 * per iteration instead of one per run; the scratch holds each batched run's
 * labels and chunk sums). Every run depends only on its seed or centres and
 * computes each chunk the same way on every path, so the result is
 * bit-identical on all of them and on any thread count. Scratch:
 * seg_kmeans_runs_work_size(). */
seg_status seg_kmeans_fit_runs(const double *X, seg_idx n, seg_idx d, const double *sw,
                               const seg_kmeans_params *params, const seg_interrupt *intr,
                               seg_kmeans_runs_out *out, double *work, seg_detail *detail);

/* Scratch doubles needed by seg_kmeans_predict (per-chunk inertia). */
seg_idx seg_kmeans_predict_work_size(seg_idx n, seg_idx d, seg_idx k);

/* Nearest centre of every row of X (labels, n) and, if inertia is not NULL,
 * the weighted sum of squared distances to it. */
seg_status seg_kmeans_predict(const double *X, seg_idx n, seg_idx d, const double *sw,
                              const double *centers, seg_idx k, int n_threads,
                              const seg_interrupt *intr, int32_t *labels, double *inertia,
                              double *work, seg_detail *detail);

/* Euclidean distances of every row of X to every centre: out is n x k.
 * Needs no scratch. */
seg_status seg_kmeans_transform(const double *X, seg_idx n, seg_idx d, const double *centers,
                                seg_idx k, int n_threads, const seg_interrupt *intr,
                                double *out, seg_detail *detail);

/* Scratch doubles needed by seg_kmeans_mean_variance; -1 if n or d < 1. */
seg_idx seg_kmeans_variance_work_size(seg_idx n, seg_idx d);

/* The mean over the d columns of X of each column's population variance
 * (numpy's var(X, axis=0).mean()): the scale scikit-learn gives tol. Two
 * passes (column means, then squared deviations), each summed per fixed
 * chunk and merged in chunk order, so the same bits on any thread count.
 * SEG_ENONFINITE if the result is not finite (non-finite X, or overflow). */
seg_status seg_kmeans_mean_variance(const double *X, seg_idx n, seg_idx d, int n_threads,
                                    const seg_interrupt *intr, double *out, double *work,
                                    seg_detail *detail);

/* The float32 twins of the kernels above (see "float32 X" at the top): the
 * same contracts with X float (finite); centres in (init_centers, centers
 * of fit) and out are double and must be within float's range (SEG_EINVAL
 * otherwise: they are rounded to float for the passes), transform writes
 * float distances. algorithm must be SEG_KMEANS_LLOYD. */
seg_idx seg_kmeans_plusplus_work_size_f32(seg_idx n, seg_idx d, seg_idx k, seg_idx n_trials);
seg_status seg_kmeans_plusplus_f32(const float *X, seg_idx n, seg_idx d, const double *sw,
                                   seg_idx k, seg_idx n_trials, uint64_t seed, int n_threads,
                                   const seg_interrupt *intr, double *centers, seg_idx *indices,
                                   double *work, seg_detail *detail);
seg_idx seg_kmeans_fit_work_size_f32(seg_idx n, seg_idx d, seg_idx k,
                                     seg_kmeans_algorithm algorithm);
seg_status seg_kmeans_fit_f32(const float *X, seg_idx n, seg_idx d, const double *sw, seg_idx k,
                              double *centers, int max_iter, double tol,
                              seg_kmeans_algorithm algorithm, int n_threads,
                              const seg_interrupt *intr, int32_t *labels, double *inertia,
                              int *n_iter, int *converged, double *work, seg_detail *detail);
seg_idx seg_kmeans_runs_work_size_f32(seg_idx n, seg_idx d, const seg_kmeans_params *params);
seg_status seg_kmeans_fit_runs_f32(const float *X, seg_idx n, seg_idx d, const double *sw,
                                   const seg_kmeans_params *params, const seg_interrupt *intr,
                                   seg_kmeans_runs_out *out, double *work, seg_detail *detail);
seg_idx seg_kmeans_predict_work_size_f32(seg_idx n, seg_idx d, seg_idx k);
seg_status seg_kmeans_predict_f32(const float *X, seg_idx n, seg_idx d, const double *sw,
                                  const double *centers, seg_idx k, int n_threads,
                                  const seg_interrupt *intr, int32_t *labels, double *inertia,
                                  double *work, seg_detail *detail);
seg_status seg_kmeans_transform_f32(const float *X, seg_idx n, seg_idx d, const double *centers,
                                    seg_idx k, int n_threads, const seg_interrupt *intr,
                                    float *out, seg_detail *detail);
seg_idx seg_kmeans_variance_work_size_f32(seg_idx n, seg_idx d);
seg_status seg_kmeans_mean_variance_f32(const float *X, seg_idx n, seg_idx d, int n_threads,
                                        const seg_interrupt *intr, double *out, double *work,
                                        seg_detail *detail);

#ifdef __cplusplus
}
#endif
#endif /* SEG_KMEANS_H */
