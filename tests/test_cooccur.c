/*
 * test_cooccur.c — co-occurrence measures (src/cooccur/measures.h): a hand-worked 2×2 table,
 * the documented edge cases, invalid tables, hypergeometric p-values against exact values,
 * Benjamini–Hochberg q-values, and a randomized check against a long-double recomputation;
 * the co-occurrence counter (src/cooccur/count.h) against a naive count on random postings.
 */
#include "test_util.h"

#include <float.h>
#include <limits.h>

#include "cooccur/count.h"
#include "cooccur/measures.h"
#include "core/core.h"

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

/* ---- the co-occurrence counter (src/cooccur/count.h) against a naive count -------------------
 * Random CSR data shaped like postings (skills drawn with weight ~1/rank, plus empty rows,
 * one-skill rows and rows with every skill), counted by every combination of path, thread count,
 * block split and band, each compared entry by entry with a plain double loop over each row's
 * pairs into an int64 p x p array. The counts are integers, so "equal" means exactly equal. */

/* The data start at indptr[0] = CC_OFF: indices[0 .. CC_OFF) belong to no row. They hold skill 0
 * with count CC_BAD (above the weighted limit), so a counter that read them would either count
 * too much or fail with SKM_ELIMIT. */
#define CC_OFF 3
#define CC_MAXW 46340 /* the largest count a weighted counter takes (46341^2 > INT32_MAX) */
#define CC_BAD 46341

/* test_counter_nomem asks for an impossible counter. AddressSanitizer by default aborts on such
 * a request where malloc returns NULL; let it return NULL so that the error path runs (and is
 * checked) in the sanitizer build too. */
#if defined(__SANITIZE_ADDRESS__)
#define CC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CC_ASAN 1
#endif
#endif
#ifdef CC_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

typedef struct cc_csr {
    size_t p, n;               /* skills, rows */
    int64_t *indptr;           /* n + 1 entries, indptr[0] = CC_OFF */
    int32_t *indices, *counts; /* indptr[n] entries */
} cc_csr;

static const size_t cc_ps[] = {1, 2, 7, 64, 100, 257};
static const int cc_threads[] = {1, 2, 3, 5};
#define CC_NP (sizeof cc_ps / sizeof cc_ps[0])
#define CC_NT (sizeof cc_threads / sizeof cc_threads[0])

/* xorshift64*, as in test_random_tables. */
static uint64_t cc_rand(uint64_t *s)
{
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, n), n >= 1. */
static size_t cc_below(uint64_t *s, size_t n)
{
    return (size_t)((cc_rand(s) >> 11) % n);
}

#define CC_HEAVY 1  /* cc_make: about one count in six in [40000, 46340] */
#define CC_NOFULL 2 /* cc_make: no row with every skill */
#define CC_SPREAD 4 /* cc_make: half the skills drawn uniformly instead of by 1/rank */

/* n random rows over p >= 1 skills. Row lengths: ~8% empty, ~12% one skill, the rest 2..7 skills
 * with a tail to 22; rows 2, 350, 1051, 1752, ... have every skill (unless CC_NOFULL). Skill s
 * is drawn with weight 1/(s + 1) (with CC_SPREAD, every other draw uniformly, and every 40th
 * row has skill p - 1). Counts 1..5, or with CC_HEAVY about one entry in six in
 * [40000, 46340], so that every second such row forces an int32 flush. */
