/* seg_sparse.h: k-means and the exact silhouette on sparse rows (CSR).
 *
 * Data: X is an n by d matrix in compressed sparse row form (seg_csr):
 * row i holds the values data[p] in columns indices[p] for p in
 * [indptr[i], indptr[i + 1]). Column indices are int32 or int64 (scipy uses
 * either), in any order within a row, each at most once (no duplicates),
 * every one in [0, d); indptr starts at 0 and never decreases. The kernels
 * TRUST this structure: check it first with seg_csr_check (the Python glue
 * always does). Values must be finite (the kernels check). Rows without any
 * stored value (all zero) are fine, and so are explicit zeros.
 *
 * Centres are dense (k x d, row-major). Labels are int32 in [0, k). Optional
 * sample weights sw (n, finite, >= 0, positive sum; NULL means all 1).
 *
 * Distances (as scikit-learn's sparse k-means): the nearest centre of row x
 * is argmin_c |c|^2 - 2 x.c (ties to the lower index); a squared distance
 * that is reported (inertia, transform, the choice of re-seeded rows) is
 * sum over stored (x_f - c_f)^2 - c_f^2, plus |c|^2, clamped at 0. Dot
 * products run over the stored values in their stored order, so labels and
 * centres equal scikit-learn's from the same centres up to the rounding of
 * |c|^2 and of the summation of the centre sums (about 1e-15 relative);
 * against the dense kernels on the densified matrix the formula differs, so
 * labels agree unless two centres are within rounding of a tie, centres to
 * about 1e-13 relative, inertia to about 1e-12 relative (the clamp and the
 * cancellation of |c|^2 cost up to eps * |c|^2 per row).
 *
 * k-means++ draws exactly as seg_kmeans_plusplus does (same generator, same
 * draws from the same seed, candidate rows found by the same running sums),
 * so on the densified matrix it picks the same rows unless a draw lands
 * within rounding of a boundary between two rows' shares.
 *
 * Memory: the caller passes `work`, doubles sized by the matching
 * *_work_size(); the kernels never allocate. k-means: O(n + k*d*(n/chunk))
 * (labels are caller-owned; scratch holds row norms, per-chunk sums, a few
 * k x d centre arrays); never n x d, never n x k. Silhouette: O(n + k) plus
 * per thread one dense block of SEG_SPARSE_SIL_BLOCK rows (d x block) and
 * two d-vectors; never n x n.
 *
 * Determinism: rows are cut into fixed chunks (their size depends on n, k,
 * d only); each chunk sums into its own accumulators, merged serially in
 * chunk order: results are bit-identical on any number of threads.
 *
 * Interrupts: seg_interrupted(intr) is called from the calling thread
 * between groups of chunks (every few milliseconds); SEG_EINTERRUPTED leaves
 * the outputs unspecified.
 *
 * Errors: the kernels take an optional seg_detail (seg_common.h; NULL
 * allowed) and fill it with the reason (and the row) of any failure but an
 * interrupt.
 */
#ifndef SEG_SPARSE_H
#define SEG_SPARSE_H

#include "seg_common.h"
#include "seg_kmeans.h" /* seg_kmeans_params, seg_kmeans_runs_out */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct seg_csr {
    seg_idx n, d;             /* rows, columns (both >= 1) */
    const int64_t *indptr;    /* n + 1 offsets */
    const int32_t *indices32; /* exactly one of indices32 and indices64 is set */
    const int64_t *indices64;
    const double *data;       /* indptr[n] values */
} seg_csr;

/* What seg_csr_check found wrong. */
typedef enum seg_csr_problem {
    SEG_CSR_OK = 0,
    SEG_CSR_BAD_SHAPE,     /* n or d < 1, or a NULL array */
    SEG_CSR_BAD_INDPTR,    /* indptr[0] != 0, or indptr[row + 1] < indptr[row] */
    SEG_CSR_BAD_NNZ,       /* indptr[n] differs from nnz, the stored values given */
    SEG_CSR_BAD_INDEX,     /* a column index outside [0, d) in row *row */
    SEG_CSR_DUPLICATE,     /* a column stored twice in row *row */
    SEG_CSR_NONFINITE      /* NaN or infinity stored in row *row */
} seg_csr_problem;

/* Checks the structure of X (indptr, indices, no duplicates, nnz values)
 * and, if check_values, that every value is finite. *row gets the first bad
 * row (-1 if none or not a row's fault). mark is scratch of d int64. O(nnz + d). */
seg_csr_problem seg_csr_check(const seg_csr *X, seg_idx nnz, int check_values, seg_idx *row,
                              int64_t *mark);

