/* Plain-C tests of seg_kmeans: every result re-derived by brute force. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seg_kmeans.h"
#include "seg_test.h"

static double urand(seg_rng *r) { return seg_rng_uniform(r); }

static void make_data(double *X, seg_idx n, seg_idx d, uint64_t seed) {
    seg_rng r;
    seg_rng_seed(&r, seed);
    for (seg_idx i = 0; i < n; i++)
        for (seg_idx f = 0; f < d; f++)
            X[i * d + f] = urand(&r) + (double)((i % 3) * 2); /* three loose groups */
}

static double sq(const double *a, const double *b, seg_idx d) {
    double s = 0;
    for (seg_idx f = 0; f < d; f++) s += (a[f] - b[f]) * (a[f] - b[f]);
    return s;
}

/* Brute-force Lloyd with the same stopping rules (no empty clusters here). */
static int brute_lloyd(const double *X, seg_idx n, seg_idx d, seg_idx k, double *C, int max_iter,
                       double tol, int32_t *lab) {
    int32_t *old = malloc((size_t)n * sizeof(int32_t));
    double *nc = malloc((size_t)(k * d) * sizeof(double));
    double *w = malloc((size_t)k * sizeof(double));
    int strict = 0, it;
    for (seg_idx i = 0; i < n; i++) old[i] = -1;
    for (it = 0; it < max_iter; it++) {
        memset(nc, 0, (size_t)(k * d) * sizeof(double));
        memset(w, 0, (size_t)k * sizeof(double));
        int changed = 0;
        for (seg_idx i = 0; i < n; i++) {
            seg_idx b = 0;
            for (seg_idx c = 1; c < k; c++)
                if (sq(X + i * d, C + c * d, d) < sq(X + i * d, C + b * d, d)) b = c;
            lab[i] = (int32_t)b;
            changed += lab[i] != old[i];
            old[i] = lab[i];
            for (seg_idx f = 0; f < d; f++) nc[b * d + f] += X[i * d + f];
            w[b] += 1;
        }
        double shift = 0;
        for (seg_idx c = 0; c < k; c++) {
            for (seg_idx f = 0; f < d; f++) nc[c * d + f] /= w[c];
            shift += sq(nc + c * d, C + c * d, d);
        }
        memcpy(C, nc, (size_t)(k * d) * sizeof(double));
        if (!changed) {
            strict = 1;
            break;
        }
        if (shift <= tol) break;
    }
    if (!strict)
        for (seg_idx i = 0; i < n; i++) {
            seg_idx b = 0;
            for (seg_idx c = 1; c < k; c++)
                if (sq(X + i * d, C + c * d, d) < sq(X + i * d, C + b * d, d)) b = c;
            lab[i] = (int32_t)b;
        }
    free(old);
    free(nc);
    free(w);
    return it < max_iter ? it + 1 : max_iter;
}

static int stop_now(void *ctx) {
    (void)ctx;
    return 1;
}

static void test_against_brute_force(seg_kmeans_algorithm alg) {
    const seg_idx n = 700, d = 4, k = 3;
    double *X = malloc(sizeof(double) * n * d);
    make_data(X, n, d, 42 + (uint64_t)alg);
    double C[12], Cb[12];
    memcpy(C, X, sizeof(C)); /* rows 0, 1, 2 are in different groups */
    memcpy(Cb, X, sizeof(Cb));
    int32_t *lab = malloc(sizeof(int32_t) * n), *labb = malloc(sizeof(int32_t) * n);
    double *work = malloc(sizeof(double) * (size_t)seg_kmeans_fit_work_size(n, d, k, alg));
    double inertia;
    int n_iter, conv;
    seg_status st = seg_kmeans_fit(X, n, d, NULL, k, C, 100, 1e-8, alg, 2, NULL, lab, &inertia,
                                   &n_iter, &conv, work, NULL);
    CHECK(st == SEG_OK);
    int it_b = brute_lloyd(X, n, d, k, Cb, 100, 1e-8, labb);
    CHECK(n_iter == it_b);
    CHECK(conv == 1);
    int same = 1;
    double inert_b = 0;
    for (seg_idx i = 0; i < n; i++) {
        same &= lab[i] == labb[i];
        inert_b += sq(X + i * d, Cb + labb[i] * d, d);
    }
    CHECK(same);
    for (int j = 0; j < 12; j++) CHECK_CLOSE(C[j], Cb[j], 1e-12);
    CHECK_CLOSE(inertia, inert_b, 1e-9 * inert_b);
    free(X);
    free(lab);
    free(labb);
    free(work);
}

