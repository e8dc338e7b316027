/*
 * bench_extract.c — skill extraction throughput (src/extract) on generated descriptions.
 *
 *   bench_extract [--mb MB] [--seed S] [--reps R] [--taxonomy FILE] [--threads T]
 *                 [--fixture FILE]
 *   bench_extract --csv OUT.csv [--mb MB] [--seed S] [--taxonomy FILE]
 *
 * Generates about MB megabytes of job-ad descriptions (src/extract/textgen.c: prose whose words
 * are not skills, half of them HTML, 3..12 skills each written through an alias), then:
 *   0. checks that the matcher finds exactly the planted skills of every posting;
 *   1. times extraction on one thread, then on T threads (rows split in contiguous ranges), and
 *      prints medians as MB/s per core and postings per second.
 * The text is generated in memory before timing: the figures are the matcher's, not the disk's.
 * --fixture: also the precision and recall on a labelled fixture set (src/extract/evaluate.c).
 * --csv: write the generated postings as CSV (id, title, description) to OUT.csv instead,
 * streaming (any size in bounded memory), for the ingest benchmark (bench/extract_ingest.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "core/core.h"
#include "extract/evaluate.h"
#include "extract/extract.h"
#include "extract/textgen.h"
#include "kernels/kernels.h"

static void usage(void)
{
    fprintf(stderr, "usage: bench_extract [--mb MB] [--seed S] [--reps R] [--taxonomy FILE] "
                    "[--threads T] [--fixture FILE]\n"
                    "       bench_extract --csv OUT.csv [--mb MB] [--seed S] [--taxonomy FILE]\n");
    exit(2);
}

typedef struct job {
    const skm_taxonomy *t;
    const skm_textgen_corpus *c;
    size_t *found;     /* per posting: matches */
    int fail;
} job;

static void run_range(void *arg, size_t r0, size_t r1)
{
    job *J = arg;
    skm_matcher *m = skm_matcher_alloc(J->t);
    if (!m) {
        J->fail = 1;
        return;
    }
    for (size_t i = r0; i < r1; ++i) {
        const skm_match *mt;
        size_t k;
        skm_matcher_begin(m);
        if (skm_matcher_feed(m, 0, J->c->text.ptr + J->c->off[i], J->c->off[i + 1] - J->c->off[i]) ||
            skm_matcher_end(m, &mt, &k)) {
            J->fail = 1;
            break;
        }
        J->found[i] = k;
    }
    skm_matcher_free(m);
}

/* Rows [0, n) cut into `threads` contiguous ranges, one per thread. */
typedef struct split {
    job *J;
    size_t n;
    size_t parts;
} split;

static void run_part(void *arg, size_t p0, size_t p1)
{
    split *S = arg;
    for (size_t p = p0; p < p1; ++p)
        run_range(S->J, S->n * p / S->parts, S->n * (p + 1) / S->parts);
}

/* Postings as CSV rows (id, title, description), about mb megabytes, one at a time. */
static int write_csv(const skm_textgen *g, const skm_taxonomy *t, const char *path, size_t mb,
                     uint64_t seed)
{
    static const char *const titles[] = {"Data Scientist", "Senior Data Engineer",
                                         "Machine Learning Engineer", "Data Analyst",
                                         "Staff Software Engineer", "Junior Business Analyst",
                                         "MLOps Engineer", "Principal Research Scientist",
                                         "Lead AI Engineer (LLM)", "Analytics Manager"};
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot create the CSV file");
    skm_rng r;
    skm_rng_seed(&r, seed, 1);
    skm_buf one = {0};
    int32_t sk[12];
    uint64_t bytes = 0, n = 0;
    const uint64_t target = (uint64_t)mb << 20;
    fputs("id,title,description\n", f);
    while (bytes < target) {
        const size_t k = skm_textgen_pick(g, &r, 3 + skm_rng_below(&r, 10), sk);
        if (skm_textgen_description(g, &r, sk, k, 1000 + skm_rng_below(&r, 6000), (int)(n & 1),
                                    &one))
            die("out of memory");
        fprintf(f, "p%llu,%s,\"", (unsigned long long)n,
                titles[skm_rng_below(&r, sizeof titles / sizeof titles[0])]);
        for (size_t i = 0; i < one.len; ++i) {
            if (one.ptr[i] == '"')
                fputc('"', f);
            fputc(one.ptr[i], f);
        }
        fputs("\"\n", f);
        bytes += one.len;
        ++n;
    }
    skm_buf_free(&one);
    if (fclose(f))
        die("cannot write the CSV file");
    printf("bench_extract: wrote %s: %llu postings, %.1f MB of description text (taxonomy %s)\n",
           path, (unsigned long long)n, (double)bytes / 1e6, skm_taxonomy_name(t));
    return 0;
}

