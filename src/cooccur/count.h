/*
 * count.h — the co-occurrence counter: n_ab for every pair of skills a <= b over CSR row blocks,
 * on several threads, by whichever of two paths the cost model says is cheaper for each block.
 *
 *   pairs   the sparse pair path: for each posting, +1 at (a, b) for every pair of its skills
 *           (kernel sparse_gram_i32, one scatter add per pair; cost ~ sum over rows of k(k+1)/2)
 *   bitset  skill-major bitsets of a chunk of rows, then AND-popcount of every pair of skills
 *           (kernels csr_to_bitsets + and_popcount_tile; cost ~ p^2/2 · rows/64 words, whatever
 *           the sparsity)
 *
 * The counter covers a band of rows [lo, hi) of the upper triangle (columns a..p-1 of row a), so
 * that a p too large for one dense triangle is counted band by band, one pass over the data per
 * band (src/cooccur/cooccur.c plans the bands under a memory budget). The bitset path is used
 * only for the whole triangle (lo = 0, hi = p) of presence counts.
 *
 * Threads: the rows of each block are split among the threads by pair work, each thread owning
 * its accumulators, which skm_cooc_counter_get() sums in thread order; or, when per-thread copies
 * would not stay in cache, the skills are (see split below). The counts are integers, so they
 * are the same for any thread count, split, path and ISA (tests/test_cooccur.c checks that).
 *
 * Overflow: accumulators are int32 (half the cache footprint of int64). A thread whose next rows
 * could push an entry past INT32_MAX first adds its int32 band into an int64 band (allocated
 * then) and restarts from zero; the bound is rows for presence and sum of (max count)^2 per row
 * for frequency weights. A single row with a count above 46340 (whose square overflows int32) is
 * SKM_ELIMIT.
 */
#ifndef SKM_COOC_COUNT_H
#define SKM_COOC_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

typedef enum skm_cooc_path {
    SKM_COOC_AUTO = 0, /* the cost model chooses per block */
    SKM_COOC_PAIRS = 1,
    SKM_COOC_BITSET = 2
} skm_cooc_path;

/* "auto", "pairs", "bitset". */
const char *skm_cooc_path_name(int path);

typedef struct skm_cooc_counter skm_cooc_counter;

typedef struct skm_cooc_counter_params {
    size_t p;        /* skills: indices are in [0, p) */
    int32_t lo, hi;  /* the band of rows of the triangle: 0 <= lo <= hi <= p */
    int weighted;    /* 1: add counts[k] * counts[l] instead of 1 (pairs path only) */
    int path;        /* skm_cooc_path: SKM_COOC_AUTO, or force one (bitset needs the whole
                        triangle and weighted = 0, else SKM_EINVAL) */
    int threads;     /* >= 1 */
    int split;       /* how threads share the pairs path: SKM_COOC_SPLIT_AUTO (rows while a
                        per-thread copy of the band is at most 6 MiB, else skills), _ROWS, _SKILLS */
} skm_cooc_counter_params;

/* Threads on the pairs path either take shares of the rows, each into its own copy of the band
 * (reduced by skm_cooc_counter_get in thread order), or all take every row, each for its own
 * rows of one shared band (cut by pair work, re-cut between chunks from the threads' times). */
enum { SKM_COOC_SPLIT_AUTO = 0, SKM_COOC_SPLIT_ROWS = 1, SKM_COOC_SPLIT_SKILLS = 2 };

/* Allocates the per-thread accumulators (threads × (hi − lo) × (p − lo) int32, plus bitset
 * buffers when that path may run) and starts threads − 1 workers.
 * @return SKM_OK, SKM_EINVAL, SKM_ENOMEM (message says how much was asked). */
int skm_cooc_counter_create(skm_ctx *ctx, const skm_cooc_counter_params *params,
                            skm_cooc_counter **out /* OUT */);
void skm_cooc_counter_free(skm_cooc_counter *c);

/* Bytes the counter of these parameters may allocate (its int32 accumulators, the int64 flush
 * bands of a weighted counter, the bitset buffers), so that a caller can plan bands under a
 * memory budget. */
size_t skm_cooc_counter_bytes(const skm_cooc_counter_params *params);

/* Count the n_rows CSR rows (indptr[0] need not be 0; indices strictly increasing per row, in
 * [0, p); counts >= 1, read only when weighted). Returns SKM_OK, SKM_ELIMIT (a count above
 * 46340 in a weighted run; the message gives the row, relative to this block), SKM_ENOMEM
 * (the int64 band of an overflow flush). The caller validates the indices (the store reader
 * does); the kernels trust them. */
int skm_cooc_counter_add(skm_cooc_counter *c, const int64_t *indptr, const int32_t *indices,
                         const int32_t *counts, size_t n_rows);
/* After a failed add the counts are unspecified (other threads' rows may be in): free it. */

/* n_ab for lo <= a < hi, a <= b < p (a == b: n_a, the postings with skill a). */
int64_t skm_cooc_counter_get(const skm_cooc_counter *c, int32_t a, int32_t b);

/* What the counter did: rows by path, the cost model's estimates for the rows counted. */
typedef struct skm_cooc_counter_stats {
    uint64_t rows_pairs, rows_bitset;   /* rows counted by each path */
    uint64_t blocks_pairs, blocks_bitset;
    double pairs;                       /* sum over rows of k(k+1)/2 in the band */
    double est_ns_pairs, est_ns_bitset; /* modelled cost of each path over all blocks, ns;
                                           est_ns_bitset < 0: that path cannot run here */
    uint64_t flushes;                   /* int32 -> int64 flushes */
} skm_cooc_counter_stats;

void skm_cooc_counter_stats_get(const skm_cooc_counter *c, skm_cooc_counter_stats *out);

#endif /* SKM_COOC_COUNT_H */
