/*
 * test_describe.c — skillmat describe: the salary statistics and the state rule against hand
 * values; skm_describe on a hand-made store of ten postings whose every count, share, quantile,
 * top skill and month was worked out by hand; a store without the schema 1.4 columns (skipped
 * groupings); bad input (unknown --by column, the store as the output, not a store, options).
 *
 * The hand-made store (hand_csv below, ingested into SKM_TMPDIR), its salaries sorted:
 *   50,000 60,000 70,000 80,000 100,000 120,000 130,000 150,000 (8 known: one empty, one 0)
 *   mean 95,000; p10 at 0.7 -> 57,000; p25 at 1.75 -> 67,500; median at 3.5 -> 90,000;
 *   p75 at 5.25 -> 122,500; p90 at 6.3 -> 136,000.
 */
#include <gsl/gsl_statistics_double.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include "describe/describe.h"
#include "h5/h5util.h"
#include "test_util.h"

/* ---- salary statistics ---- */

static void test_salary_stats(void **state)
{
    (void)state;
    double x[] = {150000, 60000, 130000, 50000, 100000, 120000, 80000, 70000};
    double st[SKM_DESCRIBE_N_STATS];
    skm_describe_salary_stats(x, 8, st);
    assert_close(st[0], 95000, 1e-15, 0);
    assert_close(st[1], 57000, 1e-15, 0);
    assert_close(st[2], 67500, 1e-15, 0);
    assert_close(st[3], 90000, 1e-15, 0);
    assert_close(st[4], 122500, 1e-15, 0);
    assert_close(st[5], 136000, 1e-15, 0);
    /* rearranged in place, the same values */
    double sum = 0;
    for (int i = 0; i < 8; ++i)
        sum += x[i];
    assert_close(sum, 760000, 0, 0);
    /* numpy.quantile([1, 2, 3, 4, 10], [.1, .25, .5, .75, .9]) = 1.4, 2, 3, 4, 7.6 */
    double y[] = {10, 4, 3, 2, 1};
    skm_describe_salary_stats(y, 5, st);
    assert_close(st[0], 4.0, 1e-15, 0);
    assert_close(st[1], 1.4, 1e-15, 0);
    assert_close(st[2], 2.0, 1e-15, 0);
    assert_close(st[3], 3.0, 1e-15, 0);
    assert_close(st[4], 4.0, 1e-15, 0);
    assert_close(st[5], 7.6, 1e-15, 0);
    double one = 42;
    skm_describe_salary_stats(&one, 1, st);
    for (int s = 0; s < SKM_DESCRIBE_N_STATS; ++s)
        assert_close(st[s], 42, 0, 0);
    skm_describe_salary_stats(NULL, 0, st);
    for (int s = 0; s < SKM_DESCRIBE_N_STATS; ++s)
        assert_true(isnan(st[s]));
}

static int cmp_dbl(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The quantiles by selection are the bits of sorting and gsl_stats_quantile_from_sorted_data,
 * for sizes around the selection's cut-offs and inputs that stress a quickselect: many ties,
 * all equal, sorted, reversed, organ-pipe, random. */
static void test_salary_stats_selection(void **state)
{
    (void)state;
    static const double q[SKM_DESCRIBE_N_STATS] = {0, 0.10, 0.25, 0.50, 0.75, 0.90};
    static const size_t sizes[] = {1, 2, 3, 5, 16, 17, 18, 31, 100, 1000, 4097, 100003};
    uint64_t r = 0x9E3779B97F4A7C15ull;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; ++si) {
        const size_t m = sizes[si];
        double *x = malloc(m * sizeof *x), *ref = malloc(m * sizeof *ref);
        assert_non_null(x);
        assert_non_null(ref);
        for (int kind = 0; kind < 6; ++kind) {
            for (size_t i = 0; i < m; ++i) {
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                double v = kind == 0 ? (double)(r % 1000000) + 0.5   /* random */
                         : kind == 1 ? (double)(30000 + 5000 * (r % 7)) /* many ties */
                         : kind == 2 ? 85000.0                        /* all equal */
                         : kind == 3 ? (double)i                       /* sorted */
                         : kind == 4 ? (double)(m - i)                 /* reversed */
                                     : (double)(i < m / 2 ? i : m - i); /* organ pipe */
                x[i] = ref[i] = v;
            }
            double st[SKM_DESCRIBE_N_STATS];
            const double mean = gsl_stats_mean(ref, 1, m);
            skm_describe_salary_stats(x, m, st);
            qsort(ref, m, sizeof *ref, cmp_dbl);
            assert_close(st[0], mean, 1e-12, 0);
            for (int s = 1; s < SKM_DESCRIBE_N_STATS; ++s) {
                const double want = gsl_stats_quantile_from_sorted_data(ref, 1, m, q[s]);
                if (st[s] != want)
                    fail_msg("m %zu, input kind %d, q %g: %.17g, sorting gives %.17g", m, kind,
                             q[s], st[s], want);
            }
            qsort(x, m, sizeof *x, cmp_dbl); /* the same values, rearranged */
            assert_memory_equal(x, ref, m * sizeof *x);
        }
        free(x);
        free(ref);
    }
}

