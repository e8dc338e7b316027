/*
 * describe.c — `skillmat describe`: the market description, written under /describe of a results
 * file (docs/hdf5-schema.md), and its text summary (skm_describe_print).
 *
 * Plan
 *   1. The groupings (--by) are matched with the store: a categorical /postings column (with a
 *      level table), `remote` (1 yes / 0 no / -1 unknown) or `state` (read from the location's
 *      level). A documented column the store lacks (seniority, role_family, work_mode,
 *      salary_currency before schema 1.4) is skipped and listed; any other name is an error.
 *      role_family and role are always read for the top skills per level.
 *   2. The posting columns are read in row blocks into per-posting arrays: the annual salary,
 *      one level code per grouping, the month of posted_date.
 *   3. Each grouping's levels are ranked by postings (ties: store order), at most max_levels
 *      named, the rest pooled as "(other)", then "(missing)". The known salaries (finite, > 0)
 *      of each output level are bucketed and summarised: mean and quantiles (numpy's "linear",
 *      gsl_stats_quantile_from_sorted_data's formula on order statistics found by selection).
 *   4. One pass over the matrix in row blocks counts the postings listing each skill overall
 *      (checked against /skills/doc_freq, from which the top skills were taken before the
 *      pass), per named role family and role level, and per month for the top S skills.
 *   5. Everything is written atomically (skm_h5_out_create_results: other groups kept).
 * Memory: a few arrays of n values (salary, month, one code per grouping) plus p counts per
 * named role family / role level; the matrix is only ever held one block at a time.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_statistics_double.h>
#include <hdf5.h>

#include "../core/core.h"
#include "../h5/h5out.h"
#include "../h5/h5util.h"
#include "describe.h"

#define DG "/describe"

/* Groupings whose absence from a store is not an error: the documented categorical columns
 * (the 1.4 ones are missing from older stores) and the two derived groupings. */
static const char *const known_columns[] = {"role",     "role_family", "seniority",
                                            "work_mode", "remote",      "country",
                                            "state",     "company",     "title",
                                            "location",  "salary_currency"};
#define N_KNOWN (sizeof known_columns / sizeof known_columns[0])

/* Months a description covers at most (posted dates spanning more are refused). */
#define MAX_MONTHS 120000
/* Length of a grouping name at most. */
#define MAX_NAME 64

static const char *const stat_name[SKM_DESCRIBE_N_STATS] = {
    "salary_mean", "salary_p10", "salary_p25", "salary_median", "salary_p75", "salary_p90"};
static const char *const stat_desc[SKM_DESCRIBE_N_STATS] = {
    "Mean annual salary of the postings with one (finite, > 0); NaN: none",
    "10th percentile of those salaries (linear interpolation, numpy's default); NaN: none",
    "25th percentile (lower quartile) of those salaries; NaN: none",
    "Median of those salaries; NaN: none",
    "75th percentile (upper quartile) of those salaries; NaN: none",
    "90th percentile of those salaries; NaN: none"};
static const double stat_q[SKM_DESCRIBE_N_STATS] = {0, 0.10, 0.25, 0.50, 0.75, 0.90};
static const char salary_units[] = "currency as given in the input, per year";

static const char state_rule[] =
    "the two-letter code after the last comma of the posting's /postings/location_levels entry "
    "(optionally followed by a space and more, e.g. a ZIP code) when it is a US state, DC, a US "
    "territory (PR, GU, VI, AS, MP) or a Canadian province or territory code (after the comma "
    "before a trailing Canada, USA, US or United States); anything else (Anywhere, Remote, "
    "another country or a province name after the last comma) is missing";

skm_describe_params skm_describe_params_default(void)
{
    skm_describe_params p;
    memset(&p, 0, sizeof p);
    p.top = 20;
    p.max_levels = 50;
    p.by = "role,role_family,seniority,work_mode,remote,country,state";
    p.block_rows = 65536;
    return p;
}

/* ---- salary statistics, the state rule -------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rearranges x[lo, hi) (no NaN) so that x[k] holds the value it would hold sorted, with no
 * greater value before it and no smaller one after it. Quickselect: median-of-three pivot,
 * Hoare partition (many equal values split evenly); after 64 rounds the rest is sorted, so the
 * worst case is O(n log n). */
static void select_kth(double *x, size_t lo, size_t hi, size_t k)
{
    for (int round = 0; hi - lo > 16; ++round) {
        if (round == 64) {
            qsort(x + lo, hi - lo, sizeof *x, cmp_double);
            return;
        }
        const size_t mid = lo + (hi - lo) / 2;
        double t;
        if (x[mid] < x[lo])
            t = x[mid], x[mid] = x[lo], x[lo] = t;
        if (x[hi - 1] < x[lo])
            t = x[hi - 1], x[hi - 1] = x[lo], x[lo] = t;
        if (x[hi - 1] < x[mid])
            t = x[hi - 1], x[hi - 1] = x[mid], x[mid] = t;
        const double piv = x[mid]; /* x[lo] <= piv <= x[hi - 1]: both scans stop in range */
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (x[i] < piv)
                ++i;
            while (x[j] > piv)
                --j;
            if (i >= j)
                break;
            t = x[i], x[i] = x[j], x[j] = t;
            ++i, --j;
        }
        /* x[lo, j] <= piv <= x[j + 1, hi) */
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
    for (size_t a = lo + 1; a < hi; ++a) { /* insertion sort of what is left */
        const double v = x[a];
        size_t b = a;
        for (; b > lo && x[b - 1] > v; --b)
            x[b] = x[b - 1];
        x[b] = v;
    }
}

void skm_describe_salary_stats(double *x, size_t m, double out[SKM_DESCRIBE_N_STATS])
{
    if (m == 0) {
        for (int s = 0; s < SKM_DESCRIBE_N_STATS; ++s)
            out[s] = NAN;
        return;
    }
    out[0] = gsl_stats_mean(x, 1, m);
    /* The order statistics the quantiles need, selected in increasing order (stat_q increases),
     * each search in what is right of the last: O(m) per quantile instead of a sort. The
     * formula is gsl_stats_quantile_from_sorted_data's on those statistics, so the results are
     * the same bits as sorting first. */
    size_t from = 0;
    for (int s = 1; s < SKM_DESCRIBE_N_STATS; ++s) {
        const double index = stat_q[s] * (double)(m - 1);
        const size_t lhs = (size_t)index;
        const double delta = index - (double)lhs;
        if (lhs >= from) {
            select_kth(x, from, m, lhs);
            from = lhs + 1;
        }
        if (lhs == m - 1) {
            out[s] = x[lhs];
        } else {
            double next = x[lhs + 1]; /* the smallest value right of lhs */
            for (size_t i = lhs + 2; i < m; ++i)
                if (x[i] < next)
                    next = x[i];
            out[s] = (1 - delta) * x[lhs] + delta * next;
        }
    }
}

