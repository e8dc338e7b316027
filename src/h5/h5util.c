/*
 * h5util.c — HDF5 helpers shared by the store writer and reader (see h5util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "h5util.h"
#include "skm_build.h"

int skm_h5_attr_build(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath)
{
    unsigned maj = 0, min = 0, rel = 0;
    if (H5get_libversion(&maj, &min, &rel) < 0)
        return skm_h5_fail(ctx, SKM_EHDF5, file, "querying", "the HDF5 library version");
    char h5ver[48];
    snprintf(h5ver, sizeof h5ver, "%u.%u.%u", maj, min, rel);
    const struct {
        const char *key, *value;
    } a[] = {
        {"tool_version", skm_version()}, {"git_revision", SKM_GIT_REVISION},
        {"compiler", SKM_COMPILER},      {"cflags", SKM_CFLAGS},
        {"build_type", SKM_BUILD_TYPE},  {"hdf5_version", h5ver},
        {"zlib_version", zlibVersion()}, {"isa", skm_isa()},
    };
    int rc = SKM_OK;
    for (size_t i = 0; i < sizeof a / sizeof a[0] && !rc; ++i)
        rc = skm_h5_attr_str(ctx, file, obj, objpath, a[i].key, a[i].value);
    return rc;
}

void skm_h5_quiet_begin(skm_h5_quiet *q)
{
    q->saved = H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data) >= 0;
    (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void skm_h5_quiet_end(skm_h5_quiet *q)
{
    if (q->saved)
        (void)H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
    q->saved = 0;
}

typedef struct err_walk {
    char outer[256]; /* the API function's message */
    char inner[256]; /* where the error was detected: usually the real reason */
} err_walk;

/* H5E_WALK_UPWARD visits the innermost (most specific) error first and the API call last. */
static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *user)
{
    err_walk *w = user;
    const char *desc = e->desc && *e->desc ? e->desc : "(no description)";
    if (n == 0)
        snprintf(w->inner, sizeof w->inner, "%s", desc);
    snprintf(w->outer, sizeof w->outer, "%s(): %s", e->func_name ? e->func_name : "?", desc);
    return 0;
}

int skm_h5_fail(skm_ctx *ctx, int code, const char *file, const char *action, const char *objpath)
{
    err_walk w = {{0}, {0}};
    (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_cb, &w);
    const char *sep = objpath && *objpath ? " " : "";
    if (!w.outer[0])
        return skm_error(ctx, code, "%s: %s%s%s: HDF5 call failed", file, action, sep,
                         objpath ? objpath : "");
    const char *obj = objpath ? objpath : "";
    if (!strstr(w.outer, w.inner))
        return skm_error(ctx, code, "%s: %s%s%s: %s (%s)", file, action, sep, obj, w.outer,
                         w.inner);
    return skm_error(ctx, code, "%s: %s%s%s: %s", file, action, sep, obj, w.outer);
}

