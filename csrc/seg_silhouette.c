#include "seg_silhouette.h"
#include "seg_inline.h"

#include <float.h>
#include <math.h>
#include <string.h>


#ifdef _OPENMP
#include <omp.h>
#endif

#define B SEG_SILHOUETTE_BLOCK

/* The tile loop is compiled for x86-64-v4 (AVX-512) and v3 (AVX2 + FMA) as
 * well as the baseline (SEG_MULTIVERSION_FMA, seg_inline.h). Fused
 * multiply-add is allowed in the tile (one rounding instead of two per term),
 * so the last bits of a distance may differ between CPUs with and without
 * FMA; on one machine the result is fixed, whatever the threads. */

/* Register tile: RB rows by VL columns (a GCC vector of 8 doubles or 16
 * floats: one AVX-512 register, two AVX2 or four SSE2 registers, per target
 * clone). The
 * differences are c - x, not x - c (the same square, bit for bit): the row's
 * value is then a memory operand broadcast by the load rather than a
 * broadcast instruction of its own on the floating-point pipes, about 17%
 * faster. The portable path (seg_common.h) holds the 8 lanes in a struct and
 * runs them in scalar loops, in the same order. */
#define RB 4

/* Unaligned vector load and store (macros: passing a 64-byte vector to a
 * function would change the ABI between target clones). */
#define LOADV(v, p) memcpy(&(v), (p), sizeof(v))
#define STOREV(p, v) memcpy((p), &(v), sizeof(v))

/* Doubles of one block at most (1 MiB): a tile's two blocks stay in the L2
 * cache while every 4-row group streams the other block, whatever d (2.6x
 * faster at d = 5,000 than 256-row blocks, which fall out of the cache).
 * A tile is then bw^2 d <= 2^25 multiply-adds (a few ms) while bw >= 8,
 * i.e. for d <= 16384; beyond that, 8-row tiles of 64 d multiply-adds. */
#define BLOCK_DOUBLES ((double)(1 << 17))
/* Values per slice of build_blocks' copy: a slice of a block stays in the
 * L2 cache while its rows are written in. */
#define BUILD_SLICE ((seg_idx)1 << 17)
/* Multiply-adds of one parallel region (a round's batch of games) at most,
 * unless one game per thread is more: a few tenths of a second. */
#define ROUND_WORK ((double)(1 << 30))

/* Rows per block, bw: B, fewer for wide data (bw d <= BLOCK_DOUBLES, so 4
 * rows of 10^7 features make one 8-row block, not 256 rows of padding) and
 * for small n (n rounded up to whole vectors of vl rows: 8 doubles, 16
 * floats). A multiple of vl in [vl, B] that depends on n, d and the type
 * only, so the result stays bit-identical on any number of threads; it is B
 * for d <= 512 and n >= B. The float32 blocks never take more bytes than
 * the float64 ones (the scratch size is the float64 one). */
static seg_idx block_width(seg_idx n, seg_idx d, seg_idx vl) {
    seg_idx bw = B;
    double fit = BLOCK_DOUBLES / (double)d;
    if (fit < (double)B) bw = fit < (double)vl ? vl : (seg_idx)fit / vl * vl;
    seg_idx nv = n / vl * vl + (n % vl != 0) * vl;
    return nv < bw ? nv : bw;
}

static seg_idx n_blocks(seg_idx n, seg_idx bw) { return n / bw + (n % bw != 0); }

seg_idx seg_silhouette_scores_work_size(seg_idx n, seg_idx d, seg_idx n_labelings,
                                        seg_idx k_total, int n_threads) {
    if (n < 1 || d < 1 || n_labelings < 1 || k_total < n_labelings) return -1;
    int nt = seg_resolve_threads(n_threads);
    seg_idx bw = block_width(n, d, 8);
    seg_idx nb = n_blocks(n, bw);
    seg_idx L = n_labelings, ks = k_total;
    /* overflow-safe in double, then exact in seg_idx */
    double total = (double)nb * bw * (double)d + (double)n * (double)ks + 2.0 * (double)n +
                   (double)(n + 1) / 2 + ((double)n * (double)L + 1) / 2 + 2.0 * (double)ks +
                   (double)L + 2 + (RB + 1.0) * B * (double)nt;
    if (total > (double)(PTRDIFF_MAX / 16)) return -1;
    return nb * bw * d + n * ks + 2 * n + (n + 1) / 2 + (n * L + 1) / 2 + 2 * ks + L + 2 +
           (RB + 1) * B * (seg_idx)nt;
}

