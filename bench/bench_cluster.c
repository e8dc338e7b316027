/*
 * bench_cluster.c — k-means of `skillmat cluster` (src/cluster/kmeans.c) on synthetic postings
 * or on the postings of a store: k-means++ seeding and Lloyd iterations, timed (built with the
 * project; run by hand, or by bench/cluster_peers.py, which runs scikit-learn's KMeans from the
 * same initial centroids in the same run and checks the objective after every iteration):
 *
 *   build/bench_cluster [--n N] [--p P] [--store PATH] [--k K] [--iters T] [--seed S] [--reps R]
 *                       [--threads T] [--metric euclidean|cosine] [--dump-dir DIR]
 *
 *   --n N         rows (default 1000000)
 *   --p P         skills (default 256; 15 <= P <= 65536)
 *   --store PATH  the rows of this skillmat store instead (docs/hdf5-schema.md), read with the
 *                 public reader (skm_store_read_block, blocks of 65,536 rows): the postings that
 *                 list at least one skill (as `skillmat cluster` takes them), in store order, as
 *                 binary rows (the row's skill list; counts ignored); n (postings with skills) and
 *                 p are the store's (--n, --p refused; --seed still seeds k-means++)
 *   --k K         clusters (default 32)
 *   --iters T     Lloyd iterations per timed run, tol = 0 (default 20; fewer when the labels stop
 *                 changing)
 *   --seed S      data and seeding seed (default 1)
 *   --reps R      timed repetitions of seeding and of the Lloyd run (default 5)
 *   --threads T   threads (default 2)
 *   --metric M    euclidean on binary rows (default; scikit-learn's KMeans on the CSR matrix)
 *                 or cosine (spherical k-means on L2-normalised binary rows)
 *   --path P      sparse (the centroid-table kernel) or dense (sgemm on dense row blocks);
 *                 default: chosen from the density, as skillmat does
 *   --dump-dir D  write D/indptr.i64, D/indices.i32 (the rows), D/init.f64 (k x p: the seeding's
 *                 centroids, the Lloyd runs' start), D/trace.f64 (n_iter + 1 objectives: after
 *                 0, 1, ... n_iter updates; the last with the final labels), D/centroids.f64,
 *                 D/labels.i32, D/meta.txt ("n p nnz k n_iter metric")
 *
 * Data: bench/synth_csr.h (5..15 distinct skills per row, weight ~ 1/(rank + 1)), or the store's
 * rows (--store; the dump then holds exactly those rows).
 * Checks before timing: the Lloyd run with 1 thread and with --threads give bit-identical
 * centroids, labels and objectives (the thread count changes no bit); exit 1 otherwise.
 * Output: human-readable lines and one "RESULT " line (key=value): seeding and per-iteration
 * medians, peak RSS (VmHWM reset before the timed runs).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/kernels.h"
#include "../src/cluster/kmeans.h"
#include "../src/core/core.h"
#include "bench_util.h"
#include "synth_csr.h"

struct opts {
    size_t n, p, k;
    int iters;
    uint64_t seed;
    long reps;
    int threads, cosine, path;
    const char *dump_dir;
    const char *store; /* --store: the rows of this store instead of synthetic ones */
    int np_given;      /* --n or --p given */
};

static void usage(void)
{
    fprintf(stderr, "usage: bench_cluster [--n N] [--p P] [--store PATH] [--k K] [--iters T] "
                    "[--seed S]\n                     [--reps R] [--threads T] "
                    "[--metric euclidean|cosine] [--path sparse|dense]\n"
                    "                     [--dump-dir DIR]\n");
    exit(2);
}

static struct opts parse_opts(int argc, char **argv)
{
    struct opts o = {1000000, 256, 32, 20, 1, 5, 2, 0, SKM_KM_PATH_AUTO, NULL, NULL, 0};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        ++i;
        o.np_given |= !strcmp(a, "--n") || !strcmp(a, "--p");
        if (synth_opt(a, v, &o.n, &o.p, &o.seed, &o.reps, usage))
            continue;
        if (!strcmp(a, "--store"))
            o.store = v;
        else if (!strcmp(a, "--k"))
            o.k = (size_t)parse_num(v, 1, 100000, usage);
        else if (!strcmp(a, "--iters"))
            o.iters = (int)parse_num(v, 1, 100000, usage);
        else if (!strcmp(a, "--threads"))
            o.threads = (int)parse_num(v, 1, 1024, usage);
        else if (!strcmp(a, "--metric") && (!strcmp(v, "euclidean") || !strcmp(v, "cosine")))
            o.cosine = !strcmp(v, "cosine");
        else if (!strcmp(a, "--path") && !strcmp(v, "sparse"))
            o.path = SKM_KM_PATH_SPARSE;
        else if (!strcmp(a, "--path") && !strcmp(v, "dense"))
            o.path = SKM_KM_PATH_DENSE;
        else if (!strcmp(a, "--dump-dir"))
            o.dump_dir = v;
        else
            usage();
    }
    if (o.store && o.np_given) {
        fprintf(stderr, "bench_cluster: --n and --p describe synthetic data: with --store, n and "
                        "p are the store's\n");
        exit(2);
    }
    if (!o.store && o.k > o.n)
        usage();
    return o;
}

