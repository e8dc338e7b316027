/*
 * fit.c — one least-squares fit of the regression design (regress_impl.h), with its standard
 * errors and model statistics.
 *
 * Without absorbed fixed effects (the fast, streaming-shaped path):
 *   1. X'X of the 0/1 regressors is counted exactly by the co-occurrence counter (sparse Gram
 *      kernel, threads, int32 accumulators: src/cooccur/count.h); X'y and the sums in long double.
 *   2. The solve (ols.h): centred in long double, equilibrated Cholesky with a rank check.
 *   3. A residual pass: RSS, the HC1 meat sum e_i^2 x_i x_i' by the double sparse Gram kernel
 *      (rows split among the threads, each with its own triangle, added in thread order), and the
 *      cluster scores s_g = sum e_i x_i (meat = sum s_g s_g' over each cluster's non-zeros).
 * With absorbed fixed effects (1 or 2 columns, e.g. company and title):
 *   1. rows missing a level are dropped, then singletons, iteratively (a level with one row fits
 *      it exactly and says nothing about the slopes: reghdfe's convention);
 *   2. every regressor and y are demeaned: one sweep of level means is exact for one dimension;
 *      for two, alternating projections accelerated by conjugate gradients (demean_cg), or plain
 *      alternating sweeps with fe_method = map; columns shared among the threads;
 *   3. the demeaned dense columns go through the same solver (no intercept: it is absorbed); the
 *      meats are dense (BLAS dsyrk). Absorbed degrees of freedom: L for one dimension,
 *      L1 + L2 - C for two (C connected components of the bipartite graph of levels), so the
 *      standard errors equal those of the regression with explicit dummies on the same rows.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <gsl/gsl_cdf.h>

#include "../cooccur/count.h"
#include "../core/core.h"
#include "kernels/kernels.h"
#include "ols.h"
#include "regress_impl.h"
#include "skillmat.h"

void skm_reg_fit_free(skm_reg_fit *f)
{
    free(f->coef);
    for (int t = 0; t < 3; ++t)
        free(f->se_v[t]);
    free(f->aliased);
    free(f->alias_terms);
    free(f->alias_w);
    free(f->alias_n);
    f->coef = NULL;
    f->aliased = NULL;
    f->alias_terms = NULL;
    f->alias_w = NULL;
    f->alias_n = NULL;
    for (int t = 0; t < 3; ++t)
        f->se_v[t] = NULL;
}

static int budget(skm_ctx *ctx, const skm_reg_opts *o, double bytes, const char *what)
{
    if (bytes > (double)o->memory_bytes)
        return skm_error(ctx, SKM_ELIMIT,
                         "%s needs %.0f MiB, over the memory budget of %zu MiB (raise --memory)",
                         what, bytes / 1048576.0, o->memory_bytes >> 20);
    return SKM_OK;
}

/* ---- meats ------------------------------------------------------------------------------- */

typedef struct hc_job {
    const skm_reg_design *d;
    const double *w;         /* e_i^2 */
    size_t r0, r1;           /* rows */
    int32_t lo, hi;          /* band of rows of the triangle */
    double *T;               /* its accumulator: row-major, leading dimension k, from (lo, lo) */
} hc_job;

static void hc_range(void *arg, size_t begin, size_t end)
{
    hc_job *jobs = arg;
    const struct skm_kernels *K = skm_kernels_active();
    for (size_t t = begin; t < end; ++t) {
        hc_job *j = &jobs[t];
        if (j->r1 > j->r0 && j->hi > j->lo)
            K->sparse_gram_f64(j->d->indptr + j->r0, j->d->indices, NULL, j->w + j->r0,
                               j->r1 - j->r0, j->lo, j->hi, j->T, (size_t)j->d->k);
    }
}

/* HC meat of the sparse design in raw coordinates [1, x] (nk x nk, row-major, upper triangle):
 * sum of w x x' over [1, x], w = e^2. Its x-block comes from the double sparse Gram kernel, whose
 * diagonal (sum of w over the rows with the regressor) is also the intercept row. Threads split
 * the rows, each into its own triangle (summed in thread order), while a triangle stays in cache
 * (k^2 doubles <= 4 MiB); beyond that (p = 2048: 32 MB) they split the skills: each owns a band of
 * rows of one shared triangle, cut so that the pair counts G (the exact Gram matrix, column-major
 * upper) balance, and reads every row. */
