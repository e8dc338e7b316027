/*
 * test_cooccur.c — co-occurrence measures (src/cooccur/measures.h): a hand-worked 2×2 table,
 * the documented edge cases, invalid tables, hypergeometric p-values against exact values,
 * Benjamini–Hochberg q-values, and a randomized check against a long-double recomputation.
 */
#include "test_util.h"

#include <float.h>
#include <limits.h>

#include "cooccur/measures.h"
#include "core/core.h"

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

/* n = 20 postings, n_a = 8, n_b = 5, n_ab = 4. By hand:
 *   P(b|a)  = 4/8                                   = 0.5
 *   lift    = 20·4 / (8·5) = 80/40                  = 2
 *   PMI     = ln 2                                  = 0.69314718055994531
 *   NPMI    = ln 2 / −ln(4/20) = ln 2 / ln 5        = 0.43067655807339306
 *   Jaccard = 4 / (8 + 5 − 4) = 4/9                 = 0.44444444444444444
 *   cosine  = 4 / sqrt(8·5) = 4/sqrt(40)            = 0.63245553203367587
 *   phi     = (80 − 40) / sqrt(8·5·12·15) = 40/sqrt(7200) = sqrt(2)/3 = 0.47140452079103169
 *   p       = P(X >= 4) = [C(8,4)·C(12,1) + C(8,5)·C(12,0)] / C(20,5)
 *           = (70·12 + 56) / 15504 = 896/15504      = 0.057791537667698658 */
static void test_hand_table(void **state)
{
    skm_cooc_pair m;
    assert_int_equal(skm_cooc_measures(*state, 20, 8, 5, 4, &m), SKM_OK);
    const double r = 1e-12;
    assert_close(m.p_b_given_a, 0.5, r, 0);
    assert_close(m.lift, 2.0, r, 0);
    assert_close(m.pmi, log(2.0), r, 0);
    assert_close(m.npmi, log(2.0) / log(5.0), r, 0);
    assert_close(m.jaccard, 4.0 / 9.0, r, 0);
    assert_close(m.cosine, 4.0 / sqrt(40.0), r, 0);
    assert_close(m.phi, sqrt(2.0) / 3.0, r, 0);
    assert_close(m.p_value, 896.0 / 15504.0, r, 0);
    assert_close(m.ln_p_value, log(896.0 / 15504.0), r, 0);
    /* Symmetric measures do not depend on which skill is a. */
    skm_cooc_pair s;
    assert_int_equal(skm_cooc_measures(*state, 20, 5, 8, 4, &s), SKM_OK);
    assert_close(s.p_b_given_a, 0.8, r, 0);
    assert_close(s.lift, m.lift, r, 0);
    assert_close(s.phi, m.phi, r, 0);
    assert_close(s.p_value, m.p_value, r, 0);
}

