/*
 * bench.c — `skillmat bench` (bench.h, docs/bench-results.md): check every kernel variant
 * against the reference, measure the machine's limits, time the kernels against them.
 *
 * The run, in order:
 *   1. the output files are opened (temporary names), so that a bad path fails at once;
 *   2. every selected group makes its inputs and compares each variant's output on them with the
 *      reference kernel's (nothing is timed before every check has passed);
 *   3. the limits the selected groups are compared with (all of them for "limits") are timed;
 *   4. each group's variants are timed, rows reported as they come;
 *   5. the files are written and renamed into place.
 * Timing (measure()): one warm-up call, then the calls per sample are raised until one sample
 * lasts >= min_time, then `samples` samples of that many calls; median and min per call.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>

#include "bench/bench_impl.h"
#include "extract/extract.h"
#include "extract/textgen.h"
#include "h5/h5out.h"
#include "h5/h5util.h"
#include "kernels/kernels.h"

/* ---- kernel variants ------------------------------------------------------------------------ */

static const skm_bench_variant variants[] = {
    {"ref", 0, and_popcount_ref, and_popcount_tile_ref, sparse_argmin_f32_ref, csv_scan_ref,
     text_lower_ref, text_classify_ref, load_sum_u64_ref},
#ifdef SKM_KERNELS_AVX2
    {"avx2", SKM_ISA_NEEDS_AVX2, and_popcount_avx2, and_popcount_tile_avx2,
     sparse_argmin_f32_avx2, csv_scan_avx2, text_lower_avx2, text_classify_avx2,
     load_sum_u64_avx2},
#endif
#ifdef SKM_KERNELS_AVX512
    {"avx512", SKM_ISA_NEEDS_AVX512, and_popcount_avx512, and_popcount_tile_avx512,
     sparse_argmin_f32_avx512, csv_scan_avx512, text_lower_avx512, text_classify_avx512,
     load_sum_u64_avx512},
#endif
};
#define N_VARIANTS (sizeof variants / sizeof variants[0])

/* ---- limits --------------------------------------------------------------------------------- */

enum {
    L_SGEMM_1T,
    L_SGEMM_ALL,
    L_READ_1T,
    L_READ_ALL,
    L_COPY_1T,
    L_COPY_ALL,
    L_L1,
    L_L2,
    L_RAND,
    L_AP_L1, /* derived: the read limits x 8 / 2 */
    L_AP_L2,
    L_AP_DRAM,
    L_N
};

static const struct {
    const char *name, *unit;
    double scale; /* unit = scale x base unit per second */
} limit_spec[L_N] = {
    {"sgemm_1t", "GFLOP/s", 1e9},      {"sgemm_all", "GFLOP/s", 1e9},
    {"dram_read_1t", "GB/s", 1e9},     {"dram_read_all", "GB/s", 1e9},
    {"dram_copy_1t", "GB/s", 1e9},     {"dram_copy_all", "GB/s", 1e9},
    {"l1_load", "GB/s", 1e9},          {"l2_load", "GB/s", 1e9},
    {"random_update", "Gupd/s", 1e9},  {"l1_andpop", "Gbit/s", 1e9},
    {"l2_andpop", "Gbit/s", 1e9},      {"dram_andpop", "Gbit/s", 1e9},
};

#define LBIT(l) (1u << (l))

/* ---- the run's state ------------------------------------------------------------------------ */

/* Sizes; the quick ones (--quick) in brackets. */
typedef struct sizes {
    size_t ap_words[3];   /* and_popcount, words per operand: 512 / 32768 / 8 Mi [128 Ki] */
    size_t tile_n, tile_words;
    size_t csr_rows;      /* 1,000,000 [20,000] */
    size_t csv_bytes;     /* 64 MiB [1 MiB] */
    size_t text_bytes;    /* 64 MiB [512 KiB] */
    size_t sgemm_n;       /* 1536 [128] */
    size_t read_bytes;    /* 128 MiB [8 MiB]; the copy: its halves */
    size_t l1_bytes, l2_bytes;
    size_t rand_cells, rand_updates;
} sizes;

#define CSR_P 256
#define ARGMIN_K 32
#define AP_DRAM_CHUNK 32768 /* words per and_popcount call over the DRAM set */

typedef struct text_corpus {
    skm_taxonomy *t;
    skm_textgen_corpus c; /* bench/bench_extract.c's text for --seed 1 */
} text_corpus;

typedef struct bench {
    skm_ctx *ctx;
    const skm_bench_params *P;
    skm_bench_result *R;
    unsigned groups;          /* SKM_BENCH_* to run */
    unsigned limits;          /* LBIT(L_*) to measure */
    const skm_bench_variant *var[16];
    size_t n_var;             /* runnable variants: the reference first, the widest last */
    const skm_bench_variant *widest;
    int threads;              /* "all threads" */
    sizes z;
    double lim[L_N];          /* base units per second; NaN until measured */
    uint64_t rng;
    /* inputs */
    uint64_t *ap_a[3], *ap_b[3];
    uint64_t *tile_A, *tile_C;
    skm_bench_csr csr;
    int32_t *G, *diag;
    float *T, *bias, *best, *second;
    int32_t *labels;
    size_t ldt;
    skm_buf csv;
    text_corpus tc;
    volatile uint64_t sink;
} bench;

static uint64_t next_rand(bench *B)
{
    return skm_bench_xorshift(&B->rng);
}

static int oom(bench *B, const char *what)
{
    return skm_error(B->ctx, SKM_ENOMEM, "bench: out of memory for %s", what);
}

static int check_interrupt(bench *B)
{
    if (skm_interrupted(B->ctx))
        return skm_error(B->ctx, SKM_EINTERRUPT, "bench: interrupted");
    return SKM_OK;
}

/* A failed check: logged, counted. */
static void mismatch(bench *B, const char *kernel, const char *isa, const char *fmt, ...)
    SKM_PRINTF(4, 5);

static void mismatch(bench *B, const char *kernel, const char *isa, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    skm_log(B->ctx, SKM_LOG_ERROR, "bench: check failed: %s (%s) differs from the reference: %s",
            kernel, isa, detail);
    B->R->n_failed++;
}

static void human_bytes(char *buf, size_t cap, size_t b)
{
    if (b >= ((size_t)1 << 30) && b % ((size_t)1 << 30) == 0)
        snprintf(buf, cap, "%zu GiB", b >> 30);
    else if (b >= ((size_t)1 << 20) && b % ((size_t)1 << 20) == 0)
        snprintf(buf, cap, "%zu MiB", b >> 20);
    else if (b >= ((size_t)1 << 20))
        snprintf(buf, cap, "%.1f MiB", (double)b / (double)((size_t)1 << 20));
    else
        snprintf(buf, cap, "%zu KiB", b >> 10);
}

/* ---- timing --------------------------------------------------------------------------------- */

typedef void (*run_fn)(void *arg, long reps);

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define REPS_MAX 1000000000L

