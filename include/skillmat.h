/*
 * skillmat.h — the public interface of skillmat, a statistical engine for job-posting analytics.
 *
 * skillmat turns job postings (CSV or JSON Lines, optionally gzip-compressed) into an HDF5 store
 * holding one row per posting: the posting's columns (title, company, salary, ...) and a CSR
 * posting × skill frequency matrix. Every analysis reads the store in row blocks, so memory is
 * bounded by the block size, not by the number of postings. The store layout is a contract,
 * documented path by path in docs/hdf5-schema.md.
 *
 * Conventions
 *   - Every fallible call returns an int status: SKM_OK (0) on success, or one of enum skm_status.
 *     The detail ("file.csv:12: unterminated quoted field") is kept in the context and read with
 *     skm_ctx_errmsg(). skm_strerror() names a status code.
 *   - Results are written through pointers marked OUT.
 *   - Objects come in _alloc/_free (or _open/_close) pairs; every _free(NULL) is a harmless no-op.
 *   - No function prints. Diagnostics (warnings about skipped records, the column summary) go to
 *     the log callback of the context; the default callback writes them to stderr.
 *   - Nothing here aborts on bad user data. Input files are treated as hostile.
 *
 * Worked example: ingest a CSV file and stream the matrix back in blocks of 4096 postings.
 *
 *     skm_ctx *ctx = skm_ctx_alloc();
 *     skm_ingest_params p = skm_ingest_params_default();
 *     const char *in[] = { "postings.csv.gz" };
 *     skm_ingest_report rep;
 *     if (skm_ingest(ctx, &p, in, 1, "market.h5", &rep) != SKM_OK)
 *         fprintf(stderr, "%s\n", skm_ctx_errmsg(ctx));
 *
 *     skm_store *st = NULL;
 *     skm_csr_block *blk = skm_csr_block_alloc(4096, 65536);
 *     if (skm_store_open(ctx, "market.h5", &st) == SKM_OK) {
 *         for (int64_t r = 0; r < skm_store_n_rows(st); r += 4096) {
 *             if (skm_store_read_block(st, r, 4096, blk) != SKM_OK) break;
 *             for (size_t i = 0; i < blk->n_rows; ++i)
 *                 for (int64_t k = blk->indptr[i]; k < blk->indptr[i + 1]; ++k)
 *                     use(blk->row0 + (int64_t)i, blk->indices[k], blk->counts[k]);
 *         }
 *     }
 *     skm_csr_block_free(blk);
 *     skm_store_close(st);
 *     skm_ctx_free(ctx);
 */
#ifndef SKILLMAT_H
#define SKILLMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SKM_BUILDING_LIBRARY) && defined(__GNUC__)
#define SKM_API __attribute__((visibility("default")))
#else
#define SKM_API
#endif

#define SKM_VERSION_STRING "0.1.0"

/* Store schema version written by this library; readers accept the same major version. */
#define SKM_SCHEMA_MAJOR 1
#define SKM_SCHEMA_MINOR 6

/* ------------------------------------------------------------------------------------------ */
/* Status codes and the context                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Status codes. Values are stable (they may reach scripts through exit paths): append only. */
typedef enum skm_status {
    SKM_OK = 0,
    SKM_ENOMEM = 1,      /* an allocation failed or a size computation overflowed */
    SKM_EINVAL = 2,      /* an invalid argument or option (the caller's mistake) */
    SKM_EIO = 3,         /* a file could not be opened, read, written, synced or renamed */
    SKM_EPARSE = 4,      /* a malformed input record (recoverable: the reader moves on) */
    SKM_EFORMAT = 5,     /* a file is not a skillmat store, or has an unsupported schema */
    SKM_EHDF5 = 6,       /* the HDF5 library reported an error */
    SKM_ELIMIT = 7,      /* a configured limit was exceeded */
    SKM_EINTERRUPT = 8,  /* the run was interrupted (skm_ctx_interrupt) */
    SKM_ENOTFOUND = 9,   /* a named column, dataset or skill does not exist */
    SKM_EOF = 10         /* end of input (not an error; returned by readers) */
} skm_status;

/* A static, human-readable name for a status code ("malformed input record"). Never NULL. */
SKM_API const char *skm_strerror(int status);

/* The library version, e.g. "0.1.0". */
SKM_API const char *skm_version(void);

