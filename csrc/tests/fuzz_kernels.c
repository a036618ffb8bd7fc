/* fuzz_kernels.c: a libFuzzer harness over the C kernels of segment.
 *
 *   make -C csrc fuzz            builds build/fuzz_kernels (clang, ASan + UBSan)
 *   build/fuzz_kernels -max_total_time=60 fuzz/corpus
 *
 * Each input is decoded into one kernel call: the first byte picks the
 * kernel, the next bytes the shapes (including invalid ones: k <= 0, k > n,
 * n_trials out of range), then values drawn from classes that hit the edges:
 * small integers (ties, duplicate rows), uniform values, 10^e scaled values
 * from denormal to near DBL_MAX, NaN, +-inf, +-0, DBL_MAX, DBL_MIN, the
 * smallest denormal, raw bit patterns, and repeats of the previous value.
 * Labels may be out of range, weights negative or NaN, types invalid, and
 * an interrupt callback may stop the kernel after a few checks.
 *
 * Buffers are sized exactly as the headers say (outputs by their shapes,
 * scratch by *_work_size()), so any write out of bounds is an ASan report.
 * UBSan aborts on undefined behaviour. When a kernel returns SEG_OK the
 * harness checks its contract: outputs finite, labels in range and nearest,
 * inertias equal to their definition, silhouettes in [-1, 1], weights summing
 * to 1, VIKOR's S, R, Q in [0, 1], rankings permutations, compromise sets
 * non-empty, rank counts summing to the draws. Any violation aborts: a crash.
 *
 * Known bugs are tolerated unless built with -DSEG_FUZZ_STRICT=1 (the
 * fuzz-strict target), each named in RELIABILITY.md:
 *   BUG-5   VIKOR with a criterion spanning more than DBL_MAX: NaN S, R, Q and an
 *           empty compromise set;
 *   BUG-15  Dirichlet draws with every positive alpha below ~1e-306: NaN weights.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seg_common.h"
#include "seg_kmeans.h"
#include "seg_mcdm.h"
#include "seg_silhouette.h"
#include "seg_validity.h"

#ifndef SEG_FUZZ_STRICT
#define SEG_FUZZ_STRICT 0
#endif

#define MAX_N 48 /* rows, except in the big mode of decode_shape */
#define MAX_D 6

/* ------------------------------------------------------------------------ */
/* Input decoding                                                            */
/* ------------------------------------------------------------------------ */

typedef struct reader {
    const uint8_t *p;
    size_t n;
    double prev;
    int huge;       /* some decoded finite value has |x| > SAFE */
    uint32_t tail;  /* counter for the values past the end of the input */
} reader;

/* Squares and sums of squares of values up to SAFE stay far from overflow
 * for the shapes decoded here (MAX_N * MAX_D * (2 SAFE)^2 ~ 1e203). */
#define SAFE 1e100

static uint8_t u8(reader *r) {
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

static uint16_t u16(reader *r) { return (uint16_t)(u8(r) | (u8(r) << 8)); }

static uint64_t u64(reader *r) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)u8(r) << (8 * i);
    return v;
}

static double value(reader *r) {
    if (r->n == 0) { /* past the end: small integers from a fixed sequence */
        uint32_t h = (r->tail++ + 1u) * 2654435761u;
        return r->prev = (double)((int)((h >> 16) % 17u) - 8);
    }
    uint8_t c = u8(r);
    double v;
    switch (c % 16) {
    case 0: v = (double)((int)(u8(r) % 16) - 8); break;
    case 1: v = (double)u16(r) / 65535.0 * 2.0 - 1.0; break;
    case 2: {
        int e = (int)(u16(r) % 641) - 320; /* 1e-320 (denormal) .. 1e320 (inf) */
        v = ((double)u8(r) / 255.0 + 0.5) * pow(10.0, (double)e) * ((c & 16) ? -1.0 : 1.0);
        break;
    }
    case 3: v = NAN; break;
    case 4: v = INFINITY; break;
    case 5: v = -INFINITY; break;
    case 6: v = 0.0; break;
    case 7: v = -0.0; break;
    case 8: v = DBL_MAX; break;
    case 9: v = -DBL_MAX; break;
    case 10: v = DBL_MIN; break;
    case 11: v = 4.9406564584124654e-324; break;
    case 12: {
        uint64_t bits = u64(r);
        memcpy(&v, &bits, sizeof v);
        break;
    }
    default: v = r->prev; break; /* repeats: ties and duplicate rows */
    }
    if (isfinite(v) && fabs(v) > SAFE) r->huge = 1;
    r->prev = v;
    return v;
}

