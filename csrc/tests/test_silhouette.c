/* Plain-C tests of seg_silhouette: every metric and the precomputed kernel
 * compared with the O(n^2) definition. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "seg_silhouette.h"
#include "seg_test.h"

/* The distance of rows x and y by the header's definitions, written out
 * plainly (the cosine norm rule of scikit-learn's normalize()). */
static double dist(const double *x, const double *y, seg_idx d, seg_metric metric) {
    double s = 0, nx = 0, ny = 0;
    for (seg_idx f = 0; f < d; f++) {
        double t = x[f] - y[f];
        if (metric == SEG_METRIC_MANHATTAN) s += fabs(t);
        else if (metric == SEG_METRIC_COSINE) s += x[f] * y[f];
        else s += t * t;
        nx += x[f] * x[f];
        ny += y[f] * y[f];
    }
    if (metric == SEG_METRIC_EUCLIDEAN) return sqrt(s);
    if (metric != SEG_METRIC_COSINE) return s;
    nx = sqrt(nx) < 10 * DBL_EPSILON ? 1 : sqrt(nx);
    ny = sqrt(ny) < 10 * DBL_EPSILON ? 1 : sqrt(ny);
    double c = 1 - s / (nx * ny);
    return c < 0 ? 0 : (c > 2 ? 2 : c);
}

/* The silhouette of row i from row i of a distance matrix (or, D NULL,
 * from X by `metric`), by the O(n) definition. Self distances are 0 from
 * X (the kernel's rule) and taken as given from D. */
static double brute(const double *X, const double *D, seg_idx n, seg_idx d, const int32_t *lab,
                    seg_idx k, seg_idx i, seg_metric metric) {
    double *sum = calloc((size_t)k, sizeof(double));
    seg_idx *cnt = calloc((size_t)k, sizeof(seg_idx));
    for (seg_idx j = 0; j < n; j++) {
        double dij = D ? D[i * n + j] : (i == j ? 0 : dist(X + i * d, X + j * d, d, metric));
        sum[lab[j]] += dij;
        cnt[lab[j]]++;
    }
    double out = 0;
    if (cnt[lab[i]] > 1) {
        double a = sum[lab[i]] / (double)(cnt[lab[i]] - 1), b = INFINITY;
        for (seg_idx c = 0; c < k; c++)
            if (c != lab[i] && cnt[c] > 0 && sum[c] / (double)cnt[c] < b) b = sum[c] / (double)cnt[c];
        double m = a > b ? a : b;
        out = m > 0 ? (b - a) / m : 0;
    }
    free(sum);
    free(cnt);
    return out;
}

static const seg_metric METRICS[] = {SEG_METRIC_EUCLIDEAN, SEG_METRIC_SQEUCLIDEAN,
                                     SEG_METRIC_MANHATTAN, SEG_METRIC_COSINE};

/* Every metric on 1 and 2 threads (bit-identical), against brute(); then
 * the precomputed kernel on the matrix of each metric, whole and in row
 * chunks (the same bits), against brute() on the matrix. */