/* The git revision the library was built from ("unknown" outside a git checkout). */
SKM_API const char *skm_git_revision(void);

/* Severity of a log message. */
typedef enum skm_log_level {
    SKM_LOG_ERROR = 0,
    SKM_LOG_WARN = 1,
    SKM_LOG_INFO = 2,
    SKM_LOG_DEBUG = 3
} skm_log_level;

/* Receives one complete message, without a trailing newline. `msg` is valid during the call only. */
typedef void (*skm_log_fn)(void *user, int level, const char *msg);

/* Receives progress of a long step: `done` of `total` units (bytes for ingest); total may be 0
 * when unknown. Called at most a few times per second. */
typedef void (*skm_progress_fn)(void *user, const char *stage, uint64_t done, uint64_t total);

/* A context carries the error state, the log and progress callbacks and the interrupt flag.
 * One context per thread of control. */
typedef struct skm_ctx skm_ctx;

/* Allocates a context with the default log callback (stderr, messages up to SKM_LOG_INFO) and no
 * progress callback. Returns NULL when out of memory. Free with skm_ctx_free(). */
SKM_API skm_ctx *skm_ctx_alloc(void);
SKM_API void skm_ctx_free(skm_ctx *ctx);

/* The detail of the last error recorded in `ctx` ("" if none). Valid until the next call that
 * records an error on `ctx`, or skm_ctx_free(). */
SKM_API const char *skm_ctx_errmsg(const skm_ctx *ctx);

/* The status code of the last error recorded in `ctx` (SKM_OK if none). */
SKM_API int skm_ctx_errcode(const skm_ctx *ctx);

/* Replace the log callback (NULL restores the default stderr writer). */
SKM_API void skm_ctx_set_log(skm_ctx *ctx, skm_log_fn fn, void *user);

/* Messages above `level` are not delivered. Default: SKM_LOG_INFO. */
SKM_API void skm_ctx_set_log_level(skm_ctx *ctx, int level);

/* Set (or clear, with fn = NULL) the progress callback. */
SKM_API void skm_ctx_set_progress(skm_ctx *ctx, skm_progress_fn fn, void *user);

/* Ask the running operation to stop at the next record or block boundary. It then returns
 * SKM_EINTERRUPT and leaves no output file behind. Async-signal-safe: call it from a SIGINT handler. */
SKM_API void skm_ctx_interrupt(skm_ctx *ctx);

/* The kernel table this process uses, e.g. "avx512+shani", "avx2", "ref" (recorded in
 * /provenance as `isa`). Chosen once from the CPU (CPUID and XGETBV): the best level this build
 * and CPU support. The environment variable SKILLMAT_ISA=ref|avx2|avx512 forces a level
 * (SKILLMAT_ISA=ref: plain C throughout, SHA-256 included), and SKILLMAT_ISA_DEBUG=1 logs the
 * choice to stderr. docs/kernels.md has the rules. */
SKM_API const char *skm_isa(void);

/* SKM_OK, or SKM_EINVAL with a message in ctx when SKILLMAT_ISA names a kernel set this build or
 * this CPU cannot run (the reference kernels are then used). The CLI refuses to run in that case. */
SKM_API int skm_isa_check(skm_ctx *ctx);

/* ------------------------------------------------------------------------------------------ */
/* Ingest                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* What an input column is used for. The values index skm_ingest_params.columns. Append only. */
typedef enum skm_col {
    SKM_COL_ID = 0,         /* posting identifier (text) */
    SKM_COL_TITLE,          /* job title */
    SKM_COL_ROLE,           /* role family, e.g. "Data Engineer" */
    SKM_COL_COMPANY,
    SKM_COL_LOCATION,
    SKM_COL_COUNTRY,
    SKM_COL_DATE,           /* posted date: ISO 8601 or spreadsheet serial day number */
    SKM_COL_SALARY,         /* one salary figure in the posting's period (annual unless stated) */
    SKM_COL_SALARY_MIN,     /* bottom of a salary range */
    SKM_COL_SALARY_MAX,     /* top of a salary range */
    SKM_COL_HOURLY,         /* an hourly wage */
    SKM_COL_PERIOD,         /* the period of the salary columns: year, month, week, day, hour */
    SKM_COL_REMOTE,         /* boolean: remote / work from home */
    SKM_COL_SKILLS,         /* a list of skills */
    SKM_COL_COUNT
} skm_col;

