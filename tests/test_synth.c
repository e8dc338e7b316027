/*
 * test_synth.c — skillmat synth: the alias sampler, the inclusion probabilities of successive
 * sampling (exact for k = 1, 2 against enumeration, close beyond) and the weight solver; then
 * skm_synth on a hand-made calibration store (a CSV written here and ingested into
 * SKM_TMPDIR): role shares, each role's skill shares, the mean ln salary per role and the remote
 * share of 40,000 generated postings against the store's within statistical tolerance; the
 * vocabulary options (--skills below and above the store's); stores without roles (the title's
 * role family is the class) and without titles (one class); determinism (same seed, same
 * bytes; another seed, other bytes; gzip too); the .h5 output equal to ingest of the CSV; and
 * the errors: options, paths, a missing or non-store calibration file, an output in a missing
 * directory, an interrupted run (nothing left behind, an existing output untouched).
 */
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "synth/synth.h"
#include "test_util.h"

static char g_dir[1024], g_store[1100];

/* ---- the alias sampler ---- */

static void test_alias(void **state)
{
    (void)state;
    const double w[5] = {1, 2, 0, 3, 4};
    skm_alias a;
    assert_int_equal(skm_alias_build(&a, w, 5), SKM_OK);
    skm_rng r;
    skm_rng_seed(&r, 42, 0);
    long cnt[5] = {0};
    const long N = 200000;
    for (long i = 0; i < N; ++i)
        cnt[skm_alias_draw(&a, &r)]++;
    assert_int_equal(cnt[2], 0);
    for (int i = 0; i < 5; ++i) {
        const double p = w[i] / 10.0, se = sqrt(p * (1 - p) / (double)N);
        assert_close((double)cnt[i] / (double)N, p, 0, 5 * se + 1e-12);
    }
    skm_alias_free(&a);
    const double bad[2] = {1, -1}, zero[2] = {0, 0};
    assert_int_equal(skm_alias_build(&a, bad, 2), SKM_EINVAL);
    assert_int_equal(skm_alias_build(&a, zero, 2), SKM_EINVAL);
    assert_int_equal(skm_alias_build(&a, w, 0), SKM_OK);
    skm_alias_free(&a);
}

/* ---- inclusion probabilities ---- */

/* Exact P(item j among the first k of successive sampling), by enumerating the draw orders. */
static void exact_rec(const double *w, int n, int k, uint32_t used, double prob, double *pi)
{
    if (k == 0)
        return;
    double rest = 0;
    for (int i = 0; i < n; ++i)
        if (!(used >> i & 1))
            rest += w[i];
    for (int i = 0; i < n; ++i) {
        if (used >> i & 1)
            continue;
        const double q = prob * w[i] / rest;
        pi[i] += q;
        exact_rec(w, n, k - 1, used | 1u << i, q, pi);
    }
}

static void test_inclusion(void **state)
{
    (void)state;
    const double w[6] = {0.4, 0.25, 0.15, 0.1, 0.06, 0.04};
    double pi[6], ex[6];
    for (size_t k = 1; k <= 4; ++k) {
        double pk[5] = {0};
        pk[k] = 1;
        skm_synth_inclusion(w, 6, pk, 4, pi);
        memset(ex, 0, sizeof ex);
        exact_rec(w, 6, (int)k, 0, 1.0, ex);
        double sum = 0;
        for (int j = 0; j < 6; ++j) {
            sum += pi[j];
            /* exact for one and two draws, Rosén's approximation beyond */
            assert_close(pi[j], ex[j], 0, k <= 2 ? 1e-12 : 0.04);
        }
        assert_close(sum, (double)k, 0, 1e-6);
    }
    /* k = 0 and k >= n */
    double pk[8] = {0.5, 0, 0, 0, 0, 0, 0.5, 0};
    skm_synth_inclusion(w, 6, pk, 7, pi);
    for (int j = 0; j < 6; ++j)
        assert_close(pi[j], 0.5, 0, 1e-12);
}

