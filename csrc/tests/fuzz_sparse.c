/* fuzz_sparse.c: a libFuzzer harness over the sparse kernels (seg_sparse.h).
 *
 *   make -C csrc fuzz-sparse     builds build/fuzz_sparse and runs it
 *
 * A separate binary from fuzz_kernels.c, so that every input saved for that
 * one keeps driving the kernel it was saved for. Each input decodes into a
 * CSR matrix whose structure may be broken on purpose (indptr not from 0 or
 * decreasing, indices out of range or repeated, int32 or int64 indices) and
 * values from edge classes (small integers for ties and duplicate rows,
 * uniform, 10^e from denormal to overflow, NaN, +-inf, +-0). seg_csr_check
 * must flag every broken structure; only then, as the glue does, the kernels
 * run: k-means++, Lloyd runs (seeded or from given centres, with weights),
 * predict, transform, the variance and the silhouette. On SEG_OK the harness
 * checks the contract: labels in range and nearest (to rounding), inertia
 * equal to its definition, distances as brute force, silhouettes in [-1, 1]
 * and equal to the dense kernel's. Scratch is sized by the *_work_size()
 * functions exactly, so any overrun is an ASan report.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seg_silhouette.h"
#include "seg_sparse.h"

#define MAX_N 40
#define MAX_D 6

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t u8(reader *r) {
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

static double value(reader *r, int *huge) {
    uint8_t c = u8(r);
    double v;
    switch (c % 10) {
    case 0: v = (double)((int)(u8(r) % 8) - 4); break;
    case 1: v = (double)u8(r) / 255.0; break;
    case 2: v = ((double)u8(r) / 255.0 + 0.5) * pow(10.0, (double)((int)(u8(r) % 64) * 10 - 320));
        break;
    case 3: v = (c & 16) ? NAN : -INFINITY; break;
    case 4: v = (c & 16) ? 0.0 : -0.0; break;
    default: v = (double)((int)(c % 5)); break;
    }
    if (isfinite(v) && fabs(v) > 1e100) *huge = 1;
    return v;
}

static void *need(seg_idx doubles) {
    if (doubles < 0) abort(); /* a work size must fit these small shapes */
    return malloc((size_t)(doubles > 0 ? doubles : 1) * sizeof(double));
}

static double dist2(const double *a, const double *b, seg_idx d) {
    double s = 0.0;
    for (seg_idx f = 0; f < d; f++) s += (a[f] - b[f]) * (a[f] - b[f]);
    return s;
}

