/*
 * test_regress.c — the least-squares core (src/regress/ols.h): NIST StRD Longley (certified
 * coefficients and standard errors, to 10 significant digits or better), a hand-worked binary
 * regressor (difference of means; classical, HC1 and cluster SEs in closed form), the rank check
 * on sparse 0/1 data, and absorbed fixed effects against the same model with explicit dummies
 * (src/regress/fit.c).
 */
#include "test_util.h"

#include "core/core.h"
#include "regress/ols.h"
#include "regress/regress_impl.h"
#include "skillmat.h"

/* NIST StRD, Longley (1967): https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml
 * y = total employment; x1 GNP deflator, x2 GNP, x3 unemployed, x4 armed forces,
 * x5 population 14 and over, x6 year. Public data (US government work). */
static const double longley[16][7] = {
    {60323, 83.0, 234289, 2356, 1590, 107608, 1947}, {61122, 88.5, 259426, 2325, 1456, 108632, 1948},
    {60171, 88.2, 258054, 3682, 1616, 109773, 1949}, {61187, 89.5, 284599, 3351, 1650, 110929, 1950},
    {63221, 96.2, 328975, 2099, 3099, 112075, 1951}, {63639, 98.1, 346999, 1932, 3594, 113270, 1952},
    {64989, 99.0, 365385, 1870, 3547, 115094, 1953}, {63761, 100.0, 363112, 3578, 3350, 116219, 1954},
    {66019, 101.2, 397469, 2904, 3048, 117388, 1955}, {67857, 104.6, 419180, 2822, 2857, 118734, 1956},
    {68169, 108.4, 442769, 2936, 2798, 120445, 1957}, {66513, 110.8, 444546, 4681, 2637, 121950, 1958},
    {68655, 112.6, 482704, 3813, 2552, 123366, 1959}, {69564, 114.2, 502601, 3931, 2514, 125368, 1960},
    {69331, 115.7, 518173, 4806, 2572, 127852, 1961}, {70551, 116.9, 554894, 4007, 2827, 130081, 1962},
};
static const double longley_beta[7] = {-3482258.63459582,      15.0618722713733,
                                       -0.358191792925910E-01, -2.02022980381683,
                                       -1.03322686717359,      -0.511041056535807E-01,
                                       1829.15146461355};
static const double longley_se[7] = {890420.383607373,      84.9149257747669,
                                     0.334910077722432E-01, 0.488399681651699,
                                     0.214274163161675,     0.226073200069370,
                                     455.478499142212};
static const double longley_rsd = 304.854073561965;  /* residual standard deviation */
static const double longley_r2 = 0.995479004577296;

/* significant digits to which got agrees with want */
static double digits(double got, double want)
{
    double rel = fabs(got - want) / fabs(want);
    return rel == 0 ? 17 : -log10(rel);
}

static void test_longley(void **state)
{
    skm_ctx *ctx = *state;
    enum { N = 16, K = 6 };
    double X[K * N], y[N], X0[K * N], y0[N];
    for (int i = 0; i < N; ++i) {
        y[i] = y0[i] = longley[i][0];
        for (int j = 0; j < K; ++j)
            X[i + j * N] = X0[i + j * N] = longley[i][j + 1];
    }
    skm_ols m;
    assert_int_equal(skm_ols_init(ctx, &m, K, 1), SKM_OK);
    /* in two blocks, to exercise accumulation */
    skm_ols_add_dense(&m, X, N, y, 9);
    double Xb[K * 7], yb[7];
    for (int i = 0; i < 7; ++i) {
        yb[i] = y0[9 + i];
        for (int j = 0; j < K; ++j)
            Xb[i + j * 7] = X0[9 + i + j * N];
    }
    skm_ols_add_dense(&m, Xb, 7, yb, 7);
    assert_int_equal(skm_ols_solve(ctx, &m), SKM_OK);
    assert_int_equal(m.rank, K);
    /* residuals from the original data, in long double */
    long double rss = 0;
    for (int i = 0; i < N; ++i) {
        long double e = y0[i] - (long double)m.b0;
        for (int j = 0; j < K; ++j)
            e -= (long double)m.beta[j] * X0[i + j * N];
        rss += e * e;
    }
    double se[K + 1];
    assert_int_equal(skm_ols_se(ctx, &m, NULL, 1.0, (double)rss, N - K - 1, se), SKM_OK);
    double worst_b = 17, worst_se = 17;
    for (int j = 0; j <= K; ++j) {
        double b = j == 0 ? m.b0 : m.beta[j - 1];
        worst_b = fmin(worst_b, digits(b, longley_beta[j]));
        worst_se = fmin(worst_se, digits(se[j], longley_se[j]));
    }
    print_message("Longley: coefficients to %.1f digits, standard errors to %.1f digits\n",
                  worst_b, worst_se);
    assert_true(worst_b >= 10.0);
    assert_true(worst_se >= 10.0);
    assert_true(digits(sqrt((double)rss / (N - K - 1)), longley_rsd) >= 10.0);
    assert_true(digits(1.0 - (double)(rss / m.yyc), longley_r2) >= 10.0);
    skm_ols_free(&m);
}