static int meat_hc_sparse(skm_ctx *ctx, const skm_reg_design *d, const skm_reg_opts *o,
                          const double *e, const double *G, double *meat)
{
    const int k = d->k, nk = k + 1, T = o->threads > 0 ? o->threads : 1;
    const size_t n = d->n;
    const int split_skills = T > 1 && (double)k * k * 8.0 > 4.0 * 1048576.0;
    const int copies = split_skills ? 1 : T;
    int rc = budget(ctx, o, (double)copies * k * k * 8.0, "the HC1 meat");
    if (rc)
        return rc;
    double *w = malloc((n ? n : 1) * sizeof *w);
    hc_job *jobs = calloc((size_t)T, sizeof *jobs);
    double **acc = calloc((size_t)T, sizeof *acc);
    if (!w || !jobs || !acc) {
        free(w);
        free(jobs);
        free(acc);
        return skm_error(ctx, SKM_ENOMEM, "out of memory for the HC1 meat");
    }
    for (int c = 0; c < copies && !rc; ++c)
        if (!(acc[c] = calloc((size_t)k * k + 1, sizeof(double))))
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory for the HC1 meat");
    long double m00 = 0;
    for (size_t i = 0; i < n; ++i) {
        w[i] = e[i] * e[i];
        m00 += w[i];
    }
    if (!rc && split_skills) {
        /* band cuts by pair work: row a of the triangle gets sum over b >= a of G(a, b) */
        double total = 0;
        for (int b = 0; b < k; ++b)
            for (int a = 0; a <= b; ++a)
                total += G[a + (size_t)b * k];
        double *rowwork = calloc((size_t)k + 1, sizeof *rowwork);
        if (!rowwork)
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory for the HC1 meat");
        for (int b = 0; b < k && !rc; ++b)
            for (int a = 0; a <= b; ++a)
                rowwork[a] += G[a + (size_t)b * k];
        int32_t lo = 0;
        double cum = 0;
        for (int t = 0; t < T && !rc; ++t) {
            int32_t hi = lo;
            const double goal = total * (t + 1) / T;
            while (hi < k && (t == T - 1 || cum + rowwork[hi] / 2 < goal))
                cum += rowwork[hi++];
            jobs[t] = (hc_job){.d = d, .w = w, .r0 = 0, .r1 = n, .lo = lo, .hi = hi,
                               .T = acc[0] + (size_t)lo * k + lo};
            lo = hi;
        }
        free(rowwork);
    } else if (!rc) {
        /* rows cut by pair work (sum of nnz^2), so the threads finish together */
        double total = 0;
        for (size_t i = 0; i < n; ++i) {
            double z = (double)(d->indptr[i + 1] - d->indptr[i]);
            total += z * z + 1;
        }
        size_t r = 0;
        double cum = 0;
        for (int t = 0; t < T; ++t) {
            const size_t r0 = r;
            const double goal = total * (t + 1) / T;
            while (r < n && (t == T - 1 || cum < goal)) {
                double z = (double)(d->indptr[r + 1] - d->indptr[r]);
                cum += z * z + 1;
                ++r;
            }
            jobs[t] = (hc_job){.d = d, .w = w, .r0 = r0, .r1 = r, .lo = 0, .hi = k, .T = acc[t]};
        }
    }
    if (!rc) {
        skm_parallel_ranges(T, (size_t)T, hc_range, jobs);
        /* raw coordinates, upper triangle (all skm_ols_se reads): [0][0] = sum w,
         * [0][1 + a] = [1 + a][1 + a] = the diagonal */
        for (int a = 0; a < k; ++a) {
            double *row = meat + (size_t)(1 + a) * nk + 1;
            memcpy(row + a, acc[0] + (size_t)a * k + a, (size_t)(k - a) * sizeof *row);
            for (int c = 1; c < copies; ++c)
                for (int b = a; b < k; ++b)
                    row[b] += acc[c][(size_t)a * k + b];
        }
        meat[0] = (double)m00;
        for (int a = 0; a < k; ++a)
            meat[1 + a] = meat[(size_t)(1 + a) * nk + 1 + a];
    }
    for (int c = 0; c < copies; ++c)
        free(acc[c]);
    free(acc);
    free(jobs);
    free(w);
    return rc;
}

/* Compact cluster ids of the rows in sel (NULL: all rows): codes in [0, levels) keep one id per
 * level; -1 rows get a fresh id each. Returns the number of clusters, or -1 out of memory. */
static int64_t cluster_ids(const skm_reg_design *d, const size_t *sel, size_t n, int32_t *cid)
{
    int32_t *map = malloc(((size_t)d->cluster_levels + 1) * sizeof *map);
    if (!map)
        return -1;
    for (int32_t l = 0; l < d->cluster_levels; ++l)
        map[l] = -1;
    int64_t g = 0;
    for (size_t i = 0; i < n; ++i) {
        int32_t c = d->cluster[sel ? sel[i] : i];
        if (c < 0 || c >= d->cluster_levels)
            cid[i] = (int32_t)g++;
        else {
            if (map[c] < 0)
                map[c] = (int32_t)g++;
            cid[i] = map[c];
        }
    }
    free(map);
    return g;
}

/* Cluster meat, sparse design, raw coordinates [1, x]: s_g = sum over the cluster's rows of
 * e_i [1, x_i]; meat = sum_g s_g s_g' over the non-zeros of each s_g. */
