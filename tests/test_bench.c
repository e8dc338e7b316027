/*
 * test_bench.c — `skillmat bench` (src/bench) and its load-reduce kernel (load_sum_u64).
 *
 * Never a speed: the tests check what the command computes and writes, not how fast anything
 * ran.
 *   - load_sum_u64: the reference against closed forms, every SIMD version (skipped when the CPU
 *     lacks its ISA) against the reference at sizes around the vector widths, unaligned starts,
 *     operands at the end of an exact-size allocation (ASan catches a read past n_words).
 *   - The inputs: the synthetic postings equal bench/synth_csr.h's for the same state; the CSV
 *     text is deterministic and has 7 fields in every record.
 *   - --only parsing.
 *   - A quick run of some groups into a results file and a CSV: the datasets, their lengths, the
 *     machine attributes, the CSV's lines; a second run replaces /bench and keeps the rest.
 *   - A broken kernel variant: the check fails, nothing is timed, no file is written.
 *   - Bad parameters and an output path that is not a results file.
 */
#include "test_util.h"

#include <dirent.h>
#include <unistd.h>

#include <hdf5.h>

#include "bench/bench.h"
#include "bench/bench_impl.h"
#include "bench/synth_csr.h"
#include "core/core.h"
#include "h5/h5util.h"
#include "kernels/kernels.h"

typedef uint64_t (*load_fn)(const uint64_t *restrict, size_t);

struct impl {
    const char *name;
    uint32_t needs;
    load_fn load;
};

static struct impl impl_ref = {"ref", 0, load_sum_u64_ref};
#ifdef SKM_KERNELS_AVX2
static struct impl impl_avx2 = {"avx2", SKM_ISA_NEEDS_AVX2, load_sum_u64_avx2};
#endif
#ifdef SKM_KERNELS_AVX512
static struct impl impl_avx512 = {"avx512", SKM_ISA_NEEDS_AVX512, load_sum_u64_avx512};
#endif

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* ---- load_sum_u64 ---- */

static void test_load_sum_ref(void **state)
{
    (void)state;
    enum { N = 5000 };
    uint64_t *a = malloc(N * sizeof *a);
    assert_non_null(a);
    assert_int_equal(load_sum_u64_ref(a, 0), 0);
    for (size_t i = 0; i < N; ++i)
        a[i] = i;
    for (size_t n = 0; n <= N; n += 1 + n / 3)
        assert_true(load_sum_u64_ref(a, n) == (uint64_t)n * (n - (n > 0)) / 2);
    for (size_t i = 0; i < N; ++i)
        a[i] = ~0ull; /* wraps: n * (2^64 - 1) = -n mod 2^64 */
    for (size_t n = 0; n <= N; n += 1 + n / 3)
        assert_true(load_sum_u64_ref(a, n) == (uint64_t)0 - n);
    free(a);
}

/* One implementation against the reference (the group's state is the context, so each
 * implementation has its own entry point below). */
static void check_load_sum(const struct impl *im)
{
    if ((skm_cpu_features() & im->needs) != im->needs) {
        printf("      skipped: this CPU lacks the ISA of %s (features 0x%08x)\n", im->name,
               (unsigned)skm_cpu_features());
        skip();
    }
    static const size_t sizes[] = {0,  1,  2,   3,   4,   5,   7,   8,   9,    15,   16,  17,
                                   31, 32, 33,  63,  64,  65,  127, 128, 129,  255,  256, 257,
                                   511, 512, 513, 1000, 1023, 4099};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s)
        for (size_t off = 0; off < 8; ++off) {
            const size_t n = sizes[s];
            /* the operand ends where its allocation ends, starting at word `off` */
            uint64_t *buf = malloc(n + off ? (n + off) * sizeof *buf : 1);
            assert_non_null(buf);
            uint64_t *a = buf + off;
            for (size_t i = 0; i < n; ++i)
                a[i] = next_rand();
            assert_true(im->load(a, n) == load_sum_u64_ref(a, n));
            for (size_t i = 0; i < n; ++i)
                a[i] = ~0ull;
            assert_true(im->load(a, n) == (uint64_t)0 - n);
            free(buf);
        }
}

static void test_load_sum_ref_vs_ref(void **state)
{
    (void)state;
    check_load_sum(&impl_ref);
}
#ifdef SKM_KERNELS_AVX2
static void test_load_sum_avx2(void **state)
{
    (void)state;
    check_load_sum(&impl_avx2);
}
#endif
#ifdef SKM_KERNELS_AVX512
static void test_load_sum_avx512(void **state)
{
    (void)state;
    check_load_sum(&impl_avx512);
}
#endif

/* ---- inputs ---- */

