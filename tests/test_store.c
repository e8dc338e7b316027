/*
 * test_store.c — the HDF5 store: the streaming writer (src/h5/store_write.c) and the public
 * reader (skm_store_*). A small store is written in several blocks (one of them empty, rows
 * without skills, NaN and missing values, UTF-8 ids) and every documented path is read back
 * with the raw HDF5 API (values, dtypes, layout, filters, a non-empty description on every
 * dataset), then through the reader with blocks crossing the append boundaries. Also: atomic
 * behaviour on abort and failure, format and schema checks on open, corrupted stores, the
 * empty store.
 *
 * The round-trip store is left at $SKM_TMPDIR/roundtrip.h5 for tests/h5py_check.py.
 */
#include "test_util.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "core/core.h"
#include "h5/store_write.h"

/* ---- the fixture: 10 postings, 6 skills, written as blocks [0,3) [3,3) [3,7) [7,10) ---- */

#define NR 10
#define NS 6
#define NBLK 5

static const size_t blk_start[NBLK + 1] = {0, 3, 3, 7, 10, 10};

static const char *const lv_title[] = {"Data Analyst", "Data Engineer", "Ingénieur données"};
static const char *const lv_role[] = {"Analyst", "Engineer"};
static const char *const lv_company[] = {"Acme", "Café Müller GmbH", "東京データ株式会社", ""};
static const char *const lv_location[] = {"Berlin"};
static const size_t n_lv[SKM_CAT_COUNT] = {3, 2, 4, 1, 0}; /* no country at all */

static const char *const g_id[NR] = {"p-0", NULL, "ñandú-2", "日本語-3", "", "p-5",
                                     "emoji-😀", "p-7", NULL, "p-9"};
static const double g_smin[NR] = {50000, NAN, 20, NAN, 4000, 100, NAN, 60000, 1e6, NAN};
static const double g_smax[NR] = {70000, NAN, 30, NAN, 5000, NAN, NAN, 60000, 2e6, NAN};
static const int8_t g_period[NR] = {5, 0, 1, 0, 4, 2, 0, 5, 5, 0};
static const double g_sann[NR] = {60000, NAN, 52000, NAN, 54000, 26000, NAN, 60000, 1.5e6, NAN};
static const int8_t g_remote[NR] = {1, 0, -1, -1, 1, 0, 0, 1, -1, 1};
static const int8_t g_sflag[NR] = {0, 0, 1, 0, 2, 0, 3, 0, 0, 0};
static const int32_t g_srcfile[NR] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
static const int64_t g_srcline[NR] = {2, 3, 5, 6, 7, 2, 3, 4, 9, 10};

/* Rows: 0 {0:1,2:3}  1 {}  2 {1:1,3:1,5:2}  3 {}  4 {0:2}  5 {4:1,5:1}  6 {}
 *       7 {0..5: 1}  8 {2:7}  9 {} */
static const int64_t g_indptr[NR + 1] = {0, 2, 2, 5, 5, 6, 8, 8, 14, 15, 15};
static const int32_t g_indices[15] = {0, 2, 1, 3, 5, 0, 4, 5, 0, 1, 2, 3, 4, 5, 2};
static const int32_t g_counts[15] = {1, 3, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 7};
#define NNZ 15

static const char *const g_skill[NS] = {"sql", "python", "power bi", "c++", "größe", "excel"};
static const char *const g_skill_cat[NS] = {"data", "programming", "bi",
                                            "programming", "", "office"};
static const int64_t g_doc_freq[NS] = {3, 2, 3, 2, 2, 3};

static const char *const in_paths[2] = {"a.csv", "b.jsonl.gz"};
static const char *const in_sha[2] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"};
static const char *const in_fmt[2] = {"csv", "jsonl+gzip"};
static const uint64_t in_bytes[2] = {1234, 567};
static const uint64_t in_records[2] = {6, 5};
static const uint64_t in_skipped[2] = {1, 0};
/* Column used per role and input (row-major, 2 × SKM_COL_COUNT); NULL = no column. */
static const char *in_columns[2 * SKM_COL_COUNT] = {
    [SKM_COL_TITLE] = "job_title",
    [SKM_COL_SKILLS] = "job_skills",
    [SKM_COL_COUNT + SKM_COL_TITLE] = "title",
    [SKM_COL_COUNT + SKM_COL_SALARY_MIN] = "min_amount",
};
static const char *const pkeys[2] = {"compression", "title_col"};
static const char *const pvals[2] = {"4", "Job Title"};

static int32_t code_of(int c, size_t i)
{
    /* -1 .. n_lv[c]-1, with missing values in every column. */
    return (int32_t)((i + (size_t)c) % (n_lv[c] + 1)) - 1;
}

static int64_t date_of(size_t i)
{
    return i % 4 == 3 ? INT64_MIN : 1672531200 + (int64_t)i * 86400; /* 2023-01-01 + i days */
}

static int32_t g_cat[SKM_CAT_COUNT][NR];
static int g_no_categories; /* write skill_categories = NULL: every category "" */
static int64_t g_date[NR];

static void fill_globals(void)
{
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        for (size_t i = 0; i < NR; ++i)
            g_cat[c][i] = code_of(c, i);
    for (size_t i = 0; i < NR; ++i)
        g_date[i] = date_of(i);
}

static skm_store_meta fixture_meta(uint64_t skipped[SKM_SKIP_COUNT])
{
    skm_store_meta m;
    memset(&m, 0, sizeof m);
    m.levels[SKM_CAT_TITLE] = lv_title;
    m.levels[SKM_CAT_ROLE] = lv_role;
    m.levels[SKM_CAT_COMPANY] = lv_company;
    m.levels[SKM_CAT_LOCATION] = lv_location;
    m.levels[SKM_CAT_COUNTRY] = NULL;
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        m.n_levels[c] = n_lv[c];
    m.n_skills = NS;
    m.skill_names = g_skill;
    m.skill_categories = g_no_categories ? NULL : g_skill_cat;
    m.skill_doc_freq = g_doc_freq;
    m.command_line = "skillmat ingest a.csv b.jsonl.gz -o roundtrip.h5";
    m.n_inputs = 2;
    m.input_paths = in_paths;
    m.input_sha256 = in_sha;
    m.input_format = in_fmt;
    m.input_bytes = in_bytes;
    m.input_records = in_records;
    m.input_skipped = in_skipped;
    m.input_columns = in_columns;
    for (int i = 0; i < SKM_SKIP_COUNT; ++i)
        skipped[i] = (uint64_t)(i == SKM_SKIP_FIELD_COUNT);
    m.skipped_by_reason = skipped;
    m.hours_per_year = 2080;
    m.n_params = 2;
    m.param_keys = pkeys;
    m.param_values = pvals;
    return m;
}