static int meat_cluster_sparse(skm_ctx *ctx, const skm_reg_design *d, const skm_reg_opts *o,
                               const double *e, double *meat, int64_t *n_clusters)
{
    const int k = d->k, nk = k + 1;
    const size_t n = d->n;
    int32_t *cid = malloc((n ? n : 1) * sizeof *cid);
    if (!cid)
        return skm_error(ctx, SKM_ENOMEM, "out of memory for the cluster scores");
    int64_t G = cluster_ids(d, NULL, n, cid);
    int rc = G < 0 ? skm_error(ctx, SKM_ENOMEM, "out of memory for the cluster scores")
                   : budget(ctx, o, (double)G * nk * 8.0, "the cluster scores");
    double *S = NULL;
    int32_t *nz = NULL;
    long double *M = NULL;
    if (!rc) {
        S = calloc((size_t)G * nk + 1, sizeof *S);
        nz = malloc((size_t)nk * sizeof *nz);
        M = calloc((size_t)nk * nk, sizeof *M);
        if (!S || !nz || !M)
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory for the cluster scores");
    }
    if (!rc) {
        for (size_t i = 0; i < n; ++i) {
            double *s = S + (size_t)cid[i] * nk;
            s[0] += e[i];
            for (int64_t q = d->indptr[i]; q < d->indptr[i + 1]; ++q)
                s[1 + d->indices[q]] += e[i];
        }
        for (int64_t g = 0; g < G; ++g) {
            const double *s = S + (size_t)g * nk;
            int m = 0;
            for (int j = 0; j < nk; ++j)
                if (s[j] != 0)
                    nz[m++] = j;
            for (int a = 0; a < m; ++a) {
                const long double sa = s[nz[a]];
                long double *row = M + (size_t)nz[a] * nk;
                for (int b = a; b < m; ++b)
                    row[nz[b]] += sa * s[nz[b]];
            }
        }
        for (int a = 0; a < nk; ++a)
            for (int b = a; b < nk; ++b)
                meat[(size_t)a * nk + b] = meat[(size_t)b * nk + a] = (double)M[(size_t)a * nk + b];
        *n_clusters = G;
    }
    free(S);
    free(nz);
    free(M);
    free(cid);
    return rc;
}

/* ---- statistics shared by both paths ------------------------------------------------------- */

/* absorbed: k flags, regressors the fixed effects explain (NULL: none) */
static int finish(skm_ctx *ctx, skm_reg_fit *f, const skm_ols *m, const double *meat_hc,
                  const double *meat_cl, int64_t A, const uint8_t *absorbed)
{
    const int ic = f->intercept;
    f->rank = m->rank + ic;
    f->absorbed_df = A;
    f->df_resid = f->n - f->rank - A;
    if (f->df_resid <= 0)
        return skm_error(ctx, SKM_EINVAL,
                         "%lld postings for %d coefficients and %lld absorbed levels: no residual "
                         "degrees of freedom",
                         (long long)f->n, f->rank, (long long)A);
    const double df = (double)f->df_resid, n = (double)f->n;
    int rc = SKM_OK;
    if (f->se_v[0])
        rc = skm_ols_se(ctx, m, NULL, 1.0, f->rss, df, f->se_v[0]);
    if (!rc && f->se_v[1])
        rc = skm_ols_se(ctx, m, meat_hc, n / df, f->rss, df, f->se_v[1]);
    if (!rc && f->se_v[2]) {
        const double G = (double)f->n_clusters;
        if (f->n_clusters < 2)
            return skm_error(ctx, SKM_EINVAL, "cluster-robust standard errors need at least 2 "
                                              "clusters (found %lld)",
                             (long long)f->n_clusters);
        rc = skm_ols_se(ctx, m, meat_cl, G / (G - 1) * (n - 1) / df, f->rss, df, f->se_v[2]);
    }
    if (rc)
        return rc;
    if (ic)
        f->coef[0] = m->b0;
    for (int j = 0; j < m->k; ++j) {
        f->coef[ic + j] = m->beta[j];
        f->aliased[ic + j] = m->aliased[j];
    }
    f->rcond = m->rcond;
    f->rmse = sqrt(f->rss / df);
    f->r2 = f->tss > 0 ? 1 - f->rss / f->tss : NAN;
    f->adj_r2 = f->tss > 0 ? 1 - (f->rss / df) / (f->tss / (n - 1)) : NAN;
    f->r2_within = f->tss_within > 0 ? 1 - f->rss / f->tss_within : NAN;
    /* F: all slopes zero (with absorbed effects: against the absorbed-only model) */
    const double q = (double)m->rank;
    const double base = ic ? f->tss : f->tss_within;
    f->f_stat = q > 0 ? ((base - f->rss) / q) / (f->rss / df) : NAN;
    f->f_p = q > 0 && isfinite(f->f_stat) ? gsl_cdf_fdist_Q(f->f_stat, q, df) : NAN;
    /* who explains each aliased regressor */
    int n_al = 0;
    for (int j = 0; j < m->k; ++j)
        n_al += m->aliased[j];
    if (n_al > 0) {
        f->alias_terms = calloc((size_t)f->nk, sizeof *f->alias_terms);
        f->alias_w = calloc((size_t)f->nk, sizeof *f->alias_w);
        f->alias_n = calloc((size_t)f->nk, sizeof *f->alias_n);
        if (!f->alias_terms || !f->alias_w || !f->alias_n)
            return skm_error(ctx, SKM_ENOMEM, "out of memory");
        for (int j = 0; j < m->k; ++j)
            if (absorbed && absorbed[j])
                f->alias_n[ic + j] = -1;
            else if (m->aliased[j]) {
                int32_t t[4];
                int c = skm_ols_alias_of(m, j, t, f->alias_w[ic + j], 4);
                for (int a = 0; a < c; ++a)
                    f->alias_terms[ic + j][a] = t[a] + ic;
                f->alias_n[ic + j] = c;
            }
    }
    return SKM_OK;
}

