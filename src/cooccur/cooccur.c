/*
 * cooccur.c — `skillmat cooccur`: every pair of skills counted over a store, the association
 * measures and the significance of the pairs above support, written under /cooccurrence of a
 * results file (docs/hdf5-schema.md).
 *
 * Plan
 *   1. Skills with n_a < min_support cannot be in a pair with n_ab >= min_support (n_ab <= n_a),
 *      so they are left out: the kept skills are renumbered 0..q-1 in store order (order
 *      preserving, so each row's indices stay increasing). n_a comes from /skills/doc_freq and is
 *      checked against the counts at the end of the first pass (a store whose doc_freq disagrees
 *      with its matrix is damaged: SKM_EFORMAT).
 *   2. The upper triangle of the q x q count matrix is cut into bands of rows [lo, hi) whose
 *      accumulators (threads x rows x (q - lo) int32, twice with --weighted) fit the memory
 *      budget; each band is one streaming pass over the store's row blocks (count.h). Most runs
 *      are one band: 30,000 kept skills at the default 1 GiB on 2 threads take 8 passes.
 *   3. After each band, the pairs (a < b) with n_ab >= min_support are appended to the pair
 *      table, in (a, b) order; nothing dense survives the band.
 *   4. Measures and hypergeometric p-values per pair (measures.h), on all threads; BH q-values
 *      over the family of all q(q-1)/2 pairs of kept skills (unreported pairs count as p = 1:
 *      conservative, see skm_cooc_bh_qvalues); top tables by NPMI and by lift.
 *   5. The results file is written atomically (h5out.h), keeping its other groups.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "../core/core.h"
#include "../h5/h5out.h"
#include "../h5/h5util.h"
#include "count.h"
#include "measures.h"

skm_cooccur_params skm_cooccur_params_default(void)
{
    skm_cooccur_params p;
    memset(&p, 0, sizeof p);
    p.min_support = 5;
    p.top = 50;
    p.alpha = 0.05;
    p.path = SKM_COOCCUR_PATH_AUTO;
    p.memory_mib = 1024;
    p.block_rows = 65536;
    return p;
}

/* The pair table, struct of arrays, grown band by band. */
typedef struct pairs {
    size_t n, cap;
    int32_t *a, *b;          /* store skill indices, a < b */
    int64_t *n_ab, *n_ab_w;  /* n_ab_w only with --weighted */
    /* measures, filled after counting */
    double *col[12];
    double *q;
    uint8_t *validated;
} pairs;

enum { C_PBA, C_PAB, C_LIFT, C_PMI, C_NPMI, C_JACC, C_COS, C_PHI, C_P, C_LNP, C_COSW, C_NCOL };

typedef struct run {
    skm_ctx *ctx;
    const skm_cooccur_params *par;
    skm_store *st;
    const char *store_path;
    int64_t n, p;            /* postings, skills in the store */
    int threads;
    /* kept skills */
    int32_t q;               /* how many */
    int32_t *kept;           /* q store indices */
    int32_t *map;            /* p: store index -> kept index, -1 if left out */
    int64_t *n_a;            /* p: postings with the skill (counted) */
    int64_t *n_a_w;          /* p: sum of squared counts (weighted only) */
    /* scratch block after renumbering */
    skm_csr_block *blk;
    int64_t *r_indptr;
    int32_t *r_indices, *r_counts;
    size_t r_cap;
    pairs pr;
    skm_cooc_counter_stats st_sum;
    int passes;
} run;

static void pairs_free(pairs *pr)
{
    free(pr->a);
    free(pr->b);
    free(pr->n_ab);
    free(pr->n_ab_w);
    for (int c = 0; c < C_NCOL; ++c)
        free(pr->col[c]);
    free(pr->q);
    free(pr->validated);
}