/* The flag-style name of a column role ("title", "salary-min", ...), or NULL if out of range. */
SKM_API const char *skm_col_name(int col);

/* Why a record was skipped. Values reach stores (/provenance/skipped_*): append only. */
typedef enum skm_skip {
    SKM_SKIP_UNTERMINATED_QUOTE = 0, /* a quoted CSV field runs to end of file */
    SKM_SKIP_BAD_QUOTE,              /* text after a closing quote, before the delimiter */
    SKM_SKIP_FIELD_COUNT,            /* a CSV record with more or fewer fields than the header */
    SKM_SKIP_BAD_JSON,               /* a JSON Lines record that is not one JSON object */
    SKM_SKIP_BAD_UTF8,               /* invalid UTF-8 */
    SKM_SKIP_NUL_BYTE,               /* a NUL byte inside the record */
    SKM_SKIP_TOO_LONG,               /* the record exceeds max_record_bytes */
    SKM_SKIP_BAD_SALARY,             /* a salary that is not a finite non-negative number */
    SKM_SKIP_BAD_DATE,               /* a date that is neither ISO 8601 nor a serial day number */
    SKM_SKIP_BAD_VALUE,              /* another mapped field that cannot be parsed (boolean, list, period) */
    SKM_SKIP_COUNT
} skm_skip;

/* A short name for a skip reason ("unterminated_quote"), or NULL if out of range. */
SKM_API const char *skm_skip_name(int reason);

/* Pay period of a salary figure. Values reach stores (/postings/salary_period): append only. */
typedef enum skm_period {
    SKM_PERIOD_UNKNOWN = 0,
    SKM_PERIOD_HOUR = 1,
    SKM_PERIOD_DAY = 2,
    SKM_PERIOD_WEEK = 3,
    SKM_PERIOD_MONTH = 4,
    SKM_PERIOD_YEAR = 5
} skm_period;

/* Annualisation factors (documented in docs/hdf5-schema.md): an hourly figure × hours_per_year,
 * a daily one × hours_per_year / 8, weekly × 52, monthly × 12, yearly × 1. */
SKM_API double skm_annualise(double amount, int period, double hours_per_year);

/* Input format. */
typedef enum skm_format {
    SKM_FORMAT_AUTO = 0, /* JSON Lines if the first non-blank byte is '{', CSV otherwise */
    SKM_FORMAT_CSV = 1,
    SKM_FORMAT_JSONL = 2
} skm_format;

/* Options of skm_ingest(). Start from skm_ingest_params_default() and change what you need. */
typedef struct skm_ingest_params {
    /* Input column (header name, or JSON key) for each role. NULL: detect from common names.
     * "": do not use any column for that role. A name that a file lacks is an error. */
    const char *columns[SKM_COL_COUNT];
    int format;              /* enum skm_format; default SKM_FORMAT_AUTO */
    char delimiter;          /* CSV field delimiter; default 0: ',' unless a file's header reads
                              * as one column holding tabs, ';' or '|' (then the commonest) */
    double hours_per_year;   /* annualisation of hourly pay; default 2080 (52 weeks × 40 h) */
    int strict;              /* nonzero: the first malformed record is fatal (SKM_EPARSE) */
    int compression;         /* deflate level 0..9 for the store; default 1 */
    size_t block_rows;       /* postings buffered per write block; default 65536 */
    size_t max_record_bytes; /* longer records are skipped (SKM_SKIP_TOO_LONG); default 8 MiB */
    const char *command_line;/* recorded in /provenance; may be NULL */
    /* Description text to extract skills (and, failing the salary columns, the salary) from:
     * up to SKM_MAX_TEXT_COLUMNS column names (or 1-based positions). n_text_columns == 0 with
     * text_columns == NULL: detect a column named like "description" / "Job Description";
     * n_text_columns == 0 with text_columns != NULL: no text columns. */
    const char *const *text_columns;
    size_t n_text_columns;
    /* Skill taxonomy file (docs/extraction.md); NULL: the built-in one. The taxonomy is used when
     * there are text columns or this is set: then list-column skills are also mapped to the
     * taxonomy's canonical names. */
    const char *taxonomy;
    int matches;             /* nonzero: write /matches (every mention found in text) */
    int threads;             /* extraction threads; 0: all CPUs */
} skm_ingest_params;

