/* seg_silhouette.h: the exact silhouette coefficient (Rousseeuw 1987).
 *
 * For row i in cluster A: a(i) = mean distance to the other rows of A,
 * b(i) = min over non-empty clusters B != A of the mean distance to the rows
 * of B, s(i) = (b - a) / max(a, b); s(i) = 0 when i is alone in its cluster
 * or when a = b = 0. Distances are Euclidean, computed directly from the
 * coordinate differences (not from |x|^2 + |y|^2 - 2 x.y), so duplicate rows
 * are at distance exactly 0.
 *
 * Data: X is n rows by d columns, row-major, finite float64; labels are int32
 * in [0, k) (empty label values are allowed and ignored); at least two labels
 * must be used.
 *
 * Algorithm and memory: rows are sorted by label into blocks of
 * SEG_SILHOUETTE_BLOCK rows stored column-major, and every pair of blocks is
 * visited once (n^2 / 2 distances): each tile adds its distances both to its
 * rows' and to its columns' per-cluster sums. Groups of up to 8 blocks
 * play a round-robin tournament, so that the tiles run at the same time
 * never share a block, with one synchronisation per round. Scratch (seg_silhouette_work_size) is n*k sums + a sorted copy of X
 * (n*d) + n indices + 5 block rows per thread: O(n*k + n*d), never n by n.
 *
 * Determinism: each sum receives its terms in an order fixed by n and the
 * labels alone, so the result is bit-identical on any number of threads.
 *
 * Interrupts: seg_interrupted(intr) is called between rounds (every few
 * milliseconds); SEG_EINTERRUPTED leaves s unspecified.
 */
#ifndef SEG_SILHOUETTE_H
#define SEG_SILHOUETTE_H

#include "seg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SEG_SILHOUETTE_BLOCK 256

/* Scratch doubles for seg_silhouette_samples; -1 if the sizes overflow. */
seg_idx seg_silhouette_work_size(seg_idx n, seg_idx d, seg_idx k, int n_threads);

/* Writes the silhouette of every row into s (n). Returns SEG_EINVAL for a
 * label outside [0, k) or bad sizes, SEG_ENONFINITE for NaN/inf in X,
 * SEG_EDEGENERATE when fewer than two labels are used. n_threads must be the
 * value the work size was computed with (<= 0: seg_max_threads()). */
seg_status seg_silhouette_samples(const double *X, seg_idx n, seg_idx d, const int32_t *labels,
                                  seg_idx k, int n_threads, const seg_interrupt *intr, double *s,
                                  double *work);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SILHOUETTE_H */
