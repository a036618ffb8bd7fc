/* Plain-C tests of seg_mcdm: entropy weights and VIKOR against Paper A's
 * printed tables, published worked examples, brute-force re-derivations and
 * the degenerate cases. Prints "N passed, N failed". */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seg_mcdm.h"
#include "seg_test.h"

/* Paper A, Table 2 (criteria order C1..C5; row A1 reconstructed). */
static const double PAPER_A[9 * 5] = {
    5.311, 5.689, 3.878, 4.933, 5.089, /* A1 */
    7.044, 6.833, 7.333, 5.656, 5.933, /* A2 */
    4.956, 5.589, 3.378, 5.622, 5.178, /* A3 */
    7.333, 6.900, 7.100, 6.400, 6.822, /* A4 */
    5.333, 5.444, 4.067, 4.900, 4.778, /* A5 */
    7.078, 7.422, 7.956, 6.344, 6.611, /* A6 */
    4.967, 5.667, 5.489, 5.144, 5.222, /* A7 */
    5.233, 6.100, 3.767, 4.700, 4.889, /* A8 */
    7.033, 6.489, 7.267, 6.744, 6.867, /* A9 */
};
static const double TABLE3_W[5] = {0.155, 0.065, 0.574, 0.091, 0.115};
static const double TABLE3_E[5] = {0.994, 0.997, 0.978, 0.996, 0.995};
static const double TABLE3_D[5] = {0.006, 0.003, 0.022, 0.004, 0.005};
static const double TABLE4_V[10] = {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1};
/* Table 4: Q per v (rows) per alternative A1..A9 (A4 at v = 1 is 0.1061). */
static const double TABLE4_Q[10][9] = {
    {0.9394, 0.1897, 1.0, 0.1061, 0.9412, 0.0, 0.7180, 0.9699, 0.0997},
    {0.9342, 0.1816, 1.0, 0.1115, 0.9315, 0.0, 0.6986, 0.9641, 0.1020},
    {0.9290, 0.1734, 1.0, 0.1170, 0.9219, 0.0, 0.6792, 0.9584, 0.1044},
    {0.9238, 0.1653, 1.0, 0.1225, 0.9122, 0.0, 0.6598, 0.9526, 0.1067},
    {0.9186, 0.1571, 1.0, 0.1280, 0.9026, 0.0, 0.6404, 0.9468, 0.1091},
    {0.9133, 0.1490, 1.0, 0.1335, 0.8929, 0.0, 0.6210, 0.9411, 0.1115},
    {0.9081, 0.1408, 1.0, 0.1389, 0.8833, 0.0, 0.6016, 0.9353, 0.1138},
    {0.9029, 0.1327, 1.0, 0.1444, 0.8736, 0.0, 0.5822, 0.9296, 0.1162},
    {0.8977, 0.1245, 1.0, 0.1499, 0.8640, 0.0, 0.5628, 0.9238, 0.1186},
    {0.8925, 0.1164, 1.0, 0.1554, 0.8543, 0.0, 0.5435, 0.9181, 0.1209},
};
/* Table 5: compromise sets as membership of A1..A9 per v. */
static const unsigned char TABLE5[10][9] = {
    {0, 0, 0, 1, 0, 1, 0, 0, 1}, {0, 0, 0, 1, 0, 1, 0, 0, 1}, {0, 0, 0, 1, 0, 1, 0, 0, 1},
    {0, 0, 0, 1, 0, 1, 0, 0, 1}, {0, 0, 0, 0, 0, 1, 0, 0, 1}, {0, 0, 0, 0, 0, 1, 0, 0, 1},
    {0, 0, 0, 0, 0, 1, 0, 0, 1}, {0, 0, 0, 0, 0, 1, 0, 0, 1}, {0, 1, 0, 0, 0, 1, 0, 0, 1},
    {0, 1, 0, 0, 0, 1, 0, 0, 1},
};

static const int BENEFIT5[5] = {1, 1, 1, 1, 1};

static double *work_for(seg_idx m, seg_idx n, int nt) {
    seg_idx size = seg_vikor_work_size(m, n, nt);
    return (double *)malloc((size_t)(size > 0 ? size : 1) * sizeof(double));
}

static void test_entropy_paper_a(void) {
    double w[5], e[5], d[5];
    CHECK(seg_entropy_weights(PAPER_A, 9, 5, w, e, d, NULL) == SEG_OK);
    double sum = 0.0;
    for (int j = 0; j < 5; j++) {
        CHECK_CLOSE(w[j], TABLE3_W[j], 5e-4);
        CHECK_CLOSE(e[j], TABLE3_E[j], 1e-3);
        CHECK_CLOSE(d[j], TABLE3_D[j], 1e-3);
        CHECK_CLOSE(e[j] + d[j], 1.0, 1e-15);
        sum += w[j];
    }
    CHECK_CLOSE(sum, 1.0, 1e-14);
    /* e and d are optional. */
    double w2[5];
    CHECK(seg_entropy_weights(PAPER_A, 9, 5, w2, NULL, NULL, NULL) == SEG_OK);
    CHECK(memcmp(w, w2, sizeof w) == 0);
}

/* Brute force: the textbook formula, in long double. */
static void entropy_brute(const double *x, int m, int n, double *w) {
    long double dsum = 0.0L, dj[16];
    for (int j = 0; j < n; j++) {
        long double col = 0.0L, h = 0.0L;
        for (int i = 0; i < m; i++) col += x[i * n + j];
        for (int i = 0; i < m; i++) {
            long double p = x[i * n + j] / col;
            if (p > 0.0L) h -= p * logl(p);
        }
        dj[j] = 1.0L - h / logl((long double)m);
        dsum += dj[j];
    }
    for (int j = 0; j < n; j++) w[j] = (double)(dj[j] / dsum);
}

static void test_entropy_literature(void) {
    /* Xu, X. (2004). A note on the subjective and objective integrated
     * approach to determine attribute weights. EJOR 156(2):530-532. Printed
     * weights 0.4630, 0.3992, 0.1378, 0.0000 (the nearly constant fourth
     * attribute gets a tiny but positive weight). */
    const double xu[4 * 4] = {30, 30, 38, 29, 19, 54, 86, 29, 19, 15, 85, 28.9, 68, 70, 60, 29};
    const double xu_w[4] = {0.4630, 0.3992, 0.1378, 0.0000};
    double w[4], brute[4];
    CHECK(seg_entropy_weights(xu, 4, 4, w, NULL, NULL, NULL) == SEG_OK);
    entropy_brute(xu, 4, 4, brute);
    for (int j = 0; j < 4; j++) {
        CHECK_CLOSE(w[j], xu_w[j], 5e-5);
        CHECK_CLOSE(w[j], brute[j], 1e-12);
    }
    CHECK(w[3] > 0.0 && w[3] < 1e-4);

    /* Zavadskas & Podvezko (2016), IJITDM 15(2):267-283: 0.1146, 0.1981,
     * 0.4185, 0.2689. */
    const double zp[4 * 4] = {3.0, 100, 10, 7, 2.5, 80, 8, 5, 1.8, 50, 20, 11, 2.2, 70, 12, 9};
    const double zp_w[4] = {0.1146, 0.1981, 0.4185, 0.2689};
    CHECK(seg_entropy_weights(zp, 4, 4, w, NULL, NULL, NULL) == SEG_OK);
    for (int j = 0; j < 4; j++) CHECK_CLOSE(w[j], zp_w[j], 5e-5);
}