/* ---- the state rule ---- */

static void test_state_code(void **state)
{
    (void)state;
    static const struct {
        const char *loc, *want;
    } cases[] = {
        {"Austin, TX", "TX"},         {"New York, NY 10001", "NY"}, {"Washington, DC", "DC"},
        {"Toronto, ON", "ON"},        {"San Juan,PR", "PR"},        {"Boston,  MA ", "MA"},
        {"Anywhere", ""},             {"Remote", ""},               {"London, UK", ""},
        {"Toronto, ON, Canada", "ON"}, {"Austin, TX, USA", "TX"},   {"Paris, Canada", ""},  {"California", ""},           {"Austin, Tx", ""},
        {"Austin, TXX", ""},          {"Austin, T", ""},            {"Austin,", ""},
        {"Paris, FR", ""},            {"", ""},                     {"Bengaluru, Karnataka, India", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char out[3] = "zz";
        const int got = skm_describe_state_code(cases[i].loc, out);
        if (got != (*cases[i].want != '\0') || strcmp(out, cases[i].want) != 0)
            fail_msg("state of '%s': %d '%s', want '%s'", cases[i].loc, got, out, cases[i].want);
    }
    char out[3];
    assert_int_equal(skm_describe_state_code(NULL, out), 0);
}

/* ---- skm_describe on the hand-made store ---- */

static char g_csv[4096], g_store[4096], g_old[4096], g_res[4096];

static const char hand_csv[] =
    "job_title,job_title_short,company_name,job_location,job_country,job_posted_date,"
    "salary_year_avg,job_work_from_home,job_skills\n"
    "Senior Data Scientist,DS,Acme,\"Austin, TX\",United States,2023-01-05,100000,0,"
    "\"['python', 'sql']\"\n"
    "Data Scientist,DS,Acme,\"New York, NY 10001\",United States,2023-01-20,120000,1,"
    "\"['python']\"\n"
    "Data Analyst,DA,Beta,\"Toronto, ON\",Canada,2023-03-02,60000,0,\"['sql', 'excel']\"\n"
    "Junior Data Analyst,DA,Beta,Anywhere,United States,2023-03-10,,1,\"['excel']\"\n"
    "Data Engineer,DE,Gamma,\"Dallas, TX\",United States,2023-03-11,130000,0,"
    "\"['python', 'spark', 'sql']\"\n"
    "Data Analyst,DA,Delta,\"London, UK\",United Kingdom,,50000,,\"['sql']\"\n"
    "Lead Data Engineer,DE,Gamma,\"Austin, TX\",United States,2023-01-31,150000,0,\"[]\"\n"
    "Data Scientist,DS,Acme,Remote,United States,2023-03-31,0,1,\"['python', 'r']\"\n"
    "Data Analyst,,Beta,\"Boston, MA\",United States,2023-01-01,70000,0,"
    "\"['sql', 'tableau']\"\n"
    "Business Analyst,BA,Acme,\"Boston, MA\",United States,2023-03-15,80000,0,"
    "\"['excel', 'sql']\"\n";

/* A byte copy of a file. */
static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static int e2e_setup(void **state)
{
    if (ctx_setup(state))
        return -1;
    const char *tmp = skm_test_env("SKM_TMPDIR");
    snprintf(g_csv, sizeof g_csv, "%s/hand.csv", tmp);
    snprintf(g_store, sizeof g_store, "%s/hand.h5", tmp);
    snprintf(g_old, sizeof g_old, "%s/hand_old.h5", tmp);
    snprintf(g_res, sizeof g_res, "%s/hand_results.h5", tmp);
    if (skm_test_write_file(g_csv, hand_csv, strlen(hand_csv)))
        return -1;
    unlink(g_store);
    skm_ingest_params ip = skm_ingest_params_default();
    const char *in[] = {g_csv};
    if (skm_ingest(*state, &ip, in, 1, g_store, NULL) != SKM_OK)
        return -1;
    /* a store as schema 1.3 wrote it: without the derived columns */
    unlink(g_old);
    copy_file(g_store, g_old);
    hid_t f = H5Fopen(g_old, H5F_ACC_RDWR, H5P_DEFAULT);
    static const char *const gone[] = {"seniority", "role_family", "work_mode", "salary_currency"};
    for (size_t i = 0; i < 4; ++i) {
        char p[64];
        snprintf(p, sizeof p, "/postings/%s", gone[i]);
        if (H5Ldelete(f, p, H5P_DEFAULT) < 0)
            return -1;
        snprintf(p, sizeof p, "/postings/%s_levels", gone[i]);
        if (H5Ldelete(f, p, H5P_DEFAULT) < 0)
            return -1;
    }
    return H5Fclose(f) < 0 ? -1 : 0;
}

/* Readers of the results file (the library's own helpers). */
typedef struct rfile {
    skm_ctx *ctx;
    hid_t f;
} rfile;

static rfile ropen(skm_ctx *ctx, const char *path)
{
    rfile r = {ctx, H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)};
    assert_true(r.f >= 0);
    return r;
}

