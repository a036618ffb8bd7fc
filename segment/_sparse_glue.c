/* The glue of the sparse kernels (csrc/seg_sparse.h), #included by
 * _coremodule.c after its shared helpers, so that it uses them and stays one
 * extension module. Same rules as there: convert, re-check everything the
 * kernels rely on (they trust the CSR structure: indptr, indices, no
 * duplicates are all verified here, in O(nnz + d)), allocate with the GIL,
 * release it around the kernel, one `done:` label.
 *
 * A sparse X arrives as a tuple (indptr, indices, data, n, d): the arrays of
 * a scipy CSR matrix, without scipy. indptr and indices may be of any integer
 * type (int32 indices are used as they are, others widened to int64), data of
 * any real type (converted to float64: a copy of the stored values only).
 */

typedef struct csr_arrays {
    PyArrayObject *indptr, *indices, *data;
    seg_csr X;
} csr_arrays;

static void csr_release(csr_arrays *a) {
    Py_CLEAR(a->indptr);
    Py_CLEAR(a->indices);
    Py_CLEAR(a->data);
}

/* X.indptr or X.indices as int64 (int32 indices kept as they are when
 * keep_int32): get_ints, so floats are refused and uint64 values past
 * INT64_MAX, which would wrap, are out of range. The structure (indptr from
 * 0, never decreasing; indices in [0, d)) is seg_csr_check's. */
static PyArrayObject *csr_index_array(PyObject *obj, const char *name, int keep_int32) {
    PyArrayObject *raw = (PyArrayObject *)PyArray_FROM_OF(obj, 0);
    if (raw == NULL) return NULL;
    PyArrayObject *out = NULL;
    if (PyArray_NDIM(raw) != 1 || !PyArray_ISINTEGER(raw)) /* a CSR array: no bools either */
        PyErr_Format(PyExc_TypeError, "%s must be a 1-D array of integers, got dtype %R", name,
                     (PyObject *)PyArray_DESCR(raw));
    else
        out = get_ints((PyObject *)raw, -1,
                       keep_int32 && PyArray_TYPE(raw) == NPY_INT32 ? NPY_INT32 : NPY_INT64,
                       INT64_MIN, INT64_MAX, name);
    Py_DECREF(raw);
    return out;
}

/* Unpacks and fully validates X = (indptr, indices, data, n, d); with
 * check_values, also that every stored value is finite. */
