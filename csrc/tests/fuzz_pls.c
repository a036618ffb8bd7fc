/* fuzz_pls.c: a libFuzzer harness over the PLS path-model kernels (seg_pls.h).
 *
 *   make -C csrc fuzz-pls     builds build/fuzz_pls and runs it
 *
 * A binary of its own, so that the inputs saved for fuzz_kernels.c and
 * fuzz_sparse.c keep driving the kernels they were saved for. Each input
 * decodes into a model (2 to 5 constructs of 1 to 4 items, Mode A or B,
 * any set of paths: cycles, self paths and lonely constructs included; a
 * scheme; 0 to 40 iterations), a data matrix of 2 to 24 rows whose values
 * come from edge classes (small integers for ties and constant items,
 * uniform, 10^e from denormal to overflow, NaN, +-inf, +-0) and a p x p
 * matrix of such values. seg_pls_check_model must refuse every malformed
 * model; only then, as the glue does, the kernels run: the estimate on the
 * arbitrary matrix (SEG_OK or SEG_EDEGENERATE, never a crash), and the
 * bootstrap on the data (SEG_ENONFINITE exactly when a value is not
 * finite) with drawn rows and with an explicit row set. On SEG_OK the
 * harness checks the contract: every resample's status is one of the
 * three; the outputs of a used resample are finite (HTMT may be NaN, for
 * a block of uncorrelated items), its loadings are correlations and its
 * HTMT is >= 0; a degenerate one is all NaN. Scratch
 * is sized by the *_work_size() functions exactly, so an overrun is an ASan
 * report.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seg_pls.h"

#define MAX_M 5
#define MAX_P 20
#define MAX_N 24

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t u8(reader *r) {
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

static double value(reader *r) {
    uint8_t c = u8(r);
    switch (c % 10) {
    case 0: return (double)((int)(u8(r) % 8) - 4);
    case 1: return (double)u8(r) / 255.0;
    case 2: return ((double)u8(r) / 255.0 + 0.5) * pow(10.0, (double)((int)(u8(r) % 64) * 10 - 320));
    case 3: return (c & 16) ? NAN : -INFINITY;
    case 4: return (c & 16) ? 0.0 : -0.0;
    default: return (double)((int)(c % 5));
    }
}

static void *need(seg_idx doubles) {
    if (doubles < 0) abort(); /* a work size must fit these small shapes */
    return malloc((size_t)(doubles > 0 ? doubles : 1) * sizeof(double));
}

static int all_finite(const double *x, seg_idx count) {
    for (seg_idx i = 0; i < count; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

static void check_boot(const seg_pls_model *mod, seg_idx count, const seg_pls_boot_out *o) {
    seg_idx p = mod->p, mm = mod->m * mod->m;
    for (seg_idx r = 0; r < count; r++) {
        int8_t st = o->status[r];
        if (st != SEG_PLS_BOOT_OK && st != SEG_PLS_BOOT_NOT_CONVERGED &&
            st != SEG_PLS_BOOT_DEGENERATE)
            abort();
        const double *pa = o->paths + r * mm, *ht = o->htmt + r * mm, *to = o->total + r * mm;
        const double *lo = o->loadings + r * p, *we = o->weights + r * p;
        if (st == SEG_PLS_BOOT_DEGENERATE) {
            for (seg_idx i = 0; i < mm; i++)
                if (!isnan(pa[i]) || !isnan(ht[i]) || !isnan(to[i])) abort();
            for (seg_idx i = 0; i < p; i++)
                if (!isnan(lo[i]) || !isnan(we[i])) abort();
            continue;
        }
        if (!all_finite(pa, mm) || !all_finite(to, mm) || !all_finite(lo, p) ||
            !all_finite(we, p))
            abort();
        for (seg_idx i = 0; i < p; i++)
            if (fabs(lo[i]) > 1.0 + 1e-9) abort();
        for (seg_idx i = 0; i < mm; i++) /* NaN: a block of uncorrelated items */
            if (!(ht[i] >= 0.0 && isfinite(ht[i])) && !isnan(ht[i])) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size};
    seg_idx m = 2 + u8(&r) % (MAX_M - 1), block[MAX_M + 1] = {0};
    int8_t mode_b[MAX_M], adj[MAX_M * MAX_M];
    for (seg_idx j = 0; j < m; j++) {
        uint8_t c = u8(&r);
        block[j + 1] = block[j] + 1 + c % 4;
        mode_b[j] = (int8_t)((c >> 2) & 1);
    }
    for (seg_idx i = 0; i < m * m; i++) adj[i] = (int8_t)((u8(&r) & 3) == 0);
    uint8_t opts = u8(&r);
    seg_pls_model mod = {block[m], m, block, mode_b, adj, opts % 3, (int)(opts / 3 % 41), 1e-7,
                         opts >= 123};
    seg_idx p = mod.p, n = 2 + u8(&r) % (MAX_N - 1);
    double *work = need(seg_pls_work_size(&mod));
    seg_status st = seg_pls_check_model(&mod, work, NULL);
    if (st != SEG_OK) {
        if (st != SEG_EINVAL) abort();
        free(work);
        return 0;
    }
    double X[MAX_N * MAX_P], R[MAX_P * MAX_P];
    int finite = 1; /* as the kernel wants: finite, or NaN with missing_mean */
    for (seg_idx i = 0; i < n * p; i++) {
        X[i] = value(&r);
        finite &= isfinite(X[i]) || (mod.missing_mean && isnan(X[i]));
    }
    int R_finite = 1;
    for (seg_idx i = 0; i < p * p; i++) {
        R[i] = value(&r);
        R_finite &= isfinite(R[i]) != 0;
    }
    if (R_finite) { /* the glue refuses non-finite R */
        double w[MAX_P], l[MAX_P], cor[MAX_M * MAX_M], paths[MAX_M * MAX_M], r2[MAX_M];
        seg_pls_fit fit = {w, l, cor, paths, r2, 0, 0, 0.0};
        seg_detail why = {NULL, -1};
        st = seg_pls_estimate(&mod, R, &fit, work, &why);
        if (st != SEG_OK && !(st == SEG_EDEGENERATE && why.reason && why.index >= 0 &&
                              why.index < m))
            abort();
    }
    int nt = 1 + u8(&r) % 2;
    double *bwork = need(seg_pls_boot_work_size(&mod, n, nt));
    enum { COUNT = 3 };
    double pa[COUNT * MAX_M * MAX_M], ht[COUNT * MAX_M * MAX_M], to[COUNT * MAX_M * MAX_M];
    double lo[COUNT * MAX_P], we[COUNT * MAX_P];
    int8_t status[COUNT];
    int32_t iters[COUNT];
    seg_pls_boot_out out = {pa, lo, we, ht, to, status, iters};
    st = seg_pls_bootstrap(&mod, X, n, u8(&r), u8(&r), COUNT, NULL, 0, nt, NULL, &out, bwork,
                           NULL);
    if (st != (finite ? SEG_OK : SEG_ENONFINITE)) abort();
    if (st == SEG_OK) check_boot(&mod, COUNT, &out);
    int64_t rows[COUNT * MAX_N];
    for (seg_idx i = 0; i < COUNT * n; i++) rows[i] = u8(&r) % n;
    st = seg_pls_bootstrap(&mod, X, n, 0, 0, COUNT, rows, n, nt, NULL, &out, bwork, NULL);
    if (st != (finite ? SEG_OK : SEG_ENONFINITE)) abort();
    if (st == SEG_OK) check_boot(&mod, COUNT, &out);
    free(bwork);
    free(work);
    return 0;
}
