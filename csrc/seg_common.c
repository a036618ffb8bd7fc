#include "seg_common.h"
#include "seg_inline.h"

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* pthread_atfork needs POSIX threads: a Unix with OpenMP. */
#if defined(_OPENMP) && (defined(__unix__) || defined(__APPLE__))
#define SEG_ATFORK 1
#include <pthread.h>
#include <stdatomic.h>

/* GNU libgomp keeps its thread pool across fork(): a child forked after the
 * parent ran a parallel region waits forever for pool threads that do not
 * exist in it. A child handler marks such a child, and every kernel in it
 * then runs on one thread (a team of one never touches the pool). */
static atomic_int in_forked_child;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void mark_forked_child(void) { atomic_store(&in_forked_child, 1); }
static void install_atfork(void) { pthread_atfork(NULL, NULL, mark_forked_child); }
#endif

const char *seg_status_str(seg_status status) {
    switch (status) {
    case SEG_OK: return "success";
    case SEG_EINVAL: return "argument outside the documented domain";
    case SEG_ENONFINITE: return "NaN or infinite value in input";
    case SEG_EDEGENERATE: return "degenerate input without an answer";
    case SEG_EINTERRUPTED: return "interrupted";
    }
    return "unknown status";
}

int seg_has_openmp(void) {
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

int seg_max_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int seg_resolve_threads(int n_threads) {
#ifdef SEG_ATFORK
    pthread_once(&atfork_once, install_atfork);
    if (atomic_load(&in_forked_child)) return 1;
#endif
    int max = seg_max_threads();
    if (n_threads <= 0) return max < 1 ? 1 : max;
#ifdef _OPENMP
    int cap = 4 * omp_get_num_procs();
    if (cap < max) cap = max;
    int limit = omp_get_thread_limit();
    if (limit > 0 && cap > limit) cap = limit;
    return n_threads < cap ? n_threads : cap;
#else
    return 1;
#endif
}

int seg_interrupted(const seg_interrupt *intr) {
    if (intr == NULL || intr->fn == NULL) return 0;
    return intr->fn(intr->ctx) != 0;
}

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void seg_rng_seed(seg_rng *rng, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t seg_rng_next(seg_rng *rng) {
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double seg_rng_uniform(seg_rng *rng) {
    return (double)(seg_rng_next(rng) >> 11) * 0x1.0p-53;
}

int seg_all_finite(const double *x, seg_idx count) {
    for (seg_idx i = 0; i < count; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

seg_idx seg_first_nonfinite(const double *x, seg_idx count) {
    for (seg_idx i = 0; i < count; i++)
        if (!isfinite(x[i])) return i;
    return -1;
}

seg_status seg_check_weights(const double *sw, seg_idx n, seg_detail *detail) {
    if (sw == NULL) return SEG_OK;
    double total = 0.0;
    for (seg_idx i = 0; i < n; i++) {
        if (!isfinite(sw[i]))
            return seg_fail(detail, SEG_ENONFINITE, "sample_weight is NaN or infinite in row", i);
        if (sw[i] < 0.0)
            return seg_fail(detail, SEG_EINVAL, "sample_weight must be >= 0; negative in row", i);
        total += sw[i];
    }
    return total > 0.0 ? SEG_OK
                       : seg_fail(detail, SEG_EINVAL, "sample_weight must have a positive sum",
                                  -1);
}

seg_idx seg_mul_add(seg_idx a, seg_idx b, seg_idx c) {
    if (a < 0 || b < 0 || c < 0) return -1;
    if (a != 0 && b > (PTRDIFF_MAX - c) / a) return -1;
    return a * b + c;
}

seg_idx seg_add_sizes(seg_idx a, seg_idx b) {
    if (a < 0 || b < 0 || a > PTRDIFF_MAX - b) return -1;
    return a + b;
}

int seg_for_chunks(seg_chunk_fn fn, void *ctx, seg_idx n, seg_idx chunk, seg_idx group, int nt,
                   const seg_interrupt *intr) {
    seg_idx nc = n / chunk + (n % chunk != 0);
    for (seg_idx g0 = 0; g0 < nc; g0 += group) {
        seg_idx g1 = g0 + group < nc ? g0 + group : nc;
#ifdef _OPENMP
        /* Chunks taken 4 at a time, or one at a time when a region holds
         * fewer than 8 per thread (4 would leave threads idle). */
        int grab = g1 - g0 >= 8 * (seg_idx)nt ? 4 : 1;
#pragma omp parallel for num_threads(nt) schedule(dynamic, grab) if (g1 - g0 > 1 && nt > 1)
#endif
        for (seg_idx c = g0; c < g1; c++) {
            seg_idx i0 = c * chunk;
            seg_idx i1 = i0 + chunk < n ? i0 + chunk : n;
            fn(ctx, c, i0, i1);
        }
        (void)nt;
        if (seg_interrupted(intr)) return 1;
    }
    return 0;
}

seg_idx seg_scan_rows(const double *v, const double *sw, seg_idx i0, seg_idx i1, double run,
                      double value) {
    seg_idx last = -1;
    for (seg_idx i = i0; i < i1; i++) {
        double term = (sw ? sw[i] : 1.0) * (v ? v[i] : 1.0);
        if (term > 0.0) last = i;
        run += term;
        if (run >= value) return i;
    }
    return last >= 0 ? last : i1 - 1;
}

seg_idx seg_pick_chunk(const double *tot, seg_idx nc, double value, double *run) {
    seg_idx ch = 0;
    *run = 0.0;
    for (; ch < nc - 1; ch++) {
        if (*run + tot[ch] >= value) break;
        *run += tot[ch];
    }
    return ch;
}

double seg_merge_chunk_sums(const double *sums, const double *wts, const double *stat, seg_idx nc,
                            seg_idx k, seg_idx d, double *newc, double *wsum) {
    double changed = 0.0;
    memset(newc, 0, (size_t)(k * d) * sizeof(double));
    memset(wsum, 0, (size_t)k * sizeof(double));
    for (seg_idx ch = 0; ch < nc; ch++) {
        const double *sm = sums + ch * k * d, *cw = wts + ch * k;
        for (seg_idx j = 0; j < k * d; j++) newc[j] += sm[j];
        for (seg_idx c = 0; c < k; c++) wsum[c] += cw[c];
        changed += stat[2 * ch + 1];
    }
    return changed;
}

void seg_centres_from_sums(double *newc, const double *wsum, const double *centers, seg_idx k,
                           seg_idx d) {
    for (seg_idx c = 0; c < k; c++) {
        double *row = newc + c * d;
        if (wsum[c] > 0.0) {
            for (seg_idx f = 0; f < d; f++) row[f] /= wsum[c];
        } else if (wsum[c] == 0.0) {
            memcpy(row, centers + c * d, (size_t)d * sizeof(double));
        } /* wsum < 0: re-seeded, the centre is already set */
    }
}