static int get_csr(PyObject *obj, csr_arrays *a, int check_values) {
    memset(a, 0, sizeof *a);
    PyObject *po, *io, *vo;
    Py_ssize_t n, d;
    if (!PyTuple_Check(obj) || !PyArg_ParseTuple(obj, "OOOnn", &po, &io, &vo, &n, &d)) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "X must be a tuple (indptr, indices, data, n, d)");
        return -1;
    }
    if (n < 1 || d < 1) {
        PyErr_Format(PyExc_ValueError,
                     "X must have at least one row and one column, got (%zd, %zd)", n, d);
        return -1;
    }
    if ((a->indptr = csr_index_array(po, "X.indptr", 0)) == NULL) goto fail;
    if ((a->indices = csr_index_array(io, "X.indices", 1)) == NULL) goto fail;
    if (PyArray_Check(vo)) {
        int t = PyArray_TYPE((PyArrayObject *)vo);
        if (!(PyTypeNum_ISNUMBER(t) || PyTypeNum_ISBOOL(t)) || PyTypeNum_ISCOMPLEX(t)) {
            PyErr_Format(PyExc_TypeError, "X.data must be real numbers, got dtype %R",
                         (PyObject *)PyArray_DESCR((PyArrayObject *)vo));
            goto fail;
        }
    }
    if ((a->data = as_array(vo, NPY_FLOAT64, 1, "X.data")) == NULL) goto fail;
    if (PyArray_DIM(a->indptr, 0) != n + 1) {
        PyErr_Format(PyExc_ValueError, "X.indptr has length %zd; it must be n + 1 = %zd",
                     (Py_ssize_t)PyArray_DIM(a->indptr, 0), n + 1);
        goto fail;
    }
    npy_intp nnz = PyArray_DIM(a->indices, 0);
    if (PyArray_DIM(a->data, 0) != nnz) {
        PyErr_Format(PyExc_ValueError, "X.data has %zd values but X.indices %zd",
                     (Py_ssize_t)PyArray_DIM(a->data, 0), (Py_ssize_t)nnz);
        goto fail;
    }
    a->X.n = n;
    a->X.d = d;
    a->X.indptr = (const int64_t *)PyArray_DATA(a->indptr);
    if (PyArray_TYPE(a->indices) == NPY_INT32)
        a->X.indices32 = (const int32_t *)PyArray_DATA(a->indices);
    else
        a->X.indices64 = (const int64_t *)PyArray_DATA(a->indices);
    a->X.data = (const double *)PyArray_DATA(a->data);
    int64_t *mark = (int64_t *)alloc_scratch((size_t)d, sizeof(int64_t), "sparse X");
    if (mark == NULL) goto fail;
    seg_idx row = -1;
    seg_csr_problem pr;
    Py_BEGIN_ALLOW_THREADS
    pr = seg_csr_check(&a->X, nnz, check_values, &row, mark);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(mark);
    switch (pr) {
    case SEG_CSR_OK: return 0;
    case SEG_CSR_BAD_SHAPE: PyErr_SetString(PyExc_ValueError, "X: malformed sparse matrix"); break;
    case SEG_CSR_BAD_INDPTR:
        PyErr_Format(PyExc_ValueError,
                     "X.indptr must start at 0 and never decrease (it does at row %zd)", row);
        break;
    case SEG_CSR_BAD_NNZ:
        PyErr_Format(PyExc_ValueError,
                     "X.indptr must end at the number of stored values, %zd (row %zd)",
                     (Py_ssize_t)nnz, row);
        break;
    case SEG_CSR_BAD_INDEX:
        PyErr_Format(PyExc_ValueError, "X.indices has a column outside [0, %zd) in row %zd", d,
                     row);
        break;
    case SEG_CSR_DUPLICATE:
        PyErr_Format(PyExc_ValueError,
                     "X stores the same column twice in row %zd; call X.sum_duplicates() first",
                     row);
        break;
    case SEG_CSR_NONFINITE:
        PyErr_Format(PyExc_ValueError, "X stores NaN or infinity in row %zd", row);
        break;
    }
fail:
    csr_release(a);
    return -1;
}

static PyObject *py_sparse_kmeans_fit_runs(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X",        "n_clusters", "seeds", "init_centers", "sample_weight",
                             "n_trials", "max_iter",   "tol",   "n_threads",    NULL};
    PyObject *xo, *so = Py_None, *io = Py_None, *wo = Py_None, *result = NULL;
    Py_ssize_t k, trials = 0;
    int max_iter = 300, n_threads = 0;
    double tol = 0.0;
    csr_arrays A = {0};
    PyArrayObject *S = NULL, *Init = NULL, *W = NULL, *C = NULL, *L = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "On|OOOnidi", kwlist, &xo, &k, &so, &io, &wo,
                                     &trials, &max_iter, &tol, &n_threads))
        return NULL;
    if (get_csr(xo, &A, 1) < 0) goto done;
    npy_intp n = A.X.n, d = A.X.d;
    if (k < 1 || k > n) {
        PyErr_Format(PyExc_ValueError, "n_clusters must be between 1 and the %zd rows of X, got %zd",
                     (Py_ssize_t)n, k);
        goto done;
    }
    npy_intp n_init;
    if (get_run_starts(so, io, k, d, &S, &Init, &n_init) < 0) goto done;
    if ((trials = check_trials(trials, k)) < 0) goto done;
    if (check_lloyd_args(max_iter, tol, 0) < 0) goto done;
    if (get_weights(wo, n, 1, &W) < 0) goto done;
    if (alloc_check((size_t)k, (size_t)d * sizeof(double), "sparse kmeans centres") < 0) goto done;
    npy_intp cdims[2] = {k, d}, ldims[1] = {n};
    C = (PyArrayObject *)PyArray_SimpleNew(2, cdims, NPY_FLOAT64);
    L = (PyArrayObject *)PyArray_SimpleNew(1, ldims, NPY_INT32);
    if (C == NULL || L == NULL) goto done;
    seg_kmeans_params params = run_params(k, n_init, S, Init, trials, max_iter, tol, n_threads);
    work = alloc_work(seg_sparse_runs_work_size(n, d, &params), "kmeans");
    if (work == NULL) goto done;
    seg_kmeans_runs_out out = {(double *)PyArray_DATA(C), (int32_t *)PyArray_DATA(L), 0.0, 0, 0, 0};
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_sparse_kmeans_fit_runs(&A.X, W ? (const double *)PyArray_DATA(W) : NULL, &params,
                                    &INTERRUPT, &out, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans", &why);
        goto done;
    }
    result = runs_result(self, L, C, &out);
