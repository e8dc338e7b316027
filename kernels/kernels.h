/*
 * kernels.h — the internal contract of skillmat's hot loops.
 *
 * A kernel is a pure function over caller-provided memory: it never allocates, never fails and
 * never touches GSL, HDF5 or the context. It accepts any n, including 0, and handles its own
 * tails. Each kernel has a plain-C reference version in kernels/ref/ (the specification); SIMD
 * versions, compiled with per-file ISA flags, must return exactly what the reference returns.
 * The table below collects them; docs/kernels.md describes each one.
 *
 * Use the table the process chose, never a SIMD kernel by name (the CPU may lack its ISA):
 *
 *     const struct skm_kernels *k = skm_kernels_active();   // once, outside the hot loop
 *     k->sha256_blocks(h, data, n_bytes / 64);
 *
 * Selection (kernels/dispatch.c) happens once per process, by ISA level: SKILLMAT_ISA=ref|avx2|
 * avx512 forces a level, unset means the best level the CPU and OS support. A level's table is a
 * copy of the reference table with the entries that level implements replaced; sha256_blocks is
 * orthogonal and uses SHA-NI when the CPU has it at every level except a forced "ref" (the pure
 * reference table). A forced level this process cannot run falls back to "ref" and
 * skm_kernels_isa_error() says why.
 * SKILLMAT_ISA_DEBUG=1 logs the choice to stderr.
 */
#ifndef SKM_KERNELS_H
#define SKM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

struct skm_kernels {
    /* The table's name, recorded in /provenance: the level ("ref", "avx2", "avx512"), plus
     * "+shani" when sha256_blocks is the SHA-NI kernel: "avx512+shani", "avx2+shani",
     * "ref+shani" (no usable AVX2), "ref" (forced, fallback, or no SIMD at all). */
    const char *isa;

    /* CSV structural scan: the offset of the first byte of p[0..n) that is '"', `delim`, '\n',
     * '\r' or '\0', or n if there is none. The CSV reader copies the bytes before it in one go. */
    size_t (*csv_scan)(const char *restrict p, size_t n, char delim);

    /* Text lower-casing (src/extract, docs/kernels.md "Text"): copies src[i] to dst[i] with ASCII
     * 'A'..'Z' lower-cased, for i from 0 up to the first byte that SKM_TEXT_SPECIAL calls special
     * (>= 0x80, '<', '&', DEL, a control character other than \t \n \v \f \r), and returns
     * that offset (n when there is none). dst[0 .. result) is the reference's; a SIMD version may
     * also write dst[result .. min(n, result + 64)), never at or past dst[n]. src and dst must
     * not overlap. */
    size_t (*text_lower)(const uint8_t *restrict src, uint8_t *restrict dst, size_t n);

    /* Token bitmaps of normalised text z[0..n) (src/extract/match.c): for each i < n, bit i (bit
     * i % 64 of word i / 64) of `word` is set when z[i] is a word byte (ASCII letter or digit, or
     * >= 0x80), and bit i of `start` when a token starts at i: a word byte whose predecessor
     * (none at i = 0) is not one, or a punctuation byte (neither a word byte, nor a blank
     * \t \n \v \f \r ' ', nor NUL). Bits at i >= n in the last word are 0. Both arrays hold
     * (n + 63) / 64 words. */
    void (*text_classify)(const uint8_t *restrict z, size_t n, uint64_t *restrict word,
                          uint64_t *restrict start);

    /* SHA-256 compression (FIPS 180-4, section 6.2.2): feeds the n_blocks consecutive 64-byte
     * blocks at data[0 .. 64 * n_blocks) into the chaining value state[0..8), in order.
     * n_blocks may be 0 (state is left as is). data needs no alignment and must not overlap
     * state. Padding and the length field are the caller's job (src/core/sha256.c). */
    void (*sha256_blocks)(uint32_t state[8], const uint8_t *restrict data, size_t n_blocks);

    /* ---- skill co-occurrence and Gram matrices (docs/kernels.md, "Bitsets" and "Sparse Gram").
     * Layout shared by the bitset kernels: a block of rows (postings) is stored skill-major, one
     * bitset per skill, bit r of bitset s set when row r0 + r has skill s (bit r is bit r % 64 of
     * word r / 64). Bitsets skillmat allocates start 64-byte aligned and their stride (lda, ldb,
     * ldbits) is a multiple of 8 words but not a power of two (add 8 words: a power-of-two stride
     * maps the same word of every skill to one cache set), padded with zeros. That is for speed:
     * the kernels are correct for any start and any n_words (unaligned loads, masked or scalar
     * tails, nothing read past n_words). */