static cc_csr cc_make(size_t p, size_t n, uint64_t seed, int opts)
{
    const int heavy = opts & CC_HEAVY;
    cc_csr d = {p, n, NULL, NULL, NULL};
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    double *cdf = malloc(p * sizeof *cdf);
    unsigned char *mark = calloc(p, 1);
    int32_t *row = malloc(p * sizeof *row);
    size_t cap = CC_OFF + 4 * n + 2 * p;
    d.indptr = malloc((n + 1) * sizeof *d.indptr);
    d.indices = malloc(cap * sizeof *d.indices);
    d.counts = malloc(cap * sizeof *d.counts);
    assert_true(cdf && mark && row && d.indptr && d.indices && d.counts);
    double total = 0;
    for (size_t a = 0; a < p; ++a)
        cdf[a] = total += 1.0 / (double)(a + 1);
    for (size_t i = 0; i < CC_OFF; ++i)
        d.indices[i] = 0, d.counts[i] = CC_BAD;
    size_t nnz = CC_OFF;
    d.indptr[0] = CC_OFF;
    for (size_t r = 0; r < n; ++r) {
        size_t u = cc_below(&s, 100), k;
        if (!(opts & CC_NOFULL) && (r == 2 || r % 701 == 350))
            k = p;
        else if (u < 8)
            k = 0;
        else if (u < 20)
            k = 1;
        else
            k = 2 + cc_below(&s, 6) + (u >= 90 ? cc_below(&s, 16) : 0);
        if (k > p)
            k = p;
        if (k == p) {
            for (size_t a = 0; a < p; ++a)
                row[a] = (int32_t)a;
        } else {
            for (size_t got = 0, tries = 0; got < k; ++tries) {
                size_t a;
                if (tries < 64 * k && (!(opts & CC_SPREAD) || cc_below(&s, 2))) {
                    /* by weight 1/(a + 1): the first a with cdf[a] > x */
                    double x = (double)(cc_rand(&s) >> 11) * 0x1p-53 * total;
                    size_t l = 0, h = p - 1;
                    while (l < h) {
                        size_t m = (l + h) / 2;
                        if (cdf[m] > x)
                            h = m;
                        else
                            l = m + 1;
                    }
                    a = l;
                } else {
                    a = cc_below(&s, p);
                }
                if (!mark[a])
                    mark[a] = 1, row[got++] = (int32_t)a;
            }
            if ((opts & CC_SPREAD) && r % 40 == 0 && k > 0 && !mark[p - 1]) { /* the last skill */
                mark[row[k - 1]] = 0, mark[p - 1] = 1;
                row[k - 1] = (int32_t)(p - 1);
            }
            for (size_t i = 1; i < k; ++i) /* insertion sort: indices increase within a row */
                for (size_t j = i; j > 0 && row[j - 1] > row[j]; --j) {
                    int32_t t = row[j];
                    row[j] = row[j - 1], row[j - 1] = t;
                }
            for (size_t i = 0; i < k; ++i)
                mark[row[i]] = 0;
        }
        if (nnz + k > cap) {
            cap = 2 * (nnz + k);
            d.indices = realloc(d.indices, cap * sizeof *d.indices);
            d.counts = realloc(d.counts, cap * sizeof *d.counts);
            assert_true(d.indices && d.counts);
        }
        for (size_t i = 0; i < k; ++i, ++nnz) {
            d.indices[nnz] = row[i];
            d.counts[nnz] = heavy && cc_below(&s, 6) == 0
                                ? (int32_t)(40000 + cc_below(&s, CC_MAXW - 40000 + 1))
                                : (int32_t)(1 + cc_below(&s, 5));
        }
        d.indptr[r + 1] = (int64_t)nnz;
    }
    free(cdf);
    free(mark);
    free(row);
    return d;
}

static void cc_free(cc_csr *d)
{
    free(d->indptr);
    free(d->indices);
    free(d->counts);
}

/* The reference: for each row, every pair of positions k <= l, one at a time, into an int64
 * array of rows lo <= a < hi by p columns (entry (a - lo) * p + b, b >= a): +1 (presence) or
 * +c_k * c_l (weighted). */
static int64_t *cc_naive_band(const cc_csr *d, int weighted, int32_t lo, int32_t hi)
{
    const size_t p = d->p;
    int64_t *N = calloc((size_t)(hi - lo) * p + 1, sizeof *N);
    assert_non_null(N);
    for (size_t r = 0; r < d->n; ++r)
        for (int64_t k = d->indptr[r]; k < d->indptr[r + 1]; ++k)
            for (int64_t l = k; l < d->indptr[r + 1]; ++l)
                if (d->indices[k] >= lo && d->indices[k] < hi)
                    N[(size_t)(d->indices[k] - lo) * p + (size_t)d->indices[l]] +=
                        weighted ? (int64_t)d->counts[k] * d->counts[l] : 1;
    return N;
}

/* The whole p x p triangle. */
static int64_t *cc_naive(const cc_csr *d, int weighted)
{
    return cc_naive_band(d, weighted, 0, (int32_t)d->p);
}

/* The pairs k <= l of the rows whose first skill is in [lo, hi): the stats' "pairs". */
static uint64_t cc_band_pairs(const cc_csr *d, int32_t lo, int32_t hi)
{
    uint64_t w = 0;
    for (size_t r = 0; r < d->n; ++r)
        for (int64_t k = d->indptr[r]; k < d->indptr[r + 1]; ++k)
            if (d->indices[k] >= lo && d->indices[k] < hi)
                w += (uint64_t)(d->indptr[r + 1] - k);
    return w;
}

/* Feeds the rows to the counter in blocks: scheme 0, one call; 1, an empty block, four one-row
 * blocks (row 2 has every skill), then random sizes up to n/4 with an empty block now and then,
 * and an empty block at the end; 2, one row per call. Every block starts at indptr + r, so its
 * indptr[0] is never 0. Returns the number of calls; *nonempty gets the calls with rows. */
static size_t cc_feed(skm_ctx *ctx, skm_cooc_counter *c, const cc_csr *d, const int32_t *counts,
                      int scheme, uint64_t seed, size_t *nonempty, const char *what)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 7;
    size_t calls = 0, r = 0;
    *nonempty = 0;
    for (;;) {
        size_t len;
        if (scheme == 0)
            len = d->n;
        else if (scheme == 2)
            len = 1;
        else if (calls == 0)
            len = 0;
        else if (calls <= 4)
            len = 1;
        else if (r == d->n || cc_below(&s, 5) == 0)
            len = 0;
        else
            len = 1 + cc_below(&s, d->n / 4 + 1);
        if (len > d->n - r)
            len = d->n - r;
        int rc = skm_cooc_counter_add(c, d->indptr + r, d->indices, counts, len);
        if (rc != SKM_OK)
            fail_msg("%s: block of rows [%zu, %zu) -> status %d (%s)", what, r, r + len, rc,
                     skm_ctx_errmsg(ctx));
        ++calls;
        *nonempty += len > 0;
        r += len;
        if (r == d->n && (scheme != 1 || len == 0))
            break;
    }
    return calls;
}

