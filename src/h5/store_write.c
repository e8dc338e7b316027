/*
 * store_write.c — the streaming writer of a skillmat store (contract: store_write.h; layout:
 * docs/hdf5-schema.md, schema 1.0).
 *
 * Layout written here
 *   /                 attrs format="skillmat", schema_version=int32[2], created (ISO 8601 UTC)
 *   /postings/<col>   1-D, one entry per posting, extensible (maxdims H5S_UNLIMITED), chunked,
 *                     shuffle + deflate + Fletcher-32; appended block by block by hyperslab
 *   /postings/<cat>_levels, /skills/..., /provenance/...   written once at finish (contiguous)
 *   /matrix/indptr    int64, n_rows + 1 global offsets: the leading 0 is written at open and each
 *                     block's local indptr (which starts at 0) is shifted by the running nnz
 *   /matrix/indices, /matrix/counts   int32, nnz entries, extensible like the posting columns
 *
 * Chunking. A chunk is decompressed whole on every read that touches it and, while being filled
 * by successive appends, has to stay in HDF5's per-dataset chunk cache (1 MiB by default) or it
 * is written, read back and recompressed at every append. So chunks are at most 512 KiB:
 * 64 Ki elements for the posting columns and indptr (one default ingest block of 65536 rows
 * fills exactly one chunk of each), 32 Ki elements for the vlen id column (16-byte heap
 * references in the file) and 128 Ki int32 elements for indices/counts (about 10 skills per
 * posting: one block spans ~5 chunks). A reader streaming blocks of a few thousand rows hits one
 * cached chunk per dataset for many consecutive blocks.
 *
 * Filters: shuffle (byte planes of small integers and dates compress far better), deflate at the
 * requested level (omitted at level 0), then Fletcher-32 over the stored bytes, so corruption
 * on disk fails the read instead of returning wrong numbers. All three are built into every HDF5
 * library, so h5py and h5dump read the file without plugins. The vlen /postings/id column gets
 * deflate only: HDF5 refuses Fletcher-32 on variable-length types.
 *
 * Atomicity (h5out.h). Everything goes to "<dir>/.<name>.tmp.<pid>" (created with H5F_ACC_EXCL);
 * finish closes it, fsyncs it, renames it over the final path and fsyncs the directory. Any
 * failure closes every handle and unlinks the temporary file, so the final path is never
 * half-written.
 *
 * Every append is validated (CSR structure, code ranges) before anything is written, and finish
 * checks the codes and column indices against the level tables and the vocabulary, so a bug
 * upstream cannot produce a store that violates the schema.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5out.h"
#include "h5util.h"
#include "store_write.h"

const char *const skm_cat_names[SKM_CAT_COUNT] = {
    "title",     "role",        "company",   "location",        "country",
    "seniority", "role_family", "work_mode", "salary_currency"};

/* What each categorical column holds, for the description attributes. */
static const char *const cat_nouns[SKM_CAT_COUNT] = {
    "job title",
    "role family as given in the input (e.g. 'Data Engineer')",
    "employer",
    "location",
    "country",
    "seniority read from the title (fixed levels, docs/extraction.md)",
    "role family read from the title (fixed levels, docs/extraction.md)",
    "work mode (onsite, hybrid, remote) read from the remote flag, title, location and text",
    "salary currency (ISO 4217) as the input names it"};

#define CHUNK_POSTINGS ((hsize_t)65536)
#define CHUNK_ID ((hsize_t)32768)
#define CHUNK_NNZ ((hsize_t)131072)

/* The posting columns: the categorical codes first (indexed by skm_cat), then the others. */
enum {
    PC_ID = SKM_CAT_COUNT,
    PC_DATE,
    PC_SMIN,
    PC_SMAX,
    PC_PERIOD,
    PC_SANNUAL,
    PC_REMOTE,
    PC_SFLAG,
    PC_SRCFILE,
    PC_SRCLINE,
    PC_COUNT
};

enum { K_I8, K_I32, K_I64, K_F64, K_STR };

typedef struct pcol_spec {
    const char *name;
    int kind;
    const char *description;
    const char *units; /* NULL: none */
} pcol_spec;

static const pcol_spec pcols[PC_COUNT] = {
    [PC_ID] = {"id", K_STR, "Posting identifier from the input (\"\" when missing)", NULL},
    [PC_DATE] = {"posted_date", K_I64,
                 "Posted date as seconds since the Unix epoch, UTC; INT64_MIN when missing "
                 "(NaT when viewed as numpy datetime64[s])",
                 "seconds since 1970-01-01T00:00:00Z"},
    [PC_SMIN] = {"salary_min", K_F64,
                 "Bottom of the salary range as given, in salary_period units; NaN when none",
                 "currency as given in the input, per salary_period"},
    [PC_SMAX] = {"salary_max", K_F64,
                 "Top of the salary range as given, in salary_period units; NaN when none",
                 "currency as given in the input, per salary_period"},
    [PC_PERIOD] = {"salary_period", K_I8,
                   "Pay period of salary_min/salary_max: 0 unknown, 1 hour, 2 day, 3 week, "
                   "4 month, 5 year",
                   NULL},
    [PC_SANNUAL] = {"salary_annual", K_F64,
                    "Annualised salary: the input's single salary figure, else the midpoint of "
                    "salary_min and salary_max, times the period factor (hour x hours_per_year, "
                    "day x hours_per_year/8, week x 52, month x 12, year x 1); NaN when unknown",
                    "currency as given in the input, per year"},
    [PC_REMOTE] = {"remote", K_I8, "Remote work: 1 yes, 0 no, -1 unknown", NULL},
    [PC_SFLAG] = {"salary_flag", K_I8,
                  "Salary check: 0 plausible or none, 1 annualised below the currency's plausible "
                  "range (e.g. an hourly figure read as annual), 2 above it, 3 a salary field "
                  "with digits that could not be read",
                  NULL},
    [PC_SRCFILE] = {"source_file", K_I32,
                    "Input file of the posting, as an index into /provenance/input_files", NULL},
    [PC_SRCLINE] = {"source_line", K_I64,
                    "1-based line of the input file where the posting's record starts", NULL},
};