#define SKM_MAX_TEXT_COLUMNS 8

SKM_API skm_ingest_params skm_ingest_params_default(void);

/* What an ingest run did. */
typedef struct skm_ingest_report {
    uint64_t records_read;                 /* data records seen (header excluded) */
    uint64_t records_written;              /* postings in the store */
    uint64_t records_skipped;              /* sum of skipped_by_reason */
    uint64_t skipped_by_reason[SKM_SKIP_COUNT];
    uint64_t bytes_read;                   /* input bytes as stored on disk (compressed if gzip) */
    uint64_t bytes_decoded;                /* input bytes after decompression */
    int64_t n_skills;                      /* columns of the matrix */
    int64_t nnz;                           /* non-zeros of the matrix */
    uint64_t salary_known;                 /* postings with an annualised salary */
    uint64_t salary_from_text;             /* ... of which read from description text */
    uint64_t salary_flagged[4];            /* postings per salary check (none, low, high, unparsed) */
    uint64_t text_bytes;                   /* bytes of description text read */
    uint64_t skill_mentions;               /* skill mentions found in that text */
    double extract_seconds;                /* wall time of the extraction phases */
    double seconds;                        /* wall time of the whole run */
} skm_ingest_report;

/* Read every input file in order and write one store at `out_path`.
 *
 * The store is written to a temporary file in the same directory, flushed, synced and renamed,
 * so `out_path` either holds a complete store or is left as it was. The inputs are only read.
 * Malformed records are logged (file:line: reason), counted in `report` and skipped, unless
 * params->strict is set. A missing or unreadable input, an unknown column name or a write error is
 * fatal. `report` may be NULL; on failure its contents describe the work done so far.
 *
 * Returns SKM_OK, or SKM_EINVAL, SKM_EIO, SKM_EPARSE (strict), SKM_ENOTFOUND (column), SKM_ENOMEM,
 * SKM_EHDF5, SKM_EINTERRUPT; skm_ctx_errmsg() has the detail. */
SKM_API int skm_ingest(skm_ctx *ctx, const skm_ingest_params *params, const char *const *inputs,
                       size_t n_inputs, const char *out_path, skm_ingest_report *report /* OUT */);

/* ------------------------------------------------------------------------------------------ */
/* Store reader                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* An open store (read only). */
typedef struct skm_store skm_store;

/* Open a store and check its root attributes (format = "skillmat", schema major version).
 * Loads the skill vocabulary (O(p) memory), nothing of the postings. Close with skm_store_close().
 * Returns SKM_OK, SKM_EIO (cannot open), SKM_EFORMAT (not a store, or wrong schema), SKM_EHDF5. */
SKM_API int skm_store_open(skm_ctx *ctx, const char *path, skm_store **out /* OUT */);
SKM_API void skm_store_close(skm_store *st);

SKM_API int64_t skm_store_n_rows(const skm_store *st); /* postings */
SKM_API int64_t skm_store_n_cols(const skm_store *st); /* skills */
SKM_API int64_t skm_store_nnz(const skm_store *st);    /* non-zeros of the matrix */

/* Skill j's canonical name, category ("" if none) and document frequency (postings that list it
 * at least once). Names are borrowed: valid until skm_store_close(). j out of range: NULL / -1. */
SKM_API const char *skm_store_skill_name(const skm_store *st, int64_t j);
SKM_API const char *skm_store_skill_category(const skm_store *st, int64_t j);
SKM_API int64_t skm_store_skill_doc_freq(const skm_store *st, int64_t j);

/* A block of consecutive matrix rows in CSR form, with indptr rebased to 0:
 * row row0 + i has entries indices[indptr[i] .. indptr[i+1]) with counts alongside.
 * Column indices within a row are strictly increasing. The presence view of a row is its
 * index list with the counts ignored. */
typedef struct skm_csr_block {
    int64_t row0;       /* first row of the block */
    size_t n_rows;      /* rows held */
    size_t nnz;         /* entries held (indptr[n_rows]) */
    int64_t *indptr;    /* n_rows + 1 */
    int32_t *indices;   /* nnz */
    int32_t *counts;    /* nnz; >= 1 */
    size_t cap_rows;    /* allocated capacity (rows) */
    size_t cap_nnz;     /* allocated capacity (entries) */
} skm_csr_block;