/* ---- no absorbed effects ------------------------------------------------------------------ */

static int fit_sparse(skm_ctx *ctx, const skm_reg_design *d, const skm_reg_opts *o,
                      skm_reg_fit *f)
{
    const int k = d->k, nk = k + 1;
    skm_ols m;
    skm_cooc_counter *cnt = NULL;
    double *e = NULL, *meat_hc = NULL, *meat_cl = NULL;
    const double T0 = skm_now();
    int rc = skm_ols_init(ctx, &m, k, 1);
    if (rc)
        return rc;
    if (k > 0) {
        skm_cooc_counter_params cp = {.p = (size_t)k, .lo = 0, .hi = k, .weighted = 0,
                                      .path = SKM_COOC_AUTO, .threads = o->threads,
                                      .split = SKM_COOC_SPLIT_AUTO};
        if ((rc = budget(ctx, o, (double)skm_cooc_counter_bytes(&cp), "the Gram matrix")) ||
            (rc = skm_cooc_counter_create(ctx, &cp, &cnt)))
            goto done;
        for (size_t r = 0; r < d->n && !rc; r += o->block_rows) {
            size_t nr = d->n - r < o->block_rows ? d->n - r : o->block_rows;
            rc = skm_cooc_counter_add(cnt, d->indptr + r, d->indices, NULL, nr);
            if (!rc && skm_interrupted(ctx))
                rc = skm_error(ctx, SKM_EINTERRUPT, "interrupted");
        }
        if (rc)
            goto done;
        for (int b = 0; b < k; ++b) /* column by column: G is column-major */
            for (int a = 0; a <= b; ++a)
                m.G[a + (size_t)b * k] = (double)skm_cooc_counter_get(cnt, a, b);
        skm_cooc_counter_free(cnt);
        cnt = NULL;
    }
    skm_ols_add_sparse(&m, d->indptr, d->indices, d->y, d->n);
    const double T1 = skm_now();
    if ((rc = skm_ols_solve(ctx, &m)))
        goto done;
    const double T2 = skm_now();
    /* residuals */
    e = malloc((d->n ? d->n : 1) * sizeof *e);
    if (!e) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory for the residuals");
        goto done;
    }
    long double rss = 0;
    for (size_t i = 0; i < d->n; ++i) {
        e[i] = d->y[i] - skm_ols_fit_sparse(&m, d->indices + d->indptr[i],
                                            (size_t)(d->indptr[i + 1] - d->indptr[i]));
        rss += (long double)e[i] * e[i];
    }
    f->n = (int64_t)d->n;
    f->rss = (double)rss;
    f->tss = (double)m.yyc;
    f->tss_within = f->tss;
    if (f->se & SKM_SE_HC1) {
        if (!(meat_hc = malloc((size_t)nk * nk * sizeof *meat_hc))) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        if ((rc = meat_hc_sparse(ctx, d, o, e, m.G, meat_hc)))
            goto done;
    }
    if (f->se & SKM_SE_CLUSTER) {
        if (!(meat_cl = malloc((size_t)nk * nk * sizeof *meat_cl))) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        if ((rc = meat_cluster_sparse(ctx, d, o, e, meat_cl, &f->n_clusters)))
            goto done;
    }
    const double T3 = skm_now();
    rc = finish(ctx, f, &m, meat_hc, meat_cl, 0, NULL);
    skm_log(ctx, SKM_LOG_DEBUG,
            "regress fit: gram %.3f s, solve %.3f s, residuals and meats %.3f s, standard "
            "errors %.3f s",
            T1 - T0, T2 - T1, T3 - T2, skm_now() - T3);
done:
    skm_cooc_counter_free(cnt);
    skm_ols_free(&m);
    free(e);
    free(meat_hc);
    free(meat_cl);
    return rc;
}