done:
    PyMem_RawFree(work);
    csr_release(&A);
    Py_XDECREF(S);
    Py_XDECREF(Init);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(L);
    return result;
}

static PyObject *py_sparse_kmeans_plusplus(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "n_clusters", "sample_weight", "n_trials", "seed", "n_threads",
                             NULL};
    PyObject *xo, *wo = Py_None, *result = NULL;
    Py_ssize_t k, trials = 0;
    unsigned long long seed = 0;
    int n_threads = 0;
    csr_arrays A = {0};
    PyArrayObject *W = NULL, *C = NULL, *Idx = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "On|OnKi", kwlist, &xo, &k, &wo, &trials, &seed,
                                     &n_threads))
        return NULL;
    if (get_csr(xo, &A, 1) < 0) goto done;
    npy_intp n = A.X.n, d = A.X.d;
    if (k < 1 || k > n) {
        PyErr_Format(PyExc_ValueError, "n_clusters must be between 1 and the %zd rows of X, got %zd",
                     (Py_ssize_t)n, k);
        goto done;
    }
    if ((trials = check_trials(trials, k)) < 0) goto done;
    if (get_weights(wo, n, 1, &W) < 0) goto done;
    if (alloc_check((size_t)k, (size_t)d * sizeof(double), "kmeans_plusplus centres") < 0)
        goto done;
    npy_intp cdims[2] = {k, d}, idims[1] = {k};
    C = (PyArrayObject *)PyArray_SimpleNew(2, cdims, NPY_FLOAT64);
    Idx = (PyArrayObject *)PyArray_SimpleNew(1, idims, NPY_INTP);
    if (C == NULL || Idx == NULL) goto done;
    work = alloc_work(seg_sparse_plusplus_work_size(n, d, k, trials), "kmeans_plusplus");
    if (work == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_sparse_kmeans_plusplus(&A.X, W ? (const double *)PyArray_DATA(W) : NULL, k, trials,
                                    (uint64_t)seed, n_threads, &INTERRUPT,
                                    (double *)PyArray_DATA(C), (seg_idx *)PyArray_DATA(Idx),
                                    work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_plusplus", &why);
        goto done;
    }
    result = named(state_of(self)->kmeans_seeds, Py_BuildValue("(OO)", C, Idx));
done:
    PyMem_RawFree(work);
    csr_release(&A);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(Idx);
    return result;
}