/* xorshift64 for the synthetic designs */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return *s = x;
}
static double rng_unif(uint64_t *s) { return (double)(rng_next(s) >> 11) * 0x1.0p-53; }

static skm_reg_opts opts(int threads)
{
    skm_reg_opts o = {.threads = threads, .fe_tol = 1e-13, .fe_max_iter = 100000,
                      .fe_method = 0, .memory_bytes = (size_t)1 << 30, .block_rows = 7};
    return o;
}

/* y on one 0/1 regressor: coef = mean(y | x = 1) - mean(y | x = 0); with e the residuals,
 *   classical var = s^2 (1/n0 + 1/n1), s^2 = RSS / (n - 2)
 *   HC1 var       = n/(n-2) (sum_{x=1} e^2 / n1^2 + sum_{x=0} e^2 / n0^2)
 *   cluster var   = G/(G-1) (n-1)/(n-2) (sum_g (sum_{i in g, x=1} e_i)^2 / n1^2
 *                   + ... over x = 0 ... ), clusters nested in x here. */
static void test_binary_regressor(void **state)
{
    skm_ctx *ctx = *state;
    enum { N = 10 };
    const double y[N] = {1.0, 1.5, 0.5, 2.0, 1.0, 3.0, 2.5, 4.0, 3.5, 2.0};
    const int x[N] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    const int32_t cl[N] = {0, 0, 1, 1, 2, 3, 3, 4, 4, 4};
    int64_t indptr[N + 1];
    int32_t indices[N];
    size_t nnz = 0;
    indptr[0] = 0;
    for (int i = 0; i < N; ++i) {
        if (x[i])
            indices[nnz++] = 0;
        indptr[i + 1] = (int64_t)nnz;
    }
    double yy[N];
    memcpy(yy, y, sizeof yy);
    skm_reg_design d = {.n = N, .k = 1, .indptr = indptr, .indices = indices, .y = yy,
                        .cluster = (int32_t *)cl, .cluster_levels = 5};
    skm_reg_fit f;
    memset(&f, 0, sizeof f);
    f.se = SKM_SE_CLASSICAL | SKM_SE_HC1 | SKM_SE_CLUSTER;
    skm_reg_opts o = opts(2);
    assert_int_equal(skm_reg_fit_run(ctx, &d, &o, &f), SKM_OK);
    /* by hand: means 1.2 and 3.0 */
    double m0 = 1.2, m1 = 3.0, ss0 = 0, ss1 = 0, c[5] = {0};
    for (int i = 0; i < N; ++i) {
        double e = y[i] - (x[i] ? m1 : m0);
        *(x[i] ? &ss1 : &ss0) += e * e;
        c[cl[i]] += e;
    }
    const double n0 = 5, n1 = 5, s2 = (ss0 + ss1) / (N - 2);
    assert_close(f.coef[0], m0, 1e-14, 0);
    assert_close(f.coef[1], m1 - m0, 1e-14, 0);
    assert_close(f.se_v[0][1], sqrt(s2 * (1 / n0 + 1 / n1)), 1e-13, 0);
    assert_close(f.se_v[0][0], sqrt(s2 / n0), 1e-13, 0);
    assert_close(f.se_v[1][1], sqrt(N / (N - 2.0) * (ss1 / (n1 * n1) + ss0 / (n0 * n0))), 1e-13,
                 0);
    assert_close(f.se_v[1][0], sqrt(N / (N - 2.0) * ss0 / (n0 * n0)), 1e-13, 0);
    double cs0 = c[0] * c[0] + c[1] * c[1] + c[2] * c[2], cs1 = c[3] * c[3] + c[4] * c[4];
    double fac = 5.0 / 4.0 * (N - 1.0) / (N - 2.0);
    assert_close(f.se_v[2][1], sqrt(fac * (cs1 / (n1 * n1) + cs0 / (n0 * n0))), 1e-13, 0);
    assert_int_equal(f.n_clusters, 5);
    assert_int_equal(f.df_resid, N - 2);
    assert_close(f.r2, 1 - (ss0 + ss1) / 11.9, 1e-13, 0); /* TSS = sum (y - 2.1)^2 = 11.9 */
    skm_reg_fit_free(&f);
}