/* ---- absorbed fixed effects ---------------------------------------------------------------- */

typedef struct fe {
    int D;
    size_t n;
    int32_t *id[SKM_REG_MAX_ABSORB]; /* n: compact level */
    int32_t L[SKM_REG_MAX_ABSORB];
    double *inv_cnt[SKM_REG_MAX_ABSORB];
    double tol;
    int max_iter;
    int cg;         /* two dimensions: conjugate gradients (else plain alternating sweeps) */
    /* outcome, over the columns */
    _Atomic int max_it;
    _Atomic int all_converged;
    double *X;      /* n x (k + 1), column-major: the regressors, then y */
    int ncol;
} fe;

/* v -= its level means in dimension dd (an exact projection). */
static void sweep(const fe *F, int dd, double *v, double *sums, double *delta)
{
    const int32_t *id = F->id[dd];
    const size_t L = (size_t)F->L[dd];
    memset(sums, 0, L * sizeof *sums);
    for (size_t i = 0; i < F->n; ++i)
        sums[id[i]] += v[i];
    for (size_t l = 0; l < L; ++l) {
        sums[l] *= F->inv_cnt[dd][l];
        if (delta)
            *delta += sums[l] * sums[l] / F->inv_cnt[dd][l];
    }
    for (size_t i = 0; i < F->n; ++i)
        v[i] -= sums[id[i]];
}

/* out = D2' M1 D2 p (the title-by-title operator after company means are removed): one pass
 * for the company means of D2 p, one to sum what is left by title. */
static void schur_apply(const fe *F, const double *p, double *m1, double *out)
{
    const int32_t *id1 = F->id[0], *id2 = F->id[1];
    memset(m1, 0, (size_t)F->L[0] * sizeof *m1);
    memset(out, 0, (size_t)F->L[1] * sizeof *out);
    for (size_t i = 0; i < F->n; ++i)
        m1[id1[i]] += p[id2[i]];
    for (int32_t l = 0; l < F->L[0]; ++l)
        m1[l] *= F->inv_cnt[0][l];
    for (size_t i = 0; i < F->n; ++i)
        out[id2[i]] += p[id2[i]] - m1[id1[i]];
}

/* Two dimensions by conjugate gradients: the projection of v on the span of both sets of
 * dummies is M1 (v - D2 g), where g solves (D2' M1 D2) g = D2' M1 v (M1: remove the means of
 * dimension 1; D2: expand the levels of dimension 2 to rows). Each iteration costs what one
 * sweep of alternating projections costs, and CG needs about the square root as many
 * (the sample's company x title: ~40 iterations against ~1,900 sweeps). Stops when the residual
 * (the dimension-2 sums of the demeaned column) falls below tol times its start, or after
 * max_iter iterations. Returns the iterations, negative when not converged. */
static int demean_cg(const fe *F, double *v, double *work)
{
    const size_t L1 = (size_t)F->L[0], L2 = (size_t)F->L[1];
    double *m1 = work, *g = m1 + L1, *r = g + L2, *p = r + L2, *Ap = p + L2;
    /* r = b = D2' M1 v */
    memset(m1, 0, L1 * sizeof *m1);
    for (size_t i = 0; i < F->n; ++i)
        m1[F->id[0][i]] += v[i];
    for (size_t l = 0; l < L1; ++l)
        m1[l] *= F->inv_cnt[0][l];
    memset(r, 0, L2 * sizeof *r);
    for (size_t i = 0; i < F->n; ++i)
        r[F->id[1][i]] += v[i] - m1[F->id[0][i]];
    memset(g, 0, L2 * sizeof *g);
    memcpy(p, r, L2 * sizeof *p);
    double rr = 0;
    for (size_t l = 0; l < L2; ++l)
        rr += r[l] * r[l];
    const double stop = F->tol * F->tol * rr;
    int it = 0, conv = rr == 0;
    while (!conv && it < F->max_iter) {
        ++it;
        schur_apply(F, p, m1, Ap);
        double pAp = 0;
        for (size_t l = 0; l < L2; ++l)
            pAp += p[l] * Ap[l];
        if (!(pAp > 0)) {
            conv = 1; /* p in the null space: nothing left to reduce */
            break;
        }
        const double alpha = rr / pAp;
        double rr_new = 0;
        for (size_t l = 0; l < L2; ++l) {
            g[l] += alpha * p[l];
            r[l] -= alpha * Ap[l];
            rr_new += r[l] * r[l];
        }
        if (rr_new <= stop) {
            conv = 1;
            break;
        }
        const double beta = rr_new / rr;
        for (size_t l = 0; l < L2; ++l)
            p[l] = r[l] + beta * p[l];
        rr = rr_new;
    }
    for (size_t i = 0; i < F->n; ++i)
        v[i] -= g[F->id[1][i]];
    sweep(F, 0, v, m1, NULL);
    return conv ? it : -it;
}

