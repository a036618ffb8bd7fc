/* seg_pls.h: PLS path models (PLS-SEM), estimate and bootstrap.
 *
 * Usage
 * -----
 *     seg_idx block[8] = {0, 5, 8, 15, 17, 20, 21, 24};   // 7 constructs, 24 items
 *     int8_t mode_b[7] = {0};                             // all Mode A
 *     int8_t adj[49] = {0}; adj[0 * 7 + 1] = 1; ...       // adj[a * m + b]: path a -> b
 *     seg_pls_model mod = {24, 7, block, mode_b, adj, SEG_PLS_PATH, 300, 1e-7, 0};
 *     double *work = malloc(sizeof(double) * seg_pls_work_size(&mod));
 *     seg_pls_fit fit = {w, l, cor, paths, r2, 0, 0, 0.0};
 *     seg_detail why;
 *     seg_status st = seg_pls_estimate(&mod, R, &fit, work, &why);   // R: 24 x 24
 *
 * The model
 * ---------
 * p items in m constructs: construct j owns the items [block[j], block[j+1])
 * (contiguous, every block non-empty, block[0] = 0, block[m] = p); mode_b[j]
 * is 1 for Mode B (formative, regression weights), 0 for Mode A (reflective,
 * correlation weights). adj (m x m, row-major) has adj[a * m + b] = 1 for a
 * structural path a -> b, else 0; the paths must form a DAG (no cycle, no
 * self path) and every construct must have at least one path.
 * seg_pls_check_model verifies all of this; the other kernels trust it.
 *
 * The algorithm (Lohmoller / Wold, as seminr's simplePLS and SmartPLS) runs
 * on the p x p item correlation matrix R (finite, unit diagonal, symmetric;
 * standardized items, sd with n - 1): with W the outer weights, the
 * construct scores are Y = Xs W, cov(Xs, Y) = R W and cov(Y) = W'RW, so
 * every step costs O(p^2 m) or less, whatever the number of respondents.
 *   start: unit weights; the weight change of the first pass is measured
 *   against them (as seminr).
 *   pass it = 0 .. max_iter: (1) normalize W so that every score has unit
 *   variance; construct correlations C = W'RW; (2) inner weights E: path
 *   scheme (E[a, b] = regression coefficient of b on its predecessors for a
 *   predecessor a, C[a, b] for a successor a), factorial (C[a, b] for any
 *   adjacent a) or centroid (sign of it); (3) new weights of construct j:
 *   Mode A w_j = cov(x_j, z_j) = (R W E)[block j, j], Mode B the same
 *   solved by R_jj; normalized again; (4) stop when sum |W_new - W_old|
 *   < tol (then `iterations` = it, seminr's count) or after max_iter + 1
 *   passes (converged = 0: the last weights are used).
 *   Then loadings = (R W)[i, block(i)], construct correlations C, path
 *   coefficients of each endogenous construct by OLS on its predecessors,
 *   and R^2.
 *
 * Degenerate input (SEG_EDEGENERATE, with a seg_detail whose index is a
 * construct): a Mode B block whose items' correlation matrix is singular,
 * predecessors whose scores are collinear, a construct whose scores have
 * no variance (w'R w at most 1e-12 of the sum of its terms' magnitudes:
 * rounding), or a loading beyond +-(1 + 1e-10) (a correlation out of range:
 * the scores lost their precision, or R is no correlation matrix).
 * "Singular" means a Cholesky pivot <= SEG_PLS_PIVOT_RTOL
 * times the largest diagonal element (correlation matrices have diagonal 1).
 *
 * Ties and zeros: the centroid scheme takes sign(0) = 0; a path's
 * coefficient is exactly 0 where there is no path; nothing else is chosen
 * among equals.
 *
 * Bootstrap: resample r (numbered `first + r`, globally) draws n row
 * numbers uniformly with replacement (row floor(u n) for a uniform u in
 * [0, 1)) from a xoshiro256** stream seeded by (seed, first + r) alone, or
 * takes an explicit row set (the jackknife); its item correlation matrix
 * is formed from the multiplicity of each row (weighted means and
 * cross-products, in row order; with missing_mean, a NaN is a missing
 * answer, replaced by the item's mean over the resample's answers, as
 * seminr re-imputes every resample), the model is re-estimated, and its
 * paths, loadings, weights, HTMT and total effects go to the caller's
 * arrays at row r. A resample with a constant item (its centred values
 * within 1e-12 of its largest magnitude) or an unanswered one, or a
 * degenerate estimate, gets status SEG_PLS_BOOT_DEGENERATE (its outputs are
 * NaN); one that did not converge SEG_PLS_BOOT_NOT_CONVERGED (its outputs
 * are those of the last pass). Neither stops the run: the caller counts and
 * reports them.
 *
 * Determinism: one resample is computed by one thread, in a fixed order,
 * into its own output rows: results are bit-identical for any n_threads and
 * any split of the resamples into calls (first, count).
 *
 * Memory: the caller passes outputs and `work` (doubles, sized by the
 * *_work_size() functions; -1 on overflow); nothing is allocated. Estimate:
 * O(p m + m^2 + q^2), q the largest block or construct count. Bootstrap:
 * per thread O(p^2 + p n) plus the estimate's scratch.
 *
 * Interrupts: the bootstrap runs in one parallel region (threads take
 * resamples from a shared counter); its thread 0, the calling thread, calls
 * seg_interrupted(intr) after every SEG_PLS_POLL_WORK multiply-adds of its
 * own resamples (about a millisecond; at least once a resample), and once
 * more at the end; SEG_EINTERRUPTED leaves outputs unspecified.
 *
 * References: Lohmoller (1989); Henseler, Ringle & Sarstedt (2015) for
 * HTMT; seminr (Ray, Danks, Calero Valdez), R/estimate_simplePLS.R and
 * R/evaluate_validity.R, whose conventions these kernels follow; the
 * formulas are restated in the project's SPEC.md ("Survey validation").
 */
