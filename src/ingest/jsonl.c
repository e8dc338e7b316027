/*
 * jsonl.c — JSON Lines records: one RFC 8259 object per '\n'-terminated line ("\r\n" works too,
 * CR being JSON white space). Lines are numbered by '\n' alone.
 *
 * A line that lies inside one window is parsed where it lies; one that straddles windows is first
 * assembled in the record buffer (up to max_record_bytes; a longer line is skipped to its '\n'
 * without being kept) and then parsed in place. In-place parsing is safe because the output never
 * overtakes the input: a member `"key":value,` produces at most value-bytes + 1 (its NUL), string
 * unescaping only shrinks text, and the key is unescaped only temporarily, at the output position,
 * to be looked up. So the record buffer alone holds both the line and its values.
 *
 * Output layout, as for CSV: each kept value's bytes followed by a NUL, addressed by spans[column].
 * Strings are unescaped; numbers, true and false are copied as written; arrays and objects are
 * validated and copied as raw JSON text; null is "not present". Keys not among the first object's
 * are validated and dropped. When a key repeats, its last value wins.
 *
 * Checks, in order: length, NUL bytes, UTF-8 (once over the raw line: escapes then only add valid
 * UTF-8, since a lone surrogate is rejected), the grammar, and \u0000 in a kept value.
 */
#include <stdio.h>
#include <string.h>

#include "table_impl.h"

/* Parse state of one line. */
typedef struct jp {
    const unsigned char *in;
    size_t n;
    size_t r;            /* read position in `in` */
    char *out;           /* may equal (const char *)in: see the file comment */
    size_t w;            /* write position in `out` */
    int nul;             /* the last string produced a NUL (\u0000) */
    const char *err;     /* grammar error, with err_at its offset in the line */
    size_t err_at;
} jp;

static int jerr(jp *j, size_t at, const char *msg)
{
    j->err = msg;
    j->err_at = at;
    return -1;
}

static inline void ws(jp *j)
{
    while (j->r < j->n) {
        unsigned char c = j->in[j->r];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
        j->r++;
    }
}

static int hex4(const unsigned char *s, uint32_t *v)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; ++i) {
        unsigned c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        x = x << 4 | d;
    }
    *v = x;
    return 0;
}

