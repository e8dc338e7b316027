/*
 * regress.c — `skillmat regress`: log annual salary on skill indicators, groups of skills,
 * categorical controls and absorbed fixed effects; premiums with classical, HC1 and
 * cluster-robust standard errors, written under /regression of a results file
 * (docs/hdf5-schema.md).
 *
 * Plan
 *   1. One pass over the store in row blocks keeps the postings with a usable salary (finite,
 *      > 0): their skill lists, ln salary, and the codes of the categorical columns named by
 *      --controls, --absorb, the cluster column and company/title for the decomposition.
 *   2. The design (regress_impl.h): skills with support >= min_support (members of a --group
 *      enter through the group's indicator instead), group indicators, one dummy per non-base
 *      level of each control (base: the most frequent level; a missing value is a level of its
 *      own, "(missing)"). Column order: skills (store order), groups, controls.
 *   3. The fit (fit.c) with the requested absorbed columns; with --group, also the
 *      decomposition fits (nothing absorbed, company, title, both).
 *   4. t, p (Student t), confidence intervals and premiums from the primary standard error
 *      (cluster, else HC1, else classical); BH q-values over the skill and group terms.
 *   5. The results file is written atomically (h5out.h), keeping its other groups.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <hdf5.h>

#include "../cooccur/measures.h"
#include "../core/core.h"
#include "../h5/h5out.h"
#include "../h5/h5util.h"
#include "../ingest/fields.h"
#include "regress_impl.h"

skm_regress_params skm_regress_params_default(void)
{
    skm_regress_params p;
    memset(&p, 0, sizeof p);
    p.min_support = 30;
    p.se = SKM_SE_CLASSICAL | SKM_SE_HC1 | SKM_SE_CLUSTER;
    p.decompose = 1;
    p.alpha = 0.05;
    p.fe_tol = 1e-12;
    p.fe_max_iter = 10000;
    p.memory_mib = 4096;
    p.block_rows = 65536;
    return p;
}

/* A categorical column of /postings, coded over the rows used. */
typedef struct catcol {
    char *name;
    char **lev;         /* level names by code (the store's table, or the integers); freed */
    int lev_block;      /* lev is one block from skm_store_read_levels (else each string) */
    size_t n_lev;
    int32_t *code;      /* n_used: code in [0, n_lev), -1 missing */
    /* integer columns without a level table: distinct values -> codes */
    int64_t *vals;
    size_t n_vals;
} catcol;

typedef struct control {
    int col;            /* index into run.cols */
    int32_t base;       /* base level code (n_lev: "(missing)") */
    int64_t *count;     /* n_lev + 1: rows per level, missing last */
    int32_t *dummy;     /* n_lev + 1: design column of the level, -1 for the base or absent */
} control;

typedef struct group {
    char *name;
    int32_t *members;   /* store skill indices */
    size_t n_members;
} group;

typedef struct run {
    skm_ctx *ctx;
    const skm_regress_params *P;
    skm_store *st;
    const char *store_path;
    int64_t n_postings, p;
    int64_t n_no_salary, n_nonpos;
    int threads;
    /* categorical columns loaded */
    catcol cols[SKM_REG_MAX_COLS];
    int n_cols;
    int absorb_col[SKM_REG_MAX_ABSORB], n_absorb;
    int cluster_col;            /* -1: none */
    int company_col, title_col; /* -1: not in the store (decomposition) */
    control ctl[SKM_REG_MAX_COLS - 4];
    int n_ctl;
    group *grp;
    size_t n_grp;
    /* used rows: raw skill lists (store indices, presence) */
    size_t n;
    int64_t *raw_indptr;
    int32_t *raw_idx;
    size_t raw_cap;
    double *y;
    /* skills */
    int64_t *support;           /* p: used rows with the skill */
    int32_t *skill_col;         /* p: design column, -1 left out (below support or a member) */
    int8_t *member;             /* p: member of some group */
    /* the design */
    skm_reg_design d;
    char **term_name;           /* nk terms of the main fit (intercept first when there is one) */
    const char **term_kind;
    int64_t *term_support;
} run;

/* ---- options --------------------------------------------------------------------------- */

/* Split a comma-separated list into trimmed, non-empty items (at most max). On an error nothing
 * is left allocated (*n = 0). */
static int split_list(skm_ctx *ctx, const char *opt, const char *s, char **items, int max,
                      int *n)
{
    *n = 0;
    if (!s)
        return SKM_OK;
    const char *p = s;
    int rc = SKM_OK;
    while (*p && !rc) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            ++p, --len;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            --len;
        if (len == 0)
            rc = skm_error(ctx, SKM_EINVAL, "%s: empty item in '%s'", opt, s);
        else if (*n == max)
            rc = skm_error(ctx, SKM_EINVAL, "%s: at most %d items ('%s')", opt, max, s);
        else if (!(items[*n] = skm_strndup(p, len)))
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        else
            ++*n;
        if (!e)
            break;
        p = e + 1;
    }
    if (rc) {
        for (int i = 0; i < *n; ++i)
            free(items[i]);
        *n = 0;
    }
    return rc;
}

static int find_col(run *R, const char *name)
{
    for (int c = 0; c < R->n_cols; ++c)
        if (strcmp(R->cols[c].name, name) == 0)
            return c;
    return -1;
}

/* Register a categorical column (once); SKM_ENOTFOUND (recorded) when the store lacks it unless
 * optional, then *col = -1. */
static int add_col(run *R, const char *name, int optional, int *col)
{
    *col = find_col(R, name);
    if (*col >= 0)
        return SKM_OK;
    if (R->n_cols == (int)(sizeof R->cols / sizeof R->cols[0]))
        return skm_error(R->ctx, SKM_EINVAL, "too many categorical columns");
    int32_t probe;
    int rc = R->n_postings > 0 ? skm_store_read_column(R->st, name, 0, 1, SKM_TYPE_I32, &probe)
                               : SKM_OK;
    if (rc == SKM_ENOTFOUND && optional)
        return SKM_OK;
    if (rc)
        return rc;
    catcol *c = &R->cols[R->n_cols];
    memset(c, 0, sizeof *c);
    if (!(c->name = skm_strdup(name)))
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    rc = skm_store_read_levels(R->st, name, &c->lev, &c->n_lev);
    if (rc == SKM_OK)
        c->lev_block = 1;
    else if (rc != SKM_ENOTFOUND)
        return rc;
    if (!(c->code = malloc(((size_t)R->n_postings + 1) * sizeof *c->code)))
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    *col = R->n_cols++;
    return SKM_OK;
}