/* Block k of the fixture, pointing into the globals; the local indptr goes to `ip`. */
static skm_posting_block fixture_block(int k, int64_t ip[NR + 1])
{
    size_t a = blk_start[k], n = blk_start[k + 1] - a;
    skm_posting_block b;
    memset(&b, 0, sizeof b);
    b.n = n;
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        b.cat[c] = g_cat[c] + a;
    b.id = (char **)(g_id + a);
    b.posted_date = g_date + a;
    b.salary_min = (double *)g_smin + a;
    b.salary_max = (double *)g_smax + a;
    b.salary_period = (int8_t *)g_period + a;
    b.salary_annual = (double *)g_sann + a;
    b.remote = (int8_t *)g_remote + a;
    b.salary_flag = (int8_t *)g_sflag + a;
    b.source_file = (int32_t *)g_srcfile + a;
    b.source_line = (int64_t *)g_srcline + a;
    for (size_t i = 0; i <= n; ++i)
        ip[i] = g_indptr[a + i] - g_indptr[a];
    b.indptr = ip;
    b.indices = (int32_t *)g_indices + g_indptr[a];
    b.counts = (int32_t *)g_counts + g_indptr[a];
    return b;
}

static void write_fixture(const char *path, int compression)
{
    fill_globals();
    skm_ctx *ctx = skm_ctx_alloc();
    skm_storew_params p = {.compression = compression, .has_id = 1};
    skm_storew *w = NULL;
    int rc = skm_storew_open(ctx, path, &p, &w);
    if (rc != SKM_OK)
        fail_msg("open: %s", skm_ctx_errmsg(ctx));
    for (int k = 0; k < NBLK; ++k) {
        int64_t ip[NR + 1];
        skm_posting_block b = fixture_block(k, ip);
        rc = skm_storew_append(w, &b);
        if (rc != SKM_OK)
            fail_msg("append %d: %s", k, skm_ctx_errmsg(ctx));
    }
    uint64_t skipped[SKM_SKIP_COUNT];
    skm_store_meta m = fixture_meta(skipped);
    rc = skm_storew_finish(w, &m);
    if (rc != SKM_OK)
        fail_msg("finish: %s", skm_ctx_errmsg(ctx));
    skm_ctx_free(ctx);
}

static const char *tmpfile_path(char *buf, size_t n, const char *name)
{
    return skm_test_path(buf, n, skm_test_env("SKM_TMPDIR"), name);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Number of entries in SKM_TMPDIR whose name starts with `prefix`. */
static int count_prefix(const char *prefix)
{
    DIR *d = opendir(skm_test_env("SKM_TMPDIR"));
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* ---- raw HDF5 checks ------------------------------------------------------------------- */

static char *read_str_attr(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        fail_msg("attribute %s missing", name);
    hid_t t = H5Aget_type(a);
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_true(H5Tis_variable_str(t) > 0);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    hid_t sp = H5Aget_space(a);
    assert_int_equal(H5Sget_simple_extent_type(sp), H5S_SCALAR);
    char *s = NULL;
    assert_true(H5Aread(a, t, &s) >= 0);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

static void check_str_attr(hid_t obj, const char *name, const char *want)
{
    char *s = read_str_attr(obj, name);
    if (strcmp(s, want) != 0)
        fail_msg("attribute %s = '%s', want '%s'", name, s, want);
    free(s);
}

static void read_num_attr(hid_t obj, const char *name, hid_t want_ftype, hid_t mt, size_t n,
                          void *out)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        fail_msg("attribute %s missing", name);
    hid_t t = H5Aget_type(a);
    if (H5Tequal(t, want_ftype) <= 0)
        fail_msg("attribute %s has the wrong type", name);
    hid_t sp = H5Aget_space(a);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), (hssize_t)n);
    assert_true(H5Aread(a, mt, out) >= 0);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
}

/* Open a 1-D dataset, check its file type (strings: vlen UTF-8) and its length. */
static hid_t open_ds(hid_t f, const char *path, hid_t want_ftype, hsize_t want_n)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0)
        fail_msg("%s missing", path);
    hid_t t = H5Dget_type(d);
    if (want_ftype < 0) {
        if (H5Tget_class(t) != H5T_STRING || H5Tis_variable_str(t) <= 0 ||
            H5Tget_cset(t) != H5T_CSET_UTF8)
            fail_msg("%s is not a vlen UTF-8 string dataset", path);
    } else if (H5Tequal(t, want_ftype) <= 0) {
        fail_msg("%s has the wrong dtype", path);
    }
    H5Tclose(t);
    hid_t sp = H5Dget_space(d);
    hsize_t dim = 0;
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 1);
    H5Sget_simple_extent_dims(sp, &dim, NULL);
    if (dim != want_n)
        fail_msg("%s has %llu entries, want %llu", path, (unsigned long long)dim,
                 (unsigned long long)want_n);
    H5Sclose(sp);
    return d;
}

static void read_all(hid_t d, hid_t mt, void *buf)
{
    assert_true(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
}

static void check_strings(hid_t f, const char *path, size_t n, const char *const *want)
{
    hid_t d = open_ds(f, path, -1, n);
    if (n > 0) {
        char **got = calloc(n, sizeof *got);
        hid_t t = H5Dget_type(d);
        read_all(d, t, got);
        for (size_t i = 0; i < n; ++i) {
            const char *w = want && want[i] ? want[i] : "";
            if (!got[i] || strcmp(got[i], w) != 0)
                fail_msg("%s[%zu] = '%s', want '%s'", path, i, got[i] ? got[i] : "(null)", w);
        }
        hid_t sp = H5Dget_space(d);
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, got);
        H5Sclose(sp);
        H5Tclose(t);
        free(got);
    }
    H5Dclose(d);
}