static void test_edge_cases(void **state)
{
    skm_ctx *ctx = *state;
    skm_cooc_pair m;

    /* Never together: lift 0, PMI −∞, NPMI −1 by convention, p = 1. */
    assert_int_equal(skm_cooc_measures(ctx, 20, 8, 5, 0, &m), SKM_OK);
    assert_close(m.p_b_given_a, 0.0, 0, 0);
    assert_close(m.lift, 0.0, 0, 0);
    assert_true(isinf(m.pmi) && m.pmi < 0);
    assert_close(m.npmi, -1.0, 0, 0);
    assert_close(m.jaccard, 0.0, 0, 0);
    assert_close(m.cosine, 0.0, 0, 0);
    assert_close(m.phi, -40.0 / sqrt(7200.0), 1e-12, 0);
    assert_close(m.p_value, 1.0, 0, 0);
    assert_close(m.ln_p_value, 0.0, 0, 0);

    /* Always together (n_ab = n_a = n_b): everything at its maximum; p = 1/C(20,5). */
    assert_int_equal(skm_cooc_measures(ctx, 20, 5, 5, 5, &m), SKM_OK);
    assert_close(m.p_b_given_a, 1.0, 0, 0);
    assert_close(m.lift, 4.0, 1e-15, 0);
    assert_close(m.pmi, log(4.0), 1e-15, 0);
    assert_close(m.npmi, 1.0, 1e-15, 0);
    assert_close(m.jaccard, 1.0, 0, 0);
    assert_close(m.cosine, 1.0, 1e-15, 0);
    assert_close(m.phi, 1.0, 1e-15, 0);
    assert_close(m.p_value, 1.0 / 15504.0, 1e-12, 0);

    /* Skill a in every posting (n_a = n): lift 1, PMI 0, phi undefined, p = 1. */
    assert_int_equal(skm_cooc_measures(ctx, 20, 20, 5, 5, &m), SKM_OK);
    assert_close(m.p_b_given_a, 0.25, 0, 0);
    assert_close(m.lift, 1.0, 0, 0);
    assert_close(m.pmi, 0.0, 0, 0);
    assert_close(m.npmi, 0.0, 0, 0);
    assert_close(m.jaccard, 0.25, 0, 0);
    assert_close(m.cosine, 0.5, 1e-15, 0);
    assert_true(isnan(m.phi));
    assert_close(m.p_value, 1.0, 0, 0);

    /* Both in every posting (n_ab = n): NPMI +1 by convention; phi undefined. */
    assert_int_equal(skm_cooc_measures(ctx, 7, 7, 7, 7, &m), SKM_OK);
    assert_close(m.npmi, 1.0, 0, 0);
    assert_close(m.pmi, 0.0, 0, 0);
    assert_true(isnan(m.phi));
    assert_close(m.p_value, 1.0, 0, 0);

    /* Skill a in no posting: everything that divides by n_a is NaN; p = 1. */
    assert_int_equal(skm_cooc_measures(ctx, 20, 0, 5, 0, &m), SKM_OK);
    assert_true(isnan(m.p_b_given_a));
    assert_true(isnan(m.lift));
    assert_true(isnan(m.pmi));
    assert_true(isnan(m.npmi));
    assert_close(m.jaccard, 0.0, 0, 0);
    assert_true(isnan(m.cosine));
    assert_true(isnan(m.phi));
    assert_close(m.p_value, 1.0, 0, 0);

    /* Neither skill anywhere, and an empty corpus. */
    assert_int_equal(skm_cooc_measures(ctx, 20, 0, 0, 0, &m), SKM_OK);
    assert_true(isnan(m.jaccard));
    assert_int_equal(skm_cooc_measures(ctx, 0, 0, 0, 0, &m), SKM_OK);
    assert_true(isnan(m.lift) && isnan(m.phi) && isnan(m.jaccard));
    assert_close(m.p_value, 1.0, 0, 0);

    /* Forced overlap: n_a + n_b − n = 3 is the bottom of the support, so n_ab = 3 has p = 1. */
    assert_int_equal(skm_cooc_measures(ctx, 10, 6, 7, 3, &m), SKM_OK);
    assert_close(m.p_value, 1.0, 0, 0);
    assert_true(m.lift < 1.0 && m.phi < 0.0);

    /* PMI keeps its relative accuracy next to independence: n·n_ab − n_a·n_b = 1. */
    assert_int_equal(skm_cooc_measures(ctx, 4000000001LL, 2000000000, 2, 1, &m), SKM_OK);
    assert_close(m.pmi, log1p(1.0 / 4e9), 1e-12, 0);
    assert_close(m.phi, 1.0 / sqrt(2e9 * 2.0 * 2000000001.0 * 3999999999.0), 1e-12, 0);
}

