/*
 * test_table.c — the streaming table reader of src/ingest/table.h: CSV (quoting, line breaks,
 * CR/CRLF, BOM, delimiters), JSON Lines (escapes, surrogates, raw nested values, null), gzip
 * (equality with plain input, SHA-256 of the stored bytes, concatenated members, truncation),
 * records straddling the internal read windows, the record-size limit without buffering, every
 * skip reason with its line number and message, resynchronisation after each malformed record,
 * a randomized differential test against an independent CSV writer, and fuzzer regressions.
 *
 * Every fixture is written by the test itself into $SKM_TMPDIR.
 */
#include "test_util.h"

#include <errno.h>
#include <sys/stat.h>
#include <zlib.h>

#include "ingest/table.h"
#include "ingest/table_impl.h" /* white-box: the record buffer's capacity in the limit tests */

#define MiB ((size_t)1 << 20)

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static skm_ctx *g_ctx;

static int setup(void **state)
{
    (void)state;
    g_ctx = skm_ctx_alloc();
    return g_ctx ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    skm_ctx_free(g_ctx);
    return 0;
}

/* The path of `name` in the scratch directory (a static buffer per slot: two live at once). */
static const char *tmp(const char *name)
{
    static char buf[2][4096];
    static int slot;
    slot ^= 1;
    int n = snprintf(buf[slot], sizeof buf[slot], "%s/%s", skm_test_env("SKM_TMPDIR"), name);
    if (n < 0 || (size_t)n >= sizeof buf[slot])
        fail_msg("path too long");
    return buf[slot];
}

static const char *put(const char *name, const void *data, size_t len)
{
    const char *p = tmp(name);
    if (skm_test_write_file(p, data, len) != 0)
        fail_msg("cannot write %s", p);
    return p;
}

static const char *puts_(const char *name, const char *text) { return put(name, text, strlen(text)); }

/* gzip `data` into `path` with zlib's gz* writer (an independent encoder). */
static void put_gz(const char *path, const void *data, size_t len)
{
    gzFile f = gzopen(path, "wb6");
    assert_non_null(f);
    const char *p = data;
    while (len) {
        unsigned k = len > (1u << 30) ? (1u << 30) : (unsigned)len;
        assert_int_equal(gzwrite(f, p, k), (int)k);
        p += k;
        len -= k;
    }
    assert_int_equal(gzclose(f), Z_OK);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    skm_buf b = {0};
    char tmpb[65536];
    size_t k;
    while ((k = fread(tmpb, 1, sizeof tmpb, f)) > 0)
        assert_int_equal(skm_buf_append(&b, tmpb, k), SKM_OK);
    fclose(f);
    *len = b.len;
    if (!b.ptr)
        b.ptr = calloc(1, 1);
    return b.ptr;
}

static void sha_of_file(const char *path, char hex[65])
{
    size_t n;
    char *d = slurp(path, &n);
    skm_sha256 s;
    uint8_t dg[32];
    skm_sha256_init(&s);
    skm_sha256_update(&s, d, n);
    skm_sha256_final(&s, dg);
    skm_sha256_hex(dg, hex);
    free(d);
}

static skm_table *open_t(const char *path, int format, char delim, size_t max)
{
    skm_table_params p = {format, delim, max};
    skm_table *t = NULL;
    int rc = skm_table_open(g_ctx, path, &p, &t);
    if (rc != SKM_OK)
        fail_msg("open %s: %s: %s", path, skm_strerror(rc), skm_ctx_errmsg(g_ctx));
    assert_non_null(t);
    return t;
}

static skm_table *open_csv(const char *path) { return open_t(path, SKM_FORMAT_AUTO, ',', 8 * MiB); }

/* Expect an open failure with `code` and a message containing `sub`. */
static void expect_open_fail(const char *path, int format, int code, const char *sub)
{
    skm_table_params p = {format, ',', 8 * MiB};
    skm_table *t = (skm_table *)1;
    int rc = skm_table_open(g_ctx, path, &p, &t);
    if (rc != code)
        fail_msg("open %s: status %d (%s), want %d", path, rc, skm_ctx_errmsg(g_ctx), code);
    assert_null(t);
    if (!strstr(skm_ctx_errmsg(g_ctx), sub))
        fail_msg("message '%s' lacks '%s'", skm_ctx_errmsg(g_ctx), sub);
}

static void expect_cols(const skm_table *t, const char *const *names, size_t n)
{
    assert_int_equal(skm_table_n_cols(t), n);
    for (size_t i = 0; i < n; ++i)
        assert_string_equal(skm_table_col_name(t, i), names[i]);
    assert_null(skm_table_col_name(t, n));
}

/* Expect a record at `line` whose fields are want[0..n) (NULL: not present). */
static void expect_rec(skm_table *t, uint64_t line, const char *const *want, size_t n)
{
    const skm_field *f = NULL;
    uint64_t ln = 0;
    int rc = skm_table_next(t, &f, &ln);
    if (rc != SKM_OK)
        fail_msg("want a record at line %llu, got status %d: %s", (unsigned long long)line, rc,
                 skm_ctx_errmsg(g_ctx));
    if (ln != line)
        fail_msg("record at line %llu, want %llu", (unsigned long long)ln, (unsigned long long)line);
    assert_int_equal(skm_table_n_cols(t), n);
    for (size_t i = 0; i < n; ++i) {
        if (!want[i]) {
            if (f[i].present)
                fail_msg("line %llu field %zu: present '%.*s', want absent", (unsigned long long)line,
                         i + 1, (int)f[i].len, f[i].ptr);
            assert_int_equal(f[i].len, 0);
            continue;
        }
        if (!f[i].present || f[i].len != strlen(want[i]) || memcmp(f[i].ptr, want[i], f[i].len))
            fail_msg("line %llu field %zu: '%.*s' (present %d), want '%s'", (unsigned long long)line,
                     i + 1, (int)f[i].len, f[i].ptr, f[i].present, want[i]);
    }
}
#define REC(t, line, ...)                                                                      \
    do {                                                                                       \
        const char *w_[] = {__VA_ARGS__};                                                      \
        expect_rec((t), (line), w_, sizeof w_ / sizeof w_[0]);                                 \
    } while (0)

/* Expect SKM_EPARSE for the record at `line` with `reason` and a message containing `sub`. */
static void expect_skip(skm_table *t, uint64_t line, int reason, const char *sub)
{
    const skm_field *f = NULL;
    uint64_t ln = 0;
    int rc = skm_table_next(t, &f, &ln);
    if (rc != SKM_EPARSE)
        fail_msg("want a skip (reason %d) at line %llu, got status %d (line %llu): %s",
                 reason, (unsigned long long)line, rc, (unsigned long long)ln,
                 skm_ctx_errmsg(g_ctx));
    if (ln != line)
        fail_msg("skip at line %llu, want %llu: %s", (unsigned long long)ln,
                 (unsigned long long)line, skm_ctx_errmsg(g_ctx));
    if (skm_table_skip_reason(t) != reason)
        fail_msg("skip reason %d, want %d: %s", skm_table_skip_reason(t), reason,
                 skm_ctx_errmsg(g_ctx));
    assert_null(f);
    if (sub && !strstr(skm_ctx_errmsg(g_ctx), sub))
        fail_msg("message '%s' lacks '%s'", skm_ctx_errmsg(g_ctx), sub);
}