/* A size in [lo, hi] (inclusive), hi >= lo. */
static seg_idx size_in(reader *r, seg_idx lo, seg_idx hi) {
    return lo + (seg_idx)(u8(r) % (uint8_t)(hi - lo + 1));
}

static void fill(reader *r, double *x, seg_idx count) {
    for (seg_idx i = 0; i < count; i++) x[i] = value(r);
}

/* Mostly valid labels in [0, k), sometimes -1, k, INT32_MIN or INT32_MAX. */
static void fill_labels(reader *r, int32_t *lab, seg_idx n, seg_idx k) {
    for (seg_idx i = 0; i < n; i++) {
        if (r->n == 0) { /* past the end: every label in turn */
            lab[i] = k > 0 ? (int32_t)(i % k) : 0;
            continue;
        }
        uint8_t b = u8(r);
        if (b == 255) lab[i] = -1;
        else if (b == 254) lab[i] = (int32_t)k;
        else if (b == 253) lab[i] = INT32_MIN;
        else if (b == 252) lab[i] = INT32_MAX;
        else lab[i] = k > 0 ? (int32_t)(b % (uint8_t)(k > 250 ? 250 : k)) : 0;
    }
}

static void *xmalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size);
    if (p == NULL) abort();
    return p;
}

/* An interrupt that asks to stop on its `after`-th check (0: never). */
typedef struct stopper {
    int calls, after;
} stopper;

static int stop_cb(void *ctx) {
    stopper *s = (stopper *)ctx;
    return s->after > 0 && ++s->calls >= s->after;
}

#define REQUIRE(cond)                                                                   \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "fuzz_kernels: contract violated at %s:%d: %s\n", __FILE__, \
                    __LINE__, #cond);                                                   \
            abort();                                                                    \
        }                                                                               \
    } while (0)

