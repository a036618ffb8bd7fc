/* seg_kmeans_rows.h: the dense k-means kernels (seg_kmeans.h), one source
 * for float64 and float32 X. seg_kmeans.c includes it with KM_F32 0 (the
 * float64 entry points) and seg_kmeans_f32.c with KM_F32 1 (the _f32 ones);
 * nothing else includes it. Each inclusion is its own translation unit, so
 * the static functions need no suffix; the public names go through KM_PUB.
 *
 *   REAL    the type of X, of its row blocks and of every distance (double,
 *           or float for KM_F32)
 *   VL      rows per block, the lanes of one 64-byte vector (8 or 16)
 *
 * float32: distances x - c with the centre rounded to float, their squares
 * and their sum over the d features in float, VL = 16 rows per vector pass;
 * everything summed over rows is float64 (centre sums of (double)x, weights,
 * inertia, k-means++ potentials), the centres are float64 inside a fit and
 * rounded to float (k x d) for each pass. Hamerly is float64 only. The
 * float64 instance gives the labels and centres the kernel gave before
 * float32 existed, bit for bit; its inertia is now summed per lane of a
 * block (the whole-block path of lloyd_rows), so its last digit can move. */

#if KM_F32
#define REAL float
#define VL 16
#define KM_PUB(name) name##_f32
#else
#define REAL double
#define VL 8
#define KM_PUB(name) name
#endif

/* The doubles of scratch that count REALs take (-1 for -1). */
static seg_idx real_doubles(seg_idx count) {
    if (count < 0) return -1;
    return sizeof(REAL) == sizeof(double) ? count : count / 2 + count % 2;
}

#if SEG_GNU_C
static void nap_2ms(void) {
    struct timespec t = {0, 2000000};
    nanosleep(&t, NULL);
}
#elif !defined(__STDC_NO_THREADS__)
#include <threads.h>
static void nap_2ms(void) {
    struct timespec t = {0, 2000000};
    thrd_sleep(&t, NULL);
}
#else
static void nap_2ms(void) {} /* C11 without <threads.h>: the caller polls without a pause */
#endif

/* Rows per chunk: at least CHUNK_MIN, more when the per-chunk accumulators
 * (k*(d+1)+2 doubles each) would pass ACC_CAP doubles. It depends on n, k and
 * d only, never on the thread count: that is what makes results identical on
 * any number of threads. */
#define CHUNK_MIN 256
#define ACC_CAP ((double)(1 << 22))
/* Work per parallel region between two interrupt checks, in d-dimensional
 * distance evaluations times d (about a few milliseconds). */
#define GROUP_WORK ((double)(1 << 24))
/* Features per Ctrl-C poll inside a distance of a very wide chunk (VL *
 * DIST_SLICE = 2^20 values, a millisecond or two; see for_chunks_polled). */
#define DIST_SLICE ((seg_idx)(1 << 20) / VL)

static seg_idx chunk_rows(seg_idx n, seg_idx k, seg_idx d) {
    double per = (double)k * (double)(d + 1) + 2.0;
    double need = ceil((double)n * per / ACC_CAP);
    seg_idx c = CHUNK_MIN;
    if (need > (double)c) c = (seg_idx)need;
    return (c + VL - 1) / VL * VL; /* whole row blocks of VL rows */
}

static seg_idx chunks_per_group(seg_idx chunk, seg_idx k, seg_idx d) {
    double per = (double)chunk * (double)k * (double)d;
    double g = GROUP_WORK / (per > 1.0 ? per : 1.0);
    return g < 1.0 ? 1 : (g > 1e9 ? 1000000000 : (seg_idx)g);
}

/* Distances to several points at once: the points are stored transposed
 * (d rows of `pad` values, pad a multiple of VL, unused lanes 0), and each of
 * VL lanes sums (x_f - y_f)^2 over f in the same order as seg_sqdist, without
 * fused multiply-add, so every distance is bit-identical to seg_sqdist's. The
 * loops are compiled for x86-64-v4/v3 as well as the baseline
 * (SEG_MULTIVERSION): portable wheels, wide vectors where the CPU has them.
 * The portable path (seg_common.h) runs the same lanes in scalar loops, in
 * the same order: the same bits. */
#if SEG_GNU_C
typedef REAL vreal __attribute__((vector_size(VL * sizeof(REAL))));
#define LOADV(v, p) memcpy(&(v), (p), sizeof(vreal))
#endif

static seg_idx pad_lanes(seg_idx k) { return (k + VL - 1) / VL * VL; }

/* The doubles of scratch the row blocks of n x d take (see make_blocks). */
static seg_idx xb_doubles(seg_idx n, seg_idx d) {
    return real_doubles(seg_mul_add(pad_lanes(n), d, 0));
}

#if !KM_F32 /* Hamerly's distances, float64 only */
/* rows (k x d, row-major) -> T (d x pad), zero-padded; with poll (very wide
 * rows, see wide_poll) a Ctrl-C poll every 2^20 values (T is then
 * unspecified if it says stop). */
static void transpose_pad(const double *rows, seg_idx k, seg_idx d, seg_idx pad, double *T,
                          const seg_interrupt *poll) {
    seg_idx slice = ((seg_idx)1 << 20) / pad;
    for (seg_idx f = 0; f < d; f++) {
        for (seg_idx c = 0; c < pad; c++) T[f * pad + c] = c < k ? rows[c * d + f] : 0.0;
        if (poll != NULL && (f + 1) % slice == 0 && seg_interrupted(poll)) return;
    }
}

/* Squared distances of x to the VL points of lane block cb of T. */
static inline void lanes8(const double *x, const double *T, seg_idx pad, seg_idx cb, seg_idx d,
                          double out[VL]) {
#if SEG_GNU_C
    vreal acc = {0.0};
    for (seg_idx f = 0; f < d; f++) {
        vreal c;
        LOADV(c, T + f * pad + cb);
        vreal t = x[f] - c;
        acc += t * t;
    }
    memcpy(out, &acc, sizeof acc);
#else
    for (int l = 0; l < VL; l++) out[l] = 0.0;
    for (seg_idx f = 0; f < d; f++) {
        for (int l = 0; l < VL; l++) {
            double t = x[f] - T[f * pad + cb + l];
            out[l] += t * t;
        }
    }
#endif
}

/* lanes8 for very wide rows (a context's poll set, see wide_poll): the
 * features in slices of DIST_SLICE with a Ctrl-C poll after each. The same
 * sums in the same order: the same bits. */
static void lanes8_polled(const double *x, const double *T, seg_idx pad, seg_idx cb, seg_idx d,
                          double out[VL], const seg_interrupt *poll) {
#if SEG_GNU_C
    vreal acc = {0.0};
#else
    double acc[VL] = {0.0};
#endif
    for (seg_idx f0 = 0; f0 < d; f0 += DIST_SLICE) {
        seg_idx f1 = d - f0 > DIST_SLICE ? f0 + DIST_SLICE : d;
        for (seg_idx f = f0; f < f1; f++) {
#if SEG_GNU_C
            vreal c;
            LOADV(c, T + f * pad + cb);
            vreal t = x[f] - c;
            acc += t * t;
#else
            for (int l = 0; l < VL; l++) {
                double t = x[f] - T[f * pad + cb + l];
                acc[l] += t * t;
            }
#endif
        }
        if (seg_interrupted(poll)) break;
    }
    memcpy(out, &acc, sizeof acc);
}
#endif

/* Rows in blocks of VL, for the passes that need every row's distance to
 * every centre (Lloyd, prediction) or candidate (k-means++): block b holds
 * rows VL*b .. VL*b + VL - 1 as d vectors of VL lanes, feature after feature,
 * so one pass computes the distances of VL rows to one centre, each lane
 * summing (x_f - c_f)^2 over f in seg_sqdist's order, without fused multiply-add:
 * bit-identical to seg_sqdist. Unused lanes of the last block repeat row n - 1.
 * n_pad = pad_lanes(n) rows, n_pad * d REALs. */
#if SEG_GNU_C
#if KM_F32
#define LANE_INT int32_t
#else
#define LANE_INT int64_t
#endif
typedef LANE_INT vmask __attribute__((vector_size(VL * sizeof(LANE_INT))));
#define VSEL(m, a, b) ((vreal)(((m) & (vmask)(a)) | (~(m) & (vmask)(b))))
#define VSELI(m, a, b) (((m) & (a)) | (~(m) & (b)))

/* Squared distances of the VL rows of block xb to the point c (d values). */
static SEG_ALWAYS_INLINE void block_dist(const REAL *xb, const REAL *c, seg_idx d, vreal *out) {
    vreal acc = {0.0};
    for (seg_idx f = 0; f < d; f++) {
        vreal x;
        LOADV(x, xb + f * VL);
        vreal t = x - c[f];
        acc += t * t;
    }
    *out = acc;
}

/* block_dist for a pass whose chunks are too wide for the polls between
 * chunks (see for_chunks_polled): the features in slices of DIST_SLICE with
 * a Ctrl-C poll after each. The same sums in the same order: the same bits.
 * Once poll says stop, out is unspecified (the pass is abandoned). */
static void block_dist_polled(const REAL *xb, const REAL *c, seg_idx d, vreal *out,
                              const seg_interrupt *poll) {
    vreal acc = {0.0};
    for (seg_idx f0 = 0; f0 < d; f0 += DIST_SLICE) {
        seg_idx f1 = d - f0 > DIST_SLICE ? f0 + DIST_SLICE : d;
        for (seg_idx f = f0; f < f1; f++) {
            vreal x;
            LOADV(x, xb + f * VL);
            vreal t = x - c[f];
            acc += t * t;
        }
        if (seg_interrupted(poll)) break;
    }
    *out = acc;
}

/* The same into an array of VL REALs. */
static SEG_ALWAYS_INLINE void block_dist_lanes(const REAL *xb, const REAL *c, seg_idx d,
                                               REAL out[VL]) {
    vreal v;
    block_dist(xb, c, d, &v);
    memcpy(out, &v, sizeof v);
}

#if KM_F32 /* k-means++ in float32 takes its distances as lanes */
static void block_dist_polled_lanes(const REAL *xb, const REAL *c, seg_idx d, REAL out[VL],
                                    const seg_interrupt *poll) {
    vreal v;
    block_dist_polled(xb, c, d, &v, poll);
    memcpy(out, &v, sizeof v);
}
#endif

/* Whole blocks in the Lloyd pass: 8 lanes of doubles at a time (a float32
 * block of 16 lanes is two halves, each converted to double exactly). */
typedef double vd8 __attribute__((vector_size(8 * sizeof(double))));
typedef int64_t vi8 __attribute__((vector_size(8 * sizeof(int64_t))));
#define HALVES (VL / 8)
#if defined(__clang__)
#define SHUF8(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SHUF8(a, b, ...) __builtin_shuffle(a, b, (vi8){__VA_ARGS__})
#endif

/* The 8 REALs at p as doubles (exact). */
static SEG_ALWAYS_INLINE void load_d8(const REAL *p, vd8 *out) {
#if KM_F32 && (defined(__clang__) || __GNUC__ >= 9)
    typedef float vf8 __attribute__((vector_size(8 * sizeof(float))));
    vf8 v;
    memcpy(&v, p, sizeof v);
    *out = __builtin_convertvector(v, vd8);
#elif KM_F32 /* gcc 8 has no __builtin_convertvector: the same, lane by lane */
    *out = (vd8){p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]};
#else
    memcpy(out, p, sizeof *out);
#endif
}

/* 8 rows of 8 features given feature by feature (r[f][l]) as 8 row vectors:
 * rows[l][f] = r[f][l]. Three rounds of two-source shuffles (the classic
 * 8 x 8 transpose); the values are only moved, not changed. */
