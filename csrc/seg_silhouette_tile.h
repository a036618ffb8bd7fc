/* seg_silhouette_tile.h: the silhouette's tiles, one source for float64
 * and float32. seg_silhouette.c includes it twice and nothing else does;
 * before each inclusion it defines
 *   REAL      the element type of the blocks and of the distances (double
 *             or float)
 *   VL        lanes of one 64-byte vector: 8 doubles or 16 floats
 *   IREAL     the integer type of REAL's size (long long or int), SIL_MAG
 *             its value with every bit but the sign, SIL_SHIFT its bits - 1
 *   SIL_SQRT  sqrt or sqrtf
 *   SIL_SUM4  seg_sum_4lanes or seg_sum_4lanes_f32 (seg_inline.h)
 *   SIL_FN(x) x with the type's suffix (x##_f64, x##_f32)
 * and this file undefines them at its end. Every distance is a REAL; a
 * tile's sums (over at most B = 256 rows or columns) are REALs too, and each
 * is then added to the float64 sums of acc (float32: a tile's sum carries a
 * relative error of about 1e-7 * sqrt(256), and acc adds the tiles' sums in
 * float64). The float64 instance is the kernel as it was before float32
 * existed, operation for operation: the same bits. Memory and the rest of
 * the contract: seg_silhouette.h. */

#if SEG_GNU_C
typedef REAL SIL_FN(vec) __attribute__((vector_size(VL * sizeof(REAL))));
typedef IREAL SIL_FN(ivec) __attribute__((vector_size(VL * sizeof(IREAL))));
#else
typedef struct SIL_FN(vec) {
    REAL l[VL];
} SIL_FN(vec);
#endif
#define VEC SIL_FN(vec)
#define IVEC SIL_FN(ivec)


/* The metric's inner sum for RB = 4 rows (xi[f * bw + r]) against 8 columns
 * (xj[f * bw + l]) of two column-major blocks of bw rows, in registers
 * across the features: sum (c - x)^2 (euclidean, sqeuclidean), sum |c - x| (manhattan)
 * or sum c * x of unit rows (cosine). The inner loop of every tile (always
 * inlined with a constant metric, so each tile clone keeps its target, its
 * fused multiply-add and only its metric's branch). */
