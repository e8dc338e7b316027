/*
 * cluster.c — `skillmat cluster`: role types as k-means clusters of postings by their skills,
 * written under /clusters of a results file (docs/hdf5-schema.md).
 *
 * Plan
 *   1. One pass over the store keeps the postings with at least one skill: their skill lists
 *      (with counts for TF-IDF), title and compared-column codes and annual salary. The rows
 *      stay in memory (k-means passes over them many times): about 12 bytes per skill entry
 *      plus 40 per posting and 4 per posting and restart, checked against the memory budget.
 *   2. Weighting: binary presence, or TF-IDF (count x ln((1 + n) / (1 + df)) + 1, scikit-
 *      learn's smooth idf); rows L2-normalised except binary rows under the Euclidean metric.
 *   3. For each k of the range and each restart: k-means++ seeding and Lloyd iterations
 *      (kmeans.c), the lowest objective kept; adjusted Rand index between the restarts;
 *      Calinski-Harabasz and Davies-Bouldin on all rows; the labels of the silhouette sample.
 *   4. The silhouette of every k on one seeded sample (scores.c), k chosen by the rule.
 *   5. The chosen clustering described: sizes, skill shares and lifts, names, title words,
 *      median salary, agreement with the compared column. Written atomically.
 * Every random draw comes from a stream of (seed, purpose, k, restart): results depend on the
 * seed only, never on the thread count.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "../core/core.h"
#include "../h5/h5out.h"
#include "../h5/h5util.h"
#include "kmeans.h"
#include "scores.h"

#define CG "/clusters"

skm_cluster_params skm_cluster_params_default(void)
{
    skm_cluster_params p;
    memset(&p, 0, sizeof p);
    p.k_min = 2;
    p.k_max = 20;
    p.metric = SKM_METRIC_COSINE;
    p.weighting = SKM_WEIGHT_DEFAULT;
    p.restarts = 4;
    p.max_iter = 100;
    p.tol = 1e-4;
    p.seed = 1;
    p.sample = 10000;
    p.choose = SKM_CHOOSE_SILHOUETTE;
    p.compare = "role";
    p.n_top = 10;
    p.memory_mib = 4096;
    p.block_rows = 65536;
    return p;
}

static const char *const metric_name[] = {"cosine", "euclidean"};
static const char *const weight_name[] = {"default", "binary", "tfidf"};
static const char *const choose_name[] = {"silhouette", "calinski-harabasz", "davies-bouldin",
                                          "elbow"};

/* Random stream purposes (with k and the restart in the low bits). */
enum { STREAM_SAMPLE = 1, STREAM_SEED = 2 };
static uint64_t stream_id(int purpose, uint64_t k, uint64_t restart)
{
    return ((uint64_t)purpose << 56) | (k << 24) | restart;
}

typedef struct crun {
    skm_ctx *ctx;
    const skm_cluster_params *P;
    skm_store *st;
    const char *store_path;
    int threads, metric, weighting;
    int64_t n_postings;
    size_t p;
    /* the postings with skills */
    size_t n;
    int64_t *row;        /* n: row in the store */
    int64_t *indptr;     /* n + 1 */
    int32_t *indices, *counts;
    float *values;       /* NULL: binary Euclidean */
    double *sqnorm;
    int64_t *df;         /* p: postings with the skill */
    int32_t *title;      /* n, or NULL */
    int32_t *cmp;        /* n, or NULL */
    double *salary;      /* n */
    char **title_lev, **cmp_lev;
    size_t n_title_lev, n_cmp_lev;
    skm_km_data data;
    double tol_abs;      /* the stopping shift: tol x the mean column variance of the rows */
    /* the k range */
    size_t nk;
    double *objective, *silhouette, *ch, *db, *ari_mean, *ari_min, *seconds;
    int64_t *reseeded, *iters;
    double **C;          /* nk: k x p centroids of the kept restart */
    /* the silhouette sample */
    size_t s;
    int64_t *sample;     /* s: indices into the n rows */
    int32_t **slab;      /* nk: labels of the sample */
    /* the chosen k */
    size_t chosen;       /* index into the range */
    char rule[160];
    int32_t *labels;     /* n */
    int64_t *sizes;      /* k */
} crun;

static int k_of(const crun *R, size_t q)
{
    return R->P->k_min + (int)q;
}

static int check_params(skm_ctx *ctx, const skm_cluster_params *P)
{
    int rc = skm_check_analysis_params(ctx, 1, 0.05, P->threads);
    if (rc)
        return rc;
    if (P->k_min < 1 || P->k_max < P->k_min || P->k_max > 100000)
        return skm_error(ctx, SKM_EINVAL, "k range %d:%d: needs 1 <= k_min <= k_max <= 100000",
                         P->k_min, P->k_max);
    if (P->metric != SKM_METRIC_COSINE && P->metric != SKM_METRIC_EUCLIDEAN)
        return skm_error(ctx, SKM_EINVAL, "--metric: unknown metric %d", P->metric);
    if (P->weighting < SKM_WEIGHT_DEFAULT || P->weighting > SKM_WEIGHT_TFIDF)
        return skm_error(ctx, SKM_EINVAL, "--weighting: unknown weighting %d", P->weighting);
    if (P->restarts < 1 || P->restarts > 1000)
        return skm_error(ctx, SKM_EINVAL, "--restarts must be in 1..1000, not %d", P->restarts);
    if (P->max_iter < 1 || P->max_iter > 1000000)
        return skm_error(ctx, SKM_EINVAL, "--max-iter must be in 1..1000000, not %d",
                         P->max_iter);
    if (!(P->tol >= 0) || !isfinite(P->tol))
        return skm_error(ctx, SKM_EINVAL, "--tol must be a finite number >= 0");
    if (P->choose < SKM_CHOOSE_SILHOUETTE || P->choose > SKM_CHOOSE_ELBOW)
        return skm_error(ctx, SKM_EINVAL, "--choose: unknown rule %d", P->choose);
    if (P->choose == SKM_CHOOSE_SILHOUETTE && P->sample == 0 && P->k_max > P->k_min)
        return skm_error(ctx, SKM_EINVAL, "--choose silhouette needs a sample (--sample > 0)");
    if (P->block_rows == 0 || P->memory_mib == 0 || P->n_top == 0 || P->n_top > 1000)
        return skm_error(ctx, SKM_EINVAL, "block rows, memory and top (1..1000) must be > 0");
    return SKM_OK;
}

/* ---- 1. the pass over the store ----------------------------------------------------------- */

