/*
 * ols.c — least squares from accumulated cross products (ols.h).
 */
#include "ols.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

int skm_ols_init(skm_ctx *ctx, skm_ols *m, int k, int intercept)
{
    memset(m, 0, sizeof *m);
    m->k = k;
    m->intercept = intercept;
    size_t kk = (size_t)k * (size_t)k, k1 = k ? (size_t)k : 1;
    m->c = calloc(k1, sizeof *m->c);
    m->G = calloc(kk ? kk : 1, sizeof *m->G);
    m->s = calloc(k1, sizeof *m->s);
    m->b = calloc(k1, sizeof *m->b);
    m->aliased = calloc(k1, 1);
    m->kept = calloc(k1, sizeof *m->kept);
    m->beta = calloc(k1, sizeof *m->beta);
    m->xbar = calloc(k1, sizeof *m->xbar);
    m->D = calloc(k1, sizeof *m->D);
    m->bc = calloc(k1, sizeof *m->bc);
    m->Gc = calloc(kk ? kk : 1, sizeof *m->Gc);
    if (!m->c || !m->G || !m->s || !m->b || !m->aliased || !m->kept || !m->beta || !m->xbar ||
        !m->D || !m->bc || !m->Gc) {
        skm_ols_free(m);
        return skm_error(ctx, SKM_ENOMEM, "out of memory for a regression with %d regressors", k);
    }
    return SKM_OK;
}

void skm_ols_free(skm_ols *m)
{
    free(m->c);
    free(m->G);
    free(m->s);
    free(m->b);
    free(m->aliased);
    free(m->kept);
    free(m->beta);
    free(m->xbar);
    free(m->D);
    free(m->U);
    free(m->V0);
    free(m->Gc);
    free(m->bc);
    memset(m, 0, sizeof *m);
}

void skm_ols_add_dense(skm_ols *m, double *X, size_t ldx, double *y, size_t n)
{
    if (n == 0)
        return;
    const int k = m->k;
    if (m->intercept) {
        if (!m->shifted) {
            for (int j = 0; j < k; ++j)
                m->c[j] = X[(size_t)j * ldx];
            m->cy = y[0];
            m->shifted = 1;
        }
        for (int j = 0; j < k; ++j) {
            double *x = X + (size_t)j * ldx, cj = m->c[j];
            for (size_t i = 0; i < n; ++i)
                x[i] -= cj;
        }
        for (size_t i = 0; i < n; ++i)
            y[i] -= m->cy;
    }
    if (k > 0)
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, k, (int)n, 1.0, X, (int)ldx, 1.0, m->G,
                    k);
    for (int j = 0; j < k; ++j) {
        const double *x = X + (size_t)j * ldx;
        long double sj = 0, bj = 0;
        for (size_t i = 0; i < n; ++i) {
            sj += x[i];
            bj += (long double)x[i] * y[i];
        }
        m->s[j] += sj;
        m->b[j] += bj;
    }
    long double sy = 0, yy = 0;
    for (size_t i = 0; i < n; ++i) {
        sy += y[i];
        yy += (long double)y[i] * y[i];
    }
    m->sy += sy;
    m->yy += yy;
    m->n += (int64_t)n;
}

void skm_ols_add_sparse(skm_ols *m, const int64_t *indptr, const int32_t *indices,
                        const double *y, size_t n)
{
    if (n == 0)
        return;
    if (m->intercept && !m->shifted) {
        m->cy = y[0];
        m->shifted = 1;
    }
    long double sy = 0, yy = 0;
    for (size_t r = 0; r < n; ++r) {
        const long double yr = (long double)y[r] - m->cy;
        sy += yr;
        yy += yr * yr;
        for (int64_t q = indptr[r]; q < indptr[r + 1]; ++q) {
            m->s[indices[q]] += 1;
            m->b[indices[q]] += yr;
        }
    }
    m->sy += sy;
    m->yy += yy;
    m->n += (int64_t)n;
}

/* Factor the equilibrated centred Gram matrix of the kept regressors into m->U. Returns the
 * position (in kept order) of the first regressor found aliased, -1 when none, or -2 with an
 * error set. */
