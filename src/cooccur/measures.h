/*
 * measures.h — association measures and significance for one pair of skills, and
 * Benjamini–Hochberg q-values for many pairs. Pure functions: no allocation, no global state,
 * no I/O. The counting (n_ab over all pairs) lives elsewhere; this file only turns counts into
 * numbers, so that every formula and every edge case is stated and tested in one place.
 *
 * The 2×2 table of one pair (a, b) over n postings:
 *
 *                  has b        no b
 *      has a       n_ab         n_a - n_ab              | n_a
 *      no a        n_b - n_ab   n - n_a - n_b + n_ab    | n - n_a
 *                  n_b          n - n_b                 | n
 *
 * A valid table has every cell >= 0: 0 <= n_ab <= min(n_a, n_b) and n_a + n_b - n_ab <= n.
 *
 * Worked example (tests/test_cooccur.c checks it to 1e-12): n = 20, n_a = 8, n_b = 5, n_ab = 4.
 *
 *     skm_cooc_pair m;
 *     if (skm_cooc_measures(ctx, 20, 8, 5, 4, &m) != SKM_OK)
 *         fprintf(stderr, "%s\n", skm_ctx_errmsg(ctx));
 *     // m.p_b_given_a = 0.5, m.lift = 2, m.pmi = ln 2, m.jaccard = 4/9, m.phi = sqrt(2)/3, ...
 *     // m.p_value = P(X >= 4), X ~ Hypergeometric(population 20, successes 8, draws 5)
 *
 * Counts are limited to UINT_MAX (4,294,967,295 postings). Two reasons: GSL's hypergeometric
 * functions take unsigned int, and below that limit every product of two counts fits in a
 * uint64_t, so numerators such as n·n_ab − n_a·n_b are computed exactly before the one rounding
 * to double. A larger count is SKM_ELIMIT, not a silently wrong answer.
 */
#ifndef SKM_COOC_MEASURES_H
#define SKM_COOC_MEASURES_H

#include <stddef.h>
#include <stdint.h>

#include "skillmat.h"

/* The largest count skm_cooc_measures accepts (UINT_MAX, GSL's argument type). */
#define SKM_COOC_MAX_COUNT 4294967295LL

/* All measures of one pair. Plain data; the fields are doubles so that a caller filling
 * struct-of-arrays output can copy each one into its own column.
 *
 * Logarithms are natural (base e) throughout. "NaN" below is a quiet NaN: the measure is
 * undefined for that table, and it is never produced by a silent division by zero. */
typedef struct skm_cooc_pair {
    /* P(b | a) = n_ab / n_a.                                     NaN if n_a = 0. */
    double p_b_given_a;
    /* lift = n·n_ab / (n_a·n_b).                                 NaN if n_a = 0 or n_b = 0;
     * 0 if n_ab = 0. Equal to 1 when a skill is in every posting (n_a = n). */
    double lift;
    /* PMI = ln(lift), computed as log1p((n·n_ab − n_a·n_b) / (n_a·n_b)) with the numerator
     * exact, so that PMI near 0 keeps its relative accuracy.      NaN if n_a = 0 or n_b = 0;
     * −∞ if n_ab = 0 (the limit of ln(lift) as lift → 0; NPMI below maps it to −1). */
    double pmi;
    /* NPMI = PMI / (−ln(n_ab / n)), in [−1, 1].                   NaN if n_a = 0 or n_b = 0.
     * Conventions: −1 if n_ab = 0 (never together); +1 if n_ab = n (then n_a = n_b = n:
     * both skills in every posting, where the formula is 0/0). */
    double npmi;
    /* Jaccard = n_ab / (n_a + n_b − n_ab).                        NaN if n_a = n_b = 0. */
    double jaccard;
    /* Cosine (Ochiai) = n_ab / sqrt(n_a·n_b).                     NaN if n_a = 0 or n_b = 0. */
    double cosine;
    /* phi = (n·n_ab − n_a·n_b) / sqrt(n_a·n_b·(n − n_a)·(n − n_b)), in [−1, 1].
     * NaN if any margin is 0 or n: n_a, n_b ∈ {0, n} (a skill in no posting or in every
     * posting has no variance, so it cannot correlate). */
    double phi;
    /* One-sided p-value of over-representation: P(X >= n_ab) with
     * X ~ Hypergeometric(population n, successes n_a, draws n_b) (Fisher's exact test, upper
     * tail). Exactly 1 when n_ab is at or below the bottom of the support,
     * max(0, n_a + n_b − n): this includes n_ab = 0, n_a = 0, n_b = 0, and n_a = n.
     * Values below about 1e-290 come from the log-space sum (see ln_p_value) and underflow
     * to subnormals, then to 0, below DBL_MIN; use ln_p_value to rank such pairs.
     * Accuracy (tests/test_cooccur.c, against 50-digit mpmath): 1e-12 relative for n <= 1000,
     * ~1e-9 at n = 1e6 and ~1e-7 at n = 3e7, limited by GSL's ln-factorial differences.
     * Cost: GSL sums the tail term by term, O(standard deviations) terms; at n in the
     * billions with large margins that becomes slow (seconds per pair) — a known limit. */
    double p_value;
    /* ln(p_value), accurate where p_value underflows (p < 1e-290 is summed in log space, down
     * to ln p ≈ −1e9 and beyond). 0 when p_value = 1. Never −∞ for a valid table, because
     * P(X >= n_ab) >= P(X = n_ab) > 0 inside the support. */
    double ln_p_value;
} skm_cooc_pair;