static void expect_eof(skm_table *t)
{
    const skm_field *f = NULL;
    uint64_t ln = 0;
    int rc = skm_table_next(t, &f, &ln);
    if (rc != SKM_EOF)
        fail_msg("want EOF, got %d: %s", rc, skm_ctx_errmsg(g_ctx));
    assert_int_equal(skm_table_next(t, &f, &ln), SKM_EOF); /* EOF is sticky */
}

/* "PATH:LINE: rest" for exact message checks. */
static const char *msg_at(const char *path, unsigned line, const char *rest)
{
    static char buf[8192];
    int n = snprintf(buf, sizeof buf, "%s:%u: %s", path, line, rest);
    if (n < 0 || (size_t)n >= sizeof buf)
        fail_msg("message too long");
    return buf;
}

/* ------------------------------------------------------------------------------------------ */
/* CSV                                                                                        */
/* ------------------------------------------------------------------------------------------ */

static void test_csv_basic(void **state)
{
    (void)state;
    const char *p = puts_("basic.csv",
                          "id,title,skills\n"                      /* 1 */
                          "1,plain,sql\n"                          /* 2 */
                          "2,\"quoted, comma\",\"a \"\"b\"\" c\"\n" /* 3 */
                          "3,\"multi\nline\r\nfield\",x\n"         /* 4-6 */
                          "\n"                                     /* 7: blank */
                          "4,a\"b,\n"                              /* 8: literal quote, empty */
                          "\"\",\"\",\"\"\"\"\n"                   /* 9: empty quoted, one quote */
                          "5,,last");                              /* 10: no final newline */
    skm_table *t = open_csv(p);
    assert_int_equal(skm_table_format(t), SKM_FORMAT_CSV);
    assert_int_equal(skm_table_is_gzip(t), 0);
    const char *cols[] = {"id", "title", "skills"};
    expect_cols(t, cols, 3);
    REC(t, 2, "1", "plain", "sql");
    REC(t, 3, "2", "quoted, comma", "a \"b\" c");
    REC(t, 4, "3", "multi\nline\r\nfield", "x");
    REC(t, 8, "4", "a\"b", "");
    REC(t, 9, "", "", "\"");
    REC(t, 10, "5", "", "last");
    expect_eof(t);
    skm_table_close(t);
}

static void test_csv_line_endings(void **state)
{
    (void)state;
    /* CRLF, lone CR, blank lines of each kind, CRLF and lone CR inside quotes. */
    const char *p = puts_("endings.csv",
                          "a,b\r\n"            /* 1 */
                          "1,2\r\n"            /* 2 */
                          "\r\n"               /* 3 blank */
                          "3,4\r"              /* 4 */
                          "\r"                 /* 5 blank */
                          "5,\"x\r\ny\"\r\n"   /* 6-7 */
                          "6,\"p\rq\nr\"\r"    /* 8-10 */
                          "7,8\n"              /* 11 */
                          "\r\n\n\r"           /* 12-14 blank */
                          "9,10\r\n");         /* 15 */
    skm_table *t = open_csv(p);
    REC(t, 2, "1", "2");
    REC(t, 4, "3", "4");
    REC(t, 6, "5", "x\r\ny");
    REC(t, 8, "6", "p\rq\nr");
    REC(t, 11, "7", "8");
    REC(t, 15, "9", "10");
    expect_eof(t);
    skm_table_close(t);
}

static void test_csv_bom_delimiter(void **state)
{
    (void)state;
    const char *p = puts_("bom.csv", "\xEF\xBB\xBFname;city\nAnn;\"Z\xC3\xBCrich; CH\"\nBob;Ume\xC3\xA5\n");
    skm_table *t = open_t(p, SKM_FORMAT_CSV, ';', 8 * MiB);
    const char *cols[] = {"name", "city"};
    expect_cols(t, cols, 2);
    REC(t, 2, "Ann", "Z\xC3\xBCrich; CH");
    REC(t, 3, "Bob", "Ume\xC3\xA5");
    expect_eof(t);
    skm_table_close(t);

    p = puts_("tab.tsv", "x\ty\n1,5\t\"2\t3\"\n");
    t = open_t(p, SKM_FORMAT_AUTO, '\t', 8 * MiB);
    REC(t, 2, "1,5", "2\t3");
    expect_eof(t);
    skm_table_close(t);

    /* A BOM alone is an empty file; a BOM before '{' still detects JSON Lines. */
    p = puts_("bomonly.csv", "\xEF\xBB\xBF");
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "empty file");
    p = puts_("bom.jsonl", "\xEF\xBB\xBF\n  {\"k\": 1}\n");
    t = open_csv(p);
    assert_int_equal(skm_table_format(t), SKM_FORMAT_JSONL);
    REC(t, 2, "1");
    expect_eof(t);
    skm_table_close(t);
}

