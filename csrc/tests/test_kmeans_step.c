/* Plain-C tests of seg_kmeans_step: every chunk kernel re-derived by brute
 * force, and chunked Lloyd (step per chunk + merge) against seg_kmeans_fit on
 * the whole data, empty-cluster re-seeding included. */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seg_kmeans.h"
#include "seg_kmeans_step.h"
#include "seg_silhouette_chunks.h"
#include "seg_silhouette.h"
#include "seg_test.h"

static double sq(const double *a, const double *b, seg_idx d) {
    double s = 0;
    for (seg_idx f = 0; f < d; f++) s += (a[f] - b[f]) * (a[f] - b[f]);
    return s;
}

static void make_data(double *X, seg_idx n, seg_idx d, uint64_t seed) {
    seg_rng r;
    seg_rng_seed(&r, seed);
    for (seg_idx i = 0; i < n; i++)
        for (seg_idx f = 0; f < d; f++)
            X[i * d + f] = seg_rng_uniform(&r) + (double)((i % 3) * 2);
}

static int stop_now(void *ctx) {
    (void)ctx;
    return 1;
}

/* A far list with room for cap entries of d columns. */
typedef struct far_buf {
    seg_idx index[64];
    double dist[64], weight[64], rows[64 * 8];
    int32_t label[64];
    seg_kmeans_far far;
} far_buf;

static void far_init(far_buf *b, seg_idx cap) {
    b->far.index = b->index;
    b->far.dist = b->dist;
    b->far.label = b->label;
    b->far.weight = b->weight;
    b->far.rows = b->rows;
    b->far.capacity = cap;
    b->far.count = -1;
}

/* ---- one step against brute force ------------------------------------- */

static void test_step_brute_force(void) {
    const seg_idx m = 301, d = 3, k = 4, cap = 6, offset = 1000;
    double X[301 * 3], sw[301], C[12];
    make_data(X, m, d, 7);
    /* Duplicate rows: equal distances, so the far list's tie rule shows. */
    for (seg_idx f = 0; f < d; f++) {
        X[10 * d + f] = 9.0 + (double)f;
        X[20 * d + f] = 9.0 + (double)f;
        X[30 * d + f] = 9.0 + (double)f;
    }
    seg_rng r;
    seg_rng_seed(&r, 3);
    for (seg_idx i = 0; i < m; i++) sw[i] = (i % 7 == 0) ? 0.0 : seg_rng_uniform(&r) * 3.0;
    sw[20] = 2.0;
    memcpy(C, X + 5 * d, sizeof(double) * (size_t)d);
    memcpy(C + d, X + 6 * d, sizeof(double) * (size_t)d);
    memcpy(C + 2 * d, X + 6 * d, sizeof(double) * (size_t)d); /* duplicate centre: ties */
    memcpy(C + 3 * d, X + 7 * d, sizeof(double) * (size_t)d);

    for (int weighted = 0; weighted < 2; weighted++) {
        const double *w = weighted ? sw : NULL;
        int32_t lab[301];
        double sums[12], wts[4], sse = -1;
        far_buf fb;
        far_init(&fb, cap);
        seg_status st = seg_kmeans_step(X, m, d, w, C, k, offset, NULL, lab, sums, wts, &sse,
                                        &fb.far, NULL);
        CHECK(st == SEG_OK);

        double bs[12] = {0}, bw[4] = {0}, bsse = 0, dist[301];
        int labels_ok = 1;
        for (seg_idx i = 0; i < m; i++) {
            seg_idx b = 0;
            for (seg_idx c = 1; c < k; c++)
                if (sq(X + i * d, C + c * d, d) < sq(X + i * d, C + b * d, d)) b = c;
            labels_ok &= lab[i] == (int32_t)b;
            labels_ok &= b != 2; /* centre 2 duplicates centre 1: never chosen */
            double wi = w ? w[i] : 1.0;
            dist[i] = sq(X + i * d, C + b * d, d);
            bsse += wi * dist[i];
            for (seg_idx f = 0; f < d; f++) bs[b * d + f] += wi * X[i * d + f];
            bw[b] += wi;
        }
        CHECK(labels_ok);
        CHECK_CLOSE(sse, bsse, 1e-9 * bsse);
        for (seg_idx j = 0; j < k * d; j++) CHECK_CLOSE(sums[j], bs[j], 1e-10);
        for (seg_idx c = 0; c < k; c++) CHECK_CLOSE(wts[c], bw[c], 1e-10);

        /* Far list: repeated "first maximum" scans over all rows. */
        CHECK(fb.far.count == cap);
        for (seg_idx e = 0; e < cap; e++) {
            seg_idx best = -1;
            double bd = -1;
            for (seg_idx i = 0; i < m; i++)
                if (dist[i] > bd) {
                    bd = dist[i];
                    best = i;
                }
            dist[best] = -2;
            CHECK(fb.far.index[e] == best + offset);
            CHECK(fb.far.dist[e] == bd);
            CHECK(fb.far.label[e] == lab[best]);
            CHECK(fb.far.weight[e] == (w ? w[best] : 1.0));
            CHECK(memcmp(fb.far.rows + e * d, X + best * d, sizeof(double) * (size_t)d) == 0);
        }
        /* The duplicates at rows 10, 20, 30 are the farthest, in row order. */
        CHECK(fb.far.index[0] == 10 + offset && fb.far.index[1] == 20 + offset &&
              fb.far.index[2] == 30 + offset);
    }

    /* Capacity above m, an empty chunk, labels not wanted. */
    double sums[12], wts[4], sse = -1;
    far_buf fb;
    far_init(&fb, 10);
    CHECK(seg_kmeans_step(X, 4, d, NULL, C, k, 0, NULL, NULL, sums, wts, &sse, &fb.far, NULL) ==
          SEG_OK);
    CHECK(fb.far.count == 4);
    far_init(&fb, 10);
    CHECK(seg_kmeans_step(NULL, 0, d, NULL, C, k, 0, NULL, NULL, sums, wts, &sse, &fb.far, NULL) ==
          SEG_OK);
    CHECK(fb.far.count == 0 && sse == 0.0 && wts[0] == 0.0 && sums[0] == 0.0);
}