/* Time fn(arg, reps) (reps calls): calibrate reps so that one sample lasts >= min_time, then
 * take `samples` samples; median and min seconds per call. */
static int measure(bench *B, run_fn fn, void *arg, double *median, double *min, long *reps_out)
{
    const double min_time = B->P->min_time;
    int rc;
    *median = *min = NAN;
    *reps_out = 0;
    fn(arg, 1); /* warm-up: caches, pages, OpenBLAS's threads */
    long reps = 1;
    for (;;) {
        if ((rc = check_interrupt(B)))
            return rc;
        const double t0 = skm_now();
        fn(arg, reps);
        const double dt = skm_now() - t0;
        if (dt >= min_time || reps >= REPS_MAX)
            break;
        double grow = dt > 0 ? min_time / dt * 1.2 : 1000;
        grow = grow < 2 ? 2 : grow > 1000 ? 1000 : grow;
        reps = (long)ceil((double)reps * grow);
        if (reps > REPS_MAX)
            reps = REPS_MAX;
    }
    const int ns = B->P->samples;
    double *t = skm_malloc_array((size_t)ns, sizeof *t);
    if (!t)
        return oom(B, "the samples");
    for (int s = 0; s < ns; ++s) {
        if ((rc = check_interrupt(B))) {
            free(t);
            return rc;
        }
        const double t0 = skm_now();
        fn(arg, reps);
        t[s] = (skm_now() - t0) / (double)reps;
    }
    qsort(t, (size_t)ns, sizeof *t, cmp_double);
    *min = t[0];
    *median = ns % 2 ? t[ns / 2] : (t[ns / 2 - 1] + t[ns / 2]) / 2;
    *reps_out = reps;
    free(t);
    return SKM_OK;
}

/* ---- rows ----------------------------------------------------------------------------------- */

static int push_row(bench *B, const skm_bench_row *row)
{
    skm_bench_result *R = B->R;
    if (skm_grow_array((void **)&R->rows, &R->cap, R->n_rows + 1, sizeof *R->rows))
        return oom(B, "the rows");
    R->rows[R->n_rows++] = *row;
    if (B->P->on_row)
        B->P->on_row(B->P->user, row);
    return SKM_OK;
}

/* A kernel row: `work` units per call, reported in `unit` (= scale units per second), against
 * limit `lim`. */
static int kernel_row(bench *B, const char *kernel, const char *size, const char *isa,
                      double median, double min, long reps, double work, const char *unit,
                      double scale, int lim)
{
    skm_bench_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.kernel, sizeof r.kernel, "%s", kernel);
    snprintf(r.size, sizeof r.size, "%s", size);
    snprintf(r.isa, sizeof r.isa, "%s", isa);
    snprintf(r.unit, sizeof r.unit, "%s", unit);
    snprintf(r.limit_name, sizeof r.limit_name, "%s", limit_spec[lim].name);
    r.median_s = median;
    r.min_s = min;
    r.reps = reps;
    r.rate = work / median / scale;
    r.limit = B->lim[lim] / scale;
    r.fraction = r.rate / r.limit;
    return push_row(B, &r);
}

/* A limit's own row; the limit is work / median (base units per second). */
static int limit_row(bench *B, int lim, const char *size, const char *isa, double median,
                     double min, long reps, double work)
{
    B->lim[lim] = work / median;
    skm_bench_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.kernel, sizeof r.kernel, "limit");
    snprintf(r.size, sizeof r.size, "%s", size);
    snprintf(r.isa, sizeof r.isa, "%s", isa);
    snprintf(r.unit, sizeof r.unit, "%s", limit_spec[lim].unit);
    snprintf(r.limit_name, sizeof r.limit_name, "%s", limit_spec[lim].name);
    r.median_s = median;
    r.min_s = min;
    r.reps = reps;
    r.rate = r.limit = B->lim[lim] / limit_spec[lim].scale;
    r.fraction = 1.0;
    return push_row(B, &r);
}

/* ---- limits: the runs ----------------------------------------------------------------------- */

typedef struct sgemm_arg {
    size_t n;
    const float *A, *Bm;
    float *C;
} sgemm_arg;

static void run_sgemm(void *v, long reps)
{
    sgemm_arg *x = v;
    const int n = (int)x->n;
    for (long r = 0; r < reps; ++r)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, x->A, n, x->Bm, n,
                    0.0f, x->C, n);
}

/* Streams over `parts` slices of a buffer, one per thread. */
typedef struct stream_arg {
    skm_bench_load_fn load;
    const uint64_t *src;
    uint64_t *dst;       /* copy: the destination; NULL: read */
    size_t words;        /* the whole buffer */
    int parts;
    long reps;
    uint64_t sums[64];   /* one per part */
} stream_arg;

static void stream_part(void *v, size_t p0, size_t p1)
{
    stream_arg *x = v;
    for (size_t p = p0; p < p1; ++p) {
        const size_t a = x->words * p / (size_t)x->parts, b = x->words * (p + 1) / (size_t)x->parts;
        uint64_t s = 0;
        for (long r = 0; r < x->reps; ++r) {
            if (x->dst) {
                memcpy(x->dst + a, x->src + a, (b - a) * sizeof *x->src);
                s += x->dst[a];
            } else {
                s += x->load(x->src + a, b - a);
            }
        }
        x->sums[p % 64] += s;
    }
}

static void run_stream(void *v, long reps)
{
    stream_arg *x = v;
    x->reps = reps;
    if (x->parts == 1)
        stream_part(x, 0, 1);
    else
        skm_parallel_ranges(x->parts, (size_t)x->parts, stream_part, x);
}

typedef struct rand_arg {
    int32_t *acc;
    const uint32_t *idx;
    size_t n, cells;
    uint64_t since_zero; /* updates since acc was zeroed (no cell can pass INT32_MAX) */
} rand_arg;

static void run_rand(void *v, long reps)
{
    rand_arg *x = v;
    int32_t *restrict acc = x->acc;
    const uint32_t *restrict idx = x->idx;
    for (long r = 0; r < reps; ++r) {
        if (x->since_zero + x->n > INT32_MAX) {
            memset(acc, 0, x->cells * sizeof *acc);
            x->since_zero = 0;
        }
        for (size_t i = 0; i < x->n; ++i)
            acc[idx[i]] += 1;
        x->since_zero += x->n;
    }
}

