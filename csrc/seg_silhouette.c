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

/* Register tile: RB rows by VL columns (a GCC vector of 8 doubles: one
 * AVX-512 register, two AVX2 or four SSE2 registers, per target clone). The
 * differences are c - x, not x - c (the same square, bit for bit): the row's
 * value is then a memory operand broadcast by the load rather than a
 * broadcast instruction of its own on the floating-point pipes, about 17%
 * faster. The portable path (seg_common.h) holds the 8 lanes in a struct and
 * runs them in scalar loops, in the same order. */
#define RB 4
#define VL 8
#if SEG_GNU_C
typedef double v8d __attribute__((vector_size(VL * sizeof(double))));
typedef long long v8i __attribute__((vector_size(VL * sizeof(long long))));
#else
typedef struct v8d {
    double l[VL];
} v8d;
#endif

/* Unaligned vector load and store (macros: passing a 64-byte vector to a
 * function would change the ABI between target clones). */
#define LOAD8(v, p) memcpy(&(v), (p), sizeof(v8d))
#define STORE8(p, v) memcpy((p), &(v), sizeof(v8d))

/* The metric's inner sum for RB = 4 rows (xi[f * bw + r]) against 8 columns
 * (xj[f * bw + l]) of two column-major blocks of bw rows, in registers
 * across the features: sum (c - x)^2 (euclidean, sqeuclidean), sum |c - x| (manhattan)
 * or sum c * x of unit rows (cosine). The inner loop of every tile (always
 * inlined with a constant metric, so each tile clone keeps its target, its
 * fused multiply-add and only its metric's branch). */
static SEG_ALWAYS_INLINE void rows4(const double *xi, const double *xj, seg_idx d, seg_idx bw,
                                    seg_metric metric, v8d *a0, v8d *a1, v8d *a2, v8d *a3) {
#if SEG_GNU_C
    v8d s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    for (seg_idx f = 0; f < d; f++) {
        const double *x = xi + f * bw;
        v8d c;
        LOAD8(c, xj + f * bw);
        if (metric == SEG_METRIC_COSINE) {
            s0 += c * x[0];
            s1 += c * x[1];
            s2 += c * x[2];
            s3 += c * x[3];
            continue;
        }
        v8d t0 = c - x[0], t1 = c - x[1], t2 = c - x[2], t3 = c - x[3];
        if (metric == SEG_METRIC_MANHATTAN) {
            /* |t| by clearing the sign bit (a vector cast reinterprets) */
            const v8i mag = (v8i){0} + 0x7fffffffffffffffLL;
            s0 += (v8d)((v8i)t0 & mag);
            s1 += (v8d)((v8i)t1 & mag);
            s2 += (v8d)((v8i)t2 & mag);
            s3 += (v8d)((v8i)t3 & mag);
        } else {
            s0 += t0 * t0;
            s1 += t1 * t1;
            s2 += t2 * t2;
            s3 += t3 * t3;
        }
    }
    *a0 = s0;
    *a1 = s1;
    *a2 = s2;
    *a3 = s3;
#else
    v8d *out[RB] = {a0, a1, a2, a3};
    for (int r = 0; r < RB; r++)
        for (int l = 0; l < VL; l++) out[r]->l[l] = 0.0;
    for (seg_idx f = 0; f < d; f++) {
        const double *x = xi + f * bw;
        for (int l = 0; l < VL; l++) {
            double c = xj[f * bw + l];
            for (int r = 0; r < RB; r++) {
                double t = c - x[r];
                out[r]->l[l] += metric == SEG_METRIC_COSINE      ? c * x[r]
                                : metric == SEG_METRIC_MANHATTAN ? fabs(t)
                                                                 : t * t;
            }
        }
    }
#endif
}

/* The distance from rows4's sum: a square root (euclidean), the sum itself
 * (sqeuclidean, manhattan), or 1 - x.y clipped to [0, 2] as scikit-learn's
 * cosine_distances does (round-off can put x.y of unit rows past 1). */
static SEG_ALWAYS_INLINE double finish1(double v, seg_metric metric) {
    if (metric == SEG_METRIC_EUCLIDEAN) return sqrt(v);
    if (metric == SEG_METRIC_COSINE) {
        v = 1.0 - v;
        v = v < 0.0 ? 0.0 : v;
        return v > 2.0 ? 2.0 : v;
    }
    return v;
}

