/*
 * cmd_regress.c — `skillmat regress STORE.h5 -o RESULTS.h5`: salary regression by skill
 * (skm_regress), then the premium table (skm_regress_print).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char cmd_regress_usage[] =
    "usage: skillmat regress STORE.h5 -o RESULTS.h5 [options]\n"
    "\n"
    "Regress ln annual salary on skill indicators (plus --group indicators, --controls dummies,\n"
    "and --absorb fixed effects) and write each term's coefficient, standard errors (classical,\n"
    "HC1, cluster-robust), t, p, Benjamini-Hochberg q, confidence interval and premium\n"
    "100 (e^coef - 1) % under /regression of RESULTS.h5 (docs/hdf5-schema.md); other groups\n"
    "already in that results file are kept. Then prints the premium table.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE       results file (created, or updated if it is a skillmat results file)\n"
    "      --min-support N     skills in fewer postings with a salary are left out and listed\n"
    "                          (default 30)\n"
    "      --controls A,B      categorical /postings columns entered as dummies, e.g.\n"
    "                          role,remote,country (base level: the most frequent)\n"
    "      --absorb A[,B]      absorb up to two columns as fixed effects, e.g. company,title\n"
    "      --se LIST           classical,hc1,cluster[:COLUMN] (default all three, clusters by\n"
    "                          company); t, p, q and intervals use cluster if asked, else hc1,\n"
    "                          else classical\n"
    "      --group NAME=S1,S2  one indicator for postings with any of the skills (repeatable);\n"
    "                          its members leave the skill list. Adds the decomposition table:\n"
    "                          the group premium raw, within company, within title, within both\n"
    "      --no-decompose      skip the decomposition fits\n"
    "      --alpha A           intervals at 1 - A, significance marks (default 0.05)\n"
    "      --fe-method M       two absorbed columns: cg (alternating projections accelerated\n"
    "                          by conjugate gradients, default) or map (plain sweeps)\n"
    "      --fe-tol T          two absorbed columns: relative tolerance (default 1e-12)\n"
    "      --fe-max-iter N     two absorbed columns: at most N iterations (default 10000)\n"
    "      --top N             print the N highest and N lowest premiums (default 20; 0 all)\n"
    "      --threads N         threads (default: every CPU available)\n"
    "      --memory MIB        memory budget in MiB (default 4096)\n"
    "  -q, --quiet             no table on stdout\n"
    "  -h, --help              this text\n";

int cmd_regress(int argc, char **argv, skm_ctx *ctx)
{
    skm_regress_params par = skm_regress_params_default();
    const char *in = NULL, *out = NULL;
    const char *groups[64];
    size_t n_groups = 0;
    long long v, n_top = 20;
    int quiet = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED(opt)                                                                              \
    if (!next)                                                                                 \
        return cli_usage_error("regress", "%s needs a value", opt);                            \
    ++i;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEED(a);
            out = next;
        } else if (!strcmp(a, "--min-support")) {
            NEED(a);
            if (cli_parse_int(next, 1, (long long)1 << 40, 0, &v))
                return cli_usage_error("regress", "--min-support needs a whole number >= 1, not "
                                                  "'%s'",
                                       next);
            par.min_support = v;
        } else if (!strcmp(a, "--controls")) {
            NEED(a);
            par.controls = next;
        } else if (!strcmp(a, "--absorb")) {
            NEED(a);
            par.absorb = next;
        } else if (!strcmp(a, "--se")) {
            NEED(a);
            par.se = 0;
            par.cluster = NULL;
            const char *p = next;
            while (*p) {
                size_t len = strcspn(p, ",");
                if (len == 9 && !strncmp(p, "classical", 9))
                    par.se |= SKM_SE_CLASSICAL;
                else if (len == 3 && !strncmp(p, "hc1", 3))
                    par.se |= SKM_SE_HC1;
                else if (len >= 7 && !strncmp(p, "cluster", 7) && (len == 7 || p[7] == ':')) {
                    par.se |= SKM_SE_CLUSTER;
                    if (len > 8) {
                        static char col[256];
                        snprintf(col, sizeof col, "%.*s", (int)(len - 8), p + 8);
                        par.cluster = col;
                    } else if (len == 8)
                        return cli_usage_error("regress", "--se cluster: needs a column name");
                } else
                    return cli_usage_error("regress",
                                           "--se takes classical, hc1, cluster[:COLUMN], not "
                                           "'%.*s'",
                                           (int)len, p);
                p += len;
                if (*p == ',')
                    ++p;
            }
            if (!par.se)
                return cli_usage_error("regress", "--se needs at least one type");
        } else if (!strcmp(a, "--group")) {
            NEED(a);
            if (n_groups == 64)
                return cli_usage_error("regress", "at most 64 --group options");
            groups[n_groups++] = next;
        } else if (!strcmp(a, "--no-decompose")) {
            par.decompose = 0;
        } else if (!strcmp(a, "--alpha")) {
            NEED(a);
            if (cli_parse_double(next, &par.alpha) || !(par.alpha > 0 && par.alpha < 1))
                return cli_usage_error("regress", "--alpha needs a number in (0, 1), not '%s'",
                                       next);
        } else if (!strcmp(a, "--fe-tol")) {
            NEED(a);
            if (cli_parse_double(next, &par.fe_tol) || !(par.fe_tol > 0 && par.fe_tol < 1))
                return cli_usage_error("regress", "--fe-tol needs a number in (0, 1), not '%s'",
                                       next);
        } else if (!strcmp(a, "--fe-method")) {
            NEED(a);
            if (!strcmp(next, "cg"))
                par.fe_method = SKM_FE_CG;
            else if (!strcmp(next, "map"))
                par.fe_method = SKM_FE_MAP;
            else
                return cli_usage_error("regress", "--fe-method is cg or map, not '%s'", next);
        } else if (!strcmp(a, "--fe-max-iter")) {
            NEED(a);
            if (cli_parse_int(next, 1, 100000000, 0, &v))
                return cli_usage_error("regress", "--fe-max-iter needs a whole number >= 1, not "
                                                  "'%s'",
                                       next);
            par.fe_max_iter = (int)v;
        } else if (!strcmp(a, "--top")) {
            NEED(a);
            if (cli_parse_int(next, 0, 100000000, 0, &v))
                return cli_usage_error("regress", "--top needs a whole number >= 0, not '%s'",
                                       next);
            n_top = v;
        } else if (!strcmp(a, "--threads")) {
            NEED(a);
            if (cli_parse_int(next, 1, 1024, 0, &v))
                return cli_usage_error("regress", "--threads needs a number in 1..1024, not '%s'",
                                       next);
            par.threads = (int)v;
        } else if (!strcmp(a, "--memory")) {
            NEED(a);
            if (cli_parse_int(next, 1, (long long)1 << 30, 0, &v))
                return cli_usage_error("regress", "--memory needs MiB >= 1, not '%s'", next);
            par.memory_mib = (size_t)v;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("regress", "unknown option '%s'", a);
        } else if (in) {
            return cli_usage_error("regress", "one store at a time ('%s' and '%s')", in, a);
        } else {
            in = a;
        }
#undef NEED
    }
    if (!in)
        return cli_usage_error("regress", "no store given");
    if (!out)
        return cli_usage_error("regress", "no output file given (-o RESULTS.h5)");
    par.groups = groups;
    par.n_groups = n_groups;
    par.command_line = cli_command_line;
    if (skm_regress(ctx, in, out, &par) != SKM_OK)
        return cli_fail(ctx);
    fprintf(stderr, "skillmat: regress: wrote %s\n", out);
    if (!quiet && skm_regress_print(ctx, out, (size_t)n_top, stdout) != SKM_OK)
        return cli_fail(ctx);
    return CLI_OK;
}