static int exists(rfile r, const char *path)
{
    return H5Lexists(r.f, path, H5P_DEFAULT) > 0;
}

/* 1-D or 2-D strings (row-major). */
static void want_strings(rfile r, const char *path, const char *const *want, size_t n)
{
    char **s = NULL;
    size_t m = 0, cols = 0;
    if (skm_h5_read_strings(r.ctx, g_res, r.f, path, -1, &s, &m) != SKM_OK &&
        skm_h5_read_strings_2d(r.ctx, g_res, r.f, path, -1, &s, &m, &cols) != SKM_OK)
        fail_msg("%s: %s", path, skm_ctx_errmsg(r.ctx));
    if (m != n)
        fail_msg("%s: %zu entries, want %zu", path, m, n);
    for (size_t i = 0; i < n; ++i)
        if (strcmp(s[i], want[i]) != 0)
            fail_msg("%s[%zu] = '%s', want '%s'", path, i, s[i], want[i]);
    free(s);
}

static void want_i64(rfile r, const char *path, const int64_t *want, size_t n)
{
    int64_t *v = NULL;
    size_t m = 0;
    if (skm_h5_read_1d(r.ctx, g_res, r.f, path, H5T_NATIVE_INT64, sizeof *v, -1, (void **)&v,
                       &m) != SKM_OK)
        fail_msg("%s: %s", path, skm_ctx_errmsg(r.ctx));
    if (m != n)
        fail_msg("%s: %zu entries, want %zu", path, m, n);
    for (size_t i = 0; i < n; ++i)
        if (v[i] != want[i])
            fail_msg("%s[%zu] = %lld, want %lld", path, i, (long long)v[i], (long long)want[i]);
    free(v);
}