static void test_solve_weights(void **state)
{
    (void)state;
    /* targets of a role: shares summing to E[k] = 2.2 under this k distribution */
    const double pk[6] = {0.1, 0.2, 0.3, 0.2, 0.1, 0.1};
    double ek = 0;
    for (int k = 0; k < 6; ++k)
        ek += k * pk[k];
    double s[10] = {0.7, 0.5, 0.3, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05};
    double sum = 0;
    for (int j = 0; j < 10; ++j)
        sum += s[j];
    for (int j = 0; j < 10; ++j)
        s[j] *= ek / sum;
    double w[10], pi[10];
    const double err = skm_synth_solve_weights(s, 10, pk, 5, w, pi);
    assert_true(err < 1e-3);
    double ws = 0;
    for (int j = 0; j < 10; ++j) {
        assert_close(pi[j], s[j], 0, 1e-3);
        assert_true(w[j] > 0);
        ws += w[j];
        if (j)
            assert_true(w[j] <= w[j - 1] * (1 + 1e-12)); /* order kept */
    }
    assert_close(ws, 1.0, 1e-12, 0);
}

static void test_format_of(void **state)
{
    (void)state;
    assert_int_equal(skm_synth_format_of("a.csv"), SKM_SYNTH_CSV);
    assert_int_equal(skm_synth_format_of("dir.x/a.CSV.GZ"), SKM_SYNTH_CSV_GZ);
    assert_int_equal(skm_synth_format_of("a.jsonl"), SKM_SYNTH_JSONL);
    assert_int_equal(skm_synth_format_of("a.jsonl.gz"), SKM_SYNTH_JSONL_GZ);
    assert_int_equal(skm_synth_format_of("a.h5"), SKM_SYNTH_H5);
    assert_int_equal(skm_synth_format_of("a.json"), -1);
    assert_int_equal(skm_synth_format_of("a.gz"), -1);
    assert_int_equal(skm_synth_format_of("csv"), -1);
    assert_int_equal(skm_synth_format_of(NULL), -1);
}

/* ---- the calibration store ---- */

#define N_ROLES 3
static const struct {
    const char *role;
    const char *titles[3];
    const char *skills[4];
    double p[4];
    double logsal;
    double share;
} roles[N_ROLES] = {
    {"Data Analyst", {"Data Analyst", "Senior Data Analyst", "Junior Data Analyst"},
     {"sql", "excel", "tableau", "python"}, {0.8, 0.6, 0.4, 0.2}, 11.2, 0.5},
    {"Data Engineer", {"Data Engineer", "Senior Data Engineer", "Lead Data Engineer"},
     {"python", "spark", "aws", "sql"}, {0.7, 0.6, 0.5, 0.5}, 11.7, 0.3},
    {"Data Scientist", {"Data Scientist", "Staff Data Scientist", "Data Science Intern"},
     {"python", "r", "pytorch", "sql"}, {0.9, 0.5, 0.4, 0.3}, 11.8, 0.2},
};

static int write_calibration_csv(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "job_title_short,job_title,job_location,job_work_from_home,job_posted_date,"
               "job_country,salary_year_avg,company_name,job_skills\n");
    skm_rng r;
    skm_rng_seed(&r, 7, 0);
    static const char *const locs[3] = {"\"New York, NY\"", "Anywhere", "\"London, UK\""};
    static const char *const ctys[3] = {"United States", "United States", "United Kingdom"};
    for (int i = 0; i < 4000; ++i) {
        const double u = skm_rng_uniform(&r);
        const int ro = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
        const int t = (int)skm_rng_below(&r, 3), l = (int)skm_rng_below(&r, 3);
        fprintf(f, "%s,%s,%s,%d,2023-%02d-%02d 10:00:00,%s,", roles[ro].role, roles[ro].titles[t],
                locs[l], l == 1, 1 + (int)skm_rng_below(&r, 6), 1 + (int)skm_rng_below(&r, 28),
                ctys[l]);
        if (skm_rng_uniform(&r) < 0.9) {
            const double g = sqrt(-2 * log(1 - skm_rng_uniform(&r))) *
                             cos(6.283185307179586 * skm_rng_uniform(&r));
            fprintf(f, "%.0f", exp(roles[ro].logsal + 0.3 * g));
        }
        fprintf(f, ",Firm %d,", (int)skm_rng_below(&r, 50));
        int any = 0;
        for (int s = 0; s < 4; ++s)
            if (skm_rng_uniform(&r) < roles[ro].p[s]) {
                fprintf(f, "%s'%s'", any ? ", " : "\"[", roles[ro].skills[s]);
                any = 1;
            }
        fprintf(f, "%s\n", any ? "]\"" : "");
    }
    return fclose(f);
}

