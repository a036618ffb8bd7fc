/* seg_silhouette.h: the exact silhouette coefficient (Rousseeuw 1987).
 *
 * For row i in cluster A: a(i) = mean distance to the other rows of A,
 * b(i) = min over non-empty clusters B != A of the mean distance to the rows
 * of B, s(i) = (b - a) / max(a, b); s(i) = 0 when i is alone in its cluster
 * or when a = b = 0. It agrees with scikit-learn's silhouette_samples(X,
 * labels, metric=...) to about 1e-14 (its round-off, not its formulas).
 *
 * Metrics (seg_metric), all computed from the coordinates directly, so
 * duplicate rows are at distance exactly 0:
 *   euclidean    sqrt(sum (x - y)^2)   (not |x|^2 + |y|^2 - 2 x.y)
 *   sqeuclidean  sum (x - y)^2
 *   manhattan    sum |x - y|
 *   cosine       1 - x.y / (|x| |y|), clipped to [0, 2] (scikit-learn's
 *                cosine_distances). A row whose norm is under 10 machine
 *                epsilons is not divided by it (scikit-learn's normalize()):
 *                a zero row is at distance 1 from every other row. A row's
 *                distance to itself is 0 (round-off would leave ~1e-16).
 * seg_silhouette_precomputed takes the distances instead: rows of an n by n
 * matrix D, read as given (asymmetric D: row i's sums are over D[i][.]).
 *
 * Data: X is n rows by d columns, row-major, finite float64 (for cosine,
 * every x.x finite too: SEG_ENONFINITE otherwise); labels are int32 in
 * [0, k) (empty label values are allowed and ignored); at least two labels
 * must be used.
 *
 * Algorithm and memory (X): rows are sorted by label into blocks of bw rows
 * stored column-major (unit rows for cosine), and every pair of blocks is
 * visited once (n^2 / 2 distances, n^2 d / 2
 * multiply-adds, for every metric): each tile adds its distances both to
 * its rows' and to its columns' per-cluster sums. Groups of up to 8 blocks
 * play a round-robin tournament, so that the tiles run at the same time
 * never share a block, with one synchronisation per round (per batch of
 * games, for large n times d). bw is SEG_SILHOUETTE_BLOCK, fewer rows for
 * small n (n rounded up to a multiple of 8: no padding to 256 rows) and for
 * wide data (a block's bw d values stay under 2^17, 1 MiB, so a tile's two
 * blocks stay in cache: 8-row blocks for 10^7 features); it depends on n
 * and d only. Scratch
 * (seg_silhouette_work_size, the same for every metric) is n*k sums + a
 * sorted copy of X (n*d, padded to whole blocks) + n indices + 5 block rows
 * per thread:
 * O(n*k + n*d), never n by n. The tile loop is compiled once per metric,
 * so euclidean runs exactly the code it ran before metrics existed.
 *
 * Algorithm and memory (precomputed): one pass over the m given rows of D
 * (m*n reads, the per-label sums gathered in label order, each value
 * checked as it is read); scratch
 * (seg_silhouette_precomputed_work_size) is n indices + 2k + 1 counts + k
 * sums per thread: O(n + k * threads). D itself is the caller's; nothing n
 * by n is made.
 *
 * Determinism: each sum receives its terms in an order fixed by n and the
 * labels alone, so the result is bit-identical on any number of threads.
 *
 * Interrupts: seg_interrupted(intr) is called between batches of games
 * (at most 2^30 multiply-adds, or one game per thread: a fraction of a
 * second whatever n and d); SEG_EINTERRUPTED leaves s unspecified.
 *
 * Errors: every kernel takes an optional seg_detail (seg_common.h; NULL
 * allowed) and fills it with the reason (and the row) of any failure
 * but an interrupt.
 */
#ifndef SEG_SILHOUETTE_H
#define SEG_SILHOUETTE_H

#include "seg_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SEG_SILHOUETTE_BLOCK 256

/* Distances between rows of X (see the top of this file). */
typedef enum seg_metric {
    SEG_METRIC_EUCLIDEAN = 0,
    SEG_METRIC_SQEUCLIDEAN = 1,
    SEG_METRIC_MANHATTAN = 2,
    SEG_METRIC_COSINE = 3
} seg_metric;

/* Scratch doubles for seg_silhouette_samples(_metric), any metric; -1 if
 * the sizes overflow. */
seg_idx seg_silhouette_work_size(seg_idx n, seg_idx d, seg_idx k, int n_threads);

/* Writes the silhouette of every row into s (n). Returns SEG_EINVAL for a
 * label outside [0, k) or bad sizes, SEG_ENONFINITE for NaN/inf in X,
 * SEG_EDEGENERATE when fewer than two labels are used. n_threads must be the
 * value the work size was computed with (<= 0: seg_max_threads()). */
seg_status seg_silhouette_samples(const double *X, seg_idx n, seg_idx d, const int32_t *labels,
                                  seg_idx k, int n_threads, const seg_interrupt *intr, double *s,
                                  double *work, seg_detail *detail);