/* Allocate a block with room for `cap_rows` rows and `cap_nnz` entries; reads grow it when a
 * block needs more entries. Returns NULL when out of memory. Free with skm_csr_block_free(). */
SKM_API skm_csr_block *skm_csr_block_alloc(size_t cap_rows, size_t cap_nnz);
SKM_API void skm_csr_block_free(skm_csr_block *blk);

/* Read rows [row0, row0 + n_rows) into `blk`, clipped at the end of the matrix, by HDF5
 * hyperslabs (nothing else is loaded). row0 == n_rows gives an empty block. Grows
 * blk->indices/counts when needed, and blk->indptr when n_rows exceeds cap_rows. The rows are
 * validated (indptr non-decreasing, indices in range and increasing, counts >= 1) before use.
 * Returns SKM_OK, SKM_EINVAL (row0 < 0 or > n_rows), SKM_ENOMEM, SKM_EFORMAT (damaged matrix,
 * the message names the HDF5 path; the block is left empty), SKM_EHDF5. */
SKM_API int skm_store_read_block(skm_store *st, int64_t row0, size_t n_rows, skm_csr_block *blk);

/* Copy the string attribute `name` of the object at `obj_path` ("/" for the root, e.g.
 * "/provenance" and "tool_version") into buf, NUL-terminated, cut to n - 1 bytes. Returns SKM_OK,
 * SKM_ENOTFOUND (no such object or attribute), SKM_EFORMAT (not a string), SKM_EINVAL, SKM_EHDF5. */
SKM_API int skm_store_attr_string(skm_store *st, const char *obj_path, const char *name, char *buf,
                                  size_t n);

/* Memory types for skm_store_read_column(). */
typedef enum skm_type {
    SKM_TYPE_I8 = 0,
    SKM_TYPE_I32 = 1,
    SKM_TYPE_I64 = 2,
    SKM_TYPE_F64 = 3
} skm_type;

/* The missing value of /postings/posted_date (seconds since the Unix epoch). numpy reads it as NaT
 * when the column is viewed as datetime64[s]. */
#define SKM_DATE_MISSING INT64_MIN

/* Read rows [row0, row0 + n) of the numeric posting column /postings/<name> (e.g. "salary_annual",
 * "posted_date", "company") into `out`, converted by HDF5 to `type`. Returns SKM_OK,
 * SKM_ENOTFOUND (no such column), SKM_EINVAL (range), SKM_EHDF5. */
SKM_API int skm_store_read_column(skm_store *st, const char *name, int64_t row0, size_t n, int type,
                                  void *out /* OUT: n values */);

/* The level table /postings/<name>_levels of a categorical column (role, company, country, ...):
 * *out is one malloc'ed block of *n string pointers followed by the strings (free() once).
 * SKM_OK; SKM_ENOTFOUND when the column has no level table (not recorded in ctx); SKM_EFORMAT,
 * SKM_ENOMEM, SKM_EHDF5. */
SKM_API int skm_store_read_levels(skm_store *st, const char *name, char ***out /* OUT */,
                                  size_t *n /* OUT */);

/* ------------------------------------------------------------------------------------------ */
/* Skill co-occurrence (docs/hdf5-schema.md, /cooccurrence)                                   */
/* ------------------------------------------------------------------------------------------ */

/* How the pair counts are computed: chosen per row block by the cost model, or forced. */
typedef enum skm_cooccur_path {
    SKM_COOCCUR_PATH_AUTO = 0,
    SKM_COOCCUR_PATH_PAIRS = 1,  /* sparse pair accumulation */
    SKM_COOCCUR_PATH_BITSET = 2  /* skill-major bitsets and AND-popcount (presence, p <= 2048) */
} skm_cooccur_path;

/* Options of skm_cooccur(). Start from skm_cooccur_params_default(). */
typedef struct skm_cooccur_params {
    int64_t min_support;     /* a pair is reported when n_ab >= min_support, and only skills with
                              * n_a >= min_support take part; default 5, at least 1 */
    size_t top;              /* rows of each top-pairs table (by NPMI, by lift); default 50 */
    int weighted;            /* also count frequency-weighted n_ab = sum of c_a * c_b */
    double alpha;            /* validated pairs: BH q-value < alpha; default 0.05, in (0, 1) */
    int threads;             /* 0: every CPU this process may use */
    int path;                /* enum skm_cooccur_path; default AUTO */
    size_t memory_mib;       /* budget for the count accumulators; default 1024 (MiB). A larger
                              * triangle is counted in bands, one pass over the store each */
    size_t block_rows;       /* rows read from the store per block; default 65536 */
    const char *command_line;/* recorded with the results; may be NULL */
} skm_cooccur_params;

