/* seg_kmeans_step.h: k-means and the silhouette one row chunk at a time, for
 * data that lives in pieces on several machines (segment.dask).
 *
 * A driver (Python, over Dask) holds X as row chunks. Per chunk and per pass
 * it makes ONE call here and ships back only small arrays (k x d sums, a few
 * rows); it merges them in chunk order with seg_kmeans_step_merge. The
 * arithmetic is the one of seg_kmeans.c, so a chunked run equals
 * seg_kmeans_fit on the whole data (to round-off in the merged sums):
 *
 *   Lloyd (Lloyd 1982), per iteration:
 *     for each chunk c (any machine):   seg_kmeans_step(chunk c, centres) -> partials_c
 *     on the driver, in chunk order:    seg_kmeans_step_merge(partials_0..p) -> new centres
 *   stop when the merged squared centre shift is <= tol (labels that stop
 *   changing give a shift of exactly 0), then one more seg_kmeans_step pass
 *   with the final centres gives labels and the inertia.
 *
 *   k-means|| seeding (Bahmani, Moseley, Vattani, Kumar & Vassilvitskii 2012,
 *   "Scalable k-means++", Algorithm 2), per round:
 *     seg_kmeans_step_sample   picks each row i independently with probability
 *                              min(1, l * w_i * d2_i / phi)
 *     seg_kmeans_step_nearest  folds the round's new candidates into each row's
 *                              distance to (and number of) its nearest candidate,
 *                              returns the chunk's cost and the candidates' weights
 *   then the weighted candidates are reduced to k centres with seg_kmeans_plusplus
 *   (sample weights = the candidates' weights).
 *
 *   The exact silhouette over chunk pairs is in seg_silhouette_chunks.h.
 *
 * Data: row-major float64, X is m rows by d columns (m >= 0: an empty chunk
 * is allowed and contributes nothing); sample weights sw (m, finite, >= 0) or
 * NULL for all 1; centres k by d, finite; labels int32.
 *
 * Finiteness: the chunk kernels do not scan X up front (a pass as long as the
 * work itself when k is small). A NaN or infinity in X, or values so large
 * that squared distances overflow, make the chunk's outputs non-finite; the
 * kernels check their outputs and return SEG_ENONFINITE.
 *
 * Memory: the caller owns every output and the scratch `work` (sized by the
 * matching *_work_size(); kernels without one need none). Nothing allocates.
 *
 * Determinism: each kernel visits rows in index order and accumulates in a
 * fixed order, single-threaded (the parallelism is the driver's, one chunk per
 * worker); merging partials in chunk order makes the whole run depend only on
 * the data, its chunking and the seeds, bit for bit, never on which worker
 * ran which chunk or when. Ties go to the lower index: a row equally near two
 * centres (or candidates) takes the lower-numbered one; among rows equally far
 * from their centres the lower row number comes first.
 *
 * Errors: every kernel takes an optional seg_detail (seg_common.h) and fills
 * it with the reason (and the row, entry or cluster) of any failure but an
 * interrupt.
 *
 * Interrupts: the chunk kernels call seg_interrupted(intr) every few
 * milliseconds of work and return SEG_EINTERRUPTED when asked to stop;
 * outputs are then unspecified. intr may be NULL.
 */
#ifndef SEG_KMEANS_STEP_H
#define SEG_KMEANS_STEP_H

#include "seg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The rows of a chunk farthest from their nearest centre: the candidates
 * for re-seeding empty clusters (seg_kmeans_fit's rule: an empty cluster
 * takes the row farthest from its centre over all n rows, farthest first,
 * lower row number first on ties). A chunk's `capacity` farthest rows
 * contain every global pick from that chunk when capacity >= k. */
typedef struct seg_kmeans_far {
    seg_idx *index;   /* global row numbers (chunk offset + local row) */
    double *dist;     /* squared distance to the nearest centre */
    int32_t *label;   /* that centre */
    double *weight;   /* the row's sample weight (1 without weights) */
    double *rows;     /* count x d: the rows themselves */
    seg_idx capacity; /* entries the arrays can hold (>= 0) */
    seg_idx count;    /* seg_kmeans_step: out, min(capacity, m), farthest first
                       * seg_kmeans_step_merge: in, entries of all chunks in chunk order */
} seg_kmeans_far;

