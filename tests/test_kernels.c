/*
 * test_kernels.c — every kernel implementation against the reference (kernels/ref/), bit-exact,
 * plus the reference kernels against independent checks (a FIPS 180-4 one-block example for
 * sha256_blocks, a trivial loop for csv_scan) and the dispatcher's choice.
 *
 * One cmocka entry per (kernel, implementation): an implementation the CPU cannot run is
 * skipped with a message, never failed. Sizes cover 0, the SIMD widths and one either side of
 * them; starts are unaligned (offsets 0..7 into a buffer); data is random (a fixed-seed
 * xorshift, so failures reproduce) plus edge data (all zeros, all 0xFF).
 *
 * ctest runs this binary once per SKILLMAT_ISA setting: unset, =ref, =avx2, =avx512 and =bogus
 * (tests/CMakeLists.txt); test_dispatch checks that the chosen table matches each setting, and the
 * "/active" entries run the chosen table's centroid kernels against the reference.
 */
#include "test_util.h"

#include "core/core.h"
#include "kernels/kernels.h"

/* ---- implementations under test ---- */

typedef void (*sha256_blocks_fn)(uint32_t state[8], const uint8_t *restrict data, size_t n);
typedef size_t (*csv_scan_fn)(const char *restrict p, size_t n, char delim);
typedef size_t (*text_lower_fn)(const uint8_t *restrict src, uint8_t *restrict dst, size_t n);
typedef void (*text_classify_fn)(const uint8_t *restrict z, size_t n, uint64_t *restrict word,
                                 uint64_t *restrict start);
typedef uint64_t (*and_popcount_fn)(const uint64_t *restrict a, const uint64_t *restrict b,
                                    size_t n_words);
typedef void (*and_popcount_tile_fn)(const uint64_t *restrict A, size_t lda, size_t na,
                                     const uint64_t *restrict B, size_t ldb, size_t nb,
                                     size_t n_words, uint64_t *restrict C, size_t ldc);
typedef void (*sparse_dots_fn)(const int64_t *restrict indptr, const int32_t *restrict indices,
                               const float *restrict values, size_t n_rows,
                               const float *restrict T, size_t ldt, size_t k,
                               float *restrict out, size_t ldo);
typedef void (*sparse_argmin_fn)(const int64_t *restrict indptr, const int32_t *restrict indices,
                                 const float *restrict values, size_t n_rows,
                                 const float *restrict T, size_t ldt, size_t k,
                                 const float *restrict bias, float scale,
                                 int32_t *restrict labels, float *restrict best,
                                 float *restrict second);

struct impl {
    const char *name;
    uint32_t needs; /* SKM_CPU_* bits the implementation requires */
    sha256_blocks_fn sha256_blocks;
    csv_scan_fn csv_scan;
    and_popcount_fn and_popcount;
    and_popcount_tile_fn and_popcount_tile;
    sparse_dots_fn sparse_dots;
    sparse_argmin_fn sparse_argmin;
    text_lower_fn text_lower;
    text_classify_fn text_classify;
};

static struct impl impl_ref = {"ref", 0, sha256_blocks_ref, csv_scan_ref, and_popcount_ref,
                               and_popcount_tile_ref, sparse_dots_f32_ref, sparse_argmin_f32_ref,
                               text_lower_ref, text_classify_ref};
#ifdef SKM_KERNELS_X86
static struct impl impl_shani = {"shani", SKM_CPU_SHA | SKM_CPU_SSSE3 | SKM_CPU_SSE41,
                                 sha256_blocks_shani, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
#endif
#ifdef SKM_KERNELS_AVX2
static struct impl impl_avx2 = {"avx2", SKM_ISA_NEEDS_AVX2, NULL, csv_scan_avx2,
                                and_popcount_avx2, and_popcount_tile_avx2, sparse_dots_f32_avx2,
                                sparse_argmin_f32_avx2, text_lower_avx2, text_classify_avx2};
#endif
#ifdef SKM_KERNELS_AVX512
static struct impl impl_avx512 = {"avx512", SKM_ISA_NEEDS_AVX512, NULL, csv_scan_avx512,
                                  and_popcount_avx512, and_popcount_tile_avx512,
                                  sparse_dots_f32_avx512, sparse_argmin_f32_avx512,
                                  text_lower_avx512, text_classify_avx512};
#endif
/* The table skm_kernels_active() chose (SKILLMAT_ISA: ctest runs each setting), filled in main. */
static struct impl impl_active = {"active", 0,    NULL, NULL, NULL, NULL,
                                  NULL,     NULL, NULL, NULL};

/* The implementation in *state, or skip() when this CPU cannot run it. */
static const struct impl *usable(void **state)
{
    const struct impl *im = *state;
    if ((skm_cpu_features() & im->needs) != im->needs) {
        printf("      skipped: this CPU lacks the ISA of %s (features 0x%08x)\n", im->name,
               (unsigned)skm_cpu_features());
        skip();
    }
    return im;
}

static const size_t sizes[] = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129};
#define N_SIZES (sizeof sizes / sizeof sizes[0])
#define MAX_BLOCKS 129

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        p[i] = (uint8_t)(next_rand() >> 24);
}

/* ---- sha256_blocks ---- */

static const uint32_t sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

/* Compare im against the reference on data[0 .. 64 * n) from state `init`. The state under test
 * sits between guard words, which must survive. */
static void check_blocks(const struct impl *im, const uint32_t init[8], const uint8_t *data,
                         size_t n, const char *what, size_t offset)
{
    uint32_t want[8], got[10];
    memcpy(want, init, sizeof want);
    sha256_blocks_ref(want, data, n);
    got[0] = got[9] = 0xDEADBEEF;
    memcpy(got + 1, init, 8 * sizeof(uint32_t));
    im->sha256_blocks(got + 1, data, n);
    if (memcmp(got + 1, want, sizeof want) != 0)
        fail_msg("sha256_blocks/%s differs from ref: %s data, n_blocks %zu, offset %zu", im->name,
                 what, n, offset);
    assert_int_equal(got[0], 0xDEADBEEF);
    assert_int_equal(got[9], 0xDEADBEEF);
}

