/*
 * bench_cooccur.c — the co-occurrence counter (src/cooccur/count.h) end to end on synthetic
 * postings or on the postings of a store, and the AND-popcount tile kernel from L2 on 1 and 2
 * threads (built with the project; run by hand, or by bench/cooccur_peers.py, which times numpy
 * and scipy in the same run):
 *
 *   build/bench_cooccur [--n N] [--p P] [--seed S] [--store PATH] [--reps R] [--dump-dir DIR]
 *                       [--threads 1,2] [--paths auto,pairs,bitset] [--no-tile]
 *
 *   --n N         rows (default 1000000)
 *   --p P         skills (default 256; 15 <= P <= 65536)
 *   --seed S      generator seed (default 1); the same n, p, seed give the same matrix
 *   --store PATH  the rows of this skillmat store instead (docs/hdf5-schema.md): every posting of
 *                 /matrix, its presence view (the row's skill list; counts ignored), read with the
 *                 public reader (skm_store_read_block, blocks of 65,536 rows) before anything
 *                 else; n and p are the store's (--n, --p refused; --seed unused)
 *   --reps R      timed repetitions per configuration (default: at least 5, until 0.5 s timed)
 *   --dump-dir D  write D/indptr.i64, D/indices.i32 (raw little-endian), D/meta.txt ("n p nnz")
 *                 and D/counts_T.i64 (p x p int64 row-major, upper triangle, lower triangle 0)
 *   --threads L   thread counts to time (default 1,2)
 *   --paths L     paths to time (default auto,pairs,bitset; bitset only when p <= 2048)
 *   --no-tile     skip the kernel rates (part 2)
 *   --split S     how threads share the pairs path: auto (default), rows, skills (count.h)
 *
 * Data: bench/synth_csr.h (k uniform in 5..15 distinct skills per row, weight ~ 1/(rank + 1)),
 * the generator of bench_kernels.c; or, with --store, the store's rows (the dump then holds them,
 * so the Python peers count exactly the store's data). Empty rows count nothing and stay.
 *
 * 1. Co-occurrence. A naive count (a per-row double loop into an int64 p x p array) is made once.
 *    For each configuration (threads, path) one untimed run is checked against it on every cell
 *    a <= b (any difference: message, exit 1) before that configuration is timed. A timed
 *    repetition is: create a fresh counter (NOT timed: it is the allocation of the accumulators
 *    and the start of the worker threads), then time skm_cooc_counter_add over the whole CSR in
 *    blocks of 65536 rows (timed: the cost model, the split, every representation the path builds
 *    and the counting; the first touch of the freshly allocated accumulators falls here), then
 *    free the counter (not timed). The read-out of the p(p+1)/2 counts (skm_cooc_counter_get, a
 *    sum over the threads' accumulators) is timed once, separately, and not included.
 *    Mpairs/s = sum over rows of k(k+1)/2 / median time.
 * 2. Kernel rates, working sets in L2, each thread on its own copy, all threads concurrently:
 *      and_popcount (streaming), 2 x 256 KiB:  Gbit/s = 64 * n_words / s per call, summed
 *      and_popcount_tile, A = B = 64 bitsets x 512 words (256 KiB): 64 * n_words * 64 * 64 / s
 *    Each is printed as a fraction of the 0.9 Tbit/s L2 AND-popcount rate of 2 cores.
 *
 * Output: human-readable lines, and one line per measurement starting with "RESULT " (key=value;
 * data=synth or data=store).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/kernels.h"
#include "../src/cooccur/count.h"
#include "../src/core/core.h"
#include "bench_util.h"
#include "synth_csr.h"

#define BLOCK_ROWS 65536
#define L2_RATE_2CORES_GBIT 900.0 /* the issue: AND-popcount from L2, 2 cores, Gbit/s */

/* Minor page faults and CPU seconds (user + system, all threads) of the process so far. */
static long minor_faults(double *cpu_s)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    return ru.ru_minflt;
}

/* ---- options ---- */

struct opts {
    size_t n, p;
    uint64_t seed;
    long reps; /* 0: calibrated */
    const char *dump_dir;
    int threads[8], n_threads;
    int paths[3], n_paths;
    int tile;
    const char *store; /* --store: the rows of this store instead of synthetic ones */
    int np_given;      /* --n or --p given */
};

