/* Plain-C tests of seg_silhouette: compared with the O(n^2) definition. */
#include <stdlib.h>
#include <string.h>

#include "seg_silhouette.h"
#include "seg_test.h"

static double brute(const double *X, seg_idx n, seg_idx d, const int32_t *lab, seg_idx k,
                    seg_idx i) {
    double *sum = calloc((size_t)k, sizeof(double));
    seg_idx *cnt = calloc((size_t)k, sizeof(seg_idx));
    for (seg_idx j = 0; j < n; j++) {
        double s = 0;
        for (seg_idx f = 0; f < d; f++) s += (X[i * d + f] - X[j * d + f]) * (X[i * d + f] - X[j * d + f]);
        sum[lab[j]] += sqrt(s);
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
    double *s1 = malloc(sizeof(double) * (size_t)n), *s2 = malloc(sizeof(double) * (size_t)n);
    double *w1 = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(n, d, k, 1));
    double *w2 = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(n, d, k, 2));
    CHECK(seg_silhouette_samples(X, n, d, lab, k, 1, NULL, s1, w1) == SEG_OK);
    CHECK(seg_silhouette_samples(X, n, d, lab, k, 2, NULL, s2, w2) == SEG_OK);
    CHECK(memcmp(s1, s2, sizeof(double) * (size_t)n) == 0);
    double worst = 0;
    for (seg_idx i = 0; i < n; i++) {
        double e = fabs(s1[i] - brute(X, n, d, lab, k, i));
        if (e > worst) worst = e;
    }
    CHECK(worst < 1e-12);
    if (worst >= 1e-12)
        fprintf(stderr, "n=%td d=%td k=%td: max error %g\n", n, d, k, worst);
    free(X);
    free(lab);
    free(s1);
    free(s2);
    free(w1);
    free(w2);
}

static void test_bad_input(void) {
    double X[8] = {0, 1, 2, 3, 4, 5, 6, 7}, s[4];
    int32_t lab[4] = {0, 0, 1, 1};
    double *w = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(4, 2, 2, 1));
    int32_t one[4] = {1, 1, 1, 1};
    CHECK(seg_silhouette_samples(X, 4, 2, one, 2, 1, NULL, s, w) == SEG_EDEGENERATE);
    int32_t bad[4] = {0, 2, 1, 1};
    CHECK(seg_silhouette_samples(X, 4, 2, bad, 2, 1, NULL, s, w) == SEG_EINVAL);
    bad[1] = -1;
    CHECK(seg_silhouette_samples(X, 4, 2, bad, 2, 1, NULL, s, w) == SEG_EINVAL);
    seg_interrupt stop = {stop_now, NULL};
    CHECK(seg_silhouette_samples(X, 4, 2, lab, 2, 1, &stop, s, w) == SEG_EINTERRUPTED);
    X[5] = INFINITY;
    CHECK(seg_silhouette_samples(X, 4, 2, lab, 2, 1, NULL, s, w) == SEG_ENONFINITE);
    CHECK(seg_silhouette_work_size(PTRDIFF_MAX / 4, 2, 2, 1) == -1);
    free(w);
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
    test_bad_input();
    return seg_test_report();
}
