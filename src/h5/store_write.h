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
    SKM_CAT_SENIORITY,   /* fixed levels (src/extract/title.h), from the title */
    SKM_CAT_ROLE_FAMILY, /* fixed levels, from the title */
    SKM_CAT_WORK_MODE,   /* fixed levels: onsite, hybrid, remote */
    SKM_CAT_CURRENCY,    /* ISO 4217 code of the salary, when the input names one */
    SKM_CAT_COUNT
} skm_cat;

/* "title", "role", "company", "location", "country", "seniority", "role_family", "work_mode",
 * "salary_currency". */
extern const char *const skm_cat_names[SKM_CAT_COUNT];

typedef struct skm_storew_params {
    int compression;  /* deflate level 0..9 (0: no deflate, shuffle and checksum still on) */
    int has_id;       /* create /postings/id (vlen strings) */
    int has_matches;  /* create /matches (the audit trail of text extraction) */
} skm_storew_params;

/* Values of /postings/salary_flag. Append only. */
enum {
    SKM_SALARY_FLAG_NONE = 0,     /* plausible, or no salary */
    SKM_SALARY_FLAG_LOW = 1,      /* annualised below the currency's plausible range */
    SKM_SALARY_FLAG_HIGH = 2,     /* annualised above it */
    SKM_SALARY_FLAG_UNPARSED = 3, /* the salary field has digits but no readable salary */
    SKM_SALARY_FLAG_COUNT
};

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
    int8_t *salary_flag;         /* SKM_SALARY_FLAG_* */
    int32_t *source_file;        /* index into /provenance/input_files */
    int64_t *source_line;        /* 1-based line where the record starts */
    int64_t *indptr;             /* n + 1, local: indptr[0] == 0 */
    int32_t *indices;            /* indptr[n] skill ids, strictly increasing within a row */
    int32_t *counts;             /* indptr[n] frequencies >= 1 */
    /* has_matches: n_matches skill mentions found in text, in row order */
    size_t n_matches;
    int32_t *match_row;          /* row within the block */
    int32_t *match_skill;        /* matrix column */
    int8_t *match_field;         /* index into skm_store_meta.text_fields */
    int64_t *match_offset;       /* byte offset in that field's text as read */
    int32_t *match_length;       /* bytes */
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
    /* text extraction (all NULL / 0 when no taxonomy was used) */
    const char *taxonomy_name, *taxonomy_version, *taxonomy_sha256, *taxonomy_origin;
    size_t n_text_fields;
    const char *const *text_fields;      /* the text columns, as named in the first input */
    const uint64_t *salary_flag_count;   /* SKM_SALARY_FLAG_COUNT entries, or NULL */
    uint64_t salary_from_text;           /* postings whose salary came from description text */
    uint64_t skill_mentions;             /* matches found in text */
    /* effective options, written as string attributes of /parameters */
    size_t n_params;
    const char *const *param_keys;
    const char *const *param_values;
} skm_store_meta;

/* The arrays of a block of up to `cap` postings and `cap_nnz` matrix entries (b->id too when
 * with_id; no /matches arrays: their owner grows them); b->n = 0, b->indptr[0] = 0. SKM_OK, or
 * SKM_ENOMEM with nothing left allocated. */
int skm_posting_block_alloc(skm_posting_block *b, size_t cap, size_t cap_nnz, int with_id);
/* Room for `need` matrix entries: indices and counts grown to at least twice *cap_nnz. */
int skm_posting_block_reserve_nnz(skm_posting_block *b, size_t *cap_nnz, size_t need);
/* Frees every array of b (the /matches ones too) and zeroes it. */
void skm_posting_block_free(skm_posting_block *b);

typedef struct skm_storew skm_storew;

int skm_storew_open(skm_ctx *ctx, const char *final_path, const skm_storew_params *params,
                    skm_storew **out /* OUT */);
int skm_storew_append(skm_storew *w, const skm_posting_block *b);
/* Write the metadata, close, sync and rename. Frees w whatever the outcome. */
int skm_storew_finish(skm_storew *w, const skm_store_meta *meta);
/* Close and unlink the temporary file; frees w. NULL is a no-op. */
void skm_storew_abort(skm_storew *w);

#endif /* SKM_H5_STORE_WRITE_H */