hid_t skm_h5_vlen_str(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return -1;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

int skm_h5_attr_str(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath,
                    const char *name, const char *value)
{
    int rc = SKM_OK;
    hid_t t = -1, sp = -1, a = -1;
    const char *v = value ? value : "";
    if ((t = skm_h5_vlen_str()) < 0 || (sp = H5Screate(H5S_SCALAR)) < 0 ||
        (a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(a, t, &v) < 0) {
        char what[320];
        snprintf(what, sizeof what, "writing attribute '%s' of", name);
        rc = skm_h5_fail(ctx, SKM_EHDF5, file, what, objpath);
    }
    if (a >= 0 && H5Aclose(a) < 0 && rc == SKM_OK)
        rc = skm_h5_fail(ctx, SKM_EHDF5, file, "closing attribute of", objpath);
    skm_h5_close(sp);
    skm_h5_close(t);
    return rc;
}

int skm_h5_attr_num(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath,
                    const char *name, hid_t ftype, hid_t memtype, size_t n, const void *value)
{
    int rc = SKM_OK;
    hid_t sp = -1, a = -1;
    hsize_t dim = n;
    sp = n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
    if (sp < 0 || (a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(a, memtype, value) < 0) {
        char what[320];
        snprintf(what, sizeof what, "writing attribute '%s' of", name);
        rc = skm_h5_fail(ctx, SKM_EHDF5, file, what, objpath);
    }
    if (a >= 0 && H5Aclose(a) < 0 && rc == SKM_OK)
        rc = skm_h5_fail(ctx, SKM_EHDF5, file, "closing attribute of", objpath);
    skm_h5_close(sp);
    return rc;
}

int skm_h5_attr_read_str(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath,
                         const char *name, char **out)
{
    *out = NULL;
    int rc = SKM_OK;
    hid_t a = -1, ft = -1, sp = -1, mt = -1;
    htri_t ex = H5Aexists(obj, name);
    if (ex < 0)
        return skm_h5_fail(ctx, SKM_EHDF5, file, "looking up an attribute of", objpath);
    if (ex == 0)
        return SKM_ENOTFOUND;
    if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 || (ft = H5Aget_type(a)) < 0 ||
        (sp = H5Aget_space(a)) < 0) {
        rc = skm_h5_fail(ctx, SKM_EHDF5, file, "opening an attribute of", objpath);
        goto done;
    }
    if (H5Tget_class(ft) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1) {
        rc = skm_error(ctx, SKM_EFORMAT, "%s: attribute '%s' of %s is not a single string", file,
                       name, objpath);
        goto done;
    }
    htri_t var = H5Tis_variable_str(ft);
    if (var < 0) {
        rc = skm_h5_fail(ctx, SKM_EHDF5, file, "reading an attribute of", objpath);
        goto done;
    }
    if (var) {
        char *s = NULL;
        if ((mt = skm_h5_vlen_str()) < 0 || H5Aread(a, mt, &s) < 0) {
            rc = skm_h5_fail(ctx, SKM_EHDF5, file, "reading an attribute of", objpath);
            goto done;
        }
        *out = skm_strdup(s ? s : "");
        H5free_memory(s);
    } else {
        size_t sz = H5Tget_size(ft);
        /* Room for a terminating NUL: a NULLPAD string may fill all sz bytes. */
        char *s = sz > 0 && sz < SIZE_MAX ? malloc(sz + 1) : NULL;
        if (!s) {
            rc = skm_error(ctx, SKM_ENOMEM, "%s: out of memory reading %s", file, objpath);
            goto done;
        }
        if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, sz + 1) < 0 || H5Aread(a, mt, s) < 0) {
            free(s);
            rc = skm_h5_fail(ctx, SKM_EHDF5, file, "reading an attribute of", objpath);
            goto done;
        }
        s[sz] = '\0';
        *out = s;
        s = NULL;
    }
    if (!*out)
        rc = skm_error(ctx, SKM_ENOMEM, "%s: out of memory reading %s", file, objpath);
done:
    skm_h5_close(mt);
    skm_h5_close(sp);
    skm_h5_close(ft);
    skm_h5_close(a);
    return rc;
}

void skm_h5_close(hid_t id)
{
    if (id < 0)
        return;
    switch (H5Iget_type(id)) {
    case H5I_FILE: H5Fclose(id); break;
    case H5I_GROUP: H5Gclose(id); break;
    case H5I_DATATYPE: H5Tclose(id); break;
    case H5I_DATASPACE: H5Sclose(id); break;
    case H5I_DATASET: H5Dclose(id); break;
    case H5I_ATTR: H5Aclose(id); break;
    case H5I_GENPROP_LST: H5Pclose(id); break;
    default: break;
    }
}

/* Open a 1-D dataset (rank 1) or a 2-D one (rank 2: *n counts every element, row-major, and
 * *cols the columns); want_n >= 0 checks the length (rank 1) or the rows (rank 2). */
static int open_any(skm_ctx *ctx, const char *file, hid_t loc, const char *path, int rank,
                    int64_t want_n, hid_t *d, size_t *n, size_t *cols)
{
    htri_t ex = H5Lexists(loc, path, H5P_DEFAULT);
    if (ex <= 0)
        return SKM_ENOTFOUND;
    hid_t sp = -1;
    int rc = SKM_OK;
    hsize_t dim[2] = {0, 1};
    if ((*d = H5Dopen2(loc, path, H5P_DEFAULT)) < 0 || (sp = H5Dget_space(*d)) < 0) {
        rc = skm_h5_fail(ctx, SKM_EHDF5, file, "opening", path);
    } else if (H5Sget_simple_extent_ndims(sp) != rank ||
               H5Sget_simple_extent_dims(sp, dim, NULL) < 0) {
        rc = skm_error(ctx, SKM_EFORMAT, "%s: %s is not a %d-D dataset", file, path, rank);
    } else if (want_n >= 0 && dim[0] != (hsize_t)want_n) {
        rc = skm_error(ctx, SKM_EFORMAT, "%s: %s has %llu %s, expected %lld", file, path,
                       (unsigned long long)dim[0], rank == 1 ? "entries" : "rows",
                       (long long)want_n);
    }
    skm_h5_close(sp);
    *n = (size_t)(dim[0] * dim[1]);
    if (cols)
        *cols = (size_t)dim[1];
    return rc;
}