static SEG_ALWAYS_INLINE void transpose8(const vd8 r[8], vd8 rows[8]) {
    vd8 t[8], u[8];
    for (int f = 0; f < 8; f += 2) {
        t[f] = SHUF8(r[f], r[f + 1], 0, 8, 2, 10, 4, 12, 6, 14);
        t[f + 1] = SHUF8(r[f], r[f + 1], 1, 9, 3, 11, 5, 13, 7, 15);
    }
    for (int h = 0; h < 8; h += 4) {
        for (int o = 0; o < 2; o++) {
            u[h + o] = SHUF8(t[h + o], t[h + o + 2], 0, 1, 8, 9, 4, 5, 12, 13);
            u[h + o + 2] = SHUF8(t[h + o], t[h + o + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        }
    }
    /* u[0]: lanes 0 and 4 of features 0-3, u[1]: lanes 1 and 5, u[2]: 2 and 6,
     * u[3]: 3 and 7; u[4..7] the same for features 4-7. */
    for (int q = 0; q < 4; q++) {
        rows[q] = SHUF8(u[q], u[q + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        rows[q + 4] = SHUF8(u[q], u[q + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}
#else
/* The same, lane by lane (portable path). */
static SEG_ALWAYS_INLINE void block_dist(const REAL *xb, const REAL *c, seg_idx d, REAL out[VL]) {
    for (int l = 0; l < VL; l++) out[l] = 0;
    for (seg_idx f = 0; f < d; f++) {
        for (int l = 0; l < VL; l++) {
            REAL t = xb[f * VL + l] - c[f];
            out[l] += t * t;
        }
    }
}

/* block_dist_polled above, lane by lane. */
static void block_dist_polled(const REAL *xb, const REAL *c, seg_idx d, REAL out[VL],
                              const seg_interrupt *poll) {
    for (int l = 0; l < VL; l++) out[l] = 0;
    for (seg_idx f0 = 0; f0 < d; f0 += DIST_SLICE) {
        seg_idx f1 = d - f0 > DIST_SLICE ? f0 + DIST_SLICE : d;
        for (seg_idx f = f0; f < f1; f++) {
            for (int l = 0; l < VL; l++) {
                REAL t = xb[f * VL + l] - c[f];
                out[l] += t * t;
            }
        }
        if (seg_interrupted(poll)) break;
    }
}
#define block_dist_lanes block_dist
#define block_dist_polled_lanes block_dist_polled
#endif

/* block_dist(xb, c, d, out) for the pass context p: polled inside when
 * p->poll is set (for_chunks_polled) and the rows are wider than a slice. */
#define BLOCK_DIST(p, xb, c, d, out)                                                          \
    ((p)->poll != NULL && (d) > DIST_SLICE ? block_dist_polled(xb, c, d, out, (p)->poll)       \
                                           : block_dist(xb, c, d, out))
#define BLOCK_DIST_LANES(p, xb, c, d, out)                                                    \
    ((p)->poll != NULL && (d) > DIST_SLICE ? block_dist_polled_lanes(xb, c, d, out, (p)->poll) \
                                           : block_dist_lanes(xb, c, d, out))

/* Its address tells the threads apart (one per thread). */
static _Thread_local char poll_owner_mark;

/* A Ctrl-C poll that stays raised: a kernel may poll again after the
 * caller's callback said stop (Python's handler runs once), and must still
 * stop. Only the thread that set it up (the kernel's caller: owner) asks
 * intr; the other threads of a region read the flag it raises. */
typedef struct sticky_poll {
    const seg_interrupt *intr;
    const char *owner; /* &poll_owner_mark of the calling thread */
    atomic_int hit;
    double work; /* terms since the owner last asked (poll_wide) */
} sticky_poll;

static int sticky_check(void *v) {
    sticky_poll *s = (sticky_poll *)v;
    if (atomic_load_explicit(&s->hit, memory_order_relaxed)) return 1;
    if (&poll_owner_mark != s->owner || !seg_interrupted(s->intr)) return 0;
    atomic_store_explicit(&s->hit, 1, memory_order_relaxed);
    return 1;
}

/* Big chunks: with more than GROUP_WORK distance terms per chunk, a
 * parallel region holds one chunk (group 1), which seg_for_chunks runs on
 * the calling thread, so its passes poll Ctrl-C inside the chunk (a
 * context's `poll`): at each block of rows, after each row's sum update or
 * inertia term and between the steps of the centre update, asking the
 * caller once 2^20 terms have gone by (poll_wide); copies go 2 MiB at a time
 * and the fit's scratch is faulted in first (touch_pages). With more than
 * DIST_SLICE features, inside every distance too (each DIST_SLICE
 * features). 4 rows of 5,000,000 features and 3 centres went 0.2-0.3 s
 * without a poll (over 1 s on a busy machine); predicting 1,000 rows of
 * 100,000 features with 50 centres, 1.8 s (one chunk: a poll before and
 * after it). wide_poll returns the poll for the contexts (NULL when the
 * group has more than one chunk): sp wrapped around intr, sticky, and the
 * kernel's polls must then all go through *si (the callback may not say
 * stop twice). The distances of rows wider than DIST_SLICE poll inside
 * (BLOCK_DIST, nearest2). */
static const seg_interrupt *wide_poll(sticky_poll *sp, seg_interrupt *si,
                                      const seg_interrupt *intr, seg_idx group) {
    sp->intr = intr;
    sp->owner = &poll_owner_mark;
    sp->work = 0.0;
    atomic_init(&sp->hit, 0);
    *si = (seg_interrupt){sticky_check, sp};
    return intr != NULL && group == 1 ? si : NULL;
}

/* The chunks of a parallel region: at least one per thread. A region of
 * one chunk ran on one thread (seg_for_chunks), so every pass whose chunks
 * hold more than GROUP_WORK / 2 terms (k * d above about 32,768: 50
 * clusters of 768-feature embeddings) used one core of many. Regions then
 * take longer than GROUP_WORK, but no longer in time; the chunks are the
 * same, and so are the results. Their Ctrl-C polls inside the chunks
 * (wide_poll: armed by the group of one chunk before spreading) come from
 * the calling thread's chunk, the others stop on its flag. */
static seg_idx spread(seg_idx group, int nt) { return group < nt ? (seg_idx)nt : group; }

/* seg_for_chunks for one pass whose context has a `poll` field (*poll), armed
 * by wide_poll for the pass. */
static int for_chunks_polled(seg_chunk_fn fn, void *ctx, const seg_interrupt **poll, seg_idx n,
                             seg_idx chunk, seg_idx group, int nt, const seg_interrupt *intr) {
    sticky_poll sp;
    seg_interrupt si;
    *poll = wide_poll(&sp, &si, intr, group);
    int r = seg_for_chunks(fn, ctx, n, chunk, spread(group, nt), nt, *poll != NULL ? &si : intr);
    *poll = NULL;
    return r;
}

/* Terms of work between two questions to the caller inside a chunk: its
 * callback takes the GIL (well under a microsecond alone), a thousandth of
 * the 2^20 terms' millisecond or less. */
#define POLL_WORK ((double)(1 << 20))

/* A poll of the loops inside a group-1 chunk (poll from wide_poll, or
 * NULL): 1 to stop, never when poll is NULL. work: the terms done (or about
 * to be) since the last call; the caller is asked once POLL_WORK have gone
 * by, and in between the answer is the sticky one. */
static int poll_wide(const seg_interrupt *poll, double work) {
    if (poll == NULL) return 0;
    sticky_poll *sp = (sticky_poll *)poll->ctx;
    if (&poll_owner_mark == sp->owner) {
        sp->work += work;
        if (sp->work >= POLL_WORK) {
            sp->work = 0.0;
            return sticky_check(sp);
        }
    }
    return atomic_load_explicit(&sp->hit, memory_order_relaxed);
}

/* memcpy of count doubles into the caller's output, 2 MiB at a time with a
 * Ctrl-C poll after each: the first write into a fresh array faults its
 * pages in, and with transparent huge pages (numpy asks for them) that can
 * mean compaction: 0.3 s for the 120 MB of 3 centres of 5,000,000 features
 * on a quiet machine, more on a busy one. Returns 1 if interrupted. */
static int copy_out(double *dst, const double *src, seg_idx count, const seg_interrupt *intr) {
    const seg_idx step = (seg_idx)1 << 18;
    for (seg_idx i = 0; i < count; i += step) {
        seg_idx m = count - i < step ? count - i : step;
        memcpy(dst + i, src + i, (size_t)m * sizeof(double));
        if (m == step && seg_interrupted(intr)) return 1;
    }
    return 0;
}

/* Faults in the pages of count doubles of scratch (a zero written every 4
 * KiB; the contents are the kernels' to set), with a Ctrl-C poll every 2
 * MiB. Returns 1 if interrupted. */
static int touch_pages(double *p, seg_idx count, const seg_interrupt *intr) {
    for (seg_idx i = 0; i < count; i += 512) {
        p[i] = 0.0;
        if ((i + 512) % ((seg_idx)1 << 18) == 0 && seg_interrupted(intr)) return 1;
    }
    return 0;
}

/* x (d REALs) -> out (d doubles), exactly. */
static void row_to_double(const REAL *x, seg_idx d, double *out) {
    for (seg_idx f = 0; f < d; f++) out[f] = x[f];
}

/* Calls fn(args..., D) with D a compile-time constant for the common numbers
 * of features d, so that fn (always inlined) unrolls its distance loops and
 * keeps a block's rows in registers across centres: about 30% faster. */
#define DISPATCH_D(dv, fn, ...)            \
    switch (dv) {                          \
    case 2: fn(__VA_ARGS__, 2); break;     \
    case 3: fn(__VA_ARGS__, 3); break;     \
    case 4: fn(__VA_ARGS__, 4); break;     \
    case 5: fn(__VA_ARGS__, 5); break;     \
    case 6: fn(__VA_ARGS__, 6); break;     \
    case 7: fn(__VA_ARGS__, 7); break;     \
    case 8: fn(__VA_ARGS__, 8); break;     \
    case 9: fn(__VA_ARGS__, 9); break;     \
    case 10: fn(__VA_ARGS__, 10); break;   \
    case 12: fn(__VA_ARGS__, 12); break;   \
    case 16: fn(__VA_ARGS__, 16); break;   \
    default: fn(__VA_ARGS__, (dv)); break; \
    }

/* ------------------------------------------------------------------------ */
/* k-means++                                                                 */
/* ------------------------------------------------------------------------ */

#define MAX_TRIALS 64

typedef struct block_ctx {
    const REAL *X;
    seg_idx n, d;
    REAL *XB;
} block_ctx;

static void block_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    block_ctx *p = (block_ctx *)vctx;
    (void)c;
    seg_idx d = p->d, end = i1 == p->n ? pad_lanes(i1) : i1;
    for (seg_idx i = i0; i < end; i++) {
        const REAL *x = p->X + (i < p->n ? i : p->n - 1) * d;
        REAL *b = p->XB + (i / VL) * d * VL + i % VL;
        for (seg_idx f = 0; f < d; f++) b[f * VL] = x[f];
    }
}

/* Features per slice of the copy below: a slice of one block (VL *
 * BLOCK_SLICE REALs, 1 MiB) stays in the L2 cache while its rows are
 * written in. */
#define BLOCK_SLICE ((seg_idx)1 << 14)

/* X (n x d) -> XB, the row blocks described above (pad_lanes(n) * d REALs).
 * A chunk of many features (more than GROUP_WORK values: few rows of tens of
 * thousands of features or more) is copied slice by slice of features, with
 * Ctrl-C polled between slices: 4 rows of 5,000,000 features made one chunk
 * of 320 MB, copied without a poll (about 0.3 s quiet, over 1 s on a busy
 * machine), one double per cache line at a time. The copy is the same
 * either way. */
static int make_blocks(const REAL *X, seg_idx n, seg_idx d, seg_idx k, int nt,
                       const seg_interrupt *intr, REAL *XB) {
    block_ctx ctx = {X, n, d, XB};
    seg_idx chunk = chunk_rows(n, k, d);
    if ((double)chunk * (double)d <= GROUP_WORK)
        return seg_for_chunks(block_chunk, &ctx, n, chunk, chunks_per_group(chunk, 1, d), nt,
                              intr);
    seg_idx np = pad_lanes(n);
    for (seg_idx b0 = 0; b0 < np; b0 += VL) {
        REAL *blk = XB + (b0 / VL) * d * VL;
        for (seg_idx f0 = 0; f0 < d; f0 += BLOCK_SLICE) {
            seg_idx f1 = d - f0 > BLOCK_SLICE ? f0 + BLOCK_SLICE : d;
            for (seg_idx i = b0; i < b0 + VL; i++) {
                const REAL *x = X + (i < n ? i : n - 1) * d;
                REAL *b = blk + i % VL;
                for (seg_idx f = f0; f < f1; f++) b[f * VL] = x[f];
            }
            if (seg_interrupted(intr)) return 1;
        }
    }
    return 0;
}

/* Scratch of k-means++ beside the row blocks: closest (pad_lanes(n)), the
 * chunks' potentials (n_chunks) and the chunks' candidate potentials
 * (n_chunks x n_trials). */
static seg_idx pp_scratch(seg_idx n, seg_idx d, seg_idx k, seg_idx n_trials) {
    seg_idx nc = seg_n_chunks(n, chunk_rows(n, k, d));
    return seg_mul_add(nc, n_trials + 1, pad_lanes(n));
}

seg_idx KM_PUB(seg_kmeans_plusplus_work_size)(seg_idx n, seg_idx d, seg_idx k,
                                               seg_idx n_trials) {
    if (n < 1 || d < 1 || k < 1 || n_trials < 1) return -1;
    seg_idx s = pp_scratch(n, d, k, n_trials);
    return s < 0 ? -1 : seg_add_sizes(xb_doubles(n, d), s);
}

typedef struct pp_ctx {
    const REAL *X, *XB;
    const double *sw;
    seg_idx n, d;
    double *closest;        /* pad_lanes(n): squared distance to the nearest centre; 0 past n */
    const seg_idx *cand;    /* n_trials candidate rows */
    seg_idx n_trials;
    double *chunk_pot;      /* n_chunks x n_trials */
    double *chunk_tot;      /* n_chunks: sum of w * closest */
    const REAL *centre;     /* the centre (a row of X) to fold into closest */
    int init;               /* 1: closest = dist to centre; 0: min with it */
    const REAL *pending;    /* a centre not yet folded into closest (NULL: none) */
    const seg_interrupt *poll; /* Ctrl-C inside the distances (for_chunks_polled) or NULL */
} pp_ctx;

#if SEG_GNU_C && !KM_F32
/* The weights of the VL rows from i (0 past n; 1 without weights). */
static SEG_ALWAYS_INLINE void block_weights(const double *sw, seg_idx i, seg_idx n, vreal *w) {
    if (sw == NULL) {
        *w = (vreal){0.0} + 1.0;
    } else if (i + VL <= n) {
        LOADV(*w, sw + i);
    } else {
        for (int l = 0; l < VL; l++) (*w)[l] = i + l < n ? sw[i + l] : 0.0;
    }
}

static SEG_ALWAYS_INLINE void pp_fold_rows(pp_ctx *p, seg_idx c, seg_idx i0, seg_idx i1,
                                           seg_idx d) {
    vreal tot = {0.0};
    for (seg_idx b0 = i0; b0 < i1; b0 += VL) {
        vreal dd, cl, w;
        BLOCK_DIST(p, p->XB + b0 * d, p->centre, d, &dd);
        if (p->init) {
            cl = dd;
        } else {
            LOADV(cl, p->closest + b0);
            vmask lt = dd < cl;
            cl = VSEL(lt, dd, cl);
        }
        if (b0 + VL > p->n)
            for (int l = 0; l < VL; l++)
                if (b0 + l >= p->n) cl[l] = 0.0; /* unused lanes never count */
        memcpy(p->closest + b0, &cl, sizeof cl);
        block_weights(p->sw, b0, p->n, &w);
        tot += p->sw ? w * cl : cl;
    }
    double lanes[VL];
    memcpy(lanes, &tot, sizeof lanes);
    p->chunk_tot[c] = seg_sum_in_order(lanes, VL);
}

static SEG_ALWAYS_INLINE void pp_trials_rows(pp_ctx *p, seg_idx c, seg_idx i0, seg_idx i1,
                                             seg_idx d) {
    double *pot = p->chunk_pot + c * p->n_trials;
    vreal sums[MAX_TRIALS];
    for (seg_idx t = 0; t < p->n_trials; t++) sums[t] = (vreal){0.0};
    for (seg_idx b0 = i0; b0 < i1; b0 += VL) {
        const double *xb = p->XB + b0 * d;
        vreal cl, w;
        LOADV(cl, p->closest + b0); /* 0 in unused lanes: they add nothing */
        if (p->pending != NULL) {   /* the last centre chosen, folded in on the way */
            vreal dd;
            BLOCK_DIST(p, xb, p->pending, d, &dd);
            vmask lt = dd < cl;
            cl = VSEL(lt, dd, cl);
            memcpy(p->closest + b0, &cl, sizeof cl);
        }
        block_weights(p->sw, b0, p->n, &w);
        for (seg_idx t = 0; t < p->n_trials; t++) {
            vreal dd;
            BLOCK_DIST(p, xb, p->X + p->cand[t] * d, d, &dd);
            vmask lt = dd < cl;
            vreal m = VSEL(lt, dd, cl);
            sums[t] += p->sw ? w * m : m;
        }
    }
    for (seg_idx t = 0; t < p->n_trials; t++) {
        double lanes[VL];
        memcpy(lanes, &sums[t], sizeof lanes);
        pot[t] = seg_sum_in_order(lanes, VL);
    }
}

#else
/* Row i's weight (0 past n; 1 without weights). */
static inline double row_weight(const double *sw, seg_idx i, seg_idx n) {
    return sw == NULL ? 1.0 : i < n ? sw[i] : 0.0;
}

/* pp_fold_rows and pp_trials_rows above, lane by lane (portable path; and
 * float32, whose distances go into the float64 closest and potentials). */
static SEG_ALWAYS_INLINE void pp_fold_rows(pp_ctx *p, seg_idx c, seg_idx i0, seg_idx i1,
                                           seg_idx d) {
    double tot[VL] = {0.0};
    for (seg_idx b0 = i0; b0 < i1; b0 += VL) {
        REAL dd[VL];
        BLOCK_DIST_LANES(p, p->XB + b0 * d, p->centre, d, dd);
        for (int l = 0; l < VL; l++) {
            double cl = dd[l];
            if (!p->init && !(dd[l] < p->closest[b0 + l])) cl = p->closest[b0 + l];
            if (b0 + l >= p->n) cl = 0.0; /* unused lanes never count */
            p->closest[b0 + l] = cl;
            tot[l] += p->sw ? row_weight(p->sw, b0 + l, p->n) * cl : cl;
        }
    }
    p->chunk_tot[c] = seg_sum_in_order(tot, VL);
}

static SEG_ALWAYS_INLINE void pp_trials_rows(pp_ctx *p, seg_idx c, seg_idx i0, seg_idx i1,
                                             seg_idx d) {
    double *pot = p->chunk_pot + c * p->n_trials;
    double sums[MAX_TRIALS][VL];
    for (seg_idx t = 0; t < p->n_trials; t++)
        for (int l = 0; l < VL; l++) sums[t][l] = 0.0;
    for (seg_idx b0 = i0; b0 < i1; b0 += VL) {
        const REAL *xb = p->XB + b0 * d;
        double *cl = p->closest + b0; /* 0 in unused lanes: they add nothing */
        REAL dd[VL];
        if (p->pending != NULL) {
            BLOCK_DIST_LANES(p, xb, p->pending, d, dd);
            for (int l = 0; l < VL; l++)
                if (dd[l] < cl[l]) cl[l] = dd[l];
        }
        for (seg_idx t = 0; t < p->n_trials; t++) {
            BLOCK_DIST_LANES(p, xb, p->X + p->cand[t] * d, d, dd);
            for (int l = 0; l < VL; l++) {
                double m = dd[l] < cl[l] ? dd[l] : cl[l];
                sums[t][l] += p->sw ? row_weight(p->sw, b0 + l, p->n) * m : m;
            }
        }
    }
    for (seg_idx t = 0; t < p->n_trials; t++) pot[t] = seg_sum_in_order(sums[t], VL);
}
#endif

SEG_MULTIVERSION
static void pp_fold_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    DISPATCH_D(((pp_ctx *)vctx)->d, pp_fold_rows, (pp_ctx *)vctx, c, i0, i1)
}

SEG_MULTIVERSION
static void pp_trials_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    DISPATCH_D(((pp_ctx *)vctx)->d, pp_trials_rows, (pp_ctx *)vctx, c, i0, i1)
}

/* One k-means++ in progress over the row blocks XB: plusplus_blocks runs one
 * alone, fit_runs_batched several in lockstep (every pass over a chunk of
 * rows does each run's work on it while the rows are in the cache). Either
 * way a run does the same operations in the same order: the same bits. */
typedef struct pp_run {
    pp_ctx ctx;
    seg_rng rng;
    seg_idx cand[MAX_TRIALS];
    seg_idx chunk, nc, k, step; /* step: the centre the next pass chooses */
    double *centers;
    seg_idx *indices;
} pp_run;

/* Draws the first centre (a row with probability proportional to its
 * weight) and readies the first pass, which folds it into closest. work:
 * pp_scratch() doubles. */
static void pp_start(pp_run *r, const REAL *X, const REAL *XB, seg_idx n, seg_idx d,
                     const double *sw, seg_idx k, seg_idx n_trials, uint64_t seed,
                     double *centers, seg_idx *indices, double *work) {
    r->chunk = chunk_rows(n, k, d);
    r->nc = seg_n_chunks(n, r->chunk);
    r->k = k;
    r->step = 1;
    r->centers = centers;
    r->indices = indices;
    seg_rng_seed(&r->rng, seed);
    double total = 0.0;
    for (seg_idx i = 0; i < n; i++) total += sw ? sw[i] : 1.0;
    seg_idx first = seg_scan_rows(NULL, sw, 0, n, 0.0, seg_rng_uniform(&r->rng) * total);
    row_to_double(X + first * d, d, centers);
    if (indices) indices[0] = first;
    double *closest = work, *chunk_tot = closest + pad_lanes(n);
    r->ctx = (pp_ctx){.X = X, .XB = XB, .sw = sw, .n = n, .d = d, .closest = closest,
                      .cand = r->cand, .n_trials = n_trials, .chunk_pot = chunk_tot + r->nc,
                      .chunk_tot = chunk_tot, .centre = X + first * d, .init = 1};
}

/* A pass of run r over one chunk: the first centre's fold, then each step's
 * candidates (with the previous step's centre folded in on the way). */
static void pp_chunk(pp_run *r, seg_idx c, seg_idx i0, seg_idx i1) {
    if (r->ctx.init) pp_fold_chunk(&r->ctx, c, i0, i1);
    else pp_trials_chunk(&r->ctx, c, i0, i1);
}

static void pp_one_chunk(void *vr, seg_idx c, seg_idx i0, seg_idx i1) {
    pp_chunk((pp_run *)vr, c, i0, i1);
}

/* After a pass: chooses the step's centre (the candidate of lowest
 * potential, merged in chunk order; the first on ties) and draws the next
 * step's candidates. Returns 0 when all k centres are chosen. Each step's
 * pass folds the previous step's centre into closest and tries the
 * candidates (one read of X per step, not two). The chunk totals of the
 * folded closest are the chosen candidate's potentials, known before the
 * fold; only the chunk a draw lands in must be folded before its rows are
 * scanned (folding is idempotent). */
static int pp_next(pp_run *r) {
    pp_ctx *ctx = &r->ctx;
    seg_idx nc = r->nc, n_trials = ctx->n_trials, d = ctx->d;
    if (ctx->init) {
        ctx->init = 0;
    } else {
        seg_idx best = 0;
        double best_pot = INFINITY;
        for (seg_idx t = 0; t < n_trials; t++) {
            double s = 0.0;
            for (seg_idx ch = 0; ch < nc; ch++) s += ctx->chunk_pot[ch * n_trials + t];
            if (s < best_pot) {
                best_pot = s;
                best = t;
            }
        }
        row_to_double(ctx->X + r->cand[best] * d, d, r->centers + r->step * d);
        if (r->indices) r->indices[r->step] = r->cand[best];
        for (seg_idx ch = 0; ch < nc; ch++)
            ctx->chunk_tot[ch] = ctx->chunk_pot[ch * n_trials + best];
        ctx->pending = ctx->X + r->cand[best] * d; /* closest is not needed after the last step */
        r->step++;
    }
    if (r->step >= r->k) return 0;
    double pot = 0.0;
    for (seg_idx ch = 0; ch < nc; ch++) pot += ctx->chunk_tot[ch];
    for (seg_idx t = 0; t < n_trials; t++) {
        double run, value = seg_rng_uniform(&r->rng) * pot;
        seg_idx ch = seg_pick_chunk(ctx->chunk_tot, nc, value, &run);
        seg_idx i0 = ch * r->chunk, i1 = i0 + r->chunk < ctx->n ? i0 + r->chunk : ctx->n;
        if (ctx->pending != NULL) {
            ctx->centre = ctx->pending;
            pp_fold_chunk(ctx, ch, i0, i1);
        }
        r->cand[t] = seg_scan_rows(ctx->closest, ctx->sw, i0, i1, run, value);
    }
    return 1;
}

/* k-means++ over the row blocks XB; work: pp_scratch() doubles. */
static seg_status plusplus_blocks(const REAL *X, const REAL *XB, seg_idx n, seg_idx d,
                                  const double *sw, seg_idx k, seg_idx n_trials, uint64_t seed,
                                  int nt, const seg_interrupt *intr, double *centers,
                                  seg_idx *indices, double *work) {
    pp_run r;
    pp_start(&r, X, XB, n, d, sw, k, n_trials, seed, centers, indices, work);
    seg_idx group = chunks_per_group(r.chunk, n_trials, d);
    sticky_poll sp;
    seg_interrupt si;
    r.ctx.poll = wide_poll(&sp, &si, intr, group); /* pp_next's folds poll too */
    if (r.ctx.poll != NULL) intr = &si;
    do {
        if (seg_for_chunks(pp_one_chunk, &r, n, r.chunk, spread(group, nt), nt, intr))
            return SEG_EINTERRUPTED;
    } while (pp_next(&r));
    return poll_wide(r.ctx.poll, 0.0) ? SEG_EINTERRUPTED : SEG_OK;
}

/* The reason for SEG_ENONFINITE once the input was checked finite: squared
 * distances (or sums of them) overflowed. Other statuses pass through. */
#if KM_F32
/* float32 squares overflow far sooner than float64's (FLT_MAX ~ 3.4e38). */
#define KM_REASON_OVERFLOW                                                                     \
    "NaN or infinity in the result: float32 values so far apart (|x - c| > about 1e19) that "  \
    "their squares overflow float32; rescale the data (e.g. minmax_scale) or cluster in "       \
    "float64 (dtype=numpy.float64)"
#else
#define KM_REASON_OVERFLOW SEG_REASON_OVERFLOW
#endif

static seg_status overflowed(seg_status st, seg_detail *detail) {
    return st == SEG_ENONFINITE ? seg_fail(detail, st, KM_REASON_OVERFLOW, -1) : st;
}

#if KM_F32
/* The first of count floats that is NaN or infinite, or -1. */
static seg_idx first_nonfinite_real(const float *x, seg_idx count) {
    for (seg_idx i = 0; i < count; i++)
        if (!isfinite(x[i])) return i;
    return -1;
}
#else
#define first_nonfinite_real seg_first_nonfinite
#endif

/* X (n x d) finite: SEG_ENONFINITE naming the flat index otherwise. */
static seg_status check_X(const REAL *X, seg_idx n, seg_idx d, seg_detail *detail) {
    seg_idx bad = first_nonfinite_real(X, n * d);
    return bad < 0 ? SEG_OK
                   : seg_fail(detail, SEG_ENONFINITE, "X has NaN or infinity at flat index", bad);
}

static seg_status check_plusplus(const REAL *X, seg_idx n, seg_idx d, const double *sw,
                                 seg_idx k, seg_idx n_trials, seg_detail *detail) {
    if (n < 1 || d < 1 || k < 1 || k > n)
        return seg_fail(detail, SEG_EINVAL, "needs n >= 1, d >= 1 and 1 <= k <= n", -1);
    if (n_trials < 1 || n_trials > MAX_TRIALS)
        return seg_fail(detail, SEG_EINVAL, "n_trials must be between 1 and 64", -1);
    seg_status st = check_X(X, n, d, detail);
    return st != SEG_OK ? st : seg_check_weights(sw, n, detail);
}

seg_status KM_PUB(seg_kmeans_plusplus)(const REAL *X, seg_idx n, seg_idx d, const double *sw,
                                       seg_idx k, seg_idx n_trials, uint64_t seed, int n_threads,
                                       const seg_interrupt *intr, double *centers,
                                       seg_idx *indices, double *work, seg_detail *detail) {
    if (X == NULL || centers == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "X, centers and work must not be NULL", -1);
    seg_status st = check_plusplus(X, n, d, sw, k, n_trials, detail);
    if (st != SEG_OK) return st;
    int nt = seg_resolve_threads(n_threads);
    if (make_blocks(X, n, d, k, nt, intr, (REAL *)work)) return SEG_EINTERRUPTED;
    return plusplus_blocks(X, (REAL *)work, n, d, sw, k, n_trials, seed, nt, intr, centers,
                           indices, work + xb_doubles(n, d));
}

/* ------------------------------------------------------------------------ */
/* Lloyd / Hamerly                                                           */
/* ------------------------------------------------------------------------ */

typedef struct fit_ctx {
    const REAL *X, *XB;  /* X row-major, XB in row blocks */
    const double *sw;
    seg_idx n, d, k;
    const double *C;     /* current centres, k x d */
    const REAL *CR;      /* the same as REALs (float32: rounded; float64: C itself) */
    const double *CT;    /* the same, transposed: d x pad */
    seg_idx pad;
    int32_t *labels;     /* n */
    double *dist;        /* n: Hamerly's upper bounds (NULL for Lloyd) */
    double *lower;       /* n: Hamerly lower bound on the second-nearest distance */
    const double *half;  /* k: Hamerly, half the distance to the nearest other centre */
    double *sums;        /* n_chunks x k x d */
    double *wts;         /* n_chunks x k */
    double *chunk_stat;  /* n_chunks x 2: inertia, labels changed */
    int first;           /* Hamerly: no bounds yet */
    int update;          /* accumulate sums and count label changes (0: labels + inertia) */
    double slack;        /* Hamerly: margin for rounding in the bounds (see seg_kmeans_fit) */
    const double *moved; /* Hamerly: how far each centre moved in the last update, */
    double max1, max2;   /* the largest and second largest of those moves, */
    seg_idx argmax1;     /* and the centre that moved most */
    const seg_interrupt *poll; /* Ctrl-C inside the distances (for_chunks_polled) or NULL */
} fit_ctx;

#if !KM_F32
/* Nearest and second-nearest squared distances to the k centres in CT;
 * ties go to the lower index. */
static inline seg_idx nearest2(const double *x, const double *CT, seg_idx pad, seg_idx k,
                               seg_idx d, const seg_interrupt *poll, double *d1, double *d2) {
    seg_idx best = 0;
    double b1 = INFINITY, b2 = INFINITY;
    for (seg_idx cb = 0; cb < pad; cb += VL) {
        double dd[VL];
        if (poll != NULL && d > DIST_SLICE) lanes8_polled(x, CT, pad, cb, d, dd, poll);
        else lanes8(x, CT, pad, cb, d, dd);
        seg_idx lim = k - cb < VL ? k - cb : VL;
        for (seg_idx l = 0; l < lim; l++) {
            if (dd[l] < b1) {
                b2 = b1;
                b1 = dd[l];
                best = cb + l;
            } else if (dd[l] < b2) {
                b2 = dd[l];
            }
        }
    }
    *d1 = b1;
    *d2 = b2;
    return best;
}
#endif

static void accumulate(fit_ctx *p, seg_idx c, seg_idx i, seg_idx lab, double w) {
    double *s = p->sums + (c * p->k + lab) * p->d;
    const REAL *x = p->X + i * p->d;
    for (seg_idx f = 0; f < p->d; f++) s[f] += w * x[f];
    p->wts[c * p->k + lab] += w;
}

static void clear_chunk(fit_ctx *p, seg_idx c) {
    p->chunk_stat[2 * c] = 0.0;
    p->chunk_stat[2 * c + 1] = 0.0;
    if (p->update) {
        memset(p->sums + c * p->k * p->d, 0, (size_t)(p->k * p->d) * sizeof(double));
        memset(p->wts + c * p->k, 0, (size_t)p->k * sizeof(double));
    }
}

/* lloyd_chunk sums its rows into ACC_COPIES interleaved copies (row i into
 * copy i % ACC_COPIES), merged in copy order at the end of the chunk: the
 * copies break the chain of additions to the same cluster's sums that
 * consecutive rows otherwise form. Used when k * (d + 1) <= ACC_LOCAL (the
 * copies live on the stack, 4 x 8 kB); the order of every sum is still fixed
 * by the chunk alone. */
#define ACC_COPIES 4
#define ACC_LOCAL 1024

/* s += w * x over the d features of one row of a block (x[f * VL]; in the
 * cache, as the block was just read). restrict (x never aliases the sums)
 * frees the compiler to keep the loop tight; each s[f] gets the same product
 * and sum as before (no contraction: -std=c11). Reading the row from
 * row-major X instead (contiguous) was measured slower: a second stream
 * from memory (1,000,000 x 8, K = 10, one thread: float64 22 ms a pass
 * against 12, float32 11-14 against 8.5). */
static SEG_ALWAYS_INLINE void add_row(double *restrict s, const REAL *restrict x, double w,
                                      seg_idx d) {
    for (seg_idx f = 0; f < d; f++) s[f] += w * x[f * VL];
}

/* Nearest centre of every row of the chunk, VL rows at a time (ties go to
 * the lower index, as the first centre is kept unless another is strictly
 * nearer); with update, the chunk's sums and label changes too. */
static SEG_ALWAYS_INLINE void lloyd_rows(fit_ctx *p, seg_idx c, seg_idx i0, seg_idx i1,
                                         seg_idx d) {
    clear_chunk(p, c);
    seg_idx k = p->k, per = k * (d + 1);
    int local = p->update && per <= ACC_LOCAL;
    double acc[ACC_COPIES * ACC_LOCAL];
    if (local) memset(acc, 0, (size_t)(ACC_COPIES * per) * sizeof(double));
    double inertia[VL] = {0.0}; /* per lane, summed over the lanes in order at the end */
    double changed = 0.0;
    for (seg_idx b0 = i0; b0 < i1; b0 += VL) {
        const REAL *xb = p->XB + b0 * d;
        if (poll_wide(p->poll, (double)VL * (double)k * (double)d)) break; /* abandoned */
#if SEG_GNU_C
        vreal best;
        vmask bi = {0};
        BLOCK_DIST(p, xb, p->CR, d, &best);
        for (seg_idx j = 1; j < k; j++) {
            vreal dd;
            BLOCK_DIST(p, xb, p->CR + j * d, d, &dd);
            vmask lt = dd < best;
            best = VSEL(lt, dd, best);
            bi = VSELI(lt, (vmask){0} + (LANE_INT)j, bi);
        }
#else
        REAL best[VL];
        seg_idx bi[VL] = {0};
        BLOCK_DIST(p, xb, p->CR, d, best);
        for (seg_idx j = 1; j < k; j++) {
            REAL dj[VL];
            BLOCK_DIST(p, xb, p->CR + j * d, d, dj);
            for (int l = 0; l < VL; l++) {
                if (dj[l] < best[l]) {
                    best[l] = dj[l];
                    bi[l] = j;
                }
            }
        }
#endif
        seg_idx lanes = i1 - b0 < VL ? i1 - b0 : VL;
#if SEG_GNU_C
        if (lanes == VL) {
            /* A whole block, 8 lanes at a time as vectors of doubles:
             * distances and inertia, and the sums row by row (8 features:
             * the 8 rows transposed in registers, one vector addition per
             * row). The same values in the same order as the loop below. */
            REAL bl[VL];
            memcpy(bl, &best, sizeof bl);
            int32_t *lb = p->labels + b0;
            for (int h = 0; h < HALVES; h++) {
                vd8 bh, w = (vd8){0.0} + 1.0, iv;
                load_d8(bl + 8 * h, &bh);
                if (p->sw) memcpy(&w, p->sw + b0 + 8 * h, sizeof w);
                memcpy(&iv, inertia + 8 * h, sizeof iv);
                iv += w * bh;
                memcpy(inertia + 8 * h, &iv, sizeof iv);
                if (local && d == 8) {
                    vd8 r[8], rows[8];
                    for (int f = 0; f < 8; f++) load_d8(xb + f * VL + 8 * h, &r[f]);
                    transpose8(r, rows);
                    for (int l = 0; l < 8; l++) {
                        seg_idx lab = (seg_idx)bi[8 * h + l];
                        double *a = acc + ((8 * h + l) % ACC_COPIES) * per, *sr = a + lab * 8;
                        vd8 sv;
                        memcpy(&sv, sr, sizeof sv);
                        /* w * x even without weights (w = 1: exact), so
                         * that a compiler that fuses multiply and add (clang
                         * contracts across statements' expressions) fuses it
                         * here as it does in add_row: the same bits. */
                        sv += w[l] * rows[l];
                        memcpy(sr, &sv, sizeof sv);
                        a[k * 8 + lab] += w[l];
                    }
                } else if (local) {
                    for (int l = 0; l < 8; l++) {
                        seg_idx lab = (seg_idx)bi[8 * h + l];
                        double *a = acc + ((8 * h + l) % ACC_COPIES) * per;
                        add_row(a + lab * d, xb + 8 * h + l, w[l], d);
                        a[k * d + lab] += w[l];
                    }
                } else if (p->update) {
                    for (int l = 0; l < 8; l++) {
                        accumulate(p, c, b0 + 8 * h + l, (seg_idx)bi[8 * h + l], w[l]);
                        if (poll_wide(p->poll, (double)d)) break; /* a row's sums */
                    }
                }
            }
            int32_t now[VL];
            for (int l = 0; l < VL; l++) now[l] = (int32_t)bi[l];
            if (p->update) { /* predict's labels are outputs: never read */
                int moved = 0;
                for (int l = 0; l < VL; l++) moved += lb[l] != now[l];
                changed += (double)moved;
            }
            memcpy(lb, now, sizeof now);
            continue;
        }
#endif
        for (seg_idx l = 0; l < lanes; l++) {
            seg_idx i = b0 + l, lab = (seg_idx)bi[l];
            double dd = best[l], w = p->sw ? p->sw[i] : 1.0;
            if (p->update && p->labels[i] != (int32_t)lab) changed += 1.0;
            p->labels[i] = (int32_t)lab;
            inertia[l] += w * dd;
            if (local) {
                double *a = acc + (l % ACC_COPIES) * per;
                add_row(a + lab * d, xb + l, w, d); /* the row, from the block just read */
                a[k * d + lab] += w;
            } else if (p->update) {
                accumulate(p, c, i, lab, w);
                if (poll_wide(p->poll, (double)d)) break; /* a row's sums */
            }
        }
    }
    if (local) {
        double *s = p->sums + c * k * d, *wt = p->wts + c * k;
        for (seg_idx j = 0; j < per; j++) {
            double v = 0.0;
            for (int r = 0; r < ACC_COPIES; r++) v += acc[r * per + j];
            if (j < k * d) s[j] = v;
            else wt[j - k * d] = v;
        }
    }
    double total = 0.0;
    for (int l = 0; l < VL; l++) total += inertia[l];
    p->chunk_stat[2 * c] = total;
    p->chunk_stat[2 * c + 1] = changed;
}

SEG_MULTIVERSION
static void lloyd_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    DISPATCH_D(((fit_ctx *)vctx)->d, lloyd_rows, (fit_ctx *)vctx, c, i0, i1)
}

#if !KM_F32
SEG_MULTIVERSION
static void hamerly_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    fit_ctx *p = (fit_ctx *)vctx;
    clear_chunk(p, c);
    double changed = 0.0;
    for (seg_idx i = i0; i < i1; i++) {
        const double *x = p->X + i * p->d;
        seg_idx lab = p->labels[i];
        /* A row's own distance, or all k at the first pass (the full
         * searches of later passes are not counted: polls come less often
         * then, at most k times less). */
        if (poll_wide(p->poll, (double)p->d * (p->first ? (double)p->k : 1.0)))
            break; /* stopped: the pass is abandoned */
        if (p->first) {
            double d1, d2;
            lab = nearest2(x, p->CT, p->pad, p->k, p->d, p->poll, &d1, &d2);
            p->dist[i] = sqrt(d1);
            p->lower[i] = sqrt(d2);
            changed += 1.0;
        } else {
            /* The bounds follow the centres' last moves (here, in the parallel
             * pass, rather than in a serial pass of their own). */
            p->dist[i] += p->moved[lab];
            p->lower[i] -= lab == p->argmax1 ? p->max2 : p->max1;
            /* The label is proven only when its distance is below every other
             * centre's by more than the rounding slack; a tie (or a near tie)
             * is settled by the full search, lower index first, as Lloyd does. */
            double m = (p->half[lab] > p->lower[i] ? p->half[lab] : p->lower[i]) - p->slack;
            if (p->dist[i] >= m) {
                p->dist[i] = sqrt(seg_sqdist(x, p->C + lab * p->d, p->d));
                if (p->dist[i] >= m) {
                    double d1, d2;
                    seg_idx now = nearest2(x, p->CT, p->pad, p->k, p->d, p->poll, &d1, &d2);
                    if (now != lab) changed += 1.0;
                    lab = now;
                    p->dist[i] = sqrt(d1);
                    p->lower[i] = sqrt(d2);
                }
            }
        }
        p->labels[i] = (int32_t)lab;
        if (p->update) accumulate(p, c, i, lab, p->sw ? p->sw[i] : 1.0);
    }
    p->chunk_stat[2 * c + 1] = changed;
}
#endif

#if KM_F32
/* Squared distance of two rows in float, features in order (block_dist's
 * lanes, one row at a time: the same bits). */
static inline float real_sqdist(const float *a, const float *b, seg_idx d) {
    float s = 0.0f;
    for (seg_idx f = 0; f < d; f++) {
        float t = a[f] - b[f];
        s += t * t;
    }
    return s;
}
#else
#define real_sqdist seg_sqdist
#endif

typedef struct inertia_ctx {
    const REAL *X;
    const double *sw;
    const REAL *C; /* the centres as the passes see them (fit_ctx's CR) */
    const int32_t *labels;
    seg_idx d;
    double *chunk_inertia;
    double *dist; /* optional: squared distance to own centre */
    const seg_interrupt *poll; /* wide rows: Ctrl-C row by row (wide_poll) or NULL */
} inertia_ctx;

static void inertia_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    inertia_ctx *p = (inertia_ctx *)vctx;
    double s = 0.0;
    for (seg_idx i = i0; i < i1; i++) {
        double dd = real_sqdist(p->X + i * p->d, p->C + (seg_idx)p->labels[i] * p->d, p->d);
        if (p->dist) p->dist[i] = dd;
        s += p->sw ? p->sw[i] * dd : dd;
        if (poll_wide(p->poll, (double)p->d)) break;
    }
    p->chunk_inertia[c] = s;
}

/* Scratch of the Lloyd / Hamerly iterations beside the row blocks. */
static seg_idx fit_scratch(seg_idx n, seg_idx d, seg_idx k, seg_kmeans_algorithm algorithm) {
    seg_idx nc = seg_n_chunks(n, chunk_rows(n, k, d));
    seg_idx kd = seg_mul_add(k, d, 0);
    seg_idx acc = seg_mul_add(nc, seg_mul_add(k, d + 1, 2), 0);
    if (kd < 0 || acc < 0) return -1;
    seg_idx per_point = algorithm == SEG_KMEANS_HAMERLY ? 2 : 1;
    seg_idx total = seg_mul_add(n, per_point, 0);
    if (total < 0 || total > PTRDIFF_MAX - acc - 2 * kd - 4 * k) return -1;
    seg_idx ct = seg_mul_add(d, pad_lanes(k), 0);
    if (ct < 0 || total + acc + 2 * kd + 4 * k > PTRDIFF_MAX - ct) return -1;
    return total + acc + 2 * kd + 4 * k + ct;
}

seg_idx KM_PUB(seg_kmeans_fit_work_size)(seg_idx n, seg_idx d, seg_idx k,
                                         seg_kmeans_algorithm algorithm) {
    if (n < 1 || d < 1 || k < 1) return -1;
    seg_idx s = fit_scratch(n, d, k, algorithm);
    return s < 0 ? -1 : seg_add_sizes(xb_doubles(n, d), s);
}

/* Re-seeds every cluster with zero weight (see the header) and returns how
 * many it re-seeded. sums/wsum hold the merged sums; dist the squared
 * distance of each row to its centre. Only a row away from its centre can
 * re-seed: moving a row that sits on its centre lowers nothing, and with
 * fewer distinct points than clusters it would make the centres chase each
 * other forever. "On its centre" allows for the rounding of a mean of up to n
 * rows: ||x - c||^2 <= (n eps)^2 ||x||^2. An empty cluster left without a
 * row away from its centre keeps its centre (float32: a row on its centre is
 * exactly on its rounded centre, distance 0). row: d doubles of scratch. */
static seg_idx relocate_empty(const REAL *X, const double *sw, seg_idx n, seg_idx d, seg_idx k,
                              const int32_t *labels, double *dist, double *sums, double *wsum,
                              double *newc, double *row) {
    seg_idx moved = 0;
    double rel = (double)n * DBL_EPSILON;
    rel *= rel;
    for (seg_idx c = 0; c < k; c++) {
        if (wsum[c] > 0.0) continue;
        seg_idx far = -1;
        double fd = 0.0;
        for (seg_idx i = 0; i < n; i++) {
            if (sw != NULL && !(sw[i] > 0.0)) continue; /* a zero weight cannot fill it */
            if (dist[i] > fd) {
                double norm2 = 0.0;
                for (seg_idx f = 0; f < d; f++) {
                    double x = X[i * d + f];
                    norm2 += x * x;
                }
                if (dist[i] <= rel * norm2) continue; /* on its centre, to rounding */
                fd = dist[i];
                far = i;
            }
        }
        if (far < 0) return moved; /* no row away from its centre is left */
        dist[far] = -2.0;    /* chosen: never again */
        row_to_double(X + far * d, d, row);
        seg_move_to_empty(row, sw ? sw[far] : 1.0, labels[far], c, d, k, sums, wsum, newc);
        moved++;
    }
    return moved;
}

/* count centre values finite (SEG_ENONFINITE with `what`, which names the
 * flat index) and, for float32, within float's range (rounded for the
 * passes). */
static seg_status check_centres(const double *c, seg_idx count, const char *what,
                                seg_detail *detail) {
    seg_idx bad = seg_first_nonfinite(c, count);
    if (bad >= 0) return seg_fail(detail, SEG_ENONFINITE, what, bad);
#if KM_F32
    for (seg_idx j = 0; j < count; j++)
        if (fabs(c[j]) > FLT_MAX)
            return seg_fail(detail, SEG_EINVAL,
                            "a centre is beyond float32's range at flat index", j);
#endif
    return SEG_OK;
}

/* X NULL: X and sw were checked already. `what` names the centres. */
static seg_status check_fit(const REAL *X, seg_idx n, seg_idx d, const double *sw, seg_idx k,
                            const double *centers, seg_idx n_centres, const char *what,
                            int max_iter, double tol, seg_kmeans_algorithm algorithm,
                            seg_detail *detail) {
    if (n < 1 || d < 1 || k < 1 || k > n)
        return seg_fail(detail, SEG_EINVAL, "needs n >= 1, d >= 1 and 1 <= k <= n", -1);
    if (max_iter < 1) return seg_fail(detail, SEG_EINVAL, "max_iter must be >= 1", -1);
    if (!(tol >= 0.0)) return seg_fail(detail, SEG_EINVAL, "tol must be >= 0", -1);
    if (!isfinite(tol)) return seg_fail(detail, SEG_ENONFINITE, "tol must be finite", -1);
    if (algorithm != SEG_KMEANS_LLOYD && algorithm != SEG_KMEANS_HAMERLY)
        return seg_fail(detail, SEG_EINVAL, "algorithm must be Lloyd (0) or Hamerly (1)", -1);
    if (KM_F32 && algorithm != SEG_KMEANS_LLOYD)
        return seg_fail(detail, SEG_EINVAL, "float32 X runs Lloyd only (Hamerly: float64 X)", -1);
    seg_status st = X ? check_X(X, n, d, detail) : SEG_OK;
    if (st != SEG_OK) return st;
    st = centers ? check_centres(centers, n_centres * d, what, detail) : SEG_OK;
    if (st != SEG_OK) return st;
    return X ? seg_check_weights(sw, n, detail) : SEG_OK;
}

/* One Lloyd / Hamerly run as a state machine, so that several runs can share
 * every pass over the data (fit_runs_batched) as well as run alone
 * (fit_blocks): fit_begin, then fit_before_pass, a pass of s->step over the
 * chunks, fit_after_pass, until s->stop; then one pass of final_chunk and
 * fit_finish. Each pass over a chunk is a function of that run's state and
 * the chunk alone, so a run gives the same bits alone or batched. */
typedef struct fit_state {
    fit_ctx ctx;      /* the iteration passes */
    fit_ctx fin;      /* the final labelling pass (Lloyd, no update) */
    inertia_ctx ic;   /* or the final inertia pass after strict convergence */
    seg_chunk_fn step;
    seg_idx nc, chunk, group;
    double *centers, *dist, *newc, *oldc, *wsum, *half, *moved, *CT;
    REAL *CR; /* the centres the passes use: float32, rounded into CT's space */
    double tol;
    int hamerly, max_iter, it, strict, conv, stop;
} fit_state;

/* Scratch of fit_begin beside `dist` (n doubles, which Lloyd runs may share:
 * only the serial fit_after_pass uses it). */
static seg_idx fit_state_scratch(seg_idx n, seg_idx d, seg_idx k,
                                 seg_kmeans_algorithm algorithm) {
    seg_idx s = fit_scratch(n, d, k, algorithm);
    return s < 0 ? -1 : s - n;
}

#if KM_F32
/* The centres (k x d doubles) rounded to float for the passes. */
static void round_centres(const double *centers, seg_idx kd, float *out) {
    for (seg_idx j = 0; j < kd; j++) out[j] = (float)centers[j];
}
#endif

/* Carves the scratch (work: fit_state_scratch() doubles; dist: n doubles)
 * and sets up the run from the k x d centres in `centers`. */
static void fit_begin(fit_state *s, const REAL *X, const REAL *XB, seg_idx n, seg_idx d,
                      const double *sw, seg_idx k, double *centers, int max_iter, double tol,
                      seg_kmeans_algorithm algorithm, int32_t *labels, double *dist,
                      double *work) {
    int hamerly = algorithm == SEG_KMEANS_HAMERLY;
    seg_idx chunk = chunk_rows(n, k, d);
    seg_idx nc = seg_n_chunks(n, chunk);
    double *w = work;
    double *lower = NULL;
    if (hamerly) {
        lower = w;
        w += n;
    }
    double *sums = w;
    w += nc * k * d;
    double *wts = w;
    w += nc * k;
    double *chunk_stat = w;
    w += 2 * nc;
    memset(s, 0, sizeof *s);
    s->newc = w;
    w += k * d;
    s->oldc = w;
    w += k * d;
    s->wsum = w;
    w += k;
    s->half = w;
    w += k;
    s->moved = w;
    w += k;
    seg_idx pad = pad_lanes(k);
    s->CT = w; /* d x pad: the current centres, transposed */
#if KM_F32
    s->CR = (float *)s->CT; /* k x d floats fit in d x pad doubles */
#else
    s->CR = centers;
#endif

#if !KM_F32
    /* Hamerly's bounds gather rounding error, at most a few hundred ulps of
     * the data's diameter over max_iter updates; rows within 1e-10 of the
     * diameter of a bound are always rechecked, so the labels are exactly
     * Lloyd's. */
    double slack = 0.0;
    if (hamerly) {
        double diam2 = 0.0;
        for (seg_idx f = 0; f < d; f++) {
            double lo = X[f], hi = X[f];
            for (seg_idx i = 1; i < n; i++) {
                double v = X[i * d + f];
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            for (seg_idx c = 0; c < k; c++) {
                double v = centers[c * d + f];
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            diam2 += (hi - lo) * (hi - lo);
        }
        slack = 1e-10 * sqrt(diam2);
    }
#else
    double slack = 0.0;
#endif
    for (seg_idx i = 0; i < n; i++) labels[i] = -1;
    s->ctx = (fit_ctx){.X = X, .XB = XB, .sw = sw, .n = n, .d = d, .k = k, .C = centers,
                       .CR = s->CR, .CT = s->CT, .pad = pad, .labels = labels,
                       .dist = hamerly ? dist : NULL, .lower = lower, .half = s->half,
                       .sums = sums, .wts = wts, .chunk_stat = chunk_stat, .first = 1,
                       .update = 1, .slack = slack, .moved = s->moved};
#if KM_F32
    s->step = lloyd_chunk;
#else
    s->step = hamerly ? hamerly_chunk : lloyd_chunk;
#endif
    s->nc = nc;
    s->chunk = chunk;
    s->group = chunks_per_group(chunk, k, d);
    s->centers = centers;
    s->dist = dist;
    s->tol = tol;
    s->hamerly = hamerly;
    s->max_iter = max_iter;
#if KM_F32
    round_centres(centers, k * d, s->CR);
#endif
}

static void fit_before_pass(fit_state *s) {
    seg_idx k = s->ctx.k, d = s->ctx.d;
    const double *centers = s->centers;
#if KM_F32
    (void)k, (void)d, (void)centers; /* rounded by fit_begin and fit_after_pass */
#else
    if (!s->hamerly) return;
    if (!s->ctx.first) {
        /* half[c]: half the distance from centre c to its nearest other centre. */
        double *half = s->half;
        for (seg_idx c = 0; c < k; c++) half[c] = INFINITY;
        for (seg_idx a = 0; a < k; a++)
            for (seg_idx b = a + 1; b < k; b++) {
                double dd = 0.5 * sqrt(seg_sqdist(centers + a * d, centers + b * d, d));
                if (dd < half[a]) half[a] = dd;
                if (dd < half[b]) half[b] = dd;
                if (poll_wide(s->ctx.poll, (double)d)) return; /* a pair of centres */
            }
    }
    transpose_pad(centers, k, d, s->ctx.pad, s->CT, s->ctx.poll);
#endif
}

/* After an iteration pass: merge the chunks' sums in chunk order, re-seed
 * empty clusters, move the centres and test convergence (sets s->stop and
 * the final pass's context). */
static seg_status fit_after_pass(fit_state *s, int nt, const seg_interrupt *intr) {
    fit_ctx *p = &s->ctx;
    const REAL *X = p->X;
    const double *sw = p->sw;
    seg_idx n = p->n, k = p->k, d = p->d, nc = s->nc;
    double *centers = s->centers, *newc = s->newc, *wsum = s->wsum, *moved = s->moved;
    p->first = 0;
    double changed = seg_merge_chunk_sums(p->sums, p->wts, p->chunk_stat, nc, k, d, newc, wsum);
    if (poll_wide(p->poll, (double)nc * (double)k * (double)d)) return SEG_EINTERRUPTED;
    int any_empty = 0;
    seg_idx relocated = 0;
    for (seg_idx c = 0; c < k; c++) any_empty |= !(wsum[c] > 0.0);
    if (any_empty) {
        /* Exact squared distances to the current centres for the choice. */
        inertia_ctx ic = {X, sw, s->CR, p->labels, d, p->chunk_stat, s->dist, p->poll};
        if (seg_for_chunks(inertia_chunk, &ic, n, s->chunk, s->group, nt, intr))
            return SEG_EINTERRUPTED;
        relocated =
            relocate_empty(X, sw, n, d, k, p->labels, s->dist, newc, wsum, newc, s->oldc);
        if (s->hamerly) p->first = 1; /* dist now holds squared distances: rebuild bounds */
    }
    seg_centres_from_sums(newc, wsum, centers, k, d);
    if (poll_wide(p->poll, (double)k * (double)d)) return SEG_EINTERRUPTED;
    /* Shift, then the new centres become current. */
    double shift = 0.0, max1 = 0.0, max2 = 0.0;
    seg_idx argmax1 = -1;
    for (seg_idx c = 0; c < k; c++) {
        double s2 = seg_sqdist(newc + c * d, centers + c * d, d);
        shift += s2;
        moved[c] = sqrt(s2);
        if (moved[c] > max1) {
            max2 = max1;
            max1 = moved[c];
            argmax1 = c;
        } else if (moved[c] > max2) {
            max2 = moved[c];
        }
    }
    if (copy_out(s->oldc, centers, k * d, p->poll) || copy_out(centers, newc, k * d, p->poll))
        return SEG_EINTERRUPTED;
#if KM_F32
    round_centres(centers, k * d, s->CR); /* for the next pass (the batched runs skip
                                           * fit_before_pass) or the final one */
#endif
    p->max1 = max1; /* the next Hamerly pass moves the bounds by these */
    p->max2 = max2;
    p->argmax1 = argmax1;
    s->it++;
    if (changed == 0.0 && relocated == 0) {
        s->strict = 1;
        s->conv = 1;
    } else if (shift <= s->tol) {
        s->conv = 1;
    }
    s->stop = s->conv || s->it >= s->max_iter;
    if (s->stop) {
        /* Labels must be the nearest final centre: re-assign unless Lloyd's
         * last pass already used these exact centres (strict convergence).
         * Hamerly always gets the pass: it is cheap insurance for its bounds. */
        s->fin = (fit_ctx){.X = X, .XB = p->XB, .sw = sw, .n = n, .d = d, .k = k, .C = centers,
                           .CR = s->CR, .CT = s->CT, .pad = p->pad, .labels = p->labels,
                           .chunk_stat = p->chunk_stat};
        s->ic = (inertia_ctx){X, sw, s->CR, p->labels, d, p->chunk_stat, NULL, NULL};
    }
    return SEG_OK;
}

/* The final pass over one chunk (after s->stop). */
static void final_chunk(void *vs, seg_idx c, seg_idx i0, seg_idx i1) {
    fit_state *s = (fit_state *)vs;
    if (!s->strict || s->hamerly) lloyd_chunk(&s->fin, c, i0, i1);
    else inertia_chunk(&s->ic, c, i0, i1);
}

/* After the final pass: the inertia, iterations and convergence. */
static seg_status fit_finish(const fit_state *s, double *inertia, int *n_iter, int *converged) {
    const double *stat = s->ctx.chunk_stat;
    int lloyd_stat = !s->strict || s->hamerly; /* lloyd_chunk: 2 per chunk; inertia_chunk: 1 */
    double total = 0.0;
    for (seg_idx ch = 0; ch < s->nc; ch++) total += stat[lloyd_stat ? 2 * ch : ch];
    *inertia = total;
    *n_iter = s->it;
    *converged = s->conv;
    /* Finite input can still overflow when squared (|x| > 1e154). */
    if (!isfinite(total) || !seg_all_finite(s->centers, s->ctx.k * s->ctx.d))
        return SEG_ENONFINITE;
    return SEG_OK;
}

/* Lloyd / Hamerly over X and its row blocks XB; work: fit_scratch() doubles. */
static seg_status fit_blocks(const REAL *X, const REAL *XB, seg_idx n, seg_idx d,
                             const double *sw, seg_idx k, double *centers, int max_iter,
                             double tol, seg_kmeans_algorithm algorithm, int nt,
                             const seg_interrupt *intr, int32_t *labels, double *inertia,
                             int *n_iter, int *converged, double *work) {
    fit_state s;
    sticky_poll sp;
    seg_interrupt si;
    const seg_interrupt *poll =
        wide_poll(&sp, &si, intr, chunks_per_group(chunk_rows(n, k, d), k, d));
    /* Very wide rows: the scratch's pages faulted in first, with polls (two
     * threads faulting in the k x d sums and centres of their runs in the
     * memsets and copies between passes went 0.5-0.8 s without a poll). */
    if (poll != NULL && touch_pages(work, fit_scratch(n, d, k, algorithm), poll))
        return SEG_EINTERRUPTED;
    fit_begin(&s, X, XB, n, d, sw, k, centers, max_iter, tol, algorithm, labels, work,
              work + n);
    s.group = spread(s.group, nt);
    s.ctx.poll = poll;
    if (poll != NULL) intr = &si;
    while (!s.stop) {
        fit_before_pass(&s);
        if (seg_for_chunks(s.step, &s.ctx, n, s.chunk, s.group, nt, intr))
            return SEG_EINTERRUPTED;
        seg_status st = fit_after_pass(&s, nt, intr);
        if (st != SEG_OK) return st;
    }
    s.fin.poll = s.ic.poll = s.ctx.poll;
    if (seg_for_chunks(final_chunk, &s, n, s.chunk, s.group, nt, intr)) return SEG_EINTERRUPTED;
    return fit_finish(&s, inertia, n_iter, converged);
}

seg_status KM_PUB(seg_kmeans_fit)(const REAL *X, seg_idx n, seg_idx d, const double *sw,
                                  seg_idx k, double *centers, int max_iter, double tol,
                                  seg_kmeans_algorithm algorithm, int n_threads,
                                  const seg_interrupt *intr, int32_t *labels, double *inertia,
                                  int *n_iter, int *converged, double *work, seg_detail *detail) {
    if (X == NULL || centers == NULL || labels == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "X, centers, labels and work must not be NULL", -1);
    seg_status st = check_fit(X, n, d, sw, k, centers, k,
                              "centers has NaN or infinity at flat index", max_iter, tol,
                              algorithm, detail);
    if (st != SEG_OK) return st;
    int nt = seg_resolve_threads(n_threads);
    if (make_blocks(X, n, d, k, nt, intr, (REAL *)work)) return SEG_EINTERRUPTED;
    return overflowed(fit_blocks(X, (REAL *)work, n, d, sw, k, centers, max_iter, tol, algorithm,
                                 nt, intr, labels, inertia, n_iter, converged,
                                 work + xb_doubles(n, d)),
                      detail);
}

/* ------------------------------------------------------------------------ */
/* Several runs                                                              */
/* ------------------------------------------------------------------------ */


/* Scratch of one run: its centres, labels (int32), k-means++ and Lloyd work. */
static seg_idx run_slot_size(seg_idx n, seg_idx d, seg_idx k, seg_idx n_trials,
                             seg_kmeans_algorithm algorithm) {
    seg_idx pp = pp_scratch(n, d, k, n_trials);
    seg_idx fit = fit_scratch(n, d, k, algorithm);
    seg_idx kd = seg_mul_add(k, d, 0);
    if (pp < 0 || fit < 0 || kd < 0) return -1;
    return seg_add_sizes(seg_add_sizes(kd, n / 2 + 1), pp > fit ? pp : fit);
}

/* Scratch of the final labelling: the chunks' inertia and changes (float32:
 * and the centres rounded to float). */
static seg_idx predict_scratch(seg_idx n, seg_idx d, seg_idx k) {
    seg_idx s = 2 * seg_n_chunks(n, chunk_rows(n, k, d));
#if KM_F32
    s = seg_add_sizes(s, real_doubles(seg_mul_add(k, d, 0))); /* the rounded centres */
#endif
    return s;
}

/* Runs share their passes over the data (fit_runs_batched) in groups of at
 * most BATCH_RUNS, when Lloyd runs several times over row blocks too large
 * for the caches (more than BATCH_MIN_BYTES): each chunk is then read from
 * memory once per iteration for all the runs instead of once per run. */
#define BATCH_RUNS 16
#ifndef SEG_KMEANS_BATCH_MIN_BYTES /* the fuzz build sets 0: every Lloyd n_init >= 2 batched */
#define SEG_KMEANS_BATCH_MIN_BYTES (1 << 24)
#endif
#define BATCH_MIN_BYTES ((double)(SEG_KMEANS_BATCH_MIN_BYTES))

/* Not when one chunk holds more than GROUP_WORK values (few rows of tens of
 * thousands of features or more): its rows do not stay in the caches for
 * the next run anyway, and a batched pass over it (every run's work) would
 * go seconds without a Ctrl-C poll (4 rows x 5,000,000 features, n_init=4:
 * 1.75 s). Batched or not, the results are the same bits. */
static int use_batched(seg_idx n, seg_idx d, const seg_kmeans_params *p) {
    return p->algorithm == SEG_KMEANS_LLOYD && p->n_init >= 2 &&
           (double)pad_lanes(n) * (double)d * sizeof(REAL) > BATCH_MIN_BYTES &&
           (double)chunk_rows(n, p->k, d) * (double)d <= GROUP_WORK;
}

/* The batched runs' scratch: one buffer for the re-seeding distances (n),
 * then per run of a group its labels and a region for its k-means++ (seeded
 * together) and then its fit_begin scratch. */
static seg_idx batch_slot(seg_idx n, seg_idx d, seg_idx k, seg_idx n_trials) {
    seg_idx fs = fit_state_scratch(n, d, k, SEG_KMEANS_LLOYD);
    seg_idx pp = pp_scratch(n, d, k, n_trials);
    return fs < 0 || pp < 0 ? -1 : seg_add_sizes(n / 2 + 1, fs > pp ? fs : pp);
}

/* Scratch of the runs (before their centres, stats and the row blocks):
 * batched, or nt slots of run_slot_size() for parallel runs, or one. */
/* Runs per batch: all of them, or with parallel runs (n_init >= 2 * nt) a
 * thread's share, at most BATCH_RUNS. */
static int batch_size(int n_init, int nt) {
    int b = n_init >= 2 * nt ? (n_init + nt - 1) / nt : n_init;
    return b < BATCH_RUNS ? b : BATCH_RUNS;
}

/* Scratch of the runs (before their centres, stats and the row blocks): for
 * batched runs, per batch (one, or one per thread with parallel runs) a
 * buffer for k-means++ and the re-seeding distances (n) and each run's
 * batch_slot(); else nt slots of run_slot_size() for parallel runs, or one. */
static seg_idx runs_region(seg_idx n, seg_idx d, const seg_kmeans_params *p, int nt,
                           int *batched) {
    int b = use_batched(n, d, p);
    seg_idx slots = p->n_init >= 2 * nt ? nt : 1;
    if (batched) *batched = b;
    if (b) {
        seg_idx per = batch_slot(n, d, p->k, p->n_trials);
        if (per < 0) return -1;
        seg_idx one = seg_mul_add(batch_size(p->n_init, nt), per, n);
        return seg_mul_add(slots, one, 0);
    }
    return seg_mul_add(slots, run_slot_size(n, d, p->k, p->n_trials, p->algorithm), 0);
}

seg_idx KM_PUB(seg_kmeans_runs_work_size)(seg_idx n, seg_idx d,
                                           const seg_kmeans_params *params) {
    if (params == NULL) return -1;
    seg_idx k = params->k, n_trials = params->n_trials;
    int n_init = params->n_init;
    if (n < 1 || d < 1 || k < 1 || n_init < 1 || n_trials < 1) return -1;
    int nt = seg_resolve_threads(params->n_threads);
    seg_idx all = runs_region(n, d, params, nt, NULL);
    seg_idx per_run = seg_mul_add(n_init, seg_mul_add(k, d, 3), 0);
    seg_idx blocks = seg_add_sizes(xb_doubles(n, d), predict_scratch(n, d, k));
    return seg_add_sizes(seg_add_sizes(all, per_run), blocks);
}

/* Interrupts inside parallel runs: the calling thread asks the caller's
 * callback and raises a shared flag; the other threads only read the flag. */
typedef struct run_stop {
    const seg_interrupt *user; /* NULL for worker threads */
    atomic_int *flag;
} run_stop;

static int run_stop_check(void *ctx) {
    run_stop *r = (run_stop *)ctx;
    if (atomic_load_explicit(r->flag, memory_order_relaxed)) return 1;
    if (r->user != NULL && seg_interrupted(r->user)) {
        atomic_store_explicit(r->flag, 1, memory_order_relaxed);
        return 1;
    }
    return 0;
}

static seg_status predict_blocks(const REAL *XB, seg_idx n, seg_idx d, const double *sw,
                                 const double *centers, seg_idx k, int nt,
                                 const seg_interrupt *intr, int32_t *labels, double *inertia,
                                 double *work);

static seg_status one_run(const REAL *X, const REAL *XB, seg_idx n, seg_idx d,
                          const double *sw, seg_idx k, uint64_t seed, seg_idx n_trials,
                          const double *init, int max_iter, double tol,
                          seg_kmeans_algorithm algorithm, int nt, const seg_interrupt *intr,
                          double *slot, double *out_centers, double *out_stats) {
    double *c = slot;
    int32_t *lab = (int32_t *)(slot + k * d);
    double *w = slot + k * d + n / 2 + 1;
    seg_status st;
    if (init != NULL) {
        memcpy(c, init, (size_t)(k * d) * sizeof(double));
    } else {
        st = plusplus_blocks(X, XB, n, d, sw, k, n_trials, seed, nt, intr, c, NULL, w);
        if (st != SEG_OK) return st;
    }
    double inertia;
    int it, conv;
    st = fit_blocks(X, XB, n, d, sw, k, c, max_iter, tol, algorithm, nt, intr, lab, &inertia,
                    &it, &conv, w);
    if (st != SEG_OK) return st;
    if (copy_out(out_centers, c, k * d, intr)) return SEG_EINTERRUPTED; /* fresh pages */
    out_stats[0] = inertia;
    out_stats[1] = (double)it;
    out_stats[2] = (double)conv;
    return SEG_OK;
}

/* Lloyd passes shared by a group of runs: each chunk runs every unfinished
 * run's pass over its rows in turn, while the rows are in the cache. */
typedef struct batch_ctx {
    fit_state *runs;
    int *phase; /* 0 iterating, 1 final pass due, 2 done */
    int n_runs;
} batch_ctx;

/* k-means++ of a group of runs, in lockstep: each chunk does every run's
 * pass over its rows in turn. */
typedef struct pp_batch {
    pp_run *runs;
    int n_runs;
} pp_batch;

static void pp_batch_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    pp_batch *b = (pp_batch *)vctx;
    for (int j = 0; j < b->n_runs; j++) pp_chunk(&b->runs[j], c, i0, i1);
}

static void batch_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    batch_ctx *b = (batch_ctx *)vctx;
    for (int j = 0; j < b->n_runs; j++) {
        if (b->phase[j] == 0) b->runs[j].step(&b->runs[j].ctx, c, i0, i1);
        else if (b->phase[j] == 1) final_chunk(&b->runs[j], c, i0, i1);
    }
}

/* The Lloyd runs first, first + stride, ... of fit_runs, in batches of
 * `size` (<= BATCH_RUNS) sharing every pass: the batch's k-means++ steps in
 * lockstep, then its iterations in lockstep until each run is final. Every run gives the bits it gives alone (one_run). Writes
 * run_centers and run_stats as one_run does, and on failure the run at
 * fault in *failed; work: one batch's runs_region() share. */
static seg_status fit_runs_batched(const REAL *X, const REAL *XB, seg_idx n, seg_idx d,
                                   const double *sw, const seg_kmeans_params *p, int first,
                                   int stride, int size, int nt, const seg_interrupt *intr,
                                   double *run_centers, double *run_stats, double *work,
                                   int *failed) {
    seg_idx k = p->k, per = batch_slot(n, d, k, p->n_trials);
    double *shared = work, *slots = work + n;
    fit_state runs[BATCH_RUNS];
    pp_run seeding[BATCH_RUNS];
    int phase[BATCH_RUNS], index[BATCH_RUNS];
    int count = first < p->n_init ? (p->n_init - first + stride - 1) / stride : 0;
    seg_status st = SEG_OK;
    for (int g0 = 0; g0 < count && st == SEG_OK; g0 += size) {
        int nb = count - g0 < size ? count - g0 : size;
        for (int j = 0; j < nb; j++) {
            int r = index[j] = first + (g0 + j) * stride;
            double *c = run_centers + (seg_idx)r * k * d;
            if (p->init_centers != NULL)
                memcpy(c, p->init_centers + (seg_idx)r * k * d, (size_t)(k * d) * sizeof(double));
            else
                pp_start(&seeding[j], X, XB, n, d, sw, k, p->n_trials, p->seeds[r], c, NULL,
                         slots + j * per + n / 2 + 1);
        }
        if (p->init_centers == NULL) {
            /* Each pass in sub-batches of runs whose work on one chunk stays
             * within GROUP_WORK, so that Ctrl-C is polled as often as alone
             * (a chunk of many features times 16 runs went seconds without
             * a poll); and a poll after each run's serial draws. */
            seg_idx g1 = chunks_per_group(seeding[0].chunk, p->n_trials, d);
            int sub = g1 >= nb ? nb : (int)g1;
            *failed = index[0];
            do {
                for (int j0 = 0; j0 < nb; j0 += sub) {
                    pp_batch pb = {seeding + j0, nb - j0 < sub ? nb - j0 : sub};
                    seg_idx group = g1 / pb.n_runs;
                    if (seg_for_chunks(pp_batch_chunk, &pb, n, seeding[0].chunk,
                                       spread(group > 0 ? group : 1, nt), nt, intr))
                        return SEG_EINTERRUPTED;
                }
                int more = 0;
                for (int j = 0; j < nb; j++) {
                    more |= pp_next(&seeding[j]);
                    if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
                }
                if (!more) break;
            } while (1);
        }
        for (int j = 0; j < nb && st == SEG_OK; j++) {
            int r = index[j];
            double *c = run_centers + (seg_idx)r * k * d;
            *failed = r;
            double *slot = slots + j * per;
            fit_begin(&runs[j], X, XB, n, d, sw, k, c, p->max_iter, p->tol, SEG_KMEANS_LLOYD,
                      (int32_t *)slot, shared, slot + n / 2 + 1);
            phase[j] = 0;
        }
        batch_ctx b = {runs, phase, nb};
        for (int left = nb; left > 0 && st == SEG_OK;) {
            seg_idx group = runs[0].group / left;
            *failed = index[0];
            if (seg_for_chunks(batch_chunk, &b, n, runs[0].chunk, spread(group > 0 ? group : 1, nt),
                               nt, intr))
                return SEG_EINTERRUPTED;
            for (int j = 0; j < nb && st == SEG_OK; j++) {
                *failed = index[j];
                if (phase[j] == 1) {
                    int it, conv;
                    double *stats = run_stats + 3 * index[j];
                    st = fit_finish(&runs[j], stats, &it, &conv);
                    stats[1] = (double)it;
                    stats[2] = (double)conv;
                    phase[j] = 2;
                    left--;
                } else if (phase[j] == 0) {
                    st = fit_after_pass(&runs[j], nt, intr);
                    if (runs[j].stop) phase[j] = 1;
                }
            }
        }
    }
    return st;
}

/* seg_kmeans_fit_runs once its arguments are checked. */
static seg_status fit_runs(const REAL *X, seg_idx n, seg_idx d, const double *sw,
                           const seg_kmeans_params *params, const seg_interrupt *intr,
                           seg_kmeans_runs_out *out, double *work);

seg_status KM_PUB(seg_kmeans_fit_runs)(const REAL *X, seg_idx n, seg_idx d, const double *sw,
                                       const seg_kmeans_params *params,
                                       const seg_interrupt *intr, seg_kmeans_runs_out *out,
                                       double *work, seg_detail *detail) {
    if (X == NULL || params == NULL || out == NULL || out->centers == NULL ||
        out->labels == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL,
                        "X, params, out, out->centers, out->labels and work must not be NULL", -1);
    const seg_kmeans_params *p = params;
    if (p->n_init < 1) return seg_fail(detail, SEG_EINVAL, "n_init must be >= 1", -1);
    if ((p->init_centers == NULL) == (p->seeds == NULL))
        return seg_fail(detail, SEG_EINVAL, "give exactly one of seeds and init_centers", -1);
    seg_status st = p->init_centers ? SEG_OK
                                    : check_plusplus(X, n, d, sw, p->k, p->n_trials, detail);
    if (st == SEG_OK) /* X and the weights once: check_plusplus has read them */
        st = check_fit(p->init_centers ? X : NULL, n, d, sw, p->k, p->init_centers,
                       (seg_idx)p->n_init * p->k, "init_centers has NaN or infinity at flat index",
                       p->max_iter, p->tol, p->algorithm, detail);
    if (st != SEG_OK) return st;
    if (p->n_trials < 1) return seg_fail(detail, SEG_EINVAL, "n_trials must be >= 1", -1);
    if (run_slot_size(n, d, p->k, p->n_trials, p->algorithm) < 0)
        return seg_fail(detail, SEG_EINVAL, "the scratch size of a run overflows", -1);
    return overflowed(fit_runs(X, n, d, sw, p, intr, out, work), detail);
}

static seg_status fit_runs(const REAL *X, seg_idx n, seg_idx d, const double *sw,
                           const seg_kmeans_params *params, const seg_interrupt *intr,
                           seg_kmeans_runs_out *out, double *work) {
    seg_idx k = params->k, n_trials = params->n_trials;
    int n_init = params->n_init, max_iter = params->max_iter;
    const uint64_t *seeds = params->seeds;
    const double *init_centers = params->init_centers;
    double tol = params->tol;
    seg_kmeans_algorithm algorithm = params->algorithm;
    double *centers = out->centers;
    int32_t *labels = out->labels;
    seg_status st;
    int nt = seg_resolve_threads(params->n_threads);
    int parallel_runs = n_init >= 2 * nt, batched;
    seg_idx region = runs_region(n, d, params, nt, &batched);
    seg_idx rslot = parallel_runs ? region / nt : region; /* one thread's share */
    double *run_centers = work + region;              /* n_init x k x d */
    double *run_stats = run_centers + n_init * k * d; /* n_init x 3 */
    REAL *XB = (REAL *)(run_stats + 3 * n_init);      /* the row blocks, shared by the runs */
    double *pwork = run_stats + 3 * n_init + xb_doubles(n, d);
    if (make_blocks(X, n, d, k, nt, intr, XB)) return SEG_EINTERRUPTED;

    if (batched && !parallel_runs) {
        int failed;
        st = fit_runs_batched(X, XB, n, d, sw, params, 0, 1, batch_size(n_init, nt), nt, intr,
                              run_centers, run_stats, work, &failed);
        if (st != SEG_OK) return st;
    } else if (parallel_runs) {
        atomic_int stop, finished;
        atomic_init(&stop, 0);
        atomic_init(&finished, 0);
        seg_status first_error = SEG_OK;
        int first_error_run = n_init;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
        {
            int tid = seg_thread_id();
            run_stop rs = {tid == 0 ? intr : NULL, &stop};
            seg_interrupt mine = {run_stop_check, &rs};
#ifdef _OPENMP
            int team = omp_get_num_threads();
#else
            int team = 1;
#endif
            /* Batched: thread t runs t, t + team, ... in batches (one region
             * per call still); else one run at a time, taken dynamically. */
            int n_tasks = batched ? team : n_init;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
            for (int task = 0; task < n_tasks; task++) {
                if (atomic_load_explicit(&stop, memory_order_relaxed)) continue;
                int r = task;
                seg_status rst;
                if (batched)
                    rst = fit_runs_batched(X, XB, n, d, sw, params, task, team,
                                           batch_size(n_init, nt), 1, &mine, run_centers,
                                           run_stats, work + tid * rslot, &r);
                else
                    rst = one_run(X, XB, n, d, sw, k, seeds ? seeds[r] : 0, n_trials,
                                  init_centers ? init_centers + (seg_idx)r * k * d : NULL,
                                  max_iter, tol, algorithm, 1, &mine, work + tid * rslot,
                                  run_centers + (seg_idx)r * k * d, run_stats + 3 * r);
                if (rst != SEG_OK) {
#ifdef _OPENMP
#pragma omp critical(seg_kmeans_runs)
#endif
                    {
                        /* A real error wins over the interrupts it caused. */
                        int real = rst != SEG_EINTERRUPTED;
                        int had_real = first_error != SEG_OK && first_error != SEG_EINTERRUPTED;
                        if ((real && !had_real) || (real == had_real && r < first_error_run)) {
                            first_error_run = r;
                            first_error = rst;
                        }
                    }
                    if (rst != SEG_EINTERRUPTED)
                        atomic_store_explicit(&stop, 1, memory_order_relaxed);
                }
            }
            atomic_fetch_add_explicit(&finished, 1, memory_order_acq_rel);
            /* The calling thread, out of runs, keeps answering Ctrl-C while
             * the others finish theirs. */
            if (tid == 0) {
                while (atomic_load_explicit(&finished, memory_order_acquire) < team) {
                    if (run_stop_check(&rs)) break;
                    nap_2ms();
                }
            }
        }
        if (atomic_load_explicit(&stop, memory_order_relaxed) && first_error == SEG_OK)
            first_error = SEG_EINTERRUPTED;
        if (first_error != SEG_OK) return first_error;
    } else {
        for (int r = 0; r < n_init; r++) {
            st = one_run(X, XB, n, d, sw, k, seeds ? seeds[r] : 0, n_trials,
                         init_centers ? init_centers + (seg_idx)r * k * d : NULL, max_iter, tol,
                         algorithm, nt, intr, work, run_centers + (seg_idx)r * k * d,
                         run_stats + 3 * r);
            if (st != SEG_OK) return st;
        }
    }
    int best = 0;
    for (int r = 1; r < n_init; r++)
        if (run_stats[3 * r] < run_stats[3 * best]) best = r;
    if (copy_out(centers, run_centers + (seg_idx)best * k * d, k * d, intr))
        return SEG_EINTERRUPTED;
    out->n_iter = (int)run_stats[3 * best + 1];
    out->converged = (int)run_stats[3 * best + 2];
    out->best_run = best;
    /* Labels (and the inertia they give) of the best centres, in parallel. */
    return predict_blocks(XB, n, d, sw, centers, k, nt, intr, labels, &out->inertia, pwork);
}

/* ------------------------------------------------------------------------ */
/* predict, transform                                                        */
/* ------------------------------------------------------------------------ */

seg_idx KM_PUB(seg_kmeans_predict_work_size)(seg_idx n, seg_idx d, seg_idx k) {
    if (n < 1 || d < 1 || k < 1) return -1;
    return seg_add_sizes(xb_doubles(n, d), predict_scratch(n, d, k));
}

static seg_status predict_blocks(const REAL *XB, seg_idx n, seg_idx d, const double *sw,
                                 const double *centers, seg_idx k, int nt,
                                 const seg_interrupt *intr, int32_t *labels, double *inertia,
                                 double *work) {
    seg_idx chunk = chunk_rows(n, k, d);
    seg_idx nc = seg_n_chunks(n, chunk);
#if KM_F32
    float *CR = (float *)(work + 2 * nc);
    round_centres(centers, k * d, CR);
#else
    const double *CR = centers;
#endif
    fit_ctx ctx = {.XB = XB, .sw = sw, .n = n, .d = d, .k = k, .C = centers, .CR = CR,
                   .labels = labels, .chunk_stat = work};
    if (for_chunks_polled(lloyd_chunk, &ctx, &ctx.poll, n, chunk, chunks_per_group(chunk, k, d), nt,
                          intr))
        return SEG_EINTERRUPTED;
    double total = 0.0;
    for (seg_idx ch = 0; ch < nc; ch++) total += work[2 * ch];
    if (inertia) *inertia = total;
    if (!isfinite(total)) return SEG_ENONFINITE; /* squared distances overflowed */
    return SEG_OK;
}

/* predict and transform: sizes, then X and the centres finite. */
static seg_status check_centres_and_X(const REAL *X, seg_idx n, seg_idx d,
                                      const double *centers, seg_idx k, seg_detail *detail) {
    if (n < 1 || d < 1 || k < 1)
        return seg_fail(detail, SEG_EINVAL, "needs n >= 1, d >= 1 and k >= 1", -1);
    seg_status st = check_X(X, n, d, detail);
    if (st != SEG_OK) return st;
    return check_centres(centers, k * d, "centers has NaN or infinity at flat index", detail);
}

seg_status KM_PUB(seg_kmeans_predict)(const REAL *X, seg_idx n, seg_idx d, const double *sw,
                                      const double *centers, seg_idx k, int n_threads,
                                      const seg_interrupt *intr, int32_t *labels,
                                      double *inertia, double *work, seg_detail *detail) {
    if (X == NULL || centers == NULL || labels == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "X, centers, labels and work must not be NULL", -1);
    seg_status st = check_centres_and_X(X, n, d, centers, k, detail);
    if (st != SEG_OK) return st;
    seg_idx bad = sw ? seg_first_nonfinite(sw, n) : -1;
    if (bad >= 0)
        return seg_fail(detail, SEG_ENONFINITE, "sample_weight is NaN or infinite in row", bad);
    int nt = seg_resolve_threads(n_threads);
    if (make_blocks(X, n, d, k, nt, intr, (REAL *)work)) return SEG_EINTERRUPTED;
    return overflowed(predict_blocks((REAL *)work, n, d, sw, centers, k, nt, intr, labels,
                                     inertia, work + xb_doubles(n, d)),
                      detail);
}

typedef struct transform_ctx {
    const REAL *X;
    const double *C;
    seg_idx d, k;
    REAL *out;
} transform_ctx;

/* Each distance as the passes compute it: x - c with c rounded to REAL,
 * squares summed in REAL in feature order; its square root in double. */
static void transform_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    transform_ctx *p = (transform_ctx *)vctx;
    (void)c;
    seg_idx d = p->d;
    for (seg_idx i = i0; i < i1; i++) {
        const REAL *x = p->X + i * d;
        for (seg_idx j = 0; j < p->k; j++) {
            const double *cj = p->C + j * d;
            REAL s = 0;
            for (seg_idx f = 0; f < d; f++) {
                REAL t = x[f] - (REAL)cj[f];
                s += t * t;
            }
            p->out[i * p->k + j] = (REAL)sqrt((double)s);
        }
    }
}

