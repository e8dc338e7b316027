/*
 * bench_regress.c — the OLS fit of `skillmat regress` (src/regress/fit.c, skm_reg_fit_run: no
 * absorbed effects, classical + HC1 standard errors) end to end on synthetic postings or on the
 * postings of a store (built with the project; run by hand, or by bench/regress_peers.py, which
 * times statsmodels and numpy in the same run):
 *
 *   build/bench_regress [--n N] [--p P] [--seed S] [--store PATH [--min-support M]] [--reps R]
 *                       [--threads T] [--dump-dir DIR] [--no-check]
 *
 *   --n N         rows (default 1000000)
 *   --p P         skills = regressors besides the intercept (default 256; 15 <= P <= 65536)
 *   --seed S      generator seed (default 1); the same n, p, seed give the same data
 *   --store PATH  the postings of this skillmat store instead (docs/hdf5-schema.md), read with the
 *                 public reader (skm_store_read_block and skm_store_read_column, blocks of 65,536
 *                 rows): the rows whose /postings/salary_annual is finite and > 0 (the others
 *                 dropped, order kept), y = ln salary_annual, x = the skill indicators (the row's
 *                 skill list; counts ignored); n and p come from the store (--n, --p refused;
 *                 --seed unused)
 *   --min-support M  with --store: skills listed by fewer than M of the kept rows are left out
 *                 (their columns dropped, the others renumbered in store order; default 1, so
 *                 only skills absent from every kept row go). A design that is still rank
 *                 deficient (aliased terms) stops the run with the aliased terms named: raise M
 *   --reps R      timed repetitions (default 5)
 *   --threads T   threads of the fit (default 2; 1..1024, what the CLI accepts)
 *   --dump-dir D  write D/indptr.i64, D/indices.i32, D/y.f64, D/coef.f64, D/se_hc1.f64,
 *                 D/se_classical.f64 (raw little-endian; coef and SEs: p + 1 values, intercept
 *                 first) and D/meta.txt ("n p nnz"); with --store also D/columns.i32 (the store
 *                 column of each regressor). With --store these are the kept rows and columns
 *   --no-check    skip the dense reference (below)
 *
 * Data: bench/synth_csr.h (k uniform in 5..15 distinct skills per row, weight ~ 1/(rank + 1)),
 * then, from the same xorshift state, y_i = 11 + sum_j beta_j x_ij + 0.3 z_i with the planted
 * beta_j = 0.1 sin(j) and z_i standard normal (Box-Muller, both values of each pair used).
 * Or, with --store, the store's rows as described above (no planted beta: whatever premiums a
 * synthetic store planted are the store writer's business, not checked here).
 *
 * 1. One untimed fit (the one dumped). When n p^2 <= 3e11 and not --no-check, it is checked
 *    against an independent dense reference before anything is timed: X = [1, x] dense (n x
 *    (p + 1)) in blocks of rows, Gram by cblas_dsyrk (exact: integer counts), X'y by cblas_dgemv,
 *    solve by LAPACKE_dposv, (X'X)^-1 by LAPACKE_dpotri, residuals by cblas_dgemv, HC1 meat by
 *    cblas_dsyrk on the e-scaled rows, V = G^-1 M G^-1 n / (n - p - 1). Coefficients must agree
 *    to 1e-9 relative (where |coef| > 1e-3; else 1e-12 absolute), HC1 and classical SEs to 1e-8
 *    relative; the largest differences are printed; any disagreement: message, exit 1.
 *    The planted-beta recovery is printed: z_j = (coef_j - beta_j) / se_hc1_j (max |z|, rms z);
 *    synthetic data only (with --store: recovery_zmax=nan in the RESULT line).
 * 2. --reps timed fits: skm_reg_fit_run with a fresh skm_reg_fit each (its allocation of the
 *    results is inside the timing; skm_reg_fit_free is not). Median and min seconds. Peak RSS:
 *    the process's high-water mark reset (/proc/self/clear_refs 5) just before the timed fits
 *    and read (VmHWM) after them: the design (CSR + y, as the CLI holds it) plus the fit's own
 *    peak; also the RSS before the fits (the design alone) and ru_maxrss of the whole run
 *    (includes the dense reference).
 *
 * Output: human-readable lines, and one line starting with "RESULT " (key=value; data=synth or
 * data=store, then also store_n, store_p, store_nnz: the store's matrix before rows and columns
 * were dropped).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "../kernels/kernels.h"
#include "../src/core/core.h"
#include "../src/regress/regress_impl.h"
#include "bench_util.h"
#include "synth_csr.h"

#define CHECK_MAX_WORK 3e11 /* n p^2 above which the dense reference is skipped */
#define TOL_COEF_REL 1e-9
#define TOL_COEF_ABS 1e-12 /* where |coef| <= 1e-3 */
#define TOL_SE_REL 1e-8
#define Y_INTERCEPT 11.0
#define Y_NOISE 0.3

