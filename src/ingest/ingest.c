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
#include "extract/extract.h"
#include "extract/salary_text.h"
#include "extract/title.h"
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
                                             "avg_salary", "annual_salary", "salary_annual",
                                             "salary_estimate", "salary_range", "pay", NULL},
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

/* Header names recognised for a description text column when none is given. */
static const char *const text_auto_names[] = {"job_description", "description", "job_desc",
                                              "description_text", "posting_text",
                                              "full_description", "job_text", NULL};

/* The resolved column plan of one input. */
typedef struct plan {
    char delimiter;          /* CSV delimiter used for this file */
    int col[SKM_COL_COUNT];  /* column index, -1 = unused */
    int how[SKM_COL_COUNT];  /* 0 none, 1 flag, 2 auto */
    int text[SKM_MAX_TEXT_COLUMNS]; /* description text columns */
    size_t n_text;
    int text_how;            /* 0 none, 1 flag, 2 auto */
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
    /* Text columns: named (or numbered) by flags, else one detected by name. */
    pl->n_text = 0;
    pl->text_how = 0;
    for (size_t k = 0; k < p->n_text_columns; ++k) {
        const char *want = p->text_columns[k];
        int found = -1;
        for (size_t i = 0; i < nc && found < 0; ++i)
            if (strcmp(skm_table_col_name(t, i), want) == 0)
                found = (int)i;
        if (found < 0) {
            char *end;
            long kk = strtol(want, &end, 10);
            if (*want && *end == '\0' && kk >= 1 && (size_t)kk <= nc)
                found = (int)kk - 1;
        }
        if (found < 0)
            return skm_error(ctx, SKM_ENOTFOUND, "%s: text column '%s' (given by --text-col) not "
                                                 "found",
                             path, want);
        pl->text[pl->n_text++] = found;
        pl->text_how = 1;
    }
    if (!p->text_columns && p->n_text_columns == 0) {
        for (const char *const *cand = text_auto_names; *cand && !pl->n_text; ++cand)
            for (size_t i = 0; i < nc && !pl->n_text; ++i) {
                char key[128];
                header_key(skm_table_col_name(t, i), key, sizeof key);
                int taken = 0;
                for (int q = 0; q < SKM_COL_COUNT; ++q)
                    taken |= pl->col[q] == (int)i;
                if (!taken && strcmp(key, *cand) == 0) {
                    pl->text[pl->n_text++] = (int)i;
                    pl->text_how = 2;
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
        for (size_t k = 0; k < pl->n_text; ++k)
            used |= pl->text[k] == (int)i;
        if (!used)
            skm_buf_printf(&unused, "%s%s", unused.len ? ", " : "", skm_table_col_name(t, i));
    }
    for (size_t k = 0; k < pl->n_text; ++k)
        skm_log(ctx, SKM_LOG_INFO, "  %-10s <- %s (%s)", "text",
                skm_table_col_name(t, (size_t)pl->text[k]), pl->text_how == 1 ? "flag" : "auto");
    if (unused.len)
        skm_log(ctx, SKM_LOG_INFO, "  not used: %s", unused.ptr);
    skm_buf_free(&unused);
}

/* ---- the block of postings being filled ---- */

typedef struct block {
    skm_posting_block b;
    size_t cap;          /* rows */
    size_t cap_nnz;
    size_t cap_matches;
    skm_buf ids;         /* id strings of the block, NUL-separated */
    size_t *id_off;      /* offset of each id in ids, SIZE_MAX = missing */
} block;

static void block_free(block *k)
{
    skm_posting_block_free(&k->b);
    free(k->id_off);
    skm_buf_free(&k->ids);
    memset(k, 0, sizeof *k);
}

static int block_alloc(block *k, size_t cap)
{
    memset(k, 0, sizeof *k);
    k->cap = cap;
    k->cap_nnz = cap * 8;
    if (skm_posting_block_alloc(&k->b, cap, k->cap_nnz, 1) != SKM_OK ||
        !(k->id_off = skm_malloc_array(cap, sizeof(size_t)))) {
        block_free(k);
        return SKM_ENOMEM;
    }
    return SKM_OK;
}

static int block_reserve_nnz(block *k, size_t need)
{
    return skm_posting_block_reserve_nnz(&k->b, &k->cap_nnz, need);
}

/* Room for `need` matches in the block's /matches arrays. */
static int block_reserve_matches(block *k, size_t need)
{
    if (need <= k->cap_matches)
        return SKM_OK;
    size_t cap = k->cap_matches ? 2 * k->cap_matches : 4096;
    while (cap < need)
        cap *= 2;
    int32_t *row = skm_realloc_array(k->b.match_row, cap, sizeof *row);
    if (row)
        k->b.match_row = row;
    int32_t *sk = row ? skm_realloc_array(k->b.match_skill, cap, sizeof *sk) : NULL;
    if (sk)
        k->b.match_skill = sk;
    int8_t *fd = sk ? skm_realloc_array(k->b.match_field, cap, sizeof *fd) : NULL;
    if (fd)
        k->b.match_field = fd;
    int64_t *off = fd ? skm_realloc_array(k->b.match_offset, cap, sizeof *off) : NULL;
    if (off)
        k->b.match_offset = off;
    int32_t *len = off ? skm_realloc_array(k->b.match_length, cap, sizeof *len) : NULL;
    if (len)
        k->b.match_length = len;
    if (!len)
        return SKM_ENOMEM;
    k->cap_matches = cap;
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

/* ---- batches: records read ahead, their text work done on all threads ---- */

/* Records are read into a batch (their fields copied), then the work that needs no shared state
 * (skill matching, salary from text, title rules, work mode) is done for the whole batch on
 * `threads` threads, each record's result kept by record; then the records are added to the
 * block one by one in input order, which is where the vocabularies grow. So the store does not
 * depend on the thread count. A batch holds one input file's records only. */
#define BATCH_RECORDS 4096
#define BATCH_BYTES ((size_t)32 << 20)

typedef struct brec {
    uint64_t line;
    int status;      /* SKM_OK or SKM_EPARSE (skip_reason then says why) */
    int skip_reason;
    size_t field0;   /* its fields: batch.fields[field0 .. field0 + n_fields) */
    /* results of the parallel phase */
    int work_mode;
    int prose_salary;           /* 1: sal holds a salary read from description text */
    skm_salary_text sal;
    size_t match0, n_match;     /* into the matches of worker `worker` */
    int worker;
} brec;

typedef struct bfield {
    size_t off, len;
    int present;
} bfield;

typedef struct xworker {
    skm_matcher *m;
    skm_match *matches;         /* this batch's matches found by this worker */
    size_t n, cap;
    int rc;
} xworker;

typedef struct batch {
    brec *recs;
    size_t n, cap;
    bfield *fields;
    size_t n_fields, cap_fields, n_cols;
    skm_buf bytes;
    skm_field *view;            /* one record's fields as skm_field, for add_record */
    size_t cap_view;
} batch;

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
    const char *cur_path;       /* the input being read, for messages */
    /* text extraction */
    skm_taxonomy *tax;          /* NULL: no taxonomy in use */
    const plan *pl;             /* the plan of the input being read */
    int threads;
    xworker *xw;
    batch bt;
    int32_t *tax_col;           /* per taxonomy skill: its matrix column, -1 not yet seen */
    int8_t *title_rules;        /* per title code: seniority, role family (titles repeat: the
                                 * rules run once per distinct title) */
    size_t cap_title_rules;
    size_t cap_row_counts;
    int32_t *row_counts;        /* counts alongside row_ids */
} run;

static int collect_skill(void *user, const char *s, size_t n)
{
    run *r = user;
    if (skm_skill_normalise(s, n, &r->norm) != SKM_OK)
        return SKM_ENOMEM;
    if (r->norm.len == 0)
        return SKM_OK;
    if (r->tax) { /* the taxonomy's name for it, when it has one */
        const int32_t id = skm_taxonomy_find(r->tax, r->norm.ptr, r->norm.len);
        if (id >= 0) {
            const char *canon = skm_taxonomy_skill(r->tax, id);
            r->norm.len = 0;
            if (skm_buf_append(&r->norm, canon, strlen(canon)) || skm_buf_reserve(&r->norm, 1))
                return SKM_ENOMEM;
            r->norm.ptr[r->norm.len] = '\0';
        }
    }
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
static int cmp_i32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void sort_ids(int32_t *v, size_t n)
{
    if (n > 64) { /* a long description's mentions */
        qsort(v, n, sizeof *v, cmp_i32);
        return;
    }
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
                      uint64_t line, const brec *x, int *reason, char *msg, size_t msg_n)
{
    const skm_ingest_params *p = r->p;
    block *k = &r->blks[r->cur];
    size_t i = k->b.n;
    char why[SKM_WHY_LEN];
#define COLNAME(role) skm_table_col_name(t, (size_t)pl->col[role])

    /* Salary. The salary column may hold a number or a salary as sites write it ("$53K-$91K
     * (Glassdoor est.)"); a field with digits that reads as neither keeps the posting, with the
     * salary unknown and flagged. */
    double s, mn, mx, h;
    *reason = SKM_SKIP_BAD_SALARY;
    skm_salary_text st;
    int have_st = 0, flag = SKM_SALARY_FLAG_NONE;
    const skm_field *salf = field_of(f, pl, SKM_COL_SALARY);
    if (amount(t, pl, f, SKM_COL_SALARY, &s, msg, msg_n)) {
        char why2[SKM_WHY_LEN];
        const int got = skm_salary_text_parse(salf->ptr, salf->len, SKM_SALTEXT_FIELD, &st, why2);
        s = NAN;
        if (got == 1) {
            have_st = 1;
        } else if (got < 0) {
            flag = SKM_SALARY_FLAG_UNPARSED;
            if (r->n_messages++ < MAX_SKIP_MESSAGES)
                skm_log(r->ctx, SKM_LOG_WARN,
                        "%s:%llu: column '%s': %s; salary left unknown (salary_flag 3)",
                        r->cur_path, (unsigned long long)line,
                        COLNAME(SKM_COL_SALARY), why2);
        }
    }
    if (amount(t, pl, f, SKM_COL_SALARY_MIN, &mn, msg, msg_n) ||
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
    /* Nothing from the numeric columns: the salary column's text, else the description's. */
    if (period == SKM_PERIOD_UNKNOWN && !have_st && x && x->prose_salary) {
        st = x->sal;
        have_st = 2;
    }
    if (period == SKM_PERIOD_UNKNOWN && have_st) {
        period = st.period;
        lo = !isnan(st.lo) ? st.lo : st.hi;
        hi = !isnan(st.hi) ? st.hi : st.lo;
        mid = !isnan(st.lo) && !isnan(st.hi) ? 0.5 * (st.lo + st.hi) : lo;
    } else {
        have_st = 0;
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
    static const int cat_role[SKM_CAT_COUNTRY + 1] = {
        [SKM_CAT_TITLE] = SKM_COL_TITLE,     [SKM_CAT_ROLE] = SKM_COL_ROLE,
        [SKM_CAT_COMPANY] = SKM_COL_COMPANY, [SKM_CAT_LOCATION] = SKM_COL_LOCATION,
        [SKM_CAT_COUNTRY] = SKM_COL_COUNTRY,
    };
    for (int c = 0; c <= SKM_CAT_COUNTRY; ++c) { /* the others are derived, below */
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
    const char *cur = have_st ? st.currency : "";
    if (flag == SKM_SALARY_FLAG_NONE && !isnan(k->b.salary_annual[i]))
        flag = skm_salary_text_plausible(k->b.salary_annual[i], cur); /* 0, 1 low, 2 high */
    k->b.salary_flag[i] = (int8_t)flag;
    r->rep->salary_flagged[flag]++;
    r->rep->salary_from_text += have_st == 2;
    k->b.cat[SKM_CAT_CURRENCY][i] = -1;
    if (*cur && skm_strmap_intern(r->cats[SKM_CAT_CURRENCY], cur, strlen(cur),
                                  &k->b.cat[SKM_CAT_CURRENCY][i]) != SKM_OK)
        return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
    const int32_t tcode = k->b.cat[SKM_CAT_TITLE][i];
    k->b.cat[SKM_CAT_SENIORITY][i] = k->b.cat[SKM_CAT_ROLE_FAMILY][i] = -1;
    if (tcode >= 0) {
        if ((size_t)tcode >= r->cap_title_rules) { /* a new title: its rules, once */
            size_t cap = r->cap_title_rules ? 2 * r->cap_title_rules : 1024;
            while (cap <= (size_t)tcode)
                cap *= 2;
            int8_t *q = skm_realloc_array(r->title_rules, cap, 2);
            if (!q)
                return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
            memset(q + 2 * r->cap_title_rules, 0x7f, 2 * (cap - r->cap_title_rules));
            r->title_rules = q;
            r->cap_title_rules = cap;
        }
        int8_t *tr = r->title_rules + 2 * (size_t)tcode;
        if (tr[0] == 0x7f) {
            const char *tt = skm_strmap_str(r->cats[SKM_CAT_TITLE], tcode);
            tr[0] = (int8_t)skm_title_seniority(tt, strlen(tt));
            tr[1] = (int8_t)skm_title_role_family(tt, strlen(tt));
        }
        k->b.cat[SKM_CAT_SENIORITY][i] = tr[0];
        k->b.cat[SKM_CAT_ROLE_FAMILY][i] = tr[1];
    }
    /* the remote flag says remote; text can only refine that to hybrid */
    int wm = x ? x->work_mode : SKM_WORK_UNKNOWN;
    if (remote == 1 && wm != SKM_WORK_HYBRID)
        wm = SKM_WORK_REMOTE;
    k->b.cat[SKM_CAT_WORK_MODE][i] = wm;
    k->b.remote[i] = remote;
    k->b.source_file[i] = file_ix;
    k->b.source_line[i] = (int64_t)line;

    /* The row: the list's skills and the text's mentions, ids sorted, repeats merged into
     * counts. */
    const skm_match *mt = x && x->n_match ? r->xw[x->worker].matches + x->match0 : NULL;
    const size_t n_mt = mt ? x->n_match : 0, n_ids = r->n_names + n_mt;
    if (n_ids > r->cap_row) {
        int32_t *ids = skm_realloc_array(r->row_ids, n_ids, sizeof *ids);
        if (!ids)
            return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
        r->row_ids = ids;
        r->cap_row = n_ids;
    }
    for (size_t j = 0; j < r->n_names; ++j) {
        const char *name = r->names.ptr + r->name_off[j];
        if (skm_strmap_intern(r->skills, name, strlen(name), &r->row_ids[j]) != SKM_OK)
            return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
    }
    if (n_mt && p->matches && block_reserve_matches(k, k->b.n_matches + n_mt) != SKM_OK)
        return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
    for (size_t j = 0; j < n_mt; ++j) {
        int32_t *col = &r->tax_col[mt[j].skill];
        if (*col < 0) {
            const char *name = skm_taxonomy_skill(r->tax, mt[j].skill);
            if (skm_strmap_intern(r->skills, name, strlen(name), col) != SKM_OK)
                return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
        }
        r->row_ids[r->n_names + j] = *col;
        if (p->matches) {
            const size_t q = k->b.n_matches++;
            k->b.match_row[q] = (int32_t)i;
            k->b.match_skill[q] = *col;
            k->b.match_field[q] = (int8_t)mt[j].col;
            k->b.match_offset[q] = (int64_t)mt[j].offset;
            k->b.match_length[q] = (int32_t)mt[j].length;
        }
    }
    r->rep->skill_mentions += n_mt;
    sort_ids(r->row_ids, n_ids);
    size_t base = (size_t)k->b.indptr[i];
    if (block_reserve_nnz(k, base + n_ids) != SKM_OK)
        return skm_error(r->ctx, SKM_ENOMEM, "ingest: out of memory");
    size_t nnz = 0;
    for (size_t j = 0; j < n_ids; ++j) {
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
/* ---- the batch ---- */

static void batch_free(batch *b)
{
    free(b->recs);
    free(b->fields);
    free(b->view);
    skm_buf_free(&b->bytes);
    memset(b, 0, sizeof *b);
}

/* Append the record just read (status SKM_OK: fields f[0..nc); SKM_EPARSE: the table's reason
 * and the context's message, kept as the record's only field). */
static int batch_push(run *r, skm_table *t, int status, const skm_field *f, uint64_t line)
{
    batch *b = &r->bt;
    const size_t nc = status == SKM_OK ? skm_table_n_cols(t) : 1;
    if (skm_grow_array((void **)&b->recs, &b->cap, b->n + 1, sizeof *b->recs) ||
        skm_grow_array((void **)&b->fields, &b->cap_fields, b->n_fields + nc, sizeof *b->fields))
        return SKM_ENOMEM;
    brec *x = &b->recs[b->n++];
    memset(x, 0, sizeof *x);
    x->line = line;
    x->status = status;
    x->skip_reason = status == SKM_OK ? -1 : skm_table_skip_reason(t);
    x->field0 = b->n_fields;
    x->work_mode = -1;
    for (size_t c = 0; c < nc; ++c) {
        bfield *d = &b->fields[b->n_fields++];
        const char *src = status == SKM_OK ? f[c].ptr : skm_ctx_errmsg(r->ctx);
        const size_t len = status == SKM_OK ? f[c].len : strlen(src);
        d->off = b->bytes.len;
        d->len = len;
        d->present = status == SKM_OK ? f[c].present : 1;
        if (len && skm_buf_append(&b->bytes, src, len))
            return SKM_ENOMEM;
    }
    return SKM_OK;
}

static const char *bf_ptr(const batch *b, const bfield *d)
{
    return b->bytes.ptr ? b->bytes.ptr + d->off : "";
}

/* The parallel phase for records [r0, r1) on worker w: skill mentions, the salary of the text
 * (when the salary columns have nothing) and the work mode. (Seniority and role family depend
 * on the title alone: add_record runs them once per distinct title.) */
typedef struct xjob {
    run *r;
    size_t parts;
} xjob;

static void extract_records(run *r, int w, size_t r0, size_t r1)
{
    const plan *pl = r->pl;
    batch *b = &r->bt;
    xworker *xw = &r->xw[w];
    for (size_t i = r0; i < r1 && !xw->rc; ++i) {
        brec *x = &b->recs[i];
        if (x->status != SKM_OK)
            continue;
        const bfield *f = b->fields + x->field0;
#define FLD(role) (pl->col[role] >= 0 && f[pl->col[role]].present ? &f[pl->col[role]] : NULL)
        const bfield *tf = FLD(SKM_COL_TITLE), *lf = FLD(SKM_COL_LOCATION);
        const bfield *d0 = pl->n_text && f[pl->text[0]].present ? &f[pl->text[0]] : NULL;
        x->work_mode = skm_work_mode(tf ? bf_ptr(b, tf) : NULL, tf ? tf->len : 0,
                                     lf ? bf_ptr(b, lf) : NULL, lf ? lf->len : 0,
                                     d0 ? bf_ptr(b, d0) : NULL, d0 ? d0->len : 0);
        /* salary from text only when no salary column has anything */
        int cols_salary = 0;
        static const int sal_roles[] = {SKM_COL_SALARY, SKM_COL_SALARY_MIN, SKM_COL_SALARY_MAX,
                                        SKM_COL_HOURLY};
        for (size_t q = 0; q < 4; ++q) {
            const bfield *sf = FLD(sal_roles[q]);
            if (sf) {
                const char *sp = bf_ptr(b, sf);
                size_t sn = sf->len;
                skm_trim(&sp, &sn);
                /* a missing marker in the salary column ("-1", "Competitive") is no salary */
                cols_salary |= sn > 0 && !(sal_roles[q] == SKM_COL_SALARY &&
                                           skm_salary_text_parse(sp, sn, SKM_SALTEXT_FIELD, NULL,
                                                                 NULL) == 0);
            }
        }
#undef FLD
        if (!r->tax)
            continue;
        skm_matcher_begin(xw->m);
        for (size_t k = 0; k < pl->n_text && !xw->rc; ++k) {
            const bfield *tx = &f[pl->text[k]];
            if (!tx->present)
                continue;
            xw->rc = skm_matcher_feed(xw->m, (int32_t)k, bf_ptr(b, tx), tx->len);
            if (!cols_salary && !x->prose_salary &&
                skm_salary_text_parse(bf_ptr(b, tx), tx->len, SKM_SALTEXT_PROSE, &x->sal, NULL) == 1)
                x->prose_salary = 1;
        }
        const skm_match *mt;
        size_t nm;
        if (xw->rc || (xw->rc = skm_matcher_end(xw->m, &mt, &nm)))
            break;
        if (skm_grow_array((void **)&xw->matches, &xw->cap, xw->n + nm, sizeof *xw->matches)) {
            xw->rc = SKM_ENOMEM;
            break;
        }
        if (nm) /* matches is still NULL before the worker's first mention */
            memcpy(xw->matches + xw->n, mt, nm * sizeof *mt);
        x->worker = w;
        x->match0 = xw->n;
        x->n_match = nm;
        xw->n += nm;
    }
}

static void extract_part(void *arg, size_t p0, size_t p1)
{
    xjob *J = arg;
    const size_t n = J->r->bt.n;
    for (size_t p = p0; p < p1; ++p)
        extract_records(J->r, (int)p, n * p / J->parts, n * (p + 1) / J->parts);
}

static int extract_batch(run *r)
{
    const double t0 = skm_now();
    for (int w = 0; w < r->threads; ++w)
        r->xw[w].n = 0, r->xw[w].rc = SKM_OK;
    size_t parts = (size_t)r->threads;
    if (r->bt.n < 64)
        parts = 1; /* not worth a thread */
    xjob J = {r, parts};
    skm_parallel_ranges((int)parts, parts, extract_part, &J);
    r->rep->extract_seconds += skm_now() - t0;
    for (int w = 0; w < r->threads; ++w)
        if (r->xw[w].rc)
            return skm_error(r->ctx, r->xw[w].rc, "ingest: out of memory extracting skills");
    return SKM_OK;
}

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
    k->b.n_matches = 0;
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
enum { MAX_PARAMS = 12 + SKM_COL_COUNT };
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
    char texts[512] = "";
    size_t tl = 0;
    for (size_t k = 0; k < p->n_text_columns && tl < sizeof texts; ++k)
        tl += (size_t)snprintf(texts + tl, sizeof texts - tl, "%s%s", k ? "," : "",
                               p->text_columns[k]);
    add_param(kv, "text_cols", "%s", p->text_columns ? texts : "(auto)");
    add_param(kv, "taxonomy", "%s", p->taxonomy ? p->taxonomy : "(built-in)");
    add_param(kv, "matches", "%d", p->matches != 0);
    add_param(kv, "threads", "%d", p->threads);
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
    const char **skill_cats = NULL;
    char *first_text_names[SKM_MAX_TEXT_COLUMNS] = {0};
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
        if (plans[i].n_text != plans[0].n_text) {
            rc = skm_error(ctx, SKM_EINVAL,
                           "%s has %zu text column(s) but %s has %zu: give every input the same "
                           "text columns (--text-col)",
                           inputs[i], plans[i].n_text, inputs[0], plans[0].n_text);
            goto done;
        }
        for (size_t k = 0; i == 0 && k < plans[0].n_text; ++k)
            if (!(first_text_names[k] =
                      skm_strdup(skm_table_col_name(ti, (size_t)plans[0].text[k])))) {
                rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
                goto done;
            }
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
    /* The derived columns have fixed levels: their codes are the enum values of title.h. */
    for (int lv = 0; lv < SKM_SENIORITY_COUNT + SKM_ROLE_COUNT + SKM_WORK_COUNT; ++lv) {
        const int c = lv < SKM_SENIORITY_COUNT                   ? SKM_CAT_SENIORITY
                      : lv < SKM_SENIORITY_COUNT + SKM_ROLE_COUNT ? SKM_CAT_ROLE_FAMILY
                                                                  : SKM_CAT_WORK_MODE;
        const int v = c == SKM_CAT_SENIORITY     ? lv
                      : c == SKM_CAT_ROLE_FAMILY ? lv - SKM_SENIORITY_COUNT
                                                 : lv - SKM_SENIORITY_COUNT - SKM_ROLE_COUNT;
        const char *name = c == SKM_CAT_SENIORITY     ? skm_seniority_name(v)
                           : c == SKM_CAT_ROLE_FAMILY ? skm_role_family_name(v)
                                                      : skm_work_mode_name(v);
        int32_t code;
        if (skm_strmap_intern(r.cats[c], name, strlen(name), &code) != SKM_OK) {
            rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
            goto done;
        }
    }
    /* The taxonomy, when there is text to read or one was named; a matcher per thread. */
    int any_text = 0;
    for (size_t i = 0; i < n_inputs; ++i)
        any_text |= plans[i].n_text > 0;
    r.threads = p->threads > 0 ? p->threads : skm_cpu_count();
    if (r.threads > 64)
        r.threads = 64;
    if (!(r.xw = skm_calloc_array((size_t)r.threads, sizeof *r.xw))) {
        rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
        goto done;
    }
    if (any_text || p->taxonomy) {
        if ((rc = skm_taxonomy_load(ctx, p->taxonomy, &r.tax)) != SKM_OK)
            goto done;
        const size_t nts = skm_taxonomy_n_skills(r.tax);
        if (!(r.tax_col = skm_malloc_array(nts, sizeof *r.tax_col))) {
            rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
            goto done;
        }
        for (size_t j = 0; j < nts; ++j)
            r.tax_col[j] = -1;
        for (int w = 0; w < r.threads; ++w)
            if (!(r.xw[w].m = skm_matcher_alloc(r.tax))) {
                rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
                goto done;
            }
        skm_log(ctx, SKM_LOG_INFO, "taxonomy %s %s (%s): %zu skills, sha256 %.16s...",
                skm_taxonomy_name(r.tax), skm_taxonomy_version(r.tax),
                skm_taxonomy_origin(r.tax), nts, skm_taxonomy_sha256(r.tax));
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
    skm_storew_params wp = {.compression = p->compression, .has_id = any_id,
                            .has_matches = p->matches && any_text};
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
        r.pl = &plans[fi];
        r.cur_path = inputs[fi];
        for (int eof = 0; !eof;) {
            /* read a batch */
            r.bt.n = r.bt.n_fields = 0;
            r.bt.bytes.len = 0;
            while (r.bt.n < BATCH_RECORDS && r.bt.bytes.len < BATCH_BYTES) {
                if (skm_interrupted(ctx)) {
                    rc = skm_error(ctx, SKM_EINTERRUPT, "ingest interrupted; no output written");
                    goto done;
                }
                const skm_field *f;
                uint64_t line;
                rc = skm_table_next(t, &f, &line);
                if (rc == SKM_EOF) {
                    eof = 1;
                    break;
                }
                if (rc != SKM_OK && rc != SKM_EPARSE)
                    goto done;
                if (batch_push(&r, t, rc, f, line) != SKM_OK) {
                    rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
                    goto done;
                }
            }
            /* its text work on all threads, then its records in order */
            if ((rc = extract_batch(&r)) != SKM_OK)
                goto done;
            const size_t nc = skm_table_n_cols(t);
            if (nc > r.bt.cap_view) {
                skm_field *v = skm_realloc_array(r.bt.view, nc, sizeof *v);
                if (!v) {
                    rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
                    goto done;
                }
                r.bt.view = v;
                r.bt.cap_view = nc;
            }
            for (size_t bi = 0; bi < r.bt.n; ++bi) {
                const brec *x = &r.bt.recs[bi];
                const bfield *bf = r.bt.fields + x->field0;
                int reason = -1;
                char msg[512];
                rep->records_read++;
                in_records[fi]++;
                if (x->status == SKM_OK) {
                    for (size_t c = 0; c < nc; ++c) {
                        r.bt.view[c].ptr = bf_ptr(&r.bt, &bf[c]);
                        r.bt.view[c].len = bf[c].len;
                        r.bt.view[c].present = bf[c].present;
                    }
                    for (size_t k = 0; k < plans[fi].n_text; ++k)
                        rep->text_bytes += bf[plans[fi].text[k]].len;
                    rc = add_record(&r, &plans[fi], t, r.bt.view, (int32_t)fi, x->line, x, &reason,
                                    msg, sizeof msg);
                    if (rc == SKM_EPARSE)
                        skm_error(ctx, SKM_EPARSE, "%s:%llu: %s", inputs[fi],
                                  (unsigned long long)x->line, msg);
                } else {
                    rc = SKM_EPARSE;
                    reason = x->skip_reason;
                    skm_error(ctx, SKM_EPARSE, "%.*s", (int)bf[0].len, bf_ptr(&r.bt, &bf[0]));
                }
                if (rc == SKM_EPARSE) {
                    if (reason < 0 || reason >= SKM_SKIP_COUNT)
                        reason = SKM_SKIP_BAD_VALUE;
                    rep->skipped_by_reason[reason]++;
                    rep->records_skipped++;
                    in_skipped[fi]++;
                    if (p->strict) {
                        skm_error(ctx, SKM_EPARSE,
                                  "%s (--strict: stopping at the first malformed record)",
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
            }
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
    if (r.tax) { /* each column's category, when the taxonomy knows the skill */
        skill_cats = skm_calloc_array(n_skills ? n_skills : 1, sizeof *skill_cats);
        if (!skill_cats) {
            rc = skm_error(ctx, SKM_ENOMEM, "ingest: out of memory");
            goto done;
        }
        for (size_t j = 0; j < n_skills; ++j) {
            const int32_t id = skm_taxonomy_find(r.tax, skill_names[j], strlen(skill_names[j]));
            skill_cats[j] = id >= 0 ? skm_taxonomy_category(r.tax, id) : "";
        }
    }
    meta.skill_categories = skill_cats;
    const char *text_fields[SKM_MAX_TEXT_COLUMNS];
    if (r.tax) {
        meta.taxonomy_name = skm_taxonomy_name(r.tax);
        meta.taxonomy_version = skm_taxonomy_version(r.tax);
        meta.taxonomy_sha256 = skm_taxonomy_sha256(r.tax);
        meta.taxonomy_origin = skm_taxonomy_origin(r.tax);
    }
    for (size_t k = 0; k < plans[0].n_text; ++k)
        text_fields[k] = first_text_names[k];
    meta.n_text_fields = plans[0].n_text;
    meta.text_fields = text_fields;
    meta.salary_flag_count = rep->salary_flagged;
    meta.salary_from_text = rep->salary_from_text;
    meta.skill_mentions = rep->skill_mentions;
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
    free(skill_cats);
    for (size_t k = 0; k < SKM_MAX_TEXT_COLUMNS; ++k)
        free(first_text_names[k]);
    skm_taxonomy_free(r.tax);
    free(r.tax_col);
    free(r.title_rules);
    for (int w = 0; r.xw && w < r.threads; ++w) {
        skm_matcher_free(r.xw[w].m);
        free(r.xw[w].matches);
    }
    free(r.xw);
    batch_free(&r.bt);
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
