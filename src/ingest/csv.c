/*
 * csv.c — CSV records (RFC 4180 plus common practice, see table.h) from the decoded windows.
 *
 * The parser is a five-state machine whose state lives in locals for the length of one record;
 * a record may span any number of windows. Bytes are never examined one at a time on the hot
 * paths: in an unquoted field the csv_scan kernel finds the next structural byte and the run
 * before it is copied with one memcpy; in a quoted field memchr finds the next '"' and the lines
 * inside the run are counted with memchr as well.
 *
 * Record buffer layout: the fields' unquoted bytes back to back, each followed by one NUL byte.
 * The NULs make every field a C string for free and, more importantly, let a single
 * skm_utf8_check over the whole buffer stand for a check of each field: an ASCII byte between
 * fields stops a multi-byte sequence from straddling two of them. The buffer never exceeds
 * max_record_bytes + 1: each NUL pays for the delimiter (or, once, the terminator) it replaces,
 * and field bytes are only kept while the record's raw length is within the limit. A longer
 * record is still parsed to its end (quote state decides where it ends) but its bytes are
 * dropped, so a 100 MB field costs the limit, not 100 MB.
 *
 * Errors inside a record (text after a closing quote, too long) do not stop the scan: the record
 * is read to its end with its bytes discarded, and only then reported, so the next call starts
 * at the next record. After a bad quote the rest of the field is scanned as unquoted text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table_impl.h"

enum {
    ST_REC_START,   /* nothing of the record consumed yet: blank lines are skipped here */
    ST_FIELD_START, /* at the first byte of a field */
    ST_UNQUOTED,    /* inside an unquoted field */
    ST_QUOTED,      /* inside a quoted field */
    ST_QUOTE_SEEN   /* just after a '"' inside a quoted field: "" or the closing quote */
};

/* Per-record bookkeeping. */
typedef struct csv_rec {
    uint64_t start_abs;  /* decoded offset of the record's first byte */
    uint64_t start_line;
    int err;             /* first enum skm_skip found while scanning, or -1 */
    size_t err_field;    /* the field it concerns (0-based) */
    size_t limit;        /* spans kept: n_cols, or SIZE_MAX while reading the header */
} csv_rec;

/* Append window bytes s[0..k) to the current field, unless the record is being discarded or this
 * would take its raw length past the limit (which starts discarding). */
static inline int add(skm_table *t, csv_rec *r, const char *s, size_t k)
{
    if (r->err >= 0)
        return SKM_OK;
    uint64_t raw = t->win_base + (uint64_t)(s + k - t->win) - r->start_abs;
    if (raw > t->max) {
        r->err = SKM_SKIP_TOO_LONG;
        r->err_field = t->n_fields;
        return SKM_OK;
    }
    if (k >= t->rec_cap - t->rec_len) {
        int rc = skm_table_rec_reserve(t, k);
        if (rc != SKM_OK)
            return rc;
    }
    memcpy(t->rec + t->rec_len, s, k);
    t->rec_len += k;
    return SKM_OK;
}

/* Close the current field, which started at rec offset fstart. */
static inline int end_field(skm_table *t, csv_rec *r, size_t fstart)
{
    if (r->err < 0) {
        /* The buffer holds at most raw bytes so far (each NUL replaces a delimiter), so a buffer
         * already past the limit means a record past the limit. */
        if (t->rec_len > t->max) {
            r->err = SKM_SKIP_TOO_LONG;
            r->err_field = t->n_fields;
        } else {
            if (t->n_fields < r->limit) {
                if (t->n_fields >= t->spans_cap) {
                    int rc = skm_table_spans_reserve(t, t->n_fields + 1);
                    if (rc != SKM_OK)
                        return rc;
                }
                t->spans[t->n_fields] = (skm_span){fstart, t->rec_len - fstart, 1};
            }
            if (t->rec_len + 1 >= t->rec_cap) {
                int rc = skm_table_rec_reserve(t, 1);
                if (rc != SKM_OK)
                    return rc;
            }
            t->rec[t->rec_len++] = '\0';
        }
    }
    t->n_fields++;
    return SKM_OK;
}

/* Count the physical lines ended inside quoted bytes s[0..k): every CR, and every LF that does
 * not complete a CRLF. *prev_cr says whether the quoted bytes before s ended with CR (a CRLF may
 * straddle two windows); it is updated. */
static uint64_t count_lines(const char *s, size_t k, int *prev_cr)
{
    uint64_t lines = 0;
    const char *e = s + k;
    for (const char *x = s; (x = memchr(x, '\n', (size_t)(e - x))) != NULL; ++x)
        if (!(x > s ? x[-1] == '\r' : *prev_cr))
            ++lines;
    for (const char *x = s; (x = memchr(x, '\r', (size_t)(e - x))) != NULL; ++x)
        ++lines;
    if (k)
        *prev_cr = s[k - 1] == '\r';
    return lines;
}