/* ---- chunked Lloyd equals seg_kmeans_fit ------------------------------- */

/* Runs `iters` Lloyd iterations chunk by chunk (uneven chunks of `chunk`
 * rows) from C, merging in chunk order; returns the final inertia. */
static double chunked_lloyd(const double *X, seg_idx n, seg_idx d, const double *sw, seg_idx k,
                            double *C, int iters, seg_idx chunk, seg_idx *relocated) {
    seg_idx nc = n / chunk + (n % chunk != 0);
    double *sums = malloc(sizeof(double) * (size_t)(nc * k * d));
    double *wts = malloc(sizeof(double) * (size_t)(nc * k));
    seg_idx *fi = malloc(sizeof(seg_idx) * (size_t)(nc * k));
    double *fd = malloc(sizeof(double) * (size_t)(nc * k));
    double *fw = malloc(sizeof(double) * (size_t)(nc * k));
    double *fr = malloc(sizeof(double) * (size_t)(nc * k * d));
    int32_t *fl = malloc(sizeof(int32_t) * (size_t)(nc * k));
    double *work = malloc(sizeof(double) * (size_t)seg_kmeans_step_merge_work_size(k, d, nc * k));
    *relocated = 0;
    double sse_total = 0;
    for (int it = 0; it <= iters; it++) {
        seg_idx count = 0;
        sse_total = 0;
        for (seg_idx c = 0; c < nc; c++) {
            seg_idx i0 = c * chunk, m = i0 + chunk < n ? chunk : n - i0;
            seg_kmeans_far far = {fi + count, fd + count, fl + count, fw + count,
                                  fr + count * d, k, 0};
            double sse;
            seg_status st = seg_kmeans_step(X + i0 * d, m, d, sw ? sw + i0 : NULL, C, k, i0,
                                            NULL, NULL, sums + c * k * d, wts + c * k, &sse,
                                            &far, NULL);
            CHECK(st == SEG_OK);
            count += far.count;
            sse_total += sse;
        }
        if (it == iters) break; /* the last pass only measures the inertia */
        seg_kmeans_far all = {fi, fd, fl, fw, fr, nc * k, count};
        double shift;
        seg_idx moved;
        CHECK(seg_kmeans_step_merge(nc, k, d, sums, wts, &all, C, &shift, &moved, work, NULL) ==
              SEG_OK);
        *relocated += moved;
    }
    free(sums);
    free(wts);
    free(fi);
    free(fd);
    free(fw);
    free(fr);
    free(fl);
    free(work);
    return sse_total;
}

