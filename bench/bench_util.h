/*
 * bench_util.h — what every benchmark program needs: fatal errors, checked allocation, option
 * numbers, medians, the process's memory high-water mark, raw array dumps for the Python peer
 * scripts, and the rows of a skillmat store for the benchmarks' --store option
 * (store_rows_read). Header-only (static inline) so that each benchmark stays one source file.
 */
#ifndef SKM_BENCH_UTIL_H
#define SKM_BENCH_UTIL_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "skillmat.h"

static inline void die(const char *msg)
{
    fprintf(stderr, "bench: %s\n", msg);
    exit(1);
}

static inline void *xmalloc(size_t n, size_t size)
{
    void *p = n && size ? malloc(n * size) : malloc(1);
    if (!p || (size && n > SIZE_MAX / size))
        die("out of memory");
    return p;
}

static inline void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* An unsigned option value in [lo, hi] (decimal, 0x hex); calls usage() (which must not return)
 * otherwise. */
static inline unsigned long long parse_num(const char *s, unsigned long long lo,
                                           unsigned long long hi, void (*usage)(void))
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || v < lo || v > hi || s[0] == '-')
        usage();
    return v;
}

/* The options every synthetic-postings benchmark takes (bench/synth_csr.h data): --n, --p,
 * --seed, --reps with the value v. 1 when `a` was one of them (its value stored), else 0. */
static inline int synth_opt(const char *a, const char *v, size_t *n, size_t *p, uint64_t *seed,
                            long *reps, void (*usage)(void))
{
    if (!strcmp(a, "--n"))
        *n = (size_t)parse_num(v, 1, 100000000, usage);
    else if (!strcmp(a, "--p"))
        *p = (size_t)parse_num(v, 15, 65536, usage);
    else if (!strcmp(a, "--seed"))
        *seed = (uint64_t)parse_num(v, 0, ~0ull, usage);
    else if (!strcmp(a, "--reps"))
        *reps = (long)parse_num(v, 1, 100000, usage);
    else
        return 0;
    return 1;
}

static inline int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts t[0..n) and returns its median. */
static inline double median_sort(double *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp_double);
    return n == 0 ? 0 : n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* A field of /proc/self/status in kB ("VmHWM", "VmRSS"), -1 when unavailable. */
static inline long proc_status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    const size_t len = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, len) && line[len] == ':') {
            v = strtol(line + len + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* Reset the high-water mark of the RSS (Linux >= 4.0); 0 on success. */
static inline int reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f)
        return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static inline double maxrss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* kB on Linux */
}

/* Create dir (if need be) for raw little-endian dumps; exits on a big-endian host. */
static inline void dump_dir_make(const char *dir)
{
    const uint16_t one = 1;
    if (*(const uint8_t *)&one != 1)
        die("--dump-dir writes little-endian arrays: this host is big-endian");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench: cannot create %s: %s\n", dir, strerror(errno));
        exit(1);
    }
}

static inline void write_file(const char *dir, const char *name, const void *data, size_t bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, bytes, f) != bytes || fclose(f) != 0) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

/* ---- the rows of a store (--store PATH) ---- */

/* Which rows of the store store_rows_read() keeps (row order is always kept). */
enum {
    STORE_ROWS_ALL = 0,      /* every posting, empty rows included */
    STORE_ROWS_NONEMPTY = 1, /* postings that list at least one skill */
    STORE_ROWS_SALARY = 2    /* postings whose /postings/salary_annual is finite and > 0 */
};

/* The presence view (docs/hdf5-schema.md: the matrix structure, counts ignored) of the kept rows
 * of a store. The field names n, p, nnz, indptr, indices, pairs match struct synth_csr
 * (bench/synth_csr.h), so a benchmark can hand the arrays over to one. */
