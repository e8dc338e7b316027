/*
 * cli.h — the skillmat command line: the command table and helpers shared by the cmd_*.c files.
 *
 * Each subcommand is `int cmd_<name>(int argc, char **argv, skm_ctx *ctx)`, where argv[0] is the
 * subcommand's name. It returns the process exit code: 0 ok, 1 failure, 2 usage.
 */
#ifndef SKM_CLI_H
#define SKM_CLI_H

#include <stdint.h>

#include "core/core.h" /* skm_group_int */
#include "skillmat.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv, skm_ctx *ctx);
    const char *summary;   /* one line for `skillmat --help` */
    const char *usage;     /* the full text of `skillmat <name> --help` */
} cli_cmd;

int cmd_ingest(int argc, char **argv, skm_ctx *ctx);
int cmd_info(int argc, char **argv, skm_ctx *ctx);
int cmd_cooccur(int argc, char **argv, skm_ctx *ctx);
int cmd_regress(int argc, char **argv, skm_ctx *ctx);
int cmd_cluster(int argc, char **argv, skm_ctx *ctx);
int cmd_describe(int argc, char **argv, skm_ctx *ctx);
int cmd_run(int argc, char **argv, skm_ctx *ctx);
int cmd_report(int argc, char **argv, skm_ctx *ctx);
int cmd_demo(int argc, char **argv, skm_ctx *ctx);
int cmd_synth(int argc, char **argv, skm_ctx *ctx);
int cmd_bench(int argc, char **argv, skm_ctx *ctx);

extern const char cmd_ingest_usage[];
extern const char cmd_info_usage[];
extern const char cmd_cooccur_usage[];
extern const char cmd_regress_usage[];
extern const char cmd_cluster_usage[];
extern const char cmd_describe_usage[];
extern const char cmd_run_usage[];
extern const char cmd_report_usage[];
extern const char cmd_demo_usage[];
extern const char cmd_synth_usage[];
extern const char cmd_bench_usage[];

/* The whole command line as typed (for /provenance). */
extern const char *cli_command_line;

/* Print "skillmat CMD: <message>" and a pointer to --help on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the context's error on stderr; returns CLI_FAIL. */
int cli_fail(skm_ctx *ctx);

/* Parse an integer in [lo, hi]; accepts K, M, G suffixes (powers of 1024) when `sizes` is set.
 * Returns 0 on success. */
int cli_parse_int(const char *s, long long lo, long long hi, int sizes, long long *out);
int cli_parse_double(const char *s, double *out);

/* Progress on stderr when it is a terminal; installed by main for every command. */
void cli_progress(void *user, const char *stage, uint64_t done, uint64_t total);


#endif