/* One Lloyd pass over one chunk against the k centres:
 *   labels (m, may be NULL): nearest centre of each row (ties: lower index);
 *   sums (k x d): sum over the rows of cluster j of w_i x_i, zeroed first;
 *   weights (k): sum of w_i over the rows of cluster j;
 *   *sse: sum over rows of w_i ||x_i - c_label(i)||^2, accumulated in row order;
 *   far (may be NULL): the chunk's far->capacity rows farthest from their
 *     nearest centre, sorted by distance descending, row number ascending.
 * offset is the chunk's first global row number (used in far->index only).
 * Returns SEG_EINVAL for m < 0, d < 1, k < 1, offset < 0, offset + m beyond
 * PTRDIFF_MAX or a negative weight; SEG_ENONFINITE for non-finite centres,
 * weights or outputs (a cluster weight that overflows included). */
seg_status seg_kmeans_step(const double *X, seg_idx m, seg_idx d, const double *sw,
                           const double *centers, seg_idx k, seg_idx offset,
                           const seg_interrupt *intr, int32_t *labels, double *sums,
                           double *weights, double *sse, seg_kmeans_far *far,
                           seg_detail *detail);

/* Scratch doubles for seg_kmeans_step_merge; -1 if the sizes overflow. */
seg_idx seg_kmeans_step_merge_work_size(seg_idx k, seg_idx d, seg_idx n_far);

/* The centre update of one Lloyd iteration from the partials of n_chunks
 * chunks, exactly as seg_kmeans_fit does it: sums (n_chunks x k x d) and
 * weights (n_chunks x k) are added in chunk order; a cluster with zero total
 * weight is re-seeded with the farthest unused row of `far` (the chunks'
 * seg_kmeans_far entries concatenated in chunk order, far->count of them),
 * whose weighted row leaves its old cluster (a cluster left with zero weight
 * keeps its previous centre, or is re-seeded in turn when it comes later in
 * cluster order); every other cluster moves to its weighted mean, and a
 * cluster with zero weight and no row left to take keeps its centre.
 * centers (k x d) is read as the current centres and overwritten with the
 * new ones; *shift = sum over clusters of the squared centre move;
 * *n_relocated = clusters re-seeded. far may be NULL when no cluster is
 * empty. Needs the total weight > 0 (SEG_EDEGENERATE otherwise). */
seg_status seg_kmeans_step_merge(seg_idx n_chunks, seg_idx k, seg_idx d, const double *sums,
                                 const double *weights, const seg_kmeans_far *far,
                                 double *centers, double *shift, seg_idx *n_relocated,
                                 double *work, seg_detail *detail);

/* k-means|| sampling for one chunk: draws one uniform u_i in [0, 1) per row,
 * in row order, from seg_rng seeded with `seed`, and picks row i when
 * u_i * phi < ell * w_i * closest_i, i.e. with probability
 * min(1, ell * w_i * closest_i / phi) (Bahmani et al. 2012, Algorithm 2,
 * step 4, with sample weights as multiplicities). closest (m) holds each
 * row's squared distance to its nearest candidate (seg_kmeans_step_nearest).
 * Writes the picked local row numbers, ascending, into picked (capacity m)
 * and their count into *n_picked. Needs ell > 0 and phi > 0, both finite. */
seg_status seg_kmeans_step_sample(const double *closest, const double *sw, seg_idx m, double ell,
                                  double phi, uint64_t seed, seg_idx *picked,
                                  seg_idx *n_picked, seg_detail *detail);

/* k-means|| bookkeeping for one chunk: folds q new candidates (cand, q x d,
 * numbered first .. first + q - 1 among all candidates) into closest (m:
 * squared distance of each row to its nearest candidate) and nearest (m: that
 * candidate's number). A candidate replaces the current nearest only when
 * strictly nearer, so ties keep the lower number. reset != 0 starts afresh
 * (closest and nearest are only written; first must be 0). Then writes
 *   *cost: sum of w_i * closest_i in row order (the chunk's part of phi);
 *   cand_weight (n_cand >= first + q): sum of w_i over the rows nearest to
 *     each candidate (Bahmani et al.'s weights, step 7), zero for the others.
 * Returns SEG_EINVAL if a stored nearest is outside [0, first). */
seg_status seg_kmeans_step_nearest(const double *X, seg_idx m, seg_idx d, const double *sw,
                                   const double *cand, seg_idx q, seg_idx first, int reset,
                                   const seg_interrupt *intr, double *closest, int32_t *nearest,
                                   double *cost, double *cand_weight, seg_idx n_cand,
                                   seg_detail *detail);

#ifdef __cplusplus
}
#endif
#endif /* SEG_KMEANS_STEP_H */