/* Read the level table of a categorical column, or leave it absent (ENOTFOUND). */
static int load_levels(crun *R, const char *name, char ***lev, size_t *n_lev, int required)
{
    int rc = skm_store_read_levels(R->st, name, lev, n_lev);
    if (rc == SKM_ENOTFOUND && !required)
        return SKM_OK;
    if (rc == SKM_ENOTFOUND)
        return skm_error(R->ctx, SKM_ENOTFOUND,
                         "--compare: the store has no categorical column '%s' (/postings/%s "
                         "with /postings/%s_levels)",
                         name, name, name);
    return rc;
}

static int grow(crun *R, size_t need, size_t *cap)
{
    if (need <= *cap)
        return SKM_OK;
    size_t nc = *cap ? *cap * 2 : (size_t)1 << 20;
    while (nc < need)
        nc *= 2;
    int32_t *ni = realloc(R->indices, nc * sizeof *ni);
    if (ni)
        R->indices = ni;
    int32_t *nv = ni ? realloc(R->counts, nc * sizeof *nv) : NULL;
    if (nv)
        R->counts = nv;
    if (!ni || !nv)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory reading the store");
    *cap = nc;
    return SKM_OK;
}

static int load(crun *R)
{
    const size_t B = R->P->block_rows, N = (size_t)R->n_postings;
    skm_csr_block *blk = skm_csr_block_alloc(B, B * 16);
    double *sal = malloc(B * sizeof *sal);
    int32_t *tt = malloc(B * sizeof *tt), *cc = malloc(B * sizeof *cc);
    R->row = malloc((N + 1) * sizeof *R->row);
    R->indptr = malloc((N + 1) * sizeof *R->indptr);
    R->salary = malloc((N + 1) * sizeof *R->salary);
    R->df = calloc(R->p + 1, sizeof *R->df);
    if (R->title_lev)
        R->title = malloc((N + 1) * sizeof *R->title);
    if (R->cmp_lev)
        R->cmp = malloc((N + 1) * sizeof *R->cmp);
    int rc = SKM_OK;
    size_t cap = 0, n = 0, nnz = 0;
    if (!blk || !sal || !tt || !cc || !R->row || !R->indptr || !R->salary || !R->df ||
        (R->title_lev && !R->title) || (R->cmp_lev && !R->cmp)) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory reading the store");
        goto done;
    }
    R->indptr[0] = 0;
    for (int64_t r0 = 0; r0 < R->n_postings && !rc; r0 += (int64_t)B) {
        const size_t nr = N - (size_t)r0 < B ? N - (size_t)r0 : B;
        if ((rc = skm_store_read_block(R->st, r0, nr, blk)) ||
            (rc = skm_store_read_column(R->st, "salary_annual", r0, nr, SKM_TYPE_F64, sal)) ||
            (R->title && (rc = skm_store_read_column(R->st, "title", r0, nr, SKM_TYPE_I32, tt))) ||
            (R->cmp && (rc = skm_store_read_column(R->st, R->P->compare, r0, nr, SKM_TYPE_I32,
                                                   cc))))
            break;
        if ((rc = grow(R, nnz + blk->nnz, &cap)))
            break;
        for (size_t i = 0; i < nr && !rc; ++i) {
            const int64_t b = blk->indptr[i], e = blk->indptr[i + 1];
            if (e == b)
                continue;
            if (R->title && (tt[i] < -1 || tt[i] >= (int32_t)R->n_title_lev))
                rc = skm_error(R->ctx, SKM_EFORMAT, "%s: /postings/title[%lld] = %d is outside "
                               "its level table", R->store_path, (long long)(r0 + (int64_t)i),
                               (int)tt[i]);
            if (R->cmp && (cc[i] < -1 || cc[i] >= (int32_t)R->n_cmp_lev))
                rc = skm_error(R->ctx, SKM_EFORMAT, "%s: /postings/%s[%lld] = %d is outside "
                               "its level table", R->store_path, R->P->compare,
                               (long long)(r0 + (int64_t)i), (int)cc[i]);
            memcpy(R->indices + nnz, blk->indices + b, (size_t)(e - b) * sizeof(int32_t));
            memcpy(R->counts + nnz, blk->counts + b, (size_t)(e - b) * sizeof(int32_t));
            for (int64_t q = b; q < e; ++q)
                R->df[blk->indices[q]]++;
            nnz += (size_t)(e - b);
            R->row[n] = r0 + (int64_t)i;
            R->salary[n] = sal[i];
            if (R->title)
                R->title[n] = tt[i];
            if (R->cmp)
                R->cmp[n] = cc[i];
            R->indptr[++n] = (int64_t)nnz;
        }
        skm_progress(R->ctx, "cluster: reading", (uint64_t)(r0 + (int64_t)nr), N);
        if (!rc && skm_interrupted(R->ctx))
            rc = skm_error(R->ctx, SKM_EINTERRUPT, "interrupted");
    }
    R->n = n;
done:
    skm_csr_block_free(blk);
    free(sal);
    free(tt);
    free(cc);
    return rc;
}

/* ---- 2. weighting ------------------------------------------------------------------------- */

static int weigh(crun *R)
{
    const size_t n = R->n, nnz = (size_t)R->indptr[n];
    R->sqnorm = malloc((n + 1) * sizeof *R->sqnorm);
    if (!R->sqnorm)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    const int tfidf = R->weighting == SKM_WEIGHT_TFIDF;
    const int unit = tfidf || R->metric == SKM_METRIC_COSINE;
    if (!unit) { /* binary Euclidean: values are all 1 */
        for (size_t r = 0; r < n; ++r)
            R->sqnorm[r] = (double)(R->indptr[r + 1] - R->indptr[r]);
    } else {
        double *idf = malloc((R->p + 1) * sizeof *idf);
        R->values = malloc((nnz + 1) * sizeof *R->values);
        if (!idf || !R->values) {
            free(idf);
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory for the row weights");
        }
        for (size_t j = 0; j < R->p; ++j)
            idf[j] = log((1.0 + (double)n) / (1.0 + (double)R->df[j])) + 1.0;
        for (size_t r = 0; r < n; ++r) {
            double ss = 0;
            for (int64_t e = R->indptr[r]; e < R->indptr[r + 1]; ++e) {
                const double v = tfidf ? (double)R->counts[e] * idf[R->indices[e]] : 1.0;
                ss += v * v;
            }
            const double inv = 1.0 / sqrt(ss);
            double s2 = 0;
            for (int64_t e = R->indptr[r]; e < R->indptr[r + 1]; ++e) {
                const double v = tfidf ? (double)R->counts[e] * idf[R->indices[e]] : 1.0;
                R->values[e] = (float)(v * inv);
                s2 += (double)R->values[e] * (double)R->values[e];
            }
            R->sqnorm[r] = s2;
        }
        free(idf);
    }
    R->data = (skm_km_data){n,         R->p,      R->indptr, R->indices, R->values,
                            R->sqnorm, R->metric == SKM_METRIC_COSINE, R->threads,
                            SKM_KM_PATH_AUTO};
    R->tol_abs = skm_km_tolerance(&R->data, R->P->tol);
    return SKM_OK;
}

