/* seg_mcdm.c: entropy weights and VIKOR. Contracts in seg_mcdm.h. */
#include "seg_mcdm.h"
#include "seg_inline.h"

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Index and count scratch lives in the caller's double array, one double
 * slot per element: that needs these sizes and alignments. */
_Static_assert(sizeof(seg_idx) <= sizeof(double), "seg_idx must fit a double slot");
_Static_assert(_Alignof(seg_idx) <= _Alignof(double), "seg_idx alignment");
_Static_assert(sizeof(int64_t) <= sizeof(double), "int64_t must fit a double slot");
_Static_assert(_Alignof(int64_t) <= _Alignof(double), "int64_t alignment");

/* Work per parallel block and thread, in rough multiply-adds: about 3 ms on
 * one core, so the interrupt callback runs every few milliseconds. Each block
 * is one parallel region: fewer, larger regions matter on a busy machine,
 * where waking a team can cost a scheduler time slice (~10 ms). */
#define BLOCK_OPS ((seg_idx)1 << 22)

/* A resolved thread count (callers pass >= 1), capped like every kernel's. */
static int threads_to_use(int n_threads) {
    return n_threads < 1 ? 1 : seg_resolve_threads(n_threads);
}

static int is_constant(double hi, double lo) {
    double scale = fmax(fabs(hi), fabs(lo));
    return fabs(hi - lo) <= SEG_MCDM_CONST_RTOL * scale;
}

/* ------------------------------------------------------------------------ */
/* Entropy weights                                                           */
/* ------------------------------------------------------------------------ */

/* g(t) = (1 + t) ln(1 + t) - t for t >= -1: the contribution of one value to
 * m ln(m) (1 - E_j), where 1 + t = m p_ij. g >= 0 and g(0) = 0; near 0 the
 * closed form cancels (it is t^2/2 from terms of size t), so a Taylor series
 * sum_{k>=2} (-t)^k / (k (k - 1)) is used for |t| <= 1/64, where 12 terms
 * reach double precision. g(-1) = 1 encodes 0 ln 0 = 0. */
static double entropy_g(double t) {
    if (t <= -1.0) return 1.0;
    if (fabs(t) <= 1.0 / 64.0) {
        double s = 0.0;
        for (int k = 13; k >= 2; k--) s = (1.0 / ((double)k * (double)(k - 1))) - t * s;
        return t * t * s;
    }
    double g = (1.0 + t) * log1p(t) - t;
    return g > 0.0 ? g : 0.0;
}

/* x (m x n) finite: SEG_ENONFINITE naming the flat index otherwise. */
static seg_status check_x(const double *x, seg_idx m, seg_idx n, seg_detail *detail) {
    seg_idx bad = seg_first_nonfinite(x, m * n);
    return bad < 0 ? SEG_OK
                   : seg_fail(detail, SEG_ENONFINITE, "x has NaN or infinity at flat index", bad);
}

seg_status seg_entropy_weights(const double *x, seg_idx m, seg_idx n, double *w, double *e,
                               double *d, seg_detail *detail) {
    if (x == NULL || w == NULL)
        return seg_fail(detail, SEG_EINVAL, "x and w must not be NULL", -1);
    if (m < 2 || n < 1) return seg_fail(detail, SEG_EINVAL, "needs m >= 2 and n >= 1", -1);
    /* Validate everything before writing any output. */
    seg_status st = check_x(x, m, n, detail);
    if (st != SEG_OK) return st;
    for (seg_idx k = 0; k < m * n; k++) {
        if (x[k] < 0.0)
            return seg_fail(detail, SEG_EINVAL, "x must be >= 0; negative at flat index", k);
    }
    const double log_m = log((double)m);
    double total = 0.0;
    for (seg_idx j = 0; j < n; j++) {
        double lo = x[j], hi = x[j];
        for (seg_idx i = 1; i < m; i++) {
            double xv = x[i * n + j];
            if (xv < lo) lo = xv;
            if (xv > hi) hi = xv;
        }
        double dj = 0.0;
        if (!is_constant(hi, lo)) {
            /* Scale by a power of two (exact) so that the column sum cannot
             * overflow; the entropy does not depend on scale. */
            int ex;
            (void)frexp(hi, &ex);
            double mean = 0.0;
            for (seg_idx i = 0; i < m; i++) mean += ldexp(x[i * n + j], -ex);
            mean /= (double)m;
            /* One correction step (the corrected two-pass algorithm): the
             * rounding of the mean would shift every t_i below by the same
             * amount, an error of second order in that shift, which matters
             * when the column is nearly constant. */
            double resid = 0.0;
            for (seg_idx i = 0; i < m; i++) resid += ldexp(x[i * n + j], -ex) - mean;
            mean += resid / (double)m;
            /* t_i = x_i / mean - 1, by subtraction first: exact for values
             * near the mean. */
            double acc = 0.0;
            for (seg_idx i = 0; i < m; i++) {
                acc += entropy_g((ldexp(x[i * n + j], -ex) - mean) / mean);
            }
            dj = acc / ((double)m * log_m);
        }
        w[j] = dj;
        total += dj;
    }
    if (!(total > 0.0))
        return seg_fail(detail, SEG_EDEGENERATE,
                        "every column of x is constant, so no criterion distinguishes the "
                        "alternatives and entropy weights are undefined",
                        -1);
    for (seg_idx j = 0; j < n; j++) {
        double dj = w[j];
        if (d != NULL) d[j] = dj;
        if (e != NULL) e[j] = 1.0 - dj;
        w[j] = dj / total;
    }
    return SEG_OK;
}