struct skm_storew {
    skm_ctx *ctx;
    skm_h5_out out;  /* the file, its paths and the string type */
    int compression;
    int has_id;
    int failed;      /* status of a failed append: later calls refuse to go on */
    char created[32];
    hid_t g_postings, g_skills, g_matrix, g_prov, g_params;
    hid_t d_post[PC_COUNT];
    hid_t d_indptr, d_indices, d_counts;
    int has_matches;
    hid_t g_matches, d_match[5];
    int64_t n_matches;
    int64_t n_rows;
    int64_t nnz;
    /* Ranges seen so far, checked against the metadata at finish. */
    int32_t max_code[SKM_CAT_COUNT];
    int32_t max_index;
    int32_t max_source_file;
    /* Scratch reused across appends (grown to the largest block, never per posting). */
    int64_t *ip_scratch;
    size_t ip_cap;
    const char **str_scratch;
    size_t str_cap;
};

static hid_t file_type(int kind)
{
    switch (kind) {
    case K_I8: return H5T_STD_I8LE;
    case K_I32: return H5T_STD_I32LE;
    case K_I64: return H5T_STD_I64LE;
    default: return H5T_IEEE_F64LE;
    }
}

static hid_t mem_type(int kind)
{
    switch (kind) {
    case K_I8: return H5T_NATIVE_INT8;
    case K_I32: return H5T_NATIVE_INT32;
    case K_I64: return H5T_NATIVE_INT64;
    default: return H5T_NATIVE_DOUBLE;
    }
}

static int h5fail(skm_storew *w, const char *action, const char *path)
{
    return skm_h5_out_fail(&w->out, action, path);
}

static int describe(skm_storew *w, hid_t obj, const char *path, const char *desc,
                    const char *units)
{
    return skm_h5_describe(&w->out, obj, path, desc, units);
}

static int close_id(hid_t *id, herr_t (*fn)(hid_t))
{
    int ok = 1;
    if (*id >= 0)
        ok = fn(*id) >= 0;
    *id = -1;
    return ok;
}

/* Close every dataset and group (the file is w->out's). Returns 0 if any close failed (recorded
 * when `report`). */
static int close_all(skm_storew *w, int report)
{
    int ok = 1;
    for (int i = 0; i < PC_COUNT; ++i)
        ok &= close_id(&w->d_post[i], H5Dclose);
    ok &= close_id(&w->d_indptr, H5Dclose);
    ok &= close_id(&w->d_indices, H5Dclose);
    ok &= close_id(&w->d_counts, H5Dclose);
    for (int i = 0; i < 5; ++i)
        ok &= close_id(&w->d_match[i], H5Dclose);
    ok &= close_id(&w->g_matches, H5Gclose);
    ok &= close_id(&w->g_postings, H5Gclose);
    ok &= close_id(&w->g_skills, H5Gclose);
    ok &= close_id(&w->g_matrix, H5Gclose);
    ok &= close_id(&w->g_prov, H5Gclose);
    ok &= close_id(&w->g_params, H5Gclose);
    if (!ok && report)
        h5fail(w, "closing", "datasets and groups");
    return ok;
}

static void storew_free(skm_storew *w)
{
    free(w->ip_scratch);
    free(w->str_scratch);
    free(w);
}

int skm_posting_block_alloc(skm_posting_block *b, size_t cap, size_t cap_nnz, int with_id)
{
    memset(b, 0, sizeof *b);
    int ok = 1;
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        ok &= (b->cat[c] = skm_malloc_array(cap, sizeof(int32_t))) != NULL;
    if (with_id)
        ok &= (b->id = skm_malloc_array(cap, sizeof(char *))) != NULL;
    ok &= (b->posted_date = skm_malloc_array(cap, sizeof(int64_t))) != NULL;
    ok &= (b->salary_min = skm_malloc_array(cap, sizeof(double))) != NULL;
    ok &= (b->salary_max = skm_malloc_array(cap, sizeof(double))) != NULL;
    ok &= (b->salary_period = skm_malloc_array(cap, sizeof(int8_t))) != NULL;
    ok &= (b->salary_annual = skm_malloc_array(cap, sizeof(double))) != NULL;
    ok &= (b->remote = skm_malloc_array(cap, sizeof(int8_t))) != NULL;
    ok &= (b->salary_flag = skm_malloc_array(cap, sizeof(int8_t))) != NULL;
    ok &= (b->source_file = skm_malloc_array(cap, sizeof(int32_t))) != NULL;
    ok &= (b->source_line = skm_malloc_array(cap, sizeof(int64_t))) != NULL;
    ok &= (b->indptr = skm_malloc_array(cap + 1, sizeof(int64_t))) != NULL;
    ok &= (b->indices = skm_malloc_array(cap_nnz, sizeof(int32_t))) != NULL;
    ok &= (b->counts = skm_malloc_array(cap_nnz, sizeof(int32_t))) != NULL;
    if (!ok) {
        skm_posting_block_free(b);
        return SKM_ENOMEM;
    }
    b->indptr[0] = 0;
    return SKM_OK;
}