/* Every n_ab of the counter's band (lo <= a < hi, a <= b < p) against the naive count want of
 * rows want_lo.. (cc_naive_band). */
static void cc_check_at(const skm_cooc_counter *c, const int64_t *want, int32_t want_lo, size_t p,
                        int32_t lo, int32_t hi, const char *what)
{
    for (int32_t a = lo; a < hi; ++a)
        for (int32_t b = a; (size_t)b < p; ++b) {
            const int64_t got = skm_cooc_counter_get(c, a, b);
            const int64_t w = want[(size_t)(a - want_lo) * p + (size_t)b];
            if (got != w)
                fail_msg("%s: n(%d, %d) = %lld, naive count %lld", what, (int)a, (int)b,
                         (long long)got, (long long)w);
        }
}

/* The same against the whole naive triangle (cc_naive). */
static void cc_check(const skm_cooc_counter *c, const int64_t *want, size_t p, int32_t lo,
                     int32_t hi, const char *what)
{
    cc_check_at(c, want, 0, p, lo, hi, what);
}

/* The stats after counting all of d: every row by exactly one path, forced paths only theirs,
 * no bitset on a band, the pair work exact. */
static skm_cooc_counter_stats cc_check_stats(const skm_cooc_counter *c, const cc_csr *d, int path,
                                             int32_t lo, int32_t hi, size_t calls, size_t nonempty,
                                             const char *what)
{
    skm_cooc_counter_stats st;
    skm_cooc_counter_stats_get(c, &st);
    if (st.rows_pairs + st.rows_bitset != d->n)
        fail_msg("%s: rows_pairs %llu + rows_bitset %llu, want %zu rows added", what,
                 (unsigned long long)st.rows_pairs, (unsigned long long)st.rows_bitset, d->n);
    const uint64_t blocks = st.blocks_pairs + st.blocks_bitset;
    if (blocks < nonempty || blocks > calls)
        fail_msg("%s: blocks_pairs %llu + blocks_bitset %llu, want %zu non-empty blocks "
                 "(%zu calls)",
                 what, (unsigned long long)st.blocks_pairs, (unsigned long long)st.blocks_bitset,
                 nonempty, calls);
    if (path == SKM_COOC_PAIRS && (st.rows_bitset || st.blocks_bitset))
        fail_msg("%s: forced pairs path, but %llu rows in %llu blocks by bitset", what,
                 (unsigned long long)st.rows_bitset, (unsigned long long)st.blocks_bitset);
    if (path == SKM_COOC_BITSET && (st.rows_pairs || st.blocks_pairs))
        fail_msg("%s: forced bitset path, but %llu rows in %llu blocks by pairs", what,
                 (unsigned long long)st.rows_pairs, (unsigned long long)st.blocks_pairs);
    if ((lo != 0 || (size_t)hi != d->p) && st.rows_bitset)
        fail_msg("%s: %llu rows by the bitset path on a band", what,
                 (unsigned long long)st.rows_bitset);
    const uint64_t pairs = cc_band_pairs(d, lo, hi);
    if (st.pairs != (double)pairs)
        fail_msg("%s: stats pairs %.17g, want %llu", what, st.pairs, (unsigned long long)pairs);
    return st;
}

/* How the counters made by cc_create share work among threads (test_counter_splits varies it). */
static int cc_split = SKM_COOC_SPLIT_AUTO;

static skm_cooc_counter *cc_create(skm_ctx *ctx, size_t p, int32_t lo, int32_t hi, int weighted,
                                   int path, int threads, const char *what)
{
    const skm_cooc_counter_params q = {p, lo, hi, weighted, path, threads, cc_split};
    skm_cooc_counter *c = NULL;
    int rc = skm_cooc_counter_create(ctx, &q, &c);
    if (rc != SKM_OK || !c)
        fail_msg("%s: create -> status %d (%s)", what, rc, skm_ctx_errmsg(ctx));
    return c;
}

/* The whole triangle: every path (bitset for presence only), 1, 2, 3, 5 threads, one block or
 * many (empty ones, single rows, offsets), presence (with and without a counts array, which it
 * must ignore) and frequencies 1..5. */