int skm_describe_state_code(const char *location, char out[3])
{
    static const char codes[] =
        /* the 50 states, DC and the inhabited territories */
        "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
        "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP "
        /* Canadian provinces and territories */
        "AB BC MB NB NL NS NT NU ON PE QC SK YT ";
    out[0] = '\0';
    const char *c = location ? strrchr(location, ',') : NULL;
    if (!c)
        return 0;
    /* "Toronto, ON, Canada": a trailing country name steps back one comma */
    static const char *const countries[] = {"Canada", "USA", "US", "United States", NULL};
    const char *t = c + 1;
    while (*t == ' ')
        ++t;
    for (const char *const *k = countries; *k; ++k) {
        const size_t kn = strlen(*k);
        size_t tn = strlen(t);
        while (tn && t[tn - 1] == ' ')
            --tn;
        if (tn == kn && !strncmp(t, *k, kn)) {
            const char *prev = c;
            while (prev > location && prev[-1] != ',')
                --prev;
            if (prev > location)
                c = prev - 1;
            break;
        }
    }
    ++c;
    while (*c == ' ')
        ++c;
    const int two_caps = c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z';
    if (!two_caps || (c[2] != '\0' && c[2] != ' ' && c[2] != ','))
        return 0;
    for (const char *k = codes; *k; k += 3)
        if (k[0] == c[0] && k[1] == c[1]) {
            out[0] = c[0];
            out[1] = c[1];
            out[2] = '\0';
            return 1;
        }
    return 0;
}

/* ---- the run ------------------------------------------------------------------------------ */

enum { GK_LEVELS = 0, GK_REMOTE = 1, GK_STATE = 2 };

/* One grouping: its per-posting codes and, once ranked, its output levels and statistics. */
typedef struct dgroup {
    char name[MAX_NAME + 1]; /* the grouping: a /postings column, "remote" or "state" */
    int kind;                /* GK_* */
    int by;                  /* written as by_<name> */
    int top_by;              /* written as top_skills_by_<name> */
    char **lev;              /* GK_LEVELS: the store's level table (one malloc'ed block) */
    char **loc_lev;          /* GK_STATE: the location levels */
    size_t n_loc_lev;
    int32_t *loc_state;      /* GK_STATE: state of each location level, -1 none */
    char (*state)[3];        /* GK_STATE: the codes, in first-seen order over the locations */
    size_t n_lev;            /* levels of the codes */
    int32_t *code;           /* n: level, -1 missing */
    /* ranking */
    size_t named, L;         /* named output levels; all output levels */
    int other, missing;      /* "(other)" and "(missing)" present */
    int64_t n_pooled;        /* levels pooled into "(other)" */
    size_t *named_lev;       /* named: the level of each named slot */
    int32_t *slot;           /* n_lev: output slot of each level (-1: no posting) */
    const char **out_lev;    /* L */
    int64_t *count, *sal_n;  /* L */
    double *share;           /* L */
    double *stats;           /* SKM_DESCRIBE_N_STATS x L */
    /* top skills of each named level (top_by) */
    int64_t *skill_cnt;      /* named x p */
    const char **top_name;   /* named x T */
    double *top_share;       /* named x T */
} dgroup;

typedef struct drun {
    skm_ctx *ctx;
    const skm_describe_params *P;
    const char *store_path;
    skm_store *st;
    size_t n, p, T;
    double *salary;          /* n */
    int64_t *month;          /* n: year * 12 + month - 1, INT64_MIN no date */
    dgroup *g;
    size_t ng;
    skm_buf skipped;         /* the skipped groupings, comma-separated */
    skm_buf by;              /* the groupings written, comma-separated */
    int64_t salary_known;
    double overall[SKM_DESCRIBE_N_STATS];
    /* top skills overall (from /skills/doc_freq, checked against the matrix) */
    int64_t *doc_freq;       /* p */
    size_t *top;             /* T' = n_top */
    size_t n_top;
    const char **top_name;
    int64_t *top_cnt;
    double *top_share;
    /* months */
    int64_t month0;          /* the first month */
    size_t M, S;             /* months, skills followed per month */
    int32_t *top_pos;        /* p: position among the S monthly skills, -1 */
    int64_t *month_n;        /* M */
    int64_t *month_skill;    /* M x S */
    double *month_share;     /* M x S */
    char (*month_name)[32];  /* M */
} drun;

static void group_free(dgroup *G)
{
    free(G->lev);
    free(G->loc_lev);
    free(G->loc_state);
    free(G->state);
    free(G->code);
    free(G->named_lev);
    free(G->slot);
    free(G->out_lev);
    free(G->count);
    free(G->sal_n);
    free(G->share);
    free(G->stats);
    free(G->skill_cnt);
    free(G->top_name);
    free(G->top_share);
}

/* The /postings column a grouping reads. */
static const char *column_of(const dgroup *G)
{
    return G->kind == GK_STATE ? "location" : G->name;
}

static void drun_free(drun *R)
{
    for (size_t i = 0; i < R->ng; ++i)
        group_free(&R->g[i]);
    free(R->g);
    free(R->salary);
    free(R->month);
    skm_buf_free(&R->skipped);
    skm_buf_free(&R->by);
    free(R->doc_freq);
    free(R->top);
    free(R->top_name);
    free(R->top_cnt);
    free(R->top_share);
    free(R->top_pos);
    free(R->month_n);
    free(R->month_skill);
    free(R->month_share);
    free(R->month_name);
    if (R->st)
        skm_store_close(R->st);
}

static int check_params(skm_ctx *ctx, const skm_describe_params *P)
{
    if (P->top < 1 || P->top > 1000)
        return skm_error(ctx, SKM_EINVAL, "--top must be in 1..1000, not %zu", P->top);
    if (P->max_levels < 1 || P->max_levels > 1000000)
        return skm_error(ctx, SKM_EINVAL, "--max-levels must be in 1..1000000, not %zu",
                         P->max_levels);
    if (P->block_rows < 1 || P->block_rows > ((size_t)1 << 24))
        return skm_error(ctx, SKM_EINVAL, "describe: block rows must be in 1..16777216, not %zu",
                         P->block_rows);
    return SKM_OK;
}

static int is_known(const char *name)
{
    for (size_t i = 0; i < N_KNOWN; ++i)
        if (!strcmp(name, known_columns[i]))
            return 1;
    return 0;
}

static dgroup *find_group(drun *R, const char *name)
{
    for (size_t i = 0; i < R->ng; ++i)
        if (!strcmp(R->g[i].name, name))
            return &R->g[i];
    return NULL;
}

/* Append "s" to a comma-separated list. */
static int list_add(drun *R, skm_buf *b, const char *s)
{
    if (skm_buf_printf(b, "%s%s", b->len ? "," : "", s))
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    return SKM_OK;
}

/* Add the grouping `name` (by: written as by_<name>): match it with the store's columns, load
 * its level table. A documented grouping the store lacks is skipped (listed when `by`); any
 * other unknown name is SKM_EINVAL naming the option and the store. */