static void fuzz_one(reader *r) {
    seg_idx n = 1 + u8(r) % MAX_N, d = 1 + u8(r) % MAX_D, k = 1 + u8(r) % 5;
    int wide = u8(r) & 1, breakage = u8(r) % 8, huge = 0, nt = 1 + u8(r) % 2;
    int64_t indptr[MAX_N + 1], i64[MAX_N * MAX_D + 1];
    int32_t i32[MAX_N * MAX_D + 1];
    double data[MAX_N * MAX_D + 1], dense[MAX_N * MAX_D];
    memset(dense, 0, sizeof dense);
    int64_t nnz = 0;
    for (seg_idx i = 0; i < n; i++) {
        indptr[i] = nnz;
        uint8_t mask = u8(r);
        for (seg_idx f = d - 1; f >= 0; f--) { /* reverse: unsorted indices */
            if (!(mask >> f & 1)) continue;
            double v = value(r, &huge);
            i32[nnz] = (int32_t)f;
            i64[nnz] = f;
            data[nnz++] = v;
            dense[i * d + f] = v;
        }
    }
    indptr[n] = nnz;
    int broken = 1;
    switch (breakage) { /* 0..2: structure broken on purpose */
    case 0: indptr[0] = 1; break;
    case 1:
        if (nnz > 0) {
            i32[0] = (int32_t)(d + u8(r) % 3);
            i64[0] = -1 - (int64_t)(u8(r) % 3);
        } else {
            broken = 0;
        }
        break;
    case 2:
        if (n > 1 && indptr[1] > 0) indptr[1] = indptr[2] + 1;
        else broken = 0;
        break;
    default: broken = 0; break;
    }
    seg_csr X = {n, d, indptr, wide ? NULL : i32, wide ? i64 : NULL, data};
    int64_t mark[MAX_D];
    seg_idx row;
    seg_csr_problem pr = seg_csr_check(&X, nnz, 0, &row, mark);
    if (broken && pr == SEG_CSR_OK) abort();
    if (pr != SEG_CSR_OK) return;

    int finite = 1;
    for (int64_t p = 0; p < nnz; p++) finite &= isfinite(data[p]) != 0;
    double sw[MAX_N], *w = (u8(r) & 1) ? sw : NULL;
    for (seg_idx i = 0; i < n; i++) sw[i] = (double)(u8(r) % 4);
    if (k > n) k = n;
    double centers[5 * MAX_D];
    int32_t labels[MAX_N];
    uint64_t seeds[2] = {u8(r), u8(r)};
    seg_kmeans_params p = seg_kmeans_params_default(k);
    p.n_init = 2;
    p.seeds = seeds;
    p.n_trials = 3;
    p.max_iter = 1 + u8(r) % 20;
    p.n_threads = nt;
    double *work = need(seg_sparse_runs_work_size(n, d, &p));
    seg_kmeans_runs_out res = {centers, labels, 0.0, 0, 0, -1};
    seg_detail why = {NULL, -1};
    seg_status st = seg_sparse_kmeans_fit_runs(&X, w, &p, NULL, &res, work, &why);
    if (st != SEG_OK && why.reason == NULL) abort(); /* every failure says why */
    double inertia = res.inertia;
    free(work);
    if (!finite && st == SEG_OK) abort();
    if (st == SEG_OK && !huge) {
        double total = 0.0, scale = 0.0;
        for (seg_idx i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= k) abort();
            double own = dist2(dense + i * d, centers + labels[i] * d, d);
            double xn = 0.0, cown = 0.0;
            for (seg_idx f = 0; f < d; f++) {
                xn += dense[i * d + f] * dense[i * d + f];
                cown += centers[labels[i] * d + f] * centers[labels[i] * d + f];
            }
            for (seg_idx c = 0; c < k; c++) {
                double o = dist2(dense + i * d, centers + c * d, d), cc = 0.0;
                for (seg_idx f = 0; f < d; f++) cc += centers[c * d + f] * centers[c * d + f];
                if (o < own - 1e-9 * (1.0 + xn + cown + cc)) abort(); /* beyond rounding */
            }
            total += (w ? w[i] : 1.0) * own;
            for (seg_idx f = 0; f < d; f++) scale += (w ? w[i] : 1.0) * dense[i * d + f] *
                                                     dense[i * d + f];
        }
        if (fabs(total - inertia) > 1e-9 * (total + scale + 1e-300)) abort();

        double out[MAX_N * 5], pin;
        int32_t pl[MAX_N];
        work = need(seg_sparse_predict_work_size(n, d, k));
        if (seg_sparse_kmeans_predict(&X, w, centers, k, nt, NULL, pl, &pin, work, NULL) != SEG_OK)
            abort();
        if (seg_sparse_kmeans_transform(&X, centers, k, nt, NULL, out, work, NULL) != SEG_OK)
            abort();
        /* The sparse distances expand ||x||^2 - 2 x.c + ||c||^2: their
         * rounding scales with the row's and the centre's own norms (a
         * row of norm 1e50 whose weight is 0 counts in no weighted scale:
         * the fuzzer's find, distance 0 for 2). */
        for (seg_idx i = 0; i < n; i++)
            for (seg_idx c = 0; c < k; c++) {
                double e = sqrt(dist2(dense + i * d, centers + c * d, d));
                double xn = 0.0, cn = 0.0;
                for (seg_idx f = 0; f < d; f++) {
                    xn += dense[i * d + f] * dense[i * d + f];
                    cn += centers[c * d + f] * centers[c * d + f];
                }
                if (fabs(out[i * k + c] - e) > 1e-6 * (1.0 + e + sqrt(xn) + sqrt(cn))) abort();
            }
        free(work);
        double var;
        work = need(seg_sparse_variance_work_size(n, d));
        if (seg_sparse_mean_variance(&X, nt, NULL, &var, work, NULL) != SEG_OK || !(var >= 0.0))
            abort();
        free(work);
    }

    int32_t lab[MAX_N];
    for (seg_idx i = 0; i < n; i++) lab[i] = (int32_t)(u8(r) % 3);
    double s1[MAX_N], s2[MAX_N];
    work = need(seg_sparse_silhouette_work_size(n, d, 3, nt));
    st = seg_sparse_silhouette_samples(&X, lab, 3, nt, NULL, s2, work, NULL);
    free(work);
    if (st == SEG_OK) {
        if (!finite) abort();
        for (seg_idx i = 0; i < n; i++)
            if (!(s2[i] >= -1.0 && s2[i] <= 1.0)) abort();
        if (!huge) {
            double *dw = need(seg_silhouette_work_size(n, d, 3, nt));
            if (seg_silhouette_samples(dense, n, d, lab, 3, nt, NULL, s1, dw, NULL) != SEG_OK) abort();
            free(dw);
            for (seg_idx i = 0; i < n; i++)
                if (fabs(s1[i] - s2[i]) > 1e-8) abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size};
    fuzz_one(&r);
    return 0;
}
