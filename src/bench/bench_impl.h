/*
 * bench_impl.h — what the files of src/bench share: the benchmark inputs (data.c) and the
 * writers of the results (output.c). See bench.h for the command itself.
 */
#ifndef SKM_BENCH_IMPL_H
#define SKM_BENCH_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench.h"
#include "core/core.h"
#include "h5/h5out.h"

/* ---- kernel variants ------------------------------------------------------------------------ */

typedef uint64_t (*skm_bench_ap_fn)(const uint64_t *restrict, const uint64_t *restrict, size_t);
typedef void (*skm_bench_tile_fn)(const uint64_t *restrict, size_t, size_t,
                                  const uint64_t *restrict, size_t, size_t, size_t,
                                  uint64_t *restrict, size_t);
typedef void (*skm_bench_argmin_fn)(const int64_t *restrict, const int32_t *restrict,
                                    const float *restrict, size_t, const float *restrict, size_t,
                                    size_t, const float *restrict, float, int32_t *restrict,
                                    float *restrict, float *restrict);
typedef size_t (*skm_bench_scan_fn)(const char *restrict, size_t, char);
typedef size_t (*skm_bench_lower_fn)(const uint8_t *restrict, uint8_t *restrict, size_t);
typedef void (*skm_bench_classify_fn)(const uint8_t *restrict, size_t, uint64_t *restrict,
                                      uint64_t *restrict);
typedef uint64_t (*skm_bench_load_fn)(const uint64_t *restrict, size_t);

/* One ISA level's kernels, called by name (bench.c lists ref, avx2, avx512; a level is run when
 * skm_cpu_features() has all of `needs`). Every variant after the first is compared with the
 * *_ref kernels; the first is the reference's and the last runnable one is the "widest" (its
 * load kernel measures the load limits). skm_bench_params.variants replaces the list, in that
 * order (the tests pass a broken one). */
typedef struct skm_bench_variant {
    const char *isa;
    uint32_t needs; /* SKM_ISA_NEEDS_* */
    skm_bench_ap_fn ap;
    skm_bench_tile_fn tile;
    skm_bench_argmin_fn argmin;
    skm_bench_scan_fn scan;
    skm_bench_lower_fn lower;
    skm_bench_classify_fn classify;
    skm_bench_load_fn load;
} skm_bench_variant;

/* ---- inputs (data.c) ---------------------------------------------------------------------- */

/* Synthetic postings as a CSR of skill indices, the generator of bench/synth_csr.h (the same rows
 * for the same xorshift state, so `skillmat bench` and bench/bench_kernels.c time the same data):
 * row r has k distinct skills, k uniform in 5..15, each drawn with weight 1 / (rank + 1) over
 * [0, p) (a repeat is drawn again), stored increasing. */
typedef struct skm_bench_csr {
    size_t n, p, nnz;
    int64_t *indptr;  /* n + 1 */
    int32_t *indices; /* nnz */
    double pairs;     /* sum over rows of k (k + 1) / 2: pairs a <= b, the diagonal included */
} skm_bench_csr;

/* xorshift64 (13, 7, 17); the state must not be 0. */
uint64_t skm_bench_xorshift(uint64_t *state);

/* The postings above (n >= 1, p >= 15), advancing *state. SKM_OK or SKM_ENOMEM (*m empty). */
int skm_bench_synth_csr(size_t n, size_t p, uint64_t *state, skm_bench_csr *m);
void skm_bench_csr_free(skm_bench_csr *m);

/* A CSV file's bytes, about `bytes` long (whole records): a header and postings-like records
 * (id, title, company, location, date, salary, a quoted description of 200..4000 bytes of
 * words with commas, doubled quotes and the odd line break), deterministic for a seed. SKM_OK
 * or SKM_ENOMEM (*out empty). */
int skm_bench_csv_text(size_t bytes, uint64_t seed, skm_buf *out);

/* ---- results (output.c) -------------------------------------------------------------------- */

/* /bench and /bench/machine into the open results file o (not committed). */
int skm_bench_write_h5(skm_h5_out *o, const skm_bench_params *P, const skm_bench_result *R);

/* The rows with the machine columns, as CSV into the open stream f (its name `path` in
 * messages). SKM_OK or SKM_EIO. */
int skm_bench_write_csv(skm_ctx *ctx, FILE *f, const char *path, const skm_bench_result *R);

#endif /* SKM_BENCH_IMPL_H */
