/*
 * measures.c — association measures, hypergeometric p-values and Benjamini–Hochberg q-values
 * for skill pairs (contracts and edge cases in measures.h).
 *
 * Arithmetic. Counts are validated to 0..UINT_MAX, so every product of two counts is below
 * 2^64 and is formed exactly in uint64_t; a signed difference of two such products (the
 * numerator of phi and PMI) is then formed exactly too, and rounded to double once. This avoids
 * the cancellation in n·n_ab − n_a·n_b that double arithmetic would suffer for large n.
 */
#include "cooccur/measures.h"

#include <float.h>
#include <limits.h>
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "core/core.h"

/* Below this p the GSL upper-tail sum is replaced by the log-space sum. GSL adds exp(ln pmf)
 * terms one by one; every term is <= p, so above 1e-290 all terms that matter are normal
 * doubles and GSL is accurate, while below DBL_MIN (2.2e-308) its terms become subnormal
 * (precision lost) and then 0. The margin of 18 decades keeps clear of that. */
#define SKM_COOC_LOGSPACE_BELOW 1e-290

/* (double)(x·y − u·v) with both products exact in uint64_t (each < 2^64). */
static double exact_diff(uint64_t x, uint64_t y, uint64_t u, uint64_t v)
{
    uint64_t a = x * y, b = u * v;
    return a >= b ? (double)(a - b) : -(double)(b - a);
}

static void fill_nan(skm_cooc_pair *out)
{
    out->p_b_given_a = out->lift = out->pmi = out->npmi = NAN;
    out->jaccard = out->cosine = out->phi = NAN;
    out->p_value = out->ln_p_value = NAN;
}

int skm_cooc_hyper_ln_sf(skm_ctx *ctx, int64_t n, int64_t n_a, int64_t n_b, int64_t k,
                         double *ln_p)
{
    /* ln pmf(k) = ln C(n_a, k) + ln C(n − n_a, n_b − k) − ln C(n, n_b). */
    gsl_sf_result c1, c2, c3;
    int s1 = gsl_sf_lnchoose_e((unsigned)n_a, (unsigned)k, &c1);
    int s2 = gsl_sf_lnchoose_e((unsigned)(n - n_a), (unsigned)(n_b - k), &c2);
    int s3 = gsl_sf_lnchoose_e((unsigned)n, (unsigned)n_b, &c3);
    if (s1 != GSL_SUCCESS || s2 != GSL_SUCCESS || s3 != GSL_SUCCESS)
        return skm_error(ctx, SKM_EINVAL,
                         "hypergeometric ln pmf(%lld; n=%lld, n_a=%lld, n_b=%lld): GSL lnchoose "
                         "failed (%s)",
                         (long long)k, (long long)n, (long long)n_a, (long long)n_b,
                         gsl_strerror(s1 != GSL_SUCCESS ? s1 : s2 != GSL_SUCCESS ? s2 : s3));
    double lt = c1.val + c2.val - c3.val; /* ln of the current term */
    double lmax = lt;                     /* running maximum of the terms' logs */
    double s = 1.0;                       /* sum of exp(l_j − lmax) over the terms so far */
    const int64_t kmax = n_a < n_b ? n_a : n_b;
    const double rest = (double)(n - n_a - n_b); /* >= −k + 1 inside the support */
    for (int64_t j = k; j < kmax; ++j) {
        /* pmf(j+1)/pmf(j); both factors of num and den are > 0 for j in [k, kmax). */
        double num = (double)(n_a - j) * (double)(n_b - j);
        double den = (double)(j + 1) * (rest + (double)(j + 1));
        double lr = log(num / den);
        lt += lr;
        double e;
        if (lt > lmax) {
            s = s * exp(lmax - lt) + 1.0;
            lmax = lt;
            e = 1.0;
        } else {
            e = exp(lt - lmax);
            s += e;
        }
        /* The ratio decreases in j, so once it is r < 1 the rest of the tail is at most
         * e·r/(1 − r) (a geometric series). Stop when that cannot change s. */
        if (lr < 0.0) {
            double r = num / den;
            if (e * r < 0.25 * DBL_EPSILON * s * (1.0 - r))
                break;
        }
    }
    *ln_p = lmax + log(s);
    /* A tail probability cannot exceed 1; rounding in lnchoose can push ln p a hair above 0. */
    if (*ln_p > 0.0)
        *ln_p = 0.0;
    return SKM_OK;
}

