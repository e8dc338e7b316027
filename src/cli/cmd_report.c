/*
 * cmd_report.c — `skillmat report results.h5`: the text report of a results file (skm_report).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char cmd_report_usage[] =
    "usage: skillmat report RESULTS.h5\n"
    "\n"
    "Print a readable report of a results file: the run (steps, status, times) when it was\n"
    "written by 'skillmat run', the market summary with salary tables by seniority, role family,\n"
    "work mode and country and the top skills (/describe), the strongest skill pairs\n"
    "(/cooccurrence), the role types (/clusters) and the skill premiums with 95 % intervals\n"
    "(/regression): whichever of those the file holds.\n"
    "\n"
    "options:\n"
    "  -h, --help    this text\n";

int cmd_report(int argc, char **argv, skm_ctx *ctx)
{
    const char *path = NULL;
    for (int i = 1; i < argc; ++i) {
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("report", "unknown option '%s'", argv[i]);
        if (path)
            return cli_usage_error("report", "one results file only");
        path = argv[i];
    }
    if (!path)
        return cli_usage_error("report", "no results file");
    if (skm_report(ctx, path, stdout) != SKM_OK)
        return cli_fail(ctx);
    return CLI_OK;
}