static int pairs_push(run *R, int32_t a, int32_t b, int64_t n_ab, int64_t n_ab_w)
{
    pairs *pr = &R->pr;
    if (pr->n == pr->cap) {
        size_t cap = pr->cap ? pr->cap * 2 : 4096;
        int32_t *na = skm_realloc_array(pr->a, cap, sizeof *na);
        if (na)
            pr->a = na;
        int32_t *nb = na ? skm_realloc_array(pr->b, cap, sizeof *nb) : NULL;
        if (nb)
            pr->b = nb;
        int64_t *nn = nb ? skm_realloc_array(pr->n_ab, cap, sizeof *nn) : NULL;
        if (nn)
            pr->n_ab = nn;
        int64_t *nw = nn && R->par->weighted ? skm_realloc_array(pr->n_ab_w, cap, sizeof *nw)
                                             : NULL;
        if (nw)
            pr->n_ab_w = nw;
        if (!nn || (R->par->weighted && !nw))
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory for %zu co-occurring pairs", cap);
        pr->cap = cap;
    }
    pr->a[pr->n] = a;
    pr->b[pr->n] = b;
    pr->n_ab[pr->n] = n_ab;
    if (R->par->weighted)
        pr->n_ab_w[pr->n] = n_ab_w;
    pr->n++;
    return SKM_OK;
}

/* Renumber a block's indices to kept skills, dropping the others (R->map). */
static int renumber(run *R, const skm_csr_block *blk)
{
    if (blk->nnz > R->r_cap || !R->r_indices) {
        size_t cap = blk->nnz > 1 ? blk->nnz : 1;
        int32_t *ni = skm_realloc_array(R->r_indices, cap, sizeof *ni);
        if (ni)
            R->r_indices = ni;
        int32_t *nc = ni ? skm_realloc_array(R->r_counts, cap, sizeof *nc) : NULL;
        if (nc)
            R->r_counts = nc;
        if (!nc)
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory for a block of %zu entries",
                             blk->nnz);
        R->r_cap = cap;
    }
    size_t m = 0;
    R->r_indptr[0] = 0;
    for (size_t r = 0; r < blk->n_rows; ++r) {
        for (int64_t k = blk->indptr[r]; k < blk->indptr[r + 1]; ++k) {
            int32_t j = R->map[blk->indices[k]];
            if (j >= 0) {
                R->r_indices[m] = j;
                R->r_counts[m] = blk->counts[k];
                ++m;
            }
        }
        R->r_indptr[r + 1] = (int64_t)m;
    }
    return SKM_OK;
}

