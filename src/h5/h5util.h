/*
 * h5util.h — small HDF5 helpers shared by the store writer and reader: silencing the HDF5 error
 * printer for the duration of a library call, turning the HDF5 error stack into an skm_error
 * message that names the file and the HDF5 path, and string attributes.
 *
 * HDF5 prints its error stack to stderr by default. The library must not print (skillmat.h), so
 * every public entry point that calls HDF5 brackets its work with skm_h5_quiet_begin/end, which
 * save and restore the caller's handler (the CLI turns it off for good at startup anyway).
 */
#ifndef SKM_H5_UTIL_H
#define SKM_H5_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "../core/core.h"

typedef struct skm_h5_quiet {
    H5E_auto2_t fn;
    void *data;
    int saved;
} skm_h5_quiet;

void skm_h5_quiet_begin(skm_h5_quiet *q);
void skm_h5_quiet_end(skm_h5_quiet *q);

/* Record SKM_EHDF5 (or `code`) as "FILE: ACTION OBJPATH: <HDF5 detail>", taking the detail from
 * the current HDF5 error stack (the outermost and the innermost message). Returns code. */
int skm_h5_fail(skm_ctx *ctx, int code, const char *file, const char *action, const char *objpath);

/* A variable-length UTF-8 string type; close with H5Tclose. Negative on failure. */
hid_t skm_h5_vlen_str(void);

/* Write a scalar variable-length UTF-8 string attribute `name` = value on obj ("" for NULL).
 * `objpath` names obj in messages. SKM_OK or SKM_EHDF5. */
int skm_h5_attr_str(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath,
                    const char *name, const char *value);

/* The build's string attributes on obj: tool_version, git_revision, compiler, cflags,
 * build_type, hdf5_version, zlib_version (both at run time) and isa. The /provenance of a store
 * and of a run's results file both carry them. SKM_OK or SKM_EHDF5. */
int skm_h5_attr_build(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath);

/* Write a scalar or 1-D numeric attribute: `n` values of memory type `memtype` stored as `ftype`
 * (n == 0: a scalar holding one value). SKM_OK or SKM_EHDF5. */
int skm_h5_attr_num(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath,
                    const char *name, hid_t ftype, hid_t memtype, size_t n, const void *value);

/* Read string attribute `name` of obj (variable or fixed length) into a malloc'ed string.
 * Returns SKM_OK, SKM_ENOTFOUND (no such attribute), SKM_EFORMAT (not a scalar string),
 * SKM_ENOMEM, SKM_EHDF5; errors other than SKM_ENOTFOUND are recorded. */
int skm_h5_attr_read_str(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath,
                         const char *name, char **out /* OUT: free() */);

/* Read the scalar numeric attribute `name` of obj, converted to memtype, into *out. SKM_OK, or
 * SKM_EFORMAT naming `file` and `objpath` (missing or not numeric). */
int skm_h5_attr_read_num(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath,
                         const char *name, hid_t memtype, void *out /* OUT */);

/* Read the whole 1-D dataset at `path` (relative to loc) converted to memtype (numeric) into a
 * malloc'ed array (*out, free()), its length in *n. With want_n >= 0 a different length is
 * SKM_EFORMAT. SKM_ENOTFOUND (no such dataset; not recorded), SKM_EFORMAT, SKM_ENOMEM, SKM_EHDF5;
 * messages name `file` and the path. */
int skm_h5_read_1d(skm_ctx *ctx, const char *file, hid_t loc, const char *path, hid_t memtype,
                   size_t elem_size, int64_t want_n, void **out, size_t *n);

/* The same for a 1-D variable-length string dataset: *out is one malloc'ed block holding the n
 * pointers followed by the strings (free() once). */
int skm_h5_read_strings(skm_ctx *ctx, const char *file, hid_t loc, const char *path,
                        int64_t want_n, char ***out, size_t *n);

/* The same for a 2-D dataset (numeric or strings), row-major: *n elements in all, *cols per row;
 * want_rows >= 0 checks the number of rows. */
int skm_h5_read_2d(skm_ctx *ctx, const char *file, hid_t loc, const char *path, hid_t memtype,
                   size_t elem_size, int64_t want_rows, void **out, size_t *n, size_t *cols);
int skm_h5_read_strings_2d(skm_ctx *ctx, const char *file, hid_t loc, const char *path,
                           int64_t want_rows, char ***out, size_t *n, size_t *cols);

/* Close any HDF5 id (file, group, type, space, dataset, attribute, property list) on a clean-up
 * path where a failure to close changes nothing; a negative id is a no-op. Where the close can
 * lose data (a dataset being written), check H5Dclose's result instead. */
void skm_h5_close(hid_t id);

#endif /* SKM_H5_UTIL_H */
