/*
 * cmd_bench.c — `skillmat bench`: kernel microbenchmarks against this machine's measured limits
 * (src/bench/bench.h, docs/bench-results.md); the table on stdout, row by row.
 */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/cli.h"

const char cmd_bench_usage[] =
    "usage: skillmat bench [-o RESULTS.h5] [--csv FILE] [options]\n"
    "\n"
    "Benchmark the hot kernels on this machine. First every kernel variant this build and CPU\n"
    "can run (ref, avx2, avx512; the dispatched table where a kernel has no per-ISA version) is\n"
    "checked against the reference kernel on its benchmark input: on any difference the run\n"
    "stops with exit status 1 and times nothing. Then the machine's limits are measured\n"
    "(OpenBLAS SGEMM, DRAM read and copy bandwidth on 1 and all threads, L1 and L2 load\n"
    "bandwidth, the random-update rate; AND-popcount limits = read bandwidth x 8 / 2 bit/s) and\n"
    "the kernels are timed: and_popcount (L1, L2, DRAM working sets), and_popcount_tile,\n"
    "sparse_gram_i32, sparse_argmin_f32 (k = 32, p = 256), csv_scan (a 64 MiB CSV) and the skill\n"
    "extraction matcher. Each rate is printed next to the limit that bounds it and as a fraction\n"
    "of it. Timing: each sample runs enough calls to last --min-time; median and min per call.\n"
    "Numbers on a shared machine are noisy; the formulas are in docs/bench-results.md.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE       write /bench (rows and /bench/machine) into this results file\n"
    "                          (created, or updated if it is a skillmat results file)\n"
    "      --csv FILE          write the rows with the machine's columns as CSV\n"
    "      --only LIST         comma-separated: limits, and_popcount, and_popcount_tile,\n"
    "                          sparse_gram_i32, sparse_argmin_f32, csv_scan, extract (default\n"
    "                          all; the limits a kernel is compared with are always measured)\n"
    "      --min-time S        seconds per sample at least (default 0.05)\n"
    "      --samples N         samples per measurement (default 7)\n"
    "      --quick             tiny inputs, 3 samples of >= 2 ms unless given: a smoke test that\n"
    "                          still checks every variant (its rates mean little)\n"
    "  -q, --quiet             no table on stdout\n"
    "  -h, --help              this text\n";

typedef struct table_state {
    const skm_bench_machine *machine;
    int header_done;
} table_state;

static void print_row(void *user, const skm_bench_row *row)
{
    table_state *t = user;
    if (!t->header_done) {
        skm_bench_print_header(stdout, t->machine);
        t->header_done = 1;
    }
    skm_bench_print_row(stdout, row);
}

int cmd_bench(int argc, char **argv, skm_ctx *ctx)
{
    skm_bench_params par = skm_bench_params_default();
    long long v;
    int quiet = 0, have_min_time = 0, have_samples = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED(opt)                                                                              \
    if (!next)                                                                                 \
        return cli_usage_error("bench", "%s needs a value", opt);                              \
    ++i;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEED(a);
            par.h5_path = next;
        } else if (!strcmp(a, "--csv")) {
            NEED(a);
            par.csv_path = next;
        } else if (!strcmp(a, "--only")) {
            NEED(a);
            const char *bad;
            size_t bad_len;
            if (skm_bench_parse_only(next, &par.only, &bad, &bad_len))
                return cli_usage_error("bench",
                                       "--only: unknown name '%.*s' (limits, and_popcount, "
                                       "and_popcount_tile, sparse_gram_i32, sparse_argmin_f32, "
                                       "csv_scan, extract)",
                                       (int)bad_len, bad);
            if (!par.only)
                return cli_usage_error("bench", "--only needs at least one name");
        } else if (!strcmp(a, "--min-time")) {
            NEED(a);
            if (cli_parse_double(next, &par.min_time) || !(par.min_time > 0) ||
                par.min_time > 3600)
                return cli_usage_error("bench", "--min-time needs seconds in (0, 3600], not '%s'",
                                       next);
            have_min_time = 1;
        } else if (!strcmp(a, "--samples")) {
            NEED(a);
            if (cli_parse_int(next, 1, 10000, 0, &v))
                return cli_usage_error("bench", "--samples needs a number in 1..10000, not '%s'",
                                       next);
            par.samples = (int)v;
            have_samples = 1;
        } else if (!strcmp(a, "--quick")) {
            par.quick = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("bench", "unknown option '%s'", a);
        } else {
            return cli_usage_error("bench", "unexpected argument '%s'", a);
        }
#undef NEED
    }
    if (par.quick && !have_min_time)
        par.min_time = 0.002;
    if (par.quick && !have_samples)
        par.samples = 3;
    par.command_line = cli_command_line;

    skm_bench_result res;
    table_state ts = {&res.machine, 0};
    if (!quiet) {
        par.on_row = print_row;
        par.user = &ts;
    }
    int rc = skm_bench_run(ctx, &par, &res);
    if (rc != SKM_OK) {
        skm_bench_result_free(&res);
        return cli_fail(ctx);
    }
    if (res.n_failed) {
        fprintf(stderr, "skillmat bench: %zu check%s against the reference failed; nothing was "
                        "timed\n",
                res.n_failed, res.n_failed > 1 ? "s" : "");
        skm_bench_result_free(&res);
        return CLI_FAIL;
    }
    if (!quiet && res.n_rows)
        skm_bench_print_notes(stdout, &res);
    fprintf(stderr, "skillmat: bench: %zu rows in %.1f s%s%s%s%s\n", res.n_rows, res.seconds,
            par.h5_path ? "; wrote " : "", par.h5_path ? par.h5_path : "",
            par.csv_path ? "; wrote " : "", par.csv_path ? par.csv_path : "");
    skm_bench_result_free(&res);
    return CLI_OK;
}