/* finish1 on the 8 lanes of a (vsqrtpd where the target has it; nothing at
 * all for sqeuclidean and manhattan). */
static SEG_ALWAYS_INLINE void finish8(v8d *a, seg_metric metric) {
    if (metric == SEG_METRIC_SQEUCLIDEAN || metric == SEG_METRIC_MANHATTAN) return;
#if SEG_GNU_C
    if (metric == SEG_METRIC_COSINE) {
        /* finish1 by the sign bits of v and of 2 - v as masks (exact
         * selects): gcc leaves the 8-lane selects of finish1 scalar here, and
         * turns vector comparisons into scalar ones, 2.5x slower than this */
        const v8d two = (v8d){0} + 2.0;
        v8d v = 1.0 - *a;
        v8i below = (v8i)v >> 63, above = (v8i)(two - v) >> 63;
        *a = (v8d)(((v8i)v & ~(below | above)) | ((v8i)two & above));
        return;
    }
#endif
    double v[VL];
    memcpy(v, a, sizeof v);
    for (int l = 0; l < VL; l++) v[l] = finish1(v[l], metric);
    memcpy(a, v, sizeof v);
}

/* Doubles of one block at most (1 MiB): a tile's two blocks stay in the L2
 * cache while every 4-row group streams the other block, whatever d (2.6x
 * faster at d = 5,000 than 256-row blocks, which fall out of the cache).
 * A tile is then bw^2 d <= 2^25 multiply-adds (a few ms) while bw >= 8,
 * i.e. for d <= 16384; beyond that, 8-row tiles of 64 d multiply-adds. */
#define BLOCK_DOUBLES ((double)(1 << 17))
/* Multiply-adds of one parallel region (a round's batch of games) at most,
 * unless one game per thread is more: a few tenths of a second. */
#define ROUND_WORK ((double)(1 << 30))

/* Rows per block, bw: B, fewer for wide data (bw d <= BLOCK_DOUBLES, so 4
 * rows of 10^7 features make one 8-row block, not 256 rows of padding) and
 * for small n (n rounded up to whole vectors of VL rows). A multiple of VL
 * in [VL, B] that depends on n and d only, so the result stays
 * bit-identical on any number of threads; it is B for d <= 512 and n >= B. */
static seg_idx block_width(seg_idx n, seg_idx d) {
    seg_idx bw = B;
    double fit = BLOCK_DOUBLES / (double)d;
    if (fit < (double)B) bw = fit < (double)VL ? VL : (seg_idx)fit / VL * VL;
    seg_idx nv = n / VL * VL + (n % VL != 0) * VL;
    return nv < bw ? nv : bw;
}

static seg_idx n_blocks(seg_idx n, seg_idx bw) { return n / bw + (n % bw != 0); }

