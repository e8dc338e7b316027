/*
 * ols.c — least squares from accumulated cross products (ols.h).
 */
#include "ols.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

enum { TILE = 64 }; /* square tiles for the loops that read one triangle and write another */

/* Entry (i, j) of the centred Gram matrix, from the accumulated G (upper triangle) and sums:
 * exact for counts, and never stored (it would be k^2 long doubles). */
static inline long double gc(const skm_ols *m, int i, int j)
{
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    const long double g = m->G[i + (size_t)j * m->k];
    return m->intercept ? g - m->s[i] * m->s[j] / (long double)m->n : g;
}

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
    if (!m->c || !m->G || !m->s || !m->b || !m->aliased || !m->kept || !m->beta || !m->xbar ||
        !m->D || !m->bc) {
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
    /* double sums over blocks of rows, added into the long double totals: x87 arithmetic in
     * the scatter loop costs 3x, and a block of 4096 shifted values loses nothing that shows */
    enum { BLOCK = 4096 };
    const int k = m->k;
    double *bs = calloc((size_t)k + 1, sizeof *bs);
    int64_t *cnt = calloc((size_t)k + 1, sizeof *cnt);
    if (!bs || !cnt) { /* no memory for the scratch: the plain long double loop */
        free(bs);
        free(cnt);
        bs = NULL;
    }
    long double sy = 0, yy = 0;
    for (size_t r0 = 0; r0 < n; r0 += BLOCK) {
        const size_t r1 = n - r0 < BLOCK ? n : r0 + BLOCK;
        double bsy = 0, byy = 0;
        for (size_t r = r0; r < r1; ++r) {
            const double yr = y[r] - m->cy;
            bsy += yr;
            byy += yr * yr;
            for (int64_t q = indptr[r]; q < indptr[r + 1]; ++q) {
                if (bs) {
                    cnt[indices[q]]++;
                    bs[indices[q]] += yr;
                } else {
                    m->s[indices[q]] += 1;
                    m->b[indices[q]] += yr;
                }
            }
        }
        sy += bsy;
        yy += byy;
        if (bs)
            for (int j = 0; j < k; ++j) {
                m->b[j] += bs[j];
                bs[j] = 0;
            }
    }
    if (bs)
        for (int j = 0; j < k; ++j)
            m->s[j] += (long double)cnt[j];
    free(bs);
    free(cnt);
    m->sy += sy;
    m->yy += yy;
    m->n += (int64_t)n;
}

/* Factor the equilibrated centred Gram matrix of the kept regressors into m->U. Returns the
 * position (in kept order) of the first regressor found aliased, -1 when none, or -2 with an
 * error set. */
static int factor_kept(skm_ctx *ctx, skm_ols *m)
{
    const int r = m->rank;
    free(m->U);
    m->U = malloc((size_t)(r ? r : 1) * (size_t)(r ? r : 1) * sizeof *m->U);
    double *colsum = calloc((size_t)r + 1, sizeof *colsum);
    if (!m->U || !colsum) {
        free(colsum);
        skm_error(ctx, SKM_ENOMEM, "out of memory factoring a %d x %d system", r, r);
        return -2;
    }
    /* the lower triangle (LAPACK's potrf 'L' is the faster), in tiles so that both G (upper,
     * column-major: G(jb, ja) at G[jb + ja k]) and U are walked within cache; Gc = G - u u'
     * with u = s / sqrt(n) */
    const long double rn = m->intercept ? 1.0L / sqrtl((long double)m->n) : 0;
    for (int b0 = 0; b0 < r; b0 += TILE)
        for (int a0 = b0; a0 < r; a0 += TILE)
            for (int a = a0; a < r && a < a0 + TILE; ++a) {
                const int ja = m->kept[a];
                const double *gcol = m->G + (size_t)ja * m->k;
                const long double ua = m->s[ja] * rn;
                for (int b = b0; b < b0 + TILE && b <= a; ++b) {
                    const int jb = m->kept[b];
                    const double v =
                        (double)((gcol[jb] - ua * (m->s[jb] * rn)) * m->D[ja] * m->D[jb]);
                    m->U[a + (size_t)b * r] = v;
                    colsum[b] += fabs(v);
                    if (a > b)
                        colsum[a] += fabs(v);
                }
            }
    m->anorm = 0; /* 1-norm of the equilibrated system, for the condition estimate */
    for (int b = 0; b < r; ++b)
        m->anorm = colsum[b] > m->anorm ? colsum[b] : m->anorm;
    free(colsum);
    if (r == 0)
        return -1;
    lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', r, m->U, r);
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
        LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', m->rank, 1, m->U, m->rank, x, m->rank);
}