seg_idx seg_silhouette_work_size(seg_idx n, seg_idx d, seg_idx k, int n_threads) {
    return seg_silhouette_scores_work_size(n, d, 1, k, n_threads);
}

/* The labels of every tuple: rows are sorted by their tuple of labels (one
 * label per labeling; one labeling: the tuple is the label), lab[p] is row
 * p's tuple number, and col[t * L + l] the column of acc (ks columns per
 * row: every labeling's clusters one after the other) that tuple t adds to
 * for labeling l. */
typedef struct tuple_map {
    const int32_t *col;
    seg_idx L;
    seg_idx ks;
} tuple_map;

/* row[col] += v for each labeling's column of tuple t (with one labeling
 * exactly the one addition of the single-labeling kernel). */
static SEG_ALWAYS_INLINE void add_tuple(double *row, const tuple_map *tm, int32_t t, double v) {
    const int32_t *c = tm->col + (seg_idx)t * tm->L;
    for (seg_idx l = 0; l < tm->L; l++) row[c[l]] += v;
}

/* The tiles for float64 and float32 blocks (one source: seg_silhouette_tile.h).
 * tile_fn is what SIL_FN(tile_for)(metric) returns: Xb points to REALs. */
typedef void tile_fn(const void *Xb, const int32_t *lab, seg_idx n, seg_idx d, seg_idx bw,
                     const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc, double *tb);

#define REAL double
#define VL 8
#define IREAL long long
#define SIL_MAG 0x7fffffffffffffffLL
#define SIL_SHIFT 63
#define SIL_SQRT sqrt
#define SIL_SUM4 seg_sum_4lanes
#define SIL_FN(x) x##_f64
#include "seg_silhouette_tile.h"

#define REAL float
#define VL 16
#define IREAL int
#define SIL_MAG 0x7fffffff
#define SIL_SHIFT 31
#define SIL_SQRT sqrtf
#define SIL_SUM4 seg_sum_4lanes_f32
#define SIL_FN(x) x##_f32
#include "seg_silhouette_tile.h"

/* Round-robin tournament ("circle method") over P = nb rounded up to even
 * players: in round r, game q pairs two blocks; every unordered pair of
 * distinct blocks meets exactly once in P - 1 rounds, and no block plays
 * twice in a round. A player >= nb is a bye. */
static void game(seg_idx P, seg_idx r, seg_idx q, seg_idx *a, seg_idx *b) {
    seg_idx m = P - 1;
    if (q == 0) {
        *a = r;
        *b = m;
    } else {
        *a = (r + q) % m;
        *b = (r - q + m) % m;
    }
}

/* Counts the rows of every label into count (k); SEG_EINVAL for a label
 * outside [0, k), SEG_EDEGENERATE for fewer than two labels used. */
static seg_status count_labels(const int32_t *labels, seg_idx n, seg_idx k, int64_t *count,
                               seg_detail *detail) {
    for (seg_idx i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= k)
            return seg_fail(detail, SEG_EINVAL, "labels must be in [0, k); out of range in row",
                            i);
    memset(count, 0, (size_t)k * sizeof(int64_t));
    for (seg_idx i = 0; i < n; i++) count[labels[i]]++;
    seg_idx used = 0;
    for (seg_idx c = 0; c < k; c++) used += count[c] > 0;
    return used >= 2 ? SEG_OK
                     : seg_fail(detail, SEG_EDEGENERATE,
                                "needs at least 2 distinct labels; all rows have the same one",
                                -1);
}

/* The first non-finite silhouette: finite input whose squares overflowed. */
static seg_status check_scores(const double *s, seg_idx n, seg_detail *detail) {
    return seg_all_finite(s, n) ? SEG_OK
                                : seg_fail(detail, SEG_ENONFINITE, SEG_REASON_OVERFLOW, -1);
}

seg_status seg_silhouette_samples(const double *X, seg_idx n, seg_idx d, const int32_t *labels,
                                  seg_idx k, int n_threads, const seg_interrupt *intr, double *s,
                                  double *work, seg_detail *detail) {
    return seg_silhouette_samples_metric(X, n, d, labels, k, SEG_METRIC_EUCLIDEAN, n_threads, intr,
                                         s, work, detail);
}

