#include "seg_sparse.h"
#include "seg_inline.h"

#include <float.h>
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows per chunk: at least CHUNK_MIN, more when the per-chunk accumulators
 * (k*(d+1)+2 doubles each) would pass ACC_CAP doubles in all. It depends on
 * n, k and d only: that is what makes results identical on any number of
 * threads. */
#define CHUNK_MIN 256
#define ACC_CAP ((double)(1 << 22))
/* Multiply-adds per parallel region between two interrupt checks (a few ms). */
#define GROUP_WORK ((double)(1 << 24))
#define MAX_TRIALS 64

static seg_idx chunk_rows(seg_idx n, seg_idx k, seg_idx d) {
    double need = ceil((double)n * ((double)k * ((double)d + 1.0) + 2.0) / ACC_CAP);
    if (need > (double)n) return n > CHUNK_MIN ? n : CHUNK_MIN; /* sizes beyond memory */
    return need > (double)CHUNK_MIN ? (seg_idx)need : CHUNK_MIN;
}

/* Chunks per interrupt check, for `per_value` multiply-adds per stored value. */
static seg_idx group_of(const seg_csr *X, seg_idx chunk, double per_value) {
    double avg = (double)X->indptr[X->n] / (double)X->n + 1.0;
    double g = GROUP_WORK / ((double)chunk * avg * (per_value > 1.0 ? per_value : 1.0));
    return g < 1.0 ? 1 : (g > 1e9 ? 1000000000 : (seg_idx)g);
}

static inline seg_idx col(const seg_csr *X, seg_idx p) {
    return X->indices32 ? (seg_idx)X->indices32[p] : (seg_idx)X->indices64[p];
}

/* ------------------------------------------------------------------------ */
/* Rows                                                                      */
/* ------------------------------------------------------------------------ */

seg_csr_problem seg_csr_check(const seg_csr *X, seg_idx nnz, int check_values, seg_idx *row,
                              int64_t *mark) {
    *row = -1;
    if (X == NULL || X->n < 1 || X->d < 1 || X->indptr == NULL || mark == NULL || nnz < 0 ||
        (X->indices32 == NULL) == (X->indices64 == NULL) || (X->data == NULL && nnz > 0))
        return SEG_CSR_BAD_SHAPE;
    const int64_t *ip = X->indptr;
    if (ip[0] != 0) return SEG_CSR_BAD_INDPTR;
    for (seg_idx i = 0; i < X->n; i++) {
        if (ip[i + 1] < ip[i] || ip[i + 1] > nnz) {
            *row = i;
            return ip[i + 1] < ip[i] ? SEG_CSR_BAD_INDPTR : SEG_CSR_BAD_NNZ;
        }
    }
    if (ip[X->n] != nnz) return SEG_CSR_BAD_NNZ;
    for (seg_idx f = 0; f < X->d; f++) mark[f] = -1;
    for (seg_idx i = 0; i < X->n; i++) {
        for (int64_t p = ip[i]; p < ip[i + 1]; p++) {
            seg_idx f = col(X, p);
            if (f < 0 || f >= X->d) {
                *row = i;
                return SEG_CSR_BAD_INDEX;
            }
            if (mark[f] == i) {
                *row = i;
                return SEG_CSR_DUPLICATE;
            }
            mark[f] = i;
            if (check_values && !isfinite(X->data[p])) {
                *row = i;
                return SEG_CSR_NONFINITE;
            }
        }
    }
    return SEG_CSR_OK;
}

static int data_finite(const seg_csr *X) {
    for (int64_t p = 0; p < X->indptr[X->n]; p++)
        if (!isfinite(X->data[p])) return 0;
    return 1;
}

/* The basic checks every entry point makes (the structure is trusted). */
static seg_status check_csr(const seg_csr *X, seg_detail *detail) {
    if (X == NULL || X->n < 1 || X->d < 1 || X->indptr == NULL ||
        (X->indices32 == NULL) == (X->indices64 == NULL) ||
        (X->data == NULL && X->indptr[X->n] > 0))
        return seg_fail(detail, SEG_EINVAL,
                        "X must have n >= 1, d >= 1, indptr, exactly one of indices32 and "
                        "indices64, and data",
                        -1);
    return data_finite(X) ? SEG_OK
                          : seg_fail(detail, SEG_ENONFINITE, "X stores NaN or infinity", -1);
}

/* Finite-input overflow (see seg_kmeans.c). */
static seg_status overflowed(seg_status st, seg_detail *detail) {
    return st == SEG_ENONFINITE ? seg_fail(detail, st, SEG_REASON_OVERFLOW, -1) : st;
}

/* k and n_trials for k-means++ on X. */
static seg_status check_k_trials(const seg_csr *X, seg_idx k, seg_idx n_trials,
                                 seg_detail *detail) {
    if (k < 1 || k > X->n) return seg_fail(detail, SEG_EINVAL, "needs 1 <= k <= n", -1);
    if (n_trials < 1 || n_trials > MAX_TRIALS)
        return seg_fail(detail, SEG_EINVAL, "n_trials must be between 1 and 64", -1);
    return SEG_OK;
}

/* Centres (k x d) finite, k >= 1. */
static seg_status check_centres(const double *centers, seg_idx k, seg_idx d, seg_detail *detail) {
    if (k < 1) return seg_fail(detail, SEG_EINVAL, "needs k >= 1", -1);
    seg_idx bad = seg_first_nonfinite(centers, k * d);
    return bad < 0 ? SEG_OK
                   : seg_fail(detail, SEG_ENONFINITE, "centers has NaN or infinity at flat index",
                              bad);
}