static void test_csv_errors(void **state)
{
    (void)state;
    static const char data[] =
                          "id,job_title,skills\n"           /* 1 */
                          "1,ok,a\n"                        /* 2 */
                          "2,\"closed\"junk,b\n"            /* 3 bad quote */
                          "3,\"x\"y\"z,\"w\nv\"\n"          /* 4-5 bad quote, resync over quotes */
                          "4,ok,c\n"                        /* 6 */
                          "5,too,many,fields\n"             /* 7 */
                          "6,few\n"                         /* 8 */
                          "7,caf\xC3\xA9,ba\xC3x\n"         /* 9 invalid UTF-8 in field 3 */
                          "8,t\xE2\x82\n"                   /* 10 truncated sequence at field end */
                          "9,n\0l,d\n"                      /* 11 NUL */
                          "10,\"q\0\",e\n"                  /* 12 NUL in quotes */
                          "11,ok,f\n"                       /* 13 */
                          "12,\"open,g\nh\n";               /* 14-16 unterminated */
    const char *p = put("errors.csv", data, sizeof data - 1);
    skm_table *t = open_csv(p);
    REC(t, 2, "1", "ok", "a");
    expect_skip(t, 3, SKM_SKIP_BAD_QUOTE,
                msg_at(p, 3, "field 2 (job_title): text after the closing quote"));
    assert_string_equal(skm_ctx_errmsg(g_ctx),
                        msg_at(p, 3, "field 2 (job_title): text after the closing quote"));
    assert_int_equal(skm_ctx_errcode(g_ctx), SKM_EPARSE);
    expect_skip(t, 4, SKM_SKIP_BAD_QUOTE, "field 2 (job_title)");
    REC(t, 6, "4", "ok", "c");
    expect_skip(t, 7, SKM_SKIP_FIELD_COUNT, "expected 3 fields, got 4");
    expect_skip(t, 8, SKM_SKIP_FIELD_COUNT, "expected 3 fields, got 2");
    expect_skip(t, 9, SKM_SKIP_BAD_UTF8, NULL);
    assert_string_equal(skm_ctx_errmsg(g_ctx),
                        msg_at(p, 9, "field 3 (skills): invalid UTF-8 at byte 3"));
    expect_skip(t, 10, SKM_SKIP_FIELD_COUNT, NULL); /* structure is checked before encoding */
    expect_skip(t, 11, SKM_SKIP_NUL_BYTE, NULL);
    assert_string_equal(skm_ctx_errmsg(g_ctx), msg_at(p, 11, "field 2 (job_title): NUL byte at byte 2"));
    expect_skip(t, 12, SKM_SKIP_NUL_BYTE, "field 2 (job_title): NUL byte at byte 2");
    REC(t, 13, "11", "ok", "f");
    expect_skip(t, 14, SKM_SKIP_UNTERMINATED_QUOTE,
                "field 2 (job_title): quoted field not closed before end of file");
    expect_eof(t);
    skm_table_close(t);

    /* A multi-byte sequence must not be completed across a field boundary. */
    p = puts_("split_utf8.csv", "a,b\nx\xC3,\xA9y\n");
    t = open_csv(p);
    expect_skip(t, 2, SKM_SKIP_BAD_UTF8, "field 1 (a): invalid UTF-8 at byte 2");
    expect_eof(t);
    skm_table_close(t);
    p = puts_("utf8_last.csv", "a,b\nok,\xF0\x9F\x98\n2,3\n");
    t = open_csv(p);
    expect_skip(t, 2, SKM_SKIP_BAD_UTF8, "field 2 (b): invalid UTF-8 at byte 1");
    REC(t, 3, "2", "3");
    skm_table_close(t);
}

static void test_csv_header_and_files(void **state)
{
    (void)state;
    const char *p = puts_("header_only.csv", "a,b,c\n");
    skm_table *t = open_csv(p);
    assert_int_equal(skm_table_n_cols(t), 3);
    expect_eof(t);
    char hex[65], want[65];
    skm_table_sha256_hex(t, hex);
    sha_of_file(p, want);
    assert_string_equal(hex, want);
    assert_int_equal(skm_table_bytes_read(t), 6);
    assert_int_equal(skm_table_file_size(t), 6);
    assert_int_equal(skm_table_bytes_decoded(t), 6);
    skm_table_close(t);

    p = puts_("header_nonl.csv", "\n\r\n\"a\",b");
    t = open_csv(p);
    const char *cols[] = {"a", "b"};
    expect_cols(t, cols, 2);
    expect_eof(t);
    skm_table_close(t);

    p = puts_("empty.csv", "");
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "empty file");
    expect_open_fail(p, SKM_FORMAT_JSONL, SKM_EFORMAT, "empty file");
    p = puts_("blank.csv", "\n\r\n\n");
    expect_open_fail(p, SKM_FORMAT_CSV, SKM_EFORMAT, "no header line");
    p = puts_("badheader.csv", "a,\"b\"x\n1,2\n");
    expect_open_fail(p, SKM_FORMAT_CSV, SKM_EFORMAT, ":1: bad header line: field 2");
    p = puts_("badheader2.csv", "a,\xff\n1,2\n");
    expect_open_fail(p, SKM_FORMAT_CSV, SKM_EFORMAT, "invalid UTF-8");
    p = puts_("badheader3.csv", "\n\"a\nb");
    expect_open_fail(p, SKM_FORMAT_CSV, SKM_EFORMAT, ":2: bad header line");

    char want_msg[4096];
    p = tmp("does-not-exist.csv");
    snprintf(want_msg, sizeof want_msg, "cannot open %s: %s", p, strerror(ENOENT));
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EIO, want_msg);
    assert_string_equal(skm_ctx_errmsg(g_ctx), want_msg);
    p = tmp("");
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EIO, "cannot open");

    /* Bad parameters. */
    skm_table_params bad = {SKM_FORMAT_CSV, '"', MiB};
    skm_table *tt = NULL;
    p = puts_("params.csv", "a\n1\n");
    assert_int_equal(skm_table_open(g_ctx, p, &bad, &tt), SKM_EINVAL);
    bad.delimiter = ',';
    bad.max_record_bytes = 0;
    assert_int_equal(skm_table_open(g_ctx, p, &bad, &tt), SKM_EINVAL);
    bad.max_record_bytes = MiB;
    bad.format = 7;
    assert_int_equal(skm_table_open(g_ctx, p, &bad, &tt), SKM_EINVAL);
    assert_null(tt);
    /* NULL params: the defaults (auto, ',', 8 MiB). */
    assert_int_equal(skm_table_open(g_ctx, p, NULL, &tt), SKM_OK);
    REC(tt, 2, "1");
    skm_table_close(tt);
    skm_table_close(NULL);
}

/* The 1-column case: a blank line is skipped, a quoted empty field is a record. */
static void test_csv_single_column(void **state)
{
    (void)state;
    const char *p = puts_("one.csv", "v\n\nx\n\"\"\n \n");
    skm_table *t = open_csv(p);
    REC(t, 3, "x");
    REC(t, 4, "");
    REC(t, 5, " ");
    expect_eof(t);
    skm_table_close(t);
}

/* ------------------------------------------------------------------------------------------ */
/* Windows and limits                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* Put a record full of state changes at every offset around the first window boundary. */
static void test_csv_window_boundary(void **state)
{
    (void)state;
    const char *rec = "\"p\"\"q\r\nr\",z\r\n"; /* CRLF in quotes, doubled quote, CRLF end */
    for (size_t d = 0; d <= 14; ++d) {
        skm_buf b = {0};
        assert_int_equal(skm_buf_append(&b, "a,b\n", 4), SKM_OK);
        /* A filler record so that `rec` starts d bytes before the boundary. */
        size_t target = SKM_SOURCE_CHUNK - d; /* offset where rec begins */
        size_t pad = target - b.len - 3;      /* "x,<pad>\n" */
        assert_int_equal(skm_buf_append(&b, "x,", 2), SKM_OK);
        assert_int_equal(skm_buf_reserve(&b, pad + 1), SKM_OK);
        memset(b.ptr + b.len, 'f', pad);
        b.len += pad;
        assert_int_equal(skm_buf_putc(&b, '\n'), SKM_OK);
        assert_int_equal(b.len, target);
        assert_int_equal(skm_buf_append(&b, rec, strlen(rec)), SKM_OK);
        assert_int_equal(skm_buf_append(&b, "\n\"n\",1\r", 7), SKM_OK);
        const char *p = put("window.csv", b.ptr, b.len);
        skm_table *t = open_csv(p);
        const skm_field *f;
        uint64_t ln;
        assert_int_equal(skm_table_next(t, &f, &ln), SKM_OK);
        assert_int_equal(ln, 2);
        assert_int_equal(f[1].len, pad);
        REC(t, 3, "p\"q\r\nr", "z");
        REC(t, 6, "n", "1"); /* line 5 is blank (the LF after CRLF) */
        expect_eof(t);
        assert_int_equal(skm_table_bytes_decoded(t), b.len);
        skm_table_close(t);
        skm_buf_free(&b);
    }
}