/* Says stop on its `at`-th call only (a Python handler runs once): the
 * kernel must still stop. */
typedef struct once {
    int calls, at;
} once;

static int stop_once(void *ctx) {
    once *o = (once *)ctx;
    return ++o->calls == o->at;
}

/* Very wide rows (d past the slice of polled distances): the sliced sums
 * give brute force's labels and centres, and a single "stop" anywhere -
 * inside a distance, between rows, between the steps of an update, in
 * k-means++, in the runs - stops every kernel. */
static void test_wide_rows(void) {
    const seg_idx n = 5, d = 300000, k = 3;
    double *X = malloc(sizeof(double) * n * d);
    make_data(X, n, d, 77);
    double *C = malloc(sizeof(double) * k * d), *Cb = malloc(sizeof(double) * k * d);
    memcpy(Cb, X, sizeof(double) * k * d); /* rows 0, 1, 2: one per group */
    int32_t lab[5], labb[5];
    int it_b = brute_lloyd(X, n, d, k, Cb, 50, 0, labb);
    double inertia;
    int it, conv;
    /* Lloyd, then Hamerly (its own distances, lanes8) */
    for (int a = 0; a < 2; a++) {
        seg_kmeans_algorithm alg = a ? SEG_KMEANS_HAMERLY : SEG_KMEANS_LLOYD;
        double *work = malloc(sizeof(double) * (size_t)seg_kmeans_fit_work_size(n, d, k, alg));
        /* brute force's labels and centres; how many polls the fit makes */
        once count = {0, -1};
        seg_interrupt counter = {stop_once, &count};
        memcpy(C, X, sizeof(double) * k * d);
        CHECK(seg_kmeans_fit(X, n, d, NULL, k, C, 50, 0, alg, 2, &counter, lab, &inertia, &it,
                             &conv, work, NULL) == SEG_OK);
        CHECK(it == it_b);
        for (seg_idx i = 0; i < n; i++) CHECK(lab[i] == labb[i]);
        double worst = 0;
        for (seg_idx j = 0; j < k * d; j++) worst = fmax(worst, fabs(C[j] - Cb[j]));
        CHECK(worst <= 1e-12);
        CHECK(count.calls > 20); /* polled inside the passes, not only between them */
        /* then a stop at several of those polls */
        for (int at = 1; at <= count.calls; at += 1 + count.calls / 13) {
            once o = {0, at};
            seg_interrupt intr = {stop_once, &o};
            memcpy(C, X, sizeof(double) * k * d);
            CHECK(seg_kmeans_fit(X, n, d, NULL, k, C, 50, 0, alg, 2, &intr, lab, &inertia, &it,
                                 &conv, work, NULL) == SEG_EINTERRUPTED);
        }
        free(work);
    }
    double *pw = malloc(sizeof(double) * (size_t)seg_kmeans_plusplus_work_size(n, d, k, 3));
    for (int at = 1; at <= 9; at += 2) {
        once o = {0, at};
        seg_interrupt intr = {stop_once, &o};
        CHECK(seg_kmeans_plusplus(X, n, d, NULL, k, 3, 5, 1, &intr, C, NULL, pw, NULL) ==
              SEG_EINTERRUPTED);
    }
    uint64_t seeds[4] = {1, 2, 3, 4};
    seg_kmeans_params p = seg_kmeans_params_default(k);
    p.n_init = 4;
    p.seeds = seeds;
    p.n_threads = 2;
    double *rw = malloc(sizeof(double) * (size_t)seg_kmeans_runs_work_size(n, d, &p));
    seg_kmeans_runs_out out = {C, lab, 0.0, 0, 0, -1};
    for (int at = 1; at <= 60; at += 7) {
        once o = {0, at};
        seg_interrupt intr = {stop_once, &o};
        CHECK(seg_kmeans_fit_runs(X, n, d, NULL, &p, &intr, &out, rw, NULL) ==
              SEG_EINTERRUPTED);
    }
    free(X);
    free(C);
    free(Cb);
    free(pw);
    free(rw);
}

