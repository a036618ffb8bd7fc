/* The float64 dense k-means kernels (seg_kmeans.h): seg_kmeans_rows.h with
 * KM_F32 0, plus what does not depend on the type of X. The float32 ones
 * are seg_kmeans_f32.c. */

/* nanosleep (POSIX), for the calling thread polling Ctrl-C while other runs
 * finish; the portable path (seg_common.h) uses C11's thrd_sleep instead. */
#if !defined(SEG_PORTABLE) && defined(__GNUC__)
#define _POSIX_C_SOURCE 200809L
#endif

#include "seg_kmeans.h"
#include "seg_inline.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define KM_F32 0
#include "seg_kmeans_rows.h"

seg_kmeans_params seg_kmeans_params_default(seg_idx k) {
    seg_kmeans_params p = {.k = k, .n_init = 1, .seeds = NULL, .init_centers = NULL,
                           .n_trials = 2 + (k > 0 ? (seg_idx)log((double)k) : 0),
                           .max_iter = 300, .tol = 0.0, .algorithm = SEG_KMEANS_LLOYD,
                           .n_threads = 0};
    return p;
}