/* ------------------------------------------------------------------------ */
/* VIKOR: shared pieces                                                      */
/* ------------------------------------------------------------------------ */

/* The normalised regret (best - xv) / (best - worst) of a non-constant
 * criterion, with xv between best and worst (inclusive), so in [0, 1].
 *
 * best - worst overflows when the criterion spans more than DBL_MAX (best and
 * worst then have opposite signs, one of magnitude >= DBL_MAX / 2): the plain
 * quotient would be inf / inf = NaN (BUG-5). Then both terms are halved first.
 * Halving a double is exact unless it is subnormal, where it can drop the last
 * bit (an absolute error <= 2^-1075). Such an error cannot change the result:
 *  - the denominator (best - worst) / 2 exceeds 2^1022, where one ulp is
 *    2^970, so a perturbation of 2^-1075 in a term never moves its rounding;
 *  - in the numerator it can move the rounding only when a rounding boundary
 *    lies within 2^-1075 of the difference, which needs rounding steps as
 *    fine as that: a difference below 2^-968. The quotient is then below
 *    2^-1990 and rounds to 0 either way.
 * Otherwise (best - xv) / 2 and (best - worst) / 2 are the correctly rounded
 * halves of the exact differences, so the quotient is the value that the
 * plain formula would give with an unbounded exponent range. fl() is monotone
 * and |best - xv| <= |best - worst|, so the result stays in [0, 1]; and, as
 * for the plain formula, benefit on -x and cost on x give bit-identical D.
 * A span that fits (every ordinary input) takes the plain formula: results
 * are bit-identical to before. */
static double regret(double best, double worst, double xv) {
    double span = best - worst;
    if (isfinite(span)) return (best - xv) / span;
    return (0.5 * best - 0.5 * xv) / (0.5 * best - 0.5 * worst);
}

/* Validates x, types, ideal, anti_ideal; writes f*, f-, the constant flags
 * and the normalised regrets D (m x n, in [0, 1], 0 for constant criteria). */
static seg_status vikor_prepare(const double *x, seg_idx m, seg_idx n, const int *types,
                                const double *ideal, const double *anti_ideal, double *D,
                                double *fs, double *fm, unsigned char *constant,
                                seg_detail *detail) {
    seg_status st = check_x(x, m, n, detail);
    if (st != SEG_OK) return st;
    for (seg_idx j = 0; j < n; j++) {
        if (types[j] != SEG_BENEFIT && types[j] != SEG_COST)
            return seg_fail(detail, SEG_EINVAL,
                            "types must be SEG_BENEFIT or SEG_COST; not at criterion", j);
        if (ideal != NULL && !isfinite(ideal[j]))
            return seg_fail(detail, SEG_ENONFINITE, "ideal is NaN or infinite at criterion", j);
        if (anti_ideal != NULL && !isfinite(anti_ideal[j]))
            return seg_fail(detail, SEG_ENONFINITE, "anti_ideal is NaN or infinite at criterion",
                            j);
    }
    for (seg_idx j = 0; j < n; j++) {
        double lo = x[j], hi = x[j];
        for (seg_idx i = 1; i < m; i++) {
            double xv = x[i * n + j];
            if (xv < lo) lo = xv;
            if (xv > hi) hi = xv;
        }
        int benefit = types[j] == SEG_BENEFIT;
        double best = benefit ? hi : lo, worst = benefit ? lo : hi;
        if (ideal != NULL) {
            if (benefit ? ideal[j] < hi : ideal[j] > lo)
                return seg_fail(detail, SEG_EINVAL,
                                "the ideal must be at least as good as every alternative; it "
                                "is not at criterion",
                                j);
            best = ideal[j];
        }
        if (anti_ideal != NULL) {
            if (benefit ? anti_ideal[j] > lo : anti_ideal[j] < hi)
                return seg_fail(detail, SEG_EINVAL,
                                "the anti_ideal must be at least as bad as every alternative; "
                                "it is not at criterion",
                                j);
            worst = anti_ideal[j];
        }
        fs[j] = best;
        fm[j] = worst;
        constant[j] = (unsigned char)is_constant(best, worst);
    }
    for (seg_idx i = 0; i < m; i++) {
        for (seg_idx j = 0; j < n; j++) {
            /* Division, not multiplication by a reciprocal: then benefit on
             * -x and cost on x give bit-identical D. */
            D[i * n + j] = constant[j] ? 0.0 : regret(fs[j], fm[j], x[i * n + j]);
        }
    }
    return SEG_OK;
}