seg_status seg_silhouette_samples_metric(const double *X, seg_idx n, seg_idx d,
                                         const int32_t *labels, seg_idx k, seg_metric metric,
                                         int n_threads, const seg_interrupt *intr, double *s,
                                         double *work, seg_detail *detail) {
    if (k < 1) return seg_fail(detail, SEG_EINVAL, "needs n >= 1, d >= 1 and k >= 1", -1);
    return seg_silhouette_scores(X, n, d, labels, 1, &k, metric, n_threads, intr, NULL, s, work,
                                 detail);
}

/* Checks every labeling's labels and counts them into count (the clusters
 * of labeling l at count + off[l]); one labeling keeps count_labels' own
 * reasons, several name the labeling (and the flat index l * n + row). */
static seg_status count_labelings(const int32_t *labels, seg_idx n, seg_idx L, const seg_idx *k,
                                  const seg_idx *off, int64_t *count, seg_detail *detail) {
    for (seg_idx l = 0; l < L; l++) {
        seg_detail why = {NULL, -1};
        seg_status st = count_labels(labels + l * n, n, k[l], count + off[l], &why);
        if (st == SEG_OK) continue;
        if (L == 1) return seg_fail(detail, st, why.reason, why.index);
        if (st == SEG_EINVAL)
            return seg_fail(detail, st,
                            "labels must be in [0, k[l]); out of range at flat index "
                            "labeling * n + row",
                            l * n + why.index);
        return seg_fail(detail, st, "every labeling needs at least 2 distinct labels; not so for "
                        "labeling", l);
    }
    return SEG_OK;
}

/* Sorts the rows by their tuple of labels (labeling 0 first, then 1, ...:
 * stable counting sorts from the last labeling to the first; one labeling:
 * the stable counting sort by label) into order, numbers the distinct
 * tuples in that order (lab[p] for sorted row p) and fills their columns of
 * acc (col, T x L); returns the number of tuples T. tmp is n indices;
 * start k_max + 1 counts. */
static seg_idx sort_tuples(const int32_t *labels, seg_idx n, seg_idx L, const seg_idx *k,
                        const seg_idx *off, const int64_t *count, seg_idx *order, seg_idx *tmp,
                        seg_idx *start, int32_t *lab, int32_t *col) {
    seg_idx *cur = order, *next = tmp;
    for (seg_idx i = 0; i < n; i++) cur[i] = i;
    for (seg_idx l = L - 1; l >= 0; l--) {
        const int32_t *ll = labels + l * n;
        start[0] = 0;
        for (seg_idx c = 0; c < k[l]; c++) start[c + 1] = start[c] + count[off[l] + c];
        for (seg_idx p = 0; p < n; p++) next[start[ll[cur[p]]]++] = cur[p];
        seg_idx *t = cur;
        cur = next;
        next = t;
    }
    if (cur != order) memcpy(order, cur, (size_t)n * sizeof(seg_idx));
    seg_idx T = 0;
    for (seg_idx p = 0; p < n; p++) {
        seg_idx i = order[p];
        int fresh = p == 0;
        for (seg_idx l = 0; l < L && !fresh; l++)
            fresh = labels[l * n + i] != labels[l * n + order[p - 1]];
        if (fresh) {
            for (seg_idx l = 0; l < L; l++) col[T * L + l] = (int32_t)(off[l] + labels[l * n + i]);
            T++;
        }
        lab[p] = (int32_t)(T - 1);
    }
    return T;
}

/* Calls progress->fn with the tiles done so far, from the calling thread. */
static void report(const seg_progress *progress, double done, double total) {
    if (progress != NULL && progress->fn != NULL) progress->fn(progress->ctx, done, total);
}

