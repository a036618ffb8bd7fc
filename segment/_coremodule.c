/* segment._core: the CPython/NumPy glue over the pure-C kernels in csrc/.
 *
 * Every function here: parses its arguments, converts arrays with
 * PyArray_FROM_OTF (float64 / int32, C-contiguous, aligned; a copy only when
 * needed), re-checks every shape and value the kernel relies on (a direct call
 * with bad arguments raises, it never crashes), allocates outputs and scratch
 * with the GIL held (MemoryError names the size before anything is touched),
 * releases the GIL around the kernel, raises with the kernel's own reason
 * (seg_detail) when it fails, and cleans up at one `done:` label. Results of
 * several values are named (PyStructSequence types in the module state). The
 * kernels never see a Python object.
 *
 * The public, friendly API with messages naming columns and rows lives in the
 * Python modules; this layer is the last line of defence.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <numpy/arrayobject.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h> /* sysconf: the machine's physical memory, where POSIX has it */
#endif

#include "seg_common.h"
#include "seg_kmeans.h"
#include "seg_kmeans_step.h"
#include "seg_silhouette.h"
#include "seg_silhouette_chunks.h"
#include "seg_validity.h"
#include "seg_mcdm.h"
#include "seg_sparse.h"
#include "seg_pls.h"

/* ------------------------------------------------------------------------ */
/* Shared helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Interrupt callback: called by a kernel only from the thread that released
 * the GIL, between parallel regions or inside one as its thread 0 (the
 * calling thread; seg_kmeans_fit_runs polls there while other threads run).
 * Takes the GIL, runs signal handlers; a KeyboardInterrupt stays set as the
 * pending exception for the caller. */
static int check_signals(void *ctx) {
    (void)ctx;
    PyGILState_STATE st = PyGILState_Ensure();
    int stop = PyErr_CheckSignals() != 0;
    PyGILState_Release(st);
    return stop;
}

static const seg_interrupt INTERRUPT = {check_signals, NULL};

/* Sets the Python exception for a failed kernel call and returns NULL: a
 * KeyboardInterrupt stays as check_signals left it; any other failure is a
 * ValueError "what: reason index" with the kernel's own reason (seg_detail;
 * the index only when the reason names one). Every kernel fills the reason,
 * so the status string is only a last resort. */
static PyObject *raise_detail(seg_status st, const char *what, const seg_detail *why) {
    if (PyErr_Occurred()) return NULL;
    if (st == SEG_EINTERRUPTED)
        PyErr_SetNone(PyExc_KeyboardInterrupt);
    else if (why->reason == NULL)
        PyErr_Format(PyExc_ValueError, "%s: %s", what, seg_status_str(st));
    else if (why->index >= 0)
        PyErr_Format(PyExc_ValueError, "%s: %s %zd", what, why->reason, (Py_ssize_t)why->index);
    else
        PyErr_Format(PyExc_ValueError, "%s: %s", what, why->reason);
    return NULL;
}

/* ---- named results ---------------------------------------------------------
 * Functions that return several values return a PyStructSequence (a tuple
 * subclass with named fields: `res.labels`, and positional use still works).
 * The types are created in module exec and kept in the module state; the
 * fields are listed once here, with their docs. _core.pyi mirrors them. */

#define RESULT_TYPES(X)                                                                      \
    X(kmeans_seeds, "KMeansSeeds", "kmeans_plusplus's centres and the rows they came from.")  \
    X(kmeans_fit, "KMeansFit", "One k-means run from given centres (kmeans_fit).")            \
    X(kmeans_runs, "KMeansRuns", "The best of n_init k-means runs (kmeans_fit_runs).")        \
    X(kmeans_prediction, "KMeansPrediction", "Nearest centres and their inertia.")            \
    X(validity, "ClusterValidity", "Calinski-Harabasz score and Davies-Bouldin index.")       \
    X(step_partials, "StepPartials", "One Lloyd pass over one row chunk (kmeans_step).")      \
    X(step_merge, "StepMerge", "The centre update merged from chunk partials.")               \
    X(step_nearest, "StepNearest", "k-means|| bookkeeping of one chunk.")                     \
    X(chunk_sums, "ChunkSilhouetteSums", "Per-cluster distance sums between two chunks.")     \
    X(entropy, "EntropyWeights", "Entropy weights with their entropies and diversities.")

static PyStructSequence_Field kmeans_seeds_fields[] = {
    {"centers", "(k, d) float64: the chosen rows"},
    {"indices", "(k,) intp: their row numbers"},
    {NULL, NULL}};
static PyStructSequence_Field kmeans_fit_fields[] = {
    {"labels", "(n,) int32: the nearest final centre of every row"},
    {"centers", "(k, d) float64: the final centres"},
    {"inertia", "float: weighted sum of squared distances to the centres"},
    {"n_iter", "int: Lloyd iterations run"},
    {"converged", "bool: False when max_iter was reached"},
    {NULL, NULL}};
static PyStructSequence_Field kmeans_runs_fields[] = {
    {"labels", "(n,) int32: the nearest final centre of every row"},
    {"centers", "(k, d) float64: the best run's final centres"},
    {"inertia", "float: the best run's inertia (the lowest)"},
    {"n_iter", "int: the best run's Lloyd iterations"},
    {"converged", "bool: False when the best run reached max_iter"},
    {"best_run", "int: index of the best run (the first on ties)"},
    {NULL, NULL}};
static PyStructSequence_Field kmeans_prediction_fields[] = {
    {"labels", "(n,) int32: the nearest centre of every row"},
    {"inertia", "float: weighted sum of squared distances to them"},
    {NULL, NULL}};
static PyStructSequence_Field validity_fields[] = {
    {"calinski_harabasz", "float: Calinski-Harabasz score"},
    {"davies_bouldin", "float: Davies-Bouldin index"},
    {NULL, NULL}};
static PyStructSequence_Field step_partials_fields[] = {
    {"sums", "(k, d) float64: sum of w_i x_i per cluster"},
    {"weights", "(k,) float64: sum of w_i per cluster"},
    {"sse", "float: sum of w_i ||x_i - c||^2 over the chunk"},
    {"far_index", "(f,) intp: global row numbers of the farthest rows"},
    {"far_dist", "(f,) float64: their squared distances to the nearest centre"},
    {"far_label", "(f,) int32: that centre"},
    {"far_weight", "(f,) float64: their sample weights"},
    {"far_rows", "(f, d) float64: the rows"},
    {"labels", "(m,) int32 labels, or None unless return_labels"},
    {NULL, NULL}};
static PyStructSequence_Field step_merge_fields[] = {
    {"centers", "(k, d) float64: the new centres"},
    {"shift", "float: sum over clusters of the squared centre move"},
    {"n_relocated", "int: empty clusters re-seeded"},
    {NULL, NULL}};
static PyStructSequence_Field step_nearest_fields[] = {
    {"closest", "(m,) float64: squared distance to the nearest candidate"},
    {"nearest", "(m,) int32: that candidate's number"},
    {"cost", "float: sum of w_i * closest_i (the chunk's part of phi)"},
    {"candidate_weights", "(n_candidates,) float64: weight of the rows nearest each candidate"},
    {NULL, NULL}};
static PyStructSequence_Field chunk_sums_fields[] = {
    {"sa", "(len(A), k) float64: distances from each row of A summed per cluster of B"},
    {"sb", "(len(B), k) float64: the reverse, or None unless both"},
    {NULL, NULL}};
static PyStructSequence_Field entropy_fields[] = {
    {"weights", "(n,) float64: the weights, summing to 1"},
    {"entropy", "(n,) float64: each criterion's entropy E_j"},
    {"diversity", "(n,) float64: 1 - E_j"},
    {NULL, NULL}};

typedef struct core_state {
#define STATE_MEMBER(id, name, doc) PyTypeObject *id;
    RESULT_TYPES(STATE_MEMBER)
#undef STATE_MEMBER
} core_state;

static core_state *state_of(PyObject *module) {
    return (core_state *)PyModule_GetState(module);
}

/* A result of `type` holding the items of `values` (a tuple from
 * Py_BuildValue, consumed; NULL passes through). */
static PyObject *named(PyTypeObject *type, PyObject *values) {
    if (values == NULL) return NULL;
    PyObject *res = PyStructSequence_New(type);
    if (res != NULL) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(values); i++) {
            PyObject *item = PyTuple_GET_ITEM(values, i);
            Py_INCREF(item);
            PyStructSequence_SetItem(res, i, item);
        }
    }
    Py_DECREF(values);
    return res;
}

