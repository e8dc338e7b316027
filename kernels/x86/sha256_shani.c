/*
 * sha256_shani.c — SHA-256 compression with the x86 SHA extensions (SHA-NI), compiled with
 * -msha -msse4.1 -mssse3 for this file only. The structure is the well-known one of Intel's
 * white paper "Intel SHA Extensions" (2013) and the Linux kernel's sha256_ni_asm.S.
 *
 * Layout. sha256rnds2 does two rounds and wants the working variables split over two registers
 * as ABEF and CDGH (most significant dword first), so the state is permuted on entry and back on
 * exit, not per block. Its third operand holds W[i] + K[i] for the two rounds in its low 64
 * bits; the four-round groups below feed the low half, then the high half moved down by
 * pshufd 0x0E. The message schedule lives in four registers m0..m3 holding W[4j .. 4j+4) for
 * consecutive j (mod 4): sha256msg1 adds sigma0 of the following words, an alignr picks up
 * W[i-7], and sha256msg2 adds sigma1 of the previous group, giving the next four W.
 * Invariant: the result is bit-identical to sha256_blocks_ref for every input (tests/test_kernels.c).
 */
#include <immintrin.h>

#include "../kernels.h"

/* Rounds 4j .. 4j+3 with message group `cur` = W[4j .. 4j+4), and the schedule work that can
 * overlap them: `next` becomes W[4j+4 .. 4j+8) from its msg1 partial sum (when 3 <= j <= 14),
 * and `prev` gets its msg1 partial sum for four groups ahead (when 1 <= j <= 12). */
#define QROUND(j, cur, prev, next)                                                           \
    do {                                                                                     \
        msg = _mm_add_epi32(cur, _mm_loadu_si128((const __m128i *)(K + 4 * (j))));           \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);                                       \
        if ((j) >= 3 && (j) <= 14) {                                                         \
            next = _mm_add_epi32(next, _mm_alignr_epi8(cur, prev, 4));                      \
            next = _mm_sha256msg2_epu32(next, cur);                                          \
        }                                                                                    \
        msg = _mm_shuffle_epi32(msg, 0x0E);                                                  \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, msg);                                       \
        if ((j) >= 1 && (j) <= 12)                                                           \
            prev = _mm_sha256msg1_epu32(prev, cur);                                          \
    } while (0)

void sha256_blocks_shani(uint32_t state[8], const uint8_t *restrict data, size_t n_blocks)
{
    const uint32_t *K = skm_sha256_k;
    /* pshufb mask: byte-swap each dword (the message words are big-endian). */
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);

    /* state = a b c d | e f g h (a in the lowest dword)  ->  abef, cdgh as rnds2 wants them. */
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i cdgh = _mm_loadu_si128((const __m128i *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);              /* CDAB */
    cdgh = _mm_shuffle_epi32(cdgh, 0x1B);            /* EFGH */
    __m128i abef = _mm_alignr_epi8(tmp, cdgh, 8);    /* ABEF */
    cdgh = _mm_blend_epi16(cdgh, tmp, 0xF0);         /* CDGH */

    for (size_t b = 0; b < n_blocks; ++b, data += 64) {
        const __m128i abef_save = abef, cdgh_save = cdgh;
        __m128i msg;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), bswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), bswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), bswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), bswap);

        QROUND(0, m0, m3, m1);
        QROUND(1, m1, m0, m2);
        QROUND(2, m2, m1, m3);
        QROUND(3, m3, m2, m0);
        QROUND(4, m0, m3, m1);
        QROUND(5, m1, m0, m2);
        QROUND(6, m2, m1, m3);
        QROUND(7, m3, m2, m0);
        QROUND(8, m0, m3, m1);
        QROUND(9, m1, m0, m2);
        QROUND(10, m2, m1, m3);
        QROUND(11, m3, m2, m0);
        QROUND(12, m0, m3, m1);
        QROUND(13, m1, m0, m2);
        QROUND(14, m2, m1, m3);
        QROUND(15, m3, m2, m0);

        abef = _mm_add_epi32(abef, abef_save);
        cdgh = _mm_add_epi32(cdgh, cdgh_save);
    }

    /* Back to a b c d | e f g h. */
    tmp = _mm_shuffle_epi32(abef, 0x1B);                      /* FEBA */
    cdgh = _mm_shuffle_epi32(cdgh, 0xB1);                     /* DCHG */
    const __m128i dcba = _mm_blend_epi16(tmp, cdgh, 0xF0);    /* DCBA */
    const __m128i hgfe = _mm_alignr_epi8(cdgh, tmp, 8);       /* HGFE */
    _mm_storeu_si128((__m128i *)&state[0], dcba);
    _mm_storeu_si128((__m128i *)&state[4], hgfe);
}
