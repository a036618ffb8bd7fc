/* seg_inline.h: small static inline helpers shared by the kernels' .c files.
 *
 * Internal to csrc/ (the glue and the public headers do not include it). Each
 * helper fixes an arithmetic order that some result depends on bit for bit;
 * the comments say which. Nothing here allocates or keeps state.
 *
 *   seg_sqdist            squared euclidean distance, features in order
 *   seg_n_chunks          ceil(n / chunk)
 *   seg_thread_id         the OpenMP thread number (0 without OpenMP)
 *   seg_sum_in_order      x[0] + x[1] + ... left to right
 *   seg_sum_4lanes        four interleaved running sums, then paired
 *   seg_silhouette_value  s(i) from a row's per-cluster distance sums
 *   seg_fail              records a failure's reason in a seg_detail
 *   seg_move_to_empty     re-seeds an empty k-means cluster with a chosen row
 *   seg_rows_per_check    rows between two interrupt checks
 *   SEG_MULTIVERSION      gcc function multi-versioning for x86-64 v4/v3
 *   SEG_MULTIVERSION_FMA  the same, fused multiply-add allowed
 * Overflow-checked size arithmetic is seg_mul_add / seg_add_sizes
 * (seg_common.h: also used by the tests and the glue).
 */
#ifndef SEG_INLINE_H
#define SEG_INLINE_H

#include "seg_common.h"

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Function multi-versioning: the function is compiled for x86-64-v4
 * (AVX-512), v3 (AVX2 + FMA) and the baseline, and the loader picks the best
 * the CPU has: wheels stay portable without -march=native. Empty elsewhere
 * (clang, other architectures), where the baseline build is used.
 * SEG_MULTIVERSION keeps ISO C's no-contraction rule (-std=c11), so results
 * are the same bits on every CPU; SEG_MULTIVERSION_FMA lets the compiler fuse
 * a * b + c (one rounding instead of two): the last bits may then differ
 * between CPUs with and without FMA, never between runs on one machine. */
/* gcc >= 11 knows the x86-64-v3/v4 names; the portable path has none of it. */
#if SEG_GNU_C && defined(__x86_64__) && !defined(__clang__) && __GNUC__ >= 11 && \
    defined(__has_attribute)
#if __has_attribute(target_clones)
#define SEG_CLONE_TARGETS "arch=x86-64-v4", "arch=x86-64-v3", "default"
#define SEG_MULTIVERSION __attribute__((target_clones(SEG_CLONE_TARGETS)))
#define SEG_MULTIVERSION_FMA \
    __attribute__((target_clones(SEG_CLONE_TARGETS), optimize("fp-contract=fast")))
#endif
#endif
#ifndef SEG_MULTIVERSION
#define SEG_MULTIVERSION
#define SEG_MULTIVERSION_FMA
#endif

/* sum over f of (a_f - b_f)^2 in feature order, without fused multiply-add
 * (outside SEG_MULTIVERSION_FMA functions): seg_kmeans.c's vector lanes
 * reproduce these bits, and seg_kmeans_step.c relies on them to pick the
 * same far rows as seg_kmeans_fit. */
static inline double seg_sqdist(const double *a, const double *b, seg_idx d) {
    double s = 0.0;
    for (seg_idx f = 0; f < d; f++) {
        double t = a[f] - b[f];
        s += t * t;
    }
    return s;
}

/* Chunks of `chunk` rows that cover n rows (the last may be short). */
static inline seg_idx seg_n_chunks(seg_idx n, seg_idx chunk) {
    return n / chunk + (n % chunk != 0);
}

/* The calling thread's number in the innermost parallel region (0 outside
 * one, or without OpenMP): indexes per-thread scratch. */
static inline int seg_thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* x[0] + x[1] + ... + x[m-1], strictly left to right (the lanes of a vector
 * accumulator, in lane order). */
static inline double seg_sum_in_order(const double *x, int m) {
    double s = 0.0;
    for (int l = 0; l < m; l++) s += x[l];
    return s;
}

/* Sum of x[0..m) in four interleaved float64 running sums s0..s3 (x[j]
 * goes to s_(j mod 4), the tail to s0), returned as (s0 + s1) + (s2 + s3):
 * vectorisable, and the same order on every run. seg_sum_4lanes for
 * doubles, seg_sum_4lanes_f32 for floats (each added in float64). */
