/*
 * table.c — the streaming table reader: open/close, the shared record buffer, error reporting
 * and the accessors of table.h. The format parsers live in csv.c and jsonl.c; the byte source
 * (read, hash, inflate) in source.c. table_impl.h describes the layering and the memory bound.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table_impl.h"

/* The record buffer starts this small and doubles up to max_record_bytes + 1, so a file of short
 * records never pays for the limit. */
#define REC_INITIAL_CAP ((size_t)64 << 10)

int skm_table_refill(skm_table *t)
{
    if (t->fatal != SKM_OK)
        return t->fatal;
    t->win_base += t->len;
    t->pos = 0;
    t->len = 0;
    if (t->at_eof)
        return SKM_OK;
    const char *p = NULL;
    size_t n = 0;
    int rc = skm_source_read(&t->src, &p, &n);
    if (rc != SKM_OK) {
        /* A broken stream cannot be resynchronised: every later call repeats the status. */
        t->fatal = rc;
        t->win = NULL;
        return rc;
    }
    t->win = p;
    t->len = n;
    if (n == 0)
        t->at_eof = 1;
    return SKM_OK;
}

int skm_table_rec_reserve(skm_table *t, size_t extra)
{
    size_t need;
    if (__builtin_add_overflow(t->rec_len, extra, &need))
        return skm_error(t->ctx, SKM_ENOMEM, "%s: record size overflow", t->src.path);
    if (need <= t->rec_cap)
        return SKM_OK;
    /* Grow geometrically but never past the limit the parsers guarantee (max + 1), so a record
     * just under the limit does not cost twice the limit. */
    size_t lim = t->max == SIZE_MAX ? SIZE_MAX : t->max + 1;
    size_t cap = t->rec_cap ? t->rec_cap : REC_INITIAL_CAP;
    while (cap < need) {
        if (cap > lim / 2) {
            cap = lim;
            break;
        }
        cap *= 2;
    }
    if (cap < need)
        cap = need; /* the parsers' invariant was broken: stay correct, just larger */
    char *p = realloc(t->rec, cap);
    if (!p)
        return skm_error(t->ctx, SKM_ENOMEM, "%s: out of memory for a %zu-byte record",
                         t->src.path, need);
    t->rec = p;
    t->rec_cap = cap;
    return SKM_OK;
}

int skm_table_spans_reserve(skm_table *t, size_t n)
{
    if (n <= t->spans_cap)
        return SKM_OK;
    /* Only a header (or the first JSON object) can ask for more: a hostile header of 8 MiB of
     * commas would otherwise cost hundreds of MB of column bookkeeping. */
    if (n > SKM_TABLE_MAX_COLUMNS)
        return skm_error(t->ctx, SKM_EFORMAT, "%s: more than %d columns; not a postings table?",
                         t->src.path, SKM_TABLE_MAX_COLUMNS);
    size_t cap = t->spans_cap ? t->spans_cap : 16;
    while (cap < n)
        cap = cap > SIZE_MAX / 2 ? n : cap * 2;
    skm_span *p = skm_realloc_array(t->spans, cap, sizeof *p);
    if (!p)
        return skm_error(t->ctx, SKM_ENOMEM, "%s: out of memory for %zu fields", t->src.path, n);
    t->spans = p;
    t->spans_cap = cap;
    return SKM_OK;
}

int skm_table_skip(skm_table *t, int reason, uint64_t line, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    t->skip_reason = reason;
    return skm_error(t->ctx, SKM_EPARSE, "%s:%llu: %s", t->src.path, (unsigned long long)line,
                     detail);
}

void skm_table_fields_from_spans(skm_table *t)
{
    for (size_t i = 0; i < t->n_cols; ++i) {
        skm_field *f = &t->fields[i];
        if (i < t->n_fields && t->spans[i].present) {
            f->ptr = t->rec + t->spans[i].off;
            f->len = t->spans[i].len;
            f->present = 1;
        } else {
            f->ptr = "";
            f->len = 0;
            f->present = 0;
        }
    }
}

