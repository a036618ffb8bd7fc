/* The glue of the PLS path-model kernels (csrc/seg_pls.h), #included by
 * _coremodule.c after its shared helpers, as _sparse_glue.c is. Same rules:
 * convert, re-check everything the kernels rely on (seg_pls_check_model
 * verifies the model's structure: blocks, modes, paths, acyclicity),
 * allocate with the GIL, release it around the kernels, one `done:` label.
 *
 * A model arrives as four arrays: block (m + 1 increasing item offsets,
 * construct j owns items [block[j], block[j + 1])), mode_b (m values 0/1),
 * path_from and path_to (construct numbers of the structural paths), plus
 * scheme (0 path, 1 factorial, 2 centroid), max_iter and tol.
 */

typedef struct pls_args {
    PyArrayObject *block, *mode_b, *from, *to;
    seg_idx *blk;
    int8_t *modes, *adj;
    seg_pls_model mod;
} pls_args;

static void pls_release(pls_args *a) {
    Py_CLEAR(a->block);
    Py_CLEAR(a->mode_b);
    Py_CLEAR(a->from);
    Py_CLEAR(a->to);
    PyMem_RawFree(a->blk);
    PyMem_RawFree(a->modes);
    PyMem_RawFree(a->adj);
    a->blk = NULL;
    a->modes = a->adj = NULL;
}

static int pls_get_model(PyObject *blocko, PyObject *modeo, PyObject *fromo, PyObject *too,
                         int scheme, int max_iter, double tol, int missing_mean, pls_args *a) {
    memset(a, 0, sizeof *a);
    if ((a->block = get_ints(blocko, -1, 0, (unsigned long long)INT32_MAX, "block")) == NULL)
        goto fail;
    npy_intp m = PyArray_DIM(a->block, 0) - 1;
    if (m < 2) {
        PyErr_Format(PyExc_ValueError, "block must hold m + 1 >= 3 offsets, got %zd",
                     (Py_ssize_t)(m + 1));
        goto fail;
    }
    if ((a->mode_b = get_ints(modeo, -1, 0, 1, "mode_b")) == NULL) goto fail;
    if ((a->from = get_ints(fromo, -1, 0, (unsigned long long)(m - 1), "path_from")) == NULL)
        goto fail;
    if ((a->to = get_ints(too, -1, 0, (unsigned long long)(m - 1), "path_to")) == NULL) goto fail;
    if (PyArray_DIM(a->mode_b, 0) != m || PyArray_DIM(a->from, 0) != PyArray_DIM(a->to, 0)) {
        PyErr_Format(PyExc_ValueError,
                     "mode_b must have one value per construct (%zd) and path_from, path_to "
                     "the same length",
                     (Py_ssize_t)m);
        goto fail;
    }
    a->blk = (seg_idx *)alloc_scratch((size_t)(m + 1), sizeof(seg_idx), "pls model");
    a->modes = (int8_t *)alloc_scratch((size_t)m, 1, "pls model");
    a->adj = (int8_t *)alloc_scratch((size_t)(m * m), 1, "pls model");
    if (a->blk == NULL || a->modes == NULL || a->adj == NULL) goto fail;
    const npy_int64 *b = (const npy_int64 *)PyArray_DATA(a->block);
    const npy_int64 *mb = (const npy_int64 *)PyArray_DATA(a->mode_b);
    const npy_int64 *pf = (const npy_int64 *)PyArray_DATA(a->from);
    const npy_int64 *pt = (const npy_int64 *)PyArray_DATA(a->to);
    for (npy_intp j = 0; j <= m; j++) a->blk[j] = (seg_idx)b[j];
    for (npy_intp j = 0; j < m; j++) a->modes[j] = (int8_t)mb[j];
    memset(a->adj, 0, (size_t)(m * m));
    for (npy_intp k = 0; k < PyArray_DIM(a->from, 0); k++) a->adj[pf[k] * m + pt[k]] = 1;
    seg_pls_model mod = {(seg_idx)b[m], (seg_idx)m, a->blk, a->modes,    a->adj,
                         scheme,        max_iter,   tol,    missing_mean};
    a->mod = mod;
    if (mod.p < 1) {
        PyErr_SetString(PyExc_ValueError, "block must end at the number of items (>= 1)");
        goto fail;
    }
    double *scratch = alloc_scratch((size_t)m, sizeof(double), "pls model");
    if (scratch == NULL) goto fail;
    seg_detail why = {NULL, -1};
    seg_status st = seg_pls_check_model(&a->mod, scratch, &why);
    PyMem_RawFree(scratch);
    if (st != SEG_OK) {
        raise_detail(st, "pls model", &why);
        goto fail;
    }
    return 0;
fail:
    pls_release(a);
    return -1;
}