/* x.c over the stored values of row i, in stored order. */
static inline double row_dot(const seg_csr *X, seg_idx i, const double *c) {
    double s = 0.0;
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) s += X->data[p] * c[col(X, p)];
    return s;
}

/* acc[t] = x.c_t for the m points of CT (d x m, point-minor), stored order. */
static inline void row_dots(const seg_csr *X, seg_idx i, const double *CT, seg_idx m,
                            double *acc) {
    for (seg_idx t = 0; t < m; t++) acc[t] = 0.0;
    int64_t p0 = X->indptr[i], p1 = X->indptr[i + 1];
    const double *v = X->data;
    if (X->indices32) {
        const int32_t *ix = X->indices32;
        for (int64_t p = p0; p < p1; p++) {
            const double *ct = CT + (seg_idx)ix[p] * m;
            for (seg_idx t = 0; t < m; t++) acc[t] += v[p] * ct[t];
        }
    } else {
        const int64_t *ix = X->indices64;
        for (int64_t p = p0; p < p1; p++) {
            const double *ct = CT + (seg_idx)ix[p] * m;
            for (seg_idx t = 0; t < m; t++) acc[t] += v[p] * ct[t];
        }
    }
}

static inline double row_norm2(const seg_csr *X, seg_idx i) {
    double s = 0.0;
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) s += X->data[p] * X->data[p];
    return s;
}

/* |x - c|^2 as scikit-learn's _euclidean_sparse_dense: sum over stored
 * (x_f - c_f)^2 - c_f^2, plus |c|^2 (cn), clamped at 0. */
static inline double stored_dist(const seg_csr *X, seg_idx i, const double *c, double cn) {
    double r = 0.0;
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) {
        double b = c[col(X, p)], t = X->data[p] - b;
        r += t * t - b * b;
    }
    r += cn;
    return r > 0.0 ? r : 0.0;
}

/* |x|^2 - 2 x.c + |c|^2, clamped at 0: k-means++ distances. */
static inline double norm_dist(double xn, double dot, double cn) {
    double r = xn - 2.0 * dot + cn;
    return r > 0.0 ? r : 0.0;
}

static void densify(const seg_csr *X, seg_idx i, double *out) {
    memset(out, 0, (size_t)X->d * sizeof(double));
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) out[col(X, p)] = X->data[p];
}

/* |c|^2 in column order, for each of k centres; CT = the centres transposed. */
static void centre_norms(const double *C, seg_idx k, seg_idx d, double *cn, double *CT) {
    for (seg_idx c = 0; c < k; c++) {
        double s = 0.0;
        for (seg_idx f = 0; f < d; f++) {
            s += C[c * d + f] * C[c * d + f];
            if (CT) CT[f * k + c] = C[c * d + f];
        }
        cn[c] = s;
    }
}

/* ------------------------------------------------------------------------ */
/* k-means++                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct pp_ctx {
    const seg_csr *X;
    const double *sw, *xn;
    double *closest, *chunk_tot, *chunk_pot;
    const double *candT, *cand_norm;
    seg_idx n_trials;
    const double *centre; /* folded into closest by pp_fold */
    double centre_norm;
    int init;
    const double *pending; /* a centre not yet folded (NULL: none) */
    double pending_norm;
} pp_ctx;

static void pp_fold(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    pp_ctx *p = (pp_ctx *)vctx;
    double tot = 0.0;
    for (seg_idx i = i0; i < i1; i++) {
        double dd = norm_dist(p->xn[i], row_dot(p->X, i, p->centre), p->centre_norm);
        double cl = p->init || dd < p->closest[i] ? dd : p->closest[i];
        p->closest[i] = cl;
        tot += p->sw ? p->sw[i] * cl : cl;
    }
    p->chunk_tot[c] = tot;
}

static void pp_trials(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    pp_ctx *p = (pp_ctx *)vctx;
    seg_idx T = p->n_trials;
    double pot[MAX_TRIALS], acc[MAX_TRIALS];
    for (seg_idx t = 0; t < T; t++) pot[t] = 0.0;
    for (seg_idx i = i0; i < i1; i++) {
        double cl = p->closest[i];
        if (p->pending != NULL) {
            double dd = norm_dist(p->xn[i], row_dot(p->X, i, p->pending), p->pending_norm);
            cl = dd < cl ? dd : cl;
            p->closest[i] = cl;
        }
        double w = p->sw ? p->sw[i] : 1.0;
        row_dots(p->X, i, p->candT, T, acc);
        for (seg_idx t = 0; t < T; t++) {
            double dd = norm_dist(p->xn[i], acc[t], p->cand_norm[t]);
            pot[t] += w * (dd < cl ? dd : cl);
        }
    }
    memcpy(p->chunk_pot + c * T, pot, (size_t)T * sizeof(double));
}

static seg_idx pp_scratch(seg_idx n, seg_idx d, seg_idx k, seg_idx n_trials) {
    seg_idx nc = seg_n_chunks(n, chunk_rows(n, k, d));
    seg_idx s = seg_mul_add(nc, n_trials + 1, seg_mul_add(n, 2, 0)); /* xn, closest, tot, pot */
    return seg_add_sizes(s, seg_mul_add(seg_add_sizes(d, 1), n_trials, 0)); /* candT, cand_norm */
}

seg_idx seg_sparse_plusplus_work_size(seg_idx n, seg_idx d, seg_idx k, seg_idx n_trials) {
    if (n < 1 || d < 1 || k < 1 || n_trials < 1) return -1;
    return pp_scratch(n, d, k, n_trials);
}

/* k-means++ as seg_kmeans.c's plusplus_blocks: the same draws in the same
 * order from the same generator. work: pp_scratch() doubles. */
