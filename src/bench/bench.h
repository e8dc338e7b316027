/*
 * bench.h — `skillmat bench`: kernel microbenchmarks against this machine's measured limits
 * (docs/bench-results.md).
 *
 *   1. Every selected kernel variant (ref, avx2, avx512: whatever this build and CPU can run; the
 *      dispatched table where a kernel has no per-ISA entry) is run once on its benchmark input
 *      and compared with the reference kernel's output (exact: every kernel benchmarked here is
 *      integer or, for sparse_argmin_f32, bit-exact by contract). Any difference is logged at
 *      SKM_LOG_ERROR, counted in n_failed, and nothing is timed.
 *   2. The machine's limits are measured: OpenBLAS SGEMM (1 thread, all threads), DRAM read and
 *      copy bandwidth (1 thread, all threads), the load bandwidth from L1 and from L2 (the widest
 *      load_sum_u64 kernel), and the random-update rate acc[idx[i]] += 1 into an L2-resident
 *      array; the AND-popcount limits follow from the read bandwidths (bits/s = bytes/s * 8 / 2).
 *   3. The kernels are timed: each sample runs enough calls to last >= min_time, `samples`
 *      samples, median and min time per call; each rate is reported as a fraction of the limit
 *      that bounds it.
 * Rows go to on_row as they are measured; with h5_path the rows and the machine are written
 * under /bench of a results file (atomically; other groups of an existing results file are
 * kept), with csv_path as a CSV file (atomically). The library prints nothing itself.
 */
#ifndef SKM_BENCH_H
#define SKM_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"

/* What to run (--only): kernel groups, and the limits on their own. The limits a selected kernel
 * is compared with are measured whatever the selection. */
#define SKM_BENCH_LIMITS (1u << 0)       /* "limits": every limit */
#define SKM_BENCH_AND_POPCOUNT (1u << 1) /* "and_popcount" */
#define SKM_BENCH_TILE (1u << 2)         /* "and_popcount_tile" */
#define SKM_BENCH_GRAM (1u << 3)         /* "sparse_gram_i32" */
#define SKM_BENCH_ARGMIN (1u << 4)       /* "sparse_argmin_f32" */
#define SKM_BENCH_CSV_SCAN (1u << 5)     /* "csv_scan" */
#define SKM_BENCH_EXTRACT (1u << 6)      /* "extract" */
#define SKM_BENCH_ALL 0x7Fu

/* One line of the table. Rates are in `unit` (1e9 or 1e6 of the base unit); `limit` is in the
 * same unit. A limit's own row has kernel "limit", its name in limit_name and fraction 1. */
typedef struct skm_bench_row {
    char kernel[32];
    char size[64];
    char isa[32];
    double median_s, min_s; /* seconds per call (NaN: a derived limit, not timed) */
    double rate;            /* from the median */
    char unit[16];
    char limit_name[24];
    double limit;
    double fraction;        /* rate / limit (NaN when the limit is unknown) */
    long reps;              /* calls per sample (0: not timed) */
} skm_bench_row;

/* The machine the numbers belong to (src/bench/machine.c). Unknown numbers are -1, unknown
 * strings "". */
typedef struct skm_bench_machine {
    char cpu_model[128];        /* /proc/cpuinfo "model name" */
    char cpu_features[256];     /* skm_cpu_features() by name */
    int64_t logical_cpus;       /* online CPUs (sysconf) */
    int64_t usable_cpus;        /* this process's affinity: the "all threads" count */
    int64_t l1d_bytes, l2_bytes, l3_bytes; /* cpu0's caches (/sys, else sysconf) */
    int64_t mem_total_bytes;    /* /proc/meminfo MemTotal */
    char openblas_config[256];  /* openblas_get_config() */
    char openblas_core[64];     /* openblas_get_corename() */
    int64_t openblas_threads;   /* openblas_get_num_threads() at the start */
    char isa[32];               /* skm_isa(): the kernel table chosen for the process */
    char date_utc[32];          /* when the run started, ISO 8601 UTC */
} skm_bench_machine;

typedef struct skm_bench_params {
    unsigned only;         /* SKM_BENCH_* mask; 0: everything */
    double min_time;       /* seconds per sample, > 0 (default 0.05) */
    int samples;           /* samples per measurement, >= 1 (default 7) */
    int quick;             /* tiny sizes (the test suite): same checks, meaningless rates */
    const char *h5_path;   /* NULL: no HDF5 output */
    const char *csv_path;  /* NULL: no CSV output */
    const char *command_line; /* recorded in /bench */
    void (*on_row)(void *user, const skm_bench_row *row); /* NULL: none */
    void *user;
    /* The kernel variants (bench_impl.h); NULL: ref, avx2, avx512 as built. For the tests. */
    const struct skm_bench_variant *variants;
    size_t n_variants;
} skm_bench_params;

typedef struct skm_bench_result {
    skm_bench_row *rows;
    size_t n_rows, cap;
    skm_bench_machine machine;
    size_t n_failed;       /* variants that differed from the reference (nothing timed then) */
    double seconds;        /* the whole run */
} skm_bench_result;

/* Defaults: everything, min_time 0.05 s, 7 samples (the CLI's --quick lowers them to 3 samples
 * of >= 2 ms unless given). */
skm_bench_params skm_bench_params_default(void);

/* --only: a comma-separated list of group names (above) into *mask. Returns 0, or -1 with
 * *bad_start / *bad_len naming the first unknown name. */
int skm_bench_parse_only(const char *list, unsigned *mask, const char **bad_start,
                         size_t *bad_len);

/* The run (above). SKM_OK also when checks failed: R->n_failed > 0 then, and no row was timed
 * and no file written. Errors: SKM_EINVAL (parameters; an existing -o that is not a results
 * file), SKM_ENOMEM, SKM_EIO / SKM_EHDF5 (output), SKM_EINTERRUPT. R is filled in either way:
 * free it with skm_bench_result_free. */
int skm_bench_run(skm_ctx *ctx, const skm_bench_params *P, skm_bench_result *R);
void skm_bench_result_free(skm_bench_result *R);

/* The machine description (machine.c); never fails (unknowns as described above). */
void skm_bench_machine_read(skm_bench_machine *m);

/* The table on a stream (output.c): the header line, one row, and the notes (formulas) after it. */
void skm_bench_print_header(FILE *f, const skm_bench_machine *m);
void skm_bench_print_row(FILE *f, const skm_bench_row *r);
void skm_bench_print_notes(FILE *f, const skm_bench_result *R);

#endif /* SKM_BENCH_H */
