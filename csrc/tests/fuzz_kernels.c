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
 * No known bug is tolerated: BUG-5 and BUG-15, once allowed for here, are
 * fixed, and their inputs (fuzz/corpus/regress_*) are replayed as checks.
 *
 * Every k-means input also drives the float32 twin of its entry point
 * (seg_kmeans_*_f32) on X rounded to float (values beyond float's range turn
 * infinite and must be refused), with the same centres, seeds and settings,
 * reading no further bytes (saved inputs keep their meaning). Its contract
 * is the float64 one with float32's error bound: each squared distance
 * within 4 (d + 3) FLT_EPSILON (|x|^2 + |c|^2) + (d + 2) FLT_MIN of exact;
 * Hamerly must be refused (SEG_EINVAL).
 *
 * The Dask chunk kernels (seg_kmeans_step.h) take first bytes 234..255, so
 * that every input saved before they were added still drives the kernel it
 * was saved for (first byte % 9). Their results are re-derived by brute
 * force: labels, per-cluster sums and weights, SSE and the farthest rows of a
 * Lloyd step; the centre update from real chunk partials (finite, within the
 * data's bounding box, shift as defined); k-means|| picks against the same
 * generator; nearest candidates, costs and candidate weights; chunk-pair
 * distance sums, and silhouettes from them equal to seg_silhouette_samples.
 *
 * The silhouette input's byte after the labels picks the distance: one of
 * seg_metric's for seg_silhouette_samples_metric (0, as in inputs saved
 * before metrics existed: euclidean), or seg_silhouette_precomputed on the
 * matrix of one of them, with an entry maybe replaced by a decoded value and
 * maybe over a chunk of rows (out-of-range chunks must be refused); its
 * silhouettes must equal, bit for bit, those computed row by row.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seg_common.h"
#include "seg_kmeans.h"
#include "seg_kmeans_step.h"
#include "seg_silhouette_chunks.h"
#include "seg_mcdm.h"
#include "seg_silhouette.h"
#include "seg_validity.h"

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

/* Every failure of a kernel the harness called (not an interrupt) says why
 * (seg_detail, seg_common.h). */
#define REQUIRE_REASON(called, st, why)                                                  \
    REQUIRE(!(called) || (st) == SEG_OK || (st) == SEG_EINTERRUPTED || (why).reason != NULL)

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

/* ---- float32 twins ---- */

/* x rounded to float (beyond float's range: infinite, without the undefined
 * conversion); malloc'd. */
static float *to_float(const double *x, seg_idx count) {
    float *out = xmalloc((size_t)(count > 0 ? count : 1), sizeof(float));
    for (seg_idx i = 0; i < count; i++) {
        double v = x[i];
        out[i] = isnan(v) ? NAN : v > FLT_MAX ? INFINITY : v < -FLT_MAX ? -INFINITY : (float)v;
    }
    return out;
}

/* A bound on |float32 kernel's squared distance - exact| for row x, centre c. */
static double f32_bound(const float *x, const double *c, seg_idx d) {
    double nx = 0.0, nc = 0.0;
    for (seg_idx f = 0; f < d; f++) {
        nx += (double)x[f] * (double)x[f];
        nc += c[f] * c[f];
    }
    return 4.0 * (double)(d + 3) * FLT_EPSILON * (nx + nc) + (double)(d + 2) * FLT_MIN;
}

static double sqdist_f(const float *a, const double *b, seg_idx d) {
    double s = 0.0;
    for (seg_idx f = 0; f < d; f++) s += ((double)a[f] - b[f]) * ((double)a[f] - b[f]);
    return s;
}

/* check_assignment for float32 X: nearest and inertia up to f32_bound. */
static void check_assignment_f32(const float *X, seg_idx n, seg_idx d, const double *sw,
                                 const double *C, seg_idx k, const int32_t *labels,
                                 double inertia) {
    double total = 0.0, slack = 0.0, scale = 0.0;
    for (seg_idx i = 0; i < n; i++) {
        REQUIRE(labels[i] >= 0 && labels[i] < k);
        const float *x = X + i * d;
        double best = INFINITY, best_b = 0.0;
        for (seg_idx c = 0; c < k; c++) {
            double dd = sqdist_f(x, C + c * d, d);
            if (dd < best) {
                best = dd;
                best_b = f32_bound(x, C + c * d, d);
            }
        }
        const double *co = C + (seg_idx)labels[i] * d;
        double own = sqdist_f(x, co, d), own_b = f32_bound(x, co, d);
        REQUIRE(own <= best + best_b + own_b);
        double w = sw ? sw[i] : 1.0;
        total += w * own;
        slack += w * own_b;
        scale += fabs(w * own);
    }
    REQUIRE(fabs(inertia - total) <= slack + 1e-9 * scale + 1e-300);
}

/* X as floats finite, and small enough that float32 squares and their sums
 * stay far from overflow (48 x 6 x (2e15)^2 ~ 1e33 < FLT_MAX). */
