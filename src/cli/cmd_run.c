/*
 * cmd_run.c — `skillmat run batch.conf`: ingest and every analysis of a run file, in order, into
 * one results file with /provenance (format: docs/run-files.md; annotated example:
 * notebooks-data/demo.conf).
 *
 * A section is a command and its keys are that command's long options, so a run file says what
 * the equivalent command lines would say and each step is exactly that command (argv built from
 * the section, run through the command's own parser): one way to parse every option. Keys are
 * checked against the command's usage text before anything runs, so a misspelt option fails with
 * its line number at once rather than after an hour of ingest.
 *
 * Output: the analyses write into a temporary results file next to the output; /provenance is
 * added last and the file renamed over the output. A failed analysis is reported (which, and
 * why) and the others go on; their groups are kept, and the run exits 1. An interrupted run
 * leaves the output as it was.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

const char cmd_run_usage[] =
    "usage: skillmat run RUN_FILE [-q]\n"
    "\n"
    "Run ingest and the analyses a run file names, in its order, into one results file:\n"
    "\n"
    "  [run]\n"
    "  output = out/results.h5        # the results file (all groups + /provenance)\n"
    "  store  = out/market.h5         # the store ingest writes (or an existing one)\n"
    "  [ingest]\n"
    "  input  = postings.csv.gz       # repeatable; other keys: ingest's long options\n"
    "  [describe]\n"
    "  [cooccur]\n"
    "  skill  = pytorch               # key = value is --skill pytorch\n"
    "  weighted                       # a key alone is a flag: --weighted\n"
    "  [cluster]\n"
    "  k-range = 2:15\n"
    "  [regress]\n"
    "  controls = role,remote\n"
    "\n"
    "Sections: run, ingest, describe, cooccur, cluster, regress (each once; ingest before the\n"
    "analyses). '#' starts a comment. Paths are relative to the current directory. A failed\n"
    "analysis is reported and the others still run; the exit status is then 1. Format:\n"
    "docs/run-files.md.\n"
    "\n"
    "options:\n"
    "  -q, --quiet   only the step lines and the final table\n"
    "  -h, --help    this text\n";

typedef struct kv {
    char *key, *val; /* val NULL: a flag */
    int line;
} kv;

typedef struct section {
    char *name;
    int line;
    kv *items;
    size_t n, cap;
} section;

typedef struct runfile {
    const char *path;
    char *text;
    section *sec;
    size_t n, cap;
} runfile;

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv, skm_ctx *ctx);
    const char *usage;
} steps_known[] = {
    {"ingest", cmd_ingest, cmd_ingest_usage},       {"describe", cmd_describe, cmd_describe_usage},
    {"cooccur", cmd_cooccur, cmd_cooccur_usage},    {"cluster", cmd_cluster, cmd_cluster_usage},
    {"regress", cmd_regress, cmd_regress_usage},
};
#define N_KNOWN (sizeof steps_known / sizeof steps_known[0])

static int known_step(const char *name)
{
    for (size_t i = 0; i < N_KNOWN; ++i)
        if (!strcmp(name, steps_known[i].name))
            return (int)i;
    return -1;
}

static void runfile_free(runfile *rf)
{
    for (size_t i = 0; i < rf->n; ++i) {
        for (size_t j = 0; j < rf->sec[i].n; ++j) {
            free(rf->sec[i].items[j].key);
            free(rf->sec[i].items[j].val);
        }
        free(rf->sec[i].items);
        free(rf->sec[i].name);
    }
    free(rf->sec);
    free(rf->text);
}

static char *trimmed(const char *b, const char *e)
{
    while (b < e && (*b == ' ' || *b == '\t'))
        ++b;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        --e;
    return skm_strndup(b, (size_t)(e - b));
}