/* seg_silhouette_scores on float64 X (f32 = 0) or float32 X (f32 = 1). */
static seg_status scores(const void *X, int f32, seg_idx n, seg_idx d, const int32_t *labels,
                         seg_idx n_labelings, const seg_idx *k, seg_metric metric, int n_threads,
                         const seg_interrupt *intr, const seg_progress *progress, double *s,
                         double *work, seg_detail *detail) {
    if (X == NULL || labels == NULL || k == NULL || s == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "X, labels, k, s and work must not be NULL", -1);
    seg_idx L = n_labelings;
    if (n < 1 || d < 1 || L < 1 || n > INT32_MAX || seg_mul_add(n, L, 0) < 0)
        return seg_fail(detail, SEG_EINVAL,
                        "needs n >= 1, d >= 1 and n_labelings >= 1 (n <= 2^31 - 1)", -1);
    seg_idx ks = 0;
    for (seg_idx l = 0; l < L; l++) {
        if (k[l] < 1 || k[l] > INT32_MAX)
            return seg_fail(detail, SEG_EINVAL,
                            L == 1 ? "needs n >= 1, d >= 1 and k >= 1"
                                   : "every k[l] must be in [1, 2^31 - 1]; not so for labeling",
                            L == 1 ? -1 : l);
        ks += k[l];
        if (ks > INT32_MAX)
            return seg_fail(detail, SEG_EINVAL, "the sum of k over the labelings must be < 2^31",
                            -1);
    }
    if ((int)metric < SEG_METRIC_EUCLIDEAN || (int)metric > SEG_METRIC_COSINE)
        return seg_fail(detail, SEG_EINVAL, "metric must be a seg_metric", -1);
    seg_idx bad = f32 ? first_nonfinite_f32((const float *)X, n * d)
                      : first_nonfinite_f64((const double *)X, n * d);
    if (bad >= 0)
        return seg_fail(detail, SEG_ENONFINITE, "X has NaN or infinity at flat index", bad);

    int nt = seg_resolve_threads(n_threads);
    (void)nt; /* unused without OpenMP */
    seg_idx bw = block_width(n, d, f32 ? 16 : 8);
    seg_idx nb = n_blocks(n, bw);
    void *Xb = work; /* nb * bw * d REALs */
    double *acc = work + (f32 ? (nb * bw * d + 1) / 2 : nb * bw * d);
    seg_idx *order = (seg_idx *)(acc + n * ks);
    seg_idx *tmp = order + n;
    int32_t *lab = (int32_t *)(tmp + n);
    int32_t *col = (int32_t *)((double *)(tmp + n) + (n + 1) / 2);
    int64_t *count = (int64_t *)((double *)col + (n * L + 1) / 2);
    seg_idx *off = (seg_idx *)(count + ks);
    seg_idx *start = off + L + 1;
    double *thread_buf = (double *)(start + ks + 1);
    tile_fn *run_tile = f32 ? tile_for_f32(metric) : tile_for_f64(metric);
    tuple_map tm = {col, L, ks};

    off[0] = 0;
    for (seg_idx l = 0; l < L; l++) off[l + 1] = off[l] + k[l];
    seg_status st = count_labelings(labels, n, L, k, off, count, detail);
    if (st != SEG_OK) return st;
    seg_idx T = sort_tuples(labels, n, L, k, off, count, order, tmp, start, lab, col);
    /* Few tuples (a K sweep's: about 20 for K = 2..10): the tiles add each
     * run's sum to its tuple's entry alone, the single-labeling kernel with
     * the tuple as the label (the first T of a row's ks sums), and every
     * row's tuple sums are added to its labelings' sums at the end: one
     * addition per run instead of L, scattered over one cache line or so of
     * the row instead of all ks sums (1.6x faster at K = 2..10 in float32).
     * Many tuples (more than ks, or than a thread's scratch holds) keep the
     * map: memory stays n * ks. */
    int per_tuple = L > 1 && T <= ks && T <= (RB + 1) * B;
    int32_t *ident = (int32_t *)tmp; /* tmp (n indices) is free after the sort */
    if (per_tuple) {
        for (seg_idx t = 0; t < T; t++) ident[t] = (int32_t)t;
        tm.col = ident;
        tm.L = 1;
    }
    int built = f32 ? build_blocks_f32((const float *)X, n, d, bw, nb, order, metric, intr, Xb)
                    : build_blocks_f64((const double *)X, n, d, bw, nb, order, metric, intr, Xb);
    if (built < 0) return SEG_EINTERRUPTED;
    if (built == 0) return seg_fail(detail, SEG_ENONFINITE, SEG_REASON_OVERFLOW, -1);
    memset(acc, 0, (size_t)(n * ks) * sizeof(double));

    /* The tournament is played between super-blocks of sb blocks: a game is
     * every tile between two super-blocks, run by one thread, so a round
     * (one synchronisation) holds sb^2 times more work and the threads meet
     * far less often. sb depends on n and d only (a round stays under about
     * 2e8 distances of 8 features), never on the thread count. First every
     * super-block against itself (tiles bi <= bj), then the rounds. Games of
     * one round write disjoint rows in a fixed order, so which thread runs a
     * game, and how a round is cut into batches, does not change the result:
     * dynamic scheduling keeps cores busy on a shared machine, and the output
     * stays bit-identical. Batches of games hold at most ROUND_WORK
     * multiply-adds (or one game per thread), with Ctrl-C polled between
     * them: within a fraction of a second, whatever n and d. */
    /* a tile of several tuples that adds each run's sum to every labeling's
     * column (many tuples: tm.L = L) costs more than d: batches count 16
     * extra multiply-adds a pair per further labeling (about 3 ns measured,
     * in either precision); a float32 pair of one labeling counts half
     * (twice the lanes). Fewer, larger batches where the work allows: every
     * batch ends in a barrier, slow on a busy machine. */
    double pair_work = (double)d + 16.0 * (double)(tm.L - 1);
    double tile_work = (double)bw * (double)bw * pair_work * (f32 && tm.L == 1 ? 0.5 : 1.0);
    double fit = 3.2e9 / ((double)nb * (double)bw * (double)bw * (d > 8 ? (double)d : 8.0));
    seg_idx sb = fit < 1.0 ? 1 : (fit > 8.0 ? 8 : (seg_idx)fit);
    /* Several labelings and float32 (new kernels: no earlier bits to keep)
     * take 8-block super-blocks whenever that leaves 32 of them: a game
     * then reuses its blocks' sums (acc rows) over 64 tiles instead of
     * fetching them from memory for every tile, which at a million rows
     * (sb = 1 above) made the pass memory-bound: 2.1x one float32
     * silhouette with nine labelings, whose rows' sums span more lines. */
    if ((L > 1 || f32) && nb / 32 > sb) sb = nb / 32 < 8 ? nb / 32 : 8;
    /* ... but a game (sb^2 tiles, the least work between two Ctrl-C polls)
     * stays within ROUND_WORK: 200 unrelated labelings at 8,192 rows went
     * 2.5 s between polls with 8-block super-blocks. (Float64 with one
     * labeling keeps its super-blocks, and so its bits.) */
    if (L > 1 || f32)
        while (sb > 1 && (double)sb * (double)sb * tile_work > ROUND_WORK) sb--;
    seg_idx ns = nb / sb + (nb % sb != 0);
    seg_idx batch = (seg_idx)(ROUND_WORK / (tile_work * (double)sb * (double)sb));
    batch = batch < nt ? nt : batch;
    double done = 0.0, total = (double)nb * (double)(nb + 1) / 2; /* tiles, for progress */
    for (seg_idx s0 = 0; s0 < ns; s0 += batch) {
        seg_idx s1 = ns - s0 > batch ? s0 + batch : ns;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1 && s1 - s0 > 1)
#endif
        for (seg_idx si = s0; si < s1; si++) {
            double *tb = thread_buf + (RB + 1) * B * seg_thread_id();
            seg_idx b0 = si * sb, b1 = b0 + sb < nb ? b0 + sb : nb;
            for (seg_idx bi = b0; bi < b1; bi++)
                for (seg_idx bj = bi; bj < b1; bj++)
                    run_tile(Xb, lab, n, d, bw, &tm, bi, bj, acc, tb);
        }
        for (seg_idx si = s0; si < s1; si++) {
            seg_idx m = (si + 1) * sb < nb ? sb : nb - si * sb;
            done += (double)m * (double)(m + 1) / 2;
        }
        report(progress, done, total);
        if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
    }
    seg_idx P = ns + (ns & 1);
    for (seg_idx r = 0; r + 1 < P; r++) {
        for (seg_idx q0 = 0; q0 < P / 2; q0 += batch) {
            seg_idx q1 = P / 2 - q0 > batch ? q0 + batch : P / 2;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1 && q1 - q0 > 1)
#endif
            for (seg_idx q = q0; q < q1; q++) {
                seg_idx a, b;
                game(P, r, q, &a, &b);
                if (a >= ns || b >= ns) continue;
                seg_idx sa = a < b ? a : b, sz = a < b ? b : a;
                double *tb = thread_buf + (RB + 1) * B * seg_thread_id();
                seg_idx a1 = (sa + 1) * sb < nb ? (sa + 1) * sb : nb;
                seg_idx z1 = (sz + 1) * sb < nb ? (sz + 1) * sb : nb;
                for (seg_idx bi = sa * sb; bi < a1; bi++)
                    for (seg_idx bj = sz * sb; bj < z1; bj++)
                        run_tile(Xb, lab, n, d, bw, &tm, bi, bj, acc, tb);
            }
            for (seg_idx q = q0; q < q1; q++) {
                seg_idx a, b;
                game(P, r, q, &a, &b);
                if (a >= ns || b >= ns) continue;
                seg_idx ma = (a + 1) * sb < nb ? sb : nb - a * sb;
                seg_idx mb = (b + 1) * sb < nb ? sb : nb - b * sb;
                done += (double)ma * (double)mb;
            }
            report(progress, done, total);
            if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
        }
    }