/* Code of an integer value of a column without a level table. */
static int code_of_value(run *R, catcol *c, int64_t v, int32_t *code)
{
    for (size_t i = 0; i < c->n_vals; ++i)
        if (c->vals[i] == v) {
            *code = (int32_t)i;
            return SKM_OK;
        }
    if (c->n_vals >= 10000)
        return skm_error(R->ctx, SKM_EINVAL,
                         "/postings/%s has more than 10,000 distinct values and no level table: "
                         "not a categorical column",
                         c->name);
    int64_t *nv = realloc(c->vals, (c->n_vals + 1) * sizeof *nv);
    if (!nv)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    c->vals = nv;
    c->vals[c->n_vals] = v;
    *code = (int32_t)c->n_vals++;
    return SKM_OK;
}

static int parse_groups(run *R)
{
    const skm_regress_params *P = R->P;
    if (P->n_groups == 0)
        return SKM_OK;
    if (!(R->grp = calloc(P->n_groups, sizeof *R->grp)))
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    R->n_grp = P->n_groups;
    for (size_t g = 0; g < P->n_groups; ++g) {
        const char *spec = P->groups[g], *eq = strchr(spec, '=');
        if (!eq || eq == spec || !eq[1])
            return skm_error(R->ctx, SKM_EINVAL,
                             "--group '%s': expected NAME=skill,skill,... (e.g. "
                             "ai=pytorch,tensorflow)",
                             spec);
        if (!(R->grp[g].name = skm_strndup(spec, (size_t)(eq - spec))))
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        for (size_t h = 0; h < g; ++h)
            if (strcmp(R->grp[h].name, R->grp[g].name) == 0)
                return skm_error(R->ctx, SKM_EINVAL, "--group '%s' given twice", R->grp[g].name);
        char *items[512];
        int ni = 0;
        int rc = split_list(R->ctx, "--group", eq + 1, items, 512, &ni);
        if (!rc && !(R->grp[g].members = malloc((size_t)(ni ? ni : 1) * sizeof(int32_t))))
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        for (int i = 0; i < ni && !rc; ++i) {
            skm_buf nb = {0};
            if (skm_skill_normalise(items[i], strlen(items[i]), &nb) != SKM_OK) {
                rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
                break;
            }
            const char *key = nb.ptr ? nb.ptr : "";
            int64_t j = -1;
            for (int64_t s = 0; s < R->p && j < 0; ++s)
                if (strcmp(skm_store_skill_name(R->st, s), key) == 0)
                    j = s;
            if (j < 0)
                rc = skm_error(R->ctx, SKM_EINVAL, "--group %s: no skill '%s' in %s /skills/name",
                               R->grp[g].name, key, R->store_path);
            else {
                if (R->member[j])
                    rc = skm_error(R->ctx, SKM_EINVAL,
                                   "--group %s: skill '%s' is already in a group (groups must "
                                   "not overlap)",
                                   R->grp[g].name, key);
                R->member[j] = 1;
                R->grp[g].members[R->grp[g].n_members++] = (int32_t)j;
            }
            skm_buf_free(&nb);
        }
        for (int i = 0; i < ni; ++i)
            free(items[i]);
        if (rc)
            return rc;
    }
    return SKM_OK;
}

/* ---- 1. the pass over the store --------------------------------------------------------- */

static int load(run *R)
{
    const size_t B = R->P->block_rows;
    skm_csr_block *blk = skm_csr_block_alloc(B, B * 16);
    double *sal = malloc(B * sizeof *sal);
    int32_t *tmp = malloc(B * sizeof *tmp);
    size_t cap = (size_t)R->n_postings + 1;
    R->raw_indptr = malloc((cap + 1) * sizeof *R->raw_indptr);
    R->y = malloc(cap * sizeof *R->y);
    int rc = SKM_OK;
    if (!blk || !sal || !tmp || !R->raw_indptr || !R->y) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory reading the store");
        goto done;
    }
    R->raw_indptr[0] = 0;
    size_t n = 0, nnz = 0;
    int8_t *used = malloc(B);
    if (!used) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    for (int64_t r0 = 0; r0 < R->n_postings && !rc; r0 += (int64_t)B) {
        size_t nr = (size_t)(R->n_postings - r0) < B ? (size_t)(R->n_postings - r0) : B;
        if ((rc = skm_store_read_block(R->st, r0, nr, blk)) ||
            (rc = skm_store_read_column(R->st, "salary_annual", r0, nr, SKM_TYPE_F64, sal)))
            break;
        size_t n_before = n;
        for (size_t i = 0; i < nr; ++i) {
            used[i] = 0;
            if (isnan(sal[i]))
                R->n_no_salary++;
            else if (!(sal[i] > 0) || !isfinite(sal[i]))
                R->n_nonpos++;
            else {
                used[i] = 1;
                size_t len = (size_t)(blk->indptr[i + 1] - blk->indptr[i]);
                if (nnz + len > R->raw_cap) {
                    size_t nc = R->raw_cap ? R->raw_cap * 2 : 1 << 20;
                    while (nc < nnz + len)
                        nc *= 2;
                    int32_t *ni = realloc(R->raw_idx, nc * sizeof *ni);
                    if (!ni) {
                        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory reading the store");
                        break;
                    }
                    R->raw_idx = ni;
                    R->raw_cap = nc;
                }
                if (len) /* raw_idx is still NULL when the first rows list no skills */
                    memcpy(R->raw_idx + nnz, blk->indices + blk->indptr[i],
                           len * sizeof(int32_t));
                nnz += len;
                R->y[n] = log(sal[i]);
                R->raw_indptr[++n] = (int64_t)nnz;
            }
        }
        for (int c = 0; c < R->n_cols && !rc; ++c) {
            catcol *cc = &R->cols[c];
            if ((rc = skm_store_read_column(R->st, cc->name, r0, nr, SKM_TYPE_I32, tmp)))
                break;
            size_t w = n_before;
            for (size_t i = 0; i < nr && !rc; ++i) {
                if (!used[i])
                    continue;
                int32_t v = tmp[i], code = -1;
                if (cc->lev_block) {
                    if (v >= (int64_t)cc->n_lev || v < -1)
                        rc = skm_error(R->ctx, SKM_EFORMAT,
                                       "%s: /postings/%s[%lld] = %d is outside its level table "
                                       "(%zu levels)",
                                       R->store_path, cc->name, (long long)(r0 + (int64_t)i),
                                       (int)v, cc->n_lev);
                    code = v;
                } else if (v >= 0) { /* negative: missing (remote: -1 unknown) */
                    rc = code_of_value(R, cc, v, &code);
                }
                cc->code[w++] = code;
            }
        }
        if (!rc && skm_interrupted(R->ctx))
            rc = skm_error(R->ctx, SKM_EINTERRUPT, "interrupted");
    }
    free(used);
    R->n = n;
    /* level names of integer columns: their values */
    for (int c = 0; c < R->n_cols && !rc; ++c) {
        catcol *cc = &R->cols[c];
        if (cc->lev_block)
            continue;
        /* sort the values, recode */
        int32_t *perm = malloc((cc->n_vals + 1) * sizeof *perm);
        int32_t *inv = malloc((cc->n_vals + 1) * sizeof *inv);
        cc->lev = calloc(cc->n_vals + 1, sizeof *cc->lev);
        if (!perm || !inv || !cc->lev) {
            free(perm);
            free(inv);
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < cc->n_vals; ++i)
            perm[i] = (int32_t)i;
        for (size_t i = 1; i < cc->n_vals; ++i) /* few values: insertion sort */
            for (size_t j = i; j > 0 && cc->vals[perm[j - 1]] > cc->vals[perm[j]]; --j) {
                int32_t t = perm[j];
                perm[j] = perm[j - 1];
                perm[j - 1] = t;
            }
        for (size_t i = 0; i < cc->n_vals; ++i) {
            inv[perm[i]] = (int32_t)i;
            char buf[32];
            snprintf(buf, sizeof buf, "%lld", (long long)cc->vals[perm[i]]);
            if (!(cc->lev[i] = skm_strdup(buf)))
                rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        }
        cc->n_lev = cc->n_vals;
        for (size_t i = 0; i < n; ++i)
            if (cc->code[i] >= 0)
                cc->code[i] = inv[cc->code[i]];
        free(perm);
        free(inv);
    }
