/*
 * print.c — the text summary of /cooccurrence in a results file (skm_cooccur_print): the strongest
 * pairs by NPMI and, for a named skill, the skills most tied to it. Reads only documented paths
 * (docs/hdf5-schema.md), like any other consumer of the results.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "../core/core.h"
#include "../h5/h5util.h"
#include "../ingest/fields.h"

typedef struct view {
    size_t p, m;
    char **name;
    int64_t *n_a;
    int32_t *a, *b;
    int64_t *n_ab, *top;
    double *pba, *pab, *lift, *npmi, *q;
    size_t n_top;
    int64_t n, n_kept, n_family, min_support;
    double alpha;
    char path[32], isa[64];
    int64_t passes, threads;
    double seconds;
} view;

static void view_free(view *v)
{
    free(v->name);
    free(v->n_a);
    free(v->a);
    free(v->b);
    free(v->n_ab);
    free(v->top);
    free(v->pba);
    free(v->pab);
    free(v->lift);
    free(v->npmi);
    free(v->q);
}

static int load(skm_ctx *ctx, const char *file, hid_t f, view *v)
{
    int rc;
    size_t n;
    hid_t g = H5Gopen2(f, "cooccurrence", H5P_DEFAULT);
    if (g < 0)
        return skm_error(ctx, SKM_ENOTFOUND,
                         "%s has no /cooccurrence group (run skillmat cooccur first)", file);
    char *s = NULL;
    if ((rc = skm_h5_attr_read_num(ctx, file, g, "/cooccurrence", "n_postings", H5T_NATIVE_INT64, &v->n)) ||
        (rc = skm_h5_attr_read_num(ctx, file, g, "/cooccurrence", "n_skills_kept", H5T_NATIVE_INT64, &v->n_kept)) ||
        (rc = skm_h5_attr_read_num(ctx, file, g, "/cooccurrence", "n_family", H5T_NATIVE_INT64, &v->n_family)) ||
        (rc = skm_h5_attr_read_num(ctx, file, g, "/cooccurrence", "min_support", H5T_NATIVE_INT64, &v->min_support)) ||
        (rc = skm_h5_attr_read_num(ctx, file, g, "/cooccurrence", "alpha", H5T_NATIVE_DOUBLE, &v->alpha)) ||
        (rc = skm_h5_attr_read_num(ctx, file, g, "/cooccurrence", "passes", H5T_NATIVE_INT64, &v->passes)) ||
        (rc = skm_h5_attr_read_num(ctx, file, g, "/cooccurrence", "threads", H5T_NATIVE_INT64, &v->threads)) ||
        (rc = skm_h5_attr_read_num(ctx, file, g, "/cooccurrence", "seconds_count", H5T_NATIVE_DOUBLE, &v->seconds)))
        goto done;
    if ((rc = skm_h5_attr_read_str(ctx, file, g, "/cooccurrence", "path", &s)) == SKM_OK) {
        snprintf(v->path, sizeof v->path, "%s", s);
        free(s);
        s = NULL;
    }
    if (rc == SKM_OK && (rc = skm_h5_attr_read_str(ctx, file, g, "/cooccurrence", "isa", &s)) ==
                            SKM_OK) {
        snprintf(v->isa, sizeof v->isa, "%s", s);
        free(s);
    }
    if (rc)
        goto done;
#define RD(path, mt, want, dst)                                                                 \
    if ((rc = skm_h5_read_1d(ctx, file, g, path, mt, sizeof *(dst), want, (void **)&(dst), &n))) \
        goto missing;
    if ((rc = skm_h5_read_strings(ctx, file, g, "skills/name", -1, &v->name, &v->p)))
        goto missing;
    RD("skills/n_a", H5T_NATIVE_INT64, (int64_t)v->p, v->n_a);
    RD("pairs/a", H5T_NATIVE_INT32, -1, v->a);
    v->m = n;
    const int64_t m = (int64_t)v->m;
    RD("pairs/b", H5T_NATIVE_INT32, m, v->b);
    RD("pairs/n_ab", H5T_NATIVE_INT64, m, v->n_ab);
    RD("pairs/p_b_given_a", H5T_NATIVE_DOUBLE, m, v->pba);
    RD("pairs/p_a_given_b", H5T_NATIVE_DOUBLE, m, v->pab);
    RD("pairs/lift", H5T_NATIVE_DOUBLE, m, v->lift);
    RD("pairs/npmi", H5T_NATIVE_DOUBLE, m, v->npmi);
    RD("pairs/q_value", H5T_NATIVE_DOUBLE, m, v->q);
    RD("top/by_npmi", H5T_NATIVE_INT64, -1, v->top);
#undef RD
    v->n_top = n;
    for (size_t i = 0; i < v->m; ++i)
        if (v->a[i] < 0 || (size_t)v->a[i] >= v->p || v->b[i] < 0 || (size_t)v->b[i] >= v->p) {
            rc = skm_error(ctx, SKM_EFORMAT,
                           "%s: /cooccurrence/pairs/a or b[%zu] is outside the %zu skills", file,
                           i, v->p);
            goto done;
        }
    for (size_t i = 0; i < v->n_top; ++i)
        if (v->top[i] < 0 || v->top[i] >= m) {
            rc = skm_error(ctx, SKM_EFORMAT,
                           "%s: /cooccurrence/top/by_npmi[%zu] = %lld is outside the %lld pairs",
                           file, i, (long long)v->top[i], (long long)m);
            goto done;
        }
    goto done;
missing:
    if (rc == SKM_ENOTFOUND)
        rc = skm_error(ctx, SKM_EFORMAT, "%s: /cooccurrence is incomplete (a dataset is missing)",
                       file);
done:
    skm_h5_close(g);
    return rc;
}

static const char *stars(double q, double alpha)
{
    return q < 0.001 && q < alpha ? "***" : q < 0.01 && q < alpha ? "**" : q < alpha ? "*" : "";
}

static void row(FILE *out, const view *v, size_t i, int flip)
{
    const char *sa = v->name[flip ? v->b[i] : v->a[i]], *sb = v->name[flip ? v->a[i] : v->b[i]];
    double pba = flip ? v->pab[i] : v->pba[i], pab = flip ? v->pba[i] : v->pab[i];
    char q[16];
    if (v->q[i] == 0) /* the p-value underflowed: ln_p_value has it */
        snprintf(q, sizeof q, "<1e-308");
    else
        snprintf(q, sizeof q, "%.2g", v->q[i]);
    fprintf(out, "  %-24.24s %-24.24s %9lld %7.3f %7.3f %8.2f %6.3f %9s %s\n", sa, sb,
            (long long)v->n_ab[i], pba, pab, v->lift[i], v->npmi[i], q, stars(v->q[i], v->alpha));
}

