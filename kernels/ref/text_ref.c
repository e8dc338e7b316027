/*
 * text_ref.c — the reference text kernel text_lower (kernels.h): the specification of the SIMD
 * versions in kernels/x86/avx2/text_avx2.c and kernels/x86/avx512/text_avx512.c.
 */
#include "../kernels.h"

size_t text_lower_ref(const uint8_t *restrict src, uint8_t *restrict dst, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        const uint8_t c = src[i];
        if (SKM_TEXT_SPECIAL(c))
            return i;
        dst[i] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
    }
    return n;
}

void text_classify_ref(const uint8_t *restrict z, size_t n, uint64_t *restrict word,
                       uint64_t *restrict start)
{
    const size_t nw = (n + 63) / 64;
    for (size_t w = 0; w < nw; ++w)
        word[w] = start[w] = 0;
    int prev = 0;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t c = z[i];
        const int wd = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                       (c >= 'A' && c <= 'Z') || c >= 0x80;
        const int blank = c == ' ' || (c >= '\t' && c <= '\r');
        if (wd)
            word[i / 64] |= 1ull << (i % 64);
        if ((wd && !prev) || (!wd && !blank && c != 0))
            start[i / 64] |= 1ull << (i % 64);
        prev = wd;
    }
}