#ifndef SEG_PLS_H
#define SEG_PLS_H

#include <stdint.h>

#include "seg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { SEG_PLS_PATH = 0, SEG_PLS_FACTORIAL = 1, SEG_PLS_CENTROID = 2 };

/* Per-resample status of the bootstrap. */
enum { SEG_PLS_BOOT_OK = 0, SEG_PLS_BOOT_NOT_CONVERGED = 1, SEG_PLS_BOOT_DEGENERATE = 2 };

#define SEG_PLS_PIVOT_RTOL 1e-12
/* Multiply-adds of bootstrap work between two interrupt polls (about 1 ms). */
#define SEG_PLS_POLL_WORK 1e6

typedef struct seg_pls_model {
    seg_idx p;            /* items, >= 1 */
    seg_idx m;            /* constructs, >= 2 */
    const seg_idx *block; /* m + 1 offsets */
    const int8_t *mode_b; /* m flags */
    const int8_t *adj;    /* m x m, adj[a * m + b] = 1 for a path a -> b */
    int scheme;           /* SEG_PLS_PATH, SEG_PLS_FACTORIAL or SEG_PLS_CENTROID */
    int max_iter;         /* >= 0 */
    double tol;           /* > 0 */
    int missing_mean;     /* bootstrap only: NaN in X is a missing answer (see there) */
} seg_pls_model;

/* Outputs of one estimate; every pointer is caller-owned. */
typedef struct seg_pls_fit {
    double *weights;    /* p: outer weights (scores of unit variance) */
    double *loadings;   /* p: correlation of each item with its construct */
    double *cor;        /* m x m: construct correlations */
    double *paths;      /* m x m: paths[a * m + b] coefficient of a -> b, 0 without a path */
    double *r2;         /* m: R^2 of each endogenous construct, 0 for exogenous ones */
    int iterations;     /* seminr's count: the pass at which the weights converged */
    int converged;      /* 1 if sum |W_new - W_old| < tol */
    double weight_diff; /* sum |W_new - W_old| of the last pass */
} seg_pls_fit;

/* Checks the model's shapes and structure (see "The model"); why->index is
 * the construct at fault (or -1). work: at least m doubles (scratch for the
 * cycle search; seg_pls_work_size(mod) is always enough). */
seg_status seg_pls_check_model(const seg_pls_model *mod, double *work, seg_detail *why);

/* Scratch doubles for seg_pls_estimate; -1 on overflow. */
seg_idx seg_pls_work_size(const seg_pls_model *mod);

/* Estimates the model on the item correlation matrix R (p x p). */
seg_status seg_pls_estimate(const seg_pls_model *mod, const double *R, seg_pls_fit *fit,
                            double *work, seg_detail *why);

/* HTMT of every pair of constructs from R (p x p) into htmt (m x m,
 * symmetric, 1 on the diagonal): the mean absolute correlation between the
 * two blocks over the geometric mean of the mean absolute correlations
 * within each (1 for a one-item block), as seminr; NaN (undefined) when
 * the items of a block are all uncorrelated with each other. */
void seg_pls_htmt(const seg_pls_model *mod, const double *R, double *htmt);

/* Total effects (m x m) of the path coefficients: paths + paths^2 + ...
 * (finite for a DAG: at most m - 1 powers). work: 2 m^2 doubles. */
void seg_pls_total_effects(seg_idx m, const double *paths, double *total, double *work);

/* Where the bootstrap writes resample r (of count): paths, htmt, total at
 * r * m * m; loadings, weights at r * p; status[r] one of SEG_PLS_BOOT_*;
 * iterations[r] seminr's count (may be NULL). */
typedef struct seg_pls_boot_out {
    double *paths, *loadings, *weights, *htmt, *total;
    int8_t *status;
    int32_t *iterations;
} seg_pls_boot_out;

/* Scratch doubles for seg_pls_bootstrap with n rows and n_threads as passed
 * to it; -1 on overflow. */
seg_idx seg_pls_boot_work_size(const seg_pls_model *mod, seg_idx n, int n_threads);

/* count resamples of the rows of X (n x p, row-major; the items in
 * block order, raw or standardized: correlations do not care). rows NULL:
 * resample first + r draws n rows from the stream of (seed, first + r).
 * rows given: resample r uses the n_rows row numbers rows[r * n_rows ..]
 * (each in [0, n); first and seed are ignored). Needs n >= 2. X must be
 * finite (else SEG_ENONFINITE), or with mod->missing_mean finite or NaN. */
seg_status seg_pls_bootstrap(const seg_pls_model *mod, const double *X, seg_idx n, uint64_t seed,
                             seg_idx first, seg_idx count, const int64_t *rows, seg_idx n_rows,
                             int n_threads, const seg_interrupt *intr, seg_pls_boot_out *out,
                             double *work, seg_detail *why);

#ifdef __cplusplus
}
#endif
#endif /* SEG_PLS_H */
