/* seg_mcdm.h: multi-criteria decision kernels: Shannon-entropy criteria
 * weights and VIKOR (ranking, compromise solution, batched sensitivity).
 *
 * Usage
 * -----
 *     double w[5], e[5], d[5];
 *     seg_status st = seg_entropy_weights(x, 9, 5, w, e, d);      // x: 9 x 5
 *
 *     int types[5] = {1, 1, 1, 1, 1};                              // all benefit
 *     double v[3] = {0.9, 0.5, 0.1};
 *     int nt = seg_resolve_threads(0);
 *     double *work = malloc(sizeof(double) * seg_vikor_work_size(9, 5, nt));
 *     double S[9], R[9], Q[3 * 9];
 *     unsigned char comp[3 * 9];
 *     seg_vikor_out out = {0};
 *     out.S = S; out.R = R; out.Q = Q; out.compromise = comp;
 *     st = seg_vikor(x, 9, 5, types, NULL, NULL, w, 1, v, 3, &out, work, nt, NULL);
 *
 * Conventions shared by every function here
 * -----------------------------------------
 * - Matrices are row-major doubles: x is m alternatives (rows) by n criteria
 *   (columns). Every value of every input must be finite (else
 *   SEG_ENONFINITE); sizes must be positive (else SEG_EINVAL).
 * - The kernels never allocate, print or exit. Outputs and scratch are passed
 *   by the caller; scratch is sized by the matching *_work_size() function,
 *   which returns a count of doubles (negative when the sizes overflow).
 * - A criterion is *constant* when max - min <= SEG_MCDM_CONST_RTOL *
 *   max(|max|, |min|): a spread at the level of accumulated round-off is not
 *   information. The tolerance is relative, so it does not depend on units.
 * - Results depend only on the inputs (and the seed): not on the number of
 *   threads, nor on the schedule. Integer counts are exact; every floating
 *   point result of one weight vector is computed by one thread in a fixed
 *   order.
 * - Long kernels call seg_interrupted(intr) from the calling thread, outside
 *   parallel regions, about every millisecond of work; when it asks to stop
 *   they return SEG_EINTERRUPTED and their outputs are unspecified.
 *
 * References: Shannon (1948); Hwang & Yoon (1981) for entropy weights;
 * Opricovic & Tzeng (2004), EJOR 156:445-455, for VIKOR and its compromise
 * solution; the formulas are restated in the project's SPEC.md.
  *
 * Errors: every kernel takes an optional seg_detail (seg_common.h; NULL
 * allowed) and fills it with the reason (and the cell, criterion or row) of any failure
 * but an interrupt.
 */
#ifndef SEG_MCDM_H
#define SEG_MCDM_H

#include <stdint.h>

#include "seg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Relative spread below which a criterion counts as constant (see above). */
#define SEG_MCDM_CONST_RTOL 1e-12

/* Absolute tolerance on the [0, 1] scale of S, R and Q (weights are
 * normalised to sum 1, so S, R, Q all lie in [0, 1]). Round-off in S is about
 * n * 1e-16; decisions closer than this are ties.
 *
 * Tie rule (every ranking here: by Q, and the first place by S and by R).
 * Sort the values ascending; the smallest value opens a tie group, which
 * takes every value v with v - (that smallest value) <= TOL; the smallest
 * value left opens the next group, and so on. Groups are ranked by their
 * smallest value, the members of a group by input position (index). Being
 * in the same group is an equivalence (a bare |a - b| <= TOL is not
 * transitive), it depends only on the values, never on the input order or on
 * the number of threads, and no group spans more than TOL. Values 0, 0.6 TOL,
 * 1.2 TOL make the groups {0, 0.6 TOL} and {1.2 TOL}.
 *
 * The conditions use the same groups. Q* is the smallest Q, a' the first
 * alternative of the ranking, a'' the second:
 *  - S- - S* <= TOL (or R- - R* <= TOL): that part of Q is 0 for everyone;
 *  - C1 (acceptable advantage) holds when a' is alone in the first group and
 *    the second group's smallest Q is >= Q* + DQ - TOL;
 *  - C2 (acceptable stability) holds when a' is in the first group of S or
 *    of R: S(a') <= S* + TOL or R(a') <= R* + TOL;
 *  - when only C2 fails, the compromise set is a' and the group of a'' (the
 *    alternatives tied for second place);
 *  - when C1 fails, it is every group whose smallest Q is < Q* + DQ - TOL
 *    (whole groups: tied alternatives are in or out together; each member
 *    has Q(a) - Q* < DQ). */
#define SEG_VIKOR_TOL 1e-10

/* Criterion directions for the `types` arrays. */
#define SEG_BENEFIT 1
#define SEG_COST (-1)

/* Entropy weights (Shannon 1948; Hwang & Yoon 1981; Paper A, Table 3).
 *
 * x: m x n, finite and >= 0 (a negative value gives SEG_EINVAL); m >= 2.
 * p_ij = x_ij / sum_i x_ij, E_j = -(1 / ln m) sum_i p_ij ln p_ij with
 * 0 ln 0 = 0, d_j = 1 - E_j, w_j = d_j / sum_j d_j.
 *
 * d_j is computed as (1 / (m ln m)) sum_i g(x_ij / mean_j - 1) with
 * g(t) = (1 + t) ln(1 + t) - t >= 0 (a series near t = 0): the same quantity
 * as 1 - E_j, but a sum of non-negative terms, so it keeps full relative
 * accuracy for nearly constant columns where 1 - E_j cancels to noise.
 * A constant column (including an all-zero one) gets d_j = 0 exactly,
 * E_j = 1 and w_j = 0. When every column is constant there are no weights:
 * SEG_EDEGENERATE.
 *
 * Outputs: w (n, sums to 1); e and d (n each) may be NULL. No scratch.
 * Cost O(m n), two passes over x. Deterministic. */
