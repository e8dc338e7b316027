/*
 * cmd_synth.c — `skillmat synth --from STORE -n N -o OUT`: synthetic postings calibrated from a
 * store, with planted salary premiums (skm_synth; docs/synth.md).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "synth/synth.h"

const char cmd_synth_usage[] =
    "usage: skillmat synth --from STORE.h5 -n N -o OUT [options]\n"
    "\n"
    "Generate N synthetic job postings calibrated from a store: roles and their titles,\n"
    "seniority, locations, countries, remote flags, monthly dates, the number of skills per\n"
    "posting and each role's skill profile, salary coverage and the hourly share. The salary\n"
    "model plants known skill premiums: ln annual salary = mu[role, seniority] + sum of the\n"
    "posting's premiums + normal noise, so that `skillmat regress` and `skillmat cluster` can be\n"
    "checked against the truth (docs/synth.md). Seeded: the same seed, options and store give\n"
    "the same bytes. Memory does not grow with N.\n"
    "\n"
    "OUT's extension picks the format: .csv, .csv.gz, .jsonl, .jsonl.gz (records `skillmat\n"
    "ingest` reads with no options) or .h5 (a store, the one ingest makes of the CSV, with the\n"
    "truth under /synth). OUT is written to a temporary file and renamed when complete.\n"
    "\n"
    "options:\n"
    "      --from STORE        the calibration store (e.g. the bundled sample, ingested)\n"
    "  -n N                    postings: 1 .. 1G, with decimal suffixes k, M, G (10M =\n"
    "                          10,000,000)\n"
    "  -o, --output FILE       the output (.csv, .csv.gz, .jsonl, .jsonl.gz, .h5)\n"
    "      --seed S            random seed (default 1)\n"
    "      --skills P          vocabulary size, 1..100000 (default: the store's skill count);\n"
    "                          fewer keep the most listed, more take names from the default\n"
    "                          taxonomy, then skill_NNNN, with frequencies continuing the\n"
    "                          store's rank-frequency curve\n"
    "      --text              add a description column naming the posting's skills\n"
    "                          (CSV / JSON Lines only)\n"
    "      --contrast C        role separation: P(skill | role) ~ P(skill) lift^C (default 1:\n"
    "                          the calibrated profiles; 3: clustering recovers the roles)\n"
    "      --premiums K        skills with a planted premium, drawn among those listed by\n"
    "                          >= 1 % of postings (default 20)\n"
    "      --premium-sd SD     sd of the planted premiums, log points (default 0.10)\n"
    "      --noise SD          sd of the ln salary noise (default: calibrated, the pooled\n"
    "                          within role x seniority sd of the store)\n"
    "      --truth FILE        write the planted truth as CSV (docs/synth.md)\n"
    "      --companies N       distinct companies, Zipf sizes (default clamp(N/50, 100,\n"
    "                          200000))\n"
    "      --compression N     gzip level of .gz outputs, deflate level of .h5 (default 1)\n"
    "  -q, --quiet             no summary\n"
    "  -h, --help              this text\n";

/* A count with optional decimal suffix k, M or G (case-insensitive k; 1.5M works too). */
static int parse_count(const char *s, double lo, double hi, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v))
        return -1;
    if (*end == 'k' || *end == 'K')
        v *= 1e3, ++end;
    else if (*end == 'M')
        v *= 1e6, ++end;
    else if (*end == 'G' || *end == 'g')
        v *= 1e9, ++end;
    if (*end || v != floor(v) || v < lo || v > hi)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int cmd_synth(int argc, char **argv, skm_ctx *ctx)
{
    skm_synth_params par = skm_synth_params_default();
    const char *from = NULL, *out = NULL;
    long long v;
    uint64_t u;
    int quiet = 0, have_n = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED(opt)                                                                              \
    if (!next)                                                                                 \
        return cli_usage_error("synth", "%s needs a value", opt);                              \
    ++i;
        if (!strcmp(a, "--from")) {
            NEED(a);
            from = next;
        } else if (!strcmp(a, "-n")) {
            NEED(a);
            if (parse_count(next, 1, 1e9, &u))
                return cli_usage_error("synth", "-n needs a whole number in 1..1e9 (suffixes k, "
                                                "M, G), not '%s'",
                                       next);
            par.n = u;
            have_n = 1;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEED(a);
            out = next;
        } else if (!strcmp(a, "--seed")) {
            NEED(a);
            if (cli_parse_int(next, 0, (long long)1 << 62, 0, &v))
                return cli_usage_error("synth", "--seed needs a whole number >= 0, not '%s'",
                                       next);
            par.seed = (uint64_t)v;
        } else if (!strcmp(a, "--skills")) {
            NEED(a);
            if (parse_count(next, 1, SKM_SYNTH_MAX_SKILLS, &u))
                return cli_usage_error("synth", "--skills needs a number in 1..%d, not '%s'",
                                       SKM_SYNTH_MAX_SKILLS, next);
            par.n_skills = (int64_t)u;
        } else if (!strcmp(a, "--text")) {
            par.text = 1;
        } else if (!strcmp(a, "--contrast")) {
            NEED(a);
            if (cli_parse_double(next, &par.contrast) || !(par.contrast >= 0) ||
                par.contrast > SKM_SYNTH_MAX_CONTRAST)
                return cli_usage_error("synth", "--contrast needs a number in [0, %g], not '%s'",
                                       SKM_SYNTH_MAX_CONTRAST, next);
        } else if (!strcmp(a, "--premiums")) {
            NEED(a);
            if (cli_parse_int(next, 0, SKM_SYNTH_MAX_SKILLS, 0, &v))
                return cli_usage_error("synth", "--premiums needs a whole number >= 0, not '%s'",
                                       next);
            par.n_premiums = v;
        } else if (!strcmp(a, "--premium-sd")) {
            NEED(a);
            if (cli_parse_double(next, &par.premium_sd) || !(par.premium_sd >= 0) ||
                par.premium_sd > 5)
                return cli_usage_error("synth", "--premium-sd needs a number in [0, 5], not '%s'",
                                       next);
        } else if (!strcmp(a, "--noise")) {
            NEED(a);
            if (cli_parse_double(next, &par.noise_sd) || !(par.noise_sd >= 0) ||
                par.noise_sd > 5)
                return cli_usage_error("synth", "--noise needs a number in [0, 5], not '%s'",
                                       next);
        } else if (!strcmp(a, "--truth")) {
            NEED(a);
            par.truth_path = next;
        } else if (!strcmp(a, "--companies")) {
            NEED(a);
            if (parse_count(next, 1, SKM_SYNTH_MAX_COMPANIES, &u))
                return cli_usage_error("synth", "--companies needs a number in 1..%d, not '%s'",
                                       SKM_SYNTH_MAX_COMPANIES, next);
            par.n_companies = (int64_t)u;
        } else if (!strcmp(a, "--compression")) {
            NEED(a);
            if (cli_parse_int(next, 0, 9, 0, &v))
                return cli_usage_error("synth", "--compression needs 0..9, not '%s'", next);
            par.compression = (int)v;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else {
            return a[0] == '-' && a[1] ? cli_usage_error("synth", "unknown option '%s'", a)
                                       : cli_usage_error("synth", "unexpected argument '%s' "
                                                                  "(the store is --from STORE)",
                                                         a);
        }
#undef NEED
    }
    if (!from)
        return cli_usage_error("synth", "no calibration store given (--from STORE.h5)");
    if (!have_n)
        return cli_usage_error("synth", "no number of postings given (-n N)");
    if (!out)
        return cli_usage_error("synth", "no output file given (-o OUT.csv | .csv.gz | .jsonl | "
                                        ".jsonl.gz | .h5)");
    if (skm_synth_format_of(out) < 0)
        return cli_usage_error("synth", "the output's extension picks the format: .csv, .csv.gz, "
                                        ".jsonl, .jsonl.gz or .h5, not '%s'",
                               out);
    if (par.text && skm_synth_format_of(out) == SKM_SYNTH_H5)
        return cli_usage_error("synth", "--text needs a .csv or .jsonl output (a store keeps "
                                        "no description text)");
    par.command_line = cli_command_line;
    if (quiet)
        skm_ctx_set_log_level(ctx, SKM_LOG_WARN);
    skm_synth_report rep;
    if (skm_synth(ctx, from, out, &par, &rep) != SKM_OK)
        return cli_fail(ctx);
    if (!quiet) {
        char a[32], b[32], c[32], d[32];
        const double s = rep.seconds - rep.calibrate_seconds;
        printf("wrote %s: %s postings, %s skills, %s roles, %.1f MB in %.2f s (%.2f s "
               "calibrating), %s postings/s\n",
               out, skm_group_int(a, (long long)rep.n_postings), skm_group_int(b, rep.n_skills),
               skm_group_int(c, rep.n_roles), (double)rep.bytes / 1e6, rep.seconds,
               rep.calibrate_seconds,
               skm_group_int(d, s > 0 ? (long long)((double)rep.n_postings / s) : 0));
    }
    return CLI_OK;
}
