/*
 * run_prov.c — /provenance of a results file written by `skillmat run` (docs/hdf5-schema.md,
 * "/provenance of a results file"): the build, the run file's text, each step's command line,
 * time and outcome, and the inputs' paths and SHA-256 copied from the store the run used.
 */
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5out.h"
#include "h5util.h"

/* The store's input files and hashes, when it can be read; else empty lists. */
static void store_inputs(skm_ctx *ctx, const char *store, char ***files, size_t *nf,
                         char ***sha, size_t *ns)
{
    *files = *sha = NULL;
    *nf = *ns = 0;
    if (!store)
        return;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    hid_t f = H5Fopen(store, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) {
        skm_ctx *scratch = skm_ctx_alloc(); /* a store without them is not this run's error */
        if (scratch) {
            if (skm_h5_read_strings(scratch, store, f, "/provenance/input_files", -1, files, nf))
                *files = NULL, *nf = 0;
            if (skm_h5_read_strings(scratch, store, f, "/provenance/input_sha256", (int64_t)*nf,
                                    sha, ns))
                *sha = NULL, *ns = 0;
            skm_ctx_free(scratch);
        }
        H5Fclose(f);
    }
    (void)ctx;
    skm_h5_quiet_end(&q);
}

int skm_results_provenance(skm_ctx *ctx, const char *results_path, const char *run_file,
                           const char *run_text, const char *store_path,
                           const skm_run_step *steps, size_t n_steps)
{
    skm_h5_out o;
    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    int rc = skm_h5_out_create_results(ctx, results_path, "provenance", &o);
    hid_t g = -1;
    char **files = NULL, **sha = NULL;
    size_t nf = 0, ns = 0;
    const char **names = NULL, **lines = NULL, **msgs = NULL;
    double *secs = NULL;
    int8_t *status = NULL;
    if (rc)
        goto done;
    if ((rc = skm_h5_create_group(&o, o.file, "provenance", "/provenance",
                                  "How this results file was made: the build, the run file and "
                                  "each step (skillmat run)",
                                  &g)))
        goto done;
    char created[32];
    skm_time_iso8601(created);
    const struct {
        const char *k, *v;
    } attrs[] = {
        {"created", created},
        {"run_file", run_file ? run_file : ""},
        {"run_text", run_text ? run_text : ""},
        {"store", store_path ? store_path : ""},
    };
    rc = skm_h5_attr_build(ctx, results_path, g, "/provenance");
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0] && !rc; ++i)
        rc = skm_h5_out_attr_str(&o, g, "/provenance", attrs[i].k, attrs[i].v);
    if (rc)
        goto done;
    names = skm_calloc_array(n_steps + 1, sizeof *names);
    lines = skm_calloc_array(n_steps + 1, sizeof *lines);
    msgs = skm_calloc_array(n_steps + 1, sizeof *msgs);
    secs = skm_calloc_array(n_steps + 1, sizeof *secs);
    status = skm_calloc_array(n_steps + 1, sizeof *status);
    if (!names || !lines || !msgs || !secs || !status) {
        rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_steps; ++i) {
        names[i] = steps[i].name;
        lines[i] = steps[i].command_line;
        msgs[i] = steps[i].message;
        secs[i] = steps[i].seconds;
        status[i] = (int8_t)steps[i].status;
    }
    store_inputs(ctx, store_path, &files, &nf, &sha, &ns);
    if ((rc = skm_h5_write_child(&o, g, "/provenance", "step_name", o.t_str, o.t_str, n_steps, 0,
                                 names, "Each step of the run, in order: ingest or an analysis",
                                 NULL)) ||
        (rc = skm_h5_write_child(&o, g, "/provenance", "step_command", o.t_str, o.t_str, n_steps,
                                 0, lines,
                                 "The command line each step ran (skillmat <step> ...), built from "
                                 "the run file",
                                 NULL)) ||
        (rc = skm_h5_write_child(&o, g, "/provenance", "step_seconds", H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE, n_steps, 0, secs, "Wall time of each step",
                                 "s")) ||
        (rc = skm_h5_write_child(&o, g, "/provenance", "step_status", H5T_STD_I8LE,
                                 H5T_NATIVE_INT8, n_steps, 0, status,
                                 "Outcome of each step: 0 ok, 1 failed, 2 not run (an earlier step "
                                 "it needs failed)",
                                 NULL)) ||
        (rc = skm_h5_write_child(&o, g, "/provenance", "step_message", o.t_str, o.t_str, n_steps,
                                 0, msgs, "Why a step failed or was not run; \"\" when it ran",
                                 NULL)) ||
        (rc = skm_h5_write_child(&o, g, "/provenance", "input_files", o.t_str, o.t_str, nf, 0,
                                 files, "The store's input files (its /provenance/input_files)",
                                 NULL)) ||
        (rc = skm_h5_write_child(&o, g, "/provenance", "input_sha256", o.t_str, o.t_str, ns, 0,
                                 sha, "SHA-256 of each input file (the store's record)", NULL)))
        goto done;
    H5Gclose(g);
    g = -1;
    rc = skm_h5_out_commit(&o);
done:
    if (g >= 0)
        H5Gclose(g);
    skm_h5_out_abort(&o);
    skm_h5_quiet_end(&q);
    free(files);
    free(sha);
    free(names);
    free(lines);
    free(msgs);
    free(secs);
    free(status);
    return rc;
}