/* The calling thread (the callback must run on no other). */
static _Thread_local int on_caller;

static int stop_once_caller(void *ctx) {
    CHECK(on_caller);
    return stop_once(ctx);
}

/* Chunks of more than GROUP_WORK / 2 terms but narrow rows (d well below
 * the polled slice): 3 chunks of 256 rows, each region spread over the
 * threads (small enough for valgrind).
 * One thread or two give brute force's labels and the same bits; the fit,
 * predict and transform poll inside the chunks, only on the calling thread,
 * and a stop anywhere stops them. */
static void test_big_chunks(void) {
    const seg_idx n = 600, d = 1500, k = 40;
    on_caller = 1;
    double *X = malloc(sizeof(double) * n * d);
    make_data(X, n, d, 78);
    double *C[2], *Cb = malloc(sizeof(double) * k * d);
    C[0] = malloc(sizeof(double) * k * d);
    C[1] = malloc(sizeof(double) * k * d);
    memcpy(Cb, X, sizeof(double) * k * d);
    int32_t *lab[2] = {malloc(sizeof(int32_t) * n), malloc(sizeof(int32_t) * n)};
    int32_t *labb = malloc(sizeof(int32_t) * n);
    int it_b = brute_lloyd(X, n, d, k, Cb, 3, 0, labb);
    for (int a = 0; a < 2; a++) {
        seg_kmeans_algorithm alg = a ? SEG_KMEANS_HAMERLY : SEG_KMEANS_LLOYD;
        double *work = malloc(sizeof(double) * (size_t)seg_kmeans_fit_work_size(n, d, k, alg));
        double inertia[2];
        int it[2], conv;
        once counts[2] = {{0, -1}, {0, -1}};
        for (int t = 0; t < 2; t++) {
            seg_interrupt counter = {stop_once_caller, &counts[t]};
            memcpy(C[t], X, sizeof(double) * k * d);
            CHECK(seg_kmeans_fit(X, n, d, NULL, k, C[t], 3, 0, alg, t + 1, &counter, lab[t],
                                 &inertia[t], &it[t], &conv, work, NULL) == SEG_OK);
        }
        CHECK(it[0] == it_b && it[1] == it_b && inertia[0] == inertia[1]);
        CHECK(memcmp(lab[0], lab[1], sizeof(int32_t) * n) == 0);
        CHECK(memcmp(C[0], C[1], sizeof(double) * k * d) == 0);
        int same = 1;
        for (seg_idx i = 0; i < n; i++) same &= lab[0][i] == labb[i];
        CHECK(same);
        double worst = 0;
        for (seg_idx j = 0; j < k * d; j++) worst = fmax(worst, fabs(C[0][j] - Cb[j]));
        CHECK(worst <= 1e-12);
        /* about 3.6e7 terms a pass, a poll every 2^20 of the caller's
         * share: more than one per chunk, not one per block */
        CHECK(counts[0].calls > 40 && counts[0].calls < 2000);
        CHECK(counts[1].calls >= 5 && counts[1].calls <= counts[0].calls);
        /* A stop at any poll of one thread; on two, the calling thread's
         * share of the chunks varies with the scheduling, and only its
         * first polls (scratch, region ends: at least 5) are certain. */
        for (int t = 0; t < 2; t++) {
            int last = t == 0 ? counts[0].calls : 4;
            for (int at = 1; at <= last; at += t == 0 ? 1 + last / 7 : 1) {
                once o = {0, at};
                seg_interrupt intr = {stop_once_caller, &o};
                memcpy(C[1], X, sizeof(double) * k * d);
                CHECK(seg_kmeans_fit(X, n, d, NULL, k, C[1], 3, 0, alg, t + 1, &intr, lab[1],
                                     &inertia[1], &it[1], &conv, work, NULL) ==
                      SEG_EINTERRUPTED);
            }
        }
        free(work);
    }
    /* predict and transform: the same on one thread or two, polled inside */
    double *pw = malloc(sizeof(double) * (size_t)seg_kmeans_predict_work_size(n, d, k));
    double *T[2] = {malloc(sizeof(double) * n * k), malloc(sizeof(double) * n * k)};
    double pin[2];
    for (int t = 0; t < 2; t++) {
        CHECK(seg_kmeans_predict(X, n, d, NULL, Cb, k, t + 1, NULL, lab[t], &pin[t], pw, NULL) ==
              SEG_OK);
        CHECK(seg_kmeans_transform(X, n, d, Cb, k, t + 1, NULL, T[t], NULL) == SEG_OK);
    }
    CHECK(memcmp(lab[0], lab[1], sizeof(int32_t) * n) == 0 && pin[0] == pin[1]);
    CHECK(memcmp(T[0], T[1], sizeof(double) * n * k) == 0);
    int nearest = 1;
    for (seg_idx i = 0; i < n; i++)
        for (seg_idx c = 0; c < k; c++) {
            nearest &= sq(X + i * d, Cb + lab[0][i] * d, d) <= sq(X + i * d, Cb + c * d, d);
            nearest &= fabs(T[0][i * k + c] - sqrt(sq(X + i * d, Cb + c * d, d))) <= 1e-12;
        }
    CHECK(nearest);
    once pc = {0, -1};
    seg_interrupt pcount = {stop_once_caller, &pc};
    CHECK(seg_kmeans_predict(X, n, d, NULL, Cb, k, 1, &pcount, lab[1], &pin[1], pw, NULL) ==
          SEG_OK);
    CHECK(pc.calls > 20); /* inside the one region of the 3 chunks */
    for (int at = 1; at <= pc.calls; at += 1 + pc.calls / 5) {
        once o = {0, at};
        seg_interrupt intr = {stop_once_caller, &o};
        CHECK(seg_kmeans_predict(X, n, d, NULL, Cb, k, 1, &intr, lab[1], &pin[1], pw, NULL) ==
              SEG_EINTERRUPTED);
    }
    once p2 = {0, 1}; /* two threads: the region's end at least */
    seg_interrupt p2stop = {stop_once_caller, &p2};
    CHECK(seg_kmeans_predict(X, n, d, NULL, Cb, k, 2, &p2stop, lab[1], &pin[1], pw, NULL) ==
          SEG_EINTERRUPTED);
    once tc = {0, -1};
    seg_interrupt tcount = {stop_once_caller, &tc};
    CHECK(seg_kmeans_transform(X, n, d, Cb, k, 2, &tcount, T[1], NULL) == SEG_OK);
    CHECK(tc.calls >= 3); /* a poll after each region of about 2^24 terms */
    once to = {0, 2};
    seg_interrupt tstop = {stop_once_caller, &to};
    CHECK(seg_kmeans_transform(X, n, d, Cb, k, 2, &tstop, T[1], NULL) == SEG_EINTERRUPTED);
    free(X);
    free(C[0]);
    free(C[1]);
    free(Cb);
    free(lab[0]);
    free(lab[1]);
    free(labb);
    free(pw);
    free(T[0]);
    free(T[1]);
}