static void compare_with_fit(const double *X, seg_idx n, seg_idx d, const double *sw, seg_idx k,
                             const double *C0, seg_idx chunk, int expect_relocation) {
    seg_idx total_moved = 0;
    for (int iters = 1; iters <= 8; iters++) {
        for (int alg = 0; alg < 2; alg++) {
            double Cf[64], Cc[64], inertia;
            memcpy(Cf, C0, sizeof(double) * (size_t)(k * d));
            memcpy(Cc, C0, sizeof(double) * (size_t)(k * d));
            int32_t *lab = malloc(sizeof(int32_t) * (size_t)n);
            double *work =
                malloc(sizeof(double) * (size_t)seg_kmeans_fit_work_size(n, d, k, alg));
            int n_iter, conv;
            seg_status st = seg_kmeans_fit(X, n, d, sw, k, Cf, iters, 0.0, alg, 2, NULL, lab,
                                           &inertia, &n_iter, &conv, work, NULL);
            CHECK(st == SEG_OK);
            seg_idx moved;
            /* tol = 0: the fit runs `iters` updates unless labels settle, and
             * then more chunked updates leave the centres unchanged. */
            double sse = chunked_lloyd(X, n, d, sw, k, Cc, iters, chunk, &moved);
            total_moved += moved;
            double worst = 0;
            for (seg_idx j = 0; j < k * d; j++) {
                double e = fabs(Cf[j] - Cc[j]);
                if (e > worst) worst = e;
            }
            CHECK(worst <= 1e-12);
            CHECK_CLOSE(sse, inertia, 1e-11 * (inertia > 1 ? inertia : 1));
            free(lab);
            free(work);
        }
    }
    CHECK(expect_relocation ? total_moved > 0 : total_moved == 0);
}

static void test_chunked_equals_fit(void) {
    const seg_idx n = 1000, d = 4, k = 5;
    double *X = malloc(sizeof(double) * (size_t)(n * d));
    double *sw = malloc(sizeof(double) * (size_t)n);
    make_data(X, n, d, 11);
    seg_rng r;
    seg_rng_seed(&r, 5);
    for (seg_idx i = 0; i < n; i++) sw[i] = (i % 9 == 0) ? 0.0 : 0.5 + seg_rng_uniform(&r);

    /* From data rows: no empty cluster expected. */
    double C0[20];
    for (seg_idx c = 0; c < k; c++) memcpy(C0 + c * d, X + (c * 97) * d, sizeof(double) * 4);
    compare_with_fit(X, n, d, NULL, k, C0, 137, 0);
    compare_with_fit(X, n, d, sw, k, C0, 256, 0);

    /* Two centres far from everything: empty at once, re-seeded with the
     * farthest rows (duplicated farthest rows make the tie rule matter). */
    for (seg_idx f = 0; f < d; f++) {
        X[500 * d + f] = 20.0;
        X[200 * d + f] = 20.0;
        X[800 * d + f] = 20.0;
        X[300 * d + f] = -15.0;
    }
    double C1[20];
    memcpy(C1, C0, sizeof(C1));
    for (seg_idx f = 0; f < d; f++) {
        C1[1 * d + f] = 1e3;
        C1[3 * d + f] = -1e3;
    }
    compare_with_fit(X, n, d, NULL, k, C1, 137, 1);
    compare_with_fit(X, n, d, sw, k, C1, 100, 1);
    compare_with_fit(X, n, d, sw, k, C1, 1000, 1); /* one chunk */
    free(X);
    free(sw);
}

