/*
 * loadsum_avx2.c — the load-reduce kernel with AVX2 (compiled with -mavx2 -mpopcnt for this file
 * only; src/bench calls it only when skm_cpu_features() has SKM_ISA_NEEDS_AVX2).
 *
 * Eight independent YMM sums (32 words, 256 bytes per step) so that the adds never wait on each
 * other and the loads alone set the pace; then 4-word vectors, then a scalar tail for the last
 * 0..3 words (nothing is read past n_words). Integer adds wrap like the reference's, in any
 * order, so the result is the reference's exactly.
 */
#include <immintrin.h>

#include "../../kernels.h"

#define LD(k) _mm256_loadu_si256((const __m256i *)(a + i + 4 * (k)))

uint64_t load_sum_u64_avx2(const uint64_t *restrict a, size_t n_words)
{
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0,
            s7 = s0;
    size_t i = 0;
    for (; i + 32 <= n_words; i += 32) {
        s0 = _mm256_add_epi64(s0, LD(0));
        s1 = _mm256_add_epi64(s1, LD(1));
        s2 = _mm256_add_epi64(s2, LD(2));
        s3 = _mm256_add_epi64(s3, LD(3));
        s4 = _mm256_add_epi64(s4, LD(4));
        s5 = _mm256_add_epi64(s5, LD(5));
        s6 = _mm256_add_epi64(s6, LD(6));
        s7 = _mm256_add_epi64(s7, LD(7));
    }
    for (; i + 4 <= n_words; i += 4)
        s0 = _mm256_add_epi64(s0, LD(0));
    s0 = _mm256_add_epi64(_mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3)),
                          _mm256_add_epi64(_mm256_add_epi64(s4, s5), _mm256_add_epi64(s6, s7)));
    const __m128i h = _mm_add_epi64(_mm256_castsi256_si128(s0), _mm256_extracti128_si256(s0, 1));
    uint64_t s = (uint64_t)_mm_cvtsi128_si64(h) + (uint64_t)_mm_extract_epi64(h, 1);
    for (; i < n_words; ++i)
        s += a[i];
    return s;
}
