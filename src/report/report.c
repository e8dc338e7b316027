/*
 * report.c — `skillmat report results.h5`: a readable text report of whatever a results file
 * holds, in a fixed order: the run (/provenance of `skillmat run`), the market summary and salary
 * tables (/describe), the strongest skill pairs (/cooccurrence), the role types (/clusters) and
 * the skill premiums with intervals (/regression). Each analysis's section is that analysis's own
 * summary printer (skm_describe_print, skm_cooccur_print, skm_cluster_print, skm_regress_print):
 * one way to print each result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "describe/describe.h"
#include "h5/h5util.h"

static int has_group(hid_t f, const char *name)
{
    return H5Lexists(f, name, H5P_DEFAULT) > 0;
}

static void rule(FILE *out, const char *title)
{
    fprintf(out, "\n== %s ", title);
    for (size_t i = strlen(title); i < 72; ++i)
        fputc('=', out);
    fputc('\n', out);
}

/* The run: steps, status and time from /provenance (skillmat run). */
static void print_run(skm_ctx *ctx, const char *path, hid_t f, FILE *out)
{
    char **name = NULL, **msg = NULL;
    double *sec = NULL;
    int8_t *st = NULL;
    size_t n = 0, n2 = 0, n3 = 0, n4 = 0;
    char *run_file = NULL;
    hid_t g = H5Gopen2(f, "/provenance", H5P_DEFAULT);
    if (g >= 0) {
        skm_h5_attr_read_str(ctx, path, g, "/provenance", "run_file", &run_file);
        H5Gclose(g);
    }
    if (skm_h5_read_strings(ctx, path, f, "/provenance/step_name", -1, &name, &n) ||
        skm_h5_read_strings(ctx, path, f, "/provenance/step_message", (int64_t)n, &msg, &n2) ||
        skm_h5_read_1d(ctx, path, f, "/provenance/step_seconds", H5T_NATIVE_DOUBLE,
                       sizeof *sec, (int64_t)n, (void **)&sec, &n3) ||
        skm_h5_read_1d(ctx, path, f, "/provenance/step_status", H5T_NATIVE_INT8, sizeof *st,
                       (int64_t)n, (void **)&st, &n4))
        goto done;
    rule(out, "Run");
    fprintf(out, "run file %s, %zu step(s)\n", run_file && *run_file ? run_file : "(none)", n);
    for (size_t i = 0; i < n; ++i)
        fprintf(out, "  %-9s %-7s %8.2f s  %s\n", name[i],
                st[i] == 0 ? "ok" : st[i] == 1 ? "FAILED" : "not run", sec[i], msg[i]);
done:
    free(run_file);
    free(name);
    free(msg);
    free(sec);
    free(st);
}

int skm_report(skm_ctx *ctx, const char *path, FILE *out)
{
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        skm_h5_quiet_end(&q);
        return skm_error(ctx, SKM_EIO, "%s: cannot open as HDF5 (is it a results file?)", path);
    }
    char *fmt = NULL;
    skm_h5_attr_read_str(ctx, path, f, "/", "format", &fmt);
    if (!fmt || strcmp(fmt, "skillmat-results") != 0) {
        H5Fclose(f);
        skm_h5_quiet_end(&q);
        int rc = skm_error(ctx, SKM_EFORMAT,
                           "%s is not a skillmat results file (format '%s'; a store is reported "
                           "by 'skillmat info')",
                           path, fmt ? fmt : "none");
        free(fmt);
        return rc;
    }
    free(fmt);
    const int run = has_group(f, "/provenance"), des = has_group(f, "/describe"),
              coo = has_group(f, "/cooccurrence"), clu = has_group(f, "/clusters"),
              reg = has_group(f, "/regression");
    fprintf(out, "skillmat report: %s\ngroups:%s%s%s%s%s\n", path, run ? " provenance" : "",
            des ? " describe" : "", coo ? " cooccurrence" : "", clu ? " clusters" : "",
            reg ? " regression" : "");
    if (run)
        print_run(ctx, path, f, out);
    H5Fclose(f);
    skm_h5_quiet_end(&q);
    int rc = SKM_OK;
    if (des) {
        rule(out, "Market");
        fflush(out);
        if ((rc = skm_describe_print(ctx, path, out)))
            return rc;
    }
    if (coo) {
        rule(out, "Skills that go together");
        fflush(out);
        if ((rc = skm_cooccur_print(ctx, path, NULL, 15, out)))
            return rc;
    }
    if (clu) {
        rule(out, "Role types");
        fflush(out);
        if ((rc = skm_cluster_print(ctx, path, out)))
            return rc;
    }
    if (reg) {
        rule(out, "What skills add to pay");
        fflush(out);
        if ((rc = skm_regress_print(ctx, path, 20, out)))
            return rc;
    }
    if (!run && !des && !coo && !clu && !reg)
        fprintf(out, "(no analysis groups: run describe, cooccur, cluster or regress into it)\n");
    return SKM_OK;
}
