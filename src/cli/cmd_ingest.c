/*
 * cmd_ingest.c — `skillmat ingest INPUT... -o market.h5`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char cmd_ingest_usage[] =
    "usage: skillmat ingest INPUT... -o market.h5 [options]\n"
    "\n"
    "Read job postings from CSV or JSON Lines files (either may be gzip-compressed; detected from\n"
    "the content) into one skillmat store: a postings table and a posting x skill frequency matrix.\n"
    "Columns are found by common header names; a flag names the column (or JSON key) to use\n"
    "instead, a 1-based number names it by position, and an empty value ('') switches a role off.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE        the store to write (atomically: temporary file, then rename)\n"
    "      --id-col NAME        posting identifier\n"
    "      --title-col NAME     job title\n"
    "      --role-col NAME      role family (e.g. 'Data Engineer')\n"
    "      --company-col NAME   employer\n"
    "      --location-col NAME  place of work\n"
    "      --country-col NAME   country\n"
    "      --date-col NAME      posted date: ISO 8601 or spreadsheet serial day number\n"
    "      --salary-col NAME    one salary figure, in the row's period (a year by default)\n"
    "      --salary-min-col NAME, --salary-max-col NAME   a salary range\n"
    "      --hourly-col NAME    an hourly wage\n"
    "      --period-col NAME    the pay period of the salary columns (year, month, week, day, hour)\n"
    "      --remote-col NAME    remote / work from home (1/0, true/false, yes/no)\n"
    "      --skills-col NAME    skill list: JSON array, Python list literal, or a , ; | separated string\n"
    "      --text-col NAME      description text to extract skills from (repeat for several;\n"
    "                           default: a column named like 'description' / 'Job Description';\n"
    "                           '' for none). Also read there: the salary, when the salary\n"
    "                           columns have none, and the work mode\n"
    "      --taxonomy FILE      skill taxonomy (docs/extraction.md); default: the built-in one.\n"
    "                           Given, it also maps list-column skills to its canonical names\n"
    "      --matches            write /matches: every skill mention found in text (posting,\n"
    "                           skill, column, byte offset, length), to audit the extraction\n"
    "      --threads N          threads for the text work (default: all CPUs); the store is the\n"
    "                           same for any N\n"
    "      --format FMT         auto (default), csv or jsonl\n"
    "      --delimiter C        CSV field delimiter ('tab' for TSV); default: ',' unless the\n"
    "                           header reads as one column holding tabs, ';' or '|'\n"
    "      --hours-per-year H   annualisation of hourly pay (default 2080 = 52 x 40)\n"
    "      --strict             stop at the first malformed record (exit 1) instead of skipping it\n"
    "      --compression N      deflate level 0-9 of the store (default 1)\n"
    "      --block-rows N       postings per write block (default 65536)\n"
    "      --max-record-bytes N longer records are skipped (default 8M; K, M, G suffixes)\n"
    "  -q, --quiet              no column summary\n"
    "  -h, --help               this text\n"
    "\n"
    "Annualised salary: hourly x H, daily x H/8, weekly x 52, monthly x 12, yearly x 1.\n"
    "A salary column may hold text ('$53K-$91K (Glassdoor est.)', 'GBP 60k-80k'): its range,\n"
    "period and currency are read; implausible annual figures are flagged (salary_flag).\n"
    "Seniority, role family (from the title) and work mode are always derived.\n"
    "Malformed records are reported as FILE:LINE: reason, counted and skipped.\n";

enum {
    OPT_COL = 1000, /* OPT_COL + enum skm_col */
    OPT_FORMAT = 1100,
    OPT_DELIM,
    OPT_HOURS,
    OPT_STRICT,
    OPT_COMPRESSION,
    OPT_BLOCK,
    OPT_MAXREC,
    OPT_TEXT,
    OPT_TAXONOMY,
    OPT_MATCHES,
    OPT_THREADS,
};