static void check_i64(hid_t f, const char *path, size_t n, const int64_t *want)
{
    hid_t d = open_ds(f, path, H5T_STD_I64LE, n);
    int64_t got[64];
    assert_true(n <= 64);
    if (n)
        read_all(d, H5T_NATIVE_INT64, got);
    for (size_t i = 0; i < n; ++i)
        if (got[i] != want[i])
            fail_msg("%s[%zu] = %lld, want %lld", path, i, (long long)got[i], (long long)want[i]);
    H5Dclose(d);
}

static void check_i32(hid_t f, const char *path, size_t n, const int32_t *want)
{
    hid_t d = open_ds(f, path, H5T_STD_I32LE, n);
    int32_t got[64];
    assert_true(n <= 64);
    if (n)
        read_all(d, H5T_NATIVE_INT32, got);
    for (size_t i = 0; i < n; ++i)
        if (got[i] != want[i])
            fail_msg("%s[%zu] = %d, want %d", path, i, got[i], want[i]);
    H5Dclose(d);
}

static void check_i8(hid_t f, const char *path, size_t n, const int8_t *want)
{
    hid_t d = open_ds(f, path, H5T_STD_I8LE, n);
    int8_t got[64];
    if (n)
        read_all(d, H5T_NATIVE_INT8, got);
    for (size_t i = 0; i < n; ++i)
        if (got[i] != want[i])
            fail_msg("%s[%zu] = %d, want %d", path, i, got[i], want[i]);
    H5Dclose(d);
}

static void check_f64(hid_t f, const char *path, size_t n, const double *want)
{
    hid_t d = open_ds(f, path, H5T_IEEE_F64LE, n);
    double got[64];
    if (n)
        read_all(d, H5T_NATIVE_DOUBLE, got);
    for (size_t i = 0; i < n; ++i)
        assert_close(got[i], want[i], 0, 0); /* NaN matches NaN only */
    H5Dclose(d);
}

/* Chunked with the given chunk size; shuffle and Fletcher-32 unless vlen (HDF5 refuses the
 * checksum on vlen types); deflate iff level > 0. */
static void check_filters(hid_t f, const char *path, int compression, int fixed, hsize_t chunk)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t pl = H5Dget_create_plist(d);
    assert_int_equal(H5Pget_layout(pl), H5D_CHUNKED);
    hsize_t c = 0;
    assert_int_equal(H5Pget_chunk(pl, 1, &c), 1);
    assert_int_equal(c, chunk);
    int nf = H5Pget_nfilters(pl);
    int seen_shuffle = 0, seen_deflate = 0, seen_fletcher = 0;
    for (int i = 0; i < nf; ++i) {
        unsigned flags, conf;
        size_t nv = 4;
        unsigned vals[4];
        char name[64];
        H5Z_filter_t id =
            H5Pget_filter2(pl, (unsigned)i, &flags, &nv, vals, sizeof name, name, &conf);
        seen_shuffle += id == H5Z_FILTER_SHUFFLE;
        seen_deflate += id == H5Z_FILTER_DEFLATE;
        seen_fletcher += id == H5Z_FILTER_FLETCHER32;
        if (id == H5Z_FILTER_DEFLATE)
            assert_int_equal(vals[0], (unsigned)compression);
        if (id == H5Z_FILTER_FLETCHER32)
            assert_int_equal(i, nf - 1); /* the checksum covers the stored bytes */
    }
    assert_int_equal(seen_shuffle, fixed);
    assert_int_equal(seen_deflate, compression > 0);
    assert_int_equal(seen_fletcher, fixed);
    H5Pclose(pl);
    H5Dclose(d);
}

/* Every dataset of the schema (with /postings/id). */
static const char *const documented[] = {
    "postings/title", "postings/role", "postings/company", "postings/location",
    "postings/country", "postings/title_levels", "postings/role_levels",
    "postings/company_levels", "postings/location_levels", "postings/country_levels",
    "postings/id", "postings/posted_date", "postings/salary_min", "postings/salary_max",
    "postings/salary_period", "postings/salary_annual", "postings/remote",
    "postings/source_file", "postings/source_line", "matrix/indptr", "matrix/indices",
    "matrix/counts", "skills/name", "skills/category", "skills/doc_freq",
    "provenance/input_files", "provenance/input_sha256", "provenance/input_format",
    "provenance/input_bytes", "provenance/input_records", "provenance/input_skipped",
    "provenance/skipped_reason", "provenance/skipped_count", "provenance/column_roles",
    "provenance/input_columns", "postings/seniority", "postings/role_family",
    "postings/work_mode", "postings/salary_currency", "postings/seniority_levels",
    "postings/role_family_levels", "postings/work_mode_levels", "postings/salary_currency_levels",
    "postings/salary_flag", "provenance/salary_flag_name", "provenance/salary_flag_count",
};
#define N_DOCUMENTED (sizeof documented / sizeof documented[0])

typedef struct visit_state {
    int n_datasets;
    int seen[N_DOCUMENTED];
    char undocumented[256];
} visit_state;

static herr_t visit_cb(hid_t obj, const char *name, const H5O_info_t *info, void *user)
{
    visit_state *vs = user;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    vs->n_datasets++;
    size_t k = 0;
    while (k < N_DOCUMENTED && strcmp(documented[k], name) != 0)
        ++k;
    if (k < N_DOCUMENTED)
        vs->seen[k]++;
    else
        snprintf(vs->undocumented, sizeof vs->undocumented, "%s", name);
    hid_t d = H5Oopen(obj, name, H5P_DEFAULT);
    if (d < 0 || H5Aexists(d, "description") <= 0) {
        fprintf(stderr, "dataset %s has no description\n", name);
        return -1;
    }
    char *desc = read_str_attr(d, "description");
    int ok = strlen(desc) > 0;
    free(desc);
    H5Oclose(d);
    return ok ? 0 : -1;
}