static int measure_limits(bench *B)
{
    int rc = SKM_OK;
    double med, mn;
    long reps;
    char sz[64], h[24];
    const unsigned L = B->limits;
    skm_log(B->ctx, SKM_LOG_INFO, "bench: measuring the machine's limits");

    if (L & (LBIT(L_SGEMM_1T) | LBIT(L_SGEMM_ALL))) {
        const size_t n = B->z.sgemm_n;
        float *A = skm_aligned_array(n * n, sizeof(float));
        float *Bm = skm_aligned_array(n * n, sizeof(float));
        float *C = skm_aligned_array(n * n, sizeof(float));
        if (!A || !Bm || !C) {
            free(A), free(Bm), free(C);
            return oom(B, "the SGEMM matrices");
        }
        for (size_t i = 0; i < n * n; ++i) {
            A[i] = (float)(next_rand(B) >> 40) * 0x1p-24f;
            Bm[i] = (float)(next_rand(B) >> 40) * 0x1p-24f;
        }
        sgemm_arg x = {n, A, Bm, C};
        const int saved = openblas_get_num_threads();
        const double flop = 2.0 * (double)n * (double)n * (double)n;
        for (int all = 0; all < 2 && !rc; ++all) {
            if (!(L & LBIT(all ? L_SGEMM_ALL : L_SGEMM_1T)))
                continue;
            openblas_set_num_threads(all ? B->threads : 1);
            snprintf(sz, sizeof sz, "%zu^3, %d thread%s", n, all ? B->threads : 1,
                     all && B->threads > 1 ? "s" : "");
            if (!(rc = measure(B, run_sgemm, &x, &med, &mn, &reps)))
                rc = limit_row(B, all ? L_SGEMM_ALL : L_SGEMM_1T, sz, "openblas", med, mn, reps,
                               flop);
        }
        openblas_set_num_threads(saved);
        free(A), free(Bm), free(C);
        if (rc)
            return rc;
    }

    if (L & (LBIT(L_READ_1T) | LBIT(L_READ_ALL) | LBIT(L_COPY_1T) | LBIT(L_COPY_ALL))) {
        const size_t words = B->z.read_bytes / 8;
        uint64_t *buf = skm_aligned_array(words, sizeof *buf);
        if (!buf)
            return oom(B, "the DRAM buffer");
        for (size_t i = 0; i < words; ++i)
            buf[i] = i;
        for (int copy = 0; copy < 2 && !rc; ++copy)
            for (int all = 0; all < 2 && !rc; ++all) {
                const int lim = copy ? (all ? L_COPY_ALL : L_COPY_1T) : (all ? L_READ_ALL : L_READ_1T);
                if (!(L & LBIT(lim)))
                    continue;
                const int parts = all ? B->threads : 1;
                stream_arg *x = calloc(1, sizeof *x);
                if (!x) {
                    rc = oom(B, "a stream");
                    break;
                }
                x->load = B->widest->load;
                x->src = buf;
                x->dst = copy ? buf + words / 2 : NULL;
                x->words = copy ? words / 2 : words;
                x->parts = parts > 64 ? 64 : parts;
                human_bytes(h, sizeof h, x->words * 8);
                if (copy)
                    snprintf(sz, sizeof sz, "%s -> %s, %d thread%s", h, h, x->parts,
                             x->parts > 1 ? "s" : "");
                else
                    snprintf(sz, sizeof sz, "%s, %d thread%s", h, x->parts,
                             x->parts > 1 ? "s" : "");
                if (!(rc = measure(B, run_stream, x, &med, &mn, &reps)))
                    rc = limit_row(B, lim, sz, copy ? "memcpy" : B->widest->isa, med, mn, reps,
                                   (double)(x->words * 8) * (copy ? 2 : 1));
                B->sink += x->sums[0];
                free(x);
            }
        free(buf);
        if (rc)
            return rc;
    }

    for (int lv = 0; lv < 2 && !rc; ++lv) {
        const int lim = lv ? L_L2 : L_L1;
        if (!(L & LBIT(lim)))
            continue;
        const size_t words = (lv ? B->z.l2_bytes : B->z.l1_bytes) / 8;
        uint64_t *buf = skm_aligned_array(words, sizeof *buf);
        stream_arg *x = calloc(1, sizeof *x);
        if (!buf || !x) {
            free(buf), free(x);
            return oom(B, "the cache buffers");
        }
        for (size_t i = 0; i < words; ++i)
            buf[i] = next_rand(B);
        x->load = B->widest->load;
        x->src = buf;
        x->words = words;
        x->parts = 1;
        human_bytes(h, sizeof h, words * 8);
        snprintf(sz, sizeof sz, "%s (L%d), 1 thread", h, lv + 1);
        if (!(rc = measure(B, run_stream, x, &med, &mn, &reps)))
            rc = limit_row(B, lim, sz, B->widest->isa, med, mn, reps, (double)(words * 8));
        B->sink += x->sums[0];
        free(buf), free(x);
    }
    if (rc)
        return rc;

    if (L & LBIT(L_RAND)) {
        const size_t cells = B->z.rand_cells, n = B->z.rand_updates;
        rand_arg x = {skm_aligned_array(cells, sizeof(int32_t)),
                      skm_malloc_array(n, sizeof(uint32_t)), n, cells, 0};
        if (!x.acc || !x.idx) {
            free(x.acc), free((void *)x.idx);
            return oom(B, "the random updates");
        }
        memset(x.acc, 0, cells * sizeof *x.acc);
        uint32_t *idx = (uint32_t *)x.idx;
        for (size_t i = 0; i < n; ++i)
            idx[i] = (uint32_t)(next_rand(B) % cells);
        human_bytes(h, sizeof h, cells * 4);
        snprintf(sz, sizeof sz, "%s int32, %zu Ki idx", h, n >> 10);
        if (!(rc = measure(B, run_rand, &x, &med, &mn, &reps)))
            rc = limit_row(B, L_RAND, sz, "scalar", med, mn, reps, (double)n);
        B->sink += (uint64_t)x.acc[0];
        free(x.acc), free(idx);
        if (rc)
            return rc;
    }

    /* AND-popcount: two operand bits read per result bit. */
    static const struct {
        int lim, from;
    } der[] = {{L_AP_L1, L_L1}, {L_AP_L2, L_L2}, {L_AP_DRAM, L_READ_1T}};
    for (size_t i = 0; i < sizeof der / sizeof der[0] && !rc; ++i) {
        if (!(L & LBIT(der[i].lim)) || isnan(B->lim[der[i].from]))
            continue;
        B->lim[der[i].lim] = B->lim[der[i].from] * 8 / 2;
        skm_bench_row r;
        memset(&r, 0, sizeof r);
        snprintf(r.kernel, sizeof r.kernel, "limit");
        snprintf(r.size, sizeof r.size, "%s x 8 / 2", limit_spec[der[i].from].name);
        snprintf(r.isa, sizeof r.isa, "-");
        snprintf(r.unit, sizeof r.unit, "%s", limit_spec[der[i].lim].unit);
        snprintf(r.limit_name, sizeof r.limit_name, "%s", limit_spec[der[i].lim].name);
        r.median_s = r.min_s = NAN;
        r.rate = r.limit = B->lim[der[i].lim] / limit_spec[der[i].lim].scale;
        r.fraction = 1.0;
        rc = push_row(B, &r);
    }
    return rc;
}

/* ---- and_popcount --------------------------------------------------------------------------- */

static const char *const ap_level[3] = {"L1", "L2", "DRAM"};

static size_t ap_chunk(const bench *B, int s)
{
    return s == 2 ? AP_DRAM_CHUNK : B->z.ap_words[s];
}