static void test_merge_rules(void) {
    /* Two chunks, k = 3, d = 1: cluster 2 empty; the far list offers row 7
     * (label 0, weight 2) and row 3 (label 1, weight 1) at equal distance:
     * row 3 comes first in chunk order, so it is taken, from cluster 1. */
    double sums[6] = {1.0, 4.0, 0.0, 2.0, 1.0, 0.0};
    double wts[6] = {1.0, 2.0, 0.0, 1.0, 1.0, 0.0};
    seg_idx idx[2] = {3, 7};
    double dist[2] = {4.0, 4.0}, weight[2] = {1.0, 2.0}, rows[2] = {3.0, 5.0};
    int32_t label[2] = {1, 0};
    seg_kmeans_far far = {idx, dist, label, weight, rows, 2, 2};
    double C[3] = {0.0, 1.0, 100.0}, shift, work[16];
    seg_idx moved;
    CHECK(seg_kmeans_step_merge(2, 3, 1, sums, wts, &far, C, &shift, &moved, work, NULL) == SEG_OK);
    CHECK(moved == 1);
    CHECK_CLOSE(C[0], 3.0 / 2.0, 1e-15);       /* (1 + 2) / (1 + 1) */
    CHECK_CLOSE(C[1], (5.0 - 3.0) / 2.0, 1e-15); /* row 3 left cluster 1 */
    CHECK(C[2] == 3.0);
    CHECK_CLOSE(shift, 2.25 + 0.0 + 97.0 * 97.0, 1e-12);

    /* A cluster whose weight after a move is rounding (the fuzzer's find):
     * cluster 0 holds 0.1 + 0.2 (0.30000000000000004 in binary) and gives
     * a row of weight 0.3 away. 0x1p-54 of weight is left; with sums whose
     * own rounding left 1e-9, the quotient was 2e7 for data in [-1, 1].
     * It counts as emptied and keeps its centre; so does a cluster left
     * with exactly nothing, and 2^-12 of the weight is a real mean. */
    {
        double s0[2] = {1e-9, 0.0}, w0[2] = {0.1 + 0.2, 0.0};
        seg_idx i0[1] = {0};
        double d0[1] = {1.0}, fw0[1] = {0.3}, r0[1] = {0.0};
        int32_t l0[1] = {0};
        seg_kmeans_far f0 = {i0, d0, l0, fw0, r0, 1, 1};
        double C0[2] = {0.5, 9.0};
        CHECK(seg_kmeans_step_merge(1, 2, 1, s0, w0, &f0, C0, &shift, &moved, work, NULL) ==
              SEG_OK);
        CHECK(moved == 1 && C0[0] == 0.5 && C0[1] == 0.0);
        double w1b[2] = {1.0 + 0x1p-12, 0.0}, s1b[2] = {0x1p-13, 0.0}, C1b[2] = {0.5, 9.0};
        fw0[0] = 1.0;
        CHECK(seg_kmeans_step_merge(1, 2, 1, s1b, w1b, &f0, C1b, &shift, &moved, work, NULL) ==
              SEG_OK);
        CHECK(moved == 1 && C1b[0] == 0.5 && C1b[1] == 0.0); /* 2^-13 / 2^-12 */
        w1b[0] = 1.0 + 0x1p-14;
        C1b[0] = 0.25;
        CHECK(seg_kmeans_step_merge(1, 2, 1, s1b, w1b, &f0, C1b, &shift, &moved, work, NULL) ==
              SEG_OK);
        CHECK(moved == 1 && C1b[0] == 0.25); /* 2^-14 left of 1 + 2^-14: emptied */
    }

    /* No weight anywhere: degenerate. */
    double zero[3] = {0, 0, 0};
    CHECK(seg_kmeans_step_merge(1, 3, 1, zero, zero, NULL, C, &shift, &moved, work, NULL) ==
          SEG_EDEGENERATE);
    /* Empty cluster and no far rows: it keeps its centre. */
    double s1[3] = {2.0, 0.0, 0.0}, w1[3] = {2.0, 0.0, 0.0}, C2[3] = {0.0, 5.0, 6.0};
    CHECK(seg_kmeans_step_merge(1, 3, 1, s1, w1, NULL, C2, &shift, &moved, work, NULL) == SEG_OK);
    CHECK(C2[0] == 1.0 && C2[1] == 5.0 && C2[2] == 6.0 && moved == 0);
    /* A label outside [0, k) in the far list. */
    label[0] = 3;
    CHECK(seg_kmeans_step_merge(2, 3, 1, sums, wts, &far, C, &shift, &moved, work, NULL) ==
          SEG_EINVAL);
    /* Each failure says why, and which element. */
    seg_detail why = {NULL, -1};
    CHECK(seg_kmeans_step_merge(2, 3, 1, sums, wts, &far, C, &shift, &moved, work, &why) ==
          SEG_EINVAL);
    CHECK(why.reason != NULL && strstr(why.reason, "far_label") != NULL && why.index == 0);
    label[0] = 1;
    weight[1] = -1.0;
    CHECK(seg_kmeans_step_merge(2, 3, 1, sums, wts, &far, C, &shift, &moved, work, &why) ==
          SEG_EINVAL);
    CHECK(strstr(why.reason, "far_weight must be >= 0") != NULL && why.index == 1);
    weight[1] = 2.0;
    wts[4] = -1.0;
    CHECK(seg_kmeans_step_merge(2, 3, 1, sums, wts, &far, C, &shift, &moved, work, &why) ==
          SEG_EINVAL);
    CHECK(strstr(why.reason, "weights must be >= 0") != NULL && why.index == 4);
    wts[4] = 1.0;
    CHECK(seg_kmeans_step_merge(0, 3, 1, sums, wts, &far, C, &shift, &moved, work, &why) ==
          SEG_EINVAL);
    CHECK(strstr(why.reason, "n_chunks >= 1") != NULL && why.index == -1);
    CHECK(seg_kmeans_step_merge(1, 3, 1, zero, zero, NULL, C, &shift, &moved, work, &why) ==
          SEG_EDEGENERATE);
    CHECK(strstr(why.reason, "total weight is zero") != NULL);
}