/* A rows x cols float64 matrix (rows < 0: any), finite; with allow_nan, NaN
 * (a missing answer) passes too, infinity does not. */
static PyArrayObject *pls_matrix(PyObject *obj, npy_intp rows, npy_intp cols, const char *name,
                                 int allow_nan) {
    PyArrayObject *R = as_array(obj, NPY_FLOAT64, 2, name);
    if (R == NULL) return NULL;
    if ((rows >= 0 && PyArray_DIM(R, 0) != rows) || PyArray_DIM(R, 1) != cols) {
        PyErr_Format(PyExc_ValueError, "%s must have shape (%zd, %zd), got (%zd, %zd)", name,
                     (Py_ssize_t)(rows >= 0 ? rows : PyArray_DIM(R, 0)), (Py_ssize_t)cols,
                     (Py_ssize_t)PyArray_DIM(R, 0), (Py_ssize_t)PyArray_DIM(R, 1));
        Py_DECREF(R);
        return NULL;
    }
    const double *v = (const double *)PyArray_DATA(R);
    for (npy_intp i = 0; i < PyArray_SIZE(R); i++) {
        if (isfinite(v[i]) || (allow_nan && isnan(v[i]))) continue;
        PyErr_Format(PyExc_ValueError, "%s contains %s (at flat index %zd)", name,
                     allow_nan ? "infinity" : "NaN or infinity", (Py_ssize_t)i);
        Py_DECREF(R);
        return NULL;
    }
    return R;
}

static PyObject *py_pls_estimate(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"R",      "block",    "mode_b", "path_from", "path_to",
                             "scheme", "max_iter", "tol",    NULL};
    PyObject *ro, *bo, *mo, *fo, *to, *result = NULL;
    int scheme = 0, max_iter = 300;
    double tol = 1e-7;
    PyArrayObject *R = NULL, *W = NULL, *L = NULL, *C = NULL, *P = NULL, *R2 = NULL;
    double *work = NULL;
    pls_args a;
    memset(&a, 0, sizeof a);
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOO|iid", kwlist, &ro, &bo, &mo, &fo, &to,
                                     &scheme, &max_iter, &tol))
        return NULL;
    if (pls_get_model(bo, mo, fo, to, scheme, max_iter, tol, 0, &a) < 0) goto done;
    npy_intp p = a.mod.p, m = a.mod.m, pd[1] = {p}, md[1] = {m}, mm[2] = {m, m};
    if ((R = pls_matrix(ro, p, p, "R", 0)) == NULL) goto done;
    W = (PyArrayObject *)PyArray_SimpleNew(1, pd, NPY_FLOAT64);
    L = (PyArrayObject *)PyArray_SimpleNew(1, pd, NPY_FLOAT64);
    C = (PyArrayObject *)PyArray_SimpleNew(2, mm, NPY_FLOAT64);
    P = (PyArrayObject *)PyArray_SimpleNew(2, mm, NPY_FLOAT64);
    R2 = (PyArrayObject *)PyArray_SimpleNew(1, md, NPY_FLOAT64);
    if (W == NULL || L == NULL || C == NULL || P == NULL || R2 == NULL) goto done;
    if ((work = alloc_work(seg_pls_work_size(&a.mod), "pls_estimate")) == NULL) goto done;
    seg_pls_fit fit = {(double *)PyArray_DATA(W), (double *)PyArray_DATA(L),
                       (double *)PyArray_DATA(C), (double *)PyArray_DATA(P),
                       (double *)PyArray_DATA(R2), 0, 0, 0.0};
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_pls_estimate(&a.mod, (const double *)PyArray_DATA(R), &fit, work, &why);
    Py_END_ALLOW_THREADS
    if (st == SEG_EDEGENERATE) { /* the data's fault: the caller names the construct */
        result = Py_BuildValue("{s:s,s:n}", "error", why.reason, "index", (Py_ssize_t)why.index);
        goto done;
    }
    if (st != SEG_OK) {
        raise_detail(st, "pls_estimate", &why);
        goto done;
    }
    result = Py_BuildValue("{s:O,s:O,s:O,s:O,s:O,s:i,s:O,s:d}", "weights", W, "loadings", L,
                           "cor", C, "paths", P, "r2", R2, "iterations", fit.iterations,
                           "converged", fit.converged ? Py_True : Py_False, "weight_diff",
                           fit.weight_diff);
done:
    PyMem_RawFree(work);
    pls_release(&a);
    Py_XDECREF(R);
    Py_XDECREF(W);
    Py_XDECREF(L);
    Py_XDECREF(C);
    Py_XDECREF(P);
    Py_XDECREF(R2);
    return result;
}