static void test_synth_csr(void **state)
{
    (void)state;
    uint64_t s1 = 0x243F6A8885A308D3ull, s2 = s1;
    skm_bench_csr m;
    assert_int_equal(skm_bench_synth_csr(3000, 256, &s1, &m), SKM_OK);
    struct synth_csr w = synth_postings(3000, 256, &s2);
    assert_int_equal(m.n, w.n);
    assert_int_equal(m.nnz, w.nnz);
    assert_true(s1 == s2);
    assert_memory_equal(m.indptr, w.indptr, (w.n + 1) * sizeof *w.indptr);
    assert_memory_equal(m.indices, w.indices, w.nnz * sizeof *w.indices);
    assert_true(m.pairs == w.pairs);
    for (size_t r = 0; r < m.n; ++r) {
        const int64_t k = m.indptr[r + 1] - m.indptr[r];
        assert_true(k >= 5 && k <= 15);
        for (int64_t e = m.indptr[r] + 1; e < m.indptr[r + 1]; ++e)
            assert_true(m.indices[e - 1] < m.indices[e]);
    }
    skm_bench_csr_free(&m);
    synth_csr_free(&w);
}

/* Fields of each record of CSV text (RFC 4180 quoting); returns the records, -1 if one of them
 * does not have `want` fields. */
static long csv_records(const char *p, size_t n, int want)
{
    long records = 0;
    int fields = 1, quoted = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = p[i];
        if (quoted) {
            if (c == '"' && i + 1 < n && p[i + 1] == '"')
                ++i;
            else if (c == '"')
                quoted = 0;
        } else if (c == '"') {
            quoted = 1;
        } else if (c == ',') {
            ++fields;
        } else if (c == '\n') {
            if (fields != want)
                return -1;
            ++records;
            fields = 1;
        }
    }
    return quoted || fields != 1 ? -1 : records;
}

static void test_csv_text(void **state)
{
    (void)state;
    skm_buf a, b;
    assert_int_equal(skm_bench_csv_text(200000, 3, &a), SKM_OK);
    assert_int_equal(skm_bench_csv_text(200000, 3, &b), SKM_OK);
    assert_true(a.len >= 200000 && a.len < 200000 + 20000);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.ptr, b.ptr, a.len);
    assert_true(csv_records(a.ptr, a.len, 7) > 20);
    assert_true(memchr(a.ptr, '\0', a.len) == NULL);
    skm_buf_free(&a);
    skm_buf_free(&b);
}

static void test_parse_only(void **state)
{
    (void)state;
    unsigned m = 0;
    const char *bad = NULL;
    size_t len = 0;
    assert_int_equal(skm_bench_parse_only("csv_scan,limits", &m, &bad, &len), 0);
    assert_int_equal(m, SKM_BENCH_CSV_SCAN | SKM_BENCH_LIMITS);
    assert_int_equal(skm_bench_parse_only("all", &m, &bad, &len), 0);
    assert_int_equal(m, SKM_BENCH_ALL);
    assert_int_equal(skm_bench_parse_only("and_popcount,,and_popcount_tile", &m, &bad, &len), 0);
    assert_int_equal(m, SKM_BENCH_AND_POPCOUNT | SKM_BENCH_TILE);
    assert_int_equal(skm_bench_parse_only("extract,and_pop", &m, &bad, &len), -1);
    assert_int_equal(len, 7);
    assert_memory_equal(bad, "and_pop", 7);
    assert_int_equal(skm_bench_parse_only("", &m, &bad, &len), 0);
    assert_int_equal(m, 0);
}

/* ---- runs ---- */

static int rows_seen;
static void count_row(void *user, const skm_bench_row *r)
{
    (void)user;
    (void)r;
    ++rows_seen;
}

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    return n;
}

/* No ".NAME.tmp.PID" file left in dir. */
static void assert_no_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".tmp."))
            fail_msg("temporary file %s/%s left behind", dir, e->d_name);
    closedir(d);
}

