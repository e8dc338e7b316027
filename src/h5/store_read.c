/*
 * store_read.c — the public store reader (skillmat.h; layout: docs/hdf5-schema.md).
 *
 * skm_store_open checks the root attributes (format = "skillmat", schema major version), the
 * matrix attributes and dataset extents (indptr has n_rows + 1 entries, indices and counts nnz,
 * indptr[0] == 0, indptr[n_rows] == nnz), and loads the skill vocabulary: O(n_cols) memory and
 * nothing per posting. The matrix datasets stay open; posting columns are opened on first use
 * and cached.
 *
 * A store is an input file and may be damaged or hostile: every value read from it that is
 * later used as an offset or an index (indptr, indices) is validated before use, and a violation
 * is SKM_EFORMAT naming the file and the HDF5 path, never a crash. Fletcher-32 checksum failures
 * surface from H5Dread as SKM_EHDF5.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5util.h"

typedef struct col_handle {
    char *name;
    hid_t d;
} col_handle;

/* A table of n strings: s[i] points into buf. */
typedef struct strtab {
    char *buf;
    const char **s;
} strtab;

struct skm_store {
    skm_ctx *ctx;
    char *path;
    hid_t file;
    hid_t g_postings;
    hid_t d_indptr, d_indices, d_counts;
    int64_t n_rows, n_cols, nnz;
    strtab names, cats;
    int64_t *doc_freq;
    col_handle *cols;
    size_t n_cols_open, cap_cols_open;
};

static int fmt_err(skm_store *st, const char *objpath, const char *what)
{
    return skm_error(st->ctx, SKM_EFORMAT, "%s: %s: %s", st->path, objpath, what);
}

static int h5err(skm_store *st, const char *action, const char *objpath)
{
    return skm_h5_fail(st->ctx, SKM_EHDF5, st->path, action, objpath);
}

void skm_store_close(skm_store *st)
{
    if (!st)
        return;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    for (size_t i = 0; i < st->n_cols_open; ++i) {
        skm_h5_close(st->cols[i].d);
        free(st->cols[i].name);
    }
    skm_h5_close(st->d_indptr);
    skm_h5_close(st->d_indices);
    skm_h5_close(st->d_counts);
    skm_h5_close(st->g_postings);
    skm_h5_close(st->file);
    skm_h5_quiet_end(&q);
    free(st->cols);
    free(st->names.buf);
    free(st->names.s);
    free(st->cats.buf);
    free(st->cats.s);
    free(st->doc_freq);
    free(st->path);
    free(st);
}

/* Read a scalar integer attribute of `obj` as int64. */
static int read_i64_attr(skm_store *st, hid_t obj, const char *objpath, const char *name,
                         int64_t *out)
{
    char what[128];
    snprintf(what, sizeof what, "attribute '%s' is missing or not a single integer", name);
    htri_t ex = H5Aexists(obj, name);
    if (ex < 0)
        return h5err(st, "looking up attributes of", objpath);
    if (ex == 0)
        return fmt_err(st, objpath, what);
    int rc = SKM_OK;
    hid_t a = -1, t = -1, sp = -1;
    if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 ||
        (sp = H5Aget_space(a)) < 0) {
        rc = h5err(st, "opening an attribute of", objpath);
    } else if (H5Tget_class(t) != H5T_INTEGER || H5Sget_simple_extent_npoints(sp) != 1) {
        rc = fmt_err(st, objpath, what);
    } else if (H5Aread(a, H5T_NATIVE_INT64, out) < 0) {
        rc = h5err(st, "reading an attribute of", objpath);
    }
    skm_h5_close(sp);
    skm_h5_close(t);
    skm_h5_close(a);
    return rc;
}