static void check_metrics(const double *X, seg_idx n, seg_idx d, const int32_t *lab, seg_idx k) {
    double *s1 = malloc(sizeof(double) * (size_t)n), *s2 = malloc(sizeof(double) * (size_t)n);
    double *w1 = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(n, d, k, 1));
    double *w2 = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(n, d, k, 2));
    double *D = malloc(sizeof(double) * (size_t)(n * n));
    double *pw = malloc(sizeof(double) * (size_t)seg_silhouette_precomputed_work_size(n, k, 2));
    for (size_t m = 0; m < sizeof METRICS / sizeof METRICS[0]; m++) {
        seg_metric metric = METRICS[m];
        CHECK(seg_silhouette_samples_metric(X, n, d, lab, k, metric, 1, NULL, s1, w1, NULL) ==
              SEG_OK);
        CHECK(seg_silhouette_samples_metric(X, n, d, lab, k, metric, 2, NULL, s2, w2, NULL) ==
              SEG_OK);
        CHECK(memcmp(s1, s2, sizeof(double) * (size_t)n) == 0);
        double worst = 0;
        for (seg_idx i = 0; i < n; i++) {
            double e = fabs(s1[i] - brute(X, NULL, n, d, lab, k, i, metric));
            if (e > worst) worst = e;
        }
        CHECK(worst < 1e-12);
        if (worst >= 1e-12)
            fprintf(stderr, "metric %d n=%td d=%td k=%td: max error %g\n", (int)metric, n, d, k,
                    worst);
        if (metric == SEG_METRIC_EUCLIDEAN) {
            CHECK(seg_silhouette_samples(X, n, d, lab, k, 2, NULL, s2, w2, NULL) == SEG_OK);
            CHECK(memcmp(s1, s2, sizeof(double) * (size_t)n) == 0);
        }

        for (seg_idx i = 0; i < n; i++)
            for (seg_idx j = 0; j < n; j++)
                D[i * n + j] = i == j ? 0 : dist(X + i * d, X + j * d, d, metric);
        CHECK(seg_silhouette_precomputed(D, n, n, 0, lab, k, 2, NULL, s2, pw, NULL) == SEG_OK);
        worst = 0;
        for (seg_idx i = 0; i < n; i++) {
            double e = fabs(s2[i] - brute(X, D, n, d, lab, k, i, metric));
            if (e > worst) worst = e;
        }
        CHECK(worst < 1e-12);
        /* row chunks of 7 (and a last, shorter one) on one thread */
        for (seg_idx r0 = 0; r0 < n; r0 += 7) {
            seg_idx m7 = n - r0 < 7 ? n - r0 : 7;
            CHECK(seg_silhouette_precomputed(D + r0 * n, m7, n, r0, lab, k, 1, NULL, s1 + r0, pw, NULL) ==
                  SEG_OK);
        }
        CHECK(memcmp(s1, s2, sizeof(double) * (size_t)n) == 0);
    }
    free(s1);
    free(s2);
    free(w1);
    free(w2);
    free(D);
    free(pw);
}

static int stop_now(void *ctx) {
    (void)ctx;
    return 1;
}

static void run_case(seg_idx n, seg_idx d, seg_idx k, uint64_t seed, int grid) {
    seg_rng r;
    seg_rng_seed(&r, seed);
    double *X = malloc(sizeof(double) * (size_t)(n * d));
    int32_t *lab = malloc(sizeof(int32_t) * (size_t)n);
    for (seg_idx i = 0; i < n * d; i++)
        X[i] = grid ? (double)(seg_rng_next(&r) % 3) : seg_rng_uniform(&r);
    for (seg_idx i = 0; i < n; i++) lab[i] = (int32_t)(seg_rng_next(&r) % (uint64_t)k);
    lab[0] = 0;
    lab[n - 1] = (int32_t)(k - 1); /* at least two labels */
    if (n <= 1100) {
        check_metrics(X, n, d, lab, k);
    } else { /* big: euclidean and cosine (the self distance rule) only */
        double *s1 = malloc(sizeof(double) * (size_t)n), *s2 = malloc(sizeof(double) * (size_t)n);
        double *w1 = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(n, d, k, 1));
        double *w2 = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(n, d, k, 2));
        for (int m = 0; m < 2; m++) {
            seg_metric metric = m ? SEG_METRIC_COSINE : SEG_METRIC_EUCLIDEAN;
            CHECK(seg_silhouette_samples_metric(X, n, d, lab, k, metric, 1, NULL, s1, w1, NULL) ==
                  SEG_OK);
            CHECK(seg_silhouette_samples_metric(X, n, d, lab, k, metric, 2, NULL, s2, w2, NULL) ==
                  SEG_OK);
            CHECK(memcmp(s1, s2, sizeof(double) * (size_t)n) == 0);
            double worst = 0;
            for (seg_idx i = 0; i < n; i += 7) {
                double e = fabs(s1[i] - brute(X, NULL, n, d, lab, k, i, metric));
                if (e > worst) worst = e;
            }
            CHECK(worst < 1e-12);
        }
        free(s1);
        free(s2);
        free(w1);
        free(w2);
    }
    free(X);
    free(lab);
}