static seg_status plusplus(const seg_csr *X, const double *sw, seg_idx k, seg_idx n_trials,
                           uint64_t seed, int nt, const seg_interrupt *intr, double *centers,
                           seg_idx *indices, double *work) {
    seg_idx n = X->n, d = X->d;
    seg_idx chunk = chunk_rows(n, k, d), nc = seg_n_chunks(n, chunk);
    seg_idx group = group_of(X, chunk, (double)n_trials + 1.0);
    double *xn = work, *closest = xn + n, *chunk_tot = closest + n;
    double *chunk_pot = chunk_tot + nc, *candT = chunk_pot + nc * n_trials;
    double *cand_norm = candT + d * n_trials;
    seg_idx cand[MAX_TRIALS];
    seg_rng rng;
    seg_rng_seed(&rng, seed);
    for (seg_idx i = 0; i < n; i++) xn[i] = row_norm2(X, i);

    double total = 0.0;
    for (seg_idx i = 0; i < n; i++) total += sw ? sw[i] : 1.0;
    seg_idx first = seg_scan_rows(NULL, sw, 0, n, 0.0, seg_rng_uniform(&rng) * total);
    densify(X, first, centers);
    if (indices) indices[0] = first;
    double norm0;
    centre_norms(centers, 1, d, &norm0, NULL);

    pp_ctx ctx = {.X = X, .sw = sw, .xn = xn, .closest = closest, .chunk_tot = chunk_tot,
                  .chunk_pot = chunk_pot, .candT = candT, .cand_norm = cand_norm,
                  .n_trials = n_trials, .centre = centers, .centre_norm = norm0, .init = 1};
    if (seg_for_chunks(pp_fold, &ctx, n, chunk, group, nt, intr)) return SEG_EINTERRUPTED;
    ctx.init = 0;
    for (seg_idx c = 1; c < k; c++) {
        double pot = 0.0;
        for (seg_idx ch = 0; ch < nc; ch++) pot += chunk_tot[ch];
        for (seg_idx t = 0; t < n_trials; t++) {
            double run, value = seg_rng_uniform(&rng) * pot;
            seg_idx ch = seg_pick_chunk(chunk_tot, nc, value, &run);
            seg_idx i0 = ch * chunk, i1 = i0 + chunk < n ? i0 + chunk : n;
            if (ctx.pending != NULL) { /* the drawn chunk's closest must be current */
                ctx.centre = ctx.pending;
                ctx.centre_norm = ctx.pending_norm;
                pp_fold(&ctx, ch, i0, i1);
            }
            cand[t] = seg_scan_rows(closest, sw, i0, i1, run, value);
        }
        memset(candT, 0, (size_t)(d * n_trials) * sizeof(double));
        for (seg_idx t = 0; t < n_trials; t++) {
            for (int64_t p = X->indptr[cand[t]]; p < X->indptr[cand[t] + 1]; p++)
                candT[col(X, p) * n_trials + t] = X->data[p];
            double s = 0.0;
            for (seg_idx f = 0; f < d; f++) s += candT[f * n_trials + t] * candT[f * n_trials + t];
            cand_norm[t] = s;
        }
        if (seg_for_chunks(pp_trials, &ctx, n, chunk, group, nt, intr)) return SEG_EINTERRUPTED;
        seg_idx best = 0;
        double best_pot = INFINITY;
        for (seg_idx t = 0; t < n_trials; t++) {
            double s = 0.0;
            for (seg_idx ch = 0; ch < nc; ch++) s += chunk_pot[ch * n_trials + t];
            if (s < best_pot) {
                best_pot = s;
                best = t;
            }
        }
        double *centre = centers + c * d;
        densify(X, cand[best], centre);
        if (indices) indices[c] = cand[best];
        for (seg_idx ch = 0; ch < nc; ch++) chunk_tot[ch] = chunk_pot[ch * n_trials + best];
        ctx.pending = centre;
        ctx.pending_norm = cand_norm[best];
    }
    return SEG_OK;
}

seg_status seg_sparse_kmeans_plusplus(const seg_csr *X, const double *sw, seg_idx k,
                                      seg_idx n_trials, uint64_t seed, int n_threads,
                                      const seg_interrupt *intr, double *centers,
                                      seg_idx *indices, double *work, seg_detail *detail) {
    if (centers == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "centers and work must not be NULL", -1);
    seg_status st = check_csr(X, detail);
    if (st != SEG_OK) return st;
    if ((st = check_k_trials(X, k, n_trials, detail)) != SEG_OK) return st;
    if ((st = seg_check_weights(sw, X->n, detail)) != SEG_OK) return st;
    return plusplus(X, sw, k, n_trials, seed, seg_resolve_threads(n_threads), intr, centers,
                    indices, work);
}

/* ------------------------------------------------------------------------ */
/* Lloyd                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct fit_ctx {
    const seg_csr *X;
    const double *sw;
    seg_idx k, d;
    const double *C, *CT, *cn; /* centres, transposed (d x k), squared norms */
    int32_t *labels;
    double *sums, *wts;   /* n_chunks x k x d, n_chunks x k */
    double *dots;         /* n_chunks x k */
    double *chunk_stat;   /* n_chunks x 2: inertia, labels changed */
    double *dist;         /* optional: squared distance to own centre */
    int update;           /* 1: sums and changes; 0: labels and inertia */
} fit_ctx;

/* Nearest centre of every row of the chunk (argmin |c|^2 - 2 x.c, lower
 * index on ties), with the chunk's sums (update) or inertia. */