/* 1-D or 2-D float64 (row-major), NaN matching NaN. */
static void want_f64(rfile r, const char *path, const double *want, size_t n)
{
    double *v = NULL;
    size_t m = 0, cols = 0;
    if (skm_h5_read_2d(r.ctx, g_res, r.f, path, H5T_NATIVE_DOUBLE, sizeof *v, -1, (void **)&v, &m,
                       &cols) != SKM_OK &&
        skm_h5_read_1d(r.ctx, g_res, r.f, path, H5T_NATIVE_DOUBLE, sizeof *v, -1, (void **)&v,
                       &m) != SKM_OK)
        fail_msg("%s: %s", path, skm_ctx_errmsg(r.ctx));
    if (m != n)
        fail_msg("%s: %zu entries, want %zu", path, m, n);
    for (size_t i = 0; i < n; ++i)
        if (!(isnan(want[i]) ? isnan(v[i]) : fabs(v[i] - want[i]) <= 1e-12 * fabs(want[i])))
            fail_msg("%s[%zu] = %.17g, want %.17g", path, i, v[i], want[i]);
    free(v);
}

static char *attr_str(rfile r, const char *obj, const char *name)
{
    hid_t o = H5Oopen(r.f, obj, H5P_DEFAULT);
    char *s = NULL;
    assert_int_equal(skm_h5_attr_read_str(r.ctx, g_res, o, obj, name, &s), SKM_OK);
    H5Oclose(o);
    return s;
}

static int64_t attr_i64(rfile r, const char *obj, const char *name)
{
    hid_t o = H5Oopen(r.f, obj, H5P_DEFAULT);
    int64_t v = -1;
    assert_int_equal(skm_h5_attr_read_num(r.ctx, g_res, o, obj, name, H5T_NATIVE_INT64, &v),
                     SKM_OK);
    H5Oclose(o);
    return v;
}