/* Creates the result types into the module state and the module. */
static int add_result_types(PyObject *module) {
    core_state *st = state_of(module);
#define MAKE_TYPE(id, name, doc)                                                             \
    {                                                                                        \
        static PyStructSequence_Desc desc = {                                                \
            "segment._core." name, doc, id##_fields,                                         \
            (int)(sizeof id##_fields / sizeof id##_fields[0]) - 1};                          \
        st->id = PyStructSequence_NewType(&desc);                                            \
        if (st->id == NULL || PyModule_AddObjectRef(module, name, (PyObject *)st->id) < 0)   \
            return -1;                                                                       \
    }
    RESULT_TYPES(MAKE_TYPE)
#undef MAKE_TYPE
    return 0;
}

static int core_traverse(PyObject *module, visitproc visit, void *arg) {
    core_state *st = state_of(module);
#define VISIT_TYPE(id, name, doc) Py_VISIT(st->id);
    RESULT_TYPES(VISIT_TYPE)
#undef VISIT_TYPE
    return 0;
}

static int core_clear(PyObject *module) {
    core_state *st = state_of(module);
#define CLEAR_TYPE(id, name, doc) Py_CLEAR(st->id);
    RESULT_TYPES(CLEAR_TYPE)
#undef CLEAR_TYPE
    return 0;
}

static void core_free(void *module) { core_clear((PyObject *)module); }

/* Converts obj to an aligned, C-contiguous array of `type` (a copy only when
 * needed) with exactly `ndim` dimensions. Raises naming `name` on failure. */
static PyArrayObject *as_array(PyObject *obj, int type, int ndim, const char *name) {
    if (obj == NULL || obj == Py_None) {
        PyErr_Format(PyExc_TypeError, "%s must be an array, not None", name);
        return NULL;
    }
    if (PyArray_Check(obj)) {
        int t = PyArray_TYPE((PyArrayObject *)obj);
        if (PyTypeNum_ISCOMPLEX(t)) { /* numbers of the wrong domain: ValueError, as sklearn */
            PyErr_Format(PyExc_ValueError,
                         "%s must be a real numeric array, got dtype %R: Complex data not "
                         "supported",
                         name, (PyObject *)PyArray_DESCR((PyArrayObject *)obj));
            return NULL;
        }
        if (!(PyTypeNum_ISNUMBER(t) || PyTypeNum_ISBOOL(t))) {
            PyErr_Format(PyExc_TypeError, "%s must be a real numeric array, got dtype %R", name,
                         (PyObject *)PyArray_DESCR((PyArrayObject *)obj));
            return NULL;
        }
    }
    PyArrayObject *arr = (PyArrayObject *)PyArray_FROM_OTF(
        obj, type, NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
    if (arr == NULL) {
        if (PyErr_ExceptionMatches(PyExc_ValueError) || PyErr_ExceptionMatches(PyExc_TypeError)) {
            /* segment._validation's rule: a nested sequence NumPy cannot give
             * a shape (rows of different lengths) is a ValueError; anything
             * else that holds no real numbers is a TypeError. */
            PyErr_Clear();
            PyObject *probe = PyArray_FromAny(obj, NULL, 0, 0, 0, NULL);
            int ragged = probe == NULL && PyErr_ExceptionMatches(PyExc_ValueError);
            Py_XDECREF(probe);
            PyErr_Clear();
            if (ragged)
                PyErr_Format(PyExc_ValueError,
                             "%s could not be read as an array: its rows have different lengths",
                             name);
            else
                PyErr_Format(PyExc_TypeError, "%s could not be converted to a numeric array", name);
        }
        return NULL;
    }
    if (PyArray_NDIM(arr) != ndim) {
        PyErr_Format(PyExc_ValueError, "%s must be %d-dimensional, got %d dimensions", name, ndim,
                     PyArray_NDIM(arr));
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

/* Raises MemoryError, naming the size, when count*size bytes overflow or
 * exceed the machine's physical memory: a request that cannot fit fails
 * before anything is allocated or touched. `advice` ends the message. */
#define SMALL_REQUEST (64.0 * 1048576.0)

static int alloc_check_advice(size_t count, size_t size, const char *what, const char *advice) {
    if (count != 0 && size > SIZE_MAX / count) {
        PyErr_Format(PyExc_MemoryError, "%s: %zu x %zu bytes overflows", what, count, size);
        return -1;
    }
    double bytes = (double)count * (double)size;
    if (bytes < SMALL_REQUEST) return 0; /* no machine is that small: skip the syscalls */
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGE_SIZE)
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
#else
    long pages = 0, page = 0; /* unknown: the allocation itself will fail instead */
#endif
    if (pages > 0 && page > 0 && bytes > (double)pages * (double)page) {
        char msg[400]; /* PyErr_Format has no %f: format the sizes here */
        PyOS_snprintf(msg, sizeof msg,
                      "%s needs %.1f GiB of memory, more than this machine's %.1f GiB; %s",
                      what, bytes / 1073741824.0, (double)pages * (double)page / 1073741824.0,
                      advice);
        PyErr_SetString(PyExc_MemoryError, msg);
        return -1;
    }
    return 0;
}

static int alloc_check(size_t count, size_t size, const char *what) {
    return alloc_check_advice(count, size, what,
                              "use fewer rows or clusters (or sample_size for the silhouette)");
}

/* Allocates `count` elements of `size` bytes, or raises MemoryError that
 * names the request and its size. count*size overflow is caught. */
static void *alloc_scratch(size_t count, size_t size, const char *what) {
    if (count == 0) count = 1;
    if (count > SIZE_MAX / size || count * size > (size_t)PY_SSIZE_T_MAX) {
        PyErr_Format(PyExc_MemoryError, "%s: scratch of %zu x %zu bytes overflows", what, count,
                     size);
        return NULL;
    }
    if (alloc_check(count, size, what) < 0) return NULL;
    void *p = PyMem_RawMalloc(count * size);
    if (p == NULL) {
        char msg[200];
        PyOS_snprintf(msg, sizeof msg, "%s: could not allocate %.1f MiB of scratch memory", what,
                      (double)(count * size) / (1024.0 * 1024.0));
        PyErr_SetString(PyExc_MemoryError, msg);
    }
    return p;
}

/* Scratch sizes come from kernels as a count of doubles; a negative count
 * means the kernel rejected the sizes (overflow). */
static double *alloc_work(seg_idx n_doubles, const char *what) {
    if (n_doubles < 0) {
        PyErr_Format(PyExc_MemoryError, "%s: the scratch memory this needs overflows", what);
        return NULL;
    }
    return (double *)alloc_scratch((size_t)n_doubles, sizeof(double), what);
}

/* Checks every value of a float64 array is finite; raises naming `name`. */
static int require_finite(PyArrayObject *a, const char *name) {
    const double *p = (const double *)PyArray_DATA(a);
    const float *q = (const float *)PyArray_DATA(a);
    int single = PyArray_TYPE(a) == NPY_FLOAT32; /* else float64 */
    npy_intp size = PyArray_SIZE(a);
    for (npy_intp i = 0; i < size; i++) {
        if (single ? !isfinite(q[i]) : !isfinite(p[i])) {
            PyErr_Format(PyExc_ValueError, "%s contains NaN or infinity (at flat index %zd)", name,
                         (Py_ssize_t)i);
            return -1;
        }
    }
    return 0;
}

/* A 1-D array of integers or bools (an empty array of any dtype too) as a
 * new C array of `type` (NPY_INT32, NPY_INT64 or NPY_UINT64), of length n
 * (n < 0: any). Never a silent cast: a float (TypeError) or a value outside
 * [lo, hi] (ValueError) raises, naming the first bad row. */
static PyArrayObject *get_ints(PyObject *obj, npy_intp n, int type, long long lo,
                               unsigned long long hi, const char *name) {
    if (obj == NULL || obj == Py_None) {
        PyErr_Format(PyExc_TypeError, "%s must be an array of integers, not None", name);
        return NULL;
    }
    PyArrayObject *raw = (PyArrayObject *)PyArray_FROM_OF(obj, 0);
    if (raw == NULL) return NULL;
    PyArrayObject *wide = NULL, *out = NULL;
    if (PyArray_NDIM(raw) != 1) {
        PyErr_Format(PyExc_ValueError, "%s must be 1-dimensional, got %d dimensions", name,
                     PyArray_NDIM(raw));
        goto done;
    }
    if (n >= 0 && PyArray_DIM(raw, 0) != n) {
        PyErr_Format(PyExc_ValueError, "%s has length %zd, expected %zd", name,
                     (Py_ssize_t)PyArray_DIM(raw, 0), (Py_ssize_t)n);
        goto done;
    }
    if (!(PyArray_ISINTEGER(raw) || PyArray_ISBOOL(raw)) && PyArray_SIZE(raw) > 0) {
        PyErr_Format(PyExc_TypeError, "%s must hold integers, got dtype %R", name,
                     (PyObject *)PyArray_DESCR(raw));
        goto done;
    }
    int is_unsigned = PyArray_ISUNSIGNED(raw);
    wide = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)raw, is_unsigned ? NPY_UINT64 : NPY_INT64,
                                             NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
    if (wide == NULL) goto done;
    npy_intp len = PyArray_DIM(wide, 0);
    for (npy_intp i = 0; i < len; i++) {
        if (is_unsigned) {
            unsigned long long v = ((const npy_uint64 *)PyArray_DATA(wide))[i];
            if ((lo > 0 && v < (unsigned long long)lo) || v > hi) {
                PyErr_Format(PyExc_ValueError,
                             "%s must be in [%lld, %llu]; row %zd has %llu, out of range", name, lo,
                             hi, (Py_ssize_t)i, v);
                goto done;
            }
        } else {
            long long v = ((const npy_int64 *)PyArray_DATA(wide))[i];
            if (v < lo || (v >= 0 && (unsigned long long)v > hi)) {
                PyErr_Format(PyExc_ValueError, "%s must be in [%lld, %llu]; row %zd has %lld",
                             name, lo, hi, (Py_ssize_t)i, v);
                goto done;
            }
        }
    }
    /* Every value fits `type` now: the cast is exact. */
    out = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)wide, type,
                                            NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
done:
    Py_DECREF(raw);
    Py_XDECREF(wide);
    return out;
}

/* Label codes in [0, k) as an int32 C array (see get_ints). */
static PyArrayObject *get_codes(PyObject *obj, npy_intp n, Py_ssize_t k, const char *name) {
    if (k < 1 || k > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "n_clusters must be between 1 and %d, got %zd", INT32_MAX,
                     k);
        return NULL;
    }
    return get_ints(obj, n, NPY_INT32, 0, (unsigned long long)(k - 1), name);
}

static PyObject *py_max_threads(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    return PyLong_FromLong(seg_max_threads());
}

static PyObject *py_has_openmp(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    return PyBool_FromLong(seg_has_openmp());
}

/* ---- clustering kernels (seg_kmeans, seg_silhouette) ---- */

/* Optional sample weights: None, or n finite values >= 0 as a float64
 * vector, with a positive sum when need_positive_sum (a whole data set; a
 * Dask chunk may weigh nothing). Raises naming the first bad row. */
static int get_weights(PyObject *obj, npy_intp n, int need_positive_sum, PyArrayObject **out) {
    *out = NULL;
    if (obj == NULL || obj == Py_None) return 0;
    PyArrayObject *w = as_array(obj, NPY_FLOAT64, 1, "sample_weight");
    if (w == NULL) return -1;
    if (PyArray_DIM(w, 0) != n) {
        PyErr_Format(PyExc_ValueError, "sample_weight has length %zd but X has %zd rows",
                     (Py_ssize_t)PyArray_DIM(w, 0), (Py_ssize_t)n);
        Py_DECREF(w);
        return -1;
    }
    const double *p = (const double *)PyArray_DATA(w);
    double total = 0.0;
    for (npy_intp i = 0; i < n; i++) {
        if (!isfinite(p[i]) || p[i] < 0.0) {
            PyErr_Format(PyExc_ValueError,
                         "sample_weight must be finite and >= 0; row %zd is %s", (Py_ssize_t)i,
                         isfinite(p[i]) ? "negative" : "NaN or infinite");
            Py_DECREF(w);
            return -1;
        }
        total += p[i];
    }
    if (need_positive_sum && !(total > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "sample_weight must have a positive sum");
        Py_DECREF(w);
        return -1;
    }
    *out = w;
    return 0;
}

/* X as a non-empty (n, d) float64 C array with finite values; with f32 not
 * NULL, a float32 array stays float32 (a C copy if needed; *f32 = 1) for the
 * _f32 kernels. */
static PyArrayObject *get_X_in(PyObject *obj, int *f32) {
    int single = f32 != NULL && PyArray_Check(obj) &&
                 PyArray_TYPE((PyArrayObject *)obj) == NPY_FLOAT32;
    if (f32 != NULL) *f32 = single;
    PyArrayObject *X = as_array(obj, single ? NPY_FLOAT32 : NPY_FLOAT64, 2, "X");
    if (X == NULL) return NULL;
    if (PyArray_DIM(X, 0) < 1 || PyArray_DIM(X, 1) < 1) {
        PyErr_Format(PyExc_ValueError, "X must have at least one row and one column, got (%zd, %zd)",
                     (Py_ssize_t)PyArray_DIM(X, 0), (Py_ssize_t)PyArray_DIM(X, 1));
        Py_DECREF(X);
        return NULL;
    }
    if (require_finite(X, "X") < 0) {
        Py_DECREF(X);
        return NULL;
    }
    return X;
}

static PyArrayObject *get_X(PyObject *obj) { return get_X_in(obj, NULL); }

/* Centres as a (k, d) float64 C array with finite values and k >= 1. */
static PyArrayObject *get_centers(PyObject *obj, npy_intp d) {
    PyArrayObject *C = as_array(obj, NPY_FLOAT64, 2, "centers");
    if (C == NULL) return NULL;
    if (PyArray_DIM(C, 0) < 1 || PyArray_DIM(C, 1) != d) {
        PyErr_Format(PyExc_ValueError, "centers must have shape (k >= 1, %zd), got (%zd, %zd)",
                     (Py_ssize_t)d, (Py_ssize_t)PyArray_DIM(C, 0), (Py_ssize_t)PyArray_DIM(C, 1));
        Py_DECREF(C);
        return NULL;
    }
    if (require_finite(C, "centers") < 0) {
        Py_DECREF(C);
        return NULL;
    }
    return C;
}

/* The iteration arguments shared by kmeans_fit and kmeans_fit_runs. */
static int check_lloyd_args(int max_iter, double tol, int algorithm) {
    if (max_iter < 1) {
        PyErr_Format(PyExc_ValueError, "max_iter must be >= 1, got %d", max_iter);
        return -1;
    }
    if (!(tol >= 0.0) || !isfinite(tol)) {
        PyErr_SetString(PyExc_ValueError, "tol must be finite and >= 0");
        return -1;
    }
    if (algorithm != SEG_KMEANS_LLOYD && algorithm != SEG_KMEANS_HAMERLY) {
        PyErr_Format(PyExc_ValueError, "algorithm must be 0 (Lloyd) or 1 (Hamerly), got %d",
                     algorithm);
        return -1;
    }
    return 0;
}

static PyObject *py_kmeans_plusplus(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "n_clusters", "sample_weight", "n_trials", "seed", "n_threads",
                             NULL};
    PyObject *xo, *wo = Py_None, *result = NULL;
    Py_ssize_t k, trials = 0;
    unsigned long long seed = 0;
    int n_threads = 0;
    PyArrayObject *X = NULL, *W = NULL, *C = NULL, *Idx = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "On|OnKi", kwlist, &xo, &k, &wo, &trials, &seed,
                                     &n_threads))
        return NULL;
    int f32;
    if ((X = get_X_in(xo, &f32)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if (k < 1 || k > n) {
        PyErr_Format(PyExc_ValueError, "n_clusters must be between 1 and the %zd rows of X, got %zd",
                     (Py_ssize_t)n, k);
        goto done;
    }
    if (trials <= 0) trials = 2 + (Py_ssize_t)log((double)k);
    if (trials > 64) {
        PyErr_Format(PyExc_ValueError, "n_trials must be between 1 and 64, got %zd", trials);
        goto done;
    }
    if (get_weights(wo, n, 1, &W) < 0) goto done;
    npy_intp cdims[2] = {k, d};
    C = (PyArrayObject *)PyArray_SimpleNew(2, cdims, NPY_FLOAT64);
    npy_intp idims[1] = {k};
    Idx = (PyArrayObject *)PyArray_SimpleNew(1, idims, NPY_INTP);
    if (C == NULL || Idx == NULL) goto done;
    work = alloc_work(f32 ? seg_kmeans_plusplus_work_size_f32(n, d, k, trials)
                          : seg_kmeans_plusplus_work_size(n, d, k, trials),
                      "kmeans_plusplus");
    if (work == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    const double *w = W ? (const double *)PyArray_DATA(W) : NULL;
    double *c = (double *)PyArray_DATA(C);
    seg_idx *idx = (seg_idx *)PyArray_DATA(Idx);
    st = f32 ? seg_kmeans_plusplus_f32((const float *)PyArray_DATA(X), n, d, w, k, trials,
                                       (uint64_t)seed, n_threads, &INTERRUPT, c, idx, work, &why)
             : seg_kmeans_plusplus((const double *)PyArray_DATA(X), n, d, w, k, trials,
                                   (uint64_t)seed, n_threads, &INTERRUPT, c, idx, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_plusplus", &why);
        goto done;
    }
    result = named(state_of(self)->kmeans_seeds, Py_BuildValue("(OO)", C, Idx));
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(Idx);
    return result;
}

static PyObject *py_kmeans_fit(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X",   "centers",   "sample_weight", "max_iter",
                             "tol", "algorithm", "n_threads",     NULL};
    PyObject *xo, *co, *wo = Py_None, *result = NULL;
    int max_iter = 300, algorithm = 0, n_threads = 0;
    double tol = 0.0;
    PyArrayObject *X = NULL, *W = NULL, *C = NULL, *L = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|Oidii", kwlist, &xo, &co, &wo, &max_iter, &tol,
                                     &algorithm, &n_threads))
        return NULL;
    int f32;
    if ((X = get_X_in(xo, &f32)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    PyArrayObject *C0 = get_centers(co, d);
    if (C0 == NULL) goto done;
    /* The kernel overwrites the centres: always work on our own copy. */
    C = (PyArrayObject *)PyArray_NewCopy(C0, NPY_CORDER);
    Py_DECREF(C0);
    if (C == NULL) goto done;
    npy_intp k = PyArray_DIM(C, 0);
    if (k > n) {
        PyErr_Format(PyExc_ValueError, "n_clusters (%zd centres) must not exceed the %zd rows of X",
                     (Py_ssize_t)k, (Py_ssize_t)n);
        goto done;
    }
    if (check_lloyd_args(max_iter, tol, algorithm) < 0) goto done;
    if (get_weights(wo, n, 1, &W) < 0) goto done;
    npy_intp ldims[1] = {n};
    L = (PyArrayObject *)PyArray_SimpleNew(1, ldims, NPY_INT32);
    if (L == NULL) goto done;
    seg_kmeans_algorithm alg = (seg_kmeans_algorithm)algorithm;
    work = alloc_work(f32 ? seg_kmeans_fit_work_size_f32(n, d, k, alg)
                          : seg_kmeans_fit_work_size(n, d, k, alg),
                      "kmeans");
    if (work == NULL) goto done;
    double inertia = 0.0;
    int n_iter = 0, converged = 0;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    const double *w = W ? (const double *)PyArray_DATA(W) : NULL;
    double *c = (double *)PyArray_DATA(C);
    int32_t *lab = (int32_t *)PyArray_DATA(L);
    st = f32 ? seg_kmeans_fit_f32((const float *)PyArray_DATA(X), n, d, w, k, c, max_iter, tol,
                                  alg, n_threads, &INTERRUPT, lab, &inertia, &n_iter, &converged,
                                  work, &why)
             : seg_kmeans_fit((const double *)PyArray_DATA(X), n, d, w, k, c, max_iter, tol, alg,
                              n_threads, &INTERRUPT, lab, &inertia, &n_iter, &converged, work,
                              &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans", &why);
        goto done;
    }
    result = named(state_of(self)->kmeans_fit,
                   Py_BuildValue("(OOdiO)", L, C, inertia, n_iter, converged ? Py_True : Py_False));
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(L);
    return result;
}

/* The starts of kmeans_fit_runs (dense and sparse): exactly one of seeds
 * (uint64, one per run) and init_centers (n_init, k, d); *n_init runs. */
static int get_run_starts(PyObject *so, PyObject *io, Py_ssize_t k, npy_intp d,
                          PyArrayObject **S, PyArrayObject **Init, npy_intp *n_init) {
    if ((so == Py_None) == (io == Py_None)) {
        PyErr_SetString(PyExc_ValueError, "pass exactly one of seeds and init_centers");
        return -1;
    }
    if (so != Py_None) {
        if ((*S = get_ints(so, -1, NPY_UINT64, 0, UINT64_MAX, "seeds")) == NULL) return -1;
        *n_init = PyArray_DIM(*S, 0);
    } else {
        if ((*Init = as_array(io, NPY_FLOAT64, 3, "init_centers")) == NULL) return -1;
        *n_init = PyArray_DIM(*Init, 0);
        if (PyArray_DIM(*Init, 1) != k || PyArray_DIM(*Init, 2) != d) {
            PyErr_Format(PyExc_ValueError,
                         "init_centers must have shape (n_init, %zd, %zd), got (%zd, %zd, %zd)", k,
                         (Py_ssize_t)d, (Py_ssize_t)*n_init, (Py_ssize_t)PyArray_DIM(*Init, 1),
                         (Py_ssize_t)PyArray_DIM(*Init, 2));
            return -1;
        }
        if (require_finite(*Init, "init_centers") < 0) return -1;
    }
    if (*n_init < 1 || *n_init > 100000) {
        PyErr_Format(PyExc_ValueError, "n_init must be between 1 and 100000, got %zd",
                     (Py_ssize_t)*n_init);
        return -1;
    }
    return 0;
}

/* The seg_kmeans_params of kmeans_fit_runs (dense and sparse) from its
 * checked arguments (the threads resolved: the scratch size depends on them). */
static seg_kmeans_params run_params(Py_ssize_t k, npy_intp n_init, PyArrayObject *S,
                                    PyArrayObject *Init, Py_ssize_t trials, int max_iter,
                                    double tol, int n_threads) {
    seg_kmeans_params p = seg_kmeans_params_default(k);
    p.n_init = (int)n_init;
    p.seeds = S ? (const uint64_t *)PyArray_DATA(S) : NULL;
    p.init_centers = Init ? (const double *)PyArray_DATA(Init) : NULL;
    p.n_trials = trials;
    p.max_iter = max_iter;
    p.tol = tol;
    p.n_threads = seg_resolve_threads(n_threads);
    return p;
}

/* The KMeansRuns result of kmeans_fit_runs (dense and sparse). */
static PyObject *runs_result(PyObject *module, PyArrayObject *L, PyArrayObject *C,
                             const seg_kmeans_runs_out *out) {
    return named(state_of(module)->kmeans_runs,
                 Py_BuildValue("(OOdiOi)", L, C, out->inertia, out->n_iter,
                               out->converged ? Py_True : Py_False, out->best_run));
}

/* k-means++ candidates per step: <= 0 means 2 + ln k (scikit-learn's);
 * returns the count, or -1 with ValueError beyond 64. */
static Py_ssize_t check_trials(Py_ssize_t trials, Py_ssize_t k) {
    if (trials <= 0) trials = 2 + (Py_ssize_t)log((double)k);
    if (trials > 64) {
        PyErr_Format(PyExc_ValueError, "n_trials must be between 1 and 64, got %zd", trials);
        return -1;
    }
    return trials;
}

static PyObject *py_kmeans_fit_runs(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X",        "n_clusters", "seeds", "init_centers", "sample_weight",
                             "n_trials", "max_iter",   "tol",   "algorithm",    "n_threads",
                             NULL};
    PyObject *xo, *so = Py_None, *io = Py_None, *wo = Py_None, *result = NULL;
    Py_ssize_t k, trials = 0;
    int max_iter = 300, algorithm = 0, n_threads = 0;
    double tol = 0.0;
    PyArrayObject *X = NULL, *S = NULL, *Init = NULL, *W = NULL, *C = NULL, *L = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "On|OOOnidii", kwlist, &xo, &k, &so, &io, &wo,
                                     &trials, &max_iter, &tol, &algorithm, &n_threads))
        return NULL;
    int f32;
    if ((X = get_X_in(xo, &f32)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if (k < 1 || k > n) {
        PyErr_Format(PyExc_ValueError, "n_clusters must be between 1 and the %zd rows of X, got %zd",
                     (Py_ssize_t)n, k);
        goto done;
    }
    npy_intp n_init;
    if (get_run_starts(so, io, k, d, &S, &Init, &n_init) < 0) goto done;
    if ((trials = check_trials(trials, k)) < 0) goto done;
    if (check_lloyd_args(max_iter, tol, algorithm) < 0) goto done;
    if (get_weights(wo, n, 1, &W) < 0) goto done;
    npy_intp cdims[2] = {k, d}, ldims[1] = {n};
    C = (PyArrayObject *)PyArray_SimpleNew(2, cdims, NPY_FLOAT64);
    L = (PyArrayObject *)PyArray_SimpleNew(1, ldims, NPY_INT32);
    if (C == NULL || L == NULL) goto done;
    seg_kmeans_params params = run_params(k, n_init, S, Init, trials, max_iter, tol, n_threads);
    params.algorithm = (seg_kmeans_algorithm)algorithm;
    work = alloc_work(f32 ? seg_kmeans_runs_work_size_f32(n, d, &params)
                          : seg_kmeans_runs_work_size(n, d, &params),
                      "kmeans");
    if (work == NULL) goto done;
    seg_kmeans_runs_out out = {(double *)PyArray_DATA(C), (int32_t *)PyArray_DATA(L), 0.0, 0, 0, 0};
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    const double *w = W ? (const double *)PyArray_DATA(W) : NULL;
    st = f32 ? seg_kmeans_fit_runs_f32((const float *)PyArray_DATA(X), n, d, w, &params,
                                       &INTERRUPT, &out, work, &why)
             : seg_kmeans_fit_runs((const double *)PyArray_DATA(X), n, d, w, &params, &INTERRUPT,
                                   &out, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans", &why);
        goto done;
    }
    result = runs_result(self, L, C, &out);
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(S);
    Py_XDECREF(Init);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(L);
    return result;
}

static PyObject *py_kmeans_predict(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "centers", "sample_weight", "n_threads", NULL};
    PyObject *xo, *co, *wo = Py_None, *result = NULL;
    int n_threads = 0;
    PyArrayObject *X = NULL, *W = NULL, *C = NULL, *L = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|Oi", kwlist, &xo, &co, &wo, &n_threads))
        return NULL;
    int f32;
    if ((X = get_X_in(xo, &f32)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if ((C = get_centers(co, d)) == NULL) goto done;
    npy_intp k = PyArray_DIM(C, 0);
    if (get_weights(wo, n, 1, &W) < 0) goto done;
    npy_intp ldims[1] = {n};
    L = (PyArrayObject *)PyArray_SimpleNew(1, ldims, NPY_INT32);
    if (L == NULL) goto done;
    work = alloc_work(f32 ? seg_kmeans_predict_work_size_f32(n, d, k)
                          : seg_kmeans_predict_work_size(n, d, k),
                      "kmeans_predict");
    if (work == NULL) goto done;
    double inertia = 0.0;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    const double *w = W ? (const double *)PyArray_DATA(W) : NULL;
    const double *c = (const double *)PyArray_DATA(C);
    int32_t *lab = (int32_t *)PyArray_DATA(L);
    st = f32 ? seg_kmeans_predict_f32((const float *)PyArray_DATA(X), n, d, w, c, k, n_threads,
                                      &INTERRUPT, lab, &inertia, work, &why)
             : seg_kmeans_predict((const double *)PyArray_DATA(X), n, d, w, c, k, n_threads,
                                  &INTERRUPT, lab, &inertia, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_predict", &why);
        goto done;
    }
    result = named(state_of(self)->kmeans_prediction, Py_BuildValue("(Od)", L, inertia));
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(L);
    return result;
}

static PyObject *py_kmeans_mean_variance(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "n_threads", NULL};
    PyObject *xo, *result = NULL;
    int n_threads = 0;
    PyArrayObject *X = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i", kwlist, &xo, &n_threads)) return NULL;
    int f32;
    if ((X = get_X_in(xo, &f32)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    work = alloc_work(f32 ? seg_kmeans_variance_work_size_f32(n, d)
                          : seg_kmeans_variance_work_size(n, d),
                      "kmeans_mean_variance");
    if (work == NULL) goto done;
    double var = 0.0;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = f32 ? seg_kmeans_mean_variance_f32((const float *)PyArray_DATA(X), n, d, n_threads,
                                            &INTERRUPT, &var, work, &why)
             : seg_kmeans_mean_variance((const double *)PyArray_DATA(X), n, d, n_threads,
                                        &INTERRUPT, &var, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_mean_variance", &why);
        goto done;
    }
    result = PyFloat_FromDouble(var);
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    return result;
}

static PyObject *py_kmeans_transform(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "centers", "n_threads", NULL};
    PyObject *xo, *co, *result = NULL;
    int n_threads = 0;
    PyArrayObject *X = NULL, *C = NULL, *D = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|i", kwlist, &xo, &co, &n_threads))
        return NULL;
    int f32;
    if ((X = get_X_in(xo, &f32)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if ((C = get_centers(co, d)) == NULL) goto done;
    npy_intp k = PyArray_DIM(C, 0);
    if (alloc_check((size_t)n, (size_t)k * (f32 ? sizeof(float) : sizeof(double)),
                    "kmeans_transform") < 0)
        goto done;
    npy_intp ddims[2] = {n, k};
    D = (PyArrayObject *)PyArray_SimpleNew(2, ddims, f32 ? NPY_FLOAT32 : NPY_FLOAT64);
    if (D == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    const double *c = (const double *)PyArray_DATA(C);
    st = f32 ? seg_kmeans_transform_f32((const float *)PyArray_DATA(X), n, d, c, k, n_threads,
                                        &INTERRUPT, (float *)PyArray_DATA(D), &why)
             : seg_kmeans_transform((const double *)PyArray_DATA(X), n, d, c, k, n_threads,
                                    &INTERRUPT, (double *)PyArray_DATA(D), &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_transform", &why);
        goto done;
    }
    result = (PyObject *)D;
    D = NULL;
done:
    Py_XDECREF(X);
    Py_XDECREF(C);
    Py_XDECREF(D);
    return result;
}

/* The metric names seg_silhouette_samples_metric knows (the Python layer
 * maps scikit-learn's aliases onto them). */
static const char *const METRIC_NAMES[] = {"euclidean", "sqeuclidean", "manhattan", "cosine"};

static int get_metric(PyObject *obj, seg_metric *metric) {
    if (PyUnicode_Check(obj)) {
        for (int m = 0; m < (int)(sizeof METRIC_NAMES / sizeof METRIC_NAMES[0]); m++) {
            if (PyUnicode_CompareWithASCIIString(obj, METRIC_NAMES[m]) == 0) {
                *metric = (seg_metric)m;
                return 0;
            }
        }
    }
    if (!PyErr_Occurred())
        PyErr_Format(PyExc_ValueError,
                     "metric must be 'euclidean', 'sqeuclidean', 'manhattan' or 'cosine', got %R",
                     obj);
    return -1;
}

static PyObject *py_silhouette_samples(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "labels", "n_clusters", "n_threads", "metric", NULL};
    PyObject *xo, *lo, *mo = NULL, *result = NULL;
    Py_ssize_t k;
    int n_threads = 0;
    seg_metric metric = SEG_METRIC_EUCLIDEAN;
    PyArrayObject *X = NULL, *L = NULL, *S = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOn|iO", kwlist, &xo, &lo, &k, &n_threads, &mo))
        return NULL;
    if (mo != NULL && get_metric(mo, &metric) < 0) return NULL;
    if ((X = get_X(xo)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if ((L = get_codes(lo, n, k, "labels")) == NULL) goto done;
    const int32_t *lab = (const int32_t *)PyArray_DATA(L);
    int nt = seg_resolve_threads(n_threads);
    npy_intp sdims[1] = {n};
    S = (PyArrayObject *)PyArray_SimpleNew(1, sdims, NPY_FLOAT64);
    if (S == NULL) goto done;
    work = alloc_work(seg_silhouette_work_size(n, d, k, nt), "silhouette");
    if (work == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_silhouette_samples_metric((const double *)PyArray_DATA(X), n, d, lab, k, metric, nt,
                                       &INTERRUPT, (double *)PyArray_DATA(S), work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "silhouette", &why);
        goto done;
    }
    result = (PyObject *)S;
    S = NULL;
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(L);
    Py_XDECREF(S);
    return result;
}

/* Progress of seg_silhouette_scores for Python: the kernel's tiles done,
 * turned into distance pairs (n (n - 1) / 2 in all) and passed as the
 * increment to the callable `cb`, with the GIL, from the calling thread.
 * An exception in cb stops the kernel (the interrupt below sees `failed`)
 * and stays set for the caller. */
typedef struct progress_ctx {
    PyObject *cb;
    double pairs;
    long long reported;
    int failed;
} progress_ctx;

static void progress_call(void *ctx, double done, double total) {
    progress_ctx *p = (progress_ctx *)ctx;
    PyGILState_STATE st = PyGILState_Ensure();
    long long target = (long long)(p->pairs * (done / total));
    if (!p->failed && target > p->reported) {
        PyObject *r = PyObject_CallFunction(p->cb, "L", target - p->reported);
        if (r == NULL)
            p->failed = 1;
        Py_XDECREF(r);
        p->reported = target;
    }
    PyGILState_Release(st);
}

static int progress_interrupt(void *ctx) {
    return ((progress_ctx *)ctx)->failed || check_signals(NULL);
}

static PyObject *py_silhouette_scores(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "labelings", "n_clusters", "n_threads", "metric", "progress",
                             "single", NULL};
    PyObject *xo, *lo, *ko, *mo = NULL, *po = Py_None, *result = NULL;
    int n_threads = 0, single = 0;
    seg_metric metric = SEG_METRIC_EUCLIDEAN;
    PyArrayObject *X = NULL, *L = NULL, *K = NULL, *S = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|iOOp", kwlist, &xo, &lo, &ko, &n_threads,
                                     &mo, &po, &single))
        return NULL;
    if (mo != NULL && get_metric(mo, &metric) < 0) return NULL;
    if (po != Py_None && !PyCallable_Check(po)) {
        PyErr_SetString(PyExc_TypeError, "progress must be None or a callable of one int");
        return NULL;
    }
    if ((X = single ? as_array(xo, NPY_FLOAT32, 2, "X") : get_X(xo)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if (n < 1 || d < 1) {
        PyErr_SetString(PyExc_ValueError, "X must have at least one row and one column");
        goto done;
    }
    if (!PyArray_Check(lo) || PyArray_TYPE((PyArrayObject *)lo) != NPY_INT32 ||
        PyArray_NDIM((PyArrayObject *)lo) != 2 || PyArray_DIM((PyArrayObject *)lo, 1) != n ||
        PyArray_DIM((PyArrayObject *)lo, 0) < 1) {
        PyErr_Format(PyExc_ValueError,
                     "labelings must be an int32 array of shape (n_labelings >= 1, %zd)",
                     (Py_ssize_t)n);
        goto done;
    }
    L = (PyArrayObject *)PyArray_FROM_OTF(lo, NPY_INT32, NPY_ARRAY_IN_ARRAY);
    if (L == NULL) goto done;
    npy_intp nl = PyArray_DIM(L, 0);
    if ((K = get_ints(ko, nl, NPY_INT64, 1, INT32_MAX, "n_clusters")) == NULL) goto done;
    seg_idx ks[1], *k = ks, k_total = 0;
    if (nl > 1 && (k = (seg_idx *)alloc_scratch((size_t)nl, sizeof(seg_idx), "silhouette")) ==
                      NULL)
        goto done;
    for (npy_intp l = 0; l < nl; l++) {
        k[l] = (seg_idx)((const npy_int64 *)PyArray_DATA(K))[l];
        k_total += k[l];
    }
    int nt = seg_resolve_threads(n_threads);
    npy_intp sdims[2] = {nl, n};
    S = (PyArrayObject *)PyArray_SimpleNew(2, sdims, NPY_FLOAT64);
    if (S != NULL)
        work = alloc_work(seg_silhouette_scores_work_size(n, d, nl, k_total, nt), "silhouette");
    if (work != NULL) {
        progress_ctx pctx = {po, (double)n * (double)(n - 1) / 2, 0, 0};
        seg_progress prog = {progress_call, &pctx};
        seg_interrupt intr = {progress_interrupt, &pctx};
        seg_detail why = {NULL, -1};
        seg_status st;
        Py_BEGIN_ALLOW_THREADS
        const int32_t *lab = (const int32_t *)PyArray_DATA(L);
        const seg_progress *pr = po == Py_None ? NULL : &prog;
        double *out = (double *)PyArray_DATA(S);
        st = single ? seg_silhouette_scores_f32((const float *)PyArray_DATA(X), n, d, lab, nl, k,
                                                metric, nt, &intr, pr, out, work, &why)
                    : seg_silhouette_scores((const double *)PyArray_DATA(X), n, d, lab, nl, k,
                                            metric, nt, &intr, pr, out, work, &why);
        Py_END_ALLOW_THREADS
        if (st != SEG_OK)
            raise_detail(st, "silhouette", &why);
        else {
            result = (PyObject *)S;
            S = NULL;
        }
    }
    if (k != ks) PyMem_RawFree(k);
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(L);
    Py_XDECREF(K);
    Py_XDECREF(S);
    return result;
}

/* Rows (offset by row0) of the m by n matrix D where bad(D row, n, row
 * index, tol) holds, the first 10 of them as "3, 17, ..." in buf. Returns
 * how many rows were found. */
static npy_intp list_rows(const double *D, npy_intp m, npy_intp n, npy_intp row0, double tol,
                          int (*bad)(const double *, npy_intp, npy_intp, double), char *buf,
                          size_t size) {
    npy_intp found = 0;
    size_t len = 0;
    buf[0] = '\0';
    for (npy_intp i = 0; i < m; i++) {
        if (!bad(D + i * n, n, row0 + i, tol)) continue;
        if (found < 10 && len < size)
            len += (size_t)PyOS_snprintf(buf + len, size - len, "%s%zd", found ? ", " : "",
                                         (Py_ssize_t)(row0 + i));
        else if (found == 10 && len < size)
            len += (size_t)PyOS_snprintf(buf + len, size - len, ", ...");
        found++;
    }
    return found;
}

static int row_nonfinite(const double *row, npy_intp n, npy_intp i, double tol) {
    (void)i;
    (void)tol;
    for (npy_intp j = 0; j < n; j++)
        if (!isfinite(row[j])) return 1;
    return 0;
}

static int row_negative(const double *row, npy_intp n, npy_intp i, double tol) {
    (void)i;
    (void)tol;
    for (npy_intp j = 0; j < n; j++)
        if (row[j] < 0.0) return 1;
    return 0;
}

static int row_bad_diagonal(const double *row, npy_intp n, npy_intp i, double tol) {
    (void)n;
    return isfinite(row[i]) && !(fabs(row[i]) <= tol); /* NaN, inf: the kernel's check */
}

static PyObject *py_silhouette_precomputed(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"D", "labels", "n_clusters", "row0", "n_threads", "diag_tol", NULL};
    PyObject *dobj, *lo, *result = NULL;
    Py_ssize_t k, row0 = 0;
    int n_threads = 0;
    double diag_tol = 100.0 * DBL_EPSILON;
    PyArrayObject *D = NULL, *L = NULL, *S = NULL;
    double *work = NULL;
    char rows[320]; /* 10 row numbers of up to 20 digits, separators, "..." */
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOn|nid", kwlist, &dobj, &lo, &k, &row0,
                                     &n_threads, &diag_tol))
        return NULL;
    if (!(diag_tol >= 0.0)) {
        PyErr_Format(PyExc_ValueError, "diag_tol must be >= 0 (inf: no check)");
        return NULL;
    }
    if ((D = as_array(dobj, NPY_FLOAT64, 2, "D")) == NULL) goto done;
    npy_intp m = PyArray_DIM(D, 0), n = PyArray_DIM(D, 1);
    if (m < 1 || n < 1) {
        PyErr_Format(PyExc_ValueError, "D must have at least one row and one column, got (%zd, %zd)",
                     (Py_ssize_t)m, (Py_ssize_t)n);
        goto done;
    }
    if (row0 < 0 || m > n || row0 > n - m) {
        PyErr_Format(PyExc_ValueError,
                     "D holds rows row0 .. row0 + %zd of a %zd by %zd distance matrix: row0 must be "
                     "in [0, %zd], got %zd",
                     (Py_ssize_t)m - 1, (Py_ssize_t)n, (Py_ssize_t)n, (Py_ssize_t)(n - m), row0);
        goto done;
    }
    if ((L = get_codes(lo, n, k, "labels")) == NULL) goto done;
    const double *dd = (const double *)PyArray_DATA(D);
    /* The diagonal (m reads): refused as scikit-learn refuses it. */
    if (list_rows(dd, m, n, row0, diag_tol, row_bad_diagonal, rows, sizeof rows) > 0) {
        PyErr_Format(PyExc_ValueError,
                     "The precomputed distance matrix contains non-zero elements on the diagonal "
                     "(rows [%s]). Use np.fill_diagonal(X, 0).",
                     rows);
        goto done;
    }
    int nt = seg_resolve_threads(n_threads);
    npy_intp sdims[1] = {m};
    S = (PyArrayObject *)PyArray_SimpleNew(1, sdims, NPY_FLOAT64);
    if (S == NULL) goto done;
    work = alloc_work(seg_silhouette_precomputed_work_size(n, k, nt), "silhouette");
    if (work == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_silhouette_precomputed(dd, m, n, row0, (const int32_t *)PyArray_DATA(L), k, nt,
                                    &INTERRUPT, (double *)PyArray_DATA(S), work, &why);
    Py_END_ALLOW_THREADS
    /* The kernel checked the values; name the rows at fault (error path only). */
    if (st == SEG_ENONFINITE && list_rows(dd, m, n, row0, 0.0, row_nonfinite, rows, sizeof rows) > 0) {
        PyErr_Format(PyExc_ValueError,
                     "the precomputed distance matrix has NaN or infinite values in rows [%s]",
                     rows);
        goto done;
    }
    if (st == SEG_EINVAL && list_rows(dd, m, n, row0, 0.0, row_negative, rows, sizeof rows) > 0) {
        PyErr_Format(PyExc_ValueError,
                     "the precomputed distance matrix has negative values in rows [%s]; distances "
                     "must be >= 0",
                     rows);
        goto done;
    }
    if (st != SEG_OK) {
        raise_detail(st, "silhouette", &why);
        goto done;
    }
    result = (PyObject *)S;
    S = NULL;
done:
    PyMem_RawFree(work);
    Py_XDECREF(D);
    Py_XDECREF(L);
    Py_XDECREF(S);
    return result;
}

static PyObject *py_cluster_validity(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "labels", "n_clusters", "n_threads", NULL};
    PyObject *xo, *lo, *result = NULL;
    Py_ssize_t k;
    int n_threads = 0;
    PyArrayObject *X = NULL, *L = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOn|i", kwlist, &xo, &lo, &k, &n_threads))
        return NULL;
    if ((X = get_X(xo)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if (k < 2 || k >= n) {
        PyErr_Format(PyExc_ValueError,
                     "n_clusters must be between 2 and n_samples - 1 = %zd, got %zd",
                     (Py_ssize_t)(n - 1), k);
        goto done;
    }
    if ((L = get_codes(lo, n, k, "labels")) == NULL) goto done;
    const int32_t *lab = (const int32_t *)PyArray_DATA(L);
    work = alloc_work(seg_validity_work_size(n, d, k), "cluster_validity");
    if (work == NULL) goto done;
    double ch = 0.0, db = 0.0;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_cluster_validity((const double *)PyArray_DATA(X), n, d, lab, k, n_threads,
                              &INTERRUPT, &ch, &db, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "cluster_validity", &why);
        goto done;
    }
    result = named(state_of(self)->validity, Py_BuildValue("(dd)", ch, db));
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(L);
    return result;
}

/* ---- end clustering kernels ---- */

/* ---- dask step kernels (seg_kmeans_step) ---- */

/* A 2-D float64 array with d columns (d < 0: any d >= 1), zero rows allowed;
 * values are checked by the kernels (they report non-finite outputs). */
static PyArrayObject *step_matrix(PyObject *obj, npy_intp d, const char *name) {
    PyArrayObject *a = as_array(obj, NPY_FLOAT64, 2, name);
    if (a == NULL) return NULL;
    if (PyArray_DIM(a, 1) < 1 || (d >= 0 && PyArray_DIM(a, 1) != d)) {
        if (d >= 0)
            PyErr_Format(PyExc_ValueError, "%s must have %zd columns, got shape (%zd, %zd)", name,
                         (Py_ssize_t)d, (Py_ssize_t)PyArray_DIM(a, 0),
                         (Py_ssize_t)PyArray_DIM(a, 1));
        else
            PyErr_Format(PyExc_ValueError, "%s must have at least one column, got shape (%zd, 0)",
                         name, (Py_ssize_t)PyArray_DIM(a, 0));
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

static PyObject *py_kmeans_step(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "centers", "sample_weight", "offset", "n_far", "return_labels",
                             NULL};
    PyObject *xo, *co, *wo = Py_None, *result = NULL;
    Py_ssize_t offset = 0, n_far = 0;
    int want_labels = 0;
    PyArrayObject *X = NULL, *W = NULL, *C = NULL, *S = NULL, *Wt = NULL, *L = NULL;
    PyArrayObject *Fi = NULL, *Fd = NULL, *Fl = NULL, *Fw = NULL, *Fr = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|Onnp", kwlist, &xo, &co, &wo, &offset,
                                     &n_far, &want_labels))
        return NULL;
    if ((X = step_matrix(xo, -1, "X")) == NULL) goto done;
    npy_intp m = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if ((C = get_centers(co, d)) == NULL) goto done;
    npy_intp k = PyArray_DIM(C, 0);
    if (k > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "at most %d centres, got %zd", INT32_MAX, (Py_ssize_t)k);
        goto done;
    }
    if (offset < 0 || n_far < 0) {
        PyErr_Format(PyExc_ValueError, "offset and n_far must be >= 0, got %zd and %zd", offset,
                     n_far);
        goto done;
    }
    if (get_weights(wo, m, 0, &W) < 0) goto done;
    npy_intp nf = n_far < m ? n_far : m; /* the kernel writes min(capacity, m) */
    npy_intp kd[2] = {k, d}, kk[1] = {k}, fd1[1] = {nf}, fd2[2] = {nf, d}, md[1] = {m};
    S = (PyArrayObject *)PyArray_SimpleNew(2, kd, NPY_FLOAT64);
    Wt = (PyArrayObject *)PyArray_SimpleNew(1, kk, NPY_FLOAT64);
    Fi = (PyArrayObject *)PyArray_SimpleNew(1, fd1, NPY_INTP);
    Fd = (PyArrayObject *)PyArray_SimpleNew(1, fd1, NPY_FLOAT64);
    Fl = (PyArrayObject *)PyArray_SimpleNew(1, fd1, NPY_INT32);
    Fw = (PyArrayObject *)PyArray_SimpleNew(1, fd1, NPY_FLOAT64);
    Fr = (PyArrayObject *)PyArray_SimpleNew(2, fd2, NPY_FLOAT64);
    if (want_labels) L = (PyArrayObject *)PyArray_SimpleNew(1, md, NPY_INT32);
    if (!S || !Wt || !Fi || !Fd || !Fl || !Fw || !Fr || (want_labels && !L)) goto done;
    seg_kmeans_far far = {(seg_idx *)PyArray_DATA(Fi), (double *)PyArray_DATA(Fd),
                          (int32_t *)PyArray_DATA(Fl), (double *)PyArray_DATA(Fw),
                          (double *)PyArray_DATA(Fr), nf, 0};
    double sse = 0.0;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_kmeans_step((const double *)PyArray_DATA(X), m, d,
                         W ? (const double *)PyArray_DATA(W) : NULL,
                         (const double *)PyArray_DATA(C), k, offset, &INTERRUPT,
                         L ? (int32_t *)PyArray_DATA(L) : NULL, (double *)PyArray_DATA(S),
                         (double *)PyArray_DATA(Wt), &sse, &far, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_step", &why);
        goto done;
    }
    result = named(state_of(self)->step_partials,
                   Py_BuildValue("(OOdOOOOOO)", S, Wt, sse, Fi, Fd, Fl, Fw, Fr,
                                 L ? (PyObject *)L : Py_None));
done:
    Py_XDECREF(X);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(S);
    Py_XDECREF(Wt);
    Py_XDECREF(L);
    Py_XDECREF(Fi);
    Py_XDECREF(Fd);
    Py_XDECREF(Fl);
    Py_XDECREF(Fw);
    Py_XDECREF(Fr);
    return result;
}

static PyObject *py_kmeans_step_merge(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"sums",     "weights",    "centers",  "far_dist",
                             "far_label", "far_weight", "far_rows", NULL};
    PyObject *so, *wo, *co, *fdo = Py_None, *flo = Py_None, *fwo = Py_None, *fro = Py_None;
    PyObject *result = NULL;
    PyArrayObject *S = NULL, *W = NULL, *C0 = NULL, *C = NULL;
    PyArrayObject *Fd = NULL, *Fl = NULL, *Fw = NULL, *Fr = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|OOOO", kwlist, &so, &wo, &co, &fdo, &flo,
                                     &fwo, &fro))
        return NULL;
    if ((S = as_array(so, NPY_FLOAT64, 3, "sums")) == NULL) goto done;
    npy_intp nc = PyArray_DIM(S, 0), k = PyArray_DIM(S, 1), d = PyArray_DIM(S, 2);
    if (nc < 1 || k < 1 || d < 1) {
        PyErr_SetString(PyExc_ValueError,
                        "sums must have shape (n_chunks >= 1, n_clusters >= 1, n_features >= 1)");
        goto done;
    }
    if ((W = as_array(wo, NPY_FLOAT64, 2, "weights")) == NULL) goto done;
    if (PyArray_DIM(W, 0) != nc || PyArray_DIM(W, 1) != k) {
        PyErr_Format(PyExc_ValueError, "weights must have shape (%zd, %zd) like sums, got (%zd, %zd)",
                     (Py_ssize_t)nc, (Py_ssize_t)k, (Py_ssize_t)PyArray_DIM(W, 0),
                     (Py_ssize_t)PyArray_DIM(W, 1));
        goto done;
    }
    if ((C0 = get_centers(co, d)) == NULL) goto done;
    if (PyArray_DIM(C0, 0) != k) {
        PyErr_Format(PyExc_ValueError, "centers has %zd rows but sums has %zd clusters",
                     (Py_ssize_t)PyArray_DIM(C0, 0), (Py_ssize_t)k);
        goto done;
    }
    C = (PyArrayObject *)PyArray_NewCopy(C0, NPY_CORDER); /* the kernel overwrites it */
    if (C == NULL) goto done;
    int n_given = (fdo != Py_None) + (flo != Py_None) + (fwo != Py_None) + (fro != Py_None);
    if (n_given != 0 && n_given != 4) {
        PyErr_SetString(PyExc_TypeError,
                        "far_dist, far_label, far_weight and far_rows go together: all or none");
        goto done;
    }
    npy_intp ne = 0;
    if (n_given == 4) {
        if ((Fd = as_array(fdo, NPY_FLOAT64, 1, "far_dist")) == NULL) goto done;
        if ((Fl = get_ints(flo, -1, NPY_INT32, 0, (npy_int64)k - 1, "far_label")) == NULL)
            goto done;
        if ((Fw = as_array(fwo, NPY_FLOAT64, 1, "far_weight")) == NULL) goto done;
        if ((Fr = as_array(fro, NPY_FLOAT64, 2, "far_rows")) == NULL) goto done;
        ne = PyArray_DIM(Fd, 0);
        if (PyArray_DIM(Fl, 0) != ne || PyArray_DIM(Fw, 0) != ne || PyArray_DIM(Fr, 0) != ne ||
            PyArray_DIM(Fr, 1) != d) {
            PyErr_Format(PyExc_ValueError,
                         "far_dist, far_label, far_weight must have length %zd and far_rows "
                         "shape (%zd, %zd)", (Py_ssize_t)ne, (Py_ssize_t)ne, (Py_ssize_t)d);
            goto done;
        }
    }
    work = alloc_work(seg_kmeans_step_merge_work_size(k, d, ne), "kmeans_step_merge");
    if (work == NULL) goto done;
    seg_kmeans_far far = {NULL, Fd ? (double *)PyArray_DATA(Fd) : NULL,
                          Fl ? (int32_t *)PyArray_DATA(Fl) : NULL,
                          Fw ? (double *)PyArray_DATA(Fw) : NULL,
                          Fr ? (double *)PyArray_DATA(Fr) : NULL, ne, ne};
    double shift = 0.0;
    seg_idx moved = 0;
    seg_detail why = {NULL, -1};
    seg_status st = seg_kmeans_step_merge(nc, k, d, (const double *)PyArray_DATA(S),
                                          (const double *)PyArray_DATA(W), ne ? &far : NULL,
                                          (double *)PyArray_DATA(C), &shift, &moved, work, &why);
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_step_merge", &why);
        goto done;
    }
    result = named(state_of(self)->step_merge,
                   Py_BuildValue("(Odn)", C, shift, (Py_ssize_t)moved));
