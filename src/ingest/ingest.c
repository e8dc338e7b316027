/*
 * ingest.c — postings files in, one store out.
 *
 * Two passes over the list of inputs, one over their data:
 *   1. plan:  open every input, read its header, resolve which column serves which role (flags
 *             first, then common header names), report the mapping. Nothing is written, so a
 *             missing file or a misspelt column name fails before any output exists.
 *   2. load:  stream records into a block of `block_rows` postings (columnar arrays + the block's
 *             CSR rows); a full block goes to the store writer. Memory is two blocks, one record,
 *             and the vocabularies (distinct skills, titles, companies, ...), never the input.
 *
 * The store writer runs on its own thread: while it compresses and writes block k (deflate is a
 * third of ingest's work), the parser fills block k + 1. Only that thread calls HDF5 between
 * skm_storew_open and the final wait, and it reports into its own context, so the two threads
 * share nothing but the hand-over slot below.
 *
 * A record is validated completely (every mapped field parsed) before any of it reaches the
 * block or the vocabularies, so a skipped record leaves no trace besides its count and message.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "h5/store_write.h"
#include "ingest/fields.h"
#include "ingest/table.h"

/* Warnings about skipped records beyond this many are counted but not printed. */
#define MAX_SKIP_MESSAGES 50

static const char *const col_names[SKM_COL_COUNT] = {
    [SKM_COL_ID] = "id",
    [SKM_COL_TITLE] = "title",
    [SKM_COL_ROLE] = "role",
    [SKM_COL_COMPANY] = "company",
    [SKM_COL_LOCATION] = "location",
    [SKM_COL_COUNTRY] = "country",
    [SKM_COL_DATE] = "date",
    [SKM_COL_SALARY] = "salary",
    [SKM_COL_SALARY_MIN] = "salary-min",
    [SKM_COL_SALARY_MAX] = "salary-max",
    [SKM_COL_HOURLY] = "hourly",
    [SKM_COL_PERIOD] = "period",
    [SKM_COL_REMOTE] = "remote",
    [SKM_COL_SKILLS] = "skills",
};

const char *skm_col_name(int col)
{
    return col >= 0 && col < SKM_COL_COUNT ? col_names[col] : NULL;
}

static const char *const skip_names[SKM_SKIP_COUNT] = {
    [SKM_SKIP_UNTERMINATED_QUOTE] = "unterminated_quote",
    [SKM_SKIP_BAD_QUOTE] = "text_after_closing_quote",
    [SKM_SKIP_FIELD_COUNT] = "wrong_field_count",
    [SKM_SKIP_BAD_JSON] = "bad_json",
    [SKM_SKIP_BAD_UTF8] = "invalid_utf8",
    [SKM_SKIP_NUL_BYTE] = "nul_byte",
    [SKM_SKIP_TOO_LONG] = "record_too_long",
    [SKM_SKIP_BAD_SALARY] = "bad_salary",
    [SKM_SKIP_BAD_DATE] = "bad_date",
    [SKM_SKIP_BAD_VALUE] = "bad_value",
};

const char *skm_skip_name(int reason)
{
    return reason >= 0 && reason < SKM_SKIP_COUNT ? skip_names[reason] : NULL;
}

/* Header names recognised for each role, in order of preference. Compared after lower-casing
 * and mapping ' ' and '-' to '_'. */
static const char *const *const auto_names[SKM_COL_COUNT] = {
    [SKM_COL_ID] = (const char *const[]){"id", "job_id", "posting_id", "jobid", "uid", NULL},
    [SKM_COL_TITLE] = (const char *const[]){"job_title", "title", "position", "position_title",
                                            "jobtitle", "job_name", NULL},
    [SKM_COL_ROLE] = (const char *const[]){"job_title_short", "role", "role_family", "job_family",
                                           "job_category", NULL},
    [SKM_COL_COMPANY] = (const char *const[]){"company_name", "company", "employer",
                                              "employer_name", "organization", NULL},
    [SKM_COL_LOCATION] = (const char *const[]){"job_location", "location", "city", NULL},
    [SKM_COL_COUNTRY] = (const char *const[]){"job_country", "country", "country_code", NULL},
    [SKM_COL_DATE] = (const char *const[]){"job_posted_date", "posted_date", "date_posted",
                                           "post_date", "posting_date", "created_at", "created",
                                           "date", NULL},
    [SKM_COL_SALARY] = (const char *const[]){"salary_year_avg", "salary", "salary_avg",
                                             "avg_salary", "annual_salary", "salary_annual", NULL},
    [SKM_COL_SALARY_MIN] = (const char *const[]){"salary_min", "min_salary", "min_amount",
                                                 "salary_from", "salary_low", NULL},
    [SKM_COL_SALARY_MAX] = (const char *const[]){"salary_max", "max_salary", "max_amount",
                                                 "salary_to", "salary_high", NULL},
    [SKM_COL_HOURLY] = (const char *const[]){"salary_hour_avg", "hourly_salary", "hourly_rate",
                                             "hourly_wage", "hourly", NULL},
    [SKM_COL_PERIOD] = (const char *const[]){"salary_rate", "salary_period", "pay_period",
                                             "salary_interval", "interval", NULL},
    [SKM_COL_REMOTE] = (const char *const[]){"job_work_from_home", "remote", "is_remote",
                                             "work_from_home", "wfh", NULL},
    [SKM_COL_SKILLS] = (const char *const[]){"job_skills", "skills", "skill_list", "skills_list",
                                             NULL},
};