static int bad(skm_ctx *ctx, const runfile *rf, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad(skm_ctx *ctx, const runfile *rf, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return skm_error(ctx, SKM_EPARSE, "%s:%d: %s", rf->path, line, msg);
}

/* The option a key names: "--key", or "-k" for a one-letter key. */
static void option_of(const char *key, char *opt, size_t n)
{
    snprintf(opt, n, "%s%s", key[1] ? "--" : "-", key);
}

/* Does the key's option appear in the command's usage text (as an option, not inside a longer
 * one)? */
static int option_known(const char *usage, const char *key)
{
    char opt[128];
    option_of(key, opt, sizeof opt);
    const size_t n = strlen(opt);
    for (const char *p = strstr(usage, opt); p; p = strstr(p + 1, opt)) {
        const char b = p > usage ? p[-1] : ' ', c = p[n];
        if ((b == ' ' || b == '[' || b == ',' || b == '|') &&
            !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 1;
    }
    return 0;
}

static int parse_runfile(skm_ctx *ctx, runfile *rf)
{
    FILE *f = fopen(rf->path, "rb");
    if (!f)
        return skm_error(ctx, SKM_EIO, "cannot open run file %s: %s", rf->path, strerror(errno));
    skm_buf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (skm_buf_append(&b, chunk, got)) {
            fclose(f);
            skm_buf_free(&b);
            return skm_error(ctx, SKM_ENOMEM, "out of memory");
        }
    fclose(f);
    rf->text = b.ptr ? b.ptr : skm_strdup("");
    if (!rf->text)
        return skm_error(ctx, SKM_ENOMEM, "out of memory");
    const size_t n = b.ptr ? b.len : 0;
    if (skm_utf8_check(rf->text, n) != n || memchr(rf->text, '\0', n))
        return skm_error(ctx, SKM_EPARSE, "%s: not a UTF-8 text file", rf->path);
    int line = 0, saw_analysis = 0;
    for (const char *p = rf->text, *end = rf->text + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
        ++line;
        /* strip a comment: '#' at the start or after white space */
        const char *ce = le;
        for (const char *q = p; q < le; ++q)
            if (*q == '#' && (q == p || q[-1] == ' ' || q[-1] == '\t')) {
                ce = q;
                break;
            }
        char *s = trimmed(p, ce);
        p = nl ? nl + 1 : end;
        if (!s)
            return skm_error(ctx, SKM_ENOMEM, "out of memory");
        if (!*s) {
            free(s);
            continue;
        }
        if (s[0] == '[') {
            size_t sl = strlen(s);
            if (s[sl - 1] != ']') {
                int rc = bad(ctx, rf, line, "section header '%s' has no closing ']'", s);
                free(s);
                return rc;
            }
            s[sl - 1] = '\0';
            char *name = trimmed(s + 1, s + sl - 1);
            free(s);
            if (!name)
                return skm_error(ctx, SKM_ENOMEM, "out of memory");
            const int k = known_step(name);
            if (k < 0 && strcmp(name, "run") != 0) {
                int rc = bad(ctx, rf, line,
                             "unknown section [%s] (run, ingest, describe, cooccur, cluster, "
                             "regress)",
                             name);
                free(name);
                return rc;
            }
            for (size_t i = 0; i < rf->n; ++i)
                if (!strcmp(rf->sec[i].name, name)) {
                    int rc = bad(ctx, rf, line, "section [%s] given twice (first at line %d)",
                                 name, rf->sec[i].line);
                    free(name);
                    return rc;
                }
            if (k == 0 && saw_analysis) {
                int rc = bad(ctx, rf, line, "[%s] must come before the analyses", name);
                free(name);
                return rc;
            }
            saw_analysis |= k > 0;
            if (skm_grow_array((void **)&rf->sec, &rf->cap, rf->n + 1, sizeof *rf->sec)) {
                free(name);
                return skm_error(ctx, SKM_ENOMEM, "out of memory");
            }
            memset(&rf->sec[rf->n], 0, sizeof rf->sec[rf->n]);
            rf->sec[rf->n].name = name;
            rf->sec[rf->n].line = line;
            rf->n++;
            continue;
        }
        if (rf->n == 0) {
            int rc = bad(ctx, rf, line, "'%s' before any [section]", s);
            free(s);
            return rc;
        }
        section *sc = &rf->sec[rf->n - 1];
        char *eq = strchr(s, '=');
        char *key = eq ? trimmed(s, eq) : skm_strdup(s);
        char *val = eq ? trimmed(eq + 1, s + strlen(s)) : NULL;
        free(s);
        if (!key || (eq && !val)) {
            free(key);
            free(val);
            return skm_error(ctx, SKM_ENOMEM, "out of memory");
        }
        int rc = SKM_OK;
        const int k = known_step(sc->name);
        if (!*key || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(key))
            rc = bad(ctx, rf, line, "'%s' is not a key (lower-case letters, digits, '-')", key);
        else if (eq && !*val)
            rc = bad(ctx, rf, line,
                     "key '%s' has an empty value (write the key alone for a flag)", key);
        else if (k < 0 && strcmp(key, "output") != 0 && strcmp(key, "store") != 0)
            rc = bad(ctx, rf, line, "unknown key '%s' in [run] (output, store)", key);
        else if (k < 0 && !eq)
            rc = bad(ctx, rf, line, "[run] key '%s' needs a value", key);
        else if (k >= 0 && (!strcmp(key, "output") || !strcmp(key, "help")))
            rc = bad(ctx, rf, line, "'%s' is set by the run (see [run])", key);
        else if (k == 0 && !strcmp(key, "input"))
            rc = eq ? SKM_OK : bad(ctx, rf, line, "input needs a file name");
        else if (k >= 0 && !option_known(steps_known[k].usage, key))
            rc = bad(ctx, rf, line, "[%s] has no option %s%s (skillmat %s --help)", sc->name,
                     key[1] ? "--" : "-", key, sc->name);
        if (!rc && skm_grow_array((void **)&sc->items, &sc->cap, sc->n + 1, sizeof *sc->items))
            rc = skm_error(ctx, SKM_ENOMEM, "out of memory");
        if (rc) {
            free(key);
            free(val);
            return rc;
        }
        sc->items[sc->n++] = (kv){key, val, line};
    }
    return SKM_OK;
}

static const char *lookup(const section *sc, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; sc && i < sc->n; ++i)
        if (!strcmp(sc->items[i].key, key))
            v = sc->items[i].val;
    return v;
}

/* argv of a step: NAME [positional...] -o OUT [--key [value]]... (NULL-terminated, strings
 * owned by *args). */
typedef struct args {
    char **v;
    size_t n, cap;
} args;

static int push(args *a, const char *s)
{
    if (skm_grow_array((void **)&a->v, &a->cap, a->n + 2, sizeof *a->v))
        return SKM_ENOMEM;
    if (!(a->v[a->n] = skm_strdup(s)))
        return SKM_ENOMEM;
    a->v[++a->n] = NULL;
    return SKM_OK;
}

static void args_free(args *a)
{
    for (size_t i = 0; i < a->n; ++i)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

static char *joined(const args *a)
{
    skm_buf b = {0};
    skm_buf_printf(&b, "skillmat");
    for (size_t i = 0; i < a->n; ++i)
        skm_buf_printf(&b, strpbrk(a->v[i], " \t'\"$") ? " '%s'" : " %s", a->v[i]);
    return b.ptr ? b.ptr : skm_strdup("");
}

int cmd_run(int argc, char **argv, skm_ctx *ctx)
{
    const char *path = NULL;
    int quiet = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (argv[i][0] == '-')
            return cli_usage_error("run", "unknown option '%s'", argv[i]);
        else if (path)
            return cli_usage_error("run", "one run file only ('%s' and '%s')", path, argv[i]);
        else
            path = argv[i];
    }
    if (!path)
        return cli_usage_error("run", "no run file");
    runfile rf;
    memset(&rf, 0, sizeof rf);
    rf.path = path;
    if (parse_runfile(ctx, &rf)) {
        runfile_free(&rf);
        return cli_fail(ctx);
    }
    const section *run = NULL, *ing = NULL;
    size_t n_analyses = 0;
    for (size_t i = 0; i < rf.n; ++i) {
        if (!strcmp(rf.sec[i].name, "run"))
            run = &rf.sec[i];
        else if (!strcmp(rf.sec[i].name, "ingest"))
            ing = &rf.sec[i];
        else
            ++n_analyses;
    }
    const char *output = lookup(run, "output");
    const char *store = lookup(run, "store");
    char store_buf[4096];
    int rc = CLI_OK;
    if (!output) {
        skm_error(ctx, SKM_EPARSE, "%s:%d: [run] needs 'output = RESULTS.h5'", path,
                  run ? run->line : 1);
        runfile_free(&rf);
        return cli_fail(ctx);
    }
    if (ing && !lookup(ing, "input")) {
        skm_error(ctx, SKM_EPARSE, "%s:%d: [ingest] needs at least one 'input = FILE'", path,
                  ing->line);
        runfile_free(&rf);
        return cli_fail(ctx);
    }
    if (!store) {
        if (!ing) {
            skm_error(ctx, SKM_EPARSE, "%s:%d: no [ingest]: [run] needs 'store = MARKET.h5'",
                      path, run->line);
            runfile_free(&rf);
            return cli_fail(ctx);
        }
        const char *slash = strrchr(output, '/');
        snprintf(store_buf, sizeof store_buf, "%.*smarket.h5",
                 slash ? (int)(slash - output + 1) : 0, output);
        store = store_buf;
    }
    /* the analyses write into a temporary results file, renamed at the end */
    char *tmp = skm_temp_path(output, "run");
    if (tmp)
        unlink(tmp);
    const size_t n_steps = (ing ? 1 : 0) + n_analyses;
    skm_run_step *steps = skm_calloc_array(n_steps + 1, sizeof *steps);
    char **cmdlines = skm_calloc_array(n_steps + 1, sizeof *cmdlines);
    char **msgs = skm_calloc_array(n_steps + 1, sizeof *msgs);
    if (!tmp || !steps || !cmdlines || !msgs) {
        free(tmp);
        free(steps);
        free(cmdlines);
        free(msgs);
        runfile_free(&rf);
        skm_error(ctx, SKM_ENOMEM, "out of memory");
        return cli_fail(ctx);
    }
    size_t si = 0;
    int ingest_failed = 0, any_failed = 0, interrupted = 0;
    const double t_run = skm_now();
    for (size_t i = 0; i < rf.n && !interrupted; ++i) {
        const section *sc = &rf.sec[i];
        const int k = known_step(sc->name);
        if (k < 0)
            continue;
        args a = {0};
        int err = push(&a, sc->name);
        if (k == 0) {
            for (size_t j = 0; j < sc->n && !err; ++j)
                if (!strcmp(sc->items[j].key, "input"))
                    err = push(&a, sc->items[j].val);
            err = err || push(&a, "-o") || push(&a, store);
        } else {
            err = push(&a, store) || push(&a, "-o") || push(&a, tmp);
        }
        for (size_t j = 0; j < sc->n && !err; ++j) {
            if (k == 0 && !strcmp(sc->items[j].key, "input"))
                continue;
            char opt[128];
            option_of(sc->items[j].key, opt, sizeof opt);
            err = push(&a, opt) || (sc->items[j].val && push(&a, sc->items[j].val));
        }
        if (quiet && !err)
            err = push(&a, "-q");
        skm_run_step *st = &steps[si];
        st->name = steps_known[k].name;
        cmdlines[si] = err ? NULL : joined(&a);
        st->command_line = cmdlines[si] ? cmdlines[si] : "";
        st->message = "";
        if (err) {
            args_free(&a);
            skm_error(ctx, SKM_ENOMEM, "out of memory");
            rc = cli_fail(ctx);
            interrupted = 1;
            break;
        }
        fprintf(stderr, "skillmat run: [%zu/%zu] %s (%s:%d)\n", si + 1, n_steps, sc->name, path,
                sc->line);
        if (k > 0 && ingest_failed) {
            st->status = 2;
            st->message = "not run: ingest failed";
            fprintf(stderr, "skillmat run: [%zu/%zu] %s not run: ingest failed\n", si + 1,
                    n_steps, sc->name);
            args_free(&a);
            ++si;
            continue;
        }
        fflush(stdout);
        optind = 0; /* glibc: re-initialise getopt for the step's own parser */
        const double t0 = skm_now();
        const int src = steps_known[k].fn((int)a.n, a.v, ctx);
        st->seconds = skm_now() - t0;
        fflush(stdout);
        if (src != CLI_OK) {
            st->status = 1;
            char m[2048];
            snprintf(m, sizeof m, "%s",
                     src == CLI_USAGE ? "bad option value (see the message above)"
                                      : skm_ctx_errmsg(ctx));
            msgs[si] = skm_strdup(m);
            st->message = msgs[si] ? msgs[si] : "failed";
            any_failed = 1;
            ingest_failed |= k == 0;
            fprintf(stderr, "skillmat run: %s:%d: [%s] failed: %s\n", path, sc->line, sc->name,
                    st->message);
        }
        interrupted = skm_interrupted(ctx);
        args_free(&a);
        ++si;
    }
    if (interrupted) {
        unlink(tmp);
    } else {
        /* provenance last, then the results file into place */
        if (skm_results_provenance(ctx, tmp, path, rf.text, ingest_failed ? NULL : store, steps,
                                   si) != SKM_OK) {
            rc = cli_fail(ctx);
            unlink(tmp);
        } else if (rename(tmp, output) != 0) {
            skm_error(ctx, SKM_EIO, "cannot rename %s to %s: %s", tmp, output, strerror(errno));
            rc = cli_fail(ctx);
            unlink(tmp);
        } else {
            printf("\nrun %s: %zu step(s) in %.2f s, results in %s%s\n", path, si,
                   skm_now() - t_run, output, ing && !ingest_failed ? "" : "");
            for (size_t j = 0; j < si; ++j)
                printf("  %-9s %-7s %8.2f s  %s\n", steps[j].name,
                       steps[j].status == 0   ? "ok"
                       : steps[j].status == 1 ? "FAILED"
                                              : "not run",
                       steps[j].seconds, steps[j].message);
            if (ing)
                printf("  store: %s\n", store);
            if (any_failed)
                rc = CLI_FAIL;
        }
    }
    for (size_t j = 0; j < n_steps; ++j) {
        free(cmdlines[j]);
        free(msgs[j]);
    }
    free(cmdlines);
    free(msgs);
    free(steps);
    free(tmp);
    runfile_free(&rf);
    return rc;
}
