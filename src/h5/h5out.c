/*
 * h5out.c — atomic HDF5 output files and the dataset helpers (see h5out.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "h5out.h"
#include "h5util.h"
#include "skm_build.h"

/* Above this many elements an array is chunked and compressed. */
#define BIG_ARRAY 65536

int skm_h5_out_fail(skm_h5_out *o, const char *action, const char *objpath)
{
    return skm_h5_fail(o->ctx, SKM_EHDF5, o->final_path, action, objpath);
}

/* The final path, its directory and the temporary path. */
static int make_paths(skm_h5_out *o, const char *final_path)
{
    const char *slash = strrchr(final_path, '/');
    if (!*(slash ? slash + 1 : final_path))
        return skm_error(o->ctx, SKM_EINVAL, "%s: output path names a directory, not a file",
                         final_path);
    if (!(o->final_path = skm_strdup(final_path)) || !(o->dir = skm_dir_of(final_path)) ||
        !(o->tmp_path = skm_temp_path(final_path, "tmp")))
        return skm_error(o->ctx, SKM_ENOMEM, "%s: out of memory", final_path);
    return SKM_OK;
}

int skm_h5_out_create(skm_ctx *ctx, const char *final_path, skm_h5_out *o)
{
    memset(o, 0, sizeof *o);
    o->ctx = ctx;
    o->file = o->t_str = -1;
    int rc;
    if ((rc = make_paths(o, final_path)) != SKM_OK)
        return rc;
    struct stat st;
    if (lstat(o->tmp_path, &st) == 0)
        return skm_error(ctx, SKM_EIO,
                         "%s: temporary file %s already exists (left by an interrupted run with "
                         "the same process id?); remove it and retry",
                         o->final_path, o->tmp_path);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI) < 0) {
        skm_h5_close(fapl);
        return skm_h5_out_fail(o, "creating", "the file access properties");
    }
    o->file = H5Fcreate(o->tmp_path, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (o->file < 0)
        return skm_h5_fail(ctx, SKM_EIO, o->final_path, "creating temporary file", o->tmp_path);
    o->tmp_created = 1;
    if ((o->t_str = skm_h5_vlen_str()) < 0)
        return skm_h5_out_fail(o, "creating", "the string type");
    return SKM_OK;
}

int skm_h5_out_reopen(skm_ctx *ctx, const char *final_path, char *tmp_path, skm_h5_out *o)
{
    memset(o, 0, sizeof *o);
    o->ctx = ctx;
    o->file = o->t_str = -1;
    o->tmp_path = tmp_path;
    o->tmp_created = 1;
    if (!(o->final_path = skm_strdup(final_path)) || !(o->dir = skm_dir_of(final_path)))
        return skm_error(ctx, SKM_ENOMEM, "%s: out of memory", final_path);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI) < 0) {
        skm_h5_close(fapl);
        return skm_h5_out_fail(o, "creating", "the file access properties");
    }
    o->file = H5Fopen(tmp_path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    if (o->file < 0)
        return skm_h5_out_fail(o, "reopening", tmp_path);
    if ((o->t_str = skm_h5_vlen_str()) < 0)
        return skm_h5_out_fail(o, "creating", "the string type");
    return SKM_OK;
}

typedef struct copy_job {
    skm_h5_out *o;
    hid_t src;
    const char *skip;
    int rc;
} copy_job;

static herr_t copy_one(hid_t g, const char *name, const H5L_info_t *info, void *user)
{
    (void)g;
    (void)info;
    copy_job *j = user;
    if (strcmp(name, j->skip) == 0)
        return 0;
    if (H5Ocopy(j->src, name, j->o->file, name, H5P_DEFAULT, H5P_DEFAULT) < 0) {
        char path[300];
        snprintf(path, sizeof path, "/%.256s (from the existing file)", name);
        j->rc = skm_h5_out_fail(j->o, "copying", path);
        return -1;
    }
    return 0;
}

