/*
 * cmd_demo.c — `skillmat demo`: the README's main job. Runs the bundled run file
 * (notebooks-data/demo.conf: ingest of the bundled sample, describe, cooccur, cluster, regress
 * into out/results.h5), then the plotting scripts of notebooks-data/ on the results, and lists
 * the pictures.
 *
 * The repository is found from the current directory, else from the executable's path
 * (build/skillmat -> .): the run file's paths are relative to the repository root, so the demo
 * runs there. Plots need /usr/bin/python3 with h5py, numpy and matplotlib (.ci/install-deps).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

extern char **environ;

const char cmd_demo_usage[] =
    "usage: skillmat demo [--no-plots] [-q]\n"
    "\n"
    "Run the demo: 'skillmat run notebooks-data/demo.conf' (the bundled sample of 32,672 real\n"
    "2023 postings: ingest, describe, co-occurrence, role types, salary regression, into\n"
    "out/results.h5), then draw the plots of notebooks-data/ into out/plots/ and list them.\n"
    "Runs in the repository root (found from the current directory or the executable).\n"
    "\n"
    "options:\n"
    "      --no-plots   the run only\n"
    "  -q, --quiet      less output from the steps\n"
    "  -h, --help       this text\n";

/* The plotting scripts, in the order the pictures are listed (notebooks-data/<name>.py). */
static const char *const plots[] = {"top_skills", "salary",  "cooccurrence",
                                    "role_types", "premiums", "trends"};

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* chdir to the repository root: the current directory, or the executable's grandparent. */
static int find_root(skm_ctx *ctx)
{
    if (exists("notebooks-data/demo.conf"))
        return SKM_OK;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 2; ++up) {
            char *s = strrchr(exe, '/');
            if (!s)
                break;
            *s = '\0';
            char probe[4200];
            snprintf(probe, sizeof probe, "%s/notebooks-data/demo.conf", exe);
            if (exists(probe) && chdir(exe) == 0)
                return SKM_OK;
        }
    }
    return skm_error(ctx, SKM_ENOTFOUND,
                     "notebooks-data/demo.conf not found: run 'skillmat demo' in the skillmat "
                     "repository (or from its build directory)");
}

static int run_script(const char *script, const char *results, const char *outdir)
{
    char *argv[] = {(char *)"/usr/bin/python3", (char *)script, (char *)results, (char *)outdir,
                    NULL};
    /* the script's own "wrote PATH" line goes to /dev/null: the demo lists the pictures itself;
     * its errors still reach stderr */
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    const int sp = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (sp != 0)
        return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cmd_demo(int argc, char **argv, skm_ctx *ctx)
{
    int no_plots = 0, quiet = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--no-plots"))
            no_plots = 1;
        else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            quiet = 1;
        else
            return cli_usage_error("demo", "unknown argument '%s'", argv[i]);
    }
    if (find_root(ctx))
        return cli_fail(ctx);
    if (mkdir("out", 0777) != 0 && errno != EEXIST) {
        skm_error(ctx, SKM_EIO, "cannot create out/: %s", strerror(errno));
        return cli_fail(ctx);
    }
    char *run_argv[] = {(char *)"run", (char *)"notebooks-data/demo.conf",
                        quiet ? (char *)"-q" : NULL, NULL};
    const int rc = cmd_run(quiet ? 3 : 2, run_argv, ctx);
    if (rc != CLI_OK || no_plots)
        return rc;
    if (access("/usr/bin/python3", X_OK) != 0) {
        skm_error(ctx, SKM_ENOTFOUND,
                  "/usr/bin/python3 not found: the plots need it with h5py, numpy and "
                  "matplotlib (.ci/install-deps installs them); the results are in "
                  "out/results.h5");
        return cli_fail(ctx);
    }
    if (mkdir("out/plots", 0777) != 0 && errno != EEXIST) {
        skm_error(ctx, SKM_EIO, "cannot create out/plots/: %s", strerror(errno));
        return cli_fail(ctx);
    }
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    printf("\nplots (notebooks-data/*.py on out/results.h5):\n");
    int failed = 0;
    for (size_t i = 0; i < sizeof plots / sizeof plots[0]; ++i) {
        char script[256], png[256];
        snprintf(script, sizeof script, "notebooks-data/%s.py", plots[i]);
        snprintf(png, sizeof png, "out/plots/%s.png", plots[i]);
        fflush(stdout);
        const int s = run_script(script, "out/results.h5", "out/plots");
        if (s != 0 || !exists(png)) {
            fprintf(stderr, "skillmat demo: %s failed (exit %d)\n", script, s);
            failed = 1;
            continue;
        }
        printf("  %s/%s\n", cwd, png);
    }
    if (failed) {
        skm_error(ctx, SKM_EIO, "some plots were not drawn (messages above)");
        return cli_fail(ctx);
    }
    printf("\nreport: skillmat report out/results.h5   notebooks: notebooks-data/*.ipynb\n");
    return CLI_OK;
}
