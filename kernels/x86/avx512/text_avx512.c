/*
 * text_avx512.c — the text kernels (csv_scan, text_lower) with AVX-512BW, compiled with the
 * avx512 flags for this file only (dispatch.c calls them only when skm_cpu_features() has
 * SKM_ISA_NEEDS_AVX512).
 *
 * 64 bytes per step, compares straight into mask registers; the tail is one masked load of the
 * remaining bytes (masked-off lanes are zero and excluded from the stop mask), and text_lower's
 * stores are masked to the bytes before n.
 */
#include <immintrin.h>

#include "../../kernels.h"

size_t csv_scan_avx512(const char *restrict p, size_t n, char delim)
{
    const __m512i q = _mm512_set1_epi8('"'), d = _mm512_set1_epi8(delim),
                  lf = _mm512_set1_epi8('\n'), cr = _mm512_set1_epi8('\r');
    for (size_t i = 0; i < n; i += 64) {
        const __mmask64 live = n - i >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - i)) - 1;
        const __m512i v = _mm512_maskz_loadu_epi8(live, p + i);
        const __mmask64 m = (_mm512_cmpeq_epi8_mask(v, q) | _mm512_cmpeq_epi8_mask(v, d) |
                             _mm512_cmpeq_epi8_mask(v, lf) | _mm512_cmpeq_epi8_mask(v, cr) |
                             _mm512_testn_epi8_mask(v, v)) &
                            live;
        if (m)
            return i + (size_t)__builtin_ctzll(m);
    }
    return n;
}

size_t text_lower_avx512(const uint8_t *restrict src, uint8_t *restrict dst, size_t n)
{
    const __m512i lt = _mm512_set1_epi8('<'), amp = _mm512_set1_epi8('&'),
                  c7f = _mm512_set1_epi8(0x7F), c20 = _mm512_set1_epi8(0x20),
                  tab = _mm512_set1_epi8('\t'), five = _mm512_set1_epi8('\r' - '\t' + 1),
                  ua = _mm512_set1_epi8('A'), n26 = _mm512_set1_epi8(26);
    for (size_t i = 0; i < n; i += 64) {
        const __mmask64 live = n - i >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - i)) - 1;
        const __m512i v = _mm512_maskz_loadu_epi8(live, src + i);
        const __mmask64 ws = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, tab), five);
        const __mmask64 m = (_mm512_cmpge_epu8_mask(v, c7f) | _mm512_cmpeq_epi8_mask(v, lt) |
                             _mm512_cmpeq_epi8_mask(v, amp) |
                             (_mm512_cmplt_epu8_mask(v, c20) & ~ws)) &
                            live;
        const __mmask64 up = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, ua), n26);
        _mm512_mask_storeu_epi8(dst + i, live, _mm512_mask_add_epi8(v, up, v, c20));
        if (m)
            return i + (size_t)__builtin_ctzll(m);
    }
    return n;
}

void text_classify_avx512(const uint8_t *restrict z, size_t n, uint64_t *restrict word,
                          uint64_t *restrict start)
{
    const __m512i c0 = _mm512_set1_epi8('0'), c10 = _mm512_set1_epi8(10),
                  ca = _mm512_set1_epi8('a'), c26 = _mm512_set1_epi8(26),
                  c20 = _mm512_set1_epi8(0x20), tab = _mm512_set1_epi8('\t'),
                  five = _mm512_set1_epi8(5), sp = _mm512_set1_epi8(' ');
    uint64_t carry = 0; /* bit 0: the previous byte was a word byte */
    for (size_t i = 0, w = 0; i < n; i += 64, ++w) {
        const __mmask64 live = n - i >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - i)) - 1;
        const __m512i v = _mm512_maskz_loadu_epi8(live, z + i);
        const __mmask64 wd =
            (_mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, c0), c10) |
             _mm512_cmplt_epu8_mask(_mm512_sub_epi8(_mm512_or_si512(v, c20), ca), c26) |
             _mm512_movepi8_mask(v)) &
            live;
        const __mmask64 blank =
            _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, tab), five) | _mm512_cmpeq_epi8_mask(v, sp);
        const __mmask64 nul = _mm512_testn_epi8_mask(v, v);
        word[w] = wd;
        start[w] = ((wd & ~((wd << 1) | carry)) | (~wd & ~blank & ~nul)) & live;
        carry = wd >> 63;
    }
}