static int factor_kept(skm_ctx *ctx, skm_ols *m)
{
    const int k = m->k, r = m->rank;
    free(m->U);
    m->U = malloc((size_t)(r ? r : 1) * (size_t)(r ? r : 1) * sizeof *m->U);
    if (!m->U) {
        skm_error(ctx, SKM_ENOMEM, "out of memory factoring a %d x %d system", r, r);
        return -2;
    }
    for (int b = 0; b < r; ++b) {
        const int jb = m->kept[b];
        for (int a = 0; a <= b; ++a) {
            const int ja = m->kept[a];
            m->U[a + (size_t)b * r] = (double)(m->Gc[(size_t)ja * k + jb] * m->D[ja] * m->D[jb]);
        }
    }
    if (r == 0)
        return -1;
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', r, m->U, r);
    if (info < 0) {
        skm_error(ctx, SKM_ELIMIT, "LAPACK dpotrf failed (info %d)", (int)info);
        return -2;
    }
    if (info > 0)
        return (int)info - 1;
    for (int a = 0; a < r; ++a) {
        double d = m->U[a + (size_t)a * r];
        if (!(d * d >= SKM_OLS_ALIAS_TOL))
            return a;
    }
    return -1;
}

/* Solve U'U x = rhs (in place) on the kept system. */
static void chol_solve(const skm_ols *m, double *x)
{
    if (m->rank > 0)
        LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', m->rank, 1, m->U, m->rank, x, m->rank);
}

int skm_ols_solve(skm_ctx *ctx, skm_ols *m)
{
    const int k = m->k;
    const long double n = (long double)m->n;
    if (m->n <= 0)
        return skm_error(ctx, SKM_EINVAL, "no observations to fit");
    /* centred Gram (full), x'y', y'y' */
    for (int j = 0; j < k; ++j) {
        for (int l = j; l < k; ++l) {
            long double g = m->G[j + (size_t)l * k];
            if (m->intercept)
                g -= m->s[j] * m->s[l] / n;
            m->Gc[(size_t)j * k + l] = m->Gc[(size_t)l * k + j] = g;
        }
        m->bc[j] = m->b[j] - (m->intercept ? m->s[j] * m->sy / n : 0);
        m->xbar[j] = (double)(m->s[j] / n);
    }
    m->yyc = m->yy - (m->intercept ? m->sy * m->sy / n : 0);
    /* constant (or empty) columns are aliased with the intercept (or zero) at once */
    m->rank = 0;
    for (int j = 0; j < k; ++j) {
        long double gc = m->Gc[(size_t)j * k + j], g = m->G[j + (size_t)j * k];
        m->aliased[j] = m->aliased[j] || !(gc > 0) || gc <= SKM_OLS_ALIAS_TOL * g;
        m->D[j] = gc > 0 ? (double)(1.0L / sqrtl(gc)) : 0.0;
        if (!m->aliased[j])
            m->kept[m->rank++] = j;
    }
    /* factor; drop the first aliased regressor and refactor until none is left */
    for (;;) {
        int a = factor_kept(ctx, m);
        if (a == -2)
            return skm_ctx_errcode(ctx);
        if (a == -1)
            break;
        m->aliased[m->kept[a]] = 1;
        memmove(m->kept + a, m->kept + a + 1, (size_t)(m->rank - a - 1) * sizeof *m->kept);
        m->rank--;
    }
    const int r = m->rank;
    if ((int64_t)r + m->intercept >= m->n)
        return skm_error(ctx, SKM_EINVAL,
                         "%lld observations for %d coefficients: no residual degrees of freedom",
                         (long long)m->n, r + m->intercept);
    /* reciprocal condition number of the equilibrated system (its 1-norm is computed from Gc) */
    double anorm = 0;
    for (int b = 0; b < r; ++b) {
        long double col = 0;
        for (int a = 0; a < r; ++a)
            col += fabsl(m->Gc[(size_t)m->kept[a] * k + m->kept[b]]) * m->D[m->kept[a]] *
                   m->D[m->kept[b]];
        if ((double)col > anorm)
            anorm = (double)col;
    }
    m->rcond = NAN;
    if (r > 0)
        LAPACKE_dpocon(LAPACK_COL_MAJOR, 'U', r, m->U, r, anorm, &m->rcond);
    /* beta: solve, then refine twice with the residual of the normal equations in long double */
    double *x = malloc(((size_t)r + 1) * 2 * sizeof *x);
    if (!x)
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    double *dx = x + (size_t)r;
    for (int a = 0; a < r; ++a)
        x[a] = (double)(m->bc[m->kept[a]] * m->D[m->kept[a]]);
    chol_solve(m, x);
    for (int it = 0; it < 2; ++it) {
        for (int a = 0; a < r; ++a) {
            const int ja = m->kept[a];
            long double acc = m->bc[ja] * m->D[ja];
            for (int b = 0; b < r; ++b) {
                const int jb = m->kept[b];
                acc -= m->Gc[(size_t)ja * k + jb] * m->D[ja] * m->D[jb] * x[b];
            }
            dx[a] = (double)acc;
        }
        chol_solve(m, dx);
        for (int a = 0; a < r; ++a)
            x[a] += dx[a];
    }
    for (int j = 0; j < k; ++j)
        m->beta[j] = NAN;
    for (int a = 0; a < r; ++a)
        m->beta[m->kept[a]] = x[a] * m->D[m->kept[a]];
    free(x);
    if (m->intercept) {
        long double b0 = m->sy / n + m->cy;
        for (int a = 0; a < r; ++a) {
            const int j = m->kept[a];
            b0 -= ((long double)m->xbar[j] + m->c[j]) * m->beta[j];
        }
        m->b0 = (double)b0;
    }
    /* V0 = D (D Gc D)^-1 D on the kept regressors */
    free(m->V0);
    m->V0 = malloc((size_t)(r ? r : 1) * (size_t)(r ? r : 1) * sizeof *m->V0);
    if (!m->V0)
        return skm_error(ctx, SKM_ENOMEM, "out of memory inverting a %d x %d system", r, r);
    if (r > 0) {
        memcpy(m->V0, m->U, (size_t)r * r * sizeof *m->V0);
        lapack_int info = LAPACKE_dpotri(LAPACK_COL_MAJOR, 'U', r, m->V0, r);
        if (info != 0)
            return skm_error(ctx, SKM_ELIMIT, "LAPACK dpotri failed (info %d)", (int)info);
        for (int b = 0; b < r; ++b)
            for (int a = 0; a <= b; ++a) {
                double v = m->V0[a + (size_t)b * r] * m->D[m->kept[a]] * m->D[m->kept[b]];
                m->V0[a + (size_t)b * r] = m->V0[b + (size_t)a * r] = v;
            }
    }
    return SKM_OK;
}