static void test_sha256_blocks(void **state)
{
    const struct impl *im = usable(state);
    size_t len = 64 * MAX_BLOCKS + 8;
    uint8_t *buf = malloc(len), *copy = malloc(len);
    assert_non_null(buf);
    assert_non_null(copy);

    /* FIPS 180-4 example "abc" (one padded block): independent of the reference. */
    uint8_t abc[64] = {'a', 'b', 'c', 0x80};
    abc[63] = 24; /* message length in bits */
    uint32_t h[8];
    memcpy(h, sha256_iv, sizeof h);
    im->sha256_blocks(h, abc, 1);
    static const uint32_t abc_digest[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                           0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
    assert_memory_equal(h, abc_digest, sizeof h);

    /* n_blocks = 0 leaves the state alone (and reads nothing). */
    im->sha256_blocks(h, abc, 0);
    assert_memory_equal(h, abc_digest, sizeof h);

    fill_random(buf, len);
    memcpy(copy, buf, len);
    for (size_t s = 0; s < N_SIZES; ++s) {
        for (size_t off = 0; off < 8; ++off) {
            uint32_t init[8];
            for (int i = 0; i < 8; ++i)
                init[i] = (uint32_t)next_rand();
            check_blocks(im, sha256_iv, buf + off, sizes[s], "random", off);
            check_blocks(im, init, buf + off, sizes[s], "random (random state)", off);
        }
    }
    assert_memory_equal(buf, copy, len); /* the input is read only */

    memset(buf, 0, len);
    for (size_t s = 0; s < N_SIZES; ++s)
        check_blocks(im, sha256_iv, buf + 1 + s % 7, sizes[s], "all-zero", 1 + s % 7);
    memset(buf, 0xFF, len);
    for (size_t s = 0; s < N_SIZES; ++s)
        check_blocks(im, sha256_iv, buf + 1 + s % 7, sizes[s], "all-0xFF", 1 + s % 7);
    uint32_t ones[8];
    memset(ones, 0xFF, sizeof ones);
    check_blocks(im, ones, buf + 3, 17, "all-0xFF (all-ones state)", 3);

    free(buf);
    free(copy);
}

/* Digest of msg through skm_sha256_*, with the compression function replaced by `blocks` (or the
 * active one if NULL), fed in uneven pieces so that both the buffered and the direct path run. */
static void digest_with(sha256_blocks_fn blocks, const uint8_t *msg, size_t n, char hex[65])
{
    skm_sha256 s;
    uint8_t d[32];
    skm_sha256_init(&s);
    if (blocks)
        s.blocks = blocks;
    size_t i = 0, step = 1;
    while (i < n) {
        size_t k = n - i < step ? n - i : step;
        skm_sha256_update(&s, msg + i, k);
        i += k;
        step = step * 5 + 3;
    }
    skm_sha256_final(&s, d);
    skm_sha256_hex(d, hex);
}

/* The streaming hash gives the FIPS digests with each implementation and with the active table
 * (what SKILLMAT_ISA=ref vs unset would select), and they agree on long random input. */
static void test_sha256_stream(void **state)
{
    const struct impl *im = usable(state);
    static const struct {
        const char *msg;
        const char *hex;
    } fips[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
         "nopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    char got[65], ref[65], act[65];
    for (size_t i = 0; i < sizeof fips / sizeof fips[0]; ++i) {
        const uint8_t *m = (const uint8_t *)fips[i].msg;
        size_t n = strlen(fips[i].msg);
        digest_with(im->sha256_blocks, m, n, got);
        digest_with(NULL, m, n, act);
        assert_string_equal(got, fips[i].hex);
        assert_string_equal(act, fips[i].hex);
    }
    size_t n = 1000000;
    uint8_t *a = malloc(n + 7);
    assert_non_null(a);
    memset(a, 'a', n);
    digest_with(im->sha256_blocks, a, n, got);
    assert_string_equal(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    fill_random(a, n + 7);
    digest_with(sha256_blocks_ref, a + 7, n, ref);
    digest_with(im->sha256_blocks, a + 7, n, got);
    digest_with(NULL, a + 7, n, act);
    assert_string_equal(got, ref);
    assert_string_equal(act, ref);
    free(a);
}

/* ---- csv_scan ---- */

/* The independent model: is c structural for delimiter d? */
static int special(char c, char d)
{
    return memchr("\"\n\r", c, 3) != NULL || c == '\0' || c == d;
}

static size_t naive_scan(const char *p, size_t n, char d)
{
    size_t i = 0;
    while (i < n && !special(p[i], d))
        ++i;
    return i;
}

static void check_scan(const struct impl *im, const char *p, size_t n, char d, const char *what)
{
    size_t got = im->csv_scan(p, n, d), want = naive_scan(p, n, d);
    if (got != want)
        fail_msg("csv_scan/%s: %s, n %zu, delim 0x%02x: got %zu, want %zu", im->name, what, n,
                 (unsigned char)d, got, want);
}

static void test_csv_scan(void **state)
{
    const struct impl *im = usable(state);
    static const size_t lens[] = {0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65,
                                  127, 129, 255, 1023};
    static const char delims[] = {',', ';', '\t', '|'};
    const char specials[] = {'"', '\n', '\r', '\0', 0 /* the delimiter, set below */};
    enum { CAP = 1024 + 8 };
    char *buf = malloc(CAP);
    assert_non_null(buf);

    /* Empty input. */
    assert_int_equal(im->csv_scan(buf, 0, ','), 0);

    for (size_t di = 0; di < sizeof delims; ++di) {
        char d = delims[di];
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; ++li) {
            size_t n = lens[li];
            for (size_t off = 0; off < 8; ++off) {
                char *p = buf + off;
                /* No specials: plain text including the other delimiters, bytes >= 0x80 and
                 * characters next to the specials in value ('!' '#' '\t' '\v'). */
                static const char filler[] = "ab,;|\t!#\v\x80\xff\xe2\x82\xac z";
                for (size_t i = 0; i < n; ++i) {
                    p[i] = filler[(i * 7 + off) % (sizeof filler - 1)];
                    if (p[i] == d)
                        p[i] = 'x';
                }
                assert_int_equal(im->csv_scan(p, n, d), n);
                check_scan(im, p, n, d, "no specials");
                /* Each special at 0, in the middle and at n-1 (alone, then with a second one
                 * later, which must not win). */
                for (size_t si = 0; si < sizeof specials; ++si) {
                    char c = si + 1 == sizeof specials ? d : specials[si];
                    size_t pos[3] = {0, n / 2, n ? n - 1 : 0};
                    for (int k = 0; k < 3 && n; ++k) {
                        char save = p[pos[k]];
                        p[pos[k]] = c;
                        assert_int_equal(im->csv_scan(p, n, d), pos[k]);
                        check_scan(im, p, n, d, "one special");
                        if (pos[k] + 1 < n) {
                            char save2 = p[n - 1];
                            p[n - 1] = '\n';
                            assert_int_equal(im->csv_scan(p, n, d), pos[k]);
                            p[n - 1] = save2;
                        }
                        p[pos[k]] = save;
                    }
                }
                /* A special just past the end is not seen. */
                p[n] = '"';
                assert_int_equal(im->csv_scan(p, n, d), n);
            }
        }
    }

    /* Random text with sparse specials against the naive loop. */
    for (int round = 0; round < 2000; ++round) {
        size_t n = (size_t)(next_rand() % 1024), off = (size_t)(next_rand() % 8);
        char d = delims[next_rand() % sizeof delims];
        for (size_t i = 0; i < n; ++i) {
            uint64_t r = next_rand();
            buf[off + i] = (char)(r % 97 == 0 ? "\"\n\r\0,;\t|"[(r >> 8) % 8] : 'A' + (int)(r % 50));
        }
        check_scan(im, buf + off, n, d, "random");
    }
    free(buf);
}

/* ---- text_lower ---- */

/* The independent model: the bytes the kernel stops at, and the lower-casing, spelt out. */
static int text_special(unsigned c)
{
    return c >= 0x7F || c == '<' || c == '&' ||
           (c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r');
}

static void check_lower(const struct impl *im, const uint8_t *src, size_t n, const char *what)
{
    uint8_t dst[1100];
    memset(dst, 0xAA, sizeof dst);
    size_t want = 0;
    while (want < n && !text_special(src[want]))
        ++want;
    const size_t got = im->text_lower(src, dst, n);
    if (got != want)
        fail_msg("text_lower/%s: %s, n %zu: stopped at %zu, want %zu", im->name, what, n, got,
                 want);
    for (size_t i = 0; i < got; ++i) {
        const unsigned c = src[i], l = c >= 'A' && c <= 'Z' ? c + 32 : c;
        if (dst[i] != l)
            fail_msg("text_lower/%s: %s, n %zu: byte %zu is 0x%02x, want 0x%02x", im->name, what,
                     n, i, dst[i], l);
    }
    for (size_t i = n; i < sizeof dst; ++i)
        if (dst[i] != 0xAA)
            fail_msg("text_lower/%s: %s, n %zu: wrote byte %zu past the end", im->name, what, n, i);
}

static void test_text_lower(void **state)
{
    const struct impl *im = usable(state);
    uint8_t *buf = malloc(1100);
    assert_non_null(buf);
    /* every byte value alone, at every position of a 130-byte plain run */
    for (unsigned c = 0; c < 256; ++c)
        for (size_t at = 0; at < 130; at += (at < 70 ? 1 : 13)) {
            for (size_t i = 0; i < 130; ++i)
                buf[i] = (uint8_t)("Hello World, PYTHON and Go; x=1 (a/b) [z]~"[i % 42]);
            buf[at] = (uint8_t)c;
            check_lower(im, buf, 130, "one byte");
        }
    /* all lengths of a plain run, odd starts */
    for (size_t n = 0; n < 200; ++n)
        for (size_t off = 0; off < 3; ++off) {
            for (size_t i = 0; i < n; ++i)
                buf[off + i] = (uint8_t)('A' + (i * 7 + off) % 58);
            check_lower(im, buf + off, n, "plain");
        }
    /* random bytes, mostly printable */
    for (int round = 0; round < 3000; ++round) {
        const size_t n = (size_t)(next_rand() % 1024), off = (size_t)(next_rand() % 8);
        for (size_t i = 0; i < n; ++i) {
            const uint64_t r = next_rand();
            buf[off + i] = (uint8_t)(r % 211 == 0 ? (r >> 8) & 0xFF : 0x20 + (r % 95));
        }
        check_lower(im, buf + off, n, "random");
    }
    free(buf);
}

/* ---- text_classify ---- */

static void check_classify(const struct impl *im, const uint8_t *z, size_t n, const char *what)
{
    uint64_t word[20], start[20];
    memset(word, 0xAB, sizeof word);
    memset(start, 0xAB, sizeof start);
    im->text_classify(z, n, word, start);
    const size_t nw = (n + 63) / 64;
    for (size_t i = 0; i < 64 * nw; ++i) {
        const unsigned c = i < n ? z[i] : 0, p = i && i - 1 < n ? z[i - 1] : ' ';
        const int isw = i < n && ((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
                                  c >= 0x80);
        const int pw = i > 0 && ((p >= '0' && p <= '9') || ((p | 32) >= 'a' && (p | 32) <= 'z') ||
                                 p >= 0x80);
        const int punct = i < n && !isw && c != 0 && !memchr(" \t\n\v\f\r", (int)c, 6);
        const int st = (isw && !pw) || punct;
        const int gw = (int)((word[i / 64] >> (i % 64)) & 1), gs = (int)((start[i / 64] >> (i % 64)) & 1);
        if (gw != isw || gs != st)
            fail_msg("text_classify/%s: %s, n %zu: byte %zu (0x%02x): word %d want %d, start %d "
                     "want %d",
                     im->name, what, n, i, c, gw, isw, gs, st);
    }
    if (word[nw] != 0xABABABABABABABABull || start[nw] != 0xABABABABABABABABull)
        fail_msg("text_classify/%s: %s, n %zu: wrote past word %zu", im->name, what, n, nw);
}

static void test_text_classify(void **state)
{
    const struct impl *im = usable(state);
    uint8_t buf[1100];
    for (unsigned c = 0; c < 256; ++c)
        for (size_t at = 0; at < 130; at += (at < 70 ? 1 : 11)) {
            for (size_t i = 0; i < 130; ++i)
                buf[i] = (uint8_t)("hello world, c++ and go; x=1 (a/b) [z]~"[i % 40]);
            buf[at] = (uint8_t)c;
            check_classify(im, buf, 130, "one byte");
        }
    for (size_t n = 0; n < 200; ++n)
        for (size_t off = 0; off < 3; ++off) {
            for (size_t i = 0; i < n; ++i)
                buf[off + i] = (uint8_t)"ab c.d  e\xc3\xa9" "f\0-g"[(i * 7 + off) % 16];
            check_classify(im, buf + off, n, "mixed");
        }
    for (int round = 0; round < 3000; ++round) {
        const size_t n = (size_t)(next_rand() % 1024), off = (size_t)(next_rand() % 8);
        for (size_t i = 0; i < n; ++i) {
            const uint64_t r = next_rand();
            buf[off + i] = (uint8_t)(r % 5 == 0 ? ' ' : r % 97 == 0 ? (r >> 8) & 0xFF : 0x20 + (r % 95));
        }
        check_classify(im, buf + off, n, "random");
    }
}

/* ---- bitsets: and_popcount, and_popcount_tile ---- */

static const size_t word_sizes[] = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129,
                                    255, 1023};
#define N_WORD_SIZES (sizeof word_sizes / sizeof word_sizes[0])

/* The independent model: one bit at a time. */
static uint64_t naive_and_popcount(const uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; ++i)
        for (int k = 0; k < 64; ++k)
            s += (a[i] >> k) & (b[i] >> k) & 1;
    return s;
}

enum fill { FILL_RANDOM, FILL_ZERO, FILL_ONES, FILL_SPARSE, FILL_ONE_BIT, N_FILLS };
static const char *const fill_name[] = {"random", "all-zero", "all-ones", "sparse", "one bit"};

static void fill_words(uint64_t *p, size_t n, enum fill f)
{
    for (size_t i = 0; i < n; ++i) {
        switch (f) {
        case FILL_RANDOM:
            p[i] = next_rand();
            break;
        case FILL_ZERO:
            p[i] = 0;
            break;
        case FILL_ONES:
            p[i] = ~(uint64_t)0;
            break;
        case FILL_SPARSE: /* about 1 bit in 16 */
            p[i] = next_rand() & next_rand() & next_rand() & next_rand();
            break;
        default:
            p[i] = i + 1 == n ? (uint64_t)1 << 63 : 0; /* only the very last bit */
            break;
        }
    }
}

/* Each operand is placed at the END of its own exact-size allocation, `off` words in, so that
 * ASan sees any read past n_words; offsets 1..7 give starts that are not 64-byte aligned. */
static void test_and_popcount(void **state)
{
    const struct impl *im = usable(state);
    for (size_t s = 0; s < N_WORD_SIZES; ++s) {
        const size_t n = word_sizes[s];
        for (size_t off = 0; off < 8; ++off) {
            for (int fa = 0; fa < N_FILLS; ++fa) {
                const int fb = (fa + (int)off) % N_FILLS;
                uint64_t *ba = malloc((off + n) * 8 + 8), *bb = malloc((off + n) * 8 + 8);
                assert_non_null(ba);
                assert_non_null(bb);
                uint64_t *a = ba + off, *b = bb + off;
                fill_words(a, n, (enum fill)fa);
                fill_words(b, n, (enum fill)fb);
                const uint64_t want = naive_and_popcount(a, b, n);
                const uint64_t got = im->and_popcount(a, b, n);
                if (got != want)
                    fail_msg("and_popcount/%s: n_words %zu, offset %zu, %s & %s: got %llu, want "
                             "%llu", im->name, n, off, fill_name[fa], fill_name[fb],
                             (unsigned long long)got, (unsigned long long)want);
                /* a & a, and a & ~a (zero). */
                assert_int_equal(im->and_popcount(a, a, n), naive_and_popcount(a, a, n));
                for (size_t i = 0; i < n; ++i)
                    b[i] = ~a[i];
                assert_int_equal(im->and_popcount(a, b, n), 0);
                free(ba);
                free(bb);
            }
        }
    }
    /* Ones everywhere: the count is exactly 64 n (the largest sums the lanes must carry). */
    size_t n = 1 << 16;
    uint64_t *a = malloc(n * 8);
    assert_non_null(a);
    memset(a, 0xFF, n * 8);
    assert_int_equal(im->and_popcount(a, a, n), 64 * (uint64_t)n);
    assert_int_equal(im->and_popcount(a + 3, a + 5, n - 5), 64 * (uint64_t)(n - 5));
    free(a);
}

/* Tiles of na x nb bitsets at stride ld (n_words plus padding), C with a frame of guard cells
 * that must survive, C pre-filled (the kernel accumulates). Compared with the naive pair loop. */
static void check_tile(const struct impl *im, size_t na, size_t nb, size_t n_words, size_t pad,
                       size_t off, int same)
{
    const size_t lda = n_words + pad, ldb = n_words + pad + (same ? 0 : 1);
    const size_t ldc = nb + 3, ra = same && nb > na ? nb : na; /* rows of A */
    uint64_t *ba = malloc((off + ra * lda) * 8 + 8), *bb = malloc((off + nb * ldb) * 8 + 8);
    uint64_t *C = malloc((na + 2) * ldc * 8), *W = malloc((na + 2) * ldc * 8);
    assert_non_null(ba);
    assert_non_null(bb);
    assert_non_null(C);
    assert_non_null(W);
    uint64_t *A = ba + off, *B = same ? A : bb + off;
    const size_t ldB = same ? lda : ldb;
    for (size_t i = 0; i < ra; ++i)
        fill_words(A + i * lda, lda, (enum fill)((i + n_words) % N_FILLS));
    if (!same)
        for (size_t j = 0; j < nb; ++j)
            fill_words(B + j * ldb, ldb, (enum fill)((j * 3 + pad) % N_FILLS));
    for (size_t i = 0; i < (na + 2) * ldc; ++i)
        C[i] = W[i] = next_rand() >> 8;
    /* The tile sits at row 1, column 1 of the C buffer. */
    for (size_t i = 0; i < na; ++i)
        for (size_t j = 0; j < nb; ++j)
            W[(i + 1) * ldc + j + 1] += naive_and_popcount(A + i * lda, B + j * ldB, n_words);
    im->and_popcount_tile(A, lda, na, B, ldB, nb, n_words, C + ldc + 1, ldc);
    for (size_t i = 0; i < (na + 2) * ldc; ++i)
        if (C[i] != W[i])
            fail_msg("and_popcount_tile/%s: %zu x %zu, n_words %zu, pad %zu, offset %zu%s: C "
                     "cell %zu (row %zu col %zu of the frame) is %llu, want %llu", im->name, na,
                     nb, n_words, pad, off, same ? ", A = B" : "", i, i / ldc, i % ldc,
                     (unsigned long long)C[i], (unsigned long long)W[i]);
    free(ba);
    free(bb);
    free(C);
    free(W);
}

static void test_and_popcount_tile(void **state)
{
    const struct impl *im = usable(state);
    static const size_t shapes[][2] = {{1, 1}, {1, 5}, {5, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 7},
                                       {8, 4}, {4, 8}, {9, 13}, {16, 16}, {7, 3}, {0, 4}, {4, 0}};
    static const size_t nws[] = {0, 1, 3, 7, 8, 9, 17, 33, 65, 129, 255};
    for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; ++sh)
        for (size_t w = 0; w < sizeof nws / sizeof nws[0]; ++w)
            for (size_t pad = 0; pad < 2; ++pad) {
                const size_t off = (sh + w + pad) % 8;
                check_tile(im, shapes[sh][0], shapes[sh][1], nws[w], pad * 5, off, 0);
                check_tile(im, shapes[sh][0], shapes[sh][1], nws[w], pad * 8, off, 1);
            }
    /* Long rows: several Harley-Seal blocks and AVX-512 passes (KC = 512 words). */
    check_tile(im, 6, 5, 1023, 1, 3, 0);
    check_tile(im, 4, 4, 1100, 8, 0, 1);
    check_tile(im, 5, 6, 2 * 512 + 3, 0, 1, 0);
}

/* ---- CSR test data ---- */

/* A random CSR block: n rows over p skills, mostly ~k skills per row drawn with weight about
 * 1/rank, plus edge rows: empty rows, rows with one skill (the first, the last), and a row with
 * every skill. Also frequency counts (1..4) and double values and weights. */
struct csr {
    size_t n, p;
    int64_t *indptr;
    int32_t *indices, *counts;
    double *values, *w;
};

static void csr_free(struct csr *m)
{
    free(m->indptr);
    free(m->indices);
    free(m->counts);
    free(m->values);
    free(m->w);
}

static struct csr csr_random(size_t n, size_t p, size_t k)
{
    struct csr m = {n, p, NULL, NULL, NULL, NULL, NULL};
    size_t cap = n * (2 * k + 1) + (n / 17 + 1) * p + 8; /* incl. the every-skill rows */
    m.indptr = malloc((n + 1) * sizeof *m.indptr);
    m.indices = malloc(cap * sizeof *m.indices);
    m.counts = malloc(cap * sizeof *m.counts);
    m.values = malloc(cap * sizeof *m.values);
    m.w = malloc((n + 1) * sizeof *m.w);
    unsigned char *seen = calloc(p + 1, 1);
    assert_true(m.indptr && m.indices && m.counts && m.values && m.w && seen);
    size_t nnz = 0;
    m.indptr[0] = 0;
    for (size_t r = 0; r < n; ++r) {
        memset(seen, 0, p);
        size_t kind = r % 17;
        if (kind == 3) {
            /* empty row */
        } else if (kind == 5 && p) {
            seen[0] = 1;
        } else if (kind == 7 && p) {
            seen[p - 1] = 1;
        } else if (kind == 11 && r % 2 && p) {
            memset(seen, 1, p);
        } else if (p) {
            size_t want = 1 + (size_t)(next_rand() % (2 * k));
            for (size_t t = 0; t < want; ++t) {
                /* rank ~ 1/u: skill (p+1)^u - 1 style, cheaply: pick from a shrinking prefix. */
                size_t lim = 1 + (size_t)(next_rand() % p);
                seen[(size_t)(next_rand() % lim)] = 1;
            }
        }
        for (size_t j = 0; j < p; ++j)
            if (seen[j]) {
                m.indices[nnz] = (int32_t)j;
                m.counts[nnz] = 1 + (int32_t)(next_rand() % 4);
                m.values[nnz] = (double)(int64_t)(next_rand() % 2001 - 1000) / 256.0;
                ++nnz;
            }
        m.indptr[r + 1] = (int64_t)nnz;
        m.w[r] = 0.25 + (double)(next_rand() % 1000) / 100.0;
    }
    free(seen);
    return m;
}

/* Dense X (n x p) with X[r][j] = count (or 1 for presence), int64. */
static int64_t *csr_dense(const struct csr *m, int weighted)
{
    int64_t *X = calloc(m->n * m->p + 1, sizeof *X);
    assert_non_null(X);
    for (size_t r = 0; r < m->n; ++r)
        for (int64_t k = m->indptr[r]; k < m->indptr[r + 1]; ++k)
            X[r * m->p + (size_t)m->indices[k]] = weighted ? m->counts[k] : 1;
    return X;
}

/* ---- csr_to_bitsets ---- */

static void test_csr_to_bitsets(void **state)
{
    (void)state;
    static const size_t ns[] = {0, 1, 63, 64, 65, 200, 511, 512, 777};
    static const size_t ps[] = {1, 5, 64, 130};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a)
        for (size_t b = 0; b < sizeof ps / sizeof ps[0]; ++b) {
            const size_t n = ns[a], p = ps[b];
            struct csr m = csr_random(n, p, 6);
            int64_t *X = csr_dense(&m, 0);
            /* Stride: the contract's padded one (multiple of 8 words) and a tight odd one. */
            for (int tight = 0; tight < 2; ++tight) {
                size_t words = (n + 63) / 64;
                size_t ld = tight ? words + (words % 2 == 0) : (words + 7) / 8 * 8 + 8;
                uint64_t *bits = calloc(p * ld + 1, 8);
                assert_non_null(bits);
                bits[p * ld] = 0x5A5A; /* guard */
                csr_to_bitsets_ref(m.indptr, m.indices, n, bits, ld);
                for (size_t j = 0; j < p; ++j)
                    for (size_t w = 0; w < ld; ++w)
                        for (size_t bit = 0; bit < 64; ++bit) {
                            size_t r = w * 64 + bit;
                            uint64_t want = r < n ? (uint64_t)(X[r * p + j] != 0) : 0;
                            if (((bits[j * ld + w] >> bit) & 1) != want)
                                fail_msg("csr_to_bitsets: n %zu p %zu ld %zu: skill %zu row %zu", n,
                                         p, ld, j, r);
                        }
                assert_int_equal(bits[p * ld], 0x5A5A);
                free(bits);
            }
            /* A later block: rows 37.. through indptr + 37 (indptr[0] != 0). */
            if (n > 37) {
                size_t nb = n - 37, ld = (nb + 63) / 64;
                uint64_t *bits = calloc(p * ld, 8);
                assert_non_null(bits);
                csr_to_bitsets_ref(m.indptr + 37, m.indices, nb, bits, ld);
                for (size_t j = 0; j < p; ++j)
                    for (size_t r = 0; r < nb; ++r)
                        assert_int_equal((bits[j * ld + r / 64] >> (r % 64)) & 1,
                                         X[(r + 37) * p + j] != 0);
                free(bits);
            }
            free(X);
            csr_free(&m);
        }
}