static void check_layout(const char *path, int compression)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);

    /* Root attributes. */
    check_str_attr(f, "format", "skillmat");
    int32_t ver[2];
    read_num_attr(f, "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, ver);
    assert_int_equal(ver[0], SKM_SCHEMA_MAJOR);
    assert_int_equal(ver[1], SKM_SCHEMA_MINOR);
    char *created = read_str_attr(f, "created");
    assert_int_equal(strlen(created), 20);
    assert_int_equal(created[10], 'T');
    assert_int_equal(created[19], 'Z');

    /* Every dataset is documented and described; every documented dataset exists once. */
    visit_state vs;
    memset(&vs, 0, sizeof vs);
    assert_true(H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, visit_cb, &vs, H5O_INFO_BASIC) >= 0);
    if (vs.undocumented[0])
        fail_msg("undocumented dataset %s", vs.undocumented);
    assert_int_equal(vs.n_datasets, (int)N_DOCUMENTED);
    for (size_t k = 0; k < N_DOCUMENTED; ++k)
        if (vs.seen[k] != 1)
            fail_msg("documented dataset %s seen %d times", documented[k], vs.seen[k]);

    /* Posting columns. */
    const char *const *levels[SKM_CAT_COUNT] = {lv_title, lv_role, lv_company, lv_location, NULL};
    for (int c = 0; c < SKM_CAT_COUNT; ++c) {
        char p[64];
        snprintf(p, sizeof p, "/postings/%s", skm_cat_names[c]);
        check_i32(f, p, NR, g_cat[c]);
        check_filters(f, p, compression, 1, 65536);
        snprintf(p, sizeof p, "/postings/%s_levels", skm_cat_names[c]);
        check_strings(f, p, n_lv[c], levels[c]);
    }
    check_strings(f, "/postings/id", NR, g_id);
    check_filters(f, "/postings/id", compression, 0, 32768);
    check_i64(f, "/postings/posted_date", NR, g_date);
    check_filters(f, "/postings/posted_date", compression, 1, 65536);
    check_f64(f, "/postings/salary_min", NR, g_smin);
    check_f64(f, "/postings/salary_max", NR, g_smax);
    check_i8(f, "/postings/salary_period", NR, g_period);
    check_f64(f, "/postings/salary_annual", NR, g_sann);
    check_i8(f, "/postings/remote", NR, g_remote);
    check_i32(f, "/postings/source_file", NR, g_srcfile);
    check_i64(f, "/postings/source_line", NR, g_srcline);
    static const char *const more_cols[] = {"/postings/salary_min", "/postings/salary_max",
                                            "/postings/salary_annual", "/postings/remote", NULL};
    for (const char *const *p = more_cols; *p; ++p)
        check_filters(f, *p, compression, 1, 65536);

    hid_t d = H5Dopen2(f, "/postings/salary_annual", H5P_DEFAULT);
    double hpy = 0;
    read_num_attr(d, "hours_per_year", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &hpy);
    assert_close(hpy, 2080, 0, 0);
    check_str_attr(d, "units", "currency as given in the input, per year");
    H5Dclose(d);
    d = H5Dopen2(f, "/postings/posted_date", H5P_DEFAULT);
    check_str_attr(d, "units", "seconds since 1970-01-01T00:00:00Z");
    H5Dclose(d);

    /* Matrix. */
    check_i64(f, "/matrix/indptr", NR + 1, g_indptr);
    check_i32(f, "/matrix/indices", NNZ, g_indices);
    check_i32(f, "/matrix/counts", NNZ, g_counts);
    check_filters(f, "/matrix/indptr", compression, 1, 65536);
    check_filters(f, "/matrix/indices", compression, 1, 131072);
    check_filters(f, "/matrix/counts", compression, 1, 131072);
    hid_t g = H5Gopen2(f, "/matrix", H5P_DEFAULT);
    int64_t v;
    read_num_attr(g, "n_rows", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &v);
    assert_int_equal(v, NR);
    read_num_attr(g, "n_cols", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &v);
    assert_int_equal(v, NS);
    read_num_attr(g, "nnz", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &v);
    assert_int_equal(v, NNZ);
    check_str_attr(g, "format", "csr");
    H5Gclose(g);

    /* Skills. */
    check_strings(f, "/skills/name", NS, g_skill);
    check_strings(f, "/skills/category", NS, g_no_categories ? NULL : g_skill_cat);
    check_i64(f, "/skills/doc_freq", NS, g_doc_freq);

    /* Provenance. */
    g = H5Gopen2(f, "/provenance", H5P_DEFAULT);
    check_str_attr(g, "tool_version", skm_version());
    check_str_attr(g, "command_line", "skillmat ingest a.csv b.jsonl.gz -o roundtrip.h5");
    check_str_attr(g, "created", created);
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    char h5v[32];
    snprintf(h5v, sizeof h5v, "%u.%u.%u", maj, min, rel);
    check_str_attr(g, "hdf5_version", h5v);
    check_str_attr(g, "isa", skm_isa());
    for (const char *const *a = (const char *const[]){"git_revision", "compiler", "cflags",
                                                      "build_type", "zlib_version", NULL};
         *a; ++a)
        free(read_str_attr(g, *a));
    read_num_attr(g, "hours_per_year", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &hpy);
    assert_close(hpy, 2080, 0, 0);
    H5Gclose(g);
    free(created);
    check_strings(f, "/provenance/input_files", 2, in_paths);
    check_strings(f, "/provenance/input_sha256", 2, in_sha);
    check_strings(f, "/provenance/input_format", 2, in_fmt);
    check_i64(f, "/provenance/input_bytes", 2, (const int64_t[]){1234, 567});
    check_i64(f, "/provenance/input_records", 2, (const int64_t[]){6, 5});
    check_i64(f, "/provenance/input_skipped", 2, (const int64_t[]){1, 0});
    const char *reasons[SKM_SKIP_COUNT];
    int64_t counts[SKM_SKIP_COUNT];
    for (int i = 0; i < SKM_SKIP_COUNT; ++i) {
        reasons[i] = skm_skip_name(i);
        counts[i] = i == SKM_SKIP_FIELD_COUNT;
    }
    check_strings(f, "/provenance/skipped_reason", SKM_SKIP_COUNT, reasons);
    const char *roles[SKM_COL_COUNT];
    for (int i = 0; i < SKM_COL_COUNT; ++i)
        roles[i] = skm_col_name(i);
    check_strings(f, "/provenance/column_roles", SKM_COL_COUNT, roles);
    {
        /* 2-D: one row per input, one column per role. */
        hid_t dc = H5Dopen2(f, "/provenance/input_columns", H5P_DEFAULT);
        assert_true(dc >= 0);
        hid_t sp = H5Dget_space(dc), t = H5Dget_type(dc);
        hsize_t dims[2] = {0, 0};
        assert_int_equal(H5Sget_simple_extent_ndims(sp), 2);
        H5Sget_simple_extent_dims(sp, dims, NULL);
        assert_int_equal(dims[0], 2);
        assert_int_equal(dims[1], SKM_COL_COUNT);
        char *got[2 * SKM_COL_COUNT];
        assert_true(H5Dread(dc, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
        for (int i = 0; i < 2 * SKM_COL_COUNT; ++i)
            assert_string_equal(got[i], in_columns[i] ? in_columns[i] : "");
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, got);
        H5Tclose(t);
        H5Sclose(sp);
        H5Dclose(dc);
    }
    check_i64(f, "/provenance/skipped_count", SKM_SKIP_COUNT, counts);

    /* Parameters. */
    g = H5Gopen2(f, "/parameters", H5P_DEFAULT);
    check_str_attr(g, "compression", "4");
    check_str_attr(g, "title_col", "Job Title");
    H5O_info_t oi;
    assert_true(H5Oget_info2(g, &oi, H5O_INFO_NUM_ATTRS) >= 0);
    assert_int_equal(oi.num_attrs, 2); /* the options and nothing else */
    H5Gclose(g);

    /* Units where they apply. */
    static const char *const with_units[] = {"/postings/salary_min", "/postings/salary_max",
                                             "/matrix/counts", "/skills/doc_freq",
                                             "/provenance/input_bytes", NULL};
    for (const char *const *p = with_units; *p; ++p) {
        d = H5Dopen2(f, *p, H5P_DEFAULT);
        free(read_str_attr(d, "units"));
        H5Dclose(d);
    }
    assert_true(H5Fclose(f) >= 0);
}

