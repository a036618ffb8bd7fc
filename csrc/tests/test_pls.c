/* Plain-C tests of seg_pls: the estimate against a brute-force PLS on the
 * raw data (scores, regressions and covariances over the rows, as seminr's
 * simplePLS does it, no correlation-matrix algebra), HTMT and total effects
 * re-derived by hand, the model checks, degenerate data, and the
 * bootstrap's contract (identity row set = estimate, bit-identical across
 * thread counts and call splits, degenerate resamples flagged, interrupts).
 * Prints "N passed, N failed". */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seg_pls.h"
#include "seg_test.h"

#define N 120
#define P 8
#define M 3

/* A: items 0-2 (Mode A), B: items 3-4 (Mode B), C: items 5-7 (Mode A);
 * paths A -> B, A -> C, B -> C. */
static const seg_idx BLOCK[M + 1] = {0, 3, 5, 8};
static const int8_t MODE_B[M] = {0, 1, 0};
static int8_t ADJ[M * M];

static uint64_t state = 12345;
static double unif(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return ((double)(state >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void) { return sqrt(-2.0 * log(unif())) * cos(6.283185307179586 * unif()); }

static void make_data(double *X) {
    for (int i = 0; i < N; i++) {
        double a = gauss(), b = 0.5 * a + 0.8 * gauss(), c = 0.3 * a + 0.4 * b + 0.7 * gauss();
        double lat[M] = {a, b, c};
        for (int j = 0; j < M; j++)
            for (seg_idx k = BLOCK[j]; k < BLOCK[j + 1]; k++)
                X[i * P + k] = 3.0 + lat[j] * (0.6 + 0.1 * (double)(k - BLOCK[j])) + 0.6 * gauss();
    }
}

static void standardize(double *X, int n, int p) {
    for (int k = 0; k < p; k++) {
        double mu = 0.0, ss = 0.0;
        for (int i = 0; i < n; i++) mu += X[i * p + k];
        mu /= n;
        for (int i = 0; i < n; i++) ss += (X[i * p + k] - mu) * (X[i * p + k] - mu);
        double sd = sqrt(ss / (n - 1));
        for (int i = 0; i < n; i++) X[i * p + k] = (X[i * p + k] - mu) / sd;
    }
}

static void corr(const double *X, int n, int p, double *R) {
    double Z[N * P];
    memcpy(Z, X, sizeof(double) * (size_t)(n * p));
    standardize(Z, n, p);
    for (int k = 0; k < p; k++)
        for (int l = 0; l < p; l++) {
            double s = 0.0;
            for (int i = 0; i < n; i++) s += Z[i * p + k] * Z[i * p + l];
            R[k * p + l] = k == l ? 1.0 : s / (n - 1);
        }
}

/* Gaussian elimination with partial pivoting: solves A x = b (k <= 8). */
static void gauss_solve(double *A, double *b, int k) {
    for (int c = 0; c < k; c++) {
        int piv = c;
        for (int r = c + 1; r < k; r++)
            if (fabs(A[r * k + c]) > fabs(A[piv * k + c])) piv = r;
        for (int j = 0; j < k; j++) {
            double t = A[c * k + j];
            A[c * k + j] = A[piv * k + j];
            A[piv * k + j] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (int r = c + 1; r < k; r++) {
            double f = A[r * k + c] / A[c * k + c];
            for (int j = c; j < k; j++) A[r * k + j] -= f * A[c * k + j];
            b[r] -= f * b[c];
        }
    }
    for (int r = k - 1; r >= 0; r--) {
        double s = b[r];
        for (int j = r + 1; j < k; j++) s -= A[r * k + j] * b[j];
        b[r] = s / A[r * k + r];
    }
}

/* OLS of column y of S (n x M scores) on the columns `pred` (cnt of them). */
static void ols(const double *S, int y, const int *pred, int cnt, double *beta) {
    double A[M * M], b[M];
    for (int r = 0; r < cnt; r++) {
        for (int c = 0; c < cnt; c++) {
            double s = 0.0;
            for (int i = 0; i < N; i++) s += S[i * M + pred[r]] * S[i * M + pred[c]];
            A[r * cnt + c] = s;
        }
        double s = 0.0;
        for (int i = 0; i < N; i++) s += S[i * M + pred[r]] * S[i * M + y];
        b[r] = s;
    }
    gauss_solve(A, b, cnt);
    for (int r = 0; r < cnt; r++) beta[r] = b[r];
}

/* OLS coefficients of every endogenous construct on its predecessors into
 * B[pred * M + b]. */
static void betas(const double *S, double *B) {
    for (int b = 0; b < M; b++) {
        int pred[M], cnt = 0;
        double beta[M];
        for (int a = 0; a < M; a++)
            if (ADJ[a * M + b]) pred[cnt++] = a;
        if (!cnt) continue;
        ols(S, b, pred, cnt, beta);
        for (int r = 0; r < cnt; r++) B[pred[r] * M + b] = beta[r];
    }
}

/* seminr's simplePLS on the rows of Xs (standardized), path scheme. */
static void brute_pls(const double *Xs, double *w_out, double *paths_out, int *iters) {
    double W[P], last[P], S[N * M], Z[N * M], E[M * M];
    for (int k = 0; k < P; k++) W[k] = last[k] = 1.0;
    int it;
    for (it = 0; it <= 300; it++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < M; j++) {
                double s = 0.0;
                for (seg_idx k = BLOCK[j]; k < BLOCK[j + 1]; k++) s += Xs[i * P + k] * W[k];
                S[i * M + j] = s;
            }
        standardize(S, N, M);
        for (int a = 0; a < M; a++)
            for (int b = 0; b < M; b++) {
                double s = 0.0;
                for (int i = 0; i < N; i++) s += S[i * M + a] * S[i * M + b];
                E[a * M + b] = ADJ[b * M + a] ? s / (N - 1) : 0.0;
            }
        betas(S, E);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < M; j++) {
                double s = 0.0;
                for (int a = 0; a < M; a++) s += S[i * M + a] * E[a * M + j];
                Z[i * M + j] = s;
            }
        standardize(Z, N, M);
        for (int j = 0; j < M; j++) {
            int k0 = (int)BLOCK[j], kb = (int)(BLOCK[j + 1] - BLOCK[j]);
            double cv[P], A[P * P];
            for (int r = 0; r < kb; r++) {
                double s = 0.0;
                for (int i = 0; i < N; i++) s += Xs[i * P + k0 + r] * Z[i * M + j];
                cv[r] = s / (N - 1);
                for (int c = 0; c < kb; c++) {
                    double t = 0.0;
                    for (int i = 0; i < N; i++) t += Xs[i * P + k0 + r] * Xs[i * P + k0 + c];
                    A[r * kb + c] = t / (N - 1);
                }
            }
            if (MODE_B[j]) gauss_solve(A, cv, kb);
            double var = 0.0;
            for (int i = 0; i < N; i++) {
                double s = 0.0;
                for (int r = 0; r < kb; r++) s += Xs[i * P + k0 + r] * cv[r];
                var += s * s;
            }
            for (int r = 0; r < kb; r++) W[k0 + r] = cv[r] / sqrt(var / (N - 1));
        }
        double diff = 0.0;
        for (int k = 0; k < P; k++) {
            diff += fabs(W[k] - last[k]);
            last[k] = W[k];
        }
        if (diff < 1e-7) break;
    }
    *iters = it;
    memcpy(w_out, W, sizeof W);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++) {
            double s = 0.0;
            for (seg_idx k = BLOCK[j]; k < BLOCK[j + 1]; k++) s += Xs[i * P + k] * W[k];
            S[i * M + j] = s;
        }
    memset(paths_out, 0, sizeof(double) * M * M);
    betas(S, paths_out);
}