/* Open a 1-D dataset, check its type class and length (expect < 0: any length). */
static int open_1d(skm_store *st, hid_t loc, const char *name, const char *objpath,
                   H5T_class_t cls, int64_t expect, hid_t *out, int64_t *len)
{
    *out = -1;
    htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);
    if (ex < 0)
        return h5err(st, "looking up", objpath);
    if (ex == 0)
        return fmt_err(st, objpath, "missing");
    int rc = SKM_OK;
    hid_t d = -1, t = -1, sp = -1;
    if ((d = H5Dopen2(loc, name, H5P_DEFAULT)) < 0 || (t = H5Dget_type(d)) < 0 ||
        (sp = H5Dget_space(d)) < 0) {
        rc = h5err(st, "opening", objpath);
        goto done;
    }
    hsize_t dim = 0;
    if (H5Tget_class(t) != cls) {
        rc = fmt_err(st, objpath, cls == H5T_STRING    ? "not a string dataset"
                                  : cls == H5T_INTEGER ? "not an integer dataset"
                                                       : "unexpected datatype");
        goto done;
    }
    if (H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, &dim, NULL) != 1) {
        rc = fmt_err(st, objpath, "not one-dimensional");
        goto done;
    }
    if (dim > (hsize_t)INT64_MAX || (expect >= 0 && (int64_t)dim != expect)) {
        char what[128];
        snprintf(what, sizeof what, "has %llu entries, expected %lld", (unsigned long long)dim,
                 (long long)expect);
        rc = fmt_err(st, objpath, what);
        goto done;
    }
    if (len)
        *len = (int64_t)dim;
    *out = d;
    d = -1;
done:
    skm_h5_close(sp);
    skm_h5_close(t);
    skm_h5_close(d);
    return rc;
}

/* Read elements [off, off + n) of a 1-D dataset into buf as memory type mt. */
static int read_range(skm_store *st, hid_t d, const char *objpath, hid_t mt, hsize_t off,
                      hsize_t n, void *buf)
{
    if (n == 0)
        return SKM_OK;
    int rc = SKM_OK;
    hid_t fs = -1, ms = -1;
    if ((fs = H5Dget_space(d)) < 0 ||
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &n, NULL) < 0 ||
        (ms = H5Screate_simple(1, &n, NULL)) < 0 || H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf) < 0)
        rc = h5err(st, "reading", objpath);
    skm_h5_close(ms);
    skm_h5_close(fs);
    return rc;
}

/* Load a 1-D string dataset of n entries (variable or fixed length) into tab. */
static int load_strings(skm_store *st, hid_t loc, const char *name, const char *objpath,
                        int64_t n, strtab *tab)
{
    hid_t d = -1, ft = -1, mt = -1, sp = -1;
    int rc = open_1d(st, loc, name, objpath, H5T_STRING, n, &d, NULL);
    if (rc != SKM_OK)
        return rc;
    size_t nn = (size_t)n;
    tab->s = skm_malloc_array(nn ? nn : 1, sizeof *tab->s);
    if (!tab->s) {
        rc = skm_error(st->ctx, SKM_ENOMEM, "%s: out of memory reading %s", st->path, objpath);
        goto done;
    }
    if ((ft = H5Dget_type(d)) < 0 || (sp = H5Dget_space(d)) < 0) {
        rc = h5err(st, "reading", objpath);
        goto done;
    }
    htri_t var = H5Tis_variable_str(ft);
    if (var < 0) {
        rc = h5err(st, "reading", objpath);
        goto done;
    }
    if (var) { /* the shared reader (h5util.c): pointers and strings in one block */
        char **block = NULL;
        size_t got = 0;
        free(tab->s);
        rc = skm_h5_read_strings(st->ctx, st->path, st->file, objpath, n, &block, &got);
        tab->s = (const char **)block;
    } else {
        size_t sz = H5Tget_size(ft), stride;
        if (sz == 0 || __builtin_add_overflow(sz, 1, &stride) ||
            !(tab->buf = skm_malloc_array(nn ? nn : 1, stride))) {
            rc = skm_error(st->ctx, SKM_ENOMEM, "%s: out of memory reading %s", st->path, objpath);
            goto done;
        }
        /* One extra byte per string: a NULLPAD string may fill all sz bytes. */
        if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, stride) < 0 ||
            (nn > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, tab->buf) < 0)) {
            rc = h5err(st, "reading", objpath);
            goto done;
        }
        for (size_t i = 0; i < nn; ++i) {
            tab->buf[i * stride + sz] = '\0';
            tab->s[i] = tab->buf + i * stride;
        }
    }