static void test_roundtrip_raw(void **state)
{
    (void)state;
    char path[1024];
    tmpfile_path(path, sizeof path, "roundtrip.h5"); /* left behind for h5py_check.py */
    unlink(path);
    write_fixture(path, 4);
    assert_int_equal(count_prefix(".roundtrip.h5.tmp."), 0);
    check_layout(path, 4);

    /* No deflate; no skill categories. */
    tmpfile_path(path, sizeof path, "roundtrip0.h5");
    unlink(path);
    g_no_categories = 1;
    write_fixture(path, 0);
    check_layout(path, 0);
    g_no_categories = 0;
    unlink(path);
}

/* ---- the public reader ----------------------------------------------------------------- */

static void test_reader(void **state)
{
    (void)state;
    char path[1024];
    tmpfile_path(path, sizeof path, "reader.h5");
    unlink(path);
    write_fixture(path, 6);
    skm_ctx *ctx = skm_ctx_alloc();
    skm_store *st = NULL;
    if (skm_store_open(ctx, path, &st) != SKM_OK)
        fail_msg("%s", skm_ctx_errmsg(ctx));
    assert_int_equal(skm_store_n_rows(st), NR);
    assert_int_equal(skm_store_n_cols(st), NS);
    assert_int_equal(skm_store_nnz(st), NNZ);
    for (int j = 0; j < NS; ++j) {
        assert_string_equal(skm_store_skill_name(st, j), g_skill[j]);
        assert_string_equal(skm_store_skill_category(st, j), g_skill_cat[j]);
        assert_int_equal(skm_store_skill_doc_freq(st, j), g_doc_freq[j]);
    }
    assert_null(skm_store_skill_name(st, NS));
    assert_null(skm_store_skill_category(st, -1));
    assert_int_equal(skm_store_skill_doc_freq(st, NS), -1);

    /* Blocks of several sizes, from a block too small for them (forces growth). */
    static const size_t sizes[] = {1, 2, 3, 4, 7, 10, 64};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
        skm_csr_block *blk = skm_csr_block_alloc(1, 1);
        assert_non_null(blk);
        int64_t rows_seen = 0;
        for (int64_t r = 0; r < NR; r += (int64_t)sizes[s]) {
            if (skm_store_read_block(st, r, sizes[s], blk) != SKM_OK)
                fail_msg("%s", skm_ctx_errmsg(ctx));
            assert_int_equal(blk->row0, r);
            size_t want_n = (size_t)(NR - r) < sizes[s] ? (size_t)(NR - r) : sizes[s];
            assert_int_equal(blk->n_rows, want_n);
            assert_int_equal(blk->indptr[0], 0);
            assert_int_equal(blk->nnz, (size_t)(g_indptr[r + (int64_t)want_n] - g_indptr[r]));
            for (size_t i = 0; i < blk->n_rows; ++i) {
                int64_t gr = r + (int64_t)i;
                assert_int_equal(blk->indptr[i + 1] - blk->indptr[i],
                                 g_indptr[gr + 1] - g_indptr[gr]);
                for (int64_t k = blk->indptr[i]; k < blk->indptr[i + 1]; ++k) {
                    int64_t gk = g_indptr[gr] + (k - blk->indptr[i]);
                    assert_int_equal(blk->indices[k], g_indices[gk]);
                    assert_int_equal(blk->counts[k], g_counts[gk]);
                }
            }
            rows_seen += (int64_t)blk->n_rows;
        }
        assert_int_equal(rows_seen, NR);
        /* The end of the matrix gives an empty block; beyond it is an error. */
        assert_int_equal(skm_store_read_block(st, NR, sizes[s], blk), SKM_OK);
        assert_int_equal(blk->n_rows, 0);
        assert_int_equal(blk->nnz, 0);
        assert_int_equal(skm_store_read_block(st, NR + 1, 1, blk), SKM_EINVAL);
        assert_int_equal(skm_store_read_block(st, -1, 1, blk), SKM_EINVAL);
        skm_csr_block_free(blk);
    }
    skm_csr_block_free(NULL);

    /* Columns, converted by HDF5 to the requested memory type. */
    int64_t i64[NR];
    double f64[NR];
    int32_t i32[NR];
    int8_t i8[NR];
    assert_int_equal(skm_store_read_column(st, "title", 0, NR, SKM_TYPE_I64, i64), SKM_OK);
    for (int i = 0; i < NR; ++i)
        assert_int_equal(i64[i], g_cat[SKM_CAT_TITLE][i]);
    assert_int_equal(skm_store_read_column(st, "company", 2, 5, SKM_TYPE_F64, f64), SKM_OK);
    for (int i = 0; i < 5; ++i)
        assert_close(f64[i], g_cat[SKM_CAT_COMPANY][i + 2], 0, 0);
    assert_int_equal(skm_store_read_column(st, "salary_annual", 0, NR, SKM_TYPE_F64, f64), SKM_OK);
    for (int i = 0; i < NR; ++i)
        assert_close(f64[i], g_sann[i], 0, 0);
    assert_int_equal(skm_store_read_column(st, "posted_date", 1, 9, SKM_TYPE_I64, i64), SKM_OK);
    for (int i = 0; i < 9; ++i)
        assert_int_equal(i64[i], g_date[i + 1]);
    assert_int_equal(skm_store_read_column(st, "salary_period", 0, NR, SKM_TYPE_I32, i32), SKM_OK);
    for (int i = 0; i < NR; ++i)
        assert_int_equal(i32[i], g_period[i]);
    assert_int_equal(skm_store_read_column(st, "remote", 0, NR, SKM_TYPE_I8, i8), SKM_OK);
    for (int i = 0; i < NR; ++i)
        assert_int_equal(i8[i], g_remote[i]);
    assert_int_equal(skm_store_read_column(st, "source_line", 3, 4, SKM_TYPE_F64, f64), SKM_OK);
    for (int i = 0; i < 4; ++i)
        assert_close(f64[i], (double)g_srcline[i + 3], 0, 0);
    /* Again, through the cached handle. */
    assert_int_equal(skm_store_read_column(st, "title", 9, 1, SKM_TYPE_I32, i32), SKM_OK);
    assert_int_equal(i32[0], g_cat[SKM_CAT_TITLE][9]);
    assert_int_equal(skm_store_read_column(st, "title", NR, 0, SKM_TYPE_I32, i32), SKM_OK);

    assert_int_equal(skm_store_read_column(st, "nope", 0, 1, SKM_TYPE_I32, i32), SKM_ENOTFOUND);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "/postings/nope"));
    assert_int_equal(skm_store_read_column(st, "id", 0, 1, SKM_TYPE_I32, i32), SKM_ENOTFOUND);
    assert_int_equal(skm_store_read_column(st, "title_levels", 0, 1, SKM_TYPE_I32, i32),
                     SKM_ENOTFOUND);
    assert_int_equal(skm_store_read_column(st, "../matrix/indptr", 0, 1, SKM_TYPE_I64, i64),
                     SKM_ENOTFOUND);
    assert_int_equal(skm_store_read_column(st, "", 0, 1, SKM_TYPE_I64, i64), SKM_ENOTFOUND);
    assert_int_equal(skm_store_read_column(st, "title", 5, 6, SKM_TYPE_I32, i32), SKM_EINVAL);
    assert_int_equal(skm_store_read_column(st, "title", -1, 1, SKM_TYPE_I32, i32), SKM_EINVAL);
    assert_int_equal(skm_store_read_column(st, "title", 0, 1, 99, i32), SKM_EINVAL);

    skm_store_close(st);
    skm_store_close(NULL);
    skm_ctx_free(ctx);
    unlink(path);
}