int skm_posting_block_reserve_nnz(skm_posting_block *b, size_t *cap_nnz, size_t need)
{
    if (need <= *cap_nnz)
        return SKM_OK;
    size_t cap = *cap_nnz * 2 > need ? *cap_nnz * 2 : need;
    int32_t *ix = skm_realloc_array(b->indices, cap, sizeof *ix);
    if (!ix)
        return SKM_ENOMEM;
    b->indices = ix;
    int32_t *ct = skm_realloc_array(b->counts, cap, sizeof *ct);
    if (!ct)
        return SKM_ENOMEM;
    b->counts = ct;
    *cap_nnz = cap;
    return SKM_OK;
}

void skm_posting_block_free(skm_posting_block *b)
{
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        free(b->cat[c]);
    free(b->id);
    free(b->posted_date);
    free(b->salary_min);
    free(b->salary_max);
    free(b->salary_period);
    free(b->salary_annual);
    free(b->remote);
    free(b->salary_flag);
    free(b->source_file);
    free(b->source_line);
    free(b->indptr);
    free(b->indices);
    free(b->counts);
    free(b->match_row);
    free(b->match_skill);
    free(b->match_field);
    free(b->match_offset);
    free(b->match_length);
    memset(b, 0, sizeof *b);
}

void skm_storew_abort(skm_storew *w)
{
    if (!w)
        return;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    close_all(w, 0);
    skm_h5_quiet_end(&q);
    skm_h5_out_abort(&w->out);
    storew_free(w);
}

/* An empty, extensible, chunked and filtered 1-D dataset. `fixed`: a fixed-size element type,
 * which gets shuffle and Fletcher-32; HDF5 refuses Fletcher-32 on variable-length types ("not
 * suitable for filters") and shuffling their heap references gains nothing, so a vlen dataset
 * gets deflate only. */