done:
    skm_csr_block_free(blk);
    free(sal);
    free(tmp);
    return rc;
}

/* ---- 2. the design ------------------------------------------------------------------------ */

static int build_design(run *R)
{
    const int64_t p = R->p;
    const size_t n = R->n;
    int rc = SKM_OK;
    R->support = calloc((size_t)p + 1, sizeof *R->support);
    R->skill_col = malloc(((size_t)p + 1) * sizeof *R->skill_col);
    if (!R->support || !R->skill_col)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    for (size_t q = 0; q < (size_t)R->raw_indptr[n]; ++q)
        R->support[R->raw_idx[q]]++;
    int k = 0;
    for (int64_t j = 0; j < p; ++j)
        R->skill_col[j] = !R->member[j] && R->support[j] >= R->P->min_support ? k++ : -1;
    const int k_skills = k;
    k += (int)R->n_grp;
    /* controls: base level = most frequent (ties: first; missing counts as the last level) */
    for (int c = 0; c < R->n_ctl; ++c) {
        control *ct = &R->ctl[c];
        catcol *cc = &R->cols[ct->col];
        const size_t L = cc->n_lev + 1;
        ct->count = calloc(L, sizeof *ct->count);
        ct->dummy = malloc(L * sizeof *ct->dummy);
        if (!ct->count || !ct->dummy)
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; ++i)
            ct->count[cc->code[i] < 0 ? cc->n_lev : (size_t)cc->code[i]]++;
        ct->base = 0;
        for (size_t l = 1; l < L; ++l)
            if (ct->count[l] > ct->count[ct->base])
                ct->base = (int32_t)l;
        for (size_t l = 0; l < L; ++l)
            ct->dummy[l] = (int32_t)l != ct->base && ct->count[l] > 0 ? k++ : -1;
    }
    R->d.k = k;
    R->d.n = n;
    R->d.y = R->y;
    /* rows */
    size_t nnz = 0;
    for (size_t i = 0; i < n; ++i) {
        for (int64_t q = R->raw_indptr[i]; q < R->raw_indptr[i + 1]; ++q)
            nnz += R->skill_col[R->raw_idx[q]] >= 0;
        nnz += R->n_grp + (size_t)R->n_ctl;
    }
    double bytes = (double)nnz * 4 + (double)n * (8 + 8 + 4.0 * (R->n_cols + 1));
    if (bytes > (double)R->P->memory_mib * 1048576.0)
        return skm_error(R->ctx, SKM_ELIMIT,
                         "the design of %zu postings needs %.0f MiB, over the memory budget of "
                         "%zu MiB (raise --memory)",
                         n, bytes / 1048576.0, R->P->memory_mib);
    R->d.indptr = malloc((n + 1) * sizeof *R->d.indptr);
    R->d.indices = malloc((nnz ? nnz : 1) * sizeof *R->d.indices);
    uint8_t *hit = calloc(R->n_grp + 1, 1);
    if (!R->d.indptr || !R->d.indices || !hit) {
        free(hit);
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory for the design");
    }
    size_t w = 0;
    R->d.indptr[0] = 0;
    for (size_t i = 0; i < n; ++i) {
        memset(hit, 0, R->n_grp);
        for (int64_t q = R->raw_indptr[i]; q < R->raw_indptr[i + 1]; ++q) {
            int32_t s = R->raw_idx[q];
            if (R->skill_col[s] >= 0)
                R->d.indices[w++] = R->skill_col[s];
            else if (R->member[s])
                for (size_t g = 0; g < R->n_grp; ++g)
                    for (size_t m = 0; m < R->grp[g].n_members; ++m)
                        hit[g] |= R->grp[g].members[m] == s;
        }
        for (size_t g = 0; g < R->n_grp; ++g)
            if (hit[g])
                R->d.indices[w++] = k_skills + (int32_t)g;
        for (int c = 0; c < R->n_ctl; ++c) {
            const catcol *cc = &R->cols[R->ctl[c].col];
            int32_t code = cc->code[i] < 0 ? (int32_t)cc->n_lev : cc->code[i];
            if (R->ctl[c].dummy[code] >= 0)
                R->d.indices[w++] = R->ctl[c].dummy[code];
        }
        R->d.indptr[i + 1] = (int64_t)w;
    }
    free(hit);
    /* absorbable columns and the cluster column: codes, shared with the loaded columns */
    R->d.n_absorb_cols = R->n_cols;
    for (int c = 0; c < R->n_cols; ++c) {
        R->d.absorb[c] = R->cols[c].code;
        R->d.absorb_levels[c] = (int32_t)R->cols[c].n_lev;
    }
    if (R->cluster_col >= 0) {
        R->d.cluster = R->cols[R->cluster_col].code;
        R->d.cluster_levels = (int32_t)R->cols[R->cluster_col].n_lev;
    }
    /* terms of the design (names, kinds, support), intercept first when nothing is absorbed */
    const int ic = R->n_absorb == 0, nk = k + ic;
    R->term_name = calloc((size_t)nk + 1, sizeof *R->term_name);
    R->term_kind = calloc((size_t)nk + 1, sizeof *R->term_kind);
    R->term_support = calloc((size_t)nk + 1, sizeof *R->term_support);
    if (!R->term_name || !R->term_kind || !R->term_support)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    if (ic) {
        R->term_name[0] = skm_strdup("(intercept)");
        R->term_kind[0] = "intercept";
        R->term_support[0] = (int64_t)n;
    }
    for (int64_t j = 0; j < p; ++j)
        if (R->skill_col[j] >= 0) {
            int t = ic + R->skill_col[j];
            R->term_name[t] = skm_strdup(skm_store_skill_name(R->st, j));
            R->term_kind[t] = "skill";
        }
    for (size_t g = 0; g < R->n_grp; ++g) {
        int t = ic + k_skills + (int)g;
        size_t len = strlen(R->grp[g].name) + 8;
        if ((R->term_name[t] = malloc(len)))
            snprintf(R->term_name[t], len, "group:%s", R->grp[g].name);
        R->term_kind[t] = "group";
    }
    for (int c = 0; c < R->n_ctl; ++c) {
        const catcol *cc = &R->cols[R->ctl[c].col];
        for (size_t l = 0; l <= cc->n_lev; ++l) {
            if (R->ctl[c].dummy[l] < 0)
                continue;
            int t = ic + R->ctl[c].dummy[l];
            const char *lv = l < cc->n_lev ? cc->lev[l] : "(missing)";
            size_t len = strlen(cc->name) + strlen(lv) + 2;
            if ((R->term_name[t] = malloc(len)))
                snprintf(R->term_name[t], len, "%s=%s", cc->name, lv);
            R->term_kind[t] = "control";
        }
    }
    for (int t = 0; t < nk; ++t)
        if (!R->term_name[t])
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    for (int64_t q = 0; q < R->d.indptr[n]; ++q)
        R->term_support[ic + R->d.indices[q]]++;
    return rc;
}