/* ---- 3. the k range ----------------------------------------------------------------------- */

static int fit_k(crun *R, size_t q, int32_t **rl)
{
    const skm_cluster_params *P = R->P;
    const size_t k = (size_t)k_of(R, q), n = R->n, p = R->p;
    const double t0 = skm_now();
    skm_km_fit best, cur;
    memset(&best, 0, sizeof best);
    memset(&cur, 0, sizeof cur);
    int rc = skm_km_fit_alloc(R->ctx, &best, n, p, k, P->max_iter, 1);
    if (!rc)
        rc = skm_km_fit_alloc(R->ctx, &cur, n, p, k, P->max_iter, 1);
    double *dist_sum = skm_malloc_array(k, sizeof *dist_sum);
    int64_t *tab = skm_malloc_array(k * k, sizeof *tab);
    if (!rc && (!dist_sum || !tab))
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    int have_best = 0;
    for (int r = 0; r < P->restarts && !rc; ++r) {
        skm_rng g;
        skm_rng_seed(&g, P->seed, stream_id(STREAM_SEED, k, (uint64_t)r));
        if ((rc = skm_km_seed(R->ctx, &R->data, k, &g, cur.C)) ||
            (rc = skm_km_lloyd(R->ctx, &R->data, P->max_iter, R->tol_abs, &cur)))
            break;
        memcpy(rl[r], cur.labels, n * sizeof *cur.labels);
        skm_log(R->ctx, SKM_LOG_DEBUG,
                "cluster: k = %zu restart %d: objective %.10g after %d iterations (%s)", k, r,
                cur.objective, cur.n_iter,
                cur.converged == 1 ? "labels stable" : cur.converged == 2 ? "tol" : "max_iter");
        if (!have_best || cur.objective < best.objective) {
            skm_km_fit t = best;
            best = cur;
            cur = t;
            have_best = 1;
        }
    }
    if (rc)
        goto done;
    /* stability: ARI over every pair of restarts */
    double amin = NAN, asum = 0;
    size_t npair = 0;
    for (int a = 0; a < P->restarts; ++a)
        for (int b = a + 1; b < P->restarts; ++b) {
            skm_contingency(rl[a], rl[b], n, k, k, tab);
            const double v = skm_ari(tab, k, k);
            asum += v;
            amin = npair == 0 || v < amin ? v : amin;
            ++npair;
        }
    R->ari_mean[q] = npair ? asum / (double)npair : NAN;
    R->ari_min[q] = amin;
    /* spread: Calinski-Harabasz, Davies-Bouldin */
    double W;
    if ((rc = skm_km_spread(R->ctx, &R->data, k, best.labels, best.means, dist_sum, &W)))
        goto done;
    R->ch[q] = skm_calinski_harabasz(k, p, best.sizes, best.means, W);
    R->db[q] = skm_davies_bouldin(k, p, best.sizes, best.means, dist_sum);
    R->objective[q] = best.objective;
    R->iters[q] = best.n_iter;
    R->reseeded[q] = best.n_reseeded;
    for (size_t i = 0; i < R->s; ++i)
        R->slab[q][i] = best.labels[R->sample[i]];
    R->C[q] = best.C;
    best.C = NULL;
    R->seconds[q] = skm_now() - t0;
    skm_log(R->ctx, SKM_LOG_INFO,
            "cluster: k = %zu: objective %.6g, Calinski-Harabasz %.4g, Davies-Bouldin %.4g, "
            "restart ARI %.3f (%.2f s)",
            k, R->objective[q], R->ch[q], R->db[q], R->ari_mean[q], R->seconds[q]);
done:
    skm_km_fit_free(&best);
    skm_km_fit_free(&cur);
    free(dist_sum);
    free(tab);
    return rc;
}

/* Selection sampling (Knuth's algorithm S): s of the n rows, in increasing order. */
static int draw_sample(crun *R)
{
    R->s = R->P->sample < R->n ? R->P->sample : R->n;
    R->sample = malloc((R->s + 1) * sizeof *R->sample);
    if (!R->sample)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    skm_rng g;
    skm_rng_seed(&g, R->P->seed, stream_id(STREAM_SAMPLE, 0, 0));
    size_t got = 0;
    for (size_t r = 0; r < R->n && got < R->s; ++r)
        if ((double)(R->n - r) * skm_rng_uniform(&g) < (double)(R->s - got))
            R->sample[got++] = (int64_t)r;
    return SKM_OK;
}

static int sweep(crun *R)
{
    const skm_cluster_params *P = R->P;
    const size_t nk = R->nk;
    int rc = SKM_OK;
    int32_t **rl = calloc((size_t)P->restarts, sizeof *rl);
    if (!rl)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    for (int r = 0; r < P->restarts && !rc; ++r)
        if (!(rl[r] = skm_malloc_array(R->n + 1, sizeof *rl[r])))
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory for the restart labels");
    for (size_t q = 0; q < nk && !rc; ++q) {
        if (!(R->slab[q] = skm_malloc_array(R->s + 1, sizeof *R->slab[q])))
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        else
            rc = fit_k(R, q, rl);
        skm_progress(R->ctx, "cluster: k range", q + 1, nk);
    }
    for (int r = 0; r < P->restarts; ++r)
        free(rl[r]);
    free(rl);
    if (rc)
        return rc;
    /* 4. silhouette of every k on the sample */
    for (size_t q = 0; q < nk; ++q)
        R->silhouette[q] = NAN;
    if (R->s >= 2 && k_of(R, nk - 1) >= 2) {
        const double t0 = skm_now();
        int64_t *ip = malloc((R->s + 1) * sizeof *ip);
        size_t *kq = malloc(nk * sizeof *kq);
        size_t snnz = 0;
        for (size_t i = 0; i < R->s; ++i)
            snnz += (size_t)(R->indptr[R->sample[i] + 1] - R->indptr[R->sample[i]]);
        int32_t *si = malloc((snnz + 1) * sizeof *si);
        float *sv = R->values ? malloc((snnz + 1) * sizeof *sv) : NULL;
        double *sq = malloc((R->s + 1) * sizeof *sq);
        if (!ip || !kq || !si || (R->values && !sv) || !sq)
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory for the silhouette sample");
        else {
            ip[0] = 0;
            for (size_t i = 0; i < R->s; ++i) {
                const int64_t r = R->sample[i], b = R->indptr[r], e = R->indptr[r + 1];
                memcpy(si + ip[i], R->indices + b, (size_t)(e - b) * sizeof *si);
                if (sv)
                    memcpy(sv + ip[i], R->values + b, (size_t)(e - b) * sizeof *sv);
                ip[i + 1] = ip[i] + (e - b);
                sq[i] = R->sqnorm[r];
            }
            for (size_t q = 0; q < nk; ++q)
                kq[q] = (size_t)k_of(R, q);
            rc = skm_silhouette(R->ctx, R->s, R->p, ip, si, sv, sq,
                                R->metric == SKM_METRIC_COSINE, nk,
                                (const int32_t *const *)R->slab, kq, R->threads, R->silhouette);
        }
        free(ip);
        free(kq);
        free(si);
        free(sv);
        free(sq);
        skm_log(R->ctx, SKM_LOG_INFO, "cluster: silhouette of %zu k values on %zu postings "
                "(%.2f s)", nk, R->s, skm_now() - t0);
    }
    return rc;
}

