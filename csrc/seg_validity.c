#include "seg_validity.h"
#include "seg_inline.h"

#include <math.h>
#include <string.h>

/* Fixed chunks (independent of the thread count) whose partial sums are
 * merged in chunk order: see seg_kmeans.c. */
#define CHUNK_MIN 1024
#define ACC_CAP ((double)(1 << 22))
/* sklearn uses np.allclose(x, 0), i.e. |x| <= 1e-8, for "all zero". */
#define ZERO_TOL 1e-8

static seg_idx chunk_rows(seg_idx n, seg_idx k, seg_idx d) {
    double need = ceil((double)n * ((double)k * (double)(d + 3)) / ACC_CAP);
    return need > CHUNK_MIN ? (seg_idx)need : CHUNK_MIN;
}

seg_idx seg_validity_work_size(seg_idx n, seg_idx d, seg_idx k) {
    if (n < 1 || d < 1 || k < 1) return -1;
    double nc = (double)seg_n_chunks(n, chunk_rows(n, k, d));
    double total = nc * (double)k * (double)(d + 3) + (double)k * (double)(d + 3) + (double)d;
    if (total > (double)(PTRDIFF_MAX / 16)) return -1;
    seg_idx c = seg_n_chunks(n, chunk_rows(n, k, d));
    return c * k * (d + 3) + k * (d + 3) + d;
}

seg_status seg_cluster_validity(const double *X, seg_idx n, seg_idx d, const int32_t *labels,
                                seg_idx k, int n_threads, const seg_interrupt *intr,
                                double *calinski_harabasz, double *davies_bouldin, double *work,
                                seg_detail *detail) {
    if (X == NULL || labels == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "X, labels and work must not be NULL", -1);
    if (n < 2 || d < 1 || k < 2 || k >= n)
        return seg_fail(detail, SEG_EINVAL, "needs d >= 1 and 2 <= k <= n - 1", -1);
    seg_idx bad = seg_first_nonfinite(X, n * d);
    if (bad >= 0)
        return seg_fail(detail, SEG_ENONFINITE, "X has NaN or infinity at flat index", bad);
    for (seg_idx i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= k)
            return seg_fail(detail, SEG_EINVAL, "labels must be in [0, k); out of range in row",
                            i);

    int nt = seg_resolve_threads(n_threads);
    seg_idx chunk = chunk_rows(n, k, d);
    seg_idx nc = seg_n_chunks(n, chunk);
    double *part = work;                  /* nc x k x (d + 3) */
    double *cent = part + nc * k * (d + 3); /* k x d centroids */
    double *cnt = cent + k * d;           /* k */
    double *wss = cnt + k;                /* k: sum of squared distances */
    double *sdist = wss + k;              /* k: sum of distances */
    double *mean = sdist + k;             /* d */
    (void)nt;

    /* Pass 1: per-chunk sums and counts. */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1 && nc > 1)
#endif
    for (seg_idx c = 0; c < nc; c++) {
        double *p = part + c * k * (d + 3);
        memset(p, 0, (size_t)(k * (d + 3)) * sizeof(double));
        seg_idx i1 = (c + 1) * chunk < n ? (c + 1) * chunk : n;
        for (seg_idx i = c * chunk; i < i1; i++) {
            double *s = p + (seg_idx)labels[i] * (d + 3);
            for (seg_idx f = 0; f < d; f++) s[f] += X[i * d + f];
            s[d] += 1.0;
        }
    }
    if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
    memset(cent, 0, (size_t)(k * (d + 3) + d) * sizeof(double));
    for (seg_idx c = 0; c < nc; c++) {
        const double *p = part + c * k * (d + 3);
        for (seg_idx j = 0; j < k; j++) {
            for (seg_idx f = 0; f < d; f++) cent[j * d + f] += p[j * (d + 3) + f];
            cnt[j] += p[j * (d + 3) + d];
        }
    }
    for (seg_idx j = 0; j < k; j++) {
        if (cnt[j] == 0.0)
            return seg_fail(detail, SEG_EDEGENERATE,
                            "every label code in [0, k) must be used; unused label", j);
        for (seg_idx f = 0; f < d; f++) {
            mean[f] += cent[j * d + f];
            cent[j * d + f] /= cnt[j];
        }
    }
    for (seg_idx f = 0; f < d; f++) mean[f] /= (double)n;

    /* Pass 2: per-chunk squared and plain distances to the centroids. */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1 && nc > 1)
#endif
    for (seg_idx c = 0; c < nc; c++) {
        double *p = part + c * k * (d + 3);
        memset(p, 0, (size_t)(k * (d + 3)) * sizeof(double));
        seg_idx i1 = (c + 1) * chunk < n ? (c + 1) * chunk : n;
        for (seg_idx i = c * chunk; i < i1; i++) {
            seg_idx l = labels[i];
            double q = seg_sqdist(X + i * d, cent + l * d, d);
            p[l * (d + 3) + d + 1] += q;
            p[l * (d + 3) + d + 2] += sqrt(q);
        }
    }
    if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
    for (seg_idx c = 0; c < nc; c++) {
        const double *p = part + c * k * (d + 3);
        for (seg_idx j = 0; j < k; j++) {
            wss[j] += p[j * (d + 3) + d + 1];
            sdist[j] += p[j * (d + 3) + d + 2];
        }
    }

    if (calinski_harabasz) {
        double extra = 0.0, intra = 0.0;
        for (seg_idx j = 0; j < k; j++) {
            extra += cnt[j] * seg_sqdist(cent + j * d, mean, d);
            intra += wss[j];
        }
        *calinski_harabasz =
            intra == 0.0 ? 1.0 : extra * (double)(n - k) / (intra * (double)(k - 1));
    }
    if (davies_bouldin) {
        int intra_zero = 1, cent_zero = 1;
        for (seg_idx j = 0; j < k; j++) {
            sdist[j] /= cnt[j];
            intra_zero &= fabs(sdist[j]) <= ZERO_TOL;
        }
        for (seg_idx a = 0; a < k && cent_zero; a++)
            for (seg_idx b = 0; b < k; b++)
                if (sqrt(seg_sqdist(cent + a * d, cent + b * d, d)) > ZERO_TOL) {
                    cent_zero = 0;
                    break;
                }
        if (intra_zero || cent_zero) {
            *davies_bouldin = 0.0;
        } else {
            double total = 0.0;
            for (seg_idx a = 0; a < k; a++) {
                double worst = 0.0;
                for (seg_idx b = 0; b < k; b++) {
                    if (b == a) continue;
                    double dist = sqrt(seg_sqdist(cent + a * d, cent + b * d, d));
                    if (dist == 0.0) continue; /* coinciding centroids: ratio 0 */
                    double r = (sdist[a] + sdist[b]) / dist;
                    if (r > worst) worst = r;
                }
                total += worst;
            }
            *davies_bouldin = total / (double)k;
        }
    }
    /* Finite input can still overflow when squared (|x| > 1e154). */
    if ((calinski_harabasz && !isfinite(*calinski_harabasz)) ||
        (davies_bouldin && !isfinite(*davies_bouldin)))
        return seg_fail(detail, SEG_ENONFINITE, SEG_REASON_OVERFLOW, -1);
    return SEG_OK;
}