seg_status KM_PUB(seg_kmeans_transform)(const REAL *X, seg_idx n, seg_idx d,
                                        const double *centers, seg_idx k, int n_threads,
                                        const seg_interrupt *intr, REAL *out,
                                        seg_detail *detail) {
    if (X == NULL || centers == NULL || out == NULL)
        return seg_fail(detail, SEG_EINVAL, "X, centers and out must not be NULL", -1);
    seg_status st = check_centres_and_X(X, n, d, centers, k, detail);
    if (st != SEG_OK) return st;
    int nt = seg_resolve_threads(n_threads);
    /* No sums: chunks of about 2^20 terms (one row at least), whatever
     * the accumulators' chunks would be, so that regions of GROUP_WORK
     * poll Ctrl-C and share the rows between threads (1,000 x 50,000 with
     * 100 centres was one chunk: 2.7 s on one thread without a poll). */
    double per_row = (double)k * (double)d;
    seg_idx chunk = per_row >= POLL_WORK ? 1 : (seg_idx)(POLL_WORK / per_row);
    transform_ctx ctx = {X, centers, d, k, out};
    if (seg_for_chunks(transform_chunk, &ctx, n, chunk,
                       spread(chunks_per_group(chunk, k, d), nt), nt, intr))
        return SEG_EINTERRUPTED;
    return first_nonfinite_real(out, n * k) < 0 ? SEG_OK : overflowed(SEG_ENONFINITE, detail);
}