/* Rows of weights (rows x n; alpha is one such row): finite, >= 0, with
 * positive finite sums. */
static seg_status check_weight_rows(const double *wts, seg_idx rows, seg_idx n,
                                    seg_detail *detail) {
    for (seg_idx b = 0; b < rows; b++) {
        double sum = 0.0;
        for (seg_idx j = 0; j < n; j++) {
            double wj = wts[b * n + j];
            if (!isfinite(wj))
                return seg_fail(detail, SEG_ENONFINITE,
                                "weights must be finite; NaN or infinity at flat index",
                                b * n + j);
            if (wj < 0.0)
                return seg_fail(detail, SEG_EINVAL, "weights must be >= 0; negative at flat index",
                                b * n + j);
            sum += wj;
        }
        if (!(sum > 0.0) || !isfinite(sum))
            return seg_fail(detail, SEG_EINVAL,
                            "every weight row needs a positive, finite sum; it fails in row", b);
    }
    return SEG_OK;
}

static seg_status check_v(const double *v, seg_idx n_v, seg_detail *detail) {
    for (seg_idx k = 0; k < n_v; k++) {
        if (!isfinite(v[k]))
            return seg_fail(detail, SEG_ENONFINITE, "v is NaN or infinite at index", k);
        if (v[k] < 0.0 || v[k] > 1.0)
            return seg_fail(detail, SEG_EINVAL, "v must lie in [0, 1]; it does not at index", k);
    }
    return SEG_OK;
}

/* Stable sort of 0..m-1 by key ascending (ties keep index order): insertion
 * sort on runs of 16, then bottom-up merges through tmp. */
static void argsort_stable(const double *key, seg_idx m, seg_idx *idx, seg_idx *tmp) {
    enum { RUN = 16 };
    for (seg_idx i = 0; i < m; i++) idx[i] = i;
    for (seg_idx lo = 0; lo < m; lo += RUN) {
        seg_idx hi = lo + RUN < m ? lo + RUN : m;
        for (seg_idx i = lo + 1; i < hi; i++) {
            seg_idx a = idx[i];
            seg_idx k = i;
            while (k > lo && key[idx[k - 1]] > key[a]) {
                idx[k] = idx[k - 1];
                k--;
            }
            idx[k] = a;
        }
    }
    seg_idx *src = idx, *dst = tmp;
    for (seg_idx width = RUN; width < m; width *= 2) {
        for (seg_idx lo = 0; lo < m; lo += 2 * width) {
            seg_idx mid = lo + width < m ? lo + width : m;
            seg_idx hi = lo + 2 * width < m ? lo + 2 * width : m;
            seg_idx a = lo, b = mid, k = lo;
            while (a < mid && b < hi) dst[k++] = key[src[b]] < key[src[a]] ? src[b++] : src[a++];
            while (a < mid) dst[k++] = src[a++];
            while (b < hi) dst[k++] = src[b++];
        }
        seg_idx *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx) memcpy(idx, src, (size_t)m * sizeof(seg_idx));
}

