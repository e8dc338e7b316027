/*
 * test_ingest.c — skm_ingest end to end on hand-worked fixtures (tests/fixtures/ingest/), read
 * back through the public store reader: every posting column, the CSR matrix with frequencies,
 * document frequencies, skipped-record accounting, --strict, and the promise that a failed or
 * interrupted run leaves nothing under the output name and never touches an existing file.
 *
 * Expected values were worked out by hand from the fixture files (see the comments).
 */
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#include "h5/store_write.h"

#include "skillmat.h"

static char fixtures[1024], tmpdir[1024];

static void quiet_log(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    (void)msg;
}

static skm_ctx *new_ctx(void)
{
    skm_ctx *ctx = skm_ctx_alloc();
    assert_non_null(ctx);
    skm_ctx_set_log(ctx, quiet_log, NULL);
    return ctx;
}

static const char *fx(char *buf, const char *name)
{
    snprintf(buf, 1024, "%s/ingest/%s", fixtures, name);
    return buf;
}

static const char *tmp(char *buf, const char *name)
{
    snprintf(buf, 1024, "%s/%s", tmpdir, name);
    return buf;
}

static int exists(const char *path)
{
    struct stat s;
    return stat(path, &s) == 0;
}

/* No temporary file may remain in the output directory. */
static void assert_no_temp_files(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q '\\.tmp\\.'", tmpdir);
    assert_int_not_equal(system(cmd), 0);
}

/* postings.csv (4 records, BOM, CRLF, a quoted field with an embedded CRLF) then
 * postings.jsonl.gz (2 records). Skills in first-seen order:
 *   0 python, 1 sql, 2 pytorch, 3 spark, 4 kafka, 5 k8s, 6 excel. */