/* ---- sparse Gram ---- */

/* Naive XᵀX of a dense n x p int64 matrix (triple loop). */
static int64_t *dense_gram(const int64_t *X, size_t n, size_t p)
{
    int64_t *G = calloc(p * p + 1, sizeof *G);
    assert_non_null(G);
    for (size_t i = 0; i < p; ++i)
        for (size_t j = 0; j < p; ++j)
            for (size_t r = 0; r < n; ++r)
                G[i * p + j] += X[r * p + i] * X[r * p + j];
    return G;
}

#define GUARD32 ((int32_t)0x7EADBEEF)

/* The i32 Gram (presence and frequency) against the dense triple loop, bit-exact; the lower
 * triangle and the padding columns keep their guard value; then C t == Xᵀ(X t) for a random t,
 * with C the symmetrised upper triangle. The same block through the bitset path
 * (csr_to_bitsets + and_popcount_tile of the active table) gives the presence counts too. */
static void check_gram_i32(size_t n, size_t p, size_t k, int weighted)
{
    struct csr m = csr_random(n, p, k);
    int64_t *X = csr_dense(&m, weighted);
    int64_t *W = dense_gram(X, n, p);
    const size_t ldg = p + 3;
    int32_t *G = malloc((p * ldg + 1) * sizeof *G);
    assert_non_null(G);
    for (size_t i = 0; i < p * ldg + 1; ++i)
        G[i] = GUARD32;
    for (size_t i = 0; i < p; ++i)
        for (size_t j = i; j < p; ++j)
            G[i * ldg + j] = 0;
    /* Two calls (rows [0, h) then [h, n)), to use indptr[0] != 0 and accumulation. */
    const size_t h = n / 3;
    sparse_gram_i32_ref(m.indptr, m.indices, weighted ? m.counts : NULL, h, 0, (int32_t)p, G,
                        ldg, NULL);
    sparse_gram_i32_ref(m.indptr + h, m.indices, weighted ? m.counts : NULL, n - h, 0,
                        (int32_t)p, G, ldg, NULL);
    for (size_t i = 0; i < p; ++i)
        for (size_t j = 0; j < ldg && i * ldg + j < p * ldg; ++j) {
            int64_t want = j >= i && j < p ? W[i * p + j] : GUARD32;
            if (G[i * ldg + j] != want)
                fail_msg("sparse_gram_i32 (%s): n %zu p %zu: G[%zu][%zu] = %d, want %lld",
                         weighted ? "frequency" : "presence", n, p, i, j, G[i * ldg + j],
                         (long long)want);
        }
    assert_int_equal(G[p * ldg], GUARD32);

    /* Identity: C t == Xᵀ (X t). */
    int64_t *t = malloc((p + 1) * sizeof *t), *Xt = calloc(n + 1, sizeof *Xt);
    assert_true(t && Xt);
    for (size_t j = 0; j < p; ++j)
        t[j] = (int64_t)(next_rand() % 201) - 100;
    for (size_t r = 0; r < n; ++r)
        for (size_t j = 0; j < p; ++j)
            Xt[r] += X[r * p + j] * t[j];
    for (size_t i = 0; i < p; ++i) {
        int64_t ct = 0, xtxt = 0;
        for (size_t j = 0; j < p; ++j)
            ct += (int64_t)(j >= i ? G[i * ldg + j] : G[j * ldg + i]) * t[j];
        for (size_t r = 0; r < n; ++r)
            xtxt += X[r * p + i] * Xt[r];
        if (ct != xtxt)
            fail_msg("sparse_gram_i32: (C t)[%zu] = %lld but (Xᵀ(X t))[%zu] = %lld", i,
                     (long long)ct, i, (long long)xtxt);
    }

    /* Bands: rows [lo, hi) of the triangle, stored from column lo on with a padded ldb, in
     * three bands that tile [0, p) plus an empty band; every written cell equals the whole
     * triangle's, and nothing outside the band's upper part is touched. */
    {
        const int32_t cuts[4] = {0, (int32_t)(p / 3), (int32_t)(p - p / 4), (int32_t)p};
        for (int bnd = 0; bnd < 4; ++bnd) {
            const int32_t lo = bnd < 3 ? cuts[bnd] : (int32_t)p, hi = bnd < 3 ? cuts[bnd + 1]
                                                                              : (int32_t)p;
            const size_t rows = (size_t)(hi - lo), ldb = p - (size_t)lo + 2;
            int32_t *B = malloc((rows * ldb + 1) * sizeof *B);
            assert_non_null(B);
            for (size_t i = 0; i < rows * ldb + 1; ++i)
                B[i] = GUARD32;
            for (size_t i = 0; i < rows; ++i)
                for (size_t j = i; j < p - (size_t)lo; ++j)
                    B[i * ldb + j] = 0;
            sparse_gram_i32_ref(m.indptr, m.indices, weighted ? m.counts : NULL, n, lo, hi, B,
                                ldb, NULL);
            for (size_t i = 0; i < rows; ++i)
                for (size_t j = 0; j < ldb; ++j) {
                    size_t gi = (size_t)lo + i, gj = (size_t)lo + j;
                    int64_t want = j >= i && gj < p ? W[gi * p + gj] : GUARD32;
                    if (B[i * ldb + j] != want)
                        fail_msg("sparse_gram_i32 band [%d, %d) (%s): n %zu p %zu: G[%zu][%zu] "
                                 "= %d, want %lld",
                                 lo, hi, weighted ? "frequency" : "presence", n, p, gi, gj,
                                 B[i * ldb + j], (long long)want);
                }
            assert_int_equal(B[rows * ldb], GUARD32);
            free(B);
        }
    }

    /* diag: the diagonal goes to its own array (band [lo, p) from p / 3), G gets only the pairs
     * k < l: G's diagonal cells keep their guard value. */
    {
        const int32_t lo = (int32_t)(p / 3);
        const size_t rows = p - (size_t)lo, ldb = rows + 1;
        int32_t *B = malloc((rows * ldb + 1) * sizeof *B), *D = malloc((rows + 1) * sizeof *D);
        assert_true(B && D);
        for (size_t i = 0; i < rows * ldb + 1; ++i)
            B[i] = GUARD32;
        for (size_t i = 0; i < rows; ++i) {
            D[i] = 0;
            for (size_t j = i + 1; j < rows; ++j)
                B[i * ldb + j] = 0;
        }
        D[rows] = GUARD32;
        sparse_gram_i32_ref(m.indptr, m.indices, weighted ? m.counts : NULL, n, lo, (int32_t)p,
                            B, ldb, D);
        for (size_t i = 0; i < rows; ++i) {
            const size_t gi = (size_t)lo + i;
            if (D[i] != W[gi * p + gi])
                fail_msg("sparse_gram_i32 diag (%s): n %zu p %zu: diag[%zu] = %d, want %lld",
                         weighted ? "frequency" : "presence", n, p, gi, D[i],
                         (long long)W[gi * p + gi]);
            for (size_t j = 0; j < ldb; ++j) {
                const size_t gj = (size_t)lo + j;
                int64_t want = j > i && gj < p ? W[gi * p + gj] : GUARD32;
                if (B[i * ldb + j] != want)
                    fail_msg("sparse_gram_i32 diag (%s): n %zu p %zu: G[%zu][%zu] = %d, want %lld",
                             weighted ? "frequency" : "presence", n, p, gi, gj, B[i * ldb + j],
                             (long long)want);
            }
        }
        assert_int_equal(D[rows], GUARD32);
        assert_int_equal(B[rows * ldb], GUARD32);
        free(B);
        free(D);
    }

    /* Bitset path, presence: the same counts from the active table's kernels. */
    if (!weighted) {
        const struct skm_kernels *kt = skm_kernels_active();
        size_t words = (n + 63) / 64, ld = (words + 7) / 8 * 8;
        uint64_t *bits = calloc(p * ld + 1, 8), *C = calloc(p * p + 1, 8);
        assert_true(bits && C);
        kt->csr_to_bitsets(m.indptr, m.indices, n, bits, ld);
        kt->and_popcount_tile(bits, ld, p, bits, ld, p, words, C, p);
        for (size_t i = 0; i < p; ++i)
            for (size_t j = 0; j < p; ++j)
                if ((int64_t)C[i * p + j] != W[i * p + j])
                    fail_msg("bitset path (%s): n %zu p %zu: C[%zu][%zu] = %llu, want %lld",
                             kt->isa, n, p, i, j, (unsigned long long)C[i * p + j],
                             (long long)W[i * p + j]);
        free(bits);
        free(C);
    }
    free(t);
    free(Xt);
    free(G);
    free(W);
    free(X);
    csr_free(&m);
}

