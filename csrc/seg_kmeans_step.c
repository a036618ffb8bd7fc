#include "seg_kmeans_step.h"
#include "seg_inline.h"

#include <math.h>
#include <string.h>

/* A sample weight must be finite and >= 0: SEG_OK, or the failure recorded
 * in detail with row i. */
static seg_status check_weight(double w, seg_idx i, seg_detail *detail) {
    if (!isfinite(w))
        return seg_fail(detail, SEG_ENONFINITE, "sample_weight is NaN or infinite in row", i);
    if (w < 0.0)
        return seg_fail(detail, SEG_EINVAL, "sample_weight must be >= 0; negative in row", i);
    return SEG_OK;
}

/* ------------------------------------------------------------------------ */
/* Lloyd step                                                                */
/* ------------------------------------------------------------------------ */

/* Inserts row i (distance dd) into the sorted far list of `cap` entries
 * holding *count: distance descending, row ascending. Rows arrive in
 * ascending order, so a row equal in distance to a listed one goes after it. */
static void far_insert(seg_kmeans_far *far, seg_idx *count, seg_idx i, double dd, int32_t lab,
                       double w) {
    seg_idx cap = far->capacity, n = *count;
    if (n == cap && !(dd > far->dist[n - 1])) return;
    seg_idx pos = n < cap ? n : cap - 1; /* the slot the new entry may take */
    while (pos > 0 && far->dist[pos - 1] < dd) {
        far->dist[pos] = far->dist[pos - 1];
        far->index[pos] = far->index[pos - 1];
        far->label[pos] = far->label[pos - 1];
        far->weight[pos] = far->weight[pos - 1];
        pos--;
    }
    far->dist[pos] = dd;
    far->index[pos] = i;
    far->label[pos] = lab;
    far->weight[pos] = w;
    if (n < cap) *count = n + 1;
}

seg_status seg_kmeans_step(const double *X, seg_idx m, seg_idx d, const double *sw,
                           const double *centers, seg_idx k, seg_idx offset,
                           const seg_interrupt *intr, int32_t *labels, double *sums,
                           double *weights, double *sse, seg_kmeans_far *far,
                           seg_detail *detail) {
    if (centers == NULL || sums == NULL || weights == NULL || sse == NULL || (m > 0 && X == NULL))
        return seg_fail(detail, SEG_EINVAL, "X, centers, sums, weights and sse must not be NULL",
                        -1);
    if (m < 0 || d < 1 || k < 1 || offset < 0)
        return seg_fail(detail, SEG_EINVAL, "needs m >= 0, d >= 1, k >= 1 and offset >= 0", -1);
    if (k > INT32_MAX || seg_mul_add(k, d, 0) < 0 || seg_mul_add(m, d, 0) < 0)
        return seg_fail(detail, SEG_EINVAL, "k above INT32_MAX, or k * d or m * d overflows", -1);
    if (offset > PTRDIFF_MAX - m) /* global row numbers must fit */
        return seg_fail(detail, SEG_EINVAL, "offset + m overflows", -1);
    if (far != NULL && (far->capacity < 0 || (far->capacity > 0 &&
                        (far->index == NULL || far->dist == NULL || far->label == NULL ||
                         far->weight == NULL || far->rows == NULL))))
        return seg_fail(detail, SEG_EINVAL, "far->capacity < 0, or a far array is NULL", -1);
    if (!seg_all_finite(centers, k * d))
        return seg_fail(detail, SEG_ENONFINITE, "centers has NaN or infinity", -1);

    memset(sums, 0, (size_t)(k * d) * sizeof(double));
    memset(weights, 0, (size_t)k * sizeof(double));
    seg_idx n_far = 0;
    int keep_far = far != NULL && far->capacity > 0;
    seg_idx every = seg_rows_per_check((double)k * (double)d);
    double total = 0.0;
    for (seg_idx i0 = 0; i0 < m; i0 += every) {
        seg_idx i1 = i0 + every < m ? i0 + every : m;
        for (seg_idx i = i0; i < i1; i++) {
            const double *x = X + i * d;
            double w = 1.0;
            if (sw) {
                seg_status st = check_weight(sw[i], i, detail);
                if (st != SEG_OK) return st;
                w = sw[i];
            }
            /* Nearest centre, ties to the lower index (seg_kmeans.c's rule). */
            seg_idx best = 0;
            double b1 = seg_sqdist(x, centers, d);
            for (seg_idx c = 1; c < k; c++) {
                double dd = seg_sqdist(x, centers + c * d, d);
                if (dd < b1) {
                    b1 = dd;
                    best = c;
                }
            }
            if (labels) labels[i] = (int32_t)best;
            total += w * b1;
            double *s = sums + best * d;
            for (seg_idx f = 0; f < d; f++) s[f] += w * x[f];
            weights[best] += w;
            if (keep_far) far_insert(far, &n_far, i, b1, (int32_t)best, w);
        }
        if (i1 < m && seg_interrupted(intr)) return SEG_EINTERRUPTED;
    }
    /* NaN/inf anywhere in X (or an overflowing distance) surfaces here; so
     * does a cluster's weight overflowing (sample weights near DBL_MAX). */
    if (!isfinite(total) || !seg_all_finite(sums, k * d) || !seg_all_finite(weights, k))
        return seg_fail(detail, SEG_ENONFINITE,
                        "X has NaN or infinity, or its squared distances or the cluster weights "
                        "overflow", -1);
    *sse = total;
    if (far != NULL) {
        for (seg_idx e = 0; e < n_far; e++) {
            memcpy(far->rows + e * d, X + far->index[e] * d, (size_t)d * sizeof(double));
            far->index[e] += offset;
        }
        far->count = n_far;
    }
    return SEG_OK;
}