static void test_counter_random(void **state)
{
    skm_ctx *ctx = *state;
    for (size_t ip = 0; ip < CC_NP; ++ip) {
        const size_t p = cc_ps[ip];
        cc_csr d = cc_make(p, 2500, 11 + ip, 0);
        int64_t *want[2] = {cc_naive(&d, 0), cc_naive(&d, 1)};
        for (int weighted = 0; weighted < 2; ++weighted)
            for (int path = SKM_COOC_AUTO; path <= SKM_COOC_BITSET; ++path) {
                if (path == SKM_COOC_BITSET && weighted)
                    continue;
                for (size_t it = 0; it < CC_NT; ++it)
                    for (int scheme = 0; scheme < 2; ++scheme) {
                        const int T = cc_threads[it];
                        char what[200];
                        snprintf(what, sizeof what,
                                 "p %zu, %zu rows, %s, path %s, %d threads, blocks scheme %d", p,
                                 d.n, weighted ? "weighted" : "presence", skm_cooc_path_name(path),
                                 T, scheme);
                        skm_cooc_counter *c =
                            cc_create(ctx, p, 0, (int32_t)p, weighted, path, T, what);
                        const int32_t *counts = weighted || scheme ? d.counts : NULL;
                        size_t nonempty;
                        size_t calls =
                            cc_feed(ctx, c, &d, counts, scheme, 100 * ip + it, &nonempty, what);
                        cc_check(c, want[weighted], p, 0, (int32_t)p, what);
                        skm_cooc_counter_stats st =
                            cc_check_stats(c, &d, path, 0, (int32_t)p, calls, nonempty, what);
                        if (st.flushes != 0) /* bounds far below INT32_MAX */
                            fail_msg("%s: %llu flushes", what, (unsigned long long)st.flushes);
                        skm_cooc_counter_free(c);
                    }
            }
        free(want[0]);
        free(want[1]);
        cc_free(&d);
    }
}

/* Three bands [0, c1), [c1, c2), [c2, p), each counted by its own counter, together give the
 * whole triangle: cuts at thirds, and random cuts (empty bands included); presence and weighted,
 * auto and pairs paths (bitset is for the whole triangle only), 1, 2, 3, 5 threads. */
static void test_counter_bands(void **state)
{
    skm_ctx *ctx = *state;
    uint64_t s = 99;
    for (size_t ip = 0; ip < CC_NP; ++ip) {
        const size_t p = cc_ps[ip];
        cc_csr d = cc_make(p, 2000, 21 + ip, 0);
        int64_t *want[2] = {cc_naive(&d, 0), cc_naive(&d, 1)};
        const uint64_t all_pairs = cc_band_pairs(&d, 0, (int32_t)p);
        for (int split = 0; split < 2; ++split) {
            size_t c1 = p / 3, c2 = 2 * p / 3;
            if (split == 1) {
                c1 = cc_below(&s, p + 1), c2 = cc_below(&s, p + 1);
                if (c1 > c2) {
                    size_t t = c1;
                    c1 = c2, c2 = t;
                }
            }
            const int32_t cut[4] = {0, (int32_t)c1, (int32_t)c2, (int32_t)p};
            for (int weighted = 0; weighted < 2; ++weighted)
                for (int path = SKM_COOC_AUTO; path <= SKM_COOC_PAIRS; ++path) {
                    /* Each thread count twice per p, each block scheme four times. */
                    const size_t it = (size_t)(4 * split + 2 * weighted + path) % CC_NT;
                    const int T = cc_threads[it], scheme = (split + weighted) & 1;
                    double pairs = 0;
                    for (int b = 0; b < 3; ++b) {
                        const int32_t lo = cut[b], hi = cut[b + 1];
                        char what[200];
                        snprintf(what, sizeof what,
                                 "p %zu, band [%d, %d) of cuts (%zu, %zu), %s, path %s, %d "
                                 "threads, blocks scheme %d",
                                 p, (int)lo, (int)hi, c1, c2, weighted ? "weighted" : "presence",
                                 skm_cooc_path_name(path), T, scheme);
                        skm_cooc_counter *c = cc_create(ctx, p, lo, hi, weighted, path, T, what);
                        size_t nonempty;
                        size_t calls =
                            cc_feed(ctx, c, &d, d.counts, scheme, s + it, &nonempty, what);
                        cc_check(c, want[weighted], p, lo, hi, what);
                        pairs += cc_check_stats(c, &d, path, lo, hi, calls, nonempty, what).pairs;
                        skm_cooc_counter_free(c);
                    }
                    if (pairs != (double)all_pairs)
                        fail_msg("p %zu, cuts (%zu, %zu): the bands' pairs add up to %.17g, "
                                 "want %llu",
                                 p, c1, c2, pairs, (unsigned long long)all_pairs);
                }
        }
        free(want[0]);
        free(want[1]);
        cc_free(&d);
    }
}

/* The int32 -> int64 flush, exactly: a row with count 46340 on a skill has bound
 * 46340^2 = 2147395600 <= INT32_MAX, so the next such row of the same thread must flush first.
 * 12 rows {3, 5} with counts (46340, 46340), each followed by a row {3} with count 1 or 297 and
 * an empty row: n_35 = n_55 = 12·46340^2 = 25768747200 > INT32_MAX, n_33 = that + 6 + 6·297^2.
 * 46340^2 + 297^2 = INT32_MAX + 162, so n_33 goes wrong unless the counter flushes between a
 * 46340 row and the 297 row after it (a bound even 162 too loose would wrap). */
