/*
 * bitset_ref.c — reference bitset kernels: AND-popcount of two bitsets, the tiled form, and the
 * CSR -> skill-major bitset scatter. Layout (kernels/kernels.h): one bitset per skill, bit r of
 * word r / 64 (bit r % 64) for row r of the block.
 *
 * The popcount is the portable SWAR formula (no builtins: this file has no ISA flags, and
 * __builtin_popcountll would become a libgcc call without -mpopcnt), so the reference is plain C.
 */
#include "../kernels.h"

/* Bits set in x: sums of 2, 4, 8 bits, then a multiply that adds the 8 byte counts into the top
 * byte. */
static inline uint64_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (x * 0x0101010101010101ull) >> 56;
}

uint64_t and_popcount_ref(const uint64_t *restrict a, const uint64_t *restrict b, size_t n_words)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n_words; ++i)
        s += popcount64(a[i] & b[i]);
    return s;
}

void and_popcount_tile_ref(const uint64_t *restrict A, size_t lda, size_t na,
                           const uint64_t *restrict B, size_t ldb, size_t nb, size_t n_words,
                           uint64_t *restrict C, size_t ldc)
{
    for (size_t i = 0; i < na; ++i)
        for (size_t j = 0; j < nb; ++j)
            C[i * ldc + j] += and_popcount_ref(A + i * lda, B + j * ldb, n_words);
}

void csr_to_bitsets_ref(const int64_t *restrict indptr, const int32_t *restrict indices,
                        size_t n_rows, uint64_t *restrict bits, size_t ldbits)
{
    for (size_t r = 0; r < n_rows; ++r) {
        const uint64_t bit = (uint64_t)1 << (r & 63);
        uint64_t *restrict word = bits + (r >> 6);
        for (int64_t k = indptr[r]; k < indptr[r + 1]; ++k)
            word[(size_t)indices[k] * ldbits] |= bit;
    }
}