seg_idx seg_kmeans_step_merge_work_size(seg_idx k, seg_idx d, seg_idx n_far) {
    if (k < 1 || d < 1 || n_far < 0) return -1;
    seg_idx kd = seg_mul_add(k, d, 0);
    if (kd < 0) return -1;
    return seg_mul_add(1, kd, seg_mul_add(1, k, n_far));
}

/* seg_kmeans.c's relocate_empty, with the far list in place of all n rows:
 * the scan for the maximum (strictly greater, first wins) over entries in
 * chunk order picks the same rows in the same order, since the list holds
 * each chunk's farthest rows sorted by row number on ties. sums is newc. */
static seg_idx relocate_empty(const seg_kmeans_far *far, double *dist, seg_idx d, seg_idx k,
                              double *sums, double *wsum) {
    seg_idx moved = 0;
    for (seg_idx c = 0; c < k; c++) {
        if (wsum[c] > 0.0) continue;
        seg_idx pick = -1;
        double fd = -1.0;
        for (seg_idx e = 0; e < far->count; e++) {
            if (dist[e] > fd) {
                fd = dist[e];
                pick = e;
            }
        }
        if (pick < 0) return moved; /* no row left: the cluster keeps its centre */
        dist[pick] = -2.0;          /* chosen: never again */
        seg_move_to_empty(far->rows + pick * d, far->weight[pick], far->label[pick], c, d, k,
                          sums, wsum, sums);
        moved++;
    }
    return moved;
}