static void test_entropy_degenerate(void) {
    double w[3], e[3], d[3];
    /* A constant column gets weight 0 exactly, E = 1, d = 0. */
    const double c[3 * 3] = {1, 0.1, 5, 2, 0.1, 5, 4, 0.1, 6};
    CHECK(seg_entropy_weights(c, 3, 3, w, e, d, NULL) == SEG_OK);
    CHECK(w[1] == 0.0 && d[1] == 0.0 && e[1] == 1.0);
    CHECK_CLOSE(w[0] + w[2], 1.0, 1e-15);
    /* All-zero column: constant too. */
    const double z[2 * 2] = {0, 1, 0, 3};
    CHECK(seg_entropy_weights(z, 2, 2, w, NULL, NULL, NULL) == SEG_OK);
    CHECK(w[0] == 0.0 && w[1] == 1.0);
    /* Zeros follow 0 ln 0 = 0: [0, 1] is maximally informative for m = 2. */
    const double zz[2 * 2] = {0, 1, 1, 2};
    CHECK(seg_entropy_weights(zz, 2, 2, w, e, d, NULL) == SEG_OK);
    CHECK_CLOSE(d[0], 1.0, 1e-15);
    CHECK_CLOSE(e[0], 0.0, 1e-15);
    /* Every column constant: no weights, never round-off turned into them. */
    const double k[3 * 2] = {0.1, 7, 0.1, 7, 0.1, 7};
    CHECK(seg_entropy_weights(k, 3, 2, w, NULL, NULL, NULL) == SEG_EDEGENERATE);
    const double k2[3 * 1] = {0.3, 0.3, 0.30000000000000004};
    CHECK(seg_entropy_weights(k2, 3, 1, w, NULL, NULL, NULL) == SEG_EDEGENERATE);
    /* Bad input. */
    seg_detail why = {NULL, -1};
    CHECK(seg_entropy_weights(k, 3, 2, w, NULL, NULL, &why) == SEG_EDEGENERATE);
    CHECK_WHY(why, "every column of x is constant", -1);
    const double neg[2 * 2] = {1, 2, -1, 3};
    CHECK(seg_entropy_weights(neg, 2, 2, w, NULL, NULL, &why) == SEG_EINVAL);
    CHECK_WHY(why, "x must be >= 0", 2);
    const double nan[2 * 2] = {1, 2, NAN, 3};
    CHECK(seg_entropy_weights(nan, 2, 2, w, NULL, NULL, &why) == SEG_ENONFINITE);
    CHECK_WHY(why, "x has NaN or infinity", 2);
    const double inf[2 * 2] = {1, 2, INFINITY, 3};
    CHECK(seg_entropy_weights(inf, 2, 2, w, NULL, NULL, NULL) == SEG_ENONFINITE);
    CHECK(seg_entropy_weights(c, 1, 3, w, NULL, NULL, NULL) == SEG_EINVAL);
    CHECK(seg_entropy_weights(c, 3, 0, w, NULL, NULL, NULL) == SEG_EINVAL);
    CHECK(seg_entropy_weights(NULL, 3, 3, w, NULL, NULL, NULL) == SEG_EINVAL);
    /* Huge values do not overflow the column sums. */
    const double big[2 * 2] = {1e308, 1, 5e307, 2};
    CHECK(seg_entropy_weights(big, 2, 2, w, NULL, NULL, NULL) == SEG_OK);
    CHECK(isfinite(w[0]) && isfinite(w[1]));
}

static void test_entropy_near_constant(void) {
    /* Column [1, 1 + eps]: d = (g(t) + g(-t)) / (2 ln 2) with
     * t = eps / (2 + eps), and g(t) + g(-t) = t^2 + t^4 / 6 + O(t^6). The
     * textbook 1 - E_j loses every digit once eps < 1e-8; this keeps 12. */
    for (double eps = 1e-3; eps > 5e-13; eps /= 10.0) {
        const double x[2 * 2] = {1.0, 1.0, 1.0 + eps, 3.0};
        double w[2], e[2], d[2];
        CHECK(seg_entropy_weights(x, 2, 2, w, e, d, NULL) == SEG_OK);
        double xe = 1.0 + eps;
        double t = (xe - 1.0) / (2.0 + (xe - 1.0));
        double exact = (t * t + t * t * t * t / 6.0) / (2.0 * log(2.0));
        CHECK(fabs(d[0] - exact) <= 1e-12 * exact);
    }
    /* Below SEG_MCDM_CONST_RTOL the spread is taken for round-off. */
    const double x13[2 * 2] = {1.0, 1.0, 1.0 + 1e-13, 3.0};
    double w[2], d[2];
    CHECK(seg_entropy_weights(x13, 2, 2, w, NULL, d, NULL) == SEG_OK);
    CHECK(d[0] == 0.0 && w[0] == 0.0 && w[1] == 1.0);
}

/* Plain VIKOR for one weight vector and one v, as in SPEC.md. */
static void vikor_brute(const double *x, int m, int n, const int *types, const double *w_raw,
                        double v, double *S, double *R, double *Q) {
    double wsum = 0.0;
    for (int j = 0; j < n; j++) wsum += w_raw[j];
    for (int i = 0; i < m; i++) {
        S[i] = 0.0;
        R[i] = 0.0;
    }
    for (int j = 0; j < n; j++) {
        double hi = -INFINITY, lo = INFINITY;
        for (int i = 0; i < m; i++) {
            hi = fmax(hi, x[i * n + j]);
            lo = fmin(lo, x[i * n + j]);
        }
        double best = types[j] > 0 ? hi : lo, worst = types[j] > 0 ? lo : hi;
        for (int i = 0; i < m; i++) {
            double t = hi == lo ? 0.0 : (w_raw[j] / wsum) * (best - x[i * n + j]) / (best - worst);
            S[i] += t;
            R[i] = fmax(R[i], t);
        }
    }
    double smin = INFINITY, smax = -INFINITY, rmin = INFINITY, rmax = -INFINITY;
    for (int i = 0; i < m; i++) {
        smin = fmin(smin, S[i]);
        smax = fmax(smax, S[i]);
        rmin = fmin(rmin, R[i]);
        rmax = fmax(rmax, R[i]);
    }
    for (int i = 0; i < m; i++) {
        Q[i] = v * (S[i] - smin) / (smax - smin) + (1.0 - v) * (R[i] - rmin) / (rmax - rmin);
    }
}