static void test_describe_hand(void **state)
{
    skm_ctx *ctx = *state;
    skm_describe_params P = skm_describe_params_default();
    P.max_levels = 2;
    P.top = 3;
    P.block_rows = 3; /* several blocks over ten postings */
    unlink(g_res);
    assert_int_equal(skm_describe(ctx, g_store, g_res, &P), SKM_OK);
    rfile r = ropen(ctx, g_res);
    const double nan = NAN;
    assert_int_equal(attr_i64(r, "/describe", "n_postings"), 10);
    assert_int_equal(attr_i64(r, "/describe", "salary_known"), 8);
    assert_int_equal(attr_i64(r, "/describe", "top"), 3);
    char *s = attr_str(r, "/describe", "skipped");
    assert_string_equal(s, "");
    free(s);
    s = attr_str(r, "/describe", "by");
    assert_string_equal(s, "role,role_family,seniority,work_mode,remote,country,state");
    free(s);
    /* overall */
    want_i64(r, "/describe/overall/count", (int64_t[]){10}, 1);
    want_i64(r, "/describe/overall/salary_count", (int64_t[]){8}, 1);
    want_f64(r, "/describe/overall/salary_mean", (double[]){95000}, 1);
    want_f64(r, "/describe/overall/salary_p10", (double[]){57000}, 1);
    want_f64(r, "/describe/overall/salary_p25", (double[]){67500}, 1);
    want_f64(r, "/describe/overall/salary_median", (double[]){90000}, 1);
    want_f64(r, "/describe/overall/salary_p75", (double[]){122500}, 1);
    want_f64(r, "/describe/overall/salary_p90", (double[]){136000}, 1);
    /* role: DS 3 and DA 3 (tie: store order), DE 2 + BA 1 pooled, one missing */
    want_strings(r, "/describe/by_role/levels",
                 (const char *[]){"DS", "DA", "(other)", "(missing)"}, 4);
    want_i64(r, "/describe/by_role/count", (int64_t[]){3, 3, 3, 1}, 4);
    want_f64(r, "/describe/by_role/share", (double[]){0.3, 0.3, 0.3, 0.1}, 4);
    want_i64(r, "/describe/by_role/salary_count", (int64_t[]){2, 2, 3, 1}, 4);
    want_f64(r, "/describe/by_role/salary_mean", (double[]){110000, 55000, 120000, 70000}, 4);
    want_f64(r, "/describe/by_role/salary_median", (double[]){110000, 55000, 130000, 70000}, 4);
    want_f64(r, "/describe/by_role/salary_p10", (double[]){102000, 51000, 90000, 70000}, 4);
    want_f64(r, "/describe/by_role/salary_p25", (double[]){105000, 52500, 105000, 70000}, 4);
    want_f64(r, "/describe/by_role/salary_p90", (double[]){118000, 59000, 146000, 70000}, 4);
    assert_int_equal(attr_i64(r, "/describe/by_role", "levels_pooled"), 2);
    /* seniority: mid 7, then junior / senior / lead 1 each (store order: junior first) */
    want_strings(r, "/describe/by_seniority/levels", (const char *[]){"mid", "junior", "(other)"},
                 3);
    want_i64(r, "/describe/by_seniority/count", (int64_t[]){7, 1, 2}, 3);
    want_i64(r, "/describe/by_seniority/salary_count", (int64_t[]){6, 0, 2}, 3);
    want_f64(r, "/describe/by_seniority/salary_median", (double[]){75000, nan, 125000}, 3);
    /* remote: no 6, yes 3, one empty field */
    want_strings(r, "/describe/by_remote/levels", (const char *[]){"no", "yes", "(missing)"}, 3);
    want_i64(r, "/describe/by_remote/count", (int64_t[]){6, 3, 1}, 3);
    want_i64(r, "/describe/by_remote/salary_count", (int64_t[]){6, 1, 1}, 3);
    want_f64(r, "/describe/by_remote/salary_mean", (double[]){590000.0 / 6, 120000, 50000}, 3);
    /* state: TX 3, MA 2, NY 1, ON 1 (first seen: TX NY ON MA); Anywhere, London, Remote missing */
    want_strings(r, "/describe/by_state/levels",
                 (const char *[]){"TX", "MA", "(other)", "(missing)"}, 4);
    want_i64(r, "/describe/by_state/count", (int64_t[]){3, 2, 2, 3}, 4);
    want_i64(r, "/describe/by_state/salary_count", (int64_t[]){3, 2, 2, 1}, 4);
    want_f64(r, "/describe/by_state/salary_median", (double[]){130000, 75000, 90000, 50000}, 4);
    s = attr_str(r, "/describe/by_state", "column");
    assert_string_equal(s, "location");
    free(s);
    s = attr_str(r, "/describe/by_state", "rule");
    assert_non_null(strstr(s, "last comma"));
    free(s);
    /* work mode: the ingest rules call 2, 4 and 8 remote (remote flag, Anywhere, Remote) */
    want_strings(r, "/describe/by_work_mode/levels", (const char *[]){"remote", "(missing)"}, 2);
    want_i64(r, "/describe/by_work_mode/count", (int64_t[]){3, 7}, 2);
    /* top skills: sql 6, python 4, excel 3 */
    want_strings(r, "/describe/top_skills/name", (const char *[]){"sql", "python", "excel"}, 3);
    want_i64(r, "/describe/top_skills/count", (int64_t[]){6, 4, 3}, 3);
    want_f64(r, "/describe/top_skills/share", (double[]){0.6, 0.4, 0.3}, 3);
    /* role families (from the titles): Data Analyst 4, Data Scientist 3, Data Engineer 2,
     * Business Analyst 1; capped at max_levels = 2 named levels */
    want_strings(r, "/describe/top_skills_by_role_family/levels",
                 (const char *[]){"Data Analyst", "Data Scientist"}, 2);
    want_i64(r, "/describe/top_skills_by_role_family/count", (int64_t[]){4, 3}, 2);
    want_strings(r, "/describe/top_skills_by_role_family/name",
                 (const char *[]){"sql", "excel", "tableau", "python", "sql", "r"}, 6);
    want_f64(r, "/describe/top_skills_by_role_family/share",
             (double[]){0.75, 0.5, 0.25, 1.0, 1.0 / 3, 1.0 / 3}, 6);
    /* by role: DS (python 3, sql 1, r 1), DA (sql 2, excel 2) */
    want_strings(r, "/describe/top_skills_by_role/levels", (const char *[]){"DS", "DA"}, 2);
    want_strings(r, "/describe/top_skills_by_role/name",
                 (const char *[]){"python", "sql", "r", "sql", "excel", ""}, 6);
    want_f64(r, "/describe/top_skills_by_role/share",
             (double[]){1.0, 1.0 / 3, 1.0 / 3, 2.0 / 3, 2.0 / 3, nan}, 6);
    /* months: January 4, February none, March 5; one posting undated */
    want_strings(r, "/describe/monthly/month", (const char *[]){"2023-01", "2023-02", "2023-03"},
                 3);
    want_i64(r, "/describe/monthly/count", (int64_t[]){4, 0, 5}, 3);
    want_strings(r, "/describe/monthly/skills", (const char *[]){"sql", "python", "excel"}, 3);
    want_f64(r, "/describe/monthly/skill_share",
             (double[]){0.5, 0.5, 0, nan, nan, nan, 0.6, 0.4, 0.6}, 9);
    H5Fclose(r.f);
    /* the summary prints */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(skm_describe_print(ctx, g_res, out), SKM_OK);
    fclose(out);
    assert_non_null(strstr(buf, "Market: 10 postings, 8 with an annual salary (80.0 %)"));
    assert_non_null(strstr(buf, "p25 67,500, median 90,000, p75 122,500"));
    assert_non_null(strstr(buf, "By seniority"));
    assert_non_null(strstr(buf, "Months: 2023-01 to 2023-03 (3 months)"));
    free(buf);
}