static double planted_beta(size_t j) { return 0.1 * sin((double)j); }

/* ---- options ---- */

struct opts {
    size_t n, p;
    uint64_t seed;
    long reps;
    int threads;
    const char *dump_dir;
    int check;
    const char *store;   /* --store: the postings of this store instead of synthetic ones */
    int np_given;        /* --n or --p given */
    size_t min_support;  /* --store: columns with fewer kept rows are dropped */
    int min_support_given;
};

static void usage(void)
{
    fprintf(stderr, "usage: bench_regress [--n N] [--p P] [--seed S] [--store PATH [--min-support "
                    "M]]\n                     [--reps R] [--threads T] [--dump-dir DIR] "
                    "[--no-check]\n");
    exit(2);
}

static struct opts parse_opts(int argc, char **argv)
{
    struct opts o = {1000000, 256, 1, 5, 2, NULL, 1, NULL, 0, 1, 0};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--no-check")) {
            o.check = 0;
            continue;
        }
        if (!v)
            usage();
        ++i;
        o.np_given |= !strcmp(a, "--n") || !strcmp(a, "--p");
        if (synth_opt(a, v, &o.n, &o.p, &o.seed, &o.reps, usage))
            continue;
        if (!strcmp(a, "--threads"))
            o.threads = (int)parse_num(v, 1, 1024, usage);
        else if (!strcmp(a, "--dump-dir"))
            o.dump_dir = v;
        else if (!strcmp(a, "--store"))
            o.store = v;
        else if (!strcmp(a, "--min-support")) {
            o.min_support = (size_t)parse_num(v, 1, ~0ull >> 2, usage);
            o.min_support_given = 1;
        } else
            usage();
    }
    if (o.store && o.np_given) {
        fprintf(stderr, "bench_regress: --n and --p describe synthetic data: with --store, n and "
                        "p are the store's\n");
        exit(2);
    }
    if (!o.store && o.min_support_given) {
        fprintf(stderr, "bench_regress: --min-support goes with --store\n");
        exit(2);
    }
    return o;
}

/* ---- data: the postings of a store ---- */

/* Keep the columns of m listed by at least min_support rows, renumbered in order (indices stay
 * strictly increasing within a row); cols[j'] = the store column of new column j'. Returns the
 * number of columns dropped. */
static size_t drop_rare_columns(struct synth_csr *m, size_t min_support, int32_t **cols)
{
    const size_t p = m->p;
    int64_t *support = xcalloc(p, sizeof *support);
    int32_t *map = xmalloc(p, sizeof *map);
    for (size_t q = 0; q < m->nnz; ++q)
        support[m->indices[q]]++;
    size_t kept = 0;
    *cols = xmalloc(p, sizeof **cols);
    for (size_t j = 0; j < p; ++j) {
        map[j] = (size_t)support[j] >= min_support ? (int32_t)kept : -1;
        if (map[j] >= 0)
            (*cols)[kept++] = (int32_t)j;
    }
    size_t w = 0;
    int64_t b = 0;
    for (size_t r = 0; r < m->n; ++r) {
        const int64_t e = m->indptr[r + 1];
        for (int64_t q = b; q < e; ++q)
            if (map[m->indices[q]] >= 0)
                m->indices[w++] = map[m->indices[q]];
        b = e;
        m->indptr[r + 1] = (int64_t)w;
    }
    m->nnz = w;
    m->p = kept;
    free(support);
    free(map);
    return p - kept;
}