static int create_ext(skm_storew *w, hid_t loc, const char *name, const char *path, hid_t ftype,
                      hsize_t chunk, int fixed, hid_t *out)
{
    int rc = SKM_OK;
    hsize_t dim0 = 0, maxdim = H5S_UNLIMITED;
    hid_t sp = -1, dcpl = -1;
    if ((sp = H5Screate_simple(1, &dim0, &maxdim)) < 0 ||
        (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 || H5Pset_chunk(dcpl, 1, &chunk) < 0 ||
        (fixed && H5Pset_shuffle(dcpl) < 0) ||
        (w->compression > 0 && H5Pset_deflate(dcpl, (unsigned)w->compression) < 0) ||
        (fixed && H5Pset_fletcher32(dcpl) < 0) ||
        (*out = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0)
        rc = h5fail(w, "creating", path);
    skm_h5_close(dcpl);
    skm_h5_close(sp);
    return rc;
}

/* Append n elements of `buf` (memory type memtype) at offset `at` of an extensible dataset. */
static int append_1d(skm_storew *w, hid_t d, const char *path, hid_t memtype, hsize_t at,
                     hsize_t n, const void *buf)
{
    if (n == 0)
        return SKM_OK;
    int rc = SKM_OK;
    hsize_t size = at + n;
    hid_t fs = -1, ms = -1;
    if (H5Dset_extent(d, &size) < 0) {
        rc = h5fail(w, "extending", path);
    } else if ((fs = H5Dget_space(d)) < 0 ||
               H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &n, NULL) < 0 ||
               (ms = H5Screate_simple(1, &n, NULL)) < 0 ||
               H5Dwrite(d, memtype, ms, fs, H5P_DEFAULT, buf) < 0) {
        rc = h5fail(w, "writing", path);
    }
    skm_h5_close(ms);
    skm_h5_close(fs);
    return rc;
}

static int write_array(skm_storew *w, hid_t loc, const char *name, const char *path, hid_t ftype,
                       hid_t memtype, size_t n, size_t n_cols, const void *buf, const char *desc,
                       const char *units)
{
    return skm_h5_write_array(&w->out, loc, name, path, ftype, memtype, n, n_cols, buf, desc,
                              units);
}

static int write_fixed(skm_storew *w, hid_t loc, const char *name, const char *path, hid_t ftype,
                       hid_t memtype, size_t n, const void *buf, const char *desc,
                       const char *units)
{
    return write_array(w, loc, name, path, ftype, memtype, n, 0, buf, desc, units);
}

static int create_group(skm_storew *w, const char *path, const char *desc, hid_t *out)
{
    return skm_h5_create_group(&w->out, w->out.file, path, path, desc, out);
}

static int storew_open(skm_storew *w, const char *final_path, const skm_storew_params *params)
{
    int rc;
    if ((rc = skm_h5_out_create(w->ctx, final_path, &w->out)) != SKM_OK)
        return rc;

    /* Root attributes: identify the file before anything else. */
    skm_time_iso8601(w->created);
    int32_t version[2] = {SKM_SCHEMA_MAJOR, SKM_SCHEMA_MINOR};
    if ((rc = skm_h5_attr_str(w->ctx, w->out.final_path, w->out.file, "/", "format", "skillmat")) ||
        (rc = skm_h5_attr_num(w->ctx, w->out.final_path, w->out.file, "/", "schema_version",
                              H5T_STD_I32LE, H5T_NATIVE_INT32, 2, version)) ||
        (rc = skm_h5_attr_str(w->ctx, w->out.final_path, w->out.file, "/", "created", w->created)))
        return rc;

    if ((rc = create_group(w, "/postings", "One row per posting: the posting columns",
                           &w->g_postings)) ||
        (rc = create_group(w, "/skills", "The skill vocabulary: one entry per matrix column",
                           &w->g_skills)) ||
        (rc = create_group(w, "/matrix", "Posting x skill frequency matrix in CSR form",
                           &w->g_matrix)) ||
        (rc = create_group(w, "/provenance", "How this store was made: tool, build, inputs",
                           &w->g_prov)))
        return rc;
    /* No description here: every attribute of /parameters is an option. */
    if ((w->g_params = H5Gcreate2(w->out.file, "/parameters", H5P_DEFAULT, H5P_DEFAULT,
                                  H5P_DEFAULT)) < 0)
        return h5fail(w, "creating group", "/parameters");

    char path[96], desc[256];
    for (int c = 0; c < PC_COUNT; ++c) {
        if (c == PC_ID && !params->has_id)
            continue;
        const char *name = c < SKM_CAT_COUNT ? skm_cat_names[c] : pcols[c].name;
        snprintf(path, sizeof path, "/postings/%s", name);
        int kind = c < SKM_CAT_COUNT ? K_I32 : pcols[c].kind;
        hid_t ft = kind == K_STR ? w->out.t_str : file_type(kind);
        if ((rc = create_ext(w, w->g_postings, name, path, ft,
                             kind == K_STR ? CHUNK_ID : CHUNK_POSTINGS, kind != K_STR,
                             &w->d_post[c])))
            return rc;
        if (c < SKM_CAT_COUNT) {
            snprintf(desc, sizeof desc,
                     "Code of the posting's %s: index into /postings/%s_levels; -1 when missing",
                     cat_nouns[c], name);
            rc = describe(w, w->d_post[c], path, desc, NULL);
        } else {
            rc = describe(w, w->d_post[c], path, pcols[c].description, pcols[c].units);
        }
        if (rc)
            return rc;
    }

    if ((rc = create_ext(w, w->g_matrix, "indptr", "/matrix/indptr", H5T_STD_I64LE,
                         CHUNK_POSTINGS, 1, &w->d_indptr)) ||
        (rc = describe(w, w->d_indptr, "/matrix/indptr",
                       "CSR row pointers (n_rows + 1): row i's entries are "
                       "indices/counts[indptr[i]:indptr[i+1]]",
                       NULL)) ||
        (rc = create_ext(w, w->g_matrix, "indices", "/matrix/indices", H5T_STD_I32LE,
                         CHUNK_NNZ, 1, &w->d_indices)) ||
        (rc = describe(w, w->d_indices, "/matrix/indices",
                       "CSR column indices: skill ids (rows of /skills/*), strictly increasing "
                       "within a row",
                       NULL)) ||
        (rc = create_ext(w, w->g_matrix, "counts", "/matrix/counts", H5T_STD_I32LE, CHUNK_NNZ, 1,
                         &w->d_counts)) ||
        (rc = describe(w, w->d_counts, "/matrix/counts",
                       "How many times the posting lists the skill (>= 1)", "occurrences")))
        return rc;
    if (w->has_matches) {
        static const struct {
            const char *name;
            int kind;
            const char *desc;
            const char *units;
        } mc[5] = {
            {"posting", K_I64, "Row of /postings (and /matrix) of the posting the mention is in",
             NULL},
            {"skill", K_I32, "Skill of the mention: row of /skills/*", NULL},
            {"field", K_I8, "Text column the mention is in: index into /matches/field_names",
             NULL},
            {"offset", K_I64,
             "Byte offset of the mention in that field's text as read from the input (after CSV "
             "or JSON unquoting; HTML and entities count as they appear there)",
             "bytes"},
            {"length", K_I32, "Length of the mention in the field's text", "bytes"},
        };
        if ((rc = create_group(w, "/matches",
                               "Every skill mention found in description text, in posting order: "
                               "the audit trail of the extraction (ingest --matches)",
                               &w->g_matches)))
            return rc;
        for (int i = 0; i < 5; ++i) {
            snprintf(path, sizeof path, "/matches/%s", mc[i].name);
            if ((rc = create_ext(w, w->g_matches, mc[i].name, path, file_type(mc[i].kind),
                                 CHUNK_NNZ, 1, &w->d_match[i])) ||
                (rc = describe(w, w->d_match[i], path, mc[i].desc, mc[i].units)))
                return rc;
        }
    }
    /* The leading 0 of indptr: an empty store still has indptr = [0]. */
    int64_t zero = 0;
    return append_1d(w, w->d_indptr, "/matrix/indptr", H5T_NATIVE_INT64, 0, 1, &zero);
}

int skm_storew_open(skm_ctx *ctx, const char *final_path, const skm_storew_params *params,
                    skm_storew **out)
{
    *out = NULL;
    if (!final_path || !*final_path || !params)
        return skm_error(ctx, SKM_EINVAL, "store writer: no output path or parameters");
    if (params->compression < 0 || params->compression > 9)
        return skm_error(ctx, SKM_EINVAL, "%s: compression level %d is not in 0..9", final_path,
                         params->compression);
    skm_storew *w = calloc(1, sizeof *w);
    if (!w)
        return skm_error(ctx, SKM_ENOMEM, "%s: out of memory", final_path);
    w->ctx = ctx;
    w->compression = params->compression;
    w->has_id = params->has_id != 0;
    w->has_matches = params->has_matches != 0;
    w->g_matches = -1;
    for (int i = 0; i < 5; ++i)
        w->d_match[i] = -1;
    w->out.file = w->out.t_str = -1;
    w->g_postings = w->g_skills = w->g_matrix = w->g_prov = w->g_params = -1;
    for (int i = 0; i < PC_COUNT; ++i)
        w->d_post[i] = -1;
    w->d_indptr = w->d_indices = w->d_counts = -1;
    w->max_index = -1;
    w->max_source_file = -1;
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        w->max_code[c] = -1;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    int rc = storew_open(w, final_path, params);
    skm_h5_quiet_end(&q);
    if (rc != SKM_OK) {
        skm_storew_abort(w);
        return rc;
    }
    *out = w;
    return SKM_OK;
}

/* Reject a block that would break the schema, before anything of it is written. */
static int check_block(skm_storew *w, const skm_posting_block *b)
{
    const char *f = w->out.final_path;
    int64_t row = w->n_rows;
    if (!b->indptr || b->indptr[0] != 0)
        return skm_error(w->ctx, SKM_EINVAL, "%s: block at row %lld: indptr must start at 0", f,
                         (long long)row);
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        if (!b->cat[c])
            return skm_error(w->ctx, SKM_EINVAL, "%s: block at row %lld: no %s column", f,
                             (long long)row, skm_cat_names[c]);
    if (!b->posted_date || !b->salary_min || !b->salary_max || !b->salary_period ||
        !b->salary_annual || !b->remote || !b->salary_flag || !b->source_file ||
        !b->source_line ||
        (w->has_id && !b->id))
        return skm_error(w->ctx, SKM_EINVAL, "%s: block at row %lld: a posting column is missing",
                         f, (long long)row);
    for (size_t i = 0; i < b->n; ++i) {
        long long r = (long long)(row + (int64_t)i);
        for (int c = 0; c < SKM_CAT_COUNT; ++c) {
            int32_t v = b->cat[c][i];
            if (v < -1)
                return skm_error(w->ctx, SKM_EINVAL, "%s: row %lld: %s code %d is negative", f, r,
                                 skm_cat_names[c], (int)v);
            if (v > w->max_code[c])
                w->max_code[c] = v;
        }
        if (b->salary_period[i] < SKM_PERIOD_UNKNOWN || b->salary_period[i] > SKM_PERIOD_YEAR)
            return skm_error(w->ctx, SKM_EINVAL, "%s: row %lld: salary period %d out of range", f,
                             r, (int)b->salary_period[i]);
        if (b->salary_flag[i] < 0 || b->salary_flag[i] >= SKM_SALARY_FLAG_COUNT)
            return skm_error(w->ctx, SKM_EINVAL, "%s: row %lld: salary flag %d out of range", f,
                             r, (int)b->salary_flag[i]);
        if (b->remote[i] < -1 || b->remote[i] > 1)
            return skm_error(w->ctx, SKM_EINVAL, "%s: row %lld: remote flag %d out of range", f, r,
                             (int)b->remote[i]);
        if (b->source_file[i] < 0)
            return skm_error(w->ctx, SKM_EINVAL, "%s: row %lld: negative source file index", f, r);
        if (b->source_file[i] > w->max_source_file)
            w->max_source_file = b->source_file[i];
        int64_t k0 = b->indptr[i], k1 = b->indptr[i + 1];
        if (k1 < k0)
            return skm_error(w->ctx, SKM_EINVAL, "%s: row %lld: indptr decreases", f, r);
        for (int64_t k = k0; k < k1; ++k) {
            if (b->indices[k] < 0 || (k > k0 && b->indices[k] <= b->indices[k - 1]))
                return skm_error(w->ctx, SKM_EINVAL,
                                 "%s: row %lld: skill indices must be non-negative and strictly "
                                 "increasing",
                                 f, r);
            if (b->counts[k] < 1)
                return skm_error(w->ctx, SKM_EINVAL, "%s: row %lld: a count is below 1", f, r);
            if (b->indices[k] > w->max_index)
                w->max_index = b->indices[k];
        }
    }
    if (b->indptr[b->n] > 0 && (!b->indices || !b->counts))
        return skm_error(w->ctx, SKM_EINVAL, "%s: block at row %lld: no indices or counts", f,
                         (long long)row);
    if (b->indptr[b->n] > INT64_MAX - w->nnz)
        return skm_error(w->ctx, SKM_ELIMIT, "%s: too many non-zeros", f);
    return SKM_OK;
}

static int storew_append(skm_storew *w, const skm_posting_block *b)
{
    int rc = check_block(w, b);
    if (rc != SKM_OK || b->n == 0)
        return rc;
    size_t n = b->n;
    hsize_t at = (hsize_t)w->n_rows;
    char path[96];
    for (int c = 0; c < PC_COUNT; ++c) {
        const void *data;
        hid_t mt;
        if (c < SKM_CAT_COUNT) {
            data = b->cat[c];
            mt = H5T_NATIVE_INT32;
        } else if (c == PC_ID) {
            if (!w->has_id)
                continue;
            if (n > w->str_cap) {
                const char **p = skm_realloc_array(w->str_scratch, n, sizeof *p);
                if (!p)
                    return skm_error(w->ctx, SKM_ENOMEM, "%s: out of memory", w->out.final_path);
                w->str_scratch = p;
                w->str_cap = n;
            }
            for (size_t i = 0; i < n; ++i)
                w->str_scratch[i] = b->id[i] ? b->id[i] : "";
            data = w->str_scratch;
            mt = w->out.t_str;
        } else {
            mt = mem_type(pcols[c].kind);
            switch (c) {
            case PC_DATE: data = b->posted_date; break;
            case PC_SMIN: data = b->salary_min; break;
            case PC_SMAX: data = b->salary_max; break;
            case PC_PERIOD: data = b->salary_period; break;
            case PC_SANNUAL: data = b->salary_annual; break;
            case PC_REMOTE: data = b->remote; break;
            case PC_SFLAG: data = b->salary_flag; break;
            case PC_SRCFILE: data = b->source_file; break;
            default: data = b->source_line; break;
            }
        }
        snprintf(path, sizeof path, "/postings/%s",
                 c < SKM_CAT_COUNT ? skm_cat_names[c] : pcols[c].name);
        if ((rc = append_1d(w, w->d_post[c], path, mt, at, n, data)) != SKM_OK)
            return rc;
    }

    /* Global row pointers for rows at+1 .. at+n: the block's local offsets shifted by the
     * entries already written. */
    if (n > w->ip_cap) {
        int64_t *p = skm_realloc_array(w->ip_scratch, n, sizeof *p);
        if (!p)
            return skm_error(w->ctx, SKM_ENOMEM, "%s: out of memory", w->out.final_path);
        w->ip_scratch = p;
        w->ip_cap = n;
    }
    for (size_t i = 0; i < n; ++i)
        w->ip_scratch[i] = w->nnz + b->indptr[i + 1];
    hsize_t nnz_b = (hsize_t)b->indptr[n];
    if ((rc = append_1d(w, w->d_indptr, "/matrix/indptr", H5T_NATIVE_INT64, at + 1, n,
                        w->ip_scratch)) ||
        (rc = append_1d(w, w->d_indices, "/matrix/indices", H5T_NATIVE_INT32, (hsize_t)w->nnz,
                        nnz_b, b->indices)) ||
        (rc = append_1d(w, w->d_counts, "/matrix/counts", H5T_NATIVE_INT32, (hsize_t)w->nnz,
                        nnz_b, b->counts)))
        return rc;
    if (w->has_matches && b->n_matches) {
        const size_t nm = b->n_matches;
        int64_t *rows = skm_malloc_array(nm, sizeof *rows);
        if (!rows)
            return skm_error(w->ctx, SKM_ENOMEM, "%s: out of memory", w->out.final_path);
        for (size_t i = 0; i < nm; ++i)
            rows[i] = w->n_rows + b->match_row[i];
        const hsize_t mat = (hsize_t)w->n_matches;
        rc = append_1d(w, w->d_match[0], "/matches/posting", H5T_NATIVE_INT64, mat, nm, rows);
        free(rows);
        if (rc || (rc = append_1d(w, w->d_match[1], "/matches/skill", H5T_NATIVE_INT32, mat, nm,
                                  b->match_skill)) ||
            (rc = append_1d(w, w->d_match[2], "/matches/field", H5T_NATIVE_INT8, mat, nm,
                            b->match_field)) ||
            (rc = append_1d(w, w->d_match[3], "/matches/offset", H5T_NATIVE_INT64, mat, nm,
                            b->match_offset)) ||
            (rc = append_1d(w, w->d_match[4], "/matches/length", H5T_NATIVE_INT32, mat, nm,
                            b->match_length)))
            return rc;
        w->n_matches += (int64_t)nm;
    }
    w->n_rows += (int64_t)n;
    w->nnz += (int64_t)nnz_b;
    return SKM_OK;
}

int skm_storew_append(skm_storew *w, const skm_posting_block *b)
{
    if (!w || !b)
        return SKM_EINVAL;
    if (w->failed) /* the context still holds the message of the first failure */
        return w->failed;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    int rc = storew_append(w, b);
    skm_h5_quiet_end(&q);
    if (rc != SKM_OK)
        w->failed = rc;
    return rc;
}

/* ---- finish ---------------------------------------------------------------------------- */

static int check_meta(skm_storew *w, const skm_store_meta *m)
{
    const char *f = w->out.final_path;
    for (int c = 0; c < SKM_CAT_COUNT; ++c) {
        if (m->n_levels[c] > 0 && !m->levels[c])
            return skm_error(w->ctx, SKM_EINVAL, "%s: no %s levels", f, skm_cat_names[c]);
        if (w->max_code[c] >= 0 && (size_t)w->max_code[c] >= m->n_levels[c])
            return skm_error(w->ctx, SKM_EINVAL, "%s: %s code %d but only %zu levels", f,
                             skm_cat_names[c], (int)w->max_code[c], m->n_levels[c]);
    }
    if (m->n_skills > (size_t)INT32_MAX)
        return skm_error(w->ctx, SKM_ELIMIT, "%s: %zu skills exceed the int32 column index", f,
                         m->n_skills);
    if (m->n_skills > 0 && (!m->skill_names || !m->skill_doc_freq))
        return skm_error(w->ctx, SKM_EINVAL, "%s: no skill names or document frequencies", f);
    if (w->max_index >= 0 && (size_t)w->max_index >= m->n_skills)
        return skm_error(w->ctx, SKM_EINVAL, "%s: skill index %d but only %zu skills", f,
                         (int)w->max_index, m->n_skills);
    if (m->n_inputs > 0 && (!m->input_paths || !m->input_sha256 || !m->input_format ||
                            !m->input_bytes || !m->input_records || !m->input_skipped))
        return skm_error(w->ctx, SKM_EINVAL, "%s: incomplete input provenance", f);
    if (w->max_source_file >= 0 && (size_t)w->max_source_file >= m->n_inputs)
        return skm_error(w->ctx, SKM_EINVAL, "%s: source file %d but only %zu inputs", f,
                         (int)w->max_source_file, m->n_inputs);
    if (m->n_params > 0 && (!m->param_keys || !m->param_values))
        return skm_error(w->ctx, SKM_EINVAL, "%s: incomplete parameters", f);
    for (size_t i = 0; i < m->n_params; ++i)
        if (!m->param_keys[i] || !*m->param_keys[i])
            return skm_error(w->ctx, SKM_EINVAL, "%s: parameter %zu has no name", f, i);
    if (!(m->hours_per_year > 0) || !isfinite(m->hours_per_year))
        return skm_error(w->ctx, SKM_EINVAL, "%s: hours_per_year must be positive", f);
    return SKM_OK;
}

/* uint64 counts stored as int64 (numpy-friendly); real counts never reach 2^63. */
static int write_u64_as_i64(skm_storew *w, const char *name, const char *path, size_t n,
                            const uint64_t *v, const char *desc, const char *units)
{
    int64_t *tmp = skm_calloc_array(n, sizeof *tmp);
    if (!tmp)
        return skm_error(w->ctx, SKM_ENOMEM, "%s: out of memory", w->out.final_path);
    for (size_t i = 0; v && i < n; ++i)
        tmp[i] = v[i] > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v[i];
    int rc = write_fixed(w, w->g_prov, name, path, H5T_STD_I64LE, H5T_NATIVE_INT64, n, tmp, desc,
                         units);
    free(tmp);
    return rc;
}

static int write_meta(skm_storew *w, const skm_store_meta *m)
{
    int rc;
    const char *f = w->out.final_path;
    char path[96], name[64], desc[256];

    for (int c = 0; c < SKM_CAT_COUNT; ++c) {
        snprintf(name, sizeof name, "%s_levels", skm_cat_names[c]);
        snprintf(path, sizeof path, "/postings/%s", name);
        snprintf(desc, sizeof desc,
                 "Distinct values of the %s in first-seen order; /postings/%s holds indices "
                 "into this table",
                 cat_nouns[c], skm_cat_names[c]);
        if ((rc = write_fixed(w, w->g_postings, name, path, w->out.t_str, w->out.t_str, m->n_levels[c],
                              m->levels[c], desc, NULL)))
            return rc;
    }
    if ((rc = skm_h5_attr_num(w->ctx, f, w->d_post[PC_SANNUAL], "/postings/salary_annual",
                              "hours_per_year", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0,
                              &m->hours_per_year)))
        return rc;

    int64_t n_cols = (int64_t)m->n_skills;
    if ((rc = skm_h5_attr_num(w->ctx, f, w->g_matrix, "/matrix", "n_rows", H5T_STD_I64LE,
                              H5T_NATIVE_INT64, 0, &w->n_rows)) ||
        (rc = skm_h5_attr_num(w->ctx, f, w->g_matrix, "/matrix", "n_cols", H5T_STD_I64LE,
                              H5T_NATIVE_INT64, 0, &n_cols)) ||
        (rc = skm_h5_attr_num(w->ctx, f, w->g_matrix, "/matrix", "nnz", H5T_STD_I64LE,
                              H5T_NATIVE_INT64, 0, &w->nnz)) ||
        (rc = skm_h5_attr_str(w->ctx, f, w->g_matrix, "/matrix", "format", "csr")))
        return rc;

    if ((rc = write_fixed(w, w->g_skills, "name", "/skills/name", w->out.t_str, w->out.t_str, m->n_skills,
                          m->skill_names,
                          "Canonical (normalised) skill name of each matrix column, in "
                          "first-seen order",
                          NULL)) ||
        (rc = write_fixed(w, w->g_skills, "category", "/skills/category", w->out.t_str, w->out.t_str,
                          m->n_skills, m->skill_categories,
                          "Category of each skill from the taxonomy; \"\" when none", NULL)) ||
        (rc = write_fixed(w, w->g_skills, "doc_freq", "/skills/doc_freq", H5T_STD_I64LE,
                          H5T_NATIVE_INT64, m->n_skills, m->skill_doc_freq,
                          "Document frequency: postings that list the skill at least once",
                          "postings")))
        return rc;

    /* Provenance attributes: the build and the run. */
    if ((rc = skm_h5_attr_build(w->ctx, f, w->g_prov, "/provenance")) ||
        (rc = skm_h5_attr_str(w->ctx, f, w->g_prov, "/provenance", "command_line",
                              m->command_line)) ||
        (rc = skm_h5_attr_str(w->ctx, f, w->g_prov, "/provenance", "created", w->created)))
        return rc;
    if ((rc = skm_h5_attr_num(w->ctx, f, w->g_prov, "/provenance", "hours_per_year",
                              H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &m->hours_per_year)))
        return rc;

    size_t ni = m->n_inputs;
    if ((rc = write_fixed(w, w->g_prov, "input_files", "/provenance/input_files", w->out.t_str,
                          w->out.t_str, ni, m->input_paths,
                          "Input files in the order read, as given on the command line", NULL)) ||
        (rc = write_fixed(w, w->g_prov, "input_sha256", "/provenance/input_sha256", w->out.t_str,
                          w->out.t_str, ni, m->input_sha256,
                          "SHA-256 of each input file as stored (lower-case hex)", NULL)) ||
        (rc = write_fixed(w, w->g_prov, "input_format", "/provenance/input_format", w->out.t_str,
                          w->out.t_str, ni, m->input_format,
                          "Format of each input: csv or jsonl, with +gzip when compressed",
                          NULL)) ||
        (rc = write_u64_as_i64(w, "input_bytes", "/provenance/input_bytes", ni, m->input_bytes,
                               "Size of each input file as stored (compressed if gzip)",
                               "bytes")) ||
        (rc = write_u64_as_i64(w, "input_records", "/provenance/input_records", ni,
                               m->input_records,
                               "Data records read from each input (header excluded)",
                               "records")) ||
        (rc = write_u64_as_i64(w, "input_skipped", "/provenance/input_skipped", ni,
                               m->input_skipped, "Records of each input skipped as malformed",
                               "records")))
        return rc;

    const char *roles[SKM_COL_COUNT];
    for (int i = 0; i < SKM_COL_COUNT; ++i)
        roles[i] = skm_col_name(i);
    if ((rc = write_fixed(w, w->g_prov, "column_roles", "/provenance/column_roles", w->out.t_str,
                          w->out.t_str, SKM_COL_COUNT, roles,
                          "Names of the column roles, indexing the columns of input_columns",
                          NULL)) ||
        (rc = write_array(w, w->g_prov, "input_columns", "/provenance/input_columns", w->out.t_str,
                          w->out.t_str, ni, SKM_COL_COUNT, m->input_columns,
                          "Input column (header name or JSON key) used for each role in each "
                          "input file; \"\" when the role had no column",
                          NULL)))
        return rc;

    const char *reasons[SKM_SKIP_COUNT];
    for (int i = 0; i < SKM_SKIP_COUNT; ++i) {
        reasons[i] = skm_skip_name(i);
        if (!reasons[i])
            reasons[i] = "unknown";
    }
    if ((rc = write_fixed(w, w->g_prov, "skipped_reason", "/provenance/skipped_reason", w->out.t_str,
                          w->out.t_str, SKM_SKIP_COUNT, reasons,
                          "Names of the skip reasons, indexed like skipped_count", NULL)) ||
        (rc = write_u64_as_i64(w, "skipped_count", "/provenance/skipped_count", SKM_SKIP_COUNT,
                               m->skipped_by_reason,
                               "Records skipped for each reason in skipped_reason, all inputs",
                               "records")))
        return rc;

    /* text extraction */
    const struct {
        const char *key, *value;
    } tax[] = {
        {"taxonomy_name", m->taxonomy_name},     {"taxonomy_version", m->taxonomy_version},
        {"taxonomy_sha256", m->taxonomy_sha256}, {"taxonomy_origin", m->taxonomy_origin},
    };
    for (size_t i = 0; i < sizeof tax / sizeof tax[0]; ++i)
        if ((rc = skm_h5_attr_str(w->ctx, f, w->g_prov, "/provenance", tax[i].key,
                                  tax[i].value ? tax[i].value : "")))
            return rc;
    const int64_t from_text = (int64_t)m->salary_from_text, mentions = (int64_t)m->skill_mentions;
    static const char *const flag_names[SKM_SALARY_FLAG_COUNT] = {"none", "low", "high",
                                                                 "unparsed"};
    uint64_t zeros[SKM_SALARY_FLAG_COUNT] = {0};
    if ((rc = skm_h5_attr_num(w->ctx, f, w->g_prov, "/provenance", "salary_from_text",
                              H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &from_text)) ||
        (rc = skm_h5_attr_num(w->ctx, f, w->g_prov, "/provenance", "skill_mentions",
                              H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &mentions)) ||
        (rc = write_fixed(w, w->g_prov, "salary_flag_name", "/provenance/salary_flag_name",
                          w->out.t_str, w->out.t_str, SKM_SALARY_FLAG_COUNT, flag_names,
                          "Names of the values of /postings/salary_flag, indexing "
                          "salary_flag_count",
                          NULL)) ||
        (rc = write_u64_as_i64(w, "salary_flag_count", "/provenance/salary_flag_count",
                               SKM_SALARY_FLAG_COUNT,
                               m->salary_flag_count ? m->salary_flag_count : zeros,
                               "Postings with each value of /postings/salary_flag", "postings")))
        return rc;
    if (w->has_matches &&
        (rc = write_fixed(w, w->g_matches, "field_names", "/matches/field_names", w->out.t_str,
                          w->out.t_str, m->n_text_fields, m->text_fields,
                          "The text columns, indexed by /matches/field (as named in the first "
                          "input)",
                          NULL)))
        return rc;

    for (size_t i = 0; i < m->n_params; ++i)
        if ((rc = skm_h5_attr_str(w->ctx, f, w->g_params, "/parameters", m->param_keys[i],
                                  m->param_values[i])))
            return rc;
    return SKM_OK;
}

static int storew_finish(skm_storew *w, const skm_store_meta *m)
{
    int rc;
    if ((rc = check_meta(w, m)) || (rc = write_meta(w, m)))
        return rc;
    if (!close_all(w, 1))
        return skm_ctx_errcode(w->ctx) ? skm_ctx_errcode(w->ctx) : SKM_EHDF5;
    return skm_h5_out_commit(&w->out);
}

int skm_storew_finish(skm_storew *w, const skm_store_meta *meta)
{
    if (!w)
        return SKM_EINVAL;
    int rc = w->failed; /* a failed append: its message is still in the context */
    if (rc != SKM_OK) {
        /* nothing more to do than clean up */
    } else if (!meta) {
        rc = skm_error(w->ctx, SKM_EINVAL, "%s: no store metadata", w->out.final_path);
    } else {
        skm_h5_quiet q;
        skm_h5_quiet_begin(&q);
        rc = storew_finish(w, meta);
        skm_h5_quiet_end(&q);
    }
    skm_storew_abort(w); /* closes what is left, unlinks the temp file unless renamed, frees */
    return rc;
}