SKM_API skm_cooccur_params skm_cooccur_params_default(void);

/* What a co-occurrence run did. */
typedef struct skm_cooccur_report {
    int64_t n_postings;
    int64_t n_skills;          /* skills in the store */
    int64_t n_skills_kept;     /* skills with n_a >= min_support */
    int64_t n_pairs;           /* pairs reported: n_ab >= min_support */
    uint64_t n_family;         /* hypotheses of the BH correction: pairs of kept skills */
    int64_t n_validated;       /* reported pairs with q < alpha */
    int passes;                /* passes over the store (bands of the triangle) */
    int threads;
    char path[32];             /* "pairs", "bitset" or "pairs+bitset": what the blocks used */
    double seconds_count;      /* reading and counting */
    double seconds;            /* the whole run */
} skm_cooccur_report;

/* Count every pair of skills in the store at `store_path`, compute the association measures and
 * significance of each pair above support, and write them under /cooccurrence of the results
 * file `out_path` (docs/hdf5-schema.md). A results file that already exists keeps its other
 * groups; the new file replaces it atomically (temporary file, fsync, rename), so `out_path`
 * holds the old or the new results, never half of them. A file at `out_path` that is not a
 * skillmat results file (a store, anything else) is refused, never overwritten.
 *
 * Returns SKM_OK, SKM_EINVAL (options, or out_path is not a results file), SKM_EFORMAT (a
 * damaged store: the message names the HDF5 path), SKM_ELIMIT (more than 2^32 - 1 postings; a
 * frequency count too large for exact weighted counts; the memory budget below one row of the
 * triangle), SKM_ENOMEM, SKM_EIO, SKM_EHDF5, SKM_EINTERRUPT. */
SKM_API int skm_cooccur(skm_ctx *ctx, const char *store_path, const char *out_path,
                        const skm_cooccur_params *params, skm_cooccur_report *report /* OUT */);

/* Print the co-occurrence summary of the results file `results_path` to `out`: the strongest
 * pairs by NPMI (at most n_top), and when `skill` is given (matched case-insensitively, after the
 * same normalisation as ingest), the n_top skills most tied to it. SKM_OK, SKM_ENOTFOUND (no
 * /cooccurrence group, or no such skill: the message suggests close names), SKM_EFORMAT,
 * SKM_EHDF5, SKM_EIO. */
SKM_API int skm_cooccur_print(skm_ctx *ctx, const char *results_path, const char *skill,
                              size_t n_top, FILE *out);

/* ------------------------------------------------------------------------------------------ */
/* Batch runs (skillmat run; docs/run-files.md)                                               */
/* ------------------------------------------------------------------------------------------ */

/* Print a readable report of the results file `path` to `out`: the run (when written by
 * `skillmat run`), the market summary and salary tables (/describe), the strongest skill pairs,
 * the role types and the skill premiums, for whichever of those groups the file holds.
 * SKM_OK, SKM_EIO (cannot open), SKM_EFORMAT (not a results file), or an analysis printer's
 * error. */
SKM_API int skm_report(skm_ctx *ctx, const char *path, FILE *out);

/* One step of a run, as recorded. */
typedef struct skm_run_step {
    const char *name;         /* "ingest", "describe", "cooccur", ... */
    const char *command_line; /* the command the step ran */
    const char *message;      /* why it failed or was not run; "" when it ran */
    double seconds;
    int status;               /* 0 ok, 1 failed, 2 not run */
} skm_run_step;

/* Write /provenance into the results file `results_path` (created if absent; its other groups
 * kept): the build, the run file's path and text, each step, and the input files and their
 * SHA-256 copied from the store at `store_path` (may be NULL). Atomic like every results write.
 * SKM_OK or an error code with the message in ctx. */
SKM_API int skm_results_provenance(skm_ctx *ctx, const char *results_path, const char *run_file,
                                   const char *run_text, const char *store_path,
                                   const skm_run_step *steps, size_t n_steps);