static int e2e_setup(void **state)
{
    if (ctx_setup(state))
        return -1;
    snprintf(g_dir, sizeof g_dir, "%s", skm_test_env("SKM_TMPDIR"));
    char csv[1100];
    snprintf(csv, sizeof csv, "%s/calibration.csv", g_dir);
    snprintf(g_store, sizeof g_store, "%s/calibration.h5", g_dir);
    if (write_calibration_csv(csv))
        return -1;
    unlink(g_store);
    skm_ingest_params p = skm_ingest_params_default();
    const char *in[] = {csv};
    return skm_ingest(*state, &p, in, 1, g_store, NULL) == SKM_OK ? 0 : -1;
}

/* Per role level name: postings, the share of them listing each named skill, the mean ln
 * salary and the count of salaries; and the remote share. Read through the public API. */
typedef struct summary {
    int64_t n;
    char roles[8][64];
    int64_t n_role[8];
    char skills[64][32];
    size_t n_skills;
    int64_t cnt[8][64];
    double lsal[8];
    int64_t nsal[8];
    double remote;
} summary;

static void summarise(skm_ctx *ctx, const char *path, summary *S)
{
    memset(S, 0, sizeof *S);
    skm_store *st = NULL;
    assert_int_equal(skm_store_open(ctx, path, &st), SKM_OK);
    S->n = skm_store_n_rows(st);
    S->n_skills = (size_t)skm_store_n_cols(st);
    assert_true(S->n_skills <= 64);
    for (size_t j = 0; j < S->n_skills; ++j)
        snprintf(S->skills[j], sizeof S->skills[j], "%s", skm_store_skill_name(st, (int64_t)j));
    char **lv = NULL;
    size_t nl = 0;
    assert_int_equal(skm_store_read_levels(st, "role", &lv, &nl), SKM_OK);
    assert_true(nl <= 8);
    for (size_t l = 0; l < nl; ++l)
        snprintf(S->roles[l], sizeof S->roles[l], "%s", lv[l]);
    free(lv);
    const size_t n = (size_t)S->n;
    int32_t *role = malloc(n * sizeof *role);
    double *sal = malloc(n * sizeof *sal);
    int8_t *rem = malloc(n);
    assert_non_null(role);
    assert_non_null(sal);
    assert_non_null(rem);
    assert_int_equal(skm_store_read_column(st, "role", 0, n, SKM_TYPE_I32, role), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "salary_annual", 0, n, SKM_TYPE_F64, sal), SKM_OK);
    assert_int_equal(skm_store_read_column(st, "remote", 0, n, SKM_TYPE_I8, rem), SKM_OK);
    skm_csr_block *b = skm_csr_block_alloc(n, 8 * n);
    assert_non_null(b);
    assert_int_equal(skm_store_read_block(st, 0, n, b), SKM_OK);
    for (size_t i = 0; i < n; ++i) {
        const int r = role[i];
        assert_true(r >= 0 && r < (int)nl);
        S->n_role[r]++;
        if (isfinite(sal[i]) && sal[i] > 0) {
            S->lsal[r] += log(sal[i]);
            S->nsal[r]++;
        }
        S->remote += rem[i] == 1;
        for (int64_t q = b->indptr[i]; q < b->indptr[i + 1]; ++q)
            S->cnt[r][b->indices[q]]++;
    }
    S->remote /= (double)n;
    for (size_t r = 0; r < nl; ++r)
        S->lsal[r] /= (double)S->nsal[r];
    skm_csr_block_free(b);
    free(role);
    free(sal);
    free(rem);
    skm_store_close(st);
}