seg_status seg_kmeans_step_merge(seg_idx n_chunks, seg_idx k, seg_idx d, const double *sums,
                                 const double *weights, const seg_kmeans_far *far,
                                 double *centers, double *shift, seg_idx *n_relocated,
                                 double *work, seg_detail *detail) {
    if (sums == NULL || weights == NULL || centers == NULL || shift == NULL ||
        n_relocated == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL,
                        "sums, weights, centers, shift, n_relocated and work must not be NULL", -1);
    if (n_chunks < 1 || k < 1 || d < 1)
        return seg_fail(detail, SEG_EINVAL, "needs n_chunks >= 1, k >= 1 and d >= 1", -1);
    if (seg_mul_add(n_chunks, seg_mul_add(k, d, 0), 0) < 0)
        return seg_fail(detail, SEG_EINVAL, "n_chunks * k * d overflows", -1);
    seg_idx n_far = far ? far->count : 0;
    if (n_far < 0)
        return seg_fail(detail, SEG_EINVAL, "far->count must be >= 0", -1);
    if (n_far > 0 && (far->dist == NULL || far->label == NULL || far->weight == NULL ||
                      far->rows == NULL))
        return seg_fail(detail, SEG_EINVAL, "far->dist, label, weight and rows must not be NULL",
                        -1);
    seg_idx kd = k * d;
    if (!seg_all_finite(centers, kd))
        return seg_fail(detail, SEG_ENONFINITE, "centers has NaN or infinity", -1);
    if (!seg_all_finite(sums, n_chunks * kd))
        return seg_fail(detail, SEG_ENONFINITE, "sums has NaN or infinity", -1);
    if (!seg_all_finite(weights, n_chunks * k))
        return seg_fail(detail, SEG_ENONFINITE, "weights has NaN or infinity", -1);
    for (seg_idx e = 0; e < n_far; e++) {
        if (!isfinite(far->weight[e]))
            return seg_fail(detail, SEG_ENONFINITE, "far_weight is NaN or infinite at entry", e);
        if (far->weight[e] < 0.0)
            return seg_fail(detail, SEG_EINVAL, "far_weight must be >= 0; negative at entry", e);
        if (!isfinite(far->dist[e]))
            return seg_fail(detail, SEG_ENONFINITE, "far_dist is NaN or infinite at entry", e);
        if (!seg_all_finite(far->rows + e * d, d))
            return seg_fail(detail, SEG_ENONFINITE, "far_rows has NaN or infinity in row", e);
        if (far->label[e] < 0 || far->label[e] >= k)
            return seg_fail(detail, SEG_EINVAL,
                            "far_label must be in [0, k); out of range at entry", e);
    }

    double *newc = work;
    double *wsum = work + kd;
    double *dist = work + kd + k;
    memset(newc, 0, (size_t)kd * sizeof(double));
    memset(wsum, 0, (size_t)k * sizeof(double));
    for (seg_idx ch = 0; ch < n_chunks; ch++) {
        const double *s = sums + ch * kd;
        const double *cw = weights + ch * k;
        for (seg_idx j = 0; j < kd; j++) newc[j] += s[j];
        for (seg_idx c = 0; c < k; c++) {
            if (cw[c] < 0.0)
                return seg_fail(detail, SEG_EINVAL,
                                "weights must be >= 0; negative at flat index (chunk * k + "
                                "cluster)",
                                ch * k + c);
            wsum[c] += cw[c];
        }
    }
    double total = 0.0;
    int any_empty = 0;
    for (seg_idx c = 0; c < k; c++) {
        total += wsum[c];
        any_empty |= !(wsum[c] > 0.0);
    }
    if (!(total > 0.0))
        return seg_fail(detail, SEG_EDEGENERATE,
                        "the clusters' total weight is zero; at least one row must have a "
                        "positive sample_weight", -1);
    seg_idx moved = 0;
    if (any_empty && n_far > 0) {
        memcpy(dist, far->dist, (size_t)n_far * sizeof(double));
        moved = relocate_empty(far, dist, d, k, newc, wsum);
    }
    seg_centres_from_sums(newc, wsum, centers, k, d);
    double s2 = 0.0;
    for (seg_idx c = 0; c < k; c++) s2 += seg_sqdist(newc + c * d, centers + c * d, d);
    memcpy(centers, newc, (size_t)kd * sizeof(double));
    *shift = s2;
    *n_relocated = moved;
    return SEG_OK;
}

/* ------------------------------------------------------------------------ */
/* k-means|| (Bahmani et al. 2012)                                           */
/* ------------------------------------------------------------------------ */

seg_status seg_kmeans_step_sample(const double *closest, const double *sw, seg_idx m, double ell,
                                  double phi, uint64_t seed, seg_idx *picked,
                                  seg_idx *n_picked, seg_detail *detail) {
    if (n_picked == NULL || (m > 0 && (closest == NULL || picked == NULL)))
        return seg_fail(detail, SEG_EINVAL, "closest, picked and n_picked must not be NULL", -1);
    if (m < 0) return seg_fail(detail, SEG_EINVAL, "m must be >= 0", -1);
    if (!isfinite(ell) || !isfinite(phi))
        return seg_fail(detail, SEG_ENONFINITE, "ell and phi must be finite", -1);
    if (!(ell > 0.0) || !(phi > 0.0))
        return seg_fail(detail, SEG_EINVAL, "ell and phi must be > 0", -1);
    seg_rng rng;
    seg_rng_seed(&rng, seed);
    seg_idx count = 0;
    for (seg_idx i = 0; i < m; i++) {
        /* One draw per row whatever happens, so that row i's draw depends on
         * the seed and i alone. */
        double u = seg_rng_uniform(&rng);
        double w = 1.0;
        if (sw) {
            seg_status st = check_weight(sw[i], i, detail);
            if (st != SEG_OK) return st;
            w = sw[i];
        }
        double c = closest[i];
        if (!isfinite(c))
            return seg_fail(detail, SEG_ENONFINITE, "closest is NaN or infinite in row", i);
        if (c < 0.0)
            return seg_fail(detail, SEG_EINVAL, "closest must be >= 0; negative in row", i);
        /* u * phi < ell * w * c  <=>  u < ell * w * c / phi without a
         * division; p >= 1 always picks (u < 1), p = 0 never does. */
        if (u * phi < ell * w * c) picked[count++] = i;
    }
    *n_picked = count;
    return SEG_OK;
}