static void test_threads_bit_identical(void) {
    const seg_idx n = 5000, d = 3, k = 7;
    double *X = malloc(sizeof(double) * n * d);
    make_data(X, n, d, 7);
    double C1[21], C2[21];
    double *wk = malloc(sizeof(double) * (size_t)seg_kmeans_plusplus_work_size(n, d, k, 3));
    CHECK(seg_kmeans_plusplus(X, n, d, NULL, k, 3, 99, 1, NULL, C1, NULL, wk, NULL) == SEG_OK);
    CHECK(seg_kmeans_plusplus(X, n, d, NULL, k, 3, 99, 2, NULL, C2, NULL, wk, NULL) == SEG_OK);
    CHECK(memcmp(C1, C2, sizeof(C1)) == 0);
    free(wk);
    int32_t *l1 = malloc(sizeof(int32_t) * n), *l2 = malloc(sizeof(int32_t) * n);
    double *work =
        malloc(sizeof(double) * (size_t)seg_kmeans_fit_work_size(n, d, k, SEG_KMEANS_HAMERLY));
    double i1, i2;
    int it1, it2, c1, c2;
    CHECK(seg_kmeans_fit(X, n, d, NULL, k, C1, 300, 0.0, SEG_KMEANS_HAMERLY, 1, NULL, l1, &i1,
                         &it1, &c1, work, NULL) == SEG_OK);
    CHECK(seg_kmeans_fit(X, n, d, NULL, k, C2, 300, 0.0, SEG_KMEANS_HAMERLY, 2, NULL, l2, &i2,
                         &it2, &c2, work, NULL) == SEG_OK);
    CHECK(memcmp(l1, l2, sizeof(int32_t) * n) == 0);
    CHECK(memcmp(C1, C2, sizeof(C1)) == 0);
    CHECK(i1 == i2 && it1 == it2);
    /* every label is the nearest final centre */
    int nearest = 1;
    for (seg_idx i = 0; i < n; i++)
        for (seg_idx c = 0; c < k; c++)
            nearest &= sq(X + i * d, C1 + l1[i] * d, d) <= sq(X + i * d, C1 + c * d, d);
    CHECK(nearest);
    free(X);
    free(l1);
    free(l2);
    free(work);
}