int skm_cooc_measures(skm_ctx *ctx, int64_t n, int64_t n_a, int64_t n_b, int64_t n_ab,
                      skm_cooc_pair *out)
{
    fill_nan(out);
    if (n < 0 || n_a < 0 || n_b < 0 || n_ab < 0)
        return skm_error(ctx, SKM_EINVAL,
                         "co-occurrence counts must be >= 0 (n=%lld, n_a=%lld, n_b=%lld, "
                         "n_ab=%lld)",
                         (long long)n, (long long)n_a, (long long)n_b, (long long)n_ab);
    if (n > SKM_COOC_MAX_COUNT)
        return skm_error(ctx, SKM_ELIMIT,
                         "co-occurrence: n = %lld postings exceeds the limit %lld (GSL's "
                         "hypergeometric functions take unsigned int)",
                         (long long)n, (long long)SKM_COOC_MAX_COUNT);
    if (n_a > n || n_b > n || n_ab > n_a || n_ab > n_b || n_a + n_b - n_ab > n)
        return skm_error(ctx, SKM_EINVAL,
                         "inconsistent co-occurrence table: n=%lld, n_a=%lld, n_b=%lld, "
                         "n_ab=%lld (need n_ab <= min(n_a, n_b) and n_a + n_b - n_ab <= n)",
                         (long long)n, (long long)n_a, (long long)n_b, (long long)n_ab);

    const uint64_t un = (uint64_t)n, ua = (uint64_t)n_a, ub = (uint64_t)n_b,
                   uab = (uint64_t)n_ab;
    const double dn = (double)n, da = (double)n_a, db = (double)n_b, dab = (double)n_ab;
    const double ab = (double)(ua * ub); /* n_a·n_b, exact product, one rounding */
    const double d = exact_diff(un, uab, ua, ub); /* n·n_ab − n_a·n_b */

    if (n_a > 0)
        out->p_b_given_a = dab / da;
    if (n_a > 0 && n_b > 0) {
        out->lift = (double)(un * uab) / ab;
        /* ln(lift) = ln(1 + d/(n_a n_b)); log1p keeps PMI's relative accuracy near lift = 1.
         * For n_ab = 0, d/(n_a n_b) = −1 exactly and log1p gives −∞, the intended limit. */
        out->pmi = n_ab == 0 ? -INFINITY : log1p(d / ab);
        out->cosine = dab / (sqrt(da) * sqrt(db));
        if (n_ab == 0) {
            out->npmi = -1.0;
        } else if (n_ab == n) {
            out->npmi = 1.0;
        } else {
            /* h = −ln(n_ab/n) > 0. Near n_ab = n the ratio is close to 1 and log loses digits,
             * so take −log1p(−(n − n_ab)/n) there; elsewhere ln(n/n_ab) is accurate. */
            double h = 2 * n_ab < n ? log(dn / dab) : -log1p(-(double)(n - n_ab) / dn);
            out->npmi = out->pmi / h;
        }
    }
    if (n_a + n_b > 0)
        out->jaccard = dab / (double)(n_a + n_b - n_ab);
    if (n_a > 0 && n_b > 0 && n_a < n && n_b < n) {
        double den = sqrt(ab) * sqrt((double)((un - ua) * (un - ub)));
        out->phi = d / den;
    }

    /* p-value. The support of X is [max(0, n_a + n_b − n), min(n_a, n_b)]; at or below its
     * bottom, P(X >= n_ab) = 1 exactly (this covers n_ab = 0, n_a = 0, n_b = 0 and n_a = n). */
    int64_t lo = n_a + n_b - n > 0 ? n_a + n_b - n : 0;
    if (n_ab <= lo) {
        out->p_value = 1.0;
        out->ln_p_value = 0.0;
        return SKM_OK;
    }
    /* GSL: Q(k) = P(X > k) with n1 = successes = n_a, n2 = failures = n − n_a, t = draws = n_b;
     * P(X >= n_ab) = Q(n_ab − 1). All four fit in unsigned int (n <= UINT_MAX, checked).
     * gsl_cdf_hypergeometric_Q has no _e form: its only error is t > n1 + n2, impossible
     * here, so a non-finite or out-of-range result is treated as a defect. */
    double p = gsl_cdf_hypergeometric_Q((unsigned)(n_ab - 1), (unsigned)n_a,
                                        (unsigned)(n - n_a), (unsigned)n_b);
    if (!(p >= 0.0 && p <= 1.0)) {
        int code = skm_error(ctx, SKM_EINVAL,
                             "GSL hypergeometric Q(%lld; %lld, %lld, %lld) returned %g",
                             (long long)(n_ab - 1), (long long)n_a, (long long)(n - n_a),
                             (long long)n_b, p);
        fill_nan(out);
        return code;
    }
    if (p < SKM_COOC_LOGSPACE_BELOW) {
        double lp;
        int rc = skm_cooc_hyper_ln_sf(ctx, n, n_a, n_b, n_ab, &lp);
        if (rc != SKM_OK) {
            fill_nan(out);
            return rc;
        }
        out->ln_p_value = lp;
        out->p_value = exp(lp); /* subnormal or 0 below DBL_MIN: ln_p_value keeps the value */
    } else {
        out->p_value = p;
        out->ln_p_value = log(p);
    }
    return SKM_OK;
}