/* The tie rule (seg_mcdm.h): values within SEG_VIKOR_TOL count as equal, in
 * groups taken from the smallest value up. A tolerance comparison is not
 * transitive (0, 0.6 TOL, 1.2 TOL), so it cannot drive a sort; fixing each
 * group's lower end at its smallest value makes "same group" an equivalence
 * that depends only on the values, not on the input order or the sort.
 *
 * Writes lead[i], the smallest value of i's group (it identifies the group
 * and orders the groups), and order: 0..m-1 by lead ascending, within a group
 * by index. Both passes are stable sorts of the identity, so equal leads keep
 * index order; cost O(m log m). */
static void order_with_ties(const double *key, seg_idx m, seg_idx *order, seg_idx *tmp,
                            double *lead) {
    argsort_stable(key, m, order, tmp);
    double low = key[order[0]];
    for (seg_idx r = 0; r < m; r++) {
        double kr = key[order[r]];
        if (kr - low > SEG_VIKOR_TOL) low = kr;
        lead[order[r]] = low;
    }
    argsort_stable(lead, m, order, tmp);
}

/* Per-thread scratch of one VIKOR evaluation. */
typedef struct vikor_scratch {
    double *w;    /* n: normalised weights */
    double *S;    /* m */
    double *R;    /* m */
    double *Q;    /* m */
    double *lead; /* m: the smallest Q of each alternative's tie group */
    seg_idx *order; /* m */
    seg_idx *tmp;   /* m */
    unsigned char *flags; /* m */
} vikor_scratch;

/* Doubles of scratch per thread: w (n) + S, R, Q, lead (4m) + order, tmp
 * (2m slots) + flags (m bytes, rounded up to doubles). */
static seg_idx scratch_doubles(seg_idx m, seg_idx n) {
    seg_idx flag_slots = seg_add_sizes(m, (seg_idx)sizeof(double) - 1) / (seg_idx)sizeof(double);
    return seg_add_sizes(seg_add_sizes(n, seg_mul_add(6, m, 0)), flag_slots);
}

static vikor_scratch scratch_at(double *base, seg_idx m, seg_idx n) {
    vikor_scratch s;
    s.w = base;
    s.S = base + n;
    s.R = s.S + m;
    s.Q = s.R + m;
    s.lead = s.Q + m;
    s.order = (seg_idx *)(void *)(s.lead + m);
    s.tmp = (seg_idx *)(void *)(s.lead + 2 * m);
    s.flags = (unsigned char *)(void *)(s.lead + 3 * m);
    return s;
}

/* Where one evaluation writes; every pointer may be NULL. Offsets are
 * already applied: S, R point at this weight vector's row, Q, ranking and
 * compromise at its first v, advantage and stability likewise. */
typedef struct vikor_sink {
    double *S, *R, *Q;
    seg_idx *ranking;
    unsigned char *compromise, *advantage, *stability;
    int64_t *rank_counts;       /* V x m x m */
    int64_t *compromise_counts; /* V x m */
} vikor_sink;