/* ---- choosing k --------------------------------------------------------------------------- */

static void choose_k(crun *R)
{
    const size_t nk = R->nk;
    const int rule = R->P->choose;
    size_t best = 0;
    int found = 0;
    if (nk == 1) {
        snprintf(R->rule, sizeof R->rule, "the only k given");
        R->chosen = 0;
        return;
    }
    if (rule == SKM_CHOOSE_ELBOW) {
        /* kneedle: the point farthest below the chord from the first to the last objective,
         * both axes scaled to [0, 1] */
        const double y0 = R->objective[0], y1 = R->objective[nk - 1];
        double far = -INFINITY;
        for (size_t q = 0; q < nk; ++q) {
            const double x = (double)q / (double)(nk - 1);
            const double y = y0 != y1 ? (R->objective[q] - y1) / (y0 - y1) : 0;
            const double gap = (1 - x) - y;
            if (gap > far)
                far = gap, best = q;
        }
        found = 1;
        snprintf(R->rule, sizeof R->rule,
                 "elbow: largest drop below the chord of the objective curve (kneedle)");
    } else {
        const double *v = rule == SKM_CHOOSE_SILHOUETTE ? R->silhouette
                          : rule == SKM_CHOOSE_CH       ? R->ch
                                                        : R->db;
        for (size_t q = 0; q < nk; ++q) {
            if (isnan(v[q]))
                continue;
            const int better = rule == SKM_CHOOSE_DB ? v[q] < v[best] : v[q] > v[best];
            if (!found || better)
                best = q, found = 1;
        }
        if (rule == SKM_CHOOSE_SILHOUETTE)
            snprintf(R->rule, sizeof R->rule, "highest silhouette (sample of %zu postings)",
                     R->s);
        else if (rule == SKM_CHOOSE_CH)
            snprintf(R->rule, sizeof R->rule, "highest Calinski-Harabasz index");
        else
            snprintf(R->rule, sizeof R->rule, "lowest Davies-Bouldin index");
    }
    if (!found)
        snprintf(R->rule, sizeof R->rule, "the smallest k (%s undefined for every k)",
                 choose_name[rule]);
    R->chosen = best;
}

/* ---- 5. describing the chosen clusters ------------------------------------------------------ */

typedef struct describe {
    size_t k, T;             /* clusters, entries per top list */
    int64_t *cnt;            /* k x p: postings of the cluster with the skill */
    double *share;           /* k x p */
    const char **top_share;  /* k x T skill names ("" past the end) */
    double *top_share_v;
    const char **top_lift;
    double *top_lift_v;
    char **name;             /* k */
    const char **words;      /* k x T */
    int64_t *words_n;
    double *sal_median;      /* k */
    int64_t *sal_n;
    int64_t *agree;          /* k x (L + 1): last column missing */
    size_t L;
    double ari, nmi;
    int64_t n_compared;
    skm_strmap *vocab;       /* title words */
} describe;