/* Duplicate and constant-sum columns are aliased (named, NaN), the rest is unchanged. */
static void test_aliased(void **state)
{
    skm_ctx *ctx = *state;
    enum { N = 400 };
    uint64_t s = 99;
    /* columns: 0 a, 1 b, 2 = a (duplicate), 3 c, 4 = 1 - c (with the intercept: aliased) */
    int64_t indptr[N + 1];
    int32_t indices[N * 5];
    double y[N];
    size_t nnz = 0;
    indptr[0] = 0;
    for (int i = 0; i < N; ++i) {
        int a = rng_unif(&s) < 0.3, b = rng_unif(&s) < 0.5, c = rng_unif(&s) < 0.4;
        if (a)
            indices[nnz++] = 0;
        if (b)
            indices[nnz++] = 1;
        if (a)
            indices[nnz++] = 2;
        if (c)
            indices[nnz++] = 3;
        else
            indices[nnz++] = 4;
        y[i] = 10 + 0.2 * a - 0.1 * b + 0.3 * c + 0.1 * (rng_unif(&s) - 0.5);
        indptr[i + 1] = (int64_t)nnz;
    }
    skm_reg_design d = {.n = N, .k = 5, .indptr = indptr, .indices = indices, .y = y};
    skm_reg_fit f;
    memset(&f, 0, sizeof f);
    f.se = SKM_SE_CLASSICAL | SKM_SE_HC1;
    skm_reg_opts o = opts(1);
    assert_int_equal(skm_reg_fit_run(ctx, &d, &o, &f), SKM_OK);
    const uint8_t want[6] = {0, 0, 0, 1, 0, 1};
    for (int t = 0; t < 6; ++t)
        assert_int_equal(f.aliased[t], want[t]);
    assert_true(isnan(f.coef[3]) && isnan(f.se_v[0][3]) && isnan(f.coef[5]));
    assert_int_equal(f.rank, 4);
    assert_non_null(f.alias_n);
    /* term 3 (column 2) is explained by term 1 (column 0) with weight 1 */
    assert_true(f.alias_n[3] >= 1);
    assert_int_equal(f.alias_terms[3][0], 1);
    assert_close(f.alias_w[3][0], 1.0, 1e-9, 0);
    /* term 5 (column 4 = 1 - c): -1 times term 4 */
    assert_int_equal(f.alias_terms[5][0], 4);
    assert_close(f.alias_w[5][0], -1.0, 1e-9, 0);
    /* the same fit without the aliased columns */
    int64_t ip2[N + 1];
    int32_t ix2[N * 5];
    size_t m = 0;
    ip2[0] = 0;
    for (int i = 0; i < N; ++i) {
        for (int64_t q = indptr[i]; q < indptr[i + 1]; ++q)
            if (indices[q] == 0 || indices[q] == 1 || indices[q] == 3)
                ix2[m++] = indices[q] == 3 ? 2 : indices[q];
        ip2[i + 1] = (int64_t)m;
    }
    skm_reg_design d2 = {.n = N, .k = 3, .indptr = ip2, .indices = ix2, .y = y};
    skm_reg_fit g;
    memset(&g, 0, sizeof g);
    g.se = SKM_SE_CLASSICAL | SKM_SE_HC1;
    assert_int_equal(skm_reg_fit_run(ctx, &d2, &o, &g), SKM_OK);
    const int map[4] = {0, 1, 2, 4};
    for (int t = 0; t < 4; ++t) {
        assert_close(f.coef[map[t]], g.coef[t], 1e-12, 1e-14);
        assert_close(f.se_v[0][map[t]], g.se_v[0][t], 1e-12, 0);
        assert_close(f.se_v[1][map[t]], g.se_v[1][t], 1e-12, 0);
    }
    skm_reg_fit_free(&f);
    skm_reg_fit_free(&g);
}