static void test_vikor_paper_a(void) {
    double w[5];
    CHECK(seg_entropy_weights(PAPER_A, 9, 5, w, NULL, NULL, NULL) == SEG_OK);
    double S[9], R[9], Q[10 * 9];
    seg_idx rank[10 * 9];
    unsigned char comp[10 * 9], adv[10], stab[10];
    double fs[5], fm[5];
    unsigned char cst[5];
    seg_vikor_out out = {fs, fm, cst, S, R, Q, rank, comp, adv, stab};
    double *work = work_for(9, 5, 1);
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, w, 1, TABLE4_V, 10, &out, work, 1,
                    NULL, NULL) == SEG_OK);
    double worst = 0.0;
    for (int k = 0; k < 10; k++) {
        double bS[9], bR[9], bQ[9];
        vikor_brute(PAPER_A, 9, 5, BENEFIT5, w, TABLE4_V[k], bS, bR, bQ);
        for (int i = 0; i < 9; i++) {
            worst = fmax(worst, fabs(Q[k * 9 + i] - TABLE4_Q[k][i]));
            CHECK_CLOSE(Q[k * 9 + i], bQ[i], 1e-12);
            CHECK(comp[k * 9 + i] == TABLE5[k][i]);
        }
        /* A6 first everywhere; A9 second except at v = 0.1 (A2). */
        CHECK(rank[k * 9 + 0] == 5);
        CHECK(rank[k * 9 + 1] == (k == 9 ? 1 : 8));
        CHECK(adv[k] == 0 && stab[k] == 1);
    }
    CHECK(worst <= 3e-4);
    for (int j = 0; j < 5; j++) CHECK(cst[j] == 0);
    CHECK(fs[2] == 7.956 && fm[2] == 3.378);
    free(work);
}

static void test_vikor_opricovic_2004(void) {
    /* Opricovic & Tzeng (2004), EJOR 156:445-455, numerical example: two
     * criteria (f1 cost, f2 benefit), equal weights, v = 0.5. S = (0.5,
     * 0.375, 0.5), R = (0.5, 0.25, 0.5), Q = (1, 0, 1): A2 alone. */
    const double x[3 * 2] = {1.0, 3000.0, 2.0, 3750.0, 5.0, 4500.0};
    const int types[2] = {SEG_COST, SEG_BENEFIT};
    const double w[2] = {0.5, 0.5}, v = 0.5;
    double S[3], R[3], Q[3];
    unsigned char comp[3], adv, stab;
    seg_vikor_out out = {0};
    out.S = S;
    out.R = R;
    out.Q = Q;
    out.compromise = comp;
    out.advantage = &adv;
    out.stability = &stab;
    double *work = work_for(3, 2, 1);
    CHECK(seg_vikor(x, 3, 2, types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) == SEG_OK);
    const double eS[3] = {0.5, 0.375, 0.5}, eR[3] = {0.5, 0.25, 0.5}, eQ[3] = {1, 0, 1};
    for (int i = 0; i < 3; i++) {
        CHECK_CLOSE(S[i], eS[i], 1e-15);
        CHECK_CLOSE(R[i], eR[i], 1e-15);
        CHECK_CLOSE(Q[i], eQ[i], 1e-15);
    }
    CHECK(comp[0] == 0 && comp[1] == 1 && comp[2] == 0 && adv == 1 && stab == 1);
    free(work);
}

static void test_vikor_opricovic_2007(void) {
    /* Opricovic & Tzeng (2007), EJOR 178:514-529, Mlava reservoir example,
     * weight set 3 (1,1,1,1,2,2,2,2), v = 0.5: Q printed to 3 decimals;
     * C1 fails and the compromise set is {A5, A3, A6}. */
    const double x[6 * 8] = {
        4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41, 5211.9, 3630.0, 501.7, 308.3, 282, 346,
        21,     1.41,   5021.3, 3920.5, 504.0, 278.6, 12, 56, 3,  4.42, 5566.1, 3957.9, 559.5,
        335.3,  167,    268,    16,     3.36,  5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04,
        4317.9, 2925.9, 432.8,  239.3,  12,    55,    3,     4.36};
    const int types[8] = {1, -1, 1, 1, -1, -1, -1, 1};
    const double w[8] = {1, 1, 1, 1, 2, 2, 2, 2}, v = 0.5;
    const double eQ[6] = {0.684, 1.0, 0.147, 0.554, 0.041, 0.191};
    double Q[6];
    unsigned char comp[6], adv, stab;
    seg_vikor_out out = {0};
    out.Q = Q;
    out.compromise = comp;
    out.advantage = &adv;
    out.stability = &stab;
    double *work = work_for(6, 8, 1);
    CHECK(seg_vikor(x, 6, 8, types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) == SEG_OK);
    for (int i = 0; i < 6; i++) CHECK_CLOSE(Q[i], eQ[i], 5e-4);
    const unsigned char eC[6] = {0, 0, 1, 0, 1, 1};
    for (int i = 0; i < 6; i++) CHECK(comp[i] == eC[i]);
    CHECK(adv == 0 && stab == 1);
    free(work);
}

static void test_vikor_degenerate(void) {
    double S[3], R[3], Q[3];
    seg_idx rank[3];
    unsigned char comp[3], adv, stab, cst[2];
    seg_vikor_out out = {0};
    out.S = S;
    out.R = R;
    out.Q = Q;
    out.ranking = rank;
    out.compromise = comp;
    out.advantage = &adv;
    out.stability = &stab;
    out.constant = cst;
    const int types[2] = {1, 1};
    const double w[2] = {0.3, 0.7}, v = 0.5;
    double *work = work_for(3, 2, 1), *work3 = work_for(3, 3, 1);
    /* A constant criterion contributes 0. */
    const double x1[3 * 2] = {1, 5, 2, 5, 3, 5};
    CHECK(seg_vikor(x1, 3, 2, types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) == SEG_OK);
    CHECK(cst[0] == 0 && cst[1] == 1);
    CHECK_CLOSE(S[0], 0.3, 1e-15);
    CHECK(S[2] == 0.0 && R[2] == 0.0);
    CHECK(Q[2] == 0.0 && Q[0] == 1.0);
    /* Everything constant: S- = S* and R- = R*, Q = 0 for all, never NaN;
     * all tied, so every alternative is in the compromise set. */
    const double x2[3 * 2] = {2, 5, 2, 5, 2, 5};
    CHECK(seg_vikor(x2, 3, 2, types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) == SEG_OK);
    for (int i = 0; i < 3; i++) {
        CHECK(Q[i] == 0.0 && comp[i] == 1 && rank[i] == i);
    }
    CHECK(adv == 0 && stab == 1);
    /* R- = R* with S spread: only the S part of Q remains. Regrets
     * D = (1,0,0), (0,1,0), (1,1,1) with equal weights: R = 1/3 for all. */
    const double x3[3 * 3] = {0, 1, 1, 1, 0, 1, 0, 0, 0};
    const int t3[3] = {1, 1, 1};
    const double we[3] = {1, 1, 1};
    unsigned char cst3[3];
    out.constant = cst3;
    CHECK(seg_vikor(x3, 3, 3, t3, NULL, NULL, we, 1, &v, 1, &out, work3, 1, NULL, NULL) == SEG_OK);
    CHECK_CLOSE(R[0], R[2], 1e-16);
    CHECK(Q[0] == 0.0 && Q[1] == 0.0);
    CHECK_CLOSE(Q[2], 0.5, 1e-15);
    CHECK(comp[0] == 1 && comp[1] == 1 && comp[2] == 0 && adv == 0 && stab == 1);
    out.constant = cst;
    /* m = 2: DQ = 1, C1 holds only for Q = (0, 1). */
    const double x4[2 * 2] = {1, 1, 0, 0};
    CHECK(seg_vikor(x4, 2, 2, types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) == SEG_OK);
    CHECK(Q[0] == 0.0 && Q[1] == 1.0 && adv == 1 && stab == 1 && comp[0] == 1 && comp[1] == 0);
    free(work);
    free(work3);
}