/* ---- atomicity ------------------------------------------------------------------------- */

static skm_storew *open_and_append(skm_ctx *ctx, const char *path)
{
    fill_globals();
    skm_storew_params p = {.compression = 1, .has_id = 1};
    skm_storew *w = NULL;
    if (skm_storew_open(ctx, path, &p, &w) != SKM_OK)
        fail_msg("%s", skm_ctx_errmsg(ctx));
    int64_t ip[NR + 1];
    skm_posting_block b = fixture_block(0, ip);
    assert_int_equal(skm_storew_append(w, &b), SKM_OK);
    return w;
}

static void test_abort(void **state)
{
    (void)state;
    char path[1024];
    skm_ctx *ctx = skm_ctx_alloc();

    /* No final file before: abort leaves neither it nor the temporary file. */
    tmpfile_path(path, sizeof path, "aborted.h5");
    unlink(path);
    skm_storew *w = open_and_append(ctx, path);
    assert_int_equal(count_prefix(".aborted.h5.tmp."), 1);
    assert_false(exists(path));
    skm_storew_abort(w);
    skm_storew_abort(NULL);
    assert_false(exists(path));
    assert_int_equal(count_prefix(".aborted.h5.tmp."), 0);

    /* A pre-existing final file is untouched by an aborted writer... */
    tmpfile_path(path, sizeof path, "precious.h5");
    assert_int_equal(skm_test_write_file(path, "precious", 8), 0);
    w = open_and_append(ctx, path);
    skm_storew_abort(w);
    char buf[16] = {0};
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(buf, 1, sizeof buf, fp), 8);
    fclose(fp);
    assert_memory_equal(buf, "precious", 8);
    assert_int_equal(count_prefix(".precious.h5.tmp."), 0);

    /* ...and by a finish that fails validation (a code beyond its level table). */
    w = open_and_append(ctx, path);
    uint64_t skipped[SKM_SKIP_COUNT];
    skm_store_meta m = fixture_meta(skipped);
    m.n_levels[SKM_CAT_TITLE] = 1;
    assert_int_equal(skm_storew_finish(w, &m), SKM_EINVAL);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "title code"));
    fp = fopen(path, "rb");
    assert_int_equal(fread(buf, 1, sizeof buf, fp), 8);
    fclose(fp);
    assert_memory_equal(buf, "precious", 8);
    assert_int_equal(count_prefix(".precious.h5.tmp."), 0);

    /* A bad block is refused before anything is written; the writer then stays failed. */
    w = open_and_append(ctx, path);
    int64_t ip[NR + 1];
    skm_posting_block b = fixture_block(2, ip);
    ip[2] = ip[1] - 1; /* decreasing indptr */
    assert_int_equal(skm_storew_append(w, &b), SKM_EINVAL);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "indptr decreases"));
    b = fixture_block(2, ip);
    assert_int_equal(skm_storew_append(w, &b), SKM_EINVAL);
    assert_int_equal(skm_storew_finish(w, &m), SKM_EINVAL);
    assert_int_equal(count_prefix(".precious.h5.tmp."), 0);

    /* A skill index beyond the vocabulary is caught at finish. */
    w = open_and_append(ctx, path);
    m = fixture_meta(skipped);
    m.n_skills = 2;
    assert_int_equal(skm_storew_finish(w, &m), SKM_EINVAL);
    assert_int_equal(count_prefix(".precious.h5.tmp."), 0);
    unlink(path);

    /* A leftover temporary file with our name: refuse clearly, and do not delete it. */
    tmpfile_path(path, sizeof path, "clash.h5");
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s/.clash.h5.tmp.%ld", skm_test_env("SKM_TMPDIR"), (long)getpid());
    assert_int_equal(skm_test_write_file(tmp, "x", 1), 0);
    skm_storew_params p = {.compression = 1, .has_id = 0};
    w = NULL;
    assert_int_equal(skm_storew_open(ctx, path, &p, &w), SKM_EIO);
    assert_null(w);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "already exists"));
    assert_true(exists(tmp));
    assert_false(exists(path));
    unlink(tmp);

    /* Bad arguments. */
    p.compression = 10;
    assert_int_equal(skm_storew_open(ctx, path, &p, &w), SKM_EINVAL);
    p.compression = 1;
    assert_int_equal(skm_storew_open(ctx, "", &p, &w), SKM_EINVAL);
    tmpfile_path(path, sizeof path, "");
    assert_int_equal(skm_storew_open(ctx, path, &p, &w), SKM_EINVAL); /* ends with '/' */
    assert_int_equal(skm_storew_open(ctx, "/nonexistent-dir/x.h5", &p, &w), SKM_EIO);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "/nonexistent-dir/x.h5"));
    skm_ctx_free(ctx);
}