done:
    PyMem_RawFree(work);
    Py_XDECREF(S);
    Py_XDECREF(W);
    Py_XDECREF(C0);
    Py_XDECREF(C);
    Py_XDECREF(Fd);
    Py_XDECREF(Fl);
    Py_XDECREF(Fw);
    Py_XDECREF(Fr);
    return result;
}

static PyObject *py_kmeans_step_nearest(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X",       "candidates", "first",         "n_candidates",
                             "closest", "nearest",    "sample_weight", NULL};
    PyObject *xo, *qo, *clo = Py_None, *neo = Py_None, *wo = Py_None, *result = NULL;
    Py_ssize_t first, n_cand;
    PyArrayObject *X = NULL, *Q = NULL, *W = NULL, *Cl = NULL, *Ne = NULL, *Cw = NULL;
    PyArrayObject *in = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOnn|OOO", kwlist, &xo, &qo, &first, &n_cand,
                                     &clo, &neo, &wo))
        return NULL;
    if ((X = step_matrix(xo, -1, "X")) == NULL) goto done;
    npy_intp m = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if ((Q = step_matrix(qo, d, "candidates")) == NULL) goto done;
    npy_intp q = PyArray_DIM(Q, 0);
    int reset = clo == Py_None;
    if ((clo == Py_None) != (neo == Py_None)) {
        PyErr_SetString(PyExc_TypeError, "closest and nearest go together: both or neither");
        goto done;
    }
    if (first < 0 || n_cand < 1 || n_cand > INT32_MAX || first > n_cand - q ||
        (reset && (first != 0 || q < 1))) {
        PyErr_Format(PyExc_ValueError,
                     "need 0 <= first <= n_candidates - len(candidates) (first = 0 and at least "
                     "one candidate without closest/nearest); got first=%zd, %zd candidates, "
                     "n_candidates=%zd", first, (Py_ssize_t)q, n_cand);
        goto done;
    }
    if (get_weights(wo, m, 0, &W) < 0) goto done;
    npy_intp md[1] = {m}, cd[1] = {n_cand};
    if (reset) {
        Cl = (PyArrayObject *)PyArray_SimpleNew(1, md, NPY_FLOAT64);
        Ne = (PyArrayObject *)PyArray_SimpleNew(1, md, NPY_INT32);
    } else {
        /* Fresh copies: the caller's arrays (persisted Dask chunks) stay as they are. */
        if ((in = as_array(clo, NPY_FLOAT64, 1, "closest")) == NULL) goto done;
        Cl = (PyArrayObject *)PyArray_NewCopy(in, NPY_CORDER);
        Py_CLEAR(in);
        if (Cl == NULL) goto done;
        if (first < 1) {
            PyErr_SetString(PyExc_ValueError, "closest/nearest given: first must be >= 1");
            goto done;
        }
        if ((in = get_ints(neo, m, NPY_INT32, 0, (npy_int64)first - 1, "nearest")) == NULL)
            goto done;
        Ne = (PyArrayObject *)PyArray_NewCopy(in, NPY_CORDER);
        Py_CLEAR(in);
        if (Ne == NULL) goto done;
        if (PyArray_DIM(Cl, 0) != m || PyArray_DIM(Ne, 0) != m) {
            PyErr_Format(PyExc_ValueError, "closest and nearest must have the %zd rows of X",
                         (Py_ssize_t)m);
            goto done;
        }
    }
    Cw = (PyArrayObject *)PyArray_SimpleNew(1, cd, NPY_FLOAT64);
    if (Cl == NULL || Ne == NULL || Cw == NULL) goto done;
    double cost = 0.0;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_kmeans_step_nearest((const double *)PyArray_DATA(X), m, d,
                                 W ? (const double *)PyArray_DATA(W) : NULL,
                                 (const double *)PyArray_DATA(Q), q, first, reset, &INTERRUPT,
                                 (double *)PyArray_DATA(Cl), (int32_t *)PyArray_DATA(Ne), &cost,
                                 (double *)PyArray_DATA(Cw), n_cand, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_step_nearest", &why);
        goto done;
    }
    result = named(state_of(self)->step_nearest, Py_BuildValue("(OOdO)", Cl, Ne, cost, Cw));