double skm_ols_fit_sparse(const skm_ols *m, const int32_t *idx, size_t nnz)
{
    double f = m->b0;
    for (size_t q = 0; q < nnz; ++q)
        if (!m->aliased[idx[q]])
            f += m->beta[idx[q]];
    return f;
}

int skm_ols_alias_of(const skm_ols *m, int j, int32_t *terms, double *w, int max_terms)
{
    const int k = m->k;
    int nb = 0; /* kept regressors before j: the leading block of the factor */
    while (nb < m->rank && m->kept[nb] < j)
        ++nb;
    if (nb == 0 || !(m->D[j] > 0) || max_terms <= 0)
        return 0;
    double *x = malloc((size_t)nb * sizeof *x);
    if (!x)
        return 0;
    for (int a = 0; a < nb; ++a)
        x[a] = (double)(m->Gc[(size_t)m->kept[a] * k + j] * m->D[m->kept[a]] * m->D[j]);
    LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', nb, 1, m->U, m->rank, x, nb);
    int nt = 0;
    for (int a = 0; a < nb; ++a) {
        double wa = x[a] * m->D[m->kept[a]] / m->D[j]; /* x_j ~ sum wa x_kept[a] */
        if (!(fabs(wa) > 1e-6))
            continue;
        /* insertion into the max_terms largest |w| */
        int pos = nt < max_terms ? nt++ : max_terms;
        while (pos > 0 && fabs(w[pos - 1]) < fabs(wa)) {
            if (pos < max_terms) {
                w[pos] = w[pos - 1];
                terms[pos] = terms[pos - 1];
            }
            --pos;
        }
        if (pos < max_terms) {
            w[pos] = wa;
            terms[pos] = m->kept[a];
        }
    }
    free(x);
    return nt;
}