static void test_empty_cluster_reseeded(void) {
    const seg_idx n = 300, d = 2, k = 4;
    double *X = malloc(sizeof(double) * n * d);
    make_data(X, n, d, 3);
    double C[8] = {0.5, 0.5, 2.5, 2.5, 4.5, 4.5, 1e6, 1e6};
    int32_t *lab = malloc(sizeof(int32_t) * n);
    double *work =
        malloc(sizeof(double) * (size_t)seg_kmeans_fit_work_size(n, d, k, SEG_KMEANS_LLOYD));
    double inertia;
    int it, conv;
    CHECK(seg_kmeans_fit(X, n, d, NULL, k, C, 100, 0.0, SEG_KMEANS_LLOYD, 2, NULL, lab, &inertia,
                         &it, &conv, work, NULL) == SEG_OK);
    seg_idx count[4] = {0, 0, 0, 0};
    for (seg_idx i = 0; i < n; i++) count[lab[i]]++;
    for (int c = 0; c < 4; c++) CHECK(count[c] > 0);
    CHECK(C[6] < 10.0); /* the far centre moved into the data */
    free(X);
    free(lab);
    free(work);
}

static void test_bad_input(void) {
    double X[6] = {0, 1, 2, 3, 4, 5}, C[2] = {0, 1};
    int32_t lab[3];
    double work[4096], inertia;
    int it, conv;
    CHECK(seg_kmeans_fit(X, 3, 2, NULL, 4, C, 10, 0, SEG_KMEANS_LLOYD, 1, NULL, lab, &inertia, &it,
                         &conv, work, NULL) == SEG_EINVAL);
    CHECK(seg_kmeans_fit(X, 3, 2, NULL, 1, C, 0, 0, SEG_KMEANS_LLOYD, 1, NULL, lab, &inertia, &it,
                         &conv, work, NULL) == SEG_EINVAL);
    CHECK(seg_kmeans_fit(X, 3, 2, NULL, 1, C, 10, -1, SEG_KMEANS_LLOYD, 1, NULL, lab, &inertia,
                         &it, &conv, work, NULL) == SEG_EINVAL);
    double w[3] = {1, -1, 1};
    CHECK(seg_kmeans_fit(X, 3, 2, w, 1, C, 10, 0, SEG_KMEANS_LLOYD, 1, NULL, lab, &inertia, &it,
                         &conv, work, NULL) == SEG_EINVAL);
    X[3] = NAN;
    CHECK(seg_kmeans_fit(X, 3, 2, NULL, 1, C, 10, 0, SEG_KMEANS_LLOYD, 1, NULL, lab, &inertia, &it,
                         &conv, work, NULL) == SEG_ENONFINITE);
    CHECK(seg_kmeans_plusplus(X, 3, 2, NULL, 1, 2, 0, 1, NULL, C, NULL, work, NULL) ==
          SEG_ENONFINITE);
    X[3] = 3;
    seg_interrupt stop = {stop_now, NULL};
    CHECK(seg_kmeans_fit(X, 3, 2, NULL, 1, C, 10, 0, SEG_KMEANS_LLOYD, 1, &stop, lab, &inertia,
                         &it, &conv, work, NULL) == SEG_EINTERRUPTED);
    CHECK(seg_kmeans_fit_work_size(PTRDIFF_MAX - 10, 4, 4, SEG_KMEANS_HAMERLY) == -1);
    CHECK(seg_kmeans_plusplus_work_size(0, 1, 1, 1) == -1);
}