/* Absorbing one or two categorical columns equals the regression with explicit dummies for
 * them (coefficients, classical / HC1 / cluster SEs, df), for the CG and the MAP methods and
 * 1 or 3 threads. Two components in the level graph: the explicit design has one redundant
 * dummy beyond the base levels, which the rank check drops. */
static void test_absorb_equals_dummies(void **state)
{
    skm_ctx *ctx = *state;
    enum { N = 3000, K = 4, L1 = 40, L2 = 25 };
    uint64_t s = 2024;
    int32_t *a1 = malloc(N * sizeof *a1), *a2 = malloc(N * sizeof *a2), *cl = malloc(N * 4);
    int64_t *ip = malloc((N + 1) * sizeof *ip), *ipx = malloc((N + 1) * sizeof *ipx);
    int32_t *ix = malloc(N * K * sizeof *ix), *ixx = malloc(N * (K + 2) * sizeof *ixx);
    double *y = malloc(N * sizeof *y), *y2 = malloc(N * sizeof *y2);
    double fe1[L1], fe2[L2];
    for (int l = 0; l < L1; ++l)
        fe1[l] = rng_unif(&s);
    for (int l = 0; l < L2; ++l)
        fe2[l] = rng_unif(&s);
    size_t nnz = 0;
    ip[0] = 0;
    for (int i = 0; i < N; ++i) {
        /* two components: levels 0..19 of dim 1 meet only 0..11 of dim 2 */
        int comp = i % 2;
        a1[i] = comp ? 20 + (int32_t)(rng_next(&s) % 20) : (int32_t)(rng_next(&s) % 20);
        a2[i] = comp ? 12 + (int32_t)(rng_next(&s) % 13) : (int32_t)(rng_next(&s) % 12);
        cl[i] = (int32_t)(rng_next(&s) % 60);
        double yi = 11 + fe1[a1[i]] + 0.5 * fe2[a2[i]] + 0.2 * (rng_unif(&s) - 0.5);
        for (int j = 0; j < K; ++j)
            if (rng_unif(&s) < 0.2 + 0.05 * j + 0.01 * a1[i] / (double)L1) {
                ix[nnz++] = j;
                yi += 0.05 * (j + 1);
            }
        y[i] = yi;
        ip[i + 1] = (int64_t)nnz;
    }
    for (int dims = 1; dims <= 2; ++dims) {
        /* explicit: regressors, then dummies of dim 1 levels 1.., dim 2 levels 1.. */
        size_t m = 0;
        ipx[0] = 0;
        for (int i = 0; i < N; ++i) {
            for (int64_t q = ip[i]; q < ip[i + 1]; ++q)
                ixx[m++] = ix[q];
            if (a1[i] > 0)
                ixx[m++] = K + a1[i] - 1;
            if (dims == 2 && a2[i] > 0)
                ixx[m++] = K + L1 - 1 + a2[i] - 1;
            ipx[i + 1] = (int64_t)m;
        }
        memcpy(y2, y, N * sizeof *y2);
        skm_reg_design dx = {.n = N, .k = K + L1 - 1 + (dims == 2 ? L2 - 1 : 0), .indptr = ipx,
                             .indices = ixx, .y = y2, .cluster = cl, .cluster_levels = 60};
        skm_reg_fit fx;
        memset(&fx, 0, sizeof fx);
        fx.se = 7;
        skm_reg_opts o = opts(2);
        assert_int_equal(skm_reg_fit_run(ctx, &dx, &o, &fx), SKM_OK);
        for (int method = 0; method < 2; ++method)
            for (int threads = 1; threads <= 3; threads += 2) {
                skm_reg_design d = {.n = N, .k = K, .indptr = ip, .indices = ix, .y = y,
                                    .n_absorb_cols = 2, .cluster = cl, .cluster_levels = 60};
                d.absorb[0] = a1;
                d.absorb[1] = a2;
                d.absorb_levels[0] = L1;
                d.absorb_levels[1] = L2;
                skm_reg_fit f;
                memset(&f, 0, sizeof f);
                f.se = 7;
                f.n_abs = dims;
                f.abs[0] = 0;
                f.abs[1] = 1;
                skm_reg_opts oa = opts(threads);
                oa.fe_method = method;
                assert_int_equal(skm_reg_fit_run(ctx, &d, &oa, &f), SKM_OK);
                assert_true(f.fe_converged);
                assert_int_equal(f.n_singletons, 0);
                assert_int_equal(f.absorbed_df, dims == 1 ? L1 : L1 + L2 - 2);
                assert_int_equal(f.df_resid, fx.df_resid);
                for (int j = 0; j < K; ++j) {
                    assert_close(f.coef[j], fx.coef[1 + j], 1e-9, 0);
                    for (int t = 0; t < 3; ++t)
                        assert_close(f.se_v[t][j], fx.se_v[t][1 + j], 1e-9, 0);
                }
                assert_close(f.rss, fx.rss, 1e-10, 0);
                assert_close(f.r2, fx.r2, 1e-10, 0);
                skm_reg_fit_free(&f);
            }
        skm_reg_fit_free(&fx);
    }
    free(a1);
    free(a2);
    free(cl);
    free(ip);
    free(ipx);
    free(ix);
    free(ixx);
    free(y);
    free(y2);
}