static void field_desc(const skm_table *t, int header, size_t i, char *buf, size_t n)
{
    if (!header && i < t->n_cols)
        snprintf(buf, n, "field %zu (%.200s)", i + 1, t->names + t->name_off[i]);
    else
        snprintf(buf, n, "field %zu", i + 1);
}

/* Read one record into t->rec / t->spans. Returns SKM_OK with *got = 1 (a record) or 0 (end of
 * data), SKM_EPARSE with t->why_reason / t->why set (nothing recorded in the context yet), or a
 * fatal status. *line is the record's first line. */
static int csv_record(skm_table *t, int header, uint64_t *line, int *got)
{
    int rc = SKM_OK;
    int state = ST_REC_START;
    int prev_cr = 0;
    int term = 0; /* the record ended at a line terminator (1 byte consumed), not at EOF */
    size_t fstart = 0;
    const char delim = t->delim;
    csv_rec r = {0, t->line, -1, 0, header ? SIZE_MAX : t->n_cols};

    *got = 0;
    t->rec_len = 0;
    t->n_fields = 0;

    for (;;) {
        if (t->pos == t->len) {
            rc = skm_table_refill(t);
            if (rc != SKM_OK)
                return rc;
            if (t->len == 0)
                break;
        }
        const char *p = t->win + t->pos;
        size_t n = t->len - t->pos;

        switch (state) {
        case ST_REC_START:
            if (t->skip_lf) {
                /* The previous terminator was a CR; this LF completes a CRLF. */
                t->skip_lf = 0;
                if (p[0] == '\n') {
                    t->pos++;
                    continue;
                }
            }
            if (p[0] == '\n' || p[0] == '\r') { /* a blank line */
                t->skip_lf = p[0] == '\r';
                t->pos++;
                t->line++;
                continue;
            }
            r.start_abs = t->win_base + t->pos;
            r.start_line = t->line;
            state = ST_FIELD_START;
            /* fall through */
        case ST_FIELD_START:
            fstart = t->rec_len;
            if (p[0] == '"') {
                t->pos++;
                prev_cr = 0;
                state = ST_QUOTED;
                continue;
            }
            state = ST_UNQUOTED;
            /* fall through */
        case ST_UNQUOTED: {
            size_t k = t->csv_scan(p, n, delim);
            if (k) {
                rc = add(t, &r, p, k);
                if (rc != SKM_OK)
                    return rc;
                t->pos += k;
                if (k == n)
                    continue; /* the field goes on in the next window */
            }
            char c = p[k];
            t->pos++;
            if (c == delim) {
                rc = end_field(t, &r, fstart);
                state = ST_FIELD_START;
            } else if (c == '\n' || c == '\r') {
                t->line++;
                t->skip_lf = c == '\r';
                term = 1;
                rc = end_field(t, &r, fstart);
                if (rc != SKM_OK)
                    return rc;
                goto record_end;
            } else {
                rc = add(t, &r, p + k, 1); /* '"' or NUL inside an unquoted field: kept */
            }
            if (rc != SKM_OK)
                return rc;
            continue;
        }
        case ST_QUOTED: {
            const char *q = memchr(p, '"', n);
            size_t k = q ? (size_t)(q - p) : n;
            if (k) {
                t->line += count_lines(p, k, &prev_cr);
                rc = add(t, &r, p, k);
                if (rc != SKM_OK)
                    return rc;
                t->pos += k;
            }
            if (q) {
                t->pos++;
                prev_cr = 0;
                state = ST_QUOTE_SEEN;
            }
            continue;
        }
        case ST_QUOTE_SEEN: {
            char c = p[0];
            if (c == '"') { /* "" stands for one quote */
                rc = add(t, &r, p, 1);
                t->pos++;
                state = ST_QUOTED;
            } else if (c == delim) {
                t->pos++;
                rc = end_field(t, &r, fstart);
                state = ST_FIELD_START;
            } else if (c == '\n' || c == '\r') {
                t->pos++;
                t->line++;
                t->skip_lf = c == '\r';
                term = 1;
                rc = end_field(t, &r, fstart);
                if (rc != SKM_OK)
                    return rc;
                goto record_end;
            } else {
                /* Text after the closing quote: note it, read on as unquoted text to find where
                 * the record ends. */
                if (r.err < 0) {
                    r.err = SKM_SKIP_BAD_QUOTE;
                    r.err_field = t->n_fields;
                }
                state = ST_UNQUOTED;
            }
            if (rc != SKM_OK)
                return rc;
            continue;
        }
        }
    }

    /* End of data. */
    if (state == ST_REC_START) {
        *line = t->line;
        return SKM_OK; /* no record */
    }
    if (state == ST_QUOTED) {
        /* The open quote is the root cause, even if the runaway field also got too long. */
        r.err = SKM_SKIP_UNTERMINATED_QUOTE;
        r.err_field = t->n_fields;
    } else {
        rc = end_field(t, &r, fstart);
        if (rc != SKM_OK)
            return rc;
    }

record_end:;
    char fd[256];
    *line = r.start_line;
    *got = 1;
    uint64_t raw = t->win_base + t->pos - (uint64_t)term - r.start_abs;
    if (r.err < 0 && raw > t->max)
        r.err = SKM_SKIP_TOO_LONG;
    if (r.err >= 0) {
        t->why_reason = r.err;
        field_desc(t, header, r.err_field, fd, sizeof fd);
        if (r.err == SKM_SKIP_UNTERMINATED_QUOTE)
            snprintf(t->why, sizeof t->why, "%s: quoted field not closed before end of file", fd);
        else if (r.err == SKM_SKIP_BAD_QUOTE)
            snprintf(t->why, sizeof t->why, "%s: text after the closing quote", fd);
        else
            snprintf(t->why, sizeof t->why, "record longer than max_record_bytes (%zu bytes)",
                     t->max);
        return SKM_EPARSE;
    }
    if (!header && t->n_fields != t->n_cols) {
        t->why_reason = SKM_SKIP_FIELD_COUNT;
        snprintf(t->why, sizeof t->why, "expected %zu fields, got %zu", t->n_cols, t->n_fields);
        return SKM_EPARSE;
    }
    for (size_t i = 0; i < t->n_fields; ++i) {
        const char *z = memchr(t->rec + t->spans[i].off, '\0', t->spans[i].len);
        if (z) {
            t->why_reason = SKM_SKIP_NUL_BYTE;
            field_desc(t, header, i, fd, sizeof fd);
            snprintf(t->why, sizeof t->why, "%s: NUL byte at byte %zu", fd,
                     (size_t)(z - (t->rec + t->spans[i].off)) + 1);
            return SKM_EPARSE;
        }
    }
    size_t bad = skm_table_utf8_check(t->rec, t->rec_len);
    if (bad < t->rec_len) {
        size_t i = 0;
        while (i + 1 < t->n_fields && bad > t->spans[i].off + t->spans[i].len)
            ++i;
        t->why_reason = SKM_SKIP_BAD_UTF8;
        field_desc(t, header, i, fd, sizeof fd);
        snprintf(t->why, sizeof t->why, "%s: invalid UTF-8 at byte %zu", fd,
                 bad - t->spans[i].off + 1);
        return SKM_EPARSE;
    }
    return SKM_OK;
}