struct store_rows {
    int64_t n_store, p_store, nnz_store; /* the store's /matrix: n_rows, n_cols, nnz */
    size_t n, p, nnz;                    /* rows kept, columns (= p_store), entries kept */
    int64_t *indptr;                     /* n + 1, indptr[0] = 0 (malloc'ed) */
    int32_t *indices;                    /* nnz, strictly increasing within a row (malloc'ed) */
    double *salary;                      /* n: salary_annual of each kept row, when asked */
    double pairs;                        /* sum over kept rows of k (k + 1) / 2 */
    double seconds;                      /* wall time of the read */
};

static inline double bench_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Read the store at `path` with the public reader (skm_store_open, then skm_store_read_block in
 * blocks of 65,536 rows and, when want_salary or keep == STORE_ROWS_SALARY,
 * skm_store_read_column("salary_annual") over the same rows) and keep the rows `keep` says.
 * Exits with the reader's message on any error. */
static inline struct store_rows store_rows_read(const char *path, int keep, int want_salary)
{
    const size_t B = 65536;
    struct store_rows r;
    memset(&r, 0, sizeof r);
    const double t0 = bench_wall();
    skm_ctx *c = skm_ctx_alloc();
    skm_store *st = NULL;
    if (!c)
        die("out of memory");
    if (skm_store_open(c, path, &st) != SKM_OK) {
        fprintf(stderr, "bench: --store %s: %s\n", path, skm_ctx_errmsg(c));
        exit(1);
    }
    r.n_store = skm_store_n_rows(st);
    r.p_store = skm_store_n_cols(st);
    r.nnz_store = skm_store_nnz(st);
    r.p = (size_t)r.p_store;
    if (r.n_store <= 0 || r.p_store <= 0)
        die("--store: the store has no postings or no skills");
    const int salary = want_salary || keep == STORE_ROWS_SALARY;
    r.indptr = xmalloc((size_t)r.n_store + 1, sizeof *r.indptr);
    r.indices = xmalloc((size_t)r.nnz_store, sizeof *r.indices);
    double *sal_blk = salary ? xmalloc(B, sizeof *sal_blk) : NULL;
    if (salary)
        r.salary = xmalloc((size_t)r.n_store, sizeof *r.salary);
    skm_csr_block *blk = skm_csr_block_alloc(B, B * 16);
    if (!blk)
        die("out of memory");
    r.indptr[0] = 0;
    for (int64_t row0 = 0; row0 < r.n_store; row0 += (int64_t)B) {
        if (skm_store_read_block(st, row0, B, blk) != SKM_OK ||
            (salary && skm_store_read_column(st, "salary_annual", row0, blk->n_rows,
                                             SKM_TYPE_F64, sal_blk) != SKM_OK)) {
            fprintf(stderr, "bench: --store %s: %s\n", path, skm_ctx_errmsg(c));
            exit(1);
        }
        for (size_t i = 0; i < blk->n_rows; ++i) {
            const int64_t b = blk->indptr[i], e = blk->indptr[i + 1];
            if ((keep == STORE_ROWS_NONEMPTY && e == b) ||
                (keep == STORE_ROWS_SALARY && !(isfinite(sal_blk[i]) && sal_blk[i] > 0)))
                continue;
            if (r.nnz + (size_t)(e - b) > (size_t)r.nnz_store)
                die("--store: the matrix holds more entries than its nnz attribute");
            memcpy(r.indices + r.nnz, blk->indices + b, (size_t)(e - b) * sizeof *r.indices);
            r.nnz += (size_t)(e - b);
            if (salary)
                r.salary[r.n] = sal_blk[i];
            r.indptr[++r.n] = (int64_t)r.nnz;
            r.pairs += (double)(e - b) * (double)(e - b + 1) / 2;
        }
    }
    skm_csr_block_free(blk);
    free(sal_blk);
    skm_store_close(st);
    skm_ctx_free(c);
    r.seconds = bench_wall() - t0;
    return r;
}

#endif /* SKM_BENCH_UTIL_H */
