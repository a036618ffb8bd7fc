/* Tests of seg_sparse.c against the dense kernels on the densified matrix
 * and against brute force: structure checks, k-means++ rows, Lloyd, predict,
 * transform, the variance, the silhouette; int32 and int64 indices. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seg_kmeans.h"
#include "seg_silhouette.h"
#include "seg_sparse.h"
#include "seg_test.h"

#define N 300
#define D 7
#define K 4

static double dense[N * D];
static int64_t indptr[N + 1];
static int32_t idx32[N * D];
static int64_t idx64[N * D];
static double vals[N * D];

static double urand(uint64_t *s) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) * 0x1.0p-53;
}

/* Clustered rows, about 40% stored, rows 5..9 empty, column 3 never stored;
 * CSR with indices in reverse order within each row (unsorted). */
static void build(void) {
    uint64_t s = 42;
    int64_t nnz = 0;
    for (int i = 0; i < N; i++) {
        indptr[i] = nnz;
        for (int f = 0; f < D; f++) {
            double v = (i % K) * 3.0 + urand(&s);
            dense[i * D + f] = (urand(&s) < 0.4 && f != 3 && (i < 5 || i > 9)) ? v : 0.0;
        }
        for (int f = D - 1; f >= 0; f--) {
            if (dense[i * D + f] != 0.0) {
                idx32[nnz] = f;
                idx64[nnz] = f;
                vals[nnz++] = dense[i * D + f];
            }
        }
    }
    indptr[N] = nnz;
}

static seg_csr csr(int wide) {
    seg_csr X = {N, D, indptr, wide ? NULL : idx32, wide ? idx64 : NULL, vals};
    return X;
}

static void test_check(void) {
    int64_t mark[D];
    seg_idx row;
    seg_csr X = csr(0);
    CHECK(seg_csr_check(&X, indptr[N], 1, &row, mark) == SEG_CSR_OK);
    CHECK(seg_csr_check(&X, indptr[N] + 1, 1, &row, mark) == SEG_CSR_BAD_NNZ);
    int32_t saved = idx32[0];
    idx32[0] = D;
    CHECK(seg_csr_check(&X, indptr[N], 1, &row, mark) == SEG_CSR_BAD_INDEX && row == 0);
    idx32[0] = -1;
    CHECK(seg_csr_check(&X, indptr[N], 1, &row, mark) == SEG_CSR_BAD_INDEX);
    idx32[0] = idx32[1];
    CHECK(seg_csr_check(&X, indptr[N], 1, &row, mark) == SEG_CSR_DUPLICATE && row == 0);
    idx32[0] = saved;
    double v = vals[3];
    vals[3] = NAN;
    CHECK(seg_csr_check(&X, indptr[N], 1, &row, mark) == SEG_CSR_NONFINITE);
    CHECK(seg_csr_check(&X, indptr[N], 0, &row, mark) == SEG_CSR_OK);
    vals[3] = v;
    int64_t ip = indptr[2];
    indptr[2] = indptr[1] - 1;
    CHECK(seg_csr_check(&X, indptr[N], 1, &row, mark) == SEG_CSR_BAD_INDPTR && row == 1);
    indptr[2] = ip;
    X.indices64 = idx64; /* both set */
    CHECK(seg_csr_check(&X, indptr[N], 1, &row, mark) == SEG_CSR_BAD_SHAPE);
}