static void lloyd_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    fit_ctx *p = (fit_ctx *)vctx;
    const seg_csr *X = p->X;
    seg_idx k = p->k, d = p->d;
    /* sums and wts are NULL when not updating: no arithmetic on them then */
    double *acc = p->dots + c * k;
    double *sums = p->update ? p->sums + c * k * d : NULL;
    double *wts = p->update ? p->wts + c * k : NULL;
    if (p->update) {
        memset(sums, 0, (size_t)(k * d) * sizeof(double));
        memset(wts, 0, (size_t)k * sizeof(double));
    }
    double inertia = 0.0, changed = 0.0;
    for (seg_idx i = i0; i < i1; i++) {
        row_dots(X, i, p->CT, k, acc);
        seg_idx best = 0;
        double bd = p->cn[0] - 2.0 * acc[0];
        for (seg_idx j = 1; j < k; j++) {
            double v = p->cn[j] - 2.0 * acc[j];
            if (v < bd) {
                bd = v;
                best = j;
            }
        }
        double w = p->sw ? p->sw[i] : 1.0;
        if (p->update) {
            if (p->labels[i] != (int32_t)best) changed += 1.0;
            double *s = sums + best * d;
            for (int64_t q = X->indptr[i]; q < X->indptr[i + 1]; q++)
                s[col(X, q)] += X->data[q] * w;
            wts[best] += w;
        } else {
            inertia += w * stored_dist(X, i, p->C + best * d, p->cn[best]);
        }
        p->labels[i] = (int32_t)best;
    }
    p->chunk_stat[2 * c] = inertia;
    p->chunk_stat[2 * c + 1] = changed;
}

/* Squared distance of every row to its own centre (dist) and the inertia. */
static void inertia_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    fit_ctx *p = (fit_ctx *)vctx;
    double s = 0.0;
    for (seg_idx i = i0; i < i1; i++) {
        seg_idx lab = p->labels[i];
        double dd = stored_dist(p->X, i, p->C + lab * p->d, p->cn[lab]);
        if (p->dist) p->dist[i] = dd;
        s += p->sw ? p->sw[i] * dd : dd;
    }
    p->chunk_stat[2 * c] = s;
}

static seg_idx fit_scratch(seg_idx n, seg_idx d, seg_idx k) {
    seg_idx nc = seg_n_chunks(n, chunk_rows(n, k, d));
    seg_idx per_chunk = seg_mul_add(k, seg_add_sizes(d, 2), 2); /* sums, wts, dots, stat */
    seg_idx s = seg_mul_add(nc, per_chunk, n);             /* + dist */
    return seg_add_sizes(s, seg_mul_add(k, seg_mul_add(d, 2, 2), 0)); /* newc, CT, cn, wsum */
}

/* Re-seeds the clusters with zero weight as seg_kmeans.c's relocate_empty
 * does (farthest rows first, only rows away from their centre); returns how
 * many. */
static seg_idx relocate_empty(const seg_csr *X, const double *sw, seg_idx k,
                              const int32_t *labels, double *dist, double *sums, double *wsum,
                              double *newc) {
    seg_idx n = X->n, d = X->d, moved = 0;
    double rel = (double)n * DBL_EPSILON;
    rel *= rel;
    for (seg_idx c = 0; c < k; c++) {
        if (wsum[c] > 0.0) continue;
        seg_idx far = -1;
        double fd = 0.0;
        for (seg_idx i = 0; i < n; i++) {
            if (sw != NULL && !(sw[i] > 0.0)) continue;
            if (dist[i] > fd) {
                if (dist[i] <= rel * row_norm2(X, i)) continue;
                fd = dist[i];
                far = i;
            }
        }
        if (far < 0) return moved;
        dist[far] = -2.0;
        /* The row densified in place of c's centre: subtracting its zeros
         * from old's sums changes no bit (s - w * 0 == s). */
        densify(X, far, newc + c * d);
        seg_move_to_empty(newc + c * d, sw ? sw[far] : 1.0, labels[far], c, d, k, sums, wsum,
                          newc);
        moved++;
    }
    return moved;
}