static void test_runs_equal_sequential(void) {
    const seg_idx n = 2000, d = 3, k = 5;
    double *X = malloc(sizeof(double) * n * d);
    make_data(X, n, d, 21);
    uint64_t seeds[6] = {5, 6, 7, 8, 9, 10};
    double best_inertia = INFINITY, best_c[15], c[15];
    int best = -1;
    int32_t *lab = malloc(sizeof(int32_t) * n);
    double *pw = malloc(sizeof(double) * (size_t)seg_kmeans_plusplus_work_size(n, d, k, 3));
    double *fw =
        malloc(sizeof(double) * (size_t)seg_kmeans_fit_work_size(n, d, k, SEG_KMEANS_LLOYD));
    for (int r = 0; r < 6; r++) {
        double inertia;
        int it, conv;
        CHECK(seg_kmeans_plusplus(X, n, d, NULL, k, 3, seeds[r], 1, NULL, c, NULL, pw, NULL) ==
              SEG_OK);
        CHECK(seg_kmeans_fit(X, n, d, NULL, k, c, 100, 1e-9, SEG_KMEANS_LLOYD, 1, NULL, lab,
                             &inertia, &it, &conv, fw, NULL) == SEG_OK);
        if (inertia < best_inertia) {
            best_inertia = inertia;
            best = r;
            memcpy(best_c, c, sizeof(c));
        }
    }
    seg_kmeans_params p = seg_kmeans_params_default(k);
    p.n_init = 6;
    p.seeds = seeds;
    p.n_trials = 3;
    p.max_iter = 100;
    p.tol = 1e-9;
    double C[15];
    seg_kmeans_runs_out out = {C, lab, 0.0, 0, 0, -1};
    for (int nt = 1; nt <= 3; nt++) {
        p.n_threads = nt;
        double *w = malloc(sizeof(double) * (size_t)seg_kmeans_runs_work_size(n, d, &p));
        CHECK(seg_kmeans_fit_runs(X, n, d, NULL, &p, NULL, &out, w, NULL) == SEG_OK);
        CHECK(out.best_run == best);
        CHECK(memcmp(C, best_c, sizeof(C)) == 0);
        CHECK_CLOSE(out.inertia, best_inertia, 1e-12 * best_inertia);
        free(w);
    }
    seg_interrupt stop = {stop_now, NULL};
    p.n_threads = 2;
    double *w = malloc(sizeof(double) * (size_t)seg_kmeans_runs_work_size(n, d, &p));
    CHECK(seg_kmeans_fit_runs(X, n, d, NULL, &p, &stop, &out, w, NULL) == SEG_EINTERRUPTED);
    /* a reason for every other failure: both starts given */
    seg_detail why = {NULL, -1};
    p.init_centers = C;
    CHECK(seg_kmeans_fit_runs(X, n, d, NULL, &p, NULL, &out, w, &why) == SEG_EINVAL);
    CHECK(why.reason != NULL && strstr(why.reason, "exactly one of seeds and init_centers"));
    p.init_centers = NULL;
    p.max_iter = 0;
    CHECK(seg_kmeans_fit_runs(X, n, d, NULL, &p, NULL, &out, w, &why) == SEG_EINVAL);
    CHECK(strstr(why.reason, "max_iter") != NULL);
    p.max_iter = 100;
    X[7] = NAN;
    CHECK(seg_kmeans_fit_runs(X, n, d, NULL, &p, NULL, &out, w, &why) == SEG_ENONFINITE);
    CHECK(strstr(why.reason, "X has NaN") != NULL && why.index == 7);
    free(w);
    free(X);
    free(lab);
    free(pw);
    free(fw);
}

/* BUG-11: two distinct points, five clusters, tol = 0: the three extra
 * clusters keep their centres instead of being re-seeded from rows that sit
 * on theirs on every iteration, and the run converges with inertia ~0. */