/* Very wide rows: the blocks are built slice by slice of features with
 * Ctrl-C polls (a stop at the first one stops the kernel), and every metric
 * still matches brute force. */
static void test_wide_rows(void) {
    run_case(5, 300000, 2, 41, 0);
    const seg_idx n = 4, d = 300000;
    double *X = malloc(sizeof(double) * (size_t)(n * d)), s[4];
    for (seg_idx i = 0; i < n * d; i++) X[i] = (double)(i % 7);
    int32_t lab[4] = {0, 1, 0, 1};
    double *w = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(n, d, 2, 1));
    seg_interrupt stop = {stop_now, NULL};
    CHECK(seg_silhouette_samples(X, n, d, lab, 2, 1, &stop, s, w, NULL) == SEG_EINTERRUPTED);
    free(X);
    free(w);
}

/* Cosine edge cases: zero rows (distance 1 to every other row, 0 to
 * themselves), rows under the 10-epsilon norm, parallel rows (distance 0
 * up to round-off, clipped at 0). */
static void test_cosine_rows(void) {
    double X[] = {0, 0, 0, 0, 1e-17, 0, 1, 1, 2, 2, 3, 3, -1, 0, -2, 0, -5, 1e-9, 0, 7};
    int32_t lab[] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 0};
    check_metrics(X, 10, 2, lab, 3);
    double s[10], *w = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(10, 2, 3, 1));
    int32_t zl[] = {0, 0, 1, 1};
    double Z[] = {0, 0, 0, 0, 1, 2, 3, 4}; /* two zero rows together: a = b = 1, s = 0 */
    CHECK(seg_silhouette_samples_metric(Z, 4, 2, zl, 2, SEG_METRIC_COSINE, 1, NULL, s, w, NULL) ==
          SEG_OK);
    CHECK(s[0] == 0.0 && s[1] == 0.0);
    free(w);
}