/* One pass over the store for the band [lo, hi) of kept skills. */
static int count_band(run *R, int32_t lo, int32_t hi, int first_pass)
{
    const skm_cooccur_params *P = R->par;
    skm_cooc_counter *cp = NULL, *cw = NULL;
    skm_cooc_counter_params cpar = {(size_t)R->q, lo, hi, 0, P->path, R->threads,
                                    SKM_COOC_SPLIT_AUTO};
    int rc = skm_cooc_counter_create(R->ctx, &cpar, &cp);
    if (rc == SKM_OK && P->weighted) {
        skm_cooc_counter_params wpar = cpar;
        wpar.weighted = 1;
        wpar.path = SKM_COOC_PAIRS;
        rc = skm_cooc_counter_create(R->ctx, &wpar, &cw);
    }
    int64_t *seen = NULL; /* first pass: n_a of every store skill, to check doc_freq */
    if (rc == SKM_OK && first_pass && !(seen = skm_calloc_array((size_t)R->p, sizeof *seen)))
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    const int renum = R->q < R->p;
    char stage[64];
    snprintf(stage, sizeof stage, "co-occurrence pass %d", R->passes + 1);
    for (int64_t r0 = 0; rc == SKM_OK && r0 < R->n; r0 += (int64_t)P->block_rows) {
        if (skm_interrupted(R->ctx)) {
            rc = skm_error(R->ctx, SKM_EINTERRUPT, "interrupted");
            break;
        }
        if ((rc = skm_store_read_block(R->st, r0, P->block_rows, R->blk)))
            break;
        const skm_csr_block *b = R->blk;
        if (seen)
            for (size_t k = 0; k < b->nnz; ++k)
                seen[b->indices[k]]++;
        const int64_t *ip = b->indptr;
        const int32_t *ix = b->indices, *cn = b->counts;
        if (renum) {
            if ((rc = renumber(R, b)))
                break;
            ip = R->r_indptr;
            ix = R->r_indices;
            cn = R->r_counts;
        }
        if ((rc = skm_cooc_counter_add(cp, ip, ix, cn, b->n_rows)) ||
            (cw && (rc = skm_cooc_counter_add(cw, ip, ix, cn, b->n_rows))))
            skm_error(R->ctx, rc, "%s: rows %lld..: %s", R->store_path, (long long)r0,
                      skm_ctx_errmsg(R->ctx));
        skm_progress(R->ctx, stage, (uint64_t)(r0 + (int64_t)b->n_rows), (uint64_t)R->n);
    }
    if (rc == SKM_OK && seen) {
        for (int64_t j = 0; j < R->p; ++j)
            if (seen[j] != skm_store_skill_doc_freq(R->st, j)) {
                rc = skm_error(R->ctx, SKM_EFORMAT,
                               "%s: /skills/doc_freq[%lld] = %lld, but /matrix has %lld postings "
                               "with skill %lld ('%s'): the store is damaged",
                               R->store_path, (long long)j,
                               (long long)skm_store_skill_doc_freq(R->st, j), (long long)seen[j],
                               (long long)j, skm_store_skill_name(R->st, j));
                break;
            }
    }
    /* Harvest the band: the diagonal, and the pairs above support. */
    for (int32_t a = lo; rc == SKM_OK && a < hi; ++a) {
        const int32_t sa = R->kept[a];
        R->n_a[sa] = skm_cooc_counter_get(cp, a, a);
        if (cw)
            R->n_a_w[sa] = skm_cooc_counter_get(cw, a, a);
        for (int32_t b = a + 1; b < R->q; ++b) {
            int64_t v = skm_cooc_counter_get(cp, a, b);
            if (v >= P->min_support &&
                (rc = pairs_push(R, sa, R->kept[b], v, cw ? skm_cooc_counter_get(cw, a, b) : 0)))
                break;
        }
    }
    if (rc == SKM_OK) {
        skm_cooc_counter_stats s;
        skm_cooc_counter_stats_get(cp, &s);
        R->st_sum.rows_pairs += s.rows_pairs;
        R->st_sum.rows_bitset += s.rows_bitset;
        R->st_sum.blocks_pairs += s.blocks_pairs;
        R->st_sum.blocks_bitset += s.blocks_bitset;
        R->st_sum.pairs += s.pairs;
        R->st_sum.est_ns_pairs += s.est_ns_pairs;
        R->st_sum.est_ns_bitset = s.est_ns_bitset < 0 || R->st_sum.est_ns_bitset < 0
                                      ? -1
                                      : R->st_sum.est_ns_bitset + s.est_ns_bitset;
        R->st_sum.flushes += s.flushes;
        R->passes++;
    }
    free(seen);
    skm_cooc_counter_free(cp);
    skm_cooc_counter_free(cw);
    return rc;
}

/* The BH family: every pair of the q kept skills. */
static uint64_t family(int32_t q)
{
    return q > 1 ? (uint64_t)q * (uint64_t)(q - 1) / 2 : 0;
}

/* ---- measures, in parallel ------------------------------------------------------------- */

typedef struct measure_job {
    run *R;
    atomic_size_t bad; /* the smallest pair index whose table was rejected, or SIZE_MAX */
} measure_job;

static void measure_range(void *v, size_t begin, size_t end)
{
    measure_job *J = v;
    run *R = J->R;
    pairs *pr = &R->pr;
    for (size_t i = begin; i < end; ++i) {
        skm_cooc_pair m;
        int64_t na = R->n_a[pr->a[i]], nb = R->n_a[pr->b[i]];
        if (skm_cooc_measures(NULL, R->n, na, nb, pr->n_ab[i], &m) != SKM_OK) {
            size_t cur = atomic_load(&J->bad);
            while (i < cur && !atomic_compare_exchange_weak(&J->bad, &cur, i))
                ;
            return;
        }
        pr->col[C_PBA][i] = m.p_b_given_a;
        pr->col[C_PAB][i] = nb > 0 ? (double)pr->n_ab[i] / (double)nb : NAN;
        pr->col[C_LIFT][i] = m.lift;
        pr->col[C_PMI][i] = m.pmi;
        pr->col[C_NPMI][i] = m.npmi;
        pr->col[C_JACC][i] = m.jaccard;
        pr->col[C_COS][i] = m.cosine;
        pr->col[C_PHI][i] = m.phi;
        pr->col[C_P][i] = m.p_value;
        pr->col[C_LNP][i] = m.ln_p_value;
        if (R->par->weighted) {
            double wa = (double)R->n_a_w[pr->a[i]], wb = (double)R->n_a_w[pr->b[i]];
            pr->col[C_COSW][i] = (double)pr->n_ab_w[i] / sqrt(wa * wb);
        }
    }
}