int skm_csv_read_header(skm_table *t)
{
    uint64_t line = 0;
    int got = 0;
    int rc = csv_record(t, 1, &line, &got);
    if (rc == SKM_EPARSE)
        return skm_error(t->ctx, SKM_EFORMAT, "%s:%llu: bad header line: %s", t->src.path,
                         (unsigned long long)line, t->why);
    if (rc != SKM_OK)
        return rc;
    if (!got)
        return skm_error(t->ctx, SKM_EFORMAT, "%s: no header line (the file has only blank lines)",
                         t->src.path);
    t->n_cols = t->n_fields;
    /* The record buffer already holds the names NUL-terminated; keep a copy of it. */
    t->names = malloc(t->rec_len + 1);
    t->name_off = skm_malloc_array(t->n_cols, sizeof *t->name_off);
    if (!t->names || !t->name_off)
        return skm_error(t->ctx, SKM_ENOMEM, "%s: out of memory for %zu header columns",
                         t->src.path, t->n_cols);
    memcpy(t->names, t->rec, t->rec_len);
    t->names[t->rec_len] = '\0';
    for (size_t i = 0; i < t->n_cols; ++i)
        t->name_off[i] = t->spans[i].off;
    return SKM_OK;
}

int skm_csv_next(skm_table *t, uint64_t *line)
{
    int got = 0;
    int rc = csv_record(t, 0, line, &got);
    if (rc == SKM_EPARSE)
        return skm_table_skip(t, t->why_reason, *line, "%s", t->why);
    if (rc != SKM_OK)
        return rc;
    if (!got)
        return SKM_EOF;
    skm_table_fields_from_spans(t);
    return SKM_OK;
}