static void test_describe_old_store(void **state)
{
    skm_ctx *ctx = *state;
    skm_describe_params P = skm_describe_params_default();
    unlink(g_res);
    assert_int_equal(skm_describe(ctx, g_old, g_res, &P), SKM_OK);
    rfile r = ropen(ctx, g_res);
    char *s = attr_str(r, "/describe", "skipped");
    assert_string_equal(s, "role_family,seniority,work_mode");
    free(s);
    s = attr_str(r, "/describe", "by");
    assert_string_equal(s, "role,remote,country,state");
    free(s);
    assert_false(exists(r, "/describe/by_seniority"));
    assert_false(exists(r, "/describe/by_role_family"));
    assert_false(exists(r, "/describe/top_skills_by_role_family"));
    assert_true(exists(r, "/describe/by_role"));
    assert_true(exists(r, "/describe/top_skills_by_role"));
    /* the default 50 levels: no pooling */
    want_strings(r, "/describe/by_role/levels",
                 (const char *[]){"DS", "DA", "DE", "BA", "(missing)"}, 5);
    H5Fclose(r.f);
    FILE *out = tmpfile();
    assert_int_equal(skm_describe_print(ctx, g_res, out), SKM_OK);
    fclose(out);
    /* no groupings at all: the top skills and months are still there */
    P.by = "";
    assert_int_equal(skm_describe(ctx, g_store, g_res, &P), SKM_OK);
    r = ropen(ctx, g_res);
    assert_false(exists(r, "/describe/by_role"));
    assert_true(exists(r, "/describe/top_skills_by_role_family"));
    assert_true(exists(r, "/describe/monthly"));
    H5Fclose(r.f);
}