seg_status seg_entropy_weights(const double *x, seg_idx m, seg_idx n, double *w, double *e,
                               double *d, seg_detail *detail);

/* Outputs of seg_vikor. Every pointer may be NULL (that output is skipped).
 * B = number of weight vectors, V = number of v values. Booleans are bytes
 * holding 0 or 1. */
typedef struct seg_vikor_out {
    double *f_star;            /* n: the ideal value f*_j used */
    double *f_minus;           /* n: the anti-ideal value f-_j used */
    unsigned char *constant;   /* n: 1 when criterion j is constant (contributes 0) */
    double *S;                 /* B x m: group utility */
    double *R;                 /* B x m: individual regret */
    double *Q;                 /* B x V x m: VIKOR index */
    seg_idx *ranking;          /* B x V x m: alternatives by Q, tie rule of SEG_VIKOR_TOL */
    unsigned char *compromise; /* B x V x m: 1 when in the compromise set */
    unsigned char *advantage;  /* B x V: condition C1 */
    unsigned char *stability;  /* B x V: condition C2 */
} seg_vikor_out;

/* Scratch (count of doubles) for seg_vikor with n_threads threads. */
seg_idx seg_vikor_work_size(seg_idx m, seg_idx n, int n_threads);

/* VIKOR (Opricovic & Tzeng 2004) for B weight vectors and V values of v over
 * one decision matrix, in one call.
 *
 * x: m x n (m >= 2, n >= 1), finite.
 * types: n entries, SEG_BENEFIT (+1) or SEG_COST (-1); anything else is
 *   SEG_EINVAL.
 * ideal, anti_ideal: NULL (taken from the data: max/min for benefit, min/max
 *   for cost) or n finite values. A given ideal must be at least as good as
 *   every alternative, a given anti-ideal at least as bad (SEG_EINVAL).
 * weights: B x n (B = n_weights >= 1), finite, >= 0, each row with a
 *   positive sum; each row is normalised to sum 1 (the input is not changed).
 * v: V = n_v >= 1 values in [0, 1].
 *
 * With D_ij = (f*_j - x_ij) / (f*_j - f-_j) (0 for a constant criterion):
 * S_i = sum_j w_j D_ij, R_i = max_j w_j D_ij,
 * Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*),
 * where a part whose denominator is <= SEG_VIKOR_TOL is 0 (never NaN).
 * The ranking is by Q ascending with the tie rule above (Q values within
 * SEG_VIKOR_TOL keep input order). Compromise solution, DQ = 1 / (m - 1):
 * a' (first by Q) alone when C1 and C2 hold; a' and a'' (with anything tied
 * with a'') when only C2 fails; every tie group whose smallest Q is within
 * DQ of Q* when C1 fails (the exact tolerances are at SEG_VIKOR_TOL above).
 *
 * n_threads: threads to use (as resolved by seg_resolve_threads); work must
 * hold seg_vikor_work_size(m, n, n_threads) doubles. Results do not depend
 * on n_threads. Cost O(B (m n + V m log m)). */
seg_status seg_vikor(const double *x, seg_idx m, seg_idx n, const int *types, const double *ideal,
                     const double *anti_ideal, const double *weights, seg_idx n_weights,
                     const double *v, seg_idx n_v, const seg_vikor_out *out, double *work,
                     int n_threads, const seg_interrupt *intr, seg_detail *detail);

/* Scratch (count of doubles) for seg_vikor_weight_sensitivity. */
seg_idx seg_vikor_sensitivity_work_size(seg_idx m, seg_idx n, seg_idx n_v, int n_threads);

/* Weight sensitivity of VIKOR: draws n_samples weight vectors from a
 * Dirichlet distribution with parameters alpha (n values, finite, >= 0, with a
 * positive sum; alpha_j = 0 fixes w_j = 0) and counts, per value of v, how
 * often each alternative lands at each rank and in the compromise set.
 *
 * Draw b uses its own generator seeded from (seed, b), so the draws, and the
 * counts, are the same for every thread count. Gamma variates: Marsaglia &
 * Tsang (2000), in log space so that tiny alpha cannot underflow to an
 * all-zero draw.
 *
 * x, types, ideal, anti_ideal, v: as for seg_vikor.
 * Outputs: rank_counts (V x m x m, may be NULL): [k][i][r] = draws in which
 * alternative i is at position r (0-based) of the Q ranking for v[k];
 * compromise_counts (V x m, may be NULL): draws in which i is in the
 * compromise set for v[k] (ranks and sets as for seg_vikor, tie rule
 * included); weights_out (n_samples x n, may be NULL): the
 * normalised draws. Counts are overwritten, not accumulated. */
seg_status seg_vikor_weight_sensitivity(const double *x, seg_idx m, seg_idx n, const int *types,
                                        const double *ideal, const double *anti_ideal,
                                        const double *alpha, seg_idx n_samples, uint64_t seed,
                                        const double *v, seg_idx n_v, int64_t *rank_counts,
                                        int64_t *compromise_counts, double *weights_out,
                                        double *work, int n_threads, const seg_interrupt *intr,
                                        seg_detail *detail);

#ifdef __cplusplus
}
#endif
#endif /* SEG_MCDM_H */