/* ---- data: y from the planted model ---- */

/* Standard normal by Box-Muller from the xorshift state; the second value of a pair is kept. */
static double std_normal(uint64_t *state, int *have, double *spare)
{
    if (*have) {
        *have = 0;
        return *spare;
    }
    const double u1 = ((double)(synth_next(state) >> 11) + 1.0) * 0x1p-53; /* (0, 1] */
    const double u2 = (double)(synth_next(state) >> 11) * 0x1p-53;         /* [0, 1) */
    const double r = sqrt(-2.0 * log(u1)), th = 2.0 * 3.14159265358979323846 * u2;
    *spare = r * sin(th);
    *have = 1;
    return r * cos(th);
}

static double *make_y(const struct synth_csr *m, uint64_t *state)
{
    double *beta = xmalloc(m->p, sizeof *beta), *y = xmalloc(m->n, sizeof *y), spare = 0;
    for (size_t j = 0; j < m->p; ++j)
        beta[j] = planted_beta(j);
    int have = 0;
    for (size_t r = 0; r < m->n; ++r) {
        double s = Y_INTERCEPT;
        for (int64_t q = m->indptr[r]; q < m->indptr[r + 1]; ++q)
            s += beta[m->indices[q]];
        y[r] = s + Y_NOISE * std_normal(state, &have, &spare);
    }
    free(beta);
    return y;
}

/* ---- memory ---- */

/* ---- dump for the Python peers ---- */

static void dump_all(const char *dir, const struct synth_csr *m, const double *y,
                     const skm_reg_fit *f, const int32_t *cols)
{
    dump_dir_make(dir);
    const size_t nk = (size_t)f->nk;
    if (cols)
        write_file(dir, "columns.i32", cols, m->p * sizeof *cols);
    write_file(dir, "indptr.i64", m->indptr, (m->n + 1) * sizeof *m->indptr);
    write_file(dir, "indices.i32", m->indices, m->nnz * sizeof *m->indices);
    write_file(dir, "y.f64", y, m->n * sizeof *y);
    write_file(dir, "coef.f64", f->coef, nk * sizeof *f->coef);
    write_file(dir, "se_hc1.f64", f->se_v[1], nk * sizeof *f->se_v[1]);
    write_file(dir, "se_classical.f64", f->se_v[0], nk * sizeof *f->se_v[0]);
    char meta[128];
    int len = snprintf(meta, sizeof meta, "%zu %zu %zu\n", m->n, m->p, m->nnz);
    write_file(dir, "meta.txt", meta, (size_t)len);
}

/* ---- the fit under test ---- */

static skm_ctx *ctx;

static void fit(const skm_reg_design *d, const skm_reg_opts *o, skm_reg_fit *f)
{
    memset(f, 0, sizeof *f);
    f->n_abs = 0;
    f->se = SKM_SE_CLASSICAL | SKM_SE_HC1;
    if (skm_reg_fit_run(ctx, d, o, f) != SKM_OK) {
        fprintf(stderr, "bench_regress: skm_reg_fit_run: %s\n", skm_ctx_errmsg(ctx));
        exit(1);
    }
}

/* ---- the dense reference ---- */

/* Rows r0 .. r0 + nr of [1, x] into X (nr x q, row-major). */
static void dense_rows(const struct synth_csr *m, size_t r0, size_t nr, double *X, size_t q)
{
    memset(X, 0, nr * q * sizeof *X);
    for (size_t i = 0; i < nr; ++i) {
        double *row = X + i * q;
        row[0] = 1.0;
        for (int64_t k = m->indptr[r0 + i]; k < m->indptr[r0 + i + 1]; ++k)
            row[1 + m->indices[k]] = 1.0;
    }
}