/* ---- 4. inference ------------------------------------------------------------------------- */

typedef struct infer {
    double *se, *t, *p, *q, *lo, *hi, *prem, *prem_lo, *prem_hi;
    const char *se_name;
    double df;
} infer;

static int primary_se(int se) { return se & SKM_SE_CLUSTER ? 2 : se & SKM_SE_HC1 ? 1 : 0; }

static const char *se_names[3] = {"classical", "hc1", "cluster"};

static void infer_free(infer *I)
{
    free(I->t);
    free(I->p);
    free(I->q);
    free(I->lo);
    free(I->hi);
    free(I->prem);
    free(I->prem_lo);
    free(I->prem_hi);
}

static int do_infer(run *R, const skm_reg_fit *f, infer *I)
{
    const int nk = f->nk, ps = primary_se(f->se);
    memset(I, 0, sizeof *I);
    I->se = f->se_v[ps];
    I->se_name = se_names[ps];
    I->df = ps == 2 ? (double)(f->n_clusters - 1) : (double)f->df_resid;
    const size_t sz = (size_t)nk + 1;
    double **arr[8] = {&I->t, &I->p, &I->q, &I->lo, &I->hi, &I->prem, &I->prem_lo, &I->prem_hi};
    for (int a = 0; a < 8; ++a)
        if (!(*arr[a] = malloc(sz * sizeof(double))))
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    const double tc = gsl_cdf_tdist_Qinv(R->P->alpha / 2, I->df);
    double *pv = malloc(sz * sizeof *pv);
    size_t *idx = malloc(sz * sizeof *idx);
    size_t *work = malloc((skm_cooc_bh_work_len(sz) + 1) * sizeof *work);
    if (!pv || !idx || !work) {
        free(pv);
        free(idx);
        free(work);
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    }
    size_t m = 0;
    for (int t = 0; t < nk; ++t) {
        const double b = f->coef[t], s = I->se[t];
        I->t[t] = b / s;
        I->p[t] = isfinite(I->t[t]) ? 2 * gsl_cdf_tdist_Q(fabs(I->t[t]), I->df) : NAN;
        I->lo[t] = b - tc * s;
        I->hi[t] = b + tc * s;
        I->prem[t] = 100 * expm1(b);
        I->prem_lo[t] = 100 * expm1(I->lo[t]);
        I->prem_hi[t] = 100 * expm1(I->hi[t]);
        I->q[t] = NAN;
        const char *kind = R->term_kind[t];
        if ((strcmp(kind, "skill") == 0 || strcmp(kind, "group") == 0) && !isnan(I->p[t])) {
            pv[m] = I->p[t];
            idx[m++] = (size_t)t;
        }
    }
    int rc = skm_cooc_bh_qvalues(R->ctx, pv, m, 0, pv, work);
    for (size_t i = 0; i < m && !rc; ++i)
        I->q[idx[i]] = pv[i];
    free(pv);
    free(idx);
    free(work);
    return rc;
}

/* ---- 5. output ---------------------------------------------------------------------------- */

#define RG "/regression"

static int write_f64(skm_h5_out *o, hid_t g, const char *gpath, const char *name, size_t n,
                     size_t ncols, const double *v, const char *desc, const char *units)
{
    return skm_h5_write_child(o, g, gpath, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, ncols, v,
                              desc, units);
}

typedef struct decomp {
    int n_spec;
    char spec[4][64];
    int64_t n[4];
    double *coef, *se, *lo, *hi, *prem, *prem_lo, *prem_hi; /* n_grp x n_spec */
    const char *se_name;
} decomp;

