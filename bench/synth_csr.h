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
 * Header-only (static inline) so that each benchmark stays one source file.
 */
#ifndef SKM_BENCH_SYNTH_CSR_H
#define SKM_BENCH_SYNTH_CSR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct synth_csr {
    size_t n, p, nnz;
    int64_t *indptr;  /* n + 1 */
    int32_t *indices; /* nnz (allocated for 15 per row) */
    double pairs;     /* sum over rows of k (k + 1) / 2: the pairs a <= b, diagonal included */
};

/* xorshift64 (13, 7, 17); the state must not be 0. */
static inline uint64_t synth_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return *state = x;
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
    struct synth_csr m = {n, p, 0, NULL, NULL, 0};
    double *cum = malloc(p * sizeof *cum);
    m.indptr = malloc((n + 1) * sizeof *m.indptr);
    m.indices = malloc(n * 15 * sizeof *m.indices);
    if (!cum || !m.indptr || !m.indices) {
        fprintf(stderr, "out of memory for %zu synthetic postings\n", n);
        exit(1);
    }
    double c = 0;
    for (size_t j = 0; j < p; ++j)
        cum[j] = c += 1.0 / (double)(j + 1);
    m.indptr[0] = 0;
    for (size_t r = 0; r < n; ++r) {
        int32_t row[15];
        size_t k = 5 + (size_t)(synth_next(state) % 11), have = 0;
        while (have < k) {
            double u = (double)(synth_next(state) >> 11) * 0x1p-53 * c;
            size_t lo = 0, hi = p - 1;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
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
        memcpy(m.indices + m.nnz, row, k * sizeof row[0]);
        m.nnz += k;
        m.indptr[r + 1] = (int64_t)m.nnz;
        m.pairs += (double)(k * (k + 1) / 2);
    }
    free(cum);
    return m;
}

#endif /* SKM_BENCH_SYNTH_CSR_H */
