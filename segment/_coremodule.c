/* segment._core: the CPython/NumPy glue over the pure-C kernels in csrc/.
 *
 * Every function here: parses its arguments, converts arrays with
 * PyArray_FROM_OTF (float64 / int32, C-contiguous, aligned; a copy only when
 * needed), re-checks every shape and value the kernel relies on (a direct call
 * with bad arguments raises, it never crashes), allocates outputs and scratch
 * with the GIL held (MemoryError names the size before anything is touched),
 * releases the GIL around the kernel, maps the seg_status to an exception, and
 * cleans up at one `done:` label. The kernels never see a Python object.
 *
 * The public, friendly API with messages naming columns and rows lives in the
 * Python modules; this layer is the last line of defence.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <numpy/arrayobject.h>

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "seg_common.h"
#include "seg_kmeans.h"
#include "seg_silhouette.h"
#include "seg_validity.h"
#include "seg_mcdm.h"

/* ------------------------------------------------------------------------ */
/* Shared helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Interrupt callback: called by a kernel from the thread that released the
 * GIL, outside parallel regions. Takes the GIL, runs signal handlers; a
 * KeyboardInterrupt stays set as the pending exception for the caller. */
static int check_signals(void *ctx) {
    (void)ctx;
    PyGILState_STATE st = PyGILState_Ensure();
    int stop = PyErr_CheckSignals() != 0;
    PyGILState_Release(st);
    return stop;
}

static const seg_interrupt INTERRUPT = {check_signals, NULL};

/* Sets a Python exception for a failed kernel call (unless one is pending,
 * as after an interrupt) and returns NULL. */
static PyObject *raise_status(seg_status st, const char *what) {
    if (PyErr_Occurred()) return NULL;
    switch (st) {
    case SEG_EINTERRUPTED: PyErr_SetNone(PyExc_KeyboardInterrupt); break;
    case SEG_ENONFINITE:
        PyErr_Format(PyExc_ValueError, "%s: input contains NaN or infinity", what);
        break;
    case SEG_EDEGENERATE:
        PyErr_Format(PyExc_ValueError, "%s: %s", what, seg_status_str(st));
        break;
    default: PyErr_Format(PyExc_ValueError, "%s: %s", what, seg_status_str(st)); break;
    }
    return NULL;
}

/* Converts obj to an aligned, C-contiguous array of `type` (a copy only when
 * needed) with exactly `ndim` dimensions. Raises naming `name` on failure. */