static void check_two_file_store(const char *out)
{
    skm_ctx *ctx = new_ctx();
    skm_store *st = NULL;
    assert_int_equal(skm_store_open(ctx, out, &st), SKM_OK);
    assert_int_equal(skm_store_n_rows(st), 6);
    assert_int_equal(skm_store_n_cols(st), 7);
    assert_int_equal(skm_store_nnz(st), 12);
    static const char *names[] = {"python", "sql", "pytorch", "spark", "kafka", "k8s", "excel"};
    static const int64_t df[] = {3, 3, 2, 1, 1, 1, 1};
    for (int j = 0; j < 7; ++j) {
        assert_string_equal(skm_store_skill_name(st, j), names[j]);
        assert_int_equal(skm_store_skill_doc_freq(st, j), df[j]);
    }
    assert_null(skm_store_skill_name(st, 7));

    skm_csr_block *blk = skm_csr_block_alloc(2, 1);
    assert_non_null(blk);
    assert_int_equal(skm_store_read_block(st, 0, 6, blk), SKM_OK);
    /* p1 ['python','sql','Python'] -> python x2, sql; p2 [pytorch, python]; p3 none;
     * p4 "sql; spark | Kafka"; j1 [PyTorch, python, k8s]; j2 "excel, sql". */
    static const int64_t indptr[] = {0, 2, 4, 4, 7, 10, 12};
    static const int32_t ind[] = {0, 1, 0, 2, 1, 3, 4, 0, 2, 5, 1, 6};
    static const int32_t cnt[] = {2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(blk->n_rows, 6);
    assert_int_equal(blk->nnz, 12);
    assert_memory_equal(blk->indptr, indptr, sizeof indptr);
    assert_memory_equal(blk->indices, ind, sizeof ind);
    assert_memory_equal(blk->counts, cnt, sizeof cnt);
    /* A block from the middle is rebased to 0. */
    assert_int_equal(skm_store_read_block(st, 3, 2, blk), SKM_OK);
    assert_int_equal(blk->row0, 3);
    assert_int_equal(blk->indptr[0], 0);
    assert_int_equal(blk->indptr[2], 6);
    assert_int_equal(blk->indices[3], 0);

    double sal[6], smin[6], smax[6];
    int64_t date[6], line[6];
    int8_t per[6], rem[6];
    int32_t file[6], company[6];
    assert_int_equal(skm_store_read_column(st, "salary_annual", 0, 6, SKM_TYPE_F64, sal), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "salary_min", 0, 6, SKM_TYPE_F64, smin), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "salary_max", 0, 6, SKM_TYPE_F64, smax), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "salary_period", 0, 6, SKM_TYPE_I8, per), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "posted_date", 0, 6, SKM_TYPE_I64, date), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "remote", 0, 6, SKM_TYPE_I8, rem), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "source_file", 0, 6, SKM_TYPE_I32, file), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "source_line", 0, 6, SKM_TYPE_I64, line), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "company", 0, 6, SKM_TYPE_I32, company), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "no_such_column", 0, 6, SKM_TYPE_I32, company),
                     SKM_ENOTFOUND);

    /* Annual 120000; hourly 50 x 2080; none; annual 90000; yearly 100k-140k; hourly 30-40. */
    static const double want_sal[] = {120000, 104000, NAN, 90000, 120000, 35 * 2080.0};
    static const double want_min[] = {120000, 50, NAN, 90000, 100000, 30};
    static const double want_max[] = {120000, 50, NAN, 90000, 140000, 40};
    static const int8_t want_per[] = {SKM_PERIOD_YEAR, SKM_PERIOD_HOUR, SKM_PERIOD_UNKNOWN,
                                      SKM_PERIOD_YEAR, SKM_PERIOD_YEAR, SKM_PERIOD_HOUR};
    static const int64_t want_date[] = {1674604800, 1674648000, INT64_MIN, 1677672000, 1682899200,
                                        INT64_MIN};
    static const int8_t want_rem[] = {0, 1, -1, 1, 1, -1};
    static const int32_t want_file[] = {0, 0, 0, 0, 1, 1};
    /* p3 spans lines 4-5 (embedded CRLF), so p4 starts on line 6. */
    static const int64_t want_line[] = {2, 3, 4, 6, 1, 2};
    /* Companies in first-seen order: Acme 0, Beta Corp 1, Gamma 2, Delta 3; j2 has null. */
    static const int32_t want_company[] = {0, 1, 0, 2, 3, -1};
    for (int i = 0; i < 6; ++i) {
        assert_close(sal[i], want_sal[i], 1e-15, 0);
        assert_close(smin[i], want_min[i], 1e-15, 0);
        assert_close(smax[i], want_max[i], 1e-15, 0);
        assert_int_equal(per[i], want_per[i]);
        assert_int_equal(date[i], want_date[i]);
        assert_int_equal(rem[i], want_rem[i]);
        assert_int_equal(file[i], want_file[i]);
        assert_int_equal(line[i], want_line[i]);
        assert_int_equal(company[i], want_company[i]);
    }
    /* Provenance strings through the reader. */
    char buf[64];
    assert_int_equal(skm_store_attr_string(st, "/provenance", "tool_version", buf, sizeof buf),
                     SKM_OK);
    assert_string_equal(buf, skm_version());
    assert_int_equal(skm_store_attr_string(st, "/", "format", buf, sizeof buf), SKM_OK);
    assert_string_equal(buf, "skillmat");
    assert_int_equal(skm_store_attr_string(st, "/", "format", buf, 4), SKM_OK);
    assert_string_equal(buf, "ski"); /* cut to the buffer */
    assert_int_equal(skm_store_attr_string(st, "/provenance", "no_such", buf, sizeof buf),
                     SKM_ENOTFOUND);
    assert_int_equal(skm_store_attr_string(st, "/no/such/group", "x", buf, sizeof buf),
                     SKM_ENOTFOUND);
    skm_csr_block_free(blk);
    skm_store_close(st);
    skm_ctx_free(ctx);
}

static void test_two_files(void **state)
{
    (void)state;
    char a[1024], b[1024], o[1024];
    const char *in[] = {fx(a, "postings.csv"), fx(b, "postings.jsonl.gz")};
    skm_ctx *ctx = new_ctx();
    skm_ingest_params p = skm_ingest_params_default();
    skm_ingest_report rep;
    tmp(o, "two.h5");
    unlink(o);
    assert_int_equal(skm_ingest(ctx, &p, in, 2, o, &rep), SKM_OK);
    assert_int_equal(rep.records_read, 6);
    assert_int_equal(rep.records_written, 6);
    assert_int_equal(rep.records_skipped, 0);
    assert_int_equal(rep.n_skills, 7);
    assert_int_equal(rep.nnz, 12);
    assert_int_equal(rep.salary_known, 5);
    check_two_file_store(o);

    /* The same store whatever the block size: blocks of 1 and of 4 rows. */
    p.block_rows = 1;
    assert_int_equal(skm_ingest(ctx, &p, in, 2, o, &rep), SKM_OK);
    check_two_file_store(o);
    p.block_rows = 4;
    assert_int_equal(skm_ingest(ctx, &p, in, 2, o, &rep), SKM_OK);
    check_two_file_store(o);
    assert_no_temp_files();
    skm_ctx_free(ctx);
}