static uint64_t ap_pass(skm_bench_ap_fn fn, const uint64_t *a, const uint64_t *b, size_t words, size_t chunk)
{
    uint64_t s = 0;
    for (size_t i = 0; i < words; i += chunk)
        s += fn(a + i, b + i, words - i < chunk ? words - i : chunk);
    return s;
}

static int ap_setup(bench *B)
{
    for (int s = 0; s < 3; ++s) {
        const size_t w = B->z.ap_words[s];
        B->ap_a[s] = skm_aligned_array(w, sizeof(uint64_t));
        B->ap_b[s] = skm_aligned_array(w, sizeof(uint64_t));
        if (!B->ap_a[s] || !B->ap_b[s])
            return oom(B, "the and_popcount sets");
        for (size_t i = 0; i < w; ++i)
            B->ap_a[s][i] = next_rand(B), B->ap_b[s][i] = next_rand(B);
    }
    return SKM_OK;
}

static int ap_check(bench *B)
{
    for (int s = 0; s < 3; ++s) {
        const size_t w = B->z.ap_words[s];
        const uint64_t want = ap_pass(and_popcount_ref, B->ap_a[s], B->ap_b[s], w, ap_chunk(B, s));
        for (size_t u = 1; u < B->n_var; ++u) {
            const uint64_t got = ap_pass(B->var[u]->ap, B->ap_a[s], B->ap_b[s], w, ap_chunk(B, s));
            if (got != want)
                mismatch(B, "and_popcount", B->var[u]->isa, "%s set: %llu bits, ref %llu",
                         ap_level[s], (unsigned long long)got, (unsigned long long)want);
        }
    }
    /* odd sizes and unaligned starts (the L2 set's first words) */
    for (size_t u = 1; u < B->n_var; ++u)
        for (size_t n = 0; n < 1030 && n + 8 <= B->z.ap_words[1]; n += 1 + n / 8)
            for (size_t off = 0; off < 8 && off + n <= B->z.ap_words[1]; off += 3) {
                const uint64_t *a = B->ap_a[1] + off, *b = B->ap_b[1] + off;
                const uint64_t got = B->var[u]->ap(a, b, n), want = and_popcount_ref(a, b, n);
                if (got != want) {
                    mismatch(B, "and_popcount", B->var[u]->isa,
                             "n_words %zu at word offset %zu: %llu, ref %llu", n, off,
                             (unsigned long long)got, (unsigned long long)want);
                    return SKM_OK;
                }
            }
    return SKM_OK;
}

typedef struct ap_arg {
    bench *B;
    skm_bench_ap_fn fn;
    const uint64_t *a, *b;
    size_t words, chunk;
} ap_arg;

static void run_ap(void *v, long reps)
{
    ap_arg *x = v;
    uint64_t s = 0;
    for (long r = 0; r < reps; ++r)
        s += ap_pass(x->fn, x->a, x->b, x->words, x->chunk);
    x->B->sink += s;
}

static int ap_time(bench *B)
{
    static const int lims[3] = {L_AP_L1, L_AP_L2, L_AP_DRAM};
    int rc = SKM_OK;
    for (int s = 0; s < 3 && !rc; ++s) {
        char sz[64], h[24];
        human_bytes(h, sizeof h, B->z.ap_words[s] * 8);
        snprintf(sz, sizeof sz, "%s 2 x %s", ap_level[s], h);
        for (size_t u = 0; u < B->n_var && !rc; ++u) {
            ap_arg x = {B, B->var[u]->ap, B->ap_a[s], B->ap_b[s], B->z.ap_words[s], ap_chunk(B, s)};
            double med, mn;
            long reps;
            if (!(rc = measure(B, run_ap, &x, &med, &mn, &reps)))
                rc = kernel_row(B, "and_popcount", sz, B->var[u]->isa, med, mn, reps,
                                64.0 * (double)B->z.ap_words[s], "Gbit/s", 1e9, lims[s]);
        }
    }
    return rc;
}

/* ---- and_popcount_tile ---------------------------------------------------------------------- */

static int tile_setup(bench *B)
{
    const size_t n = B->z.tile_n, w = B->z.tile_words;
    B->tile_A = skm_aligned_array(n * w, sizeof(uint64_t));
    B->tile_C = skm_aligned_array(n * n, sizeof(uint64_t));
    if (!B->tile_A || !B->tile_C)
        return oom(B, "the tile");
    for (size_t i = 0; i < n * w; ++i)
        B->tile_A[i] = next_rand(B);
    return SKM_OK;
}

static int tile_check(bench *B)
{
    const size_t n = B->z.tile_n, w = B->z.tile_words;
    uint64_t *want = skm_malloc_array(n * n, sizeof *want);
    if (!want)
        return oom(B, "the tile check");
    /* the benchmark's shape (A = B), then an odd one: 7 x 9 pairs of 77 words, strides 79/80 */
    for (int shape = 0; shape < 2; ++shape) {
        const size_t na = shape ? 7 : n, nb = shape ? 9 : n, nw = shape ? 77 : w;
        const size_t lda = shape ? 79 : w, ldb = shape ? 80 : w;
        const uint64_t *Bm = shape ? B->tile_A + 5 : B->tile_A;
        memset(want, 0, n * n * sizeof *want);
        and_popcount_tile_ref(B->tile_A, lda, na, Bm, ldb, nb, nw, want, nb);
        for (size_t u = 1; u < B->n_var; ++u) {
            memset(B->tile_C, 0, n * n * sizeof *B->tile_C);
            B->var[u]->tile(B->tile_A, lda, na, Bm, ldb, nb, nw, B->tile_C, nb);
            if (memcmp(B->tile_C, want, na * nb * sizeof *want) != 0)
                mismatch(B, "and_popcount_tile", B->var[u]->isa, "%zu x %zu bitsets of %zu words",
                         na, nb, nw);
        }
    }
    free(want);
    return SKM_OK;
}

typedef struct tile_arg {
    skm_bench_tile_fn fn;
    const uint64_t *A;
    size_t n, words;
    uint64_t *C;
} tile_arg;

static void run_tile(void *v, long reps)
{
    tile_arg *x = v;
    for (long r = 0; r < reps; ++r)
        x->fn(x->A, x->words, x->n, x->A, x->words, x->n, x->words, x->C, x->n);
}

static int tile_time(bench *B)
{
    int rc = SKM_OK;
    char sz[64];
    const size_t n = B->z.tile_n, w = B->z.tile_words;
    snprintf(sz, sizeof sz, "%zu x %zu words, A = B", n, w);
    for (size_t u = 0; u < B->n_var && !rc; ++u) {
        tile_arg x = {B->var[u]->tile, B->tile_A, n, w, B->tile_C};
        double med, mn;
        long reps;
        memset(B->tile_C, 0, n * n * sizeof *B->tile_C);
        if (!(rc = measure(B, run_tile, &x, &med, &mn, &reps)))
            rc = kernel_row(B, "and_popcount_tile", sz, B->var[u]->isa, med, mn, reps,
                            64.0 * (double)w * (double)(n * n), "Gbit/s", 1e9, L_AP_L1);
    }
    return rc;
}