static seg_status fit(const seg_csr *X, const double *sw, seg_idx k, double *centers,
                      int max_iter, double tol, int nt, const seg_interrupt *intr,
                      int32_t *labels, double *inertia, int *n_iter, int *converged,
                      double *work) {
    seg_idx n = X->n, d = X->d;
    seg_idx chunk = chunk_rows(n, k, d), nc = seg_n_chunks(n, chunk);
    seg_idx group = group_of(X, chunk, (double)k);
    double *dist = work, *sums = dist + n, *wts = sums + nc * k * d, *dots = wts + nc * k;
    double *chunk_stat = dots + nc * k, *newc = chunk_stat + 2 * nc, *CT = newc + k * d;
    double *cn = CT + k * d, *wsum = cn + k;
    for (seg_idx i = 0; i < n; i++) labels[i] = -1;
    fit_ctx ctx = {.X = X, .sw = sw, .k = k, .d = d, .C = centers, .CT = CT, .cn = cn,
                   .labels = labels, .sums = sums, .wts = wts, .dots = dots,
                   .chunk_stat = chunk_stat, .update = 1};
    int strict = 0, conv = 0, it;
    for (it = 0; it < max_iter; it++) {
        centre_norms(centers, k, d, cn, CT);
        ctx.update = 1;
        ctx.dist = NULL;
        if (seg_for_chunks(lloyd_chunk, &ctx, n, chunk, group, nt, intr)) return SEG_EINTERRUPTED;
        double changed = seg_merge_chunk_sums(sums, wts, chunk_stat, nc, k, d, newc, wsum);
        int any_empty = 0;
        seg_idx relocated = 0;
        for (seg_idx c = 0; c < k; c++) any_empty |= !(wsum[c] > 0.0);
        if (any_empty) {
            ctx.dist = dist;
            if (seg_for_chunks(inertia_chunk, &ctx, n, chunk, group, nt, intr))
                return SEG_EINTERRUPTED;
            relocated = relocate_empty(X, sw, k, labels, dist, newc, wsum, newc);
        }
        seg_centres_from_sums(newc, wsum, centers, k, d);
        double shift = 0.0;
        for (seg_idx j = 0; j < k * d; j++) {
            double t = newc[j] - centers[j];
            shift += t * t;
        }
        memcpy(centers, newc, (size_t)(k * d) * sizeof(double));
        if (changed == 0.0 && relocated == 0) {
            strict = conv = 1;
            break;
        }
        if (shift <= tol) {
            conv = 1;
            break;
        }
    }
    *n_iter = it < max_iter ? it + 1 : max_iter;
    *converged = conv;
    /* Labels must be the nearest final centres: one more pass unless the
     * last one already used these exact centres (strict convergence). */
    centre_norms(centers, k, d, cn, CT);
    ctx.update = 0;
    ctx.dist = NULL;
    if (seg_for_chunks(strict ? inertia_chunk : lloyd_chunk, &ctx, n, chunk, group, nt, intr))
        return SEG_EINTERRUPTED;
    double total = 0.0;
    for (seg_idx ch = 0; ch < nc; ch++) total += chunk_stat[2 * ch];
    *inertia = total;
    if (!isfinite(total) || !seg_all_finite(centers, k * d)) return SEG_ENONFINITE;
    return SEG_OK;
}

seg_idx seg_sparse_runs_work_size(seg_idx n, seg_idx d, const seg_kmeans_params *params) {
    if (params == NULL) return -1;
    seg_idx k = params->k, n_trials = params->n_trials;
    int n_init = params->n_init;
    if (n < 1 || d < 1 || k < 1 || n_init < 1 || n_trials < 1) return -1;
    seg_idx pp = pp_scratch(n, d, k, n_trials), ft = fit_scratch(n, d, k);
    if (pp < 0 || ft < 0) return -1;
    seg_idx kd = seg_mul_add(k, d, 0);
    seg_idx runs = seg_mul_add(n_init, seg_add_sizes(kd, 3), 0); /* each run's centres and stats */
    return seg_add_sizes(seg_add_sizes(runs, seg_add_sizes(kd, n / 2 + 1)), pp > ft ? pp : ft);
}

/* seg_sparse_kmeans_fit_runs once its arguments are checked. */
static seg_status fit_runs(const seg_csr *X, const double *sw, const seg_kmeans_params *params,
                           const seg_interrupt *intr, seg_kmeans_runs_out *out, double *work);

seg_status seg_sparse_kmeans_fit_runs(const seg_csr *X, const double *sw,
                                      const seg_kmeans_params *params, const seg_interrupt *intr,
                                      seg_kmeans_runs_out *out, double *work, seg_detail *detail) {
    if (params == NULL || out == NULL || out->centers == NULL || out->labels == NULL ||
        work == NULL)
        return seg_fail(detail, SEG_EINVAL,
                        "params, out, out->centers, out->labels and work must not be NULL", -1);
    const seg_kmeans_params *p = params;
    if (p->n_init < 1) return seg_fail(detail, SEG_EINVAL, "n_init must be >= 1", -1);
    if ((p->init_centers == NULL) == (p->seeds == NULL))
        return seg_fail(detail, SEG_EINVAL, "give exactly one of seeds and init_centers", -1);
    if (p->max_iter < 1) return seg_fail(detail, SEG_EINVAL, "max_iter must be >= 1", -1);
    if (!(p->tol >= 0.0)) return seg_fail(detail, SEG_EINVAL, "tol must be >= 0", -1);
    seg_status st = check_csr(X, detail);
    if (st != SEG_OK) return st;
    if ((st = check_k_trials(X, p->k, p->n_trials, detail)) != SEG_OK) return st;
    if (!isfinite(p->tol)) return seg_fail(detail, SEG_ENONFINITE, "tol must be finite", -1);
    seg_idx bad = p->init_centers ? seg_first_nonfinite(p->init_centers,
                                                        (seg_idx)p->n_init * p->k * X->d)
                                  : -1;
    if (bad >= 0)
        return seg_fail(detail, SEG_ENONFINITE, "init_centers has NaN or infinity at flat index",
                        bad);
    if ((st = seg_check_weights(sw, X->n, detail)) != SEG_OK) return st;
    return overflowed(fit_runs(X, sw, p, intr, out, work), detail);
}