done:
    Py_XDECREF(X);
    Py_XDECREF(Q);
    Py_XDECREF(W);
    Py_XDECREF(Cl);
    Py_XDECREF(Ne);
    Py_XDECREF(Cw);
    Py_XDECREF(in);
    return result;
}

static PyObject *py_kmeans_step_sample(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"closest", "ell", "phi", "seed", "sample_weight", NULL};
    PyObject *clo, *wo = Py_None, *result = NULL;
    double ell, phi;
    unsigned long long seed;
    PyArrayObject *Cl = NULL, *W = NULL, *P = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OddK|O", kwlist, &clo, &ell, &phi, &seed, &wo))
        return NULL;
    if ((Cl = as_array(clo, NPY_FLOAT64, 1, "closest")) == NULL) goto done;
    npy_intp m = PyArray_DIM(Cl, 0);
    if (!(isfinite(ell) && ell > 0.0 && isfinite(phi) && phi > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "ell and phi must be finite and > 0");
        goto done;
    }
    if (get_weights(wo, m, 0, &W) < 0) goto done;
    npy_intp md[1] = {m};
    P = (PyArrayObject *)PyArray_SimpleNew(1, md, NPY_INTP);
    if (P == NULL) goto done;
    seg_idx count = 0;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_kmeans_step_sample((const double *)PyArray_DATA(Cl),
                                W ? (const double *)PyArray_DATA(W) : NULL, m, ell, phi,
                                (uint64_t)seed, (seg_idx *)PyArray_DATA(P), &count, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_step_sample", &why);
        goto done;
    }
    npy_intp pd[1] = {count}; /* keep the picked prefix */
    PyArrayObject *Out = (PyArrayObject *)PyArray_SimpleNew(1, pd, NPY_INTP);
    if (Out == NULL) goto done;
    if (count > 0)
        memcpy(PyArray_DATA(Out), PyArray_DATA(P), (size_t)count * sizeof(npy_intp));
    result = (PyObject *)Out;