static void test_sparse_gram_i32(void **state)
{
    (void)state;
    static const size_t ns[] = {0, 1, 2, 17, 64, 65, 300};
    static const size_t ps[] = {1, 2, 7, 64, 100};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a)
        for (size_t b = 0; b < sizeof ps / sizeof ps[0]; ++b)
            for (int weighted = 0; weighted < 2; ++weighted)
                check_gram_i32(ns[a], ps[b], 5, weighted);
    check_gram_i32(1000, 33, 12, 0);
    check_gram_i32(1000, 33, 12, 1);
}

/* The f64 Gram with values and row weights (and each NULL) against a dense double triple loop;
 * relative tolerance (the summation order differs from the naive one), and the identity check. */
static void check_gram_f64(size_t n, size_t p, int use_values, int use_w)
{
    struct csr m = csr_random(n, p, 5);
    double *X = calloc(n * p + 1, sizeof *X);
    assert_non_null(X);
    for (size_t r = 0; r < n; ++r)
        for (int64_t k = m.indptr[r]; k < m.indptr[r + 1]; ++k)
            X[r * p + (size_t)m.indices[k]] = use_values ? m.values[k] : 1.0;
    const size_t ldg = p + 1;
    double *G = malloc((p * ldg + 1) * sizeof *G);
    assert_non_null(G);
    for (size_t i = 0; i < p * ldg + 1; ++i)
        G[i] = -12345.0;
    for (size_t i = 0; i < p; ++i)
        for (size_t j = i; j < p; ++j)
            G[i * ldg + j] = 0;
    /* in three bands of rows of the triangle, each into its own part of G */
    const int32_t c1 = (int32_t)(p / 3), c2 = (int32_t)(2 * p / 3), cut[4] = {0, c1, c2, (int32_t)p};
    for (int bnd = 0; bnd < 3; ++bnd)
        sparse_gram_f64_ref(m.indptr, m.indices, use_values ? m.values : NULL,
                            use_w ? m.w : NULL, n, cut[bnd], cut[bnd + 1],
                            G + (size_t)cut[bnd] * ldg + (size_t)cut[bnd], ldg);
    for (size_t i = 0; i < p; ++i)
        for (size_t j = 0; j < ldg; ++j) {
            if (j < i || j >= p) {
                assert_true(G[i * ldg + j] == -12345.0);
                continue;
            }
            double want = 0, scale = 0;
            for (size_t r = 0; r < n; ++r) {
                double term = (use_w ? m.w[r] : 1.0) * X[r * p + i] * X[r * p + j];
                want += term;
                scale += fabs(term);
            }
            assert_close(G[i * ldg + j], want, 1e-12, 1e-12 * scale);
        }
    /* Identity: C t == Xᵀ W (X t). */
    double *t = malloc((p + 1) * sizeof *t), *Xt = calloc(n + 1, sizeof *Xt);
    assert_true(t && Xt);
    for (size_t j = 0; j < p; ++j)
        t[j] = (double)(int64_t)(next_rand() % 2001 - 1000) / 100.0;
    for (size_t r = 0; r < n; ++r)
        for (size_t j = 0; j < p; ++j)
            Xt[r] += X[r * p + j] * t[j];
    for (size_t i = 0; i < p; ++i) {
        double ct = 0, xtxt = 0, scale = 0;
        for (size_t j = 0; j < p; ++j) {
            double c = j >= i ? G[i * ldg + j] : G[j * ldg + i];
            ct += c * t[j];
            scale += fabs(c * t[j]);
        }
        for (size_t r = 0; r < n; ++r)
            xtxt += (use_w ? m.w[r] : 1.0) * X[r * p + i] * Xt[r];
        assert_close(ct, xtxt, 1e-9, 1e-9 * scale + 1e-9);
    }
    free(t);
    free(Xt);
    free(G);
    free(X);
    csr_free(&m);
}