static int write_results(run *R, const char *out_path, const skm_reg_fit *f, const infer *I,
                         const decomp *dc, double t0)
{
    const skm_regress_params *P = R->P;
    skm_ctx *ctx = R->ctx;
    skm_h5_out o;
    hid_t g = -1, gt = -1, gx = -1, ga = -1, gd = -1, gc = -1, gl = -1;
    const size_t nk = (size_t)f->nk;
    char *exp_buf = NULL;
    const char **ex_name = NULL, **al_expl = NULL;
    int64_t *ex_sup = NULL, *al_term = NULL;
    int rc = skm_h5_out_create_results(ctx, out_path, "regression", &o);
    if (rc)
        return rc;
    if ((rc = skm_h5_create_group(&o, o.file, "regression", RG,
                                  "Salary regression by skill: ln annual salary on skill "
                                  "indicators, groups and controls (skillmat regress)",
                                  &g)) ||
        (rc = skm_h5_create_group(&o, g, "terms", RG "/terms",
                                  "One entry per term of the model, in design order: the "
                                  "intercept (unless absorbed), skills, groups, control dummies",
                                  &gt)) ||
        (rc = skm_h5_create_group(&o, g, "excluded", RG "/excluded",
                                  "Skills left out: fewer than min_support postings with a "
                                  "usable salary",
                                  &gx)) ||
        (rc = skm_h5_create_group(&o, g, "aliased", RG "/aliased",
                                  "Aliased terms (collinear with the terms before them): left "
                                  "out of the fit, with the terms that explain them",
                                  &ga)) ||
        (rc = skm_h5_create_group(&o, g, "controls", RG "/controls",
                                  "One subgroup per --controls column: its levels and base",
                                  &gc)))
        goto done;
    uint8_t *al = f->aliased;
    if ((rc = skm_h5_write_array(&o, gt, "name", RG "/terms/name", o.t_str, o.t_str, nk, 0,
                                 R->term_name,
                                 "Term: \"(intercept)\", a skill name, \"group:NAME\", or "
                                 "\"column=level\" for a control dummy",
                                 NULL)) ||
        (rc = skm_h5_write_array(&o, gt, "kind", RG "/terms/kind", o.t_str, o.t_str, nk, 0,
                                 R->term_kind, "intercept, skill, group or control", NULL)) ||
        (rc = skm_h5_write_array(&o, gt, "support", RG "/terms/support", H5T_STD_I64LE,
                                 H5T_NATIVE_INT64, nk, 0, R->term_support,
                                 "Postings of the fit sample with the indicator = 1 (before "
                                 "absorbed-effect singletons are dropped)",
                                 "postings")) ||
        (rc = skm_h5_write_array(&o, gt, "aliased", RG "/terms/aliased", H5T_STD_U8LE,
                                 H5T_NATIVE_UINT8, nk, 0, al,
                                 "1: collinear with the intercept and the terms before it "
                                 "(left out; coef and se NaN)",
                                 NULL)) ||
        (rc = write_f64(&o, gt, RG "/terms", "coef", nk, 0, f->coef,
                        "OLS coefficient on ln annual salary", "log points")))
        goto done;
    static const char *se_desc[3] = {
        "Classical standard error, sigma^2 (X'X)^-1 with sigma^2 = RSS / df_resid",
        "HC1 (White, n / df_resid small-sample factor) heteroskedasticity-robust standard error",
        "Cluster-robust (CR1) standard error, clusters = attribute cluster_column; factor "
        "G/(G-1) (n-1)/df_resid"};
    for (int t = 0; t < 3; ++t) {
        char name[32];
        snprintf(name, sizeof name, "se_%s", se_names[t]);
        if (f->se_v[t] && (rc = write_f64(&o, gt, RG "/terms", name, nk, 0, f->se_v[t],
                                          se_desc[t], "log points")))
            goto done;
    }
    if ((rc = write_f64(&o, gt, RG "/terms", "t", nk, 0, I->t,
                        "coef / se of the primary type (attribute se_primary)", NULL)) ||
        (rc = write_f64(&o, gt, RG "/terms", "p_value", nk, 0, I->p,
                        "Two-sided Student t p-value (df: attribute df_inference)", NULL)) ||
        (rc = write_f64(&o, gt, RG "/terms", "q_value", nk, 0, I->q,
                        "Benjamini-Hochberg q-value over the skill and group terms; NaN for "
                        "others",
                        NULL)) ||
        (rc = write_f64(&o, gt, RG "/terms", "ci_low", nk, 0, I->lo,
                        "Lower end of the 1 - alpha confidence interval of coef", "log points")) ||
        (rc = write_f64(&o, gt, RG "/terms", "ci_high", nk, 0, I->hi,
                        "Upper end of the 1 - alpha confidence interval of coef",
                        "log points")) ||
        (rc = write_f64(&o, gt, RG "/terms", "premium", nk, 0, I->prem,
                        "Salary premium 100 (exp(coef) - 1)", "percent")) ||
        (rc = write_f64(&o, gt, RG "/terms", "premium_ci_low", nk, 0, I->prem_lo,
                        "100 (exp(ci_low) - 1)", "percent")) ||
        (rc = write_f64(&o, gt, RG "/terms", "premium_ci_high", nk, 0, I->prem_hi,
                        "100 (exp(ci_high) - 1)", "percent")))
        goto done;
    /* excluded skills */
    size_t n_ex = 0;
    for (int64_t j = 0; j < R->p; ++j)
        n_ex += R->skill_col[j] < 0 && !R->member[j];
    ex_name = calloc(n_ex + 1, sizeof *ex_name);
    ex_sup = calloc(n_ex + 1, sizeof *ex_sup);
    if (!ex_name || !ex_sup) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    n_ex = 0;
    for (int64_t j = 0; j < R->p; ++j)
        if (R->skill_col[j] < 0 && !R->member[j]) {
            ex_name[n_ex] = skm_store_skill_name(R->st, j);
            ex_sup[n_ex++] = R->support[j];
        }
    if ((rc = skm_h5_write_array(&o, gx, "name", RG "/excluded/name", o.t_str, o.t_str, n_ex, 0,
                                 ex_name, "Skill name", NULL)) ||
        (rc = skm_h5_write_array(&o, gx, "support", RG "/excluded/support", H5T_STD_I64LE,
                                 H5T_NATIVE_INT64, n_ex, 0, ex_sup,
                                 "Postings with a usable salary that list the skill",
                                 "postings")))
        goto done;
    /* aliased terms */
    char absorb_names[256] = "";
    for (int a = 0; a < R->n_absorb; ++a) {
        size_t l = strlen(absorb_names);
        snprintf(absorb_names + l, sizeof absorb_names - l, "%s%s", a ? ", " : "",
                 R->cols[R->absorb_col[a]].name);
    }
    size_t n_al = 0;
    for (size_t t = 0; t < nk; ++t)
        n_al += al[t];
    al_term = calloc(n_al + 1, sizeof *al_term);
    al_expl = calloc(n_al + 1, sizeof *al_expl);
    skm_buf eb = {0};
    if (!al_term || !al_expl) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    size_t *off = calloc(n_al + 1, sizeof *off);
    if (!off) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    n_al = 0;
    for (size_t t = 0; t < nk; ++t) {
        if (!al[t])
            continue;
        al_term[n_al] = (int64_t)t;
        off[n_al++] = eb.len;
        int c = f->alias_n ? f->alias_n[t] : 0;
        if (c < 0)
            skm_buf_printf(&eb, "absorbed by the fixed effects (%s)", absorb_names);
        else if (c == 0)
            skm_buf_printf(&eb, "%s", f->intercept ? "constant" : "zero after absorbing");
        for (int a = 0; a < c; ++a)
            skm_buf_printf(&eb, "%s%.6g * %s", a ? " + " : "", f->alias_w[t][a],
                           R->term_name[f->alias_terms[t][a]]);
        skm_buf_putc(&eb, '\0');
    }
    exp_buf = eb.ptr;
    for (size_t i = 0; i < n_al; ++i)
        al_expl[i] = exp_buf + off[i];
    free(off);
    if ((rc = skm_h5_write_array(&o, ga, "term", RG "/aliased/term", H5T_STD_I64LE,
                                 H5T_NATIVE_INT64, n_al, 0, al_term,
                                 "Index into /regression/terms of an aliased term", NULL)) ||
        (rc = skm_h5_write_array(&o, ga, "explained_by", RG "/aliased/explained_by", o.t_str,
                                 o.t_str, n_al, 0, al_expl,
                                 "The term as a combination of earlier terms (centred; the "
                                 "largest weights), \"constant\", or \"absorbed by the fixed "
                                 "effects (...)\"",
                                 NULL)))
        goto done;
    /* controls */
    for (int c = 0; c < R->n_ctl; ++c) {
        const catcol *cc = &R->cols[R->ctl[c].col];
        char path[160];
        snprintf(path, sizeof path, RG "/controls/%s", cc->name);
        const char **lv = calloc(cc->n_lev + 2, sizeof *lv);
        if (!lv) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t l = 0; l < cc->n_lev; ++l)
            lv[l] = cc->lev[l];
        lv[cc->n_lev] = "(missing)";
        char lpath[200], cpath[200];
        snprintf(lpath, sizeof lpath, "%s/levels", path);
        snprintf(cpath, sizeof cpath, "%s/count", path);
        if (!(rc = skm_h5_create_group(&o, gc, cc->name, path,
                                       "A categorical control: its levels (the last is "
                                       "\"(missing)\"), rows per level; attribute base",
                                       &gl)))
            if (!(rc = skm_h5_write_array(&o, gl, "levels", lpath, o.t_str, o.t_str,
                                          cc->n_lev + 1, 0, lv, "Level names", NULL)) &&
                !(rc = skm_h5_write_array(&o, gl, "count", cpath, H5T_STD_I64LE,
                                          H5T_NATIVE_INT64, cc->n_lev + 1, 0, R->ctl[c].count,
                                          "Postings of the fit sample at the level", "postings")))
                rc = skm_h5_out_attr_str(&o, gl, path, "base", lv[R->ctl[c].base]);
        free(lv);
        skm_h5_close(gl);
        gl = -1;
        if (rc)
            goto done;
    }
    /* decomposition */
    if (dc && dc->n_spec > 0 && R->n_grp > 0) {
        const char *gn[64], *sp[4];
        size_t ng = R->n_grp < 64 ? R->n_grp : 64;
        for (size_t i = 0; i < ng; ++i)
            gn[i] = R->grp[i].name;
        for (int s = 0; s < dc->n_spec; ++s)
            sp[s] = dc->spec[s];
        const size_t S = (size_t)dc->n_spec;
        if ((rc = skm_h5_create_group(&o, g, "decomposition", RG "/decomposition",
                                      "Each --group's premium under several absorbed fixed "
                                      "effects: rows = groups, columns = specs",
                                      &gd)) ||
            (rc = skm_h5_write_array(&o, gd, "group", RG "/decomposition/group", o.t_str,
                                     o.t_str, ng, 0, gn, "Group name", NULL)) ||
            (rc = skm_h5_write_array(&o, gd, "spec", RG "/decomposition/spec", o.t_str, o.t_str,
                                     S, 0, sp,
                                     "What is absorbed: none (raw), company, title, "
                                     "company+title",
                                     NULL)) ||
            (rc = skm_h5_write_array(&o, gd, "n", RG "/decomposition/n", H5T_STD_I64LE,
                                     H5T_NATIVE_INT64, S, 0, dc->n,
                                     "Postings in the fit (after singletons)", "postings")) ||
            (rc = skm_h5_out_attr_str(&o, gd, RG "/decomposition", "se_type", dc->se_name)))
            goto done;
        const struct {
            const char *name;
            const double *v;
            const char *desc, *units;
        } cols[] = {
            {"coef", dc->coef, "Coefficient of the group indicator", "log points"},
            {"se", dc->se, "Standard error (attribute se_type)", "log points"},
            {"ci_low", dc->lo, "Lower end of the 1 - alpha interval", "log points"},
            {"ci_high", dc->hi, "Upper end of the 1 - alpha interval", "log points"},
            {"premium", dc->prem, "100 (exp(coef) - 1)", "percent"},
            {"premium_ci_low", dc->prem_lo, "100 (exp(ci_low) - 1)", "percent"},
            {"premium_ci_high", dc->prem_hi, "100 (exp(ci_high) - 1)", "percent"},
        };
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; ++c)
            if ((rc = write_f64(&o, gd, RG "/decomposition", cols[c].name, ng, S, cols[c].v,
                                cols[c].desc, cols[c].units)))
                goto done;
    }
    /* attributes */
    char se_list[64] = "", absorb[256] = "", groups[1024] = "";
    for (int t = 0; t < 3; ++t)
        if (f->se & (1 << t)) {
            size_t l = strlen(se_list);
            snprintf(se_list + l, sizeof se_list - l, "%s%s", l ? "," : "", se_names[t]);
        }
    for (int a = 0; a < R->n_absorb; ++a) {
        size_t l = strlen(absorb);
        snprintf(absorb + l, sizeof absorb - l, "%s%s", a ? "," : "", R->cols[R->absorb_col[a]].name);
    }
    for (size_t i = 0; i < P->n_groups; ++i) {
        size_t l = strlen(groups);
        snprintf(groups + l, sizeof groups - l, "%s%s", i ? ";" : "", P->groups[i]);
    }