static skm_ctx *ctx;

static void ok_or_die(int rc)
{
    if (rc != SKM_OK) {
        fprintf(stderr, "bench_cluster: %s\n", skm_ctx_errmsg(ctx));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    const struct opts o = parse_opts(argc, argv);
    ctx = skm_ctx_alloc();
    if (!ctx)
        die("out of memory");
    const struct skm_kernels *kt = skm_kernels_active();
    double t0 = skm_now();
    struct synth_csr m;
    if (o.store) {
        struct store_rows sr = store_rows_read(o.store, STORE_ROWS_NONEMPTY, 0);
        m = (struct synth_csr){sr.n, sr.p, sr.nnz, sr.indptr, sr.indices, sr.pairs};
        printf("store %s: %lld postings x %lld skills, %lld non-zeros; %zu postings with skills "
               "kept (binary rows, counts ignored)\n",
               o.store, (long long)sr.n_store, (long long)sr.p_store, (long long)sr.nnz_store,
               sr.n);
        if (o.k > sr.n) {
            fprintf(stderr, "bench_cluster: --k %zu is above the %zu postings with skills\n",
                    o.k, sr.n);
            exit(2);
        }
    } else {
        uint64_t state = synth_seed(o.seed);
        m = synth_postings(o.n, o.p, &state);
    }
    const size_t n = m.n, p = m.p, k = o.k;
    double *sqnorm = xmalloc(n, sizeof *sqnorm);
    float *values = NULL;
    if (o.cosine) {
        values = xmalloc(m.nnz, sizeof *values);
        for (size_t r = 0; r < n; ++r) {
            const int64_t b = m.indptr[r], e = m.indptr[r + 1];
            double s2 = 0;
            for (int64_t q = b; q < e; ++q) {
                values[q] = (float)(1.0 / sqrt((double)(e - b)));
                s2 += (double)values[q] * (double)values[q];
            }
            sqnorm[r] = s2;
        }
    } else {
        for (size_t r = 0; r < n; ++r)
            sqnorm[r] = (double)(m.indptr[r + 1] - m.indptr[r]);
    }
    skm_km_data d = {n, p, m.indptr, m.indices, values, sqnorm, o.cosine, o.threads, o.path};
    const char *path = skm_km_path(&d) == SKM_KM_PATH_DENSE ? "dense" : "sparse";
    printf("bench_cluster: n %zu, p %zu, nnz %zu (%.2f per row), k %zu, %s, isa %s, %s path, %d "
           "threads (data %.2f s)\n",
           n, p, m.nnz, (double)m.nnz / (double)n, k,
           o.cosine ? "spherical (cosine) on unit binary rows" : "Euclidean on binary rows",
           kt->isa, path, o.threads, skm_now() - t0);
    skm_km_data d1 = d;
    d1.threads = 1;

    /* 0. seeding (untimed), then the Lloyd run on 1 thread and on o.threads: identical bits */
    double *C0 = xmalloc(k * p, sizeof *C0);
    skm_rng g;
    skm_rng_seed(&g, o.seed, 0);
    ok_or_die(skm_km_seed(ctx, &d, k, &g, C0));
    double *C0b = xmalloc(k * p, sizeof *C0b);
    skm_rng_seed(&g, o.seed, 0);
    ok_or_die(skm_km_seed(ctx, &d1, k, &g, C0b));
    if (memcmp(C0, C0b, k * p * sizeof *C0))
        die("k-means++ seeding differs between 1 thread and --threads");
    skm_km_fit f1, f;
    ok_or_die(skm_km_fit_alloc(ctx, &f1, n, p, k, o.iters, 0));
    ok_or_die(skm_km_fit_alloc(ctx, &f, n, p, k, o.iters, 0));
    memcpy(f1.C, C0, k * p * sizeof *C0);
    memcpy(f.C, C0, k * p * sizeof *C0);
    ok_or_die(skm_km_lloyd(ctx, &d1, o.iters, 0.0, &f1));
    ok_or_die(skm_km_lloyd(ctx, &d, o.iters, 0.0, &f));
    if (f1.n_iter != f.n_iter || memcmp(f1.C, f.C, k * p * sizeof *f.C) ||
        memcmp(f1.labels, f.labels, n * sizeof *f.labels) ||
        memcmp(f1.trace, f.trace, ((size_t)f.n_iter + 1) * sizeof *f.trace))
        die("Lloyd results differ between 1 thread and --threads");
    printf("0. 1 thread and %d threads: identical seeding, centroids, labels and objectives "
           "(%d iterations, objective %.10g, %lld empty clusters re-seeded)\n",
           o.threads, f.n_iter, f.objective, (long long)f.n_reseeded);
    if (o.dump_dir) {
        dump_dir_make(o.dump_dir);
        write_file(o.dump_dir, "indptr.i64", m.indptr, (n + 1) * sizeof *m.indptr);
        write_file(o.dump_dir, "indices.i32", m.indices, m.nnz * sizeof *m.indices);
        write_file(o.dump_dir, "init.f64", C0, k * p * sizeof *C0);
        write_file(o.dump_dir, "trace.f64", f.trace, ((size_t)f.n_iter + 1) * sizeof *f.trace);
        write_file(o.dump_dir, "centroids.f64", f.C, k * p * sizeof *f.C);
        write_file(o.dump_dir, "labels.i32", f.labels, n * sizeof *f.labels);
        char meta[160];
        int len = snprintf(meta, sizeof meta, "%zu %zu %zu %zu %d %s\n", n, p, m.nnz, k,
                           f.n_iter, o.cosine ? "cosine" : "euclidean");
        write_file(o.dump_dir, "meta.txt", meta, (size_t)len);
        printf("   dumped the rows, init, trace, centroids, labels and meta.txt to %s\n",
               o.dump_dir);
    }
    skm_km_fit_free(&f1);
    const int n_iter = f.n_iter;

    /* 1. timed: seeding, Lloyd */
    const double rss_before = (double)proc_status_kb("VmRSS") / 1024.0;
    const int hwm_ok = reset_peak_rss() == 0;
    const size_t R = (size_t)o.reps;
    double *ts = xmalloc(R, sizeof *ts), *tl = xmalloc(R, sizeof *tl);
    for (size_t r = 0; r < R; ++r) {
        skm_rng_seed(&g, o.seed, 0);
        double s = skm_now();
        ok_or_die(skm_km_seed(ctx, &d, k, &g, C0b));
        ts[r] = skm_now() - s;
        memcpy(f.C, C0, k * p * sizeof *C0);
        s = skm_now();
        ok_or_die(skm_km_lloyd(ctx, &d, o.iters, 0.0, &f));
        tl[r] = skm_now() - s;
    }
    const double peak = hwm_ok ? (double)proc_status_kb("VmHWM") / 1024.0 : maxrss_mb();
    const double ms = median_sort(ts, R), ml = median_sort(tl, R);
    /* n_iter updates and the final assignment: n_iter + 1 passes; per iteration = run / n_iter,
     * the final assignment included, as scikit-learn's fit time / n_iter_ */
    printf("1. k-means++ seeding (greedy, %d candidates per centre): median %.4f s, min %.4f s\n",
           2 + (int)log((double)k), ms, ts[0]);
    printf("   Lloyd, %d iterations + final assignment: median %.4f s, min %.4f s -> %.2f ms per "
           "iteration (median), %.2f ms (min)\n",
           n_iter, ml, tl[0], 1e3 * ml / n_iter, 1e3 * tl[0] / n_iter);
    printf("   peak RSS during the timed runs %.1f MB (%s; %.1f MB before them)\n", peak,
           hwm_ok ? "VmHWM after a reset" : "ru_maxrss", rss_before);
    printf("RESULT cluster data=%s n=%zu p=%zu nnz=%zu k=%zu metric=%s path=%s seed=%llu "
           "threads=%d isa=%s "
           "iters=%d seed_median_s=%.6f seed_min_s=%.6f lloyd_median_s=%.6f lloyd_min_s=%.6f "
           "iter_median_ms=%.4f iter_min_ms=%.4f objective=%.12g reps=%ld peak_rss_mb=%.1f "
           "data_rss_mb=%.1f\n",
           o.store ? "store" : "synth", n, p, m.nnz, k, o.cosine ? "cosine" : "euclidean", path,
           (unsigned long long)o.seed, o.threads, kt->isa, n_iter, ms, ts[0], ml, tl[0],
           1e3 * ml / n_iter, 1e3 * tl[0] / n_iter, f.objective, o.reps, peak, rss_before);
    fflush(stdout);
    skm_km_fit_free(&f);
    free(ts);
    free(tl);
    free(C0);
    free(C0b);
    free(values);
    free(sqnorm);
    synth_csr_free(&m);
    skm_ctx_free(ctx);
    return 0;
}
