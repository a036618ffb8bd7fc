/* seg_silhouette_chunks.h: the exact silhouette (Rousseeuw 1987) of data
 * that lives in row chunks on several machines (segment.dask).
 *
 * For every pair of chunks (A, B), seg_silhouette_chunk_sums gives each row
 * of A its per-cluster sums of distances to the rows of B (and, optionally,
 * the reverse); the driver adds them over B in chunk order, and
 * seg_silhouette_from_sums turns a row's sums over all n rows into s(i) with
 * seg_silhouette_samples' rules. Data, memory, determinism and interrupts as
 * in seg_kmeans_step.h; failures fill the optional seg_detail.
 */
#ifndef SEG_SILHOUETTE_CHUNKS_H
#define SEG_SILHOUETTE_CHUNKS_H

#include "seg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Scratch doubles for seg_silhouette_chunk_sums; -1 if d overflows. */
seg_idx seg_silhouette_chunk_sums_work_size(seg_idx d);

/* Distance sums between two chunks A (ma x d, labels la) and B (mb x d,
 * labels lb), labels in [0, k):
 *   sa (ma x k): sa[i][c] = sum of ||A_i - B_j|| over the rows j of B in cluster c;
 *   sb (mb x k, may be NULL): sb[j][c] = sum of ||A_i - B_j|| over the rows i
 *     of A in cluster c (la may be NULL when sb is).
 * Both are overwritten, and every sum takes its terms in row order of the
 * other chunk. Distances come from coordinate differences, so a row and its
 * copy are exactly 0 apart (A and B may be the same chunk). The cost is
 * ma * mb distances; scratch is seg_silhouette_chunk_sums_work_size(d). */
seg_status seg_silhouette_chunk_sums(const double *A, const int32_t *la, seg_idx ma,
                                     const double *B, const int32_t *lb, seg_idx mb, seg_idx d,
                                     seg_idx k, const seg_interrupt *intr, double *sa, double *sb,
                                     double *work, seg_detail *detail);

/* Silhouette of m rows from their per-cluster distance sums over all n rows
 * (sums, m x k, as summed from seg_silhouette_chunk_sums), their labels and
 * the cluster sizes counts (k, over all n rows): a = sums[own] / (counts[own]
 * - 1), b = min over clusters c != own with counts[c] > 0 of sums[c] /
 * counts[c], s = (b - a) / max(a, b); s = 0 when the row is alone in its
 * cluster or a = b = 0 (seg_silhouette_samples' rules). Needs at least two
 * non-empty clusters (SEG_EDEGENERATE) and counts[label] >= 1. */
seg_status seg_silhouette_from_sums(const double *sums, const int32_t *labels, seg_idx m,
                                    seg_idx k, const int64_t *counts, double *s,
                                    seg_detail *detail);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SILHOUETTE_CHUNKS_H */