/* Records longer than a window (but within the limit), and many small records across windows. */
static void test_csv_long_records(void **state)
{
    (void)state;
    size_t big = 3 * MiB / 2;
    skm_buf b = {0};
    assert_int_equal(skm_buf_append(&b, "k,v\n", 4), SKM_OK);
    char *field = malloc(big + 1);
    assert_non_null(field);
    for (size_t i = 0; i < big; ++i)
        field[i] = (char)('a' + i % 26);
    /* Unquoted 1.5 MiB, then quoted 1.5 MiB with line breaks every 100 KiB. */
    assert_int_equal(skm_buf_append(&b, "1,", 2), SKM_OK);
    assert_int_equal(skm_buf_append(&b, field, big), SKM_OK);
    assert_int_equal(skm_buf_append(&b, "\n2,\"", 4), SKM_OK);
    size_t nl = 0;
    for (size_t i = 100 << 10; i < big; i += 100 << 10, ++nl)
        field[i] = '\n';
    assert_int_equal(skm_buf_append(&b, field, big), SKM_OK);
    assert_int_equal(skm_buf_append(&b, "\"\n", 2), SKM_OK);
    for (int i = 0; i < 50000; ++i)
        assert_int_equal(skm_buf_printf(&b, "%d,\"v%d\"\n", i, i * 7), SKM_OK);
    const char *p = put("long.csv", b.ptr, b.len);
    skm_table *t = open_t(p, SKM_FORMAT_CSV, ',', 2 * MiB);
    const skm_field *f;
    uint64_t ln;
    assert_int_equal(skm_table_next(t, &f, &ln), SKM_OK);
    assert_int_equal(ln, 2);
    assert_int_equal(f[1].len, big);
    for (size_t i = 0; i < big; ++i)
        if (f[1].ptr[i] != (char)('a' + i % 26))
            fail_msg("byte %zu differs", i);
    assert_int_equal(skm_table_next(t, &f, &ln), SKM_OK);
    assert_int_equal(ln, 3);
    assert_int_equal(f[1].len, big);
    assert_memory_equal(f[1].ptr, field, big);
    uint64_t line = 3 + nl + 1;
    char want[2][32];
    for (int i = 0; i < 50000; ++i, ++line) {
        snprintf(want[0], sizeof want[0], "%d", i);
        snprintf(want[1], sizeof want[1], "v%d", i * 7);
        REC(t, line, want[0], want[1]);
    }
    expect_eof(t);
    assert_true(t->rec_cap <= 2 * MiB + 1);
    skm_table_close(t);
    free(field);
    skm_buf_free(&b);
}

/* A 20 MB field against a 1 MiB limit: skipped, never buffered, and the next record is intact. */
static void test_csv_too_long(void **state)
{
    (void)state;
    const size_t huge = 20u * 1000 * 1000;
    const char *p = tmp("huge.csv");
    FILE *fp = fopen(p, "wb");
    assert_non_null(fp);
    fputs("id,text,n\n1,short,1\n2,\"", fp); /* the quoted giant starts on line 3 */
    char chunk[4096];
    memset(chunk, 'y', sizeof chunk);
    memcpy(chunk + 100, "\"\",\n\r\n", 6); /* quotes, delimiter and 2 line breaks per chunk */
    size_t lines = 0;
    for (size_t w = 0; w < huge; w += sizeof chunk, lines += 2)
        assert_int_equal(fwrite(chunk, 1, sizeof chunk, fp), sizeof chunk);
    fputs("\",3\n4,after,4\n5,", fp); /* then an unquoted giant */
    memset(chunk, 'z', sizeof chunk);
    for (size_t w = 0; w < huge; w += sizeof chunk)
        assert_int_equal(fwrite(chunk, 1, sizeof chunk, fp), sizeof chunk);
    fputs(",5\r\n6,end,6", fp);
    assert_int_equal(fclose(fp), 0);

    skm_table *t = open_t(p, SKM_FORMAT_CSV, ',', MiB);
    REC(t, 2, "1", "short", "1");
    expect_skip(t, 3, SKM_SKIP_TOO_LONG, "record longer than max_record_bytes (1048576 bytes)");
    uint64_t l4 = 4 + lines;
    REC(t, l4, "4", "after", "4");
    expect_skip(t, l4 + 1, SKM_SKIP_TOO_LONG, NULL);
    REC(t, l4 + 2, "6", "end", "6");
    expect_eof(t);
    /* The record buffer never grew past the limit. */
    assert_true(t->rec_cap <= MiB + 1);
    skm_table_close(t);

    /* Exactly at the limit is fine, one byte more is not (raw record bytes, terminator excluded). */
    p = puts_("limit.csv", "a,b\n12345,\"7\"\n123456,\"8\"\n1234,\"\"\"\"\n");
    t = open_t(p, SKM_FORMAT_CSV, ',', 9);
    REC(t, 2, "12345", "7");
    expect_skip(t, 3, SKM_SKIP_TOO_LONG, NULL);
    REC(t, 4, "1234", "\"");
    expect_eof(t);
    skm_table_close(t);

    /* Too long and unterminated: the open quote is reported. */
    p = puts_("runaway.csv", "a,b\n1,\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n\n");
    t = open_t(p, SKM_FORMAT_CSV, ',', 8);
    expect_skip(t, 2, SKM_SKIP_UNTERMINATED_QUOTE, NULL);
    expect_eof(t);
    skm_table_close(t);
}

/* ------------------------------------------------------------------------------------------ */
/* gzip                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* Build a CSV of about `bytes` bytes with varied records (some quoted, multi-line). */
static void make_csv(skm_buf *b, size_t bytes, unsigned seed)
{
    assert_int_equal(skm_buf_append(b, "id,title,skills\n", 16), SKM_OK);
    for (unsigned i = 0; b->len < bytes; ++i) {
        unsigned r = (i * 2654435761u) ^ seed;
        if (r % 7 == 0)
            assert_int_equal(skm_buf_printf(b, "%u,\"Data \"\"Eng\"\"\r\nlvl %u\",\"sql, python\"\r\n", i, r % 97), SKM_OK);
        else
            assert_int_equal(skm_buf_printf(b, "%u,Analyst %u,excel;r;caf\xC3\xA9 %u\n", i, r % 1000, r), SKM_OK);
    }
}