static int find_role(const summary *S, const char *s)
{
    for (size_t i = 0; i < 8; ++i)
        if (!strcmp(S->roles[i], s))
            return (int)i;
    return -1;
}

static int find_skill(const summary *S, const char *s)
{
    for (size_t i = 0; i < S->n_skills; ++i)
        if (!strcmp(S->skills[i], s))
            return (int)i;
    return -1;
}

static void test_calibration(void **state)
{
    skm_ctx *ctx = *state;
    char out[1200];
    snprintf(out, sizeof out, "%s/cal_out.h5", g_dir);
    unlink(out);
    skm_synth_params p = skm_synth_params_default();
    p.n = 40000;
    p.seed = 3;
    skm_synth_report rep;
    assert_int_equal(skm_synth(ctx, g_store, out, &p, &rep), SKM_OK);
    assert_int_equal(rep.n_postings, 40000);
    assert_int_equal(rep.n_roles, 3);
    assert_int_equal(rep.n_skills, 8);
    assert_true(rep.bytes > 0);
    summary *A = malloc(sizeof *A), *B = malloc(sizeof *B);
    assert_non_null(A);
    assert_non_null(B);
    summarise(ctx, g_store, A);
    summarise(ctx, out, B);
    const double nb = (double)B->n;
    for (int r = 0; r < N_ROLES; ++r) {
        const int ra = find_role(A, roles[r].role), rb = find_role(B, roles[r].role);
        assert_true(ra >= 0 && rb >= 0);
        const double want = (double)A->n_role[ra] / (double)A->n, got = (double)B->n_role[rb] / nb;
        assert_close(got, want, 0, 4 * sqrt(want * (1 - want) / nb));
        for (size_t j = 0; j < A->n_skills; ++j) {
            const int jb = find_skill(B, A->skills[j]);
            const double sw = (double)A->cnt[ra][j] / (double)A->n_role[ra];
            const double sg = jb >= 0 ? (double)B->cnt[rb][jb] / (double)B->n_role[rb] : 0.0;
            /* sampling error of the output, plus the smoothing and the inclusion approximation */
            assert_close(sg, sw, 0, 4 * sqrt(sw * (1 - sw) / (double)B->n_role[rb]) + 0.02);
        }
        /* the cell means are the store's, premiums included in expectation */
        assert_close(B->lsal[rb], A->lsal[ra], 0, 0.02);
        assert_close((double)B->nsal[rb] / (double)B->n_role[rb],
                     (double)A->nsal[ra] / (double)A->n_role[ra], 0, 0.02);
    }
    assert_close(B->remote, A->remote, 0, 0.015);
    /* the truth in /synth */
    skm_store *st = NULL;
    char buf[256];
    assert_int_equal(skm_store_open(ctx, out, &st), SKM_OK);
    assert_int_equal(skm_store_attr_string(st, "/synth", "class_column", buf, sizeof buf), SKM_OK);
    assert_string_equal(buf, "role");
    assert_int_equal(skm_store_attr_string(st, "/synth", "calibration_store", buf, sizeof buf),
                     SKM_OK);
    assert_string_equal(buf, g_store);
    assert_int_equal(skm_store_attr_string(st, "/provenance", "command_line", buf, sizeof buf),
                     SKM_OK);
    skm_store_close(st);
    free(A);
    free(B);
}

