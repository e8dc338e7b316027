/*
 * table_impl.h — internal declarations shared by the table reader's files (not a public contract;
 * table.h is). Three layers:
 *
 *   source.c   bytes: read(2) in fixed pieces, SHA-256 of every raw byte, gzip inflation (magic
 *              1f 8b, concatenated members). Hands out "windows" of decoded bytes.
 *   csv.c      CSV records (RFC 4180) parsed from the windows into the record buffer.
 *   jsonl.c    JSON Lines records (RFC 8259 objects) parsed from the windows.
 *   table.c    open/close, the record buffer, error reporting, accessors.
 *
 * Memory: one raw buffer and (for gzip) one inflate buffer of SKM_SOURCE_CHUNK bytes each, plus the
 * record buffer, which never grows beyond max_record_bytes + 1 (a record whose raw text exceeds
 * max_record_bytes is discarded while it is scanned, never buffered), plus O(columns) arrays.
 */
#ifndef SKM_INGEST_TABLE_IMPL_H
#define SKM_INGEST_TABLE_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "../core/core.h"
#include "../../kernels/kernels.h"
#include "table.h"

/* Size of the raw read buffer and of the inflate output buffer. */
#define SKM_SOURCE_CHUNK ((size_t)1 << 20)

/* ---- byte source ---- */
typedef struct skm_hash_job {
    const unsigned char *p;
    size_t n;
} skm_hash_job;

typedef struct skm_source {
    skm_ctx *ctx;
    char *path;           /* owned copy, for messages */
    int fd;               /* -1 when closed */
    int gzip;             /* the file starts with the gzip magic */
    int raw_eof;          /* read(2) returned 0 */
    int first_pending;    /* plain files: the bytes read by open are the first window */
    unsigned char *rawbuf[2]; /* two SKM_SOURCE_CHUNK buffers, filled in turn (see source.c) */
    unsigned char *raw;   /* the one filled last */
    size_t raw_len;       /* valid bytes in raw */
    unsigned char *out;   /* SKM_SOURCE_CHUNK inflated bytes (gzip only) */
    z_stream zs;
    int zs_ready;         /* inflateInit2 succeeded: inflateEnd is owed */
    int in_member;        /* inside a gzip member (its end not yet seen) */
    uint64_t members;     /* gzip members started */
    skm_sha256 sha;       /* updated by the hasher (a thread, or inline) */
    skm_worker hasher;
    skm_hash_job jobs[2]; /* one per raw buffer */
    uint64_t bytes_read;
    uint64_t bytes_decoded;
    uint64_t file_size;
} skm_source;

/* Open `path` and read its first piece (to see the gzip magic). SKM_OK, SKM_EIO, SKM_EFORMAT,
 * SKM_ENOMEM. On failure the source is already closed; otherwise close it with skm_source_close. */
int skm_source_open(skm_ctx *ctx, const char *path, skm_source *src /* OUT */);

/* The next window of decoded bytes, valid until the next call. Windows are full
 * (SKM_SOURCE_CHUNK bytes) except the last one; *n == 0 means end of data, after which every raw
 * byte has been hashed. SKM_OK, SKM_EIO (read error), SKM_EFORMAT (corrupt or truncated gzip). */
int skm_source_read(skm_source *src, const char **p /* OUT */, size_t *n /* OUT */);

/* The SHA-256 of the raw bytes read so far (of the whole file once the source reached its end). */
void skm_source_digest(skm_source *src, uint8_t digest[32]);

/* Releases everything; safe on a zeroed or already closed source. */
void skm_source_close(skm_source *src);

/* ---- the table ---- */

/* Where a field's bytes sit in the record buffer while the record is assembled (offsets, not
 * pointers, because the buffer may move when it grows). */
typedef struct skm_span {
    size_t off;
    size_t len;
    int present;
} skm_span;

struct skm_table {
    skm_ctx *ctx;
    skm_source src;
    int format;                 /* SKM_FORMAT_CSV or SKM_FORMAT_JSONL */
    char delim;
    size_t max;                 /* max_record_bytes */
    size_t (*csv_scan)(const char *restrict p, size_t n, char delim);

    /* The current window of decoded bytes: win[pos..len) is not yet consumed. win_base is the
     * decoded offset of win[0], so win_base + pos is the absolute decoded position. */
    const char *win;
    size_t pos, len;
    uint64_t win_base;
    int at_eof;                 /* the source returned its empty window */
    int fatal;                  /* a fatal status that every later call repeats, or SKM_OK */

    uint64_t line;              /* physical line (1-based) of the parse position */
    int skip_lf;                /* CSV: the last terminator was a CR, so a following LF is its pair */

    /* Columns. CSV: names[] holds NUL-terminated names at name_off[i]. JSONL: the interner maps
     * a key to its column number (ids are dense, in first-seen order). */
    size_t n_cols;
    char *names;
    size_t *name_off;
    skm_strmap *keys;

    /* The record being assembled. rec_cap never exceeds max + 1 (see rec_reserve). */
    char *rec;
    size_t rec_len, rec_cap;
    skm_span *spans;            /* up to n_cols entries (unbounded while reading the CSV header) */
    size_t spans_cap;
    size_t n_fields;            /* fields seen in the record (may exceed n_cols) */
    skm_field *fields;          /* n_cols, handed to the caller */
    skm_buf jstack;             /* JSON container stack for validating nested values */

    int pending_first;          /* JSONL: the first object (parsed by open) is yet to be returned */
    uint64_t first_line;
    size_t pending_nul;         /* JSONL: column of the first object holding a NUL, or SIZE_MAX */
    int skip_reason;            /* enum skm_skip of the last SKM_EPARSE, or -1 */
    int why_reason;             /* a parser's verdict on the current record ... */
    char why[768];              /* ... and its detail, before file:line is added */
};

/* Make the next window current. SKM_OK (t->len == 0 and t->at_eof at end) or a fatal status. */
int skm_table_refill(skm_table *t);

/* Ensure room for rec_len + extra bytes. The callers guarantee the total stays within max + 1. */
int skm_table_rec_reserve(skm_table *t, size_t extra);

/* Ensure spans[0..n) exist. */
int skm_table_spans_reserve(skm_table *t, size_t n);

/* Record a malformed record: sets the skip reason and "PATH:LINE: detail", returns SKM_EPARSE. */
int skm_table_skip(skm_table *t, int reason, uint64_t line, const char *fmt, ...) SKM_PRINTF(4, 5);

/* Point t->fields at the spans of the current record (fields beyond n_fields are absent). */
void skm_table_fields_from_spans(skm_table *t);

/* skm_utf8_check with an 8-bytes-at-a-time pass over the leading ASCII, which is most text. */
static inline size_t skm_table_utf8_check(const char *s, size_t n)
{
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    /* s[0..i) is ASCII, so i is a character boundary where the full check can take over. */
    return i + skm_utf8_check(s + i, n - i);
}

/* CSV: read the header (open) and the next record. `header` reads without a column count. */
int skm_csv_read_header(skm_table *t);
int skm_csv_next(skm_table *t, uint64_t *line);

/* JSONL: read the first object (defines the columns; open) and the next record. */
int skm_jsonl_read_first(skm_table *t);
int skm_jsonl_next(skm_table *t, uint64_t *line);

#endif /* SKM_INGEST_TABLE_IMPL_H */