static void check_h5(skm_ctx *ctx, const char *path, size_t want_rows)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    static const char *const str_cols[] = {"bench/kernel", "bench/size", "bench/isa",
                                           "bench/unit", "bench/limit_name"};
    static const char *const num_cols[] = {"bench/median_s", "bench/min_s", "bench/rate",
                                           "bench/limit", "bench/fraction", "bench/reps"};
    char **kernel = NULL;
    size_t n;
    for (size_t c = 0; c < sizeof str_cols / sizeof str_cols[0]; ++c) {
        char **s;
        assert_int_equal(skm_h5_read_strings(ctx, path, f, str_cols[c], (int64_t)want_rows, &s,
                                             &n),
                         SKM_OK);
        assert_int_equal(n, want_rows);
        if (c == 0)
            kernel = s;
        else
            free(s);
    }
    double *rate = NULL, *frac = NULL;
    for (size_t c = 0; c < sizeof num_cols / sizeof num_cols[0]; ++c) {
        void *d;
        assert_int_equal(skm_h5_read_1d(ctx, path, f, num_cols[c], H5T_NATIVE_DOUBLE,
                                        sizeof(double), (int64_t)want_rows, &d, &n),
                         SKM_OK);
        if (c == 2)
            rate = d;
        else if (c == 4)
            frac = d;
        else
            free(d);
    }
    /* Every row has a rate (any positive number: speeds are not tested); a limit row is its
     * own limit. */
    for (size_t i = 0; i < want_rows; ++i) {
        assert_true(isfinite(rate[i]) && rate[i] > 0);
        if (!strcmp(kernel[i], "limit"))
            assert_true(frac[i] == 1.0);
    }
    free(kernel), free(rate), free(frac);
    hid_t g = H5Gopen2(f, "bench/machine", H5P_DEFAULT);
    assert_true(g >= 0);
    static const char *const str_attrs[] = {"cpu_model",    "cpu_features", "openblas_config",
                                            "date_utc",     "isa",          "tool_version",
                                            "git_revision", "compiler"};
    for (size_t a = 0; a < sizeof str_attrs / sizeof str_attrs[0]; ++a) {
        char *v = NULL;
        assert_int_equal(skm_h5_attr_read_str(ctx, path, g, "/bench/machine", str_attrs[a], &v),
                         SKM_OK);
        free(v);
    }
    int64_t cpus = 0, l1 = 0, threads = 0;
    assert_int_equal(skm_h5_attr_read_num(ctx, path, g, "/bench/machine", "logical_cpus",
                                          H5T_NATIVE_INT64, &cpus),
                     SKM_OK);
    assert_int_equal(skm_h5_attr_read_num(ctx, path, g, "/bench/machine", "l1d_bytes",
                                          H5T_NATIVE_INT64, &l1),
                     SKM_OK);
    assert_int_equal(skm_h5_attr_read_num(ctx, path, g, "/bench/machine", "openblas_threads",
                                          H5T_NATIVE_INT64, &threads),
                     SKM_OK);
    assert_true(cpus >= 1 || cpus == -1);
    H5Gclose(g);
    H5Fclose(f);
}

static void test_run_quick(void **state)
{
    skm_ctx *ctx = *state;
    const char *tmp = skm_test_env("SKM_TMPDIR");
    char h5[1024], csv[1024];
    skm_test_path(h5, sizeof h5, tmp, "quick.h5");
    skm_test_path(csv, sizeof csv, tmp, "quick.csv");
    unlink(h5);
    unlink(csv);

    skm_bench_params P = skm_bench_params_default();
    P.quick = 1;
    P.min_time = 0.001;
    P.samples = 2;
    P.only = SKM_BENCH_TILE | SKM_BENCH_CSV_SCAN | SKM_BENCH_GRAM;
    P.h5_path = h5;
    P.csv_path = csv;
    P.command_line = "test_bench";
    P.on_row = count_row;
    rows_seen = 0;
    skm_bench_result R;
    assert_int_equal(skm_bench_run(ctx, &P, &R), SKM_OK);
    assert_int_equal(R.n_failed, 0);
    assert_true(R.n_rows > 0);
    assert_int_equal((size_t)rows_seen, R.n_rows);
    /* the limits these groups need, and no other */
    int have_tile = 0, have_gram = 0, have_scan = 0, have_l1 = 0, have_sgemm_all = 0;
    for (size_t i = 0; i < R.n_rows; ++i) {
        const skm_bench_row *r = &R.rows[i];
        have_tile += !strcmp(r->kernel, "and_popcount_tile");
        have_gram += !strcmp(r->kernel, "sparse_gram_i32");
        have_scan += !strcmp(r->kernel, "csv_scan");
        have_l1 += !strcmp(r->kernel, "limit") && !strcmp(r->limit_name, "l1_load");
        have_sgemm_all += !strcmp(r->limit_name, "sgemm_all");
        if (strcmp(r->kernel, "limit") != 0)
            assert_true(r->reps >= 1 && r->min_s <= r->median_s);
    }
    assert_true(have_tile >= 1 && have_scan >= 1 && have_l1 == 1);
    assert_int_equal(have_gram, 2); /* pairs/s and dense-equivalent GFLOP/s */
    assert_int_equal(have_sgemm_all, 0);
    check_h5(ctx, h5, R.n_rows);
    assert_int_equal(count_lines(csv), R.n_rows + 1);
    assert_no_tmp(tmp);
    skm_bench_result_free(&R);

    /* Again, limits only, into the same results file: /bench is replaced. */
    P.only = SKM_BENCH_LIMITS;
    P.csv_path = NULL;
    assert_int_equal(skm_bench_run(ctx, &P, &R), SKM_OK);
    assert_int_equal(R.n_failed, 0);
    for (size_t i = 0; i < R.n_rows; ++i)
        assert_string_equal(R.rows[i].kernel, "limit");
    assert_int_equal(R.n_rows, 12); /* 9 measured, 3 derived */
    check_h5(ctx, h5, R.n_rows);
    assert_no_tmp(tmp);
    skm_bench_result_free(&R);
}