static void test_invalid(void **state)
{
    skm_ctx *ctx = *state;
    skm_cooc_pair m;
    const int64_t bad[][4] = {
        {-1, 0, 0, 0}, {20, -1, 5, 0}, {20, 8, -5, 0}, {20, 8, 5, -1}, /* negative */
        {20, 8, 5, 6},                                                 /* n_ab > n_b */
        {20, 3, 5, 4},                                                 /* n_ab > n_a */
        {20, 21, 5, 5},                                                /* n_a > n */
        {20, 5, 21, 5},                                                /* n_b > n */
        {20, 15, 15, 9},                                               /* union 21 > n */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        assert_int_equal(skm_cooc_measures(ctx, bad[i][0], bad[i][1], bad[i][2], bad[i][3], &m),
                         SKM_EINVAL);
        assert_int_equal(skm_ctx_errcode(ctx), SKM_EINVAL);
        assert_true(strlen(skm_ctx_errmsg(ctx)) > 0);
        assert_true(isnan(m.lift) && isnan(m.p_value));
    }
    /* Beyond GSL's unsigned int. */
    assert_int_equal(skm_cooc_measures(ctx, (int64_t)UINT_MAX + 1, 10, 10, 5, &m), SKM_ELIMIT);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "exceeds"));
    assert_int_equal(skm_cooc_measures(ctx, INT64_MAX, 10, 10, 5, &m), SKM_ELIMIT);
    /* UINT_MAX itself is accepted. */
    assert_int_equal(skm_cooc_measures(ctx, (int64_t)UINT_MAX, 1000, 1000, 1, &m), SKM_OK);
    /* NULL ctx is allowed: the status still comes back. */
    assert_int_equal(skm_cooc_measures(NULL, 20, 3, 5, 4, &m), SKM_EINVAL);
}

/* Reference values. "scipy" is scipy 1.10.1 from Debian's /usr/bin/python3:
 *     /usr/bin/python3 -c "from scipy.stats import hypergeom; print(repr(hypergeom.sf(k-1, n, n_a, n_b)))"
 * "exact" is the upper-tail sum in mpmath at 50 digits (mpmath 1.2.1):
 *     mp.dps = 50; sum(binomial(n_a, j)*binomial(n-n_a, n_b-j) for j in k..min(n_a,n_b)) / binomial(n, n_b)
 * (for n >= 1e6 as ln C differences from mpmath.loggamma and the ratio recurrence, stopped at
 * 1e-40 relative). scipy and exact agree to 1e-15 up to n = 1000 but not beyond: at n = 1e6
 * scipy is off by 1.6e-10 relative and at n = 3e7 by 1.2e-9, so the exact values are the
 * reference and scipy is listed for the record. */
typedef struct {
    int64_t n, na, nb, nab;
    double exact, scipy, rtol;
} hyper_case;