/* predict (labels, inertia) or, with transform, the n x k distances. */
static PyObject *sparse_predict_or_transform(PyObject *self, PyObject *args, PyObject *kwds,
                                             int transform) {
    static char *kwlist[] = {"X", "centers", "sample_weight", "n_threads", NULL};
    static char *kwlist_t[] = {"X", "centers", "n_threads", NULL};
    PyObject *xo, *co, *wo = Py_None, *result = NULL;
    int n_threads = 0;
    csr_arrays A = {0};
    PyArrayObject *W = NULL, *C = NULL, *L = NULL, *D = NULL;
    double *work = NULL;
    int ok = transform ? PyArg_ParseTupleAndKeywords(args, kwds, "OO|i", kwlist_t, &xo, &co,
                                                     &n_threads)
                       : PyArg_ParseTupleAndKeywords(args, kwds, "OO|Oi", kwlist, &xo, &co, &wo,
                                                     &n_threads);
    if (!ok) return NULL;
    const char *what = transform ? "kmeans_transform" : "kmeans_predict";
    if (get_csr(xo, &A, 1) < 0) goto done;
    npy_intp n = A.X.n, d = A.X.d;
    if ((C = get_centers(co, d)) == NULL) goto done;
    npy_intp k = PyArray_DIM(C, 0);
    if (get_weights(wo, n, 1, &W) < 0) goto done;
    work = alloc_work(seg_sparse_predict_work_size(n, d, k), what);
    if (work == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    double inertia = 0.0;
    if (transform) {
        if (alloc_check((size_t)n, (size_t)k * sizeof(double), what) < 0) goto done;
        npy_intp ddims[2] = {n, k};
        if ((D = (PyArrayObject *)PyArray_SimpleNew(2, ddims, NPY_FLOAT64)) == NULL) goto done;
        Py_BEGIN_ALLOW_THREADS
        st = seg_sparse_kmeans_transform(&A.X, (const double *)PyArray_DATA(C), k, n_threads,
                                         &INTERRUPT, (double *)PyArray_DATA(D), work, &why);
        Py_END_ALLOW_THREADS
    } else {
        npy_intp ldims[1] = {n};
        if ((L = (PyArrayObject *)PyArray_SimpleNew(1, ldims, NPY_INT32)) == NULL) goto done;
        Py_BEGIN_ALLOW_THREADS
        st = seg_sparse_kmeans_predict(&A.X, W ? (const double *)PyArray_DATA(W) : NULL,
                                       (const double *)PyArray_DATA(C), k, n_threads, &INTERRUPT,
                                       (int32_t *)PyArray_DATA(L), &inertia, work, &why);
        Py_END_ALLOW_THREADS
    }
    if (st != SEG_OK) {
        raise_detail(st, what, &why);
        goto done;
    }
    result = transform ? (PyObject *)D
                       : named(state_of(self)->kmeans_prediction,
                               Py_BuildValue("(Od)", L, inertia));
    if (transform) D = NULL;
done:
    PyMem_RawFree(work);
    csr_release(&A);
    Py_XDECREF(W);
    Py_XDECREF(C);
    Py_XDECREF(L);
    Py_XDECREF(D);
    return result;
}

static PyObject *py_sparse_kmeans_predict(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    return sparse_predict_or_transform(self, args, kwds, 0);
}

static PyObject *py_sparse_kmeans_transform(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    return sparse_predict_or_transform(self, args, kwds, 1);
}

static PyObject *py_sparse_mean_variance(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "n_threads", NULL};
    PyObject *xo, *result = NULL;
    int n_threads = 0;
    csr_arrays A = {0};
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i", kwlist, &xo, &n_threads)) return NULL;
    if (get_csr(xo, &A, 1) < 0) goto done;
    work = alloc_work(seg_sparse_variance_work_size(A.X.n, A.X.d), "kmeans_mean_variance");
    if (work == NULL) goto done;
    double var = 0.0;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_sparse_mean_variance(&A.X, n_threads, &INTERRUPT, &var, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "kmeans_mean_variance", &why);
        goto done;
    }
    result = PyFloat_FromDouble(var);
done:
    PyMem_RawFree(work);
    csr_release(&A);
    return result;
}