void skm_table_close(skm_table *t)
{
    if (!t)
        return;
    skm_source_close(&t->src);
    free(t->names);
    free(t->name_off);
    skm_strmap_free(t->keys);
    free(t->rec);
    free(t->spans);
    free(t->fields);
    skm_buf_free(&t->jstack);
    free(t);
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int skm_table_open(skm_ctx *ctx, const char *path, const skm_table_params *params,
                   skm_table **out)
{
    int rc = SKM_OK;
    skm_table *t = NULL;
    skm_table_params def = {SKM_FORMAT_AUTO, ',', (size_t)8 << 20};
    if (!out || !path)
        return skm_error(ctx, SKM_EINVAL, "skm_table_open: NULL path or result pointer");
    *out = NULL;
    if (!params)
        params = &def;
    if (params->format != SKM_FORMAT_AUTO && params->format != SKM_FORMAT_CSV &&
        params->format != SKM_FORMAT_JSONL)
        return skm_error(ctx, SKM_EINVAL, "%s: unknown input format %d", path, params->format);
    /* A delimiter that is also a quote, a line break or a UTF-8 lead/continuation byte would make
     * records ambiguous or split characters. */
    unsigned char d = (unsigned char)params->delimiter;
    if (d == '"' || d == '\n' || d == '\r' || d == '\0' || d >= 0x80)
        return skm_error(ctx, SKM_EINVAL, "%s: unusable CSV delimiter byte 0x%02x", path, d);
    if (params->max_record_bytes == 0)
        return skm_error(ctx, SKM_EINVAL, "%s: max_record_bytes must be positive", path);

    t = calloc(1, sizeof *t);
    if (!t)
        return skm_error(ctx, SKM_ENOMEM, "out of memory opening %s", path);
    t->ctx = ctx;
    t->src.fd = -1;
    t->delim = params->delimiter;
    t->max = params->max_record_bytes;
    t->csv_scan = skm_kernels_active()->csv_scan;
    t->line = 1;
    t->skip_reason = -1;

    rc = skm_source_open(ctx, path, &t->src);
    if (rc != SKM_OK)
        goto done;
    /* Allocate the record buffer up front: the parsers may then take t->rec + offset freely. */
    rc = skm_table_rec_reserve(t, 1);
    if (rc != SKM_OK)
        goto done;
    rc = skm_table_refill(t);
    if (rc != SKM_OK)
        goto done;
    /* Windows are full except the last, so a BOM is never split across two of them. */
    if (t->len >= 3 && memcmp(t->win, "\xEF\xBB\xBF", 3) == 0)
        t->pos = 3;
    if (t->pos == t->len) {
        rc = skm_error(ctx, SKM_EFORMAT, "%s: empty file", path);
        goto done;
    }

    t->format = params->format;
    if (t->format == SKM_FORMAT_AUTO) {
        /* The first non-blank byte decides. Only the first window is examined: a file that starts
         * with more than SKM_SOURCE_CHUNK bytes of white space is read as CSV. */
        size_t i = t->pos;
        while (i < t->len && is_blank(t->win[i]))
            ++i;
        t->format = i < t->len && t->win[i] == '{' ? SKM_FORMAT_JSONL : SKM_FORMAT_CSV;
    }

    if (t->format == SKM_FORMAT_JSONL) {
        t->keys = skm_strmap_alloc();
        if (!t->keys) {
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory opening %s", path);
            goto done;
        }
        rc = skm_jsonl_read_first(t);
    } else {
        rc = skm_csv_read_header(t);
    }
    if (rc != SKM_OK)
        goto done;

    t->fields = skm_calloc_array(t->n_cols ? t->n_cols : 1, sizeof *t->fields);
    if (!t->fields || skm_table_spans_reserve(t, t->n_cols) != SKM_OK) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory opening %s", path);
        goto done;
    }
    *out = t;
    t = NULL;

done:
    skm_table_close(t);
    return rc;
}

size_t skm_table_n_cols(const skm_table *t) { return t ? t->n_cols : 0; }

const char *skm_table_col_name(const skm_table *t, size_t i)
{
    if (!t || i >= t->n_cols)
        return NULL;
    if (t->format == SKM_FORMAT_JSONL)
        return skm_strmap_str(t->keys, (int32_t)i);
    return t->names + t->name_off[i];
}

int skm_table_format(const skm_table *t) { return t ? t->format : SKM_FORMAT_AUTO; }

int skm_table_is_gzip(const skm_table *t) { return t ? t->src.gzip : 0; }

int skm_table_next(skm_table *t, const skm_field **fields, uint64_t *line)
{
    uint64_t ln = 0;
    if (fields)
        *fields = NULL;
    if (line)
        *line = 0;
    if (!t || !fields)
        return skm_error(t ? t->ctx : NULL, SKM_EINVAL, "skm_table_next: NULL argument");
    if (t->fatal != SKM_OK)
        return t->fatal;
    int rc = t->format == SKM_FORMAT_JSONL ? skm_jsonl_next(t, &ln) : skm_csv_next(t, &ln);
    if (line)
        *line = ln;
    if (rc == SKM_OK)
        *fields = t->fields;
    return rc;
}

int skm_table_skip_reason(const skm_table *t) { return t ? t->skip_reason : -1; }

uint64_t skm_table_bytes_read(const skm_table *t) { return t ? t->src.bytes_read : 0; }

uint64_t skm_table_file_size(const skm_table *t) { return t ? t->src.file_size : 0; }

uint64_t skm_table_bytes_decoded(const skm_table *t) { return t ? t->src.bytes_decoded : 0; }

void skm_table_sha256_hex(const skm_table *t, char hex[65])
{
    uint8_t d[32];
    if (!t) {
        hex[0] = '\0';
        return;
    }
    /* The hasher thread may still be busy, which takes its lock: the table is logically const
     * (and never defined const: it comes from calloc), so casting the qualifier away is sound. */
    skm_source_digest(&((skm_table *)t)->src, d);
    skm_sha256_hex(d, hex);
}