/* Singletons are dropped iteratively: a level left with one row after another is dropped too. */
static void test_singletons(void **state)
{
    skm_ctx *ctx = *state;
    /* rows: dim A levels, dim B levels. Row 5 is alone in A=3 -> dropped; then B=2 has only row
     * 4 -> dropped; then A=2 has only row 3 -> dropped. */
    enum { N = 9 };
    int32_t A[N] = {0, 0, 1, 2, 2, 3, 1, 0, 1}, B[N] = {0, 1, 0, 1, 2, 2, 1, 0, 0};
    int64_t ip[N + 1];
    int32_t ix[N];
    double y[N];
    size_t nnz = 0;
    ip[0] = 0;
    for (int i = 0; i < N; ++i) {
        if (i % 2)
            ix[nnz++] = 0;
        y[i] = 1 + 0.1 * i * i;
        ip[i + 1] = (int64_t)nnz;
    }
    skm_reg_design d = {.n = N, .k = 1, .indptr = ip, .indices = ix, .y = y, .n_absorb_cols = 2};
    d.absorb[0] = A;
    d.absorb[1] = B;
    d.absorb_levels[0] = 4;
    d.absorb_levels[1] = 3;
    skm_reg_fit f;
    memset(&f, 0, sizeof f);
    f.se = SKM_SE_CLASSICAL;
    f.n_abs = 2;
    f.abs[0] = 0;
    f.abs[1] = 1;
    skm_reg_opts o = opts(1);
    assert_int_equal(skm_reg_fit_run(ctx, &d, &o, &f), SKM_OK);
    assert_int_equal(f.n_singletons, 3);
    assert_int_equal(f.n, 6);
    skm_reg_fit_free(&f);
}