static void test_sparse_gram_f64(void **state)
{
    (void)state;
    static const size_t ns[] = {0, 1, 17, 300};
    static const size_t ps[] = {1, 7, 64};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a)
        for (size_t b = 0; b < sizeof ps / sizeof ps[0]; ++b)
            for (int v = 0; v < 2; ++v)
                for (int w = 0; w < 2; ++w)
                    check_gram_f64(ns[a], ps[b], v, w);
    /* Unit values and weights give exact integer sums: compare with the i32 kernel. */
    struct csr m = csr_random(500, 40, 8);
    double *Gd = calloc(40 * 40, sizeof *Gd);
    int32_t *Gi = calloc(40 * 40, sizeof *Gi);
    assert_true(Gd && Gi);
    sparse_gram_f64_ref(m.indptr, m.indices, NULL, NULL, 500, 0, 40, Gd, 40);
    sparse_gram_i32_ref(m.indptr, m.indices, NULL, 500, 0, 40, Gi, 40, NULL);
    for (size_t i = 0; i < 40 * 40; ++i)
        assert_true(Gd[i] == (double)Gi[i]);
    free(Gd);
    free(Gi);
    csr_free(&m);
}

/* ---- centroid gather: sparse_dots_f32, sparse_argmin_f32 ---- */

