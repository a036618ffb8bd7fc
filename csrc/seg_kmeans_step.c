#include "seg_kmeans_step.h"
#include "seg_inline.h"

#include <math.h>
#include <string.h>

/* Work between two interrupt checks, in multiply-adds (a few milliseconds). */
#define CHECK_WORK ((double)(1 << 22))
/* Columns of B per silhouette block: the transposed block (d x SIL_JB) and
 * its accumulators stay in L1/L2 while every row of A passes over them. */
#define SIL_JB 512

/* Rows per interrupt check for work_per_row multiply-adds per row. */
static seg_idx rows_per_check(double work_per_row) {
    double r = CHECK_WORK / (work_per_row > 1.0 ? work_per_row : 1.0);
    return r < 1.0 ? 1 : (r > 1e9 ? 1000000000 : (seg_idx)r);
}

static seg_status check_weight(double w) {
    if (!isfinite(w)) return SEG_ENONFINITE;
    return w < 0.0 ? SEG_EINVAL : SEG_OK;
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
                           double *weights, double *sse, seg_kmeans_far *far) {
    if (centers == NULL || sums == NULL || weights == NULL || sse == NULL) return SEG_EINVAL;
    if (m < 0 || d < 1 || k < 1 || offset < 0 || (m > 0 && X == NULL)) return SEG_EINVAL;
    if (k > INT32_MAX || seg_mul_add(k, d, 0) < 0 || seg_mul_add(m, d, 0) < 0) return SEG_EINVAL;
    if (offset > PTRDIFF_MAX - m) return SEG_EINVAL; /* global row numbers must fit */
    if (far != NULL && (far->capacity < 0 || (far->capacity > 0 &&
                        (far->index == NULL || far->dist == NULL || far->label == NULL ||
                         far->weight == NULL || far->rows == NULL))))
        return SEG_EINVAL;
    if (!seg_all_finite(centers, k * d)) return SEG_ENONFINITE;

    memset(sums, 0, (size_t)(k * d) * sizeof(double));
    memset(weights, 0, (size_t)k * sizeof(double));
    seg_idx n_far = 0;
    int keep_far = far != NULL && far->capacity > 0;
    seg_idx every = rows_per_check((double)k * (double)d);
    double total = 0.0;
    for (seg_idx i0 = 0; i0 < m; i0 += every) {
        seg_idx i1 = i0 + every < m ? i0 + every : m;
        for (seg_idx i = i0; i < i1; i++) {
            const double *x = X + i * d;
            double w = 1.0;
            if (sw) {
                seg_status st = check_weight(sw[i]);
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
        return SEG_ENONFINITE;
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
        double w = far->weight[pick];
        seg_idx old = far->label[pick];
        const double *x = far->rows + pick * d;
        if (old >= 0 && old < k && old != c && wsum[old] > 0.0) {
            for (seg_idx f = 0; f < d; f++) sums[old * d + f] -= w * x[f];
            wsum[old] -= w;
            if (wsum[old] <= 0.0) wsum[old] = 0.0; /* it keeps its previous centre */
        }
        memcpy(sums + c * d, x, (size_t)d * sizeof(double));
        wsum[c] = -1.0; /* marks "relocated": centre already set */
        moved++;
    }
    return moved;
}

seg_status seg_kmeans_step_merge(seg_idx n_chunks, seg_idx k, seg_idx d, const double *sums,
                                 const double *weights, const seg_kmeans_far *far,
                                 double *centers, double *shift, seg_idx *n_relocated,
                                 double *work) {
    if (sums == NULL || weights == NULL || centers == NULL || shift == NULL ||
        n_relocated == NULL || work == NULL)
        return SEG_EINVAL;
    if (n_chunks < 1 || k < 1 || d < 1 || seg_mul_add(n_chunks, seg_mul_add(k, d, 0), 0) < 0)
        return SEG_EINVAL;
    seg_idx n_far = far ? far->count : 0;
    if (n_far < 0 || (n_far > 0 && (far->dist == NULL || far->label == NULL ||
                                     far->weight == NULL || far->rows == NULL)))
        return SEG_EINVAL;
    seg_idx kd = k * d;
    if (!seg_all_finite(centers, kd) || !seg_all_finite(sums, n_chunks * kd) ||
        !seg_all_finite(weights, n_chunks * k))
        return SEG_ENONFINITE;
    for (seg_idx e = 0; e < n_far; e++) {
        seg_status st = check_weight(far->weight[e]);
        if (st != SEG_OK) return st;
        if (!isfinite(far->dist[e]) || !seg_all_finite(far->rows + e * d, d)) return SEG_ENONFINITE;
        if (far->label[e] < 0 || far->label[e] >= k) return SEG_EINVAL;
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
            if (cw[c] < 0.0) return SEG_EINVAL;
            wsum[c] += cw[c];
        }
    }
    double total = 0.0;
    int any_empty = 0;
    for (seg_idx c = 0; c < k; c++) {
        total += wsum[c];
        any_empty |= !(wsum[c] > 0.0);
    }
    if (!(total > 0.0)) return SEG_EDEGENERATE;
    seg_idx moved = 0;
    if (any_empty && n_far > 0) {
        memcpy(dist, far->dist, (size_t)n_far * sizeof(double));
        moved = relocate_empty(far, dist, d, k, newc, wsum);
    }
    for (seg_idx c = 0; c < k; c++) {
        double *nc = newc + c * d;
        if (wsum[c] > 0.0) {
            for (seg_idx f = 0; f < d; f++) nc[f] /= wsum[c];
        } else if (wsum[c] == 0.0) {
            memcpy(nc, centers + c * d, (size_t)d * sizeof(double));
        } /* wsum < 0: relocated, centre already set */
    }
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
                                  seg_idx *n_picked) {
    if (n_picked == NULL || m < 0 || (m > 0 && (closest == NULL || picked == NULL)))
        return SEG_EINVAL;
    if (!isfinite(ell) || !isfinite(phi)) return SEG_ENONFINITE;
    if (!(ell > 0.0) || !(phi > 0.0)) return SEG_EINVAL;
    seg_rng rng;
    seg_rng_seed(&rng, seed);
    seg_idx count = 0;
    for (seg_idx i = 0; i < m; i++) {
        /* One draw per row whatever happens, so that row i's draw depends on
         * the seed and i alone. */
        double u = seg_rng_uniform(&rng);
        double w = 1.0;
        if (sw) {
            seg_status st = check_weight(sw[i]);
            if (st != SEG_OK) return st;
            w = sw[i];
        }
        double c = closest[i];
        if (!isfinite(c)) return SEG_ENONFINITE;
        if (c < 0.0) return SEG_EINVAL;
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
                                   double *cost, double *cand_weight, seg_idx n_cand) {
    if (cost == NULL || cand_weight == NULL) return SEG_EINVAL;
    if (m < 0 || d < 1 || q < 0 || first < 0 || (reset && first != 0)) return SEG_EINVAL;
    if (n_cand < 1 || first > n_cand - q || n_cand > INT32_MAX) return SEG_EINVAL;
    if (reset && q < 1) return SEG_EINVAL; /* nothing to measure against */
    if (m > 0 && (X == NULL || closest == NULL || nearest == NULL)) return SEG_EINVAL;
    if (q > 0 && cand == NULL) return SEG_EINVAL;
    if (seg_mul_add(m, d, 0) < 0 || seg_mul_add(q, d, 0) < 0) return SEG_EINVAL;
    if (!seg_all_finite(cand, q * d)) return SEG_ENONFINITE;

    memset(cand_weight, 0, (size_t)n_cand * sizeof(double));
    seg_idx every = rows_per_check((double)(q > 0 ? q : 1) * (double)d);
    double total = 0.0;
    for (seg_idx i0 = 0; i0 < m; i0 += every) {
        seg_idx i1 = i0 + every < m ? i0 + every : m;
        for (seg_idx i = i0; i < i1; i++) {
            const double *x = X + i * d;
            double w = 1.0;
            if (sw) {
                seg_status st = check_weight(sw[i]);
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
                if (who < 0 || who >= first) return SEG_EINVAL;
                if (!(best >= 0.0)) return isnan(best) ? SEG_ENONFINITE : SEG_EINVAL;
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
    if (!isfinite(total) || !seg_all_finite(cand_weight, n_cand)) return SEG_ENONFINITE;
    *cost = total;
    return SEG_OK;
}

/* ------------------------------------------------------------------------ */
/* Silhouette over chunk pairs                                               */
/* ------------------------------------------------------------------------ */

seg_idx seg_kmeans_step_silhouette_work_size(seg_idx d) {
    if (d < 1) return -1;
    return seg_mul_add(d + 1, SIL_JB, 0);
}

static int labels_ok(const int32_t *lab, seg_idx m, seg_idx k) {
    for (seg_idx i = 0; i < m; i++)
        if (lab[i] < 0 || lab[i] >= k) return 0;
    return 1;
}

seg_status seg_kmeans_step_silhouette(const double *A, const int32_t *la, seg_idx ma,
                                      const double *B, const int32_t *lb, seg_idx mb, seg_idx d,
                                      seg_idx k, const seg_interrupt *intr, double *sa,
                                      double *sb, double *work) {
    if (ma < 0 || mb < 0 || d < 1 || k < 1 || work == NULL) return SEG_EINVAL;
    if ((ma > 0 && (A == NULL || sa == NULL)) || (mb > 0 && (B == NULL || lb == NULL)))
        return SEG_EINVAL;
    if (sb != NULL && ma > 0 && la == NULL) return SEG_EINVAL;
    if (seg_mul_add(ma, k, 0) < 0 || seg_mul_add(mb, k, 0) < 0 || seg_mul_add(ma, d, 0) < 0 ||
        seg_mul_add(mb, d, 0) < 0)
        return SEG_EINVAL;
    if (!labels_ok(lb, mb, k) || (sb != NULL && !labels_ok(la, ma, k))) return SEG_EINVAL;

    if (ma > 0) memset(sa, 0, (size_t)(ma * k) * sizeof(double));
    if (sb != NULL && mb > 0) memset(sb, 0, (size_t)(mb * k) * sizeof(double));
    double *bt = work;               /* d x SIL_JB: the block of B, column-major */
    double *acc = work + d * SIL_JB; /* SIL_JB squared distances */
    seg_idx every = rows_per_check((double)SIL_JB * (double)d);
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
        return SEG_ENONFINITE;
    return SEG_OK;
}

seg_status seg_kmeans_step_silhouette_scores(const double *sums, const int32_t *labels, seg_idx m,
                                             seg_idx k, const int64_t *counts, double *s) {
    if (m < 0 || k < 1 || counts == NULL ||
        (m > 0 && (sums == NULL || labels == NULL || s == NULL)))
        return SEG_EINVAL;
    if (seg_mul_add(m, k, 0) < 0) return SEG_EINVAL;
    seg_idx used = 0;
    for (seg_idx c = 0; c < k; c++) {
        if (counts[c] < 0) return SEG_EINVAL;
        used += counts[c] > 0;
    }
    if (used < 2) return SEG_EDEGENERATE;
    if (!seg_all_finite(sums, m * k)) return SEG_ENONFINITE;
    for (seg_idx i = 0; i < m; i++) {
        seg_idx own = labels[i];
        if (own < 0 || own >= k || counts[own] < 1) return SEG_EINVAL;
        s[i] = seg_silhouette_value(sums + i * k, counts, k, own);
    }
    return SEG_OK;
}