static int add_group(drun *R, const char *name, int by)
{
    dgroup G;
    memset(&G, 0, sizeof G);
    snprintf(G.name, sizeof G.name, "%s", name);
    G.by = by;
    G.top_by = !strcmp(name, "role_family") || !strcmp(name, "role");
    int rc = SKM_OK, present = 1;
    if (!strcmp(name, "remote")) {
        G.kind = GK_REMOTE;
        G.n_lev = 2; /* 0 yes, 1 no */
        int8_t probe;
        rc = skm_store_read_column(R->st, "remote", 0, 0, SKM_TYPE_I8, &probe);
        if (rc == SKM_ENOTFOUND)
            present = 0, rc = SKM_OK;
    } else if (!strcmp(name, "state")) {
        G.kind = GK_STATE;
        rc = skm_store_read_levels(R->st, "location", &G.loc_lev, &G.n_loc_lev);
        if (rc == SKM_ENOTFOUND)
            present = 0, rc = SKM_OK;
    } else {
        G.kind = GK_LEVELS;
        rc = skm_store_read_levels(R->st, name, &G.lev, &G.n_lev);
        if (rc == SKM_ENOTFOUND && is_known(name))
            present = 0, rc = SKM_OK;
        else if (rc == SKM_ENOTFOUND)
            rc = skm_error(R->ctx, SKM_EINVAL,
                           "--by: unknown column '%s': %s has no categorical column /postings/%s "
                           "(with /postings/%s_levels); groupings: role, role_family, seniority, "
                           "work_mode, remote, country, state, company, title, location, "
                           "salary_currency, or another column with a level table",
                           name, R->store_path, name, name);
    }
    if (rc || !present) {
        group_free(&G);
        if (!rc && by) {
            skm_log(R->ctx, SKM_LOG_INFO, "describe: %s has no /postings/%s: by_%s skipped",
                    R->store_path, G.kind == GK_STATE ? "location_levels" : name, name);
            rc = list_add(R, &R->skipped, name);
        }
        return rc;
    }
    if (G.kind == GK_STATE) {
        /* the state of each location level; codes numbered in first-seen order */
        G.loc_state = skm_malloc_array(G.n_loc_lev + 1, sizeof *G.loc_state);
        G.state = skm_malloc_array(G.n_loc_lev + 1, sizeof *G.state);
        if (!G.loc_state || !G.state) {
            group_free(&G);
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        }
        for (size_t l = 0; l < G.n_loc_lev; ++l) {
            char code[3];
            G.loc_state[l] = -1;
            if (!skm_describe_state_code(G.loc_lev[l], code))
                continue;
            size_t s = 0;
            while (s < G.n_lev && strcmp(G.state[s], code))
                ++s;
            if (s == G.n_lev)
                memcpy(G.state[G.n_lev++], code, 3);
            G.loc_state[l] = (int32_t)s;
        }
    }
    if (!(G.code = skm_malloc_array(R->n + 1, sizeof *G.code))) {
        group_free(&G);
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory for the %s codes", name);
    }
    dgroup *ng = skm_realloc_array(R->g, R->ng + 1, sizeof *ng);
    if (!ng) {
        group_free(&G);
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    }
    R->g = ng;
    R->g[R->ng++] = G;
    return by ? list_add(R, &R->by, name) : SKM_OK;
}

/* Parse --by and add its groupings, then role_family and role for the top skills per level. */
static int add_groups(drun *R)
{
    const char *s = R->P->by ? R->P->by : "";
    int rc = SKM_OK;
    while (*s && !rc) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        skm_trim(&s, &len);
        char name[MAX_NAME + 1];
        if (len == 0)
            rc = skm_error(R->ctx, SKM_EINVAL, "--by: empty item in '%s'", R->P->by);
        else if (len > MAX_NAME)
            rc = skm_error(R->ctx, SKM_EINVAL, "--by: '%.*s' is not a column (over %d bytes)",
                           (int)len, s, MAX_NAME);
        if (rc)
            break;
        memcpy(name, s, len);
        name[len] = '\0';
        int twice = find_group(R, name) != NULL;
        for (const char *k = R->skipped.ptr; k && *k && !twice;) {
            const size_t kl = strcspn(k, ",");
            twice = kl == len && !memcmp(k, name, len);
            k += kl + (k[kl] == ',');
        }
        if (twice)
            rc = skm_error(R->ctx, SKM_EINVAL, "--by: '%s' given twice", name);
        else
            rc = add_group(R, name, 1);
        if (!e)
            break;
        s = e + 1;
    }
    if (!rc && !find_group(R, "role_family"))
        rc = add_group(R, "role_family", 0);
    if (!rc && !find_group(R, "role"))
        rc = add_group(R, "role", 0);
    return rc;
}

/* ---- 2. the posting columns ----------------------------------------------------------------- */

/* Year * 12 + month - 1 of a time in seconds since the epoch (UTC; proleptic Gregorian). */
static int64_t month_of(int64_t t)
{
    int64_t d = t / 86400;
    if (t % 86400 < 0)
        --d;
    /* days to civil (H. Hinnant's algorithm) */
    const int64_t z = d + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = yoe + era * 400 + (m <= 2);
    return y * 12 + (m - 1);
}

static int bad_code(drun *R, const dgroup *G, int64_t row, long long v)
{
    return skm_error(R->ctx, SKM_EFORMAT,
                     "%s: /postings/%s[%lld] = %lld is outside its level table (%zu levels)",
                     R->store_path, column_of(G), (long long)row, v,
                     G->kind == GK_STATE ? G->n_loc_lev : G->n_lev);
}

static int read_columns(drun *R)
{
    const size_t B = R->P->block_rows, N = R->n;
    int64_t *t64 = skm_malloc_array(B, sizeof *t64);
    int32_t *t32 = skm_malloc_array(B, sizeof *t32);
    int8_t *t8 = skm_malloc_array(B, sizeof *t8);
    R->salary = skm_malloc_array(N + 1, sizeof *R->salary);
    R->month = skm_malloc_array(N + 1, sizeof *R->month);
    int rc = SKM_OK;
    if (!t64 || !t32 || !t8 || !R->salary || !R->month) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory reading the posting columns");
        goto done;
    }
    for (size_t r0 = 0; r0 < N && !rc; r0 += B) {
        const size_t nr = N - r0 < B ? N - r0 : B;
        const int64_t row0 = (int64_t)r0;
        if ((rc = skm_store_read_column(R->st, "salary_annual", row0, nr, SKM_TYPE_F64,
                                        R->salary + r0)) ||
            (rc = skm_store_read_column(R->st, "posted_date", row0, nr, SKM_TYPE_I64, t64)))
            break;
        for (size_t i = 0; i < nr; ++i)
            R->month[r0 + i] = t64[i] == SKM_DATE_MISSING ? INT64_MIN : month_of(t64[i]);
        for (size_t q = 0; q < R->ng && !rc; ++q) {
            dgroup *G = &R->g[q];
            int32_t *c = G->code + r0;
            if (G->kind == GK_REMOTE) {
                if ((rc = skm_store_read_column(R->st, "remote", row0, nr, SKM_TYPE_I8, t8)))
                    break;
                for (size_t i = 0; i < nr && !rc; ++i) {
                    c[i] = t8[i] == 1 ? 0 : t8[i] == 0 ? 1 : -1;
                    if (t8[i] < -1 || t8[i] > 1)
                        rc = skm_error(R->ctx, SKM_EFORMAT,
                                       "%s: /postings/remote[%lld] = %d is not 1, 0 or -1",
                                       R->store_path, (long long)(r0 + i), (int)t8[i]);
                }
            } else if (G->kind == GK_STATE) {
                if ((rc = skm_store_read_column(R->st, "location", row0, nr, SKM_TYPE_I32, t32)))
                    break;
                for (size_t i = 0; i < nr && !rc; ++i) {
                    if (t32[i] < -1 || t32[i] >= (int64_t)G->n_loc_lev)
                        rc = bad_code(R, G, (int64_t)(r0 + i), t32[i]);
                    else
                        c[i] = t32[i] < 0 ? -1 : G->loc_state[t32[i]];
                }
            } else {
                if ((rc = skm_store_read_column(R->st, column_of(G), row0, nr, SKM_TYPE_I32, c)))
                    break;
                for (size_t i = 0; i < nr && !rc; ++i)
                    if (c[i] < -1 || c[i] >= (int64_t)G->n_lev)
                        rc = bad_code(R, G, (int64_t)(r0 + i), c[i]);
            }
        }
        skm_progress(R->ctx, "describe: columns", (uint64_t)(r0 + nr), (uint64_t)N);
        if (!rc && skm_interrupted(R->ctx))
            rc = skm_error(R->ctx, SKM_EINTERRUPT, "interrupted");
    }