/* coef, classical and HC1 SEs (q = p + 1 each, intercept first). Exits when X'X is singular. */
static void dense_reference(const struct synth_csr *m, const double *y, double *coef,
                            double *se_cl, double *se_hc1)
{
    const size_t n = m->n, q = m->p + 1;
    size_t C = ((size_t)1 << 22) / q; /* ~32 MiB of rows */
    if (C < 64)
        C = 64;
    double *X = xmalloc(C * q, sizeof *X), *e = xmalloc(C, sizeof *e);
    double *G = xcalloc(q * q, sizeof *G), *M = xcalloc(q * q, sizeof *M);
    double *T = xmalloc(q * q, sizeof *T);
    for (size_t j = 0; j < q; ++j)
        coef[j] = 0;
    for (size_t r0 = 0; r0 < n; r0 += C) {
        const size_t nr = n - r0 < C ? n - r0 : C;
        dense_rows(m, r0, nr, X, q);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)q, (int)nr, 1.0, X, (int)q, 1.0,
                    G, (int)q);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)nr, (int)q, 1.0, X, (int)q, y + r0, 1, 1.0,
                    coef, 1);
    }
    /* G^-1: T = Cholesky factor, then its inverse */
    memcpy(T, G, q * q * sizeof *T);
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)q, 1, T, (lapack_int)q,
                                    coef, 1);
    if (info != 0) {
        fprintf(stderr, "bench_regress: dense reference: LAPACKE_dposv info %d (X'X singular: "
                        "a skill never drawn?)\n", (int)info);
        exit(1);
    }
    info = LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', (lapack_int)q, T, (lapack_int)q);
    if (info != 0) {
        fprintf(stderr, "bench_regress: dense reference: LAPACKE_dpotri info %d\n", (int)info);
        exit(1);
    }
    for (size_t a = 0; a < q; ++a) /* upper -> full */
        for (size_t b = a + 1; b < q; ++b)
            T[b * q + a] = T[a * q + b];
    const double *Ginv = T;
    /* residuals and the HC1 meat */
    long double rss = 0;
    for (size_t r0 = 0; r0 < n; r0 += C) {
        const size_t nr = n - r0 < C ? n - r0 : C;
        dense_rows(m, r0, nr, X, q);
        memcpy(e, y + r0, nr * sizeof *e);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nr, (int)q, -1.0, X, (int)q, coef, 1, 1.0,
                    e, 1);
        for (size_t i = 0; i < nr; ++i) {
            rss += (long double)e[i] * e[i];
            cblas_dscal((int)q, e[i], X + i * q, 1);
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)q, (int)nr, 1.0, X, (int)q, 1.0,
                    M, (int)q);
    }
    for (size_t a = 0; a < q; ++a)
        for (size_t b = a + 1; b < q; ++b)
            M[b * q + a] = M[a * q + b];
    /* diag(G^-1 M G^-1): P = G^-1 M (G reused as P), then sum_l P[j, l] G^-1[l, j] */
    double *P = G;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)q, (int)q, (int)q, 1.0, Ginv,
                (int)q, M, (int)q, 0.0, P, (int)q);
    const double df = (double)n - (double)q, s2 = (double)rss / df;
    for (size_t j = 0; j < q; ++j) {
        long double d = 0;
        for (size_t l = 0; l < q; ++l)
            d += (long double)P[j * q + l] * Ginv[l * q + j];
        se_hc1[j] = sqrt((double)n / df * (double)d);
        se_cl[j] = sqrt(s2 * Ginv[j * q + j]);
    }
    free(X), free(e), free(G), free(M), free(T);
}