/* The vocabulary: the store's top P, or more than the store's. */
static void test_vocabulary(void **state)
{
    skm_ctx *ctx = *state;
    char out[1200], truth[1200];
    snprintf(out, sizeof out, "%s/voc.h5", g_dir);
    snprintf(truth, sizeof truth, "%s/voc_truth.csv", g_dir);
    skm_synth_params p = skm_synth_params_default();
    p.n = 5000;
    p.n_skills = 3;
    p.truth_path = truth;
    unlink(out);
    assert_int_equal(skm_synth(ctx, g_store, out, &p, NULL), SKM_OK);
    summary *S = malloc(sizeof *S);
    assert_non_null(S);
    summarise(ctx, out, S);
    /* the three most listed skills of the store: python, sql, excel */
    assert_int_equal(S->n_skills, 3);
    assert_true(find_skill(S, "python") >= 0 && find_skill(S, "sql") >= 0 &&
                find_skill(S, "excel") >= 0);
    p.n_skills = 30;
    unlink(out);
    assert_int_equal(skm_synth(ctx, g_store, out, &p, NULL), SKM_OK);
    summarise(ctx, out, S);
    assert_true(S->n_skills > 8 && S->n_skills <= 30);
    /* the truth: 30 skill rows, 8 from the store, the others named from the taxonomy */
    FILE *f = fopen(truth, "r");
    assert_non_null(f);
    char line[4096];
    int n_skill = 0, n_store = 0, n_tax = 0, header = 0, premiums = 0, seed = 0;
    while (fgets(line, sizeof line, f)) {
        header += !strcmp(line, "kind,skill,premium,doc_share,origin,role,seniority,name,value,"
                                "share\n");
        seed += !strcmp(line, "param,,,,,,,seed,1,\n");
        if (!strncmp(line, "skill,", 6)) {
            n_skill++;
            n_store += strstr(line, ",store,") != NULL;
            n_tax += strstr(line, ",taxonomy,") != NULL;
            const char *v = strchr(line + 6, ','); /* the premium */
            assert_non_null(v);
            premiums += strtod(v + 1, NULL) != 0;
        }
    }
    fclose(f);
    assert_int_equal(header, 1);
    assert_int_equal(seed, 1);
    assert_int_equal(n_skill, 30);
    assert_int_equal(n_store, 8);
    assert_int_equal(n_tax, 22);
    assert_true(premiums >= 1);
    free(S);
}

/* A store without roles: the classes are the role families of the titles; without titles
 * either, one class and no role column. */
static void test_fallback_classes(void **state)
{
    skm_ctx *ctx = *state;
    char csv[1100], st_path[1200], out[1200], buf[256];
    snprintf(csv, sizeof csv, "%s/calibration.csv", g_dir);
    for (int without_titles = 0; without_titles < 2; ++without_titles) {
        snprintf(st_path, sizeof st_path, "%s/fallback%d.h5", g_dir, without_titles);
        snprintf(out, sizeof out, "%s/fallback%d_out.h5", g_dir, without_titles);
        unlink(st_path);
        unlink(out);
        skm_ingest_params ip = skm_ingest_params_default();
        ip.columns[SKM_COL_ROLE] = "";
        if (without_titles)
            ip.columns[SKM_COL_TITLE] = "";
        const char *in[] = {csv};
        assert_int_equal(skm_ingest(ctx, &ip, in, 1, st_path, NULL), SKM_OK);
        skm_synth_params p = skm_synth_params_default();
        p.n = 5000;
        skm_synth_report rep;
        assert_int_equal(skm_synth(ctx, st_path, out, &p, &rep), SKM_OK);
        skm_store *st = NULL;
        assert_int_equal(skm_store_open(ctx, out, &st), SKM_OK);
        assert_int_equal(skm_store_attr_string(st, "/synth", "class_column", buf, sizeof buf),
                         SKM_OK);
        assert_string_equal(buf, without_titles ? "(none)" : "role_family");
        char **lv = NULL;
        size_t nl = 0;
        assert_int_equal(skm_store_read_levels(st, "role", &lv, &nl), SKM_OK);
        if (without_titles) {
            assert_int_equal(rep.n_roles, 1);
            assert_int_equal(nl, 0); /* the role column stays empty */
        } else {
            /* the families of the titles: Data Analyst, Data Engineer, Data Scientist */
            assert_int_equal(rep.n_roles, 3);
            assert_int_equal(nl, 3);
            for (size_t l = 0; l < nl; ++l)
                assert_true(!strcmp(lv[l], "Data Analyst") || !strcmp(lv[l], "Data Engineer") ||
                            !strcmp(lv[l], "Data Scientist"));
            /* and each posting's derived role family is its role */
            int32_t role[5000], fam[5000];
            char **fl = NULL;
            size_t nf = 0;
            assert_int_equal(skm_store_read_levels(st, "role_family", &fl, &nf), SKM_OK);
            assert_int_equal(skm_store_read_column(st, "role", 0, 5000, SKM_TYPE_I32, role),
                             SKM_OK);
            assert_int_equal(skm_store_read_column(st, "role_family", 0, 5000, SKM_TYPE_I32, fam),
                             SKM_OK);
            for (int i = 0; i < 5000; ++i)
                assert_string_equal(lv[role[i]], fl[fam[i]]);
            free(fl);
        }
        free(lv);
        skm_store_close(st);
    }
}