static void usage(void)
{
    fprintf(stderr, "usage: bench_cooccur [--n N] [--p P] [--seed S] [--store PATH] [--reps R]\n"
                    "                     [--dump-dir DIR] [--threads 1,2] "
                    "[--paths auto,pairs,bitset]\n"
                    "                     [--no-tile] [--split auto|rows|skills]\n");
    exit(2);
}

/* --split: how the counter's threads share the pairs path (count.h, SKM_COOC_SPLIT_*). */
static int g_split = SKM_COOC_SPLIT_AUTO;

static const char *split_name(int split)
{
    return split == SKM_COOC_SPLIT_ROWS     ? "rows"
           : split == SKM_COOC_SPLIT_SKILLS ? "skills"
                                            : "auto";
}

static struct opts parse_opts(int argc, char **argv)
{
    struct opts o = {1000000, 256, 1, 0, NULL, {1, 2}, 2,
                     {SKM_COOC_AUTO, SKM_COOC_PAIRS, SKM_COOC_BITSET}, 3, 1, NULL, 0};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--no-tile")) {
            o.tile = 0;
            continue;
        }
        if (!v)
            usage();
        ++i;
        o.np_given |= !strcmp(a, "--n") || !strcmp(a, "--p");
        if (synth_opt(a, v, &o.n, &o.p, &o.seed, &o.reps, usage))
            continue;
        if (!strcmp(a, "--dump-dir"))
            o.dump_dir = v;
        else if (!strcmp(a, "--store"))
            o.store = v;
        else if (!strcmp(a, "--split"))
            g_split = !strcmp(v, "rows")     ? SKM_COOC_SPLIT_ROWS
                      : !strcmp(v, "skills") ? SKM_COOC_SPLIT_SKILLS
                      : !strcmp(v, "auto")   ? SKM_COOC_SPLIT_AUTO
                                             : (usage(), 0);
        else if (!strcmp(a, "--threads") || !strcmp(a, "--paths")) {
            int thr = a[2] == 't', cnt = 0;
            char buf[256];
            snprintf(buf, sizeof buf, "%s", v);
            for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
                 t = strtok_r(NULL, ",", &save)) {
                if (thr) {
                    if (cnt == 8)
                        usage();
                    o.threads[cnt++] = (int)parse_num(t, 1, 64, usage);
                } else {
                    int pth = !strcmp(t, "auto")     ? SKM_COOC_AUTO
                              : !strcmp(t, "pairs")  ? SKM_COOC_PAIRS
                              : !strcmp(t, "bitset") ? SKM_COOC_BITSET
                                                     : -1;
                    if (pth < 0 || cnt == 3)
                        usage();
                    o.paths[cnt++] = pth;
                }
            }
            if (cnt == 0)
                usage();
            if (thr)
                o.n_threads = cnt;
            else
                o.n_paths = cnt;
        } else
            usage();
    }
    if (o.store && o.np_given) {
        fprintf(stderr, "bench_cooccur: --n and --p describe synthetic data: with --store, n and "
                        "p are the store's\n");
        exit(2);
    }
    return o;
}

/* ---- dump for the Python peers ---- */

static void dump_csr(const char *dir, const struct synth_csr *m)
{
    dump_dir_make(dir);
    write_file(dir, "indptr.i64", m->indptr, (m->n + 1) * sizeof *m->indptr);
    write_file(dir, "indices.i32", m->indices, m->nnz * sizeof *m->indices);
    char meta[128];
    int len = snprintf(meta, sizeof meta, "%zu %zu %zu\n", m->n, m->p, m->nnz);
    write_file(dir, "meta.txt", meta, (size_t)len);
}

/* ---- the co-occurrence counter ---- */

static skm_ctx *ctx;

static skm_cooc_counter *make_counter(size_t p, int threads, int path)
{
    skm_cooc_counter_params par = {p, 0, (int32_t)p, 0, path, threads, g_split};
    skm_cooc_counter *c = NULL;
    if (skm_cooc_counter_create(ctx, &par, &c) != SKM_OK) {
        fprintf(stderr, "bench_cooccur: skm_cooc_counter_create: %s\n", skm_ctx_errmsg(ctx));
        exit(1);
    }
    return c;
}