static void test_describe_errors(void **state)
{
    skm_ctx *ctx = *state;
    skm_describe_params P = skm_describe_params_default();
    char res2[4200];
    snprintf(res2, sizeof res2, "%s.none.h5", g_res);
    unlink(res2);
    /* an unknown --by column: named with the option and the store; no output */
    P.by = "role,nosuch";
    assert_int_equal(skm_describe(ctx, g_store, res2, &P), SKM_EINVAL);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "--by"));
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "nosuch"));
    assert_non_null(strstr(skm_ctx_errmsg(ctx), g_store));
    P.by = "role, role";
    assert_int_equal(skm_describe(ctx, g_store, res2, &P), SKM_EINVAL);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "twice"));
    P.by = "role,,country";
    assert_int_equal(skm_describe(ctx, g_store, res2, &P), SKM_EINVAL);
    P.by = "salary_annual"; /* a column, but no level table */
    assert_int_equal(skm_describe(ctx, g_store, res2, &P), SKM_EINVAL);
    struct stat sb;
    assert_int_not_equal(stat(res2, &sb), 0);
    /* the output is the store: refused, the store untouched */
    P = skm_describe_params_default();
    struct stat before, after;
    assert_int_equal(stat(g_store, &before), 0);
    assert_int_equal(skm_describe(ctx, g_store, g_store, &P), SKM_EINVAL);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "is the store"));
    assert_int_equal(stat(g_store, &after), 0);
    assert_true(before.st_size == after.st_size && before.st_mtime == after.st_mtime);
    skm_store *st;
    assert_int_equal(skm_store_open(ctx, g_store, &st), SKM_OK);
    skm_store_close(st);
    /* not a store: a CSV, a results file */
    assert_int_equal(skm_describe(ctx, g_csv, res2, &P), SKM_EFORMAT);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), g_csv));
    assert_int_equal(skm_describe(ctx, g_res, res2, &P), SKM_EFORMAT);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "not a skillmat store"));
    assert_int_not_equal(stat(res2, &sb), 0);
    /* a store as the results file of another store: refused, left alone */
    assert_int_equal(skm_describe(ctx, g_store, g_old, &P), SKM_EINVAL);
    assert_int_equal(skm_store_open(ctx, g_old, &st), SKM_OK);
    skm_store_close(st);
    /* options */
    P.top = 0;
    assert_int_equal(skm_describe(ctx, g_store, res2, &P), SKM_EINVAL);
    P = skm_describe_params_default();
    P.max_levels = 0;
    assert_int_equal(skm_describe(ctx, g_store, res2, &P), SKM_EINVAL);
    assert_int_equal(skm_describe(ctx, g_store, NULL, &P), SKM_EINVAL);
    assert_int_equal(skm_describe(NULL, g_store, res2, &P), SKM_EINVAL);
    assert_int_not_equal(stat(res2, &sb), 0);
    /* damaged stores: a level code outside its table, a doc_freq that disagrees with /matrix */
    P = skm_describe_params_default();
    char bad[4200];
    snprintf(bad, sizeof bad, "%s.bad.h5", g_res);
    static const char *const damage[] = {"/postings/role", "/skills/doc_freq"};
    static const char *const says[] = {"/postings/role[4] = 99", "/skills/doc_freq[1] = 7"};
    for (int d = 0; d < 2; ++d) {
        unlink(bad);
        copy_file(g_store, bad);
        hid_t f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT), ds = H5Dopen2(f, damage[d], H5P_DEFAULT);
        int64_t v[16];
        assert_true(H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
        if (d == 0)
            v[4] = 99;
        else
            v[1] = 7; /* sql: 6 postings */
        assert_true(H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
        H5Dclose(ds);
        H5Fclose(f);
        assert_int_equal(skm_describe(ctx, bad, res2, &P), SKM_EFORMAT);
        if (!strstr(skm_ctx_errmsg(ctx), says[d]))
            fail_msg("damaged %s: '%s'", damage[d], skm_ctx_errmsg(ctx));
        assert_int_not_equal(stat(res2, &sb), 0);
    }
    unlink(bad);
    /* no /describe in a file: the summary says so */
    FILE *out = tmpfile();
    assert_int_equal(skm_describe_print(ctx, g_store, out), SKM_ENOTFOUND);
    fclose(out);
}

int main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_salary_stats),
        cmocka_unit_test(test_salary_stats_selection),
        cmocka_unit_test(test_state_code),
    };
    const struct CMUnitTest e2e[] = {
        cmocka_unit_test(test_describe_hand),
        cmocka_unit_test(test_describe_old_store),
        cmocka_unit_test(test_describe_errors),
    };
    int rc = cmocka_run_group_tests(unit, ctx_setup, ctx_teardown);
    return rc | cmocka_run_group_tests(e2e, e2e_setup, ctx_teardown);
}