static void demean_range(void *arg, size_t begin, size_t end)
{
    fe *F = arg;
    size_t Lmax = 1, Lsum = 1;
    for (int dd = 0; dd < F->D; ++dd) {
        if ((size_t)F->L[dd] > Lmax)
            Lmax = (size_t)F->L[dd];
        Lsum += (size_t)F->L[dd] * (dd == 0 ? 1 : 4);
    }
    double *sums = malloc((F->D == 2 && F->cg ? Lsum : Lmax) * sizeof *sums);
    if (!sums) { /* no memory: the caller reports it */
        atomic_store(&F->all_converged, -1);
        return;
    }
    for (size_t c = begin; c < end; ++c) {
        double *v = F->X + c * F->n;
        int it = 1, conv = 1;
        if (F->D == 1) {
            sweep(F, 0, v, sums, NULL); /* exact in one sweep */
        } else if (F->cg) {
            it = demean_cg(F, v, sums);
            conv = it >= 0;
            it = it < 0 ? -it : it;
        } else { /* plain alternating projections */
            double norm0 = 0;
            for (size_t i = 0; i < F->n; ++i)
                norm0 += v[i] * v[i];
            norm0 = sqrt(norm0);
            conv = 0;
            for (it = 1; it <= F->max_iter; ++it) {
                double delta = 0;
                for (int dd = 0; dd < F->D; ++dd)
                    sweep(F, dd, v, sums, &delta);
                if (sqrt(delta) <= F->tol * (norm0 > 0 ? norm0 : 1)) {
                    conv = 1;
                    break;
                }
            }
            if (it > F->max_iter)
                it = F->max_iter;
        }
        int cur = atomic_load(&F->max_it);
        while (it > cur && !atomic_compare_exchange_weak(&F->max_it, &cur, it))
            ;
        if (!conv)
            atomic_store(&F->all_converged, 0);
    }
    free(sums);
}