static void count_all(skm_cooc_counter *c, const struct synth_csr *m)
{
    for (size_t r = 0; r < m->n; r += BLOCK_ROWS) {
        size_t nr = m->n - r < BLOCK_ROWS ? m->n - r : BLOCK_ROWS;
        if (skm_cooc_counter_add(c, m->indptr + r, m->indices, NULL, nr) != SKM_OK) {
            fprintf(stderr, "bench_cooccur: skm_cooc_counter_add: %s\n", skm_ctx_errmsg(ctx));
            exit(1);
        }
    }
}

/* The independent count: n_ab for a <= b, int64, p x p row-major. */
static int64_t *naive_count(const struct synth_csr *m)
{
    const size_t p = m->p;
    int64_t *N = skm_calloc_array(p * p, sizeof *N);
    if (!N)
        die("out of memory for the naive count");
    for (size_t r = 0; r < m->n; ++r)
        for (int64_t k = m->indptr[r]; k < m->indptr[r + 1]; ++k)
            for (int64_t l = k; l < m->indptr[r + 1]; ++l)
                N[(size_t)m->indices[k] * p + (size_t)m->indices[l]]++;
    return N;
}

static const char *chosen_name(const skm_cooc_counter_stats *st)
{
    if (st->blocks_bitset && st->blocks_pairs)
        return "mixed";
    return st->blocks_bitset ? "bitset" : "pairs";
}

struct cfg_result {
    double median, best; /* seconds */
    long reps;
    double readout;      /* seconds, one read-out of the triangle */
    long faults;         /* minor page faults per timed repetition (median run) */
    double cpu_ratio;    /* CPU seconds / wall seconds over the timed repetitions: ~threads when
                            the threads really ran at the same time */
    skm_cooc_counter_stats st;
};

/* Check one configuration against N (exit 1 on any difference), optionally fill T (the counts,
 * p x p, upper triangle), then time it. */
static struct cfg_result run_config(const struct synth_csr *m, const int64_t *N, int threads,
                                    int path, long reps_opt, int64_t *T)
{
    const size_t p = m->p;
    struct cfg_result res;
    memset(&res, 0, sizeof res);

    skm_cooc_counter *c = make_counter(p, threads, path);
    count_all(c, m);
    skm_cooc_counter_stats_get(c, &res.st);
    double t0 = skm_now();
    size_t bad = 0;
    for (size_t a = 0; a < p; ++a)
        for (size_t b = a; b < p; ++b) {
            int64_t v = skm_cooc_counter_get(c, (int32_t)a, (int32_t)b);
            if (T)
                T[a * p + b] = v;
            if (v != N[a * p + b] && bad++ < 5)
                fprintf(stderr,
                        "bench_cooccur: MISMATCH p=%zu threads=%d path=%s at (%zu, %zu): "
                        "counter %lld, naive count %lld\n",
                        p, threads, skm_cooc_path_name(path), a, b, (long long)v,
                        (long long)N[a * p + b]);
        }
    res.readout = skm_now() - t0;
    skm_cooc_counter_free(c);
    if (bad) {
        fprintf(stderr, "bench_cooccur: %zu counts differ from the naive count: not timing\n",
                bad);
        exit(1);
    }

    /* Timed repetitions, each on a fresh counter (creation and free not timed). */
    size_t cap = reps_opt > 0 ? (size_t)reps_opt : 1000;
    double *t = xmalloc(cap, sizeof *t), sum = 0, cpu = 0;
    long *flt = xmalloc(cap, sizeof *flt);
    size_t n_reps = 0;
    while (n_reps < cap) {
        c = make_counter(p, threads, path);
        double c0, c1;
        long f0 = minor_faults(&c0);
        double s = skm_now();
        count_all(c, m);
        t[n_reps] = skm_now() - s;
        flt[n_reps] = minor_faults(&c1) - f0;
        cpu += c1 - c0;
        skm_cooc_counter_free(c);
        sum += t[n_reps++];
        if (reps_opt <= 0 && n_reps >= 5 && sum >= 0.5)
            break;
    }
    /* The faults of the repetition whose time is the median. */
    double *sorted = xmalloc(n_reps, sizeof *sorted);
    memcpy(sorted, t, n_reps * sizeof *t);
    qsort(sorted, n_reps, sizeof *sorted, cmp_double);
    res.best = sorted[0];
    res.median = n_reps % 2 ? sorted[n_reps / 2]
                            : (sorted[n_reps / 2 - 1] + sorted[n_reps / 2]) / 2;
    for (size_t i = 0; i < n_reps; ++i)
        if (t[i] == sorted[(n_reps - 1) / 2])
            res.faults = flt[i];
    res.reps = (long)n_reps;
    res.cpu_ratio = cpu / sum;
    free(t), free(flt), free(sorted);
    return res;
}