static void test_vikor_cost_negation(void) {
    /* Cost on x and benefit on -x give bit-identical results. */
    double xn[9 * 5];
    memcpy(xn, PAPER_A, sizeof xn);
    for (int i = 0; i < 9; i++) xn[i * 5 + 1] = -xn[i * 5 + 1];
    const int t1[5] = {1, 1, 1, 1, 1}, t2[5] = {1, -1, 1, 1, 1};
    const double w[5] = {0.2, 0.1, 0.4, 0.2, 0.1}, v[2] = {0.3, 0.8};
    double Q1[2 * 9], Q2[2 * 9];
    seg_vikor_out o1 = {0}, o2 = {0};
    o1.Q = Q1;
    o2.Q = Q2;
    double *work = work_for(9, 5, 1);
    CHECK(seg_vikor(PAPER_A, 9, 5, t1, NULL, NULL, w, 1, v, 2, &o1, work, 1, NULL, NULL) == SEG_OK);
    CHECK(seg_vikor(xn, 9, 5, t2, NULL, NULL, w, 1, v, 2, &o2, work, 1, NULL, NULL) == SEG_OK);
    CHECK(memcmp(Q1, Q2, sizeof Q1) == 0);
    free(work);
}

static void test_vikor_ideal(void) {
    /* A given ideal/anti-ideal (e.g. the ends of a 1..9 scale) replaces the
     * data's best/worst; values outside it are rejected. */
    const double lo[5] = {1, 1, 1, 1, 1}, hi[5] = {9, 9, 9, 9, 9};
    const double w[5] = {1, 1, 1, 1, 1}, v = 0.5;
    double S[9], fs[5], fm[5];
    seg_vikor_out out = {0};
    out.S = S;
    out.f_star = fs;
    out.f_minus = fm;
    double *work = work_for(9, 5, 1);
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, hi, lo, w, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_OK);
    double expect = 0.0;
    for (int j = 0; j < 5; j++) expect += 0.2 * (9.0 - PAPER_A[j]) / 8.0;
    CHECK_CLOSE(S[0], expect, 1e-15);
    CHECK(fs[0] == 9.0 && fm[0] == 1.0);
    const double bad_hi[5] = {9, 9, 7.5, 9, 9}; /* A6 scores 7.956 on C3 */
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, bad_hi, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    const double bad_lo[5] = {1, 1, 4, 1, 1}; /* A3 scores 3.378 on C3 */
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, bad_lo, w, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    const double nan_hi[5] = {9, 9, NAN, 9, 9};
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, nan_hi, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_ENONFINITE);
    free(work);
}