static void test_counter_flush(void **state)
{
    skm_ctx *ctx = *state;
    enum { K = 12 };
    const int64_t big = (int64_t)CC_MAXW * CC_MAXW;
    cc_csr d = {8, 3 * K, NULL, NULL, NULL};
    d.indptr = malloc((d.n + 1) * sizeof *d.indptr);
    d.indices = malloc((CC_OFF + 3 * K) * sizeof *d.indices);
    d.counts = malloc((CC_OFF + 3 * K) * sizeof *d.counts);
    assert_true(d.indptr && d.indices && d.counts);
    size_t nnz = 0;
    for (; nnz < CC_OFF; ++nnz)
        d.indices[nnz] = 0, d.counts[nnz] = CC_BAD;
    d.indptr[0] = CC_OFF;
    for (size_t i = 0; i < K; ++i) {
        d.indices[nnz] = 3, d.counts[nnz++] = CC_MAXW;
        d.indices[nnz] = 5, d.counts[nnz++] = CC_MAXW;
        d.indptr[3 * i + 1] = (int64_t)nnz;
        d.indices[nnz] = 3, d.counts[nnz++] = i % 2 ? 297 : 1;
        d.indptr[3 * i + 2] = (int64_t)nnz;
        d.indptr[3 * i + 3] = (int64_t)nnz;
    }
    int64_t *want = cc_naive(&d, 1);
    assert_true(big + 297 * 297 == (int64_t)INT32_MAX + 162);
    assert_true(want[3 * 8 + 3] == K * big + K / 2 * (1 + 297 * 297) &&
                want[3 * 8 + 5] == K * big && want[5 * 8 + 5] == K * big &&
                want[3 * 8 + 5] > INT32_MAX);
    for (size_t it = 0; it < CC_NT; ++it)
        for (int scheme = 0; scheme < 3; scheme += 2)
            for (int band = 0; band < 2; ++band) {
                const int T = cc_threads[it];
                const int32_t lo = band ? 3 : 0, hi = band ? 4 : 8;
                char what[160];
                snprintf(what, sizeof what, "rows of count 46340, band [%d, %d), %d threads, %s",
                         (int)lo, (int)hi, T, scheme ? "one row per block" : "one block");
                skm_cooc_counter *c = cc_create(ctx, 8, lo, hi, 1, SKM_COOC_AUTO, T, what);
                size_t nonempty;
                size_t calls = cc_feed(ctx, c, &d, d.counts, scheme, 1, &nonempty, what);
                cc_check(c, want, 8, lo, hi, what);
                skm_cooc_counter_stats st =
                    cc_check_stats(c, &d, SKM_COOC_PAIRS, lo, hi, calls, nonempty, what);
                if (st.flushes < 1)
                    fail_msg("%s: no int32 flush", what);
                skm_cooc_counter_free(c);
            }
    free(want);
    cc_free(&d);
}

/* Random data with counts up to 46340 (about one entry in six above 40000): flushes at random
 * points of the rows, threads and blocks, against the naive int64 count. */
static void test_counter_flush_random(void **state)
{
    skm_ctx *ctx = *state;
    const size_t ps[] = {7, 64};
    for (size_t ip = 0; ip < 2; ++ip) {
        const size_t p = ps[ip];
        cc_csr d = cc_make(p, 1500, 31 + ip, CC_HEAVY);
        int64_t *want = cc_naive(&d, 1);
        const int32_t cut[4] = {0, (int32_t)(p / 3), (int32_t)(2 * p / 3), (int32_t)p};
        for (size_t it = 0; it < CC_NT; ++it)
            for (int scheme = 0; scheme < 2; ++scheme)
                for (int b = -1; b < 3; ++b) { /* -1: the whole triangle */
                    const int T = cc_threads[it];
                    const int32_t lo = b < 0 ? 0 : cut[b], hi = b < 0 ? (int32_t)p : cut[b + 1];
                    char what[160];
                    snprintf(what, sizeof what,
                             "heavy counts, p %zu, band [%d, %d), %d threads, blocks scheme %d", p,
                             (int)lo, (int)hi, T, scheme);
                    skm_cooc_counter *c = cc_create(ctx, p, lo, hi, 1, SKM_COOC_AUTO, T, what);
                    size_t nonempty;
                    size_t calls = cc_feed(ctx, c, &d, d.counts, scheme, it, &nonempty, what);
                    cc_check(c, want, p, lo, hi, what);
                    skm_cooc_counter_stats st =
                        cc_check_stats(c, &d, SKM_COOC_PAIRS, lo, hi, calls, nonempty, what);
                    if (st.flushes < 1)
                        fail_msg("%s: no int32 flush", what);
                    skm_cooc_counter_free(c);
                }
        free(want);
        cc_free(&d);
    }
}

/* A weighted count above 46340 is SKM_ELIMIT, naming the row relative to the block; presence
 * never reads the counts. The block is rows 5..14 of a larger CSR; its row 7 has the count. */
