/*
 * kernels_ref.c — the plain-C reference kernels: the specification every SIMD version matches,
 * and the reference table (each kernel's reference version lives in kernels/ref/<op>_ref.c or
 * here: bitset_ref.c, gram_ref.c, centroid_ref.c, sha256_ref.c).
 */
#include "../kernels.h"

size_t csv_scan_ref(const char *restrict p, size_t n, char delim)
{
    for (size_t i = 0; i < n; ++i) {
        char c = p[i];
        if (c == '"' || c == delim || c == '\n' || c == '\r' || c == '\0')
            return i;
    }
    return n;
}

const struct skm_kernels skm_kernels_ref = {
    .isa = "ref",
    .csv_scan = csv_scan_ref,
    .text_lower = text_lower_ref,
    .text_classify = text_classify_ref,
    .sha256_blocks = sha256_blocks_ref,
    .and_popcount = and_popcount_ref,
    .and_popcount_tile = and_popcount_tile_ref,
    .csr_to_bitsets = csr_to_bitsets_ref,
    .sparse_gram_i32 = sparse_gram_i32_ref,
    .sparse_gram_f64 = sparse_gram_f64_ref,
    .sparse_dots_f32 = sparse_dots_f32_ref,
    .sparse_argmin_f32 = sparse_argmin_f32_ref,
};