/* One weight vector (raw, validated) against the prepared D, for every v. */
static void vikor_one(const double *D, seg_idx m, seg_idx n, const double *w_raw,
                      const double *v, seg_idx n_v, vikor_scratch *s, const vikor_sink *out) {
    double wsum = 0.0;
    for (seg_idx j = 0; j < n; j++) wsum += w_raw[j];
    for (seg_idx j = 0; j < n; j++) s->w[j] = w_raw[j] / wsum;

    double s_min = INFINITY, s_max = -INFINITY, r_min = INFINITY, r_max = -INFINITY;
    for (seg_idx i = 0; i < m; i++) {
        const double *row = D + i * n;
        double sum = 0.0, mx = 0.0;
        for (seg_idx j = 0; j < n; j++) {
            double t = s->w[j] * row[j];
            sum += t;
            if (t > mx) mx = t;
        }
        s->S[i] = sum;
        s->R[i] = mx;
        if (sum < s_min) s_min = sum;
        if (sum > s_max) s_max = sum;
        if (mx < r_min) r_min = mx;
        if (mx > r_max) r_max = mx;
    }
    if (out->S != NULL) memcpy(out->S, s->S, (size_t)m * sizeof(double));
    if (out->R != NULL) memcpy(out->R, s->R, (size_t)m * sizeof(double));

    /* A spread within the tolerance is round-off: that part of Q is 0. */
    const double s_span = s_max - s_min, r_span = r_max - r_min;
    const int s_flat = !(s_span > SEG_VIKOR_TOL), r_flat = !(r_span > SEG_VIKOR_TOL);
    const double dq = 1.0 / (double)(m - 1);

    for (seg_idx k = 0; k < n_v; k++) {
        const double vk = v[k];
        for (seg_idx i = 0; i < m; i++) {
            double q = 0.0;
            if (!s_flat) q += vk * ((s->S[i] - s_min) / s_span);
            if (!r_flat) q += (1.0 - vk) * ((s->R[i] - r_min) / r_span);
            s->Q[i] = q;
        }
        order_with_ties(s->Q, m, s->order, s->tmp, s->lead);
        /* Every condition compares tie groups, never members of one group:
         * C1 needs a' alone in the first group and the second group's
         * smallest Q at DQ from Q*; the sets below are unions of whole groups
         * (lead is constant on a group and ascending along order). */
        const seg_idx a1 = s->order[0], a2 = s->order[1];
        const double q_star = s->lead[a1], q_next = s->lead[a2];
        const int adv = q_next != q_star && q_next - q_star >= dq - SEG_VIKOR_TOL;
        /* a' is in the first tie group of S or of R. */
        const int stab = s->S[a1] - s_min <= SEG_VIKOR_TOL || s->R[a1] - r_min <= SEG_VIKOR_TOL;
        memset(s->flags, 0, (size_t)m);
        s->flags[a1] = 1;
        if (!(adv && stab)) {
            for (seg_idx r = 1; r < m; r++) {
                const double lr = s->lead[s->order[r]];
                /* C2 fails: a'' and every alternative tied with it. C1
                 * fails: every group whose smallest Q is within DQ of Q*. */
                if (adv ? lr != q_next : !(lr - q_star < dq - SEG_VIKOR_TOL)) break;
                s->flags[s->order[r]] = 1;
            }
        }
        if (out->Q != NULL) memcpy(out->Q + k * m, s->Q, (size_t)m * sizeof(double));
        if (out->ranking != NULL) {
            memcpy(out->ranking + k * m, s->order, (size_t)m * sizeof(seg_idx));
        }
        if (out->compromise != NULL) memcpy(out->compromise + k * m, s->flags, (size_t)m);
        if (out->advantage != NULL) out->advantage[k] = (unsigned char)adv;
        if (out->stability != NULL) out->stability[k] = (unsigned char)stab;
        if (out->rank_counts != NULL) {
            int64_t *rc = out->rank_counts + k * m * m;
            for (seg_idx r = 0; r < m; r++) rc[s->order[r] * m + r] += 1;
        }
        if (out->compromise_counts != NULL) {
            int64_t *cc = out->compromise_counts + k * m;
            for (seg_idx i = 0; i < m; i++) cc[i] += s->flags[i];
        }
    }
}

/* Rough cost of one evaluation (one weight vector, every v), including a
 * Dirichlet draw (about 64 multiply-adds per gamma variate). */
static double item_ops(seg_idx m, seg_idx n, seg_idx n_v) {
    return (double)m * (double)n + (double)n_v * (double)m * 8.0 + 64.0 * (double)n;
}

#ifdef _OPENMP
/* Use threads only for blocks worth it (about 0.1 ms of work): waking a
 * team costs more than a small batch, and much more on a busy machine. */
static int go_parallel(seg_idx items, seg_idx m, seg_idx n, seg_idx n_v, int nt) {
    return nt > 1 && items > 1 && (double)items * item_ops(m, n, n_v) >= (double)(1 << 17);
}
#endif

/* Items per parallel block so that a block is about BLOCK_OPS per thread. */
static seg_idx block_items(seg_idx m, seg_idx n, seg_idx n_v, int nt) {
    double per_item = item_ops(m, n, n_v);
    double items = (double)BLOCK_OPS * (double)nt / per_item;
    if (items < (double)nt) items = (double)nt;
    if (items > 1e9) items = 1e9;
    return (seg_idx)items;
}

/* ------------------------------------------------------------------------ */
/* VIKOR                                                                     */
/* ------------------------------------------------------------------------ */

seg_idx seg_vikor_work_size(seg_idx m, seg_idx n, int n_threads) {
    if (m < 0 || n < 0) return -1;
    int nt = threads_to_use(n_threads);
    /* D (m n) + f*, f- (2n) + constant flags (n slots) + per-thread scratch. */
    seg_idx shared = seg_add_sizes(seg_mul_add(m, n, 0), seg_mul_add(3, n, 0));
    return seg_add_sizes(shared, seg_mul_add((seg_idx)nt, scratch_doubles(m, n), 0));
}

