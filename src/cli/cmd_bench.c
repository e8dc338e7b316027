/*
 * cmd_bench.c — skillmat bench (issue 8; being written).
 */
#include <stdio.h>

#include "cli.h"

const char cmd_bench_usage[] = "usage: skillmat bench (not yet available)\n";

int cmd_bench(int argc, char **argv, skm_ctx *ctx)
{
    (void)argc, (void)argv, (void)ctx;
    fputs("skillmat bench: not yet available\n", stderr);
    return CLI_FAIL;
}