size_t skm_cooc_bh_work_len(size_t m)
{
    return m > SIZE_MAX / 2 ? 0 : 2 * m;
}

/* Stable bottom-up merge sort of idx[0..k) by p[idx[.]], using tmp[0..k). Stable because a tie
 * takes from the left run first; NaNs were removed beforehand so `<` is a total order here. */
static void sort_by_p(const double *p, size_t *idx, size_t *tmp, size_t k)
{
    size_t *src = idx, *dst = tmp;
    for (size_t width = 1; width < k; width *= 2) {
        for (size_t lo = 0; lo < k; lo += 2 * width) {
            size_t mid = lo + width < k ? lo + width : k;
            size_t hi = mid + width < k ? mid + width : k;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                dst[o++] = p[src[j]] < p[src[i]] ? src[j++] : src[i++];
            while (i < mid)
                dst[o++] = src[i++];
            while (j < hi)
                dst[o++] = src[j++];
        }
        size_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx)
        for (size_t i = 0; i < k; ++i)
            idx[i] = src[i];
}

int skm_cooc_bh_qvalues(skm_ctx *ctx, const double *p, size_t m, uint64_t m_total, double *q,
                        size_t *work)
{
    if (m == 0)
        return SKM_OK;
    if (!p || !q || !work)
        return skm_error(ctx, SKM_EINVAL, "BH q-values: NULL array with m = %zu", m);
    /* Validate everything before writing q: q may alias p. */
    size_t k = 0;
    for (size_t i = 0; i < m; ++i) {
        if (isnan(p[i]))
            continue;
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return skm_error(ctx, SKM_EINVAL, "BH q-values: p[%zu] = %g is outside [0, 1]", i,
                             p[i]);
        work[k++] = i;
    }
    if (m_total != 0 && m_total < k)
        return skm_error(ctx, SKM_EINVAL,
                         "BH q-values: family of %llu hypotheses is smaller than the %zu p-values",
                         (unsigned long long)m_total, k);
    sort_by_p(p, work, work + m, k);
    /* Walk from the largest p down, carrying the running minimum of p_(j)·m'/j. Writing q for
     * rank j only touches index work[j−1], which is never read again, so p == q is safe. */
    const double dm = m_total ? (double)m_total : (double)k;
    double run = 1.0; /* the cap at 1 folded into the running minimum */
    for (size_t r = k; r >= 1; --r) {
        size_t i = work[r - 1];
        double v = p[i] * dm / (double)r;
        if (v < run)
            run = v;
        q[i] = run;
    }
    if (k < m)
        for (size_t i = 0; i < m; ++i)
            if (isnan(p[i]))
                q[i] = NAN;
    return SKM_OK;
}
