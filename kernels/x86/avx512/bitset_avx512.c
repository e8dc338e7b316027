/*
 * bitset_avx512.c — AND-popcount kernels with AVX-512 VPOPCNTDQ, compiled with
 * -mavx512f -mavx512bw -mavx512vl -mavx512vpopcntdq for this file only (dispatch.c calls them
 * only when skm_cpu_features() has SKM_ISA_NEEDS_AVX512).
 *
 * Layout: bitsets of n_words uint64, read with unaligned loads (64-byte aligned starts are
 * merely faster). A chunk is 8 words (one ZMM); the last partial chunk is read with a masked
 * load (_mm512_maskz_loadu_epi64), which never touches the masked-off words, so there is no
 * scalar tail and no read past n_words. vpopcntq counts per 64-bit lane; lanes accumulate in
 * 64-bit sums and are reduced once at the end, so results equal the reference exactly
 * (integer adds, no overflow below 2^64 bits).
 *
 * Tile: a 4 x 4 register block keeps 16 accumulators and loads 4 + 4 chunks per step for 16
 * and/popcount/add triples, so it is bound by the vector ALUs rather than by loads (the pair
 * kernel needs two loads per triple). Edge rows and columns of the tile use the pair kernel.
 * The words are walked in passes of KC (cache blocking, below).
 */
#include <immintrin.h>

#include "../../kernels.h"

uint64_t and_popcount_avx512(const uint64_t *restrict a, const uint64_t *restrict b,
                             size_t n_words)
{
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    /* Four independent sums hide vpopcntq's latency. */
    for (; i + 32 <= n_words; i += 32) {
        s0 = _mm512_add_epi64(s0, _mm512_popcnt_epi64(_mm512_and_si512(
                                      _mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i))));
        s1 = _mm512_add_epi64(s1, _mm512_popcnt_epi64(_mm512_and_si512(
                                      _mm512_loadu_si512(a + i + 8), _mm512_loadu_si512(b + i + 8))));
        s2 = _mm512_add_epi64(s2, _mm512_popcnt_epi64(_mm512_and_si512(
                                      _mm512_loadu_si512(a + i + 16), _mm512_loadu_si512(b + i + 16))));
        s3 = _mm512_add_epi64(s3, _mm512_popcnt_epi64(_mm512_and_si512(
                                      _mm512_loadu_si512(a + i + 24), _mm512_loadu_si512(b + i + 24))));
    }
    for (; i + 8 <= n_words; i += 8)
        s0 = _mm512_add_epi64(s0, _mm512_popcnt_epi64(_mm512_and_si512(
                                      _mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i))));
    if (i < n_words) {
        const __mmask8 m = (__mmask8)((1u << (n_words - i)) - 1);
        s1 = _mm512_add_epi64(s1, _mm512_popcnt_epi64(_mm512_and_si512(
                                      _mm512_maskz_loadu_epi64(m, a + i),
                                      _mm512_maskz_loadu_epi64(m, b + i))));
    }
    s0 = _mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3));
    return (uint64_t)_mm512_reduce_add_epi64(s0);
}

/* One step of the 4 x 4 block: C_ij += popcount(A_i & B_j) on the chunk loaded under mask m. */
#define TILE_STEP(m, k)                                                                      \
    do {                                                                                     \
        const __m512i a0 = _mm512_maskz_loadu_epi64(m, A0 + (k));                            \
        const __m512i a1 = _mm512_maskz_loadu_epi64(m, A1 + (k));                            \
        const __m512i a2 = _mm512_maskz_loadu_epi64(m, A2 + (k));                            \
        const __m512i a3 = _mm512_maskz_loadu_epi64(m, A3 + (k));                            \
        __m512i bj;                                                                          \
        bj = _mm512_maskz_loadu_epi64(m, B0 + (k));                                          \
        c00 = _mm512_add_epi64(c00, _mm512_popcnt_epi64(_mm512_and_si512(a0, bj)));          \
        c10 = _mm512_add_epi64(c10, _mm512_popcnt_epi64(_mm512_and_si512(a1, bj)));          \
        c20 = _mm512_add_epi64(c20, _mm512_popcnt_epi64(_mm512_and_si512(a2, bj)));          \
        c30 = _mm512_add_epi64(c30, _mm512_popcnt_epi64(_mm512_and_si512(a3, bj)));          \
        bj = _mm512_maskz_loadu_epi64(m, B1 + (k));                                          \
        c01 = _mm512_add_epi64(c01, _mm512_popcnt_epi64(_mm512_and_si512(a0, bj)));          \
        c11 = _mm512_add_epi64(c11, _mm512_popcnt_epi64(_mm512_and_si512(a1, bj)));          \
        c21 = _mm512_add_epi64(c21, _mm512_popcnt_epi64(_mm512_and_si512(a2, bj)));          \
        c31 = _mm512_add_epi64(c31, _mm512_popcnt_epi64(_mm512_and_si512(a3, bj)));          \
        bj = _mm512_maskz_loadu_epi64(m, B2 + (k));                                          \
        c02 = _mm512_add_epi64(c02, _mm512_popcnt_epi64(_mm512_and_si512(a0, bj)));          \
        c12 = _mm512_add_epi64(c12, _mm512_popcnt_epi64(_mm512_and_si512(a1, bj)));          \
        c22 = _mm512_add_epi64(c22, _mm512_popcnt_epi64(_mm512_and_si512(a2, bj)));          \
        c32 = _mm512_add_epi64(c32, _mm512_popcnt_epi64(_mm512_and_si512(a3, bj)));          \
        bj = _mm512_maskz_loadu_epi64(m, B3 + (k));                                          \
        c03 = _mm512_add_epi64(c03, _mm512_popcnt_epi64(_mm512_and_si512(a0, bj)));          \
        c13 = _mm512_add_epi64(c13, _mm512_popcnt_epi64(_mm512_and_si512(a1, bj)));          \
        c23 = _mm512_add_epi64(c23, _mm512_popcnt_epi64(_mm512_and_si512(a2, bj)));          \
        c33 = _mm512_add_epi64(c33, _mm512_popcnt_epi64(_mm512_and_si512(a3, bj)));          \
    } while (0)

