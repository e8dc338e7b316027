/*
 * main.c — the skillmat command table, global options, and the shared CLI helpers.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>

#include "cli/cli.h"

static const cli_cmd commands[] = {
    {"ingest", cmd_ingest, "read postings (CSV / JSON Lines, optionally gzip) into a store",
     cmd_ingest_usage},
    {"info", cmd_info, "show what a store holds", cmd_info_usage},
    {"describe", cmd_describe, "the market: counts, shares, salary quantiles, top skills, months",
     cmd_describe_usage},
    {"cooccur", cmd_cooccur, "skill co-occurrence: counts, association measures, significance",
     cmd_cooccur_usage},
    {"cluster", cmd_cluster, "role types: k-means clusters of postings by their skills",
     cmd_cluster_usage},
    {"regress", cmd_regress, "salary regression by skill: premiums with robust standard errors",
     cmd_regress_usage},
    {"run", cmd_run, "run ingest and the analyses of a run file into one results file",
     cmd_run_usage},
    {"report", cmd_report, "print a readable report of a results file", cmd_report_usage},
    {"demo", cmd_demo, "the demo: the bundled run file on the sample, then the plots",
     cmd_demo_usage},
    {"synth", cmd_synth, "synthetic postings calibrated from a store, with planted premiums",
     cmd_synth_usage},
    {"bench", cmd_bench, "kernel benchmarks against this machine's measured limits",
     cmd_bench_usage},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

const char *cli_command_line = "";
static skm_ctx *g_ctx;
/* Nonzero while a progress line is on the terminal without its newline. */
static int progress_open;

static void on_signal(int sig)
{
    static volatile sig_atomic_t seen;
    if (seen) { /* a second signal: stop now, the default way */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    seen = 1;
    if (g_ctx)
        skm_ctx_interrupt(g_ctx);
}

static void print_help(FILE *out)
{
    fprintf(out, "usage: skillmat COMMAND [options] [args]\n"
                 "       skillmat COMMAND --help\n"
                 "       skillmat --version\n\n"
                 "skillmat: statistics of job postings: skills, co-occurrence, role types, pay.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; ++i)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nexit status: 0 ok, 1 failure, 2 usage error. Diagnostics go to stderr.\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "skillmat %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'skillmat %s --help'.\n", cmd);
    return CLI_USAGE;
}

int cli_fail(skm_ctx *ctx)
{
    if (progress_open)
        fputs("\n", stderr);
    progress_open = 0;
    fprintf(stderr, "skillmat: error: %s\n", skm_ctx_errmsg(ctx));
    return CLI_FAIL;
}

int cli_parse_int(const char *s, long long lo, long long hi, int sizes, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno)
        return -1;
    if (sizes && *end) {
        int shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20
                  : *end == 'G' || *end == 'g' ? 30 : -1;
        if (shift < 0 || v > (hi >> shift))
            return -1;
        v <<= shift;
        ++end;
    }
    if (*end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

void cli_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
    (void)user;
    progress_open = done != total;
    if (total)
        fprintf(stderr, "\r%s: %5.1f%%  %.1f of %.1f MB ", stage, 100.0 * (double)done / (double)total,
                (double)done / 1e6, (double)total / 1e6);
    else
        fprintf(stderr, "\r%s: %.1f MB ", stage, (double)done / 1e6);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Log messages go to stderr; on a terminal, they first clear an open progress line. */
static void cli_log(void *user, int level, const char *msg)
{
    (void)user;
    static const char *const prefix[] = {"error: ", "warning: ", "", ""};
    if (progress_open) {
        fputs("\r\033[K", stderr);
        progress_open = 0;
    }
    fprintf(stderr, "skillmat: %s%s\n", prefix[level < 0 ? 0 : level > 3 ? 3 : level], msg);
}

static char *join_args(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; ++i)
        n += strlen(argv[i]) * 4 + 3;
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < argc; ++i) {
        /* Quote arguments the shell would split, so the recorded line can be re-run. */
        int plain = argv[i][0] != '\0' && strpbrk(argv[i], " \t\n'\"\\$`*?[]{}()<>|&;#~") == NULL;
        if (i)
            *p++ = ' ';
        if (plain) {
            p += sprintf(p, "%s", argv[i]);
            continue;
        }
        *p++ = '\'';
        for (const char *c = argv[i]; *c; ++c) {
            if (*c == '\'')
                p += sprintf(p, "'\\''");
            else
                *p++ = *c;
        }
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            for (size_t i = 0; i < N_COMMANDS; ++i)
                if (!strcmp(argv[2], commands[i].name)) {
                    fputs(commands[i].usage, stdout);
                    return CLI_OK;
                }
            return cli_usage_error("help", "unknown command '%s'", argv[2]);
        }
        print_help(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        unsigned maj, min, rel;
        H5get_libversion(&maj, &min, &rel);
        printf("skillmat %s (git %s; store schema %d.%d; kernels %s; HDF5 %u.%u.%u; GSL %s)\n",
               skm_version(), skm_git_revision(), SKM_SCHEMA_MAJOR, SKM_SCHEMA_MINOR, skm_isa(),
               maj, min, rel, gsl_version);
        return CLI_OK;
    }
    const cli_cmd *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; ++i)
        if (!strcmp(argv[1], commands[i].name))
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "skillmat: unknown command '%s'\n\n", argv[1]);
        print_help(stderr);
        return CLI_USAGE;
    }
    for (int i = 2; i < argc; ++i) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cmd->usage, stdout);
            return CLI_OK;
        }
    }

    /* Library errors are returned, never fatal: silence GSL's abort and HDF5's stack printer. */
    gsl_set_error_handler_off();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    skm_ctx *ctx = skm_ctx_alloc();
    char *line = join_args(argc, argv);
    if (!ctx || !line) {
        fprintf(stderr, "skillmat: out of memory\n");
        return CLI_FAIL;
    }
    if (skm_isa_check(ctx) != SKM_OK) {
        fprintf(stderr, "skillmat: %s\n", skm_ctx_errmsg(ctx));
        skm_ctx_free(ctx);
        free(line);
        return CLI_USAGE;
    }
    cli_command_line = line;
    g_ctx = ctx;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    skm_ctx_set_log(ctx, cli_log, NULL);
    if (isatty(STDERR_FILENO))
        skm_ctx_set_progress(ctx, cli_progress, NULL);

    int rc = cmd->fn(argc - 1, argv + 1, ctx);

    g_ctx = NULL;
    skm_ctx_free(ctx);
    free(line);
    return rc;
}