#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (seg_idx p = 0; p < n; p++) {
        seg_idx i = order[p];
        if (per_tuple) { /* the tuple sums, folded into every labeling's */
            double *row = acc + p * ks, *tsum = thread_buf + (RB + 1) * B * seg_thread_id();
            memcpy(tsum, row, (size_t)T * sizeof(double));
            memset(row, 0, (size_t)ks * sizeof(double));
            for (seg_idx t = 0; t < T; t++)
                for (seg_idx l = 0; l < L; l++) row[col[t * L + l]] += tsum[t];
        }
        for (seg_idx l = 0; l < L; l++)
            s[l * n + i] = seg_silhouette_value(acc + p * ks + off[l], count + off[l], k[l],
                                                labels[l * n + i]);
    }
    /* Finite input can still overflow when squared (|x| > 1e154). */
    return check_scores(s, n * L, detail);
}

seg_status seg_silhouette_scores(const double *X, seg_idx n, seg_idx d, const int32_t *labels,
                                 seg_idx n_labelings, const seg_idx *k, seg_metric metric,
                                 int n_threads, const seg_interrupt *intr,
                                 const seg_progress *progress, double *s, double *work,
                                 seg_detail *detail) {
    return scores(X, 0, n, d, labels, n_labelings, k, metric, n_threads, intr, progress, s, work,
                  detail);
}