/* Read every record of two tables and require them identical. Returns the record count. */
static size_t compare_tables(skm_table *a, skm_table *b)
{
    size_t n = 0;
    assert_int_equal(skm_table_n_cols(a), skm_table_n_cols(b));
    for (;;) {
        const skm_field *fa, *fb;
        uint64_t la, lb;
        int ra = skm_table_next(a, &fa, &la);
        int rb = skm_table_next(b, &fb, &lb);
        assert_int_equal(ra, rb);
        if (ra == SKM_EOF)
            return n;
        assert_int_equal(ra, SKM_OK);
        assert_int_equal(la, lb);
        for (size_t i = 0; i < skm_table_n_cols(a); ++i) {
            assert_int_equal(fa[i].len, fb[i].len);
            assert_memory_equal(fa[i].ptr, fb[i].ptr, fa[i].len);
            assert_int_equal(fa[i].present, fb[i].present);
        }
        ++n;
    }
}

static void test_gzip(void **state)
{
    (void)state;
    skm_buf b = {0};
    make_csv(&b, 3 * MiB, 1);
    char plain[4096];
    snprintf(plain, sizeof plain, "%s", put("data.csv", b.ptr, b.len));
    char gz[4096];
    snprintf(gz, sizeof gz, "%s", tmp("data.csv.gz"));
    put_gz(gz, b.ptr, b.len);
    /* A misleading name: the magic decides, not the extension. */
    char gz_named_csv[4096];
    snprintf(gz_named_csv, sizeof gz_named_csv, "%s", tmp("actually_gzip.csv"));
    put_gz(gz_named_csv, b.ptr, b.len);

    skm_table *tp = open_csv(plain), *tg = open_csv(gz);
    assert_int_equal(skm_table_is_gzip(tp), 0);
    assert_int_equal(skm_table_is_gzip(tg), 1);
    assert_true(compare_tables(tp, tg) > 10000);

    struct stat st;
    assert_int_equal(stat(gz, &st), 0);
    assert_int_equal(skm_table_bytes_read(tg), (uint64_t)st.st_size);
    assert_int_equal(skm_table_file_size(tg), (uint64_t)st.st_size);
    assert_int_equal(skm_table_bytes_decoded(tg), b.len);
    assert_int_equal(skm_table_bytes_read(tp), b.len);
    assert_int_equal(skm_table_bytes_decoded(tp), b.len);
    char hex[65], want[65];
    skm_table_sha256_hex(tg, hex);
    sha_of_file(gz, want);
    assert_string_equal(hex, want);
    skm_table_sha256_hex(tp, hex);
    sha_of_file(plain, want);
    assert_string_equal(hex, want);
    skm_table_close(tp);
    skm_table_close(tg);

    tg = open_csv(gz_named_csv);
    assert_int_equal(skm_table_is_gzip(tg), 1);
    tp = open_csv(plain);
    compare_tables(tp, tg);
    skm_table_close(tp);
    skm_table_close(tg);
    skm_buf_free(&b);
}

static void test_gzip_members(void **state)
{
    (void)state;
    /* Member 1: header and two records; member 2: an empty member; member 3: the rest, with a
     * record split across the member boundary. */
    const char *m1 = "a,b\n1,x\n2,\"y\n", *m2 = "", *m3 = "z\"\n3,w\n";
    char path[3][4096];
    const char *parts[3] = {m1, m2, m3};
    skm_buf all = {0};
    for (int i = 0; i < 3; ++i) {
        char name[32];
        snprintf(name, sizeof name, "member%d.gz", i);
        snprintf(path[i], sizeof path[i], "%s", tmp(name));
        put_gz(path[i], parts[i], strlen(parts[i]));
        size_t n;
        char *d = slurp(path[i], &n);
        assert_int_equal(skm_buf_append(&all, d, n), SKM_OK);
        free(d);
    }
    const char *p = put("members.csv.gz", all.ptr, all.len);
    skm_table *t = open_csv(p);
    assert_int_equal(skm_table_is_gzip(t), 1);
    REC(t, 2, "1", "x");
    REC(t, 3, "2", "y\nz");
    REC(t, 5, "3", "w");
    expect_eof(t);
    assert_int_equal(skm_table_bytes_read(t), all.len);
    char hex[65], want[65];
    skm_table_sha256_hex(t, hex);
    sha_of_file(p, want);
    assert_string_equal(hex, want);
    skm_table_close(t);

    /* Trailing bytes that are not another member are fatal. */
    assert_int_equal(skm_buf_append(&all, "junk", 4), SKM_OK);
    p = put("trailing.csv.gz", all.ptr, all.len);
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "corrupt gzip data in member 4");
    /* ... and so is a lone first byte of the magic. */
    all.len -= 4;
    assert_int_equal(skm_buf_putc(&all, (char)0x1f), SKM_OK);
    p = put("trailing2.csv.gz", all.ptr, all.len);
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "truncated gzip data");
    skm_buf_free(&all);
}

static void test_gzip_truncated(void **state)
{
    (void)state;
    /* Small: the truncation shows while open fills its first window. */
    skm_buf b = {0};
    make_csv(&b, 64 << 10, 2);
    const char *gz = tmp("small.csv.gz");
    put_gz(gz, b.ptr, b.len);
    size_t n;
    char *d = slurp(gz, &n);
    const char *p = put("small_trunc.csv.gz", d, n - 9); /* cut into the trailer */
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "truncated gzip data");
    assert_non_null(strstr(skm_ctx_errmsg(g_ctx), "small_trunc.csv.gz"));
    p = put("small_trunc2.csv.gz", d, n / 2);
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "small_trunc2.csv.gz: truncated gzip data");
    /* Corrupt: flip bytes in the middle of the deflate stream (or the CRC at the end). */
    d[n / 2] ^= 0x55;
    d[n / 2 + 1] ^= 0xAA;
    p = put("corrupt.csv.gz", d, n);
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "corrupt.csv.gz: ");
    d[n / 2] ^= 0x55;
    d[n / 2 + 1] ^= 0xAA;
    d[n - 6] ^= 1; /* CRC-32 */
    p = put("badcrc.csv.gz", d, n);
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "incorrect data check");
    free(d);
    skm_buf_free(&b);

    /* Large: open succeeds; the error comes from skm_table_next, fatal and repeated. Random-ish
     * bytes compress poorly, so half the file is well past the first windows. */
    b = (skm_buf){0};
    assert_int_equal(skm_buf_append(&b, "k,v\n", 4), SKM_OK);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 200000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        assert_int_equal(skm_buf_printf(&b, "%d,%016llx%016llx\n", i, (unsigned long long)x,
                                        (unsigned long long)(x * 31)), SKM_OK);
    }
    gz = tmp("big.csv.gz");
    put_gz(gz, b.ptr, b.len);
    d = slurp(gz, &n);
    p = put("big_trunc.csv.gz", d, n / 2);
    skm_table *t = open_csv(p);
    const skm_field *f;
    uint64_t ln;
    int rc;
    size_t good = 0;
    while ((rc = skm_table_next(t, &f, &ln)) == SKM_OK)
        ++good;
    assert_int_equal(rc, SKM_EFORMAT);
    assert_non_null(strstr(skm_ctx_errmsg(g_ctx), "big_trunc.csv.gz: truncated gzip data"));
    assert_true(good > 1000 && good < 200000);
    assert_int_equal(skm_table_next(t, &f, &ln), SKM_EFORMAT);
    skm_table_close(t);
    free(d);
    skm_buf_free(&b);
}