/* A random float in [-2, 2) with a full 24-bit significand (products and sums round). */
static float rand_float(void)
{
    return (float)((int64_t)(next_rand() >> 40) - ((int64_t)1 << 23)) * 0x1p-22f;
}

/* The independent model of the dot products: centroid-outer, position-inner, one float add per
 * position (the reference walks positions outer); out is n x k, dense. */
static void naive_dots(const int64_t *indptr, const int32_t *indices, const float *vals,
                       size_t n, const float *T, size_t ldt, size_t k, float *out)
{
    for (size_t r = 0; r < n; ++r)
        for (size_t c = 0; c < k; ++c) {
            float d = 0.0f;
            for (int64_t e = indptr[r]; e < indptr[r + 1]; ++e) {
                const float t = T[(size_t)indices[e] * ldt + c];
                float prod = t;
                if (vals)
                    prod = vals[e] * t;
                d = d + prod;
            }
            out[r * k + c] = d;
        }
}

/* The independent model of the label: the smallest c such that no score is below s_c (quadratic;
 * finite scores only). */
static size_t naive_label(const float *s, size_t k)
{
    for (size_t c = 0; c < k; ++c) {
        size_t j = 0;
        while (j < k && !(s[j] < s[c]))
            ++j;
        if (j == k)
            return c;
    }
    return (size_t)-1;
}

enum { METRIC_EUCLID, METRIC_SPHERE };
#define GUARD_F 12345.678f

static int same_bits(const void *a, const void *b, size_t n)
{
    return memcmp(a, b, n) == 0;
}

enum { KERN_DOTS = 1, KERN_ARGMIN = 2 };

/* One configuration: rows [r0, r0 + n) of a random CSR over p skills (empty rows, one-skill rows,
 * every-skill rows included), k centroids at stride ldt = k + pad with NaN in the padding, the
 * table and bias at the very end of exact-size allocations (ASan sees a read past column k of
 * the last skill, or past bias[k - 1]), out at stride k + 3 with guard cells. im against the
 * reference, bit for bit (dots, labels, best, guards); the reference against the naive models
 * when the case is small. ties: centroid c is a copy of centroid c % 3 (the label must then be
 * < 3, the lowest index of its group). kern: which of im's kernels to check. */
static void check_centroid(const struct impl *im, int kern, size_t n, size_t p, size_t nnz,
                           size_t k, size_t pad, int valued, int metric, int ties, size_t r0)
{
    char what[160];
    snprintf(what, sizeof what, "n %zu p %zu k %zu ldt %zu %s %s%s rows from %zu", n, p, k,
             k + pad, valued ? "valued" : "binary", metric == METRIC_EUCLID ? "euclid" : "sphere",
             ties ? " ties" : "", r0);
    struct csr m = csr_random(r0 + n, p, nnz);
    const size_t nz = (size_t)m.indptr[r0 + n], ldt = k + pad, ldo = k + 3;
    float *vals = malloc((nz + 1) * sizeof *vals);
    float *T = malloc(p * ldt * sizeof *T), *bias = malloc(k * sizeof *bias);
    float *o_ref = malloc((n * ldo + 1) * sizeof(float));
    float *o_im = malloc((n * ldo + 1) * sizeof(float));
    int32_t *l_ref = malloc((n + 1) * sizeof(int32_t)), *l_im = malloc((n + 1) * sizeof(int32_t));
    float *b_ref = malloc((n + 1) * sizeof(float)), *b_im = malloc((n + 1) * sizeof(float));
    float *s_ref = malloc((n + 1) * sizeof(float)), *s_im = malloc((n + 1) * sizeof(float));
    assert_true(vals && T && bias && o_ref && o_im && l_ref && l_im && b_ref && b_im && s_ref &&
                s_im);
    for (size_t e = 0; e < nz; ++e)
        vals[e] = rand_float();
    for (size_t j = 0; j < p; ++j)
        for (size_t c = 0; c < ldt; ++c)
            T[j * ldt + c] = c >= k ? NAN : ties && c >= 3 ? T[j * ldt + c % 3] : rand_float();
    for (size_t c = 0; c < k; ++c) {
        float b = 0.0f;
        if (metric == METRIC_EUCLID)
            for (size_t j = 0; j < p; ++j)
                b = b + T[j * ldt + c] * T[j * ldt + c];
        bias[c] = b;
    }
    const float scale = metric == METRIC_EUCLID ? -2.0f : -1.0f;
    const float *v = valued ? vals : NULL;
    const int64_t *ip = m.indptr + r0;

    for (size_t i = 0; i < n * ldo + 1; ++i)
        o_ref[i] = o_im[i] = GUARD_F;
    for (size_t i = 0; i < n + 1; ++i)
        l_ref[i] = l_im[i] = -7, b_ref[i] = b_im[i] = s_ref[i] = s_im[i] = GUARD_F;
    sparse_dots_f32_ref(ip, m.indices, v, n, T, ldt, k, o_ref, ldo);
    if (kern & KERN_DOTS)
        im->sparse_dots(ip, m.indices, v, n, T, ldt, k, o_im, ldo);
    for (size_t i = 0; i < n * ldo + 1 && (kern & KERN_DOTS); ++i)
        if (!same_bits(o_ref + i, o_im + i, sizeof(float)))
            fail_msg("sparse_dots_f32/%s: %s: out[%zu] (row %zu col %zu) is %a, ref %a", im->name,
                     what, i, i / ldo, i % ldo, (double)o_im[i], (double)o_ref[i]);
    sparse_argmin_f32_ref(ip, m.indices, v, n, T, ldt, k, bias, scale, l_ref, b_ref, s_ref);
    if (kern & KERN_ARGMIN)
        im->sparse_argmin(ip, m.indices, v, n, T, ldt, k, bias, scale, l_im, b_im, s_im);
    for (size_t r = 0; r < n + 1 && (kern & KERN_ARGMIN); ++r)
        if (l_ref[r] != l_im[r] || !same_bits(b_ref + r, b_im + r, sizeof(float)) ||
            !same_bits(s_ref + r, s_im + r, sizeof(float)))
            fail_msg("sparse_argmin_f32/%s: %s: row %zu: label %d best %a second %a, ref label "
                     "%d best %a second %a",
                     im->name, what, r, l_im[r], (double)b_im[r], (double)s_im[r], l_ref[r],
                     (double)b_ref[r], (double)s_ref[r]);
    for (size_t r = 0; r < n; ++r)
        assert_true(l_ref[r] >= 0 && (size_t)l_ref[r] < (ties && k > 3 ? 3 : k));

    /* The reference against the naive models (small cases). */
    if (n * k * k <= 64 * 300 * 300 && n <= 64) {
        float *dn = malloc((n * k + 1) * sizeof *dn), *sc = malloc((k + 1) * sizeof *sc);
        assert_true(dn && sc);
        naive_dots(ip, m.indices, v, n, T, ldt, k, dn);
        for (size_t r = 0; r < n; ++r) {
            if (!same_bits(dn + r * k, o_ref + r * ldo, k * sizeof(float)))
                fail_msg("sparse_dots_f32_ref: %s: row %zu differs from the naive loop", what, r);
            for (size_t c = 0; c < k; ++c) {
                const float prod = scale * dn[r * k + c];
                sc[c] = bias[c] + prod;
            }
            const size_t want = naive_label(sc, k);
            float s2 = INFINITY; /* the least score of the other centroids */
            for (size_t c = 0; c < k; ++c)
                if (c != want && sc[c] < s2)
                    s2 = sc[c];
            if ((size_t)l_ref[r] != want || !same_bits(b_ref + r, sc + want, sizeof(float)) ||
                s_ref[r] != s2)
                fail_msg("sparse_argmin_f32_ref: %s: row %zu: label %d best %a second %a, naive "
                         "%zu %a %a",
                         what, r, l_ref[r], (double)b_ref[r], (double)s_ref[r], want,
                         (double)sc[want], (double)s2);
        }
        free(dn);
        free(sc);
    }
    free(vals), free(T), free(bias), free(o_ref), free(o_im);
    free(l_ref), free(l_im), free(b_ref), free(b_im), free(s_ref), free(s_im);
    csr_free(&m);
}