seg_status seg_vikor(const double *x, seg_idx m, seg_idx n, const int *types, const double *ideal,
                     const double *anti_ideal, const double *weights, seg_idx n_weights,
                     const double *v, seg_idx n_v, const seg_vikor_out *out, double *work,
                     int n_threads, const seg_interrupt *intr, seg_detail *detail) {
    if (x == NULL || types == NULL || weights == NULL || v == NULL || out == NULL ||
        work == NULL)
        return seg_fail(detail, SEG_EINVAL,
                        "x, types, weights, v, out and work must not be NULL", -1);
    if (m < 2 || n < 1 || n_weights < 1 || n_v < 1)
        return seg_fail(detail, SEG_EINVAL, "needs m >= 2, n >= 1, n_weights >= 1 and n_v >= 1",
                        -1);
    if (seg_vikor_work_size(m, n, n_threads) < 0)
        return seg_fail(detail, SEG_EINVAL, "the scratch size overflows", -1);
    const int nt = threads_to_use(n_threads);

    double *D = work;
    double *fs = D + m * n;
    double *fm = fs + n;
    unsigned char *constant = (unsigned char *)(void *)(fm + n);
    double *per_thread = fm + 2 * n;
    const seg_idx per = scratch_doubles(m, n);

    seg_status st = check_weight_rows(weights, n_weights, n, detail);
    if (st != SEG_OK) return st;
    st = check_v(v, n_v, detail);
    if (st != SEG_OK) return st;
    st = vikor_prepare(x, m, n, types, ideal, anti_ideal, D, fs, fm, constant, detail);
    if (st != SEG_OK) return st;
    if (out->f_star != NULL) memcpy(out->f_star, fs, (size_t)n * sizeof(double));
    if (out->f_minus != NULL) memcpy(out->f_minus, fm, (size_t)n * sizeof(double));
    if (out->constant != NULL) memcpy(out->constant, constant, (size_t)n);

    const seg_idx block = block_items(m, n, n_v, nt);
    for (seg_idx start = 0; start < n_weights; start += block) {
        const seg_idx stop = n_weights - start > block ? start + block : n_weights;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) \
    if (go_parallel(stop - start, m, n, n_v, nt))
#endif
        for (seg_idx b = start; b < stop; b++) {
            vikor_scratch s = scratch_at(per_thread + (seg_idx)seg_thread_id() * per, m, n);
            vikor_sink sink;
            sink.S = out->S != NULL ? out->S + b * m : NULL;
            sink.R = out->R != NULL ? out->R + b * m : NULL;
            sink.Q = out->Q != NULL ? out->Q + b * n_v * m : NULL;
            sink.ranking = out->ranking != NULL ? out->ranking + b * n_v * m : NULL;
            sink.compromise = out->compromise != NULL ? out->compromise + b * n_v * m : NULL;
            sink.advantage = out->advantage != NULL ? out->advantage + b * n_v : NULL;
            sink.stability = out->stability != NULL ? out->stability + b * n_v : NULL;
            sink.rank_counts = NULL;
            sink.compromise_counts = NULL;
            vikor_one(D, m, n, weights + b * n, v, n_v, &s, &sink);
        }
        if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
    }
    return SEG_OK;
}

/* ------------------------------------------------------------------------ */
/* Weight sensitivity: Dirichlet draws                                       */
/* ------------------------------------------------------------------------ */

/* The SplitMix64 finaliser: a bijective 64-bit mix. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1): never 0, so its logarithm is finite. */
static double uniform_open(seg_rng *rng) {
    return ((double)(seg_rng_next(rng) >> 11) + 0.5) * 0x1.0p-53;
}