/* ---- synthetic postings (sparse_gram_i32, sparse_argmin_f32) -------------------------------- */

static int csr_setup(bench *B)
{
    if (B->csr.indptr)
        return SKM_OK;
    uint64_t state = 0x243F6A8885A308D3ull; /* bench/bench_kernels.c's first state */
    if (skm_bench_synth_csr(B->z.csr_rows, CSR_P, &state, &B->csr))
        return oom(B, "the synthetic postings");
    return SKM_OK;
}

static int gram_setup(bench *B)
{
    int rc = csr_setup(B);
    if (rc)
        return rc;
    B->G = skm_aligned_array(CSR_P * CSR_P, sizeof *B->G);
    B->diag = skm_aligned_array(CSR_P, sizeof *B->diag);
    if (!B->G || !B->diag)
        return oom(B, "the Gram matrix");
    return SKM_OK;
}

static int gram_check(bench *B)
{
    const struct skm_kernels *K = skm_kernels_active();
    const skm_bench_csr *m = &B->csr;
    const size_t p = CSR_P;
    int64_t *N = skm_calloc_array(p * p, sizeof *N);
    if (!N)
        return oom(B, "the naive count");
    for (size_t r = 0; r < m->n; ++r)
        for (int64_t k = m->indptr[r]; k < m->indptr[r + 1]; ++k)
            for (int64_t l = k; l < m->indptr[r + 1]; ++l)
                N[(size_t)m->indices[k] * p + (size_t)m->indices[l]]++;
    memset(B->G, 0, p * p * sizeof *B->G);
    memset(B->diag, 0, p * sizeof *B->diag);
    K->sparse_gram_i32(m->indptr, m->indices, NULL, m->n, 0, (int32_t)p, B->G, p, B->diag);
    const char *isa = K->sparse_gram_i32 == sparse_gram_i32_ref ? "ref" : K->isa;
    for (size_t i = 0; i < p; ++i)
        for (size_t j = i; j < p; ++j) {
            const int64_t got = i == j ? B->diag[i] : B->G[i * p + j];
            if (got != N[i * p + j]) {
                mismatch(B, "sparse_gram_i32", isa,
                         "count of skills (%zu, %zu): %lld, a naive count %lld", i, j,
                         (long long)got, (long long)N[i * p + j]);
                free(N);
                return SKM_OK;
            }
        }
    free(N);
    return SKM_OK;
}

typedef struct gram_arg {
    const struct skm_kernels *K;
    const skm_bench_csr *m;
    int32_t *G, *diag;
    size_t rows_since_zero; /* no count can pass INT32_MAX */
} gram_arg;

static void run_gram(void *v, long reps)
{
    gram_arg *x = v;
    const size_t p = CSR_P;
    for (long r = 0; r < reps; ++r) {
        if (x->rows_since_zero + x->m->n > INT32_MAX) {
            memset(x->G, 0, p * p * sizeof *x->G);
            memset(x->diag, 0, p * sizeof *x->diag);
            x->rows_since_zero = 0;
        }
        x->K->sparse_gram_i32(x->m->indptr, x->m->indices, NULL, x->m->n, 0, (int32_t)p, x->G,
                              p, x->diag);
        x->rows_since_zero += x->m->n;
    }
}

static int gram_time(bench *B)
{
    const struct skm_kernels *K = skm_kernels_active();
    const skm_bench_csr *m = &B->csr;
    const char *isa = K->sparse_gram_i32 == sparse_gram_i32_ref ? "ref" : K->isa;
    gram_arg x = {K, m, B->G, B->diag, SIZE_MAX / 2};
    double med, mn;
    long reps;
    char sz[64];
    snprintf(sz, sizeof sz, "n=%zu p=%d presence", m->n, CSR_P);
    int rc = measure(B, run_gram, &x, &med, &mn, &reps);
    if (!rc)
        rc = kernel_row(B, "sparse_gram_i32", sz, isa, med, mn, reps, m->pairs, "Gpairs/s", 1e9,
                        L_RAND);
    if (!rc)
        rc = kernel_row(B, "sparse_gram_i32", sz, isa, med, mn, reps,
                        2.0 * (double)m->n * CSR_P * CSR_P, "GFLOP/s", 1e9, L_SGEMM_1T);
    return rc;
}

/* ---- sparse_argmin_f32 ---------------------------------------------------------------------- */

/* The load limit of the cache the centroid table fits in. */
static int argmin_limit(const bench *B)
{
    const size_t table = CSR_P * (size_t)((ARGMIN_K + 15) / 16 * 16) * sizeof(float);
    const int64_t l1 = B->R->machine.l1d_bytes, l2 = B->R->machine.l2_bytes;
    if (table <= (size_t)(l1 > 0 ? l1 : 32768))
        return L_L1;
    if (table <= (size_t)(l2 > 0 ? l2 : 1048576))
        return L_L2;
    return L_READ_1T;
}

static int argmin_setup(bench *B)
{
    int rc = csr_setup(B);
    if (rc)
        return rc;
    const size_t k = ARGMIN_K, p = CSR_P, n = B->csr.n;
    B->ldt = (k + 15) / 16 * 16;
    B->T = skm_aligned_array(p * B->ldt, sizeof *B->T);
    B->bias = skm_aligned_array(k, sizeof *B->bias);
    B->labels = skm_aligned_array(n, sizeof *B->labels);
    B->best = skm_aligned_array(n, sizeof *B->best);
    B->second = skm_aligned_array(n, sizeof *B->second);
    if (!B->T || !B->bias || !B->labels || !B->best || !B->second)
        return oom(B, "the centroids");
    for (size_t j = 0; j < p; ++j)
        for (size_t c = 0; c < B->ldt; ++c)
            B->T[j * B->ldt + c] = c < k ? (float)(next_rand(B) >> 40) * 0x1p-24f : 0.0f;
    for (size_t c = 0; c < k; ++c) {
        float b = 0.0f;
        for (size_t j = 0; j < p; ++j)
            b = b + B->T[j * B->ldt + c] * B->T[j * B->ldt + c];
        B->bias[c] = b;
    }
    return SKM_OK;
}