static double timed(job *J, size_t n, int threads)
{
    split S = {J, n, (size_t)threads};
    const double t0 = skm_now();
    skm_parallel_ranges(threads, (size_t)threads, run_part, &S);
    return skm_now() - t0;
}

int main(int argc, char **argv)
{
    size_t mb = 256;
    uint64_t seed = 1;
    long reps = 5;
    int threads = 2;
    const char *tax_path = NULL, *csv_path = NULL, *fixture = NULL;
    for (int i = 1; i < argc; ++i) {
        if (i + 1 >= argc)
            usage();
        if (!strcmp(argv[i], "--mb"))
            mb = (size_t)parse_num(argv[++i], 1, 1 << 20, usage);
        else if (!strcmp(argv[i], "--seed"))
            seed = parse_num(argv[++i], 0, ~0ull, usage);
        else if (!strcmp(argv[i], "--reps"))
            reps = (long)parse_num(argv[++i], 1, 1000, usage);
        else if (!strcmp(argv[i], "--threads"))
            threads = (int)parse_num(argv[++i], 1, 256, usage);
        else if (!strcmp(argv[i], "--taxonomy"))
            tax_path = argv[++i];
        else if (!strcmp(argv[i], "--csv"))
            csv_path = argv[++i];
        else if (!strcmp(argv[i], "--fixture"))
            fixture = argv[++i];
        else
            usage();
    }
    skm_ctx *ctx = skm_ctx_alloc();
    skm_taxonomy *t = NULL;
    if (skm_taxonomy_load(ctx, tax_path, &t))
        die(skm_ctx_errmsg(ctx));
    skm_textgen *g = skm_textgen_alloc(t);
    if (!g)
        die("cannot make a text generator for this taxonomy");

    if (csv_path)
        return write_csv(g, t, csv_path, mb, seed);
    if (fixture) {
        skm_extract_quality q;
        if (skm_extract_evaluate(ctx, t, fixture, &q, NULL))
            die(skm_ctx_errmsg(ctx));
        printf("fixture %s: %zu postings, skills precision %.3f recall %.3f (%zu found, %zu "
               "labelled, %zu correct); salary %zu of %zu right, %zu spurious; seniority %zu, "
               "role family %zu, work mode %zu of %zu right\n",
               fixture, q.postings, q.precision, q.recall, q.found, q.labelled, q.correct,
               q.salary_correct, q.salary_labelled, q.salary_spurious, q.seniority_correct,
               q.role_correct, q.work_correct, q.postings);
        printf("RESULT extract_quality postings=%zu precision=%.4f recall=%.4f salary_right=%zu "
               "salary_labelled=%zu\n",
               q.postings, q.precision, q.recall, q.salary_correct, q.salary_labelled);
    }

    /* the corpus (the same text `skillmat bench` times for seed 1) */
    skm_textgen_corpus c;
    const double tg = skm_now();
    if (skm_textgen_corpus_make(g, seed, mb << 20, &c))
        die("out of memory");
    const double mbytes = (double)c.text.len / 1e6;
    printf("bench_extract: taxonomy %s %s (%zu skills, %s), %zu postings, %.1f MB of text "
           "(%.0f bytes each on average; generated in %.2f s), isa %s\n",
           skm_taxonomy_name(t), skm_taxonomy_version(t), skm_taxonomy_n_skills(t),
           skm_taxonomy_origin(t), c.n, mbytes, (double)c.text.len / (double)c.n,
           skm_now() - tg, skm_kernels_active()->isa);

    /* 0. exactly the planted skills */
    job J = {t, &c, xcalloc(c.n, sizeof(size_t)), 0};
    skm_matcher *m = skm_matcher_alloc(t);
    size_t planted = 0, hit = 0, extra = 0, bad_rows = 0;
    for (size_t i = 0; i < c.n; ++i) {
        const skm_match *mt;
        size_t k;
        skm_matcher_begin(m);
        if (skm_matcher_feed(m, 0, c.text.ptr + c.off[i], c.off[i + 1] - c.off[i]) ||
            skm_matcher_end(m, &mt, &k))
            die("out of memory");
        const int32_t *sk = c.skills + i * SKM_TEXTGEN_MAX_SKILLS;
        planted += c.n_skills[i];
        size_t row_hit = 0;
        for (size_t j = 0; j < k; ++j) {
            int want = 0;
            for (size_t q = 0; q < c.n_skills[i]; ++q)
                want |= sk[q] == mt[j].skill;
            row_hit += want;
            extra += !want;
        }
        hit += row_hit;
        if (row_hit != c.n_skills[i] || k != c.n_skills[i]) {
            if (bad_rows++ < 3) {
                fprintf(stderr, "posting %zu: planted", i);
                for (size_t q = 0; q < c.n_skills[i]; ++q)
                    fprintf(stderr, " [%s]", skm_taxonomy_skill(t, sk[q]));
                fprintf(stderr, "; found");
                for (size_t j = 0; j < k; ++j)
                    fprintf(stderr, " [%s] '%.*s'", skm_taxonomy_skill(t, mt[j].skill),
                            (int)mt[j].length, c.text.ptr + c.off[i] + mt[j].offset);
                fprintf(stderr, "\n");
            }
        }
    }
    skm_matcher_free(m);
    printf("0. planted %zu skill mentions: found %zu, %zu others; %zu of %zu postings differ\n",
           planted, hit, extra, bad_rows, c.n);

    /* 1. timing */
    double *t1 = xmalloc((size_t)reps, sizeof *t1), *tt = xmalloc((size_t)reps, sizeof *tt);
    for (long k = 0; k < reps; ++k) {
        t1[k] = timed(&J, c.n, 1);
        tt[k] = timed(&J, c.n, threads);
    }
    if (J.fail)
        die("out of memory in a timed run");
    const double m1 = median_sort(t1, (size_t)reps), mt = median_sort(tt, (size_t)reps);
    printf("1. 1 thread:  median %.3f s (min %.3f): %.0f MB/s, %.0f postings/s\n", m1, t1[0],
           mbytes / m1, (double)c.n / m1);
    printf("   %d threads: median %.3f s (min %.3f): %.0f MB/s (%.0f MB/s per core), "
           "%.0f postings/s\n",
           threads, mt, tt[0], mbytes / mt, mbytes / mt / threads, (double)c.n / mt);
    printf("RESULT extract mb=%.1f postings=%zu isa=%s threads=%d mbps_1=%.1f mbps_T=%.1f "
           "postings_per_s_T=%.0f missed=%zu extra=%zu reps=%ld\n",
           mbytes, c.n, skm_kernels_active()->isa, threads, mbytes / m1, mbytes / mt,
           (double)c.n / mt, planted - hit, extra, reps);
    free(t1);
    free(tt);
    free(J.found);
    skm_textgen_free(g);
    skm_taxonomy_free(t);
    skm_textgen_corpus_free(&c);
    skm_ctx_free(ctx);
    return bad_rows ? 1 : 0;
}