static void test_counter_elimit(void **state)
{
    skm_ctx *ctx = *state;
    int64_t indptr[17];
    int32_t indices[32], counts[32];
    for (int r = 0; r <= 16; ++r)
        indptr[r] = 2 * r;
    for (int k = 0; k < 32; ++k)
        indices[k] = 1 + k % 2, counts[k] = 3 + k % 2;
    for (int bad = CC_MAXW; bad <= CC_BAD; ++bad) {
        counts[2 * 12 + 1] = bad; /* row 12 of the array, row 7 of the block */
        for (size_t it = 0; it < CC_NT; ++it)
            for (int weighted = 0; weighted < 2; ++weighted) {
                const int T = cc_threads[it];
                const int limit = weighted && bad > CC_MAXW;
                skm_cooc_counter *c =
                    cc_create(ctx, 4, 0, 4, weighted, SKM_COOC_AUTO, T, "ELIMIT case");
                int rc = skm_cooc_counter_add(c, indptr + 5, indices, counts, 10);
                const char *msg = skm_ctx_errmsg(ctx);
                if (limit) {
                    if (rc != SKM_ELIMIT || skm_ctx_errcode(ctx) != SKM_ELIMIT)
                        fail_msg("count %d, %d threads: status %d, want SKM_ELIMIT", bad, T, rc);
                    if (!strstr(msg, "row 7 ") || !strstr(msg, "46341"))
                        fail_msg("count %d, %d threads: message \"%s\" should name row 7 and "
                                 "the count",
                                 bad, T, msg);
                } else {
                    if (rc != SKM_OK)
                        fail_msg("count %d, %s, %d threads: status %d (%s)", bad,
                                 weighted ? "weighted" : "presence", T, rc, msg);
                    const int64_t w12 = weighted ? 12 * 9 + 3 * (int64_t)bad : 10;
                    const int64_t w22 = weighted ? 16 * 9 + (int64_t)bad * bad : 10;
                    if (skm_cooc_counter_get(c, 1, 1) != (weighted ? 90 : 10) ||
                        skm_cooc_counter_get(c, 1, 2) != w12 ||
                        skm_cooc_counter_get(c, 2, 2) != w22 || skm_cooc_counter_get(c, 0, 3) != 0)
                        fail_msg("count %d, %s, %d threads: n_11 %lld, n_12 %lld (want %lld), "
                                 "n_22 %lld (want %lld)",
                                 bad, weighted ? "weighted" : "presence", T,
                                 (long long)skm_cooc_counter_get(c, 1, 1),
                                 (long long)skm_cooc_counter_get(c, 1, 2), (long long)w12,
                                 (long long)skm_cooc_counter_get(c, 2, 2), (long long)w22);
                }
                skm_cooc_counter_free(c);
            }
    }
}

static void test_counter_invalid(void **state)
{
    skm_ctx *ctx = *state;
    const skm_cooc_counter_params ok = {10, 0, 10, 0, SKM_COOC_AUTO, 1, 0};
    skm_cooc_counter_params bad[12];
    size_t nb = 0;
    bad[nb] = ok, bad[nb].lo = 5, bad[nb++].hi = 4;   /* lo > hi */
    bad[nb] = ok, bad[nb++].hi = 11;                  /* hi > p */
    bad[nb] = ok, bad[nb].lo = 11, bad[nb++].hi = 11; /* lo = hi > p */
    bad[nb] = ok, bad[nb++].lo = -1;                  /* lo < 0 */
    bad[nb] = ok, bad[nb++].threads = 0;              /* no thread */
    bad[nb] = ok, bad[nb++].threads = -1;
    bad[nb] = ok, bad[nb++].path = 3; /* no such path */
    bad[nb] = ok, bad[nb++].path = -1;
    bad[nb] = ok, bad[nb].path = SKM_COOC_BITSET, bad[nb++].weighted = 1; /* bitset: presence */
    bad[nb] = ok, bad[nb].path = SKM_COOC_BITSET, bad[nb++].lo = 1;       /* ... whole triangle */
    bad[nb] = ok, bad[nb].path = SKM_COOC_BITSET, bad[nb++].hi = 9;
    bad[nb] = ok, bad[nb].path = SKM_COOC_BITSET, bad[nb].lo = 3, bad[nb++].hi = 7;
    for (size_t i = 0; i < nb; ++i) {
        static int sentinel;
        skm_cooc_counter *c = (skm_cooc_counter *)(void *)&sentinel; /* must be reset to NULL */
        int rc = skm_cooc_counter_create(ctx, &bad[i], &c);
        if (rc != SKM_EINVAL || skm_ctx_errcode(ctx) != SKM_EINVAL || c != NULL ||
            !strlen(skm_ctx_errmsg(ctx)))
            fail_msg("bad parameters %zu (p %zu, band [%d, %d), weighted %d, path %d, %d "
                     "threads): status %d, counter %p, message \"%s\"",
                     i, bad[i].p, (int)bad[i].lo, (int)bad[i].hi, bad[i].weighted, bad[i].path,
                     bad[i].threads, rc, (void *)c, skm_ctx_errmsg(ctx));
    }
    /* The edges that are valid: empty bands, p = 0, the bitset path on the whole triangle. */
    skm_cooc_counter_params good[5];
    size_t ng = 0;
    good[ng] = ok, good[ng].lo = 4, good[ng++].hi = 4;
    good[ng] = ok, good[ng].lo = 10, good[ng++].hi = 10;
    good[ng] = ok, good[ng].p = 0, good[ng++].hi = 0;
    good[ng] = ok, good[ng++].path = SKM_COOC_BITSET;
    good[ng] = ok, good[ng].p = 0, good[ng].hi = 0, good[ng].threads = 3,
    good[ng++].path = SKM_COOC_BITSET;
    const int64_t indptr[4] = {0, 0, 0, 0};
    const int32_t none[1] = {0};
    for (size_t i = 0; i < ng; ++i) {
        skm_cooc_counter *c = NULL;
        int rc = skm_cooc_counter_create(ctx, &good[i], &c);
        if (rc != SKM_OK || !c)
            fail_msg("parameters %zu (p %zu, band [%d, %d), path %d): status %d (%s)", i, good[i].p,
                     (int)good[i].lo, (int)good[i].hi, good[i].path, rc, skm_ctx_errmsg(ctx));
        /* Three empty rows. */
        rc = skm_cooc_counter_add(c, indptr, none, none, 3);
        if (rc != SKM_OK)
            fail_msg("parameters %zu: adding empty rows: status %d (%s)", i, rc,
                     skm_ctx_errmsg(ctx));
        skm_cooc_counter_stats st;
        skm_cooc_counter_stats_get(c, &st);
        assert_int_equal(st.rows_pairs + st.rows_bitset, 3);
        for (int32_t a = good[i].lo; a < good[i].hi; ++a)
            assert_int_equal(skm_cooc_counter_get(c, a, a), 0);
        skm_cooc_counter_free(c);
    }
    skm_cooc_counter_free(NULL);
    assert_string_equal(skm_cooc_path_name(SKM_COOC_AUTO), "auto");
    assert_string_equal(skm_cooc_path_name(SKM_COOC_PAIRS), "pairs");
    assert_string_equal(skm_cooc_path_name(SKM_COOC_BITSET), "bitset");
}