done:
    Py_XDECREF(Cl);
    Py_XDECREF(W);
    Py_XDECREF(P);
    return result;
}

/* int32 labels of length m, codes in [0, k); raises naming the row. */
static PyArrayObject *step_labels(PyObject *obj, npy_intp m, npy_intp k, const char *name) {
    return get_ints(obj, m, NPY_INT32, 0, (npy_int64)k - 1, name);
}

static PyObject *py_kmeans_step_silhouette(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"A", "labels_a", "B", "labels_b", "n_clusters", "both", NULL};
    PyObject *ao, *lao, *bo, *lbo, *result = NULL;
    Py_ssize_t k;
    int both = 0;
    PyArrayObject *A = NULL, *La = NULL, *B = NULL, *Lb = NULL, *Sa = NULL, *Sb = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOn|p", kwlist, &ao, &lao, &bo, &lbo, &k,
                                     &both))
        return NULL;
    if (k < 1) {
        PyErr_Format(PyExc_ValueError, "n_clusters must be >= 1, got %zd", k);
        goto done;
    }
    if ((A = step_matrix(ao, -1, "A")) == NULL) goto done;
    npy_intp ma = PyArray_DIM(A, 0), d = PyArray_DIM(A, 1);
    if ((B = step_matrix(bo, d, "B")) == NULL) goto done;
    npy_intp mb = PyArray_DIM(B, 0);
    if ((La = step_labels(lao, ma, k, "labels_a")) == NULL) goto done;
    if ((Lb = step_labels(lbo, mb, k, "labels_b")) == NULL) goto done;
    if (alloc_check((size_t)(ma + mb), (size_t)k * sizeof(double), "kmeans_step_silhouette") < 0)
        goto done;
    npy_intp ad[2] = {ma, k}, bd[2] = {mb, k};
    Sa = (PyArrayObject *)PyArray_SimpleNew(2, ad, NPY_FLOAT64);
    if (both) Sb = (PyArrayObject *)PyArray_SimpleNew(2, bd, NPY_FLOAT64);
    if (Sa == NULL || (both && Sb == NULL)) goto done;
    work = alloc_work(seg_silhouette_chunk_sums_work_size(d), "kmeans_step_silhouette");
    if (work == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_silhouette_chunk_sums((const double *)PyArray_DATA(A),
                                   (const int32_t *)PyArray_DATA(La), ma,
                                   (const double *)PyArray_DATA(B),
                                   (const int32_t *)PyArray_DATA(Lb), mb, d, k, &INTERRUPT,
                                   (double *)PyArray_DATA(Sa),
                                   Sb ? (double *)PyArray_DATA(Sb) : NULL, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_step_silhouette", &why);
        goto done;
    }
    result = named(state_of(self)->chunk_sums,
                   Py_BuildValue("(OO)", Sa, Sb ? (PyObject *)Sb : Py_None));
done:
    PyMem_RawFree(work);
    Py_XDECREF(A);
    Py_XDECREF(La);
    Py_XDECREF(B);
    Py_XDECREF(Lb);
    Py_XDECREF(Sa);
    Py_XDECREF(Sb);
    return result;
}