static int slurp(const char *path, char **data, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    skm_buf b = {0};
    char tmp[65536];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        skm_buf_append(&b, tmp, got);
    fclose(f);
    *data = b.ptr;
    *n = b.len;
    return 0;
}

static int same_file(const char *a, const char *b)
{
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    if (slurp(a, &x, &nx) || slurp(b, &y, &ny))
        return -1;
    const int same = nx == ny && (nx == 0 || !memcmp(x, y, nx));
    free(x);
    free(y);
    return same;
}

static void test_determinism(void **state)
{
    skm_ctx *ctx = *state;
    static const char *const ext[] = {"csv", "csv.gz", "jsonl"};
    for (int e = 0; e < 3; ++e) {
        char a[1200], b[1200], c[1200];
        snprintf(a, sizeof a, "%s/det_a.%s", g_dir, ext[e]);
        snprintf(b, sizeof b, "%s/det_b.%s", g_dir, ext[e]);
        snprintf(c, sizeof c, "%s/det_c.%s", g_dir, ext[e]);
        skm_synth_params p = skm_synth_params_default();
        p.n = 3000;
        p.seed = 11;
        p.text = 1;
        assert_int_equal(skm_synth(ctx, g_store, a, &p, NULL), SKM_OK);
        assert_int_equal(skm_synth(ctx, g_store, b, &p, NULL), SKM_OK);
        p.seed = 12;
        assert_int_equal(skm_synth(ctx, g_store, c, &p, NULL), SKM_OK);
        assert_int_equal(same_file(a, b), 1);
        assert_int_equal(same_file(a, c), 0);
    }
}