static void test_hours_per_year_and_flags(void **state)
{
    (void)state;
    char a[1024], o[1024];
    const char *in[] = {fx(a, "postings.csv")};
    skm_ctx *ctx = new_ctx();
    skm_ingest_params p = skm_ingest_params_default();
    p.hours_per_year = 2000;
    p.columns[SKM_COL_SKILLS] = "";              /* switched off */
    p.columns[SKM_COL_COMPANY] = "job_location"; /* by name */
    p.columns[SKM_COL_LOCATION] = "4";           /* by position: company_name */
    tmp(o, "flags.h5");
    assert_int_equal(skm_ingest(ctx, &p, in, 1, o, NULL), SKM_OK);
    skm_store *st = NULL;
    assert_int_equal(skm_store_open(ctx, o, &st), SKM_OK);
    assert_int_equal(skm_store_n_cols(st), 0);
    assert_int_equal(skm_store_nnz(st), 0);
    double sal[4];
    int32_t company[4], location[4];
    assert_int_equal(skm_store_read_column(st, "salary_annual", 0, 4, SKM_TYPE_F64, sal), SKM_OK);
    assert_close(sal[1], 50 * 2000.0, 1e-15, 0);
    assert_int_equal(skm_store_read_column(st, "company", 0, 4, SKM_TYPE_I32, company), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "location", 0, 4, SKM_TYPE_I32, location), SKM_OK);
    /* company <- job_location: Austin, Anywhere, Multi-line, Berlin (all distinct);
     * location <- company_name: Acme, Beta Corp, Acme, Gamma. */
    static const int32_t wc[] = {0, 1, 2, 3}, wl[] = {0, 1, 0, 2};
    assert_memory_equal(company, wc, sizeof wc);
    assert_memory_equal(location, wl, sizeof wl);
    skm_store_close(st);

    p.columns[SKM_COL_TITLE] = "no_such_header";
    assert_int_equal(skm_ingest(ctx, &p, in, 1, o, NULL), SKM_ENOTFOUND);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "no_such_header"));
    skm_ctx_free(ctx);
}

/* bad.csv: 10 records, 2 good; see the fixture generator's comments in the commit. */
static void test_bad_records(void **state)
{
    (void)state;
    char a[1024], o[1024];
    const char *in[] = {fx(a, "bad.csv")};
    skm_ctx *ctx = new_ctx();
    skm_ingest_params p = skm_ingest_params_default();
    skm_ingest_report rep;
    tmp(o, "bad.h5");
    unlink(o);
    assert_int_equal(skm_ingest(ctx, &p, in, 1, o, &rep), SKM_OK);
    /* "-5" and "abc" as salaries keep their postings: -5 unreadable (flagged), abc no salary */
    assert_int_equal(rep.records_written, 4);
    assert_int_equal(rep.records_skipped, 6);
    assert_int_equal(rep.records_read, 10);
    assert_int_equal(rep.skipped_by_reason[SKM_SKIP_BAD_SALARY], 0);
    assert_int_equal(rep.salary_flagged[SKM_SALARY_FLAG_UNPARSED], 1);
    assert_int_equal(rep.salary_known, 2);
    assert_int_equal(rep.skipped_by_reason[SKM_SKIP_FIELD_COUNT], 1);
    assert_int_equal(rep.skipped_by_reason[SKM_SKIP_BAD_QUOTE], 1);
    assert_int_equal(rep.skipped_by_reason[SKM_SKIP_BAD_UTF8], 1);
    assert_int_equal(rep.skipped_by_reason[SKM_SKIP_NUL_BYTE], 1);
    assert_int_equal(rep.skipped_by_reason[SKM_SKIP_BAD_VALUE], 1);
    assert_int_equal(rep.skipped_by_reason[SKM_SKIP_UNTERMINATED_QUOTE], 1);

    /* Skipped records leave no trace in the vocabulary: only sql and python. */
    skm_store *st = NULL;
    assert_int_equal(skm_store_open(ctx, o, &st), SKM_OK);
    assert_int_equal(skm_store_n_rows(st), 4);
    assert_int_equal(skm_store_n_cols(st), 2);
    assert_string_equal(skm_store_skill_name(st, 0), "sql");
    assert_int_equal(skm_store_skill_doc_freq(st, 0), 4);
    int64_t line[4];
    int8_t flag[4];
    assert_int_equal(skm_store_read_column(st, "source_line", 0, 4, SKM_TYPE_I64, line), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "salary_flag", 0, 4, SKM_TYPE_I8, flag), SKM_OK);
    static const int64_t want_line[4] = {2, 3, 4, 9};
    static const int8_t want_flag[4] = {0, SKM_SALARY_FLAG_UNPARSED, 0, 0};
    assert_memory_equal(line, want_line, sizeof line);
    assert_memory_equal(flag, want_flag, sizeof flag);
    skm_store_close(st);

    /* --strict: the first malformed record (line 5; the unreadable salary of line 3 is kept)
     * is fatal; nothing is written. */
    unlink(o);
    p.strict = 1;
    assert_int_equal(skm_ingest(ctx, &p, in, 1, o, &rep), SKM_EPARSE);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "bad.csv:5:"));
    assert_false(exists(o));
    assert_no_temp_files();
    skm_ctx_free(ctx);
}