    /* The number of bits set in a[i] & b[i] over i in [0, n_words). n_words = 0 gives 0. */
    uint64_t (*and_popcount)(const uint64_t *restrict a, const uint64_t *restrict b,
                             size_t n_words);

    /* C[i * ldc + j] += popcount(A_i & B_j) for i < na, j < nb, where A_i = A + i * lda and
     * B_j = B + j * ldb each hold n_words words. A and B may be the same matrix (they are only
     * read); C must not overlap them. Register-blocked: each loaded word serves several pairs.
     * For the co-occurrence of a block with itself the caller passes A = B and uses the upper
     * triangle. Entries of C outside the na x nb tile are not touched. */
    void (*and_popcount_tile)(const uint64_t *restrict A, size_t lda, size_t na,
                              const uint64_t *restrict B, size_t ldb, size_t nb, size_t n_words,
                              uint64_t *restrict C, size_t ldc);

    /* Skill-major bitsets of a CSR row block: for each row r < n_rows and each k in
     * [indptr[r], indptr[r+1]), sets bit r of bitset indices[k], i.e. word r / 64 of
     * bits + indices[k] * ldbits. ORs only: the caller zeroes the bitsets first (a memset of
     * p * ldbits words), so the kernel touches only the words it sets. Needs n_rows <= 64 * ldbits
     * and 0 <= indices[k] < p. */
    void (*csr_to_bitsets)(const int64_t *restrict indptr, const int32_t *restrict indices,
                           size_t n_rows, uint64_t *restrict bits, size_t ldbits);

    /* Sparse Gram, integer: G += x x^T over the upper triangle, rows lo <= i < hi of it, for each
     * CSR row x of the block. Row r holds the skills indices[indptr[r] .. indptr[r+1]) (strictly
     * increasing, each >= 0); for every pair k <= l of positions in the row (k = l included: the
     * diagonal) with lo <= indices[k] < hi,
     *     G[(indices[k] - lo) * ldg + (indices[l] - lo)] += counts ? counts[k] * counts[l] : 1
     * (counts == NULL: presence, one per pair; otherwise frequency-weighted). G is the band of
     * rows [lo, hi) of a dense row-major matrix stored from column lo on: ldg >= p - lo. The whole
     * triangle is lo = 0, hi = p, ldg >= p. Only entries with column >= row are written. The
     * caller bounds the block so that no entry exceeds INT32_MAX (presence: n_rows <= INT32_MAX
     * is enough; frequency: the caller flushes into a wider accumulator per block). indptr is
     * non-decreasing; indptr[0] need not be 0. 0 <= lo <= hi.
     * diag != NULL: the diagonal terms (k = l) go to diag[indices[k] - lo] instead of G, which
     * then gets only k < l (co-occurrence keeps n_a in a small array that stays in L1, and the
     * pair loop skips one scattered add per skill: measured 8-12 % faster, docs/kernels.md). */
    void (*sparse_gram_i32)(const int64_t *restrict indptr, const int32_t *restrict indices,
                            const int32_t *restrict counts, size_t n_rows, int32_t lo,
                            int32_t hi, int32_t *restrict G, size_t ldg,
                            int32_t *restrict diag);

    /* Sparse Gram, double: the same pairs and the same band [lo, hi) and layout as
     * sparse_gram_i32 (diagonal included), each adding (w[r] * v_k) * v_l in that order of
     * operations, rows in order, l increasing within k, where v = values (NULL: 1.0) and w the
     * per-row weights (NULL: 1.0). Floating-point: an implementation other than the reference
     * must keep this order to be bit-exact, or state its tolerance (docs/kernels.md). */
    void (*sparse_gram_f64)(const int64_t *restrict indptr, const int32_t *restrict indices,
                            const double *restrict values, const double *restrict w,
                            size_t n_rows, int32_t lo, int32_t hi, double *restrict G,
                            size_t ldg);

