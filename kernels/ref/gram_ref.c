/*
 * gram_ref.c — reference sparse Gram kernels: G += w x x^T over the upper triangle of a dense
 * row-major p x p matrix, for a block of CSR rows (indptr, indices strictly increasing per row).
 *
 * Invariant: because each row's indices increase, the pair (indices[k], indices[l]) with k <= l
 * has row <= column, so only the upper triangle (diagonal included) is written. The i32 kernel
 * takes a band [lo, hi) of rows of G, so that a p too large for one dense triangle is counted in
 * several passes, each over a band of rows stored from column lo on. The work is a
 * scatter of nnz(row) * (nnz(row) + 1) / 2 adds per row into G; see docs/kernels.md for why no
 * SIMD version exists.
 */
#include "../kernels.h"

void sparse_gram_i32_ref(const int64_t *restrict indptr, const int32_t *restrict indices,
                         const int32_t *restrict counts, size_t n_rows, int32_t lo, int32_t hi,
                         int32_t *restrict G, size_t ldg, int32_t *restrict diag)
{
    /* With diag, the diagonal goes there and the pair loop starts past it (k < l). */
    const int64_t off = diag ? 1 : 0;
    for (size_t r = 0; r < n_rows; ++r) {
        int64_t k = indptr[r];
        const int64_t e = indptr[r + 1];
        while (k < e && indices[k] < lo) /* the row's skills before the band */
            ++k;
        for (; k < e && indices[k] < hi; ++k) {
            int32_t *restrict g = G + (size_t)(indices[k] - lo) * ldg;
            if (counts) {
                const int32_t ck = counts[k];
                if (diag)
                    diag[indices[k] - lo] += ck * ck;
                for (int64_t l = k + off; l < e; ++l)
                    g[indices[l] - lo] += ck * counts[l];
            } else {
                if (diag)
                    diag[indices[k] - lo] += 1;
                for (int64_t l = k + off; l < e; ++l)
                    g[indices[l] - lo] += 1;
            }
        }
    }
}

void sparse_gram_f64_ref(const int64_t *restrict indptr, const int32_t *restrict indices,
                         const double *restrict values, const double *restrict w, size_t n_rows,
                         int32_t lo, int32_t hi, double *restrict G, size_t ldg)
{
    for (size_t r = 0; r < n_rows; ++r) {
        int64_t k = indptr[r];
        const int64_t e = indptr[r + 1];
        const double wr = w ? w[r] : 1.0;
        while (k < e && indices[k] < lo) /* the row's columns before the band */
            ++k;
        for (; k < e && indices[k] < hi; ++k) {
            double *restrict g = G + (size_t)(indices[k] - lo) * ldg;
            if (!values) { /* 0/1 rows (the regression's HC1 meat): (w * 1) * 1 = w, same bits */
                for (int64_t l = k; l < e; ++l)
                    g[indices[l] - lo] += wr;
            } else {
                const double a = wr * values[k];
                for (int64_t l = k; l < e; ++l)
                    g[indices[l] - lo] += a * values[l];
            }
        }
    }
}