static int measures(run *R)
{
    pairs *pr = &R->pr;
    const size_t m = pr->n ? pr->n : 1;
    for (int c = 0; c < C_NCOL; ++c)
        if ((c != C_COSW || R->par->weighted) &&
            !(pr->col[c] = skm_malloc_array(m, sizeof(double))))
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory for the measures of %zu pairs",
                             pr->n);
    pr->q = skm_malloc_array(m, sizeof *pr->q);
    pr->validated = skm_calloc_array(m, sizeof *pr->validated);
    if (!pr->q || !pr->validated)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory for the q-values of %zu pairs",
                         pr->n);
    measure_job J = {R, SIZE_MAX};
    skm_parallel_ranges(R->threads, pr->n, measure_range, &J);
    const size_t bad = atomic_load(&J.bad);
    if (bad != SIZE_MAX) { /* counts that make no 2x2 table: say which, with the reason */
        skm_cooc_pair m1;
        skm_cooc_measures(R->ctx, R->n, R->n_a[pr->a[bad]], R->n_a[pr->b[bad]], pr->n_ab[bad],
                          &m1);
        return skm_error(R->ctx, SKM_EINVAL, "pair ('%s', '%s'): %s",
                         skm_store_skill_name(R->st, pr->a[bad]),
                         skm_store_skill_name(R->st, pr->b[bad]), skm_ctx_errmsg(R->ctx));
    }
    size_t wl = skm_cooc_bh_work_len(pr->n);
    size_t *work = wl ? skm_malloc_array(wl, sizeof *work) : NULL;
    if (pr->n && !work)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory for the q-values of %zu pairs",
                         pr->n);
    int rc = skm_cooc_bh_qvalues(R->ctx, pr->col[C_P], pr->n, family(R->q), pr->q, work);
    free(work);
    if (rc)
        return rc;
    for (size_t i = 0; i < pr->n; ++i)
        pr->validated[i] = pr->q[i] < R->par->alpha;
    return SKM_OK;
}

/* ---- top tables ------------------------------------------------------------------------ */

typedef struct ranked {
    double key;
    int64_t n_ab;
    int64_t row;
} ranked;

static int cmp_ranked(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->key != b->key)
        return a->key > b->key ? -1 : 1; /* descending */
    if (a->n_ab != b->n_ab)
        return a->n_ab > b->n_ab ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The rows of the `k` pairs with the largest key, strongest first (ties: larger n_ab, then
 * table order). NaN keys rank last. */
static int top_k(run *R, const double *key, size_t k, int64_t **out, size_t *n_out)
{
    const size_t m = R->pr.n;
    ranked *r = skm_malloc_array(m ? m : 1, sizeof *r);
    int64_t *idx = skm_malloc_array(m ? m : 1, sizeof *idx);
    if (!r || !idx) {
        free(r);
        free(idx);
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < m; ++i)
        r[i] = (ranked){isnan(key[i]) ? -INFINITY : key[i], R->pr.n_ab[i], (int64_t)i};
    qsort(r, m, sizeof *r, cmp_ranked);
    *n_out = k < m ? k : m;
    for (size_t i = 0; i < *n_out; ++i)
        idx[i] = r[i].row;
    free(r);
    *out = idx;
    return SKM_OK;
}

/* ---- output ---------------------------------------------------------------------------- */