/* ------------------------------------------------------------------------------------------ */
/* Salary regression by skill (docs/hdf5-schema.md, /regression)                              */
/* ------------------------------------------------------------------------------------------ */

/* Standard-error types (bit flags of skm_regress_params.se). */
enum { SKM_SE_CLASSICAL = 1, SKM_SE_HC1 = 2, SKM_SE_CLUSTER = 4 };

/* How two absorbed columns are projected out: alternating projections accelerated by conjugate
 * gradients, or plain alternating projections (sweeps). One column needs one exact sweep. */
enum { SKM_FE_CG = 0, SKM_FE_MAP = 1 };

/* Options of skm_regress(). Start from skm_regress_params_default(). */
typedef struct skm_regress_params {
    int64_t min_support;      /* skills in fewer postings (with a usable salary) are left out and
                               * listed; default 30, at least 1 */
    const char *controls;     /* comma-separated /postings columns entered as dummies; NULL none */
    const char *absorb;       /* comma-separated /postings columns absorbed as fixed effects (at
                               * most 2); NULL none */
    int se;                   /* SKM_SE_* flags; default classical | hc1 | cluster */
    const char *cluster;      /* cluster column for SKM_SE_CLUSTER; default "company" (left out,
                               * with a note, when the store has none and it was not asked for) */
    const char *const *groups;/* "NAME=skill,skill,...": one indicator for any of the skills */
    size_t n_groups;
    int decompose;            /* with groups: also fit without / with each of company and title
                               * absorbed (the decomposition table); default 1 */
    double alpha;             /* confidence level 1 - alpha, BH threshold; default 0.05 */
    int fe_method;            /* two absorbed columns: SKM_FE_CG (default) or SKM_FE_MAP */
    double fe_tol;            /* two absorbed columns: stop when the column's level sums in the
                               * second dimension fall below fe_tol of where they started (CG),
                               * or when a sweep changes the column by less than fe_tol of its
                               * norm (MAP); default 1e-12 */
    int fe_max_iter;          /* iterations (CG) or sweeps (MAP) at most; default 10000 */
    int threads;              /* 0: every CPU this process may use */
    size_t memory_mib;        /* budget for accumulators and dense absorbed data; default 1024 */
    size_t block_rows;        /* rows read from the store per block; default 65536 */
    const char *command_line; /* recorded with the results; may be NULL */
} skm_regress_params;

SKM_API skm_regress_params skm_regress_params_default(void);

/* Fit log annual salary on skill indicators (plus groups, controls, absorbed fixed effects) over
 * the store at store_path and write /regression into the results file out_path (atomically,
 * keeping its other groups). SKM_OK, SKM_EINVAL (bad option; unknown skill in a group),
 * SKM_ENOTFOUND (no such column), SKM_ELIMIT (over the memory budget), SKM_EFORMAT, SKM_EHDF5,
 * SKM_EIO, SKM_ENOMEM, SKM_EINTERRUPT. */
SKM_API int skm_regress(skm_ctx *ctx, const char *store_path, const char *out_path,
                        const skm_regress_params *params);

/* Print the premium table of /regression in the results file (sorted by premium, significance
 * marks; at most n_top rows from each end when n_top > 0) and the decomposition table. */
SKM_API int skm_regress_print(skm_ctx *ctx, const char *results_path, size_t n_top, FILE *out);

/* ------------------------------------------------------------------------------------------ */
/* Role types: k-means clustering of postings by their skills (docs/hdf5-schema.md, /clusters)  */
/* ------------------------------------------------------------------------------------------ */

/* Distance between postings. */
enum { SKM_METRIC_COSINE = 0, SKM_METRIC_EUCLIDEAN = 1 };
/* Row weighting: binary presence, or TF-IDF (term count x smooth idf), rows L2-normalised.
 * DEFAULT: TF-IDF with the cosine metric, binary with the Euclidean one. */
enum { SKM_WEIGHT_DEFAULT = 0, SKM_WEIGHT_BINARY = 1, SKM_WEIGHT_TFIDF = 2 };
/* The rule that picks k from a range. */
enum { SKM_CHOOSE_SILHOUETTE = 0, SKM_CHOOSE_CH = 1, SKM_CHOOSE_DB = 2, SKM_CHOOSE_ELBOW = 3 };