/* The planning size covers at least the int32 accumulators of every thread. */
static void test_counter_bytes(void **state)
{
    (void)state;
    const size_t ps[] = {1, 7, 100, 257, 3000, 100000};
    for (size_t ip = 0; ip < sizeof ps / sizeof ps[0]; ++ip)
        for (size_t it = 0; it < CC_NT; ++it)
            for (int weighted = 0; weighted < 2; ++weighted)
                for (int path = SKM_COOC_AUTO; path <= SKM_COOC_BITSET; ++path)
                    for (int band = 0; band < 4; ++band) {
                        if (path == SKM_COOC_BITSET && (weighted || band != 0))
                            continue;
                        const size_t p = ps[ip];
                        const int32_t lo = band == 0 || band == 1 ? 0 : (int32_t)(p / 3);
                        const int32_t hi = band == 0 ? (int32_t)p
                                           : band == 1 ? (int32_t)(p / 2)
                                           : band == 2 ? (int32_t)p
                                                       : lo;
                        const int T = cc_threads[it];
                        const skm_cooc_counter_params q = {p, lo, hi, weighted, path, T, 0};
                        const size_t need = (size_t)(hi - lo) * (p - (size_t)lo) * 4 * (size_t)T;
                        const size_t got = skm_cooc_counter_bytes(&q);
                        if (got < need)
                            fail_msg("p %zu, band [%d, %d), %d threads: %zu bytes, want >= %zu", p,
                                     (int)lo, (int)hi, T, got, need);
                    }
}

/* The cost model: dense rows over few skills go to the bitset path, one-skill rows over many
 * skills to the pair path (each by a factor > 10 in count.c's model); counts stay exact. */
static void test_counter_auto(void **state)
{
    skm_ctx *ctx = *state;
    for (int dense = 0; dense < 2; ++dense) {
        const size_t p = dense ? 64 : 257, n = dense ? 640 : 2000;
        cc_csr d = {p, n, NULL, NULL, NULL};
        const size_t k = dense ? p : 1;
        d.indptr = malloc((n + 1) * sizeof *d.indptr);
        d.indices = malloc(n * k * sizeof *d.indices);
        assert_true(d.indptr && d.indices);
        for (size_t r = 0; r <= n; ++r)
            d.indptr[r] = (int64_t)(r * k);
        for (size_t r = 0; r < n; ++r)
            for (size_t i = 0; i < k; ++i)
                d.indices[r * k + i] = (int32_t)(dense ? i : r * r % p);
        int64_t *want = cc_naive(&d, 0);
        for (size_t it = 0; it < CC_NT; ++it) {
            char what[120];
            snprintf(what, sizeof what, "%s rows, p %zu, %d threads", dense ? "dense" : "sparse", p,
                     cc_threads[it]);
            skm_cooc_counter *c =
                cc_create(ctx, p, 0, (int32_t)p, 0, SKM_COOC_AUTO, cc_threads[it], what);
            size_t nonempty;
            size_t calls = cc_feed(ctx, c, &d, NULL, 0, 0, &nonempty, what);
            cc_check(c, want, p, 0, (int32_t)p, what);
            skm_cooc_counter_stats st =
                cc_check_stats(c, &d, SKM_COOC_AUTO, 0, (int32_t)p, calls, nonempty, what);
            if (dense ? st.rows_bitset != n : st.rows_pairs != n)
                fail_msg("%s: auto chose %llu rows pairs, %llu rows bitset", what,
                         (unsigned long long)st.rows_pairs, (unsigned long long)st.rows_bitset);
            skm_cooc_counter_free(c);
        }
        free(want);
        cc_free(&d);
    }
}