static void test_failures_leave_nothing(void **state)
{
    (void)state;
    char a[1024], b[1024], o[1024];
    skm_ctx *ctx = new_ctx();
    skm_ingest_params p = skm_ingest_params_default();
    tmp(o, "keep.h5");
    assert_int_equal(skm_test_write_file(o, "keep", 4), 0);

    /* A missing second input fails before anything is written. */
    const char *in[] = {fx(a, "postings.csv"), fx(b, "missing.csv")};
    assert_int_equal(skm_ingest(ctx, &p, in, 2, o, NULL), SKM_EIO);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "missing.csv"));

    /* Strict failure in the middle of the data keeps the old file. */
    const char *bad[] = {fx(a, "postings.csv"), fx(b, "bad.csv")};
    p.strict = 1;
    assert_int_equal(skm_ingest(ctx, &p, bad, 2, o, NULL), SKM_EPARSE);
    p.strict = 0;

    /* Interrupted runs stop at the next record and write nothing. */
    skm_ctx_interrupt(ctx);
    assert_int_equal(skm_ingest(ctx, &p, in, 1, o, NULL), SKM_EINTERRUPT);
    skm_ctx_free(ctx);
    ctx = new_ctx();

    FILE *f = fopen(o, "rb");
    char buf[8] = {0};
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof buf, f), 4);
    fclose(f);
    assert_memory_equal(buf, "keep", 4);

    /* The output may not be an input; bad parameters are refused. */
    const char *self[] = {o};
    assert_int_equal(skm_ingest(ctx, &p, self, 1, o, NULL), SKM_EINVAL);
    p.hours_per_year = -1;
    assert_int_equal(skm_ingest(ctx, &p, in, 1, o, NULL), SKM_EINVAL);
    p = skm_ingest_params_default();
    p.compression = 10;
    assert_int_equal(skm_ingest(ctx, &p, in, 1, o, NULL), SKM_EINVAL);
    p = skm_ingest_params_default();
    assert_int_equal(skm_ingest(ctx, &p, in, 0, o, NULL), SKM_EINVAL);
    /* An output directory that does not exist. */
    assert_int_not_equal(skm_ingest(ctx, &p, in, 1, "/nonexistent-dir/x.h5", NULL), SKM_OK);
    assert_no_temp_files();
    unlink(o);
    skm_ctx_free(ctx);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(skm_col_name(SKM_COL_SALARY_MIN), "salary-min");
    assert_null(skm_col_name(SKM_COL_COUNT));
    assert_string_equal(skm_skip_name(SKM_SKIP_NUL_BYTE), "nul_byte");
    assert_null(skm_skip_name(-1));
    for (int r = 0; r < SKM_SKIP_COUNT; ++r)
        assert_non_null(skm_skip_name(r));
    for (int c = 0; c < SKM_COL_COUNT; ++c)
        assert_non_null(skm_col_name(c));
}

int main(void)
{
    snprintf(fixtures, sizeof fixtures, "%s", skm_test_env("SKM_FIXTURES"));
    snprintf(tmpdir, sizeof tmpdir, "%s", skm_test_env("SKM_TMPDIR"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_files),
        cmocka_unit_test(test_hours_per_year_and_flags),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_failures_leave_nothing),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}