seg_status seg_silhouette_scores_f32(const float *X, seg_idx n, seg_idx d, const int32_t *labels,
                                     seg_idx n_labelings, const seg_idx *k, seg_metric metric,
                                     int n_threads, const seg_interrupt *intr,
                                     const seg_progress *progress, double *s, double *work,
                                     seg_detail *detail) {
    return scores(X, 1, n, d, labels, n_labelings, k, metric, n_threads, intr, progress, s, work,
                  detail);
}

seg_idx seg_silhouette_precomputed_work_size(seg_idx n, seg_idx k, int n_threads) {
    if (n < 1 || k < 1) return -1;
    int nt = seg_resolve_threads(n_threads);
    /* overflow-safe in double, then exact in seg_idx */
    double total = (double)n + 2.0 * (double)k + 1.0 + (double)k * (double)nt;
    if (total > (double)(PTRDIFF_MAX / 16)) return -1;
    return n + 2 * k + 1 + k * (seg_idx)nt;
}

/* Sum of row[idx[0..m)] with four fixed lanes (the same order on every
 * run); *ok becomes 0 at a value not >= 0 (negative or NaN; an infinity
 * shows in the sum). Checking here rather than in a pass of its own reads
 * each row once: about twice as fast. */
static double gather_sum(const double *row, const seg_idx *idx, seg_idx m, int *ok) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int good = 1;
    seg_idx j = 0;
    for (; j + 4 <= m; j += 4) {
        double a = row[idx[j]], b = row[idx[j + 1]], c = row[idx[j + 2]], d = row[idx[j + 3]];
        good &= (a >= 0.0) & (b >= 0.0) & (c >= 0.0) & (d >= 0.0);
        s0 += a;
        s1 += b;
        s2 += c;
        s3 += d;
    }
    for (; j < m; j++) {
        good &= row[idx[j]] >= 0.0;
        s0 += row[idx[j]];
    }
    *ok &= good;
    return (s0 + s1) + (s2 + s3);
}