static void test_fewer_distinct_points_than_clusters(seg_kmeans_algorithm alg) {
    const seg_idx n = 101, d = 3, k = 5;
    double X[101 * 3], C[15];
    int32_t lab[101];
    for (seg_idx i = 0; i < n; i++)
        for (seg_idx f = 0; f < d; f++)
            X[i * d + f] = i < 50 ? 0.1 * (double)(f + 1) : 0.7 / (double)(f + 1);
    for (seg_idx c = 0; c < k; c++)
        memcpy(C + c * d, X + (c % 2 ? 0 : 60) * d, 3 * sizeof(double));
    double *w = malloc(sizeof(double) * (size_t)seg_kmeans_fit_work_size(n, d, k, alg));
    double inertia;
    int it, conv;
    CHECK(seg_kmeans_fit(X, n, d, NULL, k, C, 20000, 0.0, alg, 2, NULL, lab, &inertia, &it, &conv,
                         w, NULL) == SEG_OK);
    CHECK(conv == 1);
    CHECK(it < 20);
    CHECK(inertia < 1e-25);
    for (seg_idx i = 0; i < n; i++) CHECK(sq(X + i * d, C + lab[i] * d, d) < 1e-25);
    free(w);
}

/* The float32 twins against the float64 kernels on the same values (X
 * rounded to float, held both ways): predict's labels where the gap between
 * the two nearest centres beats float32's error bound (4 (d + 3) FLT_EPSILON
 * (|x|^2 + |c|^2) per distance), inertia and transform within it; a fit's
 * labels are the nearest final centres to the bound, its centres the means
 * of its rows (strict convergence); fit_runs the same bits on 1 and 2
 * threads; Hamerly refused. */