#define AI(name, v) skm_h5_out_attr_i64(&o, g, RG, name, (int64_t)(v))
#define AF(name, v) skm_h5_out_attr_f64(&o, g, RG, name, (double)(v))
#define AS(name, v) skm_h5_out_attr_str(&o, g, RG, name, v)
    if ((rc = AI("n_postings", R->n_postings)) || (rc = AI("n_used", f->n)) ||
        (rc = AI("n_no_salary", R->n_no_salary)) ||
        (rc = AI("n_nonpositive_salary", R->n_nonpos)) ||
        (rc = AI("n_missing_absorb", f->n_missing_absorb)) ||
        (rc = AI("n_singletons", f->n_singletons)) || (rc = AI("n_terms", f->nk)) ||
        (rc = AI("rank", f->rank)) || (rc = AI("df_model", f->rank - f->intercept)) ||
        (rc = AI("df_resid", f->df_resid)) || (rc = AF("df_inference", I->df)) ||
        (rc = AI("absorbed_df", f->absorbed_df)) || (rc = AI("n_clusters", f->n_clusters)) ||
        (rc = AF("r2", f->r2)) || (rc = AF("adj_r2", f->adj_r2)) ||
        (rc = AF("r2_within", f->r2_within)) || (rc = AF("rmse", f->rmse)) ||
        (rc = AF("rss", f->rss)) || (rc = AF("f_stat", f->f_stat)) ||
        (rc = AF("f_p_value", f->f_p)) || (rc = AF("rcond", f->rcond)) ||
        (rc = AI("min_support", P->min_support)) || (rc = AF("alpha", P->alpha)) ||
        (rc = AS("se_types", se_list)) || (rc = AS("se_primary", I->se_name)) ||
        (rc = AS("cluster_column",
                 R->cluster_col >= 0 && (P->se & SKM_SE_CLUSTER) ? R->cols[R->cluster_col].name
                                                                 : "")) ||
        (rc = AS("controls", P->controls ? P->controls : "")) || (rc = AS("absorb", absorb)) ||
        (rc = AS("groups", groups)) || (rc = AF("fe_tol", P->fe_tol)) ||
        (rc = AS("fe_method", P->fe_method == SKM_FE_MAP ? "map" : "cg")) ||
        (rc = AI("fe_max_iter", P->fe_max_iter)) || (rc = AI("fe_iterations", f->fe_iterations)) ||
        (rc = AI("fe_converged", R->n_absorb ? f->fe_converged : 1)) ||
        (rc = AS("singletons", "dropped iteratively before the fit (reghdfe convention)")) ||
        (rc = AI("threads", R->threads)) || (rc = AI("memory_mib", (int64_t)P->memory_mib)) ||
        (rc = AS("isa", skm_isa())) || (rc = AF("seconds", skm_now() - t0)) ||
        (rc = skm_h5_out_attr_provenance(&o, g, RG, R->st, R->store_path, P->command_line)))
        goto done;