skm_ingest_params skm_ingest_params_default(void)
{
    skm_ingest_params p;
    memset(&p, 0, sizeof p);
    p.format = SKM_FORMAT_AUTO;
    p.delimiter = 0; /* auto: ',' unless the header says tab, ';' or '|' */
    p.hours_per_year = 2080.0;
    p.strict = 0;
    p.compression = 1; /* level 4: 5 % smaller stores, 7 % slower ingest (docs/benchmarks.md) */
    p.block_rows = 65536;
    p.max_record_bytes = (size_t)8 << 20;
    return p;
}

/* The resolved column plan of one input. */
typedef struct plan {
    char delimiter;          /* CSV delimiter used for this file */
    int col[SKM_COL_COUNT];  /* column index, -1 = unused */
    int how[SKM_COL_COUNT];  /* 0 none, 1 flag, 2 auto */
    uint64_t size;
} plan;

/* Lower-case, ' ' and '-' to '_', into out (truncated to n - 1). */
static void header_key(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (c == ' ' || c == '-')
            c = '_';
        out[i] = c;
    }
    out[i] = '\0';
}

static int make_plan(skm_ctx *ctx, const skm_ingest_params *p, const char *path, skm_table *t,
                     plan *pl)
{
    size_t nc = skm_table_n_cols(t);
    int used_by_flag[SKM_COL_COUNT];
    for (int r = 0; r < SKM_COL_COUNT; ++r) {
        pl->col[r] = -1;
        pl->how[r] = 0;
        used_by_flag[r] = 0;
    }
    /* Flags first: they may claim any column, and auto-detection must not take those. */
    for (int r = 0; r < SKM_COL_COUNT; ++r) {
        const char *want = p->columns[r];
        if (!want || !*want)
            continue;
        int found = -1;
        for (size_t i = 0; i < nc && found < 0; ++i)
            if (strcmp(skm_table_col_name(t, i), want) == 0)
                found = (int)i;
        if (found < 0) {
            /* A number names a column by position (1-based) when no header has that name. */
            char *end;
            long k = strtol(want, &end, 10);
            if (*end == '\0' && k >= 1 && (size_t)k <= nc)
                found = (int)k - 1;
        }
        if (found < 0) {
            skm_buf hdr = {0};
            for (size_t i = 0; i < nc; ++i)
                skm_buf_printf(&hdr, "%s'%s'", i ? ", " : "", skm_table_col_name(t, i));
            skm_error(ctx, SKM_ENOTFOUND, "%s: column '%s' (given by --%s-col) not found; columns are: %s",
                      path, want, col_names[r], hdr.ptr ? hdr.ptr : "(none)");
            skm_buf_free(&hdr);
            return SKM_ENOTFOUND;
        }
        pl->col[r] = found;
        pl->how[r] = 1;
        used_by_flag[r] = 1;
    }
    for (int r = 0; r < SKM_COL_COUNT; ++r) {
        if (p->columns[r] || used_by_flag[r])
            continue; /* set by a flag, or disabled with "" */
        for (const char *const *cand = auto_names[r]; *cand && pl->col[r] < 0; ++cand) {
            for (size_t i = 0; i < nc; ++i) {
                char key[128];
                header_key(skm_table_col_name(t, i), key, sizeof key);
                if (strcmp(key, *cand) != 0)
                    continue;
                int taken = 0;
                for (int q = 0; q < SKM_COL_COUNT; ++q)
                    taken |= pl->col[q] == (int)i;
                if (!taken) {
                    pl->col[r] = (int)i;
                    pl->how[r] = 2;
                    break;
                }
            }
        }
    }
    return SKM_OK;
}

static void log_plan(skm_ctx *ctx, const char *path, skm_table *t, const plan *pl)
{
    skm_log(ctx, SKM_LOG_INFO, "%s (%s%s): %zu columns", path,
            skm_table_format(t) == SKM_FORMAT_JSONL ? "JSON Lines" : "CSV",
            skm_table_is_gzip(t) ? ", gzip" : "", skm_table_n_cols(t));
    for (int r = 0; r < SKM_COL_COUNT; ++r) {
        if (pl->col[r] < 0)
            skm_log(ctx, SKM_LOG_INFO, "  %-10s    (none)", col_names[r]);
        else
            skm_log(ctx, SKM_LOG_INFO, "  %-10s <- %s (%s)", col_names[r],
                    skm_table_col_name(t, (size_t)pl->col[r]), pl->how[r] == 1 ? "flag" : "auto");
    }
    skm_buf unused = {0};
    for (size_t i = 0; i < skm_table_n_cols(t); ++i) {
        int used = 0;
        for (int r = 0; r < SKM_COL_COUNT; ++r)
            used |= pl->col[r] == (int)i;
        if (!used)
            skm_buf_printf(&unused, "%s%s", unused.len ? ", " : "", skm_table_col_name(t, i));
    }
    if (unused.len)
        skm_log(ctx, SKM_LOG_INFO, "  not used: %s", unused.ptr);
    skm_buf_free(&unused);
}

/* ---- the block of postings being filled ---- */

typedef struct block {
    skm_posting_block b;
    size_t cap;          /* rows */
    size_t cap_nnz;
    skm_buf ids;         /* id strings of the block, NUL-separated */
    size_t *id_off;      /* offset of each id in ids, SIZE_MAX = missing */
} block;