static SEG_ALWAYS_INLINE void SIL_FN(rows4)(const REAL *xi, const REAL *xj, seg_idx d, seg_idx bw,
                                    seg_metric metric, VEC *a0, VEC *a1, VEC *a2, VEC *a3) {
#if SEG_GNU_C
    VEC s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    for (seg_idx f = 0; f < d; f++) {
        const REAL *x = xi + f * bw;
        VEC c;
        LOADV(c, xj + f * bw);
        if (metric == SEG_METRIC_COSINE) {
            s0 += c * x[0];
            s1 += c * x[1];
            s2 += c * x[2];
            s3 += c * x[3];
            continue;
        }
        VEC t0 = c - x[0], t1 = c - x[1], t2 = c - x[2], t3 = c - x[3];
        if (metric == SEG_METRIC_MANHATTAN) {
            /* |t| by clearing the sign bit (a vector cast reinterprets) */
            const IVEC mag = (IVEC){0} + SIL_MAG;
            s0 += (VEC)((IVEC)t0 & mag);
            s1 += (VEC)((IVEC)t1 & mag);
            s2 += (VEC)((IVEC)t2 & mag);
            s3 += (VEC)((IVEC)t3 & mag);
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
    VEC *out[RB] = {a0, a1, a2, a3};
    for (int r = 0; r < RB; r++)
        for (int l = 0; l < VL; l++) out[r]->l[l] = 0.0;
    for (seg_idx f = 0; f < d; f++) {
        const REAL *x = xi + f * bw;
        for (int l = 0; l < VL; l++) {
            REAL c = xj[f * bw + l];
            for (int r = 0; r < RB; r++) {
                REAL t = c - x[r];
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
static SEG_ALWAYS_INLINE REAL SIL_FN(finish1)(REAL v, seg_metric metric) {
    if (metric == SEG_METRIC_EUCLIDEAN) return SIL_SQRT(v);
    if (metric == SEG_METRIC_COSINE) {
        v = (REAL)1 - v;
        v = v < 0.0 ? 0.0 : v;
        return v > 2.0 ? 2.0 : v;
    }
    return v;
}

/* finish1 on the 8 lanes of a (vsqrtpd where the target has it; nothing at
 * all for sqeuclidean and manhattan). */
static SEG_ALWAYS_INLINE void SIL_FN(finish8)(VEC *a, seg_metric metric) {
    if (metric == SEG_METRIC_SQEUCLIDEAN || metric == SEG_METRIC_MANHATTAN) return;
#if SEG_GNU_C
    if (metric == SEG_METRIC_COSINE) {
        /* finish1 by the sign bits of v and of 2 - v as masks (exact
         * selects): gcc leaves the 8-lane selects of finish1 scalar here, and
         * turns vector comparisons into scalar ones, 2.5x slower than this */
        const VEC two = (VEC){0} + (REAL)2;
        VEC v = (REAL)1 - *a;
        IVEC below = (IVEC)v >> SIL_SHIFT, above = (IVEC)(two - v) >> SIL_SHIFT;
        *a = (VEC)(((IVEC)v & ~(below | above)) | ((IVEC)two & above));
        return;
    }
#endif
    REAL v[VL];
    memcpy(v, a, sizeof v);
    for (int l = 0; l < VL; l++) v[l] = SIL_FN(finish1)(v[l], metric);
    memcpy(a, v, sizeof v);
}

/* One tile: rows of block bi against rows of block bj (bi <= bj). Adds each
 * distance to acc[row][label(col)] and, when bi != bj, to
 * acc[col][label(row)]. tmp (RB * B REALs) and colbuf (B) are this
 * thread's. Always inlined into one clone per metric (tile_for below). */
static SEG_ALWAYS_INLINE void SIL_FN(tile)(const REAL *Xb, const int32_t *lab,
                                                       seg_idx n, seg_idx d, seg_idx bw,
                                                       const tuple_map *tm,
                                                       seg_idx bi, seg_idx bj, double *acc,
                                                       REAL *restrict tmp,
                                                       REAL *restrict colbuf,
                                                       seg_metric metric) {
    seg_idx i0 = bi * bw, j0 = bj * bw;
    seg_idx ni = n - i0 < bw ? n - i0 : bw;
    seg_idx nj = n - j0 < bw ? n - j0 : bw;
    const REAL *XI = Xb + i0 * d;
    const REAL *XJ = Xb + j0 * d;
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

    if (!diag) memset(colbuf, 0, (size_t)bw * sizeof(REAL));
    int32_t cur = lab[i0];
    for (seg_idx ii0 = 0; ii0 < ni; ii0 += RB) {
        /* Sums of RB rows to all bw columns, held in registers across the
         * features (tmp rows are B apart). Rows and columns past ni and nj
         * are block padding: computed, never used. */
        for (seg_idx jb = 0; jb < bw; jb += VL) {
            VEC a0, a1, a2, a3;
            SIL_FN(rows4)(XI + ii0, XJ + jb, d, bw, metric, &a0, &a1, &a2, &a3);
            STOREV(tmp + 0 * B + jb, a0);
            STOREV(tmp + 1 * B + jb, a1);
            STOREV(tmp + 2 * B + jb, a2);
            STOREV(tmp + 3 * B + jb, a3);
        }
        if (metric != SEG_METRIC_SQEUCLIDEAN && metric != SEG_METRIC_MANHATTAN)
            for (seg_idx r = 0; r < RB; r++)
                for (seg_idx j = 0; j < bw; j++)
                    tmp[r * B + j] = SIL_FN(finish1)(tmp[r * B + j], metric);
        /* A row's distance to itself is 0, as scikit-learn sets it: 1 - x.x
         * of a unit row is round-off, and of a zero row 1. (The differences
         * of the other metrics make it exactly 0 already.) */
        if (metric == SEG_METRIC_COSINE && diag)
            for (seg_idx r = 0; r < RB && ii0 + r < ni; r++) tmp[r * B + ii0 + r] = 0.0;
        for (seg_idx r = 0; r < RB && ii0 + r < ni; r++) {
            seg_idx ii = ii0 + r;
            const REAL *dist = tmp + r * B;
            int32_t ci = lab[i0 + ii];
            if (!diag && ci != cur) {
                for (seg_idx j = 0; j < nj; j++) add_tuple(acc + (j0 + j) * tm->ks, tm, cur, colbuf[j]);
                memset(colbuf, 0, (size_t)bw * sizeof(REAL));
                cur = ci;
            }
            double *row = acc + (i0 + ii) * tm->ks;
            for (seg_idx q = 0; q < nruns; q++)
                add_tuple(row, tm, runlab[q],
                          SIL_SUM4(dist + bounds[q], bounds[q + 1] - bounds[q]));
            if (!diag)
                for (seg_idx j = 0; j < bw; j++) colbuf[j] += dist[j];
        }
    }
    if (!diag)
        for (seg_idx j = 0; j < nj; j++) add_tuple(acc + (j0 + j) * tm->ks, tm, cur, colbuf[j]);
}

/* SIL_FN(tile)() for two full blocks of one label each (rows are sorted by label,
 * so almost every tile): the distances, their square roots, the rows' sums
 * and the columns' sums stay in registers instead of passing through a
 * buffer, about twice as fast. Row i of block bi gets sum_j d(i, j) for its
 * label-lj entry and, off the diagonal, column j of block bj gets
 * sum_i d(i, j) for label li. Not for the cosine diagonal (its self
 * distances must be set to 0: SIL_FN(tile)() does it). */
static SEG_ALWAYS_INLINE void SIL_FN(tile_one_label)(const REAL *Xb,
                                                                 const int32_t *lab, seg_idx d,
                                                                 seg_idx bw, const tuple_map *tm, seg_idx bi,
                                                                 seg_idx bj,
                                                                 double *acc,
                                                                 REAL *restrict colbuf,
                                                                 seg_metric metric) {
    seg_idx i0 = bi * bw, j0 = bj * bw;
    const REAL *XI = Xb + i0 * d, *XJ = Xb + j0 * d;
    int diag = bi == bj;
    int32_t li = lab[i0], lj = lab[j0];
    if (!diag) memset(colbuf, 0, (size_t)bw * sizeof(REAL));
    for (seg_idx ii0 = 0; ii0 < bw; ii0 += RB) {
        VEC r0 = {0}, r1 = {0}, r2 = {0}, r3 = {0};
        for (seg_idx jb = 0; jb < bw; jb += VL) {
            VEC a0, a1, a2, a3;
            SIL_FN(rows4)(XI + ii0, XJ + jb, d, bw, metric, &a0, &a1, &a2, &a3);
            SIL_FN(finish8)(&a0, metric);
            SIL_FN(finish8)(&a1, metric);
            SIL_FN(finish8)(&a2, metric);
            SIL_FN(finish8)(&a3, metric);
#if SEG_GNU_C
            r0 += a0;
            r1 += a1;
            r2 += a2;
            r3 += a3;
            if (!diag) {
                VEC cs;
                LOADV(cs, colbuf + jb);
                cs += (a0 + a1) + (a2 + a3);
                STOREV(colbuf + jb, cs);
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
        add_tuple(row, tm, lj, SIL_SUM4((const REAL *)&r0, VL));
        add_tuple(row + ks, tm, lj, SIL_SUM4((const REAL *)&r1, VL));
        add_tuple(row + 2 * ks, tm, lj, SIL_SUM4((const REAL *)&r2, VL));
        add_tuple(row + 3 * ks, tm, lj, SIL_SUM4((const REAL *)&r3, VL));
    }
    if (!diag)
        for (seg_idx j = 0; j < bw; j++) add_tuple(acc + (j0 + j) * tm->ks, tm, li, colbuf[j]);
}

/* One tile, by tile_one_label where it applies, for a constant metric:
 * SIL_FN(tile_for)(M) below is this body compiled for metric M alone. */
static SEG_ALWAYS_INLINE void SIL_FN(any_tile_body)(const REAL *Xb,
                                                                const int32_t *lab, seg_idx n,
                                                                seg_idx d, seg_idx bw, const tuple_map *tm,
                                                                seg_idx bi, seg_idx bj, double *acc,
                                                                double *tb, seg_metric metric) {
    seg_idx i0 = bi * bw, j0 = bj * bw;
    if (i0 + bw <= n && j0 + bw <= n && lab[i0] == lab[i0 + bw - 1] &&
        lab[j0] == lab[j0 + bw - 1] && !(metric == SEG_METRIC_COSINE && bi == bj))
        SIL_FN(tile_one_label)(Xb, lab, d, bw, tm, bi, bj, acc, (REAL *)tb + RB * B, metric);
    else
        SIL_FN(tile)(Xb, lab, n, d, bw, tm, bi, bj, acc, (REAL *)tb, (REAL *)tb + RB * B, metric);
}

/* One multiversioned clone per metric, each with only its metric's code
 * (tile_fn: Xb is a REAL array). */

SEG_MULTIVERSION_FMA
static void SIL_FN(tile_euclidean)(const void *Xb, const int32_t *lab, seg_idx n, seg_idx d,
                           seg_idx bw, const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc, double *tb) {
    SIL_FN(any_tile_body)((const REAL *)Xb, lab, n, d, bw, tm, bi, bj, acc, tb,
                          SEG_METRIC_EUCLIDEAN);
}

SEG_MULTIVERSION_FMA
static void SIL_FN(tile_sqeuclidean)(const void *Xb, const int32_t *lab, seg_idx n, seg_idx d,
                             seg_idx bw, const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc,
                             double *tb) {
    SIL_FN(any_tile_body)((const REAL *)Xb, lab, n, d, bw, tm, bi, bj, acc, tb,
                          SEG_METRIC_SQEUCLIDEAN);
}

SEG_MULTIVERSION_FMA
static void SIL_FN(tile_manhattan)(const void *Xb, const int32_t *lab, seg_idx n, seg_idx d,
                           seg_idx bw, const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc, double *tb) {
    SIL_FN(any_tile_body)((const REAL *)Xb, lab, n, d, bw, tm, bi, bj, acc, tb,
                          SEG_METRIC_MANHATTAN);
}

SEG_MULTIVERSION_FMA
static void SIL_FN(tile_cosine)(const void *Xb, const int32_t *lab, seg_idx n, seg_idx d,
                        seg_idx bw, const tuple_map *tm, seg_idx bi, seg_idx bj, double *acc, double *tb) {
    SIL_FN(any_tile_body)((const REAL *)Xb, lab, n, d, bw, tm, bi, bj, acc, tb,
                          SEG_METRIC_COSINE);
}

static tile_fn *SIL_FN(tile_for)(seg_metric metric) {
    switch (metric) {
    case SEG_METRIC_SQEUCLIDEAN: return SIL_FN(tile_sqeuclidean);
    case SEG_METRIC_MANHATTAN: return SIL_FN(tile_manhattan);
    case SEG_METRIC_COSINE: return SIL_FN(tile_cosine);
    default: return SIL_FN(tile_euclidean);
    }
}


/* The first NaN or infinity of x[0..count), -1 if none. */
static seg_idx SIL_FN(first_nonfinite)(const REAL *x, seg_idx count) {
    for (seg_idx i = 0; i < count; i++)
        if (!isfinite(x[i])) return i;
    return -1;
}

/* The norm scikit-learn's normalize() divides a row by: sqrt(x.x) (in
 * float64), or 1 for a norm under 10 float64 machine epsilons (a zero row
 * stays zero, at cosine distance 1 from every other row). Infinite when x.x
 * overflows. */
static double SIL_FN(cosine_norm)(const REAL *x, seg_idx d) {
    double ss = 0.0;
    for (seg_idx f = 0; f < d; f++) ss += (double)x[f] * x[f];
    double norm = sqrt(ss);
    return norm < 10.0 * DBL_EPSILON ? 1.0 : norm;
}

/* Column-major blocks (Xb, nb blocks of bw rows) of the rows of X in
 * `order` (unit rows for cosine), zero-padded to whole blocks. Returns 0
 * when a row's norm overflows (cosine), -1 when intr says stop. Written a
 * block at a time, slice of features by slice (BUILD_SLICE values), with a
 * Ctrl-C poll after every 2^20 values: 4 rows of 5,000,000 features made
 * one block of 320 MB (8 lanes), written without a poll (0.3 s quiet, one
 * double per cache line at a time). The same values in the same places
 * either way. */
static int SIL_FN(build_blocks)(const REAL *X, seg_idx n, seg_idx d, seg_idx bw, seg_idx nb,
                                const seg_idx *order, seg_metric metric,
                                const seg_interrupt *intr, void *blocks) {
    REAL *Xb = (REAL *)blocks;
    seg_idx slice = BUILD_SLICE / bw > 0 ? BUILD_SLICE / bw : 1;
    double norms[B], done = 0.0;
    for (seg_idx b = 0; b < nb; b++) {
        REAL *blk = Xb + b * bw * d;
        seg_idx p0 = b * bw, p1 = p0 + bw < n ? p0 + bw : n;
        if (metric == SEG_METRIC_COSINE)
            for (seg_idx p = p0; p < p1; p++) {
                norms[p - p0] = SIL_FN(cosine_norm)(X + order[p] * d, d);
                if (!isfinite(norms[p - p0])) return 0;
            }
        for (seg_idx f0 = 0; f0 < d; f0 += slice) {
            seg_idx f1 = d - f0 > slice ? f0 + slice : d;
            for (seg_idx j = 0; j < bw; j++) {
                REAL *col = blk + j;
                if (p0 + j >= n) { /* padding lanes of the last block */
                    for (seg_idx f = f0; f < f1; f++) col[f * bw] = 0;
                    continue;
                }
                const REAL *x = X + order[p0 + j] * d;
                if (metric == SEG_METRIC_COSINE) {
                    double norm = norms[j];
                    for (seg_idx f = f0; f < f1; f++) col[f * bw] = (REAL)(x[f] / norm);
                } else {
                    for (seg_idx f = f0; f < f1; f++) col[f * bw] = x[f];
                }
            }
            done += (double)bw * (double)(f1 - f0);
            if (done >= (double)(1 << 20)) {
                done = 0.0;
                if (seg_interrupted(intr)) return -1;
            }
        }
    }
    return 1;
}

#undef VEC
#undef IVEC
#undef REAL
#undef VL
#undef IREAL
#undef SIL_MAG
#undef SIL_SHIFT
#undef SIL_SQRT
#undef SIL_SUM4
#undef SIL_FN