done:
    free(t64);
    free(t32);
    free(t8);
    return rc;
}

/* ---- 3. levels and salaries ----------------------------------------------------------------- */

static int known_salary(double s)
{
    return isfinite(s) && s > 0;
}

/* Rank the levels of G by postings (ties: level order), name at most max_levels, pool the rest
 * as "(other)", then "(missing)"; set the output levels' names, counts and shares. */
static int rank_levels(drun *R, dgroup *G)
{
    const size_t nl = G->n_lev, N = R->n;
    int64_t *cnt = skm_calloc_array(nl + 1, sizeof *cnt);
    size_t *ord = skm_malloc_array(nl + 1, sizeof *ord);
    G->slot = skm_malloc_array(nl + 1, sizeof *G->slot);
    int rc = SKM_OK;
    if (!cnt || !ord || !G->slot) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    int64_t n_missing = 0;
    for (size_t r = 0; r < N; ++r) {
        if (G->code[r] < 0)
            ++n_missing;
        else
            cnt[G->code[r]]++;
    }
    size_t nz = 0;
    for (size_t l = 0; l < nl; ++l)
        if (cnt[l] > 0)
            ord[nz++] = l;
    /* most postings first, ties: level order (a stable bottom-up merge sort) */
    size_t *tmp = skm_malloc_array(nz + 1, sizeof *tmp);
    if (!tmp) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t w = 1; w < nz; w *= 2) {
        for (size_t a = 0; a < nz; a += 2 * w) {
            const size_t m = a + w < nz ? a + w : nz, e = a + 2 * w < nz ? a + 2 * w : nz;
            size_t i = a, j = m, k = a;
            while (i < m && j < e)
                tmp[k++] = cnt[ord[j]] > cnt[ord[i]] ? ord[j++] : ord[i++];
            while (i < m)
                tmp[k++] = ord[i++];
            while (j < e)
                tmp[k++] = ord[j++];
        }
        memcpy(ord, tmp, nz * sizeof *ord);
    }
    free(tmp);
    G->named = nz < R->P->max_levels ? nz : R->P->max_levels;
    G->other = nz > G->named;
    G->n_pooled = (int64_t)(nz - G->named);
    G->missing = n_missing > 0;
    G->L = G->named + (size_t)G->other + (size_t)G->missing;
    const size_t L = G->L;
    G->named_lev = skm_malloc_array(G->named + 1, sizeof *G->named_lev);
    G->out_lev = skm_calloc_array(L + 1, sizeof *G->out_lev);
    G->count = skm_calloc_array(L + 1, sizeof *G->count);
    G->sal_n = skm_calloc_array(L + 1, sizeof *G->sal_n);
    G->share = skm_malloc_array(L + 1, sizeof *G->share);
    G->stats = skm_malloc_array(SKM_DESCRIBE_N_STATS * L + 1, sizeof *G->stats);
    if (!G->named_lev || !G->out_lev || !G->count || !G->sal_n || !G->share || !G->stats) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t l = 0; l < nl; ++l)
        G->slot[l] = cnt[l] > 0 ? (int32_t)G->named : -1; /* "(other)" unless named below */
    for (size_t i = 0; i < G->named; ++i) {
        const size_t l = ord[i];
        G->named_lev[i] = l;
        G->slot[l] = (int32_t)i;
        G->out_lev[i] = G->kind == GK_LEVELS ? G->lev[l]
                        : G->kind == GK_STATE ? G->state[l]
                                              : (l == 0 ? "yes" : "no");
        G->count[i] = cnt[l];
    }
    if (G->other) {
        G->out_lev[G->named] = "(other)";
        for (size_t i = G->named; i < nz; ++i)
            G->count[G->named] += cnt[ord[i]];
    }
    if (G->missing) {
        G->out_lev[L - 1] = "(missing)";
        G->count[L - 1] = n_missing;
    }
    for (size_t i = 0; i < L; ++i)
        G->share[i] = (double)G->count[i] / (double)N; /* L > 0 implies N > 0 */
done:
    free(cnt);
    free(ord);
    return rc;
}

/* The output slot of posting r in G. */
static size_t slot_of(const dgroup *G, size_t r)
{
    return G->code[r] < 0 ? G->L - 1 : (size_t)G->slot[G->code[r]];
}

/* Salary statistics of every output level of G; buf holds n doubles, off L + 1 offsets. */
static void group_salaries(drun *R, dgroup *G, double *buf, int64_t *off)
{
    const size_t L = G->L, N = R->n;
    memset(off, 0, (L + 1) * sizeof *off);
    for (size_t r = 0; r < N; ++r)
        if (known_salary(R->salary[r]))
            off[slot_of(G, r) + 1]++;
    for (size_t i = 0; i < L; ++i) {
        G->sal_n[i] = off[i + 1];
        off[i + 1] += off[i];
    }
    for (size_t r = 0; r < N; ++r)
        if (known_salary(R->salary[r]))
            buf[off[slot_of(G, r)]++] = R->salary[r];
    /* off[i] now ends level i: it starts at off[i] - sal_n[i] */
    double st[SKM_DESCRIBE_N_STATS];
    for (size_t i = 0; i < L; ++i) {
        const size_t m = (size_t)G->sal_n[i];
        skm_describe_salary_stats(buf + (size_t)off[i] - m, m, st);
        for (int s = 0; s < SKM_DESCRIBE_N_STATS; ++s)
            G->stats[(size_t)s * L + i] = st[s];
    }
}

static int salaries(drun *R)
{
    const size_t N = R->n;
    size_t maxL = 0;
    for (size_t q = 0; q < R->ng; ++q)
        maxL = R->g[q].L > maxL ? R->g[q].L : maxL;
    double *buf = skm_malloc_array(N + 1, sizeof *buf);
    int64_t *off = skm_malloc_array(maxL + 2, sizeof *off);
    if (!buf || !off) {
        free(buf);
        free(off);
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory for the salaries");
    }
    size_t m = 0;
    for (size_t r = 0; r < N; ++r)
        if (known_salary(R->salary[r]))
            buf[m++] = R->salary[r];
    R->salary_known = (int64_t)m;
    skm_describe_salary_stats(buf, m, R->overall);
    for (size_t q = 0; q < R->ng; ++q)
        if (R->g[q].by)
            group_salaries(R, &R->g[q], buf, off);
    free(buf);
    free(off);
    return SKM_OK;
}

/* ---- 4. skills ---------------------------------------------------------------------------- */