seg_status seg_kmeans_step_nearest(const double *X, seg_idx m, seg_idx d, const double *sw,
                                   const double *cand, seg_idx q, seg_idx first, int reset,
                                   const seg_interrupt *intr, double *closest, int32_t *nearest,
                                   double *cost, double *cand_weight, seg_idx n_cand,
                                   seg_detail *detail) {
    if (cost == NULL || cand_weight == NULL ||
        (m > 0 && (X == NULL || closest == NULL || nearest == NULL)) || (q > 0 && cand == NULL))
        return seg_fail(detail, SEG_EINVAL,
                        "X, cand, closest, nearest, cost and cand_weight must not be NULL", -1);
    if (m < 0 || d < 1 || q < 0 || first < 0)
        return seg_fail(detail, SEG_EINVAL, "needs m >= 0, d >= 1, q >= 0 and first >= 0", -1);
    if (reset && (first != 0 || q < 1)) /* nothing to measure against */
        return seg_fail(detail, SEG_EINVAL, "reset needs first = 0 and q >= 1", -1);
    if (n_cand < 1 || first > n_cand - q || n_cand > INT32_MAX)
        return seg_fail(detail, SEG_EINVAL,
                        "n_candidates must be in [first + q, INT32_MAX] and >= 1", -1);
    if (seg_mul_add(m, d, 0) < 0 || seg_mul_add(q, d, 0) < 0)
        return seg_fail(detail, SEG_EINVAL, "m * d or q * d overflows", -1);
    if (!seg_all_finite(cand, q * d))
        return seg_fail(detail, SEG_ENONFINITE, "candidates has NaN or infinity", -1);

    memset(cand_weight, 0, (size_t)n_cand * sizeof(double));
    seg_idx every = seg_rows_per_check((double)(q > 0 ? q : 1) * (double)d);
    double total = 0.0;
    for (seg_idx i0 = 0; i0 < m; i0 += every) {
        seg_idx i1 = i0 + every < m ? i0 + every : m;
        for (seg_idx i = i0; i < i1; i++) {
            const double *x = X + i * d;
            double w = 1.0;
            if (sw) {
                seg_status st = check_weight(sw[i], i, detail);
                if (st != SEG_OK) return st;
                w = sw[i];
            }
            double best;
            seg_idx who;
            if (reset) {
                best = INFINITY;
                who = -1;
            } else {
                best = closest[i];
                who = nearest[i];
                if (who < 0 || who >= first)
                    return seg_fail(detail, SEG_EINVAL,
                                    "nearest must hold candidate numbers in [0, first); out of "
                                    "range in row", i);
                if (isnan(best))
                    return seg_fail(detail, SEG_ENONFINITE, "closest is NaN in row", i);
                if (!(best >= 0.0))
                    return seg_fail(detail, SEG_EINVAL, "closest must be >= 0; negative in row", i);
            }
            for (seg_idx c = 0; c < q; c++) {
                double dd = seg_sqdist(x, cand + c * d, d);
                if (dd < best || who < 0) {
                    best = dd;
                    who = first + c;
                }
            }
            closest[i] = best;
            nearest[i] = (int32_t)who;
            total += w * best;
            cand_weight[who] += w;
        }
        if (i1 < m && seg_interrupted(intr)) return SEG_EINTERRUPTED;
    }
    if (!isfinite(total) || !seg_all_finite(cand_weight, n_cand))
        return seg_fail(detail, SEG_ENONFINITE,
                        "X has NaN or infinity, or its squared distances or the candidates' "
                        "weights overflow", -1);
    *cost = total;
    return SEG_OK;
}