static const struct {
    const char *name, *desc, *units;
} col_spec[C_NCOL] = {
    [C_PBA] = {"p_b_given_a", "P(b | a) = n_ab / n_a", NULL},
    [C_PAB] = {"p_a_given_b", "P(a | b) = n_ab / n_b", NULL},
    [C_LIFT] = {"lift", "n * n_ab / (n_a * n_b)", NULL},
    [C_PMI] = {"pmi", "Pointwise mutual information ln(lift)", "nats"},
    [C_NPMI] = {"npmi", "Normalised PMI: pmi / -ln(n_ab / n), in [-1, 1]", NULL},
    [C_JACC] = {"jaccard", "n_ab / (n_a + n_b - n_ab)", NULL},
    [C_COS] = {"cosine", "Cosine (Ochiai) of the presence vectors: n_ab / sqrt(n_a * n_b)", NULL},
    [C_PHI] = {"phi", "Phi coefficient of the 2x2 table, in [-1, 1]", NULL},
    [C_P] = {"p_value",
             "One-sided hypergeometric (Fisher) p-value of over-representation: "
             "P(X >= n_ab), X ~ Hypergeometric(n, n_a, n_b)",
             NULL},
    [C_LNP] = {"ln_p_value", "ln(p_value), accurate where p_value underflows to 0", NULL},
    [C_COSW] = {"cosine_weighted",
                "Cosine of the frequency vectors: n_ab_weighted / sqrt(sum c_a^2 * sum c_b^2)",
                NULL},
};