/* The .h5 output is the store ingest makes of the CSV of the same seed. */
static void test_h5_equals_ingest(void **state)
{
    skm_ctx *ctx = *state;
    char csv[1200], direct[1200], ing[1200];
    snprintf(csv, sizeof csv, "%s/eq.csv", g_dir);
    snprintf(direct, sizeof direct, "%s/eq_direct.h5", g_dir);
    snprintf(ing, sizeof ing, "%s/eq_ingest.h5", g_dir);
    unlink(direct);
    unlink(ing);
    skm_synth_params p = skm_synth_params_default();
    p.n = 6000;
    p.seed = 5;
    p.n_skills = 12;
    assert_int_equal(skm_synth(ctx, g_store, csv, &p, NULL), SKM_OK);
    assert_int_equal(skm_synth(ctx, g_store, direct, &p, NULL), SKM_OK);
    skm_ingest_params ip = skm_ingest_params_default();
    const char *in[] = {csv};
    assert_int_equal(skm_ingest(ctx, &ip, in, 1, ing, NULL), SKM_OK);
    skm_store *a = NULL, *b = NULL;
    assert_int_equal(skm_store_open(ctx, ing, &a), SKM_OK);
    assert_int_equal(skm_store_open(ctx, direct, &b), SKM_OK);
    const size_t n = (size_t)skm_store_n_rows(a);
    assert_int_equal(n, 6000);
    assert_int_equal(skm_store_n_rows(b), n);
    assert_int_equal(skm_store_n_cols(b), skm_store_n_cols(a));
    assert_int_equal(skm_store_nnz(b), skm_store_nnz(a));
    for (int64_t j = 0; j < skm_store_n_cols(a); ++j) {
        assert_string_equal(skm_store_skill_name(a, j), skm_store_skill_name(b, j));
        assert_int_equal(skm_store_skill_doc_freq(a, j), skm_store_skill_doc_freq(b, j));
    }
    static const char *const f64[] = {"salary_annual", "salary_min"};
    static const char *const i64[] = {"posted_date", "role", "title", "company", "location",
                                      "country", "seniority", "role_family", "work_mode",
                                      "remote", "salary_period", "salary_flag", "source_line"};
    double *x = malloc(n * 8), *y = malloc(n * 8);
    int64_t *u = malloc(n * 8), *v = malloc(n * 8);
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(u);
    assert_non_null(v);
    for (int c = 0; c < 2; ++c) {
        assert_int_equal(skm_store_read_column(a, f64[c], 0, n, SKM_TYPE_F64, x), SKM_OK);
        assert_int_equal(skm_store_read_column(b, f64[c], 0, n, SKM_TYPE_F64, y), SKM_OK);
        for (size_t i = 0; i < n; ++i)
            assert_true((isnan(x[i]) && isnan(y[i])) || x[i] == y[i]);
    }
    for (size_t c = 0; c < sizeof i64 / sizeof i64[0]; ++c) {
        assert_int_equal(skm_store_read_column(a, i64[c], 0, n, SKM_TYPE_I64, u), SKM_OK);
        assert_int_equal(skm_store_read_column(b, i64[c], 0, n, SKM_TYPE_I64, v), SKM_OK);
        assert_memory_equal(u, v, n * 8);
    }
    skm_csr_block *ba = skm_csr_block_alloc(n, 8 * n), *bb = skm_csr_block_alloc(n, 8 * n);
    assert_int_equal(skm_store_read_block(a, 0, n, ba), SKM_OK);
    assert_int_equal(skm_store_read_block(b, 0, n, bb), SKM_OK);
    assert_memory_equal(ba->indptr, bb->indptr, (n + 1) * 8);
    assert_memory_equal(ba->indices, bb->indices, ba->nnz * 4);
    skm_csr_block_free(ba);
    skm_csr_block_free(bb);
    free(x);
    free(y);
    free(u);
    free(v);
    skm_store_close(a);
    skm_store_close(b);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* No file name in dir matches the grep pattern (temporary files included: ls -a). */
static int nothing_left(const char *dir, const char *name)
{
    char cmd[2600];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q -- '%s'", dir, name);
    return system(cmd) != 0;
}

static void test_errors(void **state)
{
    skm_ctx *ctx = *state;
    char out[1200], old[1200], csv[1200], missing_dir[1200];
    snprintf(out, sizeof out, "%s/err_out.csv", g_dir);
    snprintf(old, sizeof old, "%s/err_old.csv", g_dir);
    snprintf(csv, sizeof csv, "%s/calibration.csv", g_dir);
    snprintf(missing_dir, sizeof missing_dir, "%s/no/such/dir/out.csv", g_dir);
    unlink(out);
    skm_synth_params p = skm_synth_params_default();
    p.n = 100;
    /* options */
    skm_synth_params q = p;
    q.n = 0;
    assert_int_equal(skm_synth(ctx, g_store, out, &q, NULL), SKM_EINVAL);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "-n"));
    q = p;
    q.n = SKM_SYNTH_MAX_N + 1;
    assert_int_equal(skm_synth(ctx, g_store, out, &q, NULL), SKM_EINVAL);
    q = p;
    q.contrast = -1;
    assert_int_equal(skm_synth(ctx, g_store, out, &q, NULL), SKM_EINVAL);
    q = p;
    q.noise_sd = -0.1;
    assert_int_equal(skm_synth(ctx, g_store, out, &q, NULL), SKM_EINVAL);
    q = p;
    q.text = 1;
    char h5[1200];
    snprintf(h5, sizeof h5, "%s/err_out.h5", g_dir);
    assert_int_equal(skm_synth(ctx, g_store, h5, &q, NULL), SKM_EINVAL);
    assert_false(exists(h5));
    q = p;
    q.truth_path = out;
    assert_int_equal(skm_synth(ctx, g_store, out, &q, NULL), SKM_EINVAL);
    char txt[1200];
    snprintf(txt, sizeof txt, "%s/err_out.txt", g_dir);
    assert_int_equal(skm_synth(ctx, g_store, txt, &p, NULL), SKM_EINVAL);
    assert_int_equal(skm_synth(ctx, g_store, g_store, &p, NULL), SKM_EINVAL); /* extension */
    assert_int_equal(skm_synth(ctx, NULL, out, &p, NULL), SKM_EINVAL);
    /* the store as output */
    char alias[1200];
    snprintf(alias, sizeof alias, "%s/./calibration.h5", g_dir);
    assert_int_equal(skm_synth(ctx, g_store, alias, &p, NULL), SKM_EINVAL);
    /* calibration files */
    char nosuch[1200];
    snprintf(nosuch, sizeof nosuch, "%s/no_such_store.h5", g_dir);
    assert_int_not_equal(skm_synth(ctx, nosuch, out, &p, NULL), SKM_OK);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "no_such_store.h5"));
    assert_int_not_equal(skm_synth(ctx, csv, out, &p, NULL), SKM_OK);
    assert_false(exists(out));
    assert_true(nothing_left(g_dir, "err_out.csv"));
    /* an output in a missing directory */
    assert_int_equal(skm_synth(ctx, g_store, missing_dir, &p, NULL), SKM_EIO);
    assert_non_null(strstr(skm_ctx_errmsg(ctx), "out.csv"));
    /* a failed run leaves an existing output as it was */
    assert_int_equal(skm_test_write_file(old, "old\n", 4), 0);
    assert_int_not_equal(skm_synth(ctx, csv, old, &p, NULL), SKM_OK);
    assert_int_equal(same_file(old, csv), 0);
    char *data = NULL;
    size_t nd = 0;
    assert_int_equal(slurp(old, &data, &nd), 0);
    assert_true(nd == 4 && !memcmp(data, "old\n", 4));
    free(data);
    assert_true(nothing_left(g_dir, "err_old.csv.tmp"));
    /* interrupted: nothing written, the old file kept, in every format */
    static const char *const names[] = {"err_old.csv", "err_int.h5", "err_int.jsonl.gz"};
    for (int k = 0; k < 3; ++k) {
        skm_ctx *c2 = skm_ctx_alloc();
        skm_ctx_set_log_level(c2, SKM_LOG_ERROR);
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", g_dir, names[k]);
        skm_ctx_interrupt(c2);
        skm_synth_params r = p;
        r.truth_path = NULL;
        assert_int_equal(skm_synth(c2, g_store, path, &r, NULL), SKM_EINTERRUPT);
        skm_ctx_free(c2);
        assert_true(k == 0 ? exists(path) : !exists(path));
        assert_true(nothing_left(g_dir, "tmp\\.\\|synth\\."));
    }
    assert_int_equal(slurp(old, &data, &nd), 0);
    assert_true(nd == 4 && !memcmp(data, "old\n", 4));
    free(data);
}

int main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_alias),
        cmocka_unit_test(test_inclusion),
        cmocka_unit_test(test_solve_weights),
        cmocka_unit_test(test_format_of),
    };
    const struct CMUnitTest e2e[] = {
        cmocka_unit_test(test_calibration),
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test(test_fallback_classes),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_h5_equals_ingest),
        cmocka_unit_test(test_errors),
    };
    int rc = cmocka_run_group_tests(unit, ctx_setup, ctx_teardown);
    return rc | cmocka_run_group_tests(e2e, e2e_setup, ctx_teardown);
}