static void test_vikor_errors(void) {
    const double w[5] = {1, 1, 1, 1, 1}, v = 0.5;
    double Q[9];
    seg_vikor_out out = {0};
    out.Q = Q;
    double *work = work_for(9, 5, 1);
    const int bad_types[5] = {1, 1, 0, 1, 1};
    CHECK(seg_vikor(PAPER_A, 9, 5, bad_types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    const double wneg[5] = {1, -1, 1, 1, 1}, wzero[5] = {0, 0, 0, 0, 0};
    const double wnan[5] = {1, NAN, 1, 1, 1};
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, wneg, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, wzero, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, wnan, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_ENONFINITE);
    seg_detail why = {NULL, -1};
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, wneg, 1, &v, 1, &out, work, 1, NULL,
                    &why) == SEG_EINVAL);
    CHECK_WHY(why, "weights must be >= 0", 1);
    CHECK(seg_vikor(PAPER_A, 9, 5, bad_types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL,
                    &why) == SEG_EINVAL);
    CHECK_WHY(why, "types must be", 2);
    const double vbad = 1.5, vnan = NAN;
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, w, 1, &vbad, 1, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, w, 1, &vnan, 1, &out, work, 1, NULL, NULL) ==
          SEG_ENONFINITE);
    double xnan[9 * 5];
    memcpy(xnan, PAPER_A, sizeof xnan);
    xnan[17] = NAN;
    CHECK(seg_vikor(xnan, 9, 5, BENEFIT5, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_ENONFINITE);
    CHECK(seg_vikor(PAPER_A, 1, 5, BENEFIT5, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, w, 0, &v, 1, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, w, 1, &v, 0, &out, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_vikor(PAPER_A, 9, 5, BENEFIT5, NULL, NULL, w, 1, &v, 1, NULL, work, 1, NULL, NULL) ==
          SEG_EINVAL);
    CHECK(seg_vikor_work_size(PTRDIFF_MAX / 2, 4, 1) < 0);
    CHECK(seg_vikor_sensitivity_work_size(1 << 30, 4, 1 << 30, 2) < 0);
    CHECK(seg_vikor_work_size(-1, 4, 1) < 0);
    free(work);
}

/* BUG-5: a criterion spanning more than DBL_MAX gave f* - f- = inf, D =
 * inf / inf = NaN, NaN S, R, Q and an empty compromise set, with SEG_OK. */
static void test_vikor_huge_span_by_hand(void) {
    /* Criterion 0 spans 3e308; criterion 1 is ordinary. By hand (benefit):
     *   D0 = (1.5e308 - x) / 3e308 = 0, 1, 0.5;  D1 = (3 - x) / 2 = 1, 0.5, 0
     *   w = 1/2 each: S = 0.5, 0.75, 0.25; R = 0.5, 0.5, 0.25
     *   v = 0.5: Q = 0.25 + 0.5, 0.5 + 0.5, 0 = 0.75, 1, 0
     *   ranking A2, A0, A1; Q(a'') - Q(a') = 0.75 >= DQ = 0.5 (C1) and A2 is
     *   best by S (C2): the compromise set is {A2}. */
    const double x[3 * 2] = {1.5e308, 1.0, -1.5e308, 2.0, 0.0, 3.0};
    const int types[2] = {SEG_BENEFIT, SEG_BENEFIT};
    const double w[2] = {1.0, 1.0}, v = 0.5;
    double S[3], R[3], Q[3], fs[2], fm[2];
    seg_idx rank[3];
    unsigned char comp[3], adv = 9, stab = 9, cst[2];
    seg_vikor_out out = {fs, fm, cst, S, R, Q, rank, comp, &adv, &stab};
    double *work = work_for(3, 2, 1);
    CHECK(seg_vikor(x, 3, 2, types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) == SEG_OK);
    CHECK(fs[0] == 1.5e308 && fm[0] == -1.5e308 && cst[0] == 0 && cst[1] == 0);
    CHECK(S[0] == 0.5 && S[1] == 0.75 && S[2] == 0.25);
    CHECK(R[0] == 0.5 && R[1] == 0.5 && R[2] == 0.25);
    CHECK(Q[0] == 0.75 && Q[1] == 1.0 && Q[2] == 0.0);
    CHECK(rank[0] == 2 && rank[1] == 0 && rank[2] == 1);
    CHECK(comp[0] == 0 && comp[1] == 0 && comp[2] == 1 && adv == 1 && stab == 1);
    /* The same as a cost criterion on -x: bit-identical (D is negated on
     * both sides of the quotient, halving included). */
    const double xn[3 * 2] = {-1.5e308, 1.0, 1.5e308, 2.0, 0.0, 3.0};
    const int tcost[2] = {SEG_COST, SEG_BENEFIT};
    double S2[3], R2[3], Q2[3];
    seg_vikor_out o2 = {0};
    o2.S = S2;
    o2.R = R2;
    o2.Q = Q2;
    CHECK(seg_vikor(xn, 3, 2, tcost, NULL, NULL, w, 1, &v, 1, &o2, work, 1, NULL, NULL) == SEG_OK);
    CHECK(memcmp(S, S2, sizeof S) == 0 && memcmp(R, R2, sizeof R) == 0);
    CHECK(memcmp(Q, Q2, sizeof Q) == 0);
    /* The full range, with a subnormal in the middle: one criterion, weight
     * 1, so S = R = D. (DBL_MAX - x) / (DBL_MAX + DBL_MAX) = 0, 1/2, 1; the
     * halved subnormal cannot move the 1/2. */
    const double x1[3] = {DBL_MAX, 4.9406564584124654e-324, -DBL_MAX};
    const int t1[1] = {SEG_BENEFIT};
    const double w1[1] = {1.0};
    seg_vikor_out o3 = {0};
    o3.S = S2;
    o3.R = R2;
    o3.Q = Q2;
    CHECK(seg_vikor(x1, 3, 1, t1, NULL, NULL, w1, 1, &v, 1, &o3, work, 1, NULL, NULL) == SEG_OK);
    CHECK(S2[0] == 0.0 && S2[1] == 0.5 && S2[2] == 1.0);
    CHECK(R2[0] == 0.0 && R2[1] == 0.5 && R2[2] == 1.0);
    CHECK(Q2[0] == 0.0 && Q2[1] == 0.5 && Q2[2] == 1.0);
    /* A given ideal and anti-ideal of +-DBL_MAX around ordinary data: D =
     * (DBL_MAX / 2 - x / 2) / DBL_MAX, which is 1/2 to double precision for
     * |x| <= 1. */
    const double x2[3] = {-1.0, 0.0, 1.0}, hi[1] = {DBL_MAX}, lo[1] = {-DBL_MAX};
    CHECK(seg_vikor(x2, 3, 1, t1, hi, lo, w1, 1, &v, 1, &o3, work, 1, NULL, NULL) == SEG_OK);
    CHECK(S2[0] == 0.5 && S2[1] == 0.5 && S2[2] == 0.5);
    free(work);
}

/* VIKOR is invariant to positive affine changes of a criterion. A criterion
 * replaced by (x - c) * 2^e must give the same S, R, Q, ranking and
 * compromise sets as the original, for seg_vikor with several weight vectors
 * (the batch path) and for the weight sensitivity. Paper A's C1 (4.956 ..
 * 7.333) becomes (x - 6) * 2^1023 and C3 (3.378 .. 7.956) (x - 5.5) * 2^1022:
 * finite values (|x - c| * 2^e < 2^1024) spanning 2.1e308 > DBL_MAX. Here
 * the invariance is exact: x - c is exact (Sterbenz: c / 2 <= x <= 2 c),
 * scaling by a power of two is exact, and the halved differences are the
 * original differences times 2^(e - 1), so the quotients are bit-identical. */
static void test_vikor_huge_span_scaled_copy(void) {
    enum { M = 9, N = 5, B = 3, V = 3 };
    double xs[M * N];
    memcpy(xs, PAPER_A, sizeof xs);
    for (int i = 0; i < M; i++) {
        xs[i * N + 0] = ldexp(PAPER_A[i * N + 0] - 6.0, 1023);
        xs[i * N + 2] = ldexp(PAPER_A[i * N + 2] - 5.5, 1022);
    }
    int finite_x = 1;
    for (int k = 0; k < M * N; k++) finite_x &= isfinite(xs[k]);
    CHECK(finite_x);
    CHECK(!isfinite(xs[3 * N + 0] - xs[2 * N + 0])); /* C1 spans more than DBL_MAX */
    CHECK(!isfinite(xs[5 * N + 2] - xs[2 * N + 2])); /* C3 likewise */
    const int types[N] = {1, 1, -1, 1, -1};          /* a huge cost criterion too */
    const double w[B * N] = {0.155, 0.065, 0.574, 0.091, 0.115, 1, 1, 1, 1, 1,
                             0.5,   0,     0.5,   0,     0};
    const double v[V] = {0.1, 0.5, 0.9};
    double S1[B * M], R1[B * M], Q1[B * V * M], S2[B * M], R2[B * M], Q2[B * V * M];
    seg_idx r1[B * V * M], r2[B * V * M];
    unsigned char c1[B * V * M], c2[B * V * M];
    seg_vikor_out o1 = {0}, o2 = {0};
    o1.S = S1, o1.R = R1, o1.Q = Q1, o1.ranking = r1, o1.compromise = c1;
    o2.S = S2, o2.R = R2, o2.Q = Q2, o2.ranking = r2, o2.compromise = c2;
    double *work = work_for(M, N, 2);
    CHECK(seg_vikor(PAPER_A, M, N, types, NULL, NULL, w, B, v, V, &o1, work, 2, NULL, NULL) ==
          SEG_OK);
    CHECK(seg_vikor(xs, M, N, types, NULL, NULL, w, B, v, V, &o2, work, 2, NULL, NULL) == SEG_OK);
    CHECK(memcmp(S1, S2, sizeof S1) == 0);
    CHECK(memcmp(R1, R2, sizeof R1) == 0);
    CHECK(memcmp(Q1, Q2, sizeof Q1) == 0);
    CHECK(memcmp(r1, r2, sizeof r1) == 0);
    CHECK(memcmp(c1, c2, sizeof c1) == 0);
    int finite = 1;
    for (int k = 0; k < B * V * M; k++) finite &= isfinite(Q2[k]) && Q2[k] >= 0.0 && Q2[k] <= 1.0;
    CHECK(finite);
    free(work);
    /* The weight sensitivity prepares D the same way: identical counts. */
    const double alpha[N] = {15.5, 6.5, 57.4, 9.1, 11.5};
    int64_t rc1[V * M * M], rc2[V * M * M], cc1[V * M], cc2[V * M];
    seg_idx size = seg_vikor_sensitivity_work_size(M, N, V, 2);
    double *sw = malloc((size_t)size * sizeof(double));
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, types, NULL, NULL, alpha, 500, 3, v, V, rc1,
                                       cc1, NULL, sw, 2, NULL, NULL) == SEG_OK);
    CHECK(seg_vikor_weight_sensitivity(xs, M, N, types, NULL, NULL, alpha, 500, 3, v, V, rc2, cc2,
                                       NULL, sw, 2, NULL, NULL) == SEG_OK);
    CHECK(memcmp(rc1, rc2, sizeof rc1) == 0);
    CHECK(memcmp(cc1, cc2, sizeof cc1) == 0);
    free(sw);
}

static int stop_now(void *ctx) {
    int *calls = (int *)ctx;
    (*calls)++;
    return 1;
}

/* Batched evaluation: equal to one call per weight vector, independent of
 * the thread count, stable ranking with ties, interruptible. */
