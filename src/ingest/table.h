/*
 * table.h — streaming record readers for CSV (RFC 4180) and JSON Lines, optionally gzip-compressed.
 *
 * A table yields one record at a time as an array of fields, one per column of the header (CSV) or
 * per key of the first object (JSON Lines). Memory is bounded by the longest record accepted
 * (max_record_bytes) plus a fixed read buffer, never by the file size.
 *
 * Byte source: the file is read with read(2) in 1 MiB pieces; every raw byte is fed to SHA-256
 * (the hash recorded in /provenance is of the file as stored); a gzip magic (1f 8b) switches on
 * zlib inflation, including concatenated gzip members. A UTF-8 byte-order mark at the start of
 * the decoded text is dropped. The format is CSV unless params say otherwise or (auto) the first
 * non-blank decoded byte is '{'.
 *
 * CSV rules (RFC 4180 plus common practice): fields separated by the delimiter; records end at
 * LF, CRLF or a lone CR outside quotes; a field that starts with '"' is quoted and may contain
 * delimiters, line breaks and doubled quotes ("" -> "); a '"' inside an unquoted field is kept
 * literally; text between a closing quote and the next delimiter is an error (SKM_SKIP_BAD_QUOTE);
 * a quoted field open at end of file is SKM_SKIP_UNTERMINATED_QUOTE; a record whose field count
 * differs from the header is SKM_SKIP_FIELD_COUNT; blank lines are skipped. Every field of a
 * record is checked for NUL bytes and valid UTF-8.
 *
 * JSON Lines: each non-blank line is one JSON object (RFC 8259). String values are unescaped;
 * numbers, true and false are given as their literal text; null and absent keys are "not
 * present"; arrays and objects are given as their raw JSON text (the list parser reads arrays).
 * Keys not in the first object are ignored.
 */
#ifndef SKM_INGEST_TABLE_H
#define SKM_INGEST_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

/* A header (or first JSON object) with more columns than this is refused with SKM_EFORMAT. */
#define SKM_TABLE_MAX_COLUMNS 65536

typedef struct skm_field {
    const char *ptr; /* the value's bytes (not NUL-terminated); valid until the next read */
    size_t len;
    int present;     /* 0: JSON null or absent key (CSV fields are always present) */
} skm_field;

typedef struct skm_table_params {
    int format;              /* enum skm_format */
    char delimiter;          /* CSV only */
    size_t max_record_bytes; /* larger records are skipped with SKM_SKIP_TOO_LONG */
} skm_table_params;

typedef struct skm_table skm_table;

/* Open `path` and read its header (CSV) or first object's keys (JSON Lines).
 * `params` NULL means the defaults (auto format, ',', 8 MiB records).
 * Errors: SKM_EINVAL (a delimiter that is '"', CR, LF, NUL or a byte >= 0x80; max_record_bytes 0;
 * unknown format), SKM_EIO (missing/unreadable, with strerror), SKM_EFORMAT (empty file, no
 * header, more than SKM_TABLE_MAX_COLUMNS columns, first JSON line not an object, corrupt gzip),
 * SKM_ENOMEM. Close with skm_table_close().
 *
 * Definitions: a record is "too long" when its raw bytes, without the line terminator, exceed
 * max_record_bytes (for JSON Lines, the line). JSON Lines records end at LF only. Auto-detection
 * looks at the first 1 MiB of decoded text. Bytes after a gzip member that are not another member
 * are a fatal SKM_EFORMAT. A repeated JSON key: the last value wins. */
int skm_table_open(skm_ctx *ctx, const char *path, const skm_table_params *params,
                   skm_table **out /* OUT */);
void skm_table_close(skm_table *t);

size_t skm_table_n_cols(const skm_table *t);
/* Column (or key) name i, NUL-terminated; valid until skm_table_close. */
const char *skm_table_col_name(const skm_table *t, size_t i);
/* Format actually read: SKM_FORMAT_CSV or SKM_FORMAT_JSONL. */
int skm_table_format(const skm_table *t);
/* Nonzero if the file was gzip-compressed. */
int skm_table_is_gzip(const skm_table *t);

/* Read the next record.
 *   SKM_OK:     *fields points at n_cols fields, valid until the next call; *line is the 1-based
 *               physical line on which the record starts.
 *   SKM_EOF:    no more records.
 *   SKM_EPARSE: the record starting at *line is malformed; skm_table_skip_reason() says why and the
 *               context holds "PATH:LINE: detail"; the next call continues after that record.
 *   SKM_EIO, SKM_EFORMAT (corrupt compressed stream), SKM_ENOMEM: fatal. */
int skm_table_next(skm_table *t, const skm_field **fields /* OUT */, uint64_t *line /* OUT */);

/* The enum skm_skip reason of the last SKM_EPARSE. */
int skm_table_skip_reason(const skm_table *t);

/* Raw bytes read from the file so far, its size (0 if unknown), and decoded bytes so far. */
uint64_t skm_table_bytes_read(const skm_table *t);
uint64_t skm_table_file_size(const skm_table *t);
uint64_t skm_table_bytes_decoded(const skm_table *t);

/* After SKM_EOF: the SHA-256 of the whole file as stored, as lower-case hex. */
void skm_table_sha256_hex(const skm_table *t, char hex[65]);

#endif /* SKM_INGEST_TABLE_H */
