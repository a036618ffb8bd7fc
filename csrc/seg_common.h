/* seg_common.h: types and helpers shared by every segment kernel.
 *
 * The C core of segment is C11 (+ optional OpenMP). It never includes
 * Python.h, never allocates, never prints, and reports every failure through a
 * seg_status. The caller passes outputs and scratch memory, sized by each
 * kernel's *_work_size() function.
 *
 * Compilers. gcc >= 8 or clang >= 10 (any compiler that defines __GNUC__)
 * take the GNU C path: the hot loops use vector types (vector_size) and
 * always_inline, gcc >= 11 on x86-64 adds function multi-versioning
 * (target_clones for x86-64-v3/v4), and the wait for other threads' k-means
 * runs uses POSIX nanosleep. CI builds and tests gcc 12 and clang 14; the
 * minimum versions follow from the features used. Every path needs C11's
 * <stdatomic.h>. Defining
 * SEG_PORTABLE, or a compiler without __GNUC__, selects the portable path:
 * plain ISO C11 (the same loops lane by lane in scalar code, thrd_sleep
 * where <threads.h> exists), which gives the same results, bit for bit,
 * as the GNU path on a CPU without FMA (the silhouette's vector clones may fuse
 * multiply-adds on AVX2 / AVX-512 machines: last-bit differences only).
 * `make -C csrc test-portable` builds it with -std=c11 -pedantic-errors and
 * runs every C test; CI runs it, and the tests with gcc and clang.
 * OpenMP and, with OpenMP on a Unix, pthread_atfork are used when present.
 *
 * Long-running kernels take an optional seg_interrupt. Its callback is called
 * only from the calling thread (outside OpenMP parallel regions, or inside
 * one as its thread 0, which is the calling thread), every few milliseconds of
 * work; when it returns nonzero the kernel stops and returns SEG_EINTERRUPTED,
 * leaving its outputs unspecified.
 */
#ifndef SEG_COMMON_H
#define SEG_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef ptrdiff_t seg_idx;

/* SEG_GNU_C: 1 on the GNU C path (see "Compilers" above), 0 on the portable
 * path. SEG_ALWAYS_INLINE: `inline`, forced where the compiler can. */
#if defined(SEG_PORTABLE) || !defined(__GNUC__)
#define SEG_GNU_C 0
#define SEG_ALWAYS_INLINE inline
#else
#define SEG_GNU_C 1
#define SEG_ALWAYS_INLINE inline __attribute__((always_inline))
#endif

typedef enum seg_status {
    SEG_OK = 0,
    SEG_EINVAL,       /* argument outside the documented domain */
    SEG_ENONFINITE,   /* NaN or inf where the contract says finite */
    SEG_EDEGENERATE,  /* well-formed input without an answer */
    SEG_EINTERRUPTED  /* the interrupt callback asked to stop */
} seg_status;

/* Why a kernel failed, for the caller's message: a static string naming the
 * argument and the rule it breaks, and the offending element's index (-1 for
 * none; the reason says what it indexes). Kernels taking a `seg_detail *`
 * (NULL allowed) fill it on every failure but SEG_EINTERRUPTED; it stays
 * untouched on success. No global state: each call has its own. */
typedef struct seg_detail {
    const char *reason;
    seg_idx index;
} seg_detail;

/* Returns nonzero to ask the kernel to stop. */
typedef int (*seg_interrupt_fn)(void *ctx);

typedef struct seg_interrupt {
    seg_interrupt_fn fn; /* may be NULL: never interrupted */
    void *ctx;
} seg_interrupt;

/* A static, human-readable description of a status. */
const char *seg_status_str(seg_status status);

/* Threads an OpenMP region may use (omp_get_max_threads, which honours
 * OMP_NUM_THREADS); 1 when built without OpenMP. */
int seg_max_threads(void);

/* Threads to use for a request: n_threads <= 0 means seg_max_threads(); a
 * request is capped at 4 per processor (and OpenMP's thread limit), so a
 * careless n_threads=10000 cannot exhaust the process. */
int seg_resolve_threads(int n_threads);

