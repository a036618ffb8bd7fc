/* The float32 dense k-means kernels (the _f32 entry points of seg_kmeans.h):
 * seg_kmeans_rows.h with KM_F32 1. */

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

#define KM_F32 1
#include "seg_kmeans_rows.h"
