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
 * ctest runs this binary three times: SKILLMAT_ISA unset, =ref and =bogus (tests/CMakeLists.txt);
 * test_dispatch checks that the chosen table matches each setting.
 */
#include "test_util.h"

#include "core/core.h"
#include "kernels/kernels.h"

/* ---- implementations under test ---- */

typedef void (*sha256_blocks_fn)(uint32_t state[8], const uint8_t *restrict data, size_t n);
typedef size_t (*csv_scan_fn)(const char *restrict p, size_t n, char delim);

struct impl {
    const char *name;
    uint32_t needs; /* SKM_CPU_* bits the implementation requires */
    sha256_blocks_fn sha256_blocks;
    csv_scan_fn csv_scan;
};

static struct impl impl_ref = {"ref", 0, sha256_blocks_ref, csv_scan_ref};
#ifdef SKM_KERNELS_X86
static struct impl impl_shani = {"shani", SKM_CPU_SHA | SKM_CPU_SSSE3 | SKM_CPU_SSE41,
                                 sha256_blocks_shani, NULL};
#endif

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
    printf("      SKILLMAT_ISA=%s: table \"%s\", cpu features 0x%08x\n", req ? req : "(unset)",
           k->isa, (unsigned)f);
    if (req && *req) {
        /* "ref" or an unknown value: the pure reference table, and only unknown is an error. */
        assert_int_equal(skm_kernels_isa_error(), strcmp(req, "ref") != 0);
        assert_string_equal(k->isa, "ref");
        assert_ptr_equal(k->sha256_blocks, sha256_blocks_ref);
    } else {
        assert_int_equal(skm_kernels_isa_error(), 0);
#ifdef SKM_KERNELS_X86
        uint32_t need = SKM_CPU_SHA | SKM_CPU_SSSE3 | SKM_CPU_SSE41;
        if ((f & need) == need) {
            assert_ptr_equal(k->sha256_blocks, sha256_blocks_shani);
            assert_string_equal(k->isa, "ref+shani");
        } else {
            assert_ptr_equal(k->sha256_blocks, sha256_blocks_ref);
        }
#else
        assert_ptr_equal(k->sha256_blocks, sha256_blocks_ref);
#endif
    }
    assert_ptr_equal(k->csv_scan, csv_scan_ref); /* no SIMD csv_scan yet */
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
        cmocka_unit_test(test_dispatch),
    };
    return cmocka_run_group_tests_name("kernels", tests, NULL, NULL);
}