static int32_t uf_find(int32_t *p, int32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

static int fit_absorbed(skm_ctx *ctx, const skm_reg_design *d, const skm_reg_opts *o,
                        skm_reg_fit *f)
{
    const int k = d->k, D = f->n_abs;
    const size_t n0 = d->n;
    fe F;
    memset(&F, 0, sizeof F);
    F.D = D;
    F.tol = o->fe_tol;
    F.max_iter = o->fe_max_iter;
    F.cg = o->fe_method == 0;
    atomic_init(&F.max_it, 0);
    atomic_init(&F.all_converged, 1);
    skm_ols m;
    memset(&m, 0, sizeof m);
    size_t *sel = malloc((n0 ? n0 : 1) * sizeof *sel);
    int32_t *cnt[SKM_REG_MAX_ABSORB] = {0}, *map[SKM_REG_MAX_ABSORB] = {0};
    double *e = NULL, *meat_hc = NULL, *meat_cl = NULL, *W = NULL, *S = NULL, *beta0 = NULL;
    double *ss0 = NULL;
    uint8_t *absorbed = NULL;
    int32_t *cid = NULL, *uf = NULL;
    int rc = SKM_OK;
    if (!sel) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    /* 1. rows with every absorbed level, then no singletons */
    size_t n = 0;
    for (size_t i = 0; i < n0; ++i) {
        int ok = 1;
        for (int a = 0; a < D; ++a)
            ok &= d->absorb[f->abs[a]][i] >= 0;
        if (ok)
            sel[n++] = i;
    }
    f->n_missing_absorb = (int64_t)(n0 - n);
    for (int a = 0; a < D; ++a) {
        cnt[a] = calloc((size_t)d->absorb_levels[f->abs[a]] + 1, sizeof *cnt[a]);
        map[a] = malloc(((size_t)d->absorb_levels[f->abs[a]] + 1) * sizeof *map[a]);
        if (!cnt[a] || !map[a]) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; ++i)
            cnt[a][d->absorb[f->abs[a]][sel[i]]]++;
    }
    for (int changed = 1; changed;) {
        changed = 0;
        size_t w = 0;
        for (size_t i = 0; i < n; ++i) {
            int single = 0;
            for (int a = 0; a < D; ++a)
                single |= cnt[a][d->absorb[f->abs[a]][sel[i]]] == 1;
            if (single) {
                for (int a = 0; a < D; ++a)
                    cnt[a][d->absorb[f->abs[a]][sel[i]]]--;
                changed = 1;
            } else
                sel[w++] = sel[i];
        }
        n = w;
    }
    f->n_singletons = (int64_t)(n0 - (size_t)f->n_missing_absorb - n);
    f->n = (int64_t)n;
    F.n = n;
    /* 2. compact levels, inverse counts, absorbed degrees of freedom */
    for (int a = 0; a < D; ++a) {
        const int32_t *code = d->absorb[f->abs[a]];
        for (int32_t l = 0; l < d->absorb_levels[f->abs[a]]; ++l)
            map[a][l] = -1;
        int32_t L = 0;
        if (!(F.id[a] = malloc((n ? n : 1) * sizeof *F.id[a]))) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; ++i) {
            int32_t c = code[sel[i]];
            if (map[a][c] < 0)
                map[a][c] = L++;
            F.id[a][i] = map[a][c];
        }
        F.L[a] = L;
        if (!(F.inv_cnt[a] = calloc((size_t)L + 1, sizeof *F.inv_cnt[a]))) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; ++i)
            F.inv_cnt[a][F.id[a][i]] += 1;
        for (int32_t l = 0; l < L; ++l)
            F.inv_cnt[a][l] = 1.0 / F.inv_cnt[a][l];
    }
    int64_t A = D >= 1 ? F.L[0] : 0;
    if (D == 2) {
        const int32_t L1 = F.L[0], L2 = F.L[1];
        if (!(uf = malloc(((size_t)L1 + L2 + 1) * sizeof *uf))) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        for (int32_t x = 0; x < L1 + L2; ++x)
            uf[x] = x;
        for (size_t i = 0; i < n; ++i) {
            int32_t x = uf_find(uf, F.id[0][i]), y = uf_find(uf, L1 + F.id[1][i]);
            if (x != y)
                uf[x] = y;
        }
        int64_t comps = 0;
        for (int32_t x = 0; x < L1 + L2; ++x)
            comps += uf_find(uf, x) == x;
        A = (int64_t)L1 + L2 - comps;
    }
    /* 3. dense columns (regressors, then y), demeaned */
    F.ncol = k + 1;
    if ((rc = budget(ctx, o, (double)n * (k + 2) * 8.0, "the demeaned design")))
        goto done;
    if (!(F.X = calloc(n * (size_t)F.ncol + 1, sizeof *F.X))) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory for the demeaned design (%zu x %d)", n,
                       F.ncol);
        goto done;
    }
    long double ysum = 0, yss = 0;
    for (size_t i = 0; i < n; ++i) {
        const size_t r = sel[i];
        for (int64_t q = d->indptr[r]; q < d->indptr[r + 1]; ++q)
            F.X[(size_t)d->indices[q] * n + i] = 1.0;
        F.X[(size_t)k * n + i] = d->y[r];
        ysum += d->y[r];
    }
    for (size_t i = 0; i < n; ++i) {
        long double dy = d->y[sel[i]] - ysum / (long double)(n ? n : 1);
        yss += dy * dy;
    }
    /* each regressor's centred sum of squares before demeaning: a column the fixed effects
     * explain (e.g. role when title is absorbed) is left as rounding noise by an iterative
     * projection, so it is judged against what it was, not against itself */
    if (!(ss0 = malloc(((size_t)k + 1) * sizeof *ss0)) || !(absorbed = calloc((size_t)k + 1, 1))) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    for (int j = 0; j < k; ++j) {
        const double *x = F.X + (size_t)j * n;
        long double s1 = 0, s2 = 0;
        for (size_t i = 0; i < n; ++i) {
            s1 += x[i];
            s2 += (long double)x[i] * x[i];
        }
        ss0[j] = n ? (double)(s2 - s1 * s1 / (long double)n) : 0;
    }
    skm_parallel_ranges(o->threads > 0 ? o->threads : 1, (size_t)F.ncol, demean_range, &F);
    if (atomic_load(&F.all_converged) < 0) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory demeaning");
        goto done;
    }
    f->fe_iterations = atomic_load(&F.max_it);
    f->fe_converged = atomic_load(&F.all_converged);
    if (!f->fe_converged)
        skm_log(ctx, SKM_LOG_WARN,
                "absorbing: some columns did not converge in %d sweeps (tolerance %g); the "
                "results are approximate (attribute fe_converged = 0)",
                o->fe_max_iter, o->fe_tol);
    /* 4. the fit, without intercept */
    double *yt = F.X + (size_t)k * n;
    if ((rc = skm_ols_init(ctx, &m, k, 0)))
        goto done;
    for (int j = 0; j < k; ++j) {
        const double *x = F.X + (size_t)j * n;
        double s2 = 0;
        for (size_t i = 0; i < n; ++i)
            s2 += x[i] * x[i];
        m.aliased[j] = !(s2 > SKM_OLS_ALIAS_TOL * ss0[j]);
        absorbed[j] = m.aliased[j];
    }
    long double ytt = 0;
    for (size_t i = 0; i < n; ++i)
        ytt += (long double)yt[i] * yt[i];
    skm_ols_add_dense(&m, F.X, n, yt, n);
    if ((rc = skm_ols_solve(ctx, &m)))
        goto done;
    e = malloc((n ? n : 1) * sizeof *e);
    beta0 = calloc((size_t)k + 1, sizeof *beta0);
    if (!e || !beta0) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    for (int j = 0; j < k; ++j)
        beta0[j] = m.aliased[j] ? 0 : m.beta[j];
    memcpy(e, yt, n * sizeof *e);
    if (k > 0 && n > 0)
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, k, -1.0, F.X, (int)n, beta0, 1, 1.0, e,
                    1);
    long double rss = 0;
    for (size_t i = 0; i < n; ++i)
        rss += (long double)e[i] * e[i];
    f->rss = (double)rss;
    f->tss = (double)yss;
    f->tss_within = (double)ytt;
    /* 5. meats (no intercept: raw coordinates are the demeaned regressors) */
    const size_t kk = (size_t)(k ? k : 1);
    if (f->se & SKM_SE_HC1) {
        enum { CH = 2048 };
        meat_hc = calloc(kk * kk, sizeof *meat_hc);
        W = malloc((size_t)CH * kk * sizeof *W);
        if (!meat_hc || !W) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory for the HC1 meat");
            goto done;
        }
        for (size_t r0 = 0; r0 < n && k > 0; r0 += CH) {
            size_t nr = n - r0 < CH ? n - r0 : CH;
            for (int j = 0; j < k; ++j)
                for (size_t i = 0; i < nr; ++i)
                    W[(size_t)j * nr + i] = e[r0 + i] * F.X[(size_t)j * n + r0 + i];
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, k, (int)nr, 1.0, W, (int)nr, 1.0,
                        meat_hc, k);
        }
        for (int a = 0; a < k; ++a) /* column-major upper (row-major lower) -> full */
            for (int b = a; b < k; ++b)
                meat_hc[(size_t)a * k + b] = meat_hc[a + (size_t)b * k];
    }
    if (f->se & SKM_SE_CLUSTER) {
        if (!(cid = malloc((n ? n : 1) * sizeof *cid))) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        int64_t G = cluster_ids(d, sel, n, cid);
        if (G < 0 || (rc = budget(ctx, o, (double)G * k * 8.0, "the cluster scores")))
            goto done_cl;
        f->n_clusters = G;
        S = calloc((size_t)G * kk, sizeof *S);
        meat_cl = calloc(kk * kk, sizeof *meat_cl);
        if (!S || !meat_cl) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory for the cluster scores");
            goto done;
        }
        for (size_t i0 = 0; i0 < n; i0 += 512) /* chunks of rows: their score rows stay cached */
            for (int j = 0; j < k; ++j)
                for (size_t i = i0; i < n && i < i0 + 512; ++i)
                    S[(size_t)cid[i] * k + j] += e[i] * F.X[(size_t)j * n + i];
        if (k > 0)
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, k, (int)G, 1.0, S, k, 0.0,
                        meat_cl, k);
        for (int a = 0; a < k; ++a)
            for (int b = a; b < k; ++b)
                meat_cl[(size_t)a * k + b] = meat_cl[a + (size_t)b * k];
    done_cl:
        if (G < 0)
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        if (rc)
            goto done;
    }
    rc = finish(ctx, f, &m, meat_hc, meat_cl, A, absorbed);