/* ---- k-means|| --------------------------------------------------------- */

static void test_nearest_brute_force(void) {
    const seg_idx m = 257, d = 3, q_total = 9;
    double X[257 * 3], sw[257], cand[9 * 3];
    make_data(X, m, d, 21);
    for (seg_idx i = 0; i < m; i++) sw[i] = (double)(i % 4);
    for (seg_idx c = 0; c < q_total; c++) memcpy(cand + c * d, X + (c * 29) * d, sizeof(double) * 3);
    memcpy(cand + 6 * d, cand + 2 * d, sizeof(double) * 3); /* duplicate: ties keep number 2 */

    double closest[257], cw[9], cost = -1;
    int32_t nearest[257];
    /* Batches of 1, 4, 0, 4 candidates. */
    seg_idx batches[4][2] = {{0, 1}, {1, 4}, {5, 0}, {5, 4}};
    for (int b = 0; b < 4; b++) {
        seg_idx first = batches[b][0], q = batches[b][1];
        seg_status st = seg_kmeans_step_nearest(X, m, d, sw, cand + first * d, q, first, b == 0,
                                                NULL, closest, nearest, &cost, cw, q_total, NULL);
        CHECK(st == SEG_OK);
    }
    double bcost = 0, bcw[9] = {0};
    int ok = 1;
    for (seg_idx i = 0; i < m; i++) {
        seg_idx best = 0;
        for (seg_idx c = 1; c < q_total; c++)
            if (sq(X + i * d, cand + c * d, d) < sq(X + i * d, cand + best * d, d)) best = c;
        double dd = sq(X + i * d, cand + best * d, d);
        ok &= nearest[i] == (int32_t)best && closest[i] == dd && best != 6;
        bcost += sw[i] * dd;
        bcw[best] += sw[i];
    }
    CHECK(ok);
    CHECK_CLOSE(cost, bcost, 1e-10 * bcost);
    double tw = 0;
    for (seg_idx c = 0; c < q_total; c++) {
        CHECK_CLOSE(cw[c], bcw[c], 1e-10);
        tw += cw[c];
    }
    CHECK(cw[6] == 0.0);
    double sw_total = 0;
    for (seg_idx i = 0; i < m; i++) sw_total += sw[i];
    CHECK_CLOSE(tw, sw_total, 1e-9);

    /* A stored nearest outside [0, first) is rejected. */
    nearest[3] = 7;
    CHECK(seg_kmeans_step_nearest(X, m, d, sw, cand, 1, 5, 0, NULL, closest, nearest, &cost, cw,
                                  q_total, NULL) == SEG_EINVAL);
    CHECK(seg_kmeans_step_nearest(X, m, d, sw, cand, 1, 2, 1, NULL, closest, nearest, &cost, cw,
                                  q_total, NULL) == SEG_EINVAL); /* reset needs first = 0 */
}

