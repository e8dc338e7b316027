/*
 * synth_csr.h — synthetic postings for the benchmarks (bench_kernels.c, bench_cooccur.c), as a
 * CSR of skill indices:
 *
 *   n rows; row r has k distinct skills, k uniform in 5..15 (mean 10), each drawn with weight
 *   proportional to 1 / (rank + 1) over [0, p) (a draw that repeats a skill of the row is drawn
 *   again), stored sorted; indptr[0] = 0, indptr[n] = nnz.
 *
 * Deterministic: the rows depend only on n, p and the xorshift64 state passed in (which the
 * generator advances). synth_seed() turns a user seed into a valid (non-zero) state.
 * The generator itself is the library's (src/bench/data.c, skm_bench_synth_csr: `skillmat bench`
 * times the same rows); this header keeps the benchmark programs' names for it.
 */
#ifndef SKM_BENCH_SYNTH_CSR_H
#define SKM_BENCH_SYNTH_CSR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_impl.h" /* src/bench: skm_bench_csr, skm_bench_synth_csr */

struct synth_csr {
    size_t n, p, nnz;
    int64_t *indptr;  /* n + 1 */
    int32_t *indices; /* nnz (allocated for 15 per row) */
    double pairs;     /* sum over rows of k (k + 1) / 2: the pairs a <= b, diagonal included */
};

/* xorshift64 (13, 7, 17); the state must not be 0. */
static inline uint64_t synth_next(uint64_t *state)
{
    return skm_bench_xorshift(state);
}

/* A non-zero xorshift state from any seed (splitmix64 finaliser). */
static inline uint64_t synth_seed(uint64_t seed)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return z ? z : 0x243F6A8885A308D3ull;
}

static inline void synth_csr_free(struct synth_csr *m)
{
    free(m->indptr);
    free(m->indices);
    m->indptr = NULL;
    m->indices = NULL;
}

/* The postings described above; exits the process when out of memory. Needs p >= 15 (a row must
 * find k distinct skills) and n >= 1. */
static inline struct synth_csr synth_postings(size_t n, size_t p, uint64_t *state)
{
    skm_bench_csr c;
    if (skm_bench_synth_csr(n, p, state, &c) != 0) {
        fprintf(stderr, "out of memory for %zu synthetic postings\n", n);
        exit(1);
    }
    struct synth_csr m = {c.n, c.p, c.nnz, c.indptr, c.indices, c.pairs};
    return m;
}

#endif /* SKM_BENCH_SYNTH_CSR_H */