/* The indices of the T largest of cnt[0..m) that are > 0, largest first (ties: lower index),
 * into out; returns how many. */
static size_t top_by_count(const int64_t *cnt, size_t m, size_t T, size_t *out)
{
    size_t got = 0;
    for (size_t j = 0; j < m; ++j) {
        if (cnt[j] <= 0 || (got == T && cnt[j] <= cnt[out[T - 1]]))
            continue;
        size_t pos = got < T ? got++ : T - 1;
        while (pos > 0 && cnt[j] > cnt[out[pos - 1]]) {
            out[pos] = out[pos - 1];
            --pos;
        }
        out[pos] = j;
    }
    return got;
}

/* The months from the first to the last dated posting. */
static int months(drun *R)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t r = 0; r < R->n; ++r)
        if (R->month[r] != INT64_MIN) {
            lo = R->month[r] < lo ? R->month[r] : lo;
            hi = R->month[r] > hi ? R->month[r] : hi;
        }
    if (hi == INT64_MIN)
        return SKM_OK; /* no dates: no /describe/monthly */
    if (hi - lo >= MAX_MONTHS)
        return skm_error(R->ctx, SKM_ELIMIT,
                         "%s: /postings/posted_date spans %lld months (years %lld to %lld); "
                         "describe covers at most %d",
                         R->store_path, (long long)(hi - lo + 1), (long long)(lo / 12),
                         (long long)(hi / 12), MAX_MONTHS);
    R->month0 = lo;
    R->M = (size_t)(hi - lo + 1);
    R->month_n = skm_calloc_array(R->M, sizeof *R->month_n);
    R->month_name = skm_malloc_array(R->M, sizeof *R->month_name);
    if (!R->month_n || !R->month_name)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    for (size_t m = 0; m < R->M; ++m) {
        const int64_t v = lo + (int64_t)m;
        const int64_t y = v >= 0 ? v / 12 : -((-v + 11) / 12);
        snprintf(R->month_name[m], sizeof R->month_name[m], "%04lld-%02d", (long long)y,
                 (int)(v - y * 12 + 1));
    }
    for (size_t r = 0; r < R->n; ++r)
        if (R->month[r] != INT64_MIN)
            R->month_n[R->month[r] - lo]++;
    return SKM_OK;
}

/* The top skills overall from /skills/doc_freq; the positions of the S monthly ones. */
static int top_overall(drun *R)
{
    const size_t p = R->p, T = R->T;
    R->doc_freq = skm_malloc_array(p + 1, sizeof *R->doc_freq);
    R->top = skm_malloc_array(T, sizeof *R->top);
    R->top_pos = skm_malloc_array(p + 1, sizeof *R->top_pos);
    if (!R->doc_freq || !R->top || !R->top_pos)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    for (size_t j = 0; j < p; ++j) {
        R->doc_freq[j] = skm_store_skill_doc_freq(R->st, (int64_t)j);
        R->top_pos[j] = -1;
    }
    R->n_top = top_by_count(R->doc_freq, p, T, R->top);
    R->S = R->n_top < 10 ? R->n_top : 10;
    for (size_t s = 0; s < R->S; ++s)
        R->top_pos[R->top[s]] = (int32_t)s;
    R->top_name = skm_calloc_array(R->n_top + 1, sizeof *R->top_name);
    R->top_cnt = skm_calloc_array(R->n_top + 1, sizeof *R->top_cnt);
    R->top_share = skm_calloc_array(R->n_top + 1, sizeof *R->top_share);
    if (!R->top_name || !R->top_cnt || !R->top_share)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    for (size_t t = 0; t < R->n_top; ++t) {
        R->top_name[t] = skm_store_skill_name(R->st, (int64_t)R->top[t]);
        R->top_cnt[t] = R->doc_freq[R->top[t]];
        R->top_share[t] = (double)R->top_cnt[t] / (double)R->n;
    }
    if (R->M) {
        R->month_skill = skm_calloc_array(R->M * R->S + 1, sizeof *R->month_skill);
        R->month_share = skm_malloc_array(R->M * R->S + 1, sizeof *R->month_share);
        if (!R->month_skill || !R->month_share)
            return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    }
    return SKM_OK;
}

/* The pass over the matrix: skill presence overall (checked against doc_freq), per named level
 * of the top_by groupings, per month for the S monthly skills. */
static int skill_pass(drun *R)
{
    const size_t B = R->P->block_rows, N = R->n, p = R->p;
    dgroup *tb[2];
    size_t ntb = 0;
    for (size_t q = 0; q < R->ng; ++q) {
        dgroup *G = &R->g[q];
        if (!G->top_by || G->named == 0)
            continue;
        if (!(G->skill_cnt = skm_calloc_array(G->named * p + 1, sizeof *G->skill_cnt)))
            return skm_error(R->ctx, SKM_ENOMEM,
                             "out of memory for the skill counts of %zu %s levels x %zu skills",
                             G->named, G->name, p);
        tb[ntb++] = G;
    }
    int64_t *cnt = skm_calloc_array(p + 1, sizeof *cnt);
    skm_csr_block *blk = skm_csr_block_alloc(B, B * 16);
    int rc = SKM_OK;
    if (!cnt || !blk) {
        rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory reading the matrix");
        goto done;
    }
    for (size_t r0 = 0; r0 < N && !rc; r0 += B) {
        const size_t nr = N - r0 < B ? N - r0 : B;
        if ((rc = skm_store_read_block(R->st, (int64_t)r0, nr, blk)))
            break;
        for (size_t i = 0; i < nr; ++i) {
            const size_t r = r0 + i;
            const int64_t b = blk->indptr[i], e = blk->indptr[i + 1];
            for (int64_t k = b; k < e; ++k)
                cnt[blk->indices[k]]++;
            for (size_t t = 0; t < ntb; ++t) {
                const int32_t c = tb[t]->code[r];
                const int32_t s = c < 0 ? -1 : tb[t]->slot[c];
                if (s < 0 || (size_t)s >= tb[t]->named)
                    continue;
                int64_t *row = tb[t]->skill_cnt + (size_t)s * p;
                for (int64_t k = b; k < e; ++k)
                    row[blk->indices[k]]++;
            }
            if (R->M && R->month[r] != INT64_MIN) {
                int64_t *row = R->month_skill + (size_t)(R->month[r] - R->month0) * R->S;
                for (int64_t k = b; k < e; ++k)
                    if (R->top_pos[blk->indices[k]] >= 0)
                        row[R->top_pos[blk->indices[k]]]++;
            }
        }
        skm_progress(R->ctx, "describe: skills", (uint64_t)(r0 + nr), (uint64_t)N);
        if (skm_interrupted(R->ctx))
            rc = skm_error(R->ctx, SKM_EINTERRUPT, "interrupted");
    }
    for (size_t j = 0; j < p && !rc; ++j)
        if (cnt[j] != R->doc_freq[j])
            rc = skm_error(R->ctx, SKM_EFORMAT,
                           "%s: /skills/doc_freq[%zu] = %lld, but /matrix lists skill '%s' in "
                           "%lld postings (a damaged store)",
                           R->store_path, j, (long long)R->doc_freq[j],
                           skm_store_skill_name(R->st, (int64_t)j), (long long)cnt[j]);
done:
    free(cnt);
    skm_csr_block_free(blk);
    if (rc)
        return rc;
    /* the top skills of each named level, by share within the level */
    const size_t T = R->T;
    size_t *idx = skm_malloc_array(T, sizeof *idx);
    if (!idx)
        return skm_error(R->ctx, SKM_ENOMEM, "out of memory");
    for (size_t t = 0; t < ntb && !rc; ++t) {
        dgroup *G = tb[t];
        G->top_name = skm_calloc_array(G->named * T, sizeof *G->top_name);
        G->top_share = skm_malloc_array(G->named * T, sizeof *G->top_share);
        if (!G->top_name || !G->top_share) {
            rc = skm_error(R->ctx, SKM_ENOMEM, "out of memory");
            break;
        }
        for (size_t s = 0; s < G->named; ++s) {
            const int64_t *row = G->skill_cnt + s * p;
            const size_t got = top_by_count(row, p, T, idx);
            for (size_t k = 0; k < T; ++k) {
                G->top_name[s * T + k] = k < got ? skm_store_skill_name(R->st, (int64_t)idx[k])
                                                 : "";
                G->top_share[s * T + k] =
                    k < got ? (double)row[idx[k]] / (double)G->count[s] : NAN;
            }
        }
    }
    free(idx);
    for (size_t m = 0; m < R->M; ++m)
        for (size_t s = 0; s < R->S; ++s)
            R->month_share[m * R->S + s] =
                R->month_n[m] ? (double)R->month_skill[m * R->S + s] / (double)R->month_n[m]
                              : NAN;
    return rc;
}