static void test_f32_against_f64(void) {
    const seg_idx n = 3000, d = 5, k = 4;
    double *X = malloc(sizeof(double) * n * d);
    float *Xf = malloc(sizeof(float) * n * d);
    make_data(X, n, d, 123);
    for (seg_idx j = 0; j < n * d; j++) {
        Xf[j] = (float)X[j];
        X[j] = Xf[j];
    }
    double C[20];
    memcpy(C, X, sizeof(C));
    for (int j = 0; j < 20; j++) C[j] += 0.01; /* not exactly rows */
    int32_t *l64 = malloc(sizeof(int32_t) * n), *l32 = malloc(sizeof(int32_t) * n);
    double *work = malloc(sizeof(double) * (size_t)seg_kmeans_predict_work_size(n, d, k));
    double *workf = malloc(sizeof(double) * (size_t)seg_kmeans_predict_work_size_f32(n, d, k));
    double i64, i32;
    CHECK(seg_kmeans_predict(X, n, d, NULL, C, k, 2, NULL, l64, &i64, work, NULL) == SEG_OK);
    CHECK(seg_kmeans_predict_f32(Xf, n, d, NULL, C, k, 2, NULL, l32, &i32, workf, NULL) == SEG_OK);
    double *D64 = malloc(sizeof(double) * n * k);
    float *D32 = malloc(sizeof(float) * n * k);
    CHECK(seg_kmeans_transform(X, n, d, C, k, 2, NULL, D64, NULL) == SEG_OK);
    CHECK(seg_kmeans_transform_f32(Xf, n, d, C, k, 2, NULL, D32, NULL) == SEG_OK);
    double slack = 0.0;
    int labels_ok = 1, transform_ok = 1, sure = 0;
    for (seg_idx i = 0; i < n; i++) {
        double b[4], d2[4], nx = 0.0;
        for (seg_idx f = 0; f < d; f++) nx += X[i * d + f] * X[i * d + f];
        seg_idx a1 = 0, a2 = 1;
        for (seg_idx c = 0; c < k; c++) {
            double nc = 0.0;
            for (seg_idx f = 0; f < d; f++) nc += C[c * d + f] * C[c * d + f];
            d2[c] = sq(X + i * d, C + c * d, d);
            b[c] = 4.0 * (double)(d + 3) * 0x1p-23 * (nx + nc);
            double got = (double)D32[i * k + c];
            transform_ok &= fabs(got * got - d2[c]) <= b[c] + 0x1p-21 * d2[c];
        }
        for (seg_idx c = 0; c < k; c++)
            if (d2[c] < d2[a1]) a1 = c;
        if (a2 == a1) a2 = 0;
        for (seg_idx c = 0; c < k; c++)
            if (c != a1 && d2[c] < d2[a2]) a2 = c;
        if (d2[a2] - d2[a1] > b[a1] + b[a2]) {
            sure++;
            labels_ok &= l32[i] == l64[i];
        }
        slack += b[l64[i]];
    }
    CHECK(labels_ok && transform_ok);
    CHECK(sure > n * 9 / 10);
    CHECK(fabs(i32 - i64) <= slack);
    /* fit: nearest final centres; the centres the means of their rows */
    double Cf[20];
    memcpy(Cf, C, sizeof(Cf));
    double *fw = malloc(sizeof(double) *
                        (size_t)seg_kmeans_fit_work_size_f32(n, d, k, SEG_KMEANS_LLOYD));
    int it, conv;
    CHECK(seg_kmeans_fit_f32(Xf, n, d, NULL, k, Cf, 300, 0.0, SEG_KMEANS_LLOYD, 2, NULL, l32, &i32,
                             &it, &conv, fw, NULL) == SEG_OK);
    CHECK(conv == 1);
    double mean[20] = {0}, cnt[4] = {0}, total = 0.0;
    for (seg_idx i = 0; i < n; i++) {
        for (seg_idx f = 0; f < d; f++) mean[l32[i] * d + f] += X[i * d + f];
        cnt[l32[i]] += 1.0;
        total += sq(X + i * d, Cf + l32[i] * d, d);
    }
    int means_ok = 1;
    for (seg_idx j = 0; j < k * d; j++) means_ok &= fabs(mean[j] / cnt[j / d] - Cf[j]) <= 1e-12;
    CHECK(means_ok);
    CHECK(fabs(i32 - total) <= slack);
    seg_detail why = {NULL, -1};
    CHECK(seg_kmeans_fit_f32(Xf, n, d, NULL, k, Cf, 300, 0.0, SEG_KMEANS_HAMERLY, 2, NULL, l32,
                             &i32, &it, &conv, fw, &why) == SEG_EINVAL);
    CHECK_WHY(why, "float32 X runs Lloyd only", -1);
    /* fit_runs: 1 and 2 threads, the same bits */
    uint64_t seeds[3] = {5, 6, 7};
    seg_kmeans_params p = seg_kmeans_params_default(k);
    p.n_init = 3;
    p.seeds = seeds;
    double R1[20], R2[20];
    int32_t *r2 = malloc(sizeof(int32_t) * n);
    seg_kmeans_runs_out o1 = {R1, l32, 0.0, 0, 0, 0}, o2 = {R2, r2, 0.0, 0, 0, 0};
    p.n_threads = 1;
    double *rw1 = malloc(sizeof(double) * (size_t)seg_kmeans_runs_work_size_f32(n, d, &p));
    CHECK(seg_kmeans_fit_runs_f32(Xf, n, d, NULL, &p, NULL, &o1, rw1, NULL) == SEG_OK);
    p.n_threads = 2;
    double *rw2 = malloc(sizeof(double) * (size_t)seg_kmeans_runs_work_size_f32(n, d, &p));
    CHECK(seg_kmeans_fit_runs_f32(Xf, n, d, NULL, &p, NULL, &o2, rw2, NULL) == SEG_OK);
    CHECK(memcmp(R1, R2, sizeof(R1)) == 0 && memcmp(l32, r2, sizeof(int32_t) * n) == 0);
    CHECK(o1.inertia == o2.inertia && o1.best_run == o2.best_run);
    free(X), free(Xf), free(l64), free(l32), free(r2), free(work), free(workf);
    free(D64), free(D32), free(fw), free(rw1), free(rw2);
}

int main(void) {
    test_f32_against_f64();
    test_fewer_distinct_points_than_clusters(SEG_KMEANS_LLOYD);
    test_fewer_distinct_points_than_clusters(SEG_KMEANS_HAMERLY);
    test_against_brute_force(SEG_KMEANS_LLOYD);
    test_against_brute_force(SEG_KMEANS_HAMERLY);
    test_threads_bit_identical();
    test_empty_cluster_reseeded();
    test_bad_input();
    test_runs_equal_sequential();
    test_wide_rows();
    test_big_chunks();
    return seg_test_report();
}