static void test_vikor_batch(void) {
    enum { M = 40, N = 3, B = 300, V = 3 };
    static double x[M * N], w[B * N];
    seg_rng rng;
    seg_rng_seed(&rng, 7);
    for (int i = 0; i < M * N; i++) x[i] = floor(seg_rng_uniform(&rng) * 5.0);
    for (int i = 0; i < B * N; i++) w[i] = seg_rng_uniform(&rng);
    memcpy(x + 20 * N, x + 3 * N, N * sizeof(double)); /* rows 3 and 20 tie */
    const int types[N] = {1, -1, 1};
    const double v[V] = {0.0, 0.5, 1.0};
    static double Q1[B * V * M], Q2[B * V * M], Qs[V * M];
    static seg_idx r1[B * V * M], r2[B * V * M], rs[V * M];
    static unsigned char c1[B * V * M], c2[B * V * M], cs[V * M];
    seg_vikor_out o1 = {0}, o2 = {0}, os = {0};
    o1.Q = Q1;
    o1.ranking = r1;
    o1.compromise = c1;
    o2.Q = Q2;
    o2.ranking = r2;
    o2.compromise = c2;
    os.Q = Qs;
    os.ranking = rs;
    os.compromise = cs;
    double *work1 = work_for(M, N, 1), *work2 = work_for(M, N, 2);
    CHECK(seg_vikor(x, M, N, types, NULL, NULL, w, B, v, V, &o1, work1, 1, NULL, NULL) == SEG_OK);
    CHECK(seg_vikor(x, M, N, types, NULL, NULL, w, B, v, V, &o2, work2, 2, NULL, NULL) == SEG_OK);
    CHECK(memcmp(Q1, Q2, sizeof Q1) == 0);
    CHECK(memcmp(r1, r2, sizeof r1) == 0);
    CHECK(memcmp(c1, c2, sizeof c1) == 0);
    int same = 1, stable = 1, sorted = 1;
    for (int b = 0; b < B; b += 37) {
        CHECK(seg_vikor(x, M, N, types, NULL, NULL, w + b * N, 1, v, V, &os, work1, 1, NULL, NULL) ==
              SEG_OK);
        same &= memcmp(Qs, Q1 + b * V * M, sizeof Qs) == 0;
        same &= memcmp(rs, r1 + b * V * M, sizeof rs) == 0;
    }
    for (int b = 0; b < B * V; b++) {
        const seg_idx *r = r1 + b * M;
        const double *q = Q1 + b * M;
        int pos3 = -1, pos20 = -1;
        for (int k = 0; k < M; k++) {
            /* Q within SEG_VIKOR_TOL may tie and then keep input order. */
            if (k > 0) sorted &= q[r[k - 1]] <= q[r[k]] + SEG_VIKOR_TOL;
            if (k > 0 && q[r[k - 1]] == q[r[k]]) stable &= r[k - 1] < r[k];
            if (r[k] == 3) pos3 = k;
            if (r[k] == 20) pos20 = k;
        }
        stable &= pos3 < pos20;
    }
    CHECK(same);
    CHECK(stable);
    CHECK(sorted);
    int calls = 0;
    seg_interrupt intr = {stop_now, &calls};
    CHECK(seg_vikor(x, M, N, types, NULL, NULL, w, B, v, V, &o1, work1, 1, &intr, NULL) ==
          SEG_EINTERRUPTED);
    CHECK(calls == 1);
    free(work1);
    free(work2);
}

/* The tie rule of seg_mcdm.h by its definition, in O(m^2): the smallest Q
 * left opens a group of every Q left within SEG_VIKOR_TOL above it; groups in
 * order, members by index. Writes the ranking and each alternative's group. */
static void ties_brute(const double *Q, int m, seg_idx *rank, int *group) {
    int done = 0, g = 0;
    for (int i = 0; i < m; i++) group[i] = -1;
    while (done < m) {
        double low = INFINITY;
        for (int i = 0; i < m; i++) {
            if (group[i] < 0 && Q[i] < low) low = Q[i];
        }
        for (int i = 0; i < m; i++) {
            if (group[i] < 0 && Q[i] - low <= SEG_VIKOR_TOL) {
                group[i] = g;
                rank[done++] = i;
            }
        }
        g++;
    }
}

/* Issue 13, bug 3: Q equal within SEG_VIKOR_TOL were ranked by round-off. */
static void test_vikor_ties_issue_13(void) {
    enum { M = 5, N = 3, B = 1000 };
    const double x[M * N] = {.2, .3, .1, .1, .2, .3, .3, .1, .2, 0, 0, 0, 1, 1, 1};
    const int types[N] = {1, 1, 1};
    const double v[3] = {0.5, 0.9, 0.1};
    static double w[B * N];
    for (int i = 0; i < B * N; i++) w[i] = 1.0;
    static seg_idx r1[B * 3 * M], r2[B * 3 * M];
    static unsigned char c1[B * 3 * M];
    seg_vikor_out o1 = {0}, o2 = {0};
    o1.ranking = r1;
    o1.compromise = c1;
    o2.ranking = r2;
    double *work1 = work_for(M, N, 1), *work2 = work_for(M, N, 2);
    CHECK(seg_vikor(x, M, N, types, NULL, NULL, w, B, v, 3, &o1, work1, 1, NULL, NULL) == SEG_OK);
    CHECK(seg_vikor(x, M, N, types, NULL, NULL, w, B, v, 3, &o2, work2, 2, NULL, NULL) == SEG_OK);
    const seg_idx want[M] = {4, 0, 1, 2, 3};
    int ok = 1;
    for (int k = 0; k < B * 3; k++) {
        ok &= memcmp(r1 + k * M, want, sizeof want) == 0;
        ok &= c1[k * M + 4] == 1 && c1[k * M] + c1[k * M + 1] + c1[k * M + 2] == 0;
    }
    CHECK(ok);
    CHECK(memcmp(r1, r2, sizeof r1) == 0);
    /* The weight sampler ranks the same way: a Dirichlet this tight draws
     * weights equal to a few ulps, so rows 0-2 tie in every draw. */
    const double alpha[N] = {1e32, 1e32, 1e32};
    enum { NS = 64 };
    static int64_t rc[M * M], cc[M];
    double *ws = malloc(sizeof(double) * (size_t)seg_vikor_sensitivity_work_size(M, N, 1, 2));
    CHECK(seg_vikor_weight_sensitivity(x, M, N, types, NULL, NULL, alpha, NS, 5, v, 1, rc, cc,
                                       NULL, ws, 2, NULL, NULL) == SEG_OK);
    for (int r = 0; r < M; r++) CHECK(rc[want[r] * M + r] == NS);
    CHECK(cc[4] == NS && cc[0] + cc[1] + cc[2] + cc[3] == 0);
    free(ws);
    free(work1);
    free(work2);
}

/* One criterion on [0, 1] with v = 1: Q_i = 1 - x_i, so Q can be placed at
 * will, near ties and group boundaries included. */
static seg_status vikor_q_line(const double *x, int m, seg_idx *rank, unsigned char *comp,
                               unsigned char *adv, double *Q) {
    const int types[1] = {1};
    const double w[1] = {1.0}, v[1] = {1.0};
    seg_vikor_out out = {0};
    out.Q = Q;
    out.ranking = rank;
    out.compromise = comp;
    out.advantage = adv;
    double *work = work_for(m, 1, 1);
    seg_status st = seg_vikor(x, m, 1, types, NULL, NULL, w, 1, v, 1, &out, work, 1, NULL, NULL);
    free(work);
    return st;
}