    /* ---- k-means on sparse rows (docs/kernels.md, "Centroid gather"). A skill-major centroid
     * table T holds, for each skill j < p, the k-vector T[j * ldt + c], c < k (ldt >= k; the
     * caller pads to a multiple of 16 floats, zeros beyond k, rows 64-byte aligned). A CSR row x
     * with skills indices[indptr[r] .. indptr[r+1]) and values v (values == NULL: all 1.0f)
     * has the dot products
     *     d_c = sum over its positions e, in order, of  v_e * T[indices[e] * ldt + c]
     * accumulated in float, one rounding per multiply and one per add (no fused multiply-add;
     * with values == NULL only adds), starting from 0.0f. A SIMD version computes each d_c
     * with exactly these operations in this order, so it returns the reference's bits. */

    /* out[r * ldo + c] = d_c for r < n_rows, c < k (ldo >= k). Entries past k are not touched. */
    void (*sparse_dots_f32)(const int64_t *restrict indptr, const int32_t *restrict indices,
                            const float *restrict values, size_t n_rows,
                            const float *restrict T, size_t ldt, size_t k,
                            float *restrict out, size_t ldo);

    /* The assignment step: for each row r < n_rows, the scores s_c = bias[c] + scale * d_c
     * (the product rounded, then the sum), and
     *     labels[r] = the smallest c with s_c minimal,   best[r] = that s_c,
     *     second[r] = the smallest s_c over c != labels[r] (+inf when k = 1),
     * as the reference's scan leaves them (kernels/ref/centroid_ref.c). Euclidean k-means
     * passes bias = |centroid|^2 and scale = -2 (then |x|^2 + best[r] is the squared distance),
     * spherical k-means bias = 0 and scale = -1; second[r] - best[r] tells the caller how close
     * the row is to a tie. k >= 1; inputs are finite. */
    void (*sparse_argmin_f32)(const int64_t *restrict indptr, const int32_t *restrict indices,
                              const float *restrict values, size_t n_rows,
                              const float *restrict T, size_t ldt, size_t k,
                              const float *restrict bias, float scale,
                              int32_t *restrict labels, float *restrict best,
                              float *restrict second);
};

/* The reference table: always available, and what every other table starts as a copy of. */
extern const struct skm_kernels skm_kernels_ref;

/* The table chosen for this process: never NULL, the same pointer on every call, valid for the
 * life of the process. The first call chooses (thread-safe); later calls are a load. */
const struct skm_kernels *skm_kernels_active(void);

/* Why the SKILLMAT_ISA setting was rejected (skm_kernels_isa_error()). */
#define SKM_ISA_ERR_UNKNOWN 1  /* not one of "ref", "avx2", "avx512" */
#define SKM_ISA_ERR_CPU 2      /* a known level this CPU (or its OS) cannot run */
#define SKM_ISA_ERR_BUILD 3    /* a known level left out of this build (SKM_AVX2/SKM_AVX512=OFF,
                                  or not an x86-64 build) */

/* 0 if SKILLMAT_ISA was unset, empty or a level this process can run when the table was chosen;
 * otherwise one of SKM_ISA_ERR_*: skm_kernels_active() then fell back to the pure reference
 * table ("ref"), silently. A front end that wants to reject the setting calls this (it chooses
 * the table first if need be) and reports it (skm_isa_check); the library itself prints nothing. */
int skm_kernels_isa_error(void);

/* ---- CPU features (kernels/cpu.c) ---------------------------------------------------------- */

/* Bits of skm_cpu_features(). A bit means *usable*: the CPU reports the instructions (CPUID)
 * and, for the AVX and AVX-512 families, the OS saves the registers they need across context
 * switches (XGETBV; see cpu.c). SSE-class features use XMM state only, which every x86-64 OS
 * saves. */