static void test_pvalues(void **state)
{
    /* rtol: 1e-12 for small n. For large n the error is GSL's, not the reference's:
     * gsl_cdf_hypergeometric_Q and gsl_sf_lnchoose work from ln-factorial differences of
     * size ~n·ln n, so about 1e-16·n·ln n is lost: measured 1.3e-9 at n = 1e6 and 7e-8 at
     * n = 3e7 (an absolute error of ~1e-9 in ln p; irrelevant next to any alpha). The
     * tolerances are set a factor ~5 above the measured error. */
    static const hyper_case cases[] = {
        {20, 8, 5, 4, 0.057791537667698658411, 0.057791537667698664, 1e-12},
        {20, 8, 5, 1, 0.94891640866873065015, 0.9489164086687306, 1e-12},
        {20, 8, 5, 0, 1.0, 1.0, 0},
        {20, 8, 5, 5, 0.0036119711042311661507, 0.0036119711042311665, 1e-12},
        {100, 30, 40, 12, 0.58572919096481145681, 0.5857291909648115, 1e-12},
        {100, 30, 40, 20, 0.00043106255242406360896, 0.00043106255242406365, 1e-12},
        {1000, 100, 100, 30, 1.8838095431238317046e-9, 1.8838095431238297e-09, 1e-11},
        {1000000, 5000, 8000, 60, 0.0017567660396447786523, 0.0017567660399260346, 1e-9},
        {1000000, 5000, 8000, 41, 0.45808008423615948041, 0.45808008431196284, 1e-9},
        {1000000, 20000, 30000, 1000, 2.1673582606036930239e-53, 2.1673582606275166e-53, 1e-8},
        {30000000, 100000, 200000, 900, 3.6280415037176216094e-18, 3.628041508189566e-18, 5e-7},
        {30000000, 300000, 250000, 2600, 0.02281677099814592598, 0.022816770981044027, 5e-7},
        {30000000, 1000000, 2000000, 70000, 8.8807367528735462302e-42, 8.880736714494455e-42,
         5e-7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const hyper_case *c = &cases[i];
        skm_cooc_pair m;
        assert_int_equal(skm_cooc_measures(*state, c->n, c->na, c->nb, c->nab, &m), SKM_OK);
        assert_close(m.p_value, c->exact, c->rtol, 0);
        /* Absolute in ln p is relative in p. */
        assert_close(m.ln_p_value, log(c->exact), 0, c->rtol);
    }
}

/* p below 1e-290: GSL's Q returns 0 here (checked below), so the log-space sum takes over.
 * ln p from mpmath at 50 digits, as above. */
static void test_pvalues_tiny(void **state)
{
    static const struct {
        int64_t n, na, nb, nab;
        double ln_p, rtol;
    } cases[] = {
        /* 1/C(2000, 1000) = 4.882451019848891273e-601 */
        {2000, 1000, 1000, 1000, -1382.2679935374800586, 1e-12},
        /* 9.3019110129555328149e-1286 */
        {10000, 3000, 3000, 2500, -2958.8942097260287088, 1e-12},
        /* 1/C(1e6, 4e5) */
        {1000000, 400000, 400000, 400000, -673004.55387335818037, 1e-12},
        /* The largest n allowed, 365 standard deviations above the mean. */
        {4294967295LL, 3000000000LL, 3000000000LL, 2100000000LL, -53665.09404359165235, 1e-9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        skm_cooc_pair m;
        assert_int_equal(
            skm_cooc_measures(*state, cases[i].n, cases[i].na, cases[i].nb, cases[i].nab, &m),
            SKM_OK);
        assert_close(m.ln_p_value, cases[i].ln_p, cases[i].rtol, 0);
        assert_close(m.p_value, 0.0, 0, 0); /* below the smallest subnormal */
    }
    /* Just around DBL_MIN: the subnormal p is exp(ln p), so it keeps its leading digits.
     * (n, n_a, n_b, n_ab) = (2000, 1000, 1000, 530)-like cases are covered by the ratio check
     * in test_pvalue_monotone; here the exact 1/C(1030, 515) ~ 1e-308. */
    skm_cooc_pair m;
    assert_int_equal(skm_cooc_measures(*state, 1030, 515, 515, 515, &m), SKM_OK);
    double ln_c = lgamma(1031.0) - 2 * lgamma(516.0);
    assert_close(m.ln_p_value, -ln_c, 1e-12, 0);
    assert_true(m.p_value > 0.0 && m.p_value < 1e-300);
}

/* p is non-increasing in n_ab (a larger overlap is never less significant), ln p agrees with
 * log p where both are normal, and the log-space path agrees with GSL where GSL is accurate. */
static void test_pvalue_monotone(void **state)
{
    const int64_t tables[][3] = {{20, 8, 5}, {1000, 300, 200}, {5000, 2500, 2500}, {100000, 700, 900}};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; ++t) {
        int64_t n = tables[t][0], na = tables[t][1], nb = tables[t][2];
        int64_t lo = na + nb - n > 0 ? na + nb - n : 0, hi = na < nb ? na : nb;
        double prev = 2.0, prev_ln = 1.0;
        for (int64_t k = lo; k <= hi; ++k) {
            skm_cooc_pair m;
            assert_int_equal(skm_cooc_measures(*state, n, na, nb, k, &m), SKM_OK);
            assert_true(m.p_value <= prev);
            assert_true(m.ln_p_value <= prev_ln);
            assert_true(m.p_value >= 0.0 && m.p_value <= 1.0);
            prev = m.p_value;
            prev_ln = m.ln_p_value;
            /* The log-space sum is only used far out in the upper tail; compare it there
             * (p < 0.5), where its terms decrease geometrically. */
            if (k > lo && m.p_value > 1e-280 && m.p_value < 0.5) {
                double lp;
                assert_int_equal(skm_cooc_hyper_ln_sf(*state, n, na, nb, k, &lp), SKM_OK);
                assert_close(lp, m.ln_p_value, 0, 1e-9);
            }
        }
    }
}

static void test_bh_hand(void **state)
{
    skm_ctx *ctx = *state;
    /* m' = 5 (one NaN). Sorted: 0.01 (i0), 0.03 (i2), 0.04 (i1), 0.04 (i3), 0.5 (i5).
     * p·m'/j: 0.05, 0.075, 0.0667, 0.05, 0.5; running minimum from the top:
     * 0.5, 0.05, 0.05, 0.05, 0.05. Ties (i1, i3) share 0.05. */
    const double p[6] = {0.01, 0.04, 0.03, 0.04, NAN, 0.5};
    const double want[6] = {0.05, 0.05, 0.05, 0.05, NAN, 0.5};
    double q[6];
    size_t work[12];
    assert_int_equal(skm_cooc_bh_work_len(6), 12);
    assert_int_equal(skm_cooc_bh_qvalues(ctx, p, 6, 0, q, work), SKM_OK);
    for (int i = 0; i < 6; ++i)
        assert_close(q[i], want[i], 1e-15, 0);

    /* m = 0: nothing to do, NULL arrays allowed. m = 1: q = p. */
    assert_int_equal(skm_cooc_bh_qvalues(ctx, NULL, 0, 0, NULL, NULL), SKM_OK);
    double one = 0.37, q1;
    assert_int_equal(skm_cooc_bh_qvalues(ctx, &one, 1, 0, &q1, work), SKM_OK);
    assert_close(q1, 0.37, 0, 0);
    /* All NaN: m' = 0, every q NaN. */
    const double nans[2] = {NAN, NAN};
    double qn[2] = {0, 0};
    assert_int_equal(skm_cooc_bh_qvalues(ctx, nans, 2, 0, qn, work), SKM_OK);
    assert_true(isnan(qn[0]) && isnan(qn[1]));
    /* In place. */
    double inplace[6];
    memcpy(inplace, p, sizeof p);
    assert_int_equal(skm_cooc_bh_qvalues(ctx, inplace, 6, 0, inplace, work), SKM_OK);
    for (int i = 0; i < 6; ++i)
        assert_close(inplace[i], want[i], 1e-15, 0);

    /* A family of M = 10 hypotheses of which these 5 are known (the rest taken as p = 1):
     * p·M/j: 0.1, 0.15, 0.1333, 0.1, 1.0 -> running minimum 1.0, 0.1, 0.1, 0.1, 0.1; the same as
     * plain BH on the 10 p-values with five 1s appended. */
    const double wantM[6] = {0.1, 0.1, 0.1, 0.1, NAN, 1.0};
    assert_int_equal(skm_cooc_bh_qvalues(ctx, p, 6, 10, q, work), SKM_OK);
    for (int i = 0; i < 6; ++i)
        assert_close(q[i], wantM[i], 1e-15, 0);
    double p10[10], q10[10];
    size_t work10[20];
    memcpy(p10, p, sizeof p);
    p10[4] = 1.0; /* the NaN becomes a known p = 1, like the four appended */
    for (int i = 6; i < 10; ++i)
        p10[i] = 1.0;
    assert_int_equal(skm_cooc_bh_qvalues(ctx, p10, 10, 0, q10, work10), SKM_OK);
    for (int i = 0; i < 6; ++i)
        if (i != 4)
            assert_close(q10[i], wantM[i], 1e-15, 0);
    /* A family smaller than the known p-values is an error. */
    assert_int_equal(skm_cooc_bh_qvalues(ctx, p, 6, 4, q, work), SKM_EINVAL);

    /* Invalid p-values and pointers; q is not written. */
    const double badp[3] = {0.1, 1.5, 0.2};
    double qb[3] = {7, 7, 7};
    assert_int_equal(skm_cooc_bh_qvalues(ctx, badp, 3, 0, qb, work), SKM_EINVAL);
    assert_close(qb[0], 7.0, 0, 0);
    const double badn[2] = {-0.1, 0.2};
    assert_int_equal(skm_cooc_bh_qvalues(ctx, badn, 2, 0, qb, work), SKM_EINVAL);
    const double badi[2] = {INFINITY, 0.2};
    assert_int_equal(skm_cooc_bh_qvalues(ctx, badi, 2, 0, qb, work), SKM_EINVAL);
    assert_int_equal(skm_cooc_bh_qvalues(ctx, p, 6, 0, NULL, work), SKM_EINVAL);
    assert_int_equal(skm_cooc_bh_qvalues(ctx, p, 6, 0, q, NULL), SKM_EINVAL);
    assert_int_equal(skm_cooc_bh_work_len(SIZE_MAX), 0);
}

/* Neither scipy.stats.false_discovery_control (new in scipy 1.11; Debian 12 has 1.10.1) nor
 * statsmodels is installed, so the reference is numpy with the textbook algorithm
 * (p.adjust(method = "BH")), NaNs dropped first:
 *     o = np.argsort(pv, kind='stable'); adj = pv[o] * m / np.arange(1, m + 1)
 *     adj = np.minimum.accumulate(adj[::-1])[::-1]; q[o] = np.minimum(adj, 1)
 * on p = np.round(default_rng(3).uniform(0, 0.2, 24), 3) with p[[3,11,17]] = nan,
 * p[5] = p[9], p[20] = 0, p[21] = 1 (ties, NaNs, both ends of [0, 1]). */
static void test_bh_numpy(void **state)
{
    const double p[24] = {0.017, 0.047, 0.16, NAN,  0.019, 0.023, 0.096, 0.032,
                          0.147, 0.023, 0.078, NAN, 0.086, 0.117, 0.148, 0.191,
                          0.057, NAN,   0.139, 0.059, 0.0,   1.0,   0.06,  0.063};
    const double want[24] = {
        0.09659999999999999, 0.12027272727272727, 0.17684210526315788, NAN,
        0.09659999999999999, 0.09659999999999999, 0.144,               0.112,
        0.17266666666666663, 0.09659999999999999, 0.13649999999999998, NAN,
        0.1389230769230769,  0.16380000000000003, 0.17266666666666663, 0.20055,
        0.12027272727272727, NAN,                 0.17266666666666663, 0.12027272727272727,
        0.0,                 1.0,                 0.12027272727272727, 0.12027272727272727};
    double q[24];
    size_t work[48];
    assert_int_equal(skm_cooc_bh_qvalues(*state, p, 24, 0, q, work), SKM_OK);
    for (int i = 0; i < 24; ++i)
        assert_close(q[i], want[i], 1e-15, 0);
}

/* BH on random p-values with many ties against an O(m²) implementation of the definition. */
static void test_bh_random(void **state)
{
    enum { M = 300 };
    double p[M], q[M];
    size_t work[2 * M];
    srand(7);
    for (int rep = 0; rep < 20; ++rep) {
        for (int i = 0; i < M; ++i) {
            int r = rand() % 60;
            p[i] = r == 0 ? NAN : (double)(r % 40) / 39.0;
        }
        assert_int_equal(skm_cooc_bh_qvalues(*state, p, M, 0, q, work), SKM_OK);
        size_t mm = 0;
        for (int i = 0; i < M; ++i)
            mm += !isnan(p[i]);
        for (int i = 0; i < M; ++i) {
            if (isnan(p[i])) {
                assert_true(isnan(q[i]));
                continue;
            }
            /* q_i = min over p_j >= p_i of p_j·m'/rank_j, with rank_j the position of j in the
             * stable order (count of strictly smaller p, plus earlier equal ones, plus 1). */
            double best = 1.0;
            for (int j = 0; j < M; ++j) {
                if (isnan(p[j]) || p[j] < p[i])
                    continue;
                size_t rank = 1;
                for (int k = 0; k < M; ++k)
                    if (!isnan(p[k]) && (p[k] < p[j] || (p[k] == p[j] && k < j)))
                        ++rank;
                double v = p[j] * (double)mm / (double)rank;
                if (v < best)
                    best = v;
            }
            assert_close(q[i], best, 1e-15, 0);
        }
    }
}

/* 10,000 random valid tables: every measure against a direct long-double recomputation. */
static void test_random_tables(void **state)
{
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int it = 0; it < 10000; ++it) {
        /* xorshift64*: reproducible across platforms, unlike rand(). */
        s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
        uint64_t r = s * 0x2545F4914F6CDD1Dull;
        int64_t n = 1 + (int64_t)(r % (it % 3 == 0 ? 50u : it % 3 == 1 ? 100000u : 2000000u));
        int64_t na = (int64_t)((r >> 7) % (uint64_t)(n + 1));
        int64_t nb = (int64_t)((r >> 19) % (uint64_t)(n + 1));
        int64_t lo = na + nb - n > 0 ? na + nb - n : 0, hi = na < nb ? na : nb;
        int64_t nab = lo + (int64_t)((r >> 31) % (uint64_t)(hi - lo + 1));
        skm_cooc_pair m;
        assert_int_equal(skm_cooc_measures(*state, n, na, nb, nab, &m), SKM_OK);
        long double N = n, A = na, B = nb, AB = nab;
        const double rt = 1e-12;
        if (na > 0)
            assert_close(m.p_b_given_a, (double)(AB / A), rt, 0);
        else
            assert_true(isnan(m.p_b_given_a));
        if (na > 0 && nb > 0) {
            long double lift = N * AB / (A * B);
            assert_close(m.lift, (double)lift, rt, 0);
            assert_close(m.cosine, (double)(AB / sqrtl(A * B)), rt, 0);
            if (nab > 0) {
                /* PMI near 0 has no relative meaning for the long-double reference either. */
                assert_close(m.pmi, (double)logl(lift), rt, 1e-15);
                if (nab < n)
                    assert_close(m.npmi, (double)(logl(lift) / -logl(AB / N)), 1e-10, 1e-15);
                else
                    assert_close(m.npmi, 1.0, 0, 0);
            } else {
                assert_true(isinf(m.pmi));
                assert_close(m.npmi, -1.0, 0, 0);
            }
        }
        if (na + nb > 0)
            assert_close(m.jaccard, (double)(AB / (A + B - AB)), rt, 0);
        if (na > 0 && nb > 0 && na < n && nb < n) {
            long double ph = (N * AB - A * B) / sqrtl(A * B * (N - A) * (N - B));
            assert_close(m.phi, (double)ph, rt, 1e-15);
            assert_true(m.phi >= -1.0 - 1e-15 && m.phi <= 1.0 + 1e-15);
        } else {
            assert_true(isnan(m.phi));
        }
        assert_true(m.p_value >= 0.0 && m.p_value <= 1.0);
        assert_true(m.ln_p_value <= 0.0);
        if (m.p_value > 1e-290)
            assert_close(m.ln_p_value, log(m.p_value), 1e-12, 1e-15);
        /* One more overlap never raises the p-value. */
        if (nab < hi && (it & 7) == 0) {
            skm_cooc_pair m2;
            assert_int_equal(skm_cooc_measures(*state, n, na, nb, nab + 1, &m2), SKM_OK);
            assert_true(m2.p_value <= m.p_value && m2.ln_p_value <= m.ln_p_value);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_table),     cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_invalid),        cmocka_unit_test(test_pvalues),
        cmocka_unit_test(test_pvalues_tiny),   cmocka_unit_test(test_pvalue_monotone),
        cmocka_unit_test(test_bh_hand),        cmocka_unit_test(test_bh_numpy),
        cmocka_unit_test(test_bh_random),      cmocka_unit_test(test_random_tables),
    };
    return cmocka_run_group_tests_name("cooccur", tests, setup, teardown);
}