static const size_t centroid_ks[] = {1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100,
                                     127, 128, 129, 257, 300};
#define N_CENTROID_KS (sizeof centroid_ks / sizeof centroid_ks[0])

static void run_centroid(const struct impl *im, int kern)
{
    for (size_t a = 0; a < N_CENTROID_KS; ++a) {
        const size_t k = centroid_ks[a];
        for (int valued = 0; valued < 2; ++valued)
            for (size_t pad = 0; pad < 2; ++pad) {
                /* ldt = k (tight, the table at the end of its allocation) or padded with NaN up to
                 * a multiple of 16 plus 16, as the caller pads. */
                const size_t padn = pad ? (16 - k % 16) % 16 + 16 : 0;
                const int metric = (int)((a + pad) % 2);
                check_centroid(im, kern, 60, 40, 4, k, padn, valued, metric, 0, 0);
                check_centroid(im, kern, 37, 300, 12, k, padn, valued, 1 - metric, 0, 5);
                check_centroid(im, kern, 40, 23, 6, k, padn, valued, metric, 1, 3);
            }
    }
    /* No rows; one row; many rows (several row chunks of the SIMD versions) at large k. */
    for (int valued = 0; valued < 2; ++valued) {
        check_centroid(im, kern, 0, 10, 3, 5, 0, valued, METRIC_EUCLID, 0, 0);
        check_centroid(im, kern, 0, 10, 3, 300, 4, valued, METRIC_SPHERE, 0, 2);
        check_centroid(im, kern, 1, 10, 3, 17, 0, valued, METRIC_EUCLID, 0, 0);
        check_centroid(im, kern, 700, 64, 6, 33, 15, valued, METRIC_EUCLID, 0, 1);
        check_centroid(im, kern, 600, 64, 6, 1000, 8, valued, METRIC_SPHERE, 0, 0);
        check_centroid(im, kern, 300, 50, 5, 1000, 0, valued, METRIC_EUCLID, 1, 0);
    }
}

static void test_sparse_dots_f32(void **state)
{
    run_centroid(usable(state), KERN_DOTS);
}

static void test_sparse_centroid_edges(const struct impl *im);

static void test_sparse_argmin_f32(void **state)
{
    const struct impl *im = usable(state);
    run_centroid(im, KERN_ARGMIN);
    test_sparse_centroid_edges(im);
}

/* Edge scores: identical centroids (label 0), +0 / -0 ties (bias -0.0 beside +0.0, empty rows:
 * best must be the earliest zero's bits), ties across the SIMD blocks, NaN scores (outside the
 * contract, but the SIMD versions promise the reference's answer there too). */
static void test_sparse_centroid_edges(const struct impl *im)
{
    static const size_t ks[] = {1, 3, 8, 16, 17, 40, 64, 129, 300};
    const size_t n = 40, p = 12;
    struct csr m = csr_random(n, p, 3);
    const size_t nz = (size_t)m.indptr[n];
    float *vals = malloc((nz + 1) * sizeof *vals);
    assert_non_null(vals);
    for (size_t e = 0; e < nz; ++e)
        vals[e] = rand_float();
    for (size_t a = 0; a < sizeof ks / sizeof ks[0]; ++a) {
        const size_t k = ks[a], ldt = k + 1;
        float *T = malloc(p * ldt * sizeof *T), *bias = malloc(k * sizeof *bias);
        int32_t l_ref[40], l_im[40];
        float b_ref[40], b_im[40], s_ref[40], s_im[40];
        assert_true(T && bias);
        for (int scen = 0; scen < 6; ++scen) {
            for (size_t j = 0; j < p; ++j) {
                const float t = rand_float();
                for (size_t c = 0; c < ldt; ++c)
                    T[j * ldt + c] = c == k                   ? NAN
                                     : scen == 0              ? t
                                     : scen == 1 || scen == 2 ? 0.0f
                                                              : rand_float();
            }
            for (size_t c = 0; c < k; ++c)
                bias[c] = 1.0f;
            switch (scen) {
            case 0: /* identical centroids */
                break;
            case 1: /* zero table, bias +0 / -0 alternating: every score a zero */
                for (size_t c = 0; c < k; ++c)
                    bias[c] = c % 2 ? -0.0f : 0.0f;
                break;
            case 2: /* the same, starting with -0 */
                for (size_t c = 0; c < k; ++c)
                    bias[c] = c % 2 ? 0.0f : -0.0f;
                break;
            case 3: /* the last centroid copied to the front half: ties across blocks */
                for (size_t j = 0; j < p; ++j)
                    for (size_t c = 0; c < k / 2; ++c)
                        T[j * ldt + c * 2] = T[j * ldt + k - 1];
                break;
            case 4: /* a NaN score at 0 */
                bias[0] = NAN;
                break;
            default: /* NaN scores in the middle and at the end */
                bias[k / 2] = NAN;
                bias[k - 1] = NAN;
                break;
            }
            for (int valued = 0; valued < 2; ++valued)
                for (int sc = 0; sc < 2; ++sc) {
                    const float scale = sc ? -1.0f : -2.0f;
                    const float *v = valued ? vals : NULL;
                    sparse_argmin_f32_ref(m.indptr, m.indices, v, n, T, ldt, k, bias, scale,
                                          l_ref, b_ref, s_ref);
                    im->sparse_argmin(m.indptr, m.indices, v, n, T, ldt, k, bias, scale, l_im,
                                      b_im, s_im);
                    for (size_t r = 0; r < n; ++r)
                        if (l_ref[r] != l_im[r] || !same_bits(b_ref + r, b_im + r, sizeof(float)) ||
                            !same_bits(s_ref + r, s_im + r, sizeof(float)))
                            fail_msg("sparse_argmin_f32/%s: k %zu, case %d, %s, scale %g: row %zu: "
                                     "label %d best %a, ref %d %a", im->name, k, scen,
                                     valued ? "valued" : "binary", (double)scale, r, l_im[r],
                                     (double)b_im[r], l_ref[r], (double)b_ref[r]);
                    if (scen == 0 || scen == 4)
                        for (size_t r = 0; r < n; ++r)
                            assert_int_equal(l_ref[r], 0);
                    if (scen == 1 || scen == 2)
                        for (size_t r = 0; r < n; ++r) {
                            assert_int_equal(l_ref[r], 0);
                            assert_true(same_bits(b_ref + r, bias, sizeof(float)));
                        }
                }
        }
        free(T);
        free(bias);
    }
    free(vals);
    csr_free(&m);
}

/* ---- dispatch ---- */