static void test_vikor_tie_rule(void) {
    const double tol = SEG_VIKOR_TOL;
    seg_idx rank[64], want[64];
    unsigned char comp[64], adv;
    double Q[64];
    int group[64];
    /* Not transitive: 0.2, 0.2 + 0.6 tol, 0.2 + 1.2 tol (given in reverse)
     * are the groups {0.2, 0.2 + 0.6 tol} and {0.2 + 1.2 tol}. */
    const double chain[5] = {1, 0, 0.8 - 1.2 * tol, 0.8 - 0.6 * tol, 0.8};
    CHECK(vikor_q_line(chain, 5, rank, comp, &adv, Q) == SEG_OK);
    const seg_idx chain_rank[5] = {0, 3, 4, 2, 1};
    CHECK(memcmp(rank, chain_rank, sizeof chain_rank) == 0);
    /* C1 fails (0.2 < DQ = 0.25); the set is whole groups below DQ. */
    CHECK(adv == 0 && comp[0] && comp[2] && comp[3] && comp[4] && !comp[1]);
    /* A group that straddles Q* + DQ - TOL is in or out as a whole: its
     * smallest Q, 1/3 - 1.4 tol, decides for 1/3 - 0.6 tol as well. */
    const double third = 1.0 / 3.0;
    const double cut[4] = {1, 0, 1 - (third - 0.6 * tol), 1 - (third - 1.4 * tol)};
    CHECK(vikor_q_line(cut, 4, rank, comp, &adv, Q) == SEG_OK);
    const seg_idx cut_rank[4] = {0, 2, 3, 1};
    CHECK(memcmp(rank, cut_rank, sizeof cut_rank) == 0);
    CHECK(adv == 0 && comp[0] == 1 && comp[2] == 1 && comp[3] == 1 && comp[1] == 0);
    /* C1 compares groups: a' tied with another alternative never has an
     * acceptable advantage, however far the rest are. */
    const double pair[3] = {1, 1 - 0.5 * tol, 0};
    CHECK(vikor_q_line(pair, 3, rank, comp, &adv, Q) == SEG_OK);
    CHECK(rank[0] == 0 && rank[1] == 1 && adv == 0 && comp[0] && comp[1] && !comp[2]);
    /* Clusters of near ties in shuffled order against the brute force. */
    seg_rng rng;
    seg_rng_seed(&rng, 13);
    int agree = 1;
    for (int trial = 0; trial < 200; trial++) {
        const int m = 2 + (int)(seg_rng_uniform(&rng) * 60.0);
        double x[64];
        for (int i = 0; i < m; i++) {
            double base = floor(seg_rng_uniform(&rng) * 4.0) / 8.0;
            x[i] = 0.25 + base + floor(seg_rng_uniform(&rng) * 6.0) * 0.37 * tol;
        }
        x[0] = 1.0; /* Q spans [0, 1] */
        x[m - 1] = 0.0;
        CHECK(vikor_q_line(x, m, rank, comp, &adv, Q) == SEG_OK);
        ties_brute(Q, m, want, group);
        agree &= memcmp(rank, want, (size_t)m * sizeof(seg_idx)) == 0;
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < m; k++) agree &= group[i] != group[k] || comp[i] == comp[k];
        }
    }
    CHECK(agree);
}

/* Only C2 fails and two identical alternatives tie for second place: the
 * set is a' and both (found by search; Q = 0.085, 0.3, 0.3, ...). */
static void test_vikor_tied_second(void) {
    enum { M = 7, N = 3 };
    const double x[M * N] = {1, 1, 3, 1, 3, 3, 3, 2, 3, 1, 5, 5, 5, 4, 1, 4, 2, 0, 1, 5, 5};
    const int types[N] = {1, 1, 1};
    const double w[N] = {1, 1, 1}, v = 0.7;
    seg_idx rank[M];
    unsigned char comp[M], adv, stab;
    seg_vikor_out out = {0};
    out.ranking = rank;
    out.compromise = comp;
    out.advantage = &adv;
    out.stability = &stab;
    double *work = work_for(M, N, 1);
    CHECK(seg_vikor(x, M, N, types, NULL, NULL, w, 1, &v, 1, &out, work, 1, NULL, NULL) == SEG_OK);
    const seg_idx want[M] = {4, 3, 6, 2, 1, 5, 0};
    CHECK(memcmp(rank, want, sizeof want) == 0);
    CHECK(adv == 1 && stab == 0);
    const unsigned char want_comp[M] = {0, 0, 0, 1, 1, 0, 1};
    CHECK(memcmp(comp, want_comp, sizeof want_comp) == 0);
    free(work);
}

static void test_weight_sensitivity(void) {
    enum { M = 9, N = 5, V = 2 };
    const double v[V] = {0.5, 0.9};
    double w0[N];
    CHECK(seg_entropy_weights(PAPER_A, M, N, w0, NULL, NULL, NULL) == SEG_OK);
    double alpha[N];
    for (int j = 0; j < N; j++) alpha[j] = 100.0 * w0[j];
    const seg_idx B = 20000;
    int64_t rc1[V * M * M], rc2[V * M * M], cc1[V * M], cc2[V * M];
    double *wo1 = malloc((size_t)B * N * sizeof(double));
    double *wo2 = malloc((size_t)B * N * sizeof(double));
    seg_idx size1 = seg_vikor_sensitivity_work_size(M, N, V, 1);
    seg_idx size2 = seg_vikor_sensitivity_work_size(M, N, V, 2);
    double *work1 = malloc((size_t)size1 * sizeof(double));
    double *work2 = malloc((size_t)size2 * sizeof(double));
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, alpha, B, 42, v, V,
                                       rc1, cc1, wo1, work1, 1, NULL, NULL) == SEG_OK);
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, alpha, B, 42, v, V,
                                       rc2, cc2, wo2, work2, 2, NULL, NULL) == SEG_OK);
    /* Same seed, any thread count: identical draws and counts. */
    CHECK(memcmp(rc1, rc2, sizeof rc1) == 0);
    CHECK(memcmp(cc1, cc2, sizeof cc1) == 0);
    CHECK(memcmp(wo1, wo2, (size_t)B * N * sizeof(double)) == 0);
    /* Every (v, alternative) row and every (v, rank) column sums to B. */
    int rows_ok = 1, cols_ok = 1;
    for (int k = 0; k < V; k++) {
        for (int i = 0; i < M; i++) {
            int64_t rs = 0, cs = 0;
            for (int r = 0; r < M; r++) {
                rs += rc1[(k * M + i) * M + r];
                cs += rc1[(k * M + r) * M + i];
            }
            rows_ok &= rs == B;
            cols_ok &= cs == B;
        }
    }
    CHECK(rows_ok);
    CHECK(cols_ok);
    /* A6 dominates on the heavy criterion: first in most draws. */
    CHECK(rc1[(0 * M + 5) * M + 0] > B / 2);
    /* Dirichlet moments: mean alpha / sum, variance w (1 - w) / (c + 1). */
    for (int j = 0; j < N; j++) {
        double mean = 0.0, var = 0.0;
        for (seg_idx b = 0; b < B; b++) mean += wo1[b * N + j];
        mean /= (double)B;
        for (seg_idx b = 0; b < B; b++) var += (wo1[b * N + j] - mean) * (wo1[b * N + j] - mean);
        var /= (double)(B - 1);
        double ev = w0[j] * (1.0 - w0[j]) / 101.0;
        CHECK(fabs(mean - w0[j]) < 5.0 * sqrt(ev / (double)B));
        CHECK(fabs(var / ev - 1.0) < 0.05);
    }
    int sums_ok = 1;
    for (seg_idx b = 0; b < B; b++) {
        double s = 0.0;
        for (int j = 0; j < N; j++) s += wo1[b * N + j];
        sums_ok &= fabs(s - 1.0) < 1e-14;
    }
    CHECK(sums_ok);
    /* A different seed gives different draws. */
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, alpha, B, 43, v, V,
                                       rc2, cc2, wo2, work1, 1, NULL, NULL) == SEG_OK);
    CHECK(memcmp(wo1, wo2, (size_t)B * N * sizeof(double)) != 0);
    /* alpha_j = 0 fixes w_j = 0; tiny alpha never underflows to NaN. */
    const double a0[N] = {0.0, 1e-3, 1e-3, 0.0, 1e-3};
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, a0, 1000, 1, v, V,
                                       rc2, cc2, wo2, work1, 1, NULL, NULL) == SEG_OK);
    int zero_ok = 1, finite_ok = 1;
    for (seg_idx b = 0; b < 1000; b++) {
        zero_ok &= wo2[b * N + 0] == 0.0 && wo2[b * N + 3] == 0.0;
        for (int j = 0; j < N; j++) finite_ok &= isfinite(wo2[b * N + j]) && wo2[b * N + j] >= 0.0;
    }
    CHECK(zero_ok);
    CHECK(finite_ok);
    /* Uniform on the simplex (alpha = 1): mean 1/n. */
    const double a1[N] = {1, 1, 1, 1, 1};
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, a1, B, 5, v, V, NULL,
                                       NULL, wo2, work1, 1, NULL, NULL) == SEG_OK);
    double m0 = 0.0;
    for (seg_idx b = 0; b < B; b++) m0 += wo2[b * N];
    CHECK(fabs(m0 / (double)B - 0.2) < 0.01);
    /* Errors and interrupts. */
    const double aneg[N] = {1, -1, 1, 1, 1}, azero[N] = {0, 0, 0, 0, 0};
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, aneg, 10, 1, v, V,
                                       rc2, cc2, NULL, work1, 1, NULL, NULL) == SEG_EINVAL);
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, azero, 10, 1, v, V,
                                       rc2, cc2, NULL, work1, 1, NULL, NULL) == SEG_EINVAL);
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, alpha, 0, 1, v, V,
                                       rc2, cc2, NULL, work1, 1, NULL, NULL) == SEG_EINVAL);
    int calls = 0;
    seg_interrupt intr = {stop_now, &calls};
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, alpha, B, 1, v, V,
                                       rc2, cc2, NULL, work1, 1, &intr, NULL) == SEG_EINTERRUPTED);
    CHECK(calls == 1);
    free(wo1);
    free(wo2);
    free(work1);
    free(work2);
}