static void test_kmeans(int wide) {
    seg_csr X = csr(wide);
    seg_idx T = 3;
    double *w1 = malloc(sizeof(double) * (size_t)seg_kmeans_plusplus_work_size(N, D, K, T));
    double *w2 = malloc(sizeof(double) * (size_t)seg_sparse_plusplus_work_size(N, D, K, T));
    double c1[K * D], c2[K * D];
    seg_idx i1[K], i2[K];
    for (uint64_t seed = 0; seed < 4; seed++) {
        CHECK(seg_kmeans_plusplus(dense, N, D, NULL, K, T, seed, 2, NULL, c1, i1, w1, NULL) ==
              SEG_OK);
        CHECK(seg_sparse_kmeans_plusplus(&X, NULL, K, T, seed, 2, NULL, c2, i2, w2, NULL) ==
              SEG_OK);
        CHECK(memcmp(i1, i2, sizeof i1) == 0);
        CHECK(memcmp(c1, c2, sizeof c1) == 0);
    }
    free(w1);
    free(w2);

    uint64_t seeds[2] = {5, 6};
    int32_t l1[N], l2[N], l3[N];
    seg_kmeans_params p = seg_kmeans_params_default(K);
    p.n_init = 2;
    p.seeds = seeds;
    p.n_trials = T;
    p.n_threads = 2;
    w1 = malloc(sizeof(double) * (size_t)seg_kmeans_runs_work_size(N, D, &p));
    w2 = malloc(sizeof(double) * (size_t)seg_sparse_runs_work_size(N, D, &p));
    seg_kmeans_runs_out o1 = {c1, l1, 0.0, 0, 0, -1}, o2 = {c2, l2, 0.0, 0, 0, -1};
    CHECK(seg_kmeans_fit_runs(dense, N, D, NULL, &p, NULL, &o1, w1, NULL) == SEG_OK);
    CHECK(seg_sparse_kmeans_fit_runs(&X, NULL, &p, NULL, &o2, w2, NULL) == SEG_OK);
    double in2 = o2.inertia;
    CHECK(memcmp(l1, l2, sizeof l1) == 0);
    CHECK(o1.n_iter == o2.n_iter && o1.converged == o2.converged && o1.best_run == o2.best_run);
    CHECK_CLOSE(o1.inertia, in2, 1e-10 * o1.inertia);
    for (int j = 0; j < K * D; j++) CHECK_CLOSE(c1[j], c2[j], 1e-12);
    /* brute force: inertia and every label the nearest centre */
    double brute = 0.0;
    for (int i = 0; i < N; i++) {
        double best = INFINITY;
        for (int c = 0; c < K; c++) {
            double s = 0.0;
            for (int f = 0; f < D; f++) {
                double t = dense[i * D + f] - c2[c * D + f];
                s += t * t;
            }
            best = s < best ? s : best;
        }
        brute += best;
    }
    CHECK_CLOSE(in2, brute, 1e-10 * brute);
    /* one thread: the same bits */
    double c3[K * D];
    seg_kmeans_runs_out o3 = {c3, l3, 0.0, 0, 0, -1};
    p.n_threads = 1;
    CHECK(seg_sparse_kmeans_fit_runs(&X, NULL, &p, NULL, &o3, w2, NULL) == SEG_OK);
    CHECK(memcmp(c2, c3, sizeof c2) == 0 && memcmp(l2, l3, sizeof l2) == 0 && in2 == o3.inertia);
    /* the kernel's reason for a failure */
    seg_detail why = {NULL, -1};
    p.k = N + 1;
    CHECK(seg_sparse_kmeans_fit_runs(&X, NULL, &p, NULL, &o3, w2, &why) == SEG_EINVAL);
    CHECK(why.reason != NULL && strstr(why.reason, "k <= n") != NULL);
    free(w1);
    free(w2);

    /* predict and transform against brute force */
    double *pw = malloc(sizeof(double) * (size_t)seg_sparse_predict_work_size(N, D, K));
    double pin, out[N * K];
    CHECK(seg_sparse_kmeans_predict(&X, NULL, c2, K, 2, NULL, l3, &pin, pw, NULL) == SEG_OK);
    CHECK(memcmp(l2, l3, sizeof l2) == 0);
    CHECK_CLOSE(pin, in2, 1e-12 * in2);
    CHECK(seg_sparse_kmeans_transform(&X, c2, K, 2, NULL, out, pw, NULL) == SEG_OK);
    for (int i = 0; i < N; i += 17)
        for (int c = 0; c < K; c++) {
            double s = 0.0;
            for (int f = 0; f < D; f++) {
                double t = dense[i * D + f] - c2[c * D + f];
                s += t * t;
            }
            CHECK_CLOSE(out[i * K + c], sqrt(s), 1e-12 * (1.0 + sqrt(s)));
        }
    free(pw);

    /* variance against the dense kernel */
    double v1, v2;
    double *vw = malloc(sizeof(double) * (size_t)seg_kmeans_variance_work_size(N, D));
    double *vs = malloc(sizeof(double) * (size_t)seg_sparse_variance_work_size(N, D));
    CHECK(seg_kmeans_mean_variance(dense, N, D, 2, NULL, &v1, vw, NULL) == SEG_OK);
    CHECK(seg_sparse_mean_variance(&X, 2, NULL, &v2, vs, NULL) == SEG_OK);
    CHECK_CLOSE(v1, v2, 1e-13 * v1);
    free(vw);
    free(vs);
}