static int write_results(run *R, const skm_cooccur_report *rep, const char *out_path, double t0)
{
    const skm_cooccur_params *P = R->par;
    pairs *pr = &R->pr;
    skm_h5_out o;
    hid_t g = -1, gs = -1, gp = -1, gt = -1;
    int64_t *by_npmi = NULL, *by_lift = NULL;
    size_t n_npmi = 0, n_lift = 0;
    const char **names = NULL, **cats = NULL;
    int rc = skm_h5_out_create_results(R->ctx, out_path, "cooccurrence", &o);
    if (rc)
        goto done;
    if ((rc = top_k(R, pr->col[C_NPMI], P->top, &by_npmi, &n_npmi)) ||
        (rc = top_k(R, pr->col[C_LIFT], P->top, &by_lift, &n_lift)))
        goto done;
    names = skm_malloc_array((size_t)R->p + 1, sizeof *names);
    cats = skm_malloc_array((size_t)R->p + 1, sizeof *cats);
    if (!names || !cats) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    for (int64_t j = 0; j < R->p; ++j) {
        names[j] = skm_store_skill_name(R->st, j);
        cats[j] = skm_store_skill_category(R->st, j);
    }
    const hid_t f = o.file;
    if ((rc = skm_h5_create_group(&o, f, "cooccurrence", "/cooccurrence",
                                  "Skill co-occurrence: pair counts, association measures and "
                                  "significance (skillmat cooccur)",
                                  &g)) ||
        (rc = skm_h5_create_group(&o, g, "skills", "/cooccurrence/skills",
                                  "The skill axis: one entry per skill of the store, in store "
                                  "order; pairs/a and pairs/b index it",
                                  &gs)) ||
        (rc = skm_h5_create_group(&o, g, "pairs", "/cooccurrence/pairs",
                                  "One row per pair a < b with n_ab >= min_support, ordered by "
                                  "(a, b)",
                                  &gp)) ||
        (rc = skm_h5_create_group(&o, g, "top", "/cooccurrence/top",
                                  "The strongest pairs: row indices into /cooccurrence/pairs",
                                  &gt)))
        goto done;
    const size_t p = (size_t)R->p, m = pr->n;
    if ((rc = skm_h5_write_array(&o, gs, "name", "/cooccurrence/skills/name", o.t_str, o.t_str,
                                 p, 0, names, "Skill name (as /skills/name of the store)",
                                 NULL)) ||
        (rc = skm_h5_write_array(&o, gs, "category", "/cooccurrence/skills/category", o.t_str,
                                 o.t_str, p, 0, cats, "Skill category (\"\" when unknown)",
                                 NULL)) ||
        (rc = skm_h5_write_array(&o, gs, "n_a", "/cooccurrence/skills/n_a", H5T_STD_I64LE,
                                 H5T_NATIVE_INT64, p, 0, R->n_a,
                                 "Postings with the skill (counted from /matrix)", "postings")))
        goto done;
    if (P->weighted &&
        (rc = skm_h5_write_array(&o, gs, "sum_sq_counts", "/cooccurrence/skills/sum_sq_counts",
                                 H5T_STD_I64LE, H5T_NATIVE_INT64, p, 0, R->n_a_w,
                                 "Sum over postings of the squared count of the skill (the "
                                 "diagonal of the frequency-weighted Gram matrix); 0 for skills "
                                 "below support",
                                 NULL)))
        goto done;
    if ((rc = skm_h5_write_array(&o, gp, "a", "/cooccurrence/pairs/a", H5T_STD_I32LE,
                                 H5T_NATIVE_INT32, m, 0, pr->a,
                                 "First skill of the pair: index into /cooccurrence/skills",
                                 NULL)) ||
        (rc = skm_h5_write_array(&o, gp, "b", "/cooccurrence/pairs/b", H5T_STD_I32LE,
                                 H5T_NATIVE_INT32, m, 0, pr->b,
                                 "Second skill of the pair (b > a): index into "
                                 "/cooccurrence/skills",
                                 NULL)) ||
        (rc = skm_h5_write_array(&o, gp, "n_ab", "/cooccurrence/pairs/n_ab", H5T_STD_I64LE,
                                 H5T_NATIVE_INT64, m, 0, pr->n_ab,
                                 "Postings with both skills", "postings")))
        goto done;
    if (P->weighted &&
        (rc = skm_h5_write_array(&o, gp, "n_ab_weighted", "/cooccurrence/pairs/n_ab_weighted",
                                 H5T_STD_I64LE, H5T_NATIVE_INT64, m, 0, pr->n_ab_w,
                                 "Frequency-weighted co-occurrence: sum over postings of "
                                 "count_a * count_b",
                                 NULL)))
        goto done;
    for (int c = 0; c < C_NCOL; ++c) {
        if (c == C_COSW && !P->weighted)
            continue;
        char path[96];
        snprintf(path, sizeof path, "/cooccurrence/pairs/%s", col_spec[c].name);
        if ((rc = skm_h5_write_array(&o, gp, col_spec[c].name, path, H5T_IEEE_F64LE,
                                     H5T_NATIVE_DOUBLE, m, 0, pr->col[c], col_spec[c].desc,
                                     col_spec[c].units)))
            goto done;
    }
    if ((rc = skm_h5_write_array(&o, gp, "q_value", "/cooccurrence/pairs/q_value",
                                 H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, m, 0, pr->q,
                                 "Benjamini-Hochberg q-value of p_value over the family of all "
                                 "pairs of kept skills (attribute n_family; pairs not reported "
                                 "count as p = 1)",
                                 NULL)) ||
        (rc = skm_h5_write_array(&o, gp, "validated", "/cooccurrence/pairs/validated",
                                 H5T_STD_U8LE, H5T_NATIVE_UINT8, m, 0, pr->validated,
                                 "1 when q_value < alpha (a validated pair), else 0", NULL)) ||
        (rc = skm_h5_write_array(&o, gt, "by_npmi", "/cooccurrence/top/by_npmi", H5T_STD_I64LE,
                                 H5T_NATIVE_INT64, n_npmi, 0, by_npmi,
                                 "Rows of /cooccurrence/pairs with the highest NPMI, strongest "
                                 "first (ties: larger n_ab first)",
                                 NULL)) ||
        (rc = skm_h5_write_array(&o, gt, "by_lift", "/cooccurrence/top/by_lift", H5T_STD_I64LE,
                                 H5T_NATIVE_INT64, n_lift, 0, by_lift,
                                 "Rows of /cooccurrence/pairs with the highest lift, strongest "
                                 "first (ties: larger n_ab first)",
                                 NULL)))
        goto done;

    /* Parameters and provenance, as attributes of the group. */
    const skm_cooc_counter_stats *s = &R->st_sum;
    if ((rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "n_postings", R->n)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "n_skills", R->p)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "n_skills_kept", R->q)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "n_pairs", (int64_t)m)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "n_family", (int64_t)rep->n_family)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "n_validated", rep->n_validated)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "min_support", P->min_support)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "top", (int64_t)P->top)) ||
        (rc = skm_h5_out_attr_f64(&o, g, "/cooccurrence", "alpha", P->alpha)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "weighted", P->weighted != 0)) ||
        (rc = skm_h5_out_attr_str(&o, g, "/cooccurrence", "path_requested", skm_cooc_path_name(P->path))) ||
        (rc = skm_h5_out_attr_str(&o, g, "/cooccurrence", "path", rep->path)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "rows_pairs_path", (int64_t)s->rows_pairs)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "rows_bitset_path", (int64_t)s->rows_bitset)) ||
        (rc = skm_h5_out_attr_f64(&o, g, "/cooccurrence", "model_ms_pairs", s->est_ns_pairs / 1e6)) ||
        (rc = skm_h5_out_attr_f64(&o, g, "/cooccurrence", "model_ms_bitset",
                       s->est_ns_bitset >= 0 ? s->est_ns_bitset / 1e6 : NAN)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "passes", rep->passes)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "threads", R->threads)) ||
        (rc = skm_h5_out_attr_i64(&o, g, "/cooccurrence", "memory_mib", (int64_t)P->memory_mib)) ||
        (rc = skm_h5_out_attr_str(&o, g, "/cooccurrence", "isa", skm_isa())) ||
        (rc = skm_h5_out_attr_f64(&o, g, "/cooccurrence", "seconds_count", rep->seconds_count)) ||
        (rc = skm_h5_out_attr_f64(&o, g, "/cooccurrence", "seconds", skm_now() - t0)) ||
        (rc = skm_h5_out_attr_provenance(&o, g, "/cooccurrence", R->st, R->store_path,
                                         P->command_line)))
        goto done;
    skm_h5_close(gt);
    skm_h5_close(gp);
    skm_h5_close(gs);
    skm_h5_close(g);
    gt = gp = gs = g = -1;
    rc = skm_h5_out_commit(&o);