static volatile uint64_t sink; /* keeps the and_popcount results alive */

/* ---- kernel rates on 1..T threads, each on its own copy, concurrently ---- */

struct kjob {
    int tile; /* 1: and_popcount_tile; 0: and_popcount */
    const struct skm_kernels *k;
    uint64_t *A, *B, *C;
    size_t words, n; /* tile: n bitsets of `words` words; stream: two arrays of `words` words */
    long calls;
    uint64_t sum;
    pthread_barrier_t *bar;
};

static void kjob_call(struct kjob *j)
{
    if (j->tile)
        j->k->and_popcount_tile(j->A, j->words, j->n, j->A, j->words, j->n, j->words, j->C,
                                j->n);
    else
        j->sum += j->k->and_popcount(j->A, j->B, j->words);
}

static double kjob_bits(const struct kjob *j)
{
    return 64.0 * (double)j->words * (j->tile ? (double)(j->n * j->n) : 1.0);
}

static void *kjob_thread(void *v)
{
    struct kjob *j = v;
    pthread_barrier_wait(j->bar);
    for (long i = 0; i < j->calls; ++i)
        kjob_call(j);
    return NULL;
}

/* Aggregate Gbit/s of `threads` concurrent copies: best and median of 5 runs of ~0.5 s. */
static void kernel_rate(int tile, int threads, double *best, double *median)
{
    const struct skm_kernels *k = skm_kernels_active();
    struct kjob j[8];
    pthread_t th[8];
    uint64_t st = synth_seed(77);
    for (int i = 0; i < threads; ++i) {
        memset(&j[i], 0, sizeof j[i]);
        j[i].tile = tile;
        j[i].k = k;
        j[i].words = tile ? 512 : 32768; /* 256 KiB per operand matrix / array */
        j[i].n = tile ? 64 : 1;
        j[i].A = skm_aligned_array(j[i].n * j[i].words, 8);
        j[i].B = tile ? NULL : skm_aligned_array(j[i].words, 8);
        j[i].C = skm_calloc_array(j[i].n * j[i].n, 8);
        if (!j[i].A || (!tile && !j[i].B) || !j[i].C)
            die("out of memory");
        for (size_t w = 0; w < j[i].n * j[i].words; ++w)
            j[i].A[w] = synth_next(&st);
        for (size_t w = 0; !tile && w < j[i].words; ++w)
            j[i].B[w] = synth_next(&st);
    }
    /* Calibrate on one thread: calls for ~0.5 s. */
    double t0 = skm_now();
    long calls = 0;
    do {
        kjob_call(&j[0]);
        ++calls;
    } while (skm_now() - t0 < 0.05);
    calls = (long)(0.5 / ((skm_now() - t0) / (double)calls));
    if (calls < 1)
        calls = 1;
    double t[5];
    pthread_barrier_t bar;
    for (int r = 0; r < 5; ++r) {
        pthread_barrier_init(&bar, NULL, (unsigned)threads + 1);
        for (int i = 0; i < threads; ++i) {
            j[i].calls = calls;
            j[i].bar = &bar;
            if (pthread_create(&th[i], NULL, kjob_thread, &j[i]) != 0)
                die("pthread_create failed");
        }
        pthread_barrier_wait(&bar);
        double s = skm_now();
        for (int i = 0; i < threads; ++i)
            pthread_join(th[i], NULL);
        t[r] = skm_now() - s;
        pthread_barrier_destroy(&bar);
    }
    qsort(t, 5, sizeof t[0], cmp_double);
    double bits = kjob_bits(&j[0]) * (double)calls * threads;
    *best = bits / t[0] / 1e9;
    *median = bits / t[2] / 1e9;
    for (int i = 0; i < threads; ++i) {
        sink += j[i].sum;
        free(j[i].A), free(j[i].B), free(j[i].C);
    }
}