/* seg_silhouette_samples with the distance `metric`; SEG_EINVAL also for a
 * metric outside seg_metric. seg_silhouette_samples is this with
 * SEG_METRIC_EUCLIDEAN. */
seg_status seg_silhouette_samples_metric(const double *X, seg_idx n, seg_idx d,
                                         const int32_t *labels, seg_idx k, seg_metric metric,
                                         int n_threads, const seg_interrupt *intr, double *s,
                                         double *work, seg_detail *detail);

/* Progress of a long kernel: fn(ctx, done, total) is called from the
 * calling thread between batches of work (as seg_interrupted is), with the
 * work done so far and the whole work in the kernel's own units (tiles, for
 * the silhouette). fn may be NULL. */
typedef struct seg_progress {
    void (*fn)(void *ctx, double done, double total);
    void *ctx;
} seg_progress;

/* Scratch doubles for seg_silhouette_scores: n_labelings labelings whose
 * cluster counts add up to k_total; -1 if the sizes overflow. */
seg_idx seg_silhouette_scores_work_size(seg_idx n, seg_idx d, seg_idx n_labelings,
                                        seg_idx k_total, int n_threads);

/* The silhouettes of several labelings of the same rows, every pair's
 * distance computed once: labels is n_labelings rows of n labels
 * (row-major), labeling l's in [0, k[l]); s receives n_labelings rows of n
 * silhouettes. Each row's tuple of labels (one per labeling) plays the part
 * of the label in the single-labeling kernel: rows are sorted by tuple
 * (lexicographically) and the tiles run as they do for one labeling. With
 * few tuples (T <= sum(k), a K sweep's) each run's sum goes to its tuple's
 * entry and every row's tuple sums are added to its labelings' sums at the
 * end; with more, each run's sum is added to that row's sums of every
 * labeling at once (acc is n by sum(k) either way: never n by T). With one
 * labeling this is seg_silhouette_samples_metric, bit for bit; with several,
 * each labeling's silhouettes equal that kernel's to round-off (sums of the
 * same distances, grouped by tuple). Tiles that hold rows of several tuples
 * take the slower general path: labelings whose tuples are much smaller
 * than a block (unrelated labelings of many clusters) cost more, up to
 * about n_labelings times one silhouette. Scratch as seg_silhouette_samples
 * plus n * (sum(k) - k) sums and about 1.5 + n_labelings / 2 doubles per
 * row. SEG_EINVAL names the labeling (a label out of range: the flat index
 * l * n + row), SEG_EDEGENERATE the labeling with fewer than two labels
 * used. progress (NULL allowed) is called between batches of tiles. */
seg_status seg_silhouette_scores(const double *X, seg_idx n, seg_idx d, const int32_t *labels,
                                 seg_idx n_labelings, const seg_idx *k, seg_metric metric,
                                 int n_threads, const seg_interrupt *intr,
                                 const seg_progress *progress, double *s, double *work,
                                 seg_detail *detail);

/* seg_silhouette_scores on float32 X: distances in float32 (16 lanes a
 * vector), each tile's sums in float32 (at most 256 terms), every row's sums
 * over the tiles in float64. The silhouettes are within about 1e-6 of the
 * float64 kernel's on the same (float32) values; bit-identical on any
 * number of threads. Scratch: seg_silhouette_scores_work_size (the float64
 * size: the float32 blocks take half of their part). */
seg_status seg_silhouette_scores_f32(const float *X, seg_idx n, seg_idx d, const int32_t *labels,
                                     seg_idx n_labelings, const seg_idx *k, seg_metric metric,
                                     int n_threads, const seg_interrupt *intr,
                                     const seg_progress *progress, double *s, double *work,
                                     seg_detail *detail);

/* Scratch doubles for seg_silhouette_precomputed; -1 if the sizes overflow. */
seg_idx seg_silhouette_precomputed_work_size(seg_idx n, seg_idx k, int n_threads);

/* Silhouettes of rows row0 .. row0 + m - 1 of n points from their distances:
 * D is those m rows of the n by n distance matrix (m by n, row-major,
 * finite, >= 0), labels the n points' (as above), s receives m values. The
 * diagonal entries D[i][row0 + i] are summed like the others, as
 * scikit-learn does: a caller wanting a zero diagonal checks it. Row chunks
 * give the same values as one call over all rows. Returns SEG_ENONFINITE for
 * NaN/inf in D (or sums that overflow), SEG_EINVAL for a negative distance,
 * a label outside [0, k) or bad sizes (1 <= m <= n, 0 <= row0 <= n - m),
 * SEG_EDEGENERATE when fewer than two labels are used. */
seg_status seg_silhouette_precomputed(const double *D, seg_idx m, seg_idx n, seg_idx row0,
                                      const int32_t *labels, seg_idx k, int n_threads,
                                      const seg_interrupt *intr, double *s, double *work,
                                      seg_detail *detail);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SILHOUETTE_H */
