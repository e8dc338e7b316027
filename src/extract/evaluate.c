/*
 * evaluate.c — extraction quality on a labelled fixture set (tests/fixtures/extract, format in
 * its README): skill precision and recall, and the agreement of salary, seniority, role family
 * and work mode with the labels. Used by the tests (which assert the thresholds) and by the
 * benchmarks (which report the figures), so both measure the same thing.
 *
 * Skills are compared per posting as sets of taxonomy skills: a label names a skill by its
 * canonical name or any alias (skm_taxonomy_find); a label the taxonomy does not know counts as
 * missed. Precision = found and labelled / found, recall = found and labelled / labelled, summed
 * over postings (micro-averaged). The matcher reads the description only, as ingest does with one
 * text column.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/evaluate.h"
#include "extract/salary_text.h"
#include "extract/title.h"
#include "ingest/fields.h"
#include "ingest/table.h"

typedef struct names {
    const skm_taxonomy *t;
    int32_t ids[256];
    size_t n;
    size_t unknown;
    skm_buf *unknown_names;
} names;

static int collect(void *user, const char *s, size_t n)
{
    names *nm = user;
    const int32_t id = skm_taxonomy_find(nm->t, s, n);
    if (id < 0) {
        nm->unknown++;
        if (nm->unknown_names)
            skm_buf_printf(nm->unknown_names, "%s'%.*s'", nm->unknown_names->len ? ", " : "",
                           (int)n, s);
        return SKM_OK;
    }
    for (size_t i = 0; i < nm->n; ++i)
        if (nm->ids[i] == id)
            return SKM_OK;
    if (nm->n < sizeof nm->ids / sizeof nm->ids[0])
        nm->ids[nm->n++] = id;
    return SKM_OK;
}

/* The value of "key": in the JSON object text o[0..n): a number (NaN for null or absent) or a
 * string into buf. */
static const char *json_key(const char *o, size_t n, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const size_t pl = strlen(pat);
    for (size_t i = 0; i + pl <= n; ++i)
        if (memcmp(o + i, pat, pl) == 0) {
            size_t j = i + pl;
            while (j < n && (o[j] == ' ' || o[j] == ':'))
                ++j;
            return o + j;
        }
    return NULL;
}

static double json_num(const char *o, size_t n, const char *key)
{
    const char *v = json_key(o, n, key);
    if (!v || *v == 'n')
        return NAN;
    return strtod(v, NULL);
}

static void json_str(const char *o, size_t n, const char *key, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *v = json_key(o, n, key);
    if (!v || *v != '"')
        return;
    size_t k = 0;
    for (++v; v < o + n && *v != '"' && k + 1 < cap; ++v)
        buf[k++] = *v;
    buf[k] = '\0';
}

static int same_amount(double a, double b)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= 0.005 * fmax(1.0, fabs(b));
}

static const char *const period_names[] = {"", "hour", "day", "week", "month", "year"};

