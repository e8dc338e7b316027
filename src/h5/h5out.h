/*
 * h5out.h — an HDF5 output file written atomically, and the dataset helpers every writer uses
 * (the store writer, the analyses' results files).
 *
 * Everything goes to "<dir>/.<name>.tmp.<pid>", created with H5F_ACC_EXCL (never clobbers a file
 * we did not create) and H5F_CLOSE_SEMI (H5Fclose fails while an object is open, so a handle leak
 * cannot pass for a finished file). skm_h5_out_commit() flushes and closes it, fsyncs it, renames
 * it over the final path and fsyncs the directory; skm_h5_out_abort() closes and unlinks it. So
 * the final path holds a complete file or is untouched.
 *
 *     skm_h5_out o;
 *     int rc = skm_h5_out_create(ctx, "results.h5", &o);
 *     if (rc == SKM_OK) rc = skm_h5_write_array(&o, o.file, "x", "/x", H5T_IEEE_F64LE,
 *                                               H5T_NATIVE_DOUBLE, n, 0, x, "what x is", NULL);
 *     rc = rc ? rc : skm_h5_out_commit(&o);   // closes the file; the caller closed its objects
 *     skm_h5_out_abort(&o);                    // always: a no-op after a commit
 */
#ifndef SKM_H5_OUT_H
#define SKM_H5_OUT_H

#include <stddef.h>

#include <hdf5.h>

#include "../core/core.h"

typedef struct skm_h5_out {
    skm_ctx *ctx;
    char *final_path;  /* names the file in messages */
    char *tmp_path;
    char *dir;
    int tmp_created;   /* we own tmp_path and must unlink it unless renamed */
    hid_t file;        /* the open temporary file, -1 when closed */
    hid_t t_str;       /* variable-length UTF-8 string type */
} skm_h5_out;

/* Create the temporary file. *o is initialised first (so abort is always safe). SKM_OK, SKM_EINVAL
 * (the path names a directory), SKM_EIO (a stale temporary file exists, or creation failed),
 * SKM_ENOMEM, SKM_EHDF5. Call with HDF5 error printing off (skm_h5_quiet_begin). */
int skm_h5_out_create(skm_ctx *ctx, const char *final_path, skm_h5_out *o);

/* Take over tmp_path, a complete HDF5 file written by someone else (skm_storew to a path of
 * skm_temp_path), opened read-write to add to it; commit renames it to final_path, abort unlinks
 * it. o owns tmp_path (malloc'ed) from the call on, whatever it returns. Call with HDF5 error
 * printing off. */
int skm_h5_out_reopen(skm_ctx *ctx, const char *final_path, char *tmp_path, skm_h5_out *o);

/* A results file (root attribute format = "skillmat-results"): create the temporary file with
 * the root attributes (format, schema_version, created) and, when `final_path` already exists,
 * copy every root object of it except `replace` (the group the caller is about to write) into
 * the new file, so that analyses written one after the other accumulate in one file. An
 * existing file that is not a skillmat results file (not HDF5, a store, anything else) is
 * SKM_EINVAL and left alone. Then as skm_h5_out_create. */
int skm_h5_out_create_results(skm_ctx *ctx, const char *final_path, const char *replace,
                              skm_h5_out *o);

/* Flush, close (every object opened in the file must be closed by now), fsync, rename into
 * place, fsync the directory. SKM_OK, SKM_EHDF5, SKM_EIO. */
int skm_h5_out_commit(skm_h5_out *o);

/* Close what is open, unlink the temporary file unless it was renamed, free. Idempotent. */
void skm_h5_out_abort(skm_h5_out *o);

/* SKM_EHDF5 with the HDF5 error stack, naming the final file and objpath. */
int skm_h5_out_fail(skm_h5_out *o, const char *action, const char *objpath);

/* `description` (required, non-empty: the schema demands one on every dataset and group) and
 * `units` (optional) attributes. */
int skm_h5_describe(skm_h5_out *o, hid_t obj, const char *path, const char *desc,
                    const char *units);

/* A group with its description. */
int skm_h5_create_group(skm_h5_out *o, hid_t loc, const char *name, const char *path,
                        const char *desc, hid_t *out /* OUT: close it */);

/* A fixed-size 1-D (n_cols == 0) or 2-D (n × n_cols, row-major) dataset written in one go (n may
 * be 0), with its description and units. memtype == o->t_str: `buf` is an array of string
 * pointers, NULL entries written as "" (buf itself may be NULL: all ""). Contiguous unless it is
 * large (over 64 Ki elements): then chunked with shuffle + deflate level 1 + Fletcher-32 for a
 * fixed-size type (deflate only for strings). */
int skm_h5_write_array(skm_h5_out *o, hid_t loc, const char *name, const char *path,
                       hid_t ftype, hid_t memtype, size_t n, size_t n_cols, const void *buf,
                       const char *desc, const char *units);

/* skm_h5_write_array for the child `name` of the group g whose path is `gpath` (the dataset's
 * path in messages and descriptions is gpath/name). */
int skm_h5_write_child(skm_h5_out *o, hid_t g, const char *gpath, const char *name, hid_t ftype,
                       hid_t memtype, size_t n, size_t n_cols, const void *buf, const char *desc,
                       const char *units);

/* Scalar attributes `name` of obj (named `objpath` in messages): int64, float64, UTF-8 string. */
int skm_h5_out_attr_i64(skm_h5_out *o, hid_t obj, const char *objpath, const char *name,
                        int64_t v);
int skm_h5_out_attr_f64(skm_h5_out *o, hid_t obj, const char *objpath, const char *name, double v);
int skm_h5_out_attr_str(skm_h5_out *o, hid_t obj, const char *objpath, const char *name,
                        const char *v);

/* The provenance attributes every analysis group carries: source_store (store_path),
 * source_store_created (the store's root `created`, "" when unreadable), tool_version,
 * git_revision, command_line ("" for NULL) and created (now, ISO 8601 UTC). */
int skm_h5_out_attr_provenance(skm_h5_out *o, hid_t g, const char *gpath, skm_store *st,
                               const char *store_path, const char *command_line);

#endif /* SKM_H5_OUT_H */
