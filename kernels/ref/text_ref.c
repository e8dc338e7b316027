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