static int argmin_check(bench *B)
{
    const skm_bench_csr *m = &B->csr;
    const size_t n = m->n;
    int32_t *l_ref = skm_malloc_array(n, sizeof *l_ref);
    float *b_ref = skm_malloc_array(n, sizeof *b_ref), *s_ref = skm_malloc_array(n, sizeof *s_ref);
    if (!l_ref || !b_ref || !s_ref) {
        free(l_ref), free(b_ref), free(s_ref);
        return oom(B, "the argmin check");
    }
    sparse_argmin_f32_ref(m->indptr, m->indices, NULL, n, B->T, B->ldt, ARGMIN_K, B->bias, -2.0f,
                          l_ref, b_ref, s_ref);
    for (size_t u = 1; u < B->n_var; ++u) {
        B->var[u]->argmin(m->indptr, m->indices, NULL, n, B->T, B->ldt, ARGMIN_K, B->bias, -2.0f,
                          B->labels, B->best, B->second);
        for (size_t r = 0; r < n; ++r)
            if (B->labels[r] != l_ref[r] || memcmp(&B->best[r], &b_ref[r], sizeof(float)) ||
                memcmp(&B->second[r], &s_ref[r], sizeof(float))) {
                mismatch(B, "sparse_argmin_f32", B->var[u]->isa,
                         "row %zu: label %d best %.9g second %.9g, ref %d %.9g %.9g", r,
                         B->labels[r], (double)B->best[r], (double)B->second[r], l_ref[r],
                         (double)b_ref[r], (double)s_ref[r]);
                break;
            }
    }
    free(l_ref), free(b_ref), free(s_ref);
    return SKM_OK;
}

typedef struct argmin_arg {
    bench *B;
    skm_bench_argmin_fn fn;
} argmin_arg;

static void run_argmin(void *v, long reps)
{
    argmin_arg *x = v;
    bench *B = x->B;
    for (long r = 0; r < reps; ++r)
        x->fn(B->csr.indptr, B->csr.indices, NULL, B->csr.n, B->T, B->ldt, ARGMIN_K, B->bias,
              -2.0f, B->labels, B->best, B->second);
}

static int argmin_time(bench *B)
{
    int rc = SKM_OK;
    char sz[64];
    const skm_bench_csr *m = &B->csr;
    snprintf(sz, sizeof sz, "n=%zu p=%d k=%d binary", m->n, CSR_P, ARGMIN_K);
    for (size_t u = 0; u < B->n_var && !rc; ++u) {
        argmin_arg x = {B, B->var[u]->argmin};
        double med, mn;
        long reps;
        if ((rc = measure(B, run_argmin, &x, &med, &mn, &reps)))
            break;
        rc = kernel_row(B, "sparse_argmin_f32", sz, B->var[u]->isa, med, mn, reps,
                        4.0 * ARGMIN_K * (double)m->nnz, "GB/s", 1e9, argmin_limit(B));
        if (!rc)
            rc = kernel_row(B, "sparse_argmin_f32", sz, B->var[u]->isa, med, mn, reps,
                            2.0 * (double)m->n * CSR_P * ARGMIN_K, "GFLOP/s", 1e9, L_SGEMM_1T);
    }
    return rc;
}

/* ---- csv_scan ------------------------------------------------------------------------------- */

static int csv_setup(bench *B)
{
    if (skm_bench_csv_text(B->z.csv_bytes, 1, &B->csv))
        return oom(B, "the CSV text");
    return SKM_OK;
}

/* The buffer walked from stop to stop: the number of stops. */
static uint64_t csv_walk(skm_bench_scan_fn fn, const char *p, size_t n)
{
    uint64_t stops = 0;
    size_t i = 0;
    while (i < n) {
        i += fn(p + i, n - i, ',') + 1;
        ++stops;
    }
    return stops;
}

static int csv_check(bench *B)
{
    const char *p = B->csv.ptr;
    const size_t n = B->csv.len;
    for (size_t u = 1; u < B->n_var; ++u) {
        size_t i = 0;
        while (i < n) {
            const size_t want = csv_scan_ref(p + i, n - i, ','),
                         got = B->var[u]->scan(p + i, n - i, ',');
            if (got != want) {
                mismatch(B, "csv_scan", B->var[u]->isa, "from byte %zu: stop at +%zu, ref +%zu",
                         i, got, want);
                break;
            }
            i += want + 1;
        }
    }
    return SKM_OK;
}

typedef struct scan_arg {
    bench *B;
    skm_bench_scan_fn fn;
} scan_arg;

static void run_scan(void *v, long reps)
{
    scan_arg *x = v;
    uint64_t s = 0;
    for (long r = 0; r < reps; ++r)
        s += csv_walk(x->fn, x->B->csv.ptr, x->B->csv.len);
    x->B->sink += s;
}

static int csv_time(bench *B)
{
    int rc = SKM_OK;
    char sz[64], h[24];
    human_bytes(h, sizeof h, B->csv.len);
    snprintf(sz, sizeof sz, "%s CSV, %.0f B/stop", h,
             (double)B->csv.len / (double)csv_walk(csv_scan_ref, B->csv.ptr, B->csv.len));
    for (size_t u = 0; u < B->n_var && !rc; ++u) {
        scan_arg x = {B, B->var[u]->scan};
        double med, mn;
        long reps;
        if (!(rc = measure(B, run_scan, &x, &med, &mn, &reps)))
            rc = kernel_row(B, "csv_scan", sz, B->var[u]->isa, med, mn, reps, (double)B->csv.len,
                            "MB/s", 1e6, L_READ_1T);
    }
    return rc;
}

/* ---- text extraction ------------------------------------------------------------------------ */

static int text_setup(bench *B)
{
    text_corpus *c = &B->tc;
    int rc = skm_taxonomy_load(B->ctx, NULL, &c->t);
    if (rc)
        return rc;
    skm_textgen *g = skm_textgen_alloc(c->t);
    if (!g)
        return oom(B, "the text generator");
    rc = skm_textgen_corpus_make(g, 1, B->z.text_bytes, &c->c);
    skm_textgen_free(g);
    return rc ? oom(B, "the generated text") : SKM_OK;
}

static void text_free(text_corpus *c)
{
    skm_taxonomy_free(c->t);
    skm_textgen_corpus_free(&c->c);
    c->t = NULL;
}

/* The matcher's kernels per variant against the reference on every posting, then the matcher
 * (the dispatched table) against the planted skills. */