static PyObject *py_pls_htmt(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"R", "block", NULL};
    PyObject *ro, *bo, *result = NULL;
    PyArrayObject *B = NULL, *R = NULL, *H = NULL;
    seg_idx *blk = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO", kwlist, &ro, &bo)) return NULL;
    if ((B = get_ints(bo, -1, 0, (unsigned long long)INT32_MAX, "block")) == NULL) goto done;
    npy_intp m = PyArray_DIM(B, 0) - 1;
    const npy_int64 *b = (const npy_int64 *)PyArray_DATA(B);
    int ok = m >= 1 && b[0] == 0;
    for (npy_intp j = 0; ok && j < m; j++) ok = b[j + 1] > b[j];
    if (!ok) {
        PyErr_SetString(PyExc_ValueError,
                        "block must be m + 1 >= 2 increasing offsets starting at 0");
        goto done;
    }
    npy_intp p = (npy_intp)b[m], mm[2] = {m, m};
    if ((R = pls_matrix(ro, p, p, "R", 0)) == NULL) goto done;
    if ((blk = (seg_idx *)alloc_scratch((size_t)(m + 1), sizeof(seg_idx), "pls_htmt")) == NULL)
        goto done;
    for (npy_intp j = 0; j <= m; j++) blk[j] = (seg_idx)b[j];
    if ((H = (PyArrayObject *)PyArray_SimpleNew(2, mm, NPY_FLOAT64)) == NULL) goto done;
    seg_pls_model mod = {(seg_idx)p, (seg_idx)m, blk, NULL, NULL, 0, 0, 1.0, 0};
    seg_pls_htmt(&mod, (const double *)PyArray_DATA(R), (double *)PyArray_DATA(H));
    result = (PyObject *)H;
    H = NULL;
done:
    PyMem_RawFree(blk);
    Py_XDECREF(B);
    Py_XDECREF(R);
    Py_XDECREF(H);
    return result;
}

static PyObject *py_pls_bootstrap(PyObject *self, PyObject *args, PyObject *kwds) {
    (void)self;
    static char *kwlist[] = {"X",     "block",    "mode_b", "path_from", "path_to", "scheme",
                             "max_iter", "tol",   "seed",   "first",     "count",   "rows",
                             "n_threads", "missing_mean", NULL};
    PyObject *xo, *bo, *mo, *fo, *to, *rowso = Py_None, *result = NULL;
    int scheme = 0, max_iter = 300, n_threads = 0, missing_mean = 0;
    double tol = 1e-7;
    unsigned long long seed = 0;
    Py_ssize_t first = 0, count = 0;
    PyArrayObject *X = NULL, *Rows = NULL, *raw = NULL;
    PyArrayObject *Pa = NULL, *Lo = NULL, *We = NULL, *Ht = NULL, *To = NULL, *St = NULL,
                  *It = NULL;
    double *work = NULL;
    pls_args a;
    memset(&a, 0, sizeof a);
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOO|iidKnnOip", kwlist, &xo, &bo, &mo, &fo,
                                     &to, &scheme, &max_iter, &tol, &seed, &first, &count, &rowso,
                                     &n_threads, &missing_mean))
        return NULL;
    if (pls_get_model(bo, mo, fo, to, scheme, max_iter, tol, missing_mean, &a) < 0) goto done;
    npy_intp p = a.mod.p, m = a.mod.m;
    if ((X = pls_matrix(xo, -1, p, "X", missing_mean)) == NULL) goto done;
    npy_intp n = PyArray_DIM(X, 0), n_rows = 0;
    if (n < 2) {
        PyErr_Format(PyExc_ValueError, "X must have at least 2 rows, got %zd", (Py_ssize_t)n);
        goto done;
    }
    if (rowso != Py_None) {
        if ((raw = (PyArrayObject *)PyArray_FROM_OF(rowso, 0)) == NULL) goto done;
        if (PyArray_NDIM(raw) != 2 || !PyArray_ISINTEGER(raw)) {
            PyErr_SetString(PyExc_TypeError, "rows must be a 2-D array of integers");
            goto done;
        }
        Rows = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)raw, NPY_INT64,
                                                 NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
        if (Rows == NULL) goto done;
        count = PyArray_DIM(Rows, 0);
        n_rows = PyArray_DIM(Rows, 1);
    }
    if (count < 0 || first < 0) {
        PyErr_SetString(PyExc_ValueError, "first and count must be >= 0");
        goto done;
    }
    npy_intp cmm[3] = {count, m, m}, cp[2] = {count, p}, c1[1] = {count};
    if (alloc_check((size_t)count, (size_t)(3 * m * m + 2 * p) * sizeof(double),
                    "pls_bootstrap") < 0)
        goto done;
    Pa = (PyArrayObject *)PyArray_SimpleNew(3, cmm, NPY_FLOAT64);
    Ht = (PyArrayObject *)PyArray_SimpleNew(3, cmm, NPY_FLOAT64);
    To = (PyArrayObject *)PyArray_SimpleNew(3, cmm, NPY_FLOAT64);
    Lo = (PyArrayObject *)PyArray_SimpleNew(2, cp, NPY_FLOAT64);
    We = (PyArrayObject *)PyArray_SimpleNew(2, cp, NPY_FLOAT64);
    St = (PyArrayObject *)PyArray_SimpleNew(1, c1, NPY_INT8);
    It = (PyArrayObject *)PyArray_SimpleNew(1, c1, NPY_INT32);
    if (!Pa || !Ht || !To || !Lo || !We || !St || !It) goto done;
    if ((work = alloc_work(seg_pls_boot_work_size(&a.mod, n, n_threads), "pls_bootstrap")) == NULL)
        goto done;
    seg_pls_boot_out out = {(double *)PyArray_DATA(Pa), (double *)PyArray_DATA(Lo),
                            (double *)PyArray_DATA(We), (double *)PyArray_DATA(Ht),
                            (double *)PyArray_DATA(To), (int8_t *)PyArray_DATA(St),
                            (int32_t *)PyArray_DATA(It)};
    const int64_t *rows = Rows ? (const int64_t *)PyArray_DATA(Rows) : NULL;
    seg_detail why = {NULL, -1};
    seg_status st;
    Py_BEGIN_ALLOW_THREADS
    st = seg_pls_bootstrap(&a.mod, (const double *)PyArray_DATA(X), n, (uint64_t)seed, first,
                           count, rows, n_rows, n_threads, &INTERRUPT, &out, work, &why);
    Py_END_ALLOW_THREADS
    if (st != SEG_OK) {
        raise_detail(st, "pls_bootstrap", &why);
        goto done;
    }
    result = Py_BuildValue("{s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "paths", Pa, "loadings", Lo,
                           "weights", We, "htmt", Ht, "total", To, "status", St, "iterations",
                           It);
