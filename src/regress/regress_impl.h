/*
 * regress_impl.h — what the parts of `skillmat regress` share: the design held in memory and one
 * fit of it (fit.c), built from the store by regress.c.
 *
 * The design: the postings with a usable salary (finite, > 0), their 0/1 regressors as CSR rows
 * (indices in [0, k), increasing; the intercept is implicit), y = ln salary, and per row the codes
 * of the absorbed and cluster columns. It costs 4 bytes per non-zero plus about 32 bytes per
 * posting (checked against --memory): two passes (the fit and the residuals), and the many sweeps
 * of absorbed fixed effects, read it instead of the store.
 */
#ifndef SKM_REGRESS_IMPL_H
#define SKM_REGRESS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

#define SKM_REG_MAX_ABSORB 2  /* absorbed columns in one fit */
#define SKM_REG_MAX_COLS 16   /* categorical columns loaded (controls, absorbed, cluster) */

typedef struct skm_reg_design {
    size_t n;            /* rows (postings used) */
    int k;               /* regressors (no intercept) */
    int64_t *indptr;     /* n + 1 */
    int32_t *indices;    /* indptr[n] */
    double *y;           /* n: ln annual salary */
    int n_absorb_cols;   /* absorbable columns loaded: their codes below */
    int32_t *absorb[SKM_REG_MAX_COLS]; /* n: level code, -1 missing */
    int32_t absorb_levels[SKM_REG_MAX_COLS];
    int32_t *cluster;    /* n: cluster code (-1 missing: its own cluster), NULL without */
    int32_t cluster_levels;
} skm_reg_design;

/* One fit: which absorbed columns (indices into design->absorb), SE types. */
typedef struct skm_reg_fit {
    int n_abs;
    int abs[SKM_REG_MAX_ABSORB];
    int se;               /* SKM_SE_* flags */
    int intercept;        /* 1 when nothing is absorbed */
    int nk;               /* terms: k + intercept */
    /* results, nk entries each (intercept first) */
    double *coef;
    double *se_v[3];      /* classical, hc1, cluster (NULL when not asked) */
    uint8_t *aliased;
    int64_t n;            /* rows in the fit */
    int64_t n_missing_absorb, n_singletons;
    int64_t absorbed_df;  /* A */
    int rank;             /* estimated coefficients, intercept included */
    int64_t df_resid;     /* n - rank - A */
    int64_t n_clusters;
    double rss, tss, tss_within, r2, adj_r2, r2_within, rmse, f_stat, f_p;
    int fe_iterations, fe_converged;
    double rcond;
    /* aliased terms: the terms that explain each (kept regressors, largest weights first);
     * alias_n = -1: explained by the absorbed fixed effects */
    int32_t (*alias_terms)[4];
    double (*alias_w)[4];
    int *alias_n;
} skm_reg_fit;

typedef struct skm_reg_opts {
    int threads;
    double fe_tol;
    int fe_max_iter;
    int fe_method;        /* 0: conjugate gradients for two dimensions, 1: plain alternating
                             projections */
    size_t memory_bytes;
    size_t block_rows;
} skm_reg_opts;

/* Fit the design with the terms' settings in f (n_abs, abs, se); fills the results of f.
 * SKM_OK, SKM_EINVAL (no degrees of freedom), SKM_ELIMIT (memory budget), SKM_ENOMEM. */
int skm_reg_fit_run(skm_ctx *ctx, const skm_reg_design *d, const skm_reg_opts *o,
                    skm_reg_fit *f);
void skm_reg_fit_free(skm_reg_fit *f);

#endif /* SKM_REGRESS_IMPL_H */