/* ------------------------------------------------------------------------ */
/* The scale of tol                                                          */
/* ------------------------------------------------------------------------ */

seg_idx KM_PUB(seg_kmeans_variance_work_size)(seg_idx n, seg_idx d) {
    if (n < 1 || d < 1) return -1;
    return seg_mul_add(seg_n_chunks(n, chunk_rows(n, 1, d)) + 1, d, 0);
}

typedef struct var_ctx {
    const REAL *X;
    seg_idx d;
    const double *mean; /* NULL: column sums; else sums of squared deviations */
    double *chunk_sums; /* n_chunks x d */
} var_ctx;

static void var_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    var_ctx *p = (var_ctx *)vctx;
    seg_idx d = p->d;
    double *s = p->chunk_sums + c * d;
    memset(s, 0, (size_t)d * sizeof(double));
    for (seg_idx i = i0; i < i1; i++) {
        const REAL *x = p->X + i * d;
        if (p->mean == NULL) {
            for (seg_idx f = 0; f < d; f++) s[f] += x[f];
        } else {
            for (seg_idx f = 0; f < d; f++) {
                double t = x[f] - p->mean[f];
                s[f] += t * t;
            }
        }
    }
}

seg_status KM_PUB(seg_kmeans_mean_variance)(const REAL *X, seg_idx n, seg_idx d, int n_threads,
                                            const seg_interrupt *intr, double *out,
                                            double *work, seg_detail *detail) {
    if (X == NULL || out == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "X, out and work must not be NULL", -1);
    if (n < 1 || d < 1) return seg_fail(detail, SEG_EINVAL, "needs n >= 1 and d >= 1", -1);
    int nt = seg_resolve_threads(n_threads);
    seg_idx chunk = chunk_rows(n, 1, d), nc = seg_n_chunks(n, chunk);
    seg_idx group = chunks_per_group(chunk, 1, d);
    double *mean = work + nc * d;
    var_ctx ctx = {X, d, NULL, work};
    for (int pass = 0; pass < 2; pass++) {
        if (seg_for_chunks(var_chunk, &ctx, n, chunk, group, nt, intr)) return SEG_EINTERRUPTED;
        for (seg_idx f = 0; f < d; f++) {
            double s = 0.0;
            for (seg_idx ch = 0; ch < nc; ch++) s += work[ch * d + f];
            mean[f] = s / (double)n; /* pass 1: the mean; pass 2: the variance */
        }
        ctx.mean = mean;
    }
    double total = 0.0;
    for (seg_idx f = 0; f < d; f++) total += mean[f];
    *out = total / (double)d;
    return isfinite(*out) ? SEG_OK
                          : seg_fail(detail, SEG_ENONFINITE,
                                     "the variance is not finite: X has NaN or infinity, or "
                                     "values so large that their squares overflow",
                                     -1);
}

#undef REAL
#undef VL
#undef KM_PUB