static void describe_free(describe *D)
{
    free(D->cnt);
    free(D->share);
    free(D->top_share);
    free(D->top_share_v);
    free(D->top_lift);
    free(D->top_lift_v);
    if (D->name)
        for (size_t c = 0; c < D->k; ++c)
            free(D->name[c]);
    free(D->name);
    free(D->words);
    free(D->words_n);
    free(D->sal_median);
    free(D->sal_n);
    free(D->agree);
    skm_strmap_free(D->vocab);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The T best of v[0..m) (higher first; ties: lower index), eligible where ok[j] (NULL: all). */
static size_t top_n(const double *v, const uint8_t *ok, size_t m, size_t T, size_t *out)
{
    size_t got = 0;
    for (size_t j = 0; j < m; ++j) {
        if ((ok && !ok[j]) || !(v[j] > 0))
            continue;
        size_t pos = got < T ? got++ : T;
        if (pos == T && !(v[j] > v[out[T - 1]]))
            continue;
        if (pos == T)
            pos = T - 1;
        while (pos > 0 && v[j] > v[out[pos - 1]]) {
            out[pos] = out[pos - 1];
            --pos;
        }
        out[pos] = j;
    }
    return got;
}

/* Title words: ASCII letters and digits plus + # (c++, c#), lower-cased; one- letter words and a
 * few function words dropped. Each title level is split once; a word counts once per posting. */
static int title_word_ids(crun *R, describe *D, int32_t **ids_out, int64_t **off_out)
{
    static const char *const stop[] = {"and", "of", "the", "for", "in", "with", "to", "an",
                                       "at",  "on", "or",  "ii",  "iii", "iv",  "de", "en"};
    int64_t *off = malloc((R->n_title_lev + 1) * sizeof *off);
    skm_buf ids = {0};
    if (!off || !(D->vocab = skm_strmap_alloc())) {
        free(off);
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    }
    int rc = SKM_OK;
    off[0] = 0;
    for (size_t l = 0; l < R->n_title_lev && !rc; ++l) {
        const char *s = R->title_lev[l];
        int32_t seen[64];
        size_t ns = 0;
        while (*s && !rc) {
            char w[64];
            size_t len = 0;
            while (*s && !(isalnum((unsigned char)*s) || *s == '+' || *s == '#'))
                ++s;
            while (*s && (isalnum((unsigned char)*s) || *s == '+' || *s == '#')) {
                if (len < sizeof w - 1)
                    w[len++] = (char)tolower((unsigned char)*s);
                ++s;
            }
            w[len] = 0;
            if (len < 2)
                continue;
            int is_stop = 0;
            for (size_t i = 0; i < sizeof stop / sizeof stop[0]; ++i)
                is_stop |= strcmp(w, stop[i]) == 0;
            if (is_stop)
                continue;
            int32_t id;
            if ((rc = skm_strmap_intern(D->vocab, w, len, &id))) {
                rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
                break;
            }
            int dup = 0;
            for (size_t i = 0; i < ns; ++i)
                dup |= seen[i] == id;
            if (dup || ns == 64)
                continue;
            seen[ns++] = id;
            rc = skm_buf_append(&ids, &id, sizeof id);
        }
        off[l + 1] = (int64_t)(ids.len / sizeof(int32_t));
    }
    if (rc) {
        free(off);
        skm_buf_free(&ids);
        return rc;
    }
    *ids_out = (int32_t *)ids.ptr;
    *off_out = off;
    return SKM_OK;
}

static int describe_clusters(crun *R, describe *D)
{
    const size_t k = (size_t)k_of(R, R->chosen), p = R->p, n = R->n, T = R->P->n_top;
    memset(D, 0, sizeof *D);
    D->k = k;
    D->T = T;
    D->L = R->cmp ? R->n_cmp_lev : 0;
    D->cnt = skm_calloc_array(k * p + 1, sizeof *D->cnt);
    D->share = skm_calloc_array(k * p + 1, sizeof *D->share);
    D->top_share = skm_calloc_array(k * T, sizeof *D->top_share);
    D->top_share_v = skm_malloc_array(k * T, sizeof *D->top_share_v);
    D->top_lift = skm_calloc_array(k * T, sizeof *D->top_lift);
    D->top_lift_v = skm_malloc_array(k * T, sizeof *D->top_lift_v);
    D->name = skm_calloc_array(k, sizeof *D->name);
    D->words = skm_calloc_array(k * T, sizeof *D->words);
    D->words_n = skm_calloc_array(k * T, sizeof *D->words_n);
    D->sal_median = skm_malloc_array(k, sizeof *D->sal_median);
    D->sal_n = skm_calloc_array(k, sizeof *D->sal_n);
    D->agree = skm_calloc_array(k * (D->L + 1), sizeof *D->agree);
    double *v = skm_malloc_array(p + 1, sizeof *v);
    uint8_t *ok = skm_malloc_array(p + 1, 1);
    size_t *idx = skm_malloc_array(T, sizeof *idx);
    double *sal = skm_malloc_array(n + 1, sizeof *sal);
    int64_t *sal_off = skm_calloc_array(k + 1, sizeof *sal_off);
    int32_t *wid = NULL;
    int64_t *woff = NULL, *wcnt = NULL;
    int rc = SKM_OK;
    if (!D->cnt || !D->share || !D->top_share || !D->top_share_v || !D->top_lift ||
        !D->top_lift_v || !D->name || !D->words || !D->words_n || !D->sal_median || !D->sal_n ||
        !D->agree || !v || !ok || !idx || !sal || !sal_off) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory describing the clusters");
        goto done;
    }
    for (size_t r = 0; r < n; ++r) {
        const size_t c = (size_t)R->labels[r];
        for (int64_t e = R->indptr[r]; e < R->indptr[r + 1]; ++e)
            D->cnt[c * p + (size_t)R->indices[e]]++;
    }
    /* shares, lifts, the top lists and the names */
    for (size_t c = 0; c < k; ++c) {
        const double size = (double)R->sizes[c];
        for (size_t j = 0; j < p; ++j)
            D->share[c * p + j] = size > 0 ? (double)D->cnt[c * p + j] / size : 0;
        size_t got = top_n(D->share + c * p, NULL, p, T, idx);
        for (size_t t = 0; t < T; ++t) {
            D->top_share[c * T + t] = t < got ? skm_store_skill_name(R->st, (int64_t)idx[t]) : "";
            D->top_share_v[c * T + t] = t < got ? D->share[c * p + idx[t]] : NAN;
        }
        /* lift over the whole market, above 1, for skills held by >= 5 % of the cluster and
         * >= 3 of its postings (a rare skill's lift is noise) */
        for (size_t j = 0; j < p; ++j) {
            const double overall = (double)R->df[j] / (double)n;
            v[j] = overall > 0 ? D->share[c * p + j] / overall : 0;
            ok[j] = D->cnt[c * p + j] >= 3 && D->share[c * p + j] >= 0.05 && v[j] > 1;
        }
        got = top_n(v, ok, p, T, idx);
        skm_buf nm = {0};
        for (size_t t = 0; t < T; ++t) {
            D->top_lift[c * T + t] = t < got ? skm_store_skill_name(R->st, (int64_t)idx[t]) : "";
            D->top_lift_v[c * T + t] = t < got ? v[idx[t]] : NAN;
            if (t < got && t < 3 && skm_buf_printf(&nm, "%s%s", t ? " / " : "",
                                                   D->top_lift[c * T + t])) {
                rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
                break;
            }
        }
        if (!rc && !nm.ptr && skm_buf_printf(&nm, "%s", got ? "" : D->top_share[c * T]))
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        if (rc) {
            skm_buf_free(&nm);
            goto done;
        }
        D->name[c] = nm.ptr ? nm.ptr : skm_strdup("");
    }
    /* median annual salary */
    for (size_t r = 0; r < n; ++r)
        if (isfinite(R->salary[r]) && R->salary[r] > 0)
            sal_off[R->labels[r] + 1]++;
    for (size_t c = 0; c < k; ++c) {
        D->sal_n[c] = sal_off[c + 1];
        sal_off[c + 1] += sal_off[c];
    }
    {
        int64_t *pos = sal_off; /* filled in place, then restored from the counts */
        for (size_t r = 0; r < n; ++r)
            if (isfinite(R->salary[r]) && R->salary[r] > 0)
                sal[pos[R->labels[r]]++] = R->salary[r];
        for (size_t c = k; c > 0; --c)
            pos[c] = pos[c - 1];
        pos[0] = 0;
        for (size_t c = 0; c < k; ++c) {
            double *x = sal + sal_off[c];
            const size_t m = (size_t)D->sal_n[c];
            qsort(x, m, sizeof *x, cmp_double);
            D->sal_median[c] = m == 0 ? NAN : m % 2 ? x[m / 2] : (x[m / 2 - 1] + x[m / 2]) / 2;
        }
    }
    /* title words */
    if (R->title) {
        if ((rc = title_word_ids(R, D, &wid, &woff)))
            goto done;
        const size_t W = skm_strmap_size(D->vocab);
        if (!(wcnt = skm_calloc_array(k * W + 1, sizeof *wcnt))) {
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory for the title words");
            goto done;
        }
        for (size_t r = 0; r < n; ++r)
            if (R->title[r] >= 0)
                for (int64_t e = woff[R->title[r]]; e < woff[R->title[r] + 1]; ++e)
                    wcnt[(size_t)R->labels[r] * W + (size_t)wid[e]]++;
        double *wv = skm_malloc_array(W + 1, sizeof *wv);
        size_t *widx = skm_malloc_array(T, sizeof *widx);
        if (!wv || !widx) {
            free(wv);
            free(widx);
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t c = 0; c < k; ++c) {
            for (size_t w = 0; w < W; ++w)
                wv[w] = (double)wcnt[c * W + w];
            const size_t got = top_n(wv, NULL, W, T, widx);
            for (size_t t = 0; t < T; ++t) {
                D->words[c * T + t] = t < got ? skm_strmap_str(D->vocab, (int32_t)widx[t]) : "";
                D->words_n[c * T + t] = t < got ? wcnt[c * W + widx[t]] : 0;
            }
        }
        free(wv);
        free(widx);
    }
    /* agreement with the compared column */
    if (R->cmp) {
        const size_t L1 = D->L + 1;
        for (size_t r = 0; r < n; ++r)
            D->agree[(size_t)R->labels[r] * L1 + (R->cmp[r] >= 0 ? (size_t)R->cmp[r] : D->L)]++;
        /* ARI and NMI over the rows with a value: the table without its last column */
        int64_t *t2 = skm_malloc_array(k * D->L + 1, sizeof *t2);
        if (!t2) {
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        D->n_compared = 0;
        for (size_t c = 0; c < k; ++c)
            for (size_t l = 0; l < D->L; ++l) {
                t2[c * D->L + l] = D->agree[c * L1 + l];
                D->n_compared += t2[c * D->L + l];
            }
        D->ari = skm_ari(t2, k, D->L);
        D->nmi = skm_nmi(t2, k, D->L);
        free(t2);
    } else {
        D->ari = D->nmi = NAN;
    }
done:
    free(v);
    free(ok);
    free(idx);
    free(sal);
    free(sal_off);
    free(wid);
    free(woff);
    free(wcnt);
    return rc;
}

/* ---- writing ------------------------------------------------------------------------------ */

static int write_results(crun *R, const describe *D, const char *out_path, double t0)
{
    const skm_cluster_params *P = R->P;
    skm_ctx *ctx = R->ctx;
    const size_t k = D->k, p = R->p, T = D->T, nk = R->nk;
    skm_h5_out o;
    hid_t g = -1, gs = -1, ga = -1;
    int32_t *lab = skm_malloc_array((size_t)R->n_postings + 1, sizeof *lab);
    const char **skills = skm_malloc_array(p + 1, sizeof *skills);
    const char **levels = skm_malloc_array(D->L + 2, sizeof *levels);
    int64_t *kv = skm_malloc_array(nk, sizeof *kv);
    if (!lab || !skills || !levels || !kv) {
        free(lab);
        free(skills);
        free(levels);
        free(kv);
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    }
    for (int64_t r = 0; r < R->n_postings; ++r)
        lab[r] = -1;
    for (size_t r = 0; r < R->n; ++r)
        lab[R->row[r]] = R->labels[r];
    for (size_t j = 0; j < p; ++j)
        skills[j] = skm_store_skill_name(R->st, (int64_t)j);
    for (size_t l = 0; l < D->L; ++l)
        levels[l] = R->cmp_lev[l];
    levels[D->L] = "(missing)";
    for (size_t q = 0; q < nk; ++q)
        kv[q] = k_of(R, q);
    int rc = skm_h5_out_create_results(ctx, out_path, "clusters", &o);
    if (rc)
        goto out;
    const hid_t S = o.t_str, F64 = H5T_IEEE_F64LE, D64 = H5T_NATIVE_DOUBLE, I64 = H5T_STD_I64LE,
                N64 = H5T_NATIVE_INT64;
    if ((rc = skm_h5_create_group(&o, o.file, "clusters", CG,
                                  "Role types: k-means clusters of postings by their skills "
                                  "(skillmat cluster)",
                                  &g)) ||
        (rc = skm_h5_write_child(
             &o, g, CG, "labels", H5T_STD_I32LE, H5T_NATIVE_INT32, (size_t)R->n_postings, 0, lab,
             "Cluster of each posting (row of /matrix) for the chosen k; -1: the "
             "posting has no skills (not clustered)",
             NULL)) ||
        (rc = skm_h5_write_child(
             &o, g, CG, "skills", S, S, p, 0, skills,
             "Skill axis of centroids and skill_share (= /skills/name of the store)", NULL)) ||
        (rc = skm_h5_write_child(
             &o, g, CG, "centroids", F64, D64, k, p, R->C[R->chosen],
             "Centroids (k x p) in the weighted space (attribute weighting); unit "
             "length for the cosine metric",
             NULL)) ||
        (rc = skm_h5_write_child(&o, g, CG, "sizes", I64, N64, k, 0, R->sizes,
                                 "Postings per cluster", "postings")) ||
        (rc = skm_h5_write_child(&o, g, CG, "skill_share", F64, D64, k, p, D->share,
                                 "Share of the cluster's postings that list each skill (k x p)",
                                 NULL)) ||
        (rc = skm_h5_write_child(
             &o, g, CG, "names", S, S, k, 0, D->name,
             "Short name: the cluster's top three skills by lift, ' / ' between", NULL)) ||
        (rc = skm_h5_write_child(
             &o, g, CG, "top_skills_share", S, S, k, T, D->top_share,
             "The skills most postings of the cluster list (k x top), \"\" past the "
             "end",
             NULL)) ||
        (rc = skm_h5_write_child(
             &o, g, CG, "top_skills_share_value", F64, D64, k, T, D->top_share_v,
             "Their shares of the cluster's postings; NaN past the end", NULL)) ||
        (rc =
             skm_h5_write_child(&o, g, CG, "top_skills_lift", S, S, k, T, D->top_lift,
                                "The skills that set the cluster apart: highest lift (share in the "
                                "cluster / share in all clustered postings) above 1, among skills "
                                "listed by at least 5 % and 3 of the cluster's postings (k x top), "
                                "\"\" past the end",
                                NULL)) ||
        (rc = skm_h5_write_child(&o, g, CG, "top_skills_lift_value", F64, D64, k, T, D->top_lift_v,
                                 "Their lifts; NaN past the end", NULL)) ||
        (rc = skm_h5_write_child(
             &o, g, CG, "title_words", S, S, k, T, D->words,
             "Commonest words of the cluster's job titles (lower-cased; one-letter "
             "and function words left out), \"\" past the end",
             NULL)) ||
        (rc = skm_h5_write_child(&o, g, CG, "title_words_count", I64, N64, k, T, D->words_n,
                                 "Postings of the cluster whose title has the word", "postings")) ||
        (rc =
             skm_h5_write_child(&o, g, CG, "salary_median", F64, D64, k, 0, D->sal_median,
                                "Median annualised salary of the cluster's postings with one (NaN: "
                                "none)",
                                "currency as given in the input, per year")) ||
        (rc = skm_h5_write_child(&o, g, CG, "salary_count", I64, N64, k, 0, D->sal_n,
                                 "Postings of the cluster with an annualised salary", "postings")))
        goto out;
    /* scores over the k range */
    if ((rc = skm_h5_create_group(&o, g, "scores", CG "/scores",
                                  "One entry per k of the range: the kept restart's objective "
                                  "and the validity and stability scores",
                                  &gs)) ||
        (rc = skm_h5_write_child(&o, gs, CG "/scores", "k", I64, N64, nk, 0, kv,
                                 "Number of clusters", NULL)) ||
        (rc = skm_h5_write_child(
             &o, gs, CG "/scores", "objective", F64, D64, nk, 0, R->objective,
             "k-means objective of the kept restart: sum of squared distances to "
             "the centroids (euclidean; scikit-learn's inertia) or of 1 - cosine "
             "similarity to them (cosine); the elbow plot",
             NULL)) ||
        (rc = skm_h5_write_child(&o, gs, CG "/scores", "silhouette", F64, D64, nk, 0, R->silhouette,
                                 "Mean silhouette on the sample (sample_rows), Euclidean or cosine "
                                 "distance as the metric; higher is better",
                                 NULL)) ||
        (rc =
             skm_h5_write_child(&o, gs, CG "/scores", "calinski_harabasz", F64, D64, nk, 0, R->ch,
                                "Calinski-Harabasz index on all clustered postings (weighted rows, "
                                "cluster means); higher is better",
                                NULL)) ||
        (rc = skm_h5_write_child(&o, gs, CG "/scores", "davies_bouldin", F64, D64, nk, 0, R->db,
                                 "Davies-Bouldin index on all clustered postings; lower is better",
                                 NULL)) ||
        (rc = skm_h5_write_child(
             &o, gs, CG "/scores", "ari_restarts_mean", F64, D64, nk, 0, R->ari_mean,
             "Stability: mean adjusted Rand index over the pairs of restarts (NaN "
             "with one restart)",
             NULL)) ||
        (rc = skm_h5_write_child(
             &o, gs, CG "/scores", "ari_restarts_min", F64, D64, nk, 0, R->ari_min,
             "Stability: lowest adjusted Rand index over the pairs of restarts", NULL)) ||
        (rc = skm_h5_write_child(&o, gs, CG "/scores", "iterations", I64, N64, nk, 0, R->iters,
                                 "Lloyd iterations of the kept restart", NULL)) ||
        (rc = skm_h5_write_child(&o, gs, CG "/scores", "reseeded", I64, N64, nk, 0, R->reseeded,
                                 "Empty clusters re-seeded in the kept restart", NULL)) ||
        (rc = skm_h5_write_child(&o, gs, CG "/scores", "seconds", F64, D64, nk, 0, R->seconds,
                                 "Wall time of every restart of this k", "s")))
        goto out;
    {
        int64_t *srow = skm_malloc_array(R->s + 1, sizeof *srow);
        if (!srow) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < R->s; ++i)
            srow[i] = R->row[R->sample[i]];
        rc = skm_h5_write_child(&o, gs, CG "/scores", "sample_rows", I64, N64, R->s, 0, srow,
                                "Rows of /matrix in the silhouette sample (increasing)", NULL);
        free(srow);
        if (rc)
            goto out;
    }
    if ((rc = skm_h5_out_attr_i64(&o, gs, CG "/scores", "chosen_k", k_of(R, R->chosen))) ||
        (rc = skm_h5_out_attr_str(&o, gs, CG "/scores", "rule", R->rule)))
        goto out;
    /* agreement */
    if (R->cmp) {
        if ((rc = skm_h5_create_group(&o, g, "agreement", CG "/agreement",
                                      "The clusters against the compared column (attribute "
                                      "column): contingency table, ARI, NMI",
                                      &ga)) ||
            (rc = skm_h5_write_child(&o, ga, CG "/agreement", "levels", S, S, D->L + 1, 0, levels,
                                     "Levels of the compared column, then \"(missing)\"", NULL)) ||
            (rc = skm_h5_write_child(
                 &o, ga, CG "/agreement", "contingency", I64, N64, k, D->L + 1, D->agree,
                 "Postings per (cluster, level) (k x levels); the last column counts "
                 "postings with no value",
                 "postings")) ||
            (rc = skm_h5_out_attr_str(&o, ga, CG "/agreement", "column", P->compare)) ||
            (rc = skm_h5_out_attr_f64(&o, ga, CG "/agreement", "ari", D->ari)) ||
            (rc = skm_h5_out_attr_f64(&o, ga, CG "/agreement", "nmi", D->nmi)) ||
            (rc = skm_h5_out_attr_i64(&o, ga, CG "/agreement", "n", D->n_compared)))
            goto out;
    }
    const size_t q = R->chosen;
#define AI(name, v) skm_h5_out_attr_i64(&o, g, CG, name, (int64_t)(v))
#define AF(name, v) skm_h5_out_attr_f64(&o, g, CG, name, (double)(v))
#define AS(name, v) skm_h5_out_attr_str(&o, g, CG, name, v)
    if ((rc = AI("k", k)) || (rc = AI("k_min", P->k_min)) || (rc = AI("k_max", P->k_max)) ||
        (rc = AS("rule", R->rule)) || (rc = AS("metric", metric_name[R->metric])) ||
        (rc = AS("weighting", weight_name[R->weighting])) ||
        (rc = AS("algorithm", R->metric == SKM_METRIC_COSINE
                                  ? "spherical k-means (unit rows, normalised mean centroids), "
                                    "greedy k-means++ seeding"
                                  : "Lloyd k-means, greedy k-means++ seeding")) ||
        (rc = AI("n_postings", R->n_postings)) || (rc = AI("n_clustered", R->n)) ||
        (rc = AI("n_no_skills", R->n_postings - (int64_t)R->n)) || (rc = AI("n_skills", p)) ||
        (rc = AF("objective", R->objective[q])) || (rc = AF("silhouette", R->silhouette[q])) ||
        (rc = AF("calinski_harabasz", R->ch[q])) || (rc = AF("davies_bouldin", R->db[q])) ||
        (rc = AF("ari_restarts_mean", R->ari_mean[q])) || (rc = AI("iterations", R->iters[q])) ||
        (rc = AI("seed", (int64_t)P->seed)) || (rc = AI("restarts", P->restarts)) ||
        (rc = AI("max_iter", P->max_iter)) || (rc = AF("tol", P->tol)) ||
        (rc = AS("choose", choose_name[P->choose])) || (rc = AI("top", (int64_t)P->n_top)) ||
        (rc = AI("sample", R->s)) || (rc = AS("compare", R->cmp ? P->compare : "")) ||
        (rc = AI("threads", R->threads)) || (rc = AI("memory_mib", (int64_t)P->memory_mib)) ||
        (rc = AS("isa", skm_isa())) || (rc = AF("seconds", skm_now() - t0)) ||
        (rc = skm_h5_out_attr_provenance(&o, g, CG, R->st, R->store_path, P->command_line)))
        goto out;
#undef AI
#undef AF
#undef AS
    skm_h5_close(ga);
    skm_h5_close(gs);
    skm_h5_close(g);
    ga = gs = g = -1;
    rc = skm_h5_out_commit(&o);
out:
    skm_h5_close(ga);
    skm_h5_close(gs);
    skm_h5_close(g);
    skm_h5_out_abort(&o);
    free(lab);
    free(skills);
    free(levels);
    free(kv);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

static void crun_free(crun *R)
{
    free(R->row);
    free(R->indptr);
    free(R->indices);
    free(R->counts);
    free(R->values);
    free(R->sqnorm);
    free(R->df);
    free(R->title);
    free(R->cmp);
    free(R->salary);
    free(R->title_lev);
    free(R->cmp_lev);
    free(R->objective);
    if (R->C)
        for (size_t q = 0; q < R->nk; ++q)
            free(R->C[q]);
    free(R->C);
    if (R->slab)
        for (size_t q = 0; q < R->nk; ++q)
            free(R->slab[q]);
    free(R->slab);
    free(R->sample);
    free(R->labels);
    free(R->sizes);
    if (R->st)
        skm_store_close(R->st);
}

int skm_cluster(skm_ctx *ctx, const char *store_path, const char *out_path,
                const skm_cluster_params *params)
{
    if (!ctx)
        return SKM_EINVAL;
    if (!store_path || !out_path || !params)
        return skm_error(ctx, SKM_EINVAL, "cluster: no store, output or parameters");
    int rc = check_params(ctx, params);
    if (rc)
        return rc;
    const double t0 = skm_now();
    crun R;
    memset(&R, 0, sizeof R);
    R.ctx = ctx;
    R.P = params;
    R.store_path = store_path;
    R.threads = params->threads > 0 ? params->threads : skm_cpu_count();
    R.metric = params->metric;
    R.weighting = params->weighting != SKM_WEIGHT_DEFAULT ? params->weighting
                  : params->metric == SKM_METRIC_COSINE ? SKM_WEIGHT_TFIDF
                                                        : SKM_WEIGHT_BINARY;
    R.nk = (size_t)(params->k_max - params->k_min + 1);
    describe D;
    memset(&D, 0, sizeof D);
    if ((rc = skm_store_open(ctx, store_path, &R.st)))
        return rc;
    R.n_postings = skm_store_n_rows(R.st);
    R.p = (size_t)skm_store_n_cols(R.st);
    /* memory: the rows (indices, counts, values), per-posting arrays, restart labels */
    {
        const double nnz = (double)skm_store_nnz(R.st), n = (double)R.n_postings;
        const double need = nnz * 12 + n * (64 + 4.0 * params->restarts) +
                            (double)R.nk * (double)R.p * 8 * (params->k_max + 1) +
                            (double)params->k_max * (double)R.p * 8 * 6 * R.threads;
        if (need > (double)params->memory_mib * 1048576.0) {
            rc = skm_error(ctx, SKM_ELIMIT,
                           "clustering %lld postings (%.0f skill entries) with %d restarts "
                           "needs about %.0f MiB in memory; the budget is %zu MiB (--memory)",
                           (long long)R.n_postings, nnz, params->restarts, need / 1048576.0,
                           params->memory_mib);
            goto done;
        }
    }
    if (params->compare && *params->compare &&
        (rc = load_levels(&R, params->compare, &R.cmp_lev, &R.n_cmp_lev, 1)))
        goto done;
    if ((rc = load_levels(&R, "title", &R.title_lev, &R.n_title_lev, 0)) || (rc = load(&R)))
        goto done;
    if (R.n == 0) {
        rc = skm_error(ctx, SKM_EINVAL, "%s: no posting has a skill: nothing to cluster",
                       store_path);
        goto done;
    }
    if ((size_t)params->k_max > R.n) {
        rc = skm_error(ctx, SKM_EINVAL,
                       "k = %d is more than the %zu postings with skills in %s", params->k_max,
                       R.n, store_path);
        goto done;
    }
    if ((rc = weigh(&R)))
        goto done;
    skm_log(ctx, SKM_LOG_INFO,
            "cluster: %zu of %lld postings have skills (%lld skill entries, %zu skills); %s "
            "metric, %s rows, k %d..%d, %d restarts",
            R.n, (long long)R.n_postings, (long long)R.indptr[R.n], R.p,
            metric_name[R.metric], weight_name[R.weighting], params->k_min, params->k_max,
            params->restarts);
    const size_t nk = R.nk;
    R.objective = calloc(nk * 7 + 1, sizeof *R.objective);
    R.C = calloc(nk, sizeof *R.C);
    R.slab = calloc(nk, sizeof *R.slab);
    R.reseeded = calloc(2 * nk + 1, sizeof *R.reseeded);
    if (!R.objective || !R.C || !R.slab || !R.reseeded) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    R.silhouette = R.objective + nk;
    R.ch = R.silhouette + nk;
    R.db = R.ch + nk;
    R.ari_mean = R.db + nk;
    R.ari_min = R.ari_mean + nk;
    R.seconds = R.ari_min + nk;
    R.iters = R.reseeded + nk;
    if ((rc = draw_sample(&R)) || (rc = sweep(&R)))
        goto done;
    choose_k(&R);
    const size_t k = (size_t)k_of(&R, R.chosen);
    R.labels = skm_malloc_array(R.n + 1, sizeof *R.labels);
    R.sizes = skm_calloc_array(k, sizeof *R.sizes);
    if (!R.labels || !R.sizes) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = skm_km_assign(ctx, &R.data, k, R.C[R.chosen], R.labels, NULL, R.sizes, NULL)) ||
        (rc = describe_clusters(&R, &D)) || (rc = write_results(&R, &D, out_path, t0)))
        goto done;
    skm_log(ctx, SKM_LOG_INFO, "cluster: k = %zu chosen (%s); %.2f s", k, R.rule,
            skm_now() - t0);
done:
    describe_free(&D);
    free(R.reseeded);
    crun_free(&R);
    return rc;
}