int skm_h5_out_create_results(skm_ctx *ctx, const char *final_path, const char *replace,
                              skm_h5_out *o)
{
    hid_t old = -1;
    struct stat st;
    int rc;
    memset(o, 0, sizeof *o);
    o->file = o->t_str = -1;
    if (stat(final_path, &st) == 0) {
        char *fmt = NULL;
        if (!S_ISREG(st.st_mode) || H5Fis_hdf5(final_path) <= 0 ||
            (old = H5Fopen(final_path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
            skm_h5_close(old);
            return skm_error(ctx, SKM_EINVAL,
                             "%s exists and is not an HDF5 file; refusing to overwrite it "
                             "(choose another output path)",
                             final_path);
        }
        rc = skm_h5_attr_read_str(ctx, final_path, old, "/", "format", &fmt);
        int ok = rc == SKM_OK && strcmp(fmt, "skillmat-results") == 0;
        if (!ok) {
            rc = skm_error(ctx, SKM_EINVAL,
                           "%s exists and is not a skillmat results file (format '%s'); "
                           "refusing to overwrite it (choose another output path)",
                           final_path, fmt ? fmt : "none");
            free(fmt);
            H5Fclose(old);
            return rc;
        }
        free(fmt);
    }
    if ((rc = skm_h5_out_create(ctx, final_path, o)) != SKM_OK)
        goto done;
    char created[32];
    skm_time_iso8601(created);
    int32_t version[2] = {SKM_SCHEMA_MAJOR, SKM_SCHEMA_MINOR};
    if ((rc = skm_h5_attr_str(ctx, o->final_path, o->file, "/", "format", "skillmat-results")) ||
        (rc = skm_h5_attr_num(ctx, o->final_path, o->file, "/", "schema_version", H5T_STD_I32LE,
                              H5T_NATIVE_INT32, 2, version)) ||
        (rc = skm_h5_attr_str(ctx, o->final_path, o->file, "/", "created", created)))
        goto done;
    if (old >= 0) {
        copy_job j = {o, old, replace ? replace : "", SKM_OK};
        if (H5Literate(old, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_one, &j) < 0)
            rc = j.rc ? j.rc : skm_h5_out_fail(o, "copying", "the existing results");
    }
done:
    skm_h5_close(old);
    return rc;
}

int skm_h5_out_commit(skm_h5_out *o)
{
    int rc;
    if (o->file < 0 || !o->tmp_created)
        return skm_error(o->ctx, SKM_EINVAL, "%s: internal error: no file to commit",
                         o->final_path ? o->final_path : "?");
    skm_h5_close(o->t_str);
    o->t_str = -1;
    if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0)
        return skm_h5_out_fail(o, "flushing", "the file");
    herr_t closed = H5Fclose(o->file);
    o->file = -1;
    if (closed < 0)
        return skm_h5_out_fail(o, "closing", "the file");
    if ((rc = skm_fsync_path(o->ctx, o->final_path, o->tmp_path, 0)))
        return rc;
    if (rename(o->tmp_path, o->final_path) != 0)
        return skm_error(o->ctx, SKM_EIO, "%s: cannot rename %s into place: %s", o->final_path,
                         o->tmp_path, strerror(errno));
    o->tmp_created = 0; /* it is the final file now */
    /* Make the rename itself durable. Some file systems cannot sync a directory (EINVAL). */
    return skm_fsync_path(o->ctx, o->final_path, o->dir, 1);
}

void skm_h5_out_abort(skm_h5_out *o)
{
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    skm_h5_close(o->t_str);
    skm_h5_close(o->file);
    skm_h5_quiet_end(&q);
    o->t_str = o->file = -1;
    if (o->tmp_created)
        (void)unlink(o->tmp_path);
    o->tmp_created = 0;
    free(o->final_path);
    free(o->tmp_path);
    free(o->dir);
    o->final_path = o->tmp_path = o->dir = NULL;
}

int skm_h5_describe(skm_h5_out *o, hid_t obj, const char *path, const char *desc,
                    const char *units)
{
    if (!desc || !*desc)
        return skm_error(o->ctx, SKM_EINVAL, "%s: internal error: empty description for %s",
                         o->final_path, path);
    int rc = skm_h5_attr_str(o->ctx, o->final_path, obj, path, "description", desc);
    if (rc == SKM_OK && units)
        rc = skm_h5_attr_str(o->ctx, o->final_path, obj, path, "units", units);
    return rc;
}

int skm_h5_create_group(skm_h5_out *o, hid_t loc, const char *name, const char *path,
                        const char *desc, hid_t *out)
{
    if ((*out = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        return skm_h5_out_fail(o, "creating group", path);
    return skm_h5_describe(o, *out, path, desc, NULL);
}

int skm_h5_write_array(skm_h5_out *o, hid_t loc, const char *name, const char *path,
                       hid_t ftype, hid_t memtype, size_t n, size_t n_cols, const void *buf,
                       const char *desc, const char *units)
{
    int rc = SKM_OK;
    hsize_t dims[2] = {n, n_cols};
    hid_t sp = -1, d = -1, dcpl = -1;
    const int is_str = memtype == o->t_str;
    size_t total = n_cols ? n * n_cols : n;
    const char **tmp = NULL;
    if (is_str && total > 0) {
        /* HDF5 would store a NULL pointer as a null reference; h5py reads that as b''. Write
         * real empty strings so every element is a str. */
        const char *const *s = buf;
        if (!(tmp = skm_malloc_array(total, sizeof *tmp)))
            return skm_error(o->ctx, SKM_ENOMEM, "%s: out of memory writing %s", o->final_path,
                             path);
        for (size_t i = 0; i < total; ++i)
            tmp[i] = s && s[i] ? s[i] : "";
        buf = tmp;
    }
    if ((dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0) {
        rc = skm_h5_out_fail(o, "creating", path);
        goto done;
    }
    if (total > BIG_ARRAY) {
        /* Chunks of about 64 Ki elements (whole rows of a 2-D array). */
        hsize_t chunk[2] = {n_cols ? (BIG_ARRAY + n_cols - 1) / n_cols : BIG_ARRAY, n_cols};
        if (chunk[0] > n)
            chunk[0] = n;
        if (H5Pset_chunk(dcpl, n_cols ? 2 : 1, chunk) < 0 || (!is_str && H5Pset_shuffle(dcpl) < 0) ||
            H5Pset_deflate(dcpl, 1) < 0 || (!is_str && H5Pset_fletcher32(dcpl) < 0)) {
            rc = skm_h5_out_fail(o, "setting filters of", path);
            goto done;
        }
    }
    if ((sp = H5Screate_simple(n_cols ? 2 : 1, dims, NULL)) < 0 ||
        (d = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0) {
        rc = skm_h5_out_fail(o, "creating", path);
        goto done;
    }
    if (total > 0 && H5Dwrite(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        rc = skm_h5_out_fail(o, "writing", path);
        goto done;
    }
    rc = skm_h5_describe(o, d, path, desc, units);
done:
    if (d >= 0 && H5Dclose(d) < 0 && rc == SKM_OK)
        rc = skm_h5_out_fail(o, "closing", path);
    skm_h5_close(sp);
    skm_h5_close(dcpl);
    free(tmp);
    return rc;
}

int skm_h5_out_attr_i64(skm_h5_out *o, hid_t obj, const char *objpath, const char *name,
                        int64_t v)
{
    return skm_h5_attr_num(o->ctx, o->final_path, obj, objpath, name, H5T_STD_I64LE,
                           H5T_NATIVE_INT64, 0, &v);
}

int skm_h5_out_attr_f64(skm_h5_out *o, hid_t obj, const char *objpath, const char *name, double v)
{
    return skm_h5_attr_num(o->ctx, o->final_path, obj, objpath, name, H5T_IEEE_F64LE,
                           H5T_NATIVE_DOUBLE, 0, &v);
}

int skm_h5_out_attr_str(skm_h5_out *o, hid_t obj, const char *objpath, const char *name,
                        const char *v)
{
    return skm_h5_attr_str(o->ctx, o->final_path, obj, objpath, name, v);
}

int skm_h5_out_attr_provenance(skm_h5_out *o, hid_t g, const char *gpath, skm_store *st,
                               const char *store_path, const char *command_line)
{
    char created[32], src_created[64] = "";
    skm_time_iso8601(created);
    (void)skm_store_attr_string(st, "/", "created", src_created, sizeof src_created);
    const struct {
        const char *k, *v;
    } a[] = {
        {"source_store", store_path},     {"source_store_created", src_created},
        {"tool_version", skm_version()},  {"git_revision", SKM_GIT_REVISION},
        {"command_line", command_line ? command_line : ""}, {"created", created},
    };
    int rc = SKM_OK;
    for (size_t i = 0; i < sizeof a / sizeof a[0] && !rc; ++i)
        rc = skm_h5_out_attr_str(o, g, gpath, a[i].k, a[i].v);
    return rc;
}

int skm_h5_write_child(skm_h5_out *o, hid_t g, const char *gpath, const char *name, hid_t ftype,
                       hid_t memtype, size_t n, size_t n_cols, const void *buf, const char *desc,
                       const char *units)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", gpath, name);
    return skm_h5_write_array(o, g, name, path, ftype, memtype, n, n_cols, buf, desc, units);
}