static void test_silhouette(int wide) {
    seg_csr X = csr(wide);
    int32_t lab[N];
    for (int i = 0; i < N; i++) lab[i] = (int32_t)(i % K);
    lab[7] = K; /* a singleton cluster */
    double s1[N], s2[N];
    double *w1 = malloc(sizeof(double) * (size_t)seg_silhouette_work_size(N, D, K + 1, 2));
    double *w2 = malloc(sizeof(double) * (size_t)seg_sparse_silhouette_work_size(N, D, K + 1, 2));
    CHECK(seg_silhouette_samples(dense, N, D, lab, K + 1, 2, NULL, s1, w1, NULL) == SEG_OK);
    CHECK(seg_sparse_silhouette_samples(&X, lab, K + 1, 2, NULL, s2, w2, NULL) == SEG_OK);
    double worst = 0.0;
    for (int i = 0; i < N; i++) worst = fmax(worst, fabs(s1[i] - s2[i]));
    CHECK(worst < 1e-12);
    CHECK(s2[7] == 0.0);
    int32_t one[N];
    memset(one, 0, sizeof one);
    CHECK(seg_sparse_silhouette_samples(&X, one, K + 1, 2, NULL, s2, w2, NULL) == SEG_EDEGENERATE);
    one[0] = K + 1;
    CHECK(seg_sparse_silhouette_samples(&X, one, K + 1, 2, NULL, s2, w2, NULL) == SEG_EINVAL);
    free(w1);
    free(w2);
}

static void test_domain(void) {
    seg_csr X = csr(0);
    double c[K * D], w[4096];
    CHECK(seg_sparse_kmeans_plusplus(&X, NULL, N + 1, 3, 0, 1, NULL, c, NULL, w, NULL) ==
          SEG_EINVAL);
    CHECK(seg_sparse_kmeans_plusplus(&X, NULL, K, 65, 0, 1, NULL, c, NULL, w, NULL) == SEG_EINVAL);
    double sw[N];
    for (int i = 0; i < N; i++) sw[i] = 0.0;
    CHECK(seg_sparse_kmeans_plusplus(&X, sw, K, 3, 0, 1, NULL, c, NULL, w, NULL) == SEG_EINVAL);
    double v = vals[0];
    vals[0] = INFINITY;
    CHECK(seg_sparse_kmeans_plusplus(&X, NULL, K, 3, 0, 1, NULL, c, NULL, w, NULL) ==
          SEG_ENONFINITE);
    vals[0] = v;
    CHECK(seg_sparse_plusplus_work_size(0, D, K, 3) == -1);
    seg_kmeans_params big = seg_kmeans_params_default(2);
    big.n_trials = 3;
    CHECK(seg_sparse_runs_work_size(PTRDIFF_MAX / 2, PTRDIFF_MAX / 2, &big) == -1);
}

int main(void) {
    build();
    test_check();
    test_kmeans(0);
    test_kmeans(1);
    test_silhouette(0);
    test_silhouette(1);
    test_domain();
    return seg_test_report();
}