/* ---- 5. writing --------------------------------------------------------------------------- */

/* The salary count and statistics of L levels (stats: SKM_DESCRIBE_N_STATS x L) under g. */
static int write_salary(skm_h5_out *o, hid_t g, const char *gpath, size_t L,
                        const int64_t *sal_n, const double *stats)
{
    int rc = skm_h5_write_child(o, g, gpath, "salary_count", H5T_STD_I64LE, H5T_NATIVE_INT64, L, 0,
                                sal_n,
                                "Postings with an annual salary (/postings/salary_annual finite "
                                "and > 0)",
                                "postings");
    for (int s = 0; s < SKM_DESCRIBE_N_STATS && !rc; ++s)
        rc = skm_h5_write_child(o, g, gpath, stat_name[s], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, L,
                                0, stats + (size_t)s * L, stat_desc[s], salary_units);
    return rc;
}

static int write_group(skm_h5_out *o, hid_t parent, const dgroup *G)
{
    char gpath[128], desc[256];
    hid_t g = -1;
    snprintf(gpath, sizeof gpath, DG "/by_%s", G->name);
    if (G->kind == GK_STATE)
        snprintf(desc, sizeof desc, "Postings and annual salaries by US state or Canadian "
                                    "province (read from /postings/location; attribute rule)");
    else if (G->kind == GK_REMOTE)
        snprintf(desc, sizeof desc, "Postings and annual salaries by /postings/remote (yes, no, "
                                    "(missing))");
    else
        snprintf(desc, sizeof desc, "Postings and annual salaries by level of /postings/%s",
                 G->name);
    int rc = skm_h5_create_group(o, parent, gpath + strlen(DG "/"), gpath, desc, &g);
    if (!rc)
        rc = skm_h5_write_child(o, g, gpath, "levels", o->t_str, o->t_str, G->L, 0, G->out_lev,
                                "Level names, most postings first (ties: level order in the "
                                "store); \"(other)\" pools the levels past --max-levels, "
                                "\"(missing)\" counts the postings without a value",
                                NULL);
    if (!rc)
        rc = skm_h5_write_child(o, g, gpath, "count", H5T_STD_I64LE, H5T_NATIVE_INT64, G->L, 0,
                                G->count, "Postings at each level", "postings");
    if (!rc)
        rc = skm_h5_write_child(o, g, gpath, "share", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, G->L, 0,
                                G->share, "count / n_postings (all postings of the store)",
                                NULL);
    if (!rc)
        rc = write_salary(o, g, gpath, G->L, G->sal_n, G->stats);
    if (!rc)
        rc = skm_h5_out_attr_str(o, g, gpath, "column", column_of(G));
    if (!rc)
        rc = skm_h5_out_attr_i64(o, g, gpath, "levels_pooled", G->n_pooled);
    if (!rc && G->kind == GK_STATE)
        rc = skm_h5_out_attr_str(o, g, gpath, "rule", state_rule);
    skm_h5_close(g);
    return rc;
}

static int write_top_by(drun *R, skm_h5_out *o, hid_t parent, const dgroup *G)
{
    const size_t T = R->T, L = G->named;
    char gpath[128], desc[256];
    hid_t g = -1;
    snprintf(gpath, sizeof gpath, DG "/top_skills_by_%s", G->name);
    snprintf(desc, sizeof desc,
             "The top skills of each level of /postings/%s with postings (most postings first; "
             "at most --max-levels levels), by share of the level's postings",
             G->name);
    int rc = skm_h5_create_group(o, parent, gpath + strlen(DG "/"), gpath, desc, &g);
    if (!rc)
        rc = skm_h5_write_child(o, g, gpath, "levels", o->t_str, o->t_str, L, 0, G->out_lev,
                                "Levels with at least one posting, most postings first (ties: "
                                "level order in the store)",
                                NULL);
    if (!rc)
        rc = skm_h5_write_child(o, g, gpath, "count", H5T_STD_I64LE, H5T_NATIVE_INT64, L, 0,
                                G->count, "Postings at each level", "postings");
    if (!rc)
        rc = skm_h5_write_child(o, g, gpath, "name", o->t_str, o->t_str, L, T, G->top_name,
                                "Each level's top skills (levels x top) by share within the "
                                "level (ties: store order), \"\" past the end",
                                NULL);
    if (!rc)
        rc = skm_h5_write_child(o, g, gpath, "share", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, L, T,
                                G->top_share,
                                "Share of the level's postings listing the skill; NaN past the "
                                "end",
                                NULL);
    skm_h5_close(g);
    return rc;
}