done:
    skm_h5_close(gt);
    skm_h5_close(gp);
    skm_h5_close(gs);
    skm_h5_close(g);
    skm_h5_out_abort(&o);
    free(by_npmi);
    free(by_lift);
    free(names);
    free(cats);
    return rc;
}

/* ---- the run --------------------------------------------------------------------------- */

static int check_params(skm_ctx *ctx, const skm_cooccur_params *P)
{
    int rc = skm_check_analysis_params(ctx, P->min_support, P->alpha, P->threads);
    if (rc)
        return rc;
    if (P->path < SKM_COOCCUR_PATH_AUTO || P->path > SKM_COOCCUR_PATH_BITSET)
        return skm_error(ctx, SKM_EINVAL, "unknown counting path %d", P->path);
    if (P->path == SKM_COOCCUR_PATH_BITSET && P->weighted)
        return skm_error(ctx, SKM_EINVAL,
                         "the bitset path counts presence only; drop --path bitset or --weighted");
    if (P->block_rows < 1 || P->block_rows > ((size_t)1 << 24))
        return skm_error(ctx, SKM_EINVAL, "block rows must be in 1..16777216 (got %zu)",
                         P->block_rows);
    if (P->memory_mib < 1 || P->memory_mib > ((size_t)1 << 30))
        return skm_error(ctx, SKM_EINVAL, "--memory must be at least 1 MiB (got %zu)",
                         P->memory_mib);
    return SKM_OK;
}

