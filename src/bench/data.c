/*
 * data.c — the inputs of `skillmat bench`: synthetic postings as CSR (bench/synth_csr.h's rows)
 * and a generated CSV file.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bench_impl.h"

uint64_t skm_bench_xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return *state = x;
}

void skm_bench_csr_free(skm_bench_csr *m)
{
    free(m->indptr);
    free(m->indices);
    memset(m, 0, sizeof *m);
}

int skm_bench_synth_csr(size_t n, size_t p, uint64_t *state, skm_bench_csr *m)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->p = p;
    double *cum = skm_malloc_array(p, sizeof *cum);
    m->indptr = skm_malloc_array(n + 1, sizeof *m->indptr);
    m->indices = skm_malloc_array(n, 15 * sizeof *m->indices);
    if (!cum || !m->indptr || !m->indices || p < 15) {
        free(cum);
        skm_bench_csr_free(m);
        return SKM_ENOMEM;
    }
    double c = 0;
    for (size_t j = 0; j < p; ++j)
        cum[j] = c += 1.0 / (double)(j + 1);
    m->indptr[0] = 0;
    for (size_t r = 0; r < n; ++r) {
        int32_t row[15];
        const size_t k = 5 + (size_t)(skm_bench_xorshift(state) % 11);
        size_t have = 0;
        while (have < k) {
            const double u = (double)(skm_bench_xorshift(state) >> 11) * 0x1p-53 * c;
            size_t lo = 0, hi = p - 1;
            while (lo < hi) {
                const size_t mid = (lo + hi) / 2;
                if (cum[mid] > u)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            size_t pos = 0;
            while (pos < have && row[pos] < (int32_t)lo)
                ++pos;
            if (pos < have && row[pos] == (int32_t)lo)
                continue; /* distinct skills: draw again */
            memmove(row + pos + 1, row + pos, (have - pos) * sizeof row[0]);
            row[pos] = (int32_t)lo;
            ++have;
        }
        memcpy(m->indices + m->nnz, row, k * sizeof row[0]);
        m->nnz += k;
        m->indptr[r + 1] = (int64_t)m->nnz;
        m->pairs += (double)(k * (k + 1) / 2);
    }
    free(cum);
    return SKM_OK;
}

/* ---- CSV ---------------------------------------------------------------------------------- */

static const char *const titles[] = {
    "Data Scientist",        "Senior Data Engineer",  "Machine Learning Engineer",
    "Data Analyst",          "Staff Software Engineer", "Junior Business Analyst",
    "MLOps Engineer",        "Research Scientist",    "Lead AI Engineer (LLM)",
    "Analytics Manager"};
static const char *const companies[] = {"Acme", "Globex, Inc.", "Initech", "Umbrella Corp",
                                        "Hooli", "Stark Industries", "Wayne Enterprises",
                                        "Vandelay Industries, LLC"};
static const char *const places[] = {"New York, NY", "Austin, TX", "Remote",
                                     "Toronto, ON, Canada", "London", "San Francisco, CA",
                                     "Berlin, Germany", "Anywhere"};
static const char *const words[] = {
    "we",        "are",        "looking",   "for",        "a",          "data",
    "engineer",  "to",         "join",      "our",        "team",       "you",
    "will",      "build",      "and",       "maintain",   "scalable",   "pipelines",
    "with",      "python",     "sql",       "spark",      "in",         "the",
    "cloud",     "experience", "of",        "years",      "strong",     "skills",
    "models",    "analytics",  "business",  "stakeholders", "production", "systems",
    "benefits",  "include",    "health",    "dental",     "remote",     "flexible",
    "hours",     "competitive", "salary",   "equity",     "growth",     "mentoring"};

#define PICK(r, a) (a)[skm_rng_below((r), sizeof(a) / sizeof((a)[0]))]

/* The field s, quoted when it holds a comma. */
static int put_field(skm_buf *b, const char *s)
{
    if (!strchr(s, ','))
        return skm_buf_printf(b, "%s,", s);
    return skm_buf_printf(b, "\"%s\",", s);
}

int skm_bench_csv_text(size_t bytes, uint64_t seed, skm_buf *out)
{
    skm_rng r;
    skm_rng_seed(&r, seed, 7);
    memset(out, 0, sizeof *out);
    int rc = skm_buf_reserve(out, bytes + 8192) ||
             skm_buf_printf(out, "job_id,title,company,location,date,salary_year_avg,"
                                 "description\n");
    for (uint64_t id = 1; !rc && out->len < bytes; ++id) {
        rc = skm_buf_printf(out, "%llu,", (unsigned long long)id) ||
             put_field(out, PICK(&r, titles)) || put_field(out, PICK(&r, companies)) ||
             put_field(out, PICK(&r, places)) ||
             skm_buf_printf(out, "2023-%02u-%02u,", 1 + (unsigned)skm_rng_below(&r, 12),
                            1 + (unsigned)skm_rng_below(&r, 28));
        if (!rc && skm_rng_below(&r, 3))
            rc = skm_buf_printf(out, "%u", 40000 + 500 * (unsigned)skm_rng_below(&r, 400));
        rc = rc || skm_buf_append(out, ",\"", 2);
        const size_t start = out->len, len = 200 + skm_rng_below(&r, 3801);
        while (!rc && out->len - start < len) {
            /* a sentence: 6..20 words, a comma after one word in 16, a ""quoted"" word in 64,
             * a period; a line break after one sentence in 40 */
            const size_t nw = 6 + skm_rng_below(&r, 15);
            for (size_t w = 0; w < nw && !rc; ++w) {
                const char *word = PICK(&r, words);
                const uint64_t u = skm_rng_below(&r, 64);
                rc = u == 0   ? skm_buf_printf(out, "\"\"%s\"\"", word)
                     : u < 5  ? skm_buf_printf(out, "%s,", word)
                              : skm_buf_printf(out, "%s", word);
                rc = rc || skm_buf_putc(out, w + 1 < nw ? ' ' : '.');
            }
            rc = rc || skm_buf_putc(out, skm_rng_below(&r, 40) ? ' ' : '\n');
        }
        rc = rc || skm_buf_append(out, "\"\n", 2);
    }
    if (rc) {
        skm_buf_free(out);
        return SKM_ENOMEM;
    }
    return SKM_OK;
}