static void test_sample(void) {
    const seg_idx m = 5000;
    double *closest = malloc(sizeof(double) * (size_t)m);
    double *sw = malloc(sizeof(double) * (size_t)m);
    seg_idx *picked = malloc(sizeof(seg_idx) * (size_t)m);
    seg_rng r;
    seg_rng_seed(&r, 8);
    double phi = 0;
    for (seg_idx i = 0; i < m; i++) {
        closest[i] = (i % 10 == 0) ? 0.0 : seg_rng_uniform(&r);
        sw[i] = 1.0 + (double)(i % 3);
        phi += sw[i] * closest[i];
    }
    closest[17] = phi; /* p = ell * w * phi / phi >= 1: always picked */
    phi += sw[17] * phi;
    const double ell = 40.0;
    seg_idx n_picked = -1;
    CHECK(seg_kmeans_step_sample(closest, sw, m, ell, phi, 99, picked, &n_picked, NULL) == SEG_OK);
    /* Re-derive every decision from the same stream. */
    seg_rng b;
    seg_rng_seed(&b, 99);
    seg_idx count = 0;
    int ok = 1, has17 = 0, zero_picked = 0;
    double expect = 0;
    for (seg_idx i = 0; i < m; i++) {
        double u = seg_rng_uniform(&b);
        double p = ell * sw[i] * closest[i] / phi;
        expect += p < 1 ? p : 1;
        if (u * phi < ell * sw[i] * closest[i]) {
            ok &= count < n_picked && picked[count] == i;
            count++;
            has17 |= i == 17;
            zero_picked |= closest[i] == 0.0;
        }
    }
    CHECK(ok && count == n_picked && has17 && !zero_picked);
    /* The count is a sum of Bernoullis: within 5 standard deviations. */
    CHECK(fabs((double)n_picked - expect) <= 5.0 * sqrt(expect) + 1.0);
    CHECK(seg_kmeans_step_sample(closest, sw, m, ell, 0.0, 99, picked, &n_picked, NULL) ==
          SEG_EINVAL);
    CHECK(seg_kmeans_step_sample(closest, sw, m, NAN, phi, 99, picked, &n_picked, NULL) ==
          SEG_ENONFINITE);
    sw[3] = -1.0;
    CHECK(seg_kmeans_step_sample(closest, sw, m, ell, phi, 99, picked, &n_picked, NULL) ==
          SEG_EINVAL);
    free(closest);
    free(sw);
    free(picked);
}

/* ---- silhouette over chunk pairs --------------------------------------- */