static PyObject *py_kmeans_step_silhouette_scores(PyObject *self, PyObject *args,
                                                  PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"sums", "labels", "counts", NULL};
    PyObject *so, *lo, *co, *result = NULL;
    PyArrayObject *S = NULL, *L = NULL, *C = NULL, *Out = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO", kwlist, &so, &lo, &co)) return NULL;
    if ((S = as_array(so, NPY_FLOAT64, 2, "sums")) == NULL) goto done;
    npy_intp m = PyArray_DIM(S, 0), k = PyArray_DIM(S, 1);
    if (k < 1) {
        PyErr_SetString(PyExc_ValueError, "sums must have at least one column (cluster)");
        goto done;
    }
    if ((L = step_labels(lo, m, k, "labels")) == NULL) goto done;
    if ((C = get_ints(co, -1, NPY_INT64, 0, NPY_MAX_INT64, "counts")) == NULL) goto done;
    if (PyArray_DIM(C, 0) != k) {
        PyErr_Format(PyExc_ValueError, "counts has length %zd but sums has %zd clusters",
                     (Py_ssize_t)PyArray_DIM(C, 0), (Py_ssize_t)k);
        goto done;
    }
    npy_intp md[1] = {m};
    Out = (PyArrayObject *)PyArray_SimpleNew(1, md, NPY_FLOAT64);
    if (Out == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st = seg_silhouette_from_sums(
        (const double *)PyArray_DATA(S), (const int32_t *)PyArray_DATA(L), m, k,
        (const int64_t *)PyArray_DATA(C), (double *)PyArray_DATA(Out), &why);
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_step_silhouette_scores", &why);
        goto done;
    }
    result = (PyObject *)Out;
    Out = NULL;
done:
    Py_XDECREF(S);
    Py_XDECREF(L);
    Py_XDECREF(C);
    Py_XDECREF(Out);
    return result;
}

/* ---- end dask step kernels ---- */

/* ---- decision kernels (seg_mcdm) ---- */

/* repr() of a double into buf, for error messages (no Python objects). */
static const char *mcdm_repr(double v, char *buf, size_t size) {
    char *s = PyOS_double_to_string(v, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (s == NULL) {
        PyErr_Clear();
        PyOS_snprintf(buf, size, "%g", v);
    } else {
        PyOS_snprintf(buf, size, "%s", s);
        PyMem_Free(s);
    }
    return buf;
}

/* The decision matrix x as an (m >= 2, n >= 1) float64 C array with finite
 * values (and >= 0 when nonneg). Messages name the cell. */
static PyArrayObject *mcdm_matrix(PyObject *obj, int nonneg) {
    PyArrayObject *X = as_array(obj, NPY_FLOAT64, 2, "x");
    if (X == NULL) return NULL;
    npy_intp m = PyArray_DIM(X, 0), n = PyArray_DIM(X, 1);
    if (m < 2 || n < 1) {
        PyErr_Format(PyExc_ValueError,
                     "x must have at least 2 rows (alternatives) and 1 column (criterion), "
                     "got shape (%zd, %zd)",
                     (Py_ssize_t)m, (Py_ssize_t)n);
        Py_DECREF(X);
        return NULL;
    }
    const double *p = (const double *)PyArray_DATA(X);
    for (npy_intp k = 0; k < m * n; k++) {
        if (!isfinite(p[k]) || (nonneg && p[k] < 0.0)) {
            char buf[40];
            PyErr_Format(PyExc_ValueError, "x[%zd, %zd] is %s; x must be finite%s",
                         (Py_ssize_t)(k / n), (Py_ssize_t)(k % n), mcdm_repr(p[k], buf, sizeof buf),
                         nonneg ? " and >= 0" : "");
            Py_DECREF(X);
            return NULL;
        }
    }
    return X;
}

/* Criterion directions: None (all benefit) or n values each exactly +1 or -1,
 * returned as an int32 array. */
static PyArrayObject *mcdm_types(PyObject *obj, npy_intp n) {
    npy_intp dims[1] = {n};
    PyArrayObject *T = (PyArrayObject *)PyArray_SimpleNew(1, dims, NPY_INT32);
    if (T == NULL) return NULL;
    int32_t *t = (int32_t *)PyArray_DATA(T);
    if (obj == NULL || obj == Py_None) {
        for (npy_intp j = 0; j < n; j++) t[j] = SEG_BENEFIT;
        return T;
    }
    PyArrayObject *F = as_array(obj, NPY_FLOAT64, 1, "types");
    if (F == NULL) {
        Py_DECREF(T);
        return NULL;
    }
    if (PyArray_DIM(F, 0) != n) {
        PyErr_Format(PyExc_ValueError, "types has length %zd but x has %zd criteria",
                     (Py_ssize_t)PyArray_DIM(F, 0), (Py_ssize_t)n);
        goto fail;
    }
    const double *f = (const double *)PyArray_DATA(F);
    for (npy_intp j = 0; j < n; j++) {
        if (f[j] != 1.0 && f[j] != -1.0) {
            PyErr_Format(PyExc_ValueError, "types[%zd] must be 1 (benefit) or -1 (cost)",
                         (Py_ssize_t)j);
            goto fail;
        }
        t[j] = f[j] > 0.0 ? SEG_BENEFIT : SEG_COST;
    }
    Py_DECREF(F);
    return T;
fail:
    Py_DECREF(F);
    Py_DECREF(T);
    return NULL;
}

/* Optional ideal / anti-ideal: None or n finite values that are at least as
 * good (ideal) or as bad (anti-ideal) as every alternative. */
static int mcdm_reference(PyObject *obj, PyArrayObject *X, const int32_t *types, int is_ideal,
                          PyArrayObject **out) {
    const char *name = is_ideal ? "ideal" : "anti_ideal";
    *out = NULL;
    if (obj == NULL || obj == Py_None) return 0;
    PyArrayObject *Ref = as_array(obj, NPY_FLOAT64, 1, name);
    if (Ref == NULL) return -1;
    npy_intp m = PyArray_DIM(X, 0), n = PyArray_DIM(X, 1);
    if (PyArray_DIM(Ref, 0) != n) {
        PyErr_Format(PyExc_ValueError, "%s has length %zd but x has %zd criteria", name,
                     (Py_ssize_t)PyArray_DIM(Ref, 0), (Py_ssize_t)n);
        goto fail;
    }
    if (require_finite(Ref, name) < 0) goto fail;
    const double *a = (const double *)PyArray_DATA(Ref), *x = (const double *)PyArray_DATA(X);
    for (npy_intp i = 0; i < m; i++) {
        for (npy_intp j = 0; j < n; j++) {
            /* "better" is larger for benefit, smaller for cost criteria. */
            double diff = (x[i * n + j] - a[j]) * (double)types[j];
            if (is_ideal ? diff > 0.0 : diff < 0.0) {
                char buf[40];
                PyErr_Format(PyExc_ValueError,
                             "%s[%zd] is %s but x[%zd, %zd] is %s than it; the %s must be at "
                             "least as %s as every alternative",
                             name, (Py_ssize_t)j, mcdm_repr(a[j], buf, sizeof buf), (Py_ssize_t)i,
                             (Py_ssize_t)j, is_ideal ? "better" : "worse", name,
                             is_ideal ? "good" : "bad");
                goto fail;
            }
        }
    }
    *out = Ref;
    return 0;
fail:
    Py_DECREF(Ref);
    return -1;
}

/* Rows of non-negative finite weights with positive sums, (rows, n). */
static PyArrayObject *mcdm_weight_rows(PyObject *obj, npy_intp n, int ndim, const char *name) {
    PyArrayObject *W = as_array(obj, NPY_FLOAT64, ndim, name);
    if (W == NULL) return NULL;
    npy_intp rows = ndim == 2 ? PyArray_DIM(W, 0) : 1, cols = PyArray_DIM(W, ndim - 1);
    if (cols != n || rows < 1) {
        PyErr_Format(PyExc_ValueError,
                     "%s must have %zd columns (one per criterion of x) and at least one row; "
                     "got %zd rows of %zd",
                     name, (Py_ssize_t)n, (Py_ssize_t)rows, (Py_ssize_t)cols);
        goto fail;
    }
    const double *w = (const double *)PyArray_DATA(W);
    for (npy_intp b = 0; b < rows; b++) {
        double sum = 0.0;
        for (npy_intp j = 0; j < n; j++) {
            double v = w[b * n + j];
            if (!isfinite(v) || v < 0.0) {
                char buf[40];
                PyErr_Format(PyExc_ValueError,
                             "%s must be finite and >= 0; row %zd, column %zd is %s", name,
                             (Py_ssize_t)b, (Py_ssize_t)j, mcdm_repr(v, buf, sizeof buf));
                goto fail;
            }
            sum += v;
        }
        if (!(sum > 0.0) || !isfinite(sum)) {
            PyErr_Format(PyExc_ValueError, "%s row %zd must have a positive, finite sum", name,
                         (Py_ssize_t)b);
            goto fail;
        }
    }
    return W;
fail:
    Py_DECREF(W);
    return NULL;
}

/* v: a non-empty 1-D array of values in [0, 1]. */
static PyArrayObject *mcdm_v(PyObject *obj) {
    PyArrayObject *V = as_array(obj, NPY_FLOAT64, 1, "v");
    if (V == NULL) return NULL;
    if (PyArray_DIM(V, 0) < 1) {
        PyErr_SetString(PyExc_ValueError, "v must hold at least one value");
        Py_DECREF(V);
        return NULL;
    }
    const double *v = (const double *)PyArray_DATA(V);
    for (npy_intp k = 0; k < PyArray_DIM(V, 0); k++) {
        if (!(v[k] >= 0.0 && v[k] <= 1.0)) {
            char buf[40];
            PyErr_Format(PyExc_ValueError, "v must lie in [0, 1]; v[%zd] is %s", (Py_ssize_t)k,
                         mcdm_repr(v[k], buf, sizeof buf));
            Py_DECREF(V);
            return NULL;
        }
    }
    return V;
}

static PyObject *mcdm_new(int nd, npy_intp d0, npy_intp d1, npy_intp d2, int type) {
    npy_intp dims[3] = {d0, d1, d2};
    return PyArray_SimpleNew(nd, dims, type);
}

/* BUG-10: a VIKOR call holds its outputs (B weight vectors x V values of v
 * x m alternatives), its scratch and the float64 copies of its array
 * arguments at once. Their total is checked against physical memory with
 * alloc_check_advice before any of them is made: first from the arguments'
 * shapes before they are converted (a broadcast view of 10**12 weight
 * vectors costs nothing to pass, but its conversion would copy it), then
 * again with the converted shapes (lists, and arrays of other shapes). */

/* total + a * b * c elements of elem bytes; SIZE_MAX once anything overflows
 * or a factor is negative (a size function's overflow). */
static size_t mcdm_add(size_t total, npy_intp a, npy_intp b, npy_intp c, size_t elem) {
    if (total == SIZE_MAX || a < 0 || b < 0 || c < 0) return SIZE_MAX;
    const npy_intp f[3] = {a, b, c};
    size_t bytes = elem;
    for (int i = 0; i < 3; i++) {
        if (f[i] != 0 && bytes > SIZE_MAX / (size_t)f[i]) return SIZE_MAX;
        bytes *= (size_t)f[i];
    }
    return bytes >= SIZE_MAX - total ? SIZE_MAX : total + bytes;
}

/* Bytes of the float64 C-contiguous copy that as_array will make of obj: 0
 * when obj already is such an array or is not an array (then it exists as
 * Python objects, larger than its copy, and the second check sees it). */
static size_t mcdm_copy_bytes(size_t total, PyObject *obj) {
    if (obj == NULL || !PyArray_Check(obj)) return total;
    PyArrayObject *a = (PyArrayObject *)obj;
    if (PyArray_TYPE(a) == NPY_FLOAT64 && PyArray_ISCARRAY_RO(a) && PyArray_ISNOTSWAPPED(a))
        return total;
    return mcdm_add(total, PyArray_SIZE(a), 1, 1, sizeof(double));
}

/* The length of obj's first axis when it is an array with ndim dimensions,
 * else 1 (the check after the conversion sees the real size). */
static npy_intp mcdm_leading(PyObject *obj, int ndim) {
    if (obj != NULL && PyArray_Check(obj) && PyArray_NDIM((PyArrayObject *)obj) == ndim)
        return PyArray_DIM((PyArrayObject *)obj, 0);
    return 1;
}

static int mcdm_memory_check(size_t total, const char *what, const char *advice) {
    if (total == SIZE_MAX) {
        PyErr_Format(PyExc_MemoryError, "%s: the memory this needs overflows; %s", what, advice);
        return -1;
    }
    return alloc_check_advice(total, 1, what, advice);
}

/* seg_vikor's outputs (as py_vikor allocates them) and scratch, plus copies. */
static int vikor_memory_check(npy_intp m, npy_intp n, npy_intp B, npy_intp nv, int nt,
                              size_t copies) {
    size_t total = copies;
    total = mcdm_add(total, B, m, 2, sizeof(double));                       /* S, R */
    total = mcdm_add(total, B, nv, m, sizeof(double) + sizeof(npy_intp) + 1); /* Q, ranking,
                                                                                 compromise */
    total = mcdm_add(total, B, nv, 2, 1);                                 /* advantage, stability */
    total = mcdm_add(total, n, 3, 1, sizeof(double));                     /* f*, f-, constant */
    total = mcdm_add(total, seg_vikor_work_size(m, n, nt), 1, 1, sizeof(double));
    if (total < SMALL_REQUEST) return 0; /* the message is only built when it may be needed */
    char what[200];
    PyOS_snprintf(what, sizeof what,
                  "vikor for %zd weight vectors x %zd values of v x %zd alternatives",
                  (Py_ssize_t)B, (Py_ssize_t)nv, (Py_ssize_t)m);
    return mcdm_memory_check(total, what, "pass fewer weight vectors or values of v per call");
}

/* seg_vikor_weight_sensitivity's outputs and scratch, plus copies. */
static int sensitivity_memory_check(npy_intp m, npy_intp n, npy_intp nv, npy_intp n_samples,
                                    int return_weights, int nt, size_t copies) {
    size_t total = copies;
    total = mcdm_add(total, nv, m, m, sizeof(int64_t)); /* rank counts */
    total = mcdm_add(total, nv, m, 1, sizeof(int64_t)); /* compromise counts */
    total = mcdm_add(total, seg_vikor_sensitivity_work_size(m, n, nv, nt), 1, 1, sizeof(double));
    if (return_weights) total = mcdm_add(total, n_samples, n, 1, sizeof(double)); /* the draws */
    if (total < SMALL_REQUEST) return 0;
    char what[200];
    if (!return_weights) {
        PyOS_snprintf(what, sizeof what,
                      "vikor_weight_sensitivity for %zd alternatives x %zd values of v",
                      (Py_ssize_t)m, (Py_ssize_t)nv);
        return mcdm_memory_check(total, what, "pass fewer alternatives or values of v per call");
    }
    PyOS_snprintf(what, sizeof what,
                  "vikor_weight_sensitivity for %zd alternatives x %zd values of v, returning "
                  "%zd weight vectors",
                  (Py_ssize_t)m, (Py_ssize_t)nv, (Py_ssize_t)n_samples);
    return mcdm_memory_check(total, what,
                             "pass fewer alternatives, values of v or samples (with "
                             "return_weights=False no draws are kept)");
}

static PyObject *py_entropy_weights(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"x", NULL};
    PyObject *xo, *result = NULL;
    PyArrayObject *X = NULL, *W = NULL, *E = NULL, *D = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O", kwlist, &xo)) return NULL;
    if ((X = mcdm_matrix(xo, 1)) == NULL) goto done;
    npy_intp m = PyArray_DIM(X, 0), n = PyArray_DIM(X, 1);
    W = (PyArrayObject *)mcdm_new(1, n, 0, 0, NPY_FLOAT64);
    E = (PyArrayObject *)mcdm_new(1, n, 0, 0, NPY_FLOAT64);
    D = (PyArrayObject *)mcdm_new(1, n, 0, 0, NPY_FLOAT64);
    if (W == NULL || E == NULL || D == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_entropy_weights((const double *)PyArray_DATA(X), m, n, (double *)PyArray_DATA(W),
                             (double *)PyArray_DATA(E), (double *)PyArray_DATA(D), &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "entropy_weights", &why);
        goto done;
    }
    result = named(state_of(self)->entropy, Py_BuildValue("(OOO)", W, E, D));
done:
    Py_XDECREF(X);
    Py_XDECREF(W);
    Py_XDECREF(E);
    Py_XDECREF(D);
    return result;
}