#define SEG_SUM_4LANES(name, T)                                                              \
    static inline double name(const T *x, seg_idx m) {                                      \
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;                                       \
        seg_idx j = 0;                                                                       \
        for (; j + 4 <= m; j += 4) {                                                         \
            s0 += x[j];                                                                      \
            s1 += x[j + 1];                                                                  \
            s2 += x[j + 2];                                                                  \
            s3 += x[j + 3];                                                                  \
        }                                                                                    \
        for (; j < m; j++) s0 += x[j];                                                       \
        return (s0 + s1) + (s2 + s3);                                                        \
    }
SEG_SUM_4LANES(seg_sum_4lanes, double)
SEG_SUM_4LANES(seg_sum_4lanes_f32, float)

/* Rousseeuw's (1987) s(i) of a row in cluster `own` from its per-cluster
 * sums of distances (sums, k) and the cluster sizes (count, k; count[own]
 * >= 1): a = sums[own] / (count[own] - 1), b = the least sums[c] / count[c]
 * over the other non-empty clusters, s = (b - a) / max(a, b); 0 when the row
 * is alone in its cluster or a = b = 0. The silhouette kernels (dense,
 * sparse and the chunked ones of seg_kmeans_step.c) all use it, so they
 * agree bit for bit given the same sums. */
static inline double seg_silhouette_value(const double *sums, const int64_t *count, seg_idx k,
                                          seg_idx own) {
    if (count[own] < 2) return 0.0;
    double a = sums[own] / (double)(count[own] - 1);
    double b = INFINITY;
    for (seg_idx c = 0; c < k; c++) {
        if (c == own || count[c] == 0) continue;
        double m = sums[c] / (double)count[c];
        if (m < b) b = m;
    }
    double den = a > b ? a : b;
    return den > 0.0 ? (b - a) / den : 0.0;
}

/* Returns st after recording why (detail may be NULL). */
static inline seg_status seg_fail(seg_detail *detail, seg_status st, const char *reason,
                                  seg_idx index) {
    if (detail != NULL) {
        detail->reason = reason;
        detail->index = index;
    }
    return st;
}

/* The common step of the k-means kernels' empty-cluster rule (seg_kmeans.h):
 * row x (d values, sample weight w, current cluster old, -1 for none) was
 * chosen to re-seed the empty cluster c. Its weighted row leaves old's sums
 * (sums, wsum: k x d and k), unless old is c, outside [0, k) or already
 * weightless; a cluster left with no weight, or with less than 2^-13 of
 * its weight before the move (rounding, then: see below), is marked 0 (it
 * keeps its previous centre). Then x becomes c's centre (newc row c; x may already be
 * that row) and wsum[c] = -1 marks c "relocated: centre already set". The
 * row pick differs per kernel and stays in its file: seg_kmeans.c and
 * seg_sparse.c scan all n rows (skipping rows on their centre),
 * seg_kmeans_step.c the chunks' far lists; they pick the same rows. */
static inline void seg_move_to_empty(const double *x, double w, seg_idx old, seg_idx c, seg_idx d,
                                     seg_idx k, double *sums, double *wsum, double *newc) {
    if (old >= 0 && old < k && old != c && wsum[old] > 0.0) {
        double before = wsum[old];
        for (seg_idx f = 0; f < d; f++) sums[old * d + f] -= w * x[f];
        wsum[old] -= w;
        /* What is left is a difference of rounded sums: below 2^-13 of the
         * weight before, the division would put the centre anywhere (the
         * rounding of sums over all the cluster's rows over a near-zero
         * weight; 17 where the rows lay in [-7.6, 0.26]). It counts as
         * emptied. Above it, the mean keeps about 39 - log2(rows) bits. */
        if (!(wsum[old] > before * 0x1p-13)) wsum[old] = 0.0;
    }
    if (newc + c * d != x) memcpy(newc + c * d, x, (size_t)d * sizeof(double));
    wsum[c] = -1.0;
}

/* Rows between two interrupt checks for work_per_row multiply-adds per row:
 * about 2^22 multiply-adds, a few milliseconds. */
static inline seg_idx seg_rows_per_check(double work_per_row) {
    double r = (double)(1 << 22) / (work_per_row > 1.0 ? work_per_row : 1.0);
    return r < 1.0 ? 1 : (r > 1e9 ? 1000000000 : (seg_idx)r);
}

#endif /* SEG_INLINE_H */