/* ------------------------------------------------------------------------------------------ */
/* JSON Lines                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static void test_jsonl_basic(void **state)
{
    (void)state;
    const char *p = puts_("basic.jsonl",
        "\n"
        "{\"title\": \"Data Engineer\", \"salary\": 120000.5, \"remote\": true, \"skills\": [\"sql\", \"python\"], \"meta\": {\"a\": [1, {\"b\": null}]}, \"x\": null}\r\n"
        "{\"skills\":[],\"title\":\"Analyst\",\"remote\":false,\"salary\":-1e-3,\"unknown\":{\"deep\":[[[]]]}}\n"
        "   \n"
        "{\"title\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\u20AC\"}\n"
        "{}\n"
        "{\"title\":\"dup\",\"title\":\"last wins\",\"x\":\"caf\xC3\xA9\"}");
    skm_table *t = open_csv(p); /* auto-detected */
    assert_int_equal(skm_table_format(t), SKM_FORMAT_JSONL);
    const char *cols[] = {"title", "salary", "remote", "skills", "meta", "x"};
    expect_cols(t, cols, 6);
    REC(t, 2, "Data Engineer", "120000.5", "true", "[\"sql\", \"python\"]", "{\"a\": [1, {\"b\": null}]}", NULL);
    REC(t, 3, "Analyst", "-1e-3", "false", "[]", NULL, NULL);
    REC(t, 5, "\" \\ / \b \f \n \r \t \xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82\xAC", NULL, NULL, NULL, NULL, NULL);
    REC(t, 6, NULL, NULL, NULL, NULL, NULL, NULL);
    REC(t, 7, "last wins", NULL, NULL, NULL, NULL, "caf\xC3\xA9");
    expect_eof(t);
    skm_table_close(t);

    /* Escaped keys define columns by their unescaped text. */
    p = puts_("keys.jsonl", "{\"caf\\u00e9\":1,\"a\\\"b\":2}\n{\"a\\\"b\":3,\"caf\xC3\xA9\":4}\n");
    t = open_t(p, SKM_FORMAT_JSONL, ',', MiB);
    const char *cols2[] = {"caf\xC3\xA9", "a\"b"};
    expect_cols(t, cols2, 2);
    REC(t, 1, "1", "2");
    REC(t, 2, "4", "3");
    expect_eof(t);
    skm_table_close(t);
}

static void test_jsonl_errors(void **state)
{
    (void)state;
    static const char data[] =
        "{\"a\":\"x\",\"b\":1}\n"                 /* 1 */
        "{\"a\":\"y\"} trailing\n"               /* 2 trailing garbage */
        "{\"a\":\"unterminated}\n"               /* 3 */
        "{\"a\":\"bad \\q escape\"}\n"           /* 4 */
        "[1,2]\n"                                /* 5 not an object */
        "{\"a\":\"lone \\ud83d x\"}\n"           /* 6 lone high surrogate */
        "{\"a\":\"\\ude00\"}\n"                  /* 7 lone low surrogate */
        "{\"a\":\"ok1\"}\n"                      /* 8 */
        "{\"a\":01}\n"                           /* 9 leading zero */
        "{\"a\":[1,2,}\n"                        /* 10 */
        "{\"a\":tru}\n"                          /* 11 */
        "{\"a\":\"tab\there\"}\n"                /* 12 raw control character */
        "{\"a\":\"\\u0000\"}\n"                  /* 13 NUL via escape */
        "{\"zz\":\"\\u0000\",\"a\":\"ok2\"}\n"   /* 14 NUL in an ignored key: fine */
        "{\"a\":\"n\0l\"}\n"                     /* 15 raw NUL */
        "{\"a\":\"\xC3\x28\"}\n"                 /* 16 invalid UTF-8 */
        "{\"a\" \"b\"}\n"                        /* 17 missing colon */
        "{\"a\":1,}\n"                           /* 18 trailing comma */
        "{\"a\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],\"b\":{\"c\":{\"d\":{}}}}\n" /* 19 ok */
        "{\"a\":1.}\n"                           /* 20 */
        "{\"a\":\"\\u12G4\"}\n"                  /* 21 */
        "{a:1}\n"                                /* 22 */
        "{\"a\":\"end\"}";                       /* 23 */
    const char *p = put("bad.jsonl", data, sizeof data - 1);
    skm_table *t = open_t(p, SKM_FORMAT_JSONL, ',', MiB);
    REC(t, 1, "x", "1");
    expect_skip(t, 2, SKM_SKIP_BAD_JSON, "bad JSON at column 11: trailing characters after the object");
    assert_string_equal(skm_ctx_errmsg(g_ctx),
                        msg_at(p, 2, "bad JSON at column 11: trailing characters after the object"));
    expect_skip(t, 3, SKM_SKIP_BAD_JSON, "unterminated string");
    expect_skip(t, 4, SKM_SKIP_BAD_JSON, "invalid escape");
    expect_skip(t, 5, SKM_SKIP_BAD_JSON, "not a JSON object");
    expect_skip(t, 6, SKM_SKIP_BAD_JSON, "lone high surrogate");
    expect_skip(t, 7, SKM_SKIP_BAD_JSON, "lone low surrogate");
    REC(t, 8, "ok1", NULL);
    expect_skip(t, 9, SKM_SKIP_BAD_JSON, "expected ',' or '}'");
    expect_skip(t, 10, SKM_SKIP_BAD_JSON, NULL);
    expect_skip(t, 11, SKM_SKIP_BAD_JSON, NULL);
    expect_skip(t, 12, SKM_SKIP_BAD_JSON, "unescaped control character");
    expect_skip(t, 13, SKM_SKIP_NUL_BYTE, "field 1 (a): NUL character");
    REC(t, 14, "ok2", NULL);
    expect_skip(t, 15, SKM_SKIP_NUL_BYTE, "NUL byte at column 8");
    expect_skip(t, 16, SKM_SKIP_BAD_UTF8, "invalid UTF-8 at column 7");
    expect_skip(t, 17, SKM_SKIP_BAD_JSON, "expected ':'");
    expect_skip(t, 18, SKM_SKIP_BAD_JSON, "expected a string key");
    REC(t, 19, "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "{\"c\":{\"d\":{}}}");
    expect_skip(t, 20, SKM_SKIP_BAD_JSON, "bad number");
    expect_skip(t, 21, SKM_SKIP_BAD_JSON, "bad \\u escape");
    expect_skip(t, 22, SKM_SKIP_BAD_JSON, "expected a string key");
    REC(t, 23, "end", NULL);
    expect_eof(t);
    skm_table_close(t);
}

static void test_jsonl_first_line(void **state)
{
    (void)state;
    const char *p = puts_("notobj.jsonl", "\n\n[1,2]\n{\"a\":1}\n");
    expect_open_fail(p, SKM_FORMAT_JSONL, SKM_EFORMAT, ":3: the first line is not a valid JSON object");
    p = puts_("garbage.jsonl", "{\"a\":1} x\n");
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, ":1: the first line is not a valid JSON object");
    assert_non_null(strstr(skm_ctx_errmsg(g_ctx), "garbage.jsonl:1:"));
    p = puts_("emptyobj.jsonl", "{ }\n{\"a\":1}\n");
    expect_open_fail(p, SKM_FORMAT_AUTO, SKM_EFORMAT, "has no keys");
    p = puts_("blank.jsonl", "  \n\t\n");
    expect_open_fail(p, SKM_FORMAT_JSONL, SKM_EFORMAT, "only blank lines");
    p = puts_("nulkey.jsonl", "{\"a\\u0000\":1}\n");
    expect_open_fail(p, SKM_FORMAT_JSONL, SKM_EFORMAT, "NUL");
    p = puts_("badutf.jsonl", "{\"a\":\"\xff\"}\n");
    expect_open_fail(p, SKM_FORMAT_JSONL, SKM_EFORMAT, "invalid UTF-8");

    /* A NUL in the first object's value: the columns stand, the record is skipped. */
    p = puts_("firstnul.jsonl", "{\"a\":\"\\u0000\",\"b\":2}\n{\"b\":3}\n");
    skm_table *t = open_t(p, SKM_FORMAT_JSONL, ',', MiB);
    expect_skip(t, 1, SKM_SKIP_NUL_BYTE, "field 1 (a)");
    REC(t, 2, NULL, "3");
    expect_eof(t);
    skm_table_close(t);

    /* JSON Lines forced on a CSV file. */
    p = puts_("csv_as_json.csv", "a,b\n1,2\n");
    expect_open_fail(p, SKM_FORMAT_JSONL, SKM_EFORMAT, ":1: the first line is not a valid JSON object");
}