static PyArrayObject *as_array(PyObject *obj, int type, int ndim, const char *name) {
    if (obj == NULL || obj == Py_None) {
        PyErr_Format(PyExc_TypeError, "%s must be an array, not None", name);
        return NULL;
    }
    if (PyArray_Check(obj)) {
        int t = PyArray_TYPE((PyArrayObject *)obj);
        if (!(PyTypeNum_ISNUMBER(t) || PyTypeNum_ISBOOL(t)) || PyTypeNum_ISCOMPLEX(t)) {
            PyErr_Format(PyExc_TypeError, "%s must be a real numeric array, got dtype %R", name,
                         (PyObject *)PyArray_DESCR((PyArrayObject *)obj));
            return NULL;
        }
    }
    PyArrayObject *arr = (PyArrayObject *)PyArray_FROM_OTF(
        obj, type, NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
    if (arr == NULL) {
        if (PyErr_ExceptionMatches(PyExc_ValueError) || PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
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
 * before anything is allocated or touched. */
static int alloc_check(size_t count, size_t size, const char *what) {
    if (count != 0 && size > SIZE_MAX / count) {
        PyErr_Format(PyExc_MemoryError, "%s: %zu x %zu bytes overflows", what, count, size);
        return -1;
    }
    double bytes = (double)count * (double)size;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0 && bytes > (double)pages * (double)page) {
        PyErr_Format(PyExc_MemoryError,
                     "%s needs %.1f GiB of memory, more than this machine's %.1f GiB; "
                     "use fewer rows or clusters (or sample_size for the silhouette)",
                     what, bytes / 1073741824.0, (double)pages * (double)page / 1073741824.0);
        return -1;
    }
    return 0;
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
        PyErr_Format(PyExc_MemoryError, "%s: could not allocate %.1f MiB of scratch memory", what,
                     (double)(count * size) / (1024.0 * 1024.0));
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
    npy_intp size = PyArray_SIZE(a);
    for (npy_intp i = 0; i < size; i++) {
        if (!isfinite(p[i])) {
            PyErr_Format(PyExc_ValueError, "%s contains NaN or infinity (at flat index %zd)", name,
                         (Py_ssize_t)i);
            return -1;
        }
    }
    return 0;
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

/* Optional sample weights: None or a float64 vector of length n. */
static int get_weights(PyObject *obj, npy_intp n, PyArrayObject **out) {
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
    if (!(total > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "sample_weight must have a positive sum");
        Py_DECREF(w);
        return -1;
    }
    *out = w;
    return 0;
}

/* X as a non-empty (n, d) float64 C array with finite values. */
static PyArrayObject *get_X(PyObject *obj) {
    PyArrayObject *X = as_array(obj, NPY_FLOAT64, 2, "X");
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
    if ((X = get_X(xo)) == NULL) goto done;
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
    if (get_weights(wo, n, &W) < 0) goto done;
    npy_intp cdims[2] = {k, d};
    C = (PyArrayObject *)PyArray_SimpleNew(2, cdims, NPY_FLOAT64);
    npy_intp idims[1] = {k};
    Idx = (PyArrayObject *)PyArray_SimpleNew(1, idims, NPY_INTP);
    if (C == NULL || Idx == NULL) goto done;
    work = alloc_work(seg_kmeans_plusplus_work_size(n, d, k, trials), "kmeans_plusplus");
    if (work == NULL) goto done;
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_kmeans_plusplus((const double *)PyArray_DATA(X), n, d,
                             W ? (const double *)PyArray_DATA(W) : NULL, k, trials,
                             (uint64_t)seed, n_threads, &INTERRUPT,
                             (double *)PyArray_DATA(C), (seg_idx *)PyArray_DATA(Idx), work);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_status(st, "kmeans_plusplus");
        goto done;
    }
    result = Py_BuildValue("OO", C, Idx);
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
    if ((X = get_X(xo)) == NULL) goto done;
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
    if (max_iter < 1) {
        PyErr_Format(PyExc_ValueError, "max_iter must be >= 1, got %d", max_iter);
        goto done;
    }
    if (!(tol >= 0.0) || !isfinite(tol)) {
        PyErr_SetString(PyExc_ValueError, "tol must be finite and >= 0");
        goto done;
    }
    if (algorithm != SEG_KMEANS_LLOYD && algorithm != SEG_KMEANS_HAMERLY) {
        PyErr_Format(PyExc_ValueError, "algorithm must be 0 (Lloyd) or 1 (Hamerly), got %d",
                     algorithm);
        goto done;
    }
    if (get_weights(wo, n, &W) < 0) goto done;
    npy_intp ldims[1] = {n};
    L = (PyArrayObject *)PyArray_SimpleNew(1, ldims, NPY_INT32);
    if (L == NULL) goto done;
    work = alloc_work(seg_kmeans_fit_work_size(n, d, k, (seg_kmeans_algorithm)algorithm),
                      "kmeans");
    if (work == NULL) goto done;
    double inertia = 0.0;
    int n_iter = 0, converged = 0;
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_kmeans_fit((const double *)PyArray_DATA(X), n, d,
                        W ? (const double *)PyArray_DATA(W) : NULL, k, (double *)PyArray_DATA(C),
                        max_iter, tol, (seg_kmeans_algorithm)algorithm, n_threads, &INTERRUPT,
                        (int32_t *)PyArray_DATA(L), &inertia, &n_iter, &converged, work);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_status(st, "kmeans");
        goto done;
    }
    result = Py_BuildValue("OOdiO", L, C, inertia, n_iter, converged ? Py_True : Py_False);
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
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
    if ((X = get_X(xo)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if ((C = get_centers(co, d)) == NULL) goto done;
    npy_intp k = PyArray_DIM(C, 0);
    if (get_weights(wo, n, &W) < 0) goto done;
    npy_intp ldims[1] = {n};
    L = (PyArrayObject *)PyArray_SimpleNew(1, ldims, NPY_INT32);
    if (L == NULL) goto done;
    work = alloc_work(seg_kmeans_predict_work_size(n, d, k), "kmeans_predict");
    if (work == NULL) goto done;
    double inertia = 0.0;
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_kmeans_predict((const double *)PyArray_DATA(X), n, d,
                            W ? (const double *)PyArray_DATA(W) : NULL,
                            (const double *)PyArray_DATA(C), k, n_threads, &INTERRUPT,
                            (int32_t *)PyArray_DATA(L), &inertia, work);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_status(st, "kmeans_predict");
        goto done;
    }
    result = Py_BuildValue("Od", L, inertia);
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(L);
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
    if ((X = get_X(xo)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if ((C = get_centers(co, d)) == NULL) goto done;
    npy_intp k = PyArray_DIM(C, 0);
    if (alloc_check((size_t)n, (size_t)k * sizeof(double), "kmeans_transform") < 0) goto done;
    npy_intp ddims[2] = {n, k};
    D = (PyArrayObject *)PyArray_SimpleNew(2, ddims, NPY_FLOAT64);
    if (D == NULL) goto done;
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_kmeans_transform((const double *)PyArray_DATA(X), n, d,
                              (const double *)PyArray_DATA(C), k, n_threads, &INTERRUPT,
                              (double *)PyArray_DATA(D));
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_status(st, "kmeans_transform");
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

static PyObject *py_silhouette_samples(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "labels", "n_clusters", "n_threads", NULL};
    PyObject *xo, *lo, *result = NULL;
    Py_ssize_t k;
    int n_threads = 0;
    PyArrayObject *X = NULL, *L = NULL, *S = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOn|i", kwlist, &xo, &lo, &k, &n_threads))
        return NULL;
    if ((X = get_X(xo)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if ((L = as_array(lo, NPY_INT32, 1, "labels")) == NULL) goto done;
    if (PyArray_DIM(L, 0) != n) {
        PyErr_Format(PyExc_ValueError, "labels has length %zd but X has %zd rows",
                     (Py_ssize_t)PyArray_DIM(L, 0), (Py_ssize_t)n);
        goto done;
    }
    if (k < 1) {
        PyErr_Format(PyExc_ValueError, "n_clusters must be >= 1, got %zd", k);
        goto done;
    }
    const int32_t *lab = (const int32_t *)PyArray_DATA(L);
    for (npy_intp i = 0; i < n; i++) {
        if (lab[i] < 0 || lab[i] >= k) {
            PyErr_Format(PyExc_ValueError, "labels must be codes in [0, %zd); row %zd has %d", k,
                         (Py_ssize_t)i, (int)lab[i]);
            goto done;
        }
    }
    int nt = seg_resolve_threads(n_threads);
    npy_intp sdims[1] = {n};
    S = (PyArrayObject *)PyArray_SimpleNew(1, sdims, NPY_FLOAT64);
    if (S == NULL) goto done;
    work = alloc_work(seg_silhouette_work_size(n, d, k, nt), "silhouette");
    if (work == NULL) goto done;
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_silhouette_samples((const double *)PyArray_DATA(X), n, d, lab, k, nt, &INTERRUPT,
                                (double *)PyArray_DATA(S), work);
    Py_END_ALLOW_THREADS
    if (st == SEG_EDEGENERATE) {
        PyErr_SetString(PyExc_ValueError,
                        "silhouette needs at least 2 distinct labels; all rows have the same one");
        goto done;
    }
    if (st != SEG_OK) {
        raise_status(st, "silhouette");
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
    if ((L = as_array(lo, NPY_INT32, 1, "labels")) == NULL) goto done;
    if (PyArray_DIM(L, 0) != n) {
        PyErr_Format(PyExc_ValueError, "labels has length %zd but X has %zd rows",
                     (Py_ssize_t)PyArray_DIM(L, 0), (Py_ssize_t)n);
        goto done;
    }
    if (k < 2 || k >= n) {
        PyErr_Format(PyExc_ValueError,
                     "n_clusters must be between 2 and n_samples - 1 = %zd, got %zd",
                     (Py_ssize_t)(n - 1), k);
        goto done;
    }
    const int32_t *lab = (const int32_t *)PyArray_DATA(L);
    for (npy_intp i = 0; i < n; i++) {
        if (lab[i] < 0 || lab[i] >= k) {
            PyErr_Format(PyExc_ValueError, "labels must be codes in [0, %zd); row %zd has %d", k,
                         (Py_ssize_t)i, (int)lab[i]);
            goto done;
        }
    }
    work = alloc_work(seg_validity_work_size(n, d, k), "cluster_validity");
    if (work == NULL) goto done;
    double ch = 0.0, db = 0.0;
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_cluster_validity((const double *)PyArray_DATA(X), n, d, lab, k, n_threads,
                              &INTERRUPT, &ch, &db, work);
    Py_END_ALLOW_THREADS
    if (st == SEG_EDEGENERATE) {
        PyErr_Format(PyExc_ValueError, "every label code in [0, %zd) must be used", k);
        goto done;
    }
    if (st != SEG_OK) {
        raise_status(st, "cluster_validity");
        goto done;
    }
    result = Py_BuildValue("dd", ch, db);
done:
    PyMem_RawFree(work);
    Py_XDECREF(X);
    Py_XDECREF(L);
    return result;
}

/* ---- end clustering kernels ---- */

/* ---- dask step kernels (seg_kmeans_step) ---- */
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
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_entropy_weights((const double *)PyArray_DATA(X), m, n, (double *)PyArray_DATA(W),
                             (double *)PyArray_DATA(E), (double *)PyArray_DATA(D));
    Py_END_ALLOW_THREADS
    if (st == SEG_EDEGENERATE) {
        PyErr_SetString(PyExc_ValueError,
                        "entropy_weights: every column of x is constant, so no criterion "
                        "distinguishes the alternatives and entropy weights are undefined");
        goto done;
    }
    if (st != SEG_OK) {
        raise_status(st, "entropy_weights");
        goto done;
    }
    result = Py_BuildValue("OOO", W, E, D);
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
    if ((W = mcdm_weight_rows(wo, n, 2, "weights")) == NULL) goto done;
    if ((V = mcdm_v(vo)) == NULL) goto done;
    if ((T = mcdm_types(to, n)) == NULL) goto done;
    const int32_t *types = (const int32_t *)PyArray_DATA(T);
    if (mcdm_reference(io, X, types, 1, &Ideal) < 0) goto done;
    if (mcdm_reference(ao, X, types, 0, &Anti) < 0) goto done;
    npy_intp B = PyArray_DIM(W, 0), nv = PyArray_DIM(V, 0);
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
    int nt = seg_resolve_threads(n_threads);
    if ((work = alloc_work(seg_vikor_work_size(m, n, nt), "vikor")) == NULL) goto done;
    seg_vikor_out out = {
        (double *)PyArray_DATA(Fs),          (double *)PyArray_DATA(Fm),
        (unsigned char *)PyArray_DATA(Const), (double *)PyArray_DATA(S),
        (double *)PyArray_DATA(R),           (double *)PyArray_DATA(Q),
        (seg_idx *)PyArray_DATA(Rank),       (unsigned char *)PyArray_DATA(Comp),
        (unsigned char *)PyArray_DATA(Adv),  (unsigned char *)PyArray_DATA(Stab)};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_vikor((const double *)PyArray_DATA(X), m, n, (const int *)types,
                   Ideal ? (const double *)PyArray_DATA(Ideal) : NULL,
                   Anti ? (const double *)PyArray_DATA(Anti) : NULL,
                   (const double *)PyArray_DATA(W), B,
                   (const double *)PyArray_DATA(V), nv, &out, work, nt, &INTERRUPT);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_status(st, "vikor");
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
    if ((Al = mcdm_weight_rows(alo, n, 1, "alpha")) == NULL) goto done;
    if ((V = mcdm_v(vo)) == NULL) goto done;
    if ((T = mcdm_types(to, n)) == NULL) goto done;
    const int32_t *types = (const int32_t *)PyArray_DATA(T);
    if (mcdm_reference(io, X, types, 1, &Ideal) < 0) goto done;
    if (mcdm_reference(ao, X, types, 0, &Anti) < 0) goto done;
    npy_intp nv = PyArray_DIM(V, 0);
    if ((RC = (PyArrayObject *)mcdm_new(3, nv, m, m, NPY_INT64)) == NULL) goto done;
    if ((CC = (PyArrayObject *)mcdm_new(2, nv, m, 0, NPY_INT64)) == NULL) goto done;
    if (return_weights &&
        (WO = (PyArrayObject *)mcdm_new(2, n_samples, n, 0, NPY_FLOAT64)) == NULL)
        goto done;
    int nt = seg_resolve_threads(n_threads);
    work = alloc_work(seg_vikor_sensitivity_work_size(m, n, nv, nt), "vikor_weight_sensitivity");
    if (work == NULL) goto done;
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_vikor_weight_sensitivity(
        (const double *)PyArray_DATA(X), m, n, (const int *)types,
        Ideal ? (const double *)PyArray_DATA(Ideal) : NULL,
        Anti ? (const double *)PyArray_DATA(Anti) : NULL,
        (const double *)PyArray_DATA(Al), n_samples, (uint64_t)seed,
        (const double *)PyArray_DATA(V), nv, (int64_t *)PyArray_DATA(RC),
        (int64_t *)PyArray_DATA(CC), WO ? (double *)PyArray_DATA(WO) : NULL, work, nt,
        &INTERRUPT);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_status(st, "vikor_weight_sensitivity");
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
     "Greedy k-means++ seeding: returns (centers (k, d), row indices (k,))."},
    {"kmeans_fit", (PyCFunction)(void (*)(void))py_kmeans_fit, METH_VARARGS | METH_KEYWORDS,
     "kmeans_fit(X, centers, sample_weight=None, max_iter=300, tol=0.0, algorithm=0, "
     "n_threads=0)\n--\n\n"
     "Lloyd (algorithm=0) or Hamerly (1) iterations from the given centres: returns "
     "(labels int32, centers, inertia, n_iter, converged). tol is absolute."},
    {"kmeans_predict", (PyCFunction)(void (*)(void))py_kmeans_predict,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_predict(X, centers, sample_weight=None, n_threads=0)\n--\n\n"
     "Nearest centre per row: returns (labels int32, inertia)."},
    {"kmeans_transform", (PyCFunction)(void (*)(void))py_kmeans_transform,
     METH_VARARGS | METH_KEYWORDS,
     "kmeans_transform(X, centers, n_threads=0)\n--\n\nEuclidean distances (n, k) to the centres."},
    {"silhouette_samples", (PyCFunction)(void (*)(void))py_silhouette_samples,
     METH_VARARGS | METH_KEYWORDS,
     "silhouette_samples(X, labels, n_clusters, n_threads=0)\n--\n\n"
     "Exact silhouette of every row; labels are int32 codes in [0, n_clusters)."},
    {"cluster_validity", (PyCFunction)(void (*)(void))py_cluster_validity,
     METH_VARARGS | METH_KEYWORDS,
     "cluster_validity(X, labels, n_clusters, n_threads=0)\n--\n\n"
     "(Calinski-Harabasz score, Davies-Bouldin index); labels are int32 codes, all used."},
    /* ---- end clustering methods ---- */
    /* ---- dask step methods ---- */
    /* ---- end dask step methods ---- */
    /* ---- decision methods ---- */
    {"entropy_weights", (PyCFunction)(void (*)(void))py_entropy_weights,
     METH_VARARGS | METH_KEYWORDS,
     "entropy_weights(x)\n--\n\n"
     "Shannon-entropy weights of the columns of x (m >= 2 alternatives x n criteria, finite, "
     ">= 0): returns (w, E, d), each of shape (n,)."},
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
    {NULL, NULL, 0, NULL}};

static int core_exec(PyObject *module) {
    (void)module;
    if (PyArray_ImportNumPyAPI() < 0) return -1;
    return 0;
}

static PyModuleDef_Slot core_slots[] = {
    {Py_mod_exec, core_exec},
    {0, NULL}};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "segment._core",
    "C kernels of segment (k-means, silhouette, entropy weights, VIKOR). Internal: "
    "use the functions of the segment package.",
    0, core_methods, core_slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&core_module); }