done:
    PyMem_RawFree(work);
    pls_release(&a);
    Py_XDECREF(X);
    Py_XDECREF(raw);
    Py_XDECREF(Rows);
    Py_XDECREF(Pa);
    Py_XDECREF(Lo);
    Py_XDECREF(We);
    Py_XDECREF(Ht);
    Py_XDECREF(To);
    Py_XDECREF(St);
    Py_XDECREF(It);
    return result;
}

#define SEG_PLS_MODEL_DOC                                                                      \
    "The model: block (m + 1 increasing item offsets), mode_b (m values 0/1), path_from, "     \
    "path_to (construct numbers), scheme (0 path, 1 factorial, 2 centroid), max_iter, tol. "

#define SEG_PLS_METHODS                                                                       \
    {"pls_estimate", (PyCFunction)(void (*)(void))py_pls_estimate,                            \
     METH_VARARGS | METH_KEYWORDS,                                                            \
     "pls_estimate(R, block, mode_b, path_from, path_to, scheme=0, max_iter=300, "            \
     "tol=1e-7)\n--\n\n" SEG_PLS_MODEL_DOC                                                    \
     "PLS path model on the item correlation matrix R (p, p): a dict of weights, loadings "   \
     "(p,), cor, paths (m, m), r2 (m,), iterations, converged, weight_diff; or, for "         \
     "degenerate data, a dict of error (the reason) and index (the construct)."},             \
    {"pls_htmt", (PyCFunction)(void (*)(void))py_pls_htmt, METH_VARARGS | METH_KEYWORDS,      \
     "pls_htmt(R, block)\n--\n\nHTMT (m, m) of the item blocks from the correlation matrix "  \
     "R."},                                                                                   \
    {"pls_bootstrap", (PyCFunction)(void (*)(void))py_pls_bootstrap,                          \
     METH_VARARGS | METH_KEYWORDS,                                                            \
     "pls_bootstrap(X, block, mode_b, path_from, path_to, scheme=0, max_iter=300, tol=1e-7, " \
     "seed=0, first=0, count=0, rows=None, n_threads=0, missing_mean=False)\n--\n\n"       \
     SEG_PLS_MODEL_DOC                                                                        \
     "count resamples (numbered first.., seeded by (seed, number)) of the rows of X (n, p), " \
     "or one per row of rows (count, n_rows): a dict of paths, htmt, total (count, m, m), "   \
     "loadings, weights (count, p), status (int8: 0 ok, 1 not converged, 2 degenerate) and "  \
     "iterations (int32). missing_mean: NaN in X is a missing answer, replaced in every "     \
     "resample by the item's mean over the resample's answers."},