/* Largest relative difference of a against the reference r over q values (tol_abs >= 0: relative
 * where |r| > 1e-3, absolute below, the largest of those in *max_abs_small; tol_abs < 0: relative
 * everywhere); *bad counts the values out of tolerance (NaN included). */
static double max_diff(const char *what, const double *a, const double *r, size_t q,
                       double tol_rel, double tol_abs, double *max_abs_small, size_t *bad)
{
    double worst = 0;
    *max_abs_small = 0;
    for (size_t j = 0; j < q; ++j) {
        const double d = fabs(a[j] - r[j]);
        double rel, ratio;
        if (tol_abs >= 0 && fabs(r[j]) <= 1e-3) {
            if (d > *max_abs_small)
                *max_abs_small = d;
            ratio = d / tol_abs;
            rel = 0;
        } else {
            rel = d / fabs(r[j]);
            ratio = rel / tol_rel;
        }
        if (!(ratio <= 1.0)) { /* NaN counts as bad */
            if ((*bad)++ < 5)
                fprintf(stderr, "bench_regress: MISMATCH %s[%zu]: skillmat %.17g, dense "
                                "reference %.17g\n", what, j, a[j], r[j]);
        }
        if (rel > worst || rel != rel)
            worst = rel;
    }
    return worst;
}

