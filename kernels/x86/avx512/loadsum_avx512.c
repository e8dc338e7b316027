/*
 * loadsum_avx512.c — the load-reduce kernel with AVX-512 (compiled with -mavx512f -mavx512bw
 * -mavx512vl -mavx512vpopcntdq for this file only; src/bench calls it only when
 * skm_cpu_features() has SKM_ISA_NEEDS_AVX512).
 *
 * Eight independent ZMM sums (64 words, 512 bytes per step), then 8-word vectors, then one
 * masked load for the last 0..7 words (masked-off words are never touched, so nothing is read
 * past n_words). Integer adds wrap like the reference's, so the result is the reference's; the
 * eight lanes are added at the end as uint64_t.
 */
#include <immintrin.h>

#include "../../kernels.h"

#define LD(k) _mm512_loadu_si512(a + i + 8 * (k))

uint64_t load_sum_u64_avx512(const uint64_t *restrict a, size_t n_words)
{
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0,
            s7 = s0;
    size_t i = 0;
    for (; i + 64 <= n_words; i += 64) {
        s0 = _mm512_add_epi64(s0, LD(0));
        s1 = _mm512_add_epi64(s1, LD(1));
        s2 = _mm512_add_epi64(s2, LD(2));
        s3 = _mm512_add_epi64(s3, LD(3));
        s4 = _mm512_add_epi64(s4, LD(4));
        s5 = _mm512_add_epi64(s5, LD(5));
        s6 = _mm512_add_epi64(s6, LD(6));
        s7 = _mm512_add_epi64(s7, LD(7));
    }
    for (; i + 8 <= n_words; i += 8)
        s0 = _mm512_add_epi64(s0, LD(0));
    if (i < n_words)
        s1 = _mm512_add_epi64(s1, _mm512_maskz_loadu_epi64((__mmask8)((1u << (n_words - i)) - 1),
                                                           a + i));
    s0 = _mm512_add_epi64(_mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3)),
                          _mm512_add_epi64(_mm512_add_epi64(s4, s5), _mm512_add_epi64(s6, s7)));
    /* Not _mm512_reduce_add_epi64: GCC writes it as signed C additions, which the sums here
     * (random words) overflow, undefined behaviour to UBSan. */
    uint64_t lane[8], s = 0;
    _mm512_storeu_si512(lane, s0);
    for (int k = 0; k < 8; ++k)
        s += lane[k];
    return s;
}