static int write_results(drun *R, const char *out_path, double t0)
{
    skm_ctx *ctx = R->ctx;
    const skm_describe_params *P = R->P;
    skm_h5_out o;
    hid_t g = -1, gs = -1;
    const char **mname = skm_malloc_array(R->M + 1, sizeof *mname);
    if (!mname)
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    for (size_t m = 0; m < R->M; ++m)
        mname[m] = R->month_name[m];
    int rc = skm_h5_out_create_results(ctx, out_path, "describe", &o);
    if (rc)
        goto out;
    const hid_t S = o.t_str, F64 = H5T_IEEE_F64LE, D64 = H5T_NATIVE_DOUBLE, I64 = H5T_STD_I64LE,
                N64 = H5T_NATIVE_INT64;
    if ((rc = skm_h5_create_group(&o, o.file, "describe", DG,
                                  "The market: postings, salary coverage and quantiles overall "
                                  "and by grouping, top skills, months (skillmat describe)",
                                  &g)))
        goto out;
    /* overall */
    {
        const int64_t n1 = (int64_t)R->n;
        if ((rc = skm_h5_create_group(&o, g, "overall", DG "/overall",
                                      "All postings: count, salary count, mean and quantiles "
                                      "(each dataset of shape (1,))",
                                      &gs)) ||
            (rc = skm_h5_write_child(&o, gs, DG "/overall", "count", I64, N64, 1, 0, &n1,
                                     "Postings in the store", "postings")) ||
            (rc = write_salary(&o, gs, DG "/overall", 1, &R->salary_known, R->overall)))
            goto out;
        skm_h5_close(gs);
        gs = -1;
    }
    for (size_t q = 0; q < R->ng; ++q)
        if (R->g[q].by && (rc = write_group(&o, g, &R->g[q])))
            goto out;
    if ((rc = skm_h5_create_group(&o, g, "top_skills", DG "/top_skills",
                                  "The skills listed by most postings (presence)", &gs)) ||
        (rc = skm_h5_write_child(&o, gs, DG "/top_skills", "name", S, S, R->n_top, 0,
                                 R->top_name,
                                 "Skill names, most postings first (ties: store order); at "
                                 "most top, only skills listed at least once",
                                 NULL)) ||
        (rc = skm_h5_write_child(&o, gs, DG "/top_skills", "count", I64, N64, R->n_top, 0,
                                 R->top_cnt, "Postings listing the skill (presence)",
                                 "postings")) ||
        (rc = skm_h5_write_child(&o, gs, DG "/top_skills", "share", F64, D64, R->n_top, 0,
                                 R->top_share, "count / n_postings", NULL)))
        goto out;
    skm_h5_close(gs);
    gs = -1;
    for (size_t q = 0; q < R->ng; ++q)
        if (R->g[q].top_by && R->g[q].named > 0 && (rc = write_top_by(R, &o, g, &R->g[q])))
            goto out;
    if (R->M) {
        const char **sk = skm_malloc_array(R->S + 1, sizeof *sk);
        if (!sk) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t s = 0; s < R->S; ++s)
            sk[s] = R->top_name[s];
        if (!(rc = skm_h5_create_group(&o, g, "monthly", DG "/monthly",
                                       "Postings per month of /postings/posted_date (UTC) and "
                                       "the shares of the top skills",
                                       &gs)) &&
            !(rc = skm_h5_write_child(&o, gs, DG "/monthly", "month", S, S, R->M, 0, mname,
                                      "YYYY-MM, every month from the first to the last dated "
                                      "posting",
                                      NULL)) &&
            !(rc = skm_h5_write_child(&o, gs, DG "/monthly", "count", I64, N64, R->M, 0,
                                      R->month_n, "Postings posted in the month", "postings")) &&
            !(rc = skm_h5_write_child(&o, gs, DG "/monthly", "skills", S, S, R->S, 0, sk,
                                      "The overall top skills followed (the first min(10, top) "
                                      "of top_skills/name)",
                                      NULL)))
            rc = skm_h5_write_child(&o, gs, DG "/monthly", "skill_share", F64, D64, R->M, R->S,
                                    R->month_share,
                                    "Share of the month's postings listing each skill (months x "
                                    "skills); NaN for a month with no postings",
                                    NULL);
        free(sk);
        if (rc)
            goto out;
        skm_h5_close(gs);
        gs = -1;
    }
#define AI(name, v) skm_h5_out_attr_i64(&o, g, DG, name, (int64_t)(v))
#define AS(name, v) skm_h5_out_attr_str(&o, g, DG, name, v)
    if ((rc = AI("n_postings", R->n)) || (rc = AI("salary_known", R->salary_known)) ||
        (rc = AI("n_skills", R->p)) || (rc = AI("top", R->T)) ||
        (rc = AI("max_levels", P->max_levels)) || (rc = AS("by", R->by.ptr ? R->by.ptr : "")) ||
        (rc = AS("skipped", R->skipped.ptr ? R->skipped.ptr : "")) ||
        (rc = skm_h5_out_attr_f64(&o, g, DG, "seconds", skm_now() - t0)) ||
        (rc = skm_h5_out_attr_provenance(&o, g, DG, R->st, R->store_path, P->command_line)))
        goto out;
#undef AI
#undef AS
    skm_h5_close(g);
    g = -1;
    rc = skm_h5_out_commit(&o);
out:
    skm_h5_close(gs);
    skm_h5_close(g);
    skm_h5_out_abort(&o);
    free(mname);
    return rc;
}

/* ---- the entry point ---------------------------------------------------------------------- */