static void block_free(block *k)
{
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        free(k->b.cat[c]);
    free(k->b.id);
    free(k->b.posted_date);
    free(k->b.salary_min);
    free(k->b.salary_max);
    free(k->b.salary_period);
    free(k->b.salary_annual);
    free(k->b.remote);
    free(k->b.source_file);
    free(k->b.source_line);
    free(k->b.indptr);
    free(k->b.indices);
    free(k->b.counts);
    free(k->id_off);
    skm_buf_free(&k->ids);
    memset(k, 0, sizeof *k);
}

static int block_alloc(block *k, size_t cap)
{
    memset(k, 0, sizeof *k);
    k->cap = cap;
    k->cap_nnz = cap * 8;
    int ok = 1;
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        ok &= (k->b.cat[c] = skm_malloc_array(cap, sizeof(int32_t))) != NULL;
    ok &= (k->b.id = skm_malloc_array(cap, sizeof(char *))) != NULL;
    ok &= (k->id_off = skm_malloc_array(cap, sizeof(size_t))) != NULL;
    ok &= (k->b.posted_date = skm_malloc_array(cap, sizeof(int64_t))) != NULL;
    ok &= (k->b.salary_min = skm_malloc_array(cap, sizeof(double))) != NULL;
    ok &= (k->b.salary_max = skm_malloc_array(cap, sizeof(double))) != NULL;
    ok &= (k->b.salary_period = skm_malloc_array(cap, sizeof(int8_t))) != NULL;
    ok &= (k->b.salary_annual = skm_malloc_array(cap, sizeof(double))) != NULL;
    ok &= (k->b.remote = skm_malloc_array(cap, sizeof(int8_t))) != NULL;
    ok &= (k->b.source_file = skm_malloc_array(cap, sizeof(int32_t))) != NULL;
    ok &= (k->b.source_line = skm_malloc_array(cap, sizeof(int64_t))) != NULL;
    ok &= (k->b.indptr = skm_malloc_array(cap + 1, sizeof(int64_t))) != NULL;
    ok &= (k->b.indices = skm_malloc_array(k->cap_nnz, sizeof(int32_t))) != NULL;
    ok &= (k->b.counts = skm_malloc_array(k->cap_nnz, sizeof(int32_t))) != NULL;
    if (!ok) {
        block_free(k);
        return SKM_ENOMEM;
    }
    k->b.indptr[0] = 0;
    return SKM_OK;
}

static int block_reserve_nnz(block *k, size_t need)
{
    if (need <= k->cap_nnz)
        return SKM_OK;
    size_t cap = k->cap_nnz * 2 > need ? k->cap_nnz * 2 : need;
    int32_t *ix = skm_realloc_array(k->b.indices, cap, sizeof *ix);
    if (!ix)
        return SKM_ENOMEM;
    k->b.indices = ix;
    int32_t *ct = skm_realloc_array(k->b.counts, cap, sizeof *ct);
    if (!ct)
        return SKM_ENOMEM;
    k->b.counts = ct;
    k->cap_nnz = cap;
    return SKM_OK;
}

/* ---- the background appender: skm_worker jobs are blocks to append ---- */

typedef struct appender {
    skm_storew *w;
    skm_ctx *wctx; /* the writer's own context: errors raised on the writer thread */
    skm_worker worker;
} appender;

static int append_job(void *arg, void *job)
{
    appender *a = arg;
    return skm_storew_append(a->w, &((block *)job)->b);
}

/* ---- the run ---- */

typedef struct run {
    skm_ctx *ctx;
    const skm_ingest_params *p;
    skm_strmap *cats[SKM_CAT_COUNT];
    skm_strmap *skills;
    int64_t *doc_freq;
    size_t doc_freq_cap;
    appender app;
    block blks[2];          /* filled in turn: one by the parser, one in flight */
    int cur;                /* the block being filled */
    /* scratch for one record */
    skm_buf list_scratch;
    skm_buf norm;
    skm_buf names;          /* normalised skill names of the record, NUL-separated */
    size_t *name_off;
    size_t n_names, cap_names;
    int32_t *row_ids;
    size_t cap_row;
    uint64_t n_messages;
    skm_ingest_report *rep;
} run;

static int collect_skill(void *user, const char *s, size_t n)
{
    run *r = user;
    if (skm_skill_normalise(s, n, &r->norm) != SKM_OK)
        return SKM_ENOMEM;
    if (r->norm.len == 0)
        return SKM_OK;
    if (r->n_names == r->cap_names) {
        size_t cap = r->cap_names ? 2 * r->cap_names : 64;
        size_t *off = skm_realloc_array(r->name_off, cap, sizeof *off);
        if (!off)
            return SKM_ENOMEM;
        r->name_off = off;
        r->cap_names = cap;
    }
    r->name_off[r->n_names++] = r->names.len;
    if (skm_buf_append(&r->names, r->norm.ptr, r->norm.len + 1) != SKM_OK) /* with its NUL */
        return SKM_ENOMEM;
    return SKM_OK;
}

/* Sort a posting's skill ids: insertion sort, since rows hold a handful of skills (median 5 in the
 * sample, 40 at most) and qsort's call overhead dominated at that size. */