#undef AI
#undef AF
#undef AS
    skm_h5_close(gd);
    skm_h5_close(gc);
    skm_h5_close(ga);
    skm_h5_close(gx);
    skm_h5_close(gt);
    skm_h5_close(g);
    gd = gc = ga = gx = gt = g = -1;
    rc = skm_h5_out_commit(&o);
done:
    skm_h5_close(gl);
    skm_h5_close(gd);
    skm_h5_close(gc);
    skm_h5_close(ga);
    skm_h5_close(gx);
    skm_h5_close(gt);
    skm_h5_close(g);
    skm_h5_out_abort(&o);
    free(ex_name);
    free(ex_sup);
    free(al_term);
    free(al_expl);
    free(exp_buf);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

static void run_free(run *R)
{
    for (int c = 0; c < R->n_cols; ++c) {
        catcol *cc = &R->cols[c];
        free(cc->name);
        if (!cc->lev_block && cc->lev)
            for (size_t l = 0; l < cc->n_lev; ++l)
                free(cc->lev[l]);
        free(cc->lev);
        free(cc->code);
        free(cc->vals);
    }
    for (int c = 0; c < R->n_ctl; ++c) {
        free(R->ctl[c].count);
        free(R->ctl[c].dummy);
    }
    for (size_t g = 0; g < R->n_grp; ++g) {
        free(R->grp[g].name);
        free(R->grp[g].members);
    }
    free(R->grp);
    free(R->raw_indptr);
    free(R->raw_idx);
    free(R->y);
    free(R->support);
    free(R->skill_col);
    free(R->member);
    free(R->d.indptr);
    free(R->d.indices);
    if (R->term_name) {
        int nk = R->d.k + (R->n_absorb == 0);
        for (int t = 0; t < nk; ++t)
            free(R->term_name[t]);
    }
    free(R->term_name);
    free(R->term_kind);
    free(R->term_support);
    skm_store_close(R->st);
}

static int check_params(skm_ctx *ctx, const skm_regress_params *P)
{
    int rc = skm_check_analysis_params(ctx, P->min_support, P->alpha, P->threads);
    if (rc)
        return rc;
    if (!(P->fe_tol > 0 && P->fe_tol < 1))
        return skm_error(ctx, SKM_EINVAL, "--fe-tol must be in (0, 1) (got %g)", P->fe_tol);
    if (P->fe_method != SKM_FE_CG && P->fe_method != SKM_FE_MAP)
        return skm_error(ctx, SKM_EINVAL, "unknown --fe-method %d", P->fe_method);
    if (P->fe_max_iter < 1)
        return skm_error(ctx, SKM_EINVAL, "--fe-max-iter must be at least 1 (got %d)",
                         P->fe_max_iter);
    if (P->se == 0 || (P->se & ~7))
        return skm_error(ctx, SKM_EINVAL, "no standard-error type asked for");
    if (P->memory_mib < 1 || P->block_rows < 1)
        return skm_error(ctx, SKM_EINVAL, "--memory and the block size must be positive");
    if (P->n_groups > 64)
        return skm_error(ctx, SKM_EINVAL, "at most 64 --group options");
    return SKM_OK;
}

static int fit_spec(run *R, const skm_reg_opts *o, const int *abs, int n_abs, int se,
                    skm_reg_fit *f)
{
    memset(f, 0, sizeof *f);
    f->n_abs = n_abs;
    for (int a = 0; a < n_abs; ++a)
        f->abs[a] = abs[a];
    f->se = se;
    if (!R->d.cluster)
        f->se &= ~SKM_SE_CLUSTER;
    return skm_reg_fit_run(R->ctx, &R->d, o, f);
}