/* and_popcount_ref, off by one whenever there is anything to count. */
static uint64_t broken_ap(const uint64_t *restrict a, const uint64_t *restrict b, size_t n)
{
    return and_popcount_ref(a, b, n) + (n > 3);
}

static void test_run_mismatch(void **state)
{
    skm_ctx *ctx = *state;
    const char *tmp = skm_test_env("SKM_TMPDIR");
    char h5[1024], csv[1024];
    skm_test_path(h5, sizeof h5, tmp, "broken.h5");
    skm_test_path(csv, sizeof csv, tmp, "broken.csv");
    unlink(h5);
    unlink(csv);
    const skm_bench_variant v[] = {
        {"ref", 0, and_popcount_ref, and_popcount_tile_ref, sparse_argmin_f32_ref, csv_scan_ref,
         text_lower_ref, text_classify_ref, load_sum_u64_ref},
        {"broken", 0, broken_ap, and_popcount_tile_ref, sparse_argmin_f32_ref, csv_scan_ref,
         text_lower_ref, text_classify_ref, load_sum_u64_ref},
    };
    skm_bench_params P = skm_bench_params_default();
    P.quick = 1;
    P.min_time = 0.001;
    P.samples = 1;
    P.only = SKM_BENCH_AND_POPCOUNT | SKM_BENCH_TILE;
    P.h5_path = h5;
    P.csv_path = csv;
    P.on_row = count_row;
    P.variants = v;
    P.n_variants = 2;
    rows_seen = 0;
    skm_bench_result R;
    assert_int_equal(skm_bench_run(ctx, &P, &R), SKM_OK);
    assert_true(R.n_failed >= 1);
    assert_int_equal(R.n_rows, 0);
    assert_int_equal(rows_seen, 0);
    assert_int_equal(access(h5, F_OK), -1);
    assert_int_equal(access(csv, F_OK), -1);
    assert_no_tmp(tmp);
    skm_bench_result_free(&R);

    /* The tile alone is fine with this list: nothing fails. */
    P.only = SKM_BENCH_TILE;
    P.h5_path = P.csv_path = NULL;
    assert_int_equal(skm_bench_run(ctx, &P, &R), SKM_OK);
    assert_int_equal(R.n_failed, 0);
    assert_true(R.n_rows > 0);
    skm_bench_result_free(&R);
}

static void test_run_errors(void **state)
{
    skm_ctx *ctx = *state;
    const char *tmp = skm_test_env("SKM_TMPDIR");
    skm_bench_params P = skm_bench_params_default();
    skm_bench_result R;
    P.samples = 0;
    assert_int_equal(skm_bench_run(ctx, &P, &R), SKM_EINVAL);
    skm_bench_result_free(&R);
    P = skm_bench_params_default();
    P.min_time = 0;
    assert_int_equal(skm_bench_run(ctx, &P, &R), SKM_EINVAL);
    skm_bench_result_free(&R);

    /* -o naming a file that is not a results file: refused before anything runs, untouched */
    char path[1024];
    skm_test_path(path, sizeof path, tmp, "not_results.h5");
    assert_int_equal(skm_test_write_file(path, "hello\n", 6), 0);
    P = skm_bench_params_default();
    P.quick = 1;
    P.only = SKM_BENCH_TILE;
    P.h5_path = path;
    rows_seen = 0;
    P.on_row = count_row;
    assert_int_equal(skm_bench_run(ctx, &P, &R), SKM_EINVAL);
    assert_int_equal(rows_seen, 0);
    skm_bench_result_free(&R);
    FILE *f = fopen(path, "r");
    char buf[16] = {0};
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof buf, f), 6);
    fclose(f);
    assert_string_equal(buf, "hello\n");
    assert_no_tmp(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_sum_ref),
        {"load_sum/ref", test_load_sum_ref_vs_ref, NULL, NULL, NULL},
#ifdef SKM_KERNELS_AVX2
        {"load_sum/avx2", test_load_sum_avx2, NULL, NULL, NULL},
#endif
#ifdef SKM_KERNELS_AVX512
        {"load_sum/avx512", test_load_sum_avx512, NULL, NULL, NULL},
#endif
        cmocka_unit_test(test_synth_csr),
        cmocka_unit_test(test_csv_text),
        cmocka_unit_test(test_parse_only),
        cmocka_unit_test(test_run_quick),
        cmocka_unit_test(test_run_mismatch),
        cmocka_unit_test(test_run_errors),
    };
    return cmocka_run_group_tests_name("bench", tests, ctx_setup, ctx_teardown);
}
