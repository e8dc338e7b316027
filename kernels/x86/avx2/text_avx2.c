/*
 * text_avx2.c — the text kernels (csv_scan, text_lower) with AVX2, compiled with -mavx2 for this
 * file only (dispatch.c calls them only when skm_cpu_features() has SKM_ISA_NEEDS_AVX2).
 *
 * 32 bytes per step: byte compares build a mask of the bytes to stop at, movemask turns it into
 * bits and the first set bit is the answer; the tail (fewer than 32 bytes) is the reference loop.
 * Signed byte compares: a byte >= 0x80 is negative, which is how "special" catches it.
 */
#include <immintrin.h>

#include "../../kernels.h"

size_t csv_scan_avx2(const char *restrict p, size_t n, char delim)
{
    const __m256i q = _mm256_set1_epi8('"'), d = _mm256_set1_epi8(delim),
                  lf = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r'),
                  z = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
        const __m256i m = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(v, q), _mm256_cmpeq_epi8(v, d)),
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, lf), _mm256_cmpeq_epi8(v, cr)),
                            _mm256_cmpeq_epi8(v, z)));
        const unsigned bits = (unsigned)_mm256_movemask_epi8(m);
        if (bits)
            return i + (size_t)__builtin_ctz(bits);
    }
    return i + csv_scan_ref(p + i, n - i, delim);
}

size_t text_lower_avx2(const uint8_t *restrict src, uint8_t *restrict dst, size_t n)
{
    const __m256i lt = _mm256_set1_epi8('<'), amp = _mm256_set1_epi8('&'),
                  c7e = _mm256_set1_epi8(0x7E), c20 = _mm256_set1_epi8(0x20),
                  t0 = _mm256_set1_epi8('\t' - 1), t1 = _mm256_set1_epi8('\r' + 1),
                  a = _mm256_set1_epi8('A' - 1), zz = _mm256_set1_epi8('Z' + 1);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(src + i));
        /* signed compares: v < 0x20 holds for every byte >= 0x80 (negative) and the controls;
         * the white space \t..\r is taken out; v > 0x7E is DEL */
        const __m256i ws = _mm256_and_si256(_mm256_cmpgt_epi8(v, t0), _mm256_cmpgt_epi8(t1, v));
        const __m256i m = _mm256_or_si256(
            _mm256_or_si256(_mm256_andnot_si256(ws, _mm256_cmpgt_epi8(c20, v)),
                            _mm256_cmpgt_epi8(v, c7e)),
            _mm256_or_si256(_mm256_cmpeq_epi8(v, lt), _mm256_cmpeq_epi8(v, amp)));
        const __m256i up = _mm256_and_si256(_mm256_cmpgt_epi8(v, a), _mm256_cmpgt_epi8(zz, v));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_or_si256(v, _mm256_and_si256(up, c20)));
        const unsigned bits = (unsigned)_mm256_movemask_epi8(m);
        if (bits)
            return i + (size_t)__builtin_ctz(bits);
    }
    return i + text_lower_ref(src + i, dst + i, n - i);
}

/* The word, blank and NUL masks of 32 bytes. */
static inline void classify32(__m256i v, uint32_t *wd, uint32_t *blank, uint32_t *nul)
{
    const __m256i d = _mm256_sub_epi8(v, _mm256_set1_epi8('0' - 128));
    const __m256i l = _mm256_sub_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)),
                                      _mm256_set1_epi8('a' - 128));
    /* x - lo - 128 < n - 128 (signed) is lo <= x < lo + n (unsigned) */
    const __m256i dig = _mm256_cmpgt_epi8(_mm256_set1_epi8(10 - 128), d);
    const __m256i let = _mm256_cmpgt_epi8(_mm256_set1_epi8(26 - 128), l);
    const __m256i hi = _mm256_cmpgt_epi8(_mm256_setzero_si256(), v); /* >= 0x80 */
    const __m256i t = _mm256_sub_epi8(v, _mm256_set1_epi8('\t' - 128));
    const __m256i ws = _mm256_or_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(5 - 128), t),
                                       _mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')));
    *wd = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(dig, let), hi));
    *blank = (uint32_t)_mm256_movemask_epi8(ws);
    *nul = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_setzero_si256()));
}

void text_classify_avx2(const uint8_t *restrict z, size_t n, uint64_t *restrict word,
                        uint64_t *restrict start)
{
    uint64_t carry = 0;
    size_t i = 0, w = 0;
    for (; i + 64 <= n; i += 64, ++w) {
        uint32_t w0, b0, n0, w1, b1, n1;
        classify32(_mm256_loadu_si256((const __m256i *)(z + i)), &w0, &b0, &n0);
        classify32(_mm256_loadu_si256((const __m256i *)(z + i + 32)), &w1, &b1, &n1);
        const uint64_t wd = w0 | (uint64_t)w1 << 32, blank = b0 | (uint64_t)b1 << 32,
                       nul = n0 | (uint64_t)n1 << 32;
        word[w] = wd;
        start[w] = (wd & ~((wd << 1) | carry)) | (~wd & ~blank & ~nul);
        carry = wd >> 63;
    }
    if (i < n) { /* the tail through the reference, its first bit fixed for the carry */
        text_classify_ref(z + i, n - i, word + w, start + w);
        if (carry && (word[w] & 1))
            start[w] &= ~1ull;
    }
}