int cmd_ingest(int argc, char **argv, skm_ctx *ctx)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"id-col", required_argument, NULL, OPT_COL + SKM_COL_ID},
        {"title-col", required_argument, NULL, OPT_COL + SKM_COL_TITLE},
        {"role-col", required_argument, NULL, OPT_COL + SKM_COL_ROLE},
        {"company-col", required_argument, NULL, OPT_COL + SKM_COL_COMPANY},
        {"location-col", required_argument, NULL, OPT_COL + SKM_COL_LOCATION},
        {"country-col", required_argument, NULL, OPT_COL + SKM_COL_COUNTRY},
        {"date-col", required_argument, NULL, OPT_COL + SKM_COL_DATE},
        {"salary-col", required_argument, NULL, OPT_COL + SKM_COL_SALARY},
        {"salary-min-col", required_argument, NULL, OPT_COL + SKM_COL_SALARY_MIN},
        {"salary-max-col", required_argument, NULL, OPT_COL + SKM_COL_SALARY_MAX},
        {"hourly-col", required_argument, NULL, OPT_COL + SKM_COL_HOURLY},
        {"period-col", required_argument, NULL, OPT_COL + SKM_COL_PERIOD},
        {"remote-col", required_argument, NULL, OPT_COL + SKM_COL_REMOTE},
        {"skills-col", required_argument, NULL, OPT_COL + SKM_COL_SKILLS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"delimiter", required_argument, NULL, OPT_DELIM},
        {"hours-per-year", required_argument, NULL, OPT_HOURS},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"compression", required_argument, NULL, OPT_COMPRESSION},
        {"block-rows", required_argument, NULL, OPT_BLOCK},
        {"max-record-bytes", required_argument, NULL, OPT_MAXREC},
        {"text-col", required_argument, NULL, OPT_TEXT},
        {"taxonomy", required_argument, NULL, OPT_TAXONOMY},
        {"matches", no_argument, NULL, OPT_MATCHES},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    skm_ingest_params p = skm_ingest_params_default();
    const char *texts[SKM_MAX_TEXT_COLUMNS];
    size_t n_texts = 0;
    int no_text = 0;
    const char *out = NULL;
    int quiet = 0;
    long long v;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:q", opts, NULL)) != -1) {
        if (c >= OPT_COL && c < OPT_COL + SKM_COL_COUNT) {
            p.columns[c - OPT_COL] = optarg;
            continue;
        }
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "auto"))
                p.format = SKM_FORMAT_AUTO;
            else if (!strcmp(optarg, "csv"))
                p.format = SKM_FORMAT_CSV;
            else if (!strcmp(optarg, "jsonl") || !strcmp(optarg, "json"))
                p.format = SKM_FORMAT_JSONL;
            else
                return cli_usage_error("ingest", "--format must be auto, csv or jsonl, not '%s'", optarg);
            break;
        case OPT_DELIM:
            if (!strcmp(optarg, "tab") || !strcmp(optarg, "\\t"))
                p.delimiter = '\t';
            else if (strlen(optarg) == 1 && optarg[0] != '"' && optarg[0] != '\n' && optarg[0] != '\r')
                p.delimiter = optarg[0];
            else
                return cli_usage_error("ingest", "--delimiter must be one character (or 'tab'), not '%s'", optarg);
            break;
        case OPT_HOURS:
            if (cli_parse_double(optarg, &p.hours_per_year) || !(p.hours_per_year > 0) ||
                p.hours_per_year > 8784)
                return cli_usage_error("ingest", "--hours-per-year must be a number in (0, 8784], not '%s'", optarg);
            break;
        case OPT_STRICT:
            p.strict = 1;
            break;
        case OPT_COMPRESSION:
            if (cli_parse_int(optarg, 0, 9, 0, &v))
                return cli_usage_error("ingest", "--compression must be 0..9, not '%s'", optarg);
            p.compression = (int)v;
            break;
        case OPT_BLOCK:
            if (cli_parse_int(optarg, 1, 1 << 24, 1, &v))
                return cli_usage_error("ingest", "--block-rows must be 1..16M, not '%s'", optarg);
            p.block_rows = (size_t)v;
            break;
        case OPT_MAXREC:
            if (cli_parse_int(optarg, 1024, (long long)1 << 40, 1, &v))
                return cli_usage_error("ingest", "--max-record-bytes must be at least 1024, not '%s'", optarg);
            p.max_record_bytes = (size_t)v;
            break;
        case OPT_TEXT:
            if (!*optarg) {
                no_text = 1;
                break;
            }
            if (n_texts == SKM_MAX_TEXT_COLUMNS)
                return cli_usage_error("ingest", "at most %d --text-col options",
                                       SKM_MAX_TEXT_COLUMNS);
            texts[n_texts++] = optarg;
            break;
        case OPT_TAXONOMY:
            p.taxonomy = optarg;
            break;
        case OPT_MATCHES:
            p.matches = 1;
            break;
        case OPT_THREADS:
            if (cli_parse_int(optarg, 0, 1024, 0, &v))
                return cli_usage_error("ingest", "--threads must be 0..1024, not '%s'", optarg);
            p.threads = (int)v;
            break;
        case ':':
            return cli_usage_error("ingest", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("ingest", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!out)
        return cli_usage_error("ingest", "no output file (-o market.h5)");
    if (optind >= argc)
        return cli_usage_error("ingest", "no input files");
    if (no_text && n_texts)
        return cli_usage_error("ingest", "--text-col '' (none) and --text-col NAME together");
    if (n_texts || no_text) {
        p.text_columns = texts;
        p.n_text_columns = n_texts;
    }
    p.command_line = cli_command_line;
    if (quiet)
        skm_ctx_set_log_level(ctx, SKM_LOG_WARN);

    skm_ingest_report rep;
    int rc = skm_ingest(ctx, &p, (const char *const *)argv + optind, (size_t)(argc - optind), out, &rep);
    if (rc != SKM_OK)
        return cli_fail(ctx);

    char a[32], b[32], d[32];
    double mb = (double)rep.bytes_decoded / 1e6;
    printf("wrote %s: %s postings, %s skills, %s non-zeros\n", out,
           skm_group_int(a, (long long)rep.records_written), skm_group_int(b, rep.n_skills),
           skm_group_int(d, rep.nnz));
    printf("read %s records from %d file(s), %.1f MB (%.1f MB on disk) in %.2f s (%.0f MB/s)\n",
           skm_group_int(a, (long long)rep.records_read), argc - optind, mb, (double)rep.bytes_read / 1e6,
           rep.seconds, rep.seconds > 0 ? mb / rep.seconds : 0.0);
    printf("salary known for %s postings (%.1f %%)\n", skm_group_int(a, (long long)rep.salary_known),
           rep.records_written ? 100.0 * (double)rep.salary_known / (double)rep.records_written : 0.0);
    if (rep.text_bytes) {
        double tb = (double)rep.text_bytes / 1e6;
        printf("text: %.1f MB read, %s skill mentions found (extraction %.2f s on %d thread(s), "
               "%.0f MB/s)\n",
               tb, skm_group_int(a, (long long)rep.skill_mentions), rep.extract_seconds,
               p.threads > 0 ? p.threads : skm_cpu_count(),
               rep.extract_seconds > 0 ? tb / rep.extract_seconds : 0.0);
        printf("salary read from description text for %s postings\n",
               skm_group_int(a, (long long)rep.salary_from_text));
    }
    if (rep.salary_flagged[1] || rep.salary_flagged[2] || rep.salary_flagged[3])
        printf("salary flagged: %s below the plausible range, %s above it, %s unreadable "
               "(/postings/salary_flag)\n",
               skm_group_int(a, (long long)rep.salary_flagged[1]),
               skm_group_int(b, (long long)rep.salary_flagged[2]),
               skm_group_int(d, (long long)rep.salary_flagged[3]));
    printf("skipped %s malformed records\n", skm_group_int(a, (long long)rep.records_skipped));
    for (int r = 0; r < SKM_SKIP_COUNT; ++r)
        if (rep.skipped_by_reason[r])
            printf("  %-26s %s\n", skm_skip_name(r), skm_group_int(a, (long long)rep.skipped_by_reason[r]));
    return CLI_OK;
}