static seg_status fit_runs(const seg_csr *X, const double *sw, const seg_kmeans_params *params,
                           const seg_interrupt *intr, seg_kmeans_runs_out *out, double *work) {
    seg_idx n = X->n, d = X->d, k = params->k, n_trials = params->n_trials;
    int n_init = params->n_init, max_iter = params->max_iter;
    const uint64_t *seeds = params->seeds;
    const double *init_centers = params->init_centers;
    double tol = params->tol;
    double *centers = out->centers;
    int32_t *labels = out->labels;
    int *best_run = &out->best_run;
    seg_status st;
    int nt = seg_resolve_threads(params->n_threads);
    double *run_centers = work, *run_stats = run_centers + (seg_idx)n_init * k * d;
    double *c = run_stats + 3 * (seg_idx)n_init;
    int32_t *lab = (int32_t *)(c + k * d);
    double *w = c + k * d + n / 2 + 1;
    for (int r = 0; r < n_init; r++) {
        if (init_centers) {
            memcpy(c, init_centers + (seg_idx)r * k * d, (size_t)(k * d) * sizeof(double));
        } else {
            st = plusplus(X, sw, k, n_trials, seeds[r], nt, intr, c, NULL, w);
            if (st != SEG_OK) return st;
        }
        double in;
        int it, conv;
        st = fit(X, sw, k, c, max_iter, tol, nt, intr, lab, &in, &it, &conv, w);
        if (st != SEG_OK) return st;
        memcpy(run_centers + (seg_idx)r * k * d, c, (size_t)(k * d) * sizeof(double));
        run_stats[3 * r] = in;
        run_stats[3 * r + 1] = it;
        run_stats[3 * r + 2] = conv;
        if (r == 0 || in < run_stats[3 * *best_run]) {
            *best_run = r;
            memcpy(labels, lab, (size_t)n * sizeof(int32_t));
        }
    }
    int best = *best_run;
    memcpy(centers, run_centers + (seg_idx)best * k * d, (size_t)(k * d) * sizeof(double));
    out->inertia = run_stats[3 * best];
    out->n_iter = (int)run_stats[3 * best + 1];
    out->converged = (int)run_stats[3 * best + 2];
    return SEG_OK;
}

/* ------------------------------------------------------------------------ */
/* predict, transform, variance                                              */
/* ------------------------------------------------------------------------ */

seg_idx seg_sparse_predict_work_size(seg_idx n, seg_idx d, seg_idx k) {
    if (n < 1 || d < 1 || k < 1) return -1;
    seg_idx nc = seg_n_chunks(n, chunk_rows(n, k, d));
    return seg_add_sizes(seg_mul_add(nc, seg_add_sizes(k, 2), 0),
                         seg_mul_add(k, seg_add_sizes(d, 1), 0));
}

seg_status seg_sparse_kmeans_predict(const seg_csr *X, const double *sw, const double *centers,
                                     seg_idx k, int n_threads, const seg_interrupt *intr,
                                     int32_t *labels, double *inertia, double *work,
                                     seg_detail *detail) {
    if (centers == NULL || labels == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "centers, labels and work must not be NULL", -1);
    seg_status st = check_csr(X, detail);
    if (st != SEG_OK) return st;
    seg_idx n = X->n, d = X->d;
    if ((st = check_centres(centers, k, d, detail)) != SEG_OK) return st;
    seg_idx bad = sw ? seg_first_nonfinite(sw, n) : -1;
    if (bad >= 0)
        return seg_fail(detail, SEG_ENONFINITE, "sample_weight is NaN or infinite in row", bad);
    seg_idx chunk = chunk_rows(n, k, d), nc = seg_n_chunks(n, chunk);
    double *dots = work, *stat = dots + nc * k, *CT = stat + 2 * nc, *cn = CT + k * d;
    centre_norms(centers, k, d, cn, CT);
    fit_ctx ctx = {.X = X, .sw = sw, .k = k, .d = d, .C = centers, .CT = CT, .cn = cn,
                   .labels = labels, .dots = dots, .chunk_stat = stat, .update = 0};
    if (seg_for_chunks(lloyd_chunk, &ctx, n, chunk, group_of(X, chunk, (double)k),
                   seg_resolve_threads(n_threads), intr))
        return SEG_EINTERRUPTED;
    double total = 0.0;
    for (seg_idx ch = 0; ch < nc; ch++) total += stat[2 * ch];
    if (inertia) *inertia = total;
    return isfinite(total) ? SEG_OK : overflowed(SEG_ENONFINITE, detail);
}

typedef struct transform_ctx {
    const seg_csr *X;
    const double *C, *cn;
    seg_idx k, d;
    double *out;
} transform_ctx;

static void transform_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    transform_ctx *p = (transform_ctx *)vctx;
    (void)c;
    for (seg_idx i = i0; i < i1; i++)
        for (seg_idx j = 0; j < p->k; j++)
            p->out[i * p->k + j] = sqrt(stored_dist(p->X, i, p->C + j * p->d, p->cn[j]));
}

seg_status seg_sparse_kmeans_transform(const seg_csr *X, const double *centers, seg_idx k,
                                       int n_threads, const seg_interrupt *intr, double *out,
                                       double *work, seg_detail *detail) {
    if (centers == NULL || out == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "centers, out and work must not be NULL", -1);
    seg_status st = check_csr(X, detail);
    if (st != SEG_OK) return st;
    seg_idx n = X->n, d = X->d;
    if ((st = check_centres(centers, k, d, detail)) != SEG_OK) return st;
    double *cn = work;
    centre_norms(centers, k, d, cn, NULL);
    transform_ctx ctx = {X, centers, cn, k, d, out};
    seg_idx chunk = chunk_rows(n, k, d);
    if (seg_for_chunks(transform_chunk, &ctx, n, chunk, group_of(X, chunk, 3.0 * (double)k),
                   seg_resolve_threads(n_threads), intr))
        return SEG_EINTERRUPTED;
    return seg_all_finite(out, n * k) ? SEG_OK : overflowed(SEG_ENONFINITE, detail);
}

seg_idx seg_sparse_variance_work_size(seg_idx n, seg_idx d) {
    if (n < 1 || d < 1) return -1;
    return seg_mul_add(2 * seg_n_chunks(n, chunk_rows(n, 1, d)) + 1, d, 0);
}

typedef struct var_ctx {
    const seg_csr *X;
    const double *mean; /* NULL: column sums; else squared deviations and counts */
    double *chunk_sums; /* n_chunks x 2d */
} var_ctx;