static void test_dispatch(void **state)
{
    (void)state;
    const struct skm_kernels *k = skm_kernels_active();
    assert_non_null(k);
    assert_ptr_equal(k, skm_kernels_active());
    assert_non_null(k->isa);
    assert_non_null(k->csv_scan);
    assert_non_null(k->sha256_blocks);
    assert_ptr_equal(skm_kernels_ref.csv_scan, csv_scan_ref);
    assert_ptr_equal(skm_kernels_ref.sha256_blocks, sha256_blocks_ref);

    uint32_t f = skm_cpu_features();
    assert_int_equal(f, skm_cpu_features());
    /* Usable means OS-saved: no AVX-class bit without its register state. */
    if (f & (SKM_CPU_AVX | SKM_CPU_AVX2))
        assert_true(f & SKM_CPU_OS_YMM);
    if (f & (SKM_CPU_AVX512F | SKM_CPU_AVX512BW | SKM_CPU_AVX512VL | SKM_CPU_AVX512VPOPCNTDQ))
        assert_true((f & SKM_CPU_OS_ZMM) && (f & SKM_CPU_AVX512F));
    if (f & SKM_CPU_OS_ZMM)
        assert_true(f & SKM_CPU_OS_YMM);

    const char *req = getenv("SKILLMAT_ISA");
    printf("      SKILLMAT_ISA=%s: table \"%s\", cpu features 0x%08x, isa error %d\n",
           req ? req : "(unset)", k->isa, (unsigned)f, skm_kernels_isa_error());

    /* What this build and CPU can run, level by level. */
    int can_avx2 = 0, can_avx512 = 0, can_shani = 0;
#ifdef SKM_KERNELS_X86
    const uint32_t need_shani = SKM_CPU_SHA | SKM_CPU_SSSE3 | SKM_CPU_SSE41;
    can_shani = (f & need_shani) == need_shani;
#endif
#ifdef SKM_KERNELS_AVX2
    can_avx2 = (f & SKM_ISA_NEEDS_AVX2) == SKM_ISA_NEEDS_AVX2;
#endif
#ifdef SKM_KERNELS_AVX512
    can_avx512 = (f & SKM_ISA_NEEDS_AVX512) == SKM_ISA_NEEDS_AVX512;
#endif
    /* The expected level and error for this setting. */
    const char *level = "ref";
    int err = 0, pure_ref = 0;
    if (!req || !*req) {
        level = can_avx512 ? "avx512" : can_avx2 ? "avx2" : "ref";
    } else if (strcmp(req, "ref") == 0) {
        pure_ref = 1;
    } else if (strcmp(req, "avx2") == 0 || strcmp(req, "avx512") == 0) {
        int is512 = req[3] == '5', built = 0;
#ifdef SKM_KERNELS_AVX2
        built |= !is512;
#endif
#ifdef SKM_KERNELS_AVX512
        built |= is512;
#endif
        if (!built)
            err = SKM_ISA_ERR_BUILD;
        else if (!(is512 ? can_avx512 : can_avx2))
            err = SKM_ISA_ERR_CPU;
        if (err)
            pure_ref = 1;
        else
            level = req;
    } else {
        err = SKM_ISA_ERR_UNKNOWN;
        pure_ref = 1;
    }
    assert_int_equal(skm_kernels_isa_error(), err);
    char want[32];
    snprintf(want, sizeof want, "%s%s", level, !pure_ref && can_shani ? "+shani" : "");
    assert_string_equal(k->isa, want);
#ifdef SKM_KERNELS_X86
    assert_ptr_equal(k->sha256_blocks,
                     !pure_ref && can_shani ? sha256_blocks_shani : sha256_blocks_ref);
#else
    assert_ptr_equal(k->sha256_blocks, sha256_blocks_ref);
#endif
    and_popcount_fn want_ap = and_popcount_ref;
    and_popcount_tile_fn want_tile = and_popcount_tile_ref;
#ifdef SKM_KERNELS_AVX2
    if (strcmp(level, "avx2") == 0)
        want_ap = and_popcount_avx2, want_tile = and_popcount_tile_avx2;
#endif
#ifdef SKM_KERNELS_AVX512
    if (strcmp(level, "avx512") == 0)
        want_ap = and_popcount_avx512, want_tile = and_popcount_tile_avx512;
#endif
    assert_ptr_equal(k->and_popcount, want_ap);
    assert_ptr_equal(k->and_popcount_tile, want_tile);
    sparse_dots_fn want_dots = sparse_dots_f32_ref;
    sparse_argmin_fn want_argmin = sparse_argmin_f32_ref;
#ifdef SKM_KERNELS_AVX2
    if (strcmp(level, "avx2") == 0)
        want_dots = sparse_dots_f32_avx2, want_argmin = sparse_argmin_f32_avx2;
#endif
#ifdef SKM_KERNELS_AVX512
    if (strcmp(level, "avx512") == 0)
        want_dots = sparse_dots_f32_avx512, want_argmin = sparse_argmin_f32_avx512;
#endif
    assert_ptr_equal(k->sparse_dots_f32, want_dots);
    assert_ptr_equal(k->sparse_argmin_f32, want_argmin);
    assert_ptr_equal(skm_kernels_ref.sparse_dots_f32, sparse_dots_f32_ref);
    assert_ptr_equal(skm_kernels_ref.sparse_argmin_f32, sparse_argmin_f32_ref);
    csv_scan_fn want_scan = csv_scan_ref;
    text_lower_fn want_lower = text_lower_ref;
#ifdef SKM_KERNELS_AVX2
    if (strcmp(level, "avx2") == 0)
        want_scan = csv_scan_avx2, want_lower = text_lower_avx2;
#endif
#ifdef SKM_KERNELS_AVX512
    if (strcmp(level, "avx512") == 0)
        want_scan = csv_scan_avx512, want_lower = text_lower_avx512;
#endif
    assert_ptr_equal(k->csv_scan, want_scan);
    assert_ptr_equal(k->text_lower, want_lower);
    text_classify_fn want_cls = text_classify_ref;
#ifdef SKM_KERNELS_AVX2
    if (strcmp(level, "avx2") == 0)
        want_cls = text_classify_avx2;
#endif
#ifdef SKM_KERNELS_AVX512
    if (strcmp(level, "avx512") == 0)
        want_cls = text_classify_avx512;
#endif
    assert_ptr_equal(k->text_classify, want_cls);
    /* No SIMD versions of these (docs/kernels.md says why): the reference at every level. */
    assert_ptr_equal(k->csr_to_bitsets, csr_to_bitsets_ref);
    assert_ptr_equal(k->sparse_gram_i32, sparse_gram_i32_ref);
    assert_ptr_equal(k->sparse_gram_f64, sparse_gram_f64_ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"sha256_blocks/ref", test_sha256_blocks, NULL, NULL, &impl_ref},
        {"sha256_stream/ref", test_sha256_stream, NULL, NULL, &impl_ref},
#ifdef SKM_KERNELS_X86
        {"sha256_blocks/shani", test_sha256_blocks, NULL, NULL, &impl_shani},
        {"sha256_stream/shani", test_sha256_stream, NULL, NULL, &impl_shani},
#endif
        {"csv_scan/ref", test_csv_scan, NULL, NULL, &impl_ref},
        {"text_lower/ref", test_text_lower, NULL, NULL, &impl_ref},
        {"text_classify/ref", test_text_classify, NULL, NULL, &impl_ref},
#ifdef SKM_KERNELS_AVX2
        {"csv_scan/avx2", test_csv_scan, NULL, NULL, &impl_avx2},
        {"text_lower/avx2", test_text_lower, NULL, NULL, &impl_avx2},
        {"text_classify/avx2", test_text_classify, NULL, NULL, &impl_avx2},
#endif
#ifdef SKM_KERNELS_AVX512
        {"csv_scan/avx512", test_csv_scan, NULL, NULL, &impl_avx512},
        {"text_lower/avx512", test_text_lower, NULL, NULL, &impl_avx512},
        {"text_classify/avx512", test_text_classify, NULL, NULL, &impl_avx512},
#endif
        {"csv_scan/active", test_csv_scan, NULL, NULL, &impl_active},
        {"text_lower/active", test_text_lower, NULL, NULL, &impl_active},
        {"text_classify/active", test_text_classify, NULL, NULL, &impl_active},
        {"and_popcount/ref", test_and_popcount, NULL, NULL, &impl_ref},
        {"and_popcount_tile/ref", test_and_popcount_tile, NULL, NULL, &impl_ref},
#ifdef SKM_KERNELS_AVX2
        {"and_popcount/avx2", test_and_popcount, NULL, NULL, &impl_avx2},
        {"and_popcount_tile/avx2", test_and_popcount_tile, NULL, NULL, &impl_avx2},
#endif
#ifdef SKM_KERNELS_AVX512
        {"and_popcount/avx512", test_and_popcount, NULL, NULL, &impl_avx512},
        {"and_popcount_tile/avx512", test_and_popcount_tile, NULL, NULL, &impl_avx512},
#endif
        {"csr_to_bitsets/ref", test_csr_to_bitsets, NULL, NULL, NULL},
        {"sparse_gram_i32/ref", test_sparse_gram_i32, NULL, NULL, NULL},
        {"sparse_gram_f64/ref", test_sparse_gram_f64, NULL, NULL, NULL},
        {"sparse_dots_f32/ref", test_sparse_dots_f32, NULL, NULL, &impl_ref},
        {"sparse_argmin_f32/ref", test_sparse_argmin_f32, NULL, NULL, &impl_ref},
#ifdef SKM_KERNELS_AVX2
        {"sparse_dots_f32/avx2", test_sparse_dots_f32, NULL, NULL, &impl_avx2},
        {"sparse_argmin_f32/avx2", test_sparse_argmin_f32, NULL, NULL, &impl_avx2},
#endif
#ifdef SKM_KERNELS_AVX512
        {"sparse_dots_f32/avx512", test_sparse_dots_f32, NULL, NULL, &impl_avx512},
        {"sparse_argmin_f32/avx512", test_sparse_argmin_f32, NULL, NULL, &impl_avx512},
#endif
        {"sparse_dots_f32/active", test_sparse_dots_f32, NULL, NULL, &impl_active},
        {"sparse_argmin_f32/active", test_sparse_argmin_f32, NULL, NULL, &impl_active},
        cmocka_unit_test(test_dispatch),
    };
    const struct skm_kernels *act = skm_kernels_active();
    impl_active.sparse_dots = act->sparse_dots_f32;
    impl_active.sparse_argmin = act->sparse_argmin_f32;
    impl_active.csv_scan = act->csv_scan;
    impl_active.text_lower = act->text_lower;
    impl_active.text_classify = act->text_classify;
    return cmocka_run_group_tests_name("kernels", tests, NULL, NULL);
}