/* 1 when the library was compiled with OpenMP. */
int seg_has_openmp(void);

/* Calls intr->fn if set; nonzero means stop. Safe with intr == NULL. */
int seg_interrupted(const seg_interrupt *intr);

/* A small, fast, seedable generator (SplitMix64-seeded xoshiro256**): the
 * same seed gives the same stream on every platform. */
typedef struct seg_rng {
    uint64_t s[4];
} seg_rng;

void seg_rng_seed(seg_rng *rng, uint64_t seed);
uint64_t seg_rng_next(seg_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
double seg_rng_uniform(seg_rng *rng);

/* ---- helpers shared by the k-means kernels (dense and sparse) ---- */

/* 1 if every one of x[0..count) is finite. */
int seg_all_finite(const double *x, seg_idx count);

/* The index of the first NaN or infinity in x[0..count), -1 if none. */
seg_idx seg_first_nonfinite(const double *x, seg_idx count);

/* Sample weights: NULL, or n values finite, >= 0, with a positive sum
 * (SEG_ENONFINITE / SEG_EINVAL otherwise, with the row in detail, which may
 * be NULL). */
seg_status seg_check_weights(const double *sw, seg_idx n, seg_detail *detail);

/* The reason kernels give when finite input overflows once squared. */
#define SEG_REASON_OVERFLOW                                                                   \
    "NaN or infinity in the result: values so large (|x| > 1e154) that their squares "       \
    "overflow; rescale the data (e.g. minmax_scale)"

/* Overflow-checked a*b + c and a + b for work sizes; -1 on overflow or a
 * negative operand. */
seg_idx seg_mul_add(seg_idx a, seg_idx b, seg_idx c);
seg_idx seg_add_sizes(seg_idx a, seg_idx b);

/* Calls fn(ctx, c, i0, i1) for every chunk c of `chunk` rows out of n, in
 * parallel regions of `group` chunks with an interrupt check after each;
 * returns 1 if interrupted. fn must write only memory its chunk owns: then
 * the thread that runs a chunk does not matter (dynamic scheduling keeps
 * cores busy on a shared machine) and results stay bit-identical. */
typedef void (*seg_chunk_fn)(void *ctx, seg_idx chunk_index, seg_idx i0, seg_idx i1);
int seg_for_chunks(seg_chunk_fn fn, void *ctx, seg_idx n, seg_idx chunk, seg_idx group, int nt,
                   const seg_interrupt *intr);

/* k-means++ draws. seg_scan_rows: the first row of [i0, i1) at which run
 * plus the running sum of w_i * v_i (sw, v NULL: 1) reaches value; rounding
 * can leave value unreached, and then the last row with a positive term is
 * taken. seg_pick_chunk: the chunk where the running sum of the chunk totals
 * reaches value; *run gets the sum of the chunks before it. */
seg_idx seg_scan_rows(const double *v, const double *sw, seg_idx i0, seg_idx i1, double run,
                      double value);
seg_idx seg_pick_chunk(const double *tot, seg_idx nc, double value, double *run);

/* k-means' centre update, shared by the dense, sparse and chunked kernels.
 * seg_merge_chunk_sums: newc (k x d) and wsum (k) become the sums, in chunk
 * order, of nc chunks' partials sums (nc x k x d) and wts (nc x k); returns
 * the sum of stat[2 * ch + 1] over the chunks (the labels they changed).
 * seg_centres_from_sums: in place, every cluster of positive weight wsum[c]
 * gets its row of newc divided by it; one of zero weight (empty, not
 * re-seeded) keeps its row of `centers`; wsum[c] < 0 marks one re-seeded
 * already, whose row is left as it is. */
double seg_merge_chunk_sums(const double *sums, const double *wts, const double *stat, seg_idx nc,
                            seg_idx k, seg_idx d, double *newc, double *wsum);
void seg_centres_from_sums(double *newc, const double *wsum, const double *centers, seg_idx k,
                           seg_idx d);

#ifdef __cplusplus
}
#endif
#endif /* SEG_COMMON_H */