/* ---- open: not a store, wrong schema, corruption ---------------------------------------- */

static void expect_open_fails(skm_ctx *ctx, const char *path, int code, const char *msg_part)
{
    skm_store *st = (skm_store *)&st; /* must be reset to NULL */
    int rc = skm_store_open(ctx, path, &st);
    if (rc != code)
        fail_msg("open %s: %d (%s), want %d", path, rc, skm_ctx_errmsg(ctx), code);
    assert_null(st);
    if (!strstr(skm_ctx_errmsg(ctx), msg_part))
        fail_msg("message '%s' lacks '%s'", skm_ctx_errmsg(ctx), msg_part);
}

static void set_schema(const char *path, int32_t major, int32_t minor)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t a = H5Aopen(f, "schema_version", H5P_DEFAULT);
    int32_t v[2] = {major, minor};
    assert_true(H5Awrite(a, H5T_NATIVE_INT32, v) >= 0);
    H5Aclose(a);
    assert_true(H5Fclose(f) >= 0);
}

static void test_open_errors(void **state)
{
    (void)state;
    skm_ctx *ctx = skm_ctx_alloc();
    char path[1024];

    tmpfile_path(path, sizeof path, "does-not-exist.h5");
    expect_open_fails(ctx, path, SKM_EIO, "does-not-exist.h5");

    tmpfile_path(path, sizeof path, "text.h5");
    assert_int_equal(skm_test_write_file(path, "title,skills\nx,sql\n", 19), 0);
    expect_open_fails(ctx, path, SKM_EFORMAT, "not an HDF5 file");
    assert_int_equal(skm_test_write_file(path, "", 0), 0);
    expect_open_fails(ctx, path, SKM_EFORMAT, "not an HDF5 file");
    unlink(path);

    /* An HDF5 file, but not a store. */
    tmpfile_path(path, sizeof path, "plain.h5");
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    H5Fclose(f);
    expect_open_fails(ctx, path, SKM_EFORMAT, "not a skillmat store (no 'format' attribute)");
    unlink(path);

    /* A store with another format name, then with a newer and an older schema major. */
    tmpfile_path(path, sizeof path, "schema.h5");
    unlink(path);
    write_fixture(path, 1);
    set_schema(path, SKM_SCHEMA_MAJOR + 1, 0);
    expect_open_fails(ctx, path, SKM_EFORMAT, "schema 2.0 is newer than this skillmat (reads 1.x)");
    set_schema(path, 0, 9);
    expect_open_fails(ctx, path, SKM_EFORMAT, "older");
    set_schema(path, SKM_SCHEMA_MAJOR, 7); /* a newer minor version is readable */
    skm_store *st = NULL;
    assert_int_equal(skm_store_open(ctx, path, &st), SKM_OK);
    skm_store_close(st);
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(H5Adelete(f, "format") >= 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 8);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "format", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Awrite(a, t, "notmine!") >= 0); /* fixed-length, as h5py may write */
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Fclose(f);
    expect_open_fails(ctx, path, SKM_EFORMAT, "format is 'notmine!'");
    unlink(path);

    /* Inconsistent matrix attributes are caught at open. */
    tmpfile_path(path, sizeof path, "attrs.h5");
    unlink(path);
    write_fixture(path, 1);
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t g = H5Gopen2(f, "/matrix", H5P_DEFAULT);
    a = H5Aopen(g, "nnz", H5P_DEFAULT);
    int64_t bad = NNZ + 1;
    assert_true(H5Awrite(a, H5T_NATIVE_INT64, &bad) >= 0);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(f);
    expect_open_fails(ctx, path, SKM_EFORMAT, "/matrix/indices");
    unlink(path);
    skm_ctx_free(ctx);
}

/* Overwrite element `i` of an integer dataset in place. */
static void poke(const char *path, const char *ds, hsize_t i, int64_t value)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, ds, H5P_DEFAULT);
    hid_t fs = H5Dget_space(d);
    hsize_t one = 1;
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &i, NULL, &one, NULL);
    hid_t ms = H5Screate_simple(1, &one, NULL);
    assert_true(H5Dwrite(d, H5T_NATIVE_INT64, ms, fs, H5P_DEFAULT, &value) >= 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    assert_true(H5Fclose(f) >= 0);
}