/* A regressor the absorbed effects explain (here: a function of the second absorbed column, as
 * role is of title) is aliased as "absorbed" whatever the order of the columns, and the other
 * terms equal the fit without it. */
static void test_absorbed_regressor(void **state)
{
    skm_ctx *ctx = *state;
    enum { N = 2000, L1 = 30, L2 = 20 };
    uint64_t s = 77;
    int32_t *a1 = malloc(N * sizeof *a1), *a2 = malloc(N * sizeof *a2);
    int64_t *ip = malloc((N + 1) * sizeof *ip), *ip2 = malloc((N + 1) * sizeof *ip2);
    int32_t *ix = malloc(N * 3 * sizeof *ix), *ix2 = malloc(N * 3 * sizeof *ix2);
    double *y = malloc(N * sizeof *y);
    size_t m = 0, m2 = 0;
    ip[0] = ip2[0] = 0;
    for (int i = 0; i < N; ++i) {
        a1[i] = (int32_t)(rng_next(&s) % L1);
        a2[i] = (int32_t)(rng_next(&s) % L2);
        int x0 = rng_unif(&s) < 0.3, x2 = rng_unif(&s) < 0.5;
        y[i] = 11 + 0.01 * a1[i] + 0.02 * a2[i] + 0.1 * x0 - 0.05 * x2 + 0.1 * rng_unif(&s);
        if (x0)
            ix[m++] = 0, ix2[m2++] = 0;
        if (a2[i] % 3 == 0) /* column 1: explained by the dimension-2 effects */
            ix[m++] = 1;
        if (x2)
            ix[m++] = 2, ix2[m2++] = 1;
        ip[i + 1] = (int64_t)m;
        ip2[i + 1] = (int64_t)m2;
    }
    for (int order = 0; order < 2; ++order) {
        skm_reg_design d = {.n = N, .k = 3, .indptr = ip, .indices = ix, .y = y,
                            .n_absorb_cols = 2};
        d.absorb[0] = a1;
        d.absorb[1] = a2;
        d.absorb_levels[0] = L1;
        d.absorb_levels[1] = L2;
        skm_reg_design d2 = d;
        d2.k = 2;
        d2.indptr = ip2;
        d2.indices = ix2;
        skm_reg_fit f, g;
        memset(&f, 0, sizeof f);
        memset(&g, 0, sizeof g);
        f.se = g.se = SKM_SE_CLASSICAL | SKM_SE_HC1;
        f.n_abs = g.n_abs = 2;
        f.abs[0] = g.abs[0] = order;
        f.abs[1] = g.abs[1] = 1 - order;
        skm_reg_opts o = opts(2);
        o.fe_tol = 1e-12;
        assert_int_equal(skm_reg_fit_run(ctx, &d, &o, &f), SKM_OK);
        assert_int_equal(skm_reg_fit_run(ctx, &d2, &o, &g), SKM_OK);
        assert_int_equal(f.aliased[1], 1);
        assert_int_equal(f.alias_n[1], -1);
        assert_int_equal(f.df_resid, g.df_resid);
        assert_close(f.coef[0], g.coef[0], 1e-9, 0);
        assert_close(f.coef[2], g.coef[1], 1e-9, 0);
        assert_close(f.se_v[1][0], g.se_v[1][0], 1e-9, 0);
        assert_close(f.se_v[0][2], g.se_v[0][1], 1e-9, 0);
        skm_reg_fit_free(&f);
        skm_reg_fit_free(&g);
    }
    free(a1);
    free(a2);
    free(ip);
    free(ip2);
    free(ix);
    free(ix2);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_longley),
        cmocka_unit_test(test_binary_regressor),
        cmocka_unit_test(test_aliased),
        cmocka_unit_test(test_absorb_equals_dummies),
        cmocka_unit_test(test_singletons),
        cmocka_unit_test(test_absorbed_regressor),
    };
    return cmocka_run_group_tests(tests, ctx_setup, ctx_teardown);
}