static int all_finite(const double *x, seg_idx count) {
    for (seg_idx i = 0; i < count; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

static double sqdist(const double *a, const double *b, seg_idx d) {
    double s = 0.0;
    for (seg_idx f = 0; f < d; f++) s += (a[f] - b[f]) * (a[f] - b[f]);
    return s;
}

/* labels[i] is a nearest centre of row i (ties: the lower index when
 * lowest_on_ties) and the weighted inertia matches its definition. */
static void check_assignment(const double *X, seg_idx n, seg_idx d, const double *sw,
                             const double *C, seg_idx k, const int32_t *labels, double inertia) {
    double total = 0.0, scale = 0.0;
    for (seg_idx i = 0; i < n; i++) {
        REQUIRE(labels[i] >= 0 && labels[i] < k);
        double best = INFINITY;
        seg_idx arg = 0;
        for (seg_idx c = 0; c < k; c++) {
            double dd = sqdist(X + i * d, C + c * d, d);
            if (dd < best) {
                best = dd;
                arg = c;
            }
        }
        double own = sqdist(X + i * d, C + (seg_idx)labels[i] * d, d);
        /* nearest up to round-off; on an exact tie the lower index */
        REQUIRE(own <= best * (1.0 + 1e-12) + 1e-300);
        if (own == best) REQUIRE(labels[i] == arg || own != best);
        double w = sw ? sw[i] : 1.0;
        total += w * own;
        scale += fabs(w * own);
    }
    REQUIRE(fabs(inertia - total) <= 1e-9 * scale + 1e-300);
}

/* ------------------------------------------------------------------------ */
/* One harness per kernel                                                    */
/* ------------------------------------------------------------------------ */

typedef struct shape {
    seg_idx n, d, k;
    int n_threads;
    double *X, *sw;
    int finite_safe; /* X (and sw) finite and within SAFE */
    stopper stop;
    seg_interrupt intr;
} shape;

static void decode_shape(reader *r, shape *s, int want_weights) {
    s->n = size_in(r, 1, MAX_N);
    /* 1 in 16: several silhouette blocks and k-means chunks (256 rows each);
     * values and labels past the end of the input follow a fixed sequence. */
    if (s->n % 16 == 0) s->n = 257 + (seg_idx)u8(r) * 2;
    s->d = size_in(r, 1, MAX_D);
    /* k: mostly 1..n, sometimes 0, -1 or n + 1 (the kernels must refuse). */
    uint8_t kb = u8(r);
    seg_idx kmax = s->n < 250 ? s->n : 250;
    s->k = kb == 255 ? -1 : kb == 254 ? 0 : kb == 253 ? s->n + 1 : 1 + (seg_idx)(kb % kmax);
    s->n_threads = (int)(u8(r) % 4); /* 0: all */
    s->stop.calls = 0;
    s->stop.after = (int)(u8(r) % 8) - 3; /* mostly never; 1..4 checks */
    s->intr.fn = stop_cb;
    s->intr.ctx = &s->stop;
    r->huge = 0;
    s->X = xmalloc((size_t)(s->n * s->d), sizeof(double));
    fill(r, s->X, s->n * s->d);
    s->sw = NULL;
    if (want_weights && (u8(r) & 1)) {
        s->sw = xmalloc((size_t)s->n, sizeof(double));
        for (seg_idx i = 0; i < s->n; i++) {
            uint8_t b = u8(r);
            s->sw[i] = b < 200 ? (double)(b % 5) : value(r); /* zeros; sometimes junk */
        }
    }
    s->finite_safe = !r->huge && all_finite(s->X, s->n * s->d) &&
                     (s->sw == NULL || all_finite(s->sw, s->n));
}

static void free_shape(shape *s) {
    free(s->X);
    free(s->sw);
}

static void fuzz_plusplus(reader *r) {
    shape s;
    decode_shape(r, &s, 1);
    seg_idx trials = (seg_idx)(u8(r) % 70) - 2; /* -2 .. 67: 1..64 is valid */
    uint64_t seed = u64(r);
    seg_idx ws = seg_kmeans_plusplus_work_size(s.n, s.d, s.k, trials);
    seg_idx kk = s.k > 0 ? s.k : 1;
    double *C = xmalloc((size_t)(kk * s.d), sizeof(double));
    seg_idx *idx = xmalloc((size_t)kk, sizeof(seg_idx));
    double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_kmeans_plusplus(s.X, s.n, s.d, s.sw, s.k, trials, seed,
                                                 s.n_threads, &s.intr, C, idx, work);
    if (ws < 0) REQUIRE(s.k < 1 || trials < 1);
    if (st == SEG_OK) {
        REQUIRE(s.k >= 1 && s.k <= s.n && trials >= 1 && trials <= 64);
        for (seg_idx c = 0; c < s.k; c++) {
            REQUIRE(idx[c] >= 0 && idx[c] < s.n);
            REQUIRE(memcmp(C + c * s.d, s.X + idx[c] * s.d, (size_t)s.d * sizeof(double)) == 0);
        }
    }
    free(C);
    free(idx);
    free(work);
    free_shape(&s);
}

static void fuzz_fit(reader *r, int runs) {
    shape s;
    decode_shape(r, &s, 1);
    seg_kmeans_algorithm alg = (seg_kmeans_algorithm)(u8(r) % 2);
    int max_iter = (int)(u8(r) % 40) - 1; /* -1 .. 38 */
    double tol = (u8(r) & 1) ? 0.0 : value(r);
    seg_idx kk = s.k > 0 ? s.k : 1;
    double *C = xmalloc((size_t)(kk * s.d), sizeof(double));
    int32_t *labels = xmalloc((size_t)s.n, sizeof(int32_t));
    double inertia = -1.0;
    int n_iter = -1, converged = -1, best = -1;
    seg_status st;
    if (!runs) {
        fill(r, C, kk * s.d); /* initial centres: junk allowed */
        int safe_c = !r->huge && all_finite(C, kk * s.d);
        seg_idx ws = seg_kmeans_fit_work_size(s.n, s.d, s.k, alg);
        double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
        st = ws < 0 ? SEG_EINVAL
                    : seg_kmeans_fit(s.X, s.n, s.d, s.sw, s.k, C, max_iter, tol, alg,
                                     s.n_threads, &s.intr, labels, &inertia, &n_iter, &converged,
                                     work);
        free(work);
        s.finite_safe = s.finite_safe && safe_c;
    } else {
        int n_init = (int)(u8(r) % 6); /* 0 is invalid */
        seg_idx trials = 1 + (seg_idx)(u8(r) % 4);
        uint64_t seeds[8];
        for (int i = 0; i < 8; i++) seeds[i] = u64(r);
        seg_idx ws = seg_kmeans_runs_work_size(s.n, s.d, s.k, n_init, trials, alg, s.n_threads);
        double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
        st = ws < 0 ? SEG_EINVAL
                    : seg_kmeans_fit_runs(s.X, s.n, s.d, s.sw, s.k, n_init, seeds, trials, NULL,
                                          max_iter, tol, alg, s.n_threads, &s.intr, C, labels,
                                          &inertia, &n_iter, &converged, &best, work);
        free(work);
        if (st == SEG_OK) REQUIRE(best >= 0 && best < n_init);
    }
    if (st == SEG_OK) {
        REQUIRE(s.k >= 1 && s.k <= s.n && max_iter >= 1);
        REQUIRE(n_iter >= 1 && n_iter <= max_iter && (converged == 0 || converged == 1));
        for (seg_idx i = 0; i < s.n; i++) REQUIRE(labels[i] >= 0 && labels[i] < s.k);
        if (s.finite_safe) {
            REQUIRE(all_finite(C, s.k * s.d) && isfinite(inertia) && inertia >= 0.0);
            check_assignment(s.X, s.n, s.d, s.sw, C, s.k, labels, inertia);
        }
    }
    free(C);
    free(labels);
    free_shape(&s);
}

static void fuzz_predict_transform(reader *r) {
    shape s;
    decode_shape(r, &s, 1);
    seg_idx kk = s.k > 0 ? s.k : 1;
    double *C = xmalloc((size_t)(kk * s.d), sizeof(double));
    fill(r, C, kk * s.d);
    int safe = s.finite_safe && !r->huge && all_finite(C, kk * s.d);
    int32_t *labels = xmalloc((size_t)s.n, sizeof(int32_t));
    double *D = xmalloc((size_t)(s.n * kk), sizeof(double));
    seg_idx ws = seg_kmeans_predict_work_size(s.n, s.d, s.k);
    double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
    double inertia = -1.0;
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_kmeans_predict(s.X, s.n, s.d, s.sw, C, s.k, s.n_threads,
                                                &s.intr, labels, &inertia, work);
    if (st == SEG_OK) {
        REQUIRE(s.k >= 1);
        for (seg_idx i = 0; i < s.n; i++) REQUIRE(labels[i] >= 0 && labels[i] < s.k);
        int weights_ok = s.sw == NULL;
        if (s.sw) {
            weights_ok = 1;
            for (seg_idx i = 0; i < s.n; i++) weights_ok &= s.sw[i] >= 0.0;
        }
        if (safe && weights_ok) check_assignment(s.X, s.n, s.d, s.sw, C, s.k, labels, inertia);
    }
    st = seg_kmeans_transform(s.X, s.n, s.d, C, s.k, s.n_threads, &s.intr, D);
    if (st == SEG_OK && safe) {
        for (seg_idx i = 0; i < s.n; i++)
            for (seg_idx c = 0; c < s.k; c++) {
                double want = sqrt(sqdist(s.X + i * s.d, C + c * s.d, s.d));
                REQUIRE(isfinite(D[i * s.k + c]));
                REQUIRE(fabs(D[i * s.k + c] - want) <= 1e-12 * want + 1e-300);
            }
    }
    free(C);
    free(labels);
    free(D);
    free(work);
    free_shape(&s);
}

static void fuzz_silhouette(reader *r) {
    shape s;
    decode_shape(r, &s, 0);
    int32_t *labels = xmalloc((size_t)s.n, sizeof(int32_t));
    fill_labels(r, labels, s.n, s.k);
    double *out = xmalloc((size_t)s.n, sizeof(double));
    int nt = seg_resolve_threads(s.n_threads);
    seg_idx ws = seg_silhouette_work_size(s.n, s.d, s.k, nt);
    double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_silhouette_samples(s.X, s.n, s.d, labels, s.k, nt, &s.intr, out,
                                                    work);
    if (st == SEG_OK) {
        seg_idx *count = xmalloc((size_t)s.k, sizeof(seg_idx));
        for (seg_idx i = 0; i < s.n; i++) {
            REQUIRE(labels[i] >= 0 && labels[i] < s.k);
            count[labels[i]]++;
        }
        for (seg_idx i = 0; i < s.n; i++) {
            REQUIRE(isfinite(out[i]) && out[i] >= -1.0 && out[i] <= 1.0);
            if (count[labels[i]] == 1) REQUIRE(out[i] == 0.0);
        }
        free(count);
    }
    free(labels);
    free(out);
    free(work);
    free_shape(&s);
}

static void fuzz_validity(reader *r) {
    shape s;
    decode_shape(r, &s, 0);
    int32_t *labels = xmalloc((size_t)s.n, sizeof(int32_t));
    fill_labels(r, labels, s.n, s.k);
    seg_idx ws = seg_validity_work_size(s.n, s.d, s.k);
    double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
    double ch = -1.0, db = -1.0;
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_cluster_validity(s.X, s.n, s.d, labels, s.k, s.n_threads,
                                                  &s.intr, &ch, &db, work);
    if (st == SEG_OK) {
        REQUIRE(s.k >= 2 && s.k < s.n);
        REQUIRE(isfinite(ch) && ch >= 0.0 && isfinite(db) && db >= 0.0);
    }
    free(labels);
    free(work);
    free_shape(&s);
}

static void fuzz_entropy(reader *r) {
    seg_idx m = size_in(r, 0, 12), n = size_in(r, 0, 8);
    double *x = xmalloc((size_t)(m * n), sizeof(double));
    fill(r, x, m * n);
    double *w = xmalloc((size_t)(n > 0 ? n : 1), sizeof(double));
    double *e = xmalloc((size_t)(n > 0 ? n : 1), sizeof(double));
    double *d = xmalloc((size_t)(n > 0 ? n : 1), sizeof(double));
    seg_status st = seg_entropy_weights(x, m, n, w, (u8(r) & 1) ? e : NULL, d);
    if (st == SEG_OK) {
        REQUIRE(m >= 2 && n >= 1);
        double sum = 0.0;
        for (seg_idx j = 0; j < n; j++) {
            REQUIRE(isfinite(w[j]) && w[j] >= 0.0 && w[j] <= 1.0);
            REQUIRE(isfinite(d[j]) && d[j] >= 0.0);
            sum += w[j];
        }
        REQUIRE(fabs(sum - 1.0) <= 1e-12);
    }
    free(x);
    free(w);
    free(e);
    free(d);
}

/* Decision-matrix inputs shared by VIKOR and its sensitivity analysis. */
typedef struct mcdm_in {
    seg_idx m, n, n_v;
    double *x, *ideal, *anti, *v;
    int *types;
    int finite_safe;
} mcdm_in;

static void decode_mcdm(reader *r, mcdm_in *in) {
    in->m = size_in(r, 0, 40); /* > 16: the merge passes of the stable argsort */
    in->n = size_in(r, 0, 6);
    in->n_v = size_in(r, 0, 4);
    r->huge = 0;
    in->x = xmalloc((size_t)(in->m * in->n), sizeof(double));
    fill(r, in->x, in->m * in->n);
    in->types = xmalloc((size_t)(in->n > 0 ? in->n : 1), sizeof(int));
    for (seg_idx j = 0; j < in->n; j++) {
        uint8_t b = u8(r);
        in->types[j] = b < 120 ? SEG_BENEFIT : b < 240 ? SEG_COST : (int)(b - 245);
    }
    in->v = xmalloc((size_t)(in->n_v > 0 ? in->n_v : 1), sizeof(double));
    for (seg_idx k = 0; k < in->n_v; k++) {
        uint8_t b = u8(r);
        in->v[k] = b < 240 ? (double)b / 239.0 : value(r);
    }
    in->ideal = in->anti = NULL;
    if (u8(r) % 4 == 0) {
        in->ideal = xmalloc((size_t)(in->n > 0 ? in->n : 1), sizeof(double));
        fill(r, in->ideal, in->n);
    }
    if (u8(r) % 4 == 0) {
        in->anti = xmalloc((size_t)(in->n > 0 ? in->n : 1), sizeof(double));
        fill(r, in->anti, in->n);
    }
    in->finite_safe = !r->huge;
}

static void free_mcdm(mcdm_in *in) {
    free(in->x);
    free(in->types);
    free(in->v);
    free(in->ideal);
    free(in->anti);
}

static void fuzz_vikor(reader *r) {
    mcdm_in in;
    decode_mcdm(r, &in);
    seg_idx B = size_in(r, 0, 4);
    double *W = xmalloc((size_t)(B * in.n > 0 ? B * in.n : 1), sizeof(double));
    for (seg_idx i = 0; i < B * in.n; i++) {
        uint8_t b = u8(r);
        W[i] = b < 200 ? (double)(b % 7) : value(r);
    }
    int nt = (int)(u8(r) % 4);
    int rnt = nt < 1 ? 1 : seg_resolve_threads(nt);
    stopper stop = {0, (int)(u8(r) % 6) - 3};
    seg_interrupt intr = {stop_cb, &stop};
    seg_idx m = in.m, n = in.n, V = in.n_v;
    seg_idx bm = B * m > 0 ? B * m : 1, bvm = B * V * m > 0 ? B * V * m : 1;
    seg_idx bv = B * V > 0 ? B * V : 1, nn = n > 0 ? n : 1;
    seg_vikor_out out;
    out.f_star = xmalloc((size_t)nn, sizeof(double));
    out.f_minus = xmalloc((size_t)nn, sizeof(double));
    out.constant = xmalloc((size_t)nn, 1);
    out.S = xmalloc((size_t)bm, sizeof(double));
    out.R = xmalloc((size_t)bm, sizeof(double));
    out.Q = xmalloc((size_t)bvm, sizeof(double));
    out.ranking = xmalloc((size_t)bvm, sizeof(seg_idx));
    out.compromise = xmalloc((size_t)bvm, 1);
    out.advantage = xmalloc((size_t)bv, 1);
    out.stability = xmalloc((size_t)bv, 1);
    seg_idx ws = seg_vikor_work_size(m, n, rnt);
    double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_vikor(in.x, m, n, in.types, in.ideal, in.anti, W, B, in.v, V,
                                       &out, work, rnt, &intr);
    if (st == SEG_OK) {
        REQUIRE(m >= 2 && n >= 1 && B >= 1 && V >= 1);
        int check_values = in.finite_safe || SEG_FUZZ_STRICT; /* BUG-5 */
        for (seg_idx j = 0; j < n; j++) REQUIRE(isfinite(out.f_star[j]) && isfinite(out.f_minus[j]));
        for (seg_idx b = 0; b < B; b++) {
            for (seg_idx i = 0; i < m && check_values; i++) {
                double S = out.S[b * m + i], R = out.R[b * m + i];
                REQUIRE(isfinite(S) && S >= -1e-12 && S <= 1.0 + 1e-12);
                REQUIRE(isfinite(R) && R >= -1e-12 && R <= S + 1e-12);
            }
            for (seg_idx k = 0; k < V; k++) {
                const seg_idx *rank = out.ranking + (b * V + k) * m;
                const unsigned char *comp = out.compromise + (b * V + k) * m;
                const double *Q = out.Q + (b * V + k) * m;
                unsigned char seen[64] = {0};
                seg_idx members = 0;
                for (seg_idx p = 0; p < m; p++) {
                    REQUIRE(rank[p] >= 0 && rank[p] < m && !seen[rank[p]]);
                    seen[rank[p]] = 1;
                    REQUIRE(comp[p] <= 1);
                    members += comp[p];
                    if (check_values) {
                        REQUIRE(isfinite(Q[p]) && Q[p] >= -1e-12 && Q[p] <= 1.0 + 1e-12);
                        if (p > 0) REQUIRE(Q[rank[p - 1]] <= Q[rank[p]]);
                    }
                }
                if (check_values) REQUIRE(members >= 1 && comp[rank[0]] == 1);
                REQUIRE(out.advantage[b * V + k] <= 1 && out.stability[b * V + k] <= 1);
            }
        }
    }
    free(out.f_star);
    free(out.f_minus);
    free(out.constant);
    free(out.S);
    free(out.R);
    free(out.Q);
    free(out.ranking);
    free(out.compromise);
    free(out.advantage);
    free(out.stability);
    free(work);
    free(W);
    free_mcdm(&in);
}

static void fuzz_weight_sensitivity(reader *r) {
    mcdm_in in;
    decode_mcdm(r, &in);
    seg_idx m = in.m, n = in.n, V = in.n_v;
    double *alpha = xmalloc((size_t)(n > 0 ? n : 1), sizeof(double));
    double amax = 0.0;
    for (seg_idx j = 0; j < n; j++) {
        uint8_t b = u8(r);
        alpha[j] = b < 128 ? (double)(b % 9) * 0.25 : value(r);
        if (isfinite(alpha[j]) && alpha[j] > amax) amax = alpha[j];
    }
    seg_idx samples = (seg_idx)(u8(r) % 40) - 1; /* -1 .. 38 */
    uint64_t seed = u64(r);
    int nt = (int)(u8(r) % 4);
    int rnt = nt < 1 ? 1 : seg_resolve_threads(nt);
    stopper stop = {0, (int)(u8(r) % 6) - 3};
    seg_interrupt intr = {stop_cb, &stop};
    seg_idx vmm = V * m * m > 0 ? V * m * m : 1, vm = V * m > 0 ? V * m : 1;
    int64_t *rc = xmalloc((size_t)vmm, sizeof(int64_t));
    int64_t *cc = xmalloc((size_t)vm, sizeof(int64_t));
    seg_idx sn = samples * n > 0 ? samples * n : 1;
    double *wout = (u8(r) & 1) ? xmalloc((size_t)sn, sizeof(double)) : NULL;
    seg_idx ws = seg_vikor_sensitivity_work_size(m, n, V, rnt);
    double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_vikor_weight_sensitivity(in.x, m, n, in.types, in.ideal,
                                                          in.anti, alpha, samples, seed, in.v, V,
                                                          rc, cc, wout, work, rnt, &intr);
    if (st == SEG_OK) {
        REQUIRE(m >= 2 && n >= 1 && V >= 1 && samples >= 1);
        /* BUG-15: when every positive alpha is below about 1e-306, log(U) / alpha
         * overflows to -inf for every criterion and the draw is NaN */
        int tiny = amax < 1e-300;
        for (seg_idx k = 0; k < V; k++)
            for (seg_idx i = 0; i < m; i++) {
                int64_t row = 0, col = 0;
                for (seg_idx p = 0; p < m; p++) {
                    row += rc[(k * m + i) * m + p];
                    col += rc[(k * m + p) * m + i];
                }
                REQUIRE(row == samples && col == samples);
                REQUIRE(cc[k * m + i] >= 0 && cc[k * m + i] <= samples);
            }
        if (wout && (!tiny || SEG_FUZZ_STRICT)) {
            for (seg_idx b = 0; b < samples; b++) {
                double sum = 0.0;
                for (seg_idx j = 0; j < n; j++) {
                    REQUIRE(isfinite(wout[b * n + j]) && wout[b * n + j] >= 0.0);
                    if (alpha[j] == 0.0) REQUIRE(wout[b * n + j] == 0.0);
                    sum += wout[b * n + j];
                }
                REQUIRE(fabs(sum - 1.0) <= 1e-12);
            }
        }
    }
    free(alpha);
    free(rc);
    free(cc);
    free(wout);
    free(work);
    free_mcdm(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size, 0.0, 0, 0};
    switch (u8(&r) % 9) {
    case 0: fuzz_plusplus(&r); break;
    case 1: fuzz_fit(&r, 0); break;
    case 2: fuzz_fit(&r, 1); break;
    case 3: fuzz_predict_transform(&r); break;
    case 4: fuzz_silhouette(&r); break;
    case 5: fuzz_validity(&r); break;
    case 6: fuzz_entropy(&r); break;
    case 7: fuzz_vikor(&r); break;
    default: fuzz_weight_sensitivity(&r); break;
    }
    return 0;
}