#define SKM_CPU_SSSE3 (1u << 0)
#define SKM_CPU_SSE41 (1u << 1)
#define SKM_CPU_SSE42 (1u << 2)
#define SKM_CPU_POPCNT (1u << 3)
#define SKM_CPU_SHA (1u << 4)             /* SHA-NI: sha256rnds2, sha256msg1/2, sha1* */
#define SKM_CPU_AVX (1u << 5)
#define SKM_CPU_AVX2 (1u << 6)
#define SKM_CPU_BMI1 (1u << 7)
#define SKM_CPU_BMI2 (1u << 8)
#define SKM_CPU_AVX512F (1u << 9)
#define SKM_CPU_AVX512BW (1u << 10)
#define SKM_CPU_AVX512VL (1u << 11)
#define SKM_CPU_AVX512VPOPCNTDQ (1u << 12)
#define SKM_CPU_OS_YMM (1u << 30)         /* XCR0 has SSE and AVX state: YMM registers saved */
#define SKM_CPU_OS_ZMM (1u << 31)         /* ... and opmask, ZMM_Hi256, Hi16_ZMM: ZMM saved */

/* The SKM_CPU_* bits of the running CPU; 0 on non-x86 builds. Detected once (thread-safe). */
uint32_t skm_cpu_features(void);

/* The bytes text_lower stops at. */
#define SKM_TEXT_SPECIAL(c)                                                                  \
    ((c) >= 0x7F || (c) == '<' || (c) == '&' || ((c) < 0x20 && ((c) < '\t' || (c) > '\r')))

/* ---- the kernels by name: for the dispatcher, the tests and the benchmarks only ------------ */

size_t text_lower_ref(const uint8_t *restrict src, uint8_t *restrict dst, size_t n);
void text_classify_ref(const uint8_t *restrict z, size_t n, uint64_t *restrict word,
                       uint64_t *restrict start);
void text_classify_avx2(const uint8_t *restrict z, size_t n, uint64_t *restrict word,
                        uint64_t *restrict start);
void text_classify_avx512(const uint8_t *restrict z, size_t n, uint64_t *restrict word,
                          uint64_t *restrict start);
size_t text_lower_avx2(const uint8_t *restrict src, uint8_t *restrict dst, size_t n);
size_t text_lower_avx512(const uint8_t *restrict src, uint8_t *restrict dst, size_t n);
size_t csv_scan_avx2(const char *restrict p, size_t n, char delim);
size_t csv_scan_avx512(const char *restrict p, size_t n, char delim);

size_t csv_scan_ref(const char *restrict p, size_t n, char delim);
uint64_t and_popcount_ref(const uint64_t *restrict a, const uint64_t *restrict b, size_t n_words);
void and_popcount_tile_ref(const uint64_t *restrict A, size_t lda, size_t na,
                           const uint64_t *restrict B, size_t ldb, size_t nb, size_t n_words,
                           uint64_t *restrict C, size_t ldc);
void csr_to_bitsets_ref(const int64_t *restrict indptr, const int32_t *restrict indices,
                        size_t n_rows, uint64_t *restrict bits, size_t ldbits);
void sparse_gram_i32_ref(const int64_t *restrict indptr, const int32_t *restrict indices,
                         const int32_t *restrict counts, size_t n_rows, int32_t lo, int32_t hi,
                         int32_t *restrict G, size_t ldg, int32_t *restrict diag);
void sparse_gram_f64_ref(const int64_t *restrict indptr, const int32_t *restrict indices,
                         const double *restrict values, const double *restrict w, size_t n_rows,
                         int32_t lo, int32_t hi, double *restrict G, size_t ldg);
void sha256_blocks_ref(uint32_t state[8], const uint8_t *restrict data, size_t n_blocks);
void sparse_dots_f32_ref(const int64_t *restrict indptr, const int32_t *restrict indices,
                         const float *restrict values, size_t n_rows, const float *restrict T,
                         size_t ldt, size_t k, float *restrict out, size_t ldo);
void sparse_argmin_f32_ref(const int64_t *restrict indptr, const int32_t *restrict indices,
                           const float *restrict values, size_t n_rows, const float *restrict T,
                           size_t ldt, size_t k, const float *restrict bias, float scale,
                           int32_t *restrict labels, float *restrict best,
                           float *restrict second);

/* The load-reduce kernel of `skillmat bench` (src/bench), not in the table: the sum of
 * a[0 .. n_words) modulo 2^64 (0 for n_words = 0), one load and one add per word, so its speed is
 * the load bandwidth of wherever `a` lives (L1, L2, DRAM). Called by name: _ref (plain C, the
 * specification), _avx2 (kernels/x86/avx2/loadsum_avx2.c), _avx512 (.../avx512/loadsum_avx512.c),
 * the SIMD ones only when skm_cpu_features() has SKM_ISA_NEEDS_AVX2 / SKM_ISA_NEEDS_AVX512.
 * Any start (unaligned loads), nothing read past n_words, the reference's result exactly. */