static int text_check(bench *B)
{
    const skm_textgen_corpus *c = &B->tc.c;
    size_t maxlen = 0;
    for (size_t i = 0; i < c->n; ++i)
        if (c->off[i + 1] - c->off[i] > maxlen)
            maxlen = c->off[i + 1] - c->off[i];
    const size_t nw = (maxlen + 63) / 64;
    uint8_t *d0 = skm_malloc_array(maxlen + 1, 1), *d1 = skm_malloc_array(maxlen + 1, 1);
    uint64_t *w0 = skm_malloc_array(nw + 1, 8), *s0 = skm_malloc_array(nw + 1, 8);
    uint64_t *w1 = skm_malloc_array(nw + 1, 8), *s1 = skm_malloc_array(nw + 1, 8);
    skm_matcher *mt = skm_matcher_alloc(B->tc.t);
    int rc = SKM_OK;
    if (!d0 || !d1 || !w0 || !s0 || !w1 || !s1 || !mt) {
        rc = oom(B, "the extraction check");
        goto done;
    }
    for (size_t u = 1; u < B->n_var; ++u) {
        int bad_lower = 0, bad_class = 0;
        for (size_t i = 0; i < c->n && !(bad_lower && bad_class); ++i) {
            const uint8_t *z = (const uint8_t *)c->text.ptr + c->off[i];
            const size_t n = c->off[i + 1] - c->off[i];
            for (size_t j = 0; j < n && !bad_lower;) {
                const size_t a = text_lower_ref(z + j, d0 + j, n - j);
                const size_t b = B->var[u]->lower(z + j, d1 + j, n - j);
                if (a != b || memcmp(d0 + j, d1 + j, a)) {
                    mismatch(B, "text_lower", B->var[u]->isa, "posting %zu from byte %zu", i, j);
                    bad_lower = 1;
                }
                j += a + 1;
            }
            if (!bad_class) {
                const size_t words = (n + 63) / 64;
                text_classify_ref(z, n, w0, s0);
                B->var[u]->classify(z, n, w1, s1);
                if (memcmp(w0, w1, words * 8) || memcmp(s0, s1, words * 8)) {
                    mismatch(B, "text_classify", B->var[u]->isa, "posting %zu", i);
                    bad_class = 1;
                }
            }
        }
    }
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < c->n; ++i) {
        const skm_match *m;
        size_t k;
        skm_matcher_begin(mt);
        if (skm_matcher_feed(mt, 0, c->text.ptr + c->off[i], c->off[i + 1] - c->off[i]) ||
            skm_matcher_end(mt, &m, &k)) {
            rc = oom(B, "the matcher");
            goto done;
        }
        const int32_t *sk = c->skills + i * SKM_TEXTGEN_MAX_SKILLS;
        size_t hit = 0;
        for (size_t j = 0; j < k; ++j)
            for (size_t q = 0; q < c->n_skills[i]; ++q)
                hit += sk[q] == m[j].skill;
        if (hit != c->n_skills[i] || k != c->n_skills[i])
            first = bad++ ? first : i;
    }
    if (bad)
        mismatch(B, "extract", skm_kernels_active()->isa,
                 "%zu of %zu generated postings do not give exactly their planted skills (the "
                 "first: posting %zu)",
                 bad, c->n, first);
done:
    skm_matcher_free(mt);
    free(d0), free(d1), free(w0), free(s0), free(w1), free(s1);
    return rc;
}

typedef struct text_arg {
    bench *B;
    skm_matcher *m;
    int fail;
} text_arg;

static void run_text(void *v, long reps)
{
    text_arg *x = v;
    const skm_textgen_corpus *c = &x->B->tc.c;
    uint64_t found = 0;
    for (long r = 0; r < reps; ++r)
        for (size_t i = 0; i < c->n; ++i) {
            const skm_match *mt;
            size_t k;
            skm_matcher_begin(x->m);
            if (skm_matcher_feed(x->m, 0, c->text.ptr + c->off[i], c->off[i + 1] - c->off[i]) ||
                skm_matcher_end(x->m, &mt, &k))
                x->fail = 1;
            else
                found += k;
        }
    x->B->sink += found;
}

static int text_time(bench *B)
{
    const skm_textgen_corpus *c = &B->tc.c;
    text_arg x = {B, skm_matcher_alloc(B->tc.t), 0};
    if (!x.m)
        return oom(B, "the matcher");
    double med, mn;
    long reps;
    char sz[64], h[24];
    human_bytes(h, sizeof h, c->text.len);
    snprintf(sz, sizeof sz, "%s text, %zu skills", h, skm_taxonomy_n_skills(B->tc.t));
    int rc = measure(B, run_text, &x, &med, &mn, &reps);
    if (!rc && x.fail)
        rc = oom(B, "the matcher");
    if (!rc)
        rc = kernel_row(B, "extract", sz, skm_kernels_active()->isa, med, mn, reps,
                        (double)c->text.len, "MB/s", 1e6, L_READ_1T);
    skm_matcher_free(x.m);
    return rc;
}

/* ---- the groups ----------------------------------------------------------------------------- */

static const struct group {
    unsigned bit;
    const char *name;
    unsigned limits; /* LBIT(L_*) compared with (argmin: its cache level is added at run time) */
    int (*setup)(bench *);
    int (*check)(bench *);
    int (*time)(bench *);
} groups[] = {
    {SKM_BENCH_AND_POPCOUNT, "and_popcount",
     LBIT(L_L1) | LBIT(L_L2) | LBIT(L_READ_1T) | LBIT(L_AP_L1) | LBIT(L_AP_L2) | LBIT(L_AP_DRAM),
     ap_setup, ap_check, ap_time},
    {SKM_BENCH_TILE, "and_popcount_tile", LBIT(L_L1) | LBIT(L_AP_L1), tile_setup, tile_check,
     tile_time},
    {SKM_BENCH_GRAM, "sparse_gram_i32", LBIT(L_RAND) | LBIT(L_SGEMM_1T), gram_setup, gram_check,
     gram_time},
    {SKM_BENCH_ARGMIN, "sparse_argmin_f32", LBIT(L_SGEMM_1T), argmin_setup, argmin_check,
     argmin_time},
    {SKM_BENCH_CSV_SCAN, "csv_scan", LBIT(L_READ_1T), csv_setup, csv_check, csv_time},
    {SKM_BENCH_EXTRACT, "extract", LBIT(L_READ_1T), text_setup, text_check, text_time},
};
#define N_GROUPS (sizeof groups / sizeof groups[0])

int skm_bench_parse_only(const char *list, unsigned *mask, const char **bad_start,
                         size_t *bad_len)
{
    unsigned m = 0;
    const char *s = list;
    for (;;) {
        const size_t len = strcspn(s, ",");
        int known = len == 0; /* empty items are ignored */
        if (len == 3 && !strncmp(s, "all", 3))
            m |= SKM_BENCH_ALL, known = 1;
        else if (len == 6 && !strncmp(s, "limits", 6))
            m |= SKM_BENCH_LIMITS, known = 1;
        for (size_t g = 0; g < N_GROUPS && !known; ++g)
            if (strlen(groups[g].name) == len && !strncmp(s, groups[g].name, len))
                m |= groups[g].bit, known = 1;
        if (!known) {
            *bad_start = s;
            *bad_len = len;
            return -1;
        }
        if (!s[len])
            break;
        s += len + 1;
    }
    *mask = m;
    return 0;
}

skm_bench_params skm_bench_params_default(void)
{
    skm_bench_params p;
    memset(&p, 0, sizeof p);
    p.min_time = 0.05;
    p.samples = 7;
    return p;
}

void skm_bench_result_free(skm_bench_result *R)
{
    free(R->rows);
    R->rows = NULL;
    R->n_rows = R->cap = 0;
}

static void bench_free(bench *B)
{
    for (int s = 0; s < 3; ++s)
        free(B->ap_a[s]), free(B->ap_b[s]);
    free(B->tile_A), free(B->tile_C);
    skm_bench_csr_free(&B->csr);
    free(B->G), free(B->diag);
    free(B->T), free(B->bias), free(B->best), free(B->second), free(B->labels);
    skm_buf_free(&B->csv);
    text_free(&B->tc);
}

