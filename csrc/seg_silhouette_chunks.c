/* seg_silhouette_chunks.c: the exact silhouette over pairs of row chunks.
 * Contracts in seg_silhouette_chunks.h. */
#include "seg_silhouette_chunks.h"
#include "seg_inline.h"

#include <math.h>
#include <string.h>

/* Columns of B per block: the transposed block (d x SIL_JB) and its
 * accumulators stay in L1/L2 while every row of A passes over them. */
#define SIL_JB 512

seg_idx seg_silhouette_chunk_sums_work_size(seg_idx d) {
    if (d < 1) return -1;
    return seg_mul_add(d + 1, SIL_JB, 0);
}

/* The first row of lab[0..m) outside [0, k), or -1. */
static seg_idx bad_label(const int32_t *lab, seg_idx m, seg_idx k) {
    for (seg_idx i = 0; i < m; i++)
        if (lab[i] < 0 || lab[i] >= k) return i;
    return -1;
}

seg_status seg_silhouette_chunk_sums(const double *A, const int32_t *la, seg_idx ma,
                                     const double *B, const int32_t *lb, seg_idx mb, seg_idx d,
                                     seg_idx k, const seg_interrupt *intr, double *sa, double *sb,
                                     double *work, seg_detail *detail) {
    if (ma < 0 || mb < 0 || d < 1 || k < 1)
        return seg_fail(detail, SEG_EINVAL, "needs ma >= 0, mb >= 0, d >= 1 and k >= 1", -1);
    if (work == NULL || (ma > 0 && (A == NULL || sa == NULL)) ||
        (mb > 0 && (B == NULL || lb == NULL)) || (sb != NULL && ma > 0 && la == NULL))
        return seg_fail(detail, SEG_EINVAL, "A, B, their labels, sa and work must not be NULL",
                        -1);
    if (seg_mul_add(ma, k, 0) < 0 || seg_mul_add(mb, k, 0) < 0 || seg_mul_add(ma, d, 0) < 0 ||
        seg_mul_add(mb, d, 0) < 0)
        return seg_fail(detail, SEG_EINVAL, "m * k or m * d overflows", -1);
    seg_idx bad = bad_label(lb, mb, k);
    if (bad >= 0)
        return seg_fail(detail, SEG_EINVAL, "labels_b must be in [0, k); out of range in row", bad);
    if (sb != NULL && (bad = bad_label(la, ma, k)) >= 0)
        return seg_fail(detail, SEG_EINVAL, "labels_a must be in [0, k); out of range in row", bad);

    if (ma > 0) memset(sa, 0, (size_t)(ma * k) * sizeof(double));
    if (sb != NULL && mb > 0) memset(sb, 0, (size_t)(mb * k) * sizeof(double));
    double *bt = work;               /* d x SIL_JB: the block of B, column-major */
    double *acc = work + d * SIL_JB; /* SIL_JB squared distances */
    seg_idx every = seg_rows_per_check((double)SIL_JB * (double)d);
    for (seg_idx j0 = 0; j0 < mb; j0 += SIL_JB) {
        seg_idx nj = mb - j0 < SIL_JB ? mb - j0 : SIL_JB;
        for (seg_idx j = 0; j < nj; j++)
            for (seg_idx f = 0; f < d; f++) bt[f * SIL_JB + j] = B[(j0 + j) * d + f];
        const int32_t *lbj = lb + j0;
        for (seg_idx i = 0; i < ma; i++) {
            const double *x = A + i * d;
            /* Vectorisable over j: each accumulator adds its d terms in
             * feature order, as a scalar loop would. */
            for (seg_idx j = 0; j < nj; j++) acc[j] = 0.0;
            for (seg_idx f = 0; f < d; f++) {
                const double xf = x[f];
                const double *col = bt + f * SIL_JB;
                for (seg_idx j = 0; j < nj; j++) {
                    double t = xf - col[j];
                    acc[j] += t * t;
                }
            }
            for (seg_idx j = 0; j < nj; j++) acc[j] = sqrt(acc[j]);
            double *si = sa + i * k;
            for (seg_idx j = 0; j < nj; j++) si[lbj[j]] += acc[j];
            if (sb != NULL) {
                seg_idx li = la[i];
                double *sbj = sb + j0 * k + li;
                for (seg_idx j = 0; j < nj; j++) sbj[j * k] += acc[j];
            }
            if ((i + 1) % every == 0 && seg_interrupted(intr)) return SEG_EINTERRUPTED;
        }
        if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
    }
    if ((ma > 0 && !seg_all_finite(sa, ma * k)) ||
        (sb != NULL && mb > 0 && !seg_all_finite(sb, mb * k)))
        return seg_fail(detail, SEG_ENONFINITE,
                        "A or B has NaN or infinity, or their distances overflow", -1);
    return SEG_OK;
}

seg_status seg_silhouette_from_sums(const double *sums, const int32_t *labels, seg_idx m,
                                    seg_idx k, const int64_t *counts, double *s,
                                    seg_detail *detail) {
    if (counts == NULL || (m > 0 && (sums == NULL || labels == NULL || s == NULL)))
        return seg_fail(detail, SEG_EINVAL, "sums, labels, counts and s must not be NULL", -1);
    if (m < 0 || k < 1) return seg_fail(detail, SEG_EINVAL, "needs m >= 0 and k >= 1", -1);
    if (seg_mul_add(m, k, 0) < 0) return seg_fail(detail, SEG_EINVAL, "m * k overflows", -1);
    seg_idx used = 0;
    for (seg_idx c = 0; c < k; c++) {
        if (counts[c] < 0)
            return seg_fail(detail, SEG_EINVAL, "counts must be >= 0; negative for cluster", c);
        used += counts[c] > 0;
    }
    if (used < 2)
        return seg_fail(detail, SEG_EDEGENERATE,
                        "silhouette needs at least 2 non-empty clusters in counts", -1);
    if (!seg_all_finite(sums, m * k))
        return seg_fail(detail, SEG_ENONFINITE, "sums has NaN or infinity", -1);
    for (seg_idx i = 0; i < m; i++) {
        seg_idx own = labels[i];
        if (own < 0 || own >= k)
            return seg_fail(detail, SEG_EINVAL, "labels must be in [0, k); out of range in row", i);
        if (counts[own] < 1)
            return seg_fail(detail, SEG_EINVAL,
                            "counts must be >= 1 for every cluster a row is labelled with; "
                            "not so for row",
                            i);
        s[i] = seg_silhouette_value(sums + i * k, counts, k, own);
    }
    return SEG_OK;
}