static void sort_ids(int32_t *v, size_t n)
{
    for (size_t i = 1; i < n; ++i) {
        int32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; --j)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static const skm_field *field_of(const skm_field *f, const plan *pl, int role)
{
    return pl->col[role] >= 0 ? &f[pl->col[role]] : NULL;
}

/* Parse the amount in the column serving `role`, if any; SKM_EPARSE with a message naming the
 * column. */
static int amount(skm_table *t, const plan *pl, const skm_field *f, int role, double *out,
                  char *msg, size_t msg_n)
{
    *out = NAN;
    const skm_field *v = field_of(f, pl, role);
    if (!v || !v->present)
        return SKM_OK;
    char why[SKM_WHY_LEN];
    if (skm_parse_amount(v->ptr, v->len, out, why) != SKM_OK) {
        snprintf(msg, msg_n, "column '%s': %s", skm_table_col_name(t, (size_t)pl->col[role]), why);
        return SKM_EPARSE;
    }
    return SKM_OK;
}

/* Validate and add one record to the block. Returns SKM_OK, SKM_EPARSE with *reason and msg
 * set (the record is then not added), or a fatal code. */
static int add_record(run *r, const plan *pl, skm_table *t, const skm_field *f, int32_t file_ix,
                      uint64_t line, int *reason, char *msg, size_t msg_n)
{
    const skm_ingest_params *p = r->p;
    block *k = &r->blks[r->cur];
    size_t i = k->b.n;
    char why[SKM_WHY_LEN];
#define COLNAME(role) skm_table_col_name(t, (size_t)pl->col[role])

    /* Salary. */
    double s, mn, mx, h;
    *reason = SKM_SKIP_BAD_SALARY;
    if (amount(t, pl, f, SKM_COL_SALARY, &s, msg, msg_n) ||
        amount(t, pl, f, SKM_COL_SALARY_MIN, &mn, msg, msg_n) ||
        amount(t, pl, f, SKM_COL_SALARY_MAX, &mx, msg, msg_n) ||
        amount(t, pl, f, SKM_COL_HOURLY, &h, msg, msg_n))
        return SKM_EPARSE;
    int period = SKM_PERIOD_UNKNOWN;
    const skm_field *pf = field_of(f, pl, SKM_COL_PERIOD);
    if (pf && pf->present && skm_parse_period(pf->ptr, pf->len, &period, why) != SKM_OK) {
        *reason = SKM_SKIP_BAD_VALUE;
        snprintf(msg, msg_n, "column '%s': %s", COLNAME(SKM_COL_PERIOD), why);
        return SKM_EPARSE;
    }
    if (!isnan(mn) && !isnan(mx) && mn > mx) {
        snprintf(msg, msg_n, "salary minimum %g is above the maximum %g", mn, mx);
        return SKM_EPARSE;
    }
    int has_annualish = !isnan(s) || !isnan(mn) || !isnan(mx);
    double lo = NAN, hi = NAN, mid = NAN;
    /* The salary/min/max columns are in the row's period (a year unless the period column says
     * otherwise); the hourly column is hourly by name. When a row has both, the period column
     * decides; without one, the salary columns win. */
    if (has_annualish && !(period == SKM_PERIOD_HOUR && !isnan(h))) {
        if (period == SKM_PERIOD_UNKNOWN)
            period = SKM_PERIOD_YEAR;
        lo = !isnan(mn) ? mn : !isnan(s) ? s : mx;
        hi = !isnan(mx) ? mx : !isnan(s) ? s : mn;
        mid = !isnan(s) ? s : 0.5 * (lo + hi);
    } else if (!isnan(h)) {
        period = SKM_PERIOD_HOUR;
        lo = hi = mid = h;
    } else {
        period = SKM_PERIOD_UNKNOWN;
    }

    /* Date. */
    int64_t date = SKM_DATE_MISSING;
    const skm_field *df = field_of(f, pl, SKM_COL_DATE);
    if (df && df->present && skm_parse_date(df->ptr, df->len, &date, why) != SKM_OK) {
        *reason = SKM_SKIP_BAD_DATE;
        snprintf(msg, msg_n, "column '%s': %s", COLNAME(SKM_COL_DATE), why);
        return SKM_EPARSE;
    }

    /* Remote. */
    int8_t remote = -1;
    const skm_field *rf = field_of(f, pl, SKM_COL_REMOTE);
    if (rf && rf->present && skm_parse_bool(rf->ptr, rf->len, &remote, why) != SKM_OK) {
        *reason = SKM_SKIP_BAD_VALUE;
        snprintf(msg, msg_n, "column '%s': %s", COLNAME(SKM_COL_REMOTE), why);
        return SKM_EPARSE;
    }

    /* Skills: parse into normalised names; intern only once the record is accepted. */
    r->names.len = 0;
    r->n_names = 0;
    const skm_field *sf = field_of(f, pl, SKM_COL_SKILLS);
    if (sf && sf->present) {
        int rc = skm_parse_list(sf->ptr, sf->len, &r->list_scratch, collect_skill, r, why);
        if (rc == SKM_EPARSE) {
            *reason = SKM_SKIP_BAD_VALUE;
            snprintf(msg, msg_n, "column '%s': %s", COLNAME(SKM_COL_SKILLS), why);
            return SKM_EPARSE;
        }
        if (rc != SKM_OK)
            return skm_error(r->ctx, rc, "ingest: %s", skm_strerror(rc));
    }
#undef COLNAME

    /* Accepted: from here on only allocation can fail. */
    static const int cat_role[SKM_CAT_COUNT] = {
        [SKM_CAT_TITLE] = SKM_COL_TITLE,     [SKM_CAT_ROLE] = SKM_COL_ROLE,
        [SKM_CAT_COMPANY] = SKM_COL_COMPANY, [SKM_CAT_LOCATION] = SKM_COL_LOCATION,
        [SKM_CAT_COUNTRY] = SKM_COL_COUNTRY,
    };
    for (int c = 0; c < SKM_CAT_COUNT; ++c) {
        const skm_field *cf = field_of(f, pl, cat_role[c]);
        int32_t code = -1;
        if (cf && cf->present) {
            const char *v = cf->ptr;
            size_t n = cf->len;
            skm_trim(&v, &n);
            if (n && skm_strmap_intern(r->cats[c], v, n, &code) != SKM_OK)
                return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
        }
        k->b.cat[c][i] = code;
    }
    k->id_off[i] = SIZE_MAX;
    const skm_field *idf = field_of(f, pl, SKM_COL_ID);
    if (idf && idf->present) {
        const char *v = idf->ptr;
        size_t n = idf->len;
        skm_trim(&v, &n);
        k->id_off[i] = k->ids.len;
        if (skm_buf_append(&k->ids, v, n) != SKM_OK || skm_buf_putc(&k->ids, '\0') != SKM_OK)
            return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
    }
    k->b.posted_date[i] = date;
    k->b.salary_min[i] = lo;
    k->b.salary_max[i] = hi;
    k->b.salary_period[i] = (int8_t)period;
    k->b.salary_annual[i] = skm_annualise(mid, period, p->hours_per_year);
    k->b.remote[i] = remote;
    k->b.source_file[i] = file_ix;
    k->b.source_line[i] = (int64_t)line;

    /* The row: ids sorted, repeats merged into counts. */
    if (r->n_names > r->cap_row) {
        int32_t *ids = skm_realloc_array(r->row_ids, r->n_names, sizeof *ids);
        if (!ids)
            return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
        r->row_ids = ids;
        r->cap_row = r->n_names;
    }
    for (size_t j = 0; j < r->n_names; ++j) {
        const char *name = r->names.ptr + r->name_off[j];
        if (skm_strmap_intern(r->skills, name, strlen(name), &r->row_ids[j]) != SKM_OK)
            return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
    }
    sort_ids(r->row_ids, r->n_names);
    size_t base = (size_t)k->b.indptr[i];
    if (block_reserve_nnz(k, base + r->n_names) != SKM_OK)
        return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
    size_t nnz = 0;
    for (size_t j = 0; j < r->n_names; ++j) {
        if (nnz && k->b.indices[base + nnz - 1] == r->row_ids[j]) {
            k->b.counts[base + nnz - 1]++;
            continue;
        }
        k->b.indices[base + nnz] = r->row_ids[j];
        k->b.counts[base + nnz] = 1;
        ++nnz;
    }
    size_t n_skills = skm_strmap_size(r->skills);
    if (n_skills > r->doc_freq_cap) {
        size_t cap = r->doc_freq_cap ? 2 * r->doc_freq_cap : 256;
        while (cap < n_skills)
            cap *= 2;
        int64_t *df2 = skm_realloc_array(r->doc_freq, cap, sizeof *df2);
        if (!df2)
            return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
        memset(df2 + r->doc_freq_cap, 0, (cap - r->doc_freq_cap) * sizeof *df2);
        r->doc_freq = df2;
        r->doc_freq_cap = cap;
    }
    for (size_t j = 0; j < nnz; ++j)
        r->doc_freq[k->b.indices[base + j]]++;
    k->b.indptr[i + 1] = (int64_t)(base + nnz);
    k->b.n = i + 1;
    r->rep->nnz += (int64_t)nnz;
    if (!isnan(k->b.salary_annual[i]))
        r->rep->salary_known++;
    return SKM_OK;
}

/* Hand the current block to the writer and switch to the other one, which the hand-over has
 * waited to see written. On failure the writer's message is copied into the run's context. */
static int flush_block(run *r)
{
    block *k = &r->blks[r->cur];
    if (k->b.n == 0)
        return SKM_OK;
    if (k->b.id)
        for (size_t i = 0; i < k->b.n; ++i)
            k->b.id[i] = k->id_off[i] == SIZE_MAX ? NULL : k->ids.ptr + k->id_off[i];
    int rc = skm_worker_submit(&r->app.worker, k);
    if (rc != SKM_OK)
        return skm_error(r->ctx, rc, "%s", skm_ctx_errmsg(r->app.wctx));
    r->rep->records_written += k->b.n;
    r->cur ^= 1;
    k = &r->blks[r->cur];
    k->b.n = 0;
    k->b.indptr[0] = 0;
    k->ids.len = 0;
    return SKM_OK;
}

/* Open an input for pass 1. With the delimiter on auto, a CSV header that comes out as one
 * column holding tabs, semicolons or pipes is read again with the commonest of them: a TSV file
 * read as CSV would otherwise pass silently as a one-column table. */
static int open_table(skm_ctx *ctx, const skm_ingest_params *p, const char *path, skm_table **t,
                      char *delimiter)
{
    skm_table_params tp = {.format = p->format, .delimiter = p->delimiter ? p->delimiter : ',',
                           .max_record_bytes = p->max_record_bytes};
    int rc = skm_table_open(ctx, path, &tp, t);
    *delimiter = tp.delimiter;
    if (rc != SKM_OK || p->delimiter || skm_table_format(*t) != SKM_FORMAT_CSV ||
        skm_table_n_cols(*t) != 1)
        return rc;
    static const char cands[] = {'\t', ';', '|'};
    const char *h = skm_table_col_name(*t, 0);
    size_t best = 0;
    char d = 0;
    for (size_t k = 0; k < sizeof cands; ++k) {
        size_t c = 0;
        for (const char *x = h; *x; ++x)
            c += *x == cands[k];
        if (c > best) {
            best = c;
            d = cands[k];
        }
    }
    if (!d)
        return SKM_OK;
    skm_table_close(*t);
    *t = NULL;
    tp.delimiter = d;
    *delimiter = d;
    skm_log(ctx, SKM_LOG_INFO, "%s: delimiter detected from the header: %s", path,
            d == '\t' ? "tab" : d == ';' ? "';'" : "'|'");
    return skm_table_open(ctx, path, &tp, t);
}

static int check_params(skm_ctx *ctx, const skm_ingest_params *p, const char *const *inputs,
                        size_t n_inputs, const char *out_path)
{
    if (!p || !inputs || !out_path || !*out_path)
        return skm_error(ctx, SKM_EINVAL, "ingest: missing parameters, inputs or output path");
    if (n_inputs == 0)
        return skm_error(ctx, SKM_EINVAL, "ingest: no input files");
    if (n_inputs > INT32_MAX)
        return skm_error(ctx, SKM_EINVAL, "ingest: too many input files");
    if (!(p->hours_per_year > 0 && p->hours_per_year <= 8784))
        return skm_error(ctx, SKM_EINVAL, "ingest: hours per year must be in (0, 8784], not %g",
                         p->hours_per_year);
    if (p->compression < 0 || p->compression > 9)
        return skm_error(ctx, SKM_EINVAL, "ingest: compression level must be 0..9, not %d",
                         p->compression);
    if (p->block_rows < 1 || p->block_rows > ((size_t)1 << 24))
        return skm_error(ctx, SKM_EINVAL, "ingest: block rows must be 1..16777216, not %zu",
                         p->block_rows);
    if (p->max_record_bytes < 1024)
        return skm_error(ctx, SKM_EINVAL, "ingest: max record bytes must be at least 1024");
    if (p->format < SKM_FORMAT_AUTO || p->format > SKM_FORMAT_JSONL)
        return skm_error(ctx, SKM_EINVAL, "ingest: unknown input format %d", p->format);
    if (p->delimiter == '"' || p->delimiter == '\n' || p->delimiter == '\r')
        return skm_error(ctx, SKM_EINVAL, "ingest: the delimiter cannot be a quote or line break");
    /* Never write over an input. */
    struct stat so;
    if (stat(out_path, &so) == 0) {
        for (size_t i = 0; i < n_inputs; ++i) {
            struct stat si;
            if (stat(inputs[i], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
                return skm_error(ctx, SKM_EINVAL, "ingest: the output %s is also an input", out_path);
        }
    }
    return SKM_OK;
}

/* The effective options, written as string attributes of /parameters. A value longer than
 * the buffer is cut (column names given by flags are also kept whole in
 * /provenance/input_columns). */
enum { MAX_PARAMS = 8 + SKM_COL_COUNT };
typedef struct params_kv {
    char key[MAX_PARAMS][32];
    char val[MAX_PARAMS][512];
    const char *keys[MAX_PARAMS];
    const char *vals[MAX_PARAMS];
    size_t n;
} params_kv;

static void add_param(params_kv *kv, const char *key, const char *fmt, ...) SKM_PRINTF(3, 4);

static void add_param(params_kv *kv, const char *key, const char *fmt, ...)
{
    if (kv->n == MAX_PARAMS)
        return; /* cannot happen: MAX_PARAMS counts every call below */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(kv->val[kv->n], sizeof kv->val[kv->n], fmt, ap);
    va_end(ap);
    snprintf(kv->key[kv->n], sizeof kv->key[kv->n], "%s", key);
    kv->keys[kv->n] = kv->key[kv->n];
    kv->vals[kv->n] = kv->val[kv->n];
    kv->n++;
}

static void effective_params(const skm_ingest_params *p, params_kv *kv)
{
    static const char *const fmt_names[] = {"auto", "csv", "jsonl"};
    kv->n = 0;
    add_param(kv, "format", "%s", fmt_names[p->format]);
    if (p->delimiter)
        add_param(kv, "delimiter", "%c", p->delimiter);
    else
        add_param(kv, "delimiter", "auto");
    add_param(kv, "hours_per_year", "%.17g", p->hours_per_year);
    add_param(kv, "strict", "%d", p->strict != 0);
    add_param(kv, "compression", "%d", p->compression);
    add_param(kv, "block_rows", "%zu", p->block_rows);
    add_param(kv, "max_record_bytes", "%zu", p->max_record_bytes);
    for (int c = 0; c < SKM_COL_COUNT; ++c) {
        char key[32];
        snprintf(key, sizeof key, "%s_col", col_names[c]);
        add_param(kv, key, "%s", p->columns[c] ? p->columns[c] : "(auto)");
    }
}

int skm_ingest(skm_ctx *ctx, const skm_ingest_params *p, const char *const *inputs,
               size_t n_inputs, const char *out_path, skm_ingest_report *report)
{
    skm_ingest_report local;
    skm_ingest_report *rep = report ? report : &local;
    memset(rep, 0, sizeof *rep);
    double t0 = skm_now();
    int rc = check_params(ctx, p, inputs, n_inputs, out_path);
    if (rc)
        return rc;

    run r;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.p = p;
    r.rep = rep;
    plan *plans = NULL;
    char (*sha)[65] = NULL;
    const char **sha_ptr = NULL, **fmt_ptr = NULL;
    uint64_t *in_bytes = NULL, *in_records = NULL, *in_skipped = NULL;
    skm_table *t = NULL;
    skm_table **open_tables = NULL; /* pass 1 tables kept for pass 2 (pipes) */
    char **in_columns = NULL;        /* n_inputs × SKM_COL_COUNT column names used, or NULL */
    const char **levels[SKM_CAT_COUNT] = {0};
    const char **skill_names = NULL;
    uint64_t total_bytes = 0, done_bytes = 0;
    skm_table_params tp = {.format = p->format, .max_record_bytes = p->max_record_bytes};

    plans = skm_calloc_array(n_inputs, sizeof *plans);
    open_tables = skm_calloc_array(n_inputs, sizeof *open_tables);
    in_columns = n_inputs <= SIZE_MAX / SKM_COL_COUNT
                     ? skm_calloc_array(n_inputs * SKM_COL_COUNT, sizeof *in_columns)
                     : NULL;
    sha = skm_calloc_array(n_inputs, sizeof *sha);
    sha_ptr = skm_calloc_array(n_inputs, sizeof *sha_ptr);
    fmt_ptr = skm_calloc_array(n_inputs, sizeof *fmt_ptr);
    in_bytes = skm_calloc_array(n_inputs, sizeof *in_bytes);
    in_records = skm_calloc_array(n_inputs, sizeof *in_records);
    in_skipped = skm_calloc_array(n_inputs, sizeof *in_skipped);
    if (!plans || !open_tables || !in_columns || !sha || !sha_ptr || !fmt_ptr || !in_bytes || !in_records || !in_skipped) {
        rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
        goto done;
    }

    /* Pass 1: headers and column plans, before anything is written. A regular file is closed
     * and opened again for pass 2; a pipe or terminal cannot be read twice, so its table stays
     * open (there are few of those, so few descriptors are held). */
    int any_id = 0;
    for (size_t i = 0; i < n_inputs; ++i) {
        if ((rc = open_table(ctx, p, inputs[i], &open_tables[i], &plans[i].delimiter)) != SKM_OK)
            goto done;
        skm_table *ti = open_tables[i]; /* owned by open_tables until closed here or in pass 2 */
        if ((rc = make_plan(ctx, p, inputs[i], ti, &plans[i])) != SKM_OK)
            goto done;
        log_plan(ctx, inputs[i], ti, &plans[i]);
        for (int c = 0; c < SKM_COL_COUNT; ++c) {
            if (plans[i].col[c] < 0)
                continue;
            char **slot = &in_columns[i * SKM_COL_COUNT + (size_t)c];
            if (!(*slot = skm_strdup(skm_table_col_name(ti, (size_t)plans[i].col[c])))) {
                rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
                goto done;
            }
        }
        any_id |= plans[i].col[SKM_COL_ID] >= 0;
        plans[i].size = skm_table_file_size(ti);
        total_bytes += plans[i].size;
        struct stat sb;
        if (stat(inputs[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
            skm_table_close(ti);
            open_tables[i] = NULL;
        }
    }

    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        if (!(r.cats[c] = skm_strmap_alloc())) {
            rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
            goto done;
        }
    if (!(r.skills = skm_strmap_alloc()) || !(r.app.wctx = skm_ctx_alloc()) ||
        block_alloc(&r.blks[0], p->block_rows) != SKM_OK ||
        block_alloc(&r.blks[1], p->block_rows) != SKM_OK) {
        rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
        goto done;
    }
    for (int b = 0; b < 2 && !any_id; ++b) {
        free(r.blks[b].b.id);
        r.blks[b].b.id = NULL;
    }
    skm_storew_params wp = {.compression = p->compression, .has_id = any_id};
    if ((rc = skm_storew_open(r.app.wctx, out_path, &wp, &r.app.w)) != SKM_OK) {
        rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(r.app.wctx));
        goto done;
    }
    skm_worker_start(&r.app.worker, append_job, &r.app, 1);

    /* Pass 2: the data. */
    for (size_t fi = 0; fi < n_inputs; ++fi) {
        t = open_tables[fi];
        open_tables[fi] = NULL;
        tp.delimiter = plans[fi].delimiter;
        if (!t && (rc = skm_table_open(ctx, inputs[fi], &tp, &t)) != SKM_OK)
            goto done;
        for (;;) {
            if (skm_interrupted(ctx)) {
                rc = skm_error(ctx, SKM_EINTERRUPT, "ingest interrupted; no output written");
                goto done;
            }
            const skm_field *f;
            uint64_t line;
            int reason = -1;
            char msg[512];
            rc = skm_table_next(t, &f, &line);
            if (rc == SKM_EOF)
                break;
            if (rc == SKM_OK) {
                rep->records_read++;
                in_records[fi]++;
                rc = add_record(&r, &plans[fi], t, f, (int32_t)fi, line, &reason, msg, sizeof msg);
                if (rc == SKM_EPARSE)
                    skm_error(ctx, SKM_EPARSE, "%s:%llu: %s", inputs[fi], (unsigned long long)line, msg);
            } else if (rc == SKM_EPARSE) {
                rep->records_read++;
                in_records[fi]++;
                reason = skm_table_skip_reason(t);
            }
            if (rc == SKM_EPARSE) {
                if (reason < 0 || reason >= SKM_SKIP_COUNT)
                    reason = SKM_SKIP_BAD_VALUE;
                rep->skipped_by_reason[reason]++;
                rep->records_skipped++;
                in_skipped[fi]++;
                if (p->strict) {
                    skm_error(ctx, SKM_EPARSE, "%s (--strict: stopping at the first malformed record)",
                              skm_ctx_errmsg(ctx));
                    goto done;
                }
                if (r.n_messages++ < MAX_SKIP_MESSAGES)
                    skm_log(ctx, SKM_LOG_WARN, "%s; record skipped", skm_ctx_errmsg(ctx));
                else if (r.n_messages == MAX_SKIP_MESSAGES + 1)
                    skm_log(ctx, SKM_LOG_WARN, "further skipped records are counted, not shown");
                continue;
            }
            if (rc != SKM_OK)
                goto done;
            if (r.blks[r.cur].b.n == r.blks[r.cur].cap && (rc = flush_block(&r)) != SKM_OK)
                goto done;
            if ((rep->records_read & 4095) == 0)
                skm_progress(ctx, "ingest", done_bytes + skm_table_bytes_read(t), total_bytes);
        }
        rc = SKM_OK;
        done_bytes += plans[fi].size;
        rep->bytes_read += skm_table_bytes_read(t);
        rep->bytes_decoded += skm_table_bytes_decoded(t);
        in_bytes[fi] = skm_table_bytes_read(t);
        skm_table_sha256_hex(t, sha[fi]);
        sha_ptr[fi] = sha[fi];
        fmt_ptr[fi] = skm_table_format(t) == SKM_FORMAT_JSONL
                          ? (skm_table_is_gzip(t) ? "jsonl+gzip" : "jsonl")
                          : (skm_table_is_gzip(t) ? "csv+gzip" : "csv");
        skm_table_close(t);
        t = NULL;
    }
    if ((rc = flush_block(&r)) != SKM_OK)
        goto done;
    if ((rc = skm_worker_wait(&r.app.worker)) != SKM_OK) {
        rc = skm_error(ctx, rc, "%s", skm_ctx_errmsg(r.app.wctx));
        goto done;
    }
    skm_worker_stop(&r.app.worker);
    skm_progress(ctx, "ingest", total_bytes, total_bytes);

    /* Metadata. */
    size_t n_skills = skm_strmap_size(r.skills);
    rep->n_skills = (int64_t)n_skills;
    skill_names = skm_calloc_array(n_skills, sizeof *skill_names);
    if (!skill_names && n_skills) {
        rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
        goto done;
    }
    for (size_t j = 0; j < n_skills; ++j)
        skill_names[j] = skm_strmap_str(r.skills, (int32_t)j);
    skm_store_meta meta;
    memset(&meta, 0, sizeof meta);
    for (int c = 0; c < SKM_CAT_COUNT; ++c) {
        size_t nl = skm_strmap_size(r.cats[c]);
        levels[c] = skm_calloc_array(nl ? nl : 1, sizeof *levels[c]);
        if (!levels[c]) {
            rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
            goto done;
        }
        for (size_t j = 0; j < nl; ++j)
            levels[c][j] = skm_strmap_str(r.cats[c], (int32_t)j);
        meta.levels[c] = levels[c];
        meta.n_levels[c] = nl;
    }
    int64_t zero = 0;
    meta.n_skills = n_skills;
    meta.skill_names = skill_names;
    meta.skill_categories = NULL;
    meta.skill_doc_freq = r.doc_freq ? r.doc_freq : &zero;
    meta.command_line = p->command_line;
    meta.n_inputs = n_inputs;
    meta.input_paths = inputs;
    meta.input_sha256 = sha_ptr;
    meta.input_format = fmt_ptr;
    meta.input_bytes = in_bytes;
    meta.input_records = in_records;
    meta.input_skipped = in_skipped;
    meta.input_columns = (const char *const *)in_columns;
    meta.skipped_by_reason = rep->skipped_by_reason;
    meta.hours_per_year = p->hours_per_year;

    params_kv kv;
    effective_params(p, &kv);
    meta.n_params = kv.n;
    meta.param_keys = kv.keys;
    meta.param_values = kv.vals;
    if (skm_interrupted(ctx)) {
        rc = skm_error(ctx, SKM_EINTERRUPT, "ingest interrupted; no output written");
        goto done;
    }
    rc = skm_storew_finish(r.app.w, &meta);
    r.app.w = NULL; /* finish frees the writer whatever the outcome */
    if (rc != SKM_OK)
        skm_error(ctx, rc, "%s", skm_ctx_errmsg(r.app.wctx));

done:
    skm_table_close(t);
    for (size_t i = 0; open_tables && i < n_inputs; ++i)
        skm_table_close(open_tables[i]);
    free(open_tables);
    for (size_t i = 0; in_columns && i < n_inputs * SKM_COL_COUNT; ++i)
        free(in_columns[i]);
    free(in_columns);
    skm_worker_stop(&r.app.worker); /* waits for a block in flight; HDF5 is ours again */
    skm_storew_abort(r.app.w);
    skm_ctx_free(r.app.wctx);
    for (int c = 0; c < SKM_CAT_COUNT; ++c) {
        skm_strmap_free(r.cats[c]);
        free(levels[c]);
    }
    skm_strmap_free(r.skills);
    free(r.doc_freq);
    block_free(&r.blks[0]);
    block_free(&r.blks[1]);
    skm_buf_free(&r.list_scratch);
    skm_buf_free(&r.norm);
    skm_buf_free(&r.names);
    free(r.name_off);
    free(r.row_ids);
    free(skill_names);
    free(plans);
    free(sha);
    free(sha_ptr);
    free(fmt_ptr);
    free(in_bytes);
    free(in_records);
    free(in_skipped);
    rep->seconds = skm_now() - t0;
    return rc;
}