seg_idx seg_silhouette_scores_work_size(seg_idx n, seg_idx d, seg_idx n_labelings,
                                        seg_idx k_total, int n_threads) {
    if (n < 1 || d < 1 || n_labelings < 1 || k_total < n_labelings) return -1;
    int nt = seg_resolve_threads(n_threads);
    seg_idx bw = block_width(n, d);
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

/* One tile: rows of block bi against rows of block bj (bi <= bj). Adds each
 * distance to acc[row][label(col)] and, when bi != bj, to
 * acc[col][label(row)]. tmp (RB * B doubles) and colbuf (B) are this
 * thread's. Always inlined into one clone per metric (tile_for below). */
static SEG_ALWAYS_INLINE void tile(const double *Xb, const int32_t *lab,
                                                       seg_idx n, seg_idx d, seg_idx bw,
                                                       const tuple_map *tm,
                                                       seg_idx bi, seg_idx bj, double *acc,
                                                       double *restrict tmp,
                                                       double *restrict colbuf,
                                                       seg_metric metric) {
    seg_idx i0 = bi * bw, j0 = bj * bw;
    seg_idx ni = n - i0 < bw ? n - i0 : bw;
    seg_idx nj = n - j0 < bw ? n - j0 : bw;
    const double *XI = Xb + i0 * d;
    const double *XJ = Xb + j0 * d;
    int diag = bi == bj;

    /* Runs of equal labels in block bj (rows are sorted by label). */
    seg_idx bounds[B + 1];
    int32_t runlab[B];
    seg_idx nruns = 0;
    for (seg_idx j = 0; j < nj; j++) {
        if (j == 0 || lab[j0 + j] != lab[j0 + j - 1]) {
            bounds[nruns] = j;
            runlab[nruns++] = lab[j0 + j];
        }
    }
    bounds[nruns] = nj;

    if (!diag) memset(colbuf, 0, (size_t)bw * sizeof(double));
    int32_t cur = lab[i0];
    for (seg_idx ii0 = 0; ii0 < ni; ii0 += RB) {
        /* Sums of RB rows to all bw columns, held in registers across the
         * features (tmp rows are B apart). Rows and columns past ni and nj
         * are block padding: computed, never used. */
        for (seg_idx jb = 0; jb < bw; jb += VL) {
            v8d a0, a1, a2, a3;
            rows4(XI + ii0, XJ + jb, d, bw, metric, &a0, &a1, &a2, &a3);
            STORE8(tmp + 0 * B + jb, a0);
            STORE8(tmp + 1 * B + jb, a1);
            STORE8(tmp + 2 * B + jb, a2);
            STORE8(tmp + 3 * B + jb, a3);
        }
        if (metric != SEG_METRIC_SQEUCLIDEAN && metric != SEG_METRIC_MANHATTAN)
            for (seg_idx r = 0; r < RB; r++)
                for (seg_idx j = 0; j < bw; j++)
                    tmp[r * B + j] = finish1(tmp[r * B + j], metric);
        /* A row's distance to itself is 0, as scikit-learn sets it: 1 - x.x
         * of a unit row is round-off, and of a zero row 1. (The differences
         * of the other metrics make it exactly 0 already.) */
        if (metric == SEG_METRIC_COSINE && diag)
            for (seg_idx r = 0; r < RB && ii0 + r < ni; r++) tmp[r * B + ii0 + r] = 0.0;
        for (seg_idx r = 0; r < RB && ii0 + r < ni; r++) {
            seg_idx ii = ii0 + r;
            const double *dist = tmp + r * B;
            int32_t ci = lab[i0 + ii];
            if (!diag && ci != cur) {
                for (seg_idx j = 0; j < nj; j++) add_tuple(acc + (j0 + j) * tm->ks, tm, cur, colbuf[j]);
                memset(colbuf, 0, (size_t)bw * sizeof(double));
                cur = ci;
            }
            double *row = acc + (i0 + ii) * tm->ks;
            for (seg_idx q = 0; q < nruns; q++)
                add_tuple(row, tm, runlab[q],
                          seg_sum_4lanes(dist + bounds[q], bounds[q + 1] - bounds[q]));
            if (!diag)
                for (seg_idx j = 0; j < bw; j++) colbuf[j] += dist[j];
        }
    }
    if (!diag)
        for (seg_idx j = 0; j < nj; j++) add_tuple(acc + (j0 + j) * tm->ks, tm, cur, colbuf[j]);
}

/* tile() for two full blocks of one label each (rows are sorted by label,
 * so almost every tile): the distances, their square roots, the rows' sums
 * and the columns' sums stay in registers instead of passing through a
 * buffer, about twice as fast. Row i of block bi gets sum_j d(i, j) for its
 * label-lj entry and, off the diagonal, column j of block bj gets
 * sum_i d(i, j) for label li. Not for the cosine diagonal (its self
 * distances must be set to 0: tile() does it). */
static SEG_ALWAYS_INLINE void tile_one_label(const double *Xb,
                                                                 const int32_t *lab, seg_idx d,
                                                                 seg_idx bw, const tuple_map *tm, seg_idx bi,
                                                                 seg_idx bj,
                                                                 double *acc,
                                                                 double *restrict colbuf,
                                                                 seg_metric metric) {
    seg_idx i0 = bi * bw, j0 = bj * bw;
    const double *XI = Xb + i0 * d, *XJ = Xb + j0 * d;
    int diag = bi == bj;
    int32_t li = lab[i0], lj = lab[j0];
    if (!diag) memset(colbuf, 0, (size_t)bw * sizeof(double));
    for (seg_idx ii0 = 0; ii0 < bw; ii0 += RB) {
        v8d r0 = {0}, r1 = {0}, r2 = {0}, r3 = {0};
        for (seg_idx jb = 0; jb < bw; jb += VL) {
            v8d a0, a1, a2, a3;
            rows4(XI + ii0, XJ + jb, d, bw, metric, &a0, &a1, &a2, &a3);
            finish8(&a0, metric);
            finish8(&a1, metric);
            finish8(&a2, metric);
            finish8(&a3, metric);
#if SEG_GNU_C
            r0 += a0;
            r1 += a1;
            r2 += a2;
            r3 += a3;
            if (!diag) {
                v8d cs;
                LOAD8(cs, colbuf + jb);
                cs += (a0 + a1) + (a2 + a3);
                STORE8(colbuf + jb, cs);
            }
#else
            for (int l = 0; l < VL; l++) {
                r0.l[l] += a0.l[l];
                r1.l[l] += a1.l[l];
                r2.l[l] += a2.l[l];
                r3.l[l] += a3.l[l];
                if (!diag) colbuf[jb + l] += (a0.l[l] + a1.l[l]) + (a2.l[l] + a3.l[l]);
            }
#endif
        }
        seg_idx ks = tm->ks;
        double *row = acc + (i0 + ii0) * ks;
        add_tuple(row, tm, lj, seg_sum_4lanes((const double *)&r0, VL));
        add_tuple(row + ks, tm, lj, seg_sum_4lanes((const double *)&r1, VL));
        add_tuple(row + 2 * ks, tm, lj, seg_sum_4lanes((const double *)&r2, VL));
        add_tuple(row + 3 * ks, tm, lj, seg_sum_4lanes((const double *)&r3, VL));
    }
    if (!diag)
        for (seg_idx j = 0; j < bw; j++) add_tuple(acc + (j0 + j) * tm->ks, tm, li, colbuf[j]);
}

/* One tile, by tile_one_label where it applies, for a constant metric:
 * tile_for(M) below is this body compiled for metric M alone. */
static SEG_ALWAYS_INLINE void any_tile_body(const double *Xb,
                                                                const int32_t *lab, seg_idx n,
                                                                seg_idx d, seg_idx bw, const tuple_map *tm,
                                                                seg_idx bi, seg_idx bj, double *acc,
                                                                double *tb, seg_metric metric) {
    seg_idx i0 = bi * bw, j0 = bj * bw;
    if (i0 + bw <= n && j0 + bw <= n && lab[i0] == lab[i0 + bw - 1] &&
        lab[j0] == lab[j0 + bw - 1] && !(metric == SEG_METRIC_COSINE && bi == bj))
        tile_one_label(Xb, lab, d, bw, tm, bi, bj, acc, tb + RB * B, metric);
    else
        tile(Xb, lab, n, d, bw, tm, bi, bj, acc, tb, tb + RB * B, metric);
}

/* One multiversioned clone per metric, each with only its metric's code. */
typedef void tile_fn(const double *Xb, const int32_t *lab, seg_idx n, seg_idx d, seg_idx bw,
                     const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc, double *tb);

SEG_MULTIVERSION_FMA
static void tile_euclidean(const double *Xb, const int32_t *lab, seg_idx n, seg_idx d,
                           seg_idx bw, const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc, double *tb) {
    any_tile_body(Xb, lab, n, d, bw, tm, bi, bj, acc, tb, SEG_METRIC_EUCLIDEAN);
}

SEG_MULTIVERSION_FMA
static void tile_sqeuclidean(const double *Xb, const int32_t *lab, seg_idx n, seg_idx d,
                             seg_idx bw, const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc,
                             double *tb) {
    any_tile_body(Xb, lab, n, d, bw, tm, bi, bj, acc, tb, SEG_METRIC_SQEUCLIDEAN);
}

SEG_MULTIVERSION_FMA
static void tile_manhattan(const double *Xb, const int32_t *lab, seg_idx n, seg_idx d,
                           seg_idx bw, const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc, double *tb) {
    any_tile_body(Xb, lab, n, d, bw, tm, bi, bj, acc, tb, SEG_METRIC_MANHATTAN);
}

SEG_MULTIVERSION_FMA
static void tile_cosine(const double *Xb, const int32_t *lab, seg_idx n, seg_idx d,
                        seg_idx bw, const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc, double *tb) {
    any_tile_body(Xb, lab, n, d, bw, tm, bi, bj, acc, tb, SEG_METRIC_COSINE);
}

static tile_fn *tile_for(seg_metric metric) {
    switch (metric) {
    case SEG_METRIC_SQEUCLIDEAN: return tile_sqeuclidean;
    case SEG_METRIC_MANHATTAN: return tile_manhattan;
    case SEG_METRIC_COSINE: return tile_cosine;
    default: return tile_euclidean;
    }
}

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

/* The norm scikit-learn's normalize() divides a row by: sqrt(x.x), or 1 for
 * a norm under 10 machine epsilons (a zero row stays zero, at cosine
 * distance 1 from every other row). Infinite when x.x overflows. */
static double cosine_norm(const double *x, seg_idx d) {
    double ss = 0.0;
    for (seg_idx f = 0; f < d; f++) ss += x[f] * x[f];
    double norm = sqrt(ss);
    return norm < 10.0 * DBL_EPSILON ? 1.0 : norm;
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
 * acc (col, T x L). tmp is n indices; start k_max + 1 counts. */
static void sort_tuples(const int32_t *labels, seg_idx n, seg_idx L, const seg_idx *k,
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
}

/* Calls progress->fn with the tiles done so far, from the calling thread. */
static void report(const seg_progress *progress, double done, double total) {
    if (progress != NULL && progress->fn != NULL) progress->fn(progress->ctx, done, total);
}

seg_status seg_silhouette_scores(const double *X, seg_idx n, seg_idx d, const int32_t *labels,
                                 seg_idx n_labelings, const seg_idx *k, seg_metric metric,
                                 int n_threads, const seg_interrupt *intr,
                                 const seg_progress *progress, double *s, double *work,
                                 seg_detail *detail) {
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
    seg_idx bad = seg_first_nonfinite(X, n * d);
    if (bad >= 0)
        return seg_fail(detail, SEG_ENONFINITE, "X has NaN or infinity at flat index", bad);

    int nt = seg_resolve_threads(n_threads);
    (void)nt; /* unused without OpenMP */
    seg_idx bw = block_width(n, d);
    seg_idx nb = n_blocks(n, bw);
    double *Xb = work;
    double *acc = Xb + nb * bw * d;
    seg_idx *order = (seg_idx *)(acc + n * ks);
    seg_idx *tmp = order + n;
    int32_t *lab = (int32_t *)(tmp + n);
    int32_t *col = (int32_t *)((double *)(tmp + n) + (n + 1) / 2);
    int64_t *count = (int64_t *)((double *)col + (n * L + 1) / 2);
    seg_idx *off = (seg_idx *)(count + ks);
    seg_idx *start = off + L + 1;
    double *thread_buf = (double *)(start + ks + 1);
    tile_fn *run_tile = tile_for(metric);
    tuple_map tm = {col, L, ks};

    off[0] = 0;
    for (seg_idx l = 0; l < L; l++) off[l + 1] = off[l] + k[l];
    seg_status st = count_labelings(labels, n, L, k, off, count, detail);
    if (st != SEG_OK) return st;
    sort_tuples(labels, n, L, k, off, count, order, tmp, start, lab, col);
    /* Column-major blocks of the sorted rows (unit rows for cosine),
     * zero-padded to whole blocks. */
    memset(Xb + (nb - 1) * bw * d, 0, (size_t)(bw * d) * sizeof(double));
    for (seg_idx p = 0; p < n; p++) {
        const double *x = X + order[p] * d;
        double *blk = Xb + (p / bw) * bw * d;
        seg_idx j = p % bw;
        if (metric == SEG_METRIC_COSINE) {
            double norm = cosine_norm(x, d);
            if (!isfinite(norm))
                return seg_fail(detail, SEG_ENONFINITE, SEG_REASON_OVERFLOW, -1);
            for (seg_idx f = 0; f < d; f++) blk[f * bw + j] = x[f] / norm;
        } else {
            for (seg_idx f = 0; f < d; f++) blk[f * bw + j] = x[f];
        }
    }
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
    /* a tile of several tuples adds each run's sum to every labeling's
     * column: with many labelings (and tuples) that outweighs d, so batches
     * count it as 4 extra multiply-adds a pair per further labeling */
    double tile_work = (double)bw * (double)bw * ((double)d + 4.0 * (double)(L - 1));
    double fit = 3.2e9 / ((double)nb * (double)bw * (double)bw * (d > 8 ? (double)d : 8.0));
    seg_idx sb = fit < 1.0 ? 1 : (fit > 8.0 ? 8 : (seg_idx)fit);
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
        for (seg_idx l = 0; l < L; l++)
            s[l * n + i] = seg_silhouette_value(acc + p * ks + off[l], count + off[l], k[l],
                                                labels[l * n + i]);
    }
    /* Finite input can still overflow when squared (|x| > 1e154). */
    return check_scores(s, n * L, detail);
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