/* Fill *out with every measure of the table (n, n_a, n_b, n_ab).
 *
 * @pre   ctx may be NULL (then no message is recorded); out is not NULL.
 * @return SKM_OK;
 *         SKM_EINVAL if a count is negative, n_a > n, n_b > n, n_ab > min(n_a, n_b), or
 *                    n_a + n_b − n_ab > n (a cell of the 2×2 table would be negative);
 *         SKM_ELIMIT if n > SKM_COOC_MAX_COUNT;
 *         SKM_EINVAL also if GSL reports an error or a non-finite p-value (a defect: say so).
 *         On any error *out is set to all NaN, with the reason in skm_ctx_errmsg(ctx).
 * Thread-safe: touches nothing but *out and ctx. Never calls the GSL error handler for valid
 * input (it uses the _e forms where GSL has them), so it is safe with or without
 * gsl_set_error_handler_off(). */
int skm_cooc_measures(skm_ctx *ctx, int64_t n, int64_t n_a, int64_t n_b, int64_t n_ab,
                      skm_cooc_pair *out /* OUT */);

/* ln P(X >= k) for X ~ Hypergeometric(population n, successes n_a, draws n_b), summed in log
 * space: ln pmf(k) from gsl_sf_lnchoose_e, then the upper tail by the ratio recurrence
 * pmf(j+1)/pmf(j) = (n_a − j)(n_b − j) / ((j + 1)(n − n_a − n_b + j + 1)), accumulated with a
 * running maximum so that no term underflows. The sum stops once the geometric bound on what is
 * left falls below DBL_EPSILON/4 of the sum (the ratio is decreasing in j, so the bound holds).
 * Relative accuracy is limited by the lnchoose differences: about 1e-16·ln C(n, n_b) in ln p
 * (tests: 1e-12 for ln p ≈ −673,000 at n = 1e6, 1e-9 at n = UINT_MAX).
 *
 * Used by skm_cooc_measures for p < 1e-290, where GSL's gsl_cdf_hypergeometric_Q, which adds up
 * exp(ln pmf(j)) term by term, loses precision in subnormals and then returns 0. Exposed for
 * tests and for callers that want ln p throughout.
 *
 * @pre   The table is valid (as for skm_cooc_measures) and max(0, n_a + n_b − n) < k, i.e. the
 *        p-value is not trivially 1. Not validated here: internal helper.
 * @return SKM_OK with *ln_p set, or SKM_EINVAL if GSL's lnchoose reports an error. */
int skm_cooc_hyper_ln_sf(skm_ctx *ctx, int64_t n, int64_t n_a, int64_t n_b, int64_t k,
                         double *ln_p /* OUT */);

/* The number of size_t elements of `work` that skm_cooc_bh_qvalues needs for m p-values:
 * 2·m, or 0 if that overflows (then allocate nothing and report SKM_ENOMEM). */
size_t skm_cooc_bh_work_len(size_t m);

/* Benjamini–Hochberg q-values (adjusted p-values, "fdr_bh"/p.adjust(method = "BH")).
 *
 * Let m' be the number of p-values that are not NaN, p_(1) <= ... <= p_(m') those values sorted
 * with a stable sort (ties keep their input order, so the result is deterministic), and M the
 * size of the family: m_total, or m' when m_total = 0. Then
 *     q_(i) = min(1, min over i <= j <= m' of p_(j)·M/j).
 * m_total > m' is BH over a family of M hypotheses of which only these m' p-values are known and
 * the other M − m' are taken as 1: the formula above is exactly BH with those p-values set to 1
 * (they sort last and each of their terms M/j is >= 1). That is how co-occurrence counts every
 * pair of kept skills in the family while computing p-values only for the pairs above support:
 * raising p-values can only shrink the rejections, so it is conservative. Tied p-values always
 * get the same q. NaN p-values are left out of m' and get q = NaN. m = 0 is valid and does
 * nothing.
 *
 * @param p        m p-values, each NaN or in [0, 1]; read only.
 * @param m_total  the family size M (>= m'), or 0 for M = m' (plain BH).
 * @param q        OUT: m q-values, q[i] belongs to p[i]. q may be the same array as p (in place).
 * @param work     scratch of skm_cooc_bh_work_len(m) size_t elements, owned by the caller; its
 *                 contents on return are unspecified. May be NULL when m = 0.
 * @return SKM_OK; SKM_EINVAL if a p-value is outside [0, 1] (±∞ included), a pointer is NULL
 *         with m > 0, or 0 < m_total < m' (q is not written then).
 * Cost: O(m log m) time (bottom-up merge sort), no allocation. */
int skm_cooc_bh_qvalues(skm_ctx *ctx, const double *p, size_t m, uint64_t m_total,
                        double *q /* OUT */, size_t *work);

#endif /* SKM_COOC_MEASURES_H */