static void var_chunk(void *vctx, seg_idx c, seg_idx i0, seg_idx i1) {
    var_ctx *p = (var_ctx *)vctx;
    const seg_csr *X = p->X;
    seg_idx d = X->d;
    double *s = p->chunk_sums + 2 * c * d, *cnt = s + d;
    memset(s, 0, (size_t)(2 * d) * sizeof(double));
    for (int64_t q = X->indptr[i0]; q < X->indptr[i1]; q++) {
        seg_idx f = col(X, q);
        if (p->mean == NULL) {
            s[f] += X->data[q];
        } else {
            double t = X->data[q] - p->mean[f];
            s[f] += t * t;
            cnt[f] += 1.0;
        }
    }
}

seg_status seg_sparse_mean_variance(const seg_csr *X, int n_threads, const seg_interrupt *intr,
                                    double *out, double *work, seg_detail *detail) {
    if (out == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "out and work must not be NULL", -1);
    seg_status st = check_csr(X, detail);
    if (st != SEG_OK) return st;
    seg_idx n = X->n, d = X->d;
    int nt = seg_resolve_threads(n_threads);
    seg_idx chunk = chunk_rows(n, 1, d), nc = seg_n_chunks(n, chunk);
    seg_idx group = group_of(X, chunk, 1.0);
    double *mean = work + 2 * nc * d;
    var_ctx ctx = {X, NULL, work};
    if (seg_for_chunks(var_chunk, &ctx, n, chunk, group, nt, intr)) return SEG_EINTERRUPTED;
    for (seg_idx f = 0; f < d; f++) {
        double s = 0.0;
        for (seg_idx ch = 0; ch < nc; ch++) s += work[2 * ch * d + f];
        mean[f] = s / (double)n;
    }
    ctx.mean = mean;
    if (seg_for_chunks(var_chunk, &ctx, n, chunk, group, nt, intr)) return SEG_EINTERRUPTED;
    double total = 0.0;
    for (seg_idx f = 0; f < d; f++) {
        double s = 0.0, cnt = 0.0;
        for (seg_idx ch = 0; ch < nc; ch++) {
            s += work[2 * ch * d + f];
            cnt += work[2 * ch * d + d + f];
        }
        total += (s + ((double)n - cnt) * mean[f] * mean[f]) / (double)n;
    }
    *out = total / (double)d;
    return isfinite(*out) ? SEG_OK
                          : seg_fail(detail, SEG_ENONFINITE,
                                     "the variance is not finite: values so large that their "
                                     "squares overflow",
                                     -1);
}

/* ------------------------------------------------------------------------ */
/* Silhouette                                                                */
/* ------------------------------------------------------------------------ */

#define SIL_B SEG_SPARSE_SIL_BLOCK
#define SIL_TASK 64 /* rows per task: each task densifies every block once */

/* Per thread: JT (d x SIL_B), dots (SIL_B), sums (SIL_TASK x k), w (d), mark (d). */
static seg_idx sil_thread(seg_idx d, seg_idx k) {
    return seg_add_sizes(seg_mul_add(d, SIL_B + 2, SIL_B), seg_mul_add(SIL_TASK, k, 0));
}

seg_idx seg_sparse_silhouette_work_size(seg_idx n, seg_idx d, seg_idx k, int n_threads) {
    if (n < 1 || d < 1 || k < 1) return -1;
    int nt = seg_resolve_threads(n_threads);
    return seg_add_sizes(seg_mul_add(nt, sil_thread(d, k), n), k); /* + xn (n), counts (k) */
}

typedef struct sil_ctx {
    const seg_csr *X;
    const int32_t *labels;
    seg_idx k;
    const double *xn;
    const int64_t *count;
    int exact; /* |x|^2 + |y|^2 - 2 x.y is exact for every pair */
    double *thread_work;
    seg_idx per_thread;
    double *s;
} sil_ctx;

/* |x_i - x_j|^2 from the differences: w holds row i densified; mark is a
 * d-vector of stamps (j + 1 marks the columns row j stores). */
static double pair_exact(const seg_csr *X, seg_idx i, seg_idx j, const double *w, double *mark) {
    double s = 0.0, stamp = (double)j + 1.0;
    for (int64_t p = X->indptr[j]; p < X->indptr[j + 1]; p++) {
        seg_idx f = col(X, p);
        double t = X->data[p] - w[f];
        s += t * t;
        mark[f] = stamp;
    }
    for (int64_t p = X->indptr[i]; p < X->indptr[i + 1]; p++) {
        seg_idx f = col(X, p);
        if (mark[f] != stamp) s += w[f] * w[f];
    }
    return s;
}