/* The bitset path at its largest p (2048, where a chunk is 2048 rows): 2100 rows are two chunks
 * on one thread. (The path keeps a p x p uint64 matrix per thread: 32 MiB here.) */
static void test_counter_bitset_chunks(void **state)
{
    skm_ctx *ctx = *state;
    const size_t p = 2048;
    cc_csr d = cc_make(p, 2100, 41, 0);
    int64_t *want = cc_naive(&d, 0);
    {
        const int T = 1;
        char what[80];
        snprintf(what, sizeof what, "bitset path, p %zu, %zu rows, %d threads", p, d.n, T);
        skm_cooc_counter *c = cc_create(ctx, p, 0, (int32_t)p, 0, SKM_COOC_BITSET, T, what);
        size_t nonempty;
        size_t calls = cc_feed(ctx, c, &d, NULL, 0, 0, &nonempty, what);
        cc_check(c, want, p, 0, (int32_t)p, what);
        cc_check_stats(c, &d, SKM_COOC_BITSET, 0, (int32_t)p, calls, nonempty, what);
        skm_cooc_counter_free(c);
    }
    free(want);
    cc_free(&d);
}

/* Many skills (p = 40000, too many for one dense triangle): thin bands at both ends and in the
 * middle, each against a naive count of its own rows (at least 5 rows of data in each band). */
static void test_counter_wide(void **state)
{
    skm_ctx *ctx = *state;
    const size_t p = 40000;
    cc_csr d = cc_make(p, 3000, 51, CC_NOFULL | CC_SPREAD);
    const int32_t bands[][2] = {{0, 3}, {20000, 20050}, {39900, 40000}, {39999, 40000}};
    for (size_t ib = 0; ib < sizeof bands / sizeof bands[0]; ++ib) {
        const int32_t lo = bands[ib][0], hi = bands[ib][1];
        assert_true(cc_band_pairs(&d, lo, hi) >= 5);
        for (int weighted = 0; weighted < 2; ++weighted) {
            int64_t *want = cc_naive_band(&d, weighted, lo, hi);
            for (int T = 1; T <= 5; T += 2) {
                char what[160];
                snprintf(what, sizeof what, "p %zu, band [%d, %d), %s, %d threads", p, (int)lo,
                         (int)hi, weighted ? "weighted" : "presence", T);
                skm_cooc_counter *c = cc_create(ctx, p, lo, hi, weighted, SKM_COOC_AUTO, T, what);
                size_t nonempty;
                size_t calls = cc_feed(ctx, c, &d, d.counts, T == 3, ib, &nonempty, what);
                cc_check_at(c, want, lo, p, lo, hi, what);
                cc_check_stats(c, &d, SKM_COOC_AUTO, lo, hi, calls, nonempty, what);
                skm_cooc_counter_free(c);
            }
            free(want);
        }
    }
    cc_free(&d);
}

/* A counter too large for memory: SKM_ENOMEM, no counter, a message saying how much was asked.
 * (2^30 skills: 2^60 int32 for the whole triangle, refused by any allocator.) */
/* The row and the skill split forced (auto picks skills only for bands larger than an L2):
 * the same counts, flushes and limits either way. */
static void test_counter_splits(void **state)
{
    for (int split = SKM_COOC_SPLIT_ROWS; split <= SKM_COOC_SPLIT_SKILLS; ++split) {
        cc_split = split;
        test_counter_random(state);
        test_counter_bands(state);
        test_counter_flush(state);
        test_counter_flush_random(state);
        test_counter_elimit(state);
        test_counter_wide(state);
    }
    cc_split = SKM_COOC_SPLIT_AUTO;
}

static void test_counter_nomem(void **state)
{
    skm_ctx *ctx = *state;
    for (size_t it = 0; it < 2; ++it) {
        const int T = cc_threads[2 * it];
        const skm_cooc_counter_params q = {(size_t)1 << 30, 0, 1 << 30, 0, SKM_COOC_PAIRS, T, 0};
        static int sentinel;
        skm_cooc_counter *c = (skm_cooc_counter *)(void *)&sentinel;
        int rc = skm_cooc_counter_create(ctx, &q, &c);
        const char *msg = skm_ctx_errmsg(ctx);
        if (rc != SKM_ENOMEM || c != NULL || !strstr(msg, "out of memory") ||
            !strstr(msg, "1073741824 x 1073741824"))
            fail_msg("2^30 skills, %d threads: status %d, counter %p, message \"%s\"", T, rc,
                     (void *)c, msg);
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
        cmocka_unit_test(test_counter_random), cmocka_unit_test(test_counter_bands),
        cmocka_unit_test(test_counter_flush),  cmocka_unit_test(test_counter_flush_random),
        cmocka_unit_test(test_counter_elimit), cmocka_unit_test(test_counter_invalid),
        cmocka_unit_test(test_counter_bytes),  cmocka_unit_test(test_counter_auto),
        cmocka_unit_test(test_counter_wide),   cmocka_unit_test(test_counter_bitset_chunks),
        cmocka_unit_test(test_counter_splits), cmocka_unit_test(test_counter_nomem),
    };
    return cmocka_run_group_tests_name("cooccur", tests, ctx_setup, ctx_teardown);
}