static void test_silhouette_tiles(void) {
    const seg_idx n = 1100, d = 5, k = 4, chunk = 300;
    double *X = malloc(sizeof(double) * (size_t)(n * d));
    int32_t *lab = malloc(sizeof(int32_t) * (size_t)n);
    make_data(X, n, d, 31);
    for (seg_idx i = 0; i < n; i++) lab[i] = (int32_t)(i % 3); /* label 3 unused... */
    lab[555] = 3;                                             /* ...but for one row */
    memcpy(X + 9 * d, X + 10 * d, sizeof(double) * (size_t)d); /* an exact duplicate */
    int64_t counts[4] = {0};
    for (seg_idx i = 0; i < n; i++) counts[lab[i]]++;

    seg_idx nc = (n + chunk - 1) / chunk;
    double *sums = calloc((size_t)(n * k), sizeof(double));
    double *sa = malloc(sizeof(double) * (size_t)(chunk * k));
    double *sb = malloc(sizeof(double) * (size_t)(chunk * k));
    double *work = malloc(sizeof(double) * (size_t)seg_silhouette_chunk_sums_work_size(d));
    /* Every pair a <= b once; a == b alone, a < b both ways. */
    for (seg_idx a = 0; a < nc; a++) {
        seg_idx ia = a * chunk, ma = ia + chunk < n ? chunk : n - ia;
        for (seg_idx b = a; b < nc; b++) {
            seg_idx ib = b * chunk, mb = ib + chunk < n ? chunk : n - ib;
            seg_status st = seg_silhouette_chunk_sums(X + ia * d, lab + ia, ma, X + ib * d,
                                                       lab + ib, mb, d, k, NULL, sa,
                                                       a == b ? NULL : sb, work, NULL);
            CHECK(st == SEG_OK);
            for (seg_idx j = 0; j < ma * k; j++) sums[ia * k + j] += sa[j];
            if (a != b)
                for (seg_idx j = 0; j < mb * k; j++) sums[ib * k + j] += sb[j];
        }
    }
    /* The sums against brute force... */
    double worst = 0;
    for (seg_idx i = 0; i < n; i += 37) {
        double bs[4] = {0};
        for (seg_idx j = 0; j < n; j++) bs[lab[j]] += sqrt(sq(X + i * d, X + j * d, d));
        for (seg_idx c = 0; c < k; c++) {
            double e = fabs(bs[c] - sums[i * k + c]);
            if (e > worst) worst = e;
        }
    }
    CHECK(worst <= 1e-9);
    /* ...and the scores against seg_silhouette_samples. */
    double *s = malloc(sizeof(double) * (size_t)n), *ref = malloc(sizeof(double) * (size_t)n);
    CHECK(seg_silhouette_from_sums(sums, lab, n, k, counts, s, NULL) == SEG_OK);
    double *w2 = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(n, d, k, 1));
    CHECK(seg_silhouette_samples(X, n, d, lab, k, 1, NULL, ref, w2, NULL) == SEG_OK);
    worst = 0;
    for (seg_idx i = 0; i < n; i++) {
        double e = fabs(s[i] - ref[i]);
        if (e > worst) worst = e;
    }
    CHECK(worst <= 1e-12);
    CHECK(s[555] == 0.0); /* alone in its cluster */

    int64_t one[4] = {n, 0, 0, 0};
    CHECK(seg_silhouette_from_sums(sums, lab, n, k, one, s, NULL) == SEG_EDEGENERATE);
    lab[0] = 4;
    CHECK(seg_silhouette_chunk_sums(X, lab, 3, X, lab, 3, d, k, NULL, sa, sb, work, NULL) ==
          SEG_EINVAL);
    free(X);
    free(lab);
    free(sums);
    free(sa);
    free(sb);
    free(work);
    free(s);
    free(ref);
    free(w2);
}

/* ---- bad input, NaN, interrupts ---------------------------------------- */