static PyObject *py_sparse_silhouette_samples(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X", "labels", "n_clusters", "n_threads", NULL};
    PyObject *xo, *lo, *result = NULL;
    Py_ssize_t k;
    int n_threads = 0;
    csr_arrays A = {0};
    PyArrayObject *L = NULL, *S = NULL;
    double *work = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOn|i", kwlist, &xo, &lo, &k, &n_threads))
        return NULL;
    if (get_csr(xo, &A, 1) < 0) goto done;
    npy_intp n = A.X.n;
    if ((L = get_codes(lo, n, k, "labels")) == NULL) goto done;
    int nt = seg_resolve_threads(n_threads);
    npy_intp sdims[1] = {n};
    if ((S = (PyArrayObject *)PyArray_SimpleNew(1, sdims, NPY_FLOAT64)) == NULL) goto done;
    work = alloc_work(seg_sparse_silhouette_work_size(n, A.X.d, k, nt), "silhouette");
    if (work == NULL) goto done;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_sparse_silhouette_samples(&A.X, (const int32_t *)PyArray_DATA(L), k, nt, &INTERRUPT,
                                       (double *)PyArray_DATA(S), work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "silhouette", &why);
        goto done;
    }
    result = (PyObject *)S;
    S = NULL;
done:
    PyMem_RawFree(work);
    csr_release(&A);
    Py_XDECREF(L);
    Py_XDECREF(S);
    return result;
}

#define SEG_SPARSE_X_DOC "X is a tuple (indptr, indices, data, n, d) of CSR arrays. "

#define SEG_SPARSE_METHODS                                                                    \
    {"sparse_kmeans_fit_runs", (PyCFunction)(void (*)(void))py_sparse_kmeans_fit_runs,         \
     METH_VARARGS | METH_KEYWORDS,                                                            \
     "sparse_kmeans_fit_runs(X, n_clusters, seeds=None, init_centers=None, "                  \
     "sample_weight=None, n_trials=0, max_iter=300, tol=0.0, n_threads=0)\n--\n\n"            \
     SEG_SPARSE_X_DOC "As kmeans_fit_runs (Lloyd only)."},                                    \
    {"sparse_kmeans_plusplus", (PyCFunction)(void (*)(void))py_sparse_kmeans_plusplus,         \
     METH_VARARGS | METH_KEYWORDS,                                                            \
     "sparse_kmeans_plusplus(X, n_clusters, sample_weight=None, n_trials=0, seed=0, "         \
     "n_threads=0)\n--\n\n" SEG_SPARSE_X_DOC "As kmeans_plusplus."},                          \
    {"sparse_kmeans_predict", (PyCFunction)(void (*)(void))py_sparse_kmeans_predict,           \
     METH_VARARGS | METH_KEYWORDS,                                                            \
     "sparse_kmeans_predict(X, centers, sample_weight=None, n_threads=0)\n--\n\n"             \
     SEG_SPARSE_X_DOC "Returns KMeansPrediction(labels int32, inertia)."},                    \
    {"sparse_kmeans_transform", (PyCFunction)(void (*)(void))py_sparse_kmeans_transform,       \
     METH_VARARGS | METH_KEYWORDS,                                                            \
     "sparse_kmeans_transform(X, centers, n_threads=0)\n--\n\n" SEG_SPARSE_X_DOC              \
     "Euclidean distances (n, k) to the centres."},                                           \
    {"sparse_mean_variance", (PyCFunction)(void (*)(void))py_sparse_mean_variance,             \
     METH_VARARGS | METH_KEYWORDS,                                                            \
     "sparse_mean_variance(X, n_threads=0)\n--\n\n" SEG_SPARSE_X_DOC                          \
     "Mean over the columns of each column's population variance, zeros included."},          \
    {"sparse_silhouette_samples", (PyCFunction)(void (*)(void))py_sparse_silhouette_samples,   \
     METH_VARARGS | METH_KEYWORDS,                                                            \
     "sparse_silhouette_samples(X, labels, n_clusters, n_threads=0)\n--\n\n"                  \
     SEG_SPARSE_X_DOC "Exact silhouette of every row; labels are int32 codes."},