static PyObject *py_vikor(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"x",     "weights",    "v",         "types",
                             "ideal", "anti_ideal", "n_threads", NULL};
    PyObject *xo, *wo, *vo, *to = Py_None, *io = Py_None, *ao = Py_None, *result = NULL;
    int n_threads = 0;
    PyArrayObject *X = NULL, *W = NULL, *V = NULL, *T = NULL, *Ideal = NULL, *Anti = NULL;
    PyArrayObject *S = NULL, *R = NULL, *Q = NULL, *Rank = NULL, *Comp = NULL, *Adv = NULL,
                  *Stab = NULL, *Fs = NULL, *Fm = NULL, *Const = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|OOOi", kwlist, &xo, &wo, &vo, &to, &io, &ao,
                                     &n_threads))
        return NULL;
    if ((X = mcdm_matrix(xo, 0)) == NULL) goto done;
    npy_intp m = PyArray_DIM(X, 0), n = PyArray_DIM(X, 1);
    int nt = seg_resolve_threads(n_threads);
    if (vikor_memory_check(m, n, mcdm_leading(wo, 2), mcdm_leading(vo, 1), nt,
                           mcdm_copy_bytes(mcdm_copy_bytes(0, wo), vo)) < 0)
        goto done;
    if ((W = mcdm_weight_rows(wo, n, 2, "weights")) == NULL) goto done;
    if ((V = mcdm_v(vo)) == NULL) goto done;
    if ((T = mcdm_types(to, n)) == NULL) goto done;
    const int32_t *types = (const int32_t *)PyArray_DATA(T);
    if (mcdm_reference(io, X, types, 1, &Ideal) < 0) goto done;
    if (mcdm_reference(ao, X, types, 0, &Anti) < 0) goto done;
    npy_intp B = PyArray_DIM(W, 0), nv = PyArray_DIM(V, 0);
    if (vikor_memory_check(m, n, B, nv, nt, 0) < 0) goto done;
    if ((S = (PyArrayObject *)mcdm_new(2, B, m, 0, NPY_FLOAT64)) == NULL) goto done;
    if ((R = (PyArrayObject *)mcdm_new(2, B, m, 0, NPY_FLOAT64)) == NULL) goto done;
    if ((Q = (PyArrayObject *)mcdm_new(3, B, nv, m, NPY_FLOAT64)) == NULL) goto done;
    if ((Rank = (PyArrayObject *)mcdm_new(3, B, nv, m, NPY_INTP)) == NULL) goto done;
    if ((Comp = (PyArrayObject *)mcdm_new(3, B, nv, m, NPY_BOOL)) == NULL) goto done;
    if ((Adv = (PyArrayObject *)mcdm_new(2, B, nv, 0, NPY_BOOL)) == NULL) goto done;
    if ((Stab = (PyArrayObject *)mcdm_new(2, B, nv, 0, NPY_BOOL)) == NULL) goto done;
    if ((Fs = (PyArrayObject *)mcdm_new(1, n, 0, 0, NPY_FLOAT64)) == NULL) goto done;
    if ((Fm = (PyArrayObject *)mcdm_new(1, n, 0, 0, NPY_FLOAT64)) == NULL) goto done;
    if ((Const = (PyArrayObject *)mcdm_new(1, n, 0, 0, NPY_BOOL)) == NULL) goto done;
    if ((work = alloc_work(seg_vikor_work_size(m, n, nt), "vikor")) == NULL) goto done;
    seg_vikor_out out = {
        (double *)PyArray_DATA(Fs),          (double *)PyArray_DATA(Fm),
        (unsigned char *)PyArray_DATA(Const), (double *)PyArray_DATA(S),
        (double *)PyArray_DATA(R),           (double *)PyArray_DATA(Q),
        (seg_idx *)PyArray_DATA(Rank),       (unsigned char *)PyArray_DATA(Comp),
        (unsigned char *)PyArray_DATA(Adv),  (unsigned char *)PyArray_DATA(Stab)};
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_vikor((const double *)PyArray_DATA(X), m, n, (const int *)types,
                   Ideal ? (const double *)PyArray_DATA(Ideal) : NULL,
                   Anti ? (const double *)PyArray_DATA(Anti) : NULL,
                   (const double *)PyArray_DATA(W), B,
                   (const double *)PyArray_DATA(V), nv, &out, work, nt, &INTERRUPT, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "vikor", &why);
        goto done;
    }
    result = Py_BuildValue("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "S", S, "R", R, "Q", Q,
                           "ranking", Rank, "compromise", Comp, "advantage", Adv, "stability",
                           Stab, "f_star", Fs, "f_minus", Fm, "constant", Const);
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(W);
    Py_XDECREF(V);
    Py_XDECREF(T);
    Py_XDECREF(Ideal);
    Py_XDECREF(Anti);
    Py_XDECREF(S);
    Py_XDECREF(R);
    Py_XDECREF(Q);
    Py_XDECREF(Rank);
    Py_XDECREF(Comp);
    Py_XDECREF(Adv);
    Py_XDECREF(Stab);
    Py_XDECREF(Fs);
    Py_XDECREF(Fm);
    Py_XDECREF(Const);
    return result;
}