static void set_sizes(bench *B)
{
    sizes *z = &B->z;
    const int q = B->P->quick;
    const int64_t l1 = B->R->machine.l1d_bytes, l2 = B->R->machine.l2_bytes;
    z->ap_words[0] = 512;                             /* 2 x 4 KiB */
    z->ap_words[1] = 32768;                           /* 2 x 256 KiB */
    z->ap_words[2] = q ? (size_t)1 << 17 : (size_t)8 << 20; /* 2 x 1 MiB : 2 x 64 MiB */
    z->tile_n = 64;
    z->tile_words = 512;
    z->csr_rows = q ? 20000 : 1000000;
    z->csv_bytes = q ? (size_t)1 << 20 : (size_t)64 << 20;
    z->text_bytes = q ? (size_t)512 << 10 : (size_t)64 << 20;
    z->sgemm_n = q ? 128 : 1536;
    z->read_bytes = q ? (size_t)8 << 20 : (size_t)128 << 20;
    /* half of each cache: room for the stack and the code */
    z->l1_bytes = (size_t)(l1 >= 4096 ? l1 / 2 : 16384) / 64 * 64;
    z->l2_bytes = (size_t)(l2 >= 65536 ? l2 / 2 : 524288) / 64 * 64;
    z->rand_cells = 65536; /* 256 KiB of int32: the p = 256 count triangle's size */
    if (l2 >= 65536 && (size_t)l2 / 2 < z->rand_cells * 4)
        z->rand_cells = (size_t)l2 / 8;
    z->rand_updates = q ? (size_t)1 << 16 : (size_t)1 << 20;
}

/* The CSV output: a stream on a temporary file renamed into place at the end (skm_afile). */
static int open_csv(skm_ctx *ctx, const char *path, skm_afile *af, FILE **f)
{
    int rc = skm_afile_open(ctx, path, af);
    if (rc)
        return rc;
    if (!(*f = fdopen(af->fd, "w")))
        return skm_error(ctx, SKM_EIO, "%s: cannot open %s: %s", path, af->tmp_path,
                         strerror(errno));
    af->fd = -1; /* the stream's now: fclose closes it */
    return SKM_OK;
}

int skm_bench_run(skm_ctx *ctx, const skm_bench_params *P, skm_bench_result *R)
{
    const double t_start = skm_now();
    memset(R, 0, sizeof *R);
    skm_bench_machine_read(&R->machine);
    if (!(P->min_time > 0 && P->min_time <= 3600))
        return skm_error(ctx, SKM_EINVAL, "--min-time must be in (0, 3600] seconds");
    if (P->samples < 1 || P->samples > 10000)
        return skm_error(ctx, SKM_EINVAL, "--samples must be in 1..10000");

    bench *B = calloc(1, sizeof *B);
    if (!B)
        return skm_error(ctx, SKM_ENOMEM, "bench: out of memory");
    B->ctx = ctx;
    B->P = P;
    B->R = R;
    B->rng = 0x243F6A8885A308D3ull;
    B->groups = P->only ? P->only : SKM_BENCH_ALL;
    B->threads = R->machine.usable_cpus > 0 ? (int)R->machine.usable_cpus : 1;
    for (int l = 0; l < L_N; ++l)
        B->lim[l] = NAN;
    const uint32_t feat = skm_cpu_features();
    const skm_bench_variant *vs = P->variants ? P->variants : variants;
    const size_t nv = P->variants ? P->n_variants : N_VARIANTS;
    for (size_t u = 0; u < nv && B->n_var < sizeof B->var / sizeof B->var[0]; ++u)
        if ((feat & vs[u].needs) == vs[u].needs)
            B->var[B->n_var++] = &vs[u];
    if (!B->n_var) {
        free(B);
        return skm_error(ctx, SKM_EINVAL, "bench: no kernel variant this CPU can run");
    }
    B->widest = B->var[B->n_var - 1];
    set_sizes(B);
    B->limits = B->groups & SKM_BENCH_LIMITS ? (1u << L_N) - 1 : 0;
    for (size_t g = 0; g < N_GROUPS; ++g)
        if (B->groups & groups[g].bit)
            B->limits |= groups[g].limits;
    if (B->groups & SKM_BENCH_ARGMIN)
        B->limits |= LBIT(argmin_limit(B));

    skm_h5_quiet q;
    skm_h5_quiet_begin(&q);
    skm_h5_out o;
    memset(&o, 0, sizeof o);
    o.file = o.t_str = -1;
    skm_afile csv_file = {NULL, NULL, -1, 0};
    FILE *csv = NULL;
    int rc = SKM_OK;
    if (P->h5_path && (rc = skm_h5_out_create_results(ctx, P->h5_path, "bench", &o)))
        goto done;
    if (P->csv_path && (rc = open_csv(ctx, P->csv_path, &csv_file, &csv)))
        goto done;

    /* 2. inputs and checks, all before any timing */
    if (B->groups & ~SKM_BENCH_LIMITS)
        skm_log(ctx, SKM_LOG_INFO, "bench: making the inputs and checking %zu kernel variant%s "
                                   "(%s%s%s) against the reference",
                B->n_var, B->n_var > 1 ? "s" : "", B->var[0]->isa, B->n_var > 1 ? ".." : "",
                B->n_var > 1 ? B->widest->isa : "");
    for (size_t g = 0; g < N_GROUPS && !rc; ++g) {
        if (!(B->groups & groups[g].bit))
            continue;
        if (!(rc = groups[g].setup(B)) && !(rc = check_interrupt(B)))
            rc = groups[g].check(B);
    }
    if (rc || R->n_failed)
        goto done;

    /* 3. limits, 4. kernels */
    if ((rc = measure_limits(B)))
        goto done;
    for (size_t g = 0; g < N_GROUPS && !rc; ++g)
        if (B->groups & groups[g].bit) {
            skm_log(ctx, SKM_LOG_DEBUG, "bench: timing %s", groups[g].name);
            rc = groups[g].time(B);
        }
    if (rc)
        goto done;
    R->seconds = skm_now() - t_start;

    /* 5. the files */
    if (csv) {
        rc = skm_bench_write_csv(ctx, csv, P->csv_path, R);
        const int closed = fclose(csv);
        csv = NULL;
        if (!rc && closed != 0)
            rc = skm_error(ctx, SKM_EIO, "%s: write failed", P->csv_path);
        if (!rc)
            rc = skm_afile_commit(ctx, &csv_file);
    }
    if (!rc && P->h5_path && !(rc = skm_bench_write_h5(&o, P, R)))
        rc = skm_h5_out_commit(&o);
done:
    if (csv)
        fclose(csv);
    skm_afile_abort(&csv_file);
    skm_h5_out_abort(&o);
    skm_h5_quiet_end(&q);
    if (B->sink == 42)
        skm_log(ctx, SKM_LOG_DEBUG, "bench: (checksum 42)");
    bench_free(B);
    free(B);
    R->seconds = skm_now() - t_start;
    return rc;
}
