/*
 * cmd_synth.c — skillmat synth (issue 8; being written).
 */
#include <stdio.h>

#include "cli.h"

const char cmd_synth_usage[] = "usage: skillmat synth (not yet available)\n";

int cmd_synth(int argc, char **argv, skm_ctx *ctx)
{
    (void)argc, (void)argv, (void)ctx;
    fputs("skillmat synth: not yet available\n", stderr);
    return CLI_FAIL;
}