static void test_errors(void) {
    const seg_idx d = 2, k = 2;
    double X[8] = {0, 0, 1, 1, 2, 2, 3, 3}, C[4] = {0, 0, 3, 3}, sums[4], w[2], sse;
    double sw[4] = {1, 1, -1, 1};
    CHECK(seg_kmeans_step(X, 4, d, NULL, C, 0, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_kmeans_step(X, -1, d, NULL, C, k, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_kmeans_step(X, 4, d, sw, C, k, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_EINVAL);
    sw[2] = INFINITY;
    CHECK(seg_kmeans_step(X, 4, d, sw, C, k, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_ENONFINITE);
    X[5] = NAN;
    CHECK(seg_kmeans_step(X, 4, d, NULL, C, k, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_ENONFINITE);
    double cl[4], cw[2], cost;
    int32_t nr[4];
    CHECK(seg_kmeans_step_nearest(X, 4, d, NULL, C, 2, 0, 1, NULL, cl, nr, &cost, cw, 2, NULL) ==
          SEG_ENONFINITE);
    X[5] = INFINITY;
    CHECK(seg_kmeans_step(X, 4, d, NULL, C, k, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_ENONFINITE);
    X[5] = 2;
    C[1] = NAN;
    CHECK(seg_kmeans_step(X, 4, d, NULL, C, k, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_ENONFINITE);

    /* Interrupts: enough rows to reach a check. */
    const seg_idx m = 2000, dd = 64, kk = 64;
    double *BX = calloc((size_t)(m * dd), sizeof(double));
    double *BC = calloc((size_t)(kk * dd), sizeof(double));
    double *bs = malloc(sizeof(double) * (size_t)(kk * dd)), bw[64];
    seg_interrupt stop = {stop_now, NULL};
    CHECK(seg_kmeans_step(BX, m, dd, NULL, BC, kk, 0, &stop, NULL, bs, bw, &sse, NULL, NULL) ==
          SEG_EINTERRUPTED);
    double *work = malloc(sizeof(double) * (size_t)seg_silhouette_chunk_sums_work_size(dd));
    double *sa = malloc(sizeof(double) * (size_t)(m * 2));
    int32_t *lab = calloc((size_t)m, sizeof(int32_t));
    CHECK(seg_silhouette_chunk_sums(BX, lab, m, BX, lab, 10, dd, 2, &stop, sa, NULL, work, NULL) ==
          SEG_EINTERRUPTED);
    free(BX);
    free(BC);
    free(bs);
    free(work);
    free(sa);
    free(lab);
}

/* Found by the fuzz harness: a cluster weight that overflows (sample weights
 * near DBL_MAX, the rows on their centre so that sums and SSE stay 0) came
 * back inf with SEG_OK; and offset + row overflowed seg_idx in far->index
 * (undefined behaviour, a negative global row number in practice). */
static void test_step_overflow_guards(void) {
    double X[2] = {0.0, 5.0}, C[1] = {0.0}, sums[1], w[1], sse;
    const double big[2] = {DBL_MAX, DBL_MAX}, half[2] = {DBL_MAX / 2, DBL_MAX / 4};
    double X0[2] = {0.0, 0.0};
    CHECK(seg_kmeans_step(X0, 2, 1, big, C, 1, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_ENONFINITE);
    CHECK(seg_kmeans_step(X0, 2, 1, half, C, 1, 0, NULL, NULL, sums, w, &sse, NULL, NULL) ==
          SEG_OK);
    CHECK(w[0] == DBL_MAX / 2 + DBL_MAX / 4 && sums[0] == 0.0 && sse == 0.0);
    far_buf fb;
    far_init(&fb, 1);
    CHECK(seg_kmeans_step(X, 2, 1, NULL, C, 1, PTRDIFF_MAX, NULL, NULL, sums, w, &sse, &fb.far,
                          NULL) ==
          SEG_EINVAL);
    CHECK(seg_kmeans_step(X, 2, 1, NULL, C, 1, PTRDIFF_MAX - 1, NULL, NULL, sums, w, &sse,
                          &fb.far, NULL) == SEG_EINVAL);
    far_init(&fb, 1);
    CHECK(seg_kmeans_step(X, 2, 1, NULL, C, 1, PTRDIFF_MAX - 2, NULL, NULL, sums, w, &sse,
                          &fb.far, NULL) == SEG_OK);
    CHECK(fb.far.count == 1 && fb.far.index[0] == PTRDIFF_MAX - 1 && fb.far.dist[0] == 25.0);
}

int main(void) {
    test_step_brute_force();
    test_chunked_equals_fit();
    test_merge_rules();
    test_nearest_brute_force();
    test_sample();
    test_silhouette_tiles();
    test_errors();
    test_step_overflow_guards();
    return seg_test_report();
}