/* A string at in[r] == '"'. With emit, its unescaped bytes go to out[w..] and w advances. */
static int j_string(jp *j, int emit)
{
    const unsigned char *in = j->in;
    size_t n = j->n, r = j->r + 1, w = j->w;
    char *out = j->out;
    j->nul = 0;
    for (;;) {
        size_t s = r;
        while (r < n && in[r] != '"' && in[r] != '\\' && in[r] >= 0x20)
            ++r;
        if (emit && r > s) {
            memmove(out + w, in + s, r - s);
            w += r - s;
        }
        if (r >= n)
            return jerr(j, j->r, "unterminated string");
        unsigned char c = in[r];
        if (c == '"') {
            ++r;
            break;
        }
        if (c < 0x20)
            return jerr(j, r, "unescaped control character in string");
        if (r + 1 >= n)
            return jerr(j, j->r, "unterminated string");
        unsigned char e = in[r + 1];
        size_t esc = r;
        r += 2;
        uint32_t cp;
        switch (e) {
        case '"': case '\\': case '/': cp = e; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (n - r < 4 || hex4(in + r, &cp) != 0)
                return jerr(j, esc, "bad \\u escape");
            r += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return jerr(j, esc, "lone low surrogate");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (n - r < 6 || in[r] != '\\' || in[r + 1] != 'u' || hex4(in + r + 2, &lo) != 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return jerr(j, esc, "lone high surrogate");
                r += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            break;
        default:
            return jerr(j, esc, "invalid escape");
        }
        if (cp == 0)
            j->nul = 1;
        if (emit) {
            /* UTF-8 of an escape is never longer than the escape (2, 6 or 12 bytes). */
            if (cp < 0x80) {
                out[w++] = (char)cp;
            } else if (cp < 0x800) {
                out[w++] = (char)(0xC0 | cp >> 6);
                out[w++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[w++] = (char)(0xE0 | cp >> 12);
                out[w++] = (char)(0x80 | (cp >> 6 & 0x3F));
                out[w++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[w++] = (char)(0xF0 | cp >> 18);
                out[w++] = (char)(0x80 | (cp >> 12 & 0x3F));
                out[w++] = (char)(0x80 | (cp >> 6 & 0x3F));
                out[w++] = (char)(0x80 | (cp & 0x3F));
            }
        }
    }
    j->r = r;
    j->w = w;
    return 0;
}

/* A member key of a nested object (read and dropped) and its ':'. 0, or -1 with the error set. */
static int j_key(jp *j)
{
    if (j->r >= j->n || j->in[j->r] != '"')
        return jerr(j, j->r, "expected a string key");
    if (j_string(j, 0) != 0)
        return -1;
    ws(j);
    if (j->r >= j->n || j->in[j->r] != ':')
        return jerr(j, j->r, "expected ':'");
    j->r++;
    return 0;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* A number per the RFC 8259 grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int j_number(jp *j)
{
    const unsigned char *in = j->in;
    size_t n = j->n, r = j->r, start = j->r;
    if (r < n && in[r] == '-')
        ++r;
    if (r < n && in[r] == '0')
        ++r;
    else if (r < n && in[r] >= '1' && in[r] <= '9')
        while (r < n && is_digit(in[r]))
            ++r;
    else
        return jerr(j, start, "bad number");
    if (r < n && in[r] == '.') {
        ++r;
        if (r >= n || !is_digit(in[r]))
            return jerr(j, start, "bad number");
        while (r < n && is_digit(in[r]))
            ++r;
    }
    if (r < n && (in[r] == 'e' || in[r] == 'E')) {
        ++r;
        if (r < n && (in[r] == '+' || in[r] == '-'))
            ++r;
        if (r >= n || !is_digit(in[r]))
            return jerr(j, start, "bad number");
        while (r < n && is_digit(in[r]))
            ++r;
    }
    j->r = r;
    return 0;
}

static int j_literal(jp *j, const char *lit, size_t len)
{
    if (j->n - j->r < len || memcmp(j->in + j->r, lit, len) != 0)
        return jerr(j, j->r, "unexpected character");
    j->r += len;
    return 0;
}

/* A scalar (string without output, number, literal) at in[r]. */
static int j_scalar(jp *j)
{
    unsigned char c = j->in[j->r];
    if (c == '"')
        return j_string(j, 0);
    if (c == '-' || is_digit(c))
        return j_number(j);
    if (c == 't')
        return j_literal(j, "true", 4);
    if (c == 'f')
        return j_literal(j, "false", 5);
    if (c == 'n')
        return j_literal(j, "null", 4);
    return jerr(j, j->r, "unexpected character");
}

/* Validate the array or object at in[r] without recursion (nesting depth is the attacker's to
 * choose): `stack` holds the open containers' closing brackets. */
static int j_container(jp *j, skm_buf *stack, int *oom)
{
    stack->len = 0;
    for (;;) {
        /* A value is expected at r. */
        ws(j);
        if (j->r >= j->n)
            return jerr(j, j->r, "unexpected end of line");
        unsigned char c = j->in[j->r];
        if (c == '[' || c == '{') {
            if (skm_buf_putc(stack, c == '[' ? ']' : '}') != SKM_OK) {
                *oom = 1;
                return -1;
            }
            j->r++;
            ws(j);
            if (j->r < j->n && j->in[j->r] == (unsigned char)stack->ptr[stack->len - 1]) {
                j->r++;
                stack->len--;
            } else if (c == '{') {
                if (j_key(j) != 0)
                    return -1;
                continue;
            } else {
                continue;
            }
        } else if (j_scalar(j) != 0) {
            return -1;
        }
        /* After a value: close containers or move to the next element. */
        for (;;) {
            if (stack->len == 0)
                return 0;
            ws(j);
            if (j->r >= j->n)
                return jerr(j, j->r, "unexpected end of line");
            unsigned char close = (unsigned char)stack->ptr[stack->len - 1];
            c = j->in[j->r];
            if (c == close) {
                j->r++;
                stack->len--;
                continue;
            }
            if (c != ',')
                return jerr(j, j->r, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
            j->r++;
            if (close == '}') {
                ws(j);
                if (j_key(j) != 0)
                    return -1;
            }
            break;
        }
    }
}

/* Parse the object in[0..n) into out and t->spans. define: the first object, whose keys become
 * the columns. Returns SKM_OK; SKM_EPARSE with t->why_reason / t->why; or a fatal status. */
static int j_object(skm_table *t, const char *in, size_t n, char *out, int define,
                    size_t *nul_col)
{
    jp j = {(const unsigned char *)in, n, 0, out, 0, 0, NULL, 0};
    int oom = 0;
    *nul_col = SIZE_MAX;
    ws(&j);
    if (j.r >= n || j.in[j.r] != '{') {
        jerr(&j, j.r, "not a JSON object");
        goto bad;
    }
    j.r++;
    ws(&j);
    if (j.r < n && j.in[j.r] == '}') {
        j.r++;
        goto end;
    }
    for (;;) {
        if (j.r >= n || j.in[j.r] != '"') {
            jerr(&j, j.r, "expected a string key");
            goto bad;
        }
        size_t key_at = j.r, kw = j.w;
        if (j_string(&j, 1) != 0)
            goto bad;
        int32_t id;
        if (define) {
            if (j.nul) {
                jerr(&j, key_at, "key contains a NUL character");
                goto bad;
            }
            if (skm_strmap_intern(t->keys, out + kw, j.w - kw, &id) != SKM_OK ||
                skm_table_spans_reserve(t, (size_t)id + 1) != SKM_OK)
                return skm_error(t->ctx, SKM_ENOMEM, "%s: out of memory for JSON keys",
                                 t->src.path);
            if ((size_t)id >= t->n_cols) {
                t->n_cols = (size_t)id + 1;
                t->spans[id] = (skm_span){0, 0, 0};
            }
        } else {
            id = skm_strmap_find(t->keys, out + kw, j.w - kw);
        }
        j.w = kw; /* the key's bytes were only needed for the look-up */
        ws(&j);
        if (j.r >= n || j.in[j.r] != ':') {
            jerr(&j, j.r, "expected ':'");
            goto bad;
        }
        j.r++;
        ws(&j);
        if (j.r >= n) {
            jerr(&j, j.r, "expected a value");
            goto bad;
        }
        unsigned char c = j.in[j.r];
        size_t v0 = j.r, vw = j.w;
        int present = 1, nul = 0;
        if (c == '"') {
            if (j_string(&j, id >= 0) != 0)
                goto bad;
            nul = j.nul;
        } else {
            if (c == '[' || c == '{') {
                if (j_container(&j, &t->jstack, &oom) != 0)
                    goto bad;
            } else if (j_scalar(&j) != 0) {
                goto bad;
            }
            if (c == 'n') {
                present = 0;
            } else if (id >= 0) {
                memmove(out + j.w, in + v0, j.r - v0);
                j.w += j.r - v0;
            }
        }
        if (id >= 0) {
            t->spans[id] = (skm_span){vw, j.w - vw, present};
            out[j.w++] = '\0';
            if (nul && *nul_col == SIZE_MAX)
                *nul_col = (size_t)id;
        }
        ws(&j);
        if (j.r < n && j.in[j.r] == ',') {
            j.r++;
            ws(&j);
            continue;
        }
        if (j.r < n && j.in[j.r] == '}') {
            j.r++;
            break;
        }
        jerr(&j, j.r, "expected ',' or '}'");
        goto bad;
    }
end:
    ws(&j);
    if (j.r != n) {
        jerr(&j, j.r, "trailing characters after the object");
        goto bad;
    }
    return SKM_OK;
bad:
    if (oom)
        return skm_error(t->ctx, SKM_ENOMEM, "%s: out of memory for nested JSON", t->src.path);
    t->why_reason = SKM_SKIP_BAD_JSON;
    snprintf(t->why, sizeof t->why, "bad JSON at column %zu: %s", j.err_at + 1, j.err);
    return SKM_EPARSE;
}

/* The next line: *in / *n, and *line its number. *got = 0 at end of data. A line longer than the
 * limit is consumed but not kept (*too_long). */
static int next_line(skm_table *t, const char **in, size_t *n, uint64_t *line, int *got,
                     int *too_long)
{
    uint64_t total = 0;
    int started = 0;
    *got = 0;
    *too_long = 0;
    t->rec_len = 0;
    for (;;) {
        if (t->pos == t->len) {
            int rc = skm_table_refill(t);
            if (rc != SKM_OK)
                return rc;
            if (t->len == 0) {
                if (!started)
                    return SKM_OK;
                break; /* a last line without '\n' */
            }
        }
        const char *p = t->win + t->pos;
        size_t avail = t->len - t->pos;
        const char *nl = memchr(p, '\n', avail);
        size_t k = nl ? (size_t)(nl - p) : avail;
        if (!started && nl) { /* the whole line is in this window: parse it where it is */
            t->pos += k + 1;
            *in = p;
            *n = k;
            *too_long = k > t->max;
            *line = t->line++;
            *got = 1;
            return SKM_OK;
        }
        started = 1;
        total += k;
        if (!*too_long) {
            if (total > t->max) {
                *too_long = 1;
            } else {
                int rc = skm_table_rec_reserve(t, k);
                if (rc != SKM_OK)
                    return rc;
                memcpy(t->rec + t->rec_len, p, k);
                t->rec_len += k;
            }
        }
        t->pos += k;
        if (nl) {
            t->pos++;
            break;
        }
    }
    *in = t->rec;
    *n = t->rec_len;
    *line = t->line++;
    *got = 1;
    return SKM_OK;
}

static int is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* Read the next non-blank line and parse it. Returns SKM_OK (*got = 0 at end), SKM_EPARSE with
 * t->why_reason / t->why, or a fatal status. */
static int jsonl_record(skm_table *t, int define, uint64_t *line, int *got, size_t *nul_col)
{
    const char *in = NULL;
    size_t n = 0;
    int too_long = 0;
    for (;;) {
        int rc = next_line(t, &in, &n, line, got, &too_long);
        if (rc != SKM_OK || !*got)
            return rc;
        if (too_long) {
            t->why_reason = SKM_SKIP_TOO_LONG;
            snprintf(t->why, sizeof t->why, "record longer than max_record_bytes (%zu bytes)",
                     t->max);
            return SKM_EPARSE;
        }
        if (!is_blank_line(in, n))
            break;
    }
    const char *z = memchr(in, '\0', n);
    if (z) {
        t->why_reason = SKM_SKIP_NUL_BYTE;
        snprintf(t->why, sizeof t->why, "NUL byte at column %zu", (size_t)(z - in) + 1);
        return SKM_EPARSE;
    }
    size_t bad = skm_table_utf8_check(in, n);
    if (bad < n) {
        t->why_reason = SKM_SKIP_BAD_UTF8;
        snprintf(t->why, sizeof t->why, "invalid UTF-8 at column %zu", bad + 1);
        return SKM_EPARSE;
    }
    if (in != t->rec) { /* parsing from the window: the values go to the record buffer */
        t->rec_len = 0;
        int rc = skm_table_rec_reserve(t, n + 1);
        if (rc != SKM_OK)
            return rc;
    }
    for (size_t i = 0; i < t->n_cols; ++i)
        t->spans[i] = (skm_span){0, 0, 0};
    return j_object(t, in, n, t->rec, define, nul_col);
}

int skm_jsonl_read_first(skm_table *t)
{
    uint64_t line = 0;
    int got = 0;
    size_t nul_col = SIZE_MAX;
    int rc = jsonl_record(t, 1, &line, &got, &nul_col);
    if (rc == SKM_EPARSE)
        return skm_error(t->ctx, SKM_EFORMAT,
                         "%s:%llu: the first line is not a valid JSON object (%s); its keys "
                         "would define the columns",
                         t->src.path, (unsigned long long)line, t->why);
    if (rc != SKM_OK)
        return rc;
    if (!got)
        return skm_error(t->ctx, SKM_EFORMAT, "%s: no JSON object (the file has only blank lines)",
                         t->src.path);
    if (t->n_cols == 0)
        return skm_error(t->ctx, SKM_EFORMAT,
                         "%s:%llu: the first JSON object has no keys (they define the columns)",
                         t->src.path, (unsigned long long)line);
    /* The first object is also the first record: its values wait in the buffer for the first
     * skm_table_next(). A NUL in one of them skips it then, like any other record. */
    t->pending_first = 1;
    t->first_line = line;
    t->pending_nul = nul_col;
    return SKM_OK;
}

static int nul_skip(skm_table *t, size_t col, uint64_t line)
{
    return skm_table_skip(t, SKM_SKIP_NUL_BYTE, line, "field %zu (%.200s): NUL character (\\u0000)",
                          col + 1, skm_strmap_str(t->keys, (int32_t)col));
}

int skm_jsonl_next(skm_table *t, uint64_t *line)
{
    size_t nul_col = SIZE_MAX;
    if (t->pending_first) {
        t->pending_first = 0;
        *line = t->first_line;
        if (t->pending_nul != SIZE_MAX)
            return nul_skip(t, t->pending_nul, *line);
        t->n_fields = t->n_cols;
        skm_table_fields_from_spans(t);
        return SKM_OK;
    }
    int got = 0;
    int rc = jsonl_record(t, 0, line, &got, &nul_col);
    if (rc == SKM_EPARSE)
        return skm_table_skip(t, t->why_reason, *line, "%s", t->why);
    if (rc != SKM_OK)
        return rc;
    if (!got)
        return SKM_EOF;
    if (nul_col != SIZE_MAX)
        return nul_skip(t, nul_col, *line);
    t->n_fields = t->n_cols;
    skm_table_fields_from_spans(t);
    return SKM_OK;
}