#define RED(c) ((uint64_t)_mm512_reduce_add_epi64(c))

/* C[0..4) x [0..4) += the 4 x 4 block of A0..A3 against B0..B3. */
static void micro_4x4(const uint64_t *A0, size_t lda, const uint64_t *B0, size_t ldb,
                      size_t n_words, uint64_t *restrict C, size_t ldc)
{
    const uint64_t *A1 = A0 + lda, *A2 = A1 + lda, *A3 = A2 + lda;
    const uint64_t *B1 = B0 + ldb, *B2 = B1 + ldb, *B3 = B2 + ldb;
    __m512i c00 = _mm512_setzero_si512(), c01 = c00, c02 = c00, c03 = c00;
    __m512i c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    __m512i c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    __m512i c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    size_t k = 0;
    for (; k + 8 <= n_words; k += 8)
        TILE_STEP((__mmask8)0xFF, k);
    if (k < n_words) {
        const __mmask8 m = (__mmask8)((1u << (n_words - k)) - 1);
        TILE_STEP(m, k);
    }
    C[0] += RED(c00), C[1] += RED(c01), C[2] += RED(c02), C[3] += RED(c03);
    C += ldc;
    C[0] += RED(c10), C[1] += RED(c11), C[2] += RED(c12), C[3] += RED(c13);
    C += ldc;
    C[0] += RED(c20), C[1] += RED(c21), C[2] += RED(c22), C[3] += RED(c23);
    C += ldc;
    C[0] += RED(c30), C[1] += RED(c31), C[2] += RED(c32), C[3] += RED(c33);
}

/* Words per pass over the tile: a 4-row panel of A (4 x KC words, 16 KiB) stays in L1 while the
 * 4-row panels of B stream past it from L2; C accumulates across passes. Neutral on the shapes
 * co-occurrence uses (64 x 64 tiles of 1024-word bitsets: 47.5 ms with KC = 512, 46.9 ms without
 * blocking, 51.3 ms with KC = 128; bench_kernels), it keeps a caller that passes very long rows
 * from streaming every panel from L3. */
#define KC 512

void and_popcount_tile_avx512(const uint64_t *restrict A, size_t lda, size_t na,
                              const uint64_t *restrict B, size_t ldb, size_t nb, size_t n_words,
                              uint64_t *restrict C, size_t ldc)
{
    const size_t na4 = na & ~(size_t)3, nb4 = nb & ~(size_t)3;
    for (size_t k0 = 0; k0 < n_words; k0 += KC) {
        const size_t kc = n_words - k0 < KC ? n_words - k0 : KC;
        const uint64_t *Ak = A + k0, *Bk = B + k0;
        for (size_t i = 0; i < na4; i += 4) {
            for (size_t j = 0; j < nb4; j += 4)
                micro_4x4(Ak + i * lda, lda, Bk + j * ldb, ldb, kc, C + i * ldc + j, ldc);
            for (size_t ii = i; ii < i + 4; ++ii)
                for (size_t j = nb4; j < nb; ++j)
                    C[ii * ldc + j] += and_popcount_avx512(Ak + ii * lda, Bk + j * ldb, kc);
        }
        for (size_t i = na4; i < na; ++i)
            for (size_t j = 0; j < nb; ++j)
                C[i * ldc + j] += and_popcount_avx512(Ak + i * lda, Bk + j * ldb, kc);
    }
}