static int read_num(skm_ctx *ctx, const char *file, hid_t loc, const char *path, int rank,
                    hid_t memtype, size_t elem_size, int64_t want_n, void **out, size_t *n,
                    size_t *cols)
{
    hid_t d = -1;
    *out = NULL;
    int rc = open_any(ctx, file, loc, path, rank, want_n, &d, n, cols);
    if (rc == SKM_OK) {
        hid_t ft = H5Dget_type(d);
        H5T_class_t cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
        skm_h5_close(ft);
        if (cls != H5T_INTEGER && cls != H5T_FLOAT)
            rc = skm_error(ctx, SKM_EFORMAT, "%s: %s is not numeric", file, path);
        else if (!(*out = skm_malloc_array(*n ? *n : 1, elem_size)))
            rc = skm_error(ctx, SKM_ENOMEM, "%s: out of memory reading %s", file, path);
        else if (*n && H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0)
            rc = skm_h5_fail(ctx, SKM_EHDF5, file, "reading", path);
    }
    if (rc != SKM_OK) {
        free(*out);
        *out = NULL;
    }
    skm_h5_close(d);
    return rc;
}

int skm_h5_read_1d(skm_ctx *ctx, const char *file, hid_t loc, const char *path, hid_t memtype,
                   size_t elem_size, int64_t want_n, void **out, size_t *n)
{
    return read_num(ctx, file, loc, path, 1, memtype, elem_size, want_n, out, n, NULL);
}

int skm_h5_read_2d(skm_ctx *ctx, const char *file, hid_t loc, const char *path, hid_t memtype,
                   size_t elem_size, int64_t want_rows, void **out, size_t *n, size_t *cols)
{
    return read_num(ctx, file, loc, path, 2, memtype, elem_size, want_rows, out, n, cols);
}

static int read_strings(skm_ctx *ctx, const char *file, hid_t loc, const char *path, int rank,
                        int64_t want_n, char ***out, size_t *n, size_t *cols)
{
    hid_t d = -1, mt = -1, sp = -1, ft = -1;
    char **vl = NULL;
    *out = NULL;
    int rc = open_any(ctx, file, loc, path, rank, want_n, &d, n, cols);
    if (rc != SKM_OK)
        goto done;
    if ((ft = H5Dget_type(d)) < 0 || H5Tis_variable_str(ft) <= 0) {
        rc = skm_error(ctx, SKM_EFORMAT, "%s: %s is not a variable-length string dataset", file,
                       path);
        goto done;
    }
    if (!(vl = skm_calloc_array(*n ? *n : 1, sizeof *vl))) {
        rc = skm_error(ctx, SKM_ENOMEM, "%s: out of memory reading %s", file, path);
        goto done;
    }
    if ((mt = skm_h5_vlen_str()) < 0 || (sp = H5Dget_space(d)) < 0 ||
        (*n && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, vl) < 0)) {
        rc = skm_h5_fail(ctx, SKM_EHDF5, file, "reading", path);
        goto done;
    }
    size_t total = (*n + 1) * sizeof(char *);
    for (size_t i = 0; i < *n; ++i)
        total += (vl[i] ? strlen(vl[i]) : 0) + 1;
    char **tab = malloc(total);
    if (tab) {
        char *p = (char *)(tab + *n + 1);
        for (size_t i = 0; i < *n; ++i) {
            size_t len = vl[i] ? strlen(vl[i]) : 0;
            memcpy(p, vl[i] ? vl[i] : "", len + 1);
            tab[i] = p;
            p += len + 1;
        }
        tab[*n] = NULL;
        *out = tab;
    } else {
        rc = skm_error(ctx, SKM_ENOMEM, "%s: out of memory reading %s", file, path);
    }
    if (*n)
        (void)H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, vl);
done:
    free(vl);
    skm_h5_close(mt);
    skm_h5_close(sp);
    skm_h5_close(ft);
    skm_h5_close(d);
    return rc;
}

int skm_h5_read_strings(skm_ctx *ctx, const char *file, hid_t loc, const char *path,
                        int64_t want_n, char ***out, size_t *n)
{
    return read_strings(ctx, file, loc, path, 1, want_n, out, n, NULL);
}

int skm_h5_read_strings_2d(skm_ctx *ctx, const char *file, hid_t loc, const char *path,
                           int64_t want_rows, char ***out, size_t *n, size_t *cols)
{
    return read_strings(ctx, file, loc, path, 2, want_rows, out, n, cols);
}

int skm_h5_attr_read_num(skm_ctx *ctx, const char *file, hid_t obj, const char *objpath,
                         const char *name, hid_t memtype, void *out)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int rc = a >= 0 && H5Aread(a, memtype, out) >= 0
                 ? SKM_OK
                 : skm_h5_fail(ctx, SKM_EFORMAT, file, "reading attribute of", objpath);
    skm_h5_close(a);
    return rc;
}