int skm_ols_solve(skm_ctx *ctx, skm_ols *m)
{
    const int k = m->k;
    const long double n = (long double)m->n;
    if (m->n <= 0)
        return skm_error(ctx, SKM_EINVAL, "no observations to fit");
    /* centred x'y', means */
    for (int j = 0; j < k; ++j) {
        m->bc[j] = m->b[j] - (m->intercept ? m->s[j] * m->sy / n : 0);
        m->xbar[j] = (double)(m->s[j] / n);
    }
    m->yyc = m->yy - (m->intercept ? m->sy * m->sy / n : 0);
    /* constant (or empty) columns are aliased with the intercept (or zero) at once */
    m->rank = 0;
    for (int j = 0; j < k; ++j) {
        long double gjj = gc(m, j, j), g = m->G[j + (size_t)j * k];
        m->aliased[j] = m->aliased[j] || !(gjj > 0) || gjj <= SKM_OLS_ALIAS_TOL * g;
        m->D[j] = gjj > 0 ? (double)(1.0L / sqrtl(gjj)) : 0.0;
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
    m->rcond = NAN; /* from the inverse, below */
    /* V0 = D (D Gc D)^-1 D on the kept regressors */
    free(m->V0);
    m->V0 = malloc((size_t)(r ? r : 1) * (size_t)(r ? r : 1) * sizeof *m->V0);
    if (!m->V0)
        return skm_error(ctx, SKM_ENOMEM, "out of memory inverting a %d x %d system", r, r);
    if (r > 0) {
        memcpy(m->V0, m->U, (size_t)r * r * sizeof *m->V0);
        lapack_int info = LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'L', r, m->V0, r);
        if (info != 0)
            return skm_error(ctx, SKM_ELIMIT, "LAPACK dpotri failed (info %d)", (int)info);
        /* lower -> full, scaled, in tiles; on the way the 1-norm of the equilibrated inverse,
         * for the exact reciprocal condition number 1 / (|A|_1 |A^-1|_1) */
        double *colsum = calloc((size_t)r, sizeof *colsum);
        if (!colsum)
            return skm_error(ctx, SKM_ENOMEM, "out of memory");
        for (int b0 = 0; b0 < r; b0 += TILE)
            for (int a0 = b0; a0 < r; a0 += TILE)
                for (int b = b0; b < r && b < b0 + TILE; ++b)
                    for (int a = a0 > b ? a0 : b; a < r && a < a0 + TILE; ++a) {
                        const double u = m->V0[a + (size_t)b * r];
                        const double v = u * m->D[m->kept[a]] * m->D[m->kept[b]];
                        m->V0[a + (size_t)b * r] = m->V0[b + (size_t)a * r] = v;
                        colsum[b] += fabs(u);
                        if (a != b)
                            colsum[a] += fabs(u);
                    }
        double inorm = 0;
        for (int a = 0; a < r; ++a)
            inorm = fmax(inorm, colsum[a]);
        free(colsum);
        m->rcond = m->anorm > 0 && inorm > 0 ? 1.0 / (m->anorm * inorm) : NAN;
    }
    /* beta: solve, then refine (at most twice) with the residual of the normal equations in
     * long double when the condition number could cost digits (kappa eps > 2e-13) */
    double *x = malloc(((size_t)r + 1) * 2 * sizeof *x);
    long double *t = calloc((size_t)k + 1, sizeof *t);
    double *y = calloc((size_t)k + 1, sizeof *y);
    if (!x || !t || !y) {
        free(x);
        free(t);
        free(y);
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    }
    double *dx = x + (size_t)r;
    for (int a = 0; a < r; ++a)
        x[a] = (double)(m->bc[m->kept[a]] * m->D[m->kept[a]]);
    chol_solve(m, x);
    for (int it = 0; it < (m->rcond < 1e-3 || isnan(m->rcond) ? 2 : 0); ++it) {
        /* t = Gc y with y = D x on the kept regressors (0 elsewhere), one pass over the upper
         * triangle of G, then the centring term; residual D (bc - t) */
        for (int a = 0; a < r; ++a)
            y[m->kept[a]] = x[a] * m->D[m->kept[a]];
        long double sy = 0;
        for (int b = 0; b < k; ++b) {
            const double *col = m->G + (size_t)b * k;
            const long double yb = y[b];
            long double acc = 0;
            for (int a = 0; a < b; ++a) {
                t[a] += col[a] * yb;
                acc += (long double)col[a] * y[a];
            }
            t[b] = acc + col[b] * yb; /* later columns add their G(b, c) y_c to t[b] */
            sy += m->s[b] * yb;
        }
        for (int a = 0; a < r; ++a) {
            const int ja = m->kept[a];
            long double tj = t[ja] - (m->intercept ? m->s[ja] * sy / n : 0);
            dx[a] = (double)((m->bc[ja] - tj) * m->D[ja]);
        }
        memset(t, 0, ((size_t)k + 1) * sizeof *t);
        chol_solve(m, dx);
        double big = 0, corr = 0;
        for (int a = 0; a < r; ++a) {
            x[a] += dx[a];
            big = fmax(big, fabs(x[a]));
            corr = fmax(corr, fabs(dx[a]));
        }
        if (corr <= 1e-15 * big) /* converged: a second step would change nothing */
            break;
    }
    free(t);
    free(y);
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
    int nb = 0; /* kept regressors before j: the leading block of the factor */
    while (nb < m->rank && m->kept[nb] < j)
        ++nb;
    if (nb == 0 || !(m->D[j] > 0) || max_terms <= 0)
        return 0;
    double *x = malloc((size_t)nb * sizeof *x);
    if (!x)
        return 0;
    for (int a = 0; a < nb; ++a)
        x[a] = (double)(gc(m, m->kept[a], j) * m->D[m->kept[a]] * m->D[j]);
    LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', nb, 1, m->U, m->rank, x, nb);
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
            double *xb = malloc(((size_t)r + 1) * 2 * sizeof *xb);
            if (!xb)
                return skm_error(ctx, SKM_ENOMEM, "out of memory");
            double *w = xb + (size_t)r + 1;
            for (int a = 0; a < r; ++a)
                xb[a] = m->xbar[m->kept[a]] + m->c[m->kept[a]];
            if (r > 0)
                cblas_dgemv(CblasColMajor, CblasNoTrans, r, r, 1.0, m->V0, r, xb, 1, 0.0, w, 1);
            long double q = 0;
            for (int a = 0; a < r; ++a)
                q += (long double)xb[a] * w[a];
            se[0] = sqrt((double)(s2 * (1.0L / n + q)));
            free(xb);
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
    /* Mz = T M T' with T = [[1, 0], [-x̄, I]]: M_ab - x̄_a M_0b - x̄_b M_0a + x̄_a x̄_b M_00 (double
     * with fused multiply-adds: the corrections are at most the size of the entries) */
    const double M00 = ic ? meat[0] : 0;
    double *M0 = w; /* w is filled only later */
    for (int a = 0; a < r; ++a) {
        const int ja = m->kept[a];
        M0[a] = ic ? meat[ic + ja] : 0;
        xb[a] = ic ? m->xbar[ja] + m->c[ja] : 0;
        Mz0[a] = M0[a] - (ic ? m->xbar[ja] : 0) * M00;
    }
    for (int a0 = 0; a0 < r; a0 += TILE) /* rows a <= columns b, in tiles */
        for (int b0 = a0; b0 < r; b0 += TILE)
            for (int a = a0; a < r && a < a0 + TILE; ++a) {
                const int ja = m->kept[a];
                const double xa = ic ? m->xbar[ja] : 0;
                const double *mrow = meat + (size_t)(ic + ja) * nk + ic;
                for (int b = b0 > a ? b0 : a; b < r && b < b0 + TILE; ++b) {
                    const int jb = m->kept[b];
                    const double xbb = ic ? m->xbar[jb] : 0, cb = M0[b] - xbb * M00;
                    const double z = fma(-xbb, M0[a], fma(-xa, cb, mrow[jb]));
                    Mz[a + (size_t)b * r] = Mz[b + (size_t)a * r] = z;
                }
            }
    if (r > 0) {
        /* P = V0 Mz; diag(V0 Mz V0)_a = sum_b P[a, b] V0[b, a] */
        /* diag(V0 Mz V0) = 2 diag(V0 Mu V0), Mu = the upper triangle of Mz with half its
         * diagonal (Mz = Mu + Mu'): one triangular product (dtrmm, r^3 flops) instead of a
         * general one (2 r^3), then diag(P V0) column by column (V0 symmetric) */
        memcpy(P, m->V0, (size_t)r * r * sizeof *P);
        for (int a = 0; a < r; ++a)
            Mz[a + (size_t)a * r] *= 0.5;
        cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, r, r, 1.0,
                    Mz, r, P, r);
        for (int a = 0; a < r; ++a)
            Mz[a + (size_t)a * r] *= 2.0;
        double *dg = calloc((size_t)r, sizeof *dg);
        if (!dg) {
            free(Mz);
            free(P);
            free(v);
            return skm_error(ctx, SKM_ENOMEM, "out of memory");
        }
        for (int b = 0; b < r; ++b) { /* V0[b, a] = V0[a, b]: column b of both */
            const double *pc = P + (size_t)b * r, *vc = m->V0 + (size_t)b * r;
            for (int a = 0; a < r; ++a)
                dg[a] += 2.0 * pc[a] * vc[a];
        }
        for (int a = 0; a < r; ++a)
            se[ic + m->kept[a]] = sqrt((double)(scale * dg[a]));
        free(dg);
    }
    if (ic) {
        /* var(b0) = var(a) - 2 x̄ᵀ cov(beta, a) + x̄ᵀ V x̄, with a = ȳ' the centred intercept:
         * var(a) = M00 / n², cov(beta, a) = V0 Mz0 / n, x̄ᵀ V x̄ = wᵀ Mz w with w = V0 x̄ */
        double *Mw = P; /* P is free again */
        if (r > 0) {
            cblas_dgemv(CblasColMajor, CblasNoTrans, r, r, 1.0, m->V0, r, xb, 1, 0.0, w, 1);
            cblas_dgemv(CblasColMajor, CblasNoTrans, r, r, 1.0, Mz, r, w, 1, 0.0, Mw, 1);
        }
        long double q = 0, c = 0;
        for (int a = 0; a < r; ++a) {
            q += (long double)w[a] * Mw[a];
            c += (long double)w[a] * Mz0[a];
        }
        se[0] = sqrt((double)(scale * (M00 / (n * n) - 2 * c / n + q)));
    }
    free(Mz);
    free(P);
    free(v);
    return SKM_OK;
}
