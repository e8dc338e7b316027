/*
 * cmd_describe.c — `skillmat describe STORE.h5 -o RESULTS.h5`: the market description
 * (skm_describe), then its summary (skm_describe_print).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "describe/describe.h"

const char cmd_describe_usage[] =
    "usage: skillmat describe STORE.h5 -o RESULTS.h5 [options]\n"
    "\n"
    "Describe the market: postings, salary coverage, the annual salary's mean and quantiles\n"
    "(p10, p25, median, p75, p90; finite salaries > 0) overall and by each grouping, the top\n"
    "skills overall and per role family and role, and the postings and top-skill shares per\n"
    "month, written under /describe of RESULTS.h5 (docs/hdf5-schema.md); other groups already\n"
    "in that results file are kept. Then prints a summary.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE       results file (created, or updated if it is a skillmat results file)\n"
    "      --by LIST           groupings, comma-separated: categorical /postings columns, remote,\n"
    "                          state (default role,role_family,seniority,work_mode,remote,\n"
    "                          country,state; '' none). Columns a store lacks (seniority,\n"
    "                          role_family, work_mode before schema 1.4) are skipped and listed\n"
    "      --top N             top skills overall and per role family / role (default 20)\n"
    "      --max-levels N      named levels per grouping, the rest pooled as (other) (default 50)\n"
    "  -q, --quiet             no summary on stdout\n"
    "  -h, --help              this text\n";

int cmd_describe(int argc, char **argv, skm_ctx *ctx)
{
    skm_describe_params par = skm_describe_params_default();
    const char *in = NULL, *out = NULL;
    long long v;
    int quiet = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED(opt)                                                                              \
    if (!next)                                                                                 \
        return cli_usage_error("describe", "%s needs a value", opt);                           \
    ++i;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEED(a);
            out = next;
        } else if (!strcmp(a, "--by")) {
            NEED(a);
            par.by = next;
        } else if (!strcmp(a, "--top")) {
            NEED(a);
            if (cli_parse_int(next, 1, 1000, 0, &v))
                return cli_usage_error("describe", "--top needs a number in 1..1000, not '%s'",
                                       next);
            par.top = (size_t)v;
        } else if (!strcmp(a, "--max-levels")) {
            NEED(a);
            if (cli_parse_int(next, 1, 1000000, 0, &v))
                return cli_usage_error("describe",
                                       "--max-levels needs a number in 1..1000000, not '%s'", next);
            par.max_levels = (size_t)v;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("describe", "unknown option '%s'", a);
        } else if (in) {
            return cli_usage_error("describe", "one store at a time ('%s' and '%s')", in, a);
        } else {
            in = a;
        }
#undef NEED
    }
    if (!in)
        return cli_usage_error("describe", "no store given");
    if (!out)
        return cli_usage_error("describe", "no output file given (-o RESULTS.h5)");
    par.command_line = cli_command_line;
    if (skm_describe(ctx, in, out, &par) != SKM_OK)
        return cli_fail(ctx);
    fprintf(stderr, "skillmat: describe: wrote %s\n", out);
    if (!quiet && skm_describe_print(ctx, out, stdout) != SKM_OK)
        return cli_fail(ctx);
    return CLI_OK;
}