int skm_extract_evaluate(skm_ctx *ctx, const skm_taxonomy *t, const char *path,
                         skm_extract_quality *q, skm_buf *log)
{
    memset(q, 0, sizeof *q);
    skm_table_params tp = {.format = SKM_FORMAT_JSONL, .delimiter = ',',
                           .max_record_bytes = (size_t)1 << 24};
    skm_table *tb = NULL;
    int rc = skm_table_open(ctx, path, &tp, &tb);
    if (rc)
        return rc;
    enum { ID, TITLE, LOC, SAL, DESC, SKILLS, ESAL, ESEN, EROLE, EWORK, NK };
    static const char *const keys[NK] = {"id", "title", "location", "salary", "description",
                                         "expected_skills", "expected_salary",
                                         "expected_seniority", "expected_role_family",
                                         "expected_work_mode"};
    int col[NK];
    for (int k = 0; k < NK; ++k) {
        col[k] = -1;
        for (size_t i = 0; i < skm_table_n_cols(tb); ++i)
            if (strcmp(skm_table_col_name(tb, i), keys[k]) == 0)
                col[k] = (int)i;
        if (col[k] < 0) {
            skm_table_close(tb);
            return skm_error(ctx, SKM_EFORMAT, "%s: no '%s' key", path, keys[k]);
        }
    }
    skm_matcher *m = skm_matcher_alloc(t);
    skm_buf scratch = {0};
    if (!m) {
        skm_table_close(tb);
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    }
    const skm_field *f;
    uint64_t line;
    while ((rc = skm_table_next(tb, &f, &line)) == SKM_OK) {
        q->postings++;
        /* skills */
        names want = {.t = t};
        skm_buf unk = {0};
        want.unknown_names = &unk;
        char why[SKM_WHY_LEN];
        if ((rc = skm_parse_list(f[col[SKILLS]].ptr, f[col[SKILLS]].len, &scratch, collect, &want,
                                 why))) {
            rc = skm_error(ctx, SKM_EFORMAT, "%s:%llu: expected_skills: %s", path,
                           (unsigned long long)line, why);
            skm_buf_free(&unk);
            break;
        }
        skm_matcher_begin(m);
        const skm_match *mt;
        size_t nm;
        if ((rc = skm_matcher_feed(m, 0, f[col[DESC]].ptr, f[col[DESC]].len)) ||
            (rc = skm_matcher_end(m, &mt, &nm))) {
            skm_buf_free(&unk);
            break;
        }
        int32_t got[256];
        size_t ng = 0;
        for (size_t i = 0; i < nm; ++i) {
            int dup = 0;
            for (size_t j = 0; j < ng && !dup; ++j)
                dup = got[j] == mt[i].skill;
            if (!dup && ng < 256)
                got[ng++] = mt[i].skill;
        }
        size_t tp_ = 0;
        skm_buf fp = {0}, fn = {0};
        for (size_t j = 0; j < ng; ++j) {
            int hit = 0;
            for (size_t i = 0; i < want.n && !hit; ++i)
                hit = want.ids[i] == got[j];
            tp_ += hit;
            if (!hit)
                skm_buf_printf(&fp, "%s%s", fp.len ? ", " : "", skm_taxonomy_skill(t, got[j]));
        }
        for (size_t i = 0; i < want.n; ++i) {
            int hit = 0;
            for (size_t j = 0; j < ng && !hit; ++j)
                hit = want.ids[i] == got[j];
            if (!hit)
                skm_buf_printf(&fn, "%s%s", fn.len ? ", " : "", skm_taxonomy_skill(t, want.ids[i]));
        }
        q->found += ng;
        q->labelled += want.n + want.unknown;
        q->correct += tp_;
        q->unknown_labels += want.unknown;
        if (log && (fp.len || fn.len || unk.len))
            skm_buf_printf(log, "%.*s: extra [%s] missed [%s]%s%s\n", (int)f[col[ID]].len,
                           f[col[ID]].ptr, fp.len ? fp.ptr : "", fn.len ? fn.ptr : "",
                           unk.len ? " unknown labels " : "", unk.len ? unk.ptr : "");
        skm_buf_free(&fp);
        skm_buf_free(&fn);
        skm_buf_free(&unk);

        /* salary: the salary field, else the description, as ingest reads them */
        const skm_field *es = &f[col[ESAL]];
        const int has_exp = es->present && !(es->len == 4 && memcmp(es->ptr, "null", 4) == 0);
        skm_salary_text st;
        int found = f[col[SAL]].len
                        ? skm_salary_text_parse(f[col[SAL]].ptr, f[col[SAL]].len,
                                                SKM_SALTEXT_FIELD, &st, NULL)
                        : 0;
        if (found != 1)
            found = skm_salary_text_parse(f[col[DESC]].ptr, f[col[DESC]].len, SKM_SALTEXT_PROSE,
                                          &st, NULL);
        q->salary_labelled += has_exp;
        if (has_exp && found == 1) {
            char per[16], cur[8];
            json_str(es->ptr, es->len, "period", per, sizeof per);
            json_str(es->ptr, es->len, "currency", cur, sizeof cur);
            const int ok = same_amount(st.lo, json_num(es->ptr, es->len, "min")) &&
                           same_amount(st.hi, json_num(es->ptr, es->len, "max")) &&
                           st.period >= 1 && st.period <= 5 &&
                           strcmp(period_names[st.period], per) == 0 && strcmp(st.currency, cur) == 0;
            q->salary_correct += ok;
            if (!ok && log)
                skm_buf_printf(log, "%.*s: salary %g-%g %s %s, want %.*s\n", (int)f[col[ID]].len,
                               f[col[ID]].ptr, st.lo, st.hi,
                               st.period >= 1 && st.period <= 5 ? period_names[st.period] : "?",
                               st.currency, (int)es->len, es->ptr);
        } else if (has_exp && log) {
            skm_buf_printf(log, "%.*s: no salary found, want %.*s\n", (int)f[col[ID]].len,
                           f[col[ID]].ptr, (int)es->len, es->ptr);
        }
        q->salary_spurious += !has_exp && found == 1;
        if (!has_exp && found == 1 && log)
            skm_buf_printf(log, "%.*s: salary %g-%g found where there is none\n",
                           (int)f[col[ID]].len, f[col[ID]].ptr, st.lo, st.hi);

        /* title and work mode */
        const skm_field *ti = &f[col[TITLE]], *lo = &f[col[LOC]], *de = &f[col[DESC]];
        const char *sen = skm_seniority_name(skm_title_seniority(ti->ptr, ti->len));
        const char *role = skm_role_family_name(skm_title_role_family(ti->ptr, ti->len));
        const int wm = skm_work_mode(ti->ptr, ti->len, lo->ptr, lo->len, de->ptr, de->len);
        const char *work = wm >= 0 ? skm_work_mode_name(wm) : "null";
        const skm_field *ew = &f[col[EWORK]];
        q->seniority_correct += sen && (size_t)f[col[ESEN]].len == strlen(sen) &&
                                memcmp(f[col[ESEN]].ptr, sen, strlen(sen)) == 0;
        q->role_correct += role && (size_t)f[col[EROLE]].len == strlen(role) &&
                           memcmp(f[col[EROLE]].ptr, role, strlen(role)) == 0;
        const char *ewv = ew->present ? ew->ptr : "null";
        const size_t ewn = ew->present ? ew->len : 4;
        q->work_correct += ewn == strlen(work) && memcmp(ewv, work, ewn) == 0;
    }
    if (rc == SKM_EOF)
        rc = SKM_OK;
    skm_buf_free(&scratch);
    skm_matcher_free(m);
    skm_table_close(tb);
    q->precision = q->found ? (double)q->correct / (double)q->found : 0;
    q->recall = q->labelled ? (double)q->correct / (double)q->labelled : 0;
    return rc;
}