static void test_bad_input(void) {
    double X[8] = {0, 1, 2, 3, 4, 5, 6, 7}, s[4];
    int32_t lab[4] = {0, 0, 1, 1};
    double *w = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(4, 2, 2, 1));
    int32_t one[4] = {1, 1, 1, 1};
    CHECK(seg_silhouette_samples(X, 4, 2, one, 2, 1, NULL, s, w, NULL) == SEG_EDEGENERATE);
    int32_t bad[4] = {0, 2, 1, 1};
    CHECK(seg_silhouette_samples(X, 4, 2, bad, 2, 1, NULL, s, w, NULL) == SEG_EINVAL);
    bad[1] = -1;
    seg_detail why = {NULL, -1};
    CHECK(seg_silhouette_samples(X, 4, 2, bad, 2, 1, NULL, s, w, &why) == SEG_EINVAL);
    CHECK_WHY(why, "labels must be in [0, k)", 1);
    CHECK(seg_silhouette_samples(X, 4, 2, one, 2, 1, NULL, s, w, &why) == SEG_EDEGENERATE);
    CHECK_WHY(why, "at least 2 distinct labels", -1);
    seg_interrupt stop = {stop_now, NULL};
    CHECK(seg_silhouette_samples(X, 4, 2, lab, 2, 1, &stop, s, w, NULL) == SEG_EINTERRUPTED);
    X[5] = INFINITY;
    CHECK(seg_silhouette_samples(X, 4, 2, lab, 2, 1, NULL, s, w, &why) == SEG_ENONFINITE);
    CHECK_WHY(why, "X has NaN or infinity", 5);
    CHECK(seg_silhouette_work_size(PTRDIFF_MAX / 4, 2, 2, 1) == -1);
    X[5] = 5;
    CHECK(seg_silhouette_samples_metric(X, 4, 2, lab, 2, (seg_metric)4, 1, NULL, s, w, NULL) ==
          SEG_EINVAL);
    CHECK(seg_silhouette_samples_metric(X, 4, 2, lab, 2, (seg_metric)-1, 1, NULL, s, w, NULL) ==
          SEG_EINVAL);
    X[2] = 1e200; /* finite, but x.x overflows: no unit row */
    CHECK(seg_silhouette_samples_metric(X, 4, 2, lab, 2, SEG_METRIC_COSINE, 1, NULL, s, w, NULL) ==
          SEG_ENONFINITE);
    free(w);

    /* precomputed: values, sizes, labels, interrupts */
    double D[16] = {0, 1, 4, 5, 1, 0, 3, 4, 4, 3, 0, 1, 5, 4, 1, 0};
    double *pw = malloc(sizeof(double) * (size_t)seg_silhouette_precomputed_work_size(4, 2, 1));
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, lab, 2, 1, NULL, s, pw, NULL) == SEG_OK);
    CHECK_CLOSE(s[0], (4.5 - 1.0) / 4.5, 1e-15);
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, one, 2, 1, NULL, s, pw, NULL) == SEG_EDEGENERATE);
    D[9] = -3; /* row 2 */
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, lab, 2, 1, NULL, s, pw, &why) == SEG_EINVAL);
    CHECK_WHY(why, "negative distance in row", 2);
    D[9] = 3;
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, bad, 2, 1, NULL, s, pw, NULL) == SEG_EINVAL);
    CHECK(seg_silhouette_precomputed(D, 4, 4, 1, lab, 2, 1, NULL, s, pw, NULL) == SEG_EINVAL);
    CHECK(seg_silhouette_precomputed(D, 2, 4, 3, lab, 2, 1, NULL, s, pw, NULL) == SEG_EINVAL);
    CHECK(seg_silhouette_precomputed(D, 2, 4, -1, lab, 2, 1, NULL, s, pw, NULL) == SEG_EINVAL);
    CHECK(seg_silhouette_precomputed(D, 0, 4, 0, lab, 2, 1, NULL, s, pw, NULL) == SEG_EINVAL);
    CHECK(seg_silhouette_precomputed(D, 5, 4, 0, lab, 2, 1, NULL, s, pw, NULL) == SEG_EINVAL);
    CHECK(seg_silhouette_precomputed(NULL, 4, 4, 0, lab, 2, 1, NULL, s, pw, NULL) == SEG_EINVAL);
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, lab, 2, 1, &stop, s, pw, NULL) ==
          SEG_EINTERRUPTED);
    D[6] = -1e-300;
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, lab, 2, 1, NULL, s, pw, NULL) == SEG_EINVAL);
    D[6] = NAN;
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, lab, 2, 1, NULL, s, pw, NULL) == SEG_ENONFINITE);
    D[6] = INFINITY;
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, lab, 2, 1, NULL, s, pw, NULL) == SEG_ENONFINITE);
    D[6] = DBL_MAX; /* finite, but the sums overflow */
    D[7] = DBL_MAX;
    CHECK(seg_silhouette_precomputed(D, 4, 4, 0, lab, 2, 1, NULL, s, pw, NULL) == SEG_ENONFINITE);
    CHECK(seg_silhouette_precomputed_work_size(PTRDIFF_MAX / 4, 2, 1) == -1);
    CHECK(seg_silhouette_precomputed_work_size(0, 2, 1) == -1);
    free(pw);
}

int main(void) {
    /* sizes around the block of 256 rows, odd and even block counts */
    seg_idx ns[] = {3, 17, 255, 256, 257, 511, 600, 1025};
    for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
        run_case(ns[t], 1 + (seg_idx)(t % 4), 2 + (seg_idx)(t % 5), 100 + t, 0);
        run_case(ns[t], 2, 3, 200 + t, 1); /* ties and duplicate rows */
    }
    run_case(300, 3, 9, 7, 0); /* some label values unused */
    /* several super-blocks of 8 blocks: an odd count (a bye) and an even one */
    run_case(4100, 2, 4, 31, 0);
    run_case(6200, 1, 3, 32, 1);
    test_cosine_rows();
    test_wide_rows();
    test_bad_input();
    return seg_test_report();
}