static PyObject *py_vikor_weight_sensitivity(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"x",          "alpha",     "n_samples",      "seed", "v", "types",
                             "ideal",      "anti_ideal", "n_threads",     "return_weights", NULL};
    PyObject *xo, *alo, *so, *vo, *to = Py_None, *io = Py_None, *ao = Py_None, *result = NULL;
    Py_ssize_t n_samples;
    int n_threads = 0, return_weights = 0;
    PyArrayObject *X = NULL, *Al = NULL, *V = NULL, *T = NULL, *Ideal = NULL, *Anti = NULL;
    PyArrayObject *RC = NULL, *CC = NULL, *WO = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOnOO|OOOip", kwlist, &xo, &alo, &n_samples,
                                     &so, &vo, &to, &io, &ao, &n_threads, &return_weights))
        return NULL;
    if (!PyLong_Check(so)) {
        PyErr_SetString(PyExc_TypeError, "seed must be an integer in [0, 2**64)");
        return NULL;
    }
    unsigned long long seed = PyLong_AsUnsignedLongLong(so);
    if (seed == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_SetString(PyExc_OverflowError, "seed must be an integer in [0, 2**64)");
        return NULL;
    }
    if (n_samples < 1) {
        PyErr_Format(PyExc_ValueError, "n_samples must be >= 1, got %zd", n_samples);
        return NULL;
    }
    if ((X = mcdm_matrix(xo, 0)) == NULL) goto done;
    npy_intp m = PyArray_DIM(X, 0), n = PyArray_DIM(X, 1);
    int nt = seg_resolve_threads(n_threads);
    if (sensitivity_memory_check(m, n, mcdm_leading(vo, 1), n_samples, return_weights, nt,
                                 mcdm_copy_bytes(mcdm_copy_bytes(0, alo), vo)) < 0)
        goto done;
    if ((Al = mcdm_weight_rows(alo, n, 1, "alpha")) == NULL) goto done;
    if ((V = mcdm_v(vo)) == NULL) goto done;
    if ((T = mcdm_types(to, n)) == NULL) goto done;
    const int32_t *types = (const int32_t *)PyArray_DATA(T);
    if (mcdm_reference(io, X, types, 1, &Ideal) < 0) goto done;
    if (mcdm_reference(ao, X, types, 0, &Anti) < 0) goto done;
    npy_intp nv = PyArray_DIM(V, 0);
    if (sensitivity_memory_check(m, n, nv, n_samples, return_weights, nt, 0) < 0) goto done;
    if ((RC = (PyArrayObject *)mcdm_new(3, nv, m, m, NPY_INT64)) == NULL) goto done;
    if ((CC = (PyArrayObject *)mcdm_new(2, nv, m, 0, NPY_INT64)) == NULL) goto done;
    if (return_weights &&
        (WO = (PyArrayObject *)mcdm_new(2, n_samples, n, 0, NPY_FLOAT64)) == NULL)
        goto done;
    work = alloc_work(seg_vikor_sensitivity_work_size(m, n, nv, nt), "vikor_weight_sensitivity");
    if (work == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_vikor_weight_sensitivity(
        (const double *)PyArray_DATA(X), m, n, (const int *)types,
        Ideal ? (const double *)PyArray_DATA(Ideal) : NULL,
        Anti ? (const double *)PyArray_DATA(Anti) : NULL,
        (const double *)PyArray_DATA(Al), n_samples, (uint64_t)seed,
        (const double *)PyArray_DATA(V), nv, (int64_t *)PyArray_DATA(RC),
        (int64_t *)PyArray_DATA(CC), WO ? (double *)PyArray_DATA(WO) : NULL, work, nt,
        &INTERRUPT, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "vikor_weight_sensitivity", &why);
        goto done;
    }
    result = Py_BuildValue("{s:O,s:O,s:O}", "rank_counts", RC, "compromise_counts", CC, "weights",
                           WO ? (PyObject *)WO : Py_None);
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(Al);
    Py_XDECREF(V);
    Py_XDECREF(T);
    Py_XDECREF(Ideal);
    Py_XDECREF(Anti);
    Py_XDECREF(RC);
    Py_XDECREF(CC);
    Py_XDECREF(WO);
    return result;
}

static PyObject *py_mcdm_tolerances(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    return Py_BuildValue("{s:d,s:d}", "const_rtol", SEG_MCDM_CONST_RTOL, "vikor_tol",
                         SEG_VIKOR_TOL);
}

/* ---- end decision kernels ---- */

/* ---- sparse (CSR) kernels: their glue lives in _sparse_glue.c ---- */
#include "_sparse_glue.c"

/* ---- PLS path models: their glue lives in _pls_glue.c ---- */
#include "_pls_glue.c"

/* ------------------------------------------------------------------------ */
/* Module                                                                    */
/* ------------------------------------------------------------------------ */

static PyMethodDef core_methods[] = {
    {"max_threads", py_max_threads, METH_NOARGS,
     "max_threads()\n--\n\nThreads an OpenMP region may use (honours OMP_NUM_THREADS)."},
    {"has_openmp", py_has_openmp, METH_NOARGS,
     "has_openmp()\n--\n\nTrue when the extension was built with OpenMP."},
    /* ---- clustering methods ---- */
    {"kmeans_plusplus", (PyCFunction)(void (*)(void))py_kmeans_plusplus,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_plusplus(X, n_clusters, sample_weight=None, n_trials=0, seed=0, n_threads=0)\n--\n\n"
     "Greedy k-means++ seeding: returns KMeansSeeds(centers (k, d), indices (k,))."},
    {"kmeans_fit", (PyCFunction)(void (*)(void))py_kmeans_fit, METH_VARARGS | METH_KEYWORDS,
     "kmeans_fit(X, centers, sample_weight=None, max_iter=300, tol=0.0, algorithm=0, "
     "n_threads=0)\n--\n\n"
     "Lloyd (algorithm=0) or Hamerly (1) iterations from the given centres: returns "
     "KMeansFit(labels int32, centers, inertia, n_iter, converged). tol is absolute."},
    {"kmeans_fit_runs", (PyCFunction)(void (*)(void))py_kmeans_fit_runs,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_fit_runs(X, n_clusters, seeds=None, init_centers=None, sample_weight=None, "
     "n_trials=0, max_iter=300, tol=0.0, algorithm=0, n_threads=0)\n--\n\n"
     "n_init runs (one per uint64 seed, greedy k-means++; or one per (k, d) slice of "
     "init_centers); keeps the lowest inertia. Returns KMeansRuns(labels int32, centers, "
     "inertia, n_iter, converged, best_run). A float32 X (as in every kmeans_* but the "
     "dask steps) runs the float32 kernel: float32 distances, float64 sums, Lloyd only."},
    {"kmeans_predict", (PyCFunction)(void (*)(void))py_kmeans_predict,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_predict(X, centers, sample_weight=None, n_threads=0)\n--\n\n"
     "Nearest centre per row: returns KMeansPrediction(labels int32, inertia)."},
    {"kmeans_mean_variance", (PyCFunction)(void (*)(void))py_kmeans_mean_variance,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_mean_variance(X, n_threads=0)\n--\n\n"
     "Mean over the columns of each column's population variance (the scale of tol)."},
    {"kmeans_transform", (PyCFunction)(void (*)(void))py_kmeans_transform,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_transform(X, centers, n_threads=0)\n--\n\n"
     "Euclidean distances (n, k) to the centres (float32 for float32 X)."},
    {"silhouette_samples", (PyCFunction)(void (*)(void))py_silhouette_samples,
     METH_VARARGS | METH_KEYWORDS,
     "silhouette_samples(X, labels, n_clusters, n_threads=0, metric='euclidean')\n--\n\n"
     "Exact silhouette of every row; labels are int32 codes in [0, n_clusters); metric is\n"
     "'euclidean', 'sqeuclidean', 'manhattan' or 'cosine' (no aliases here)."},
    {"silhouette_scores", (PyCFunction)(void (*)(void))py_silhouette_scores,
     METH_VARARGS | METH_KEYWORDS,
     "silhouette_scores(X, labelings, n_clusters, n_threads=0, metric='euclidean',\n"
     "                  progress=None, single=False)\n--\n\n"
     "Silhouettes (n_labelings, n) of several labelings, every distance computed once\n"
     "(single: X as float32, float32 distances, float64 sums);\n"
     "labelings is int32 (n_labelings, n), labeling l's codes in [0, n_clusters[l]);\n"
     "progress(m) is called with the distance pairs done since its last call."},
    {"silhouette_precomputed", (PyCFunction)(void (*)(void))py_silhouette_precomputed,
     METH_VARARGS | METH_KEYWORDS,
     "silhouette_precomputed(D, labels, n_clusters, row0=0, n_threads=0, diag_tol=2.2e-14)\n"
     "--\n\n"
     "Silhouettes of rows row0 .. row0 + m - 1 from D, those m rows of the n by n distance\n"
     "matrix (finite, >= 0, |D[i, row0 + i]| <= diag_tol; inf: no diagonal check); labels\n"
     "(n,) are int32 codes in [0, n_clusters). Chunks of rows give the values of one call."},
    {"cluster_validity", (PyCFunction)(void (*)(void))py_cluster_validity,
     METH_VARARGS | METH_KEYWORDS,
     "cluster_validity(X, labels, n_clusters, n_threads=0)\n--\n\n"
     "ClusterValidity(calinski_harabasz, davies_bouldin); labels are int32 codes, all used."},
    /* ---- end clustering methods ---- */
    /* ---- dask step methods ---- */
    {"kmeans_step", (PyCFunction)(void (*)(void))py_kmeans_step, METH_VARARGS | METH_KEYWORDS,
     "kmeans_step(X, centers, sample_weight=None, offset=0, n_far=0, return_labels=False)\n--\n\n"
     "One Lloyd pass over one row chunk (zero rows allowed): returns StepPartials(sums (k, d), "
     "weights (k,), sse, far_index (intp), far_dist, far_label (int32), far_weight, far_rows "
     "(f, d), labels int32 or None); the far_* describe the chunk's min(n_far, rows) rows "
     "farthest from their nearest centre, farthest first, with global row numbers offset + local row."},
    {"kmeans_step_merge", (PyCFunction)(void (*)(void))py_kmeans_step_merge,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_step_merge(sums, weights, centers, far_dist=None, far_label=None, far_weight=None, "
     "far_rows=None)\n--\n\n"
     "Centre update from the partials of n_chunks chunks (sums (n_chunks, k, d), weights "
     "(n_chunks, k)), merged in chunk order, empty clusters re-seeded from the far rows "
     "(concatenated in chunk order): returns StepMerge(centers, shift, n_relocated)."},
    {"kmeans_step_nearest", (PyCFunction)(void (*)(void))py_kmeans_step_nearest,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_step_nearest(X, candidates, first, n_candidates, closest=None, nearest=None, "
     "sample_weight=None)\n--\n\n"
     "k-means||: folds candidates numbered first.. into each row's squared distance to and "
     "number of its nearest candidate (new arrays; without closest/nearest, from scratch): "
     "returns StepNearest(closest, nearest int32, cost, candidate_weights (n_candidates,))."},
    {"kmeans_step_sample", (PyCFunction)(void (*)(void))py_kmeans_step_sample,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_step_sample(closest, ell, phi, seed, sample_weight=None)\n--\n\n"
     "k-means|| oversampling: local rows picked with probability min(1, ell * w * closest / "
     "phi), one draw per row from the seed (intp, ascending)."},
    {"kmeans_step_silhouette", (PyCFunction)(void (*)(void))py_kmeans_step_silhouette,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_step_silhouette(A, labels_a, B, labels_b, n_clusters, both=False)\n--\n\n"
     "Per-cluster sums of Euclidean distances between two chunks: returns "
     "ChunkSilhouetteSums(sa (len(A), k): "
     "from each row of A to B's clusters, sb (len(B), k) the reverse, or None unless both)."},
    {"kmeans_step_silhouette_scores", (PyCFunction)(void (*)(void))py_kmeans_step_silhouette_scores,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_step_silhouette_scores(sums, labels, counts)\n--\n\n"
     "Silhouette of rows from their per-cluster distance sums over all rows (m, k), their "
     "int32 labels and the int64 cluster sizes (k,)."},
    /* ---- end dask step methods ---- */
    /* ---- decision methods ---- */
    {"entropy_weights", (PyCFunction)(void (*)(void))py_entropy_weights,
     METH_VARARGS | METH_KEYWORDS,
     "entropy_weights(x)\n--\n\n"
     "Shannon-entropy weights of the columns of x (m >= 2 alternatives x n criteria, finite, "
     ">= 0): returns EntropyWeights(weights, entropy, diversity), each of shape (n,)."},
    {"vikor", (PyCFunction)(void (*)(void))py_vikor, METH_VARARGS | METH_KEYWORDS,
     "vikor(x, weights, v, types=None, ideal=None, anti_ideal=None, n_threads=0)\n--\n\n"
     "VIKOR for B weight vectors (weights: (B, n)) and V values of v (v: (V,)). types: n values "
     "+1 (benefit) / -1 (cost), None for all benefit. Returns a dict: S, R (B, m); Q, ranking, "
     "compromise (B, V, m); advantage, stability (B, V); f_star, f_minus, constant (n,)."},
    {"vikor_weight_sensitivity", (PyCFunction)(void (*)(void))py_vikor_weight_sensitivity,
     METH_VARARGS | METH_KEYWORDS,
     "vikor_weight_sensitivity(x, alpha, n_samples, seed, v, types=None, ideal=None, "
     "anti_ideal=None, n_threads=0, return_weights=False)\n--\n\n"
     "VIKOR over n_samples Dirichlet(alpha) weight draws. Returns a dict: rank_counts (V, m, m) "
     "[v, alternative, position], compromise_counts (V, m), weights (n_samples, n) or None."},
    {"mcdm_tolerances", py_mcdm_tolerances, METH_NOARGS,
     "mcdm_tolerances()\n--\n\nThe decision kernels' tolerances: const_rtol (a criterion "
     "is constant when max - min <= const_rtol * max(|max|, |min|)) and vikor_tol (ties on the "
     "[0, 1] scale of S, R, Q)."},
    /* ---- end decision methods ---- */
    SEG_SPARSE_METHODS
    SEG_PLS_METHODS
    {NULL, NULL, 0, NULL}};

static int core_exec(PyObject *module) {
    if (PyArray_ImportNumPyAPI() < 0) return -1;
    return add_result_types(module);
}

static PyModuleDef_Slot core_slots[] = {
    {Py_mod_exec, core_exec},
    {0, NULL}};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "segment._core",
    "C kernels of segment (k-means, silhouette, entropy weights, VIKOR). Internal: "
    "use the functions of the segment package.",
    sizeof(core_state), core_methods, core_slots, core_traverse, core_clear, core_free};

PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&core_module); }