uint64_t load_sum_u64_ref(const uint64_t *restrict a, size_t n_words);
uint64_t load_sum_u64_avx2(const uint64_t *restrict a, size_t n_words);
uint64_t load_sum_u64_avx512(const uint64_t *restrict a, size_t n_words);

/* The SHA-256 round constants K[0..64) of FIPS 180-4 section 4.2.2 (kernels/ref/sha256_ref.c). */
extern const uint32_t skm_sha256_k[64];

/* Built only when SKM_KERNELS_X86 is defined (CMake defines it on x86-64). Call only when
 * skm_cpu_features() has SKM_CPU_SHA, SKM_CPU_SSSE3 and SKM_CPU_SSE41: it is SIGILL otherwise. */
void sha256_blocks_shani(uint32_t state[8], const uint8_t *restrict data, size_t n_blocks);

/* The ISA levels, as SKILLMAT_ISA names them. A level's kernels are built only when
 * SKM_KERNELS_AVX2 / SKM_KERNELS_AVX512 is defined (CMake options SKM_AVX2 / SKM_AVX512, x86-64
 * only), and may be called only when skm_cpu_features() has all of SKM_ISA_NEEDS_*. */
#define SKM_ISA_NEEDS_AVX2 (SKM_CPU_AVX2 | SKM_CPU_POPCNT | SKM_CPU_OS_YMM)
#define SKM_ISA_NEEDS_AVX512                                                                 \
    (SKM_CPU_AVX512F | SKM_CPU_AVX512BW | SKM_CPU_AVX512VL | SKM_CPU_AVX512VPOPCNTDQ |        \
     SKM_CPU_OS_ZMM)

/* kernels/x86/avx2/ (-mavx2 -mpopcnt): Harley-Seal over vpshufb nibble-LUT popcounts. */
uint64_t and_popcount_avx2(const uint64_t *restrict a, const uint64_t *restrict b, size_t n_words);
void and_popcount_tile_avx2(const uint64_t *restrict A, size_t lda, size_t na,
                            const uint64_t *restrict B, size_t ldb, size_t nb, size_t n_words,
                            uint64_t *restrict C, size_t ldc);
/* kernels/x86/avx2/centroid_avx2.c: 8-lane blocks of up to 64 centroids, vmaskmovps tails. */
void sparse_dots_f32_avx2(const int64_t *restrict indptr, const int32_t *restrict indices,
                          const float *restrict values, size_t n_rows, const float *restrict T,
                          size_t ldt, size_t k, float *restrict out, size_t ldo);
void sparse_argmin_f32_avx2(const int64_t *restrict indptr, const int32_t *restrict indices,
                            const float *restrict values, size_t n_rows,
                            const float *restrict T, size_t ldt, size_t k,
                            const float *restrict bias, float scale, int32_t *restrict labels,
                            float *restrict best, float *restrict second);

/* kernels/x86/avx512/ (-mavx512f -mavx512bw -mavx512vl -mavx512vpopcntdq): vpopcntq. */
uint64_t and_popcount_avx512(const uint64_t *restrict a, const uint64_t *restrict b,
                             size_t n_words);
void and_popcount_tile_avx512(const uint64_t *restrict A, size_t lda, size_t na,
                              const uint64_t *restrict B, size_t ldb, size_t nb, size_t n_words,
                              uint64_t *restrict C, size_t ldc);
/* kernels/x86/avx512/centroid_avx512.c: 16-lane blocks of up to 128 centroids, masked loads. */
void sparse_dots_f32_avx512(const int64_t *restrict indptr, const int32_t *restrict indices,
                            const float *restrict values, size_t n_rows,
                            const float *restrict T, size_t ldt, size_t k,
                            float *restrict out, size_t ldo);
void sparse_argmin_f32_avx512(const int64_t *restrict indptr, const int32_t *restrict indices,
                              const float *restrict values, size_t n_rows,
                              const float *restrict T, size_t ldt, size_t k,
                              const float *restrict bias, float scale,
                              int32_t *restrict labels, float *restrict best,
                           float *restrict second);

#endif /* SKM_KERNELS_H */
