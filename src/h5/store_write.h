/*
 * store_write.h — the streaming writer of a skillmat store (layout: docs/hdf5-schema.md).
 *
 * Life cycle: skm_storew_open() creates "<dir>/.<name>.tmp.<pid>" next to the final path and the
 * extensible, chunked, compressed (shuffle + deflate + Fletcher-32) datasets; each
 * skm_storew_append() adds one block of postings and their matrix rows by hyperslab;
 * skm_storew_finish() writes the vocabularies, level tables, provenance and parameters, closes,
 * fsyncs the file, renames it over the final path and fsyncs the directory. skm_storew_abort()
 * (also safe after a failed append/finish) closes and unlinks the temporary file. Either way the
 * final path holds a complete store or is untouched. Memory: one chunk cache, nothing per posting.
 */
#ifndef SKM_H5_STORE_WRITE_H
#define SKM_H5_STORE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

/* Categorical posting columns, stored as int32 codes (/postings/<name>, -1 = missing) plus a
 * table of distinct values (/postings/<name>_levels). Append only. */
typedef enum skm_cat {
    SKM_CAT_TITLE = 0,
    SKM_CAT_ROLE,
    SKM_CAT_COMPANY,
    SKM_CAT_LOCATION,
    SKM_CAT_COUNTRY,
    SKM_CAT_COUNT
} skm_cat;

/* "title", "role", "company", "location", "country". */
extern const char *const skm_cat_names[SKM_CAT_COUNT];

typedef struct skm_storew_params {
    int compression;  /* deflate level 0..9 (0: no deflate, shuffle and checksum still on) */
    int has_id;       /* create /postings/id (vlen strings) */
} skm_storew_params;

/* One block of postings, columnar. Arrays have n entries unless said otherwise. */
typedef struct skm_posting_block {
    size_t n;
    int32_t *cat[SKM_CAT_COUNT]; /* level codes, -1 = missing */
    char **id;                   /* only when has_id; NULL entries = missing */
    int64_t *posted_date;        /* seconds since the Unix epoch, UTC; SKM_DATE_MISSING */
    double *salary_min;          /* as given, in salary_period units; NaN = none */
    double *salary_max;
    int8_t *salary_period;       /* enum skm_period */
    double *salary_annual;       /* annualised midpoint; NaN = unknown */
    int8_t *remote;              /* 1 yes, 0 no, -1 unknown */
    int32_t *source_file;        /* index into /provenance/input_files */
    int64_t *source_line;        /* 1-based line where the record starts */
    int64_t *indptr;             /* n + 1, local: indptr[0] == 0 */
    int32_t *indices;            /* indptr[n] skill ids, strictly increasing within a row */
    int32_t *counts;             /* indptr[n] frequencies >= 1 */
} skm_posting_block;

/* Everything written at finish. Pointers are borrowed for the duration of the call. */
typedef struct skm_store_meta {
    const char *const *levels[SKM_CAT_COUNT]; /* distinct values in code order */
    size_t n_levels[SKM_CAT_COUNT];
    size_t n_skills;
    const char *const *skill_names;      /* in column order */
    const char *const *skill_categories; /* NULL: every category "" */
    const int64_t *skill_doc_freq;
    /* provenance */
    const char *command_line;            /* may be NULL */
    size_t n_inputs;
    const char *const *input_paths;
    const char *const *input_sha256;     /* lower-case hex */
    const char *const *input_format;     /* "csv" or "jsonl", with "+gzip" when compressed */
    const uint64_t *input_bytes;         /* size as stored */
    const uint64_t *input_records;       /* data records read */
    const uint64_t *input_skipped;       /* records skipped */
    const char *const *input_columns;    /* n_inputs × SKM_COL_COUNT, row-major: the column used
                                          * for each role (enum skm_col) in each input; NULL or
                                          * "" entries: none */
    const uint64_t *skipped_by_reason;   /* SKM_SKIP_COUNT entries */
    double hours_per_year;
    /* effective options, written as string attributes of /parameters */
    size_t n_params;
    const char *const *param_keys;
    const char *const *param_values;
} skm_store_meta;

typedef struct skm_storew skm_storew;

int skm_storew_open(skm_ctx *ctx, const char *final_path, const skm_storew_params *params,
                    skm_storew **out /* OUT */);
int skm_storew_append(skm_storew *w, const skm_posting_block *b);
/* Write the metadata, close, sync and rename. Frees w whatever the outcome. */
int skm_storew_finish(skm_storew *w, const skm_store_meta *meta);
/* Close and unlink the temporary file; frees w. NULL is a no-op. */
void skm_storew_abort(skm_storew *w);

#endif /* SKM_H5_STORE_WRITE_H */