int skm_ols_se(skm_ctx *ctx, const skm_ols *m, const double *meat, double scale, double rss,
               double df, double *se)
{
    const int k = m->k, r = m->rank, ic = m->intercept, nk = k + ic;
    const long double n = (long double)m->n;
    for (int j = 0; j < nk; ++j)
        se[j] = NAN;
    /* x̄ in the original units, for the intercept */
    if (!meat) {
        const double s2 = rss / df;
        for (int a = 0; a < r; ++a)
            se[ic + m->kept[a]] = sqrt(s2 * m->V0[a + (size_t)a * r]);
        if (ic) {
            long double q = 0;
            for (int a = 0; a < r; ++a)
                for (int b = 0; b < r; ++b)
                    q += ((long double)m->xbar[m->kept[a]] + m->c[m->kept[a]]) *
                         m->V0[a + (size_t)b * r] *
                         ((long double)m->xbar[m->kept[b]] + m->c[m->kept[b]]);
            se[0] = sqrt((double)(s2 * (1.0L / n + q)));
        }
        return SKM_OK;
    }
    /* the meat in centred coordinates z = [1, x' - x̄'], kept part */
    size_t rr = (size_t)(r ? r : 1);
    double *Mz = malloc(rr * rr * sizeof *Mz), *P = malloc(rr * rr * sizeof *P);
    double *v = malloc(rr * 3 * sizeof *v);
    if (!Mz || !P || !v) {
        free(Mz);
        free(P);
        free(v);
        return skm_error(ctx, SKM_ENOMEM, "out of memory for a %d x %d covariance", r, r);
    }
    double *Mz0 = v, *xb = v + r, *w = v + 2 * (size_t)r;
#define MEAT(i, j) ((long double)meat[(size_t)(i) * nk + (j)])
    const long double M00 = ic ? MEAT(0, 0) : 0;
    for (int a = 0; a < r; ++a) {
        const int ja = m->kept[a];
        const long double xa = ic ? m->xbar[ja] : 0, M0a = ic ? MEAT(0, ic + ja) : 0;
        Mz0[a] = (double)(M0a - xa * M00);
        xb[a] = ic ? m->xbar[ja] + m->c[ja] : 0;
        for (int b = a; b < r; ++b) {
            const int jb = m->kept[b];
            const long double xbb = ic ? m->xbar[jb] : 0, M0b = ic ? MEAT(0, ic + jb) : 0;
            long double z = MEAT(ic + ja, ic + jb) - xa * M0b - xbb * M0a + xa * xbb * M00;
            Mz[a + (size_t)b * r] = Mz[b + (size_t)a * r] = (double)z;
        }
    }
#undef MEAT
    if (r > 0) {
        /* P = V0 Mz; diag(V0 Mz V0)_a = sum_b P[a, b] V0[b, a] */
        cblas_dsymm(CblasColMajor, CblasLeft, CblasUpper, r, r, 1.0, m->V0, r, Mz, r, 0.0, P, r);
        for (int a = 0; a < r; ++a) {
            long double d = 0;
            for (int b = 0; b < r; ++b)
                d += (long double)P[a + (size_t)b * r] * m->V0[b + (size_t)a * r];
            se[ic + m->kept[a]] = sqrt((double)(scale * d));
        }
    }
    if (ic) {
        /* var(b0) = var(a) - 2 x̄ᵀ cov(beta, a) + x̄ᵀ V x̄, with a = ȳ' the centred intercept:
         * var(a) = M00 / n², cov(beta, a) = V0 Mz0 / n, x̄ᵀ V x̄ = wᵀ Mz w with w = V0 x̄ */
        for (int a = 0; a < r; ++a) {
            long double acc = 0;
            for (int b = 0; b < r; ++b)
                acc += (long double)m->V0[a + (size_t)b * r] * xb[b];
            w[a] = (double)acc;
        }
        long double q = 0, c = 0;
        for (int a = 0; a < r; ++a) {
            long double row = 0;
            for (int b = 0; b < r; ++b)
                row += (long double)Mz[a + (size_t)b * r] * w[b];
            q += w[a] * row;
            c += (long double)w[a] * Mz0[a];
        }
        se[0] = sqrt((double)(scale * (M00 / (n * n) - 2 * c / n + q)));
    }
    free(Mz);
    free(P);
    free(v);
    return SKM_OK;
}