static void expect_block_fails(skm_ctx *ctx, const char *path, int64_t row0, size_t n,
                               const char *msg_part)
{
    skm_store *st = NULL;
    if (skm_store_open(ctx, path, &st) != SKM_OK)
        fail_msg("%s", skm_ctx_errmsg(ctx));
    skm_csr_block *blk = skm_csr_block_alloc(4, 4);
    int rc = skm_store_read_block(st, row0, n, blk);
    if (rc != SKM_EFORMAT)
        fail_msg("read_block: %d (%s), want SKM_EFORMAT", rc, skm_ctx_errmsg(ctx));
    if (!strstr(skm_ctx_errmsg(ctx), msg_part) || !strstr(skm_ctx_errmsg(ctx), path))
        fail_msg("message '%s' lacks '%s' or the file name", skm_ctx_errmsg(ctx), msg_part);
    assert_int_equal(blk->n_rows, 0);
    /* Rows before the damage still read. */
    assert_int_equal(skm_store_read_block(st, 0, 2, blk), SKM_OK);
    skm_csr_block_free(blk);
    skm_store_close(st);
}

static void test_corrupt(void **state)
{
    (void)state;
    skm_ctx *ctx = skm_ctx_alloc();
    char path[1024];
    tmpfile_path(path, sizeof path, "corrupt.h5");

    static const struct {
        const char *ds;
        hsize_t at;
        int64_t value;
        int64_t row0;
        size_t n;
        const char *msg;
    } cases[] = {
        {"/matrix/indptr", 5, 1000000, 3, 4, "/matrix/indptr"},   /* beyond nnz */
        {"/matrix/indptr", 5, 1, 3, 4, "/matrix/indptr"},         /* decreasing */
        {"/matrix/indptr", 4, -7, 4, 2, "/matrix/indptr"},        /* negative start */
        {"/matrix/indptr", 5, INT64_MAX, 5, 1, "/matrix/indptr"}, /* huge start */
        {"/matrix/indices", 6, 99, 4, 3, "/matrix/indices"},      /* column out of range */
        {"/matrix/indices", 6, -1, 4, 3, "/matrix/indices"},
        {"/matrix/indices", 9, 0, 7, 1, "/matrix/indices"},       /* not increasing */
        {"/matrix/counts", 14, 0, 8, 2, "/matrix/counts"},        /* count below 1 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        unlink(path);
        write_fixture(path, 1);
        poke(path, cases[c].ds, cases[c].at, cases[c].value);
        expect_block_fails(ctx, path, cases[c].row0, cases[c].n, cases[c].msg);
    }

    /* indptr's ends are checked at open. */
    unlink(path);
    write_fixture(path, 1);
    poke(path, "/matrix/indptr", NR, NNZ - 1);
    expect_open_fails(ctx, path, SKM_EFORMAT, "/matrix/indptr");
    unlink(path);
    skm_ctx_free(ctx);
}

/* ---- the empty store ------------------------------------------------------------------- */

static void test_empty(void **state)
{
    (void)state;
    skm_ctx *ctx = skm_ctx_alloc();
    char path[1024];
    tmpfile_path(path, sizeof path, "empty.h5");
    unlink(path);
    skm_storew_params p = {.compression = 4, .has_id = 0};
    skm_storew *w = NULL;
    assert_int_equal(skm_storew_open(ctx, path, &p, &w), SKM_OK);
    skm_posting_block b;
    memset(&b, 0, sizeof b);
    int64_t ip0 = 0;
    b.indptr = &ip0;
    int32_t dummy32 = 0;
    int64_t dummy64 = 0;
    double dummyf = 0;
    int8_t dummy8 = 0;
    for (int c = 0; c < SKM_CAT_COUNT; ++c)
        b.cat[c] = &dummy32;
    b.posted_date = b.source_line = &dummy64;
    b.salary_min = b.salary_max = b.salary_annual = &dummyf;
    b.salary_period = b.remote = b.salary_flag = &dummy8;
    b.source_file = &dummy32;
    assert_int_equal(skm_storew_append(w, &b), SKM_OK);
    skm_store_meta m;
    memset(&m, 0, sizeof m);
    m.hours_per_year = 2080;
    if (skm_storew_finish(w, &m) != SKM_OK)
        fail_msg("%s", skm_ctx_errmsg(ctx));

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    check_str_attr(f, "format", "skillmat");
    check_i64(f, "/matrix/indptr", 1, (const int64_t[]){0});
    check_i32(f, "/matrix/indices", 0, NULL);
    check_i32(f, "/postings/title", 0, NULL);
    check_strings(f, "/postings/title_levels", 0, NULL);
    check_f64(f, "/postings/salary_annual", 0, NULL);
    check_strings(f, "/skills/name", 0, NULL);
    check_i64(f, "/skills/doc_freq", 0, NULL);
    check_strings(f, "/provenance/input_files", 0, NULL);
    check_i64(f, "/provenance/skipped_count", SKM_SKIP_COUNT,
              (const int64_t[SKM_SKIP_COUNT]){0});
    assert_int_equal(H5Lexists(f, "/postings/id", H5P_DEFAULT), 0);
    hid_t g = H5Gopen2(f, "/provenance", H5P_DEFAULT);
    check_str_attr(g, "command_line", "");
    H5Gclose(g);
    H5Fclose(f);

    skm_store *st = NULL;
    if (skm_store_open(ctx, path, &st) != SKM_OK)
        fail_msg("%s", skm_ctx_errmsg(ctx));
    assert_int_equal(skm_store_n_rows(st), 0);
    assert_int_equal(skm_store_n_cols(st), 0);
    assert_int_equal(skm_store_nnz(st), 0);
    assert_null(skm_store_skill_name(st, 0));
    skm_csr_block *blk = skm_csr_block_alloc(0, 0);
    assert_non_null(blk);
    assert_int_equal(skm_store_read_block(st, 0, 100, blk), SKM_OK);
    assert_int_equal(blk->n_rows, 0);
    assert_int_equal(blk->nnz, 0);
    assert_int_equal(blk->indptr[0], 0);
    double x;
    assert_int_equal(skm_store_read_column(st, "salary_annual", 0, 0, SKM_TYPE_F64, &x), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "salary_annual", 0, 1, SKM_TYPE_F64, &x),
                     SKM_EINVAL);
    assert_int_equal(skm_store_read_column(st, "id", 0, 0, SKM_TYPE_F64, &x), SKM_ENOTFOUND);
    skm_csr_block_free(blk);
    skm_store_close(st);
    unlink(path);
    skm_ctx_free(ctx);
}

int main(void)
{
    /* Silence HDF5's own error printer for the raw-API checks (the library silences itself). */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_raw), cmocka_unit_test(test_reader),
        cmocka_unit_test(test_abort),         cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_corrupt),       cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