static void test_jsonl_long_and_gzip(void **state)
{
    (void)state;
    /* Lines straddling windows (assembled and parsed in place), one too long. */
    skm_buf b = {0};
    size_t nrec = 0;
    assert_int_equal(skm_buf_printf(&b, "%s", "{\"id\":0,\"text\":\"first\"}\n"), SKM_OK);
    while (b.len < 3 * MiB) {
        size_t len = (nrec * 7919) % 5000;
        assert_int_equal(skm_buf_printf(&b, "%s", "{\"text\":\"\\u00e9\\\""), SKM_OK);
        assert_int_equal(skm_buf_reserve(&b, len), SKM_OK);
        memset(b.ptr + b.len, 'q', len);
        b.len += len;
        assert_int_equal(skm_buf_printf(&b, "\",\"id\":%zu}\n", ++nrec), SKM_OK);
    }
    /* A 1.2 MiB line: within the 2 MiB limit; then a 3 MiB line: too long. */
    for (int k = 0; k < 2; ++k) {
        size_t len = k == 0 ? 1200 << 10 : 3 * MiB;
        assert_int_equal(skm_buf_printf(&b, "{\"id\":\"big%d\",\"text\":\"", k), SKM_OK);
        assert_int_equal(skm_buf_reserve(&b, len), SKM_OK);
        memset(b.ptr + b.len, 'L', len);
        b.len += len;
        assert_int_equal(skm_buf_append(&b, "\"}\n", 3), SKM_OK);
    }
    assert_int_equal(skm_buf_printf(&b, "%s", "{\"id\":\"last\"}\n"), SKM_OK);
    char plain[4096];
    snprintf(plain, sizeof plain, "%s", put("long.jsonl", b.ptr, b.len));
    char gz[4096];
    snprintf(gz, sizeof gz, "%s", tmp("long.jsonl.gz"));
    put_gz(gz, b.ptr, b.len);

    for (int pass = 0; pass < 2; ++pass) {
        skm_table *t = open_t(pass ? gz : plain, SKM_FORMAT_AUTO, ',', 2 * MiB);
        assert_int_equal(skm_table_format(t), SKM_FORMAT_JSONL);
        assert_int_equal(skm_table_is_gzip(t), pass);
        REC(t, 1, "0", "first");
        char id[32];
        for (size_t i = 1; i <= nrec; ++i) {
            const skm_field *f;
            uint64_t ln;
            assert_int_equal(skm_table_next(t, &f, &ln), SKM_OK);
            assert_int_equal(ln, i + 1);
            snprintf(id, sizeof id, "%zu", i);
            assert_int_equal(f[0].len, strlen(id));
            assert_memory_equal(f[0].ptr, id, f[0].len);
            size_t len = ((i - 1) * 7919) % 5000;
            assert_int_equal(f[1].len, len + 3);
            assert_memory_equal(f[1].ptr, "\xC3\xA9\"", 3);
            for (size_t k = 0; k < len; ++k)
                if (f[1].ptr[3 + k] != 'q')
                    fail_msg("record %zu byte %zu", i, k);
        }
        const skm_field *f;
        uint64_t ln;
        assert_int_equal(skm_table_next(t, &f, &ln), SKM_OK);
        assert_int_equal(ln, nrec + 2);
        assert_int_equal(f[1].len, 1200 << 10);
        expect_skip(t, nrec + 3, SKM_SKIP_TOO_LONG, NULL);
        REC(t, nrec + 4, "last", NULL);
        expect_eof(t);
        assert_true(t->rec_cap <= 2 * MiB + 1);
        char hex[65], want[65];
        skm_table_sha256_hex(t, hex);
        sha_of_file(pass ? gz : plain, want);
        assert_string_equal(hex, want);
        skm_table_close(t);
    }
    skm_buf_free(&b);
}

/* ------------------------------------------------------------------------------------------ */
/* Randomized differential test against an independent CSV writer                            */
/* ------------------------------------------------------------------------------------------ */

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

#define DIFF_COLS 4

typedef struct rfield {
    size_t off, len;
} rfield;