/* Scratch doubles for seg_sparse_kmeans_plusplus; -1 on overflow. */
seg_idx seg_sparse_plusplus_work_size(seg_idx n, seg_idx d, seg_idx k, seg_idx n_trials);

/* Greedy k-means++ (see seg_kmeans_plusplus): writes k densified rows of X
 * into centers (k x d) and their row numbers into indices (may be NULL).
 * Needs 1 <= k <= n, 1 <= n_trials <= 64. */
seg_status seg_sparse_kmeans_plusplus(const seg_csr *X, const double *sw, seg_idx k,
                                      seg_idx n_trials, uint64_t seed, int n_threads,
                                      const seg_interrupt *intr, double *centers,
                                      seg_idx *indices, double *work, seg_detail *detail);

/* Scratch doubles for seg_sparse_kmeans_fit_runs with these params; -1 on
 * overflow or a parameter out of range. */
seg_idx seg_sparse_runs_work_size(seg_idx n, seg_idx d, const seg_kmeans_params *params);

/* params->n_init Lloyd runs one after another (each parallel inside), from
 * init_centers + r*k*d when init_centers is not NULL, else from greedy
 * k-means++ seeded with seeds[r]; keeps the lowest inertia (the first run on
 * ties). Lloyd as seg_kmeans_fit (params->algorithm is ignored): stops when
 * no label changes, when the summed squared centre shift is <= tol
 * (absolute), or after max_iter iterations; empty clusters are re-seeded
 * with the rows farthest from their centres as in seg_kmeans.h. *out
 * describes the best run (see seg_kmeans_runs_out). */
seg_status seg_sparse_kmeans_fit_runs(const seg_csr *X, const double *sw,
                                      const seg_kmeans_params *params, const seg_interrupt *intr,
                                      seg_kmeans_runs_out *out, double *work, seg_detail *detail);

/* Scratch doubles for seg_sparse_kmeans_predict and _transform. */
seg_idx seg_sparse_predict_work_size(seg_idx n, seg_idx d, seg_idx k);

/* Nearest centre of every row (labels, n) and, if inertia is not NULL, the
 * weighted sum of squared distances to it. */
seg_status seg_sparse_kmeans_predict(const seg_csr *X, const double *sw, const double *centers,
                                     seg_idx k, int n_threads, const seg_interrupt *intr,
                                     int32_t *labels, double *inertia, double *work,
                                     seg_detail *detail);

/* Euclidean distance of every row to every centre: out is n x k. */
seg_status seg_sparse_kmeans_transform(const seg_csr *X, const double *centers, seg_idx k,
                                       int n_threads, const seg_interrupt *intr, double *out,
                                       double *work, seg_detail *detail);

/* Scratch doubles for seg_sparse_mean_variance. */
seg_idx seg_sparse_variance_work_size(seg_idx n, seg_idx d);

/* Mean over the d columns of each column's population variance, zeros
 * included (scikit-learn's mean_variance_axis(X, 0)[1].mean(), the scale of
 * tol): column sums, then sum over stored (x - mean)^2 + (n - stored) mean^2,
 * each per fixed chunk merged in chunk order. */
seg_status seg_sparse_mean_variance(const seg_csr *X, int n_threads, const seg_interrupt *intr,
                                    double *out, double *work, seg_detail *detail);

/* Rows of the dense blocks the silhouette compares each row with. */
#define SEG_SPARSE_SIL_BLOCK 256

/* Scratch doubles for seg_sparse_silhouette_samples; n_threads as passed
 * to it. -1 on overflow. */
seg_idx seg_sparse_silhouette_work_size(seg_idx n, seg_idx d, seg_idx k, int n_threads);

/* Exact silhouette of every row (as seg_silhouette_samples: same a, b, s and
 * the same rules for singletons and a = b = 0) into s (n). Every row is
 * compared with every other (n^2 distances; the dense kernel's symmetric
 * half would need shared accumulators): tasks of rows, each against blocks
 * of SEG_SPARSE_SIL_BLOCK rows densified in the thread's scratch. A distance
 * is |x|^2 + |y|^2 - 2 x.y when that is exact (integer data, as one-hot
 * encodings) or provably within 1e-10 relative of the true distance;
 * otherwise (near pairs) it is recomputed from the differences of the two
 * rows. Each row's sums take their terms in row order: bit-identical on any
 * number of threads. SEG_EDEGENERATE if fewer than two labels are used. */
seg_status seg_sparse_silhouette_samples(const seg_csr *X, const int32_t *labels, seg_idx k,
                                         int n_threads, const seg_interrupt *intr, double *s,
                                         double *work, seg_detail *detail);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SPARSE_H */