static double normal01(seg_rng *rng) {
    double u1 = uniform_open(rng), u2 = seg_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* log of a Gamma(a, 1) variate for a >= 1 given d = a - 1/3 and
 * c = 1 / sqrt(9 d): Marsaglia & Tsang (2000), ACM TOMS 26(3):363-372.
 * Accepts more than 95% of proposals for every a >= 1. */
static double log_gamma_mt(double d, double c, seg_rng *rng) {
    for (;;) {
        double z, t;
        do {
            z = normal01(rng);
            t = 1.0 + c * z;
        } while (t <= 0.0);
        double t3 = t * t * t;
        double u = uniform_open(rng);
        double z2 = z * z;
        if (u < 1.0 - 0.0331 * z2 * z2) return log(d) + 3.0 * log(t);
        double lt3 = 3.0 * log(t);
        if (log(u) < 0.5 * z2 + d * (1.0 - t3 + lt3)) return log(d) + lt3;
    }
}

/* A thread's slice: evaluation scratch, log-gamma draws (n), then counts. */
static int64_t *thread_counts(double *base, seg_idx m, seg_idx n) {
    return (int64_t *)(void *)(base + scratch_doubles(m, n) + n);
}

seg_idx seg_vikor_sensitivity_work_size(seg_idx m, seg_idx n, seg_idx n_v, int n_threads) {
    if (m < 0 || n < 0 || n_v < 0) return -1;
    int nt = threads_to_use(n_threads);
    /* D, f*, f-, constant flags as for seg_vikor, + gamma constants d, c and
     * the inverse alpha (3n); per thread: the scratch of one evaluation, the
     * log-gamma draws (n) and the thread's counts (V m m + V m). */
    seg_idx three_n = seg_mul_add(3, n, 0);
    seg_idx shared = seg_add_sizes(seg_add_sizes(seg_mul_add(m, n, 0), three_n), three_n);
    seg_idx counts =
        seg_add_sizes(seg_mul_add(n_v, seg_mul_add(m, m, 0), 0), seg_mul_add(n_v, m, 0));
    seg_idx per = seg_add_sizes(seg_add_sizes(scratch_doubles(m, n), n), counts);
    return seg_add_sizes(shared, seg_mul_add((seg_idx)nt, per, 0));
}

seg_status seg_vikor_weight_sensitivity(const double *x, seg_idx m, seg_idx n, const int *types,
                                        const double *ideal, const double *anti_ideal,
                                        const double *alpha, seg_idx n_samples, uint64_t seed,
                                        const double *v, seg_idx n_v, int64_t *rank_counts,
                                        int64_t *compromise_counts, double *weights_out,
                                        double *work, int n_threads, const seg_interrupt *intr,
                                        seg_detail *detail) {
    if (x == NULL || types == NULL || alpha == NULL || v == NULL || work == NULL)
        return seg_fail(detail, SEG_EINVAL, "x, types, alpha, v and work must not be NULL", -1);
    if (m < 2 || n < 1 || n_samples < 1 || n_v < 1)
        return seg_fail(detail, SEG_EINVAL, "needs m >= 2, n >= 1, n_samples >= 1 and n_v >= 1",
                        -1);
    if (seg_vikor_sensitivity_work_size(m, n, n_v, n_threads) < 0)
        return seg_fail(detail, SEG_EINVAL, "the scratch size overflows", -1);
    const int nt = threads_to_use(n_threads);

    double *D = work;
    double *fs = D + m * n;
    double *fm = fs + n;
    unsigned char *constant = (unsigned char *)(void *)(fm + n);
    double *gd = fm + 2 * n; /* Marsaglia-Tsang d per criterion */
    double *gc = gd + n;     /* Marsaglia-Tsang c per criterion */
    double *ginv = gc + n;   /* 1 / alpha for alpha < 1 (boost), else 0 */
    double *per_thread = ginv + n;
    const seg_idx n_counts = n_v * m * m + n_v * m;
    const seg_idx per = scratch_doubles(m, n) + n + n_counts;

    seg_status st = check_weight_rows(alpha, 1, n, detail);
    if (st != SEG_OK) return st;
    st = check_v(v, n_v, detail);
    if (st != SEG_OK) return st;
    st = vikor_prepare(x, m, n, types, ideal, anti_ideal, D, fs, fm, constant, detail);
    if (st != SEG_OK) return st;

    for (seg_idx j = 0; j < n; j++) {
        /* Gamma(a) for a < 1 is Gamma(a + 1) * U^(1/a) (Marsaglia & Tsang). */
        double a = alpha[j] >= 1.0 ? alpha[j] : alpha[j] + 1.0;
        gd[j] = a - 1.0 / 3.0;
        gc[j] = 1.0 / sqrt(9.0 * gd[j]);
        ginv[j] = alpha[j] < 1.0 && alpha[j] > 0.0 ? 1.0 / alpha[j] : 0.0;
    }
    for (int t = 0; t < nt; t++) {
        int64_t *cnt = thread_counts(per_thread + (seg_idx)t * per, m, n);
        for (seg_idx k = 0; k < n_counts; k++) cnt[k] = 0;
    }

    const seg_idx block = block_items(m, n, n_v, nt);
    for (seg_idx start = 0; start < n_samples; start += block) {
        const seg_idx stop = n_samples - start > block ? start + block : n_samples;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) \
    if (go_parallel(stop - start, m, n, n_v, nt))
#endif
        for (seg_idx b = start; b < stop; b++) {
            double *base = per_thread + (seg_idx)seg_thread_id() * per;
            vikor_scratch s = scratch_at(base, m, n);
            double *logg = base + scratch_doubles(m, n);
            int64_t *cnt = thread_counts(base, m, n);
            double *wb = weights_out != NULL ? weights_out + b * n : logg;

            seg_rng rng;
            seg_rng_seed(&rng, mix64(seed ^ mix64((uint64_t)b + 0x632BE59BD9B4E019ULL)));
            double top = -INFINITY;
            /* The component whose log-gamma overflowed to -inf by the least
             * (see below): its key and index; -1 while there is none. */
            double far_key = -INFINITY;
            seg_idx far_arg = -1;
            for (seg_idx j = 0; j < n; j++) {
                double lg = -INFINITY; /* alpha_j = 0: the weight is exactly 0 */
                if (alpha[j] > 0.0) {
                    lg = log_gamma_mt(gd[j], gc[j], &rng);
                    if (ginv[j] > 0.0) {
                        double lu = log(uniform_open(&rng)); /* in [-37.5, 0) */
                        lg += lu * ginv[j];
                        if (lg == -INFINITY) {
                            /* lu / alpha_j overflowed (alpha_j < ~2e-307): the
                             * true log-gamma is below -DBL_MAX. Keep it scaled
                             * by 2^-1000 (ldexp of alpha_j < 1 is exact and
                             * finite, the quotient normal), so that the limit
                             * below can still tell the components apart. The
                             * log-gamma of alpha_j + 1, O(1), is far below one
                             * ulp of the unscaled value and is dropped. */
                            double key = lu / ldexp(alpha[j], 1000);
                            if (key > far_key) {
                                far_key = key;
                                far_arg = j;
                            }
                        }
                    }
                }
                logg[j] = lg;
                if (lg > top) top = lg;
            }
            if (top == -INFINITY) {
                /* Every positive alpha overflowed (BUG-15): exp(lg - top)
                 * would be exp(-inf + inf) = NaN. Take what the draw tends
                 * to: log-gammas this large (below -DBL_MAX) are known to a
                 * relative 2^-52, and any difference that resolves exceeds
                 * 2^900, so exp(lg - top) is 1 for the largest and 0 for
                 * every other, as the finite path gives for alpha near
                 * 1e-306: all the weight on the criterion with the largest
                 * key (equal keys: the lower index). far_arg >= 0 here, as
                 * some alpha is > 0. */
                for (seg_idx j = 0; j < n; j++) wb[j] = j == far_arg ? 1.0 : 0.0;
            } else {
                /* Normalise in log space: the largest component is exp(0) =
                 * 1, so the sum is >= 1 and never underflows. One that
                 * overflowed to -inf gets exp(-inf) = 0, as it should: its
                 * log-gamma is below -DBL_MAX and top is not, and to the
                 * precision such values are known (a relative 2^-52) any gap
                 * is far beyond the 745 at which exp underflows to 0. */
                double sum = 0.0;
                for (seg_idx j = 0; j < n; j++) {
                    double g = exp(logg[j] - top);
                    wb[j] = g;
                    sum += g;
                }
                for (seg_idx j = 0; j < n; j++) wb[j] /= sum;
            }

            vikor_sink sink;
            memset(&sink, 0, sizeof sink);
            sink.rank_counts = cnt;
            sink.compromise_counts = cnt + n_v * m * m;
            vikor_one(D, m, n, wb, v, n_v, &s, &sink);
        }
        if (seg_interrupted(intr)) return SEG_EINTERRUPTED;
    }

    /* Merge the per-thread counts in thread order (integers: exact). */
    if (rank_counts != NULL) memset(rank_counts, 0, (size_t)(n_v * m * m) * sizeof(int64_t));
    if (compromise_counts != NULL) {
        memset(compromise_counts, 0, (size_t)(n_v * m) * sizeof(int64_t));
    }
    for (int t = 0; t < nt; t++) {
        const int64_t *cnt = thread_counts(per_thread + (seg_idx)t * per, m, n);
        if (rank_counts != NULL) {
            for (seg_idx k = 0; k < n_v * m * m; k++) rank_counts[k] += cnt[k];
        }
        if (compromise_counts != NULL) {
            for (seg_idx k = 0; k < n_v * m; k++) compromise_counts[k] += cnt[n_v * m * m + k];
        }
    }
    return SEG_OK;
}