done:
    skm_ols_free(&m);
    for (int a = 0; a < SKM_REG_MAX_ABSORB; ++a) {
        free(cnt[a]);
        free(map[a]);
        free(F.id[a]);
        free(F.inv_cnt[a]);
    }
    free(F.X);
    free(ss0);
    free(absorbed);
    free(sel);
    free(e);
    free(beta0);
    free(meat_hc);
    free(meat_cl);
    free(W);
    free(S);
    free(cid);
    free(uf);
    return rc;
}

static int fit_run(skm_ctx *ctx, const skm_reg_design *d, const skm_reg_opts *o,
                   skm_reg_fit *f)
{
    f->intercept = f->n_abs == 0;
    f->nk = d->k + f->intercept;
    const size_t nk = (size_t)f->nk + 1;
    f->coef = malloc(nk * sizeof *f->coef);
    f->aliased = calloc(nk, 1);
    if (!f->coef || !f->aliased)
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    for (int t = 0; t < 3; ++t)
        if (f->se & (1 << t) && !(f->se_v[t] = malloc(nk * sizeof(double))))
            return skm_error(ctx, SKM_ENOMEM, "out of memory");
    return f->n_abs == 0 ? fit_sparse(ctx, d, o, f) : fit_absorbed(ctx, d, o, f);
}

int skm_reg_fit_run(skm_ctx *ctx, const skm_reg_design *d, const skm_reg_opts *o,
                    skm_reg_fit *f)
{
    /* --threads bounds OpenBLAS's threads too, for this fit */
    const int blas_threads = openblas_get_num_threads();
    if (o->threads > 0 && o->threads != blas_threads)
        openblas_set_num_threads(o->threads);
    int rc = fit_run(ctx, d, o, f);
    if (o->threads > 0 && o->threads != blas_threads)
        openblas_set_num_threads(blas_threads);
    return rc;
}
