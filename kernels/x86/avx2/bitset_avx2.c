/*
 * bitset_avx2.c — AND-popcount kernels with AVX2, compiled with -mavx2 -mpopcnt for this file only
 * (dispatch.c calls them only when skm_cpu_features() has SKM_ISA_NEEDS_AVX2).
 *
 * AVX2 has no vector popcount. The byte popcount is the nibble lookup of Muła: vpshufb maps each
 * low and high nibble through a 16-entry table of bit counts, and vpsadbw adds the bytes of each
 * 64-bit lane. Over long runs, Harley-Seal (Muła, Kurz, Lemire, "Faster Population Counts Using
 * AVX2 Instructions", 2018) cuts the lookups to one per 16 vectors: a tree of carry-save adders
 * (CSA: a full adder on 256 bit lanes at once) compresses 16 vectors into ones/twos/fours/eights
 * and one vector of "sixteens", whose popcount is weighted by 16; the weighted counts of the
 * remaining ones/twos/fours/eights are added at the end. All integer, so exact.
 *
 * Layout: unaligned loads throughout; 64-word blocks through Harley-Seal, then 4-word vectors
 * through the lookup, then a scalar popcnt tail for the last 0..3 words.
 */
#include <immintrin.h>

#include "../../kernels.h"

/* Per-64-bit-lane popcount of v. */
static inline __m256i popcount256(__m256i v)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
                                         2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    const __m256i lo = _mm256_and_si256(v, low);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
    const __m256i cnt = _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
    return _mm256_sad_epu8(cnt, _mm256_setzero_si256());
}

/* Carry-save add: h:l = a + b + c, bitwise (h the carries, l the sums). */
#define CSA(h, l, a, b, c)                                                                   \
    do {                                                                                     \
        const __m256i u_ = _mm256_xor_si256(a, b);                                           \
        h = _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(u_, c));                \
        l = _mm256_xor_si256(u_, c);                                                         \
    } while (0)

#define LD(k) _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a + i + 4 * (k))),        \
                               _mm256_loadu_si256((const __m256i *)(b + i + 4 * (k))))

uint64_t and_popcount_avx2(const uint64_t *restrict a, const uint64_t *restrict b, size_t n_words)
{
    __m256i total = _mm256_setzero_si256();
    __m256i ones = total, twos = total, fours = total, eights = total, sixteens;
    __m256i twosA, twosB, foursA, foursB, eightsA, eightsB;
    size_t i = 0;
    for (; i + 64 <= n_words; i += 64) {
        CSA(twosA, ones, ones, LD(0), LD(1));
        CSA(twosB, ones, ones, LD(2), LD(3));
        CSA(foursA, twos, twos, twosA, twosB);
        CSA(twosA, ones, ones, LD(4), LD(5));
        CSA(twosB, ones, ones, LD(6), LD(7));
        CSA(foursB, twos, twos, twosA, twosB);
        CSA(eightsA, fours, fours, foursA, foursB);
        CSA(twosA, ones, ones, LD(8), LD(9));
        CSA(twosB, ones, ones, LD(10), LD(11));
        CSA(foursA, twos, twos, twosA, twosB);
        CSA(twosA, ones, ones, LD(12), LD(13));
        CSA(twosB, ones, ones, LD(14), LD(15));
        CSA(foursB, twos, twos, twosA, twosB);
        CSA(eightsB, fours, fours, foursA, foursB);
        CSA(sixteens, eights, eights, eightsA, eightsB);
        total = _mm256_add_epi64(total, popcount256(sixteens));
    }
    total = _mm256_slli_epi64(total, 4);
    total = _mm256_add_epi64(total, _mm256_slli_epi64(popcount256(eights), 3));
    total = _mm256_add_epi64(total, _mm256_slli_epi64(popcount256(fours), 2));
    total = _mm256_add_epi64(total, _mm256_slli_epi64(popcount256(twos), 1));
    total = _mm256_add_epi64(total, popcount256(ones));
    for (; i + 4 <= n_words; i += 4)
        total = _mm256_add_epi64(total, popcount256(LD(0)));
    uint64_t s = (uint64_t)_mm256_extract_epi64(total, 0) + (uint64_t)_mm256_extract_epi64(total, 1) +
                 (uint64_t)_mm256_extract_epi64(total, 2) + (uint64_t)_mm256_extract_epi64(total, 3);
    for (; i < n_words; ++i)
        s += (uint64_t)_mm_popcnt_u64(a[i] & b[i]);
    return s;
}

/* The tile is a loop over pairs through the Harley-Seal kernel. A 2 x 2 register block with the
 * lookup popcount (each loaded vector serving two pairs, byte counts widened every 31 steps) was
 * exact but slower on Zen 4: 417 Gbit/s against 475 Gbit/s for this loop (64 bitsets of 512
 * words, A = B): Harley-Seal's five CSA operations per vector beat the lookup's seven, and 16 YMM
 * registers leave no room for a block large enough to make the saved loads count. */
void and_popcount_tile_avx2(const uint64_t *restrict A, size_t lda, size_t na,
                            const uint64_t *restrict B, size_t ldb, size_t nb, size_t n_words,
                            uint64_t *restrict C, size_t ldc)
{
    for (size_t i = 0; i < na; ++i)
        for (size_t j = 0; j < nb; ++j)
            C[i * ldc + j] += and_popcount_avx2(A + i * lda, B + j * ldb, n_words);
}