/* Options of skm_cluster(). Start from skm_cluster_params_default(). */
typedef struct skm_cluster_params {
    int k_min, k_max;         /* the k range (one k: equal); default 2..20; 1 <= k_min <= k_max */
    int metric;               /* SKM_METRIC_*; default cosine (spherical k-means) */
    int weighting;            /* SKM_WEIGHT_*; default SKM_WEIGHT_DEFAULT */
    int restarts;             /* k-means++ restarts per k, the lowest objective kept; default 4 */
    int max_iter;             /* Lloyd updates per restart at most; default 100 */
    double tol;               /* stop when the squared centroid shift <= tol x the mean column
                               * variance (scikit-learn's rule); default 1e-4; 0: until no label
                               * changes */
    uint64_t seed;            /* default 1 */
    size_t sample;            /* postings in the silhouette sample; default 10000; 0: no
                               * silhouette */
    int choose;               /* SKM_CHOOSE_*; default silhouette */
    const char *compare;      /* /postings column the clusters are compared with; default "role" */
    size_t n_top;             /* top skills and title words kept per cluster; default 10 */
    int threads;              /* 0: every CPU this process may use */
    size_t memory_mib;        /* budget for the rows in memory and the labels; default 4096 */
    size_t block_rows;        /* rows read from the store per block; default 65536 */
    const char *command_line; /* recorded with the results; may be NULL */
} skm_cluster_params;

SKM_API skm_cluster_params skm_cluster_params_default(void);

/* Cluster the postings of the store at store_path that have at least one skill, for every k of
 * the range, choose k, describe the clusters (sizes, top skills by share and by lift, title
 * words, median salary, a name) and their agreement with params->compare, and write /clusters
 * into the results file out_path (atomically, keeping its other groups). SKM_OK, SKM_EINVAL (bad
 * option, or k above the number of postings with skills), SKM_ENOTFOUND (no such column),
 * SKM_ELIMIT (over the memory budget), SKM_EFORMAT, SKM_EHDF5, SKM_EIO, SKM_ENOMEM,
 * SKM_EINTERRUPT. */
SKM_API int skm_cluster(skm_ctx *ctx, const char *store_path, const char *out_path,
                        const skm_cluster_params *params);

/* Print the clusters of /clusters in the results file: the score table over k, each cluster
 * (name, size, median salary, top skills by lift and share, title words) and the agreement with
 * the compared column. */
SKM_API int skm_cluster_print(skm_ctx *ctx, const char *results_path, FILE *out);

/* ------------------------------------------------------------------------------------------ */
/* The market description: counts, shares, salary quantiles, top skills, months               */
/* (docs/hdf5-schema.md, /describe)                                                           */
/* ------------------------------------------------------------------------------------------ */

/* Options of skm_describe(). Start from skm_describe_params_default(). */
typedef struct skm_describe_params {
    size_t top;               /* T: top skills overall and per role family / role; default 20,
                               * 1..1000 */
    size_t max_levels;        /* named levels per grouping, the rest pooled as "(other)";
                               * default 50, 1..1000000 */
    const char *by;           /* comma-separated groupings: categorical /postings columns, `remote`
                               * or `state`; default "role,role_family,seniority,work_mode,remote,
                               * country,state"; NULL or "": none */
    size_t block_rows;        /* rows read from the store per block; default 65536 */
    const char *command_line; /* recorded with the results; may be NULL */
} skm_describe_params;

SKM_API skm_describe_params skm_describe_params_default(void);

/* Describe the market of the store at store_path: postings, salary coverage, the annual salary's
 * mean and quantiles (p10, p25, median, p75, p90; finite salaries > 0 only) overall and per level
 * of each grouping, the top skills overall and per role family and role, and the postings and
 * top-skill shares per month; written under /describe of the results file out_path (atomically,
 * keeping its other groups). A grouping whose column the store lacks (a store older than schema
 * 1.4 has no seniority, role_family, work_mode) is skipped and listed. SKM_OK, SKM_EINVAL (bad
 * option, an unknown --by column, out_path is the store or not a results file), SKM_EFORMAT (not
 * a store, or a damaged one), SKM_ELIMIT, SKM_EHDF5, SKM_EIO, SKM_ENOMEM, SKM_EINTERRUPT. */
SKM_API int skm_describe(skm_ctx *ctx, const char *store_path, const char *out_path,
                         const skm_describe_params *params);

#ifdef __cplusplus
}
#endif

#endif /* SKILLMAT_H */