/* BUG-15: with every positive alpha below ~2e-307, log(U) / alpha overflowed
 * to -inf for every criterion and the draw was exp(-inf + inf) = NaN. The
 * limit of a Dirichlet draw as alpha -> 0 is a vertex of the simplex, vertex
 * j with probability alpha_j / sum(alpha) (the smallest of independent
 * exponentials with rates alpha_j): every draw must be one-hot, and the
 * frequencies those. */
static void test_weight_sensitivity_tiny_alpha(void) {
    enum { M = 9, N = 5, V = 1 };
    const double v[V] = {0.5};
    const seg_idx B = 8000;
    int64_t rc[V * M * M], cc[V * M];
    double *wo = malloc((size_t)B * N * sizeof(double));
    seg_idx size = seg_vikor_sensitivity_work_size(M, N, V, 2);
    double *work = malloc((size_t)size * sizeof(double));
    const double t = 4.9406564584124654e-324; /* the smallest subnormal */
    const double tiny[4][N] = {
        {t, t, 2 * t, 0.0, 4 * t},                   /* 1/8, 1/8, 2/8, 0, 4/8 */
        {1e-310, 1e-310, 2e-310, 0.0, 4e-310},       /* the same, 1/alpha = inf */
        {1e-307, 1e-307, 2e-307, 0.0, 4e-307},       /* 1/alpha finite, log(U) / alpha not */
        {2.2250738585072014e-308, 0.0, 0.0, 0.0, 0.0}, /* DBL_MIN alone: always e_0 */
    };
    const double want[4][N] = {{0.125, 0.125, 0.25, 0.0, 0.5},
                               {0.125, 0.125, 0.25, 0.0, 0.5},
                               {0.125, 0.125, 0.25, 0.0, 0.5},
                               {1.0, 0.0, 0.0, 0.0, 0.0}};
    for (int c = 0; c < 4; c++) {
        for (int nt = 1; nt <= 2; nt++) {
            CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, tiny[c], B,
                                               11, v, V, rc, cc, wo, work, nt, NULL, NULL) == SEG_OK);
            int one_hot = 1;
            double freq[N] = {0};
            for (seg_idx b = 0; b < B; b++) {
                int ones = 0, zeros = 0;
                for (int j = 0; j < N; j++) {
                    double wj = wo[b * N + j];
                    ones += wj == 1.0;
                    zeros += wj == 0.0;
                    freq[j] += wj;
                }
                one_hot &= ones == 1 && zeros == N - 1;
            }
            CHECK(one_hot);
            /* 8000 draws: a standard error below 0.006 per share. */
            for (int j = 0; j < N; j++) CHECK_CLOSE(freq[j] / (double)B, want[c][j], 0.025);
            int64_t total = 0;
            for (int i = 0; i < M; i++) total += rc[i * M + 0];
            CHECK(total == B);
        }
    }
    /* All weight on criterion 0 is a VIKOR on C1 alone: the rank-1 count of
     * the best alternative by C1 (A4, 7.333) is every draw. */
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, tiny[3], B, 11, v, V,
                                       rc, cc, NULL, work, 2, NULL, NULL) == SEG_OK);
    CHECK(rc[3 * M + 0] == B);
    /* One ordinary alpha beside overflowing ones takes all the weight. */
    const double mixed[N] = {1e-310, 0.5, 1e-310, 1e-320, 0.0};
    CHECK(seg_vikor_weight_sensitivity(PAPER_A, M, N, BENEFIT5, NULL, NULL, mixed, 200, 5, v, V,
                                       rc, cc, wo, work, 1, NULL, NULL) == SEG_OK);
    int on_one = 1;
    for (seg_idx b = 0; b < 200; b++) {
        for (int j = 0; j < N; j++) on_one &= wo[b * N + j] == (j == 1 ? 1.0 : 0.0);
    }
    CHECK(on_one);
    free(wo);
    free(work);
}

int main(void) {
    test_entropy_paper_a();
    test_entropy_literature();
    test_entropy_degenerate();
    test_entropy_near_constant();
    test_vikor_paper_a();
    test_vikor_opricovic_2004();
    test_vikor_opricovic_2007();
    test_vikor_degenerate();
    test_vikor_cost_negation();
    test_vikor_ideal();
    test_vikor_huge_span_by_hand();
    test_vikor_huge_span_scaled_copy();
    test_vikor_errors();
    test_vikor_batch();
    test_vikor_ties_issue_13();
    test_vikor_tie_rule();
    test_vikor_tied_second();
    test_weight_sensitivity();
    test_weight_sensitivity_tiny_alpha();
    return seg_test_report();
}