int main(int argc, char **argv)
{
    struct opts o = parse_opts(argc, argv);
    ctx = skm_ctx_alloc();
    if (!ctx)
        die("out of memory");
    const struct skm_kernels *kt = skm_kernels_active();
    char when[32];
    skm_time_iso8601(when);

    double tg = skm_now();
    struct synth_csr m;
    if (o.store) {
        struct store_rows sr = store_rows_read(o.store, STORE_ROWS_ALL, 0);
        m = (struct synth_csr){sr.n, sr.p, sr.nnz, sr.indptr, sr.indices, sr.pairs};
        o.n = sr.n;
        o.p = sr.p;
    } else {
        uint64_t state = synth_seed(o.seed);
        m = synth_postings(o.n, o.p, &state);
    }
    tg = skm_now() - tg;
    const size_t p = o.p;
    if (o.store)
        printf("bench_cooccur: store %s: n=%zu p=%zu split=%s, kernels %s, %d CPUs, %s\n",
               o.store, o.n, p, split_name(g_split), kt->isa, skm_cpu_count(), when);
    else
        printf("bench_cooccur: n=%zu p=%zu seed=%llu split=%s, kernels %s, %d CPUs, %s\n", o.n,
               p, (unsigned long long)o.seed, split_name(g_split), kt->isa, skm_cpu_count(),
               when);
    double tn = skm_now();
    int64_t *N = naive_count(&m);
    tn = skm_now() - tn;
    printf("data: nnz %zu (%.2f skills/row), %.0f pairs a <= b incl. diagonal (%s in "
           "%.2f s; naive int64 count in %.2f s)\n",
           m.nnz, (double)m.nnz / (double)m.n, m.pairs,
           o.store ? "read from the store, counts ignored," : "generated", tg, tn);
    int64_t *T = NULL;
    if (o.dump_dir) {
        dump_csr(o.dump_dir, &m);
        T = skm_calloc_array(p * p, sizeof *T);
        if (!T)
            die("out of memory");
    }

    printf("\n1. co-occurrence, skm_cooc_counter_add over all rows in blocks of %d: a fresh "
           "counter per repetition,\n   its creation (allocation, thread start) NOT timed; "
           "read-out (skm_cooc_counter_get of the triangle)\n   timed separately, not "
           "included. Counts checked against a naive count before timing.\n",
           BLOCK_ROWS);
    printf("   cpu/wall: CPU seconds of the process per wall second while timed (about `threads` "
           "when the threads\n   really ran side by side); faults: minor page faults of the "
           "median repetition; model: the\n   cost model's estimates (skm_cooc_counter_stats "
           "est_ns_pairs / est_ns_bitset, one core).\n");
    printf("   %-7s %-6s %-7s %-12s %9s %9s %9s %5s %8s %8s %6s  %s\n", "threads", "path",
           "chosen", "isa", "median ms", "min ms", "Mpairs/s", "reps", "readout", "cpu/wall",
           "faults", "model pairs / bitset ms");
    for (int ti = 0; ti < o.n_threads; ++ti)
        for (int pi = 0; pi < o.n_paths; ++pi) {
            const int thr = o.threads[ti], path = o.paths[pi];
            if (path == SKM_COOC_BITSET && p > 2048)
                continue;
            struct cfg_result r = run_config(&m, N, thr, path, o.reps, T);
            if (T) {
                write_file(o.dump_dir, "counts_T.i64", T, p * p * sizeof *T);
                free(T);
                T = NULL;
            }
            char model[64];
            if (r.st.est_ns_bitset >= 0)
                snprintf(model, sizeof model, "%.1f / %.1f", r.st.est_ns_pairs / 1e6,
                         r.st.est_ns_bitset / 1e6);
            else
                snprintf(model, sizeof model, "%.1f / n/a", r.st.est_ns_pairs / 1e6);
            const double mps = r.st.pairs / r.median / 1e6;
            printf("   %-7d %-6s %-7s %-12s %9.2f %9.2f %9.1f %5ld %6.2fms %8.2f %6ld  %s\n", thr,
                   skm_cooc_path_name(path), chosen_name(&r.st), kt->isa, r.median * 1e3,
                   r.best * 1e3, mps, r.reps, r.readout * 1e3, r.cpu_ratio, r.faults, model);
            if (path == SKM_COOC_BITSET) {
                /* the effective AND-popcount rate of the whole path: p(p+1)/2 pairs x n bits */
                double bits = (double)p * (double)(p + 1) / 2 * (double)m.n;
                double ref = L2_RATE_2CORES_GBIT * thr / 2;
                printf("           bitset path end to end = %.1f Gbit/s of AND-popcount "
                       "(p(p+1)/2 * n bits / median) = %.0f %% of %.0f Gbit/s\n",
                       bits / r.median / 1e9, bits / r.median / 1e9 / ref * 100, ref);
            }
            printf("RESULT cooccur data=%s n=%zu p=%zu nnz=%zu seed=%llu threads=%d path=%s "
                   "split=%s chosen=%s isa=%s "
                   "median_ms=%.3f min_ms=%.3f reps=%ld mpairs_s=%.1f readout_ms=%.3f "
                   "cpu_wall=%.2f faults=%ld blocks_pairs=%llu blocks_bitset=%llu "
                   "est_ms_pairs=%.3f est_ms_bitset=%.3f\n",
                   o.store ? "store" : "synth", m.n, p, m.nnz, (unsigned long long)o.seed, thr,
                   skm_cooc_path_name(path),
                   split_name(g_split), chosen_name(&r.st), kt->isa, r.median * 1e3,
                   r.best * 1e3, r.reps, mps,
                   r.readout * 1e3, r.cpu_ratio, r.faults,
                   (unsigned long long)r.st.blocks_pairs,
                   (unsigned long long)r.st.blocks_bitset, r.st.est_ns_pairs / 1e6,
                   r.st.est_ns_bitset >= 0 ? r.st.est_ns_bitset / 1e6 : -1.0);
            fflush(stdout);
        }
    if (T) { /* no configuration ran (e.g. --paths bitset with p > 2048): dump a pairs count */
        skm_cooc_counter *c = make_counter(p, 1, SKM_COOC_PAIRS);
        count_all(c, &m);
        for (size_t a = 0; a < p; ++a)
            for (size_t b = a; b < p; ++b) {
                T[a * p + b] = skm_cooc_counter_get(c, (int32_t)a, (int32_t)b);
                if (T[a * p + b] != N[a * p + b])
                    die("the pairs path differs from the naive count");
            }
        skm_cooc_counter_free(c);
        write_file(o.dump_dir, "counts_T.i64", T, p * p * sizeof *T);
        free(T);
    }
    if (o.dump_dir)
        printf("dumped indptr.i64, indices.i32, meta.txt, counts_T.i64 to %s\n", o.dump_dir);

    if (o.tile) {
        printf("\n2. AND-popcount from L2, kernels %s, each thread on its own copy, concurrently; "
               "aggregate Gbit/s (best / median of 5 x ~0.5 s)\n"
               "   fraction: of the issue's 0.9 Tbit/s L2 rate for 2 cores (0.45 Tbit/s per "
               "core)\n",
               kt->isa);
        static const char *names[2] = {"and_popcount, 2 x 256 KiB (stream)",
                                       "and_popcount_tile, 64 x 512 words (A = B)"};
        double stream_med[3] = {0, 0, 0};
        for (int tile = 0; tile < 2; ++tile)
            for (int thr = 1; thr <= 2; ++thr) {
                double best, med;
                kernel_rate(tile, thr, &best, &med);
                if (!tile)
                    stream_med[thr] = med;
                const double ref = L2_RATE_2CORES_GBIT * thr / 2;
                printf("   %-42s %d thread%s %8.1f / %8.1f Gbit/s  = %5.1f %% of %.0f Gbit/s",
                       names[tile], thr, thr > 1 ? "s" : " ", best, med, med / ref * 100, ref);
                if (tile)
                    printf(" (%.2fx this run's stream rate)", med / stream_med[thr]);
                printf("\n");
                printf("RESULT %s threads=%d isa=%s gbit_s_best=%.1f gbit_s_median=%.1f "
                       "frac_of_l2_rate=%.3f\n",
                       tile ? "tile_l2" : "stream_l2", thr, kt->isa, best, med, med / ref);
                fflush(stdout);
            }
    }
    free(N);
    synth_csr_free(&m);
    skm_ctx_free(ctx);
    return 0;
}