static void test_csv_differential(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "b", "Z", " ", ",", "\"", "\n", "\r", "\r\n", "\"\"",
                                          "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", ";", "x y",
                                          "SQL", "\t"};
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    const char *const term[] = {"\n", "\r\n", "\r"};
    for (int round = 0; round < 3; ++round) {
        rng_state = 0x5EED0000u + (uint64_t)round;
        const size_t n_rec = 3000;
        skm_buf vals = {0}, csv = {0};
        rfield *fl = calloc(n_rec * DIFF_COLS, sizeof *fl);
        uint64_t *lines = calloc(n_rec, sizeof *lines);
        assert_non_null(fl);
        assert_non_null(lines);
        assert_int_equal(skm_buf_append(&csv, "c0,c1,c2,c3\n", 12), SKM_OK);
        uint64_t line = 2;
        for (size_t r = 0; r < n_rec; ++r) {
            lines[r] = line;
            for (int c = 0; c < DIFF_COLS; ++c) {
                rfield *f = &fl[r * DIFF_COLS + c];
                f->off = vals.len;
                size_t k = rnd() % 100 == 0 ? 20000 + rnd() % 20000 : rnd() % 12;
                for (size_t i = 0; i < k; ++i) {
                    const char *s = pieces[rnd() % n_pieces];
                    assert_int_equal(skm_buf_append(&vals, s, strlen(s)), SKM_OK);
                }
                f->len = vals.len - f->off;
                /* Independent writer: quote when needed (or at random), double the quotes. */
                const char *v = vals.ptr + f->off;
                int need = f->len && (memchr(v, ',', f->len) || memchr(v, '"', f->len) ||
                                      memchr(v, '\n', f->len) || memchr(v, '\r', f->len));
                int quote = need || rnd() % 4 == 0 || (c == 0 && f->len == 0 && rnd() % 2);
                if (c)
                    assert_int_equal(skm_buf_putc(&csv, ','), SKM_OK);
                if (quote)
                    assert_int_equal(skm_buf_putc(&csv, '"'), SKM_OK);
                for (size_t i = 0; i < f->len; ++i) {
                    if (v[i] == '"')
                        assert_int_equal(skm_buf_putc(&csv, '"'), SKM_OK);
                    assert_int_equal(skm_buf_putc(&csv, v[i]), SKM_OK);
                    /* Physical lines inside the value: CR, LF not after CR. */
                    if (v[i] == '\r' || (v[i] == '\n' && !(i > 0 && v[i - 1] == '\r')))
                        ++line;
                }
                if (quote)
                    assert_int_equal(skm_buf_putc(&csv, '"'), SKM_OK);
            }
            const char *tm = term[rnd() % 3];
            assert_int_equal(skm_buf_append(&csv, tm, strlen(tm)), SKM_OK);
            ++line;
            if (rnd() % 50 == 0) { /* a blank line; after a lone CR, "\n" would pair with it */
                const char *bl = tm[0] == '\r' && !tm[1] ? "\r\n" : "\n";
                assert_int_equal(skm_buf_append(&csv, bl, strlen(bl)), SKM_OK);
                ++line;
            }
        }
        const char *p = put("diff.csv", csv.ptr, csv.len);
        char gz[4096];
        snprintf(gz, sizeof gz, "%s", tmp("diff.csv.gz"));
        put_gz(gz, csv.ptr, csv.len);
        for (int pass = 0; pass < 2; ++pass) {
            skm_table *t = open_t(pass ? gz : p, SKM_FORMAT_CSV, ',', 8 * MiB);
            for (size_t r = 0; r < n_rec; ++r) {
                const skm_field *f;
                uint64_t ln;
                int rc = skm_table_next(t, &f, &ln);
                if (rc != SKM_OK)
                    fail_msg("round %d record %zu: %s", round, r, skm_ctx_errmsg(g_ctx));
                if (ln != lines[r])
                    fail_msg("round %d record %zu: line %llu, want %llu", round, r,
                             (unsigned long long)ln, (unsigned long long)lines[r]);
                for (int c = 0; c < DIFF_COLS; ++c) {
                    const rfield *w = &fl[r * DIFF_COLS + c];
                    if (f[c].len != w->len || memcmp(f[c].ptr, vals.ptr + w->off, w->len) != 0)
                        fail_msg("round %d record %zu field %d differs (len %zu, want %zu)", round,
                                 r, c, f[c].len, w->len);
                }
            }
            expect_eof(t);
            skm_table_close(t);
        }
        assert_true(csv.len > 2 * SKM_SOURCE_CHUNK); /* the windows were crossed */
        free(fl);
        free(lines);
        skm_buf_free(&vals);
        skm_buf_free(&csv);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Fuzzer regressions (tests/fuzz/fuzz_table.c): inputs that once misbehaved                 */
/* ------------------------------------------------------------------------------------------ */

static void drain(const char *path, int format)
{
    skm_table_params prm = {format, ',', 64};
    skm_table *t = NULL;
    if (skm_table_open(g_ctx, path, &prm, &t) != SKM_OK)
        return;
    const skm_field *f;
    uint64_t ln;
    int rc;
    for (int i = 0; i < 100000; ++i) {
        rc = skm_table_next(t, &f, &ln);
        if (rc == SKM_OK)
            for (size_t c = 0; c < skm_table_n_cols(t); ++c)
                assert_true(f[c].len == 0 || f[c].ptr != NULL);
        else if (rc != SKM_EPARSE)
            break;
    }
    skm_table_close(t);
}

static void test_fuzz_regressions(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        size_t len;
    } cases[] = {
        {"\x1f\x8b", 2},
        {"\x1f", 1},
        {"\"", 1},
        {"{", 1},
        {"{\"\":", 4},
        {"{\"a\":[", 6},
        {"{\"a\":\"\\u", 8},
        {"{\"a\":\"\\ud800\\u", 14},
        {"\xEF\xBB", 2},
        {"a\r", 2},
        {"\r\n\r", 3},
        {"{\"a\":1}\n{\"a\":[{\"b\":[{}]}]}\n", 27},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const char *p = put("fuzzcase", cases[i].data, cases[i].len);
        drain(p, SKM_FORMAT_CSV);
        drain(p, SKM_FORMAT_JSONL);
        drain(p, SKM_FORMAT_AUTO);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_basic),
        cmocka_unit_test(test_csv_line_endings),
        cmocka_unit_test(test_csv_bom_delimiter),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_csv_header_and_files),
        cmocka_unit_test(test_csv_single_column),
        cmocka_unit_test(test_csv_window_boundary),
        cmocka_unit_test(test_csv_long_records),
        cmocka_unit_test(test_csv_too_long),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_gzip_members),
        cmocka_unit_test(test_gzip_truncated),
        cmocka_unit_test(test_jsonl_basic),
        cmocka_unit_test(test_jsonl_errors),
        cmocka_unit_test(test_jsonl_first_line),
        cmocka_unit_test(test_jsonl_long_and_gzip),
        cmocka_unit_test(test_csv_differential),
        cmocka_unit_test(test_fuzz_regressions),
    };
    return cmocka_run_group_tests_name("table", tests, setup, teardown);
}