static int cooccur(run *R, const char *out_path, skm_cooccur_report *rep, double t0)
{
    const skm_cooccur_params *P = R->par;
    int rc = skm_store_open(R->ctx, R->store_path, &R->st);
    if (rc)
        return rc;
    R->n = skm_store_n_rows(R->st);
    R->p = skm_store_n_cols(R->st);
    if (R->n > SKM_COOC_MAX_COUNT)
        return skm_error(R->ctx, SKM_ELIMIT,
                         "%s: %lld postings; co-occurrence statistics take at most %lld",
                         R->store_path, (long long)R->n, (long long)SKM_COOC_MAX_COUNT);
    const size_t p = (size_t)R->p;
    R->kept = skm_malloc_array(p + 1, sizeof *R->kept);
    R->map = skm_malloc_array(p + 1, sizeof *R->map);
    R->n_a = skm_calloc_array(p + 1, sizeof *R->n_a);
    R->n_a_w = skm_calloc_array(p + 1, sizeof *R->n_a_w);
    R->blk = skm_csr_block_alloc(P->block_rows, P->block_rows * 16);
    R->r_indptr = skm_malloc_array(P->block_rows + 1, sizeof *R->r_indptr);
    if (!R->kept || !R->map || !R->n_a || !R->n_a_w || !R->blk || !R->r_indptr)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory for %zu skills", p);
    R->q = 0;
    for (size_t j = 0; j < p; ++j) {
        int64_t df = skm_store_skill_doc_freq(R->st, (int64_t)j);
        R->map[j] = df >= P->min_support ? R->q : -1;
        if (df >= P->min_support)
            R->kept[R->q++] = (int32_t)j;
        else
            R->n_a[j] = df; /* left out: doc_freq, checked against the matrix in pass 1 */
    }
    rep->n_postings = R->n;
    rep->n_skills = R->p;
    rep->n_skills_kept = R->q;
    rep->threads = R->threads;

    /* Bands under the budget: rows [lo, hi) cost threads x (hi - lo) x (q - lo) int32 each, plus
     * the weighted counter's int32 and int64 with --weighted, plus the bitset buffers when that
     * path may run (skm_cooc_counter_bytes). */
    const size_t budget = P->memory_mib << 20;
    const double t_count0 = skm_now();
    int32_t lo = 0;
    do {
        int32_t hi = lo;
        for (;;) { /* grow hi while the band fits: doubling, then one by one would be slow */
            int32_t step = R->q - hi;
            while (step > 0) {
                skm_cooc_counter_params cp = {(size_t)R->q, lo,         hi + step,
                                              0,            P->path,    R->threads,
                                              SKM_COOC_SPLIT_AUTO};
                size_t bytes = skm_cooc_counter_bytes(&cp);
                if (P->weighted) {
                    cp.weighted = 1;
                    cp.path = SKM_COOC_PAIRS;
                    bytes += skm_cooc_counter_bytes(&cp);
                }
                if (bytes <= budget)
                    break;
                step /= 2;
            }
            if (step == 0)
                break;
            hi += step;
        }
        if (hi == lo && R->q > 0)
            return skm_error(R->ctx, SKM_ELIMIT,
                             "--memory %zu MiB cannot hold one row of the co-occurrence "
                             "triangle (%d kept skills, %d threads); raise --memory or "
                             "--min-support",
                             P->memory_mib, (int)R->q, R->threads);
        if ((rc = count_band(R, lo, hi, lo == 0)))
            return rc;
        lo = hi;
    } while (lo < R->q);
    rep->passes = R->passes;
    rep->seconds_count = skm_now() - t_count0;

    if ((rc = measures(R)))
        return rc;
    rep->n_pairs = (int64_t)R->pr.n;
    rep->n_family = family(R->q);
    for (size_t i = 0; i < R->pr.n; ++i)
        rep->n_validated += R->pr.validated[i];
    snprintf(rep->path, sizeof rep->path, "%s",
             R->st_sum.rows_bitset && R->st_sum.rows_pairs ? "pairs+bitset"
             : R->st_sum.rows_bitset                       ? "bitset"
                                                           : "pairs");
    return write_results(R, rep, out_path, t0);
}

int skm_cooccur(skm_ctx *ctx, const char *store_path, const char *out_path,
                const skm_cooccur_params *params, skm_cooccur_report *report)
{
    const double t0 = skm_now();
    skm_cooccur_report dummy;
    skm_cooccur_report *rep = report ? report : &dummy;
    memset(rep, 0, sizeof *rep);
    if (!store_path || !out_path || !params)
        return skm_error(ctx, SKM_EINVAL, "cooccur: no store, output or parameters");
    int rc = check_params(ctx, params);
    if (rc)
        return rc;
    run R;
    memset(&R, 0, sizeof R);
    R.ctx = ctx;
    R.par = params;
    R.store_path = store_path;
    R.threads = params->threads ? params->threads : skm_cpu_count();
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    rc = cooccur(&R, out_path, rep, t0);
    skm_h5_quiet_end(&q);
    rep->seconds = skm_now() - t0;
    pairs_free(&R.pr);
    free(R.kept);
    free(R.map);
    free(R.n_a);
    free(R.n_a_w);
    free(R.r_indptr);
    free(R.r_indices);
    free(R.r_counts);
    skm_csr_block_free(R.blk);
    skm_store_close(R.st);
    return rc;
}
