/*
 * loadsum_ref.c — the reference load-reduce kernel: the wrapping sum of n_words uint64 words.
 * It is not in the kernel table: `skillmat bench` (src/bench) calls the SIMD versions by name
 * to measure how fast this machine can stream words from L1, L2 and DRAM into the vector
 * registers (one load and one add per word), the ceiling of every kernel that reads its operands
 * once. This version is the specification the SIMD versions are tested against.
 */
#include "../kernels.h"

uint64_t load_sum_u64_ref(const uint64_t *restrict a, size_t n_words)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n_words; ++i)
        s += a[i];
    return s;
}