int main(int argc, char **argv)
{
    struct opts o = parse_opts(argc, argv);
    ctx = skm_ctx_alloc();
    if (!ctx)
        die("out of memory");
    const struct skm_kernels *kt = skm_kernels_active();
    char when[32];
    skm_time_iso8601(when);

    double tg = skm_now();
    struct synth_csr m;
    double *y;
    int32_t *cols = NULL; /* --store: the store column of each regressor */
    struct store_rows sr;
    memset(&sr, 0, sizeof sr);
    size_t n_dropped = 0;
    if (o.store) {
        sr = store_rows_read(o.store, STORE_ROWS_SALARY, 1);
        if (sr.n < 2)
            die("--store: fewer than 2 postings with a finite positive salary_annual");
        m = (struct synth_csr){sr.n, sr.p, sr.nnz, sr.indptr, sr.indices, sr.pairs};
        y = sr.salary; /* ln in place */
        for (size_t r = 0; r < m.n; ++r)
            y[r] = log(y[r]);
        n_dropped = drop_rare_columns(&m, o.min_support, &cols);
        if (m.p == 0)
            die("--store: no skill reaches --min-support among the postings with a salary");
        if (m.n <= m.p + 1)
            die("--store: not more postings with a salary than terms");
        o.n = m.n;
        o.p = m.p;
    } else {
        uint64_t state = synth_seed(o.seed);
        m = synth_postings(o.n, o.p, &state);
        y = make_y(&m, &state);
    }
    tg = skm_now() - tg;
    const size_t p = o.p, q = p + 1;
    if (o.store) {
        printf("bench_regress: store %s: n=%zu p=%zu threads=%d, kernels %s, %d CPUs, %s\n",
               o.store, o.n, p, o.threads, kt->isa, skm_cpu_count(), when);
        printf("data: the store's %lld postings x %lld skills (%lld non-zeros): %zu postings with "
               "a finite salary_annual > 0 kept\n      (order kept), y = ln salary_annual; %zu "
               "skill indicators (skills listed by >= %zu kept postings; %zu left out); nnz %zu "
               "(%.2f skills/row) (read in %.2f s)\n",
               (long long)sr.n_store, (long long)sr.p_store, (long long)sr.nnz_store, m.n, p,
               o.min_support, n_dropped, m.nnz, (double)m.nnz / (double)m.n, tg);
    } else {
        printf("bench_regress: n=%zu p=%zu seed=%llu threads=%d, kernels %s, %d CPUs, %s\n", o.n,
               p, (unsigned long long)o.seed, o.threads, kt->isa, skm_cpu_count(), when);
        printf("data: nnz %zu (%.2f skills/row); y = %g + sum_j 0.1 sin(j) x_ij + %g N(0,1) "
               "(generated in %.2f s)\n",
               m.nnz, (double)m.nnz / (double)m.n, Y_INTERCEPT, Y_NOISE, tg);
    }

    skm_reg_design d;
    memset(&d, 0, sizeof d);
    d.n = m.n;
    d.k = (int)p;
    d.indptr = m.indptr;
    d.indices = m.indices;
    d.y = y;
    d.cluster = NULL;
    const skm_reg_opts ro = {.threads = o.threads, .fe_tol = 1e-12, .fe_max_iter = 10000,
                             .fe_method = 0, .memory_bytes = (size_t)8 << 30,
                             .block_rows = 65536};

    /* 1. the untimed fit, checked */
    skm_reg_fit f;
    double t1 = skm_now();
    fit(&d, &ro, &f);
    t1 = skm_now() - t1;
    int n_aliased = 0;
    for (int j = 0; j < f.nk; ++j)
        n_aliased += f.aliased[j];
    printf("\n1. untimed fit: %.3f s; nk %d, rank %d, aliased %d, df_resid %lld, R2 %.6f, "
           "rmse %.6f, rcond %.3g\n",
           t1, f.nk, f.rank, n_aliased, (long long)f.df_resid, f.r2, f.rmse, f.rcond);
    if (f.nk != (int)q)
        die("the fit has not p + 1 terms");
    if (o.store && n_aliased) {
        fprintf(stderr, "bench_regress: the store's design is rank deficient: %d aliased terms "
                        "(store columns", n_aliased);
        for (int j = 1, shown = 0; j < f.nk && shown < 10; ++j)
            if (f.aliased[j]) {
                fprintf(stderr, " %d", (int)cols[j - 1]);
                ++shown;
            }
        fprintf(stderr, "%s): the peers would not estimate the same terms; raise --min-support "
                        "(now %zu)\n", n_aliased > 10 ? " ..." : "", o.min_support);
        exit(1);
    }

    const char *check = "skipped";
    double coef_rel = NAN, coef_abs = NAN, hc1_rel = NAN, cl_rel = NAN;
    const double work = (double)o.n * (double)p * (double)p;
    if (o.check && work <= CHECK_MAX_WORK) {
        double *rc = xmalloc(q, sizeof *rc), *rcl = xmalloc(q, sizeof *rcl);
        double *rhc = xmalloc(q, sizeof *rhc);
        double tr = skm_now();
        dense_reference(&m, y, rc, rcl, rhc);
        tr = skm_now() - tr;
        size_t bad = 0;
        double dummy;
        coef_rel = max_diff("coef", f.coef, rc, q, TOL_COEF_REL, TOL_COEF_ABS, &coef_abs, &bad);
        hc1_rel = max_diff("se_hc1", f.se_v[1], rhc, q, TOL_SE_REL, -1, &dummy, &bad);
        cl_rel = max_diff("se_classical", f.se_v[0], rcl, q, TOL_SE_REL, -1, &dummy, &bad);
        printf("   dense reference (dsyrk Gram, dposv, dpotri, dsyrk HC1 meat; %.2f s): max "
               "differences\n"
               "     coef: %.3g relative (|coef| > 1e-3; tol %g), %.3g absolute (|coef| <= 1e-3; "
               "tol %g)\n"
               "     se_hc1: %.3g relative (tol %g); se_classical: %.3g relative (tol %g)\n",
               tr, coef_rel, TOL_COEF_REL, coef_abs, TOL_COEF_ABS, hc1_rel, TOL_SE_REL, cl_rel,
               TOL_SE_REL);
        free(rc), free(rcl), free(rhc);
        if (bad) {
            fprintf(stderr, "bench_regress: %zu values differ from the dense reference: not "
                            "timing\n", bad);
            exit(1);
        }
        check = "pass";
        printf("   check: PASS\n");
    } else if (!o.check)
        printf("   dense reference: skipped (--no-check)\n");
    else
        printf("   dense reference: skipped (n p^2 = %.3g > %.0e)\n", work, CHECK_MAX_WORK);

    /* planted-beta recovery, in units of the HC1 SE (synthetic data only) */
    double zmax = o.store ? NAN : 0, zss = o.store ? NAN : 0;
    size_t zat = 0;
    for (size_t j = 0; !o.store && j < q; ++j) {
        const double truth = j == 0 ? Y_INTERCEPT : planted_beta(j - 1);
        const double z = (f.coef[j] - truth) / f.se_v[1][j];
        zss += z * z;
        if (fabs(z) > zmax || z != z) {
            zmax = fabs(z);
            zat = j;
        }
    }
    const double zrms = sqrt(zss / (double)q);
    if (!o.store)
        printf("   planted beta recovery: max |coef - beta| / se_hc1 = %.2f (term %zu%s), rms "
               "%.3f over %zu terms (rms ~1 when the SEs are right)\n",
               zmax, zat, zat == 0 ? ": intercept" : "", zrms, q);
    if (o.dump_dir) {
        dump_all(o.dump_dir, &m, y, &f, cols);
        printf("   dumped indptr.i64, indices.i32, y.f64, coef.f64, se_hc1.f64, se_classical.f64, "
               "%smeta.txt to %s\n", cols ? "columns.i32, " : "", o.dump_dir);
    }
    skm_reg_fit_free(&f);

    /* 2. timed fits */
    const double rss_before = (double)proc_status_kb("VmRSS") / 1024.0;
    const int hwm_ok = reset_peak_rss() == 0;
    double *t = xmalloc((size_t)o.reps, sizeof *t);
    for (long r = 0; r < o.reps; ++r) {
        double s = skm_now();
        fit(&d, &ro, &f);
        t[r] = skm_now() - s;
        skm_reg_fit_free(&f);
    }
    const double peak = hwm_ok ? (double)proc_status_kb("VmHWM") / 1024.0 : maxrss_mb();
    qsort(t, (size_t)o.reps, sizeof *t, cmp_double);
    const size_t R = (size_t)o.reps;
    const double med = R % 2 ? t[R / 2] : (t[R / 2 - 1] + t[R / 2]) / 2;
    printf("\n2. skm_reg_fit_run (classical + HC1), %d threads, %ld reps: median %.4f s, min "
           "%.4f s, max %.4f s\n",
           o.threads, o.reps, med, t[0], t[R - 1]);
    printf("   peak RSS during the timed fits %.1f MB (%s; the design alone %.1f MB before "
           "them); ru_maxrss of the whole run %.1f MB\n",
           peak, hwm_ok ? "VmHWM after a reset" : "ru_maxrss: no HWM reset", rss_before,
           maxrss_mb());
    printf("RESULT regress data=%s n=%zu p=%zu nnz=%zu store_n=%lld store_p=%lld store_nnz=%lld "
           "seed=%llu threads=%d isa=%s median_s=%.6f "
           "min_s=%.6f max_s=%.6f reps=%ld peak_rss_mb=%.1f design_rss_mb=%.1f maxrss_mb=%.1f "
           "check=%s coef_rel=%.3g coef_abs=%.3g se_hc1_rel=%.3g se_cl_rel=%.3g "
           "recovery_zmax=%.3f recovery_zrms=%.3f\n",
           o.store ? "store" : "synth", m.n, p, m.nnz, (long long)(o.store ? sr.n_store : -1),
           (long long)(o.store ? sr.p_store : -1), (long long)(o.store ? sr.nnz_store : -1),
           (unsigned long long)o.seed, o.threads, kt->isa, med, t[0], t[R - 1],
           o.reps, peak, rss_before, maxrss_mb(), check, coef_rel, coef_abs, hc1_rel, cl_rel,
           zmax, zrms);
    fflush(stdout);
    free(t);
    free(y);
    free(cols);
    synth_csr_free(&m);
    skm_ctx_free(ctx);
    return 0;
}
