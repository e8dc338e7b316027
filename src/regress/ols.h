/*
 * ols.h — the numerical core of the salary regression: least squares from accumulated cross
 * products, with a rank check, and classical / sandwich covariances.
 *
 * Model: y = b0 + x·beta + e (intercept optional), k regressors. The caller accumulates the
 * cross products of *shifted* data x' = x − c, y' = y − cy in one pass (c: the first row for
 * dense data, 0 for the 0/1 indicators of the sparse path, whose Gram matrix is exact integer
 * counts), then solves, then makes a second pass for the residuals and the meat of any sandwich
 * covariance.
 *
 * Why it is accurate (tests/test_regress.c: NIST StRD Longley to 12 digits):
 *   - sums s, x'ᵀy', y'ᵀy' are long double; the Gram matrix is double for dense data (BLAS dsyrk
 *     on shifted data, which removes most of the cancellation of centring) and exact for counts;
 *   - with an intercept the problem is centred in long double (G − s sᵀ/n), so the intercept never
 *     enters the factorisation, and then equilibrated to a unit diagonal;
 *   - Cholesky (LAPACK dpotrf, lower) of the equilibrated, centred Gram; two steps of iterative
 *     refinement with the normal-equation residual computed in long double.
 *
 * Rank: regressor j is *aliased* when the part of it not explained by the intercept and the kept
 * regressors before it has less than SKM_OLS_ALIAS_TOL of its centred sum of squares (1 − R² of
 * x_j on those columns; VIF above 1e10). Aliased regressors are left out of the fit, flagged, and
 * reported with the columns that explain them (skm_ols_alias_of): column order decides which of
 * two identical columns is kept, like R's lm().
 */
#ifndef SKM_REGRESS_OLS_H
#define SKM_REGRESS_OLS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

#define SKM_OLS_ALIAS_TOL 1e-10

typedef struct skm_ols {
    int k;              /* regressors, not counting the intercept */
    int intercept;      /* 1: the model has an intercept */
    int64_t n;          /* observations accumulated */
    /* accumulation (shifted data) */
    int shifted;        /* the shift has been taken (dense path: from the first row) */
    double *c;          /* k: shift of each regressor */
    double cy;          /* shift of y */
    double *G;          /* k × k: Σ x'_j x'_l at G[j + l·k] for j <= l (column-major upper) */
    long double *s;     /* k: Σ x'_j */
    long double *b;     /* k: Σ x'_j y' */
    long double sy, yy; /* Σ y', Σ y'^2 */
    /* solution (skm_ols_solve) */
    uint8_t *aliased;   /* k */
    int rank;           /* regressors kept (not counting the intercept) */
    int32_t *kept;      /* rank: indices of the kept regressors, increasing */
    double *beta;       /* k: slopes (NaN when aliased) */
    double b0;          /* intercept (0 without one) */
    double *xbar;       /* k: means of the shifted regressors, s / n */
    double *V0;         /* rank × rank: inverse of the centred Gram matrix of the kept regressors */
    double *D;          /* k: equilibration, 1 / sqrt(Gc_jj) (0 for an aliased constant column) */
    double *U;          /* rank × rank: Cholesky factor L (column-major lower) of D Gc D, kept part,
                           Gc the centred Gram matrix (computed from G and s when needed) */
    long double *bc;    /* k: centred x'ᵀy' */
    long double yyc;    /* centred y'ᵀy' (TSS when there is an intercept) */
    double rcond;       /* reciprocal 1-norm condition number of the equilibrated system */
    double anorm;       /* its 1-norm */
} skm_ols;

/* Allocates the accumulators for k regressors (all zero). SKM_OK, SKM_ENOMEM. */
int skm_ols_init(skm_ctx *ctx, skm_ols *m, int k, int intercept);
void skm_ols_free(skm_ols *m);

/* Dense rows: X column-major n × k (leading dimension ldx >= n), y (n). With an intercept the
 * first call takes the first row as the shift, and X and y are shifted IN PLACE (the residual
 * pass, skm_ols_resid_dense, then reads the shifted data). Without one there is no shift.
 * Gram by cblas_dsyrk. */
void skm_ols_add_dense(skm_ols *m, double *X, size_t ldx, double *y, size_t n);

/* Sparse 0/1 rows (indices per row strictly increasing, in [0, k)): adds s, x'ᵀy', y sums and n.
 * The caller fills m->G itself (exact counts from the co-occurrence counter; no shift for 0/1
 * data). y is shifted by its first value. */
void skm_ols_add_sparse(skm_ols *m, const int64_t *indptr, const int32_t *indices,
                        const double *y, size_t n);

/* Solve. Regressors the caller has already flagged in m->aliased (e.g. absorbed by fixed
 * effects) stay aliased. SKM_OK; SKM_EINVAL when n <= rank + intercept (no residual degrees of freedom), with a
 * message; a LAPACK failure is SKM_ELIMIT with LAPACK's info. */
int skm_ols_solve(skm_ctx *ctx, skm_ols *m);

/* Fitted y of a sparse 0/1 row: b0 + the sum of the slopes of its (non-aliased) columns. */
double skm_ols_fit_sparse(const skm_ols *m, const int32_t *idx, size_t nnz);

/* For aliased regressor j: the coefficients w of its least-squares fit on the kept regressors
 * before it (centred); writes up to max_terms indices with the largest |w| (above 1e-6) into
 * terms[] and their weights into w[], returns how many. */
int skm_ols_alias_of(const skm_ols *m, int j, int32_t *terms, double *w, int max_terms);

/* Covariance of (b0, beta) and its standard errors.
 *   meat == NULL: classical, sigma^2 (X'X)^-1 with sigma^2 = rss / df.
 *   meat != NULL: sandwich (X'X)^-1 M (X'X)^-1 · scale, with M = Σ over observations (or
 *     clusters) of u uᵀ, u the score in raw coordinates [1, x'] (intercept first when there is
 *     one; size k + intercept, row-major; only the upper triangle, row <= column, is read).
 *     Aliased rows/columns are ignored.
 * se has k + intercept entries (intercept first); NaN for aliased terms. SKM_OK, SKM_ENOMEM. */
int skm_ols_se(skm_ctx *ctx, const skm_ols *m, const double *meat, double scale, double rss,
               double df, double *se /* OUT */);

#endif /* SKM_REGRESS_OLS_H */