/* SKM_EINVAL when out_path names the store itself (the same file under any name). */
static int check_paths(skm_ctx *ctx, const char *store_path, const char *out_path)
{
    struct stat a, b;
    if (stat(store_path, &a) == 0 && stat(out_path, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino)
        return skm_error(ctx, SKM_EINVAL,
                         "describe: the results file %s is the store %s itself; write the "
                         "results to another file (-o RESULTS.h5)",
                         out_path, store_path);
    return SKM_OK;
}

static int describe_run(drun *R, const char *out_path, double t0)
{
    int rc;
    if ((rc = skm_store_open(R->ctx, R->store_path, &R->st)))
        return rc;
    R->n = (size_t)skm_store_n_rows(R->st);
    R->p = (size_t)skm_store_n_cols(R->st);
    if ((rc = add_groups(R)) || (rc = read_columns(R)))
        return rc;
    for (size_t q = 0; q < R->ng; ++q)
        if ((rc = rank_levels(R, &R->g[q])))
            return rc;
    if ((rc = salaries(R)) || (rc = months(R)) || (rc = top_overall(R)) ||
        (rc = skill_pass(R)) || (rc = write_results(R, out_path, t0)))
        return rc;
    size_t n_by = 0;
    for (size_t q = 0; q < R->ng; ++q)
        n_by += (size_t)R->g[q].by;
    skm_log(R->ctx, SKM_LOG_INFO,
            "describe: %zu postings, %lld with a salary, %zu groupings%s%s, %zu months; %.2f s",
            R->n, (long long)R->salary_known, n_by,
            R->skipped.len ? " (skipped: " : "", R->skipped.len ? R->skipped.ptr : "", R->M,
            skm_now() - t0);
    return SKM_OK;
}

int skm_describe(skm_ctx *ctx, const char *store_path, const char *out_path,
                 const skm_describe_params *params)
{
    if (!ctx)
        return SKM_EINVAL;
    if (!store_path || !out_path || !params)
        return skm_error(ctx, SKM_EINVAL, "describe: no store, output or parameters");
    int rc = check_params(ctx, params);
    if (rc || (rc = check_paths(ctx, store_path, out_path)))
        return rc;
    const double t0 = skm_now();
    drun R;
    memset(&R, 0, sizeof R);
    R.ctx = ctx;
    R.P = params;
    R.store_path = store_path;
    R.T = params->top;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    rc = describe_run(&R, out_path, t0);
    skm_h5_quiet_end(&q);
    drun_free(&R);
    return rc;
}

/* ---- the summary -------------------------------------------------------------------------- */

/* "123,456", or "n/a" for NaN. */
static const char *money(char buf[32], double v)
{
    if (!isfinite(v)) {
        snprintf(buf, 32, "n/a");
        return buf;
    }
    return skm_group_int(buf, llround(v));
}

/* The quartile table of /describe/by_<by>, when the file has it. */
static int print_by(skm_ctx *ctx, const char *F, hid_t file, const char *by, const char *title,
                    FILE *out)
{
    char g[96], path[160];
    snprintf(g, sizeof g, "describe/by_%s", by);
    if (H5Lexists(file, g, H5P_DEFAULT) <= 0)
        return SKM_OK;
    char **lev = NULL;
    int64_t *cnt = NULL, *sn = NULL;
    double *q1 = NULL, *med = NULL, *q3 = NULL;
    size_t L = 0, m;
#define RD(ds, mt, ptr)                                                                            \
    (snprintf(path, sizeof path, "%s/%s", g, ds),                                                  \
     skm_h5_read_1d(ctx, F, file, path, mt, sizeof **(ptr), (int64_t)L, (void **)(ptr), &m))
    snprintf(path, sizeof path, "%s/levels", g);
    int rc = skm_h5_read_strings(ctx, F, file, path, -1, &lev, &L);
    if (!rc && !(rc = RD("count", H5T_NATIVE_INT64, &cnt)) &&
        !(rc = RD("salary_count", H5T_NATIVE_INT64, &sn)) &&
        !(rc = RD("salary_p25", H5T_NATIVE_DOUBLE, &q1)) &&
        !(rc = RD("salary_median", H5T_NATIVE_DOUBLE, &med)))
        rc = RD("salary_p75", H5T_NATIVE_DOUBLE, &q3);
#undef RD
    if (rc == SKM_ENOTFOUND)
        rc = skm_error(ctx, SKM_EFORMAT, "%s: /%s is incomplete", F, g);
    if (!rc && L > 0) {
        fprintf(out, "\n%-26s %9s %9s %10s %10s %10s\n", title, "postings", "salaried", "p25",
                "median", "p75");
        for (size_t i = 0; i < L; ++i) {
            char a[32], b[32], c[32], d[32], e[32];
            fprintf(out, "  %-24.24s %9s %9s %10s %10s %10s\n", lev[i], skm_group_int(a, cnt[i]),
                    skm_group_int(b, sn[i]), money(c, q1[i]), money(d, med[i]), money(e, q3[i]));
        }
    }
    free(lev);
    free(cnt);
    free(sn);
    free(q1);
    free(med);
    free(q3);
    return rc;
}

int skm_describe_print(skm_ctx *ctx, const char *results_path, FILE *out)
{
    const char *F = results_path;
    skm_h5_quiet qt;
    skm_h5_quiet_begin(&qt);
    hid_t file = H5Fopen(F, H5F_ACC_RDONLY, H5P_DEFAULT), g = -1;
    int rc = SKM_OK;
    int64_t n = 0, known = 0;
    double st[SKM_DESCRIBE_N_STATS];
    double *one = NULL, *share = NULL;
    char **name = NULL, **month = NULL, *skipped = NULL;
    int64_t *mcount = NULL;
    size_t k = 0, M = 0, m;
    if (file < 0) {
        rc = skm_h5_fail(ctx, SKM_EIO, F, "opening", "/");
        goto done;
    }
    if (H5Lexists(file, "describe", H5P_DEFAULT) <= 0) {
        rc = skm_error(ctx, SKM_ENOTFOUND, "%s has no /describe group (run skillmat describe)",
                       F);
        goto done;
    }
    if ((g = H5Gopen2(file, "describe", H5P_DEFAULT)) < 0) {
        rc = skm_h5_fail(ctx, SKM_EHDF5, F, "opening", DG);
        goto done;
    }
    if ((rc = skm_h5_attr_read_num(ctx, F, g, DG, "n_postings", H5T_NATIVE_INT64, &n)) ||
        (rc = skm_h5_attr_read_num(ctx, F, g, DG, "salary_known", H5T_NATIVE_INT64, &known)) ||
        (rc = skm_h5_attr_read_str(ctx, F, g, DG, "skipped", &skipped)))
        goto done;
    for (int s = 0; s < SKM_DESCRIBE_N_STATS; ++s) {
        char path[64];
        snprintf(path, sizeof path, "overall/%s", stat_name[s]);
        if ((rc = skm_h5_read_1d(ctx, F, g, path, H5T_NATIVE_DOUBLE, sizeof(double), 1,
                                 (void **)&one, &m))) {
            if (rc == SKM_ENOTFOUND)
                rc = skm_error(ctx, SKM_EFORMAT, "%s: /describe/overall is incomplete", F);
            goto done;
        }
        st[s] = one[0];
        free(one);
        one = NULL;
    }
    char a[32], b[32], c[32], d[32], e[32], f[32];
    fprintf(out, "Market: %s postings, %s with an annual salary (%.1f %%)\n",
            skm_group_int(a, n), skm_group_int(b, known),
            n ? 100.0 * (double)known / (double)n : 0.0);
    fprintf(out, "Annual salary (as given, no exchange rates): p25 %s, median %s, p75 %s "
                 "(p10 %s, p90 %s, mean %s)\n",
            money(a, st[2]), money(b, st[3]), money(c, st[4]), money(d, st[1]), money(e, st[5]),
            money(f, st[0]));
    if ((rc = print_by(ctx, F, file, "seniority", "By seniority", out)) ||
        (rc = print_by(ctx, F, file, "role_family", "By role family", out)))
        goto done;
    if (skipped && *skipped)
        fprintf(out, "\n(not in this store, skipped: %s)\n", skipped);
    if ((rc = skm_h5_read_strings(ctx, F, g, "top_skills/name", -1, &name, &k)) ||
        (rc = skm_h5_read_1d(ctx, F, g, "top_skills/share", H5T_NATIVE_DOUBLE, sizeof(double),
                             (int64_t)k, (void **)&share, &m))) {
        if (rc == SKM_ENOTFOUND)
            rc = skm_error(ctx, SKM_EFORMAT, "%s: /describe/top_skills is incomplete", F);
        goto done;
    }
    fprintf(out, "\nTop skills (share of postings)%s\n", k ? "" : ": no posting lists a skill");
    for (size_t i = 0; i < k && i < 10; ++i)
        fprintf(out, "  %2zu. %-28s %5.1f %%\n", i + 1, name[i], 100.0 * share[i]);
    if (H5Lexists(g, "monthly", H5P_DEFAULT) > 0) {
        if ((rc = skm_h5_read_strings(ctx, F, g, "monthly/month", -1, &month, &M)) ||
            (rc = skm_h5_read_1d(ctx, F, g, "monthly/count", H5T_NATIVE_INT64, sizeof(int64_t),
                                 (int64_t)M, (void **)&mcount, &m)))
            goto done;
        int64_t lo = M ? mcount[0] : 0, hi = lo, dated = 0;
        for (size_t i = 0; i < M; ++i) {
            lo = mcount[i] < lo ? mcount[i] : lo;
            hi = mcount[i] > hi ? mcount[i] : hi;
            dated += mcount[i];
        }
        if (M)
            fprintf(out,
                    "\nMonths: %s to %s (%zu months), %s to %s postings a month; %s dated\n",
                    month[0], month[M - 1], M, skm_group_int(a, lo), skm_group_int(b, hi),
                    skm_group_int(c, dated));
    } else {
        fprintf(out, "\nMonths: no posting has a date\n");
    }
done:
    skm_h5_close(g);
    if (file >= 0)
        H5Fclose(file);
    skm_h5_quiet_end(&qt);
    free(one);
    free(share);
    free(name);
    free(month);
    free(skipped);
    free(mcount);
    return rc;
}