static int f32_safe(const float *Xf, seg_idx count) {
    for (seg_idx i = 0; i < count; i++)
        if (!isfinite(Xf[i]) || fabsf(Xf[i]) > 1e15f) return 0;
    return 1;
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
    seg_detail why = {NULL, -1};
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_kmeans_plusplus(s.X, s.n, s.d, s.sw, s.k, trials, seed,
                                                 s.n_threads, &s.intr, C, idx, work, &why);
    REQUIRE_REASON(ws >= 0, st, why);
    if (ws < 0) REQUIRE(s.k < 1 || trials < 1);
    if (st == SEG_OK) {
        REQUIRE(s.k >= 1 && s.k <= s.n && trials >= 1 && trials <= 64);
        for (seg_idx c = 0; c < s.k; c++) {
            REQUIRE(idx[c] >= 0 && idx[c] < s.n);
            REQUIRE(memcmp(C + c * s.d, s.X + idx[c] * s.d, (size_t)s.d * sizeof(double)) == 0);
        }
    }
    /* the float32 twin, the same draw settings */
    float *Xf = to_float(s.X, s.n * s.d);
    s.stop.calls = 0;
    seg_idx wf = seg_kmeans_plusplus_work_size_f32(s.n, s.d, s.k, trials);
    double *workf = xmalloc((size_t)(wf > 0 ? wf : 1), sizeof(double));
    why.reason = NULL;
    st = wf < 0 ? SEG_EINVAL
                : seg_kmeans_plusplus_f32(Xf, s.n, s.d, s.sw, s.k, trials, seed, s.n_threads,
                                          &s.intr, C, idx, workf, &why);
    REQUIRE_REASON(wf >= 0, st, why);
    if (st == SEG_OK) {
        REQUIRE(s.k >= 1 && s.k <= s.n && trials >= 1 && trials <= 64);
        for (seg_idx c = 0; c < s.k; c++) {
            REQUIRE(idx[c] >= 0 && idx[c] < s.n);
            for (seg_idx f = 0; f < s.d; f++) REQUIRE(C[c * s.d + f] == Xf[idx[c] * s.d + f]);
        }
    }
    free(workf);
    free(Xf);
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
    double *C0 = xmalloc((size_t)(kk * s.d), sizeof(double)); /* the start, for the twin */
    seg_kmeans_params p = seg_kmeans_params_default(s.k);
    uint64_t seeds[8];
    if (!runs) {
        fill(r, C, kk * s.d); /* initial centres: junk allowed */
        memcpy(C0, C, (size_t)(kk * s.d) * sizeof(double));
        int safe_c = !r->huge && all_finite(C, kk * s.d);
        seg_idx ws = seg_kmeans_fit_work_size(s.n, s.d, s.k, alg);
        double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
        seg_detail why = {NULL, -1};
        st = ws < 0 ? SEG_EINVAL
                    : seg_kmeans_fit(s.X, s.n, s.d, s.sw, s.k, C, max_iter, tol, alg,
                                     s.n_threads, &s.intr, labels, &inertia, &n_iter, &converged,
                                     work, &why);
        REQUIRE_REASON(ws >= 0, st, why);
        free(work);
        s.finite_safe = s.finite_safe && safe_c;
    } else {
        int n_init = (int)(u8(r) % 6); /* 0 is invalid */
        seg_idx trials = 1 + (seg_idx)(u8(r) % 4);
        for (int i = 0; i < 8; i++) seeds[i] = u64(r);
        p.n_init = n_init;
        p.seeds = seeds;
        p.n_trials = trials;
        p.max_iter = max_iter;
        p.tol = tol;
        p.algorithm = alg;
        p.n_threads = s.n_threads;
        seg_idx ws = seg_kmeans_runs_work_size(s.n, s.d, &p);
        double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
        seg_kmeans_runs_out out = {C, labels, 0.0, 0, 0, -1};
        seg_detail why = {NULL, -1};
        st = ws < 0 ? SEG_EINVAL : seg_kmeans_fit_runs(s.X, s.n, s.d, s.sw, &p, &s.intr, &out,
                                                       work, &why);
        /* every failure but an interrupt says why */
        if (ws >= 0 && st != SEG_OK && st != SEG_EINTERRUPTED) REQUIRE(why.reason != NULL);
        inertia = out.inertia;
        n_iter = out.n_iter;
        converged = out.converged;
        best = out.best_run;
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
    /* the float32 twin: the same start (centres or seeds) and settings */
    float *Xf = to_float(s.X, s.n * s.d);
    s.stop.calls = 0;
    seg_detail why = {NULL, -1};
    seg_idx wf = runs ? seg_kmeans_runs_work_size_f32(s.n, s.d, &p)
                      : seg_kmeans_fit_work_size_f32(s.n, s.d, s.k, alg);
    double *workf = xmalloc((size_t)(wf > 0 ? wf : 1), sizeof(double));
    if (runs) {
        seg_kmeans_runs_out out = {C, labels, 0.0, 0, 0, -1};
        st = wf < 0 ? SEG_EINVAL
                    : seg_kmeans_fit_runs_f32(Xf, s.n, s.d, s.sw, &p, &s.intr, &out, workf, &why);
        inertia = out.inertia;
        n_iter = out.n_iter;
        converged = out.converged;
        if (st == SEG_OK) REQUIRE(out.best_run >= 0 && out.best_run < p.n_init);
    } else {
        memcpy(C, C0, (size_t)(kk * s.d) * sizeof(double));
        st = wf < 0 ? SEG_EINVAL
                    : seg_kmeans_fit_f32(Xf, s.n, s.d, s.sw, s.k, C, max_iter, tol, alg,
                                         s.n_threads, &s.intr, labels, &inertia, &n_iter,
                                         &converged, workf, &why);
    }
    REQUIRE_REASON(wf >= 0, st, why);
    if (alg == SEG_KMEANS_HAMERLY) REQUIRE(st != SEG_OK);
    if (st == SEG_OK) {
        REQUIRE(s.k >= 1 && s.k <= s.n && max_iter >= 1);
        REQUIRE(n_iter >= 1 && n_iter <= max_iter && (converged == 0 || converged == 1));
        for (seg_idx i = 0; i < s.n; i++) REQUIRE(labels[i] >= 0 && labels[i] < s.k);
        REQUIRE(all_finite(C, s.k * s.d) && isfinite(inertia) && inertia >= 0.0);
        if (s.finite_safe && f32_safe(Xf, s.n * s.d))
            check_assignment_f32(Xf, s.n, s.d, s.sw, C, s.k, labels, inertia);
    }
    free(workf);
    free(Xf);
    free(C0);
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
    seg_detail why = {NULL, -1};
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_kmeans_predict(s.X, s.n, s.d, s.sw, C, s.k, s.n_threads,
                                                &s.intr, labels, &inertia, work, &why);
    REQUIRE_REASON(ws >= 0, st, why);
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
    why.reason = NULL;
    st = seg_kmeans_transform(s.X, s.n, s.d, C, s.k, s.n_threads, &s.intr, D, &why);
    REQUIRE_REASON(1, st, why);
    if (st == SEG_OK && safe) {
        for (seg_idx i = 0; i < s.n; i++)
            for (seg_idx c = 0; c < s.k; c++) {
                double want = sqrt(sqdist(s.X + i * s.d, C + c * s.d, s.d));
                REQUIRE(isfinite(D[i * s.k + c]));
                REQUIRE(fabs(D[i * s.k + c] - want) <= 1e-12 * want + 1e-300);
            }
    }
    /* The scale of tol on the same data: NaN/inf or overflow is an error, any
     * SEG_OK result is the plain two-pass mean column variance. */
    seg_idx vs = seg_kmeans_variance_work_size(s.n, s.d);
    double *vwork = xmalloc((size_t)(vs > 0 ? vs : 1), sizeof(double));
    double var = -1.0;
    why.reason = NULL;
    st = vs < 0 ? SEG_EINVAL
                : seg_kmeans_mean_variance(s.X, s.n, s.d, s.n_threads, &s.intr, &var, vwork, &why);
    REQUIRE_REASON(vs >= 0, st, why);
    if (st == SEG_OK) {
        REQUIRE(isfinite(var) && var >= 0.0);
        if (safe) {
            double want = 0.0, scale = 0.0;
            for (seg_idx f = 0; f < s.d; f++) {
                double m = 0.0, v = 0.0;
                for (seg_idx i = 0; i < s.n; i++) m += s.X[i * s.d + f];
                m /= (double)s.n;
                for (seg_idx i = 0; i < s.n; i++) {
                    double t = s.X[i * s.d + f] - m;
                    v += t * t;
                    scale += s.X[i * s.d + f] * s.X[i * s.d + f];
                }
                want += v / (double)s.n;
            }
            want /= (double)s.d;
            REQUIRE(fabs(var - want) <= 1e-9 * (want + scale / (double)(s.n * s.d)) + 1e-300);
        }
    } else {
        REQUIRE(st == SEG_EINVAL || st == SEG_ENONFINITE || st == SEG_EINTERRUPTED);
    }
    /* the float32 twins: predict, transform, mean variance on X as floats */
    float *Xf = to_float(s.X, s.n * s.d);
    int safe_f = safe && f32_safe(Xf, s.n * s.d);
    s.stop.calls = 0;
    seg_idx wf = seg_kmeans_predict_work_size_f32(s.n, s.d, s.k);
    double *workf = xmalloc((size_t)(wf > 0 ? wf : 1), sizeof(double));
    why.reason = NULL;
    st = wf < 0 ? SEG_EINVAL
                : seg_kmeans_predict_f32(Xf, s.n, s.d, s.sw, C, s.k, s.n_threads, &s.intr,
                                         labels, &inertia, workf, &why);
    REQUIRE_REASON(wf >= 0, st, why);
    int weights_ok = 1;
    for (seg_idx i = 0; s.sw && i < s.n; i++) weights_ok &= s.sw[i] >= 0.0;
    if (st == SEG_OK && safe_f && weights_ok)
        check_assignment_f32(Xf, s.n, s.d, s.sw, C, s.k, labels, inertia);
    float *Df = xmalloc((size_t)(s.n * kk), sizeof(float));
    why.reason = NULL;
    st = seg_kmeans_transform_f32(Xf, s.n, s.d, C, s.k, s.n_threads, &s.intr, Df, &why);
    REQUIRE_REASON(1, st, why);
    if (st == SEG_OK && safe_f) {
        for (seg_idx i = 0; i < s.n; i++)
            for (seg_idx c = 0; c < s.k; c++) {
                const float *x = Xf + i * s.d;
                double want = sqdist_f(x, C + c * s.d, s.d), got = Df[i * s.k + c];
                REQUIRE(isfinite(got));
                /* the squared distance's bound, then sqrt and float rounding */
                REQUIRE(fabs(got * got - want) <=
                        f32_bound(x, C + c * s.d, s.d) + 4.0 * FLT_EPSILON * want);
            }
    }
    seg_idx vf = seg_kmeans_variance_work_size_f32(s.n, s.d);
    why.reason = NULL;
    double var32 = -1.0;
    st = vf < 0 ? SEG_EINVAL
                : seg_kmeans_mean_variance_f32(Xf, s.n, s.d, s.n_threads, &s.intr, &var32,
                                               vwork, &why); /* same size as float64's */
    REQUIRE(vf == vs);
    REQUIRE_REASON(vf >= 0, st, why);
    if (st == SEG_OK) REQUIRE(isfinite(var32) && var32 >= 0.0);
    free(Df);
    free(workf);
    free(Xf);
    free(vwork);
    free(C);
    free(labels);
    free(D);
    free(work);
    free_shape(&s);
}

/* s within [-1, 1] and finite; 0 for a row alone in its cluster. */
static void check_silhouettes(const double *out, const int32_t *labels, seg_idx m, seg_idx row0,
                              seg_idx n, seg_idx k) {
    seg_idx *count = xmalloc((size_t)k, sizeof(seg_idx));
    for (seg_idx i = 0; i < n; i++) {
        REQUIRE(labels[i] >= 0 && labels[i] < k);
        count[labels[i]]++;
    }
    for (seg_idx i = 0; i < m; i++) {
        REQUIRE(isfinite(out[i]) && out[i] >= -1.0 && out[i] <= 1.0);
        if (count[labels[row0 + i]] == 1) REQUIRE(out[i] == 0.0);
    }
    free(count);
}

/* The distance of rows x and y by seg_silhouette.h's definitions. */
static double metric_dist(const double *x, const double *y, seg_idx d, seg_metric metric) {
    double s = 0.0, nx = 0.0, ny = 0.0;
    for (seg_idx f = 0; f < d; f++) {
        nx += x[f] * x[f];
        ny += y[f] * y[f];
    }
    nx = sqrt(nx) < 10 * DBL_EPSILON ? 1.0 : sqrt(nx);
    ny = sqrt(ny) < 10 * DBL_EPSILON ? 1.0 : sqrt(ny);
    for (seg_idx f = 0; f < d; f++) {
        double t = x[f] - y[f];
        s += metric == SEG_METRIC_MANHATTAN ? fabs(t)
             : metric == SEG_METRIC_COSINE  ? (x[f] / nx) * (y[f] / ny)
                                            : t * t;
    }
    if (metric == SEG_METRIC_EUCLIDEAN) return sqrt(s);
    if (metric != SEG_METRIC_COSINE) return s;
    double c = 1.0 - s;
    return c < 0.0 ? 0.0 : (c > 2.0 ? 2.0 : c);
}

/* Progress of seg_silhouette_scores: the last report must be the whole. */
typedef struct progress_seen {
    double done, total;
    int calls;
} progress_seen;

static void note_progress(void *ctx, double done, double total) {
    progress_seen *p = (progress_seen *)ctx;
    REQUIRE(done >= p->done && done <= total);
    p->done = done;
    p->total = total;
    p->calls++;
}

/* seg_silhouette_scores on the labels (bit for bit the single kernel's out)
 * and, as two labelings, on them and a second labeling derived from them
 * (each equal to the single kernel on it, to round-off). */
static void fuzz_silhouette_scores(const shape *s, const int32_t *labels, seg_metric metric,
                                   int nt, const double *out) {
    seg_idx n = s->n, k2 = s->k + 1, ks[2] = {s->k, k2};
    int32_t *two = xmalloc((size_t)(2 * n), sizeof(int32_t));
    double *got = xmalloc((size_t)(2 * n), sizeof(double));
    double *one = xmalloc((size_t)n, sizeof(double));
    memcpy(two, labels, (size_t)n * sizeof(int32_t));
    for (seg_idx i = 0; i < n; i++) two[n + i] = (int32_t)((labels[i] * 7 + i / 3) % k2);
    seg_idx ws = seg_silhouette_scores_work_size(n, s->d, 2, s->k + k2, nt);
    double *work = xmalloc((size_t)ws, sizeof(double));
    progress_seen seen = {0.0, 0.0, 0};
    seg_progress prog = {note_progress, &seen};
    REQUIRE(seg_silhouette_scores(s->X, n, s->d, two, 1, ks, metric, nt, NULL, &prog, got, work,
                                  NULL) == SEG_OK);
    REQUIRE(memcmp(got, out, (size_t)n * sizeof(double)) == 0);
    REQUIRE(seen.calls >= 1 && seen.done == seen.total);
    seg_detail why = {NULL, -1};
    seg_status st = seg_silhouette_scores(s->X, n, s->d, two, 2, ks, metric, nt, NULL, NULL, got,
                                          work, &why);
    seg_status st1 = seg_silhouette_samples_metric(s->X, n, s->d, two + n, k2, metric, nt, NULL,
                                                   one, work, NULL);
    REQUIRE(st == st1); /* the second labeling decides: the first one is fine */
    if (st == SEG_EDEGENERATE) REQUIRE(why.reason != NULL && why.index == 1);
    if (st == SEG_OK) {
        for (seg_idx i = 0; i < n; i++) {
            REQUIRE(fabs(got[i] - out[i]) <= 1e-9);
            REQUIRE(fabs(got[n + i] - one[i]) <= 1e-9);
        }
    }
    /* float32: the values rounded to float (skipped past float's range):
     * silhouettes bounded, 0 for singletons, the same bits on one thread
     * (closeness to float64 is tested in Python, on data where rounding X
     * to float cannot move a silhouette far) */
    float *X32 = xmalloc((size_t)(n * s->d), sizeof(float));
    int in_range = 1;
    for (seg_idx i = 0; i < n * s->d; i++) {
        double v = s->X[i];
        in_range &= fabs(v) < 1e30;
        X32[i] = in_range ? (float)v : 0.0f;
    }
    if (in_range) {
        double *got1 = xmalloc((size_t)n, sizeof(double));
        st = seg_silhouette_scores_f32(X32, n, s->d, two, 1, ks, metric, nt, NULL, NULL, got, work,
                                       &why);
        REQUIRE(st == SEG_OK || st == SEG_ENONFINITE);
        if (st == SEG_OK) {
            check_silhouettes(got, labels, n, 0, n, s->k);
            REQUIRE(seg_silhouette_scores_f32(X32, n, s->d, two, 1, ks, metric, 1, NULL, NULL,
                                              got1, work, NULL) == SEG_OK);
            REQUIRE(memcmp(got, got1, (size_t)n * sizeof(double)) == 0);
        }
        free(got1);
    }
    free(X32);
    free(work);
    free(one);
    free(got);
    free(two);
}

/* One byte after the labels picks the metric (0, the byte of inputs saved
 * before metrics existed, past their end: euclidean) or the precomputed
 * kernel on the distances of X by one of the metrics, maybe with one entry
 * replaced by a decoded value (NaN, inf, negative, a nonzero diagonal) and
 * over a chunk of rows. */
static void fuzz_silhouette(reader *r) {
    shape s;
    decode_shape(r, &s, 0);
    int32_t *labels = xmalloc((size_t)s.n, sizeof(int32_t));
    fill_labels(r, labels, s.n, s.k);
    uint8_t mb = u8(r);
    seg_metric metric = (seg_metric)(mb % 4);
    int nt = seg_resolve_threads(s.n_threads);
    if (mb % 8 < 4) {
        double *out = xmalloc((size_t)s.n, sizeof(double));
        seg_idx ws = seg_silhouette_work_size(s.n, s.d, s.k, nt);
        double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
        /* a metric outside the enum, now and then: SEG_EINVAL */
        seg_metric m = mb == 252 ? (seg_metric)4 : metric;
        seg_detail why = {NULL, -1};
        seg_status st = ws < 0 ? SEG_EINVAL
                               : seg_silhouette_samples_metric(s.X, s.n, s.d, labels, s.k, m, nt,
                                                               &s.intr, out, work, &why);
        REQUIRE_REASON(ws >= 0, st, why);
        if (mb == 252) REQUIRE(st == SEG_EINVAL);
        if (st == SEG_OK) check_silhouettes(out, labels, s.n, 0, s.n, s.k);
        if (st == SEG_OK && (mb & 16)) fuzz_silhouette_scores(&s, labels, m, nt, out);
        free(out);
        free(work);
    } else if (s.n <= 300) { /* precomputed (n^2 doubles): the small shapes */
        seg_idx n = s.n;
        double *D = xmalloc((size_t)(n * n), sizeof(double));
        for (seg_idx i = 0; i < n; i++)
            for (seg_idx j = 0; j < n; j++)
                D[i * n + j] = i == j ? 0.0 : metric_dist(s.X + i * s.d, s.X + j * s.d, s.d, metric);
        uint8_t cb = u8(r);
        if (cb & 1) D[(seg_idx)u16(r) % (n * n)] = value(r);
        seg_idx row0 = (cb & 2) ? (seg_idx)u8(r) % n : 0;
        seg_idx m = (cb & 2) ? 1 + (seg_idx)u8(r) % (n - row0) : n;
        if (cb & 4) row0 = (seg_idx)u8(r) - 128; /* sometimes out of range */
        double *out = xmalloc((size_t)n, sizeof(double)), *one = xmalloc((size_t)n, sizeof(double));
        seg_idx ws = seg_silhouette_precomputed_work_size(n, s.k, nt);
        double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
        seg_detail why = {NULL, -1};
        seg_status st = ws < 0 || row0 < 0 || row0 > n - m
                            ? SEG_EINVAL
                            : seg_silhouette_precomputed(D + row0 * n, m, n, row0, labels, s.k, nt,
                                                         &s.intr, out, work, &why);
        REQUIRE_REASON(ws >= 0 && row0 >= 0 && row0 <= n - m, st, why);
        if (ws >= 0 && (row0 < 0 || row0 > n - m))
            REQUIRE(seg_silhouette_precomputed(D, m, n, row0, labels, s.k, nt, NULL, out, work, NULL) ==
                    SEG_EINVAL);
        if (st == SEG_OK) {
            check_silhouettes(out, labels, m, row0, n, s.k);
            /* row by row on one thread: the same bits */
            seg_idx w1 = seg_silhouette_precomputed_work_size(n, s.k, 1);
            double *work1 = xmalloc((size_t)w1, sizeof(double));
            for (seg_idx i = 0; i < m; i++)
                REQUIRE(seg_silhouette_precomputed(D + (row0 + i) * n, 1, n, row0 + i, labels,
                                                   s.k, 1, NULL, one + i, work1, NULL) == SEG_OK);
            REQUIRE(memcmp(one, out, (size_t)m * sizeof(double)) == 0);
            free(work1);
        }
        free(D);
        free(out);
        free(one);
        free(work);
    }
    free(labels);
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
    seg_detail why = {NULL, -1};
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_cluster_validity(s.X, s.n, s.d, labels, s.k, s.n_threads,
                                                  &s.intr, &ch, &db, work, &why);
    REQUIRE_REASON(ws >= 0, st, why);
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
    seg_detail why = {NULL, -1};
    seg_status st = seg_entropy_weights(x, m, n, w, (u8(r) & 1) ? e : NULL, d, &why);
    REQUIRE_REASON(1, st, why);
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
} mcdm_in;

static void decode_mcdm(reader *r, mcdm_in *in) {
    in->m = size_in(r, 0, 40); /* > 16: the merge passes of the stable argsort */
    in->n = size_in(r, 0, 6);
    in->n_v = size_in(r, 0, 4);
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
    seg_detail why = {NULL, -1};
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_vikor(in.x, m, n, in.types, in.ideal, in.anti, W, B, in.v, V,
                                       &out, work, rnt, &intr, &why);
    REQUIRE_REASON(ws >= 0, st, why);
    if (st == SEG_OK) {
        REQUIRE(m >= 2 && n >= 1 && B >= 1 && V >= 1);
        for (seg_idx j = 0; j < n; j++) REQUIRE(isfinite(out.f_star[j]) && isfinite(out.f_minus[j]));
        for (seg_idx b = 0; b < B; b++) {
            for (seg_idx i = 0; i < m; i++) {
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
                    REQUIRE(isfinite(Q[p]) && Q[p] >= -1e-12 && Q[p] <= 1.0 + 1e-12);
                    /* Ascending up to ties: values within SEG_VIKOR_TOL of their
                     * group's smallest keep input order, so a descent is at most
                     * the tolerance and only between alternatives in input order. */
                    if (p > 0) {
                        REQUIRE(Q[rank[p - 1]] <= Q[rank[p]] + SEG_VIKOR_TOL);
                        REQUIRE(Q[rank[p - 1]] <= Q[rank[p]] || rank[p - 1] < rank[p]);
                    }
                }
                REQUIRE(members >= 1 && comp[rank[0]] == 1);
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
    for (seg_idx j = 0; j < n; j++) {
        uint8_t b = u8(r);
        alpha[j] = b < 128 ? (double)(b % 9) * 0.25 : value(r);
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
    seg_detail why = {NULL, -1};
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_vikor_weight_sensitivity(in.x, m, n, in.types, in.ideal,
                                                          in.anti, alpha, samples, seed, in.v, V,
                                                          rc, cc, wout, work, rnt, &intr, &why);
    REQUIRE_REASON(ws >= 0, st, why);
    if (st == SEG_OK) {
        REQUIRE(m >= 2 && n >= 1 && V >= 1 && samples >= 1);
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
        if (wout) {
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

/* ---- Dask chunk kernels (seg_kmeans_step.h) ---- */

/* Tolerance for sums re-derived in the kernel's order: they should agree to
 * the bit; a relative 1e-12 of the sum of magnitudes leaves room for a
 * compiler's reassociation, and nothing else. */
static int close_to(double got, double want, double scale) {
    if (!isfinite(scale)) return 1; /* a magnitude sum that overflows proves nothing */
    return fabs(got - want) <= 1e-12 * scale + 1e-300;
}

/* A row's nearest centre (ties: the lower index) and its squared distance. */
static seg_idx nearest_centre(const double *x, const double *C, seg_idx k, seg_idx d,
                              double *dist) {
    seg_idx arg = 0;
    double best = sqdist(x, C, d);
    for (seg_idx c = 1; c < k; c++) {
        double dd = sqdist(x, C + c * d, d);
        if (dd < best) {
            best = dd;
            arg = c;
        }
    }
    *dist = best;
    return arg;
}

/* Arrays of a far list with room for cap entries (exactly: ASan sees any
 * write past them). */
typedef struct far_buf {
    seg_kmeans_far far;
} far_buf;

static void far_alloc(far_buf *f, seg_idx cap, seg_idx d) {
    seg_idx c = cap > 0 ? cap : 1;
    f->far.index = xmalloc((size_t)c, sizeof(seg_idx));
    f->far.dist = xmalloc((size_t)c, sizeof(double));
    f->far.label = xmalloc((size_t)c, sizeof(int32_t));
    f->far.weight = xmalloc((size_t)c, sizeof(double));
    f->far.rows = xmalloc((size_t)(c * d), sizeof(double));
    f->far.capacity = cap;
    f->far.count = -7; /* must be overwritten */
}

static void far_free(far_buf *f) {
    free(f->far.index);
    free(f->far.dist);
    free(f->far.label);
    free(f->far.weight);
    free(f->far.rows);
}

/* An offset: mostly a plain row number, sometimes -1 or near PTRDIFF_MAX. */
static seg_idx decode_offset(reader *r) {
    uint8_t b = u8(r);
    if (b == 255) return PTRDIFF_MAX - (seg_idx)u8(r);
    if (b == 254) return -1;
    return (seg_idx)b * 1000;
}

static void fuzz_step(reader *r) {
    shape s;
    decode_shape(r, &s, 1);
    seg_idx d = s.d, n = s.n, kk = s.k > 0 ? s.k : 1;
    double *C = xmalloc((size_t)(kk * d), sizeof(double));
    fill(r, C, kk * d);
    seg_idx offset = decode_offset(r);
    uint8_t fb = u8(r);
    int use_far = fb % 4 != 0;
    seg_idx cap = (seg_idx)((fb >> 2) % (uint8_t)(n < 60 ? n + 3 : 63)) - 1; /* -1 .. n + 1 */
    far_buf fbuf;
    far_alloc(&fbuf, cap, d);
    int32_t *labels = (u8(r) % 4) ? xmalloc((size_t)n, sizeof(int32_t)) : NULL;
    double *sums = xmalloc((size_t)(kk * d), sizeof(double));
    double *weights = xmalloc((size_t)kk, sizeof(double));
    double sse = -1.0;
    seg_status st = seg_kmeans_step(s.X, n, d, s.sw, C, s.k, offset, &s.intr, labels, sums,
                                    weights, &sse, use_far ? &fbuf.far : NULL, NULL);
    if (st == SEG_OK) {
        seg_idx k = s.k;
        REQUIRE(k >= 1 && offset >= 0 && (!use_far || cap >= 0));
        REQUIRE(isfinite(sse) && sse >= 0.0);
        REQUIRE(all_finite(sums, k * d) && all_finite(weights, k));
        double *ws = xmalloc((size_t)(k * d), sizeof(double));
        double *wsc = xmalloc((size_t)(k * d), sizeof(double));
        double *ww = xmalloc((size_t)k, sizeof(double));
        double *dist = xmalloc((size_t)n, sizeof(double));
        seg_idx *lab = xmalloc((size_t)n, sizeof(seg_idx));
        double total = 0.0, tscale = 0.0;
        for (seg_idx i = 0; i < n; i++) {
            double w = s.sw ? s.sw[i] : 1.0;
            REQUIRE(w >= 0.0 && isfinite(w));
            lab[i] = nearest_centre(s.X + i * d, C, k, d, &dist[i]);
            REQUIRE(isfinite(dist[i]));
            if (labels) REQUIRE(labels[i] == lab[i]);
            for (seg_idx f = 0; f < d; f++) {
                ws[lab[i] * d + f] += w * s.X[i * d + f];
                wsc[lab[i] * d + f] += fabs(w * s.X[i * d + f]);
            }
            ww[lab[i]] += w;
            total += w * dist[i];
            tscale += fabs(w * dist[i]);
        }
        REQUIRE(close_to(sse, total, tscale));
        for (seg_idx c = 0; c < k; c++) {
            REQUIRE(close_to(weights[c], ww[c], ww[c]));
            for (seg_idx f = 0; f < d; f++)
                REQUIRE(close_to(sums[c * d + f], ws[c * d + f], wsc[c * d + f]));
        }
        if (use_far) {
            const seg_kmeans_far *fr = &fbuf.far;
            REQUIRE(fr->count == (cap < n ? cap : n));
            for (seg_idx e = 0; e < fr->count; e++) {
                seg_idx i = fr->index[e] - offset;
                REQUIRE(i >= 0 && i < n);
                REQUIRE(fr->dist[e] == dist[i] && fr->label[e] == lab[i]);
                REQUIRE(fr->weight[e] == (s.sw ? s.sw[i] : 1.0));
                REQUIRE(memcmp(fr->rows + e * d, s.X + i * d, (size_t)d * sizeof(double)) == 0);
                if (e > 0) {
                    seg_idx p = fr->index[e - 1] - offset;
                    REQUIRE(fr->dist[e - 1] > fr->dist[e] ||
                            (fr->dist[e - 1] == fr->dist[e] && p < i));
                }
            }
            if (fr->count > 0 && fr->count < n) { /* every other row ranks after the last */
                seg_idx e = fr->count - 1, last = fr->index[e] - offset;
                for (seg_idx i = 0; i < n; i++) {
                    int listed = 0;
                    for (seg_idx q = 0; q < fr->count; q++) listed |= fr->index[q] - offset == i;
                    if (!listed)
                        REQUIRE(dist[i] < fr->dist[e] || (dist[i] == fr->dist[e] && i > last));
                }
            }
        }
        free(ws);
        free(wsc);
        free(ww);
        free(dist);
        free(lab);
    }
    far_free(&fbuf);
    free(labels);
    free(sums);
    free(weights);
    free(C);
    free_shape(&s);
}

/* Partials of up to 4 chunks, either from seg_kmeans_step over real chunks
 * (then the merged centres must be finite weighted means, within the
 * bounding box of the rows and the old centres) or arbitrary values (then
 * only memory safety and the counts are checked). */
static void fuzz_step_merge(reader *r) {
    seg_idx nch = size_in(r, 0, 4), k = size_in(r, 0, 5), d = size_in(r, 0, 4);
    int real = u8(r) % 4 != 0;
    seg_idx cc = nch > 0 ? nch : 1, kk = k > 0 ? k : 1, dd = d > 0 ? d : 1;
    r->huge = 0;
    double *C = xmalloc((size_t)(kk * dd), sizeof(double));
    fill(r, C, kk * dd);
    double *sums = xmalloc((size_t)(cc * kk * dd), sizeof(double));
    double *wts = xmalloc((size_t)(cc * kk), sizeof(double));
    far_buf fbuf;
    far_alloc(&fbuf, cc * kk, dd); /* each chunk keeps k far rows, as the header says */
    seg_idx n_far = 0, n_rows = 0;
    double *lo = xmalloc((size_t)dd, sizeof(double)), *hi = xmalloc((size_t)dd, sizeof(double));
    for (seg_idx f = 0; f < d; f++) lo[f] = hi[f] = C[f];
    for (seg_idx c = 0; c < k; c++)
        for (seg_idx f = 0; f < d; f++) {
            lo[f] = fmin(lo[f], C[c * d + f]);
            hi[f] = fmax(hi[f], C[c * d + f]);
        }
    if (real && nch >= 1 && k >= 1 && d >= 1) {
        seg_idx offset = 0;
        for (seg_idx ch = 0; ch < nch && real; ch++) {
            seg_idx m = size_in(r, 0, 12);
            double *X = xmalloc((size_t)(m * d), sizeof(double));
            fill(r, X, m * d);
            double *sw = NULL;
            if (u8(r) & 1) {
                sw = xmalloc((size_t)m, sizeof(double));
                for (seg_idx i = 0; i < m; i++) {
                    uint8_t b = u8(r);
                    sw[i] = b < 200 ? (double)(b % 5) : b < 230 ? (double)b / 7.0 : value(r);
                }
            }
            for (seg_idx i = 0; i < m; i++)
                for (seg_idx f = 0; f < d; f++) {
                    lo[f] = fmin(lo[f], X[i * d + f]);
                    hi[f] = fmax(hi[f], X[i * d + f]);
                }
            seg_kmeans_far part = fbuf.far;
            part.index += n_far;
            part.dist += n_far;
            part.label += n_far;
            part.weight += n_far;
            part.rows += n_far * d;
            part.capacity = k;
            double sse;
            seg_status st = seg_kmeans_step(X, m, d, sw, C, k, offset, NULL, NULL,
                                            sums + ch * k * d, wts + ch * k, &sse, &part, NULL);
            if (st == SEG_OK) n_far += part.count;
            else real = 0;
            n_rows += m;
            offset += m;
            free(X);
            free(sw);
        }
    } else {
        real = 0;
    }
    if (!real) { /* arbitrary partials */
        for (seg_idx q = 0; q < cc * kk * dd; q++) sums[q] = value(r);
        for (seg_idx q = 0; q < cc * kk; q++) {
            uint8_t b = u8(r);
            wts[q] = b < 200 ? (double)(b % 5) : value(r);
        }
        n_far = size_in(r, 0, (seg_idx)(cc * kk < 200 ? cc * kk : 200));
        for (seg_idx e = 0; e < n_far; e++) {
            uint8_t b = u8(r);
            fbuf.far.dist[e] = b < 200 ? (double)(b % 9) : value(r);
            fbuf.far.label[e] = (int32_t)(u8(r) % (uint8_t)(kk + 2)) - 1;
            fbuf.far.weight[e] = (double)(u8(r) % 4);
            fbuf.far.index[e] = e;
            fill(r, fbuf.far.rows + e * dd, dd);
        }
    }
    int safe = real && !r->huge;
    fbuf.far.count = n_far;
    int use_far = u8(r) % 4 != 0;
    seg_idx ws = seg_kmeans_step_merge_work_size(k, d, use_far ? n_far : 0);
    double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
    double *old = xmalloc((size_t)(kk * dd), sizeof(double));
    memcpy(old, C, (size_t)(kk * dd) * sizeof(double));
    double shift = -1.0;
    seg_idx moved = -1;
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_kmeans_step_merge(nch, k, d, sums, wts, use_far ? &fbuf.far : NULL,
                                                   C, &shift, &moved, work, NULL);
    if (ws < 0) REQUIRE(k < 1 || d < 1);
    if (st == SEG_OK) {
        REQUIRE(nch >= 1 && k >= 1 && d >= 1);
        REQUIRE(moved >= 0 && moved <= k && moved <= (use_far ? n_far : 0));
        if (safe) {
            REQUIRE(all_finite(C, k * d) && isfinite(shift) && shift >= 0.0);
            double s2 = 0.0;
            for (seg_idx c = 0; c < k; c++) {
                s2 += sqdist(C + c * d, old + c * d, d);
                /* Round-off, and products w * x that underflow (at most
                 * 2^-1074 each) divided by the cluster's weight, plus the
                 * rounding of that quotient onto the subnormal grid (one
                 * 2^-1074 step: the bound alone underflows to 0 when the
                 * data are the smallest subnormals). */
                double wc = 0.0;
                for (seg_idx ch = 0; ch < nch; ch++) wc += wts[ch * k + c];
                double under =
                    (double)(n_rows + 1) * 0x1p-1074 / (wc > 0.0 ? wc : 1.0) + 0x1p-1074;
                for (seg_idx f = 0; f < d; f++) {
                    double slack = 1e-9 * fmax(fabs(lo[f]), fabs(hi[f])) + under;
                    REQUIRE(C[c * d + f] >= lo[f] - slack && C[c * d + f] <= hi[f] + slack);
                }
            }
            REQUIRE(shift == s2);
        }
    }
    free(work);
    free(old);
    free(lo);
    free(hi);
    far_free(&fbuf);
    free(C);
    free(sums);
    free(wts);
}

static void fuzz_step_sample(reader *r) {
    seg_idx m = (seg_idx)(u8(r) % 50) - 1; /* -1 .. 48 */
    seg_idx mm = m > 0 ? m : 1;
    double *closest = xmalloc((size_t)mm, sizeof(double));
    for (seg_idx i = 0; i < m; i++) {
        uint8_t b = u8(r);
        closest[i] = b < 200 ? (double)(b % 7) * 0.5 : value(r);
    }
    double *sw = NULL;
    if (u8(r) & 1) {
        sw = xmalloc((size_t)mm, sizeof(double));
        for (seg_idx i = 0; i < m; i++) {
            uint8_t b = u8(r);
            sw[i] = b < 200 ? (double)(b % 5) : value(r);
        }
    }
    uint8_t b1 = u8(r), b2 = u8(r);
    double ell = b1 < 200 ? (double)(b1 % 9) * 0.5 : value(r);
    double phi = b2 < 200 ? (double)(b2 % 50) * 0.25 : value(r);
    uint64_t seed = u64(r);
    seg_idx *picked = xmalloc((size_t)mm, sizeof(seg_idx));
    seg_idx n_picked = -1;
    seg_status st = seg_kmeans_step_sample(closest, sw, m, ell, phi, seed,
                                           m > 0 ? picked : NULL, &n_picked, NULL);
    if (st == SEG_OK) {
        REQUIRE(m >= 0 && isfinite(ell) && ell > 0.0 && isfinite(phi) && phi > 0.0);
        seg_rng rng;
        seg_rng_seed(&rng, seed);
        seg_idx count = 0;
        for (seg_idx i = 0; i < m; i++) {
            double u = seg_rng_uniform(&rng);
            double w = sw ? sw[i] : 1.0;
            REQUIRE(isfinite(w) && w >= 0.0 && isfinite(closest[i]) && closest[i] >= 0.0);
            if (u * phi < ell * w * closest[i]) {
                REQUIRE(count < n_picked && picked[count] == i);
                count++;
            }
        }
        REQUIRE(count == n_picked);
    }
    free(closest);
    free(sw);
    free(picked);
}

static void fuzz_step_nearest(reader *r) {
    shape s;
    decode_shape(r, &s, 1);
    seg_idx n = s.n, d = s.d;
    seg_idx q = size_in(r, 0, 5), first = size_in(r, 0, 4);
    int reset = u8(r) % 3 == 0;
    if (reset && (u8(r) & 7)) first = 0; /* mostly the valid reset call */
    uint8_t nb = u8(r);
    seg_idx n_cand = first + q + (seg_idx)(nb % 4) - (nb >= 250 ? 5 : 0); /* sometimes too few */
    seg_idx nc = n_cand > 0 ? n_cand : 1, qq = q > 0 ? q : 1;
    double *cand = xmalloc((size_t)(qq * d), sizeof(double));
    fill(r, cand, q * d);
    double *closest = xmalloc((size_t)n, sizeof(double));
    int32_t *nearest = xmalloc((size_t)n, sizeof(int32_t));
    if (!reset && first > 0 && (u8(r) & 1)) {
        /* the state a reset call over `first` earlier candidates leaves */
        double *c0 = xmalloc((size_t)(first * d), sizeof(double));
        fill(r, c0, first * d);
        double cost0;
        double *cw0 = xmalloc((size_t)first, sizeof(double));
        if (seg_kmeans_step_nearest(s.X, n, d, s.sw, c0, first, 0, 1, NULL, closest, nearest,
                                    &cost0, cw0, first, NULL) != SEG_OK) {
            for (seg_idx i = 0; i < n; i++) nearest[i] = -1; /* rejected: junk state */
        }
        free(c0);
        free(cw0);
    } else {
        for (seg_idx i = 0; i < n; i++) {
            uint8_t b = u8(r);
            closest[i] = b < 200 ? (double)(b % 9) : value(r);
            nearest[i] = (int32_t)(u8(r) % (uint8_t)(first + 2)) - 1;
        }
    }
    double *closest0 = xmalloc((size_t)n, sizeof(double));
    int32_t *nearest0 = xmalloc((size_t)n, sizeof(int32_t));
    memcpy(closest0, closest, (size_t)n * sizeof(double));
    memcpy(nearest0, nearest, (size_t)n * sizeof(int32_t));
    double *cw = xmalloc((size_t)nc, sizeof(double));
    double cost = -1.0;
    seg_status st = seg_kmeans_step_nearest(s.X, n, d, s.sw, q > 0 ? cand : NULL, q, first, reset,
                                            &s.intr, closest, nearest, &cost, cw, n_cand, NULL);
    if (st == SEG_OK) {
        REQUIRE(first >= 0 && q >= 0 && n_cand >= first + q && (!reset || (first == 0 && q >= 1)));
        REQUIRE(isfinite(cost) && cost >= 0.0 && all_finite(cw, n_cand));
        double *want = xmalloc((size_t)nc, sizeof(double));
        double total = 0.0, scale = 0.0;
        for (seg_idx i = 0; i < n; i++) {
            const double *x = s.X + i * d;
            double w = s.sw ? s.sw[i] : 1.0;
            seg_idx who = nearest[i];
            REQUIRE(who >= 0 && who < first + q);
            if (reset) REQUIRE(who >= first);
            if (who < first) { /* kept: no new candidate strictly nearer */
                REQUIRE(who == nearest0[i] && closest[i] == closest0[i]);
                for (seg_idx c = 0; c < q; c++) REQUIRE(!(sqdist(x, cand + c * d, d) < closest[i]));
            } else {
                double dd = sqdist(x, cand + (who - first) * d, d);
                REQUIRE(closest[i] == dd);
                if (!reset) REQUIRE(dd < closest0[i]);
                for (seg_idx c = 0; c < q; c++) {
                    double dc = sqdist(x, cand + c * d, d);
                    REQUIRE(c < who - first ? dc > dd : dc >= dd);
                }
            }
            want[who] += w;
            total += w * closest[i];
            scale += fabs(w * closest[i]);
        }
        REQUIRE(close_to(cost, total, scale));
        for (seg_idx c = 0; c < n_cand; c++) REQUIRE(close_to(cw[c], want[c], want[c]));
        free(want);
    }
    free(cand);
    free(closest);
    free(nearest);
    free(closest0);
    free(nearest0);
    free(cw);
    free_shape(&s);
}

static void fuzz_step_silhouette(reader *r) {
    shape s;
    decode_shape(r, &s, 0);
    seg_idx ma = s.n, d = s.d, k = s.k, kk = k > 0 ? k : 1;
    int same = u8(r) & 1;
    seg_idx mb = same ? ma : size_in(r, 0, 40);
    double *B = s.X;
    if (!same) {
        B = xmalloc((size_t)((mb > 0 ? mb : 1) * d), sizeof(double));
        fill(r, B, mb * d);
    }
    int32_t *la = xmalloc((size_t)ma, sizeof(int32_t));
    fill_labels(r, la, ma, k);
    int32_t *lb = la;
    if (!same) {
        lb = xmalloc((size_t)(mb > 0 ? mb : 1), sizeof(int32_t));
        fill_labels(r, lb, mb, k);
    }
    uint8_t mode = u8(r);
    double *sa = xmalloc((size_t)(ma * kk), sizeof(double));
    double *sb = (mode & 1) ? xmalloc((size_t)((mb > 0 ? mb : 1) * kk), sizeof(double)) : NULL;
    seg_idx ws = seg_silhouette_chunk_sums_work_size(d);
    double *work = xmalloc((size_t)(ws > 0 ? ws : 1), sizeof(double));
    seg_status st = ws < 0 ? SEG_EINVAL
                           : seg_silhouette_chunk_sums(s.X, (sb || (mode & 2)) ? la : NULL, ma, B,
                                                        lb, mb, d, k, &s.intr, sa, sb, work, NULL);
    if (st == SEG_OK) {
        REQUIRE(k >= 1 && all_finite(sa, ma * k) && (sb == NULL || all_finite(sb, mb * k)));
        double *wa = xmalloc((size_t)(ma * k), sizeof(double));
        double *wb = xmalloc((size_t)((mb > 0 ? mb : 1) * k), sizeof(double));
        for (seg_idx i = 0; i < ma; i++)
            for (seg_idx j = 0; j < mb; j++) {
                REQUIRE(lb[j] >= 0 && lb[j] < k);
                double dist = sqrt(sqdist(s.X + i * d, B + j * d, d));
                wa[i * k + lb[j]] += dist;
                if (sb) {
                    REQUIRE(la[i] >= 0 && la[i] < k);
                    wb[j * k + la[i]] += dist;
                }
            }
        for (seg_idx q = 0; q < ma * k; q++) REQUIRE(close_to(sa[q], wa[q], wa[q]));
        if (sb)
            for (seg_idx q = 0; q < mb * k; q++) REQUIRE(close_to(sb[q], wb[q], wb[q]));
        free(wa);
        free(wb);
        /* A chunk against itself: the silhouette of the whole data. */
        if (same && s.finite_safe) {
            int labels_ok = 1;
            for (seg_idx i = 0; i < ma; i++) labels_ok &= la[i] >= 0 && la[i] < k;
            if (labels_ok) {
                int64_t *counts = xmalloc((size_t)k, sizeof(int64_t));
                for (seg_idx i = 0; i < ma; i++) counts[la[i]]++;
                double *sil = xmalloc((size_t)ma, sizeof(double));
                double *ref = xmalloc((size_t)ma, sizeof(double));
                seg_status s1 = seg_silhouette_from_sums(sa, la, ma, k, counts, sil, NULL);
                seg_idx rw = seg_silhouette_work_size(ma, d, k, 1);
                double *rwork = xmalloc((size_t)(rw > 0 ? rw : 1), sizeof(double));
                seg_status s2 = rw < 0 ? SEG_EINVAL
                                       : seg_silhouette_samples(s.X, ma, d, la, k, 1, NULL, ref,
                                                                rwork, NULL);
                if (s1 == SEG_OK && s2 == SEG_OK)
                    for (seg_idx i = 0; i < ma; i++)
                        REQUIRE(fabs(sil[i] - ref[i]) <= 1e-9 && sil[i] >= -1.0 && sil[i] <= 1.0);
                free(counts);
                free(sil);
                free(ref);
                free(rwork);
            }
        }
    }
    if (mode & 4) { /* the scores from arbitrary sums and counts */
        seg_idx m = ma;
        double *sums = xmalloc((size_t)(m * kk), sizeof(double));
        int nonneg = 1;
        for (seg_idx q = 0; q < m * kk; q++) {
            uint8_t b = u8(r);
            sums[q] = b < 200 ? (double)(b % 17) * 0.5 : value(r);
            nonneg &= sums[q] >= 0.0;
        }
        int64_t *counts = xmalloc((size_t)kk, sizeof(int64_t));
        for (seg_idx c = 0; c < kk; c++) {
            uint8_t b = u8(r);
            counts[c] = b == 255 ? -1 : b == 254 ? INT64_MAX : (int64_t)(b % 6);
        }
        double *sil = xmalloc((size_t)m, sizeof(double));
        seg_status s1 = seg_silhouette_from_sums(sums, la, m, k, counts, sil, NULL);
        if (s1 == SEG_OK) {
            for (seg_idx i = 0; i < m; i++) {
                REQUIRE(la[i] >= 0 && la[i] < k && counts[la[i]] >= 1);
                if (counts[la[i]] == 1) REQUIRE(sil[i] == 0.0);
                if (nonneg) REQUIRE(isfinite(sil[i]) && sil[i] >= -1.0 && sil[i] <= 1.0);
            }
        }
        free(sums);
        free(counts);
        free(sil);
    }
    free(sa);
    free(sb);
    free(work);
    free(la);
    if (!same) {
        free(B);
        free(lb);
    }
    free_shape(&s);
}

static void fuzz_kmeans_step_kernels(reader *r, uint8_t which) {
    switch (which % 5) {
    case 0: fuzz_step(r); break;
    case 1: fuzz_step_merge(r); break;
    case 2: fuzz_step_sample(r); break;
    case 3: fuzz_step_nearest(r); break;
    default: fuzz_step_silhouette(r); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size, 0.0, 0, 0};
    uint8_t pick = u8(&r);
    if (pick >= 234) { /* 234..255: added later, so that saved inputs keep their kernel */
        fuzz_kmeans_step_kernels(&r, (uint8_t)(pick - 234));
        return 0;
    }
    switch (pick % 9) {
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