static void sil_task(sil_ctx *p, int tid, seg_idx t) {
    const seg_csr *X = p->X;
    seg_idx n = X->n, d = X->d, k = p->k;
    double *JT = p->thread_work + (seg_idx)tid * p->per_thread; /* all zero between uses */
    double *dots = JT + d * SIL_B, *w = dots + SIL_B, *mark = w + d, *sums = mark + d;
    seg_idx r0 = t * SIL_TASK, r1 = r0 + SIL_TASK < n ? r0 + SIL_TASK : n;
    memset(sums, 0, (size_t)((r1 - r0) * k) * sizeof(double));
    for (seg_idx jb = 0; jb < n; jb += SIL_B) {
        seg_idx bl = jb + SIL_B < n ? SIL_B : n - jb;
        for (seg_idx jj = 0; jj < bl; jj++)
            for (int64_t q = X->indptr[jb + jj]; q < X->indptr[jb + jj + 1]; q++)
                JT[col(X, q) * SIL_B + jj] = X->data[q];
        for (seg_idx i = r0; i < r1; i++) {
            double *row = sums + (i - r0) * k;
            for (seg_idx jj = 0; jj < SIL_B; jj++) dots[jj] = 0.0;
            for (int64_t q = X->indptr[i]; q < X->indptr[i + 1]; q++) {
                const double *jt = JT + col(X, q) * SIL_B;
                double v = X->data[q];
                for (seg_idx jj = 0; jj < SIL_B; jj++) dots[jj] += v * jt[jj];
            }
            double nnz_i = (double)(X->indptr[i + 1] - X->indptr[i]);
            int dense_i = 0;
            for (seg_idx jj = 0; jj < bl; jj++) {
                seg_idx j = jb + jj;
                double dist = 0.0;
                if (j != i) {
                    double S = p->xn[i] + p->xn[j];
                    double d2 = S - 2.0 * dots[jj];
                    if (!p->exact) {
                        /* Rounding of the three sums is at most (2m + 4) eps S
                         * (m the longer row's stored values); keep d2 only if
                         * that is under 2e-10 of it. */
                        double nnz_j = (double)(X->indptr[j + 1] - X->indptr[j]);
                        double m = nnz_i > nnz_j ? nnz_i : nnz_j;
                        if (d2 * 2e-10 < (2.0 * m + 4.0) * DBL_EPSILON * S) {
                            if (!dense_i) {
                                for (int64_t q = X->indptr[i]; q < X->indptr[i + 1]; q++)
                                    w[col(X, q)] = X->data[q];
                                dense_i = 1;
                            }
                            d2 = pair_exact(X, i, j, w, mark);
                        }
                    }
                    dist = sqrt(d2 > 0.0 ? d2 : 0.0);
                }
                row[p->labels[j]] += dist;
            }
            if (dense_i)
                for (int64_t q = X->indptr[i]; q < X->indptr[i + 1]; q++) w[col(X, q)] = 0.0;
        }
        for (seg_idx jj = 0; jj < bl; jj++)
            for (int64_t q = X->indptr[jb + jj]; q < X->indptr[jb + jj + 1]; q++)
                JT[col(X, q) * SIL_B + jj] = 0.0;
    }
    for (seg_idx i = r0; i < r1; i++)
        p->s[i] = seg_silhouette_value(sums + (i - r0) * k, p->count, k, p->labels[i]);
}

seg_status seg_sparse_silhouette_samples(const seg_csr *X, const int32_t *labels, seg_idx k,
                                         int n_threads, const seg_interrupt *intr, double *s,
                                         double *work, seg_detail *detail) {
    if (labels == NULL || s == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "labels, s and work must not be NULL", -1);
    if (k < 1) return seg_fail(detail, SEG_EINVAL, "needs k >= 1", -1);
    seg_status st = check_csr(X, detail);
    if (st != SEG_OK) return st;
    seg_idx n = X->n, d = X->d;
    int nt = seg_resolve_threads(n_threads);
    double *xn = work, *tw = xn + n + k;
    int64_t *count = (int64_t *)(xn + n); /* one double slot per count */
    memset(count, 0, (size_t)k * sizeof(int64_t));
    for (seg_idx i = 0; i < n; i++) {
        if (labels[i] < 0 || labels[i] >= k)
            return seg_fail(detail, SEG_EINVAL, "labels must be in [0, k); out of range in row",
                            i);
        count[labels[i]]++;
    }
    seg_idx used = 0;
    for (seg_idx c = 0; c < k; c++) used += count[c] > 0;
    if (used < 2)
        return seg_fail(detail, SEG_EDEGENERATE,
                        "needs at least 2 distinct labels; all rows have the same one", -1);
    /* Integer values with |v| <= 2^20 whose rows' sums of squares stay below
     * 2^50: every norm, dot product and d2 is an exact integer. */
    int exact = 1;
    double vmax = 0.0, mmax = 0.0;
    for (seg_idx i = 0; i < n; i++) {
        xn[i] = row_norm2(X, i);
        double m = (double)(X->indptr[i + 1] - X->indptr[i]);
        mmax = m > mmax ? m : mmax;
    }
    for (int64_t p = 0; p < X->indptr[n] && exact; p++) {
        double v = fabs(X->data[p]);
        exact = v == floor(v) && v <= 1048576.0;
        vmax = v > vmax ? v : vmax;
    }
    if (exact && 4.0 * mmax * vmax * vmax > 1125899906842624.0) exact = 0;
    seg_idx per = sil_thread(d, k);
    memset(tw, 0, (size_t)(nt * per) * sizeof(double));
    sil_ctx ctx = {X, labels, k, xn, count, exact, tw, per, s};
    seg_idx tasks = (n + SIL_TASK - 1) / SIL_TASK;
    double task_work = (double)SIL_TASK * (double)n * ((double)X->indptr[n] / (double)n + 1.0);
    seg_idx group = (seg_idx)(GROUP_WORK * 4.0 / task_work);
    if (group < nt) group = nt;
    for (seg_idx g0 = 0; g0 < tasks; g0 += group) {
        seg_idx g1 = g0 + group < tasks ? g0 + group : tasks;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (g1 - g0 > 1 && nt > 1)
#endif
        for (seg_idx t = g0; t < g1; t++) {
            sil_task(&ctx, seg_thread_id(), t);
        }
        if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
    }
    seg_idx bad = seg_first_nonfinite(s, n);
    return bad < 0 ? SEG_OK
                   : seg_fail(detail, SEG_ENONFINITE,
                              "squared distances overflow (values so large that their squares "
                              "overflow; rescale the data); first non-finite silhouette in row",
                              bad);
}
