/* Plain-C tests of seg_validity against direct formulas. */
#include <stdlib.h>
#include <string.h>

#include "seg_validity.h"
#include "seg_test.h"

static void brute(const double *X, seg_idx n, seg_idx d, const int32_t *lab, seg_idx k,
                  double *ch, double *db) {
    double *m = calloc((size_t)(k * d), sizeof(double)), *g = calloc((size_t)d, sizeof(double));
    double *cnt = calloc((size_t)k, sizeof(double)), *s = calloc((size_t)k, sizeof(double));
    for (seg_idx i = 0; i < n; i++) {
        cnt[lab[i]] += 1;
        for (seg_idx f = 0; f < d; f++) {
            m[lab[i] * d + f] += X[i * d + f];
            g[f] += X[i * d + f] / (double)n;
        }
    }
    for (seg_idx c = 0; c < k; c++)
        for (seg_idx f = 0; f < d; f++) m[c * d + f] /= cnt[c];
    double W = 0, B = 0;
    for (seg_idx i = 0; i < n; i++) {
        double q = 0;
        for (seg_idx f = 0; f < d; f++) q += pow(X[i * d + f] - m[lab[i] * d + f], 2);
        W += q;
        s[lab[i]] += sqrt(q) / cnt[lab[i]];
    }
    for (seg_idx c = 0; c < k; c++)
        for (seg_idx f = 0; f < d; f++) B += cnt[c] * pow(m[c * d + f] - g[f], 2);
    *ch = B * (double)(n - k) / (W * (double)(k - 1));
    double tot = 0;
    for (seg_idx a = 0; a < k; a++) {
        double w = 0;
        for (seg_idx b = 0; b < k; b++) {
            if (a == b) continue;
            double dd = 0;
            for (seg_idx f = 0; f < d; f++) dd += pow(m[a * d + f] - m[b * d + f], 2);
            double r = (s[a] + s[b]) / sqrt(dd);
            if (r > w) w = r;
        }
        tot += w;
    }
    *db = tot / (double)k;
    free(m);
    free(g);
    free(cnt);
    free(s);
}

int main(void) {
    seg_rng r;
    seg_rng_seed(&r, 5);
    seg_idx sizes[] = {5, 100, 3000};
    for (int t = 0; t < 3; t++) {
        seg_idx n = sizes[t], d = 3, k = 4;
        double *X = malloc(sizeof(double) * (size_t)(n * d));
        int32_t *lab = malloc(sizeof(int32_t) * (size_t)n);
        for (seg_idx i = 0; i < n * d; i++) X[i] = seg_rng_uniform(&r);
        for (seg_idx i = 0; i < n; i++) lab[i] = (int32_t)(i % k);
        double *w = malloc(sizeof(double) * (size_t)seg_validity_work_size(n, d, k));
        double ch1, db1, ch2, db2, chb, dbb;
        CHECK(seg_cluster_validity(X, n, d, lab, k, 1, NULL, &ch1, &db1, w, NULL) == SEG_OK);
        CHECK(seg_cluster_validity(X, n, d, lab, k, 2, NULL, &ch2, &db2, w, NULL) == SEG_OK);
        CHECK(ch1 == ch2 && db1 == db2);
        brute(X, n, d, lab, k, &chb, &dbb);
        CHECK_CLOSE(ch1, chb, 1e-10 * chb);
        CHECK_CLOSE(db1, dbb, 1e-10 * dbb);
        lab[0] = 9;
        CHECK(seg_cluster_validity(X, n, d, lab, k, 1, NULL, &ch1, &db1, w, NULL) == SEG_EINVAL);
        free(X);
        free(lab);
        free(w);
    }
    double X[8] = {0, 0, 1, 1, 2, 2, 3, 3}, w[64], ch, db;
    int32_t lab[4] = {0, 0, 2, 2}; /* label 1 unused */
    seg_detail why = {NULL, -1};
    CHECK(seg_cluster_validity(X, 4, 2, lab, 3, 1, NULL, &ch, &db, w, &why) == SEG_EDEGENERATE);
    CHECK_WHY(why, "must be used; unused label", 1);
    lab[3] = 7;
    CHECK(seg_cluster_validity(X, 4, 2, lab, 3, 1, NULL, &ch, &db, w, &why) == SEG_EINVAL);
    CHECK_WHY(why, "labels must be in [0, k)", 3);
    return seg_test_report();
}
