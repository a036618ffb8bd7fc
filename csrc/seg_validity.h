/* seg_validity.h: cluster validity indices computed in two O(n*d) passes:
 * the Calinski-Harabasz score (Calinski & Harabasz 1974) and the
 * Davies-Bouldin index (Davies & Bouldin 1979), with scikit-learn's
 * conventions (sklearn.metrics.calinski_harabasz_score and
 * davies_bouldin_score).
 *
 * Data: X is n rows by d columns, row-major, finite float64; labels are int32
 * in [0, k), every value used (the caller encodes), 2 <= k < n.
 *   CH = [sum_c n_c |m_c - m|^2 / (k - 1)] / [sum_i |x_i - m_label(i)|^2 / (n - k)],
 *        1.0 when the within-cluster dispersion is 0;
 *   DB = mean_c max_{c' != c} (s_c + s_c') / |m_c - m_c'|, s_c the mean
 *        distance of cluster c's rows to its centroid m_c; 0 when every s_c
 *        or every centroid distance is within 1e-8 of 0; coinciding centroids
 *        contribute 0 to the max.
 *
 * Memory: scratch of seg_validity_work_size() doubles, O(k*d*(n / chunk)):
 * fixed chunks of rows accumulate partial sums merged in chunk order, so the
 * result is bit-identical on any number of threads.
  *
 * Errors: every kernel takes an optional seg_detail (seg_common.h; NULL
 * allowed) and fills it with the reason (and the row or label) of any failure
 * but an interrupt.
 */
#ifndef SEG_VALIDITY_H
#define SEG_VALIDITY_H

#include "seg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Scratch doubles for seg_cluster_validity; -1 if the sizes overflow. */
seg_idx seg_validity_work_size(seg_idx n, seg_idx d, seg_idx k);

/* Writes the Calinski-Harabasz score and the Davies-Bouldin index (either
 * pointer may be NULL). SEG_EINVAL for a label outside [0, k) or sizes
 * outside the contract, SEG_EDEGENERATE when a label value is unused,
 * SEG_ENONFINITE for NaN/inf in X. */
seg_status seg_cluster_validity(const double *X, seg_idx n, seg_idx d, const int32_t *labels,
                                seg_idx k, int n_threads, const seg_interrupt *intr,
                                double *calinski_harabasz, double *davies_bouldin, double *work,
                                seg_detail *detail);

#ifdef __cplusplus
}
#endif
#endif /* SEG_VALIDITY_H */