int skm_regress(skm_ctx *ctx, const char *store_path, const char *out_path,
                const skm_regress_params *params)
{
    if (!ctx)
        return SKM_EINVAL;
    if (!store_path || !out_path || !params)
        return skm_error(ctx, SKM_EINVAL, "regress: no store, output or parameters");
    int rc = check_params(ctx, params);
    if (rc)
        return rc;
    const double t0 = skm_now();
    run R;
    memset(&R, 0, sizeof R);
    R.ctx = ctx;
    R.P = params;
    R.store_path = store_path;
    R.cluster_col = R.company_col = R.title_col = -1;
    R.threads = params->threads > 0 ? params->threads : skm_cpu_count();
    skm_reg_fit f, fd;
    memset(&f, 0, sizeof f);
    memset(&fd, 0, sizeof fd);
    infer I;
    memset(&I, 0, sizeof I);
    decomp dc;
    memset(&dc, 0, sizeof dc);
    char *items[SKM_REG_MAX_COLS];
    int ni = 0;
    if ((rc = skm_store_open(ctx, store_path, &R.st)))
        return rc;
    R.n_postings = skm_store_n_rows(R.st);
    R.p = skm_store_n_cols(R.st);
    if (!(R.member = calloc((size_t)R.p + 1, 1))) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = parse_groups(&R)))
        goto done;
    /* columns: controls, absorbed, cluster, company/title for the decomposition */
    if ((rc = split_list(ctx, "--controls", params->controls, items, SKM_REG_MAX_COLS - 4, &ni)))
        goto done;
    for (int i = 0; i < ni && !rc; ++i) {
        for (int j = 0; j < R.n_ctl && !rc; ++j)
            if (strcmp(R.cols[R.ctl[j].col].name, items[i]) == 0)
                rc = skm_error(ctx, SKM_EINVAL, "--controls: '%s' given twice", items[i]);
        if (!rc && !(rc = add_col(&R, items[i], 0, &R.ctl[R.n_ctl].col)))
            R.n_ctl++;
    }
    for (int i = 0; i < ni; ++i)
        free(items[i]);
    if (rc)
        goto done;
    if ((rc = split_list(ctx, "--absorb", params->absorb, items, SKM_REG_MAX_ABSORB, &ni)))
        goto done;
    for (int i = 0; i < ni && !rc; ++i) {
        if (!(rc = add_col(&R, items[i], 0, &R.absorb_col[R.n_absorb]))) {
            for (int j = 0; j < R.n_ctl && !rc; ++j)
                if (R.ctl[j].col == R.absorb_col[R.n_absorb])
                    rc = skm_error(ctx, SKM_EINVAL,
                                   "'%s' is both a control and absorbed: choose one", items[i]);
            for (int j = 0; j < R.n_absorb && !rc; ++j)
                if (R.absorb_col[j] == R.absorb_col[R.n_absorb])
                    rc = skm_error(ctx, SKM_EINVAL, "--absorb: '%s' given twice", items[i]);
            R.n_absorb++;
        }
    }
    for (int i = 0; i < ni; ++i)
        free(items[i]);
    if (rc)
        goto done;
    if (params->se & SKM_SE_CLUSTER) {
        const char *cl = params->cluster ? params->cluster : "company";
        if ((rc = add_col(&R, cl, params->cluster == NULL, &R.cluster_col)))
            goto done;
        if (R.cluster_col < 0)
            skm_log(ctx, SKM_LOG_INFO,
                    "%s has no company column: no cluster-robust standard errors", store_path);
    }
    if (R.n_grp > 0 && params->decompose &&
        ((rc = add_col(&R, "company", 1, &R.company_col)) ||
         (rc = add_col(&R, "title", 1, &R.title_col))))
        goto done;
    /* 1-2 */
    if ((rc = load(&R)) || (rc = build_design(&R)))
        goto done;
    free(R.raw_indptr); /* the design replaces the skill lists */
    free(R.raw_idx);
    R.raw_indptr = NULL;
    R.raw_idx = NULL;
    if (R.n == 0) {
        rc = skm_error(ctx, SKM_EINVAL, "%s: no posting has a usable salary (%lld without one, "
                                        "%lld not positive)",
                       store_path, (long long)R.n_no_salary, (long long)R.n_nonpos);
        goto done;
    }
    skm_reg_opts o = {.threads = R.threads,
                      .fe_tol = params->fe_tol,
                      .fe_max_iter = params->fe_max_iter,
                      .fe_method = params->fe_method,
                      .memory_bytes = params->memory_mib << 20,
                      .block_rows = params->block_rows};
    /* 3. the main fit */
    if ((rc = fit_spec(&R, &o, R.absorb_col, R.n_absorb, params->se, &f)) ||
        (rc = do_infer(&R, &f, &I)))
        goto done;
    /* the decomposition: each group's premium with nothing, company, title, both absorbed */
    if (R.n_grp > 0 && params->decompose) {
        int specs[4][2], ns[4], S = 0;
        ns[S++] = 0;
        if (R.company_col >= 0) {
            specs[S][0] = R.company_col;
            ns[S++] = 1;
        }
        if (R.title_col >= 0) {
            specs[S][0] = R.title_col;
            ns[S++] = 1;
        }
        if (R.company_col >= 0 && R.title_col >= 0) {
            specs[S][0] = R.company_col;
            specs[S][1] = R.title_col;
            ns[S++] = 2;
        }
        const size_t G = R.n_grp, cells = G * (size_t)S;
        double **arr[7] = {&dc.coef, &dc.se, &dc.lo, &dc.hi, &dc.prem, &dc.prem_lo, &dc.prem_hi};
        for (int a = 0; a < 7; ++a)
            if (!(*arr[a] = malloc(cells * sizeof(double)))) {
                rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
                goto done;
            }
        dc.n_spec = S;
        int first_group = 0; /* design column of the first group (they follow the skills) */
        for (int j = 0; j < R.d.k; ++j)
            if (strcmp(R.term_kind[(R.n_absorb == 0) + j], "group") == 0) {
                first_group = j;
                break;
            }
        for (int s = 0; s < S && !rc; ++s) {
            if (ns[s] == 0)
                snprintf(dc.spec[s], sizeof dc.spec[s], "none");
            else if (ns[s] == 1)
                snprintf(dc.spec[s], sizeof dc.spec[s], "%s", R.cols[specs[s][0]].name);
            else
                snprintf(dc.spec[s], sizeof dc.spec[s], "%s+%s", R.cols[specs[s][0]].name,
                         R.cols[specs[s][1]].name);
            const int se = 1 << primary_se(params->se & (R.d.cluster ? 7 : 3));
            if ((rc = fit_spec(&R, &o, specs[s], ns[s], se, &fd)))
                break;
            const int ps = primary_se(fd.se);
            dc.se_name = se_names[ps];
            const double df = ps == 2 ? (double)(fd.n_clusters - 1) : (double)fd.df_resid;
            const double tc = gsl_cdf_tdist_Qinv(params->alpha / 2, df);
            dc.n[s] = fd.n;
            for (size_t g = 0; g < G; ++g) {
                const int t = fd.intercept + first_group + (int)g;
                const size_t c = g * (size_t)S + (size_t)s;
                dc.coef[c] = fd.coef[t];
                dc.se[c] = fd.se_v[ps][t];
                dc.lo[c] = fd.coef[t] - tc * dc.se[c];
                dc.hi[c] = fd.coef[t] + tc * dc.se[c];
                dc.prem[c] = 100 * expm1(dc.coef[c]);
                dc.prem_lo[c] = 100 * expm1(dc.lo[c]);
                dc.prem_hi[c] = 100 * expm1(dc.hi[c]);
            }
            skm_reg_fit_free(&fd);
        }
        if (rc)
            goto done;
    }
    rc = write_results(&R, out_path, &f, &I, &dc, t0);
done:
    skm_reg_fit_free(&f);
    skm_reg_fit_free(&fd);
    infer_free(&I);
    free(dc.coef);
    free(dc.se);
    free(dc.lo);
    free(dc.hi);
    free(dc.prem);
    free(dc.prem_lo);
    free(dc.prem_hi);
    run_free(&R);
    return rc;
}