done:
    skm_h5_close(mt);
    skm_h5_close(sp);
    skm_h5_close(ft);
    skm_h5_close(d);
    return rc;
}

static int check_root(skm_store *st)
{
    char *fmt = NULL;
    int rc = skm_h5_attr_read_str(st->ctx, st->path, st->file, "/", "format", &fmt);
    if (rc == SKM_ENOTFOUND)
        return skm_error(st->ctx, SKM_EFORMAT, "%s: not a skillmat store (no 'format' attribute)",
                         st->path);
    if (rc != SKM_OK)
        return rc;
    if (strcmp(fmt, "skillmat") != 0) {
        rc = skm_error(st->ctx, SKM_EFORMAT, "%s: not a skillmat store (format is '%.64s')",
                       st->path, fmt);
        free(fmt);
        return rc;
    }
    free(fmt);

    htri_t ex = H5Aexists(st->file, "schema_version");
    if (ex < 0)
        return h5err(st, "looking up attributes of", "/");
    if (ex == 0)
        return skm_error(st->ctx, SKM_EFORMAT, "%s: no 'schema_version' attribute", st->path);
    hid_t a = -1, t = -1, sp = -1;
    int version[2] = {0, 0};
    if ((a = H5Aopen(st->file, "schema_version", H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 ||
        (sp = H5Aget_space(a)) < 0) {
        rc = h5err(st, "opening attribute schema_version of", "/");
    } else if (H5Tget_class(t) != H5T_INTEGER || H5Sget_simple_extent_npoints(sp) != 2) {
        rc = skm_error(st->ctx, SKM_EFORMAT,
                       "%s: attribute 'schema_version' is not a pair of integers", st->path);
    } else if (H5Aread(a, H5T_NATIVE_INT, version) < 0) {
        rc = h5err(st, "reading attribute schema_version of", "/");
    } else if (version[0] != SKM_SCHEMA_MAJOR) {
        rc = skm_error(st->ctx, SKM_EFORMAT,
                       "%s: schema %d.%d is %s than this skillmat (reads %d.x)", st->path,
                       version[0], version[1], version[0] > SKM_SCHEMA_MAJOR ? "newer" : "older",
                       SKM_SCHEMA_MAJOR);
    }
    skm_h5_close(sp);
    skm_h5_close(t);
    skm_h5_close(a);
    return rc;
}

static int store_open(skm_store *st)
{
    int rc;
    struct stat sb;
    if (stat(st->path, &sb) != 0)
        return skm_error(st->ctx, SKM_EIO, "%s: cannot open: %s", st->path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return skm_error(st->ctx, SKM_EIO, "%s: is a directory", st->path);
    int fd = open(st->path, O_RDONLY);
    if (fd < 0)
        return skm_error(st->ctx, SKM_EIO, "%s: cannot open: %s", st->path, strerror(errno));
    close(fd);
    htri_t is = H5Fis_hdf5(st->path);
    if (is < 0)
        return skm_h5_fail(st->ctx, SKM_EIO, st->path, "checking", "the file signature");
    if (is == 0)
        return skm_error(st->ctx, SKM_EFORMAT, "%s: not an HDF5 file", st->path);
    if ((st->file = H5Fopen(st->path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return skm_h5_fail(st->ctx, SKM_EIO, st->path, "opening", "the file");
    if ((rc = check_root(st)))
        return rc;

    hid_t gm = -1;
    htri_t ex = H5Lexists(st->file, "matrix", H5P_DEFAULT);
    if (ex <= 0)
        return ex < 0 ? h5err(st, "looking up", "/matrix") : fmt_err(st, "/matrix", "missing");
    if ((gm = H5Gopen2(st->file, "matrix", H5P_DEFAULT)) < 0)
        return h5err(st, "opening", "/matrix");
    if ((rc = read_i64_attr(st, gm, "/matrix", "n_rows", &st->n_rows)) ||
        (rc = read_i64_attr(st, gm, "/matrix", "n_cols", &st->n_cols)) ||
        (rc = read_i64_attr(st, gm, "/matrix", "nnz", &st->nnz))) {
        H5Gclose(gm);
        return rc;
    }
    if (st->n_rows < 0 || st->n_cols < 0 || st->nnz < 0 || st->n_rows == INT64_MAX ||
        st->n_cols > (int64_t)INT32_MAX + 1) {
        H5Gclose(gm);
        return fmt_err(st, "/matrix", "n_rows, n_cols or nnz out of range");
    }
    if ((rc = open_1d(st, gm, "indptr", "/matrix/indptr", H5T_INTEGER, st->n_rows + 1,
                      &st->d_indptr, NULL)) ||
        (rc = open_1d(st, gm, "indices", "/matrix/indices", H5T_INTEGER, st->nnz, &st->d_indices,
                      NULL)) ||
        (rc = open_1d(st, gm, "counts", "/matrix/counts", H5T_INTEGER, st->nnz, &st->d_counts,
                      NULL))) {
        H5Gclose(gm);
        return rc;
    }
    if (H5Gclose(gm) < 0)
        return h5err(st, "closing", "/matrix");
    int64_t ends[2];
    if ((rc = read_range(st, st->d_indptr, "/matrix/indptr", H5T_NATIVE_INT64, 0, 1, &ends[0])) ||
        (rc = read_range(st, st->d_indptr, "/matrix/indptr", H5T_NATIVE_INT64,
                         (hsize_t)st->n_rows, 1, &ends[1])))
        return rc;
    if (ends[0] != 0 || ends[1] != st->nnz)
        return fmt_err(st, "/matrix/indptr", "does not run from 0 to nnz");

    /* The vocabulary. */
    hid_t gs = -1;
    ex = H5Lexists(st->file, "skills", H5P_DEFAULT);
    if (ex <= 0)
        return ex < 0 ? h5err(st, "looking up", "/skills") : fmt_err(st, "/skills", "missing");
    if ((gs = H5Gopen2(st->file, "skills", H5P_DEFAULT)) < 0)
        return h5err(st, "opening", "/skills");
    hid_t dd = -1;
    if ((rc = load_strings(st, gs, "name", "/skills/name", st->n_cols, &st->names)) ||
        (rc = load_strings(st, gs, "category", "/skills/category", st->n_cols, &st->cats)) ||
        (rc = open_1d(st, gs, "doc_freq", "/skills/doc_freq", H5T_INTEGER, st->n_cols, &dd,
                      NULL))) {
        H5Gclose(gs);
        return rc;
    }
    if (!(st->doc_freq = skm_malloc_array((size_t)st->n_cols, sizeof *st->doc_freq)))
        rc = skm_error(st->ctx, SKM_ENOMEM, "%s: out of memory", st->path);
    else
        rc = read_range(st, dd, "/skills/doc_freq", H5T_NATIVE_INT64, 0, (hsize_t)st->n_cols,
                        st->doc_freq);
    H5Dclose(dd);
    H5Gclose(gs);
    if (rc)
        return rc;

    ex = H5Lexists(st->file, "postings", H5P_DEFAULT);
    if (ex <= 0)
        return ex < 0 ? h5err(st, "looking up", "/postings") : fmt_err(st, "/postings", "missing");
    if ((st->g_postings = H5Gopen2(st->file, "postings", H5P_DEFAULT)) < 0)
        return h5err(st, "opening", "/postings");
    return SKM_OK;
}

int skm_store_open(skm_ctx *ctx, const char *path, skm_store **out)
{
    *out = NULL;
    if (!path || !*path)
        return skm_error(ctx, SKM_EINVAL, "store: no path");
    skm_store *st = calloc(1, sizeof *st);
    if (!st || !(st->path = skm_strdup(path))) {
        free(st);
        return skm_error(ctx, SKM_ENOMEM, "%s: out of memory", path);
    }
    st->ctx = ctx;
    st->file = st->g_postings = st->d_indptr = st->d_indices = st->d_counts = -1;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    int rc = store_open(st);
    skm_h5_quiet_end(&q);
    if (rc != SKM_OK) {
        skm_store_close(st);
        return rc;
    }
    *out = st;
    return SKM_OK;
}

int64_t skm_store_n_rows(const skm_store *st) { return st ? st->n_rows : 0; }
int64_t skm_store_n_cols(const skm_store *st) { return st ? st->n_cols : 0; }
int64_t skm_store_nnz(const skm_store *st) { return st ? st->nnz : 0; }

const char *skm_store_skill_name(const skm_store *st, int64_t j)
{
    return st && j >= 0 && j < st->n_cols ? st->names.s[j] : NULL;
}

const char *skm_store_skill_category(const skm_store *st, int64_t j)
{
    return st && j >= 0 && j < st->n_cols ? st->cats.s[j] : NULL;
}

int64_t skm_store_skill_doc_freq(const skm_store *st, int64_t j)
{
    return st && j >= 0 && j < st->n_cols ? st->doc_freq[j] : -1;
}

/* ---- blocks ---------------------------------------------------------------------------- */

skm_csr_block *skm_csr_block_alloc(size_t cap_rows, size_t cap_nnz)
{
    if (cap_rows == SIZE_MAX)
        return NULL;
    skm_csr_block *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->indptr = skm_calloc_array(cap_rows + 1, sizeof *b->indptr);
    b->indices = skm_malloc_array(cap_nnz, sizeof *b->indices);
    b->counts = skm_malloc_array(cap_nnz, sizeof *b->counts);
    if (!b->indptr || !b->indices || !b->counts) {
        skm_csr_block_free(b);
        return NULL;
    }
    b->cap_rows = cap_rows;
    b->cap_nnz = cap_nnz;
    return b;
}

void skm_csr_block_free(skm_csr_block *blk)
{
    if (!blk)
        return;
    free(blk->indptr);
    free(blk->indices);
    free(blk->counts);
    free(blk);
}

static int read_block(skm_store *st, int64_t row0, size_t n, skm_csr_block *blk)
{
    int rc;
    if (n > blk->cap_rows) {
        int64_t *p = n < SIZE_MAX ? skm_realloc_array(blk->indptr, n + 1, sizeof *p) : NULL;
        if (!p)
            return skm_error(st->ctx, SKM_ENOMEM, "%s: out of memory for a block of %zu rows",
                             st->path, n);
        blk->indptr = p;
        blk->cap_rows = n;
    }
    int64_t *ip = blk->indptr;
    if ((rc = read_range(st, st->d_indptr, "/matrix/indptr", H5T_NATIVE_INT64, (hsize_t)row0,
                         (hsize_t)n + 1, ip)))
        return rc;
    /* Validate before the offsets are used for anything. */
    int64_t base = ip[0];
    if (base < 0 || base > st->nnz)
        return skm_error(st->ctx, SKM_EFORMAT,
                         "%s: /matrix/indptr[%lld] = %lld is outside [0, nnz = %lld]", st->path,
                         (long long)row0, (long long)base, (long long)st->nnz);
    for (size_t i = 0; i < n; ++i)
        if (ip[i + 1] < ip[i] || ip[i + 1] > st->nnz)
            return skm_error(st->ctx, SKM_EFORMAT,
                             "%s: /matrix/indptr[%lld] = %lld %s", st->path,
                             (long long)(row0 + (int64_t)i + 1), (long long)ip[i + 1],
                             ip[i + 1] < ip[i] ? "decreases" : "exceeds nnz");
    for (size_t i = 0; i <= n; ++i)
        ip[i] -= base;
    size_t nnz = (size_t)ip[n];
    if (nnz > blk->cap_nnz) {
        int32_t *pi = skm_realloc_array(blk->indices, nnz, sizeof *pi);
        if (pi)
            blk->indices = pi;
        int32_t *pc = pi ? skm_realloc_array(blk->counts, nnz, sizeof *pc) : NULL;
        if (pc)
            blk->counts = pc;
        if (!pi || !pc)
            return skm_error(st->ctx, SKM_ENOMEM, "%s: out of memory for %zu entries", st->path,
                             nnz);
        blk->cap_nnz = nnz;
    }
    if ((rc = read_range(st, st->d_indices, "/matrix/indices", H5T_NATIVE_INT32, (hsize_t)base,
                         nnz, blk->indices)) ||
        (rc = read_range(st, st->d_counts, "/matrix/counts", H5T_NATIVE_INT32, (hsize_t)base, nnz,
                         blk->counts)))
        return rc;
    for (size_t i = 0; i < n; ++i) {
        for (int64_t k = ip[i]; k < ip[i + 1]; ++k) {
            int32_t j = blk->indices[k];
            if (j < 0 || j >= st->n_cols || (k > ip[i] && j <= blk->indices[k - 1]))
                return skm_error(st->ctx, SKM_EFORMAT,
                                 "%s: /matrix/indices[%lld] = %d in row %lld is out of range or "
                                 "not increasing (n_cols = %lld)",
                                 st->path, (long long)(base + k), (int)j,
                                 (long long)(row0 + (int64_t)i), (long long)st->n_cols);
            if (blk->counts[k] < 1)
                return skm_error(st->ctx, SKM_EFORMAT, "%s: /matrix/counts[%lld] = %d is below 1",
                                 st->path, (long long)(base + k), (int)blk->counts[k]);
        }
    }
    blk->row0 = row0;
    blk->n_rows = n;
    blk->nnz = nnz;
    return SKM_OK;
}

int skm_store_read_block(skm_store *st, int64_t row0, size_t n_rows, skm_csr_block *blk)
{
    if (!st || !blk)
        return SKM_EINVAL;
    /* row0 == n_rows is allowed and gives an empty block (a loop's natural end). */
    if (row0 < 0 || row0 > st->n_rows)
        return skm_error(st->ctx, SKM_EINVAL, "%s: row %lld is outside [0, %lld]", st->path,
                         (long long)row0, (long long)st->n_rows);
    size_t n = (uint64_t)(st->n_rows - row0) < (uint64_t)n_rows ? (size_t)(st->n_rows - row0)
                                                                 : n_rows;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    int rc = read_block(st, row0, n, blk);
    skm_h5_quiet_end(&q);
    if (rc != SKM_OK) { /* never leave a half-read block that looks valid */
        blk->n_rows = 0;
        blk->nnz = 0;
        blk->indptr[0] = 0;
    }
    return rc;
}

/* ---- posting columns ------------------------------------------------------------------- */

/* The cached handle of /postings/<name>, opening and checking it on first use. */
static int column_handle(skm_store *st, const char *name, hid_t *out)
{
    for (size_t i = 0; i < st->n_cols_open; ++i)
        if (strcmp(st->cols[i].name, name) == 0) {
            *out = st->cols[i].d;
            return SKM_OK;
        }
    char objpath[320];
    snprintf(objpath, sizeof objpath, "/postings/%.256s", name);
    /* Only direct children of /postings: no paths, no "." or "..". */
    htri_t ex = strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0
                    ? 0
                    : H5Lexists(st->g_postings, name, H5P_DEFAULT);
    if (ex < 0)
        return h5err(st, "looking up", objpath);
    H5O_info_t info;
    if (ex > 0 && H5Oget_info_by_name2(st->g_postings, name, &info, H5O_INFO_BASIC,
                                       H5P_DEFAULT) < 0)
        return h5err(st, "looking up", objpath);
    if (ex == 0 || info.type != H5O_TYPE_DATASET)
        return skm_error(st->ctx, SKM_ENOTFOUND, "%s: no posting column %s", st->path, objpath);
    hid_t d = -1, t = -1;
    if ((d = H5Dopen2(st->g_postings, name, H5P_DEFAULT)) < 0 || (t = H5Dget_type(d)) < 0) {
        skm_h5_close(d);
        return h5err(st, "opening", objpath);
    }
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    H5Dclose(d);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        return skm_error(st->ctx, SKM_ENOTFOUND, "%s: %s is not a numeric posting column",
                         st->path, objpath);
    int rc = open_1d(st, st->g_postings, name, objpath, cls, st->n_rows, &d, NULL);
    if (rc != SKM_OK)
        return rc;
    if (st->n_cols_open == st->cap_cols_open) {
        size_t cap = st->cap_cols_open ? 2 * st->cap_cols_open : 8;
        col_handle *p = skm_realloc_array(st->cols, cap, sizeof *p);
        if (!p) {
            H5Dclose(d);
            return skm_error(st->ctx, SKM_ENOMEM, "%s: out of memory", st->path);
        }
        st->cols = p;
        st->cap_cols_open = cap;
    }
    char *nm = skm_strdup(name);
    if (!nm) {
        H5Dclose(d);
        return skm_error(st->ctx, SKM_ENOMEM, "%s: out of memory", st->path);
    }
    st->cols[st->n_cols_open].name = nm;
    st->cols[st->n_cols_open].d = d;
    st->n_cols_open++;
    *out = d;
    return SKM_OK;
}

int skm_store_read_column(skm_store *st, const char *name, int64_t row0, size_t n, int type,
                          void *out)
{
    if (!st)
        return SKM_EINVAL;
    if (!name || !*name)
        return skm_error(st->ctx, SKM_ENOTFOUND, "%s: no column name", st->path);
    hid_t mt;
    switch (type) {
    case SKM_TYPE_I8: mt = H5T_NATIVE_INT8; break;
    case SKM_TYPE_I32: mt = H5T_NATIVE_INT32; break;
    case SKM_TYPE_I64: mt = H5T_NATIVE_INT64; break;
    case SKM_TYPE_F64: mt = H5T_NATIVE_DOUBLE; break;
    default: return skm_error(st->ctx, SKM_EINVAL, "%s: unknown memory type %d", st->path, type);
    }
    if (row0 < 0 || row0 > st->n_rows || (uint64_t)n > (uint64_t)(st->n_rows - row0))
        return skm_error(st->ctx, SKM_EINVAL, "%s: rows [%lld, %lld + %zu) are outside [0, %lld)",
                         st->path, (long long)row0, (long long)row0, n, (long long)st->n_rows);
    if (n > 0 && !out)
        return skm_error(st->ctx, SKM_EINVAL, "%s: no output buffer", st->path);
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    hid_t d = -1;
    int rc = column_handle(st, name, &d);
    if (rc == SKM_OK) {
        char objpath[320];
        snprintf(objpath, sizeof objpath, "/postings/%.256s", name);
        rc = read_range(st, d, objpath, mt, (hsize_t)row0, (hsize_t)n, out);
    }
    skm_h5_quiet_end(&q);
    return rc;
}

int skm_store_attr_string(skm_store *st, const char *obj_path, const char *name, char *buf,
                          size_t n)
{
    if (!st || !obj_path || !name || !buf || n == 0)
        return SKM_EINVAL;
    buf[0] = '\0';
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    int rc = SKM_OK;
    char *s = NULL;
    htri_t ex = H5Lexists(st->file, obj_path, H5P_DEFAULT);
    hid_t o = ex > 0 || strcmp(obj_path, "/") == 0 ? H5Oopen(st->file, obj_path, H5P_DEFAULT) : -1;
    if (o < 0)
        rc = skm_error(st->ctx, SKM_ENOTFOUND, "%s: no object %s", st->path, obj_path);
    else
        rc = skm_h5_attr_read_str(st->ctx, st->path, o, obj_path, name, &s);
    if (rc == SKM_ENOTFOUND && o >= 0)
        skm_error(st->ctx, SKM_ENOTFOUND, "%s: %s has no attribute '%s'", st->path, obj_path, name);
    if (rc == SKM_OK)
        snprintf(buf, n, "%s", s);
    free(s);
    if (o >= 0)
        H5Oclose(o);
    skm_h5_quiet_end(&q);
    return rc;
}

int skm_store_read_levels(skm_store *st, const char *name, char ***out, size_t *n)
{
    if (!st || !name || !out || !n)
        return SKM_EINVAL;
    *out = NULL;
    *n = 0;
    char rel[300];
    if (!*name || strchr(name, '/') || snprintf(rel, sizeof rel, "%s_levels", name) >= (int)sizeof rel)
        return skm_error(st->ctx, SKM_ENOTFOUND, "%s: no level table for column '%s'", st->path,
                         name);
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    htri_t ex = H5Lexists(st->g_postings, rel, H5P_DEFAULT);
    int rc;
    if (ex < 0)
        rc = h5err(st, "looking up", "/postings");
    else if (ex == 0)
        rc = SKM_ENOTFOUND; /* not recorded: the caller decides whether it is an error */
    else
        rc = skm_h5_read_strings(st->ctx, st->path, st->g_postings, rel, -1, out, n);
    skm_h5_quiet_end(&q);
    return rc;
}