/* Why a row's sums failed: 1 for a NaN or an infinity, 2 for a negative
 * value (the first one found decides), 1 when every value is fine but the
 * sums overflowed. */
static int row_defect(const double *row, seg_idx n) {
    for (seg_idx j = 0; j < n; j++)
        if (!(row[j] >= 0.0 && row[j] <= DBL_MAX)) return isfinite(row[j]) ? 2 : 1;
    return 1;
}

seg_status seg_silhouette_precomputed(const double *D, seg_idx m, seg_idx n, seg_idx row0,
                                      const int32_t *labels, seg_idx k, int n_threads,
                                      const seg_interrupt *intr, double *s, double *work,
                                      seg_detail *detail) {
    if (D == NULL || labels == NULL || s == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "D, labels, s and work must not be NULL", -1);
    if (n < 1 || k < 1 || m < 1 || m > n || row0 < 0 || row0 > n - m)
        return seg_fail(detail, SEG_EINVAL,
                        "needs n >= 1, k >= 1, 1 <= m <= n and 0 <= row0 <= n - m", -1);
    int nt = seg_resolve_threads(n_threads);
    (void)nt; /* unused without OpenMP */
    seg_idx *order = (seg_idx *)work;
    int64_t *count = (int64_t *)((double *)work + n); /* one double slot per count */
    seg_idx *start = (seg_idx *)(count + k);
    double *sums = (double *)(start + k + 1);

    seg_status st = count_labels(labels, n, k, count, detail);
    if (st != SEG_OK) return st;
    /* The columns of each label, in increasing order: every per-label sum
     * is then a gather with four independent lanes. */
    start[0] = 0;
    for (seg_idx c = 0; c < k; c++) start[c + 1] = start[c] + count[c];
    for (seg_idx i = 0; i < n; i++) order[start[labels[i]]++] = i;
    for (seg_idx c = k; c > 0; c--) start[c] = start[c - 1]; /* back to the starts */
    start[0] = 0;

    /* Rounds of about 2^24 distances between interrupt checks. Every row is
     * computed alone, in a fixed order: bit-identical on any thread count. */
    seg_idx per_round = ((seg_idx)1 << 24) / n;
    per_round = per_round < 1 ? 1 : per_round;
    int defect = 0;
    for (seg_idx r0 = 0; r0 < m && !defect; r0 += per_round) {
        seg_idx r1 = m - r0 > per_round ? r0 + per_round : m;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) reduction(| : defect) \
    if (nt > 1 && r1 - r0 > 1)
#endif
        for (seg_idx i = r0; i < r1; i++) {
            const double *row = D + i * n;
            double *sum = sums + k * seg_thread_id();
            int ok = 1;
            for (seg_idx c = 0; c < k; c++) {
                sum[c] = gather_sum(row, order + start[c], start[c + 1] - start[c], &ok);
                ok &= isfinite(sum[c]) != 0;
            }
            if (!ok) {
                defect |= row_defect(row, n);
                continue;
            }
            s[i] = seg_silhouette_value(sum, count, k, labels[row0 + i]);
        }
        if (!defect && seg_interrupted(intr)) return SEG_EINTERRUPTED;
    }
    if (!defect) return SEG_OK;
    /* Error path only: the first row at fault, in row order. NaN/inf (or
     * sums that overflow) win over negative values, as in the loop. */
    int nonfinite = defect & 1;
    for (seg_idx i = 0; i < m; i++) {
        const double *row = D + i * n;
        for (seg_idx j = 0; j < n; j++) {
            if (nonfinite && !isfinite(row[j]))
                return seg_fail(detail, SEG_ENONFINITE, "D has NaN or infinity in row", row0 + i);
            if (!nonfinite && row[j] < 0.0)
                return seg_fail(detail, SEG_EINVAL,
                                "D must be >= 0; it has a negative distance in row", row0 + i);
        }
    }
    return seg_fail(detail, SEG_ENONFINITE,
                    "the sums of D's distances overflow; rescale D (e.g. divide it by its "
                    "maximum)",
                    -1);
}