static void header(FILE *out, const char *a, const char *b)
{
    fprintf(out, "  %-24s %-24s %9s %7s %7s %8s %6s %9s\n", a, b, "n_ab", "P(b|a)", "P(a|b)",
            "lift", "NPMI", "q");
}

typedef struct tied {
    double npmi;
    int64_t n_ab;
    size_t row;
} tied;

static int cmp_tied(const void *x, const void *y)
{
    const tied *a = x, *b = y;
    if (a->npmi != b->npmi)
        return a->npmi > b->npmi ? -1 : 1;
    if (a->n_ab != b->n_ab)
        return a->n_ab > b->n_ab ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static int print_skill(skm_ctx *ctx, const char *file, const view *v, const char *skill,
                       size_t n_top, FILE *out)
{
    skm_buf nb = {0};
    if (skm_skill_normalise(skill, strlen(skill), &nb) != SKM_OK)
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    const char *key = nb.ptr ? nb.ptr : "";
    size_t s = SIZE_MAX;
    for (size_t j = 0; j < v->p && s == SIZE_MAX; ++j)
        if (strcmp(v->name[j], key) == 0)
            s = j;
    if (s == SIZE_MAX) {
        /* Suggest names that contain the query or that it contains. */
        char hint[512] = "";
        size_t len = 0, shown = 0;
        for (size_t j = 0; j < v->p && shown < 8; ++j)
            if (*key && (strstr(v->name[j], key) || strstr(key, v->name[j]))) {
                int w = snprintf(hint + len, sizeof hint - len, "%s'%s'", shown ? ", " : "",
                                 v->name[j]);
                if (w < 0 || (size_t)w >= sizeof hint - len)
                    break;
                len += (size_t)w;
                ++shown;
            }
        int rc = skm_error(ctx, SKM_ENOTFOUND, "%s: no skill '%s' in /cooccurrence/skills/name%s%s",
                           file, key, shown ? "; did you mean " : "", hint);
        skm_buf_free(&nb);
        return rc;
    }
    tied *t = skm_malloc_array(v->m ? v->m : 1, sizeof *t);
    if (!t) {
        skm_buf_free(&nb);
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < v->m; ++i)
        if ((size_t)v->a[i] == s || (size_t)v->b[i] == s)
            t[k++] = (tied){isnan(v->npmi[i]) ? -INFINITY : v->npmi[i], v->n_ab[i], i};
    qsort(t, k, sizeof *t, cmp_tied);
    fprintf(out, "\nSkills most tied to '%s' (%lld postings), by NPMI: %zu of %zu partners with "
                 "n_ab >= %lld\n",
            v->name[s], (long long)v->n_a[s], k < n_top ? k : n_top, k,
            (long long)v->min_support);
    if (k == 0)
        fprintf(out, "  (none: no other skill shares at least %lld postings with it)\n",
                (long long)v->min_support);
    else
        header(out, "skill", "with");
    for (size_t i = 0; i < k && i < n_top; ++i)
        row(out, v, t[i].row, (size_t)v->b[t[i].row] == s);
    free(t);
    skm_buf_free(&nb);
    return SKM_OK;
}

int skm_cooccur_print(skm_ctx *ctx, const char *results_path, const char *skill, size_t n_top,
                      FILE *out)
{
    if (!results_path || !out)
        return skm_error(ctx, SKM_EINVAL, "cooccur print: no file or stream");
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    view v;
    memset(&v, 0, sizeof v);
    int rc = SKM_OK;
    hid_t f = H5Fis_hdf5(results_path) > 0 ? H5Fopen(results_path, H5F_ACC_RDONLY, H5P_DEFAULT)
                                           : -1;
    if (f < 0) {
        rc = skm_error(ctx, SKM_EIO, "%s: cannot open as an HDF5 results file", results_path);
        goto done;
    }
    if ((rc = load(ctx, results_path, f, &v)))
        goto done;
    fprintf(out,
            "Co-occurrence: %lld postings, %zu skills (%lld with >= %lld postings); %zu pairs "
            "with n_ab >= %lld\n",
            (long long)v.n, v.p, (long long)v.n_kept, (long long)v.min_support, v.m,
            (long long)v.min_support);
    size_t n_valid = 0;
    for (size_t i = 0; i < v.m; ++i)
        n_valid += v.q[i] < v.alpha;
    fprintf(out,
            "validated: %zu pairs with BH q < %g over the %lld pairs of kept skills "
            "(* q < alpha, ** q < 0.01, *** q < 0.001)\n",
            n_valid, v.alpha, (long long)v.n_family);
    fprintf(out, "counted by the %s path, %lld pass%s, %lld thread%s, kernels %s, %.3f s\n",
            v.path, (long long)v.passes, v.passes == 1 ? "" : "es", (long long)v.threads,
            v.threads == 1 ? "" : "s", v.isa, v.seconds);
    size_t shown = v.n_top < n_top ? v.n_top : n_top;
    fprintf(out, "\nStrongest pairs by NPMI (%zu of %zu)\n", shown, v.m);
    if (shown)
        header(out, "skill a", "skill b");
    for (size_t i = 0; i < shown; ++i)
        row(out, &v, (size_t)v.top[i], 0);
    if (skill)
        rc = print_skill(ctx, results_path, &v, skill, n_top, out);
done:
    view_free(&v);
    skm_h5_close(f);
    skm_h5_quiet_end(&q);
    if (rc == SKM_OK && ferror(out))
        rc = skm_error(ctx, SKM_EIO, "writing the summary failed");
    return rc;
}