static int stop_calls(void *ctx) { return ++*(int *)ctx >= 1; }

int main(void) {
    ADJ[0 * M + 1] = ADJ[0 * M + 2] = ADJ[1 * M + 2] = 1;
    static double X[N * P], Xs[N * P], R[P * P];
    make_data(X);
    memcpy(Xs, X, sizeof X);
    standardize(Xs, N, P);
    corr(X, N, P, R);
    seg_pls_model mod = {P, M, BLOCK, MODE_B, ADJ, SEG_PLS_PATH, 300, 1e-7, 0};
    seg_idx ws = seg_pls_work_size(&mod);
    CHECK(ws > 0);
    double *work = malloc(sizeof(double) * (size_t)ws);
    seg_detail why = {NULL, -1};
    CHECK(seg_pls_check_model(&mod, work, &why) == SEG_OK);

    /* The estimate equals the brute-force PLS on the rows. */
    double w[P], l[P], cor[M * M], paths[M * M], r2[M];
    seg_pls_fit fit = {w, l, cor, paths, r2, 0, 0, 0.0};
    CHECK(seg_pls_estimate(&mod, R, &fit, work, &why) == SEG_OK);
    double bw[P], bp[M * M];
    int bit = -1;
    brute_pls(Xs, bw, bp, &bit);
    CHECK(fit.converged == 1);
    CHECK(fit.iterations == bit);
    for (int k = 0; k < P; k++) CHECK_CLOSE(w[k], bw[k], 1e-10);
    for (int k = 0; k < M * M; k++) CHECK_CLOSE(paths[k], bp[k], 1e-10);
    CHECK(paths[1 * M + 0] == 0.0 && paths[2 * M + 0] == 0.0); /* no path, exactly 0 */
    /* loadings: correlation of each item with its construct's scores */
    for (int j = 0; j < M; j++)
        for (seg_idx k = BLOCK[j]; k < BLOCK[j + 1]; k++) {
            double s = 0.0;
            for (int i = 0; i < N; i++) {
                double y = 0.0;
                for (seg_idx q = BLOCK[j]; q < BLOCK[j + 1]; q++) y += Xs[i * P + q] * bw[q];
                s += Xs[i * P + k] * y;
            }
            CHECK_CLOSE(l[k], s / (N - 1), 1e-10);
        }
    /* R^2 of C = beta . cor */
    CHECK_CLOSE(r2[2], paths[0 * M + 2] * cor[0 * M + 2] + paths[1 * M + 2] * cor[1 * M + 2],
                1e-14);
    CHECK(r2[0] == 0.0);

    /* A second run on the same input gives the same bits. */
    double w2[P], l2[P], cor2[M * M], paths2[M * M], r22[M];
    seg_pls_fit fit2 = {w2, l2, cor2, paths2, r22, 0, 0, 0.0};
    CHECK(seg_pls_estimate(&mod, R, &fit2, work, &why) == SEG_OK);
    CHECK(memcmp(w, w2, sizeof w) == 0 && memcmp(paths, paths2, sizeof paths) == 0);

    /* Non-convergence is reported, not an error. */
    seg_pls_model once = mod;
    once.max_iter = 0;
    CHECK(seg_pls_estimate(&once, R, &fit2, work, &why) == SEG_OK);
    CHECK(fit2.converged == 0 && fit2.iterations == 0 && fit2.weight_diff > 1e-7);

    /* HTMT by hand for A and C. */
    double H[M * M];
    seg_pls_htmt(&mod, R, H);
    double het = 0.0, ma = 0.0, mc = 0.0;
    for (int i = 0; i < 3; i++)
        for (int k = 5; k < 8; k++) het += fabs(R[i * P + k]) / 9.0;
    ma = (fabs(R[0 * P + 1]) + fabs(R[0 * P + 2]) + fabs(R[1 * P + 2])) / 3.0;
    mc = (fabs(R[5 * P + 6]) + fabs(R[5 * P + 7]) + fabs(R[6 * P + 7])) / 3.0;
    CHECK_CLOSE(H[0 * M + 2], het / sqrt(ma * mc), 1e-14);
    CHECK(H[2 * M + 0] == H[0 * M + 2] && H[1 * M + 1] == 1.0);

    /* Total effects of a chain: a->c = 0.2 + 0.5 * 0.4. */
    double chain[9] = {0, 0.5, 0.2, 0, 0, 0.4, 0, 0, 0}, tot[9], tw[18];
    seg_pls_total_effects(3, chain, tot, tw);
    CHECK_CLOSE(tot[2], 0.4, 1e-15);
    CHECK(tot[1] == 0.5 && tot[5] == 0.4 && tot[3] == 0.0);

    /* Model checks name the construct. */
    int8_t bad[M * M];
    memcpy(bad, ADJ, sizeof bad);
    bad[2 * M + 0] = 1; /* C -> A closes a cycle */
    seg_pls_model cyc = mod;
    cyc.adj = bad;
    CHECK(seg_pls_check_model(&cyc, work, &why) == SEG_EINVAL && why.index >= 0 &&
          strstr(why.reason, "cycle") != NULL);
    memcpy(bad, ADJ, sizeof bad);
    bad[1 * M + 1] = 1;
    CHECK(seg_pls_check_model(&cyc, work, &why) == SEG_EINVAL && why.index == 1);
    int8_t lone[M * M] = {0};
    lone[0 * M + 1] = 1; /* C on no path */
    cyc.adj = lone;
    CHECK(seg_pls_check_model(&cyc, work, &why) == SEG_EINVAL && why.index == 2);
    seg_idx empty[M + 1] = {0, 3, 3, 8};
    seg_pls_model noitems = mod;
    noitems.block = empty;
    CHECK(seg_pls_check_model(&noitems, work, &why) == SEG_EINVAL && why.index == 1);

    /* A Mode B block with two identical items is singular: construct 1. */
    double Rs[P * P];
    memcpy(Rs, R, sizeof Rs);
    for (int k = 0; k < P; k++) Rs[4 * P + k] = Rs[k * P + 4] = R[3 * P + k];
    Rs[4 * P + 4] = 1.0;
    Rs[3 * P + 4] = Rs[4 * P + 3] = 1.0;
    CHECK(seg_pls_estimate(&mod, Rs, &fit2, work, &why) == SEG_EDEGENERATE && why.index == 1);

    /* Two items that cancel: correlation -(1 - 2^-53), weights of one sign
     * at the start. The score's variance, 2^-52 of terms of size 4, is
     * rounding (the fuzzer's resample of this kind scaled the weights to
     * 4.5e15 and gave a loading of -2): construct 0 has none. And a matrix
     * whose "correlation" is 1.5 gives loadings beyond 1: construct 0. */
    {
        static const seg_idx b2[3] = {0, 2, 4};
        static const int8_t modes2[2] = {0, 0};
        static const int8_t adj2[4] = {0, 1, 0, 0};
        seg_pls_model two = {4, 2, b2, modes2, adj2, SEG_PLS_PATH, 300, 1e-7, 0};
        double *wk2 = malloc(sizeof(double) * (size_t)seg_pls_work_size(&two));
        double R2[16] = {1.0, -(1.0 - 0x1p-53), 0.3, 0.2,
                         -(1.0 - 0x1p-53), 1.0, -0.3, -0.2,
                         0.3, -0.3, 1.0, 0.5,
                         0.2, -0.2, 0.5, 1.0};
        double ew[4], el[4], ec[4], ep[4], er[2];
        seg_pls_fit f2 = {ew, el, ec, ep, er, 0, 0, 0.0};
        CHECK(seg_pls_check_model(&two, wk2, &why) == SEG_OK);
        why = (seg_detail){NULL, -1};
        CHECK(seg_pls_estimate(&two, R2, &f2, wk2, &why) == SEG_EDEGENERATE && why.index == 0 &&
              strstr(why.reason, "no variance") != NULL);
        /* 3 + 2 items, a symmetric unit-diagonal matrix that is not a
         * correlation matrix (not positive semi-definite) */
        static const seg_idx b3[3] = {0, 3, 5};
        seg_pls_model three = {5, 2, b3, modes2, adj2, SEG_PLS_PATH, 300, 1e-7, 0};
        double *wk3 = malloc(sizeof(double) * (size_t)seg_pls_work_size(&three));
        double R3[25] = {1, 0.7, 0.4, 0.2, -0.1, 0.7, 1, -0.8, -0.5, -0.5, 0.4, -0.8, 1,
                         0.3, -0.9, 0.2, -0.5, 0.3, 1, 0.9, -0.1, -0.5, -0.9, 0.9, 1};
        double gw[5], gl[5];
        seg_pls_fit f3 = {gw, gl, ec, ep, er, 0, 0, 0.0};
        why = (seg_detail){NULL, -1};
        CHECK(seg_pls_estimate(&three, R3, &f3, wk3, &why) == SEG_EDEGENERATE &&
              why.index == 0 && strstr(why.reason, "beyond") != NULL);
        free(wk3);
        R2[1] = R2[4] = -0.5; /* a real one: fine */
        R2[6] = R2[9] = R2[7] = R2[13] = -0.1;
        CHECK(seg_pls_estimate(&two, R2, &f2, wk2, &why) == SEG_OK);
        for (int i = 0; i < 4; i++) CHECK(fabs(el[i]) <= 1.0);
        free(wk2);
    }

    /* Bootstrap: the identity row set reproduces the estimate. */
    int nt2 = 2;
    seg_idx bws = seg_pls_boot_work_size(&mod, N, nt2);
    CHECK(bws > 0);
    double *bwork = malloc(sizeof(double) * (size_t)bws);
    enum { NB = 40 };
    static double bpaths[3][NB * M * M], bload[3][NB * P], bwt[3][NB * P], bht[3][NB * M * M],
        btot[3][NB * M * M];
    static int8_t bst[3][NB];
    static int32_t bits[3][NB];
    seg_pls_boot_out out[3];
    for (int t = 0; t < 3; t++) {
        seg_pls_boot_out o = {bpaths[t], bload[t], bwt[t], bht[t], btot[t], bst[t], bits[t]};
        out[t] = o;
    }
    int64_t ident[N];
    for (int i = 0; i < N; i++) ident[i] = i;
    CHECK(seg_pls_bootstrap(&mod, X, N, 0, 0, 1, ident, N, 1, NULL, &out[0], bwork, &why) ==
          SEG_OK);
    CHECK(bst[0][0] == SEG_PLS_BOOT_OK && bits[0][0] == fit.iterations);
    for (int k = 0; k < M * M; k++) CHECK_CLOSE(bpaths[0][k], paths[k], 1e-12);
    for (int k = 0; k < P; k++) CHECK_CLOSE(bwt[0][k], w[k], 1e-12);
    for (int k = 0; k < M * M; k++) CHECK_CLOSE(bht[0][k], H[k], 1e-12);

    /* Same bits on 1 and 2 threads, and split into two calls. */
    CHECK(seg_pls_bootstrap(&mod, X, N, 99, 0, NB, NULL, 0, 1, NULL, &out[0], bwork, &why) ==
          SEG_OK);
    CHECK(seg_pls_bootstrap(&mod, X, N, 99, 0, NB, NULL, 0, 2, NULL, &out[1], bwork, &why) ==
          SEG_OK);
    seg_pls_boot_out tail = {bpaths[2] + 15 * M * M, bload[2] + 15 * P, bwt[2] + 15 * P,
                             bht[2] + 15 * M * M,    btot[2] + 15 * M * M, bst[2] + 15,
                             bits[2] + 15};
    CHECK(seg_pls_bootstrap(&mod, X, N, 99, 0, 15, NULL, 0, 2, NULL, &out[2], bwork, &why) ==
          SEG_OK);
    CHECK(seg_pls_bootstrap(&mod, X, N, 99, 15, NB - 15, NULL, 0, 1, NULL, &tail, bwork, &why) ==
          SEG_OK);
    for (int t = 1; t < 3; t++) {
        CHECK(memcmp(bpaths[0], bpaths[t], sizeof bpaths[0]) == 0);
        CHECK(memcmp(bload[0], bload[t], sizeof bload[0]) == 0);
        CHECK(memcmp(bwt[0], bwt[t], sizeof bwt[0]) == 0);
        CHECK(memcmp(bht[0], bht[t], sizeof bht[0]) == 0);
        CHECK(memcmp(btot[0], btot[t], sizeof btot[0]) == 0);
        CHECK(memcmp(bst[0], bst[t], sizeof bst[0]) == 0);
    }
    /* Resamples differ from one another and from the estimate. */
    CHECK(bpaths[0][0 * M + 2] != bpaths[0][M * M + 0 * M + 2]);
    CHECK(bpaths[0][0 * M + 2] != paths[0 * M + 2]);
    /* Total effect a -> c = direct + indirect in every resample. */
    for (int r = 0; r < NB; r++) {
        const double *pr = bpaths[0] + r * M * M;
        CHECK_CLOSE(btot[0][r * M * M + 2], pr[2] + pr[1] * pr[1 * M + 2], 1e-14);
    }

    /* A row set in which an item is constant: flagged, NaN, the run goes on. */
    static double Xc[N * P];
    memcpy(Xc, X, sizeof Xc);
    for (int i = 1; i < N; i++) Xc[i * P + 6] = 2.0;
    int64_t sets[2 * (N - 1)];
    for (int i = 0; i < N - 1; i++) {
        sets[i] = i + 1;         /* without row 0: item 6 constant */
        sets[N - 1 + i] = i % 2; /* rows 0 and 1 only */
    }
    CHECK(seg_pls_bootstrap(&mod, Xc, N, 0, 0, 2, sets, N - 1, 2, NULL, &out[0], bwork, &why) ==
          SEG_OK);
    CHECK(bst[0][0] == SEG_PLS_BOOT_DEGENERATE && isnan(bpaths[0][2]) && isnan(bwt[0][0]));
    CHECK(bst[0][1] == SEG_PLS_BOOT_DEGENERATE);

    /* Bad arguments and interrupts. */
    sets[0] = N;
    CHECK(seg_pls_bootstrap(&mod, X, N, 0, 0, 1, sets, N - 1, 1, NULL, &out[0], bwork, &why) ==
          SEG_EINVAL);
    Xc[5] = NAN;
    CHECK(seg_pls_bootstrap(&mod, Xc, N, 0, 0, 1, NULL, 0, 1, NULL, &out[0], bwork, &why) ==
          SEG_ENONFINITE);
    int calls = 0;
    seg_interrupt intr = {stop_calls, &calls};
    CHECK(seg_pls_bootstrap(&mod, X, N, 1, 0, NB, NULL, 0, 2, &intr, &out[0], bwork, &why) ==
          SEG_EINTERRUPTED);
    CHECK(calls == 1);
    calls = -1000000; /* never asks to stop: the run completes */
    CHECK(seg_pls_bootstrap(&mod, X, N, 1, 0, NB, NULL, 0, 2, &intr, &out[0], bwork, &why) ==
          SEG_OK);
    CHECK(calls > -1000000);

    free(bwork);
    free(work);
    return seg_test_report();
}
